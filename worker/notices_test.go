package worker_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/internal/metrics"
	"github.com/cynllun/cynllun/internal/smtptest"
	"github.com/cynllun/cynllun/notify"
	"github.com/cynllun/cynllun/seed"
	"github.com/cynllun/cynllun/worker"
)

// receiver is a webhook endpoint that checks every signature and counts
// deliveries by webhook-id.
type receiver struct {
	srv    *httptest.Server
	secret string
	mu     sync.Mutex
	got    map[string]int
	bad    atomic.Int64
	// respond, when set, decides the status of a delivery (n counts the
	// deliveries of that id so far, this one included).
	respond func(id string, n int) int
}

func newReceiver(t *testing.T) *receiver {
	t.Helper()
	secret, err := notify.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	rc := &receiver{secret: secret, got: map[string]int{}}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := notify.Verify([]string{rc.secret}, r.Header, body, time.Now(), 5*time.Minute); err != nil {
			rc.bad.Add(1)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if strings.Contains(string(body), "Siôn") || strings.Contains(string(body), "Llywelyn") {
			rc.bad.Add(1) // a child's name in a webhook body
		}
		id := r.Header.Get("webhook-id")
		if r.Header.Get("Idempotency-Key") != id {
			rc.bad.Add(1)
		}
		rc.mu.Lock()
		rc.got[id]++
		n := rc.got[id]
		rc.mu.Unlock()
		status := http.StatusNoContent
		if rc.respond != nil {
			status = rc.respond(id, n)
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) counts() map[string]int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	out := make(map[string]int, len(rc.got))
	for k, v := range rc.got {
		out[k] = v
	}
	return out
}

func (e *env) endpoint(id, url, secret string) {
	e.t.Helper()
	if err := e.db.CreateEndpoint(context.Background(), &cynllun.WebhookEndpoint{ID: id, OrgID: seed.SchoolID, URL: url, Secrets: []string{secret}, CreatedAt: time.Now()}); err != nil {
		e.t.Fatal(err)
	}
}

// deadlines stores n open deadlines of the sample school due today (T4:
// calendar weeks, so offsets count calendar days).
func (e *env) deadlines(n int, tag string) []*cynllun.Deadline {
	e.t.Helper()
	today := cynllun.Today(time.Now())
	ds := make([]*cynllun.Deadline, n)
	for i := range ds {
		ev := fmt.Sprintf("evt_%s_%d", tag, i)
		ds[i] = &cynllun.Deadline{ID: cynllun.DeadlineID("T4", ev), RuleID: "T4", LearnerID: seed.Learner1ID, OrgID: seed.SchoolID,
			LAID: seed.CardiffID, SettingID: seed.SchoolID, StartEventID: ev, Start: today.AddDays(-84), Due: today, CreatedAt: time.Now()}
	}
	if err := e.db.InsertDeadlines(context.Background(), ds); err != nil {
		e.t.Fatal(err)
	}
	return ds
}

func (e *env) sender(timeout time.Duration) *worker.NoticeSender {
	return &worker.NoticeSender{Store: e.db, Webhooks: notify.NewWebhookSender(timeout, loopbackReceivers), DisableAfter: 2}
}

// startNoticeWorker runs a worker sending notices with h.
func (e *env) startNoticeWorker(h *worker.NoticeSender, concurrency int) {
	e.t.Helper()
	w := worker.New(e.rdb, worker.Config{Concurrency: concurrency, RetryBase: 50 * time.Millisecond, ReconcileEvery: -1, NoticeScanEvery: -1, ShutdownTimeout: 5 * time.Second})
	w.Handle(worker.TypeSendNotice, h)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = w.Run(ctx) }()
	e.t.Cleanup(func() { cancel(); <-done })
}

