package calendar

import (
	"slices"
)

// Effective returns the calendar a school or FEI actually keeps: its local
// authority's default calendar la merged with its own override. Either may
// be nil; both nil gives nil. The inputs are not changed. The rule:
//
//   - A school year runs from 1 August to 31 July, and a term or closure
//     belongs to the school year its first day is in.
//   - For each school year in which the override has a term, the
//     override's terms replace all the LA's terms of that year, and the
//     LA's closures of that year are dropped too: a school that sets its
//     own terms sets that year's half terms with them. LA terms of other
//     years are kept, unless one overlaps an override term (the override
//     wins).
//   - The override's closures are added to the result. This is how a
//     school adds its INSET days (set school by school) to the LA's terms
//     without restating them. Where an override closure overlaps an LA
//     closure with the same reason, the LA's is dropped.
//   - Closures that share no day with a term of the result are left out:
//     they cannot change a school day (an override's INSET days for a year
//     the LA has no dates for yet, say).
//   - Every England and Wales bank holiday in the data that falls inside a
//     term of the result is a BANK_HOLIDAY closure, named as in the data
//     (as in ForLA), unless a BANK_HOLIDAY closure already covers that day.
//   - ID and Name are the override's when it has them, else the LA's;
//     Source is both, joined with "; ".
//   - The result is sorted (see Sort).
//
// Effective does not validate. When both inputs pass Validate, so does
// the result, except when an override has terms for a year the LA's
// calendar does not reach (2027–28 on an LA calendar ending in 2025–26),
// leaving a school year without terms, or when the two together pass
// Validate's limits (MaxTerms, MaxClosures, the length of Source).
// Validate the result before relying on it if that can happen.
func Effective(la, override *Calendar) *Calendar {
	if la == nil && override == nil {
		return nil
	}
	out := &Calendar{}
	var laTerms, oTerms []Term
	var laClosures, oClosures []Closure
	if la != nil {
		out.ID, out.Name, out.Source = la.ID, la.Name, la.Source
		laTerms, laClosures = la.Terms, la.Closures
	}
	if override != nil {
		if override.ID != "" {
			out.ID = override.ID
		}
		if override.Name != "" {
			out.Name = override.Name
		}
		switch {
		case out.Source == "":
			out.Source = override.Source
		case override.Source != "" && override.Source != out.Source:
			out.Source = override.Source + "; " + out.Source
		}
		oTerms, oClosures = override.Terms, override.Closures
	}

	replaced := map[int]bool{}
	for _, t := range oTerms {
		replaced[schoolYear(t.Start)] = true
	}
	out.Terms = slices.Clone(oTerms)
	for _, t := range laTerms {
		if replaced[schoolYear(t.Start)] {
			continue
		}
		if slices.ContainsFunc(oTerms, func(o Term) bool { return overlaps(o.Start, o.End, t.Start, t.End) }) {
			continue
		}
		out.Terms = append(out.Terms, t)
	}

	var closures []Closure
	closures = append(closures, oClosures...)
	for _, cl := range laClosures {
		if replaced[schoolYear(cl.From)] {
			continue
		}
		if slices.ContainsFunc(oClosures, func(o Closure) bool {
			return o.Reason == cl.Reason && overlaps(o.From, o.To, cl.From, cl.To)
		}) {
			continue
		}
		closures = append(closures, cl)
	}
	for _, cl := range closures {
		if !slices.ContainsFunc(out.Terms, func(t Term) bool { return overlaps(t.Start, t.End, cl.From, cl.To) }) {
			continue
		}
		if slices.ContainsFunc(out.Closures, func(o Closure) bool { return o.From == cl.From && o.To == cl.To && o.Reason == cl.Reason }) {
			continue // the same closure twice
		}
		out.Closures = append(out.Closures, cl)
	}
	out.Sort()

	for _, h := range current.Load().holidays {
		if _, ok := out.TermOf(h.Date); !ok {
			continue
		}
		if slices.ContainsFunc(out.Closures, func(o Closure) bool {
			return o.Reason == ReasonBankHoliday && within(h.Date, o.From, o.To)
		}) {
			continue
		}
		out.Closures = append(out.Closures, Closure{From: h.Date, To: h.Date, Reason: ReasonBankHoliday, Note: h.Name})
	}
	out.Sort()
	return out
}
