package server

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/vektah/gqlparser/v2/ast"
	gqlparser "github.com/vektah/gqlparser/v2/parser"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/internal/redistest"
)

// testRedis is a client of a real Redis server; every test keeps to its own
// key prefix, so a shared REDIS_URL server may be used.
func testRedis(t *testing.T) *redis.Client {
	t.Helper()
	opts, err := redis.ParseURL(redistest.Start(t))
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(opts)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func testPrefix(t *testing.T) string {
	return "test:" + t.Name() + ":" + randomTag() + ":"
}

// asUser returns r as sent by userID (as authenticate would leave it).
func asUser(r *http.Request, userID string) *http.Request {
	if userID == "" {
		return r
	}
	return r.WithContext(cynllun.WithPrincipal(r.Context(), &cynllun.Principal{UserID: userID}))
}

func serve(h http.Handler, userID, remote string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, "/graphql", nil)
	if remote != "" {
		r.RemoteAddr = remote
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, asUser(r, userID))
	return w
}

func checkLimited(t *testing.T, w *httptest.ResponseRecorder) {
	t.Helper()
	if w.Code != http.StatusTooManyRequests {
		t.Fatalf("status %d, want 429: %s", w.Code, w.Body)
	}
	ra, err := strconv.Atoi(w.Header().Get("Retry-After"))
	if err != nil || ra < 1 || ra > 60 {
		t.Fatalf("Retry-After %q", w.Header().Get("Retry-After"))
	}
	var body struct {
		Errors []struct {
			Message    string
			Extensions map[string]any
		}
	}
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || len(body.Errors) != 1 {
		t.Fatalf("body %s", w.Body)
	}
	if c := body.Errors[0].Extensions["code"]; c != "RATE_LIMITED" {
		t.Fatalf("code %v", c)
	}
	if s, _ := body.Errors[0].Extensions["retryAfter"].(float64); int(s) != ra {
		t.Fatalf("extensions.retryAfter %v, Retry-After %d", body.Errors[0].Extensions["retryAfter"], ra)
	}
}

var ok200 = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("{}")) })

// TestRateLimitPerPrincipal: a principal's burst passes, the next request
// is refused with 429 and Retry-After, and other principals (users and
// anonymous addresses) are not affected; two instances share the limit.
func TestRateLimitPerPrincipal(t *testing.T) {
	rdb := testRedis(t)
	cfg := Limits{Redis: rdb, Rate: 1, Burst: 3, Prefix: testPrefix(t)}
	a, b := newLimiter(cfg, nil, nil), newLimiter(cfg, nil, nil) // two API instances
	ha, hb := a.wrap(ok200), b.wrap(ok200)
	for i, h := range []http.Handler{ha, hb, ha} {
		if w := serve(h, "usr_a", ""); w.Code != http.StatusOK {
			t.Fatalf("request %d: %d", i, w.Code)
		}
	}
	checkLimited(t, serve(hb, "usr_a", ""))
	checkLimited(t, serve(ha, "usr_a", ""))
	if w := serve(ha, "usr_b", ""); w.Code != http.StatusOK {
		t.Fatalf("another user: %d", w.Code)
	}
	// Anonymous: by address. 198.51.100.7 spends its burst; .8 is not
	// affected.
	for range 3 {
		if w := serve(ha, "", "198.51.100.7:4000"); w.Code != http.StatusOK {
			t.Fatalf("anonymous: %d", w.Code)
		}
	}
	checkLimited(t, serve(hb, "", "198.51.100.7:4001"))
	if w := serve(ha, "", "198.51.100.8:4000"); w.Code != http.StatusOK {
		t.Fatalf("another address: %d", w.Code)
	}
	// The rate refills: after a second one more request passes.
	time.Sleep(1100 * time.Millisecond)
	if w := serve(ha, "usr_a", ""); w.Code != http.StatusOK {
		t.Fatalf("after refill: %d", w.Code)
	}
}

// blocker is a handler whose requests wait until released.
type blocker struct {
	started chan struct{}
	release chan struct{}
}

func newBlocker() *blocker {
	return &blocker{started: make(chan struct{}, 100), release: make(chan struct{})}
}

func (b *blocker) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b.started <- struct{}{}
	<-b.release
	_, _ = w.Write([]byte("{}"))
}

