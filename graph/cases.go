package graph

import (
	"context"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/service"
)

// setBundleSpec saves what the input gives of the specification; what it
// leaves out (or sends as null) keeps its current value, and a list given
// empty clears it.
func (r *Resolver) setBundleSpec(ctx context.Context, in BundleSpecInput) (*cynllun.Case, error) {
	sin := service.SetBundleSpecInput{CaseID: in.CaseID, ExpectedRevision: in.ExpectedRevision,
		Language: in.Language, Chronology: in.Chronology, ChronologyAfter: in.ChronologyAfter}
	if in.Sections != nil {
		v := values(in.Sections)
		if v == nil {
			v = []cynllun.BundleSection{}
		}
		sin.Sections = &v
	}
	if in.Records != nil {
		v := values(in.Records)
		if v == nil {
			v = []cynllun.RecordItem{}
		}
		sin.Records = &v
	}
	if in.Excluded != nil {
		v := in.Excluded
		sin.Excluded = &v
	}
	return r.Svc.SetBundleSpec(ctx, sin)
}

// addEvidence adds a multipart upload to a case.
func (r *Resolver) addEvidence(ctx context.Context, in AddEvidenceInput) (*cynllun.CaseEvidence, error) {
	f := in.File
	data, err := r.readUpload("graph.addEvidence", f)
	if err != nil {
		return nil, err
	}
	return r.Svc.AddEvidence(ctx, service.EvidenceInput{
		IdempotencyKey: deref(in.IdempotencyKey), CaseID: in.CaseID, Title: in.Title, Date: deref(in.Date), Author: deref(in.Author), Kind: in.Kind,
		Section: deref(in.Section), Name: f.Filename, DeclaredType: f.ContentType, Data: data,
		FileOnly: in.Disclose != nil && !*in.Disclose,
	})
}

func previewSections(p *service.BundlePreview) []*BundlePreviewSection {
	out := make([]*BundlePreviewSection, len(p.Contents.Sections))
	for i, sec := range p.Contents.Sections {
		ps := &BundlePreviewSection{Key: sec.Key, Title: sec.Title, PageLimit: sec.PageLimit, Pages: p.SectionPages(i)}
		for j, d := range sec.Documents {
			ps.Documents = append(ps.Documents, &BundleDocument{DocumentID: d.ID, Number: d.Number, Kind: DocumentKind(d.Kind), Title: d.Title,
				Author: d.Author, Date: optionalDate(d.Date), Pages: p.Pages[i][j]})
		}
		out[i] = ps
	}
	return out
}

func optionalDate(d cynllun.Date) *cynllun.Date {
	if d.IsZero() {
		return nil
	}
	return &d
}

// documentKinds is what a bundle section takes, as the schema's enum (the
// domain keeps the kinds as strings: evidence kinds and record kinds).
func documentKinds(ks []string) []DocumentKind {
	out := make([]DocumentKind, len(ks))
	for i, k := range ks {
		out[i] = DocumentKind(k)
	}
	return out
}

// kindNames is the domain's form of a section's kinds; nil stays nil.
func kindNames(ks []DocumentKind) []string {
	if ks == nil {
		return nil
	}
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = string(k)
	}
	return out
}

// evidenceCan is what the viewer may do with e, from their standing in its
// case (loaded once per case per request).
func (r *Resolver) evidenceCan(ctx context.Context, e *cynllun.CaseEvidence) (service.EvidenceCan, error) {
	st, err := loadersFrom(ctx, r.Svc).Standing.Load(ctx, e.CaseID)
	if err != nil {
		return service.EvidenceCan{}, err
	}
	return service.EvidenceActions(st, e), nil
}
