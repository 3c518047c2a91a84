package calendar

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cynllun/cynllun"
)

// schoolCalendar is a valid calendar of a school in 2025–26.
func schoolCalendar() *Calendar {
	return &Calendar{
		ID:     "school-6812345",
		Name:   "Ysgol Gynradd Enghraifft",
		Source: "the school's published term dates",
		Terms: []Term{
			{Name: "Autumn term", NameCy: "Tymor yr Hydref", Start: d("2025-09-01"), End: d("2025-12-19")},
			{Name: "Spring term", NameCy: "Tymor y Gwanwyn", Start: d("2026-01-05"), End: d("2026-03-27")},
			{Name: "Summer term", Start: d("2026-04-13"), End: d("2026-07-20")}, // no Welsh name: optional
		},
		Closures: []Closure{
			{From: d("2025-09-01"), To: d("2025-09-01"), Reason: ReasonINSET, Note: "INSET day"},
			{From: d("2025-10-27"), To: d("2025-10-31"), Reason: ReasonHalfTerm, Note: "Autumn half term"},
			{From: d("2026-02-16"), To: d("2026-02-20"), Reason: ReasonHalfTerm},
			{From: d("2026-05-04"), To: d("2026-05-04"), Reason: ReasonBankHoliday, Note: "Early May bank holiday"},
			{From: d("2026-05-25"), To: d("2026-05-25"), Reason: ReasonBankHoliday, Note: "Spring bank holiday"},
			{From: d("2026-05-25"), To: d("2026-05-29"), Reason: ReasonHalfTerm, Note: "Summer half term"},
			{From: d("2026-07-20"), To: d("2026-07-20"), Reason: ReasonClosure, Note: "Polling day; school used as a polling station"},
		},
	}
}

// yearsOfTerms returns n school years of three terms from 2025–26 on.
func yearsOfTerms(n int) []Term {
	var ts []Term
	for y := 2025; y < 2025+n; y++ {
		ts = append(ts,
			Term{Name: "Autumn", Start: cynllun.Date{Year: y, Month: 9, Day: 1}, End: cynllun.Date{Year: y, Month: 12, Day: 19}},
			Term{Name: "Spring", Start: cynllun.Date{Year: y + 1, Month: 1, Day: 5}, End: cynllun.Date{Year: y + 1, Month: 3, Day: 27}},
			Term{Name: "Summer", Start: cynllun.Date{Year: y + 1, Month: 4, Day: 13}, End: cynllun.Date{Year: y + 1, Month: 7, Day: 20}})
	}
	return ts
}

// oneDayClosures returns n one-day INSET closures on the first n school
// days of yearsOfTerms(20).
func oneDayClosures(n int) []Closure {
	var cs []Closure
	c := &Calendar{Terms: yearsOfTerms(20)}
	for day := d("2025-09-01"); len(cs) < n; day = day.AddDays(1) {
		if c.SchoolDay(day) {
			cs = append(cs, Closure{From: day, To: day, Reason: ReasonINSET})
		}
	}
	return cs
}

