package mongodb

import (
	"context"
	"testing"
	"time"

	"github.com/cynllun/cynllun"
)

// Retention reviews: listed once per learner, approved once, listed by
// controller or LA, and gone from the list once erased.
func TestRetentionReviews(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2057, 3, 1, 9, 0, 0, 0, time.UTC)
	l1, l2 := cynllun.NewID(cynllun.PrefixLearner), cynllun.NewID(cynllun.PrefixLearner)
	mk := func(l, controller string, due string) *cynllun.RetentionReview {
		return &cynllun.RetentionReview{ID: cynllun.RetentionReviewID(l), LearnerID: l, ControllerID: controller, LAID: "org_la_ret",
			Rule: "dob+31y", DueOn: cynllun.MustDate(due), Status: cynllun.RetentionListed, ListedAt: at}
	}
	for _, r := range []*cynllun.RetentionReview{mk(l1, "org_school_ret", "2057-02-01"), mk(l2, "org_la_ret", "2057-01-01")} {
		if in, err := testDB.ListRetentionCandidate(ctx, r); err != nil || !in {
			t.Fatalf("list %s: %v %v", r.ID, in, err)
		}
		if in, err := testDB.ListRetentionCandidate(ctx, r); err != nil || in {
			t.Fatalf("listed twice %s: %v %v", r.ID, in, err)
		}
	}
	ids := func(q cynllun.RetentionQuery) []string {
		t.Helper()
		rs, err := testDB.RetentionReviews(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range rs {
			if r.LAID == "org_la_ret" {
				out = append(out, r.LearnerID)
			}
		}
		return out
	}
	if got := ids(cynllun.RetentionQuery{LAIDs: []string{"org_la_ret"}}); len(got) != 2 || got[0] != l2 || got[1] != l1 {
		t.Fatalf("by LA, by due date: %v", got)
	}
	if got := ids(cynllun.RetentionQuery{LAIDs: []string{"org_la_ret"}, AfterID: cynllun.RetentionReviewID(l2), Limit: 1}); len(got) != 1 || got[0] != l1 {
		t.Fatalf("the page after the first: %v", got)
	}
	if got := ids(cynllun.RetentionQuery{ControllerIDs: []string{"org_school_ret"}}); len(got) != 1 || got[0] != l1 {
		t.Fatalf("by controller: %v", got)
	}
	r, err := testDB.ApproveRetention(ctx, cynllun.RetentionReviewID(l1), "usr_admin", at)
	if err != nil || r.Status != cynllun.RetentionApproved || r.ApprovedBy != "usr_admin" {
		t.Fatalf("approve: %+v %v", r, err)
	}
	if _, err := testDB.ApproveRetention(ctx, cynllun.RetentionReviewID(l1), "usr_other", at); cynllun.ErrorCode(err) != cynllun.CodeConflict {
		t.Fatalf("second approval: %v", err)
	}
	if _, err := testDB.ApproveRetention(ctx, cynllun.RetentionReviewID(cynllun.NewID(cynllun.PrefixLearner)), "usr_admin", at); cynllun.ErrorCode(err) != cynllun.CodeNotFound {
		t.Fatalf("approving an unlisted learner: %v", err)
	}
	if got := ids(cynllun.RetentionQuery{Status: cynllun.RetentionApproved, LAIDs: []string{"org_la_ret"}}); len(got) != 1 || got[0] != l1 {
		t.Fatalf("approved: %v", got)
	}
	for range 2 {
		if err := testDB.FinishRetention(ctx, cynllun.RetentionReviewID(l1), at.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	if got := ids(cynllun.RetentionQuery{LAIDs: []string{"org_la_ret"}}); len(got) != 1 || got[0] != l2 {
		t.Fatalf("after erasure: %v", got)
	}
	// A page after a review that has left the list goes on from its place.
	if got := ids(cynllun.RetentionQuery{LAIDs: []string{"org_la_ret"}, AfterID: cynllun.RetentionReviewID(l1)}); len(got) != 0 {
		t.Fatalf("after the erased review (due last): %v", got)
	}
	rs, err := testDB.RetentionReviewsByID(ctx, []string{cynllun.RetentionReviewID(l1)})
	if err != nil || len(rs) != 1 || rs[0].Status != cynllun.RetentionErased || !rs[0].ErasedAt.Equal(at.Add(time.Hour)) {
		t.Fatalf("erased review: %+v %v", rs, err)
	}
	// Erasing a learner with nothing stored removes nothing.
	counts, err := testDB.EraseLearner(ctx, cynllun.NewID(cynllun.PrefixLearner), "")
	if err != nil {
		t.Fatal(err)
	}
	for k, n := range counts {
		if n != 0 {
			t.Errorf("erased %d %s of an unknown learner", n, k)
		}
	}
}
