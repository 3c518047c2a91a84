package upload

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
)

// DefaultMaxImageDecodeBytes is the default memory budget of decoding one
// image: what the decoder allocates for its pixels, as decodeCost works it
// out from the header. 96 MiB takes a 12-megapixel progressive JPEG (90
// MB), a 50-megapixel phone photo (baseline JPEG, 4:2:0: 75 MB), a 600 dpi
// A4 colour scan saved as a JPEG (52 MB) and a 24-megapixel 8-bit RGB PNG
// (96 MB); it refuses a 16-bit RGB PNG over 12 megapixels and a
// progressive CMYK JPEG over 4 (24 bytes a pixel), the shapes of the image
// bombs of issue #14 (a 459 KB PNG that took 543 MB, a 582 KB JPEG that
// took 1.22 GB).
const DefaultMaxImageDecodeBytes = 96 << 20

// decodeCost is the memory, in bytes, that decoding an image of type mime
// takes in the decoder this package uses, worked out from its header (cfg
// is what DecodeConfig read) without decoding. It errs on the side of more:
// it counts what the decoder allocates in proportion to the pixels, and
// not the file's bytes or the decoder's fixed tables. ok is false when the
// header cannot be read (the decode that follows will fail anyway).
//
//   - PNG (image/png): the image in the colour model DecodeConfig reports,
//     1 byte a pixel for greyscale and paletted, 2 for 16-bit grey, 4 for
//     8-bit RGB(A), 8 for 16-bit RGB(A); an interlaced image half as much
//     again (each Adam7 pass is decoded on its own, the largest half the
//     image); and the two rows being unfiltered.
//   - JPEG (image/jpeg), from the frame header (SOFn): each component's
//     plane, rounded up to whole MCUs (1 byte a sample); a progressive JPEG
//     also keeps every component's DCT coefficients between scans (64
//     int32s a block: 4 bytes a sample); a 4-component (CMYK, YCCK) JPEG is
//     converted into a new 4-byte-a-pixel CMYK image, as is an RGB one into
//     RGBA. A progressive CMYK JPEG takes 24 bytes a pixel.
//   - GIF (image/gif): the first frame, at most the logical screen, 1 byte
//     a pixel (later frames are not decoded).
//   - WebP (golang.org/x/image/webp): lossy (VP8) is YCbCr 4:2:0, 1.5
//     bytes a pixel; lossless (VP8L) decodes 4 bytes a pixel and its
//     colour-indexing transform copies them (8); the extended format
//     (VP8X) may add an alpha plane compressed as a lossless image (1.5 +
//     1 + 8).
func decodeCost(mime string, data []byte, cfg image.Config) (cost int64, ok bool) {
	w, h := int64(cfg.Width), int64(cfg.Height)
	px := w * h
	switch mime {
	case "image/png":
		var bpp int64
		switch cfg.ColorModel {
		case color.GrayModel:
			bpp = 1
		case color.Gray16Model:
			bpp = 2
		case color.RGBAModel, color.NRGBAModel:
			bpp = 4
		case color.RGBA64Model, color.NRGBA64Model:
			bpp = 8
		default:
			if _, paletted := cfg.ColorModel.(color.Palette); !paletted {
				return 0, false
			}
			bpp = 1
		}
		cost = px * bpp
		if len(data) > 28 && data[28] == 1 { // IHDR interlace method: Adam7
			cost += cost / 2
		}
		return cost + 2*(w*8+1), true
	case "image/jpeg":
		return jpegCost(data)
	case "image/gif":
		return px, true
	case "image/webp":
		if len(data) < 16 {
			return 0, false
		}
		switch string(data[12:16]) {
		case "VP8 ":
			return px + px/2, true
		case "VP8L":
			return 8 * px, true
		case "VP8X":
			return 10*px + px/2, true
		}
		return 0, false
	}
	return 0, false
}

// DecodeCost is the memory, in bytes, that decoding an image of the given
// type (image/png, image/jpeg, image/gif or image/webp) takes, worked out
// from its header as Inspect does; ok is false when the type is not one of
// those or its header cannot be read.
func DecodeCost(contentType string, data []byte) (cost int64, ok bool) {
	f, known := imageFormats[contentType]
	if !known {
		return 0, false
	}
	defer func() {
		if recover() != nil {
			cost, ok = 0, false
		}
	}()
	cfg, err := f.config(bytes.NewReader(data))
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 {
		return 0, false
	}
	return decodeCost(contentType, data, cfg)
}

// jpegFrame is what a JPEG's frame header says.
type jpegFrame struct {
	width, height int
	progressive   bool
	comps         []jpegComp
	adobeRGB      bool // an APP14 Adobe segment with transform 0 (RGB)
}

