package mongodb

import (
	"context"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Heads of records kept as immutable revisions (reviews, cases), as plans
// keep theirs (plans.go, lookup.go).
//
// A revision's _id is deterministic ("<id>/r<n>") and its insert is the
// concurrency guard. A review or case has no document of its own, so its
// head is a small document of its own in a heads collection, _id the
// review's or case's id: the latest revision number, moved up with $max
// after each insert, and (cases) the earliest revision's createdAt, moved
// down with $min. So the latest revision is found by two _id reads (the
// head, then the revision), and every revision of a record by _id.
//
// A crash between a revision's insert and its head's update leaves the head
// one behind: the next save of that record then loses its insert, and the
// conflict path probes the revisions after the head by _id and moves the
// head up (repairHead), so the record is never stuck. A crash before the
// first head write leaves a revision 1 that no reader reaches (as an
// interrupted CreatePlan does); ids are fresh, so it blocks nothing.

// revisionHead is the head document of a review or case.
type revisionHead struct {
	ID     string `bson:"_id"`
	Latest int    `bson:"latest"`
	// Created is the earliest revision's createdAt (cases only).
	Created time.Time `bson:"created,omitempty"`
}

// revisionProbe is what a probe reads of a revision.
type revisionProbe struct {
	Revision  int       `bson:"revision"`
	CreatedAt time.Time `bson:"createdAt"`
}

var revisionProbeProjection = bson.D{{Key: "revision", Value: 1}, {Key: "createdAt", Value: 1}}

// moveHead moves the head id of headColl up to revision (and its created
// down to created, unless created is zero), creating it when missing.
func (db *DB) moveHead(ctx context.Context, headColl, id string, revision int, created time.Time) error {
	upd := bson.D{{Key: "$max", Value: bson.D{{Key: "latest", Value: revision}}}}
	if !created.IsZero() {
		upd = append(upd, bson.E{Key: "$min", Value: bson.D{{Key: "created", Value: bsonTime(created)}}})
	}
	return db.upsertOne(ctx, headColl, id, upd)
}

// repairHead reads the head id of headColl, probes revColl by _id for the
// revisions saved after it (revID names them), moves the head up to what
// it finds and returns the latest revision number. It runs only after a
// lost insert, so the probe is short.
func (db *DB) repairHead(ctx context.Context, headColl, revColl, id string, revID func(string, int) string, withCreated bool) (int, error) {
	h, _, err := oneByID[revisionHead](ctx, db.coll(headColl), id, nil)
	if err != nil {
		return 0, err
	}
	latest, created := h.Latest, time.Time{}
	for {
		r, ok, err := oneByID[revisionProbe](ctx, db.coll(revColl), revID(id, latest+1), revisionProbeProjection)
		if err != nil {
			return 0, err
		}
		if !ok {
			break
		}
		latest = r.Revision
		if withCreated && (created.IsZero() || r.CreatedAt.Before(created)) {
			created = r.CreatedAt
		}
	}
	if latest != h.Latest {
		if err := db.moveHead(ctx, headColl, id, latest, created); err != nil {
			return 0, err
		}
		db.log.WarnContext(ctx, "revision head repaired after an interrupted save", "record", id, "latest", latest)
	}
	return latest, nil
}

// headsOf reads the heads of ids (those with a revision), by id.
func (db *DB) headsOf(ctx context.Context, headColl string, ids []string) (map[string]revisionHead, error) {
	hs, err := byIDs[revisionHead](ctx, db, headColl, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string]revisionHead, len(hs))
	for _, h := range hs {
		if h.Latest > 0 {
			out[h.ID] = h
		}
	}
	return out, nil
}

// revisionIDs are the ids of revisions 1..latest of id.
func revisionIDs(id string, latest int, revID func(string, int) string) []string {
	ids := make([]string, 0, latest)
	for n := 1; n <= latest; n++ {
		ids = append(ids, revID(id, n))
	}
	return ids
}

// latestIDs are the ids of the latest revision of each head.
func latestIDs(heads map[string]revisionHead, revID func(string, int) string) []string {
	ids := make([]string, 0, len(heads))
	for id, h := range heads {
		ids = append(ids, revID(id, h.Latest))
	}
	slices.Sort(ids)
	return ids
}
