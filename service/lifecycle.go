package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"slices"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/clock"
	"github.com/cynllun/cynllun/form"
	"github.com/cynllun/cynllun/internal/failpoint"
	"github.com/cynllun/cynllun/policy"
)

// The plan lifecycle (cynllun/lifecycle.go): a plan moves to another
// maintaining body (transferPlan, takeOverPlan), ceases (ceasePlan), and
// its learner's rights pass to them as a young person
// (recordYoungPersonHandover). Each is decided by policy (policy/
// lifecycle.go), audited, kept in the plan's history, and records the
// statutory events it implies through applyEvent, so the clocks start and
// close as recorded events do.

const (
	closedTransferred    = "the plan is maintained by another body: this clock continues with it"
	closedCeased         = "plan ceased"
	closedPlanMaintained = "an IDP is maintained already (s.11(3)(a)): nothing to decide"
	msgCeased            = "has ceased: the plan is kept for the record and no longer changes"
	msgCeasedWrite       = "the plan has ceased: it is kept for the record and can be read, rendered and bundled, not changed"
)

// TransferInput moves a plan to another maintaining body.
type TransferInput struct {
	PlanID      string
	ToOrgID     string
	Reason      cynllun.TransferReason
	EffectiveOn cynllun.Date
	// Reasons are the body's reasons (required for OTHER).
	Reasons        string
	IdempotencyKey string
}

// TakeoverInput records an LA's decision to take over a school's or FEI's
// plan (s.28).
type TakeoverInput struct {
	PlanID        string
	DecidedOn     cynllun.Date
	NoticeGivenOn cynllun.Date
	Reasons       string
	// EffectiveOn is the day the LA maintains it from (default DecidedOn).
	EffectiveOn    cynllun.Date
	IdempotencyKey string
}

// CeaseInput records a decision to cease to maintain a plan (s.31).
type CeaseInput struct {
	PlanID         string
	DecidedOn      cynllun.Date
	NoticeGivenOn  cynllun.Date
	Reasons        string
	IdempotencyKey string
}

// LifecycleResult is a plan after a lifecycle operation, the operation,
// and the clocks it started and closed (empty when it was a repeat).
type LifecycleResult struct {
	Plan    *cynllun.Plan
	Change  *cynllun.PlanChange
	Learner *cynllun.Learner
	Started []*cynllun.Deadline
	Closed  []*cynllun.Deadline
}

// lifecyclePlan reads a plan and its learner for a lifecycle operation,
// whether or not p may read them (an officer of a receiving LA may move a
// plan they cannot read yet): the caller asks the policy, and answers
// NOT_FOUND to anyone who may neither read nor change it.
func (s *Service) lifecyclePlan(ctx context.Context, op, planID string) (*cynllun.Plan, *cynllun.Learner, error) {
	plans, err := s.store.PlansByID(ctx, []string{planID})
	if err != nil {
		return nil, nil, cynllun.AsError(op, err)
	}
	if len(plans) == 0 {
		return nil, nil, cynllun.NotFound(op, "plan")
	}
	ls, err := s.store.LearnersByID(ctx, []string{plans[0].LearnerID})
	if err != nil {
		return nil, nil, cynllun.AsError(op, err)
	}
	if len(ls) == 0 {
		return nil, nil, cynllun.NotFound(op, "plan")
	}
	return plans[0], ls[0], nil
}

// refused is the answer to p when a lifecycle policy says no: FORBIDDEN
// with msg to someone who may read the plan, NOT_FOUND to anyone else.
func (s *Service) refused(op string, p *cynllun.Principal, l *cynllun.Learner, msg string) error {
	if policy.ReadLearner(p, l, s.now()).OK {
		return cynllun.E(cynllun.CodeForbidden, op, msg)
	}
	return cynllun.NotFound(op, "plan")
}