type jpegComp struct {
	id   byte
	h, v int // sampling factors, 1..4
}

// readJPEGFrame reads a JPEG's markers from SOI to the first scan (SOS),
// as image/jpeg does: the frame header (SOF0, SOF1 or SOF2, the frames it
// decodes) and an Adobe APP14 segment. It reads segment lengths only, never
// entropy-coded data (which comes after SOS). Like image/jpeg it skips
// stray bytes and fill bytes before a marker.
func readJPEGFrame(data []byte) (f jpegFrame, ok bool) {
	if len(data) < 4 || data[0] != 0xFF || data[1] != 0xD8 {
		return f, false
	}
	p := 2
	for p+2 <= len(data) {
		if data[p] != 0xFF || data[p+1] == 0x00 {
			p++ // stray byte, or an escaped 0xFF
			continue
		}
		marker := data[p+1]
		switch {
		case marker == 0xFF: // fill byte
			p++
			continue
		case marker >= 0xD0 && marker <= 0xD7: // RSTn: no length
			p += 2
			continue
		case marker == 0xD9 || marker == 0xDA: // EOI, SOS: the header is over
			return f, f.comps != nil
		}
		if p+4 > len(data) {
			break
		}
		n := int(binary.BigEndian.Uint16(data[p+2:]))
		if n < 2 || p+2+n > len(data) {
			break
		}
		seg := data[p+4 : p+2+n]
		switch {
		case marker == 0xEE && len(seg) >= 12 && string(seg[:5]) == "Adobe":
			f.adobeRGB = seg[11] == 0
		case marker == 0xC0 || marker == 0xC1 || marker == 0xC2:
			if f.comps != nil {
				return f, false // image/jpeg refuses a second frame header
			}
			if len(seg) < 6 {
				return f, false
			}
			f.height = int(binary.BigEndian.Uint16(seg[1:]))
			f.width = int(binary.BigEndian.Uint16(seg[3:]))
			nc := int(seg[5])
			if nc < 1 || len(seg) < 6+3*nc {
				return f, false
			}
			f.progressive = marker == 0xC2
			f.comps = make([]jpegComp, 0, nc)
			for i := range nc {
				c := seg[6+3*i:]
				hv := jpegComp{id: c[0], h: int(c[1] >> 4), v: int(c[1] & 0x0F)}
				if hv.h < 1 || hv.h > 4 || hv.v < 1 || hv.v > 4 {
					return f, false
				}
				f.comps = append(f.comps, hv)
			}
		case marker >= 0xC3 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC:
			return f, false // lossless, hierarchical, arithmetic: not decoded
		}
		p += 2 + n
	}
	// Cut short before a scan: enough to know the frame.
	return f, f.comps != nil
}

// jpegCost is decodeCost for a JPEG, as image/jpeg decodes it (see
// decodeCost): planes of MCU-rounded blocks, coefficients if progressive,
// and the CMYK or RGBA image a 4-component or RGB JPEG is converted into.
func jpegCost(data []byte) (int64, bool) {
	f, ok := readJPEGFrame(data)
	if !ok || f.width < 1 || f.height < 1 {
		return 0, false
	}
	// image/jpeg lays MCUs out by the first component's sampling factors
	// (and treats a greyscale image as 1×1).
	h0, v0 := int64(f.comps[0].h), int64(f.comps[0].v)
	if len(f.comps) == 1 {
		h0, v0 = 1, 1
	}
	mxx := (int64(f.width) + 8*h0 - 1) / (8 * h0)
	myy := (int64(f.height) + 8*v0 - 1) / (8 * v0)
	// Planes, a byte a sample: luma at the MCU grid's size; the two
	// chroma planes at that divided by the subsampling ratio of the
	// second component; black (the fourth) at its own factors.
	var planes, coeffs int64
	for i, c := range f.comps {
		hi, vi := int64(c.h), int64(c.v)
		if len(f.comps) == 1 {
			hi, vi = 1, 1
		}
		coeffs += mxx * myy * hi * vi * 64 * 4 // progressive: an int32 a coefficient
		switch {
		case i == 1 || i == 2:
			hr := max(h0/int64(f.comps[1].h), 1)
			vr := max(v0/int64(f.comps[1].v), 1)
			planes += mxx * myy * h0 * v0 * 64 / (hr * vr)
		default:
			planes += mxx * myy * hi * vi * 64
		}
	}
	cost := planes
	if f.progressive {
		cost += coeffs
	}
	px := int64(f.width) * int64(f.height)
	isRGB := len(f.comps) == 3 && (f.adobeRGB || f.comps[0].id == 'R' && f.comps[1].id == 'G' && f.comps[2].id == 'B')
	if len(f.comps) == 4 || isRGB {
		cost += 4 * px
	}
	return cost, true
}
