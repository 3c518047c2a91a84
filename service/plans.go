package service

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/form"
	"github.com/cynllun/cynllun/internal/failpoint"
	"github.com/cynllun/cynllun/policy"
)

// PlanInput starts a plan for a learner with its first version (a draft).
type PlanInput struct {
	LearnerID string
	// MaintainerID is the school or FEI the learner attends, or the
	// learner's local authority (then the plan is LA-maintained).
	MaintainerID string
	Content      *cynllun.Content
	Comment      string
}

// SaveInput saves a new version of a plan.
type SaveInput struct {
	PlanID string
	// ExpectedVersion is the version the caller edited. When another save
	// got there first the result is CONFLICT with the current version.
	ExpectedVersion int
	Status          cynllun.VersionStatus
	Content         *cynllun.Content
	Comment         string
	// OverrideReason finalises over error-level quality findings (those
	// allowed to override only).
	OverrideReason string
	// GivenOn is the day a copy of a FINAL version was given (default:
	// today): an IDP given before it was brought into Cynllun keeps its
	// real date, and its review periods and clocks follow it.
	GivenOn cynllun.Date
}

const maxComment = 2000

// CreatePlan creates a plan and its version 1.
func (s *Service) CreatePlan(ctx context.Context, in PlanInput) (*cynllun.Plan, *cynllun.Version, error) {
	const op = "service.CreatePlan"
	p, err := principal(ctx, op)
	if err != nil {
		return nil, nil, err
	}
	l, err := s.learnerFor(ctx, p, op, in.LearnerID)
	if err != nil {
		return nil, nil, err
	}
	now := s.now()
	if !policy.WriteLearner(p, l, now).OK {
		return nil, nil, cynllun.E(cynllun.CodeForbidden, op, "you may read but not change this learner's plans")
	}
	var laMaintained bool
	switch {
	case in.MaintainerID != "" && in.MaintainerID == l.LAID:
		laMaintained = true
	case in.MaintainerID != "" && in.MaintainerID == l.SettingID:
	default:
		return nil, nil, cynllun.Invalid(op, cynllun.FieldError{Field: "input.maintainerId",
			Message: "must be the learner's school or FEI, or the learner's local authority"})
	}
	content, errs := prepare("", in.Content)
	errs = append(errs, form.ValidateContent(content, form.Options{LAMaintained: laMaintained})...)
	errs = append(errs, checkComment(in.Comment)...)
	if len(errs) > 0 {
		return nil, nil, cynllun.Invalid(op, prefixed("input.", errs)...)
	}
	// A learner has at most one plan kept by one maintaining body (a new
	// maintainer after a move starts its own): the plan's id derives from
	// the pair, so a retry returns the plan it created, and a second plan
	// for the pair is CONFLICT.
	type created struct {
		plan *cynllun.Plan
		v    *cynllun.Version
	}
	res, err := keyed(ctx, s, keySpec{
		op: op, mutation: "createPlan", key: l.ID + "/" + in.MaintainerID, prefix: cynllun.PrefixPlan,
		input: struct {
			Content *cynllun.Content
			Comment string
		}{in.Content, in.Comment},
		reused: "the learner already has a plan kept by this maintaining body: save a new version of it",
	}, func(id string) (created, error) {
		if err := s.oneplanPerMaintainer(ctx, op, id, l.ID, in.MaintainerID); err != nil {
			return created{}, err
		}
		plan := &cynllun.Plan{
			ID: id, LearnerID: l.ID, MaintainerID: in.MaintainerID,
			LAMaintained: laMaintained, CreatedAt: now.UTC(), CreatedBy: p.UserID,
		}
		v := &cynllun.Version{
			ID: cynllun.VersionID(plan.ID, 1), PlanID: plan.ID, LearnerID: l.ID, Number: 1,
			Status: cynllun.VersionDraft, FormVersion: form.Current().Version, Content: content,
			Comment: in.Comment, CreatedAt: now.UTC(), CreatedBy: p.UserID,
		}
		// A creation that dies part-way leaves its entry: the relay then
		// removes the unreachable version 1 and frees the key, so a retry
		// creates the plan afresh.
		e := &cynllun.OutboxEntry{Kind: cynllun.OutboxPlan, Ref: id, LearnerID: l.ID,
			KeyID: cynllun.IdempotencyKeyID("", "createPlan", l.ID+"/"+in.MaintainerID)}
		if err := s.record(ctx, op, e); err != nil {
			return created{}, err
		}
		failpoint.Crash("create.recorded")
		if err := s.store.CreatePlan(ctx, plan, v); err != nil {
			// The store undid what it wrote (or the plan exists): the
			// entry is for a creation that dies, whose key stays claimed
			// until the relay frees it, so no retry runs beside it.
			s.finish(ctx, e, "")
			return created{}, cynllun.AsError(op, err)
		}
		failpoint.Crash("create.stored")
		s.finish(ctx, e, "")
		cacheFrom(ctx).putPlan(plan)
		s.publish(ctx, plan, v)
		s.log.InfoContext(ctx, "plan created", "plan", plan.ID, "learner", l.ID, "actor", p.UserID)
		return created{plan, v}, nil
	}, func(id string) (created, error) {
		plan, err := s.Plan(ctx, id)
		if err != nil {
			return created{}, err
		}
		v, err := s.Version(ctx, id, 1)
		if err != nil {
			return created{}, err
		}
		return created{plan, v}, nil
	})
	if err != nil {
		return nil, nil, err
	}
	return res.plan, res.v, nil
}

