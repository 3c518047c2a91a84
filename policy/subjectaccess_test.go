package policy_test

import (
	"testing"
	"time"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/policy"
)

// TestSubjectAccess: the controller's staff who maintain the record may
// export it; the family, advocates, other bodies and administrators may
// not (policy.SubjectAccess's table).
func TestSubjectAccess(t *testing.T) {
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	l := &cynllun.Learner{ID: "lrn_1", LAID: "org_la", SettingID: "org_school"}
	rel := func(kind cynllun.RelKind, org, learner string) cynllun.Relationship {
		r := cynllun.Relationship{ID: "rel_" + string(kind), UserID: "usr_x", Kind: kind, OrgID: org, LearnerID: learner, CreatedBy: "usr_grantor"}
		if kind == cynllun.RelAdvocateOf {
			r.ConsentBy, r.EndsAt = "usr_parent", now.Add(time.Hour)
		}
		return r
	}
	for _, tt := range []struct {
		name  string
		p     *cynllun.Principal
		allow bool
	}{
		{"staff of the setting", &cynllun.Principal{UserID: "usr_x", Relationships: []cynllun.Relationship{rel(cynllun.RelStaffOf, "org_school", "")}}, true},
		{"officer of the LA", &cynllun.Principal{UserID: "usr_x", Relationships: []cynllun.Relationship{rel(cynllun.RelOfficerOf, "org_la", "")}}, true},
		{"staff of another school", &cynllun.Principal{UserID: "usr_x", Relationships: []cynllun.Relationship{rel(cynllun.RelStaffOf, "org_other", "")}}, false},
		{"officer of another LA", &cynllun.Principal{UserID: "usr_x", Relationships: []cynllun.Relationship{rel(cynllun.RelOfficerOf, "org_la2", "")}}, false},
		{"parent", &cynllun.Principal{UserID: "usr_x", Relationships: []cynllun.Relationship{rel(cynllun.RelParentOf, "", "lrn_1")}}, false},
		{"young person", &cynllun.Principal{UserID: "usr_x", Relationships: []cynllun.Relationship{rel(cynllun.RelSelf, "", "lrn_1")}}, false},
		{"advocate", &cynllun.Principal{UserID: "usr_x", Relationships: []cynllun.Relationship{rel(cynllun.RelAdvocateOf, "", "lrn_1")}}, false},
		{"administrator holding a staff role", &cynllun.Principal{UserID: "usr_x", Admin: true, Relationships: []cynllun.Relationship{rel(cynllun.RelStaffOf, "org_school", "")}}, false},
		{"no one", &cynllun.Principal{UserID: "usr_x"}, false},
	} {
		if got := policy.SubjectAccess(tt.p, l, now).OK; got != tt.allow {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.allow)
		}
	}
	if policy.SubjectAccess(&cynllun.Principal{UserID: "usr_x"}, nil, now).OK {
		t.Error("no learner: allowed")
	}
}
