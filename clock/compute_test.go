package clock

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/calendar"
	"github.com/cynllun/cynllun/form"
)

func rule(t testing.TB, id string) Rule {
	t.Helper()
	r, ok := RuleByID(id)
	if !ok {
		t.Fatalf("no rule %s", id)
	}
	return r
}

// kinds counts a result's steps by kind.
func kinds(steps []Step) map[StepKind]int {
	m := map[StepKind]int{}
	for _, s := range steps {
		m[s.Kind]++
	}
	return m
}

// School-day and term-time-day counts on testCalendar. Each expected date
// is worked by hand in the comment: "(n)" is school day n; weekends are
// skipped silently unless listed.
func TestDayCounts(t *testing.T) {
	one, two := testCalendar(false), testCalendar(true)
	// after is the later reading: the event's day is never day 1. The
	// hand-worked dates below were first worked under it; def (the
	// statutory wording, "beginning with the day on which") makes the
	// event's day school day 1 when it is a school day.
	def := DefaultSettings()
	after := Settings{TriggerDayNotCounted: true}
	inset := Settings{TriggerDayNotCounted: true, InsetDaysCount: true}
	closures := Settings{TriggerDayNotCounted: true, ClosuresCount: true}
	for _, tc := range []struct {
		name  string
		rule  string
		start string
		cal   *calendar.Calendar
		s     Settings
		due   string
		kinds map[StepKind]int
	}{
		{
			// Wed 15 Oct 2025 is the trigger day, not counted. Thu 16 (1),
			// Fri 17 (2); 20–24 Oct (3–7); 27–31 Oct half term, skipped;
			// 3–7 Nov (8–12); 10–14 (13–17); 17–21 (18–22); 24–28
			// (23–27); 1–5 Dec (28–32); Mon 8 (33), Tue 9 (34), Wed 10 Dec
			// (35). Weekends 18/19, 25/26 Oct, 1/2, 8/9, 15/16, 22/23,
			// 29/30 Nov, 6/7 Dec: 16 days.
			name: "october half term, day not counted", rule: "T1", start: "2025-10-15", cal: one, s: after,
			due:   "2025-12-10",
			kinds: map[StepKind]int{StepTriggerDay: 1, StepCounted: 35, StepWeekend: 16, StepHalfTerm: 5},
		},
		{
			// As above with the trigger day as day 1: Wed 15 Oct (1), so
			// every day is one earlier and day 35 is Tue 9 Dec.
			name: "october half term", rule: "T1", start: "2025-10-15", cal: one, s: def,
			due:   "2025-12-09",
			kinds: map[StepKind]int{StepCounted: 35, StepWeekend: 16, StepHalfTerm: 5},
		},
		{
			// Mon 1 Dec 2025 not counted. 2–5 Dec (1–4); 8–12 (5–9); 15–19
			// (10–14); holiday Sat 20 Dec–Sun 4 Jan (16 days, with 25 and
			// 26 Dec and 1 Jan); Mon 5 Jan INSET, skipped; 6–9 Jan (15–18);
			// 12–16 (19–23); 19–23 (24–28); 26–30 (29–33); Mon 2 Feb (34),
			// Tue 3 Feb (35). Weekends in term: 6/7, 13/14 Dec, 10/11,
			// 17/18, 24/25, 31 Jan/1 Feb: 12.
			name: "christmas, day not counted", rule: "T1", start: "2025-12-01", cal: one, s: after,
			due:   "2026-02-03",
			kinds: map[StepKind]int{StepTriggerDay: 1, StepCounted: 35, StepWeekend: 12, StepHoliday: 16, StepINSET: 1},
		},
		{
			// As above, the INSET day 5 Jan counted (15): day 35 is Mon 2 Feb
			// (the weekend of 31 Jan/1 Feb is still crossed).
			name: "christmas, day not counted, INSET counts", rule: "T1", start: "2025-12-01", cal: one, s: inset,
			due:   "2026-02-02",
			kinds: map[StepKind]int{StepTriggerDay: 1, StepCounted: 35, StepWeekend: 12, StepHoliday: 16},
		},
		{
			// Tue 3 Mar 2026 not counted. 4–6 Mar (1–3); 9–13 (4–8); 16–20
			// (9–13); 23–27 (14–18); holiday Sat 28 Mar–Sun 12 Apr (16
			// days, with Good Friday and Easter Monday); 13–17 Apr (19–23);
			// 20–24 (24–28); 27 Apr–1 May (29–33); Mon 4 May bank holiday,
			// skipped; Tue 5 (34), Wed 6 May (35). Weekends in term: 7/8,
			// 14/15, 21/22 Mar, 18/19, 25/26 Apr, 2/3 May: 12.
			name: "easter and a bank holiday in term, day not counted", rule: "T1", start: "2026-03-03", cal: one, s: after,
			due:   "2026-05-06",
			kinds: map[StepKind]int{StepTriggerDay: 1, StepCounted: 35, StepWeekend: 12, StepHoliday: 16, StepBankHoliday: 1},
		},
		{
			// As above with Tue 3 Mar as day 1: day 35 is Tue 5 May.
			name: "easter", rule: "T1", start: "2026-03-03", cal: one, s: def,
			due:   "2026-05-05",
			kinds: map[StepKind]int{StepCounted: 35, StepWeekend: 12, StepHoliday: 16, StepBankHoliday: 1},
		},
		{
			// T2 counts the same way from the young person's consent.
			name: "young person, easter, day not counted", rule: "T2", start: "2026-03-03", cal: one, s: after,
			due: "2026-05-06",
		},
		{
			// T3: term-time days of an FEI on the same calendar count the
			// same way.
			name: "FEI term-time days, easter, day not counted", rule: "T3", start: "2026-03-03", cal: one, s: after,
			due: "2026-05-06",
		},
		{
			// Mon 1 Jun 2026 not counted. 2–5 Jun (1–4); 8–10 (5–7); Thu 11
			// closure, skipped; Fri 12 (8); 15–19 (9–13); 22–26 (14–18);
			// 29 Jun–3 Jul (19–23); 6–10 (24–28); 13–17 (29–33); Mon 20
			// Jul (34); the summer holiday from 21 Jul to 31 Aug (42 days,
			// with the 31 Aug bank holiday); Tue 1 Sep 2026 (35), in the
			// second year. Weekends in term: 6/7 … 18/19 Jul: 14.
			name: "into the summer holiday and the next year, day not counted", rule: "T1", start: "2026-06-01", cal: two, s: after,
			due:   "2026-09-01",
			kinds: map[StepKind]int{StepTriggerDay: 1, StepCounted: 35, StepWeekend: 14, StepClosure: 1, StepHoliday: 42},
		},
		{
			// As above with the snow day of Thu 11 Jun counted (8): Mon 20
			// Jul is day 35, so the one-year calendar is enough.
			name: "closure counts, day not counted", rule: "T1", start: "2026-06-01", cal: one, s: closures,
			due:   "2026-07-20",
			kinds: map[StepKind]int{StepTriggerDay: 1, StepCounted: 35, StepWeekend: 14},
		},
		{
			// Mon 11 Aug 2025 is in the holiday before the autumn term:
			// counting starts at the next school day. Mon 1 Sep is INSET;
			// Tue 2–Fri 5 Sep (1–4); 8–12 (5–9); 15–19 (10–14); 22–26
			// (15–19); 29 Sep–3 Oct (20–24); 6–10 Oct (25–29); 13–17
			// (30–34); Mon 20 Oct (35). The holiday: 11–31 Aug, 21 days, of
			// which the first is the start.
			name: "start in the summer holiday, day not counted", rule: "T1", start: "2025-08-11", cal: one, s: after,
			due:   "2025-10-20",
			kinds: map[StepKind]int{StepHoliday: 21, StepINSET: 1, StepCounted: 35, StepWeekend: 14},
		},
		{
			// The same under the other convention: the start is not a
			// school day, so it cannot be day 1 either.
			name: "start in the summer holiday", rule: "T1", start: "2025-08-11", cal: one, s: def,
			due: "2025-10-20",
		},
		{
			// As above with INSET days counted: Mon 1 Sep is day 1, so day
			// 35 is the school day before Mon 20 Oct: Fri 17 Oct.
			name: "start in the summer holiday, day not counted, INSET counts", rule: "T1", start: "2025-08-11", cal: one, s: inset,
			due: "2025-10-17",
		},
		{
			// Sat 7 Mar 2026: counting starts Mon 9 Mar. 9–13 (1–5);
			// 16–20 (6–10); 23–27 (11–15); Easter holiday; 13–17 Apr
			// (16–20); 20–24 (21–25); 27 Apr–1 May (26–30); 4 May bank
			// holiday; 5–8 May (31–34); Mon 11 May (35).
			name: "start on a saturday, day not counted", rule: "T1", start: "2026-03-07", cal: one, s: after,
			due: "2026-05-11",
		},
		{
			name: "start on a saturday", rule: "T1", start: "2026-03-07", cal: one, s: def,
			due: "2026-05-11",
		},
		{
			// Wed 18 Feb 2026 is in the spring half term: counting starts
			// Mon 23 Feb. 23–27 Feb (1–5); 2–6 Mar (6–10); 9–13 (11–15);
			// 16–20 (16–20); 23–27 (21–25); Easter holiday; 13–17 Apr
			// (26–30); 20–24 Apr (31–35). The half term days: Wed 18 (the
			// start), Thu 19, Fri 20.
			name: "start on a half-term day, day not counted", rule: "T1", start: "2026-02-18", cal: one, s: after,
			due:   "2026-04-24",
			kinds: map[StepKind]int{StepHalfTerm: 3, StepCounted: 35, StepWeekend: 12, StepHoliday: 16},
		},
		{
			// T12: 20 term-time days beginning with the day after Fri 6 Mar
			// 2026 (received). 9–13 Mar (1–5); 16–20 (6–10); 23–27
			// (11–15); Easter holiday; 13–17 Apr (16–20). Fri 17 Apr is a
			// working day: no roll-forward.
			name: "T12 FEI takeover request", rule: "T12", start: "2026-03-06", cal: one, s: def,
			due:   "2026-04-17",
			kinds: map[StepKind]int{StepTriggerDay: 1, StepCounted: 20, StepWeekend: 6, StepHoliday: 16},
		},
		{
			// T12's start is fixed by the regulations (the day after): the
			// trigger-day setting does not move it.
			name: "T12 ignores the trigger-day setting", rule: "T12", start: "2026-03-06", cal: one, s: after,
			due: "2026-04-17",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Compute(rule(t, tc.rule), d(tc.start), tc.cal, tc.s)
			if err != nil {
				t.Fatal(err)
			}
			if res.Due != d(tc.due) {
				t.Errorf("due %s, want %s", res.Due, tc.due)
			}
			if res.PeriodEnd != res.Due {
				t.Errorf("period end %s, want the due date", res.PeriodEnd)
			}
			if res.Start != d(tc.start) || res.Rule.ID != tc.rule {
				t.Errorf("result start %s rule %s", res.Start, res.Rule.ID)
			}
			if tc.kinds != nil {
				if diff := cmp.Diff(tc.kinds, kinds(res.Steps)); diff != "" {
					t.Errorf("steps by kind (-want +got):\n%s", diff)
				}
			}
			// One step a day, from the start to the due date.
			for i, s := range res.Steps {
				if want := d(tc.start).AddDays(i); s.Date != want {
					t.Fatalf("step %d is %s, want %s", i, s.Date, want)
				}
			}
			if last := res.Steps[len(res.Steps)-1]; last.Date != res.Due || last.Kind != StepCounted || last.Count != res.Rule.Amount {
				t.Errorf("last step %+v, want day %d counted on the due date", last, res.Rule.Amount)
			}
		})
	}
}

