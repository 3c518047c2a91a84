package policy

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/cynllun/cynllun"
)

// TestPersonTableShape: one row for every standing × every standing, each
// saying why; nobody unrelated to the learner and no administrator is
// shown; administrators and the unrelated see nobody; a parent is not
// named to another parent, nor an advocate to another advocate.
func TestPersonTableShape(t *testing.T) {
	seen := map[personKey]int{}
	for _, row := range PersonTable {
		seen[personKey{row.Reader, row.Person}]++
		name := fmt.Sprintf("%s sees %s", row.Reader, row.Person)
		if row.Why == "" {
			t.Errorf("%s: the cell does not say why", name)
		}
		if row.Allow && (row.Person == AsNone || row.Person == AsAdmin || row.Reader == AsNone || row.Reader == AsAdmin) {
			t.Errorf("%s is allowed", name)
		}
	}
	for _, a := range Standings {
		for _, b := range Standings {
			if n := seen[personKey{a, b}]; n != 1 {
				t.Errorf("%s × %s: %d rows, want 1", a, b, n)
			}
		}
	}
	if PersonRule(AsParent, AsParent).Allow || PersonRule(AsAdvocate, AsAdvocate).Allow {
		t.Error("a parent named to a parent, or an advocate to an advocate")
	}
	if PersonRule("OWNER", AsStaff).Allow {
		t.Error("an unknown standing is allowed")
	}
}

// TestSeePerson: every kind of reader of learner lrn_1 against every kind
// of person who acted on its record. The allowed pairs are written out
// here, apart from the table.
func TestSeePerson(t *testing.T) {
	later := now.Add(30 * 24 * time.Hour)
	rel := func(user string, k cynllun.RelKind, learnerOrOrg string) cynllun.Relationship {
		r := cynllun.Relationship{ID: "rel_" + user + string(k), UserID: user, Kind: k, CreatedAt: now.Add(-time.Hour)}
		switch k {
		case cynllun.RelStaffOf, cynllun.RelOfficerOf:
			r.OrgID = learnerOrOrg
		default:
			r.LearnerID = learnerOrOrg
		}
		if k == cynllun.RelAdvocateOf {
			r.ConsentBy, r.EndsAt = "usr_parent", later
		}
		if k == cynllun.RelStaffOf {
			r.StaffRole = "ALNCo"
		}
		return r
	}
	type person struct {
		user *cynllun.User
		rels []cynllun.Relationship
	}
	mk := func(id string, rels ...cynllun.Relationship) person {
		return person{&cynllun.User{ID: id, Name: "Name of " + id}, rels}
	}
	ended := rel("usr_former", cynllun.RelStaffOf, "org_school")
	ended.EndedAt = now.Add(-time.Minute)
	selfGranted := rel("usr_selfgrant", cynllun.RelParentOf, "lrn_1")
	selfGranted.CreatedBy = "usr_selfgrant"
	noConsent := rel("usr_adv_noconsent", cynllun.RelAdvocateOf, "lrn_1")
	noConsent.ConsentBy = ""
	adminUser := mk("usr_admin2", rel("usr_admin2", cynllun.RelStaffOf, "org_school"))
	adminUser.user.Admin = true
	people := map[string]person{
		"staff":                         mk("usr_staff", rel("usr_staff", cynllun.RelStaffOf, "org_school")),
		"officer":                       mk("usr_officer", rel("usr_officer", cynllun.RelOfficerOf, "org_la")),
		"parent":                        mk("usr_parent", rel("usr_parent", cynllun.RelParentOf, "lrn_1")),
		"young person":                  mk("usr_yp", rel("usr_yp", cynllun.RelSelf, "lrn_1")),
		"advocate":                      mk("usr_adv", rel("usr_adv", cynllun.RelAdvocateOf, "lrn_1")),
		"former staff":                  mk("usr_former", ended),
		"other school":                  mk("usr_other", rel("usr_other", cynllun.RelStaffOf, "org_school2")),
		"other parent":                  mk("usr_otherparent", rel("usr_otherparent", cynllun.RelParentOf, "lrn_2")),
		"no relation":                   mk("usr_none"),
		"administrator":                 adminUser,
		"self-granted":                  mk("usr_selfgrant", selfGranted),
		"advocate, no consent recorded": mk("usr_adv_noconsent", noConsent),
	}
	readers := map[string]*cynllun.Principal{
		"staff":        principal(rel("usr_me", cynllun.RelStaffOf, "org_school")),
		"officer":      principal(rel("usr_me", cynllun.RelOfficerOf, "org_la")),
		"parent":       principal(rel("usr_me", cynllun.RelParentOf, "lrn_1")),
		"young person": principal(rel("usr_me", cynllun.RelSelf, "lrn_1")),
		"advocate":     principal(rel("usr_me", cynllun.RelAdvocateOf, "lrn_1")),
		"other school": principal(rel("usr_me", cynllun.RelStaffOf, "org_school2")),
		"admin":        {UserID: "usr_me", Admin: true},
		"nobody":       nil,
	}
	everyone := []string{"staff", "officer", "parent", "young person", "advocate", "former staff"}
	allowed := map[string][]string{
		"staff":        everyone,
		"officer":      everyone,
		"parent":       {"staff", "officer", "young person", "advocate", "former staff"},
		"young person": everyone,
		"advocate":     {"staff", "officer", "parent", "young person", "former staff"},
	}
	for rn, reader := range readers {
		for pn, per := range people {
			got := SeePerson(reader, learner, per.user, per.rels, now)
			want := slices.Contains(allowed[rn], pn)
			if got.OK != want {
				t.Errorf("%s sees %s: %v, want %v", rn, pn, got.OK, want)
			}
			if got.OK && (len(got.Roles) != 1 || got.Roles[0].UserID != per.user.ID) {
				t.Errorf("%s sees %s with roles %+v", rn, pn, got.Roles)
			}
			if SeePerson(reader, stranger, per.user, per.rels, now).OK {
				t.Errorf("%s sees %s about a learner they may not read", rn, pn)
			}
		}
	}
	if SeePerson(readers["staff"], learner, nil, nil, now).OK {
		t.Error("an unknown user is seen")
	}
}

