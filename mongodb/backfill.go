package mongodb

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Backfills build derived documents (lookup.go) from the records, once per
// database: a database written before a kind of derived document existed
// gets it when a binary that keeps it first opens the database. Each
// backfill is idempotent (it only sets entries and moves heads up), so two
// processes running one at the same time, or a run cut short and started
// again, leave the same result. A backfill reads its collections whole,
// once: it is the one place where a full scan is intended, at start-up
// after an upgrade, never on a request.

// backfill is one named, idempotent build of derived documents.
type backfill struct {
	name string
	run  func(ctx context.Context, db *DB) error
}

// backfills are registered by the files that own the derived documents.
var backfills []backfill

func registerBackfill(name string, run func(ctx context.Context, db *DB) error) {
	backfills = append(backfills, backfill{name, run})
}

// backfillsDoneID is the lookup document recording the backfills done.
var backfillsDoneID = lookupID("meta", "backfills")

// runBackfills runs the backfills this database has not had yet, recording
// each when it is done.
func (db *DB) runBackfills(ctx context.Context) error {
	done, ok, err := oneByID[lookupDoc[time.Time]](ctx, db.coll(collLookups), backfillsDoneID, nil)
	if err != nil {
		return err
	}
	for _, b := range backfills {
		if ok {
			if _, had := done.M[b.name]; had {
				continue
			}
		}
		start := time.Now()
		if err := b.run(ctx, db); err != nil {
			return fmt.Errorf("backfill %s: %w", b.name, err)
		}
		if err := db.upsertOne(ctx, collLookups, backfillsDoneID,
			bson.D{{Key: "$set", Value: bson.D{{Key: "m." + b.name, Value: time.Now().UTC()}}}}); err != nil {
			return fmt.Errorf("backfill %s: %w", b.name, err)
		}
		if d := time.Since(start); d > time.Second {
			db.log.InfoContext(ctx, "derived documents built", "backfill", b.name, "took", d.Round(time.Millisecond))
		}
	}
	return nil
}

// eachDoc decodes every document of coll in turn (a backfill's scan),
// projected when projection is not nil.
func eachDoc[T any](ctx context.Context, db *DB, coll string, projection any, f func(*T) error) error {
	opts := options.Find().SetBatchSize(1000)
	if projection != nil {
		opts.SetProjection(projection)
	}
	cur, err := db.coll(coll).Find(ctx, bson.D{}, opts)
	if err != nil {
		return err
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var d T
		if err := cur.Decode(&d); err != nil {
			return err
		}
		if err := f(&d); err != nil {
			return err
		}
	}
	return cur.Err()
}

func init() {
	registerBackfill("relationships", func(ctx context.Context, db *DB) error {
		return eachDoc(ctx, db, collRelationships, nil, func(d *relationshipDoc) error { return db.copyRelationship(ctx, d) })
	})
	registerBackfill("learners", func(ctx context.Context, db *DB) error {
		return eachDoc(ctx, db, collLearners, nil, func(d *learnerDoc) error {
			return db.writeCopies(ctx, false, []*learnerDoc{d}, nil)
		})
	})
	registerBackfill("plans", func(ctx context.Context, db *DB) error {
		// The heads first, then the copies that carry them.
		if err := eachDoc(ctx, db, collVersions, versionListProjection, func(v *versionDoc) error {
			unlock := db.serialise(collPlans, v.PlanID)
			defer unlock()
			_, err := db.coll(collPlans).UpdateOne(ctx, bson.D{{Key: "_id", Value: v.PlanID}}, bson.D{{Key: "$max", Value: headsOf(v)}})
			return err
		}); err != nil {
			return err
		}
		return eachDoc(ctx, db, collPlans, nil, func(d *planDoc) error { return db.setMembers(ctx, planCopy(d, false)) })
	})
	registerBackfill("events", func(ctx context.Context, db *DB) error {
		return eachDoc(ctx, db, collEvents, nil, func(d *eventDoc) error {
			return db.setMembers(ctx, member{kind: lkEventsOfLearner, key: d.LearnerID, id: d.ID, value: d.On})
		})
	})
	registerBackfill("deadlines", func(ctx context.Context, db *DB) error {
		return eachDoc(ctx, db, collDeadlines, nil, func(d *deadlineDoc) error {
			return db.writeDeadlineEntries(ctx, []*deadlineDoc{d}, nil)
		})
	})
}
