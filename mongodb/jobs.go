package mongodb

import (
	"context"
	"maps"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/cynllun/cynllun"
)

// jobDoc is a stored cynllun.Job (the outbox of asynchronous work).
type jobDoc struct {
	ID         string     `bson:"_id"`
	Kind       string     `bson:"kind"`
	Priority   string     `bson:"priority"`
	Status     string     `bson:"status"`
	Attempts   int        `bson:"attempts"`
	ErrorCode  string     `bson:"errorCode"`
	LearnerID  string     `bson:"learnerId"`
	PlanID     string     `bson:"planId"`
	Version    int        `bson:"version"`
	Language   string     `bson:"language"`
	PlanCheck  bool       `bson:"planCheck,omitempty"`
	ReviewID   string     `bson:"reviewId,omitempty"`
	Revision   int        `bson:"revision,omitempty"`
	CaseID     string     `bson:"caseId,omitempty"`
	BundleID   string     `bson:"bundleId,omitempty"`
	FileID     string     `bson:"fileId"`
	CreatedAt  time.Time  `bson:"createdAt"`
	CreatedBy  string     `bson:"createdBy"`
	UpdatedAt  time.Time  `bson:"updatedAt"`
	StartedAt  *time.Time `bson:"startedAt,omitempty"`
	FinishedAt *time.Time `bson:"finishedAt,omitempty"`
}

func toJobDoc(j *cynllun.Job) *jobDoc {
	return &jobDoc{
		ID:         j.ID,
		Kind:       string(j.Kind),
		Priority:   string(j.Priority),
		Status:     string(j.Status),
		Attempts:   j.Attempts,
		ErrorCode:  string(j.ErrorCode),
		LearnerID:  j.LearnerID,
		PlanID:     j.PlanID,
		Version:    j.Version,
		Language:   string(j.Language),
		PlanCheck:  j.PlanCheck,
		ReviewID:   j.ReviewID,
		Revision:   j.Revision,
		CaseID:     j.CaseID,
		BundleID:   j.BundleID,
		FileID:     j.FileID,
		CreatedAt:  bsonTime(j.CreatedAt),
		CreatedBy:  j.CreatedBy,
		UpdatedAt:  bsonTime(j.UpdatedAt),
		StartedAt:  optTime(j.StartedAt),
		FinishedAt: optTime(j.FinishedAt),
	}
}

func fromJobDoc(d *jobDoc) (*cynllun.Job, error) {
	return &cynllun.Job{
		ID:         d.ID,
		Kind:       cynllun.JobKind(d.Kind),
		Priority:   cynllun.JobPriority(d.Priority),
		Status:     cynllun.JobStatus(d.Status),
		Attempts:   d.Attempts,
		ErrorCode:  cynllun.Code(d.ErrorCode),
		LearnerID:  d.LearnerID,
		PlanID:     d.PlanID,
		Version:    d.Version,
		Language:   cynllun.RenderLanguage(d.Language),
		PlanCheck:  d.PlanCheck,
		ReviewID:   d.ReviewID,
		Revision:   d.Revision,
		CaseID:     d.CaseID,
		BundleID:   d.BundleID,
		FileID:     d.FileID,
		CreatedAt:  fromTime(d.CreatedAt),
		CreatedBy:  d.CreatedBy,
		UpdatedAt:  fromTime(d.UpdatedAt),
		StartedAt:  fromOptTime(d.StartedAt),
		FinishedAt: fromOptTime(d.FinishedAt),
	}, nil
}

// Jobs are reached by _id (lookup.go): the jobs of a plan version and of
// a review revision are each one lookup document, written before the job
// (a job's plan, version, review and revision are fixed when it is
// created), and the unfinished jobs are one lookup document, jobs/
// unfinished, whose entries carry each job's updatedAt: written before the
// job's insert, moved after each update that leaves it unfinished, and
// removed after the update that finishes it (a finished job never starts
// again). So an entry exists for every unfinished job and its time is
// never later than the job's, and the reconciler's scan reads that one
// document and then only the jobs it picks, by _id, checking each. The
// document's size grows with the jobs not yet finished (a backlog), never
// with the collection.

// Lookup kinds of jobs: the _id of a lookup document is kind + "/" + key.
const (
	lkJobsOfVersion  = "jobsOfVersion"  // cynllun.VersionID → job id: true
	lkJobsOfRevision = "jobsOfRevision" // cynllun.ReviewRevisionID → job id: true
	lkJobs           = "jobs"           // "unfinished" → job id: updatedAt
)

// unfinishedKey is the key of the unfinished jobs' lookup.
const unfinishedKey = "unfinished"

