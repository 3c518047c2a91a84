package service

import (
	"context"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/form"
	"github.com/cynllun/cynllun/policy"
)

// CancelReviewInput cancels a review opened by mistake.
type CancelReviewInput struct {
	ID               string
	ExpectedRevision int
	Reason           string
}

// closedCancelled is the reason recorded on a clock a cancelled review
// started.
const closedCancelled = "The review was cancelled: it was opened by mistake."

// CancelReview cancels a review opened by mistake, or a request that staff
// recorded by mistake: those who may open reviews (staff and officers who
// may change the learner's record), while the review is OPEN or REQUESTED
// and not concluded. It becomes CANCELLED in a new revision whose comment
// is the reason; its earlier revisions are kept. Any clock it started (T9
// for a request) closes as not applicable; review periods never counted it
// (they count concluded reviews only). A request a parent or young person
// made themselves is not cancelled by staff: it is decided (accepted or
// refused with reasons). The cancellation is audited.
func (s *Service) CancelReview(ctx context.Context, in CancelReviewInput) (*cynllun.Review, error) {
	const op = "service.CancelReview"
	p, cur, plan, err := s.reviewForWrite(ctx, op, in.ID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	c := &checker{}
	switch {
	case cur.Status == cynllun.ReviewOpen && cur.Decision == nil:
	case cur.Status == cynllun.ReviewRequested:
		staff, err := s.recordedByStaff(ctx, cur)
		if err != nil {
			return nil, err
		}
		if !staff {
			c.add("input.id", "is a request the family made themselves: accept or refuse it (decideReviewRequest) instead")
		}
	case cur.Status == cynllun.ReviewCancelled:
		c.add("input.id", "is cancelled already")
	default:
		c.add("input.id", "is a review that was concluded or refused: it can no longer be cancelled")
	}
	c.required("input.reason", in.Reason, form.MaxMedium, true)
	if err := s.checkRevision(op, cur, in.ExpectedRevision, c); err != nil {
		return nil, err
	}
	if len(c.errs) > 0 {
		return nil, cynllun.Invalid(op, c.errs...)
	}
	next := s.nextRevision(cur, p, now)
	next.Status, next.Comment = cynllun.ReviewCancelled, in.Reason
	r, err := s.insertRevision(ctx, op, next)
	if err != nil {
		return nil, err
	}
	// The clocks it started close as not applicable.
	open, err := s.store.OpenDeadlines(ctx, r.LearnerID, plan.ID)
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	today := cynllun.Today(now)
	for _, d := range open {
		if d.ReviewID != r.ID {
			continue
		}
		on := today
		if on.Before(d.Start) {
			on = d.Start
		}
		if _, err := s.store.CloseDeadline(ctx, d.ID, cynllun.Closure{Status: cynllun.DeadlineNotApplicable, On: on,
			Reason: closedCancelled, By: p.UserID, At: now.UTC()}); err != nil {
			return nil, cynllun.AsError(op, err)
		}
	}
	if err := s.audit(ctx, op, []cynllun.AuditEvent{{ID: cynllun.NewID(cynllun.PrefixAudit), At: now.UTC(), ActorID: p.UserID,
		LearnerID: r.LearnerID, PlanID: r.PlanID, Version: r.PlanVersion, Part: "review", Action: "cancelled",
		Reason: string(cur.Status)}}); err != nil {
		return nil, err
	}
	s.log.InfoContext(ctx, "review cancelled", "review", r.ID, "plan", plan.ID, "revision", r.Revision, "actor", p.UserID)
	return r, nil
}

// recordedByStaff says whether a request was recorded by someone who may
// change the learner's record (staff or an officer recording a request
// made to them), not asked for by a parent, young person or advocate
// through their own account.
func (s *Service) recordedByStaff(ctx context.Context, r *cynllun.Review) (bool, error) {
	ls, err := s.store.LearnersByID(ctx, []string{r.LearnerID})
	if err != nil {
		return false, cynllun.AsError("service.recordedByStaff", err)
	}
	if len(ls) == 0 {
		return false, nil
	}
	by, err := s.Authenticate(ctx, r.OpenedBy)
	if cynllun.ErrorCode(err) == cynllun.CodeUnauthenticated {
		return false, nil // an account gone: not known to be staff
	}
	if err != nil {
		return false, err
	}
	return policy.WriteLearner(by, ls[0], s.now()).OK, nil
}