// TestSeePersonRoles: the roles shown are the person's relationships with
// the learner whose standing the reader may see, ended ones too; roles with
// other learners and organisations are never shown; readers see themselves.
func TestSeePersonRoles(t *testing.T) {
	staffRel := cynllun.Relationship{ID: "rel_s", UserID: "usr_x", Kind: cynllun.RelStaffOf, OrgID: "org_school", StaffRole: "ALNCo"}
	parentRel := cynllun.Relationship{ID: "rel_p", UserID: "usr_x", Kind: cynllun.RelParentOf, LearnerID: "lrn_1"}
	otherChild := cynllun.Relationship{ID: "rel_o", UserID: "usr_x", Kind: cynllun.RelParentOf, LearnerID: "lrn_2"}
	oldLA := cynllun.Relationship{ID: "rel_l", UserID: "usr_x", Kind: cynllun.RelOfficerOf, OrgID: "org_la", EndedAt: now.Add(-time.Hour)}
	x := &cynllun.User{ID: "usr_x", Name: "X"}
	rels := []cynllun.Relationship{staffRel, parentRel, otherChild, oldLA}
	ids := func(s Seen) []string {
		var out []string
		for _, r := range s.Roles {
			out = append(out, r.ID)
		}
		return out
	}
	otherParent := principal(cynllun.Relationship{Kind: cynllun.RelParentOf, LearnerID: "lrn_1"})
	if got := ids(SeePerson(otherParent, learner, x, rels, now)); !slices.Equal(got, []string{"rel_s", "rel_l"}) {
		t.Errorf("a parent sees the other parent's roles %v, want the staff and (ended) officer roles only", got)
	}
	officer := principal(cynllun.Relationship{Kind: cynllun.RelOfficerOf, OrgID: "org_la"})
	if got := ids(SeePerson(officer, learner, x, rels, now)); !slices.Equal(got, []string{"rel_s", "rel_p", "rel_l"}) {
		t.Errorf("an officer sees %v", got)
	}
	me := &cynllun.Principal{UserID: "usr_x", Relationships: rels}
	if got := ids(SeePerson(me, learner, x, rels, now)); !slices.Equal(got, []string{"rel_s", "rel_p", "rel_l"}) {
		t.Errorf("themself: %v", got)
	}
	// Relationships of someone else passed by mistake are not theirs.
	if got := SeePerson(officer, learner, &cynllun.User{ID: "usr_y"}, rels, now); got.OK {
		t.Errorf("another user's relationships made usr_y known: %+v", got)
	}
}
