package cynllun

import (
	"context"
	"time"
)

// The transactional outbox (issue 19). A write that implies further writes
// (a saved FINAL version implies IDP_GIVEN, which closes the clocks to
// decide and give a plan and starts the review period; a review request
// implies REVIEW_REQUESTED; a conclusion implies its concluding revision
// and REVIEW_CONCLUDED; every saved version is announced) records what it
// implies as an outbox entry before it writes, then applies the entry and
// removes it. There are no multi-document transactions: every write is one
// document, every follow-up is idempotent (an implied event's id derives
// from the record that implies it, so applying an entry twice changes
// nothing), and a relay, running in every process that runs the worker,
// applies any entry left behind (its writer died or failed) once the
// writer's lease on it has run out. An entry holds ids, dates and the
// decision it records; it is deleted once applied, so the outbox holds only
// what is pending.

// OutboxKind is what an entry makes happen.
type OutboxKind string

const (
	// OutboxVersion: the follow-ups of a saved version (Ref, its
	// VersionID): IDP_GIVEN when it is the plan's first FINAL version,
	// and its announcement. Nothing when the version was never stored.
	OutboxVersion OutboxKind = "VERSION"
	// OutboxEvent: a statutory event Cynllun derives (EventKind, Cause,
	// PlanID, ReviewID, On, By) once the review revision it follows
	// (ReviewID, Revision) is stored. Nothing when it was never stored.
	OutboxEvent OutboxKind = "EVENT"
	// OutboxConclusion: the claim on a review's conclusion (its id is
	// ConclusionClaimID of the review): the concluding revision and
	// REVIEW_CONCLUDED. A REVISED decision is applied once its FINAL
	// version (linked to the review) is stored; without it the claim is
	// released and nothing of the conclusion stands.
	OutboxConclusion OutboxKind = "CONCLUSION"
	// OutboxPlan: a plan being created (Ref, its id). Once the plan is
	// stored nothing is left to do; a creation that died part-way is
	// cleaned up (its unreachable version 1 removed, its key released)
	// so it can be made again.
	OutboxPlan OutboxKind = "PLAN"
	// OutboxChange: what a plan's lifecycle change (Ref, its id; PlanID)
	// implies: the learner's record after a move, the clocks carried to
	// the new body or closed at a cessation, and the statutory events of
	// the change. Nothing when the change was never stored.
	OutboxChange OutboxKind = "CHANGE"
	// OutboxCase: the statutory events of a case revision (Ref, the
	// case's id; Revision): the events of its dates that the revision
	// before did not have (DECISION_NOTICE_GIVEN, DISAGREEMENT_REFERRED,
	// APPEAL_MADE, TRIBUNAL_DECISION_SENT) and the clocks of the events a
	// correction replaced closed as not applicable, re-derived from the
	// stored revisions. Nothing when the revision was never stored.
	OutboxCase OutboxKind = "CASE"
)

// OutboxEntry is one pending entry.
type OutboxEntry struct {
	ID   string
	Kind OutboxKind
	// Ref is the record the entry follows (a version id, a plan id, a
	// case id).
	Ref string
	// Token names the request that recorded the entry (a conclusion's
	// claim is released by its holder only).
	Token string
	// The event of an OutboxEvent, and the review of an OutboxEvent or
	// OutboxConclusion (Revision: the review's revision, or the case's of
	// an OutboxCase).
	EventKind EventKind
	Cause     string
	PlanID    string
	LearnerID string
	ReviewID  string
	Revision  int
	On        Date
	By        string
	// KeyID is the idempotency claim of a plan's creation.
	KeyID string
	// Decision and Comment: the concluding revision of an
	// OutboxConclusion (Decision.Version: the revised plan's number).
	Decision *Decision
	Comment  string
	// RecordedAt is when the entry was recorded; LeasedUntil is when its
	// holder's lease runs out (the relay takes entries past it); Attempts
	// counts the relay's tries.
	RecordedAt  time.Time
	LeasedUntil time.Time
	Attempts    int
}

// ConclusionClaimID is the id of the claim on review reviewID's conclusion:
// one per review, so a second concluder finds it taken.
func ConclusionClaimID(reviewID string) string { return "conclude/" + reviewID }

// OutboxStore keeps the outbox.
type OutboxStore interface {
	// RecordOutbox stores e (an entry with its id stored already stays).
	RecordOutbox(ctx context.Context, e *OutboxEntry) error
	// ClaimOutbox stores e unless an entry with its id exists: then it is
	// CONFLICT (a claim held by someone else).
	ClaimOutbox(ctx context.Context, e *OutboxEntry) error
	// LeaseOutbox takes entry id when its lease ran out by now, leasing it
	// until until (and counting an attempt); false when it is leased to
	// someone else or gone.
	LeaseOutbox(ctx context.Context, id string, now, until time.Time) (*OutboxEntry, bool, error)
	// FinishOutbox removes entry id (only when its token is token, unless
	// token is empty).
	FinishOutbox(ctx context.Context, id, token string) error
	// PendingOutbox lists at most limit entries, oldest first.
	PendingOutbox(ctx context.Context, limit int) ([]*OutboxEntry, error)
	// AbandonPlan removes what an interrupted creation of plan planID of
	// learner learnerID left: its version 1 and its learner's pending copy,
	// unless the plan itself is stored (then it confirms the copy). It
	// reports whether the plan exists.
	AbandonPlan(ctx context.Context, planID, learnerID string) (bool, error)
	// RepairPlanHeads moves plan planID's heads up to the versions stored
	// after them (a save that died between its version and its heads) and
	// returns the latest number.
	RepairPlanHeads(ctx context.Context, planID string) (int, error)
	// RepairCaseHead moves case caseID's head up to the revisions stored
	// after it (a write that died between a revision and its head) and
	// returns the latest revision (0: none stored).
	RepairCaseHead(ctx context.Context, caseID string) (int, error)
}
