package tracing

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/cynllun/cynllun"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// TestFromEnv: traces are off unless OTEL_TRACES_EXPORTER=otlp or an OTLP
// endpoint is set; none and OTEL_SDK_DISABLED turn them off; other
// exporters and protocols are refused at start.
func TestFromEnv(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		on   bool
		fail string
	}{
		{nil, false, ""},
		{map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}, true, ""},
		{map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://127.0.0.1:4318/v1/traces"}, true, ""},
		{map[string]string{"OTEL_TRACES_EXPORTER": "otlp"}, true, ""},
		{map[string]string{"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://x:4318"}, false, ""},
		{map[string]string{"OTEL_SDK_DISABLED": "true", "OTEL_TRACES_EXPORTER": "otlp"}, false, ""},
		{map[string]string{"OTEL_SDK_DISABLED": "maybe"}, false, "OTEL_SDK_DISABLED"},
		{map[string]string{"OTEL_TRACES_EXPORTER": "zipkin"}, false, "OTEL_TRACES_EXPORTER"},
		{map[string]string{"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf"}, true, ""},
		{map[string]string{"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}, false, "OTEL_EXPORTER_OTLP_PROTOCOL"},
	} {
		c, err := FromEnv(env(tc.env))
		if tc.fail != "" {
			if err == nil || !strings.Contains(err.Error(), tc.fail) {
				t.Errorf("%v: err %v, want one naming %s", tc.env, err, tc.fail)
			}
			continue
		}
		if err != nil || c.Enabled != tc.on {
			t.Errorf("%v: enabled %v, err %v; want %v", tc.env, c.Enabled, err, tc.on)
		}
	}
	tp, stop, err := Start(context.Background(), Config{}, "api")
	if tp != nil || err != nil || stop(context.Background()) != nil {
		t.Errorf("off: %v %v", tp, err)
	}
}

// TestTaskHeaders: a task carries the request id and the W3C trace
// context, and the worker's context gets both back; nothing else goes in.
func TestTaskHeaders(t *testing.T) {
	if h := TaskHeaders(context.Background(), ""); h != nil {
		t.Fatalf("no request, no trace: %v", h)
	}
	if h := TaskHeaders(context.Background(), "bad id with spaces"); h != nil {
		t.Fatalf("a request id that is not a plain token: %v", h)
	}
	tp := sdktrace.NewTracerProvider()
	ctx, span := tp.Tracer("t").Start(context.Background(), "request")
	defer span.End()
	h := TaskHeaders(ctx, "req-1")
	for k := range h {
		switch k {
		case HeaderRequestID, "traceparent", "tracestate":
		default:
			t.Errorf("unexpected header %q", k)
		}
	}
	got := TaskContext(context.Background(), h)
	if cynllun.RequestID(got) != "req-1" {
		t.Errorf("request id %q", cynllun.RequestID(got))
	}
	sc := trace.SpanContextFromContext(got)
	if !sc.IsRemote() || sc.TraceID() != span.SpanContext().TraceID() || sc.SpanID() != span.SpanContext().SpanID() {
		t.Errorf("span context %v, want the parent %v", sc, span.SpanContext())
	}
}

// TestLogHandler: lines logged with a request's context carry its id and,
// in a trace, the trace and span ids; others carry neither.
func TestLogHandler(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(LogHandler(slog.NewJSONHandler(&buf, nil))).With("proc", "api")
	if LogHandler(log.Handler()) != log.Handler() {
		t.Error("LogHandler wraps twice")
	}
	tp := sdktrace.NewTracerProvider()
	ctx, span := tp.Tracer("t").Start(cynllun.WithRequestID(context.Background(), "r-9"), "x")
	defer span.End()
	log.InfoContext(ctx, "in request")
	log.Info("outside")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	var in, out map[string]any
	if len(lines) != 2 || json.Unmarshal([]byte(lines[0]), &in) != nil || json.Unmarshal([]byte(lines[1]), &out) != nil {
		t.Fatalf("lines: %q", lines)
	}
	if in["requestId"] != "r-9" || in["traceId"] != span.SpanContext().TraceID().String() || in["spanId"] != span.SpanContext().SpanID().String() || in["proc"] != "api" {
		t.Errorf("line in a request: %v", in)
	}
	if _, ok := out["requestId"]; ok || out["traceId"] != nil {
		t.Errorf("line outside a request: %v", out)
	}
}

// TestCommandMonitor: a command sent within a trace makes a client span
// named by command and collection, with the database attributes and never
// the command's body; one outside a trace makes none; a failure records
// the server's code only. Every event still reaches the next monitor.
func TestCommandMonitor(t *testing.T) {
	if CommandMonitor(nil, nil) != nil {
		t.Fatal("off, the monitor is wrapped")
	}
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	var passed int
	next := &event.CommandMonitor{
		Started:   func(context.Context, *event.CommandStartedEvent) { passed++ },
		Succeeded: func(context.Context, *event.CommandSucceededEvent) { passed++ },
		Failed:    func(context.Context, *event.CommandFailedEvent) { passed++ },
	}
	m := CommandMonitor(tp, next)
	cmd, err := bson.Marshal(bson.D{{Key: "find", Value: "learners"}, {Key: "filter", Value: bson.D{{Key: "givenName", Value: "Ffion"}}}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, parent := tp.Tracer("t").Start(context.Background(), "request")
	start := func(ctx context.Context, id int64) {
		m.Started(ctx, &event.CommandStartedEvent{Command: cmd, DatabaseName: "cynllun", CommandName: "find", RequestID: id, ConnectionID: "127.0.0.1:27017[-3]"})
	}
	finished := func(id int64) event.CommandFinishedEvent {
		return event.CommandFinishedEvent{CommandName: "find", DatabaseName: "cynllun", RequestID: id, ConnectionID: "127.0.0.1:27017[-3]"}
	}
	start(ctx, 1)
	m.Succeeded(ctx, &event.CommandSucceededEvent{CommandFinishedEvent: finished(1)})
	start(ctx, 2)
	m.Failed(ctx, &event.CommandFailedEvent{CommandFinishedEvent: finished(2), Failure: errors.New(`bad value "Ffion"`)})
	start(context.Background(), 3)
	m.Succeeded(context.Background(), &event.CommandSucceededEvent{CommandFinishedEvent: finished(3)})
	parent.End()
	if passed != 6 {
		t.Errorf("%d events passed on, want 6", passed)
	}
	spans := exp.GetSpans()
	if len(spans) != 3 { // two commands and the parent
		t.Fatalf("%d spans", len(spans))
	}
	for _, s := range spans[:2] {
		if s.Name != "find learners" || s.SpanKind != trace.SpanKindClient || s.Parent.SpanID() != parent.SpanContext().SpanID() {
			t.Errorf("span %q kind %v parent %v", s.Name, s.SpanKind, s.Parent.SpanID())
		}
		want := map[string]string{"db.system.name": "mongodb", "db.operation.name": "find", "db.collection.name": "learners", "db.namespace": "cynllun", "server.address": "127.0.0.1", "server.port": "27017"}
		for _, a := range s.Attributes {
			if strings.Contains(a.Value.Emit(), "Ffion") {
				t.Errorf("span holds the command's data: %s=%s", a.Key, a.Value.Emit())
			}
			if w, ok := want[string(a.Key)]; ok && w != a.Value.Emit() {
				t.Errorf("%s=%s, want %s", a.Key, a.Value.Emit(), w)
			}
			delete(want, string(a.Key))
		}
		if len(want) > 0 {
			t.Errorf("missing attributes %v", want)
		}
		if strings.Contains(s.Status.Description, "Ffion") {
			t.Errorf("status holds the failure's text: %q", s.Status.Description)
		}
	}
}

// TestStartExportsOverOTLP: configured with an endpoint, Start's provider
// sends its spans over OTLP/HTTP to /v1/traces, with the service name, by
// the time its stop function returns.
func TestStartExportsOverOTLP(t *testing.T) {
	got := make(chan string, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- r.Method + " " + r.URL.Path + " " + r.Header.Get("Content-Type") + " " + strconv.FormatBool(bytes.Contains(body, []byte("cynllun-test")))
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", srv.URL)
	t.Setenv("OTEL_SERVICE_NAME", "cynllun-test")
	cfg, err := FromEnv(os.Getenv)
	if err != nil || !cfg.Enabled {
		t.Fatal(cfg, err)
	}
	tp, stop, err := Start(context.Background(), cfg, "api")
	if err != nil {
		t.Fatal(err)
	}
	_, span := Tracer(tp).Start(context.Background(), "x")
	span.End()
	if err := stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	select {
	case g := <-got:
		if g != "POST /v1/traces application/x-protobuf true" {
			t.Errorf("export: %s", g)
		}
	default:
		t.Fatal("nothing exported")
	}
}
