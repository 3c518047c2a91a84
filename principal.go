package cynllun

import (
	"context"
	"time"
)

// RelKind is the kind of relationship that gives a user access.
type RelKind string

const (
	RelParentOf   RelKind = "PARENT_OF"    // parent of a learner
	RelSelf       RelKind = "SELF"         // the learner themself
	RelStaffOf    RelKind = "STAFF_OF"     // staff of a school/FEI/setting
	RelOfficerOf  RelKind = "OFFICER_OF"   // officer of a local authority
	RelAdvocateOf RelKind = "ADVOCATE_FOR" // advocate for a learner, with consent
)

// Relationship is a stored fact that gives UserID access. Learner-scoped
// kinds (parent, self, advocate) set LearnerID; organisation-scoped kinds
// (staff, officer) set OrgID. Advocates need ConsentBy (the parent or young
// person who consented) and EndsAt.
type Relationship struct {
	ID        string
	UserID    string
	Kind      RelKind
	LearnerID string
	OrgID     string
	// StaffRole is a free label for staff ("ALNCo", "teacher").
	StaffRole string
	ConsentBy string
	// CaseID, for an advocate, limits the consent to one case: the
	// advocate sees that case and no other of the learner's.
	CaseID    string
	EndsAt    time.Time // zero: open-ended (never for advocates)
	EndedAt   time.Time // set when revoked
	CreatedAt time.Time
	// CreatedBy is the user who granted it (for an advocate, the same as
	// ConsentBy). It is kept when the grantor's own role later changes:
	// a relationship ends only by its own end date or a revocation.
	CreatedBy string
	// GrantedAs is the grantor's standing when they granted it: "ADMIN",
	// or the kind of the grantor's relationship that allowed the grant
	// (STAFF_OF, OFFICER_OF, PARENT_OF, SELF). Empty for relationships
	// recorded before grants were checked against policy.GrantTable.
	GrantedAs string
	// GrantedVia is the id of the grantor's relationship named by
	// GrantedAs (empty for an administrator's grant), so the grantor's
	// later change of role can be traced to the grants it allowed.
	GrantedVia string
	// Withheld says the reader of this copy may not know who granted it or
	// who consented (policy.SeeAccessRow): CreatedBy, ConsentBy and
	// GrantedVia are kept for the rules but not shown. Never stored.
	Withheld bool
}

// SelfGranted says the holder granted the relationship to themself. No
// such grant is accepted any more; one stored earlier gives no access.
func (r *Relationship) SelfGranted() bool {
	return r.CreatedBy != "" && r.CreatedBy == r.UserID
}

// ActiveAt says whether the relationship gives access at t: not ended, not
// past its end date, not self-granted, and for an advocate with recorded
// consent and an end date.
func (r *Relationship) ActiveAt(t time.Time) bool {
	if r.SelfGranted() {
		return false
	}
	if !r.EndedAt.IsZero() && !t.Before(r.EndedAt) {
		return false
	}
	if !r.EndsAt.IsZero() && !t.Before(r.EndsAt) {
		return false
	}
	if r.Kind == RelAdvocateOf && (r.ConsentBy == "" || r.EndsAt.IsZero()) {
		return false
	}
	return true
}

// User is a person who signs in.
type User struct {
	ID    string
	Name  string
	Email string
	// Admin may manage organisations and staff/officer relationships. It
	// gives no access to learners' data, and an administrator's account
	// holds no relationship that would: grants to it are refused and any
	// relationship it holds is ignored (policy).
	Admin     bool
	CreatedAt time.Time
}

// Account is a user with every relationship of theirs, ended or not,
// oldest first (the copies kept in the user's document).
type Account struct {
	User          *User
	Relationships []Relationship
}

// Principal is who is making a request, with the relationships loaded once
// per request.
type Principal struct {
	UserID        string
	Admin         bool
	Relationships []Relationship
}

type principalKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal in ctx, or nil.
func PrincipalFrom(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}

// Scope is the set of learners a principal may see, as a list query filter:
// a learner is in scope when its id, setting or LA is in the matching set.
// An empty scope matches nothing (deny by default).
type Scope struct {
	LearnerIDs []string
	SettingIDs []string
	LAIDs      []string
}

// Empty says the scope matches no learner.
func (s Scope) Empty() bool {
	return len(s.LearnerIDs) == 0 && len(s.SettingIDs) == 0 && len(s.LAIDs) == 0
}

type newcomerKey struct{}

// WithNewcomer returns ctx carrying the verified subject of a token that
// names no account yet. The only thing such a caller may do is accept an
// invitation, which creates their account (issue 17); ctx carries no
// principal.
func WithNewcomer(ctx context.Context, subject string) context.Context {
	return context.WithValue(ctx, newcomerKey{}, subject)
}

// NewcomerFrom returns the newcomer's subject in ctx, or "".
func NewcomerFrom(ctx context.Context) string {
	s, _ := ctx.Value(newcomerKey{}).(string)
	return s
}
