package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/cynllun/cynllun/auth"
	"github.com/cynllun/cynllun/seed"
	"github.com/cynllun/cynllun/server"
)

// TestQueueDashboard: the queue dashboard (asynqmon) at /admin/queues
// answers an administrator, pages and API alike, and shows the queues;
// it answers 401 without a token or with a bad one, 403 to anyone who is
// not an administrator, and 403 to a request that would change anything,
// an administrator's included.
func TestQueueDashboard(t *testing.T) {
	e := newEnv(t)
	if err := seed.Sample(context.Background(), e.db, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	// A task in a queue of this test's own name, for the API to show.
	c := asynq.NewClientFromRedisClient(e.rdb)
	queue := "dashboard_" + strings.ToLower(strings.ReplaceAll(t.Name(), "/", "_"))
	if _, err := c.Enqueue(asynq.NewTask("test:x", nil), asynq.Queue(queue), asynq.ProcessIn(time.Hour)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = asynq.NewInspectorFromRedisClient(e.rdb).DeleteQueue(queue, true) })
	v, err := auth.NewVerifier(context.Background(), auth.Config{HS256Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(server.New(e.svc, v, nil, slog.New(catalogueGuard(t)), server.Config{QueueDashboard: server.QueueDashboard(e.rdb)}))
	t.Cleanup(srv.Close)

	get := func(method, path, token string) (int, string) {
		t.Helper()
		req, err := http.NewRequest(method, srv.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	admin := e.token(seed.AdminID)
	if status, body := get(http.MethodGet, server.QueuePath+"/", admin); status != http.StatusOK || !strings.Contains(body, "<html") {
		t.Fatalf("the dashboard's page to an administrator: %d %.200s", status, body)
	}
	status, body := get(http.MethodGet, server.QueuePath+"/api/queues", admin)
	if status != http.StatusOK || !strings.Contains(body, `"`+queue+`"`) {
		t.Fatalf("the dashboard's queues to an administrator: %d %.300s", status, body)
	}
	for _, tc := range []struct {
		name, method, path, token string
		want                      int
	}{
		{"no token", http.MethodGet, server.QueuePath + "/", "", http.StatusUnauthorized},
		{"no token, API", http.MethodGet, server.QueuePath + "/api/queues", "", http.StatusUnauthorized},
		{"a bad token", http.MethodGet, server.QueuePath + "/api/queues", "not-a-token", http.StatusUnauthorized},
		{"an ALNCo", http.MethodGet, server.QueuePath + "/api/queues", e.token(seed.ALNCoID), http.StatusForbidden},
		{"an ALNCo, the page", http.MethodGet, server.QueuePath, e.token(seed.ALNCoID), http.StatusForbidden},
		{"an administrator deleting a queue", http.MethodDelete, server.QueuePath + "/api/queues/" + queue, admin, http.StatusForbidden},
		{"an administrator pausing a queue", http.MethodPost, server.QueuePath + "/api/queues/" + queue + ":pause", admin, http.StatusForbidden},
	} {
		if status, body := get(tc.method, tc.path, tc.token); status != tc.want {
			t.Errorf("%s: %d %.200s, want %d", tc.name, status, body, tc.want)
		}
	}
	if n, err := asynq.NewInspectorFromRedisClient(e.rdb).GetQueueInfo(queue); err != nil || n.Paused || n.Scheduled != 1 {
		t.Fatalf("the queue after refused changes: %+v, %v", n, err)
	}
}
