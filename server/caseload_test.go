package server_test

import (
	"slices"
	"testing"
	"time"
)

// TestCaseloadsAndSearch: the viewer's cases and reviews across their
// settings or LA (a family: their child's), open ones first or by when
// opened, both ways, counted; search finds learners by a name's start and a
// plan by its id, only what the viewer may see; each list takes only its
// own cursors.
func TestCaseloadsAndSearch(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	alnco, officer, parent, parent2 := e.token(f.alnco), e.token(f.officer), e.token(f.parent), e.token(f.parent2)
	staffB, officerB, stranger := e.token(f.staffB), e.token(f.officerB), e.token(f.stranger)

	open := `mutation($in: OpenCaseInput!) { openCase(input: $in) { case { id } } }`
	mk := func(tok, learner, title string) string {
		t.Helper()
		id := e.must(tok, open, map[string]any{"in": map[string]any{"learnerId": learner, "kind": "DISAGREEMENT", "title": title,
			"decision": map[string]any{"kind": "WELSH_PROVISION"}}}).str("openCase", "case", "id")
		e.clock.Advance(time.Hour)
		return id
	}
	a := mk(parent, f.l1, "Anghytundeb 1")
	b := mk(alnco, f.l1, "Anghytundeb 2")
	c := mk(parent2, f.l2, "Anghytundeb 3")
	d := mk(officer, f.l3, "Anghytundeb 4")
	// The first is withdrawn: it is no longer open.
	e.must(parent, `mutation($in: UpdateCaseInput!) { updateCase(input: $in) { case { status } } }`, map[string]any{"in": map[string]any{
		"id": a, "expectedRevision": 1, "status": "WITHDRAWN", "title": "Anghytundeb 1", "decision": map[string]any{"kind": "WELSH_PROVISION"}}})

	const cases = `query($o: CaseloadOrder, $first: Int, $after: String, $last: Int, $before: String) {
		cases(orderBy: $o, first: $first, after: $after, last: $last, before: $before) {
			totalCount edges { cursor node { id status } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`
	for _, tt := range []struct {
		who, tok string
		want     map[string][]string // by order
	}{
		{"the ALNCo", alnco, map[string][]string{"OPEN_FIRST": {b, a}, "NEWEST": {b, a}, "OLDEST": {a, b}}},
		{"Cardiff's officer", officer, map[string][]string{"OPEN_FIRST": {b, d, a}, "NEWEST": {d, b, a}, "OLDEST": {a, b, d}}},
		{"the parent", parent, map[string][]string{"OPEN_FIRST": {b, a}, "NEWEST": {b, a}, "OLDEST": {a, b}}},
		{"school B's staff", staffB, map[string][]string{"OPEN_FIRST": {c}, "NEWEST": {c}, "OLDEST": {c}}},
		{"Swansea's officer", officerB, map[string][]string{"OPEN_FIRST": {c}, "NEWEST": {c}, "OLDEST": {c}}},
		{"a stranger", stranger, map[string][]string{"OPEN_FIRST": nil, "NEWEST": nil, "OLDEST": nil}},
	} {
		for order, want := range tt.want {
			vars := map[string]any{"o": order}
			if got := e.walkPagesOf(t, tt.tok, cases, vars, 2, false, "cases"); !slices.Equal(got, want) {
				t.Errorf("%s, cases %s: %v, want %v", tt.who, order, got, want)
			}
			if got := e.walkPagesOf(t, tt.tok, cases, vars, 2, true, "cases"); !slices.Equal(got, want) {
				t.Errorf("%s, cases %s backward: %v, want %v", tt.who, order, got, want)
			}
			if p := readPage(e.must(tt.tok, cases, map[string]any{"o": order, "first": 1}), "cases"); int(p.totalCount) != len(want) {
				t.Errorf("%s, cases %s: totalCount %v, want %d", tt.who, order, p.totalCount, len(want))
			}
		}
	}

	// Reviews: a request refused, and an annual review opened.
	e.finalise(alnco, f.plan1)
	req := e.must(parent, `mutation($in: RequestReviewInput!) { requestReview(input: $in) { review { id } } }`,
		map[string]any{"in": map[string]any{"planId": f.plan1, "reason": "Help"}}).str("requestReview", "review", "id")
	e.clock.Advance(time.Hour)
	annual := e.must(alnco, `mutation($in: OpenReviewInput!) { openReview(input: $in) { review { id } } }`,
		map[string]any{"in": map[string]any{"planId": f.plan1, "type": "ANNUAL"}}).str("openReview", "review", "id")
	e.must(alnco, `mutation($in: DecideReviewRequestInput!) { decideReviewRequest(input: $in) { review { status } } }`,
		map[string]any{"in": map[string]any{"id": req, "expectedRevision": 1, "accept": false, "reasons": "Reviewed last week"}})
	const reviews = `query($o: CaseloadOrder, $first: Int, $after: String, $last: Int, $before: String) {
		reviews(orderBy: $o, first: $first, after: $after, last: $last, before: $before) {
			totalCount edges { node { id status } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`
	for _, tt := range []struct {
		who, tok string
		order    string
		want     []string
	}{
		{"the ALNCo", alnco, "OPEN_FIRST", []string{annual, req}},
		{"the ALNCo", alnco, "OLDEST", []string{req, annual}},
		{"Cardiff's officer", officer, "NEWEST", []string{annual, req}},
		{"the parent", parent, "OPEN_FIRST", []string{annual, req}},
		{"school B's staff", staffB, "OPEN_FIRST", nil},
	} {
		vars := map[string]any{"o": tt.order}
		if got := e.walkPagesOf(t, tt.tok, reviews, vars, 1, false, "reviews"); !slices.Equal(got, tt.want) {
			t.Errorf("%s, reviews %s: %v, want %v", tt.who, tt.order, got, tt.want)
		}
		if got := e.walkPagesOf(t, tt.tok, reviews, vars, 1, true, "reviews"); !slices.Equal(got, tt.want) {
			t.Errorf("%s, reviews %s backward: %v, want %v", tt.who, tt.order, got, tt.want)
		}
	}
	r := e.must(alnco, `{ reviews(first: 1) { totalCount nodes { id status } } }`, nil)
	if r.get("reviews", "totalCount") != 2.0 || r.str("reviews", "nodes", 0, "id") != annual || r.str("reviews", "nodes", 0, "status") != "OPEN" {
		t.Errorf("reviews: %s", r.raw)
	}

	// A page of the caseload reads by _id only.
	n, _ := e.count(func() { e.must(officer, cases, map[string]any{"first": 10}) })
	if s := e.scans.Load(); s != 0 || n > 40 {
		t.Errorf("a page of cases: %d commands, %d of them not a find by _id", n, s)
	}

	// Search: a name's start (accents ignored), or a plan's id.
	const search = `query($text: String!, $first: Int, $after: String) { search(text: $text, first: $first, after: $after) {
		totalCount nodes { __typename ... on Learner { id } ... on Plan { id } } pageInfo { endCursor hasNextPage } } }`
	ids := func(r response) []string {
		var out []string
		for _, n := range r.get("search", "nodes").([]any) {
			out = append(out, n.(map[string]any)["__typename"].(string)+" "+n.(map[string]any)["id"].(string))
		}
		return out
	}
	for _, tt := range []struct {
		who, tok, text string
		want           []string
	}{
		{"the ALNCo", alnco, "sion", []string{"Learner " + f.l1}},
		{"the ALNCo", alnco, "LLŶR", []string{"Learner " + f.l1}},
		{"the ALNCo", alnco, "wyn", nil},
		{"school B's staff", staffB, "wyn", []string{"Learner " + f.l2}},
		{"Cardiff's officer", officer, "l", []string{"Learner " + f.l3, "Learner " + f.l1}},
		{"the ALNCo", alnco, f.plan1, []string{"Plan " + f.plan1}},
		{"the parent", parent, f.plan1, []string{"Plan " + f.plan1}},
		{"school B's staff", staffB, f.plan1, nil},
		{"a stranger", stranger, "sion", nil},
	} {
		r := e.must(tt.tok, search, map[string]any{"text": tt.text})
		if got := ids(r); !slices.Equal(got, tt.want) || int(r.get("search", "totalCount").(float64)) != len(tt.want) {
			t.Errorf("%s searching %q: %v (%v), want %v", tt.who, tt.text, got, r.get("search", "totalCount"), tt.want)
		}
	}
	// A search's cursor belongs to its text; an empty text is INVALID.
	first := e.must(officer, search, map[string]any{"text": "l", "first": 1})
	cur := first.str("search", "pageInfo", "endCursor")
	if next := e.must(officer, search, map[string]any{"text": "l", "first": 1, "after": cur}); !slices.Equal(ids(next), []string{"Learner " + f.l1}) {
		t.Errorf("the second page of l: %s", next.raw)
	}
	for _, tt := range []struct {
		name, query string
		vars        map[string]any
		arg         string
	}{
		{"another text's cursor", search, map[string]any{"text": "ll", "after": cur}, "after"},
		{"a search cursor for cases", `query($c: String) { cases(after: $c) { totalCount } }`, map[string]any{"c": cur}, "after"},
		{"an open-first cursor for the newest-first order", `query($c: String) { cases(orderBy: NEWEST, before: $c) { totalCount } }`,
			map[string]any{"c": readPage(e.must(officer, cases, map[string]any{"first": 1}), "cases").end}, "before"},
		{"an empty text", search, map[string]any{"text": " "}, "text"},
	} {
		if r := e.do(officer, tt.query, tt.vars); r.code() != "INVALID" || !hasField(r, tt.arg) {
			t.Errorf("%s: want INVALID on %s: %s", tt.name, tt.arg, r.raw)
		}
	}
}

// walkPagesOf is walkPages with pages of size.
func (e *env) walkPagesOf(t *testing.T, tok, query string, vars map[string]any, size int, backward bool, path ...any) []string {
	t.Helper()
	var ids []string
	cur := ""
	for range 100 {
		v := map[string]any{}
		for k, x := range vars {
			v[k] = x
		}
		if backward {
			v["last"], v["before"] = size, nilIfEmpty(cur)
		} else {
			v["first"], v["after"] = size, nilIfEmpty(cur)
		}
		p := readPage(e.must(tok, query, v), path...)
		if len(p.ids) > size {
			t.Fatalf("page of %d: %s", len(p.ids), p.raw)
		}
		if backward {
			ids = append(slices.Clone(p.ids), ids...)
			if !p.hasPrev {
				return ids
			}
			cur = p.start
		} else {
			ids = append(ids, p.ids...)
			if !p.hasNext {
				return ids
			}
			cur = p.end
		}
	}
	t.Fatal("too many pages")
	return nil
}