// oneplanPerMaintainer refuses a plan when the learner has another plan
// kept by the same body (one made before plans had derived ids).
func (s *Service) oneplanPerMaintainer(ctx context.Context, op, id, learnerID, maintainerID string) error {
	plans, err := s.store.PlansByLearner(ctx, []string{learnerID})
	if err != nil {
		return cynllun.AsError(op, err)
	}
	for _, pl := range plans {
		if pl.ID != id && pl.MaintainerID == maintainerID {
			return cynllun.E(cynllun.CodeConflict, op, "the learner already has a plan kept by this maintaining body: save a new version of it")
		}
	}
	return nil
}

// SaveVersion appends version ExpectedVersion+1. Versions are immutable; two
// people saving from the same version get one success and one CONFLICT.
func (s *Service) SaveVersion(ctx context.Context, in SaveInput) (*cynllun.Version, error) {
	const op = "service.SaveVersion"
	p, plan, l, err := s.planForWrite(ctx, op, in.PlanID, "you may read but not change this plan")
	if err != nil {
		return nil, err
	}
	now := s.now()
	if !policy.WritePlan(p, l, plan, now).OK {
		return nil, cynllun.E(cynllun.CodeForbidden, op, "the local authority maintains this plan: its officers revise it")
	}
	content, errs := prepare(plan.ID, in.Content)
	errs = append(errs, form.ValidateContent(content, form.Options{LAMaintained: plan.LAMaintained})...)
	errs = append(errs, checkComment(in.Comment)...)
	if in.Status != cynllun.VersionDraft && in.Status != cynllun.VersionFinal {
		errs = append(errs, cynllun.FieldError{Field: "status", Message: "must be DRAFT or FINAL"})
	}
	if in.ExpectedVersion < 1 {
		errs = append(errs, cynllun.FieldError{Field: "expectedVersion", Message: "must be 1 or more"})
	}
	errs = append(errs, checkGivenOn(in.Status, in.GivenOn, cynllun.Today(now))...)
	if len(errs) > 0 {
		return nil, cynllun.Invalid(op, prefixed("input.", errs)...)
	}
	heads, err := s.store.PlanHeads(ctx, []string{plan.ID})
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	if cur := heads[plan.ID].Latest; cur != in.ExpectedVersion {
		return nil, conflict(op, cur)
	}
	if err := s.givenAfterInForce(ctx, op, plan.ID, heads[plan.ID], in.GivenOn); err != nil {
		return nil, err
	}
	var override *cynllun.QualityOverride
	if in.Status == cynllun.VersionFinal {
		if override, err = s.qualityGate(ctx, op, p, plan, l, content, in.OverrideReason, now); err != nil {
			return nil, err
		}
	}
	v := newVersion(plan, in.ExpectedVersion+1, in.Status, content, in.Comment, p.UserID, now)
	v.QualityOverride = override
	if v.Status == cynllun.VersionFinal && !in.GivenOn.IsZero() {
		v.GivenOn = in.GivenOn
	}
	if override != nil {
		s.log.InfoContext(ctx, "plan finalised over quality findings", "plan", plan.ID, "version", v.Number, "rules", strings.Join(override.Rules, ","), "actor", p.UserID)
	}
	if err := s.appendVersion(ctx, op, plan, v); err != nil {
		return nil, err
	}
	return v, nil
}

