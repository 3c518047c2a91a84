package policy

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cynllun/cynllun"
)

var (
	now     = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	learner = &cynllun.Learner{ID: "lrn_1", LAID: "org_la", SettingID: "org_school"}
	other   = &cynllun.Learner{ID: "lrn_2", LAID: "org_la2", SettingID: "org_school2"}
	// stranger is related to no principal in these tests.
	stranger = &cynllun.Learner{ID: "lrn_3", LAID: "org_la3", SettingID: "org_school3"}
)

func principal(rels ...cynllun.Relationship) *cynllun.Principal {
	return &cynllun.Principal{UserID: "usr_me", Relationships: rels}
}

func TestReadWriteLearner(t *testing.T) {
	tests := []struct {
		name        string
		p           *cynllun.Principal
		read, write cynllun.RelKind // "" = denied
	}{
		{"nobody", nil, "", ""},
		{"no relationships", principal(), "", ""},
		{"admin sees no learner", &cynllun.Principal{UserID: "usr_admin", Admin: true}, "", ""},
		{"parent", principal(cynllun.Relationship{Kind: cynllun.RelParentOf, LearnerID: "lrn_1"}), cynllun.RelParentOf, ""},
		{"parent of another child", principal(cynllun.Relationship{Kind: cynllun.RelParentOf, LearnerID: "lrn_2"}), "", ""},
		{"young person themself", principal(cynllun.Relationship{Kind: cynllun.RelSelf, LearnerID: "lrn_1"}), cynllun.RelSelf, ""},
		{"staff of the school", principal(cynllun.Relationship{Kind: cynllun.RelStaffOf, OrgID: "org_school"}), cynllun.RelStaffOf, cynllun.RelStaffOf},
		{"staff of another school", principal(cynllun.Relationship{Kind: cynllun.RelStaffOf, OrgID: "org_school2"}), "", ""},
		{"officer of the LA", principal(cynllun.Relationship{Kind: cynllun.RelOfficerOf, OrgID: "org_la"}), cynllun.RelOfficerOf, cynllun.RelOfficerOf},
		{"officer of another LA", principal(cynllun.Relationship{Kind: cynllun.RelOfficerOf, OrgID: "org_la2"}), "", ""},
		{"staff role at the LA id is not officer", principal(cynllun.Relationship{Kind: cynllun.RelStaffOf, OrgID: "org_la"}), "", ""},
		{"advocate with consent", principal(cynllun.Relationship{Kind: cynllun.RelAdvocateOf, LearnerID: "lrn_1", ConsentBy: "usr_parent", EndsAt: now.Add(time.Hour)}), cynllun.RelAdvocateOf, ""},
		{"advocate consent expired", principal(cynllun.Relationship{Kind: cynllun.RelAdvocateOf, LearnerID: "lrn_1", ConsentBy: "usr_parent", EndsAt: now}), "", ""},
		{"advocate without recorded consent", principal(cynllun.Relationship{Kind: cynllun.RelAdvocateOf, LearnerID: "lrn_1", EndsAt: now.Add(time.Hour)}), "", ""},
		{"advocate without end date", principal(cynllun.Relationship{Kind: cynllun.RelAdvocateOf, LearnerID: "lrn_1", ConsentBy: "usr_parent"}), "", ""},
		{"revoked parent", principal(cynllun.Relationship{Kind: cynllun.RelParentOf, LearnerID: "lrn_1", EndedAt: now.Add(-time.Second)}), "", ""},
		{"staff relationship ended", principal(cynllun.Relationship{Kind: cynllun.RelStaffOf, OrgID: "org_school", EndsAt: now.Add(-time.Minute)}), "", ""},
		{"parent and staff: parent is the reason to read", principal(
			cynllun.Relationship{Kind: cynllun.RelStaffOf, OrgID: "org_school"},
			cynllun.Relationship{Kind: cynllun.RelParentOf, LearnerID: "lrn_1"}), cynllun.RelParentOf, cynllun.RelStaffOf},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ReadLearner(tt.p, learner, now)
			if r.OK != (tt.read != "") || r.Reason != tt.read {
				t.Errorf("ReadLearner = %+v, want %q", r, tt.read)
			}
			w := WriteLearner(tt.p, learner, now)
			if w.OK != (tt.write != "") || w.Reason != tt.write {
				t.Errorf("WriteLearner = %+v, want %q", w, tt.write)
			}
			if ReadLearner(tt.p, stranger, now).OK || WriteLearner(tt.p, stranger, now).OK {
				t.Error("access leaked to an unrelated learner")
			}
			// Scope must agree with ReadLearner for both learners.
			s := Scope(tt.p, now)
			for _, l := range []*cynllun.Learner{learner, other, stranger} {
				if got, want := inScope(s, l), ReadLearner(tt.p, l, now).OK; got != want {
					t.Errorf("Scope says %v for %s, ReadLearner says %v", got, l.ID, want)
				}
			}
		})
	}
}

