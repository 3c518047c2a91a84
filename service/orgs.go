package service

import (
	"context"
	"net/mail"
	"time"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/form"
	"github.com/cynllun/cynllun/policy"
)

// OrganisationInput creates a school, FEI or health board. The 22 local
// authorities are seeded, not created through the API.
type OrganisationInput struct {
	IdempotencyKey string // idempotency.go
	Kind           cynllun.OrgKind
	Name           string
	NameCy         string
	LAID           string
	Code           string
}

// CreateOrganisation creates an organisation (administrators only).
func (s *Service) CreateOrganisation(ctx context.Context, in OrganisationInput) (*cynllun.Organisation, error) {
	const op = "service.CreateOrganisation"
	p, err := principal(ctx, op)
	if err != nil {
		return nil, err
	}
	if !policy.ManageOrganisations(p) {
		return nil, cynllun.E(cynllun.CodeForbidden, op, "only administrators create organisations")
	}
	var errs []cynllun.FieldError
	add := func(fe *cynllun.FieldError) {
		if fe != nil {
			errs = append(errs, *fe)
		}
	}
	switch in.Kind {
	case cynllun.OrgSchool, cynllun.OrgFEI:
		if in.LAID == "" {
			errs = append(errs, cynllun.FieldError{Field: "input.laId", Message: "is required for a school or FEI"})
		}
	case cynllun.OrgHealthBoard:
	case cynllun.OrgLocalAuthority:
		errs = append(errs, cynllun.FieldError{Field: "input.kind", Message: "the 22 local authorities are fixed and already present"})
	default:
		errs = append(errs, cynllun.FieldError{Field: "input.kind", Message: "is not a known organisation kind"})
	}
	add(form.CheckName("input.name", in.Name, form.MaxShort, true))
	add(form.CheckName("input.nameCy", in.NameCy, form.MaxShort, false))
	add(form.CheckText("input.code", in.Code, 32, false))
	if len(errs) > 0 {
		return nil, cynllun.Invalid(op, errs...)
	}
	if in.LAID != "" {
		las, err := s.store.OrganisationsByID(ctx, []string{in.LAID})
		if err != nil {
			return nil, cynllun.AsError(op, err)
		}
		if len(las) == 0 || las[0].Kind != cynllun.OrgLocalAuthority {
			return nil, cynllun.Invalid(op, cynllun.FieldError{Field: "input.laId", Message: "is not a local authority"})
		}
	}
	return keyed(ctx, s, clientKey(op, "createOrganisation", p, in.IdempotencyKey, cynllun.PrefixOrganisation, in),
		func(id string) (*cynllun.Organisation, error) {
			o := &cynllun.Organisation{
				ID: id, Kind: in.Kind, Name: in.Name, NameCy: in.NameCy,
				LAID: in.LAID, Code: in.Code, CreatedAt: s.now().UTC(), CreatedBy: p.UserID,
			}
			if err := s.store.CreateOrganisation(ctx, o); err != nil {
				return nil, cynllun.AsError(op, err)
			}
			return o, nil
		}, func(id string) (*cynllun.Organisation, error) { return s.Organisation(ctx, id) })
}

// OrganisationsByID returns, for each id, the organisation or nil.
// Organisations are public information: any signed-in user may read them.
func (s *Service) OrganisationsByID(ctx context.Context, ids []string) ([]*cynllun.Organisation, error) {
	const op = "service.OrganisationsByID"
	if _, err := principal(ctx, op); err != nil {
		return nil, err
	}
	os, err := s.store.OrganisationsByID(ctx, dedupe(ids))
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	m := make(map[string]*cynllun.Organisation, len(os))
	for _, o := range os {
		m[o.ID] = o
	}
	out := make([]*cynllun.Organisation, len(ids))
	for i, id := range ids {
		out[i] = m[id]
	}
	return out, nil
}

// Organisation returns one organisation or NOT_FOUND.
func (s *Service) Organisation(ctx context.Context, id string) (*cynllun.Organisation, error) {
	os, err := s.OrganisationsByID(ctx, []string{id})
	if err != nil {
		return nil, err
	}
	if os[0] == nil {
		return nil, cynllun.NotFound("service.Organisation", "organisation")
	}
	return os[0], nil
}

// OrgFilter narrows an organisation list.
type OrgFilter struct {
	Kind       cynllun.OrgKind
	LAID       string
	NamePrefix string
}

