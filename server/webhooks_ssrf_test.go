package server_test

import (
	"context"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/cynllun/cynllun/internal/dnstest"
	"github.com/cynllun/cynllun/internal/redistest"
	"github.com/cynllun/cynllun/notify"
	"github.com/cynllun/cynllun/worker"
)

// loopbackReceivers is the tests' deployment setting: http allowed, and
// 127.0.0.1 (where the httptest receivers listen) allowlisted as an
// internal receiver (WEBHOOK_ALLOW_HTTP, WEBHOOK_ALLOWLIST).
var loopbackReceivers = notify.Destinations{AllowHTTP: true, Allow: notify.Allowlist{Prefixes: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}}

// TestWebhookSSRF: staff and officers cannot point a webhook at internal
// addresses: literal ones are refused at registration with an INVALID url
// field error that does not echo the URL; a name that resolves to an
// internal address when the worker connects is blocked then, and the
// delivery log (as its readers see it) says only "blocked: destination not
// allowed", with no status.
func TestWebhookSSRF(t *testing.T) {
	e := newEnvOn(t, redistest.StartOwn(t))
	f := e.fixture()
	officer := e.token(f.officer)
	create := `mutation($org: ID!, $url: String!) { createWebhookEndpoint(input: {orgId: $org, url: $url}) { endpoint { id url } } }`
	for _, u := range []string{
		"http://[::1]:8080/x",
		"http://127.0.0.2/x", // loopback, outside the allowlisted 127.0.0.1
		"https://169.254.169.254/latest/meta-data/",
		"https://[::ffff:169.254.169.254]/latest/meta-data/",
		"https://[fd00:ec2::254]/",
		"https://10.0.0.5/hooks",
		"https://192.168.1.1/hooks",
		"https://100.64.0.1/hooks",
		"https://0.0.0.0/hooks",
		"https://2130706433/hooks",
		"https://127.1/hooks",
		"http://localhost:8080/hooks",
		"https://user:secret-pw@hooks.example.com/x",
		"https://hooks.example.com/x#secret-frag",
		"https://hooks.example.com/" + strings.Repeat("a", 2001),
		"gopher://hooks.example.com/x",
		"file:///etc/passwd",
	} {
		r := e.do(officer, create, map[string]any{"org": cardiff, "url": u})
		if r.code() != "INVALID" || !strings.Contains(string(r.raw), `"field":"input.url"`) {
			t.Errorf("%.60s: %s", u, r.raw)
			continue
		}
		for _, leak := range []string{"secret-pw", "secret-frag", "169.254.169.254", "2130706433", "localhost:8080"} {
			if strings.Contains(u, leak) && strings.Contains(string(r.raw), leak) {
				t.Errorf("the error echoes %q: %s", leak, r.raw)
			}
		}
	}
	list := e.must(officer, `query($id: ID!) { organisation(id: $id) { webhookEndpoints { id } } }`, map[string]any{"id": cardiff})
	if n := len(list.get("organisation", "webhookEndpoints").([]any)); n != 0 {
		t.Fatalf("%d endpoints stored after refusals: %s", n, list.raw)
	}

	// A name is accepted (it is public when registered) and checked when
	// the worker connects: by then it points at the metadata address.
	dns := dnstest.New(map[string][]netip.Addr{"hooks.rebind.example": {netip.MustParseAddr("93.184.215.14")}})
	r := e.must(officer, create, map[string]any{"org": cardiff, "url": "https://hooks.rebind.example/cynllun"})
	endpoint := r.str("createWebhookEndpoint", "endpoint", "id")
	dns.Set("hooks.rebind.example", netip.MustParseAddr("169.254.169.254"), netip.MustParseAddr("fd00:ec2::254"))

	rec := e.must(officer, `mutation($in: StatutoryEventInput!) { recordStatutoryEvent(input: $in) { started { id status } } }`,
		map[string]any{"in": map[string]any{"learnerId": f.l1, "kind": "DECISION_NOTICE_GIVEN", "on": "2026-09-20", "orgId": cardiff}})
	dl := rec.str("recordStatutoryEvent", "started", 0, "id")
	w := worker.New(e.rdb, worker.Config{Concurrency: 2, RetryBase: 50 * time.Millisecond, ReconcileEvery: -1, NoticeScanEvery: -1, ShutdownTimeout: 5 * time.Second})
	w.Handle(worker.TypeSendNotice, &worker.NoticeSender{Store: e.db, Now: e.clock.Now,
		Webhooks: notify.NewWebhookSender(5*time.Second, notify.Destinations{Resolver: dns.Resolver()})})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = w.Run(ctx) }()
	defer func() { cancel(); <-done }()
	sc := &worker.Scanner{Store: e.db, Queue: worker.NewClient(e.rdb), Now: e.clock.Now}
	if raised, _, err := sc.Scan(context.Background()); err != nil || raised < 1 {
		t.Fatalf("scan: %d, %v", raised, err)
	}
	notices := `query($id: ID!) { deadline(id: $id) { notices { nodes { recipient status attempts errorCode deliveries { ok httpStatus errorCode detail } } } } }`
	deadline := time.Now().Add(30 * time.Second)
	for {
		r = e.must(officer, notices, map[string]any{"id": dl})
		if r.str("deadline", "notices", "nodes", 0, "status") == "FAILED" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not failed: %s", r.raw)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if r.str("deadline", "notices", "nodes", 0, "recipient") != endpoint || r.get("deadline", "notices", "nodes", 0, "attempts") != 1.0 ||
		r.str("deadline", "notices", "nodes", 0, "errorCode") != "INVALID" {
		t.Fatalf("notice: %s", r.raw)
	}
	got := r.get("deadline", "notices", "nodes", 0, "deliveries")
	want := []any{map[string]any{"ok": false, "httpStatus": nil, "errorCode": "INVALID", "detail": "blocked: destination not allowed"}}
	if !equalJSON(got, want) {
		t.Fatalf("delivery log: %s", r.raw)
	}
	if dns.Lookups() == 0 {
		t.Fatal("the name was not resolved when connecting")
	}
}

func equalJSON(a, b any) bool {
	switch a := a.(type) {
	case []any:
		bl, ok := b.([]any)
		if !ok || len(a) != len(bl) {
			return false
		}
		for i := range a {
			if !equalJSON(a[i], bl[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		bm, ok := b.(map[string]any)
		if !ok || len(a) != len(bm) {
			return false
		}
		for k, v := range a {
			if !equalJSON(v, bm[k]) {
				return false
			}
		}
		return true
	}
	return a == b
}
