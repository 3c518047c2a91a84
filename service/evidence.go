package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"time"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/bundle"
	"github.com/cynllun/cynllun/form"
	"github.com/cynllun/cynllun/policy"
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
	// FileOnly files it for the filer's side only (FILED) until
	// DiscloseEvidence; by default it is disclosed to the other side as
	// it is added (DISCLOSED).
	FileOnly bool
}

// evidenceTypes are the uploads a bundle can hold.
var evidenceTypes = map[string]bool{"application/pdf": true, "image/png": true, "image/jpeg": true}

// maxEvidence bounds the documents of one case.
const maxCaseEvidence = 2000

// AddEvidence adds a document to a case, after checking it as an upload
// (size, content type from the bytes, agreeing with its name and declared
// type) and as a document of a bundle (a PDF that opens, unencrypted; an
// image that decodes within the memory budget): what is accepted always
// builds. Nothing is stored when a check fails. Either side of the case may
// add evidence (policy.CaseTable): it is theirs, filed with their side and
// role, and only they withdraw, reinstate or disclose it.
//
// A PDF is stored as uploaded, and its digest is that of the bytes
// received: it is the party's evidence. What it holds that acts rather
// than shows (JavaScript, launch, submit, import and remote actions, links
// out, embedded files, form scripts, XFA) is removed from the copy each
// bundle holds, when the bundle is built (package bundle, sanitize.go),
// which also covers evidence stored before that was done.
func (s *Service) AddEvidence(ctx context.Context, in EvidenceInput) (*cynllun.CaseEvidence, error) {
	const op = "service.AddEvidence"
	p, c, l, st, err := s.caseAs(ctx, op, in.CaseID, policy.OpAddEvidence)
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
				Side: st.Side, FiledAs: st.Role,
			}
			action := "file"
			if !in.FileOnly {
				e.DisclosedAt, e.DisclosedBy, action = now.Truncate(time.Millisecond), p.UserID, "file-disclosed"
			}
			if err := s.store.InsertEvidence(ctx, e); err != nil {
				return nil, cynllun.AsError(op, err)
			}
			if err := s.audit(ctx, op, []cynllun.AuditEvent{evidenceAudit(p, c, e, action, st, now)}); err != nil {
				return nil, err
			}
			s.log.InfoContext(ctx, "evidence added", "evidence", e.ID, "case", c.ID, "type", res.ContentType, "pages", pages, "bytes", len(in.Data), "actor", p.UserID)
			return e, nil
		}, func(id string) (*cynllun.CaseEvidence, error) { return s.EvidenceItem(ctx, id) })
}

// WithdrawEvidence withdraws a document from a case: it stays listed,
// with who withdrew it and why, and leaves the bundles built after until
// it is reinstated. Only the side that filed it may (FORBIDDEN otherwise,
// with the reason); withdrawing it again changes nothing.
func (s *Service) WithdrawEvidence(ctx context.Context, id, reason string) (*cynllun.CaseEvidence, error) {
	return s.changeEvidence(ctx, "service.WithdrawEvidence", id, policy.OpWithdrawEvidence, reason)
}

// ReinstateEvidence reverses a withdrawal: the document returns to the
// bundles built after, in the state it had (disclosed or filed). Only the
// side that filed it may; reinstating evidence that stands changes nothing.
func (s *Service) ReinstateEvidence(ctx context.Context, id, reason string) (*cynllun.CaseEvidence, error) {
	return s.changeEvidence(ctx, "service.ReinstateEvidence", id, policy.OpReinstateEvidence, reason)
}

// DiscloseEvidence discloses filed evidence to the other side: both see it
// and it goes in the bundle. Only the side that filed it may; disclosing
// it again changes nothing. Disclosure is not undone (withdraw instead).
func (s *Service) DiscloseEvidence(ctx context.Context, id string) (*cynllun.CaseEvidence, error) {
	return s.changeEvidence(ctx, "service.DiscloseEvidence", id, policy.OpDiscloseEvidence, "")
}

