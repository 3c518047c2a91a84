package cynllun_test

import (
	"testing"
	"time"

	"github.com/cynllun/cynllun"
)

func TestRetentionRules(t *testing.T) {
	for _, c := range []struct {
		in   string
		want cynllun.RetentionRule
		bad  bool
	}{
		{in: "dob+31y", want: cynllun.RetentionRule{Basis: cynllun.RetentionFromBirth, Years: 31}},
		{in: " CEASED+25y ", want: cynllun.RetentionRule{Basis: cynllun.RetentionFromEnd, Years: 25}},
		{in: "dob+0y", bad: true},
		{in: "dob+31", bad: true},
		{in: "created+6y", bad: true},
		{in: "", bad: true},
	} {
		got, err := cynllun.ParseRetentionRule(c.in)
		if (err != nil) != c.bad || (!c.bad && got != c.want) {
			t.Errorf("ParseRetentionRule(%q) = %v, %v", c.in, got, err)
		}
	}
	ov, err := cynllun.ParseRetentionControllers("org_la_W06000015=ceased+25y, org_school=dob+35y")
	if err != nil || len(ov) != 2 {
		t.Fatalf("controllers = %v, %v", ov, err)
	}
	if _, err := cynllun.ParseRetentionControllers("W06000015=dob+31y"); err == nil {
		t.Error("an id that is not an organisation id was accepted")
	}
	p := cynllun.RetentionPolicy{Default: cynllun.DefaultRetentionRule, Controllers: ov}
	if p.RuleFor("org_other") != cynllun.DefaultRetentionRule || p.RuleFor("org_school").Years != 35 {
		t.Error("RuleFor does not put the controller's rule over the default")
	}

	dob := cynllun.MustDate("2008-02-29")
	l := &cynllun.Learner{ID: "lrn_a", DateOfBirth: dob, LAID: "org_la", SettingID: "org_school"}
	if due, ok := cynllun.DefaultRetentionRule.RetentionDue(l, nil); !ok || due != cynllun.MustDate("2039-02-28") {
		t.Errorf("dob+31y of 29 February 2008 = %v %v", due, ok)
	}
	if got := cynllun.RetentionController(l, nil); got != "org_school" {
		t.Errorf("controller without a plan = %s", got)
	}
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	plans := []*cynllun.Plan{
		{ID: "pln_1", LearnerID: "lrn_a", MaintainerID: "org_school", CreatedAt: at, Status: cynllun.PlanCeased,
			Cessation: &cynllun.Cessation{DecidedOn: cynllun.MustDate("2027-07-01")}},
		{ID: "pln_2", LearnerID: "lrn_a", MaintainerID: "org_la", CreatedAt: at.AddDate(1, 0, 0)},
	}
	if got := cynllun.RetentionController(l, plans); got != "org_la" {
		t.Errorf("controller = %s, want the newest plan's maintainer", got)
	}
	ceased := cynllun.RetentionRule{Basis: cynllun.RetentionFromEnd, Years: 6}
	if _, ok := ceased.RetentionDue(l, plans); ok {
		t.Error("ceased+6y is due while a plan is maintained")
	}
	plans[1].Status, plans[1].Cessation = cynllun.PlanCeased, &cynllun.Cessation{DecidedOn: cynllun.MustDate("2030-03-31")}
	if due, ok := ceased.RetentionDue(l, plans); !ok || due != cynllun.MustDate("2036-03-31") {
		t.Errorf("ceased+6y = %v %v, want six years after the last cessation", due, ok)
	}
	if _, ok := ceased.RetentionDue(l, nil); ok {
		t.Error("ceased+6y is due for a learner with no plan")
	}
}
