package server_test

import (
	"strings"
	"sync"
	"testing"
)

// TestIdempotentCreates: each create mutation sent twice, and 8 times at
// once, with one idempotencyKey creates one record and returns one id;
// another key creates another; the same key with another input is
// CONFLICT; keys are per user; and without a key (as in the README) each
// request creates.
func TestIdempotentCreates(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	alnco, admin, officer := e.token(f.alnco), e.token(f.admin), e.token(f.officer)
	type mut struct {
		name, query string
		tok         string
		input       func(key string, variant int) map[string]any
	}
	learner := func(key string, v int) map[string]any {
		in := map[string]any{"givenName": "Elis", "familyName": "Prys", "dateOfBirth": "2017-03-04", "language": "CY",
			"laId": cardiff, "settingKind": "SCHOOL", "settingId": f.schoolA}
		if v == 1 {
			in["givenName"] = "Elin"
		}
		return withKey(in, key)
	}
	muts := []mut{
		{"createLearner", `mutation($in: LearnerInput!) { createLearner(input: $in) { item: learner { id } } }`, alnco, learner},
		{"createOrganisation", `mutation($in: CreateOrganisationInput!) { createOrganisation(input: $in) { item: organisation { id } } }`, admin, func(key string, v int) map[string]any {
			return withKey(map[string]any{"kind": "SCHOOL", "name": []string{"Ysgol Gymraeg Treganna", "Ysgol y Wern"}[v], "laId": cardiff}, key)
		}},
		{"createUser", `mutation($in: CreateUserInput!) { createUser(input: $in) { item: user { id } } }`, admin, func(key string, v int) map[string]any {
			return withKey(map[string]any{"name": "Rhiant", "email": []string{"rhiant@example.invalid", "arall@example.invalid"}[v]}, key)
		}},
		{"openReview", `mutation($in: OpenReviewInput!) { openReview(input: $in) { item: review { id } } }`, alnco, func(key string, v int) map[string]any {
			return withKey(map[string]any{"planId": f.plan1, "type": []string{"ANNUAL", "OTHER"}[v]}, key)
		}},
		{"openCase", `mutation($in: OpenCaseInput!) { openCase(input: $in) { item: case { id } } }`, officer, func(key string, v int) map[string]any {
			return withKey(map[string]any{"learnerId": f.l1, "kind": []string{"DISAGREEMENT", "RECONSIDERATION"}[v], "title": "Anghytundeb", "decision": map[string]any{"kind": "PROVISION", "description": "SaLT left out.", "madeBy": f.schoolA, "decidedOn": "2026-11-02"}}, key)
		}},
	}
	for _, m := range muts {
		t.Run(m.name, func(t *testing.T) {
			q := func(tok, key string, v int) response {
				return e.do(tok, m.query, map[string]any{"in": m.input(key, v)})
			}
			first := q(m.tok, "k-"+m.name, 0)
			if first.code() != "OK" {
				t.Fatalf("first: %s", first.raw)
			}
			id := first.str(m.name, "item", "id")
			if again := q(m.tok, "k-"+m.name, 0); again.str(m.name, "item", "id") != id {
				t.Fatalf("retry made %s, first %s: %s", again.str(m.name, "item", "id"), id, again.raw)
			}
			// 8 at once with a new key: one id.
			ids := make([]string, 8)
			var wg sync.WaitGroup
			for i := range ids {
				wg.Go(func() {
					r := q(m.tok, "p-"+m.name, 0)
					ids[i] = r.str(m.name, "item", "id")
					if r.code() != "OK" {
						t.Errorf("parallel %d: %s", i, r.raw)
					}
				})
			}
			wg.Wait()
			for _, x := range ids {
				if x != ids[0] || x == "" || x == id {
					t.Fatalf("parallel ids %v (first %s)", ids, id)
				}
			}
			if r := q(m.tok, "k-"+m.name, 1); r.code() != "CONFLICT" || !strings.Contains(string(r.raw), "different request") {
				t.Fatalf("same key, other input: %s", r.raw)
			}
			if r := q(m.tok, strings.Repeat("x", 129), 0); r.code() != "INVALID" || !strings.Contains(string(r.raw), "idempotencyKey") {
				t.Fatalf("long key: %s", r.raw)
			}
			if r := q(m.tok, "a key", 0); r.code() != "INVALID" {
				t.Fatalf("key with a space: %s", r.raw)
			}
		})
	}
	// Keys are per user: the officer's key "k-createLearner" is not the
	// ALNCo's.
	a := e.must(alnco, muts[0].query, map[string]any{"in": learner("mine", 0)}).str("createLearner", "item", "id")
	b := e.must(officer, muts[0].query, map[string]any{"in": learner("mine", 0)}).str("createLearner", "item", "id")
	if a == b {
		t.Fatalf("two users' keys made one learner %s", a)
	}
	// Without a key, two requests make two learners (keys are optional).
	n1 := e.must(alnco, muts[0].query, map[string]any{"in": learner("", 0)}).str("createLearner", "item", "id")
	n2 := e.must(alnco, muts[0].query, map[string]any{"in": learner("", 0)}).str("createLearner", "item", "id")
	if n1 == n2 {
		t.Fatalf("no key: one learner %s", n1)
	}
}

