package policy

import (
	"time"

	"github.com/cynllun/cynllun"
)

// Cases follow the Tribunal's process (issue 17, domain.md §4): each party
// files its own evidence, which stays theirs; the respondent (the local
// authority on an appeal, the responsible body on a claim) prepares the
// bundle and the appellant co-operates by supplying documents; the
// Tribunal's decision is recorded from the decision sent, not invented by
// a side. Who stands where is CaseStanding; what each side may do is
// CaseTable.

// CaseStanding is a principal's place in a case: their side and role.
type CaseStanding struct {
	Side cynllun.CaseSide
	Role cynllun.CaseRole
	// Reason is the relationship that gives it (for the audit trail).
	Reason cynllun.RelKind
}

// Party reports whether the standing is on a side of the case.
func (s CaseStanding) Party() bool {
	return s.Side == cynllun.SideAppellant || s.Side == cynllun.SideRespondent
}

// StandingIn is p's standing in case c of learner l, or ok false when p
// may not read the case (ReadCase). From their relationship:
//
//   - the young person themself, a parent, an advocate whose consent covers
//     the case: the appellant's side (YOUNG_PERSON, PARENT, ADVOCATE; a
//     parent or young person named as the case's CASE_FRIEND party with
//     their user id is CASE_FRIEND);
//   - officers and staff of the respondent body (Case.RespondentBody: the
//     body whose decision is disputed, else the learner's LA, or for a
//     disability claim the learner's setting): the respondent's side;
//   - on any case but a disability claim, officers of the learner's local
//     authority too: the LA answers appeals, runs disagreement resolution
//     (s.68) and reconsiders schools' decisions (ss.26, 27, 32);
//   - anyone else who may read the case (a school's staff on an appeal
//     against the LA, the LA's officers on a claim against a school): no
//     side (NONE). They read what was disclosed and preview the bundle;
//     their evidence reaches the Tribunal through a party.
//
// A learner-scoped relationship wins over an organisation's: a teacher who
// is also the child's parent stands with the appellant.
func StandingIn(p *cynllun.Principal, l *cynllun.Learner, c *cynllun.Case, now time.Time) (CaseStanding, bool) {
	a := ReadCase(p, l, c, now)
	if !a.OK {
		return CaseStanding{}, false
	}
	switch a.Reason {
	case cynllun.RelSelf, cynllun.RelParentOf:
		role := cynllun.CaseRoleParent
		if a.Reason == cynllun.RelSelf {
			role = cynllun.CaseRoleYoungPerson
		}
		for _, pt := range c.Parties {
			if pt.Role == cynllun.PartyCaseFriend && pt.UserID != "" && pt.UserID == p.UserID {
				role = cynllun.CaseRoleCaseFriend
			}
		}
		return CaseStanding{Side: cynllun.SideAppellant, Role: role, Reason: a.Reason}, true
	case cynllun.RelAdvocateOf:
		return CaseStanding{Side: cynllun.SideAppellant, Role: cynllun.CaseRoleAdvocate, Reason: a.Reason}, true
	}
	body := c.RespondentBody(l)
	out := CaseStanding{Side: cynllun.SideNone, Role: cynllun.CaseRoleStaff, Reason: a.Reason}
	if a.Reason == cynllun.RelOfficerOf {
		out.Role = cynllun.CaseRoleOfficer
	}
	for _, r := range active(p, now) {
		switch {
		case r.Kind == cynllun.RelOfficerOf && body != "" && r.OrgID == body,
			r.Kind == cynllun.RelOfficerOf && c.Kind != cynllun.CaseDisabilityClaim && l.LAID != "" && r.OrgID == l.LAID:
			return CaseStanding{Side: cynllun.SideRespondent, Role: cynllun.CaseRoleOfficer, Reason: r.Kind}, true
		case r.Kind == cynllun.RelStaffOf && body != "" && r.OrgID == body:
			out = CaseStanding{Side: cynllun.SideRespondent, Role: cynllun.CaseRoleStaff, Reason: r.Kind}
		}
	}
	return out, true
}

// CaseOp is something done on a case.
type CaseOp string

