package server_test

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/cynllun/cynllun/auth"
	"github.com/cynllun/cynllun/internal/redistest"
	"github.com/cynllun/cynllun/notify"
	"github.com/cynllun/cynllun/server"
	"github.com/cynllun/cynllun/worker"
)

// TestMetricsCountRenderNoticeAndRefusals scrapes /metrics after a render
// by the real worker, a webhook notice sent, and refused requests (no
// token, FORBIDDEN, rate-limited), and finds each counted in its series.
func TestMetricsCountRenderNoticeAndRefusals(t *testing.T) {
	e := newEnvOn(t, redistest.StartOwn(t))
	e.metrics.WatchQueues(asynq.NewInspectorFromRedisClient(e.rdb))
	e.startWorker()
	f := e.fixture()
	alnco, parent := e.token(f.alnco), e.token(f.parent)

	// /metrics is refused without its token.
	if code, _ := scrape(t, e.srv.URL, ""); code != http.StatusUnauthorized {
		t.Fatalf("/metrics without token: %d", code)
	}

	// A render, through the real worker.
	r := e.must(alnco, `mutation Render($id: ID!) { renderPlan(input: {planId: $id}) { job { id } } }`, map[string]any{"id": f.plan1})
	e.waitForFile(alnco, r.str("renderPlan", "job", "id"))

	// A notice: an overdue deadline with the LA's webhook subscribed.
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	defer rcv.Close()
	e.must(e.token(f.officer), `mutation($org: ID!, $url: String!) { createWebhookEndpoint(input: {orgId: $org, url: $url}) { secret } }`,
		map[string]any{"org": cardiff, "url": rcv.URL})
	rec := e.must(alnco, `mutation($in: StatutoryEventInput!) { recordStatutoryEvent(input: $in) { started { id } } }`,
		map[string]any{"in": map[string]any{"learnerId": f.l1, "kind": "DECISION_NOTICE_GIVEN", "on": "2026-09-20", "orgId": cardiff}})
	dl := rec.str("recordStatutoryEvent", "started", 0, "id")
	w := worker.New(e.rdb, worker.Config{Concurrency: 1, ReconcileEvery: -1, NoticeScanEvery: -1, ShutdownTimeout: 5 * time.Second, Metrics: e.metrics})
	w.Handle(worker.TypeSendNotice, &worker.NoticeSender{Store: e.db, Webhooks: notify.NewWebhookSender(5*time.Second, loopbackReceivers), Now: e.clock.Now, Metrics: e.metrics})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = w.Run(ctx) }()
	defer func() { cancel(); <-done }()
	if raised, _, err := (&worker.Scanner{Store: e.db, Queue: worker.NewClient(e.rdb), Now: e.clock.Now}).Scan(context.Background()); err != nil || raised < 1 {
		t.Fatalf("scan: %d, %v", raised, err)
	}
	notices := `query Notices($id: ID!) { deadline(id: $id) { notices { nodes { status } } } }`
	for end := time.Now().Add(30 * time.Second); e.must(e.token(f.officer), notices, map[string]any{"id": dl}).str("deadline", "notices", "nodes", 0, "status") != "SENT"; {
		if time.Now().After(end) {
			t.Fatal("notice not sent")
		}
		time.Sleep(100 * time.Millisecond)
	}

	// Refusals: no token (401), an operation the parent may not run
	// (FORBIDDEN), and a client over its rate (429) on an API instance
	// with limits, reporting to the same registry.
	if r := e.do("", `query NoToken { me { id } }`, nil); r.Status != http.StatusUnauthorized {
		t.Fatalf("no token: %d %s", r.Status, r.raw)
	}
	if r := e.do(parent, notices, map[string]any{"id": dl}); r.code() != "FORBIDDEN" {
		t.Fatalf("parent: %s", r.raw)
	}
	v, err := auth.NewVerifier(context.Background(), auth.Config{HS256Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	limited := httptest.NewServer(server.New(e.svc, v, nil, nil, server.Config{Metrics: e.metrics,
		Limits: server.Limits{Redis: e.rdb, Rate: 1, Burst: 1, Prefix: "metrics-test"}}))
	defer limited.Close()
	statuses := map[int]int{}
	for range 3 {
		req, _ := http.NewRequest(http.MethodPost, limited.URL+"/graphql", strings.NewReader(`{"query":"query Me { me { id } }"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+alnco)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		statuses[resp.StatusCode]++
	}
	if statuses[http.StatusOK] != 1 || statuses[http.StatusTooManyRequests] != 2 {
		t.Fatalf("rate limit: %v", statuses)
	}

	code, series := scrape(t, e.srv.URL, metricsToken)
	if code != http.StatusOK {
		t.Fatalf("/metrics: %d", code)
	}
	for _, tt := range []struct {
		series string
		min    float64
		exact  bool
	}{
		{`cynllun_graphql_operations_total{operation="Render",outcome="ok"}`, 1, true},
		{`cynllun_jobs_total{kind="render:plan",outcome="ok"}`, 1, true},
		{`cynllun_job_duration_seconds_count{kind="render:plan"}`, 1, true},
		{`cynllun_notices_total{channel="webhook",outcome="sent"}`, 1, false},
		{`cynllun_jobs_total{kind="notice:send",outcome="ok"}`, 1, false},
		{`cynllun_http_requests_total{code="401",route="/graphql"}`, 1, true},
		{`cynllun_http_requests_total{code="429",route="/graphql"}`, 2, true},
		{`cynllun_graphql_operations_total{operation="Notices",outcome="FORBIDDEN"}`, 1, true},
		{`cynllun_graphql_operations_total{operation="Me",outcome="ok"}`, 1, true},
		{`cynllun_rate_limited_total{limit="rate"}`, 2, true},
		{`cynllun_graphql_query_cost_count`, 1, false},
		{`cynllun_db_command_duration_seconds_count{command="find"}`, 1, false},
		{`cynllun_db_command_duration_seconds_count{command="insert"}`, 1, false},
		{`asynq_inspector_up`, 1, true},
		{`asynq_queue_size{queue="critical"}`, 0, false},
		{`asynq_tasks_processed_total{queue="critical"}`, 1, false},
	} {
		got, ok := series[tt.series]
		switch {
		case !ok:
			t.Errorf("%s: missing", tt.series)
		case tt.exact && got != tt.min, got < tt.min:
			t.Errorf("%s = %v, want %v", tt.series, got, tt.min)
		}
	}
	if t.Failed() {
		var names []string
		for s := range series {
			if strings.HasPrefix(s, "cynllun_") || strings.HasPrefix(s, "asynq_") {
				names = append(names, s)
			}
		}
		t.Logf("series: %v", names)
	}
}

// scrape GETs /metrics and returns its status and samples by exact series
// (name and labels as written, labels sorted by name).
func scrape(t *testing.T, base, token string) (int, map[string]float64) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+"/metrics", nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		i := strings.LastIndexByte(line, ' ')
		if line == "" || line[0] == '#' || i < 0 {
			continue
		}
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("sample %q: %v", line, err)
		}
		out[line[:i]] = v
	}
	return resp.StatusCode, out
}
