package graph

import (
	"context"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/service"
)

// The plan lifecycle's mutations and fields (service/lifecycle.go,
// service/handover.go): inputs to the service's, results to payloads.

func (r *Resolver) transferPlan(ctx context.Context, in TransferPlanInput) (*TransferPlanPayload, error) {
	res, err := r.Svc.TransferPlan(ctx, service.TransferInput{PlanID: in.PlanID, ToOrgID: in.ToOrganisationID, Reason: in.Reason,
		EffectiveOn: in.EffectiveOn, Reasons: deref(in.Reasons), IdempotencyKey: deref(in.IdempotencyKey)})
	if err != nil {
		return nil, err
	}
	return &TransferPlanPayload{Plan: *res.Plan, Change: *res.Change, Started: nonNil(res.Started), Closed: nonNil(res.Closed)}, nil
}

func (r *Resolver) takeOverPlan(ctx context.Context, in TakeOverPlanInput) (*TakeOverPlanPayload, error) {
	res, err := r.Svc.TakeOverPlan(ctx, service.TakeoverInput{PlanID: in.PlanID, DecidedOn: in.DecidedOn, NoticeGivenOn: deref(in.NoticeGivenOn),
		Reasons: in.Reasons, EffectiveOn: deref(in.EffectiveOn), IdempotencyKey: deref(in.IdempotencyKey)})
	if err != nil {
		return nil, err
	}
	return &TakeOverPlanPayload{Plan: *res.Plan, Change: *res.Change, Started: nonNil(res.Started), Closed: nonNil(res.Closed)}, nil
}

func (r *Resolver) ceasePlan(ctx context.Context, in CeasePlanInput) (*CeasePlanPayload, error) {
	res, err := r.Svc.CeasePlan(ctx, service.CeaseInput{PlanID: in.PlanID, DecidedOn: in.DecidedOn, NoticeGivenOn: in.NoticeGivenOn,
		Reasons: in.Reasons, IdempotencyKey: deref(in.IdempotencyKey)})
	if err != nil {
		return nil, err
	}
	return &CeasePlanPayload{Plan: *res.Plan, Change: *res.Change, Started: nonNil(res.Started), Closed: nonNil(res.Closed)}, nil
}

func (r *Resolver) recordHandover(ctx context.Context, in RecordYoungPersonHandoverInput) (*RecordYoungPersonHandoverPayload, error) {
	h := service.HandoverInput{LearnerID: in.LearnerID, ConsentGiven: in.ConsentGiven, ConsentOn: deref(in.ConsentOn), HasCapacity: in.HasCapacity,
		CapacityDecidedBy: deref(in.CapacityDecidedBy), CapacityBasis: deref(in.CapacityBasis), ParentAccess: in.ParentAccess,
		Note: deref(in.Note), IdempotencyKey: deref(in.IdempotencyKey)}
	if in.CaseFriend != nil {
		h.CaseFriendName, h.CaseFriendUserID = in.CaseFriend.Name, deref(in.CaseFriend.UserID)
	}
	res, err := r.Svc.RecordHandover(ctx, h)
	if err != nil {
		return nil, err
	}
	return &RecordYoungPersonHandoverPayload{Handover: *res.Handover, Learner: *res.Learner, Started: nonNil(res.Started), Closed: nonNil(res.Closed)}, nil
}

func (r *Resolver) handover(ctx context.Context, l *cynllun.Learner) (*cynllun.Handover, error) {
	hs, err := r.Svc.Handovers(ctx, []string{l.ID})
	if err != nil {
		return nil, err
	}
	return hs[0], nil
}

func caseFriend(h *cynllun.Handover) *CaseFriend {
	if h.CaseFriendName == "" {
		return nil
	}
	cf := &CaseFriend{Name: h.CaseFriendName}
	if h.CaseFriendUserID != "" {
		cf.UserID = &h.CaseFriendUserID
	}
	return cf
}

func optReason(r cynllun.TransferReason) *cynllun.TransferReason {
	if r == "" {
		return nil
	}
	return &r
}

func nonNil[T any](s []*T) []*T {
	if s == nil {
		return []*T{}
	}
	return s
}

func pointersOf[T any](vs []T, err error) ([]*T, error) {
	if err != nil {
		return nil, err
	}
	return pointers(vs), nil
}
