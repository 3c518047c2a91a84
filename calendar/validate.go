package calendar

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/form"
)

// Limits on a user-supplied calendar.
const (
	// MaxTerms is the most terms a calendar may have (20 school years of
	// three terms).
	MaxTerms = 60
	// MaxClosures is the most closures a calendar may have.
	MaxClosures = 400
	// maxTermDays is the longest a term may be: a term belongs to the school
	// year it starts in, so a longer one makes no sense.
	maxTermDays = 366
)

// Validate checks a user-supplied calendar (a school's or an FEI's own, an
// override of its LA's, or one read by ParseICS). It returns the problems
// as field errors, with paths such as "terms.2.end" and "closures.0.reason"
// (indexes count from 0), or nil when the calendar is fine. Messages never
// echo the submitted values. The rules:
//
//   - ID and Name are optional; when given, at most 200 characters on one
//     line, with no control characters. Source is optional, at most 2,000
//     characters on one line.
//   - At most MaxTerms terms and MaxClosures closures (when there are more,
//     nothing else is checked).
//   - Every term has a name (not only spaces); the Welsh name is optional.
//     Names and notes follow the same text rule as Name.
//   - Dates are real dates in 1900–2199; a term's Start is on or before
//     its End, and a term is at most a year long.
//   - Terms are in order of their dates and do not overlap (a term starts
//     after the previous one ends).
//   - No school year (1 August to 31 July) between the first term's and the
//     last term's is without terms: Covers would claim such a year and
//     SchoolDay would find no school day in it.
//   - A closure's From is on or before its To, and its reason is one of
//     HALF_TERM, BANK_HOLIDAY, INSET and CLOSURE.
//   - A closure shares at least one day with a term: a closure wholly
//     outside every term closes no school day (not checked while the terms
//     themselves have errors). The exception is a closure
//     in a school year for which the calendar has no terms at all: that is
//     an override adding, say, INSET days to its LA's terms (see
//     Effective), and it is checked when the two are merged.
//   - Closures with the same reason do not overlap (join them into one);
//     closures with different reasons may (a bank holiday in a half term).
//
// Closures may be in any order (Sort puts them in the documented order).
func Validate(c *Calendar) []cynllun.FieldError {
	if c == nil {
		return []cynllun.FieldError{{Field: "calendar", Message: "is required"}}
	}
	var errs []cynllun.FieldError
	add := func(field, msg string) {
		errs = append(errs, cynllun.FieldError{Field: field, Message: msg})
	}
	text := func(field, s string, max int) {
		if fe := form.CheckText(field, s, max, false); fe != nil {
			errs = append(errs, *fe)
		}
	}
	text("id", c.ID, form.MaxShort)
	text("name", c.Name, form.MaxShort)
	text("source", c.Source, form.MaxMedium)

	if len(c.Terms) > MaxTerms {
		add("terms", "has too many terms: at most "+strconv.Itoa(MaxTerms)+" are allowed")
	}
	if len(c.Closures) > MaxClosures {
		add("closures", "has too many closures: at most "+strconv.Itoa(MaxClosures)+" are allowed")
	}
	if len(c.Terms) > MaxTerms || len(c.Closures) > MaxClosures {
		return errs
	}

	// Terms.
	termOK := make([]bool, len(c.Terms)) // dates valid and in order
	years := map[int]bool{}              // school years with a term
	prev := -1                           // index of the last term with good dates
	for i, t := range c.Terms {
		p := "terms." + strconv.Itoa(i)
		if strings.TrimSpace(t.Name) == "" {
			add(p+".name", "is required")
		} else {
			text(p+".name", t.Name, form.MaxShort)
		}
		text(p+".nameCy", t.NameCy, form.MaxShort)
		okStart := checkDate(&errs, p+".start", t.Start)
		okEnd := checkDate(&errs, p+".end", t.End)
		if !okStart || !okEnd {
			continue
		}
		switch {
		case t.Start.After(t.End):
			add(p+".end", "must not be before the start")
			continue
		case t.End.After(t.Start.AddDays(maxTermDays - 1)):
			add(p+".end", "must be no more than a year after the start")
			continue
		}
		years[schoolYear(t.Start)] = true
		if prev >= 0 {
			pt := c.Terms[prev]
			if !pt.End.Before(t.Start) {
				add(p+".start", "must be after the end of the previous term: terms must be in order and must not overlap")
				continue
			}
			if schoolYear(t.Start) > schoolYear(pt.Start)+1 {
				add(p+".start", "leaves a school year with no terms between this term and the previous one: add that year's terms")
			}
		}
		termOK[i] = true
		prev = i
	}

	// Closures. Whether a closure is outside the terms is not asked when
	// the terms have problems of their own.
	termsOK := !slices.Contains(termOK, false)
	closureOK := make([]bool, len(c.Closures))
	for j, cl := range c.Closures {
		p := "closures." + strconv.Itoa(j)
		text(p+".note", cl.Note, form.MaxShort)
		if !cl.Reason.valid() {
			if cl.Reason == "" {
				add(p+".reason", "is required")
			} else {
				add(p+".reason", "must be one of HALF_TERM, BANK_HOLIDAY, INSET and CLOSURE")
			}
		}
		okFrom := checkDate(&errs, p+".from", cl.From)
		okTo := checkDate(&errs, p+".to", cl.To)
		if !okFrom || !okTo {
			continue
		}
		if cl.From.After(cl.To) {
			add(p+".to", "must not be before the start (from)")
			continue
		}
		closureOK[j] = true
		if termsOK && !closureTouchesTerm(c.Terms, cl) && yearsHaveTerms(years, cl) {
			add(p, "is wholly outside the terms of its school year, so it closes no school day: move it into a term or remove it")
		}
		for k := range j {
			if o := c.Closures[k]; closureOK[k] && o.Reason == cl.Reason && overlaps(o.From, o.To, cl.From, cl.To) {
				add(p, "overlaps another closure with the same reason: join them into one")
				break
			}
		}
	}
	return errs
}

