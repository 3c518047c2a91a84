package bundle

import (
	"errors"
	"fmt"
	"strings"

	"github.com/johnfercher/maroto/v2/pkg/consts/align"
	"github.com/johnfercher/maroto/v2/pkg/props"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/form"
)

// Page geometry of generated pages, in mm: A4 portrait; the foot is kept
// clear for the page number stamp. The grid has one column per millimetre
// of the text width, so every column width is a whole number of mm.
const (
	pageWidth    = 210.0
	pageHeight   = 297.0
	marginLeft   = 20.0
	marginRight  = 20.0
	marginTop    = 15.0
	marginBottom = 22.0
	textWidth    = pageWidth - marginLeft - marginRight // 170
	gridSize     = int(textWidth)
	// budget is the height rows may fill, a little under maroto's usable
	// height so that it never starts a page of its own.
	budget = pageHeight - marginTop - marginBottom - 2

	cellPad   = 1.2 // left and right padding in a table cell
	bodySize  = 9.0
	headSize  = 8.5
	leadRatio = 1.3 // line height / font size
)

var (
	navy  = &props.Color{Red: 31, Green: 56, Blue: 100}
	grey  = &props.Color{Red: 90, Green: 90, Blue: 90}
	shade = &props.Color{Red: 232, Green: 236, Blue: 241}
	rule  = &props.Color{Red: 190, Green: 190, Blue: 190}
)

// The index's columns (mm).
const (
	colNo     = 12.0
	colTitle  = 80.0
	colAuthor = 34.0
	colDate   = 22.0
	colPages  = 22.0
)

// The chronology's columns (mm).
const (
	colChronDate   = 24.0
	colChronEvent  = 106.0
	colChronSource = 40.0
)

func lineHeight(size float64) float64 { return size / ptPerMM * leadRatio }

// tcell is one cell of a row: text already broken into lines.
type tcell struct {
	width float64
	lines []string
	size  float64
	bold  bool
	color *props.Color
	align align.Type
}

// trow is one row of a generated page, of fixed height.
type trow struct {
	cells  []tcell
	height float64
	padTop float64
	fill   *props.Color
	rule   bool // a thin rule under the row
	// link is the page the row links to, 0 for none.
	link int
	// keep keeps the row on the same page as the next one (a section's
	// row in the index with its first document).
	keep bool
}

// gpage is one generated page: rows from the top margin down.
type gpage struct{ rows []trow }

// tops returns the distance of each row's top from the top of the page.
func (p *gpage) tops() []float64 {
	out := make([]float64, len(p.rows))
	y := marginTop
	for i, r := range p.rows {
		out[i] = y
		y += r.height
	}
	return out
}

// setter lays text out in the Go fonts.
type setter struct {
	lang          Lang
	regular, bold *measurer
}

func newSetter(l Lang) *setter {
	return &setter{lang: l, regular: newMeasurer(fontRegular), bold: newMeasurer(fontBold)}
}

// cell sets paragraphs in a cell width mm wide (padding included), at most
// maxLines lines.
func (s *setter) cell(width, size float64, bold bool, maxLines int, paras ...string) tcell {
	m := s.regular
	if bold {
		m = s.bold
	}
	w := width - 2*cellPad
	var lines []string
	for _, p := range paras {
		lines = append(lines, breakLines(m, p, size, w)...)
	}
	if maxLines > 0 {
		lines = clip(m, lines, maxLines, size, w)
	}
	return tcell{width: width, lines: lines, size: size, bold: bold, align: align.Left}
}

// row makes a row of cells, as tall as its tallest cell plus padding.
func row(padTop, padBottom float64, cells ...tcell) trow {
	h := 0.0
	for _, c := range cells {
		h = max(h, float64(len(c.lines))*lineHeight(c.size))
	}
	return trow{cells: cells, height: padTop + h + padBottom, padTop: padTop}
}

// spacer is an empty row.
func spacer(h float64) trow { return trow{height: h} }

// text is a full-width row of one paragraph.
func (s *setter) text(size float64, bold bool, color *props.Color, al align.Type, maxLines int, padTop, padBottom float64, para string) trow {
	c := s.cell(textWidth, size, bold, maxLines, para)
	c.color, c.align = color, al
	return row(padTop, padBottom, c)
}

func (s *setter) heading(t string) trow {
	return s.text(16, true, navy, align.Left, 2, 1, 4, t)
}

// paginate lays rows out as table pages: each page starts with a heading
// (first, then cont) and the header row. A row marked keep is moved to the
// next page with the row after it.
func paginate(first, cont, header trow, rows []trow) []*gpage {
	var pages []*gpage
	var cur *gpage
	used := 0.0
	start := func(h trow) {
		cur = &gpage{rows: []trow{h, header}}
		pages = append(pages, cur)
		used = h.height + header.height
	}
	start(first)
	for i, r := range rows {
		need := r.height
		if r.keep && i+1 < len(rows) {
			need += rows[i+1].height
		}
		if used+need > budget && len(cur.rows) > 2 {
			start(cont)
		}
		cur.rows = append(cur.rows, r)
		used += r.height
	}
	return pages
}

