package cynllun

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Retention (domain.md §7). Each maintaining body (a school's governing
// body, an FEI, a local authority) is the controller of its IDPs and sets
// how long they are kept. No Wales-specific rule was found: the IRMS
// toolkit's "date of birth + 31 years" for SEN/ALN pupil files is the
// default suggestion, pending confirmation, so every rule is configuration
// (RETENTION_DEFAULT, RETENTION_CONTROLLERS), never code.
//
// A scheduled scan lists the learners whose records are past their
// controller's period as RetentionReview items; nothing is erased until an
// administrator approves an item. The erasure then removes everything held
// about the learner and leaves a tombstone in the audit (ids, the approver,
// the times and the rule: no personal data).

// RetentionBasis is the date a retention period runs from.
type RetentionBasis string

const (
	// RetentionFromBirth runs from the learner's date of birth.
	RetentionFromBirth RetentionBasis = "dob"
	// RetentionFromEnd runs from the end of involvement: the latest
	// cessation of the learner's plans, once every plan has ceased. A
	// learner with a plan still maintained, or with no plan, is never due
	// under it.
	RetentionFromEnd RetentionBasis = "ceased"
)

// RetentionRule is one period: Years after Basis.
type RetentionRule struct {
	Basis RetentionBasis
	Years int
}

// DefaultRetentionRule is the default suggestion of domain.md §7: date of
// birth + 31 years (IRMS toolkit, SEN/ALN files, unconfirmed for Wales).
var DefaultRetentionRule = RetentionRule{Basis: RetentionFromBirth, Years: 31}

// String is the rule as configured: "dob+31y", "ceased+25y".
func (r RetentionRule) String() string { return string(r.Basis) + "+" + strconv.Itoa(r.Years) + "y" }

// ParseRetentionRule reads "dob+31y" or "ceased+25y" (years from 1 to 100).
func ParseRetentionRule(s string) (RetentionRule, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	basis, years, ok := strings.Cut(s, "+")
	if !ok || !strings.HasSuffix(years, "y") {
		return RetentionRule{}, fmt.Errorf("retention rule %q: want BASIS+Ny, e.g. dob+31y or ceased+25y", s)
	}
	n, err := strconv.Atoi(strings.TrimSuffix(years, "y"))
	if err != nil || n < 1 || n > 100 {
		return RetentionRule{}, fmt.Errorf("retention rule %q: want 1 to 100 years", s)
	}
	switch b := RetentionBasis(basis); b {
	case RetentionFromBirth, RetentionFromEnd:
		return RetentionRule{Basis: b, Years: n}, nil
	}
	return RetentionRule{}, fmt.Errorf("retention rule %q: the basis is dob (date of birth) or ceased (the last plan's cessation)", s)
}

// RetentionPolicy is every controller's rule: Controllers by organisation
// id over Default.
type RetentionPolicy struct {
	Default     RetentionRule
	Controllers map[string]RetentionRule
}

// DefaultRetentionPolicy is DefaultRetentionRule for every controller.
func DefaultRetentionPolicy() RetentionPolicy {
	return RetentionPolicy{Default: DefaultRetentionRule}
}

// RuleFor is the rule of the controller (organisation id).
func (p RetentionPolicy) RuleFor(controllerID string) RetentionRule {
	if r, ok := p.Controllers[controllerID]; ok {
		return r
	}
	if p.Default.Years == 0 {
		return DefaultRetentionRule
	}
	return p.Default
}

// ParseRetentionControllers reads "org_a=dob+35y,org_b=ceased+25y".
func ParseRetentionControllers(s string) (map[string]RetentionRule, error) {
	out := map[string]RetentionRule{}
	for _, f := range strings.Split(s, ",") {
		if strings.TrimSpace(f) == "" {
			continue
		}
		id, rule, ok := strings.Cut(f, "=")
		id = strings.TrimSpace(id)
		if !ok || !strings.HasPrefix(id, PrefixOrganisation) {
			return nil, fmt.Errorf("want ORGANISATION_ID=RULE, e.g. %sla_W06000015=dob+35y", PrefixOrganisation)
		}
		r, err := ParseRetentionRule(rule)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", id, err)
		}
		out[id] = r
	}
	return out, nil
}

// RetentionController is the controller of a learner's records: the body
// maintaining the newest plan (the LA when it maintains it), else the
// learner's school or FEI, else their LA.
func RetentionController(l *Learner, plans []*Plan) string {
	var newest *Plan
	for _, p := range plans {
		if p.LearnerID != l.ID || p.MaintainerID == "" {
			continue
		}
		if newest == nil || p.CreatedAt.After(newest.CreatedAt) || (p.CreatedAt.Equal(newest.CreatedAt) && p.ID > newest.ID) {
			newest = p
		}
	}
	if newest != nil {
		return newest.MaintainerID
	}
	if l.SettingID != "" {
		return l.SettingID
	}
	return l.LAID
}

