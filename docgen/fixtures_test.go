package docgen

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"

	"github.com/cynllun/cynllun"
)

// diacritics are the Welsh letters that the PDF core fonts lose or keep.
const diacritics = sampleDiacritics

func samplePlan(rows int) PlanDoc { return SamplePlan(rows) }

// emptyPlan is samplePlan with no content at all.
func emptyPlan(laMaintained bool) PlanDoc {
	doc := samplePlan(0)
	v := *doc.Version
	v.Content = &cynllun.Content{}
	doc.Version = &v
	p := *doc.Plan
	p.LAMaintained = laMaintained
	doc.Plan = &p
	doc.Maintainer = ""
	return doc
}

// longText is about n characters of words, ending with marker.
func longText(n int, marker string) string {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "Sentence %d of a long record, with Welsh words such as Tŷ, ŵyr and Llŷn. ", i)
	}
	return b.String() + marker
}

// drawingPNG is a small PNG "drawing" of w×h pixels: a sun in a sky.
func drawingPNG(w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.RGBA{R: 170, G: 210, B: 250, A: 255}
			if dx, dy := x-w/2, y-h/2; dx*dx+dy*dy < (h/4)*(h/4) {
				c = color.RGBA{R: 250, G: 200, B: 30, A: 255}
			}
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// drawing is an attachment holding drawingPNG.
func drawing(name string, w, h int) Attachment {
	return Attachment{Name: name, Image: &Image{Data: drawingPNG(w, h), ContentType: "image/png", Width: w, Height: h}}
}

// png16 is a 16-bit RGBA PNG of w×h pixels (which gofpdf refuses).
func png16(t testing.TB, w, h int) []byte {
	img := image.NewNRGBA64(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.NRGBA64{R: uint16(x * 1000), G: uint16(y * 1000), B: 40000, A: 65535})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
