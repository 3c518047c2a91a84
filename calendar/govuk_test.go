package calendar

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cynllun/cynllun"
)

// govukEvents are GOV.UK's England and Wales bank holidays of 2027 and
// 2028, as events of its file.
var govukEvents = map[int][]string{
	2027: {
		`{"title": "New Year’s Day", "date": "2027-01-01", "notes": "", "bunting": true}`,
		`{"title": "Good Friday", "date": "2027-03-26", "notes": "", "bunting": false}`,
		`{"title": "Easter Monday", "date": "2027-03-29", "notes": "", "bunting": true}`,
		`{"title": "Early May bank holiday", "date": "2027-05-03", "notes": "", "bunting": true}`,
		`{"title": "Spring bank holiday", "date": "2027-05-31", "notes": "", "bunting": true}`,
		`{"title": "Summer bank holiday", "date": "2027-08-30", "notes": "", "bunting": true}`,
		`{"title": "Christmas Day", "date": "2027-12-27", "notes": "Substitute day", "bunting": true}`,
		`{"title": "Boxing Day", "date": "2027-12-28", "notes": "Substitute day", "bunting": true}`,
	},
	2028: {
		`{"title": "New Year’s Day", "date": "2028-01-03", "notes": "Substitute day", "bunting": true}`,
		`{"title": "Good Friday", "date": "2028-04-14", "notes": "", "bunting": false}`,
		`{"title": "Easter Monday", "date": "2028-04-17", "notes": "", "bunting": true}`,
		`{"title": "Early May bank holiday", "date": "2028-05-01", "notes": "", "bunting": true}`,
		`{"title": "Spring bank holiday", "date": "2028-05-29", "notes": "", "bunting": true}`,
		`{"title": "Summer bank holiday", "date": "2028-08-28", "notes": "", "bunting": true}`,
		`{"title": "Christmas Day", "date": "2028-12-25", "notes": "", "bunting": true}`,
		`{"title": "Boxing Day", "date": "2028-12-26", "notes": "", "bunting": true}`,
	},
}

// govukFile is a file in GOV.UK's format whose England and Wales events
// are the given ones, with a Scotland division before it.
func govukFile(events ...string) string {
	return `{"scotland": {"division": "scotland", "events": [{"title": "St Andrew’s Day", "date": "2027-11-30", "notes": "", "bunting": true}]},
"england-and-wales": {"division": "england-and-wales", "events": [` + strings.Join(events, ",\n") + `]}}`
}

// eventsOf returns the events of the years, in order; with edit, changed.
func eventsOf(edit func(int, string) string, years ...int) []string {
	var out []string
	for _, y := range years {
		for i, e := range govukEvents[y] {
			if edit != nil {
				e = edit(i, e)
			}
			out = append(out, e)
		}
	}
	return out
}

// The file GOV.UK publishes gives the shipped bank holidays.
// testdata/gov-uk-bank-holidays.json is https://www.gov.uk/bank-holidays.json
// in its published layout, for 2025 to 2028, made from GOV.UK's source data
// (alphagov/frontend, lib/data/bank-holidays.json at cb2a016d, August 2026,
// with the titles of config/locales/en.yml); Scotland and Northern Ireland
// are in it and ignored.
func TestParseBankHolidaysGOVUK(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "gov-uk-bank-holidays.json"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseBankHolidays(b)
	if err != nil {
		t.Fatal(err)
	}
	var dates []cynllun.Date
	for _, h := range got {
		dates = append(dates, h.Date)
	}
	if diff := cmp.Diff(BankHolidays(), dates); diff != "" {
		t.Errorf("GOV.UK's dates against the shipped ones (-shipped +GOV.UK):\n%s", diff)
	}
	shipped := map[cynllun.Date]string{}
	for _, h := range current.Load().holidays {
		shipped[h.Date] = h.Name
	}
	for _, h := range got {
		// The same names, but for GOV.UK's typographic apostrophe.
		if want := shipped[h.Date]; strings.ReplaceAll(h.Name, "’", "'") != want {
			t.Errorf("%s: named %q, shipped as %q", h.Date, h.Name, want)
		}
	}
}

