package mongodb

import (
	"context"
	"slices"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/internal/failpoint"
)

// Plans and versions (design.md §3, lookup.go).
//
// A version's _id is cynllun.VersionID(planId, number) ("pln_…/v3"), and its
// insert is the concurrency guard: a lost race to save version n is a
// duplicate key. The plan document carries its heads (latest, latestFinal
// and latestAt), so a plan's current version is known from the plan alone
// and every version is read by _id. A save inserts the version, then moves
// the heads up with $max (atomic on MongoDB; serialised per plan in the
// embedded mode). A crash between the two leaves the heads one behind: the
// next save of that plan then loses its insert, and the conflict path
// probes the versions after the heads by _id and repairs them, so the plan
// is never stuck.
//
// A learner's plans are listed from the plansOfLearner lookup, whose
// members are copies of the plan documents, heads included, so a list of
// learners with their plans reads no plan document. A copy is written
// pending before its plan is created and confirmed after; a pending (or
// partial) copy is checked against the plan document when read. A copy's
// heads follow the plan's and may lag one save behind after a crash, until
// the plan's next save repairs them.

// planCopy is the member of plan d in its learner's lookup.
func planCopy(d *planDoc, pending bool) member {
	c := *d
	c.Pending = pending
	return member{kind: lkPlansOfLearner, key: d.LearnerID, id: d.ID, value: &c}
}

