package server_test

import (
	"slices"
	"testing"
	"time"
)

// TestIDPWholeLife follows one IDP through its life under the Act (issue
// 16): an IDP given by a school in March 2024, before Cynllun, is brought
// in with its real date; its review is held late; the learner moves school
// mid-year; the LA takes the plan over; the learner reaches the end of
// compulsory school age and keeps their parent's access. At each step the
// review period, the one T8 clock, the ledger's window and who may see and
// change the plan are what the law says.
func TestIDPWholeLife(t *testing.T) {
	e := newEnv(t)
	w := e.lifecycleWorld()
	alnco, staffC, officer := e.token(w.alnco), e.token(w.staffC), e.token(w.officer)
	parent, self := e.token(w.parentY), e.token(w.self)

	state := `query($id: ID!) { plan(id: $id) { laMaintained maintainer { id } inForce { number givenOn }
		reviewPeriod { start end basis } ledger { from version } } }`
	t8 := func() []map[string]any {
		t.Helper()
		r := e.must(officer, `query($f: DeadlineFilter) { deadlines(filter: $f, first: 50) { nodes { rule { id } start due status organisation { id } } } }`,
			map[string]any{"f": map[string]any{"learnerId": w.learner, "ruleIds": []any{"T8"}}})
		var out []map[string]any
		for _, n := range r.get("deadlines", "nodes").([]any) {
			out = append(out, n.(map[string]any))
		}
		return out
	}
	open := func(ds []map[string]any) []map[string]any {
		var out []map[string]any
		for _, d := range ds {
			if d["status"] == "OPEN" {
				out = append(out, d)
			}
		}
		return out
	}

	// 1. Brought in: the IDP given on 11 March 2024. Its periods ran on
	// (s.23(5)) to 11 March 2026 – 10 March 2027; the one T8 clock started
	// on the real day and its first period ended unreviewed.
	r := e.must(alnco, saveQ, map[string]any{"in": map[string]any{"planId": w.plan, "expectedVersion": 1, "status": "FINAL", "givenOn": "2024-03-11",
		"content": sampleContent("30 minutes of 1:1 speech and language therapy weekly")}})
	if r.get("saveVersion", "version", "number") != 2.0 {
		t.Fatalf("import: %s", r.raw)
	}
	r = e.must(alnco, state, map[string]any{"id": w.plan})
	if r.str("plan", "inForce", "givenOn") != "2024-03-11" || r.str("plan", "reviewPeriod", "start") != "2026-03-11" ||
		r.str("plan", "reviewPeriod", "end") != "2027-03-10" || r.str("plan", "reviewPeriod", "basis") != "ROLLED_OVER" ||
		r.str("plan", "ledger", "from") != "2026-03-11" || r.get("plan", "ledger", "version") != 2.0 {
		t.Fatalf("after the import: %s", r.raw)
	}
	if got := t8(); len(got) != 1 || got[0]["start"] != "2024-03-11" || got[0]["due"] != "2025-03-10" || got[0]["status"] == "MET" {
		t.Fatalf("one T8 from the day the IDP was given, not met: %v", got)
	}

	// 2. Reviewed late, in November 2026, with no revision: the next period
	// starts on the decision day and T8 starts again from it.
	rv := e.must(alnco, `mutation($in: OpenReviewInput!) { openReview(input: $in) { review { id planVersionNumber } } }`,
		map[string]any{"in": map[string]any{"planId": w.plan, "type": "ANNUAL", "record": map[string]any{"heldOn": "2026-11-09", "durationMinutes": 50}}})
	if rv.get("openReview", "review", "planVersionNumber") != 2.0 {
		t.Fatalf("review of the plan in force: %s", rv.raw)
	}
	e.must(alnco, `mutation($in: ConcludeReviewInput!) { concludeReview(input: $in) { review { status } } }`,
		map[string]any{"in": map[string]any{"id": rv.str("openReview", "review", "id"), "expectedRevision": 1, "decision": "NO_REVISION",
			"reasons": "The provision still meets her needs.", "decidedOn": "2026-11-10"}})
	r = e.must(alnco, state, map[string]any{"id": w.plan})
	if r.str("plan", "reviewPeriod", "start") != "2026-11-10" || r.str("plan", "reviewPeriod", "end") != "2027-11-09" ||
		r.str("plan", "reviewPeriod", "basis") != "NO_REVISION_NOTICE" || r.str("plan", "ledger", "from") != "2026-11-10" {
		t.Fatalf("after the late review: %s", r.raw)
	}
	current := open(t8())
	if len(current) != 1 || current[0]["start"] != "2026-11-10" || current[0]["due"] != "2027-11-09" {
		t.Fatalf("T8 after the late review: %v", t8())
	}

	// 3. Moved to school C mid-year: the plan keeps its dates; the review
	// clock passes to the new school, which also reviews the adopted plan
	// (T16); school A no longer sees it, school C changes it.
	r = e.must(alnco, transferQ, map[string]any{"in": map[string]any{"planId": w.plan, "toOrganisationId": w.schoolC, "reason": "IN_YEAR_MOVE", "effectiveOn": "2026-11-16"}})
	if !slices.Contains(rules(r, "transferPlan", "started"), "T16") {
		t.Fatalf("move: %s", r.raw)
	}
	r = e.must(staffC, state, map[string]any{"id": w.plan})
	if r.str("plan", "maintainer", "id") != w.schoolC || r.str("plan", "reviewPeriod", "start") != "2026-11-10" || r.str("plan", "ledger", "from") != "2026-11-10" {
		t.Fatalf("after the move: %s", r.raw)
	}
	current = open(t8())
	if len(current) != 1 || current[0]["start"] != "2026-11-10" || current[0]["organisation"].(map[string]any)["id"] != w.schoolC {
		t.Fatalf("T8 after the move: %v", t8())
	}
	// The new school maintains the plan from registration (s.35(3)): T13
	// is met the day it starts.
	t13 := e.must(officer, `query($f: DeadlineFilter) { deadlines(filter: $f, first: 5) { nodes { start due status } } }`,
		map[string]any{"f": map[string]any{"learnerId": w.learner, "ruleIds": []any{"T13"}}})
	if t13.str("deadlines", "nodes", 0, "status") != "MET" || t13.str("deadlines", "nodes", 0, "start") != "2026-11-16" {
		t.Fatalf("T13 after the move: %s", t13.raw)
	}
	if rr := e.do(alnco, state, map[string]any{"id": w.plan}); rr.get("plan") != nil {
		t.Fatalf("the old school still sees the plan: %s", rr.raw)
	}
	r = e.must(staffC, `mutation($id: ID!, $s: [SessionInput!]!) { recordSessions(input: {planId: $id, sessions: $s}) { sessions { id } } }`,
		map[string]any{"id": w.plan, "s": []any{map[string]any{"rowId": "row_salt", "date": "2026-11-18", "status": "DELIVERED", "minutes": 30}}})
	if len(r.get("recordSessions", "sessions").([]any)) != 1 {
		t.Fatalf("the new school records provision: %s", r.raw)
	}

	// 4. The LA takes the plan over (s.28): it revises it now; school C
	// still records the provision it secures, but saves no version.
	e.must(officer, takeoverQ, map[string]any{"in": map[string]any{"planId": w.plan, "decidedOn": "2026-11-20", "noticeGivenOn": "2026-11-20",
		"reasons": "Rare and complex needs needing specialist support"}})
	r = e.must(officer, state, map[string]any{"id": w.plan})
	if r.get("plan", "laMaintained") != true || r.str("plan", "reviewPeriod", "start") != "2026-11-10" {
		t.Fatalf("after the takeover: %s", r.raw)
	}
	if current = open(t8()); len(current) != 1 || current[0]["organisation"].(map[string]any)["id"] != cardiff {
		t.Fatalf("T8 after the takeover: %v", t8())
	}
	if rr := e.do(staffC, saveQ, map[string]any{"in": map[string]any{"planId": w.plan, "expectedVersion": 2, "status": "DRAFT",
		"content": sampleContent("30 minutes of 1:1 speech and language therapy weekly")}}); rr.code() != "FORBIDDEN" {
		t.Fatalf("school staff revising an LA plan: %s", rr.raw)
	}
	led := e.must(staffC, `query($id: ID!) { plan(id: $id) { ledger(from: "2026-11-16", to: "2026-11-22") { rows { delivered } } } }`, map[string]any{"id": w.plan})
	if led.get("plan", "ledger", "rows", 0, "delivered") != 1.0 {
		t.Fatalf("ledger after the takeover: %s", led.raw)
	}

	// 5. Compulsory school age ends on the last Friday of June 2027: the
	// learner becomes a young person, consents, and keeps their parent's
	// access; the review period and T8 run on.
	e.clock.Advance(time.Until(time.Date(2027, 7, 5, 10, 0, 0, 0, time.UTC)) - time.Until(e.clock.Now()))
	r = e.must(officer, handoverQ, map[string]any{"in": map[string]any{"learnerId": w.learner, "consentGiven": true, "hasCapacity": true, "parentAccess": "KEEP"}})
	if r.str("recordYoungPersonHandover", "learner", "status") != "YOUNG_PERSON" || r.str("recordYoungPersonHandover", "handover", "compulsorySchoolAgeEnded") != "2027-06-25" {
		t.Fatalf("handover: %s", r.raw)
	}
	for name, tok := range map[string]string{"parent": parent, "young person": self} {
		if rr := e.must(tok, state, map[string]any{"id": w.plan}); rr.str("plan", "reviewPeriod", "start") != "2026-11-10" || rr.get("plan", "inForce", "number") != 2.0 {
			t.Fatalf("%s after the handover: %s", name, rr.raw)
		}
	}
	if current = open(t8()); len(current) != 1 || current[0]["due"] != "2027-11-09" {
		t.Fatalf("T8 after the handover: %v", t8())
	}
}
