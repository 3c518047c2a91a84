package service

import (
	"context"
	"slices"
	"time"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/form"
	"github.com/cynllun/cynllun/policy"
)

// HandoverInput records the end of a learner's compulsory school age: the
// young person's consent and capacity, a case friend, and their choice
// about their parents' access.
type HandoverInput struct {
	LearnerID         string
	ConsentGiven      bool
	ConsentOn         cynllun.Date
	HasCapacity       bool
	CapacityDecidedBy string
	CapacityBasis     string
	CaseFriendName    string
	CaseFriendUserID  string
	ParentAccess      cynllun.ParentAccess
	Note              string
	IdempotencyKey    string
}

// HandoverResult is the handover recorded, with the learner and the
// clocks it started and closed.
type HandoverResult struct {
	Handover *cynllun.Handover
	Learner  *cynllun.Learner
	Started  []*cynllun.Deadline
	Closed   []*cynllun.Deadline
}

// RecordHandover records that a learner is a young person: once their
// compulsory school age has ended (the last Friday in June of the school
// year in which they turned 16), those who maintain their record or plan
// record the young person's consent to the plan (T20), whether they have
// capacity (and, if not, who decided so and on what basis), a case
// friend, and the young person's choice about their parents' access. The
// parents' relationships end unless the young person chose to keep them
// or lacks capacity (policy.KeepsParentAccess). COMPULSORY_SCHOOL_AGE_ENDED
// and, with consent, CONSENT_GIVEN are recorded; a plan already maintained
// leaves nothing to decide, so clocks to decide that consent would start
// close as not applicable. One handover per learner.
func (s *Service) RecordHandover(ctx context.Context, in HandoverInput) (*HandoverResult, error) {
	const op = "service.RecordHandover"
	p, err := principal(ctx, op)
	if err != nil {
		return nil, err
	}
	l, err := s.learnerFor(ctx, p, op, in.LearnerID)
	if err != nil {
		return nil, err
	}
	plans, err := s.store.PlansByLearner(ctx, []string{l.ID})
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	now := s.now()
	allowed := policy.RecordHandover(p, l, plans, now)
	if !allowed.OK {
		return nil, cynllun.E(cynllun.CodeForbidden, op, "only those who maintain the learner's record or plan record the handover to young person")
	}
	today := cynllun.Today(now)
	ends := cynllun.CompulsorySchoolAgeEnds(l.DateOfBirth)
	c := &checker{}
	if !today.After(ends) {
		c.add("input.learnerId", "is of compulsory school age still: the handover is recorded after it ends (the last Friday in June of the school year in which they turn 16)")
	}
	oneOf(c, "input.parentAccess", in.ParentAccess, []cynllun.ParentAccess{cynllun.ParentAccessKeep, cynllun.ParentAccessEnd}, false)
	if in.ConsentGiven && in.ConsentOn.IsZero() {
		in.ConsentOn = today
	}
	if !in.ConsentGiven && !in.ConsentOn.IsZero() {
		c.add("input.consentOn", "applies only when consent is given")
	}
	c.eventDate("input.consentOn", in.ConsentOn, today)
	if !in.ConsentOn.IsZero() && !in.ConsentOn.After(ends) && today.After(ends) {
		c.add("input.consentOn", "must be after compulsory school age ended: a child's parent consents for them before")
	}
	if in.HasCapacity {
		c.text("input.capacityDecidedBy", in.CapacityDecidedBy, form.MaxShort, false)
		c.text("input.capacityBasis", in.CapacityBasis, form.MaxMedium, true)
	} else {
		c.required("input.capacityDecidedBy", in.CapacityDecidedBy, form.MaxShort, false)
		c.required("input.capacityBasis", in.CapacityBasis, form.MaxMedium, true)
		if in.ParentAccess == cynllun.ParentAccessEnd {
			c.add("input.parentAccess", "must be KEEP when the young person lacks capacity: their parents keep access to act for them")
		}
	}
	c.name("input.caseFriend.name", in.CaseFriendName, in.CaseFriendUserID != "")
	c.text("input.caseFriend.userId", in.CaseFriendUserID, form.MaxShort, false)
	c.text("input.note", in.Note, form.MaxMedium, true)
	if err := checkKey(op, "input.idempotencyKey", in.IdempotencyKey); err != nil {
		return nil, err
	}
	if len(c.errs) > 0 {
		return nil, cynllun.Invalid(op, c.errs...)
	}
	if in.CaseFriendUserID != "" {
		us, err := s.store.UsersByID(ctx, []string{in.CaseFriendUserID})
		if err != nil {
			return nil, cynllun.AsError(op, err)
		}
		if len(us) == 0 || us[0].Admin || in.CaseFriendUserID == p.UserID {
			return nil, cynllun.Invalid(op, cynllun.FieldError{Field: "input.caseFriend.userId", Message: "is not a user who may be named here"})
		}
	}
	sent := in
	sent.IdempotencyKey = ""
	decidedBy := cynllun.DecidedByYoungPerson
	if !in.HasCapacity {
		decidedBy = cynllun.DecidedLacksCapacity
	}
	return keyed(ctx, s, keySpec{op: op, mutation: "recordYoungPersonHandover", key: l.ID, prefix: cynllun.PrefixLearner, result: l.ID,
		input:  sent,
		reused: "the learner's handover to young person is recorded already"},
		func(string) (*HandoverResult, error) {
			h := &cynllun.Handover{
				LearnerID: l.ID, On: ends, ConsentGiven: in.ConsentGiven, ConsentOn: in.ConsentOn, HasCapacity: in.HasCapacity,
				CapacityDecidedBy: in.CapacityDecidedBy, CapacityBasis: in.CapacityBasis, CaseFriendName: in.CaseFriendName,
				CaseFriendUserID: in.CaseFriendUserID, ParentAccess: in.ParentAccess, ParentAccessDecidedBy: decidedBy,
				Note: in.Note, At: now.UTC(), By: p.UserID,
			}
			if !policy.KeepsParentAccess(in.HasCapacity, in.ParentAccess) {
				rels, err := s.store.RelationshipsForLearner(ctx, l.ID)
				if err != nil {
					return nil, cynllun.AsError(op, err)
				}
				for _, r := range rels {
					if r.Kind == cynllun.RelParentOf && r.LearnerID == l.ID && r.ActiveAt(now) {
						h.EndedRelationships = append(h.EndedRelationships, r.ID)
					}
				}
			}
			if err := s.store.InsertHandover(ctx, h); err != nil {
				e := cynllun.AsError(op, err)
				if e.Code == cynllun.CodeConflict {
					return nil, cynllun.E(cynllun.CodeConflict, op, "the learner's handover to young person is recorded already")
				}
				return nil, e
			}
			// Ending a relationship changes who may see the learner: the
			// store refreshes cached access.
			for _, id := range h.EndedRelationships {
				if err := s.store.EndRelationship(ctx, id, now.UTC()); err != nil {
					return nil, cynllun.AsError(op, err)
				}
			}
			res := &HandoverResult{Handover: h, Learner: l}
			if err := s.handoverEvents(ctx, op, p, l, plans, h, res); err != nil {
				return nil, err
			}
			ended := make([]cynllun.AuditEvent, 0, len(h.EndedRelationships)+1)
			ended = append(ended, cynllun.AuditEvent{ID: cynllun.NewID(cynllun.PrefixAudit), At: now.UTC(), ActorID: p.UserID, LearnerID: l.ID,
				Part: "learner.handover", Action: "handover", Reason: string(allowed.Reason)})
			for _, id := range h.EndedRelationships {
				ended = append(ended, cynllun.AuditEvent{ID: cynllun.NewID(cynllun.PrefixAudit), At: now.UTC(), ActorID: p.UserID, LearnerID: l.ID,
					Part: "access.revoke", Action: "revoked", Reason: string(cynllun.RelParentOf), RelationshipID: id})
			}
			if err := s.audit(ctx, op, ended); err != nil {
				return nil, err
			}
			s.log.InfoContext(ctx, "young person handover recorded", "learner", l.ID, "parentsEnded", len(h.EndedRelationships), "actor", p.UserID)
			return res, nil
		}, func(string) (*HandoverResult, error) {
			hs, err := s.store.HandoversByLearner(ctx, []string{l.ID})
			if err != nil {
				return nil, cynllun.AsError(op, err)
			}
			if len(hs) == 0 {
				return nil, cynllun.NotFound(op, "handover")
			}
			return &HandoverResult{Handover: hs[0], Learner: l}, nil
		})
}

