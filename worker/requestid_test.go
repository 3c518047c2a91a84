package worker_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/docgen"
	"github.com/cynllun/cynllun/seed"
	"github.com/cynllun/cynllun/service"
	"github.com/cynllun/cynllun/worker"
)

// TestTaskLogsCarryRequestID: with tracing off, a render asked for within
// a request records the request's id on its job, and the worker's log
// lines for the task (its failed attempt, its outcome lines) carry it;
// none carries a trace id.
func TestTaskLogsCarryRequestID(t *testing.T) {
	e := newEnv(t)
	logs := &syncBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h := worker.NewRenderHandler(e.db, e.bus, log)
	var once sync.Once
	render := h.Render
	h.Render = func(doc docgen.PlanDoc, lang docgen.Lang) ([]byte, error) {
		var err error
		once.Do(func() { err = cynllun.Internal("test", context.DeadlineExceeded) }) // the first attempt fails
		if err != nil {
			return nil, err
		}
		return render(doc, lang)
	}
	w := worker.New(e.rdb, worker.Config{Concurrency: 1, RetryBase: 50 * time.Millisecond, ReconcileEvery: -1, NoticeScanEvery: -1, ShutdownTimeout: 5 * time.Second, Logger: log})
	w.Handle(worker.TypeRenderPlan, h)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = w.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })

	const reqID = "req-worker-7"
	j, err := e.svc.RenderPlan(cynllun.WithRequestID(e.ctx, reqID), service.RenderInput{PlanID: seed.PlanID, Language: cynllun.RenderEN})
	if err != nil {
		t.Fatal(err)
	}
	if j.RequestID != reqID {
		t.Fatalf("job's request id %q", j.RequestID)
	}
	if got := e.wait(j.ID); got.Status != cynllun.JobSucceeded || got.Attempts != 2 || got.RequestID != reqID {
		t.Fatalf("finished job %+v", got)
	}
	// The worker logs the outcome just after writing it.
	var lines map[string]int
	for end := time.Now().Add(10 * time.Second); ; {
		lines = map[string]int{}
		for _, line := range bytes.Split(logs.Bytes(), []byte("\n")) {
			var m map[string]any
			if json.Unmarshal(line, &m) != nil {
				continue
			}
			if m["job"] == j.ID || m["type"] == worker.TypeRenderPlan {
				if m["requestId"] != reqID {
					t.Fatalf("a line for the task without its request id: %s", line)
				}
				if _, ok := m["traceId"]; ok {
					t.Fatalf("a trace id with tracing off: %s", line)
				}
				lines[m["msg"].(string)+" "+str(m["outcome"])]++
			}
		}
		if lines["task ok"] == 1 || time.Now().After(end) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if lines["render failed "] != 1 || lines["task retry"] != 1 || lines["task ok"] != 1 {
		t.Fatalf("the task's lines: %v\n%s", lines, logs.Bytes())
	}
}

func str(v any) string { s, _ := v.(string); return s }

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) Bytes() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Clone(s.b.Bytes())
}
