package bundle

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // image documents
	_ "image/png"
	"io"
	"math"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
	pdfvalidate "github.com/pdfcpu/pdfcpu/pkg/pdfcpu/validate"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/upload"
)

func init() {
	// pdfcpu otherwise writes ~/.config/pdfcpu on first use and calls
	// os.Exit(1) when it cannot (stack-notes §4). The bundle needs no user
	// fonts or config file.
	model.ConfigPath = "disable"
}

// newConfig is the pdfcpu configuration of one Check or Build: relaxed
// validation (as pdfcpu's own merge uses), no bookmarks taken over from the
// documents, and no merging of equal content streams across pages, which
// would make pages share the stream their page number is stamped into.
func newConfig() *model.Configuration {
	c := model.NewDefaultConfiguration()
	c.Cmd = model.MERGECREATE
	c.ValidationMode = model.ValidationRelaxed
	c.CreateBookmarks = false
	c.OptimizeDuplicateContentStreams = false
	return c
}

var (
	pngMagic  = []byte("\x89PNG\r\n\x1a\n")
	jpegMagic = []byte{0xFF, 0xD8, 0xFF}
)

// open reads one document into a pdfcpu context, or says what is wrong with
// it as a field error (never naming the document).
func open(cfg *model.Configuration, d Document, path string) (*model.Context, *cynllun.FieldError) {
	if len(d.Image) > 0 {
		pdf, msg := imagePDF(cfg, d.Image)
		if msg != "" {
			return nil, &cynllun.FieldError{Field: path + ".image", Message: msg}
		}
		ctx, msg := readPDF(cfg, pdf)
		if msg != "" {
			return nil, &cynllun.FieldError{Field: path + ".image", Message: "is corrupt or cannot be read"}
		}
		return ctx, nil
	}
	ctx, msg := readPDF(cfg, d.PDF)
	if msg != "" {
		return nil, &cynllun.FieldError{Field: path + ".pdf", Message: msg}
	}
	return ctx, nil
}

// readPDF reads and validates a PDF. The message is "" when it is fine.
func readPDF(cfg *model.Configuration, pdf []byte) (ctx *model.Context, msg string) {
	if !bytes.Contains(pdf[:min(len(pdf), 1024)], []byte("%PDF-")) {
		return nil, "is not a PDF"
	}
	// pdfcpu panics on some damaged files rather than failing.
	defer func() {
		if r := recover(); r != nil {
			ctx, msg = nil, "is corrupt or cannot be read"
		}
	}()
	ctx, err := pdfcpu.Read(bytes.NewReader(pdf), cfg)
	if err != nil {
		// An encrypted file with a user password fails to open; one with an
		// empty user password opens, and is refused below.
		if bytes.Contains(pdf, []byte("/Encrypt")) {
			return nil, "is encrypted: remove the password and upload it again"
		}
		return nil, "is corrupt or cannot be read"
	}
	if ctx.Encrypt != nil || ctx.E != nil {
		return nil, "is encrypted: remove the password and upload it again"
	}
	if ctx.Version() == model.V20 {
		return nil, "is a PDF 2.0 file, which is not supported: save it as PDF 1.7"
	}
	if err := pdfvalidate.XRefTable(ctx.XRefTable); err != nil {
		return nil, "is corrupt or cannot be read"
	}
	if err := ctx.EnsurePageCount(); err != nil || ctx.PageCount < 1 {
		return nil, "has no pages"
	}
	return ctx, ""
}

