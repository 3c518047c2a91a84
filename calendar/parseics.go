package calendar

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	ics "github.com/arran4/golang-ical"
	"golang.org/x/text/unicode/norm"

	"github.com/cynllun/cynllun"
)

const (
	// maxICSErrors is the most field errors ParseICS returns.
	maxICSErrors = 50
	// maxICSComponents and maxICSDepth bound the components of a file
	// (golang-ical parses nested components recursively).
	maxICSComponents = 4 * MaxICSEvents
	maxICSDepth      = 5
	// maxICSDurationDays bounds a DURATION.
	maxICSDurationDays = 3660
)

// ParseICS reads an iCalendar (RFC 5545) file, such as one exported by ICS,
// by a school's management information system or by Google Calendar, into
// a Calendar. The rules:
//
//   - The file is at most MaxICSBytes (1 MiB) of UTF-8 (a leading byte
//     order mark is ignored), holds one VCALENDAR and at most MaxICSEvents
//     (2000) VEVENTs. Other components (VTIMEZONE, VTODO, VALARM, ...) are
//     ignored, and so are events with STATUS:CANCELLED.
//   - Every event is all-day: DTSTART;VALUE=DATE (or a bare YYYYMMDD).
//     A timed event is an error, as is a repeating one (RRULE, RDATE,
//     EXRULE, RECURRENCE-ID): list each day or run of days as its own event.
//     DTEND (VALUE=DATE) is exclusive, the day after the last day; a DTEND
//     equal to DTSTART, which some programs write, is taken as one day; a
//     DTEND before DTSTART is an error. Instead of DTEND there may be a
//     DURATION of whole days or weeks (P3D, P1W). With neither, the event
//     is one day.
//   - An event is a term or a closure by its CATEGORIES when they hold one
//     of TERM, HALF_TERM, BANK_HOLIDAY, INSET and CLOSURE (in any case;
//     more than one of them is an error). Otherwise by the words of its
//     SUMMARY, in English and Welsh, ignoring case and accents (so "gwyl"
//     matches "gŵyl"), in this order:
//     "half term", "hanner tymor" → HALF_TERM;
//     "INSET", "training day", "staff development", "HMS", "diwrnod
//     hyfforddiant" → INSET;
//     "bank holiday", "gŵyl banc", "gŵyl y banc" and the names of the bank
//     holidays ("Easter Monday", "Llun y Pasg", ...) → BANK_HOLIDAY;
//     (more than one of these three is ambiguous: an error);
//     "holiday(s)", "hols", "vacation", "break", "gwyliau", "closed",
//     "closure", "ar gau" → CLOSURE (see the next rule);
//     "term", "tymor" → a term, but not when it also says "start", "end",
//     "first day", "last day", "dechrau", "diwedd" and the like: such an
//     event marks a day of a term, not the whole term, and is an error.
//     Anything else ("Sports day", "Parents' evening") is an error rather
//     than a guess: a closure made up from it would move statutory
//     deadlines. Set CATEGORIES, rename it or remove it.
//   - Holidays between terms are simply not term: a closure (of any
//     reason) that shares no day with a term of the file is dropped when
//     the file has terms in its school year ("Christmas holidays", the
//     summer bank holiday in August). In a school year with no terms in
//     the file it is kept, as an override's closures (INSET days to add to
//     an LA's terms; see Effective).
//   - A term's name is its X-CYNLLUN-NAME when there is one (as ICS
//     writes), else its SUMMARY; its Welsh name is X-CYNLLUN-NAME-CY. A
//     closure's note is its X-CYNLLUN-NOTE, else its SUMMARY. Names and
//     notes are trimmed of spaces. The calendar's Name is X-WR-CALNAME,
//     else NAME. ID and Source are left empty for the caller to set: a file
//     does not choose which calendar it is. Bank holidays are not added
//     (Effective adds them).
//   - The result is sorted and must pass Validate. A file with no terms or
//     closures left is an error.
//
// Every error is a *cynllun.Error with code INVALID. Its fields are "ics"
// for the file as a whole, "ics.x-wr-calname" for its name, or
// "ics.events.N" and "ics.events.N.dtstart" (dtend, duration, summary,
// categories, rrule, x-cynllun-name, x-cynllun-name-cy, x-cynllun-note)
// for the Nth VEVENT in the file, counting from 0; Validate's errors are
// mapped to the events they are about. Messages never quote the file.
func ParseICS(data []byte) (*Calendar, error) {
	const op = "calendar.ParseICS"
	whole := func(msg string) error {
		return cynllun.Invalid(op, cynllun.FieldError{Field: "ics", Message: msg})
	}
	switch {
	case len(data) == 0:
		return nil, whole("is empty")
	case len(data) > MaxICSBytes:
		return nil, whole("is too large: at most 1 MiB is allowed")
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	if !utf8.Valid(data) {
		return nil, whole("is not UTF-8 text")
	}
	if msg := prescan(data); msg != "" {
		return nil, whole(msg)
	}
	cal, err := ics.ParseCalendarWithOptions(bytes.NewReader(data),
		ics.WithUnknownPropertyHandler(ics.AcceptUnknownPropertyHandler))
	if err != nil || cal == nil {
		return nil, whole("is not a valid iCalendar file")
	}

	var errs []cynllun.FieldError
	var terms, closures []icsEvent
	pos := 0
	for _, co := range cal.Components {
		cb, ok := eventBase(co)
		if !ok {
			continue
		}
		ev, fe := readEvent(cb, pos)
		pos++
		errs = append(errs, fe...)
		switch {
		case len(fe) > 0 || ev.skip:
		case ev.term:
			terms = append(terms, ev)
		default:
			closures = append(closures, ev)
		}
	}
	if len(errs) > 0 {
		return nil, cynllun.Invalid(op, capErrors(errs)...)
	}

	slices.SortStableFunc(terms, func(a, b icsEvent) int {
		if n := compare(a.first, b.first); n != 0 {
			return n
		}
		return compare(a.last, b.last)
	})
	slices.SortStableFunc(closures, func(a, b icsEvent) int { return compareClosures(a.closure(), b.closure()) })

	c := &Calendar{Name: calendarName(cal)}
	var termPos, closurePos []int
	years := map[int]bool{}
	for _, t := range terms {
		c.Terms = append(c.Terms, Term{Name: t.name, NameCy: t.nameCy, Start: t.first, End: t.last})
		termPos = append(termPos, t.pos)
		years[schoolYear(t.first)] = true
	}
	for _, e := range closures {
		cl := e.closure()
		if yearsHaveTerms(years, cl) &&
			!slices.ContainsFunc(c.Terms, func(t Term) bool { return overlaps(t.Start, t.End, cl.From, cl.To) }) {
			continue // a holiday between terms
		}
		c.Closures = append(c.Closures, cl)
		closurePos = append(closurePos, e.pos)
	}
	if len(c.Terms) == 0 && len(c.Closures) == 0 {
		return nil, whole("holds no terms or closures")
	}
	if fe := Validate(c); fe != nil {
		for i := range fe {
			fe[i].Field = icsField(fe[i].Field, termPos, closurePos)
		}
		return nil, cynllun.Invalid(op, capErrors(fe)...)
	}
	return c, nil
}

// icsEvent is a VEVENT read by readEvent.
type icsEvent struct {
	pos         int  // among the file's VEVENTs, from 0
	skip        bool // cancelled
	term        bool // else a closure
	first, last cynllun.Date
	name        string // a term's
	nameCy      string // a term's
	note        string // a closure's
	reason      ClosureReason
}

func (e icsEvent) closure() Closure {
	return Closure{From: e.first, To: e.last, Reason: e.reason, Note: e.note}
}

// eventBase returns the properties of co when it is a VEVENT.
func eventBase(co ics.Component) (*ics.ComponentBase, bool) {
	switch v := co.(type) {
	case *ics.VEvent:
		return &v.ComponentBase, true
	case *ics.GeneralComponent:
		// golang-ical matches component names case-sensitively; RFC 5545
		// does not.
		if strings.EqualFold(v.Token, string(ics.ComponentVEvent)) {
			return &v.ComponentBase, true
		}
	}
	return nil, false
}

// readEvent reads the VEVENT at position pos; an event with errors is not
// used.
func readEvent(cb *ics.ComponentBase, pos int) (icsEvent, []cynllun.FieldError) {
	ev := icsEvent{pos: pos}
	base := "ics.events." + strconv.Itoa(pos)
	nth := fmt.Sprintf("event %d in the file (counting from 1)", pos+1)
	var errs []cynllun.FieldError
	add := func(sub, msg string) {
		f := base
		if sub != "" {
			f += "." + sub
		}
		errs = append(errs, cynllun.FieldError{Field: f, Message: msg})
	}
	// one returns the property name, reporting it when it is repeated.
	one := func(name string) *ics.IANAProperty {
		ps := properties(cb, name)
		if len(ps) > 1 {
			add(strings.ToLower(name), "appears more than once in "+nth)
		}
		if len(ps) == 0 {
			return nil
		}
		return ps[0]
	}

	for _, p := range properties(cb, "STATUS") {
		if strings.EqualFold(icsText(p.Value), "CANCELLED") {
			ev.skip = true
			return ev, nil
		}
	}
	for _, name := range []string{"RRULE", "RDATE", "EXRULE", "RECURRENCE-ID"} {
		if len(properties(cb, name)) > 0 {
			add("rrule", nth+" is a repeating event, which cannot be read: give each day or run of days as its own event")
			break
		}
	}

	// Dates.
	start := one("DTSTART")
	end := one("DTEND")
	dur := one("DURATION")
	switch first, kind := icsDate(start); {
	case start == nil:
		add("dtstart", "is missing from "+nth)
	case kind == dateTimed:
		add("dtstart", nth+" is a timed event: only all-day events (DTSTART;VALUE=DATE) can be read")
	case kind == dateBad:
		add("dtstart", "must be a real date in 1900–2199, written YYYYMMDD, in "+nth)
	default:
		ev.first, ev.last = first, first
		switch {
		case end != nil && dur != nil:
			add("duration", "must not be given as well as DTEND, in "+nth)
		case end != nil:
			switch last, kind := icsDate(end); {
			case kind == dateTimed:
				add("dtend", "must be a date (VALUE=DATE), as the start is, in "+nth)
			case kind == dateBad:
				add("dtend", "must be a real date in 1900–2199, written YYYYMMDD, in "+nth)
			case last.Before(first):
				add("dtend", "is before the start in "+nth+" (DTEND is the day after the event's last day)")
			case last.After(first):
				ev.last = last.AddDays(-1)
			}
		case dur != nil:
			n, ok := icsDurationDays(dur.Value)
			if !ok {
				add("duration", "must be a whole number of days or weeks, such as P1D or P2W, in "+nth)
			} else {
				ev.last = first.AddDays(n - 1)
			}
		}
	}

	// What the event is.
	summary := ""
	if p := one("SUMMARY"); p != nil {
		summary = icsText(p.Value)
	}
	term, reason, cls := classify(cb, summary)
	switch cls {
	case classManyCategories:
		add("categories", "names more than one of TERM, HALF_TERM, BANK_HOLIDAY, INSET and CLOSURE, in "+nth)
	case classAmbiguous:
		add("summary", "could mean more than one kind of closure (half term, INSET day, bank holiday), in "+nth+": set CATEGORIES to say which, or rename the event")
	case classMarker:
		add("summary", "looks like the start or end of a term rather than the whole term, in "+nth+": give each term as one event from its first day to its last, or set CATEGORIES:TERM")
	case classUnknown:
		add("summary", "is not recognised as a term or a closure, in "+nth+": name it with a word such as term, half term, INSET, bank holiday, holiday or closed (in English or Welsh), set CATEGORIES to TERM, HALF_TERM, BANK_HOLIDAY, INSET or CLOSURE, or remove the event")
	}
	ev.term, ev.reason = term, reason

	// Names.
	if ev.term {
		ev.name = summary
		if p := one(propName); p != nil {
			ev.name = icsText(p.Value)
		}
		if p := one(propNameCy); p != nil {
			ev.nameCy = icsText(p.Value)
		}
	} else {
		ev.note = summary
		if p := one(propNote); p != nil {
			ev.note = icsText(p.Value)
		}
	}
	return ev, errs
}

// properties returns cb's properties called name, matched without regard
// to case as RFC 5545 says (golang-ical matches exactly).
func properties(cb *ics.ComponentBase, name string) []*ics.IANAProperty {
	var out []*ics.IANAProperty
	for i := range cb.Properties {
		if strings.EqualFold(cb.Properties[i].IANAToken, name) {
			out = append(out, &cb.Properties[i])
		}
	}
	return out
}

type dateKind int

const (
	dateOK dateKind = iota
	dateTimed
	dateBad
)

// icsDate reads a DTSTART or DTEND as a date. golang-ical's own readers are
// not used: they read a date in the machine's local zone and load any TZID
// the file names.
func icsDate(p *ics.IANAProperty) (cynllun.Date, dateKind) {
	if p == nil {
		return cynllun.Date{}, dateBad
	}
	valueType := ""
	for k, vs := range p.ICalParameters {
		if strings.EqualFold(k, string(ics.ParameterValue)) {
			if len(vs) != 1 || (valueType != "" && !strings.EqualFold(valueType, vs[0])) {
				return cynllun.Date{}, dateBad
			}
			valueType = strings.ToUpper(vs[0])
		}
	}
	v := icsText(p.Value)
	switch {
	case valueType == string(ics.ValueDataTypeDateTime):
		return cynllun.Date{}, dateTimed
	case valueType != "" && valueType != string(ics.ValueDataTypeDate):
		return cynllun.Date{}, dateBad
	case strings.ContainsAny(v, "Tt"):
		if valueType == string(ics.ValueDataTypeDate) {
			return cynllun.Date{}, dateBad
		}
		return cynllun.Date{}, dateTimed
	case len(v) != 8 || strings.Trim(v, "0123456789") != "":
		return cynllun.Date{}, dateBad
	}
	t, err := time.Parse("20060102", v)
	// The year may be 2200: the exclusive DTEND of an event ending on
	// 31 December 2199. Validate checks the dates of the result.
	if err != nil || t.Year() < 1900 || t.Year() > 2200 {
		return cynllun.Date{}, dateBad
	}
	return cynllun.DateOf(t), dateOK
}

var icsDuration = regexp.MustCompile(`^\+?P([0-9]{1,5})([DW])$`)

// icsDurationDays reads a DURATION of whole days or weeks.
func icsDurationDays(s string) (int, bool) {
	m := icsDuration.FindStringSubmatch(strings.ToUpper(strings.TrimSpace(s)))
	if m == nil {
		return 0, false
	}
	n, _ := strconv.Atoi(m[1])
	if m[2] == "W" {
		n *= 7
	}
	if n < 1 || n > maxICSDurationDays {
		return 0, false
	}
	return n, true
}

type class int

const (
	classOK class = iota
	classManyCategories
	classAmbiguous
	classMarker
	classUnknown
)

// Words of a SUMMARY (lower case, without accents, split at anything that
// is not a letter or digit: "New Year's Day" is "new year s day").
var (
	wordsHalfTerm = phrases("half term", "halfterm", "hanner tymor", "hannertymor")
	wordsINSET    = phrases("inset", "training day", "training days", "staff training",
		"staff development", "professional development", "pd day", "in service training",
		"hms", "diwrnod hyfforddiant", "diwrnodau hyfforddiant")
	wordsBankHoliday = phrases("bank holiday", "bank holidays", "gwyl banc", "gwyl y banc",
		"gwyliau banc", "good friday", "easter monday", "christmas day", "boxing day",
		"new year s day", "new years day", "new year day", "may day",
		"dydd gwener y groglith", "llun y pasg", "dydd llun y pasg", "dydd nadolig",
		"gwyl san steffan", "dydd calan")
	wordsClosure = phrases("holiday", "holidays", "hols", "vacation", "break", "gwyliau",
		"closed", "closure", "ar gau")
	wordsTerm   = phrases("term", "terms", "tymor", "tymhorau")
	wordsMarker = phrases("start", "starts", "begin", "begins", "end", "ends", "first day",
		"last day", "dechrau", "diwedd", "diwrnod cyntaf", "diwrnod olaf")
)

// classify says what an event is, by its CATEGORIES or its SUMMARY (see
// ParseICS).
func classify(cb *ics.ComponentBase, summary string) (term bool, reason ClosureReason, cls class) {
	var found []string
	for _, p := range properties(cb, "CATEGORIES") {
		for _, v := range strings.Split(p.Value, ",") {
			v = strings.ToUpper(strings.TrimSpace(v))
			if v == categoryTerm || ClosureReason(v).valid() {
				found = append(found, v)
			}
		}
	}
	slices.Sort(found)
	switch found = slices.Compact(found); {
	case len(found) > 1:
		return false, "", classManyCategories
	case len(found) == 1 && found[0] == categoryTerm:
		return true, "", classOK
	case len(found) == 1:
		return false, ClosureReason(found[0]), classOK
	}

	ws := words(summary)
	var strong []ClosureReason
	if hasPhrase(ws, wordsHalfTerm) {
		strong = append(strong, ReasonHalfTerm)
	}
	if hasPhrase(ws, wordsINSET) {
		strong = append(strong, ReasonINSET)
	}
	if hasPhrase(ws, wordsBankHoliday) {
		strong = append(strong, ReasonBankHoliday)
	}
	switch {
	case len(strong) > 1:
		return false, "", classAmbiguous
	case len(strong) == 1:
		return false, strong[0], classOK
	case hasPhrase(ws, wordsClosure):
		return false, ReasonClosure, classOK
	case hasPhrase(ws, wordsTerm) && hasPhrase(ws, wordsMarker):
		return false, "", classMarker
	case hasPhrase(ws, wordsTerm):
		return true, "", classOK
	}
	return false, "", classUnknown
}

// words splits s into lower-case words without accents.
func words(s string) []string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r): // an accent: ŵ is w and a mark
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
		default:
			b.WriteByte(' ')
		}
	}
	return strings.Fields(b.String())
}

