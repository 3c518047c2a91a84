package cynllun

import "time"

// AuditEvent records a read of protected content, or a change of who may
// read it (a refused self-grant, the end of a staff or officer role). It
// names who, which learner, which part and why, and never holds the
// content itself.
type AuditEvent struct {
	ID        string
	At        time.Time
	ActorID   string
	LearnerID string
	// Part is what was read, e.g. "plan.version.content" or "plan.diff".
	Part    string
	PlanID  string
	Version int
	Action  string // "read", "compare", "download"
	// Reason is the relationship that allowed it (e.g. "STAFF_OF").
	Reason string
	// OrgID and RelationshipID name, for events about access, the
	// organisation and relationship concerned (no learner's data).
	OrgID          string
	RelationshipID string
	// InvitationID names, for events about invitations, the invitation.
	InvitationID string
}
