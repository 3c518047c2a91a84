package upload

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"runtime"
	"strings"
	"testing"

	"github.com/cynllun/cynllun/internal/memstat"
)

// pngOf encodes img as a PNG.
func pngOf(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// streamedPNG is a PNG of the given size, bit depth and colour type whose
// pixels are all zero, written a row at a time (never the whole image in
// memory): a few hundred KB that decode to hundreds of MB.
func streamedPNG(t testing.TB, width, height int, depth, colorType byte) []byte {
	t.Helper()
	channels := map[byte]int{0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[colorType]
	ihdr := binary.BigEndian.AppendUint32(nil, uint32(width))
	ihdr = binary.BigEndian.AppendUint32(ihdr, uint32(height))
	ihdr = append(ihdr, depth, colorType, 0, 0, 0)
	row := make([]byte, 1+(width*channels*int(depth)+7)/8)
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
	b := append([]byte("\x89PNG\r\n\x1a\n"), pngChunk("IHDR", ihdr)...)
	b = append(b, pngChunk("IDAT", z.Bytes())...)
	return append(b, pngChunk("IEND", nil)...)
}

// progressiveCMYKJPEG is a progressive (SOF2) Adobe CMYK JPEG of the given
// size: its header, one DC scan of all four components and a few bytes of
// data. image/jpeg allocates the planes and every component's coefficients
// at the start of the scan, before reading its data: a few hundred bytes
// that take 20 bytes a pixel before the decode fails (24 if it got as far
// as the CMYK image).
func progressiveCMYKJPEG(width, height int) []byte {
	seg := func(marker byte, body ...byte) []byte {
		b := []byte{0xFF, marker}
		b = binary.BigEndian.AppendUint16(b, uint16(2+len(body)))
		return append(b, body...)
	}
	b := []byte{0xFF, 0xD8}
	b = append(b, seg(0xEE, append([]byte("Adobe"), 0, 100, 0, 0, 0, 0, 0)...)...) // transform 0: CMYK
	b = append(b, seg(0xDB, append([]byte{0}, bytes.Repeat([]byte{1}, 64)...)...)...)
	sof := []byte{8}
	sof = binary.BigEndian.AppendUint16(sof, uint16(height))
	sof = binary.BigEndian.AppendUint16(sof, uint16(width))
	sof = append(sof, 4, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0, 4, 0x11, 0)
	b = append(b, seg(0xC2, sof...)...)
	dht := append([]byte{0x00, 1}, make([]byte, 15)...) // DC table 0: one code of length 1
	b = append(b, seg(0xC4, append(dht, 0)...)...)
	b = append(b, seg(0xDA, 4, 1, 0, 2, 0, 3, 0, 4, 0, 0, 0, 0)...)
	b = append(b, make([]byte, 64)...)
	return append(b, 0xFF, 0xD9)
}

// allocated is the bytes f allocates (all goroutines': run alone).
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestDecodeCostCoversDecoder decodes images of every colour model the
// decoders produce and checks that decodeCost, from the header alone, is at
// least what the decode allocated, and not wildly more. Not parallel: it
// reads the process's allocation counter.
func TestDecodeCostCoversDecoder(t *testing.T) {
	const w, h = 1200, 900
	rect := image.Rect(0, 0, w, h)
	pal := image.NewPaletted(rect, color.Palette{color.Black, color.White})
	gifBuf := new(bytes.Buffer)
	if err := gif.Encode(gifBuf, pal, nil); err != nil {
		t.Fatal(err)
	}
	gray := image.NewGray(rect)
	var grayJPEG bytes.Buffer
	if err := jpeg.Encode(&grayJPEG, gray, nil); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		mime string
		data []byte
		// max is how far over the allocation the estimate may be.
		max float64
	}{
		{"PNG 8-bit grey", "image/png", pngOf(t, gray), 1.3},
		{"PNG 16-bit grey", "image/png", pngOf(t, image.NewGray16(rect)), 1.3},
		{"PNG 8-bit RGBA", "image/png", pngOf(t, image.NewNRGBA(rect)), 1.3},
		{"PNG 16-bit RGBA", "image/png", pngOf(t, image.NewNRGBA64(rect)), 1.3},
		{"PNG 16-bit RGB", "image/png", streamedPNG(t, w, h, 16, 2), 1.3},
		{"PNG 8-bit RGB", "image/png", streamedPNG(t, w, h, 8, 2), 1.3},
		{"PNG paletted", "image/png", pngOf(t, pal), 1.3},
		{"JPEG baseline 4:2:0", "image/jpeg", photoJPEGBytes(t, w, h), 1.3},
		{"JPEG baseline grey", "image/jpeg", grayJPEG.Bytes(), 1.3},
		// The decode fails after allocating planes and coefficients; the
		// estimate also counts the CMYK image it did not get to.
		{"JPEG progressive CMYK (fails mid-scan)", "image/jpeg", progressiveCMYKJPEG(w, h), 1.6},
		{"GIF", "image/gif", gifBuf.Bytes(), 1.3},
	}
	for _, tt := range tests {
		f := imageFormats[tt.mime]
		cfg, err := f.config(bytes.NewReader(tt.data))
		if err != nil {
			t.Fatalf("%s: DecodeConfig: %v", tt.name, err)
		}
		cost, ok := decodeCost(tt.mime, tt.data, cfg)
		if !ok {
			t.Fatalf("%s: decodeCost not ok", tt.name)
		}
		runtime.GC()
		var derr error
		got := allocated(func() { _, derr = f.decode(bytes.NewReader(tt.data)) })
		ratio := float64(cost) / float64(got)
		t.Logf("%-40s %5.2f MB allocated, estimate %5.2f MB (×%.2f), %.1f bytes a pixel; decode error: %v",
			tt.name, float64(got)/1e6, float64(cost)/1e6, ratio, float64(cost)/(w*h), derr)
		if uint64(cost) < got*95/100 {
			t.Errorf("%s: estimate %d under the %d bytes the decode allocated", tt.name, cost, got)
		}
		if ratio > tt.max {
			t.Errorf("%s: estimate %d is ×%.2f the %d bytes allocated", tt.name, cost, ratio, got)
		}
	}
}

// TestInspectImageBombs: images whose headers promise more decoding than
// the budget are refused from the header, with a typed INVALID error, and
// inspecting them takes little memory. The files are crafted in memory:
// large dimensions, few bytes.
func TestInspectImageBombs(t *testing.T) {
	// The shapes of issue #14: a progressive CMYK JPEG (582 KB there, 1.22
	// GB decoding) and a 16-bit PNG (459 KB there, 543 MB); here a
	// streamed 16-bit RGBA PNG that is whole and valid, and a header-only
	// 16-bit RGB PNG of the size.
	bombs := []struct {
		name, file, want string
		data             []byte
	}{
		{"progressive CMYK JPEG 8000 × 6000", "scan.jpg",
			"is a JPEG image too large to open: 8000 × 6000 pixels would take 1.1 GiB of memory to decode (at most 96 MiB)",
			progressiveCMYKJPEG(8000, 6000)},
		{"16-bit RGBA PNG 4000 × 4000 (valid, every row)", "drawing.png",
			"is a PNG image too large to open: 4000 × 4000 pixels would take 123 MiB of memory to decode (at most 96 MiB)",
			streamedPNG(t, 4000, 4000, 16, 6)},
		{"16-bit RGB PNG 7000 × 8500 (header)", "drawing.png",
			"is a PNG image too large to open: 7000 × 8500 pixels would take 455 MiB of memory to decode (at most 96 MiB)",
			pngHeader(7000, 8500, 16, 2)},
	}
	for _, b := range bombs {
		runtime.GC()
		stop := memstat.SampleHeap()
		var err error
		alloc := allocated(func() { _, err = Inspect(b.data, b.file, "", 0) })
		peak := stop()
		if err == nil {
			t.Fatalf("%s: accepted", b.name)
		}
		msg := checkInvalid(t, err)
		if !strings.HasPrefix(msg, b.want) {
			t.Errorf("%s: message %q, want it to start %q", b.name, msg, b.want)
		}
		t.Logf("%-48s %7d bytes: refused; %.2f MB allocated, heap peak +%.2f MB", b.name, len(b.data), float64(alloc)/1e6, float64(peak)/1e6)
		// Generous: the file itself and detection are a few MB at most.
		if alloc > 16<<20 {
			t.Errorf("%s: inspecting allocated %d bytes", b.name, alloc)
		}
	}
}

// pngHeader is a PNG signature, an IHDR chunk of the given size, bit depth
// and colour type, and IEND: what the decoder reads before it allocates.
func pngHeader(width, height uint32, depth, colorType byte) []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, width)
	ihdr = binary.BigEndian.AppendUint32(ihdr, height)
	ihdr = append(ihdr, depth, colorType, 0, 0, 0)
	b := append([]byte("\x89PNG\r\n\x1a\n"), pngChunk("IHDR", ihdr)...)
	return append(b, pngChunk("IEND", nil)...)
}

