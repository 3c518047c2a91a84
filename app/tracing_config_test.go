package app

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/cynllun/cynllun"
)

// Traces are off unless the OpenTelemetry variables turn them on; a bad
// value is refused at start; the programs' logger names the request.
func TestTracingConfig(t *testing.T) {
	c, err := FromEnv(env(nil), true)
	if err != nil || c.Tracing.Enabled {
		t.Fatalf("default: %v %v", c.Tracing, err)
	}
	c, err = FromEnv(env(map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}), false)
	if err != nil || !c.Tracing.Enabled {
		t.Fatalf("with an endpoint: %v %v", c.Tracing, err)
	}
	if _, err := FromEnv(env(map[string]string{"OTEL_TRACES_EXPORTER": "jaeger"}), false); err == nil || !strings.Contains(err.Error(), "OTEL_TRACES_EXPORTER") {
		t.Fatalf("a bad exporter: %v", err)
	}
	var buf bytes.Buffer
	c.LogFormat = "json"
	c.NewLogger(&buf).InfoContext(cynllun.WithRequestID(context.Background(), "abc-1"), "x")
	if !strings.Contains(buf.String(), `"requestId":"abc-1"`) {
		t.Fatalf("log line: %s", buf.String())
	}
}
