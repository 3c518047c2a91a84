package mongodb

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/cynllun/cynllun"
)

// CreatePlan stores p and its first version, both or neither, without a
// transaction: v1 is inserted first (its unique (planId, number) guards a
// duplicate plan id), then the plan; when the plan insert fails, v1 is
// deleted again. Readers reach versions through their plan, so a v1 seen
// for a moment without its plan is never served. A crash between the two
// inserts leaves an unreachable v1 behind; plan ids are fresh, so it blocks
// nothing.
func (db *DB) CreatePlan(ctx context.Context, p *cynllun.Plan, v1 *cynllun.Version) error {
	const op = "mongodb.CreatePlan"
	if v1 == nil || v1.PlanID != p.ID || v1.Number != 1 {
		return cynllun.E(cynllun.CodeInvalid, op, "the first version must be number 1 of the plan")
	}
	vd := toVersionDoc(v1)
	if _, err := db.coll(collVersions).InsertOne(ctx, vd); err != nil {
		return insertErr(op, "plan", err)
	}
	if _, err := db.coll(collPlans).InsertOne(ctx, toPlanDoc(p)); err != nil {
		// Compensate even when ctx is what failed.
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), compensationTimeout)
		defer cancel()
		if _, derr := db.coll(collVersions).DeleteOne(dctx, bson.D{{Key: "_id", Value: vd.ID}}); derr != nil {
			db.log.ErrorContext(ctx, "could not remove the first version of a plan that was not created",
				"op", op, "plan", p.ID, "error", derr)
		}
		return insertErr(op, "plan", err)
	}
	return nil
}

// PlansByID returns the plans found, in any order, in one round trip.
func (db *DB) PlansByID(ctx context.Context, ids []string) ([]*cynllun.Plan, error) {
	const op = "mongodb.PlansByID"
	docs, err := byIDs[planDoc](ctx, db.coll(collPlans), ids)
	return converted(op, docs, err, fromPlanDoc)
}

// PlansByLearner returns every plan of the learners, oldest first, in one
// round trip.
func (db *DB) PlansByLearner(ctx context.Context, learnerIDs []string) ([]*cynllun.Plan, error) {
	const op = "mongodb.PlansByLearner"
	ids := dedupe(learnerIDs)
	if len(ids) == 0 {
		return nil, nil
	}
	opts := allOpts().SetSort(bson.D{{Key: "createdAt", Value: 1}, {Key: "_id", Value: 1}})
	docs, err := findAll[planDoc](ctx, db.coll(collPlans), bson.D{{Key: "learnerId", Value: bson.D{{Key: "$in", Value: ids}}}}, opts)
	return converted(op, docs, err, fromPlanDoc)
}

// InsertVersion appends v with a plain insert. The unique index on
// (planId, number) makes a lost race a duplicate key, reported as CONFLICT
// with Current set to the latest number read after the conflict.
func (db *DB) InsertVersion(ctx context.Context, v *cynllun.Version) error {
	const op = "mongodb.InsertVersion"
	_, err := db.coll(collVersions).InsertOne(ctx, toVersionDoc(v))
	if err == nil {
		return nil
	}
	if !isDuplicateKey(err) {
		return cynllun.Internal(op, err)
	}
	latest, lerr := db.LatestVersions(ctx, []string{v.PlanID})
	if lerr != nil {
		return cynllun.Internal(op, lerr)
	}
	return &cynllun.Error{
		Code:    cynllun.CodeConflict,
		Op:      op,
		Message: "plan was changed by someone else",
		Current: latest[v.PlanID],
	}
}

// numberDoc is the projection LatestVersions reads.
type numberDoc struct {
	PlanID string `bson:"planId"`
	Number int    `bson:"number"`
}

// LatestVersions returns the latest version number of each plan found, in
// one round trip: it reads only (planId, number) of every version of the
// plans and takes the maximum here ($group $max is not in FerretDB v1).
func (db *DB) LatestVersions(ctx context.Context, planIDs []string) (map[string]int, error) {
	const op = "mongodb.LatestVersions"
	ids := dedupe(planIDs)
	out := make(map[string]int, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	opts := allOpts().SetProjection(bson.D{{Key: "_id", Value: 0}, {Key: "planId", Value: 1}, {Key: "number", Value: 1}})
	docs, err := findAll[numberDoc](ctx, db.coll(collVersions), bson.D{{Key: "planId", Value: bson.D{{Key: "$in", Value: ids}}}}, opts)
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	for _, d := range docs {
		if d.Number > out[d.PlanID] {
			out[d.PlanID] = d.Number
		}
	}
	return out, nil
}

// VersionsByID returns whole versions (with content) by VersionID, in any
// order, in one round trip.
func (db *DB) VersionsByID(ctx context.Context, ids []string) ([]*cynllun.Version, error) {
	const op = "mongodb.VersionsByID"
	docs, err := byIDs[versionDoc](ctx, db.coll(collVersions), ids)
	return converted(op, docs, err, fromVersionDoc)
}

// versionListProjection leaves the content out.
var versionListProjection = bson.D{{Key: "content", Value: 0}}

// ListVersions lists a plan's versions without content, Number > after,
// ascending, at most limit (default 50, at most 1000).
func (db *DB) ListVersions(ctx context.Context, planID string, after, n int) ([]*cynllun.Version, error) {
	const op = "mongodb.ListVersions"
	filter := bson.D{{Key: "planId", Value: planID}, {Key: "number", Value: bson.D{{Key: "$gt", Value: after}}}}
	opts := pageOpts(limit(n)).
		SetSort(bson.D{{Key: "number", Value: 1}}).
		SetProjection(versionListProjection)
	docs, err := findAll[versionDoc](ctx, db.coll(collVersions), filter, opts)
	return converted(op, docs, err, fromVersionDoc)
}