func withKey(in map[string]any, key string) map[string]any {
	if key != "" {
		in["idempotencyKey"] = key
	}
	return in
}

// TestCreatePlanOncePerMaintainer: createPlan sent again (and 8 times at
// once) returns the learner's plan by that maintaining body and creates
// nothing; another plan for the same pair is CONFLICT.
func TestCreatePlanOncePerMaintainer(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	alnco := e.token(f.alnco)
	create := `mutation($in: CreatePlanInput!) { createPlan(input: $in) { plan { id } } }`
	in := map[string]any{"learnerId": f.l1, "maintainerId": f.schoolA, "content": sampleContent("30 minutes of 1:1 speech and language therapy weekly")}
	if r := e.must(alnco, create, map[string]any{"in": in}); r.str("createPlan", "plan", "id") != f.plan1 {
		t.Fatalf("retry made another plan: %s (first %s)", r.raw, f.plan1)
	}
	// The officer may keep an LA-maintained plan for the same learner.
	officer := e.token(f.officer)
	la := map[string]any{"learnerId": f.l1, "maintainerId": cardiff, "content": sampleContent("30 minutes of 1:1 speech and language therapy weekly")}
	ids := make([]string, 8)
	var wg sync.WaitGroup
	for i := range ids {
		wg.Go(func() {
			r := e.do(officer, create, map[string]any{"in": la})
			if r.code() != "OK" {
				t.Errorf("parallel %d: %s", i, r.raw)
			}
			ids[i] = r.str("createPlan", "plan", "id")
		})
	}
	wg.Wait()
	for _, x := range ids {
		if x != ids[0] || x == f.plan1 {
			t.Fatalf("parallel: %v", ids)
		}
	}
	other := map[string]any{"learnerId": f.l1, "maintainerId": f.schoolA, "content": sampleContent("45 minutes of 1:1 speech and language therapy weekly")}
	if r := e.do(alnco, create, map[string]any{"in": other}); r.code() != "CONFLICT" || !strings.Contains(string(r.raw), "new version") {
		t.Fatalf("a second plan: %s", r.raw)
	}
	r := e.must(alnco, `query($id: ID!) { learner(id: $id) { plans { id } } }`, map[string]any{"id": f.l1})
	if n := len(r.get("learner", "plans").([]any)); n != 2 {
		t.Fatalf("plans: %s", r.raw)
	}
}

// TestRecordSessionsOnce: the same sessions recorded again (and 8 times at
// once) are one entry each, so a week reads delivered 1 against planned
// 1; a second session that day takes occurrence 2; the same session with
// other details is CONFLICT.
func TestRecordSessionsOnce(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	alnco := e.token(f.alnco)
	record := `mutation($p: ID!, $s: [SessionInput!]!) { recordSessions(input: {planId: $p, sessions: $s}) { sessions { id } } }`
	s := []any{map[string]any{"rowId": "row_salt", "date": "2026-09-08", "status": "DELIVERED", "deliveredBy": "SaLT"}}
	first := e.must(alnco, record, map[string]any{"p": f.plan1, "s": s}).str("recordSessions", "sessions", 0, "id")
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			r := e.do(alnco, record, map[string]any{"p": f.plan1, "s": s})
			if r.str("recordSessions", "sessions", 0, "id") != first {
				t.Errorf("retry %d: %s", i, r.raw)
			}
		})
	}
	wg.Wait()
	ledger := `query($id: ID!) { plan(id: $id) { ledger(from: "2026-09-07", to: "2026-09-13") { rows { planned delivered } } sessions { nodes { id } } } }`
	r := e.must(alnco, ledger, map[string]any{"id": f.plan1})
	if r.get("plan", "ledger", "rows", 0, "delivered") != 1.0 || r.get("plan", "ledger", "rows", 0, "planned") != 1.0 || len(r.get("plan", "sessions", "nodes").([]any)) != 1 {
		t.Fatalf("ledger after retries: %s", r.raw)
	}
	changed := []any{map[string]any{"rowId": "row_salt", "date": "2026-09-08", "status": "DELIVERED", "deliveredBy": "SaLT", "minutes": 45}}
	if rr := e.do(alnco, record, map[string]any{"p": f.plan1, "s": changed}); rr.code() != "CONFLICT" || !strings.Contains(string(rr.raw), "occurrence") {
		t.Fatalf("other details: %s", rr.raw)
	}
	second := []any{map[string]any{"rowId": "row_salt", "date": "2026-09-08", "status": "DELIVERED", "deliveredBy": "SaLT", "occurrence": 2}}
	if id := e.must(alnco, record, map[string]any{"p": f.plan1, "s": second}).str("recordSessions", "sessions", 0, "id"); id == first {
		t.Fatalf("occurrence 2 is the first session")
	}
	if r := e.must(alnco, ledger, map[string]any{"id": f.plan1}); r.get("plan", "ledger", "rows", 0, "delivered") != 2.0 {
		t.Fatalf("two sessions that day: %s", r.raw)
	}
	dup := append(append([]any(nil), s...), s...)
	if rr := e.do(alnco, record, map[string]any{"p": f.plan1, "s": dup}); rr.code() != "INVALID" {
		t.Fatalf("one session twice in a batch: %s", rr.raw)
	}
}
