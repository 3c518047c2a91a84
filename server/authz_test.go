package server_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cynllun/cynllun"
)

// TestAuthorizationMatrix runs every role against learner l1 (at school A in
// Cardiff, with a plan) for every query and mutation, and checks the exact
// outcome: allowed, FORBIDDEN (may read, may not write), NOT_FOUND (may not
// see), UNAUTHENTICATED (no token). Zero leaks: a NOT_FOUND response holds
// no data of the learner.
func TestAuthorizationMatrix(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()

	type role struct {
		name, user  string
		read, write bool
		audit       bool
	}
	roles := []role{
		{"ALNCo of the school", f.alnco, true, true, true},
		{"LA officer", f.officer, true, true, true},
		{"parent", f.parent, true, false, false},
		{"advocate with consent", f.advocate, true, false, false},
		{"advocate, consent ended", f.advocateExpired, false, false, false},
		{"staff of another school", f.staffB, false, false, false},
		{"officer of another LA", f.officerB, false, false, false},
		{"parent of another child", f.parent2, false, false, false},
		{"another young person", f.youngPerson, false, false, false},
		{"administrator", f.admin, false, false, false},
		{"user with no relationships", f.stranger, false, false, false},
		{"no token", "", false, false, false},
	}
	type op struct {
		name  string
		kind  string // read, write, audit, list
		query string
		vars  func() map[string]any
	}
	alncoTok := e.token(f.alnco)
	grantees := 0
	current := func() int {
		r := e.must(alncoTok, `query($id: ID!) { plan(id: $id) { currentVersionNumber } }`, map[string]any{"id": f.plan1})
		return int(r.get("plan", "currentVersionNumber").(float64))
	}
	ops := []op{
		{"learner", "read", `query($id: ID!) { learner(id: $id) { id givenName dateOfBirth } }`, func() map[string]any { return map[string]any{"id": f.l1} }},
		{"node(learner)", "read", `query($id: ID!) { node(id: $id) { id ... on Learner { givenName } } }`, func() map[string]any { return map[string]any{"id": f.l1} }},
		{"plan", "read", `query($id: ID!) { plan(id: $id) { id learner { givenName } } }`, func() map[string]any { return map[string]any{"id": f.plan1} }},
		{"node(version)", "read", `query($id: ID!) { node(id: $id) { id ... on PlanVersion { content { meetingSummary } } } }`, func() map[string]any { return map[string]any{"id": f.plan1 + "/v1"} }},
		{"plan content", "read", `query($id: ID!) { plan(id: $id) { currentVersion { content { provision { provision } } } } }`, func() map[string]any { return map[string]any{"id": f.plan1} }},
		{"plan versions", "read", `query($id: ID!) { plan(id: $id) { versions { edges { node { number } } } } }`, func() map[string]any { return map[string]any{"id": f.plan1} }},
		{"compareVersions", "read", `query($id: ID!) { compareVersions(planId: $id, from: 1, to: 1) { changes { summary } } }`, func() map[string]any { return map[string]any{"id": f.plan1} }},
		{"learner's plans", "read", `query($id: ID!) { learner(id: $id) { plans { id } } }`, func() map[string]any { return map[string]any{"id": f.l1} }},
		{"learners list", "list", `{ learners(first: 100) { edges { node { id givenName } } } }`, func() map[string]any { return nil }},
		{"learner access list", "audit", `query($id: ID!) { learner(id: $id) { access { id kind } } }`, func() map[string]any { return map[string]any{"id": f.l1} }},
		{"auditEvents", "audit", `query($id: ID!) { auditEvents(learnerId: $id) { edges { node { id } } } }`, func() map[string]any { return map[string]any{"id": f.l1} }},
		{"updateLearner", "write", `mutation($id: ID!, $in: LearnerInput!) { updateLearner(id: $id, input: $in) { id } }`, func() map[string]any {
			return map[string]any{"id": f.l1, "in": map[string]any{"givenName": "Siôn", "familyName": "Llŷr", "dateOfBirth": "2017-10-22", "language": "CY", "laId": cardiff, "settingKind": "SCHOOL", "settingId": f.schoolA}}
		}},
		{"createPlan", "write", `mutation($in: CreatePlanInput!) { createPlan(input: $in) { id } }`, func() map[string]any {
			return map[string]any{"in": map[string]any{"learnerId": f.l1, "maintainerId": f.schoolA}}
		}},
		{"saveVersion", "write", `mutation($in: SaveVersionInput!) { saveVersion(input: $in) { number } }`, func() map[string]any {
			return map[string]any{"in": map[string]any{"planId": f.plan1, "expectedVersion": current(), "content": sampleContent("matrix")}}
		}},
		{"grant parent access", "write", `mutation($in: GrantAccessInput!) { grantAccess(input: $in) { id } }`, func() map[string]any {
			// A fresh grantee each time, so a successful grant changes no
			// other row of the matrix.
			grantees++
			id := fmt.Sprintf("usr_grantee_%d", grantees)
			if err := e.db.UpsertUser(context.Background(), &cynllun.User{ID: id, Name: "Grantee", Email: id + "@example.invalid"}); err != nil {
				t.Fatal(err)
			}
			return map[string]any{"in": map[string]any{"userId": id, "kind": "PARENT_OF", "learnerId": f.l1}}
		}},
	}
	for _, rl := range roles {
		tok := ""
		if rl.user != "" {
			tok = e.token(rl.user)
		}
		for _, o := range ops {
			t.Run(rl.name+"/"+o.name, func(t *testing.T) {
				r := e.do(tok, o.query, o.vars())
				got := r.code()
				var want string
				switch {
				case rl.user == "":
					want = "UNAUTHENTICATED"
				case o.kind == "list":
					want = "OK"
				case !rl.read:
					want = "NOT_FOUND"
				case o.kind == "read":
					want = "OK"
				case o.kind == "write" && rl.write, o.kind == "audit" && rl.audit:
					want = "OK"
				default:
					want = "FORBIDDEN"
				}
				if got != want {
					t.Fatalf("%s: got %s, want %s: %s", o.name, got, want, r.raw)
				}
				// The list shows l1 exactly to those who may read it.
				if o.kind == "list" && rl.user != "" {
					if has := strings.Contains(string(r.raw), f.l1); has != rl.read {
						t.Fatalf("learners list contains l1 = %v, want %v", has, rl.read)
					}
				}
				if got != "OK" && (strings.Contains(string(r.raw), "Siôn") || strings.Contains(string(r.raw), "Llŷr") || strings.Contains(string(r.raw), "therapy")) {
					t.Fatalf("denied response leaks learner data: %s", r.raw)
				}
			})
		}
	}
}

