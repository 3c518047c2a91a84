package cynllun

import (
	"context"
	"io"
	"time"
)

// Store is the persistence port the services use. The MongoDB adapter
// implements it. Every method returns *Error values: NOT_FOUND, CONFLICT
// (duplicate key) or INTERNAL.
type Store interface {
	LearnerStore
	OrganisationStore
	PlanStore
	UserStore
	AuditStore
	JobStore
	FileStore
	ReviewStore
	SessionStore
	DeadlineStore
	NoticeStore
	CaseStore
	IdempotencyStore
	LifecycleStore
	InvitationStore
	SubjectAccessStore
	RetentionStore
	OutboxStore
	// Ping checks the database is reachable (readiness).
	Ping(ctx context.Context) error
}

// LearnerQuery lists learners in Scope, ordered by SortKey then ID.
type LearnerQuery struct {
	Scope Scope
	// NamePrefix matches the start of the family name, given name or
	// preferred name after folding (case and diacritics: "sion" finds "Siôn").
	NamePrefix string
	LAID       string
	SettingID  string
	// After is the cursor: list learners strictly after (AfterKey, AfterID).
	AfterKey string
	AfterID  string
	// Before bounds the list too: learners strictly before (BeforeKey,
	// BeforeID), when set.
	BeforeKey string
	BeforeID  string
	// Last takes the Limit learners nearest Before (the end of the list
	// when it is not set) rather than those after After; they are
	// returned in list order all the same.
	Last  bool
	Limit int
}

// LearnerSortKey is the key learners are listed in: folded family name, then
// folded given name.
func LearnerSortKey(l *Learner) string {
	return Fold(l.FamilyName) + "\x00" + Fold(l.GivenName)
}

type LearnerStore interface {
	// CreateLearner inserts l (ID set by the caller).
	CreateLearner(ctx context.Context, l *Learner) error
	// UpdateLearner replaces the stored learner with the same ID.
	UpdateLearner(ctx context.Context, l *Learner) error
	// LearnersByID returns the learners found, in any order, in one round trip.
	LearnersByID(ctx context.Context, ids []string) ([]*Learner, error)
	ListLearners(ctx context.Context, q LearnerQuery) ([]*Learner, error)
	CountLearners(ctx context.Context, q LearnerQuery) (int, error)
	// LearnerPage is ListLearners and CountLearners (cursor and limit
	// aside) in one read.
	LearnerPage(ctx context.Context, q LearnerQuery) ([]*Learner, int, error)
}

// OrgQuery lists organisations ordered by Name then ID.
type OrgQuery struct {
	Kind       OrgKind // "" for all
	LAID       string  // schools/FEIs in this LA
	NamePrefix string
	AfterKey   string
	AfterID    string
	// BeforeKey and BeforeID, when set, bound the list too.
	BeforeKey string
	BeforeID  string
	// Last takes the Limit organisations nearest Before; they are returned
	// in list order all the same.
	Last  bool
	Limit int
}

type OrganisationStore interface {
	// CreateOrganisation inserts o; CONFLICT when the ID exists.
	CreateOrganisation(ctx context.Context, o *Organisation) error
	OrganisationsByID(ctx context.Context, ids []string) ([]*Organisation, error)
	ListOrganisations(ctx context.Context, q OrgQuery) ([]*Organisation, error)
	// CountOrganisations counts what ListOrganisations would list without
	// cursors or a limit.
	CountOrganisations(ctx context.Context, q OrgQuery) (int, error)
}

type PlanStore interface {
	// CreatePlan stores a new plan and its first version. Either both are
	// visible afterwards or neither is.
	CreatePlan(ctx context.Context, p *Plan, v1 *Version) error
	PlansByID(ctx context.Context, ids []string) ([]*Plan, error)
	// PlansByLearner returns every plan of the given learners, oldest first.
	PlansByLearner(ctx context.Context, learnerIDs []string) ([]*Plan, error)
	// InsertVersion appends v. When (PlanID, Number) exists it returns a
	// CONFLICT *Error with Current set to the latest version number.
	InsertVersion(ctx context.Context, v *Version) error
	// LatestVersions returns the latest version number of each plan found,
	// read afresh (Plan.Latest is the number as read with the plan).
	LatestVersions(ctx context.Context, planIDs []string) (map[string]int, error)
	// PlanHeads returns each plan's newest version and newest FINAL version
	// (the plan in force), read afresh, by _id.
	PlanHeads(ctx context.Context, planIDs []string) (map[string]PlanHeads, error)
	// VersionsByID returns whole versions (with content) by VersionID.
	VersionsByID(ctx context.Context, ids []string) ([]*Version, error)
	// ListVersions lists a plan's versions without content, by Number
	// ascending, those with Number > after, at most limit.
	ListVersions(ctx context.Context, planID string, after, limit int) ([]*Version, error)
}