// RetentionDue is the day the learner's records pass the rule (the day
// after the last day they are kept); false when the rule does not apply
// yet (a plan still maintained under the "ceased" basis).
func (r RetentionRule) RetentionDue(l *Learner, plans []*Plan) (Date, bool) {
	switch r.Basis {
	case RetentionFromBirth:
		if l.DateOfBirth.IsZero() {
			return Date{}, false
		}
		return l.DateOfBirth.AddYears(r.Years), true
	case RetentionFromEnd:
		var end Date
		n := 0
		for _, p := range plans {
			if p.LearnerID != l.ID {
				continue
			}
			n++
			if !p.Ceased() || p.Cessation == nil || p.Cessation.DecidedOn.IsZero() {
				return Date{}, false
			}
			if p.Cessation.DecidedOn.After(end) {
				end = p.Cessation.DecidedOn
			}
		}
		if n == 0 {
			return Date{}, false
		}
		return end.AddYears(r.Years), true
	}
	return Date{}, false
}

// RetentionStatus is where a retention review stands.
type RetentionStatus string

const (
	// RetentionListed: past retention, waiting for approval.
	RetentionListed RetentionStatus = "LISTED"
	// RetentionApproved: approved; the worker erases the records (and
	// resumes after a crash until done).
	RetentionApproved RetentionStatus = "APPROVED"
	// RetentionErased: erased, with a tombstone in the audit.
	RetentionErased RetentionStatus = "ERASED"
)

// PrefixRetention is the prefix of retention review ids: "ret_" + the
// learner id, one per learner.
const PrefixRetention = "ret_"

// RetentionReviewID is the id of a learner's retention review.
func RetentionReviewID(learnerID string) string { return PrefixRetention + learnerID }

// RetentionReview is a learner listed as past retention. It holds ids,
// dates and the rule only, never the learner's details, and stays after
// the erasure as part of its record.
type RetentionReview struct {
	ID           string
	LearnerID    string
	ControllerID string
	// LAID is the learner's LA when listed, so officers of the LA see it.
	LAID     string
	Rule     string // as configured when listed, e.g. "dob+31y"
	DueOn    Date
	Status   RetentionStatus
	ListedAt time.Time
	// ApprovedBy and ApprovedAt are set by the approval.
	ApprovedBy string
	ApprovedAt time.Time
	ErasedAt   time.Time
}

// AuditErased is the action of an erasure's tombstone in the audit.
const AuditErased = "erased"

// ErasureTombstoneID is the id of a learner's erasure tombstone (one per
// learner, so writing it twice is a no-op).
func ErasureTombstoneID(learnerID string) string { return PrefixAudit + "erased_" + learnerID }

// ErasureCounts are the records an erasure removed, by kind (for logs and
// the tombstone; no ids).
type ErasureCounts map[string]int

// RetentionQuery lists retention reviews by due date then id.
type RetentionQuery struct {
	// Status filters on one status ("" for LISTED and APPROVED).
	Status RetentionStatus
	// ControllerIDs and LAIDs, when either is set, keep the reviews of
	// those controllers or LAs only.
	ControllerIDs []string
	LAIDs         []string
	AfterID       string
	Limit         int
}

// RetentionStore keeps the retention reviews and erases learners.
type RetentionStore interface {
	// ListRetentionCandidate stores r unless the learner has a review
	// already; true when it was stored.
	ListRetentionCandidate(ctx context.Context, r *RetentionReview) (bool, error)
	RetentionReviewsByID(ctx context.Context, ids []string) ([]*RetentionReview, error)
	// RetentionReviews lists the open reviews (LISTED, APPROVED) matching q;
	// ERASED reviews are read by id.
	RetentionReviews(ctx context.Context, q RetentionQuery) ([]*RetentionReview, error)
	// ApproveRetention moves a LISTED review to APPROVED; CONFLICT when it
	// is not LISTED, NOT_FOUND when there is none.
	ApproveRetention(ctx context.Context, id, by string, at time.Time) (*RetentionReview, error)
	// FinishRetention marks an APPROVED review ERASED (idempotent).
	FinishRetention(ctx context.Context, id string, at time.Time) error
	// EraseLearner removes every record held about the learner, their
	// audit trail included. It is idempotent and resumable: run again
	// after a crash it removes what is left, and on a learner erased
	// already it changes nothing. keepAuditID, when set, is an audit event
	// of the learner it leaves (the tombstone).
	EraseLearner(ctx context.Context, learnerID, keepAuditID string) (ErasureCounts, error)
	// RetentionCursor and SetRetentionCursor keep where the scan stopped.
	RetentionCursor(ctx context.Context) (string, error)
	SetRetentionCursor(ctx context.Context, cursor string) error
}