// TransferPlan moves a plan to another maintaining body for a reason of
// domain.md §5.2. The plan keeps its id; its maintenance history gains a
// period; the learner's setting, local authority or looked-after status
// follows the move; the clocks the old body held for the plan continue
// with the new one; and the statutory event the move implies is recorded
// (REGISTERED_AT_NEW_SCHOOL for a school move, which starts the receiving
// school's review (T16); ENROLLED_AT_FEI for school → FEI).
func (s *Service) TransferPlan(ctx context.Context, in TransferInput) (*LifecycleResult, error) {
	const op = "service.TransferPlan"
	p, err := principal(ctx, op)
	if err != nil {
		return nil, err
	}
	plan, l, err := s.lifecyclePlan(ctx, op, in.PlanID)
	if err != nil {
		return nil, err
	}
	orgs, err := s.orgsByID(ctx, op, plan.MaintainerID, in.ToOrgID)
	if err != nil {
		return nil, err
	}
	from, to := orgs[plan.MaintainerID], orgs[in.ToOrgID]
	now := s.now()
	allowed := policy.TransferPlan(p, l, plan, to, now)
	if !allowed.OK {
		return nil, s.refused(op, p, l, "you may not move this plan: those responsible for it now, or officers of the receiving local authority, may")
	}
	today := cynllun.Today(now)
	c := &checker{}
	oneOf(c, "input.reason", in.Reason, cynllun.TransferReasons, false)
	if in.EffectiveOn.IsZero() {
		c.add("input.effectiveOn", "is required")
	}
	c.eventDate("input.effectiveOn", in.EffectiveOn, today)
	if in.Reason == cynllun.TransferOther {
		c.required("input.reasons", in.Reasons, form.MaxMedium, true)
	} else {
		c.text("input.reasons", in.Reasons, form.MaxMedium, true)
	}
	if err := checkKey(op, "input.idempotencyKey", in.IdempotencyKey); err != nil {
		return nil, err
	}
	if len(c.errs) > 0 {
		return nil, cynllun.Invalid(op, c.errs...)
	}
	res, done, err := s.repeatedChange(ctx, op, plan, in.IdempotencyKey, func(ch cynllun.PlanChange) bool {
		return ch.Kind == cynllun.ChangeTransferred && ch.ToOrgID == in.ToOrgID && ch.Reason == in.Reason && ch.On == in.EffectiveOn
	})
	if done || err != nil {
		return res, err
	}
	if err := s.changeable(op, plan, l, in.EffectiveOn); err != nil {
		return nil, err
	}
	if field, msg := policy.ReceiverProblem(in.Reason, plan, l, from, to, in.EffectiveOn); field != "" {
		return nil, cynllun.Invalid(op, cynllun.FieldError{Field: field, Message: msg})
	}
	ch := cynllun.PlanChange{Kind: cynllun.ChangeTransferred, Reason: in.Reason, FromOrgID: plan.MaintainerID, ToOrgID: to.ID,
		On: in.EffectiveOn, Reasons: in.Reasons, AfterVersion: plan.Latest, At: now.UTC(), By: p.UserID}
	return s.keyedChange(ctx, op, "transferPlan", p, in.IdempotencyKey, in, plan, func(id string) (*LifecycleResult, error) {
		ch.ID = id
		return s.moveTo(ctx, op, p, plan, l, from, to, ch, allowed.Reason)
	})
}

