package worker_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/docgen"
	"github.com/cynllun/cynllun/internal/redistest"
	"github.com/cynllun/cynllun/worker"
)

// makeActive moves a pending task to active with a lease ending at
// leaseEnd, as a worker that took it would (Asynq's keys).
func makeActive(t *testing.T, rdb *redis.Client, q, id string, leaseEnd time.Time) {
	t.Helper()
	ctx := context.Background()
	p := "asynq:{" + q + "}:"
	if n, err := rdb.LRem(ctx, p+"pending", 0, id).Result(); err != nil || n != 1 {
		t.Fatalf("task %s not pending: %d, %v", id, n, err)
	}
	if err := rdb.LPush(ctx, p+"active", id).Err(); err != nil {
		t.Fatal(err)
	}
	if err := rdb.ZAdd(ctx, p+"lease", redis.Z{Score: float64(leaseEnd.Unix()), Member: id}).Err(); err != nil {
		t.Fatal(err)
	}
	if err := rdb.HSet(ctx, p+"t:"+id, "state", "active").Err(); err != nil {
		t.Fatal(err)
	}
}

// TestRecovererRetriesAndArchives: tasks whose lease was last extended more
// than RecoverAfter ago, held by no live worker, are retried with an
// attempt counted and the error recorded (read back by Asynq's own
// inspector: the message encoding is Asynq's), or archived when their
// retries are used up; a task whose lease is fresh is left alone, and a
// second pass finds nothing.
func TestRecovererRetriesAndArchives(t *testing.T) {
	opts, err := redis.ParseURL(redistest.StartOwn(t))
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opts)
	t.Cleanup(func() { _ = rdb.Close() })
	c := asynq.NewClientFromRedisClient(rdb)
	q := worker.QueueBulk
	for id, retries := range map[string]int{"t_retry": 3, "t_last": 0, "t_fresh": 3} {
		if _, err := c.Enqueue(asynq.NewTask("test:x", []byte(`{}`)), asynq.TaskID(id), asynq.Queue(q), asynq.MaxRetry(retries)); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now()
	// Lease end = last extension + 30 s: extended 20 s ago, 20 s ago, 2 s ago.
	makeActive(t, rdb, q, "t_retry", now.Add(10*time.Second))
	makeActive(t, rdb, q, "t_last", now.Add(10*time.Second))
	makeActive(t, rdb, q, "t_fresh", now.Add(28*time.Second))

	var seen []string
	r := worker.NewRecoverer(rdb, func(int, error, *asynq.Task) time.Duration { return time.Hour }, nil)
	r.Recovered = func(_ context.Context, queue, id string, archived bool) {
		seen = append(seen, queue+"/"+id+map[bool]string{true: " archived", false: " retried"}[archived])
	}
	n, err := r.Recover(context.Background())
	if err != nil || n != 2 {
		t.Fatalf("recovered %d, %v; want 2 (%v)", n, err, seen)
	}
	insp := asynq.NewInspectorFromRedisClient(rdb)
	info, err := insp.GetTaskInfo(q, "t_retry")
	if err != nil || info.State != asynq.TaskStateRetry || info.Retried != 1 || !strings.Contains(info.LastErr, "no heartbeat") ||
		info.NextProcessAt.Before(now.Add(59*time.Minute)) || info.Type != "test:x" || string(info.Payload) != `{}` || info.MaxRetry != 3 {
		t.Fatalf("retried task: %+v, %v", info, err)
	}
	if info, err := insp.GetTaskInfo(q, "t_last"); err != nil || info.State != asynq.TaskStateArchived || !strings.Contains(info.LastErr, "no heartbeat") {
		t.Fatalf("task out of retries: %+v, %v", info, err)
	}
	if info, err := insp.GetTaskInfo(q, "t_fresh"); err != nil || info.State != asynq.TaskStateActive {
		t.Fatalf("task with a fresh lease: %+v, %v", info, err)
	}
	if qi, err := insp.GetQueueInfo(q); err != nil || qi.Active != 1 || qi.Retry != 1 || qi.Archived != 1 || qi.Failed != 2 {
		t.Fatalf("queue: %+v, %v", qi, err)
	}
	if n, err := r.Recover(context.Background()); err != nil || n != 0 {
		t.Fatalf("second pass recovered %d, %v", n, err)
	}
}

// TestKilledWorkerRecoveredWithin30s: a worker process killed with SIGKILL
// in the middle of a render; another worker, started at once, finishes the
// job (no longer RUNNING) within 30 s of the kill, on its second attempt,
// with nothing done to the queue by hand. Asynq alone takes 60–120 s.
func TestKilledWorkerRecoveredWithin30s(t *testing.T) {
	e := newEnv(t)
	job := e.render(cynllun.RenderEN)
	e.killChildAt("CYNLLUN_CHILD_WORKER")
	killed := time.Now()
	if mid, err := e.svc.Job(e.ctx, job.ID); err != nil || mid.Status != cynllun.JobRunning || mid.Attempts != 1 {
		t.Fatalf("after the kill: %+v, %v", mid, err)
	}
	e.startWorker(nil)
	done := e.wait(job.ID)
	took := time.Since(killed)
	t.Logf("the killed worker's job finished %.1f s after the kill", took.Seconds())
	if done.Status != cynllun.JobSucceeded || done.Attempts != 2 {
		t.Fatalf("job = %+v, want SUCCEEDED on attempt 2", done)
	}
	if took > 30*time.Second {
		t.Fatalf("the job finished %v after the kill, want within 30 s", took)
	}
	if n := e.storedFiles(); n != 2 {
		t.Fatalf("%d files stored, want exactly 2 (the PDF and the HTML rendition)", n)
	}
}

// TestRecovererLeavesRunningTasks: a live worker's task that runs longer
// than RecoverAfter (its lease extended by the heartbeat) is not taken
// from it: the job finishes on its first attempt.
func TestRecovererLeavesRunningTasks(t *testing.T) {
	e := newEnv(t)
	h := worker.NewRenderHandler(e.db, e.bus, nil)
	h.Render = func(doc docgen.PlanDoc, lang docgen.Lang) ([]byte, error) {
		time.Sleep(worker.DefaultRecoverAfter + 4*time.Second)
		return docgen.RenderPlan(doc, lang)
	}
	job := e.render(cynllun.RenderEN)
	e.startWorker(h)
	if done := e.wait(job.ID); done.Status != cynllun.JobSucceeded || done.Attempts != 1 {
		t.Fatalf("job = %+v, want SUCCEEDED on attempt 1", done)
	}
}
