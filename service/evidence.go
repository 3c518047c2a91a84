package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/bundle"
	"github.com/cynllun/cynllun/form"
	"github.com/cynllun/cynllun/upload"
)

// EvidenceInput is a document to add to a case: a PDF, or a PNG or JPEG
// image (a scanned letter, a photograph of a drawing).
type EvidenceInput struct {
	IdempotencyKey string // idempotency.go
	CaseID         string
	Title          string
	Date           cynllun.Date
	Author         string
	Kind           cynllun.EvidenceKind
	// Section is the bundle section it goes in; default: the first that
	// takes its kind.
	Section string
	// Name and DeclaredType are what the client said the file is; the
	// content decides.
	Name         string
	DeclaredType string
	Data         []byte
}

// evidenceTypes are the uploads a bundle can hold.
var evidenceTypes = map[string]bool{"application/pdf": true, "image/png": true, "image/jpeg": true}

// maxEvidence bounds the documents of one case.
const maxCaseEvidence = 2000

// AddEvidence adds a document to a case, after checking it as an upload
// (size, content type from the bytes, agreeing with its name and declared
// type) and as a document of a bundle (a PDF that opens, unencrypted; an
// image that decodes within the memory budget): what is accepted always
// builds. Nothing is stored when a check fails. Anyone who may work on the
// case may add evidence.
//
// A PDF is stored as uploaded, and its digest is that of the bytes
// received: it is the party's evidence. What it holds that acts rather
// than shows (JavaScript, launch, submit, import and remote actions, links
// out, embedded files, form scripts, XFA) is removed from the copy each
// bundle holds, when the bundle is built (package bundle, sanitize.go),
// which also covers evidence stored before that was done.
func (s *Service) AddEvidence(ctx context.Context, in EvidenceInput) (*cynllun.CaseEvidence, error) {
	const op = "service.AddEvidence"
	p, c, l, err := s.caseFor(ctx, op, in.CaseID)
	if err != nil {
		return nil, err
	}
	if err := checkKey(op, "input.idempotencyKey", in.IdempotencyKey); err != nil {
		return nil, err
	}
	ck := &checker{}
	ck.required("input.title", in.Title, form.MaxShort, false)
	ck.text("input.author", in.Author, form.MaxShort, false)
	ck.past("input.date", in.Date, cynllun.Today(s.now()))
	oneOf(ck, "input.kind", in.Kind, cynllun.EvidenceKinds, false)
	if in.Section != "" && sectionFor(c.Bundle.Sections, string(in.Kind), in.Section) != in.Section {
		ck.add("input.section", "does not name a section of the case's bundle")
	}
	name := cleanName(in.Name)
	if form.CheckText("file", name, form.MaxShort, false) != nil {
		ck.add("file", "has a file name that is too long or holds control characters")
	}
	if len(ck.errs) > 0 {
		return nil, cynllun.Invalid(op, ck.errs...)
	}
	var (
		res   upload.Result
		pages int
	)
	if err := s.inspect(ctx, op, func() (err error) {
		if res, err = upload.InspectWith(in.Data, name, in.DeclaredType, s.uploadLimits()); err != nil {
			return err
		}
		if !evidenceTypes[res.ContentType] {
			return cynllun.Invalid(op, cynllun.FieldError{Field: "file",
				Message: "is " + res.ContentType + ": a bundle takes PDFs and PNG or JPEG images"})
		}
		doc := bundle.Document{ID: "file", Title: "file"}
		if res.ContentType == "application/pdf" {
			doc.PDF = in.Data
		} else {
			doc.Image = in.Data
		}
		pages, err = bundle.Inspect(doc)
		return err
	}); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(in.Data)
	hexSum := hex.EncodeToString(sum[:])
	sent := in
	sent.Data = nil
	return keyed(ctx, s, keySpec{op: op, mutation: "addEvidence", scope: p.UserID, key: in.IdempotencyKey, field: "input.idempotencyKey",
		prefix: cynllun.PrefixEvidence, input: struct {
			EvidenceInput
			SHA256 string
		}{sent, hexSum}},
		func(id string) (*cynllun.CaseEvidence, error) {
			existing, err := s.store.EvidenceForCase(ctx, c.ID)
			if err != nil {
				return nil, cynllun.AsError(op, err)
			}
			if len(existing) >= maxCaseEvidence {
				return nil, cynllun.Invalid(op, cynllun.FieldError{Field: "input.caseId", Message: "has the most documents a case may hold"})
			}
			now := s.now().UTC()
			if name == "" {
				name = "evidence" + res.Ext
			}
			f := &cynllun.File{
				ID: cynllun.CaseFileID(c.ID, hexSum), Name: name, ContentType: res.ContentType, Size: int64(len(in.Data)),
				Pages: pages, SHA256: hexSum, LearnerID: l.ID, CaseID: c.ID, Kind: cynllun.FileUpload, CreatedBy: p.UserID, CreatedAt: now,
			}
			if err := s.store.PutFile(ctx, f, in.Data); err != nil {
				return nil, cynllun.AsError(op, err)
			}
			e := &cynllun.CaseEvidence{
				ID: id, CaseID: c.ID, LearnerID: l.ID, FileID: f.ID,
				ContentType: res.ContentType, Pages: pages, SHA256: hexSum, Size: int64(len(in.Data)),
				Title: strings.TrimSpace(in.Title), Date: in.Date, Author: strings.TrimSpace(in.Author), Kind: in.Kind,
				Section: sectionFor(c.Bundle.Sections, string(in.Kind), in.Section), CreatedAt: now, CreatedBy: p.UserID,
			}
			if err := s.store.InsertEvidence(ctx, e); err != nil {
				return nil, cynllun.AsError(op, err)
			}
			s.log.InfoContext(ctx, "evidence added", "evidence", e.ID, "case", c.ID, "type", res.ContentType, "pages", pages, "bytes", len(in.Data), "actor", p.UserID)
			return e, nil
		}, func(id string) (*cynllun.CaseEvidence, error) { return s.EvidenceItem(ctx, id) })
}

