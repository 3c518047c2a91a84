package service

import (
	"context"
	"strings"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/policy"
)

// ErasureQueue is implemented by the worker's client: it queues the erasure
// of a learner whose retention review was approved, so that it runs now
// rather than at the next retention scan. The scan erases every approved
// review too, so a lost task delays an erasure, never loses it.
type ErasureQueue interface {
	EnqueueErasure(ctx context.Context, learnerID string) error
}

// MaxRetentionPage is the most retention reviews one list returns.
const MaxRetentionPage = 100

// RetentionReviews lists the learners past retention, waiting for approval
// (LISTED) or for their erasure (APPROVED), by due date: every review for
// administrators, their organisations' for staff and officers (the
// controller's, or for an officer their LA's); FORBIDDEN for others.
func (s *Service) RetentionReviews(ctx context.Context, status cynllun.RetentionStatus, first int, after string) ([]*cynllun.RetentionReview, error) {
	const op = "service.RetentionReviews"
	p, err := principal(ctx, op)
	if err != nil {
		return nil, err
	}
	all, orgs, ok := policy.RetentionScope(p, s.now())
	if !ok {
		return nil, cynllun.E(cynllun.CodeForbidden, op, "only administrators, staff and officers see the records past retention")
	}
	switch status {
	case "", cynllun.RetentionListed, cynllun.RetentionApproved:
	default:
		return nil, cynllun.Invalid(op, cynllun.FieldError{Field: "status", Message: "is LISTED or APPROVED (erased records are no longer listed)"})
	}
	if first <= 0 || first > MaxRetentionPage {
		first = MaxRetentionPage
	}
	q := cynllun.RetentionQuery{Status: status, AfterID: after, Limit: first}
	if !all {
		q.ControllerIDs, q.LAIDs = orgs, orgs
	}
	rs, err := s.store.RetentionReviews(ctx, q)
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	return rs, nil
}

// RetentionReview returns a learner's retention review, whatever its
// status, to whoever may see it; NOT_FOUND otherwise.
func (s *Service) RetentionReview(ctx context.Context, learnerID string) (*cynllun.RetentionReview, error) {
	const op = "service.RetentionReview"
	p, err := principal(ctx, op)
	if err != nil {
		return nil, err
	}
	all, orgs, ok := policy.RetentionScope(p, s.now())
	if !ok {
		return nil, cynllun.NotFound(op, "retention review")
	}
	rs, err := s.store.RetentionReviewsByID(ctx, []string{cynllun.RetentionReviewID(learnerID)})
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	if len(rs) == 0 || (!all && !containsAny(orgs, rs[0].ControllerID, rs[0].LAID)) {
		return nil, cynllun.NotFound(op, "retention review")
	}
	return rs[0], nil
}

func containsAny(set []string, vs ...string) bool {
	for _, s := range set {
		for _, v := range vs {
			if v != "" && s == v {
				return true
			}
		}
	}
	return false
}

// ApproveErasure approves the erasure of a learner listed as past
// retention (administrators only: FORBIDDEN for anyone else, changing
// nothing). The review becomes APPROVED, durably, and the worker erases
// every record of the learner and writes a tombstone in the audit; the
// erasure is queued now and also resumed by every retention scan until
// done. NOT_FOUND when the learner is not listed; CONFLICT when approved
// already.
func (s *Service) ApproveErasure(ctx context.Context, learnerID string) (*cynllun.RetentionReview, error) {
	const op = "service.ApproveErasure"
	p, err := principal(ctx, op)
	if err != nil {
		return nil, err
	}
	if !policy.ApproveErasure(p) {
		return nil, cynllun.E(cynllun.CodeForbidden, op, "only administrators approve an erasure")
	}
	if !strings.HasPrefix(learnerID, cynllun.PrefixLearner) {
		return nil, cynllun.Invalid(op, cynllun.FieldError{Field: "learnerId", Message: "is not a learner id"})
	}
	r, err := s.store.ApproveRetention(ctx, cynllun.RetentionReviewID(learnerID), p.UserID, s.now())
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	if q, ok := s.queue.(ErasureQueue); ok {
		if err := q.EnqueueErasure(ctx, learnerID); err != nil {
			// The next retention scan erases it.
			s.log.WarnContext(ctx, "erasure not queued; the next retention scan runs it", "op", op, "code", string(cynllun.ErrorCode(err)))
		}
	}
	return r, nil
}
