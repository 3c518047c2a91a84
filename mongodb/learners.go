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
// lookups (lookup.go): each entry carries what a list filters and sorts on,
// so a page is chosen from the entries of the scope's LAs and settings and
// only the page's learners are read, by _id. What is sorted in memory is
// bounded by the learners of the scope (an LA's, at most), never the
// collection.

// learnerEntry is a learner's entry in the lookups of their LA and setting.
type learnerEntry struct {
	SortKey   string   `bson:"k"`
	Names     []string `bson:"n"`
	LAID      string   `bson:"la"`
	SettingID string   `bson:"st,omitempty"`
}

func entryOf(d *learnerDoc) learnerEntry {
	return learnerEntry{SortKey: d.SortKey, Names: d.Names, LAID: d.LAID, SettingID: d.SettingID}
}

// learnerMembers are d's entries (value nil removes them).
func learnerMembers(d *learnerDoc, value any) []member {
	return []member{
		{kind: lkLearnersOfLA, key: d.LAID, id: d.ID, value: value},
		{kind: lkLearnersOfSetting, key: d.SettingID, id: d.ID, value: value},
	}
}

// CreateLearner writes l's lookup entries, then inserts l; CONFLICT when
// the ID exists (the stored learner's entries are then written again).
func (db *DB) CreateLearner(ctx context.Context, l *cynllun.Learner) error {
	const op = "mongodb.CreateLearner"
	d := toLearnerDoc(l)
	if err := db.setMembers(ctx, learnerMembers(d, entryOf(d))...); err != nil {
		return cynllun.Internal(op, err)
	}
	_, err := db.coll(collLearners).InsertOne(ctx, d)
	if err == nil {
		return nil
	}
	if isDuplicateKey(err) {
		db.compensate(ctx, op, l.ID, func(ctx context.Context) error {
			stored, ok, rerr := oneByID[learnerDoc](ctx, db.coll(collLearners), l.ID, nil)
			if rerr != nil || !ok {
				return rerr
			}
			return db.moveEntries(ctx, d, &stored)
		})
	}
	return insertErr(op, "learner", err)
}

// moveEntries makes the entries say what to says, removing those of from
// that to no longer has.
func (db *DB) moveEntries(ctx context.Context, from, to *learnerDoc) error {
	ms := learnerMembers(to, entryOf(to))
	if from.LAID != to.LAID {
		ms = append(ms, member{kind: lkLearnersOfLA, key: from.LAID, id: from.ID})
	}
	if from.SettingID != to.SettingID {
		ms = append(ms, member{kind: lkLearnersOfSetting, key: from.SettingID, id: from.ID})
	}
	return db.setMembers(ctx, ms...)
}

