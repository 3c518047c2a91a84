// Package calendar holds school term calendars as data: the terms of a
// school year, the closures within them (half terms, bank holidays, INSET
// days, other closures) and the England and Wales bank holidays.
//
// The calendars are embedded JSON (data/): one file per set of local
// authorities that share published term dates, and one file of bank
// holidays. Each file names its source. The data is checked when the
// package is initialised and a bad file panics, so a binary never starts
// with a calendar it cannot trust. A deployment may add the bank holidays
// of later years at run time, from a file in the format GOV.UK publishes
// (ParseBankHolidays, UseBankHolidays).
//
// LA calendars are LA-wide: INSET days are set school by school and are
// not in them, so a school day of an LA calendar is an upper bound on the
// days a particular school meets.
package calendar

import (
	"maps"
	"slices"
	"time"

	"github.com/cynllun/cynllun"
)

// Term is one term of a school year; Start and End are inclusive.
type Term struct {
	Name, NameCy string
	Start, End   cynllun.Date
}

// ClosureReason says why a school is closed on days inside a term.
type ClosureReason string

const (
	ReasonHalfTerm    ClosureReason = "HALF_TERM"
	ReasonBankHoliday ClosureReason = "BANK_HOLIDAY"
	ReasonINSET       ClosureReason = "INSET"   // a training day (school-specific)
	ReasonClosure     ClosureReason = "CLOSURE" // any other closure
)

func (r ClosureReason) valid() bool {
	switch r {
	case ReasonHalfTerm, ReasonBankHoliday, ReasonINSET, ReasonClosure:
		return true
	}
	return false
}

// Closure is a run of days on which the school is closed to pupils; From
// and To are inclusive.
type Closure struct {
	From, To cynllun.Date
	Reason   ClosureReason
	Note     string
}

// Calendar is the term calendar of a school or a local authority.
type Calendar struct {
	// ID identifies the calendar: "LA-" and the ONS code for an LA-wide
	// calendar.
	ID string
	// Name is the name of the school or authority.
	Name string
	// Source says where the dates come from.
	Source   string
	Terms    []Term    // in order, not overlapping
	Closures []Closure // sorted by From, then To; may overlap
}

// SchoolDay reports whether d is a Monday to Friday inside a term and not
// inside any closure.
func (c *Calendar) SchoolDay(d cynllun.Date) bool {
	if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	if _, ok := c.TermOf(d); !ok {
		return false
	}
	for _, cl := range c.Closures {
		if within(d, cl.From, cl.To) {
			return false
		}
	}
	return true
}

// Covers reports whether the calendar says anything about d: whether d is
// from 1 August on or before the first term's start to 31 July on or after
// the last term's end. A calendar with no terms covers nothing.
func (c *Calendar) Covers(d cynllun.Date) bool {
	from, to, ok := c.coverage()
	return ok && within(d, from, to)
}

// coverage returns the range Covers answers for.
func (c *Calendar) coverage() (from, to cynllun.Date, ok bool) {
	if len(c.Terms) == 0 {
		return cynllun.Date{}, cynllun.Date{}, false
	}
	first, last := c.Terms[0].Start, c.Terms[len(c.Terms)-1].End
	fy := first.Year
	if first.Month < time.August {
		fy--
	}
	ly := last.Year
	if last.Month > time.July {
		ly++
	}
	return cynllun.Date{Year: fy, Month: time.August, Day: 1}, cynllun.Date{Year: ly, Month: time.July, Day: 31}, true
}

// TermOf returns the term d falls in (holidays between terms are in none).
func (c *Calendar) TermOf(d cynllun.Date) (Term, bool) {
	for _, t := range c.Terms {
		if within(d, t.Start, t.End) {
			return t, true
		}
	}
	return Term{}, false
}

// TermsOverlapping returns, in order, the terms with at least one day in
// [from, to] (inclusive); nil when there are none or from is after to.
func (c *Calendar) TermsOverlapping(from, to cynllun.Date) []Term {
	var out []Term
	for _, t := range c.Terms {
		if !t.Start.After(to) && !t.End.Before(from) {
			out = append(out, t)
		}
	}
	return out
}

// clone returns a deep copy of c.
func (c *Calendar) clone() *Calendar {
	d := *c
	d.Terms = slices.Clone(c.Terms)
	d.Closures = slices.Clone(c.Closures)
	return &d
}

// ForLA returns the embedded LA-wide calendar of the local authority with
// the given ONS code (such as "W06000015", Cardiff), or nil when there is
// none. The result is the caller's own copy.
func ForLA(onsCode string) *Calendar {
	c, ok := current.Load().las[onsCode]
	if !ok {
		return nil
	}
	return c.clone()
}

// BankHolidays returns the England and Wales bank holidays in the data
// (shipped, or as UseBankHolidays left them), sorted; the slice is the
// caller's own.
func BankHolidays() []cynllun.Date {
	hs := current.Load().holidays
	out := make([]cynllun.Date, len(hs))
	for i, h := range hs {
		out[i] = h.Date
	}
	return out
}

// IsBankHoliday reports whether d is an England and Wales bank holiday in
// the data. Check BankHolidaysCover first: a day of a year the data does
// not cover is not known to be one.
func IsBankHoliday(d cynllun.Date) bool {
	return current.Load().days[d]
}

// BankHolidaysCover reports whether the data has the England and Wales
// bank holidays of year.
func BankHolidaysCover(year int) bool {
	return current.Load().years[year]
}

// BankHolidayYears returns the years whose England and Wales bank
// holidays the data has, in order.
func BankHolidayYears() []int {
	return slices.Sorted(maps.Keys(current.Load().years))
}

// within reports whether from <= d <= to.
func within(d, from, to cynllun.Date) bool {
	return !d.Before(from) && !d.After(to)
}
