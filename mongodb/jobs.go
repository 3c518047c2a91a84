package mongodb

import (
	"context"
	"fmt"
	"hash/fnv"
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
	HTMLFileID string     `bson:"htmlFileId,omitempty"`
	CreatedAt  time.Time  `bson:"createdAt"`
	CreatedBy  string     `bson:"createdBy"`
	RequestID  string     `bson:"requestId,omitempty"`
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
		HTMLFileID: j.HTMLFileID,
		CreatedAt:  bsonTime(j.CreatedAt),
		CreatedBy:  j.CreatedBy,
		RequestID:  j.RequestID,
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
		HTMLFileID: d.HTMLFileID,
		CreatedAt:  fromTime(d.CreatedAt),
		CreatedBy:  d.CreatedBy,
		RequestID:  d.RequestID,
		UpdatedAt:  fromTime(d.UpdatedAt),
		StartedAt:  fromOptTime(d.StartedAt),
		FinishedAt: fromOptTime(d.FinishedAt),
	}, nil
}

// Jobs are reached by _id (lookup.go): the jobs of a plan version and of
// a review revision are each one lookup document, written before the job
// (a job's plan, version, review and revision are fixed when it is
// created), and the unfinished jobs are listed in unfinishedBuckets lookup
// documents, jobs/unfinished/00 … jobs/unfinished/3f, a job in the bucket
// of its id's hash. A job's entry carries its updatedAt when it was
// created: written before the job's insert, left alone by updates that
// leave it unfinished (a RUNNING or a retry costs the job's replace only),
// and removed after the update that finishes it (a finished job never
// starts again). So an entry exists for every unfinished job and its time
// is never later than the job's, and the reconciler's scan reads the
// buckets and then only the jobs it picks, by _id, checking each job's own
// time. A bucket holds about a sixty-fourth of the jobs not yet finished
// (a backlog), so the write that finishes a job rewrites a document that
// grows neither with the collection nor, much, with the backlog; jobs do
// not wait for one another on a single document. jobs/unfinished, the one
// document of databases written before the buckets, is still read (and
// emptied as its jobs finish).

// Lookup kinds of jobs: the _id of a lookup document is kind + "/" + key.
const (
	lkJobsOfVersion  = "jobsOfVersion"  // cynllun.VersionID → job id: true
	lkJobsOfRevision = "jobsOfRevision" // cynllun.ReviewRevisionID → job id: true
	lkJobs           = "jobs"           // "unfinished/<bucket>" (or "unfinished") → job id: updatedAt when listed
)

// unfinishedKey is the key of the unfinished jobs' lookup of databases
// written before the buckets; a bucket's key is unfinishedKey + "/" + two
// hex digits.
const unfinishedKey = "unfinished"

// unfinishedBuckets is how many buckets the unfinished jobs are spread over.
const unfinishedBuckets = 64

// unfinishedBucket is the key of the bucket of job id.
func unfinishedBucket(id string) string {
	h := fnv.New32a()
	h.Write([]byte(id))
	return fmt.Sprintf("%s/%02x", unfinishedKey, h.Sum32()%unfinishedBuckets)
}

// unfinishedKeys are the keys of every bucket, and the older single key.
func unfinishedKeys() []string {
	keys := []string{unfinishedKey}
	for i := range unfinishedBuckets {
		keys = append(keys, fmt.Sprintf("%s/%02x", unfinishedKey, i))
	}
	return keys
}

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
	m := member{kind: lkJobs, key: unfinishedBucket(d.ID), id: d.ID}
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
			return db.setMembers(ctx, append(undo, member{kind: lkJobs, key: unfinishedBucket(d.ID), id: d.ID})...)
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
	if unfinished(d.Status) {
		// Its entry, as old as the job or older, stays.
		return nil
	}
	// Removed from its bucket. A job of an older database listed in the
	// single older document stays there until the reconciler finds it
	// finished and removes it.
	if err := db.setMembers(ctx, unfinishedMember(d)); err != nil {
		// The job is stored; its entry still leads the reconciler to
		// it, which removes a finished job's entry.
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
	buckets := unfinishedKeys()
	m, err := lookupMembers[time.Time](ctx, db, lkJobs, buckets)
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	var keys []jobKey
	bucketOf := map[string]string{}
	for _, b := range buckets {
		for id, at := range m[b] {
			bucketOf[id] = b
			if at.Before(cutoff) {
				keys = append(keys, jobKey{at, id})
			}
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
				stale = append(stale, member{kind: lkJobs, key: bucketOf[d.ID], id: d.ID})
			case d.UpdatedAt.Before(cutoff):
				out = append(out, *d)
			}
		}
		for _, k := range take {
			if !found[k.id] && k.at.Before(cutoff.Add(-abandonedCreate)) {
				stale = append(stale, member{kind: lkJobs, key: bucketOf[k.id], id: k.id})
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
