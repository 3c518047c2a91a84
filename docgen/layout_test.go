package docgen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/cynllun/cynllun"
)

// These tests read the laid out pages back with pdftotext -bbox (each word
// with its box) and check the layout rules of write.go on plans and review
// records rich enough to fill many pages: headings never last on a page,
// 2B rows and rows reviewed never split from their heading, a row taller
// than a page repeated under "Row 3 (continued)". Filler of growing length
// before the first part moves every heading through the foot of a page
// across the sweep; the tests check that it did, by counting the headings
// that the rules moved to the next page.

// pdfLine is a line of a page: its words joined by single spaces, and the
// top and bottom of its box, in points from the top of the page.
type pdfLine struct {
	text        string
	top, bottom float64
}

// pdfPage is what a page shows: the lines of the body, without the page
// furniture, and the top of the footer.
type pdfPage struct {
	lines     []pdfLine
	footerTop float64
}

var bboxPage = regexp.MustCompile(`<page width="[0-9.]+" height="([0-9.]+)">`)
var bboxWord = regexp.MustCompile(`<word xMin="([0-9.]+)" yMin="([0-9.]+)" xMax="[0-9.]+" yMax="([0-9.]+)">([^<]*)</word>`)

// Page furniture lies above headerLimit (the title and draft mark) and
// below footerLimit (the footer and the page number), as fractions of the
// page height: maroto's margins are 10 mm at the top and 20 mm at the foot
// of 297, the header takes 10 mm and the footer about 8.
const headerLimit, footerLimit = 0.06, 0.9

