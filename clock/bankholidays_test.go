package clock

import (
	"testing"

	"github.com/cynllun/cynllun/calendar"
)

// The clock reads the bank holidays in use when it runs. Past the data it
// refuses (TestErrors); once a deployment's file (BANK_HOLIDAYS_FILE,
// calendar.UseBankHolidays) has the year, it counts into it and skips the
// file's bank holidays. Not parallel: it changes the calendar package's
// data, and puts it back.
func TestBankHolidaysFromAFile(t *testing.T) {
	t10 := rule(t, "T10")
	// 6 weeks beginning with the day after Mon 11 Dec 2028 end on Mon 22
	// Jan 2029.
	start := d("2028-12-11")
	if calendar.BankHolidaysCover(2029) {
		t.Skip("the shipped data reaches 2029: move this test on a year")
	}
	_, err := Compute(t10, start, nil, DefaultSettings())
	wantInvalid(t, err, "start", "beyond the England and Wales bank holiday data")

	// 2029 by the rules that give England and Wales their bank holidays,
	// with a made-up one on Mon 22 Jan (a test fixture, not published
	// data).
	var hs []calendar.BankHoliday
	for _, s := range []string{"2029-01-01", "2029-01-22", "2029-03-30", "2029-04-02", "2029-05-07", "2029-05-28", "2029-08-27", "2029-12-25", "2029-12-26"} {
		hs = append(hs, calendar.BankHoliday{Date: d(s), Name: "bank holiday " + s})
	}
	t.Cleanup(func() {
		if err := calendar.UseBankHolidays(nil); err != nil {
			t.Fatal(err)
		}
	})
	if err := calendar.UseBankHolidays(hs); err != nil {
		t.Fatal(err)
	}
	res, err := Compute(t10, start, nil, DefaultSettings())
	if err != nil {
		t.Fatalf("with 2029's bank holidays: %v", err)
	}
	if res.PeriodEnd != d("2029-01-22") || res.Due != d("2029-01-23") {
		t.Errorf("period end %s, due %s; want 2029-01-22 (a bank holiday in the file), rolled forward to 2029-01-23", res.PeriodEnd, res.Due)
	}
	var kinds []StepKind
	for _, s := range res.Steps {
		kinds = append(kinds, s.Kind)
	}
	if len(kinds) != 3 || kinds[1] != StepPeriodEnd || kinds[2] != StepRolledForward {
		t.Errorf("steps %v", kinds)
	}

	// A school-day count skips a bank holiday of the file that the school's
	// calendar does not list: from Fri 19 Jan 2029, counted from the day
	// after (the setting), day 1 is Mon 22 Jan were it not a bank holiday.
	cal := &calendar.Calendar{ID: "S", Terms: []calendar.Term{{Name: "Spring term", Start: d("2029-01-08"), End: d("2029-03-23")}}}
	res, err = Compute(rule(t, "T1"), d("2029-01-19"), cal, Settings{TriggerDayNotCounted: true})
	if err != nil {
		t.Fatal(err)
	}
	if s := res.Steps[3]; s.Date != d("2029-01-22") || s.Kind != StepBankHoliday {
		t.Errorf("22 January 2029: %+v", s)
	}
	if first := res.Steps[4]; first.Date != d("2029-01-23") || first.Kind != StepCounted || first.Count != 1 {
		t.Errorf("day 1: %+v", first)
	}
}
