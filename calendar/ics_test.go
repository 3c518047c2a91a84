package calendar

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	ics "github.com/arran4/golang-ical"
	"github.com/google/go-cmp/cmp"

	"github.com/cynllun/cynllun"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// trickyCalendar has text that iCalendar must escape or fold, notes of
// every reason left empty and three school years.
func trickyCalendar() *Calendar {
	long := string([]rune(strings.Repeat("Tymor ŵŷ âêîôû, ", 12))[:150]) + strings.Repeat("x", 50) // 200 characters
	c := &Calendar{
		ID:    "school/with odd;id",
		Name:  `Ysgol "Gŵyl", Caerdydd; ysgol\gynradd: 1–2`,
		Terms: yearsOfTerms(3),
		Closures: []Closure{
			{From: d("2025-09-01"), To: d("2025-09-01"), Reason: ReasonINSET},
			{From: d("2025-10-27"), To: d("2025-10-31"), Reason: ReasonHalfTerm},
			{From: d("2025-12-19"), To: d("2026-01-05"), Reason: ReasonClosure}, // runs over the holiday, touching both terms
			{From: d("2026-05-04"), To: d("2026-05-04"), Reason: ReasonBankHoliday},
			{From: d("2026-07-20"), To: d("2026-07-20"), Reason: ReasonClosure, Note: "Note with , ; : \\ \" ' < > and \\n (not a newline)"},
			{From: d("2027-02-15"), To: d("2027-02-19"), Reason: ReasonHalfTerm, Note: "Hanner tymor"},
		},
	}
	c.Terms[0].Name = long
	c.Terms[0].NameCy = "Tymor yr Hydref – " + strings.Repeat("ŵ", 100)
	c.Terms[1].NameCy = "Tymor y Gwanwyn"
	c.Terms[4].Name = "2027" // only a year: SUMMARY "2027 2027"
	return c
}

// forParse is c as ParseICS gives it back: sorted, with no ID or Source.
func forParse(c *Calendar) *Calendar {
	c = c.clone()
	c.ID, c.Source = "", ""
	c.Sort()
	return c
}

func TestICSRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    *Calendar
	}{
		{"cardiff", ForLA(cardiff)},
		{"school", schoolCalendar()},
		{"tricky text", trickyCalendar()},
		{"closures only", &Calendar{Name: "override", Closures: []Closure{{From: d("2025-09-01"), To: d("2025-09-02"), Reason: ReasonINSET}}}},
		{"one term, no name", &Calendar{Terms: []Term{{Name: "T", Start: d("2199-12-30"), End: d("2199-12-31")}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := tc.c.ICS()
			if err != nil {
				t.Fatalf("ICS: %v", err)
			}
			got, err := ParseICS(b)
			if err != nil {
				t.Fatalf("ParseICS: %v\n%s", err, b)
			}
			if diff := cmp.Diff(forParse(tc.c), got); diff != "" {
				t.Errorf("ICS then ParseICS (-want +got):\n%s", diff)
			}
			again, err := got.ICS()
			if err != nil {
				t.Fatal(err)
			}
			// Only the calendar's ID (in the UIDs) and Source are lost.
			noID := tc.c.clone()
			noID.ID, noID.Source = "", ""
			want, _ := noID.ICS()
			if !bytes.Equal(again, want) {
				t.Errorf("re-exporting the parsed calendar gives other bytes:\n%s\nwant:\n%s", again, want)
			}
		})
	}
}

func TestICSDeterministic(t *testing.T) {
	c := trickyCalendar()
	a, err := c.ICS()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := c.ICS()
	if !bytes.Equal(a, b) {
		t.Fatal("the same calendar gave different bytes")
	}
	// Closures in another order: the same bytes (ICS sorts a copy).
	shuffled := c.clone()
	shuffled.Closures[0], shuffled.Closures[5] = shuffled.Closures[5], shuffled.Closures[0]
	s, _ := shuffled.ICS()
	if !bytes.Equal(a, s) {
		t.Error("reordering the closures changed the bytes")
	}
	if shuffled.Closures[0].Reason != ReasonHalfTerm {
		t.Error("ICS sorted the caller's calendar")
	}
	// Another calendar ID: other UIDs, nothing else.
	other := c.clone()
	other.ID = "another"
	o, _ := other.ICS()
	if bytes.Equal(a, o) {
		t.Error("the calendar ID does not change the UIDs")
	}
	if uidless(a) != uidless(o) {
		t.Error("the calendar ID changed more than the UIDs")
	}
}

