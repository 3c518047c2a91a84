package docgen

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/johnfercher/maroto/v2/pkg/consts/fontstyle"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/form"
)

var (
	tableTitle = form.Text{EN: "Provision delivered", CY: "Darpariaeth a ddarparwyd"}
	tableAsOf  = time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)
	tableNote  = form.Text{EN: "Counted on weekdays: no term calendar.", CY: "Cyfrifwyd ar ddyddiau'r wythnos: dim calendr tymor."}
)

// sampleTable is a delivery ledger of n rows in six columns. Row i's first
// cell is "R-i" (three digits) and its last ends "END-i"; the rows with a
// shortfall (three in four) are emphasised. Its cells have Welsh and
// English that differ, the same text in both, Welsh only, English only,
// and two paragraphs in each language.
func sampleTable(n int) TableDoc {
	doc := TableDoc{
		Title:    tableTitle,
		Subtitle: form.Text{EN: "7 September 2026 to 18 December 2026", CY: "7 Medi 2026 i 18 Rhagfyr 2026"},
		Subject:  "Siân ap Gwŷn",
		AsOf:     tableAsOf,
		Columns: []TableColumn{
			{Heading: form.Text{EN: "Row", CY: "Rhes"}, Width: 10},
			{Heading: form.Text{EN: "Provision", CY: "Darpariaeth"}, Width: 44},
			{Heading: form.Text{EN: "Provider", CY: "Darparwr"}, Width: 26},
			{Heading: form.Text{EN: "Planned", CY: "Cynlluniwyd"}, Width: 14, Align: AlignRight},
			{Heading: form.Text{EN: "Delivered", CY: "Darparwyd"}, Width: 14, Align: AlignRight},
			{Heading: form.Text{EN: "Shortfall", CY: "Diffyg"}, Width: 16, Align: AlignRight},
		},
		Notes: []form.Text{tableNote, {EN: "Sessions are of 30 minutes."}},
	}
	for i := range n {
		provider := form.Text{EN: "Ysgol Gymraeg Bro Tŷ Gwyn"} // the same in both
		switch i % 3 {
		case 1:
			provider = form.Text{CY: "Bwrdd Iechyd Prifysgol Betsi Cadwaladr"} // Welsh only
		case 2:
			provider = form.Text{EN: "Speech therapy team\nSwansea Bay", CY: "Tîm therapi lleferydd\nBae Abertawe"} // two paragraphs
		}
		doc.Rows = append(doc.Rows, TableRow{
			Cells: []form.Text{
				{EN: fmt.Sprintf("R-%03d", i)},
				{EN: fmt.Sprintf("Speech and language therapy at Tŷ Gwyn, with ŵyr and Llŷn, item %d", i),
					CY: fmt.Sprintf("Therapi lleferydd ac iaith yn Nhŷ Gwyn, gydag ŵyr a Llŷn, eitem %d", i)},
				provider,
				{EN: "28"},
				{EN: strconv.Itoa(28 - i%4)},
				{EN: fmt.Sprintf("%d END-%03d", i%4, i)},
			},
			Emphasis: i%4 != 0,
		})
	}
	return doc
}

// tableFile renders doc in lang to a file.
func tableFile(t *testing.T, doc TableDoc, lang Lang) string {
	t.Helper()
	b, err := RenderTable(doc, lang)
	return writePDF(t, "table.pdf", b, err)
}

// rawText is the text of the PDF, or of page k when k > 0, in the order it
// was drawn (pdftotext -raw), white space made single spaces: each cell's
// lines follow one another, so a cell that wraps reads on.
func rawText(t *testing.T, path string, k int) string {
	t.Helper()
	args := []string{"-raw", "-enc", "UTF-8"}
	if k > 0 {
		args = append(args, "-f", strconv.Itoa(k), "-l", strconv.Itoa(k))
	}
	return strings.Join(strings.Fields(run(t, "pdftotext", append(args, path, "-")...)), " ")
}

func headingsIn(doc TableDoc, lang Lang) []string {
	var hs []string
	for _, c := range doc.Columns {
		hs = append(hs, lang.Pick(c.Heading))
	}
	return hs
}

