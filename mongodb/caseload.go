package mongodb

import (
	"context"
	"maps"
	"slices"
	"time"

	"github.com/cynllun/cynllun"
)

// Caseloads: the cases and the reviews of an LA, of a setting or of a
// learner, listed open ones first (or by when they were opened) for a
// caseload screen, from lookup documents read by _id (lookup.go), on both
// stores.
//
// For each kind ("cases", "reviews") and each scope key ("la:<id>",
// "st:<id>", "l:<id>": the learner's LA and setting when the record was
// last saved, and the learner):
//   - work/<kind>/<scope>/<YYYY-MM>: every record opened that month (UTC)
//     → workEntry;
//   - workMonths/<kind>/<scope>: the months that have records;
//   - openWork/<kind>/<scope>: the records open now → workEntry.
//
// A list is a walk of partitions in its order: the open records first
// (open-first order), then the months, latest first (or earliest first),
// each read whole and sorted in memory, so what a page reads is bounded by
// one month's records of its scope (an LA's reviews of a month are about a
// twelfth of its learners) and the open ones. Only the page's records are
// read, by _id, each checked against its entry: the position (opened time
// and, open first, whether it is open) must be the record's, and the scope
// the record's (a learner who moved is listed where they were when the
// record was last saved, until it is saved again).
//
// Writes, without transactions: before a revision is inserted its entries
// are set (the month's, with whether it is open now, and the open list's
// when it is open); after it, its entries are removed from the open lists
// when it is closed and from the scopes it has left. At every point of a
// crash a record is listed once: where its entry and its record agree.

const (
	lkWork       = "work"       // kind/scope/month → id → workEntry
	lkWorkMonths = "workMonths" // kind/scope → month → true
	lkOpenWork   = "openWork"   // kind/scope → id → workEntry
)

const (
	workCases   = "cases"
	workReviews = "reviews"
)

// workEntry is a record's entry in its caseloads.
type workEntry struct {
	At        time.Time `bson:"t"`
	Open      bool      `bson:"o,omitempty"`
	LearnerID string    `bson:"l"`
	LAID      string    `bson:"la,omitempty"`
	SettingID string    `bson:"st,omitempty"`
}

func (e *workEntry) month() string { return bsonTime(e.At).Format("2006-01") }

// scopes are the caseloads the entry belongs to.
func (e *workEntry) scopes() []string {
	out := []string{"l:" + e.LearnerID}
	if e.LAID != "" {
		out = append(out, "la:"+e.LAID)
	}
	if e.SettingID != "" {
		out = append(out, "st:"+e.SettingID)
	}
	return out
}

// workBefore writes a record's entries before the record is stored, and
// returns the entry it had (nil: none), which workAfter needs.
func (db *DB) workBefore(ctx context.Context, kind, id string, e workEntry) (*workEntry, error) {
	month := e.month()
	own := kind + "/l:" + e.LearnerID + "/" + month
	prev, err := lookupMembers[workEntry](ctx, db, lkWork, []string{own})
	if err != nil {
		return nil, err
	}
	var old *workEntry
	if p, ok := prev[own][id]; ok {
		old = &p
	}
	var ms []member
	var known []string
	for _, s := range e.scopes() {
		ms = append(ms, member{kind: lkWork, key: kind + "/" + s + "/" + month, id: id, value: e})
		// A month listed already (in this process) needs no second write.
		if k := lkWorkMonths + "/" + kind + "/" + s + "/" + month; !db.knownHours.has(k) {
			ms = append(ms, member{kind: lkWorkMonths, key: kind + "/" + s, id: month, value: true})
			known = append(known, k)
		}
		if e.Open {
			ms = append(ms, member{kind: lkOpenWork, key: kind + "/" + s, id: id, value: e})
		}
	}
	if err := db.setMembersConcurrently(ctx, ms...); err != nil {
		return nil, err
	}
	for _, k := range known {
		db.knownHours.add(k)
	}
	return old, nil
}

// workAfter removes, once the record is stored, its entries from the open
// lists when it is closed and from the caseloads it has left.
func (db *DB) workAfter(ctx context.Context, kind, id string, e workEntry, old *workEntry) error {
	now := e.scopes()
	var ms []member
	if !e.Open {
		for _, s := range now {
			ms = append(ms, member{kind: lkOpenWork, key: kind + "/" + s, id: id})
		}
	}
	if old != nil {
		for _, s := range old.scopes() {
			if slices.Contains(now, s) {
				continue
			}
			ms = append(ms, member{kind: lkWork, key: kind + "/" + s + "/" + old.month(), id: id},
				member{kind: lkOpenWork, key: kind + "/" + s, id: id})
		}
	}
	return db.setMembersConcurrently(ctx, ms...)
}

