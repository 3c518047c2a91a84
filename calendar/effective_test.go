package calendar

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestEffective(t *testing.T) {
	la := ForLA(cardiff)
	laSource := la.Source

	// A school restating 2025–26: an earlier autumn half term and its own
	// INSET days.
	school2025 := &Calendar{
		ID: "school-6812345", Name: "Ysgol Gynradd Enghraifft", Source: "school",
		Terms: []Term{
			{Name: "Autumn term", NameCy: "Tymor yr Hydref", Start: d("2025-09-01"), End: d("2025-12-19")},
			{Name: "Spring term", NameCy: "Tymor y Gwanwyn", Start: d("2026-01-05"), End: d("2026-03-27")},
			{Name: "Summer term", NameCy: "Tymor yr Haf", Start: d("2026-04-13"), End: d("2026-07-20")},
		},
		Closures: []Closure{
			{From: d("2025-10-20"), To: d("2025-10-24"), Reason: ReasonHalfTerm, Note: "Half term"},
			{From: d("2025-09-01"), To: d("2025-09-01"), Reason: ReasonINSET, Note: "INSET"},
			{From: d("2025-10-10"), To: d("2025-10-10"), Reason: ReasonINSET, Note: "INSET"},
			{From: d("2026-02-16"), To: d("2026-02-20"), Reason: ReasonHalfTerm, Note: "Half term"},
			{From: d("2026-05-25"), To: d("2026-05-29"), Reason: ReasonHalfTerm, Note: "Half term"},
		},
	}
	// A school adding INSET days only; one in a year the LA has no dates for.
	insetOnly := &Calendar{
		ID: "school-6812345", Source: "school",
		Closures: []Closure{
			{From: d("2025-10-10"), To: d("2025-10-10"), Reason: ReasonINSET},
			{From: d("2025-09-01"), To: d("2025-09-01"), Reason: ReasonINSET},
			{From: d("2026-09-01"), To: d("2026-09-01"), Reason: ReasonINSET},
		},
	}
	// A school's own 2026–27 dates.
	school2026 := &Calendar{
		ID: "school-6812345", Name: "Ysgol Gynradd Enghraifft",
		Terms: []Term{
			{Name: "Autumn term", Start: d("2026-09-01"), End: d("2026-12-18")},
			{Name: "Spring term", Start: d("2027-01-04"), End: d("2027-03-19")},
			{Name: "Summer term", Start: d("2027-04-05"), End: d("2027-07-20")},
		},
		Closures: []Closure{
			{From: d("2026-09-01"), To: d("2026-09-01"), Reason: ReasonINSET},
			{From: d("2027-05-31"), To: d("2027-06-04"), Reason: ReasonHalfTerm},
		},
	}
	// An LA calendar with a closure the school's overlaps.
	laClosed := ForLA(cardiff)
	laClosed.Closures = append(laClosed.Closures, Closure{From: d("2025-11-11"), To: d("2025-11-11"), Reason: ReasonClosure, Note: "LA"})
	schoolClosed := &Calendar{Closures: []Closure{
		{From: d("2025-11-10"), To: d("2025-11-12"), Reason: ReasonClosure, Note: "school"},
		{From: d("2025-11-11"), To: d("2025-11-11"), Reason: ReasonINSET}, // another reason: kept with it
	}}
	// A school whose bank-holiday closure already covers 4 May 2026.
	schoolBH := &Calendar{Closures: []Closure{{From: d("2026-05-04"), To: d("2026-05-05"), Reason: ReasonBankHoliday, Note: "long weekend"}}}

	bh := func(date, name string) Closure {
		return Closure{From: d(date), To: d(date), Reason: ReasonBankHoliday, Note: name}
	}
	may4, may25 := bh("2026-05-04", "Early May bank holiday"), bh("2026-05-25", "Spring bank holiday")

	for _, tc := range []struct {
		name        string
		la, school  *Calendar
		want        *Calendar
		wantInvalid bool // the result fails Validate
	}{
		{"both nil", nil, nil, nil, false},
		{"LA alone is the LA's calendar", la, nil, ForLA(cardiff), false},
		{"school restates 2025-26", la, school2025, &Calendar{
			ID: "school-6812345", Name: "Ysgol Gynradd Enghraifft", Source: "school; " + laSource,
			Terms: school2025.Terms,
			Closures: []Closure{
				{From: d("2025-09-01"), To: d("2025-09-01"), Reason: ReasonINSET, Note: "INSET"},
				{From: d("2025-10-10"), To: d("2025-10-10"), Reason: ReasonINSET, Note: "INSET"},
				{From: d("2025-10-20"), To: d("2025-10-24"), Reason: ReasonHalfTerm, Note: "Half term"},
				// The LA's 27–31 October half term is gone.
				{From: d("2026-02-16"), To: d("2026-02-20"), Reason: ReasonHalfTerm, Note: "Half term"},
				may4, may25,
				{From: d("2026-05-25"), To: d("2026-05-29"), Reason: ReasonHalfTerm, Note: "Half term"},
			},
		}, false},
		{"school adds INSET days", la, insetOnly, &Calendar{
			ID: "school-6812345", Name: "Cardiff", Source: "school; " + laSource,
			Terms: la.Terms,
			Closures: []Closure{
				{From: d("2025-09-01"), To: d("2025-09-01"), Reason: ReasonINSET},
				{From: d("2025-10-10"), To: d("2025-10-10"), Reason: ReasonINSET},
				la.Closures[0], la.Closures[1], la.Closures[2], la.Closures[3], la.Closures[4],
				// 1 September 2026 is left out: the LA has no terms then.
			},
		}, false},
		{"school's own dates for the next year", la, school2026, &Calendar{
			ID: "school-6812345", Name: "Ysgol Gynradd Enghraifft", Source: laSource,
			Terms: append(append([]Term{}, la.Terms...), school2026.Terms...),
			Closures: append(append([]Closure{}, la.Closures...),
				Closure{From: d("2026-09-01"), To: d("2026-09-01"), Reason: ReasonINSET},
				bh("2027-05-03", "Early May bank holiday"),
				bh("2027-05-31", "Spring bank holiday"),
				Closure{From: d("2027-05-31"), To: d("2027-06-04"), Reason: ReasonHalfTerm},
			),
		}, false},
		{"school alone gets its bank holidays", nil, school2025, &Calendar{
			ID: school2025.ID, Name: school2025.Name, Source: "school",
			Terms: school2025.Terms,
			Closures: []Closure{
				school2025.Closures[1], school2025.Closures[2], school2025.Closures[0], school2025.Closures[3],
				may4, may25, school2025.Closures[4],
			},
		}, false},
		{"school alone without terms is empty", nil, insetOnly, &Calendar{ID: "school-6812345", Source: "school"}, false},
		{"a school closure replaces an overlapping LA closure of the same reason", laClosed, schoolClosed, &Calendar{
			ID: la.ID, Name: la.Name, Source: laSource, Terms: la.Terms,
			Closures: []Closure{
				la.Closures[0],
				{From: d("2025-11-10"), To: d("2025-11-12"), Reason: ReasonClosure, Note: "school"},
				{From: d("2025-11-11"), To: d("2025-11-11"), Reason: ReasonINSET},
				la.Closures[1], la.Closures[2], la.Closures[3], la.Closures[4],
			},
		}, false},
		{"a bank-holiday closure covering the day is not doubled", la, schoolBH, &Calendar{
			ID: la.ID, Name: la.Name, Source: laSource, Terms: la.Terms,
			Closures: []Closure{
				la.Closures[0], la.Closures[1],
				{From: d("2026-05-04"), To: d("2026-05-05"), Reason: ReasonBankHoliday, Note: "long weekend"},
				la.Closures[3], la.Closures[4],
			},
		}, false},
		{"a year without terms between the LA's and the school's", la, &Calendar{Terms: []Term{
			{Name: "Autumn term", Start: d("2027-09-01"), End: d("2027-12-17")},
		}}, &Calendar{
			ID: la.ID, Name: la.Name, Source: laSource,
			Terms:    append(append([]Term{}, la.Terms...), Term{Name: "Autumn term", Start: d("2027-09-01"), End: d("2027-12-17")}),
			Closures: la.Closures,
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := []*Calendar{copyOf(tc.la), copyOf(tc.school)}
			got := Effective(tc.la, tc.school)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Effective (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(before, []*Calendar{tc.la, tc.school}); diff != "" {
				t.Errorf("Effective changed its inputs (-before +after):\n%s", diff)
			}
			if got == nil {
				return
			}
			if errs := Validate(got); (errs != nil) != tc.wantInvalid {
				t.Errorf("Validate(result) = %v; want errors: %v", errs, tc.wantInvalid)
			}
			// The result is the caller's own.
			if len(got.Terms) > 0 {
				got.Terms[0].Name = "changed"
				if tc.la != nil && tc.la.Terms[0].Name == "changed" || tc.school != nil && len(tc.school.Terms) > 0 && tc.school.Terms[0].Name == "changed" {
					t.Error("the result shares its terms with an input")
				}
			}
		})
	}
}

// The school's INSET days make school days of the LA's calendar into
// non-school days; its earlier half term moves the week off.
func TestEffectiveSchoolDays(t *testing.T) {
	la := ForLA(cardiff)
	school := &Calendar{
		Terms: la.Terms,
		Closures: []Closure{
			{From: d("2025-10-20"), To: d("2025-10-24"), Reason: ReasonHalfTerm},
			{From: d("2025-09-01"), To: d("2025-09-01"), Reason: ReasonINSET},
		},
	}
	eff := Effective(la, school)
	for _, tc := range []struct {
		date      string
		la, merge bool
	}{
		{"2025-09-01", true, false}, // INSET day
		{"2025-09-02", true, true},
		{"2025-10-20", true, false}, // the school's half term
		{"2025-10-27", false, true}, // the LA's half term: the school is open
		{"2026-02-16", false, true}, // the school did not restate the spring half term
		{"2026-05-04", false, false},
	} {
		if got := la.SchoolDay(d(tc.date)); got != tc.la {
			t.Errorf("LA SchoolDay(%s) = %v", tc.date, got)
		}
		if got := eff.SchoolDay(d(tc.date)); got != tc.merge {
			t.Errorf("effective SchoolDay(%s) = %v, want %v", tc.date, got, tc.merge)
		}
	}
}

func copyOf(c *Calendar) *Calendar {
	if c == nil {
		return nil
	}
	return c.clone()
}
