package server_test

import (
	"strings"
	"testing"
)

// TestPlanInForce: a draft saved after a FINAL version does not displace
// the plan in force. Its rows are still recorded against, its ledger still
// shows them, and reviews and renders default to it (issue 16 item 5:
// before, a DRAFT v3 made recordSessions refuse v2's rows and emptied the
// ledger).
func TestPlanInForce(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	alnco := e.token(f.alnco)
	parent := e.token(f.parent)

	// v1 draft (the fixture), v2 FINAL: the plan in force.
	save := `mutation($in: SaveVersionInput!) { saveVersion(input: $in) { version { number status givenOn content { provision { rowId } } } } }`
	v2 := e.must(alnco, save, map[string]any{"in": map[string]any{"planId": f.plan1, "expectedVersion": 1, "status": "FINAL",
		"content": sampleContent("30 minutes of 1:1 speech and language therapy weekly")}})
	row2 := v2.str("saveVersion", "version", "content", "provision", 0, "rowId")
	if v2.str("saveVersion", "version", "givenOn") != "2026-11-22" {
		t.Fatalf("a FINAL version is given the day it is saved: %s", v2.raw)
	}
	// v3 a draft with a different row (no id: a new row).
	draft := sampleContent("45 minutes of 1:1 literacy support twice a week")
	delete(draft["provision"].([]any)[0].(map[string]any), "id")
	v3 := e.must(alnco, save, map[string]any{"in": map[string]any{"planId": f.plan1, "expectedVersion": 2, "status": "DRAFT", "content": draft}})
	if v3.get("saveVersion", "version", "givenOn") != nil || v3.str("saveVersion", "version", "content", "provision", 0, "rowId") == row2 {
		t.Fatalf("draft: %s", v3.raw)
	}

	plan := `query($id: ID!) { plan(id: $id) { currentVersionNumber currentVersion { number status } inForceVersionNumber inForce { number status givenOn } } }`
	r := e.must(parent, plan, map[string]any{"id": f.plan1})
	if r.get("plan", "currentVersionNumber") != 3.0 || r.str("plan", "currentVersion", "status") != "DRAFT" ||
		r.get("plan", "inForceVersionNumber") != 2.0 || r.get("plan", "inForce", "number") != 2.0 || r.str("plan", "inForce", "status") != "FINAL" {
		t.Fatalf("in force: %s", r.raw)
	}

	// The ledger records and shows the rows of the plan in force.
	record := `mutation($p: ID!, $s: [SessionInput!]!) { recordSessions(input: {planId: $p, sessions: $s}) { sessions { id rowId } } }`
	rec := e.must(alnco, record, map[string]any{"p": f.plan1, "s": []any{map[string]any{"rowId": row2, "date": "2026-11-20", "status": "DELIVERED", "minutes": 30}}})
	if rec.str("recordSessions", "sessions", 0, "rowId") != row2 {
		t.Fatalf("record against the plan in force: %s", rec.raw)
	}
	// The draft's row is not in force yet.
	row3 := v3.str("saveVersion", "version", "content", "provision", 0, "rowId")
	if rr := e.do(alnco, record, map[string]any{"p": f.plan1, "s": []any{map[string]any{"rowId": row3, "date": "2026-11-20", "status": "DELIVERED", "minutes": 45}}}); rr.code() != "INVALID" ||
		!strings.Contains(string(rr.raw), `"input.sessions.0.rowId"`) {
		t.Fatalf("a draft's row: %s", rr.raw)
	}
	led := e.must(parent, `query($id: ID!) { plan(id: $id) { ledger(from: "2026-11-16", to: "2026-11-22") { version rows { rowId delivered } } } }`, map[string]any{"id": f.plan1})
	if led.get("plan", "ledger", "version") != 2.0 || led.str("plan", "ledger", "rows", 0, "rowId") != row2 || led.get("plan", "ledger", "rows", 0, "delivered") != 1.0 {
		t.Fatalf("ledger: %s", led.raw)
	}

	// Reviews and renders default to the plan in force.
	rv := e.must(alnco, `mutation($in: OpenReviewInput!) { openReview(input: $in) { review { planVersionNumber } } }`,
		map[string]any{"in": map[string]any{"planId": f.plan1, "type": "ANNUAL"}})
	if rv.get("openReview", "review", "planVersionNumber") != 2.0 {
		t.Fatalf("review of the plan in force: %s", rv.raw)
	}
	job := e.must(parent, `mutation($id: ID!) { renderPlan(input: {planId: $id}) { job { version } } }`, map[string]any{"id": f.plan1})
	if job.get("renderPlan", "job", "version") != 2.0 {
		t.Fatalf("a family's render is of the plan in force: %s", job.raw)
	}
	// So does a bundle's copy of the IDP, unless a version is named.
	officer := e.token(f.officer)
	c := e.must(officer, `mutation($in: OpenCaseInput!) { openCase(input: $in) { case { id revision } } }`, map[string]any{"in": map[string]any{
		"learnerId": f.l1, "kind": "DISAGREEMENT", "title": "Anghytundeb", "decision": map[string]any{"kind": "PROVISION", "description": "SaLT left out.", "madeBy": cardiff, "decidedOn": "2026-11-02"}}})
	spec := e.must(officer, `mutation($in: BundleSpecInput!) { setBundleSpec(input: $in) { case { bundleSpec { records { kind planId version } } } } }`,
		map[string]any{"in": map[string]any{"caseId": c.str("openCase", "case", "id"), "expectedRevision": 1, "records": []any{map[string]any{"kind": "PLAN_VERSION", "planId": f.plan1}}}})
	if spec.get("setBundleSpec", "case", "bundleSpec", "records", 0, "version") != 2.0 {
		t.Fatalf("a bundle's IDP is the plan in force: %s", spec.raw)
	}
}

