package docgen

import (
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/johnfercher/maroto/v2/pkg/components/col"
	"github.com/johnfercher/maroto/v2/pkg/components/page"
	"github.com/johnfercher/maroto/v2/pkg/components/row"
	"github.com/johnfercher/maroto/v2/pkg/components/text"
	"github.com/johnfercher/maroto/v2/pkg/consts/align"
	"github.com/johnfercher/maroto/v2/pkg/consts/border"
	"github.com/johnfercher/maroto/v2/pkg/consts/fontstyle"
	"github.com/johnfercher/maroto/v2/pkg/consts/pagesize"
	"github.com/johnfercher/maroto/v2/pkg/core"
	"github.com/johnfercher/maroto/v2/pkg/props"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/form"
	"github.com/cynllun/cynllun/internal/textfit"
)

// TableDoc is part of the record shown as a table, for a tribunal bundle:
// the provision delivery ledger, the statutory deadlines met and missed.
type TableDoc struct {
	Title    form.Text // "Provision delivered" / "Darpariaeth a ddarparwyd"
	Subtitle form.Text // optional, e.g. the period covered
	// Subject is who the record is about, printed under the title and in
	// every footer (as the plan's footer shows the learner's name).
	Subject string
	Columns []TableColumn
	Rows    []TableRow
	// Notes are paragraphs printed after the table (warnings such as
	// "counted on weekdays: no term calendar").
	Notes []form.Text
	// Empty is printed instead of the table when there are no rows; when
	// it is blank too, "No information recorded."
	Empty form.Text
	// AsOf is printed under the title ("Record as at 1 December 2026" /
	// "Cofnod fel yr oedd ar 1 Rhagfyr 2026", the date in London) and in
	// every footer, and is the PDF's creation date. A zero AsOf prints
	// no such line and dates the PDF at the Unix epoch.
	AsOf time.Time
}

// TableColumn is one column of a TableDoc.
type TableColumn struct {
	Heading form.Text
	// Width is the column's width relative to the others'; the widths are
	// scaled to the page width. Every column must come out at least
	// minColumnWidth (8 mm) wide.
	Width int
	Align Align // left by default; right for numbers
}

// TableRow is one row of a TableDoc.
type TableRow struct {
	// Cells are one per column; a cell's text may wrap onto several lines
	// and hold several paragraphs (separated by newlines).
	Cells []form.Text
	// Emphasis marks a row to stand out (a missed deadline, a shortfall):
	// it is printed bold and in red.
	Emphasis bool
}

// Align is how a column's text is aligned: AlignLeft (the zero value),
// AlignRight (numbers) or AlignCenter.
type Align int

const (
	AlignLeft Align = iota
	AlignRight
	AlignCenter
)

var alignments = map[Align]align.Type{AlignLeft: align.Left, AlignRight: align.Right, AlignCenter: align.Center}

// Layout of a table document. The page is A4 with maroto's default margins
// (as Write's), portrait up to six columns and landscape from seven, on a
// grid of tenths of a millimetre. Every line of text is broken here and set
// at a known place in a row of known height, so that this code, not
// maroto, decides where pages break: a row moves whole to the next page
// when it does not fit, under the column headings again, and only a row
// taller than a page is split (between lines).
const (
	landscapeColumns = 7
	gridPerMM        = 10
	minColumnWidth   = 8.0 // mm
	cellSize         = 9.0
	headingSize      = 8.5
	furnitureSize    = smallSize
	cellPadX         = 1.5 // mm at each side of a cell's text
	cellPadTop       = 1.0
	cellPadBottom    = 1.2
	leadRatio        = 1.3 // line height / font size
	// slack keeps every line a little narrower than its column, so that
	// gofpdf never wraps it again.
	slack = 0.5
	// maxHeadingLines clips a column heading; maxFurnitureLines the title
	// in the page header.
	maxHeadingLines   = 6
	maxFurnitureLines = 2
	// minSplitLines is how many lines of a row taller than a page must fit
	// at the foot of a page for the row to start there.
	minSplitLines = 3
	// maxRowErrors caps the field errors reported for rows.
	maxRowErrors = 20
	// fitEpsilon keeps the page-break decisions here on the safe side of
	// maroto's, which sums the same heights in the same order.
	fitEpsilon = 1e-6
)