// newVersion is version n of plan, saved against the current form.
// A FINAL version is given the day it is saved unless told otherwise.
func newVersion(plan *cynllun.Plan, n int, status cynllun.VersionStatus, content *cynllun.Content, comment, by string, now time.Time) *cynllun.Version {
	v := &cynllun.Version{
		ID: cynllun.VersionID(plan.ID, n), PlanID: plan.ID, LearnerID: plan.LearnerID, Number: n,
		Status: status, FormVersion: form.Current().Version, Content: content,
		Comment: comment, CreatedAt: now.UTC(), CreatedBy: by,
	}
	if status == cynllun.VersionFinal {
		v.GivenOn = cynllun.Today(now)
	}
	return v
}

// givenByVersion refuses IDP_GIVEN recorded by hand for a plan with a
// FINAL version: the version records the day it was given (givenOn), and
// a second IDP_GIVEN would start a second review clock.
func givenByVersion(kind cynllun.EventKind, plan *cynllun.Plan) []cynllun.FieldError {
	if kind != cynllun.EventIDPGiven || plan.InForce() == 0 {
		return nil
	}
	return []cynllun.FieldError{{Field: "input.kind", Message: "is recorded by the plan's first FINAL version: give its givenOn when saving it"}}
}

// checkGivenOn checks a FINAL version's givenOn: a real past day, not
// before the ALN Act applied; a draft is not given.
func checkGivenOn(status cynllun.VersionStatus, given, today cynllun.Date) []cynllun.FieldError {
	if given.IsZero() {
		return nil
	}
	if status != cynllun.VersionFinal {
		return []cynllun.FieldError{{Field: "givenOn", Message: "is for a FINAL version: a draft is not given"}}
	}
	c := &checker{}
	c.eventDate("givenOn", given, today)
	return c.errs
}

// givenAfterInForce refuses a givenOn before the day the plan in force was
// given: versions are given in the order they are saved.
func (s *Service) givenAfterInForce(ctx context.Context, op, planID string, h cynllun.PlanHeads, given cynllun.Date) error {
	if given.IsZero() || h.LatestFinal == 0 {
		return nil
	}
	metas, err := s.store.ListVersions(ctx, planID, h.LatestFinal-1, 1)
	if err != nil {
		return cynllun.AsError(op, err)
	}
	if len(metas) == 1 && given.Before(metas[0].Given()) {
		return cynllun.Invalid(op, cynllun.FieldError{Field: "input.givenOn", Message: "must not be before the day the plan in force was given"})
	}
	return nil
}

// inForce returns the number of the version a plan's ledger, reviews and
// renders use by default: the plan in force (its newest FINAL version), or
// its newest version while none is final.
func (s *Service) inForce(ctx context.Context, op, planID string) (int, error) {
	heads, err := s.store.PlanHeads(ctx, []string{planID})
	if err != nil {
		return 0, cynllun.AsError(op, err)
	}
	return heads[planID].InForceOr(), nil
}

// appendVersion inserts v and applies what it implies (its announcement,
// and IDP_GIVEN when it is the plan's first FINAL version) through the
// outbox: the entry is recorded before the version, so a crash or a failed
// follow-up leaves it for the relay. A lost race is CONFLICT with the
// current version number.
func (s *Service) appendVersion(ctx context.Context, op string, plan *cynllun.Plan, v *cynllun.Version) error {
	e := &cynllun.OutboxEntry{Kind: cynllun.OutboxVersion, Ref: v.ID, PlanID: plan.ID, LearnerID: plan.LearnerID}
	if err := s.record(ctx, op, e); err != nil {
		return err
	}
	failpoint.Crash("save.recorded")
	if err := s.store.InsertVersion(ctx, v); err != nil {
		e2 := cynllun.AsError(op, err)
		if e2.Code == cynllun.CodeConflict {
			// Not stored: the version with this number is another
			// request's, which has an entry of its own.
			s.finish(ctx, e, "")
			return conflict(op, e2.Current)
		}
		// The version may be stored (its heads failed): the relay
		// finds out and applies its follow-ups, or drops the entry.
		return e2
	}
	failpoint.Crash("save.inserted")
	// Later reads in this request see the new heads.
	heads := *plan
	heads.Latest = max(heads.Latest, v.Number)
	if v.Status == cynllun.VersionFinal {
		heads.LatestFinal = max(heads.LatestFinal, v.Number)
	}
	cacheFrom(ctx).putPlan(&heads)
	s.settle(ctx, e, "save.applied", func(ctx context.Context) error { return s.versionFollowUps(ctx, plan, v) })
	return nil
}

