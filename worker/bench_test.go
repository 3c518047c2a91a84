package worker_test

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/docgen"
	"github.com/cynllun/cynllun/seed"
	"github.com/cynllun/cynllun/worker"
)

// BenchmarkWorkerThroughput: b.N render jobs through the whole pipeline
// (job documents, real Redis, the worker at concurrency = cores, rendering,
// GridFS, job updates), each of a distinct plan version, so that every job
// renders and stores a new file. Against it, in the same run, the renderer
// alone on one goroutine renders the same content. Reports renders/s of
// each, and ratio = renders/s ÷ (cores × single-thread renders/s): the
// target is at least 0.8.
func BenchmarkWorkerThroughput(b *testing.B) {
	e := newEnv(b)
	ctx := context.Background()
	cores := runtime.NumCPU()

	// b.N versions with the sample version 2's content, each a version
	// number and a creation time (which the PDF shows) of its own.
	doc := sampleDoc(b, e)
	latest, err := e.db.LatestVersions(ctx, []string{seed.PlanID})
	if err != nil {
		b.Fatal(err)
	}
	first := latest[seed.PlanID] + 1
	now := time.Now().UTC()
	ids := make([]string, b.N)
	for i := range b.N {
		v := *doc.Version
		v.Number = first + i
		v.ID = cynllun.VersionID(seed.PlanID, v.Number)
		v.CreatedAt = doc.Version.CreatedAt.Add(time.Duration(i+1) * time.Minute)
		if err := e.db.InsertVersion(ctx, &v); err != nil {
			b.Fatal(err)
		}
		j := &cynllun.Job{ID: cynllun.RenderJobID(seed.PlanID, v.Number, cynllun.RenderEN, 1), Kind: cynllun.JobRenderPlan,
			Priority: cynllun.PriorityBulk, Status: cynllun.JobPending, LearnerID: seed.Learner1ID, PlanID: seed.PlanID,
			Version: v.Number, Language: cynllun.RenderEN, CreatedAt: now, UpdatedAt: now}
		if err := e.db.CreateJob(ctx, j); err != nil {
			b.Fatal(err)
		}
		ids[i] = j.ID
	}

	// The renderer alone, single-threaded, on the same content (after one
	// render that parses the fonts).
	soloRate := soloRenderRate(b, doc)

	// The handler tells the benchmark when each task has run: polling the
	// jobs instead would read the whole jobs collection of the embedded
	// database ($in is not pushed down) many times a second, on the same
	// cores as the worker.
	h := worker.NewRenderHandler(e.db, e.bus, nil)
	ran := make(chan error, b.N)
	counted := asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
		err := h.ProcessTask(ctx, t)
		ran <- err
		return err
	})
	q := worker.NewClient(e.rdb)
	w := worker.New(e.rdb, worker.Config{Concurrency: cores, ReconcileEvery: -1, ShutdownTimeout: 5 * time.Second})
	w.Handle(worker.TypeRenderPlan, counted)
	b.ResetTimer()
	for _, id := range ids {
		if err := q.Enqueue(ctx, &cynllun.Job{ID: id, Kind: cynllun.JobRenderPlan, Priority: cynllun.PriorityBulk}); err != nil {
			b.Fatal(err)
		}
	}
	wctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = w.Run(wctx) }()
	defer func() { cancel(); <-done }()
	for range b.N {
		if err := <-ran; err != nil {
			b.Fatalf("render task failed: %v", err)
		}
	}
	rate := float64(b.N) / b.Elapsed().Seconds()
	b.StopTimer()
	js, err := e.db.JobsByID(ctx, ids)
	if err != nil {
		b.Fatal(err)
	}
	files := map[string]bool{}
	for _, j := range js {
		if j.Status != cynllun.JobSucceeded {
			b.Fatalf("job %s is %s", j.ID, j.Status)
		}
		files[j.FileID] = true
	}
	if len(js) != b.N || len(files) != b.N {
		b.Fatalf("%d jobs: %d found, %d distinct files", b.N, len(js), len(files))
	}
	b.ReportMetric(rate, "renders/s")
	b.ReportMetric(soloRate, "solo-renders/s")
	b.ReportMetric(float64(cores), "cores")
	b.ReportMetric(rate/(float64(cores)*soloRate), "ratio")
}

// soloRenderRate is how many times a second docgen renders doc on one
// goroutine, after a first render that is not counted: the PDF and the
// HTML rendition, as a render job does.
func soloRenderRate(b *testing.B, doc docgen.PlanDoc) float64 {
	const n = 20
	var start time.Time
	for i := range n + 1 {
		if i == 1 {
			start = time.Now()
		}
		if _, err := docgen.RenderPlan(doc, docgen.LangEN); err != nil {
			b.Fatal(err)
		}
		if _, err := docgen.RenderPlanHTML(doc, docgen.LangEN); err != nil {
			b.Fatal(err)
		}
	}
	return n / time.Since(start).Seconds()
}

// sampleDoc reads the sample plan's version 2 as the worker would.
func sampleDoc(tb testing.TB, e *env) docgen.PlanDoc {
	ctx := context.Background()
	plans, err1 := e.db.PlansByID(ctx, []string{seed.PlanID})
	vs, err2 := e.db.VersionsByID(ctx, []string{cynllun.VersionID(seed.PlanID, 2)})
	ls, err3 := e.db.LearnersByID(ctx, []string{seed.Learner1ID})
	if err1 != nil || err2 != nil || err3 != nil || len(plans) != 1 || len(vs) != 1 || len(ls) != 1 {
		tb.Fatal("sample data missing")
	}
	return docgen.PlanDoc{Learner: ls[0], Plan: plans[0], Version: vs[0], Maintainer: "Ysgol Glan Taf"}
}
