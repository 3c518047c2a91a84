package form

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/cynllun/cynllun"
	"github.com/google/go-cmp/cmp"
)

func TestCheckText(t *testing.T) {
	const (
		badUTF8     = "is not valid UTF-8 text"
		replacement = "contains the replacement character U+FFFD, a sign the text was damaged when it was copied; please retype the damaged part"
		control     = "contains a control character, which is not allowed"
		oneLine     = "must be a single line, without line breaks or tabs"
	)
	tests := []struct {
		name      string
		s         string
		max       int
		multiline bool
		want      string // "" for no error
	}{
		{"empty", "", 10, false, ""},
		{"Welsh diacritics", "Llŷr a Siôn: ŵ ŷ â ê î ô û", 200, false, ""},
		{"emoji and other scripts", "I like 🚂 and 日本", 200, false, ""},
		{"exactly max runes", strings.Repeat("ŵ", 10), 10, false, ""},
		{"one rune over max", strings.Repeat("ŵ", 11), 10, false, "is too long: at most 10 characters are allowed"},
		{"bytes over max but runes within", strings.Repeat("ŷ", 10), 15, false, ""},
		{"no limit", strings.Repeat("a", 100000), 0, true, ""},
		{"multiline newline", "line one\nline two\r\n\tindented", 200, true, ""},
		{"single-line newline", "line one\nline two", 200, false, oneLine},
		{"single-line carriage return", "a\rb", 200, false, oneLine},
		{"single-line tab", "a\tb", 200, false, oneLine},
		{"single-line U+2028", "a\u2028b", 200, false, oneLine},
		{"multiline U+2029", "a\u2029b", 200, true, ""},
		{"NUL", "a\x00b", 200, true, control},
		{"escape", "a\x1b[31mb", 200, true, control},
		{"DEL", "a\x7fb", 200, true, control},
		{"C1 control", "a\u0085b", 200, true, control},
		{"invalid UTF-8 byte", "caf\xe9", 200, true, badUTF8},
		{"truncated sequence", "\xe2\x82", 200, true, badUTF8},
		{"surrogate half", "\xed\xa0\x80", 200, true, badUTF8},
		{"overlong encoding", "\xc0\xaf", 200, true, badUTF8},
		{"replacement character", "caf\uFFFD", 200, true, replacement},
		{"invalid UTF-8 wins over length", strings.Repeat("a", 50) + "\xff", 10, true, badUTF8},
		{"control wins over newline", "a\nb\x00", 200, false, control},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CheckText("content.x", tt.s, tt.max, tt.multiline)
			var want *cynllun.FieldError
			if tt.want != "" {
				want = &cynllun.FieldError{Field: "content.x", Message: tt.want}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("CheckText (-want +got):\n%s", diff)
			}
		})
	}
}

func FuzzCheckText(f *testing.F) {
	for _, s := range []string{"", "Llŷr", "a\nb", "\xff", "\uFFFD", "\x00", strings.Repeat("ŵ", 30), "a\u2028b"} {
		f.Add(s, 20, true)
		f.Add(s, 20, false)
	}
	f.Fuzz(func(t *testing.T, s string, max int, multiline bool) {
		fe := CheckText("f", s, max, multiline)
		if !utf8.ValidString(s) && fe == nil {
			t.Fatalf("accepted invalid UTF-8 %q", s)
		}
		if fe == nil {
			if strings.ContainsRune(s, utf8.RuneError) {
				t.Fatalf("accepted U+FFFD in %q", s)
			}
			if max > 0 && utf8.RuneCountInString(s) > max {
				t.Fatalf("accepted %d runes with max %d", utf8.RuneCountInString(s), max)
			}
			if !multiline && strings.ContainsAny(s, "\n\r\t") {
				t.Fatalf("accepted a line break in single-line %q", s)
			}
			return
		}
		if fe.Field != "f" || fe.Message == "" {
			t.Fatalf("bad field error %+v", fe)
		}
		if len(s) >= 3 && strings.Contains(fe.Message, s) {
			t.Fatalf("message %q echoes the input", fe.Message)
		}
	})
}
