package policy

import (
	"testing"
	"time"

	"github.com/cynllun/cynllun"
)

func TestLifecycleAccess(t *testing.T) {
	schoolPlan := &cynllun.Plan{ID: "pln_1", LearnerID: "lrn_1", MaintainerID: "org_school"}
	laPlan := &cynllun.Plan{ID: "pln_2", LearnerID: "lrn_1", MaintainerID: "org_la", LAMaintained: true}
	// A looked-after child's plan, kept by the LA that looks after them.
	otherLAPlan := &cynllun.Plan{ID: "pln_3", LearnerID: "lrn_1", MaintainerID: "org_la2", LAMaintained: true}
	newSchool := &cynllun.Organisation{ID: "org_new", Kind: cynllun.OrgSchool, LAID: "org_la9"}
	rel := func(kind cynllun.RelKind, id string) cynllun.Relationship {
		r := cynllun.Relationship{Kind: kind, OrgID: id}
		if kind == cynllun.RelParentOf || kind == cynllun.RelSelf {
			r = cynllun.Relationship{Kind: kind, LearnerID: id}
		}
		return r
	}
	staff, officer := cynllun.RelStaffOf, cynllun.RelOfficerOf
	tests := []struct {
		name                            string
		p                               *cynllun.Principal
		plan                            *cynllun.Plan
		transfer, takeover, cease, hand cynllun.RelKind // "" = denied
	}{
		{"nobody", nil, schoolPlan, "", "", "", ""},
		{"admin", &cynllun.Principal{UserID: "usr_admin", Admin: true}, schoolPlan, "", "", "", ""},
		{"staff of the maintaining school", principal(rel(staff, "org_school")), schoolPlan, staff, "", staff, staff},
		{"staff of the school, LA-maintained plan", principal(rel(staff, "org_school")), laPlan, "", "", "", staff},
		{"officer of the learner's LA, school plan", principal(rel(officer, "org_la")), schoolPlan, officer, officer, "", officer},
		{"officer of the learner's LA, LA plan", principal(rel(officer, "org_la")), laPlan, officer, officer, officer, officer},
		{"officer of the maintaining LA (looked after elsewhere)", principal(rel(officer, "org_la2")), otherLAPlan, officer, "", officer, officer},
		{"officer of another LA", principal(rel(officer, "org_la2")), schoolPlan, "", "", "", ""},
		{"officer of the receiving school's LA", principal(rel(officer, "org_la9")), schoolPlan, officer, "", "", ""},
		{"staff of the receiving school", principal(rel(staff, "org_new")), schoolPlan, "", "", "", ""},
		{"parent", principal(rel(cynllun.RelParentOf, "lrn_1")), schoolPlan, "", "", "", ""},
		{"the young person", principal(rel(cynllun.RelSelf, "lrn_1")), schoolPlan, "", "", "", ""},
		{"ended staff role", principal(cynllun.Relationship{Kind: staff, OrgID: "org_school", EndedAt: now.Add(-time.Hour)}), schoolPlan, "", "", "", ""},
		{"self-granted staff role", principal(cynllun.Relationship{Kind: staff, OrgID: "org_school", CreatedBy: "usr_me", UserID: "usr_me"}), schoolPlan, "", "", "", ""},
	}
	check := func(t *testing.T, what string, a Access, want cynllun.RelKind) {
		t.Helper()
		if a.OK != (want != "") || a.Reason != want {
			t.Errorf("%s = %+v, want %q", what, a, want)
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			check(t, "TransferPlan", TransferPlan(tt.p, learner, tt.plan, newSchool, now), tt.transfer)
			check(t, "TakeOverPlan", TakeOverPlan(tt.p, learner, tt.plan, now), tt.takeover)
			check(t, "CeasePlan", CeasePlan(tt.p, learner, tt.plan, now), tt.cease)
			check(t, "RecordHandover", RecordHandover(tt.p, learner, []*cynllun.Plan{tt.plan}, now), tt.hand)
			// Another learner's plan is nobody's business here.
			check(t, "TransferPlan (other learner)", TransferPlan(tt.p, other, tt.plan, newSchool, now), "")
		})
	}
}