// dayAfter is the later reading of a day count: the event's day is never
// day 1. Tests whose hand-working assumes it say so.
var dayAfter = Settings{TriggerDayNotCounted: true}

// Every step of a short count, with its kind, count and note. A 3-day
// version of T1 from Thu 30 Apr 2026, the day not counted: the trigger
// day; Fri 1 May (1); the weekend; Mon 4 May bank holiday; Tue 5 (2); Wed
// 6 May (3).
func TestStepsOfADayCount(t *testing.T) {
	r := rule(t, "T1")
	r.Amount = 3
	res, err := Compute(r, d("2026-04-30"), testCalendar(false), dayAfter)
	if err != nil {
		t.Fatal(err)
	}
	want := []Step{
		{d("2026-04-30"), StepTriggerDay, 0, form.Text{EN: "the day of the event, not counted", CY: "diwrnod y digwyddiad, heb ei gyfrif"}},
		{d("2026-05-01"), StepCounted, 1, form.Text{EN: "school day 1", CY: "diwrnod ysgol 1"}},
		{d("2026-05-02"), StepWeekend, 1, form.Text{EN: "weekend", CY: "penwythnos"}},
		{d("2026-05-03"), StepWeekend, 1, form.Text{EN: "weekend", CY: "penwythnos"}},
		{d("2026-05-04"), StepBankHoliday, 1, form.Text{EN: "bank holiday", CY: "gŵyl banc"}},
		{d("2026-05-05"), StepCounted, 2, form.Text{EN: "school day 2", CY: "diwrnod ysgol 2"}},
		{d("2026-05-06"), StepCounted, 3, form.Text{EN: "school day 3", CY: "diwrnod ysgol 3"}},
	}
	if diff := cmp.Diff(want, res.Steps); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
	if res.Due != d("2026-05-06") {
		t.Errorf("due %s, want 2026-05-06", res.Due)
	}
}

// Every kind of skipped day, with its note, in one count: a 2-day T1 from
// the summer holiday, Sun 31 Aug 2025, with INSET and closures as set.
func TestStepNotes(t *testing.T) {
	r := rule(t, "T1")
	r.Amount = 2
	cal := testCalendar(false)
	res, err := Compute(r, d("2025-08-31"), cal, DefaultSettings())
	if err != nil {
		t.Fatal(err)
	}
	// Sun 31 Aug (start, holiday); Mon 1 Sep INSET; Tue 2 (1); Wed 3 (2).
	want := []Step{
		{d("2025-08-31"), StepHoliday, 0, form.Text{EN: "the day of the event: the holiday before the Autumn term", CY: "diwrnod y digwyddiad: y gwyliau cyn Tymor yr Hydref"}},
		{d("2025-09-01"), StepINSET, 0, form.Text{EN: "INSET day, not counted (a setting of this service)", CY: "diwrnod HMS, heb ei gyfrif (gosodiad y gwasanaeth)"}},
		{d("2025-09-02"), StepCounted, 1, form.Text{EN: "school day 1", CY: "diwrnod ysgol 1"}},
		{d("2025-09-03"), StepCounted, 2, form.Text{EN: "school day 2", CY: "diwrnod ysgol 2"}},
	}
	if diff := cmp.Diff(want, res.Steps); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
	// INSET counted: Mon 1 Sep is day 1, noted as counted by the setting.
	res, err = Compute(r, d("2025-08-31"), cal, Settings{InsetDaysCount: true})
	if err != nil {
		t.Fatal(err)
	}
	if s := res.Steps[1]; s.Kind != StepCounted || s.Count != 1 || s.Note.EN != "school day 1 (an INSET day, counted under a setting of this service)" {
		t.Errorf("1 Sep with INSET counted: %+v", s)
	}
	if res.Due != d("2025-09-02") {
		t.Errorf("due %s, want 2025-09-02", res.Due)
	}
	// The snow day, Thu 11 Jun 2026, from Wed 10 Jun, the day not counted:
	// Thu 11 closure; Fri 12 (1); weekend; Mon 15 (2).
	res, err = Compute(r, d("2026-06-10"), cal, dayAfter)
	if err != nil {
		t.Fatal(err)
	}
	if s := res.Steps[1]; s.Kind != StepClosure || s.Note.EN != "closure, not counted (a setting of this service)" || s.Note.CY != "diwrnod cau, heb ei gyfrif (gosodiad y gwasanaeth)" {
		t.Errorf("11 Jun: %+v", s)
	}
	if res.Due != d("2026-06-15") {
		t.Errorf("due %s, want 2026-06-15", res.Due)
	}
	// The spring bank holiday, Mon 25 May 2026, is in the half term: it is
	// a half-term day with the bank holiday noted. From Fri 22 May, the day
	// not counted: weekend; 25–29 May half term; weekend; Mon 1 Jun (1);
	// Tue 2 Jun (2).
	res, err = Compute(r, d("2026-05-22"), cal, dayAfter)
	if err != nil {
		t.Fatal(err)
	}
	if s := res.Steps[3]; s.Date != d("2026-05-25") || s.Kind != StepHalfTerm || s.Note.EN != "half term in the Summer term, and a bank holiday" || s.Note.CY != "hanner tymor yn ystod Tymor yr Haf, a gŵyl banc" {
		t.Errorf("25 May: %+v", s)
	}
	if res.Due != d("2026-06-02") {
		t.Errorf("due %s, want 2026-06-02", res.Due)
	}
	if got := res.Explanation[1].EN; got != "Skipped: 4 weekend days; 5 days of the half term in the Summer term." {
		t.Errorf("skipped: %q", got)
	}
	if got := res.Explanation[1].CY; got != "Hepgorwyd: 4 diwrnod penwythnos; 5 diwrnod o hanner tymor yn ystod Tymor yr Haf." {
		t.Errorf("skipped (CY): %q", got)
	}
}