// TakeOverPlan records that the learner's local authority takes over a
// plan a school or FEI maintains (s.28): the LA maintains it from the
// decision (or EffectiveOn), and TAKEOVER_DECIDED closes the LA's clock to
// decide (T7). Officers of the learner's LA.
func (s *Service) TakeOverPlan(ctx context.Context, in TakeoverInput) (*LifecycleResult, error) {
	const op = "service.TakeOverPlan"
	p, err := principal(ctx, op)
	if err != nil {
		return nil, err
	}
	plan, l, err := s.lifecyclePlan(ctx, op, in.PlanID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	allowed := policy.TakeOverPlan(p, l, plan, now)
	if !allowed.OK {
		return nil, s.refused(op, p, l, "only officers of the learner's local authority may take over the plan")
	}
	if in.EffectiveOn.IsZero() {
		in.EffectiveOn = in.DecidedOn
	}
	today := cynllun.Today(now)
	c := &checker{}
	c.decision(in.DecidedOn, in.NoticeGivenOn, today)
	c.eventDate("input.effectiveOn", in.EffectiveOn, today)
	if !in.EffectiveOn.IsZero() && !in.DecidedOn.IsZero() && in.EffectiveOn.Before(in.DecidedOn) {
		c.add("input.effectiveOn", "must not be before decidedOn")
	}
	c.required("input.reasons", in.Reasons, form.MaxMedium, true)
	if err := checkKey(op, "input.idempotencyKey", in.IdempotencyKey); err != nil {
		return nil, err
	}
	if len(c.errs) > 0 {
		return nil, cynllun.Invalid(op, c.errs...)
	}
	res, done, err := s.repeatedChange(ctx, op, plan, in.IdempotencyKey, func(ch cynllun.PlanChange) bool {
		return ch.Kind == cynllun.ChangeTakenOver && ch.ToOrgID == l.LAID && ch.DecidedOn == in.DecidedOn
	})
	if done || err != nil {
		return res, err
	}
	if err := s.changeable(op, plan, l, in.EffectiveOn); err != nil {
		return nil, err
	}
	orgs, err := s.orgsByID(ctx, op, plan.MaintainerID, l.LAID)
	if err != nil {
		return nil, err
	}
	from, to := orgs[plan.MaintainerID], orgs[l.LAID]
	if field, msg := policy.ReceiverProblem(cynllun.TransferLATakeover, plan, l, from, to, in.EffectiveOn); field != "" {
		if field == "input.reason" {
			field = "input.planId"
		}
		return nil, cynllun.Invalid(op, cynllun.FieldError{Field: field, Message: msg})
	}
	ch := cynllun.PlanChange{Kind: cynllun.ChangeTakenOver, Reason: cynllun.TransferLATakeover, FromOrgID: plan.MaintainerID, ToOrgID: to.ID,
		On: in.EffectiveOn, DecidedOn: in.DecidedOn, NoticeGivenOn: in.NoticeGivenOn, Reasons: in.Reasons, AfterVersion: plan.Latest,
		At: now.UTC(), By: p.UserID}
	return s.keyedChange(ctx, op, "takeOverPlan", p, in.IdempotencyKey, in, plan, func(id string) (*LifecycleResult, error) {
		ch.ID = id
		return s.moveTo(ctx, op, p, plan, l, from, to, ch, allowed.Reason)
	})
}

// CeasePlan records the maintaining body's decision to cease to maintain
// a plan (s.31). The plan is kept (read, rendered, bundled) and changes no
// more; its open clocks close as not applicable ("plan ceased"), so no
// more notices are sent; CEASE_NOTICE_GIVEN is recorded on the day the
// notice was given, which, for a school's decision, starts the family's
// four weeks to ask the LA to reconsider (T11, s.32).
func (s *Service) CeasePlan(ctx context.Context, in CeaseInput) (*LifecycleResult, error) {
	const op = "service.CeasePlan"
	p, err := principal(ctx, op)
	if err != nil {
		return nil, err
	}
	plan, l, err := s.lifecyclePlan(ctx, op, in.PlanID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	allowed := policy.CeasePlan(p, l, plan, now)
	if !allowed.OK {
		return nil, s.refused(op, p, l, "only the body that maintains the plan may cease it")
	}
	c := &checker{}
	c.decision(in.DecidedOn, in.NoticeGivenOn, cynllun.Today(now))
	if in.NoticeGivenOn.IsZero() {
		c.add("input.noticeGivenOn", "is required")
	}
	c.required("input.reasons", in.Reasons, form.MaxMedium, true)
	if err := checkKey(op, "input.idempotencyKey", in.IdempotencyKey); err != nil {
		return nil, err
	}
	if len(c.errs) > 0 {
		return nil, cynllun.Invalid(op, c.errs...)
	}
	res, done, err := s.repeatedChange(ctx, op, plan, in.IdempotencyKey, func(ch cynllun.PlanChange) bool {
		return ch.Kind == cynllun.ChangeCeased && ch.DecidedOn == in.DecidedOn && ch.NoticeGivenOn == in.NoticeGivenOn
	})
	if done || err != nil {
		return res, err
	}
	if err := s.changeable(op, plan, l, in.DecidedOn); err != nil {
		return nil, err
	}
	orgs, err := s.orgsByID(ctx, op, plan.MaintainerID)
	if err != nil {
		return nil, err
	}
	if orgs[plan.MaintainerID] == nil {
		return nil, cynllun.NotFound(op, "organisation")
	}
	ch := cynllun.PlanChange{Kind: cynllun.ChangeCeased, FromOrgID: plan.MaintainerID, ToOrgID: plan.MaintainerID,
		On: in.DecidedOn, DecidedOn: in.DecidedOn, NoticeGivenOn: in.NoticeGivenOn, Reasons: in.Reasons, AfterVersion: plan.Latest,
		At: now.UTC(), By: p.UserID}
	return s.keyedChange(ctx, op, "ceasePlan", p, in.IdempotencyKey, in, plan, func(id string) (*LifecycleResult, error) {
		ch.ID = id
		next := *plan
		next.Status = cynllun.PlanCeased
		next.Cessation = &cynllun.Cessation{ChangeID: id, DecidedOn: in.DecidedOn, NoticeGivenOn: in.NoticeGivenOn, Reasons: in.Reasons, At: ch.At, By: p.UserID}
		hist := slices.Clone(plan.MaintenanceHistory())
		hist[len(hist)-1].To = in.DecidedOn
		next.Maintenance = hist
		next.Changes = append(slices.Clone(plan.Changes), ch)
		e, err := s.storeChange(ctx, op, plan, &next, ch)
		if err != nil {
			return nil, err
		}
		res, err := s.changeFollowUps(ctx, op, &next, ch, l)
		if err != nil {
			// The plan has ceased; the relay applies the rest.
			return nil, err
		}
		if err := s.auditChange(ctx, op, p, l, &next, &ch, "cease", allowed.Reason); err != nil {
			return nil, err
		}
		failpoint.Crash("change.applied")
		s.finish(ctx, e, "")
		s.log.InfoContext(ctx, "plan ceased", "plan", plan.ID, "learner", l.ID, "closed", len(res.Closed), "actor", p.UserID)
		return res, nil
	})
}

// decision checks a decision's day and its notice's: real days, not in
// the future, not before the Act, and the notice not before the decision.
func (c *checker) decision(decidedOn, noticeGivenOn, today cynllun.Date) {
	if decidedOn.IsZero() {
		c.add("input.decidedOn", "is required")
	}
	c.eventDate("input.decidedOn", decidedOn, today)
	c.eventDate("input.noticeGivenOn", noticeGivenOn, today)
	if !noticeGivenOn.IsZero() && !decidedOn.IsZero() && noticeGivenOn.Before(decidedOn) {
		c.add("input.noticeGivenOn", "must not be before decidedOn")
	}
}

// changeable refuses a change to a ceased plan, or one dated before the
// current maintainer began to maintain it.
func (s *Service) changeable(op string, plan *cynllun.Plan, _ *cynllun.Learner, on cynllun.Date) error {
	if plan.Ceased() {
		return cynllun.Invalid(op, cynllun.FieldError{Field: "input.planId", Message: msgCeased})
	}
	hist := plan.MaintenanceHistory()
	if cur := hist[len(hist)-1]; on.Before(cur.From) {
		return cynllun.Invalid(op, cynllun.FieldError{Field: "input.planId", Message: "was started or moved to its current maintainer after that day: a change takes effect on or after it"})
	}
	return nil
}

// orgsByID reads organisations by id ("" skipped), keyed by id.
func (s *Service) orgsByID(ctx context.Context, op string, ids ...string) (map[string]*cynllun.Organisation, error) {
	ids = slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return id == "" })
	out := map[string]*cynllun.Organisation{}
	if len(ids) == 0 {
		return out, nil
	}
	orgs, err := s.store.OrganisationsByID(ctx, ids)
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	for _, o := range orgs {
		out[o.ID] = o
	}
	return out, nil
}

