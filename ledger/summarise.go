package ledger

import (
	"sort"
	"time"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/calendar"
)

// Summarise reckons the ledger of one row over the window [from, to]
// (inclusive) from the row's sessions, by the rules in the package
// documentation. Sessions of other rows are ignored, so sessions may be
// all of a plan's. cal may be nil.
func Summarise(row *cynllun.ProvisionRow, sessions []cynllun.Session, from, to cynllun.Date, cal *calendar.Calendar) RowSummary {
	s := RowSummary{RowID: row.ID}
	var warn warnings
	if row.Quantity != nil {
		q := *row.Quantity
		s.Quantity = &q
	}
	q := usable(row.Quantity)
	if q == nil {
		warn.add(WarnNoQuantity)
	}
	if cal != nil {
		s.Basis = BasisTermCalendar
	} else {
		s.Basis = BasisWeekdays
	}

	// Rule 1: the window, clipped to the row's span.
	wf, wt := from, to
	if !row.StartDate.IsZero() && row.StartDate.After(wf) {
		wf = row.StartDate
	}
	if row.DateKind == cynllun.DateEnd && !row.ReviewOrEndDate.IsZero() && row.ReviewOrEndDate.Before(wt) {
		wt = row.ReviewOrEndDate
	}
	if from.IsZero() || to.IsZero() || wf.After(wt) {
		if !from.IsZero() && !to.IsZero() {
			if !row.StartDate.IsZero() && row.StartDate.After(to) {
				warn.add(WarnNotStarted)
			}
			if row.DateKind == cynllun.DateEnd && !row.ReviewOrEndDate.IsZero() && row.ReviewOrEndDate.Before(from) {
				warn.add(WarnEnded)
			}
			for i := range sessions {
				if e := &sessions[i]; counts(e, row) && within(e.Date, from, to) {
					warn.add(WarnOutsideSessions)
				}
			}
		}
		s.PlannedKnown = q != nil
		s.Warnings = warn.list()
		return s
	}
	s.From, s.To = wf, wt

	// Rule 2: the days provision can happen on.
	countable := weekday
	covered := cal != nil
	for d := wf; covered && !d.After(wt); d = d.AddDays(1) {
		covered = cal.Covers(d)
	}
	if covered {
		countable = cal.SchoolDay
	} else {
		s.Basis = BasisWeekdays
		warn.add(WarnNoCalendar)
	}

	// Rule 3: the periods.
	if q != nil {
		s.PlannedKnown = true
		if q.Per == cynllun.PerTerm && s.Basis != BasisTermCalendar {
			s.PlannedKnown = false
			warn.add(WarnTermNeedsCal)
		} else {
			anchor := row.StartDate
			if anchor.IsZero() {
				anchor = from
			}
			for _, p := range spans(q.Per, wf, wt, anchor, cal) {
				pf, pt := later(p[0], wf), earlier(p[1], wt)
				if pf.After(pt) || !anyDay(pf, pt, countable) {
					continue
				}
				s.Periods = append(s.Periods, Period{
					From: pf, To: pt,
					Planned:        q.Sessions,
					PlannedMinutes: q.Sessions * q.MinutesPerSession,
				})
			}
		}
	}

	// Rule 4: the entries.
	for i := range sessions {
		e := &sessions[i]
		if !counts(e, row) {
			continue
		}
		if !within(e.Date, wf, wt) {
			if within(e.Date, from, to) {
				warn.add(WarnOutsideSessions)
			}
			continue
		}
		mins := max(0, e.Minutes)
		var p *Period
		if j := sort.Search(len(s.Periods), func(j int) bool { return !s.Periods[j].To.Before(e.Date) }); j < len(s.Periods) && !s.Periods[j].From.After(e.Date) {
			p = &s.Periods[j]
		}
		switch e.Status {
		case cynllun.SessionDelivered:
			s.Delivered++
			s.DeliveredMinutes += mins
			if p != nil {
				p.Delivered++
				p.DeliveredMinutes += mins
			}
		case cynllun.SessionMissed:
			s.Missed++
			s.MissedMinutes += mins
			if p != nil {
				p.Missed++
				p.MissedMinutes += mins
			}
		}
	}

	// Rule 5: shortfalls.
	for i := range s.Periods {
		p := &s.Periods[i]
		p.ShortfallSessions = max(0, p.Planned-p.Delivered)
		p.ShortfallMinutes = max(0, p.PlannedMinutes-p.DeliveredMinutes)
		s.Planned += p.Planned
		s.PlannedMinutes += p.PlannedMinutes
		if p.Delivered < p.Planned {
			s.PeriodsShort++
		}
	}
	if s.PlannedKnown {
		s.ShortfallSessions = max(0, s.Planned-s.Delivered)
		s.ShortfallMinutes = max(0, s.PlannedMinutes-s.DeliveredMinutes)
	}
	s.Warnings = warn.list()
	return s
}

