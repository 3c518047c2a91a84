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
// U+2028 and U+2029), and at most max characters (max <= 0: no limit). It
// returns nil when s is fine. The message never contains s.
func CheckText(field, s string, max int, multiline bool) *cynllun.FieldError {
	var n int
	var badUTF8, replacement, control, newline bool
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
	case newline:
		msg = "must be a single line, without line breaks or tabs"
	case max > 0 && n > max:
		msg = "is too long: at most " + strconv.Itoa(max) + " characters are allowed"
	default:
		return nil
	}
	return &cynllun.FieldError{Field: field, Message: msg}
}
