package service

import (
	"context"
	"time"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/policy"
)

// Person is what the signed-in reader may know of someone who acted on a
// learner's record (policy.SeePerson): their name, and those of their
// relationships with the learner the reader may see (current and ended).
// Their email and their other relationships are never shown.
type Person struct {
	UserID    string
	LearnerID string
	Name      string
	// Roles are current ones first, then ended ones, each oldest first.
	Roles []PersonRole
}

// PersonRole is one relationship of a person with a learner, as shown to
// others: its kind, staff role and organisation, and whether it lasts. Its
// id, dates and who granted it are not shown.
type PersonRole struct {
	Kind      cynllun.RelKind
	StaffRole string
	OrgID     string
	Current   bool
}

// NodeID is the person's id: the user as related to the learner.
func (p *Person) NodeID() string { return cynllun.PersonNodeID(p.UserID, p.LearnerID) }

// PersonKey names a user (an actor id on a record) in the context of the
// learner whose record it is.
type PersonKey struct {
	LearnerID string
	UserID    string
}

// People returns, for each key, the person, or nil when the reader may not
// read the learner, when there is no such user, or when the policy does not
// let the reader know them — alike, so that no answer tells an unknown
// user from one unrelated to the learner. The users are read in one batch
// by _id (each with their relationships); the learners come from the
// request's cache of learners already authorised.
func (s *Service) People(ctx context.Context, keys []PersonKey) ([]*Person, error) {
	const op = "service.People"
	p, err := principal(ctx, op)
	if err != nil {
		return nil, err
	}
	lids := make([]string, 0, len(keys))
	for _, k := range keys {
		lids = append(lids, k.LearnerID)
	}
	learners, err := s.readableLearners(ctx, p, lids)
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	var uids []string
	for _, k := range keys {
		if learners[k.LearnerID] != nil && k.UserID != "" {
			uids = append(uids, k.UserID)
		}
	}
	accounts := map[string]cynllun.Account{}
	if len(uids) > 0 {
		as, err := s.store.AccountsByID(ctx, dedupe(uids))
		if err != nil {
			return nil, cynllun.AsError(op, err)
		}
		for _, a := range as {
			accounts[a.User.ID] = a
		}
	}
	now := s.now()
	out := make([]*Person, len(keys))
	for i, k := range keys {
		l, a := learners[k.LearnerID], accounts[k.UserID]
		if l == nil || a.User == nil {
			continue
		}
		seen := policy.SeePerson(p, l, a.User, a.Relationships, now)
		if !seen.OK {
			continue
		}
		out[i] = &Person{UserID: a.User.ID, LearnerID: l.ID, Name: a.User.Name, Roles: personRoles(seen.Roles, now)}
	}
	return out, nil
}

// PersonByID returns a person by its id (PersonNodeID), or NOT_FOUND when
// People gives nil for it.
func (s *Service) PersonByID(ctx context.Context, id string) (*Person, error) {
	const op = "service.PersonByID"
	userID, learnerID, ok := cynllun.ParsePersonNodeID(id)
	if !ok {
		return nil, cynllun.NotFound(op, "person")
	}
	ps, err := s.People(ctx, []PersonKey{{LearnerID: learnerID, UserID: userID}})
	if err != nil {
		return nil, err
	}
	if ps[0] == nil {
		return nil, cynllun.NotFound(op, "person")
	}
	return ps[0], nil
}

// personRoles shows rels, current ones first (stable: each group keeps
// the order given, oldest first).
func personRoles(rels []cynllun.Relationship, now time.Time) []PersonRole {
	out := make([]PersonRole, 0, len(rels))
	for _, current := range []bool{true, false} {
		for _, r := range rels {
			if r.ActiveAt(now) == current {
				out = append(out, PersonRole{Kind: r.Kind, StaffRole: r.StaffRole, OrgID: r.OrgID, Current: current})
			}
		}
	}
	return out
}