type UserStore interface {
	// UpsertUser creates or replaces a user.
	UpsertUser(ctx context.Context, u *User) error
	UserByID(ctx context.Context, id string) (*User, error)
	// UserAccess returns the user and every relationship of theirs, ended
	// or not, in one round trip (authentication); NOT_FOUND when there is
	// no such user.
	UserAccess(ctx context.Context, id string) (*User, []Relationship, error)
	CreateRelationship(ctx context.Context, r *Relationship) error
	RelationshipByID(ctx context.Context, id string) (*Relationship, error)
	// RelationshipsForUser returns every relationship of the user, ended or not.
	RelationshipsForUser(ctx context.Context, userID string) ([]Relationship, error)
	// RelationshipsForLearner returns learner-scoped relationships (parent,
	// self, advocate) of a learner, ended or not.
	RelationshipsForLearner(ctx context.Context, learnerID string) ([]Relationship, error)
	// RelationshipsForOrgs returns the organisation-scoped relationships
	// (staff, officers) of the organisations, ended or not.
	RelationshipsForOrgs(ctx context.Context, orgIDs []string) ([]Relationship, error)
	// UsersByID returns the users found, in any order.
	UsersByID(ctx context.Context, ids []string) ([]*User, error)
	// AccountsByID returns the users found, each with every relationship
	// of theirs (ended or not, oldest first), in any order: one read by
	// _id per user, concurrent, as UserAccess reads one.
	AccountsByID(ctx context.Context, ids []string) ([]Account, error)
	// EndRelationship sets EndedAt (idempotent: an earlier EndedAt is kept).
	EndRelationship(ctx context.Context, id string, at time.Time) error
}

// AuditQuery lists a learner's audit events, newest first.
type AuditQuery struct {
	LearnerID string
	// Before is the cursor: events strictly before (BeforeAt, BeforeID).
	BeforeAt time.Time
	BeforeID string
	// After, when set, bounds the list too: events strictly after
	// (AfterAt, AfterID), which come first in the list.
	AfterAt time.Time
	AfterID string
	// Oldest takes the Limit events nearest After (the oldest of the
	// window) rather than the newest; they are returned newest first all
	// the same.
	Oldest bool
	Limit  int
}

type AuditStore interface {
	// RecordAudit inserts events in one round trip.
	RecordAudit(ctx context.Context, events []AuditEvent) error
	ListAudit(ctx context.Context, q AuditQuery) ([]AuditEvent, error)
	// CountAudit counts a learner's events, at most limit (0: no bound).
	CountAudit(ctx context.Context, learnerID string, limit int) (int, error)
}

type JobStore interface {
	// CreateJob inserts j; CONFLICT when a job with its ID exists.
	CreateJob(ctx context.Context, j *Job) error
	// JobsByID returns the jobs found, in any order, in one round trip.
	JobsByID(ctx context.Context, ids []string) ([]*Job, error)
	// UpdateJob replaces the stored job with the same ID (NOT_FOUND when
	// there is none). Only the worker holding the job's task, or the
	// reconciler when no worker holds it, writes a job.
	UpdateJob(ctx context.Context, j *Job) error
	// JobsForVersion lists the jobs of one plan version, oldest first.
	JobsForVersion(ctx context.Context, planID string, version int) ([]*Job, error)
	// JobsForReview lists the jobs of one revision of a review, oldest first.
	JobsForReview(ctx context.Context, reviewID string, revision int) ([]*Job, error)
	// UnfinishedJobs lists PENDING and RUNNING jobs last updated before
	// before, oldest first, at most limit.
	UnfinishedJobs(ctx context.Context, before time.Time, limit int) ([]*Job, error)
}

type FileStore interface {
	// PutFile stores data under f.ID with f as its metadata. It is
	// idempotent: when the file exists already nothing is written, and the
	// leftovers of an interrupted earlier write are replaced.
	PutFile(ctx context.Context, f *File, data []byte) error
	// PutFileFrom is PutFile reading the bytes from r (from its start on
	// every attempt), for files too large to hold in memory twice.
	PutFileFrom(ctx context.Context, f *File, r io.ReadSeeker) error
	// FileByID returns a file's metadata.
	FileByID(ctx context.Context, id string) (*File, error)
	// FilesByID returns the metadata of the files found, in any order.
	FilesByID(ctx context.Context, ids []string) ([]*File, error)
	// ReadFile returns a file's bytes.
	ReadFile(ctx context.Context, id string) ([]byte, error)
}

