package service

import (
	"context"
	"time"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/policy"
)

// RenderInput asks for a plan version rendered to PDF.
type RenderInput struct {
	PlanID string
	// Version is the version number; 0 means the plan in force (the
	// newest draft while no version is final).
	Version  int
	Language cynllun.RenderLanguage
	Priority cynllun.JobPriority
	// PlanCheck adds the plan check page (the version's quality findings);
	// drafts only.
	PlanCheck bool
}

// RenderPlan starts rendering a plan version, or returns the job that
// already did or is doing it: a finished render is returned at once with its
// files (the PDF and its HTML rendition), never rendered again; only a
// render that finished before renders made HTML renditions is made anew
// (Job.LacksHTML), as a failed one is. Anyone who may read the plan may ask (parents
// download IDPs too). The job document is written before the task is
// queued; if queueing fails the job stays PENDING and the reconciler queues
// it, so a request is never lost.
func (s *Service) RenderPlan(ctx context.Context, in RenderInput) (*cynllun.Job, error) {
	const op = "service.RenderPlan"
	p, err := principal(ctx, op)
	if err != nil {
		return nil, err
	}
	var errs []cynllun.FieldError
	in.Language, in.Priority, errs = renderOptions(in.Language, in.Priority)
	if in.Version < 0 {
		errs = append(errs, cynllun.FieldError{Field: "version", Message: "must be 1 or more"})
	}
	if len(errs) > 0 {
		return nil, cynllun.Invalid(op, errs...)
	}
	plan, l, err := s.planFor(ctx, p, op, in.PlanID)
	if err != nil {
		return nil, err
	}
	if !policy.Render(p, l, s.now()).OK {
		return nil, cynllun.E(cynllun.CodeForbidden, op, "you may not have this plan rendered")
	}
	heads, err := s.store.PlanHeads(ctx, []string{plan.ID})
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	if in.Version == 0 {
		in.Version = heads[plan.ID].InForceOr()
	}
	if in.Version < 1 || in.Version > heads[plan.ID].Latest {
		return nil, cynllun.NotFound(op, "plan version")
	}
	if in.PlanCheck {
		vs, err := s.store.ListVersions(ctx, plan.ID, in.Version-1, 1)
		if err != nil {
			return nil, cynllun.AsError(op, err)
		}
		if len(vs) == 0 || vs[0].Status != cynllun.VersionDraft {
			return nil, cynllun.Invalid(op, cynllun.FieldError{Field: "planCheck", Message: "is for drafts: a FINAL version is rendered as given"})
		}
	}
	existing, err := s.store.JobsForVersion(ctx, plan.ID, in.Version)
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	generation := 1
	for _, j := range existing {
		if j.Kind != cynllun.JobRenderPlan || j.Language != in.Language || j.PlanCheck != in.PlanCheck {
			continue
		}
		if j.Status != cynllun.JobFailed && !j.LacksHTML() {
			return j, nil
		}
		generation++
	}
	now := s.now().UTC()
	job := &cynllun.Job{
		ID:   cynllun.RenderJobID(plan.ID, in.Version, in.Language, generation),
		Kind: cynllun.JobRenderPlan, Priority: in.Priority, Status: cynllun.JobPending,
		LearnerID: plan.LearnerID, PlanID: plan.ID, Version: in.Version, Language: in.Language, PlanCheck: in.PlanCheck,
		CreatedAt: now, CreatedBy: p.UserID, UpdatedAt: now,
	}
	if in.PlanCheck {
		job.ID = cynllun.PlanCheckJobID(plan.ID, in.Version, in.Language, generation)
	}
	return s.startJob(ctx, op, job)
}

// MeetingInput asks for a review's meeting record rendered to PDF.
type MeetingInput struct {
	ReviewID string
	// Revision is the record's revision; 0 means the latest.
	Revision int
	Language cynllun.RenderLanguage
	Priority cynllun.JobPriority
}

