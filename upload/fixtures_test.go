package upload

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"testing"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
)

// Fixtures are built in code: no binary files in the repository.

func testImage() image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 4, 3))
	for x := range 4 {
		img.Set(x, 1, color.RGBA{R: 200, A: 255})
	}
	return img
}

func pngBytes(t testing.TB) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, testImage()); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func jpegBytes(t testing.TB) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, testImage(), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func gifBytes(t testing.TB) []byte {
	var b bytes.Buffer
	if err := gif.Encode(&b, testImage(), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pdfBytes writes a minimal valid PDF with the given number of empty A4
// pages, computing the cross-reference offsets.
func pdfBytes(pages int) []byte {
	var b bytes.Buffer
	var offsets []int
	obj := func(body string) {
		offsets = append(offsets, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", len(offsets), body)
	}
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	kids := ""
	for i := range pages {
		kids += fmt.Sprintf(" %d 0 R", 3+i)
	}
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	obj(fmt.Sprintf("<< /Type /Pages /Kids [%s ] /Count %d >>", kids, pages))
	for range pages {
		obj("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << >> >>")
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, o := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref)
	return b.Bytes()
}

func encryptPDF(t testing.TB, pdf []byte, userPW, ownerPW string) []byte {
	// pdfcpu 0.6 cannot read files under 512 bytes (see openPDF).
	if len(pdf) < pdfcpuBlock {
		pdf = append(bytes.Clone(pdf), bytes.Repeat([]byte("\n"), pdfcpuBlock-len(pdf))...)
	}
	var b bytes.Buffer
	if err := api.Encrypt(bytes.NewReader(pdf), &b, model.NewAESConfiguration(userPW, ownerPW, 256)); err != nil {
		t.Fatalf("encrypt: %v", err)
	}
	return b.Bytes()
}

// wavBytes is a RIFF/WAVE header with a short silent 8 kHz mono PCM body.
func wavBytes() []byte {
	const samples = 64
	var b bytes.Buffer
	le := func(v any) { _ = binary.Write(&b, binary.LittleEndian, v) }
	b.WriteString("RIFF")
	le(uint32(36 + samples*2))
	b.WriteString("WAVEfmt ")
	le(uint32(16))
	le(uint16(1))    // PCM
	le(uint16(1))    // mono
	le(uint32(8000)) // sample rate
	le(uint32(16000))
	le(uint16(2))
	le(uint16(16))
	b.WriteString("data")
	le(uint32(samples * 2))
	b.Write(make([]byte, samples*2))
	return b.Bytes()
}

// ftypBytes is an ISO-BMFF ftyp box with the given major brand followed by
// an empty mdat box.
func ftypBytes(brand string) []byte {
	var b bytes.Buffer
	be := func(v any) { _ = binary.Write(&b, binary.BigEndian, v) }
	be(uint32(24))
	b.WriteString("ftyp" + brand)
	be(uint32(0x200))
	b.WriteString("isommp41")
	be(uint32(8))
	b.WriteString("mdat")
	return b.Bytes()
}

// webmBytes is an EBML header with DocType "webm".
func webmBytes() []byte {
	return append([]byte{0x1A, 0x45, 0xDF, 0xA3, 0x9F,
		0x42, 0x86, 0x81, 0x01, // EBMLVersion 1
		0x42, 0x82, 0x84}, append([]byte("webm"),
		0x42, 0x87, 0x81, 0x04, // DocTypeVersion 4
		0x42, 0x85, 0x81, 0x02, // DocTypeReadVersion 2
	)...)
}

// mp3Bytes is an ID3v2.4 tag followed by one MPEG-1 Layer III frame header.
func mp3Bytes() []byte {
	b := []byte("ID3\x04\x00\x00\x00\x00\x00\x0a")
	b = append(b, make([]byte, 10)...)
	frame := make([]byte, 417)
	copy(frame, []byte{0xFF, 0xFB, 0x90, 0x64})
	return append(b, frame...)
}

// oggOpusBytes is the first Ogg page of an Opus stream.
func oggOpusBytes() []byte {
	var b bytes.Buffer
	b.WriteString("OggS\x00\x02")
	b.Write(make([]byte, 8))          // granule position
	b.Write([]byte{1, 0, 0, 0})       // serial
	b.Write(make([]byte, 4))          // sequence
	b.Write(make([]byte, 4))          // checksum (not checked)
	b.Write([]byte{1, 19})            // one segment of 19 bytes
	b.WriteString("OpusHead\x01\x01") // version, channels
	b.Write([]byte{0x38, 0x01})       // pre-skip
	b.Write([]byte{0x80, 0xbb, 0, 0}) // 48 kHz
	b.Write([]byte{0, 0, 0})          // gain, mapping
	return b.Bytes()
}

type zipEntry struct {
	name  string
	body  []byte
	store bool // no compression
}

func zipBytes(t testing.TB, entries ...zipEntry) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		if e.store {
			h.Method = zip.Store
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(e.body); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

const contentTypesXML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`

const documentXML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Fy marn i</w:t></w:r></w:p></w:body></w:document>`

func docxBytes(t testing.TB) []byte {
	return zipBytes(t,
		zipEntry{name: "[Content_Types].xml", body: []byte(contentTypesXML)},
		zipEntry{name: "word/document.xml", body: []byte(documentXML)},
	)
}

// docxLateWordBytes is a DOCX whose first word/ entry lies beyond the 4 KiB
// mimetype looks at (a stored thumbnail comes first, as some writers do).
func docxLateWordBytes(t testing.TB) []byte {
	thumb := make([]byte, 8<<10)
	r := rand.New(rand.NewChaCha8([32]byte{1}))
	for i := range thumb {
		thumb[i] = byte(r.Uint32())
	}
	return zipBytes(t,
		zipEntry{name: "[Content_Types].xml", body: []byte(contentTypesXML)},
		zipEntry{name: "docProps/thumbnail.jpeg", body: thumb, store: true},
		zipEntry{name: "word/document.xml", body: []byte(documentXML)},
	)
}

func xlsxBytes(t testing.TB) []byte {
	return zipBytes(t,
		zipEntry{name: "[Content_Types].xml", body: []byte(contentTypesXML)},
		zipEntry{name: "xl/workbook.xml", body: []byte("<workbook/>")},
	)
}

func plainZipBytes(t testing.TB) []byte {
	return zipBytes(t, zipEntry{name: "notes.txt", body: []byte("hello")})
}

func exeBytes() []byte {
	b := make([]byte, 128)
	copy(b, "MZ\x90\x00\x03")
	copy(b[64:], "This program cannot be run in DOS mode.")
	return b
}

const htmlDoc = "<!DOCTYPE html><html><head><title>x</title></head><body><p>hi</p></body></html>"