// TestConsentExpiry: an advocate's access ends the moment consent ends,
// whether by its end date passing or by a parent revoking it.
func TestConsentExpiry(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	parent := e.token(f.parent)
	alnco := e.token(f.alnco)
	r := e.must(alnco, `mutation($in: CreateUserInput!) { createUser(input: $in) { id } }`, map[string]any{"in": map[string]any{"name": "Eiriolwr SNAP", "email": "advocate@example.invalid"}})
	advocateID := r.str("createUser", "id")

	// Staff cannot record consent on the family's behalf.
	ends := e.clock.Now().Add(48 * time.Hour).Format(time.RFC3339)
	grant := `mutation($in: GrantAccessInput!) { grantAccess(input: $in) { id consentBy endsAt active } }`
	in := map[string]any{"in": map[string]any{"userId": advocateID, "kind": "ADVOCATE_FOR", "learnerId": f.l1, "endsAt": ends}}
	if c := e.do(alnco, grant, in).code(); c != "FORBIDDEN" {
		t.Fatalf("staff granting advocate access: %s", c)
	}
	// No end date: refused.
	if c := e.do(parent, grant, map[string]any{"in": map[string]any{"userId": advocateID, "kind": "ADVOCATE_FOR", "learnerId": f.l1}}).code(); c != "INVALID" {
		t.Fatalf("advocate without end date: %s", c)
	}
	r = e.must(parent, grant, in)
	if r.str("grantAccess", "consentBy") != f.parent || r.get("grantAccess", "active") != true {
		t.Fatalf("grant: %s", r.raw)
	}
	relID := r.str("grantAccess", "id")
	adv := e.token(advocateID)
	read := `query($id: ID!) { plan(id: $id) { currentVersion { content { meetingSummary } } } }`
	if c := e.do(adv, read, map[string]any{"id": f.plan1}).code(); c != "OK" {
		t.Fatalf("advocate with consent: %s", c)
	}
	// The end date passes: access ends at once.
	e.clock.Advance(48*time.Hour + time.Second)
	if c := e.do(adv, read, map[string]any{"id": f.plan1}).code(); c != "NOT_FOUND" {
		t.Fatalf("advocate after consent ended: %s", c)
	}
	e.clock.Advance(-48*time.Hour - time.Second)

	// A fresh consent, then revoked by the parent: the next request fails.
	r = e.must(parent, grant, map[string]any{"in": map[string]any{"userId": advocateID, "kind": "ADVOCATE_FOR", "learnerId": f.l1, "endsAt": ends}})
	if c := e.do(adv, read, map[string]any{"id": f.plan1}).code(); c != "OK" {
		t.Fatalf("advocate with renewed consent: %s", c)
	}
	e.must(parent, `mutation($id: ID!) { revokeAccess(id: $id) { endedAt active } }`, map[string]any{"id": r.str("grantAccess", "id")})
	e.must(parent, `mutation($id: ID!) { revokeAccess(id: $id) { endedAt } }`, map[string]any{"id": relID})
	if c := e.do(adv, read, map[string]any{"id": f.plan1}).code(); c != "NOT_FOUND" {
		t.Fatalf("advocate after revocation: %s", c)
	}
	// Another user may not revoke (or learn of) the relationship.
	if c := e.do(e.token(f.parent2), `mutation($id: ID!) { revokeAccess(id: $id) { id } }`, map[string]any{"id": relID}).code(); c != "NOT_FOUND" {
		t.Fatalf("stranger revoking: %s", c)
	}
}
