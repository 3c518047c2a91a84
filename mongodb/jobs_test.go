package mongodb

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/cynllun/cynllun"
)

func newJob(planID string, version int, status cynllun.JobStatus, created, updated time.Time) *cynllun.Job {
	return &cynllun.Job{
		ID:        cynllun.NewID(cynllun.PrefixJob),
		Kind:      cynllun.JobRenderPlan,
		Priority:  cynllun.PriorityInteractive,
		Status:    status,
		LearnerID: "lrn_job",
		PlanID:    planID,
		Version:   version,
		Language:  cynllun.RenderBilingual,
		CreatedAt: created,
		CreatedBy: "usr_alnco",
		UpdatedAt: updated,
	}
}

func mustCreateJobs(t *testing.T, jobs ...*cynllun.Job) {
	t.Helper()
	for _, j := range jobs {
		if err := testDB.CreateJob(t.Context(), j); err != nil {
			t.Fatalf("CreateJob: %v", err)
		}
	}
}

func jobIDs(jobs []*cynllun.Job) []string {
	out := make([]string, len(jobs))
	for i, j := range jobs {
		out[i] = j.ID
	}
	return out
}

func TestJobCreateGetUpdate(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	planID := cynllun.NewID(cynllun.PrefixPlan)

	pending := newJob(planID, 1, cynllun.JobPending, t0, t0)
	pending.ID = cynllun.RenderJobID(planID, 1, cynllun.RenderBilingual, 1)
	// Every field set, including the optional times and the error code.
	failed := newJob(planID, 2, cynllun.JobFailed, t0, t0.Add(3*time.Minute))
	failed.Priority = cynllun.PriorityBulk
	failed.Language = cynllun.RenderCY
	failed.Attempts = 3
	failed.ErrorCode = cynllun.CodeInternal
	failed.StartedAt = t0.Add(time.Minute)
	failed.FinishedAt = t0.Add(3 * time.Minute)
	failed.RequestID = "req-42"
	// A bundle render: its case and bundle version.
	bundle := newJob("", 0, cynllun.JobPending, t0, t0)
	bundle.Kind = cynllun.JobRenderBundle
	bundle.CaseID = cynllun.NewID(cynllun.PrefixCase)
	bundle.BundleID = cynllun.BundleID(bundle.CaseID, 1)
	bundle.ID = cynllun.BundleJobID(bundle.BundleID, 1)
	mustCreateJobs(t, pending, failed, bundle)

	t.Run("JobsByID", func(t *testing.T) {
		got, err := testDB.JobsByID(ctx, []string{failed.ID, pending.ID, pending.ID, bundle.ID, "job_none", ""})
		if err != nil {
			t.Fatal(err)
		}
		want := []*cynllun.Job{pending, failed, bundle}
		if diff := cmp.Diff(want, got, cmpopts.SortSlices(func(a, b *cynllun.Job) bool { return a.ID < b.ID })); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
		none, err := testDB.JobsByID(ctx, nil)
		if err != nil || len(none) != 0 {
			t.Errorf("JobsByID(nil) = %v, %v", none, err)
		}
	})

	t.Run("create conflict", func(t *testing.T) {
		dup := newJob(planID, 9, cynllun.JobRunning, t0, t0)
		dup.ID = pending.ID
		err := testDB.CreateJob(ctx, dup)
		if codeOf(err) != cynllun.CodeConflict {
			t.Fatalf("CreateJob of an existing id = %v, want CONFLICT", err)
		}
		asError(t, err)
		got, err := testDB.JobsByID(ctx, []string{pending.ID})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]*cynllun.Job{pending}, got); diff != "" {
			t.Errorf("the existing job changed (-want +got):\n%s", diff)
		}
	})

	t.Run("update", func(t *testing.T) {
		running := *pending
		running.Status = cynllun.JobRunning
		running.Attempts = 1
		running.StartedAt = t0.Add(time.Second)
		running.UpdatedAt = t0.Add(time.Second)
		if err := testDB.UpdateJob(ctx, &running); err != nil {
			t.Fatalf("UpdateJob: %v", err)
		}
		done := running
		done.Status = cynllun.JobSucceeded
		done.FileID = cynllun.FileIDFor("ab12")
		done.FinishedAt = t0.Add(2 * time.Second)
		done.UpdatedAt = done.FinishedAt
		if err := testDB.UpdateJob(ctx, &done); err != nil {
			t.Fatalf("UpdateJob: %v", err)
		}
		got, err := testDB.JobsByID(ctx, []string{pending.ID})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]*cynllun.Job{&done}, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})

	t.Run("update not found", func(t *testing.T) {
		ghost := newJob(planID, 1, cynllun.JobRunning, t0, t0)
		err := testDB.UpdateJob(ctx, ghost)
		if codeOf(err) != cynllun.CodeNotFound {
			t.Fatalf("UpdateJob of a missing job = %v, want NOT_FOUND", err)
		}
		if got, err := testDB.JobsByID(ctx, []string{ghost.ID}); err != nil || len(got) != 0 {
			t.Errorf("UpdateJob of a missing job created it: %v, %v", got, err)
		}
	})
}

