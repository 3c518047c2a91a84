package policy

import (
	"fmt"
	"testing"
	"time"

	"github.com/cynllun/cynllun"
)

// TestGrantTableShape: the table has exactly one row for every standing ×
// every grantable kind, every cell says why, and the rules hold
// cell by cell.
func TestGrantTableShape(t *testing.T) {
	seen := map[grantKey]int{}
	for _, row := range GrantTable {
		seen[grantKey{row.As, row.Kind}]++
		name := fmt.Sprintf("%s grants %s", row.As, row.Kind)
		if row.Other.Why == "" || row.Self.Why == "" {
			t.Errorf("%s: a cell does not say why", name)
		}
		if row.Self.Allow {
			t.Errorf("%s to themself is allowed: no self-grant may be", name)
		}
		learnerScoped := row.Kind != cynllun.RelStaffOf && row.Kind != cynllun.RelOfficerOf
		if row.As == AsAdmin && learnerScoped && row.Other.Allow {
			t.Errorf("%s is allowed: administrators never reach learners", name)
		}
		if row.As != AsAdmin && !learnerScoped && row.Other.Allow {
			t.Errorf("%s is allowed: only administrators grant staff and officer roles", name)
		}
		if row.Kind == cynllun.RelAdvocateOf && row.Other.Allow && row.As != AsParent && row.As != AsYoungPerson {
			t.Errorf("%s is allowed: only a parent or the young person consents to an advocate", name)
		}
	}
	for _, as := range Standings {
		for _, k := range GrantKinds {
			if n := seen[grantKey{as, k}]; n != 1 {
				t.Errorf("%s × %s: %d rows, want 1", as, k, n)
			}
		}
	}
	if len(GrantTable) != len(Standings)*len(GrantKinds) {
		t.Errorf("%d rows, want %d", len(GrantTable), len(Standings)*len(GrantKinds))
	}
	if r := GrantRule(AsStaff, "OWNER_OF", false); r.Allow {
		t.Error("an unknown kind is allowed")
	}
}

// TestGrantMatrix: every standing × every kind, to someone else and to
// themself, through Grant with principals holding that standing. The
// allowed cells are written out here, apart from the table, so a change
// to the table fails this test until it is agreed.
func TestGrantMatrix(t *testing.T) {
	allowed := map[Standing][]cynllun.RelKind{
		AsAdmin:       {cynllun.RelStaffOf, cynllun.RelOfficerOf},
		AsStaff:       {cynllun.RelParentOf, cynllun.RelSelf},
		AsOfficer:     {cynllun.RelParentOf, cynllun.RelSelf},
		AsParent:      {cynllun.RelAdvocateOf},
		AsYoungPerson: {cynllun.RelAdvocateOf},
	}
	principals := map[Standing]*cynllun.Principal{
		AsAdmin:       {UserID: "usr_me", Admin: true},
		AsStaff:       principal(cynllun.Relationship{ID: "rel_s", Kind: cynllun.RelStaffOf, OrgID: "org_school"}),
		AsOfficer:     principal(cynllun.Relationship{ID: "rel_o", Kind: cynllun.RelOfficerOf, OrgID: "org_la"}),
		AsParent:      principal(cynllun.Relationship{ID: "rel_p", Kind: cynllun.RelParentOf, LearnerID: "lrn_1"}),
		AsYoungPerson: principal(cynllun.Relationship{ID: "rel_y", Kind: cynllun.RelSelf, LearnerID: "lrn_1"}),
		AsAdvocate:    principal(cynllun.Relationship{ID: "rel_a", Kind: cynllun.RelAdvocateOf, LearnerID: "lrn_1", ConsentBy: "usr_parent", EndsAt: now.Add(time.Hour)}),
		AsNone:        principal(cynllun.Relationship{ID: "rel_x", Kind: cynllun.RelParentOf, LearnerID: "lrn_2"}),
	}
	for _, as := range Standings {
		p := principals[as]
		for _, kind := range GrantKinds {
			for _, self := range []bool{false, true} {
				name := fmt.Sprintf("%s/%s/self=%v", as, kind, self)
				t.Run(name, func(t *testing.T) {
					r := &cynllun.Relationship{UserID: "usr_other", Kind: kind, ConsentBy: p.UserID, EndsAt: now.Add(24 * time.Hour)}
					var l *cynllun.Learner
					if kind == cynllun.RelStaffOf || kind == cynllun.RelOfficerOf {
						r.OrgID = "org_school"
					} else {
						r.LearnerID, l = learner.ID, learner
					}
					if self {
						r.UserID = p.UserID
					}
					want := !self && contains(allowed[as], kind)
					d := Grant(p, r, l, now)
					if d.OK != want {
						t.Fatalf("Grant = %+v, want OK=%v", d, want)
					}
					if d.Self != self {
						t.Errorf("Self = %v, want %v", d.Self, self)
					}
					if d.Why == "" {
						t.Error("no reason given")
					}
					if d.OK {
						if d.As != as {
							t.Errorf("granted as %s, want %s", d.As, as)
						}
						if wantVia := viaOf(p, as); d.Via != wantVia {
							t.Errorf("granted via %q, want %q", d.Via, wantVia)
						}
					}
				})
			}
		}
	}
}

func contains(ks []cynllun.RelKind, k cynllun.RelKind) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

func viaOf(p *cynllun.Principal, as Standing) string {
	if as == AsAdmin {
		return ""
	}
	return p.Relationships[0].ID
}

