package worker_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/docgen"
	"github.com/cynllun/cynllun/events"
	"github.com/cynllun/cynllun/generation"
	"github.com/cynllun/cynllun/internal/redistest"
	"github.com/cynllun/cynllun/mongodb"
	"github.com/cynllun/cynllun/seed"
	"github.com/cynllun/cynllun/service"
	"github.com/cynllun/cynllun/worker"
)

// The child process of TestKilledWorkerCompletesOnce: a worker whose render
// announces itself and then hangs, so the parent can SIGKILL it mid-render.
func TestMain(m *testing.M) {
	if os.Getenv("CYNLLUN_CHILD_WORKER") == "1" {
		os.Exit(childWorker())
	}
	if os.Getenv("CYNLLUN_CHILD_NOTICE") == "1" {
		os.Exit(childNoticeWorker())
	}
	if os.Getenv("CYNLLUN_CHILD_BUNDLE") == "1" {
		os.Exit(childBundleWorker())
	}
	if os.Getenv("CYNLLUN_CHILD_EXPORT") == "1" {
		os.Exit(childExportWorker())
	}
	if os.Getenv(eraseChildEnv) == "1" {
		os.Exit(childEraser())
	}
	if os.Getenv("CYNLLUN_CHILD_OUTBOX") != "" {
		os.Exit(childOutbox())
	}
	os.Exit(m.Run())
}

func childWorker() int {
	ctx := context.Background()
	db, err := mongodb.Open(ctx, mongodb.Config{URI: os.Getenv("MONGODB_URI")})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child: open database:", err)
		return 1
	}
	opts, err := redis.ParseURL(os.Getenv("REDIS_URL"))
	if err != nil {
		return 1
	}
	rdb := redis.NewClient(opts)
	w := worker.New(rdb, worker.Config{Concurrency: 1, ReconcileEvery: -1})
	h := worker.NewRenderHandler(db, nil, nil)
	marker := os.Getenv("CYNLLUN_CHILD_MARKER")
	h.Render = func(doc docgen.PlanDoc, lang docgen.Lang) ([]byte, error) {
		_ = os.WriteFile(marker, []byte("rendering"), 0o600)
		select {} // killed here
	}
	w.Handle(worker.TypeRenderPlan, h)
	_ = w.Run(ctx)
	return 0
}

// env is the real thing: embedded FerretDB, a private redis-server, the
// sample data, and the service with a real job queue.
type env struct {
	t   testing.TB
	db  *mongodb.DB
	rdb *redis.Client
	url string
	svc *service.Service
	bus *events.Bus
	ctx context.Context // signed in as the sample ALNCo
}

func newEnv(t testing.TB) *env {
	t.Helper()
	// A server of our own: these tests flush it.
	return newEnvOn(t, redistest.StartOwn(t))
}

// newEnvOn is newEnv on the Redis server at url.
func newEnvOn(t testing.TB, url string) *env {
	t.Helper()
	ctx := context.Background()
	opts, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opts)
	t.Cleanup(func() { _ = rdb.Close() })
	// As the worker runs: with the access cache (its generation is lost
	// when a test flushes Redis, which only empties the cache).
	db, err := mongodb.Open(ctx, mongodb.Config{Generation: generation.New(rdb, mongodb.DefaultDatabase, "access")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close(context.Background()) })
	if err := seed.Sample(ctx, db, time.Now()); err != nil {
		t.Fatal(err)
	}
	bus := events.New(rdb)
	svc := service.New(db, service.WithPublisher(bus), service.WithJobQueue(worker.NewClient(rdb)))
	p, err := svc.Authenticate(ctx, seed.ALNCoID)
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, db: db, rdb: rdb, url: url, svc: svc, bus: bus, ctx: cynllun.WithPrincipal(ctx, p)}
}

// startWorker runs a worker with h (the real renderer when nil) until the
// test ends.
func (e *env) startWorker(h *worker.RenderHandler) {
	e.t.Helper()
	if h == nil {
		h = worker.NewRenderHandler(e.db, e.bus, nil)
	}
	w := worker.New(e.rdb, worker.Config{Concurrency: 2, RetryBase: 50 * time.Millisecond, ReconcileEvery: -1, ShutdownTimeout: 5 * time.Second})
	w.Handle(worker.TypeRenderPlan, h)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = w.Run(ctx) }()
	e.t.Cleanup(func() { cancel(); <-done })
}

