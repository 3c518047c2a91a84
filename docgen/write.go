package docgen

import (
	"bytes"
	"errors"
	"time"

	"github.com/johnfercher/maroto/v2"
	"github.com/johnfercher/maroto/v2/pkg/components/col"
	"github.com/johnfercher/maroto/v2/pkg/components/page"
	"github.com/johnfercher/maroto/v2/pkg/components/row"
	"github.com/johnfercher/maroto/v2/pkg/components/text"
	"github.com/johnfercher/maroto/v2/pkg/config"
	"github.com/johnfercher/maroto/v2/pkg/consts/align"
	"github.com/johnfercher/maroto/v2/pkg/consts/border"
	"github.com/johnfercher/maroto/v2/pkg/consts/fontstyle"
	"github.com/johnfercher/maroto/v2/pkg/consts/orientation"
	"github.com/johnfercher/maroto/v2/pkg/consts/pagesize"
	"github.com/johnfercher/maroto/v2/pkg/core"
	"github.com/johnfercher/maroto/v2/pkg/props"
	"github.com/johnfercher/maroto/v2/pkg/repository"
	"github.com/phpdave11/gofpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goitalic"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/quality"
)

// Page layout: A4 with maroto's default margins (10 mm at the sides and
// top, 20 mm at the foot, where the page number goes), on a 12-column grid.
const (
	family       = "go" // the Go fonts, embedded: the PDF core fonts lose ŵ and ŷ
	bodySize     = 10.0
	smallSize    = 8.0
	gridSize     = 12
	labelSpan    = 4 // a field's label takes a third of the width
	contentWidth = 190.0
	quoteIndent  = 8.0
	severitySpan = 3   // a finding's severity takes a quarter of the width
	gap          = 1.5 // after each paragraph, in mm
	leading      = 0.6 // between lines of a paragraph, in mm
)

var (
	navy  = &props.Color{Red: 31, Green: 56, Blue: 100}
	grey  = &props.Color{Red: 90, Green: 90, Blue: 90}
	shade = &props.Color{Red: 232, Green: 236, Blue: 241}
	red   = &props.Color{Red: 180, Green: 0, Blue: 0}
	amber = &props.Color{Red: 184, Green: 112, Blue: 0} // dark enough to read on white
)

var (
	fontRegular = mustParse(goregular.TTF)
	fontItalic  = mustParse(goitalic.TTF)
	fontBold    = mustParse(gobold.TTF)
)

func mustParse(ttf []byte) *sfnt.Font {
	f, err := sfnt.Parse(ttf)
	if err != nil {
		panic("docgen: " + err.Error())
	}
	return f
}

func init() {
	// gofpdf writes its font catalogue in map order unless told to sort it;
	// sorted, the same tree always gives the same bytes. This is gofpdf's
	// only switch for it, and sorting changes nothing else.
	gofpdf.SetDefaultCatalogSort(true)
}

// Write writes a tree as a PDF: A4, the Go fonts embedded, compressed, with
// the title and draft mark in the header and the footer texts and page
// number in the footer of every page. The same tree gives the same bytes.
func Write(t *Tree) ([]byte, error) {
	const op = "docgen.Write"
	created := pdfDate(t.Created)
	m, err := newMaroto(pdfSetup{title: t.Title, pageNumber: t.PageNumber, created: created})
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	if err := m.RegisterHeader(header(t)...); err != nil {
		return nil, cynllun.Internal(op, err)
	}
	if err := m.RegisterFooter(footer(t)...); err != nil {
		return nil, cynllun.Internal(op, err)
	}
	w := &writer{m: m, regular: newMeasurer(fontRegular), italic: newMeasurer(fontItalic), bold: newMeasurer(fontBold)}
	for _, b := range t.Blocks {
		w.block(b)
	}
	pdf, err := generate(m, created)
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	return pdf, nil
}

// pdfSetup is what a document's maroto instance is made with.
type pdfSetup struct {
	title, pageNumber string
	created           time.Time // from pdfDate
	// landscape turns the A4 page; grid, when not 0, replaces maroto's
	// 12-column grid.
	landscape bool
	grid      int
}

// pdfDate is the creation date a document records: t in UTC, or the Unix
// epoch when t is zero, so that the bytes never depend on the clock.
func pdfDate(t time.Time) time.Time {
	if t.IsZero() {
		return time.Unix(0, 0).UTC()
	}
	return t.UTC()
}

// newMaroto starts a document: A4, the Go fonts embedded, compressed, the
// page number pattern at the foot of every page on the right, and the
// title and creation date in the metadata. The fonts are the ones parsed
// once per process (fonts.go), unless they cannot be reused.
func newMaroto(s pdfSetup) (core.Maroto, error) {
	set, err := fontCache()
	if err != nil {
		set = nil
	}
	return newMarotoWith(s, set)
}

