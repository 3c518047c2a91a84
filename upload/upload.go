// Package upload checks an uploaded file before it is stored: its size, what
// its bytes are (never what its name says), that this is an accepted type,
// that it agrees with what the client claimed, that a PDF or Word document
// can be opened and that an image decodes. It is pure: no I/O beyond the
// bytes it is given.
//
// Messages are safe to show a user: they name types and, at most, an
// extension we recognise; never the file name (which may hold a child's
// name) and never any bytes of the content.
package upload

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"mime"
	"slices"
	"strings"

	"github.com/gabriel-vasile/mimetype"
	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"golang.org/x/image/webp"

	"github.com/cynllun/cynllun"
)

func init() {
	// pdfcpu must not create a config directory under $HOME: it exits the
	// process when it cannot.
	model.ConfigPath = "disable"
}

const op = "upload.Inspect"

// DefaultMaxBytes is the default size limit of one upload.
const DefaultMaxBytes = 20 << 20

// Kind is the broad kind of an accepted upload.
type Kind string

const (
	KindDocument Kind = "DOCUMENT"
	KindImage    Kind = "IMAGE"
	KindAudio    Kind = "AUDIO"
	KindVideo    Kind = "VIDEO"
)

// Result describes an accepted upload.
type Result struct {
	ContentType string // canonical MIME type detected from the bytes, e.g. "image/png"
	Kind        Kind
	Ext         string // canonical extension with dot, e.g. ".png"
	Pages       int    // PDFs only: page count
	Size        int64
	// Width and Height are the pixel dimensions of a PNG, JPEG, GIF (its
	// logical screen) or WebP image; 0 for a HEIC image, which is not
	// decoded, and for everything that is not an image.
	Width, Height int
}

const (
	typePDF  = "application/pdf"
	typeDOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	typeMP4  = "video/mp4"
	typeM4A  = "audio/mp4"
	typeWebM = "video/webm"
	typeWebA = "audio/webm"
	typeHEIC = "image/heic"
)

type accepted struct {
	mime  string
	kind  Kind
	ext   string
	label string // noun phrase for messages: "a PNG image"
	short string // name in the accepted list: "PNG"
}

// acceptedTypes is the allow-list, in the order Allowed returns it.
var acceptedTypes = []accepted{
	{typePDF, KindDocument, ".pdf", "a PDF", "PDF"},
	{typeDOCX, KindDocument, ".docx", "a Word document (DOCX)", "Word (DOCX)"},
	{"image/png", KindImage, ".png", "a PNG image", "PNG"},
	{"image/jpeg", KindImage, ".jpg", "a JPEG image", "JPEG"},
	{"image/gif", KindImage, ".gif", "a GIF image", "GIF"},
	{"image/webp", KindImage, ".webp", "a WebP image", "WebP"},
	{typeHEIC, KindImage, ".heic", "a HEIC image", "HEIC"},
	{"audio/mpeg", KindAudio, ".mp3", "an MP3 audio file", "MP3"},
	{"audio/wav", KindAudio, ".wav", "a WAV audio file", "WAV"},
	{"audio/ogg", KindAudio, ".ogg", "an Ogg audio file", "Ogg"},
	{typeM4A, KindAudio, ".m4a", "an M4A audio file", "M4A"},
	{typeWebA, KindAudio, ".webm", "a WebM audio file", ""}, // listed with WebM video
	{typeMP4, KindVideo, ".mp4", "an MP4 video", "MP4"},
	{"video/quicktime", KindVideo, ".mov", "a QuickTime video (MOV)", "MOV"},
	{typeWebM, KindVideo, ".webm", "a WebM video", "WebM"},
}

var (
	acceptedByType = map[string]*accepted{}
	acceptedList   string // "PDF, Word (DOCX), PNG, …"
)

func init() {
	var names []string
	for i := range acceptedTypes {
		a := &acceptedTypes[i]
		acceptedByType[a.mime] = a
		if a.short != "" && !slices.Contains(names, a.short) {
			names = append(names, a.short)
		}
	}
	acceptedList = strings.Join(names, ", ")
}

// Allowed lists the allowed content types (for documentation and error
// messages).
func Allowed() []string {
	out := make([]string, len(acceptedTypes))
	for i, a := range acceptedTypes {
		out[i] = a.mime
	}
	return out
}

