package policy

import (
	"time"

	"github.com/cynllun/cynllun"
)

// The plan lifecycle (cynllun/lifecycle.go): who may move a plan to
// another maintaining body, take it over, cease it and record a learner's
// handover to young person, and which bodies may receive a plan for each
// reason (domain.md §5.2). Conditions of state (a ceased plan, a date)
// stay with the service, as with the other actions.

// TransferPlan decides whether p may move plan, a plan of l, to the body
// to (transferPlan): those responsible for the plan now (staff of the
// school or FEI that maintains it and that l attends, officers of l's
// local authority, officers of the LA that maintains it) and officers of
// the receiving LA (to itself, or the LA of a receiving school or FEI),
// who take on the duty. Nobody else, families included.
func TransferPlan(p *cynllun.Principal, l *cynllun.Learner, plan *cynllun.Plan, to *cynllun.Organisation, now time.Time) Access {
	if l == nil || plan == nil || plan.LearnerID != l.ID {
		return Access{}
	}
	if a := maintainsNow(p, l, plan, now); a.OK {
		return a
	}
	if to == nil {
		return Access{}
	}
	receivingLA := to.LAID
	if to.Kind == cynllun.OrgLocalAuthority {
		receivingLA = to.ID
	}
	for _, r := range active(p, now) {
		if r.Kind == cynllun.RelOfficerOf && receivingLA != "" && r.OrgID == receivingLA {
			return Access{OK: true, Reason: r.Kind}
		}
	}
	return Access{}
}

// maintainsNow: staff of the maintaining school or FEI when l attends it,
// officers of l's LA, officers of the maintaining LA.
func maintainsNow(p *cynllun.Principal, l *cynllun.Learner, plan *cynllun.Plan, now time.Time) Access {
	var reason cynllun.RelKind
	for _, r := range active(p, now) {
		switch {
		case r.Kind == cynllun.RelStaffOf && !plan.LAMaintained && r.OrgID == plan.MaintainerID && r.OrgID == l.SettingID:
			return Access{OK: true, Reason: r.Kind}
		case r.Kind == cynllun.RelOfficerOf && (r.OrgID == l.LAID || plan.LAMaintained && r.OrgID == plan.MaintainerID):
			reason = r.Kind
		}
	}
	if reason != "" {
		return Access{OK: true, Reason: reason}
	}
	return Access{}
}

// TakeOverPlan decides whether p may record that l's local authority
// takes over plan, kept by a school or FEI (takeOverPlan, s.28): officers
// of l's LA, whose decision it is.
func TakeOverPlan(p *cynllun.Principal, l *cynllun.Learner, plan *cynllun.Plan, now time.Time) Access {
	if l == nil || plan == nil || plan.LearnerID != l.ID {
		return Access{}
	}
	for _, r := range active(p, now) {
		if r.Kind == cynllun.RelOfficerOf && l.LAID != "" && r.OrgID == l.LAID {
			return Access{OK: true, Reason: r.Kind}
		}
	}
	return Access{}
}

// CeasePlan decides whether p may cease plan, a plan of l (ceasePlan,
// s.31): the maintaining body, whose decision it is — staff of the
// maintaining school or FEI (when l attends it), officers of the
// maintaining LA. An LA does not cease a school's plan (it may take it
// over first).
func CeasePlan(p *cynllun.Principal, l *cynllun.Learner, plan *cynllun.Plan, now time.Time) Access {
	if l == nil || plan == nil || plan.LearnerID != l.ID {
		return Access{}
	}
	for _, r := range active(p, now) {
		switch {
		case r.Kind == cynllun.RelStaffOf && !plan.LAMaintained && r.OrgID == plan.MaintainerID && r.OrgID == l.SettingID:
			return Access{OK: true, Reason: r.Kind}
		case r.Kind == cynllun.RelOfficerOf && plan.LAMaintained && r.OrgID == plan.MaintainerID:
			return Access{OK: true, Reason: r.Kind}
		}
	}
	return Access{}
}

// RecordHandover decides whether p may record l's handover to young
// person (recordYoungPersonHandover): those who maintain l's record
// (staff of l's setting, officers of l's LA) and those who maintain one
// of plans, l's plans. The young person's own consent and choices are
// recorded by them, not by the young person or a parent.
func RecordHandover(p *cynllun.Principal, l *cynllun.Learner, plans []*cynllun.Plan, now time.Time) Access {
	if a := WriteLearner(p, l, now); a.OK {
		return a
	}
	for _, plan := range plans {
		if a := maintainsNow(p, l, plan, now); a.OK && plan.LearnerID == l.ID {
			return a
		}
	}
	return Access{}
}

// KeepsParentAccess says whether a young person's parents keep their
// access to the record after the handover: when the young person chose
// so, or when they lack capacity (their parents then act for them).
func KeepsParentAccess(hasCapacity bool, choice cynllun.ParentAccess) bool {
	return !hasCapacity || choice == cynllun.ParentAccessKeep
}

