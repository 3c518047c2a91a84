package form

import (
	"strings"
	"testing"
	"unicode"
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
		bidi        = msgBidi
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
		{"right-to-left override", "invoice\u202Efdp.exe", 200, true, bidi},
		{"left-to-right embedding", "a\u202Ab", 200, false, bidi},
		{"pop directional formatting", "a\u202Cb", 200, true, bidi},
		{"left-to-right override", "a\u202Db", 200, true, bidi},
		{"left-to-right isolate", "a\u2066b", 200, true, bidi},
		{"first strong isolate", "a\u2068b", 200, false, bidi},
		{"pop directional isolate", "a\u2069b", 200, true, bidi},
		{"direction marks in free text", "\u05E9\u05DC\u05D5\u05DD\u200F a\u200E b\u061C", 200, true, ""},
		{"Arabic without controls", "مرحبا Siôn", 200, false, ""},
		{"just past the bidi ranges", "\u2029\u202F\u2065\u206A", 200, true, ""},
		{"control wins over bidi", "\u202E\x00", 200, true, control},
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
	for _, s := range []string{"", "Llŷr", "a\nb", "\xff", "\uFFFD", "\x00", strings.Repeat("ŵ", 30), "a\u2028b", "a\u202Eb", "\u2066x\u2069"} {
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
			if strings.ContainsAny(s, bidiControls) {
				t.Fatalf("accepted a bidirectional control in %q", s)
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

// bidiControls are every bidirectional embedding, override and isolate
// control.
const bidiControls = "\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069"

func TestIsBidiControl(t *testing.T) {
	for r := rune(0); r <= 0x10FFFF; r++ {
		want := strings.ContainsRune(bidiControls, r)
		if IsBidiControl(r) != want {
			t.Errorf("IsBidiControl(%U) = %v", r, !want)
		}
		if IsBidiMark(r) != (r == 0x200E || r == 0x200F || r == 0x061C) {
			t.Errorf("IsBidiMark(%U) = %v", r, !want)
		}
	}
}

func TestCheckName(t *testing.T) {
	const required, blankOptional = "is required", "must not be only spaces or invisible characters"
	tests := []struct {
		name     string
		s        string
		required bool
		want     string // "" for no error
	}{
		{"Welsh letters", "Gwenllïan Ŵyn-Llŷr", true, ""},
		{"circumflexes", "Siân Rhodri Môn Dafydd Hâf Êl Îfor Ûn", true, ""},
		{"apostrophe and hyphen", "O'Neill-ap Rhys", true, ""},
		{"typographic apostrophe", "Ffion D\u2019Arcy", true, ""},
		{"Welsh digraph name", "Llywelyn ab Iorwerth", true, ""},
		{"other scripts", "مريم 李雷 Zoë", true, ""},
		{"zero width joiner inside a name", "\u0915\u094D\u200D\u0937", true, ""},
		{"empty required", "", true, required},
		{"empty optional", "", false, ""},
		{"spaces required", "   ", true, required},
		{"spaces optional", "  ", false, blankOptional},
		{"no-break and ideographic spaces", "\u00A0\u2003\u3000", true, required},
		{"zero width space only", "\u200B\u200B", true, required},
		{"byte order mark and soft hyphen only", "\uFEFF\u00AD", true, required},
		{"tab", "\t", true, "must be a single line, without line breaks or tabs"},
		{"newline in a name", "Siôn\nLlŷr", true, "must be a single line, without line breaks or tabs"},
		{"right-to-left override", "Siôn\u202ErŷLL", true, msgBidi},
		{"isolate", "\u2067Siôn\u2069", false, msgBidi},
		{"only an override", "\u202E", true, msgBidi},
		{"left-to-right mark", "Siôn\u200E", true, msgBidiMark},
		{"right-to-left mark", "\u200FSiôn", false, msgBidiMark},
		{"Arabic letter mark", "مريم\u061C", true, msgBidiMark},
		{"control character", "Siôn\x00", true, "contains a control character, which is not allowed"},
		{"too long", strings.Repeat("ŵ", 201), true, "is too long: at most 200 characters are allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CheckName("input.givenName", tt.s, 200, tt.required)
			var want *cynllun.FieldError
			if tt.want != "" {
				want = &cynllun.FieldError{Field: "input.givenName", Message: tt.want}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("CheckName (-want +got):\n%s", diff)
			}
		})
	}
}

// FuzzCheckName: names come from clients. An accepted name is a single line
// of valid UTF-8 with something visible in it and no bidirectional control
// or mark; a refusal never echoes the name.
func FuzzCheckName(f *testing.F) {
	for _, s := range []string{"", " ", "Llŷr", "O'Neill-Ŵyn", "\u202Eabc", "a\u2066b", "\u200F", "\u00A0", "\u200B", "a\nb", "\xff", "مريم"} {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, s string, required bool) {
		fe := CheckName("n", s, 200, required)
		if fe != nil {
			if fe.Field != "n" || fe.Message == "" {
				t.Fatalf("bad field error %+v", fe)
			}
			if len(s) >= 3 && strings.Contains(fe.Message, s) {
				t.Fatalf("message %q echoes the input", fe.Message)
			}
			return
		}
		if s == "" {
			if required {
				t.Fatal("accepted an empty required name")
			}
			return
		}
		if CheckText("n", s, 200, false) != nil {
			t.Fatalf("accepted %q, which CheckText refuses", s)
		}
		if strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.In(r, unicode.Cf) }) == "" {
			t.Fatalf("accepted the blank name %q", s)
		}
		for _, r := range s {
			if IsBidiControl(r) || IsBidiMark(r) {
				t.Fatalf("accepted %U in %q", r, s)
			}
		}
	})
}
