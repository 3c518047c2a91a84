package server_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
)

const recordEvent = `mutation($in: StatutoryEventInput!) { recordStatutoryEvent(input: $in) { event { id kind on note organisation { id } } started { id rule { id } due organisation { id } } closed { id } } }`

// TestEventsOnlyForResponsibleBodies (issue #14 item 6): a Cardiff ALNCo
// cannot start a clock, and so cause a notice, at a Swansea school, the
// Swansea LA, a health board the plan does not name, or an id that names
// nothing; the answer is the same FORBIDDEN for all of them, names neither
// body nor learner, and writes nothing. The learner's own school and LA,
// and the health board the plan names as the NHS body, are accepted. A
// case's deciding body follows the same rule.
func TestEventsOnlyForResponsibleBodies(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	alnco, officer := e.token(f.alnco), e.token(f.officer)
	ev := func(org, kind string) map[string]any {
		in := map[string]any{"learnerId": f.l1, "kind": kind, "on": "2026-11-20"}
		if org != "" {
			in["orgId"] = org
		}
		return map[string]any{"in": in}
	}
	events0, deadlines0 := e.docs("events"), e.docs("deadlines")
	var message string
	for _, tt := range []struct {
		name, token, org, kind string
	}{
		{"another LA's school", alnco, f.schoolB, "ALN_BROUGHT_TO_ATTENTION"},
		{"another LA", alnco, swansea, "ALN_BROUGHT_TO_ATTENTION"},
		{"another LA, by the learner's LA officer", officer, swansea, "DECISION_NOTICE_GIVEN"},
		{"a health board the plan does not name", alnco, "org_hb_swansea-bay", "NHS_REFERRAL_RECEIVED"},
		{"an id that names nothing", alnco, "org_nope", "ALN_BROUGHT_TO_ATTENTION"},
	} {
		r := e.do(tt.token, recordEvent, ev(tt.org, tt.kind))
		if r.code() != "FORBIDDEN" {
			t.Errorf("%s: %s", tt.name, r.raw)
			continue
		}
		msg := r.Errors[0].Message
		if message == "" {
			message = msg
		}
		if msg != message {
			t.Errorf("%s: message %q differs from %q: it tells bodies apart", tt.name, msg, message)
		}
		for _, leak := range []string{f.schoolA, f.schoolB, "Bryn Tawe", "Pen-y-Garth", "Siôn", "Llŷr", cardiff, swansea, tt.org} {
			if strings.Contains(string(r.raw), leak) {
				t.Errorf("%s: the answer names %q: %s", tt.name, leak, r.raw)
			}
		}
	}
	if ev, dl := e.docs("events"), e.docs("deadlines"); ev != events0 || dl != deadlines0 {
		t.Fatalf("refused events wrote %d events and %d deadlines", ev-events0, dl-deadlines0)
	}
	// Swansea's staff have no deadline to be told about.
	list := `{ deadlines(first: 50) { edges { node { id } } } }`
	if r := e.must(e.token(f.staffB), list, nil); len(r.get("deadlines", "edges").([]any)) != 0 {
		t.Fatalf("Swansea's staff see deadlines: %s", r.raw)
	}

	for _, tt := range []struct {
		name, org, kind, rule, want string
	}{
		{"the learner's school (by default)", "", "ALN_BROUGHT_TO_ATTENTION", "T1", f.schoolA},
		{"the learner's LA", cardiff, "DECISION_NOTICE_GIVEN", "T17", cardiff},
		{"the health board the plan names", "org_hb_cardiff-vale", "NHS_REFERRAL_RECEIVED", "T10", "org_hb_cardiff-vale"},
	} {
		r := e.must(alnco, recordEvent, ev(tt.org, tt.kind))
		if r.str("recordStatutoryEvent", "event", "organisation", "id") != tt.want || r.str("recordStatutoryEvent", "started", 0, "rule", "id") != tt.rule ||
			r.str("recordStatutoryEvent", "started", 0, "organisation", "id") != tt.want {
			t.Errorf("%s: %s", tt.name, r.raw)
		}
	}

	// A case's deciding body: the same rule, the same answer.
	open := `mutation($in: OpenCaseInput!) { openCase(input: $in) { case { id appealDeadline { organisation { id } } } } }`
	caseIn := func(madeBy string) map[string]any {
		return map[string]any{"in": map[string]any{"learnerId": f.l1, "kind": "APPEAL", "title": "Apêl",
			"decision": map[string]any{"kind": "PROVISION", "madeBy": madeBy, "decidedOn": "2026-11-02", "noticeGivenOn": "2026-11-03"}}}
	}
	cases0 := e.docs("cases")
	for _, org := range []string{f.schoolB, swansea, "org_nope"} {
		for _, tok := range []string{alnco, e.token(f.parent)} {
			if r := e.do(tok, open, caseIn(org)); r.code() != "FORBIDDEN" || strings.Contains(string(r.raw), org) {
				t.Errorf("case decided by %s: %s", org, r.raw)
			}
		}
	}
	if n := e.docs("cases"); n != cases0 {
		t.Fatalf("refused cases wrote %d documents", n-cases0)
	}
	if r := e.must(e.token(f.parent), open, caseIn(cardiff)); r.str("openCase", "case", "appealDeadline", "organisation", "id") != cardiff {
		t.Fatalf("case decided by the learner's LA: %s", r.raw)
	}
}

