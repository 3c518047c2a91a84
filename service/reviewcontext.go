package service

import (
	"context"
	"time"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/ledger"
	"github.com/cynllun/cynllun/quality"
)

// ReviewContext is what a review's checks and documents are built from.
type ReviewContext struct {
	Review   *cynllun.Review
	Plan     *cynllun.Plan
	Learner  *cynllun.Learner
	Reviewed *cynllun.Version // may be nil
	Revised  *cynllun.Version // decision REVISED only
	// From and To are the period reviewed: from the start of the review
	// period in force when the review was held, to the day it was held
	// (today while it has not been).
	From, To cynllun.Date
	Ledger   []ledger.RowSummary
	// PreviousOutcomes are the intended outcomes in force after the
	// previous concluded review (nil when there was none).
	PreviousOutcomes map[string]string
}

// ReviewContexts loads what the reviews' checklists, findings and ledgers
// need, for reviews the principal has read through the service (and so
// has been audited for). The reads are batched: a fixed number of round
// trips for any number of reviews of one plan.
func (s *Service) ReviewContexts(ctx context.Context, rs []*cynllun.Review) ([]*ReviewContext, error) {
	const op = "service.ReviewContexts"
	p, err := principal(ctx, op)
	if err != nil {
		return nil, err
	}
	planIDs := make([]string, len(rs))
	for i, r := range rs {
		planIDs[i] = r.PlanID
	}
	plans, learners, err := s.readablePlans(ctx, p, planIDs)
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	for _, r := range rs {
		if plans[r.PlanID] == nil {
			return nil, cynllun.NotFound(op, "review")
		}
	}
	return LoadReviewContexts(ctx, s.store, rs, plans, learners, s.now())
}

// ReviewContext loads one review's context (see ReviewContexts).
func (s *Service) ReviewContext(ctx context.Context, r *cynllun.Review) (*ReviewContext, error) {
	rcs, err := s.ReviewContexts(ctx, []*cynllun.Review{r})
	if err != nil {
		return nil, err
	}
	return rcs[0], nil
}