// checkDate adds an error for a missing or impossible date and reports
// whether d is good.
func checkDate(errs *[]cynllun.FieldError, field string, d cynllun.Date) bool {
	msg := ""
	switch {
	case d.IsZero():
		msg = "is required"
	case d.Month < time.January || d.Month > time.December || cynllun.DateOf(d.Time()) != d:
		msg = "must be a real date"
	case d.Year < 1900 || d.Year > 2199:
		msg = "year must be between 1900 and 2199"
	default:
		return true
	}
	*errs = append(*errs, cynllun.FieldError{Field: field, Message: msg})
	return false
}

// closureTouchesTerm reports whether cl shares a day with a term.
func closureTouchesTerm(terms []Term, cl Closure) bool {
	for _, t := range terms {
		if overlaps(t.Start, t.End, cl.From, cl.To) {
			return true
		}
	}
	return false
}

// yearsHaveTerms reports whether any school year that cl has a day in is
// in years.
func yearsHaveTerms(years map[int]bool, cl Closure) bool {
	for y := schoolYear(cl.From); y <= schoolYear(cl.To); y++ {
		if years[y] {
			return true
		}
	}
	return false
}

// overlaps reports whether [a1, a2] and [b1, b2] (inclusive) share a day.
func overlaps(a1, a2, b1, b2 cynllun.Date) bool {
	return !a1.After(b2) && !b1.After(a2)
}

// schoolYear returns the year in which the school year holding d starts:
// a school year runs from 1 August to 31 July.
func schoolYear(d cynllun.Date) int {
	if d.Month < time.August {
		return d.Year - 1
	}
	return d.Year
}

// schoolYearLabel formats the school year starting in y, as "2025-26".
func schoolYearLabel(y int) string {
	return fmt.Sprintf("%d-%02d", y, (y+1)%100)
}

// SchoolYears lists, in order, the school years (1 August to 31 July) in
// which the calendar has a term starting, such as "2025-26"; nil when it
// has no terms. Closures do not count: Covers, too, goes by terms alone.
func (c *Calendar) SchoolYears() []string {
	if c == nil {
		return nil
	}
	var ys []int
	for _, t := range c.Terms {
		ys = append(ys, schoolYear(t.Start))
	}
	slices.Sort(ys)
	ys = slices.Compact(ys)
	var out []string
	for _, y := range ys {
		out = append(out, schoolYearLabel(y))
	}
	return out
}

// Sort puts the calendar in the order the Calendar type documents: terms by
// Start (then End), closures by From, then To, then Reason, then Note. A
// calendar edited by a user should be sorted before it is validated and
// stored.
func (c *Calendar) Sort() {
	slices.SortStableFunc(c.Terms, func(a, b Term) int {
		if n := compare(a.Start, b.Start); n != 0 {
			return n
		}
		return compare(a.End, b.End)
	})
	slices.SortStableFunc(c.Closures, compareClosures)
}

func compareClosures(a, b Closure) int {
	if n := compare(a.From, b.From); n != 0 {
		return n
	}
	if n := compare(a.To, b.To); n != 0 {
		return n
	}
	if n := strings.Compare(string(a.Reason), string(b.Reason)); n != 0 {
		return n
	}
	return strings.Compare(a.Note, b.Note)
}
