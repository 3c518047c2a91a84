package bundle

import (
	"bytes"
	"fmt"
	"io"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"

	"github.com/cynllun/cynllun"
)

// Build renders the bundle and returns the PDF and its manifest. See the
// package documentation for the layout. Errors are INVALID for a bad spec
// or document (as Check's), INTERNAL otherwise. Warnings (page limits,
// empty sections) do not stop the build: they are in the manifest.
func Build(s Spec) ([]byte, *Manifest, error) {
	var buf bytes.Buffer
	man, err := build("bundle.Build", s, func(size int) io.Writer {
		// The bundle is about as big as its documents: room for that and
		// the generated pages, so the buffer is not copied as it grows.
		buf.Grow(size + size/16 + 1<<20)
		return &buf
	})
	if err != nil {
		return nil, nil, err
	}
	return buf.Bytes(), man, nil
}

// BuildTo is Build writing the bundle to w, which takes less memory when
// w does not keep it (a file, an upload): the bundle is let go of as it is
// written. Nothing is written unless the spec and its documents are valid;
// an error from w comes back as INTERNAL, after part of the bundle may have
// been written.
func BuildTo(w io.Writer, s Spec) (*Manifest, error) {
	return build("bundle.BuildTo", s, func(int) io.Writer { return w })
}

func build(op string, s Spec, out func(size int) io.Writer) (*Manifest, error) {
	if err := validate(op, s); err != nil {
		return nil, err
	}
	created := s.Created.UTC()
	if s.Created.IsZero() {
		created = time.Unix(0, 0).UTC()
	}
	s.Created = created

	// Read every document; their page counts fix the layout. The parsed
	// documents are kept: merging moves their objects into the bundle, so
	// reading them again later would only cost time.
	cfg := newConfig()
	docs := make([][]*model.Context, len(s.Sections))
	counts := make([][]int, len(s.Sections))
	sums := make([][]string, len(s.Sections))
	removed := make([][]Removed, len(s.Sections))
	scaled := make([][]int, len(s.Sections))
	var bad []cynllun.FieldError
	size := 0
	for i, sec := range s.Sections {
		docs[i] = make([]*model.Context, len(sec.Documents))
		counts[i] = make([]int, len(sec.Documents))
		sums[i] = make([]string, len(sec.Documents))
		removed[i] = make([]Removed, len(sec.Documents))
		scaled[i] = make([]int, len(sec.Documents))
		for j, d := range sec.Documents {
			ctx, fe := open(cfg, d, docPath(i, j))
			if fe != nil {
				bad = append(bad, *fe)
				continue
			}
			docs[i][j], counts[i][j] = ctx, ctx.PageCount
			if len(d.PDF) > 0 {
				// Scripts, launch, submit and import actions, links out
				// and embedded files stay out of the bundle (sanitize.go).
				removed[i][j] = disarm(ctx)
				// A page of another size is scaled onto A4, so that
				// every page of the bundle is A4.
				n, err := fitA4(ctx)
				if err != nil {
					bad = append(bad, cynllun.FieldError{Field: docPath(i, j) + ".pdf", Message: "is corrupt or cannot be read"})
					continue
				}
				scaled[i][j] = n
				sums[i][j] = sha(d.PDF)
				size += len(d.PDF)
			} else {
				sums[i][j] = sha(d.Image)
				size += len(d.Image)
			}
		}
	}
	if len(bad) > 0 {
		return nil, cynllun.Invalid(op, bad...)
	}

	st := newSetter(s.Lang)
	p, err := makePlan(s, st, counts)
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	if err := assemble(cfg, s, p, docs, out(size)); err != nil {
		return nil, cynllun.Internal(op, err)
	}

	man := &Manifest{
		Pages:      p.total,
		Cover:      PageRange{1, 1},
		Index:      PageRange{2, 1 + len(p.index)},
		Chronology: p.chron,
		Sections:   p.sections,
		Warnings:   warnings(s, counts),
	}
	for i, sec := range s.Sections {
		for j, d := range sec.Documents {
			dp := p.docs[i][j]
			man.Documents = append(man.Documents, Placement{
				DocumentID: d.ID, Section: p.sections[i].Key, Number: dp.number, Title: d.Title,
				FromPage: dp.from, ToPage: dp.to, SHA256: sums[i][j], Removed: removed[i][j], ScaledToA4: scaled[i][j],
			})
		}
	}
	return man, nil
}