// versionFollowUps applies what saving v implies: IDP_GIVEN for the plan's
// first FINAL version, then the announcement (best-effort).
func (s *Service) versionFollowUps(ctx context.Context, plan *cynllun.Plan, v *cynllun.Version) error {
	if v.Status == cynllun.VersionFinal {
		if err := s.firstGiven(ctx, plan, v); err != nil {
			return err
		}
	}
	s.publish(ctx, plan, v)
	return nil
}

// firstGiven records that the plan was given (IDP_GIVEN: it closes the
// clocks to decide and give a plan, and starts the first review period)
// when v is its first FINAL version. The event's id derives from v's.
func (s *Service) firstGiven(ctx context.Context, plan *cynllun.Plan, v *cynllun.Version) error {
	const op = "service.firstGiven"
	metas, err := s.store.ListVersions(ctx, plan.ID, 0, v.Number-1)
	if err != nil {
		return cynllun.AsError(op, err)
	}
	for _, m := range metas {
		if m.Status == cynllun.VersionFinal {
			return nil
		}
	}
	return s.systemEvent(ctx, cynllun.EventIDPGiven, v.ID, plan, "", v.Given(), v.CreatedBy)
}

func conflict(op string, current int) *cynllun.Error {
	return &cynllun.Error{Code: cynllun.CodeConflict, Op: op, Current: current,
		Message: fmt.Sprintf("the plan was changed by someone else: version %d is current; reload it and apply your changes again", current)}
}

func (s *Service) publish(ctx context.Context, plan *cynllun.Plan, v *cynllun.Version) {
	if s.pub == nil {
		return
	}
	ev := VersionSaved{PlanID: plan.ID, LearnerID: plan.LearnerID, Number: v.Number, At: v.CreatedAt}
	if err := s.pub.PublishVersionSaved(context.WithoutCancel(ctx), ev); err != nil {
		// The save stands; subscribers catch up by reading the plan.
		s.log.WarnContext(ctx, "publish version saved", "plan", plan.ID, "version", v.Number, "err", err)
	}
}

// prepare returns a copy of c with missing 2B row ids assigned, so rows can
// be followed across versions. A row sent back with its node id from this
// plan (planId/vN#rowId, the id the API shows it under) keeps its row id;
// a node id from another plan (or, for a new plan, any node id) is an error
// on content.provision.N.id. planID is "" for a plan not yet created.
func prepare(planID string, c *cynllun.Content) (*cynllun.Content, []cynllun.FieldError) {
	if c == nil {
		return &cynllun.Content{}, nil
	}
	out := *c
	out.Provision = append([]cynllun.ProvisionRow(nil), c.Provision...)
	var errs []cynllun.FieldError
	for i := range out.Provision {
		if out.Provision[i].ID == "" {
			out.Provision[i].ID = cynllun.NewID("row_")
			continue
		}
		if p, _, row, ok := cynllun.ParseRowNodeID(out.Provision[i].ID); ok {
			if p != planID || planID == "" {
				errs = append(errs, cynllun.FieldError{Field: "content.provision." + strconv.Itoa(i) + ".id",
					Message: "is a row of another plan: send the row's rowId to keep a row of this plan, or no id for a new row"})
				continue
			}
			out.Provision[i].ID = row
		}
	}
	return &out, errs
}

func checkComment(c string) []cynllun.FieldError {
	if fe := form.CheckText("comment", c, maxComment, true); fe != nil {
		return []cynllun.FieldError{*fe}
	}
	return nil
}