// imagePDF places a PNG or JPEG on an A4 page of its own, centred and
// scaled to fit within the margins, landscape when it is wider than tall.
func imagePDF(cfg *model.Configuration, img []byte) (pdf []byte, msg string) {
	if !bytes.HasPrefix(img, pngMagic) && !bytes.HasPrefix(img, jpegMagic) {
		return nil, "must be a PNG or JPEG image"
	}
	ic, _, err := image.DecodeConfig(bytes.NewReader(img))
	if err != nil || ic.Width < 1 || ic.Height < 1 {
		return nil, "is corrupt or cannot be read"
	}
	if ic.Width*ic.Height > maxImagePixels {
		return nil, fmt.Sprintf("has more than %d million pixels", maxImagePixels/1_000_000)
	}
	if bytes.HasPrefix(img, pngMagic) {
		// pdfcpu decodes a PNG (a JPEG it embeds as it is): refuse one
		// whose decoding would take more than the ceiling, from its header.
		if cost, ok := upload.DecodeCost("image/png", img); !ok || cost > maxImageDecodeBytes {
			return nil, fmt.Sprintf("would take more than %d MiB of memory to decode: save it at a lower resolution or as an 8-bit image", maxImageDecodeBytes>>20)
		}
	}
	defer func() {
		if r := recover(); r != nil {
			pdf, msg = nil, "is corrupt or cannot be read"
		}
	}()
	format := "A4"
	if ic.Width > ic.Height {
		format = "A4L"
	}
	dim, _, err := types.ParsePageFormat(format)
	if err != nil {
		return nil, "is corrupt or cannot be read"
	}
	// Scaled to 88% of the page, so that it clears the page number stamp.
	imp := &pdfcpu.Import{PageDim: dim, PageSize: format, UserDim: true, Pos: types.Center, Scale: 0.88, InpUnit: types.POINTS}
	c := *cfg
	c.Cmd = model.IMPORTIMAGES
	var buf bytes.Buffer
	if err := api.ImportImages(nil, &buf, []io.Reader{bytes.NewReader(img)}, imp, &c); err != nil {
		return nil, "is corrupt or cannot be read"
	}
	return buf.Bytes(), ""
}

// merge appends src's pages to dest's. src is spent.
func merge(dest, src *model.Context) error {
	want := dest.PageCount + src.PageCount
	// pdfcpu v0.6.0's MergeXRefTables drops the error of appending the page
	// tree (it returns nil), so the page count is checked.
	if err := pdfcpu.MergeXRefTables("", src, dest, false, false); err != nil {
		return err
	}
	if dest.PageCount != want {
		return fmt.Errorf("merge: %d pages, want %d", dest.PageCount, want)
	}
	return nil
}

// ownPageParts prepares every page for its page number. pdfcpu v0.6.0
// stamps a page by decoding its first and last content streams, patching
// them and encoding them again, and by adding the stamp to the page's
// resource dictionary. That goes wrong three ways: a content stream shared
// by two pages (common for blank scanned pages, and what "optimising" a PDF
// produces) is stamped once, so the second page shows the first one's
// number; a stream in a filter pdfcpu cannot decode is silently left
// unstamped; and a resource dictionary shared by every page (gofpdf's)
// collects every page's stamp. So each page gets two new, empty content
// streams of its own, one before and one after its own (which pdfcpu then
// patches instead: the documents' own streams are never decoded or
// rewritten), and a resource dictionary of its own (a shallow copy).
func ownPageParts(ctx *model.Context) error {
	for p := 1; p <= ctx.PageCount; p++ {
		d, _, inh, err := ctx.PageDict(p, false)
		if err != nil {
			return err
		}
		var own types.Array
		if o, ok := d.Find("Contents"); ok {
			if own, err = contentParts(ctx, o); err != nil {
				return err
			}
		}
		first, err := emptyStream(ctx)
		if err != nil {
			return err
		}
		last, err := emptyStream(ctx)
		if err != nil {
			return err
		}
		parts := make(types.Array, 0, len(own)+2)
		parts = append(append(append(parts, *first), own...), *last)
		d.Update("Contents", parts)
		if inh.Resources != nil {
			d.Update("Resources", copyResources(ctx, inh.Resources))
		}
	}
	return nil
}

// contentParts returns a page's content streams as a new array.
func contentParts(ctx *model.Context, o types.Object) (types.Array, error) {
	if ir, ok := o.(types.IndirectRef); ok {
		obj, err := ctx.Dereference(ir)
		if err != nil {
			return nil, err
		}
		if _, ok := obj.(types.StreamDict); ok {
			return types.Array{ir}, nil
		}
		o = obj
	}
	switch c := o.(type) {
	case types.Array:
		return append(types.Array(nil), c...), nil
	case nil:
		return nil, nil
	}
	return nil, errors.New("page contents are neither a stream nor an array")
}

func emptyStream(ctx *model.Context) (*types.IndirectRef, error) {
	b := []byte{' '}
	n := int64(len(b))
	return ctx.IndRefForNewObject(types.StreamDict{Dict: types.Dict{"Length": types.Integer(n)}, StreamLength: &n, Content: b, Raw: b})
}

