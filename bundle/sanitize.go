package bundle

import (
	"slices"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// Active content is removed from every document as it is read for a
// bundle, before its objects are merged (disarm). A tribunal bundle is read
// by the tribunal, the parties and their representatives: nothing in it may
// run, fetch, submit or launch anything, or carry files the index does not
// list. What a page shows is kept: content streams, images, fonts, the
// appearance of form fields and annotations.
//
// Removed:
//
//   - every action except GoTo (a jump to a page of the same document):
//     JavaScript, Launch, SubmitForm, ResetForm, ImportData, GoToR, GoToE,
//     GoToDp, URI, Named, Hide, Sound, Movie, Rendition, Thread, Trans,
//     SetOCGState, GoTo3DView, RichMediaExecute and any unknown type, in
//     every place an action goes (/A of an annotation, field or outline
//     item, the catalogue's /OpenAction) — and the chain (/Next) of any
//     GoTo kept;
//   - every additional-actions dictionary (/AA: the catalogue's, a page's,
//     a form field's or an annotation's — page open and close, keystroke,
//     format, validate, calculate scripts);
//   - the catalogue's JavaScript and EmbeddedFiles name trees, its base
//     /URI, its portfolio (/Collection), and the XFA form of its AcroForm;
//   - embedded files wherever they hang (a file specification's /EF and
//     /RF, associated files /AF);
//   - annotations that are links out or carry media or files: a link whose
//     action is removed (a URI link becomes no link at all: its text stays,
//     it no longer goes anywhere), and every FileAttachment, Sound, Movie,
//     Screen, RichMedia and 3D annotation; a link's /PA (a URI action).
//
// Kept: links and outline items to pages of the same document (/Dest or a
// GoTo action), named destinations, form fields' values and appearances.
// What is no longer referenced is left out of the bundle when it is
// written (write.go walks from the catalogue).
//
// The stored document is not changed: its bytes, and the digest recorded
// for it and printed in the bundle's manifest, are the party's upload as
// received; the bundle holds the disarmed copy.

// Removed counts what disarm removed, by kind.
type Removed map[string]int

// Kinds of removed content, as counted in Removed.
const (
	RemovedJavaScript   = "JavaScript"
	RemovedLaunch       = "Launch"
	RemovedSubmit       = "SubmitForm"
	RemovedImport       = "ImportData"
	RemovedRemoteGoTo   = "RemoteGoTo" // GoToR, GoToE, GoToDp
	RemovedURI          = "URI"
	RemovedOtherAction  = "OtherAction"
	RemovedAddlActions  = "AdditionalActions"
	RemovedEmbeddedFile = "EmbeddedFile"
	RemovedAnnotation   = "Annotation" // media, file attachment and 3D annotations
	RemovedXFA          = "XFA"
)

// droppedAnnots are annotation subtypes removed whatever they hold.
var droppedAnnots = []string{"FileAttachment", "Sound", "Movie", "Screen", "RichMedia", "3D"}

// actionKind names an action dictionary's type for Removed, or "" when d
// is not an action (it has no /S name).
func actionKind(d types.Dict) string {
	s := d.NameEntry("S")
	if s == nil {
		return ""
	}
	switch *s {
	case "JavaScript", "Rendition": // a rendition action may carry /JS
		return RemovedJavaScript
	case "Launch":
		return RemovedLaunch
	case "SubmitForm":
		return RemovedSubmit
	case "ImportData":
		return RemovedImport
	case "GoToR", "GoToE", "GoToDp":
		return RemovedRemoteGoTo
	case "URI":
		return RemovedURI
	}
	return RemovedOtherAction
}

// disarm removes active content from a document read by pdfcpu (see
// above), in place, and counts what it removed.
func disarm(ctx *model.Context) Removed {
	r := Removed{}
	// The objects, in a fixed order so that what is counted does not
	// depend on map order; annotations are judged before any is changed.
	nums := make([]int, 0, len(ctx.Table))
	for n, e := range ctx.Table {
		if e != nil && !e.Free && e.Object != nil {
			nums = append(nums, n)
		}
	}
	slices.Sort(nums)
	dicts := make(map[int]types.Dict, len(nums))
	for _, n := range nums {
		switch o := ctx.Table[n].Object.(type) {
		case types.Dict:
			dicts[n] = o
		case types.StreamDict:
			dicts[n] = o.Dict
		}
	}
	dropped := map[int]bool{} // annotations removed whole, counted once
	for _, n := range nums {
		if d, ok := dicts[n]; ok {
			filterAnnots(ctx, d, r, dropped)
		}
	}
	for _, n := range nums {
		if d, ok := dicts[n]; ok && !dropped[n] {
			disarmDict(ctx, d, r)
		}
	}
	if root, err := ctx.Catalog(); err == nil && root != nil {
		disarmCatalog(ctx, root, r)
	}
	// The name trees pdfcpu has read are merged into the bundle from its
	// own cache, not from the catalogue (counted there).
	delete(ctx.Names, "JavaScript")
	delete(ctx.Names, "EmbeddedFiles")
	for k, n := range r {
		if n == 0 {
			delete(r, k)
		}
	}
	return r
}

// filterAnnots drops from d's /Annots (a page's) the annotations removed
// whole: media, file and 3D annotations, and links whose action goes.
func filterAnnots(ctx *model.Context, d types.Dict, r Removed, dropped map[int]bool) {
	o, ok := d["Annots"]
	if !ok {
		return
	}
	annots, err := ctx.DereferenceArray(o)
	if err != nil {
		delete(d, "Annots") // not an array: not annotations a viewer shows
		return
	}
	kept := make(types.Array, 0, len(annots))
	for _, a := range annots {
		ad, err := ctx.DereferenceDict(a)
		if err != nil || ad == nil {
			continue
		}
		drop := func(kind string) {
			if ir, ok := a.(types.IndirectRef); ok {
				if dropped[ir.ObjectNumber.Value()] {
					return // on two pages' lists
				}
				dropped[ir.ObjectNumber.Value()] = true
			}
			r[kind]++
		}
		st := ad.NameEntry("Subtype")
		switch {
		case st != nil && slices.Contains(droppedAnnots, *st):
			if *st == "FileAttachment" {
				drop(RemovedEmbeddedFile)
			} else {
				drop(RemovedAnnotation)
			}
			continue
		case st != nil && *st == "Link":
			if act := actionOf(ctx, ad["A"]); act != nil && actionKind(act) != "" && !isGoTo(act) {
				drop(actionKind(act))
				continue
			}
		}
		kept = append(kept, a)
	}
	if len(kept) == 0 {
		delete(d, "Annots")
		return
	}
	d["Annots"] = kept
}

// disarmDict removes the actions, additional actions and embedded files of
// one dictionary.
func disarmDict(ctx *model.Context, d types.Dict, r Removed) {
	if _, ok := d["AA"]; ok {
		delete(d, "AA")
		r[RemovedAddlActions]++
	}
	for _, k := range []string{"A", "OpenAction"} {
		act := actionOf(ctx, d[k])
		if act == nil || actionKind(act) == "" {
			continue // absent, a destination array, or a structure element's attributes
		}
		if isGoTo(act) {
			if _, ok := act["Next"]; ok {
				delete(act, "Next")
				r[RemovedOtherAction]++
			}
			continue
		}
		delete(d, k)
		r[actionKind(act)]++
	}
	if _, ok := d["PA"]; ok {
		delete(d, "PA")
		r[RemovedURI]++
	}
	for _, k := range []string{"EF", "RF", "AF"} {
		if _, ok := d[k]; ok {
			delete(d, k)
			r[RemovedEmbeddedFile]++
		}
	}
}

// disarmCatalog removes what only the catalogue holds.
func disarmCatalog(ctx *model.Context, root types.Dict, r Removed) {
	if o, ok := root["OpenAction"]; ok {
		// disarmDict kept a GoTo; a document's opening view has no place
		// in a bundle either way.
		if _, isDest := o.(types.Array); !isDest {
			delete(root, "OpenAction")
		}
	}
	if names, err := ctx.DereferenceDict(root["Names"]); err == nil && names != nil {
		if _, ok := names["JavaScript"]; ok {
			delete(names, "JavaScript")
			r[RemovedJavaScript]++
		}
		if _, ok := names["EmbeddedFiles"]; ok {
			delete(names, "EmbeddedFiles")
			r[RemovedEmbeddedFile]++
		}
	}
	if form, err := ctx.DereferenceDict(root["AcroForm"]); err == nil && form != nil {
		if _, ok := form["XFA"]; ok {
			delete(form, "XFA")
			r[RemovedXFA]++
		}
	}
	if _, ok := root["URI"]; ok {
		delete(root, "URI")
		r[RemovedURI]++
	}
	if _, ok := root["Collection"]; ok {
		delete(root, "Collection")
		r[RemovedEmbeddedFile]++
	}
}

// actionOf returns the dictionary o is or refers to, or nil.
func actionOf(ctx *model.Context, o types.Object) types.Dict {
	if o == nil {
		return nil
	}
	d, err := ctx.DereferenceDict(o)
	if err != nil {
		return nil
	}
	return d
}

func isGoTo(act types.Dict) bool {
	s := act.NameEntry("S")
	return s != nil && *s == "GoTo"
}