type ReviewStore interface {
	// InsertReview appends revision r.Revision of review r.ID. When that
	// revision exists it returns a CONFLICT *Error with Current set to the
	// latest revision number.
	InsertReview(ctx context.Context, r *Review) error
	// ReviewsByID returns the latest revision of each review found, in any
	// order.
	ReviewsByID(ctx context.Context, ids []string) ([]*Review, error)
	// ReviewsForPlans returns the latest revision of every review of the
	// plans, oldest review first.
	ReviewsForPlans(ctx context.Context, planIDs []string) ([]*Review, error)
	// ListReviews lists the reviews of q.Scope (by the learner, and by
	// the learner's LA and setting when each was last saved), latest
	// revision of each, in q.Order between q's keys.
	ListReviews(ctx context.Context, q WorkQuery) ([]*Review, error)
	// CountReviews counts, by learner, what ListReviews would list without
	// keys or a limit, from the index alone: at most q.Limit (0: no bound).
	CountReviews(ctx context.Context, q WorkQuery) (map[string]int, error)
	// ReviewRevisions returns every revision of a review, oldest first.
	ReviewRevisions(ctx context.Context, reviewID string) ([]*Review, error)
	// ReviewRevision returns one revision; NOT_FOUND when there is none.
	ReviewRevision(ctx context.Context, reviewID string, revision int) (*Review, error)
}

// SessionQuery selects a plan's ledger entries.
type SessionQuery struct {
	PlanID string
	// RowID, when set, selects one 2B row.
	RowID string
	// From and To bound the session dates (inclusive); zero: unbounded.
	From, To Date
}

type SessionStore interface {
	// InsertSessions inserts every session or none: when the batch fails
	// part-way, the sessions inserted are removed again.
	InsertSessions(ctx context.Context, ss []Session) error
	// Sessions lists entries (voided ones too) by date, then id.
	Sessions(ctx context.Context, q SessionQuery) ([]Session, error)
	// SessionsByID returns the sessions found, in any order.
	SessionsByID(ctx context.Context, ids []string) ([]Session, error)
	// VoidSession marks a session voided; a session voided already keeps
	// its first void. NOT_FOUND when there is none.
	VoidSession(ctx context.Context, id string, at time.Time, by, reason string) error
}

// DeadlineQuery lists deadlines by due date (those with no due date last),
// then id.
type DeadlineQuery struct {
	// Scope limits the learners (as for learners: by id, setting or LA);
	// an empty scope matches nothing.
	Scope     Scope
	LearnerID string
	OrgID     string
	RuleIDs   []string
	// Statuses filters on the status on Today (OPEN and MISSED are both
	// open deadlines, told apart by the due date).
	Statuses []DeadlineStatus
	Today    Date
	DueFrom  Date
	DueTo    Date
	// AfterDue and AfterID are the cursor: deadlines strictly after it
	// (AfterDue is the due date, or "~" for none, which sorts last).
	AfterDue string
	AfterID  string
	// BeforeDue and BeforeID, when set, bound the list too: deadlines
	// strictly before them.
	BeforeDue string
	BeforeID  string
	// Last takes the Limit deadlines nearest Before (the end of the list
	// when it is not set) rather than those after After; they are returned
	// in list order all the same.
	Last  bool
	Limit int
}

type DeadlineStore interface {
	// InsertEvent stores a statutory event (CONFLICT when its id exists).
	InsertEvent(ctx context.Context, e *StatutoryEvent) error
	// EventsForLearner lists a learner's events, by date then id.
	EventsForLearner(ctx context.Context, learnerID string) ([]StatutoryEvent, error)
	// InsertDeadlines stores deadlines; ids that exist already are left as
	// they are (a clock is started once).
	InsertDeadlines(ctx context.Context, ds []*Deadline) error
	// DeadlinesByID returns the deadlines found, in any order.
	DeadlinesByID(ctx context.Context, ids []string) ([]*Deadline, error)
	// OpenDeadlines lists the deadlines of a learner (or of a plan, when
	// planID is set) that have no closure.
	OpenDeadlines(ctx context.Context, learnerID, planID string) ([]*Deadline, error)
	// CloseDeadline sets a deadline's closure unless it has one; false when
	// it was closed already (the first closure stays).
	CloseDeadline(ctx context.Context, id string, c Closure) (bool, error)
	// ExtendDeadline moves an open deadline's due date and records why,
	// unless it is closed or extended already (the first extension stays);
	// false when nothing changed.
	ExtendDeadline(ctx context.Context, id string, due Date, e DeadlineExtension) (bool, error)
	ListDeadlines(ctx context.Context, q DeadlineQuery) ([]*Deadline, error)
	// CountDeadlines counts what ListDeadlines would list without cursors
	// or a limit, by learner, from the deadlines' index alone: at most
	// q.Limit deadlines in all are counted (0: no bound).
	CountDeadlines(ctx context.Context, q DeadlineQuery) (map[string]int, error)
	// DueDeadlines lists open deadlines with a due date on or before
	// before, by id after afterID, at most limit (the notice scanner).
	DueDeadlines(ctx context.Context, before Date, afterID string, limit int) ([]*Deadline, error)
}