// ReceiverProblem says why the body to may not receive plan (of l, kept
// by from) for reason, on the day on: the field of the input it concerns
// and the message, or "" when it may (domain.md §5.2).
//   - IN_YEAR_MOVE, START_OF_YEAR_MOVE: a school's plan to another school;
//     a start-of-year move takes effect by 30 September (s.35(2)).
//   - SCHOOL_TO_FEI: a school's plan to an FEI, by 30 September (s.35(4)).
//   - MOVE_TO_ANOTHER_LA: an LA-maintained plan to another LA (s.35(7)).
//   - DUAL_REGISTRATION, LA_TAKEOVER: a school's (or, for a takeover, an
//     FEI's) plan to the learner's own LA.
//   - LOOKED_AFTER: to the LA that looks after the child.
//   - OTHER: a school, FEI or the learner's own LA.
func ReceiverProblem(reason cynllun.TransferReason, plan *cynllun.Plan, l *cynllun.Learner, from, to *cynllun.Organisation, on cynllun.Date) (field, message string) {
	const toField, reasonField, onField = "input.toOrganisationId", "input.reason", "input.effectiveOn"
	if to == nil {
		return toField, "is not an organisation"
	}
	if to.ID == plan.MaintainerID {
		return toField, "maintains this plan already"
	}
	fromKind := cynllun.OrgKind("")
	if from != nil {
		fromKind = from.Kind
	}
	byTerm := func() bool { return on.Month == time.August || on.Month == time.September }
	switch reason {
	case cynllun.TransferInYearMove, cynllun.TransferStartOfYearMove:
		switch {
		case fromKind != cynllun.OrgSchool:
			return reasonField, "applies to a plan a school maintains; when a local authority maintains it, it keeps it when the learner changes school"
		case to.Kind != cynllun.OrgSchool:
			return toField, "must be a school for a move between schools"
		case reason == cynllun.TransferStartOfYearMove && !byTerm():
			return onField, "must be in August or September for a start-of-year move (registered before the end of September); a later move is an in-year move"
		}
	case cynllun.TransferSchoolToFEI:
		switch {
		case fromKind != cynllun.OrgSchool:
			return reasonField, "applies to a plan a school maintains"
		case to.Kind != cynllun.OrgFEI:
			return toField, "must be a further education institution"
		case !byTerm():
			return onField, "must be in August or September: an FEI takes over a school's plan when the young person enrols before the end of September"
		}
	case cynllun.TransferMoveToAnotherLA:
		switch {
		case !plan.LAMaintained:
			return reasonField, "applies to a plan a local authority maintains"
		case to.Kind != cynllun.OrgLocalAuthority:
			return toField, "must be a local authority"
		}
	case cynllun.TransferDualRegistration, cynllun.TransferLATakeover:
		switch {
		case reason == cynllun.TransferDualRegistration && fromKind != cynllun.OrgSchool:
			return reasonField, "applies to a plan a school maintains"
		case fromKind != cynllun.OrgSchool && fromKind != cynllun.OrgFEI:
			return reasonField, "applies to a plan a school or FEI maintains"
		case to.ID != l.LAID:
			return toField, "must be the learner's local authority"
		}
	case cynllun.TransferLookedAfter:
		if to.Kind != cynllun.OrgLocalAuthority {
			return toField, "must be the local authority that looks after the child"
		}
	case cynllun.TransferOther:
		switch {
		case to.Kind == cynllun.OrgHealthBoard:
			return toField, "must be a school, FEI or local authority"
		case to.Kind == cynllun.OrgLocalAuthority && to.ID != l.LAID:
			return reasonField, "must be MOVE_TO_ANOTHER_LA or LOOKED_AFTER for a plan going to another local authority"
		}
	default:
		return reasonField, "is not a reason for a transfer"
	}
	return "", ""
}

// Why a parent's access is decided by the young person after the handover.
const (
	whyYoungPersonRestores = "the young person restores their parents' access to their record"
	whyYoungPersonDecides  = "the young person chose to end their parents' access: only they may restore it"
)

// GrantAfterHandover applies the young person's choice about their
// parents' access to a decision d to grant kind about l: once a young
// person with capacity has ended it (KeepsParentAccess false), nobody else
// records a parent, and the young person may restore one. h is l's
// handover (nil before it).
func GrantAfterHandover(p *cynllun.Principal, kind cynllun.RelKind, l *cynllun.Learner, h *cynllun.Handover, d GrantDecision, now time.Time) GrantDecision {
	if d.Self || kind != cynllun.RelParentOf || h == nil || KeepsParentAccess(h.HasCapacity, h.ParentAccess) {
		return d
	}
	for _, held := range StandingsOf(p, kind, l, now) {
		if held.As == AsYoungPerson {
			return GrantDecision{OK: true, Why: whyYoungPersonRestores, As: AsYoungPerson, Via: held.Via}
		}
	}
	return GrantDecision{Why: whyYoungPersonDecides}
}
