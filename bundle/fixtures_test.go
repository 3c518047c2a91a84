package bundle

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/johnfercher/maroto/v2"
	mimage "github.com/johnfercher/maroto/v2/pkg/components/image"
	"github.com/johnfercher/maroto/v2/pkg/components/page"
	"github.com/johnfercher/maroto/v2/pkg/components/text"
	"github.com/johnfercher/maroto/v2/pkg/config"
	"github.com/johnfercher/maroto/v2/pkg/consts/extension"
	"github.com/johnfercher/maroto/v2/pkg/consts/fontstyle"
	"github.com/johnfercher/maroto/v2/pkg/consts/pagesize"
	"github.com/johnfercher/maroto/v2/pkg/props"
	"github.com/johnfercher/maroto/v2/pkg/repository"
	"golang.org/x/image/font/gofont/goregular"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/form"
	"github.com/cynllun/cynllun/internal/pdftest"
)

// marker is the distinctive text on page k of a test document.
func marker(name string, k int) string { return fmt.Sprintf("%s page %d", name, k) }

// evidencePDF makes an n-page PDF whose page k says "NAME page k", with
// scans[k-1], a JPEG, on page k when scans is not nil (a scanned document).
func evidencePDF(tb testing.TB, name string, n int, scans [][]byte) []byte {
	tb.Helper()
	fonts, err := repository.New().AddUTF8FontFromBytes("go", fontstyle.Normal, bytes.Clone(goregular.TTF)).Load()
	if err != nil {
		tb.Fatal(err)
	}
	m := maroto.New(config.NewBuilder().WithPageSize(pagesize.A4).WithCustomFonts(fonts).
		WithDefaultFont(&props.Font{Family: "go", Size: 12}).WithCompression(true).
		WithCreationDate(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)).Build())
	for k := 1; k <= n; k++ {
		p := page.New().Add(text.NewRow(12, marker(name, k)),
			text.NewRow(10, "Gwybodaeth am y plentyn: ŵ ŷ â, and some ordinary text."))
		if scans != nil {
			p.Add(mimage.NewFromBytesRow(200, scans[k-1], extension.Jpg))
		}
		m.AddPages(p)
	}
	doc, err := m.Generate()
	if err != nil {
		tb.Fatal(err)
	}
	return doc.GetBytes()
}

// noiseJPEG is a w×h JPEG of noise, which compresses badly, like a scan.
func noiseJPEG(tb testing.TB, w, h int, seed uint64) []byte {
	tb.Helper()
	r := rand.New(rand.NewPCG(seed, 1))
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = uint8(160 + r.IntN(96))
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 70}); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

func testPNG(tb testing.TB, w, h int) []byte {
	tb.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 120, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// rawPDF assembles a PDF 1.4 from numbered object bodies.
func rawPDF(objs ...string) []byte { return pdftest.Raw("1.4", objs...) }

func stream(content string) string {
	return fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content)
}

// sharedPDF is a 3-page PDF whose first two pages share one content
// stream, with resources inherited from the page tree, and whose third
// page is rotated 90°: the cases pdfcpu's stamping gets wrong unaided.
func sharedPDF() []byte {
	return rawPDF(
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R 4 0 R 6 0 R] /Count 3 /MediaBox [0 0 595 842] /Resources << /Font << /F1 7 0 R >> >> >>",
		"<< /Type /Page /Parent 2 0 R /Contents 5 0 R >>",
		"<< /Type /Page /Parent 2 0 R /Contents 5 0 R >>",
		stream("BT /F1 14 Tf 72 700 Td (SHARED-DOC same page) Tj ET"),
		"<< /Type /Page /Parent 2 0 R /Rotate 90 /Contents 8 0 R >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
		stream("BT /F1 14 Tf 72 500 Td (ROTATED-DOC page 1) Tj ET"),
	)
}

var fixtureOnce sync.Once
var fixtureDocs map[string][]byte

// fixtures are made once: maroto is not quick.
func fixtures(tb testing.TB) map[string][]byte {
	fixtureOnce.Do(func() {
		fixtureDocs = map[string][]byte{
			"EVIDENCE-01": evidencePDF(tb, "EVIDENCE-01", 2, nil),
			"EVIDENCE-02": evidencePDF(tb, "EVIDENCE-02", 3, nil),
			"EVIDENCE-03": evidencePDF(tb, "EVIDENCE-03", 1, nil),
			"EVIDENCE-04": evidencePDF(tb, "EVIDENCE-04", 2, nil),
			"EVIDENCE-05": evidencePDF(tb, "EVIDENCE-05", 1, nil),
			"EVIDENCE-07": evidencePDF(tb, "EVIDENCE-07", 4, nil),
			"png":         testPNG(tb, 300, 200),
			"shared":      sharedPDF(),
		}
	})
	return fixtureDocs
}

