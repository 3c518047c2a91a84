package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
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
		{"learner access list", "family", `query($id: ID!) { learner(id: $id) { access { id kind } } }`, func() map[string]any { return map[string]any{"id": f.l1} }},
		{"auditEvents", "audit", `query($id: ID!) { auditEvents(learnerId: $id) { edges { node { id } } } }`, func() map[string]any { return map[string]any{"id": f.l1} }},
		{"updateLearner", "write", `mutation($id: ID!, $in: LearnerInput!) { updateLearner(input: {id: $id, learner: $in}) { learner { id } } }`, func() map[string]any {
			return map[string]any{"id": f.l1, "in": map[string]any{"givenName": "Siôn", "familyName": "Llŷr", "dateOfBirth": "2017-10-22", "language": "CY", "laId": cardiff, "settingKind": "SCHOOL", "settingId": f.schoolA}}
		}},
		{"createPlan", "write", `mutation($in: CreatePlanInput!) { createPlan(input: $in) { plan { id } } }`, func() map[string]any {
			// The fixture's plan again: allowed writers get it back (one
			// plan per learner per maintaining body), the rest are refused.
			return map[string]any{"in": map[string]any{"learnerId": f.l1, "maintainerId": f.schoolA, "content": sampleContent("30 minutes of 1:1 speech and language therapy weekly")}}
		}},
		{"saveVersion", "write", `mutation($in: SaveVersionInput!) { saveVersion(input: $in) { version { number } } }`, func() map[string]any {
			return map[string]any{"in": map[string]any{"planId": f.plan1, "expectedVersion": current(), "content": sampleContent("matrix")}}
		}},
		{"grant parent access", "write", `mutation($in: GrantAccessInput!) { grantAccess(input: $in) { relationship { id } } }`, func() map[string]any {
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
				case o.kind == "family" && (rl.audit || rl.user == f.parent):
					// Issue 17: the family lists the relationships too.
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
	r := e.must(alnco, `mutation($in: CreateUserInput!) { createUser(input: $in) { user { id } } }`, map[string]any{"in": map[string]any{"name": "Eiriolwr SNAP", "email": "advocate@example.invalid"}})
	advocateID := r.str("createUser", "user", "id")

	// Staff cannot record consent on the family's behalf.
	ends := e.clock.Now().Add(48 * time.Hour).Format(time.RFC3339)
	grant := `mutation($in: GrantAccessInput!) { grantAccess(input: $in) { relationship { id consentBy endsAt active } } }`
	in := map[string]any{"in": map[string]any{"userId": advocateID, "kind": "ADVOCATE_FOR", "learnerId": f.l1, "endsAt": ends}}
	if c := e.do(alnco, grant, in).code(); c != "FORBIDDEN" {
		t.Fatalf("staff granting advocate access: %s", c)
	}
	// No end date: refused.
	if c := e.do(parent, grant, map[string]any{"in": map[string]any{"userId": advocateID, "kind": "ADVOCATE_FOR", "learnerId": f.l1}}).code(); c != "INVALID" {
		t.Fatalf("advocate without end date: %s", c)
	}
	r = e.must(parent, grant, in)
	if r.str("grantAccess", "relationship", "consentBy") != f.parent || r.get("grantAccess", "relationship", "active") != true {
		t.Fatalf("grant: %s", r.raw)
	}
	relID := r.str("grantAccess", "relationship", "id")
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
	e.must(parent, `mutation($id: ID!) { revokeAccess(input: {id: $id}) { relationship { endedAt active } } }`, map[string]any{"id": r.str("grantAccess", "relationship", "id")})
	e.must(parent, `mutation($id: ID!) { revokeAccess(input: {id: $id}) { relationship { endedAt } } }`, map[string]any{"id": relID})
	if c := e.do(adv, read, map[string]any{"id": f.plan1}).code(); c != "NOT_FOUND" {
		t.Fatalf("advocate after revocation: %s", c)
	}
	// Another user may not revoke (or learn of) the relationship.
	if c := e.do(e.token(f.parent2), `mutation($id: ID!) { revokeAccess(input: {id: $id}) { relationship { id } } }`, map[string]any{"id": relID}).code(); c != "NOT_FOUND" {
		t.Fatalf("stranger revoking: %s", c)
	}
}

// TestGrantMatrix extends the authorisation matrix with the grant table
// (policy.GrantTable): every role × every grantable kind, to another user
// and to themself, through the API, with the exact typed code. Learner
// grants are about l1 (the young person's about l3, their own record);
// staff grants name school A, officer grants Cardiff. Allowed grants
// record who granted them and as what.
func TestGrantMatrix(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	kinds := []string{"STAFF_OF", "OFFICER_OF", "PARENT_OF", "SELF", "ADVOCATE_FOR"}
	const (
		ok  = "OK"
		fb  = "FORBIDDEN"
		nf  = "NOT_FOUND"
		una = "UNAUTHENTICATED"
	)
	// The expected code of a grant to another user, written out per role
	// (not derived from the table: a change to the table must change this).
	type role struct {
		name, user, learner string
		other               map[string]string // kind → code
		grantedAs           string
	}
	learnerHidden := map[string]string{"STAFF_OF": fb, "OFFICER_OF": fb, "PARENT_OF": nf, "SELF": nf, "ADVOCATE_FOR": nf}
	roles := []role{
		{"administrator", f.admin, f.l1, map[string]string{"STAFF_OF": ok, "OFFICER_OF": ok, "PARENT_OF": nf, "SELF": nf, "ADVOCATE_FOR": nf}, "ADMIN"},
		{"ALNCo of the school", f.alnco, f.l1, map[string]string{"STAFF_OF": fb, "OFFICER_OF": fb, "PARENT_OF": ok, "SELF": ok, "ADVOCATE_FOR": fb}, "STAFF_OF"},
		{"LA officer", f.officer, f.l1, map[string]string{"STAFF_OF": fb, "OFFICER_OF": fb, "PARENT_OF": ok, "SELF": ok, "ADVOCATE_FOR": fb}, "OFFICER_OF"},
		{"parent", f.parent, f.l1, map[string]string{"STAFF_OF": fb, "OFFICER_OF": fb, "PARENT_OF": fb, "SELF": fb, "ADVOCATE_FOR": ok}, "PARENT_OF"},
		{"young person", f.youngPerson, f.l3, map[string]string{"STAFF_OF": fb, "OFFICER_OF": fb, "PARENT_OF": fb, "SELF": fb, "ADVOCATE_FOR": ok}, "SELF"},
		{"advocate with consent", f.advocate, f.l1, map[string]string{"STAFF_OF": fb, "OFFICER_OF": fb, "PARENT_OF": fb, "SELF": fb, "ADVOCATE_FOR": fb}, ""},
		{"advocate, consent ended", f.advocateExpired, f.l1, learnerHidden, ""},
		{"staff of another school", f.staffB, f.l1, learnerHidden, ""},
		{"officer of another LA", f.officerB, f.l1, learnerHidden, ""},
		{"parent of another child", f.parent2, f.l1, learnerHidden, ""},
		{"user with no relationships", f.stranger, f.l1, learnerHidden, ""},
		{"no token", "", f.l1, map[string]string{"STAFF_OF": una, "OFFICER_OF": una, "PARENT_OF": una, "SELF": una, "ADVOCATE_FOR": una}, ""},
	}
	ends := e.clock.Now().Add(30 * 24 * time.Hour).Format(time.RFC3339)
	grant := `mutation($in: GrantAccessInput!) { grantAccess(input: $in) { relationship { id userId kind grantedBy grantedAs active } } }`
	n := 0
	for _, rl := range roles {
		tok := ""
		if rl.user != "" {
			tok = e.token(rl.user)
		}
		for _, kind := range kinds {
			for _, self := range []bool{false, true} {
				name := fmt.Sprintf("%s/%s/other", rl.name, kind)
				if self {
					name = fmt.Sprintf("%s/%s/self", rl.name, kind)
				}
				t.Run(name, func(t *testing.T) {
					grantee := rl.user
					if !self || rl.user == "" {
						n++
						grantee = fmt.Sprintf("usr_grantee_%d", n)
						if err := e.db.UpsertUser(context.Background(), &cynllun.User{ID: grantee, Name: "Grantee", Email: grantee + "@example.invalid"}); err != nil {
							t.Fatal(err)
						}
					}
					in := map[string]any{"userId": grantee, "kind": kind}
					switch kind {
					case "STAFF_OF":
						in["orgId"] = f.schoolA
					case "OFFICER_OF":
						in["orgId"] = cardiff
					case "ADVOCATE_FOR":
						in["learnerId"], in["endsAt"] = rl.learner, ends
					default:
						in["learnerId"] = rl.learner
					}
					want := rl.other[kind]
					if self && rl.user != "" {
						want = fb
					}
					r := e.do(tok, grant, map[string]any{"in": in})
					if got := r.code(); got != want {
						t.Fatalf("got %s, want %s: %s", got, want, r.raw)
					}
					if want == ok {
						if r.str("grantAccess", "relationship", "grantedBy") != rl.user || r.str("grantAccess", "relationship", "grantedAs") != rl.grantedAs || r.get("grantAccess", "relationship", "active") != true {
							t.Fatalf("granted: %s", r.raw)
						}
					}
					if self && rl.user != "" && !strings.Contains(string(r.raw), "yourself") {
						t.Fatalf("self-grant refused without saying why: %s", r.raw)
					}
					if want != ok && (strings.Contains(string(r.raw), "Siôn") || strings.Contains(string(r.raw), "Llinos")) {
						t.Fatalf("refusal leaks learner data: %s", r.raw)
					}
				})
			}
		}
	}

	// Every self-grant was audited; those about l1 by people who may read
	// it are in l1's trail, with ids and the kind only.
	r := e.must(e.token(f.officer), `query($id: ID!) { auditEvents(learnerId: $id, first: 200) { edges { node { actorId part action reason } } } }`, map[string]any{"id": f.l1})
	refused := map[string][]string{}
	granted := 0
	for _, ed := range r.get("auditEvents", "edges").([]any) {
		nd := ed.(map[string]any)["node"].(map[string]any)
		switch {
		case nd["part"] == "access.grant" && nd["action"] == "refused-self-grant":
			refused[nd["actorId"].(string)] = append(refused[nd["actorId"].(string)], nd["reason"].(string))
		case nd["part"] == "access.grant" && nd["action"] == "granted":
			granted++
		}
	}
	for _, u := range []string{f.alnco, f.officer, f.parent, f.advocate} {
		if len(refused[u]) != 3 {
			t.Errorf("%s: %d self-grants about l1 audited in its trail (%v), want 3", u, len(refused[u]), refused[u])
		}
	}
	for _, u := range []string{f.staffB, f.officerB, f.parent2, f.stranger, f.admin, f.youngPerson} {
		if len(refused[u]) != 0 {
			t.Errorf("%s cannot read l1, yet their self-grant was written in its trail", u)
		}
	}
	if granted != 5 { // ALNCo and officer: PARENT_OF, SELF; parent: ADVOCATE_FOR
		t.Errorf("%d grants about l1 audited, want 5: %s", granted, r.raw)
	}
	if strings.Contains(string(r.raw), "Siôn") {
		t.Error("audit events contain learner data")
	}
}

// TestGrantUnknownUser: grantAccess answers an unknown user id and a user
// the granter may not grant to (an administrator's account) alike: the
// same code, field and message, and the same database commands, so it
// does not tell whether a user id exists.
func TestGrantUnknownUser(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	if err := e.db.UpsertUser(context.Background(), &cynllun.User{ID: "usr_admin2", Name: "Admin 2", Email: "a2@example.invalid", Admin: true}); err != nil {
		t.Fatal(err)
	}
	grant := `mutation($in: GrantAccessInput!) { grantAccess(input: $in) { relationship { id } } }`
	for _, c := range []struct {
		name, granter string
		in            map[string]any
		hidden        []string // users to be answered as unknown
	}{
		{"ALNCo grants PARENT_OF", f.alnco, map[string]any{"kind": "PARENT_OF", "learnerId": f.l1}, []string{f.admin, "usr_admin2"}},
		{"parent consents to an advocate", f.parent, map[string]any{"kind": "ADVOCATE_FOR", "learnerId": f.l1, "endsAt": e.clock.Now().Add(time.Hour).Format(time.RFC3339)}, []string{f.admin}},
		{"admin grants OFFICER_OF", f.admin, map[string]any{"kind": "OFFICER_OF", "orgId": cardiff}, []string{"usr_admin2"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			tok := e.token(c.granter)
			answer := func(user string) (string, []string) {
				in := map[string]any{"userId": user}
				for k, v := range c.in {
					in[k] = v
				}
				var r response
				_, names := e.count(func() { r = e.do(tok, grant, map[string]any{"in": in}) })
				if r.code() != "INVALID" {
					t.Fatalf("%s: %s", user, r.raw)
				}
				for _, e := range r.Errors {
					delete(e.Extensions, "requestId") // each request's own
				}
				b, _ := json.Marshal(r.Errors)
				return string(b), names
			}
			// A first request fills the access cache (the granter, the
			// learner), so the compared requests below differ only in the
			// grantee.
			answer("usr_does_not_exist")
			want, wantNames := answer("usr_does_not_exist")
			for _, u := range c.hidden {
				got, names := answer(u)
				if got != want {
					t.Errorf("%s answered %s, an unknown id %s", u, got, want)
				}
				if !slices.Equal(names, wantNames) {
					t.Errorf("%s cost commands %v, an unknown id %v", u, names, wantNames)
				}
			}
			// Timing, measured interleaved (reported; the equal command
			// lists above are what keeps it alike).
			var tu, th []time.Duration
			for range 15 {
				for _, u := range []string{"usr_does_not_exist", c.hidden[0]} {
					start := time.Now()
					answer(u)
					if u == c.hidden[0] {
						th = append(th, time.Since(start))
					} else {
						tu = append(tu, time.Since(start))
					}
				}
			}
			mu, mh := median(tu), median(th)
			t.Logf("median answer: unknown id %v, hidden user %v", mu, mh)
		})
	}
}

func sameTime(v any, want time.Time) bool {
	s, _ := v.(string)
	got, err := time.Parse(time.RFC3339, s)
	return err == nil && got.Equal(want.Truncate(time.Millisecond))
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// TestAdminReachesNoLearner: an administrator holding OFFICER_OF (granted
// by another administrator before such grants were refused) reads no
// learner data; granting a staff or officer role to an administrator's
// account is refused; an administrator granting themself is refused and
// audited.
func TestAdminReachesNoLearner(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	ctx := context.Background()
	if err := e.db.CreateRelationship(ctx, &cynllun.Relationship{ID: cynllun.NewID(cynllun.PrefixRelationship), UserID: f.admin, Kind: cynllun.RelOfficerOf, OrgID: cardiff, CreatedAt: e.clock.Now(), CreatedBy: "usr_admin_other"}); err != nil {
		t.Fatal(err)
	}
	admin := e.token(f.admin)
	for name, q := range map[string]string{
		"learner":     `query($id: ID!) { learner(id: $id) { givenName } }`,
		"plan":        `query($id: ID!) { plan(id: $id) { currentVersion { content { meetingSummary } } } }`,
		"auditEvents": `query($id: ID!) { auditEvents(learnerId: $id) { edges { node { id } } } }`,
	} {
		id := f.l1
		if name == "plan" {
			id = f.plan1
		}
		if r := e.do(admin, q, map[string]any{"id": id}); r.code() != "NOT_FOUND" {
			t.Errorf("%s: %s", name, r.raw)
		}
	}
	r := e.must(admin, `{ learners(first: 100) { edges { node { id } } } }`, nil)
	if len(r.get("learners", "edges").([]any)) != 0 {
		t.Errorf("admin lists learners: %s", r.raw)
	}
	grant := `mutation($in: GrantAccessInput!) { grantAccess(input: $in) { relationship { id } } }`
	if c := e.do(admin, grant, map[string]any{"in": map[string]any{"userId": f.admin, "kind": "OFFICER_OF", "orgId": cardiff}}).code(); c != "FORBIDDEN" {
		t.Errorf("admin granting themself OFFICER_OF: %s", c)
	}
	// The admin keeps managing organisations: a staff role for someone else.
	e.must(admin, grant, map[string]any{"in": map[string]any{"userId": f.stranger, "kind": "STAFF_OF", "orgId": f.schoolA}})
}

// TestSelfGrantedParent replays issue 14's attack: a teacher who grants
// themself PARENT_OF is refused. The same relationship stored before the
// fix gives no access, and the advocate the "parent" consented to reads
// nothing; a parent recorded by a teacher keeps access after the
// teacher's staff role ends, and the record shows who granted it, as what.
func TestSelfGrantedParent(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	ctx := context.Background()
	now := e.clock.Now()
	for _, id := range []string{"usr_teacher", "usr_outsider", "usr_mother"} {
		if err := e.db.UpsertUser(ctx, &cynllun.User{ID: id, Name: "User " + id, Email: id + "@example.invalid", CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	staffRel := &cynllun.Relationship{ID: cynllun.NewID(cynllun.PrefixRelationship), UserID: "usr_teacher", Kind: cynllun.RelStaffOf, OrgID: f.schoolA, StaffRole: "teacher", CreatedAt: now, CreatedBy: f.admin}
	if err := e.db.CreateRelationship(ctx, staffRel); err != nil {
		t.Fatal(err)
	}
	teacher := e.token("usr_teacher")
	grant := `mutation($in: GrantAccessInput!) { grantAccess(input: $in) { relationship { id grantedBy grantedAs } } }`
	if c := e.do(teacher, grant, map[string]any{"in": map[string]any{"userId": "usr_teacher", "kind": "PARENT_OF", "learnerId": f.l1}}).code(); c != "FORBIDDEN" {
		t.Fatalf("teacher granting themself PARENT_OF: %s", c)
	}
	// The teacher records the child's mother (as staff).
	r := e.must(teacher, grant, map[string]any{"in": map[string]any{"userId": "usr_mother", "kind": "PARENT_OF", "learnerId": f.l1}})
	if r.str("grantAccess", "relationship", "grantedBy") != "usr_teacher" || r.str("grantAccess", "relationship", "grantedAs") != "STAFF_OF" {
		t.Fatalf("grant: %s", r.raw)
	}
	motherRel := r.str("grantAccess", "relationship", "id")

	// Existing data: the self-granted parent relationship, and the consent
	// given through it, as stored before the fix.
	selfRel := &cynllun.Relationship{ID: cynllun.NewID(cynllun.PrefixRelationship), UserID: "usr_teacher", Kind: cynllun.RelParentOf, LearnerID: f.l1, CreatedAt: now, CreatedBy: "usr_teacher"}
	advRel := &cynllun.Relationship{ID: cynllun.NewID(cynllun.PrefixRelationship), UserID: "usr_outsider", Kind: cynllun.RelAdvocateOf, LearnerID: f.l1, ConsentBy: "usr_teacher", EndsAt: now.Add(90 * 24 * time.Hour), CreatedAt: now, CreatedBy: "usr_teacher"}
	for _, rel := range []*cynllun.Relationship{selfRel, advRel} {
		if err := e.db.CreateRelationship(ctx, rel); err != nil {
			t.Fatal(err)
		}
	}
	read := `query($id: ID!) { plan(id: $id) { currentVersion { content { meetingSummary } } } }`
	if c := e.do(e.token("usr_outsider"), read, map[string]any{"id": f.plan1}).code(); c != "NOT_FOUND" {
		t.Errorf("advocate consented by a self-granted parent reads the plan: %s", c)
	}
	// The admin ends the teacher's staff role.
	e.must(e.token(f.admin), `mutation($id: ID!) { revokeAccess(input: {id: $id}) { relationship { endedAt } } }`, map[string]any{"id": staffRel.ID})
	if c := e.do(teacher, read, map[string]any{"id": f.plan1}).code(); c != "NOT_FOUND" {
		t.Errorf("teacher after leaving, with a self-granted PARENT_OF: %s", c)
	}
	if c := e.do(teacher, grant, map[string]any{"in": map[string]any{"userId": "usr_outsider", "kind": "ADVOCATE_FOR", "learnerId": f.l1, "endsAt": now.Add(time.Hour).Format(time.RFC3339)}}).code(); c != "NOT_FOUND" {
		t.Errorf("teacher after leaving consents to an advocate: %s", c)
	}
	// The mother the teacher recorded keeps access: her relationship ends
	// only by its own end date or a revocation.
	if c := e.do(e.token("usr_mother"), read, map[string]any{"id": f.plan1}).code(); c != "OK" {
		t.Errorf("parent recorded by a teacher who left: %s", c)
	}
	// Those who maintain the record see who granted what, as what, and
	// that the self-granted relationship gives nothing.
	r = e.must(e.token(f.alnco), `query($id: ID!) { learner(id: $id) { access { id kind grantedBy grantedAs grantorRoleEndedAt active } } }`, map[string]any{"id": f.l1})
	seen := 0
	for _, a := range r.get("learner", "access").([]any) {
		a := a.(map[string]any)
		switch a["id"] {
		case motherRel:
			seen++
			if a["grantedBy"] != "usr_teacher" || a["grantedAs"] != "STAFF_OF" || a["active"] != true || !sameTime(a["grantorRoleEndedAt"], now) {
				t.Errorf("mother's relationship: %v", a)
			}
		case selfRel.ID:
			seen++
			if a["active"] != false || a["grantedAs"] != nil {
				t.Errorf("self-granted relationship: %v", a)
			}
		}
	}
	if seen != 2 {
		t.Errorf("access list: %s", r.raw)
	}
	// The mother sees her own relationship, not the grantor's status.
	r = e.must(e.token("usr_mother"), `{ me { relationships { id grantorRoleEndedAt } } }`, nil)
	if r.get("me", "relationships", 0, "grantorRoleEndedAt") != nil {
		t.Errorf("grantor's status shown to the holder: %s", r.raw)
	}
}
