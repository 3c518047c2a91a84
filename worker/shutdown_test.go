package worker_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/docgen"
	"github.com/cynllun/cynllun/worker"
)

// TestRenderPastShutdownTimeout: a render still running when the worker's
// shutdown timeout ends is handed back to the queue, and its job records
// how the attempt ended (written with a context the shutdown does not
// cancel): PENDING with the error, waiting for the retry, whether the
// renderer failed or its result could no longer be stored. It never stays
// RUNNING, and the task is back in its queue.
func TestRenderPastShutdownTimeout(t *testing.T) {
	for _, tc := range []struct {
		name string
		fail bool
		want cynllun.JobStatus
	}{
		{"renders, storing cancelled", false, cynllun.JobPending},
		{"fails", true, cynllun.JobPending},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			started := make(chan struct{})
			h := worker.NewRenderHandler(e.db, e.bus, nil)
			h.Render = func(doc docgen.PlanDoc, lang docgen.Lang) ([]byte, error) {
				close(started)
				time.Sleep(time.Second) // past the shutdown timeout
				if tc.fail {
					return nil, errors.New("the render stopped")
				}
				return docgen.RenderPlan(doc, lang)
			}
			w := worker.New(e.rdb, worker.Config{Concurrency: 1, ReconcileEvery: -1, NoticeScanEvery: -1, ShutdownTimeout: 200 * time.Millisecond})
			w.Handle(worker.TypeRenderPlan, h)
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- w.Run(ctx) }()
			job := e.render(cynllun.RenderEN)
			select {
			case <-started:
			case <-time.After(30 * time.Second):
				t.Fatal("the render never started")
			}
			cancel()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			// Run has returned: the outcome is written already.
			j, err := e.svc.Job(e.ctx, job.ID)
			if err != nil {
				t.Fatal(err)
			}
			if j.Status != tc.want || j.Attempts != 1 {
				t.Fatalf("job after the shutdown: %s, attempts %d; want %s after 1", j.Status, j.Attempts, tc.want)
			}
			if j.ErrorCode == "" || !j.FinishedAt.IsZero() {
				t.Fatalf("a handed-back attempt: code %q, finished %v", j.ErrorCode, j.FinishedAt)
			}
			info, err := asynq.NewInspectorFromRedisClient(e.rdb).GetTaskInfo(worker.QueueCritical, job.ID)
			if err != nil || info.State != asynq.TaskStatePending || info.Retried != 0 {
				t.Fatalf("the task after the shutdown: %+v, %v; want pending, not retried", info, err)
			}
		})
	}
}
