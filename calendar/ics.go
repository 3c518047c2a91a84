package calendar

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	ics "github.com/arran4/golang-ical"

	"github.com/cynllun/cynllun"
)

// The iCalendar form of a calendar (RFC 5545); see ICS and ParseICS.
const (
	icsProdID = "-//Cynllun//Term calendar//EN"

	// MaxICSBytes is the largest iCalendar file ParseICS reads.
	MaxICSBytes = 1 << 20
	// MaxICSEvents is the most VEVENTs ParseICS reads from one file.
	MaxICSEvents = 2000

	propName   = "X-CYNLLUN-NAME"
	propNameCy = "X-CYNLLUN-NAME-CY"
	propNote   = "X-CYNLLUN-NOTE"
)

// categoryTerm is the CATEGORIES value of a term; a closure's is its
// reason's name.
const categoryTerm = "TERM"

// reasonLabel is the SUMMARY of a closure that has no note.
var reasonLabel = map[ClosureReason]string{
	ReasonHalfTerm:    "Half term",
	ReasonBankHoliday: "Bank holiday",
	ReasonINSET:       "INSET day",
	ReasonClosure:     "School closed",
}

// ICS writes the calendar as an iCalendar (RFC 5545) VCALENDAR, with one
// all-day VEVENT per term and per closure:
//
//	UID          stable: the kind of event (term, half_term, ...), its
//	             first day and a digest of the calendar's ID, such as
//	             "term-20250901-8677ffed0570f293@cynllun" (unique, as Validate
//	             allows no two terms, and no two closures of one reason, to
//	             start on the same day)
//	DTSTAMP      midnight UTC at the start of the event's first day. RFC
//	             5545 requires a DTSTAMP; Cynllun keeps no edit time for
//	             calendars, and a stamp from the clock would make every
//	             export differ, so it is a fixed function of the event.
//	DTSTART      ;VALUE=DATE, the first day
//	DTEND        ;VALUE=DATE, the day after the last (RFC 5545's DTEND is
//	             exclusive)
//	SUMMARY      for people: a term's name and the year it starts in
//	             ("Autumn term 2025"); a closure's note, or a label for its
//	             reason when it has none
//	CATEGORIES   TERM, HALF_TERM, BANK_HOLIDAY, INSET or CLOSURE
//	TRANSP       TRANSPARENT (terms and closures do not make anyone busy)
//	X-CYNLLUN-NAME     a term's name exactly
//	X-CYNLLUN-NAME-CY  ;LANGUAGE=cy, a term's Welsh name, when it has one
//	X-CYNLLUN-NOTE     a closure's note exactly (empty when it has none)
//
// The VCALENDAR has PRODID "-//Cynllun//Term calendar//EN", VERSION 2.0,
// CALSCALE GREGORIAN, METHOD PUBLISH, NAME and X-WR-CALNAME (the
// calendar's name, when it has one) and X-WR-CALDESC (its source, when it
// has one). Terms come first, then closures, each in sorted order; lines
// end in CRLF and are folded at 75 octets. The same calendar therefore
// always gives the same bytes, whatever the order of its closures. ParseICS
// reads the file back to the same calendar, less its ID and Source.
//
// The calendar must pass Validate (else the error is INVALID with
// Validate's field errors); c is not changed.
func (c *Calendar) ICS() ([]byte, error) {
	const op = "calendar.ICS"
	if errs := Validate(c); errs != nil {
		return nil, cynllun.Invalid(op, errs...)
	}
	s := c.clone()
	s.Sort()

	cal := ics.NewCalendar()
	cal.SetProductId(icsProdID)
	cal.SetCalscale("GREGORIAN")
	cal.SetMethod(ics.MethodPublish)
	if s.Name != "" {
		cal.SetName(s.Name) // NAME (RFC 7986) and X-WR-CALNAME
	}
	if s.Source != "" {
		cal.SetXWRCalDesc(s.Source)
	}
	sum := sha256.Sum256([]byte(s.ID))
	idTag := hex.EncodeToString(sum[:8])

	for _, t := range s.Terms {
		e := dayEvent(cal, idTag, "term", t.Start, t.End)
		e.SetSummary(fmt.Sprintf("%s %d", t.Name, t.Start.Year), lang("en"))
		e.AddProperty(ics.ComponentPropertyCategories, categoryTerm)
		e.SetTimeTransparency(ics.TransparencyTransparent)
		e.AddProperty(propName, t.Name)
		if t.NameCy != "" {
			e.AddProperty(propNameCy, t.NameCy, lang("cy"))
		}
	}
	for _, cl := range s.Closures {
		e := dayEvent(cal, idTag, strings.ToLower(string(cl.Reason)), cl.From, cl.To)
		summary := cl.Note
		if summary == "" {
			summary = reasonLabel[cl.Reason]
		}
		e.SetSummary(summary)
		e.AddProperty(ics.ComponentPropertyCategories, string(cl.Reason))
		e.SetTimeTransparency(ics.TransparencyTransparent)
		e.AddProperty(propNote, cl.Note)
	}

	var b bytes.Buffer
	if err := cal.SerializeTo(&b, ics.WithNewLineWindows); err != nil {
		return nil, cynllun.Internal(op, err)
	}
	return b.Bytes(), nil
}

// dayEvent adds an all-day VEVENT from first to last (inclusive).
func dayEvent(cal *ics.Calendar, idTag, kind string, first, last cynllun.Date) *ics.VEvent {
	day := first.Time().Format("20060102")
	e := cal.AddEvent(fmt.Sprintf("%s-%s-%s@cynllun", kind, day, idTag))
	e.SetDtStampTime(first.Time())
	e.SetAllDayStartAt(first.Time())
	e.SetAllDayEndAt(last.AddDays(1).Time())
	return e
}

func lang(tag string) ics.PropertyParameter {
	return &ics.KeyValues{Key: string(ics.ParameterLanguage), Value: []string{tag}}
}