var ruleColor = &props.Color{Red: 190, Green: 190, Blue: 190}

// lineHeight is the distance between the baselines of lines of size pt.
func lineHeight(size float64) float64 { return size / textfit.PtPerMM * leadRatio }

// RenderTable renders part of the record as a table: the title, subject,
// subtitle and date of the record, the table (or Empty when it has no
// rows), then the notes. Each page has the title in its header and the
// subject, the date of the record and "Page X of Y" in its footer. A
// bilingual document gives headings and fixed wording Welsh then English,
// "Cymraeg / English", and each text given in both languages likewise,
// paragraph by paragraph when both have as many (else the Welsh
// paragraphs, then the English); a text given in one language only is
// printed in it, whatever the document's language. Invalid input gives an
// INVALID *cynllun.Error naming the field by its path ("rows.3.cells");
// its messages never quote the table's text. The same input gives the
// same bytes.
func RenderTable(doc TableDoc, lang Lang) ([]byte, error) {
	return RenderTableWith(doc, lang, Options{})
}

// RenderTableWith is RenderTable with options (for a bundle: no page
// number).
func RenderTableWith(doc TableDoc, lang Lang, o Options) ([]byte, error) {
	const op = "docgen.RenderTable"
	l, err := layoutTable(op, doc, lang)
	if err != nil {
		return nil, err
	}
	if o.NoPageNumber {
		l.pageNumber = ""
	}
	pdf, err := writeTable(l)
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	return pdf, nil
}

// validateTable checks the table's shape; it quotes no text.
func validateTable(op string, doc TableDoc, lang Lang) error {
	var fe []cynllun.FieldError
	add := func(field, msg string) { fe = append(fe, cynllun.FieldError{Field: field, Message: msg}) }
	if !lang.Valid() {
		add("lang", "must be EN, CY or BILINGUAL")
	}
	if len(doc.Columns) == 0 {
		add("columns", "at least one column is required")
	}
	for i, c := range doc.Columns {
		if c.Width <= 0 {
			add(fmt.Sprintf("columns.%d.width", i), "must be greater than 0")
		}
		if _, ok := alignments[c.Align]; !ok {
			add(fmt.Sprintf("columns.%d.align", i), "is not a known alignment")
		}
	}
	bad := 0
	for i, r := range doc.Rows {
		if len(r.Cells) == len(doc.Columns) {
			continue
		}
		if bad++; bad <= maxRowErrors {
			add(fmt.Sprintf("rows.%d.cells", i), fmt.Sprintf("has %d cells; the table has %d columns", len(r.Cells), len(doc.Columns)))
		}
	}
	if bad > maxRowErrors {
		add("rows", fmt.Sprintf("%d more rows have the wrong number of cells", bad-maxRowErrors))
	}
	if len(fe) > 0 {
		return cynllun.Invalid(op, fe...)
	}
	return nil
}

// tableText is t in lang: in the one language it has when it has only
// one; else in lang, a bilingual document giving "Cymraeg / English" (once
// when they are the same), paragraph by paragraph when both have as many
// paragraphs, else the Welsh paragraphs then the English.
func tableText(lang Lang, t form.Text) string {
	switch {
	case blank(t.CY):
		return t.EN
	case blank(t.EN):
		return t.CY
	case lang == LangEN:
		return t.EN
	case lang == LangCY:
		return t.CY
	case strings.TrimSpace(t.CY) == strings.TrimSpace(t.EN):
		return t.EN
	}
	cy, en := textfit.Paragraphs(t.CY), textfit.Paragraphs(t.EN)
	if len(cy) != len(en) {
		return t.CY + "\n" + t.EN
	}
	out := make([]string, len(cy))
	for i := range cy {
		out[i] = lang.Pick(form.Text{EN: strings.TrimSpace(en[i]), CY: strings.TrimSpace(cy[i])})
	}
	return strings.Join(out, "\n")
}

// tableLayout is a table document laid out: every row of every page, with
// its height, in the order maroto is to get them.
type tableLayout struct {
	title, pageNumber string
	created           time.Time
	lang              Lang
	landscape         bool
	grid              int
	// width and height of the page's text area (maroto's root cell).
	width, height  float64
	header, footer []*trow
	pages          [][]*trow
}

