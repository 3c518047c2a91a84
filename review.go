package cynllun

import (
	"fmt"
	"time"
)

// ReviewType is why a review of an IDP is held (Act s.23; domain.md §2 T8,
// T9, T16; §3).
type ReviewType string

const (
	// ReviewAnnual is the review before the end of a 12-month review
	// period (s.23(1)-(5)).
	ReviewAnnual ReviewType = "ANNUAL"
	// ReviewOnRequest is asked for by the child, their parent or the young
	// person (s.23(8)); it must be held unless considered unnecessary.
	ReviewOnRequest ReviewType = "ON_REQUEST"
	// ReviewNHSRequest is asked for by an NHS body securing ALP in the plan.
	ReviewNHSRequest ReviewType = "NHS_REQUEST"
	// ReviewTransfer follows a move to a new school or FEI (T13-T16).
	ReviewTransfer ReviewType = "TRANSFER"
	// ReviewLAReconsideration is an LA reconsidering a school's plan
	// (s.27), which counts as a review (s.23(6)).
	ReviewLAReconsideration ReviewType = "LA_RECONSIDERATION"
	ReviewOther             ReviewType = "OTHER"
)

// ReviewTypes lists every review type, in schema order.
var ReviewTypes = []ReviewType{ReviewAnnual, ReviewOnRequest, ReviewNHSRequest, ReviewTransfer, ReviewLAReconsideration, ReviewOther}

// ReviewStatus is where a review is in its life.
type ReviewStatus string

const (
	// ReviewRequested: a request is recorded and not yet decided.
	ReviewRequested ReviewStatus = "REQUESTED"
	// ReviewRefused: the maintaining body considered the requested review
	// unnecessary; the reasons and who decided are recorded.
	ReviewRefused ReviewStatus = "REFUSED"
	// ReviewOpen: the review is being held and its meeting recorded.
	ReviewOpen ReviewStatus = "OPEN"
	// ReviewConcluded: the review ended in a revised plan or a notice of
	// no revision (s.23(10), (11)). Its decision never changes; the record
	// may still be corrected, each correction a new revision.
	ReviewConcluded ReviewStatus = "CONCLUDED"
	// ReviewCancelled: a review opened, or a request recorded by staff, by
	// mistake, cancelled before it was concluded (cancelReview). Its record
	// is kept; it counts for nothing: no review period, no clock.
	ReviewCancelled ReviewStatus = "CANCELLED"
)

// RequesterRole is who asked for a review.
type RequesterRole string

const (
	RequesterChild       RequesterRole = "CHILD"
	RequesterParent      RequesterRole = "PARENT"
	RequesterYoungPerson RequesterRole = "YOUNG_PERSON"
	RequesterNHSBody     RequesterRole = "NHS_BODY"
	RequesterSchool      RequesterRole = "SCHOOL"
	RequesterLA          RequesterRole = "LA"
	RequesterOther       RequesterRole = "OTHER"
	// RequesterAdvocate: an advocate for the child or young person, acting
	// with consent a parent or the young person gave (issue 17).
	RequesterAdvocate RequesterRole = "ADVOCATE"
)

// ReviewRequest records a request for a review, and what was decided about
// it. Requests are kept even when refused.
type ReviewRequest struct {
	By RequesterRole
	// ByName names the requester as they asked to be named ("Mrs Jones",
	// "Cardiff and Vale UHB SaLT team").
	ByName      string
	RequestedOn Date
	Reason      string
	// DecidedOn and DecidedBy (a user id) are set when the request was
	// accepted or refused; RefusalReasons says why a review was considered
	// unnecessary.
	DecidedOn      Date
	DecidedBy      string
	RefusalReasons string
}

// Attendance is how a participant took part.
type Attendance string

const (
	AttendedInPerson     Attendance = "IN_PERSON"
	AttendedRemotely     Attendance = "REMOTELY"
	ContributedInWriting Attendance = "IN_WRITING"
	ContributedViaOther  Attendance = "THROUGH_SOMEONE_ELSE"
	DidNotContribute     Attendance = "DID_NOT_CONTRIBUTE"
)

// ParticipantRole is a participant's part in the review.
type ParticipantRole string

const (
	RoleChild       ParticipantRole = "CHILD"
	RoleYoungPerson ParticipantRole = "YOUNG_PERSON"
	RoleParent      ParticipantRole = "PARENT"
	RoleALNCo       ParticipantRole = "ALNCO"
	RoleTeacher     ParticipantRole = "TEACHER"
	RoleLAOfficer   ParticipantRole = "LA_OFFICER"
	RoleHealth      ParticipantRole = "HEALTH"
	RoleSocialCare  ParticipantRole = "SOCIAL_CARE"
	RoleAdvocate    ParticipantRole = "ADVOCATE"
	RoleEdPsych     ParticipantRole = "EDUCATIONAL_PSYCHOLOGIST"
	RoleOther       ParticipantRole = "OTHER"
)

