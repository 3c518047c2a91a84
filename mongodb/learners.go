package mongodb

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/cynllun/cynllun"
)

// Learners are listed, on the embedded store, from the sorted sets
// learnersOfLA and learnersOfSetting (sorted.go), whose members are copies
// of the learner documents in name order: a page reads one directory and
// one or two buckets per LA or setting of the scope, and no learner
// document. A copy is written pending before its learner is created or
// changed, and confirmed (and any copy at its old place removed) after; a
// pending copy is checked against the learner document, by _id, when read.
// On MongoDB a page is one indexed query.

var (
	learnersByLA      = sortedSet[learnerDoc]{kind: lkLearnersOfLA, order: learnerOrder, pending: learnerPending}
	learnersBySetting = sortedSet[learnerDoc]{kind: lkLearnersOfSetting, order: learnerOrder, pending: learnerPending}
)

func learnerPending(d *learnerDoc) bool { return d.Pending }

// learnerOrder is a learner's order key: its sort key, then its id.
func learnerOrder(id string, d *learnerDoc) string { return d.SortKey + "\x00" + id }

// writeCopies puts a copy of each of puts (pending or confirmed) in the
// sets of its LA and setting, and removes the copies of removes (the
// places a learner held before), on the embedded store.
func (db *DB) writeCopies(ctx context.Context, pending bool, puts []*learnerDoc, removes []*learnerDoc) error {
	if !db.embedded {
		return nil
	}
	var b setBatch[learnerDoc]
	for _, d := range removes {
		k := learnerOrder(d.ID, d)
		b.add(&learnersByLA, d.LAID, d.ID, k, nil)
		b.add(&learnersBySetting, d.SettingID, d.ID, k, nil)
	}
	for _, d := range puts {
		c := *d
		c.Pending = pending
		k := learnerOrder(d.ID, d)
		b.add(&learnersByLA, d.LAID, d.ID, k, &c)
		b.add(&learnersBySetting, d.SettingID, d.ID, k, &c)
	}
	return b.apply(ctx, db)
}

// CreateLearner writes l's pending copies, inserts l, then confirms the
// copies; CONFLICT when the ID exists (the stored learner's copies are
// then written again).
func (db *DB) CreateLearner(ctx context.Context, l *cynllun.Learner) error {
	const op = "mongodb.CreateLearner"
	d := toLearnerDoc(l)
	if err := db.writeCopies(ctx, true, []*learnerDoc{d}, nil); err != nil {
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
				return db.writeCopies(ctx, false, nil, []*learnerDoc{d})
			}
			return db.writeCopies(ctx, false, []*learnerDoc{&stored}, []*learnerDoc{d})
		})
		return insertErr(op, "learner", err)
	}
	if err := db.writeCopies(ctx, false, []*learnerDoc{d}, nil); err != nil {
		db.log.WarnContext(ctx, "could not confirm a learner's copies", "op", op, "learner", l.ID, "error", err)
	}
	return nil
}

// UpdateLearner replaces the stored learner with the same ID; NOT_FOUND
// when there is none. The new copies are written pending before the
// learner and confirmed after, when the copies at the learner's old place
// are removed.
func (db *DB) UpdateLearner(ctx context.Context, l *cynllun.Learner) error {
	const op = "mongodb.UpdateLearner"
	unlock := db.serialise(collLearners, l.ID)
	defer unlock()
	if err := db.beforeAccessChange(ctx, op); err != nil {
		return err
	}
	defer db.afterAccessChange(ctx, op)
	old, ok, err := oneByID[learnerDoc](ctx, db.coll(collLearners), l.ID, nil)
	switch {
	case err != nil:
		return cynllun.Internal(op, err)
	case !ok:
		return cynllun.NotFound(op, "learner")
	}
	d := toLearnerDoc(l)
	if err := db.writeCopies(ctx, true, []*learnerDoc{d}, nil); err != nil {
		return cynllun.Internal(op, err)
	}
	res, err := db.coll(collLearners).ReplaceOne(ctx, bson.D{{Key: "_id", Value: l.ID}}, d)
	if err != nil || res.MatchedCount == 0 {
		db.compensate(ctx, op, l.ID, func(ctx context.Context) error {
			return db.writeCopies(ctx, false, []*learnerDoc{&old}, []*learnerDoc{d})
		})
		if err != nil {
			return cynllun.Internal(op, err)
		}
		return cynllun.NotFound(op, "learner")
	}
	if err := db.writeCopies(ctx, false, []*learnerDoc{d}, []*learnerDoc{&old}); err != nil {
		return cynllun.Internal(op, err)
	}
	return nil
}