// Welsh text with every letter pdftotext must give back exactly.
const (
	titleCY   = "Barn y plentyn — ŵyr, ŷd a châr"
	eventCY   = "Cyfarfod â'r ysgol: trafodwyd ŵyr ac ŷd"
	eventEN   = "Meeting with the school"
	sectionCY = "Safbwyntiau’r teulu: ŵ ŷ â"
)

// testSpec is a bundle of three sections and a chronology after A.
func testSpec(tb testing.TB, l Lang) Spec {
	f := fixtures(tb)
	d := cynllun.MustDate
	return Spec{
		Title:   "Apêl yn erbyn penderfyniad y Cyngor Sir",
		CaseRef: "ETW/2027/0042",
		Learner: "Siân ap Gwŷn",
		Lang:    l,
		Sections: []Section{
			{Key: "A", Title: form.Text{EN: "Reports", CY: "Adroddiadau"}, PageLimit: 4, Documents: []Document{
				{ID: "ev-01", Title: "Educational psychologist report", Author: "Dr Rhys Ŵatcyn", Date: d("2026-03-04"), Kind: KindReport, PDF: f["EVIDENCE-01"]},
				{ID: "ev-02", Title: "Speech and language therapy report", Author: "Bwrdd Iechyd", Date: d("2026-05-06"), Kind: KindReport, PDF: f["EVIDENCE-02"]},
				{ID: "ev-03", Title: titleCY, Kind: KindChildsViews, PDF: f["EVIDENCE-03"]},
			}},
			{Key: "B", Title: form.Text{EN: "Correspondence", CY: "Gohebiaeth"}, Documents: []Document{
				// Two documents with the same title: each bookmark must still
				// land on its own document.
				{ID: "ev-04", Title: "Letter", Author: "Ysgol Gynradd", Date: d("2026-06-01"), Kind: KindCorrespondence, PDF: f["EVIDENCE-04"]},
				{ID: "ev-05", Title: "Letter", Author: "Cyngor Sir", Date: d("2026-06-20"), Kind: KindCorrespondence, PDF: f["EVIDENCE-05"]},
				{ID: "ev-shared", Title: "Scanned letter", Date: d("2026-07-01"), PDF: f["shared"]},
			}},
			{Key: "C", Title: form.Text{EN: "Family views", CY: sectionCY}, Documents: []Document{
				{ID: "ev-07", Title: "Parents' statement", Author: "Mrs ap Gwŷn", Date: d("2026-08-09"), Kind: KindOther, PDF: f["EVIDENCE-07"]},
				{ID: "ev-img", Title: "Drawing", Kind: KindChildsViews, Image: f["png"]},
			}},
		},
		Chronology: []ChronologyEntry{
			{Date: d("2026-03-04"), Event: form.Text{EN: "EP assessment", CY: "Asesiad seicolegydd addysg"}, Source: "A1"},
			{Date: d("2026-06-01"), Event: form.Text{EN: eventEN, CY: eventCY}, Source: "B1"},
			{Event: form.Text{EN: "Undated note", CY: "Nodyn heb ddyddiad"}, Source: "C1"},
		},
		ChronologyAfter: "A",
		Created:         time.Date(2027, 1, 7, 12, 0, 0, 0, time.UTC),
	}
}

// pngHeader16 is a PNG signature, an IHDR of a 16-bit RGBA image of the
// given size (8 bytes a pixel decoded) and IEND: what a decoder reads
// before it allocates.
func pngHeader16(width, height uint32) []byte {
	chunk := func(typ string, data []byte) []byte {
		b := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
		b = append(append(b, typ...), data...)
		return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[4:]))
	}
	ihdr := binary.BigEndian.AppendUint32(nil, width)
	ihdr = binary.BigEndian.AppendUint32(ihdr, height)
	ihdr = append(ihdr, 16, 6, 0, 0, 0)
	return append(append(bytes.Clone(pngMagic), chunk("IHDR", ihdr)...), chunk("IEND", nil)...)
}