// repeatedChange answers a repeat of an operation without a key: when the
// plan's latest change is the same (same), the plan as it stands.
func (s *Service) repeatedChange(_ context.Context, _ string, plan *cynllun.Plan, key string, same func(cynllun.PlanChange) bool) (*LifecycleResult, bool, error) {
	if key != "" || len(plan.Changes) == 0 {
		return nil, false, nil
	}
	last := plan.Changes[len(plan.Changes)-1]
	if !same(last) {
		return nil, false, nil
	}
	return &LifecycleResult{Plan: plan, Change: &last}, true, nil
}

// keyedChange runs apply once per client key (the change's id derives
// from it); a repeat gets the plan as it stands with that change.
func (s *Service) keyedChange(ctx context.Context, op, mutation string, p *cynllun.Principal, key string, input any, plan *cynllun.Plan,
	apply func(id string) (*LifecycleResult, error)) (*LifecycleResult, error) {
	return keyed(ctx, s, clientKey(op, mutation, p, key, cynllun.PrefixPlanChange, input), apply, func(id string) (*LifecycleResult, error) {
		plans, err := s.store.PlansByID(ctx, []string{plan.ID})
		if err != nil {
			return nil, cynllun.AsError(op, err)
		}
		if len(plans) == 0 {
			return nil, cynllun.NotFound(op, "plan")
		}
		res := &LifecycleResult{Plan: plans[0]}
		for i := range plans[0].Changes {
			if plans[0].Changes[i].ID == id {
				res.Change = &plans[0].Changes[i]
			}
		}
		if res.Change == nil {
			return nil, cynllun.E(cynllun.CodeConflict, op, "the plan was changed by someone else: reload it and try again")
		}
		return res, nil
	})
}