func TestValidate(t *testing.T) {
	long := strings.Repeat("ŵ", 201) // 201 characters (402 bytes)
	for _, tc := range []struct {
		name   string
		change func(c *Calendar)
		want   []string // "field: part of the message"; nil for valid
	}{
		{"valid", func(c *Calendar) {}, nil},
		{"no ID, name or source is fine", func(c *Calendar) { c.ID, c.Name, c.Source = "", "", "" }, nil},
		{"closures in any order", func(c *Calendar) {
			c.Closures[0], c.Closures[6] = c.Closures[6], c.Closures[0]
		}, nil},
		{"name of 200 characters", func(c *Calendar) { c.Terms[0].Name = long[:400] }, nil},

		// Text.
		{"term name missing", func(c *Calendar) { c.Terms[1].Name = "" }, []string{"terms.1.name: is required"}},
		{"term name only spaces", func(c *Calendar) { c.Terms[1].Name = "  \t " }, []string{"terms.1.name: is required"}},
		{"term name too long", func(c *Calendar) { c.Terms[0].Name = long }, []string{"terms.0.name: at most 200 characters"}},
		{"term name control character", func(c *Calendar) { c.Terms[0].Name = "Autumn\x00" }, []string{"terms.0.name: control character"}},
		{"term name line break", func(c *Calendar) { c.Terms[0].Name = "Autumn\nterm" }, []string{"terms.0.name: single line"}},
		{"term name not UTF-8", func(c *Calendar) { c.Terms[0].Name = "Autumn \xff" }, []string{"terms.0.name: UTF-8"}},
		{"Welsh name too long", func(c *Calendar) { c.Terms[0].NameCy = long }, []string{"terms.0.nameCy: at most 200 characters"}},
		{"Welsh name control character", func(c *Calendar) { c.Terms[0].NameCy = "Tymor\x7f" }, []string{"terms.0.nameCy: control character"}},
		{"note too long", func(c *Calendar) { c.Closures[1].Note = long }, []string{"closures.1.note: at most 200 characters"}},
		{"note control character", func(c *Calendar) { c.Closures[1].Note = "a\x1bb" }, []string{"closures.1.note: control character"}},
		{"calendar name too long", func(c *Calendar) { c.Name = long }, []string{"name: at most 200 characters"}},
		{"calendar id control character", func(c *Calendar) { c.ID = "a\tb" }, []string{"id: single line"}},
		{"source too long", func(c *Calendar) { c.Source = strings.Repeat("x", 2001) }, []string{"source: at most 2000 characters"}},

		// Dates.
		{"term start missing", func(c *Calendar) { c.Terms[0].Start = cynllun.Date{} }, []string{"terms.0.start: is required"}},
		{"term end not a real date", func(c *Calendar) { c.Terms[1].End = cynllun.Date{Year: 2026, Month: 2, Day: 30} },
			[]string{"terms.1.end: real date"}},
		{"term end month 13", func(c *Calendar) { c.Terms[1].End = cynllun.Date{Year: 2026, Month: 13, Day: 1} },
			[]string{"terms.1.end: real date"}},
		{"year before 1900", func(c *Calendar) {
			c.Terms = []Term{{Name: "Old", Start: cynllun.Date{Year: 1899, Month: 9, Day: 1}, End: d("1900-07-20")}}
			c.Closures = nil
		}, []string{"terms.0.start: between 1900 and 2199"}},
		{"year after 2199", func(c *Calendar) { c.Closures[0].To = cynllun.Date{Year: 2200, Month: 1, Day: 1} },
			[]string{"closures.0.to: between 1900 and 2199"}},
		{"term starts after its end", func(c *Calendar) { c.Terms[0].Start, c.Terms[0].End = c.Terms[0].End, c.Terms[0].Start },
			[]string{"terms.0.end: must not be before the start"}},
		{"one-day term is fine", func(c *Calendar) { c.Terms[2].End = c.Terms[2].Start; c.Closures = c.Closures[:3] }, nil},
		{"term longer than a year", func(c *Calendar) { c.Terms = c.Terms[:1]; c.Terms[0].End = d("2026-09-02"); c.Closures = nil },
			[]string{"terms.0.end: no more than a year"}},
		{"term of a year", func(c *Calendar) { c.Terms = c.Terms[:1]; c.Terms[0].End = d("2026-09-01"); c.Closures = nil }, nil},

		// Order of terms.
		{"terms out of order", func(c *Calendar) { c.Terms[1], c.Terms[2] = c.Terms[2], c.Terms[1] },
			[]string{"terms.2.start: must be after the end of the previous term"}},
		{"terms overlap", func(c *Calendar) { c.Terms[1].Start = d("2025-12-19") },
			[]string{"terms.1.start: must not overlap"}},
		{"terms on consecutive days are fine", func(c *Calendar) { c.Terms[1].Start = d("2025-12-20") }, nil},
		{"a school year without terms", func(c *Calendar) {
			c.Terms = append(c.Terms, Term{Name: "Autumn term", Start: d("2027-09-01"), End: d("2027-12-17")})
		}, []string{"terms.3.start: leaves a school year with no terms"}},
		{"the next school year is fine", func(c *Calendar) {
			c.Terms = append(c.Terms, Term{Name: "Autumn term", Start: d("2026-09-01"), End: d("2026-12-18")})
		}, nil},

		// Closures.
		{"closure from after to", func(c *Calendar) { c.Closures[1].From = d("2025-11-03") },
			[]string{"closures.1.to: must not be before"}},
		{"closure date missing", func(c *Calendar) { c.Closures[1].From = cynllun.Date{} },
			[]string{"closures.1.from: is required"}},
		{"closure reason unknown", func(c *Calendar) { c.Closures[1].Reason = "HOLIDAY" },
			[]string{"closures.1.reason: must be one of HALF_TERM, BANK_HOLIDAY, INSET and CLOSURE"}},
		{"closure reason missing", func(c *Calendar) { c.Closures[1].Reason = "" },
			[]string{"closures.1.reason: is required"}},
		{"closure reason in lower case", func(c *Calendar) { c.Closures[1].Reason = "half_term" },
			[]string{"closures.1.reason: must be one of"}},
		{"closure wholly between terms", func(c *Calendar) {
			c.Closures = append(c.Closures, Closure{From: d("2025-12-22"), To: d("2026-01-02"), Reason: ReasonClosure})
		}, []string{"closures.7: wholly outside the terms"}},
		{"closure in the summer holiday", func(c *Calendar) {
			c.Closures = append(c.Closures, Closure{From: d("2026-07-21"), To: d("2026-07-31"), Reason: ReasonClosure})
		}, []string{"closures.7: wholly outside the terms"}},
		{"closure overlapping the start of a term is fine", func(c *Calendar) {
			c.Closures = append(c.Closures, Closure{From: d("2025-12-22"), To: d("2026-01-06"), Reason: ReasonClosure, Note: "Boiler"})
		}, nil},
		{"closure in a school year without terms is an override's", func(c *Calendar) {
			c.Closures = append(c.Closures, Closure{From: d("2026-09-01"), To: d("2026-09-01"), Reason: ReasonINSET})
		}, nil},
		{"closures only (an override)", func(c *Calendar) { c.Terms = nil }, nil},
		{"closures overlap with the same reason", func(c *Calendar) {
			c.Closures = append(c.Closures, Closure{From: d("2025-10-31"), To: d("2025-11-03"), Reason: ReasonHalfTerm})
		}, []string{"closures.7: overlaps another closure with the same reason"}},
		{"the same closure twice", func(c *Calendar) { c.Closures = append(c.Closures, c.Closures[0]) },
			[]string{"closures.7: overlaps another closure"}},
		{"closures overlap with different reasons", func(c *Calendar) {
			c.Closures = append(c.Closures, Closure{From: d("2025-10-27"), To: d("2025-10-27"), Reason: ReasonINSET})
		}, nil},

		// Limits.
		{"60 terms", func(c *Calendar) { c.Terms = yearsOfTerms(20); c.Closures = nil }, nil},
		{"61 terms", func(c *Calendar) {
			c.Terms = append(yearsOfTerms(20), Term{Name: "Extra", Start: d("2045-09-01"), End: d("2045-12-19")})
			c.Terms[0].Name = "" // not checked when there are too many
		}, []string{"terms: at most 60"}},
		{"400 closures", func(c *Calendar) { c.Terms = yearsOfTerms(20); c.Closures = oneDayClosures(400) }, nil},
		{"401 closures", func(c *Calendar) { c.Terms = yearsOfTerms(20); c.Closures = oneDayClosures(401) },
			[]string{"closures: at most 400"}},

		{"several problems", func(c *Calendar) {
			c.Terms[0].Name = ""
			c.Terms[2].End = d("2026-04-01")
			c.Closures[3].Reason = "X"
		}, []string{"terms.0.name: is required", "terms.2.end: must not be before", "closures.3.reason: must be one of"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := schoolCalendar()
			tc.change(c)
			got := Validate(c)
			if len(got) != len(tc.want) {
				t.Fatalf("Validate = %v; want %d errors: %v", got, len(tc.want), tc.want)
			}
			for i, w := range tc.want {
				field, msg, _ := strings.Cut(w, ": ")
				if got[i].Field != field || !strings.Contains(got[i].Message, msg) {
					t.Errorf("error %d = %s: %s; want %s: ...%s...", i, got[i].Field, got[i].Message, field, msg)
				}
			}
		})
	}
}

