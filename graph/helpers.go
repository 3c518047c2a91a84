package graph

import (
	"context"
	"fmt"
	"io"
	"reflect"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/quality"
	"github.com/cynllun/cynllun/service"
)

// Helpers for the resolvers in schema.resolvers.go (kept apart so that
// regeneration never moves them).

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func pointers[T any](vs []T) []*T {
	out := make([]*T, len(vs))
	for i := range vs {
		out[i] = &vs[i]
	}
	return out
}

func pageSize(n *int) int {
	if n == nil {
		return 50
	}
	return *n
}

// organisation loads an organisation through the request's loader; a
// missing one is an error only when required.
func (r *Resolver) organisation(ctx context.Context, id string, required bool) (*cynllun.Organisation, error) {
	if id == "" {
		if required {
			return nil, cynllun.NotFound("graph.organisation", "organisation")
		}
		return nil, nil
	}
	o, err := loadersFrom(ctx, r.Svc).Organisation.Load(ctx, id)
	if err == nil && o == nil && required {
		err = cynllun.NotFound("graph.organisation", "organisation")
	}
	return o, err
}

// wantsContent says whether the query selects the version's content, so a
// version read for its number or status is not loaded (and audited) as a
// read of the plan's content.
func wantsContent(ctx context.Context) bool {
	for _, f := range graphql.CollectAllFields(ctx) {
		if f == "content" {
			return true
		}
	}
	return false
}

func (r *Resolver) version(ctx context.Context, planID string, n int, required bool) (*cynllun.Version, error) {
	l := loadersFrom(ctx, r.Svc)
	key := service.VersionKey{PlanID: planID, Number: n}
	var v *cynllun.Version
	var err error
	if wantsContent(ctx) {
		v, err = l.Version.Load(ctx, key)
	} else {
		v, err = l.VersionMeta.Load(ctx, key)
	}
	if err != nil {
		return nil, err
	}
	if v == nil && required {
		return nil, cynllun.NotFound("graph.version", "plan version")
	}
	return v, nil
}

// content returns a version's content, reading it through the audited
// loader unless it came with the version (already audited, or just written
// by this caller).
func (r *Resolver) content(ctx context.Context, v *cynllun.Version) (*cynllun.Content, error) {
	if v.Content != nil {
		return v.Content, nil
	}
	full, err := loadersFrom(ctx, r.Svc).Version.Load(ctx, service.VersionKey{PlanID: v.PlanID, Number: v.Number})
	if err != nil {
		return nil, err
	}
	if full == nil || full.Content == nil {
		return nil, cynllun.NotFound("graph.content", "plan version")
	}
	return full.Content, nil
}

// primeVersion puts a version the caller has just written into the
// request's loaders, so the mutation's response does not read it back.
func primeVersion(ctx context.Context, svc *service.Service, v *cynllun.Version) {
	l := loadersFrom(ctx, svc)
	key := service.VersionKey{PlanID: v.PlanID, Number: v.Number}
	l.Version.Prime(key, v)
	meta := *v
	meta.Content = nil
	l.VersionMeta.Prime(key, &meta)
	l.CurrentVersion.Clear(v.PlanID)
	l.CurrentVersion.Prime(v.PlanID, v.Number)
}

func pageInfo(start, end string, more, hasPrev bool) PageInfo {
	pi := PageInfo{HasNextPage: more, HasPreviousPage: hasPrev}
	if start != "" {
		pi.StartCursor = &start
		pi.EndCursor = &end
	}
	return pi
}

func (r *Resolver) learners(ctx context.Context, first *int, after *string, f *service.LearnerFilter) (*LearnerConnection, error) {
	const op = "graph.learners"
	cur, err := decodeKeyCursor(op, after)
	if err != nil {
		return nil, err
	}
	var filter service.LearnerFilter
	if f != nil {
		filter = *f
	}
	ls, more, total, err := r.Svc.Learners(ctx, filter, cur, pageSize(first))
	if err != nil {
		return nil, err
	}
	conn := &LearnerConnection{TotalCount: total, Edges: make([]*LearnerEdge, len(ls))}
	loader := loadersFrom(ctx, r.Svc).Learner
	for i, l := range ls {
		conn.Edges[i] = &LearnerEdge{Cursor: keyCursor(cynllun.LearnerSortKey(l), l.ID), Node: *l}
		loader.Prime(l.ID, l)
	}
	r.prefetchLearners(ctx, ls)
	if len(ls) > 0 {
		conn.PageInfo = pageInfo(conn.Edges[0].Cursor, conn.Edges[len(ls)-1].Cursor, more, cur != nil)
	} else {
		conn.PageInfo = pageInfo("", "", more, cur != nil)
	}
	return conn, nil
}

