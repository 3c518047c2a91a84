package cynllun

import "testing"

func TestCurrentReviewPeriod(t *testing.T) {
	d := MustDate
	first := d("2025-09-08")
	ev := func(on string, b ReviewPeriodBasis, id string) PeriodEvent {
		return PeriodEvent{On: d(on), Basis: b, ReviewID: id}
	}
	for _, tt := range []struct {
		name       string
		events     []PeriodEvent
		today      string
		start, end string
		basis      ReviewPeriodBasis
		review     string
	}{
		{"first period", nil, "2026-01-10", "2025-09-08", "2026-09-07", PeriodFirstGiven, ""},
		{"last day of the first period", nil, "2026-09-07", "2025-09-08", "2026-09-07", PeriodFirstGiven, ""},
		// No document in the first period: the next starts the day after it ended (s.23(5)).
		{"rolled over", nil, "2026-09-08", "2026-09-08", "2027-09-07", PeriodRolledOver, ""},
		{"rolled over twice", nil, "2028-01-01", "2027-09-08", "2028-09-07", PeriodRolledOver, ""},
		{"no revision notice", []PeriodEvent{ev("2026-06-15", PeriodNoRevision, "r1")}, "2026-07-01", "2026-06-15", "2027-06-14", PeriodNoRevision, "r1"},
		{"revised plan", []PeriodEvent{ev("2026-06-15", PeriodRevisedPlan, "r1")}, "2026-06-15", "2026-06-15", "2027-06-14", PeriodRevisedPlan, "r1"},
		{"a decision after today does not count yet", []PeriodEvent{ev("2026-06-15", PeriodRevisedPlan, "r1")}, "2026-06-14", "2025-09-08", "2026-09-07", PeriodFirstGiven, ""},
		{"two reviews, in any order", []PeriodEvent{ev("2027-03-01", PeriodNoRevision, "r2"), ev("2026-06-15", PeriodRevisedPlan, "r1")}, "2027-04-01", "2027-03-01", "2028-02-29", PeriodNoRevision, "r2"},
		{"two reviews in one period: the later one starts the current period", []PeriodEvent{ev("2026-01-10", PeriodNoRevision, "r1"), ev("2026-02-10", PeriodRevisedPlan, "r2")}, "2026-03-01", "2026-02-10", "2027-02-09", PeriodRevisedPlan, "r2"},
		{"a review in a rolled-over period", []PeriodEvent{ev("2026-10-01", PeriodNoRevision, "r1")}, "2026-12-01", "2026-10-01", "2027-09-30", PeriodNoRevision, "r1"},
		{"a decision before the plan was given is ignored", []PeriodEvent{ev("2025-01-01", PeriodNoRevision, "r0")}, "2025-10-01", "2025-09-08", "2026-09-07", PeriodFirstGiven, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, ok := CurrentReviewPeriod(first, tt.events, d(tt.today))
			if !ok || p.Start != d(tt.start) || p.End != d(tt.end) || p.Basis != tt.basis || p.ReviewID != tt.review {
				t.Errorf("got %v %v (%s, %s), want %s–%s %s %s", p.Start, p.End, p.Basis, p.ReviewID, tt.start, tt.end, tt.basis, tt.review)
			}
		})
	}
	if _, ok := CurrentReviewPeriod(Date{}, nil, d("2026-01-01")); ok {
		t.Error("a plan never given has a review period")
	}
}

func FuzzCurrentReviewPeriod(f *testing.F) {
	f.Add(20000, 100, 400, 900)
	f.Fuzz(func(t *testing.T, firstDay, ev1, ev2, todayDay int) {
		base := MustDate("1990-01-01")
		if firstDay < 0 || firstDay > 60000 || todayDay < 0 || todayDay > 5000 || ev1 < -400 || ev1 > 5000 || ev2 < -400 || ev2 > 5000 {
			return
		}
		first := base.AddDays(firstDay)
		today := first.AddDays(todayDay)
		events := []PeriodEvent{{On: first.AddDays(ev1), Basis: PeriodNoRevision}, {On: first.AddDays(ev2), Basis: PeriodRevisedPlan}}
		p, ok := CurrentReviewPeriod(first, events, today)
		if !ok {
			t.Fatal("no period")
		}
		if today.Before(p.Start) || today.After(p.End) {
			t.Fatalf("today %v outside the period %v–%v", today, p.Start, p.End)
		}
		if p.End != p.Start.AddYears(1).AddDays(-1) {
			t.Fatalf("period %v–%v is not 12 months", p.Start, p.End)
		}
	})
}
