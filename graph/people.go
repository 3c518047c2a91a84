package graph

import (
	"context"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/service"
)

// Who did it. A record names its actors by user id; the Person fields
// beside those ids resolve them, in the context of the record's learner,
// through the request's Person loader (one batch of reads by _id per
// level). Values that name an actor but not the learner (a quality
// override, a review's request and decision) are wrapped with the
// learner's id.

// QualityOverride is a version's override, knowing its learner.
type QualityOverride struct {
	cynllun.QualityOverride
	LearnerID string
}

// ReviewRequest is a review's request, knowing its learner.
type ReviewRequest struct {
	cynllun.ReviewRequest
	LearnerID string
}

// ReviewDecision is a review's decision, knowing its learner.
type ReviewDecision struct {
	cynllun.Decision
	LearnerID string
}

func qualityOverride(v *cynllun.Version) *QualityOverride {
	if v.QualityOverride == nil {
		return nil
	}
	return &QualityOverride{QualityOverride: *v.QualityOverride, LearnerID: v.LearnerID}
}

func reviewRequest(r *cynllun.Review) *ReviewRequest {
	if r.Request == nil {
		return nil
	}
	return &ReviewRequest{ReviewRequest: *r.Request, LearnerID: r.LearnerID}
}

func reviewDecision(r *cynllun.Review) *ReviewDecision {
	if r.Decision == nil {
		return nil
	}
	return &ReviewDecision{Decision: *r.Decision, LearnerID: r.LearnerID}
}

// person is user userID as the reader may know them in learnerID's record,
// or null (no user, no learner, or not theirs to know).
func (r *Resolver) person(ctx context.Context, learnerID, userID string) (*service.Person, error) {
	if learnerID == "" || userID == "" {
		return nil, nil
	}
	return loadersFrom(ctx, r.Svc).Person.Load(ctx, service.PersonKey{LearnerID: learnerID, UserID: userID})
}
