package clock

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cynllun/cynllun"
)

func TestEmbeddedRulesLoad(t *testing.T) {
	rules, err := loadRules(rulesJSON)
	if err != nil {
		t.Fatalf("embedded rules.json does not load: %v", err)
	}
	if len(rules) != 21 {
		t.Fatalf("got %d rules, want 21 (T1 to T21)", len(rules))
	}
	if diff := cmp.Diff(rules, Rules()); diff != "" {
		t.Errorf("Rules() differs from the file (-file +Rules):\n%s", diff)
	}
}

// The rule table as encoded, against domain.md §2.1. A change to
// rules.json that changes a time limit must change this table too.
func TestRuleTable(t *testing.T) {
	type row struct {
		id     string
		amount int
		unit   Unit
		start  Start
		flags  string // c: countingConvention, r: rollForward, w: firstWorkingDayAfter, s: fixedEndOfSeptember, o: overridable
		tag    Tag
		cal    string
	}
	want := []row{
		{"T1", 35, UnitSchoolDays, StartTriggerDay, "c", TagSecondary, CalendarMaintainer},
		{"T2", 35, UnitSchoolDays, StartTriggerDay, "c", TagSecondary, CalendarMaintainer},
		{"T3", 35, UnitTermTimeDays, StartTriggerDay, "c", TagSecondary, CalendarMaintainer},
		{"T4", 12, UnitWeeks, StartTriggerDay, "c", TagSecondary, CalendarNone},
		{"T5", 7, UnitWeeks, StartTriggerDay, "c", TagSecondary, CalendarNone},
		{"T6", 0, UnitNone, StartTriggerDay, "o", TagUnconfirmed, CalendarNone},
		{"T7", 0, UnitNone, StartTriggerDay, "o", TagUnconfirmed, CalendarNone},
		{"T8", 12, UnitMonths, StartTriggerDay, "", TagConfirmed, CalendarNone},
		{"T9", 0, UnitNone, StartTriggerDay, "o", TagUnconfirmed, CalendarMaintainer},
		{"T10", 6, UnitWeeks, StartDayAfter, "r", TagConfirmed, CalendarNone},
		{"T11", 4, UnitWeeks, StartDayAfter, "r", TagConfirmed, CalendarNone},
		{"T12", 20, UnitTermTimeDays, StartDayAfter, "r", TagConfirmed, CalendarMaintainer},
		{"T13", 0, UnitCalendarDays, StartTriggerDay, "", TagConfirmed, CalendarNone},
		{"T14", 0, UnitNone, StartTriggerDay, "s", TagConfirmed, CalendarNone},
		{"T15", 0, UnitNone, StartTriggerDay, "s", TagConfirmed, CalendarNone},
		{"T16", 6, UnitWeeks, StartTriggerDay, "co", TagSecondary, CalendarNone},
		{"T17", 8, UnitWeeks, StartTriggerDay, "w", TagSecondary, CalendarNone},
		{"T18", 28, UnitCalendarDays, StartTriggerDay, "", TagConfirmed, CalendarNone},
		{"T19", 12, UnitWeeks, StartTriggerDay, "c", TagSecondary, CalendarNone},
		{"T20", 0, UnitNone, StartTriggerDay, "", TagConfirmed, CalendarNone},
		{"T21", 0, UnitNone, StartTriggerDay, "o", TagUnconfirmed, CalendarNone},
	}
	var got []row
	for _, r := range Rules() {
		var f strings.Builder
		for _, x := range []struct {
			on bool
			c  byte
		}{{r.CountingConvention, 'c'}, {r.RollForward, 'r'}, {r.FirstWorkingDayAfter, 'w'}, {r.FixedEndOfSeptember, 's'}, {r.Overridable, 'o'}} {
			if x.on {
				f.WriteByte(x.c)
			}
		}
		got = append(got, row{r.ID, r.Amount, r.Unit, r.Start, f.String(), r.Tag, r.Calendar})
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(row{})); diff != "" {
		t.Errorf("rule table (-want +got):\n%s", diff)
	}
	// Every rule names its events and cites its basis with a source tag.
	for _, r := range Rules() {
		if r.StartEvent == "" || len(r.EndEvents) == 0 {
			t.Errorf("%s: no start or end events", r.ID)
		}
		if !strings.Contains(r.Basis, "[") {
			t.Errorf("%s: basis %q has no source tag", r.ID, r.Basis)
		}
	}
	if r, _ := RuleByID("T16"); !strings.Contains(r.Basis, "local") || !strings.Contains(r.Note, "Local guidance") {
		t.Errorf("T16 does not say it is local guidance: %q / %q", r.Basis, r.Note)
	}
	if r, _ := RuleByID("T8"); !cmp.Equal(r.RestartEvents, []string{"PLAN_REVISED_OR_NOT"}) {
		t.Errorf("T8 restart events = %v", r.RestartEvents)
	}
}

