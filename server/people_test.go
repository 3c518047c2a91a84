package server_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cynllun/cynllun"
)

const personFields = `id userId learnerId displayName roles { kind staffRole organisation { id } current }`

// TestPeople: who did it, as the learner's readers may know them. A
// parent, the advocate and an officer see the ALNCo who saved a version
// by name and role; a former member of staff stays named, with her role
// ended; another parent is not named to a parent; an unrelated user and
// a user that does not exist are alike (null, NOT_FOUND by node, and no
// name in any answer); a page of audit events resolves its actors in one
// batch of reads by _id.
func TestPeople(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	ctx := context.Background()
	now := e.clock.Now()
	alnco, officer, parent, advocate := e.token(f.alnco), e.token(f.officer), e.token(f.parent), e.token(f.advocate)
	// A second parent of l1, and a teacher who saves version 2 and then
	// leaves the school.
	for _, id := range []string{"usr_parent_b", "usr_former"} {
		if err := e.db.UpsertUser(ctx, userFor(id, now)); err != nil {
			t.Fatal(err)
		}
	}
	former := &cynllun.Relationship{ID: cynllun.NewID(cynllun.PrefixRelationship), UserID: "usr_former", Kind: cynllun.RelStaffOf,
		OrgID: f.schoolA, StaffRole: "Class teacher", CreatedAt: now, CreatedBy: f.admin}
	for _, r := range []*cynllun.Relationship{former, {ID: cynllun.NewID(cynllun.PrefixRelationship), UserID: "usr_parent_b",
		Kind: cynllun.RelParentOf, LearnerID: f.l1, CreatedAt: now, CreatedBy: f.alnco}} {
		if err := e.db.CreateRelationship(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	parentB := e.token("usr_parent_b")
	e.must(e.token("usr_former"), `mutation($in: SaveVersionInput!) { saveVersion(input: $in) { version { number } } }`, map[string]any{"in": map[string]any{
		"planId": f.plan1, "expectedVersion": 1, "content": sampleContent("30 minutes of 1:1 speech and language therapy weekly")}})
	if err := e.db.EndRelationship(ctx, former.ID, now); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Minute)
	// The parent asks for a review: the review's author is the parent.
	reviewID := e.must(parent, `mutation($in: RequestReviewInput!) { requestReview(input: $in) { review { id } } }`, map[string]any{"in": map[string]any{
		"planId": f.plan1, "reason": "Mae angen mwy o SaLT."}}).str("requestReview", "review", "id")

	versions := `query($id: ID!) { plan(id: $id) { v1: version(number: 1) { createdBy createdByPerson { ` + personFields + ` } }
		v2: version(number: 2) { createdBy createdByPerson { ` + personFields + ` } } } }`
	for name, tok := range map[string]string{"parent": parent, "other parent": parentB, "advocate": advocate, "officer": officer, "ALNCo": alnco} {
		r := e.must(tok, versions, map[string]any{"id": f.plan1})
		if r.str("plan", "v1", "createdBy") != f.alnco {
			t.Fatalf("%s: the id field changed: %s", name, r.raw)
		}
		p1 := r.get("plan", "v1", "createdByPerson")
		if p1 == nil || r.str("plan", "v1", "createdByPerson", "displayName") != "User "+f.alnco ||
			r.str("plan", "v1", "createdByPerson", "id") != f.alnco+"@"+f.l1 || r.str("plan", "v1", "createdByPerson", "userId") != f.alnco ||
			r.str("plan", "v1", "createdByPerson", "roles", 0, "kind") != "STAFF_OF" || r.str("plan", "v1", "createdByPerson", "roles", 0, "staffRole") != "ALNCo" ||
			r.str("plan", "v1", "createdByPerson", "roles", 0, "organisation", "id") != f.schoolA || r.get("plan", "v1", "createdByPerson", "roles", 0, "current") != true {
			t.Errorf("%s sees the ALNCo as %s", name, r.raw)
		}
		if r.str("plan", "v2", "createdByPerson", "displayName") != "User usr_former" || r.get("plan", "v2", "createdByPerson", "roles", 0, "current") != false ||
			r.str("plan", "v2", "createdByPerson", "roles", 0, "staffRole") != "Class teacher" {
			t.Errorf("%s sees the former teacher as %s", name, r.raw)
		}
	}

	// The review request's author: named to staff, officers and the
	// advocate, not to the other parent.
	rq := `query($id: ID!) { review(id: $id) { createdBy createdByPerson { displayName roles { kind } } } }`
	for name, tc := range map[string]struct {
		tok   string
		named bool
	}{"ALNCo": {alnco, true}, "officer": {officer, true}, "advocate": {advocate, true}, "the parent themself": {parent, true}, "other parent": {parentB, false}} {
		r := e.must(tc.tok, rq, map[string]any{"id": reviewID})
		if r.str("review", "createdBy") != f.parent {
			t.Fatalf("%s: %s", name, r.raw)
		}
		if got := r.get("review", "createdByPerson") != nil; got != tc.named {
			t.Errorf("%s: parent named %v, want %v: %s", name, got, tc.named, r.raw)
		}
		if !tc.named && strings.Contains(string(r.raw), "User "+f.parent) {
			t.Errorf("%s: the parent's name is in the answer: %s", name, r.raw)
		}
	}
	if r := e.must(alnco, rq, map[string]any{"id": reviewID}); r.str("review", "createdByPerson", "roles", 0, "kind") != "PARENT_OF" {
		t.Errorf("the parent's role: %s", r.raw)
	}

	// An actor unrelated to the learner and one that does not exist are
	// alike: null, and no name anywhere.
	if err := e.db.RecordAudit(ctx, []cynllun.AuditEvent{
		{ID: cynllun.NewID(cynllun.PrefixAudit), At: now.Add(2 * time.Minute), ActorID: f.staffB, LearnerID: f.l1, Part: "plan.version.content", Action: "read", Reason: "STAFF_OF"},
		{ID: cynllun.NewID(cynllun.PrefixAudit), At: now.Add(3 * time.Minute), ActorID: "usr_nobody", LearnerID: f.l1, Part: "plan.version.content", Action: "read", Reason: "STAFF_OF"},
	}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(5 * time.Minute)
	audit := `query($id: ID!) { auditEvents(learnerId: $id, first: 100) { edges { node { actorId actor { ` + personFields + ` } } } } }`
	var r response
	n, names := e.count(func() { r = e.must(officer, audit, map[string]any{"id": f.l1}) })
	actors := map[string]any{}
	for _, x := range r.get("auditEvents", "edges").([]any) {
		node := x.(map[string]any)["node"].(map[string]any)
		actors[node["actorId"].(string)] = node["actor"]
	}
	for _, id := range []string{f.staffB, "usr_nobody"} {
		if a, ok := actors[id]; !ok || a != nil {
			t.Errorf("actor %s: %v (present %v)", id, a, ok)
		}
	}
	for _, id := range []string{f.alnco, f.parent} {
		if a, _ := actors[id].(map[string]any); a == nil || a["displayName"] != "User "+id {
			t.Errorf("actor %s: %v", id, actors[id])
		}
	}
	if strings.Contains(string(r.raw), "User "+f.staffB) {
		t.Errorf("an unrelated user's name is in the answer: %s", r.raw)
	}
	// One batch: each distinct actor read once, by _id; nothing scanned.
	users := 0
	for _, c := range names {
		if c == "find users" {
			users++
		}
	}
	if e.scans.Load() != 0 || users > len(actors) {
		t.Errorf("%d commands, %d reads of users for %d actors, %d scans: %v", n, users, len(actors), e.scans.Load(), names)
	}

	// node(id:) by a person's id: the same answer for an unrelated user, a
	// user that does not exist, a learner the reader may not read, and a
	// malformed id.
	node := `query($id: ID!) { node(id: $id) { __typename id ... on Person { displayName } } }`
	if r := e.must(parent, node, map[string]any{"id": f.alnco + "@" + f.l1}); r.str("node", "__typename") != "Person" || r.str("node", "displayName") != "User "+f.alnco {
		t.Errorf("node(person): %s", r.raw)
	}
	for _, tc := range []struct{ tok, id string }{
		{officer, f.staffB + "@" + f.l1}, {officer, "usr_nobody@" + f.l1}, {e.token(f.stranger), f.alnco + "@" + f.l1},
		{parentB, f.parent + "@" + f.l1}, {officer, f.alnco + "@" + f.l1 + "/v1"}, {officer, f.alnco + "@"},
	} {
		if r := e.do(tc.tok, node, map[string]any{"id": tc.id}); r.code() != "NOT_FOUND" || r.get("node") != nil || strings.Contains(string(r.raw), "User ") {
			t.Errorf("node(%s): %s", tc.id, r.raw)
		}
	}

	// Every Person field resolves its id field's user: the ALNCo decides
	// the parent's request, finalises over findings and records a session;
	// the officer opens a case, adds evidence and asks for a bundle. The
	// parent sees each of them named.
	e.must(alnco, `mutation($in: DecideReviewRequestInput!) { decideReviewRequest(input: $in) { review { status } } }`,
		map[string]any{"in": map[string]any{"id": reviewID, "expectedRevision": 1, "accept": true}})
	e.must(alnco, `mutation($in: SaveVersionInput!) { saveVersion(input: $in) { version { number } } }`, map[string]any{"in": map[string]any{
		"planId": f.plan1, "expectedVersion": 2, "status": "FINAL", "content": vagueContent(), "overrideReason": "Agreed at the meeting"}})
	e.must(alnco, `mutation($p: ID!, $s: [SessionInput!]!) { recordSessions(input: {planId: $p, sessions: $s}) { sessions { id } } }`, map[string]any{"p": f.plan1,
		"s": []any{map[string]any{"rowId": "row_salt", "date": "2026-09-08", "status": "DELIVERED", "deliveredBy": "SaLT"}}})
	caseID := e.must(officer, `mutation($in: OpenCaseInput!) { openCase(input: $in) { case { id } } }`, map[string]any{"in": map[string]any{
		"learnerId": f.l1, "kind": "DISAGREEMENT", "title": "Anghytundeb", "decision": map[string]any{"kind": "PROVISION"}}}).str("openCase", "case", "id")
	if r := e.addEvidence(officer, map[string]any{"caseId": caseID, "title": "SaLT report", "kind": "REPORT"}, "report.pdf", "application/pdf", tablePDF(t, "SaLT", 1)); r.code() != "OK" {
		t.Fatalf("evidence: %s", r.raw)
	}
	e.must(officer, `mutation($id: ID!) { renderBundle(input: {caseId: $id}) { bundle { id } } }`, map[string]any{"id": caseID})
	all := e.must(parent, `query($p: ID!, $r: ID!, $c: ID!, $l: ID!) {
		plan(id: $p) { version(number: 3) { qualityOverride { by byPerson { displayName } } } sessions { nodes { recordedBy recordedByPerson { displayName } } } }
		review(id: $r) { request { decidedBy decidedByPerson { displayName } } revisions { nodes { createdBy createdByPerson { displayName } } } }
		case(id: $c) { createdByPerson { displayName } updatedByPerson { displayName } evidence { nodes { createdByPerson { displayName } } }
			bundles { nodes { createdByPerson { displayName } } } revisions { nodes { createdByPerson { displayName } updatedByPerson { displayName } } } }
		learner(id: $l) { events { nodes { recordedBy recordedByPerson { displayName } } } } }`,
		map[string]any{"p": f.plan1, "r": reviewID, "c": caseID, "l": f.l1})
	for _, tc := range []struct {
		path []any
		user string
	}{
		{[]any{"plan", "version", "qualityOverride", "byPerson"}, f.alnco},
		{[]any{"plan", "sessions", "nodes", 0, "recordedByPerson"}, f.alnco},
		{[]any{"review", "request", "decidedByPerson"}, f.alnco},
		{[]any{"review", "revisions", "nodes", 1, "createdByPerson"}, f.alnco},
		{[]any{"case", "createdByPerson"}, f.officer},
		{[]any{"case", "updatedByPerson"}, f.officer},
		{[]any{"case", "evidence", "nodes", 0, "createdByPerson"}, f.officer},
		{[]any{"case", "bundles", "nodes", 0, "createdByPerson"}, f.officer},
		{[]any{"case", "revisions", "nodes", 0, "createdByPerson"}, f.officer},
		{[]any{"case", "revisions", "nodes", 0, "updatedByPerson"}, f.officer},
	} {
		if got := all.str(append(tc.path, "displayName")...); got != "User "+tc.user {
			t.Errorf("%v: %q, want %s's name", tc.path, got, tc.user)
		}
	}
	named := 0
	for _, x := range all.get("learner", "events", "nodes").([]any) {
		m := x.(map[string]any)
		if p, _ := m["recordedByPerson"].(map[string]any); p != nil && p["displayName"] == "User "+m["recordedBy"].(string) {
			named++
		}
	}
	if named == 0 {
		t.Errorf("no statutory event names who recorded it: %s", all.raw)
	}

	// Relationships: maintainers see their holders and grantors.
	acc := e.must(alnco, `query($id: ID!) { learner(id: $id) { access { userId person { displayName } grantedBy grantedByPerson { displayName } consentBy consentByPerson { displayName } } } }`, map[string]any{"id": f.l1})
	for _, x := range acc.get("learner", "access").([]any) {
		m := x.(map[string]any)
		if p, _ := m["person"].(map[string]any); p == nil || p["displayName"] != "User "+m["userId"].(string) {
			t.Errorf("holder of %v", m)
		}
		if m["consentBy"] != nil {
			if p, _ := m["consentByPerson"].(map[string]any); p == nil || p["displayName"] != "User "+f.parent {
				t.Errorf("consent of %v", m)
			}
		}
		if m["grantedBy"] == f.alnco {
			if p, _ := m["grantedByPerson"].(map[string]any); p == nil || p["displayName"] != "User "+f.alnco {
				t.Errorf("grantor of %v", m)
			}
		}
	}
}
