package locale

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestNegotiate(t *testing.T) {
	tests := []struct {
		header string
		want   Lang
	}{
		{"", EN},
		{"cy", CY},
		{"CY", CY},
		{"cy-GB", CY},
		{"cy-Latn-GB", CY},
		{"en", EN},
		{"en-GB", EN},
		{"en-GB,cy;q=0.9", EN},
		{"cy;q=0.8, en;q=0.9", EN},
		{"cy, en;q=0.5", CY},
		{"fr", EN},
		{"fr, cy;q=0.5", CY},
		{"fr, en;q=0.6, cy;q=0.5", EN},
		{"*", EN},
		{"cy;q=0", EN},
		{";;;", EN},
		{"not a header at all", EN},
	}
	for _, tt := range tests {
		if got := Negotiate(tt.header); got != tt.want {
			t.Errorf("Negotiate(%q) = %s, want %s", tt.header, got, tt.want)
		}
	}
}

func TestContext(t *testing.T) {
	ctx := context.Background()
	if From(ctx) != EN {
		t.Error("no language in the context is not English")
	}
	if From(WithLang(ctx, CY)) != CY || From(WithLang(ctx, EN)) != EN || From(WithLang(ctx, "fr")) != EN {
		t.Error("WithLang/From do not round-trip")
	}
}

var reasonFormat = regexp.MustCompile(`^[A-Z][A-Z0-9_]*[A-Z0-9]$`)

// englishWords are words a Welsh message should not hold outside codes,
// field names and quoted text: a sign it was left untranslated. ("is" and
// "from" are left out: the one is Welsh, the other a field's name.)
var englishWords = regexp.MustCompile(`\b(the|must|are|not|and|be|been|may|only|this|with|for|of|has|have|was|were|which|cannot|should)\b`)

// stripCode removes what is not prose from a message: quoted names, field
// paths, codes and the parts in braces.
func stripCode(s string) string {
	for _, re := range []*regexp.Regexp{
		regexp.MustCompile(`"[^"]*"`), regexp.MustCompile(`\{[a-zA-Z0-9]+\}`),
		regexp.MustCompile(`\b[a-z]+[A-Z][A-Za-z.]*\b`), regexp.MustCompile(`\b[a-z]+\.[a-zA-Z.]+\b`),
		regexp.MustCompile(`\([a-z]+:[a-z]+@\)`), regexp.MustCompile(`\bas cynllun\.ParseDate\b`),
	} {
		s = re.ReplaceAllString(s, "")
	}
	return s
}

// TestCatalogue: every entry has a reason and both languages, with the same
// parts in braces; no English message is there twice; the Welsh is not
// English left as it was.
func TestCatalogue(t *testing.T) {
	check := func(kind string, ms []Message, needReason bool) {
		seen := map[string]bool{}
		for _, m := range ms {
			if needReason && !reasonFormat.MatchString(m.Reason) {
				t.Errorf("%s %q: reason %q is not UPPER_SNAKE_CASE", kind, m.EN, m.Reason)
			}
			if strings.TrimSpace(m.EN) == "" || strings.TrimSpace(m.CY) == "" {
				t.Errorf("%s %q (%s): English and Welsh are both required", kind, m.EN, m.Reason)
			}
			if seen[m.EN] {
				t.Errorf("%s %q is in the catalogue twice", kind, m.EN)
			}
			seen[m.EN] = true
			en, cy := Placeholders(m.EN), Placeholders(m.CY)
			slices.Sort(en)
			slices.Sort(cy)
			if !slices.Equal(en, cy) {
				t.Errorf("%s %q: parts %v in English, %v in Welsh", kind, m.EN, en, cy)
			}
			if w := englishWords.FindString(stripCode(m.CY)); w != "" {
				t.Errorf("%s %q: the Welsh %q has the English word %q", kind, m.EN, m.CY, w)
			}
		}
	}
	check("message", catalogue, true)
	check("part", parts, false)
	for _, m := range catalogue {
		if m.CY == m.EN {
			t.Errorf("message %q: the Welsh is the English", m.EN)
		}
	}
}

// TestTranslate: English stays as it is, Welsh comes from the catalogue,
// the reason is the same in both; parts are filled in, and parts that are
// text are translated too.
func TestTranslate(t *testing.T) {
	tests := []struct {
		english, reason, welsh string
	}{
		{"is required", "REQUIRED", "rhaid ei roi"},
		{"learner not found", "LEARNER_NOT_FOUND", "ni chafwyd hyd i'r dysgwr"},
		{"must be between 0 and 200", "OUT_OF_RANGE", "rhaid iddo fod rhwng 0 a 200"},
		{"must be between 1 and 1440 (or omitted when the row has a structured quantity)", "OUT_OF_RANGE",
			"rhaid iddo fod rhwng 1 a 1440 (neu ei adael allan pan fo gan y rhes swm strwythuredig)"},
		{"has too many rows: at most 50 are allowed", "TOO_MANY_ITEMS", "mae ganddo ormod o resi: caniateir 50 ar y mwyaf"},
		{"appears more than once in event 3 in the file (counting from 1)", "ICS_PROPERTY_REPEATED",
			"mae'n ymddangos fwy nag unwaith, digwyddiad 3 yn y ffeil (gan gyfrif o 1)"},
		{"content is a PNG image but the file name says .pdf", "FILE_TYPE_MISMATCH", "mae'r cynnwys yn ddelwedd PNG ond mae enw'r ffeil yn dweud .pdf"},
		{"is larger than the limit of 1 byte", "FILE_TOO_LARGE", "mae'n fwy na'r terfyn o 1 beit"},
		{"you may not grant this access: only administrators grant staff roles", "GRANT_FORBIDDEN",
			"ni chewch roi'r mynediad hwn: dim ond gweinyddwyr sy'n rhoi rolau staff"},
		{"the plan was changed by someone else: version 4 is current; reload it and apply your changes again", "PLAN_CHANGED",
			"newidiwyd y cynllun gan rywun arall: fersiwn 4 yw'r un gyfredol; ail-lwythwch ef a gwnewch eich newidiadau eto"},
	}
	for _, tt := range tests {
		text, reason, ok := Translate(EN, tt.english)
		if !ok || text != tt.english || reason != tt.reason {
			t.Errorf("Translate(EN, %q) = %q, %q, %v; want it as it is, %q", tt.english, text, reason, ok, tt.reason)
		}
		text, reason, ok = Translate(CY, tt.english)
		if !ok || text != tt.welsh || reason != tt.reason {
			t.Errorf("Translate(CY, %q) = %q, %q, %v; want %q, %q", tt.english, text, reason, ok, tt.welsh, tt.reason)
		}
	}
	if text, reason, ok := Translate(CY, "a message nobody wrote"); ok || reason != "" || text != "a message nobody wrote" {
		t.Errorf("an unknown message: %q, %q, %v", text, reason, ok)
	}
}

func TestRegister(t *testing.T) {
	Register(Message{Reason: "TEST_RULE", EN: "A test rule's title", CY: "Teitl rheol brawf"})
	if text, reason, ok := Translate(CY, "A test rule's title"); !ok || reason != "TEST_RULE" || text != "Teitl rheol brawf" {
		t.Errorf("registered message: %q, %q, %v", text, reason, ok)
	}
}
