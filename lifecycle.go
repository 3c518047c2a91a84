package cynllun

import (
	"context"
	"time"
)

// The plan lifecycle (ALNET Act 2018 ss.28, 31–32, 35; domain.md §2.5,
// §5.2): who maintains a plan and from when, the operations that moved it
// (a transfer of maintenance, an LA takeover), its cessation, and the
// handover of a learner's rights to them as a young person. A plan keeps
// its id through all of them; what happened is kept beside its versions.

// PrefixPlanChange starts the id of a lifecycle operation on a plan.
const PrefixPlanChange = "pch_"

// PlanStatus is whether a plan is still maintained.
type PlanStatus string

const (
	PlanActive PlanStatus = "ACTIVE"
	// PlanCeased: the maintaining body ceased to maintain it (s.31). The
	// record is kept and read; it is not changed any more.
	PlanCeased PlanStatus = "CEASED"
)

// TransferReason is why a plan moved to another maintaining body
// (domain.md §5.2).
type TransferReason string

const (
	// TransferInYearMove: registered at another maintained school during
	// the year; the new school maintains it from registration (s.35(1),(3)).
	TransferInYearMove TransferReason = "IN_YEAR_MOVE"
	// TransferStartOfYearMove: registered at another school before the end
	// of September (s.35(2),(3)).
	TransferStartOfYearMove TransferReason = "START_OF_YEAR_MOVE"
	// TransferSchoolToFEI: enrolled at an FEI before the end of September
	// after school (s.35(4)–(6)).
	TransferSchoolToFEI TransferReason = "SCHOOL_TO_FEI"
	// TransferMoveToAnotherLA: an LA-maintained plan follows a move of
	// residence to another LA (s.35(7)–(8)).
	TransferMoveToAnotherLA TransferReason = "MOVE_TO_ANOTHER_LA"
	// TransferDualRegistration: registered at two schools; the LA
	// maintains it (Code 12.88, 28.11).
	TransferDualRegistration TransferReason = "DUAL_REGISTRATION"
	// TransferLookedAfter: the child became looked after; the LA that
	// looks after them maintains it (ss.15–19, s.35(11)–(13)).
	TransferLookedAfter TransferReason = "LOOKED_AFTER"
	// TransferLATakeover: the LA decided to take over a school's or FEI's
	// plan (s.28).
	TransferLATakeover TransferReason = "LA_TAKEOVER"
	// TransferOther: any other move, with its reasons.
	TransferOther TransferReason = "OTHER"
)

// TransferReasons are the reasons transferPlan accepts (an LA takeover
// has its own operation).
var TransferReasons = []TransferReason{
	TransferInYearMove, TransferStartOfYearMove, TransferSchoolToFEI, TransferMoveToAnotherLA,
	TransferDualRegistration, TransferLookedAfter, TransferOther,
}

// MaintenancePeriod is one body's time maintaining a plan.
type MaintenancePeriod struct {
	OrgID        string
	LAMaintained bool
	From         Date
	// To is the last day it maintained the plan (zero: it still does, or
	// did until the plan ceased: see Plan.Cessation).
	To Date
	// Reason is how the body came to maintain it ("" for the body that
	// made the plan).
	Reason TransferReason
	// ChangeID is the operation that began the period ("" for the first).
	ChangeID string
}

// PlanChangeKind is what a lifecycle operation did.
type PlanChangeKind string

const (
	ChangeTransferred PlanChangeKind = "TRANSFERRED"
	ChangeTakenOver   PlanChangeKind = "TAKEN_OVER"
	ChangeCeased      PlanChangeKind = "CEASED"
)

// PlanChange is one lifecycle operation on a plan, kept in order.
type PlanChange struct {
	ID     string
	Kind   PlanChangeKind
	Reason TransferReason
	// FromOrgID and ToOrgID are the maintainers before and after (the
	// same for a cessation).
	FromOrgID string
	ToOrgID   string
	// On is the day it took effect (the move, the takeover, the
	// cessation); DecidedOn and NoticeGivenOn the decision's and its
	// notice's days, when there was a decision (s.28(7), s.31).
	On            Date
	DecidedOn     Date
	NoticeGivenOn Date
	// Reasons are the body's reasons as written (the plan's content: read
	// like the plan, never logged).
	Reasons string
	// AfterVersion is the plan's latest version number when it happened,
	// which places it in the version history.
	AfterVersion int
	At           time.Time
	By           string
}