func TestParseBankHolidays(t *testing.T) {
	bh := func(date, name string) BankHoliday { return BankHoliday{Date: d(date), Name: name} }
	all2028 := []BankHoliday{
		bh("2028-01-03", "New Year’s Day (substitute day)"), bh("2028-04-14", "Good Friday"), bh("2028-04-17", "Easter Monday"),
		bh("2028-05-01", "Early May bank holiday"), bh("2028-05-29", "Spring bank holiday"), bh("2028-08-28", "Summer bank holiday"),
		bh("2028-12-25", "Christmas Day"), bh("2028-12-26", "Boxing Day"),
	}
	replace := func(n int, from, to string) func(int, string) string {
		return func(i int, e string) string {
			if i == n {
				return strings.Replace(e, from, to, 1)
			}
			return e
		}
	}
	for _, tc := range []struct {
		name    string
		file    string
		want    []BankHoliday // when wantErr is ""
		wantErr string
	}{
		{"one year", govukFile(eventsOf(nil, 2028)...), all2028, ""},
		{"only England and Wales", `{"england-and-wales": {"division": "england-and-wales", "events": [` + strings.Join(eventsOf(nil, 2028), ",") + `]}}`, all2028, ""},
		{"events in any order", govukFile(append(eventsOf(nil, 2028)[4:], eventsOf(nil, 2028)[:4]...)...), all2028, ""},
		{"other divisions ignored, whatever they hold", `{"scotland": {"division": 1, "events": "none"}, "northern-ireland": [null],
			"england-and-wales": {"division": "england-and-wales", "events": [` + strings.Join(eventsOf(nil, 2028), ",") + `]}}`, all2028, ""},
		{"unknown fields ignored", govukFile(eventsOf(replace(0, `"bunting"`, `"colour": "red", "bunting"`), 2028)...), all2028, ""},
		{"notes and bunting may be left out", govukFile(eventsOf(replace(1, `, "notes": "", "bunting": false`, ``), 2028)...), all2028, ""},
		{"other notes kept", govukFile(eventsOf(replace(1, `"notes": ""`, `"notes": "Moved"`), 2028)...),
			append(append(all2028[:1:1], bh("2028-04-14", "Good Friday (Moved)")), all2028[2:]...), ""},

		{"not JSON", "Date,Title\n2028-01-03,New Year", nil, "not a JSON object"},
		{"empty", "", nil, "not a JSON object"},
		{"a list", "[" + strings.Join(eventsOf(nil, 2028), ",") + "]", nil, "not a JSON object"},
		{"broken JSON", govukFile(eventsOf(nil, 2028)...)[:200], nil, "not JSON"},
		{"broken JSON in another division", `{"scotland": {"events": [}, "england-and-wales": {}}`, nil, "not JSON"},
		{"more after the object", govukFile(eventsOf(nil, 2028)...) + `{}`, nil, "more after the JSON object"},
		{"too large", govukFile(eventsOf(nil, 2028)...) + strings.Repeat(" ", MaxBankHolidaysBytes), nil, "larger than"},
		{"no England and Wales", `{"scotland": {"division": "scotland", "events": []}}`, nil, `no "england-and-wales" division`},
		{"England and Wales twice", strings.Replace(govukFile(eventsOf(nil, 2028)...), `"scotland":`, `"england-and-wales":`, 1), nil, "twice"},
		{"division not an object", `{"england-and-wales": [1, 2]}`, nil, "is a JSON array, want an object"},
		{"division not named", `{"england-and-wales": {"events": [` + strings.Join(eventsOf(nil, 2028), ",") + `]}}`, nil, `no "division"`},
		{"division misnamed", `{"england-and-wales": {"division": "scotland", "events": [` + strings.Join(eventsOf(nil, 2028), ",") + `]}}`, nil, `"division" is "scotland"`},
		{"no events", govukFile(), nil, "no events"},
		{"events not a list", `{"england-and-wales": {"division": "england-and-wales", "events": {"date": "2028-01-03"}}}`, nil, `"events" is a JSON object, want a list`},
		{"event not an object", govukFile(append(eventsOf(nil, 2028), `"2028-11-06"`)...), nil, "event 9: is a JSON string, want an object"},
		{"title a number", govukFile(eventsOf(replace(2, `"Easter Monday"`, `7`), 2028)...), nil, `event 3: "title" is a JSON number, want a string`},
		{"date a number", govukFile(eventsOf(replace(2, `"2028-04-17"`, `20280417`), 2028)...), nil, `event 3: "date" is a JSON number, want a string`},
		{"bunting a string", govukFile(eventsOf(replace(2, `"bunting": true`, `"bunting": "yes"`), 2028)...), nil, `event 3: "bunting" is a JSON string, want true or false`},
		{"notes a list", govukFile(eventsOf(replace(2, `"notes": ""`, `"notes": []`), 2028)...), nil, `event 3: "notes" is a JSON array, want a string`},
		{"no date", govukFile(eventsOf(replace(2, `"date": "2028-04-17", `, ``), 2028)...), nil, `event 3: no "date"`},
		{"date as GOV.UK's web page writes it", govukFile(eventsOf(replace(2, `"2028-04-17"`, `"17/04/2028"`), 2028)...), nil, `event 3: "date" "17/04/2028": must be a date in the form YYYY-MM-DD`},
		{"date that does not exist", govukFile(eventsOf(replace(2, `"2028-04-17"`, `"2028-02-30"`), 2028)...), nil, "must be a real date"},
		{"date with a time", govukFile(eventsOf(replace(2, `"2028-04-17"`, `"2028-04-17T00:00:00Z"`), 2028)...), nil, "YYYY-MM-DD"},
		{"date far off", govukFile(eventsOf(replace(2, `"2028-04-17"`, `"2228-04-17"`), 2028)...), nil, "between 1900 and 2199"},
		{"no title", govukFile(eventsOf(replace(2, `"title": "Easter Monday", `, ``), 2028)...), nil, `event 3 (2028-04-17): no "title"`},
		{"blank title", govukFile(eventsOf(replace(2, `"Easter Monday"`, `" "`), 2028)...), nil, `"title" is required`},
		{"title of two lines", govukFile(eventsOf(replace(2, `"Easter Monday"`, `"Easter\nMonday"`), 2028)...), nil, `"title" must be a single line`},
		{"title too long", govukFile(eventsOf(replace(2, `"Easter Monday"`, `"`+strings.Repeat("x", 201)+`"`), 2028)...), nil, `"title" is too long`},
		{"date twice", govukFile(append(eventsOf(nil, 2028), `{"title": "Easter Monday again", "date": "2028-04-17"}`)...), nil,
			"2028-04-17 is listed twice (Easter Monday; Easter Monday again)"},
		{"on a Saturday", govukFile(eventsOf(replace(0, `"2028-01-03"`, `"2028-01-01"`), 2028)...), nil, "2028-01-01 (New Year’s Day (substitute day)) is a Saturday"},
		{"on a Sunday", govukFile(eventsOf(replace(2, `"2028-04-17"`, `"2028-04-16"`), 2028)...), nil, "is a Sunday"},
		{"a year cut short", govukFile(append(eventsOf(nil, 2027), eventsOf(nil, 2028)[:7]...)...), nil, "2028 has 7 bank holidays"},
		{"one event", govukFile(eventsOf(nil, 2028)[0]), nil, "2028 has 1 bank holidays"},
		{"too many in a year", govukFile(append(eventsOf(nil, 2028),
			`{"title": "a", "date": "2028-02-01"}`, `{"title": "b", "date": "2028-02-02"}`, `{"title": "c", "date": "2028-02-03"}`, `{"title": "d", "date": "2028-02-04"}`,
			`{"title": "e", "date": "2028-02-07"}`, `{"title": "f", "date": "2028-02-08"}`, `{"title": "g", "date": "2028-02-09"}`, `{"title": "h", "date": "2028-02-10"}`)...), nil,
			"2028 has 16 bank holidays"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseBankHolidays([]byte(tc.file))
			if err != nil {
				t.Log(err)
			}
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("ParseBankHolidays: %v", err)
			case tc.wantErr != "" && err == nil:
				t.Fatalf("accepted, want an error containing %q", tc.wantErr)
			case tc.wantErr != "" && !strings.Contains(err.Error(), tc.wantErr):
				t.Fatalf("ParseBankHolidays: %v\nwant an error containing %q", err, tc.wantErr)
			case tc.wantErr == "":
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
			}
			if err != nil && len(err.Error()) > 400 {
				t.Errorf("a long error (%d bytes): %.100s…", len(err.Error()), err)
			}
		})
	}
}

