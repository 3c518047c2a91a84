package service

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/bundle"
	"github.com/cynllun/cynllun/docgen"
	"github.com/cynllun/cynllun/form"
	"github.com/cynllun/cynllun/policy"
)

// BundleContents is a bundle version as it was asked for: every document
// in its place and order, the chronology, the cover. It is frozen (stored
// as JSON on the bundle) so that rendering it, now or after a crash, gives
// the bundle that was asked for; the worker renders exactly this.
type BundleContents struct {
	Heading         form.Text              `json:"heading"`
	Title           string                 `json:"title"`
	CaseRef         string                 `json:"caseRef"`
	Learner         string                 `json:"learner"`
	Lang            cynllun.RenderLanguage `json:"lang"`
	Sections        []FrozenSection        `json:"sections"`
	Chronology      []FrozenEntry          `json:"chronology"`
	ChronologyAfter string                 `json:"chronologyAfter"`
	// AsOf is when the record was read: the tables from the record show it
	// as it stood then.
	AsOf time.Time `json:"asOf"`
}

// FrozenSection is a section of a frozen bundle.
type FrozenSection struct {
	Key       string      `json:"key"`
	Title     form.Text   `json:"title"`
	PageLimit int         `json:"pageLimit"`
	Documents []FrozenDoc `json:"documents"`
}

// FrozenDoc is one document of a frozen bundle: an upload (FileID), a
// document rendered from the record (a plan version or a meeting record),
// or a table of the record frozen as it stood (Table).
type FrozenDoc struct {
	ID     string       `json:"id"`
	Number string       `json:"number"`
	Kind   string       `json:"kind"`
	Title  string       `json:"title"`
	Author string       `json:"author"`
	Date   cynllun.Date `json:"date"`
	// Uploads: the file, its digest and whether it is an image.
	FileID string `json:"fileId,omitempty"`
	SHA256 string `json:"sha256,omitempty"`
	Image  bool   `json:"image,omitempty"`
	Pages  int    `json:"pages,omitempty"`
	// Rendered from the record.
	PlanID   string           `json:"planId,omitempty"`
	Version  int              `json:"version,omitempty"`
	ReviewID string           `json:"reviewId,omitempty"`
	Revision int              `json:"revision,omitempty"`
	Table    *docgen.TableDoc `json:"table,omitempty"`
}

// FrozenEntry is a chronology row.
type FrozenEntry struct {
	Date   cynllun.Date `json:"date"`
	Event  form.Text    `json:"event"`
	Source string       `json:"source,omitempty"`
}

// BundlePreview is what a bundle would hold, before it is rendered: its
// sections with their documents and page counts, the chronology, and the
// warnings (sections over their page limit, empty sections).
type BundlePreview struct {
	Contents *BundleContents
	// Pages[i][j] is the page count of document j of section i.
	Pages    [][]int
	Warnings []bundle.Warning
}

// SectionPages is the page count of section i's documents.
func (p *BundlePreview) SectionPages(i int) int {
	n := 0
	for _, c := range p.Pages[i] {
		n += c
	}
	return n
}

// PreviewBundle assembles a case's bundle as it would be rendered now and
// counts its pages (rendering the documents from the record in memory), so
// that page-limit warnings come before rendering. Nothing is stored.
func (s *Service) PreviewBundle(ctx context.Context, caseID string) (*BundlePreview, error) {
	const op = "service.PreviewBundle"
	p, c, l, _, err := s.caseAs(ctx, op, caseID, policy.OpPreviewBundle)
	if err != nil {
		return nil, err
	}
	contents, err := s.assemble(ctx, op, p, c, l)
	if err != nil {
		return nil, err
	}
	pages := make([][]int, len(contents.Sections))
	for i, sec := range contents.Sections {
		pages[i] = make([]int, len(sec.Documents))
		for j := range sec.Documents {
			d := &sec.Documents[j]
			if d.FileID != "" {
				pages[i][j] = d.Pages
				continue
			}
			doc, err := RecordDocument(ctx, s.store, d, contents.Lang, s.now())
			if err != nil {
				return nil, err
			}
			if pages[i][j], err = bundle.Inspect(bundle.Document{ID: d.ID, Title: d.Title, PDF: doc}); err != nil {
				return nil, cynllun.Internal(op, err)
			}
		}
	}
	return &BundlePreview{Contents: contents, Pages: pages, Warnings: bundle.Warnings(BundleSpec(contents, nil), pages)}, nil
}

