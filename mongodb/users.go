package mongodb

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/cynllun/cynllun"
)

// UpsertUser creates or replaces a user.
func (db *DB) UpsertUser(ctx context.Context, u *cynllun.User) error {
	const op = "mongodb.UpsertUser"
	_, err := db.coll(collUsers).ReplaceOne(ctx, bson.D{{Key: "_id", Value: u.ID}}, toUserDoc(u), options.Replace().SetUpsert(true))
	if err != nil {
		// Two first sign-ins racing can both try the insert; the loser's
		// user is the same person, so replace once more.
		if isDuplicateKey(err) {
			if _, err = db.coll(collUsers).ReplaceOne(ctx, bson.D{{Key: "_id", Value: u.ID}}, toUserDoc(u)); err == nil {
				return nil
			}
		}
		return cynllun.Internal(op, err)
	}
	return nil
}

// UserByID returns the user; NOT_FOUND when there is none.
func (db *DB) UserByID(ctx context.Context, id string) (*cynllun.User, error) {
	const op = "mongodb.UserByID"
	var d userDoc
	if err := db.coll(collUsers).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
		if isNoDocuments(err) {
			return nil, cynllun.NotFound(op, "user")
		}
		return nil, cynllun.Internal(op, err)
	}
	u, err := fromUserDoc(&d)
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	return u, nil
}

// CreateRelationship inserts r; CONFLICT when the ID exists.
func (db *DB) CreateRelationship(ctx context.Context, r *cynllun.Relationship) error {
	const op = "mongodb.CreateRelationship"
	if _, err := db.coll(collRelationships).InsertOne(ctx, toRelationshipDoc(r)); err != nil {
		return insertErr(op, "relationship", err)
	}
	return nil
}

// RelationshipByID returns the relationship; NOT_FOUND when there is none.
func (db *DB) RelationshipByID(ctx context.Context, id string) (*cynllun.Relationship, error) {
	const op = "mongodb.RelationshipByID"
	var d relationshipDoc
	if err := db.coll(collRelationships).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
		if isNoDocuments(err) {
			return nil, cynllun.NotFound(op, "relationship")
		}
		return nil, cynllun.Internal(op, err)
	}
	r, err := fromRelationshipDoc(&d)
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	return &r, nil
}

// relationshipOrder is oldest first, then by id.
var relationshipOrder = bson.D{{Key: "createdAt", Value: 1}, {Key: "_id", Value: 1}}

// RelationshipsForUser returns every relationship of the user, ended or
// not, oldest first.
func (db *DB) RelationshipsForUser(ctx context.Context, userID string) ([]cynllun.Relationship, error) {
	const op = "mongodb.RelationshipsForUser"
	if userID == "" {
		return nil, nil
	}
	return db.relationships(ctx, op, bson.D{{Key: "userId", Value: userID}})
}

// learnerScopedKinds are the relationship kinds that name a learner.
var learnerScopedKinds = bson.A{string(cynllun.RelParentOf), string(cynllun.RelSelf), string(cynllun.RelAdvocateOf)}

// RelationshipsForLearner returns the learner-scoped relationships (parent,
// self, advocate) of a learner, ended or not, oldest first.
func (db *DB) RelationshipsForLearner(ctx context.Context, learnerID string) ([]cynllun.Relationship, error) {
	const op = "mongodb.RelationshipsForLearner"
	if learnerID == "" {
		return nil, nil
	}
	return db.relationships(ctx, op, bson.D{
		{Key: "learnerId", Value: learnerID},
		{Key: "kind", Value: bson.D{{Key: "$in", Value: learnerScopedKinds}}},
	})
}

func (db *DB) relationships(ctx context.Context, op string, filter bson.D) ([]cynllun.Relationship, error) {
	docs, err := findAll[relationshipDoc](ctx, db.coll(collRelationships), filter, allOpts().SetSort(relationshipOrder))
	return converted(op, docs, err, fromRelationshipDoc)
}

// EndRelationship sets EndedAt to at when it is not set yet; an EndedAt
// already set is kept, so ending twice is harmless. NOT_FOUND when there is
// no such relationship.
func (db *DB) EndRelationship(ctx context.Context, id string, at time.Time) error {
	const op = "mongodb.EndRelationship"
	c := db.coll(collRelationships)
	// {endedAt: null} matches a missing field (it is omitted while unset).
	res, err := c.UpdateOne(ctx,
		bson.D{{Key: "_id", Value: id}, {Key: "endedAt", Value: nil}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "endedAt", Value: bsonTime(at)}}}})
	if err != nil {
		return cynllun.Internal(op, err)
	}
	if res.MatchedCount > 0 {
		return nil
	}
	n, err := c.CountDocuments(ctx, bson.D{{Key: "_id", Value: id}}, options.Count().SetLimit(1))
	if err != nil {
		return cynllun.Internal(op, err)
	}
	if n == 0 {
		return cynllun.NotFound(op, "relationship")
	}
	return nil
}

var orgScopedKinds = bson.A{string(cynllun.RelStaffOf), string(cynllun.RelOfficerOf)}

// RelationshipsForOrgs returns the staff and officer relationships of the
// organisations, ended or not.
func (db *DB) RelationshipsForOrgs(ctx context.Context, orgIDs []string) ([]cynllun.Relationship, error) {
	ids := dedupe(orgIDs)
	if len(ids) == 0 {
		return nil, nil
	}
	return db.relationships(ctx, "mongodb.RelationshipsForOrgs", bson.D{
		{Key: "orgId", Value: bson.D{{Key: "$in", Value: ids}}},
		{Key: "kind", Value: bson.D{{Key: "$in", Value: orgScopedKinds}}},
	})
}

// UsersByID returns the users found, in any order, in one round trip.
func (db *DB) UsersByID(ctx context.Context, ids []string) ([]*cynllun.User, error) {
	docs, err := byIDs[userDoc](ctx, db.coll(collUsers), ids)
	return converted("mongodb.UsersByID", docs, err, fromUserDoc)
}
