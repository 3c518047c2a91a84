package service

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/internal/failpoint"
)

// The outbox (cynllun/outbox.go): a write that implies further writes
// records them as an entry first, leased to the request for outboxLease;
// the request then writes, applies the entry (settle) and removes it. If
// the process dies, or a follow-up fails, the entry stays, and once its
// lease has run out the relay (RelayOutbox, run by every process that runs
// the worker) applies it. Every follow-up is idempotent (event ids derive
// from the record that implies them; clocks from their events), so an
// entry applied twice, by a request and a relay that both got part-way,
// changes nothing more.

// DefaultOutboxLease is how long a request holds the entry it recorded
// before the relay may take it: longer than any request takes.
const DefaultOutboxLease = 30 * time.Second

// outboxBatch bounds the entries one relay pass takes.
const outboxBatch = 200

// WithOutboxLease sets how long a request's entry is its own before the
// relay may apply it (DefaultOutboxLease; tests shorten it).
func WithOutboxLease(d time.Duration) Option { return func(s *Service) { s.outboxLease = d } }

func (s *Service) lease() time.Duration {
	if s.outboxLease > 0 {
		return s.outboxLease
	}
	if s.outboxLease < 0 {
		return 0
	}
	return DefaultOutboxLease
}

// record stores e (a fresh id unless set), leased to this request. Leases
// are wall-clock time, whatever the service's clock says.
func (s *Service) record(ctx context.Context, op string, e *cynllun.OutboxEntry) error {
	now := time.Now().UTC()
	if e.ID == "" {
		e.ID = cynllun.NewID("obx_")
	}
	e.RecordedAt, e.LeasedUntil = now, now.Add(s.lease())
	if err := s.store.RecordOutbox(ctx, e); err != nil {
		return cynllun.AsError(op, err)
	}
	return nil
}

// finish removes entry e once applied (or found to have nothing to do). A
// failure leaves it to the relay, which applies it again harmlessly.
func (s *Service) finish(ctx context.Context, e *cynllun.OutboxEntry, token string) {
	if err := s.store.FinishOutbox(context.WithoutCancel(ctx), e.ID, token); err != nil {
		s.log.WarnContext(ctx, "could not remove an applied outbox entry", "entry", e.ID, "code", string(cynllun.ErrorCode(err)))
	}
}

// settle applies the follow-ups of e right after the write (the usual,
// immediate path) with apply, and removes e; a failure is left to the
// relay. The request's own context may end: the follow-ups run on.
func (s *Service) settle(ctx context.Context, e *cynllun.OutboxEntry, point string, apply func(context.Context) error) {
	ctx = context.WithoutCancel(ctx)
	if err := apply(ctx); err != nil {
		s.log.WarnContext(ctx, "follow-ups left to the outbox relay", "entry", e.ID, "kind", string(e.Kind), "code", string(cynllun.ErrorCode(err)))
		return
	}
	failpoint.Crash(point)
	s.finish(ctx, e, "")
}

// errNotDone says an entry's record is not (yet) stored: the request that
// recorded it died before its write, or failed it.
var errNotDone = errors.New("the record an outbox entry follows is not stored")

