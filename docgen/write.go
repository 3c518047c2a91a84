package docgen

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"time"

	"github.com/johnfercher/go-tree/node"
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
	"github.com/johnfercher/maroto/v2/pkg/core/entity"
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
	w, err := newWriter(m)
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	w.write(t.Blocks)
	pdf, err := generate(m, pdfSetup{created: created, lang: t.Lang})
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
	// lang is the document's language, for the catalog's /Lang; "" leaves
	// the catalog as gofpdf writes it.
	lang Lang
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

// generate writes out a document whose rows are all added: its ModDate
// pinned to s.created and, when s.lang is set, its language and the
// request to show its title in the catalog (addToCatalog).
func generate(m core.Maroto, s pdfSetup) ([]byte, error) {
	doc, err := m.Generate()
	if err != nil {
		return nil, err
	}
	pdf, err := pinModDate(doc.GetBytes(), s.created)
	if err != nil || s.lang == "" {
		return pdf, err
	}
	return addToCatalog(pdf, catalogEntries(s.lang))
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

// writer lays out blocks on the pages of a maroto document. Each block
// is first made into rows (block, into the rowSink w.m); the writer then
// places the rows, measuring them as maroto will, so that
//
//   - a heading, or a run of headings, is never last on a page: it goes on
//     the next page unless the first rows of what follows fit under it
//     (keepsWithNext);
//   - a heading with Continued and the blocks under it (a 2B row) start on a
//     new page unless all of them fit in the rest of this one; when they are
//     taller than a page, each page they go on to starts with Continued as a
//     heading;
//   - the first rows of a block that belong together (a quotation's
//     introduction and its first lines) are on one page.
//
// Part and section headings carry a bookmark, filed on the page where the
// heading is drawn.
type writer struct {
	m                     *rowSink
	doc                   core.Maroto
	page                  *cursor
	pdf                   *gofpdf.Fpdf
	regular, italic, bold *measurer
	// inPart is set once a part heading is laid out: later sections are
	// bookmarked under it, earlier ones at the top level.
	inPart bool
}

func newWriter(m core.Maroto) (*writer, error) {
	c, err := cursorOf(m)
	if err != nil {
		return nil, err
	}
	pdf, err := gofpdfOf(m)
	if err != nil {
		return nil, err
	}
	return &writer{m: &rowSink{}, doc: m, page: c, pdf: pdf,
		regular: newMeasurer(fontRegular), italic: newMeasurer(fontItalic), bold: newMeasurer(fontBold)}, nil
}

// rowSink collects the rows a block is made of; it has the methods of
// maroto's document that block uses.
type rowSink struct{ rows []core.Row }

func (s *rowSink) AddRows(rows ...core.Row) { s.rows = append(s.rows, rows...) }

func (s *rowSink) AddAutoRow(cols ...core.Col) core.Row {
	r := row.New().Add(cols...)
	s.rows = append(s.rows, r)
	return r
}

// AddRow adds a row of a fixed height (an image's, say).
func (s *rowSink) AddRow(height float64, cols ...core.Col) core.Row {
	r := row.New(height).Add(cols...)
	s.rows = append(s.rows, r)
	return r
}

// laid is a block made into rows; the first keep rows go on one page.
type laid struct {
	rows []core.Row
	keep int
}

// keepsWithNext reports whether a block of kind k is kept on a page with
// the first rows of the block after it: headings, and a finding's
// severity with its message.
func keepsWithNext(k Kind) bool {
	switch k {
	case KindPart, KindSection, KindSubheading, KindFinding:
		return true
	}
	return false
}

// layout makes a block into rows.
func (w *writer) layout(b Block) laid {
	w.m.rows = nil
	w.block(b)
	l := laid{rows: w.m.rows, keep: 1}
	switch b.Kind {
	case KindPart, KindSection, KindSubheading:
		l.keep = len(l.rows)
	case KindQuote, KindFinding: // the introduction, or the space above, with the first lines
		l.keep = 2
	case KindImage: // the space above, the image and its caption's first line
		l.keep = 3
	}
	l.keep = min(l.keep, len(l.rows))
	return l
}

// write lays out the blocks in order.
func (w *writer) write(blocks []Block) {
	for i := 0; i < len(blocks); {
		switch b := blocks[i]; {
		case b.Kind == KindPageBreak:
			w.doc.AddPages(page.New())
			i++
		case keepsWithNext(b.Kind):
			i = w.headed(blocks, i)
		default:
			w.place(w.layout(b), nil)
			i++
		}
	}
}

// headed lays out the run of headings that starts at blocks[i] with what
// is kept with it, and returns the index of the next block to lay out.
func (w *writer) headed(blocks []Block, i int) int {
	var run []core.Row
	j := i
	for ; j < len(blocks) && keepsWithNext(blocks[j].Kind); j++ {
		run = append(run, w.layout(blocks[j]).rows...)
	}
	head := blocks[j-1]
	unit := head.Continued != "" && head.Kind != KindFinding
	k := j // the blocks kept with the run are blocks[j:k]
	for k < len(blocks) && blocks[k].Kind != KindPageBreak && !keepsWithNext(blocks[k].Kind) && (unit || k == j) {
		k++
	}
	body := make([]laid, 0, k-j)
	for _, b := range blocks[j:k] {
		body = append(body, w.layout(b))
	}
	need := w.page.height(run...)
	switch {
	case unit:
		for _, l := range body {
			need += w.page.height(l.rows...)
		}
	case len(body) > 0:
		need += w.page.height(body[0].rows[:body[0].keep]...)
	}
	if !w.page.fits(need) {
		w.doc.AddPages(page.New())
	}
	w.doc.AddRows(run...)
	var again func() []core.Row
	if unit {
		again = func() []core.Row { return w.layout(Block{Kind: head.Kind, Text: head.Continued}).rows }
	}
	for _, l := range body {
		w.place(l, again)
	}
	return k
}

// place adds a block's rows, its first keep rows together and the others
// one by one, each on a new page when it does not fit in the rest of this
// one. On each new page, again, if not nil, gives the rows to start with.
func (w *writer) place(l laid, again func() []core.Row) {
	for i := 0; i < len(l.rows); {
		n := 1
		if i == 0 {
			n = max(l.keep, 1)
		}
		rows := l.rows[i : i+n]
		if !w.page.fits(w.page.height(rows...)) && !w.page.atTop() {
			w.doc.AddPages(page.New())
			if again != nil {
				w.doc.AddRows(again()...)
			}
		}
		w.doc.AddRows(rows...)
		i += n
	}
}

// bookmark is the heading text of a part or section as a column with an
// outline entry for it.
func (w *writer) bookmark(span int, b Block, p props.Text) core.Col {
	level := 0
	switch b.Kind {
	case KindPart:
		w.inPart = true
	case KindSection:
		if w.inPart {
			level = 1
		}
	}
	return col.New(span).Add(text.New(b.Text, p), &outlineEntry{pdf: w.pdf, title: b.Text, level: level})
}

func (w *writer) block(b Block) {
	body := props.Text{Size: bodySize, Left: 2}
	switch b.Kind {
	case KindTitle:
		w.m.AddAutoRow(text.NewCol(gridSize, b.Text, props.Text{Size: 18, Style: fontstyle.Bold, Align: align.Center, Bottom: 4}))
	case KindPart:
		w.m.AddRows(row.New(4), row.New().Add(
			w.bookmark(gridSize, b, props.Text{Size: 14, Style: fontstyle.Bold, Color: &props.WhiteColor, Top: 1.5, Bottom: 1.5, Left: 2}),
		).WithStyle(&props.Cell{BackgroundColor: navy}))
	case KindSection:
		w.m.AddAutoRow(w.bookmark(gridSize, b, props.Text{Size: 12, Style: fontstyle.Bold, Color: navy, Top: 4, Bottom: 2}))
	case KindSubheading:
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
	case KindImage:
		w.image(b)
	case KindFinding:
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

// cursor measures rows as maroto will and reads where maroto is on the
// current page. maroto v2.3.3 keeps both to itself: its provider (which
// measures text) and its running height are unexported, and its
// FitlnCurrentPage counts the page header twice. They are reached by
// reflection, as gofpdfOf reaches gofpdf; cursorOf says what is missing if
// another maroto lays them out differently.
type cursor struct {
	provider core.Provider
	config   *entity.Config
	cell     entity.Cell // the text area of a page
	// current is the height taken on the current page (the page header
	// included), header and footer the heights of the page furniture.
	current, header, footer *float64
}

func cursorOf(m core.Maroto) (*cursor, error) {
	v := reflect.ValueOf(m)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return nil, fmt.Errorf("maroto: %T is not a pointer to a struct", m)
	}
	s := v.Elem()
	field := func(name string, t reflect.Type) (reflect.Value, error) {
		f := s.FieldByName(name)
		if !f.IsValid() || f.Type() != t {
			return reflect.Value{}, fmt.Errorf("maroto: no field %s of type %s", name, t)
		}
		return writable(f), nil
	}
	c := &cursor{config: m.GetCurrentConfig()}
	p, err := field("provider", reflect.TypeFor[core.Provider]())
	if err != nil {
		return nil, err
	}
	c.provider, _ = p.Interface().(core.Provider)
	cell, err := field("cell", reflect.TypeFor[entity.Cell]())
	if err != nil {
		return nil, err
	}
	c.cell = cell.Interface().(entity.Cell)
	for _, f := range []struct {
		name string
		ptr  **float64
	}{{"currentHeight", &c.current}, {"headerHeight", &c.header}, {"footerHeight", &c.footer}} {
		h, err := field(f.name, reflect.TypeFor[float64]())
		if err != nil {
			return nil, err
		}
		*f.ptr = h.Addr().Interface().(*float64)
	}
	if c.provider == nil || c.config == nil {
		return nil, errors.New("maroto: no provider or no config")
	}
	return c, nil
}

// height is the height of rows as maroto lays them out.
func (c *cursor) height(rows ...core.Row) float64 {
	var h float64
	for _, r := range rows {
		if len(r.GetColumns()) == 0 {
			r.Add(col.New()) // as maroto does
		}
		r.SetConfig(c.config)
		cell := c.cell
		h += r.GetHeight(c.provider, &cell)
	}
	return h
}

// fits reports whether h millimetres of rows fit in the rest of the page,
// on the safe side of maroto, which sums the same heights in another order
// (fitEpsilon, as for tables).
func (c *cursor) fits(h float64) bool {
	return *c.current+h+*c.footer+fitEpsilon <= c.cell.Height
}

// atTop reports whether nothing but the page header is on the page yet.
func (c *cursor) atTop() bool { return *c.current == *c.header }

// outlineEntry files an outline entry (a bookmark) for the row it is in,
// pointing at the top of the row on the page where it is drawn; it takes
// no space.
type outlineEntry struct {
	pdf   *gofpdf.Fpdf
	title string
	level int
}

func (o *outlineEntry) Render(_ core.Provider, cell *entity.Cell) {
	_, top, _, _ := o.pdf.GetMargins()
	o.pdf.Bookmark(o.title, o.level, cell.Y+top)
}

func (o *outlineEntry) GetHeight(core.Provider, *entity.Cell) float64 { return 0 }

func (o *outlineEntry) SetConfig(*entity.Config) {}

func (o *outlineEntry) GetStructure() *node.Node[core.Structure] {
	return node.New(core.Structure{Type: "bookmark", Value: o.title})
}

// catalogEntries is what the document catalog says besides what gofpdf
// writes: the document's language (/Lang, which a screen reader reads the
// text in) and that a viewer shows the title (/Info Title) rather than the
// file name. A bilingual document is Welsh first, so its primary language
// is Welsh; its English halves are not tagged as such, since the PDF is
// untagged (the HTML rendition marks each passage's language).
func catalogEntries(l Lang) string {
	lang := "en"
	if l == LangCY || l == LangBilingual {
		lang = "cy"
	}
	return "/Lang (" + lang + ")\n/ViewerPreferences << /DisplayDocTitle true >>\n"
}

// addToCatalog adds entries to the document catalog that gofpdf writes.
// gofpdf writes the catalog last before the cross-reference table, so the
// entries shift nothing but the table, whose offset (startxref) is
// corrected.
func addToCatalog(pdf []byte, entries string) ([]byte, error) {
	catalog := []byte("/Type /Catalog\n")
	i := bytes.LastIndex(pdf, catalog)
	const sx = "\nstartxref\n"
	j := bytes.LastIndex(pdf, []byte(sx))
	if i < 0 || j < i {
		return nil, errors.New("no catalog before the cross-reference table")
	}
	end := bytes.IndexByte(pdf[j+len(sx):], '\n')
	if end < 0 {
		return nil, errors.New("no startxref offset")
	}
	offset, err := strconv.Atoi(string(pdf[j+len(sx) : j+len(sx)+end]))
	if err != nil || offset < i {
		return nil, fmt.Errorf("startxref offset %q", pdf[j+len(sx):j+len(sx)+end])
	}
	at := i + len(catalog)
	out := make([]byte, 0, len(pdf)+len(entries)+4)
	out = append(out, pdf[:at]...)
	out = append(out, entries...)
	out = append(out, pdf[at:j+len(sx)]...)
	out = strconv.AppendInt(out, int64(offset+len(entries)), 10)
	out = append(out, pdf[j+len(sx)+end:]...)
	return out, nil
}