func TestValidateNil(t *testing.T) {
	want := []cynllun.FieldError{{Field: "calendar", Message: "is required"}}
	if diff := cmp.Diff(want, Validate(nil)); diff != "" {
		t.Errorf("Validate(nil) (-want +got):\n%s", diff)
	}
}

// The embedded LA calendars pass, as does an empty calendar.
func TestValidateEmbedded(t *testing.T) {
	for ons := range current.Load().las {
		if errs := Validate(ForLA(ons)); errs != nil {
			t.Errorf("%s: %v", ons, errs)
		}
	}
	if errs := Validate(&Calendar{}); errs != nil {
		t.Errorf("empty calendar: %v", errs)
	}
}

// Messages never contain the submitted values.
func TestValidateNeverEchoes(t *testing.T) {
	const secret = "SECRET-VALUE"
	c := schoolCalendar()
	c.ID = secret + "\x00"
	c.Name = secret + strings.Repeat("x", 200)
	c.Terms[0].Name = secret + "\n"
	c.Terms[0].NameCy = secret + "\x01"
	c.Closures[0].Note = secret + "\r"
	c.Closures[1].Reason = secret
	errs := Validate(c)
	if len(errs) != 6 {
		t.Fatalf("got %d errors, want 6: %v", len(errs), errs)
	}
	for _, e := range errs {
		if strings.Contains(e.Message, "SECRET") || strings.Contains(e.Field, "SECRET") {
			t.Errorf("%s: %q echoes the value", e.Field, e.Message)
		}
	}
}