// TestRepeatedEvents (issue #14 item 7): the same event recorded again,
// one after another or all at once, is one event with one set of clocks;
// the answer to each repeat is the event recorded first.
func TestRepeatedEvents(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	alnco := e.token(f.alnco)
	in := map[string]any{"learnerId": f.l1, "kind": "ALN_BROUGHT_TO_ATTENTION", "on": "2026-11-20", "note": "Raised by the class teacher"}
	first := e.must(alnco, recordEvent, map[string]any{"in": in})
	id, clock := first.str("recordStatutoryEvent", "event", "id"), first.str("recordStatutoryEvent", "started", 0, "id")
	if id == "" || clock == "" {
		t.Fatalf("first: %s", first.raw)
	}
	events0, deadlines0 := e.docs("events"), e.docs("deadlines")

	again := map[string]any{}
	for k, v := range in {
		again[k] = v
	}
	again["note"] = "Recorded again by mistake"
	again["orgId"] = f.schoolA // the default, named
	r := e.must(e.token(f.officer), recordEvent, map[string]any{"in": again})
	if r.str("recordStatutoryEvent", "event", "id") != id || r.str("recordStatutoryEvent", "event", "note") != "Raised by the class teacher" ||
		r.str("recordStatutoryEvent", "started", 0, "id") != clock || len(r.get("recordStatutoryEvent", "started").([]any)) != 1 {
		t.Fatalf("repeat: %s", r.raw)
	}

	// Many at once, in one request and in parallel requests: 20 in one
	// request are over the mutation limit and refused before any runs; the
	// 10 the limit allows are one event.
	aliased := func(n int) string {
		var b strings.Builder
		b.WriteString(`mutation($in: StatutoryEventInput!) {`)
		for i := range n {
			fmt.Fprintf(&b, " e%d: recordStatutoryEvent(input: $in) { event { id } started { id } }", i)
		}
		b.WriteString(" }")
		return b.String()
	}
	if rr := e.do(alnco, aliased(20), map[string]any{"in": in}); rr.code() != "INVALID" || rr.Errors[0].Extensions["reason"] != "TOO_MANY_MUTATIONS" {
		t.Fatalf("20 aliased events: %s", rr.raw)
	}
	r = e.must(alnco, aliased(10), map[string]any{"in": in})
	for i := range 10 {
		if got := r.str(fmt.Sprintf("e%d", i), "event", "id"); got != id {
			t.Fatalf("alias %d answered %s: %s", i, got, r.raw)
		}
	}
	// A new event on another day, recorded by many at once: one event,
	// one clock.
	in["on"] = "2026-11-19"
	var wg sync.WaitGroup
	ids := make([]string, 8)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := e.do(alnco, recordEvent, map[string]any{"in": in})
			ids[i] = r.str("recordStatutoryEvent", "started", 0, "id")
			if ids[i] == "" {
				t.Logf("parallel record %d: %s", i, r.raw)
			}
		}()
	}
	wg.Wait()
	for _, x := range ids {
		if x == "" || x != ids[0] {
			t.Fatalf("parallel records started different clocks: %v", ids)
		}
	}
	if ev, dl := e.docs("events"), e.docs("deadlines"); ev != events0+1 || dl != deadlines0+1 {
		t.Fatalf("repeats wrote %d events and %d deadlines, want 1 and 1", ev-events0, dl-deadlines0)
	}
}