// A bank holiday is never a school day, even when the calendar does not
// list it: Mon 4 May 2026 is skipped on a calendar without its closure.
func TestBankHolidayNotInCalendar(t *testing.T) {
	cal := testCalendar(false)
	var kept []calendar.Closure
	for _, c := range cal.Closures {
		if c.Reason != calendar.ReasonBankHoliday {
			kept = append(kept, c)
		}
	}
	cal.Closures = kept
	if !cal.SchoolDay(d("2026-05-04")) {
		t.Fatal("the test calendar still closes 4 May")
	}
	r := rule(t, "T1")
	r.Amount = 3
	// As TestStepsOfADayCount: due Wed 6 May.
	res, err := Compute(r, d("2026-04-30"), cal, dayAfter)
	if err != nil {
		t.Fatal(err)
	}
	if res.Due != d("2026-05-06") || res.Steps[4].Kind != StepBankHoliday {
		t.Errorf("due %s, 4 May %s; want 2026-05-06 and BANK_HOLIDAY", res.Due, res.Steps[4].Kind)
	}
}

// The calendar decides; the published LA calendar gives the same answer
// as the test calendar where no INSET or closure day is crossed.
func TestLACalendar(t *testing.T) {
	cal := calendar.ForLA("W06000015") // Cardiff
	if cal == nil {
		t.Skip("no embedded Cardiff calendar")
	}
	// As "easter": due Tue 5 May 2026.
	res, err := Compute(rule(t, "T1"), d("2026-03-03"), cal, DefaultSettings())
	if err != nil {
		t.Fatal(err)
	}
	if res.Due != d("2026-05-05") {
		t.Errorf("due %s, want 2026-05-05", res.Due)
	}
}

// Week, month, calendar-day and fixed-date rules: no calendar, and the
// few steps that matter.
func TestPeriods(t *testing.T) {
	def := DefaultSettings()
	for _, tc := range []struct {
		name      string
		rule      string
		start     string
		s         Settings
		periodEnd string
		due       string
		steps     []StepKind
	}{
		{
			// 12 weeks beginning with Mon 20 Oct 2025, that day being day
			// 1: + 83 days: 11 to 31 Oct, 30 to 30 Nov, 31 to 31 Dec, 11 to
			// Sun 11 Jan 2026, the day before the same weekday; through half
			// term and Christmas.
			name: "T4 12 weeks", rule: "T4", start: "2025-10-20", s: def,
			periodEnd: "2026-01-11", due: "2026-01-11",
			steps: []StepKind{StepTriggerDay, StepPeriodEnd},
		},
		{
			// The other reading, the day not counted: + 84 days, the same
			// weekday, Mon 12 Jan 2026.
			name: "T4 12 weeks ending on the same weekday", rule: "T4", start: "2025-10-20", s: Settings{WeeksEndSameWeekday: true},
			periodEnd: "2026-01-12", due: "2026-01-12",
			steps: []StepKind{StepTriggerDay, StepPeriodEnd},
		},
		{
			// 7 weeks beginning with Fri 13 Mar 2026: + 48 days: 18 to 31
			// Mar, 30 to 30 Apr: Thu 30 Apr; through the Easter holiday.
			name: "T5 7 weeks", rule: "T5", start: "2026-03-13", s: def,
			periodEnd: "2026-04-30", due: "2026-04-30",
			steps: []StepKind{StepTriggerDay, StepPeriodEnd},
		},
		{
			// The same weekday: + 49 days, Fri 1 May.
			name: "T5 7 weeks ending on the same weekday", rule: "T5", start: "2026-03-13", s: Settings{WeeksEndSameWeekday: true},
			periodEnd: "2026-05-01", due: "2026-05-01",
			steps: []StepKind{StepTriggerDay, StepPeriodEnd},
		},
		{
			// Local guidance: 6 weeks beginning with Mon 1 Jun 2026: + 41
			// days: 29 to 30 Jun, 12 to Sun 12 Jul.
			name: "T16 6 weeks", rule: "T16", start: "2026-06-01", s: def,
			periodEnd: "2026-07-12", due: "2026-07-12",
			steps: []StepKind{StepTriggerDay, StepPeriodEnd},
		},
		{
			// The same weekday: + 42 days, Mon 13 Jul.
			name: "T16 6 weeks ending on the same weekday", rule: "T16", start: "2026-06-01", s: Settings{WeeksEndSameWeekday: true},
			periodEnd: "2026-07-13", due: "2026-07-13",
			steps: []StepKind{StepTriggerDay, StepPeriodEnd},
		},
		{
			// 6 weeks beginning with the day after Fri 20 Feb 2026: Sat 21
			// Feb is day 1, day 42 is 20 Feb + 42: 8 to 28 Feb, 31 to 31
			// Mar, 3 to Fri 3 Apr, Good Friday. Not a working day: Sat 4,
			// Sun 5, Easter Monday 6 Apr neither; Tue 7 Apr.
			name: "T10 roll forward over Good Friday, a weekend and Easter Monday", rule: "T10", start: "2026-02-20", s: def,
			periodEnd: "2026-04-03", due: "2026-04-07",
			steps: []StepKind{StepTriggerDay, StepPeriodEnd, StepWeekend, StepWeekend, StepBankHoliday, StepRolledForward},
		},
		{
			// From Mon 23 Feb 2026: 5 to 28 Feb, 31 to 31 Mar, 6 to Mon 6
			// Apr, Easter Monday; rolled forward to Tue 7 Apr.
			name: "T10 last day on Easter Monday", rule: "T10", start: "2026-02-23", s: def,
			periodEnd: "2026-04-06", due: "2026-04-07",
			steps: []StepKind{StepTriggerDay, StepPeriodEnd, StepRolledForward},
		},
		{
			// From Sat 7 Mar 2026: 24 to 31 Mar, 18 to Sat 18 Apr; Sun 19;
			// Mon 20 Apr.
			name: "T10 last day on a saturday", rule: "T10", start: "2026-03-07", s: def,
			periodEnd: "2026-04-18", due: "2026-04-20",
			steps: []StepKind{StepTriggerDay, StepPeriodEnd, StepWeekend, StepRolledForward},
		},
		{
			// From Mon 2 Mar 2026: 29 to 31 Mar, 13 to Mon 13 Apr, a
			// working day: not extended.
			name: "T10 last day a working day", rule: "T10", start: "2026-03-02", s: def,
			periodEnd: "2026-04-13", due: "2026-04-13",
			steps: []StepKind{StepTriggerDay, StepPeriodEnd},
		},
		{
			// The weeks setting does not touch an ALN Regs period.
			name: "T10 ignores the weeks setting", rule: "T10", start: "2026-03-02", s: Settings{WeeksEndSameWeekday: true, TriggerDayNotCounted: true},
			periodEnd: "2026-04-13", due: "2026-04-13",
			steps: []StepKind{StepTriggerDay, StepPeriodEnd},
		},
		{
			// 4 weeks beginning with the day after Thu 27 Nov 2025: 3 to 30
			// Nov, 25 to Thu 25 Dec, Christmas Day; Fri 26 Boxing Day; Sat
			// 27, Sun 28; Mon 29 Dec.
			name: "T11 roll forward over Christmas", rule: "T11", start: "2025-11-27", s: def,
			periodEnd: "2025-12-25", due: "2025-12-29",
			steps: []StepKind{StepTriggerDay, StepPeriodEnd, StepBankHoliday, StepWeekend, StepWeekend, StepRolledForward},
		},
		{
			// 8 weeks beginning on Fri 6 Feb 2026: day 56 is 6 Feb + 55: 22
			// to 28 Feb, 31 to 31 Mar, 2 to Thu 2 Apr. The first working
			// day after: not Good Friday 3 Apr, the weekend or Easter
			// Monday 6 Apr: Tue 7 Apr.
			name: "T17 first working day after, over bank holidays", rule: "T17", start: "2026-02-06", s: def,
			periodEnd: "2026-04-02", due: "2026-04-07",
			steps: []StepKind{StepTriggerDay, StepPeriodEnd, StepBankHoliday, StepWeekend, StepWeekend, StepBankHoliday, StepFirstWorkingDay},
		},
		{
			// From Sun 18 Jan 2026: 13 to 31 Jan, 28 to 28 Feb, 14 to Sat
			// 14 Mar. After it: Sun 15, then Mon 16 Mar.
			name: "T17 period ending on a saturday", rule: "T17", start: "2026-01-18", s: def,
			periodEnd: "2026-03-14", due: "2026-03-16",
			steps: []StepKind{StepTriggerDay, StepPeriodEnd, StepWeekend, StepFirstWorkingDay},
		},
		{
			// From Wed 4 Mar 2026: 27 to 31 Mar, 28 to Tue 28 Apr; the
			// first working day after is the next day, Wed 29 Apr. The
			// weeks setting does not apply to the ETW Regs' drafting.
			name: "T17 plain", rule: "T17", start: "2026-03-04", s: Settings{WeeksEndSameWeekday: true},
			periodEnd: "2026-04-28", due: "2026-04-29",
			steps: []StepKind{StepTriggerDay, StepPeriodEnd, StepFirstWorkingDay},
		},
		{
			// 12 months from Tue 29 Feb 2028: AddYears(1) gives 28 Feb 2029
			// (no 29th), less one day: Tue 27 Feb 2029.
			name: "T8 from 29 February", rule: "T8", start: "2028-02-29", s: def,
			periodEnd: "2029-02-27", due: "2029-02-27",
			steps: []StepKind{StepTriggerDay, StepPeriodEnd},
		},
		{
			// 12 months from Mon 1 Mar 2027: 1 Mar 2028 less one day is Tue
			// 29 Feb 2028, a leap day.
			name: "T8 ending on 29 February", rule: "T8", start: "2027-03-01", s: def,
			periodEnd: "2028-02-29", due: "2028-02-29",
			steps: []StepKind{StepTriggerDay, StepPeriodEnd},
		},
		{
			// Mon 15 Sep 2025: 15 Sep 2026 less one day, Mon 14 Sep 2026.
			// Settings change nothing.
			name: "T8 plain", rule: "T8", start: "2025-09-15", s: Settings{TriggerDayNotCounted: true, WeeksEndSameWeekday: true},
			periodEnd: "2026-09-14", due: "2026-09-14",
			steps: []StepKind{StepTriggerDay, StepPeriodEnd},
		},
		{
			// 28 days of Tue 10 Mar 2026, that day being day 1: + 27 = 21
			// to 31 Mar, 6 to Mon 6 Apr (Easter Monday; no roll-forward is
			// confirmed for the ETW Regs).
			name: "T18 28 days", rule: "T18", start: "2026-03-10", s: def,
			periodEnd: "2026-04-06", due: "2026-04-06",
			steps: []StepKind{StepTriggerDay, StepPeriodEnd},
		},
		{
			// Registration Mon 2 Mar 2026: due that day.
			name: "T13 in-year move", rule: "T13", start: "2026-03-02", s: def,
			periodEnd: "2026-03-02", due: "2026-03-02",
			steps: []StepKind{StepPeriodEnd},
		},
		{
			// Last day at the old school Mon 20 Jul 2026: the academic year
			// 2026–27 starts 1 Aug; the end of its September is Wed 30 Sep
			// 2026.
			name: "T14 end of September after the summer term", rule: "T14", start: "2026-07-20", s: def,
			periodEnd: "2026-09-30", due: "2026-09-30",
			steps: []StepKind{StepTriggerDay, StepPeriodEnd},
		},
		{
			// Mon 15 Sep 2025 is in September: Tue 30 Sep 2025.
			name: "T14 in September", rule: "T14", start: "2025-09-15", s: def,
			periodEnd: "2025-09-30", due: "2025-09-30",
			steps: []StepKind{StepTriggerDay, StepPeriodEnd},
		},
		{
			// On 30 Sep 2025 itself: one step.
			name: "T14 on the day", rule: "T14", start: "2025-09-30", s: def,
			periodEnd: "2025-09-30", due: "2025-09-30",
			steps: []StepKind{StepPeriodEnd},
		},
		{
			// Wed 1 Oct 2025 is after the end of September: the next one,
			// Wed 30 Sep 2026.
			name: "T14 after September", rule: "T14", start: "2025-10-01", s: def,
			periodEnd: "2026-09-30", due: "2026-09-30",
			steps: []StepKind{StepTriggerDay, StepPeriodEnd},
		},
		{
			// T15, school to FEI: last day at school Fri 17 Jul 2026: Wed 30
			// Sep 2026.
			name: "T15 end of September", rule: "T15", start: "2026-07-17", s: def,
			periodEnd: "2026-09-30", due: "2026-09-30",
			steps: []StepKind{StepTriggerDay, StepPeriodEnd},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// A calendar is passed and ignored: these rules need none.
			for _, cal := range []*calendar.Calendar{nil, testCalendar(false)} {
				res, err := Compute(rule(t, tc.rule), d(tc.start), cal, tc.s)
				if err != nil {
					t.Fatal(err)
				}
				if res.PeriodEnd != d(tc.periodEnd) || res.Due != d(tc.due) {
					t.Errorf("period end %s, due %s; want %s, %s", res.PeriodEnd, res.Due, tc.periodEnd, tc.due)
				}
				var got []StepKind
				for _, s := range res.Steps {
					got = append(got, s.Kind)
				}
				if diff := cmp.Diff(tc.steps, got); diff != "" {
					t.Errorf("step kinds (-want +got):\n%s", diff)
				}
				if res.Steps[0].Date != d(tc.start) || res.Steps[len(res.Steps)-1].Date != res.Due {
					t.Errorf("steps run %s to %s, want %s to %s", res.Steps[0].Date, res.Steps[len(res.Steps)-1].Date, tc.start, res.Due)
				}
			}
		})
	}
}

