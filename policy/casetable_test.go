package policy

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cynllun/cynllun"
)

// TestCaseTableComplete: every operation × every side has exactly one row,
// with a reason.
func TestCaseTableComplete(t *testing.T) {
	seen := map[string]int{}
	for _, r := range CaseTable {
		seen[string(r.Op)+"/"+string(r.Side)]++
		if strings.TrimSpace(r.Why) == "" {
			t.Errorf("%s/%s has no reason", r.Op, r.Side)
		}
	}
	for _, op := range CaseOps {
		for _, side := range cynllun.CaseSides {
			if n := seen[string(op)+"/"+string(side)]; n != 1 {
				t.Errorf("%s/%s has %d rows, want 1", op, side, n)
			}
		}
	}
	if len(CaseTable) != len(CaseOps)*len(cynllun.CaseSides) {
		t.Errorf("%d rows, want %d", len(CaseTable), len(CaseOps)*len(cynllun.CaseSides))
	}
}

// TestCasePermissionMatrix: every operation × every party (their role and
// side, from their relationship) × the side that filed the evidence, for an
// appeal against the LA and a disability claim against the school, written
// out apart from the table.
func TestCasePermissionMatrix(t *testing.T) {
	later := now.Add(time.Hour)
	l := &cynllun.Learner{ID: "lrn_1", LAID: "org_la", SettingID: "org_school"}
	appeal := &cynllun.Case{ID: "cas_1", LearnerID: "lrn_1", Kind: cynllun.CaseAppeal,
		Decision: cynllun.DisputedDecision{MadeBy: "org_la"},
		Parties:  []cynllun.Party{{Role: cynllun.PartyCaseFriend, Name: "Modryb", UserID: "usr_friend"}}}
	claim := &cynllun.Case{ID: "cas_2", LearnerID: "lrn_1", Kind: cynllun.CaseDisabilityClaim,
		Decision: cynllun.DisputedDecision{MadeBy: "org_school", Kind: cynllun.DisputedDiscrimination}}
	as := func(user string, r cynllun.Relationship) *cynllun.Principal {
		return &cynllun.Principal{UserID: user, Relationships: []cynllun.Relationship{r}}
	}
	parties := []struct {
		name string
		p    *cynllun.Principal
		c    *cynllun.Case
		side cynllun.CaseSide
		role cynllun.CaseRole
	}{
		{"young person", as("usr_yp", cynllun.Relationship{Kind: cynllun.RelSelf, LearnerID: "lrn_1"}), appeal, cynllun.SideAppellant, cynllun.CaseRoleYoungPerson},
		{"parent", as("usr_parent", cynllun.Relationship{Kind: cynllun.RelParentOf, LearnerID: "lrn_1"}), appeal, cynllun.SideAppellant, cynllun.CaseRoleParent},
		{"case friend", as("usr_friend", cynllun.Relationship{Kind: cynllun.RelParentOf, LearnerID: "lrn_1"}), appeal, cynllun.SideAppellant, cynllun.CaseRoleCaseFriend},
		{"advocate with consent", as("usr_adv", cynllun.Relationship{Kind: cynllun.RelAdvocateOf, LearnerID: "lrn_1", ConsentBy: "usr_parent", EndsAt: later}), appeal, cynllun.SideAppellant, cynllun.CaseRoleAdvocate},
		{"advocate for this case", as("usr_adv", cynllun.Relationship{Kind: cynllun.RelAdvocateOf, LearnerID: "lrn_1", ConsentBy: "usr_parent", EndsAt: later, CaseID: "cas_1"}), appeal, cynllun.SideAppellant, cynllun.CaseRoleAdvocate},
		{"LA officer", as("usr_off", cynllun.Relationship{Kind: cynllun.RelOfficerOf, OrgID: "org_la"}), appeal, cynllun.SideRespondent, cynllun.CaseRoleOfficer},
		{"school staff on an appeal against the LA", as("usr_staff", cynllun.Relationship{Kind: cynllun.RelStaffOf, OrgID: "org_school"}), appeal, cynllun.SideNone, cynllun.CaseRoleStaff},
		{"parent on a claim", as("usr_parent", cynllun.Relationship{Kind: cynllun.RelParentOf, LearnerID: "lrn_1"}), claim, cynllun.SideAppellant, cynllun.CaseRoleParent},
		{"school staff on a claim against the school", as("usr_staff", cynllun.Relationship{Kind: cynllun.RelStaffOf, OrgID: "org_school"}), claim, cynllun.SideRespondent, cynllun.CaseRoleStaff},
		{"LA officer on a claim against the school", as("usr_off", cynllun.Relationship{Kind: cynllun.RelOfficerOf, OrgID: "org_la"}), claim, cynllun.SideNone, cynllun.CaseRoleOfficer},
	}
	// What each side may do: "op" for operations not about evidence,
	// "op@SIDE" for an operation on evidence the side SIDE filed.
	appellant := []string{"ADD_EVIDENCE", "PREVIEW_BUNDLE", "RECORD_PROGRESS", "RECORD_HEARING", "WITHDRAW_CASE",
		"WITHDRAW_EVIDENCE@APPELLANT", "REINSTATE_EVIDENCE@APPELLANT", "DISCLOSE_EVIDENCE@APPELLANT", "SEE_UNDISCLOSED@APPELLANT"}
	respondent := []string{"ADD_EVIDENCE", "SET_BUNDLE_SPEC", "RENDER_BUNDLE", "PREVIEW_BUNDLE", "RECORD_PROGRESS", "RECORD_HEARING",
		"RECORD_OUTCOME", "CLOSE_CASE", "WITHDRAW_CASE",
		"WITHDRAW_EVIDENCE@RESPONDENT", "REINSTATE_EVIDENCE@RESPONDENT", "DISCLOSE_EVIDENCE@RESPONDENT", "SEE_UNDISCLOSED@RESPONDENT"}
	neither := []string{"PREVIEW_BUNDLE"}
	want := map[cynllun.CaseSide][]string{cynllun.SideAppellant: appellant, cynllun.SideRespondent: respondent, cynllun.SideNone: neither}
	evidenceOps := []CaseOp{OpWithdrawEvidence, OpReinstateEvidence, OpDiscloseEvidence, OpSeeUndisclosed}
	for _, pt := range parties {
		t.Run(pt.name, func(t *testing.T) {
			st, ok := StandingIn(pt.p, l, pt.c, now)
			if !ok || st.Side != pt.side || st.Role != pt.role {
				t.Fatalf("standing %+v %v, want %s %s", st, ok, pt.side, pt.role)
			}
			var got []string
			for _, op := range CaseOps {
				if slices.Contains(evidenceOps, op) {
					for _, owner := range []cynllun.CaseSide{cynllun.SideAppellant, cynllun.SideRespondent} {
						d := CaseAllows(pt.p, l, pt.c, op, owner, now)
						if d.Why == "" {
							t.Errorf("%s@%s: no reason", op, owner)
						}
						if d.Allow {
							got = append(got, fmt.Sprintf("%s@%s", op, owner))
						}
					}
					continue
				}
				d := CaseAllows(pt.p, l, pt.c, op, "", now)
				if d.Why == "" {
					t.Errorf("%s: no reason", op)
				}
				if d.Allow {
					got = append(got, string(op))
				}
			}
			w := slices.Clone(want[pt.side])
			slices.Sort(w)
			slices.Sort(got)
			if !slices.Equal(got, w) {
				t.Errorf("allowed %v\nwant %v", got, w)
			}
		})
	}
	// Those who may not read the case stand nowhere and may do nothing.
	for _, p := range []*cynllun.Principal{nil, {UserID: "usr_admin", Admin: true},
		as("usr_adv", cynllun.Relationship{Kind: cynllun.RelAdvocateOf, LearnerID: "lrn_1", ConsentBy: "usr_parent", EndsAt: later, CaseID: "cas_9"}),
		as("usr_x", cynllun.Relationship{Kind: cynllun.RelOfficerOf, OrgID: "org_other_la"})} {
		if _, ok := StandingIn(p, l, appeal, now); ok {
			t.Errorf("%+v has a standing", p)
		}
		for _, op := range CaseOps {
			if CaseAllows(p, l, appeal, op, cynllun.SideAppellant, now).Allow {
				t.Errorf("%+v may %s", p, op)
			}
		}
	}
}

