package metrics

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestOperationName(t *testing.T) {
	long := strings.Repeat("a", 100)
	for _, tt := range []struct{ in, want string }{
		{"", "anonymous"},
		{"Render", "Render"},
		{"_x9", "_x9"},
		{"9lives", "invalid"},
		{"drop table", "invalid"},
		{"Siôn", "invalid"},
		{long, long[:64]},
	} {
		if got := New().OperationName(tt.in); got != tt.want {
			t.Errorf("OperationName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	m := New()
	for i := range MaxOperationNames {
		if got := m.OperationName(fmt.Sprintf("Op%d", i)); got != fmt.Sprintf("Op%d", i) {
			t.Fatalf("name %d: %q", i, got)
		}
	}
	if got := m.OperationName("OneMore"); got != "other" {
		t.Fatalf("past the cap: %q", got)
	}
	if got := m.OperationName("Op7"); got != "Op7" {
		t.Fatalf("a known name past the cap: %q", got)
	}
}

func TestOutcome(t *testing.T) {
	for _, tt := range []struct {
		codes []string
		want  string
	}{
		{nil, "ok"},
		{[]string{"FORBIDDEN", "INVALID"}, "FORBIDDEN"},
		{[]string{"GRAPHQL_VALIDATION_FAILED"}, "GRAPHQL_VALIDATION_FAILED"},
		{[]string{""}, "error"},
		{[]string{"bad code"}, "error"},
		{[]string{strings.Repeat("A", 41)}, "error"},
	} {
		if got := Outcome(tt.codes...); got != tt.want {
			t.Errorf("Outcome(%q) = %q, want %q", tt.codes, got, tt.want)
		}
	}
}

func TestHandlerToken(t *testing.T) {
	m := New()
	m.RateLimited("rate")
	for _, tt := range []struct {
		token, auth string
		want        int
	}{
		{"", "", http.StatusOK},
		{"s3cret", "", http.StatusUnauthorized},
		{"s3cret", "Bearer wrong", http.StatusUnauthorized},
		{"s3cret", "Bearer s3cret", http.StatusOK},
	} {
		req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
		if tt.auth != "" {
			req.Header.Set("Authorization", tt.auth)
		}
		rec := httptest.NewRecorder()
		m.Handler(tt.token).ServeHTTP(rec, req)
		if rec.Code != tt.want {
			t.Errorf("token %q, auth %q: %d, want %d", tt.token, tt.auth, rec.Code, tt.want)
		}
		if tt.want == http.StatusOK && !strings.Contains(rec.Body.String(), `cynllun_rate_limited_total{limit="rate"} 1`) {
			t.Errorf("token %q: series missing:\n%s", tt.token, rec.Body)
		}
	}
}

func TestNilMetricsIsOff(t *testing.T) {
	var m *Metrics
	m.Operation("X", "ok", 0, 1)
	m.RateLimited("rate")
	m.Job("k", "ok", 0)
	m.Notice("EMAIL", "sent")
	m.WatchQueues(nil)
	if m.CommandMonitor(nil) != nil {
		t.Fatal("a nil registry wraps the monitor")
	}
	h := http.NotFoundHandler()
	if got := m.HTTP(func(*http.Request) string { return "" }, h); fmt.Sprint(got) != fmt.Sprint(h) {
		t.Fatal("a nil registry wraps the handler")
	}
}
