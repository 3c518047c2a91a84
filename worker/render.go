package worker

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/hibiken/asynq"
	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/docgen"
	"github.com/cynllun/cynllun/quality"
	"github.com/cynllun/cynllun/service"
)

// TypeRenderPlan renders one plan version to PDF. Its payload is the job id.
const TypeRenderPlan = "render:plan"

// TypeRenderMeeting renders one revision of a review's meeting record. Its
// payload is the job id; the same handler runs both kinds of render.
const TypeRenderMeeting = "render:meeting"

// renderMaxRetry and renderTimeout bound a render task.
const (
	renderMaxRetry = 5
	renderTimeout  = 2 * time.Minute
)

// jobPayload is what every job task carries: the job id, nothing else (no
// child's data ever goes into Redis).
type jobPayload struct {
	JobID string `json:"jobId"`
}

func newRenderTask(j *cynllun.Job) (*asynq.Task, []asynq.Option, error) {
	b, err := json.Marshal(jobPayload{JobID: j.ID})
	if err != nil {
		return nil, nil, cynllun.Internal("worker.newRenderTask", err)
	}
	typ, timeout := TypeRenderPlan, renderTimeout
	switch j.Kind {
	case cynllun.JobRenderMeeting:
		typ = TypeRenderMeeting
	case cynllun.JobRenderBundle:
		typ, timeout = TypeRenderBundle, bundleTimeout
	case cynllun.JobSubjectAccess:
		typ, timeout = TypeSubjectAccess, subjectAccessTimeout
	}
	return asynq.NewTask(typ, b), []asynq.Option{
		asynq.TaskID(j.ID), asynq.Queue(queueFor(j.Priority)),
		asynq.MaxRetry(renderMaxRetry), asynq.Timeout(timeout),
	}, nil
}

// Renderer turns a plan document into PDF bytes (docgen.RenderPlan; tests
// wrap it to fail or stall), or into its HTML rendition
// (docgen.RenderPlanHTML).
type Renderer func(docgen.PlanDoc, docgen.Lang) ([]byte, error)

// MeetingRenderer turns a meeting record into PDF bytes
// (docgen.RenderMeeting), or into its HTML rendition
// (docgen.RenderMeetingHTML).
type MeetingRenderer func(docgen.MeetingDoc, docgen.Lang) ([]byte, error)

// htmlContentType is the media type of an HTML rendition.
const htmlContentType = "text/html; charset=utf-8"

// JobEvents announces job changes (ids only).
type JobEvents interface {
	PublishJobUpdated(ctx context.Context, jobID string) error
}

// RenderHandler runs render jobs. It is idempotent: a finished job is left
// alone, and the same version and language always give the same bytes, so a
// retry after a crash stores nothing twice (files are content-addressed).
// A plan or meeting-record job stores two files: the PDF (Job.FileID) and,
// made from the same document after it, the accessible HTML rendition
// (Job.HTMLFileID); a bundle job stores its PDF only.
type RenderHandler struct {
	Store         cynllun.Store
	Render        Renderer
	RenderMeeting MeetingRenderer
	// RenderHTML and RenderMeetingHTML make the HTML renditions.
	RenderHTML        Renderer
	RenderMeetingHTML MeetingRenderer
	// RecordDocument renders a bundle's documents from the record
	// (service.RecordDocument when nil; tests wrap it).
	RecordDocument func(context.Context, *service.FrozenDoc, *service.BundleContents) ([]byte, error)
	Events         JobEvents // optional
	Log            *slog.Logger
	Now            func() time.Time
	// Contacts are who the rights and contacts page of each plan and
	// decision names, per local authority (RIGHTS_CONTACTS); the built-in
	// ones when nil.
	Contacts *service.RightsContacts
	// WorkDir is the private directory of the bundle's (and the subject
	// access export's) temporary file (OpenWorkDir prepares it); with none,
	// they are built in memory.
	WorkDir string
	// SubjectAccess builds subject access exports (the service); without
	// it an export job fails.
	SubjectAccess SubjectAccessBuilder

	afterBuild func() // tests: runs when a bundle is built, before it is stored
}

// NewRenderHandler returns a handler rendering with docgen.
func NewRenderHandler(store cynllun.Store, events JobEvents, log *slog.Logger) *RenderHandler {
	return &RenderHandler{Store: store, Render: docgen.RenderPlan, RenderMeeting: docgen.RenderMeeting,
		RenderHTML: docgen.RenderPlanHTML, RenderMeetingHTML: docgen.RenderMeetingHTML,
		Events: events, Log: contextLogger(log), Now: time.Now}
}