// jobMembers are d's entries in the lookups of its version and revision;
// with value nil they are removed.
func jobMembers(d *jobDoc, value any) []member {
	var ms []member
	if d.PlanID != "" {
		ms = append(ms, member{kind: lkJobsOfVersion, key: cynllun.VersionID(d.PlanID, d.Version), id: d.ID, value: value})
	}
	if d.ReviewID != "" {
		ms = append(ms, member{kind: lkJobsOfRevision, key: cynllun.ReviewRevisionID(d.ReviewID, d.Revision), id: d.ID, value: value})
	}
	return ms
}

// unfinished says whether a job can still leave its status.
func unfinished(status string) bool {
	return status == string(cynllun.JobPending) || status == string(cynllun.JobRunning)
}

// unfinishedMember is d's entry in the unfinished jobs' lookup: its
// updatedAt while it is unfinished, a removal once it is finished.
func unfinishedMember(d *jobDoc) member {
	m := member{kind: lkJobs, key: unfinishedKey, id: d.ID}
	if unfinished(d.Status) {
		m.value = d.UpdatedAt
	}
	return m
}

// CreateJob inserts j with a plain insert, its entries first; CONFLICT
// when a job with its ID exists (the unique _id is what makes a
// deterministic job id, such as cynllun.RenderJobID, start a piece of work
// at most once). Entries this call wrote that the stored job does not
// have are removed again.
func (db *DB) CreateJob(ctx context.Context, j *cynllun.Job) error {
	const op = "mongodb.CreateJob"
	d := toJobDoc(j)
	ms := append(jobMembers(d, true), unfinishedMember(d))
	if err := db.setMembers(ctx, ms...); err != nil {
		return cynllun.Internal(op, err)
	}
	_, err := db.coll(collJobs).InsertOne(ctx, d)
	if err == nil {
		return nil
	}
	db.compensate(ctx, op, j.ID, func(ctx context.Context) error {
		stored, ok, rerr := oneByID[jobDoc](ctx, db.coll(collJobs), j.ID, nil)
		if rerr != nil {
			return rerr
		}
		undo := jobMembers(d, nil)
		if !ok {
			// Not stored: no entry of this job is true.
			return db.setMembers(ctx, append(undo, member{kind: lkJobs, key: unfinishedKey, id: d.ID})...)
		}
		// Stored (a duplicate): its own entries win over this call's.
		return db.setMembers(ctx, append(append(undo, jobMembers(&stored, true)...), unfinishedMember(&stored))...)
	})
	return insertErr(op, "job", err)
}

// JobsByID returns the jobs found, in any order.
func (db *DB) JobsByID(ctx context.Context, ids []string) ([]*cynllun.Job, error) {
	const op = "mongodb.JobsByID"
	docs, err := byIDs[jobDoc](ctx, db, collJobs, ids)
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	return convertJobs(op, docs)
}

// UpdateJob replaces the stored job with the same ID, then moves or
// removes its unfinished entry; NOT_FOUND when there is none. It is a
// plain replace with no version guard (FerretDB could not enforce one
// under concurrency): the JobStore contract has a single writer per job.
func (db *DB) UpdateJob(ctx context.Context, j *cynllun.Job) error {
	const op = "mongodb.UpdateJob"
	d := toJobDoc(j)
	res, err := db.coll(collJobs).ReplaceOne(ctx, bson.D{{Key: "_id", Value: j.ID}}, d)
	if err != nil {
		return cynllun.Internal(op, err)
	}
	if res.MatchedCount == 0 {
		return cynllun.NotFound(op, "job")
	}
	if err := db.setMembers(ctx, unfinishedMember(d)); err != nil {
		// The job is stored; its entry, older, still leads the
		// reconciler to it, and a finished job's entry is removed there.
		return cynllun.Internal(op, err)
	}
	return nil
}