// copyResources copies a resource dictionary and the two of its entries
// that stamping adds to.
func copyResources(ctx *model.Context, res types.Dict) types.Dict {
	out := types.Dict{}
	for k, v := range res {
		if k == "XObject" || k == "ExtGState" {
			if d, err := ctx.DereferenceDict(v); err == nil && d != nil {
				sub := types.Dict{}
				for k2, v2 := range d {
					sub[k2] = v2
				}
				out[k] = sub
				continue
			}
		}
		out[k] = v
	}
	return out
}

// stamp numbers every page "Page X of Y" (9 pt Helvetica, black) centred
// at the foot, its baseline 16 pt (5.6 mm) above the edge of the page as
// the page is shown (pdfcpu turns the stamp with the page's /Rotate). It has
// no background, so that it never hides any of a document's own content.
func stamp(ctx *model.Context, l Lang) error {
	text := l.Pick(stampText)
	wm, err := api.TextWatermark(text,
		"font:Helvetica, points:9, pos:bc, off:0 16, scale:1 abs, rot:0, fillc:#000000, opacity:1",
		true, false, types.POINTS)
	if err != nil {
		return err
	}
	return pdfcpu.AddWatermarks(ctx, nil, wm)
}

// link is a link annotation over an index row, in PDF points.
type link struct {
	page   int // the index page the row is on
	rect   types.Rectangle
	target int // the page it goes to
}

func addLinks(ctx *model.Context, links []link) error {
	m := map[int][]model.AnnotationRenderer{}
	for _, l := range links {
		dest := &model.Destination{Typ: model.DestFit, PageNr: l.target}
		m[l.page] = append(m[l.page], model.NewLinkAnnotation(l.rect, nil, dest, "", "", model.AnnPrint, nil, false))
	}
	if len(m) == 0 {
		return nil
	}
	_, err := pdfcpu.AddAnnotationsMap(ctx, m, false)
	return err
}

// bookmark is an outline item.
type bookmark struct {
	title string
	page  int
	kids  []bookmark
}

// addOutline writes the bookmarks as the document outline, each with an
// explicit destination [page /Fit], and opens the outline pane.
//
// pdfcpu's AddBookmarks is not used: in v0.6.0 it files each bookmark's
// destination in the Dests name tree under the bookmark's title, and a
// title met twice (two letters both called "Letter") can leave both
// bookmarks on the first one's page.
func addOutline(ctx *model.Context, bms []bookmark) error {
	if len(bms) == 0 {
		return nil
	}
	root, err := ctx.Catalog()
	if err != nil {
		return err
	}
	outlines := types.Dict{"Type": types.Name("Outlines")}
	oir, err := ctx.IndRefForNewObject(outlines)
	if err != nil {
		return err
	}
	first, last, count, err := outlineItems(ctx, bms, *oir)
	if err != nil {
		return err
	}
	outlines["First"], outlines["Last"], outlines["Count"] = *first, *last, types.Integer(count)
	root["Outlines"] = *oir
	root["PageMode"] = types.Name("UseOutlines")
	return nil
}

// outlineItems makes the items for bms under parent, all open, and returns
// the first and last and how many items there are in all.
func outlineItems(ctx *model.Context, bms []bookmark, parent types.IndirectRef) (first, last *types.IndirectRef, count int, err error) {
	var prev types.Dict
	for _, bm := range bms {
		_, page, _, err := ctx.PageDict(bm.page, false)
		if err != nil {
			return nil, nil, 0, err
		}
		title, err := types.EscapeUTF16String(bm.title)
		if err != nil {
			return nil, nil, 0, err
		}
		d := types.Dict{
			"Title":  types.StringLiteral(*title),
			"Parent": parent,
			"Dest":   types.Array{*page, types.Name("Fit")},
		}
		ir, err := ctx.IndRefForNewObject(d)
		if err != nil {
			return nil, nil, 0, err
		}
		count++
		if len(bm.kids) > 0 {
			f, l, n, err := outlineItems(ctx, bm.kids, *ir)
			if err != nil {
				return nil, nil, 0, err
			}
			d["First"], d["Last"], d["Count"] = *f, *l, types.Integer(n)
			count += n
		}
		if first == nil {
			first = ir
		}
		if prev != nil {
			prev["Next"] = *ir
			d["Prev"] = *last
		}
		prev, last = d, ir
	}
	return first, last, count, nil
}