type rowKind int

const (
	rowText    rowKind = iota // a line of the title block, the notes or the empty line
	rowSpace                  // space between blocks
	rowHeading                // the column headings
	rowData                   // a row of the table, or part of one taller than a page
	rowFurniture
)

// trow is one row of a page, of fixed height: each cell's text is already
// broken into lines, which maroto sets one under another.
type trow struct {
	kind rowKind
	// index is a data row's index in TableDoc.Rows; first and last
	// (exclusive) the lines of it the row holds.
	index, first, last int
	cells              []tcell
	height             float64
	fill               *props.Color
	rule               border.Type // a thin rule at the row's top or bottom, or border.None
}

type tcell struct {
	span  int // grid units
	lines []string
	size  float64
	style fontstyle.Type
	color *props.Color
	align align.Type
	top   float64 // from the top of the row to the top of the first line
	padX  float64
}

// column is a table column laid out.
type column struct {
	span  int
	width float64 // mm
	align align.Type
}

// tableBuilder lays out a table document page by page, counting the height
// used on the current page as maroto does.
type tableBuilder struct {
	doc                   TableDoc
	lang                  Lang
	l                     *tableLayout
	regular, bold, italic *measurer
	cols                  []column
	heading               *trow
	headerHeight          float64 // the page header, summed as maroto sums it
	footerHeight          float64
	cur                   []*trow
	used                  float64 // on the current page, the header included
	headed                bool    // the current page has the column headings
}

func layoutTable(op string, doc TableDoc, lang Lang) (*tableLayout, error) {
	if err := validateTable(op, doc, lang); err != nil {
		return nil, err
	}
	b := &tableBuilder{doc: doc, lang: lang, regular: newMeasurer(fontRegular), bold: newMeasurer(fontBold), italic: newMeasurer(fontItalic)}
	landscape := len(doc.Columns) >= landscapeColumns
	w, h := pagesize.GetDimensions(pagesize.A4)
	if landscape {
		w, h = h, w
	}
	l := &tableLayout{
		title:      b.t(doc.Title),
		pageNumber: b.t(txtPage),
		created:    pdfDate(doc.AsOf),
		lang:       lang,
		landscape:  landscape,
		width:      w - pagesize.DefaultLeftMargin - pagesize.DefaultRightMargin,
		height:     h - pagesize.DefaultTopMargin - pagesize.DefaultBottomMargin,
	}
	l.grid = int(math.Round(l.width * gridPerMM))
	b.l = l
	if err := b.columns(op); err != nil {
		return nil, err
	}
	b.furniture()

	b.titleBlock()
	if len(doc.Rows) == 0 {
		empty := b.t(doc.Empty)
		if blank(empty) {
			empty = b.t(txtEmpty)
		}
		b.paragraphs(empty, bodySize, fontstyle.Italic, grey, align.Left, gap)
	} else {
		b.heading = b.headingRow()
		for i := range doc.Rows {
			b.dataRow(i)
		}
	}
	if len(doc.Notes) > 0 {
		b.space(3)
		for _, n := range doc.Notes {
			b.paragraphs(b.t(n), cellSize, fontstyle.Normal, nil, align.Left, gap)
		}
	}
	l.pages = append(l.pages, b.cur)
	return l, nil
}

func (b *tableBuilder) t(t form.Text) string { return tableText(b.lang, t) }

// columns scales the columns' widths to the grid, the units left over by
// rounding down going to the columns that lost most.
func (b *tableBuilder) columns(op string) error {
	total := 0.0
	for _, c := range b.doc.Columns {
		total += float64(c.Width)
	}
	grid := b.l.grid
	b.cols = make([]column, len(b.doc.Columns))
	rest := make([]float64, len(b.cols))
	used := 0
	for i, c := range b.doc.Columns {
		exact := float64(c.Width) / total * float64(grid)
		b.cols[i].span = int(exact)
		rest[i] = exact - float64(b.cols[i].span)
		used += b.cols[i].span
	}
	for ; used < grid; used++ {
		k := 0
		for i := range rest {
			if rest[i] > rest[k] {
				k = i
			}
		}
		b.cols[k].span++
		rest[k] = -1
	}
	var fe []cynllun.FieldError
	for i := range b.cols {
		c := &b.cols[i]
		c.width = float64(c.span) / gridPerMM
		c.align = alignments[b.doc.Columns[i].Align]
		if c.width < minColumnWidth {
			fe = append(fe, cynllun.FieldError{Field: fmt.Sprintf("columns.%d.width", i),
				Message: fmt.Sprintf("makes the column %.1f mm wide; it must be at least %.0f mm of the %.0f mm", c.width, minColumnWidth, b.l.width)})
		}
	}
	if len(fe) > 0 {
		return cynllun.Invalid(op, fe...)
	}
	return nil
}