// jobsOf reads the jobs listed under key in the lookup of kind, keeps
// those keep accepts and orders them oldest first (by createdAt, then id).
func (db *DB) jobsOf(ctx context.Context, op, kind, key string, keep func(*jobDoc) bool) ([]*cynllun.Job, error) {
	m, err := lookupMembers[bool](ctx, db, kind, []string{key})
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	docs, err := byIDs[jobDoc](ctx, db, collJobs, slices.Collect(maps.Keys(m[key])))
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	docs = slices.DeleteFunc(docs, func(d jobDoc) bool { return !keep(&d) })
	slices.SortFunc(docs, func(a, b jobDoc) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return convertJobs(op, docs)
}

// JobsForVersion lists the jobs of one plan version, oldest first (by
// createdAt, then _id): the version's lookup, then the jobs by _id.
func (db *DB) JobsForVersion(ctx context.Context, planID string, version int) ([]*cynllun.Job, error) {
	if planID == "" {
		return nil, nil
	}
	return db.jobsOf(ctx, "mongodb.JobsForVersion", lkJobsOfVersion, cynllun.VersionID(planID, version), func(d *jobDoc) bool {
		return d.PlanID == planID && d.Version == version
	})
}

// JobsForReview lists the jobs of one revision of a review, oldest first:
// the revision's lookup, then the jobs by _id.
func (db *DB) JobsForReview(ctx context.Context, reviewID string, revision int) ([]*cynllun.Job, error) {
	if reviewID == "" {
		return nil, nil
	}
	return db.jobsOf(ctx, "mongodb.JobsForReview", lkJobsOfRevision, cynllun.ReviewRevisionID(reviewID, revision), func(d *jobDoc) bool {
		return d.ReviewID == reviewID && d.Revision == revision
	})
}

// jobKey orders jobs by (updatedAt, id).
type jobKey struct {
	at time.Time
	id string
}

func compareJobKeys(a, b jobKey) int {
	if c := a.at.Compare(b.at); c != 0 {
		return c
	}
	return strings.Compare(a.id, b.id)
}

// abandonedCreate is how long after its time the entry of a job that is
// not stored is taken for the leftover of an interrupted CreateJob (which
// writes the entry just before the insert) and removed.
const abandonedCreate = time.Hour

// UnfinishedJobs lists PENDING and RUNNING jobs whose updatedAt is strictly
// before before, least recently updated first (then by _id), at most limit
// (default 50, at most 1000). The reconciler uses it to find jobs whose
// task was lost or whose worker died. It reads the unfinished jobs' lookup
// and then, in the entries' order, the jobs by _id, checking each; the
// entries of jobs found finished (an update interrupted before its entry's
// removal), or missing long after their time, are removed. An entry's time is never later than its job's, so
// no job due is missed; one moment behind (an update between its replace
// and its entry's move) can at most take a job's place in the order.
func (db *DB) UnfinishedJobs(ctx context.Context, before time.Time, n int) ([]*cynllun.Job, error) {
	const op = "mongodb.UnfinishedJobs"
	cutoff := ceilMillis(before)
	m, err := lookupMembers[time.Time](ctx, db, lkJobs, []string{unfinishedKey})
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	keys := make([]jobKey, 0, len(m[unfinishedKey]))
	for id, at := range m[unfinishedKey] {
		if at.Before(cutoff) {
			keys = append(keys, jobKey{at, id})
		}
	}
	slices.SortFunc(keys, compareJobKeys)
	n = limit(n)
	var (
		out   []jobDoc
		stale []member
	)
	for len(keys) > 0 && len(out) < n {
		take := keys[:min(n-len(out), len(keys))]
		keys = keys[len(take):]
		ids := make([]string, len(take))
		for i, k := range take {
			ids[i] = k.id
		}
		docs, err := byIDs[jobDoc](ctx, db, collJobs, ids)
		if err != nil {
			return nil, cynllun.Internal(op, err)
		}
		found := make(map[string]bool, len(docs))
		for i := range docs {
			d := &docs[i]
			found[d.ID] = true
			switch {
			case !unfinished(d.Status):
				stale = append(stale, member{kind: lkJobs, key: unfinishedKey, id: d.ID})
			case d.UpdatedAt.Before(cutoff):
				out = append(out, *d)
			}
		}
		for _, k := range take {
			if !found[k.id] && k.at.Before(cutoff.Add(-abandonedCreate)) {
				stale = append(stale, member{kind: lkJobs, key: unfinishedKey, id: k.id})
			}
		}
	}
	if len(stale) > 0 {
		// Finished jobs never start again, and abandoned creates never
		// finish, so their entries can go.
		if err := db.setMembers(ctx, stale...); err != nil {
			db.log.WarnContext(ctx, "could not remove the entries of finished jobs", "jobs", len(stale), "error", err)
		}
	}
	slices.SortFunc(out, func(a, b jobDoc) int { return compareJobKeys(jobKey{a.UpdatedAt, a.ID}, jobKey{b.UpdatedAt, b.ID}) })
	return convertJobs(op, out)
}

// backfillJobs builds the jobs' lookups from the jobs.
func backfillJobs(ctx context.Context, db *DB) error {
	return eachDoc(ctx, db, collJobs, nil, func(d *jobDoc) error {
		ms := jobMembers(d, true)
		if unfinished(d.Status) {
			ms = append(ms, unfinishedMember(d))
		}
		return db.setMembers(ctx, ms...)
	})
}

func init() { registerBackfill("jobs", backfillJobs) }

// ceilMillis rounds t up to whole milliseconds. Stored times are whole
// milliseconds, so "stored < ceilMillis(t)" is exactly "stored < t", where
// truncating t (as the driver does) would drop a job updated in t's own
// millisecond but before t.
func ceilMillis(t time.Time) time.Time {
	u := bsonTime(t)
	if u.Before(t) {
		u = u.Add(time.Millisecond)
	}
	return u
}

func convertJobs(op string, docs []jobDoc) ([]*cynllun.Job, error) {
	out, err := convertAll(docs, fromJobDoc)
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	return out, nil
}