// handoverEvents records COMPULSORY_SCHOOL_AGE_ENDED and, with consent,
// CONSENT_GIVEN for the body that maintains the learner's live plan (else
// their setting, else their LA). Consent starts the clocks to decide a
// young person's ALN (T2, T3); with a plan maintained already there is
// nothing to decide (s.11(3)(a)), so those close as not applicable.
func (s *Service) handoverEvents(ctx context.Context, op string, p *cynllun.Principal, l *cynllun.Learner, plans []*cynllun.Plan, h *cynllun.Handover, res *HandoverResult) error {
	var plan *cynllun.Plan
	for _, pl := range plans {
		if !pl.Ceased() {
			plan = pl
		}
	}
	orgID := l.SettingID
	if orgID == "" {
		orgID = l.LAID
	}
	ref := &cynllun.Plan{LearnerID: l.ID, MaintainerID: orgID}
	if plan != nil {
		ref, orgID = plan, plan.MaintainerID
	}
	orgs, err := s.orgsByID(ctx, op, orgID)
	if err != nil {
		return err
	}
	org := orgs[orgID]
	if org == nil {
		return nil
	}
	record := func(kind cynllun.EventKind, on cynllun.Date) (*EventResult, error) {
		ev := s.lifecycleEvent("handover/"+l.ID, kind, ref, org, on, p.UserID)
		return s.applyEvent(ctx, op, ev, l, org)
	}
	if _, err := record(cynllun.EventCompulsorySchoolAgeEnded, h.On); err != nil {
		return err
	}
	if !h.ConsentGiven {
		return nil
	}
	er, err := record(cynllun.EventConsentGiven, h.ConsentOn)
	if err != nil {
		return err
	}
	res.Closed = append(res.Closed, er.Closed...)
	for _, d := range er.Started {
		if plan == nil || !slices.Contains([]string{"T2", "T3"}, d.RuleID) {
			res.Started = append(res.Started, d)
			continue
		}
		if _, err := s.store.CloseDeadline(ctx, d.ID, cynllun.Closure{Status: cynllun.DeadlineNotApplicable, On: h.ConsentOn,
			Reason: closedPlanMaintained, By: p.UserID, At: s.now().UTC()}); err != nil {
			return cynllun.AsError(op, err)
		}
	}
	return nil
}

