package service

import (
	"context"
	"strings"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/form"
)

// SearchHit is one thing a search found: a learner or a plan.
type SearchHit struct {
	Learner *cynllun.Learner
	Plan    *cynllun.Plan
}

// Key is the hit's cursor position: a learner's name order, a plan's id.
func (h SearchHit) Key() Cursor {
	if h.Plan != nil {
		return Cursor{ID: h.Plan.ID}
	}
	return Cursor{Key: cynllun.LearnerSortKey(h.Learner), ID: h.Learner.ID}
}

// isPlanID says whether a search text is a plan's id.
func isPlanID(text string) bool {
	return strings.HasPrefix(text, cynllun.PrefixPlan) && !strings.ContainsAny(text, " \t/#")
}

// checkSearch validates a search text.
func checkSearch(op, text string) error {
	if strings.TrimSpace(text) == "" {
		return cynllun.Invalid(op, cynllun.FieldError{Field: "text", Message: "is required"})
	}
	if fe := form.CheckText("text", text, form.MaxShort, false); fe != nil {
		return cynllun.Invalid(op, *fe)
	}
	return nil
}

// Search finds what the principal may see by text: when it is a plan's id,
// that plan; otherwise the learners whose family, given or preferred name
// starts with it (case and accents ignored), in name order, from the
// learners' name index.
func (s *Service) Search(ctx context.Context, text string, pg Page) (Paged[SearchHit], error) {
	const op = "service.Search"
	if err := checkSearch(op, text); err != nil {
		return Paged[SearchHit]{}, err
	}
	if err := pg.check(op); err != nil {
		return Paged[SearchHit]{}, err
	}
	text = strings.TrimSpace(text)
	if isPlanID(text) {
		hits, err := s.planHit(ctx, op, text)
		if err != nil {
			return Paged[SearchHit]{}, err
		}
		return window(pg, hits, SearchHit.Key), nil
	}
	ls, err := s.Learners(ctx, LearnerFilter{NamePrefix: text}, pg)
	if err != nil {
		return Paged[SearchHit]{}, err
	}
	out := Paged[SearchHit]{HasNext: ls.HasNext, HasPrev: ls.HasPrev, Items: make([]SearchHit, len(ls.Items))}
	for i, l := range ls.Items {
		out.Items[i] = SearchHit{Learner: l}
	}
	return out, nil
}

// CountSearch counts what Search finds for text.
func (s *Service) CountSearch(ctx context.Context, text string) (int, error) {
	const op = "service.CountSearch"
	if err := checkSearch(op, text); err != nil {
		return 0, err
	}
	text = strings.TrimSpace(text)
	if isPlanID(text) {
		hits, err := s.planHit(ctx, op, text)
		return len(hits), err
	}
	return s.CountLearners(ctx, LearnerFilter{NamePrefix: text})
}

// planHit is the plan with id as a search's one hit, when the principal
// may read it.
func (s *Service) planHit(ctx context.Context, op, id string) ([]SearchHit, error) {
	p, err := principal(ctx, op)
	if err != nil {
		return nil, err
	}
	plans, _, err := s.readablePlans(ctx, p, []string{id})
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	if pl := plans[id]; pl != nil {
		return []SearchHit{{Plan: pl}}, nil
	}
	return nil, nil
}
