// Package policy decides who may see and change what. It is the one place
// access rules live (design §5): services ask it before every read and write,
// and list queries take their filter from Scope. Access is by relationship
// and denied by default; an administrator manages organisations and staff but
// sees no learner's data. Who may grant which relationship is a table,
// GrantTable (grant.go).
package policy

import (
	"slices"
	"time"

	"github.com/cynllun/cynllun"
)

// Access says whether an action is allowed and, when it is, which
// relationship allowed it (recorded as the reason in audit events).
type Access struct {
	OK     bool
	Reason cynllun.RelKind
}

// active returns the principal's relationships that give access at now.
// An administrator's relationships give none: an administrator's account
// never reaches learners' data, even if it was granted a relationship (by
// another administrator, or before such grants were refused), and
// administrators' own powers do not depend on relationships.
func active(p *cynllun.Principal, now time.Time) []cynllun.Relationship {
	if p == nil || p.Admin {
		return nil
	}
	out := make([]cynllun.Relationship, 0, len(p.Relationships))
	for _, r := range p.Relationships {
		if r.ActiveAt(now) {
			out = append(out, r)
		}
	}
	return out
}

// ReadLearner decides whether p may read learner l and its plans: a parent
// of l, l themself, an advocate for l with consent that has not ended, staff
// of l's setting, or an officer of l's local authority.
func ReadLearner(p *cynllun.Principal, l *cynllun.Learner, now time.Time) Access {
	if l == nil {
		return Access{}
	}
	// Learner-scoped relationships first: they are the most specific reason.
	var orgReason cynllun.RelKind
	for _, r := range active(p, now) {
		switch r.Kind {
		case cynllun.RelParentOf, cynllun.RelSelf, cynllun.RelAdvocateOf:
			if r.LearnerID == l.ID {
				return Access{OK: true, Reason: r.Kind}
			}
		case cynllun.RelStaffOf:
			if l.SettingID != "" && r.OrgID == l.SettingID && orgReason == "" {
				orgReason = r.Kind
			}
		case cynllun.RelOfficerOf:
			if l.LAID != "" && r.OrgID == l.LAID {
				orgReason = r.Kind
			}
		}
	}
	if orgReason != "" {
		return Access{OK: true, Reason: orgReason}
	}
	return Access{}
}

// WriteLearner decides whether p may change learner l's record and plans:
// staff of l's setting or officers of l's local authority. Parents, young
// people and advocates read; they contribute through reviews, not edits.
func WriteLearner(p *cynllun.Principal, l *cynllun.Learner, now time.Time) Access {
	if l == nil {
		return Access{}
	}
	return writeAt(p, l.LAID, l.SettingID, now)
}

// CreateLearner decides whether p may register a learner with the given
// local authority and setting (the same people who may then write it).
func CreateLearner(p *cynllun.Principal, laID, settingID string, now time.Time) Access {
	return writeAt(p, laID, settingID, now)
}

func writeAt(p *cynllun.Principal, laID, settingID string, now time.Time) Access {
	var reason cynllun.RelKind
	for _, r := range active(p, now) {
		switch {
		case r.Kind == cynllun.RelStaffOf && settingID != "" && r.OrgID == settingID:
			return Access{OK: true, Reason: r.Kind}
		case r.Kind == cynllun.RelOfficerOf && laID != "" && r.OrgID == laID:
			reason = r.Kind
		}
	}
	if reason != "" {
		return Access{OK: true, Reason: reason}
	}
	return Access{}
}

// ReadAudit decides whether p may read l's audit trail: those who maintain
// the record (staff of the setting, LA officers).
func ReadAudit(p *cynllun.Principal, l *cynllun.Learner, now time.Time) Access {
	return WriteLearner(p, l, now)
}

// Scope is the list filter equivalent to ReadLearner: every learner p may
// read is in it and no other. It is empty (matching nothing) for a principal
// with no active relationship.
func Scope(p *cynllun.Principal, now time.Time) cynllun.Scope {
	var s cynllun.Scope
	for _, r := range active(p, now) {
		switch r.Kind {
		case cynllun.RelParentOf, cynllun.RelSelf, cynllun.RelAdvocateOf:
			s.LearnerIDs = appendOnce(s.LearnerIDs, r.LearnerID)
		case cynllun.RelStaffOf:
			s.SettingIDs = appendOnce(s.SettingIDs, r.OrgID)
		case cynllun.RelOfficerOf:
			s.LAIDs = appendOnce(s.LAIDs, r.OrgID)
		}
	}
	return s
}

func appendOnce(s []string, v string) []string {
	if v == "" || slices.Contains(s, v) {
		return s
	}
	return append(s, v)
}

// ManageOrganisations decides whether p may create organisations and user
// accounts and grant staff or officer relationships: administrators only.
func ManageOrganisations(p *cynllun.Principal) bool {
	return p != nil && p.Admin
}