func (e *env) render(lang cynllun.RenderLanguage) *cynllun.Job {
	e.t.Helper()
	j, err := e.svc.RenderPlan(e.ctx, service.RenderInput{PlanID: seed.PlanID, Language: lang})
	if err != nil {
		e.t.Fatal(err)
	}
	return j
}

// wait polls the job until it is finished.
func (e *env) wait(id string) *cynllun.Job {
	e.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		j, err := e.svc.Job(e.ctx, id)
		if err != nil {
			e.t.Fatal(err)
		}
		if j.Status.Finished() {
			return j
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("job %s still %s after 60s (attempts %d)", id, j.Status, j.Attempts)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// storedFiles counts the GridFS files of the sample plan.
func (e *env) storedFiles() int64 {
	e.t.Helper()
	n, err := e.db.Database().Collection("files.files").CountDocuments(context.Background(), map[string]any{"metadata.planId": seed.PlanID})
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

func pdfText(t testing.TB, pdf []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "out.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext (Debian poppler-utils; ./.ci/run installs it): %v", err)
	}
	return string(out)
}

func TestRenderLifecycle(t *testing.T) {
	e := newEnv(t)
	job := e.render(cynllun.RenderCY)
	if job.Status != cynllun.JobPending || job.Version != 2 || job.FileID != "" {
		t.Fatalf("new job = %+v", job)
	}
	updates, err := e.svc.SubscribeJob(e.ctx, job.ID)
	if err != nil {
		t.Fatal(err)
	}
	e.startWorker(nil)

	var seen []cynllun.JobStatus
	for j := range updates {
		if len(seen) == 0 || seen[len(seen)-1] != j.Status {
			seen = append(seen, j.Status)
		}
	}
	if seen[0] != cynllun.JobPending || seen[len(seen)-1] != cynllun.JobSucceeded {
		t.Fatalf("subscription saw %v, want PENDING … SUCCEEDED", seen)
	}
	done := e.wait(job.ID)
	if done.Attempts != 1 || done.ErrorCode != "" || done.StartedAt.IsZero() || done.FinishedAt.Before(done.StartedAt) {
		t.Fatalf("finished job = %+v", done)
	}
	f, data, err := e.svc.DownloadFile(e.ctx, done.FileID)
	if err != nil {
		t.Fatal(err)
	}
	if f.ContentType != "application/pdf" || f.Size != int64(len(data)) || f.Pages < 1 || f.ID != cynllun.FileIDFor(f.SHA256) {
		t.Fatalf("file = %+v (%d bytes)", f, len(data))
	}
	if !strings.Contains(f.Name, "Siôn Llywelyn") || !strings.HasSuffix(f.Name, "v2 CY.pdf") {
		t.Fatalf("file name = %q", f.Name)
	}
	text := pdfText(t, data)
	for _, want := range []string{"Siôn Llywelyn", "Tudalen 1 o"} {
		if !strings.Contains(text, want) {
			t.Fatalf("rendered PDF lacks %q", want)
		}
	}

	// The same job stored the HTML rendition of the same version, after
	// the PDF: same record and name, .html.
	hf, page, err := e.svc.DownloadFile(e.ctx, done.HTMLFileID)
	if err != nil || hf.ContentType != "text/html; charset=utf-8" || hf.Name != strings.TrimSuffix(f.Name, ".pdf")+".html" ||
		hf.PlanID != f.PlanID || hf.Version != 2 || hf.Kind != cynllun.FileRendered || hf.Pages != 0 || hf.ID == f.ID ||
		!strings.HasPrefix(string(page), "<!DOCTYPE html>") || !strings.Contains(string(page), `<html lang="cy">`) || !strings.Contains(string(page), "Siôn Llywelyn") {
		t.Fatalf("HTML rendition %+v, %v", hf, err)
	}

	// A second request returns the finished job and its files at once.
	again := e.render(cynllun.RenderCY)
	if again.ID != job.ID || again.Status != cynllun.JobSucceeded || again.FileID != done.FileID || again.HTMLFileID != done.HTMLFileID {
		t.Fatalf("second request = %+v, want the finished job", again)
	}
	// Another language is another render.
	en := e.render(cynllun.RenderEN)
	if en.ID == job.ID {
		t.Fatal("EN render reused the CY job")
	}
	if got := e.wait(en.ID); got.Status != cynllun.JobSucceeded || got.FileID == done.FileID {
		t.Fatalf("EN render = %+v", got)
	}
	renders, err := e.svc.Renders(e.ctx, seed.PlanID, 2)
	if err != nil || len(renders) != 2 {
		t.Fatalf("renders = %v, %v", renders, err)
	}
	if n := e.storedFiles(); n != 4 {
		t.Fatalf("%d files stored, want 4 (a PDF and an HTML rendition a language)", n)
	}
}

func TestRetryThenSuccess(t *testing.T) {
	e := newEnv(t)
	var calls atomic.Int32
	h := worker.NewRenderHandler(e.db, e.bus, nil)
	h.Render = func(doc docgen.PlanDoc, lang docgen.Lang) ([]byte, error) {
		if calls.Add(1) <= 2 {
			return nil, cynllun.Internal("test.render", errors.New("transient"))
		}
		return docgen.RenderPlan(doc, lang)
	}
	job := e.render(cynllun.RenderEN)
	e.startWorker(h)
	done := e.wait(job.ID)
	if done.Status != cynllun.JobSucceeded || done.Attempts != 3 || done.ErrorCode != "" || done.FileID == "" {
		t.Fatalf("job = %+v, want SUCCEEDED after 3 attempts", done)
	}
}

func TestPermanentFailure(t *testing.T) {
	e := newEnv(t)
	now := time.Now().UTC()
	// A job for a version that does not exist: NOT_FOUND will never pass.
	job := &cynllun.Job{ID: cynllun.RenderJobID(seed.PlanID, 99, cynllun.RenderEN, 1), Kind: cynllun.JobRenderPlan,
		Priority: cynllun.PriorityInteractive, Status: cynllun.JobPending, LearnerID: seed.Learner1ID, PlanID: seed.PlanID,
		Version: 99, Language: cynllun.RenderEN, CreatedAt: now, UpdatedAt: now}
	if err := e.db.CreateJob(context.Background(), job); err != nil {
		t.Fatal(err)
	}
	if err := worker.NewClient(e.rdb).Enqueue(context.Background(), job); err != nil {
		t.Fatal(err)
	}
	e.startWorker(nil)
	done := e.wait(job.ID)
	if done.Status != cynllun.JobFailed || done.ErrorCode != cynllun.CodeNotFound || done.Attempts != 1 {
		t.Fatalf("job = %+v, want FAILED with NOT_FOUND after 1 attempt", done)
	}
	// Asynq archived it without retrying.
	insp := asynq.NewInspectorFromRedisClient(e.rdb)
	deadline := time.Now().Add(10 * time.Second)
	for {
		info, err := insp.GetTaskInfo(worker.QueueCritical, job.ID)
		if err == nil && info.State == asynq.TaskStateArchived {
			if info.Retried != 0 {
				t.Fatalf("retried %d times", info.Retried)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("task not archived: %v %v", info, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestReconcilerRecoversAfterFlushAll(t *testing.T) {
	e := newEnv(t)
	job := e.render(cynllun.RenderBilingual)
	if err := e.rdb.FlushAll(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	r := worker.NewReconciler(e.db, e.rdb, e.bus, nil)
	// Within the grace period the job is left alone.
	if n, _, err := r.Reconcile(context.Background()); err != nil || n != 0 {
		t.Fatalf("reconcile in grace = %d, %v", n, err)
	}
	r.Now = func() time.Time { return time.Now().Add(time.Minute) }
	if n, _, err := r.Reconcile(context.Background()); err != nil || n != 1 {
		t.Fatalf("reconcile = %d, %v; want 1 requeued", n, err)
	}
	// A second pass (or a second reconciler) queues nothing twice.
	if n, _, err := r.Reconcile(context.Background()); err != nil || n != 0 {
		t.Fatalf("second reconcile = %d, %v", n, err)
	}
	e.startWorker(nil)
	if done := e.wait(job.ID); done.Status != cynllun.JobSucceeded || done.Attempts != 1 {
		t.Fatalf("job = %+v", done)
	}
}

// TestKilledWorkerCompletesOnce: a worker process killed with SIGKILL in the
// middle of a render leaves the job RUNNING; after a restart it completes,
// once, with one stored file.
func TestKilledWorkerCompletesOnce(t *testing.T) {
	e := newEnv(t)
	job := e.render(cynllun.RenderEN)
	e.killChildAt("CYNLLUN_CHILD_WORKER")
	mid, err := e.svc.Job(e.ctx, job.ID)
	if err != nil || mid.Status != cynllun.JobRunning || mid.Attempts != 1 {
		t.Fatalf("after kill: %+v, %v", mid, err)
	}
	if n := e.storedFiles(); n != 0 {
		t.Fatalf("%d files stored by the killed worker", n)
	}
	e.expireLease(worker.QueueCritical, job.ID)
	e.startWorker(nil)
	done := e.wait(job.ID)
	if done.Status != cynllun.JobSucceeded || done.Attempts != 2 {
		t.Fatalf("job = %+v, want SUCCEEDED on attempt 2", done)
	}
	if n := e.storedFiles(); n != 2 {
		t.Fatalf("%d files stored, want exactly 2 (the PDF and the HTML rendition)", n)
	}
	// Nothing runs it again.
	time.Sleep(1500 * time.Millisecond)
	if again, _ := e.svc.Job(e.ctx, job.ID); again.Attempts != 2 || again.FileID != done.FileID {
		t.Fatalf("job changed after completion: %+v", again)
	}
}

// killChildAt runs this test binary as a child worker (switched on by the
// environment variable child), waits until it writes its marker file, and
// kills it with SIGKILL there.
func (e *env) killChildAt(child string) { e.killChildAfter(child, nil) }

// killChildAfter is killChildAt, running atMarker(pid) when the child has
// reached its marker, before it is killed, with env added to the child's.
func (e *env) killChildAfter(child string, atMarker func(pid int), env ...string) {
	e.t.Helper()
	e.killChildAtMarker(child, filepath.Join(e.t.TempDir(), "marker"), atMarker, env...)
}

// killChildAtMarker is killChildAfter with the marker file's path given:
// the child, or the test itself, writes it when the child is to be killed.
func (e *env) killChildAtMarker(child, marker string, atMarker func(pid int), env ...string) {
	e.t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), child+"=1", "MONGODB_URI="+e.db.URI(), "REDIS_URL="+e.url, "CYNLLUN_CHILD_MARKER="+marker)
	cmd.Env = append(cmd.Env, env...)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		if _, err := os.Stat(marker); err == nil {
			break
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			e.t.Fatal("the child worker never reached its marker")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if atMarker != nil {
		func() {
			defer func() {
				if e.t.Failed() {
					_ = cmd.Process.Kill()
				}
			}()
			atMarker(cmd.Process.Pid)
		}()
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		e.t.Fatal(err)
	}
	_ = cmd.Wait()
}

// expireLease moves the lease of a task a killed worker held back a
// minute: Asynq recovers a task 30 s after its lease (30 s) runs out, and
// the tests do not wait for that.
func (e *env) expireLease(queue, taskID string) {
	e.t.Helper()
	lease := "asynq:{" + queue + "}:lease"
	if n, err := e.rdb.ZAddXX(context.Background(), lease, redis.Z{Score: float64(time.Now().Add(-time.Minute).Unix()), Member: taskID}).Result(); err != nil || n != 0 {
		e.t.Fatalf("lease not found to expire: %v", err)
	}
	if s, err := e.rdb.ZScore(context.Background(), lease, taskID).Result(); err != nil || s > float64(time.Now().Add(-50*time.Second).Unix()) {
		e.t.Fatalf("lease score = %v, %v", s, err)
	}
}
