package cynllun

import "time"

// CaseSide is a side of a case (issue 17): the appellant's (the child or
// young person, a parent, a case friend, an advocate with consent) or the
// respondent's (the local authority on an appeal, the responsible body on
// a claim). Those who may read a case but stand on neither side (a
// school's staff on an appeal against the LA) are SideNone.
type CaseSide string

const (
	SideAppellant  CaseSide = "APPELLANT"
	SideRespondent CaseSide = "RESPONDENT"
	SideNone       CaseSide = "NONE"
)

// CaseSides lists every side, in schema order.
var CaseSides = []CaseSide{SideAppellant, SideRespondent, SideNone}

// CaseRole is what a principal is in a case, derived from their
// relationship to the learner and the case.
type CaseRole string

const (
	CaseRoleYoungPerson CaseRole = "YOUNG_PERSON" // the young person themself (RelSelf)
	CaseRoleParent      CaseRole = "PARENT"
	CaseRoleCaseFriend  CaseRole = "CASE_FRIEND" // a parent or young person's user named as the case friend
	CaseRoleAdvocate    CaseRole = "ADVOCATE"    // with consent covering the case
	CaseRoleOfficer     CaseRole = "OFFICER"     // an officer of a local authority
	CaseRoleStaff       CaseRole = "STAFF"       // staff of a school or FEI
)

// CaseRoles lists every role, in schema order.
var CaseRoles = []CaseRole{CaseRoleYoungPerson, CaseRoleParent, CaseRoleCaseFriend, CaseRoleAdvocate, CaseRoleOfficer, CaseRoleStaff}

// Side is the side of the case a party's role puts them on: appellants and
// case friends are the appellant's; respondents the respondent's;
// representatives and advocates the side of whom they represent
// (advocates the appellant's when not said); witnesses and others none.
func (p Party) Side() CaseSide {
	switch p.Role {
	case PartyAppellant, PartyCaseFriend:
		return SideAppellant
	case PartyRespondent:
		return SideRespondent
	case PartyRepresentative, PartyAdvocate:
		switch p.Represents {
		case PartyRespondent:
			return SideRespondent
		case PartyAppellant, PartyCaseFriend:
			return SideAppellant
		case "":
			if p.Role == PartyAdvocate {
				return SideAppellant
			}
		}
	}
	return SideNone
}

// RespondentBody is the organisation that answers the case: the body whose
// decision is disputed when recorded; otherwise the learner's local
// authority (appeals, disagreements, reconsiderations) or, for a
// disability claim, the learner's setting (the responsible body).
func (c *Case) RespondentBody(l *Learner) string {
	if c.Decision.MadeBy != "" {
		return c.Decision.MadeBy
	}
	if l == nil {
		return ""
	}
	if c.Kind == CaseDisabilityClaim {
		return l.SettingID
	}
	return l.LAID
}

// EvidenceState is where an evidence document is in the process.
type EvidenceState string

const (
	// EvidenceFiled: filed by a side and seen by that side only.
	EvidenceFiled EvidenceState = "FILED"
	// EvidenceDisclosed: disclosed to the other side; it goes in bundles.
	EvidenceDisclosed EvidenceState = "DISCLOSED"
	// EvidenceWithdrawn: withdrawn by the side that filed it, with a
	// reason; it leaves later bundles until reinstated.
	EvidenceWithdrawn EvidenceState = "WITHDRAWN"
)

// EvidenceStates lists every state, in schema order.
var EvidenceStates = []EvidenceState{EvidenceFiled, EvidenceDisclosed, EvidenceWithdrawn}

// EvidenceAction is a change of an evidence document's state.
type EvidenceAction string

const (
	EvidenceActionDisclose  EvidenceAction = "DISCLOSE"
	EvidenceActionWithdraw  EvidenceAction = "WITHDRAW"
	EvidenceActionReinstate EvidenceAction = "REINSTATE"
)

// EvidenceActions lists every action, in schema order.
var EvidenceActions = []EvidenceAction{EvidenceActionDisclose, EvidenceActionWithdraw, EvidenceActionReinstate}

// EvidenceChange is one recorded change of an evidence document's state.
type EvidenceChange struct {
	Action EvidenceAction
	At     time.Time
	By     string
	Side   CaseSide
	Reason string
}

// State is e's state now.
func (e *CaseEvidence) State() EvidenceState {
	switch {
	case e.Withdrawn():
		return EvidenceWithdrawn
	case e.Disclosed():
		return EvidenceDisclosed
	}
	return EvidenceFiled
}

// Disclosed reports whether e was disclosed to the other side (withdrawn
// evidence that was disclosed stays seen by both).
func (e *CaseEvidence) Disclosed() bool { return !e.DisclosedAt.IsZero() }

// VisibleTo reports whether someone on side may see e: its own side
// always, anyone once it was disclosed.
func (e *CaseEvidence) VisibleTo(side CaseSide) bool {
	return e.Disclosed() || (side != SideNone && side == e.Side)
}
