package ledger

import (
	"slices"
	"testing"
	"time"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/calendar"
)

// FuzzSummarise checks invariants over random windows, rows and sessions
// around the Cardiff 2025–26 calendar (dates from June 2025 to late 2027,
// so windows are sometimes covered by the calendar and sometimes not).
func FuzzSummarise(f *testing.F) {
	f.Add(uint16(92), uint16(109), uint16(0), uint16(300), uint8(1), uint8(1), int8(2), int16(30), true, true, []byte{93, 0, 0, 30, 100, 0, 1, 30})
	f.Add(uint16(183), uint16(48), uint16(94), uint16(600), uint8(0), uint8(2), int8(1), int16(45), true, true, []byte{185, 0, 0, 45, 204, 0, 0, 45})
	f.Add(uint16(218), uint16(196), uint16(0), uint16(0), uint8(2), uint8(4), int8(3), int16(60), true, true, []byte{230, 0, 8, 60})
	f.Add(uint16(218), uint16(196), uint16(0), uint16(0), uint8(2), uint8(4), int8(3), int16(60), false, true, []byte{230, 0, 8, 60})
	f.Add(uint16(337), uint16(6), uint16(0), uint16(0), uint8(0), uint8(0), int8(1), int16(15), true, true, []byte{})
	f.Add(uint16(10), uint16(700), uint16(50), uint16(400), uint8(1), uint8(3), int8(-1), int16(-5), true, false, []byte{1, 1, 255, 200, 2, 2, 3, 0})

	base := cynllun.MustDate("2025-06-01")
	cardiff := calendar.ForLA("W06000015")
	pers := []cynllun.Period{cynllun.PerDay, cynllun.PerWeek, cynllun.PerFortnight, cynllun.PerMonth, cynllun.PerTerm, "YEAR"}

	f.Fuzz(func(t *testing.T, fromOff, span, startOff, endOff uint16, kind, per uint8, n int8, minutes int16, useCal, hasQty bool, data []byte) {
		from := base.AddDays(int(fromOff % 900))
		to := from.AddDays(int(span%500) - 20) // sometimes inverted
		r := &cynllun.ProvisionRow{ID: "R"}
		if startOff%5 != 0 {
			r.StartDate = base.AddDays(int(startOff % 900))
		}
		if endOff%5 != 0 {
			r.ReviewOrEndDate = base.AddDays(int(endOff % 900))
		}
		r.DateKind = cynllun.DateReview
		if kind%2 == 1 {
			r.DateKind = cynllun.DateEnd
		}
		if hasQty {
			r.Quantity = &cynllun.Quantity{Sessions: int(n % 8), MinutesPerSession: int(minutes % 200), Per: pers[int(per)%len(pers)]}
		}
		var cal *calendar.Calendar
		if useCal {
			cal = cardiff
		}
		var sessions []cynllun.Session
		for i := 0; i+4 <= len(data) && len(sessions) < 64; i += 4 {
			off := (int(data[i]) | int(data[i+1])<<8) % 950
			flags := data[i+2]
			e := cynllun.Session{
				RowID:   "R",
				Date:    base.AddDays(off - 20),
				Minutes: int(int8(data[i+3])),
				Status:  cynllun.SessionDelivered,
			}
			if flags&1 != 0 {
				e.Status = cynllun.SessionMissed
			}
			if flags&2 != 0 {
				e.RowID = "OTHER"
			}
			if flags&4 != 0 {
				e.VoidedAt = time.Unix(1, 0)
			}
			if flags&8 != 0 {
				e.Status = "UNKNOWN"
			}
			sessions = append(sessions, e)
		}

		s := Summarise(r, sessions, from, to, cal)

		// Window inside [from, to] (or zero).
		if s.From.IsZero() != s.To.IsZero() {
			t.Fatalf("From %s, To %s: one zero", s.From, s.To)
		}
		if !s.From.IsZero() && (s.From.Before(from) || s.To.After(to) || s.From.After(s.To)) {
			t.Fatalf("window %s–%s not inside %s–%s", s.From, s.To, from, to)
		}
		// Shortfalls never negative, never more than planned.
		if s.ShortfallSessions < 0 || s.ShortfallMinutes < 0 || s.ShortfallSessions > s.Planned || s.ShortfallMinutes > s.PlannedMinutes {
			t.Fatalf("row shortfall %d/%d with planned %d/%d", s.ShortfallSessions, s.ShortfallMinutes, s.Planned, s.PlannedMinutes)
		}
		if !s.PlannedKnown && (s.Planned != 0 || s.PlannedMinutes != 0 || s.Periods != nil) {
			t.Fatalf("planned unknown but %d/%d planned, %d periods", s.Planned, s.PlannedMinutes, len(s.Periods))
		}
		// Periods ordered, not overlapping, inside the window.
		var planned, plannedMin, pDelivered, short int
		for i, p := range s.Periods {
			if p.From.After(p.To) || p.From.Before(s.From) || p.To.After(s.To) {
				t.Fatalf("period %d %s–%s outside window %s–%s", i, p.From, p.To, s.From, s.To)
			}
			if i > 0 && !s.Periods[i-1].To.Before(p.From) {
				t.Fatalf("period %d %s–%s overlaps or precedes %s–%s", i, p.From, p.To, s.Periods[i-1].From, s.Periods[i-1].To)
			}
			if p.ShortfallSessions < 0 || p.ShortfallMinutes < 0 || p.ShortfallSessions > p.Planned || p.ShortfallMinutes > p.PlannedMinutes {
				t.Fatalf("period %d shortfall %d/%d with planned %d/%d", i, p.ShortfallSessions, p.ShortfallMinutes, p.Planned, p.PlannedMinutes)
			}
			if p.Planned != r.Quantity.Sessions || p.PlannedMinutes != r.Quantity.Sessions*r.Quantity.MinutesPerSession {
				t.Fatalf("period %d plans %d/%d, quantity %+v", i, p.Planned, p.PlannedMinutes, *r.Quantity)
			}
			planned += p.Planned
			plannedMin += p.PlannedMinutes
			pDelivered += p.Delivered
			if p.Delivered < p.Planned {
				short++
			}
		}
		if planned != s.Planned || plannedMin != s.PlannedMinutes || short != s.PeriodsShort {
			t.Fatalf("periods sum to %d/%d planned, %d short; row says %d/%d, %d", planned, plannedMin, short, s.Planned, s.PlannedMinutes, s.PeriodsShort)
		}
		if pDelivered > s.Delivered {
			t.Fatalf("periods hold %d delivered, row %d", pDelivered, s.Delivered)
		}
		// Delivered and missed: a recount of the entries that count.
		var delivered, deliveredMin, missed, missedMin int
		for _, e := range sessions {
			if e.RowID != "R" || e.Voided() || s.From.IsZero() || e.Date.Before(s.From) || e.Date.After(s.To) {
				continue
			}
			switch e.Status {
			case cynllun.SessionDelivered:
				delivered++
				deliveredMin += max(0, e.Minutes)
			case cynllun.SessionMissed:
				missed++
				missedMin += max(0, e.Minutes)
			}
		}
		if delivered != s.Delivered || deliveredMin != s.DeliveredMinutes || missed != s.Missed || missedMin != s.MissedMinutes {
			t.Fatalf("recount delivered %d/%d missed %d/%d; got %d/%d, %d/%d", delivered, deliveredMin, missed, missedMin, s.Delivered, s.DeliveredMinutes, s.Missed, s.MissedMinutes)
		}
		if s.PlannedKnown {
			if want := max(0, s.Planned-s.Delivered); s.ShortfallSessions != want {
				t.Fatalf("shortfall %d, want %d", s.ShortfallSessions, want)
			}
		}
		// Warnings once each, in declared order.
		last := -1
		for _, w := range s.Warnings {
			i := slices.Index(warningOrder, w)
			if i <= last {
				t.Fatalf("warnings %v out of order or repeated", s.Warnings)
			}
			last = i
		}
	})
}
