package mongodb

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/cynllun/cynllun"
)

// RecordAudit inserts the events with one InsertMany (nothing when there
// are none). An event without an ID gets one.
func (db *DB) RecordAudit(ctx context.Context, events []cynllun.AuditEvent) error {
	const op = "mongodb.RecordAudit"
	if len(events) == 0 {
		return nil
	}
	docs := make([]*auditDoc, len(events))
	for i := range events {
		docs[i] = toAuditDoc(&events[i])
		if docs[i].ID == "" {
			docs[i].ID = cynllun.NewID(cynllun.PrefixAudit)
		}
	}
	if _, err := db.coll(collAudit).InsertMany(ctx, docs); err != nil {
		return insertErr(op, "audit event", err)
	}
	return nil
}

// ListAudit lists a learner's events newest first by (at, _id), strictly
// before (BeforeAt, BeforeID) when BeforeAt is set.
func (db *DB) ListAudit(ctx context.Context, q cynllun.AuditQuery) ([]cynllun.AuditEvent, error) {
	const op = "mongodb.ListAudit"
	if q.LearnerID == "" {
		return nil, nil
	}
	filters := []bson.D{{{Key: "learnerId", Value: q.LearnerID}}}
	if !q.BeforeAt.IsZero() {
		at := bsonTime(q.BeforeAt)
		filters = append(filters, bson.D{{Key: "$or", Value: bson.A{
			bson.D{{Key: "at", Value: bson.D{{Key: "$lt", Value: at}}}},
			bson.D{{Key: "at", Value: at}, {Key: "_id", Value: bson.D{{Key: "$lt", Value: q.BeforeID}}}},
		}}})
	}
	opts := pageOpts(limit(q.Limit)).SetSort(bson.D{{Key: "at", Value: -1}, {Key: "_id", Value: -1}})
	docs, err := findAll[auditDoc](ctx, db.coll(collAudit), and(filters), opts)
	return converted(op, docs, err, fromAuditDoc)
}