// Organisations lists a page of organisations by name.
func (s *Service) Organisations(ctx context.Context, f OrgFilter, pg Page) (Paged[*cynllun.Organisation], error) {
	const op = "service.Organisations"
	q, err := orgQuery(ctx, op, f)
	if err != nil {
		return Paged[*cynllun.Organisation]{}, err
	}
	if err := pg.check(op); err != nil {
		return Paged[*cynllun.Organisation]{}, err
	}
	if pg.After != nil {
		q.AfterKey, q.AfterID = pg.After.Key, pg.After.ID
	}
	if pg.Before != nil {
		q.BeforeKey, q.BeforeID = pg.Before.Key, pg.Before.ID
	}
	q.Last, q.Limit = pg.Backward, pg.size()+1
	os, err := s.store.ListOrganisations(ctx, q)
	if err != nil {
		return Paged[*cynllun.Organisation]{}, cynllun.AsError(op, err)
	}
	return paged(pg, os), nil
}

// CountOrganisations counts the organisations Organisations lists for f.
func (s *Service) CountOrganisations(ctx context.Context, f OrgFilter) (int, error) {
	const op = "service.CountOrganisations"
	q, err := orgQuery(ctx, op, f)
	if err != nil {
		return 0, err
	}
	n, err := s.store.CountOrganisations(ctx, q)
	if err != nil {
		return 0, cynllun.AsError(op, err)
	}
	return n, nil
}

func orgQuery(ctx context.Context, op string, f OrgFilter) (cynllun.OrgQuery, error) {
	if _, err := principal(ctx, op); err != nil {
		return cynllun.OrgQuery{}, err
	}
	if fe := form.CheckText("namePrefix", f.NamePrefix, form.MaxShort, false); fe != nil {
		return cynllun.OrgQuery{}, cynllun.Invalid(op, *fe)
	}
	return cynllun.OrgQuery{Kind: f.Kind, LAID: f.LAID, NamePrefix: f.NamePrefix}, nil
}

// UserInput creates a user account.
type UserInput struct {
	IdempotencyKey string // idempotency.go
	Name           string
	Email          string
	Admin          bool
}

// CreateUser creates a user account. Administrators create any account;
// staff and LA officers may create non-admin accounts (for parents and young
// people they then grant access to).
func (s *Service) CreateUser(ctx context.Context, in UserInput) (*cynllun.User, error) {
	const op = "service.CreateUser"
	p, err := principal(ctx, op)
	if err != nil {
		return nil, err
	}
	now := s.now()
	if !p.Admin && (in.Admin || !holdsOrgRole(p, now)) {
		return nil, cynllun.E(cynllun.CodeForbidden, op, "you may not create this account")
	}
	var errs []cynllun.FieldError
	if fe := form.CheckName("input.name", in.Name, form.MaxShort, true); fe != nil {
		errs = append(errs, *fe)
	}
	if fe := form.CheckText("input.email", in.Email, 254, false); fe != nil {
		errs = append(errs, *fe)
	} else if a, err := mail.ParseAddress(in.Email); err != nil || a.Address != in.Email {
		errs = append(errs, cynllun.FieldError{Field: "input.email", Message: "is not an email address"})
	}
	if len(errs) > 0 {
		return nil, cynllun.Invalid(op, errs...)
	}
	return keyed(ctx, s, clientKey(op, "createUser", p, in.IdempotencyKey, cynllun.PrefixUser, in),
		func(id string) (*cynllun.User, error) {
			u := &cynllun.User{ID: id, Name: in.Name, Email: in.Email, Admin: in.Admin, CreatedAt: now.UTC()}
			if err := s.store.UpsertUser(ctx, u); err != nil {
				return nil, cynllun.AsError(op, err)
			}
			return u, nil
		}, func(id string) (*cynllun.User, error) {
			u, err := s.store.UserByID(ctx, id)
			if err != nil {
				return nil, cynllun.AsError(op, err)
			}
			return u, nil
		})
}

func holdsOrgRole(p *cynllun.Principal, now time.Time) bool {
	for _, r := range p.Relationships {
		if (r.Kind == cynllun.RelStaffOf || r.Kind == cynllun.RelOfficerOf) && r.ActiveAt(now) {
			return true
		}
	}
	return false
}

// GrantInput creates a relationship that gives a user access.
type GrantInput struct {
	IdempotencyKey string // idempotency.go
	UserID         string
	Kind           cynllun.RelKind
	LearnerID      string
	OrgID          string
	StaffRole      string
	// EndsAt is required for advocates: consent is always time-limited.
	EndsAt *time.Time
	// CaseID limits an advocate's consent to one case of the learner's.
	CaseID string
}

