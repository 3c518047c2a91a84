package mongodb

import (
	"context"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/cynllun/cynllun"
)

// Tests of the jobs' lookups (jobs.go).

// flatJobRuns counts the calls of flatJobBase in this process.
var flatJobRuns atomic.Int32

// flatJobBase is a day of the caller's own, after TestUnfinishedJobs'
// times (so its lists stay its own) and before every other test's jobs.
// The unfinished jobs listed here include TestUnfinishedJobs' and earlier
// runs': checks keep to the test's own plan.
func flatJobBase() time.Time {
	return time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(flatJobRuns.Add(1)))
}

// ofPlan keeps the jobs of planID.
func ofPlan(planID string, js []*cynllun.Job) []*cynllun.Job {
	return slices.DeleteFunc(js, func(j *cynllun.Job) bool { return j.PlanID != planID })
}

// unfinishedEntry says whether the unfinished jobs' lookup has id.
func unfinishedEntry(t *testing.T, id string) bool {
	t.Helper()
	key := unfinishedBucket(id)
	m, err := lookupMembers[time.Time](t.Context(), testDB, lkJobs, []string{key})
	if err != nil {
		t.Fatal(err)
	}
	_, ok := m[key][id]
	return ok
}

func TestJobReadsAreFlat(t *testing.T) {
	t.Parallel()
	base := flatJobBase()
	planID, reviewID := cynllun.NewID(cynllun.PrefixPlan), cynllun.NewID(cynllun.PrefixReview)
	var jobs []*cynllun.Job
	for i := range 5 {
		j := newJob(planID, 1, cynllun.JobPending, base.Add(time.Duration(i)*time.Minute), base.Add(time.Duration(i)*time.Minute))
		j.ReviewID, j.Revision = reviewID, 2
		jobs = append(jobs, j)
	}
	mustCreateJobs(t, jobs...)
	tests := []struct {
		name              string
		read              func(context.Context) ([]*cynllun.Job, error)
		want              []*cynllun.Job
		maxEmbedded, maxM int
	}{
		{"JobsForVersion", func(ctx context.Context) ([]*cynllun.Job, error) { return testDB.JobsForVersion(ctx, planID, 1) }, jobs, 6, 2},
		{"JobsForReview", func(ctx context.Context) ([]*cynllun.Job, error) { return testDB.JobsForReview(ctx, reviewID, 2) }, jobs, 6, 2},
		{"JobsForReview, other revision", func(ctx context.Context) ([]*cynllun.Job, error) { return testDB.JobsForReview(ctx, reviewID, 1) }, nil, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []*cynllun.Job
			var err error
			cmds := commands(t, func(ctx context.Context) { got, err = tt.read(ctx) })
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(jobIDs(got), jobIDs(tt.want)) {
				t.Errorf("got %v, want %v", jobIDs(got), jobIDs(tt.want))
			}
			wantFlat(t, cmds, tt.maxEmbedded, tt.maxM)
		})
	}
	t.Run("UnfinishedJobs", func(t *testing.T) {
		var got []*cynllun.Job
		var err error
		cmds := commands(t, func(ctx context.Context) { got, err = testDB.UnfinishedJobs(ctx, base.Add(3*time.Minute), 1000) })
		if err != nil {
			t.Fatal(err)
		}
		// The buckets (and the older single document), then the jobs
		// listed (older jobs of other tests too), by _id.
		wantFlat(t, cmds, 1+unfinishedBuckets+len(got), 2)
		if want := jobIDs(jobs[:3]); !slices.Equal(jobIDs(ofPlan(planID, got)), want) {
			t.Errorf("got %v, want %v", jobIDs(ofPlan(planID, got)), want)
		}
	})
}