func (r *Resolver) organisations(ctx context.Context, first *int, after *string, f *service.OrgFilter) (*OrganisationConnection, error) {
	const op = "graph.organisations"
	cur, err := decodeKeyCursor(op, after)
	if err != nil {
		return nil, err
	}
	var filter service.OrgFilter
	if f != nil {
		filter = *f
	}
	os, more, err := r.Svc.Organisations(ctx, filter, cur, pageSize(first))
	if err != nil {
		return nil, err
	}
	conn := &OrganisationConnection{Edges: make([]*OrganisationEdge, len(os))}
	for i, o := range os {
		conn.Edges[i] = &OrganisationEdge{Cursor: keyCursor(cynllun.Fold(o.Name), o.ID), Node: *o}
	}
	if len(os) > 0 {
		conn.PageInfo = pageInfo(conn.Edges[0].Cursor, conn.Edges[len(os)-1].Cursor, more, cur != nil)
	} else {
		conn.PageInfo = pageInfo("", "", more, cur != nil)
	}
	return conn, nil
}

func (r *Resolver) versions(ctx context.Context, plan *cynllun.Plan, first *int, after *string) (*PlanVersionConnection, error) {
	const op = "graph.versions"
	n, err := decodeNumberCursor(op, after)
	if err != nil {
		return nil, err
	}
	vs, more, err := r.Svc.ListVersions(ctx, plan.ID, n, pageSize(first))
	if err != nil {
		return nil, err
	}
	conn := &PlanVersionConnection{Edges: make([]*PlanVersionEdge, len(vs))}
	for i, v := range vs {
		conn.Edges[i] = &PlanVersionEdge{Cursor: numberCursor(v.Number), Node: *v}
	}
	if len(vs) > 0 {
		conn.PageInfo = pageInfo(conn.Edges[0].Cursor, conn.Edges[len(vs)-1].Cursor, more, n > 0)
	} else {
		conn.PageInfo = pageInfo("", "", more, n > 0)
	}
	return conn, nil
}

func (r *Resolver) auditEvents(ctx context.Context, learnerID string, first *int, after *string) (*AuditEventConnection, error) {
	const op = "graph.auditEvents"
	before, err := decodeAuditCursor(op, after)
	if err != nil {
		return nil, err
	}
	evs, more, err := r.Svc.AuditEvents(ctx, learnerID, before, pageSize(first))
	if err != nil {
		return nil, err
	}
	conn := &AuditEventConnection{Edges: make([]*AuditEventEdge, len(evs))}
	for i, e := range evs {
		conn.Edges[i] = &AuditEventEdge{Cursor: encodeCursor(auditCursor{At: e.At, ID: e.ID}), Node: e}
	}
	if len(evs) > 0 {
		conn.PageInfo = pageInfo(conn.Edges[0].Cursor, conn.Edges[len(evs)-1].Cursor, more, before != nil)
	} else {
		conn.PageInfo = pageInfo("", "", more, before != nil)
	}
	return conn, nil
}

