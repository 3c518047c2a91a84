package mongodb

import (
	"context"
	"errors"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/cynllun/cynllun"
)

// The outbox (cynllun/outbox.go) is the collection "outbox": one document
// per pending entry, deleted once applied, so the collection holds only
// what is pending (normally nothing: an entry lives for the few
// milliseconds between a write and its follow-ups). The relay lists it
// whole; its size follows the backlog, never the data. Every other access
// is by _id: recording is an insert (for a claim, one whose duplicate key
// is the lost race), a lease is one conditional update of
// one entry, and finishing is a delete by _id.

// collOutbox holds pending outbox entries.
const collOutbox = "outbox"

type outboxDoc struct {
	ID          string       `bson:"_id"`
	Kind        string       `bson:"kind"`
	Ref         string       `bson:"ref,omitempty"`
	Token       string       `bson:"token,omitempty"`
	EventKind   string       `bson:"eventKind,omitempty"`
	Cause       string       `bson:"cause,omitempty"`
	PlanID      string       `bson:"planId,omitempty"`
	LearnerID   string       `bson:"learnerId,omitempty"`
	ReviewID    string       `bson:"reviewId,omitempty"`
	Revision    int          `bson:"revision,omitempty"`
	On          string       `bson:"on,omitempty"`
	By          string       `bson:"by,omitempty"`
	KeyID       string       `bson:"keyId,omitempty"`
	Decision    *decisionDoc `bson:"decision,omitempty"`
	Comment     string       `bson:"comment,omitempty"`
	RecordedAt  time.Time    `bson:"recordedAt"`
	LeasedUntil time.Time    `bson:"leasedUntil"`
	Attempts    int          `bson:"attempts"`
}

func toOutboxDoc(e *cynllun.OutboxEntry) *outboxDoc {
	d := &outboxDoc{
		ID: e.ID, Kind: string(e.Kind), Ref: e.Ref, Token: e.Token, EventKind: string(e.EventKind), Cause: e.Cause,
		PlanID: e.PlanID, LearnerID: e.LearnerID, ReviewID: e.ReviewID, Revision: e.Revision, By: e.By, KeyID: e.KeyID,
		Comment: e.Comment, RecordedAt: bsonTime(e.RecordedAt), LeasedUntil: bsonTime(e.LeasedUntil), Attempts: e.Attempts,
	}
	if !e.On.IsZero() {
		d.On = dateString(e.On)
	}
	if x := e.Decision; x != nil {
		d.Decision = &decisionDoc{Kind: string(x.Kind), Reasons: x.Reasons, DecidedOn: dateString(x.DecidedOn), DecidedBy: x.DecidedBy, Version: x.Version}
	}
	return d
}

func fromOutboxDoc(d *outboxDoc) (*cynllun.OutboxEntry, error) {
	on, err := parseDate(d.On)
	if err != nil {
		return nil, err
	}
	e := &cynllun.OutboxEntry{
		ID: d.ID, Kind: cynllun.OutboxKind(d.Kind), Ref: d.Ref, Token: d.Token, EventKind: cynllun.EventKind(d.EventKind), Cause: d.Cause,
		PlanID: d.PlanID, LearnerID: d.LearnerID, ReviewID: d.ReviewID, Revision: d.Revision, On: on, By: d.By, KeyID: d.KeyID,
		Comment: d.Comment, RecordedAt: fromTime(d.RecordedAt), LeasedUntil: fromTime(d.LeasedUntil), Attempts: d.Attempts,
	}
	if x := d.Decision; x != nil {
		decided, err := parseDate(x.DecidedOn)
		if err != nil {
			return nil, err
		}
		e.Decision = &cynllun.Decision{Kind: cynllun.DecisionKind(x.Kind), Reasons: x.Reasons, DecidedOn: decided, DecidedBy: x.DecidedBy, Version: x.Version}
	}
	return e, nil
}

// RecordOutbox inserts e; an entry with its id recorded already (a
// retried record) is left as it is. An insert, not an upsert: about half
// the cost on the embedded store, and ids are fresh.
func (db *DB) RecordOutbox(ctx context.Context, e *cynllun.OutboxEntry) error {
	const op = "mongodb.RecordOutbox"
	if _, err := db.coll(collOutbox).InsertOne(ctx, toOutboxDoc(e)); err != nil && !isDuplicateKey(err) {
		return cynllun.Internal(op, err)
	}
	return nil
}

// ClaimOutbox inserts e: CONFLICT when its id is taken.
func (db *DB) ClaimOutbox(ctx context.Context, e *cynllun.OutboxEntry) error {
	const op = "mongodb.ClaimOutbox"
	unlock := db.serialiseDoc(collOutbox, e.ID)
	defer unlock()
	if _, err := db.coll(collOutbox).InsertOne(ctx, toOutboxDoc(e)); err != nil {
		return insertErr(op, "claim", err)
	}
	return nil
}

