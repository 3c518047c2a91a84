package policy

import (
	"time"

	"github.com/cynllun/cynllun"
)

// RetentionScope says which retention reviews p may see: every review
// (administrators), or those of the organisations p works for as staff or
// an officer now (their controller, or for an officer their LA); ok is
// false for everyone else (parents, young people, advocates).
func RetentionScope(p *cynllun.Principal, now time.Time) (all bool, orgIDs []string, ok bool) {
	if p == nil {
		return false, nil, false
	}
	if p.Admin {
		return true, nil, true
	}
	for _, r := range p.Relationships {
		if (r.Kind == cynllun.RelStaffOf || r.Kind == cynllun.RelOfficerOf) && r.OrgID != "" && r.ActiveAt(now) {
			orgIDs = append(orgIDs, r.OrgID)
		}
	}
	return false, orgIDs, len(orgIDs) > 0
}

// ApproveErasure decides whether p may approve the erasure of a learner
// listed as past retention: administrators only. An erasure cannot be
// undone, so the controller's own staff list and see, and an administrator
// acting for the controller approves.
func ApproveErasure(p *cynllun.Principal) bool {
	return p != nil && p.Admin
}
