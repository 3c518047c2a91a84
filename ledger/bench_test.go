package ledger

import (
	"testing"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/calendar"
)

// BenchmarkSummarisePlan: a plan of five rows (daily, weekly, fortnightly,
// monthly, termly) over the 2025-26 school year on the Cardiff calendar,
// with a session recorded for every planned one and one in ten missed.
func BenchmarkSummarisePlan(b *testing.B) {
	cal := calendar.ForLA("W06000015")
	from, to := cynllun.MustDate("2025-09-01"), cynllun.MustDate("2026-07-20")
	pers := []cynllun.Period{cynllun.PerDay, cynllun.PerWeek, cynllun.PerFortnight, cynllun.PerMonth, cynllun.PerTerm}
	var rows []cynllun.ProvisionRow
	var sessions []cynllun.Session
	for i, per := range pers {
		id := string(rune('a' + i))
		rows = append(rows, cynllun.ProvisionRow{ID: id, StartDate: from, Quantity: &cynllun.Quantity{MinutesPerSession: 30, Sessions: 1, Per: per, GroupSize: 1}})
		n := 0
		for d := from; !d.After(to); d = d.AddDays(1) {
			if !cal.SchoolDay(d) {
				continue
			}
			st := cynllun.SessionDelivered
			if n%10 == 9 {
				st = cynllun.SessionMissed
			}
			sessions = append(sessions, cynllun.Session{RowID: id, Date: d, Minutes: 30, Status: st})
			n++
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if out := SummarisePlan(rows, sessions, from, to, cal); len(out) != len(rows) {
			b.Fatal(len(out))
		}
	}
	b.ReportMetric(float64(len(sessions)), "sessions")
}
