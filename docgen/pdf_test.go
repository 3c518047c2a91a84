package docgen

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/cynllun/cynllun"
)

// These tests read the PDFs back with poppler-utils (pdftotext, pdfinfo),
// as a person's PDF reader would. Without the tools they fail, unless
// CYNLLUN_SKIP_PDF_TOOLS=1.

func needTools(t *testing.T) {
	t.Helper()
	if os.Getenv("CYNLLUN_SKIP_PDF_TOOLS") == "1" {
		t.Skip("CYNLLUN_SKIP_PDF_TOOLS=1")
	}
	for _, tool := range []string{"pdftotext", "pdfinfo"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s not found: install poppler-utils (apt-get install poppler-utils), or set CYNLLUN_SKIP_PDF_TOOLS=1 to skip these tests", tool)
		}
	}
}

// pdfFile renders doc in lang to a file.
func pdfFile(t *testing.T, doc PlanDoc, lang Lang) string {
	t.Helper()
	b, err := RenderPlan(doc, lang)
	return writePDF(t, "plan.pdf", b, err)
}

// writePDF writes a render's result to a file of the test's own.
func writePDF(t *testing.T, name string, b []byte, err error) string {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		t.Fatalf("%s %s: %v", name, strings.Join(args, " "), err)
	}
	return string(out)
}

// pdftext is the text of the PDF, or of page k when k > 0, with runs of
// white space made single spaces so that wrapped text reads on.
func pdftext(t *testing.T, path string, k int) string {
	t.Helper()
	args := []string{"-layout", "-enc", "UTF-8"}
	if k > 0 {
		args = append(args, "-f", strconv.Itoa(k), "-l", strconv.Itoa(k))
	}
	return strings.Join(strings.Fields(run(t, "pdftotext", append(args, path, "-")...)), " ")
}

func pdfinfo(t *testing.T, path string) map[string]string {
	t.Helper()
	info := map[string]string{}
	for _, line := range strings.Split(run(t, "pdfinfo", path), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok {
			info[k] = strings.TrimSpace(v)
		}
	}
	return info
}

func pages(t *testing.T, path string) int {
	t.Helper()
	n, err := strconv.Atoi(pdfinfo(t, path)["Pages"])
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// inOrder reports the first of want not found in text after the one before.
func inOrder(text string, want []string) (missing string, ok bool) {
	i := 0
	for _, w := range want {
		w = strings.Join(strings.Fields(w), " ")
		j := strings.Index(text[i:], w)
		if j < 0 {
			return w, false
		}
		i += j + len(w)
	}
	return "", true
}

func TestPDFHeadingsAndText(t *testing.T) {
	needTools(t)
	for _, tc := range []struct {
		lang Lang
		want []string // besides the headings
	}{
		{LangEN, []string{"Siân ap Gwŷn", diacritics, "2B.1 Intended outcome", "30 minutes, 2 sessions per week, 1:1", "7 January 2027", "NHS-secured: Bwrdd Iechyd", "In my own words", "Dw i'n dda"}},
		{LangCY, []string{"Siân ap Gwŷn", diacritics, "2B.1 Canlyniad a fwriedir", "30 munud, 2 sesiwn yr wythnos, 1:1", "7 Ionawr 2027", "I'w sicrhau gan y GIG: Bwrdd Iechyd", "Yn fy ngeiriau fy hun", "Dim gwybodaeth wedi'i chofnodi."}},
		{LangBilingual, []string{"Siân ap Gwŷn", "Cydsyniad wedi'i roi / Consent given", "2B.4 Darparwr / Provider", "Rhes 1 / Row 1", "Tudalen 1 o", "/ Page 1 of", "DRAFFT / DRAFT"}},
	} {
		t.Run(string(tc.lang), func(t *testing.T) {
			doc := samplePlan(10)
			doc.Version.Content.FurtherSections = nil // 3B says there is nothing recorded
			path := pdfFile(t, doc, tc.lang)
			text := pdftext(t, path, 0)
			if w, ok := inOrder(text, wantHeadings(tc.lang, true)); !ok {
				t.Errorf("heading %q missing or out of order", w)
			}
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("text %q missing", w)
				}
			}
		})
	}
}