// GrantAccess records a relationship (see policy.Grant for who may). For an
// advocate the signed-in parent or young person is recorded as the one who
// consented.
func (s *Service) GrantAccess(ctx context.Context, in GrantInput) (*cynllun.Relationship, error) {
	const op = "service.GrantAccess"
	sent := snapshot(in)
	p, err := principal(ctx, op)
	if err != nil {
		return nil, err
	}
	now := s.now()
	r := &cynllun.Relationship{
		UserID: in.UserID, Kind: in.Kind,
		LearnerID: in.LearnerID, OrgID: in.OrgID, StaffRole: in.StaffRole, CaseID: in.CaseID,
		CreatedAt: now.UTC(), CreatedBy: p.UserID,
	}
	if in.EndsAt != nil {
		r.EndsAt = in.EndsAt.UTC()
	}
	var errs []cynllun.FieldError
	learnerScoped := false
	switch in.Kind {
	case cynllun.RelParentOf, cynllun.RelSelf, cynllun.RelAdvocateOf:
		learnerScoped = true
		if in.LearnerID == "" {
			errs = append(errs, cynllun.FieldError{Field: "input.learnerId", Message: "is required for this kind"})
		}
		if in.OrgID != "" {
			errs = append(errs, cynllun.FieldError{Field: "input.orgId", Message: "applies only to staff and officers"})
		}
	case cynllun.RelStaffOf, cynllun.RelOfficerOf:
		if in.OrgID == "" {
			errs = append(errs, cynllun.FieldError{Field: "input.orgId", Message: "is required for this kind"})
		}
		if in.LearnerID != "" {
			errs = append(errs, cynllun.FieldError{Field: "input.learnerId", Message: "applies only to parents, the learner and advocates"})
		}
	default:
		errs = append(errs, cynllun.FieldError{Field: "input.kind", Message: "is not a known relationship kind"})
	}
	if in.Kind == cynllun.RelAdvocateOf {
		r.ConsentBy = p.UserID
		switch {
		case in.EndsAt == nil:
			errs = append(errs, cynllun.FieldError{Field: "input.endsAt", Message: "is required: an advocate's access ends when consent ends"})
		case !in.EndsAt.After(now):
			errs = append(errs, cynllun.FieldError{Field: "input.endsAt", Message: "must be in the future"})
		case in.EndsAt.After(now.AddDate(2, 0, 0)):
			errs = append(errs, cynllun.FieldError{Field: "input.endsAt", Message: "consent may last at most two years; renew it after"})
		}
	} else if in.EndsAt != nil && !in.EndsAt.After(now) {
		errs = append(errs, cynllun.FieldError{Field: "input.endsAt", Message: "must be in the future"})
	}
	if in.CaseID != "" && in.Kind != cynllun.RelAdvocateOf {
		errs = append(errs, cynllun.FieldError{Field: "input.caseId", Message: "applies only to advocates"})
	}
	if fe := form.CheckText("input.staffRole", in.StaffRole, 100, false); fe != nil {
		errs = append(errs, *fe)
	}
	if len(errs) > 0 {
		return nil, cynllun.Invalid(op, errs...)
	}
	if in.UserID == p.UserID {
		// Refused whatever the learner or organisation, before either is
		// looked at, so the answer tells nothing about them.
		return nil, s.refuseSelfGrant(ctx, op, p, r, learnerScoped)
	}
	// Every read the grant needs is made whatever the outcome, before any
	// is judged, so that an unknown user id and a user this granter may
	// not grant to cost the same reads and get the same answer.
	grantee, err := s.store.UserByID(ctx, in.UserID)
	if err != nil && cynllun.ErrorCode(err) != cynllun.CodeNotFound {
		return nil, cynllun.AsError(op, err)
	}
	var (
		learner *cynllun.Learner
		org     *cynllun.Organisation
	)
	if learnerScoped {
		m, err := s.readableLearners(ctx, p, []string{in.LearnerID})
		if err != nil {
			return nil, cynllun.AsError(op, err)
		}
		learner = m[in.LearnerID]
	} else {
		orgs, err := s.store.OrganisationsByID(ctx, []string{in.OrgID})
		if err != nil {
			return nil, cynllun.AsError(op, err)
		}
		if len(orgs) > 0 {
			org = orgs[0]
		}
	}
	var cas *cynllun.Case
	if in.CaseID != "" && learner != nil {
		cs, err := s.store.CasesByID(ctx, []string{in.CaseID})
		if err != nil {
			return nil, cynllun.AsError(op, err)
		}
		if len(cs) > 0 {
			cas = cs[0]
		}
	}

	// Then the answers, each independent of who the grantee is but the last.
	if learnerScoped && learner == nil {
		return nil, cynllun.NotFound(op, "learner")
	}
	if !learnerScoped {
		want := map[cynllun.RelKind][]cynllun.OrgKind{
			cynllun.RelStaffOf:   {cynllun.OrgSchool, cynllun.OrgFEI, cynllun.OrgHealthBoard},
			cynllun.RelOfficerOf: {cynllun.OrgLocalAuthority},
		}[in.Kind]
		if org == nil || !containsKind(want, org.Kind) {
			return nil, cynllun.Invalid(op, cynllun.FieldError{Field: "input.orgId", Message: "is not an organisation of the right kind"})
		}
	}
	d := policy.Grant(p, r, learner, now)
	if r.Kind == cynllun.RelParentOf && !d.Self {
		hs, err := s.store.HandoversByLearner(ctx, []string{learner.ID})
		if err != nil {
			return nil, cynllun.AsError(op, err)
		}
		if len(hs) > 0 {
			d = policy.GrantAfterHandover(p, r.Kind, learner, hs[0], d, now)
		}
	}
	if !d.OK {
		return nil, cynllun.E(cynllun.CodeForbidden, op, "you may not grant this access: "+d.Why)
	}
	if in.CaseID != "" && (cas == nil || cas.LearnerID != learner.ID) {
		return nil, cynllun.Invalid(op, cynllun.FieldError{Field: "input.caseId", Message: "is not a case of the learner"})
	}
	// An unknown user and an administrator's account (which holds no
	// relationship: administrators never reach learners' data) answer
	// alike, so the answer does not tell whether a user id exists.
	if grantee == nil || grantee.Admin {
		return nil, cynllun.Invalid(op, cynllun.FieldError{Field: "input.userId", Message: "is not a user you may grant this access to"})
	}
	r.GrantedAs, r.GrantedVia = string(d.As), d.Via
	return keyed(ctx, s, clientKey(op, "grantAccess", p, in.IdempotencyKey, cynllun.PrefixRelationship, sent),
		func(id string) (*cynllun.Relationship, error) {
			r.ID = id
			if err := s.store.CreateRelationship(ctx, r); err != nil {
				return nil, cynllun.AsError(op, err)
			}
			if learnerScoped {
				// The learner's audit trail shows who gave whom access, and as what.
				if err := s.audit(ctx, op, []cynllun.AuditEvent{{
					ID: cynllun.NewID(cynllun.PrefixAudit), At: now.UTC(), ActorID: p.UserID, LearnerID: learner.ID,
					Part: "access.grant", Action: "granted", Reason: string(r.Kind), RelationshipID: r.ID,
				}}); err != nil {
					return nil, err
				}
			}
			return r, nil
		}, func(id string) (*cynllun.Relationship, error) {
			got, err := s.store.RelationshipByID(ctx, id)
			if err != nil {
				return nil, cynllun.AsError(op, err)
			}
			return got, nil
		})
}