// readPages reads the pages of a PDF with pdftotext -bbox. Words whose
// boxes end within 2 points of each other are on one line (a field's label
// and its value among them), in order from left to right.
func readPages(t *testing.T, path string) []pdfPage {
	t.Helper()
	out := run(t, "pdftotext", "-bbox", "-enc", "UTF-8", path, "-")
	starts := bboxPage.FindAllStringSubmatchIndex(out, -1)
	pages := make([]pdfPage, len(starts))
	for i, s := range starts {
		end := len(out)
		if i+1 < len(starts) {
			end = starts[i+1][0]
		}
		height, err := strconv.ParseFloat(out[s[2]:s[3]], 64)
		if err != nil {
			t.Fatal(err)
		}
		type word struct {
			x, top, bottom float64
			text           string
		}
		var words []word
		p := pdfPage{footerTop: height}
		for _, m := range bboxWord.FindAllStringSubmatch(out[s[1]:end], -1) {
			var w word
			w.x, _ = strconv.ParseFloat(m[1], 64)
			w.top, _ = strconv.ParseFloat(m[2], 64)
			w.bottom, _ = strconv.ParseFloat(m[3], 64)
			w.text = html.UnescapeString(m[4])
			switch {
			case w.top < headerLimit*height:
			case w.top > footerLimit*height:
				p.footerTop = min(p.footerTop, w.top)
			default:
				words = append(words, w)
			}
		}
		slices.SortStableFunc(words, func(a, b word) int {
			if a.bottom < b.bottom-2 || a.bottom > b.bottom+2 {
				return cmpFloat(a.bottom, b.bottom)
			}
			return cmpFloat(a.x, b.x)
		})
		for _, w := range words {
			if n := len(p.lines); n > 0 && w.bottom-p.lines[n-1].bottom <= 2 {
				l := &p.lines[n-1]
				l.text += " " + w.text
				l.top = min(l.top, w.top)
				continue
			}
			p.lines = append(p.lines, pdfLine{text: w.text, top: w.top, bottom: w.bottom})
		}
		pages[i] = p
	}
	return pages
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// headingKinds are the blocks a page must never end with.
var headingKinds = []Kind{KindPart, KindSection, KindSubheading}

// headingIndex indexes a tree's headings by their text, and the Continued
// heading of each unit (a 2B row, a row reviewed) by the unit's text.
type headingIndex struct {
	kind      map[string]string // "part", "section", "subheading", "unit" or "continued"
	continued map[string]string
}

func headingsOf(tree *Tree) headingIndex {
	h := headingIndex{kind: map[string]string{}, continued: map[string]string{}}
	for _, b := range tree.Blocks {
		if !slices.Contains(headingKinds, b.Kind) {
			continue
		}
		kind := map[Kind]string{KindPart: "part", KindSection: "section", KindSubheading: "subheading"}[b.Kind]
		if b.Continued != "" {
			kind = "unit"
			h.continued[norm(b.Text)] = norm(b.Continued)
			h.kind[norm(b.Continued)] = "continued"
		}
		h.kind[norm(b.Text)] = kind
	}
	return h
}

func norm(s string) string { return strings.Join(strings.Fields(s), " ") }

// at reports the heading that starts at line i of lines (a heading may wrap
// onto three lines), and how many lines it takes.
func (h headingIndex) at(lines []pdfLine, i int) (text, kind string, n int) {
	s := ""
	for k := i; k < len(lines) && k < i+3; k++ {
		s = norm(s + " " + lines[k].text)
		if kind, ok := h.kind[s]; ok {
			return s, kind, k - i + 1
		}
	}
	return "", "", 0
}

// endsWith reports the heading that the page's last lines are, if any.
func (h headingIndex) endsWith(lines []pdfLine) string {
	for k := 1; k <= 3 && k <= len(lines); k++ {
		if text, _, n := h.at(lines, len(lines)-k); n == k {
			return text
		}
	}
	return ""
}

// pushGap is, by kind of heading, the space between the last line of a
// page and its footer (in points) that leaves room for the heading alone:
// its height (a part's bar 13 mm, a section's heading 10.5, a subheading
// 7.5) and 6 mm that the measure takes in besides free space (the last
// line's padding, the space above the footer and above its text). When a
// page ends with that much and the next starts with such a heading, a
// layout rule moved the heading.
var pushGap = map[string]float64{"part": 19 * mm, "section": 16.5 * mm, "subheading": 13.5 * mm, "unit": 13.5 * mm}

const mm = 72 / 25.4

// layoutStats counts what the rules did in one document: headings moved
// to the next page, by kind, and pages that a unit went on to.
type layoutStats struct {
	pushed    map[string]int
	continued map[string]int // by the unit's heading
}

// checkLayout checks the rules on the pages of a document laid out from
// tree: no page ends with a heading; a page that a unit goes on to starts
// with the unit's Continued heading; a page starts with a Continued
// heading only when its unit goes on there.
func checkLayout(t *testing.T, tree *Tree, pages []pdfPage) layoutStats {
	t.Helper()
	h := headingsOf(tree)
	st := layoutStats{pushed: map[string]int{}, continued: map[string]int{}}
	unit := "" // the unit whose content the last line read belongs to
	for k, p := range pages {
		if len(p.lines) == 0 {
			t.Errorf("page %d is empty", k+1)
			continue
		}
		if last := h.endsWith(p.lines); last != "" {
			t.Errorf("page %d ends with the heading %q", k+1, last)
		}
		text, kind, _ := h.at(p.lines, 0)
		switch {
		case k > 0 && unit != "" && kind == "":
			t.Errorf("page %d goes on with %q without its heading: starts %q", k+1, unit, p.lines[0].text)
		case kind == "continued" && h.continued[unit] != text:
			t.Errorf("page %d starts with %q, but the unit going on is %q", k+1, text, unit)
		case kind == "continued":
			st.continued[unit]++
		case kind != "" && k > 0:
			if prev := pages[k-1]; len(prev.lines) > 0 && prev.footerTop-prev.lines[len(prev.lines)-1].bottom > pushGap[kind] {
				st.pushed[kind]++
			}
		}
		for i := 0; i < len(p.lines); i++ {
			text, kind, n := h.at(p.lines, i)
			switch kind {
			case "":
				continue
			case "unit":
				unit = text
			case "part", "section", "subheading":
				unit = ""
			}
			i += n - 1
		}
	}
	return st
}

// firstPage is the number of the first page with a line for which match
// is true, or 0.
func firstPage(pages []pdfPage, match func(string) bool) int {
	for k, p := range pages {
		for _, l := range p.lines {
			if match(l.text) {
				return k + 1
			}
		}
	}
	return 0
}

// outlineEntry is an outline entry as qpdf reads it.
type qpdfOutline struct {
	Title string        `json:"title"`
	Page  int           `json:"destpageposfrom1"`
	Kids  []qpdfOutline `json:"kids"`
}

// catalogOf reads the document catalog with qpdf: its /Lang and
// /ViewerPreferences /DisplayDocTitle.
func catalogOf(t *testing.T, path string) (lang string, displayTitle bool) {
	t.Helper()
	var doc struct {
		QPDF []map[string]json.RawMessage `json:"qpdf"`
	}
	if err := json.Unmarshal([]byte(run(t, "qpdf", "--json", "--json-key=qpdf", path)), &doc); err != nil || len(doc.QPDF) != 2 {
		t.Fatalf("qpdf --json: %v", err)
	}
	var trailer struct {
		Value struct {
			Root string `json:"/Root"`
		} `json:"value"`
	}
	if err := json.Unmarshal(doc.QPDF[1]["trailer"], &trailer); err != nil {
		t.Fatal(err)
	}
	var catalog struct {
		Value struct {
			Type  string `json:"/Type"`
			Lang  string `json:"/Lang"`
			Prefs struct {
				DisplayDocTitle bool `json:"/DisplayDocTitle"`
			} `json:"/ViewerPreferences"`
		} `json:"value"`
	}
	if err := json.Unmarshal(doc.QPDF[1]["obj:"+trailer.Value.Root], &catalog); err != nil || catalog.Value.Type != "/Catalog" {
		t.Fatalf("no catalog at /Root %q: %v", trailer.Value.Root, err)
	}
	return strings.TrimPrefix(catalog.Value.Lang, "u:"), catalog.Value.Prefs.DisplayDocTitle
}

// checkPDFMetadata checks the catalog (/Lang, DisplayDocTitle), the title
// and the page count, and returns the outline as "level|title|page" lines.
func checkPDFMetadata(t *testing.T, path string, tree *Tree, wantLang string) []string {
	t.Helper()
	if out, err := exec.Command("qpdf", "--check", path).CombinedOutput(); err != nil || bytes.Contains(out, []byte("WARNING")) {
		t.Errorf("qpdf --check: %v\n%s", err, out)
	}
	lang, displayTitle := catalogOf(t, path)
	if lang != wantLang {
		t.Errorf("catalog /Lang %q, want %q", lang, wantLang)
	}
	if !displayTitle {
		t.Error("no /ViewerPreferences /DisplayDocTitle true")
	}
	var doc struct {
		Outlines []qpdfOutline `json:"outlines"`
	}
	if err := json.Unmarshal([]byte(run(t, "qpdf", "--json", "--json-key=outlines", path)), &doc); err != nil {
		t.Fatalf("qpdf --json: %v", err)
	}
	info := pdfinfo(t, path)
	if info["Title"] != tree.Title {
		t.Errorf("pdfinfo Title %q, want %q", info["Title"], tree.Title)
	}
	if n := strings.TrimSpace(run(t, "qpdf", "--show-npages", path)); n != info["Pages"] {
		t.Errorf("qpdf counts %s pages, pdfinfo %s", n, info["Pages"])
	}
	var out []string
	var walk func([]qpdfOutline, int)
	walk = func(items []qpdfOutline, level int) {
		for _, o := range items {
			out = append(out, fmt.Sprintf("%d|%s|%d", level, o.Title, o.Page))
			walk(o.Kids, level+1)
		}
	}
	walk(doc.Outlines, 0)
	return out
}

// wantOutline is an entry for each part and section heading of tree, a
// section under the part before it, each on the page where the heading is.
func wantOutline(tree *Tree, pages []pdfPage) []string {
	h := headingsOf(tree)
	var out []string
	inPart, from := false, 0
	for _, b := range tree.Blocks {
		if b.Kind != KindPart && b.Kind != KindSection {
			continue
		}
		level := 0
		if b.Kind == KindPart {
			inPart = true
		} else if inPart {
			level = 1
		}
		page := 0
	find:
		for k := from; k < len(pages); k++ {
			for i := range pages[k].lines {
				if text, _, _ := h.at(pages[k].lines, i); text == norm(b.Text) {
					page, from = k+1, k
					break find
				}
			}
		}
		out = append(out, fmt.Sprintf("%d|%s|%d", level, b.Text, page))
	}
	return out
}

// richPlan is a plan of many pages: filler characters of consent details
// before the first part, seven needs, twelve 2B rows (rows 5 and 10 NHS-secured, so in
// 2C as well), row 3 with a rationale taller than a page, and long free
// text in 1C and 3A.
func richPlan(filler int) PlanDoc {
	doc := samplePlan(12)
	c := doc.Version.Content
	if filler > 0 {
		c.Consent.ConsentDetails = longText(filler, "FILLER-END")
	}
	c.Provision[2].Rationale = longText(9000, "TALL-END")
	for i := range c.Provision {
		if i != 2 {
			c.Provision[i].Rationale = longText(300+150*i, fmt.Sprintf("RATIONALE-%d-END", i+1))
		}
	}
	for _, s := range []*[]cynllun.Statement{&c.Profile.LikeAndAdmire, &c.Profile.ImportantToMe, &c.Profile.HowToSupportMe} {
		*s = append(*s, cynllun.Statement{Text: longText(700, "")}, cynllun.Statement{Text: longText(250, ""), DirectQuote: true})
	}
	for i := range 5 {
		c.Needs = append(c.Needs, cynllun.NeedEntry{Description: longText(200+90*i, ""), ImpactOnLearning: longText(150, "")})
	}
	c.MeetingSummary = longText(2500, "SUMMARY-END")
	c.Appendices = append(c.Appendices, cynllun.Appendix{Title: "Reports", Text: longText(1200, "")})
	return doc
}

// richMeeting is a review record of many pages: filler characters of the
// request's reason before the first part, five parents' views and five
// pieces of evidence, ten rows reviewed with notes of growing length, row
// 3's notes taller than a page, and outcomes for all.
func richMeeting(filler int) MeetingDoc {
	doc := SampleMeeting()
	r := doc.Review
	if filler > 0 {
		r.Request.Reason = longText(filler, "FILLER-END")
	}
	for i := range 4 {
		r.ParentViews = append(r.ParentViews, cynllun.ParentView{Name: fmt.Sprintf("Parent %d", i+2), Text: longText(250+110*i, "")})
		r.NewEvidence = append(r.NewEvidence, cynllun.Evidence{Title: fmt.Sprintf("Report %d", i+2), Summary: longText(200+130*i, "")})
	}
	rows := samplePlan(10).Version.Content.Provision
	doc.Reviewed.Content.Provision = rows
	r.Provision, r.Outcomes = nil, nil
	for i, row := range rows {
		notes := fmt.Sprintf("Review of row %d. ", i+1) + longText(200+120*i, "")
		if i == 2 {
			notes = "Review of row 3. " + longText(9000, "TALL-END")
		}
		r.Provision = append(r.Provision, cynllun.ProvisionReview{RowID: row.ID, Delivered: cynllun.AnswerYes, Effective: cynllun.AnswerPartly,
			StillNeeded: cynllun.AnswerYes, Change: cynllun.ChangeContinue, Notes: notes})
		r.Outcomes = append(r.Outcomes, cynllun.OutcomeReview{RowID: row.ID, Status: cynllun.OutcomePartly, Notes: longText(150, "")})
	}
	return doc
}

// fillers are the filler lengths of the sweep: from none to more than a
// page, in steps of about three lines.
func fillers(n int) []int {
	out := []int{0}
	for len(out) < n {
		out = append(out, out[len(out)-1]+280)
	}
	return out
}

// laidOut is a document of the sweep: its tree, its file and its pages.
type laidOut struct {
	tree  *Tree
	path  string
	pages []pdfPage
}

func layOut(t *testing.T, name string, tree *Tree, err error) laidOut {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	pdf, err := Write(tree)
	path := writePDF(t, name, pdf, err)
	return laidOut{tree: tree, path: path, pages: readPages(t, path)}
}

func needQPDF(t *testing.T) {
	t.Helper()
	needTools(t)
	if _, err := exec.LookPath("qpdf"); err != nil {
		t.Fatal("qpdf not found: install qpdf (apt-get install qpdf), or set CYNLLUN_SKIP_PDF_TOOLS=1 to skip these tests")
	}
}

// sweep is how many filler lengths each language is laid out with: all of
// them in English, to move every heading through the foot of a page, and
// fewer in Welsh and bilingual, whose longer wording moves them too.
var sweep = map[Lang]int{LangEN: 16, LangCY: 4, LangBilingual: 4}

var langCode = map[Lang]string{LangEN: "en", LangCY: "cy", LangBilingual: "cy"}

// runSweep lays out the tree build makes for each language and filler
// length of the sweep, in parallel, and checks each: the layout rules
// (checkLayout) and what check adds, and for the first of each language the
// catalog, title, page count and outline. It then checks that the sweep moved headings of every kind to
// the next page, and returns how many pages each unit went on to, by its
// Continued heading.
func runSweep(t *testing.T, name string, build func(Lang, int) (*Tree, error), check func(*testing.T, *Tree, []pdfPage, layoutStats)) map[string]int {
	needQPDF(t)
	var mu sync.Mutex
	pushed, continued := map[string]int{}, map[string]int{}
	t.Run("sweep", func(t *testing.T) {
		for _, lang := range []Lang{LangEN, LangCY, LangBilingual} {
			for _, filler := range fillers(sweep[lang]) {
				t.Run(fmt.Sprintf("%s/filler %d", lang, filler), func(t *testing.T) {
					t.Parallel()
					tree, err := build(lang, filler)
					d := layOut(t, name, tree, err)
					st := checkLayout(t, d.tree, d.pages)
					check(t, tree, d.pages, st)
					// The metadata once a language (qpdf is slow to start).
					if filler == 0 {
						if got, want := checkPDFMetadata(t, d.path, tree, langCode[lang]), wantOutline(tree, d.pages); !slices.Equal(got, want) {
							t.Errorf("outline:\n got %q\nwant %q", got, want)
						}
					}
					mu.Lock()
					defer mu.Unlock()
					for k, n := range st.pushed {
						pushed[k] += n
					}
					for text, cont := range headingsOf(tree).continued {
						continued[cont] += st.continued[text]
					}
				})
			}
		}
	})
	t.Logf("headings moved to the next page, by kind: %v", pushed)
	for _, kind := range []string{"part", "section", "subheading", "unit"} {
		if pushed[kind] == 0 {
			t.Errorf("no %s heading was moved to the next page in the sweep (%v): the fillers do not exercise the rule", kind, pushed)
		}
	}
	return continued
}

func TestLayoutPlan(t *testing.T) {
	const rows = 12
	continued := runSweep(t, "plan.pdf", func(lang Lang, filler int) (*Tree, error) { return BuildPlan(richPlan(filler), lang) },
		func(t *testing.T, tree *Tree, pages []pdfPage, st layoutStats) {
			// Each 2B row's heading is on the page where its first field
			// is; each row but the tall one is on one page.
			n := 0
			for _, b := range tree.Blocks {
				if b.Continued == "" || n >= rows {
					continue
				}
				n++
				head := firstPage(pages, func(s string) bool { return norm(s) == norm(b.Text) })
				outcome := firstPage(pages, func(s string) bool { return strings.Contains(s, fmt.Sprintf("Outcome %d: Siân", n)) })
				if head == 0 || head != outcome {
					t.Errorf("row %d: heading on page %d, its first field on page %d", n, head, outcome)
				}
				if n == 3 {
					if st.continued[norm(b.Text)] == 0 {
						t.Errorf("the tall row 3 is on one page, or goes on without %q", b.Continued)
					}
				} else if last := firstPage(pages, func(s string) bool { return strings.Contains(s, fmt.Sprintf("RATIONALE-%d-END", n)) }); last != head {
					t.Errorf("row %d starts on page %d and ends on page %d", n, head, last)
				}
			}
			if n != rows {
				t.Errorf("%d 2B rows with a continued heading, want %d", n, rows)
			}
		})
	for _, cont := range []string{"Row 3 (continued)", "Rhes 3 (parhad)", "Rhes 3 (parhad) / Row 3 (continued)"} {
		if continued[cont] == 0 {
			t.Errorf("no page starts with %q", cont)
		}
	}
}

func TestLayoutMeeting(t *testing.T) {
	const rows = 10
	runSweep(t, "meeting.pdf", func(lang Lang, filler int) (*Tree, error) { return BuildMeeting(richMeeting(filler), lang) },
		func(t *testing.T, tree *Tree, pages []pdfPage, st layoutStats) {
			// Each row reviewed but the tall one is on one page: its
			// heading and its notes.
			n := 0
			for _, b := range tree.Blocks {
				if !strings.Contains(b.Continued, ": Provision ") {
					continue
				}
				n++
				head := firstPage(pages, func(s string) bool { return norm(s) == norm(b.Text) })
				notes := firstPage(pages, func(s string) bool { return strings.Contains(s, fmt.Sprintf("Review of row %d.", n)) })
				if head == 0 || (n != 3 && head != notes) {
					t.Errorf("row %d reviewed: heading on page %d, its notes on page %d", n, head, notes)
				}
				if n == 3 && st.continued[norm(b.Text)] == 0 {
					t.Errorf("the tall row 3 is on one page, or goes on without %q", b.Continued)
				}
			}
			if n != rows {
				t.Errorf("%d rows reviewed, want %d", n, rows)
			}
		})
}

// Rich documents, with their outlines, are the same bytes every time.
func TestLayoutDeterministic(t *testing.T) {
	assertDeterministic(t, 3, func() ([]byte, error) { return RenderPlan(richPlan(500), LangCY) }, "/ModDate (D:20260304153000)", "ModDate is not the version's creation time")
	assertDeterministic(t, 3, func() ([]byte, error) { return RenderMeeting(richMeeting(500), LangBilingual) }, "/ModDate (D:20270114160500)", "ModDate is not the review revision's creation time")
}

// Table documents carry their language too.
func TestLayoutTableLang(t *testing.T) {
	needQPDF(t)
	for _, lang := range []Lang{LangEN, LangCY, LangBilingual} {
		b, err := RenderTable(sampleTable(30), lang)
		if got, _ := catalogOf(t, writePDF(t, "table.pdf", b, err)); got != langCode[lang] {
			t.Errorf("%s table: /Lang %q, want %q", lang, got, langCode[lang])
		}
	}
}

// addToCatalog keeps the file whole: the cross-reference table is found
// where startxref says, and bad input is refused.
func TestAddToCatalog(t *testing.T) {
	body := "%PDF-1.3\n1 0 obj\n<<\n/Type /Catalog\n/Pages 2 0 R\n>>\nendobj\n"
	pdf := []byte(body + "xref\n0 2\n0000000000 65535 f \n0000000009 00000 n \ntrailer\n<<\n/Size 2\n/Root 1 0 R\n>>\n" +
		fmt.Sprintf("startxref\n%d\n%%%%EOF\n", len(body)))
	got, err := addToCatalog(pdf, "/Lang (cy)\n")
	if err != nil {
		t.Fatal(err)
	}
	at := bytes.LastIndex(got, []byte("startxref\n"))
	off, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(string(got[at+len("startxref\n"):]), "%%EOF\n")))
	if err != nil || !bytes.HasPrefix(got[off:], []byte("xref\n")) {
		t.Errorf("startxref %d does not point at the table (%v)", off, err)
	}
	if !bytes.Contains(got, []byte("/Type /Catalog\n/Lang (cy)\n/Pages")) {
		t.Errorf("catalog: %s", got)
	}
	for _, bad := range [][]byte{[]byte("%PDF-1.3\nno catalog\nstartxref\n5\n%%EOF\n"), pdf[:60]} {
		if _, err := addToCatalog(bad, "/Lang (cy)\n"); err == nil {
			t.Errorf("no error for %q", bad)
		}
	}
}
