package upload

import (
	"archive/zip"
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"hash/crc32"
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

// animatedGIFBytes is a GIF of three 4 × 3 frames.
func animatedGIFBytes(t testing.TB) []byte {
	pal := color.Palette{color.Black, color.White, color.RGBA{R: 200, A: 255}}
	var g gif.GIF
	for i := range 3 {
		m := image.NewPaletted(image.Rect(0, 0, 4, 3), pal)
		m.SetColorIndex(i, 1, 2)
		g.Image = append(g.Image, m)
		g.Delay = append(g.Delay, 10)
	}
	var b bytes.Buffer
	if err := gif.EncodeAll(&b, &g); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// gifFrameStarts returns the offsets of the image descriptors of a GIF
// written by image/gif (no comment or plain-text extensions).
func gifFrameStarts(t testing.TB, g []byte) []int {
	t.Helper()
	var starts []int
	p := 13
	if g[10]&0x80 != 0 {
		p += 3 << (g[10]&7 + 1)
	}
	for g[p] != 0x3B {
		switch g[p] {
		case 0x21:
			p += 2
		case 0x2C:
			starts = append(starts, p)
			p += 10
			if g[p-1]&0x80 != 0 {
				p += 3 << (g[p-1]&7 + 1)
			}
			p++
		default:
			t.Fatalf("unexpected GIF block 0x%02x at %d", g[p], p)
		}
		for g[p] != 0 {
			p += 1 + int(g[p])
		}
		p++
	}
	return starts
}

// pngChunk is one PNG chunk: length, type, data, CRC.
func pngChunk(typ string, data []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	b = append(b, typ...)
	b = append(b, data...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[4:]))
}

// pngHeaderBytes is a PNG signature and an IHDR chunk, with a valid CRC,
// claiming an 8-bit RGBA image of the given size; nothing follows.
func pngHeaderBytes(width, height uint32) []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, width)
	ihdr = binary.BigEndian.AppendUint32(ihdr, height)
	ihdr = append(ihdr, 8, 6, 0, 0, 0) // depth, RGBA, deflate, filter 0, no interlace
	return append([]byte("\x89PNG\r\n\x1a\n"), pngChunk("IHDR", ihdr)...)
}

// blankPNGBytes is a white 1-bit greyscale PNG of the given size, written
// row by row (image/png would first want the whole image in memory).
func blankPNGBytes(t testing.TB, width, height int) []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, uint32(width))
	ihdr = binary.BigEndian.AppendUint32(ihdr, uint32(height))
	ihdr = append(ihdr, 1, 0, 0, 0, 0) // 1-bit greyscale
	row := bytes.Repeat([]byte{0xff}, 1+(width+7)/8)
	row[0] = 0 // filter: none
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestSpeed)
	for range height {
		if _, err := zw.Write(row); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	b := append([]byte("\x89PNG\r\n\x1a\n"), pngChunk("IHDR", ihdr)...)
	b = append(b, pngChunk("IDAT", z.Bytes())...)
	return append(b, pngChunk("IEND", nil)...)
}

