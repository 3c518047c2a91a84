package cynllun

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"
)

// EventKind names something that happened that starts or ends statutory
// clocks (domain.md §2.2). The kinds are the start and end events of the
// rules in package clock.
type EventKind string

const (
	EventALNBroughtToAttention EventKind = "ALN_BROUGHT_TO_ATTENTION"
	EventConsentGiven          EventKind = "CONSENT_GIVEN"
	EventIDPGiven              EventKind = "IDP_GIVEN"
	EventNoALNNoticeGiven      EventKind = "NO_ALN_NOTICE_GIVEN"
	EventReviewRequested       EventKind = "REVIEW_REQUESTED"
	EventReviewConcluded       EventKind = "PLAN_REVISED_OR_NOT"
	EventReviewRefused         EventKind = "REVIEW_REFUSED"
	EventNHSReferralReceived   EventKind = "NHS_REFERRAL_RECEIVED"
	EventNHSResponseGiven      EventKind = "NHS_RESPONSE_GIVEN"
	EventCeaseNoticeGiven      EventKind = "CEASE_NOTICE_GIVEN"
	// The three requests to the LA to reconsider a maintained school's
	// decision are three legal steps with three clocks: its decision on
	// ALN (s.26, starts T5), its IDP (s.27, starts T6), its decision to
	// cease to maintain the IDP (s.32: meets T11, the time to ask, and
	// starts T21, the LA's reconsideration). Each has its decision.
	EventReconsiderALNRequested   EventKind = "RECONSIDER_ALN_DECISION_REQUESTED"
	EventReconsiderALNDecided     EventKind = "RECONSIDER_ALN_DECISION_DECIDED"
	EventReconsiderIDPRequested   EventKind = "RECONSIDER_IDP_REQUESTED"
	EventReconsiderIDPDecided     EventKind = "RECONSIDER_IDP_DECIDED"
	EventReconsiderCeaseRequested EventKind = "RECONSIDER_CEASE_REQUESTED"
	EventReconsiderCeaseDecided   EventKind = "RECONSIDER_CEASE_DECIDED"
	// EventLegacyReconsiderationRequested and …Decided were one kind for
	// the three requests (and their decisions) before issue 16. Events
	// stored with them stay readable as they were recorded, and the clocks
	// they started stay as they are (the new kinds' decisions close them);
	// they can no longer be recorded, and start or meet no clock.
	EventLegacyReconsiderationRequested EventKind = "RECONSIDERATION_REQUESTED"
	EventLegacyReconsiderationDecided   EventKind = "RECONSIDERATION_DECIDED"
	EventTakeoverRequested              EventKind = "TAKEOVER_REQUESTED"
	EventTakeoverDecided                EventKind = "TAKEOVER_DECIDED"
	EventFEITakeoverRequest             EventKind = "FEI_TAKEOVER_REQUEST_RECEIVED"
	EventFEITakeoverAnswered            EventKind = "FEI_TAKEOVER_ANSWERED"
	// EventDecisionNoticeGiven: a decision and its notice were given. The
	// clocks it starts follow the route of the decision (package routes):
	// T17 only where an appeal lies, T11 for a school's decision to cease.
	EventDecisionNoticeGiven     EventKind = "DECISION_NOTICE_GIVEN"
	EventAppealMade              EventKind = "APPEAL_MADE"
	EventTribunalDecisionSent    EventKind = "TRIBUNAL_DECISION_SENT"
	EventTribunalReviewRequested EventKind = "TRIBUNAL_REVIEW_REQUESTED"
	// Moves (Act s.35): registration at a new school (T13 on an in-year
	// move, no gap; meets T14), the last day at the previous school at the
	// end of a school year (starts T14), the last day at school before an
	// FEI (starts T15), enrolment at the FEI (meets T15), and the new
	// school or FEI adopting the IDP (meets T13).
	EventRegisteredAtNewSchool   EventKind = "REGISTERED_AT_NEW_SCHOOL"
	EventLastDayAtPreviousSchool EventKind = "LAST_DAY_AT_PREVIOUS_SCHOOL"
	EventLastDayAtSchool         EventKind = "LAST_DAY_AT_SCHOOL"
	EventEnrolledAtFEI           EventKind = "ENROLLED_AT_FEI"
	EventIDPAdopted              EventKind = "IDP_ADOPTED"
	// EventIDPNoticeGiven: a transitional IDP notice moving a learner from
	// SEN to ALN was given (starts T19).
	EventIDPNoticeGiven EventKind = "IDP_NOTICE_GIVEN"
	// EventCompulsorySchoolAgeEnded: the learner became a young person
	// (T20: from now on nothing is decided without their consent).
	EventCompulsorySchoolAgeEnded EventKind = "COMPULSORY_SCHOOL_AGE_ENDED"
	// EventDisagreementReferred: the matter was referred to the LA's
	// disagreement resolution arrangements (s.68): it extends T17.
	EventDisagreementReferred EventKind = "DISAGREEMENT_REFERRED"
)

