package docgen

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/image/font"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// A maroto row never breaks across pages, and a row taller than a page is
// cut off at its foot. So text is broken into lines here, the way maroto's
// gofpdf provider breaks it (greedily at spaces, with the font's advance
// widths rounded to thousandths of an em), and set a few lines to a row.
// Rows of consecutive lines sit flush, so a paragraph reads as one.

// linesPerRow is how many lines of text go in one row: small enough that a
// page break wastes little space, large enough to keep rows few.
const linesPerRow = 8

// ptPerMM converts font sizes in points to millimetres, maroto's unit.
const ptPerMM = 72 / 25.4

// measurer measures text in one font. It is not safe for concurrent use.
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
	if g, err := m.font.GlyphIndex(&m.buf, r); err == nil {
		// At ppem = units per em, the advance comes back in font units.
		if adv, err := m.font.GlyphAdvance(&m.buf, g, fixed.I(upem), font.HintingNone); err == nil {
			w = (adv.Round()*1000 + upem/2) / upem
		}
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

// lines breaks one paragraph into lines at most width mm wide. A word wider
// than a line is broken between characters.
func (m *measurer) lines(paragraph string, size, width float64) []string {
	var lines []string
	var line strings.Builder
	used := 0.0
	space := m.width(" ", size)
	for _, word := range strings.Split(paragraph, " ") {
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
			lines = append(lines, line.String())
			line.Reset()
		}
		for w > width && utf8.RuneCountInString(word) > 1 {
			head := m.fit(word, size, width)
			lines = append(lines, head)
			word = word[len(head):]
			w = m.width(word, size)
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

// chunks splits text into pieces of at most linesPerRow lines, one row each,
// paragraph by paragraph. last marks the final piece of each paragraph.
func (m *measurer) chunks(text string, size, width float64) (pieces []string, last []bool) {
	for _, para := range strings.Split(newlines.Replace(text), "\n") {
		lines := m.lines(para, size, width)
		for i := 0; i < len(lines); i += linesPerRow {
			end := min(i+linesPerRow, len(lines))
			pieces = append(pieces, strings.Join(lines[i:end], " "))
			last = append(last, end == len(lines))
		}
	}
	return pieces, last
}

// newlines makes every line break a newline, and a tab a space.
var newlines = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\u2028", "\n", "\u2029", "\n", "\t", " ")
