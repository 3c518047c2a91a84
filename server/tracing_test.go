package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/cynllun/cynllun/auth"
	"github.com/cynllun/cynllun/internal/redistest"
	"github.com/cynllun/cynllun/server"
	"github.com/cynllun/cynllun/worker"
)

// TestTraceFromRequestToWorker follows one renderPlan request, traced
// with an in-memory exporter, from its HTTP span through the GraphQL
// operation, its MongoDB commands and its enqueue to the worker's span for
// the job it queued and the worker's own MongoDB commands: all in one
// trace. The job
// records the request's id, and the worker's log lines for the task carry
// the request id and the trace id. No span holds the query's text or
// variables.
func TestTraceFromRequestToWorker(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	logs := &lockedBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))

	e := newEnvFull(t, redistest.StartOwn(t), envExtras{tracing: tp, log: log})
	w := worker.New(e.rdb, worker.Config{Concurrency: 1, ReconcileEvery: -1, NoticeScanEvery: -1, ShutdownTimeout: 5 * time.Second, Logger: log, Tracing: tp})
	h := worker.NewRenderHandler(e.db, e.bus, log)
	w.Handle(worker.TypeRenderPlan, h)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = w.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })

	f := e.fixture()
	alnco := e.token(f.alnco)
	r := e.must(alnco, `mutation Render($id: ID!) { renderPlan(input: {planId: $id}) { job { id } } }`, map[string]any{"id": f.plan1})
	reqID := r.header.Get("X-Request-Id")
	jobID := r.str("renderPlan", "job", "id")
	if reqID == "" || jobID == "" {
		t.Fatalf("request id %q, job %q", reqID, jobID)
	}
	e.waitForFile(alnco, jobID)

	// The job records the request that started it.
	js, err := e.db.JobsByID(context.Background(), []string{jobID})
	if err != nil || len(js) != 1 {
		t.Fatal(js, err)
	}
	if js[0].RequestID != reqID {
		t.Errorf("job's request id %q, want %q", js[0].RequestID, reqID)
	}

	// The worker's span ends just after the job is written: wait for it.
	var spans tracetest.SpanStubs
	for end := time.Now().Add(10 * time.Second); ; {
		spans = exp.GetSpans()
		if spanNamed(spans, "process "+worker.TypeRenderPlan) != nil || time.Now().After(end) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	var httpSpan *tracetest.SpanStub
	for i := range spans {
		s := &spans[i]
		if s.SpanKind == trace.SpanKindServer && s.Name == "POST /graphql" && attr(s, "cynllun.request_id") == reqID {
			httpSpan = s
		}
	}
	if httpSpan == nil {
		t.Fatalf("no HTTP span for request %s among %d spans", reqID, len(spans))
	}
	if a := attr(httpSpan, "client.address") + attr(httpSpan, "network.peer.address"); a != "" {
		t.Errorf("the HTTP span holds the client's address %q", a)
	}
	traceID := httpSpan.SpanContext.TraceID()
	inTrace := map[trace.SpanID]*tracetest.SpanStub{}
	for i := range spans {
		if spans[i].SpanContext.TraceID() == traceID {
			inTrace[spans[i].SpanContext.SpanID()] = &spans[i]
		}
	}
	// descends says whether s has an ancestor satisfying p within the trace.
	descends := func(s *tracetest.SpanStub, p func(*tracetest.SpanStub) bool) bool {
		for s != nil {
			if p(s) {
				return true
			}
			s = inTrace[s.Parent.SpanID()]
		}
		return false
	}
	isHTTP := func(s *tracetest.SpanStub) bool { return s == httpSpan }
	isOperation := func(s *tracetest.SpanStub) bool {
		return s.Name == "Render" && s.Parent.SpanID() == httpSpan.SpanContext.SpanID()
	}
	isWorker := func(s *tracetest.SpanStub) bool {
		return s.Name == "process "+worker.TypeRenderPlan && s.SpanKind == trace.SpanKindConsumer
	}

	var op, wk *tracetest.SpanStub
	var apiDB, workerDB int
	for _, s := range inTrace {
		switch {
		case isOperation(s):
			op = s
		case isWorker(s):
			wk = s
		case attr(s, "db.system.name") == "mongodb":
			if s.SpanKind != trace.SpanKindClient || attr(s, "db.operation.name") == "" {
				t.Errorf("database span %q: kind %v, attributes %v", s.Name, s.SpanKind, s.Attributes)
			}
			switch {
			case descends(s, isWorker):
				workerDB++
			case descends(s, isOperation):
				apiDB++
			}
		}
	}
	if op == nil || wk == nil {
		t.Fatalf("operation span %v, worker span %v, in trace %s (%d spans)", op != nil, wk != nil, traceID, len(inTrace))
	}
	if !descends(wk, isHTTP) {
		t.Error("the worker span does not descend from the request's span")
	}
	if send := inTrace[wk.Parent.SpanID()]; send == nil || send.Name != "send "+worker.TypeRenderPlan || send.SpanKind != trace.SpanKindProducer || !descends(send, isOperation) {
		t.Errorf("the worker span's parent is not the operation's enqueue: %+v", send)
	}
	if attr(wk, "cynllun.request_id") != reqID || attr(wk, "messaging.message.id") != jobID {
		t.Errorf("worker span attributes: %v", wk.Attributes)
	}
	if apiDB == 0 || workerDB == 0 {
		t.Errorf("database spans: %d under the operation, %d under the worker", apiDB, workerDB)
	}
	if q := attr(op, "gql.request.query"); !strings.HasPrefix(q, "sha256:") || attr(op, "graphql.operation.type") != "mutation" {
		t.Errorf("operation span attributes: %v", op.Attributes)
	}
	for _, s := range spans {
		for _, a := range s.Attributes {
			if k := string(a.Key); strings.HasPrefix(k, "gql.request.variables") || strings.HasPrefix(k, "gql.resolver.args") || strings.Contains(a.Value.Emit(), "planId") {
				t.Errorf("span %q holds %s=%s", s.Name, k, a.Value.Emit())
			}
		}
	}
	t.Logf("trace %s: %d spans; %d database spans under the operation, %d under the worker", traceID, len(inTrace), apiDB, workerDB)

	// The log lines of the request and of the worker's task carry the
	// request id and the trace id.
	var sawHTTP, sawTask bool
	for _, line := range bytes.Split(logs.Bytes(), []byte("\n")) {
		var m map[string]any
		if json.Unmarshal(line, &m) != nil || m["requestId"] != reqID {
			continue
		}
		if m["traceId"] != traceID.String() {
			t.Errorf("a line of request %s without its trace id: %s", reqID, line)
		}
		switch m["msg"] {
		case "http":
			sawHTTP = true
		case "task":
			sawTask = m["type"] == worker.TypeRenderPlan && m["outcome"] == "ok"
		}
	}
	if !sawHTTP || !sawTask {
		t.Errorf("request line %v, worker's task line %v, with request id %s:\n%s", sawHTTP, sawTask, reqID, logs.Bytes())
	}
}

