package server_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/cynllun/cynllun"
)

// List conventions (issue 15, item 10): connections page both ways, count
// their lists, and take back only the cursors they issued.

// pageOf is a connection's edges' node ids, its end cursors and its flags.
type pageOf struct {
	ids              []string
	start, end       string
	hasNext, hasPrev bool
	totalCount       float64
	raw              string
}

func readPage(r response, path ...any) pageOf {
	var p pageOf
	edges, _ := r.get(append(path, "edges")...).([]any)
	for _, ed := range edges {
		p.ids = append(p.ids, ed.(map[string]any)["node"].(map[string]any)["id"].(string))
	}
	p.start, _ = r.get(append(path, "pageInfo", "startCursor")...).(string)
	p.end, _ = r.get(append(path, "pageInfo", "endCursor")...).(string)
	p.hasNext, _ = r.get(append(path, "pageInfo", "hasNextPage")...).(bool)
	p.hasPrev, _ = r.get(append(path, "pageInfo", "hasPreviousPage")...).(bool)
	p.totalCount, _ = r.get(append(path, "totalCount")...).(float64)
	p.raw = string(r.raw)
	return p
}

// walkPages pages a connection to its end in pages of 7, forward
// (first/after) or backward (last/before), and returns its ids in list
// order.
func (e *env) walkPages(t *testing.T, tok, query string, vars map[string]any, backward bool, path ...any) []string {
	t.Helper()
	return e.walkPagesOf(t, tok, query, vars, 7, backward, path...)
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// TestListConventions: Organisation.deadlines pages past its first results
// both ways with its total; the top-level deadlines(from:, to:) lists what
// is due between two dates across the viewer's settings or LA, in either
// order; every connection counts; and a cursor from another list (or the
// same list of another organisation, or in another order) is INVALID on
// the argument that carried it.
func TestListConventions(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	ctx := context.Background()
	alnco, officer, staffB := e.token(f.alnco), e.token(f.officer), e.token(f.staffB)

	// 30 clocks of school A's learner (one undated), 4 of school B's.
	var ds []*cynllun.Deadline
	for i := range 34 {
		d := &cynllun.Deadline{ID: fmt.Sprintf("ddl_list_%02d", i), RuleID: "T1", LearnerID: f.l1, OrgID: f.schoolA, LAID: cardiff, SettingID: f.schoolA,
			Start: cynllun.MustDate("2026-11-02"), Due: cynllun.MustDate("2027-01-04").AddDays((i * 7) % 60), CreatedAt: e.clock.Now()}
		if i == 29 {
			d.Due = cynllun.Date{}
		}
		if i >= 30 {
			d.LearnerID, d.OrgID, d.LAID, d.SettingID = f.l2, f.schoolB, swansea, f.schoolB
		}
		ds = append(ds, d)
	}
	if err := e.db.InsertDeadlines(ctx, ds); err != nil {
		t.Fatal(err)
	}
	inOrder := func(keep func(*cynllun.Deadline) bool, latest bool) []string {
		var w []*cynllun.Deadline
		for _, d := range ds {
			if keep(d) {
				w = append(w, d)
			}
		}
		slices.SortFunc(w, func(a, b *cynllun.Deadline) int {
			k := func(d *cynllun.Deadline) string { return cynllun.DeadlineDueKey(d) + "\x00" + d.ID }
			if latest {
				a, b = b, a
			}
			if k(a) < k(b) {
				return -1
			}
			return 1
		})
		var ids []string
		for _, d := range w {
			ids = append(ids, d.ID)
		}
		return ids
	}
	ofA := func(d *cynllun.Deadline) bool { return d.OrgID == f.schoolA }

	const orgDeadlines = `query($org: ID!, $first: Int, $after: String, $last: Int, $before: String, $order: DeadlineOrder) {
		organisation(id: $org) { deadlines(first: $first, after: $after, last: $last, before: $before, orderBy: $order) {
			totalCount edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }`
	for _, latest := range []bool{false, true} {
		order := map[bool]string{false: "DUE_SOONEST", true: "DUE_LATEST"}[latest]
		want := inOrder(ofA, latest)
		vars := map[string]any{"org": f.schoolA, "order": order}
		if got := e.walkPages(t, alnco, orgDeadlines, vars, false, "organisation", "deadlines"); !slices.Equal(got, want) {
			t.Errorf("%s forward: %v\nwant %v", order, got, want)
		}
		if got := e.walkPages(t, alnco, orgDeadlines, vars, true, "organisation", "deadlines"); !slices.Equal(got, want) {
			t.Errorf("%s backward: %v\nwant %v", order, got, want)
		}
	}
	// The first page: 7 of 30, more after, none before; the count.
	var r response
	n, _ := e.count(func() { r = e.must(alnco, orgDeadlines, map[string]any{"org": f.schoolA, "first": 7}) })
	first := readPage(r, "organisation", "deadlines")
	if len(first.ids) != 7 || !first.hasNext || first.hasPrev || first.totalCount != 30 {
		t.Fatalf("first page: %s", first.raw)
	}
	if s := e.scans.Load(); s != 0 || n > 40 {
		t.Errorf("a page of an organisation's deadlines with its count: %d commands, %d of them not a find by _id", n, s)
	}
	// Before the first page's end: its first six, and the page knows a
	// page follows.
	r = e.must(alnco, orgDeadlines, map[string]any{"org": f.schoolA, "last": 10, "before": first.end})
	if p := readPage(r, "organisation", "deadlines"); !slices.Equal(p.ids, first.ids[:6]) || p.hasPrev || !p.hasNext {
		t.Errorf("last 10 before the 7th: %s", p.raw)
	}

	// deadlines(from:, to:): what is due in January 2027, for the ALNCo
	// (school A's), the other school's staff (B's) and Cardiff's officer
	// (school A's learner is Cardiff's).
	const due = `query($from: Date, $to: Date, $order: DeadlineOrder, $first: Int, $after: String, $last: Int, $before: String) {
		deadlines(from: $from, to: $to, orderBy: $order, first: $first, after: $after, last: $last, before: $before) {
			totalCount edges { node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`
	from, to := cynllun.MustDate("2027-01-01"), cynllun.MustDate("2027-01-31")
	inJanuary := func(org string) func(*cynllun.Deadline) bool {
		return func(d *cynllun.Deadline) bool {
			return d.OrgID == org && !d.Due.IsZero() && !d.Due.Before(from) && !d.Due.After(to)
		}
	}
	for _, tt := range []struct {
		who, tok string
		keep     func(*cynllun.Deadline) bool
	}{
		{"the ALNCo", alnco, inJanuary(f.schoolA)},
		{"school B's staff", staffB, inJanuary(f.schoolB)},
		{"Cardiff's officer", officer, inJanuary(f.schoolA)},
	} {
		for _, latest := range []bool{false, true} {
			order := map[bool]string{false: "DUE_SOONEST", true: "DUE_LATEST"}[latest]
			vars := map[string]any{"from": "2027-01-01", "to": "2027-01-31", "order": order}
			want := inOrder(tt.keep, latest)
			if got := e.walkPages(t, tt.tok, due, vars, false, "deadlines"); !slices.Equal(got, want) {
				t.Errorf("%s, %s: %v\nwant %v", tt.who, order, got, want)
			}
			if got := e.walkPages(t, tt.tok, due, vars, true, "deadlines"); !slices.Equal(got, want) {
				t.Errorf("%s, %s backward: %v\nwant %v", tt.who, order, got, want)
			}
			vars["first"] = 1
			if p := readPage(e.must(tt.tok, due, vars), "deadlines"); int(p.totalCount) != len(want) {
				t.Errorf("%s, %s: totalCount %v, want %d", tt.who, order, p.totalCount, len(want))
			}
		}
	}
	if r := e.do(alnco, `{ deadlines(from: "2027-02-01", to: "2027-01-01") { totalCount } }`, nil); r.code() != "INVALID" {
		t.Errorf("to before from: %s", r.raw)
	}
	if r := e.do(alnco, `{ deadlines(from: "2027-02-01", filter: {dueFrom: "2027-01-01"}) { totalCount } }`, nil); r.code() != "INVALID" || !hasField(r, "from") {
		t.Errorf("from and filter.dueFrom: %s", r.raw)
	}

	// Every connection counts, and pages both ways.
	r = e.must(alnco, `query($l: ID!, $p: ID!) {
		learners(last: 1) { totalCount nodes { id } pageInfo { hasPreviousPage hasNextPage } }
		organisations(filter: {kind: SCHOOL}) { totalCount }
		plan(id: $p) { versions(last: 1) { totalCount nodes { number } } }
		auditEvents(learnerId: $l, first: 1) { totalCount }
		learner(id: $l) { deadlines(first: 2) { totalCount nodes { id } } } }`, map[string]any{"l": f.l1, "p": f.plan1})
	if r.get("learners", "totalCount") != 1.0 || r.str("learners", "nodes", 0, "id") != f.l1 ||
		r.get("organisations", "totalCount") != 2.0 ||
		r.get("plan", "versions", "totalCount") != 1.0 || r.get("plan", "versions", "nodes", 0, "number") != 1.0 ||
		r.get("auditEvents", "totalCount") == nil ||
		r.get("learner", "deadlines", "totalCount") != 30.0 || len(r.get("learner", "deadlines", "nodes").([]any)) != 2 {
		t.Errorf("counts: %s", r.raw)
	}

	// Cursors belong to their list.
	orgCursor := first.end
	learnerCursor := readPage(e.must(alnco, `{ learners(first: 1) { edges { node { id } } pageInfo { endCursor } } }`, nil), "learners").end
	otherOrg := e.must(staffB, orgDeadlines, map[string]any{"org": f.schoolB, "first": 1})
	for _, tt := range []struct {
		name, tok, query string
		vars             map[string]any
		arg              string
	}{
		{"a learners cursor for organisations", alnco, `query($c: String) { organisations(after: $c) { totalCount } }`, map[string]any{"c": learnerCursor}, "after"},
		{"a learners cursor for deadlines", alnco, `query($c: String) { deadlines(before: $c) { totalCount } }`, map[string]any{"c": learnerCursor}, "before"},
		{"school A's deadlines cursor for school B's", staffB, orgDeadlines, map[string]any{"org": f.schoolB, "after": orgCursor}, "after"},
		{"school B's deadlines cursor for school A's", alnco, orgDeadlines, map[string]any{"org": f.schoolA, "before": readPage(otherOrg, "organisation", "deadlines").end}, "before"},
		{"a soonest-first cursor for the latest-first order", alnco, orgDeadlines, map[string]any{"org": f.schoolA, "after": orgCursor, "order": "DUE_LATEST"}, "after"},
		{"an organisation's deadlines cursor for the viewer's", alnco, `query($c: String) { deadlines(after: $c) { totalCount } }`, map[string]any{"c": orgCursor}, "after"},
		{"an organisation's deadlines cursor for a learner's", alnco, `query($l: ID!, $c: String) { learner(id: $l) { deadlines(after: $c) { totalCount } } }`, map[string]any{"l": f.l1, "c": orgCursor}, "after"},
		{"not a cursor", alnco, `query($c: String) { learners(after: $c) { totalCount } }`, map[string]any{"c": "bm90IGEgY3Vyc29y"}, "after"},
		{"first and last", alnco, `{ learners(first: 1, last: 1) { totalCount } }`, nil, "last"},
		{"last too large", alnco, `{ learners(last: 201) { totalCount } }`, nil, "last"},
	} {
		r := e.do(tt.tok, tt.query, tt.vars)
		if r.code() != "INVALID" || !hasField(r, tt.arg) || len(r.Errors[0].Path) == 0 {
			t.Errorf("%s: want INVALID on %s with a path: %s", tt.name, tt.arg, r.raw)
		}
	}
}

// hasField says whether the first error names field in extensions.fields.
func hasField(r response, field string) bool {
	if len(r.Errors) == 0 {
		return false
	}
	fields, _ := r.Errors[0].Extensions["fields"].([]any)
	for _, fe := range fields {
		if m, ok := fe.(map[string]any); ok && m["field"] == field {
			return true
		}
	}
	return false
}

// TestRecordListsPage: the lists that grow with a record are connections
// too: a learner's events page both ways with their total, take only their
// own learner's cursors, and a page of a plan's reviews audits the reviews
// it returns, not the others.
func TestRecordListsPage(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	ctx := context.Background()
	alnco, parent := e.token(f.alnco), e.token(f.parent)
	var want []string
	for i := range 12 {
		ev := &cynllun.StatutoryEvent{ID: fmt.Sprintf("evt_list_%02d", 11-i), Kind: cynllun.EventALNBroughtToAttention, LearnerID: f.l1,
			OrgID: f.schoolA, On: cynllun.MustDate("2026-09-01").AddDays(i * 3 / 2), RecordedAt: e.clock.Now(), RecordedBy: f.alnco}
		if err := e.db.InsertEvent(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	evs, err := e.db.EventsForLearner(ctx, f.l1)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		want = append(want, ev.ID)
	}
	const events = `query($l: ID!, $first: Int, $after: String, $last: Int, $before: String) { learner(id: $l) {
		events(first: $first, after: $after, last: $last, before: $before) {
			totalCount edges { node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }`
	vars := map[string]any{"l": f.l1}
	if got := e.walkPagesOf(t, parent, events, vars, 5, false, "learner", "events"); !slices.Equal(got, want) {
		t.Errorf("events forward: %v\nwant %v", got, want)
	}
	if got := e.walkPagesOf(t, parent, events, vars, 5, true, "learner", "events"); !slices.Equal(got, want) {
		t.Errorf("events backward: %v\nwant %v", got, want)
	}
	first := readPage(e.must(parent, events, map[string]any{"l": f.l1, "first": 5}), "learner", "events")
	if first.totalCount != 12 || len(first.ids) != 5 {
		t.Errorf("first page of events: %s", first.raw)
	}
	if r := e.do(e.token(f.officer), events, map[string]any{"l": f.l3, "after": first.end}); r.code() != "INVALID" || !hasField(r, "after") {
		t.Errorf("another learner's events cursor: %s", r.raw)
	}

	// Two reviews; a page of one audits one read.
	e.finalise(alnco, f.plan1)
	e.must(parent, `mutation($in: RequestReviewInput!) { requestReview(input: $in) { review { id } } }`, map[string]any{"in": map[string]any{"planId": f.plan1, "reason": "Help"}})
	e.clock.Advance(time.Hour)
	e.must(alnco, `mutation($in: OpenReviewInput!) { openReview(input: $in) { review { id } } }`, map[string]any{"in": map[string]any{"planId": f.plan1, "type": "ANNUAL"}})
	before := e.docs("audit")
	r := e.must(alnco, `query($p: ID!) { plan(id: $p) { reviews(first: 1) { totalCount nodes { id } pageInfo { hasNextPage } } } }`, map[string]any{"p": f.plan1})
	if r.get("plan", "reviews", "totalCount") != 2.0 || len(r.get("plan", "reviews", "nodes").([]any)) != 1 || r.get("plan", "reviews", "pageInfo", "hasNextPage") != true {
		t.Errorf("a page of the plan's reviews: %s", r.raw)
	}
	if n := e.docs("audit") - before; n != 1 {
		t.Errorf("a page of one review recorded %d audit events, want 1", n)
	}
}