// Cessation is the end of a plan (s.31): the decision, the notice of it
// and the reasons.
type Cessation struct {
	ChangeID      string
	DecidedOn     Date
	NoticeGivenOn Date
	Reasons       string
	At            time.Time
	By            string
}

// Ceased says the plan is no longer maintained.
func (p *Plan) Ceased() bool { return p != nil && p.Status == PlanCeased }

// CurrentStatus is the plan's status ("" stored before lifecycles read as
// ACTIVE).
func (p *Plan) CurrentStatus() PlanStatus {
	if p.Status == "" {
		return PlanActive
	}
	return p.Status
}

// MaintenanceHistory is who maintained the plan, oldest first: as
// recorded, or, for a plan never moved, its maintainer since it was made.
func (p *Plan) MaintenanceHistory() []MaintenancePeriod {
	if len(p.Maintenance) > 0 {
		return p.Maintenance
	}
	return []MaintenancePeriod{{OrgID: p.MaintainerID, LAMaintained: p.LAMaintained, From: DateOf(p.CreatedAt.In(London))}}
}

// ParentAccess is a young person's choice about their parents' access to
// their record after the end of compulsory school age.
type ParentAccess string

const (
	ParentAccessKeep ParentAccess = "KEEP"
	ParentAccessEnd  ParentAccess = "END"
)

// Handover records the end of compulsory school age for a learner: their
// rights pass to them as a young person (domain.md §2.1 T20), with their
// consent to the plan and their capacity recorded, their choice about
// their parents' access, and a case friend when one acts for them.
type Handover struct {
	LearnerID string
	// On is the day compulsory school age ended (the last Friday in June
	// of the school year in which they turned 16).
	On Date
	// ConsentGiven: the young person consents to the plan being
	// maintained (ss.11(3)(c), 12(2)(b)); ConsentOn is when.
	ConsentGiven bool
	ConsentOn    Date
	// HasCapacity: the young person has capacity to make the decisions;
	// when not, CapacityDecidedBy and CapacityBasis say who decided so and
	// on what basis (s.83).
	HasCapacity       bool
	CapacityDecidedBy string
	CapacityBasis     string
	// CaseFriendName (and CaseFriendUserID when they have an account)
	// names a case friend acting for the learner (ss.84–85).
	CaseFriendName   string
	CaseFriendUserID string
	// ParentAccess is the young person's choice; a young person without
	// capacity keeps their parents' access (ParentAccessDecidedBy says
	// whose decision stands).
	ParentAccess          ParentAccess
	ParentAccessDecidedBy string
	// EndedRelationships are the parents' relationships ended by the
	// handover.
	EndedRelationships []string
	Note               string
	At                 time.Time
	By                 string
}

// Who decided parents' access (Handover.ParentAccessDecidedBy).
const (
	DecidedByYoungPerson = "YOUNG_PERSON"
	DecidedLacksCapacity = "LACKS_CAPACITY"
)

// LifecycleStore keeps plans' lifecycles and learners' handovers.
type LifecycleStore interface {
	// ChangePlan stores p's maintainer, status, cessation, maintenance
	// history and changes (not its versions or heads) when the plan still
	// has expectedChanges changes stored; otherwise CONFLICT (someone else
	// changed its lifecycle first). It changes who answers for the plan,
	// so cached access is refreshed.
	ChangePlan(ctx context.Context, p *Plan, expectedChanges int) error
	// InsertHandover stores a learner's handover; CONFLICT when the
	// learner has one.
	InsertHandover(ctx context.Context, h *Handover) error
	// HandoversByLearner returns the handovers found, in any order.
	HandoversByLearner(ctx context.Context, learnerIDs []string) ([]*Handover, error)
}