// TestStandingIn: a teacher who is also the child's parent stands with
// the appellant; the respondent body's staff are respondents when it made
// the decision; parties' sides come from their roles.
func TestStandingIn(t *testing.T) {
	l := &cynllun.Learner{ID: "lrn_1", LAID: "org_la", SettingID: "org_school"}
	c := &cynllun.Case{ID: "cas_1", LearnerID: "lrn_1", Kind: cynllun.CaseAppeal}
	both := &cynllun.Principal{UserID: "usr_t", Relationships: []cynllun.Relationship{
		{Kind: cynllun.RelStaffOf, OrgID: "org_school"}, {Kind: cynllun.RelParentOf, LearnerID: "lrn_1"}}}
	if st, _ := StandingIn(both, l, c, now); st.Side != cynllun.SideAppellant || st.Role != cynllun.CaseRoleParent {
		t.Errorf("teacher and parent: %+v", st)
	}
	fei := &cynllun.Case{ID: "cas_3", LearnerID: "lrn_1", Kind: cynllun.CaseAppeal, Decision: cynllun.DisputedDecision{MadeBy: "org_school"}}
	staff := &cynllun.Principal{UserID: "usr_s", Relationships: []cynllun.Relationship{{Kind: cynllun.RelStaffOf, OrgID: "org_school"}}}
	if st, _ := StandingIn(staff, l, fei, now); st.Side != cynllun.SideRespondent {
		t.Errorf("staff of the body that decided: %+v", st)
	}
	for _, tt := range []struct {
		p    cynllun.Party
		want cynllun.CaseSide
	}{
		{cynllun.Party{Role: cynllun.PartyAppellant}, cynllun.SideAppellant},
		{cynllun.Party{Role: cynllun.PartyCaseFriend}, cynllun.SideAppellant},
		{cynllun.Party{Role: cynllun.PartyRespondent}, cynllun.SideRespondent},
		{cynllun.Party{Role: cynllun.PartyAdvocate}, cynllun.SideAppellant},
		{cynllun.Party{Role: cynllun.PartyRepresentative, Represents: cynllun.PartyRespondent}, cynllun.SideRespondent},
		{cynllun.Party{Role: cynllun.PartyRepresentative}, cynllun.SideNone},
		{cynllun.Party{Role: cynllun.PartyWitness}, cynllun.SideNone},
	} {
		if got := tt.p.Side(); got != tt.want {
			t.Errorf("%+v: side %s, want %s", tt.p, got, tt.want)
		}
	}
}
