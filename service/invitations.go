package service

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"net/mail"
	"slices"
	"strings"
	"time"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/form"
	"github.com/cynllun/cynllun/notify"
	"github.com/cynllun/cynllun/policy"
)

// DefaultInvitationExpiry is how long an invitation can be accepted when
// the deployment does not say (INVITATION_EXPIRY).
const DefaultInvitationExpiry = 14 * 24 * time.Hour

// InvitationMailer sends invitation emails (notify.Mailer does).
type InvitationMailer interface {
	SendInvitation(ctx context.Context, to string, in notify.Invitation) error
}

// WithInvitations sets how invitations are sent: the mailer (nil: inviting
// is unavailable), how long they last (0: DefaultInvitationExpiry) and the
// front-end link holding the token, with "{token}" where it goes (empty:
// the email gives the token itself).
func WithInvitations(m InvitationMailer, expiry time.Duration, link string) Option {
	return func(s *Service) {
		s.inviteMailer, s.inviteExpiry, s.inviteLink = m, expiry, link
	}
}

// InviteInput invites someone, by email address, to become a learner's
// advocate.
type InviteInput struct {
	LearnerID string
	Email     string
	// CaseID limits the consent to one case of the learner's.
	CaseID string
	// EndsAt is when the consent ends (required).
	EndsAt *time.Time
}

// InviteAdvocate records an invitation and emails its token to the
// address (see policy.Invite for who may). The token is stored hashed and
// returned to nobody but the invitee, by email; the address is never
// logged.
func (s *Service) InviteAdvocate(ctx context.Context, in InviteInput) (*cynllun.Invitation, error) {
	const op = "service.InviteAdvocate"
	p, err := principal(ctx, op)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var errs []cynllun.FieldError
	email := strings.TrimSpace(in.Email)
	if fe := form.CheckText("input.email", in.Email, 254, true); fe != nil {
		errs = append(errs, *fe)
	} else if a, err := mail.ParseAddress(email); err != nil || a.Address != email {
		errs = append(errs, cynllun.FieldError{Field: "input.email", Message: "is not an email address"})
	}
	switch {
	case in.EndsAt == nil:
		errs = append(errs, cynllun.FieldError{Field: "input.endsAt", Message: "is required: an advocate's access ends when consent ends"})
	case !in.EndsAt.After(now):
		errs = append(errs, cynllun.FieldError{Field: "input.endsAt", Message: "must be in the future"})
	case in.EndsAt.After(now.AddDate(2, 0, 0)):
		errs = append(errs, cynllun.FieldError{Field: "input.endsAt", Message: "consent may last at most two years; renew it after"})
	}
	if len(errs) > 0 {
		return nil, cynllun.Invalid(op, errs...)
	}
	l, err := s.learnerFor(ctx, p, op, in.LearnerID)
	if err != nil {
		return nil, err
	}
	me, err := s.store.UserByID(ctx, p.UserID)
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	d := policy.Invite(p, me.Email, cynllun.RelAdvocateOf, l, email, *in.EndsAt, now)
	if !d.OK {
		if d.Self {
			if err := s.audit(ctx, op, []cynllun.AuditEvent{{
				ID: cynllun.NewID(cynllun.PrefixAudit), At: now.UTC(), ActorID: p.UserID, LearnerID: l.ID,
				Part: "access.invite", Action: "refused-self-invite", Reason: string(cynllun.RelAdvocateOf),
			}}); err != nil {
				return nil, err
			}
			return nil, cynllun.E(cynllun.CodeForbidden, op, "you may not invite yourself")
		}
		return nil, cynllun.E(cynllun.CodeForbidden, op, "you may not grant this access: "+d.Why)
	}
	if in.CaseID != "" {
		cs, err := s.store.CasesByID(ctx, []string{in.CaseID})
		if err != nil {
			return nil, cynllun.AsError(op, err)
		}
		if len(cs) == 0 || cs[0].LearnerID != l.ID {
			return nil, cynllun.Invalid(op, cynllun.FieldError{Field: "input.caseId", Message: "is not a case of the learner"})
		}
	}
	if s.inviteMailer == nil {
		return nil, cynllun.E(cynllun.CodeInternal, op, "invitations cannot be sent: email is not configured")
	}
	token, err := newToken()
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	expiry := s.inviteExpiry
	if expiry <= 0 {
		expiry = DefaultInvitationExpiry
	}
	inv := &cynllun.Invitation{
		ID: cynllun.NewID(cynllun.PrefixInvitation), LearnerID: l.ID, Kind: cynllun.RelAdvocateOf,
		Email: email, EmailKey: cynllun.InvitationEmailKey(email), CaseID: in.CaseID,
		EndsAt: in.EndsAt.UTC(), ExpiresAt: now.Add(expiry).UTC(), TokenHash: cynllun.InvitationTokenHash(token),
		CreatedAt: now.UTC(), CreatedBy: p.UserID, GrantedAs: string(d.As), GrantedVia: d.Via,
	}
	if err := s.store.CreateInvitation(ctx, inv); err != nil {
		return nil, cynllun.AsError(op, err)
	}
	link := ""
	if s.inviteLink != "" {
		link = strings.ReplaceAll(s.inviteLink, "{token}", token)
	}
	if err := s.inviteMailer.SendInvitation(ctx, email, notify.Invitation{
		ID: inv.ID, Token: token, Link: link, EndsAt: inv.EndsAt, ExpiresAt: inv.ExpiresAt, OneCase: inv.CaseID != "", At: now,
	}); err != nil {
		// Nobody can accept an invitation that was not sent: it is
		// cancelled, by its inviter, and the inviter may try again.
		_ = s.store.EndInvitation(ctx, inv.ID, now.UTC(), "", "", p.UserID)
		s.log.ErrorContext(ctx, "invitation not sent", "op", op, "invitation", inv.ID, "code", string(cynllun.ErrorCode(err)))
		return nil, cynllun.E(cynllun.CodeInternal, op, "the invitation email could not be sent; try again later")
	}
	if err := s.audit(ctx, op, []cynllun.AuditEvent{{
		ID: cynllun.NewID(cynllun.PrefixAudit), At: now.UTC(), ActorID: p.UserID, LearnerID: l.ID,
		Part: "access.invite", Action: "invited", Reason: string(cynllun.RelAdvocateOf), InvitationID: inv.ID,
	}}); err != nil {
		return nil, err
	}
	s.log.InfoContext(ctx, "advocate invited", "invitation", inv.ID, "learner", l.ID, "actor", p.UserID)
	return inv, nil
}

func newToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// CancelInvitation ends an invitation that has not been accepted (see
// policy.CancelInvitation for who may); NOT_FOUND for anyone else.
func (s *Service) CancelInvitation(ctx context.Context, id string) (*cynllun.Invitation, error) {
	const op = "service.CancelInvitation"
	p, err := principal(ctx, op)
	if err != nil {
		return nil, err
	}
	inv, err := s.store.InvitationByID(ctx, id)
	if err != nil {
		if cynllun.ErrorCode(err) == cynllun.CodeNotFound {
			return nil, cynllun.NotFound(op, "invitation")
		}
		return nil, cynllun.AsError(op, err)
	}
	now := s.now()
	m, err := s.readableLearners(ctx, p, []string{inv.LearnerID})
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	if !policy.CancelInvitation(p, inv, m[inv.LearnerID], now).Allow {
		return nil, cynllun.NotFound(op, "invitation")
	}
	if st := inv.StatusAt(now); st != cynllun.InvitationPending {
		return nil, cynllun.E(cynllun.CodeConflict, op, "the invitation is no longer open")
	}
	if err := s.store.EndInvitation(ctx, id, now.UTC(), "", "", p.UserID); err != nil {
		return nil, cynllun.AsError(op, err)
	}
	if err := s.audit(ctx, op, []cynllun.AuditEvent{{
		ID: cynllun.NewID(cynllun.PrefixAudit), At: now.UTC(), ActorID: p.UserID, LearnerID: inv.LearnerID,
		Part: "access.invite", Action: "cancelled", Reason: string(inv.Kind), InvitationID: inv.ID,
	}}); err != nil {
		return nil, err
	}
	return s.store.InvitationByID(ctx, id)
}

// AcceptInput accepts an invitation.
type AcceptInput struct {
	Token string
	// Name is the new account's name, when acceptance creates it.
	Name string
}

