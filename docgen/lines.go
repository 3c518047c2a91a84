package docgen

import (
	"strings"

	"golang.org/x/image/font/sfnt"

	"github.com/cynllun/cynllun/internal/textfit"
)

// A maroto row never breaks across pages, and a row taller than a page is
// cut off at its foot. So text is broken into lines here, the way maroto's
// gofpdf provider breaks it (greedily at spaces, with the font's advance
// widths rounded to thousandths of an em), and set a few lines to a row.
// Rows of consecutive lines sit flush, so a paragraph reads as one.

// linesPerRow is how many lines of text go in one row: small enough that a
// page break wastes little space, large enough to keep rows few.
const linesPerRow = 8

// leadLines is how many lines the first row of a text has: what a heading
// needs under it to stay on its page (the writer keeps them together).
const leadLines = 2

// measurer measures text in one font (textfit); not safe for concurrent use.
type measurer = textfit.Measurer

func newMeasurer(f *sfnt.Font) *measurer { return textfit.New(f) }

// chunks splits text into pieces of at most linesPerRow lines, one row each,
// paragraph by paragraph, the first piece of at most leadLines. last marks
// the final piece of each paragraph.
func chunks(m *measurer, text string, size, width float64) (pieces []string, last []bool) {
	for _, para := range textfit.Paragraphs(text) {
		lines := m.Lines(para, size, width)
		for i := 0; i < len(lines); {
			n := linesPerRow
			if len(pieces) == 0 {
				n = leadLines
			}
			end := min(i+n, len(lines))
			pieces = append(pieces, strings.Join(lines[i:end], " "))
			last = append(last, end == len(lines))
			i = end
		}
	}
	return pieces, last
}