// noticeCount counts the notices with a status.
func (e *env) noticeCount(status cynllun.NoticeStatus) int64 {
	e.t.Helper()
	n, err := e.db.Database().Collection("notices").CountDocuments(context.Background(), map[string]any{"status": string(status)})
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

func (e *env) waitNotices(status cynllun.NoticeStatus, want int64, within time.Duration) {
	e.t.Helper()
	deadline := time.Now().Add(within)
	for {
		if n := e.noticeCount(status); n >= want {
			return
		} else if time.Now().After(deadline) {
			e.t.Fatalf("%d notices %s after %v, want %d (pending %d, failed %d)", n, status, within, want, e.noticeCount(cynllun.NoticePending), e.noticeCount(cynllun.NoticeFailed))
		}
		// Counting scans the collection on embedded FerretDB: not too often.
		time.Sleep(time.Second)
	}
}

func (e *env) notice(id string) *cynllun.Notice {
	e.t.Helper()
	ns, err := e.db.NoticesByID(context.Background(), []string{id})
	if err != nil || len(ns) != 1 {
		e.t.Fatalf("notice %s: %v %v", id, ns, err)
	}
	return ns[0]
}

// TestScannersRaiseEachNoticeOnce: two scanners at once over 1,000 due
// deadlines raise and queue each notice exactly once, and a third pass
// raises nothing. (Delivery is TestNoticesDeliveredOnce: on embedded
// FerretDB under -race, 1,000 deliveries take minutes.)
func TestScannersRaiseEachNoticeOnce(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t)
	e.endpoint("whk_scan", rc.srv.URL, rc.secret)
	e.deadlines(1000, "scan")
	var wg sync.WaitGroup
	var total atomic.Int64
	start := time.Now()
	for range 2 {
		wg.Add(1)
		go func() { defer wg.Done(); total.Add(int64(e.scan(-3, 0, 1))) }()
	}
	wg.Wait()
	t.Logf("two scanners at once over 1000 deadlines: %v", time.Since(start))
	if total.Load() != 1000 || e.noticeCount(cynllun.NoticePending) != 1000 {
		t.Fatalf("two scanners raised %d notices (%d stored), want 1000", total.Load(), e.noticeCount(cynllun.NoticePending))
	}
	info, err := asynq.NewInspectorFromRedisClient(e.rdb).GetQueueInfo(worker.QueueDefault)
	if err != nil || info.Pending != 1000 {
		t.Fatalf("queued: %+v, %v", info, err)
	}
	if n := e.scan(-3, 0, 1); n != 0 {
		t.Fatalf("a third pass raised %d", n)
	}
}

func (e *env) scan(offsets ...int) int {
	e.t.Helper()
	s := &worker.Scanner{Store: e.db, Queue: worker.NewClient(e.rdb), Offsets: offsets}
	raised, _, err := s.Scan(context.Background())
	if err != nil {
		e.t.Error(err)
	}
	return raised
}

// TestNoticesDeliveredOnce: scanners running while the worker delivers
// (and after) never make a notice go out twice; every one arrives once,
// signed, with no child's data in it.
func TestNoticesDeliveredOnce(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t)
	e.endpoint("whk_once", rc.srv.URL, rc.secret)
	e.deadlines(60, "once")
	e.startNoticeWorker(e.sender(5*time.Second), 4)
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() { defer wg.Done(); e.scan(-3, 0, 1) }()
	}
	wg.Wait()
	start := time.Now()
	e.waitNotices(cynllun.NoticeSent, 60, 3*time.Minute)
	t.Logf("60 notices delivered in %v", time.Since(start))
	e.scan(-3, 0, 1) // after delivery: raises and sends nothing
	time.Sleep(1500 * time.Millisecond)
	got := rc.counts()
	if len(got) != 60 || rc.bad.Load() != 0 {
		t.Fatalf("%d distinct notices received, %d bad", len(got), rc.bad.Load())
	}
	for id, n := range got {
		if n != 1 {
			t.Fatalf("notice %s delivered %d times", id, n)
		}
	}
}