// node resolves a global id by its prefix. Unknown, missing and unreadable
// ids are all NOT_FOUND.
func (r *Resolver) node(ctx context.Context, id string) (Node, error) {
	const op = "graph.node"
	switch {
	case strings.HasPrefix(id, cynllun.PrefixLearner):
		return r.Svc.Learner(ctx, id)
	case strings.HasPrefix(id, cynllun.PrefixOrganisation):
		return r.Svc.Organisation(ctx, id)
	case strings.HasPrefix(id, cynllun.PrefixPlan) && strings.Contains(id, "#"):
		planID, n, rowID, ok := cynllun.ParseRowNodeID(id)
		if !ok {
			return nil, cynllun.NotFound(op, "node")
		}
		return r.versionRow(ctx, planID, n, rowID)
	case strings.HasPrefix(id, cynllun.PrefixPlan) && strings.Contains(id, "/"):
		planID, n, ok := cynllun.ParseVersionID(id)
		if !ok {
			return nil, cynllun.NotFound(op, "node")
		}
		return r.version(ctx, planID, n, true)
	case strings.HasPrefix(id, cynllun.PrefixPlan):
		return r.Svc.Plan(ctx, id)
	case strings.HasPrefix(id, cynllun.PrefixJob):
		return r.Svc.Job(ctx, id)
	case strings.HasPrefix(id, cynllun.PrefixFile):
		return r.Svc.File(ctx, id)
	case strings.HasPrefix(id, cynllun.PrefixReview) && strings.Contains(id, "/"):
		reviewID, n, ok := cynllun.ParseRevisionID(id, cynllun.PrefixReview)
		if !ok {
			return nil, cynllun.NotFound(op, "node")
		}
		rv, err := r.Svc.ReviewRevision(ctx, reviewID, n)
		if err != nil {
			return nil, err
		}
		return &ReviewRevision{Review: *rv}, nil
	case strings.HasPrefix(id, cynllun.PrefixReview):
		return r.Svc.Review(ctx, id)
	case strings.HasPrefix(id, cynllun.PrefixSession):
		return r.Svc.Session(ctx, id)
	case strings.HasPrefix(id, cynllun.PrefixDeadline):
		return r.Svc.Deadline(ctx, id)
	case strings.HasPrefix(id, cynllun.PrefixCase) && strings.Contains(id, "/"):
		caseID, n, ok := cynllun.ParseRevisionID(id, cynllun.PrefixCase)
		if !ok {
			return nil, cynllun.NotFound(op, "node")
		}
		c, err := r.Svc.CaseRevision(ctx, caseID, n)
		if err != nil {
			return nil, err
		}
		return &CaseRevision{Case: *c}, nil
	case strings.HasPrefix(id, cynllun.PrefixCase):
		return r.Svc.Case(ctx, id)
	case strings.HasPrefix(id, cynllun.PrefixBundle):
		return r.Svc.Bundle(ctx, id)
	case strings.HasPrefix(id, cynllun.PrefixEvidence):
		return r.Svc.EvidenceItem(ctx, id)
	case strings.HasPrefix(id, cynllun.PrefixWebhook):
		return r.Svc.WebhookEndpoint(ctx, id)
	case strings.HasPrefix(id, cynllun.PrefixUser) && strings.Contains(id, "@"):
		return r.Svc.PersonByID(ctx, id)
	case strings.HasPrefix(id, cynllun.PrefixUser):
		if p := cynllun.PrincipalFrom(ctx); p != nil && p.UserID == id {
			return r.Svc.Me(ctx)
		}
	}
	return nil, cynllun.NotFound(op, "node")
}

// maxNodes bounds nodes(ids:): each id is a read (priced in cost.go too).
const maxNodes = 100

// nodes resolves each id as node does, in order. An id that names nothing
// the principal may see is a null entry, not an error, so that one
// unreadable id does not hide the others; any other failure fails the
// field.
func (r *Resolver) nodes(ctx context.Context, ids []string) ([]Node, error) {
	const op = "graph.nodes"
	if len(ids) > maxNodes {
		return nil, cynllun.Invalid(op, cynllun.FieldError{Field: "ids", Message: fmt.Sprintf("at most %d ids at once", maxNodes)})
	}
	out := make([]Node, len(ids))
	for i, id := range ids {
		n, err := r.node(ctx, id)
		switch {
		case cynllun.ErrorCode(err) == cynllun.CodeNotFound:
			continue
		case err != nil:
			return nil, err
		}
		// A typed nil (a service returning a nil pointer) stays null.
		if n != nil && !reflect.ValueOf(n).IsNil() {
			out[i] = n
		}
	}
	return out, nil
}

func (r *Resolver) relationships(ctx context.Context, u *cynllun.User) ([]*cynllun.Relationship, error) {
	p := cynllun.PrincipalFrom(ctx)
	if p == nil || p.UserID != u.ID {
		return nil, cynllun.E(cynllun.CodeForbidden, "graph.relationships", "you may list only your own relationships")
	}
	return pointers(p.Relationships), nil
}

