package service

import (
	"context"
	"slices"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/form"
	"github.com/cynllun/cynllun/policy"
)

// LearnerInput is what a caller supplies to register or update a learner.
type LearnerInput struct {
	// IdempotencyKey makes createLearner safe to retry (idempotency.go);
	// updateLearner ignores it (an update repeated changes nothing more).
	IdempotencyKey string
	GivenName      string
	FamilyName     string
	PreferredName  string
	DateOfBirth    cynllun.Date
	Language       cynllun.Language
	LAID           string
	SettingKind    cynllun.SettingKind
	SettingID      string
	LookedAfter    bool
}

var settingKinds = []cynllun.SettingKind{
	cynllun.SettingSchool, cynllun.SettingFEI, cynllun.SettingEarlyYears,
	cynllun.SettingEOTAS, cynllun.SettingEHE, cynllun.SettingNone,
}

// checkDateOfBirth bounds a learner's date of birth: not after today and
// not before cynllun.EarliestDateOfBirth (the ALN system covers ages 0 to
// 25). prev is the date of birth stored already (zero for a new learner):
// a learner who has grown past 25 keeps theirs when other details are
// corrected, but a date of birth cannot be changed to one out of range.
func checkDateOfBirth(field string, dob, prev, today cynllun.Date) *cynllun.FieldError {
	earliest := cynllun.EarliestDateOfBirth(today)
	bounds := "must be between " + earliest.String() + " and " + today.String() + ": the ALN system covers learners aged 0 to 25"
	switch {
	case dob.IsZero():
		return &cynllun.FieldError{Field: field, Message: "is required"}
	case dob.After(today):
		return &cynllun.FieldError{Field: field, Message: "must not be in the future; it " + bounds}
	case dob.Before(earliest) && dob != prev:
		return &cynllun.FieldError{Field: field, Message: bounds}
	}
	return nil
}

// validateLearner checks in without touching the store; prev is the stored
// date of birth when a learner is updated. Messages never repeat the
// submitted values.
func (s *Service) validateLearner(in *LearnerInput, prefix string, prev cynllun.Date) []cynllun.FieldError {
	var errs []cynllun.FieldError
	add := func(fe *cynllun.FieldError) {
		if fe != nil {
			errs = append(errs, *fe)
		}
	}
	add(form.CheckName(prefix+"givenName", in.GivenName, form.MaxShort, true))
	add(form.CheckName(prefix+"familyName", in.FamilyName, form.MaxShort, true))
	add(form.CheckName(prefix+"preferredName", in.PreferredName, form.MaxShort, false))
	if fe := checkDateOfBirth(prefix+"dateOfBirth", in.DateOfBirth, prev, cynllun.Today(s.now())); fe != nil {
		errs = append(errs, *fe)
	}
	if in.Language != cynllun.LanguageCY && in.Language != cynllun.LanguageEN {
		errs = append(errs, cynllun.FieldError{Field: prefix + "language", Message: "must be CY or EN"})
	}
	if in.LAID == "" {
		errs = append(errs, cynllun.FieldError{Field: prefix + "laId", Message: "is required"})
	}
	if !slices.Contains(settingKinds, in.SettingKind) {
		errs = append(errs, cynllun.FieldError{Field: prefix + "settingKind", Message: "is not a known setting kind"})
	}
	needsSetting := in.SettingKind == cynllun.SettingSchool || in.SettingKind == cynllun.SettingFEI
	switch {
	case needsSetting && in.SettingID == "":
		errs = append(errs, cynllun.FieldError{Field: prefix + "settingId", Message: "is required for a school or FEI"})
	case !needsSetting && in.SettingID != "":
		errs = append(errs, cynllun.FieldError{Field: prefix + "settingId", Message: "applies only to a school or FEI"})
	}
	return errs
}