// refuseSelfGrant answers a grant to the granter themself: FORBIDDEN,
// after recording an audit event (ids and the kind only). The event is in
// the learner's audit trail when the granter may read that learner, so
// those who maintain the record see the attempt; otherwise it names no
// learner (nothing is written under an id the granter cannot see).
func (s *Service) refuseSelfGrant(ctx context.Context, op string, p *cynllun.Principal, r *cynllun.Relationship, learnerScoped bool) error {
	ev := cynllun.AuditEvent{
		ID: cynllun.NewID(cynllun.PrefixAudit), At: r.CreatedAt, ActorID: p.UserID,
		Part: "access.grant", Action: "refused-self-grant", Reason: string(r.Kind),
	}
	if learnerScoped {
		m, err := s.readableLearners(ctx, p, []string{r.LearnerID})
		if err == nil && m[r.LearnerID] != nil {
			ev.LearnerID = r.LearnerID
		}
	} else {
		orgs, err := s.store.OrganisationsByID(ctx, []string{r.OrgID})
		if err == nil && len(orgs) > 0 {
			ev.OrgID = r.OrgID
		}
	}
	if err := s.audit(ctx, op, []cynllun.AuditEvent{ev}); err != nil {
		s.log.ErrorContext(ctx, "self-grant refused but not audited", "op", op, "actor", p.UserID, "kind", string(r.Kind), "err", err)
	}
	s.log.WarnContext(ctx, "self-grant refused", "op", op, "actor", p.UserID, "kind", string(r.Kind))
	return cynllun.E(cynllun.CodeForbidden, op, "you may not grant access to yourself")
}

func containsKind(ks []cynllun.OrgKind, k cynllun.OrgKind) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

