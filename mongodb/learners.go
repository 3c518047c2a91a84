package mongodb

import (
	"context"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/cynllun/cynllun"
)

// CreateLearner inserts l; CONFLICT when the ID exists.
func (db *DB) CreateLearner(ctx context.Context, l *cynllun.Learner) error {
	const op = "mongodb.CreateLearner"
	if _, err := db.coll(collLearners).InsertOne(ctx, toLearnerDoc(l)); err != nil {
		return insertErr(op, "learner", err)
	}
	return nil
}

// UpdateLearner replaces the stored learner with the same ID; NOT_FOUND
// when there is none.
func (db *DB) UpdateLearner(ctx context.Context, l *cynllun.Learner) error {
	const op = "mongodb.UpdateLearner"
	res, err := db.coll(collLearners).ReplaceOne(ctx, bson.D{{Key: "_id", Value: l.ID}}, toLearnerDoc(l))
	if err != nil {
		return cynllun.Internal(op, err)
	}
	if res.MatchedCount == 0 {
		return cynllun.NotFound(op, "learner")
	}
	return nil
}

// LearnersByID returns the learners found, in any order, in one round trip.
func (db *DB) LearnersByID(ctx context.Context, ids []string) ([]*cynllun.Learner, error) {
	const op = "mongodb.LearnersByID"
	docs, err := byIDs[learnerDoc](ctx, db.coll(collLearners), ids)
	return converted(op, docs, err, fromLearnerDoc)
}

// ListLearners lists learners in q.Scope by (sortKey, _id). An empty scope
// matches nothing, and the database is not asked.
func (db *DB) ListLearners(ctx context.Context, q cynllun.LearnerQuery) ([]*cynllun.Learner, error) {
	const op = "mongodb.ListLearners"
	q.Scope = cleanScope(q.Scope)
	if q.Scope.Empty() {
		return nil, nil
	}
	filters := learnerFilters(q)
	if q.AfterKey != "" || q.AfterID != "" {
		filters = append(filters, afterCursor("sortKey", q.AfterKey, q.AfterID))
	}
	opts := pageOpts(limit(q.Limit)).SetSort(bson.D{{Key: "sortKey", Value: 1}, {Key: "_id", Value: 1}})
	docs, err := findAll[learnerDoc](ctx, db.coll(collLearners), and(filters), opts)
	return converted(op, docs, err, fromLearnerDoc)
}

// CountLearners counts what ListLearners would list without a cursor or
// limit.
func (db *DB) CountLearners(ctx context.Context, q cynllun.LearnerQuery) (int, error) {
	const op = "mongodb.CountLearners"
	q.Scope = cleanScope(q.Scope)
	if q.Scope.Empty() {
		return 0, nil
	}
	n, err := db.coll(collLearners).CountDocuments(ctx, and(learnerFilters(q)))
	if err != nil {
		return 0, cynllun.Internal(op, err)
	}
	return int(n), nil
}

// cleanScope drops empty ids, which would otherwise match every learner
// with no setting (settingId "") and so widen the scope.
func cleanScope(s cynllun.Scope) cynllun.Scope {
	return cynllun.Scope{LearnerIDs: dedupe(s.LearnerIDs), SettingIDs: dedupe(s.SettingIDs), LAIDs: dedupe(s.LAIDs)}
}

// scopeFilter matches documents of the learners in s, by the learner id
// (in idField), settingId or laId (s must not be empty).
func scopeFilter(s cynllun.Scope, idField string) bson.D {
	var or bson.A
	if len(s.LearnerIDs) > 0 {
		or = append(or, bson.D{{Key: idField, Value: bson.D{{Key: "$in", Value: s.LearnerIDs}}}})
	}
	if len(s.SettingIDs) > 0 {
		or = append(or, bson.D{{Key: "settingId", Value: bson.D{{Key: "$in", Value: s.SettingIDs}}}})
	}
	if len(s.LAIDs) > 0 {
		or = append(or, bson.D{{Key: "laId", Value: bson.D{{Key: "$in", Value: s.LAIDs}}}})
	}
	return bson.D{{Key: "$or", Value: or}}
}

// learnerFilters is the scope, LA, setting and name-prefix part of a
// learner query (q.Scope must not be empty).
func learnerFilters(q cynllun.LearnerQuery) []bson.D {
	filters := []bson.D{scopeFilter(q.Scope, "_id")}
	if q.LAID != "" {
		filters = append(filters, bson.D{{Key: "laId", Value: q.LAID}})
	}
	if q.SettingID != "" {
		filters = append(filters, bson.D{{Key: "settingId", Value: q.SettingID}})
	}
	if p := cynllun.Fold(strings.TrimSpace(q.NamePrefix)); p != "" {
		// A regex on an array field matches when any element matches.
		filters = append(filters, bson.D{{Key: "names", Value: prefixRegex(p)}})
	}
	return filters
}