// LeaseOutbox takes entry id if its lease ran out by now: one conditional
// update of that entry.
func (db *DB) LeaseOutbox(ctx context.Context, id string, now, until time.Time) (*cynllun.OutboxEntry, bool, error) {
	const op = "mongodb.LeaseOutbox"
	unlock := db.serialiseDoc(collOutbox, id)
	defer unlock()
	filter := bson.D{{Key: "_id", Value: id}, {Key: "leasedUntil", Value: bson.D{{Key: "$lte", Value: bsonTime(now)}}}}
	upd := bson.D{{Key: "$set", Value: bson.D{{Key: "leasedUntil", Value: bsonTime(until)}}}, {Key: "$inc", Value: bson.D{{Key: "attempts", Value: 1}}}}
	var d outboxDoc
	err := db.coll(collOutbox).FindOneAndUpdate(ctx, filter, upd, options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, cynllun.Internal(op, err)
	}
	e, err := fromOutboxDoc(&d)
	if err != nil {
		return nil, false, cynllun.Internal(op, err)
	}
	return e, true, nil
}

// FinishOutbox deletes entry id (when its token is token, if given).
func (db *DB) FinishOutbox(ctx context.Context, id, token string) error {
	const op = "mongodb.FinishOutbox"
	unlock := db.serialiseDoc(collOutbox, id)
	defer unlock()
	filter := bson.D{{Key: "_id", Value: id}}
	if token != "" {
		filter = append(filter, bson.E{Key: "token", Value: token})
	}
	if _, err := db.coll(collOutbox).DeleteOne(ctx, filter); err != nil {
		return cynllun.Internal(op, err)
	}
	return nil
}

// PendingOutbox lists at most limit entries, oldest first. The collection
// holds only pending entries.
func (db *DB) PendingOutbox(ctx context.Context, limit int) ([]*cynllun.OutboxEntry, error) {
	const op = "mongodb.PendingOutbox"
	cur, err := db.coll(collOutbox).Find(ctx, bson.D{})
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	var docs []outboxDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, cynllun.Internal(op, err)
	}
	out := make([]*cynllun.OutboxEntry, 0, len(docs))
	for i := range docs {
		e, err := fromOutboxDoc(&docs[i])
		if err != nil {
			return nil, cynllun.Internal(op, err)
		}
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b *cynllun.OutboxEntry) int { return a.RecordedAt.Compare(b.RecordedAt) })
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// AbandonPlan removes what an interrupted CreatePlan left (its version 1,
// its learner's pending copy) unless the plan is stored.
func (db *DB) AbandonPlan(ctx context.Context, planID, learnerID string) (bool, error) {
	const op = "mongodb.AbandonPlan"
	stored, ok, err := oneByID[planDoc](ctx, db.coll(collPlans), planID, nil)
	if err != nil {
		return false, cynllun.Internal(op, err)
	}
	if ok {
		if err := db.setMembers(ctx, planCopy(&stored, false)); err != nil {
			return true, cynllun.Internal(op, err)
		}
		return true, nil
	}
	// The version first: while the copy is pending readers check the plan,
	// which is missing, so the copy hides nothing.
	if _, err := db.coll(collVersions).DeleteOne(ctx, bson.D{{Key: "_id", Value: cynllun.VersionID(planID, 1)}}); err != nil {
		return false, cynllun.Internal(op, err)
	}
	gone := member{kind: lkPlansOfLearner, key: learnerID, id: planID}
	if err := db.setMembers(ctx, gone); err != nil {
		return false, cynllun.Internal(op, err)
	}
	return false, nil
}

// RepairPlanHeads moves a plan's heads up to the versions stored after
// them, as a lost insert does (plans.go).
func (db *DB) RepairPlanHeads(ctx context.Context, planID string) (int, error) {
	unlock := db.serialise(collPlans, planID)
	defer unlock()
	n, err := db.repairHeads(ctx, planID)
	if err != nil {
		return 0, cynllun.Internal("mongodb.RepairPlanHeads", err)
	}
	return n, nil
}

// RepairCaseHead moves a case's head up to the revisions stored after it
// (the writer died between a revision and its head) and writes the case's
// caseload entries again from the latest revision; it returns the latest
// revision, 0 when none is stored.
func (db *DB) RepairCaseHead(ctx context.Context, caseID string) (int, error) {
	const op = "mongodb.RepairCaseHead"
	unlock := db.serialise(collCases, caseID)
	defer unlock()
	h, _, err := oneByID[revisionHead](ctx, db.coll(collCaseHeads), caseID, nil)
	if err != nil {
		return 0, cynllun.Internal(op, err)
	}
	n, err := db.repairHead(ctx, collCaseHeads, collCases, caseID, cynllun.CaseRevisionID, true)
	if err != nil {
		return 0, cynllun.Internal(op, err)
	}
	if n != h.Latest && n > 0 {
		// The dead writer's caseload entries may be half written.
		d, ok, err := oneByID[caseDoc](ctx, db.coll(collCases), cynllun.CaseRevisionID(caseID, n), nil)
		if err != nil {
			return 0, cynllun.Internal(op, err)
		}
		if ok {
			c, err := fromCaseDoc(&d)
			if err != nil {
				return 0, cynllun.Internal(op, err)
			}
			if err := db.rewriteWork(ctx, workCases, caseID, caseEntry(c)); err != nil {
				return 0, cynllun.Internal(op, err)
			}
		}
	}
	return n, nil
}