func spanNamed(spans tracetest.SpanStubs, name string) *tracetest.SpanStub {
	for i := range spans {
		if spans[i].Name == name {
			return &spans[i]
		}
	}
	return nil
}

func attr(s *tracetest.SpanStub, key string) string {
	for _, a := range s.Attributes {
		if a.Key == attribute.Key(key) {
			return a.Value.Emit()
		}
	}
	return ""
}

// lockedBuffer is a bytes.Buffer for loggers on many goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) Bytes() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return bytes.Clone(l.b.Bytes())
}

// BenchmarkTracingOverhead reads a plan through GraphQL (the query of
// BenchmarkPlanRead) through two handlers over one service and database,
// one with tracing off and one with every request traced (spans batched to
// an exporter that drops them), alternating the two so that both see the
// same machine load, and reports each median and the difference, and the
// allocations of each.
func BenchmarkTracingOverhead(b *testing.B) {
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(tracetest.NewNoopExporter()))
	b.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	e := newEnvFull(b, redistest.Start(b), envExtras{tracing: tp})
	v, err := auth.NewVerifier(context.Background(), auth.Config{HS256Secret: secret})
	if err != nil {
		b.Fatal(err)
	}
	// The database's monitor is the traced one for both: without a span in
	// the context it makes none, at the cost of one context lookup.
	untraced := server.New(e.svc, v, nil, nil, server.Config{Introspection: true, MaxBodyBytes: 256 << 10})
	f := e.fixture()
	tok := e.token(f.alnco)
	query := `query($id: ID!) { plan(id: $id) { currentVersion { number status content { consent { consentGiven } profile { importantToMe { text directQuote } }
		needs { description } provision { id intendedOutcome provision welshMedium provider startDate reviewOrEndDate rationale quantity { minutesPerSession sessions per groupSize } } meetingSummary } } } }`
	body, _ := json.Marshal(map[string]any{"query": query, "variables": map[string]any{"id": f.plan1}})
	read := func(h http.Handler) func() {
		return func() {
			e.clock.Advance(time.Minute)
			req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+tok)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != 200 || strings.Contains(rec.Body.String(), `"errors"`) {
				b.Fatalf("%d %s", rec.Code, rec.Body)
			}
		}
	}
	readOff, readOn := read(untraced), read(e.handler)
	for range 20 {
		readOff()
		readOn()
	}
	// Allocations are counted apart from the timings, which the machine's
	// load makes noisy: they include the embedded database's, the same in
	// both.
	allocs := func(f func()) (float64, float64) {
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		for range 50 {
			f()
		}
		runtime.ReadMemStats(&m1)
		return float64(m1.Mallocs-m0.Mallocs) / 50, float64(m1.TotalAlloc-m0.TotalAlloc) / 50
	}
	aOff, bOff := allocs(readOff)
	aOn, bOn := allocs(readOn)
	b.ReportMetric(aOff, "off-allocs/read")
	b.ReportMetric(aOn, "traced-allocs/read")
	b.ReportMetric(bOff, "off-B/read")
	b.ReportMetric(bOn, "traced-B/read")
	var tOff, tOn []time.Duration
	for b.Loop() {
		t0 := time.Now()
		readOff()
		t1 := time.Now()
		readOn()
		tOff, tOn = append(tOff, t1.Sub(t0)), append(tOn, time.Since(t1))
	}
	median := func(ds []time.Duration) time.Duration {
		slices.Sort(ds)
		return ds[len(ds)/2]
	}
	mOff, mOn := median(tOff), median(tOn)
	b.ReportMetric(float64(mOff.Microseconds()), "off-µs/read")
	b.ReportMetric(float64(mOn.Microseconds()), "traced-µs/read")
	b.ReportMetric(100*(float64(mOn)/float64(mOff)-1), "overhead-%")
	b.Logf("plan read through GraphQL: %v median with tracing off, %v traced (%+.1f%%); %.0f allocations (%.0f bytes) off, %.0f (%.0f) traced",
		mOff, mOn, 100*(float64(mOn)/float64(mOff)-1), aOff, bOff, aOn, bOn)
}