func inScope(s cynllun.Scope, l *cynllun.Learner) bool {
	for _, id := range s.LearnerIDs {
		if id == l.ID {
			return true
		}
	}
	for _, id := range s.SettingIDs {
		if id == l.SettingID {
			return true
		}
	}
	for _, id := range s.LAIDs {
		if id == l.LAID {
			return true
		}
	}
	return false
}

func TestScopeEmptyDeniesAll(t *testing.T) {
	if s := Scope(principal(), now); !s.Empty() {
		t.Fatalf("Scope = %+v, want empty", s)
	}
	s := Scope(principal(
		cynllun.Relationship{Kind: cynllun.RelStaffOf, OrgID: "org_school"},
		cynllun.Relationship{Kind: cynllun.RelStaffOf, OrgID: "org_school"},
		cynllun.Relationship{Kind: cynllun.RelParentOf, LearnerID: "lrn_9"},
	), now)
	want := cynllun.Scope{LearnerIDs: []string{"lrn_9"}, SettingIDs: []string{"org_school"}}
	if d := cmp.Diff(want, s); d != "" {
		t.Fatalf("Scope (-want +got):\n%s", d)
	}
}

func TestGrant(t *testing.T) {
	parent := principal(cynllun.Relationship{Kind: cynllun.RelParentOf, LearnerID: "lrn_1"})
	staff := principal(cynllun.Relationship{Kind: cynllun.RelStaffOf, OrgID: "org_school"})
	admin := &cynllun.Principal{UserID: "usr_me", Admin: true}
	advocate := func(consentBy string) *cynllun.Relationship {
		return &cynllun.Relationship{Kind: cynllun.RelAdvocateOf, LearnerID: "lrn_1", ConsentBy: consentBy, EndsAt: now.Add(time.Hour)}
	}
	tests := []struct {
		name string
		p    *cynllun.Principal
		r    *cynllun.Relationship
		l    *cynllun.Learner
		want bool
	}{
		{"admin grants staff", admin, &cynllun.Relationship{Kind: cynllun.RelStaffOf, OrgID: "org_school"}, nil, true},
		{"staff cannot grant staff", staff, &cynllun.Relationship{Kind: cynllun.RelStaffOf, OrgID: "org_school"}, nil, false},
		{"admin cannot grant parent", admin, &cynllun.Relationship{Kind: cynllun.RelParentOf, LearnerID: "lrn_1"}, learner, false},
		{"staff grants parent", staff, &cynllun.Relationship{Kind: cynllun.RelParentOf, LearnerID: "lrn_1"}, learner, true},
		{"parent cannot grant parent", parent, &cynllun.Relationship{Kind: cynllun.RelParentOf, LearnerID: "lrn_1"}, learner, false},
		{"parent consents to advocate", parent, advocate("usr_me"), learner, true},
		{"consent recorded for someone else", parent, advocate("usr_other"), learner, false},
		{"staff cannot consent for the family", staff, advocate("usr_me"), learner, false},
		{"parent of another child", parent, &cynllun.Relationship{Kind: cynllun.RelAdvocateOf, LearnerID: "lrn_2", ConsentBy: "usr_me"}, other, false},
		{"advocate consent without end date", parent, &cynllun.Relationship{UserID: "usr_adv", Kind: cynllun.RelAdvocateOf, LearnerID: "lrn_1", ConsentBy: "usr_me"}, learner, false},
		{"relationship about another learner than the one checked", staff, &cynllun.Relationship{Kind: cynllun.RelParentOf, LearnerID: "lrn_2"}, learner, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Grant(tt.p, tt.r, tt.l, now); got.OK != tt.want {
				t.Errorf("Grant = %+v, want %v", got, tt.want)
			}
		})
	}
}