// moveTo makes to the plan's maintainer from ch.On: the plan's lifecycle
// first (its changeCount guards a race), then what the change implies
// (changeFollowUps), then the audit.
func (s *Service) moveTo(ctx context.Context, op string, p *cynllun.Principal, plan *cynllun.Plan, l *cynllun.Learner, _, to *cynllun.Organisation, ch cynllun.PlanChange, why cynllun.RelKind) (*LifecycleResult, error) {
	next := *plan
	next.MaintainerID = to.ID
	next.LAMaintained = to.Kind == cynllun.OrgLocalAuthority
	hist := slices.Clone(plan.MaintenanceHistory())
	last := &hist[len(hist)-1]
	last.To = ch.On.AddDays(-1)
	if last.To.Before(last.From) {
		last.To = last.From
	}
	next.Maintenance = append(hist, cynllun.MaintenancePeriod{OrgID: to.ID, LAMaintained: next.LAMaintained, From: ch.On, Reason: ch.Reason, ChangeID: ch.ID})
	next.Changes = append(slices.Clone(plan.Changes), ch)
	e, err := s.storeChange(ctx, op, plan, &next, ch)
	if err != nil {
		return nil, err
	}
	res, err := s.changeFollowUps(ctx, op, &next, ch, l)
	if err != nil {
		// The plan has moved; the relay applies the rest.
		return nil, err
	}
	action := "transfer"
	if ch.Kind == cynllun.ChangeTakenOver {
		action = "takeover"
	}
	if err := s.auditChange(ctx, op, p, l, &next, &ch, action, why); err != nil {
		return nil, err
	}
	failpoint.Crash("change.applied")
	s.finish(ctx, e, "")
	s.log.InfoContext(ctx, "plan moved", "plan", plan.ID, "learner", l.ID, "reason", string(ch.Reason), "from", plan.MaintainerID, "to", to.ID,
		"started", len(res.Started), "actor", p.UserID)
	return res, nil
}

