// Package pdftest assembles small PDFs from object bodies, for tests and
// for crafted files (cmd/attack): hostile documents are easiest to write
// by hand, object by object.
package pdftest

import (
	"fmt"
	"strings"
)

// Raw assembles a PDF of the given version ("1.4", "1.7") from numbered
// object bodies (object 1 is the catalogue), computing the
// cross-reference table.
func Raw(version string, objs ...string) []byte {
	var b strings.Builder
	b.WriteString("%PDF-" + version + "\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return []byte(b.String())
}
