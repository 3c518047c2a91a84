package clock

import (
	"regexp"
	"testing"

	"github.com/cynllun/cynllun/form"
)

// markers are what the research notes carry and readers must not see
// (issue 18): evidence tags, source ids, configuration names.
var markers = regexp.MustCompile(`\[|\]|seed S\d|Nodi \d|settings\.|deployment`)

// TestPlainWords computes every rule, under every counting setting and
// with an override where one may be set, and reads every sentence of the
// explanation and the assumptions, and the words for a clock with no due
// date, in both languages: no markers, and Welsh for every English.
func TestPlainWords(t *testing.T) {
	cal := testCalendar(true)
	settings := []Settings{DefaultSettings(), {TriggerDayNotCounted: true, InsetDaysCount: true, ClosuresCount: true, WeeksEndSameWeekday: true}}
	check := func(where string, ts ...form.Text) {
		t.Helper()
		for _, tx := range ts {
			if tx.EN == "" || tx.CY == "" || tx.EN == tx.CY {
				t.Errorf("%s: %q / %q lacks its Welsh", where, tx.EN, tx.CY)
			}
			for _, s := range []string{tx.EN, tx.CY} {
				if m := markers.FindString(s); m != "" {
					t.Errorf("%s: %q in %q", where, m, s)
				}
			}
		}
	}
	computed := 0
	for _, r := range Rules() {
		check(r.ID+" no due date", NoDueText(r))
		for _, s := range settings {
			if r.Overridable {
				s.Overrides = map[string]Override{r.ID: {Amount: 7, Unit: UnitWeeks, Basis: "the authority's policy"}}
			}
			res, err := Compute(r, d("2026-10-05"), cal, s)
			if err != nil {
				continue // no limit to compute (T20): NoDueText says why
			}
			computed++
			check(r.ID+" explanation", res.Explanation...)
			check(r.ID+" assumptions", res.Assumptions...)
			for _, st := range res.Steps {
				if st.Note.EN != "" {
					check(r.ID+" step "+st.Date.String(), st.Note)
				}
			}
		}
	}
	if computed < 30 {
		t.Errorf("only %d computations: the test reads too little", computed)
	}
}
