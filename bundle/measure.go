package bundle

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// Generated pages are laid out here, not by maroto: every line of text is
// broken into lines in advance and set in a row of known height, so that the
// position of every index row (and so of its link) is known, and maroto never
// wraps or breaks anything itself. Widths are measured the way gofpdf
// measures them (advance widths rounded to thousandths of an em), and every
// line is kept a little narrower than its column, so gofpdf never wraps it.

var (
	fontRegular = mustParse(goregular.TTF)
	fontBold    = mustParse(gobold.TTF)
)

func mustParse(ttf []byte) *sfnt.Font {
	f, err := sfnt.Parse(ttf)
	if err != nil {
		panic("bundle: " + err.Error())
	}
	return f
}

// ptPerMM converts font sizes in points to millimetres, maroto's unit.
const ptPerMM = 72 / 25.4

// slack is how much narrower than its column a line is kept, in mm.
const slack = 0.6

// measurer measures text in one font. It is not safe for concurrent use:
// each Build makes its own.
type measurer struct {
	font   *sfnt.Font
	buf    sfnt.Buffer
	widths map[rune]int // advance widths in thousandths of an em
}

func newMeasurer(f *sfnt.Font) *measurer {
	return &measurer{font: f, widths: map[rune]int{}}
}

// runeWidth is r's advance in thousandths of an em, as gofpdf reckons it: a
// rune the font lacks is as wide as its glyph 0.
func (m *measurer) runeWidth(r rune) int {
	if w, ok := m.widths[r]; ok {
		return w
	}
	w := 500
	upem := int(m.font.UnitsPerEm())
	g, err := m.font.GlyphIndex(&m.buf, r)
	if err != nil {
		g = 0
	}
	// At ppem = units per em, the advance comes back in font units.
	if adv, err := m.font.GlyphAdvance(&m.buf, g, fixed.I(upem), font.HintingNone); err == nil {
		w = (adv.Round()*1000 + upem/2) / upem
	}
	m.widths[r] = w
	return w
}

// width is the width of s in mm at size points.
func (m *measurer) width(s string, size float64) float64 {
	w := 0
	for _, r := range s {
		w += m.runeWidth(r)
	}
	return float64(w) * size / 1000 / ptPerMM
}

// lines breaks text into lines at most width mm wide, greedily at spaces;
// a word wider than a line is broken between characters. Line breaks in the
// text start new lines. Empty text gives no lines.
func (m *measurer) lines(text string, size, width float64) []string {
	width -= slack
	var out []string
	for _, para := range strings.Split(newlines.Replace(text), "\n") {
		var line strings.Builder
		used := 0.0
		space := m.width(" ", size)
		for _, word := range strings.Split(para, " ") {
			if word == "" {
				continue
			}
			w := m.width(word, size)
			if line.Len() > 0 && used+space+w <= width {
				line.WriteByte(' ')
				line.WriteString(word)
				used += space + w
				continue
			}
			if line.Len() > 0 {
				out = append(out, line.String())
				line.Reset()
			}
			for w > width && utf8.RuneCountInString(word) > 1 {
				head := m.fit(word, size, width)
				out = append(out, head)
				word = word[len(head):]
				w = m.width(word, size)
			}
			line.WriteString(word)
			used = w
		}
		if line.Len() > 0 {
			out = append(out, line.String())
		}
	}
	return out
}

// fit returns the longest prefix of word, of one character at least, that
// fits in width.
func (m *measurer) fit(word string, size, width float64) string {
	_, n := utf8.DecodeRuneInString(word)
	for n < len(word) {
		_, k := utf8.DecodeRuneInString(word[n:])
		if m.width(word[:n+k], size) > width {
			break
		}
		n += k
	}
	return word[:n]
}

// clip keeps at most n lines, ending the last kept one with an ellipsis
// when lines were dropped.
func (m *measurer) clip(lines []string, n int, size, width float64) []string {
	if len(lines) <= n {
		return lines
	}
	lines = lines[:n]
	last := lines[n-1] + " …"
	for m.width(last, size) > width-slack && utf8.RuneCountInString(last) > 2 {
		_, k := utf8.DecodeLastRuneInString(strings.TrimSuffix(last, " …"))
		last = strings.TrimSuffix(last, " …")
		last = last[:len(last)-k] + " …"
	}
	lines[n-1] = last
	return lines
}

// newlines makes every line break a newline, and a tab or other control
// character a space.
var newlines = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\u2028", "\n", "\u2029", "\n", "\t", " ", "\f", " ", "\v", " ")

// oneLine makes text a single paragraph (titles, names, references).
func oneLine(s string) string {
	return strings.Join(strings.Fields(newlines.Replace(s)), " ")
}