// encodeGOVUK writes bank holidays in GOV.UK's format (no notes: the
// names say them).
func encodeGOVUK(t testing.TB, hs []BankHoliday) []byte {
	type event struct {
		Title   string `json:"title"`
		Date    string `json:"date"`
		Notes   string `json:"notes"`
		Bunting bool   `json:"bunting"`
	}
	type division struct {
		Division string  `json:"division"`
		Events   []event `json:"events"`
	}
	div := division{Division: divisionEW}
	for _, h := range hs {
		div.Events = append(div.Events, event{Title: h.Name, Date: h.Date.String(), Bunting: true})
	}
	b, err := json.Marshal(map[string]division{divisionEW: div})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// useBankHolidays calls UseBankHolidays and puts the shipped data back
// when the test ends. Tests that call it must not be parallel.
func useBankHolidays(t *testing.T, hs []BankHoliday) {
	t.Helper()
	t.Cleanup(func() {
		if err := UseBankHolidays(nil); err != nil {
			t.Fatal(err)
		}
	})
	if err := UseBankHolidays(hs); err != nil {
		t.Fatal(err)
	}
}

// A file's years replace the shipped ones of those years; the other
// shipped years stay.
func TestUseBankHolidaysMerges(t *testing.T) {
	shipped := BankHolidays()
	inYears := func(ds []cynllun.Date, years ...int) []cynllun.Date {
		var out []cynllun.Date
		for _, x := range ds {
			for _, y := range years {
				if x.Year == y {
					out = append(out, x)
				}
			}
		}
		return out
	}
	if diff := cmp.Diff([]int{2025, 2026, 2027, 2028}, BankHolidayYears()); diff != "" {
		t.Fatalf("shipped years (-want +got):\n%s", diff)
	}

	// A 2028 that differs from the shipped one: the spring bank holiday
	// moved to a Friday with an extra day after it, as in a jubilee year.
	moved := eventsOf(func(i int, e string) string {
		if i == 4 {
			return strings.Replace(e, "2028-05-29", "2028-06-01", 1)
		}
		return e
	}, 2028)
	hs, err := ParseBankHolidays([]byte(govukFile(append(moved, `{"title": "Jubilee bank holiday", "date": "2028-06-02"}`)...)))
	if err != nil {
		t.Fatal(err)
	}
	useBankHolidays(t, hs)
	got := BankHolidays()
	if diff := cmp.Diff(inYears(shipped, 2025, 2026, 2027), inYears(got, 2025, 2026, 2027)); diff != "" {
		t.Errorf("2025 to 2027 are not the shipped ones (-shipped +got):\n%s", diff)
	}
	want2028 := []cynllun.Date{d("2028-01-03"), d("2028-04-14"), d("2028-04-17"), d("2028-05-01"), d("2028-06-01"), d("2028-06-02"),
		d("2028-08-28"), d("2028-12-25"), d("2028-12-26")}
	if diff := cmp.Diff(want2028, inYears(got, 2028)); diff != "" {
		t.Errorf("2028 (-file +got):\n%s", diff)
	}
	if IsBankHoliday(d("2028-05-29")) || !IsBankHoliday(d("2028-06-02")) || !IsBankHoliday(d("2027-12-28")) {
		t.Error("IsBankHoliday does not follow the file")
	}
	if diff := cmp.Diff([]int{2025, 2026, 2027, 2028}, BankHolidayYears()); diff != "" {
		t.Errorf("years (-want +got):\n%s", diff)
	}

	// A file of later and earlier years adds them; the years between
	// stay uncovered.
	hs, err = ParseBankHolidays([]byte(govukFile(append(eventsOf(nil, 2027), events2029()...)...)))
	if err != nil {
		t.Fatal(err)
	}
	extra := []BankHoliday{{d("2021-01-01"), "New Year's Day"}, {d("2021-12-28"), "Boxing Day (substitute day)"}}
	useBankHolidays(t, append(extra, hs...)) // in any order
	if diff := cmp.Diff([]int{2021, 2025, 2026, 2027, 2028, 2029}, BankHolidayYears()); diff != "" {
		t.Errorf("years (-want +got):\n%s", diff)
	}
	if BankHolidaysCover(2022) || !BankHolidaysCover(2029) || !IsBankHoliday(d("2021-12-28")) {
		t.Error("BankHolidaysCover or IsBankHoliday does not follow the data")
	}
	if diff := cmp.Diff(inYears(shipped, 2025, 2026, 2027, 2028), inYears(BankHolidays(), 2025, 2026, 2027, 2028)); diff != "" {
		t.Errorf("a file giving 2027 as shipped changed the shipped years (-shipped +got):\n%s", diff)
	}

	// Back to the shipped data alone.
	if err := UseBankHolidays(nil); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(shipped, BankHolidays()); diff != "" {
		t.Errorf("UseBankHolidays(nil) (-shipped +got):\n%s", diff)
	}
}

// events2029 are events for 2029, made up by the rules that give
// England and Wales their bank holidays (not published data).
func events2029() []string {
	var out []string
	for _, e := range [][2]string{
		{"2029-01-01", "New Year’s Day"}, {"2029-03-30", "Good Friday"}, {"2029-04-02", "Easter Monday"}, {"2029-05-07", "Early May bank holiday"},
		{"2029-05-28", "Spring bank holiday"}, {"2029-08-27", "Summer bank holiday"}, {"2029-12-25", "Christmas Day"}, {"2029-12-26", "Boxing Day"},
	} {
		out = append(out, `{"title": "`+e[1]+`", "date": "`+e[0]+`", "notes": "", "bunting": true}`)
	}
	return out
}

// The LA calendars and Effective follow the bank holidays in use.
func TestUseBankHolidaysCalendars(t *testing.T) {
	// A made-up extra bank holiday in the 2025-26 summer term.
	hs := []BankHoliday{{d("2026-06-08"), "Extra bank holiday"}}
	for _, x := range BankHolidays() {
		if x.Year == 2026 {
			hs = append(hs, BankHoliday{x, "as shipped"})
		}
	}
	useBankHolidays(t, hs)
	extra := Closure{From: d("2026-06-08"), To: d("2026-06-08"), Reason: ReasonBankHoliday, Note: "Extra bank holiday"}
	la := ForLA(cardiff)
	if !slices.Contains(la.Closures, extra) || la.SchoolDay(d("2026-06-08")) {
		t.Errorf("ForLA does not close the extra bank holiday: %+v", la.Closures)
	}
	school := &Calendar{ID: "s", Terms: la.Terms}
	if eff := Effective(nil, school); !slices.Contains(eff.Closures, extra) {
		t.Errorf("Effective does not close the extra bank holiday: %+v", eff.Closures)
	}
	if err := UseBankHolidays(nil); err != nil {
		t.Fatal(err)
	}
	if !ForLA(cardiff).SchoolDay(d("2026-06-08")) {
		t.Error("back to the shipped data, 8 June 2026 is still closed")
	}
}

// UseBankHolidays refuses what is not a list of bank holidays, and then
// changes nothing.
func TestUseBankHolidaysRefuses(t *testing.T) {
	before := BankHolidays()
	for _, tc := range []struct {
		name string
		hs   []BankHoliday
		want string
	}{
		{"weekend", []BankHoliday{{d("2029-01-06"), "x"}}, "is a Saturday"},
		{"twice", []BankHoliday{{d("2029-01-01"), "x"}, {d("2029-01-01"), "y"}}, "listed twice"},
		{"no name", []BankHoliday{{d("2029-01-01"), " "}}, "no name"},
		{"no date", []BankHoliday{{Name: "x"}}, "no date"},
	} {
		err := UseBankHolidays(tc.hs)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error containing %q", tc.name, err, tc.want)
		}
		if diff := cmp.Diff(before, BankHolidays()); diff != "" {
			t.Errorf("%s: the data changed:\n%s", tc.name, diff)
		}
	}
}
