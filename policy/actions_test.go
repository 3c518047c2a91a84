package policy

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cynllun/cynllun"
)

// TestActions: what each kind of principal may do with learner lrn_1, its
// school-maintained plan, a held review and a requested one, and a case,
// written out apart from the rules.
func TestActions(t *testing.T) {
	later := now.Add(time.Hour)
	plan := &cynllun.Plan{ID: "pln_1", LearnerID: "lrn_1", MaintainerID: "org_school"}
	laPlan := &cynllun.Plan{ID: "pln_2", LearnerID: "lrn_1", MaintainerID: "org_la", LAMaintained: true}
	held := &cynllun.Review{ID: "rvw_1", LearnerID: "lrn_1", PlanID: "pln_1", Status: cynllun.ReviewOpen}
	requested := &cynllun.Review{ID: "rvw_2", LearnerID: "lrn_1", PlanID: "pln_1", Status: cynllun.ReviewRequested}
	c := &cynllun.Case{ID: "cas_1", LearnerID: "lrn_1"}
	roles := []string{"ALNCo"}
	adv := func(caseID string) cynllun.Relationship {
		return cynllun.Relationship{Kind: cynllun.RelAdvocateOf, LearnerID: "lrn_1", ConsentBy: "usr_parent", EndsAt: later, CaseID: caseID}
	}
	// The case is an appeal against the LA (no decision recorded: the
	// learner's LA answers it): its officers are the respondent and
	// prepare the bundle; the school's staff are on neither side and
	// preview it; the family and advocates are the appellant.
	caseCan := func(officer bool) CaseCan {
		if officer {
			return CaseCan{Edit: true, AddEvidence: true, SetBundleSpec: true, Render: true, Preview: true, RecordOutcome: true, Close: true,
				Standing: CaseStanding{Side: cynllun.SideRespondent, Role: cynllun.CaseRoleOfficer, Reason: cynllun.RelOfficerOf}}
		}
		return CaseCan{Preview: true, Standing: CaseStanding{Side: cynllun.SideNone, Role: cynllun.CaseRoleStaff, Reason: cynllun.RelStaffOf}}
	}
	c.Kind = cynllun.CaseAppeal
	type want struct {
		learner         LearnerCan
		plan, laPlan    PlanCan
		held, requested ReviewCan
		cas             CaseCan
	}
	none := want{learner: LearnerCan{Grant: []cynllun.RelKind{}}}
	// officer: the LA's officer (transfers either plan, takes over the
	// school's, ceases the LA's); otherwise school staff (transfer and
	// cease the school's plan).
	maintainer := func(override, laOverride, officer bool) want {
		return want{
			learner: LearnerCan{Edit: true, Upload: true, OpenCase: true, ManageAccess: true, Grant: []cynllun.RelKind{cynllun.RelParentOf, cynllun.RelSelf}},
			plan: PlanCan{Edit: true, Finalise: true, OverrideFindings: override, RequestReview: true, OpenReview: true, Render: true,
				Transfer: true, TakeOver: officer, Cease: !officer},
			// The LA revises its plan; the school's staff do not (WritePlan).
			laPlan: PlanCan{Edit: officer, Finalise: officer, OverrideFindings: laOverride, RequestReview: true, OpenReview: true, Render: true,
				Transfer: officer, Cease: officer},
			// A held review with no decision yet, and a requested one, may be
			// cancelled by those who edit them (cancelReview).
			held: ReviewCan{Edit: true, Render: true, Cancel: true}, requested: ReviewCan{Edit: true, Cancel: true},
			cas: caseCan(officer),
		}
	}
	familyCase := func(ok bool) CaseCan {
		if !ok {
			return CaseCan{}
		}
		return CaseCan{Edit: true, AddEvidence: true, Preview: true, Standing: CaseStanding{Side: cynllun.SideAppellant}}
	}
	family := func(upload bool, grant []cynllun.RelKind, openCase, caseToo bool) want {
		p := PlanCan{RequestReview: true, Render: true}
		return want{
			// A parent and the young person list the relationships on the
			// record (issue 17); they are those who upload.
			learner: LearnerCan{Upload: upload, OpenCase: openCase, Grant: grant, ManageAccess: upload},
			plan:    p, laPlan: p,
			held: ReviewCan{Render: true},
			cas:  familyCase(caseToo),
		}
	}
	advocate := []cynllun.RelKind{cynllun.RelAdvocateOf}
	for _, tt := range []struct {
		name string
		p    *cynllun.Principal
		want want
	}{
		{"nobody", nil, none},
		{"administrator", &cynllun.Principal{UserID: "usr_admin", Admin: true}, none},
		{"staff of another school", principal(cynllun.Relationship{Kind: cynllun.RelStaffOf, OrgID: "org_school2", StaffRole: "ALNCo"}), none},
		{"ALNCo of the school", principal(cynllun.Relationship{Kind: cynllun.RelStaffOf, OrgID: "org_school", StaffRole: "ALNCo"}), maintainer(true, false, false)},
		{"teacher at the school", principal(cynllun.Relationship{Kind: cynllun.RelStaffOf, OrgID: "org_school", StaffRole: "teacher"}), maintainer(false, false, false)},
		{"officer of the LA", principal(cynllun.Relationship{Kind: cynllun.RelOfficerOf, OrgID: "org_la"}), maintainer(true, true, true)},
		{"parent", principal(cynllun.Relationship{Kind: cynllun.RelParentOf, LearnerID: "lrn_1"}), family(true, advocate, true, true)},
		{"young person", principal(cynllun.Relationship{Kind: cynllun.RelSelf, LearnerID: "lrn_1"}), family(true, advocate, true, true)},
		{"advocate for the learner", principal(adv("")), family(false, []cynllun.RelKind{}, true, true)},
		{"advocate for another case", principal(adv("cas_9")), family(false, []cynllun.RelKind{}, false, false)},
		{"advocate for this case", principal(adv("cas_1")), family(false, []cynllun.RelKind{}, false, true)},
		{"parent whose relationship ended", principal(cynllun.Relationship{Kind: cynllun.RelParentOf, LearnerID: "lrn_1", EndedAt: now.Add(-time.Minute)}), none},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := want{
				learner: ForLearner(tt.p, learner, now),
				plan:    ForPlan(tt.p, learner, plan, roles, now), laPlan: ForPlan(tt.p, learner, laPlan, roles, now),
				held: ForReview(tt.p, learner, held, now), requested: ForReview(tt.p, learner, requested, now),
				cas: ForCase(tt.p, learner, c, now),
			}
			// The role and reason within the appellant's side are tested
			// in TestStandingIn.
			if got.cas.Standing.Side == cynllun.SideAppellant {
				got.cas.Standing.Role, got.cas.Standing.Reason = "", ""
			}
			if d := cmp.Diff(tt.want, got, cmp.AllowUnexported(want{})); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
			// Each viewerCan is the decision the mutation takes.
			if got.learner.OpenCase != OpenCase(tt.p, learner, now).OK || got.plan.RequestReview != RequestReview(tt.p, learner, now).OK ||
				got.plan.OverrideFindings != Finalise(tt.p, learner, plan.MaintainerID, roles, true, now).OK {
				t.Error("a viewerCan differs from the mutation's own decision")
			}
		})
	}
	// Nothing about another learner's plan, review or case.
	staff := principal(cynllun.Relationship{Kind: cynllun.RelStaffOf, OrgID: "org_school", StaffRole: "ALNCo"})
	if (ForPlan(staff, learner, &cynllun.Plan{LearnerID: "lrn_2"}, roles, now) != PlanCan{}) ||
		(ForReview(staff, learner, &cynllun.Review{LearnerID: "lrn_2", Status: cynllun.ReviewOpen}, now) != ReviewCan{}) ||
		(ForCase(staff, learner, &cynllun.Case{LearnerID: "lrn_2"}, now) != CaseCan{}) {
		t.Error("actions on a record of another learner")
	}
	// A ceased plan is read and rendered, never changed.
	ceased := *plan
	ceased.Status = cynllun.PlanCeased
	if got := ForPlan(staff, learner, &ceased, roles, now); got != (PlanCan{Render: true}) {
		t.Errorf("ForPlan(ceased) = %+v, want render only", got)
	}
}

