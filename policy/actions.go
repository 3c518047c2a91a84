package policy

import (
	"time"

	"github.com/cynllun/cynllun"
)

// What a front-end may offer. Each mutation asks one function here (or in
// policy.go, grant.go) whether the principal may; the viewerCan… fields
// ask the same functions through LearnerCan, PlanCan, ReviewCan and
// CaseCan, so a button shown is a mutation allowed. Conditions on the
// input (a valid date, a review that was held, a bundle with documents)
// stay with the mutation.

// RequestReview decides whether p may ask for a review of a plan of l
// (requestReview): a parent, the young person and an advocate with
// consent ask for themselves; those who maintain the record record
// requests made to them.
func RequestReview(p *cynllun.Principal, l *cynllun.Learner, now time.Time) Access {
	if w := WriteLearner(p, l, now); w.OK {
		return w
	}
	r := ReadLearner(p, l, now)
	if r.Reason == cynllun.RelParentOf || r.Reason == cynllun.RelSelf || r.Reason == cynllun.RelAdvocateOf {
		return r
	}
	return Access{}
}

// Upload decides whether p may add an attachment (a drawing, a recording,
// a report) to l's record (uploadAttachment): those who maintain it, a
// parent and the young person.
func Upload(p *cynllun.Principal, l *cynllun.Learner, now time.Time) Access {
	if w := WriteLearner(p, l, now); w.OK {
		return w
	}
	r := ReadLearner(p, l, now)
	if r.Reason == cynllun.RelParentOf || r.Reason == cynllun.RelSelf {
		return r
	}
	return Access{}
}

// OpenCase decides whether p may open a case about l (openCase): whoever
// may work on a case of l not opened yet (ReadCase) — the family, an
// advocate whose consent covers all the learner's cases, staff of the
// setting, officers of the local authority.
func OpenCase(p *cynllun.Principal, l *cynllun.Learner, now time.Time) Access {
	if l == nil {
		return Access{}
	}
	return ReadCase(p, l, &cynllun.Case{LearnerID: l.ID}, now)
}

// Finalise decides whether p may save a FINAL version of a plan of l kept
// by maintainerID (saveVersion with status FINAL, concludeReview with a
// revised plan): those who may change the plan; when the content has
// error-level quality findings (overFindings), only those who may also
// overrule them (OverrideQuality, with the deployment's override roles).
func Finalise(p *cynllun.Principal, l *cynllun.Learner, maintainerID string, roles []string, overFindings bool, now time.Time) Access {
	w := WriteLearner(p, l, now)
	if !w.OK || !overFindings {
		return w
	}
	return OverrideQuality(p, l, maintainerID, roles, now)
}

// Render decides whether p may have a plan version or a review's meeting
// record of l rendered to PDF (renderPlan, renderMeetingRecord): whoever
// may read them.
func Render(p *cynllun.Principal, l *cynllun.Learner, now time.Time) Access {
	return ReadLearner(p, l, now)
}

// ManageAccess decides whether p may see who has access to l through
// learner-scoped relationships (Learner.access) and when their grantors'
// roles ended: those who maintain the record. What p may grant and revoke
// is GrantableKinds and Revoke.
func ManageAccess(p *cynllun.Principal, l *cynllun.Learner, now time.Time) Access {
	return WriteLearner(p, l, now)
}

// LearnerCan is what p may do about a learner (Learner.viewerCan…).
type LearnerCan struct {
	// Edit: updateLearner, createPlan (WriteLearner).
	Edit bool
	// Upload: uploadAttachment (Upload).
	Upload bool
	// OpenCase: openCase (OpenCase).
	OpenCase bool
	// ManageAccess: Learner.access (ReadAccessList: those who maintain
	// the record, a parent and the young person; issue 17).
	ManageAccess bool
	// Grant: the kinds grantAccess allows p to grant about the learner to
	// someone else (GrantableKinds).
	Grant []cynllun.RelKind
}

// ForLearner is what p may do about l.
func ForLearner(p *cynllun.Principal, l *cynllun.Learner, now time.Time) LearnerCan {
	return LearnerCan{
		Edit:         WriteLearner(p, l, now).OK,
		Upload:       Upload(p, l, now).OK,
		OpenCase:     OpenCase(p, l, now).OK,
		ManageAccess: ReadAccessList(p, l, now).OK,
		Grant:        GrantableKinds(p, l, now),
	}
}

// PlanCan is what p may do with a plan (Plan.viewerCan…).
type PlanCan struct {
	// Edit: saveVersion as a DRAFT, checkPlan (WriteLearner).
	Edit bool
	// Finalise: saveVersion as FINAL when the content has no error-level
	// findings (Finalise).
	Finalise bool
	// OverrideFindings: saveVersion as FINAL over error-level findings,
	// with overrideReason (Finalise over findings).
	OverrideFindings bool
	// RequestReview: requestReview (RequestReview).
	RequestReview bool
	// OpenReview: openReview (WriteLearner).
	OpenReview bool
	// Render: renderPlan (Render).
	Render bool
	// Transfer: transferPlan, as one responsible for the plan now
	// (TransferPlan; an officer of a receiving LA may too, for the body
	// they name).
	Transfer bool
	// TakeOver: takeOverPlan of a school's or FEI's plan (TakeOverPlan).
	TakeOver bool
	// Cease: ceasePlan (CeasePlan).
	Cease bool
}