// A4 in points, portrait.
const (
	a4Width  = 595.27559
	a4Height = 841.88976
	// a4Slack is how far a page may be from A4 and count as A4: scanners
	// and word processors round A4 to 595 × 842.
	a4Slack = 2.0
)

// fitA4 makes every page of a document A4: a page of another size (US
// Letter, Legal, A3, A5, …) is scaled to fit and centred on an A4 page,
// portrait or landscape as the page itself is. The page's own content
// streams are not decoded or rewritten: it gets a stream of its own before
// them that sets the scale ("q … cm") and one after them that restores it
// ("Q"); its boxes become the A4 page and its annotations' rectangles
// follow the content. /Rotate is kept, so a page shown turned is still
// shown turned. It returns how many pages it scaled. The document's bytes
// as given (and their SHA-256) are untouched: only the bundle's copy
// changes.
func fitA4(ctx *model.Context) (int, error) {
	scaled := 0
	for p := 1; p <= ctx.PageCount; p++ {
		d, _, inh, err := ctx.PageDict(p, false)
		if err != nil {
			return scaled, err
		}
		if d == nil || inh == nil {
			continue
		}
		box := inh.MediaBox
		if inh.CropBox != nil {
			box = inh.CropBox
		}
		if box == nil {
			continue
		}
		w, h := box.Width(), box.Height()
		if w <= 0 || h <= 0 {
			continue
		}
		pw, ph := a4Width, a4Height
		if w > h {
			pw, ph = ph, pw
		}
		if math.Abs(w-pw) <= a4Slack && math.Abs(h-ph) <= a4Slack {
			continue
		}
		s := math.Min(pw/w, ph/h)
		dx := (pw-s*w)/2 - s*box.LL.X
		dy := (ph-s*h)/2 - s*box.LL.Y
		var own types.Array
		if o, ok := d.Find("Contents"); ok {
			if own, err = contentParts(ctx, o); err != nil {
				return scaled, err
			}
		}
		pre, err := newStream(ctx, fmt.Appendf(nil, "q %.6f 0 0 %.6f %.4f %.4f cm\n", s, s, dx, dy))
		if err != nil {
			return scaled, err
		}
		post, err := newStream(ctx, []byte("\nQ"))
		if err != nil {
			return scaled, err
		}
		parts := make(types.Array, 0, len(own)+2)
		parts = append(append(append(parts, *pre), own...), *post)
		d.Update("Contents", parts)
		page := types.Rectangle{LL: types.Point{}, UR: types.Point{X: pw, Y: ph}}
		d.Update("MediaBox", page.Array())
		d.Update("CropBox", page.Array())
		for _, k := range []string{"BleedBox", "TrimBox", "ArtBox"} {
			d.Delete(k)
		}
		if err := moveAnnots(ctx, d, s, dx, dy); err != nil {
			return scaled, err
		}
		scaled++
	}
	return scaled, nil
}

// moveAnnots maps the rectangles of a page's annotations as fitA4 maps its
// content, so that links stay over what they link.
func moveAnnots(ctx *model.Context, d types.Dict, s, dx, dy float64) error {
	annots, err := ctx.DereferenceArray(d["Annots"])
	if err != nil || len(annots) == 0 {
		return nil // a damaged annotation list is left as it is
	}
	for _, o := range annots {
		a, err := ctx.DereferenceDict(o)
		if err != nil || a == nil {
			continue
		}
		r, err := ctx.DereferenceArray(a["Rect"])
		if err != nil || len(r) != 4 {
			continue
		}
		out := make(types.Array, 4)
		ok := true
		for i, v := range r {
			n, isNum := number(v)
			if !isNum {
				ok = false
				break
			}
			off := dx
			if i%2 == 1 {
				off = dy
			}
			out[i] = types.Float(n*s + off)
		}
		if ok {
			a["Rect"] = out
		}
	}
	return nil
}

func number(o types.Object) (float64, bool) {
	switch v := o.(type) {
	case types.Integer:
		return float64(v), true
	case types.Float:
		return float64(v), true
	}
	return 0, false
}

func newStream(ctx *model.Context, b []byte) (*types.IndirectRef, error) {
	n := int64(len(b))
	return ctx.IndRefForNewObject(types.StreamDict{Dict: types.Dict{"Length": types.Integer(n)}, StreamLength: &n, Content: b, Raw: b})
}