func TestPDFPages(t *testing.T) {
	needTools(t)
	for _, tc := range []struct {
		lang                        Lang
		status                      cynllun.VersionStatus
		page, version, draft, final string
	}{
		{LangEN, cynllun.VersionDraft, "Page %d of %d", "Plan version 3", "DRAFT", ""},
		{LangCY, cynllun.VersionDraft, "Tudalen %d o %d", "Fersiwn 3 o'r cynllun", "DRAFFT", ""},
		{LangEN, cynllun.VersionFinal, "Page %d of %d", "Plan version 3", "", "DRAFT"},
		{LangBilingual, cynllun.VersionFinal, "Tudalen %[1]d o %[2]d / Page %[1]d of %[2]d", "Fersiwn 3 o'r cynllun / Plan version 3", "", "DRAFT"},
	} {
		t.Run(fmt.Sprint(tc.lang, "/", tc.status), func(t *testing.T) {
			doc := samplePlan(12)
			doc.Version.Status = tc.status
			path := pdfFile(t, doc, tc.lang)
			n := pages(t, path)
			if n < 3 {
				t.Fatalf("%d pages, want several", n)
			}
			for k := 1; k <= n; k++ {
				text := pdftext(t, path, k)
				for _, w := range []string{fmt.Sprintf(tc.page, k, n), tc.version, "Siân ap Gwŷn", tc.draft} {
					if !strings.Contains(text, w) {
						t.Errorf("page %d: %q missing", k, w)
					}
				}
				if tc.final != "" && strings.Contains(strings.ToUpper(text), tc.final) {
					t.Errorf("page %d of a final version says %q", k, tc.final)
				}
			}
		})
	}
}

// Nothing is cut off: 50 provision rows, a meeting summary of the longest
// allowed length and a word wider than the page all come out whole.
func TestPDFLongContent(t *testing.T) {
	needTools(t)
	doc := samplePlan(50)
	c := doc.Version.Content
	c.MeetingSummary = longText(20000, "SUMMARY-END")
	long := strings.Repeat("ŵ", 50) + strings.Repeat("https://example.org/a-very-long-address/", 8) + "WORD-END"
	c.Appendices[0].Text = "Before " + long + " after."
	path := pdfFile(t, doc, LangEN)
	n := pages(t, path)
	if n < 15 {
		t.Errorf("%d pages; 50 rows should take many more", n)
	}
	text := pdftext(t, path, 0)
	var markers []string
	for i := 1; i <= 50; i++ {
		markers = append(markers, fmt.Sprintf("ROW-%d-END", i))
	}
	for i := range strings.Count(c.MeetingSummary, "Sentence ") {
		markers = append(markers, fmt.Sprintf("Sentence %d of a long record", i))
	}
	markers = append(markers, "SUMMARY-END")
	if w, ok := inOrder(text, markers); !ok {
		t.Errorf("%q missing or out of order", w)
	}
	// The long word is broken across lines, never cut.
	if !strings.Contains(strings.ReplaceAll(text, " ", ""), long) {
		t.Error("the word wider than the page is cut")
	}
	// The rows span pages: the first and last are pages apart.
	first, last := 0, 0
	for k := 1; k <= n; k++ {
		page := pdftext(t, path, k)
		if first == 0 && strings.Contains(page, "ROW-1-END") {
			first = k
		}
		if strings.Contains(page, "ROW-50-END") {
			last = k
		}
	}
	if last-first < 5 {
		t.Errorf("rows 1 and 50 on pages %d and %d", first, last)
	}
}

var pageObject = regexp.MustCompile(`/Type /Page[^s]`)