func TestTableText(t *testing.T) {
	for _, tc := range []struct {
		lang Lang
		in   form.Text
		want string
	}{
		{LangEN, form.Text{EN: "Planned", CY: "Cynlluniwyd"}, "Planned"},
		{LangCY, form.Text{EN: "Planned", CY: "Cynlluniwyd"}, "Cynlluniwyd"},
		{LangBilingual, form.Text{EN: "Planned", CY: "Cynlluniwyd"}, "Cynlluniwyd / Planned"},
		{LangBilingual, form.Text{EN: "28", CY: "28"}, "28"},
		{LangBilingual, form.Text{EN: "28"}, "28"},
		{LangCY, form.Text{EN: "Tŷ Gwyn"}, "Tŷ Gwyn"},
		{LangEN, form.Text{CY: "Bwrdd Iechyd"}, "Bwrdd Iechyd"},
		{LangBilingual, form.Text{CY: "Bwrdd Iechyd", EN: " "}, "Bwrdd Iechyd"},
		{LangEN, form.Text{}, ""},
		// Paragraph by paragraph when both have as many.
		{LangBilingual, form.Text{EN: "Speech team\nSwansea Bay", CY: "Tîm lleferydd\nBae Abertawe"}, "Tîm lleferydd / Speech team\nBae Abertawe / Swansea Bay"},
		{LangBilingual, form.Text{EN: "Ŵyn\nSwansea", CY: "Ŵyn\nAbertawe"}, "Ŵyn\nAbertawe / Swansea"},
		// Else the Welsh, then the English.
		{LangBilingual, form.Text{EN: "One\nTwo", CY: "Un"}, "Un\nOne\nTwo"},
	} {
		if got := tableText(tc.lang, tc.in); got != tc.want {
			t.Errorf("%s %+v: %q, want %q", tc.lang, tc.in, got, tc.want)
		}
	}
}