func TestRulesAreCopies(t *testing.T) {
	rs := Rules()
	rs[0].Amount = 1
	rs[0].EndEvents[0] = "CHANGED"
	r, ok := RuleByID("T1")
	if !ok || r.Amount != 35 || r.EndEvents[0] != "IDP_GIVEN" {
		t.Fatalf("Rules() shares its data: T1 now %d %v", r.Amount, r.EndEvents)
	}
	r.Exceptions[0] = "CHANGED"
	if r2, _ := RuleByID("T1"); r2.Exceptions[0] == "CHANGED" {
		t.Fatal("RuleByID shares its data")
	}
	if _, ok := RuleByID("T99"); ok {
		t.Error("RuleByID found T99")
	}
}

func TestLoadRulesRejects(t *testing.T) {
	good := string(rulesJSON)
	for _, tc := range []struct {
		name, from, to, want string
	}{
		{"unknown field", `"who": "local authority",`, `"who": "local authority", "colour": "red",`, "unknown field"},
		{"out of order", `"id": "T2"`, `"id": "T3"`, `want "T2"`},
		{"unknown unit", `"unit": "WEEKS"`, `"unit": "FORTNIGHTS"`, "unknown unit"},
		{"guessed limit", `"amount": 0, "unit": "NONE", "start": "TRIGGER_DAY", "overridable": true,`, `"amount": 7, "unit": "NONE", "start": "TRIGGER_DAY", "overridable": true,`, "amount 0"},
		{"not overridable", `"amount": 0, "unit": "NONE", "start": "TRIGGER_DAY", "overridable": true,`, `"amount": 0, "unit": "NONE", "start": "TRIGGER_DAY",`, "overridable"},
		{"no Welsh title", `"cy": "Penderfynu ar ADY a rhoi CDU neu hysbysiad (ysgol, plentyn)"`, `"cy": ""`, "Welsh"},
		{"convention on day after", `"start": "DAY_AFTER", "rollForward": true,`, `"start": "DAY_AFTER", "rollForward": true, "countingConvention": true,`, "countingConvention"},
		{"school days without calendar", `"calendar": "MAINTAINER",`, `"calendar": "NONE",`, "MAINTAINER"},
		{"bad event", `"startEvent": "IDP_GIVEN"`, `"startEvent": "idp given"`, "event name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad := strings.Replace(good, tc.from, tc.to, 1)
			if bad == good {
				t.Fatalf("the edit %q did not apply", tc.from)
			}
			_, err := loadRules([]byte(bad))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
	if _, err := loadRules([]byte(`{"source": "x", "rules": []}`)); err == nil || !strings.Contains(err.Error(), "T18") {
		t.Errorf("a file with no rules: err = %v", err)
	}
	if _, err := loadRules([]byte(`{"source": " ", "rules": []}`)); err == nil || !strings.Contains(err.Error(), "source") {
		t.Errorf("a file with no source: err = %v", err)
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("mustLoad did not panic on bad data")
			}
		}()
		mustLoad([]byte(`{`))
	}()
}

