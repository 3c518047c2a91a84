package bundle

import (
	"encoding/json"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cynllun/cynllun/form"
)

// letterPDF is a two-page document that is not A4: a US Letter page with
// a link, and a US Legal page turned landscape, each page's text near its
// corners so that clipping would show.
func letterPDF() []byte {
	return rawPDF(
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R 5 0 R] /Count 2 /Resources << /Font << /F1 7 0 R >> >> >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Annots [8 0 R] >>",
		stream("BT /F1 14 Tf 20 760 Td (LETTER-DOC page 1 top) Tj ET BT /F1 14 Tf 400 20 Td (LETTER-DOC foot 1) Tj ET"),
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 1008 612] /Contents 6 0 R >>",
		stream("BT /F1 14 Tf 20 580 Td (LEGAL-DOC page 2 top) Tj ET BT /F1 14 Tf 800 20 Td (LEGAL-DOC foot 2) Tj ET"),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
		"<< /Type /Annot /Subtype /Link /Rect [20 750 200 775] /Border [0 0 0] /Dest [5 0 R /Fit] >>",
	)
}

// pageSizes are the pages' sizes in points, from pdfinfo.
func pageSizes(t *testing.T, path string, n int) [][2]float64 {
	t.Helper()
	re := regexp.MustCompile(`(?m)^Page\s+(\d+) size:\s+([\d.]+) x ([\d.]+) pts`)
	var out [][2]float64
	for _, m := range re.FindAllStringSubmatch(run(t, "pdfinfo", "-f", "1", "-l", strconv.Itoa(n), path), -1) {
		w, _ := strconv.ParseFloat(m[2], 64)
		h, _ := strconv.ParseFloat(m[3], 64)
		out = append(out, [2]float64{w, h})
	}
	return out
}

func isA4(w, h float64) bool {
	near := func(a, b float64) bool { return math.Abs(a-b) < 1 }
	return near(w, a4Width) && near(h, a4Height) || near(w, a4Height) && near(h, a4Width)
}

// Evidence that is not A4 is scaled onto A4 pages: every page of the
// bundle is A4 (pdfinfo), the document's text is all there, its digest
// is that of the bytes given, and the manifest counts the pages scaled.
func TestLetterScaledToA4(t *testing.T) {
	needTools(t)
	letter := letterPDF()
	orig := slices.Clone(letter)
	s := testSpec(t, LangEN)
	s.Sections[1].Documents = append(s.Sections[1].Documents,
		Document{ID: "ev-letter", Title: "US letter", Kind: KindCorrespondence, PDF: letter})
	b, man, err := Build(s)
	if err != nil {
		t.Fatal(err)
	}
	path := writeFile(t, b)
	sizes := pageSizes(t, path, man.Pages)
	if len(sizes) != man.Pages {
		t.Fatalf("pdfinfo gave %d page sizes, want %d", len(sizes), man.Pages)
	}
	for i, sz := range sizes {
		if !isA4(sz[0], sz[1]) {
			t.Errorf("page %d is %.1f × %.1f pt, not A4", i+1, sz[0], sz[1])
		}
	}
	p := placement(t, man, "ev-letter")
	if p.ScaledToA4 != 2 || p.ToPage-p.FromPage != 1 {
		t.Fatalf("letter placement %+v, want 2 pages scaled", p)
	}
	if sizes[p.FromPage-1][0] > sizes[p.FromPage-1][1] || sizes[p.ToPage-1][0] < sizes[p.ToPage-1][1] {
		t.Errorf("orientation lost: %v %v", sizes[p.FromPage-1], sizes[p.ToPage-1])
	}
	for k, want := range map[int][]string{
		p.FromPage: {"LETTER-DOC page 1 top", "LETTER-DOC foot 1", stampFor(LangEN, p.FromPage, man.Pages)},
		p.ToPage:   {"LEGAL-DOC page 2 top", "LEGAL-DOC foot 2", stampFor(LangEN, p.ToPage, man.Pages)},
	} {
		txt := pageText(t, path, k)
		for _, w := range want {
			if !strings.Contains(txt, w) {
				t.Errorf("page %d lacks %q: %s", k, w, txt)
			}
		}
	}
	if p.SHA256 != sha(orig) || !slices.Equal(letter, orig) {
		t.Errorf("the letter's digest or bytes changed")
	}
	for _, id := range []string{"ev-01", "ev-shared"} {
		if q := placement(t, man, id); q.ScaledToA4 != 0 {
			t.Errorf("A4 document %s scaled: %+v", id, q)
		}
	}
	// The link on the letter still lands on its own page 2.
	rb := readPDFBack(t, b)
	var found bool
	for _, l := range rb.links[p.FromPage] {
		if l.dest == p.ToPage {
			found = true
			if l.rect.LL.X < 0 || l.rect.UR.X > a4Width || l.rect.UR.Y > a4Height {
				t.Errorf("letter's link off the page: %v", l.rect)
			}
		}
	}
	if !found {
		t.Errorf("letter's link to its page 2 lost: %+v", rb.links[p.FromPage])
	}
}

// The manifest's JSON uses the API's camelCase names.
func TestManifestJSONKeys(t *testing.T) {
	man := &Manifest{Pages: 3, Cover: PageRange{1, 1}, Index: PageRange{2, 2},
		Sections:  []SectionPlacement{{Key: "A", Divider: 3, Documents: PageRange{4, 5}, Pages: 2}},
		Documents: []Placement{{DocumentID: "ev", Section: "A", Number: "A1", Title: "T", FromPage: 4, ToPage: 5, SHA256: "ab", ScaledToA4: 1}},
		Warnings:  []Warning{{Code: WarnSectionEmpty, Section: "B", Message: form.Text{EN: "e", CY: "c"}}},
	}
	b, err := json.Marshal(man)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	keys := func(v any) []string {
		var out []string
		for k := range v.(map[string]any) {
			out = append(out, k)
		}
		slices.Sort(out)
		return out
	}
	for _, tt := range []struct {
		what string
		v    any
		want []string
	}{
		{"manifest", m, []string{"chronology", "cover", "documents", "index", "pages", "sections", "warnings"}},
		{"page range", m["cover"], []string{"from", "to"}},
		{"section", m["sections"].([]any)[0], []string{"divider", "documents", "key", "pages"}},
		{"document", m["documents"].([]any)[0], []string{"documentId", "fromPage", "number", "scaledToA4", "section", "sha256", "title", "toPage"}},
		{"warning", m["warnings"].([]any)[0], []string{"code", "message", "section"}},
	} {
		if got := keys(tt.v); !slices.Equal(got, tt.want) {
			t.Errorf("%s keys %v, want %v", tt.what, got, tt.want)
		}
	}
	// A manifest stored before (Go's field names) still reads.
	var old Manifest
	if err := json.Unmarshal([]byte(`{"Pages":3,"Documents":[{"DocumentID":"ev","FromPage":4,"SHA256":"ab"}]}`), &old); err != nil ||
		old.Pages != 3 || old.Documents[0].DocumentID != "ev" || old.Documents[0].FromPage != 4 || old.Documents[0].SHA256 != "ab" {
		t.Errorf("old manifest: %+v %v", old, err)
	}
}