// RenderMeetingRecord starts rendering a review's meeting record, or
// returns the job that already did or is doing it, as RenderPlan does.
// Anyone who may read the review may ask.
func (s *Service) RenderMeetingRecord(ctx context.Context, in MeetingInput) (*cynllun.Job, error) {
	const op = "service.RenderMeetingRecord"
	p, err := principal(ctx, op)
	if err != nil {
		return nil, err
	}
	lang, prio, errs := renderOptions(in.Language, in.Priority)
	if in.Revision < 0 {
		errs = append(errs, cynllun.FieldError{Field: "revision", Message: "must be 1 or more"})
	}
	if len(errs) > 0 {
		return nil, cynllun.Invalid(op, errs...)
	}
	rs, err := s.store.ReviewsByID(ctx, []string{in.ReviewID})
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	if len(rs) == 0 {
		return nil, cynllun.NotFound(op, "review")
	}
	r := rs[0]
	_, l, err := s.planFor(ctx, p, op, r.PlanID)
	if err != nil {
		return nil, cynllun.NotFound(op, "review")
	}
	if !policy.Render(p, l, s.now()).OK {
		return nil, cynllun.E(cynllun.CodeForbidden, op, "you may not have this meeting record rendered")
	}
	if in.Revision == 0 {
		in.Revision = r.Revision
	}
	if in.Revision > r.Revision {
		return nil, cynllun.NotFound(op, "review revision")
	}
	if !r.Held() {
		return nil, cynllun.Invalid(op, cynllun.FieldError{Field: "reviewId", Message: "has no meeting to record: the review was not held"})
	}
	existing, err := s.store.JobsForReview(ctx, r.ID, in.Revision)
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	generation := 1
	for _, j := range existing {
		if j.Kind != cynllun.JobRenderMeeting || j.Language != lang {
			continue
		}
		if j.Status != cynllun.JobFailed && !j.LacksHTML() {
			return j, nil
		}
		generation++
	}
	now := s.now().UTC()
	job := &cynllun.Job{
		ID:   cynllun.MeetingJobID(r.ID, in.Revision, lang, generation),
		Kind: cynllun.JobRenderMeeting, Priority: prio, Status: cynllun.JobPending,
		LearnerID: r.LearnerID, PlanID: r.PlanID, Version: r.PlanVersion, Language: lang,
		ReviewID: r.ID, Revision: in.Revision,
		CreatedAt: now, CreatedBy: p.UserID, UpdatedAt: now,
	}
	return s.startJob(ctx, op, job)
}

// MeetingRecords lists the meeting-record jobs of one revision of a review.
func (s *Service) MeetingRecords(ctx context.Context, r *cynllun.Review) ([]*cynllun.Job, error) {
	const op = "service.MeetingRecords"
	p, err := principal(ctx, op)
	if err != nil {
		return nil, err
	}
	if _, _, err := s.planFor(ctx, p, op, r.PlanID); err != nil {
		return nil, err
	}
	js, err := s.store.JobsForReview(ctx, r.ID, r.Revision)
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	return js, nil
}

// renderOptions applies the defaults of a render request and checks them.
func renderOptions(lang cynllun.RenderLanguage, prio cynllun.JobPriority) (cynllun.RenderLanguage, cynllun.JobPriority, []cynllun.FieldError) {
	var errs []cynllun.FieldError
	if lang == "" {
		lang = cynllun.RenderEN
	}
	if !lang.Valid() {
		errs = append(errs, cynllun.FieldError{Field: "language", Message: "must be EN, CY or BILINGUAL"})
	}
	if prio == "" {
		prio = cynllun.PriorityInteractive
	}
	if prio != cynllun.PriorityInteractive && prio != cynllun.PriorityBulk {
		errs = append(errs, cynllun.FieldError{Field: "priority", Message: "must be INTERACTIVE or BULK"})
	}
	return lang, prio, errs
}

// startJob writes a job and queues it; a job with the same id written a
// moment ago by someone else is theirs and ours.
func (s *Service) startJob(ctx context.Context, op string, job *cynllun.Job) (*cynllun.Job, error) {
	job.RequestID = cynllun.RequestID(ctx)
	if err := s.store.CreateJob(ctx, job); err != nil {
		if cynllun.ErrorCode(err) != cynllun.CodeConflict {
			return nil, cynllun.AsError(op, err)
		}
		return s.jobByID(ctx, op, job.ID)
	}
	s.enqueue(ctx, job)
	return job, nil
}