func TestSchoolYears(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    *Calendar
		want []string
	}{
		{"cardiff", ForLA(cardiff), []string{"2025-26"}},
		{"three years", &Calendar{Terms: yearsOfTerms(3)}, []string{"2025-26", "2026-27", "2027-28"}},
		{"July start belongs to the year before", &Calendar{Terms: []Term{
			{Name: "A", Start: d("2025-07-15"), End: d("2025-07-25")},
			{Name: "B", Start: d("2025-08-01"), End: d("2025-08-28")},
		}}, []string{"2024-25", "2025-26"}},
		{"1999-2000", &Calendar{Terms: []Term{{Name: "A", Start: d("1999-09-01"), End: d("1999-12-17")}}}, []string{"1999-00"}},
		{"closures do not count", &Calendar{Closures: []Closure{{From: d("2025-09-01"), To: d("2025-09-01"), Reason: ReasonINSET}}}, nil},
		{"empty", &Calendar{}, nil},
		{"nil", nil, nil},
	} {
		if diff := cmp.Diff(tc.want, tc.c.SchoolYears()); diff != "" {
			t.Errorf("%s: SchoolYears (-want +got):\n%s", tc.name, diff)
		}
	}
}

func TestSort(t *testing.T) {
	c := schoolCalendar()
	want := schoolCalendar() // sorted
	c.Terms[0], c.Terms[2] = c.Terms[2], c.Terms[0]
	c.Closures[0], c.Closures[6] = c.Closures[6], c.Closures[0]
	c.Closures[3], c.Closures[4] = c.Closures[4], c.Closures[3]
	// Same days, different reasons: by reason.
	c.Closures = append(c.Closures, Closure{From: d("2026-05-04"), To: d("2026-05-04"), Reason: ReasonClosure})
	want.Closures = append(want.Closures[:4], append([]Closure{{From: d("2026-05-04"), To: d("2026-05-04"), Reason: ReasonClosure}}, want.Closures[4:]...)...)
	c.Sort()
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("Sort (-want +got):\n%s", diff)
	}
}