// AcceptInvitation turns an invitation into an ADVOCATE_FOR relationship
// held by the signed-in user, with the inviter's consent, scope and end
// date, recorded in the learner's audit trail. A signed-in token whose
// subject has no account yet (cynllun.NewcomerFrom) may accept: the
// account is created then, with the token's subject as its id, the name
// given and the invitation's address (the token proved it is theirs). An
// unknown, expired, cancelled or used token is refused alike, and changes
// nothing.
func (s *Service) AcceptInvitation(ctx context.Context, in AcceptInput) (*cynllun.Relationship, error) {
	const op = "service.AcceptInvitation"
	p := cynllun.PrincipalFrom(ctx)
	newcomer := cynllun.NewcomerFrom(ctx)
	if p == nil && newcomer == "" {
		return nil, cynllun.E(cynllun.CodeUnauthenticated, op, "sign in required")
	}
	now := s.now()
	var errs []cynllun.FieldError
	if in.Token == "" || len(in.Token) > 128 {
		errs = append(errs, cynllun.FieldError{Field: "input.token", Message: "is not an open invitation"})
	}
	if p == nil {
		if fe := form.CheckName("input.name", in.Name, form.MaxShort, true); fe != nil {
			errs = append(errs, *fe)
		}
	}
	if len(errs) > 0 {
		return nil, cynllun.Invalid(op, errs...)
	}
	inv, err := s.store.InvitationByTokenHash(ctx, cynllun.InvitationTokenHash(in.Token))
	if err != nil && cynllun.ErrorCode(err) != cynllun.CodeNotFound {
		return nil, cynllun.AsError(op, err)
	}
	a := policy.Acceptor{UserID: newcomer}
	if p != nil {
		me, err := s.store.UserByID(ctx, p.UserID)
		if err != nil {
			return nil, cynllun.AsError(op, err)
		}
		a = policy.Acceptor{UserID: me.ID, Email: me.Email, Admin: me.Admin, Existing: true}
	}
	refused := func() error {
		return cynllun.Invalid(op, cynllun.FieldError{Field: "input.token", Message: "is not an open invitation"})
	}
	if inv == nil {
		return nil, refused()
	}
	if inv.AcceptedBy != "" && inv.AcceptedBy == a.UserID && inv.RelationshipID != "" {
		// The same invitee again: a retry. The relationship the acceptance
		// made is returned while it stands; if a failure came between
		// ending the invitation and making it, it is made now.
		r, err := s.store.RelationshipByID(ctx, inv.RelationshipID)
		switch {
		case err == nil:
			if r.EndedAt.IsZero() && r.EndsAt.After(now) {
				return r, nil
			}
			return nil, refused()
		case cynllun.ErrorCode(err) != cynllun.CodeNotFound:
			return nil, cynllun.AsError(op, err)
		case !inv.EndsAt.After(now):
			return nil, refused()
		}
		if stands, err := s.withStandingConsent(ctx, []cynllun.Relationship{{
			Kind: cynllun.RelAdvocateOf, LearnerID: inv.LearnerID, ConsentBy: inv.CreatedBy, EndsAt: inv.EndsAt, UserID: a.UserID,
		}}); err != nil {
			return nil, cynllun.AsError(op, err)
		} else if len(stands) == 0 {
			return nil, refused()
		}
		s.log.WarnContext(ctx, "completing an interrupted acceptance", "op", op, "invitation", inv.ID, "actor", a.UserID)
		return s.completeAcceptance(ctx, op, inv, a.UserID, p == nil, in.Name, inv.RelationshipID, now)
	}
	if rule := policy.Accept(a, inv, now); !rule.Allow {
		s.log.WarnContext(ctx, "invitation refused", "op", op, "invitation", inv.ID, "actor", a.UserID, "status", string(inv.StatusAt(now)))
		return nil, refused()
	}
	// The consent stands only while its giver is still a parent or the
	// young person (as withStandingConsent checks at every sign-in).
	if stands, err := s.withStandingConsent(ctx, []cynllun.Relationship{{
		Kind: cynllun.RelAdvocateOf, LearnerID: inv.LearnerID, ConsentBy: inv.CreatedBy, EndsAt: inv.EndsAt, UserID: a.UserID,
	}}); err != nil {
		return nil, cynllun.AsError(op, err)
	} else if len(stands) == 0 {
		s.log.WarnContext(ctx, "invitation refused: consent no longer stands", "op", op, "invitation", inv.ID, "actor", a.UserID)
		return nil, refused()
	}
	relID := cynllun.NewID(cynllun.PrefixRelationship)
	// Ended first: of two acceptances racing, one wins; a crash after it
	// leaves an accepted invitation without its relationship (the inviter
	// invites again), never two relationships.
	if err := s.store.EndInvitation(ctx, inv.ID, now.UTC(), a.UserID, relID, ""); err != nil {
		if cynllun.ErrorCode(err) == cynllun.CodeConflict {
			return nil, refused()
		}
		return nil, cynllun.AsError(op, err)
	}
	return s.completeAcceptance(ctx, op, inv, a.UserID, p == nil, in.Name, relID, now)
}