func TestTablePDF(t *testing.T) {
	needTools(t)
	doc := sampleTable(12)
	doc.Rows[5].Cells[1] = form.Text{EN: "Llŷr's ŵyr at Tŷ Ŵyn: ŷ ŵ Ŷ Ŵ exact", CY: "Ŵyr Llŷr yn Nhŷ Ŵyn: ŷ ŵ Ŷ Ŵ yn union"}
	for _, tc := range []struct {
		lang                   Lang
		head, page, asOf, note string
		cells                  []string // some cells, literally
	}{
		{LangEN, "Row Provision Provider Planned Delivered Shortfall", "Page %d of %d", "Record as at 1 December 2026", "Counted on weekdays: no term calendar.",
			[]string{"Speech and language therapy at Tŷ Gwyn, with ŵyr and Llŷn, item 0", "Ysgol Gymraeg Bro Tŷ Gwyn", "Bwrdd Iechyd Prifysgol Betsi Cadwaladr", "Speech therapy team Swansea Bay", "Llŷr's ŵyr at Tŷ Ŵyn: ŷ ŵ Ŷ Ŵ exact"}},
		{LangCY, "Rhes Darpariaeth Darparwr Cynlluniwyd Darparwyd Diffyg", "Tudalen %d o %d", "Cofnod fel yr oedd ar 1 Rhagfyr 2026", "Cyfrifwyd ar ddyddiau'r wythnos: dim calendr tymor.",
			[]string{"Therapi lleferydd ac iaith yn Nhŷ Gwyn, gydag ŵyr a Llŷn, eitem 0", "Ysgol Gymraeg Bro Tŷ Gwyn", "Tîm therapi lleferydd Bae Abertawe", "Ŵyr Llŷr yn Nhŷ Ŵyn: ŷ ŵ Ŷ Ŵ yn union"}},
		{LangBilingual, "Rhes / Row Darpariaeth / Provision Darparwr / Provider Cynlluniwyd / Planned Darparwyd / Delivered Diffyg / Shortfall",
			"Tudalen %[1]d o %[2]d / Page %[1]d of %[2]d", "Cofnod fel yr oedd ar 1 Rhagfyr 2026 / Record as at 1 December 2026",
			"Cyfrifwyd ar ddyddiau'r wythnos: dim calendr tymor. / Counted on weekdays: no term calendar.",
			[]string{"Therapi lleferydd ac iaith yn Nhŷ Gwyn, gydag ŵyr a Llŷn, eitem 0 / Speech and language therapy at Tŷ Gwyn, with ŵyr and Llŷn, item 0",
				"Tîm therapi lleferydd / Speech therapy team Bae Abertawe / Swansea Bay", "Ŵyr Llŷr yn Nhŷ Ŵyn: ŷ ŵ Ŷ Ŵ yn union / Llŷr's ŵyr at Tŷ Ŵyn: ŷ ŵ Ŷ Ŵ exact"}},
	} {
		t.Run(string(tc.lang), func(t *testing.T) {
			path := tableFile(t, doc, tc.lang)
			text := rawText(t, path, 0)
			title := tc.lang.Pick(tableTitle)
			want := []string{title, title, "Siân ap Gwŷn", tc.lang.Pick(doc.Subtitle), tc.asOf, tc.head}
			// Every cell, row by row, each whole though it wraps.
			for _, r := range doc.Rows {
				for _, c := range r.Cells {
					want = append(want, tableText(tc.lang, c))
				}
			}
			want = append(want, tc.note, "Sessions are of 30 minutes.")
			if w, ok := inOrder(text, want); !ok {
				t.Errorf("%q missing or out of order in\n%s", w, text)
			}
			for _, w := range tc.cells {
				if !strings.Contains(text, w) {
					t.Errorf("cell %q missing", w)
				}
			}
			// The PDF core fonts would turn ŵ and ŷ into dots.
			if strings.Contains(text, "T. Gwyn") || strings.Contains(text, "Ll.n") {
				t.Error("Welsh letters lost")
			}
			n := pages(t, path)
			for k := 1; k <= n; k++ {
				page := pdftext(t, path, k)
				for _, w := range []string{fmt.Sprintf(tc.page, k, n), "Siân ap Gwŷn", tc.asOf, title} {
					if !strings.Contains(page, w) {
						t.Errorf("page %d: %q missing", k, w)
					}
				}
			}
			info := pdfinfo(t, path)
			if info["Title"] != title {
				t.Errorf("title %q", info["Title"])
			}
			if !strings.Contains(info["CreationDate"], "Dec  1 09:30:00 2026") || info["CreationDate"] != info["ModDate"] {
				t.Errorf("dates: created %q, modified %q", info["CreationDate"], info["ModDate"])
			}
			if !strings.HasPrefix(info["Page size"], "595.") {
				t.Errorf("page size %q, want A4 portrait", info["Page size"])
			}
		})
	}
}

// A long table flows across pages: the headings at the top of every page,
// every row whole on one page, in order, and "Page X of Y" right.
func TestTablePDFLong(t *testing.T) {
	needTools(t)
	const rows = 300
	doc := sampleTable(rows)
	for _, lang := range []Lang{LangEN, LangBilingual} {
		t.Run(string(lang), func(t *testing.T) {
			path := tableFile(t, doc, lang)
			n := pages(t, path)
			if n < 8 {
				t.Fatalf("%d pages; 300 rows should take more", n)
			}
			// maroto broke the pages where the layout did, and nowhere else.
			l, err := layoutTable("test", doc, lang)
			if err != nil {
				t.Fatal(err)
			}
			if len(l.pages) != n {
				t.Fatalf("the PDF has %d pages, the layout %d", n, len(l.pages))
			}
			title := lang.Pick(tableTitle)
			head := strings.Join(headingsIn(doc, lang), " ")
			pageOf := make([]int, rows) // the page each row starts on
			var all []string
			for k := 1; k <= n; k++ {
				text := rawText(t, path, k)
				all = append(all, text)
				// The page begins with the header, then (after the title
				// block on page 1) the headings, then the rows.
				start := title + " " + head
				if k == 1 {
					start = title + " " + title
				}
				if !strings.HasPrefix(text, start) {
					t.Errorf("page %d begins %.120q, want %q", k, text, start)
				}
				if i := strings.Index(text, head); i < 0 || strings.Contains(text[i+len(head):], head) {
					t.Errorf("page %d: the headings are missing or there twice", k)
				} else if r := strings.Index(text, "R-"); r >= 0 && r < i {
					t.Errorf("page %d: a row comes before the headings", k)
				}
				if !strings.Contains(pdftext(t, path, k), fmt.Sprintf(lang.Pick(form.Text{EN: "Page %[1]d of %[2]d", CY: "Tudalen %[1]d o %[2]d"}), k, n)) {
					t.Errorf("page %d: no page number %d of %d", k, k, n)
				}
				for i := range rows {
					if strings.Contains(text, fmt.Sprintf("R-%03d ", i)) {
						if pageOf[i] != 0 {
							t.Errorf("row %d on pages %d and %d", i, pageOf[i], k)
						}
						pageOf[i] = k
						if !strings.Contains(text, fmt.Sprintf("END-%03d", i)) {
							t.Errorf("row %d is split across pages", i)
						}
					}
				}
			}
			var markers []string
			for i := range rows {
				if pageOf[i] == 0 {
					t.Errorf("row %d missing", i)
				}
				markers = append(markers, fmt.Sprintf("R-%03d ", i), fmt.Sprintf("END-%03d", i))
			}
			if w, ok := inOrder(strings.Join(all, " "), markers); !ok {
				t.Errorf("%q missing or out of order", w)
			}
			if pageOf[rows-1] != n {
				t.Errorf("the last row is on page %d of %d", pageOf[rows-1], n)
			}
		})
	}
}

