package server_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/cynllun/cynllun"
)

// TestViewerCanAgrees: for every role of the fixture (and a teacher who is
// not the ALNCo), each viewerCan… field is what the mutation then does:
// true, and the mutation succeeds; false, and it is FORBIDDEN (or
// NOT_FOUND where the object is not the viewer's to see, when the field
// cannot be read either).
func TestViewerCanAgrees(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	ctx := context.Background()
	now := e.clock.Now()
	alnco, officer := e.token(f.alnco), e.token(f.officer)
	check := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	const teacher = "usr_teacher"
	check(e.db.UpsertUser(ctx, userFor(teacher, now)))
	check(e.db.CreateRelationship(ctx, &cynllun.Relationship{ID: cynllun.NewID(cynllun.PrefixRelationship), UserID: teacher,
		Kind: cynllun.RelStaffOf, OrgID: f.schoolA, StaffRole: "Class teacher", CreatedAt: now, CreatedBy: f.admin}))
	roles := []string{f.alnco, teacher, f.officer, f.parent, f.advocate, f.staffB, f.officerB, f.parent2, f.youngPerson, f.advocateExpired, f.admin, f.stranger}

	reviewID := e.must(alnco, `mutation($in: OpenReviewInput!) { openReview(input: $in) { review { id } } }`,
		map[string]any{"in": map[string]any{"planId": f.plan1, "type": "ANNUAL"}}).str("openReview", "review", "id")
	decision := map[string]any{"kind": "PROVISION", "description": "SaLT left out."}
	caseID := e.must(officer, `mutation($in: OpenCaseInput!) { openCase(input: $in) { case { id } } }`, map[string]any{"in": map[string]any{
		"learnerId": f.l1, "kind": "DISAGREEMENT", "title": "Anghytundeb", "decision": decision}}).str("openCase", "case", "id")
	if r := e.addEvidence(officer, map[string]any{"caseId": caseID, "title": "SaLT report", "kind": "REPORT"}, "report.pdf", "application/pdf", tablePDF(t, "SaLT", 1)); r.code() != "OK" {
		t.Fatalf("evidence: %s", r.raw)
	}
	learnerIn := e.must(alnco, `query($id: ID!) { learner(id: $id) { dateOfBirth } }`, map[string]any{"id": f.l1}).str("learner", "dateOfBirth")
	// Each role gets relationships of its own to revoke: a parent's,
	// granted by the ALNCo, and an advocate's, consented to by the parent.
	victims := map[string][]string{}
	for i, role := range roles {
		ids := make([]string, 2)
		for j, kind := range []cynllun.RelKind{cynllun.RelParentOf, cynllun.RelAdvocateOf} {
			user := fmt.Sprintf("usr_victim%d_%d", i, j)
			check(e.db.UpsertUser(ctx, userFor(user, now)))
			r := &cynllun.Relationship{ID: cynllun.NewID(cynllun.PrefixRelationship), UserID: user, Kind: kind, LearnerID: f.l1, CreatedAt: now, CreatedBy: f.alnco}
			if kind == cynllun.RelAdvocateOf {
				r.ConsentBy, r.CreatedBy, r.EndsAt = f.parent, f.parent, now.Add(30*24*time.Hour)
			}
			check(e.db.CreateRelationship(ctx, r))
			ids[j] = r.ID
		}
		victims[role] = ids
	}

	const canQuery = `query($l: ID!, $p: ID!, $r: ID!, $c: ID!) {
		learner(id: $l) { viewerCanEdit viewerCanUpload viewerCanOpenCase viewerCanManageAccess viewerCanGrant }
		plan(id: $p) { currentVersionNumber viewerCanEdit viewerCanFinalise viewerCanOverrideFindings viewerCanRequestReview viewerCanOpenReview viewerCanRender }
		review(id: $r) { viewerCanEdit viewerCanRender }
		case(id: $c) { viewerCanEdit viewerCanRender } }`
	grantee := 0
	seen := map[string]response{}
	for i, role := range roles {
		t.Run(role, func(t *testing.T) {
			tok := e.token(role)
			can := e.do(tok, canQuery, map[string]any{"l": f.l1, "p": f.plan1, "r": reviewID, "c": caseID})
			seen[role] = can
			flag := func(path ...any) bool { b, _ := can.get(path...).(bool); return b }
			agree := func(name string, allowed bool, r response) {
				t.Helper()
				switch {
				case allowed && r.code() != "OK":
					t.Errorf("%s: viewerCan says yes, the mutation says %s: %s", name, r.code(), r.raw)
				case !allowed && r.code() != "FORBIDDEN" && r.code() != "NOT_FOUND":
					t.Errorf("%s: viewerCan says no, the mutation says %s: %s", name, r.code(), r.raw)
				}
			}
			current := func() int {
				n, _ := e.must(alnco, `query($id: ID!) { plan(id: $id) { currentVersionNumber } }`, map[string]any{"id": f.plan1}).get("plan", "currentVersionNumber").(float64)
				return int(n)
			}
			revision := func(q, path string, id string) int {
				n, _ := e.must(officer, q, map[string]any{"id": id}).get(path, "revision").(float64)
				return int(n)
			}
			save := `mutation($in: SaveVersionInput!) { saveVersion(input: $in) { version { number } } }`

			// Learner.
			agree("updateLearner", flag("learner", "viewerCanEdit"), e.do(tok, `mutation($id: ID!, $in: LearnerInput!) { updateLearner(input: {id: $id, learner: $in}) { learner { id } } }`,
				map[string]any{"id": f.l1, "in": map[string]any{"givenName": "Siôn", "familyName": "Llŷr", "dateOfBirth": learnerIn, "language": "CY",
					"laId": cardiff, "settingKind": "SCHOOL", "settingId": f.schoolA}}))
			agree("uploadAttachment", flag("learner", "viewerCanUpload"), e.upload(tok, f.l1, "llun.png", "image/png", pngBytes(t)))
			agree("openCase", flag("learner", "viewerCanOpenCase"), e.do(tok, `mutation($in: OpenCaseInput!) { openCase(input: $in) { case { id } } }`,
				map[string]any{"in": map[string]any{"learnerId": f.l1, "kind": "DISAGREEMENT", "title": "Anghytundeb " + role, "decision": decision}}))
			agree("Learner.access", flag("learner", "viewerCanManageAccess"), e.do(tok, `query($id: ID!) { learner(id: $id) { access { id } } }`, map[string]any{"id": f.l1}))
			var grants []string
			list, _ := can.get("learner", "viewerCanGrant").([]any)
			for _, x := range list {
				grants = append(grants, x.(string))
			}
			if can.get("learner") == nil && grants != nil {
				t.Errorf("grants on a learner not seen: %v", grants)
			}
			for _, kind := range []string{"PARENT_OF", "SELF", "ADVOCATE_FOR"} {
				grantee++
				user := fmt.Sprintf("usr_grantee%d", grantee)
				check(e.db.UpsertUser(ctx, userFor(user, now)))
				in := map[string]any{"userId": user, "kind": kind, "learnerId": f.l1}
				if kind == "ADVOCATE_FOR" {
					in["endsAt"] = now.Add(90 * 24 * time.Hour).Format(time.RFC3339)
				}
				r := e.do(tok, `mutation($in: GrantAccessInput!) { grantAccess(input: $in) { relationship { id viewerCanRevoke } } }`, map[string]any{"in": in})
				agree("grantAccess "+kind, slices.Contains(grants, kind), r)
				if r.code() == "OK" {
					// The grantor may revoke what they granted.
					agree("revokeAccess of own grant", r.get("grantAccess", "relationship", "viewerCanRevoke") == true,
						e.do(tok, `mutation($id: ID!) { revokeAccess(input: {id: $id}) { relationship { id } } }`, map[string]any{"id": r.str("grantAccess", "relationship", "id")}))
				}
			}
			// Revoking relationships the role sees in the learner's access list.
			if flag("learner", "viewerCanManageAccess") {
				acc := e.must(tok, `query($id: ID!) { learner(id: $id) { access { id viewerCanRevoke } } }`, map[string]any{"id": f.l1})
				seen := 0
				for _, x := range acc.get("learner", "access").([]any) {
					m := x.(map[string]any)
					if !slices.Contains(victims[role], m["id"].(string)) {
						continue
					}
					seen++
					agree("revokeAccess "+m["id"].(string), m["viewerCanRevoke"] == true,
						e.do(tok, `mutation($id: ID!) { revokeAccess(input: {id: $id}) { relationship { id } } }`, map[string]any{"id": m["id"]}))
				}
				// A parent sees the advocate they consented to, not another
				// parent's relationship (person rules; issue 17).
				want := 2
				if role == f.parent {
					want = 1
				}
				if seen != want {
					t.Errorf("the access list shows %d of the role's %d relationships to revoke", seen, want)
				}
			} else {
				for _, id := range victims[role] {
					if r := e.do(tok, `query($id: ID!) { learner(id: $id) { access { id } } }`, map[string]any{"id": f.l1}); r.code() == "OK" {
						t.Errorf("the access list is shown though viewerCanManageAccess is false: %s (%s)", r.raw, id)
					}
				}
			}

			// Plan.
			v := current()
			agree("saveVersion DRAFT", flag("plan", "viewerCanEdit"), e.do(tok, save, map[string]any{"in": map[string]any{
				"planId": f.plan1, "expectedVersion": v, "status": "DRAFT", "content": sampleContent("30 minutes of 1:1 speech and language therapy weekly")}}))
			v = current()
			agree("saveVersion FINAL", flag("plan", "viewerCanFinalise"), e.do(tok, save, map[string]any{"in": map[string]any{
				"planId": f.plan1, "expectedVersion": v, "status": "FINAL", "content": sampleContent("30 minutes of 1:1 speech and language therapy weekly")}}))
			v = current()
			agree("saveVersion FINAL over findings", flag("plan", "viewerCanOverrideFindings"), e.do(tok, save, map[string]any{"in": map[string]any{
				"planId": f.plan1, "expectedVersion": v, "status": "FINAL", "content": vagueContent(), "overrideReason": "Agreed at the meeting " + role}}))
			// An advocate's own request is recorded as theirs (issue 17).
			requestedBy := "PARENT"
			if role == f.advocate {
				requestedBy = "ADVOCATE"
			}
			agree("requestReview", flag("plan", "viewerCanRequestReview"), e.do(tok, `mutation($in: RequestReviewInput!) { requestReview(input: $in) { review { id } } }`,
				map[string]any{"in": map[string]any{"planId": f.plan1, "requestedBy": requestedBy, "requestedByName": "Mrs Jones", "reason": "Mwy o SaLT."}}))
			agree("openReview", flag("plan", "viewerCanOpenReview"), e.do(tok, `mutation($in: OpenReviewInput!) { openReview(input: $in) { review { id } } }`,
				map[string]any{"in": map[string]any{"planId": f.plan1, "type": "OTHER"}}))
			agree("renderPlan", flag("plan", "viewerCanRender"), e.do(tok, `mutation($id: ID!) { renderPlan(input: {planId: $id}) { job { id } } }`, map[string]any{"id": f.plan1}))

			// Review.
			rv := revision(`query($id: ID!) { review(id: $id) { revision } }`, "review", reviewID)
			agree("saveReview", flag("review", "viewerCanEdit"), e.do(tok, `mutation($in: SaveReviewInput!) { saveReview(input: $in) { review { revision } } }`,
				map[string]any{"in": map[string]any{"id": reviewID, "expectedRevision": rv, "record": map[string]any{"needsDiscussion": "Siaradwyd am " + role}}}))
			agree("renderMeetingRecord", flag("review", "viewerCanRender"), e.do(tok, `mutation($id: ID!) { renderMeetingRecord(input: {reviewId: $id}) { job { id } } }`, map[string]any{"id": reviewID}))

			// Case.
			cv := revision(`query($id: ID!) { case(id: $id) { revision } }`, "case", caseID)
			agree("updateCase", flag("case", "viewerCanEdit"), e.do(tok, `mutation($in: UpdateCaseInput!) { updateCase(input: $in) { case { revision } } }`,
				map[string]any{"in": map[string]any{"id": caseID, "expectedRevision": cv, "title": fmt.Sprintf("Anghytundeb %d", i), "decision": decision}}))
			agree("renderBundle", flag("case", "viewerCanRender"), e.do(tok, `mutation($id: ID!) { renderBundle(input: {caseId: $id}) { bundle { id } } }`, map[string]any{"id": caseID}))
		})
	}

	// Both answers occur: the roles differ where the rules say they do.
	for _, tc := range []struct {
		role string
		path []any
		want any
	}{
		{f.alnco, []any{"plan", "viewerCanOverrideFindings"}, true},
		{teacher, []any{"plan", "viewerCanOverrideFindings"}, false},
		{teacher, []any{"plan", "viewerCanFinalise"}, true},
		{f.officer, []any{"plan", "viewerCanOverrideFindings"}, true},
		{f.parent, []any{"plan", "viewerCanEdit"}, false},
		{f.parent, []any{"plan", "viewerCanRequestReview"}, true},
		{f.parent, []any{"learner", "viewerCanUpload"}, true},
		{f.advocate, []any{"learner", "viewerCanUpload"}, false},
		{f.advocate, []any{"case", "viewerCanEdit"}, true},
		{f.parent, []any{"review", "viewerCanEdit"}, false},
		{f.parent, []any{"review", "viewerCanRender"}, true},
		{f.stranger, []any{"learner"}, nil},
		{f.admin, []any{"plan"}, nil},
	} {
		if got := seen[tc.role].get(tc.path...); got != tc.want {
			t.Errorf("%s %v = %v, want %v", tc.role, tc.path, got, tc.want)
		}
	}
	for role, want := range map[string][]any{f.alnco: {"PARENT_OF", "SELF"}, f.parent: {"ADVOCATE_FOR"}, f.advocate: {}} {
		if got, _ := seen[role].get("learner", "viewerCanGrant").([]any); !slices.Equal(got, want) {
			t.Errorf("%s viewerCanGrant = %v, want %v", role, got, want)
		}
	}

	// Every holder may end their own relationships, and does.
	for _, role := range roles {
		tok := e.token(role)
		r := e.must(tok, `query { me { relationships { id viewerCanRevoke } } }`, nil)
		for _, x := range r.get("me", "relationships").([]any) {
			m := x.(map[string]any)
			if m["viewerCanRevoke"] != true {
				t.Errorf("%s may not revoke their own %v", role, m)
			}
			if rr := e.do(tok, `mutation($id: ID!) { revokeAccess(input: {id: $id}) { relationship { id } } }`, map[string]any{"id": m["id"]}); rr.code() != "OK" {
				t.Errorf("%s revoking their own %v: %s", role, m["id"], rr.raw)
			}
		}
	}
}