// storeChange stores next, plan with change ch, after recording what ch
// implies in the outbox (changeFollowUps): a process that dies after the
// change leaves the rest to the relay. A lost race is not stored.
func (s *Service) storeChange(ctx context.Context, op string, plan, next *cynllun.Plan, ch cynllun.PlanChange) (*cynllun.OutboxEntry, error) {
	e := &cynllun.OutboxEntry{Kind: cynllun.OutboxChange, Ref: ch.ID, PlanID: plan.ID, LearnerID: plan.LearnerID}
	if err := s.record(ctx, op, e); err != nil {
		return nil, err
	}
	failpoint.Crash("change.recorded")
	if err := s.store.ChangePlan(ctx, next, len(plan.Changes)); err != nil {
		if cynllun.ErrorCode(err) == cynllun.CodeConflict {
			s.finish(ctx, e, "")
		}
		return nil, cynllun.AsError(op, err)
	}
	failpoint.Crash("change.stored")
	cacheFrom(ctx).putPlan(next)
	return e, nil
}

// changeFollowUps applies what lifecycle change ch, stored on plan next,
// implies for learner l (as read before or after the change): for a move,
// the learner's record, the clocks carried to the new body and the
// statutory events of the move; for a cessation, the plan's clocks closed
// and CEASE_NOTICE_GIVEN. Every step is idempotent, so the relay applies
// it again after a crash part-way (the audit stays with the request).
func (s *Service) changeFollowUps(ctx context.Context, op string, next *cynllun.Plan, ch cynllun.PlanChange, l *cynllun.Learner) (*LifecycleResult, error) {
	orgs, err := s.orgsByID(ctx, op, ch.FromOrgID, ch.ToOrgID)
	if err != nil {
		return nil, err
	}
	from, to := orgs[ch.FromOrgID], orgs[ch.ToOrgID]
	if to == nil {
		return nil, cynllun.NotFound(op, "organisation")
	}
	res := &LifecycleResult{Plan: next, Change: &ch, Learner: l}
	if ch.Kind == cynllun.ChangeCeased {
		return res, s.ceaseFollowUps(ctx, op, next, ch, l, to, res)
	}
	moved := movedLearner(l, to, ch.Reason)
	if *moved != *l {
		moved.UpdatedAt = s.now().UTC()
		if err := s.store.UpdateLearner(ctx, moved); err != nil {
			return nil, cynllun.AsError(op, err)
		}
		cacheFrom(ctx).putLearner(moved)
	}
	res.Learner = moved
	failpoint.Crash("change.learner")
	if from != nil {
		if err := s.carryClocks(ctx, op, ch.By, next.ID, moved, from, to, ch, res); err != nil {
			return nil, err
		}
	}
	// The receiving school maintains the plan from registration (s.35(1),
	// (3)): the registration and the adoption are one day's events, so T13
	// is met as it starts and T16 (the adopted plan's review) runs.
	var kinds []cynllun.EventKind
	on := ch.On
	switch ch.Reason {
	case cynllun.TransferInYearMove, cynllun.TransferStartOfYearMove:
		kinds = []cynllun.EventKind{cynllun.EventRegisteredAtNewSchool, cynllun.EventIDPAdopted}
	case cynllun.TransferSchoolToFEI:
		kinds = []cynllun.EventKind{cynllun.EventEnrolledAtFEI}
	case cynllun.TransferLATakeover:
		kinds, on = []cynllun.EventKind{cynllun.EventTakeoverDecided}, ch.DecidedOn
	}
	for _, kind := range kinds {
		er, err := s.applyEvent(ctx, op, s.lifecycleEvent(ch.ID, kind, next, to, on, ch.By), moved, to)
		if err != nil {
			return nil, err
		}
		res.Started = append(res.Started, er.Started...)
		res.Closed = append(res.Closed, er.Closed...)
	}
	return res, nil
}