// docPlan is where one document goes.
type docPlan struct {
	number   string
	from, to int
}

// plan is the page layout of a bundle: every page's number is known before
// anything is rendered.
type plan struct {
	total      int
	index      []*gpage
	chronology []*gpage
	chron      PageRange
	sections   []SectionPlacement
	docs       [][]docPlan
	// items are the bundle's pages in order: generated pages, and documents.
	items []item
}

// item is a generated page, or a document (gen nil).
type item struct {
	gen      *gpage
	sec, doc int
}

// makePlan lays the bundle out: the cover, the index, then the sections
// (each a divider and its documents) with the chronology where the spec
// puts it. The index's length depends on the page numbers it prints, and
// they on its length: it is laid out with a guess of one page, then again
// with the length that gave, until the length stays the same.
func makePlan(s Spec, st *setter, counts [][]int) (*plan, error) {
	var chron []*gpage
	if len(s.Chronology) > 0 {
		chron = chronologyPages(s, st)
	}
	n := 1
	for range 10 {
		p := assign(s, st, counts, n, chron)
		p.index = indexPages(s, st, p)
		if len(p.index) == n {
			p.items = append([]item{{gen: coverPage(s, st, p.total)}}, p.items...)
			for i, g := range p.index {
				p.items[1+i].gen = g
			}
			return p, nil
		}
		n = len(p.index)
	}
	return nil, errors.New("the index's length does not settle")
}

// assign numbers the pages, given that the index has n pages. Index pages
// are items with gen filled in later.
func assign(s Spec, st *setter, counts [][]int, n int, chron []*gpage) *plan {
	p := &plan{docs: make([][]docPlan, len(s.Sections))}
	page := 2 + n
	for range n {
		p.items = append(p.items, item{})
	}
	addChron := func() {
		if len(chron) == 0 {
			return
		}
		p.chron = PageRange{page, page + len(chron) - 1}
		for _, g := range chron {
			p.items = append(p.items, item{gen: g})
		}
		page += len(chron)
	}
	after := oneLine(s.ChronologyAfter)
	if after == "" {
		addChron()
	}
	for i, sec := range s.Sections {
		key := oneLine(sec.Key)
		sp := SectionPlacement{Key: key, Divider: page}
		p.items = append(p.items, item{}) // the divider, made below
		divider := len(p.items) - 1
		page++
		for j := range sec.Documents {
			c := counts[i][j]
			d := docPlan{number: fmt.Sprintf("%s%d", key, j+1), from: page, to: page + c - 1}
			p.docs[i] = append(p.docs[i], d)
			p.items = append(p.items, item{sec: i, doc: j})
			page += c
			sp.Pages += c
		}
		if len(p.docs[i]) > 0 {
			sp.Documents = PageRange{p.docs[i][0].from, page - 1}
		}
		p.sections = append(p.sections, sp)
		p.items[divider].gen = dividerPage(st, sec, sp)
		if key == after {
			addChron()
		}
	}
	p.total = page - 1
	return p
}

// indexPages lays out the index from the page numbers in p.
func indexPages(s Spec, st *setter, p *plan) []*gpage {
	l := s.Lang
	hb := func(w float64, t string) tcell { return st.cell(w, headSize, true, 0, t) }
	header := row(1.2, 1.0,
		hb(colNo, l.Pick(txtNo)), hb(colTitle, l.Pick(txtDocument)), hb(colAuthor, l.Pick(txtAuthor)),
		hb(colDate, l.Pick(txtDate)), hb(colPages, l.Pick(txtPages)))
	header.fill = shade
	var rows []trow
	partRow := func(no, title string, r PageRange) trow {
		t := row(1.6, 1.4,
			st.cell(colNo, bodySize, true, 0, no),
			st.cell(colTitle+colAuthor+colDate, bodySize, true, 3, title),
			st.cell(colPages, bodySize, true, 0, rangeText(r.From, r.To)))
		t.fill, t.link = shade, r.From
		return t
	}
	chronRow := func() {
		if p.chron.From > 0 {
			rows = append(rows, partRow("", l.Pick(txtChronology), p.chron))
		}
	}
	after := oneLine(s.ChronologyAfter)
	if after == "" {
		chronRow()
	}
	for i, sec := range s.Sections {
		sp := p.sections[i]
		last := sp.Divider
		if sp.Documents.To > 0 {
			last = sp.Documents.To
		}
		head := partRow(sp.Key, oneLine(l.Pick(sec.Title)), PageRange{sp.Divider, last})
		head.keep = true
		rows = append(rows, head)
		for j, d := range sec.Documents {
			dp := p.docs[i][j]
			r := row(1.2, 1.0,
				st.cell(colNo, bodySize, false, 0, dp.number),
				st.cell(colTitle, bodySize, false, 6, oneLine(d.Title)),
				st.cell(colAuthor, bodySize, false, 4, oneLine(d.Author)),
				st.cell(colDate, bodySize, false, 0, l.Pick(shortDate(d.Date))),
				st.cell(colPages, bodySize, false, 0, rangeText(dp.from, dp.to)))
			r.rule, r.link = true, dp.from
			rows = append(rows, r)
		}
		if sp.Key == after {
			chronRow()
		}
	}
	return paginate(st.heading(l.Pick(txtIndex)), st.heading(l.Pick(txtIndexCont)), header, rows)
}