func TestKeepsParentAccess(t *testing.T) {
	tests := []struct {
		capacity bool
		choice   cynllun.ParentAccess
		want     bool
	}{
		{true, cynllun.ParentAccessKeep, true},
		{true, cynllun.ParentAccessEnd, false},
		{false, cynllun.ParentAccessKeep, true},
		{false, cynllun.ParentAccessEnd, true},
	}
	for _, tt := range tests {
		if got := KeepsParentAccess(tt.capacity, tt.choice); got != tt.want {
			t.Errorf("KeepsParentAccess(%v, %s) = %v, want %v", tt.capacity, tt.choice, got, tt.want)
		}
	}
}

func TestReceiverProblem(t *testing.T) {
	l := &cynllun.Learner{ID: "lrn_1", LAID: "org_la", SettingID: "org_school"}
	school := &cynllun.Organisation{ID: "org_school", Kind: cynllun.OrgSchool, LAID: "org_la"}
	school2 := &cynllun.Organisation{ID: "org_school2", Kind: cynllun.OrgSchool, LAID: "org_la"}
	fei := &cynllun.Organisation{ID: "org_fei", Kind: cynllun.OrgFEI, LAID: "org_la"}
	la := &cynllun.Organisation{ID: "org_la", Kind: cynllun.OrgLocalAuthority}
	la2 := &cynllun.Organisation{ID: "org_la2", Kind: cynllun.OrgLocalAuthority}
	lhb := &cynllun.Organisation{ID: "org_lhb", Kind: cynllun.OrgHealthBoard}
	schoolPlan := &cynllun.Plan{LearnerID: "lrn_1", MaintainerID: "org_school"}
	feiPlan := &cynllun.Plan{LearnerID: "lrn_1", MaintainerID: "org_fei"}
	laPlan := &cynllun.Plan{LearnerID: "lrn_1", MaintainerID: "org_la", LAMaintained: true}
	nov := cynllun.MustDate("2026-11-02")
	sep := cynllun.MustDate("2026-09-07")
	tests := []struct {
		reason cynllun.TransferReason
		plan   *cynllun.Plan
		from   *cynllun.Organisation
		to     *cynllun.Organisation
		on     cynllun.Date
		field  string // "" = allowed
	}{
		{cynllun.TransferInYearMove, schoolPlan, school, school2, nov, ""},
		{cynllun.TransferInYearMove, schoolPlan, school, school, nov, "input.toOrganisationId"},
		{cynllun.TransferInYearMove, schoolPlan, school, fei, nov, "input.toOrganisationId"},
		{cynllun.TransferInYearMove, laPlan, la, school2, nov, "input.reason"},
		{cynllun.TransferInYearMove, schoolPlan, school, nil, nov, "input.toOrganisationId"},
		{cynllun.TransferStartOfYearMove, schoolPlan, school, school2, sep, ""},
		{cynllun.TransferStartOfYearMove, schoolPlan, school, school2, nov, "input.effectiveOn"},
		{cynllun.TransferSchoolToFEI, schoolPlan, school, fei, sep, ""},
		{cynllun.TransferSchoolToFEI, schoolPlan, school, fei, nov, "input.effectiveOn"},
		{cynllun.TransferSchoolToFEI, schoolPlan, school, school2, sep, "input.toOrganisationId"},
		{cynllun.TransferSchoolToFEI, laPlan, la, fei, sep, "input.reason"},
		{cynllun.TransferMoveToAnotherLA, laPlan, la, la2, nov, ""},
		{cynllun.TransferMoveToAnotherLA, schoolPlan, school, la2, nov, "input.reason"},
		{cynllun.TransferMoveToAnotherLA, laPlan, la, school2, nov, "input.toOrganisationId"},
		{cynllun.TransferDualRegistration, schoolPlan, school, la, nov, ""},
		{cynllun.TransferDualRegistration, schoolPlan, school, la2, nov, "input.toOrganisationId"},
		{cynllun.TransferDualRegistration, feiPlan, fei, la, nov, "input.reason"},
		{cynllun.TransferLATakeover, feiPlan, fei, la, nov, ""},
		{cynllun.TransferLATakeover, laPlan, la, la, nov, "input.toOrganisationId"},
		{cynllun.TransferLookedAfter, schoolPlan, school, la2, nov, ""},
		{cynllun.TransferLookedAfter, schoolPlan, school, school2, nov, "input.toOrganisationId"},
		{cynllun.TransferOther, schoolPlan, school, la, nov, ""},
		{cynllun.TransferOther, schoolPlan, school, fei, nov, ""},
		{cynllun.TransferOther, schoolPlan, school, la2, nov, "input.reason"},
		{cynllun.TransferOther, schoolPlan, school, lhb, nov, "input.toOrganisationId"},
		{"NOT_A_REASON", schoolPlan, school, school2, nov, "input.reason"},
	}
	for _, tt := range tests {
		toID := "nil"
		if tt.to != nil {
			toID = tt.to.ID
		}
		field, msg := ReceiverProblem(tt.reason, tt.plan, l, tt.from, tt.to, tt.on)
		if field != tt.field || (field == "") != (msg == "") {
			t.Errorf("ReceiverProblem(%s, %s → %s, %s) = %q %q, want field %q", tt.reason, tt.plan.MaintainerID, toID, tt.on, field, msg, tt.field)
		}
	}
}

