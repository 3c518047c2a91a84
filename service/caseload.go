package service

import (
	"context"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/policy"
)

// Caseloads: the cases and reviews the principal may see across their
// scope (a member of staff's settings, an officer's LA, a family's child),
// open ones first or by when they were opened. A cursor's key is the
// item's cynllun.WorkKey in the list's order.

// CaseList lists a page of the cases the principal may see, in order o;
// reading them is audited.
func (s *Service) CaseList(ctx context.Context, o cynllun.WorkOrder, pg Page) (Paged[*cynllun.Case], error) {
	const op = "service.CaseList"
	p, err := principal(ctx, op)
	if err != nil {
		return Paged[*cynllun.Case]{}, err
	}
	var reasons map[string]cynllun.RelKind
	out, err := workPage(ctx, op, s, p, o, pg, s.store.ListCases, func(cs []*cynllun.Case) ([]*cynllun.Case, error) {
		kept, why, err := s.readableCases(ctx, op, p, cs)
		if reasons == nil {
			reasons = map[string]cynllun.RelKind{}
		}
		for id, r := range why {
			reasons[id] = r
		}
		return kept, err
	})
	if err != nil {
		return out, err
	}
	return out, s.auditCases(ctx, op, p, out.Items, reasons)
}

// ReviewList lists a page of the reviews the principal may see, in order o;
// reading them is audited.
func (s *Service) ReviewList(ctx context.Context, o cynllun.WorkOrder, pg Page) (Paged[*cynllun.Review], error) {
	const op = "service.ReviewList"
	p, err := principal(ctx, op)
	if err != nil {
		return Paged[*cynllun.Review]{}, err
	}
	out, err := workPage(ctx, op, s, p, o, pg, s.store.ListReviews, func(rs []*cynllun.Review) ([]*cynllun.Review, error) {
		return s.readableReviews(ctx, op, p, rs)
	})
	if err != nil {
		return out, err
	}
	return out, s.auditReviews(ctx, op, p, out.Items)
}

// CountCases counts the cases CaseList lists (at most MaxCount), from the
// caseloads' index, each learner's checked against the policy.
func (s *Service) CountCases(ctx context.Context) (int, error) {
	return s.countWork(ctx, "service.CountCases", s.store.CountCases)
}

// CountReviews counts the reviews ReviewList lists (at most MaxCount),
// from the caseloads' index, each learner's checked against the policy.
func (s *Service) CountReviews(ctx context.Context) (int, error) {
	return s.countWork(ctx, "service.CountReviews", s.store.CountReviews)
}

func (s *Service) countWork(ctx context.Context, op string, count func(context.Context, cynllun.WorkQuery) (map[string]int, error)) (int, error) {
	p, err := principal(ctx, op)
	if err != nil {
		return 0, err
	}
	q := cynllun.WorkQuery{Scope: policy.Scope(p, s.now()), Limit: MaxCount}
	if q.Scope.Empty() {
		return 0, nil
	}
	byLearner, err := count(ctx, q)
	if err != nil {
		return 0, cynllun.AsError(op, err)
	}
	return s.countReadable(ctx, op, p, byLearner)
}

// placeOf is a learner's LA and setting now: where a case or review saved
// now is listed.
func (s *Service) placeOf(ctx context.Context, op, learnerID string) (string, string, error) {
	if l := cacheFrom(ctx).learner(learnerID); l != nil {
		return l.LAID, l.SettingID, nil
	}
	ls, err := s.store.LearnersByID(ctx, []string{learnerID})
	if err != nil {
		return "", "", cynllun.AsError(op, err)
	}
	if len(ls) == 0 {
		return "", "", cynllun.NotFound(op, "learner")
	}
	return ls[0].LAID, ls[0].SettingID, nil
}

// workItem is a case or a review.
type workItem interface {
	*cynllun.Case | *cynllun.Review
}

// workKey is an item's key in order o.
func workKey[T workItem](o cynllun.WorkOrder, x T) string {
	switch v := any(x).(type) {
	case *cynllun.Case:
		return cynllun.WorkKey(o, v.IsOpen(), v.CreatedAt, v.ID)
	case *cynllun.Review:
		return cynllun.WorkKey(o, v.IsOpen(), v.OpenedAt, v.ID)
	}
	return ""
}

// WorkKey is a case's or review's cursor key in order o.
func WorkKey[T workItem](o cynllun.WorkOrder, x T) string { return workKey(o, x) }

// workPage reads a page of a caseload list in order o from the store
// (list), keeping what the policy lets p read (keep); when the policy
// leaves some out the store is asked again from where its answer ended,
// until the page is full.
func workPage[T workItem](ctx context.Context, op string, s *Service, p *cynllun.Principal, o cynllun.WorkOrder, pg Page,
	list func(context.Context, cynllun.WorkQuery) ([]T, error), keep func([]T) ([]T, error)) (Paged[T], error) {
	if err := pg.check(op); err != nil {
		return Paged[T]{}, err
	}
	if o == "" {
		o = cynllun.OrderOpenFirst
	}
	q := cynllun.WorkQuery{Scope: policy.Scope(p, s.now()), Order: o, Last: pg.Backward}
	if q.Scope.Empty() {
		return Paged[T]{}, nil
	}
	if pg.After != nil {
		q.After = pg.After.Key
	}
	if pg.Before != nil {
		q.Before = pg.Before.Key
	}
	n := pg.size()
	var got []T
	for {
		q.Limit = n + 1 - len(got)
		xs, err := list(ctx, q)
		if err != nil {
			return Paged[T]{}, cynllun.AsError(op, err)
		}
		kept, err := keep(xs)
		if err != nil {
			return Paged[T]{}, err
		}
		if pg.Backward {
			got = append(kept, got...)
		} else {
			got = append(got, kept...)
		}
		if len(xs) < q.Limit || len(got) > n {
			break
		}
		if pg.Backward {
			q.Before = workKey(o, xs[0])
		} else {
			q.After = workKey(o, xs[len(xs)-1])
		}
	}
	return paged(pg, got), nil
}
