package bundle

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"

	"github.com/cynllun/cynllun/internal/textfit"
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
const ptPerMM = textfit.PtPerMM

// slack is how much narrower than its column a line is kept, in mm.
const slack = 0.6

// measurer measures text in one font (textfit). It is not safe for
// concurrent use: each Build makes its own.
type measurer = textfit.Measurer

func newMeasurer(f *sfnt.Font) *measurer { return textfit.New(f) }

// breakLines breaks text into lines at most width mm wide (less the slack),
// paragraph by paragraph. Empty text gives no lines.
func breakLines(m *measurer, text string, size, width float64) []string {
	var out []string
	for _, para := range textfit.Paragraphs(text) {
		out = append(out, m.Lines(para, size, width-slack)...)
	}
	return out
}

// clip keeps at most n lines, ending the last kept one with an ellipsis
// when lines were dropped.
func clip(m *measurer, lines []string, n int, size, width float64) []string {
	if len(lines) <= n {
		return lines
	}
	lines = lines[:n]
	last := lines[n-1] + " …"
	for m.Width(last, size) > width-slack && utf8.RuneCountInString(last) > 2 {
		_, k := utf8.DecodeLastRuneInString(strings.TrimSuffix(last, " …"))
		last = strings.TrimSuffix(last, " …")
		last = last[:len(last)-k] + " …"
	}
	lines[n-1] = last
	return lines
}

// oneLine makes text a single paragraph (titles, names, references).
func oneLine(s string) string { return textfit.OneLine(s) }