func TestEditCalendarAndManageNotices(t *testing.T) {
	now := time.Now()
	la := &cynllun.Organisation{ID: "org_la", Kind: cynllun.OrgLocalAuthority}
	school := &cynllun.Organisation{ID: "org_s", Kind: cynllun.OrgSchool, LAID: "org_la"}
	other := &cynllun.Organisation{ID: "org_o", Kind: cynllun.OrgSchool, LAID: "org_la2"}
	staff := &cynllun.Principal{UserID: "u1", Relationships: []cynllun.Relationship{{Kind: cynllun.RelStaffOf, OrgID: "org_s"}}}
	laStaff := &cynllun.Principal{UserID: "u4", Relationships: []cynllun.Relationship{{Kind: cynllun.RelStaffOf, OrgID: "org_la"}}}
	officer := &cynllun.Principal{UserID: "u2", Relationships: []cynllun.Relationship{{Kind: cynllun.RelOfficerOf, OrgID: "org_la"}}}
	parent := &cynllun.Principal{UserID: "u3", Relationships: []cynllun.Relationship{{Kind: cynllun.RelParentOf, LearnerID: "lrn"}}}
	admin := &cynllun.Principal{UserID: "a", Admin: true}
	for _, tt := range []struct {
		name       string
		p          *cynllun.Principal
		o          *cynllun.Organisation
		edit, mgmt bool
	}{
		{"staff, own school", staff, school, true, true},
		{"staff, other school", staff, other, false, false},
		{"officer, LA", officer, la, true, true},
		{"officer, LA's school", officer, school, true, true},
		{"officer, other LA's school", officer, other, false, false},
		{"staff of the LA, LA calendar", laStaff, la, false, true},
		{"parent", parent, school, false, false},
		{"admin", admin, other, true, true},
		{"nobody", nil, school, false, false},
	} {
		if got := EditCalendar(tt.p, tt.o, now); got != tt.edit {
			t.Errorf("%s: EditCalendar = %v", tt.name, got)
		}
		if got := ManageNotices(tt.p, tt.o, now); got != tt.mgmt {
			t.Errorf("%s: ManageNotices = %v", tt.name, got)
		}
	}
}