// newMarotoWith starts a document with the parsed fonts in set, or, when
// set is nil, with fonts that gofpdf parses for this document alone.
func newMarotoWith(s pdfSetup, set []parsedFont) (core.Maroto, error) {
	defaultFont := &props.Font{Family: family, Size: bodySize}
	b := config.NewBuilder().
		WithPageSize(pagesize.A4).
		WithDefaultFont(defaultFont).
		WithCompression(true).
		WithCreationDate(s.created).
		WithTitle(s.title, true)
	if set == nil {
		// Each document gets its own copy of the font files: gofpdf pads
		// tables in place as it subsets a font, so shared bytes would race.
		repo := repository.New()
		for _, f := range goFonts {
			repo = repo.AddUTF8FontFromBytes(family, f.style, bytes.Clone(f.ttf))
		}
		fonts, err := repo.Load()
		if err != nil {
			return nil, err
		}
		b = b.WithCustomFonts(fonts)
	}
	if s.pageNumber != "" {
		b = b.WithPageNumber(props.PageNumber{Pattern: s.pageNumber, Place: props.RightBottom, Size: smallSize, Color: grey})
	}
	if s.landscape {
		b = b.WithOrientation(orientation.Horizontal)
	}
	if s.grid > 0 {
		b = b.WithMaxGridSize(s.grid)
	}
	m := maroto.New(b.Build())
	if set != nil {
		if err := addFonts(m, set, defaultFont.Style, defaultFont.Size); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// generate writes out a document whose rows are all added, its ModDate
// pinned to created.
func generate(m core.Maroto, created time.Time) ([]byte, error) {
	doc, err := m.Generate()
	if err != nil {
		return nil, err
	}
	return pinModDate(doc.GetBytes(), created)
}

func header(t *Tree) []core.Row {
	return []core.Row{
		row.New().Add(
			text.NewCol(8, t.Title, props.Text{Size: smallSize, Color: grey, Top: 2}),
			text.NewCol(4, t.Draft, props.Text{Size: 14, Style: fontstyle.Bold, Color: red, Align: align.Right, Bottom: 1}),
		).WithStyle(&props.Cell{BorderType: border.Bottom, BorderColor: grey, BorderThickness: 0.2}),
		row.New(4),
	}
}

func footer(t *Tree) []core.Row {
	small := props.Text{Size: smallSize, Color: grey, Top: 1}
	right := small
	right.Align = align.Right
	// The right-hand text takes a third of the width, or half when it is
	// too long for a third (a bilingual review record's).
	span := 4
	if newMeasurer(fontRegular).Width(t.FooterRight, smallSize) > contentWidth*float64(span)/gridSize {
		span = gridSize / 2
	}
	return []core.Row{
		row.New(3),
		row.New().Add(
			text.NewCol(gridSize-span, t.FooterLeft, small),
			text.NewCol(span, t.FooterRight, right),
		).WithStyle(&props.Cell{BorderType: border.Top, BorderColor: grey, BorderThickness: 0.2}),
	}
}

// writer adds blocks to a maroto document.
type writer struct {
	m                     core.Maroto
	regular, italic, bold *measurer
}

func (w *writer) block(b Block) {
	body := props.Text{Size: bodySize, Left: 2}
	switch b.Kind {
	case KindTitle:
		w.m.AddAutoRow(text.NewCol(gridSize, b.Text, props.Text{Size: 18, Style: fontstyle.Bold, Align: align.Center, Bottom: 4}))
	case KindPart:
		w.keepWithNext(45)
		w.m.AddRows(row.New(4), row.New().Add(
			text.NewCol(gridSize, b.Text, props.Text{Size: 14, Style: fontstyle.Bold, Color: &props.WhiteColor, Top: 1.5, Bottom: 1.5, Left: 2}),
		).WithStyle(&props.Cell{BackgroundColor: navy}))
	case KindSection:
		w.keepWithNext(35)
		w.m.AddAutoRow(text.NewCol(gridSize, b.Text, props.Text{Size: 12, Style: fontstyle.Bold, Color: navy, Top: 4, Bottom: 2}))
	case KindSubheading:
		w.keepWithNext(25)
		w.m.AddRows(row.New(2), row.New().Add(
			text.NewCol(gridSize, b.Text, props.Text{Size: bodySize, Style: fontstyle.Bold, Top: 1, Bottom: 1, Left: 2}),
		).WithStyle(&props.Cell{BackgroundColor: shade}))
	case KindField:
		label := props.Text{Size: 9, Style: fontstyle.Bold, Left: 2, Right: 2, Bottom: gap}
		w.flow(b.Text, gridSize-labelSpan, props.Text{Size: bodySize, Left: 2}, w.regular, func(first bool) core.Col {
			c := col.New(labelSpan)
			if first {
				c = text.NewCol(labelSpan, b.Label, label)
			}
			return c.WithStyle(&props.Cell{BackgroundColor: shade})
		})
	case KindParagraph:
		w.flow(b.Text, gridSize, body, w.regular, nil)
	case KindQuote:
		w.m.AddAutoRow(text.NewCol(gridSize, b.Label, props.Text{Size: smallSize, Style: fontstyle.Bold, Color: grey, Left: quoteIndent, Top: 1}))
		w.flow(b.Text, gridSize, props.Text{Size: bodySize, Style: fontstyle.Italic, Left: quoteIndent}, w.italic, nil)
	case KindEmpty:
		w.flow(b.Text, gridSize, props.Text{Size: bodySize, Style: fontstyle.Italic, Color: grey, Left: 2}, w.italic, nil)
	case KindWarning:
		w.flow(b.Text, gridSize, props.Text{Size: bodySize, Style: fontstyle.Bold, Color: red, Left: 2}, w.bold, nil)
	case KindPageBreak:
		w.m.AddPages(page.New())
	case KindImage:
		w.image(b)
	case KindFinding:
		w.keepWithNext(25)
		w.m.AddRows(row.New(3))
		severity := props.Text{Size: bodySize, Style: fontstyle.Bold, Color: severityColor(b.Key), Left: 2, Right: 2}
		w.flow(b.Text, gridSize-severitySpan, props.Text{Size: bodySize, Style: fontstyle.Bold, Left: 2}, w.bold, func(first bool) core.Col {
			if first {
				return text.NewCol(severitySpan, b.Label, severity)
			}
			return col.New(severitySpan)
		})
	case KindFindingText:
		w.flow(b.Text, gridSize-severitySpan, body, w.regular, indent)
	case KindFindingNote:
		w.flow(b.Text, gridSize-severitySpan, props.Text{Size: smallSize, Color: grey, Left: 2}, w.regular, indent)
	}
}

// indent is the empty column under a finding's severity.
func indent(bool) core.Col { return col.New(severitySpan) }

// severityColor is the colour of a finding's severity: errors red,
// warnings amber, notes (and anything else) grey.
func severityColor(severity string) *props.Color {
	switch quality.Severity(severity) {
	case quality.SeverityError:
		return red
	case quality.SeverityWarning:
		return amber
	}
	return grey
}

// flow adds text in a column span grid units wide at the right of the page,
// a few lines to a row so that it can break across pages anywhere. left, if
// not nil, makes the column to its left in each row.
func (w *writer) flow(s string, span int, p props.Text, m *measurer, left func(first bool) core.Col) {
	width := contentWidth*float64(span)/gridSize - p.Left - p.Right
	pieces, last := chunks(m, s, p.Size, width)
	for i, piece := range pieces {
		q := p
		q.VerticalPadding, q.Bottom = leading, leading
		if last[i] {
			q.Bottom = gap
		}
		cols := []core.Col{text.NewCol(span, piece, q)}
		if left != nil {
			cols = append([]core.Col{left(i == 0)}, cols...)
		}
		w.m.AddAutoRow(cols...)
	}
}

// keepWithNext starts a new page unless mm millimetres are left on this
// one, so that a heading is not left alone at the foot of a page.
func (w *writer) keepWithNext(mm float64) {
	if !w.m.FitlnCurrentPage(mm) {
		w.m.AddPages(page.New())
	}
}

// pinModDate sets the PDF's ModDate, which gofpdf always takes from the
// clock, to created. The stamp keeps its length, so offsets stay valid.
func pinModDate(pdf []byte, created time.Time) ([]byte, error) {
	key := []byte("/ModDate (D:")
	stamp := created.Format("20060102150405")
	i := bytes.LastIndex(pdf, key)
	if i < 0 || len(pdf) < i+len(key)+len(stamp) {
		return nil, errors.New("no ModDate in the PDF")
	}
	copy(pdf[i+len(key):], stamp)
	return pdf, nil
}

// Options change how a document is rendered; the zero value is the
// document as it is downloaded on its own.
type Options struct {
	// NoPageNumber leaves out the document's own "Page X of Y": for a
	// document placed in a tribunal bundle, whose continuous numbering
	// (stamped on every page) is then the page's only page number. The
	// footer's other texts (the learner, the version) stay.
	NoPageNumber bool
}

func (o Options) apply(t *Tree) {
	if o.NoPageNumber {
		t.PageNumber = ""
	}
}