// TestPlanGivenOn: an IDP given before it was brought into Cynllun keeps
// its real date. The review period and the one T8 clock run from it, a
// late review starts the next period on its decision day, and recording
// IDP_GIVEN again by hand (which made a second T8) is refused (issue 16
// item 6).
func TestPlanGivenOn(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	alnco := e.token(f.alnco)
	save := `mutation($in: SaveVersionInput!) { saveVersion(input: $in) { version { number givenOn createdAt } } }`
	in := func(expected int, status, given string) map[string]any {
		m := map[string]any{"planId": f.plan1, "expectedVersion": expected, "status": status,
			"content": sampleContent("30 minutes of 1:1 speech and language therapy weekly")}
		if given != "" {
			m["givenOn"] = given
		}
		return map[string]any{"in": m}
	}
	for _, tt := range []struct{ name, status, given string }{
		{"a draft is not given", "DRAFT", "2025-03-10"},
		{"in the future", "FINAL", "2026-11-23"},
		{"before the Act applied", "FINAL", "2021-08-31"},
	} {
		if rr := e.do(alnco, save, in(1, tt.status, tt.given)); rr.code() != "INVALID" || !strings.Contains(string(rr.raw), `"input.givenOn"`) {
			t.Errorf("%s: %s", tt.name, rr.raw)
		}
	}
	r := e.must(alnco, save, in(1, "FINAL", "2025-03-10"))
	if r.str("saveVersion", "version", "givenOn") != "2025-03-10" || !strings.HasPrefix(r.str("saveVersion", "version", "createdAt"), "2026-11-22") {
		t.Fatalf("given on a past day: %s", r.raw)
	}
	// A later version may not be given before the plan in force.
	if rr := e.do(alnco, save, in(2, "FINAL", "2025-03-09")); rr.code() != "INVALID" || !strings.Contains(string(rr.raw), `"input.givenOn"`) {
		t.Fatalf("given before the plan in force: %s", rr.raw)
	}

	// First period 2025-03-10 – 2026-03-09 passed with no review: the next
	// runs on from 2026-03-10 (s.23(5)); the one T8 clock started on the
	// real day and is overdue.
	period := `query($id: ID!) { plan(id: $id) { reviewPeriod { start end basis } } }`
	p := e.must(alnco, period, map[string]any{"id": f.plan1})
	if p.str("plan", "reviewPeriod", "start") != "2026-03-10" || p.str("plan", "reviewPeriod", "end") != "2027-03-09" || p.str("plan", "reviewPeriod", "basis") != "ROLLED_OVER" {
		t.Fatalf("review period: %s", p.raw)
	}
	t8 := func() []map[string]any {
		list := e.must(e.token(f.officer), `query($f: DeadlineFilter) { deadlines(filter: $f, first: 50) { nodes { rule { id } start due status } } }`,
			map[string]any{"f": map[string]any{"learnerId": f.l1, "ruleIds": []any{"T8"}}})
		var out []map[string]any
		for _, n := range list.get("deadlines", "nodes").([]any) {
			out = append(out, n.(map[string]any))
		}
		return out
	}
	if got := t8(); len(got) != 1 || got[0]["start"] != "2025-03-10" || got[0]["due"] != "2026-03-09" {
		t.Fatalf("one T8 from the day the IDP was given: %v", got)
	}
	// Recording IDP_GIVEN by hand for the plan is refused: no second T8.
	ev := `mutation($in: StatutoryEventInput!) { recordStatutoryEvent(input: $in) { event { id } } }`
	if rr := e.do(alnco, ev, map[string]any{"in": map[string]any{"learnerId": f.l1, "planId": f.plan1, "kind": "IDP_GIVEN", "on": "2025-03-10"}}); rr.code() != "INVALID" ||
		!strings.Contains(string(rr.raw), `"input.kind"`) {
		t.Fatalf("IDP_GIVEN by hand: %s", rr.raw)
	}
	if got := t8(); len(got) != 1 {
		t.Fatalf("a second T8: %v", got)
	}

	// A late review, held and decided in November 2026: the next period
	// starts on the decision day, and the ledger window with it.
	open := e.must(alnco, `mutation($in: OpenReviewInput!) { openReview(input: $in) { review { id revision } } }`,
		map[string]any{"in": map[string]any{"planId": f.plan1, "type": "ANNUAL", "record": map[string]any{"heldOn": "2026-11-16", "durationMinutes": 60}}})
	conclude := e.must(alnco, `mutation($in: ConcludeReviewInput!) { concludeReview(input: $in) { review { status } } }`,
		map[string]any{"in": map[string]any{"id": open.str("openReview", "review", "id"), "expectedRevision": 1, "decision": "NO_REVISION",
			"reasons": "The plan still meets the learner's needs.", "decidedOn": "2026-11-17"}})
	if conclude.str("concludeReview", "review", "status") != "CONCLUDED" {
		t.Fatalf("conclude: %s", conclude.raw)
	}
	p = e.must(alnco, `query($id: ID!) { plan(id: $id) { reviewPeriod { start end basis } ledger { from } } }`, map[string]any{"id": f.plan1})
	if p.str("plan", "reviewPeriod", "start") != "2026-11-17" || p.str("plan", "reviewPeriod", "basis") != "NO_REVISION_NOTICE" || p.str("plan", "ledger", "from") != "2026-11-17" {
		t.Fatalf("after the late review: %s", p.raw)
	}
}