// TestGrantStandings: what counts as standing, and what does not.
func TestGrantStandings(t *testing.T) {
	parentRel := cynllun.Relationship{ID: "rel_p", Kind: cynllun.RelParentOf, LearnerID: "lrn_1"}
	staffRel := cynllun.Relationship{ID: "rel_s", Kind: cynllun.RelStaffOf, OrgID: "org_school"}
	parentGrant := &cynllun.Relationship{UserID: "usr_other", Kind: cynllun.RelParentOf, LearnerID: "lrn_1"}
	advocate := &cynllun.Relationship{UserID: "usr_adv", Kind: cynllun.RelAdvocateOf, LearnerID: "lrn_1", ConsentBy: "usr_me", EndsAt: now.Add(time.Hour)}
	for _, tt := range []struct {
		name string
		p    *cynllun.Principal
		r    *cynllun.Relationship
		l    *cynllun.Learner
		ok   bool
		as   Standing
	}{
		{"a teacher who is also the child's parent records the other parent", principal(parentRel, staffRel), parentGrant, learner, true, AsStaff},
		{"a teacher who is also the child's parent consents to an advocate", principal(staffRel, parentRel), advocate, learner, true, AsParent},
		{"staff of another school", principal(cynllun.Relationship{Kind: cynllun.RelStaffOf, OrgID: "org_school2"}), parentGrant, learner, false, ""},
		{"staff whose role ended", principal(cynllun.Relationship{Kind: cynllun.RelStaffOf, OrgID: "org_school", EndedAt: now.Add(-time.Minute)}), parentGrant, learner, false, ""},
		{"self-granted parent (stored before the rule) consents to nothing", principal(cynllun.Relationship{Kind: cynllun.RelParentOf, LearnerID: "lrn_1", CreatedBy: "usr_me", UserID: "usr_me"}), advocate, learner, false, ""},
		{"admin who was granted OFFICER_OF records no parent", &cynllun.Principal{UserID: "usr_me", Admin: true, Relationships: []cynllun.Relationship{{Kind: cynllun.RelOfficerOf, OrgID: "org_la"}}}, parentGrant, learner, false, ""},
		{"staff grants staff role", principal(staffRel), &cynllun.Relationship{UserID: "usr_other", Kind: cynllun.RelStaffOf, OrgID: "org_school"}, nil, false, ""},
		{"no principal", nil, parentGrant, learner, false, ""},
		{"learner-scoped grant without its learner", principal(staffRel), parentGrant, nil, false, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := Grant(tt.p, tt.r, tt.l, now)
			if d.OK != tt.ok || d.As != tt.as {
				t.Fatalf("Grant = %+v, want OK=%v as %q", d, tt.ok, tt.as)
			}
			if d.Why == "" {
				t.Error("no reason given")
			}
		})
	}
}

// TestAdminReachesNoLearner: an administrator's account reads and writes
// no learner, whatever relationships it was given (by another
// administrator, or stored before such grants were refused).
func TestAdminReachesNoLearner(t *testing.T) {
	p := &cynllun.Principal{UserID: "usr_admin", Admin: true, Relationships: []cynllun.Relationship{
		{Kind: cynllun.RelOfficerOf, OrgID: "org_la"},
		{Kind: cynllun.RelStaffOf, OrgID: "org_school", StaffRole: "ALNCo"},
		{Kind: cynllun.RelParentOf, LearnerID: "lrn_1"},
	}}
	c := &cynllun.Case{ID: "cas_1", LearnerID: "lrn_1"}
	switch {
	case ReadLearner(p, learner, now).OK, WriteLearner(p, learner, now).OK, ReadAudit(p, learner, now).OK,
		ReadCase(p, learner, c, now).OK, OverrideQuality(p, learner, "org_school", []string{"ALNCo"}, now).OK,
		CreateLearner(p, "org_la", "org_school", now).OK:
		t.Fatal("an administrator reached a learner")
	case !Scope(p, now).Empty():
		t.Fatalf("Scope = %+v, want empty", Scope(p, now))
	}
	// Administrators keep their own powers, which need no relationship.
	if !ManageOrganisations(p) || !ManageNotices(p, &cynllun.Organisation{ID: "org_school", Kind: cynllun.OrgSchool}, now) {
		t.Fatal("administrator lost the management of organisations")
	}
}

// TestSelfGrantedGivesNoAccess: a relationship its holder granted
// themself, stored before self-grants were refused, gives no access.
func TestSelfGrantedGivesNoAccess(t *testing.T) {
	self := cynllun.Relationship{UserID: "usr_me", CreatedBy: "usr_me", Kind: cynllun.RelParentOf, LearnerID: "lrn_1"}
	if !self.SelfGranted() || self.ActiveAt(now) {
		t.Fatalf("self-granted: SelfGranted %v ActiveAt %v", self.SelfGranted(), self.ActiveAt(now))
	}
	if ReadLearner(principal(self), learner, now).OK || !Scope(principal(self), now).Empty() {
		t.Fatal("a self-granted parent relationship gave access")
	}
	byOther := self
	byOther.CreatedBy = "usr_alnco"
	if !ReadLearner(principal(byOther), learner, now).OK {
		t.Fatal("a parent relationship granted by staff gave no access")
	}
	seeded := self
	seeded.CreatedBy = ""
	if !seeded.ActiveAt(now) {
		t.Fatal("a relationship with no recorded grantor (seeded) is not active")
	}
}