// TestWebhookRetries: 500s and a timeout are retried with backoff until
// delivered; 410 Gone fails at once and disables the endpoint; repeated
// 400s disable it too. The delivery log has every attempt.
func TestWebhookRetries(t *testing.T) {
	e := newEnv(t)
	flaky, gone, slow, bad := newReceiver(t), newReceiver(t), newReceiver(t), newReceiver(t)
	flaky.respond = func(_ string, n int) int {
		if n <= 2 {
			return http.StatusInternalServerError
		}
		return http.StatusOK
	}
	gone.respond = func(string, int) int { return http.StatusGone }
	slow.respond = func(_ string, n int) int {
		if n == 1 {
			time.Sleep(700 * time.Millisecond) // past the sender's timeout
		}
		return http.StatusNoContent
	}
	bad.respond = func(string, int) int { return http.StatusBadRequest }
	for id, rc := range map[string]*receiver{"whk_flaky": flaky, "whk_gone": gone, "whk_slow": slow, "whk_bad": bad} {
		e.endpoint(id, rc.srv.URL, rc.secret)
	}
	ds := e.deadlines(2, "retry")
	s := &worker.Scanner{Store: e.db, Queue: worker.NewClient(e.rdb), Offsets: []int{0}}
	if raised, _, err := s.Scan(context.Background()); err != nil || raised != 8 {
		t.Fatalf("raised %d, %v", raised, err)
	}
	e.startNoticeWorker(e.sender(300*time.Millisecond), 4)
	id := func(d int, ep string) string { return cynllun.NoticeID(ds[d].ID, 0, cynllun.ChannelWebhook, ep) }
	waitFor := func(nid string, st cynllun.NoticeStatus) *cynllun.Notice {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for {
			n := e.notice(nid)
			if n.Status == st {
				return n
			}
			if time.Now().After(deadline) {
				t.Fatalf("notice %s is %s after %d attempts, want %s", nid, n.Status, n.Attempts, st)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	if n := waitFor(id(0, "whk_flaky"), cynllun.NoticeSent); n.Attempts != 3 {
		t.Errorf("flaky: %d attempts, want 3", n.Attempts)
	}
	log, err := e.db.DeliveriesForNotices(context.Background(), []string{id(0, "whk_flaky")})
	if err != nil || len(log) != 3 || log[0].OK || log[0].HTTPStatus != 500 || !log[2].OK {
		t.Errorf("flaky's delivery log: %+v %v", log, err)
	}
	if n := waitFor(id(0, "whk_slow"), cynllun.NoticeSent); n.Attempts != 2 {
		t.Errorf("slow: %d attempts, want 2", n.Attempts)
	}
	waitFor(id(0, "whk_gone"), cynllun.NoticeFailed)
	waitFor(id(1, "whk_bad"), cynllun.NoticeFailed)
	waitFor(id(0, "whk_bad"), cynllun.NoticeFailed)
	if got := gone.counts(); got[id(0, "whk_gone")] != 1 {
		t.Errorf("410 delivered %d times, want 1 (no retry)", got[id(0, "whk_gone")])
	}
	eps, _ := e.db.EndpointsByID(context.Background(), []string{"whk_gone", "whk_bad", "whk_flaky"})
	state := map[string]*cynllun.WebhookEndpoint{}
	for _, ep := range eps {
		state[ep.ID] = ep
	}
	if state["whk_gone"].Active() || !strings.Contains(state["whk_gone"].DisabledReason, "410") {
		t.Errorf("the 410 endpoint is not disabled: %+v", state["whk_gone"])
	}
	if state["whk_bad"].Active() || state["whk_bad"].Failures != 2 {
		t.Errorf("the 400 endpoint after two permanent failures: %+v", state["whk_bad"])
	}
	if !state["whk_flaky"].Active() || state["whk_flaky"].Failures != 0 {
		t.Errorf("the flaky endpoint: %+v", state["whk_flaky"])
	}
}

// TestEmailNotices: the responsible school staff get the notice by email
// over SMTP, once, with the notice id as Message-ID and no child's name.
func TestEmailNotices(t *testing.T) {
	e := newEnv(t)
	smtpSrv := smtptest.Start(t)
	ds := e.deadlines(3, "email")
	s := &worker.Scanner{Store: e.db, Queue: worker.NewClient(e.rdb), Offsets: []int{-3, 0, 1}, Email: true}
	if raised, _, err := s.Scan(context.Background()); err != nil || raised != 3 {
		t.Fatalf("raised %d, %v", raised, err)
	}
	m, err := notify.NewMailer(notify.MailConfig{Host: smtpSrv.Host, Port: smtpSrv.Port, From: "cynllun@example.invalid", TLS: "none", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	h := e.sender(time.Second)
	h.Mailer = m
	e.startNoticeWorker(h, 2)
	e.waitNotices(cynllun.NoticeSent, 3, 60*time.Second)
	msgs := smtpSrv.Messages()
	if len(msgs) != 3 {
		t.Fatalf("%d messages, want 3", len(msgs))
	}
	ids := map[string]bool{}
	for _, d := range ds {
		ids["<"+cynllun.NoticeID(d.ID, 0, cynllun.ChannelEmail, seed.ALNCoID)+"@cynllun>"] = true
	}
	for _, msg := range msgs {
		parsed, err := mail.ReadMessage(strings.NewReader(string(msg.Data)))
		if err != nil {
			t.Fatal(err)
		}
		if !ids[parsed.Header.Get("Message-Id")] || len(msg.To) != 1 || msg.To[0] != "alnco@example.invalid" {
			t.Errorf("message %q to %v", parsed.Header.Get("Message-Id"), msg.To)
		}
		if strings.Contains(string(msg.Data), "Siôn") || strings.Contains(string(msg.Data), "Llywelyn") {
			t.Error("an email names the child")
		}
	}
}

// childNoticeWorker is the child process of TestKilledBetweenSendAndRecord:
// it delivers, writes the marker and hangs before recording the delivery.
func childNoticeWorker() int {
	ctx := context.Background()
	db, w, err := openChildWorker(ctx)
	if err != nil {
		return 1
	}
	marker := os.Getenv("CYNLLUN_CHILD_MARKER")
	h := &worker.NoticeSender{Store: db, Webhooks: notify.NewWebhookSender(5*time.Second, loopbackReceivers),
		AfterSend: func(*cynllun.Notice) {
			_ = os.WriteFile(marker, []byte("sent"), 0o600)
			select {} // killed here, before the delivery is recorded
		}}
	if port := os.Getenv("CYNLLUN_CHILD_SMTP_PORT"); port != "" {
		// Email notices, through the parent's SMTP server.
		p, _ := strconv.Atoi(port)
		m, err := notify.NewMailer(notify.MailConfig{Host: "127.0.0.1", Port: p, From: "cynllun@example.invalid", TLS: "none", Timeout: 5 * time.Second})
		if err != nil {
			return 1
		}
		h.Mailer = m
	}
	w.Handle(worker.TypeSendNotice, h)
	_ = w.Run(ctx)
	return 0
}

// TestKilledBetweenSendAndRecord: a worker process killed with SIGKILL after
// delivering a notice but before recording it leaves the notice pending;
// after a restart it is delivered once more, with the same webhook-id, and
// recorded; nothing else is sent.
func TestKilledBetweenSendAndRecord(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t)
	e.endpoint("whk_kill", rc.srv.URL, rc.secret)
	ds := e.deadlines(1, "kill")
	s := &worker.Scanner{Store: e.db, Queue: worker.NewClient(e.rdb), Offsets: []int{0}}
	if raised, _, err := s.Scan(context.Background()); err != nil || raised != 1 {
		t.Fatalf("raised %d, %v", raised, err)
	}
	nid := cynllun.NoticeID(ds[0].ID, 0, cynllun.ChannelWebhook, "whk_kill")
	e.killChildAt("CYNLLUN_CHILD_NOTICE")
	if n := e.notice(nid); n.Status != cynllun.NoticeSending || n.Attempts != 1 || n.AttemptedAt.IsZero() || rc.counts()[nid] != 1 {
		t.Fatalf("after the kill: %+v, delivered %d", n, rc.counts()[nid])
	}
	// No lease moved by hand: the new worker's recoverer takes the task.
	h := e.sender(5 * time.Second)
	h.Metrics = metrics.New()
	e.startNoticeWorker(h, 1)
	e.waitNotices(cynllun.NoticeSent, 1, 60*time.Second)
	n := e.notice(nid)
	if n.Attempts != 2 || rc.counts()[nid] != 2 || len(rc.counts()) != 1 || rc.bad.Load() != 0 {
		t.Fatalf("after the restart: attempts %d, delivered %d (%d ids, %d bad)", n.Attempts, rc.counts()[nid], len(rc.counts()), rc.bad.Load())
	}
	// The receiver could tell: both attempts carried the notice id as
	// webhook-id and Idempotency-Key (the receiver checks). The unknown
	// attempt is in the log and counted.
	e.checkUncertainLogged(nid, h.Metrics, "webhook", 2)
	// Nothing sends it again.
	time.Sleep(1500 * time.Millisecond)
	if rc.counts()[nid] != 2 {
		t.Fatalf("delivered %d times in all, want 2", rc.counts()[nid])
	}
}

// TestLostNoticeTasksAreQueuedAgain: notices whose tasks Redis lost (a
// restart, FLUSHALL) are queued again by the next scan and delivered.
func TestLostNoticeTasksAreQueuedAgain(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t)
	e.endpoint("whk_lost", rc.srv.URL, rc.secret)
	e.deadlines(5, "lost")
	if n := e.scan(0); n != 5 {
		t.Fatalf("raised %d", n)
	}
	if err := e.rdb.FlushAll(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	s := &worker.Scanner{Store: e.db, Queue: worker.NewClient(e.rdb), Offsets: []int{0}, Grace: time.Nanosecond}
	time.Sleep(5 * time.Millisecond)
	raised, requeued, err := s.Scan(context.Background())
	if err != nil || raised != 0 || requeued != 5 {
		t.Fatalf("after FLUSHALL: raised %d, requeued %d, %v", raised, requeued, err)
	}
	e.startNoticeWorker(e.sender(5*time.Second), 2)
	e.waitNotices(cynllun.NoticeSent, 5, time.Minute)
	if got := rc.counts(); len(got) != 5 {
		t.Fatalf("%d delivered", len(got))
	}
}

// TestReviewPeriodRollsOver: a 12-month review period that ended with no
// decision is followed by one starting the next day (Act s.23(5)), once
// however many scans run; the missed one stays missed.
func TestReviewPeriodRollsOver(t *testing.T) {
	e := newEnv(t)
	today := cynllun.Today(time.Now())
	old := &cynllun.Deadline{ID: cynllun.DeadlineID("T8", "evt_roll"), RuleID: "T8", LearnerID: seed.Learner1ID, PlanID: seed.PlanID, OrgID: seed.SchoolID,
		LAID: seed.CardiffID, SettingID: seed.SchoolID, StartEventID: "evt_roll", Start: today.AddYears(-1).AddDays(-3), Due: today.AddDays(-4), CreatedAt: time.Now()}
	if err := e.db.InsertDeadlines(context.Background(), []*cynllun.Deadline{old}); err != nil {
		t.Fatal(err)
	}
	e.scan(0)
	e.scan(0)
	ds, err := e.db.ListDeadlines(context.Background(), cynllun.DeadlineQuery{Scope: cynllun.Scope{LearnerIDs: []string{seed.Learner1ID}}, RuleIDs: []string{"T8"}})
	if err != nil {
		t.Fatal(err)
	}
	var next []*cynllun.Deadline
	for _, d := range ds {
		if d.ID != old.ID && d.PlanID == seed.PlanID && d.Start == old.Due.AddDays(1) {
			next = append(next, d)
		}
	}
	if len(next) != 1 || next[0].Due != old.Due.AddDays(1).AddYears(1).AddDays(-1) || next[0].StatusOn(today) != cynllun.DeadlineOpen {
		t.Fatalf("next periods: %+v", next)
	}
	got, _ := e.db.DeadlinesByID(context.Background(), []string{old.ID})
	if got[0].StatusOn(today) != cynllun.DeadlineMissed {
		t.Fatalf("the old period: %+v", got[0])
	}
}

// TestClosedDeadlineIsNotNotified: a notice raised for a deadline that is
// met before it goes out is skipped, not sent, and not retried.
func TestClosedDeadlineIsNotNotified(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t)
	e.endpoint("whk_closed", rc.srv.URL, rc.secret)
	ds := e.deadlines(1, "closed")
	if n := e.scan(0); n != 1 {
		t.Fatalf("raised %d", n)
	}
	if ok, err := e.db.CloseDeadline(context.Background(), ds[0].ID, cynllun.Closure{Status: cynllun.DeadlineMet, On: ds[0].Due, At: time.Now()}); err != nil || !ok {
		t.Fatalf("close: %v %v", ok, err)
	}
	e.startNoticeWorker(e.sender(time.Second), 1)
	e.waitNotices(cynllun.NoticeSkipped, 1, 30*time.Second)
	n := e.notice(cynllun.NoticeID(ds[0].ID, 0, cynllun.ChannelWebhook, "whk_closed"))
	if n.Attempts != 0 || len(rc.counts()) != 0 {
		t.Fatalf("a closed deadline's notice: %+v, %d delivered", n, len(rc.counts()))
	}
}

// checkUncertainLogged checks the delivery log of notice nid: attempt 1
// logged with an unknown outcome, then attempts ok up to attempts (none
// when it was held); and one "uncertain" in the metrics for the channel.
func (e *env) checkUncertainLogged(nid string, m *metrics.Metrics, channel string, attempts int) {
	e.t.Helper()
	ds, err := e.db.DeliveriesForNotices(context.Background(), []string{nid})
	if err != nil {
		e.t.Fatal(err)
	}
	if len(ds) != attempts || ds[0].Attempt != 1 || ds[0].OK || !strings.Contains(ds[0].Detail, "outcome unknown") || ds[0].At.IsZero() {
		e.t.Fatalf("delivery log: %+v", ds)
	}
	if attempts == 2 && (ds[1].Attempt != 2 || !ds[1].OK) {
		e.t.Fatalf("delivery log: %+v", ds)
	}
	mfs, err := m.Registry.Gather()
	if err != nil {
		e.t.Fatal(err)
	}
	found := 0.0
	for _, mf := range mfs {
		if mf.GetName() != "cynllun_notices_total" {
			continue
		}
		for _, s := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range s.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["channel"] == channel && labels["outcome"] == "uncertain" {
				found += s.GetCounter().GetValue()
			}
		}
	}
	if found != 1 {
		e.t.Fatalf("cynllun_notices_total{channel=%q,outcome=\"uncertain\"} = %v, want 1", channel, found)
	}
}

// TestKilledAfterEmailSent: a worker killed after its email notice reached
// the SMTP relay but before the outcome was recorded leaves the notice
// SENDING (recorded before the message left). The next worker logs the
// attempt as of unknown outcome and counts it; then, by the policy, sends
// it once more with the same Message-ID (resend, the default: a missed
// reminder of a statutory deadline costs more than a duplicate), or holds
// it as UNCERTAIN and sends nothing (hold).
func TestKilledAfterEmailSent(t *testing.T) {
	for _, policy := range []worker.UncertainPolicy{worker.UncertainResend, worker.UncertainHold} {
		t.Run(string(policy), func(t *testing.T) {
			e := newEnv(t)
			smtpSrv := smtptest.Start(t)
			ds := e.deadlines(1, "mail")
			s := &worker.Scanner{Store: e.db, Queue: worker.NewClient(e.rdb), Offsets: []int{0}, Email: true}
			if raised, _, err := s.Scan(context.Background()); err != nil || raised != 1 {
				t.Fatalf("raised %d, %v", raised, err)
			}
			nid := cynllun.NoticeID(ds[0].ID, 0, cynllun.ChannelEmail, seed.ALNCoID)
			e.killChildAfter("CYNLLUN_CHILD_NOTICE", nil, "CYNLLUN_CHILD_SMTP_PORT="+strconv.Itoa(smtpSrv.Port))
			if n := e.notice(nid); n.Status != cynllun.NoticeSending || n.Attempts != 1 || n.AttemptedAt.IsZero() || len(smtpSrv.Messages()) != 1 {
				t.Fatalf("after the kill: %+v, %d messages", n, len(smtpSrv.Messages()))
			}
			m, err := notify.NewMailer(notify.MailConfig{Host: smtpSrv.Host, Port: smtpSrv.Port, From: "cynllun@example.invalid", TLS: "none", Timeout: 5 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			h := e.sender(time.Second)
			h.Mailer, h.Metrics, h.EmailUncertain = m, metrics.New(), policy
			e.startNoticeWorker(h, 1)
			if policy == worker.UncertainHold {
				e.waitNotices(cynllun.NoticeUncertain, 1, 60*time.Second)
				time.Sleep(time.Second)
				if n := e.notice(nid); n.Status != cynllun.NoticeUncertain || n.Attempts != 1 || len(smtpSrv.Messages()) != 1 {
					t.Fatalf("held: %+v, %d messages", n, len(smtpSrv.Messages()))
				}
				e.checkUncertainLogged(nid, h.Metrics, "email", 1)
				return
			}
			e.waitNotices(cynllun.NoticeSent, 1, 60*time.Second)
			msgs := smtpSrv.Messages()
			if n := e.notice(nid); n.Attempts != 2 || len(msgs) != 2 {
				t.Fatalf("resent: %+v, %d messages", n, len(msgs))
			}
			for _, msg := range msgs {
				parsed, err := mail.ReadMessage(strings.NewReader(string(msg.Data)))
				if err != nil || parsed.Header.Get("Message-Id") != notify.MessageID(nid) {
					t.Fatalf("message %v, %v; want Message-ID %s on both", parsed.Header.Get("Message-Id"), err, notify.MessageID(nid))
				}
			}
			e.checkUncertainLogged(nid, h.Metrics, "email", 2)
		})
	}
}

// TestKilledBeforeEmailLeft: a worker killed while its SMTP connection is
// being set up (the relay has not even greeted it) leaves no mark of an
// attempt whose message may have left: the notice is PENDING, and the next
// worker sends it once, with nothing logged or counted as uncertain.
func TestKilledBeforeEmailLeft(t *testing.T) {
	e := newEnv(t)
	smtpSrv := smtptest.Start(t)
	ds := e.deadlines(1, "stall")
	s := &worker.Scanner{Store: e.db, Queue: worker.NewClient(e.rdb), Offsets: []int{0}, Email: true}
	if raised, _, err := s.Scan(context.Background()); err != nil || raised != 1 {
		t.Fatalf("raised %d, %v", raised, err)
	}
	nid := cynllun.NoticeID(ds[0].ID, 0, cynllun.ChannelEmail, seed.ALNCoID)
	// A relay that accepts connections and never greets: the child is
	// killed once it has connected.
	stall, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = stall.Close() })
	marker := filepath.Join(t.TempDir(), "connected")
	go func() {
		for {
			c, err := stall.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { _ = c.Close() })
			_ = os.WriteFile(marker, []byte("connected"), 0o600)
		}
	}()
	e.killChildAtMarker("CYNLLUN_CHILD_NOTICE", marker, nil, "CYNLLUN_CHILD_SMTP_PORT="+strconv.Itoa(stall.Addr().(*net.TCPAddr).Port))
	if n := e.notice(nid); n.Status != cynllun.NoticePending || n.Attempts != 1 || !n.AttemptedAt.IsZero() {
		t.Fatalf("after the kill: %+v", n)
	}
	m, err := notify.NewMailer(notify.MailConfig{Host: smtpSrv.Host, Port: smtpSrv.Port, From: "cynllun@example.invalid", TLS: "none", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	h := e.sender(time.Second)
	h.Mailer, h.Metrics = m, metrics.New()
	e.startNoticeWorker(h, 1)
	e.waitNotices(cynllun.NoticeSent, 1, 60*time.Second)
	if n := e.notice(nid); n.Attempts != 2 || len(smtpSrv.Messages()) != 1 {
		t.Fatalf("after the restart: %+v, %d messages", n, len(smtpSrv.Messages()))
	}
	dl, err := e.db.DeliveriesForNotices(context.Background(), []string{nid})
	if err != nil || len(dl) != 1 || !dl[0].OK || dl[0].Attempt != 2 {
		t.Fatalf("delivery log: %+v, %v; want the one delivery, nothing uncertain", dl, err)
	}
}