// The explanation, word for word, in English and Welsh.
func TestExplanation(t *testing.T) {
	cal := testCalendar(false)
	for _, tc := range []struct {
		name  string
		rule  string
		start string
		s     Settings
		want  []form.Text
	}{
		{
			// As "christmas, day not counted" in TestDayCounts.
			name: "christmas, day not counted", rule: "T1", start: "2025-12-01", s: Settings{TriggerDayNotCounted: true},
			want: []form.Text{
				{EN: "35 school days from Monday 1 December 2025, not counting the day itself.",
					CY: "35 diwrnod ysgol o ddydd Llun 1 Rhagfyr 2025, heb gyfrif y diwrnod ei hun."},
				{EN: "Skipped: 12 weekend days; 16 days of the holiday after the Autumn term; 1 INSET day (5 January 2026).",
					CY: "Hepgorwyd: 12 diwrnod penwythnos; 16 diwrnod o'r gwyliau ar ôl Tymor yr Hydref; 1 diwrnod HMS (5 Ionawr 2026)."},
				{EN: "Due Tuesday 3 February 2026 (school day 35).",
					CY: "Dyddiad terfyn: dydd Mawrth 3 Chwefror 2026 (diwrnod ysgol 35)."},
			},
		},
		{
			// As "easter": the default reading.
			name: "easter", rule: "T1", start: "2026-03-03",
			want: []form.Text{
				{EN: "35 school days from Tuesday 3 March 2026, counting the day itself as day 1.",
					CY: "35 diwrnod ysgol o ddydd Mawrth 3 Mawrth 2026, gan gyfrif y diwrnod ei hun yn ddiwrnod 1."},
				{EN: "Skipped: 12 weekend days; 16 days of the holiday after the Spring term; 1 bank holiday (4 May 2026).",
					CY: "Hepgorwyd: 12 diwrnod penwythnos; 16 diwrnod o'r gwyliau ar ôl Tymor y Gwanwyn; 1 diwrnod gŵyl banc (4 Mai 2026)."},
				{EN: "Due Tuesday 5 May 2026 (school day 35).",
					CY: "Dyddiad terfyn: dydd Mawrth 5 Mai 2026 (diwrnod ysgol 35)."},
			},
		},
		{
			// As "start on a saturday". Weekend days after the start: 8,
			// 14/15, 21/22 Mar, 18/19, 25/26 Apr, 2/3, 9/10 May: 13.
			name: "start on a saturday", rule: "T1", start: "2026-03-07",
			want: []form.Text{
				{EN: "35 school days from Saturday 7 March 2026.",
					CY: "35 diwrnod ysgol o ddydd Sadwrn 7 Mawrth 2026."},
				{EN: "Saturday 7 March 2026 is not a school day (weekend), so counting starts on the next school day, Monday 9 March 2026.",
					CY: "Nid yw dydd Sadwrn 7 Mawrth 2026 yn ddiwrnod ysgol (penwythnos), felly mae'r cyfrif yn dechrau ar y diwrnod ysgol nesaf, dydd Llun 9 Mawrth 2026."},
				{EN: "Skipped: 13 weekend days; 16 days of the holiday after the Spring term; 1 bank holiday (4 May 2026).",
					CY: "Hepgorwyd: 13 diwrnod penwythnos; 16 diwrnod o'r gwyliau ar ôl Tymor y Gwanwyn; 1 diwrnod gŵyl banc (4 Mai 2026)."},
				{EN: "Due Monday 11 May 2026 (school day 35).",
					CY: "Dyddiad terfyn: dydd Llun 11 Mai 2026 (diwrnod ysgol 35)."},
			},
		},
		{
			// As "start in the summer holiday".
			name: "start in the summer holiday", rule: "T1", start: "2025-08-11",
			want: []form.Text{
				{EN: "35 school days from Monday 11 August 2025.",
					CY: "35 diwrnod ysgol o ddydd Llun 11 Awst 2025."},
				{EN: "Monday 11 August 2025 is not a school day (the holiday before the Autumn term), so counting starts on the next school day, Tuesday 2 September 2025.",
					CY: "Nid yw dydd Llun 11 Awst 2025 yn ddiwrnod ysgol (y gwyliau cyn Tymor yr Hydref), felly mae'r cyfrif yn dechrau ar y diwrnod ysgol nesaf, dydd Mawrth 2 Medi 2025."},
				{EN: "Skipped: 20 days of the holiday before the Autumn term; 1 INSET day (1 September 2025); 14 weekend days.",
					CY: "Hepgorwyd: 20 diwrnod o'r gwyliau cyn Tymor yr Hydref; 1 diwrnod HMS (1 Medi 2025); 14 diwrnod penwythnos."},
				{EN: "Due Monday 20 October 2025 (school day 35).",
					CY: "Dyddiad terfyn: dydd Llun 20 Hydref 2025 (diwrnod ysgol 35)."},
			},
		},
		{
			// As "T10 roll forward over Good Friday…".
			name: "T10 roll forward", rule: "T10", start: "2026-02-20",
			want: []form.Text{
				{EN: "The period of 6 weeks beginning with the day after Friday 20 February 2026 ends on Friday 3 April 2026.",
					CY: "Mae'r cyfnod o 6 wythnos gan ddechrau â'r diwrnod ar ôl dydd Gwener 20 Chwefror 2026 yn dod i ben ar ddydd Gwener 3 Ebrill 2026."},
				{EN: "Friday 3 April 2026 is not a working day (a bank holiday), so the period extends to the next working day (ALN Regs reg 2(4)): Tuesday 7 April 2026.",
					CY: "Nid yw dydd Gwener 3 Ebrill 2026 yn ddiwrnod gwaith (gŵyl banc), felly mae'r cyfnod yn cael ei estyn i'r diwrnod gwaith nesaf (rheoliad 2(4) Rheoliadau ADY): dydd Mawrth 7 Ebrill 2026."},
				{EN: "Due Tuesday 7 April 2026.",
					CY: "Dyddiad terfyn: dydd Mawrth 7 Ebrill 2026."},
			},
		},
		{
			// The default reading ends on a Sunday: flagged, not moved.
			name: "T4 12 weeks", rule: "T4", start: "2025-10-20",
			want: []form.Text{
				{EN: "The period of 12 weeks from Monday 20 October 2025, counting the day itself as day 1, ends on Sunday 11 January 2026.",
					CY: "Mae'r cyfnod o 12 wythnos o ddydd Llun 20 Hydref 2025, gan gyfrif y diwrnod ei hun yn ddiwrnod 1, yn dod i ben ar ddydd Sul 11 Ionawr 2026."},
				{EN: "Due Sunday 11 January 2026.",
					CY: "Dyddiad terfyn: dydd Sul 11 Ionawr 2026."},
				{EN: "Sunday 11 January 2026 is not a working day (a weekend). No rule of this timescale moves its last day to a working day, so the due date stays; the last working day before it is Friday 9 January 2026.",
					CY: "Nid yw dydd Sul 11 Ionawr 2026 yn ddiwrnod gwaith (penwythnos). Nid oes rheol yn yr amserlen hon sy'n symud ei diwrnod olaf i ddiwrnod gwaith, felly mae'r dyddiad terfyn yn aros; y diwrnod gwaith olaf cyn hynny yw dydd Gwener 9 Ionawr 2026."},
			},
		},
		{
			name: "T4 12 weeks, the same weekday", rule: "T4", start: "2025-10-20", s: Settings{WeeksEndSameWeekday: true},
			want: []form.Text{
				{EN: "The period of 12 weeks from Monday 20 October 2025, not counting the day itself, ends on Monday 12 January 2026.",
					CY: "Mae'r cyfnod o 12 wythnos o ddydd Llun 20 Hydref 2025, heb gyfrif y diwrnod ei hun, yn dod i ben ar ddydd Llun 12 Ionawr 2026."},
				{EN: "Due Monday 12 January 2026.",
					CY: "Dyddiad terfyn: dydd Llun 12 Ionawr 2026."},
			},
		},
		{
			name: "T17", rule: "T17", start: "2026-02-06",
			want: []form.Text{
				{EN: "The period of 8 weeks beginning on Friday 6 February 2026 ends on Thursday 2 April 2026.",
					CY: "Mae'r cyfnod o 8 wythnos gan ddechrau ar ddydd Gwener 6 Chwefror 2026 yn dod i ben ar ddydd Iau 2 Ebrill 2026."},
				{EN: "The first working day after the end of the period is Tuesday 7 April 2026.",
					CY: "Y diwrnod gwaith cyntaf ar ôl diwedd y cyfnod yw dydd Mawrth 7 Ebrill 2026."},
				{EN: "Due Tuesday 7 April 2026.",
					CY: "Dyddiad terfyn: dydd Mawrth 7 Ebrill 2026."},
			},
		},
		{
			name: "T8 from 29 February", rule: "T8", start: "2028-02-29",
			want: []form.Text{
				{EN: "The period of 12 months beginning on Tuesday 29 February 2028 ends on Tuesday 27 February 2029.",
					CY: "Mae'r cyfnod o 12 mis gan ddechrau ar ddydd Mawrth 29 Chwefror 2028 yn dod i ben ar ddydd Mawrth 27 Chwefror 2029."},
				{EN: "29 February has no counterpart in February 2029, so the last day of that month is used.",
					CY: "Nid oes 29 Chwefror ym mis Chwefror 2029, felly defnyddir diwrnod olaf y mis."},
				{EN: "Due Tuesday 27 February 2029.",
					CY: "Dyddiad terfyn: dydd Mawrth 27 Chwefror 2029."},
			},
		},
		{
			name: "T14 after September", rule: "T14", start: "2025-10-01",
			want: []form.Text{
				{EN: "Before the end of September of the academic year 2026 to 2027 (1 August to 31 July): the last day is Wednesday 30 September 2026.",
					CY: "Cyn diwedd mis Medi y flwyddyn academaidd 2026 i 2027 (1 Awst i 31 Gorffennaf): y diwrnod olaf yw dydd Mercher 30 Medi 2026."},
				{EN: "Wednesday 1 October 2025 is after the end of September, so the end of September of the next academic year is used; a move during the school year is T13.",
					CY: "Mae dydd Mercher 1 Hydref 2025 ar ôl diwedd mis Medi, felly defnyddir diwedd mis Medi y flwyddyn academaidd nesaf; mae symud yn ystod y flwyddyn ysgol yn T13."},
				{EN: "Due Wednesday 30 September 2026.",
					CY: "Dyddiad terfyn: dydd Mercher 30 Medi 2026."},
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Compute(rule(t, tc.rule), d(tc.start), cal, tc.s)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, res.Explanation); diff != "" {
				t.Errorf("explanation (-want +got):\n%s", diff)
			}
		})
	}
}

