package upload

import (
	"bytes"
	"encoding/binary"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/cynllun/cynllun"
)

// childName stands for a child's name in a file name: it must never appear
// in a message.
const childName = "Siôn Llŷr"

func TestInspectAccepts(t *testing.T) {
	t.Parallel()
	pdf := pdfBytes(1)
	tests := []struct {
		name     string
		data     []byte
		file     string
		declared string
		want     Result // Size is filled in
	}{
		{"pdf", pdf, childName + " report.pdf", "application/pdf",
			Result{ContentType: typePDF, Kind: KindDocument, Ext: ".pdf", Pages: 1}},
		{"pdf of three pages", pdfBytes(3), "adroddiad.pdf", "",
			Result{ContentType: typePDF, Kind: KindDocument, Ext: ".pdf", Pages: 3}},
		{"pdf declared x-pdf alias", pdf, "a.pdf", "application/x-pdf",
			Result{ContentType: typePDF, Kind: KindDocument, Ext: ".pdf", Pages: 1}},
		{"pdf with trailing whitespace", append(bytes.Clone(pdf), bytes.Repeat([]byte("\n"), 600)...), "a.pdf", "",
			Result{ContentType: typePDF, Kind: KindDocument, Ext: ".pdf", Pages: 1}},
		{"docx", docxBytes(t), childName + " views.docx", typeDOCX,
			Result{ContentType: typeDOCX, Kind: KindDocument, Ext: ".docx"}},
		{"docx with word/ beyond mimetype's 4 KiB", docxLateWordBytes(t), "views.docx", "",
			Result{ContentType: typeDOCX, Kind: KindDocument, Ext: ".docx"}},
		{"docx declared as its zip container", docxBytes(t), "views.docx", "application/zip",
			Result{ContentType: typeDOCX, Kind: KindDocument, Ext: ".docx"}},
		{"png", pngBytes(t), childName + " drawing.png", "image/png",
			Result{ContentType: "image/png", Kind: KindImage, Ext: ".png", Width: 4, Height: 3}},
		{"png declared with parameters and upper case", pngBytes(t), "", "IMAGE/PNG; charset=binary",
			Result{ContentType: "image/png", Kind: KindImage, Ext: ".png", Width: 4, Height: 3}},
		{"png named with a Windows path", pngBytes(t), `C:\Users\` + childName + `\drawing.png`, "",
			Result{ContentType: "image/png", Kind: KindImage, Ext: ".png", Width: 4, Height: 3}},
		{"png name without extension", pngBytes(t), childName + " drawing", "",
			Result{ContentType: "image/png", Kind: KindImage, Ext: ".png", Width: 4, Height: 3}},
		{"png name with dots but no extension", pngBytes(t), "Dr. Jones 12.03.2024", "",
			Result{ContentType: "image/png", Kind: KindImage, Ext: ".png", Width: 4, Height: 3}},
		{"png declared octet-stream", pngBytes(t), "drawing.png", "application/octet-stream",
			Result{ContentType: "image/png", Kind: KindImage, Ext: ".png", Width: 4, Height: 3}},
		{"png nothing claimed", pngBytes(t), "", "",
			Result{ContentType: "image/png", Kind: KindImage, Ext: ".png", Width: 4, Height: 3}},
		{"jpeg named .JPG", jpegBytes(t), childName + ".JPG", "",
			Result{ContentType: "image/jpeg", Kind: KindImage, Ext: ".jpg", Width: 4, Height: 3}},
		{"jpeg named .jpeg declared image/jpg alias", jpegBytes(t), "photo.jpeg", "image/jpg",
			Result{ContentType: "image/jpeg", Kind: KindImage, Ext: ".jpg", Width: 4, Height: 3}},
		{"jpeg named .jfif", jpegBytes(t), "photo.jfif", "image/pjpeg",
			Result{ContentType: "image/jpeg", Kind: KindImage, Ext: ".jpg", Width: 4, Height: 3}},
		{"gif", gifBytes(t), "anim.gif", "image/gif",
			Result{ContentType: "image/gif", Kind: KindImage, Ext: ".gif", Width: 4, Height: 3}},
		{"animated gif", animatedGIFBytes(t), "anim.gif", "",
			Result{ContentType: "image/gif", Kind: KindImage, Ext: ".gif", Width: 4, Height: 3}},
		{"webp", webpBytes(), childName + ".webp", "image/webp",
			Result{ContentType: "image/webp", Kind: KindImage, Ext: ".webp", Width: 4, Height: 3}},
		{"png with bytes after IEND", append(pngBytes(t), "trailing"...), "a.png", "",
			Result{ContentType: "image/png", Kind: KindImage, Ext: ".png", Width: 4, Height: 3}},
		{"heic", ftypBytes("heic"), "IMG_0001.HEIC", "image/heic",
			Result{ContentType: typeHEIC, Kind: KindImage, Ext: ".heic"}},
		{"heic declared image/heif", ftypBytes("heic"), "IMG_0001.heic", "image/heif",
			Result{ContentType: typeHEIC, Kind: KindImage, Ext: ".heic"}},
		{"wav", wavBytes(), "llais.wav", "audio/x-wav",
			Result{ContentType: "audio/wav", Kind: KindAudio, Ext: ".wav"}},
		{"mp3", mp3Bytes(), "llais.mp3", "audio/mp3",
			Result{ContentType: "audio/mpeg", Kind: KindAudio, Ext: ".mp3"}},
		{"ogg opus voice note", oggOpusBytes(), "PTT-20240301.opus", "audio/ogg",
			Result{ContentType: "audio/ogg", Kind: KindAudio, Ext: ".ogg"}},
		{"m4a brand", ftypBytes("M4A "), "voice.m4a", "audio/x-m4a",
			Result{ContentType: typeM4A, Kind: KindAudio, Ext: ".m4a"}},
		{"m4a brand declared as its video/mp4 container", ftypBytes("M4A "), "voice.m4a", "video/mp4",
			Result{ContentType: typeM4A, Kind: KindAudio, Ext: ".m4a"}},
		{"generic iso-bmff named .m4a is audio", ftypBytes("isom"), "voice.m4a", "",
			Result{ContentType: typeM4A, Kind: KindAudio, Ext: ".m4a"}},
		{"generic iso-bmff declared audio/mp4 is audio", ftypBytes("isom"), "", "audio/mp4",
			Result{ContentType: typeM4A, Kind: KindAudio, Ext: ".m4a"}},
		{"generic iso-bmff is video by default", ftypBytes("isom"), "clip.mp4", "",
			Result{ContentType: typeMP4, Kind: KindVideo, Ext: ".mp4"}},
		{"mp4", ftypBytes("mp42"), "clip.mp4", "video/mp4",
			Result{ContentType: typeMP4, Kind: KindVideo, Ext: ".mp4"}},
		{"m4v", ftypBytes("M4V "), "clip.m4v", "video/x-m4v",
			Result{ContentType: typeMP4, Kind: KindVideo, Ext: ".mp4"}},
		{"mov", ftypBytes("qt  "), "IMG_0002.MOV", "video/quicktime",
			Result{ContentType: "video/quicktime", Kind: KindVideo, Ext: ".mov"}},
		{"webm is video by default", webmBytes(), "clip.webm", "",
			Result{ContentType: typeWebM, Kind: KindVideo, Ext: ".webm"}},
		{"webm declared audio/webm is audio", webmBytes(), "recording.webm", "audio/webm;codecs=opus",
			Result{ContentType: typeWebA, Kind: KindAudio, Ext: ".webm"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Inspect(tt.data, tt.file, tt.declared, 0)
			if err != nil {
				t.Fatalf("Inspect: %v", err)
			}
			tt.want.Size = int64(len(tt.data))
			if got != tt.want {
				t.Errorf("Inspect = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestInspectRejects(t *testing.T) {
	t.Parallel()
	pdf := pdfBytes(1)
	docx := docxBytes(t)
	png, jpeg, gif, anim := pngBytes(t), jpegBytes(t), gifBytes(t), animatedGIFBytes(t)
	webp, vp8l := webpBytes(), vp8lBytes(4, 3, 0b1010_0110_0101)

	idat, idatLen := pngIDAT(t, png)
	pngBadCRC := bytes.Clone(png)
	pngBadCRC[idat+8+idatLen] ^= 0x01 // first byte of IDAT's CRC
	pngBadZlib := bytes.Clone(png)
	pngBadZlib[idat+8+idatLen/2] ^= 0x01 // a byte of the deflate stream, and a CRC to match
	copy(pngBadZlib[idat+8+idatLen:], pngChunk("IDAT", pngBadZlib[idat+8:idat+8+idatLen])[8+idatLen:])

	jpegSized := func(w, h uint16) []byte {
		j := bytes.Clone(jpeg)
		sof := jpegSOF(t, j)
		binary.BigEndian.PutUint16(j[sof+5:], h)
		binary.BigEndian.PutUint16(j[sof+7:], w)
		return j
	}
	jpeg12 := bytes.Clone(jpeg)
	jpeg12[jpegSOF(t, jpeg12)+4] = 12 // sample precision

	gifScreen := func(g []byte, w, h uint16) []byte {
		g = bytes.Clone(g)
		binary.LittleEndian.PutUint16(g[6:], w)
		binary.LittleEndian.PutUint16(g[8:], h)
		return g
	}
	animFrames := gifFrameStarts(t, anim)
	animOutside := bytes.Clone(anim)
	binary.LittleEndian.PutUint16(animOutside[animFrames[2]+1:], 1) // left 1: 1+4 > 4

	tests := []struct {
		name     string
		data     []byte
		file     string
		declared string
		max      int64
		want     string // the field message
	}{
		// Size.
		{name: "empty", data: nil, file: childName + ".pdf", want: "is empty"},
		{name: "oversize", data: pngBytes(t), file: childName + ".png", max: 10,
			want: "is larger than the limit of 10 bytes"},
		{name: "oversize KiB", data: bytes.Repeat([]byte("a"), 2049), max: 2 << 10,
			want: "is larger than the limit of 2 KiB"},
		{name: "oversize default", data: make([]byte, DefaultMaxBytes+1),
			want: "is larger than the limit of 20 MiB"},

		// Detection and the allow-list.
		{name: "plain zip", data: plainZipBytes(t), file: childName + ".zip",
			want: "is a ZIP archive, which is not an accepted type; accepted: PDF, Word (DOCX), PNG, JPEG, GIF, WebP, HEIC, MP3, WAV, Ogg, M4A, MP4, MOV, WebM"},
		{name: "plain zip named .docx", data: plainZipBytes(t), file: childName + ".docx", declared: typeDOCX,
			want: "is a ZIP archive, which is not an accepted type"},
		{name: "xlsx", data: xlsxBytes(t), file: childName + ".xlsx",
			want: "is an Excel spreadsheet (XLSX), which is not an accepted type"},
		{name: "html", data: []byte(htmlDoc), file: childName + ".html", declared: "text/html",
			want: "is an HTML page, which is not an accepted type"},
		{name: "html named .png", data: []byte(htmlDoc), file: childName + ".png", declared: "image/png",
			want: "is an HTML page, which is not an accepted type"},
		{name: "plain text", data: []byte("Annwyl " + childName + ",\nDiolch.\n"), file: "note.txt",
			want: "is a text file, which is not an accepted type"},
		{name: "exe", data: exeBytes(), file: childName + ".exe",
			want: "is a Windows program, which is not an accepted type"},
		{name: "exe named .pdf", data: exeBytes(), file: childName + ".pdf", declared: "application/pdf",
			want: "is a Windows program, which is not an accepted type"},
		{name: "heif (mif1 brand)", data: ftypBytes("mif1"), file: childName + ".heic",
			want: "is a HEIF image, which is not an accepted type"},
		{name: "unrecognised bytes", data: []byte{0, 1, 2, 3, 4, 5, 6, 7, 0xff, 0xfe},
			want: "is of a type that could not be recognised; accepted: PDF,"},

		// Claims: the file name's extension.
		{name: "png named .pdf", data: pngBytes(t), file: childName + " drawing.pdf",
			want: "content is a PNG image but the file name says .pdf"},
		{name: "pdf named .PNG", data: pdf, file: childName + ".PNG",
			want: "content is a PDF but the file name says .png"},
		{name: "png named .exe", data: pngBytes(t), file: childName + ".exe",
			want: "content is a PNG image but the file name does not end in .png"},
		{name: "mov named .mp4", data: ftypBytes("qt  "), file: childName + ".mp4",
			want: "content is a QuickTime video (MOV) but the file name says .mp4"},
		{name: "generic iso-bmff named .mov", data: ftypBytes("isom"), file: childName + ".mov",
			want: "content is an MPEG-4 file but the file name says .mov"},
		{name: "webm named .mp3", data: webmBytes(), file: childName + ".mp3",
			want: "content is a WebM file but the file name says .mp3"},
		{name: "docx named .pdf", data: docx, file: childName + ".pdf",
			want: "content is a Word document (DOCX) but the file name says .pdf"},

		// Claims: the declared Content-Type.
		{name: "png declared application/pdf", data: pngBytes(t), file: childName + " drawing", declared: "application/pdf",
			want: "content is a PNG image but it was declared as application/pdf"},
		{name: "pdf declared image/jpeg", data: pdf, file: childName + ".pdf", declared: "image/jpeg",
			want: "content is a PDF but it was declared as image/jpeg"},
		{name: "png declared image/jpg alias", data: pngBytes(t), file: childName + ".png", declared: "image/jpg",
			want: "content is a PNG image but it was declared as image/jpg"},
		{name: "png declared text/html", data: pngBytes(t), declared: "text/html; charset=utf-8",
			want: "content is a PNG image but it was declared as text/html"},
		{name: "png declared garbage", data: pngBytes(t), declared: childName,
			want: "content is a PNG image but it was declared with an invalid content type"},
		{name: "png declared type with a name in it", data: pngBytes(t), declared: "image/" + childName,
			want: "content is a PNG image but it was declared with an invalid content type"},
		{name: "webm named .weba declared video/webm", data: webmBytes(), file: childName + ".weba", declared: "video/webm",
			want: "content is a WebM file but it was declared as video/webm"},
		{name: "jpeg named right declared wrong", data: jpegBytes(t), file: childName + ".jpg", declared: "image/png",
			want: "content is a JPEG image but it was declared as image/png"},

		// Opening PDFs and Word documents.
		{name: "pdf with a user password", data: encryptPDF(t, pdf, "cyfrinair", "perchennog"), file: childName + ".pdf",
			want: "is a PDF protected by a password; upload it without the password"},
		{name: "pdf with only an owner password", data: encryptPDF(t, pdf, "", "perchennog"), file: childName + ".pdf",
			want: "is an encrypted PDF; upload it without the encryption"},
		{name: "truncated pdf", data: pdf[:len(pdf)/2], file: childName + ".pdf", declared: "application/pdf",
			want: "is not a readable PDF"},
		{name: "pdf header only", data: []byte("%PDF-1.7\n%%EOF\n"), file: childName + ".pdf",
			want: "is not a readable PDF"},
		{name: "html/pdf polyglot", data: append([]byte("<html><body>hi</body></html>\n"), pdf...), file: childName + ".pdf",
			want: "is not a readable PDF"},
		{name: "pdf that makes pdfcpu panic", data: bytes.Replace(pdf, []byte("xref\n0 "), []byte("xref\n3 "), 1), file: childName + ".pdf",
			want: "is not a readable PDF"},
		{name: "pdf with no pages", data: pdfBytes(0), file: childName + ".pdf",
			want: "is a PDF with no pages"},
		{name: "truncated docx", data: docx[:len(docx)-30], file: childName + ".docx",
			want: "is not a readable Word document"},

		// Decoding images.
		{name: "jpeg magic number only", data: []byte{0xFF, 0xD8, 0xFF}, file: childName + ".jpg",
			want: "is not a readable JPEG image"},
		{name: "truncated jpeg", data: jpeg[:len(jpeg)/2], file: childName + ".jpg", declared: "image/jpeg",
			want: "is not a readable JPEG image"},
		{name: "jpeg cut short in its last scan", data: jpeg[:len(jpeg)-4], file: childName + ".jpg",
			want: "is not a readable JPEG image"},
		{name: "jpeg header claiming 10000 × 10000", data: jpegSized(10000, 10000), file: childName + ".jpg",
			want: "is a JPEG image too large to accept: 10000 × 10000 pixels (at most 60 million pixels)"},
		{name: "jpeg header claiming no height", data: jpegSized(4, 0), file: childName + ".jpg",
			want: "is an empty JPEG image: 4 × 0 pixels"},
		{name: "12-bit jpeg", data: jpeg12, file: childName + ".jpg",
			want: "is a JPEG image of a kind that cannot be read; save it again as a standard JPEG"},
		{name: "truncated png", data: png[:len(png)/2], file: childName + ".png", declared: "image/png",
			want: "is not a readable PNG image"},
		{name: "png without IEND", data: png[:len(png)-12], file: childName + ".png",
			want: "is not a readable PNG image"},
		{name: "png with a corrupt CRC", data: pngBadCRC, file: childName + ".png",
			want: "is not a readable PNG image"},
		{name: "png with corrupt pixel data under a matching CRC", data: pngBadZlib, file: childName + ".png",
			want: "is not a readable PNG image"},
		{name: "png header only", data: pngHeaderBytes(4, 3), file: childName + ".png",
			want: "is not a readable PNG image"},
		{name: "png header claiming 100000 × 100000", data: pngHeaderBytes(100000, 100000), file: childName + ".png",
			want: "is a PNG image too large to accept: 100000 × 100000 pixels (at most 60 million pixels)"},
		{name: "png header one row over the limit", data: pngHeaderBytes(10000, 6001),
			want: "is a PNG image too large to accept: 10000 × 6001 pixels"},
		{name: "gif header only", data: gif[:13], file: childName + ".gif",
			want: "is not a readable GIF image"},
		{name: "gif header and colour table only", data: gif[:gifFrameStarts(t, gif)[0]], file: childName + ".gif",
			want: "is not a readable GIF image"},
		{name: "gif screen of 65535 × 65535", data: gifScreen(gif, 65535, 65535), file: childName + ".gif",
			want: "is a GIF image too large to accept: 65535 × 65535 pixels"},
		{name: "gif screen of 0 × 0", data: gifScreen(gif, 0, 0), file: childName + ".gif",
			want: "is an empty GIF image: 0 × 0 pixels"},
		{name: "animated gif cut after its first frame", data: anim[:animFrames[1]], file: childName + ".gif",
			want: "is not a readable GIF image"},
		{name: "animated gif cut in its last frame", data: anim[:len(anim)-4], file: childName + ".gif",
			want: "is not a readable GIF image"},
		{name: "animated gif without its trailer", data: anim[:len(anim)-1], file: childName + ".gif",
			want: "is not a readable GIF image"},
		{name: "animated gif with a later frame outside the screen", data: animOutside, file: childName + ".gif",
			want: "is not a readable GIF image"},
		{name: "truncated webp", data: webp[:len(webp)-2], file: childName + ".webp",
			want: "is not a readable WebP image"},
		{name: "webp with its pixels cut short", data: webpOf(riffChunk("VP8L", vp8l[:len(vp8l)-1])), file: childName + ".webp",
			want: "is not a readable WebP image"},
		{name: "webp header claiming 16384 × 16384", data: webpOf(riffChunk("VP8L", vp8lHeader(16384, 16384))), file: childName + ".webp",
			want: "is a WebP image too large to accept: 16384 × 16384 pixels"},
		{name: "webp container with no image", data: webpOf(riffChunk("EXIF", []byte("Exif"))), file: childName + ".webp",
			want: "is not a readable WebP image"},
		{name: "animated webp", data: animatedWebPBytes(), file: childName + ".webp",
			want: "is an animated WebP image, which cannot be checked; upload a GIF or a still image"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res, err := Inspect(tt.data, tt.file, tt.declared, tt.max)
			if err == nil {
				t.Fatalf("Inspect = %+v, want an error", res)
			}
			if res != (Result{}) {
				t.Errorf("Inspect result = %+v on error, want zero", res)
			}
			msg := checkInvalid(t, err)
			if !strings.HasPrefix(msg, tt.want) {
				t.Errorf("message = %q, want prefix %q", msg, tt.want)
			}
			for _, leak := range []string{childName, "Siôn", "Llŷr", "drawing", `C:\`} {
				if strings.Contains(err.Error(), leak) {
					t.Errorf("error %q contains %q from the file name or declared type", err, leak)
				}
			}
		})
	}
}

// checkInvalid asserts err is an INVALID *cynllun.Error from upload.Inspect
// with one field error on "file", and returns that field's message.
func checkInvalid(t *testing.T, err error) string {
	t.Helper()
	var e *cynllun.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %T %v is not a *cynllun.Error", err, err)
	}
	if e.Code != cynllun.CodeInvalid {
		t.Errorf("code = %s, want %s", e.Code, cynllun.CodeInvalid)
	}
	if e.Op != "upload.Inspect" {
		t.Errorf("op = %q, want upload.Inspect", e.Op)
	}
	if len(e.Fields) != 1 || e.Fields[0].Field != "file" {
		t.Fatalf("fields = %+v, want one on file", e.Fields)
	}
	if e.Fields[0].Message == "" {
		t.Error("empty field message")
	}
	return e.Fields[0].Message
}

// TestInspectCheckOrder: size before type, type before claims, claims before
// opening the PDF.
func TestInspectCheckOrder(t *testing.T) {
	t.Parallel()
	enc := encryptPDF(t, pdfBytes(1), "cyfrinair", "perchennog")
	tests := []struct {
		name     string
		data     []byte
		file     string
		declared string
		max      int64
		want     string
	}{
		{"oversize exe named .png", exeBytes(), "x.png", "image/png", 16, "is larger than"},
		{"zip named .pdf declared image/png", plainZipBytes(t), "x.pdf", "image/png", 0, "is a ZIP archive"},
		{"encrypted pdf named .png", enc, "x.png", "", 0, "content is a PDF but the file name says .png"},
		{"encrypted pdf declared image/png", enc, "x.pdf", "image/png", 0, "content is a PDF but it was declared as image/png"},
		{"name checked before declared type", pngBytes(t), "x.gif", "image/jpeg", 0, "content is a PNG image but the file name says .gif"},
		{"truncated png named .gif", pngBytes(t)[:20], "x.gif", "", 0, "content is a PNG image but the file name says .gif"},
		{"huge png declared image/jpeg", pngHeaderBytes(100000, 100000), "", "image/jpeg", 0, "content is a PNG image but it was declared as image/jpeg"},
		{"size checked before the image header", pngHeaderBytes(100000, 100000), "", "", 16, "is larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Inspect(tt.data, tt.file, tt.declared, tt.max)
			if err == nil {
				t.Fatal("Inspect accepted")
			}
			if msg := checkInvalid(t, err); !strings.HasPrefix(msg, tt.want) {
				t.Errorf("message = %q, want prefix %q", msg, tt.want)
			}
		})
	}
}

func TestInspectSizeLimit(t *testing.T) {
	t.Parallel()
	png := pngBytes(t)
	n := int64(len(png))
	if _, err := Inspect(png, "a.png", "", n); err != nil {
		t.Errorf("exactly max bytes: %v", err)
	}
	if _, err := Inspect(png, "a.png", "", n-1); err == nil {
		t.Error("max-1 bytes accepted")
	}
	if _, err := Inspect(png, "a.png", "", -1); err != nil {
		t.Errorf("negative max means the default: %v", err)
	}
	if _, err := Inspect(make([]byte, DefaultMaxBytes), "", "", 0); err == nil || strings.Contains(err.Error(), "larger") {
		t.Errorf("DefaultMaxBytes zero bytes: %v, want a type rejection", err)
	}
}

// TestInspectImageAtLimit decodes an image of exactly maxPixels (60 MB for
// image/png's 1-byte greyscale pixels) and refuses one more row.
func TestInspectImageAtLimit(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("decodes a 60-megapixel image")
	}
	const w = 10000
	const h = maxPixels / w
	res, err := Inspect(blankPNGBytes(t, w, h), "scan.png", "image/png", 0)
	if err != nil {
		t.Fatalf("Inspect %d × %d: %v", w, h, err)
	}
	if res.Width != w || res.Height != h {
		t.Errorf("dimensions %d × %d, want %d × %d", res.Width, res.Height, w, h)
	}
	_, err = Inspect(pngHeaderBytes(w, h+1), "scan.png", "image/png", 0)
	if err == nil {
		t.Fatalf("Inspect %d × %d accepted", w, h+1)
	}
	if msg, want := checkInvalid(t, err), "is a PNG image too large to accept: 10000 × 6001 pixels (at most 60 million pixels)"; msg != want {
		t.Errorf("message = %q, want %q", msg, want)
	}
}

// BenchmarkInspectJPEG inspects a 12-megapixel (4000 × 3000) photo-like
// JPEG: detection, claims and a full decode.
func BenchmarkInspectJPEG(b *testing.B) {
	data := photoJPEGBytes(b, 4000, 3000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Inspect(data, "IMG_0001.jpg", "image/jpeg", 0); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(data))/(1<<20), "file-MiB")
}

func TestAllowed(t *testing.T) {
	t.Parallel()
	want := []string{
		"application/pdf",
		"application/vnd.openxmlformats-officedocument.wordprocessingml.document",
		"image/png", "image/jpeg", "image/gif", "image/webp", "image/heic",
		"audio/mpeg", "audio/wav", "audio/ogg", "audio/mp4", "audio/webm",
		"video/mp4", "video/quicktime", "video/webm",
	}
	got := Allowed()
	if !slices.Equal(got, want) {
		t.Errorf("Allowed() = %q, want %q", got, want)
	}
	got[0] = "text/html"
	if Allowed()[0] != "application/pdf" {
		t.Error("Allowed returns a shared slice")
	}
	for _, a := range acceptedTypes {
		if !slices.Contains(extensions[a.ext], a.mime) {
			t.Errorf("canonical extension %s of %s does not name it in the extension table", a.ext, a.mime)
		}
	}
	for alias, c := range aliases {
		if _, ok := acceptedByType[c]; !ok {
			t.Errorf("alias %s → %s: not an accepted type", alias, c)
		}
	}
}

func TestExtension(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, want string
	}{
		{"drawing.png", ".png"},
		{"DRAWING.PNG", ".png"},
		{"a.b.JPEG", ".jpeg"},
		{"drawing.png ", ".png"},
		{"dir/sub/x.mp4", ".mp4"},
		{`C:\dir.pdf\x.m4a`, ".m4a"},
		{"no extension", ""},
		{"trailing.", ""},
		{"Dr. Jones", ""},
		{"12.03.2024", ""},
		{"v1.2", ""},
		{"x.7z", ".7z"},
		{"x.mp3\x00.pdf", ".pdf"},
		{"x.pdf\x00", ""},
		{"x.pdƒ", ""},
		{"x.abcdefghijk", ""},
		{"", ""},
	}
	for _, tt := range tests {
		got, ok := extension(tt.name)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("extension(%q) = %q, %v; want %q", tt.name, got, ok, tt.want)
		}
	}
}

func fuzzSeeds(t testing.TB) [][]byte {
	pdf := pdfBytes(1)
	return [][]byte{
		pdf, pdfBytes(2), pdfBytes(0), pdf[:len(pdf)/2],
		encryptPDF(t, pdf, "u", "o"), encryptPDF(t, pdf, "", "o"),
		pngBytes(t), jpegBytes(t), gifBytes(t), animatedGIFBytes(t), webpBytes(), animatedWebPBytes(),
		pngHeaderBytes(100000, 100000), pngBytes(t)[:40], {0xFF, 0xD8, 0xFF}, wavBytes(), mp3Bytes(), oggOpusBytes(),
		ftypBytes("isom"), ftypBytes("M4A "), ftypBytes("qt  "), ftypBytes("heic"), ftypBytes("mif1"),
		webmBytes(), docxBytes(t), docxLateWordBytes(t), xlsxBytes(t), plainZipBytes(t),
		exeBytes(), []byte(htmlDoc), []byte("%PDF-1.7\n%%EOF\n"), {},
	}
}

func FuzzInspect(f *testing.F) {
	names := []string{"", "x.pdf", "x.png", "x.JPG", "x.m4a", "x.webm", "x.docx", "x.exe", childName}
	declared := []string{"", "application/octet-stream", "application/pdf", "image/png", "image/jpg", "audio/webm", "application/zip", "x"}
	for i, s := range fuzzSeeds(f) {
		f.Add(s, names[i%len(names)], declared[i%len(declared)])
	}
	allowed := Allowed()
	f.Fuzz(func(t *testing.T, data []byte, name, declared string) {
		res, err := Inspect(data, name, declared, 1<<20)
		if err != nil {
			var e *cynllun.Error
			if !errors.As(err, &e) || e.Code != cynllun.CodeInvalid || e.Op != op ||
				len(e.Fields) != 1 || e.Fields[0].Field != "file" || e.Fields[0].Message == "" {
				t.Fatalf("bad error %#v", err)
			}
			if res != (Result{}) {
				t.Fatalf("result %+v with error", res)
			}
			// Never echo the file name (the declared type may be echoed,
			// but only when it is a well-formed media type).
			if len(name) > 3 && !strings.Contains(name, ".") && strings.Contains(e.Fields[0].Message, name) {
				t.Fatalf("message %q contains the name %q", e.Fields[0].Message, name)
			}
			return
		}
		if !slices.Contains(allowed, res.ContentType) {
			t.Fatalf("accepted %q, not in Allowed()", res.ContentType)
		}
		if res.Size != int64(len(data)) {
			t.Fatalf("Size = %d, len = %d", res.Size, len(data))
		}
		a := acceptedByType[res.ContentType]
		if res.Kind != a.kind || res.Ext != a.ext {
			t.Fatalf("result %+v: kind/ext disagree with %s", res, res.ContentType)
		}
		if res.ContentType == typePDF {
			if res.Pages < 1 {
				t.Fatalf("PDF with Pages = %d", res.Pages)
			}
		} else if res.Pages != 0 {
			t.Fatalf("%s with Pages = %d", res.ContentType, res.Pages)
		}
		if _, decoded := imageFormats[res.ContentType]; decoded {
			if res.Width <= 0 || res.Height <= 0 || int64(res.Width)*int64(res.Height) > maxPixels {
				t.Fatalf("%s accepted at %d × %d", res.ContentType, res.Width, res.Height)
			}
		} else if res.Width != 0 || res.Height != 0 {
			t.Fatalf("%s with dimensions %d × %d", res.ContentType, res.Width, res.Height)
		}
	})
}