// enqueue queues a job; a failure is logged and left to the reconciler.
func (s *Service) enqueue(ctx context.Context, j *cynllun.Job) {
	if s.queue == nil {
		s.log.WarnContext(ctx, "no job queue configured; job left pending", "job", j.ID)
		return
	}
	if err := s.queue.Enqueue(ctx, j); err != nil {
		s.log.WarnContext(ctx, "enqueue failed; the reconciler will queue the job", "job", j.ID, "code", string(cynllun.ErrorCode(err)))
	}
}

func (s *Service) jobByID(ctx context.Context, op, id string) (*cynllun.Job, error) {
	js, err := s.store.JobsByID(ctx, []string{id})
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	if len(js) == 0 {
		return nil, cynllun.NotFound(op, "job")
	}
	return js[0], nil
}

// Jobs returns, for each id, the job or nil when missing or not readable
// (a job is readable by whoever may read its learner's record).
func (s *Service) Jobs(ctx context.Context, ids []string) ([]*cynllun.Job, error) {
	const op = "service.Jobs"
	p, err := principal(ctx, op)
	if err != nil {
		return nil, err
	}
	js, err := s.store.JobsByID(ctx, ids)
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	learnerIDs := make([]string, len(js))
	for i, j := range js {
		learnerIDs[i] = j.LearnerID
	}
	readable, err := s.readableLearners(ctx, p, learnerIDs)
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	byID := make(map[string]*cynllun.Job, len(js))
	now := s.now()
	for _, j := range js {
		l := readable[j.LearnerID]
		// A subject access export is the controller's: only those who may
		// ask for one see its job (policy.SubjectAccess).
		if l != nil && (j.Kind != cynllun.JobSubjectAccess || policy.SubjectAccess(p, l, now).OK) {
			byID[j.ID] = j
		}
	}
	out := make([]*cynllun.Job, len(ids))
	for i, id := range ids {
		out[i] = byID[id]
	}
	return out, nil
}

// Job returns a job the principal may see, or NOT_FOUND.
func (s *Service) Job(ctx context.Context, id string) (*cynllun.Job, error) {
	js, err := s.Jobs(ctx, []string{id})
	if err != nil {
		return nil, err
	}
	if js[0] == nil {
		return nil, cynllun.NotFound("service.Job", "job")
	}
	return js[0], nil
}

// Renders lists the render jobs of a plan version, oldest first.
func (s *Service) Renders(ctx context.Context, planID string, version int) ([]*cynllun.Job, error) {
	const op = "service.Renders"
	p, err := principal(ctx, op)
	if err != nil {
		return nil, err
	}
	if _, _, err := s.planFor(ctx, p, op, planID); err != nil {
		return nil, err
	}
	js, err := s.store.JobsForVersion(ctx, planID, version)
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	out := js[:0]
	for _, j := range js {
		if j.Kind == cynllun.JobRenderPlan {
			out = append(out, j)
		}
	}
	return out, nil
}

// SubscribeJob streams a job each time it changes, starting with its state
// now, until it finishes or ctx ends. Access is checked again for every
// update, so ended consent ends the stream.
func (s *Service) SubscribeJob(ctx context.Context, id string) (<-chan *cynllun.Job, error) {
	const op = "service.SubscribeJob"
	if _, err := s.Job(ctx, id); err != nil {
		return nil, err
	}
	if s.pub == nil {
		return nil, cynllun.E(cynllun.CodeInternal, op, "subscriptions are not available")
	}
	updates, err := s.pub.SubscribeJobUpdated(ctx, id)
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	p := cynllun.PrincipalFrom(ctx)
	out := make(chan *cynllun.Job)
	go func() {
		defer close(out)
		send := func() bool {
			// Fresh relationships and no request cache: access now, not at
			// subscription time.
			fresh, err := s.Authenticate(ctx, p.UserID)
			if err != nil {
				return false
			}
			fctx := cynllun.WithPrincipal(context.WithValue(ctx, cacheKey{}, (*requestCache)(nil)), fresh)
			j, err := s.Job(fctx, id)
			if err != nil {
				return false
			}
			select {
			case out <- j:
			case <-ctx.Done():
				return false
			}
			return !j.Status.Finished()
		}
		// The first event is the state now, so a job that finished before
		// the subscription started is not waited on forever.
		if !send() {
			return
		}
		for range updates {
			if !send() {
				return
			}
		}
	}()
	return out, nil
}