func prefixed(p string, errs []cynllun.FieldError) []cynllun.FieldError {
	for i := range errs {
		errs[i].Field = p + errs[i].Field
	}
	return errs
}

// planForWrite loads a plan, with its learner, for the request's principal
// if they may change it: NOT_FOUND when they may not see it, FORBIDDEN
// (with forbidden as the message) when they may only read it.
func (s *Service) planForWrite(ctx context.Context, op, planID, forbidden string) (*cynllun.Principal, *cynllun.Plan, *cynllun.Learner, error) {
	p, err := principal(ctx, op)
	if err != nil {
		return nil, nil, nil, err
	}
	plan, l, err := s.planFor(ctx, p, op, planID)
	if err != nil {
		return nil, nil, nil, err
	}
	if !policy.WriteLearner(p, l, s.now()).OK {
		return nil, nil, nil, cynllun.E(cynllun.CodeForbidden, op, forbidden)
	}
	if err := live(op, plan); err != nil {
		return nil, nil, nil, err
	}
	return p, plan, l, nil
}

// planFor loads a plan p may read, with its learner, or NOT_FOUND.
func (s *Service) planFor(ctx context.Context, p *cynllun.Principal, op, id string) (*cynllun.Plan, *cynllun.Learner, error) {
	plans, learners, err := s.readablePlans(ctx, p, []string{id})
	if err != nil {
		return nil, nil, cynllun.AsError(op, err)
	}
	pl := plans[id]
	if pl == nil {
		return nil, nil, cynllun.NotFound(op, "plan")
	}
	return pl, learners[pl.LearnerID], nil
}

// Plan returns a plan the principal may read, or NOT_FOUND.
func (s *Service) Plan(ctx context.Context, id string) (*cynllun.Plan, error) {
	const op = "service.Plan"
	p, err := principal(ctx, op)
	if err != nil {
		return nil, err
	}
	pl, _, err := s.planFor(ctx, p, op, id)
	return pl, err
}

// PlansByID returns, for each id, the plan or nil when missing or not readable.
func (s *Service) PlansByID(ctx context.Context, ids []string) ([]*cynllun.Plan, error) {
	const op = "service.PlansByID"
	p, err := principal(ctx, op)
	if err != nil {
		return nil, err
	}
	m, _, err := s.readablePlans(ctx, p, ids)
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	out := make([]*cynllun.Plan, len(ids))
	for i, id := range ids {
		out[i] = m[id]
	}
	return out, nil
}

// PlansForLearners returns each learner's plans (oldest first), empty for a
// learner the principal may not read. One round trip for the plans, plus one
// for learners not already read in this request.
func (s *Service) PlansForLearners(ctx context.Context, learnerIDs []string) ([][]*cynllun.Plan, error) {
	const op = "service.PlansForLearners"
	p, err := principal(ctx, op)
	if err != nil {
		return nil, err
	}
	learners, err := s.readableLearners(ctx, p, learnerIDs)
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	ids := make([]string, 0, len(learners))
	for id := range learners {
		ids = append(ids, id)
	}
	by := map[string][]*cynllun.Plan{}
	if len(ids) > 0 {
		plans, err := s.store.PlansByLearner(ctx, ids)
		if err != nil {
			return nil, cynllun.AsError(op, err)
		}
		c := cacheFrom(ctx)
		for _, pl := range plans {
			c.putPlan(pl)
			by[pl.LearnerID] = append(by[pl.LearnerID], pl)
		}
	}
	out := make([][]*cynllun.Plan, len(learnerIDs))
	for i, id := range learnerIDs {
		out[i] = by[id]
	}
	return out, nil
}

// readablePlanIDs are the ids of the plans the principal may read.
func (s *Service) readablePlanIDs(ctx context.Context, op string, planIDs []string) ([]string, error) {
	p, err := principal(ctx, op)
	if err != nil {
		return nil, err
	}
	plans, _, err := s.readablePlans(ctx, p, planIDs)
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	ids := make([]string, 0, len(plans))
	for id := range plans {
		ids = append(ids, id)
	}
	return ids, nil
}