// RevokeAccess ends a relationship at once (see policy.Revoke for who may).
// Ending consent ends an advocate's access from the next request.
func (s *Service) RevokeAccess(ctx context.Context, id string) (*cynllun.Relationship, error) {
	const op = "service.RevokeAccess"
	p, err := principal(ctx, op)
	if err != nil {
		return nil, err
	}
	r, err := s.store.RelationshipByID(ctx, id)
	if err != nil {
		if cynllun.ErrorCode(err) == cynllun.CodeNotFound {
			return nil, cynllun.NotFound(op, "relationship")
		}
		return nil, cynllun.AsError(op, err)
	}
	now := s.now()
	var learner *cynllun.Learner
	if r.LearnerID != "" {
		m, err := s.readableLearners(ctx, p, []string{r.LearnerID})
		if err != nil {
			return nil, cynllun.AsError(op, err)
		}
		learner = m[r.LearnerID]
	}
	if !policy.Revoke(p, r, learner, now) {
		// Not theirs to see either: do not confirm it exists.
		return nil, cynllun.NotFound(op, "relationship")
	}
	if err := s.store.EndRelationship(ctx, id, now.UTC()); err != nil {
		return nil, cynllun.AsError(op, err)
	}
	if r.EndedAt.IsZero() {
		// Recorded: the end of a staff or officer role (a role change: the
		// relationships its holder granted are kept, each ending by its own
		// end date, and name this one as GrantedVia), or of a learner's
		// relationship, in that learner's audit trail.
		ev := cynllun.AuditEvent{
			ID: cynllun.NewID(cynllun.PrefixAudit), At: now.UTC(), ActorID: p.UserID,
			LearnerID: r.LearnerID, OrgID: r.OrgID, RelationshipID: r.ID,
			Part: "access.revoke", Action: "revoked", Reason: string(r.Kind),
		}
		if r.Kind == cynllun.RelStaffOf || r.Kind == cynllun.RelOfficerOf {
			ev.Part, ev.Action = "access.role", "ended"
		}
		if err := s.audit(ctx, op, []cynllun.AuditEvent{ev}); err != nil {
			return nil, err
		}
	}
	return s.store.RelationshipByID(ctx, id)
}

// LearnerAccess lists who has (or had) access to a learner through
// learner-scoped relationships: every one for those who maintain the
// record; for a parent and the young person, those policy.SeeAccessRow
// shows them (their own, the consents they gave, and those held by people
// they may know), so that they can withdraw consent (issue 17).
func (s *Service) LearnerAccess(ctx context.Context, learnerID string) ([]cynllun.Relationship, error) {
	const op = "service.LearnerAccess"
	p, err := principal(ctx, op)
	if err != nil {
		return nil, err
	}
	l, err := s.learnerFor(ctx, p, op, learnerID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	if !policy.ReadAccessList(p, l, now).OK {
		return nil, cynllun.E(cynllun.CodeForbidden, op, "only the family and those who maintain the record see who has access")
	}
	rs, err := s.store.RelationshipsForLearner(ctx, learnerID)
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	out := rs[:0]
	for _, r := range rs {
		v := policy.SeeAccessRow(p, l, &r, now)
		if !v.Show {
			continue
		}
		r.Withheld = !v.Grantor
		out = append(out, r)
	}
	return out, nil
}

// GrantorRoleEnded says when the standing r was granted under (the
// grantor's staff or officer relationship, GrantedVia) stopped giving
// access, or nil while it lasts: a relationship is kept when its grantor
// leaves, and those who maintain the record see that they left. Only
// those may ask (nil for others); one read by _id.
func (s *Service) GrantorRoleEnded(ctx context.Context, r *cynllun.Relationship) (*time.Time, error) {
	const op = "service.GrantorRoleEnded"
	p, err := principal(ctx, op)
	if err != nil {
		return nil, err
	}
	if r == nil || r.GrantedVia == "" || r.LearnerID == "" {
		return nil, nil
	}
	m, err := s.readableLearners(ctx, p, []string{r.LearnerID})
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	now := s.now()
	if !policy.ManageAccess(p, m[r.LearnerID], now).OK {
		return nil, nil
	}
	via, err := s.store.RelationshipByID(ctx, r.GrantedVia)
	switch {
	case cynllun.ErrorCode(err) == cynllun.CodeNotFound:
		return nil, nil
	case err != nil:
		return nil, cynllun.AsError(op, err)
	}
	if via.ActiveAt(now) {
		return nil, nil
	}
	end := via.EndedAt
	if end.IsZero() || (!via.EndsAt.IsZero() && via.EndsAt.Before(end)) {
		end = via.EndsAt
	}
	if end.IsZero() {
		return nil, nil
	}
	return &end, nil
}
