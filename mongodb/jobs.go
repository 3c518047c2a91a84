package mongodb

import (
	"context"
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

// CreateJob inserts j with a plain insert; CONFLICT when a job with its ID
// exists (the unique _id is what makes a deterministic job id, such as
// cynllun.RenderJobID, start a piece of work at most once).
func (db *DB) CreateJob(ctx context.Context, j *cynllun.Job) error {
	const op = "mongodb.CreateJob"
	if _, err := db.coll(collJobs).InsertOne(ctx, toJobDoc(j)); err != nil {
		return insertErr(op, "job", err)
	}
	return nil
}

// JobsByID returns the jobs found, in any order, in one round trip.
func (db *DB) JobsByID(ctx context.Context, ids []string) ([]*cynllun.Job, error) {
	const op = "mongodb.JobsByID"
	docs, err := byIDs[jobDoc](ctx, db, collJobs, ids)
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	return convertJobs(op, docs)
}

// UpdateJob replaces the stored job with the same ID; NOT_FOUND when there
// is none. It is a plain replace with no version guard (FerretDB could not
// enforce one under concurrency): the JobStore contract has a single
// writer per job.
func (db *DB) UpdateJob(ctx context.Context, j *cynllun.Job) error {
	const op = "mongodb.UpdateJob"
	res, err := db.coll(collJobs).ReplaceOne(ctx, bson.D{{Key: "_id", Value: j.ID}}, toJobDoc(j))
	if err != nil {
		return cynllun.Internal(op, err)
	}
	if res.MatchedCount == 0 {
		return cynllun.NotFound(op, "job")
	}
	return nil
}

// jobOrder is oldest first, then by id.
var jobOrder = bson.D{{Key: "createdAt", Value: 1}, {Key: "_id", Value: 1}}

// JobsForVersion lists the jobs of one plan version, oldest first (by
// createdAt, then _id).
func (db *DB) JobsForVersion(ctx context.Context, planID string, version int) ([]*cynllun.Job, error) {
	const op = "mongodb.JobsForVersion"
	if planID == "" {
		return nil, nil
	}
	filter := bson.D{{Key: "planId", Value: planID}, {Key: "version", Value: version}}
	docs, err := findAll[jobDoc](ctx, db.coll(collJobs), filter, allOpts().SetSort(jobOrder))
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	return convertJobs(op, docs)
}

// JobsForReview lists the jobs of one revision of a review, oldest first.
func (db *DB) JobsForReview(ctx context.Context, reviewID string, revision int) ([]*cynllun.Job, error) {
	const op = "mongodb.JobsForReview"
	if reviewID == "" {
		return nil, nil
	}
	filter := bson.D{{Key: "reviewId", Value: reviewID}, {Key: "revision", Value: revision}}
	docs, err := findAll[jobDoc](ctx, db.coll(collJobs), filter, allOpts().SetSort(jobOrder))
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	return convertJobs(op, docs)
}

// unfinishedStatuses are the statuses a job can still leave.
var unfinishedStatuses = bson.A{string(cynllun.JobPending), string(cynllun.JobRunning)}

// UnfinishedJobs lists PENDING and RUNNING jobs whose updatedAt is strictly
// before before, least recently updated first (then by _id), at most limit
// (default 50, at most 1000). The reconciler uses it to find jobs whose
// task was lost or whose worker died.
func (db *DB) UnfinishedJobs(ctx context.Context, before time.Time, n int) ([]*cynllun.Job, error) {
	const op = "mongodb.UnfinishedJobs"
	filter := bson.D{
		{Key: "status", Value: bson.D{{Key: "$in", Value: unfinishedStatuses}}},
		{Key: "updatedAt", Value: bson.D{{Key: "$lt", Value: ceilMillis(before)}}},
	}
	opts := pageOpts(limit(n)).SetSort(bson.D{{Key: "updatedAt", Value: 1}, {Key: "_id", Value: 1}})
	docs, err := findAll[jobDoc](ctx, db.coll(collJobs), filter, opts)
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	return convertJobs(op, docs)
}

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
