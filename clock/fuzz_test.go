package clock

import (
	"errors"
	"strings"
	"testing"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/calendar"
)

// refSchoolDay is an independent statement of a countable day: what
// calendar.SchoolDay says of a copy of the calendar without the closures
// the settings count, and never a bank holiday.
func refSchoolDay(cal *calendar.Calendar, s Settings) func(cynllun.Date) bool {
	c := *cal
	c.Closures = nil
	for _, cl := range cal.Closures {
		if (s.InsetDaysCount && cl.Reason == calendar.ReasonINSET) || (s.ClosuresCount && cl.Reason == calendar.ReasonClosure) {
			continue
		}
		c.Closures = append(c.Closures, cl)
	}
	return func(d cynllun.Date) bool { return c.SchoolDay(d) && !bankHoliday(d) }
}

func refWorkingDay(d cynllun.Date) bool { return !isWeekend(d) && !bankHoliday(d) }

// FuzzCompute: any rule, start and settings over the test calendar.
func FuzzCompute(f *testing.F) {
	f.Add(uint8(0), uint16(0), uint8(0), uint8(0))
	f.Add(uint8(9), uint16(200), uint8(1), uint8(0))
	f.Add(uint8(16), uint16(250), uint8(0), uint8(0))
	f.Add(uint8(11), uint16(340), uint8(15), uint8(0))
	f.Add(uint8(5), uint16(400), uint8(16), uint8(7))
	f.Add(uint8(8), uint16(600), uint8(31), uint8(200))
	rules := Rules()
	base := d("2025-06-01") // before the calendar, to reach its edges
	f.Fuzz(func(t *testing.T, ri uint8, off uint16, flags uint8, amount uint8) {
		r := rules[int(ri)%len(rules)]
		start := base.AddDays(int(off) % 1100)
		s := Settings{
			TriggerDayNotCounted: flags&1 != 0,
			InsetDaysCount:       flags&2 != 0,
			ClosuresCount:        flags&4 != 0,
			WeeksEndSameWeekday:  flags&8 != 0,
		}
		if flags&16 != 0 && r.Overridable {
			units := []Unit{UnitSchoolDays, UnitTermTimeDays, UnitCalendarDays, UnitWeeks, UnitMonths}
			s.Overrides = map[string]Override{r.ID: {Amount: 1 + int(amount)%40, Unit: units[int(amount)%len(units)]}}
		}
		cal := testCalendar(flags&32 != 0)

		res, err := Compute(r, start, cal, s)
		if err != nil {
			var e *cynllun.Error
			if !errors.As(err, &e) || e.Code != cynllun.CodeInvalid || len(e.Fields) != 1 {
				t.Fatalf("%s from %s: err %v is not one INVALID field error", r.ID, start, err)
			}
			if strings.Contains(e.Error(), start.String()) {
				t.Fatalf("the error names the start date: %v", err)
			}
			return
		}
		eff := res.Rule
		if res.Start != start || eff.ID != r.ID {
			t.Fatalf("result for %s from %s", eff.ID, res.Start)
		}
		if res.Due.Before(start) || res.PeriodEnd.Before(start) || res.Due.Before(res.PeriodEnd) {
			t.Fatalf("%s from %s: period end %s, due %s", eff.ID, start, res.PeriodEnd, res.Due)
		}
		if res.Due.After(start.AddDays(maxDays + 10)) {
			t.Fatalf("%s from %s: due %s beyond the bound", eff.ID, start, res.Due)
		}
		if len(res.Steps) == 0 || res.Steps[0].Date != start || res.Steps[len(res.Steps)-1].Date != res.Due {
			t.Fatalf("%s from %s: steps do not run from the start to the due date", eff.ID, start)
		}
		for i := 1; i < len(res.Steps); i++ {
			if !res.Steps[i-1].Date.Before(res.Steps[i].Date) {
				t.Fatalf("%s from %s: steps out of order at %d: %s, %s", eff.ID, start, i, res.Steps[i-1].Date, res.Steps[i].Date)
			}
		}
		if len(res.Explanation) == 0 || len(res.Assumptions) == 0 {
			t.Fatalf("%s: no explanation or assumptions", eff.ID)
		}
		for _, x := range append(res.Explanation, res.Assumptions...) {
			if x.EN == "" || x.CY == "" {
				t.Fatalf("%s: a text without both languages: %+v", eff.ID, x)
			}
		}
		if eff.Unit.countsDays() {
			school := refSchoolDay(cal, s)
			if !school(res.Due) {
				t.Fatalf("%s from %s: due %s is not a school day under %+v", eff.ID, start, res.Due, s)
			}
			n := 0
			for i, st := range res.Steps {
				if st.Date != start.AddDays(i) {
					t.Fatalf("%s from %s: step %d is %s: a day count has a step every day", eff.ID, start, i, st.Date)
				}
				if st.Kind == StepCounted {
					n++
					if !school(st.Date) {
						t.Fatalf("%s from %s: counted %s, not a school day", eff.ID, start, st.Date)
					}
				} else if school(st.Date) && !(i == 0 && st.Kind == StepTriggerDay) {
					t.Fatalf("%s from %s: skipped school day %s as %s", eff.ID, start, st.Date, st.Kind)
				}
				if st.Count != n {
					t.Fatalf("%s from %s: step %s has count %d, want %d", eff.ID, start, st.Date, st.Count, n)
				}
			}
			if n != eff.Amount {
				t.Fatalf("%s from %s: %d days counted, want %d", eff.ID, start, n, eff.Amount)
			}
			// The first day counts exactly when it is a school day and the
			// convention makes it day 1.
			day1 := eff.Start == StartTriggerDay && (!eff.CountingConvention || s.TriggerDayCounts())
			if got, want := res.Steps[0].Kind == StepCounted, day1 && school(start); got != want {
				t.Fatalf("%s from %s: first step %s", eff.ID, start, res.Steps[0].Kind)
			}
		}
		if eff.RollForward {
			if !refWorkingDay(res.Due) {
				t.Fatalf("%s from %s: due %s is not a working day", eff.ID, start, res.Due)
			}
			for d := res.PeriodEnd; d.Before(res.Due); d = d.AddDays(1) {
				if refWorkingDay(d) {
					t.Fatalf("%s from %s: rolled past working day %s", eff.ID, start, d)
				}
			}
		}
		if eff.FirstWorkingDayAfter {
			if !res.Due.After(res.PeriodEnd) || !refWorkingDay(res.Due) {
				t.Fatalf("%s from %s: due %s is not a working day after %s", eff.ID, start, res.Due, res.PeriodEnd)
			}
			for d := res.PeriodEnd.AddDays(1); d.Before(res.Due); d = d.AddDays(1) {
				if refWorkingDay(d) {
					t.Fatalf("%s from %s: passed working day %s", eff.ID, start, d)
				}
			}
		}
		if !eff.RollForward && !eff.FirstWorkingDayAfter && res.Due != res.PeriodEnd {
			t.Fatalf("%s from %s: due %s moved off the period end %s", eff.ID, start, res.Due, res.PeriodEnd)
		}
		switch {
		case eff.Unit == UnitWeeks:
			n := int(res.PeriodEnd.Time().Sub(start.Time()).Hours() / 24)
			if n != 7*eff.Amount && n != 7*eff.Amount-1 {
				t.Fatalf("%s from %s: a %d-week period of %d days", eff.ID, start, eff.Amount, n)
			}
		case eff.FixedEndOfSeptember:
			if res.Due.Month != 9 || res.Due.Day != 30 || res.Due.After(start.AddDays(366)) {
				t.Fatalf("%s from %s: due %s", eff.ID, start, res.Due)
			}
		}
	})
}
