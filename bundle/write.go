package bundle

import (
	"bufio"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// write serialises ctx as a PDF, itself rather than with pdfcpu's writer,
// so that the same bundle always gives the same bytes. pdfcpu v0.6.0 cannot:
// merging renumbers each document's objects in Go map order, its writer
// walks dictionaries in map order (so objects come out in a different order
// each time), and it stamps the clock into the info dictionary and file
// identifier.
//
// Objects are renumbered 1, 2, … in the order a breadth-first walk from the
// catalogue meets them (dictionary keys sorted, arrays in order), so the
// numbering depends only on the document's content; objects nothing refers
// to (the documents' old catalogues, cross-reference and object streams)
// are left out, and a reference to a missing object becomes null. Every
// object is written plainly (no object streams), with a classic
// cross-reference table. The info dictionary is new: the title, the
// producer and created as both dates. The file identifier is the MD5 of
// everything before the trailer.
//
// Each object is let go of once written (ctx is spent), so that when w
// does not keep the bytes (a file, an upload) the bundle's memory shrinks
// as it is written rather than being held twice.
func write(ctx *model.Context, out io.Writer, title string, created time.Time) error {
	// Name trees pdfcpu keeps on the side (merged documents' named
	// destinations) go into the object graph first.
	if err := ctx.BindNameTrees(); err != nil {
		return err
	}
	if ctx.Root == nil {
		return fmt.Errorf("write: no catalogue")
	}
	root, err := ctx.DereferenceDict(*ctx.Root)
	if err != nil || root == nil {
		return fmt.Errorf("write: no catalogue: %v", err)
	}
	root.Delete("Version")
	dropNameTrees(ctx, root)

	// Number the objects.
	renum := map[int]int{}
	var order []int // old numbers, in new order
	lookup := func(ir types.IndirectRef) (int, bool) {
		old := ir.ObjectNumber.Value()
		if n, ok := renum[old]; ok {
			return n, n > 0
		}
		e, ok := ctx.FindTableEntryLight(old)
		if !ok || e.Free || e.Object == nil {
			renum[old] = 0 // missing: null
			return 0, false
		}
		order = append(order, old)
		renum[old] = len(order)
		return len(order), true
	}
	lookup(*ctx.Root)
	for i := 0; i < len(order); i++ {
		e, _ := ctx.FindTableEntryLight(order[i])
		refs(e.Object, func(ir types.IndirectRef) { lookup(ir) })
	}

	// The info dictionary is the last object.
	t, err := types.EscapeUTF16String(title)
	if err != nil {
		return err
	}
	date := types.StringLiteral(types.DateString(created.UTC()))
	info := types.Dict{"Producer": types.StringLiteral("Cynllun"), "CreationDate": date, "ModDate": date}
	if title != "" {
		info["Title"] = types.StringLiteral(*t)
	}

	// pdfcpu's side tables would keep written objects alive.
	ctx.Optimize = nil
	h := md5.New()
	bw := bufio.NewWriterSize(out, 256<<10)
	buf := &counter{w: io.MultiWriter(bw, h)}
	offsets := make([]int, 0, len(order)+1)
	buf.WriteString("%PDF-1.7\n%\xE2\xE3\xCF\xD3\n")
	for i, old := range order {
		offsets = append(offsets, buf.n)
		fmt.Fprintf(buf, "%d 0 obj\n", i+1)
		e, _ := ctx.FindTableEntryLight(old)
		switch o := e.Object.(type) {
		case types.StreamDict:
			if o.Raw == nil && o.Content != nil {
				if err := o.Encode(); err != nil {
					return err
				}
			}
			d := patch(o.Dict, renum).(types.Dict)
			d["Length"] = types.Integer(len(o.Raw))
			buf.WriteString(d.PDFString())
			buf.WriteString("\nstream\n")
			buf.Write(o.Raw)
			buf.WriteString("\nendstream")
		default:
			buf.WriteString(pdfString(patch(o, renum)))
		}
		buf.WriteString("\nendobj\n")
		e.Object = nil
		if buf.err != nil {
			return buf.err
		}
	}
	offsets = append(offsets, buf.n)
	infoNr := len(order) + 1
	fmt.Fprintf(buf, "%d 0 obj\n%s\nendobj\n", infoNr, info.PDFString())

	xref := buf.n
	fmt.Fprintf(buf, "xref\n0 %d\n0000000000 65535 f \n", infoNr+1)
	for _, off := range offsets {
		fmt.Fprintf(buf, "%010d 00000 n \n", off)
	}
	id := hex.EncodeToString(h.Sum(nil))
	buf.w = bw // the trailer is not hashed
	fmt.Fprintf(buf, "trailer\n<</Size %d/Root 1 0 R/Info %d 0 R/ID[<%s><%s>]>>\nstartxref\n%d\n%%%%EOF\n",
		infoNr+1, infoNr, id, id, xref)
	if buf.err != nil {
		return buf.err
	}
	return bw.Flush()
}

// counter counts what is written and keeps the first error.
type counter struct {
	w   io.Writer
	n   int
	err error
}

func (c *counter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	c.n += n
	c.err = err
	return n, err
}

func (c *counter) WriteString(s string) { _, _ = io.WriteString(c, s) }

// dropNameTrees removes from the catalogue the documents' scripts and
// attached files, which merging carries over (they are not pages, so not
// part of a bundle, and scripts have no place in one), and name trees left
// empty (pdfcpu leaves an empty EmbeddedFiles tree behind). Named
// destinations, which documents' own internal links use, stay.
func dropNameTrees(ctx *model.Context, root types.Dict) {
	names, err := ctx.DereferenceDict(root["Names"])
	if err != nil || names == nil {
		return
	}
	delete(names, "JavaScript")
	delete(names, "EmbeddedFiles")
	for k, v := range names {
		tree, err := ctx.DereferenceDict(v)
		if err != nil || tree == nil {
			continue
		}
		if _, kids := tree.Find("Kids"); kids {
			continue
		}
		if a, err := ctx.DereferenceArray(tree["Names"]); err == nil && len(a) == 0 {
			delete(names, k)
		}
	}
	if len(names) == 0 {
		delete(root, "Names")
	}
}

// refs calls f for every indirect reference in o, in a fixed order.
func refs(o types.Object, f func(types.IndirectRef)) {
	switch o := o.(type) {
	case types.IndirectRef:
		f(o)
	case types.Dict:
		for _, k := range sortedKeys(o) {
			refs(o[k], f)
		}
	case types.StreamDict:
		refs(o.Dict, f)
	case types.Array:
		for _, e := range o {
			refs(e, f)
		}
	}
}

func sortedKeys(d types.Dict) []string {
	keys := make([]string, 0, len(d))
	for k := range d {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// patch returns a copy of o with its indirect references renumbered; a
// reference to a missing object becomes null. Only the containers are
// copied.
func patch(o types.Object, renum map[int]int) types.Object {
	switch o := o.(type) {
	case types.IndirectRef:
		n := renum[o.ObjectNumber.Value()]
		if n == 0 {
			return nil
		}
		return *types.NewIndirectRef(n, 0)
	case types.Dict:
		d := make(types.Dict, len(o))
		for k, v := range o {
			d[k] = patch(v, renum)
		}
		return d
	case types.Array:
		a := make(types.Array, len(o))
		for i, v := range o {
			a[i] = patch(v, renum)
		}
		return a
	}
	return o
}

func pdfString(o types.Object) string {
	if o == nil {
		return "null"
	}
	return o.PDFString()
}
