package calendar

import (
	"io/fs"
	"maps"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/cynllun/cynllun"
)

var d = cynllun.MustDate

const cardiff = "W06000015"

func TestEmbeddedDataLoads(t *testing.T) {
	sub, err := fs.Sub(data, "data")
	if err != nil {
		t.Fatal(err)
	}
	s, err := load(sub, nil)
	if err != nil {
		t.Fatalf("embedded data does not load: %v", err)
	}
	want := []string{"W06000001", "W06000013", "W06000015", "W06000018", "W06000019"}
	got := slices.Sorted(maps.Keys(s.las))
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("authorities (-want +got):\n%s", diff)
	}
	if len(s.holidays) != 32 {
		t.Errorf("got %d bank holidays, want 32 (8 a year, 2025 to 2028)", len(s.holidays))
	}
}

// The five authorities share the 2025–26 dates (domain.md §2.6 [R65]).
func TestForLASharedDates(t *testing.T) {
	terms := []Term{
		{Name: "Autumn term", NameCy: "Tymor yr Hydref", Start: d("2025-09-01"), End: d("2025-12-19")},
		{Name: "Spring term", NameCy: "Tymor y Gwanwyn", Start: d("2026-01-05"), End: d("2026-03-27")},
		{Name: "Summer term", NameCy: "Tymor yr Haf", Start: d("2026-04-13"), End: d("2026-07-20")},
	}
	// Half terms from the data; of the 2025–26 bank holidays only 4 May
	// and 25 May 2026 fall inside a term (Easter Monday 6 April 2026 is in
	// the Easter holiday; 25 August 2025 before the autumn term). 25 May
	// is also in the summer half term: both closures are kept.
	closures := []Closure{
		{From: d("2025-10-27"), To: d("2025-10-31"), Reason: ReasonHalfTerm, Note: "Autumn half term"},
		{From: d("2026-02-16"), To: d("2026-02-20"), Reason: ReasonHalfTerm, Note: "Spring half term"},
		{From: d("2026-05-04"), To: d("2026-05-04"), Reason: ReasonBankHoliday, Note: "Early May bank holiday"},
		{From: d("2026-05-25"), To: d("2026-05-25"), Reason: ReasonBankHoliday, Note: "Spring bank holiday"},
		{From: d("2026-05-25"), To: d("2026-05-29"), Reason: ReasonHalfTerm, Note: "Summer half term"},
	}
	for _, tc := range []struct{ ons, name string }{
		{"W06000001", "Isle of Anglesey"},
		{"W06000019", "Blaenau Gwent"},
		{"W06000013", "Bridgend"},
		{"W06000018", "Caerphilly"},
		{"W06000015", "Cardiff"},
	} {
		t.Run(tc.ons, func(t *testing.T) {
			c := ForLA(tc.ons)
			if c == nil {
				t.Fatal("ForLA returned nil")
			}
			if c.ID != "LA-"+tc.ons || c.Name != tc.name {
				t.Errorf("ID, Name = %q, %q; want %q, %q", c.ID, c.Name, "LA-"+tc.ons, tc.name)
			}
			if !strings.Contains(c.Source, "R65") || !strings.Contains(c.Source, "gov.wales") {
				t.Errorf("Source %q does not name the published term dates", c.Source)
			}
			if diff := cmp.Diff(terms, c.Terms); diff != "" {
				t.Errorf("terms (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(closures, c.Closures); diff != "" {
				t.Errorf("closures (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSchoolDay(t *testing.T) {
	c := ForLA(cardiff)
	for _, tc := range []struct {
		date string
		want bool
		why  string
	}{
		{"2025-08-29", false, "Friday before the autumn term"},
		{"2025-09-01", true, "Monday, first day of autumn term (INSET days are not in LA data)"},
		{"2025-09-05", true, "Friday in term"},
		{"2025-09-06", false, "Saturday in term"},
		{"2025-09-07", false, "Sunday in term"},
		{"2025-10-24", true, "Friday before autumn half term"},
		{"2025-10-27", false, "Monday, first day of autumn half term"},
		{"2025-10-29", false, "Wednesday of autumn half term"},
		{"2025-10-31", false, "Friday, last day of autumn half term"},
		{"2025-11-03", true, "Monday after autumn half term"},
		{"2025-12-19", true, "Friday, last day of autumn term"},
		{"2025-12-22", false, "Monday, Christmas holiday"},
		{"2025-12-25", false, "Christmas Day"},
		{"2026-01-01", false, "New Year's Day"},
		{"2026-01-02", false, "Friday, Christmas holiday"},
		{"2026-01-05", true, "Monday, first day of spring term"},
		{"2026-02-13", true, "Friday before spring half term"},
		{"2026-02-16", false, "spring half term"},
		{"2026-02-20", false, "spring half term, Friday"},
		{"2026-02-23", true, "Monday after spring half term"},
		{"2026-03-27", true, "Friday, last day of spring term"},
		{"2026-03-30", false, "Monday, Easter holiday"},
		{"2026-04-03", false, "Good Friday, Easter holiday"},
		{"2026-04-06", false, "Easter Monday, Easter holiday"},
		{"2026-04-10", false, "Friday, Easter holiday"},
		{"2026-04-13", true, "Monday, first day of summer term"},
		{"2026-05-01", true, "Friday before the early May bank holiday"},
		{"2026-05-02", false, "Saturday"},
		{"2026-05-04", false, "Early May bank holiday, inside summer term"},
		{"2026-05-05", true, "Tuesday after the bank holiday"},
		{"2026-05-22", true, "Friday before summer half term"},
		{"2026-05-25", false, "Spring bank holiday and summer half term"},
		{"2026-05-29", false, "Friday of summer half term"},
		{"2026-06-01", true, "Monday after summer half term"},
		{"2026-07-20", true, "Monday, last day of summer term"},
		{"2026-07-21", false, "Tuesday, summer holiday"},
		{"2026-08-03", false, "Monday, summer holiday"},
		{"2026-09-07", false, "next school year: not in the data"},
	} {
		if got := c.SchoolDay(d(tc.date)); got != tc.want {
			t.Errorf("SchoolDay(%s) = %v, want %v (%s)", tc.date, got, tc.want, tc.why)
		}
	}
}

func TestCovers(t *testing.T) {
	cardiffCal := ForLA(cardiff)
	// A made-up calendar whose first term starts in July and last term
	// ends in August, to test "1 August before" and "31 July after".
	odd := &Calendar{Terms: []Term{
		{Name: "A", Start: d("2025-07-15"), End: d("2025-07-25")},
		{Name: "B", Start: d("2026-08-03"), End: d("2026-08-28")},
	}}
	// A term starting on 1 August itself: coverage starts that day.
	aug1 := &Calendar{Terms: []Term{{Name: "A", Start: d("2025-08-01"), End: d("2025-12-19")}}}
	for _, tc := range []struct {
		name string
		c    *Calendar
		date string
		want bool
	}{
		{"cardiff day before range", cardiffCal, "2025-07-31", false},
		{"cardiff 1 Aug before first term", cardiffCal, "2025-08-01", true},
		{"cardiff holiday before first term", cardiffCal, "2025-08-29", true},
		{"cardiff Christmas holiday", cardiffCal, "2025-12-25", true},
		{"cardiff 31 Jul after last term", cardiffCal, "2026-07-31", true},
		{"cardiff day after range", cardiffCal, "2026-08-01", false},
		{"cardiff a year later", cardiffCal, "2027-01-04", false},
		{"odd: July start reaches back to 1 Aug of previous year", odd, "2024-08-01", true},
		{"odd: 31 Jul 2024", odd, "2024-07-31", false},
		{"odd: August end reaches to 31 Jul of next year", odd, "2027-07-31", true},
		{"odd: 1 Aug 2027", odd, "2027-08-01", false},
		{"aug1: first day", aug1, "2025-08-01", true},
		{"aug1: day before", aug1, "2025-07-31", false},
		{"aug1: 31 Jul after", aug1, "2026-07-31", true},
		{"empty calendar", &Calendar{}, "2025-09-01", false},
	} {
		if got := tc.c.Covers(d(tc.date)); got != tc.want {
			t.Errorf("%s: Covers(%s) = %v, want %v", tc.name, tc.date, got, tc.want)
		}
	}
}

func TestTermOf(t *testing.T) {
	c := ForLA(cardiff)
	for _, tc := range []struct {
		date, want string // want "" for no term
	}{
		{"2025-08-31", ""},
		{"2025-09-01", "Autumn term"},
		{"2025-10-28", "Autumn term"}, // half term is inside the term
		{"2025-12-19", "Autumn term"},
		{"2025-12-25", ""},
		{"2026-01-05", "Spring term"},
		{"2026-03-28", ""},
		{"2026-04-13", "Summer term"},
		{"2026-07-20", "Summer term"},
		{"2026-07-21", ""},
	} {
		term, ok := c.TermOf(d(tc.date))
		if ok != (tc.want != "") || term.Name != tc.want {
			t.Errorf("TermOf(%s) = %q, %v; want %q", tc.date, term.Name, ok, tc.want)
		}
	}
}

func TestTermsOverlapping(t *testing.T) {
	c := ForLA(cardiff)
	for _, tc := range []struct {
		from, to string
		want     []string
	}{
		{"2025-12-20", "2026-01-04", nil}, // Christmas holiday only
		{"2025-12-19", "2026-01-05", []string{"Autumn term", "Spring term"}},
		{"2025-08-01", "2026-07-31", []string{"Autumn term", "Spring term", "Summer term"}},
		{"2026-03-01", "2026-04-30", []string{"Spring term", "Summer term"}},
		{"2026-07-20", "2026-07-20", []string{"Summer term"}},
		{"2026-01-10", "2025-12-01", nil}, // from after to
	} {
		var got []string
		for _, term := range c.TermsOverlapping(d(tc.from), d(tc.to)) {
			got = append(got, term.Name)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("TermsOverlapping(%s, %s) (-want +got):\n%s", tc.from, tc.to, diff)
		}
	}
}

func TestForLAUnknown(t *testing.T) {
	for _, code := range []string{"", "W06000099", "E06000001", "w06000015", "Cardiff"} {
		if c := ForLA(code); c != nil {
			t.Errorf("ForLA(%q) = %+v, want nil", code, c)
		}
	}
}

func TestForLAReturnsCopy(t *testing.T) {
	a := ForLA(cardiff)
	a.Name = "changed"
	a.Terms[0].Name = "changed"
	a.Terms[0].End = d("2026-07-31")
	a.Closures[0].Reason = ReasonINSET
	a.Terms = append(a.Terms, Term{Name: "extra"})
	a.Closures = a.Closures[:0]

	b := ForLA(cardiff)
	if b == a {
		t.Fatal("ForLA returned the same pointer twice")
	}
	if b.Name != "Cardiff" || b.Terms[0].Name != "Autumn term" || b.Terms[0].End != d("2025-12-19") ||
		len(b.Terms) != 3 || len(b.Closures) != 5 || b.Closures[0].Reason != ReasonHalfTerm {
		t.Errorf("changing one calendar changed the shared data: %+v", b)
	}
	// Calendars shared by several authorities are copies too.
	if ForLA("W06000001").Terms[0].Name != "Autumn term" {
		t.Error("Anglesey's calendar changed")
	}
}

func TestBankHolidays(t *testing.T) {
	got := BankHolidays()
	var want []cynllun.Date
	for _, s := range []string{
		"2025-01-01", "2025-04-18", "2025-04-21", "2025-05-05", "2025-05-26", "2025-08-25", "2025-12-25", "2025-12-26",
		"2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25", "2026-08-31", "2026-12-25", "2026-12-28",
		"2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03", "2027-05-31", "2027-08-30", "2027-12-27", "2027-12-28",
		"2028-01-03", "2028-04-14", "2028-04-17", "2028-05-01", "2028-05-29", "2028-08-28", "2028-12-25", "2028-12-26",
	} {
		want = append(want, d(s))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("BankHolidays (-want +got):\n%s", diff)
	}
	got[0] = d("2000-01-01")
	if BankHolidays()[0] != d("2025-01-01") {
		t.Error("changing the returned slice changed the shared data")
	}
}

// Bad data is refused with an error naming the problem.
func TestLoadRejectsBadData(t *testing.T) {
	const holidays = `{"source": "test", "holidays": [
		{"date": "2026-05-04", "name": "Early May bank holiday"},
		{"date": "2026-05-25", "name": "Spring bank holiday"}]}`
	la := func(terms, closures string) string {
		return `{"source": "test", "authorities": [{"ons": "W06000015", "name": "Cardiff"}],
			"terms": [` + terms + `], "closures": [` + closures + `]}`
	}
	const goodTerms = `{"name": "Autumn", "name_cy": "Tymor yr Hydref", "start": "2025-09-01", "end": "2025-12-19"},
		{"name": "Spring", "name_cy": "Tymor y Gwanwyn", "start": "2026-01-05", "end": "2026-03-27"}`
	const goodClosure = `{"from": "2025-10-27", "to": "2025-10-31", "reason": "HALF_TERM", "note": "half term"}`

	for _, tc := range []struct {
		name    string
		files   map[string]string
		wantErr string // "" for no error
	}{
		{"good", map[string]string{"bank-holidays.json": holidays, "la/a.json": la(goodTerms, goodClosure)}, ""},
		{"term starts after its end", map[string]string{"bank-holidays.json": holidays,
			"la/a.json": la(`{"name": "Autumn", "name_cy": "Hydref", "start": "2025-12-19", "end": "2025-09-01"}`, "")}, "after its end"},
		{"terms out of order", map[string]string{"bank-holidays.json": holidays,
			"la/a.json": la(`{"name": "Spring", "name_cy": "G", "start": "2026-01-05", "end": "2026-03-27"},
				{"name": "Autumn", "name_cy": "H", "start": "2025-09-01", "end": "2025-12-19"}`, "")}, "in order"},
		{"terms overlap", map[string]string{"bank-holidays.json": holidays,
			"la/a.json": la(`{"name": "Autumn", "name_cy": "H", "start": "2025-09-01", "end": "2026-01-05"},
				{"name": "Spring", "name_cy": "G", "start": "2026-01-05", "end": "2026-03-27"}`, "")}, "not overlap"},
		{"terms overlap across files", map[string]string{"bank-holidays.json": holidays,
			"la/a.json": la(goodTerms, ""),
			"la/b.json": la(`{"name": "Extra", "name_cy": "E", "start": "2026-03-23", "end": "2026-04-01"}`, "")}, "overlaps"},
		{"closure outside range", map[string]string{"bank-holidays.json": holidays,
			"la/a.json": la(goodTerms, `{"from": "2026-08-03", "to": "2026-08-04", "reason": "CLOSURE"}`)}, "outside"},
		{"closure before range", map[string]string{"bank-holidays.json": holidays,
			"la/a.json": la(goodTerms, `{"from": "2025-07-31", "to": "2025-08-04", "reason": "CLOSURE"}`)}, "outside"},
		{"closure from after to", map[string]string{"bank-holidays.json": holidays,
			"la/a.json": la(goodTerms, `{"from": "2025-10-31", "to": "2025-10-27", "reason": "HALF_TERM"}`)}, "after to"},
		{"closure reason unknown", map[string]string{"bank-holidays.json": holidays,
			"la/a.json": la(goodTerms, `{"from": "2025-10-27", "to": "2025-10-31", "reason": "HOLIDAY"}`)}, "unknown reason"},
		{"date does not exist", map[string]string{"bank-holidays.json": holidays,
			"la/a.json": la(`{"name": "Autumn", "name_cy": "H", "start": "2025-09-31", "end": "2025-12-19"}`, "")}, "real date"},
		{"term without Welsh name", map[string]string{"bank-holidays.json": holidays,
			"la/a.json": la(`{"name": "Autumn", "start": "2025-09-01", "end": "2025-12-19"}`, "")}, "Welsh"},
		{"no terms", map[string]string{"bank-holidays.json": holidays, "la/a.json": la("", "")}, "no terms"},
		{"bad ONS code", map[string]string{"bank-holidays.json": holidays,
			"la/a.json": strings.Replace(la(goodTerms, ""), "W06000015", "E06000001", 1)}, "ONS code"},
		{"LA without source", map[string]string{"bank-holidays.json": holidays,
			"la/a.json": strings.Replace(la(goodTerms, ""), `"source": "test"`, `"source": ""`, 1)}, "no source"},
		{"unknown field", map[string]string{"bank-holidays.json": holidays,
			"la/a.json": strings.Replace(la(goodTerms, ""), `"source"`, `"year": "2025-26", "source"`, 1)}, "unknown field"},
		{"bank holiday on a Saturday", map[string]string{"la/a.json": la(goodTerms, ""),
			"bank-holidays.json": `{"source": "test", "holidays": [{"date": "2026-05-02", "name": "x"}]}`}, "Saturday"},
		{"bank holidays out of order", map[string]string{"la/a.json": la(goodTerms, ""),
			"bank-holidays.json": `{"source": "test", "holidays": [{"date": "2026-05-25", "name": "x"}, {"date": "2026-05-04", "name": "y"}]}`}, "in order"},
		{"bank holiday twice", map[string]string{"la/a.json": la(goodTerms, ""),
			"bank-holidays.json": `{"source": "test", "holidays": [{"date": "2026-05-04", "name": "x"}, {"date": "2026-05-04", "name": "x"}]}`}, "once each"},
		{"no bank holiday file", map[string]string{"la/a.json": la(goodTerms, "")}, "bank-holidays.json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for name, body := range tc.files {
				fsys[name] = &fstest.MapFile{Data: []byte(body)}
			}
			_, err := load(fsys, nil)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("load: %v", err)
			case tc.wantErr != "" && err == nil:
				t.Fatalf("load succeeded, want an error containing %q", tc.wantErr)
			case tc.wantErr != "" && !strings.Contains(err.Error(), tc.wantErr):
				t.Fatalf("load: %v; want an error containing %q", err, tc.wantErr)
			}
		})
	}
}