// CreatePlan stores p and its first version, both or neither, without a
// transaction: a pending copy in the learner's lookup first, then v1 (its
// unique _id guards a duplicate plan id), then the plan with its heads,
// then the copy confirmed; when an insert fails, what was written is
// removed again (or, for a plan id that exists, its copy written again from
// it). Readers reach versions through their plan, so a v1 seen for a moment
// without its plan is never served. A crash part-way leaves an unreachable
// v1 and a pending copy that readers check and skip; the service records
// the creation in the outbox first, and the relay removes them
// (AbandonPlan), so a retry under the same natural key creates the plan.
func (db *DB) CreatePlan(ctx context.Context, p *cynllun.Plan, v1 *cynllun.Version) error {
	const op = "mongodb.CreatePlan"
	if v1 == nil || v1.PlanID != p.ID || v1.Number != 1 {
		return cynllun.E(cynllun.CodeInvalid, op, "the first version must be number 1 of the plan")
	}
	pd := toPlanDoc(p)
	pd.Latest, pd.LatestFinal, pd.LatestAt = 1, 0, bsonTime(v1.CreatedAt)
	if v1.Status == cynllun.VersionFinal {
		pd.LatestFinal = 1
	}
	if err := db.setMembers(ctx, planCopy(pd, true)); err != nil {
		return cynllun.Internal(op, err)
	}
	// undoCopy removes the copy, or writes the stored plan's copy again
	// when the plan id exists.
	undoCopy := func(ctx context.Context) error {
		stored, ok, err := oneByID[planDoc](ctx, db.coll(collPlans), p.ID, nil)
		if err != nil {
			return err
		}
		if ok {
			return db.setMembers(ctx, planCopy(&stored, false))
		}
		gone := planCopy(pd, false)
		gone.value = nil
		return db.setMembers(ctx, gone)
	}
	vd := toVersionDoc(v1)
	if _, err := db.coll(collVersions).InsertOne(ctx, vd); err != nil {
		db.compensate(ctx, op, p.ID, undoCopy)
		return insertErr(op, "plan", err)
	}
	failpoint.Crash("mongodb.plan.v1")
	if _, err := db.coll(collPlans).InsertOne(ctx, pd); err != nil {
		db.compensate(ctx, op, p.ID, func(ctx context.Context) error {
			// v1 was inserted by this call.
			if _, derr := db.coll(collVersions).DeleteOne(ctx, bson.D{{Key: "_id", Value: vd.ID}}); derr != nil {
				return derr
			}
			return undoCopy(ctx)
		})
		return insertErr(op, "plan", err)
	}
	if err := db.setMembers(ctx, planCopy(pd, false)); err != nil {
		// The plan is created; its pending copy is checked when read.
		db.log.WarnContext(ctx, "could not confirm a plan's copy", "op", op, "plan", p.ID, "error", err)
	}
	p.Latest, p.LatestFinal, p.LatestAt = pd.Latest, pd.LatestFinal, fromTime(pd.LatestAt)
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

// PlansByLearner returns every plan of the learners, oldest first, from
// one lookup document per learner; only pending or partial copies are
// checked against their plans, by _id.
func (db *DB) PlansByLearner(ctx context.Context, learnerIDs []string) ([]*cynllun.Plan, error) {
	const op = "mongodb.PlansByLearner"
	learners := dedupe(learnerIDs)
	if len(learners) == 0 {
		return nil, nil
	}
	byLearner, err := lookupMembers[planDoc](ctx, db, lkPlansOfLearner, learners)
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	var docs []planDoc
	var check []string
	for learner, m := range byLearner {
		for id, d := range m {
			if d.Pending || d.ID != id || d.LearnerID != learner {
				check = append(check, id)
				continue
			}
			docs = append(docs, d)
		}
	}
	if len(check) > 0 {
		stored, err := byIDs[planDoc](ctx, db, collPlans, check)
		if err != nil {
			return nil, cynllun.Internal(op, err)
		}
		for _, d := range stored {
			if _, ok := byLearner[d.LearnerID][d.ID]; ok {
				docs = append(docs, d)
			}
		}
	}
	plans, err := converted(op, docs, nil, fromPlanDoc)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(plans, func(a, b *cynllun.Plan) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return plans, nil
}

// moveCopyHeads moves the heads of plan planID's copy in its learner's
// lookup up to heads (a $max of each), without creating the copy.
func (db *DB) moveCopyHeads(ctx context.Context, learnerID, planID string, heads bson.D) error {
	id := lookupID(lkPlansOfLearner, learnerID)
	unlock := db.serialiseDoc(collLookups, id)
	defer unlock()
	set := make(bson.D, len(heads))
	for i, h := range heads {
		set[i] = bson.E{Key: "m." + planID + "." + h.Key, Value: h.Value}
	}
	_, err := db.coll(collLookups).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$max", Value: set}})
	return err
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
	failpoint.Crash("mongodb.version.inserted")
	heads := headsOf(toVersionDoc(v))
	if _, err := db.coll(collPlans).UpdateOne(ctx, bson.D{{Key: "_id", Value: v.PlanID}}, bson.D{{Key: "$max", Value: heads}}); err != nil {
		// The version is stored; the heads are repaired by the next save.
		return cynllun.Internal(op, err)
	}
	if err := db.moveCopyHeads(ctx, v.LearnerID, v.PlanID, heads); err != nil {
		return cynllun.Internal(op, err)
	}
	return nil
}

// headsOf is the $max update of the heads that version v moves.
func headsOf(v *versionDoc) bson.D {
	heads := bson.D{{Key: "latest", Value: v.Number}, {Key: "latestAt", Value: v.CreatedAt}}
	if v.Status == string(cynllun.VersionFinal) {
		heads = append(heads, bson.E{Key: "latestFinal", Value: v.Number})
	}
	return heads
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
	latest, final, at := p.Latest, p.LatestFinal, p.LatestAt
	for {
		v, ok, err := oneByID[versionDoc](ctx, db.coll(collVersions), cynllun.VersionID(planID, latest+1), versionListProjection)
		if err != nil {
			return 0, err
		}
		if !ok {
			break
		}
		latest, at = v.Number, v.CreatedAt
		if v.Status == string(cynllun.VersionFinal) {
			final = v.Number
		}
	}
	if latest != p.Latest || final != p.LatestFinal {
		heads := bson.D{{Key: "latest", Value: latest}, {Key: "latestFinal", Value: final}, {Key: "latestAt", Value: at}}
		if _, err := db.coll(collPlans).UpdateOne(ctx, bson.D{{Key: "_id", Value: planID}}, bson.D{{Key: "$max", Value: heads}}); err != nil {
			return 0, err
		}
		if err := db.moveCopyHeads(ctx, p.LearnerID, planID, heads); err != nil {
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

// PlanHeads returns each plan's newest and newest FINAL version numbers,
// read from the plans' heads.
func (db *DB) PlanHeads(ctx context.Context, planIDs []string) (map[string]cynllun.PlanHeads, error) {
	const op = "mongodb.PlanHeads"
	docs, err := byIDsProjected[planDoc](ctx, db, collPlans, planIDs, bson.D{{Key: "latest", Value: 1}, {Key: "latestFinal", Value: 1}})
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	out := make(map[string]cynllun.PlanHeads, len(docs))
	for _, d := range docs {
		if d.Latest > 0 { // 0: a plan document left without versions
			out[d.ID] = cynllun.PlanHeads{Latest: d.Latest, LatestFinal: d.LatestFinal}
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