// TestExtension: T17's 8 more weeks on a referral to disagreement
// resolution are data; bad extensions are refused at load.
func TestExtension(t *testing.T) {
	t17, _ := RuleByID("T17")
	if t17.Extension == nil || t17.Extension.Event != "DISAGREEMENT_REFERRED" || t17.Extension.Amount != 8 || t17.Extension.Tag != TagSecondary {
		t.Fatalf("T17 extension: %+v", t17.Extension)
	}
	if x := t17.Extended(); x.Amount != 16 || t17.Amount != 8 {
		t.Fatalf("Extended: %d (rule %d)", x.Amount, t17.Amount)
	}
	start := cynllun.MustDate("2026-11-03")
	plain, err1 := Compute(t17, start, nil, DefaultSettings())
	ext, err2 := Compute(t17.Extended(), start, nil, DefaultSettings())
	if err1 != nil || err2 != nil || plain.Due != cynllun.MustDate("2026-12-29") || ext.Due != cynllun.MustDate("2027-02-23") {
		t.Fatalf("T17 from 3 November 2026: %v %v / %v %v", plain.Due, err1, ext.Due, err2)
	}
	for _, tt := range []struct {
		name string
		e    Extension
	}{
		{"bad event", Extension{Event: "referred", Amount: 8, Basis: "b", Tag: TagSecondary}},
		{"no amount", Extension{Event: "X", Amount: 0, Basis: "b", Tag: TagSecondary}},
		{"too long", Extension{Event: "X", Amount: 10000, Basis: "b", Tag: TagSecondary}},
		{"no basis", Extension{Event: "X", Amount: 8, Tag: TagSecondary}},
		{"bad tag", Extension{Event: "X", Amount: 8, Basis: "b", Tag: "MAYBE"}},
	} {
		r := t17
		e := tt.e
		r.Extension = &e
		if r.validate() == nil {
			t.Errorf("%s: accepted", tt.name)
		}
	}
	none, _ := RuleByID("T9")
	none.Extension = &Extension{Event: "X", Amount: 8, Basis: "b", Tag: TagSecondary}
	if none.Unit == UnitNone && none.validate() == nil {
		t.Error("an extension on a rule with no time limit")
	}
}

// TestRuleEvents: what starts and ends each clock (domain.md §2.2). One
// event kind per legal step (issue 16 item 3): the three requests to the
// LA to reconsider a school's decision start their own clocks (s.26 T5,
// s.27 T6, s.32 T21) and the s.32 request alone meets T11. T3 starts on
// the later of consent and being brought to the FEI's attention; the moves
// of s.35 have events that start and meet T13–T15 (item 4).
func TestRuleEvents(t *testing.T) {
	type row struct {
		start string
		all   []string
		ends  []string
	}
	want := map[string]row{
		"T3":  {"ALN_BROUGHT_TO_ATTENTION", []string{"ALN_BROUGHT_TO_ATTENTION", "CONSENT_GIVEN"}, []string{"IDP_GIVEN", "NO_ALN_NOTICE_GIVEN"}},
		"T5":  {"RECONSIDER_ALN_DECISION_REQUESTED", nil, []string{"RECONSIDER_ALN_DECISION_DECIDED"}},
		"T6":  {"RECONSIDER_IDP_REQUESTED", nil, []string{"RECONSIDER_IDP_DECIDED"}},
		"T11": {"CEASE_NOTICE_GIVEN", nil, []string{"RECONSIDER_CEASE_REQUESTED"}},
		"T13": {"REGISTERED_AT_NEW_SCHOOL", nil, []string{"IDP_ADOPTED"}},
		"T14": {"LAST_DAY_AT_PREVIOUS_SCHOOL", nil, []string{"REGISTERED_AT_NEW_SCHOOL"}},
		"T15": {"LAST_DAY_AT_SCHOOL", nil, []string{"ENROLLED_AT_FEI"}},
		"T19": {"IDP_NOTICE_GIVEN", nil, []string{"IDP_GIVEN", "NO_ALN_NOTICE_GIVEN"}},
		"T21": {"RECONSIDER_CEASE_REQUESTED", nil, []string{"RECONSIDER_CEASE_DECIDED"}},
	}
	for id, w := range want {
		r := rule(t, id)
		got := row{r.StartEvent, r.StartsWhenAll, r.EndEvents}
		if diff := cmp.Diff(w, got, cmp.AllowUnexported(row{})); diff != "" {
			t.Errorf("%s (-want +got):\n%s", id, diff)
		}
	}
	// No rule starts or ends on the kinds recorded before issue 16 (one
	// kind for three steps).
	for _, r := range Rules() {
		for _, e := range append(append([]string{r.StartEvent}, r.EndEvents...), r.StartsWhenAll...) {
			if e == "RECONSIDERATION_REQUESTED" || e == "RECONSIDERATION_DECIDED" {
				t.Errorf("%s still uses %s", r.ID, e)
			}
		}
	}
	// Every event a rule names is a kind Cynllun knows.
	for _, r := range Rules() {
		names := append(append(append([]string{r.StartEvent}, r.EndEvents...), r.RestartEvents...), r.StartsWhenAll...)
		if r.Extension != nil {
			names = append(names, r.Extension.Event)
		}
		for _, e := range names {
			if !slices.Contains(cynllun.EventKinds, cynllun.EventKind(e)) {
				t.Errorf("%s names %s, which is not a cynllun.EventKind", r.ID, e)
			}
		}
	}
}
