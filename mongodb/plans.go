package mongodb

import (
	"context"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/cynllun/cynllun"
)

// Plans and versions (design.md §3, lookup.go).
//
// A version's _id is cynllun.VersionID(planId, number) ("pln_…/v3"), and its
// insert is the concurrency guard: a lost race to save version n is a
// duplicate key. The plan document carries its heads, latest and
// latestFinal, so a plan's current version is known from the plan alone
// and every version is read by _id. A save inserts the version, then moves
// the heads up with $max (atomic on MongoDB; serialised per plan in the
// embedded mode). A crash between the two leaves the heads one behind: the
// next save of that plan then loses its insert, and the conflict path
// probes the versions after the heads by _id and repairs them, so the plan
// is never stuck. A learner's plans are listed by the plansOfLearner lookup.

// CreatePlan stores p and its first version, both or neither, without a
// transaction: the learner's lookup entry first, then v1 (its unique _id
// guards a duplicate plan id), then the plan with its heads; when the plan
// insert fails, v1 and the entry are removed again. Readers reach versions
// through their plan, so a v1 seen for a moment without its plan is never
// served. A crash part-way leaves an unreachable v1 and an entry that
// readers skip; plan ids are fresh, so it blocks nothing.
func (db *DB) CreatePlan(ctx context.Context, p *cynllun.Plan, v1 *cynllun.Version) error {
	const op = "mongodb.CreatePlan"
	if v1 == nil || v1.PlanID != p.ID || v1.Number != 1 {
		return cynllun.E(cynllun.CodeInvalid, op, "the first version must be number 1 of the plan")
	}
	pd := toPlanDoc(p)
	pd.Latest, pd.LatestFinal = 1, 0
	if v1.Status == cynllun.VersionFinal {
		pd.LatestFinal = 1
	}
	entry := member{kind: lkPlansOfLearner, key: p.LearnerID, id: p.ID, value: pd.CreatedAt.Format(time.RFC3339Nano)}
	if err := db.setMembers(ctx, entry); err != nil {
		return cynllun.Internal(op, err)
	}
	vd := toVersionDoc(v1)
	if _, err := db.coll(collVersions).InsertOne(ctx, vd); err != nil {
		// A duplicate v1 means the plan id exists: its entry stays.
		if !isDuplicateKey(err) {
			db.compensate(ctx, op, p.ID, func(ctx context.Context) error {
				entry.value = nil
				return db.setMembers(ctx, entry)
			})
		}
		return insertErr(op, "plan", err)
	}
	if _, err := db.coll(collPlans).InsertOne(ctx, pd); err != nil {
		db.compensate(ctx, op, p.ID, func(ctx context.Context) error {
			_, derr := db.coll(collVersions).DeleteOne(ctx, bson.D{{Key: "_id", Value: vd.ID}})
			if derr == nil && !isDuplicateKey(err) {
				entry.value = nil
				derr = db.setMembers(ctx, entry)
			}
			return derr
		})
		return insertErr(op, "plan", err)
	}
	p.Latest, p.LatestFinal = pd.Latest, pd.LatestFinal
	return nil
}

// compensate undoes part of a write that failed, even when ctx is what
// failed, logging (ids only) when it cannot.
func (db *DB) compensate(ctx context.Context, op, id string, undo func(context.Context) error) {
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), compensationTimeout)
	defer cancel()
	if err := undo(dctx); err != nil {
		db.log.ErrorContext(ctx, "could not undo part of a failed write", "op", op, "id", id, "error", err)
	}
}

// PlansByID returns the plans found, in any order.
func (db *DB) PlansByID(ctx context.Context, ids []string) ([]*cynllun.Plan, error) {
	const op = "mongodb.PlansByID"
	docs, err := byIDs[planDoc](ctx, db, collPlans, ids)
	return converted(op, docs, err, fromPlanDoc)
}

