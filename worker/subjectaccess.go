package worker

import (
	"context"
	"crypto/sha256"
	"io"
	"time"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/docgen"
	"github.com/cynllun/cynllun/service"
)

// TypeSubjectAccess builds the subject access export of a learner's record
// (UK GDPR Art. 15; issue 19). Its payload is the job id, like a render's;
// the RenderHandler runs it.
const TypeSubjectAccess = "export:subject-access"

// subjectAccessTimeout bounds one attempt at an export: every version,
// file and bundle of a learner.
const subjectAccessTimeout = 15 * time.Minute

// SubjectAccessBuilder builds an export archive (service.Service).
type SubjectAccessBuilder interface {
	BuildSubjectAccess(ctx context.Context, job *cynllun.Job, w io.Writer, renderPDF service.PlanPDF) (*service.SubjectAccessExport, error)
}

// exportSubjectAccess builds the archive into a private temporary file in
// WorkDir (or memory; workdir.go), hashing it as it goes, and stores it
// as the job's file. The file's id is the job's (cynllun.ExportFileID), so
// a retry after a crash stores nothing twice.
func (h *RenderHandler) exportSubjectAccess(ctx context.Context, job *cynllun.Job) (string, error) {
	const op = "worker.exportSubjectAccess"
	if h.SubjectAccess == nil {
		return "", cynllun.E(cynllun.CodeInternal, op, "subject access exports are not configured")
	}
	id := cynllun.ExportFileID(job.ID)
	if f, err := h.Store.FileByID(ctx, id); err == nil {
		return f.ID, nil // stored by an attempt that died before saving its job
	}
	out, release, err := h.bundleOutput()
	if err != nil {
		return "", cynllun.Internal(op, err)
	}
	defer release()
	sum := sha256.New()
	exp, err := h.SubjectAccess.BuildSubjectAccess(ctx, job, io.MultiWriter(out, sum), h.planPDF)
	if err != nil {
		return "", err
	}
	size, err := out.Seek(0, io.SeekEnd)
	if err != nil {
		return "", cynllun.Internal(op, err)
	}
	if h.afterBuild != nil {
		h.afterBuild()
	}
	f := &cynllun.File{
		ID: id, Name: exp.Name, ContentType: "application/zip", Size: size, SHA256: hexOf(sum),
		LearnerID: job.LearnerID, Kind: cynllun.FileExport, CreatedBy: job.CreatedBy, CreatedAt: job.CreatedAt,
	}
	if err := h.Store.PutFileFrom(ctx, f, out); err != nil {
		return "", cynllun.AsError(op, err)
	}
	h.log().InfoContext(ctx, "subject access export built", "job", job.ID, "entries", exp.Entries, "bytes", size)
	return f.ID, nil
}

// planPDF renders a plan version as a render job would (with the rights
// contacts), for an export that finds no stored PDF of it.
func (h *RenderHandler) planPDF(ctx context.Context, planID string, version int, lang cynllun.RenderLanguage) ([]byte, error) {
	doc, err := service.LoadPlanDoc(ctx, h.Store, planID, version, lang)
	if err != nil {
		return nil, err
	}
	doc.Rights = h.contacts().Rights(doc.Learner.LAID, doc.MaintainerKind, doc.Maintainer, doc.LocalAuthority)
	pdf, err := h.Render(doc, docgen.Lang(lang))
	if err != nil {
		return nil, cynllun.AsError("worker.planPDF", err)
	}
	return pdf, nil
}