// The layout itself: every page holds what fits on it, the headings head
// every page of the table, and no row is split.
func TestLayoutTablePages(t *testing.T) {
	doc := sampleTable(300)
	l, err := layoutTable("test", doc, LangBilingual)
	if err != nil {
		t.Fatal(err)
	}
	var header, footer float64
	for _, r := range l.header {
		header += r.height
	}
	for _, r := range l.footer {
		footer += r.height
	}
	next := 0
	for k, p := range l.pages {
		used := header
		for _, r := range p {
			used += r.height
		}
		if used+footer > l.height {
			t.Errorf("page %d holds %.1f mm; it has %.1f", k+1, used+footer, l.height)
		}
		i := slices.IndexFunc(p, func(r *trow) bool { return r.kind == rowHeading })
		if i < 0 || (k > 0 && i != 0) || slices.ContainsFunc(p[:i], func(r *trow) bool { return r.kind == rowData }) {
			t.Errorf("page %d: headings at %d", k+1, i)
		}
		for _, r := range p {
			if r.kind != rowData {
				continue
			}
			if r.index != next || r.first != 0 {
				t.Fatalf("page %d: row %d lines %d-%d, want row %d whole", k+1, r.index, r.first, r.last, next)
			}
			next++
			for _, c := range r.cells {
				if c.style != fontstyle.Normal && c.style != fontstyle.Bold {
					t.Errorf("row %d: style %q", r.index, c.style)
				}
				if emph := doc.Rows[r.index].Emphasis; (c.style == fontstyle.Bold) != emph || (c.color == red) != emph {
					t.Errorf("row %d (emphasis %v): style %q, colour %v", r.index, emph, c.style, c.color)
				}
			}
		}
		// A page ends where the next row would not have fitted.
		if k < len(l.pages)-1 && next < len(doc.Rows) {
			nextRow := l.pages[k+1][1] // after the headings
			if used+footer+nextRow.height <= l.height {
				t.Errorf("page %d ends with %.1f mm free, and row %d needs %.1f", k+1, l.height-used-footer, next, nextRow.height)
			}
		}
	}
	if next != len(doc.Rows) {
		t.Errorf("%d rows laid out, want %d", next, len(doc.Rows))
	}
}