// assertDeterministic renders once, then n times at once, and wants the
// same bytes every time, a PDF with pages, and modDate (the document's own
// time, never now).
func assertDeterministic(t *testing.T, n int, render func() ([]byte, error), modDate, msg string) {
	t.Helper()
	want, err := render()
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	got := make([][]byte, n)
	errs := make([]error, n)
	for i := range got {
		wg.Go(func() { got[i], errs[i] = render() })
	}
	wg.Wait()
	for i := range got {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if !bytes.Equal(got[i], want) {
			t.Fatalf("render %d differs from the first", i)
		}
	}
	if !bytes.Contains(want, []byte(modDate)) {
		t.Error(msg)
	}
	if pageObject.FindIndex(want) == nil {
		t.Error("no page objects in the PDF")
	}
}

func TestDeterministic(t *testing.T) {
	assertDeterministic(t, 4, func() ([]byte, error) { return RenderPlan(samplePlan(10), LangBilingual) }, "/ModDate (D:20260304153000)", "ModDate is not the version's creation time")
}

func TestPDFInfo(t *testing.T) {
	needTools(t)
	info := pdfinfo(t, pdfFile(t, samplePlan(1), LangCY))
	if info["CreationDate"] != info["ModDate"] || !strings.Contains(info["CreationDate"], "2026") {
		t.Errorf("dates: created %q, modified %q", info["CreationDate"], info["ModDate"])
	}
	if info["Title"] != "Cynllun Datblygu Unigol" {
		t.Errorf("title %q", info["Title"])
	}
}

func BenchmarkRenderPlan(b *testing.B) {
	for _, bc := range []struct {
		name string
		rows int
	}{{"typical", 10}, {"large", 50}} {
		b.Run(bc.name, func(b *testing.B) {
			doc := samplePlan(bc.rows)
			b.ReportAllocs()
			var pdf []byte
			for b.Loop() {
				var err error
				if pdf, err = RenderPlan(doc, LangEN); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(pageObject.FindAllIndex(pdf, -1))), "pages")
			b.ReportMetric(float64(len(pdf)), "bytes")
		})
	}
}

// A document rendered for a bundle has no page number of its own (the
// bundle stamps its own on every page); the rest of the footer stays.
func TestNoPageNumberOption(t *testing.T) {
	needTools(t)
	pageNo := regexp.MustCompile(`(Page|Tudalen) \d+ (of|o) \d+`)
	doc := samplePlan(40)
	for _, tt := range []struct {
		name   string
		render func(Options) ([]byte, error)
	}{
		{"plan", func(o Options) ([]byte, error) { return RenderPlanWith(doc, LangCY, o) }},
		{"table", func(o Options) ([]byte, error) { return RenderTableWith(sampleTable(80), LangCY, o) }},
	} {
		b, err := tt.render(Options{})
		with := writePDF(t, tt.name+"-own.pdf", b, err)
		b, err = tt.render(Options{NoPageNumber: true})
		without := writePDF(t, tt.name+"-bundle.pdf", b, err)
		n := pages(t, without)
		if n < 2 || pages(t, with) != n {
			t.Fatalf("%s: %d pages without its page number, %d with", tt.name, n, pages(t, with))
		}
		for k := 1; k <= n; k++ {
			if got := pageNo.FindAllString(pdftext(t, with, k), -1); len(got) != 1 {
				t.Errorf("%s page %d on its own: page numbers %q, want one", tt.name, k, got)
			}
			if got := pageNo.FindAllString(pdftext(t, without, k), -1); len(got) != 0 {
				t.Errorf("%s page %d for a bundle: page numbers %q, want none", tt.name, k, got)
			}
		}
		if tt.name == "plan" && !strings.Contains(pdftext(t, without, n), doc.Learner.FullName()) {
			t.Errorf("plan for a bundle lost its footer")
		}
	}
}