// TestConcurrencyLimit: at most Concurrent requests of one principal run at
// once across instances; a finished request frees its slot; other
// principals and websocket upgrades are not counted.
func TestConcurrencyLimit(t *testing.T) {
	rdb := testRedis(t)
	cfg := Limits{Redis: rdb, Concurrent: 2, Prefix: testPrefix(t)}
	a, b := newLimiter(cfg, nil, nil), newLimiter(cfg, nil, nil)
	blk := newBlocker()
	ha, hb := a.wrap(blk), b.wrap(blk)
	var wg sync.WaitGroup
	for _, h := range []http.Handler{ha, hb} {
		wg.Go(func() { serve(h, "usr_a", "") })
		<-blk.started
	}
	// Both instances see the two running requests: the third is refused
	// on either (on a by Redis, on b too: it holds one locally).
	checkLimited(t, serve(ha, "usr_a", ""))
	checkLimited(t, serve(hb, "usr_a", ""))
	// Another user runs.
	wg.Go(func() { serve(ha, "usr_b", "") })
	<-blk.started
	// A websocket upgrade is not a running request.
	wg.Go(func() {
		r := httptest.NewRequest(http.MethodGet, "/graphql", nil)
		r.Header.Set("Upgrade", "websocket")
		ha.ServeHTTP(httptest.NewRecorder(), asUser(r, "usr_a"))
	})
	<-blk.started
	close(blk.release)
	wg.Wait()
	// Slots are free again (leases removed, not left to expire).
	n, err := rdb.ZCard(context.Background(), cfg.Prefix+"run:u:usr_a").Result()
	if err != nil || n != 0 {
		t.Fatalf("leases left: %d, %v", n, err)
	}
	for range 2 {
		if w := serve(ha, "usr_a", ""); w.Code != http.StatusOK {
			t.Fatalf("after release: %d", w.Code)
		}
	}
}

// TestConcurrencyLeaseExpires: a lease left by an instance that died
// expires after LeaseTTL.
func TestConcurrencyLeaseExpires(t *testing.T) {
	rdb := testRedis(t)
	cfg := Limits{Redis: rdb, Concurrent: 1, LeaseTTL: 300 * time.Millisecond, Prefix: testPrefix(t)}
	dead := newLimiter(cfg, nil, nil)
	if _, ok := dead.acquire(context.Background(), "u:usr_a"); !ok {
		t.Fatal("first lease refused")
	}
	live := newLimiter(cfg, nil, nil)
	if _, ok := live.acquire(context.Background(), "u:usr_a"); ok {
		t.Fatal("second lease taken while the first is held")
	}
	time.Sleep(400 * time.Millisecond)
	release, ok := live.acquire(context.Background(), "u:usr_a")
	if !ok {
		t.Fatal("expired lease still counted")
	}
	release()
}

// TestLimitsFailOpen: with Redis down, requests pass, the in-process
// concurrency count still holds, and one WARN without request data is
// logged.
func TestLimitsFailOpen(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close() // nothing listens there now
	rdb := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialTimeout: 100 * time.Millisecond})
	t.Cleanup(func() { _ = rdb.Close() })
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	l := newLimiter(Limits{Redis: rdb, Rate: 1, Burst: 1, Concurrent: 1}, nil, log)
	blk := newBlocker()
	h := l.wrap(blk)
	var wg sync.WaitGroup
	wg.Go(func() { serve(h, "usr_secret_id", "203.0.113.9:1") })
	<-blk.started
	checkLimited(t, serve(h, "usr_secret_id", "203.0.113.9:1")) // the in-process count
	close(blk.release)
	wg.Wait()
	for range 3 {
		if w := serve(h, "usr_secret_id", ""); w.Code != http.StatusOK {
			t.Fatalf("Redis down: %d, want the request allowed", w.Code)
		}
	}
	out := logs.String()
	if strings.Count(out, "level=WARN") != 1 || !strings.Contains(out, "Redis unavailable") {
		t.Fatalf("want one WARN, got:\n%s", out)
	}
	if strings.Contains(out, "usr_secret_id") || strings.Contains(out, "203.0.113.9") {
		t.Fatalf("log names the principal:\n%s", out)
	}
}

