package policy

import (
	"strings"
	"time"

	"github.com/cynllun/cynllun"
)

// Invitations (issue 17): a parent or the young person invites someone by
// email address to become the learner's advocate, with their consent, for
// a limited time, without an administrator or the school. The grant table
// decides who may (the ADVOCATE_FOR column: a parent or the young person
// only); an invitation grants nothing else, never to its inviter, and the
// one who accepts it must be the person it was sent to.

// MaxConsent is the longest an advocate's consent may last.
const MaxConsent = 2 * 365 * 24 * time.Hour

// Why invitations are refused.
const (
	whyInviteKind    = "only an advocate is invited: other access is recorded by the learner's setting, local authority or an administrator"
	whyInviteSelf    = "nobody invites themself: someone else must accept"
	whyInviteEnds    = "an advocate's consent needs an end date in the future, at most two years ahead"
	whyAcceptSelf    = "the inviter cannot accept their own invitation"
	whyAcceptAdmin   = "an administrator's account holds no access to learners"
	whyAcceptEmail   = "the invitation was sent to another email address"
	whyAcceptStatus  = "the invitation is no longer open"
	whyCancelNotMine = "only the inviter, or another parent or the young person, cancels an invitation"
)

// Invite decides whether p (whose own account's address is ownEmail) may
// invite the holder of address email to hold kind about learner l, with
// consent ending at endsAt: allowed when the grant table lets p grant it
// to someone else (a parent or the young person, for ADVOCATE_FOR only),
// the address is not p's own, and the end is in the future and at most two
// years ahead. The decision's As and Via are recorded on the invitation
// and on the relationship its acceptance creates.
func Invite(p *cynllun.Principal, ownEmail string, kind cynllun.RelKind, l *cynllun.Learner, email string, endsAt, now time.Time) GrantDecision {
	if p == nil || l == nil {
		return GrantDecision{Why: "sign in required"}
	}
	if kind != cynllun.RelAdvocateOf {
		return GrantDecision{Why: whyInviteKind}
	}
	if sameAddress(ownEmail, email) {
		return GrantDecision{Self: true, Why: whyInviteSelf}
	}
	d := MayGrant(p, kind, l, now)
	if !d.OK {
		return d
	}
	if !endsAt.After(now) || endsAt.After(now.Add(MaxConsent)) {
		return GrantDecision{Why: whyInviteEnds}
	}
	return d
}

// Acceptor is who accepts an invitation: the signed-in user, or a newcomer
// whose account the acceptance creates (Existing false: their address is
// the invitation's, proved by the token it carried).
type Acceptor struct {
	UserID   string
	Email    string
	Admin    bool
	Existing bool
}

// Accept decides whether a may accept invitation inv at now: it is still
// pending and the consent it offers has not ended, a is not its inviter nor an administrator, and an existing
// account's address is the one the invitation was sent to.
func Accept(a Acceptor, inv *cynllun.Invitation, now time.Time) Rule {
	switch {
	case inv == nil || inv.StatusAt(now) != cynllun.InvitationPending || !inv.EndsAt.After(now):
		// Pending, and the consent it offers has not ended already.
		return Rule{Why: whyAcceptStatus}
	case a.UserID == "" || a.UserID == inv.CreatedBy:
		return Rule{Why: whyAcceptSelf}
	case a.Admin:
		return Rule{Why: whyAcceptAdmin}
	case a.Existing && !sameAddress(a.Email, inv.Email):
		return Rule{Why: whyAcceptEmail}
	}
	return Rule{Allow: true, Why: "the invitee accepts the consent they were offered"}
}

// CancelInvitation decides whether p may cancel invitation inv of learner
// l: its inviter, and (as they may withdraw any advocate's consent) any
// parent of l or the young person.
func CancelInvitation(p *cynllun.Principal, inv *cynllun.Invitation, l *cynllun.Learner, now time.Time) Rule {
	if p == nil || inv == nil {
		return Rule{Why: whyCancelNotMine}
	}
	if inv.CreatedBy == p.UserID {
		return Rule{Allow: true, Why: "the inviter withdraws their invitation"}
	}
	if l != nil && inv.LearnerID == l.ID && len(familyStandings(p, l, now)) > 0 {
		return Rule{Allow: true, Why: "a parent or the young person withdraws an advocate's consent"}
	}
	return Rule{Why: whyCancelNotMine}
}

func sameAddress(a, b string) bool {
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	return a != "" && strings.EqualFold(a, b)
}
