package mongodb

import (
	"context"
	"maps"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/cynllun/cynllun"
)

// The users collection holds, in each user's document, copies of the
// user's relationships (field rels, keyed by relationship id), so that
// authentication is one _id read. The relationships collection stays the
// record; the copies, and those in the relsOfLearner and relsOfOrg lookups,
// are derived from it (lookup.go says in which order they are written).

// accessDoc is a user document with the copies of their relationships.
type accessDoc struct {
	user userDoc
	Rels map[string]relationshipDoc `bson:"rels,omitempty"`
}

// exists says whether the user was created: a grant can reach a user's
// document before UpsertUser does, leaving only rels in it.
func (d *accessDoc) exists() bool {
	return !d.user.CreatedAt.IsZero() || d.user.Name != "" || d.user.Email != ""
}

// UpsertUser creates a user or replaces their details; the copies of their
// relationships are kept.
func (db *DB) UpsertUser(ctx context.Context, u *cynllun.User) error {
	const op = "mongodb.UpsertUser"
	d := toUserDoc(u)
	if err := db.beforeAccessChange(ctx, op); err != nil {
		return err
	}
	defer db.afterAccessChange(ctx, op)
	set := bson.D{{Key: "name", Value: d.Name}, {Key: "email", Value: d.Email}, {Key: "admin", Value: d.Admin}, {Key: "createdAt", Value: d.CreatedAt}}
	if err := db.upsertOne(ctx, collUsers, u.ID, bson.D{{Key: "$set", Value: set}}); err != nil {
		return cynllun.Internal(op, err)
	}
	return nil
}

// access reads a user's document with the copies of their relationships;
// false when there is none (a document with copies only is returned: see
// exists).
func (db *DB) access(ctx context.Context, id string) (*accessDoc, bool, error) {
	if id == "" {
		return nil, false, nil
	}
	raw, ok, err := oneByID[bson.Raw](ctx, db.coll(collUsers), id, nil)
	if err != nil || !ok {
		return nil, false, err
	}
	d, err := decodeAccess(raw)
	if err != nil {
		return nil, false, err
	}
	return d, true, nil
}

// decodeAccess decodes a user's document with the copies of their
// relationships.
func decodeAccess(raw bson.Raw) (*accessDoc, error) {
	var d accessDoc
	if err := bson.Unmarshal(raw, &d.user); err != nil {
		return nil, err
	}
	if err := bson.Unmarshal(raw, &d); err != nil {
		return nil, err
	}
	return &d, nil
}

// AccountsByID returns the users found with every relationship of theirs,
// ended or not, oldest first: concurrent reads by _id on the embedded
// store, one _id $in find on MongoDB. A document holding only copies of
// relationships (a grant that reached it before the user was created) is
// not a user.
func (db *DB) AccountsByID(ctx context.Context, ids []string) ([]cynllun.Account, error) {
	const op = "mongodb.AccountsByID"
	raws, err := byIDs[bson.Raw](ctx, db, collUsers, ids)
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	out := make([]cynllun.Account, 0, len(raws))
	for _, raw := range raws {
		d, err := decodeAccess(raw)
		if err != nil {
			return nil, cynllun.Internal(op, err)
		}
		if !d.exists() {
			continue
		}
		u, err := fromUserDoc(&d.user)
		if err != nil {
			return nil, cynllun.Internal(op, err)
		}
		rels, err := sortedRelationships(op, d.Rels, nil)
		if err != nil {
			return nil, err
		}
		out = append(out, cynllun.Account{User: u, Relationships: rels})
	}
	return out, nil
}

// UserByID returns the user; NOT_FOUND when there is none.
func (db *DB) UserByID(ctx context.Context, id string) (*cynllun.User, error) {
	const op = "mongodb.UserByID"
	d, ok, err := db.access(ctx, id)
	switch {
	case err != nil:
		return nil, cynllun.Internal(op, err)
	case !ok || !d.exists():
		return nil, cynllun.NotFound(op, "user")
	}
	u, err := fromUserDoc(&d.user)
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	return u, nil
}

