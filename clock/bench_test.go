package clock

import (
	"testing"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/calendar"
)

// BenchmarkComputeSchoolDays: T1's 35 school days across Christmas on the
// embedded Cardiff 2025–26 calendar, with every day's step.
func BenchmarkComputeSchoolDays(b *testing.B) {
	cal := calendar.ForLA("W06000015")
	rule, _ := RuleByID("T1")
	start := cynllun.MustDate("2025-11-20")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compute(rule, start, cal, DefaultSettings()); err != nil {
			b.Fatal(err)
		}
	}
}