// A row taller than a page is split between lines, across as many pages
// as it takes, under the headings on each.
func TestTablePDFRowTallerThanPage(t *testing.T) {
	needTools(t)
	doc := sampleTable(4)
	long := longText(12000, "LONG-END")
	doc.Rows[2].Cells[1] = form.Text{EN: long}
	l, err := layoutTable("test", doc, LangEN)
	if err != nil {
		t.Fatal(err)
	}
	var parts [][2]int
	for _, p := range l.pages {
		for _, r := range p {
			if r.kind == rowData && r.index == 2 {
				parts = append(parts, [2]int{r.first, r.last})
			}
		}
	}
	if len(parts) < 2 {
		t.Fatalf("the long row is in %d parts", len(parts))
	}
	for i := 1; i < len(parts); i++ {
		if parts[i][0] != parts[i-1][1] {
			t.Errorf("parts %v do not follow on", parts)
		}
	}

	path := tableFile(t, doc, LangEN)
	n := pages(t, path)
	if n < 3 {
		t.Fatalf("%d pages", n)
	}
	head := strings.Join(headingsIn(doc, LangEN), " ")
	var all []string
	for k := 1; k <= n; k++ {
		text := rawText(t, path, k)
		if !strings.Contains(text, head) {
			t.Errorf("page %d: no headings", k)
		}
		all = append(all, text)
	}
	// The text without the page furniture, so that a sentence broken by
	// a page reads on.
	text := strings.Join(all, " ")
	for _, f := range []string{head, "Siân ap Gwŷn", "Record as at 1 December 2026", "Provision delivered"} {
		text = strings.ReplaceAll(text, f, " ")
	}
	for k := 1; k <= n; k++ {
		text = strings.ReplaceAll(text, fmt.Sprintf("Page %d of %d", k, n), " ")
	}
	// The row's other cells are drawn with the first part of it, after
	// the lines of the long cell that part holds.
	text = strings.Join(strings.Fields(text), " ")
	rest := "Speech therapy team Swansea Bay 28 26 2 END-002"
	if strings.Count(text, rest) != 1 || !strings.Contains(all[0], rest) {
		t.Errorf("the long row's other cells are not in its first part, on page 1")
	}
	text = strings.ReplaceAll(text, rest, " ")
	text = strings.Join(strings.Fields(text), " ")
	markers := []string{"R-001", "END-001", "R-002"}
	for i := range strings.Count(long, "Sentence ") {
		markers = append(markers, fmt.Sprintf("Sentence %d of a long record, with Welsh words such as Tŷ, ŵyr and Llŷn.", i))
	}
	markers = append(markers, "LONG-END", "R-003", "END-003")
	if w, ok := inOrder(text, markers); !ok {
		t.Errorf("%q missing or out of order", w)
	}
}

func TestTablePDFEmpty(t *testing.T) {
	needTools(t)
	for _, tc := range []struct {
		name  string
		lang  Lang
		empty form.Text
		want  string
	}{
		{"given", LangCY, form.Text{EN: "No sessions were recorded.", CY: "Ni chofnodwyd unrhyw sesiynau."}, "Ni chofnodwyd unrhyw sesiynau."},
		{"given bilingual", LangBilingual, form.Text{EN: "No sessions were recorded.", CY: "Ni chofnodwyd unrhyw sesiynau."}, "Ni chofnodwyd unrhyw sesiynau. / No sessions were recorded."},
		{"blank", LangEN, form.Text{}, "No information recorded."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := sampleTable(0)
			doc.Empty = tc.empty
			path := tableFile(t, doc, tc.lang)
			text := rawText(t, path, 0)
			if w, ok := inOrder(text, []string{tc.lang.Pick(doc.Subtitle), tc.want, tc.lang.Pick(tableNote)}); !ok {
				t.Errorf("%q missing or out of order in %q", w, text)
			}
			if h := strings.Join(headingsIn(doc, tc.lang), " "); strings.Contains(text, h) {
				t.Errorf("headings %q printed for an empty table", h)
			}
			if n := pages(t, path); n != 1 {
				t.Errorf("%d pages", n)
			}
		})
	}
}