// ceaseFollowUps closes every clock of ceased plan next but those of a
// case (an appeal runs on), so no notice is sent about a plan no longer
// kept, and records CEASE_NOTICE_GIVEN (for a school's decision it starts
// T11, which is not closed when this runs again).
func (s *Service) ceaseFollowUps(ctx context.Context, op string, next *cynllun.Plan, ch cynllun.PlanChange, l *cynllun.Learner, maintainer *cynllun.Organisation, res *LifecycleResult) error {
	ev := s.lifecycleEvent(ch.ID, cynllun.EventCeaseNoticeGiven, next, maintainer, ch.NoticeGivenOn, ch.By)
	open, err := s.store.OpenDeadlines(ctx, l.ID, next.ID)
	if err != nil {
		return cynllun.AsError(op, err)
	}
	now := s.now().UTC()
	for _, d := range open {
		if d.PlanID != next.ID || d.CaseID != "" || d.StartEventID == ev.ID {
			continue
		}
		on := ch.DecidedOn
		if on.Before(d.Start) {
			on = d.Start
		}
		closed, err := s.store.CloseDeadline(ctx, d.ID, cynllun.Closure{Status: cynllun.DeadlineNotApplicable, On: on, Reason: closedCeased, By: ch.By, At: now})
		if err != nil {
			return cynllun.AsError(op, err)
		}
		if closed {
			res.Closed = append(res.Closed, d)
		}
	}
	failpoint.Crash("change.closed")
	if maintainer.Kind == cynllun.OrgSchool {
		er, err := s.applyEvent(ctx, op, ev, l, maintainer)
		if err != nil {
			return err
		}
		res.Started = er.Started
	} else if err := s.store.InsertEvent(ctx, ev); err != nil && cynllun.ErrorCode(err) != cynllun.CodeConflict {
		// The s.32 reconsideration (T11) is of a school's decision; an
		// LA's or FEI's notice is recorded without a clock.
		return cynllun.AsError(op, err)
	}
	return nil
}

// movedLearner is l as the move implies: a school or FEI becomes their
// setting; a plan following a move of residence, or a looked-after
// child's, makes the receiving LA theirs.
func movedLearner(l *cynllun.Learner, to *cynllun.Organisation, reason cynllun.TransferReason) *cynllun.Learner {
	m := *l
	switch reason {
	case cynllun.TransferInYearMove, cynllun.TransferStartOfYearMove, cynllun.TransferSchoolToFEI, cynllun.TransferOther:
		switch to.Kind {
		case cynllun.OrgSchool:
			m.SettingKind, m.SettingID = cynllun.SettingSchool, to.ID
		case cynllun.OrgFEI:
			m.SettingKind, m.SettingID = cynllun.SettingFEI, to.ID
		}
	case cynllun.TransferMoveToAnotherLA:
		m.LAID = to.ID
	case cynllun.TransferLookedAfter:
		m.LAID, m.LookedAfter = to.ID, true
	}
	return &m
}

