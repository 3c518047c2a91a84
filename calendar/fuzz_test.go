package calendar

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/form"
)

// checkParseICS is the property FuzzParseICS tests: ParseICS fails only
// with an INVALID *cynllun.Error about the file; a calendar it accepts is
// not empty, passes Validate and comes back unchanged from ICS then
// ParseICS, and exporting it again gives the same bytes.
func checkParseICS(t testing.TB, data []byte) {
	t.Helper()
	c, err := ParseICS(data)
	if err != nil {
		var e *cynllun.Error
		if !errors.As(err, &e) || e.Code != cynllun.CodeInvalid || len(e.Fields) == 0 {
			t.Fatalf("ParseICS: %v; want an INVALID *cynllun.Error with fields", err)
		}
		for _, fe := range e.Fields {
			if fe.Field != "ics" && !strings.HasPrefix(fe.Field, "ics.") {
				t.Fatalf("field %q is not about the file", fe.Field)
			}
		}
		return
	}
	if errs := Validate(c); errs != nil {
		t.Fatalf("ParseICS accepted a calendar that fails Validate: %v", errs)
	}
	if len(c.Terms) == 0 && len(c.Closures) == 0 {
		t.Fatal("ParseICS accepted an empty calendar")
	}
	b, err := c.ICS()
	if err != nil {
		t.Fatalf("ICS of an accepted calendar: %v", err)
	}
	c2, err := ParseICS(b)
	if err != nil {
		t.Fatalf("ParseICS of ICS: %v\n%s", err, b)
	}
	if diff := cmp.Diff(c, c2); diff != "" {
		t.Fatalf("ICS then ParseICS changed the calendar (-first +second):\n%s", diff)
	}
	b2, err := c2.ICS()
	if err != nil || !bytes.Equal(b, b2) {
		t.Fatalf("exporting again gave other bytes (%v)", err)
	}
}

// The property holds for the larger fixtures. They are not fuzz seeds:
// Go's fuzzer minimises each new input it finds by trying to cut every
// span out of it, which for inputs of a kilobyte or more takes the whole of
// a short fuzzing run.
func TestParseICSProperty(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.ics"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	inputs := map[string][]byte{"mis": []byte(misExport)}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		inputs[filepath.Base(name)] = b
	}
	for name, c := range map[string]*Calendar{"cardiff": ForLA(cardiff), "school": schoolCalendar(), "tricky": trickyCalendar()} {
		b, err := c.ICS()
		if err != nil {
			t.Fatal(err)
		}
		inputs[name] = b
	}
	for name, b := range inputs {
		t.Run(name, func(t *testing.T) { checkParseICS(t, b) })
	}
}

// FuzzParseICS checks checkParseICS's property. Its seeds are small
// versions of the fixtures (see TestParseICSProperty).
func FuzzParseICS(f *testing.F) {
	doc := func(events ...string) []byte {
		return []byte("BEGIN:VCALENDAR\nX-WR-CALNAME:Y\n" + strings.Join(events, "") + "END:VCALENDAR\n")
	}
	ev := func(props ...string) string {
		return "BEGIN:VEVENT\n" + strings.Join(props, "\n") + "\nEND:VEVENT\n"
	}
	term := ev("DTSTART;VALUE=DATE:20250901", "DTEND;VALUE=DATE:20251220", "SUMMARY:Autumn Term")
	for _, b := range [][]byte{
		// As ICS writes (cut down).
		[]byte("BEGIN:VCALENDAR\r\nX-WR-CALNAME:Y\\, x\r\n" +
			"BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20250901\r\nDTEND;VALUE=DATE:20251220\r\nSUMMARY;LANGUAGE=en:A 2025\r\n" +
			"CATEGORIES:TERM\r\nX-CYNLLUN-NAME:A\\; b\r\nX-CYNLLUN-NAME-CY;LANGUAGE=cy:Tymor ŵ\r\nEND:VEVENT\r\n" +
			"BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20251027\r\nDTEND;VALUE=DATE:20251101\r\nSUMMARY:Half term\r\n" +
			"CATEGORIES:HALF_TERM\r\nX-CYNLLUN-NOTE:\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"),
		// As Google Calendar or an MIS writes (cut down).
		doc(term, ev("DTSTART;VALUE=DATE:20250901", "SUMMARY:INSET Day"),
			ev("DTSTART;VALUE=DATE:20251222", "DTEND;VALUE=DATE:20260105", "SUMMARY:Christmas Holidays")),
		doc(ev("dtstart:20250901", "dtend:20250901", "summary:Tymor yr Hydref"), ev("DTSTART:20251027", "DURATION:P1W", "SUMMARY:Hanner tymor")),
		doc(term, ev("DTSTART:20250902", "CATEGORIES:x,inset", "SUMMARY:Gŵyl y Banc")),
		doc(term, ev("DTSTART:20251110", "SUMMARY:Ysgol ar gau", "STATUS:CANCELLED")),
		doc(ev("DTSTART:20250902", "SUMMARY:INSET")), // closures only
		doc(ev("DTSTART:21991231", "DTEND:22000101", "SUMMARY:Term")),
		// Rejected.
		doc(term, ev("DTSTART:20250902T090000Z", "SUMMARY:INSET")),
		doc(term, ev("DTSTART:20250905", "DTEND:20250902", "SUMMARY:INSET")),
		doc(term, ev("DTSTART:20251219", "SUMMARY:Last day of term")),
		doc(term, ev("DTSTART:20250902", "RRULE:FREQ=DAILY", "SUMMARY:Sports day")),
		[]byte("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"),
		[]byte("not a calendar"),
	} {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) { checkParseICS(t, data) })
}