// LoadReviewContexts loads reviews' contexts from the store with no access
// check (the worker renders what the service authorised). plans and
// learners must hold every review's plan and learner. Round trips: the
// plans' reviews (two), the versions needed (one), each plan's version
// list and ledger entries (two per plan), the local authorities (one).
func LoadReviewContexts(ctx context.Context, store cynllun.Store, rs []*cynllun.Review, plans map[string]*cynllun.Plan, learners map[string]*cynllun.Learner, now time.Time) ([]*ReviewContext, error) {
	const op = "service.LoadReviewContexts"
	planIDs := make([]string, 0, len(plans))
	for _, r := range rs {
		planIDs = append(planIDs, r.PlanID)
	}
	planIDs = dedupe(planIDs)
	all, err := store.ReviewsForPlans(ctx, planIDs)
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	byPlan := map[string][]*cynllun.Review{}
	for _, o := range all {
		byPlan[o.PlanID] = append(byPlan[o.PlanID], o)
	}

	// The versions: reviewed, revised, and the one the previous concluded
	// review left in force.
	out := make([]*ReviewContext, len(rs))
	prevVersion := make([]string, len(rs))
	var ids []string
	for i, r := range rs {
		out[i] = &ReviewContext{Review: r, Plan: plans[r.PlanID], Learner: learners[plans[r.PlanID].LearnerID]}
		ids = append(ids, cynllun.VersionID(r.PlanID, r.PlanVersion))
		if r.Decision != nil && r.Decision.Version > 0 {
			ids = append(ids, cynllun.VersionID(r.PlanID, r.Decision.Version))
		}
		if prev := previousReview(byPlan[r.PlanID], r); prev != nil {
			n := prev.PlanVersion
			if prev.Decision != nil && prev.Decision.Version > 0 {
				n = prev.Decision.Version
			}
			prevVersion[i] = cynllun.VersionID(r.PlanID, n)
			ids = append(ids, prevVersion[i])
		}
	}
	vs, err := store.VersionsByID(ctx, dedupe(ids))
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	byID := make(map[string]*cynllun.Version, len(vs))
	for _, v := range vs {
		byID[v.ID] = v
	}
	for i, r := range rs {
		rc := out[i]
		rc.Reviewed = byID[cynllun.VersionID(r.PlanID, r.PlanVersion)]
		if r.Decision != nil && r.Decision.Version > 0 {
			rc.Revised = byID[cynllun.VersionID(r.PlanID, r.Decision.Version)]
		}
		if v := byID[prevVersion[i]]; v != nil && v.Content != nil {
			rc.PreviousOutcomes = map[string]string{}
			for _, row := range v.Content.Provision {
				rc.PreviousOutcomes[row.ID] = row.IntendedOutcome
			}
		}
	}

	// The periods reviewed, per plan.
	windows := map[string][2]cynllun.Date{}
	for _, planID := range planIDs {
		metas, err := store.ListVersions(ctx, planID, 0, 1000)
		if err != nil {
			return nil, cynllun.AsError(op, err)
		}
		first := firstGiven(metas)
		for _, rc := range out {
			if rc.Plan.ID != planID {
				continue
			}
			rc.To = rc.Review.HeldOn
			if rc.To.IsZero() {
				rc.To = cynllun.Today(now)
			}
			// A review held before the plan was given (or of a plan never
			// given) reviews the time since the plan was started.
			if rp, ok := cynllun.CurrentReviewPeriod(first, periodEvents(byPlan[planID], rc.Review.ID), rc.To); ok && !rp.Start.After(rc.To) {
				rc.From = rp.Start
			} else {
				rc.From = cynllun.DateOf(rc.Plan.CreatedAt.In(cynllun.London))
			}
			if rc.To.Before(rc.From) {
				rc.From = rc.To
			}
			w, ok := windows[planID]
			if !ok || rc.From.Before(w[0]) {
				w[0] = rc.From
			}
			if !ok || rc.To.After(w[1]) {
				w[1] = rc.To
			}
			windows[planID] = w
		}
	}

	// The ledgers, on each maintaining body's calendar.
	var orgIDs []string
	for _, rc := range out {
		orgIDs = append(orgIDs, rc.Plan.MaintainerID)
	}
	cals, err := termCalendars(ctx, store, op, orgIDs)
	if err != nil {
		return nil, err
	}
	for planID, w := range windows {
		ss, err := store.Sessions(ctx, cynllun.SessionQuery{PlanID: planID, From: w[0], To: w[1]})
		if err != nil {
			return nil, cynllun.AsError(op, err)
		}
		for _, rc := range out {
			if rc.Plan.ID != planID || rc.Reviewed == nil || rc.Reviewed.Content == nil {
				continue
			}
			rc.Ledger = ledger.SummarisePlan(rc.Reviewed.Content.Provision, within(ss, rc.From, rc.To), rc.From, rc.To, cals[rc.Plan.MaintainerID])
		}
	}
	return out, nil
}

// previousReview is the latest concluded review of the plan opened before r.
func previousReview(planReviews []*cynllun.Review, r *cynllun.Review) *cynllun.Review {
	var prev *cynllun.Review
	for _, o := range planReviews {
		if o.ID != r.ID && o.Status == cynllun.ReviewConcluded && o.OpenedAt.Before(r.OpenedAt) {
			prev = o
		}
	}
	return prev
}

// within keeps the sessions dated from from to to.
func within(ss []cynllun.Session, from, to cynllun.Date) []cynllun.Session {
	out := make([]cynllun.Session, 0, len(ss))
	for _, s := range ss {
		if !s.Date.Before(from) && !s.Date.After(to) {
			out = append(out, s)
		}
	}
	return out
}

// Quality evaluates a review's checklist and findings.
func (rc *ReviewContext) Quality() ([]quality.Check, []quality.Finding) {
	in := quality.ReviewInput{Review: rc.Review, Ledger: rc.Ledger, PreviousOutcomes: rc.PreviousOutcomes}
	if rc.Reviewed != nil {
		in.Reviewed, in.After = rc.Reviewed.Content, rc.Reviewed.Content
	}
	if rc.Revised != nil {
		in.After = rc.Revised.Content
	}
	if rc.Learner != nil {
		in.YoungPerson = cynllun.StatusOn(rc.Learner.DateOfBirth, rc.To) == cynllun.StatusYoungPerson
	}
	checks, findings := quality.EvaluateReview(in)
	if in.After != nil && rc.Plan != nil {
		// The plan rules on the plan the review leaves in force (revised, or
		// as reviewed). The 12-month rule is the review period's business
		// here, so it is not run.
		kind := cynllun.OrgSchool
		if rc.Plan.LAMaintained {
			kind = cynllun.OrgLocalAuthority
		}
		findings = append(findings, quality.CheckPlan(quality.PlanInput{Content: in.After, MaintainerKind: kind})...)
	}
	return checks, findings
}