// checkLearnerOrgs checks that the LA and setting exist and are of the right
// kinds, in one round trip.
func (s *Service) checkLearnerOrgs(ctx context.Context, in *LearnerInput, prefix string) ([]cynllun.FieldError, error) {
	ids := []string{in.LAID}
	if in.SettingID != "" {
		ids = append(ids, in.SettingID)
	}
	orgs, err := s.store.OrganisationsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	byID := map[string]*cynllun.Organisation{}
	for _, o := range orgs {
		byID[o.ID] = o
	}
	var errs []cynllun.FieldError
	if o := byID[in.LAID]; o == nil || o.Kind != cynllun.OrgLocalAuthority {
		errs = append(errs, cynllun.FieldError{Field: prefix + "laId", Message: "is not a local authority"})
	}
	if in.SettingID != "" {
		want := cynllun.OrgSchool
		if in.SettingKind == cynllun.SettingFEI {
			want = cynllun.OrgFEI
		}
		if o := byID[in.SettingID]; o == nil || o.Kind != want {
			errs = append(errs, cynllun.FieldError{Field: prefix + "settingId", Message: "is not a " + map[cynllun.OrgKind]string{cynllun.OrgSchool: "school", cynllun.OrgFEI: "further education institution"}[want]})
		}
	}
	return errs, nil
}

// CreateLearner registers a learner. Only staff of the setting or officers
// of the local authority may.
func (s *Service) CreateLearner(ctx context.Context, in LearnerInput) (*cynllun.Learner, error) {
	const op = "service.CreateLearner"
	p, err := principal(ctx, op)
	if err != nil {
		return nil, err
	}
	if errs := s.validateLearner(&in, "input.", cynllun.Date{}); len(errs) > 0 {
		return nil, cynllun.Invalid(op, errs...)
	}
	// Organisations are not secret, so an input naming the wrong kind of
	// organisation is INVALID for everyone, before the policy is asked.
	errs, err := s.checkLearnerOrgs(ctx, &in, "input.")
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	if len(errs) > 0 {
		return nil, cynllun.Invalid(op, errs...)
	}
	now := s.now()
	if !policy.CreateLearner(p, in.LAID, in.SettingID, now).OK {
		return nil, cynllun.E(cynllun.CodeForbidden, op, "you may register learners only for your own school, FEI or local authority")
	}
	return keyed(ctx, s, clientKey(op, "createLearner", p, in.IdempotencyKey, cynllun.PrefixLearner, in),
		func(id string) (*cynllun.Learner, error) {
			l := &cynllun.Learner{
				ID:        id,
				CreatedAt: now.UTC(),
				CreatedBy: p.UserID,
				UpdatedAt: now.UTC(),
			}
			applyLearner(l, &in)
			if err := s.store.CreateLearner(ctx, l); err != nil {
				return nil, cynllun.AsError(op, err)
			}
			cacheFrom(ctx).putLearner(l)
			s.log.InfoContext(ctx, "learner created", "learner", l.ID, "actor", p.UserID)
			return l, nil
		}, func(id string) (*cynllun.Learner, error) { return s.Learner(ctx, id) })
}

func applyLearner(l *cynllun.Learner, in *LearnerInput) {
	l.GivenName = in.GivenName
	l.FamilyName = in.FamilyName
	l.PreferredName = in.PreferredName
	l.DateOfBirth = in.DateOfBirth
	l.Language = in.Language
	l.LAID = in.LAID
	l.SettingKind = in.SettingKind
	l.SettingID = in.SettingID
	l.LookedAfter = in.LookedAfter
}

// UpdateLearner replaces a learner's details. The caller must be able to
// write the learner both before and after the change (moving a learner to
// another school is done by someone at either end who can see both: an LA
// officer, or staff who remain responsible).
func (s *Service) UpdateLearner(ctx context.Context, id string, in LearnerInput) (*cynllun.Learner, error) {
	const op = "service.UpdateLearner"
	p, err := principal(ctx, op)
	if err != nil {
		return nil, err
	}
	l, err := s.learnerFor(ctx, p, op, id)
	if err != nil {
		return nil, err
	}
	now := s.now()
	if !policy.WriteLearner(p, l, now).OK {
		return nil, cynllun.E(cynllun.CodeForbidden, op, "you may read but not change this learner")
	}
	if errs := s.validateLearner(&in, "input.learner.", l.DateOfBirth); len(errs) > 0 {
		return nil, cynllun.Invalid(op, errs...)
	}
	if !policy.CreateLearner(p, in.LAID, in.SettingID, now).OK {
		return nil, cynllun.E(cynllun.CodeForbidden, op, "you would not be responsible for the learner after this change")
	}
	errs, err := s.checkLearnerOrgs(ctx, &in, "input.learner.")
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	if len(errs) > 0 {
		return nil, cynllun.Invalid(op, errs...)
	}
	updated := *l
	applyLearner(&updated, &in)
	updated.UpdatedAt = now.UTC()
	if err := s.store.UpdateLearner(ctx, &updated); err != nil {
		return nil, cynllun.AsError(op, err)
	}
	cacheFrom(ctx).putLearner(&updated)
	return &updated, nil
}