// checkParseBankHolidays is the property FuzzParseBankHolidays tests:
// ParseBankHolidays fails with a short error, or returns bank holidays
// sorted by date, once each, on weekdays, with one-line names, 8 to 15 in
// each year, that are the same when written in GOV.UK's format and read
// again.
func checkParseBankHolidays(t testing.TB, data []byte) {
	t.Helper()
	hs, err := ParseBankHolidays(data)
	if err != nil {
		if len(err.Error()) > 600 {
			t.Fatalf("an error of %d bytes: %.200s…", len(err.Error()), err)
		}
		return
	}
	if len(hs) == 0 {
		t.Fatal("accepted no bank holidays")
	}
	if err := checkBankHolidays(hs); err != nil {
		t.Fatalf("accepted what checkBankHolidays refuses: %v", err)
	}
	perYear := map[int]int{}
	for _, h := range hs {
		if fe := form.CheckName("name", h.Name, form.MaxShort, true); fe != nil {
			t.Fatalf("%s: name %q %s", h.Date, h.Name, fe.Message)
		}
		perYear[h.Date.Year]++
	}
	for y, n := range perYear {
		if n < minBankHolidaysPerYear || n > maxBankHolidaysPerYear {
			t.Fatalf("accepted %d bank holidays in %d", n, y)
		}
	}
	again, err := ParseBankHolidays(encodeGOVUK(t, hs))
	if err != nil {
		t.Fatalf("what it accepted, written again, is refused: %v", err)
	}
	if diff := cmp.Diff(hs, again); diff != "" {
		t.Fatalf("written again and read, the bank holidays changed (-first +second):\n%s", diff)
	}
}

// FuzzParseBankHolidays checks checkParseBankHolidays's property on
// files from outside (BANK_HOLIDAYS_FILE). The seeds are small: one year
// of GOV.UK's England and Wales events (TestParseBankHolidaysGOVUK reads
// the whole published file), and files it refuses.
func FuzzParseBankHolidays(f *testing.F) {
	for _, s := range []string{
		govukFile(eventsOf(nil, 2028)...),
		`{"england-and-wales":{"division":"england-and-wales","events":[` + strings.Join(eventsOf(func(_ int, e string) string {
			return strings.ReplaceAll(e, " ", "")
		}, 2027), ",") + `]}}`,
		govukFile(append(eventsOf(nil, 2028)[1:], `{"title":"x","date":"2028-01-01"}`)...),
		govukFile(append(eventsOf(nil, 2028), `{"title":"x","date":"2028-01-03"}`)...),
		govukFile(eventsOf(nil, 2028)[:7]...),
		`{"england-and-wales":{"division":"england-and-wales","events":[{"title":7,"date":"2028-01-03"}]}}`,
		`{"england-and-wales":{"division":"scotland","events":[]}}`,
		`{"scotland":{"division":"scotland","events":[]}}`,
		`[]`,
		`{"england-and-wales":`,
		"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) { checkParseBankHolidays(t, data) })
}
