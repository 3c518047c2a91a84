// Package textfit measures text in a TrueType font the way gofpdf (maroto's
// PDF writer) does, advance widths rounded to thousandths of an em, and
// breaks it into lines that fit a width. docgen and bundle lay text out with
// it in advance, so maroto never wraps or cuts anything itself.
package textfit

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/image/font"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// PtPerMM converts font sizes in points to millimetres, maroto's unit.
const PtPerMM = 72 / 25.4

// Measurer measures text in one font. It is not safe for concurrent use.
type Measurer struct {
	font   *sfnt.Font
	buf    sfnt.Buffer
	widths map[rune]int // advance widths in thousandths of an em
}

// New returns a measurer for f.
func New(f *sfnt.Font) *Measurer {
	return &Measurer{font: f, widths: map[rune]int{}}
}

// runeWidth is r's advance in thousandths of an em, as gofpdf reckons it: a
// rune the font lacks is as wide as its glyph 0.
func (m *Measurer) runeWidth(r rune) int {
	if w, ok := m.widths[r]; ok {
		return w
	}
	w := 500
	upem := int(m.font.UnitsPerEm())
	if g, err := m.font.GlyphIndex(&m.buf, r); err == nil {
		// At ppem = units per em, the advance comes back in font units.
		if adv, err := m.font.GlyphAdvance(&m.buf, g, fixed.I(upem), font.HintingNone); err == nil {
			w = (adv.Round()*1000 + upem/2) / upem
		}
	}
	m.widths[r] = w
	return w
}

// Width is the width of s in mm at size points.
func (m *Measurer) Width(s string, size float64) float64 {
	w := 0
	for _, r := range s {
		w += m.runeWidth(r)
	}
	return float64(w) * size / 1000 / PtPerMM
}

// Lines breaks one paragraph into lines at most width mm wide, greedily at
// spaces. A word wider than a line is broken between characters.
func (m *Measurer) Lines(paragraph string, size, width float64) []string {
	var lines []string
	var line strings.Builder
	used := 0.0
	space := m.Width(" ", size)
	for _, word := range strings.Split(paragraph, " ") {
		if word == "" {
			continue
		}
		w := m.Width(word, size)
		if line.Len() > 0 && used+space+w <= width {
			line.WriteByte(' ')
			line.WriteString(word)
			used += space + w
			continue
		}
		if line.Len() > 0 {
			lines = append(lines, line.String())
			line.Reset()
		}
		for w > width && utf8.RuneCountInString(word) > 1 {
			head := m.fit(word, size, width)
			lines = append(lines, head)
			word = word[len(head):]
			w = m.Width(word, size)
		}
		line.WriteString(word)
		used = w
	}
	if line.Len() > 0 {
		lines = append(lines, line.String())
	}
	return lines
}

// fit returns the longest prefix of word, of one character at least, that
// fits in width.
func (m *Measurer) fit(word string, size, width float64) string {
	_, n := utf8.DecodeRuneInString(word)
	for n < len(word) {
		_, k := utf8.DecodeRuneInString(word[n:])
		if m.Width(word[:n+k], size) > width {
			break
		}
		n += k
	}
	return word[:n]
}

// newlines makes every line break a newline, and a tab or other control
// space a space.
var newlines = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\u2028", "\n", "\u2029", "\n", "\t", " ", "\f", " ", "\v", " ")

// Paragraphs splits text at its line breaks (of any kind).
func Paragraphs(text string) []string {
	return strings.Split(newlines.Replace(text), "\n")
}

// OneLine makes text a single paragraph (titles, names, references).
func OneLine(s string) string {
	return strings.Join(strings.Fields(newlines.Replace(s)), " ")
}