// CurrentVersions returns each plan's latest version number (0 when the plan
// is not readable), from the plans' heads: no round trip beyond reading the
// plans, which the request has usually done already.
func (s *Service) CurrentVersions(ctx context.Context, planIDs []string) ([]int, error) {
	const op = "service.CurrentVersions"
	p, err := principal(ctx, op)
	if err != nil {
		return nil, err
	}
	plans, _, err := s.readablePlans(ctx, p, planIDs)
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	out := make([]int, len(planIDs))
	for i, id := range planIDs {
		if pl := plans[id]; pl != nil {
			out[i] = pl.Latest
		}
	}
	return out, nil
}

// VersionKey names one version of a plan.
type VersionKey struct {
	PlanID string
	Number int
}

// Versions returns whole versions, content included, nil where missing or
// not readable, and records one audit event per version read (in one round
// trip, made while the versions are read) before returning any content.
func (s *Service) Versions(ctx context.Context, keys []VersionKey) ([]*cynllun.Version, error) {
	return s.versions(ctx, "service.Versions", keys, true)
}

// VersionsMeta returns versions without their content (nothing to audit):
// number, status, author and dates.
func (s *Service) VersionsMeta(ctx context.Context, keys []VersionKey) ([]*cynllun.Version, error) {
	return s.versions(ctx, "service.VersionsMeta", keys, false)
}

func (s *Service) versions(ctx context.Context, op string, keys []VersionKey, withContent bool) ([]*cynllun.Version, error) {
	p, err := principal(ctx, op)
	if err != nil {
		return nil, err
	}
	planIDs := make([]string, len(keys))
	for i, k := range keys {
		planIDs[i] = k.PlanID
	}
	plans, learners, err := s.readablePlans(ctx, p, planIDs)
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	now := s.now()
	event := func(pl *cynllun.Plan, number int) cynllun.AuditEvent {
		l := learners[pl.LearnerID]
		return cynllun.AuditEvent{
			ID: cynllun.NewID(cynllun.PrefixAudit), At: now.UTC(), ActorID: p.UserID,
			LearnerID: l.ID, Part: "plan.version.content", PlanID: pl.ID, Version: number,
			Action: "read", Reason: string(policy.ReadLearner(p, l, now).Reason),
		}
	}
	var ids []string
	// The reads of versions that exist by the plans' heads are audited
	// while the versions are read, off the critical path: no content is
	// returned until both are done, and a failed audit returns none.
	var early []cynllun.AuditEvent
	audited := map[string]bool{}
	for _, k := range keys {
		pl := plans[k.PlanID]
		if pl == nil {
			continue
		}
		id := cynllun.VersionID(k.PlanID, k.Number)
		ids = append(ids, id)
		if withContent && k.Number >= 1 && k.Number <= pl.Latest && !audited[id] {
			audited[id] = true
			early = append(early, event(pl, k.Number))
		}
	}
	byID := map[string]*cynllun.Version{}
	if len(ids) > 0 {
		auditDone := make(chan error, 1)
		go func() { auditDone <- s.audit(ctx, op, early) }()
		vs, err := s.store.VersionsByID(ctx, dedupe(ids))
		if aerr := <-auditDone; aerr != nil {
			return nil, aerr
		}
		if err != nil {
			return nil, cynllun.AsError(op, err)
		}
		for _, v := range vs {
			byID[v.ID] = v
		}
	}
	out := make([]*cynllun.Version, len(keys))
	// A version saved after the plan was read is audited now, before it
	// is returned.
	var late []cynllun.AuditEvent
	for i, k := range keys {
		v := byID[cynllun.VersionID(k.PlanID, k.Number)]
		if v == nil {
			continue
		}
		if !withContent {
			meta := *v
			meta.Content = nil
			out[i] = &meta
			continue
		}
		out[i] = v
		if !audited[v.ID] {
			audited[v.ID] = true
			late = append(late, event(plans[k.PlanID], v.Number))
		}
	}
	if err := s.audit(ctx, op, late); err != nil {
		return nil, err
	}
	return out, nil
}

// Version returns one version with its content (audited), or NOT_FOUND.
func (s *Service) Version(ctx context.Context, planID string, number int) (*cynllun.Version, error) {
	vs, err := s.Versions(ctx, []VersionKey{{planID, number}})
	if err != nil {
		return nil, err
	}
	if vs[0] == nil {
		return nil, cynllun.NotFound("service.Version", "plan version")
	}
	return vs[0], nil
}