// workScopes are the scope keys of a query's scope.
func workScopes(s cynllun.Scope) []string {
	var out []string
	for _, id := range dedupe(s.LearnerIDs) {
		out = append(out, "l:"+id)
	}
	for _, id := range dedupe(s.SettingIDs) {
		out = append(out, "st:"+id)
	}
	for _, id := range dedupe(s.LAIDs) {
		out = append(out, "la:"+id)
	}
	return out
}

// workItem is an entry read from a caseload, with its key in the list's
// order.
type workItem struct {
	id, key string
	e       workEntry
}

// workPart is a partition of a list: the open records, or the records of a
// month; every key in it starts with prefix.
type workPart struct {
	prefix string
	month  string // "" for the open records
}

// walkWork walks the caseloads of kind for q's scope in q's order between
// q's keys (backward from q.Before when q.Last), giving take each
// partition's entries in list order (reversed when q.Last); take says how
// many more it wants (none: stop).
func (db *DB) walkWork(ctx context.Context, kind string, q cynllun.WorkQuery, take func([]workItem) (int, error)) error {
	scopes := workScopes(q.Scope)
	if len(scopes) == 0 {
		return nil
	}
	keys := make([]string, len(scopes))
	for i, s := range scopes {
		keys[i] = kind + "/" + s
	}
	dirs, err := lookupMembers[bool](ctx, db, lkWorkMonths, keys)
	if err != nil {
		return err
	}
	months := map[string]bool{}
	for _, d := range dirs {
		maps.Copy(months, d)
	}
	sorted := slices.Sorted(maps.Keys(months))
	var parts []workPart
	switch q.Order {
	case cynllun.OrderOldest:
		for _, m := range sorted {
			parts = append(parts, workPart{prefix: m, month: m})
		}
	case cynllun.OrderNewest:
		for _, m := range slices.Backward(sorted) {
			parts = append(parts, workPart{prefix: cynllun.InvertDigits(m), month: m})
		}
	default:
		parts = append(parts, workPart{prefix: "0"})
		for _, m := range slices.Backward(sorted) {
			parts = append(parts, workPart{prefix: "1" + cynllun.InvertDigits(m), month: m})
		}
	}
	if q.Last {
		slices.Reverse(parts)
	}
	for _, p := range parts {
		// A partition wholly outside the keys is not read.
		if (!q.Last && q.After != "" && p.prefix < q.After[:min(len(p.prefix), len(q.After))]) ||
			(q.Last && q.Before != "" && p.prefix > q.Before[:min(len(p.prefix), len(q.Before))]) {
			continue
		}
		var docs map[string]map[string]workEntry
		if p.month == "" {
			docs, err = lookupMembers[workEntry](ctx, db, lkOpenWork, keys)
		} else {
			mk := make([]string, len(keys))
			for i, k := range keys {
				mk[i] = k + "/" + p.month
			}
			docs, err = lookupMembers[workEntry](ctx, db, lkWork, mk)
		}
		if err != nil {
			return err
		}
		seen := map[string]bool{}
		var items []workItem
		for _, m := range docs {
			for id, e := range m {
				// Open first, the months hold the closed ones only.
				if seen[id] || (q.Order == cynllun.OrderOpenFirst && p.month != "" && e.Open) {
					continue
				}
				seen[id] = true
				k := cynllun.WorkKey(q.Order, p.month == "", e.At, id)
				if (q.After == "" || k > q.After) && (q.Before == "" || k < q.Before) {
					items = append(items, workItem{id: id, key: k, e: e})
				}
			}
		}
		slices.SortFunc(items, func(a, b workItem) int { return compareEntries(a.key, b.key, q.Last) })
		want, err := take(items)
		if err != nil || want <= 0 {
			return err
		}
	}
	return nil
}