// RenderBundleInput asks for a new version of a case's bundle.
type RenderBundleInput struct {
	CaseID   string
	Priority cynllun.JobPriority
}

// RenderBundle freezes a case's bundle as it stands and starts rendering
// it as a new version. When nothing changed since the latest version (the
// same documents, record and chronology) and that version did not fail,
// it is returned instead: asking twice makes one bundle. Earlier versions
// are kept. Only the respondent's side renders the official bundle.
func (s *Service) RenderBundle(ctx context.Context, in RenderBundleInput) (*cynllun.Bundle, error) {
	const op = "service.RenderBundle"
	_, prio, errs := renderOptions("", in.Priority)
	if len(errs) > 0 {
		return nil, cynllun.Invalid(op, errs...)
	}
	// The official bundle is the respondent's to prepare (policy.CaseTable);
	// the appellant previews it (PreviewBundle).
	p, c, l, _, err := s.caseAs(ctx, op, in.CaseID, policy.OpRenderBundle)
	if err != nil {
		return nil, err
	}
	contents, err := s.assemble(ctx, op, p, c, l)
	if err != nil {
		return nil, err
	}
	if len(contents.Sections) == 0 || !slices.ContainsFunc(contents.Sections, func(s FrozenSection) bool { return len(s.Documents) > 0 }) {
		return nil, cynllun.Invalid(op, cynllun.FieldError{Field: "caseId", Message: "the bundle has no documents: add evidence or documents from the record first"})
	}
	sum := contentsDigest(contents)
	raw, err := json.Marshal(contents)
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	for attempt := 0; attempt < 3; attempt++ {
		existing, err := s.store.BundlesForCase(ctx, c.ID)
		if err != nil {
			return nil, cynllun.AsError(op, err)
		}
		if n := len(existing); n > 0 {
			last := existing[n-1]
			if last.ContentsSHA256 == sum {
				js, err := s.store.JobsByID(ctx, []string{last.JobID})
				if err != nil {
					return nil, cynllun.AsError(op, err)
				}
				if len(js) > 0 && js[0].Status != cynllun.JobFailed {
					return last, nil
				}
			}
		}
		now := s.now().UTC()
		b := &cynllun.Bundle{
			CaseID: c.ID, LearnerID: l.ID, Number: len(existing) + 1, Language: contents.Lang,
			Contents: raw, ContentsSHA256: sum, CreatedAt: now, CreatedBy: p.UserID,
		}
		if len(existing) > 0 {
			b.Number = existing[len(existing)-1].Number + 1
		}
		b.ID = cynllun.BundleID(c.ID, b.Number)
		b.JobID = cynllun.BundleJobID(b.ID, 1)
		job := &cynllun.Job{
			ID: b.JobID, Kind: cynllun.JobRenderBundle, Priority: prio, Status: cynllun.JobPending,
			LearnerID: l.ID, CaseID: c.ID, BundleID: b.ID, Language: contents.Lang,
			CreatedAt: now, CreatedBy: p.UserID, RequestID: cynllun.RequestID(ctx), UpdatedAt: now,
		}
		// The job first: a bundle is never without its job. A job whose
		// bundle insert then loses a race finds no bundle and fails.
		if err := s.store.CreateJob(ctx, job); err != nil && cynllun.ErrorCode(err) != cynllun.CodeConflict {
			return nil, cynllun.AsError(op, err)
		}
		if err := s.store.InsertBundle(ctx, b); err != nil {
			if cynllun.ErrorCode(err) == cynllun.CodeConflict {
				continue // someone made this version a moment ago: look again
			}
			return nil, cynllun.AsError(op, err)
		}
		s.enqueue(ctx, job)
		s.log.InfoContext(ctx, "bundle version started", "bundle", b.ID, "case", c.ID, "number", b.Number, "job", job.ID, "actor", p.UserID)
		return b, nil
	}
	return nil, cynllun.E(cynllun.CodeConflict, op, "the case's bundle is being rendered by someone else; try again")
}