// Participant is someone who took part in (or was invited to) a review.
type Participant struct {
	Name         string
	Role         ParticipantRole
	Organisation string
	Attendance   Attendance
	// Agreed says whether they agreed with the outcome of the review: nil
	// when not asked or not recorded. A participant who did not agree
	// should have a Disagreement recorded.
	Agreed *bool
}

// ViewFormat is how the child's or young person's views were gathered.
type ViewFormat string

const (
	ViewOwnWords     ViewFormat = "OWN_WORDS"
	ViewDrawing      ViewFormat = "DRAWING"
	ViewAudio        ViewFormat = "AUDIO"
	ViewVideo        ViewFormat = "VIDEO"
	ViewAAC          ViewFormat = "AAC"
	ViewParentScribe ViewFormat = "PARENT_SCRIBED"
	ViewTrustedAdult ViewFormat = "TRUSTED_ADULT"
)

// ChildView is the child's or young person's views, wishes and feelings in
// one format (Act s.6). Attachments are file ids of uploads for the
// learner (a drawing, a recording).
type ChildView struct {
	Format      ViewFormat
	Text        string
	GatheredBy  string
	Attachments []string
}

// ParentView is a parent's (or carer's) views.
type ParentView struct {
	Name        string
	Text        string
	Attachments []string
}

// Action is a line of the person-centred action plan.
type Action struct {
	Action string
	Owner  string
	Due    Date
}

// PersonCentred holds the six person-centred review headings (domain.md
// §3.2), each a list of points.
type PersonCentred struct {
	ImportantTo  []string
	ImportantFor []string
	Working      []string
	NotWorking   []string
	Questions    []string
	ActionPlan   []Action
}

// FourPlusOne holds the 4+1 questions.
type FourPlusOne struct {
	Tried     string // What have we tried?
	Learned   string // What have we learned?
	Pleased   string // What are we pleased about?
	Concerned string // What are we concerned about?
	Next      string // Given what we know, what should we do next?
}

// Answer is yes, partly, no or not known.
type Answer string

const (
	AnswerYes     Answer = "YES"
	AnswerPartly  Answer = "PARTLY"
	AnswerNo      Answer = "NO"
	AnswerUnknown Answer = "UNKNOWN"
)

// ProvisionChange is what the review decided for a 2B row.
type ProvisionChange string

const (
	ChangeContinue ProvisionChange = "CONTINUE"
	ChangeIncrease ProvisionChange = "INCREASE"
	ChangeReduce   ProvisionChange = "REDUCE"
	ChangeModify   ProvisionChange = "MODIFY"
	ChangeEnd      ProvisionChange = "END"
)

// ProvisionReview is the review of one 2B row of the plan version reviewed.
type ProvisionReview struct {
	RowID       string
	Delivered   Answer
	Effective   Answer
	StillNeeded Answer
	Change      ProvisionChange
	Notes       string
}

// OutcomeStatus is how far an intended outcome was achieved.
type OutcomeStatus string

const (
	OutcomeAchieved OutcomeStatus = "ACHIEVED"
	OutcomePartly   OutcomeStatus = "PARTLY_ACHIEVED"
	OutcomeNotYet   OutcomeStatus = "NOT_YET_ACHIEVED"
)

// OutcomeReview is the review of the intended outcome (2B.1) of one row.
type OutcomeReview struct {
	RowID  string
	Status OutcomeStatus
	Notes  string
	// Revised is true when the review rewrote the outcome for the next
	// period (the new wording is in the revised plan).
	Revised bool
}

// Evidence is new information considered at the review (a report, an
// assessment), with an optional uploaded file.
type Evidence struct {
	Title      string
	Source     string
	Date       Date
	Summary    string
	Attachment string
}

// Disagreement is a disagreement recorded at the review: who disagreed
// and about what (a 2B row, a section, the decision).
type Disagreement struct {
	Who   string
	Role  ParticipantRole
	About string
	// RowID names the 2B row it concerns, when it concerns one.
	RowID   string
	Details string
	// Resolution says how it was left ("unresolved: referred to the LA").
	Resolution string
}

// DecisionKind is how a review ended (s.23(10), (11)).
type DecisionKind string

const (
	// DecisionRevised: the plan was revised; the revised plan is a new
	// version linked to the review.
	DecisionRevised DecisionKind = "REVISED"
	// DecisionNoRevision: a notice of the decision not to revise, with
	// reasons.
	DecisionNoRevision DecisionKind = "NO_REVISION"
)

// Decision is the end of a review. Either kind starts a new 12-month
// review period on DecidedOn (Act s.23(3), (4)).
type Decision struct {
	Kind      DecisionKind
	Reasons   string
	DecidedOn Date
	DecidedBy string
	// Version is the revised plan version (DecisionRevised only).
	Version int
}

