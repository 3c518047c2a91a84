package bundle

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/form"
)

// These tests read bundles back as a reader would, with poppler-utils
// (pdftotext, pdfinfo), and their outline and links with pdfcpu. Without
// the tools they fail, unless CYNLLUN_SKIP_PDF_TOOLS=1.

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

func writeFile(t *testing.T, b []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "bundle.pdf")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// run runs a tool; anything it says on stderr (poppler's "Syntax Error")
// fails the test.
func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	var stderr bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v: %s", name, strings.Join(args, " "), err, stderr.String())
	}
	if stderr.Len() > 0 {
		t.Errorf("%s %s: %s", name, strings.Join(args, " "), stderr.String())
	}
	return string(out)
}

func squash(s string) string { return strings.Join(strings.Fields(s), " ") }

// pageText is the text of page k, white space squashed.
func pageText(t *testing.T, path string, k int) string {
	t.Helper()
	return squash(run(t, "pdftotext", "-layout", "-enc", "UTF-8", "-f", strconv.Itoa(k), "-l", strconv.Itoa(k), path, "-"))
}

// allText is the text of every page (index 1…), from one pdftotext run:
// pdftotext ends each page with a form feed.
func allText(t *testing.T, path string) []string {
	t.Helper()
	pages := strings.Split(run(t, "pdftotext", "-layout", "-enc", "UTF-8", path, "-"), "\f")
	out := []string{""}
	for _, p := range pages[:len(pages)-1] {
		out = append(out, squash(p))
	}
	return out
}

