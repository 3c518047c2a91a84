package service

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/form"
	"github.com/cynllun/cynllun/policy"
	"github.com/cynllun/cynllun/quality"
)

// DefaultOverrideRoles are the staff roles that may finalise a plan over
// error-level quality findings, besides the LA's officers.
var DefaultOverrideRoles = []string{"ALNCo"}

// WithOverrideRoles sets the staff roles (Relationship.StaffRole, compared
// without case or accents) that may finalise over error-level findings.
func WithOverrideRoles(roles []string) Option { return func(s *Service) { s.overrideRoles = roles } }

func (s *Service) roles() []string {
	if s.overrideRoles != nil {
		return s.overrideRoles
	}
	return DefaultOverrideRoles
}

// planInput is what the plan rules read for content of plan: the 12-month
// review limit counts from the plan's first FINAL version, or from today
// for a plan not given yet.
func (s *Service) planInput(ctx context.Context, op string, plan *cynllun.Plan, content *cynllun.Content) (quality.PlanInput, error) {
	return PlanCheckInput(ctx, s.store, plan, content, cynllun.Today(s.now()))
}

// PlanCheckInput is what the plan rules read for content of plan, from the
// store with no access check (the worker's plan check page).
func PlanCheckInput(ctx context.Context, store cynllun.Store, plan *cynllun.Plan, content *cynllun.Content, today cynllun.Date) (quality.PlanInput, error) {
	const op = "service.PlanCheckInput"
	in := quality.PlanInput{Content: content, MaintainerKind: cynllun.OrgSchool}
	if plan.LAMaintained {
		in.MaintainerKind = cynllun.OrgLocalAuthority
	}
	metas, err := store.ListVersions(ctx, plan.ID, 0, 1000)
	if err != nil {
		return in, cynllun.AsError(op, err)
	}
	in.GivenOn = firstGiven(metas)
	if in.GivenOn.IsZero() {
		in.GivenOn = today
	}
	return in, nil
}

// VersionFindings runs the plan rules on a version the caller has read.
func (s *Service) VersionFindings(ctx context.Context, v *cynllun.Version) ([]quality.Finding, error) {
	const op = "service.VersionFindings"
	p, err := principal(ctx, op)
	if err != nil {
		return nil, err
	}
	plan, _, err := s.planFor(ctx, p, op, v.PlanID)
	if err != nil {
		return nil, err
	}
	if v.Content == nil {
		return nil, cynllun.Internal(op, fmt.Errorf("version %d was read without its content", v.Number))
	}
	in, err := s.planInput(ctx, op, plan, v.Content)
	if err != nil {
		return nil, err
	}
	return quality.CheckPlan(in), nil
}

// CheckPlan runs the plan rules on content without saving it, for those who
// may write the plan (an editor checking as they write).
func (s *Service) CheckPlan(ctx context.Context, planID string, content *cynllun.Content) ([]quality.Finding, error) {
	const op = "service.CheckPlan"
	_, plan, _, err := s.planForWrite(ctx, op, planID, "you may read but not change this plan")
	if err != nil {
		return nil, err
	}
	content, errs := prepare(plan.ID, content)
	if errs = append(errs, form.ValidateContent(content, form.Options{LAMaintained: plan.LAMaintained})...); len(errs) > 0 {
		return nil, cynllun.Invalid(op, prefixed("content.", errs)...)
	}
	in, err := s.planInput(ctx, op, plan, content)
	if err != nil {
		return nil, err
	}
	return quality.CheckPlan(in), nil
}

// PlanRules lists the plan rules with their examples.
func (s *Service) PlanRules() []quality.PlanRule { return quality.PlanRules() }

// qualityGate decides whether content may be finalised: with no
// error-level findings, yes; with some, only with an override reason from
// someone allowed to override, which is returned to be kept on the
// version. The refusal is INVALID with one field error per finding, on the
// place it concerns.
func (s *Service) qualityGate(ctx context.Context, op string, p *cynllun.Principal, plan *cynllun.Plan, l *cynllun.Learner,
	content *cynllun.Content, reason string, now time.Time) (*cynllun.QualityOverride, error) {
	in, err := s.planInput(ctx, op, plan, content)
	if err != nil {
		return nil, err
	}
	var blocking []quality.Finding
	for _, f := range quality.CheckPlan(in) {
		if f.Severity == quality.SeverityError {
			blocking = append(blocking, f)
		}
	}
	reason = strings.TrimSpace(reason)
	if len(blocking) == 0 {
		return nil, nil // nothing to override; a reason given anyway is not recorded
	}
	if reason == "" {
		// The rule's title, not the finding's message: messages quote the
		// plan, and error messages never carry a child's data. The rule's
		// code is the field error's reason (extensions.fields[].reason),
		// never part of its text; the edge gives the title in the
		// request's language (graph registers the titles with locale).
		titles := map[string]string{}
		for _, r := range quality.PlanRules() {
			titles[r.Code] = r.Title.EN
		}
		fields := make([]cynllun.FieldError, len(blocking))
		for i, f := range blocking {
			fields[i] = cynllun.FieldError{Field: findingField(content, f.Place), Message: titles[f.Rule]}
		}
		return nil, &cynllun.Error{Code: cynllun.CodeInvalid, Op: op, Fields: fields,
			Message: fmt.Sprintf("the plan has %d error-level quality finding(s) and cannot be finalised: put them right, or an ALNCo or LA officer may finalise with overrideReason", len(blocking))}
	}
	if fe := form.CheckText("input.overrideReason", reason, form.MaxMedium, true); fe != nil {
		return nil, cynllun.Invalid(op, *fe)
	}
	if !policy.Finalise(p, l, plan.MaintainerID, s.roles(), true, now).OK {
		return nil, cynllun.E(cynllun.CodeForbidden, op, "only the maintaining school's or FEI's ALNCo, or an officer of the local authority, may finalise a plan over error-level findings")
	}
	var rules []string
	for _, f := range blocking {
		if !slices.Contains(rules, f.Rule) {
			rules = append(rules, f.Rule)
		}
	}
	return &cynllun.QualityOverride{Reason: reason, By: p.UserID, At: now.UTC(), Rules: rules}, nil
}

// contentPaths maps a finding's section to where it is in the content input.
var contentPaths = map[string]string{"1A": "consent", "1B": "dates", "1C": "profile", "2A": "needs", "2B": "provision", "2D": "placement", "3A": "meetingSummary"}

// findingField is the input path of a finding: "input.content.provision.2.provision".
func findingField(c *cynllun.Content, pl quality.Place) string {
	path := "input.content"
	if sec, ok := contentPaths[pl.Section]; ok {
		path += "." + sec
	}
	if pl.RowID != "" {
		for i, r := range c.Provision {
			if r.ID == pl.RowID {
				path += fmt.Sprintf(".%d", i)
				break
			}
		}
	}
	if pl.Field != "" {
		path += "." + pl.Field
	}
	return path
}
