package worker_test

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/internal/dnstest"
	"github.com/cynllun/cynllun/notify"
	"github.com/cynllun/cynllun/worker"
)

// loopbackReceivers lets the tests' webhook receivers, httptest servers on
// loopback, be reached: http allowed, and 127.0.0.1 allowlisted as a
// deployment allowlists its internal receivers (WEBHOOK_ALLOWLIST).
var loopbackReceivers = notify.Destinations{AllowHTTP: true, Allow: notify.Allowlist{Prefixes: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}}

// TestBlockedWebhooksRecorded: with no allowlist, notices to a loopback
// receiver (by address, by localhost, and by a name that resolves to
// loopback when the worker connects), to a closed loopback port and to the
// cloud metadata address are not sent; each fails at once (no retry) and
// its delivery log says only "blocked: destination not allowed", with no
// status, the same for an open port as for a closed one; the endpoint is
// disabled after DisableAfter blocked attempts; the log names no address.
func TestBlockedWebhooksRecorded(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t)
	port := strconv.Itoa(rc.srv.Listener.Addr().(*net.TCPAddr).Port)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	dns := dnstest.New(map[string][]netip.Addr{"hooks.rebind.example": {netip.MustParseAddr("127.0.0.1")}})
	urls := map[string]string{
		"whk_loopback": rc.srv.URL + "/hook",
		"whk_closed":   "http://127.0.0.1:" + closed + "/hook",
		"whk_v6":       "http://[::1]:" + port + "/hook",
		"whk_mapped":   "http://[::ffff:127.0.0.1]:" + port + "/hook",
		"whk_local":    "http://localhost:" + port + "/hook",
		"whk_rebind":   "http://hooks.rebind.example:" + port + "/hook",
		"whk_metadata": "http://169.254.169.254/latest/meta-data/",
	}
	for id, u := range urls {
		e.endpoint(id, u, rc.secret)
	}
	ds := e.deadlines(1, "blocked")
	s := &worker.Scanner{Store: e.db, Queue: worker.NewClient(e.rdb), Offsets: []int{0}}
	if raised, _, err := s.Scan(context.Background()); err != nil || raised != len(urls) {
		t.Fatalf("raised %d, %v", raised, err)
	}
	var logs bytes.Buffer
	e.startNoticeWorker(&worker.NoticeSender{Store: e.db, DisableAfter: 1, Log: slog.New(slog.NewTextHandler(&logs, nil)),
		Webhooks: notify.NewWebhookSender(time.Second, notify.Destinations{AllowHTTP: true, Resolver: dns.Resolver()})}, 2)
	for id := range urls {
		nid := cynllun.NoticeID(ds[0].ID, 0, cynllun.ChannelWebhook, id)
		deadline := time.Now().Add(30 * time.Second)
		var n *cynllun.Notice
		for n = e.notice(nid); n.Status != cynllun.NoticeFailed; n = e.notice(nid) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: notice %s after %d attempts, want FAILED", id, n.Status, n.Attempts)
			}
			time.Sleep(50 * time.Millisecond)
		}
		if n.Attempts != 1 || n.ErrorCode != cynllun.CodeInvalid {
			t.Errorf("%s: %d attempts, code %s: want one attempt, INVALID", id, n.Attempts, n.ErrorCode)
		}
		dl, err := e.db.DeliveriesForNotices(context.Background(), []string{nid})
		if err != nil || len(dl) != 1 {
			t.Fatalf("%s: delivery log %+v, %v", id, dl, err)
		}
		want := cynllun.Delivery{ID: dl[0].ID, NoticeID: nid, Attempt: 1, At: dl[0].At, ErrorCode: cynllun.CodeInvalid, Detail: notify.BlockedMessage}
		if dl[0] != want {
			t.Errorf("%s: delivery log %+v, want %+v", id, dl[0], want)
		}
	}
	if got := rc.counts(); len(got) != 0 {
		t.Fatalf("the loopback receiver got %v", got)
	}
	if dns.Lookups() == 0 {
		t.Error("the rebinding name was never resolved: its check was not at connect time")
	}
	ids := make([]string, 0, len(urls))
	for id := range urls {
		ids = append(ids, id)
	}
	eps, err := e.db.EndpointsByID(context.Background(), ids)
	if err != nil || len(eps) != len(urls) {
		t.Fatal(eps, err)
	}
	for _, ep := range eps {
		if ep.Active() || ep.DisabledReason != notify.BlockedMessage || ep.Failures != 1 {
			t.Errorf("%s after a blocked delivery: active %v, %q, %d failures", ep.ID, ep.Active(), ep.DisabledReason, ep.Failures)
		}
	}
	if !strings.Contains(logs.String(), "notice not delivered") {
		t.Errorf("the worker logged no failed delivery:\n%s", logs.String())
	}
	for _, leak := range []string{"127.0.0.1", "::1", "169.254", "localhost", "rebind", port, closed, "refused", "dial"} {
		if strings.Contains(logs.String(), leak) {
			t.Errorf("the worker's log mentions %q:\n%s", leak, logs.String())
		}
	}
}
