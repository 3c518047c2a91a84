package graph

import (
	"context"
	"fmt"
	"io"
	"reflect"
	"strconv"
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

// typical is what a page of a list read whole is priced at: the page
// size asked for, at most the list's typical length.
func typical(first, last *int, n int) int { return min(pages(first, last), n) }

// pages is the page size a connection's first and last ask for (the
// default when neither is given), for pricing.
func pages(first, last *int) int {
	switch {
	case first != nil:
		return max(*first, 0)
	case last != nil:
		return max(*last, 0)
	}
	return service.DefaultPage
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

func (r *Resolver) learners(ctx context.Context, a pageArgs, f *service.LearnerFilter) (*LearnerConnection, error) {
	const op = "graph.learners"
	l := listOf("learners")
	pg, err := page(op, l, a)
	if err != nil {
		return nil, err
	}
	filter := deref(f)
	p, err := r.Svc.Learners(ctx, filter, pg)
	if err != nil {
		return nil, err
	}
	conn := &LearnerConnection{Counted: countOf(func(ctx context.Context) (int, error) { return r.Svc.CountLearners(ctx, filter) })}
	conn.Edges, conn.PageInfo = connect(l, p,
		func(x *cynllun.Learner) service.Cursor {
			return service.Cursor{Key: cynllun.LearnerSortKey(x), ID: x.ID}
		},
		func(c string, x *cynllun.Learner) *LearnerEdge { return &LearnerEdge{Cursor: c, Node: *x} })
	loader := loadersFrom(ctx, r.Svc).Learner
	for _, x := range p.Items {
		loader.Prime(x.ID, x)
	}
	r.prefetchLearners(ctx, p.Items)
	return conn, nil
}

func (r *Resolver) organisations(ctx context.Context, a pageArgs, f *service.OrgFilter) (*OrganisationConnection, error) {
	const op = "graph.organisations"
	l := listOf("organisations")
	pg, err := page(op, l, a)
	if err != nil {
		return nil, err
	}
	filter := deref(f)
	p, err := r.Svc.Organisations(ctx, filter, pg)
	if err != nil {
		return nil, err
	}
	conn := &OrganisationConnection{Counted: countOf(func(ctx context.Context) (int, error) { return r.Svc.CountOrganisations(ctx, filter) })}
	conn.Edges, conn.PageInfo = connect(l, p,
		func(o *cynllun.Organisation) service.Cursor {
			return service.Cursor{Key: cynllun.Fold(o.Name), ID: o.ID}
		},
		func(c string, o *cynllun.Organisation) *OrganisationEdge {
			return &OrganisationEdge{Cursor: c, Node: *o}
		})
	return conn, nil
}

func (r *Resolver) versions(ctx context.Context, plan *cynllun.Plan, a pageArgs) (*PlanVersionConnection, error) {
	const op = "graph.versions"
	l := listOf("plan.versions", plan.ID)
	pg, err := page(op, l, a)
	if err != nil {
		return nil, err
	}
	p, total, err := r.Svc.ListVersions(ctx, plan.ID, pg)
	if err != nil {
		return nil, err
	}
	conn := &PlanVersionConnection{Counted: counted(total)}
	conn.Edges, conn.PageInfo = connect(l, p,
		func(v *cynllun.Version) service.Cursor { return service.Cursor{Key: strconv.Itoa(v.Number)} },
		func(c string, v *cynllun.Version) *PlanVersionEdge { return &PlanVersionEdge{Cursor: c, Node: *v} })
	return conn, nil
}

func (r *Resolver) auditEvents(ctx context.Context, learnerID string, a pageArgs) (*AuditEventConnection, error) {
	const op = "graph.auditEvents"
	l := listOf("auditEvents", learnerID)
	pg, err := page(op, l, a)
	if err != nil {
		return nil, err
	}
	p, err := r.Svc.AuditEvents(ctx, learnerID, pg)
	if err != nil {
		return nil, err
	}
	conn := &AuditEventConnection{Counted: countOf(func(ctx context.Context) (int, error) { return r.Svc.CountAuditEvents(ctx, learnerID) })}
	conn.Edges, conn.PageInfo = connect(l, p,
		func(e cynllun.AuditEvent) service.Cursor {
			return service.Cursor{Key: e.At.UTC().Format(time.RFC3339Nano), ID: e.ID}
		},
		func(c string, e cynllun.AuditEvent) *AuditEventEdge { return &AuditEventEdge{Cursor: c, Node: e} })
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
	c.Query.Learners = func(child int, first *int, _ *string, last *int, _ *string, _ *service.LearnerFilter) int {
		return 1 + pages(first, last)*child
	}
	c.Query.Organisations = func(child int, first *int, _ *string, last *int, _ *string, _ *service.OrgFilter) int {
		return 1 + pages(first, last)*child
	}
	c.Query.AuditEvents = func(child int, _ string, first *int, _ *string, last *int, _ *string) int {
		return 1 + pages(first, last)*child
	}
	c.Plan.Versions = func(child int, first *int, _ *string, last *int, _ *string) int {
		return 1 + pages(first, last)*child
	}
	c.Query.Cases = func(child int, _ *cynllun.WorkOrder, first *int, _ *string, last *int, _ *string) int {
		return 1 + pages(first, last)*child
	}
	c.Query.Reviews = func(child int, _ *cynllun.WorkOrder, first *int, _ *string, last *int, _ *string) int {
		return 1 + pages(first, last)*child
	}
	c.Query.Search = func(child int, _ string, first *int, _ *string, last *int, _ *string) int {
		return 1 + pages(first, last)*child
	}
	// A learner rarely has more than a few plans over the years.
	c.Learner.Plans = func(child int) int { return 1 + 5*child }
	// Lists read whole and paged in memory cost a page of at most their
	// typical length: about one review a year, each a handful of
	// revisions; a few hundred ledger entries a year.
	c.Plan.Reviews = func(child int, first *int, _ *string, last *int, _ *string) int {
		return 1 + typical(first, last, 10)*child
	}
	c.Review.Revisions = func(child int, first *int, _ *string, last *int, _ *string) int {
		return 1 + typical(first, last, 10)*child
	}
	c.Plan.Sessions = func(child int, _, _ *cynllun.Date, _ *string, first *int, _ *string, last *int, _ *string) int {
		return 1 + typical(first, last, 200)*child
	}
	c.Query.Deadlines = func(child int, _, _ *cynllun.Date, _ *service.DeadlineFilter, _ *DeadlineOrder, first *int, _ *string, last *int, _ *string) int {
		return 1 + pages(first, last)*child
	}
	c.Organisation.Deadlines = func(child int, _ []cynllun.DeadlineStatus, _, _ *cynllun.Date, _ *DeadlineOrder, first *int, _ *string, last *int, _ *string) int {
		return 1 + pages(first, last)*child
	}
	c.Learner.Deadlines = func(child int, _ []cynllun.DeadlineStatus, _ *DeadlineOrder, first *int, _ *string, last *int, _ *string) int {
		return 1 + pages(first, last)*child
	}
	// A learner has a case or two; a case a few dozen documents and a
	// handful of bundle versions. A preview renders the documents from the
	// record: it costs as much as a page of learners, so a query can ask
	// for a few, not one per case of a long list.
	c.Learner.Cases = func(child int, first *int, _ *string, last *int, _ *string) int {
		return 1 + typical(first, last, 5)*child
	}
	c.Case.Evidence = func(child int, first *int, _ *string, last *int, _ *string) int {
		return 1 + typical(first, last, 50)*child
	}
	c.Case.Bundles = func(child int, first *int, _ *string, last *int, _ *string) int {
		return 1 + typical(first, last, 10)*child
	}
	c.Case.Revisions = func(child int, first *int, _ *string, last *int, _ *string) int {
		return 1 + typical(first, last, 20)*child
	}
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

// jobFile is one of a job's results (its PDF or its HTML rendition), once
// it has it.
func (r *Resolver) jobFile(ctx context.Context, id string) (*cynllun.File, error) {
	if id == "" {
		return nil, nil
	}
	return r.Svc.File(ctx, id)
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

// deadlines is a page of a list of deadlines: l names the list (bound to
// its order), f what it holds.
func (r *Resolver) deadlines(ctx context.Context, op string, l list, f service.DeadlineFilter, a pageArgs) (*DeadlineConnection, error) {
	pg, err := page(op, l, a)
	if err != nil {
		return nil, err
	}
	p, err := r.Svc.Deadlines(ctx, f, pg)
	if err != nil {
		return nil, err
	}
	conn := &DeadlineConnection{Counted: countOf(func(ctx context.Context) (int, error) { return r.Svc.CountDeadlines(ctx, f) })}
	conn.Edges, conn.PageInfo = connect(l, p,
		func(d *cynllun.Deadline) service.Cursor {
			return service.Cursor{Key: cynllun.DeadlineDueKey(d), ID: d.ID}
		},
		func(c string, d *cynllun.Deadline) *DeadlineEdge { return &DeadlineEdge{Cursor: c, Node: *d} })
	return conn, nil
}

// deadlineList names a list of deadlines: its own name and owner, and its
// order.
func deadlineList(name, owner string, order *DeadlineOrder) (list, bool) {
	latest := order != nil && *order == DeadlineOrderDueLatest
	o := string(DeadlineOrderDueSoonest)
	if latest {
		o = string(DeadlineOrderDueLatest)
	}
	if owner == "" {
		return listOf(name, o), latest
	}
	return listOf(name, owner, o), latest
}

// topDeadlines is Query.deadlines: from and to are filter.dueFrom and
// filter.dueTo by shorter names.
func (r *Resolver) topDeadlines(ctx context.Context, from, to *cynllun.Date, filter *service.DeadlineFilter, order *DeadlineOrder, a pageArgs) (*DeadlineConnection, error) {
	const op = "graph.deadlines"
	f := deref(filter)
	var fes []cynllun.FieldError
	if from != nil && !from.IsZero() {
		if !f.DueFrom.IsZero() {
			fes = append(fes, cynllun.FieldError{Field: "from", Message: "give from or filter.dueFrom, not both"})
		}
		f.DueFrom = *from
	}
	if to != nil && !to.IsZero() {
		if !f.DueTo.IsZero() {
			fes = append(fes, cynllun.FieldError{Field: "to", Message: "give to or filter.dueTo, not both"})
		}
		f.DueTo = *to
	}
	if len(fes) > 0 {
		return nil, cynllun.Invalid(op, fes...)
	}
	l, latest := deadlineList("deadlines", "", order)
	f.Latest = latest
	return r.deadlines(ctx, op, l, f, a)
}

// caseloadOrder is an orderBy argument's order (OPEN_FIRST when absent).
func caseloadOrder(o *cynllun.WorkOrder) cynllun.WorkOrder {
	if o == nil || *o == "" {
		return cynllun.OrderOpenFirst
	}
	return *o
}

// cases is Query.cases: the viewer's caseload of cases.
func (r *Resolver) cases(ctx context.Context, orderBy *cynllun.WorkOrder, a pageArgs) (*CaseConnection, error) {
	const op = "graph.cases"
	o := caseloadOrder(orderBy)
	l := listOf("cases", string(o))
	pg, err := page(op, l, a)
	if err != nil {
		return nil, err
	}
	p, err := r.Svc.CaseList(ctx, o, pg)
	if err != nil {
		return nil, err
	}
	conn := &CaseConnection{Counted: countOf(r.Svc.CountCases)}
	conn.Edges, conn.PageInfo = connect(l, p,
		func(c *cynllun.Case) service.Cursor { return service.Cursor{Key: service.WorkKey(o, c), ID: c.ID} },
		func(cur string, c *cynllun.Case) *CaseEdge { return &CaseEdge{Cursor: cur, Node: c} })
	return conn, nil
}

// reviews is Query.reviews: the viewer's caseload of reviews.
func (r *Resolver) reviews(ctx context.Context, orderBy *cynllun.WorkOrder, a pageArgs) (*ReviewConnection, error) {
	const op = "graph.reviews"
	o := caseloadOrder(orderBy)
	l := listOf("reviews", string(o))
	pg, err := page(op, l, a)
	if err != nil {
		return nil, err
	}
	p, err := r.Svc.ReviewList(ctx, o, pg)
	if err != nil {
		return nil, err
	}
	conn := &ReviewConnection{Counted: countOf(r.Svc.CountReviews)}
	conn.Edges, conn.PageInfo = connect(l, p,
		func(rv *cynllun.Review) service.Cursor { return service.Cursor{Key: service.WorkKey(o, rv), ID: rv.ID} },
		func(cur string, rv *cynllun.Review) *ReviewEdge { return &ReviewEdge{Cursor: cur, Node: rv} })
	return conn, nil
}

// search is Query.search.
func (r *Resolver) search(ctx context.Context, text string, a pageArgs) (*SearchConnection, error) {
	const op = "graph.search"
	l := listOf("search", text)
	pg, err := page(op, l, a)
	if err != nil {
		return nil, err
	}
	p, err := r.Svc.Search(ctx, text, pg)
	if err != nil {
		return nil, err
	}
	conn := &SearchConnection{Counted: countOf(func(ctx context.Context) (int, error) { return r.Svc.CountSearch(ctx, text) })}
	var learners []*cynllun.Learner
	conn.Edges, conn.PageInfo = connect(l, p, service.SearchHit.Key,
		func(cur string, h service.SearchHit) *SearchEdge {
			if h.Plan != nil {
				return &SearchEdge{Cursor: cur, Node: h.Plan}
			}
			learners = append(learners, h.Learner)
			return &SearchEdge{Cursor: cur, Node: h.Learner}
		})
	loader := loadersFrom(ctx, r.Svc).Learner
	for _, x := range learners {
		loader.Prime(x.ID, x)
	}
	r.prefetchLearners(ctx, learners)
	return conn, nil
}
