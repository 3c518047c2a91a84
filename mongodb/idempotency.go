package mongodb

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/cynllun/cynllun"
)

// collIdempotency holds claims of client and natural keys
// (cynllun.IdempotencyClaim), keyed by _id: claiming is an insert that
// either wins or finds the claim (the only cheap path on the embedded
// store, and atomic on both).
const collIdempotency = "idempotency"

type idempotencyDoc struct {
	ID          string    `bson:"_id"`
	Mutation    string    `bson:"mutation"`
	Fingerprint string    `bson:"fingerprint"`
	ResultID    string    `bson:"resultId"`
	Done        bool      `bson:"done"`
	At          time.Time `bson:"at"`
}

func toIdempotencyDoc(c *cynllun.IdempotencyClaim) *idempotencyDoc {
	return &idempotencyDoc{ID: c.ID, Mutation: c.Mutation, Fingerprint: c.Fingerprint, ResultID: c.ResultID, Done: c.Done, At: bsonTime(c.At)}
}

func fromIdempotencyDoc(d *idempotencyDoc) *cynllun.IdempotencyClaim {
	return &cynllun.IdempotencyClaim{ID: d.ID, Mutation: d.Mutation, Fingerprint: d.Fingerprint, ResultID: d.ResultID, Done: d.Done, At: fromTime(d.At)}
}

// ClaimIdempotencyKey inserts c, or returns the claim that holds its id.
func (db *DB) ClaimIdempotencyKey(ctx context.Context, c *cynllun.IdempotencyClaim) (*cynllun.IdempotencyClaim, bool, error) {
	const op = "mongodb.ClaimIdempotencyKey"
	coll := db.coll(collIdempotency)
	for range 3 {
		_, err := coll.InsertOne(ctx, toIdempotencyDoc(c))
		if err == nil {
			return c, true, nil
		}
		if !isDuplicateKey(err) {
			return nil, false, cynllun.Internal(op, err)
		}
		d, ok, err := oneByID[idempotencyDoc](ctx, coll, c.ID, nil)
		if err != nil {
			return nil, false, cynllun.Internal(op, err)
		}
		if ok {
			return fromIdempotencyDoc(&d), false, nil
		}
		// Released between the insert and the read: try again.
	}
	return nil, false, cynllun.E(cynllun.CodeConflict, op, "a request with this key is in progress; try again")
}

// IdempotencyClaim reads one claim.
func (db *DB) IdempotencyClaim(ctx context.Context, id string) (*cynllun.IdempotencyClaim, error) {
	const op = "mongodb.IdempotencyClaim"
	d, ok, err := oneByID[idempotencyDoc](ctx, db.coll(collIdempotency), id, nil)
	switch {
	case err != nil:
		return nil, cynllun.Internal(op, err)
	case !ok:
		return nil, cynllun.NotFound(op, "key")
	}
	return fromIdempotencyDoc(&d), nil
}

// FinishIdempotencyKey marks a claim done (one $set of one field).
func (db *DB) FinishIdempotencyKey(ctx context.Context, id string) error {
	const op = "mongodb.FinishIdempotencyKey"
	unlock := db.serialiseDoc(collIdempotency, id)
	defer unlock()
	_, err := db.coll(collIdempotency).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "done", Value: true}}}})
	if err != nil {
		return cynllun.Internal(op, err)
	}
	return nil
}

// ReleaseIdempotencyKey deletes a claim that is not done.
func (db *DB) ReleaseIdempotencyKey(ctx context.Context, id string) error {
	const op = "mongodb.ReleaseIdempotencyKey"
	unlock := db.serialiseDoc(collIdempotency, id)
	defer unlock()
	// Read, then delete by _id alone (the embedded store's cheap path);
	// the lock keeps a concurrent finish out in the embedded mode, and on
	// MongoDB the filter on done makes the delete conditional.
	c := db.coll(collIdempotency)
	d, ok, err := oneByID[idempotencyDoc](ctx, c, id, nil)
	if err != nil {
		return cynllun.Internal(op, err)
	}
	if !ok || d.Done {
		return nil
	}
	filter := bson.D{{Key: "_id", Value: id}}
	if !db.embedded {
		filter = append(filter, bson.E{Key: "done", Value: false})
	}
	if _, err := c.DeleteOne(ctx, filter); err != nil {
		return cynllun.Internal(op, err)
	}
	return nil
}