// SummarisePlan summarises each of rows over [from, to], in row order,
// each with the sessions whose RowID is the row's ID.
func SummarisePlan(rows []cynllun.ProvisionRow, sessions []cynllun.Session, from, to cynllun.Date, cal *calendar.Calendar) []RowSummary {
	byRow := map[string][]cynllun.Session{}
	for _, e := range sessions {
		byRow[e.RowID] = append(byRow[e.RowID], e)
	}
	out := make([]RowSummary, len(rows))
	for i := range rows {
		out[i] = Summarise(&rows[i], byRow[rows[i].ID], from, to, cal)
	}
	return out
}

// usable returns q when it can plan anything: a known period and no
// negative numbers. Otherwise nil, as if the row had no quantity.
func usable(q *cynllun.Quantity) *cynllun.Quantity {
	if q == nil || q.Sessions < 0 || q.MinutesPerSession < 0 {
		return nil
	}
	switch q.Per {
	case cynllun.PerDay, cynllun.PerWeek, cynllun.PerFortnight, cynllun.PerMonth, cynllun.PerTerm:
		return q
	}
	return nil
}

// counts reports whether e is a live entry of row that says something: not
// voided, the row's, delivered or missed.
func counts(e *cynllun.Session, row *cynllun.ProvisionRow) bool {
	return e.RowID == row.ID && !e.Voided() &&
		(e.Status == cynllun.SessionDelivered || e.Status == cynllun.SessionMissed)
}

// spans returns, in order, the whole periods of kind per that meet
// [wf, wt], before clipping. anchor fixes the fortnights.
func spans(per cynllun.Period, wf, wt, anchor cynllun.Date, cal *calendar.Calendar) [][2]cynllun.Date {
	var out [][2]cynllun.Date
	step := func(start cynllun.Date, next func(cynllun.Date) cynllun.Date) {
		for p := start; !p.After(wt); p = next(p) {
			out = append(out, [2]cynllun.Date{p, next(p).AddDays(-1)})
		}
	}
	switch per {
	case cynllun.PerDay:
		step(wf, func(d cynllun.Date) cynllun.Date { return d.AddDays(1) })
	case cynllun.PerWeek:
		step(monday(wf), func(d cynllun.Date) cynllun.Date { return d.AddDays(7) })
	case cynllun.PerFortnight:
		a := monday(anchor)
		k := floorDiv(daysBetween(a, wf), 14)
		step(a.AddDays(14*k), func(d cynllun.Date) cynllun.Date { return d.AddDays(14) })
	case cynllun.PerMonth:
		step(cynllun.Date{Year: wf.Year, Month: wf.Month, Day: 1}, func(d cynllun.Date) cynllun.Date {
			return cynllun.DateOf(d.Time().AddDate(0, 1, 0))
		})
	case cynllun.PerTerm:
		for _, t := range cal.TermsOverlapping(wf, wt) {
			out = append(out, [2]cynllun.Date{t.Start, t.End})
		}
	}
	return out
}

// warnings collects warning codes once each, listed in a fixed order.
type warnings map[string]bool

var warningOrder = []string{WarnNoQuantity, WarnNoCalendar, WarnTermNeedsCal, WarnNotStarted, WarnEnded, WarnOutsideSessions}

func (w *warnings) add(code string) {
	if *w == nil {
		*w = warnings{}
	}
	(*w)[code] = true
}

func (w warnings) list() []string {
	var out []string
	for _, c := range warningOrder {
		if w[c] {
			out = append(out, c)
		}
	}
	return out
}

func weekday(d cynllun.Date) bool {
	wd := d.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

func anyDay(from, to cynllun.Date, ok func(cynllun.Date) bool) bool {
	for d := from; !d.After(to); d = d.AddDays(1) {
		if ok(d) {
			return true
		}
	}
	return false
}

func within(d, from, to cynllun.Date) bool { return !d.Before(from) && !d.After(to) }

func later(a, b cynllun.Date) cynllun.Date {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b cynllun.Date) cynllun.Date {
	if a.Before(b) {
		return a
	}
	return b
}

// monday returns the Monday of the Monday-to-Sunday week containing d.
func monday(d cynllun.Date) cynllun.Date {
	return d.AddDays(-((int(d.Weekday()) + 6) % 7))
}

func daysBetween(a, b cynllun.Date) int {
	return int(b.Time().Sub(a.Time()) / (24 * time.Hour))
}

func floorDiv(a, b int) int {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}