// aliases maps other names of an accepted type, both those mimetype reports
// and those clients declare, to the canonical name.
var aliases = map[string]string{
	"application/x-pdf":      typePDF,
	"application/acrobat":    typePDF,
	"image/x-png":            "image/png",
	"image/apng":             "image/png", // an animated PNG is a PNG
	"image/vnd.mozilla.apng": "image/png",
	"image/jpg":              "image/jpeg",
	"image/pjpeg":            "image/jpeg",
	"audio/mp3":              "audio/mpeg",
	"audio/x-mp3":            "audio/mpeg",
	"audio/x-mpeg":           "audio/mpeg",
	"audio/mpeg3":            "audio/mpeg",
	"audio/x-mpeg-3":         "audio/mpeg",
	"audio/mpg":              "audio/mpeg",
	"audio/x-wav":            "audio/wav",
	"audio/wave":             "audio/wav",
	"audio/vnd.wave":         "audio/wav",
	"audio/x-pn-wav":         "audio/wav",
	"audio/x-ogg":            "audio/ogg",
	"audio/vorbis":           "audio/ogg",
	"audio/opus":             "audio/ogg", // .opus voice notes are Ogg Opus
	"audio/x-m4a":            typeM4A,
	"audio/m4a":              typeM4A,
	"audio/x-mp4a":           typeM4A,
	"video/x-m4v":            typeMP4,
}

// alsoClaims lists declared types that describe content of an accepted type
// without being a name of it: a HEIC image is a HEIF image.
var alsoClaims = map[string][]string{
	typeHEIC: {"image/heif"},
}

// extensions maps a lower-case extension to the canonical types it may name.
var extensions = map[string][]string{
	".pdf":  {typePDF},
	".docx": {typeDOCX},
	".png":  {"image/png"},
	".jpg":  {"image/jpeg"},
	".jpeg": {"image/jpeg"},
	".jpe":  {"image/jpeg"},
	".jfif": {"image/jpeg"},
	".gif":  {"image/gif"},
	".webp": {"image/webp"},
	".heic": {typeHEIC},
	".heif": {typeHEIC},
	".mp3":  {"audio/mpeg"},
	".wav":  {"audio/wav"},
	".ogg":  {"audio/ogg"},
	".oga":  {"audio/ogg"},
	".opus": {"audio/ogg"},
	".m4a":  {typeM4A},
	".mp4":  {typeMP4, typeM4A},
	".m4v":  {typeMP4},
	".mov":  {"video/quicktime"},
	".webm": {typeWebM, typeWebA},
	".weba": {typeWebA},
}

