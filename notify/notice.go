// Package notify sends statutory deadline notices over two channels: email
// (SMTP, via github.com/wneessen/go-mail) and webhooks signed as Standard
// Webhooks (https://www.standardwebhooks.com/). It holds the channels only:
// choosing recipients, queueing and retrying are the caller's.
//
// A Notice carries ids and dates only, never a child's name or any plan
// content, and neither channel adds any: the email says "a learner" /
// "dysgwr" and names the learner by id in the reference line only; the
// webhook body lists the ids and dates and nothing else.
//
// Every error is a *cynllun.Error. INVALID and NOT_FOUND are permanent (the
// worker does not retry them); INTERNAL is worth retrying. No error carries
// a recipient address, a URL or notice content, in its Message or in its
// wrapped cause: ids only.
package notify

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/form"
)

// Notice kinds.
const (
	KindUpcoming = "deadline.upcoming" // Offset < 0: the deadline is -Offset days away
	KindDue      = "deadline.due"      // Offset == 0: due today
	KindOverdue  = "deadline.overdue"  // Offset > 0: the deadline passed Offset days ago
)

// Offset units.
const (
	UnitSchoolDays = "SCHOOL_DAYS"
	UnitDays       = "DAYS"
)

// Languages of an email notice.
const (
	LangCY        = "cy"
	LangEN        = "en"
	LangBilingual = "bilingual"
)

// Notice is what is sent: ids and dates only — never a child's name or any
// plan content.
//
// ID, DeadlineID, LearnerID and RuleID must be 1–128 ASCII letters, digits,
// '_' or '-' (the project's ids and rule ids are), so that they can stand in
// a Message-ID, a header and a webhook-id unescaped.
type Notice struct {
	// ID is the idempotency key: the same notice always carries the same ID
	// (it becomes the email Message-ID and the webhook-id).
	ID string
	// Kind is KindUpcoming, KindDue or KindOverdue; it must agree with the
	// sign of Offset.
	Kind       string
	DeadlineID string
	LearnerID  string
	RuleID     string // "T1"
	// Rule is the rule's short title, EN and CY; Welsh falls back to English.
	Rule form.Text
	Due  cynllun.Date
	// Offset is school or calendar days before (negative) or after
	// (positive) the due date; 0 on the day.
	Offset     int
	OffsetUnit string // UnitSchoolDays or UnitDays
	// Link is the absolute http(s) URL of the deadline in the front-end or
	// API; it may be empty.
	Link string
	// Language is LangCY, LangEN or LangBilingual; empty means bilingual
	// (Welsh first).
	Language string
	// At is when the notice was raised: the webhook body's timestamp and
	// the email's Date.
	At time.Time
}

const maxIDLen = 128

// validID reports whether s is 1–128 of [A-Za-z0-9_-].
func validID(s string) bool {
	if s == "" || len(s) > maxIDLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

const idRule = "must be 1–128 letters, digits, '_' or '-'"

// validate checks n and returns an INVALID error naming every bad field;
// messages never echo the values.
func (n Notice) validate(op string) error {
	var fields []cynllun.FieldError
	bad := func(field, msg string) { fields = append(fields, cynllun.FieldError{Field: field, Message: msg}) }
	for _, f := range []struct{ name, v string }{
		{"id", n.ID}, {"deadlineId", n.DeadlineID}, {"learnerId", n.LearnerID}, {"ruleId", n.RuleID},
	} {
		if !validID(f.v) {
			bad(f.name, idRule)
		}
	}
	switch n.Kind {
	case KindUpcoming:
		if n.Offset >= 0 {
			bad("offset", "must be negative for "+KindUpcoming)
		}
	case KindDue:
		if n.Offset != 0 {
			bad("offset", "must be 0 for "+KindDue)
		}
	case KindOverdue:
		if n.Offset <= 0 {
			bad("offset", "must be positive for "+KindOverdue)
		}
	default:
		bad("kind", "must be "+KindUpcoming+", "+KindDue+" or "+KindOverdue)
	}
	if n.Offset > 100000 || n.Offset < -100000 {
		bad("offset", "is out of range")
	}
	if n.OffsetUnit != UnitSchoolDays && n.OffsetUnit != UnitDays {
		bad("offsetUnit", "must be "+UnitSchoolDays+" or "+UnitDays)
	}
	if _, err := cynllun.ParseDate(n.Due.String()); err != nil {
		bad("due", "must be a real date")
	}
	if n.Link != "" && !validLink(n.Link) {
		bad("link", "must be an absolute http or https URL")
	}
	switch n.Language {
	case "", LangCY, LangEN, LangBilingual:
	default:
		bad("language", "must be cy, en or bilingual")
	}
	if n.At.IsZero() {
		bad("at", "is required")
	}
	if len(fields) == 0 {
		return nil
	}
	for i := range fields {
		fields[i].Field = "notice." + fields[i].Field
	}
	return cynllun.Invalid(op, fields...)
}

func validLink(s string) bool {
	if len(s) > 2048 || strings.ContainsAny(s, " \t\r\n<>\"") {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && u.User == nil
}

// languages returns the languages of n in the order they are written.
func (n Notice) languages() []string {
	switch n.Language {
	case LangCY:
		return []string{LangCY}
	case LangEN:
		return []string{LangEN}
	}
	return []string{LangCY, LangEN}
}

// dateText writes d out: "5 May 2026" / "5 Mai 2026" (form.DateText).
func dateText(d cynllun.Date, lang string) string {
	t := form.DateText(d)
	if t.EN == "" {
		return d.String()
	}
	if lang == LangCY {
		return t.CY
	}
	return t.EN
}

// daysText writes |n| days in unit: "5 school days", "1 day"; "5 diwrnod
// ysgol", "2 ddiwrnod" (diwrnod is singular after a numeral and takes the
// soft mutation after two).
func daysText(n int, unit, lang string) string {
	if n < 0 {
		n = -n
	}
	if lang == LangCY {
		noun := "diwrnod"
		if n == 2 {
			noun = "ddiwrnod"
		}
		if unit == UnitSchoolDays {
			noun += " ysgol"
		}
		return fmt.Sprintf("%d %s", n, noun)
	}
	noun := "day"
	if unit == UnitSchoolDays {
		noun = "school day"
	}
	if n != 1 {
		noun += "s"
	}
	return fmt.Sprintf("%d %s", n, noun)
}

// title returns t in lang with its whitespace collapsed (it stands in one
// line); Welsh falls back to English.
func title(t form.Text, lang string) string {
	s := t.EN
	if lang == LangCY && strings.TrimSpace(t.CY) != "" {
		s = t.CY
	}
	return strings.Join(strings.Fields(s), " ")
}