// contentsDigest is the digest of what a bundle holds, not when it was
// asked for.
func contentsDigest(c *BundleContents) string {
	cp := *c
	cp.AsOf = time.Time{}
	cp.Sections = slices.Clone(c.Sections)
	for i := range cp.Sections {
		docs := slices.Clone(cp.Sections[i].Documents)
		for j := range docs {
			if docs[j].Table != nil {
				t := *docs[j].Table
				t.AsOf = time.Time{}
				docs[j].Table = &t
			}
		}
		cp.Sections[i].Documents = docs
	}
	b, _ := json.Marshal(cp)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Bundles lists a case's bundle versions, by number.
func (s *Service) Bundles(ctx context.Context, caseID string) ([]*cynllun.Bundle, error) {
	const op = "service.Bundles"
	if _, _, _, err := s.caseFor(ctx, op, caseID); err != nil {
		return nil, err
	}
	bs, err := s.store.BundlesForCase(ctx, caseID)
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	return bs, nil
}

// Bundle returns one bundle version, NOT_FOUND when the caller may not
// see its case.
func (s *Service) Bundle(ctx context.Context, id string) (*cynllun.Bundle, error) {
	const op = "service.Bundle"
	bs, err := s.store.BundlesByID(ctx, []string{id})
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	if len(bs) == 0 {
		return nil, cynllun.NotFound(op, "bundle")
	}
	if _, _, _, err := s.caseFor(ctx, op, bs[0].CaseID); err != nil {
		return nil, cynllun.NotFound(op, "bundle")
	}
	return bs[0], nil
}

// BundleManifest is the manifest of a rendered bundle (nil before), read
// by someone who may see its case.
func BundleManifest(b *cynllun.Bundle) (*bundle.Manifest, error) {
	if len(b.Manifest) == 0 {
		return nil, nil
	}
	var m bundle.Manifest
	if err := json.Unmarshal(b.Manifest, &m); err != nil {
		return nil, cynllun.Internal("service.BundleManifest", err)
	}
	return &m, nil
}

// FrozenContents reads a bundle's frozen contents.
func FrozenContents(b *cynllun.Bundle) (*BundleContents, error) {
	var c BundleContents
	if err := json.Unmarshal(b.Contents, &c); err != nil {
		return nil, cynllun.Internal("service.FrozenContents", err)
	}
	return &c, nil
}

// BundleSpec is the bundle package's description of frozen contents, with
// the documents' bytes from docs (docs[i][j] for document j of section i;
// nil leaves them out, for warnings only).
func BundleSpec(c *BundleContents, docs [][]bundle.Document) bundle.Spec {
	spec := bundle.Spec{Heading: c.Heading, Title: c.Title, CaseRef: c.CaseRef, Learner: c.Learner,
		Lang: docgen.Lang(c.Lang), ChronologyAfter: c.ChronologyAfter, Created: c.AsOf}
	for i, sec := range c.Sections {
		bs := bundle.Section{Key: sec.Key, Title: sec.Title, PageLimit: sec.PageLimit}
		if docs != nil {
			bs.Documents = docs[i]
		} else {
			bs.Documents = make([]bundle.Document, len(sec.Documents))
		}
		spec.Sections = append(spec.Sections, bs)
	}
	for _, e := range c.Chronology {
		spec.Chronology = append(spec.Chronology, bundle.ChronologyEntry{Date: e.Date, Event: e.Event, Source: e.Source})
	}
	return spec
}

// RecordDocument renders a document from the record (a plan version, a
// meeting record or a frozen table) to PDF for a bundle: without its own
// page number, since the bundle numbers every page.
func RecordDocument(ctx context.Context, store cynllun.Store, d *FrozenDoc, lang cynllun.RenderLanguage, now time.Time) ([]byte, error) {
	const op = "service.RecordDocument"
	var (
		pdf []byte
		err error
	)
	switch {
	case d.Table != nil:
		pdf, err = docgen.RenderTableWith(*d.Table, docgen.Lang(lang), inBundle)
	case d.PlanID != "" && d.Version > 0:
		doc, lerr := LoadPlanDoc(ctx, store, d.PlanID, d.Version, lang)
		if lerr != nil {
			return nil, lerr
		}
		pdf, err = docgen.RenderPlanWith(doc, docgen.Lang(lang), inBundle)
	case d.ReviewID != "":
		doc, lerr := LoadMeetingDoc(ctx, store, d.ReviewID, d.Revision, lang, now)
		if lerr != nil {
			return nil, lerr
		}
		pdf, err = docgen.RenderMeetingWith(doc, docgen.Lang(lang), inBundle)
	default:
		return nil, cynllun.Internal(op, fmt.Errorf("document %s has nothing to render", d.Number))
	}
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	return pdf, nil
}

// inBundle renders a document for a bundle: the bundle's continuous page
// number is the only one on its pages.
var inBundle = docgen.Options{NoPageNumber: true}

// sortDocs orders a section's documents: by date (undated last), then as
// listed, when the section is chronological.
func sortDocs(docs []FrozenDoc, order cynllun.SectionOrder) {
	if order != cynllun.OrderChronological {
		return
	}
	slices.SortStableFunc(docs, func(a, b FrozenDoc) int {
		switch {
		case a.Date.IsZero() && b.Date.IsZero():
			return 0
		case a.Date.IsZero():
			return 1
		case b.Date.IsZero():
			return -1
		}
		return cmp.Compare(a.Date.String(), b.Date.String())
	})
}

// Words of a bundle's file name.
var (
	txtTribunalBundle = form.Text{EN: "Tribunal bundle", CY: "Bwndel y tribiwnlys"}
	txtCaseBundle     = form.Text{EN: "Case bundle", CY: "Bwndel yr achos"}
	txtFileVersion    = form.Text{EN: "v%d", CY: "fersiwn %d"}
	txtManifestFile   = form.Text{EN: "manifest", CY: "maniffest"}
)

// BundleFileName is the name a bundle version's PDF is stored and
// downloaded under: "Tribunal bundle – ETW-26-0042 – S.Ll. – v2 (EN).pdf",
// in Welsh for a Welsh or bilingual bundle ("Bwndel y tribiwnlys – … –
// fersiwn 2 (CY).pdf"; a bilingual one is "(CY-EN)"). The case is named by
// its Tribunal reference, or by its id before it has one. The learner is
// named by initials only: a file name travels further than the file's
// readers (download folders, e-mail attachments, shared drives, proxies'
// logs of Content-Disposition), and the full name is on the cover inside;
// the initials and the reference are enough to tell bundles apart. A
// Welsh initial digraph counts as one letter (Llŷr is Ll.). Characters
// file systems or headers refuse are dropped; the reference's slashes
// become hyphens.
func BundleFileName(c *BundleContents, caseID string, number int) string {
	return bundleFileName(c, caseID, number, "pdf")
}

// BundleManifestFileName is the name of a bundle version's manifest file:
// the PDF's name with "manifest" and ".json".
func BundleManifestFileName(c *BundleContents, caseID string, number int) string {
	return bundleFileName(c, caseID, number, "json")
}

func bundleFileName(c *BundleContents, caseID string, number int, ext string) string {
	l := docgen.LangCY
	label := "CY"
	switch c.Lang {
	case cynllun.RenderEN:
		l, label = docgen.LangEN, "EN"
	case cynllun.RenderBilingual:
		label = "CY-EN"
	}
	kind := txtTribunalBundle
	if c.Heading.EN != "" || c.Heading.CY != "" {
		kind = txtCaseBundle
	}
	ref := fileSafe(strings.ReplaceAll(c.CaseRef, "/", "-"))
	if ref == "" {
		ref = caseID
	}
	parts := []string{pickOne(l, kind), ref}
	if in := initials(c.Learner); in != "" {
		parts = append(parts, in)
	}
	parts = append(parts, fmt.Sprintf(pickOne(l, txtFileVersion), number))
	name := strings.Join(parts, " – ")
	if ext == "json" {
		return name + " " + pickOne(l, txtManifestFile) + " (" + label + ").json"
	}
	return name + " (" + label + ").pdf"
}

// pickOne is t in one language (a file name is not bilingual).
func pickOne(l docgen.Lang, t form.Text) string {
	if l == docgen.LangEN {
		return t.EN
	}
	return t.CY
}

// welshDigraphs are the letters of the Welsh alphabet written with two.
var welshDigraphs = []string{"Ch", "Dd", "Ff", "Ll", "Ph", "Rh", "Th"}

// initials are a name's initials, "S.Ll." for "Siôn Llŷr".
func initials(name string) string {
	var b strings.Builder
	for _, w := range strings.Fields(fileSafe(name)) {
		rs := []rune(w)
		if !unicode.IsLetter(rs[0]) {
			continue
		}
		first := string(unicode.ToUpper(rs[0]))
		if len(rs) > 2 {
			two := first + string(unicode.ToLower(rs[1]))
			if slices.Contains(welshDigraphs, two) {
				first = two
			}
		}
		b.WriteString(first + ".")
	}
	return b.String()
}

// fileSafe drops from s what file systems refuse and what would disguise a
// name: control and format characters (direction marks and overrides
// included) and / \ : * ? " < > |; runs of spaces become one, and the
// result is at most 80 characters.
func fileSafe(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || strings.ContainsRune(`/\:*?"<>|`, r):
			return -1
		case unicode.IsSpace(r):
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if rs := []rune(s); len(rs) > 80 {
		s = strings.TrimSpace(string(rs[:80]))
	}
	return s
}