// carryClocks hands the plan's running clocks held by the old maintainer
// to the new one: each continues, from the same start, as the new body's
// clock (its due date reckoned on the new body's calendar), and the old
// one closes as not applicable (its notices stop going to the old body).
// Clocks of a case, and those of other bodies (an LA's, a health board's),
// stay. The continuations are stored first (their ids derive from the old
// clock's and the change's), so applying this again after a crash part-way
// carries each clock once; one closed meanwhile by someone else ends its
// continuation as it ended.
func (s *Service) carryClocks(ctx context.Context, op string, by, planID string, l *cynllun.Learner, from, to *cynllun.Organisation, ch cynllun.PlanChange, res *LifecycleResult) error {
	open, err := s.store.OpenDeadlines(ctx, l.ID, planID)
	if err != nil {
		return cynllun.AsError(op, err)
	}
	now := s.now().UTC()
	var olds, carried []*cynllun.Deadline
	for _, d := range open {
		if d.PlanID != planID || d.CaseID != "" || d.OrgID != from.ID {
			continue
		}
		rule, ok := clock.RuleByID(d.RuleID)
		if !ok {
			continue
		}
		next := *d
		next.ID = cynllun.DeadlineID(d.RuleID, d.ID+"/"+ch.ID)
		next.OrgID, next.LAID, next.SettingID, next.CreatedAt, next.Closure = to.ID, l.LAID, l.SettingID, now, nil
		if rule.Calendar == clock.CalendarMaintainer {
			cals, err := termCalendars(ctx, s.store, op, []string{to.ID})
			if err != nil {
				return err
			}
			next.Due, next.Problem = cynllun.Date{}, ""
			if r, err := clock.Compute(rule, d.Start, cals[to.ID], s.clock); err != nil {
				e := cynllun.AsError(op, err)
				if e.Code != cynllun.CodeInvalid {
					return e
				}
				next.Problem = e.Message
				if len(e.Fields) > 0 {
					next.Problem = e.Fields[0].Message
				}
			} else {
				next.Due = r.Due
			}
		}
		olds = append(olds, d)
		carried = append(carried, &next)
	}
	if err := s.store.InsertDeadlines(ctx, carried); err != nil {
		return cynllun.AsError(op, err)
	}
	failpoint.Crash("change.carried")
	for i, d := range olds {
		on := ch.On
		if on.Before(d.Start) {
			on = d.Start
		}
		closed, err := s.store.CloseDeadline(ctx, d.ID, cynllun.Closure{Status: cynllun.DeadlineNotApplicable, On: on, Reason: closedTransferred, By: by, At: now})
		if err != nil {
			return cynllun.AsError(op, err)
		}
		if closed {
			res.Closed = append(res.Closed, d)
			res.Started = append(res.Started, carried[i])
			continue
		}
		// Closed by someone else since it was read (met by an event):
		// its continuation ends the same way.
		ds, err := s.store.DeadlinesByID(ctx, []string{d.ID})
		if err != nil {
			return cynllun.AsError(op, err)
		}
		if len(ds) == 1 && ds[0].Closure != nil {
			if _, err := s.store.CloseDeadline(ctx, carried[i].ID, *ds[0].Closure); err != nil {
				return cynllun.AsError(op, err)
			}
		}
	}
	return nil
}

// lifecycleEvent is the statutory event kind implied by lifecycle
// operation changeID, for the body org, on day on. Its id derives from
// the operation, so applying it again changes nothing.
func (s *Service) lifecycleEvent(changeID string, kind cynllun.EventKind, plan *cynllun.Plan, org *cynllun.Organisation, on cynllun.Date, by string) *cynllun.StatutoryEvent {
	sum := sha256.Sum256([]byte(string(kind) + "/" + changeID))
	orgID := plan.MaintainerID
	if org != nil {
		orgID = org.ID
	}
	return &cynllun.StatutoryEvent{
		ID: cynllun.PrefixEvent + "l" + hex.EncodeToString(sum[:12]), Kind: kind, LearnerID: plan.LearnerID, PlanID: plan.ID,
		OrgID: orgID, On: on, RecordedAt: s.now().UTC(), RecordedBy: by, System: true,
	}
}

// auditChange records a lifecycle operation in the learner's audit trail
// (ids only: the organisation it concerns, never the reasons), with the
// relationship that allowed it.
func (s *Service) auditChange(ctx context.Context, op string, p *cynllun.Principal, l *cynllun.Learner, plan *cynllun.Plan, ch *cynllun.PlanChange, action string, why cynllun.RelKind) error {
	return s.audit(ctx, op, []cynllun.AuditEvent{{
		ID: cynllun.NewID(cynllun.PrefixAudit), At: s.now().UTC(), ActorID: p.UserID, LearnerID: l.ID, Part: "plan.lifecycle",
		PlanID: plan.ID, Version: plan.Latest, Action: action, Reason: string(why), OrgID: ch.ToOrgID,
	}})
}

// live refuses a change to a ceased plan (its versions, sessions and
// reviews): INVALID, saying the record is kept.
func live(op string, plan *cynllun.Plan) error {
	if plan.Ceased() {
		return cynllun.E(cynllun.CodeInvalid, op, msgCeasedWrite)
	}
	return nil
}