const (
	OpAddEvidence       CaseOp = "ADD_EVIDENCE"       // addEvidence
	OpWithdrawEvidence  CaseOp = "WITHDRAW_EVIDENCE"  // withdrawEvidence
	OpReinstateEvidence CaseOp = "REINSTATE_EVIDENCE" // reinstateEvidence
	OpDiscloseEvidence  CaseOp = "DISCLOSE_EVIDENCE"  // discloseEvidence
	OpSeeUndisclosed    CaseOp = "SEE_UNDISCLOSED"    // evidence that is FILED, not disclosed
	OpSetBundleSpec     CaseOp = "SET_BUNDLE_SPEC"    // setBundleSpec
	OpRenderBundle      CaseOp = "RENDER_BUNDLE"      // renderBundle: the official bundle
	OpPreviewBundle     CaseOp = "PREVIEW_BUNDLE"     // Case.bundlePreview
	OpRecordProgress    CaseOp = "RECORD_PROGRESS"    // updateCase: details, referral, lodging
	OpRecordHearing     CaseOp = "RECORD_HEARING"     // updateCase: registration, case statement and hearing dates, reference
	OpRecordOutcome     CaseOp = "RECORD_OUTCOME"     // updateCase: the Tribunal's decision (decisionSentOn, outcome, DECIDED, RESOLVED)
	OpCloseCase         CaseOp = "CLOSE_CASE"         // updateCase: CLOSED, closedOn
	OpWithdrawCase      CaseOp = "WITHDRAW_CASE"      // updateCase: WITHDRAWN
)

// CaseOps lists every operation, in the order the table is kept.
var CaseOps = []CaseOp{OpAddEvidence, OpWithdrawEvidence, OpReinstateEvidence, OpDiscloseEvidence, OpSeeUndisclosed,
	OpSetBundleSpec, OpRenderBundle, OpPreviewBundle, OpRecordProgress, OpRecordHearing, OpRecordOutcome, OpCloseCase, OpWithdrawCase}

// CaseRow is one cell of the case table: what one side may do, and why.
// OwnOnly: only to evidence the side filed itself.
type CaseRow struct {
	Op      CaseOp
	Side    cynllun.CaseSide
	Allow   bool
	OwnOnly bool
	Why     string
}

const (
	whyOwn       = "evidence belongs to the party that filed it: only that side withdraws, reinstates or discloses it"
	whyNoSide    = "you are on neither side of this case: a party files evidence and acts in the case"
	whyBundle    = "the respondent prepares the bundle (the LA on an appeal, the responsible body on a claim); the appellant supplies documents and may preview it"
	whyOutcome   = "the Tribunal's decision is recorded by the respondent from the decision sent to both parties; the appellant may not record an outcome"
	whyClose     = "the respondent records the end of the case; the appellant may withdraw the appeal"
	whyUndisclos = "evidence not yet disclosed is seen by the side that filed it only"
)

