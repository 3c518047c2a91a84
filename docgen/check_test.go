package docgen

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/form"
	"github.com/cynllun/cynllun/quality"
)

// checkWelsh are Welsh words with the letters the PDF core fonts lose.
const checkWelsh = "Tŷ ŵyr Llŷn gŵyl"

// sampleCheck has seven findings in form order, severities mixed. Each
// message and fix carries a marker, F<n>-MSG and F<n>-FIX, n its place in
// the list given.
func sampleCheck() *PlanCheck {
	f := func(n int, sev quality.Severity, place quality.Place) quality.Finding {
		return quality.Finding{
			Rule:     fmt.Sprintf("rule-%d", n),
			Severity: sev,
			Place:    place,
			Message: form.Text{
				EN: fmt.Sprintf("F%d-MSG The plan does not say enough here.", n),
				CY: fmt.Sprintf("F%d-MSG Nid yw'r cynllun yn dweud digon yma: %s.", n, checkWelsh),
			},
			Fix: form.Text{
				EN: fmt.Sprintf("F%d-FIX Add what is missing.", n),
				CY: fmt.Sprintf("F%d-FIX Ychwanegwch yr hyn sydd ar goll.", n),
			},
			// The basis as research notes keep it, with the markers no
			// document may print (issue 18); Cites is what is printed.
			Basis: fmt.Sprintf("F%d-BASIS ALN Code 2021, para 23.%d [SECONDARY]; seed S3 [WEAK]", n, n),
			Cites: form.Text{
				EN: fmt.Sprintf("F%d-CITES ALN Code, paragraph 23.%d", n, n),
				CY: fmt.Sprintf("F%d-CITES Cod ADY, paragraff 23.%d", n, n),
			},
		}
	}
	return &PlanCheck{
		// 15 July 2026 in London, where it is BST; still the 14th in UTC.
		AsOf: time.Date(2026, 7, 14, 23, 30, 0, 0, time.UTC),
		Findings: []quality.Finding{
			f(1, quality.SeverityInfo, quality.Place{Section: "1C", Field: "media"}),
			f(2, quality.SeverityWarning, quality.Place{Section: "2A"}),
			f(3, quality.SeverityError, quality.Place{Section: "2B", RowID: "row-2", Field: "intendedOutcome"}),
			f(4, quality.SeverityWarning, quality.Place{Section: "2B", RowID: "b7c9"}),
			f(5, quality.SeverityError, quality.Place{Section: "3A"}),
			f(6, quality.SeverityInfo, quality.Place{}),
			f(7, quality.SeverityError, quality.Place{Section: "APPENDICES", RowID: "row-3"}),
		},
	}
}

// checkOrder is the order the findings of sampleCheck are printed in:
// errors, warnings, notes, each as given.
var checkOrder = []int{3, 5, 7, 2, 4, 1, 6}

func checkDoc(rows int, c *PlanCheck) PlanDoc {
	doc := samplePlan(rows)
	doc.Check = c
	return doc
}

// checkBlocks are the blocks of tree from the plan check's page break on.
func checkBlocks(t *testing.T, tree *Tree) []Block {
	t.Helper()
	for i, b := range tree.Blocks {
		if b.Kind == KindPageBreak {
			return tree.Blocks[i:]
		}
	}
	t.Fatal("no plan check in the tree")
	return nil
}

