package cynllun

import (
	"fmt"
	"time"
	// Europe/London must resolve in minimal container images too.
	_ "time/tzdata"
)

// Date is a calendar date with no time of day or zone (dates of birth, plan
// dates, term dates). The zero value is "no date".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate parses an ISO 8601 calendar date (YYYY-MM-DD), rejecting dates
// that do not exist (2025-02-30) and years outside 1900–2199.
func ParseDate(s string) (Date, error) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return Date{}, fmt.Errorf("must be a date in the form YYYY-MM-DD")
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("must be a real date in the form YYYY-MM-DD")
	}
	if t.Year() < 1900 || t.Year() > 2199 {
		return Date{}, fmt.Errorf("year must be between 1900 and 2199")
	}
	return DateOf(t), nil
}

// MustDate parses s or panics; for fixtures and seed data.
func MustDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// DateOf returns the calendar date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// Today returns the date of now in Europe/London (the law's local time).
func Today(now time.Time) Date {
	return DateOf(now.In(London))
}

// London is the zone statutory dates are reckoned in.
var London = func() *time.Location {
	l, err := time.LoadLocation("Europe/London")
	if err != nil {
		return time.UTC
	}
	return l
}()

func (d Date) IsZero() bool { return d == Date{} }

// Time returns midnight UTC of d.
func (d Date) Time() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
}

func (d Date) Before(o Date) bool { return d.Time().Before(o.Time()) }
func (d Date) After(o Date) bool  { return d.Time().After(o.Time()) }

// AddDays returns d plus n days (n may be negative).
func (d Date) AddDays(n int) Date { return DateOf(d.Time().AddDate(0, 0, n)) }

// AddYears returns d plus n years; 29 February becomes 28 February in a
// common year (the usual rule for anniversaries).
func (d Date) AddYears(n int) Date {
	t := time.Date(d.Year+n, d.Month, 1, 0, 0, 0, 0, time.UTC)
	last := t.AddDate(0, 1, -1).Day()
	day := d.Day
	if day > last {
		day = last
	}
	return Date{d.Year + n, d.Month, day}
}

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday { return d.Time().Weekday() }

// EndOfDay is the instant day d ends in Europe/London: the midnight after
// it, in UTC. A consent "until 31 March" ends then (issue 17).
func EndOfDay(d Date) time.Time {
	return time.Date(d.Year, d.Month, d.Day+1, 0, 0, 0, 0, London).UTC()
}