// hasAssumption reports whether one of a result's assumptions contains s
// in English, with a Welsh text beside it.
func hasAssumption(res Result, s string) bool {
	for _, a := range res.Assumptions {
		if strings.Contains(a.EN, s) && a.CY != "" {
			return true
		}
	}
	return false
}

func TestAssumptions(t *testing.T) {
	cal := testCalendar(false)
	for _, tc := range []struct {
		name     string
		rule     string
		s        Settings
		want     []string
		dontWant []string
	}{
		{"school days, defaults", "T1", DefaultSettings(), []string{
			"A school day is a Monday to Friday within the term dates of Ysgol Prawf",
			"The day of the event counts as day 1 when it is a school day, as \"beginning with the day on which\" reads in the Act and the Regulations; the Code's own wording was not retrieved (not confirmed).",
			"INSET (training) days are not counted as school days; a setting of this service (not confirmed).",
			"Unplanned closures in the calendar (such as snow days) are not counted",
			"bank holidays are never counted",
			"from a secondary source",
			"No exception to the timescale has been applied",
		}, []string{"working day", "no term calendar"}},
		{"school days, other settings", "T1", Settings{TriggerDayNotCounted: true, InsetDaysCount: true, ClosuresCount: true}, []string{
			"The day of the event is not counted: day 1 is the first school day after it; a setting of this service, the later of the two readings (not confirmed).",
			"INSET (training) days count as school days",
			"(such as snow days) count as school days",
		}, nil},
		{"term-time days", "T12", DefaultSettings(), []string{
			"the definition of \"term time day\" was not retrieved (not confirmed)",
			"The period begins with the day after the event, as the ALN Regulations are drafted (confirmed in the law).",
			"A working day is a Monday to Friday that is not an England and Wales bank holiday; the regulations' own definition was not retrieved (not confirmed).",
		}, []string{"The day of the event is not counted", "The day of the event counts"}},
		{"Code weeks", "T4", DefaultSettings(), []string{
			"Calendar weeks run through school holidays; no term calendar is needed.",
			"ends the day before the same weekday that many weeks later, as \"beginning with the day on which\" reads in the Act and the Regulations",
		}, []string{"school day"}},
		{"Code weeks, same weekday", "T4", Settings{WeeksEndSameWeekday: true}, []string{
			"ends on the same weekday that many weeks later (the day of the event is not counted); a setting of this service, the later of the two readings (not confirmed).",
		}, nil},
		{"tribunal appeal", "T17", DefaultSettings(), []string{
			"The period begins on the day of the event itself, as the provision is drafted (from a secondary source).",
			"A working day is a Monday to Friday",
			"such as the Christmas period or August",
		}, nil},
		{"tribunal review", "T18", DefaultSettings(), []string{
			"\"Within 28 days of\" the event is read with the day of the event as day 1",
			"The time limit was read in the law itself.",
		}, []string{"working day"}},
		{"months", "T8", DefaultSettings(), []string{"29 February, 31 April"}, nil},
		{"end of September", "T14", DefaultSettings(), []string{"1 August to 31 July (Act s.35(6))"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Compute(rule(t, tc.rule), d("2026-03-03"), cal, tc.s)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !hasAssumption(res, w) {
					t.Errorf("no assumption containing %q in\n%s", w, enOf(res.Assumptions))
				}
			}
			for _, w := range tc.dontWant {
				if hasAssumption(res, w) {
					t.Errorf("an assumption contains %q:\n%s", w, enOf(res.Assumptions))
				}
			}
			for _, a := range res.Assumptions {
				if strings.Contains(a.EN, "(not confirmed)") != strings.Contains(a.CY, "(heb ei gadarnhau)") {
					t.Errorf("the Welsh does not say what the English says of %q: %q", a.EN, a.CY)
				}
				// Issue 18: plain words, no evidence tags or source ids (the
				// rule's basis and tag are data of their own).
				for _, m := range []string{"[", "Nodi ", "settings.", "deployment"} {
					if strings.Contains(a.EN, m) || strings.Contains(a.CY, m) {
						t.Errorf("an assumption holds %q: %q / %q", m, a.EN, a.CY)
					}
				}
			}
		})
	}
}