func (r *Resolver) planVersionSaved(ctx context.Context, planID string) (<-chan *service.VersionSaved, error) {
	in, err := r.Svc.SubscribeVersionSaved(ctx, planID)
	if err != nil {
		return nil, err
	}
	out := make(chan *service.VersionSaved)
	go func() {
		defer close(out)
		for ev := range in {
			e := ev
			select {
			case out <- &e:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}

// SetComplexity makes list fields cost their page size times their
// children, so the complexity limit bounds the work a query can ask for.
func SetComplexity(c *ComplexityRoot) {
	c.Query.Learners = func(child int, first *int, _ *string, _ *service.LearnerFilter) int {
		return 1 + pageSize(first)*child
	}
	c.Query.Organisations = func(child int, first *int, _ *string, _ *service.OrgFilter) int {
		return 1 + pageSize(first)*child
	}
	c.Query.AuditEvents = func(child int, _ string, first *int, _ *string) int {
		return 1 + pageSize(first)*child
	}
	c.Plan.Versions = func(child int, first *int, _ *string) int {
		return 1 + pageSize(first)*child
	}
	// A learner rarely has more than a few plans over the years.
	c.Learner.Plans = func(child int) int { return 1 + 5*child }
	// About one review a year, each a handful of revisions.
	c.Plan.Reviews = func(child int) int { return 1 + 10*child }
	c.Review.Revisions = func(child int) int { return 1 + 10*child }
	c.Plan.Sessions = func(child int, _, _ *cynllun.Date, _ *string) int { return 1 + 200*child }
	c.Query.Deadlines = func(child int, _ *service.DeadlineFilter, first *int, _ *string) int {
		return 1 + pageSize(first)*child
	}
	c.Organisation.Deadlines = func(child int, _ []cynllun.DeadlineStatus, first *int) int { return 1 + pageSize(first)*child }
	c.Learner.Deadlines = func(child int, _ []cynllun.DeadlineStatus) int { return 1 + 20*child }
	// A learner has a case or two; a case a few dozen documents and a
	// handful of bundle versions. A preview renders the documents from the
	// record: it costs as much as a page of learners, so a query can ask
	// for a few, not one per case of a long list.
	c.Learner.Cases = func(child int) int { return 1 + 5*child }
	c.Case.Evidence = func(child int) int { return 1 + 50*child }
	c.Case.Bundles = func(child int) int { return 1 + 10*child }
	c.Case.Revisions = func(child int) int { return 1 + 20*child }
	c.Case.BundlePreview = func(child int) int { return 2000 + child }
	// The plan rules read the version's content and the plan's version
	// list: a handful of findings each.
	setCosts(c)
}

func optionalTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func renderInput(planID string, version *int, lang *cynllun.RenderLanguage, prio *cynllun.JobPriority) service.RenderInput {
	in := service.RenderInput{PlanID: planID}
	if version != nil {
		in.Version = *version
		if in.Version == 0 {
			in.Version = -1 // 0 is not a version number; the service says so
		}
	}
	if lang != nil {
		in.Language = *lang
	}
	if prio != nil {
		in.Priority = *prio
	}
	return in
}

// jobFile is a job's result, once it has one.
func (r *Resolver) jobFile(ctx context.Context, j *cynllun.Job) (*cynllun.File, error) {
	if j.FileID == "" {
		return nil, nil
	}
	return r.Svc.File(ctx, j.FileID)
}

func (r *Resolver) downloadURL(ctx context.Context, f *cynllun.File, seconds *int) (*string, error) {
	ttl := 5 * time.Minute
	if seconds != nil {
		if *seconds < 1 {
			return nil, cynllun.Invalid("graph.downloadUrl", cynllun.FieldError{Field: "expiresInSeconds", Message: "must be between 1 and 3600"})
		}
		ttl = time.Duration(*seconds) * time.Second
	}
	u, _, err := r.Svc.FileURL(ctx, f.ID, ttl)
	if err != nil {
		return nil, err
	}
	return &u, nil
}

func optionalInt(n int) *int {
	if n == 0 {
		return nil
	}
	return &n
}

// optionalEnum is nil for an enum's zero value.
func optionalEnum[T ~string](v T) *T {
	if v == "" {
		return nil
	}
	return &v
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func values[T any](ps []*T) []T {
	out := make([]T, 0, len(ps))
	for _, p := range ps {
		if p != nil {
			out = append(out, *p)
		}
	}
	return out
}

// daysBetween is the number of days from a to b (negative when b is
// earlier).
func daysBetween(a, b cynllun.Date) int {
	return int(b.Time().Sub(a.Time()).Hours() / 24)
}

func meetingInput(reviewID string, revision *int, lang *cynllun.RenderLanguage, prio *cynllun.JobPriority) service.MeetingInput {
	in := service.MeetingInput{ReviewID: reviewID, Language: deref(lang), Priority: deref(prio)}
	if revision != nil {
		in.Revision = *revision
		if in.Revision == 0 {
			in.Revision = -1 // 0 is not a revision; the service says so
		}
	}
	return in
}

func ledgerQuery(planID string, from, to *cynllun.Date, rowID *string, version *int) service.LedgerQuery {
	q := service.LedgerQuery{PlanID: planID, From: deref(from), To: deref(to), RowID: deref(rowID), Version: deref(version)}
	if version != nil && *version == 0 {
		q.Version = -1
	}
	return q
}

// uploadAttachment stores a multipart upload in a learner's record.
func (r *Resolver) uploadAttachment(ctx context.Context, learnerID string, f graphql.Upload, key string) (*cynllun.File, error) {
	data, err := r.readUpload("graph.uploadAttachment", f)
	if err != nil {
		return nil, err
	}
	return r.Svc.UploadAttachment(ctx, service.UploadInput{IdempotencyKey: key, LearnerID: learnerID, Name: f.Filename, DeclaredType: f.ContentType, Data: data})
}

// readUpload reads a multipart upload, at most one byte over the limit (so
// that an oversize file is reported as such, not truncated).
func (r *Resolver) readUpload(op string, f graphql.Upload) ([]byte, error) {
	max := r.Svc.MaxUploadBytes()
	if f.Size > max {
		return nil, cynllun.Invalid(op, cynllun.FieldError{Field: "file", Message: fmt.Sprintf("is larger than the limit of %d MiB", max>>20)})
	}
	data, err := io.ReadAll(io.LimitReader(f.File, max+1))
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	return data, nil
}

// reviewContext is the review's context, loaded once per request.
func (r *Resolver) reviewContext(ctx context.Context, rv *cynllun.Review) (*service.ReviewContext, error) {
	return loadersFrom(ctx, r.Svc).ReviewContext.Load(ctx, rv)
}

func (r *Resolver) reviewQuality(ctx context.Context, rv *cynllun.Review) ([]quality.Check, []quality.Finding, error) {
	rc, err := r.reviewContext(ctx, rv)
	if err != nil {
		return nil, nil, err
	}
	checks, findings := rc.Quality()
	return checks, findings, nil
}

func (r *Resolver) reviewLedger(ctx context.Context, rv *cynllun.Review) (*service.PlanLedger, error) {
	rc, err := r.reviewContext(ctx, rv)
	if err != nil {
		return nil, err
	}
	out := &service.PlanLedger{PlanID: rv.PlanID, From: rc.From, To: rc.To, Version: rv.PlanVersion}
	if rc.Reviewed != nil && rc.Reviewed.Content != nil {
		rows := rc.Reviewed.Content.Provision
		for i := range rc.Ledger {
			out.Rows = append(out.Rows, service.RowLedger{RowSummary: rc.Ledger[i], Row: &rows[i]})
		}
	}
	return out, nil
}

// dueKey is a deadline's place in due-date order (undated last), as the
// store sorts them.
func dueKey(d *cynllun.Deadline) string {
	if d.Due.IsZero() {
		return "~"
	}
	return d.Due.String()
}

func (r *Resolver) deadlines(ctx context.Context, f *service.DeadlineFilter, first *int, after *string) (*DeadlineConnection, error) {
	c, err := decodeKeyCursor("graph.deadlines", after)
	if err != nil {
		return nil, err
	}
	var afterDue, afterID string
	if c != nil {
		afterDue, afterID = c.Key, c.ID
	}
	ds, more, err := r.Svc.Deadlines(ctx, deref(f), afterDue, afterID, pageSize(first))
	if err != nil {
		return nil, err
	}
	conn := &DeadlineConnection{Edges: make([]*DeadlineEdge, len(ds))}
	for i, d := range ds {
		conn.Edges[i] = &DeadlineEdge{Cursor: keyCursor(dueKey(d), d.ID), Node: *d}
	}
	if len(ds) > 0 {
		conn.PageInfo = pageInfo(conn.Edges[0].Cursor, conn.Edges[len(ds)-1].Cursor, more, c != nil)
	} else {
		conn.PageInfo = pageInfo("", "", more, c != nil)
	}
	return conn, nil
}