func uidless(b []byte) string {
	var keep []string
	for _, l := range strings.Split(string(b), "\r\n") {
		if !strings.HasPrefix(l, "UID:") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}

func TestICSFormat(t *testing.T) {
	b, err := ForLA(cardiff).ICS()
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	if !strings.HasPrefix(s, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Cynllun//Term calendar//EN\r\n") || !strings.HasSuffix(s, "END:VCALENDAR\r\n") {
		t.Errorf("not a VCALENDAR with Cynllun's PRODID:\n%s", s)
	}
	for _, want := range []string{"X-WR-CALNAME:Cardiff\r\n", "METHOD:PUBLISH\r\n", "CALSCALE:GREGORIAN\r\n"} {
		if !strings.Contains(s, want) {
			t.Errorf("no %q", want)
		}
	}
	lines := strings.SplitAfter(s, "\r\n")
	for i, l := range lines[:len(lines)-1] {
		if len(l) > 77 || strings.Count(l, "\n") != 1 {
			t.Errorf("line %d is %d octets or lacks CRLF: %q", i+1, len(l), l)
		}
	}

	// Parse it with golang-ical itself and look at the events.
	cal, err := ics.ParseCalendar(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	events := cal.Events()
	if len(events) != 8 {
		t.Fatalf("%d events, want 3 terms and 5 closures", len(events))
	}
	uids := map[string]bool{}
	for _, e := range events {
		uid := e.Id()
		if uid == "" || uids[uid] {
			t.Errorf("UID %q missing or repeated", uid)
		}
		uids[uid] = true
		if e.GetProperty(ics.ComponentPropertyDtstamp) == nil {
			t.Errorf("%s: no DTSTAMP", uid)
		}
	}
	prop := func(e *ics.VEvent, name string) string {
		p := e.GetProperty(ics.ComponentProperty(name))
		if p == nil {
			return ""
		}
		var params []string
		for k, v := range p.ICalParameters {
			params = append(params, k+"="+strings.Join(v, ","))
		}
		return strings.Join(append(params, p.Value), ":")
	}
	for _, tc := range []struct {
		event int
		want  map[string]string
	}{
		{0, map[string]string{
			"DTSTART": "VALUE=DATE:20250901", "DTEND": "VALUE=DATE:20251220",
			"SUMMARY": "LANGUAGE=en:Autumn term 2025", "CATEGORIES": "TERM",
			"X-CYNLLUN-NAME": "Autumn term", "X-CYNLLUN-NAME-CY": "LANGUAGE=cy:Tymor yr Hydref",
			"DTSTAMP": "20250901T000000Z", "TRANSP": "TRANSPARENT",
		}},
		{2, map[string]string{"DTSTART": "VALUE=DATE:20260413", "DTEND": "VALUE=DATE:20260721", "SUMMARY": "LANGUAGE=en:Summer term 2026"}},
		{3, map[string]string{
			"DTSTART": "VALUE=DATE:20251027", "DTEND": "VALUE=DATE:20251101",
			"SUMMARY": "Autumn half term", "CATEGORIES": "HALF_TERM", "X-CYNLLUN-NOTE": "Autumn half term",
		}},
		{5, map[string]string{"DTSTART": "VALUE=DATE:20260504", "DTEND": "VALUE=DATE:20260505", "CATEGORIES": "BANK_HOLIDAY"}},
	} {
		for name, want := range tc.want {
			if got := prop(events[tc.event], name); got != want {
				t.Errorf("event %d: %s = %q, want %q", tc.event, name, got, want)
			}
		}
	}
	// A closure without a note.
	c := schoolCalendar()
	b, _ = c.ICS()
	if !strings.Contains(string(b), "SUMMARY:Half term\r\nCATEGORIES:HALF_TERM\r\nTRANSP:TRANSPARENT\r\nX-CYNLLUN-NOTE:\r\n") {
		t.Errorf("a closure without a note:\n%s", b)
	}

	// The bytes for Cardiff are kept in testdata: a change (say, to
	// golang-ical's folding) shows here. Run with -update to accept one.
	golden := filepath.Join("testdata", "cardiff-2025-26.ics")
	if *update {
		if err := os.WriteFile(golden, b0(t), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got := b0(t); !bytes.Equal(got, want) {
		t.Errorf("ICS for Cardiff differs from %s (run go test -update to accept):\n%s", golden, got)
	}
}

func b0(t *testing.T) []byte {
	b, err := ForLA(cardiff).ICS()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestICSRejectsInvalid(t *testing.T) {
	c := schoolCalendar()
	c.Terms[1].Name = ""
	_, err := c.ICS()
	var e *cynllun.Error
	if !errors.As(err, &e) || e.Code != cynllun.CodeInvalid || len(e.Fields) != 1 || e.Fields[0].Field != "terms.1.name" {
		t.Errorf("ICS of an invalid calendar: %v", err)
	}
	if _, err := (*Calendar)(nil).ICS(); cynllun.ErrorCode(err) != cynllun.CodeInvalid {
		t.Errorf("ICS of nil: %v", err)
	}
}

// A school's calendar as Google Calendar exports it: all-day events with a
// SUMMARY only. Holidays between terms are not term and are dropped; the
// cancelled event is ignored.
func TestParseICSGoogleExport(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "google-export.ics"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseICS(data)
	if err != nil {
		t.Fatal(err)
	}
	want := &Calendar{
		Name: "Ysgol Gynradd Enghraifft – Term Dates 2025-26",
		Terms: []Term{
			{Name: "Autumn Term", Start: d("2025-09-01"), End: d("2025-12-19")},
			{Name: "Spring Term", Start: d("2026-01-05"), End: d("2026-03-27")},
			{Name: "Summer Term", Start: d("2026-04-13"), End: d("2026-07-20")},
		},
		Closures: []Closure{
			{From: d("2025-09-01"), To: d("2025-09-01"), Reason: ReasonINSET, Note: "INSET Day"},
			{From: d("2025-10-25"), To: d("2025-11-02"), Reason: ReasonHalfTerm, Note: "Half Term"},
			{From: d("2026-01-05"), To: d("2026-01-05"), Reason: ReasonINSET, Note: "Training Day"},
			{From: d("2026-02-16"), To: d("2026-02-20"), Reason: ReasonHalfTerm, Note: "Half-term"},
			{From: d("2026-05-04"), To: d("2026-05-04"), Reason: ReasonBankHoliday, Note: "Early May Bank Holiday"},
			{From: d("2026-05-25"), To: d("2026-05-29"), Reason: ReasonHalfTerm, Note: "Hanner Tymor"},
			{From: d("2026-07-20"), To: d("2026-07-20"), Reason: ReasonINSET, Note: "Diwrnod HMS"},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParseICS (-want +got):\n%s", diff)
	}
	// Merged with Cardiff's calendar it keeps the school's dates and gains
	// the spring bank holiday.
	eff := Effective(ForLA(cardiff), got)
	if errs := Validate(eff); errs != nil {
		t.Fatal(errs)
	}
	if eff.SchoolDay(d("2026-05-25")) || eff.SchoolDay(d("2025-09-01")) || !eff.SchoolDay(d("2025-09-02")) || eff.SchoolDay(d("2025-10-31")) {
		t.Error("the merged calendar has the wrong school days")
	}
}

// misExport is in the style of a school MIS's export: LF line endings,
// lower-case names, one-day events without DTEND or with DTEND equal to
// DTSTART, a DURATION, CATEGORIES in lower case, Welsh summaries and no
// calendar name.
const misExport = "BEGIN:VCALENDAR\n" +
	"VERSION:2.0\n" +
	"PRODID:-//Example MIS//Calendar Export 7.1//EN\n" +
	"BEGIN:VEVENT\nUID:1\ndtstart;value=date:20250901\ndtend;value=date:20251220\nsummary:Tymor yr Hydref\nEND:VEVENT\n" +
	"BEGIN:VEVENT\nUID:2\nDTSTART:20250901\nSUMMARY:Staff day\nCATEGORIES:Staff,inset\nEND:VEVENT\n" +
	"BEGIN:VEVENT\nUID:3\nDTSTART;VALUE=DATE:20251027\nDURATION:P1W\nSUMMARY:Hanner tymor yr hydref\nEND:VEVENT\n" +
	"BEGIN:VEVENT\nUID:4\nDTSTART;VALUE=DATE:20251201\nDTEND;VALUE=DATE:20251201\nSUMMARY:Ysgol ar gau – etholiad\nEND:VEVENT\n" +
	"BEGIN:VEVENT\nUID:5\nDTSTART;VALUE=DATE:20251222\nDTEND;VALUE=DATE:20260105\nSUMMARY:Gwyliau'r Nadolig\nEND:VEVENT\n" +
	"BEGIN:VEVENT\nUID:6\nDTSTART;VALUE=DATE:20251225\nSUMMARY:Christmas Day\nEND:VEVENT\n" +
	"BEGIN:VEVENT\nUID:7\nDTSTART;VALUE=DATE:20251208\nSUMMARY:Gŵyl y Banc (example)\nEND:VEVENT\n" +
	"BEGIN:VEVENT\nUID:8\nDTSTART;VALUE=DATE:20251002\nDTEND;VALUE=DATE:20251004\nSUMMARY:Training days\nEND:VEVENT\n" +
	"BEGIN:VEVENT\nUID:9\nDTSTART;VALUE=DATE:20251110\nSUMMARY:  Boiler repairs  \nCATEGORIES:CLOSURE\nEND:VEVENT\n" +
	"BEGIN:VTODO\nUID:10\nSUMMARY:Send the newsletter\nEND:VTODO\n" +
	"END:VCALENDAR\n"

func TestParseICSMISExport(t *testing.T) {
	got, err := ParseICS([]byte(misExport))
	if err != nil {
		t.Fatal(err)
	}
	want := &Calendar{
		Terms: []Term{{Name: "Tymor yr Hydref", Start: d("2025-09-01"), End: d("2025-12-19")}},
		Closures: []Closure{
			{From: d("2025-09-01"), To: d("2025-09-01"), Reason: ReasonINSET, Note: "Staff day"}, // by its CATEGORIES
			{From: d("2025-10-02"), To: d("2025-10-03"), Reason: ReasonINSET, Note: "Training days"},
			{From: d("2025-10-27"), To: d("2025-11-02"), Reason: ReasonHalfTerm, Note: "Hanner tymor yr hydref"},
			{From: d("2025-11-10"), To: d("2025-11-10"), Reason: ReasonClosure, Note: "Boiler repairs"},
			{From: d("2025-12-01"), To: d("2025-12-01"), Reason: ReasonClosure, Note: "Ysgol ar gau – etholiad"},
			{From: d("2025-12-08"), To: d("2025-12-08"), Reason: ReasonBankHoliday, Note: "Gŵyl y Banc (example)"},
			// The Christmas holiday and Christmas Day are outside the term.
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParseICS (-want +got):\n%s", diff)
	}
}

// A file of closures only (INSET days for an LA's terms) keeps them all,
// holidays too: there are no terms in the file to say they are outside.
func TestParseICSClosuresOnly(t *testing.T) {
	got, err := ParseICS(icsDoc(
		vevent("DTSTART;VALUE=DATE:20250901", "SUMMARY:INSET day"),
		vevent("DTSTART;VALUE=DATE:20251222", "DTEND;VALUE=DATE:20260105", "SUMMARY:Christmas holidays"),
	))
	if err != nil {
		t.Fatal(err)
	}
	want := &Calendar{Name: "Zebra calendar", Closures: []Closure{
		{From: d("2025-09-01"), To: d("2025-09-01"), Reason: ReasonINSET, Note: "INSET day"},
		{From: d("2025-12-22"), To: d("2026-01-04"), Reason: ReasonClosure, Note: "Christmas holidays"},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParseICS (-want +got):\n%s", diff)
	}
}

// icsDoc is an iCalendar file of the given components; vevent is one
// event. Both carry "Zebra", which no error message may repeat.
func icsDoc(components ...string) []byte {
	return []byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Zebra//EN\r\nX-WR-CALNAME:Zebra calendar\r\n" +
		strings.Join(components, "") + "END:VCALENDAR\r\n")
}

func vevent(props ...string) string {
	return "BEGIN:VEVENT\r\nUID:zebra\r\n" + strings.Join(props, "\r\n") + "\r\nEND:VEVENT\r\n"
}

// autumn is a good first event for the cases below.
var autumn = vevent("DTSTART;VALUE=DATE:20250901", "DTEND;VALUE=DATE:20251220", "SUMMARY:Zebra autumn term")

func TestParseICSRejects(t *testing.T) {
	var manyEvents, manyTerms, manyBad strings.Builder
	for range MaxICSEvents + 1 {
		manyEvents.WriteString(vevent("DTSTART;VALUE=DATE:20250902", "SUMMARY:INSET"))
	}
	for _, term := range yearsOfTerms(21) {
		manyTerms.WriteString(vevent("DTSTART;VALUE=DATE:"+term.Start.Time().Format("20060102"),
			"DTEND;VALUE=DATE:"+term.End.AddDays(1).Time().Format("20060102"), "SUMMARY:Zebra term"))
	}
	for range 60 {
		manyBad.WriteString(vevent("DTSTART:20250902T090000Z", "SUMMARY:Zebra term"))
	}
	oversize := append(icsDoc(autumn), bytes.Repeat([]byte(" "), MaxICSBytes)...)
	deep := string(icsDoc(autumn))
	deep = strings.Replace(deep, "END:VCALENDAR", strings.Repeat("BEGIN:X-ZEBRA\r\n", 10)+strings.Repeat("END:X-ZEBRA\r\n", 10)+"END:VCALENDAR", 1)

	for _, tc := range []struct {
		name       string
		data       []byte
		field, msg string
	}{
		// The file as a whole.
		{"empty", nil, "ics", "is empty"},
		{"not iCalendar", []byte("Zebra crossing\r\n"), "ics", "not a valid iCalendar"},
		{"JSON", []byte(`{"zebra": 1}`), "ics", "not a valid iCalendar"},
		{"vCard", []byte("BEGIN:VCARD\r\nFN:Zebra\r\nEND:VCARD\r\n"), "ics", "not a valid iCalendar"},
		{"no END:VCALENDAR", bytes.TrimSuffix(icsDoc(autumn), []byte("END:VCALENDAR\r\n")), "ics", "ends before the end"},
		{"cut off inside an event", bytes.TrimSuffix(icsDoc(autumn), []byte("END:VEVENT\r\nEND:VCALENDAR\r\n")), "ics", "ends before the end"},
		{"cut off inside a line", icsDoc(autumn)[:60], "ics", "ends before the end"},
		{"something after the end", append(icsDoc(autumn), "Zebra: yes\r\n"...), "ics", "after the end"},
		{"a second calendar", append(icsDoc(autumn), icsDoc(autumn)...), "ics", "after the end"},
		{"a line without a colon", icsDoc(vevent("DTSTART;VALUE=DATE:20250901", "Zebra")), "ics", "not a valid iCalendar"},
		{"END without BEGIN", icsDoc(autumn, "END:VEVENT\r\n"), "ics", "not a valid iCalendar"},
		{"mismatched END", icsDoc("BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20250901\r\nEND:VTODO\r\n"), "ics", "not a valid iCalendar"},
		{"calendar in a calendar", icsDoc("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"), "ics", "not a valid iCalendar"},
		{"bad parameter", icsDoc(vevent("DTSTART;VALUE=DA\"TE:20250901", "SUMMARY:INSET")), "ics", "not a valid iCalendar"},
		{"nested too deeply", []byte(deep), "ics", "too deeply"},
		{"not UTF-8", icsDoc(vevent("DTSTART;VALUE=DATE:20250901", "SUMMARY:Zebra \xff term")), "ics", "UTF-8"},
		{"too large", oversize, "ics", "too large"},
		{"too many events", icsDoc(autumn, manyEvents.String()), "ics", "too many events"},
		{"no events", icsDoc(), "ics", "no terms or closures"},
		{"only cancelled events", icsDoc(vevent("DTSTART;VALUE=DATE:20250901", "SUMMARY:INSET", "STATUS:CANCELLED")), "ics", "no terms or closures"},

		// One event.
		{"timed event", icsDoc(autumn, vevent("DTSTART:20250902T090000Z", "DTEND:20250902T100000Z", "SUMMARY:Zebra INSET")),
			"ics.events.1.dtstart", "event 2 in the file (counting from 1) is a timed event"},
		{"timed event with TZID", icsDoc(autumn, vevent("DTSTART;TZID=Europe/London:20250902T090000", "SUMMARY:INSET")),
			"ics.events.1.dtstart", "timed event"},
		{"timed event with an unknown TZID", icsDoc(autumn, vevent("DTSTART;TZID=../../zebra:20250902T090000", "SUMMARY:INSET")),
			"ics.events.1.dtstart", "timed event"},
		{"VALUE=DATE-TIME", icsDoc(autumn, vevent("DTSTART;VALUE=DATE-TIME:20250902", "SUMMARY:INSET")),
			"ics.events.1.dtstart", "timed event"},
		{"date start, timed end", icsDoc(autumn, vevent("DTSTART;VALUE=DATE:20250902", "DTEND:20250902T100000Z", "SUMMARY:INSET")),
			"ics.events.1.dtend", "must be a date"},
		{"DTEND before DTSTART", icsDoc(autumn, vevent("DTSTART;VALUE=DATE:20250905", "DTEND;VALUE=DATE:20250902", "SUMMARY:INSET")),
			"ics.events.1.dtend", "before the start"},
		{"no such date", icsDoc(autumn, vevent("DTSTART;VALUE=DATE:20250230", "SUMMARY:INSET")),
			"ics.events.1.dtstart", "real date"},
		{"date with a zone", icsDoc(autumn, vevent("DTSTART;VALUE=DATE:20250902Z", "SUMMARY:INSET")),
			"ics.events.1.dtstart", "real date"},
		{"year 1899", icsDoc(vevent("DTSTART;VALUE=DATE:18990901", "SUMMARY:Zebra term")),
			"ics.events.0.dtstart", "real date"},
		{"last day in 2200", icsDoc(vevent("DTSTART;VALUE=DATE:21991231", "DTEND;VALUE=DATE:22000102", "SUMMARY:Zebra term")),
			"ics.events.0.dtend", "between 1900 and 2199"},
		{"VALUE=TEXT", icsDoc(autumn, vevent("DTSTART;VALUE=TEXT:20250902", "SUMMARY:INSET")),
			"ics.events.1.dtstart", "real date"},
		{"no DTSTART", icsDoc(autumn, vevent("DTEND;VALUE=DATE:20250905", "SUMMARY:INSET")),
			"ics.events.1.dtstart", "is missing"},
		{"two DTSTARTs", icsDoc(autumn, vevent("DTSTART;VALUE=DATE:20250902", "DTSTART;VALUE=DATE:20250903", "SUMMARY:INSET")),
			"ics.events.1.dtstart", "more than once"},
		{"two SUMMARYs", icsDoc(autumn, vevent("DTSTART;VALUE=DATE:20250902", "SUMMARY:INSET", "summary:Zebra")),
			"ics.events.1.summary", "more than once"},
		{"DTEND and DURATION", icsDoc(autumn, vevent("DTSTART;VALUE=DATE:20250902", "DTEND;VALUE=DATE:20250903", "DURATION:P1D", "SUMMARY:INSET")),
			"ics.events.1.duration", "as well as DTEND"},
		{"DURATION in hours", icsDoc(autumn, vevent("DTSTART;VALUE=DATE:20250902", "DURATION:PT1H", "SUMMARY:INSET")),
			"ics.events.1.duration", "whole number of days"},
		{"DURATION of no days", icsDoc(autumn, vevent("DTSTART;VALUE=DATE:20250902", "DURATION:P0D", "SUMMARY:INSET")),
			"ics.events.1.duration", "whole number of days"},
		{"repeating event", icsDoc(autumn, vevent("DTSTART;VALUE=DATE:20250902", "RRULE:FREQ=WEEKLY;COUNT=3", "SUMMARY:INSET")),
			"ics.events.1.rrule", "repeating event"},
		{"two categories", icsDoc(autumn, vevent("DTSTART;VALUE=DATE:20250902", "CATEGORIES:INSET,closure", "SUMMARY:Zebra")),
			"ics.events.1.categories", "more than one"},
		{"two CATEGORIES properties", icsDoc(autumn, vevent("DTSTART;VALUE=DATE:20250902", "CATEGORIES:INSET", "CATEGORIES:TERM", "SUMMARY:Zebra")),
			"ics.events.1.categories", "more than one"},
		{"unrecognised summary", icsDoc(autumn, vevent("DTSTART;VALUE=DATE:20250902", "SUMMARY:Zebra sports day")),
			"ics.events.1.summary", "not recognised"},
		{"no summary", icsDoc(autumn, vevent("DTSTART;VALUE=DATE:20250902")),
			"ics.events.1.summary", "not recognised"},
		{"unknown category and summary", icsDoc(autumn, vevent("DTSTART;VALUE=DATE:20250902", "CATEGORIES:Zebra", "SUMMARY:Parents' evening")),
			"ics.events.1.summary", "not recognised"},
		{"half term and INSET", icsDoc(autumn, vevent("DTSTART;VALUE=DATE:20251103", "SUMMARY:INSET day after half term")),
			"ics.events.1.summary", "more than one kind of closure"},
		{"last day of term", icsDoc(autumn, vevent("DTSTART;VALUE=DATE:20251219", "SUMMARY:Last day of term")),
			"ics.events.1.summary", "start or end of a term"},
		{"term starts", icsDoc(vevent("DTSTART;VALUE=DATE:20250901", "SUMMARY:Autumn term starts")),
			"ics.events.0.summary", "start or end of a term"},
		{"Welsh: diwedd y tymor", icsDoc(autumn, vevent("DTSTART;VALUE=DATE:20251219", "SUMMARY:Diwedd y tymor")),
			"ics.events.1.summary", "start or end of a term"},
		{"only the bad events are counted", icsDoc(autumn, vevent("DTSTART;VALUE=DATE:20250902", "SUMMARY:INSET"), "BEGIN:VTODO\r\nEND:VTODO\r\n",
			vevent("DTSTART:20250903T090000", "SUMMARY:INSET")), "ics.events.2.dtstart", "event 3 in the file"},
		{"many bad events", icsDoc(autumn, manyBad.String()), "ics", "more problems than are shown"},

		// Validate's errors, mapped to the events.
		{"overlapping terms", icsDoc(autumn, vevent("DTSTART;VALUE=DATE:20251201", "DTEND;VALUE=DATE:20260328", "SUMMARY:Zebra spring term")),
			"ics.events.1.dtstart", "must be after the end of the previous term"},
		{"terms in the file's order are sorted first", icsDoc(vevent("DTSTART;VALUE=DATE:20251201", "DTEND;VALUE=DATE:20260328", "SUMMARY:Zebra spring term"), autumn),
			"ics.events.0.dtstart", "must be after the end of the previous term"},
		{"term without a name", icsDoc(vevent("DTSTART;VALUE=DATE:20250901", "CATEGORIES:TERM")),
			"ics.events.0.summary", "is required"},
		{"term name too long", icsDoc(vevent("DTSTART;VALUE=DATE:20250901", "SUMMARY:Zebra term "+strings.Repeat("z", 200))),
			"ics.events.0.summary", "at most 200 characters"},
		{"term name with a line break", icsDoc(vevent("DTSTART;VALUE=DATE:20250901", `SUMMARY:Zebra\nterm`, "CATEGORIES:TERM")),
			"ics.events.0.summary", "single line"},
		{"Welsh name with a control character", icsDoc(vevent("DTSTART;VALUE=DATE:20250901", "SUMMARY:Zebra term", "X-CYNLLUN-NAME-CY:Tymor\x01")),
			"ics.events.0.x-cynllun-name-cy", "control character"},
		{"note with a control character", icsDoc(autumn, vevent("DTSTART;VALUE=DATE:20250902", "SUMMARY:INSET\x02 zebra")),
			"ics.events.1.summary", "control character"},
		{"closures overlap with the same reason", icsDoc(autumn, vevent("DTSTART;VALUE=DATE:20250902", "SUMMARY:INSET"), vevent("DTSTART;VALUE=DATE:20250902", "SUMMARY:Zebra training day")),
			"ics.events.2", "overlaps another closure"},
		{"calendar name too long", bytes.Replace(icsDoc(autumn), []byte("Zebra calendar"), []byte(strings.Repeat("Zebra ", 40)), 1),
			"ics.x-wr-calname", "at most 200 characters"},
		{"too many terms", icsDoc(manyTerms.String()), "ics", "at most 60"},
		{"a year without terms", icsDoc(autumn, vevent("DTSTART;VALUE=DATE:20270901", "DTEND;VALUE=DATE:20271220", "SUMMARY:Zebra autumn term")),
			"ics.events.1.dtstart", "no terms"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := ParseICS(tc.data)
			if err == nil {
				t.Fatalf("ParseICS succeeded: %+v", c)
			}
			var e *cynllun.Error
			if !errors.As(err, &e) || e.Code != cynllun.CodeInvalid {
				t.Fatalf("ParseICS: %v; want an INVALID *cynllun.Error", err)
			}
			found := false
			for _, f := range e.Fields {
				if !strings.HasPrefix(f.Field, "ics") {
					t.Errorf("field %q is not in the file", f.Field)
				}
				if f.Field == tc.field && strings.Contains(f.Message, tc.msg) {
					found = true
				}
			}
			if !found {
				t.Errorf("ParseICS: %v; want %s: ...%s...", err, tc.field, tc.msg)
			}
			if s := strings.ToLower(err.Error()); strings.Contains(s, "zebra") || strings.Contains(s, "parents") {
				t.Errorf("the error repeats the file: %v", err)
			}
			if len(e.Fields) > maxICSErrors+1 {
				t.Errorf("%d field errors", len(e.Fields))
			}
		})
	}
}

// Details of reading events that are not errors.
func TestParseICSEvents(t *testing.T) {
	for _, tc := range []struct {
		name  string
		event string
		want  []Closure // besides the autumn term
	}{
		{"no DTEND: one day", vevent("DTSTART;VALUE=DATE:20250902", "SUMMARY:INSET"),
			[]Closure{{From: d("2025-09-02"), To: d("2025-09-02"), Reason: ReasonINSET, Note: "INSET"}}},
		{"DTEND equal to DTSTART: one day", vevent("DTSTART;VALUE=DATE:20250902", "DTEND;VALUE=DATE:20250902", "SUMMARY:INSET"),
			[]Closure{{From: d("2025-09-02"), To: d("2025-09-02"), Reason: ReasonINSET, Note: "INSET"}}},
		{"DURATION in days", vevent("DTSTART;VALUE=DATE:20250902", "DURATION:P3D", "SUMMARY:INSET"),
			[]Closure{{From: d("2025-09-02"), To: d("2025-09-04"), Reason: ReasonINSET, Note: "INSET"}}},
		{"DTSTART without VALUE", vevent("DTSTART:20250902", "SUMMARY:INSET"),
			[]Closure{{From: d("2025-09-02"), To: d("2025-09-02"), Reason: ReasonINSET, Note: "INSET"}}},
		{"categories beat the summary", vevent("DTSTART;VALUE=DATE:20250902", "SUMMARY:Half term", "CATEGORIES:Work,Bank_Holiday"),
			[]Closure{{From: d("2025-09-02"), To: d("2025-09-02"), Reason: ReasonBankHoliday, Note: "Half term"}}},
		{"a half term holiday is a half term", vevent("DTSTART;VALUE=DATE:20251027", "DTEND;VALUE=DATE:20251101", "SUMMARY:October half-term holiday"),
			[]Closure{{From: d("2025-10-27"), To: d("2025-10-31"), Reason: ReasonHalfTerm, Note: "October half-term holiday"}}},
		{"a holiday inside a term is a closure", vevent("DTSTART;VALUE=DATE:20251124", "SUMMARY:Extra holiday"),
			[]Closure{{From: d("2025-11-24"), To: d("2025-11-24"), Reason: ReasonClosure, Note: "Extra holiday"}}},
		{"a holiday overlapping a term's end", vevent("DTSTART;VALUE=DATE:20251219", "DTEND;VALUE=DATE:20260105", "SUMMARY:Christmas break"),
			[]Closure{{From: d("2025-12-19"), To: d("2026-01-04"), Reason: ReasonClosure, Note: "Christmas break"}}},
		{"a holiday between terms is dropped", vevent("DTSTART;VALUE=DATE:20251222", "DTEND;VALUE=DATE:20260105", "SUMMARY:Christmas holidays"), nil},
		{"a bank holiday outside the terms is dropped", vevent("DTSTART;VALUE=DATE:20250825", "SUMMARY:Summer bank holiday"), nil},
		{"Welsh without accents", vevent("DTSTART;VALUE=DATE:20250908", "SUMMARY:Gwyl Banc"),
			[]Closure{{From: d("2025-09-08"), To: d("2025-09-08"), Reason: ReasonBankHoliday, Note: "Gwyl Banc"}}},
		{"Welsh INSET", vevent("DTSTART;VALUE=DATE:20250908", "SUMMARY:DIWRNOD HYFFORDDIANT"),
			[]Closure{{From: d("2025-09-08"), To: d("2025-09-08"), Reason: ReasonINSET, Note: "DIWRNOD HYFFORDDIANT"}}},
		{"closed", vevent("DTSTART;VALUE=DATE:20250908", "SUMMARY:School closed (snow)"),
			[]Closure{{From: d("2025-09-08"), To: d("2025-09-08"), Reason: ReasonClosure, Note: "School closed (snow)"}}},
		{"X-CYNLLUN-NOTE beats the summary", vevent("DTSTART;VALUE=DATE:20250908", "SUMMARY:INSET day", "X-CYNLLUN-NOTE:"),
			[]Closure{{From: d("2025-09-08"), To: d("2025-09-08"), Reason: ReasonINSET}}},
		{"a VALARM is ignored", vevent("DTSTART;VALUE=DATE:20250908", "SUMMARY:INSET", "BEGIN:VALARM", "TRIGGER:-PT15M", "ACTION:DISPLAY", "END:VALARM"),
			[]Closure{{From: d("2025-09-08"), To: d("2025-09-08"), Reason: ReasonINSET, Note: "INSET"}}},
		{"a cancelled event is ignored", vevent("DTSTART:20250908T090000", "SUMMARY:Zebra", "STATUS:CANCELLED"), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseICS(icsDoc(autumn, tc.event))
			if err != nil {
				t.Fatal(err)
			}
			want := &Calendar{
				Name:     "Zebra calendar",
				Terms:    []Term{{Name: "Zebra autumn term", Start: d("2025-09-01"), End: d("2025-12-19")}},
				Closures: tc.want,
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("ParseICS (-want +got):\n%s", diff)
			}
		})
	}
}
