package policy

import (
	"testing"
	"time"

	"github.com/cynllun/cynllun"
)

// TestSeeAccessRow: who lists a learner's relationships, and which rows and
// grantors each reader sees (issue 17), cell by cell.
func TestSeeAccessRow(t *testing.T) {
	later := now.Add(time.Hour)
	parentRel := cynllun.Relationship{ID: "rel_p", UserID: "usr_me", Kind: cynllun.RelParentOf, LearnerID: "lrn_1", CreatedBy: "usr_staff", GrantedAs: "STAFF_OF"}
	ypRel := cynllun.Relationship{ID: "rel_y", UserID: "usr_me", Kind: cynllun.RelSelf, LearnerID: "lrn_1", CreatedBy: "usr_staff", GrantedAs: "STAFF_OF"}
	rows := map[string]*cynllun.Relationship{
		"other parent":            {UserID: "usr_p2", Kind: cynllun.RelParentOf, LearnerID: "lrn_1", CreatedBy: "usr_staff", GrantedAs: "STAFF_OF"},
		"young person":            {UserID: "usr_yp", Kind: cynllun.RelSelf, LearnerID: "lrn_1", CreatedBy: "usr_staff", GrantedAs: "STAFF_OF"},
		"my advocate":             {UserID: "usr_adv", Kind: cynllun.RelAdvocateOf, LearnerID: "lrn_1", ConsentBy: "usr_me", CreatedBy: "usr_me", GrantedAs: "PARENT_OF", EndsAt: later},
		"other parent's advocate": {UserID: "usr_adv2", Kind: cynllun.RelAdvocateOf, LearnerID: "lrn_1", ConsentBy: "usr_p2", CreatedBy: "usr_p2", GrantedAs: "PARENT_OF", EndsAt: later},
		"self-granted":            {UserID: "usr_x", Kind: cynllun.RelParentOf, LearnerID: "lrn_1", CreatedBy: "usr_x"},
		"another learner's":       {UserID: "usr_adv", Kind: cynllun.RelAdvocateOf, LearnerID: "lrn_2", ConsentBy: "usr_me", EndsAt: later},
	}
	type cell struct{ show, grantor bool }
	for _, tt := range []struct {
		name string
		p    *cynllun.Principal
		list bool
		want map[string]cell
	}{
		{"staff", principal(cynllun.Relationship{Kind: cynllun.RelStaffOf, OrgID: "org_school"}), true, map[string]cell{
			"other parent": {true, true}, "young person": {true, true}, "my advocate": {true, true},
			"other parent's advocate": {true, true}, "self-granted": {true, true},
		}},
		{"parent", principal(parentRel), true, map[string]cell{
			// Another parent is not named to a parent (PersonTable); the
			// advocate they consented to is shown, without naming them.
			"young person": {true, true}, "my advocate": {true, true}, "other parent's advocate": {true, false},
		}},
		{"young person", principal(ypRel), true, map[string]cell{
			"other parent": {true, true}, "young person": {true, true}, "my advocate": {true, true},
			"other parent's advocate": {true, true},
		}},
		{"advocate", principal(cynllun.Relationship{UserID: "usr_me", Kind: cynllun.RelAdvocateOf, LearnerID: "lrn_1", ConsentBy: "usr_p", EndsAt: later}), false, nil},
		{"administrator", &cynllun.Principal{UserID: "usr_me", Admin: true}, false, nil},
		{"stranger", principal(), false, nil},
		{"ended parent", principal(cynllun.Relationship{UserID: "usr_me", Kind: cynllun.RelParentOf, LearnerID: "lrn_1", EndedAt: now.Add(-time.Hour)}), false, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := ReadAccessList(tt.p, learner, now).OK; got != tt.list {
				t.Errorf("ReadAccessList = %v, want %v", got, tt.list)
			}
			for name, r := range rows {
				got := SeeAccessRow(tt.p, learner, r, now)
				if w := tt.want[name]; got.Show != w.show || got.Grantor != w.grantor {
					t.Errorf("%s: got %+v, want %+v", name, got, w)
				}
			}
		})
	}
}