// furniture lays out the page header (the title, under a rule, in a line
// or two) and the page footer (the subject on the left and the date of the
// record on the right, over a rule); maroto adds the page number below.
func (b *tableBuilder) furniture() {
	l := b.l
	lh := lineHeight(furnitureSize)
	title := clipLines(b.regular, b.lines(b.regular, textfit.OneLine(l.title), furnitureSize, l.width), maxFurnitureLines, furnitureSize, l.width-slack)
	n := max(len(title), 1)
	l.header = []*trow{
		{kind: rowFurniture, height: 2 + float64(n)*lh + 0.5, rule: border.Bottom,
			cells: []tcell{{span: l.grid, lines: title, size: furnitureSize, color: grey, align: align.Left, top: 2}}},
		{kind: rowSpace, height: 4},
	}
	right := ""
	if !b.doc.AsOf.IsZero() {
		right = b.t(b.asOf())
	}
	rightSpan := 0
	if right != "" {
		rightSpan = min(int(math.Ceil((b.regular.Width(right, furnitureSize)+2*slack)*gridPerMM)), l.grid/2)
	}
	leftSpan := l.grid - rightSpan
	left := textfit.OneLine(b.doc.Subject)
	cells := []tcell{{span: leftSpan, lines: b.oneLine(b.regular, left, float64(leftSpan)/gridPerMM), size: furnitureSize, color: grey, align: align.Left, top: 1}}
	if rightSpan > 0 {
		cells = append(cells, tcell{span: rightSpan, lines: b.oneLine(b.regular, right, float64(rightSpan)/gridPerMM), size: furnitureSize, color: grey, align: align.Right, top: 1})
	}
	l.footer = []*trow{
		{kind: rowSpace, height: 3},
		{kind: rowFurniture, height: 1 + lh, rule: border.Top, cells: cells},
	}
	for _, r := range l.header {
		b.headerHeight += r.height
	}
	for _, r := range l.footer {
		b.footerHeight += r.height
	}
	b.used = b.headerHeight
}

// asOf is "Record as at 1 December 2026", the date in London.
func (b *tableBuilder) asOf() form.Text {
	d := dateText(cynllun.DateOf(b.doc.AsOf.In(cynllun.London)))
	return form.Text{EN: fmt.Sprintf(fmtAsOf.EN, d.EN), CY: fmt.Sprintf(fmtAsOf.CY, d.CY)}
}

// titleBlock lays out the title, the subject, the subtitle and the date of
// the record, centred.
func (b *tableBuilder) titleBlock() {
	b.paragraphs(b.t(b.doc.Title), 16, fontstyle.Bold, nil, align.Center, 1.5)
	b.paragraphs(b.doc.Subject, 11, fontstyle.Bold, nil, align.Center, 1)
	b.paragraphs(b.t(b.doc.Subtitle), bodySize, fontstyle.Normal, nil, align.Center, 1)
	if !b.doc.AsOf.IsZero() {
		b.paragraphs(b.t(b.asOf()), cellSize, fontstyle.Normal, grey, align.Center, 0)
	}
	b.space(4)
}

// lines breaks text into lines of at most width mm less the slack,
// paragraph by paragraph.
func (b *tableBuilder) lines(m *measurer, s string, size, width float64) []string {
	var out []string
	for _, p := range textfit.Paragraphs(s) {
		out = append(out, m.Lines(p, size, width-slack)...)
	}
	return out
}

// oneLine is s on one line of a cell width mm wide, cut short with an
// ellipsis when it is too long.
func (b *tableBuilder) oneLine(m *measurer, s string, width float64) []string {
	return clipLines(m, b.lines(m, s, furnitureSize, width), 1, furnitureSize, width-slack)
}