// labels names types that are not accepted, for the rejection message.
var labels = map[string]string{
	"application/zip":               "a ZIP archive",
	"application/x-7z-compressed":   "a 7-Zip archive",
	"application/vnd.rar":           "a RAR archive",
	"application/gzip":              "a gzip archive",
	"application/x-tar":             "a tar archive",
	"application/msword":            "a Word 97-2003 document (DOC)",
	"application/vnd.ms-excel":      "an Excel 97-2003 spreadsheet (XLS)",
	"application/vnd.ms-powerpoint": "a PowerPoint 97-2003 presentation (PPT)",
	"application/x-ole-storage":     "an old-format Office file",
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":         "an Excel spreadsheet (XLSX)",
	"application/vnd.openxmlformats-officedocument.presentationml.presentation": "a PowerPoint presentation (PPTX)",
	"application/vnd.oasis.opendocument.text":                                   "an OpenDocument text (ODT)",
	"application/vnd.oasis.opendocument.spreadsheet":                            "an OpenDocument spreadsheet (ODS)",
	"application/vnd.oasis.opendocument.presentation":                           "an OpenDocument presentation (ODP)",
	"application/epub+zip":                                                      "an EPUB e-book",
	"application/java-archive":                                                  "a Java archive",
	"application/vnd.android.package-archive":                                   "an Android app",
	"application/vnd.microsoft.portable-executable":                             "a Windows program",
	"application/x-ms-installer":                                                "a Windows installer",
	"application/x-elf":                                                         "a program",
	"application/x-mach-binary":                                                 "a program",
	"application/x-ms-shortcut":                                                 "a Windows shortcut",
	"application/postscript":                                                    "a PostScript file",
	"text/rtf":                                                                  "an RTF document",
	"text/plain":                                                                "a text file",
	"text/html":                                                                 "an HTML page",
	"application/xhtml+xml":                                                     "an HTML page",
	"text/xml":                                                                  "an XML file",
	"application/json":                                                          "a JSON file",
	"text/javascript":                                                           "a script",
	"text/x-shellscript":                                                        "a script",
	"text/x-php":                                                                "a script",
	"text/x-python":                                                             "a script",
	"image/svg+xml":                                                             "an SVG image",
	"image/bmp":                                                                 "a BMP image",
	"image/tiff":                                                                "a TIFF image",
	"image/heif":                                                                "a HEIF image",
	"image/heic-sequence":                                                       "a HEIC image sequence",
	"image/heif-sequence":                                                       "a HEIF image sequence",
	"image/avif":                                                                "an AVIF image",
	"image/jxl":                                                                 "a JPEG XL image",
	"image/x-icon":                                                              "an icon",
	"image/vnd.adobe.photoshop":                                                 "a Photoshop image (PSD)",
	"audio/flac":                                                                "a FLAC audio file",
	"audio/aac":                                                                 "an AAC audio file",
	"audio/amr":                                                                 "an AMR audio file",
	"audio/aiff":                                                                "an AIFF audio file",
	"audio/midi":                                                                "a MIDI file",
	"application/ogg":                                                           "an Ogg file",
	"video/ogg":                                                                 "an Ogg video",
	"video/3gpp":                                                                "a 3GP video",
	"video/3gpp2":                                                               "a 3G2 video",
	"video/x-msvideo":                                                           "an AVI video",
	"video/matroska":                                                            "a Matroska video (MKV)",
	"video/mpeg":                                                                "an MPEG video",
	"video/x-ms-asf":                                                            "a Windows Media file",
	"video/x-flv":                                                               "a Flash video",
}

// Inspect checks an upload: its size (1..max bytes; max<=0 means
// DefaultMaxBytes), what its bytes are (detected from the content with
// mimetype, never from the name), that this is an allowed type, and that it
// agrees with what the client claimed: the file name's extension and the
// declared Content-Type, when they are given (an empty or
// "application/octet-stream" declared type claims nothing; a name with no
// extension claims nothing). PDFs must open with pdfcpu (not corrupt, not
// encrypted or password protected) and their page count is returned; Word
// documents must open as ZIP archives; PNG, JPEG, GIF and WebP images must
// decode, within maxPixels and the memory budget (worked out from the
// header before decoding), and their dimensions are returned (see
// openImage). HEIC images are not decoded: neither the standard library nor
// golang.org/x/image reads them.
//
// Every rejection is an INVALID *cynllun.Error with one field error on
// "file".
//
// Images are held to DefaultMaxImageDecodeBytes; InspectWith sets another
// budget.
func Inspect(data []byte, name, declaredType string, max int64) (Result, error) {
	return InspectWith(data, name, declaredType, Limits{MaxBytes: max})
}

// Limits are the limits of one inspection.
type Limits struct {
	// MaxBytes is the size limit of the file; <= 0 means DefaultMaxBytes.
	MaxBytes int64
	// MaxImageDecodeBytes is the most memory decoding an image may take,
	// as worked out from its header before anything is decoded (see
	// decodeCost); <= 0 means DefaultMaxImageDecodeBytes.
	MaxImageDecodeBytes int64
}