// learnerFor loads one learner p may read, or NOT_FOUND.
func (s *Service) learnerFor(ctx context.Context, p *cynllun.Principal, op, id string) (*cynllun.Learner, error) {
	m, err := s.readableLearners(ctx, p, []string{id})
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	l := m[id]
	if l == nil {
		return nil, cynllun.NotFound(op, "learner")
	}
	return l, nil
}

// Learner returns a learner the principal may read, or NOT_FOUND (also when
// it exists but is not theirs to see).
func (s *Service) Learner(ctx context.Context, id string) (*cynllun.Learner, error) {
	const op = "service.Learner"
	p, err := principal(ctx, op)
	if err != nil {
		return nil, err
	}
	return s.learnerFor(ctx, p, op, id)
}

// LearnersByID returns, for each id, the learner or nil when missing or not
// readable. One round trip for the ids not yet seen in this request.
func (s *Service) LearnersByID(ctx context.Context, ids []string) ([]*cynllun.Learner, error) {
	const op = "service.LearnersByID"
	p, err := principal(ctx, op)
	if err != nil {
		return nil, err
	}
	m, err := s.readableLearners(ctx, p, ids)
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	out := make([]*cynllun.Learner, len(ids))
	for i, id := range ids {
		out[i] = m[id]
	}
	return out, nil
}

// LearnerFilter narrows a learner list.
type LearnerFilter struct {
	LAID       string
	SettingID  string
	NamePrefix string
}

// Learners lists a page of the learners the principal may read, filtered,
// in name order.
func (s *Service) Learners(ctx context.Context, f LearnerFilter, pg Page) (Paged[*cynllun.Learner], error) {
	const op = "service.Learners"
	q, err := s.learnerQuery(ctx, op, f)
	if err != nil {
		return Paged[*cynllun.Learner]{}, err
	}
	if err := pg.check(op); err != nil {
		return Paged[*cynllun.Learner]{}, err
	}
	if q.Scope.Empty() {
		return Paged[*cynllun.Learner]{}, nil
	}
	if pg.After != nil {
		q.AfterKey, q.AfterID = pg.After.Key, pg.After.ID
	}
	if pg.Before != nil {
		q.BeforeKey, q.BeforeID = pg.Before.Key, pg.Before.ID
	}
	q.Last, q.Limit = pg.Backward, pg.size()+1
	ls, err := s.store.ListLearners(ctx, q)
	if err != nil {
		return Paged[*cynllun.Learner]{}, cynllun.AsError(op, err)
	}
	out := paged(pg, ls)
	c := cacheFrom(ctx)
	for _, l := range out.Items {
		c.putLearner(l)
	}
	return out, nil
}

// CountLearners counts the learners Learners lists for f.
func (s *Service) CountLearners(ctx context.Context, f LearnerFilter) (int, error) {
	const op = "service.CountLearners"
	q, err := s.learnerQuery(ctx, op, f)
	if err != nil || q.Scope.Empty() {
		return 0, err
	}
	n, err := s.store.CountLearners(ctx, q)
	if err != nil {
		return 0, cynllun.AsError(op, err)
	}
	return n, nil
}

// learnerQuery checks a filter and makes the store's query of it for the
// principal, cursors and limit aside.
func (s *Service) learnerQuery(ctx context.Context, op string, f LearnerFilter) (cynllun.LearnerQuery, error) {
	p, err := principal(ctx, op)
	if err != nil {
		return cynllun.LearnerQuery{}, err
	}
	if fe := form.CheckText("namePrefix", f.NamePrefix, form.MaxShort, false); fe != nil {
		return cynllun.LearnerQuery{}, cynllun.Invalid(op, *fe)
	}
	return cynllun.LearnerQuery{Scope: policy.Scope(p, s.now()), NamePrefix: f.NamePrefix, LAID: f.LAID, SettingID: f.SettingID}, nil
}