func pdfinfoPages(t *testing.T, path string) int {
	t.Helper()
	for _, line := range strings.Split(run(t, "pdfinfo", path), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && k == "Pages" {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatal("pdfinfo gives no page count")
	return 0
}

func stampFor(l Lang, k, n int) string {
	en := fmt.Sprintf("Page %d of %d", k, n)
	cy := fmt.Sprintf("Tudalen %d o %d", k, n)
	switch l {
	case LangCY:
		return cy
	case LangBilingual:
		return cy + " / " + en
	}
	return en
}

// readBack is what pdfcpu reads back from a bundle.
type readBack struct {
	ctx   *model.Context
	links map[int][]readLink // by page
}

type readLink struct {
	rect types.Rectangle
	dest int
}

func readPDFBack(t *testing.T, b []byte) *readBack {
	t.Helper()
	conf := model.NewDefaultConfiguration()
	ctx, err := api.ReadContext(bytes.NewReader(b), conf)
	if err != nil {
		t.Fatal(err)
	}
	// Strict validation: the bundle must be a good PDF even where its
	// parts were only just good enough.
	ctx.Configuration.ValidationMode = model.ValidationStrict
	if err := api.ValidateContext(ctx); err != nil {
		t.Fatalf("pdfcpu strict validation: %v", err)
	}
	rb := &readBack{ctx: ctx, links: map[int][]readLink{}}
	for p := 1; p <= ctx.PageCount; p++ {
		d, _, _, err := ctx.PageDict(p, false)
		if err != nil {
			t.Fatal(err)
		}
		o, ok := d.Find("Annots")
		if !ok {
			continue
		}
		annots, err := ctx.DereferenceArray(o)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range annots {
			ad, err := ctx.DereferenceDict(a)
			if err != nil {
				t.Fatal(err)
			}
			if st := ad.NameEntry("Subtype"); st == nil || *st != "Link" {
				continue
			}
			dest, err := ctx.DereferenceArray(ad["Dest"])
			if err != nil || len(dest) == 0 {
				t.Fatalf("page %d: link without a destination array: %v", p, ad)
			}
			ir, ok := dest[0].(types.IndirectRef)
			if !ok {
				t.Fatalf("page %d: link destination is not a page: %v", p, dest)
			}
			n, err := ctx.PageNumber(ir.ObjectNumber.Value())
			if err != nil {
				t.Fatal(err)
			}
			ra, err := ctx.DereferenceArray(ad["Rect"])
			if err != nil {
				t.Fatal(err)
			}
			r, err := ctx.RectForArray(ra)
			if err != nil {
				t.Fatal(err)
			}
			rb.links[p] = append(rb.links[p], readLink{*r, n})
		}
	}
	return rb
}

func bookmarksOf(t *testing.T, b []byte) []pdfcpu.Bookmark {
	t.Helper()
	bms, err := api.Bookmarks(bytes.NewReader(b), model.NewDefaultConfiguration())
	if err != nil {
		t.Fatal(err)
	}
	return bms
}

// word is a word's box from pdftotext -bbox, in points from the top left.
type word struct {
	text                   string
	xMin, yMin, xMax, yMax float64
}

var reWord = regexp.MustCompile(`<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>`)

func words(t *testing.T, path string, k int) []word {
	t.Helper()
	out := run(t, "pdftotext", "-bbox", "-enc", "UTF-8", "-f", strconv.Itoa(k), "-l", strconv.Itoa(k), path, "-")
	var ws []word
	for _, m := range reWord.FindAllStringSubmatch(out, -1) {
		f := func(s string) float64 { v, _ := strconv.ParseFloat(s, 64); return v }
		ws = append(ws, word{m[5], f(m[1]), f(m[2]), f(m[3]), f(m[4])})
	}
	return ws
}

// docPages is what each test document holds: its marker's name and page
// count, "" for the image.
var docPages = map[string]struct {
	name  string
	pages int
}{
	"ev-01": {"EVIDENCE-01", 2}, "ev-02": {"EVIDENCE-02", 3}, "ev-03": {"EVIDENCE-03", 1},
	"ev-04": {"EVIDENCE-04", 2}, "ev-05": {"EVIDENCE-05", 1}, "ev-shared": {"", 3},
	"ev-07": {"EVIDENCE-07", 4}, "ev-img": {"", 1},
}

// firstMarker is the text only a document's first page has.
func firstMarker(id string) string {
	if id == "ev-shared" {
		return "SHARED-DOC same page"
	}
	if d := docPages[id]; d.name != "" {
		return marker(d.name, 1)
	}
	return ""
}

func TestBuildReadBack(t *testing.T) {
	needTools(t)
	for _, tc := range []struct {
		lang Lang
		want []string // wording that must come out exactly, Welsh letters and all
	}{
		{LangEN, []string{"Education Tribunal for Wales", "Case reference ETW/2027/0042", "Learner Siân ap Gwŷn",
			"Date prepared 7 January 2027", "Index", "No. Document Author Date Pages", "Section A", "Reports",
			"Chronology", "Date Event Source", eventEN, "Undated", titleCY, "Dr Rhys Ŵatcyn", "Mrs ap Gwŷn"}},
		{LangCY, []string{"Tribiwnlys Addysg Cymru", "Cyfeirnod yr achos ETW/2027/0042", "Dysgwr Siân ap Gwŷn",
			"Dyddiad paratoi 7 Ionawr 2027", "Mynegai", "Rhif Dogfen Awdur Dyddiad Tudalennau", "Adran A", "Adroddiadau",
			"Cronoleg", "Dyddiad Digwyddiad Ffynhonnell", eventCY, "Heb ddyddiad", titleCY, sectionCY,
			"Mae'r mynegai yn dechrau ar dudalen 2.", "Dim dogfennau", "Tudalennau 4–9"}},
		{LangBilingual, []string{"Tribiwnlys Addysg Cymru / Education Tribunal for Wales", "Mynegai / Index",
			"Adran A / Section A", "Adroddiadau / Reports", "Cronoleg / Chronology", eventCY, eventEN, titleCY,
			sectionCY + " / Family views", "7 Ionawr 2027 / 7 January 2027", "Tudalennau 4–9 / Pages 4–9"}},
	} {
		t.Run(string(tc.lang), func(t *testing.T) {
			spec := testSpec(t, tc.lang)
			spec.Sections = append(spec.Sections, Section{Key: "D", Title: form.Text{EN: "Other", CY: "Arall"}})
			b, man, err := Build(spec)
			if err != nil {
				t.Fatal(err)
			}
			path := writeFile(t, b)
			n := pdfinfoPages(t, path)
			if n != man.Pages {
				t.Fatalf("pdfinfo: %d pages, manifest %d", n, man.Pages)
			}

			// Every page carries its own number, once, and the count.
			texts := []string{""}
			for k := 1; k <= n; k++ {
				text := pageText(t, path, k)
				texts = append(texts, text)
				if c := strings.Count(text, stampFor(tc.lang, k, n)); c != 1 {
					t.Errorf("page %d: %q %d times in %q", k, stampFor(tc.lang, k, n), c, text)
				}
			}
			all := strings.Join(texts, "\n")
			for _, w := range tc.want {
				if !strings.Contains(all, w) {
					t.Errorf("%q missing", w)
				}
			}
			if !strings.Contains(texts[1], "Siân ap Gwŷn") || strings.Count(all, "Siân") != 1 {
				t.Error("the learner's name must be on the cover and nowhere else")
			}

			// The manifest: the pages in order, each document where its own
			// pages are.
			if man.Cover != (PageRange{1, 1}) || man.Index.From != 2 {
				t.Errorf("cover %v, index %v", man.Cover, man.Index)
			}
			next := man.Index.To + 1
			secs := map[string]SectionPlacement{}
			for _, sp := range man.Sections {
				secs[sp.Key] = sp
			}
			for _, key := range []string{"A", "chronology", "B", "C", "D"} {
				if key == "chronology" {
					if man.Chronology.From != next || !strings.Contains(texts[next], tc.lang.Pick(txtChronology)) {
						t.Errorf("chronology at %v, want page %d", man.Chronology, next)
					}
					next = man.Chronology.To + 1
					continue
				}
				sp := secs[key]
				if sp.Divider != next || !strings.Contains(texts[next], tc.lang.Pick(sprintf(fmtSection, key))) {
					t.Errorf("section %s's divider at %d, want %d", key, sp.Divider, next)
				}
				next++
				for _, pl := range man.Documents {
					if pl.Section != key {
						continue
					}
					want := docPages[pl.DocumentID]
					if pl.FromPage != next || pl.ToPage != next+want.pages-1 {
						t.Errorf("%s at %d–%d, want %d–%d", pl.DocumentID, pl.FromPage, pl.ToPage, next, next+want.pages-1)
					}
					if m := firstMarker(pl.DocumentID); m != "" && !strings.Contains(texts[pl.FromPage], m) {
						t.Errorf("%s: page %d is not its first page: %q", pl.DocumentID, pl.FromPage, texts[pl.FromPage])
					}
					for k := 1; want.name != "" && k <= want.pages; k++ {
						if !strings.Contains(texts[pl.FromPage+k-1], marker(want.name, k)) {
							t.Errorf("%s: page %d is not its page %d", pl.DocumentID, pl.FromPage+k-1, k)
						}
					}
					next = pl.ToPage + 1
				}
			}
			if next != n+1 {
				t.Errorf("the manifest accounts for %d pages of %d", next-1, n)
			}
			img := placement(t, man, "ev-img")
			if squash(texts[img.FromPage]) != stampFor(tc.lang, img.FromPage, n) {
				t.Errorf("the image's page has text: %q", texts[img.FromPage])
			}
			dims, err := api.PageDims(bytes.NewReader(b), model.NewDefaultConfiguration())
			if err != nil {
				t.Fatal(err)
			}
			if d := dims[img.FromPage-1]; d.Width <= d.Height {
				t.Errorf("the landscape image's page is %v", d)
			}
			if !strings.Contains(texts[secs["D"].Divider], tc.lang.Pick(txtNoDocuments)) {
				t.Error("the empty section's divider does not say it is empty")
			}

			// The outline: the index, each section on its divider and, under
			// it, each document on its first page; then the links.
			checkOutline(t, tc.lang, b, man, texts)
			checkLinks(t, b, man, "A")
			checkLinkBoxes(t, path, b, man)
		})
	}
}

func placement(t *testing.T, man *Manifest, id string) Placement {
	t.Helper()
	for _, p := range man.Documents {
		if p.DocumentID == id {
			return p
		}
	}
	t.Fatalf("%s not in the manifest", id)
	return Placement{}
}

func checkOutline(t *testing.T, l Lang, b []byte, man *Manifest, texts []string) {
	t.Helper()
	bms := bookmarksOf(t, b)
	type want struct {
		title string
		page  int
		kids  []Placement
	}
	wants := []want{{title: l.Pick(txtIndex), page: 2}}
	for _, sp := range man.Sections {
		var kids []Placement
		for _, p := range man.Documents {
			if p.Section == sp.Key {
				kids = append(kids, p)
			}
		}
		wants = append(wants, want{page: sp.Divider, kids: kids, title: sp.Key + ": "})
		if sp.Key == "A" {
			wants = append(wants, want{title: l.Pick(txtChronology), page: man.Chronology.From})
		}
	}
	if len(bms) != len(wants) {
		t.Fatalf("%d top-level bookmarks, want %d: %+v", len(bms), len(wants), bms)
	}
	for i, w := range wants {
		bm := bms[i]
		if bm.PageFrom != w.page || !strings.HasPrefix(bm.Title, w.title) {
			t.Errorf("bookmark %d: %q on page %d, want %q… on page %d", i, bm.Title, bm.PageFrom, w.title, w.page)
		}
		if len(bm.Kids) != len(w.kids) {
			t.Errorf("bookmark %q: %d kids, want %d", bm.Title, len(bm.Kids), len(w.kids))
			continue
		}
		for j, p := range w.kids {
			k := bm.Kids[j]
			if k.Title != p.Number+" "+p.Title || k.PageFrom != p.FromPage {
				t.Errorf("bookmark %q on page %d, want %q on page %d", k.Title, k.PageFrom, p.Number+" "+p.Title, p.FromPage)
			}
			if m := firstMarker(p.DocumentID); m != "" && !strings.Contains(texts[k.PageFrom], m) {
				t.Errorf("bookmark %q lands on page %d, which is not the document's first page", k.Title, k.PageFrom)
			}
		}
	}
	if l == LangCY && !strings.Contains(bms[len(bms)-2].Title, sectionCY) {
		t.Errorf("Welsh bookmark title %q", bms[len(bms)-2].Title)
	}
}

// checkLinks: the index has one link per row, top to bottom: each section
// to its divider, the chronology to its first page, each document to its
// first page.
func checkLinks(t *testing.T, b []byte, man *Manifest, chronAfter string) {
	t.Helper()
	rb := readPDFBack(t, b)
	var want []int
	if chronAfter == "" {
		want = append(want, man.Chronology.From)
	}
	for _, sp := range man.Sections {
		want = append(want, sp.Divider)
		for _, p := range man.Documents {
			if p.Section == sp.Key {
				want = append(want, p.FromPage)
			}
		}
		if sp.Key == chronAfter {
			want = append(want, man.Chronology.From)
		}
	}
	var got []int
	for p := 1; p <= man.Pages; p++ {
		ls := rb.links[p]
		if len(ls) > 0 && (p < man.Index.From || p > man.Index.To) {
			t.Errorf("page %d, not an index page, has links", p)
		}
		slices.SortFunc(ls, func(a, b readLink) int { return int(b.rect.UR.Y - a.rect.UR.Y) })
		for _, l := range ls {
			got = append(got, l.dest)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("index links go to %v, want %v", got, want)
	}
}

// checkLinkBoxes: each document's link lies over its row: the box holds the
// document's number as pdftotext finds it on the page.
func checkLinkBoxes(t *testing.T, path string, b []byte, man *Manifest) {
	t.Helper()
	rb := readPDFBack(t, b)
	byDest := map[int]readLink{}
	pageOf := map[int]int{}
	for p, ls := range rb.links {
		for _, l := range ls {
			byDest[l.dest], pageOf[l.dest] = l, p
		}
	}
	wordsOn := map[int][]word{}
	for _, p := range man.Documents {
		l, ok := byDest[p.FromPage]
		if !ok {
			t.Errorf("%s: no link", p.Number)
			continue
		}
		page := pageOf[p.FromPage]
		if wordsOn[page] == nil {
			wordsOn[page] = words(t, path, page)
		}
		found := false
		for _, w := range wordsOn[page] {
			if w.text != p.Number {
				continue
			}
			// pdftotext measures from the top, PDF from the foot.
			h := pageHeight * ptPerMM
			if w.xMin >= l.rect.LL.X && w.xMax <= l.rect.UR.X && h-w.yMax >= l.rect.LL.Y && h-w.yMin <= l.rect.UR.Y {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: its link %v is not over its row", p.Number, l.rect)
		}
	}
}

func TestCheckWarnings(t *testing.T) {
	spec := testSpec(t, LangEN)
	ws, err := Check(spec)
	if err != nil {
		t.Fatal(err)
	}
	want := []Warning{{Code: WarnSectionOverLimit, Section: "A", Message: form.Text{
		EN: "Section A has 6 pages, over its limit of 4.", CY: "Mae 6 tudalen yn adran A, dros ei therfyn o 4."}}}
	if !slices.Equal(ws, want) {
		t.Errorf("warnings %+v, want %+v", ws, want)
	}

	// At the limit is within it; an empty section is reported.
	spec.Sections[0].PageLimit = 6
	spec.Sections[1].PageLimit = 100
	spec.Sections = append(spec.Sections, Section{Key: "D", Title: form.Text{EN: "Other"}, PageLimit: 10})
	ws, err = Check(spec)
	if err != nil {
		t.Fatal(err)
	}
	want = []Warning{{Code: WarnSectionEmpty, Section: "D", Message: form.Text{EN: "Section D has no documents.", CY: "Does dim dogfennau yn adran D."}}}
	if !slices.Equal(ws, want) {
		t.Errorf("warnings %+v, want %+v", ws, want)
	}
	// Build reports the same, and builds.
	_, man, err := Build(spec)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(man.Warnings, want) {
		t.Errorf("Build's warnings %+v, want %+v", man.Warnings, want)
	}
	if sp := man.Sections[0]; sp.Pages != 6 || sp.Documents.To-sp.Documents.From+1 != 6 {
		t.Errorf("section A: %+v", sp)
	}
}

func encrypted(t *testing.T, user string) []byte {
	t.Helper()
	var b bytes.Buffer
	conf := model.NewAESConfiguration(user, "owner-secret", 256)
	if err := api.Encrypt(bytes.NewReader(fixtures(t)["EVIDENCE-01"]), &b, conf); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestRejects(t *testing.T) {
	f := fixtures(t)
	good := f["EVIDENCE-02"]
	damaged := bytes.Clone(good)
	for i := len(damaged) / 4; i < len(damaged); i++ {
		damaged[i] = 'x'
	}
	doc := func(mod func(*Document)) func(*Spec) {
		return func(s *Spec) { mod(&s.Sections[1].Documents[1]) }
	}
	for _, tc := range []struct {
		name, field, msg string
		mod              func(*Spec)
	}{
		{"encrypted, no user password", "sections.1.documents.1.pdf", "is encrypted", doc(func(d *Document) { d.PDF = encrypted(t, "") })},
		{"encrypted, user password", "sections.1.documents.1.pdf", "is encrypted", doc(func(d *Document) { d.PDF = encrypted(t, "user-secret") })},
		{"damaged", "sections.1.documents.1.pdf", "is corrupt", doc(func(d *Document) { d.PDF = damaged })},
		{"header only", "sections.1.documents.1.pdf", "is corrupt", doc(func(d *Document) { d.PDF = []byte("%PDF-1.7\nnothing here") })},
		{"truncated", "sections.1.documents.1.pdf", "is corrupt", doc(func(d *Document) { d.PDF = good[:len(good)/3] })},
		{"not a PDF", "sections.1.documents.1.pdf", "is not a PDF", doc(func(d *Document) { d.PDF = []byte("Dear Sir, this is a letter, not a PDF.") })},
		{"an image as a PDF", "sections.1.documents.1.pdf", "is not a PDF", doc(func(d *Document) { d.PDF = f["png"] })},
		{"GIF image", "sections.1.documents.1.image", "PNG or JPEG", doc(func(d *Document) { d.PDF, d.Image = nil, []byte("GIF89a....") })},
		{"broken PNG", "sections.1.documents.1.image", "is corrupt", doc(func(d *Document) { d.PDF, d.Image = nil, append(bytes.Clone(pngMagic), "junk"...) })},
		{"16-bit PNG bomb", "sections.1.documents.1.image", "would take more than 256 MiB of memory to decode", doc(func(d *Document) { d.PDF, d.Image = nil, pngHeader16(6000, 6000) })},
		{"PDF and image", "sections.1.documents.1.pdf", "must not be given with image", doc(func(d *Document) { d.Image = f["png"] })},
		{"no content", "sections.1.documents.1.pdf", "is required", doc(func(d *Document) { d.PDF = nil })},
		{"no title", "sections.1.documents.1.title", "is required", doc(func(d *Document) { d.Title = " " })},
		{"bad kind", "sections.1.documents.1.kind", "not a known kind", doc(func(d *Document) { d.Kind = "MEMO" })},
		{"bad date", "sections.1.documents.1.date", "not a real date", doc(func(d *Document) { d.Date = cynllun.Date{Year: 2026, Month: 2, Day: 30} })},
		{"duplicate id", "sections.1.documents.1.id", "duplicates sections.0.documents.0.id", doc(func(d *Document) { d.ID = "ev-01" })},
		{"no id", "sections.1.documents.1.id", "is required", doc(func(d *Document) { d.ID = "" })},
		{"duplicate key", "sections.2.key", "duplicates sections.0.key", func(s *Spec) { s.Sections[2].Key = "A" }},
		{"no sections", "sections", "at least one document", func(s *Spec) { s.Sections = nil }},
		{"only empty sections", "sections", "at least one document", func(s *Spec) {
			for i := range s.Sections {
				s.Sections[i].Documents = nil
			}
		}},
		{"no language", "lang", "EN, CY or BILINGUAL", func(s *Spec) { s.Lang = "" }},
		{"chronology after nothing", "chronologyAfter", "does not name a section", func(s *Spec) { s.ChronologyAfter = "Z" }},
		{"empty event", "chronology.1.event", "is required", func(s *Spec) { s.Chronology[1].Event = form.Text{} }},
		{"negative limit", "sections.0.pageLimit", "negative", func(s *Spec) { s.Sections[0].PageLimit = -1 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := testSpec(t, LangEN)
			// Copy what the case changes.
			s.Sections = slices.Clone(s.Sections)
			for i := range s.Sections {
				s.Sections[i].Documents = slices.Clone(s.Sections[i].Documents)
			}
			s.Chronology = slices.Clone(s.Chronology)
			tc.mod(&s)
			_, errCheck := Check(s)
			pdf, _, errBuild := Build(s)
			if pdf != nil {
				t.Error("Build gave a PDF")
			}
			for _, err := range []error{errCheck, errBuild} {
				var e *cynllun.Error
				if !errors.As(err, &e) || e.Code != cynllun.CodeInvalid {
					t.Fatalf("error %v, want INVALID", err)
				}
				ok := false
				for _, fe := range e.Fields {
					if fe.Field == tc.field && strings.Contains(fe.Message, tc.msg) {
						ok = true
					}
				}
				if !ok {
					t.Errorf("fields %+v, want %s: …%s…", e.Fields, tc.field, tc.msg)
				}
				for _, secret := range []string{"Siân", "Gwŷn", "psychologist", "Letter", "Ysgol", "ETW/2027", "Reports"} {
					if strings.Contains(e.Error(), secret) {
						t.Errorf("error %q names %q", e.Error(), secret)
					}
				}
			}
		})
	}
}

// The same spec gives the same bytes, built one after another or at once.
func TestDeterministic(t *testing.T) {
	spec := testSpec(t, LangBilingual)
	first, _, err := Build(spec)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	out := make([][]byte, 4)
	errs := make([]error, 4)
	for i := range out {
		wg.Go(func() { out[i], _, errs[i] = Build(spec) })
	}
	wg.Wait()
	for i, b := range out {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if !bytes.Equal(b, first) {
			t.Errorf("build %d differs from the first (%d bytes, %d)", i, len(b), len(first))
		}
	}
	// The creation date is the spec's, and so is the file's identifier.
	spec.Created = spec.Created.AddDate(0, 0, 1)
	other, _, err := Build(spec)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(other, first) {
		t.Error("a different creation date gave the same bytes")
	}
	if !bytes.Contains(first, []byte("/CreationDate(D:20270107120000+00'00')")) {
		t.Error("creation date is not the spec's")
	}
}

// bigSpec has enough documents and chronology for a three-page index and a
// chronology of several pages.
func bigSpec(tb testing.TB, l Lang) Spec {
	one := evidencePDF(tb, "ONE", 1, nil)
	s := Spec{Title: "Bundle", CaseRef: "X/1", Lang: l, ChronologyAfter: "",
		Created: testSpec(tb, l).Created}
	for i, key := range []string{"A", "B", "C"} {
		sec := Section{Key: key, Title: form.Text{EN: "Section title " + key, CY: "Teitl adran " + key}}
		for j := range 45 {
			title := fmt.Sprintf("Document %s%d", key, j+1)
			if j%7 == 3 {
				title += strings.Repeat(" with a title long enough to wrap onto another line", 2)
			}
			sec.Documents = append(sec.Documents, Document{ID: fmt.Sprintf("%d-%d", i, j), Title: title,
				Author: "Author " + key, Date: cynllun.MustDate("2026-01-02").AddDays(j), PDF: one})
		}
		s.Sections = append(s.Sections, sec)
	}
	for i := range 120 {
		s.Chronology = append(s.Chronology, ChronologyEntry{Date: cynllun.MustDate("2025-09-01").AddDays(i * 3),
			Event:  form.Text{EN: fmt.Sprintf("Event %d: %s", i, strings.Repeat("something happened ", i%9)), CY: fmt.Sprintf("Digwyddiad %d", i)},
			Source: fmt.Sprintf("A%d", i%45+1)})
	}
	return s
}

// An index of several pages: its length is settled before the page numbers
// it prints, every link and bookmark lands right, every row fits its page.
func TestLongIndex(t *testing.T) {
	needTools(t)
	spec := bigSpec(t, LangBilingual)
	b, man, err := Build(spec)
	if err != nil {
		t.Fatal(err)
	}
	if man.Index.To-man.Index.From < 2 || man.Chronology.To-man.Chronology.From < 2 {
		t.Fatalf("index %v, chronology %v: want several pages of each", man.Index, man.Chronology)
	}
	path := writeFile(t, b)
	n := pdfinfoPages(t, path)
	texts := allText(t, path)
	if n != man.Pages || len(texts)-1 != n {
		t.Fatalf("%d pages, %d texts, manifest %d", n, len(texts)-1, n)
	}
	for k := 1; k <= n; k++ {
		if !strings.Contains(texts[k], stampFor(LangBilingual, k, n)) {
			t.Errorf("page %d: no stamp", k)
		}
	}
	if !strings.Contains(texts[1], fmt.Sprint(n)) {
		t.Error("the cover does not give the page count")
	}
	if !strings.Contains(texts[man.Index.From+1], "Mynegai (parhad) / Index (continued)") {
		t.Error("the index's second page has no heading")
	}
	checkLinks(t, b, man, "")
	// Each index row's page range is printed as the manifest has it.
	for _, p := range man.Documents {
		if !strings.Contains(strings.Join(texts[man.Index.From:man.Index.To+1], " "), p.Number+" Document "+p.Number) {
			t.Errorf("%s not in the index", p.Number)
		}
	}
	bms := bookmarksOf(t, b)
	if len(bms) != 5 || bms[1].PageFrom != man.Chronology.From {
		t.Fatalf("bookmarks %+v", bms)
	}
	for i, sp := range man.Sections {
		bm := bms[2+i]
		if bm.PageFrom != sp.Divider || len(bm.Kids) != 45 {
			t.Errorf("section %s bookmark %+v", sp.Key, bm)
			continue
		}
		for j, k := range bm.Kids {
			if k.PageFrom != sp.Documents.From+j || !strings.Contains(texts[k.PageFrom], marker("ONE", 1)) {
				t.Errorf("%s: page %d", k.Title, k.PageFrom)
			}
		}
	}
}

// The layout keeps every generated page within its page and every row's
// cells on the grid.
func TestLayoutFits(t *testing.T) {
	for _, l := range []Lang{LangEN, LangCY, LangBilingual} {
		s := bigSpec(t, l)
		counts := make([][]int, len(s.Sections))
		for i, sec := range s.Sections {
			for range sec.Documents {
				counts[i] = append(counts[i], 1)
			}
		}
		p, err := makePlan(s, newSetter(l), counts)
		if err != nil {
			t.Fatal(err)
		}
		pages := 0
		for i, it := range p.items {
			if it.gen == nil {
				pages += counts[it.sec][it.doc]
				continue
			}
			pages++
			h := 0.0
			for _, r := range it.gen.rows {
				h += r.height
				if err := checkWidths(r); err != nil {
					t.Errorf("%s item %d: %v", l, i, err)
				}
				for _, c := range r.cells {
					if len(c.lines) > 1 && r.height < float64(len(c.lines))*lineHeight(c.size) {
						t.Errorf("%s item %d: a row too short for its lines", l, i)
					}
				}
			}
			if h > budget {
				t.Errorf("%s item %d: %.1f mm of rows, more than %.1f", l, i, h, budget)
			}
		}
		if pages != p.total {
			t.Errorf("%s: items make %d pages, plan %d", l, pages, p.total)
		}
	}
}

// checkWidths says whether a row's cells fill the grid exactly.
func checkWidths(r trow) error {
	if len(r.cells) == 0 {
		return nil
	}
	w := 0
	for _, c := range r.cells {
		w += int(c.width)
	}
	if w != gridSize {
		return fmt.Errorf("row is %d mm wide, want %d", w, gridSize)
	}
	return nil
}