// InspectWith is Inspect with the given limits.
func InspectWith(data []byte, name, declaredType string, lim Limits) (Result, error) {
	max := lim.MaxBytes
	if max <= 0 {
		max = DefaultMaxBytes
	}
	budget := lim.MaxImageDecodeBytes
	if budget <= 0 {
		budget = DefaultMaxImageDecodeBytes
	}
	size := int64(len(data))
	switch {
	case size == 0:
		return Result{}, reject("is empty")
	case size > max:
		return Result{}, reject("is larger than the limit of " + formatBytes(max))
	}

	// What the bytes are.
	m := mimetype.Detect(data)
	cand, containers := candidates(m, data)
	if len(cand) == 0 {
		return Result{}, reject(notAccepted(m))
	}
	what := describe(cand)

	// What the client claimed.
	if ext, ok := extension(name); ok {
		claimed, known := extensions[ext]
		if !known {
			return Result{}, reject(fmt.Sprintf("content is %s but the file name does not end in %s",
				what, acceptedByType[cand[0]].ext))
		}
		narrowed := intersect(cand, claimed)
		if len(narrowed) == 0 {
			return Result{}, reject(fmt.Sprintf("content is %s but the file name says %s", what, ext))
		}
		cand = narrowed
	}
	if declared, ok, valid := declaredMediaType(declaredType); ok {
		if !valid {
			return Result{}, reject(fmt.Sprintf("content is %s but it was declared with an invalid content type", what))
		}
		canon := canonical(declared)
		switch {
		case slices.Contains(cand, canon):
			cand = []string{canon}
		case slices.ContainsFunc(cand, func(c string) bool { return slices.Contains(alsoClaims[c], canon) }):
		case slices.ContainsFunc(containers, func(c *mimetype.MIME) bool { return c.Is(declared) }):
			// A claim of the container the content is in ("application/zip"
			// for a DOCX, "video/mp4" for an M4A) is true, if vague.
		default:
			return Result{}, reject(fmt.Sprintf("content is %s but it was declared as %s", what, declared))
		}
	}

	a := acceptedByType[cand[0]]
	res := Result{ContentType: a.mime, Kind: a.kind, Ext: a.ext, Size: size}

	// That it opens.
	switch a.mime {
	case typePDF:
		pages, msg := openPDF(data)
		if msg != "" {
			return Result{}, reject(msg)
		}
		res.Pages = pages
	case typeDOCX:
		if !isDOCX(data) {
			return Result{}, reject("is not a readable Word document")
		}
	default:
		if f, ok := imageFormats[a.mime]; ok {
			w, h, msg := openImage(data, a, f, budget)
			if msg != "" {
				return Result{}, reject(msg)
			}
			res.Width, res.Height = w, h
		}
	}
	return res, nil
}

func reject(msg string) error {
	return cynllun.Invalid(op, cynllun.FieldError{Field: "file", Message: msg})
}

// candidates returns the accepted types the detected content may be, most
// likely first, and the containers (non-root ancestors in mimetype's tree)
// the content is in. Most content is exactly one type; a generic ISO-BMFF
// file may be MP4 video or M4A audio and a WebM file video or audio, and a
// claim decides.
func candidates(m *mimetype.MIME, data []byte) (cand []string, containers []*mimetype.MIME) {
	for p := m.Parent(); p != nil && p.Parent() != nil; p = p.Parent() {
		containers = append(containers, p)
	}
	switch t := mediaType(m.String()); {
	case t == typeMP4: // the generic ftyp node; specific brands are its children
		return []string{typeMP4, typeM4A}, containers
	case t == typeWebM:
		return []string{typeWebM, typeWebA}, containers
	case t == "application/zip":
		// mimetype looks for word/ only in the first 4 KiB: DOCX files
		// written by LibreOffice or python-docx are detected as ZIP.
		if isDOCX(data) {
			return []string{typeDOCX}, append([]*mimetype.MIME{m}, containers...)
		}
		return nil, containers
	default:
		if _, ok := acceptedByType[canonical(t)]; ok {
			return []string{canonical(t)}, containers
		}
		return nil, containers
	}
}

// describe names the detected content for a message.
func describe(cand []string) string {
	switch {
	case len(cand) == 1:
		return acceptedByType[cand[0]].label
	case cand[0] == typeMP4:
		return "an MPEG-4 file"
	case cand[0] == typeWebM:
		return "a WebM file"
	}
	return acceptedByType[cand[0]].label
}

func notAccepted(m *mimetype.MIME) string {
	suffix := ", which is not an accepted type; accepted: " + acceptedList
	for p := m; p != nil && p.Parent() != nil; p = p.Parent() {
		if l, ok := labels[mediaType(p.String())]; ok {
			return "is " + l + suffix
		}
	}
	if m.Parent() == nil {
		return "is of a type that could not be recognised; accepted: " + acceptedList
	}
	return "is of type " + mediaType(m.String()) + suffix
}