func enOf(ts []form.Text) string {
	var b strings.Builder
	for _, t := range ts {
		b.WriteString("  " + t.EN + "\n")
	}
	return b.String()
}

// Rules whose time limit is UNCONFIRMED have none until a deployment sets
// one.
func TestOverrides(t *testing.T) {
	cal := testCalendar(false)
	for _, id := range []string{"T6", "T7", "T9"} {
		_, err := Compute(rule(t, id), d("2026-03-02"), cal, DefaultSettings())
		wantInvalid(t, err, "rule", "has no time limit confirmed in the law; the service may set one (DEADLINE_OVERRIDES)")
	}

	// T6 with 7 weeks set: beginning with Mon 2 Mar 2026, + 48 days: 29 to
	// 31 Mar, 19 to Sun 19 Apr.
	s := Settings{Overrides: map[string]Override{"T6": {Amount: 7, Unit: UnitWeeks, Basis: "the authority's policy"}}}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	res, err := Compute(rule(t, "T6"), d("2026-03-02"), cal, s)
	if err != nil {
		t.Fatal(err)
	}
	if res.Due != d("2026-04-19") || res.Rule.Amount != 7 || res.Rule.Unit != UnitWeeks {
		t.Errorf("T6 overridden: due %s, rule %d %s; want 2026-04-19, 7 WEEKS", res.Due, res.Rule.Amount, res.Rule.Unit)
	}
	if !hasAssumption(res, "The time limit of 7 weeks was set by this service (the authority's policy); the law's time limit is not confirmed.") {
		t.Errorf("no override assumption:\n%s", enOf(res.Assumptions))
	}
	if r := rule(t, "T6"); r.Unit != UnitNone {
		t.Error("the override changed the embedded rule")
	}

	// T9 with 10 school days: needs the calendar. From Mon 2 Mar 2026, the
	// day not counted: 3–6 Mar (1–4), 9–13 (5–9), Mon 16 Mar (10).
	s = Settings{TriggerDayNotCounted: true, Overrides: map[string]Override{"T9": {Amount: 10, Unit: UnitSchoolDays}}}
	_, err = Compute(rule(t, "T9"), d("2026-03-02"), nil, s)
	wantInvalid(t, err, "calendar", "needs the maintaining body's term calendar")
	res, err = Compute(rule(t, "T9"), d("2026-03-02"), cal, s)
	if err != nil {
		t.Fatal(err)
	}
	if res.Due != d("2026-03-16") || kinds(res.Steps)[StepCounted] != 10 {
		t.Errorf("T9 overridden: due %s, %d counted; want 2026-03-16, 10", res.Due, kinds(res.Steps)[StepCounted])
	}
	// …and follows the trigger-day setting: by default Mon 2 Mar is day 1,
	// so Fri 13 Mar is day 10.
	s.TriggerDayNotCounted = false
	if res, err = Compute(rule(t, "T9"), d("2026-03-02"), cal, s); err != nil || res.Due != d("2026-03-13") {
		t.Errorf("T9 overridden, trigger day counts: %s, %v; want 2026-03-13", res.Due, err)
	}

	// T16 is local guidance: a deployment may set its own (4 weeks
	// beginning with Mon 1 Jun 2026: Sun 28 Jun).
	s = Settings{Overrides: map[string]Override{"T16": {Amount: 4, Unit: UnitWeeks}}}
	if res, err = Compute(rule(t, "T16"), d("2026-06-01"), cal, s); err != nil || res.Due != d("2026-06-28") {
		t.Errorf("T16 overridden: %s, %v; want 2026-06-28", res.Due, err)
	} else if !hasAssumption(res, "The time limit of 4 weeks was set by this service in place of 6 weeks.") {
		t.Errorf("no override assumption:\n%s", enOf(res.Assumptions))
	}

	// Months and calendar days set by a deployment.
	for _, tc := range []struct {
		name, id, start string
		o               Override
		s               Settings
		due             string
	}{
		// 2 months beginning on Mon 2 Mar 2026: 2 May less one day, Fri 1 May.
		{"2 months", "T6", "2026-03-02", Override{Amount: 2, Unit: UnitMonths}, Settings{}, "2026-05-01"},
		// From Wed 31 Dec 2025: 31 Feb does not exist, so 28 Feb 2026, less
		// one day: Fri 27 Feb (the T8 rule for 29 February, generalised).
		{"2 months from the 31st", "T6", "2025-12-31", Override{Amount: 2, Unit: UnitMonths}, Settings{}, "2026-02-27"},
		// 14 days from Mon 2 Mar 2026, the day not counted: Mon 16 Mar …
		{"14 days, day not counted", "T7", "2026-03-02", Override{Amount: 14, Unit: UnitCalendarDays}, Settings{TriggerDayNotCounted: true}, "2026-03-16"},
		// … and counted as day 1 (the default): Sun 15 Mar.
		{"14 days", "T7", "2026-03-02", Override{Amount: 14, Unit: UnitCalendarDays}, Settings{}, "2026-03-15"},
	} {
		tc.s.Overrides = map[string]Override{tc.id: tc.o}
		res, err := Compute(rule(t, tc.id), d(tc.start), nil, tc.s)
		if err != nil || res.Due != d(tc.due) {
			t.Errorf("%s: due %s, %v; want %s", tc.name, res.Due, err, tc.due)
		}
	}

	// Statutory limits cannot be overridden; bad overrides are refused.
	for _, tc := range []struct {
		id    string
		o     Override
		field string
		msg   string
	}{
		{"T1", Override{Amount: 20, Unit: UnitSchoolDays}, "settings.overrides.T1", "cannot be overridden"},
		{"T6", Override{Amount: 0, Unit: UnitWeeks}, "settings.overrides.T6", "amount must be between 1 and"},
		{"T6", Override{Amount: 7, Unit: UnitNone}, "settings.overrides.T6", "unit must be one of"},
		{"T6", Override{Amount: 7, Unit: "FORTNIGHTS"}, "settings.overrides.T6", "unit must be one of"},
		{"T6", Override{Amount: 1000, Unit: UnitWeeks}, "settings.overrides.T6", "amount must be between 1 and 156"},
	} {
		s := Settings{Overrides: map[string]Override{tc.id: tc.o}}
		_, err := Compute(rule(t, tc.id), d("2026-03-02"), cal, s)
		wantInvalid(t, err, tc.field, tc.msg)
		wantInvalid(t, s.Validate(), tc.field, tc.msg)
	}
	wantInvalid(t, Settings{Overrides: map[string]Override{"T99": {Amount: 7, Unit: UnitWeeks}}}.Validate(), "settings.overrides.T99", "is not the id of a rule")
}

