package cynllun

import "time"

// SessionStatus says whether a session of provision took place.
type SessionStatus string

const (
	SessionDelivered SessionStatus = "DELIVERED"
	SessionMissed    SessionStatus = "MISSED"
)

// MissedReason classifies why a session did not take place, so that a
// shortfall can be attributed (learner absent versus provider not there).
type MissedReason string

const (
	MissedLearnerAbsent    MissedReason = "LEARNER_ABSENT"
	MissedProviderAbsent   MissedReason = "PROVIDER_ABSENT"
	MissedStaffUnavailable MissedReason = "STAFF_UNAVAILABLE"
	MissedSchoolEvent      MissedReason = "SCHOOL_EVENT"
	MissedSettingClosed    MissedReason = "SETTING_CLOSED"
	MissedLearnerDeclined  MissedReason = "LEARNER_DECLINED"
	MissedOther            MissedReason = "OTHER"
)

// Session is one session of a 2B row's provision, delivered or missed: an
// entry of the provision delivery ledger. Sessions are facts recorded
// once; a mistaken entry is voided (with a reason), never edited or
// deleted, so the ledger keeps what was said and when.
type Session struct {
	ID        string
	PlanID    string
	LearnerID string
	RowID     string
	Date      Date
	// Minutes delivered (for a missed session: the minutes planned).
	Minutes     int
	Status      SessionStatus
	DeliveredBy string
	// Reason and Notes explain a missed session.
	Reason     MissedReason
	Notes      string
	RecordedAt time.Time
	RecordedBy string
	// VoidedAt, VoidedBy and VoidReason are set when the entry was
	// withdrawn as a mistake; a voided entry counts for nothing.
	VoidedAt   time.Time
	VoidedBy   string
	VoidReason string
}

// Voided reports whether the entry was withdrawn.
func (s *Session) Voided() bool { return !s.VoidedAt.IsZero() }