func intersect(cand, claimed []string) []string {
	var out []string
	for _, c := range cand {
		if slices.Contains(claimed, c) {
			out = append(out, c)
		}
	}
	return out
}

func canonical(t string) string {
	if c, ok := aliases[t]; ok {
		return c
	}
	return t
}

// mediaType strips parameters ("text/plain; charset=utf-8") and lower-cases.
func mediaType(s string) string {
	t, _, _ := strings.Cut(s, ";")
	return strings.ToLower(strings.TrimSpace(t))
}

// extension returns the lower-case extension of the base of name, if it has
// one that looks like a file type: 1 to 10 ASCII letters and digits, not all
// digits. "Report v1.2", "12.03.2024" and "Dr. Jones" claim nothing.
func extension(name string) (string, bool) {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.TrimSpace(name)
	i := strings.LastIndexByte(name, '.')
	if i < 0 {
		return "", false
	}
	ext := strings.ToLower(name[i+1:])
	if len(ext) == 0 || len(ext) > 10 {
		return "", false
	}
	letter := false
	for _, r := range ext {
		switch {
		case r >= 'a' && r <= 'z':
			letter = true
		case r >= '0' && r <= '9':
		default:
			return "", false
		}
	}
	if !letter {
		return "", false
	}
	return "." + ext, true
}

// declaredMediaType parses a declared Content-Type. ok is false when it
// claims nothing; valid is false when it is not a well-formed media type, and
// then it is not echoed.
func declaredMediaType(s string) (t string, ok, valid bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", false, true
	}
	t, _, err := mime.ParseMediaType(s)
	if err != nil && !errors.Is(err, mime.ErrInvalidMediaParameter) {
		return "", true, false
	}
	if t == "application/octet-stream" {
		return "", false, true
	}
	typ, sub, found := strings.Cut(t, "/")
	if !found || !restrictedName(typ) || !restrictedName(sub) {
		return "", true, false
	}
	return t, true, true
}

// restrictedName reports whether s is an RFC 6838 restricted-name.
func restrictedName(s string) bool {
	if s == "" || len(s) > 127 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case i > 0 && strings.IndexByte("!#$&-^_.+", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// approxBytes says n in MiB, rounded up, or GiB to one place.
func approxBytes(n int64) string {
	if n >= 1<<30 {
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	}
	return fmt.Sprintf("%d MiB", (n+1<<20-1)>>20)
}

func formatBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	case n == 1:
		return "1 byte"
	}
	return fmt.Sprintf("%d bytes", n)
}

const pdfcpuBlock = 512

// openPDF opens a PDF with pdfcpu and returns its page count, or a message
// saying why it cannot be accepted.
func openPDF(data []byte) (pages int, msg string) {
	const unreadable = "is not a readable PDF"
	// mimetype accepts "%PDF-" anywhere in the first 1 KiB, which lets
	// HTML/PDF polyglots through; a PDF we store starts with its header.
	if !bytes.HasPrefix(data, []byte("%PDF-")) {
		return 0, unreadable
	}
	defer func() {
		// pdfcpu is not hardened against hostile input.
		if recover() != nil {
			pages, msg = 0, unreadable
		}
	}()
	if r := len(data) % pdfcpuBlock; r != 0 {
		// pdfcpu 0.6 looks for startxref in whole 512-byte blocks back from
		// the end and gives up when the next block would start before the
		// file does: it cannot read a PDF under 512 bytes, or one whose
		// trailing whitespace pushes startxref into the first len%512
		// bytes. Padding our copy to a whole number of blocks with
		// whitespace, which may follow %%EOF, makes every offset reachable.
		padded := make([]byte, len(data)+pdfcpuBlock-r)
		copy(padded, data)
		for i := len(data); i < len(padded); i++ {
			padded[i] = '\n'
		}
		data = padded
	}
	ctx, err := api.ReadContext(bytes.NewReader(data), model.NewDefaultConfiguration())
	if err != nil {
		switch {
		case errors.Is(err, pdfcpu.ErrWrongPassword):
			return 0, "is a PDF protected by a password; upload it without the password"
		case errors.Is(err, pdfcpu.ErrUnknownEncryption):
			return 0, "is an encrypted PDF; upload it without the encryption"
		}
		return 0, unreadable
	}
	if ctx.Encrypt != nil || ctx.E != nil {
		// Opens without a password but is encrypted (an owner password
		// restricting printing or copying).
		return 0, "is an encrypted PDF; upload it without the encryption"
	}
	if err := api.ValidateContext(ctx); err != nil {
		return 0, unreadable
	}
	if ctx.PageCount < 1 {
		return 0, "is a PDF with no pages"
	}
	return ctx.PageCount, ""
}