// UpdateLearner replaces the stored learner with the same ID; NOT_FOUND
// when there is none. The new entries are written before the learner and
// the old ones removed after it.
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
	if err := db.setMembers(ctx, learnerMembers(d, entryOf(d))...); err != nil {
		return cynllun.Internal(op, err)
	}
	res, err := db.coll(collLearners).ReplaceOne(ctx, bson.D{{Key: "_id", Value: l.ID}}, d)
	if err != nil {
		return cynllun.Internal(op, err)
	}
	if res.MatchedCount == 0 {
		return cynllun.NotFound(op, "learner")
	}
	if err := db.moveEntries(ctx, &old, d); err != nil {
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

// candidate is a learner that may be listed: its id and entry, and its
// document when it was read already.
type candidate struct {
	id  string
	e   learnerEntry
	doc *learnerDoc
}

// candidates are the learners of q's scope that match q's filters, by the
// entries (the documents, for learners named in the scope by id), sorted by
// (sort key, id). Bounded by the learners of the scope's LAs and settings.
func (db *DB) candidates(ctx context.Context, q cynllun.LearnerQuery) ([]candidate, error) {
	var (
		byLA, bySetting map[string]map[string]learnerEntry
		named           []learnerDoc
		g               errgroup.Group
	)
	g.Go(func() (err error) {
		byLA, err = lookupMembers[learnerEntry](ctx, db, lkLearnersOfLA, q.Scope.LAIDs)
		return err
	})
	g.Go(func() (err error) {
		bySetting, err = lookupMembers[learnerEntry](ctx, db, lkLearnersOfSetting, q.Scope.SettingIDs)
		return err
	})
	g.Go(func() (err error) {
		named, err = byIDs[learnerDoc](ctx, db, collLearners, q.Scope.LearnerIDs)
		return err
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}
	all := map[string]candidate{}
	for _, m := range []map[string]map[string]learnerEntry{byLA, bySetting} {
		for _, entries := range m {
			for id, e := range entries {
				all[id] = candidate{id: id, e: e}
			}
		}
	}
	for i := range named {
		d := &named[i]
		all[d.ID] = candidate{id: d.ID, e: entryOf(d), doc: d}
	}
	prefix := cynllun.Fold(strings.TrimSpace(q.NamePrefix))
	out := make([]candidate, 0, len(all))
	for _, c := range all {
		if matchesEntry(q, prefix, c.e) {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b candidate) int {
		if c := strings.Compare(a.e.SortKey, b.e.SortKey); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	})
	return out, nil
}

// matchesEntry applies q's LA, setting and name filters to an entry.
func matchesEntry(q cynllun.LearnerQuery, prefix string, e learnerEntry) bool {
	if q.LAID != "" && e.LAID != q.LAID {
		return false
	}
	if q.SettingID != "" && e.SettingID != q.SettingID {
		return false
	}
	if prefix != "" && !slices.ContainsFunc(e.Names, func(n string) bool { return strings.HasPrefix(n, prefix) }) {
		return false
	}
	return true
}

// inScope says whether a learner document is in q's scope and matches its
// filters (a lookup entry may be stale after a crash part-way).
func inScope(q cynllun.LearnerQuery, prefix string, d *learnerDoc) bool {
	s := q.Scope
	if !slices.Contains(s.LearnerIDs, d.ID) &&
		(d.SettingID == "" || !slices.Contains(s.SettingIDs, d.SettingID)) &&
		!slices.Contains(s.LAIDs, d.LAID) {
		return false
	}
	return matchesEntry(q, prefix, entryOf(d))
}

// ListLearners lists learners in q.Scope by (sortKey, _id). An empty scope
// matches nothing, and the database is not asked.
func (db *DB) ListLearners(ctx context.Context, q cynllun.LearnerQuery) ([]*cynllun.Learner, error) {
	const op = "mongodb.ListLearners"
	q.Scope = cleanScope(q.Scope)
	if q.Scope.Empty() {
		return nil, nil
	}
	cs, err := db.candidates(ctx, q)
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	if q.AfterKey != "" || q.AfterID != "" {
		at, _ := slices.BinarySearchFunc(cs, candidate{id: q.AfterID, e: learnerEntry{SortKey: q.AfterKey}}, func(a, b candidate) int {
			if c := strings.Compare(a.e.SortKey, b.e.SortKey); c != 0 {
				return c
			}
			return strings.Compare(a.id, b.id)
		})
		if at < len(cs) && cs[at].id == q.AfterID && cs[at].e.SortKey == q.AfterKey {
			at++
		}
		cs = cs[at:]
	}
	n := limit(q.Limit)
	prefix := cynllun.Fold(strings.TrimSpace(q.NamePrefix))
	out := make([]*cynllun.Learner, 0, min(n, len(cs)))
	// Read the page's learners by _id; a stale entry is skipped and the
	// next candidate read in its place.
	for len(cs) > 0 && len(out) < n {
		take := cs[:min(n-len(out), len(cs))]
		cs = cs[len(take):]
		docs := map[string]*learnerDoc{}
		var ids []string
		for _, c := range take {
			if c.doc != nil {
				docs[c.id] = c.doc
			} else {
				ids = append(ids, c.id)
			}
		}
		read, err := byIDs[learnerDoc](ctx, db, collLearners, ids)
		if err != nil {
			return nil, cynllun.Internal(op, err)
		}
		for i := range read {
			docs[read[i].ID] = &read[i]
		}
		for _, c := range take {
			d := docs[c.id]
			if d == nil || d.SortKey != c.e.SortKey || !inScope(q, prefix, d) {
				continue
			}
			l, err := fromLearnerDoc(d)
			if err != nil {
				return nil, cynllun.Internal(op, err)
			}
			out = append(out, l)
		}
	}
	return out, nil
}

// CountLearners counts what ListLearners would list without a cursor or
// limit, from the entries.
func (db *DB) CountLearners(ctx context.Context, q cynllun.LearnerQuery) (int, error) {
	const op = "mongodb.CountLearners"
	q.Scope = cleanScope(q.Scope)
	if q.Scope.Empty() {
		return 0, nil
	}
	cs, err := db.candidates(ctx, q)
	if err != nil {
		return 0, cynllun.Internal(op, err)
	}
	return len(cs), nil
}

// cleanScope drops empty ids, which would otherwise match every learner
// with no setting (settingId "") and so widen the scope.
func cleanScope(s cynllun.Scope) cynllun.Scope {
	return cynllun.Scope{LearnerIDs: dedupe(s.LearnerIDs), SettingIDs: dedupe(s.SettingIDs), LAIDs: dedupe(s.LAIDs)}
}
