package mongodb

import (
	"context"
	"slices"
	"strings"

	"golang.org/x/sync/errgroup"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/cynllun/cynllun"
)

// Learners are listed through the learnersOfLA and learnersOfSetting
// lookups (lookup.go), whose members are copies of the learner documents:
// a page is chosen and built from the copies of the scope's LAs and
// settings, with no learner read. A copy is written pending before its
// learner is created or changed and confirmed after; a pending copy is
// checked against the learner document, by _id, when read. What is sorted
// in memory is bounded by the learners of the scope (an LA's, at most),
// never the collection.

// learnerMembers are d's copies in the lookups of its LA and setting.
func learnerMembers(d *learnerDoc, pending bool) []member {
	c := *d
	c.Pending = pending
	return []member{
		{kind: lkLearnersOfLA, key: d.LAID, id: d.ID, value: &c},
		{kind: lkLearnersOfSetting, key: d.SettingID, id: d.ID, value: &c},
	}
}

// CreateLearner writes l's pending copies, inserts l, then confirms the
// copies; CONFLICT when the ID exists (the stored learner's copies are
// then written again).
func (db *DB) CreateLearner(ctx context.Context, l *cynllun.Learner) error {
	const op = "mongodb.CreateLearner"
	d := toLearnerDoc(l)
	if err := db.setMembers(ctx, learnerMembers(d, true)...); err != nil {
		return cynllun.Internal(op, err)
	}
	_, err := db.coll(collLearners).InsertOne(ctx, d)
	if err != nil {
		db.compensate(ctx, op, l.ID, func(ctx context.Context) error {
			stored, ok, rerr := oneByID[learnerDoc](ctx, db.coll(collLearners), l.ID, nil)
			if rerr != nil {
				return rerr
			}
			if !ok {
				return db.setMembers(ctx, removed(learnerMembers(d, false))...)
			}
			return db.moveCopies(ctx, d, &stored)
		})
		return insertErr(op, "learner", err)
	}
	if err := db.setMembers(ctx, learnerMembers(d, false)...); err != nil {
		db.log.WarnContext(ctx, "could not confirm a learner's copies", "op", op, "learner", l.ID, "error", err)
	}
	return nil
}

// removed turns members into removals.
func removed(ms []member) []member {
	for i := range ms {
		ms[i].value = nil
	}
	return ms
}

// moveCopies makes the copies say what to says (confirmed), removing
// those under from's LA or setting that to no longer has.
func (db *DB) moveCopies(ctx context.Context, from, to *learnerDoc) error {
	ms := learnerMembers(to, false)
	if from.LAID != to.LAID {
		ms = append(ms, member{kind: lkLearnersOfLA, key: from.LAID, id: from.ID})
	}
	if from.SettingID != to.SettingID {
		ms = append(ms, member{kind: lkLearnersOfSetting, key: from.SettingID, id: from.ID})
	}
	return db.setMembers(ctx, ms...)
}

// UpdateLearner replaces the stored learner with the same ID; NOT_FOUND
// when there is none. The new copies are written pending before the
// learner and confirmed after, and those under an LA or setting the
// learner left are removed.
func (db *DB) UpdateLearner(ctx context.Context, l *cynllun.Learner) error {
	const op = "mongodb.UpdateLearner"
	unlock := db.serialise(collLearners, l.ID)
	defer unlock()
	old, ok, err := oneByID[learnerDoc](ctx, db.coll(collLearners), l.ID, nil)
	switch {
	case err != nil:
		return cynllun.Internal(op, err)
	case !ok:
		return cynllun.NotFound(op, "learner")
	}
	d := toLearnerDoc(l)
	if err := db.setMembers(ctx, learnerMembers(d, true)...); err != nil {
		return cynllun.Internal(op, err)
	}
	res, err := db.coll(collLearners).ReplaceOne(ctx, bson.D{{Key: "_id", Value: l.ID}}, d)
	if err != nil || res.MatchedCount == 0 {
		db.compensate(ctx, op, l.ID, func(ctx context.Context) error { return db.moveCopies(ctx, d, &old) })
		if err != nil {
			return cynllun.Internal(op, err)
		}
		return cynllun.NotFound(op, "learner")
	}
	if err := db.moveCopies(ctx, &old, d); err != nil {
		return cynllun.Internal(op, err)
	}
	return nil
}

// LearnersByID returns the learners found, in any order.
func (db *DB) LearnersByID(ctx context.Context, ids []string) ([]*cynllun.Learner, error) {
	const op = "mongodb.LearnersByID"
	docs, err := byIDs[learnerDoc](ctx, db, collLearners, ids)
	return converted(op, docs, err, fromLearnerDoc)
}

