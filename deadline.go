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
	EventALNBroughtToAttention   EventKind = "ALN_BROUGHT_TO_ATTENTION"
	EventConsentGiven            EventKind = "CONSENT_GIVEN"
	EventIDPGiven                EventKind = "IDP_GIVEN"
	EventNoALNNoticeGiven        EventKind = "NO_ALN_NOTICE_GIVEN"
	EventReviewRequested         EventKind = "REVIEW_REQUESTED"
	EventReviewConcluded         EventKind = "PLAN_REVISED_OR_NOT"
	EventReviewRefused           EventKind = "REVIEW_REFUSED"
	EventNHSReferralReceived     EventKind = "NHS_REFERRAL_RECEIVED"
	EventNHSResponseGiven        EventKind = "NHS_RESPONSE_GIVEN"
	EventCeaseNoticeGiven        EventKind = "CEASE_NOTICE_GIVEN"
	EventReconsiderationAsked    EventKind = "RECONSIDERATION_REQUESTED"
	EventReconsiderationDecided  EventKind = "RECONSIDERATION_DECIDED"
	EventTakeoverRequested       EventKind = "TAKEOVER_REQUESTED"
	EventTakeoverDecided         EventKind = "TAKEOVER_DECIDED"
	EventFEITakeoverRequest      EventKind = "FEI_TAKEOVER_REQUEST_RECEIVED"
	EventFEITakeoverAnswered     EventKind = "FEI_TAKEOVER_ANSWERED"
	EventDecisionNoticeGiven     EventKind = "DECISION_NOTICE_GIVEN"
	EventAppealMade              EventKind = "APPEAL_MADE"
	EventTribunalDecisionSent    EventKind = "TRIBUNAL_DECISION_SENT"
	EventTribunalReviewRequested EventKind = "TRIBUNAL_REVIEW_REQUESTED"
	EventRegisteredAtNewSchool   EventKind = "REGISTERED_AT_NEW_SCHOOL"
	// EventDisagreementReferred: the matter was referred to the LA's
	// disagreement resolution arrangements (s.68): it extends T17.
	EventDisagreementReferred EventKind = "DISAGREEMENT_REFERRED"
)

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
	OrgID      string
	On         Date
	Note       string
	RecordedAt time.Time
	RecordedBy string
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