// WithdrawEvidence withdraws a document from a case: it stays listed, with
// who withdrew it and why, and leaves the bundles built after.
func (s *Service) WithdrawEvidence(ctx context.Context, id, reason string) (*cynllun.CaseEvidence, error) {
	const op = "service.WithdrawEvidence"
	p, err := principal(ctx, op)
	if err != nil {
		return nil, err
	}
	es, err := s.store.EvidenceByID(ctx, []string{id})
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	if len(es) == 0 {
		return nil, cynllun.NotFound(op, "evidence")
	}
	if _, _, _, err := s.caseFor(ctx, op, es[0].CaseID); err != nil {
		return nil, cynllun.NotFound(op, "evidence")
	}
	ck := &checker{}
	ck.required("reason", reason, form.MaxMedium, true)
	if len(ck.errs) > 0 {
		return nil, cynllun.Invalid(op, ck.errs...)
	}
	if err := s.store.WithdrawEvidence(ctx, id, s.now().UTC().Truncate(time.Millisecond), p.UserID, strings.TrimSpace(reason)); err != nil {
		return nil, cynllun.AsError(op, err)
	}
	es, err = s.store.EvidenceByID(ctx, []string{id})
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	s.log.InfoContext(ctx, "evidence withdrawn", "evidence", id, "actor", p.UserID)
	return es[0], nil
}

// CaseEvidence lists a case's evidence, withdrawn too, in the order added
// (audited).
func (s *Service) CaseEvidence(ctx context.Context, caseID string) ([]*cynllun.CaseEvidence, error) {
	const op = "service.CaseEvidence"
	p, c, l, err := s.caseFor(ctx, op, caseID)
	if err != nil {
		return nil, err
	}
	if err := s.auditCase(ctx, op, p, l, c, "case.evidence", "read"); err != nil {
		return nil, err
	}
	es, err := s.store.EvidenceForCase(ctx, c.ID)
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	return es, nil
}

// EvidenceItem returns one document of a case the caller may see.
func (s *Service) EvidenceItem(ctx context.Context, id string) (*cynllun.CaseEvidence, error) {
	const op = "service.EvidenceItem"
	es, err := s.store.EvidenceByID(ctx, []string{id})
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	if len(es) == 0 {
		return nil, cynllun.NotFound(op, "evidence")
	}
	p, c, l, err := s.caseFor(ctx, op, es[0].CaseID)
	if err != nil {
		return nil, cynllun.NotFound(op, "evidence")
	}
	if err := s.auditCase(ctx, op, p, l, c, "case.evidence", "read"); err != nil {
		return nil, err
	}
	return es[0], nil
}