// LearnersByID returns the learners found, in any order.
func (db *DB) LearnersByID(ctx context.Context, ids []string) ([]*cynllun.Learner, error) {
	const op = "mongodb.LearnersByID"
	if db.cache == nil {
		docs, err := byIDs[learnerDoc](ctx, db, collLearners, ids)
		return converted(op, docs, err, fromLearnerDoc)
	}
	hit, miss, token := db.cache.cachedLearners(ctx, ids)
	if len(miss) == 0 {
		return hit, nil
	}
	at := time.Now()
	docs, err := byIDs[learnerDoc](ctx, db, collLearners, miss)
	read, err := converted(op, docs, err, fromLearnerDoc)
	if err != nil {
		return nil, err
	}
	db.cache.putLearners(token, read, at)
	return append(hit, read...), nil
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

// LearnerPage lists learners in q.Scope by (sortKey, _id), between q's
// cursors, at most q.Limit (the last q.Limit with q.Last), and counts all
// that match q (cursors and limit aside). An empty scope matches nothing,
// and the database is not asked.
func (db *DB) LearnerPage(ctx context.Context, q cynllun.LearnerQuery) ([]*cynllun.Learner, int, error) {
	return db.learnerPage(ctx, q, true, true)
}

// learnerPage is LearnerPage, reading the page only when page is set and
// counting only when count is.
func (db *DB) learnerPage(ctx context.Context, q cynllun.LearnerQuery, page, count bool) ([]*cynllun.Learner, int, error) {
	const op = "mongodb.LearnerPage"
	q.Scope = cleanScope(q.Scope)
	if q.Scope.Empty() {
		return nil, 0, nil
	}
	if !db.embedded {
		var ls []*cynllun.Learner
		var n int
		var err error
		if page {
			if ls, err = db.listLearnersIndexed(ctx, q); err != nil {
				return nil, 0, err
			}
		}
		if count {
			n, err = db.countLearnersIndexed(ctx, q)
		}
		return ls, n, err
	}
	after, before := "", ""
	if q.AfterKey != "" || q.AfterID != "" {
		after = q.AfterKey + "\x00" + q.AfterID
	}
	if q.BeforeKey != "" || q.BeforeID != "" {
		before = q.BeforeKey + "\x00" + q.BeforeID
	}
	prefix := cynllun.Fold(strings.TrimSpace(q.NamePrefix))
	// The total is the sets' own counts when they cannot overlap and
	// nothing filters them; otherwise the walk goes on past the page and
	// counts (bounded by the learners of the scope).
	fast := prefix == "" && q.LAID == "" && q.SettingID == "" && len(q.Scope.LearnerIDs) == 0 &&
		(len(q.Scope.LAIDs) == 0 || len(q.Scope.SettingIDs) == 0)
	// walk takes n learners (n < 0: all) between after and before, from
	// the end nearest before when desc, and counts those it passes.
	walk := func(after, before string, desc bool, n int) ([]*learnerDoc, int, error) {
		m, err := db.learnerWalk(ctx, q, after, before, desc)
		if err != nil {
			return nil, 0, err
		}
		var got []*learnerDoc
		seen := 0
		for {
			e, ok, err := m.next(ctx)
			if err != nil {
				return nil, 0, err
			}
			if ok && ((!desc && before != "" && e.k >= before) || (desc && after != "" && e.k <= after)) {
				ok = false
			}
			if !ok || (n >= 0 && len(got) >= n) {
				if desc {
					slices.Reverse(got)
				}
				return got, seen, nil
			}
			d := &e.v
			if d.Pending || d.ID != e.id {
				stored, ok, err := oneByID[learnerDoc](ctx, db.coll(collLearners), e.id, nil)
				if err != nil {
					return nil, 0, err
				}
				if !ok {
					continue
				}
				d = &stored
			}
			if !inScope(q, prefix, d) {
				continue
			}
			seen++
			if n < 0 || len(got) < n {
				got = append(got, d)
			}
		}
	}
	var docs []*learnerDoc
	var total int
	var err error
	if page {
		if docs, _, err = walk(after, before, q.Last, limit(q.Limit)); err != nil {
			return nil, 0, cynllun.Internal(op, err)
		}
	}
	switch {
	case !count:
	case fast:
		check := func(id string) (bool, error) {
			d, ok, err := oneByID[learnerDoc](ctx, db.coll(collLearners), id, nil)
			return ok && inScope(q, prefix, &d), err
		}
		for _, la := range q.Scope.LAIDs {
			n, err := learnersByLA.count(ctx, db, la, check)
			if err != nil {
				return nil, 0, cynllun.Internal(op, err)
			}
			total += n
		}
		for _, st := range q.Scope.SettingIDs {
			n, err := learnersBySetting.count(ctx, db, st, check)
			if err != nil {
				return nil, 0, cynllun.Internal(op, err)
			}
			total += n
		}
	default:
		if _, total, err = walk("", "", false, -1); err != nil {
			return nil, 0, cynllun.Internal(op, err)
		}
	}
	out, err := convertAll(docs, func(d **learnerDoc) (*cynllun.Learner, error) { return fromLearnerDoc(*d) })
	if err != nil {
		return nil, 0, cynllun.Internal(op, err)
	}
	return out, total, nil
}

// learnerWalk walks the scope's sets (and the learners it names by id) in
// order after order key after, or (desc) in reverse order before order key
// before.
func (db *DB) learnerWalk(ctx context.Context, q cynllun.LearnerQuery, after, before string, desc bool) (*merged[learnerDoc], error) {
	m := &merged[learnerDoc]{seen: map[string]bool{}, desc: desc}
	from := func(s *sortedSet[learnerDoc], key string) error {
		var it *setIter[learnerDoc]
		var err error
		if desc {
			it, err = s.iterDesc(ctx, db, key, before)
		} else {
			it, err = s.iter(ctx, db, key, after)
		}
		if err == nil {
			m.its = append(m.its, it)
		}
		return err
	}
	for _, la := range q.Scope.LAIDs {
		if err := from(&learnersByLA, la); err != nil {
			return nil, err
		}
	}
	for _, st := range q.Scope.SettingIDs {
		if err := from(&learnersBySetting, st); err != nil {
			return nil, err
		}
	}
	if len(q.Scope.LearnerIDs) > 0 {
		named, err := byIDs[learnerDoc](ctx, db, collLearners, q.Scope.LearnerIDs)
		if err != nil {
			return nil, err
		}
		var es []setEntry[learnerDoc]
		for _, d := range named {
			if k := learnerOrder(d.ID, &d); (desc && (before == "" || k < before)) || (!desc && k > after) {
				es = append(es, setEntry[learnerDoc]{id: d.ID, k: k, v: d})
			}
		}
		m.its = append(m.its, listIter(es, desc))
	}
	return m, nil
}

// ListLearners lists learners in q.Scope by (sortKey, _id) (LearnerPage
// without the count).
func (db *DB) ListLearners(ctx context.Context, q cynllun.LearnerQuery) ([]*cynllun.Learner, error) {
	ls, _, err := db.learnerPage(ctx, q, true, false)
	return ls, err
}

// CountLearners counts what ListLearners would list without a cursor or
// limit.
func (db *DB) CountLearners(ctx context.Context, q cynllun.LearnerQuery) (int, error) {
	_, n, err := db.learnerPage(ctx, q, false, true)
	return n, err
}

// listLearnersIndexed is a page of learners on MongoDB: one query on the
// learners' indexes.
func (db *DB) listLearnersIndexed(ctx context.Context, q cynllun.LearnerQuery) ([]*cynllun.Learner, error) {
	const op = "mongodb.ListLearners"
	filters := learnerFilters(q)
	if q.AfterKey != "" || q.AfterID != "" {
		filters = append(filters, afterCursor("sortKey", q.AfterKey, q.AfterID))
	}
	if q.BeforeKey != "" || q.BeforeID != "" {
		filters = append(filters, beforeCursor("sortKey", q.BeforeKey, q.BeforeID))
	}
	dir := 1
	if q.Last {
		dir = -1
	}
	opts := pageOpts(limit(q.Limit)).SetSort(bson.D{{Key: "sortKey", Value: dir}, {Key: "_id", Value: dir}})
	docs, err := findAll[learnerDoc](ctx, db.coll(collLearners), and(filters), opts)
	if q.Last {
		slices.Reverse(docs)
	}
	return converted(op, docs, err, fromLearnerDoc)
}

// countLearnersIndexed counts the learners of a query on MongoDB.
func (db *DB) countLearnersIndexed(ctx context.Context, q cynllun.LearnerQuery) (int, error) {
	const op = "mongodb.CountLearners"
	n, err := db.coll(collLearners).CountDocuments(ctx, and(learnerFilters(q)))
	if err != nil {
		return 0, cynllun.Internal(op, err)
	}
	return int(n), nil
}

// learnerFilters is the scope, LA, setting and name-prefix part of a
// learner query on MongoDB (q.Scope must not be empty).
func learnerFilters(q cynllun.LearnerQuery) []bson.D {
	s := q.Scope
	var or bson.A
	if len(s.LearnerIDs) > 0 {
		or = append(or, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: s.LearnerIDs}}}})
	}
	if len(s.SettingIDs) > 0 {
		or = append(or, bson.D{{Key: "settingId", Value: bson.D{{Key: "$in", Value: s.SettingIDs}}}})
	}
	if len(s.LAIDs) > 0 {
		or = append(or, bson.D{{Key: "laId", Value: bson.D{{Key: "$in", Value: s.LAIDs}}}})
	}
	filters := []bson.D{{{Key: "$or", Value: or}}}
	if q.LAID != "" {
		filters = append(filters, bson.D{{Key: "laId", Value: q.LAID}})
	}
	if q.SettingID != "" {
		filters = append(filters, bson.D{{Key: "settingId", Value: q.SettingID}})
	}
	if p := cynllun.Fold(strings.TrimSpace(q.NamePrefix)); p != "" {
		// A regex on an array field matches when any element matches;
		// QuoteMeta escapes the same way for RE2 and PCRE.
		filters = append(filters, bson.D{{Key: "names", Value: bson.Regex{Pattern: "^" + regexp.QuoteMeta(p)}}})
	}
	return filters
}

