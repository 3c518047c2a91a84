package form

import (
	"strconv"
	"unicode"
	"unicode/utf8"

	"github.com/cynllun/cynllun"
)

// Limits on the length of a string, in characters (Unicode code points).
const (
	// MaxShort is for names, titles, ids and other single-line values.
	MaxShort = 200
	// MaxMedium is for a line of the one-page profile and the names of
	// places in 2D: a sentence or a short paragraph.
	MaxMedium = 2000
	// MaxLong is for free text: descriptions, provision, rationale, the
	// meeting summary (about 3,000 words).
	MaxLong = 20000
	// MaxContentBytes caps all the text of one version together, in bytes of
	// UTF-8, well inside MongoDB's 16 MiB document limit.
	MaxContentBytes = 4 << 20
)

// CheckText validates one string: it must be valid UTF-8, hold no U+FFFD
// replacement character (the sign of text damaged in copying), no control
// characters other than newline, carriage return and tab (none at all when
// multiline is false; nor then the Unicode line and paragraph separators
// U+2028 and U+2029), no bidirectional embedding, override or isolate
// controls (see IsBidiControl), and at most max characters (max <= 0: no
// limit). It returns nil when s is fine. The message never contains s.
func CheckText(field, s string, max int, multiline bool) *cynllun.FieldError {
	var n int
	var badUTF8, replacement, control, newline, bidi bool
	for i := 0; i < len(s); {
		r, size := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		i += size
		n++
		switch {
		case r == utf8.RuneError && size == 1:
			badUTF8 = true
		case r == utf8.RuneError:
			replacement = true
		case r == '\n' || r == '\r' || r == '\t' || r == '\u2028' || r == '\u2029':
			if !multiline {
				newline = true
			}
		case unicode.IsControl(r):
			control = true
		case IsBidiControl(r):
			bidi = true
		}
	}
	msg := ""
	switch {
	case badUTF8:
		msg = "is not valid UTF-8 text"
	case replacement:
		msg = "contains the replacement character U+FFFD, a sign the text was damaged when it was copied; please retype the damaged part"
	case control:
		msg = "contains a control character, which is not allowed"
	case bidi:
		msg = msgBidi
	case newline:
		msg = "must be a single line, without line breaks or tabs"
	case max > 0 && n > max:
		msg = "is too long: at most " + strconv.Itoa(max) + " characters are allowed"
	default:
		return nil
	}
	return &cynllun.FieldError{Field: field, Message: msg}
}

const (
	msgBidi     = "contains an invisible character that changes the direction of text (U+202A–U+202E or U+2066–U+2069), which is not allowed: it can make the text read differently from what is stored"
	msgBidiMark = "contains an invisible direction mark (U+200E, U+200F or U+061C), which is not allowed in a name"
	msgBlank    = "is required"
)

// IsBidiControl reports whether r is a bidirectional embedding, override or
// isolate control: U+202A–U+202E (LRE, RLE, PDF, LRO, RLO) and
// U+2066–U+2069 (LRI, RLI, FSI, PDI). They change the order in which the
// text around them is displayed, so what a reader sees can differ from what
// is stored and compared ("Trojan Source", CVE-2021-42574). Welsh and
// English never need them, and right-to-left scripts display correctly
// without them by the Unicode bidirectional algorithm, so no text in
// Cynllun may hold them.
func IsBidiControl(r rune) bool {
	return r >= '\u202A' && r <= '\u202E' || r >= '\u2066' && r <= '\u2069'
}

// IsBidiMark reports whether r is an implicit direction mark: U+200E
// LEFT-TO-RIGHT MARK, U+200F RIGHT-TO-LEFT MARK or U+061C ARABIC LETTER
// MARK. Harmless in free text (right-to-left keyboards insert them), but
// invisible, so in a name they make two names that look the same differ.
func IsBidiMark(r rune) bool { return r == '\u200E' || r == '\u200F' || r == '\u061C' }

// CheckName validates a person's or an organisation's name: CheckText on a
// single line of at most max characters, no direction marks (IsBidiMark),
// and, when required, something visible: a value of only spaces (any
// Unicode space, such as U+00A0 or U+3000) and invisible format characters
// (such as U+200B ZERO WIDTH SPACE) is "required" like an empty one. An
// optional name may be empty but not blank. Welsh letters (ŵ, ŷ, â …),
// apostrophes, hyphens and every script's letters are names' ordinary
// characters. The message never contains s.
func CheckName(field, s string, max int, required bool) *cynllun.FieldError {
	if s == "" {
		if required {
			return &cynllun.FieldError{Field: field, Message: msgBlank}
		}
		return nil
	}
	if fe := CheckText(field, s, max, false); fe != nil {
		return fe
	}
	visible := false
	for _, r := range s {
		if IsBidiMark(r) {
			return &cynllun.FieldError{Field: field, Message: msgBidiMark}
		}
		if !unicode.IsSpace(r) && !unicode.In(r, unicode.Cf) {
			visible = true
		}
	}
	if !visible {
		// Blank: "required" when it must be given; an optional name given
		// as blanks is no name either, and is refused rather than stored.
		if required {
			return &cynllun.FieldError{Field: field, Message: msgBlank}
		}
		return &cynllun.FieldError{Field: field, Message: "must not be only spaces or invisible characters"}
	}
	return nil
}
