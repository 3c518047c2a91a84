package worker_test

import (
	"context"
	"errors"
	"log/slog"
	"sync"
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

// errorLog is a log handler that records the messages of ERROR records.
type errorLog struct {
	mu     *sync.Mutex
	errors *[]string
}

func newErrorLog() errorLog { return errorLog{mu: &sync.Mutex{}, errors: new([]string)} }

func (h errorLog) Enabled(context.Context, slog.Level) bool { return true }
func (h errorLog) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if r.Level >= slog.LevelError {
		msg := r.Message
		r.Attrs(func(a slog.Attr) bool { msg += " " + a.String(); return true })
		*h.errors = append(*h.errors, msg)
	}
	return nil
}
func (h errorLog) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h errorLog) WithGroup(string) slog.Handler      { return h }

func (h errorLog) recorded() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), *h.errors...)
}

// TestCleanShutdownLogsNoError: a worker with its periodic tasks
// scheduled, started and stopped cleanly, logs no ERROR (asynq's
// scheduler used to fail to close the shared Redis client at every stop).
func TestCleanShutdownLogsNoError(t *testing.T) {
	e := newEnv(t)
	log := newErrorLog()
	w := worker.New(e.rdb, worker.Config{Concurrency: 1, ReconcileEvery: time.Hour, NoticeScanEvery: time.Hour,
		ShutdownTimeout: time.Second, Logger: slog.New(log)})
	w.Handle(worker.TypeRenderPlan, worker.NewRenderHandler(e.db, e.bus, nil))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	time.Sleep(500 * time.Millisecond)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// The Redis client the worker was given still works after it.
	if err := e.rdb.Ping(context.Background()).Err(); err != nil {
		t.Fatalf("the shared Redis client after the worker stopped: %v", err)
	}
	if errs := log.recorded(); len(errs) != 0 {
		t.Fatalf("a clean shutdown logged ERROR: %q", errs)
	}
}