// TestReadCase: who may see and work on a case. An advocate's consent may
// cover the learner (every case) or one case (that one alone).
func TestReadCase(t *testing.T) {
	c1 := &cynllun.Case{ID: "cas_1", LearnerID: "lrn_1"}
	c2 := &cynllun.Case{ID: "cas_2", LearnerID: "lrn_1"}
	otherCase := &cynllun.Case{ID: "cas_3", LearnerID: "lrn_2"}
	adv := func(caseID string, ends time.Time) cynllun.Relationship {
		return cynllun.Relationship{Kind: cynllun.RelAdvocateOf, LearnerID: "lrn_1", ConsentBy: "usr_parent", EndsAt: ends, CaseID: caseID}
	}
	later := now.Add(time.Hour)
	tests := []struct {
		name   string
		p      *cynllun.Principal
		c      *cynllun.Case
		reason cynllun.RelKind // "" = denied
	}{
		{"nobody", nil, c1, ""},
		{"admin", &cynllun.Principal{UserID: "usr_admin", Admin: true}, c1, ""},
		{"parent", principal(cynllun.Relationship{Kind: cynllun.RelParentOf, LearnerID: "lrn_1"}), c1, cynllun.RelParentOf},
		{"young person", principal(cynllun.Relationship{Kind: cynllun.RelSelf, LearnerID: "lrn_1"}), c2, cynllun.RelSelf},
		{"parent of another child", principal(cynllun.Relationship{Kind: cynllun.RelParentOf, LearnerID: "lrn_2"}), c1, ""},
		{"staff of the school", principal(cynllun.Relationship{Kind: cynllun.RelStaffOf, OrgID: "org_school"}), c1, cynllun.RelStaffOf},
		{"officer of the LA", principal(cynllun.Relationship{Kind: cynllun.RelOfficerOf, OrgID: "org_la"}), c1, cynllun.RelOfficerOf},
		{"officer of another LA", principal(cynllun.Relationship{Kind: cynllun.RelOfficerOf, OrgID: "org_la2"}), c1, ""},
		{"advocate for the learner", principal(adv("", later)), c2, cynllun.RelAdvocateOf},
		{"advocate for this case", principal(adv("cas_1", later)), c1, cynllun.RelAdvocateOf},
		{"advocate for another case", principal(adv("cas_2", later)), c1, ""},
		{"advocate whose consent ended", principal(adv("cas_1", now)), c1, ""},
		{"advocate without recorded consent", principal(cynllun.Relationship{Kind: cynllun.RelAdvocateOf, LearnerID: "lrn_1", EndsAt: later}), c1, ""},
		{"staff, case of another learner", principal(cynllun.Relationship{Kind: cynllun.RelStaffOf, OrgID: "org_school"}), otherCase, ""},
		{"advocate for another case, also staff", principal(adv("cas_2", later), cynllun.Relationship{Kind: cynllun.RelStaffOf, OrgID: "org_school"}), c1, cynllun.RelStaffOf},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := ReadCase(tt.p, learner, tt.c, now)
			if a.OK != (tt.reason != "") || a.Reason != tt.reason {
				t.Errorf("ReadCase = %+v, want %q", a, tt.reason)
			}
		})
	}
	if ReadCase(principal(cynllun.Relationship{Kind: cynllun.RelParentOf, LearnerID: "lrn_1"}), nil, c1, now).OK {
		t.Error("no learner")
	}
	p := principal(adv("cas_2", later))
	if got := CaseVisible(p, learner, []*cynllun.Case{c1, c2}, now); len(got) != 1 || got[0] != c2 {
		t.Errorf("CaseVisible = %v", got)
	}
}

// TestOverrideQuality: an LA officer, or the maintaining setting's staff in
// an override role, may finalise over error-level findings; other staff,
// the family and advocates may not.
func TestOverrideQuality(t *testing.T) {
	roles := []string{"ALNCo", "Cydlynydd ADY"}
	staff := func(org, role string) cynllun.Relationship {
		return cynllun.Relationship{Kind: cynllun.RelStaffOf, OrgID: org, StaffRole: role}
	}
	for _, tt := range []struct {
		name       string
		p          *cynllun.Principal
		maintainer string
		ok         bool
	}{
		{"ALNCo of the school", principal(staff("org_school", "ALNCo")), "org_school", true},
		{"role without case or accents", principal(staff("org_school", "alnco")), "org_school", true},
		{"Welsh role", principal(staff("org_school", "Cydlynydd ADY")), "org_school", true},
		{"teacher", principal(staff("org_school", "teacher")), "org_school", false},
		{"no role", principal(staff("org_school", "")), "org_school", false},
		{"ALNCo of another school", principal(staff("org_school2", "ALNCo")), "org_school", false},
		{"school ALNCo, LA-maintained plan", principal(staff("org_school", "ALNCo")), "org_la", false},
		{"LA officer, LA-maintained plan", principal(cynllun.Relationship{Kind: cynllun.RelOfficerOf, OrgID: "org_la"}), "org_la", true},
		{"LA officer, school plan", principal(cynllun.Relationship{Kind: cynllun.RelOfficerOf, OrgID: "org_la"}), "org_school", true},
		{"officer of another LA", principal(cynllun.Relationship{Kind: cynllun.RelOfficerOf, OrgID: "org_la2"}), "org_school", false},
		{"parent", principal(cynllun.Relationship{Kind: cynllun.RelParentOf, LearnerID: "lrn_1"}), "org_school", false},
		{"ended ALNCo", principal(cynllun.Relationship{Kind: cynllun.RelStaffOf, OrgID: "org_school", StaffRole: "ALNCo", EndedAt: now.Add(-time.Hour)}), "org_school", false},
		{"admin", &cynllun.Principal{UserID: "usr_admin", Admin: true}, "org_school", false},
	} {
		if got := OverrideQuality(tt.p, learner, tt.maintainer, roles, now).OK; got != tt.ok {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.ok)
		}
	}
}