// listWork lists a page of kind's records for q: it walks the caseloads
// and reads each batch's records (read), keeping those whose key in q's
// order (key) is their entry's and whose scope is q's.
func listWork[R any](ctx context.Context, db *DB, kind string, q cynllun.WorkQuery, read func([]string) ([]R, error),
	idOf func(R) string, key func(R) string, inScope func(R) bool) ([]R, error) {
	if q.Order == "" {
		q.Order = cynllun.OrderOpenFirst
	}
	n := limit(q.Limit)
	var out []R
	err := db.walkWork(ctx, kind, q, func(items []workItem) (int, error) {
		for len(items) > 0 && len(out) < n {
			batch := items[:min(n-len(out), len(items))]
			items = items[len(batch):]
			ids := make([]string, len(batch))
			for i, it := range batch {
				ids[i] = it.id
			}
			rs, err := read(ids)
			if err != nil {
				return 0, err
			}
			byID := make(map[string]R, len(rs))
			for _, r := range rs {
				byID[idOf(r)] = r
			}
			for _, it := range batch {
				r, ok := byID[it.id]
				if ok && key(r) == it.key && inScope(r) {
					out = append(out, r)
				}
			}
		}
		return n - len(out), nil
	})
	if err != nil {
		return nil, err
	}
	if q.Last {
		slices.Reverse(out)
	}
	return out, nil
}

// countWork counts kind's entries for q's scope by learner, at most
// q.Limit (0: no bound), reading the caseloads alone.
func (db *DB) countWork(ctx context.Context, kind string, q cynllun.WorkQuery) (map[string]int, error) {
	q.Order, q.After, q.Before, q.Last = cynllun.OrderNewest, "", "", false
	out := map[string]int{}
	n := 0
	want := func() int {
		if q.Limit <= 0 {
			return 1
		}
		return q.Limit - n
	}
	err := db.walkWork(ctx, kind, q, func(items []workItem) (int, error) {
		for _, it := range items {
			if q.Limit > 0 && n >= q.Limit {
				break
			}
			out[it.e.LearnerID]++
			n++
		}
		return want(), nil
	})
	return out, err
}

// inWorkScope says whether a record, of a learner with the LA and setting
// it was last saved with, is in scope s. Records saved before caseloads
// were kept have neither, and are taken as listed (the service's policy
// has the last word).
func inWorkScope(s cynllun.Scope, learnerID, laID, settingID string) bool {
	if laID == "" && settingID == "" {
		return true
	}
	return slices.Contains(s.LearnerIDs, learnerID) || (settingID != "" && slices.Contains(s.SettingIDs, settingID)) ||
		slices.Contains(s.LAIDs, laID)
}

// --- cases and reviews ---

func caseEntry(c *cynllun.Case) workEntry {
	return workEntry{At: c.CreatedAt, Open: c.IsOpen(), LearnerID: c.LearnerID, LAID: c.LAID, SettingID: c.SettingID}
}

func reviewEntry(r *cynllun.Review) workEntry {
	return workEntry{At: r.OpenedAt, Open: r.IsOpen(), LearnerID: r.LearnerID, LAID: r.LAID, SettingID: r.SettingID}
}

// ListCases lists the cases of q's scope in q's order (caseloads).
func (db *DB) ListCases(ctx context.Context, q cynllun.WorkQuery) ([]*cynllun.Case, error) {
	const op = "mongodb.ListCases"
	out, err := listWork(ctx, db, workCases, q,
		func(ids []string) ([]*cynllun.Case, error) {
			return db.latestCases(ctx, op, ids, func(*caseDoc) bool { return true })
		},
		func(c *cynllun.Case) string { return c.ID },
		func(c *cynllun.Case) string { return cynllun.WorkKey(orderOf(q), c.IsOpen(), c.CreatedAt, c.ID) },
		func(c *cynllun.Case) bool { return inWorkScope(q.Scope, c.LearnerID, c.LAID, c.SettingID) })
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	return out, nil
}

// CountCases counts the cases of q's scope by learner (caseloads).
func (db *DB) CountCases(ctx context.Context, q cynllun.WorkQuery) (map[string]int, error) {
	out, err := db.countWork(ctx, workCases, q)
	if err != nil {
		return nil, cynllun.Internal("mongodb.CountCases", err)
	}
	return out, nil
}