// phase, when set (by tests), is called as assembly passes each stage:
// "opened" (every document read), "stamped" (the bundle complete in
// memory) and "written".
var phase func(name string)

func at(name string) {
	if phase != nil {
		phase(name)
	}
}

// assemble renders the generated pages a run at a time, merges runs and
// documents in page order into the first run's context, stamps the page
// numbers, adds the index's links and the outline, and writes the bundle
// to w. The documents' contexts are spent.
func assemble(cfg *model.Configuration, s Spec, p *plan, docs [][]*model.Context, w io.Writer) error {
	at("opened")
	var dest *model.Context
	add := func(ctx *model.Context) error {
		if dest == nil {
			dest = ctx
			dest.EnsureVersionForWriting()
			return nil
		}
		return merge(dest, ctx)
	}
	var run []*gpage
	flush := func() error {
		if len(run) == 0 {
			return nil
		}
		b, err := render(run, oneLine(s.Title), s.Created)
		if err != nil {
			return err
		}
		ctx, msg := readPDF(cfg, b)
		if msg != "" {
			return fmt.Errorf("generated pages: %s", msg)
		}
		if ctx.PageCount != len(run) {
			return fmt.Errorf("generated %d pages, want %d", ctx.PageCount, len(run))
		}
		run = run[:0]
		return add(ctx)
	}
	for _, it := range p.items {
		if it.gen != nil {
			run = append(run, it.gen)
			continue
		}
		if err := flush(); err != nil {
			return err
		}
		if err := add(docs[it.sec][it.doc]); err != nil {
			return err
		}
		docs[it.sec][it.doc] = nil
	}
	if err := flush(); err != nil {
		return err
	}
	if dest.PageCount != p.total {
		return fmt.Errorf("bundle has %d pages, want %d", dest.PageCount, p.total)
	}

	if err := api.OptimizeContext(dest); err != nil {
		return err
	}
	if err := ownPageParts(dest); err != nil {
		return err
	}
	if err := stamp(dest, s.Lang); err != nil {
		return err
	}
	if err := addLinks(dest, indexLinks(p.index, 2)); err != nil {
		return err
	}
	if err := addOutline(dest, bookmarks(s, p)); err != nil {
		return err
	}

	at("stamped")
	if err := write(dest, w, oneLine(s.Title), s.Created); err != nil {
		return err
	}
	at("written")
	return nil
}

// bookmarks is the outline: the index, the chronology, and each section
// with its documents under it, in page order.
func bookmarks(s Spec, p *plan) []bookmark {
	l := s.Lang
	out := []bookmark{{title: l.Pick(txtIndex), page: 2}}
	chron := func() {
		if p.chron.From > 0 {
			out = append(out, bookmark{title: l.Pick(txtChronology), page: p.chron.From})
		}
	}
	after := oneLine(s.ChronologyAfter)
	if after == "" {
		chron()
	}
	for i, sec := range s.Sections {
		sp := p.sections[i]
		bm := bookmark{title: sp.Key + ": " + oneLine(l.Pick(sec.Title)), page: sp.Divider}
		for j, d := range sec.Documents {
			dp := p.docs[i][j]
			bm.kids = append(bm.kids, bookmark{title: dp.number + " " + oneLine(d.Title), page: dp.from})
		}
		out = append(out, bm)
		if sp.Key == after {
			chron()
		}
	}
	return out
}