// TestInvite: who may invite whom for what (issue 17).
func TestInvite(t *testing.T) {
	later := now.AddDate(0, 6, 0)
	parent := cynllun.Relationship{ID: "rel_p", Kind: cynllun.RelParentOf, LearnerID: "lrn_1"}
	yp := cynllun.Relationship{ID: "rel_y", Kind: cynllun.RelSelf, LearnerID: "lrn_1"}
	for _, tt := range []struct {
		name   string
		p      *cynllun.Principal
		kind   cynllun.RelKind
		email  string
		endsAt time.Time
		ok     bool
		as     Standing
		self   bool
	}{
		{"parent invites an advocate", principal(parent), cynllun.RelAdvocateOf, "adv@example.org", later, true, AsParent, false},
		{"young person invites an advocate", principal(yp), cynllun.RelAdvocateOf, "adv@example.org", later, true, AsYoungPerson, false},
		{"parent invites themself", principal(parent), cynllun.RelAdvocateOf, "Me@Example.org", later, false, "", true},
		{"parent invites a parent", principal(parent), cynllun.RelParentOf, "p@example.org", later, false, "", false},
		{"parent invites staff", principal(parent), cynllun.RelStaffOf, "s@example.org", later, false, "", false},
		{"parent, no end in the future", principal(parent), cynllun.RelAdvocateOf, "adv@example.org", now, false, "", false},
		{"parent, more than two years", principal(parent), cynllun.RelAdvocateOf, "adv@example.org", now.AddDate(2, 1, 0), false, "", false},
		{"parent of another child", principal(cynllun.Relationship{Kind: cynllun.RelParentOf, LearnerID: "lrn_2"}), cynllun.RelAdvocateOf, "adv@example.org", later, false, "", false},
		{"staff", principal(cynllun.Relationship{Kind: cynllun.RelStaffOf, OrgID: "org_school"}), cynllun.RelAdvocateOf, "adv@example.org", later, false, "", false},
		{"officer", principal(cynllun.Relationship{Kind: cynllun.RelOfficerOf, OrgID: "org_la"}), cynllun.RelAdvocateOf, "adv@example.org", later, false, "", false},
		{"advocate passes consent on", principal(cynllun.Relationship{Kind: cynllun.RelAdvocateOf, LearnerID: "lrn_1", ConsentBy: "usr_p", EndsAt: later}), cynllun.RelAdvocateOf, "adv@example.org", later, false, "", false},
		{"administrator", &cynllun.Principal{UserID: "usr_me", Admin: true}, cynllun.RelAdvocateOf, "adv@example.org", later, false, "", false},
		{"nobody", nil, cynllun.RelAdvocateOf, "adv@example.org", later, false, "", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := Invite(tt.p, "me@example.org", tt.kind, learner, tt.email, tt.endsAt, now)
			if d.OK != tt.ok || d.As != tt.as || d.Self != tt.self || d.Why == "" {
				t.Errorf("got %+v, want ok %v as %q self %v", d, tt.ok, tt.as, tt.self)
			}
		})
	}
}

// TestAccept: who may accept an invitation, and when.
func TestAccept(t *testing.T) {
	pending := &cynllun.Invitation{ID: "inv_1", LearnerID: "lrn_1", Email: "Adv@Example.org", CreatedBy: "usr_p", ExpiresAt: now.Add(time.Hour), EndsAt: now.Add(24 * time.Hour)}
	consentOver := *pending
	consentOver.EndsAt = now
	expired := *pending
	expired.ExpiresAt = now
	cancelled := *pending
	cancelled.CancelledAt = now.Add(-time.Minute)
	used := *pending
	used.AcceptedAt = now.Add(-time.Minute)
	for _, tt := range []struct {
		name string
		a    Acceptor
		inv  *cynllun.Invitation
		ok   bool
	}{
		{"the invitee's account", Acceptor{UserID: "usr_a", Email: "adv@example.org", Existing: true}, pending, true},
		{"a newcomer with the token", Acceptor{UserID: "sub-1"}, pending, true},
		{"another address", Acceptor{UserID: "usr_b", Email: "b@example.org", Existing: true}, pending, false},
		{"the inviter", Acceptor{UserID: "usr_p", Email: "adv@example.org", Existing: true}, pending, false},
		{"an administrator", Acceptor{UserID: "usr_a", Email: "adv@example.org", Admin: true, Existing: true}, pending, false},
		{"expired", Acceptor{UserID: "usr_a", Email: "adv@example.org", Existing: true}, &expired, false},
		{"cancelled", Acceptor{UserID: "usr_a", Email: "adv@example.org", Existing: true}, &cancelled, false},
		{"already used", Acceptor{UserID: "usr_a", Email: "adv@example.org", Existing: true}, &used, false},
		{"the consent it offers has ended", Acceptor{UserID: "usr_a", Email: "adv@example.org", Existing: true}, &consentOver, false},
		{"none", Acceptor{UserID: "usr_a"}, nil, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := Accept(tt.a, tt.inv, now); got.Allow != tt.ok || got.Why == "" {
				t.Errorf("got %+v, want %v", got, tt.ok)
			}
		})
	}
}

// TestCancelInvitation: the inviter, another parent and the young person
// cancel; nobody else.
func TestCancelInvitation(t *testing.T) {
	inv := &cynllun.Invitation{ID: "inv_1", LearnerID: "lrn_1", CreatedBy: "usr_me", ExpiresAt: now.Add(time.Hour)}
	theirs := &cynllun.Invitation{ID: "inv_2", LearnerID: "lrn_1", CreatedBy: "usr_p2", ExpiresAt: now.Add(time.Hour)}
	for _, tt := range []struct {
		name string
		p    *cynllun.Principal
		inv  *cynllun.Invitation
		ok   bool
	}{
		{"inviter", principal(cynllun.Relationship{Kind: cynllun.RelParentOf, LearnerID: "lrn_1"}), inv, true},
		{"another parent", principal(cynllun.Relationship{Kind: cynllun.RelParentOf, LearnerID: "lrn_1"}), theirs, true},
		{"young person", principal(cynllun.Relationship{Kind: cynllun.RelSelf, LearnerID: "lrn_1"}), theirs, true},
		{"staff", principal(cynllun.Relationship{Kind: cynllun.RelStaffOf, OrgID: "org_school"}), theirs, false},
		{"parent of another child", principal(cynllun.Relationship{Kind: cynllun.RelParentOf, LearnerID: "lrn_2"}), theirs, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := CancelInvitation(tt.p, tt.inv, learner, now); got.Allow != tt.ok {
				t.Errorf("got %+v, want %v", got, tt.ok)
			}
		})
	}
}
