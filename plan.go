package cynllun

import (
	"fmt"
	"time"
)

// Plan is an Individual Development Plan: identity and who maintains it. Its
// content lives in an append-only list of immutable Versions.
type Plan struct {
	ID        string
	LearnerID string
	// MaintainerID is the organisation that maintains the plan (a school,
	// FEI or LA); LAMaintained is true when it is a local authority.
	MaintainerID string
	LAMaintained bool
	CreatedAt    time.Time
	CreatedBy    string
	// Latest is the number of the plan's newest version and LatestFinal
	// that of its newest FINAL version (0: none), as read with the plan.
	Latest      int
	LatestFinal int
	// LatestAt is when the newest version was saved (zero when unknown).
	LatestAt time.Time
	// Status, Cessation, Maintenance and Changes are the plan's lifecycle
	// (lifecycle.go): a ceased plan is kept but not changed; Maintenance
	// is empty for a plan never moved (see MaintenanceHistory).
	Status      PlanStatus
	Cessation   *Cessation
	Maintenance []MaintenancePeriod
	Changes     []PlanChange
}

// InForce is the number of the plan's version in force: its newest FINAL
// version (a draft saved since does not displace it), or 0 when it has
// none yet.
func (p *Plan) InForce() int { return p.LatestFinal }

// PlanHeads are a plan's newest version and its newest FINAL version (the
// plan in force; 0: none).
type PlanHeads struct {
	Latest      int
	LatestFinal int
}

// InForceOr is the version in force, or the newest (a draft) while there
// is none: the version the ledger, reviews and renders use unless told
// otherwise.
func (h PlanHeads) InForceOr() int {
	if h.LatestFinal > 0 {
		return h.LatestFinal
	}
	return h.Latest
}

// Given is the day a FINAL version was given: GivenOn, or the day it was
// saved (in London) when that was not recorded. Zero for a draft.
func (v *Version) Given() Date {
	if v.Status != VersionFinal {
		return Date{}
	}
	if !v.GivenOn.IsZero() {
		return v.GivenOn
	}
	return DateOf(v.CreatedAt.In(London))
}

// VersionStatus is DRAFT or FINAL.
type VersionStatus string

const (
	VersionDraft VersionStatus = "DRAFT"
	VersionFinal VersionStatus = "FINAL"
)

// Version is one immutable version of a plan's content. Numbers start at 1
// and are contiguous; a save inserts Number = current+1 and a unique index on
// (PlanID, Number) turns a lost race into a CONFLICT.
type Version struct {
	ID          string
	PlanID      string
	LearnerID   string
	Number      int
	Status      VersionStatus
	FormVersion string
	// Content is nil when a version was listed without its content.
	Content *Content
	Comment string
	// ReviewID links a revised plan to the review that revised it.
	ReviewID string
	// QualityOverride is set when the version was finalised over
	// error-level quality findings.
	QualityOverride *QualityOverride
	CreatedAt       time.Time
	CreatedBy       string
	// GivenOn is the day a copy of this FINAL version was given (s.22, or a
	// revised plan under s.23(11)): the day a review period starts from.
	// It may be before CreatedAt (an IDP given before it was brought into
	// Cynllun); zero on drafts and on versions saved before it was kept.
	GivenOn Date
}

// VersionID is the deterministic id of a plan version, so hot reads are by _id.
func VersionID(planID string, number int) string {
	return fmt.Sprintf("%s/v%d", planID, number)
}

// QualityOverride records a decision to finalise a plan over error-level
// quality findings: who decided, when, why, and which rules they overrode.
type QualityOverride struct {
	Reason string
	By     string
	At     time.Time
	Rules  []string
}