// UserAccess returns the user and every relationship of theirs, ended or
// not, oldest first, in one read; NOT_FOUND when there is no such user.
func (db *DB) UserAccess(ctx context.Context, id string) (*cynllun.User, []cynllun.Relationship, error) {
	const op = "mongodb.UserAccess"
	var token string
	if db.cache != nil {
		u, rels, ok, t := db.cache.userAccess(ctx, id)
		if ok {
			return u, rels, nil
		}
		token = t
	}
	at := time.Now()
	d, ok, err := db.access(ctx, id)
	switch {
	case err != nil:
		return nil, nil, cynllun.Internal(op, err)
	case !ok || !d.exists():
		return nil, nil, cynllun.NotFound(op, "user")
	}
	u, err := fromUserDoc(&d.user)
	if err != nil {
		return nil, nil, cynllun.Internal(op, err)
	}
	rels, err := sortedRelationships(op, d.Rels, nil)
	if err != nil {
		return nil, nil, err
	}
	if db.cache != nil {
		db.cache.putUserAccess(token, u, rels, at)
	}
	return u, rels, nil
}

// CreateRelationship inserts r, then its copies (the user's document, and
// the learner's or organisation's lookup); CONFLICT when the ID exists, in
// which case the copies of the stored record are written again, so a retry
// after a crash part-way completes the grant.
func (db *DB) CreateRelationship(ctx context.Context, r *cynllun.Relationship) error {
	const op = "mongodb.CreateRelationship"
	d := toRelationshipDoc(r)
	if err := db.beforeAccessChange(ctx, op); err != nil {
		return err
	}
	defer db.afterAccessChange(ctx, op)
	_, err := db.coll(collRelationships).InsertOne(ctx, d)
	if err != nil && !isDuplicateKey(err) {
		return cynllun.Internal(op, err)
	}
	if err != nil {
		stored, ok, rerr := oneByID[relationshipDoc](ctx, db.coll(collRelationships), r.ID, nil)
		if rerr != nil || !ok {
			return insertErr(op, "relationship", err)
		}
		d = &stored
	}
	if cerr := db.copyRelationship(ctx, d); cerr != nil {
		return cynllun.Internal(op, cerr)
	}
	if err != nil {
		return insertErr(op, "relationship", err)
	}
	return nil
}

// copyRelationship writes the copies of d.
func (db *DB) copyRelationship(ctx context.Context, d *relationshipDoc) error {
	if err := db.upsertOne(ctx, collUsers, d.UserID, bson.D{{Key: "$set", Value: bson.D{{Key: "rels." + d.ID, Value: d}}}}); err != nil {
		return err
	}
	return db.setMembers(ctx,
		member{kind: lkRelsOfLearner, key: d.LearnerID, id: d.ID, value: d},
		member{kind: lkRelsOfOrg, key: d.OrgID, id: d.ID, value: d})
}

// RelationshipByID returns the relationship; NOT_FOUND when there is none.
func (db *DB) RelationshipByID(ctx context.Context, id string) (*cynllun.Relationship, error) {
	const op = "mongodb.RelationshipByID"
	d, ok, err := oneByID[relationshipDoc](ctx, db.coll(collRelationships), id, nil)
	switch {
	case err != nil:
		return nil, cynllun.Internal(op, err)
	case !ok:
		return nil, cynllun.NotFound(op, "relationship")
	}
	r, err := fromRelationshipDoc(&d)
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	return &r, nil
}