// Handovers returns each learner's handover (nil when none, or when the
// learner is not readable).
func (s *Service) Handovers(ctx context.Context, learnerIDs []string) ([]*cynllun.Handover, error) {
	const op = "service.Handovers"
	p, err := principal(ctx, op)
	if err != nil {
		return nil, err
	}
	readable, err := s.readableLearners(ctx, p, learnerIDs)
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	ids := make([]string, 0, len(readable))
	for id := range readable {
		ids = append(ids, id)
	}
	by := map[string]*cynllun.Handover{}
	if len(ids) > 0 {
		hs, err := s.store.HandoversByLearner(ctx, ids)
		if err != nil {
			return nil, cynllun.AsError(op, err)
		}
		for _, h := range hs {
			by[h.LearnerID] = h
		}
	}
	out := make([]*cynllun.Handover, len(learnerIDs))
	for i, id := range learnerIDs {
		out[i] = by[id]
	}
	return out, nil
}

// HistoryKind is what an entry of a plan's history is.
type HistoryKind string

const (
	HistoryCreated     HistoryKind = "CREATED"
	HistoryVersion     HistoryKind = "VERSION"
	HistoryTransferred HistoryKind = "TRANSFERRED"
	HistoryTakenOver   HistoryKind = "TAKEN_OVER"
	HistoryCeased      HistoryKind = "CEASED"
	HistoryHandover    HistoryKind = "YOUNG_PERSON_HANDOVER"
)

// HistoryEntry is one entry of a plan's history: its creation, a version
// saved, a lifecycle operation, or its learner's handover to young person.
type HistoryEntry struct {
	Kind     HistoryKind
	At       time.Time
	By       string
	Version  *cynllun.Version
	Change   *cynllun.PlanChange
	Handover *cynllun.Handover
}

// MaxHistoryVersions bounds the versions a plan's history lists.
const MaxHistoryVersions = 1000

// PlanHistory is a plan's history, oldest first: its creation, each
// version (without content: nothing to audit), each lifecycle operation
// and the learner's handover, for whoever may read the plan.
func (s *Service) PlanHistory(ctx context.Context, planID string) ([]HistoryEntry, error) {
	const op = "service.PlanHistory"
	p, err := principal(ctx, op)
	if err != nil {
		return nil, err
	}
	plan, l, err := s.planFor(ctx, p, op, planID)
	if err != nil {
		return nil, err
	}
	vs, err := s.store.ListVersions(ctx, plan.ID, 0, MaxHistoryVersions)
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	out := []HistoryEntry{{Kind: HistoryCreated, At: plan.CreatedAt, By: plan.CreatedBy}}
	for _, v := range vs {
		out = append(out, HistoryEntry{Kind: HistoryVersion, At: v.CreatedAt, By: v.CreatedBy, Version: v})
	}
	for i := range plan.Changes {
		ch := &plan.Changes[i]
		kind := map[cynllun.PlanChangeKind]HistoryKind{cynllun.ChangeTransferred: HistoryTransferred, cynllun.ChangeTakenOver: HistoryTakenOver,
			cynllun.ChangeCeased: HistoryCeased}[ch.Kind]
		out = append(out, HistoryEntry{Kind: kind, At: ch.At, By: ch.By, Change: ch})
	}
	hs, err := s.store.HandoversByLearner(ctx, []string{l.ID})
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	for _, h := range hs {
		if h.At.After(plan.CreatedAt) {
			out = append(out, HistoryEntry{Kind: HistoryHandover, At: h.At, By: h.By, Handover: h})
		}
	}
	// Versions in number order; an operation after the version it
	// followed (AfterVersion); the handover after the versions saved
	// before it; then by time.
	place := func(h HistoryEntry) (int, int) {
		switch {
		case h.Version != nil:
			return h.Version.Number, 0
		case h.Change != nil:
			return h.Change.AfterVersion, 1
		case h.Handover != nil:
			n := 0
			for _, v := range vs {
				if !v.CreatedAt.After(h.At) {
					n = max(n, v.Number)
				}
			}
			return n, 1
		}
		return 0, -1
	}
	slices.SortStableFunc(out, func(a, b HistoryEntry) int {
		an, ak := place(a)
		bn, bk := place(b)
		if an != bn {
			return an - bn
		}
		if ak != bk {
			return ak - bk
		}
		return a.At.Compare(b.At)
	})
	return out, nil
}