// photoJPEGBytes is a width × height JPEG at quality 85 with smooth
// gradients and some fine detail, to be something like a photo in size.
func photoJPEGBytes(t testing.TB, width, height int) []byte {
	img := image.NewYCbCr(image.Rect(0, 0, width, height), image.YCbCrSubsampleRatio420)
	r := rand.New(rand.NewChaCha8([32]byte{2}))
	for y := range height {
		for x := range width {
			img.Y[y*img.YStride+x] = uint8(x*255/width/2 + y*255/height/4 + int(r.Uint32()%48))
		}
	}
	for y := range (height + 1) / 2 {
		for x := range (width + 1) / 2 {
			img.Cb[y*img.CStride+x] = uint8(96 + x*64/width)
			img.Cr[y*img.CStride+x] = uint8(160 - y*64/height)
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 85}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pngIDAT returns the offset of the first IDAT chunk of p and its data
// length.
func pngIDAT(t testing.TB, p []byte) (off, n int) {
	t.Helper()
	for off = 8; off+8 <= len(p); off += 12 + n {
		n = int(binary.BigEndian.Uint32(p[off:]))
		if string(p[off+4:off+8]) == "IDAT" {
			return off, n
		}
	}
	t.Fatal("no IDAT chunk")
	return 0, 0
}

// jpegSOF returns the offset of the baseline SOF0 segment of a JPEG written
// by image/jpeg: its height is at +5 and its width at +7.
func jpegSOF(t testing.TB, j []byte) int {
	t.Helper()
	i := bytes.Index(j, []byte{0xFF, 0xC0})
	if i < 0 {
		t.Fatal("no SOF0")
	}
	return i
}

// bitWriter writes a little-endian bit stream, as VP8L is.
type bitWriter struct {
	b     []byte
	nBits uint
}

func (w *bitWriter) write(v uint32, n uint) {
	for i := range n {
		if w.nBits%8 == 0 {
			w.b = append(w.b, 0)
		}
		w.b[len(w.b)-1] |= byte(v>>i&1) << (w.nBits % 8)
		w.nBits++
	}
}

// vp8lBytes is a lossless VP8L bitstream of a width × height image of two
// colours: pixel i is red when bit i%32 of pattern is set, yellow when not.
// Every Huffman code is a "simple" one: green has two symbols, 0 and 200,
// of one bit; red (200), blue (0), alpha (255) and distance one symbol each,
// of no bits.
func vp8lBytes(width, height int, pattern uint32) []byte {
	w := &bitWriter{}
	w.write(0, 1) // no transform
	w.write(0, 1) // no colour cache
	w.write(0, 1) // no meta prefix codes
	w.write(1, 1) // green: simple,
	w.write(1, 1) // two symbols,
	w.write(1, 1) // the first of 8 bits
	w.write(0, 8)
	w.write(200, 8)
	for _, sym := range []uint32{200, 0, 255, 0} { // red, blue, alpha, distance
		w.write(1, 1) // simple,
		w.write(0, 1) // one symbol,
		w.write(1, 1) // of 8 bits
		w.write(sym, 8)
	}
	for i := range width * height {
		w.write(^pattern>>(i%32)&1, 1) // code 0 is green 0 (red), 1 is 200 (yellow)
	}
	return append(vp8lHeader(width, height), w.b...)
}

// vp8lHeader is the 5-byte header of a VP8L bitstream.
func vp8lHeader(width, height int) []byte {
	w := &bitWriter{}
	w.write(0x2f, 8)
	w.write(uint32(width-1), 14)
	w.write(uint32(height-1), 14)
	w.write(0, 1) // no alpha
	w.write(0, 3) // version
	return w.b
}

// riffChunk is one RIFF chunk, padded to an even length.
func riffChunk(id string, data []byte) []byte {
	b := append([]byte(id), binary.LittleEndian.AppendUint32(nil, uint32(len(data)))...)
	b = append(b, data...)
	if len(data)%2 == 1 {
		b = append(b, 0)
	}
	return b
}

func webpOf(chunks ...[]byte) []byte {
	body := []byte("WEBP")
	for _, c := range chunks {
		body = append(body, c...)
	}
	return riffChunk("RIFF", body)
}

// webpBytes is a 4 × 3 lossless WebP image of two colours.
func webpBytes() []byte {
	return webpOf(riffChunk("VP8L", vp8lBytes(4, 3, 0b1010_0110_0101)))
}

// animatedWebPBytes is a 4 × 3 WebP marked animated, with one frame.
func animatedWebPBytes() []byte {
	vp8x := []byte{1 << 1, 0, 0, 0, 3, 0, 0, 2, 0, 0} // animation; canvas 4 × 3
	anim := []byte{0, 0, 0, 0, 0, 0}                  // background, loop forever
	anmf := []byte{0, 0, 0, 0, 0, 0, 3, 0, 0, 2, 0, 0, 100, 0, 0, 0}
	anmf = append(anmf, riffChunk("VP8L", vp8lBytes(4, 3, 0))...)
	return webpOf(riffChunk("VP8X", vp8x), riffChunk("ANIM", anim), riffChunk("ANMF", anmf))
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