func TestJobsForVersion(t *testing.T) {
	t.Parallel()
	planID, otherPlan := cynllun.NewID(cynllun.PrefixPlan), cynllun.NewID(cynllun.PrefixPlan)
	late := newJob(planID, 2, cynllun.JobSucceeded, t0.Add(time.Hour), t0.Add(time.Hour))
	early := newJob(planID, 2, cynllun.JobFailed, t0, t0)
	// Two created in the same millisecond: _id decides.
	tieA := newJob(planID, 2, cynllun.JobPending, t0.Add(time.Minute), t0.Add(time.Minute))
	tieB := newJob(planID, 2, cynllun.JobRunning, t0.Add(time.Minute), t0.Add(time.Minute))
	tieA.ID, tieB.ID = "job_"+planID+"_a", "job_"+planID+"_b"
	v1 := newJob(planID, 1, cynllun.JobSucceeded, t0, t0)
	other := newJob(otherPlan, 2, cynllun.JobPending, t0, t0)
	mustCreateJobs(t, late, tieB, early, v1, tieA, other)

	tests := []struct {
		name    string
		planID  string
		version int
		want    []*cynllun.Job
	}{
		{"oldest first, ties by id", planID, 2, []*cynllun.Job{early, tieA, tieB, late}},
		{"other version", planID, 1, []*cynllun.Job{v1}},
		{"other plan", otherPlan, 2, []*cynllun.Job{other}},
		{"no jobs", planID, 3, nil},
		{"no plan", "", 2, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := testDB.JobsForVersion(t.Context(), tt.planID, tt.version)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// unfinishedRuns counts the runs of TestUnfinishedJobs in this process.
var unfinishedRuns atomic.Int32

func TestUnfinishedJobs(t *testing.T) {
	t.Parallel()
	// Times long before every other test's jobs, which are also in the
	// collection: only this test's jobs are older than its cutoffs. Each
	// run (-count) starts a day earlier than the one before, so the jobs of
	// earlier runs in the same database are after its cutoffs.
	base := time.Date(1999, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -int(unfinishedRuns.Add(1)))
	planID := cynllun.NewID(cynllun.PrefixPlan)
	at := func(m int) time.Time { return base.Add(time.Duration(m) * time.Minute) }

	running := newJob(planID, 1, cynllun.JobRunning, at(0), at(3))
	pending := newJob(planID, 1, cynllun.JobPending, at(0), at(1))
	succeeded := newJob(planID, 1, cynllun.JobSucceeded, at(0), at(0))
	failed := newJob(planID, 1, cynllun.JobFailed, at(0), at(2))
	// Updated in the same millisecond: _id decides.
	tieA := newJob(planID, 2, cynllun.JobPending, at(0), at(5))
	tieB := newJob(planID, 2, cynllun.JobRunning, at(0), at(5))
	tieA.ID, tieB.ID = "job_"+planID+"_a", "job_"+planID+"_b"
	recent := newJob(planID, 3, cynllun.JobPending, at(0), at(10))
	mustCreateJobs(t, tieB, recent, running, succeeded, pending, failed, tieA)

	tests := []struct {
		name   string
		before time.Time
		limit  int
		want   []*cynllun.Job
	}{
		{"unfinished only, least recently updated first", at(4), 0, []*cynllun.Job{pending, running}},
		{"strictly before", at(3), 0, []*cynllun.Job{pending}},
		{"same millisecond, earlier in it", at(3).Add(500 * time.Microsecond), 0, []*cynllun.Job{pending, running}},
		{"ties by id", at(6), 0, []*cynllun.Job{pending, running, tieA, tieB}},
		{"limit", at(6), 3, []*cynllun.Job{pending, running, tieA}},
		{"all of them", at(11), 100, []*cynllun.Job{pending, running, tieA, tieB, recent}},
		{"none", at(1), 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := testDB.UnfinishedJobs(t.Context(), tt.before, tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(jobIDs(tt.want), jobIDs(got), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
