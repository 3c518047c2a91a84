package clock

import (
	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/calendar"
)

var d = cynllun.MustDate

// testCalendar is a school's calendar built from the published 2025–26
// dates shared by Anglesey, Blaenau Gwent, Bridgend, Caerphilly and
// Cardiff (domain.md §2.6 [R65]), with days this school adds:
//
//	Autumn 1 Sep–19 Dec 2025, half term 27–31 Oct
//	Spring 5 Jan–27 Mar 2026, half term 16–20 Feb
//	Summer 13 Apr–20 Jul 2026, half term 25–29 May
//	bank holidays in term (calendar.BankHolidays): 4 May 2026, and
//	  25 May 2026 (inside the half term)
//	INSET (added for the tests): Mon 1 Sep 2025, Mon 5 Jan 2026
//	CLOSURE (added: a snow day): Thu 11 Jun 2026
//
// It covers 1 Aug 2025 to 31 Jul 2026. With twoYears it also has a
// 2026–27 year made up for the tests (not published dates):
//
//	Autumn 1 Sep (Tue)–18 Dec 2026, half term 26–30 Oct
//	Spring 4 Jan–19 Mar 2027, half term 15–19 Feb
//	Summer 5 Apr–16 Jul 2027, half term 31 May–4 Jun
//	bank holidays in term: 3 May 2027, 31 May 2027 (in the half term)
//
// and covers to 31 Jul 2027.
func testCalendar(twoYears bool) *calendar.Calendar {
	c := &calendar.Calendar{
		ID:     "TEST-SCHOOL",
		Name:   "Ysgol Prawf",
		Source: "test: published 2025-26 dates [R65] with added INSET and closure days",
		Terms: []calendar.Term{
			{Name: "Autumn term", NameCy: "Tymor yr Hydref", Start: d("2025-09-01"), End: d("2025-12-19")},
			{Name: "Spring term", NameCy: "Tymor y Gwanwyn", Start: d("2026-01-05"), End: d("2026-03-27")},
			{Name: "Summer term", NameCy: "Tymor yr Haf", Start: d("2026-04-13"), End: d("2026-07-20")},
		},
		Closures: []calendar.Closure{
			{From: d("2025-09-01"), To: d("2025-09-01"), Reason: calendar.ReasonINSET},
			{From: d("2025-10-27"), To: d("2025-10-31"), Reason: calendar.ReasonHalfTerm},
			{From: d("2026-01-05"), To: d("2026-01-05"), Reason: calendar.ReasonINSET},
			{From: d("2026-02-16"), To: d("2026-02-20"), Reason: calendar.ReasonHalfTerm},
			{From: d("2026-05-25"), To: d("2026-05-29"), Reason: calendar.ReasonHalfTerm},
			{From: d("2026-06-11"), To: d("2026-06-11"), Reason: calendar.ReasonClosure, Note: "snow"},
		},
	}
	if twoYears {
		c.Terms = append(c.Terms,
			calendar.Term{Name: "Autumn term", NameCy: "Tymor yr Hydref", Start: d("2026-09-01"), End: d("2026-12-18")},
			calendar.Term{Name: "Spring term", NameCy: "Tymor y Gwanwyn", Start: d("2027-01-04"), End: d("2027-03-19")},
			calendar.Term{Name: "Summer term", NameCy: "Tymor yr Haf", Start: d("2027-04-05"), End: d("2027-07-16")},
		)
		c.Closures = append(c.Closures,
			calendar.Closure{From: d("2026-10-26"), To: d("2026-10-30"), Reason: calendar.ReasonHalfTerm},
			calendar.Closure{From: d("2027-02-15"), To: d("2027-02-19"), Reason: calendar.ReasonHalfTerm},
			calendar.Closure{From: d("2027-05-31"), To: d("2027-06-04"), Reason: calendar.ReasonHalfTerm},
		)
	}
	// Bank holidays inside a term, as the embedded LA calendars list them.
	for _, h := range calendar.BankHolidays() {
		if _, ok := c.TermOf(h); ok {
			c.Closures = append(c.Closures, calendar.Closure{From: h, To: h, Reason: calendar.ReasonBankHoliday})
		}
	}
	return c
}