// TestUnfinishedEntries: a job's entry goes when it finishes; the entries
// an interrupted update or create leaves are removed by the scan. Not in
// parallel: its stale entries would make another test's scan write.
func TestUnfinishedEntries(t *testing.T) {
	ctx := t.Context()
	base := flatJobBase()
	planID := cynllun.NewID(cynllun.PrefixPlan)
	done := newJob(planID, 1, cynllun.JobPending, base, base)
	crashed := newJob(planID, 1, cynllun.JobRunning, base, base)
	mustCreateJobs(t, done, crashed)
	if !unfinishedEntry(t, done.ID) || !unfinishedEntry(t, crashed.ID) {
		t.Fatal("a created unfinished job has no entry")
	}

	done.Status, done.UpdatedAt, done.FinishedAt = cynllun.JobSucceeded, base.Add(time.Minute), base.Add(time.Minute)
	if err := testDB.UpdateJob(ctx, done); err != nil {
		t.Fatal(err)
	}
	if unfinishedEntry(t, done.ID) {
		t.Error("a finished job kept its entry")
	}

	// Finished with the entry's removal lost.
	crashed.Status, crashed.UpdatedAt = cynllun.JobFailed, base.Add(time.Minute)
	if _, err := testDB.coll(collJobs).ReplaceOne(ctx, bson.D{{Key: "_id", Value: crashed.ID}}, toJobDoc(crashed)); err != nil {
		t.Fatal(err)
	}
	// A create interrupted between its entries and its insert.
	ghost := newJob(planID, 1, cynllun.JobPending, base, base)
	if err := testDB.setMembers(ctx, unfinishedMember(toJobDoc(ghost))); err != nil {
		t.Fatal(err)
	}
	got, err := testDB.UnfinishedJobs(ctx, base.Add(2*time.Hour), 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range ofPlan(planID, got) {
		t.Errorf("listed %s (%s)", j.ID, j.Status)
	}
	if unfinishedEntry(t, crashed.ID) || unfinishedEntry(t, ghost.ID) {
		t.Error("the scan left the entries of a finished job or an abandoned create")
	}

	// A job updated and still unfinished moves its entry.
	moved := newJob(planID, 2, cynllun.JobPending, base, base)
	mustCreateJobs(t, moved)
	moved.Status, moved.Attempts, moved.UpdatedAt = cynllun.JobRunning, 1, base.Add(5*time.Minute)
	if err := testDB.UpdateJob(ctx, moved); err != nil {
		t.Fatal(err)
	}
	if got, err := testDB.UnfinishedJobs(ctx, base.Add(4*time.Minute), 1000); err != nil || len(ofPlan(planID, got)) != 0 {
		t.Errorf("UnfinishedJobs before its update = %v, %v", jobIDs(ofPlan(planID, got)), err)
	}
	if got, err := testDB.UnfinishedJobs(ctx, base.Add(6*time.Minute), 1000); err != nil || !slices.Equal(jobIDs(ofPlan(planID, got)), []string{moved.ID}) {
		t.Errorf("UnfinishedJobs after its update = %v, %v", jobIDs(ofPlan(planID, got)), err)
	}
}

// TestCreateJobConflictKeepsEntries: a duplicate create leaves the stored
// job's entries, not its own.
func TestCreateJobConflictKeepsEntries(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	base := flatJobBase()
	planID := cynllun.NewID(cynllun.PrefixPlan)
	stored := newJob(planID, 1, cynllun.JobSucceeded, base, base)
	mustCreateJobs(t, stored)
	dup := newJob(planID, 7, cynllun.JobPending, base, base)
	dup.ID = stored.ID
	if err := testDB.CreateJob(ctx, dup); codeOf(err) != cynllun.CodeConflict {
		t.Fatalf("CreateJob of an existing id = %v, want CONFLICT", err)
	}
	if unfinishedEntry(t, stored.ID) {
		t.Error("a finished job got an unfinished entry from a duplicate create")
	}
	m, err := lookupMembers[bool](ctx, testDB, lkJobsOfVersion, []string{cynllun.VersionID(planID, 7)})
	if err != nil || len(m) != 0 && len(m[cynllun.VersionID(planID, 7)]) != 0 {
		t.Errorf("the duplicate's version entry stayed: %v, %v", m, err)
	}
	if got, err := testDB.JobsForVersion(ctx, planID, 1); err != nil || !slices.Equal(jobIDs(got), []string{stored.ID}) {
		t.Errorf("JobsForVersion = %v, %v", jobIDs(got), err)
	}
}

// TestJobBackfill: the backfill builds the lookups of jobs stored before
// them.
func TestJobBackfill(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	base := flatJobBase()
	planID, reviewID := cynllun.NewID(cynllun.PrefixPlan), cynllun.NewID(cynllun.PrefixReview)
	pending := newJob(planID, 3, cynllun.JobPending, base, base)
	finished := newJob(planID, 3, cynllun.JobSucceeded, base.Add(time.Minute), base.Add(time.Minute))
	meeting := newJob(planID, 3, cynllun.JobRunning, base.Add(2*time.Minute), base.Add(2*time.Minute))
	meeting.Kind, meeting.ReviewID, meeting.Revision = cynllun.JobRenderMeeting, reviewID, 1
	for _, j := range []*cynllun.Job{pending, finished, meeting} {
		if _, err := testDB.coll(collJobs).InsertOne(ctx, toJobDoc(j)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := testDB.coll(collLookups).DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: bson.A{
		lookupID(lkJobsOfVersion, cynllun.VersionID(planID, 3)), lookupID(lkJobsOfRevision, cynllun.ReviewRevisionID(reviewID, 1)),
	}}}}}); err != nil {
		t.Fatal(err)
	}
	if got, err := testDB.JobsForVersion(ctx, planID, 3); err != nil || len(got) != 0 {
		t.Fatalf("before the backfill JobsForVersion = %v, %v", jobIDs(got), err)
	}
	if err := backfillJobs(ctx, testDB); err != nil {
		t.Fatal(err)
	}
	if got, err := testDB.JobsForVersion(ctx, planID, 3); err != nil || !slices.Equal(jobIDs(got), jobIDs([]*cynllun.Job{pending, finished, meeting})) {
		t.Errorf("JobsForVersion = %v, %v", jobIDs(got), err)
	}
	if got, err := testDB.JobsForReview(ctx, reviewID, 1); err != nil || !slices.Equal(jobIDs(got), []string{meeting.ID}) {
		t.Errorf("JobsForReview = %v, %v", jobIDs(got), err)
	}
	if got, err := testDB.UnfinishedJobs(ctx, base.Add(time.Hour), 1000); err != nil || !slices.Equal(jobIDs(ofPlan(planID, got)), []string{pending.ID, meeting.ID}) {
		t.Errorf("UnfinishedJobs = %v, %v", jobIDs(ofPlan(planID, got)), err)
	}
}