// Review is one revision of the record of a review of an IDP. Revisions are
// immutable and numbered from 1; a save inserts Revision = current+1 and a
// unique index on (ReviewID, Revision) turns a lost race into a CONFLICT,
// as plan versions do. The latest revision is the review.
type Review struct {
	ID        string // the review's id (the same in every revision)
	Revision  int
	PlanID    string
	LearnerID string
	Type      ReviewType
	Status    ReviewStatus
	// Request is set for reviews that were asked for (on request, NHS, LA).
	Request *ReviewRequest
	// PlanVersion is the plan version reviewed (the current one when the
	// review was opened).
	PlanVersion int
	HeldOn      Date
	// DurationMinutes is how long the meeting took (0 = not recorded).
	DurationMinutes int
	Participants    []Participant
	ChildViews      []ChildView
	ParentViews     []ParentView
	PersonCentred   PersonCentred
	FourPlusOne     FourPlusOne
	// NeedsDiscussion records the discussion of the learner's needs
	// (educational, medical, sensory, social care) and whether 2A is
	// still right.
	NeedsDiscussion string
	Provision       []ProvisionReview
	Outcomes        []OutcomeReview
	NewEvidence     []Evidence
	// CapacityDiscussed records whether the maintaining body can still
	// maintain the plan and secure its ALP; CanMaintain is its answer
	// (nil: not recorded). "No" points to an LA takeover.
	CapacityDiscussion string
	CanMaintain        *bool
	Disagreements      []Disagreement
	Decision           *Decision
	Comment            string
	CreatedAt          time.Time // of this revision
	CreatedBy          string
	OpenedAt           time.Time // of revision 1
	OpenedBy           string
	// LAID and SettingID are the learner's LA and setting when this
	// revision was saved: the caseloads that list the review.
	LAID      string
	SettingID string
}

// Held says whether the review was (or is being) held: its meeting has a
// record to render. A request not yet decided, or refused, was not held,
// nor was a review cancelled (opened by mistake).
func (r *Review) Held() bool {
	return r.Status != ReviewRequested && r.Status != ReviewRefused && r.Status != ReviewCancelled
}

// ReviewRevisionID is the deterministic id of a review's revision.
func ReviewRevisionID(reviewID string, revision int) string {
	return fmt.Sprintf("%s/r%d", reviewID, revision)
}

// ReviewPeriodBasis says what started a review period.
type ReviewPeriodBasis string

const (
	// PeriodFirstGiven: the first period starts on the date a copy of the
	// IDP is first given (s.23(2)); Cynllun takes the date the first
	// FINAL version was saved.
	PeriodFirstGiven ReviewPeriodBasis = "FIRST_GIVEN"
	// PeriodRevisedPlan: a review ended in a revised plan (s.23(3)).
	PeriodRevisedPlan ReviewPeriodBasis = "REVISED_PLAN"
	// PeriodNoRevision: a review ended in a notice of no revision (s.23(4)).
	PeriodNoRevision ReviewPeriodBasis = "NO_REVISION_NOTICE"
	// PeriodRolledOver: no document was given in the previous period, so
	// this one starts the day after it ended (s.23(5)).
	PeriodRolledOver ReviewPeriodBasis = "ROLLED_OVER"
)

// ReviewPeriod is the 12-month period before whose end a plan must be
// reviewed.
type ReviewPeriod struct {
	Start Date
	// End is the last day of the period: the day before the anniversary
	// of Start.
	End   Date
	Basis ReviewPeriodBasis
	// ReviewID names the review whose decision started the period.
	ReviewID string
}

// PeriodEvent is a document that starts a new review period: a revised
// plan or a notice of no revision, given on On.
type PeriodEvent struct {
	On       Date
	Basis    ReviewPeriodBasis
	ReviewID string
}

// CurrentReviewPeriod returns the review period running on today, from the
// date the plan was first given and the later period events (in any
// order). It is false when the plan was never given. Periods are 12 months
// long (Act s.23(1)); an event starts a new period on its date; a period
// with no event is followed by one starting the day after it ends.
func CurrentReviewPeriod(firstGiven Date, events []PeriodEvent, today Date) (ReviewPeriod, bool) {
	if firstGiven.IsZero() {
		return ReviewPeriod{}, false
	}
	p := ReviewPeriod{Start: firstGiven, End: firstGiven.AddYears(1).AddDays(-1), Basis: PeriodFirstGiven}
	// Events in date order; events before the first period are ignored.
	sorted := append([]PeriodEvent(nil), events...)
	for i := 1; i < len(sorted); i++ {
		for j := i; j > 0 && sorted[j].On.Before(sorted[j-1].On); j-- {
			sorted[j], sorted[j-1] = sorted[j-1], sorted[j]
		}
	}
	next := 0
	for {
		for next < len(sorted) && sorted[next].On.Before(p.Start) {
			next++
		}
		// An event inside this period (and on or before today) starts the next.
		if next < len(sorted) && !sorted[next].On.After(p.End) && !sorted[next].On.After(today) {
			ev := sorted[next]
			next++
			p = ReviewPeriod{Start: ev.On, End: ev.On.AddYears(1).AddDays(-1), Basis: ev.Basis, ReviewID: ev.ReviewID}
			continue
		}
		if p.End.Before(today) {
			start := p.End.AddDays(1)
			p = ReviewPeriod{Start: start, End: start.AddYears(1).AddDays(-1), Basis: PeriodRolledOver}
			continue
		}
		return p, true
	}
}