// wantInvalid checks that err is an INVALID *cynllun.Error with one field
// error naming field, whose message contains msg and no date.
func wantInvalid(t *testing.T, err error, field, msg string) {
	t.Helper()
	var e *cynllun.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want a *cynllun.Error", err)
	}
	if e.Code != cynllun.CodeInvalid || len(e.Fields) != 1 || e.Fields[0].Field != field || !strings.Contains(e.Fields[0].Message, msg) {
		t.Fatalf("err = %v; want INVALID %s: …%s…", err, field, msg)
	}
	if dateLike.MatchString(e.Error()) {
		t.Errorf("the error names a date: %v", err)
	}
}

var dateLike = regexp.MustCompile(`\b(19|20|21)[0-9]{2}\b`)

func TestErrors(t *testing.T) {
	// The first year the bank holiday data does not have.
	years := calendar.BankHolidayYears()
	beyond := years[len(years)-1] + 1
	one := testCalendar(false)
	t1 := rule(t, "T1")
	badUnit := t1
	badUnit.Unit = "FORTNIGHTS"
	for _, tc := range []struct {
		name  string
		rule  Rule
		start cynllun.Date
		cal   *calendar.Calendar
		field string
		msg   string
	}{
		{"zero start", t1, cynllun.Date{}, one, "start", "is required"},
		{"30 February", t1, cynllun.Date{Year: 2026, Month: 2, Day: 30}, one, "start", "must be a real date"},
		{"year 1800", t1, cynllun.Date{Year: 1800, Month: 1, Day: 1}, one, "start", "must be a real date"},
		{"no calendar", t1, d("2026-03-03"), nil, "calendar", "T1 counts school days and needs the maintaining body's term calendar"},
		{"no FEI calendar", rule(t, "T3"), d("2026-03-03"), nil, "calendar", "T3 counts term-time days and needs the maintaining body's term calendar"},
		// From Mon 6 Jul 2026: 7–10 Jul (1–4), 13–17 (5–9), Mon 20 Jul
		// (10), then the summer holiday and the calendar ends on 31 Jul.
		{"calendar ends", t1, d("2026-07-06"), one, "calendar", "the term calendar does not cover the dates needed; add the next school year's terms"},
		// From Tue 2 Jun 2026 (day 1) the snow day is not counted: 2–5 Jun
		// (1–4), 8–10 (5–7), 12 (8), 15 Jun–17 Jul (9–33), Mon 20 Jul (34),
		// so day 35 falls after the summer holiday.
		{"calendar ends in the holiday", t1, d("2026-06-02"), one, "calendar", "add the next school year's terms"},
		{"start before the calendar", t1, d("2025-03-03"), one, "calendar", "does not cover the start"},
		{"bad rule", badUnit, d("2026-03-03"), one, "rule", "unknown unit"},
		{"informational rule T20", rule(t, "T20"), d("2026-03-03"), one, "rule", "T20 sets no time limit to compute"},
		// From 11 December of the data's last year, 6 weeks end in the
		// January after: a year the data does not have.
		{"beyond the bank holidays", rule(t, "T10"), cynllun.Date{Year: beyond - 1, Month: 12, Day: 11}, nil, "start", "beyond the England and Wales bank holiday data"},
		{"T17 beyond the bank holidays", rule(t, "T17"), cynllun.Date{Year: beyond - 1, Month: 12, Day: 1}, nil, "start", "beyond the England and Wales bank holiday data"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Compute(tc.rule, tc.start, tc.cal, DefaultSettings())
			wantInvalid(t, err, tc.field, tc.msg)
			if res.Steps != nil || !res.Due.IsZero() {
				t.Errorf("a result with the error: %+v", res)
			}
		})
	}

	// A school-day count in a year beyond the bank holiday data is refused
	// even when the calendar covers it.
	cal := &calendar.Calendar{ID: "FUTURE", Terms: []calendar.Term{{Name: "Autumn term",
		Start: cynllun.Date{Year: beyond, Month: 9, Day: 3}, End: cynllun.Date{Year: beyond, Month: 12, Day: 14}}}}
	_, err := Compute(t1, cynllun.Date{Year: beyond, Month: 9, Day: 3}, cal, DefaultSettings())
	wantInvalid(t, err, "start", "bank holiday data")
}

// With default settings a school day is exactly calendar.SchoolDay (the
// test calendar lists its bank holidays); INSET and closure days follow
// the settings.
func TestSchoolDayMatchesCalendar(t *testing.T) {
	cal := testCalendar(true)
	insets := map[cynllun.Date]bool{d("2025-09-01"): true, d("2026-01-05"): true}
	closure := d("2026-06-11")
	for _, s := range []Settings{{}, {InsetDaysCount: true}, {ClosuresCount: true}, {InsetDaysCount: true, ClosuresCount: true}} {
		c := &calc{cal: cal, s: s}
		for day := d("2025-08-01"); !day.After(d("2027-07-31")); day = day.AddDays(1) {
			want := cal.SchoolDay(day) || (s.InsetDaysCount && insets[day]) || (s.ClosuresCount && day == closure)
			kind, _, _ := c.classify(day)
			if got := kind == StepCounted; got != want {
				t.Errorf("%+v: %s (%s) counted %v, want %v", s, day, kind, got, want)
			}
		}
	}
}

func TestAddMonths(t *testing.T) {
	for _, tc := range []struct {
		from string
		n    int
		want string
	}{
		{"2026-01-31", 1, "2026-02-28"},
		{"2028-01-31", 1, "2028-02-29"},
		{"2026-03-31", 1, "2026-04-30"},
		{"2026-11-15", 3, "2027-02-15"},
		{"2028-02-29", 12, "2029-02-28"},
		{"2028-02-29", 48, "2032-02-29"},
	} {
		if got := addMonths(d(tc.from), tc.n); got != d(tc.want) {
			t.Errorf("addMonths(%s, %d) = %s, want %s", tc.from, tc.n, got, tc.want)
		}
	}
	// 12n months is AddYears(n).
	for day := d("2027-01-01"); day.Year < 2029; day = day.AddDays(1) {
		if a, b := addMonths(day, 12), day.AddYears(1); a != b {
			t.Fatalf("addMonths(%s, 12) = %s, AddYears(1) = %s", day, a, b)
		}
	}
}

// Compute does not change the calendar or the settings it is given.
func TestComputeLeavesInputsAlone(t *testing.T) {
	cal := testCalendar(false)
	before := testCalendar(false)
	s := Settings{Overrides: map[string]Override{"T6": {Amount: 7, Unit: UnitWeeks}}}
	for _, r := range Rules() {
		Compute(r, d("2026-03-03"), cal, s) //nolint:errcheck // only the inputs matter here
	}
	if diff := cmp.Diff(before, cal); diff != "" {
		t.Errorf("the calendar changed:\n%s", diff)
	}
	if len(s.Overrides) != 1 || s.Overrides["T6"].Amount != 7 {
		t.Errorf("the settings changed: %+v", s)
	}
}