// candidates are the learners of q's scope that match q's filters, sorted
// by (sort key, id): the confirmed copies of the scope's LAs and settings,
// and the documents of pending copies and of learners named in the scope
// by id. Bounded by the learners of the scope's LAs and settings.
func (db *DB) candidates(ctx context.Context, q cynllun.LearnerQuery) ([]*learnerDoc, error) {
	var (
		byLA, bySetting map[string]map[string]learnerDoc
		named           []learnerDoc
		g               errgroup.Group
	)
	g.Go(func() (err error) {
		byLA, err = lookupMembers[learnerDoc](ctx, db, lkLearnersOfLA, q.Scope.LAIDs)
		return err
	})
	g.Go(func() (err error) {
		bySetting, err = lookupMembers[learnerDoc](ctx, db, lkLearnersOfSetting, q.Scope.SettingIDs)
		return err
	})
	g.Go(func() (err error) {
		named, err = byIDs[learnerDoc](ctx, db, collLearners, q.Scope.LearnerIDs)
		return err
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}
	all := map[string]*learnerDoc{}
	var check []string
	for _, m := range []map[string]map[string]learnerDoc{byLA, bySetting} {
		for _, copies := range m {
			for id, c := range copies {
				if c.Pending || c.ID != id {
					check = append(check, id)
					continue
				}
				all[id] = &c
			}
		}
	}
	for i := range named {
		all[named[i].ID] = &named[i]
	}
	if len(check) > 0 {
		stored, err := byIDs[learnerDoc](ctx, db, collLearners, check)
		if err != nil {
			return nil, err
		}
		for i := range stored {
			all[stored[i].ID] = &stored[i]
		}
	}
	prefix := cynllun.Fold(strings.TrimSpace(q.NamePrefix))
	out := make([]*learnerDoc, 0, len(all))
	for _, d := range all {
		if inScope(q, prefix, d) {
			out = append(out, d)
		}
	}
	slices.SortFunc(out, compareLearners)
	return out, nil
}

func compareLearners(a, b *learnerDoc) int {
	if c := strings.Compare(a.SortKey, b.SortKey); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

// inScope says whether a learner is in q's scope and matches its filters.
func inScope(q cynllun.LearnerQuery, prefix string, d *learnerDoc) bool {
	s := q.Scope
	if !slices.Contains(s.LearnerIDs, d.ID) &&
		(d.SettingID == "" || !slices.Contains(s.SettingIDs, d.SettingID)) &&
		!slices.Contains(s.LAIDs, d.LAID) {
		return false
	}
	if q.LAID != "" && d.LAID != q.LAID {
		return false
	}
	if q.SettingID != "" && d.SettingID != q.SettingID {
		return false
	}
	if prefix != "" && !slices.ContainsFunc(d.Names, func(n string) bool { return strings.HasPrefix(n, prefix) }) {
		return false
	}
	return true
}

// LearnerPage lists learners in q.Scope by (sortKey, _id), after q's
// cursor, at most q.Limit, and counts all that match q (cursor and limit
// aside), from one read of the scope's lookups. An empty scope matches
// nothing, and the database is not asked.
func (db *DB) LearnerPage(ctx context.Context, q cynllun.LearnerQuery) ([]*cynllun.Learner, int, error) {
	const op = "mongodb.LearnerPage"
	q.Scope = cleanScope(q.Scope)
	if q.Scope.Empty() {
		return nil, 0, nil
	}
	cs, err := db.candidates(ctx, q)
	if err != nil {
		return nil, 0, cynllun.Internal(op, err)
	}
	total := len(cs)
	if q.AfterKey != "" || q.AfterID != "" {
		after := &learnerDoc{ID: q.AfterID, SortKey: q.AfterKey}
		at, found := slices.BinarySearchFunc(cs, after, compareLearners)
		if found {
			at++
		}
		cs = cs[at:]
	}
	cs = cs[:min(limit(q.Limit), len(cs))]
	out := make([]*cynllun.Learner, 0, len(cs))
	for _, d := range cs {
		l, err := fromLearnerDoc(d)
		if err != nil {
			return nil, 0, cynllun.Internal(op, err)
		}
		out = append(out, l)
	}
	return out, total, nil
}

// ListLearners lists learners in q.Scope by (sortKey, _id) (LearnerPage
// without the count).
func (db *DB) ListLearners(ctx context.Context, q cynllun.LearnerQuery) ([]*cynllun.Learner, error) {
	ls, _, err := db.LearnerPage(ctx, q)
	return ls, err
}

// CountLearners counts what ListLearners would list without a cursor or
// limit.
func (db *DB) CountLearners(ctx context.Context, q cynllun.LearnerQuery) (int, error) {
	_, n, err := db.LearnerPage(ctx, q)
	return n, err
}

// cleanScope drops empty ids, which would otherwise match every learner
// with no setting (settingId "") and so widen the scope.
func cleanScope(s cynllun.Scope) cynllun.Scope {
	return cynllun.Scope{LearnerIDs: dedupe(s.LearnerIDs), SettingIDs: dedupe(s.SettingIDs), LAIDs: dedupe(s.LAIDs)}
}