func phrases(ps ...string) [][]string {
	out := make([][]string, len(ps))
	for i, p := range ps {
		out[i] = strings.Fields(p)
	}
	return out
}

// hasPhrase reports whether one of the phrases occurs in ws.
func hasPhrase(ws []string, phrases [][]string) bool {
	for _, p := range phrases {
		for i := 0; i+len(p) <= len(ws); i++ {
			if slices.Equal(ws[i:i+len(p)], p) {
				return true
			}
		}
	}
	return false
}

// icsText is a text value as the calendar keeps it: trimmed, in Unicode
// NFC (issue 18: an exported file may hold decomposed Welsh letters).
func icsText(v string) string { return cynllun.NFC(strings.TrimSpace(v)) }

// calendarName returns X-WR-CALNAME, else NAME, trimmed.
func calendarName(cal *ics.Calendar) string {
	for _, name := range []string{string(ics.PropertyXWRCalName), string(ics.PropertyName)} {
		for _, p := range cal.CalendarProperties {
			if strings.EqualFold(p.IANAToken, name) {
				return icsText(p.Value)
			}
		}
	}
	return ""
}

// icsFields maps the fields of Validate to the iCalendar's.
var icsFields = map[string]string{
	"start": "dtstart", "end": "dtend", "name": "summary", "nameCy": "x-cynllun-name-cy",
	"from": "dtstart", "to": "dtend", "note": "summary", "reason": "categories",
}