type NoticeStore interface {
	// InsertNotices stores notices; ids that exist already are left as
	// they are. It returns the ids it inserted.
	InsertNotices(ctx context.Context, ns []*Notice) ([]string, error)
	NoticesByID(ctx context.Context, ids []string) ([]*Notice, error)
	// UpdateNotice replaces a notice; only the worker holding its task
	// writes it.
	UpdateNotice(ctx context.Context, n *Notice) error
	// NoticesForDeadline lists a deadline's notices, oldest first.
	NoticesForDeadline(ctx context.Context, deadlineID string) ([]*Notice, error)
	// PendingNotices lists PENDING notices last updated before before,
	// oldest first, at most limit (to queue again those Redis lost).
	PendingNotices(ctx context.Context, before time.Time, limit int) ([]*Notice, error)
	// InsertDelivery appends to the delivery log.
	InsertDelivery(ctx context.Context, d *Delivery) error
	// DeliveriesForNotices lists the deliveries of notices, oldest first.
	DeliveriesForNotices(ctx context.Context, noticeIDs []string) ([]Delivery, error)

	CreateEndpoint(ctx context.Context, e *WebhookEndpoint) error
	EndpointsByID(ctx context.Context, ids []string) ([]*WebhookEndpoint, error)
	// EndpointsForOrgs lists the endpoints of organisations, active or not.
	EndpointsForOrgs(ctx context.Context, orgIDs []string) ([]*WebhookEndpoint, error)
	// UpdateEndpoint replaces an endpoint (secret rotation, failures,
	// disabling): a plain replace, last write wins.
	UpdateEndpoint(ctx context.Context, e *WebhookEndpoint) error
}

type CaseStore interface {
	// InsertCase appends revision c.Revision of case c.ID. When that
	// revision exists it returns a CONFLICT *Error with Current set to the
	// latest revision number.
	InsertCase(ctx context.Context, c *Case) error
	// CasesByID returns the latest revision of each case found, in any
	// order.
	CasesByID(ctx context.Context, ids []string) ([]*Case, error)
	// CasesForLearners returns the latest revision of every case of the
	// learners, oldest case first.
	CasesForLearners(ctx context.Context, learnerIDs []string) ([]*Case, error)
	// ListCases lists the cases of q.Scope (by the learner, and by the
	// learner's LA and setting when each was last saved), latest revision
	// of each, in q.Order between q's keys.
	ListCases(ctx context.Context, q WorkQuery) ([]*Case, error)
	// CountCases counts, by learner, what ListCases would list without
	// keys or a limit, from the index alone: at most q.Limit (0: no bound).
	CountCases(ctx context.Context, q WorkQuery) (map[string]int, error)
	// CaseRevisions returns every revision of a case, oldest first.
	CaseRevisions(ctx context.Context, caseID string) ([]*Case, error)

	// InsertEvidence stores an evidence document (CONFLICT when its id
	// exists).
	InsertEvidence(ctx context.Context, e *CaseEvidence) error
	EvidenceByID(ctx context.Context, ids []string) ([]*CaseEvidence, error)
	// EvidenceForCase lists a case's evidence, withdrawn too, in the order
	// it was added (CreatedAt, then id).
	EvidenceForCase(ctx context.Context, caseID string) ([]*CaseEvidence, error)
	// WithdrawEvidence marks evidence withdrawn; evidence withdrawn already
	// keeps its first withdrawal. NOT_FOUND when there is none.
	WithdrawEvidence(ctx context.Context, id string, at time.Time, by, reason string) error
	// SetEvidenceState saves an evidence document's state (side, disclosure,
	// withdrawal, history, seq; never its content) when its stored seq is
	// prevSeq, else CONFLICT with the current seq.
	SetEvidenceState(ctx context.Context, e *CaseEvidence, prevSeq int) error

	// InsertBundle stores bundle version b.Number of case b.CaseID. When
	// that number exists it returns a CONFLICT *Error with Current set to
	// the latest number.
	InsertBundle(ctx context.Context, b *Bundle) error
	BundlesByID(ctx context.Context, ids []string) ([]*Bundle, error)
	// BundlesForCase lists a case's bundle versions, by number.
	BundlesForCase(ctx context.Context, caseID string) ([]*Bundle, error)
	// CompleteBundle records a render's result (FileID, ManifestFileID,
	// Manifest, Pages, RenderedAt of b) unless one is recorded: the first
	// result stays. NOT_FOUND when there is no such bundle.
	CompleteBundle(ctx context.Context, b *Bundle) error
}
