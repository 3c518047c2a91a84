package cynllun

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
)

// Invitation is a parent's or the young person's invitation to someone, by
// email address, to become the learner's advocate (issue 17): accepted by
// the invitee signed in with their own account, it becomes an ADVOCATE_FOR
// relationship with the inviter's consent, scope and end date. The token
// sent by email is stored only as its hash (TokenHash); the address is
// never logged.
type Invitation struct {
	ID        string
	LearnerID string
	// Kind is what acceptance grants: always RelAdvocateOf.
	Kind RelKind
	// Email is the invitee's address as given; EmailKey is its folded form
	// (InvitationEmailKey), the key of the invitee's pending list.
	Email    string
	EmailKey string
	// CaseID limits the consent to one case of the learner's.
	CaseID string
	// EndsAt is when the consent ends (the relationship's EndsAt).
	EndsAt time.Time
	// ExpiresAt is when the invitation can no longer be accepted.
	ExpiresAt time.Time
	TokenHash string
	CreatedAt time.Time
	// CreatedBy is the inviter; GrantedAs and GrantedVia are their standing
	// when inviting (as on a relationship).
	CreatedBy  string
	GrantedAs  string
	GrantedVia string
	// AcceptedAt/AcceptedBy/RelationshipID are set on acceptance,
	// CancelledAt/CancelledBy on cancellation; either ends the invitation.
	AcceptedAt     time.Time
	AcceptedBy     string
	RelationshipID string
	CancelledAt    time.Time
	CancelledBy    string
}

// InvitationStatus is where an invitation stands.
type InvitationStatus string

const (
	InvitationPending   InvitationStatus = "PENDING"
	InvitationAccepted  InvitationStatus = "ACCEPTED"
	InvitationCancelled InvitationStatus = "CANCELLED"
	InvitationExpired   InvitationStatus = "EXPIRED"
)

// StatusAt is the invitation's status at t.
func (i *Invitation) StatusAt(t time.Time) InvitationStatus {
	switch {
	case !i.AcceptedAt.IsZero():
		return InvitationAccepted
	case !i.CancelledAt.IsZero():
		return InvitationCancelled
	case !t.Before(i.ExpiresAt):
		return InvitationExpired
	}
	return InvitationPending
}

// InvitationTokenHash is the stored form of an invitation token: hex
// SHA-256. Tokens are 256 random bits, so no slow hash is needed.
func InvitationTokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// InvitationEmailKey is the key of an address's pending invitations: hex
// SHA-256 of the address in lower case, so that the address itself is not
// a document id.
func InvitationEmailKey(email string) string {
	h := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(email))))
	return hex.EncodeToString(h[:])
}

// InvitationStore keeps invitations by _id, with lookups by token hash, by
// inviter and by the invitee's address key.
type InvitationStore interface {
	CreateInvitation(ctx context.Context, inv *Invitation) error
	// InvitationByID and InvitationByTokenHash return NOT_FOUND when there
	// is none.
	InvitationByID(ctx context.Context, id string) (*Invitation, error)
	InvitationByTokenHash(ctx context.Context, hash string) (*Invitation, error)
	// InvitationsBy lists the invitations a user sent, InvitationsFor those
	// sent to an address key; any order.
	InvitationsBy(ctx context.Context, userID string) ([]*Invitation, error)
	InvitationsFor(ctx context.Context, emailKey string) ([]*Invitation, error)
	// EndInvitation records an acceptance (acceptedBy and relationshipID
	// set) or a cancellation (cancelledBy set) at at, only while the
	// invitation is neither: CONFLICT when it already ended.
	EndInvitation(ctx context.Context, id string, at time.Time, acceptedBy, relationshipID, cancelledBy string) error
}
