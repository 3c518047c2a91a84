package worker_test

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/docgen"
	"github.com/cynllun/cynllun/seed"
	"github.com/cynllun/cynllun/worker"
)

// BenchmarkWorkerThroughput: b.N render jobs of the sample plan through the
// whole pipeline (job documents, real Redis, the worker at concurrency =
// cores, rendering, GridFS, job updates), against the renderer alone on one
// goroutine in the same run. Reports renders/s of each and their ratio.
func BenchmarkWorkerThroughput(b *testing.B) {
	e := newEnv(b)
	ctx := context.Background()

	// The renderer alone, single-threaded, on the same document.
	h := worker.NewRenderHandler(e.db, e.bus, nil)
	doc := sampleDoc(b, e)
	const solo = 20
	start := time.Now()
	for range solo {
		if _, err := docgen.RenderPlan(doc, docgen.LangEN); err != nil {
			b.Fatal(err)
		}
	}
	soloRate := solo / time.Since(start).Seconds()

	now := time.Now().UTC()
	ids := make([]string, b.N)
	for i := range b.N {
		j := &cynllun.Job{ID: cynllun.RenderJobID(seed.PlanID, 2, cynllun.RenderEN, i+1), Kind: cynllun.JobRenderPlan,
			Priority: cynllun.PriorityBulk, Status: cynllun.JobPending, LearnerID: seed.Learner1ID, PlanID: seed.PlanID,
			Version: 2, Language: cynllun.RenderEN, CreatedAt: now, UpdatedAt: now}
		if err := e.db.CreateJob(ctx, j); err != nil {
			b.Fatal(err)
		}
		ids[i] = j.ID
	}
	q := worker.NewClient(e.rdb)
	b.ResetTimer()
	for _, id := range ids {
		if err := q.Enqueue(ctx, &cynllun.Job{ID: id, Kind: cynllun.JobRenderPlan, Priority: cynllun.PriorityBulk}); err != nil {
			b.Fatal(err)
		}
	}
	w := worker.New(e.rdb, worker.Config{Concurrency: runtime.NumCPU(), ReconcileEvery: -1, ShutdownTimeout: 5 * time.Second})
	w.Handle(worker.TypeRenderPlan, h)
	wctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = w.Run(wctx) }()
	defer func() { cancel(); <-done }()
	for {
		js, err := e.db.JobsByID(ctx, ids)
		if err != nil {
			b.Fatal(err)
		}
		finished := 0
		for _, j := range js {
			if j.Status == cynllun.JobFailed {
				b.Fatalf("job failed: %s", j.ErrorCode)
			}
			if j.Status == cynllun.JobSucceeded {
				finished++
			}
		}
		if finished == len(ids) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	rate := float64(b.N) / b.Elapsed().Seconds()
	b.ReportMetric(rate, "renders/s")
	b.ReportMetric(soloRate, "solo-renders/s")
	b.ReportMetric(rate/soloRate, "ratio")
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