// ListVersions lists a page of a plan's versions (without content), by
// number: the cursors' keys are version numbers. Its total is the latest
// version's number.
func (s *Service) ListVersions(ctx context.Context, planID string, pg Page) (Paged[*cynllun.Version], int, error) {
	const op = "service.ListVersions"
	p, err := principal(ctx, op)
	if err != nil {
		return Paged[*cynllun.Version]{}, 0, err
	}
	if err := pg.check(op); err != nil {
		return Paged[*cynllun.Version]{}, 0, err
	}
	if _, _, err := s.planFor(ctx, p, op, planID); err != nil {
		return Paged[*cynllun.Version]{}, 0, err
	}
	heads, err := s.store.LatestVersions(ctx, []string{planID})
	if err != nil {
		return Paged[*cynllun.Version]{}, 0, cynllun.AsError(op, err)
	}
	latest := heads[planID]
	// The window is numbers lo..hi.
	lo, hi := 1, latest
	number := func(field string, c *Cursor) (int, error) {
		n, err := strconv.Atoi(c.Key)
		if err != nil || n < 0 {
			return 0, cynllun.Invalid(op, cynllun.FieldError{Field: field, Message: "is not a cursor this API issued"})
		}
		return n, nil
	}
	if pg.After != nil {
		n, err := number("after", pg.After)
		if err != nil {
			return Paged[*cynllun.Version]{}, 0, err
		}
		lo = max(lo, n+1)
	}
	if pg.Before != nil {
		n, err := number("before", pg.Before)
		if err != nil {
			return Paged[*cynllun.Version]{}, 0, err
		}
		hi = min(hi, n-1)
	}
	// One more than the page, on the side paging goes to.
	from, to := lo, min(hi, lo+pg.size())
	if pg.Backward {
		from, to = max(lo, hi-pg.size()), hi
	}
	var vs []*cynllun.Version
	if to >= from {
		if vs, err = s.store.ListVersions(ctx, planID, from-1, to-from+1); err != nil {
			return Paged[*cynllun.Version]{}, 0, cynllun.AsError(op, err)
		}
	}
	return paged(pg, vs), latest, nil
}

// Comparison is the field-level difference between two versions.
type Comparison struct {
	PlanID  string
	From    int
	To      int
	Changes []form.Change
}

// CompareVersions diffs two versions of a plan, in the given language. Both
// reads are audited (as part "plan.diff").
func (s *Service) CompareVersions(ctx context.Context, planID string, from, to int, lang cynllun.Language) (*Comparison, error) {
	const op = "service.CompareVersions"
	p, err := principal(ctx, op)
	if err != nil {
		return nil, err
	}
	_, l, err := s.planFor(ctx, p, op, planID)
	if err != nil {
		return nil, err
	}
	vs, err := s.store.VersionsByID(ctx, dedupe([]string{cynllun.VersionID(planID, from), cynllun.VersionID(planID, to)}))
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	var a, b *cynllun.Version
	for _, v := range vs {
		if v.Number == from {
			a = v
		}
		if v.Number == to {
			b = v
		}
	}
	if a == nil || b == nil {
		return nil, cynllun.NotFound(op, "plan version")
	}
	now := s.now()
	reason := string(policy.ReadLearner(p, l, now).Reason)
	var events []cynllun.AuditEvent
	for _, v := range dedupeVersions(a, b) {
		events = append(events, cynllun.AuditEvent{
			ID: cynllun.NewID(cynllun.PrefixAudit), At: now.UTC(), ActorID: p.UserID, LearnerID: l.ID,
			Part: "plan.diff", PlanID: planID, Version: v.Number, Action: "compare", Reason: reason,
		})
	}
	if err := s.audit(ctx, op, events); err != nil {
		return nil, err
	}
	def, ok := form.Lookup(b.FormVersion)
	if !ok {
		def = form.Current()
	}
	return &Comparison{PlanID: planID, From: from, To: to, Changes: form.Diff(def, a.Content, b.Content, lang)}, nil
}

func dedupeVersions(a, b *cynllun.Version) []*cynllun.Version {
	if a.Number == b.Number {
		return []*cynllun.Version{a}
	}
	return []*cynllun.Version{a, b}
}