// sortedRelationships converts copies, keeping those whose kind is in
// kinds (nil: all), oldest first, then by id.
func sortedRelationships(op string, docs map[string]relationshipDoc, kinds []cynllun.RelKind) ([]cynllun.Relationship, error) {
	out := make([]cynllun.Relationship, 0, len(docs))
	for _, d := range docs {
		r, err := fromRelationshipDoc(&d)
		if err != nil {
			return nil, cynllun.Internal(op, err)
		}
		if kinds == nil || slices.Contains(kinds, r.Kind) {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b cynllun.Relationship) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

// RelationshipsForUser returns every relationship of the user, ended or
// not, oldest first (from the copies in the user's document).
func (db *DB) RelationshipsForUser(ctx context.Context, userID string) ([]cynllun.Relationship, error) {
	const op = "mongodb.RelationshipsForUser"
	d, ok, err := db.access(ctx, userID)
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	if !ok {
		return nil, nil
	}
	return sortedRelationships(op, d.Rels, nil)
}

// learnerScopedKinds are the relationship kinds that name a learner.
var learnerScopedKinds = []cynllun.RelKind{cynllun.RelParentOf, cynllun.RelSelf, cynllun.RelAdvocateOf}

// RelationshipsForLearner returns the learner-scoped relationships (parent,
// self, advocate) of a learner, ended or not, oldest first.
func (db *DB) RelationshipsForLearner(ctx context.Context, learnerID string) ([]cynllun.Relationship, error) {
	const op = "mongodb.RelationshipsForLearner"
	return db.relationshipsOf(ctx, op, lkRelsOfLearner, []string{learnerID}, learnerScopedKinds)
}

var orgScopedKinds = []cynllun.RelKind{cynllun.RelStaffOf, cynllun.RelOfficerOf}

// RelationshipsForOrgs returns the staff and officer relationships of the
// organisations, ended or not, oldest first.
func (db *DB) RelationshipsForOrgs(ctx context.Context, orgIDs []string) ([]cynllun.Relationship, error) {
	const op = "mongodb.RelationshipsForOrgs"
	return db.relationshipsOf(ctx, op, lkRelsOfOrg, orgIDs, orgScopedKinds)
}

// relationshipsOf reads the copies in the lookups of kind for keys.
func (db *DB) relationshipsOf(ctx context.Context, op, kind string, keys []string, kinds []cynllun.RelKind) ([]cynllun.Relationship, error) {
	byKey, err := lookupMembers[relationshipDoc](ctx, db, kind, keys)
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	all := map[string]relationshipDoc{}
	for _, m := range byKey {
		maps.Copy(all, m)
	}
	return sortedRelationships(op, all, kinds)
}

// EndRelationship sets EndedAt to at when it is not set yet; an EndedAt
// already set is kept, so ending twice is harmless. The copies are ended
// before the record, so access ends even if the record's write is lost.
// NOT_FOUND when there is no such relationship.
func (db *DB) EndRelationship(ctx context.Context, id string, at time.Time) error {
	const op = "mongodb.EndRelationship"
	unlock := db.serialise(collRelationships, id)
	defer unlock()
	if err := db.beforeAccessChange(ctx, op); err != nil {
		return err
	}
	defer db.afterAccessChange(ctx, op)
	c := db.coll(collRelationships)
	d, ok, err := oneByID[relationshipDoc](ctx, c, id, nil)
	switch {
	case err != nil:
		return cynllun.Internal(op, err)
	case !ok:
		return cynllun.NotFound(op, "relationship")
	}
	if d.EndedAt == nil {
		d.EndedAt = optTime(at)
	}
	if err := db.copyRelationship(ctx, &d); err != nil {
		return cynllun.Internal(op, err)
	}
	// {endedAt: null} matches a missing field (it is omitted while unset).
	if _, err := c.UpdateOne(ctx,
		bson.D{{Key: "_id", Value: id}, {Key: "endedAt", Value: nil}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "endedAt", Value: d.EndedAt}}}}); err != nil {
		return cynllun.Internal(op, err)
	}
	return nil
}

// UsersByID returns the users found, in any order, in one round trip.
func (db *DB) UsersByID(ctx context.Context, ids []string) ([]*cynllun.User, error) {
	docs, err := byIDs[userDoc](ctx, db, collUsers, ids)
	return converted("mongodb.UsersByID", docs, err, fromUserDoc)
}