// ProcessTask implements asynq.Handler.
func (h *RenderHandler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	const op = "worker.RenderPlan"
	var p jobPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.JobID == "" {
		return cynllun.E(cynllun.CodeInvalid, op, "bad payload")
	}
	js, err := h.Store.JobsByID(ctx, []string{p.JobID})
	if err != nil {
		return cynllun.AsError(op, err)
	}
	if len(js) == 0 {
		return cynllun.NotFound(op, "job")
	}
	job := js[0]
	if job.Status.Finished() {
		return nil // delivered again after it finished: nothing to do
	}
	now := h.now()
	job.Status, job.Attempts, job.UpdatedAt = cynllun.JobRunning, job.Attempts+1, now
	if job.StartedAt.IsZero() {
		job.StartedAt = now
	}
	if err := h.save(ctx, job); err != nil {
		return err
	}
	fileID, htmlID, rerr := h.render(ctx, job)
	// The outcome is written even if the task was cancelled meanwhile.
	octx, cancel := outcomeContext(ctx)
	defer cancel()
	job.UpdatedAt = h.now()
	if rerr == nil {
		job.Status, job.FileID, job.HTMLFileID, job.ErrorCode, job.FinishedAt = cynllun.JobSucceeded, fileID, htmlID, "", job.UpdatedAt
		return h.save(octx, job)
	}
	code := cynllun.ErrorCode(rerr)
	job.ErrorCode = code
	if permanent(code) || (lastAttempt(ctx) && !handedBack(ctx)) {
		job.Status, job.FinishedAt = cynllun.JobFailed, job.UpdatedAt
	} else {
		job.Status = cynllun.JobPending // waiting for its retry, or handed back at a shutdown
	}
	if err := h.save(octx, job); err != nil {
		h.log().WarnContext(ctx, "could not record a failed attempt", "job", job.ID, "code", string(cynllun.ErrorCode(err)))
	}
	h.log().WarnContext(ctx, "render failed", "job", job.ID, "attempt", job.Attempts, "code", string(code), "final", job.Status == cynllun.JobFailed)
	return rerr
}

func (h *RenderHandler) now() time.Time {
	if h.Now != nil {
		return h.Now().UTC()
	}
	return time.Now().UTC()
}

// defaultContacts are the built-in rights contacts, read once.
var defaultContacts = sync.OnceValue(service.DefaultRightsContacts)

func (h *RenderHandler) contacts() *service.RightsContacts {
	if h.Contacts != nil {
		return h.Contacts
	}
	return defaultContacts()
}

func (h *RenderHandler) log() *slog.Logger {
	if h.Log != nil {
		return h.Log
	}
	return slog.New(slog.DiscardHandler)
}

// save writes the job and announces the change.
func (h *RenderHandler) save(ctx context.Context, job *cynllun.Job) error {
	if err := h.Store.UpdateJob(ctx, job); err != nil {
		return cynllun.AsError("worker.saveJob", err)
	}
	announce(ctx, h.Events, h.log(), job.ID)
	return nil
}

func announce(ctx context.Context, ev JobEvents, log *slog.Logger, jobID string) {
	if ev == nil {
		return
	}
	if err := ev.PublishJobUpdated(ctx, jobID); err != nil {
		log.WarnContext(ctx, "could not announce a job update", "job", jobID)
	}
}

func permanent(c cynllun.Code) bool {
	return c == cynllun.CodeInvalid || c == cynllun.CodeNotFound || c == cynllun.CodeForbidden
}

// lastAttempt reports whether Asynq will not retry the running task again.
func lastAttempt(ctx context.Context) bool {
	n, ok1 := asynq.GetRetryCount(ctx)
	max, ok2 := asynq.GetMaxRetry(ctx)
	return ok1 && ok2 && n >= max
}