// EventKinds lists every event kind, in schema order.
var EventKinds = []EventKind{
	EventALNBroughtToAttention, EventConsentGiven, EventIDPGiven, EventNoALNNoticeGiven, EventReviewRequested,
	EventReviewConcluded, EventReviewRefused, EventNHSReferralReceived, EventNHSResponseGiven, EventCeaseNoticeGiven,
	EventReconsiderALNRequested, EventReconsiderALNDecided, EventReconsiderIDPRequested, EventReconsiderIDPDecided,
	EventReconsiderCeaseRequested, EventReconsiderCeaseDecided, EventLegacyReconsiderationRequested, EventLegacyReconsiderationDecided,
	EventTakeoverRequested, EventTakeoverDecided, EventFEITakeoverRequest, EventFEITakeoverAnswered, EventDecisionNoticeGiven,
	EventAppealMade, EventTribunalDecisionSent, EventTribunalReviewRequested, EventRegisteredAtNewSchool,
	EventLastDayAtPreviousSchool, EventLastDayAtSchool, EventEnrolledAtFEI, EventIDPAdopted, EventIDPNoticeGiven,
	EventCompulsorySchoolAgeEnded, EventDisagreementReferred,
}

// ALNCommencement is the day the Additional Learning Needs and Education
// Tribunal (Wales) Act 2018 began to apply (1 September 2021): no statutory
// event of the ALN system happened before it.
var ALNCommencement = Date{2021, time.September, 1}

// StatutoryEvent is a recorded fact that starts or ends clocks: one a
// user records (ALN brought to a school's attention, a referral received,
// a notice given) or one Cynllun derives (an IDP given when a version is
// first FINAL, a review concluded).
type StatutoryEvent struct {
	ID        string
	Kind      EventKind
	LearnerID string
	PlanID    string
	ReviewID  string
	// CaseID is set on the events of a case's dates (a decision notice, an
	// appeal made): they start and close that case's clocks only.
	CaseID string
	// OrgID is the body whose duty the clock is (the school, FEI, LA or
	// health board): its calendar counts school days, its people get the
	// notices.
	OrgID string
	On    Date
	Note  string
	// Decision is what a DECISION_NOTICE_GIVEN event's decision decided
	// ("" when not said: read as OTHER): with the body's kind, it chooses
	// the route, and so the clocks the notice starts.
	Decision DisputedKind
	// ConsentGiven, on an ALN_BROUGHT_TO_ATTENTION event, records that the
	// young person consented to the decision on the same day (they raised
	// it themselves, say): no separate CONSENT_GIVEN event is needed.
	ConsentGiven bool
	RecordedAt   time.Time
	RecordedBy   string
	// System is true for events Cynllun derived itself.
	System bool
}

// DeadlineStatus is where a deadline stands.
type DeadlineStatus string

const (
	DeadlineOpen          DeadlineStatus = "OPEN"
	DeadlineMet           DeadlineStatus = "MET"
	DeadlineMissed        DeadlineStatus = "MISSED"
	DeadlineNotApplicable DeadlineStatus = "NOT_APPLICABLE"
)

// Closure ends a deadline: met by an event, or not applicable with a
// reason (an exception applies, the duty fell away).
type Closure struct {
	Status  DeadlineStatus // MET or NOT_APPLICABLE
	On      Date
	EventID string
	Reason  string
	By      string
	At      time.Time
}

// Deadline is one statutory clock running for a learner: a rule, the event
// that started it and the due date computed on the responsible body's
// calendar when it started. Due is zero when it cannot be computed (no
// calendar covers the dates, or the rule has no confirmed time limit);
// Problem then says why.
type Deadline struct {
	ID        string
	RuleID    string
	LearnerID string
	PlanID    string
	ReviewID  string
	CaseID    string
	OrgID     string
	// LAID and SettingID are the learner's when the clock started: list
	// queries filter on them as they do on learners (policy.Scope).
	LAID         string
	SettingID    string
	StartEventID string
	Start        Date
	Due          Date
	Problem      string
	CreatedAt    time.Time
	Closure      *Closure
	// Extension is set when an event gave the clock more time (T17 after a
	// referral to disagreement resolution): Due is then the extended date.
	Extension *DeadlineExtension
}

// DeadlineExtension records more time given to a running clock.
type DeadlineExtension struct {
	EventID     string
	On          Date
	PreviousDue Date
	At          time.Time
}

// DeadlineID is the deterministic id of the clock of rule started by an
// event: recording the same event twice never starts a second clock.
func DeadlineID(ruleID, eventID string) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%s/%s", ruleID, eventID))
	return PrefixDeadline + hex.EncodeToString(sum[:12])
}

// StatusOn is the deadline's status on day: its closure's, else MISSED
// once the due date has passed, else OPEN.
func (d *Deadline) StatusOn(day Date) DeadlineStatus {
	switch {
	case d.Closure != nil:
		return d.Closure.Status
	case !d.Due.IsZero() && d.Due.Before(day):
		return DeadlineMissed
	}
	return DeadlineOpen
}

// Late reports whether a met deadline was met after its due date.
func (d *Deadline) Late() bool {
	return d.Closure != nil && d.Closure.Status == DeadlineMet && !d.Due.IsZero() && d.Closure.On.After(d.Due)
}

// DeadlineDueKey is a deadline's place in due-date order, as lists sort
// them: its due date, or "~" (after every date) when it has none.
func DeadlineDueKey(d *Deadline) string {
	if d.Due.IsZero() {
		return "~"
	}
	return d.Due.String()
}
