package pdftest

import (
	"bytes"
	"strconv"
	"testing"
)

// TestRawOffsets: every cross-reference entry points at its object.
func TestRawOffsets(t *testing.T) {
	objs := []string{"<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [] /Count 0 >>"}
	pdf := Raw("1.7", objs...)
	if !bytes.HasPrefix(pdf, []byte("%PDF-1.7\n")) || !bytes.HasSuffix(pdf, []byte("%%EOF\n")) {
		t.Fatalf("frame: %q", pdf)
	}
	xref := bytes.Index(pdf, []byte("xref\n"))
	entries := bytes.Split(pdf[xref:], []byte("\n"))[3:5]
	for i, e := range entries {
		off, err := strconv.Atoi(string(e[:10]))
		if err != nil {
			t.Fatal(err)
		}
		if want := strconv.Itoa(i+1) + " 0 obj\n"; !bytes.HasPrefix(pdf[off:], []byte(want)) {
			t.Errorf("entry %d points at %q", i+1, pdf[off:off+12])
		}
	}
}
