package mongodb

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/cynllun/cynllun"
)

// Invitations (issue 17) are kept by _id in collInvitations. Three lookup
// documents reach them by _id too: the token's hash (one member), the
// inviter's invitations and those sent to an address key (copies of the
// records, so a list is one read). The record is written after its lookups
// and ended before them: readers of a copy check the record when it
// matters (InvitationByTokenHash reads the record itself).
const (
	lkInvitationByToken = "invitationByToken" // token hash → invitation id: true
	lkInvitationsBy     = "invitationsBy"     // inviter user id → invitation id: invitationDoc
	lkInvitationsFor    = "invitationsFor"    // address key → invitation id: invitationDoc
)

type invitationDoc struct {
	ID             string    `bson:"_id"`
	LearnerID      string    `bson:"learnerId"`
	Kind           string    `bson:"kind"`
	Email          string    `bson:"email"`
	EmailKey       string    `bson:"emailKey"`
	CaseID         string    `bson:"caseId,omitempty"`
	EndsAt         time.Time `bson:"endsAt"`
	ExpiresAt      time.Time `bson:"expiresAt"`
	TokenHash      string    `bson:"tokenHash"`
	CreatedAt      time.Time `bson:"createdAt"`
	CreatedBy      string    `bson:"createdBy"`
	GrantedAs      string    `bson:"grantedAs,omitempty"`
	GrantedVia     string    `bson:"grantedVia,omitempty"`
	AcceptedAt     time.Time `bson:"acceptedAt,omitempty"`
	AcceptedBy     string    `bson:"acceptedBy,omitempty"`
	RelationshipID string    `bson:"relationshipId,omitempty"`
	CancelledAt    time.Time `bson:"cancelledAt,omitempty"`
	CancelledBy    string    `bson:"cancelledBy,omitempty"`
	// Ended is set with an acceptance or cancellation: the condition of
	// EndInvitation's update.
	Ended bool `bson:"ended"`
}

func toInvitationDoc(i *cynllun.Invitation) *invitationDoc {
	return &invitationDoc{
		ID: i.ID, LearnerID: i.LearnerID, Kind: string(i.Kind), Email: i.Email, EmailKey: i.EmailKey,
		CaseID: i.CaseID, EndsAt: i.EndsAt.UTC(), ExpiresAt: i.ExpiresAt.UTC(), TokenHash: i.TokenHash,
		CreatedAt: i.CreatedAt.UTC(), CreatedBy: i.CreatedBy, GrantedAs: i.GrantedAs, GrantedVia: i.GrantedVia,
		AcceptedAt: i.AcceptedAt.UTC(), AcceptedBy: i.AcceptedBy, RelationshipID: i.RelationshipID,
		CancelledAt: i.CancelledAt.UTC(), CancelledBy: i.CancelledBy,
		Ended: !i.AcceptedAt.IsZero() || !i.CancelledAt.IsZero(),
	}
}

func fromInvitationDoc(d *invitationDoc) *cynllun.Invitation {
	utc := func(t time.Time) time.Time {
		if t.IsZero() || t.Equal(time.Unix(0, 0)) {
			return time.Time{}
		}
		return t.UTC()
	}
	return &cynllun.Invitation{
		ID: d.ID, LearnerID: d.LearnerID, Kind: cynllun.RelKind(d.Kind), Email: d.Email, EmailKey: d.EmailKey,
		CaseID: d.CaseID, EndsAt: utc(d.EndsAt), ExpiresAt: utc(d.ExpiresAt), TokenHash: d.TokenHash,
		CreatedAt: utc(d.CreatedAt), CreatedBy: d.CreatedBy, GrantedAs: d.GrantedAs, GrantedVia: d.GrantedVia,
		AcceptedAt: utc(d.AcceptedAt), AcceptedBy: d.AcceptedBy, RelationshipID: d.RelationshipID,
		CancelledAt: utc(d.CancelledAt), CancelledBy: d.CancelledBy,
	}
}

func (db *DB) copyInvitation(ctx context.Context, d *invitationDoc) error {
	return db.setMembers(ctx,
		member{kind: lkInvitationByToken, key: d.TokenHash, id: d.ID, value: true},
		member{kind: lkInvitationsBy, key: d.CreatedBy, id: d.ID, value: d},
		member{kind: lkInvitationsFor, key: d.EmailKey, id: d.ID, value: d})
}

