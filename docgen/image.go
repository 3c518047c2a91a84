package docgen

import (
	"bytes"
	"crypto/sha256"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"strings"

	mimage "github.com/johnfercher/maroto/v2/pkg/components/image"
	"github.com/johnfercher/maroto/v2/pkg/components/row"
	"github.com/johnfercher/maroto/v2/pkg/consts/align"
	"github.com/johnfercher/maroto/v2/pkg/consts/extension"
	"github.com/johnfercher/maroto/v2/pkg/consts/fontstyle"
	"github.com/johnfercher/maroto/v2/pkg/props"

	"github.com/cynllun/cynllun/form"
)

// Attachment is a file a document refers to (a drawing attached to the
// one-page profile, the child's views at a review), as the service found
// it: its name as uploaded and, when it is an image a document can show,
// the image. A file that is not an image, or is too large to place, has no
// Image and is named with a line saying it is available separately.
type Attachment struct {
	Name  string
	Image *Image
}

// How large a placed image may be: the width of the text, and at most
// imageMaxHeight tall so that it leaves room for its caption on the page;
// a small image is not blown up beyond imageDPI.
const (
	imageMaxHeight = 120.0 // mm
	imageDPI       = 150.0
	mmPerInch      = 25.4
)

// imageExtension is maroto's type of an image's content type; ok is false
// for a type the PDF writer cannot embed (only PNG and JPEG).
func imageExtension(contentType string) (extension.Type, bool) {
	switch contentType {
	case "image/png":
		return extension.Png, true
	case "image/jpeg":
		return extension.Jpeg, true
	}
	return "", false
}

// Placeable reports whether a document can show an image of this content
// type.
func Placeable(contentType string) bool {
	_, ok := imageExtension(contentType)
	return ok
}

// embeddable returns an image's bytes in a form the PDF writer embeds:
// JPEGs of the colour models it takes, as they are; PNGs of 8 bits or
// fewer a sample and not interlaced, as they are, and others decoded and
// written again as 8-bit PNGs (gofpdf refuses them, and a refused image
// fails the whole document). ok is false for an image it cannot read.
// The caller has bounded the image's size and decoding cost.
func embeddable(im *Image) (data []byte, ext extension.Type, ok bool) {
	ext, ok = imageExtension(im.ContentType)
	if !ok || len(im.Data) == 0 {
		return nil, "", false
	}
	switch ext {
	case extension.Jpeg:
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(im.Data))
		if err != nil {
			return nil, "", false
		}
		switch cfg.ColorModel {
		case color.GrayModel, color.YCbCrModel, color.CMYKModel:
			return im.Data, ext, true
		}
		return nil, "", false
	default:
		// The IHDR chunk: bit depth at byte 24, interlace method at 28.
		if len(im.Data) > 28 && string(im.Data[12:16]) == "IHDR" && im.Data[24] <= 8 && im.Data[28] == 0 {
			return im.Data, ext, true
		}
		src, err := png.Decode(bytes.NewReader(im.Data))
		if err != nil {
			return nil, "", false
		}
		dst := image.NewNRGBA(src.Bounds())
		draw.Draw(dst, dst.Bounds(), src, src.Bounds().Min, draw.Src)
		var b bytes.Buffer
		if err := png.Encode(&b, dst); err != nil {
			return nil, "", false
		}
		return b.Bytes(), ext, true
	}
}

// imageBox is the size, in mm, an image is printed at: its pixels at
// imageDPI, scaled down to fit the text width and imageMaxHeight, keeping
// its proportions. An image of unknown size takes the text width and a
// height in proportion to A4's.
func imageBox(im *Image) (width, height float64) {
	if im.Width <= 0 || im.Height <= 0 {
		return contentWidth, imageMaxHeight
	}
	width = float64(im.Width) * mmPerInch / imageDPI
	height = float64(im.Height) * mmPerInch / imageDPI
	if width > contentWidth {
		height, width = height*contentWidth/width, contentWidth
	}
	if height > imageMaxHeight {
		width, height = width*imageMaxHeight/height, imageMaxHeight
	}
	return width, height
}

// image places an image block: the image centred, scaled to fit, on the
// same page as its caption (Text), which follows it in small italics
// (layout keeps the two together). A
// block with no image it can embed prints the caption alone.
func (w *writer) image(b Block) {
	caption := props.Text{Size: smallSize, Style: fontstyle.Italic, Color: grey, Left: 2, Align: align.Center}
	if b.Image != nil {
		if data, ext, ok := embeddable(b.Image); ok {
			_, h := imageBox(b.Image)
			w.m.AddRows(row.New(2), row.New(h).Add(
				mimage.NewFromBytesCol(gridSize, data, ext, props.Rect{Center: true, Percent: 100}),
			))
		}
	}
	if !blank(b.Text) {
		w.flow(b.Text, gridSize, caption, w.italic, nil)
	}
}

// distinctWidths keeps apart the pixel widths of the different images a
// tree places. The PDF library writes images in order of width, and those
// of one width in an order that changes from run to run, so two different
// images of the same width would make the same tree give different bytes.
// The second is given a white column at its right (a pixel, or more until
// its width is free), which nobody sees at the size it is printed.
func distinctWidths(blocks []Block) {
	used := map[int][32]byte{}
	for i := range blocks {
		b := &blocks[i]
		if b.Kind != KindImage || b.Image == nil {
			continue
		}
		data, _, ok := embeddable(b.Image)
		if !ok {
			continue
		}
		cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
		if err != nil {
			continue
		}
		sum := sha256.Sum256(data)
		if s, taken := used[cfg.Width]; !taken || s == sum {
			used[cfg.Width] = sum
			continue
		}
		src, _, err := image.Decode(bytes.NewReader(data))
		if err != nil {
			continue
		}
		w := cfg.Width + 1
		for _, taken := used[w]; taken; _, taken = used[w] {
			w++
		}
		r := src.Bounds()
		dst := image.NewNRGBA(image.Rect(0, 0, w, r.Dy()))
		draw.Draw(dst, dst.Bounds(), image.White, image.Point{}, draw.Src)
		draw.Draw(dst, image.Rect(0, 0, r.Dx(), r.Dy()), src, r.Min, draw.Src)
		var out bytes.Buffer
		if err := png.Encode(&out, dst); err != nil {
			continue
		}
		im := *b.Image
		im.Data, im.ContentType, im.Width = out.Bytes(), "image/png", w
		b.Image = &im
		used[w] = sha256.Sum256(im.Data)
	}
}

// attachmentBlocks places the files ids name: each image as an image with
// its caption (what the attachment is, then its name), anything else as a
// line under label naming it as available separately.
func (b *planBuilder) attachmentBlocks(label string, what form.Text, ids []string) {
	var lines []string
	for _, id := range ids {
		a, known := b.attachments[id]
		name := a.Name
		if blank(name) {
			name = b.t(txtAttachedFile1)
		}
		if known && a.Image != nil && Placeable(a.Image.ContentType) {
			caption := b.t(what) + ": " + name
			im := *a.Image
			if blank(im.Alt) {
				im.Alt = caption
			}
			b.blocks = append(b.blocks, Block{Kind: KindImage, Text: caption, Image: &im})
			continue
		}
		lines = append(lines, name+" "+b.t(txtSeparately))
	}
	if len(lines) > 0 {
		b.add(KindField, label, strings.Join(lines, "\n"))
	}
}