// CaseTable is who may do what in a case: every operation × every side.
// Roles within a side do not differ (an advocate acts with the consent of
// the parent or young person; the LA's officers and a responsible body's
// staff act for it). Conditions that are not about the side (a case that
// is over, a valid date, the evidence's current state) are the service's.
var CaseTable = []CaseRow{
	{OpAddEvidence, cynllun.SideAppellant, true, false, "each party files its own evidence; the appellant co-operates by supplying documents"},
	{OpAddEvidence, cynllun.SideRespondent, true, false, "each party files its own evidence"},
	{OpAddEvidence, cynllun.SideNone, false, false, whyNoSide},

	{OpWithdrawEvidence, cynllun.SideAppellant, true, true, whyOwn},
	{OpWithdrawEvidence, cynllun.SideRespondent, true, true, whyOwn},
	{OpWithdrawEvidence, cynllun.SideNone, false, true, whyNoSide},

	{OpReinstateEvidence, cynllun.SideAppellant, true, true, whyOwn},
	{OpReinstateEvidence, cynllun.SideRespondent, true, true, whyOwn},
	{OpReinstateEvidence, cynllun.SideNone, false, true, whyNoSide},

	{OpDiscloseEvidence, cynllun.SideAppellant, true, true, whyOwn},
	{OpDiscloseEvidence, cynllun.SideRespondent, true, true, whyOwn},
	{OpDiscloseEvidence, cynllun.SideNone, false, true, whyNoSide},

	{OpSeeUndisclosed, cynllun.SideAppellant, true, true, whyUndisclos},
	{OpSeeUndisclosed, cynllun.SideRespondent, true, true, whyUndisclos},
	{OpSeeUndisclosed, cynllun.SideNone, false, true, whyUndisclos},

	{OpSetBundleSpec, cynllun.SideAppellant, false, false, whyBundle},
	{OpSetBundleSpec, cynllun.SideRespondent, true, false, whyBundle},
	{OpSetBundleSpec, cynllun.SideNone, false, false, whyBundle},

	{OpRenderBundle, cynllun.SideAppellant, false, false, whyBundle},
	{OpRenderBundle, cynllun.SideRespondent, true, false, whyBundle},
	{OpRenderBundle, cynllun.SideNone, false, false, whyBundle},

	{OpPreviewBundle, cynllun.SideAppellant, true, false, "both sides may preview the bundle; it holds disclosed evidence only"},
	{OpPreviewBundle, cynllun.SideRespondent, true, false, "both sides may preview the bundle"},
	{OpPreviewBundle, cynllun.SideNone, true, false, "whoever may read the case may preview the bundle; it holds disclosed evidence only"},

	{OpRecordProgress, cynllun.SideAppellant, true, false, "the appellant records the case's details and lodges the appeal"},
	{OpRecordProgress, cynllun.SideRespondent, true, false, "the respondent records the case's details"},
	{OpRecordProgress, cynllun.SideNone, false, false, whyNoSide},

	{OpRecordHearing, cynllun.SideAppellant, true, false, "the Tribunal's letters about registration and the hearing go to both parties"},
	{OpRecordHearing, cynllun.SideRespondent, true, false, "the Tribunal's letters about registration and the hearing go to both parties"},
	{OpRecordHearing, cynllun.SideNone, false, false, whyNoSide},

	{OpRecordOutcome, cynllun.SideAppellant, false, false, whyOutcome},
	{OpRecordOutcome, cynllun.SideRespondent, true, false, whyOutcome},
	{OpRecordOutcome, cynllun.SideNone, false, false, whyOutcome},

	{OpCloseCase, cynllun.SideAppellant, false, false, whyClose},
	{OpCloseCase, cynllun.SideRespondent, true, false, whyClose},
	{OpCloseCase, cynllun.SideNone, false, false, whyClose},

	{OpWithdrawCase, cynllun.SideAppellant, true, false, "the appellant may withdraw the appeal or claim"},
	{OpWithdrawCase, cynllun.SideRespondent, true, false, "the respondent records a withdrawal the Tribunal notified"},
	{OpWithdrawCase, cynllun.SideNone, false, false, whyNoSide},
}

// caseRules indexes CaseTable.
var caseRules = func() map[CaseOp]map[cynllun.CaseSide]CaseRow {
	m := map[CaseOp]map[cynllun.CaseSide]CaseRow{}
	for _, r := range CaseTable {
		if m[r.Op] == nil {
			m[r.Op] = map[cynllun.CaseSide]CaseRow{}
		}
		m[r.Op][r.Side] = r
	}
	return m
}()

// CaseDecision is whether an operation is allowed, and why.
type CaseDecision struct {
	Allow bool
	Why   string
}

// CaseMay decides op for someone on side; owner is the side that filed the
// evidence it is about ("" when it is about none). Unknown operations and
// sides are refused.
func CaseMay(op CaseOp, side, owner cynllun.CaseSide) CaseDecision {
	r, ok := caseRules[op][side]
	if !ok {
		return CaseDecision{Why: whyNoSide}
	}
	if r.Allow && r.OwnOnly && owner != side {
		if op == OpSeeUndisclosed {
			return CaseDecision{Why: whyUndisclos}
		}
		return CaseDecision{Why: whyOwn}
	}
	return CaseDecision{Allow: r.Allow, Why: r.Why}
}

// CaseAllows is CaseMay for p in case c of l: p's standing decides.
func CaseAllows(p *cynllun.Principal, l *cynllun.Learner, c *cynllun.Case, op CaseOp, owner cynllun.CaseSide, now time.Time) CaseDecision {
	st, ok := StandingIn(p, l, c, now)
	if !ok {
		return CaseDecision{Why: "you may not see this case"}
	}
	return CaseMay(op, st.Side, owner)
}