func TestBuildPlanCheck(t *testing.T) {
	finding := func(sev quality.Severity, label, where string) Block {
		return Block{Kind: KindFinding, Key: string(sev), Label: label, Text: where}
	}
	txt := func(s string) Block { return Block{Kind: KindFindingText, Text: s} }
	note := func(s string) Block { return Block{Kind: KindFindingNote, Text: s} }
	field := func(l, v string) Block { return Block{Kind: KindField, Label: l, Text: v} }
	basis := func(n int) string { return fmt.Sprintf("F%d-CITES ALN Code, paragraph 23.%d", n, n) }
	basisCY := func(n int) string { return fmt.Sprintf("F%d-CITES Cod ADY, paragraff 23.%d", n, n) }
	en := func(n int, sev quality.Severity, label, where string) []Block {
		return []Block{
			finding(sev, label, where),
			txt(fmt.Sprintf("F%d-MSG The plan does not say enough here.", n)),
			txt(fmt.Sprintf("How to put it right: F%d-FIX Add what is missing.", n)),
			note("Based on: " + basis(n)),
		}
	}
	cy := func(n int, sev quality.Severity, label, where string) []Block {
		return []Block{
			finding(sev, label, where),
			txt(fmt.Sprintf("F%d-MSG Nid yw'r cynllun yn dweud digon yma: %s.", n, checkWelsh)),
			txt(fmt.Sprintf("Sut i'w gywiro: F%d-FIX Ychwanegwch yr hyn sydd ar goll.", n)),
			note("Yn seiliedig ar: " + basisCY(n)),
		}
	}
	const (
		err, warn, info = quality.SeverityError, quality.SeverityWarning, quality.SeverityInfo
	)
	for _, tc := range []struct {
		lang Lang
		want [][]Block
	}{
		{LangEN, [][]Block{
			{
				{Kind: KindPageBreak},
				{Kind: KindPart, Key: "CHECK", Text: "Plan check"},
				{Kind: KindParagraph, Text: "This check is not part of the plan. It is printed for drafts only, to show what would stop the plan being finalised."},
				field("Date of check", "15 July 2026"),
				field("Findings", "3 errors, 2 warnings, 2 notes"),
			},
			en(3, err, "Error", "2B row 2 – Additional learning provision, 2B.1 Intended outcome"),
			en(5, err, "Error", "3A Record of information and summary of the person-centred planning meeting"),
			en(7, err, "Error", "Appendices row 3"),
			en(2, warn, "Warning", "2A Description of additional learning needs"),
			en(4, warn, "Warning", "2B row b7c9 – Additional learning provision"), // no row has the id
			en(1, info, "Note", "1C One-page profile, Drawings, photographs, audio and video"),
			en(6, info, "Note", "The plan as a whole"),
		}},
		{LangCY, [][]Block{
			{
				{Kind: KindPageBreak},
				{Kind: KindPart, Key: "CHECK", Text: "Gwiriad cynllun"},
				{Kind: KindParagraph, Text: "Nid yw'r gwiriad hwn yn rhan o'r cynllun. Fe'i argraffir ar gyfer drafftiau yn unig, i ddangos beth fyddai'n atal y cynllun rhag cael ei wneud yn derfynol."},
				field("Dyddiad y gwiriad", "15 Gorffennaf 2026"),
				field("Canfyddiadau", "3 gwall, 2 rybudd, 2 nodyn"),
			},
			cy(3, err, "Gwall", "2B rhes 2 – Darpariaeth ddysgu ychwanegol, 2B.1 Canlyniad a fwriedir"),
			cy(5, err, "Gwall", "3A Cofnod o'r wybodaeth a chrynodeb o'r cyfarfod cynllunio sy'n canolbwyntio ar yr unigolyn"),
			cy(7, err, "Gwall", "Atodiadau rhes 3"),
			cy(2, warn, "Rhybudd", "2A Disgrifiad o'r anghenion dysgu ychwanegol"),
			cy(4, warn, "Rhybudd", "2B rhes b7c9 – Darpariaeth ddysgu ychwanegol"),
			cy(1, info, "Nodyn", "1C Proffil un dudalen, Lluniau, ffotograffau, sain a fideo"),
			cy(6, info, "Nodyn", "Y cynllun cyfan"),
		}},
	} {
		t.Run(string(tc.lang), func(t *testing.T) {
			got := checkBlocks(t, build(t, checkDoc(3, sampleCheck()), tc.lang))
			if diff := cmp.Diff(concat(tc.want), got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}

	t.Run(string(LangBilingual), func(t *testing.T) {
		got := checkBlocks(t, build(t, checkDoc(3, sampleCheck()), LangBilingual))
		want := []Block{
			{Kind: KindPart, Key: "CHECK", Text: "Gwiriad cynllun / Plan check"},
			field("Dyddiad y gwiriad / Date of check", "15 Gorffennaf 2026 / 15 July 2026"),
			field("Canfyddiadau / Findings", "3 gwall, 2 rybudd, 2 nodyn / 3 errors, 2 warnings, 2 notes"),
			finding(err, "Gwall / Error", "2B rhes 2 – Darpariaeth ddysgu ychwanegol, 2B.1 Canlyniad a fwriedir / 2B row 2 – Additional learning provision, 2B.1 Intended outcome"),
			txt("F3-MSG Nid yw'r cynllun yn dweud digon yma: " + checkWelsh + ". / F3-MSG The plan does not say enough here."),
			txt("Sut i'w gywiro / How to put it right: F3-FIX Ychwanegwch yr hyn sydd ar goll. / F3-FIX Add what is missing."),
			note("Yn seiliedig ar / Based on: " + basisCY(3) + " / " + basis(3)),
		}
		if len(got) < 9 {
			t.Fatalf("got %+v", got)
		}
		got = []Block{got[1], got[3], got[4], got[5], got[6], got[7], got[8]} // less the page break and the note
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
}

func concat(bs [][]Block) []Block {
	var out []Block
	for _, b := range bs {
		out = append(out, b...)
	}
	return out
}

// With a check the tree is the plan's, unchanged, and the check after it;
// without one there is no check at all.
func TestBuildPlanCheckNil(t *testing.T) {
	for _, lang := range []Lang{LangEN, LangCY, LangBilingual} {
		t.Run(string(lang), func(t *testing.T) {
			plain := build(t, samplePlan(3), lang)
			for _, b := range plain.Blocks {
				if b.Kind >= KindPageBreak || b.Key == checkKey {
					t.Fatalf("a plan without a check has %+v", b)
				}
			}
			checked := build(t, checkDoc(3, sampleCheck()), lang)
			n := len(plain.Blocks)
			if len(checked.Blocks) <= n {
				t.Fatalf("%d blocks with a check, %d without", len(checked.Blocks), n)
			}
			if diff := cmp.Diff(plain.Blocks, checked.Blocks[:n]); diff != "" {
				t.Errorf("the plan changed with a check (-without +with):\n%s", diff)
			}
			if checked.Blocks[n].Kind != KindPageBreak {
				t.Errorf("the check starts with %+v, not a page break", checked.Blocks[n])
			}
			plain.Blocks, checked.Blocks = nil, nil
			if diff := cmp.Diff(plain, checked); diff != "" {
				t.Errorf("page furniture changed with a check (-without +with):\n%s", diff)
			}
		})
	}
}

func TestFindingsText(t *testing.T) {
	for _, tc := range []struct {
		e, w, n int
		en, cy  string
	}{
		{2, 3, 1, "2 errors, 3 warnings, 1 note", "2 wall, 3 rhybudd, 1 nodyn"},
		{1, 1, 2, "1 error, 1 warning, 2 notes", "1 gwall, 1 rhybudd, 2 nodyn"},
		{0, 0, 0, "0 errors, 0 warnings, 0 notes", "0 gwall, 0 rhybudd, 0 nodyn"},
	} {
		got := findingsText(tc.e, tc.w, tc.n)
		if got.EN != tc.en || got.CY != tc.cy {
			t.Errorf("%d, %d, %d: got %q / %q, want %q / %q", tc.e, tc.w, tc.n, got.EN, got.CY, tc.en, tc.cy)
		}
	}
}

// The date of the check is the date in London; a zero time is not recorded.
func TestPlanCheckDate(t *testing.T) {
	for _, tc := range []struct {
		asOf time.Time
		want string
	}{
		{time.Date(2026, 7, 14, 23, 30, 0, 0, time.UTC), "15 July 2026"},  // BST
		{time.Date(2027, 1, 6, 23, 30, 0, 0, time.UTC), "6 January 2027"}, // GMT
		{time.Date(2027, 1, 7, 0, 30, 0, 0, time.FixedZone("", 2*3600)), "6 January 2027"},
		{time.Time{}, "Not recorded"},
	} {
		got := checkBlocks(t, build(t, checkDoc(1, &PlanCheck{AsOf: tc.asOf}), LangEN))
		if date := got[3]; date.Label != "Date of check" || date.Text != tc.want {
			t.Errorf("%v: got %+v, want %q", tc.asOf, date, tc.want)
		}
	}
}

func TestBuildPlanCheckEmpty(t *testing.T) {
	for _, tc := range []struct {
		lang Lang
		want Block
	}{
		{LangEN, Block{Kind: KindField, Label: "Findings", Text: "No findings"}},
		{LangCY, Block{Kind: KindField, Label: "Canfyddiadau", Text: "Dim canfyddiadau"}},
		{LangBilingual, Block{Kind: KindField, Label: "Canfyddiadau / Findings", Text: "Dim canfyddiadau / No findings"}},
	} {
		t.Run(string(tc.lang), func(t *testing.T) {
			got := checkBlocks(t, build(t, checkDoc(1, &PlanCheck{AsOf: sampleCheck().AsOf}), tc.lang))
			if len(got) != 5 || got[4] != tc.want {
				t.Errorf("got %+v, want the check to end with %+v", got, tc.want)
			}
		})
	}
}

// checkPDF renders doc in lang with and without its check, and returns the
// path of the one with it and the number of pages of the plan alone.
func checkPDF(t *testing.T, doc PlanDoc, lang Lang) (path string, planPages int) {
	t.Helper()
	c := doc.Check
	doc.Check = nil
	planPages = pages(t, pdfFile(t, doc, lang))
	doc.Check = c
	b, err := RenderPlan(doc, lang)
	return writePDF(t, "check.pdf", b, err), planPages
}

// checkPagesText is the text of the pages after the plan's, each checked
// for the footer: the page number out of all the pages, the learner's
// name and the version.
func checkPagesText(t *testing.T, path string, planPages int, page, version string) string {
	t.Helper()
	n := pages(t, path)
	if n <= planPages {
		t.Fatalf("%d pages with the check, %d without", n, planPages)
	}
	var text []string
	for k := planPages + 1; k <= n; k++ {
		p := pdftext(t, path, k)
		for _, w := range []string{fmt.Sprintf(page, k, n), "Siân ap Gwŷn", version} {
			if !strings.Contains(p, w) {
				t.Errorf("page %d: %q missing", k, w)
			}
		}
		text = append(text, p)
	}
	return strings.Join(text, " ")
}

func TestPDFPlanCheck(t *testing.T) {
	needTools(t)
	for _, tc := range []struct {
		lang                                 Lang
		page, version                        string
		heading, notPlan, date, summary, row string
		severities                           []string // error, warning, note
		msg, fix, cites                      string   // with %d
	}{
		{
			LangEN, "Page %d of %d", "Plan version 3",
			"Plan check", "This check is not part of the plan. It is printed for drafts only", "15 July 2026", "3 errors, 2 warnings, 2 notes", "2B row 2 – Additional learning provision, 2B.1 Intended outcome",
			[]string{"Error", "Warning", "Note"},
			"F%d-MSG The plan does not say enough here.", "How to put it right: F%d-FIX Add what is missing.",
			"Based on: F%d-CITES ALN Code, paragraph 23.%d",
		},
		{
			LangCY, "Tudalen %d o %d", "Fersiwn 3 o'r cynllun",
			"Gwiriad cynllun", "Nid yw'r gwiriad hwn yn rhan o'r cynllun. Fe'i argraffir ar gyfer drafftiau yn unig", "15 Gorffennaf 2026", "3 gwall, 2 rybudd, 2 nodyn", "2B rhes 2 – Darpariaeth ddysgu ychwanegol, 2B.1 Canlyniad a fwriedir",
			[]string{"Gwall", "Rhybudd", "Nodyn"},
			"F%d-MSG Nid yw'r cynllun yn dweud digon yma: " + checkWelsh + ".", "Sut i'w gywiro: F%d-FIX Ychwanegwch yr hyn sydd ar goll.",
			"Yn seiliedig ar: F%d-CITES Cod ADY, paragraff 23.%d",
		},
		{
			LangBilingual, "Tudalen %[1]d o %[2]d / Page %[1]d of %[2]d", "Fersiwn 3 o'r cynllun / Plan version 3",
			"Gwiriad cynllun / Plan check", "Nid yw'r gwiriad hwn yn rhan o'r cynllun.", "15 Gorffennaf 2026 / 15 July 2026", "3 gwall, 2 rybudd, 2 nodyn / 3 errors, 2 warnings, 2 notes", "2B rhes 2 – Darpariaeth ddysgu ychwanegol, 2B.1 Canlyniad a fwriedir / 2B row 2 – Additional learning provision, 2B.1 Intended outcome",
			[]string{"Gwall / Error", "Rhybudd / Warning", "Nodyn / Note"},
			"F%d-MSG Nid yw'r cynllun yn dweud digon yma: " + checkWelsh + ". / F%[1]d-MSG The plan does not say enough here.", "Sut i'w gywiro / How to put it right: F%d-FIX Ychwanegwch yr hyn sydd ar goll. / F%[1]d-FIX Add what is missing.",
			"Yn seiliedig ar / Based on: F%d-CITES Cod ADY, paragraff 23.%d / F%[1]d-CITES ALN Code, paragraph 23.%[2]d",
		},
	} {
		t.Run(string(tc.lang), func(t *testing.T) {
			doc := checkDoc(3, sampleCheck())
			path, planPages := checkPDF(t, doc, tc.lang)
			text := checkPagesText(t, path, planPages, tc.page, tc.version)
			// The check starts a page, under the page's header.
			tree := build(t, doc, tc.lang)
			if top := tree.Title + " " + tree.Draft + " " + tc.heading; !strings.HasPrefix(text, top) {
				t.Errorf("the check's first page does not start with %q: %.200q", top, text)
			}
			// The heading, the note, the date and the summary, then each
			// finding: errors, then warnings, then notes, in the order
			// given within each.
			want := []string{tc.heading, tc.notPlan, tc.date, tc.summary}
			for i, n := range checkOrder {
				sev := tc.severities[[]int{0, 0, 0, 1, 1, 2, 2}[i]] // 3 errors, 2 warnings, 2 notes
				if n == 3 {
					want = append(want, sev+" "+tc.row) // the row's number, not its id
				} else {
					want = append(want, sev)
				}
				want = append(want, fmt.Sprintf(tc.msg, n), fmt.Sprintf(tc.fix, n), fmt.Sprintf(tc.cites, n, n))
			}
			if w, ok := inOrder(text, want); !ok {
				t.Errorf("%q missing or out of order in %q", w, text)
			}
			if tc.lang != LangEN && !strings.Contains(text, checkWelsh) {
				t.Errorf("Welsh letters lost: %q missing", checkWelsh)
			}
			if strings.Contains(text, "row-2") {
				t.Error("row printed by its id")
			}
		})
	}
}

func TestPDFPlanCheckEmpty(t *testing.T) {
	needTools(t)
	for _, tc := range []struct {
		lang          Lang
		page, version string
		want          []string
	}{
		{LangEN, "Page %d of %d", "Plan version 3", []string{"Plan check", "Date of check 15 July 2026", "Findings No findings"}},
		{LangCY, "Tudalen %d o %d", "Fersiwn 3 o'r cynllun", []string{"Gwiriad cynllun", "Dyddiad y gwiriad 15 Gorffennaf 2026", "Canfyddiadau Dim canfyddiadau"}},
		{LangBilingual, "Tudalen %[1]d o %[2]d / Page %[1]d of %[2]d", "Fersiwn 3 o'r cynllun / Plan version 3", []string{"Gwiriad cynllun / Plan check", "Dim canfyddiadau / No findings"}},
	} {
		t.Run(string(tc.lang), func(t *testing.T) {
			path, planPages := checkPDF(t, checkDoc(3, &PlanCheck{AsOf: sampleCheck().AsOf}), tc.lang)
			if n := pages(t, path); n != planPages+1 {
				t.Errorf("%d pages, want the plan's %d and one for the check", n, planPages)
			}
			text := checkPagesText(t, path, planPages, tc.page, tc.version)
			if w, ok := inOrder(text, tc.want); !ok {
				t.Errorf("%q missing or out of order in %q", w, text)
			}
		})
	}
}

// Many long findings flow across pages, nothing cut off, and the footer
// goes on counting.
func TestPDFPlanCheckLong(t *testing.T) {
	needTools(t)
	c := &PlanCheck{AsOf: sampleCheck().AsOf}
	for i := range 40 {
		sev := []quality.Severity{quality.SeverityInfo, quality.SeverityWarning, quality.SeverityError}[i%3]
		c.Findings = append(c.Findings, quality.Finding{
			Severity: sev,
			Place:    quality.Place{Section: "2B", RowID: fmt.Sprintf("row-%d", i%5+1), Field: "provision"},
			Message:  form.Text{EN: longText(600, fmt.Sprintf("LONG-%d-MSG", i))},
			Fix:      form.Text{EN: longText(300, fmt.Sprintf("LONG-%d-FIX", i))},
			Basis:    "[SECONDARY] seed S3",
			Cites:    form.Text{EN: longText(200, fmt.Sprintf("LONG-%d-BASIS", i))},
		})
	}
	c.Findings[0].Message.EN = longText(8000, "LONG-0-MSG") // longer than a page
	path, planPages := checkPDF(t, checkDoc(5, c), LangEN)
	if n := pages(t, path); n-planPages < 5 {
		t.Errorf("the check takes %d pages; 40 long findings should take more", n-planPages)
	}
	text := checkPagesText(t, path, planPages, "Page %d of %d", "Plan version 3")
	var want []string
	for _, r := range []int{2, 1, 0} { // errors, warnings, notes
		for i := r; i < 40; i += 3 {
			want = append(want, fmt.Sprintf("LONG-%d-MSG", i), fmt.Sprintf("LONG-%d-FIX", i), fmt.Sprintf("LONG-%d-BASIS", i))
		}
	}
	if w, ok := inOrder(text, want); !ok {
		t.Errorf("%q missing or out of order", w)
	}
	if w, ok := inOrder(text, []string{"Sentence 0 of a long record", "Sentence 60 of a long record", "Sentence 100 of a long record", "LONG-0-MSG"}); !ok {
		t.Errorf("the long message is cut: %q missing", w)
	}
}

// A final version prints the check when it is asked for, without the
// draft mark.
func TestPDFPlanCheckFinal(t *testing.T) {
	needTools(t)
	doc := checkDoc(3, sampleCheck())
	doc.Version.Status = cynllun.VersionFinal
	path, planPages := checkPDF(t, doc, LangEN)
	text := checkPagesText(t, path, planPages, "Page %d of %d", "Plan version 3")
	if w, ok := inOrder(text, []string{"Plan check", "3 errors, 2 warnings, 2 notes", "F3-MSG"}); !ok {
		t.Errorf("%q missing", w)
	}
	if strings.Contains(text, "DRAFT") {
		t.Error("a final version's check says DRAFT")
	}
}

// The same document with a check gives the same bytes every time, and more
// pages than without it.
func TestPlanCheckDeterministic(t *testing.T) {
	doc := checkDoc(10, sampleCheck())
	first, err := RenderPlan(doc, LangBilingual)
	if err != nil {
		t.Fatal(err)
	}
	second, err := RenderPlan(doc, LangBilingual)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first, second) {
		t.Error("two renders with a check differ")
	}
	doc.Check = nil
	plain, err := RenderPlan(doc, LangBilingual)
	if err != nil {
		t.Fatal(err)
	}
	with, without := len(pageObject.FindAllIndex(first, -1)), len(pageObject.FindAllIndex(plain, -1))
	if with <= without {
		t.Errorf("%d pages with a check, %d without", with, without)
	}
}

// Where a finding points, as the definition names it; what it does not
// name is printed as given.
func TestPlanCheckWhere(t *testing.T) {
	for _, tc := range []struct {
		place  quality.Place
		en, cy string
	}{
		{quality.Place{Section: "2B", RowID: "row-3", Field: "rationale"}, "2B row 3 – Additional learning provision, 2B.7 Rationale", "2B rhes 3 – Darpariaeth ddysgu ychwanegol, 2B.7 Rhesymeg"},
		{quality.Place{Section: "2B", Field: "quantity"}, "2B Additional learning provision, Amount and frequency", "2B Darpariaeth ddysgu ychwanegol, Faint a pha mor aml"},
		{quality.Place{Section: "2B", Field: "unknownField"}, "2B Additional learning provision, unknownField", "2B Darpariaeth ddysgu ychwanegol, unknownField"},
		{quality.Place{Section: "APPENDICES"}, "Appendices", "Atodiadau"},
		{quality.Place{Section: "review.childViews"}, "review.childViews", "review.childViews"},
		{quality.Place{Section: "review.provision", RowID: "row-1", Field: "delivered"}, "review.provision row 1, delivered", "review.provision rhes 1, delivered"},
		{quality.Place{RowID: "row-2"}, "Row 2", "Rhes 2"},
		{quality.Place{RowID: "gone"}, "Row gone", "Rhes gone"},
		{quality.Place{}, "The plan as a whole", "Y cynllun cyfan"},
	} {
		c := &PlanCheck{Findings: []quality.Finding{{Severity: quality.SeverityWarning, Place: tc.place}}}
		for lang, want := range map[Lang]string{LangEN: tc.en, LangCY: tc.cy} {
			got := checkBlocks(t, build(t, checkDoc(3, c), lang))[5]
			if got.Kind != KindFinding || got.Text != want {
				t.Errorf("%+v in %s: got %+v, want %q", tc.place, lang, got, want)
			}
		}
	}
}