func (s *Service) changeEvidence(ctx context.Context, op, id string, what policy.CaseOp, reason string) (*cynllun.CaseEvidence, error) {
	e, p, c, l, err := s.evidenceFor(ctx, op, id)
	if err != nil {
		return nil, err
	}
	now := s.now()
	st, _ := policy.StandingIn(p, l, c, now)
	if d := policy.CaseMay(what, st.Side, e.Side); !d.Allow {
		return nil, caseForbidden(op, what, d.Why)
	}
	ck := &checker{}
	switch what {
	case policy.OpWithdrawEvidence:
		ck.required("input.reason", reason, form.MaxMedium, true)
	case policy.OpReinstateEvidence:
		ck.text("input.reason", reason, form.MaxMedium, true)
	}
	if len(ck.errs) > 0 {
		return nil, cynllun.Invalid(op, ck.errs...)
	}
	at := now.UTC().Truncate(time.Millisecond)
	reason = strings.TrimSpace(reason)
	next := *e
	next.History = slices.Clone(e.History)
	var action cynllun.EvidenceAction
	switch what {
	case policy.OpWithdrawEvidence:
		if e.Withdrawn() {
			return e, nil
		}
		action = cynllun.EvidenceActionWithdraw
		next.WithdrawnAt, next.WithdrawnBy, next.WithdrawnReason = at, p.UserID, reason
	case policy.OpReinstateEvidence:
		if !e.Withdrawn() {
			return e, nil
		}
		action = cynllun.EvidenceActionReinstate
		next.WithdrawnAt, next.WithdrawnBy, next.WithdrawnReason = time.Time{}, "", ""
	case policy.OpDiscloseEvidence:
		if e.Disclosed() {
			return e, nil
		}
		action = cynllun.EvidenceActionDisclose
		next.DisclosedAt, next.DisclosedBy = at, p.UserID
	}
	if len(e.History) == 0 && e.Withdrawn() {
		// A withdrawal recorded before the history was kept.
		next.History = append(next.History, cynllun.EvidenceChange{Action: cynllun.EvidenceActionWithdraw, At: e.WithdrawnAt, By: e.WithdrawnBy,
			Side: e.Side, Reason: e.WithdrawnReason})
	}
	next.History = append(next.History, cynllun.EvidenceChange{Action: action, At: at, By: p.UserID, Side: st.Side, Reason: reason})
	next.Seq = e.Seq + 1
	// The audit record first: no change without it.
	if err := s.audit(ctx, op, []cynllun.AuditEvent{evidenceAudit(p, c, &next, strings.ToLower(string(action)), st, now)}); err != nil {
		return nil, err
	}
	if err := s.store.SetEvidenceState(ctx, &next, e.Seq); err != nil {
		return nil, cynllun.AsError(op, err)
	}
	s.log.InfoContext(ctx, "evidence state changed", "evidence", id, "action", string(action), "side", string(st.Side), "actor", p.UserID)
	return &next, nil
}

// evidenceAudit records a change of an evidence document's state (or its
// filing): who, on which side, which document; no content.
func evidenceAudit(p *cynllun.Principal, c *cynllun.Case, e *cynllun.CaseEvidence, action string, st policy.CaseStanding, now time.Time) cynllun.AuditEvent {
	ev := caseAudit(p, c, "case.evidence", action, st.Reason, now)
	ev.Part = "case.evidence:" + c.ID + "/" + e.ID
	return ev
}

// evidenceFor loads one document of a case the caller may see, with its
// owner: NOT_FOUND when they may not see the case, or the document is
// undisclosed and another side's.
func (s *Service) evidenceFor(ctx context.Context, op, id string) (*cynllun.CaseEvidence, *cynllun.Principal, *cynllun.Case, *cynllun.Learner, error) {
	es, err := s.store.EvidenceByID(ctx, []string{id})
	if err != nil {
		return nil, nil, nil, nil, cynllun.AsError(op, err)
	}
	if len(es) == 0 {
		return nil, nil, nil, nil, cynllun.NotFound(op, "evidence")
	}
	p, c, l, err := s.caseFor(ctx, op, es[0].CaseID)
	if err != nil {
		return nil, nil, nil, nil, cynllun.NotFound(op, "evidence")
	}
	if err := s.fillOwners(ctx, op, c, l, es); err != nil {
		return nil, nil, nil, nil, err
	}
	st, _ := policy.StandingIn(p, l, c, s.now())
	if !es[0].VisibleTo(st.Side) {
		return nil, nil, nil, nil, cynllun.NotFound(op, "evidence")
	}
	return es[0], p, c, l, nil
}

// CaseEvidence lists a case's evidence the caller may see, withdrawn too,
// in the order added (audited): what was disclosed, and what their own
// side filed and has not disclosed.
func (s *Service) CaseEvidence(ctx context.Context, caseID string) ([]*cynllun.CaseEvidence, error) {
	const op = "service.CaseEvidence"
	p, c, l, err := s.caseFor(ctx, op, caseID)
	if err != nil {
		return nil, err
	}
	if err := s.auditCase(ctx, op, p, l, c, "case.evidence", "read"); err != nil {
		return nil, err
	}
	es, err := s.caseEvidence(ctx, op, c, l)
	if err != nil {
		return nil, err
	}
	st, _ := policy.StandingIn(p, l, c, s.now())
	return visibleEvidence(es, st.Side), nil
}

// EvidenceItem returns one document of a case the caller may see.
func (s *Service) EvidenceItem(ctx context.Context, id string) (*cynllun.CaseEvidence, error) {
	const op = "service.EvidenceItem"
	e, p, c, l, err := s.evidenceFor(ctx, op, id)
	if err != nil {
		return nil, err
	}
	if err := s.auditCase(ctx, op, p, l, c, "case.evidence", "read"); err != nil {
		return nil, err
	}
	return e, nil
}