// TestInspectImageBudget: the budget is the caller's; at it an image is
// accepted, a byte under it refused.
func TestInspectImageBudget(t *testing.T) {
	t.Parallel()
	data := photoJPEGBytes(t, 640, 480)
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	cost, _ := decodeCost("image/jpeg", data, cfg)
	if want := int64(640*480 + 2*320*240); cost != want {
		t.Errorf("cost of a 640 × 480 4:2:0 JPEG = %d, want %d", cost, want)
	}
	if c, ok := DecodeCost("image/jpeg", data); !ok || c != cost {
		t.Errorf("DecodeCost = %d, %v; want %d", c, ok, cost)
	}
	if _, ok := DecodeCost("application/pdf", data); ok {
		t.Error("DecodeCost of a PDF is ok")
	}
	if _, ok := DecodeCost("image/png", data); ok {
		t.Error("DecodeCost of a JPEG as a PNG is ok")
	}
	if _, err := InspectWith(data, "a.jpg", "", Limits{MaxImageDecodeBytes: cost}); err != nil {
		t.Errorf("at the budget: %v", err)
	}
	_, err = InspectWith(data, "a.jpg", "", Limits{MaxImageDecodeBytes: cost - 1})
	if err == nil {
		t.Fatal("over the budget: accepted")
	}
	if msg := checkInvalid(t, err); !strings.Contains(msg, "640 × 480 pixels would take 1 MiB of memory to decode") {
		t.Errorf("message %q", msg)
	}
}