// WritePlan decides whether p may save versions of plan, a plan of l
// (saveVersion): those who may change l's record (WriteLearner), except
// that a plan a local authority maintains is revised by the LA's
// officers (of the maintaining LA or the learner's), not by the school's
// staff, who secure and record its provision (s.14; after a takeover,
// s.28).
func WritePlan(p *cynllun.Principal, l *cynllun.Learner, plan *cynllun.Plan, now time.Time) Access {
	if plan == nil || l == nil || plan.LearnerID != l.ID {
		return Access{}
	}
	if !plan.LAMaintained {
		return WriteLearner(p, l, now)
	}
	for _, r := range active(p, now) {
		if r.Kind == cynllun.RelOfficerOf && (r.OrgID == plan.MaintainerID || r.OrgID == l.LAID) {
			return Access{OK: true, Reason: r.Kind}
		}
	}
	return Access{}
}

// ForPlan is what p may do with plan, a plan of l, when roles may
// override quality findings.
func ForPlan(p *cynllun.Principal, l *cynllun.Learner, plan *cynllun.Plan, roles []string, now time.Time) PlanCan {
	if plan == nil || l == nil || plan.LearnerID != l.ID {
		return PlanCan{}
	}
	// A ceased plan is kept for the record: read and rendered, not changed.
	live := !plan.Ceased()
	return PlanCan{
		Edit:             live && WritePlan(p, l, plan, now).OK,
		Finalise:         live && WritePlan(p, l, plan, now).OK && Finalise(p, l, plan.MaintainerID, roles, false, now).OK,
		OverrideFindings: live && WritePlan(p, l, plan, now).OK && Finalise(p, l, plan.MaintainerID, roles, true, now).OK,
		RequestReview:    live && RequestReview(p, l, now).OK,
		OpenReview:       live && WriteLearner(p, l, now).OK,
		Render:           Render(p, l, now).OK,
		Transfer:         live && maintainsNow(p, l, plan, now).OK,
		TakeOver:         live && !plan.LAMaintained && TakeOverPlan(p, l, plan, now).OK,
		Cease:            live && CeasePlan(p, l, plan, now).OK,
	}
}

// ReviewCan is what p may do with a review (Review.viewerCan…).
type ReviewCan struct {
	// Edit: saveReview, decideReviewRequest, concludeReview (WriteLearner).
	Edit bool
	// Render: renderMeetingRecord (Render), for a review that was held
	// (cynllun.Review.Held).
	Render bool
	// Cancel: cancelReview (WriteLearner, as openReview), for a review
	// OPEN and not concluded, or REQUESTED. A request is cancelled only
	// when staff recorded it (the family's own requests are decided):
	// the service narrows this for requests (service.ReviewCan).
	Cancel bool
}

// ForReview is what p may do with review r of a plan of l.
func ForReview(p *cynllun.Principal, l *cynllun.Learner, r *cynllun.Review, now time.Time) ReviewCan {
	if r == nil || l == nil || r.LearnerID != l.ID {
		return ReviewCan{}
	}
	edit := WriteLearner(p, l, now).OK
	return ReviewCan{
		Edit:   edit,
		Render: Render(p, l, now).OK && r.Held(),
		Cancel: edit && (r.Status == cynllun.ReviewOpen && r.Decision == nil || r.Status == cynllun.ReviewRequested),
	}
}

// CaseCan is what p may do with a case (Case.viewerCan…), by its side
// (CaseTable).
type CaseCan struct {
	// Edit: updateCase, recording the case's details and progress
	// (RECORD_PROGRESS); what a change records is checked field by field.
	Edit bool
	// AddEvidence: addEvidence (ADD_EVIDENCE).
	AddEvidence bool
	// SetBundleSpec: setBundleSpec (SET_BUNDLE_SPEC, the respondent).
	SetBundleSpec bool
	// Render: renderBundle, the official bundle (RENDER_BUNDLE).
	Render bool
	// Preview: Case.bundlePreview (PREVIEW_BUNDLE).
	Preview bool
	// RecordOutcome: updateCase with the Tribunal's decision (RECORD_OUTCOME).
	RecordOutcome bool
	// Close: updateCase to CLOSED (CLOSE_CASE).
	Close bool
	// Standing is p's side and role in the case.
	Standing CaseStanding
}

// ForCase is what p may do with case c of l.
func ForCase(p *cynllun.Principal, l *cynllun.Learner, c *cynllun.Case, now time.Time) CaseCan {
	st, ok := StandingIn(p, l, c, now)
	if !ok {
		return CaseCan{}
	}
	may := func(op CaseOp) bool { return CaseMay(op, st.Side, "").Allow }
	return CaseCan{
		Edit: may(OpRecordProgress), AddEvidence: may(OpAddEvidence), SetBundleSpec: may(OpSetBundleSpec),
		Render: may(OpRenderBundle), Preview: may(OpPreviewBundle), RecordOutcome: may(OpRecordOutcome),
		Close: may(OpCloseCase), Standing: st,
	}
}