// File returns a file's metadata for someone who may read its learner's
// record, or NOT_FOUND.
func (s *Service) File(ctx context.Context, id string) (*cynllun.File, error) {
	f, _, err := s.file(ctx, "service.File", id)
	return f, err
}

func (s *Service) file(ctx context.Context, op, id string) (*cynllun.File, *cynllun.Learner, error) {
	p, err := principal(ctx, op)
	if err != nil {
		return nil, nil, err
	}
	f, err := s.store.FileByID(ctx, id)
	if err != nil {
		return nil, nil, cynllun.AsError(op, err)
	}
	l, err := s.learnerFor(ctx, p, op, f.LearnerID)
	if err != nil {
		return nil, nil, cynllun.NotFound(op, "file")
	}
	if f.Kind == cynllun.FileExport && !policy.SubjectAccess(p, l, s.now()).OK {
		// A subject access export: for the controller's staff only.
		return nil, nil, cynllun.NotFound(op, "file")
	}
	if f.CaseID != "" {
		// A case's files are the case's: an advocate whose consent covers
		// another case may not have them.
		_, c, cl, err := s.caseFor(ctx, op, f.CaseID)
		if err != nil {
			return nil, nil, cynllun.NotFound(op, "file")
		}
		// An upload is the evidence's: undisclosed evidence of the other
		// side is not theirs to have (issue 17).
		if f.Kind == cynllun.FileUpload {
			if ok, err := s.evidenceFileVisible(ctx, op, p, c, cl, f.ID); err != nil || !ok {
				return nil, nil, cynllun.NotFound(op, "file")
			}
		}
	}
	return f, l, nil
}

// DownloadFile returns a file and its bytes, and records the download in the
// audit trail first: no bytes leave without their audit record.
func (s *Service) DownloadFile(ctx context.Context, id string) (*cynllun.File, []byte, error) {
	const op = "service.DownloadFile"
	f, l, err := s.file(ctx, op, id)
	if err != nil {
		return nil, nil, err
	}
	p := cynllun.PrincipalFrom(ctx)
	now := s.now()
	part := "file.download"
	if f.Kind == cynllun.FileExport {
		part = AuditPartSubjectAccessDownload
	}
	ev := cynllun.AuditEvent{
		ID: cynllun.NewID(cynllun.PrefixAudit), At: now.UTC(), ActorID: p.UserID, LearnerID: f.LearnerID,
		Part: part, PlanID: f.PlanID, Version: f.Version, Action: "download",
		Reason: string(policy.ReadLearner(p, l, now).Reason),
	}
	if err := s.audit(ctx, op, []cynllun.AuditEvent{ev}); err != nil {
		return nil, nil, err
	}
	data, err := s.store.ReadFile(ctx, f.ID)
	if err != nil {
		return nil, nil, cynllun.AsError(op, err)
	}
	return f, data, nil
}

// MaxLinkTTL bounds how long a signed download link lives.
const MaxLinkTTL = time.Hour

// FileURL returns a signed download link for a file the principal may read,
// valid for ttl (default 5 minutes, at most MaxLinkTTL) and bound to the
// principal: the download is checked and audited as theirs.
func (s *Service) FileURL(ctx context.Context, id string, ttl time.Duration) (string, time.Time, error) {
	const op = "service.FileURL"
	if ttl <= 0 {
		ttl = 5 * time.Minute
	}
	if ttl > MaxLinkTTL {
		return "", time.Time{}, cynllun.Invalid(op, cynllun.FieldError{Field: "expiresInSeconds", Message: "must be at most 3600"})
	}
	f, err := s.File(ctx, id)
	if err != nil {
		return "", time.Time{}, err
	}
	if s.urls == nil {
		return "", time.Time{}, cynllun.E(cynllun.CodeInternal, op, "download links are not configured")
	}
	p := cynllun.PrincipalFrom(ctx)
	exp := s.now().Add(ttl).Truncate(time.Second)
	return s.urls.SignFileURL(f.ID, p.UserID, exp), exp, nil
}