// CreateInvitation writes inv's lookups, then inv; CONFLICT when its id
// exists.
func (db *DB) CreateInvitation(ctx context.Context, inv *cynllun.Invitation) error {
	const op = "mongodb.CreateInvitation"
	d := toInvitationDoc(inv)
	if err := db.copyInvitation(ctx, d); err != nil {
		return cynllun.Internal(op, err)
	}
	if _, err := db.coll(collInvitations).InsertOne(ctx, d); err != nil {
		return insertErr(op, "invitation", err)
	}
	return nil
}

// InvitationByID returns the invitation; NOT_FOUND when there is none.
func (db *DB) InvitationByID(ctx context.Context, id string) (*cynllun.Invitation, error) {
	const op = "mongodb.InvitationByID"
	d, ok, err := oneByID[invitationDoc](ctx, db.coll(collInvitations), id, nil)
	switch {
	case err != nil:
		return nil, cynllun.Internal(op, err)
	case !ok:
		return nil, cynllun.NotFound(op, "invitation")
	}
	return fromInvitationDoc(&d), nil
}

// InvitationByTokenHash returns the invitation whose token hashes to hash:
// two reads by _id. NOT_FOUND when there is none.
func (db *DB) InvitationByTokenHash(ctx context.Context, hash string) (*cynllun.Invitation, error) {
	const op = "mongodb.InvitationByTokenHash"
	ms, err := lookupMembers[bool](ctx, db, lkInvitationByToken, []string{hash})
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	for id := range ms[hash] {
		inv, err := db.InvitationByID(ctx, id)
		if err == nil && inv.TokenHash == hash {
			return inv, nil
		}
		if err != nil && cynllun.ErrorCode(err) != cynllun.CodeNotFound {
			return nil, err
		}
	}
	return nil, cynllun.NotFound(op, "invitation")
}

func (db *DB) invitationsOf(ctx context.Context, op, kind, key string, keep func(*invitationDoc) bool) ([]*cynllun.Invitation, error) {
	ms, err := lookupMembers[invitationDoc](ctx, db, kind, []string{key})
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	out := make([]*cynllun.Invitation, 0, len(ms[key]))
	for _, d := range ms[key] {
		if keep(&d) {
			out = append(out, fromInvitationDoc(&d))
		}
	}
	return out, nil
}

// InvitationsBy lists the invitations userID sent (one read).
func (db *DB) InvitationsBy(ctx context.Context, userID string) ([]*cynllun.Invitation, error) {
	return db.invitationsOf(ctx, "mongodb.InvitationsBy", lkInvitationsBy, userID, func(d *invitationDoc) bool { return d.CreatedBy == userID })
}

// InvitationsFor lists the invitations sent to the address key (one read).
func (db *DB) InvitationsFor(ctx context.Context, emailKey string) ([]*cynllun.Invitation, error) {
	return db.invitationsOf(ctx, "mongodb.InvitationsFor", lkInvitationsFor, emailKey, func(d *invitationDoc) bool { return d.EmailKey == emailKey })
}

// EndInvitation accepts or cancels the invitation while it is open;
// CONFLICT when it has ended, NOT_FOUND when there is none.
func (db *DB) EndInvitation(ctx context.Context, id string, at time.Time, acceptedBy, relationshipID, cancelledBy string) error {
	const op = "mongodb.EndInvitation"
	unlock := db.serialise(collInvitations, id)
	defer unlock()
	set := bson.D{{Key: "ended", Value: true}}
	if acceptedBy != "" {
		set = append(set, bson.E{Key: "acceptedAt", Value: at.UTC()}, bson.E{Key: "acceptedBy", Value: acceptedBy}, bson.E{Key: "relationshipId", Value: relationshipID})
	} else {
		set = append(set, bson.E{Key: "cancelledAt", Value: at.UTC()}, bson.E{Key: "cancelledBy", Value: cancelledBy})
	}
	res, err := db.coll(collInvitations).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "ended", Value: false}}, bson.D{{Key: "$set", Value: set}})
	if err != nil {
		return cynllun.Internal(op, err)
	}
	if res.MatchedCount == 0 {
		if _, err := db.InvitationByID(ctx, id); err != nil {
			return err
		}
		return cynllun.E(cynllun.CodeConflict, op, "the invitation is no longer open")
	}
	d, ok, err := oneByID[invitationDoc](ctx, db.coll(collInvitations), id, nil)
	if err != nil || !ok {
		return cynllun.Internal(op, errors.Join(err, errors.New("invitation vanished")))
	}
	if err := db.copyInvitation(ctx, &d); err != nil {
		return cynllun.Internal(op, err)
	}
	return nil
}