// PlansByLearner returns every plan of the learners, oldest first: one
// lookup document per learner, then the plans by _id.
func (db *DB) PlansByLearner(ctx context.Context, learnerIDs []string) ([]*cynllun.Plan, error) {
	const op = "mongodb.PlansByLearner"
	learners := dedupe(learnerIDs)
	if len(learners) == 0 {
		return nil, nil
	}
	byLearner, err := lookupMembers[string](ctx, db, lkPlansOfLearner, learners)
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	var ids []string
	for _, m := range byLearner {
		for id := range m {
			ids = append(ids, id)
		}
	}
	docs, err := byIDs[planDoc](ctx, db, collPlans, ids)
	plans, err := converted(op, docs, err, fromPlanDoc)
	if err != nil {
		return nil, err
	}
	// Keep only plans whose entry is under their own learner (an entry is
	// a superset of the truth).
	plans = slices.DeleteFunc(plans, func(p *cynllun.Plan) bool {
		_, ok := byLearner[p.LearnerID][p.ID]
		return !ok
	})
	slices.SortFunc(plans, func(a, b *cynllun.Plan) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return plans, nil
}

// InsertVersion appends v with a plain insert of its deterministic _id,
// then moves the plan's heads. A lost race is CONFLICT with Current set to
// the latest number, read after the conflict.
func (db *DB) InsertVersion(ctx context.Context, v *cynllun.Version) error {
	const op = "mongodb.InsertVersion"
	unlock := db.serialise(collPlans, v.PlanID)
	defer unlock()
	_, err := db.coll(collVersions).InsertOne(ctx, toVersionDoc(v))
	if err != nil {
		if !isDuplicateKey(err) {
			return cynllun.Internal(op, err)
		}
		latest, lerr := db.repairHeads(ctx, v.PlanID)
		if lerr != nil {
			return cynllun.Internal(op, lerr)
		}
		return &cynllun.Error{
			Code:    cynllun.CodeConflict,
			Op:      op,
			Message: "plan was changed by someone else",
			Current: latest,
		}
	}
	heads := bson.D{{Key: "latest", Value: v.Number}}
	if v.Status == cynllun.VersionFinal {
		heads = append(heads, bson.E{Key: "latestFinal", Value: v.Number})
	}
	if _, err := db.coll(collPlans).UpdateOne(ctx, bson.D{{Key: "_id", Value: v.PlanID}}, bson.D{{Key: "$max", Value: heads}}); err != nil {
		// The version is stored; the heads are repaired by the next save.
		return cynllun.Internal(op, err)
	}
	return nil
}

// repairHeads reads a plan's heads, probes by _id for versions saved after
// them (a crash between a version's insert and its heads' update), moves
// the heads up to what it finds and returns the latest number. It runs
// only after a lost insert, so the probe is short.
func (db *DB) repairHeads(ctx context.Context, planID string) (int, error) {
	p, ok, err := oneByID[planDoc](ctx, db.coll(collPlans), planID, nil)
	if err != nil || !ok {
		return 0, err
	}
	latest, final := p.Latest, p.LatestFinal
	for {
		v, ok, err := oneByID[versionDoc](ctx, db.coll(collVersions), cynllun.VersionID(planID, latest+1), versionListProjection)
		if err != nil {
			return 0, err
		}
		if !ok {
			break
		}
		latest = v.Number
		if v.Status == string(cynllun.VersionFinal) {
			final = v.Number
		}
	}
	if latest != p.Latest || final != p.LatestFinal {
		heads := bson.D{{Key: "latest", Value: latest}, {Key: "latestFinal", Value: final}}
		if _, err := db.coll(collPlans).UpdateOne(ctx, bson.D{{Key: "_id", Value: planID}}, bson.D{{Key: "$max", Value: heads}}); err != nil {
			return 0, err
		}
		db.log.WarnContext(ctx, "plan heads repaired after an interrupted save", "plan", planID, "latest", latest)
	}
	return latest, nil
}

// LatestVersions returns the latest version number of each plan found, read
// from the plans' heads.
func (db *DB) LatestVersions(ctx context.Context, planIDs []string) (map[string]int, error) {
	const op = "mongodb.LatestVersions"
	docs, err := byIDsProjected[planDoc](ctx, db, collPlans, planIDs, bson.D{{Key: "latest", Value: 1}})
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	out := make(map[string]int, len(docs))
	for _, d := range docs {
		if d.Latest > 0 { // 0: a plan document left without versions
			out[d.ID] = d.Latest
		}
	}
	return out, nil
}

// VersionsByID returns whole versions (with content) by VersionID, in any
// order.
func (db *DB) VersionsByID(ctx context.Context, ids []string) ([]*cynllun.Version, error) {
	const op = "mongodb.VersionsByID"
	docs, err := byIDs[versionDoc](ctx, db, collVersions, ids)
	return converted(op, docs, err, fromVersionDoc)
}

// versionListProjection leaves the content out.
var versionListProjection = bson.D{{Key: "content", Value: 0}}

// ListVersions lists a plan's versions without content, Number > after,
// ascending, at most limit (default 50, at most 1000): the numbers come
// from the plan's heads and the versions are read by _id.
func (db *DB) ListVersions(ctx context.Context, planID string, after, n int) ([]*cynllun.Version, error) {
	const op = "mongodb.ListVersions"
	p, ok, err := oneByID[planDoc](ctx, db.coll(collPlans), planID, bson.D{{Key: "latest", Value: 1}})
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	if !ok {
		return nil, nil
	}
	after = max(after, 0)
	last := min(p.Latest, after+limit(n))
	ids := make([]string, 0, max(last-after, 0))
	for k := after + 1; k <= last; k++ {
		ids = append(ids, cynllun.VersionID(planID, k))
	}
	docs, err := byIDsProjected[versionDoc](ctx, db, collVersions, ids, versionListProjection)
	vs, err := converted(op, docs, err, fromVersionDoc)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(vs, func(a, b *cynllun.Version) int { return a.Number - b.Number })
	return vs, nil
}