// FuzzDecodeCost checks the header reading against the decoders: whenever a
// decoder reads a header, decodeCost reads it too (the JPEG frame with the
// same dimensions), never panics, and costs at least a byte a pixel.
func FuzzDecodeCost(f *testing.F) {
	f.Add(progressiveCMYKJPEG(100, 80))
	f.Add(photoJPEGBytes(f, 64, 48))
	f.Add(streamedPNG(f, 10, 10, 16, 2))
	f.Add(pngHeaderBytes(100000, 100000))
	f.Add(webpBytes())
	f.Add(gifBytesTB(f))
	f.Fuzz(func(t *testing.T, data []byte) {
		for mime, fm := range imageFormats {
			cfg, err := fm.config(bytes.NewReader(data))
			if err != nil {
				continue
			}
			cost, ok := decodeCost(mime, data, cfg)
			if mime == "image/jpeg" {
				fr, frOK := readJPEGFrame(data)
				if !frOK || fr.width != cfg.Width || fr.height != cfg.Height {
					t.Fatalf("image/jpeg reads %d × %d; readJPEGFrame %+v, %v", cfg.Width, cfg.Height, fr, frOK)
				}
			}
			if cfg.Width <= 0 || cfg.Height <= 0 {
				continue // refused before the cost is asked
			}
			if !ok {
				if mime == "image/webp" {
					continue // not a RIFF layout decodeCost knows: refused as unreadable
				}
				t.Fatalf("%s: decodeCost not ok for a header the decoder reads (%d × %d)", mime, cfg.Width, cfg.Height)
			}
			if px := int64(cfg.Width) * int64(cfg.Height); cost < px {
				t.Fatalf("%s: cost %d under %d pixels", mime, cost, px)
			}
		}
	})
}

func gifBytesTB(tb testing.TB) []byte {
	var b bytes.Buffer
	if err := gif.Encode(&b, image.NewPaletted(image.Rect(0, 0, 8, 8), color.Palette{color.Black, color.White}), nil); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}