// render renders the job's document, stores the PDF and, for a plan or a
// meeting record, then its HTML rendition, and returns their ids.
func (h *RenderHandler) render(ctx context.Context, job *cynllun.Job) (pdfID, htmlID string, err error) {
	const op = "worker.render"
	var pdf []byte
	// rendition makes the HTML rendition of the document the PDF was made
	// from.
	var rendition func() ([]byte, error)
	f := &cynllun.File{LearnerID: job.LearnerID, PlanID: job.PlanID, Version: job.Version, Kind: cynllun.FileRendered}
	lang := docgen.Lang(job.Language)
	switch job.Kind {
	case cynllun.JobRenderBundle:
		id, err := h.renderBundle(ctx, job)
		return id, "", err
	case cynllun.JobSubjectAccess:
		id, err := h.exportSubjectAccess(ctx, job)
		return id, "", err
	case cynllun.JobRenderMeeting:
		doc, err := service.LoadMeetingDoc(ctx, h.Store, job.ReviewID, job.Revision, job.Language, h.now())
		if err != nil {
			return "", "", err
		}
		doc.Rights = h.contacts().Rights(doc.Learner.LAID, doc.MaintainerKind, doc.Maintainer, doc.LocalAuthority)
		if pdf, err = h.RenderMeeting(doc, lang); err != nil {
			return "", "", cynllun.AsError(op, err)
		}
		rendition = func() ([]byte, error) { return h.RenderMeetingHTML(doc, lang) }
		f.ReviewID = job.ReviewID
		f.Name = fmt.Sprintf("Review record %s r%d %s.pdf", safeName(doc.Learner.FullName()), job.Revision, job.Language)
		// The revision's time, not now: the same render stores the same file.
		f.CreatedAt = doc.Review.CreatedAt
	default:
		doc, err := service.LoadPlanDoc(ctx, h.Store, job.PlanID, job.Version, job.Language)
		if err != nil {
			return "", "", err
		}
		if job.PlanCheck {
			// The check as of when it was asked for: the same job always
			// gives the same bytes.
			in, err := service.PlanCheckInput(ctx, h.Store, doc.Plan, doc.Version.Content, cynllun.Today(job.CreatedAt))
			if err != nil {
				return "", "", err
			}
			doc.Check = &docgen.PlanCheck{Findings: quality.CheckPlan(in), AsOf: job.CreatedAt}
		}
		doc.Rights = h.contacts().Rights(doc.Learner.LAID, doc.MaintainerKind, doc.Maintainer, doc.LocalAuthority)
		if pdf, err = h.Render(doc, lang); err != nil {
			return "", "", cynllun.AsError(op, err)
		}
		rendition = func() ([]byte, error) { return h.RenderHTML(doc, lang) }
		f.Name = fileName(doc, job.Language)
		if job.PlanCheck {
			f.Name = strings.TrimSuffix(f.Name, ".pdf") + " plan check.pdf"
		}
		// The version's time, not now: the same render stores the same file.
		f.CreatedAt = doc.Version.CreatedAt
	}
	pages, err := api.PageCount(bytes.NewReader(pdf), pdfConfig())
	if err != nil {
		return "", "", cynllun.Internal(op, err)
	}
	f.ContentType, f.Pages = "application/pdf", pages
	if err := h.putFile(ctx, f, pdf); err != nil {
		return "", "", err
	}
	// The HTML rendition: the same record, name and time as the PDF.
	page, err := rendition()
	if err != nil {
		return "", "", cynllun.AsError(op, err)
	}
	hf := *f
	hf.Name = strings.TrimSuffix(f.Name, ".pdf") + ".html"
	hf.ContentType, hf.Pages = htmlContentType, 0
	if err := h.putFile(ctx, &hf, page); err != nil {
		return "", "", err
	}
	return f.ID, hf.ID, nil
}

// putFile stores data as f, content-addressed.
func (h *RenderHandler) putFile(ctx context.Context, f *cynllun.File, data []byte) error {
	sum := sha256.Sum256(data)
	f.ID, f.SHA256, f.Size = cynllun.FileIDFor(hex.EncodeToString(sum[:])), hex.EncodeToString(sum[:]), int64(len(data))
	if err := h.Store.PutFile(ctx, f, data); err != nil {
		return cynllun.AsError("worker.putFile", err)
	}
	return nil
}

// fileName is the download name: "IDP Siôn Llywelyn v2 CY.pdf". It is only
// ever sent to people who may read the record (never logged).
func fileName(doc docgen.PlanDoc, lang cynllun.RenderLanguage) string {
	return fmt.Sprintf("IDP %s v%d %s.pdf", safeName(doc.Learner.FullName()), doc.Version.Number, lang)
}

// safeName drops the characters file systems refuse from a name.
func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || strings.ContainsRune(`/\:*?"<>|`, r) {
			return -1
		}
		return r
	}, s)
}

func init() {
	// pdfcpu must not create a config directory: it exits the process when
	// it cannot (stack-notes).
	model.ConfigPath = "disable"
}

func pdfConfig() *model.Configuration { return model.NewDefaultConfiguration() }
