package service

import (
	"context"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/policy"
)

// What the signed-in user may do (the viewerCan… fields): each answer is
// the decision the mutation takes, by the same policy function
// (policy/actions.go). The objects asked about have been read by the
// caller already, so their learners come from the request's cache; no
// answer reads anything else.

// learnerOf returns learner id when the principal may read it (nil
// otherwise).
func (s *Service) learnerOf(ctx context.Context, op, id string) (*cynllun.Principal, *cynllun.Learner, error) {
	p, err := principal(ctx, op)
	if err != nil {
		return nil, nil, err
	}
	m, err := s.readableLearners(ctx, p, []string{id})
	if err != nil {
		return nil, nil, cynllun.AsError(op, err)
	}
	return p, m[id], nil
}

// LearnerCan is what the signed-in user may do about learner l.
func (s *Service) LearnerCan(ctx context.Context, l *cynllun.Learner) (policy.LearnerCan, error) {
	p, err := principal(ctx, "service.LearnerCan")
	if err != nil {
		return policy.LearnerCan{}, err
	}
	return policy.ForLearner(p, l, s.now()), nil
}

// PlanCan is what the signed-in user may do with plan, with this
// deployment's quality override roles.
func (s *Service) PlanCan(ctx context.Context, plan *cynllun.Plan) (policy.PlanCan, error) {
	p, l, err := s.learnerOf(ctx, "service.PlanCan", plan.LearnerID)
	if err != nil {
		return policy.PlanCan{}, err
	}
	return policy.ForPlan(p, l, plan, s.roles(), s.now()), nil
}

// ReviewCan is what the signed-in user may do with review r.
func (s *Service) ReviewCan(ctx context.Context, r *cynllun.Review) (policy.ReviewCan, error) {
	p, l, err := s.learnerOf(ctx, "service.ReviewCan", r.LearnerID)
	if err != nil {
		return policy.ReviewCan{}, err
	}
	can := policy.ForReview(p, l, r, s.now())
	if can.Cancel && r.Status == cynllun.ReviewRequested {
		if can.Cancel, err = s.recordedByStaff(ctx, r); err != nil {
			return policy.ReviewCan{}, err
		}
	}
	return can, nil
}

// CaseCan is what the signed-in user may do with case c.
func (s *Service) CaseCan(ctx context.Context, c *cynllun.Case) (policy.CaseCan, error) {
	p, l, err := s.learnerOf(ctx, "service.CaseCan", c.LearnerID)
	if err != nil {
		return policy.CaseCan{}, err
	}
	return policy.ForCase(p, l, c, s.now()), nil
}

// CanRevoke says whether the signed-in user may end relationship r
// (revokeAccess, policy.Revoke).
func (s *Service) CanRevoke(ctx context.Context, r *cynllun.Relationship) (bool, error) {
	const op = "service.CanRevoke"
	p, err := principal(ctx, op)
	if err != nil {
		return false, err
	}
	var l *cynllun.Learner
	if r.LearnerID != "" {
		if _, l, err = s.learnerOf(ctx, op, r.LearnerID); err != nil {
			return false, err
		}
	}
	return policy.Revoke(p, r, l, s.now()), nil
}