// clipLines keeps at most n lines, ending the last one kept with an
// ellipsis when lines were dropped, within width mm.
func clipLines(m *measurer, lines []string, n int, size, width float64) []string {
	if len(lines) <= n {
		return lines
	}
	lines = lines[:n]
	last := strings.TrimSpace(lines[n-1])
	for last != "" && m.Width(last+" …", size) > width {
		_, k := utf8.DecodeLastRuneInString(last)
		last = strings.TrimSpace(last[:len(last)-k])
	}
	lines[n-1] = strings.TrimSpace(last + " …")
	return lines
}

func (b *tableBuilder) measurer(style fontstyle.Type) *measurer {
	switch style {
	case fontstyle.Bold:
		return b.bold
	case fontstyle.Italic:
		return b.italic
	}
	return b.regular
}

// paragraphs lays out text across the page, a row per line, with after mm
// after each paragraph.
func (b *tableBuilder) paragraphs(s string, size float64, style fontstyle.Type, color *props.Color, al align.Type, after float64) {
	m := b.measurer(style)
	lh := lineHeight(size)
	for _, p := range textfit.Paragraphs(s) {
		lines := m.Lines(p, size, b.l.width-2*cellPadX-slack)
		for i, line := range lines {
			h := lh
			if i == len(lines)-1 {
				h += after
			}
			b.place(&trow{kind: rowText, index: -1, height: h, cells: []tcell{{
				span: b.l.grid, lines: []string{line}, size: size, style: style, color: color, align: al, padX: cellPadX,
			}}})
		}
	}
}

// space adds mm of space, unless the page is full.
func (b *tableBuilder) space(mm float64) {
	if b.fits(mm) {
		b.add(&trow{kind: rowSpace, index: -1, height: mm})
	}
}

// fits reports whether h mm more fit on the current page, as maroto
// reckons it (rowHeight + currentHeight + footerHeight <= the page).
func (b *tableBuilder) fits(h float64) bool {
	return h+b.used+b.footerHeight <= b.l.height-fitEpsilon
}

// fresh reports whether nothing is on the current page yet.
func (b *tableBuilder) fresh() bool { return len(b.cur) == 0 }

func (b *tableBuilder) add(r *trow) {
	b.cur = append(b.cur, r)
	b.used += r.height
}

func (b *tableBuilder) newPage() {
	b.l.pages = append(b.l.pages, b.cur)
	b.cur, b.used, b.headed = nil, b.headerHeight, false
}

// place adds a row, on a new page if it does not fit on this one.
func (b *tableBuilder) place(r *trow) {
	if !b.fits(r.height) && !b.fresh() {
		b.newPage()
	}
	b.add(r)
}

func cellHeight(lines int, size float64) float64 {
	return cellPadTop + float64(max(lines, 1))*lineHeight(size) + cellPadBottom
}

// headingRow lays out the column headings, shaded, in bold.
func (b *tableBuilder) headingRow() *trow {
	r := &trow{kind: rowHeading, index: -1, fill: shade, rule: border.Bottom}
	n := 1
	for i, c := range b.cols {
		width := c.width - 2*cellPadX
		lines := clipLines(b.bold, b.lines(b.bold, b.t(b.doc.Columns[i].Heading), headingSize, width), maxHeadingLines, headingSize, width-slack)
		n = max(n, len(lines))
		r.cells = append(r.cells, tcell{span: c.span, lines: lines, size: headingSize, style: fontstyle.Bold, color: navy, align: c.align, top: cellPadTop, padX: cellPadX})
	}
	r.height = cellHeight(n, headingSize)
	return r
}