// completeAcceptance makes what accepting inv gives: the newcomer's
// account (when newcomer), then the relationship relID, audited. The
// invitation has been ended for userID already.
func (s *Service) completeAcceptance(ctx context.Context, op string, inv *cynllun.Invitation, userID string, newcomer bool, name, relID string, now time.Time) (*cynllun.Relationship, error) {
	if newcomer {
		u := &cynllun.User{ID: userID, Name: strings.TrimSpace(name), Email: inv.Email, CreatedAt: now.UTC()}
		if err := s.store.UpsertUser(ctx, u); err != nil {
			return nil, cynllun.AsError(op, err)
		}
		s.log.InfoContext(ctx, "account created on accepting an invitation", "user", u.ID, "invitation", inv.ID)
	}
	r := &cynllun.Relationship{
		ID: relID, UserID: userID, Kind: cynllun.RelAdvocateOf, LearnerID: inv.LearnerID, CaseID: inv.CaseID,
		ConsentBy: inv.CreatedBy, EndsAt: inv.EndsAt, CreatedAt: now.UTC(), CreatedBy: inv.CreatedBy,
		GrantedAs: inv.GrantedAs, GrantedVia: inv.GrantedVia,
	}
	if err := s.store.CreateRelationship(ctx, r); err != nil {
		return nil, cynllun.AsError(op, err)
	}
	if err := s.audit(ctx, op, []cynllun.AuditEvent{{
		ID: cynllun.NewID(cynllun.PrefixAudit), At: now.UTC(), ActorID: userID, LearnerID: inv.LearnerID,
		Part: "access.grant", Action: "accepted-invitation", Reason: string(r.Kind), RelationshipID: r.ID, InvitationID: inv.ID,
	}}); err != nil {
		return nil, err
	}
	return r, nil
}

// InvitationsSent lists the invitations the signed-in user sent, newest
// first; with learnerID, those about that learner only.
func (s *Service) InvitationsSent(ctx context.Context, learnerID string) ([]*cynllun.Invitation, error) {
	const op = "service.InvitationsSent"
	p, err := principal(ctx, op)
	if err != nil {
		return nil, err
	}
	invs, err := s.store.InvitationsBy(ctx, p.UserID)
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	invs = slices.DeleteFunc(invs, func(i *cynllun.Invitation) bool { return learnerID != "" && i.LearnerID != learnerID })
	return newestFirst(invs), nil
}

// InvitationsForMe lists the pending invitations sent to the signed-in
// user's email address, newest first.
func (s *Service) InvitationsForMe(ctx context.Context) ([]*cynllun.Invitation, error) {
	const op = "service.InvitationsForMe"
	p, err := principal(ctx, op)
	if err != nil {
		return nil, err
	}
	me, err := s.store.UserByID(ctx, p.UserID)
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	if me.Admin || me.Email == "" {
		return []*cynllun.Invitation{}, nil
	}
	invs, err := s.store.InvitationsFor(ctx, cynllun.InvitationEmailKey(me.Email))
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	now := s.now()
	invs = slices.DeleteFunc(invs, func(i *cynllun.Invitation) bool {
		return i.StatusAt(now) != cynllun.InvitationPending || !strings.EqualFold(i.Email, me.Email) || i.CreatedBy == me.ID
	})
	return newestFirst(invs), nil
}

// CanCancelInvitation is Invitation.viewerCanCancel.
func (s *Service) CanCancelInvitation(ctx context.Context, inv *cynllun.Invitation) (bool, error) {
	const op = "service.CanCancelInvitation"
	p, err := principal(ctx, op)
	if err != nil {
		return false, err
	}
	now := s.now()
	if inv.StatusAt(now) != cynllun.InvitationPending {
		return false, nil
	}
	m, err := s.readableLearners(ctx, p, []string{inv.LearnerID})
	if err != nil {
		return false, cynllun.AsError(op, err)
	}
	return policy.CancelInvitation(p, inv, m[inv.LearnerID], now).Allow, nil
}

func newestFirst(invs []*cynllun.Invitation) []*cynllun.Invitation {
	slices.SortFunc(invs, func(a, b *cynllun.Invitation) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	return invs
}