func TestClientAddr(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	for _, tc := range []struct {
		name, remote, xff string
		trusted           []netip.Prefix
		want              string
	}{
		{"direct", "198.51.100.7:5000", "", nil, "198.51.100.7"},
		{"forwarded header ignored without trusted proxies", "198.51.100.7:5000", "192.0.2.1", nil, "198.51.100.7"},
		{"forwarded header ignored from an untrusted peer", "198.51.100.7:5000", "192.0.2.1", trusted, "198.51.100.7"},
		{"trusted proxy", "10.1.2.3:5000", "192.0.2.1", trusted, "192.0.2.1"},
		{"spoofed left entries skipped", "10.1.2.3:5000", "6.6.6.6, 192.0.2.1", trusted, "192.0.2.1"},
		{"chain of trusted proxies", "10.1.2.3:5000", "192.0.2.1, 10.9.9.9", trusted, "192.0.2.1"},
		{"garbage stops the walk", "10.1.2.3:5000", "nonsense", trusted, "10.1.2.3"},
		{"ipv6 by /64", "[2001:db8:1:2:3:4:5:6]:443", "", nil, "2001:db8:1:2::/64"},
		{"ipv4-mapped", "[::ffff:198.51.100.7]:443", "", nil, "198.51.100.7"},
		{"trusted ipv6 proxy", "[::1]:443", "2001:db8::9", trusted, "2001:db8::/64"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.RemoteAddr = tc.remote
			if tc.xff != "" {
				r.Header.Set("X-Forwarded-For", tc.xff)
			}
			if got := clientAddr(r, tc.trusted); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestHeavyCount(t *testing.T) {
	for _, tc := range []struct {
		query string
		want  int
	}{
		{`mutation { createPlan(input: {}) { plan { id } } }`, 0},
		{`mutation { renderPlan(input: {planId: "p"}) { job { id } } }`, 1},
		{`mutation { a: renderPlan(input: {planId: "p"}) { job { id } } b: renderPlan(input: {planId: "p"}) { job { id } } c: renderBundle(input: {caseId: "c"}) { bundle { id } } }`, 3},
		{`mutation { ... on Mutation { renderPlan(input: {planId: "p"}) { job { id } } } ...F ...F } fragment F on Mutation { uploadAttachment(input: {learnerId: "l", file: null}) { file { id } } }`, 3},
		{`mutation { createPlan(input: {}) { plan { renderPlan } } }`, 0}, // only root fields count
	} {
		doc, err := parseQuery(tc.query)
		if err != nil {
			t.Fatal(err)
		}
		if got := heavyCount(doc.Operations[0].SelectionSet, doc, 0); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.query, got, tc.want)
		}
	}
}

func parseQuery(q string) (*ast.QueryDocument, error) {
	doc, err := gqlparser.ParseQuery(&ast.Source{Input: q})
	if err != nil {
		return nil, err
	}
	return doc, nil
}

type fakeVerifier map[string]string

func (v fakeVerifier) Verify(_ context.Context, tok string) (string, error) {
	if sub, ok := v[tok]; ok {
		return sub, nil
	}
	return "", cynllun.E(cynllun.CodeUnauthenticated, "verify", "bad token")
}

// TestLimitKeyFromToken: before authentication the principal is the
// verified token's subject (two tokens of one user share a limit); a token
// that does not verify counts against its address.
func TestLimitKeyFromToken(t *testing.T) {
	l := newLimiter(Limits{Redis: testRedis(t), Rate: 1, Burst: 2, Prefix: testPrefix(t)}, fakeVerifier{"t1": "usr_a", "t2": "usr_a", "t3": "usr_b"}, nil)
	h := l.wrap(ok200)
	send := func(tok, remote string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPost, "/graphql", nil)
		r.RemoteAddr = remote
		r.Header.Set("Authorization", "Bearer "+tok)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	for _, tok := range []string{"t1", "t2"} {
		if w := send(tok, "198.51.100.1:1"); w.Code != http.StatusOK {
			t.Fatalf("%s: %d", tok, w.Code)
		}
	}
	checkLimited(t, send("t1", "198.51.100.2:1")) // same user, another address
	if w := send("t3", "198.51.100.1:1"); w.Code != http.StatusOK {
		t.Fatalf("another user on the same address: %d", w.Code)
	}
	for range 2 {
		if w := send("forged", "198.51.100.3:1"); w.Code != http.StatusOK {
			t.Fatalf("bad token, first requests of its address: %d", w.Code)
		}
	}
	checkLimited(t, send("forged-too", "198.51.100.3:1"))
}
