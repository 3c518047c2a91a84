package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/cynllun/cynllun/auth"
	"github.com/cynllun/cynllun/internal/browsertest"
	"github.com/cynllun/cynllun/server"
)

// browser starts a headless Chromium for the test (internal/browsertest).
func browser(t *testing.T) context.Context { return browsertest.Start(t) }

// crossOriginResult is what testdata/cross_origin.html reports.
type crossOriginResult struct {
	Query, Unauthenticated, Mutation struct {
		Status     int            `json:"status"`
		Body       map[string]any `json:"body"`
		Error      string         `json:"error"`
		RetryAfter string         `json:"retryAfter"`
	}
	Subscription struct {
		Ready bool   `json:"ready"`
		Error string `json:"error"`
		Event *struct {
			Type    string         `json:"type"`
			Payload map[string]any `json:"payload"`
		} `json:"event"`
	}
}

// TestBrowserCrossOrigin (issue 15, item 1): a page on another origin, in
// headless Chromium, runs a query, a mutation and a subscription against
// the API: they succeed when CORS_ALLOWED_ORIGINS lists its origin, and
// fail (preflight and websocket refused, nothing saved) when it does not.
func TestBrowserCrossOrigin(t *testing.T) {
	ctx := browser(t)
	e := newEnv(t)
	f := e.fixture()
	v, err := auth.NewVerifier(context.Background(), auth.Config{HS256Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile("testdata/cross_origin.html")
	if err != nil {
		t.Fatal(err)
	}
	// The front-end's own origin: another port of 127.0.0.1.
	var cfgJSON []byte
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(strings.Replace(string(page), "{{CONFIG}}", string(cfgJSON), 1)))
	}))
	defer app.Close()

	version := 1
	run := func(t *testing.T, allowed []string) crossOriginResult {
		api := httptest.NewServer(server.New(e.svc, v, nil, nil, server.Config{Introspection: true, AllowedOrigins: allowed}))
		defer api.Close()
		cfgJSON, _ = json.Marshal(map[string]any{
			"api": api.URL, "planId": f.plan1, "version": version, "content": sampleContent("browser"),
			"parentToken": e.token(f.parent), "alncoToken": e.token(f.alnco),
		})
		tctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		defer cancel()
		if err := chromedp.Do(tctx, chromedp.Navigate(app.URL), chromedp.WaitReady(chromedp.CSS("#done"))); err != nil {
			t.Fatalf("browser: %v", err)
		}
		text, err := chromedp.Run(tctx, chromedp.TextContent(chromedp.CSS("#result")))
		if err != nil {
			t.Fatalf("browser: %v", err)
		}
		var res crossOriginResult
		if err := json.Unmarshal([]byte(text), &res); err != nil {
			t.Fatalf("page result %q: %v", text, err)
		}
		return res
	}

	t.Run("allowed", func(t *testing.T) {
		res := run(t, []string{app.URL})
		if res.Query.Status != 200 || res.Query.Body["data"].(map[string]any)["me"].(map[string]any)["id"] != f.parent {
			t.Fatalf("query: %+v", res.Query)
		}
		if res.Unauthenticated.Status != 401 || !strings.Contains(toJSON(res.Unauthenticated.Body), "UNAUTHENTICATED") {
			t.Fatalf("a 401 is not readable from the other origin: %+v", res.Unauthenticated)
		}
		if res.Mutation.Status != 200 || res.Mutation.Body["data"] == nil || res.Mutation.Body["errors"] != nil {
			t.Fatalf("mutation: %+v", res.Mutation)
		}
		if !res.Subscription.Ready || res.Subscription.Event == nil || res.Subscription.Event.Type != "next" ||
			!strings.Contains(toJSON(res.Subscription.Event.Payload), f.plan1) {
			t.Fatalf("subscription: %+v", res.Subscription)
		}
	})
	r := e.must(e.token(f.alnco), `query($id: ID!) { plan(id: $id) { currentVersionNumber } }`, map[string]any{"id": f.plan1})
	version = int(r.get("plan", "currentVersionNumber").(float64))
	if version < 2 {
		t.Fatalf("no version saved from the browser: %d", version)
	}

	for _, tt := range []struct {
		name    string
		allowed []string
	}{
		{"not configured", nil},
		{"another origin listed", []string{"https://app.example"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := run(t, tt.allowed)
			if res.Query.Error == "" || res.Mutation.Error == "" || res.Unauthenticated.Error == "" {
				t.Fatalf("a request from an origin not allowed was read: %+v", res)
			}
			if res.Subscription.Ready || res.Subscription.Event != nil || res.Subscription.Error == "" {
				t.Fatalf("a websocket from an origin not allowed was accepted: %+v", res.Subscription)
			}
			r := e.must(e.token(f.alnco), `query($id: ID!) { plan(id: $id) { currentVersionNumber } }`, map[string]any{"id": f.plan1})
			if n := int(r.get("plan", "currentVersionNumber").(float64)); n != version {
				t.Fatalf("a mutation from an origin not allowed was saved: version %d, was %d", n, version)
			}
		})
	}
}

// TestBrowserPlayground (issue 15, item 2): the playground starts in
// Chromium with every request going to the API's own origin (no CDN).
func TestBrowserPlayground(t *testing.T) {
	e := newEnv(t)
	e.withHandler(server.Config{Introspection: true, Playground: true})
	var mu sync.Mutex
	var elsewhere []string
	ctx, cancelListen := chromedp.NewContext(browser(t), chromedp.WithListener(func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		if req, ok := ev.(*network.EventRequestWillBeSent); ok {
			u := req.Request.URL
			if !strings.HasPrefix(u, e.srv.URL+"/") && !strings.HasPrefix(u, strings.Replace(e.srv.URL, "http", "ws", 1)+"/") && !strings.HasPrefix(u, "data:") {
				elsewhere = append(elsewhere, u)
			}
		}
	}))
	defer cancelListen()
	tctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(tctx, chromedp.Navigate(e.srv.URL+"/playground"), chromedp.WaitVisible(chromedp.CSS(".graphiql-container"))); err != nil {
		t.Fatalf("playground did not start: %v", err)
	}
	title, err := chromedp.Run(tctx, chromedp.Title())
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if title != "Cynllun" || len(elsewhere) > 0 {
		t.Fatalf("title %q; requests to other origins: %q", title, elsewhere)
	}
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