// applyOutbox applies a pending entry the relay took.
func (s *Service) applyOutbox(ctx context.Context, e *cynllun.OutboxEntry) error {
	const op = "service.applyOutbox"
	switch e.Kind {
	case cynllun.OutboxVersion, cynllun.OutboxConclusion:
		// A writer that died between a version and its plan's heads
		// left them behind: moved up first, so what follows (and every
		// reader) sees the version.
		if _, err := s.store.RepairPlanHeads(ctx, e.PlanID); err != nil {
			return cynllun.AsError(op, err)
		}
	}
	switch e.Kind {
	case cynllun.OutboxVersion:
		vs, err := s.store.VersionsByID(ctx, []string{e.Ref})
		if err != nil {
			return cynllun.AsError(op, err)
		}
		if len(vs) == 0 {
			return errNotDone
		}
		plans, err := s.store.PlansByID(ctx, []string{vs[0].PlanID})
		if err != nil {
			return cynllun.AsError(op, err)
		}
		if len(plans) == 0 {
			return errNotDone
		}
		return s.versionFollowUps(ctx, plans[0], vs[0])
	case cynllun.OutboxEvent:
		if _, err := s.store.ReviewRevision(ctx, e.ReviewID, e.Revision); err != nil {
			if cynllun.ErrorCode(err) == cynllun.CodeNotFound {
				return errNotDone
			}
			return cynllun.AsError(op, err)
		}
		plans, err := s.store.PlansByID(ctx, []string{e.PlanID})
		if err != nil {
			return cynllun.AsError(op, err)
		}
		if len(plans) == 0 {
			return errNotDone
		}
		return s.systemEvent(ctx, e.EventKind, e.Cause, plans[0], e.ReviewID, e.On, e.By)
	case cynllun.OutboxConclusion:
		_, err := s.completeConclusion(ctx, op, e, nil)
		return err
	case cynllun.OutboxChange:
		plans, err := s.store.PlansByID(ctx, []string{e.PlanID})
		if err != nil {
			return cynllun.AsError(op, err)
		}
		if len(plans) == 0 {
			return errNotDone
		}
		i := slices.IndexFunc(plans[0].Changes, func(ch cynllun.PlanChange) bool { return ch.ID == e.Ref })
		if i < 0 {
			return errNotDone
		}
		ls, err := s.store.LearnersByID(ctx, []string{plans[0].LearnerID})
		if err != nil {
			return cynllun.AsError(op, err)
		}
		if len(ls) == 0 {
			return errNotDone
		}
		_, err = s.changeFollowUps(ctx, op, plans[0], plans[0].Changes[i], ls[0])
		return err
	case cynllun.OutboxCase:
		return s.applyCaseEntry(ctx, op, e)
	case cynllun.OutboxPlan:
		exists, err := s.store.AbandonPlan(ctx, e.Ref, e.LearnerID)
		if err != nil {
			return cynllun.AsError(op, err)
		}
		if exists && e.KeyID != "" {
			// Created, but the request died before marking its key
			// done: a retry gets the plan at once.
			if c, err := s.store.IdempotencyClaim(ctx, e.KeyID); err == nil && !c.Done && c.ResultID == e.Ref {
				if err := s.store.FinishIdempotencyKey(ctx, e.KeyID); err != nil {
					return cynllun.AsError(op, err)
				}
			}
		}
		if !exists && e.KeyID != "" {
			// The creation died: its key is free for a retry at once.
			c, err := s.store.IdempotencyClaim(ctx, e.KeyID)
			if err == nil && !c.Done && c.ResultID == e.Ref {
				if err := s.store.ReleaseIdempotencyKey(ctx, e.KeyID); err != nil {
					return cynllun.AsError(op, err)
				}
			}
			s.log.InfoContext(ctx, "an interrupted plan creation was cleaned up", "plan", e.Ref)
		}
		return nil
	}
	s.log.WarnContext(ctx, "outbox entry of an unknown kind dropped", "entry", e.ID, "kind", string(e.Kind))
	return nil
}

// OutboxStatus is what a relay pass saw.
type OutboxStatus struct {
	// Pending is how many entries were waiting when the pass began
	// (at most one batch is read), Oldest how long the oldest had waited.
	Pending int
	Oldest  time.Duration
	// Applied and Failed count the entries this pass took.
	Applied, Failed int
}

// RelayOutbox makes one pass over the outbox: every entry whose lease has
// run out is leased to this pass, applied and removed; one whose record
// was never stored is removed (for a conclusion, its claim released); one
// that fails stays, leased, and is tried again when its lease runs out.
// Running it in several processes at once is harmless.
func (s *Service) RelayOutbox(ctx context.Context) (OutboxStatus, error) {
	const op = "service.RelayOutbox"
	var st OutboxStatus
	pending, err := s.store.PendingOutbox(ctx, outboxBatch)
	if err != nil {
		return st, cynllun.AsError(op, err)
	}
	now := time.Now().UTC()
	st.Pending = len(pending)
	if len(pending) > 0 {
		st.Oldest = now.Sub(pending[0].RecordedAt)
	}
	for _, p := range pending {
		if p.LeasedUntil.After(now) {
			continue
		}
		// Leased like a request's entry: one that fails is tried again
		// when the lease runs out.
		e, ok, err := s.store.LeaseOutbox(ctx, p.ID, now, now.Add(s.lease()))
		if err != nil {
			return st, cynllun.AsError(op, err)
		}
		if !ok {
			continue
		}
		err = s.applyOutbox(ctx, e)
		switch {
		case err == nil, errors.Is(err, errNotDone):
			s.finish(ctx, e, "")
			st.Applied++
		default:
			st.Failed++
			s.log.WarnContext(ctx, "outbox entry not applied: it is tried again", "entry", e.ID, "kind", string(e.Kind),
				"attempts", e.Attempts, "code", string(cynllun.ErrorCode(err)))
		}
	}
	if st.Applied+st.Failed > 0 {
		s.log.InfoContext(ctx, "outbox relayed", "applied", st.Applied, "failed", st.Failed)
	}
	return st, nil
}

// RunOutboxRelay runs RelayOutbox at once and then every every until ctx
// ends, telling report (when set) what each pass saw.
func (s *Service) RunOutboxRelay(ctx context.Context, every time.Duration, report func(OutboxStatus)) {
	if every <= 0 {
		every = 10 * time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		st, err := s.RelayOutbox(ctx)
		if err != nil && ctx.Err() == nil {
			s.log.WarnContext(ctx, "outbox relay pass failed", "code", string(cynllun.ErrorCode(err)))
		}
		if report != nil && err == nil {
			report(st)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