// TestGrantAfterHandover: once a young person with capacity has ended
// their parents' access, staff and officers no longer record a parent
// (they could, before, undo the young person's choice); the young person
// may restore one. Without capacity, or with KEEP, the grant table stands.
func TestGrantAfterHandover(t *testing.T) {
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	l := &cynllun.Learner{ID: "lrn_1", LAID: "org_la", SettingID: "org_school"}
	staff := &cynllun.Principal{UserID: "usr_staff", Relationships: []cynllun.Relationship{{ID: "rel_s", Kind: cynllun.RelStaffOf, OrgID: "org_school"}}}
	officer := &cynllun.Principal{UserID: "usr_officer", Relationships: []cynllun.Relationship{{ID: "rel_o", Kind: cynllun.RelOfficerOf, OrgID: "org_la"}}}
	young := &cynllun.Principal{UserID: "usr_yp", Relationships: []cynllun.Relationship{{ID: "rel_y", Kind: cynllun.RelSelf, LearnerID: "lrn_1"}}}
	parent := &cynllun.Principal{UserID: "usr_parent", Relationships: []cynllun.Relationship{{ID: "rel_p", Kind: cynllun.RelParentOf, LearnerID: "lrn_1"}}}
	ended := &cynllun.Handover{LearnerID: "lrn_1", HasCapacity: true, ParentAccess: cynllun.ParentAccessEnd}
	kept := &cynllun.Handover{LearnerID: "lrn_1", HasCapacity: true, ParentAccess: cynllun.ParentAccessKeep}
	noCapacity := &cynllun.Handover{LearnerID: "lrn_1", HasCapacity: false, ParentAccess: cynllun.ParentAccessEnd}
	tests := []struct {
		name string
		p    *cynllun.Principal
		kind cynllun.RelKind
		h    *cynllun.Handover
		want bool
	}{
		{"staff before any handover", staff, cynllun.RelParentOf, nil, true},
		{"staff after the young person ended it", staff, cynllun.RelParentOf, ended, false},
		{"officer after the young person ended it", officer, cynllun.RelParentOf, ended, false},
		{"the young person restores it", young, cynllun.RelParentOf, ended, true},
		{"a parent after it was ended", parent, cynllun.RelParentOf, ended, false},
		{"staff when the young person kept it", staff, cynllun.RelParentOf, kept, true},
		{"the young person when they kept it (the table: staff record parents)", young, cynllun.RelParentOf, kept, false},
		{"staff when the young person lacks capacity", staff, cynllun.RelParentOf, noCapacity, true},
		{"other kinds are untouched", young, cynllun.RelAdvocateOf, ended, true},
	}
	for _, tt := range tests {
		d := MayGrant(tt.p, tt.kind, l, now)
		if got := GrantAfterHandover(tt.p, tt.kind, l, tt.h, d, now); got.OK != tt.want || got.Why == "" {
			t.Errorf("%s: got %+v, want OK %v with a reason", tt.name, got, tt.want)
		}
	}
}