// afterCursor is the filter "strictly after (key, id)" in (keyField, _id)
// ascending order.
func afterCursor(keyField, key, id string) bson.D {
	return bson.D{{Key: "$or", Value: bson.A{
		bson.D{{Key: keyField, Value: bson.D{{Key: "$gt", Value: key}}}},
		bson.D{{Key: keyField, Value: key}, {Key: "_id", Value: bson.D{{Key: "$gt", Value: id}}}},
	}}}
}

// beforeCursor is the filter "strictly before (key, id)" in (keyField,
// _id) ascending order.
func beforeCursor(keyField, key, id string) bson.D {
	return bson.D{{Key: "$or", Value: bson.A{
		bson.D{{Key: keyField, Value: bson.D{{Key: "$lt", Value: key}}}},
		bson.D{{Key: keyField, Value: key}, {Key: "_id", Value: bson.D{{Key: "$lt", Value: id}}}},
	}}}
}

// and combines filters; an empty list matches everything.
func and(filters []bson.D) bson.D {
	switch len(filters) {
	case 0:
		return bson.D{}
	case 1:
		return filters[0]
	}
	a := make(bson.A, len(filters))
	for i, f := range filters {
		a[i] = f
	}
	return bson.D{{Key: "$and", Value: a}}
}

// cleanScope drops empty ids, which would otherwise match every learner
// with no setting (settingId "") and so widen the scope.
func cleanScope(s cynllun.Scope) cynllun.Scope {
	return cynllun.Scope{LearnerIDs: dedupe(s.LearnerIDs), SettingIDs: dedupe(s.SettingIDs), LAIDs: dedupe(s.LAIDs)}
}