// ListReviews lists the reviews of q's scope in q's order (caseloads).
func (db *DB) ListReviews(ctx context.Context, q cynllun.WorkQuery) ([]*cynllun.Review, error) {
	const op = "mongodb.ListReviews"
	out, err := listWork(ctx, db, workReviews, q,
		func(ids []string) ([]*cynllun.Review, error) {
			return db.latestReviews(ctx, op, ids, func(*reviewDoc) bool { return true })
		},
		func(r *cynllun.Review) string { return r.ID },
		func(r *cynllun.Review) string { return cynllun.WorkKey(orderOf(q), r.IsOpen(), r.OpenedAt, r.ID) },
		func(r *cynllun.Review) bool { return inWorkScope(q.Scope, r.LearnerID, r.LAID, r.SettingID) })
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	return out, nil
}

// CountReviews counts the reviews of q's scope by learner (caseloads).
func (db *DB) CountReviews(ctx context.Context, q cynllun.WorkQuery) (map[string]int, error) {
	out, err := db.countWork(ctx, workReviews, q)
	if err != nil {
		return nil, cynllun.Internal("mongodb.CountReviews", err)
	}
	return out, nil
}

func orderOf(q cynllun.WorkQuery) cynllun.WorkOrder {
	if q.Order == "" {
		return cynllun.OrderOpenFirst
	}
	return q.Order
}

// rewriteWork writes a record's entries again from the record as stored
// (after a lost race wrote the loser's).
func (db *DB) rewriteWork(ctx context.Context, kind, id string, e workEntry) error {
	old, err := db.workBefore(ctx, kind, id, e)
	if err != nil {
		return err
	}
	return db.workAfter(ctx, kind, id, e, old)
}

// --- backfill ---

// workProbe is what the backfill reads of a case's or review's revision.
type workProbe struct {
	CaseID    string    `bson:"caseId"`
	ReviewID  string    `bson:"reviewId"`
	Revision  int       `bson:"revision"`
	LearnerID string    `bson:"learnerId"`
	Status    string    `bson:"status"`
	CreatedAt time.Time `bson:"createdAt"`
	OpenedAt  time.Time `bson:"openedAt"`
	LAID      string    `bson:"laId"`
	SettingID string    `bson:"settingId"`
}

// backfillCaseloads lists every case and review that has no entry yet in
// its caseloads, from its latest revision (by the learner's LA and setting
// now when the revision has none). A record with an entry is kept by its
// writes (which set its entries before it is stored), so it is left as it
// is.
func backfillCaseloads(ctx context.Context, db *DB) error {
	for _, kind := range []string{workCases, workReviews} {
		coll := map[string]string{workCases: collCases, workReviews: collReviews}[kind]
		latest := map[string]workProbe{}
		if err := eachDoc(ctx, db, coll, nil, func(d *workProbe) error {
			id := d.CaseID + d.ReviewID
			if cur, ok := latest[id]; !ok || d.Revision > cur.Revision {
				latest[id] = *d
			}
			return nil
		}); err != nil {
			return err
		}
		ids := slices.Sorted(maps.Keys(latest))
		var learnerIDs []string
		for _, id := range ids {
			learnerIDs = append(learnerIDs, latest[id].LearnerID)
		}
		ls, err := byIDs[learnerDoc](ctx, db, collLearners, learnerIDs)
		if err != nil {
			return err
		}
		learners := map[string]learnerDoc{}
		for _, l := range ls {
			learners[l.ID] = l
		}
		for _, id := range ids {
			d := latest[id]
			e := workEntry{LearnerID: d.LearnerID, LAID: d.LAID, SettingID: d.SettingID}
			if kind == workCases {
				e.At, e.Open = d.CreatedAt, !cynllun.CaseStatus(d.Status).Final()
			} else {
				st := cynllun.ReviewStatus(d.Status)
				e.At, e.Open = d.OpenedAt, st == cynllun.ReviewRequested || st == cynllun.ReviewOpen
			}
			if e.LAID == "" && e.SettingID == "" {
				e.LAID, e.SettingID = learners[d.LearnerID].LAID, learners[d.LearnerID].SettingID
			}
			own := kind + "/l:" + e.LearnerID + "/" + e.month()
			listed, err := lookupMembers[workEntry](ctx, db, lkWork, []string{own})
			if err != nil {
				return err
			}
			if _, ok := listed[own][id]; ok {
				continue
			}
			if err := db.rewriteWork(ctx, kind, id, e); err != nil {
				return err
			}
		}
	}
	return nil
}

func init() { registerBackfill("caseloads", backfillCaseloads) }