// TestWritePlan: a plan the LA maintains is revised by LA officers, not by
// the school's staff (who could, before, save versions of a plan the LA
// had taken over); a school's plan by its staff and the LA's officers.
func TestWritePlan(t *testing.T) {
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	l := &cynllun.Learner{ID: "lrn_1", LAID: "org_la", SettingID: "org_school"}
	staff := &cynllun.Principal{UserID: "usr_staff", Relationships: []cynllun.Relationship{{Kind: cynllun.RelStaffOf, OrgID: "org_school"}}}
	officer := &cynllun.Principal{UserID: "usr_officer", Relationships: []cynllun.Relationship{{Kind: cynllun.RelOfficerOf, OrgID: "org_la"}}}
	otherOfficer := &cynllun.Principal{UserID: "usr_officer2", Relationships: []cynllun.Relationship{{Kind: cynllun.RelOfficerOf, OrgID: "org_la2"}}}
	parent := &cynllun.Principal{UserID: "usr_parent", Relationships: []cynllun.Relationship{{Kind: cynllun.RelParentOf, LearnerID: "lrn_1"}}}
	schoolPlan := &cynllun.Plan{LearnerID: "lrn_1", MaintainerID: "org_school"}
	laPlan := &cynllun.Plan{LearnerID: "lrn_1", MaintainerID: "org_la", LAMaintained: true}
	tests := []struct {
		name string
		p    *cynllun.Principal
		plan *cynllun.Plan
		want bool
	}{
		{"school staff, school plan", staff, schoolPlan, true},
		{"LA officer, school plan", officer, schoolPlan, true},
		{"parent, school plan", parent, schoolPlan, false},
		{"school staff, LA plan", staff, laPlan, false},
		{"LA officer, LA plan", officer, laPlan, true},
		{"another LA's officer, LA plan", otherOfficer, laPlan, false},
		{"parent, LA plan", parent, laPlan, false},
	}
	for _, tt := range tests {
		if got := WritePlan(tt.p, l, tt.plan, now).OK; got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
		if got := ForPlan(tt.p, l, tt.plan, nil, now).Edit; got != tt.want {
			t.Errorf("%s: viewerCanEdit %v, want %v", tt.name, got, tt.want)
		}
	}
}