// TestReviewRequestRepeats (issue #14 item 7): a parent's 50 aliased
// requestReview calls are refused before any runs, 10 are one request and
// one T9 clock; parallel requests
// too; a request staff record is the named requester's own; once a request
// is decided, a new one may be made.
func TestReviewRequestRepeats(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	alnco, parent := e.token(f.alnco), e.token(f.parent)
	reviews0, deadlines0 := e.docs("reviews"), e.docs("deadlines")

	aliased := func(n int) string {
		var b strings.Builder
		b.WriteString(`mutation($in: RequestReviewInput!) {`)
		for i := range n {
			fmt.Fprintf(&b, " r%d: requestReview(input: $in) { review { id status } }", i)
		}
		b.WriteString(" }")
		return b.String()
	}
	request := map[string]any{"in": map[string]any{"planId": f.plan1, "reason": "Therapy sessions are not happening."}}
	// 50 in one request are over the mutation limit: refused before any
	// runs, nothing written.
	if rr := e.do(parent, aliased(50), request); rr.code() != "INVALID" || rr.Errors[0].Extensions["reason"] != "TOO_MANY_MUTATIONS" {
		t.Fatalf("50 aliased requests: %s", rr.raw)
	}
	if e.docs("reviews") != reviews0 || e.docs("deadlines") != deadlines0 {
		t.Fatal("a refused request wrote something")
	}
	// The 10 the limit allows are one request.
	r := e.must(parent, aliased(10), request)
	id := r.str("r0", "review", "id")
	for i := range 10 {
		if got := r.str(fmt.Sprintf("r%d", i), "review", "id"); got != id || r.str(fmt.Sprintf("r%d", i), "review", "status") != "REQUESTED" {
			t.Fatalf("alias %d: %s", i, r.raw)
		}
	}
	// Another name or reason from the same account is still the same
	// requester.
	single := `mutation($in: RequestReviewInput!) { requestReview(input: $in) { review { id } } }`
	if r := e.must(parent, single, map[string]any{"in": map[string]any{"planId": f.plan1, "reason": "Again", "requestedByName": "Someone else"}}); r.str("requestReview", "review", "id") != id {
		t.Fatalf("renamed repeat: %s", r.raw)
	}
	if rv, dl := e.docs("reviews"), e.docs("deadlines"); rv != reviews0+1 || dl != deadlines0+1 {
		t.Fatalf("50 requests wrote %d reviews and %d deadlines, want 1 and 1", rv-reviews0, dl-deadlines0)
	}

	// Staff record requests for the people who made them: one open
	// request each.
	staff := func(name string) string {
		return e.must(alnco, single, map[string]any{"in": map[string]any{"planId": f.plan1, "reason": "Phoned the school", "requestedBy": "PARENT", "requestedByName": name}}).str("requestReview", "review", "id")
	}
	mam, mam2, dad := staff("Mrs Eleri Llŷr"), staff("  mrs eleri  LLYR "), staff("Mr Gareth Llŷr")
	if mam == id || mam2 != mam || dad == mam {
		t.Fatalf("recorded requests: parent %s, Mrs %s / %s, Mr %s", id, mam, mam2, dad)
	}

	// The parent's request refused: a new one is a new request.
	e.must(alnco, `mutation($in: DecideReviewRequestInput!) { decideReviewRequest(input: $in) { review { status } } }`,
		map[string]any{"in": map[string]any{"id": id, "expectedRevision": 1, "accept": false, "reasons": "Reviewed last month"}})
	var wg sync.WaitGroup
	ids := make([]string, 8)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ids[i] = e.do(parent, single, map[string]any{"in": map[string]any{"planId": f.plan1, "reason": "Still not happening"}}).str("requestReview", "review", "id")
		}()
	}
	wg.Wait()
	for _, x := range ids {
		if x == "" || x == id || x != ids[0] {
			t.Fatalf("parallel requests after a refusal: %v (refused %s)", ids, id)
		}
	}
	ds, err := e.db.OpenDeadlines(context.Background(), f.l1, f.plan1)
	if err != nil {
		t.Fatal(err)
	}
	t9 := 0
	for _, d := range ds {
		if d.RuleID == "T9" {
			t9++
		}
	}
	if t9 != 3 { // the parent's second request, Mrs and Mr Llŷr's
		t.Fatalf("%d open T9 clocks, want 3", t9)
	}
	if got, err := e.db.ReviewsForPlans(context.Background(), []string{f.plan1}); err != nil || len(got) != 4 {
		t.Fatalf("%d reviews (%v), want 4", len(got), err)
	}
}
