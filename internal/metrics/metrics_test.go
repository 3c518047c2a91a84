package metrics

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"go.mongodb.org/mongo-driver/v2/event"
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

// TestDashboardSeriesExist checks that every Cynllun and asynq series the
// Grafana dashboard queries is one this package serves.
func TestDashboardSeriesExist(t *testing.T) {
	m := New()
	m.Operation("X", "ok", 1, 1)
	m.RateLimited("rate")
	m.Job("k", "ok", 1)
	m.Notice("EMAIL", "sent")
	m.Outbox(1, 2, 1, 0)
	m.HTTP(func(*http.Request) string { return "r" }, http.NotFoundHandler()).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	m.CommandMonitor(nil).Succeeded(t.Context(), &event.CommandSucceededEvent{CommandFinishedEvent: event.CommandFinishedEvent{CommandName: "find"}})
	served := map[string]bool{}
	fams, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		served[f.GetName()] = true
	}
	descs := make(chan *prometheus.Desc, 16)
	NewQueueCollector(nil).Describe(descs)
	close(descs)
	for d := range descs {
		served[regexp.MustCompile(`fqName: "([a-z_]+)"`).FindStringSubmatch(d.String())[1]] = true
	}
	b, err := os.ReadFile("../../deploy/grafana/cynllun.json")
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []struct {
			Targets []struct{ Expr string }
		}
	}
	if err := json.Unmarshal(b, &dash); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range dash.Panels {
		for _, tg := range p.Targets {
			for _, name := range regexp.MustCompile(`\b(?:cynllun|asynq|process|go)_[a-z_]+`).FindAllString(tg.Expr, -1) {
				n++
				base := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(name, "_bucket"), "_count"), "_sum")
				if !served[name] && !served[base] {
					t.Errorf("dashboard queries %s, which is not served", name)
				}
			}
		}
	}
	if n < 20 {
		t.Fatalf("only %d series found in the dashboard", n)
	}
}