// isDOCX reports whether data opens as a ZIP archive holding an Office Open
// XML package with a word/ part.
func isDOCX(data []byte) bool {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return false
	}
	var types, word bool
	for _, f := range zr.File {
		switch {
		case f.Name == "[Content_Types].xml":
			types = true
		case strings.HasPrefix(f.Name, "word/"):
			word = true
		}
	}
	return types && word
}

// maxPixels is the most pixels (width × height) an accepted image may have:
// a page scanned at 600 dpi has about 35 million, a 50-megapixel phone photo
// 50 million. A header claiming more is refused before anything is decoded.
const maxPixels = 60_000_000

// imageFormat is how one accepted image type is decoded.
type imageFormat struct {
	config func(io.Reader) (image.Config, error)
	decode func(io.Reader) (image.Image, error)
	// whole, when set, checks what decode does not read: decoders stop at
	// the end of the first image.
	whole func([]byte) bool
}

// imageFormats are the image types that are decoded. The decoder is the one
// for the type mimetype detected, never chosen again from the bytes (as
// image.DecodeConfig would, from the formats registered by any package).
var imageFormats = map[string]imageFormat{
	"image/png":  {config: png.DecodeConfig, decode: png.Decode},
	"image/jpeg": {config: jpeg.DecodeConfig, decode: jpeg.Decode},
	"image/gif":  {config: gif.DecodeConfig, decode: gif.Decode, whole: wholeGIF},
	"image/webp": {config: webp.DecodeConfig, decode: webp.Decode, whole: wholeWebP},
}

// openImage decodes an image and returns its dimensions, or a message saying
// why it cannot be accepted.
//
// The header is read first (DecodeConfig) and an image with no pixels, more
// than maxPixels, or whose decoding would take more memory than budget
// (decodeCost, from the header: pixels, bit depth, colour model,
// progressive or not) is refused without decoding. Then the image is decoded
// in full, which proves it is not truncated or corrupt: image/png checks
// every chunk's CRC to IEND and the zlib checksum, image/jpeg decodes every
// scan to EOI, x/image/webp decodes the VP8 or VP8L bitstream (and wholeWebP
// checks the RIFF container is all there). A GIF's first frame is decoded,
// which is what image/gif's Decode reads; wholeGIF checks the blocks of any
// later frames are all there and lie within the screen, without
// decompressing them: gif.DecodeAll would keep every frame in memory, and a
// 20 MiB file can hold thousands.
//
// Memory: a decode holds the whole image, in as many bytes a pixel as the
// decoder's colour model takes: 1.5 for a baseline JPEG at 4:2:0 (18 MB
// for a 12 MP photo), 1 to 4 for an 8-bit PNG, a GIF frame or WebP, 8 for
// a 16-bit RGBA PNG; a progressive JPEG also holds its DCT coefficients, 4
// bytes a sample (7.5 a pixel at 4:2:0), at worst 24 for a progressive
// CMYK JPEG. Such images can be small files (a flat 60 MP PNG or JPEG is
// under 1 MiB): pixels alone do not bound memory (60 million pixels of
// progressive CMYK are 1.4 GB), so budget does. A server should still bound
// how many uploads it inspects at once: its memory for this is that many
// budgets.
func openImage(data []byte, a *accepted, f imageFormat, budget int64) (width, height int, msg string) {
	noun := a.label[strings.IndexByte(a.label, ' ')+1:] // "PNG image"
	unreadable := "is not a readable " + noun
	defer func() {
		// The standard library's decoders are fuzzed and should not panic;
		// this is for x/image/webp, and in case.
		if recover() != nil {
			width, height, msg = 0, 0, unreadable
		}
	}()
	cfg, err := f.config(bytes.NewReader(data))
	if err != nil {
		return 0, 0, imageError(err, a, unreadable)
	}
	w, h := cfg.Width, cfg.Height
	switch {
	case w <= 0 || h <= 0:
		return 0, 0, fmt.Sprintf("is an empty %s: %d × %d pixels", noun, w, h)
	case int64(w)*int64(h) > maxPixels:
		return 0, 0, fmt.Sprintf("is %s too large to accept: %d × %d pixels (at most %d million pixels)",
			a.label, w, h, maxPixels/1_000_000)
	}
	if cost, ok := decodeCost(a.mime, data, cfg); !ok {
		return 0, 0, unreadable
	} else if cost > budget {
		return 0, 0, fmt.Sprintf("is %s too large to open: %d × %d pixels would take %s of memory to decode "+
			"(at most %s); save it at a lower resolution, or as an 8-bit or baseline (not progressive) image",
			a.label, w, h, approxBytes(cost), formatBytes(budget))
	}
	if a.mime == "image/webp" && animatedWebP(data) {
		return 0, 0, "is an animated WebP image, which cannot be checked; upload a GIF or a still image"
	}
	if f.whole != nil && !f.whole(data) {
		return 0, 0, unreadable
	}
	if _, err := f.decode(bytes.NewReader(data)); err != nil {
		return 0, 0, imageError(err, a, unreadable)
	}
	return w, h, ""
}

