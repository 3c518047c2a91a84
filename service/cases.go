package service

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/clock"
	"github.com/cynllun/cynllun/form"
	"github.com/cynllun/cynllun/internal/failpoint"
	"github.com/cynllun/cynllun/policy"
	"github.com/cynllun/cynllun/routes"
)

// Limits on a case.
const (
	maxParties = 40
	maxIssues  = 50
)

// CaseDetails are the facts of a case that its parties record and
// correct. On an update every field replaces the stored one.
type CaseDetails struct {
	Title     string
	Reference string
	Decision  cynllun.DisputedDecision
	Issues    []string
	Parties   []cynllun.Party
	// Key dates (zero: not yet).
	DisagreementReferredOn cynllun.Date
	LodgedOn               cynllun.Date
	RegisteredOn           cynllun.Date
	CaseStatementDue       cynllun.Date
	HearingOn              cynllun.Date
	DecisionSentOn         cynllun.Date
	ClosedOn               cynllun.Date
	Outcome                string
}

// OpenCaseInput opens a case for a learner.
type OpenCaseInput struct {
	IdempotencyKey string // idempotency.go
	LearnerID      string
	Kind           cynllun.CaseKind
	CaseDetails
	// Language of the bundle's generated pages (default EN).
	Language cynllun.RenderLanguage
}

// UpdateCaseInput records a case's progress or corrects it: a new
// revision, refused with CONFLICT when ExpectedRevision is not current.
type UpdateCaseInput struct {
	ID               string
	ExpectedRevision int
	Status           cynllun.CaseStatus
	CaseDetails
}