// icsField maps a field error of Validate to the event it is about.
func icsField(f string, termPos, closurePos []int) string {
	parts := strings.Split(f, ".")
	var pos []int
	switch parts[0] {
	case "name":
		return "ics.x-wr-calname"
	case "terms":
		pos = termPos
	case "closures":
		pos = closurePos
	default:
		return "ics"
	}
	if len(parts) < 2 {
		return "ics"
	}
	i, err := strconv.Atoi(parts[1])
	if err != nil || i < 0 || i >= len(pos) {
		return "ics"
	}
	out := "ics.events." + strconv.Itoa(pos[i])
	if len(parts) > 2 {
		if sub, ok := icsFields[parts[2]]; ok {
			out += "." + sub
		}
	}
	return out
}

// capErrors keeps the first maxICSErrors errors.
func capErrors(errs []cynllun.FieldError) []cynllun.FieldError {
	if len(errs) <= maxICSErrors {
		return errs
	}
	return append(errs[:maxICSErrors:maxICSErrors],
		cynllun.FieldError{Field: "ics", Message: "has more problems than are shown here: fix these first"})
}

// prescan checks the structure of an iCalendar file with golang-ical's own
// line reader before golang-ical parses it, bounding what the parse costs
// (it recurses into nested components) and catching what it lets through
// (a file cut off after an event parses without error). It returns a
// message for the file, or "" when it is fine.
func prescan(data []byte) string {
	const invalid = "is not a valid iCalendar file"
	cs := ics.NewCalendarStream(bytes.NewReader(data))
	var stack []string
	events, components, ended := 0, 0, false
	line := func(l string) string {
		if ended {
			return "has something after the end of the calendar (END:VCALENDAR)"
		}
		if !strings.Contains(l, "BEGIN") && !strings.Contains(l, "END") {
			// Not a BEGIN or END line: golang-ical checks the rest.
			if len(stack) == 0 {
				return invalid
			}
			return ""
		}
		p, err := ics.ParseProperty(ics.ContentLine(l))
		if err != nil || p == nil {
			return invalid
		}
		switch p.IANAToken {
		case "BEGIN":
			if (len(stack) == 0) != (p.Value == string(ics.ComponentVCalendar)) {
				return invalid
			}
			if components++; components > maxICSComponents {
				return "has too many components"
			}
			if strings.EqualFold(p.Value, string(ics.ComponentVEvent)) {
				if events++; events > MaxICSEvents {
					return "has too many events: at most " + strconv.Itoa(MaxICSEvents) + " are allowed"
				}
			}
			if stack = append(stack, p.Value); len(stack) > maxICSDepth {
				return "nests components too deeply"
			}
		case "END":
			if len(stack) == 0 || stack[len(stack)-1] != p.Value {
				return invalid
			}
			stack = stack[:len(stack)-1]
			ended = len(stack) == 0
		default:
			if len(stack) == 0 {
				return invalid
			}
		}
		return ""
	}
	for {
		l, err := cs.ReadLine()
		if err != nil && err != io.EOF {
			return invalid
		}
		if l != nil && len(*l) > 0 {
			if msg := line(string(*l)); msg != "" {
				return msg
			}
		}
		if err == io.EOF {
			break
		}
	}
	if !ended {
		return "ends before the end of the calendar (END:VCALENDAR)"
	}
	return ""
}
