package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/coder/websocket"

	"github.com/cynllun/cynllun/server"
)

// TestCORSEdge (issue 15, item 1): preflights pass the rate limiter and
// the token requirement; a 429 from the limiter is readable by the allowed
// origin (with Retry-After exposed); a websocket from https://app.example
// is accepted when that origin is listed and refused (403) when not.
func TestCORSEdge(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	const app = "https://app.example"
	e.withHandler(server.Config{AllowedOrigins: []string{app}, Limits: server.Limits{Redis: e.rdb, Rate: 1, Burst: 2, Prefix: "cynllun:test-cors:"}})
	send := func(method, token string, h map[string]string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(method, e.srv.URL+"/graphql", strings.NewReader(`{"query":"{ me { id } }"}`))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		for k, v := range h {
			req.Header.Set(k, v)
		}
		resp, err := e.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	preflight := map[string]string{"Origin": app, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization,content-type"}
	for i := range 10 {
		if resp := send(http.MethodOptions, "", preflight); resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Origin") != app {
			t.Fatalf("preflight %d: %d %v", i, resp.StatusCode, resp.Header)
		}
	}
	tok := e.token(f.parent)
	limited := false
	for range 5 {
		resp := send(http.MethodPost, tok, map[string]string{"Origin": app})
		if resp.Header.Get("Access-Control-Allow-Origin") != app || !strings.Contains(resp.Header.Get("Access-Control-Expose-Headers"), "Retry-After") {
			t.Fatalf("%d without CORS headers: %v", resp.StatusCode, resp.Header)
		}
		if resp.StatusCode == http.StatusTooManyRequests {
			limited = resp.Header.Get("Retry-After") != ""
			break
		}
	}
	if !limited {
		t.Fatal("no 429 with Retry-After at 1 request per second")
	}
	if resp := send(http.MethodPost, "", map[string]string{"Origin": "https://evil.example"}); resp.StatusCode != http.StatusForbidden || resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("other origin: %d %v", resp.StatusCode, resp.Header)
	}

	ws := func(allowed []string) (int, error) {
		e.withHandler(server.Config{AllowedOrigins: allowed})
		conn, resp, err := websocket.Dial(context.Background(), strings.Replace(e.srv.URL, "http", "ws", 1)+"/graphql", &websocket.DialOptions{
			HTTPHeader: http.Header{"Origin": {app}}, Subprotocols: []string{"graphql-transport-ws"}})
		if conn != nil {
			conn.CloseNow()
		}
		if resp == nil {
			return 0, err
		}
		return resp.StatusCode, err
	}
	if status, err := ws([]string{app}); err != nil || status != http.StatusSwitchingProtocols {
		t.Fatalf("listed origin's websocket: %d %v", status, err)
	}
	if status, err := ws(nil); err == nil || status != http.StatusForbidden {
		t.Fatalf("websocket from an origin not listed: %d %v", status, err)
	}
}