// chronologyPages lays out the chronology, entries in the order given.
func chronologyPages(s Spec, st *setter) []*gpage {
	l := s.Lang
	hb := func(w float64, t string) tcell { return st.cell(w, headSize, true, 0, t) }
	header := row(1.2, 1.0, hb(colChronDate, l.Pick(txtDate)), hb(colChronEvent, l.Pick(txtEvent)), hb(colChronSource, l.Pick(txtSource)))
	header.fill = shade
	rows := make([]trow, 0, len(s.Chronology))
	for _, e := range s.Chronology {
		r := row(1.2, 1.0,
			st.cell(colChronDate, bodySize, false, 0, l.Pick(shortDate(e.Date))),
			st.cell(colChronEvent, bodySize, false, 40, paragraphs(l, e.Event)...),
			st.cell(colChronSource, bodySize, false, 6, oneLine(e.Source)))
		r.rule = true
		rows = append(rows, r)
	}
	return paginate(st.heading(l.Pick(txtChronology)), st.heading(l.Pick(txtChronCont)), header, rows)
}

// coverPage is the bundle's first page.
func coverPage(s Spec, st *setter, total int) *gpage {
	l := s.Lang
	rows := []trow{
		spacer(40),
		st.text(12, false, grey, align.Left, 2, 0, 4, l.Pick(heading(s))),
		st.text(22, true, navy, align.Left, 6, 0, 10, oneLine(s.Title)),
	}
	labels := 50.0
	if l == LangBilingual {
		labels = 80
	}
	field := func(label, value string) {
		if strings.TrimSpace(value) == "" {
			return
		}
		rows = append(rows, row(1.5, 1.5,
			st.cell(labels, 11, true, 2, label),
			st.cell(textWidth-labels, 11, false, 4, value)))
		rows[len(rows)-1].rule = true
	}
	field(l.Pick(txtCaseRef), oneLine(s.CaseRef))
	field(l.Pick(txtLearner), oneLine(s.Learner))
	field(l.Pick(txtPrepared), l.Pick(longDate(cynllun.Today(s.Created))))
	field(l.Pick(txtTotalPages), fmt.Sprint(total))
	rows = append(rows, spacer(8), st.text(10, false, grey, align.Left, 2, 0, 0, l.Pick(txtIndexOnPage)))
	return &gpage{rows: rows}
}

func heading(s Spec) form.Text {
	if oneLine(s.Heading.EN) == "" && oneLine(s.Heading.CY) == "" {
		return txtTribunal
	}
	return form.Text{EN: oneLine(s.Heading.EN), CY: oneLine(s.Heading.CY)}
}

// dividerPage is the page in front of a section.
func dividerPage(st *setter, sec Section, sp SectionPlacement) *gpage {
	l := st.lang
	what := l.Pick(txtNoDocuments)
	if sp.Documents.From > 0 {
		what = l.Pick(pageRange(sp.Documents.From, sp.Documents.To))
	}
	return &gpage{rows: []trow{
		spacer(85),
		st.text(28, true, navy, align.Center, 2, 0, 6, l.Pick(sprintf(fmtSection, sp.Key))),
		st.text(18, true, nil, align.Center, 6, 0, 8, oneLine(l.Pick(sec.Title))),
		st.text(12, false, grey, align.Center, 2, 0, 0, what),
	}}
}

// links returns the link annotations of the index: one over each row that
// leads somewhere, from the left to the right margin and from the row's top
// to its foot, in PDF points (origin at the foot of the page). first is the
// index's first page number.
func indexLinks(index []*gpage, first int) []link {
	const k = ptPerMM
	var out []link
	for i, g := range index {
		tops := g.tops()
		for j, r := range g.rows {
			if r.link == 0 {
				continue
			}
			top, foot := tops[j], tops[j]+r.height
			out = append(out, link{
				page:   first + i,
				rect:   *types.NewRectangle(marginLeft*k, (pageHeight-foot)*k, (pageWidth-marginRight)*k, (pageHeight-top)*k),
				target: r.link,
			})
		}
	}
	return out
}
