package server_test

import (
	"context"
	"strings"
	"testing"

	"github.com/cynllun/cynllun"
)

// cancelReview: staff cancel a review opened by mistake, or a request they
// recorded by mistake; not a parent, not a concluded review, not the
// family's own request. The request's T9 clock closes as not applicable,
// and the review period is as it was.
func TestReviewCancel(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	alnco, parent := e.token(f.alnco), e.token(f.parent)
	e.finalise(alnco, f.plan1)
	period := `query($id: ID!) { plan(id: $id) { reviewPeriod { start end basis } } }`
	before := string(e.must(alnco, period, map[string]any{"id": f.plan1}).raw)

	cancel := `mutation($in: CancelReviewInput!) { cancelReview(input: $in) { review { id status revision comment viewerCanCancel viewerCanEdit } } }`
	fields := `review { id status revision viewerCanCancel }`
	open := e.must(alnco, `mutation { openReview(input: {planId: "`+f.plan1+`", type: ANNUAL}) { `+fields+` } }`, nil)
	openID := open.str("openReview", "review", "id")
	if open.get("openReview", "review", "viewerCanCancel") != true {
		t.Fatalf("open review not cancellable: %s", open.raw)
	}
	// A parent may not; a blank reason and a stale revision are refused.
	if rr := e.do(parent, cancel, map[string]any{"in": map[string]any{"id": openID, "expectedRevision": 1, "reason": "Mistake"}}); rr.code() != "FORBIDDEN" {
		t.Fatalf("parent cancelled: %s", rr.raw)
	}
	if rr := e.do(alnco, cancel, map[string]any{"in": map[string]any{"id": openID, "expectedRevision": 1, "reason": " "}}); rr.code() != "INVALID" || !strings.Contains(string(rr.raw), `"input.reason"`) {
		t.Fatalf("blank reason: %s", rr.raw)
	}
	if rr := e.do(alnco, cancel, map[string]any{"in": map[string]any{"id": openID, "expectedRevision": 2, "reason": "Mistake"}}); rr.code() != "CONFLICT" {
		t.Fatalf("stale revision: %s", rr.raw)
	}
	c := e.must(alnco, cancel, map[string]any{"in": map[string]any{"id": openID, "expectedRevision": 1, "reason": "Opened on the wrong plan"}})
	if c.str("cancelReview", "review", "status") != "CANCELLED" || c.get("cancelReview", "review", "revision") != 2.0 ||
		c.str("cancelReview", "review", "comment") != "Opened on the wrong plan" || c.get("cancelReview", "review", "viewerCanCancel") != false {
		t.Fatalf("cancel: %s", c.raw)
	}
	if rr := e.do(alnco, cancel, map[string]any{"in": map[string]any{"id": openID, "expectedRevision": 2, "reason": "Again"}}); rr.code() != "INVALID" || !strings.Contains(string(rr.raw), `"input.id"`) {
		t.Fatalf("cancel twice: %s", rr.raw)
	}
	revs := e.must(alnco, `query($id: ID!) { review(id: $id) { revisions { nodes { revision status } } } }`, map[string]any{"id": openID})
	if n := len(revs.get("review", "revisions", "nodes").([]any)); n != 2 {
		t.Fatalf("record not kept: %s", revs.raw)
	}

	// A request staff recorded by mistake: cancelled, its T9 closed as
	// not applicable.
	req := `mutation($in: RequestReviewInput!) { requestReview(input: $in) { ` + fields + ` } }`
	staffReq := e.must(alnco, req, map[string]any{"in": map[string]any{"planId": f.plan1, "reason": "Phoned", "requestedBy": "PARENT", "requestedByName": "Mrs Jones"}})
	staffID := staffReq.str("requestReview", "review", "id")
	t9 := func(reviewID string) *cynllun.Deadline {
		t.Helper()
		ds, err := e.db.ListDeadlines(context.Background(), cynllun.DeadlineQuery{Scope: cynllun.Scope{LearnerIDs: []string{f.l1}}, LearnerID: f.l1, Today: cynllun.Today(e.clock.Now()), Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range ds {
			if d.ReviewID == reviewID && d.RuleID == "T9" {
				return d
			}
		}
		return nil
	}
	if d := t9(staffID); d == nil || d.Closure != nil {
		t.Fatalf("no open T9 for the request: %+v", d)
	}
	if staffReq.get("requestReview", "review", "viewerCanCancel") != true {
		t.Fatalf("staff-recorded request not cancellable: %s", staffReq.raw)
	}
	e.must(alnco, cancel, map[string]any{"in": map[string]any{"id": staffID, "expectedRevision": 1, "reason": "Recorded for the wrong learner"}})
	if d := t9(staffID); d == nil || d.Closure == nil || d.Closure.Status != cynllun.DeadlineNotApplicable {
		t.Fatalf("T9 not closed as not applicable: %+v", d)
	}

	// The family's own request is decided, not cancelled.
	own := e.must(parent, req, map[string]any{"in": map[string]any{"planId": f.plan1, "reason": "Therapy is not happening"}})
	ownID := own.str("requestReview", "review", "id")
	if vc := e.must(alnco, `query($id: ID!) { review(id: $id) { viewerCanCancel } }`, map[string]any{"id": ownID}); vc.get("review", "viewerCanCancel") != false {
		t.Fatalf("family's request shown as cancellable: %s", vc.raw)
	}
	if rr := e.do(alnco, cancel, map[string]any{"in": map[string]any{"id": ownID, "expectedRevision": 1, "reason": "Mistake"}}); rr.code() != "INVALID" || !strings.Contains(string(rr.raw), "decideReviewRequest") {
		t.Fatalf("family's request cancelled: %s", rr.raw)
	}

	// The cancelled review and request left the review period as it was.
	if now := string(e.must(alnco, period, map[string]any{"id": f.plan1}).raw); now != before {
		t.Fatalf("review period moved: %s, was %s", now, before)
	}

	// The tribunal bundle's chronology leaves out what was cancelled: of
	// the two requests, only the family's is there.
	caseID := openSidesCase(t, e, e.token(f.officer), f.l1, "Apêl")
	pv := e.must(e.token(f.officer), previewQuery, map[string]any{"id": caseID})
	requests := 0
	for _, c := range pv.get("case", "bundlePreview", "chronology").([]any) {
		if strings.HasPrefix(c.(map[string]any)["event"].(map[string]any)["en"].(string), "Review requested") {
			requests++
		}
	}
	if requests != 1 {
		t.Fatalf("%d review requests in the chronology, want the family's only: %s", requests, pv.raw)
	}

	// A concluded review is not cancelled.
	done := e.must(alnco, `mutation { openReview(input: {planId: "`+f.plan1+`", type: ANNUAL}) { review { id } } }`, nil).str("openReview", "review", "id")
	e.must(alnco, `mutation($in: ConcludeReviewInput!) { concludeReview(input: $in) { review { status } } }`,
		map[string]any{"in": map[string]any{"id": done, "expectedRevision": 1, "decision": "NO_REVISION", "reasons": "Still right"}})
	if rr := e.do(alnco, cancel, map[string]any{"in": map[string]any{"id": done, "expectedRevision": 2, "reason": "Mistake"}}); rr.code() != "INVALID" || !strings.Contains(string(rr.raw), `"input.id"`) {
		t.Fatalf("concluded review cancelled: %s", rr.raw)
	}
}