// Seven columns or more go on a landscape page.
func TestTablePDFLandscape(t *testing.T) {
	needTools(t)
	doc := sampleTable(40)
	doc.Columns = append(doc.Columns, TableColumn{Heading: form.Text{EN: "Missed", CY: "Collwyd"}, Width: 14, Align: AlignRight})
	for i := range doc.Rows {
		doc.Rows[i].Cells = append(doc.Rows[i].Cells, form.Text{EN: fmt.Sprintf("M-%03d", i)})
	}
	path := tableFile(t, doc, LangEN)
	if size := pdfinfo(t, path)["Page size"]; !strings.HasPrefix(size, "841.") {
		t.Errorf("page size %q, want A4 landscape", size)
	}
	n := pages(t, path)
	for k := 1; k <= n; k++ {
		// Every page of the table has the headings (the notes may run on
		// to a page of their own).
		if text := rawText(t, path, k); strings.Contains(text, "R-") && !strings.Contains(text, "Row Provision Provider Planned Delivered Shortfall Missed") {
			t.Errorf("page %d: no headings", k)
		}
	}
	if w, ok := inOrder(rawText(t, path, 0), []string{"END-000 M-000", "END-039 M-039"}); !ok {
		t.Errorf("%q missing", w)
	}
}

func TestTableDeterministic(t *testing.T) {
	assertDeterministic(t, 3, func() ([]byte, error) { return RenderTable(sampleTable(60), LangBilingual) }, "/ModDate (D:20261201093000)", "ModDate is not AsOf")
}

func TestTableErrors(t *testing.T) {
	const secret = "Cyfrinach Siân"
	cols := func(widths ...int) []TableColumn {
		var cs []TableColumn
		for _, w := range widths {
			cs = append(cs, TableColumn{Heading: form.Text{EN: secret}, Width: w})
		}
		return cs
	}
	rows := func(cells ...int) []TableRow {
		var rs []TableRow
		for _, n := range cells {
			r := TableRow{}
			for range n {
				r.Cells = append(r.Cells, form.Text{EN: secret, CY: secret})
			}
			rs = append(rs, r)
		}
		return rs
	}
	many := make([]int, 30)
	for i := range many {
		many[i] = 1
	}
	for _, tc := range []struct {
		name   string
		doc    TableDoc
		lang   Lang
		fields []string
	}{
		{"no columns", TableDoc{Rows: rows(0)}, LangEN, []string{"columns"}},
		{"widths", TableDoc{Columns: cols(3, 0, -2), Rows: rows(3)}, LangCY, []string{"columns.1.width", "columns.2.width"}},
		{"cells", TableDoc{Columns: cols(1, 1), Rows: rows(2, 2, 2, 1, 2, 3)}, LangBilingual, []string{"rows.3.cells", "rows.5.cells"}},
		{"language", TableDoc{Columns: cols(1), Rows: rows(1)}, "FR", []string{"lang"}},
		{"alignment", TableDoc{Columns: []TableColumn{{Width: 1, Align: 7}}}, LangEN, []string{"columns.0.align"}},
		{"too narrow", TableDoc{Columns: cols(1, 100), Rows: rows(2)}, LangEN, []string{"columns.0.width"}},
		{"many rows", TableDoc{Columns: cols(1, 1), Rows: rows(many...)}, LangEN, func() []string {
			var fs []string
			for i := range maxRowErrors {
				fs = append(fs, fmt.Sprintf("rows.%d.cells", i))
			}
			return append(fs, "rows")
		}()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := RenderTable(tc.doc, tc.lang)
			if code := cynllun.ErrorCode(err); code != cynllun.CodeInvalid || b != nil {
				t.Fatalf("got %v, want an INVALID error", err)
			}
			var e *cynllun.Error
			if !errors.As(err, &e) {
				t.Fatalf("%T is not a *cynllun.Error", err)
			}
			var fields []string
			for _, f := range e.Fields {
				fields = append(fields, f.Field)
				if strings.Contains(f.Message, "Cyfrinach") || strings.Contains(f.Message, "Siân") {
					t.Errorf("message %q quotes the table", f.Message)
				}
			}
			if diff := cmp.Diff(tc.fields, fields); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
			if strings.Contains(err.Error(), "Cyfrinach") {
				t.Errorf("error %q quotes the table", err)
			}
		})
	}
}

func BenchmarkRenderTable500(b *testing.B) {
	doc := sampleTable(500)
	b.ReportAllocs()
	var pdf []byte
	for b.Loop() {
		var err error
		if pdf, err = RenderTable(doc, LangEN); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(pageObject.FindAllIndex(pdf, -1))), "pages")
	b.ReportMetric(float64(len(pdf)), "bytes")
}