// TestDefaultsFollowStatutoryWording (issue 16 item 1): out of the box, a
// period "beginning with the day on which" something happens counts that
// day (domain.md §2.6). These are the hand-worked dates of TestDayCounts
// and TestPeriods, and of the server's T1 fixture, under DefaultSettings
// (the zero value): each Code period whose event falls on a countable day
// ends one day earlier than under the later reading, which stays a
// setting. Periods whose first day the drafting fixes (T8, T10–T12, T17,
// T18) and counts that start on a day that is not a school day do not
// move.
func TestDefaultsFollowStatutoryWording(t *testing.T) {
	if DefaultSettings().TriggerDayNotCounted || DefaultSettings().WeeksEndSameWeekday ||
		!DefaultSettings().TriggerDayCounts() || !DefaultSettings().WeeksEndDayBefore() {
		t.Fatalf("DefaultSettings() = %+v: the event's day must be day 1 by default", DefaultSettings())
	}
	one := testCalendar(false)
	for _, tc := range []struct {
		name, rule, start string
		cal               *calendar.Calendar
		due, later        string // the default, and the later reading
	}{
		// Wed 15 Oct 2025 (1) … Tue 9 Dec (35).
		{"T1 october half term", "T1", "2025-10-15", one, "2025-12-09", "2025-12-10"},
		// Mon 1 Dec 2025 (1) … the INSET day 5 Jan skipped … Mon 2 Feb (35).
		{"T1 christmas", "T1", "2025-12-01", one, "2026-02-02", "2026-02-03"},
		// Tue 3 Mar 2026 (1) … 4 May skipped … Tue 5 May (35).
		{"T1 easter", "T1", "2026-03-03", one, "2026-05-05", "2026-05-06"},
		{"T2 easter", "T2", "2026-03-03", one, "2026-05-05", "2026-05-06"},
		{"T3 easter", "T3", "2026-03-03", one, "2026-05-05", "2026-05-06"},
		// 12 weeks beginning with Mon 20 Oct 2025: Sun 11 Jan 2026.
		{"T4 12 weeks", "T4", "2025-10-20", nil, "2026-01-11", "2026-01-12"},
		// 7 weeks beginning with Fri 13 Mar 2026: Thu 30 Apr.
		{"T5 7 weeks", "T5", "2026-03-13", nil, "2026-04-30", "2026-05-01"},
		// 6 weeks beginning with Mon 1 Jun 2026: Sun 12 Jul.
		{"T16 6 weeks", "T16", "2026-06-01", nil, "2026-07-12", "2026-07-13"},
		// Not moved: a Saturday start, a start in the holiday, the ALN
		// Regs' "the day after", the ETW Regs' "beginning on the date".
		{"T1 from a saturday", "T1", "2026-03-07", one, "2026-05-11", "2026-05-11"},
		{"T1 from the summer holiday", "T1", "2025-08-11", one, "2025-10-20", "2025-10-20"},
		{"T10 day after", "T10", "2026-03-02", nil, "2026-04-13", "2026-04-13"},
		{"T12 day after", "T12", "2026-03-06", one, "2026-04-17", "2026-04-17"},
		{"T17 beginning on", "T17", "2026-03-04", nil, "2026-04-29", "2026-04-29"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Compute(rule(t, tc.rule), d(tc.start), tc.cal, Settings{})
			if err != nil {
				t.Fatal(err)
			}
			if res.Due != d(tc.due) {
				t.Errorf("default: due %s, want %s", res.Due, tc.due)
			}
			later, err := Compute(rule(t, tc.rule), d(tc.start), tc.cal, Settings{TriggerDayNotCounted: true, WeeksEndSameWeekday: true})
			if err != nil {
				t.Fatal(err)
			}
			if later.Due != d(tc.later) {
				t.Errorf("the later reading: due %s, want %s", later.Due, tc.later)
			}
		})
	}
}

// TestNotWorkingDayFlagged (issue 16 item 8): a due date that is not a
// working day is flagged with the last working day before it, and kept
// (only the ALN Regs' periods roll forward); a working day is not flagged.
func TestNotWorkingDayFlagged(t *testing.T) {
	for _, tc := range []struct {
		name, rule, start string
		due, before       string // before: "" when not flagged
	}{
		// 12 weeks beginning with Mon 20 Oct 2025: Sun 11 Jan 2026.
		{"T4 ends on a sunday", "T4", "2025-10-20", "2026-01-11", "2026-01-09"},
		// 28 days of Tue 10 Mar 2026: Easter Monday 6 Apr; before it Good
		// Friday 3 Apr is not a working day either: Thu 2 Apr.
		{"T18 ends on easter monday", "T18", "2026-03-10", "2026-04-06", "2026-04-02"},
		// 12 months beginning Sat 1 Aug 2026 end Sat 31 Jul 2027 (a year
		// beyond the bank holiday data is still checked for weekends).
		{"T8 ends on a saturday", "T8", "2026-08-01", "2027-07-31", "2027-07-30"},
		// 7 weeks beginning with Fri 13 Mar 2026: Thu 30 Apr, a working day.
		{"T5 ends on a thursday", "T5", "2026-03-13", "2026-04-30", ""},
		// Rolled forward to a working day: not flagged.
		{"T10 rolled forward", "T10", "2026-02-20", "2026-04-07", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Compute(rule(t, tc.rule), d(tc.start), nil, DefaultSettings())
			if err != nil {
				t.Fatal(err)
			}
			if res.Due != d(tc.due) {
				t.Fatalf("due %s, want %s", res.Due, tc.due)
			}
			if res.NotWorkingDay != (tc.before != "") {
				t.Errorf("NotWorkingDay = %v", res.NotWorkingDay)
			}
			if tc.before != "" && res.LastWorkingDayBefore != d(tc.before) {
				t.Errorf("last working day before %s, want %s", res.LastWorkingDayBefore, tc.before)
			}
			if tc.before == "" && !res.LastWorkingDayBefore.IsZero() {
				t.Errorf("last working day before %s, want none", res.LastWorkingDayBefore)
			}
			last := res.Explanation[len(res.Explanation)-1].EN
			if flagged := strings.Contains(last, "is not a working day"); flagged != (tc.before != "") {
				t.Errorf("last sentence %q", last)
			}
		})
	}
}

// TestT19 (issue 16 item 4): the transitional IDP notice has the time
// limit domain.md gives (Nodi 15.03, SECONDARY): 12 weeks from the notice
// for a local authority, as T4; 35 school days for a school, as T1.
func TestT19(t *testing.T) {
	r := rule(t, "T19")
	if r.Tag != TagSecondary || r.StartEvent != "IDP_NOTICE_GIVEN" {
		t.Fatalf("T19: %+v", r)
	}
	// The local authority: 12 weeks beginning with Mon 20 Oct 2025, as T4:
	// Sun 11 Jan 2026.
	la, err := Compute(r.ForBody(cynllun.OrgLocalAuthority), d("2025-10-20"), nil, DefaultSettings())
	if err != nil || la.Due != d("2026-01-11") || la.Rule.Unit != UnitWeeks {
		t.Errorf("T19 for an LA: %s %v, %+v", la.Due, err, la.Rule)
	}
	// A school: 35 school days from Tue 3 Mar 2026, as T1 ("easter"): Tue 5
	// May; on its calendar.
	school := r.ForBody(cynllun.OrgSchool)
	if school.Unit != UnitSchoolDays || school.Amount != 35 || school.Calendar != CalendarMaintainer {
		t.Fatalf("T19 for a school: %+v", school)
	}
	if _, err := Compute(school, d("2026-03-03"), nil, DefaultSettings()); err == nil {
		t.Error("a school's T19 computed without a calendar")
	}
	res, err := Compute(school, d("2026-03-03"), testCalendar(false), DefaultSettings())
	if err != nil || res.Due != d("2026-05-05") {
		t.Errorf("T19 for a school: %s, %v; want 2026-05-05", res.Due, err)
	}
	if !hasAssumption(res, "from a secondary source") {
		t.Errorf("assumptions:\n%s", enOf(res.Assumptions))
	}
	// ForBody leaves the embedded rule alone.
	if rule(t, "T19").Unit != UnitWeeks {
		t.Error("ForBody changed the embedded rule")
	}
}