// OpenCase opens a case (a disagreement or an appeal) for a learner.
// Anyone who may work on the learner's cases may: the family, an advocate
// with consent, staff of the setting, officers of the LA. A decision notice
// date starts T17 (the time to appeal), and the case shows that clock.
func (s *Service) OpenCase(ctx context.Context, in OpenCaseInput) (*cynllun.Case, error) {
	const op = "service.OpenCase"
	sent := snapshot(in)
	p, err := principal(ctx, op)
	if err != nil {
		return nil, err
	}
	l, err := s.learnerFor(ctx, p, op, in.LearnerID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	c := &cynllun.Case{
		Revision: 1, LearnerID: l.ID, Kind: in.Kind, Status: cynllun.CaseOpen,
		CreatedAt: now.UTC(), CreatedBy: p.UserID, UpdatedAt: now.UTC(), UpdatedBy: p.UserID,
	}
	// Who may open one is who may work on one (policy.OpenCase).
	if !policy.OpenCase(p, l, now).OK {
		return nil, cynllun.E(cynllun.CodeForbidden, op, "you may not open a case for this learner")
	}
	ck := &checker{}
	oneOf(ck, "input.kind", in.Kind, cynllun.CaseKinds, false)
	lang := in.Language
	if lang == "" {
		lang = cynllun.RenderEN
	}
	oneOf(ck, "input.language", lang, []cynllun.RenderLanguage{cynllun.RenderEN, cynllun.RenderCY, cynllun.RenderBilingual}, false)
	if err := s.checkDetails(ctx, op, &in.CaseDetails, c, l, ck); err != nil {
		return nil, err
	}
	if len(ck.errs) > 0 {
		return nil, cynllun.Invalid(op, ck.errs...)
	}
	// Opening a case records its details; an outcome, a decision or a
	// closure on it is the respondent's to record (policy.CaseTable).
	opened := *c
	applyDetails(&opened, &in.CaseDetails)
	if st, ok := policy.StandingIn(p, l, &opened, now); ok {
		for _, what := range caseChanges(nil, &opened, statusFromDates(&opened))[1:] {
			if d := policy.CaseMay(what, st.Side, ""); !d.Allow {
				return nil, caseForbidden(op, what, d.Why)
			}
		}
	}
	return keyed(ctx, s, clientKey(op, "openCase", p, in.IdempotencyKey, cynllun.PrefixCase, sent),
		func(id string) (*cynllun.Case, error) {
			c.ID = id
			applyDetails(c, &in.CaseDetails)
			c.Status = statusFromDates(c)
			c.Bundle = s.defaultBundleSpec(lang)
			c.Events = s.caseEventIDs(c)
			if err := s.writeCase(ctx, op, c, nil, l); err != nil {
				return nil, err
			}
			s.log.InfoContext(ctx, "case opened", "case", c.ID, "learner", l.ID, "kind", string(c.Kind), "actor", p.UserID)
			return c, nil
		}, func(id string) (*cynllun.Case, error) { return s.Case(ctx, id) })
}

// UpdateCase records a case's progress (its status and dates) or corrects
// its details, as a new revision.
func (s *Service) UpdateCase(ctx context.Context, in UpdateCaseInput) (*cynllun.Case, error) {
	const op = "service.UpdateCase"
	p, cur, l, err := s.caseFor(ctx, op, in.ID)
	if err != nil {
		return nil, err
	}
	// Those on neither side record nothing: refused before the input is
	// looked at, so they learn nothing from its checks.
	if st, ok := policy.StandingIn(p, l, cur, s.now()); ok {
		if d := policy.CaseMay(policy.OpRecordProgress, st.Side, ""); !d.Allow {
			return nil, caseForbidden(op, policy.OpRecordProgress, d.Why)
		}
	}
	ck := &checker{}
	if err := checkCaseRevision(op, cur, in.ExpectedRevision, ck); err != nil {
		return nil, err
	}
	next := nextCase(cur, p, s.now())
	if err := s.checkDetails(ctx, op, &in.CaseDetails, next, l, ck); err != nil {
		return nil, err
	}
	status := in.Status
	if status == "" {
		status = cur.Status
	}
	oneOf(ck, "input.status", status, cynllun.CaseStatuses, false)
	if len(ck.errs) > 0 {
		return nil, cynllun.Invalid(op, ck.errs...)
	}
	applyDetails(next, &in.CaseDetails)
	if in.Status == "" {
		// Dates move the status on when no status is given.
		if st := statusFromDates(next); cur.Status.CanMoveTo(st, cur.Kind) && !cur.Status.Final() {
			status = st
		}
	}
	if !cur.Status.CanMoveTo(status, cur.Kind) {
		return nil, cynllun.Invalid(op, cynllun.FieldError{Field: "input.status",
			Message: fmt.Sprintf("a %s case cannot go from %s to %s", cur.Kind, cur.Status, status)})
	}
	if fe := statusNeeds(status, next); fe != nil {
		return nil, cynllun.Invalid(op, *fe)
	}
	// Each side records what the process gives it (policy.CaseTable): the
	// appellant may not record the Tribunal's decision or close the case.
	if err := s.checkCaseChange(op, p, l, cur, next, status); err != nil {
		return nil, err
	}
	next.Status = status
	next.Events = s.caseEventIDs(next)
	if err := s.writeCase(ctx, op, next, cur, l); err != nil {
		return nil, err
	}
	s.log.InfoContext(ctx, "case updated", "case", next.ID, "revision", next.Revision, "status", string(next.Status), "actor", p.UserID)
	return next, nil
}

// statusFromDates is the furthest status a Tribunal case's dates show.
func statusFromDates(c *cynllun.Case) cynllun.CaseStatus {
	if !c.Kind.Tribunal() {
		return cynllun.CaseOpen
	}
	switch {
	case !c.DecisionSentOn.IsZero():
		return cynllun.CaseDecided
	case !c.HearingOn.IsZero():
		return cynllun.CaseHearingListed
	case !c.RegisteredOn.IsZero():
		return cynllun.CaseRegistered
	case !c.LodgedOn.IsZero():
		return cynllun.CaseLodged
	}
	return cynllun.CaseOpen
}

// statusNeeds: a status needs the date that shows it.
func statusNeeds(st cynllun.CaseStatus, c *cynllun.Case) *cynllun.FieldError {
	need := map[cynllun.CaseStatus]struct {
		d     cynllun.Date
		field string
	}{
		cynllun.CaseLodged:        {c.LodgedOn, "lodgedOn"},
		cynllun.CaseRegistered:    {c.RegisteredOn, "registeredOn"},
		cynllun.CaseHearingListed: {c.HearingOn, "hearingOn"},
		cynllun.CaseDecided:       {c.DecisionSentOn, "decisionSentOn"},
	}
	if n, ok := need[st]; ok && n.d.IsZero() {
		return &cynllun.FieldError{Field: "input." + n.field, Message: "is required for status " + string(st)}
	}
	return nil
}

func nextCase(cur *cynllun.Case, p *cynllun.Principal, now time.Time) *cynllun.Case {
	next := *cur
	next.Revision = cur.Revision + 1
	next.UpdatedAt, next.UpdatedBy = now.UTC(), p.UserID
	next.Events = maps.Clone(cur.Events)
	return &next
}

func applyDetails(c *cynllun.Case, d *CaseDetails) {
	c.Title, c.Reference, c.Decision = strings.TrimSpace(d.Title), strings.TrimSpace(d.Reference), d.Decision
	c.Issues, c.Parties, c.Outcome = d.Issues, d.Parties, d.Outcome
	c.DisagreementReferredOn, c.LodgedOn, c.RegisteredOn = d.DisagreementReferredOn, d.LodgedOn, d.RegisteredOn
	c.CaseStatementDue, c.HearingOn, c.DecisionSentOn, c.ClosedOn = d.CaseStatementDue, d.HearingOn, d.DecisionSentOn, d.ClosedOn
}

// checkDetails validates a case's details; c is the case they are for and
// l its learner.
func (s *Service) checkDetails(ctx context.Context, op string, d *CaseDetails, c *cynllun.Case, l *cynllun.Learner, ck *checker) error {
	const p = "input."
	ck.required(p+"title", d.Title, form.MaxShort, false)
	ck.text(p+"reference", d.Reference, 100, false)
	ck.text(p+"outcome", d.Outcome, form.MaxLong, true)
	dec := &d.Decision
	oneOf(ck, p+"decision.kind", dec.Kind, cynllun.DisputedKinds, false)
	ck.text(p+"decision.description", dec.Description, form.MaxLong, true)
	today := cynllun.Today(s.now())
	past := func(field string, v cynllun.Date) { ck.eventDate(field, v, today) }
	past(p+"decision.decidedOn", dec.DecidedOn)
	past(p+"decision.noticeGivenOn", dec.NoticeGivenOn)
	if !dec.DecidedOn.IsZero() && !dec.NoticeGivenOn.IsZero() && dec.NoticeGivenOn.Before(dec.DecidedOn) {
		ck.add(p+"decision.noticeGivenOn", "must not be before decidedOn")
	}
	var maker *cynllun.Organisation
	if dec.MadeBy == "" {
		if !dec.NoticeGivenOn.IsZero() {
			ck.add(p+"decision.madeBy", "is required with noticeGivenOn: the body that decided")
		}
	} else if dec.MadeBy != c.Decision.MadeBy {
		// The body's clocks (T17) send it notices about the learner: only
		// a body responsible for the learner, as for recorded events (a
		// body named already stays when the learner has moved on).
		org, err := s.responsibleOrg(ctx, op, l, dec.MadeBy, p+"decision.madeBy")
		if err != nil {
			return err
		}
		maker = org
	} else {
		orgs, err := s.store.OrganisationsByID(ctx, []string{dec.MadeBy})
		if err != nil {
			return cynllun.AsError(op, err)
		}
		if len(orgs) > 0 {
			maker = orgs[0]
		}
	}
	// The case must pursue a step of the decision's route (package routes):
	// no appeal lies against a maintained school, for one. A case opened
	// names its kind (input.kind); an update can only change the decision.
	if maker != nil && slices.Contains(cynllun.DisputedKinds, dec.Kind) {
		if route, ok := routes.For(dec.Kind, maker.Kind); ok && !route.Allows(c.Kind) {
			field := p + "kind"
			if c.Revision > 1 {
				field = p + "decision.kind"
			}
			ck.add(field, fmt.Sprintf("no %s case lies against this decision: %s", c.Kind, route.Explanation().EN))
		}
	}
	if ck.count(p+"issues", len(d.Issues), maxIssues) {
		for i, is := range d.Issues {
			ck.required(fmt.Sprintf("%sissues.%d", p, i), is, form.MaxMedium, true)
		}
	}
	if ck.count(p+"parties", len(d.Parties), maxParties) {
		for i, pt := range d.Parties {
			f := fmt.Sprintf("%sparties.%d.", p, i)
			oneOf(ck, f+"role", pt.Role, cynllun.PartyRoles, false)
			oneOf(ck, f+"represents", pt.Represents, cynllun.PartyRoles, true)
			ck.name(f+"name", pt.Name, true)
			ck.text(f+"organisation", pt.Organisation, form.MaxShort, false)
			ck.text(f+"orgId", pt.OrgID, 100, false)
			ck.text(f+"userId", pt.UserID, 100, false)
		}
	}
	for _, x := range []struct {
		f string
		v cynllun.Date
	}{{"disagreementReferredOn", d.DisagreementReferredOn}, {"lodgedOn", d.LodgedOn}, {"registeredOn", d.RegisteredOn},
		{"decisionSentOn", d.DecisionSentOn}, {"closedOn", d.ClosedOn}} {
		past(p+x.f, x.v)
	}
	ck.plannedDate(p+"caseStatementDue", d.CaseStatementDue, today)
	ck.plannedDate(p+"hearingOn", d.HearingOn, today)
	if !c.Kind.Tribunal() {
		for _, x := range []struct {
			f string
			v cynllun.Date
		}{{"lodgedOn", d.LodgedOn}, {"registeredOn", d.RegisteredOn}, {"caseStatementDue", d.CaseStatementDue},
			{"hearingOn", d.HearingOn}, {"decisionSentOn", d.DecisionSentOn}} {
			if !x.v.IsZero() {
				ck.add(p+x.f, "applies only to Tribunal cases (APPEAL, DISABILITY_CLAIM)")
			}
		}
	}
	if !d.LodgedOn.IsZero() && !dec.NoticeGivenOn.IsZero() && d.LodgedOn.Before(dec.NoticeGivenOn) {
		ck.add(p+"lodgedOn", "must not be before decision.noticeGivenOn")
	}
	if !d.DecisionSentOn.IsZero() && !d.LodgedOn.IsZero() && d.DecisionSentOn.Before(d.LodgedOn) {
		ck.add(p+"decisionSentOn", "must not be before lodgedOn")
	}
	return nil
}

// The events a case's dates are recorded as. Their ids come from the case
// and the date, so saving the same dates again records nothing new, and a
// corrected date is a new event (the clock of the old one is closed as
// not applicable).
func caseEventID(caseID string, kind cynllun.EventKind, on cynllun.Date) string {
	sum := sha256.Sum256([]byte("case/" + caseID + "/" + string(kind) + "/" + on.String()))
	return cynllun.PrefixEvent + "c" + hex.EncodeToString(sum[:12])
}

// caseEventKinds maps a case's dates to the events they are.
func caseEventDates(c *cynllun.Case) map[cynllun.EventKind]cynllun.Date {
	out := map[cynllun.EventKind]cynllun.Date{}
	if !c.Decision.NoticeGivenOn.IsZero() && c.Decision.MadeBy != "" && c.Kind.Tribunal() {
		out[cynllun.EventDecisionNoticeGiven] = c.Decision.NoticeGivenOn
	}
	if !c.DisagreementReferredOn.IsZero() && c.Kind.Tribunal() {
		out[cynllun.EventDisagreementReferred] = c.DisagreementReferredOn
	}
	if !c.LodgedOn.IsZero() {
		out[cynllun.EventAppealMade] = c.LodgedOn
	}
	if !c.DecisionSentOn.IsZero() {
		out[cynllun.EventTribunalDecisionSent] = c.DecisionSentOn
	}
	return out
}

func (s *Service) caseEventIDs(c *cynllun.Case) map[cynllun.EventKind]string {
	dates := caseEventDates(c)
	if len(dates) == 0 {
		return nil
	}
	out := make(map[cynllun.EventKind]string, len(dates))
	for k, d := range dates {
		out[k] = caseEventID(c.ID, k, d)
	}
	return out
}

// writeCase stores case revision c (prev: the revision before, nil for a
// new case) and applies the statutory events it implies through the outbox
// (cynllun.OutboxCase): the entry, naming the case and the revision, is
// recorded before the revision, so a crash or a failed follow-up leaves it
// for the relay, which re-derives the events from the stored revisions. A
// lost race is CONFLICT, and nothing of it is applied.
func (s *Service) writeCase(ctx context.Context, op string, c, prev *cynllun.Case, l *cynllun.Learner) error {
	e := &cynllun.OutboxEntry{Kind: cynllun.OutboxCase, Ref: c.ID, Revision: c.Revision, LearnerID: c.LearnerID}
	if err := s.record(ctx, op, e); err != nil {
		return err
	}
	failpoint.Crash("case.recorded")
	if err := s.insertCase(ctx, op, c); err != nil {
		if cynllun.ErrorCode(err) == cynllun.CodeConflict {
			// Not stored: the revision with this number is another
			// request's, which has an entry of its own.
			s.finish(ctx, e, "")
		}
		// Otherwise the revision may be stored (its head failed): the
		// relay finds out and applies its events, or drops the entry.
		return err
	}
	failpoint.Crash("case.inserted")
	s.settle(ctx, e, "case.applied", func(ctx context.Context) error { return s.caseFollowUps(ctx, c, prev, nil, l) })
	return nil
}

// applyCaseEntry applies a pending OutboxCase entry: the case's head is
// moved up first (its writer may have died between the revision and the
// head), then the events of the revision are derived again from it and the
// one before. A revision never stored (or a learner since erased) leaves
// nothing to do.
func (s *Service) applyCaseEntry(ctx context.Context, op string, e *cynllun.OutboxEntry) error {
	latest, err := s.store.RepairCaseHead(ctx, e.Ref)
	if err != nil {
		return cynllun.AsError(op, err)
	}
	if latest < e.Revision || e.Revision < 1 {
		return errNotDone
	}
	rs, err := s.store.CaseRevisions(ctx, e.Ref)
	if err != nil {
		return cynllun.AsError(op, err)
	}
	i := slices.IndexFunc(rs, func(c *cynllun.Case) bool { return c.Revision == e.Revision })
	if i < 0 {
		return errNotDone
	}
	var prev *cynllun.Case
	if i > 0 && rs[i-1].Revision == e.Revision-1 {
		prev = rs[i-1]
	}
	ls, err := s.store.LearnersByID(ctx, []string{rs[i].LearnerID})
	if err != nil {
		return cynllun.AsError(op, err)
	}
	if len(ls) == 0 {
		return errNotDone
	}
	return s.caseFollowUps(ctx, rs[i], prev, rs[i+1:], ls[0])
}

// caseFollowUps records the events of case revision c's dates that prev
// (the revision before, nil for a new case) did not have, in the order they
// happened, and closes as not applicable the clocks of events a correction
// replaced: c's of prev's, and those of each later revision (later, in
// order: the relay applies an entry after the revisions that followed it,
// whose closures found the clocks not started yet). Every write is
// idempotent (event ids derive from the case, clock ids from their events,
// a first closure stays), so applying it again changes nothing. The events
// are recorded by whoever made the revision.
func (s *Service) caseFollowUps(ctx context.Context, c, prev *cynllun.Case, later []*cynllun.Case, l *cynllun.Learner) error {
	const op = "service.caseFollowUps"
	by := c.UpdatedBy
	org := c.Decision.MadeBy
	if org == "" {
		org = l.LAID
	}
	dates := caseEventDates(c)
	order := []cynllun.EventKind{cynllun.EventDecisionNoticeGiven, cynllun.EventDisagreementReferred, cynllun.EventAppealMade, cynllun.EventTribunalDecisionSent}
	kinds := slices.SortedFunc(maps.Keys(dates), func(a, b cynllun.EventKind) int {
		// In the order they happened; on one day, in the order they must.
		return cmp.Or(strings.Compare(dates[a].String(), dates[b].String()), slices.Index(order, a)-slices.Index(order, b))
	})
	for _, k := range kinds {
		id := c.Events[k]
		if prev != nil && prev.Events[k] == id {
			continue
		}
		ev := &cynllun.StatutoryEvent{ID: id, Kind: k, LearnerID: l.ID, CaseID: c.ID, OrgID: org, On: dates[k],
			RecordedAt: s.now().UTC(), RecordedBy: by, System: true}
		if k == cynllun.EventDecisionNoticeGiven {
			// Its route chooses its clocks (T17 where an appeal lies).
			ev.Decision = c.Decision.Kind
		}
		if err := s.deriveEvent(ctx, op, ev, l); err != nil {
			return err
		}
	}
	for _, pair := range casePairs(prev, c, later) {
		if err := s.closeReplaced(ctx, op, pair[0], pair[1]); err != nil {
			return err
		}
	}
	return nil
}

// casePairs are the consecutive revisions (before, after) from prev on.
func casePairs(prev, c *cynllun.Case, later []*cynllun.Case) [][2]*cynllun.Case {
	var out [][2]*cynllun.Case
	if prev != nil {
		out = append(out, [2]*cynllun.Case{prev, c})
	}
	before := c
	for _, r := range later {
		out = append(out, [2]*cynllun.Case{before, r})
		before = r
	}
	return out
}

// closeReplaced closes as not applicable the clocks of prev's events that
// c replaced (a corrected date is a new event). A clock not started is
// left alone.
func (s *Service) closeReplaced(ctx context.Context, op string, prev, c *cynllun.Case) error {
	for k, old := range prev.Events {
		if c.Events[k] == old {
			continue
		}
		// The clocks the replaced event started no longer apply.
		for _, rule := range clock.Rules() {
			if rule.StartEvent != string(k) {
				continue
			}
			id := cynllun.DeadlineID(rule.ID, old)
			if _, err := s.store.CloseDeadline(ctx, id, cynllun.Closure{Status: cynllun.DeadlineNotApplicable, On: cynllun.Today(s.now()),
				Reason: "the case's date was corrected", By: c.UpdatedBy, At: s.now().UTC()}); err != nil && cynllun.ErrorCode(err) != cynllun.CodeNotFound {
				return cynllun.AsError(op, err)
			}
		}
	}
	return nil
}

func (s *Service) insertCase(ctx context.Context, op string, c *cynllun.Case) error {
	var err error
	if c.LAID, c.SettingID, err = s.placeOf(ctx, op, c.LearnerID); err != nil {
		return err
	}
	if err := s.store.InsertCase(ctx, c); err != nil {
		e := cynllun.AsError(op, err)
		if e.Code == cynllun.CodeConflict {
			return caseConflict(op, e.Current)
		}
		return e
	}
	return nil
}

func checkCaseRevision(op string, cur *cynllun.Case, expected int, ck *checker) error {
	if expected < 1 {
		ck.add("input.expectedRevision", "must be 1 or more")
		return nil
	}
	if expected != cur.Revision {
		return caseConflict(op, cur.Revision)
	}
	return nil
}

func caseConflict(op string, current int) *cynllun.Error {
	return &cynllun.Error{Code: cynllun.CodeConflict, Op: op, Current: current,
		Message: fmt.Sprintf("the case was changed by someone else: revision %d is current; reload it and apply your changes again", current)}
}

// caseFor loads a case's latest revision for someone who may work on it;
// a case they may not see is NOT_FOUND.
func (s *Service) caseFor(ctx context.Context, op, id string) (*cynllun.Principal, *cynllun.Case, *cynllun.Learner, error) {
	p, err := principal(ctx, op)
	if err != nil {
		return nil, nil, nil, err
	}
	cs, err := s.store.CasesByID(ctx, []string{id})
	if err != nil {
		return nil, nil, nil, cynllun.AsError(op, err)
	}
	if len(cs) == 0 {
		return nil, nil, nil, cynllun.NotFound(op, "case")
	}
	ls, err := s.store.LearnersByID(ctx, []string{cs[0].LearnerID})
	if err != nil {
		return nil, nil, nil, cynllun.AsError(op, err)
	}
	if len(ls) == 0 || !policy.ReadCase(p, ls[0], cs[0], s.now()).OK {
		return nil, nil, nil, cynllun.NotFound(op, "case")
	}
	return p, cs[0], ls[0], nil
}

// Case returns a case (audited).
func (s *Service) Case(ctx context.Context, id string) (*cynllun.Case, error) {
	const op = "service.Case"
	p, c, l, err := s.caseFor(ctx, op, id)
	if err != nil {
		return nil, err
	}
	if err := s.auditCase(ctx, op, p, l, c, "case", "read"); err != nil {
		return nil, err
	}
	return c, nil
}

// Cases returns, for each id, the case or nil when missing or not
// readable, auditing each one returned.
func (s *Service) Cases(ctx context.Context, ids []string) ([]*cynllun.Case, error) {
	const op = "service.Cases"
	p, err := principal(ctx, op)
	if err != nil {
		return nil, err
	}
	cs, err := s.store.CasesByID(ctx, ids)
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	vis, err := s.visibleCases(ctx, op, p, cs)
	if err != nil {
		return nil, err
	}
	by := map[string]*cynllun.Case{}
	for _, c := range vis {
		by[c.ID] = c
	}
	out := make([]*cynllun.Case, len(ids))
	for i, id := range ids {
		out[i] = by[id]
	}
	return out, nil
}

// LearnerCases lists a page of the cases of a learner that the caller may
// see, oldest first, with how many there are; reading them is audited.
func (s *Service) LearnerCases(ctx context.Context, learnerID string, pg Page) (Paged[*cynllun.Case], int, error) {
	const op = "service.LearnerCases"
	p, err := principal(ctx, op)
	if err != nil {
		return Paged[*cynllun.Case]{}, 0, err
	}
	if _, err := s.learnerFor(ctx, p, op, learnerID); err != nil {
		return Paged[*cynllun.Case]{}, 0, err
	}
	cs, err := s.store.CasesForLearners(ctx, []string{learnerID})
	if err != nil {
		return Paged[*cynllun.Case]{}, 0, cynllun.AsError(op, err)
	}
	cs, reasons, err := s.readableCases(ctx, op, p, cs)
	if err != nil {
		return Paged[*cynllun.Case]{}, 0, err
	}
	out, err := Window(op, pg, cs, CaseAge)
	if err != nil {
		return out, 0, err
	}
	return out, len(cs), s.auditCases(ctx, op, p, out.Items, reasons)
}

// CaseAge is a case's position among a learner's cases: by when it was
// opened, then id.
func CaseAge(c *cynllun.Case) Cursor { return Cursor{Key: TimeKey(c.CreatedAt), ID: c.ID} }

// visibleCases keeps the cases p may read and audits them.
func (s *Service) visibleCases(ctx context.Context, op string, p *cynllun.Principal, cs []*cynllun.Case) ([]*cynllun.Case, error) {
	out, reasons, err := s.readableCases(ctx, op, p, cs)
	if err != nil {
		return nil, err
	}
	return out, s.auditCases(ctx, op, p, out, reasons)
}

// readableCases keeps the cases p may read, with why p may read each.
func (s *Service) readableCases(ctx context.Context, op string, p *cynllun.Principal, cs []*cynllun.Case) ([]*cynllun.Case, map[string]cynllun.RelKind, error) {
	if len(cs) == 0 {
		return nil, nil, nil
	}
	ids := make([]string, len(cs))
	for i, c := range cs {
		ids[i] = c.LearnerID
	}
	ls, err := s.store.LearnersByID(ctx, dedupe(ids))
	if err != nil {
		return nil, nil, cynllun.AsError(op, err)
	}
	byID := map[string]*cynllun.Learner{}
	for _, l := range ls {
		byID[l.ID] = l
	}
	now := s.now()
	var out []*cynllun.Case
	reasons := map[string]cynllun.RelKind{}
	for _, c := range cs {
		a := policy.ReadCase(p, byID[c.LearnerID], c, now)
		if !a.OK {
			continue
		}
		out = append(out, c)
		reasons[c.ID] = a.Reason
	}
	return out, reasons, nil
}

// auditCases records a read of each case, for the reason given.
func (s *Service) auditCases(ctx context.Context, op string, p *cynllun.Principal, cs []*cynllun.Case, reasons map[string]cynllun.RelKind) error {
	now := s.now()
	events := make([]cynllun.AuditEvent, 0, len(cs))
	for _, c := range cs {
		events = append(events, caseAudit(p, c, "case", "read", reasons[c.ID], now))
	}
	return s.audit(ctx, op, events)
}

func caseAudit(p *cynllun.Principal, c *cynllun.Case, part, action string, reason cynllun.RelKind, now time.Time) cynllun.AuditEvent {
	return cynllun.AuditEvent{ID: cynllun.NewID(cynllun.PrefixAudit), At: now.UTC(), ActorID: p.UserID, LearnerID: c.LearnerID,
		Part: part + ":" + c.ID, Action: action, Reason: string(reason)}
}

func (s *Service) auditCase(ctx context.Context, op string, p *cynllun.Principal, l *cynllun.Learner, c *cynllun.Case, part, action string) error {
	now := s.now()
	return s.audit(ctx, op, []cynllun.AuditEvent{caseAudit(p, c, part, action, policy.ReadCase(p, l, c, now).Reason, now)})
}

// CaseRevisions lists every revision of a case, oldest first.
func (s *Service) CaseRevisions(ctx context.Context, id string) ([]*cynllun.Case, error) {
	const op = "service.CaseRevisions"
	p, c, l, err := s.caseFor(ctx, op, id)
	if err != nil {
		return nil, err
	}
	if err := s.auditCase(ctx, op, p, l, c, "case.history", "read"); err != nil {
		return nil, err
	}
	rs, err := s.store.CaseRevisions(ctx, id)
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	return rs, nil
}

// CaseRevision returns one revision of a case (audited as a read of its
// history), or NOT_FOUND when there is no such revision or the principal
// may not read the case.
func (s *Service) CaseRevision(ctx context.Context, id string, revision int) (*cynllun.Case, error) {
	const op = "service.CaseRevision"
	p, c, l, err := s.caseFor(ctx, op, id)
	if err != nil {
		return nil, err
	}
	if revision < 1 || revision > c.Revision {
		return nil, cynllun.NotFound(op, "case revision")
	}
	if revision == c.Revision {
		if err := s.auditCase(ctx, op, p, l, c, "case", "read"); err != nil {
			return nil, err
		}
		return c, nil
	}
	if err := s.auditCase(ctx, op, p, l, c, "case.history", "read"); err != nil {
		return nil, err
	}
	rs, err := s.store.CaseRevisions(ctx, id)
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	for _, r := range rs {
		if r.Revision == revision {
			return r, nil
		}
	}
	return nil, cynllun.NotFound(op, "case revision")
}

// AppealDeadline is the case's T17 clock (the time to appeal), when its
// decision notice date is recorded.
func (s *Service) AppealDeadline(ctx context.Context, c *cynllun.Case) (*cynllun.Deadline, error) {
	const op = "service.AppealDeadline"
	return s.caseDeadline(ctx, op, c, cynllun.EventDecisionNoticeGiven, "T17")
}

// ReviewDeadline is the case's T18 clock (the time to ask the Tribunal to
// review its decision), once the decision was sent.
func (s *Service) ReviewDeadline(ctx context.Context, c *cynllun.Case) (*cynllun.Deadline, error) {
	const op = "service.ReviewDeadline"
	return s.caseDeadline(ctx, op, c, cynllun.EventTribunalDecisionSent, "T18")
}

func (s *Service) caseDeadline(ctx context.Context, op string, c *cynllun.Case, kind cynllun.EventKind, rule string) (*cynllun.Deadline, error) {
	ev := c.Events[kind]
	if ev == "" {
		return nil, nil
	}
	ds, err := s.store.DeadlinesByID(ctx, []string{cynllun.DeadlineID(rule, ev)})
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	if len(ds) == 0 {
		return nil, nil
	}
	return ds[0], nil
}