// Revoke decides whether p may end relationship r: whoever could grant it,
// and the holder themself.
func Revoke(p *cynllun.Principal, r *cynllun.Relationship, learner *cynllun.Learner, now time.Time) bool {
	if p == nil || r == nil {
		return false
	}
	if r.UserID == p.UserID {
		return true
	}
	if r.Kind == cynllun.RelAdvocateOf {
		// Consent can be withdrawn by any parent or the young person, not
		// only the one who gave it.
		a := ReadLearner(p, learner, now)
		return a.OK && (a.Reason == cynllun.RelParentOf || a.Reason == cynllun.RelSelf)
	}
	if r.Kind == cynllun.RelStaffOf || r.Kind == cynllun.RelOfficerOf {
		return p.Admin
	}
	return WriteLearner(p, learner, now).OK
}

// EditCalendar decides whether p may change organisation o's own term
// calendar: staff of a school or FEI for theirs, officers of a local
// authority for the LA's and its schools' and FEIs', administrators for
// any (term dates are not learners' data).
func EditCalendar(p *cynllun.Principal, o *cynllun.Organisation, now time.Time) bool {
	return responsibleFor(p, o, now, o != nil && o.Kind != cynllun.OrgLocalAuthority)
}

// ManageNotices decides whether p may manage organisation o's webhook
// subscriptions and read its notices' delivery log: its staff, officers
// of it or of its local authority, and administrators.
func ManageNotices(p *cynllun.Principal, o *cynllun.Organisation, now time.Time) bool {
	return responsibleFor(p, o, now, true)
}

// responsibleFor: an administrator, staff of o (when staff count), or an
// officer of o or of o's local authority.
func responsibleFor(p *cynllun.Principal, o *cynllun.Organisation, now time.Time, staff bool) bool {
	if p == nil || o == nil {
		return false
	}
	if p.Admin {
		return true
	}
	for _, r := range active(p, now) {
		switch {
		case staff && r.Kind == cynllun.RelStaffOf && r.OrgID == o.ID:
			return true
		case r.Kind == cynllun.RelOfficerOf && (r.OrgID == o.ID || (o.LAID != "" && r.OrgID == o.LAID)):
			return true
		}
	}
	return false
}

// ReadCase decides whether p may read case c of learner l and work on it
// (add evidence, build bundles, record its progress): an advocate whose
// consent covers it (consent for the learner, or for this case), and
// everyone else who may read the learner (the family, staff of the
// setting, officers of the LA). An advocate whose consent names another
// case may not.
func ReadCase(p *cynllun.Principal, l *cynllun.Learner, c *cynllun.Case, now time.Time) Access {
	if l == nil || c == nil || c.LearnerID != l.ID {
		return Access{}
	}
	var orgAccess Access
	for _, r := range active(p, now) {
		switch r.Kind {
		case cynllun.RelParentOf, cynllun.RelSelf:
			if r.LearnerID == l.ID {
				return Access{OK: true, Reason: r.Kind}
			}
		case cynllun.RelAdvocateOf:
			if r.LearnerID == l.ID && (r.CaseID == "" || r.CaseID == c.ID) {
				return Access{OK: true, Reason: r.Kind}
			}
		}
	}
	if a := WriteLearner(p, l, now); a.OK {
		orgAccess = a
	}
	return orgAccess
}

// CaseVisible is ReadCase for listing: the cases of l that p may see.
func CaseVisible(p *cynllun.Principal, l *cynllun.Learner, cases []*cynllun.Case, now time.Time) []*cynllun.Case {
	out := make([]*cynllun.Case, 0, len(cases))
	for _, c := range cases {
		if ReadCase(p, l, c, now).OK {
			out = append(out, c)
		}
	}
	return out
}

// OverrideQuality decides whether p may finalise a plan of learner l,
// maintained by maintainerID, over error-level quality findings: an
// officer of the learner's local authority, or staff of the maintaining
// school or FEI whose role is one of roles (compared without case or
// accents: "ALNCo" by default). Other staff may write the plan but not
// overrule its checks.
func OverrideQuality(p *cynllun.Principal, l *cynllun.Learner, maintainerID string, roles []string, now time.Time) Access {
	if l == nil {
		return Access{}
	}
	for _, r := range active(p, now) {
		switch {
		case r.Kind == cynllun.RelOfficerOf && l.LAID != "" && r.OrgID == l.LAID:
			return Access{OK: true, Reason: r.Kind}
		case r.Kind == cynllun.RelStaffOf && r.OrgID == maintainerID && r.OrgID == l.SettingID &&
			slices.ContainsFunc(roles, func(role string) bool { return cynllun.Fold(role) == cynllun.Fold(r.StaffRole) }):
			return Access{OK: true, Reason: r.Kind}
		}
	}
	return Access{}
}