// AuditEvents lists a page of a learner's audit trail, newest first, for
// those who maintain the record. A cursor's key is its event's time
// (RFC 3339 with nanoseconds).
func (s *Service) AuditEvents(ctx context.Context, learnerID string, pg Page) (Paged[cynllun.AuditEvent], error) {
	const op = "service.AuditEvents"
	if err := s.auditReader(ctx, op, learnerID); err != nil {
		return Paged[cynllun.AuditEvent]{}, err
	}
	if err := pg.check(op); err != nil {
		return Paged[cynllun.AuditEvent]{}, err
	}
	q := cynllun.AuditQuery{LearnerID: learnerID, Oldest: pg.Backward, Limit: pg.size() + 1}
	// The list runs newest first: its "after" is older, its "before" newer.
	at := func(field string, c *Cursor) (time.Time, error) {
		t, err := time.Parse(time.RFC3339Nano, c.Key)
		if err != nil || c.ID == "" {
			return time.Time{}, cynllun.Invalid(op, cynllun.FieldError{Field: field, Message: "is not a cursor this API issued"})
		}
		return t, nil
	}
	var err error
	if pg.After != nil {
		if q.BeforeAt, err = at("after", pg.After); err != nil {
			return Paged[cynllun.AuditEvent]{}, err
		}
		q.BeforeID = pg.After.ID
	}
	if pg.Before != nil {
		if q.AfterAt, err = at("before", pg.Before); err != nil {
			return Paged[cynllun.AuditEvent]{}, err
		}
		q.AfterID = pg.Before.ID
	}
	evs, err := s.store.ListAudit(ctx, q)
	if err != nil {
		return Paged[cynllun.AuditEvent]{}, cynllun.AsError(op, err)
	}
	return paged(pg, evs), nil
}

// MaxAuditCount bounds what an audit trail's total counts (counting reads
// the trail's index an hour at a time).
const MaxAuditCount = 1000

// CountAuditEvents counts a learner's audit events, at most MaxAuditCount.
func (s *Service) CountAuditEvents(ctx context.Context, learnerID string) (int, error) {
	const op = "service.CountAuditEvents"
	if err := s.auditReader(ctx, op, learnerID); err != nil {
		return 0, err
	}
	n, err := s.store.CountAudit(ctx, learnerID, MaxAuditCount)
	if err != nil {
		return 0, cynllun.AsError(op, err)
	}
	return n, nil
}

// auditReader checks that the principal may read a learner's audit trail.
func (s *Service) auditReader(ctx context.Context, op, learnerID string) error {
	p, err := principal(ctx, op)
	if err != nil {
		return err
	}
	l, err := s.learnerFor(ctx, p, op, learnerID)
	if err != nil {
		return err
	}
	if !policy.ReadAudit(p, l, s.now()).OK {
		return cynllun.E(cynllun.CodeForbidden, op, "only those who maintain the record read its audit trail")
	}
	return nil
}

// SubscribeVersionSaved streams saved-version events for a plan the
// principal may read. Access is checked again for every event, so ended
// consent stops the stream.
func (s *Service) SubscribeVersionSaved(ctx context.Context, planID string) (<-chan VersionSaved, error) {
	const op = "service.SubscribeVersionSaved"
	p, err := principal(ctx, op)
	if err != nil {
		return nil, err
	}
	if _, _, err := s.planFor(ctx, p, op, planID); err != nil {
		return nil, err
	}
	if s.pub == nil {
		return nil, cynllun.E(cynllun.CodeInternal, op, "subscriptions are not available")
	}
	in, err := s.pub.SubscribeVersionSaved(ctx, planID)
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	out := make(chan VersionSaved)
	go func() {
		defer close(out)
		for ev := range in {
			fresh, err := s.Authenticate(ctx, p.UserID)
			if err != nil {
				return
			}
			// A context without the request cache, so the learner is
			// re-read and the policy applied to the fresh relationships.
			fctx := context.WithValue(ctx, cacheKey{}, (*requestCache)(nil))
			m, err := s.readableLearners(fctx, fresh, []string{ev.LearnerID})
			if err != nil || m[ev.LearnerID] == nil {
				return
			}
			select {
			case out <- ev:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}