// dataRow lays out row i of the table: on this page, under the headings
// when they are not here yet, if it fits; else on the next page; and only
// when it is taller than a page, split across pages between lines.
func (b *tableBuilder) dataRow(i int) {
	r := b.doc.Rows[i]
	style, color := fontstyle.Normal, (*props.Color)(nil)
	if r.Emphasis {
		style, color = fontstyle.Bold, red
	}
	m := b.measurer(style)
	cells := make([][]string, len(b.cols))
	n := 1
	for j, c := range b.cols {
		cells[j] = b.lines(m, b.t(r.Cells[j]), cellSize, c.width-2*cellPadX)
		n = max(n, len(cells[j]))
	}
	segment := func(first, last int) *trow {
		t := &trow{kind: rowData, index: i, first: first, last: last, height: cellHeight(last-first, cellSize), rule: border.Bottom}
		for j, c := range b.cols {
			lines := cells[j][min(first, len(cells[j])):min(last, len(cells[j]))]
			t.cells = append(t.cells, tcell{span: c.span, lines: lines, size: cellSize, style: style, color: color, align: c.align, top: cellPadTop, padX: cellPadX})
		}
		return t
	}
	for first := 0; first < n; {
		k := b.linesThatFit(n - first)
		switch {
		case k == n-first: // the rest of the row fits here
		case b.fresh():
			k = max(k, 1) // a row taller than a page: as much as a page holds
		case first == 0 && b.freshLines() >= n:
			// it fits on a page of its own
			b.newPage()
			continue
		case k < min(minSplitLines, n-first):
			b.newPage()
			continue
		}
		if !b.headed {
			b.add(b.heading)
			b.headed = true
		}
		b.add(segment(first, first+k))
		if first += k; first < n {
			b.newPage()
		}
	}
}

// linesThatFit is how many lines of a data row, up to n, fit on the
// current page, with the headings when they are not here yet.
func (b *tableBuilder) linesThatFit(n int) int {
	extra := 0.0
	if !b.headed {
		extra = b.heading.height
	}
	k := 0
	for k < n && b.fits(extra+cellHeight(k+1, cellSize)) {
		k++
	}
	return k
}

// freshLines is how many lines of a data row fit on a new page, under the
// headings.
func (b *tableBuilder) freshLines() int {
	avail := b.l.height - fitEpsilon - b.footerHeight - b.headerHeight - b.heading.height - cellPadTop - cellPadBottom
	return max(int(avail/lineHeight(cellSize)), 1)
}

// writeTable renders a laid out table document with maroto, page by page.
func writeTable(l *tableLayout) ([]byte, error) {
	m, err := newMaroto(pdfSetup{title: l.title, pageNumber: l.pageNumber, created: l.created, landscape: l.landscape, grid: l.grid})
	if err != nil {
		return nil, err
	}
	cfg := m.GetCurrentConfig()
	if w, h := cfg.Dimensions.Width-cfg.Margins.Left-cfg.Margins.Right, cfg.Dimensions.Height-cfg.Margins.Top-cfg.Margins.Bottom; w != l.width || h != l.height {
		return nil, fmt.Errorf("page is %gx%g mm, laid out for %gx%g", w, h, l.width, l.height)
	}
	if err := m.RegisterHeader(marotoRows(l.header, l.grid)...); err != nil {
		return nil, err
	}
	if err := m.RegisterFooter(marotoRows(l.footer, l.grid)...); err != nil {
		return nil, err
	}
	for _, p := range l.pages {
		m.AddPages(page.New().Add(marotoRows(p, l.grid)...))
	}
	return generate(m, pdfSetup{created: l.created, lang: l.lang})
}

func marotoRows(rows []*trow, grid int) []core.Row {
	out := make([]core.Row, len(rows))
	for i, r := range rows {
		out[i] = marotoRow(r, grid)
	}
	return out
}

func marotoRow(r *trow, grid int) core.Row {
	mr := row.New(r.height)
	if len(r.cells) == 0 {
		return mr.Add(col.New(grid))
	}
	for _, c := range r.cells {
		cl := col.New(c.span)
		lh := lineHeight(c.size)
		for i, line := range c.lines {
			cl.Add(text.New(line, props.Text{
				Family: family, Style: c.style, Size: c.size, Color: c.color, Align: c.align,
				Top: c.top + float64(i)*lh, Left: c.padX, Right: c.padX,
			}))
		}
		mr.Add(cl)
	}
	if r.fill != nil || r.rule != border.None {
		st := &props.Cell{BackgroundColor: r.fill}
		if r.rule != border.None {
			st.BorderType, st.BorderColor, st.BorderThickness = r.rule, ruleColor, 0.2
		}
		mr.WithStyle(st)
	}
	return mr
}