// imageError names a decoding failure: most images that do not decode are
// corrupt or cut short, but image/jpeg also does not read some rare valid
// JPEGs (arithmetic coding, 12-bit samples, CMYK without Adobe metadata).
func imageError(err error, a *accepted, unreadable string) string {
	var unsupported jpeg.UnsupportedError
	if a.mime == "image/jpeg" && errors.As(err, &unsupported) {
		return "is a JPEG image of a kind that cannot be read; save it again as a standard JPEG"
	}
	return unreadable
}

// wholeGIF reports whether a GIF's blocks run complete from its screen
// descriptor to its trailer, each frame within the logical screen, with at
// least one frame. It reads block lengths only and decompresses nothing.
func wholeGIF(data []byte) bool {
	const (
		screenEnd  = 13 // "GIF89a", logical screen descriptor
		colorTable = 0x80
		extension  = 0x21
		frame      = 0x2C
		trailer    = 0x3B
	)
	if len(data) < screenEnd {
		return false
	}
	screenW, screenH := int(binary.LittleEndian.Uint16(data[6:])), int(binary.LittleEndian.Uint16(data[8:]))
	p := screenEnd
	if flags := data[10]; flags&colorTable != 0 {
		p += 3 << (flags&7 + 1)
	}
	frames := 0
	for p < len(data) {
		switch data[p] {
		case extension:
			p += 2 // introducer, label; then data sub-blocks
		case frame:
			if p+10 > len(data) {
				return false
			}
			d := data[p+1 : p+10]
			left, top := int(binary.LittleEndian.Uint16(d[0:])), int(binary.LittleEndian.Uint16(d[2:]))
			w, h := int(binary.LittleEndian.Uint16(d[4:])), int(binary.LittleEndian.Uint16(d[6:]))
			if left+w > screenW || top+h > screenH {
				return false
			}
			p += 10
			if flags := d[8]; flags&colorTable != 0 {
				p += 3 << (flags&7 + 1)
			}
			p++ // LZW minimum code size; then data sub-blocks
			frames++
		case trailer:
			return frames > 0
		default:
			return false
		}
		// Data sub-blocks: a length byte and that many bytes, to a zero
		// length.
		for {
			if p >= len(data) {
				return false
			}
			n := int(data[p])
			p += 1 + n
			if n == 0 {
				break
			}
		}
	}
	return false
}

// wholeWebP reports whether a WebP file is as long as its RIFF header says:
// x/image/webp stops reading at the end of the image chunk.
func wholeWebP(data []byte) bool {
	return len(data) >= 12 && int64(binary.LittleEndian.Uint32(data[4:]))+8 <= int64(len(data))
}

// animatedWebP reports whether a WebP file's VP8X header marks it animated:
// x/image/webp decodes only still images.
func animatedWebP(data []byte) bool {
	const animation = 1 << 1
	return len(data) > 20 && string(data[12:16]) == "VP8X" && data[20]&animation != 0
}
