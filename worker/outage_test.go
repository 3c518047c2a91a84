package worker_test

import (
	"errors"
	"testing"
	"time"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/internal/redistest"
	"github.com/cynllun/cynllun/seed"
	"github.com/cynllun/cynllun/service"
	"github.com/cynllun/cynllun/worker"
)

// TestRedisDownWritesStayFast: with Redis stopped, saving a plan version
// (whose announcement is best-effort) and asking for a render (whose job is
// recorded and queued later by the reconciler) still succeed, each within
// a second rather than the client's dial-and-retry time; an enqueue fails
// fast with ErrQueueUnavailable.
func TestRedisDownWritesStayFast(t *testing.T) {
	url, stop := redistest.StartStoppable(t)
	e := newEnvOn(t, url)
	// Warm up while Redis runs: the first calls open connections.
	n, err := e.db.LatestVersions(e.ctx, []string{seed.PlanID})
	if err != nil {
		t.Fatal(err)
	}
	cur, err := e.svc.Version(e.ctx, seed.PlanID, n[seed.PlanID])
	if err != nil {
		t.Fatal(err)
	}
	stop()
	const within = time.Second
	for i, step := range []struct {
		name string
		run  func() error
	}{
		{"saveVersion", func() error {
			v, err := e.svc.SaveVersion(e.ctx, service.SaveInput{PlanID: seed.PlanID, ExpectedVersion: cur.Number,
				Status: cynllun.VersionDraft, Content: cur.Content, Comment: "while Redis is down"})
			if err == nil {
				cur = v
			}
			return err
		}},
		{"saveVersion again", func() error {
			v, err := e.svc.SaveVersion(e.ctx, service.SaveInput{PlanID: seed.PlanID, ExpectedVersion: cur.Number,
				Status: cynllun.VersionDraft, Content: cur.Content, Comment: "still down"})
			if err == nil {
				cur = v
			}
			return err
		}},
		{"renderPlan", func() error {
			_, err := e.svc.RenderPlan(e.ctx, service.RenderInput{PlanID: seed.PlanID, Language: cynllun.RenderCY})
			return err
		}},
	} {
		start := time.Now()
		err := step.run()
		took := time.Since(start)
		t.Logf("%s with Redis down: %v", step.name, took)
		if err != nil {
			t.Fatalf("step %d, %s with Redis down: %v", i, step.name, err)
		}
		if took > within {
			t.Fatalf("%s with Redis down took %v, want under %v", step.name, took, within)
		}
	}
	start := time.Now()
	err = worker.NewClient(e.rdb).Enqueue(e.ctx, &cynllun.Job{ID: "job_outage", Kind: cynllun.JobRenderPlan})
	if !errors.Is(err, worker.ErrQueueUnavailable) || time.Since(start) > within {
		t.Fatalf("enqueue with Redis down: %v after %v, want ErrQueueUnavailable at once", err, time.Since(start))
	}
}
