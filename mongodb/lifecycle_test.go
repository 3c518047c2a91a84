package mongodb

import (
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cynllun/cynllun"
)

// TestChangePlan: a plan's lifecycle is stored on it and on its copy in
// the learner's lookup, heads untouched; a change from a stale reading is
// CONFLICT, and of two at once one wins.
func TestChangePlan(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	lrn := cynllun.NewID(cynllun.PrefixLearner)
	p, v1 := newPlan(lrn, t0)
	mustCreatePlan(t, p, v1)
	if err := testDB.InsertVersion(ctx, newVersion(p, 2)); err != nil {
		t.Fatal(err)
	}
	read := func() *cynllun.Plan {
		t.Helper()
		ps, err := testDB.PlansByID(ctx, []string{p.ID})
		if err != nil || len(ps) != 1 {
			t.Fatalf("PlansByID: %v %v", ps, err)
		}
		return ps[0]
	}
	stored := read()
	if stored.CurrentStatus() != cynllun.PlanActive || len(stored.Changes) != 0 || len(stored.MaintenanceHistory()) != 1 {
		t.Fatalf("a new plan's lifecycle: %+v", stored)
	}
	on := cynllun.MustDate("2026-11-16")
	ch := cynllun.PlanChange{ID: "pch_1", Kind: cynllun.ChangeTransferred, Reason: cynllun.TransferInYearMove, FromOrgID: "org_school",
		ToOrgID: "org_school_c", On: on, AfterVersion: 2, At: t0.Add(time.Hour), By: "usr_alnco"}
	next := *stored
	next.MaintainerID = "org_school_c"
	next.Maintenance = []cynllun.MaintenancePeriod{
		{OrgID: "org_school", From: cynllun.DateOf(t0), To: on.AddDays(-1)},
		{OrgID: "org_school_c", From: on, Reason: cynllun.TransferInYearMove, ChangeID: "pch_1"},
	}
	next.Changes = []cynllun.PlanChange{ch}
	if err := testDB.ChangePlan(ctx, &next, 0); err != nil {
		t.Fatalf("ChangePlan: %v", err)
	}
	got := read()
	if d := cmp.Diff(next.Maintenance, got.Maintenance); d != "" {
		t.Errorf("maintenance (-want +got):\n%s", d)
	}
	if d := cmp.Diff(next.Changes, got.Changes); d != "" {
		t.Errorf("changes (-want +got):\n%s", d)
	}
	if got.MaintainerID != "org_school_c" || got.Latest != 2 {
		t.Errorf("maintainer %s, heads %d", got.MaintainerID, got.Latest)
	}
	byLearner, err := testDB.PlansByLearner(ctx, []string{lrn})
	if err != nil || len(byLearner) != 1 || byLearner[0].MaintainerID != "org_school_c" || len(byLearner[0].Changes) != 1 {
		t.Fatalf("the learner's copy: %+v %v", byLearner, err)
	}
	// From the stale reading (no changes): CONFLICT, nothing changed.
	if err := testDB.ChangePlan(ctx, stored, 0); cynllun.ErrorCode(err) != cynllun.CodeConflict {
		t.Fatalf("stale change: %v", err)
	}
	// Two cessations at once from the same reading: one wins.
	ceased := *got
	ceased.Status = cynllun.PlanCeased
	ceased.Cessation = &cynllun.Cessation{ChangeID: "pch_2", DecidedOn: on, NoticeGivenOn: on, Reasons: "r", At: t0, By: "usr_x"}
	ceased.Changes = append(ceased.Changes, cynllun.PlanChange{ID: "pch_2", Kind: cynllun.ChangeCeased, On: on, At: t0})
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = testDB.ChangePlan(ctx, &ceased, 1) }()
	}
	wg.Wait()
	if (errs[0] == nil) == (errs[1] == nil) {
		t.Fatalf("two changes from one reading: %v, %v", errs[0], errs[1])
	}
	if final := read(); !final.Ceased() || final.Cessation == nil || final.Cessation.Reasons != "r" || len(final.Changes) != 2 {
		t.Fatalf("ceased: %+v", final)
	}
}

// TestHandovers: one per learner, read by _id.
func TestHandovers(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	lrn := cynllun.NewID(cynllun.PrefixLearner)
	h := &cynllun.Handover{LearnerID: lrn, On: cynllun.MustDate("2027-06-25"), ConsentGiven: true, ConsentOn: cynllun.MustDate("2027-07-05"),
		HasCapacity: true, CaseFriendName: "Mererid", ParentAccess: cynllun.ParentAccessEnd, ParentAccessDecidedBy: cynllun.DecidedByYoungPerson,
		EndedRelationships: []string{"rel_1"}, At: t0, By: "usr_officer"}
	if err := testDB.InsertHandover(ctx, h); err != nil {
		t.Fatal(err)
	}
	if err := testDB.InsertHandover(ctx, h); cynllun.ErrorCode(err) != cynllun.CodeConflict {
		t.Fatalf("second handover: %v", err)
	}
	got, err := testDB.HandoversByLearner(ctx, []string{lrn, "lrn_none"})
	if err != nil || len(got) != 1 {
		t.Fatalf("HandoversByLearner: %v %v", got, err)
	}
	if d := cmp.Diff(h, got[0]); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}
