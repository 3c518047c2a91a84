package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cynllun/cynllun"
)

func newTestSecret(t testing.TB) string {
	t.Helper()
	s, err := NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// The Standard Webhooks reference libraries' test vector
// (standard-webhooks/standard-webhooks, libraries/go/webhook_test.go,
// TestWebhookSign; the same vector is in the other libraries' tests).
const (
	vectorSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	vectorID     = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	vectorTS     = 1614265330
	vectorBody   = `{"test": 2432232314}`
	vectorSig    = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

func TestSignSpecVector(t *testing.T) {
	for _, secret := range []string{vectorSecret, strings.TrimPrefix(vectorSecret, SecretPrefix)} {
		got, err := Sign(secret, vectorID, time.Unix(vectorTS, 0), []byte(vectorBody))
		if err != nil {
			t.Fatal(err)
		}
		if got != vectorSig {
			t.Errorf("Sign = %q, want %q", got, vectorSig)
		}
	}
	h := http.Header{}
	h.Set(HeaderWebhookID, vectorID)
	h.Set(HeaderWebhookTimestamp, strconv.Itoa(vectorTS))
	h.Set(HeaderWebhookSignature, vectorSig)
	if err := Verify([]string{vectorSecret}, h, []byte(vectorBody), time.Unix(vectorTS+60, 0), 0); err != nil {
		t.Errorf("Verify(vector) = %v", err)
	}
}

// A vector computed independently with crypto/hmac.
func TestSignIndependentHMAC(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	secret := SecretPrefix + base64.StdEncoding.EncodeToString(key)
	ts := time.Date(2026, 5, 5, 8, 30, 0, 0, time.UTC)
	body := []byte(`{"type":"deadline.due"}`)
	h := hmac.New(sha256.New, key)
	fmt.Fprintf(h, "%s.%d.%s", "ntc_1", ts.Unix(), body)
	want := "v1," + base64.StdEncoding.EncodeToString(h.Sum(nil))
	got, err := Sign(secret, "ntc_1", ts, body)
	if err != nil || got != want {
		t.Errorf("Sign = %q, %v; want %q", got, err, want)
	}
}

func TestSignRejects(t *testing.T) {
	ts := time.Unix(vectorTS, 0)
	for name, c := range map[string]struct{ secret, id string }{
		"not base64":      {"whsec_!!!", "ntc_1"},
		"short key":       {SecretPrefix + base64.StdEncoding.EncodeToString(make([]byte, 16)), "ntc_1"},
		"empty secret":    {"", "ntc_1"},
		"empty id":        {vectorSecret, ""},
		"id with a dot":   {vectorSecret, "ntc.1"},
		"id with a space": {vectorSecret, "ntc 1"},
		"id with a CRLF":  {vectorSecret, "ntc\r\n1"},
	} {
		if _, err := Sign(c.secret, c.id, ts, nil); cynllun.ErrorCode(err) != cynllun.CodeInvalid {
			t.Errorf("%s: err = %v, want INVALID", name, err)
		}
	}
}

func TestNewSecret(t *testing.T) {
	a, b := newTestSecret(t), newTestSecret(t)
	if a == b {
		t.Fatal("two secrets are equal")
	}
	if !strings.HasPrefix(a, SecretPrefix) {
		t.Fatalf("secret %q lacks %s", a, SecretPrefix)
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(a, SecretPrefix))
	if err != nil || len(key) != 32 {
		t.Fatalf("key: %d bytes, %v", len(key), err)
	}
	if _, err := Sign(a, "ntc_1", time.Now(), []byte("{}")); err != nil {
		t.Fatal(err)
	}
}

func signedHeaders(t testing.TB, secret, id string, ts time.Time, body []byte) http.Header {
	t.Helper()
	sig, err := Sign(secret, id, ts, body)
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	h.Set(HeaderWebhookID, id)
	h.Set(HeaderWebhookTimestamp, strconv.FormatInt(ts.Unix(), 10))
	h.Set(HeaderWebhookSignature, sig)
	return h
}

func TestVerify(t *testing.T) {
	secret, other := newTestSecret(t), newTestSecret(t)
	now := time.Date(2026, 5, 5, 8, 0, 0, 0, time.UTC)
	body := []byte(`{"type":"deadline.due","data":{"noticeId":"ntc_1"}}`)

	tests := []struct {
		name    string
		secrets []string
		ts      time.Time
		body    []byte
		edit    func(http.Header)
		tol     time.Duration
		want    error // nil: verifies
	}{
		{name: "valid", want: nil},
		{name: "valid at the edge of the tolerance", ts: now.Add(-DefaultTolerance)},
		{name: "valid slightly in the future", ts: now.Add(DefaultTolerance)},
		{name: "stale timestamp", ts: now.Add(-DefaultTolerance - time.Second), want: ErrTimestamp},
		{name: "future timestamp", ts: now.Add(DefaultTolerance + time.Second), want: ErrTimestamp},
		{name: "stale under a custom tolerance", ts: now.Add(-2 * time.Minute), tol: time.Minute, want: ErrTimestamp},
		{name: "tampered body", body: append(slices.Clone(body), ' '), want: ErrNoMatchSignature},
		{name: "tampered id", edit: func(h http.Header) { h.Set(HeaderWebhookID, "ntc_2") }, want: ErrNoMatchSignature},
		{name: "tampered timestamp", edit: func(h http.Header) {
			h.Set(HeaderWebhookTimestamp, strconv.FormatInt(now.Unix()+1, 10))
		}, want: ErrNoMatchSignature},
		{name: "wrong secret", secrets: []string{other}, want: ErrNoMatchSignature},
		{name: "either secret", secrets: []string{other, secret}},
		{name: "missing id", edit: func(h http.Header) { h.Del(HeaderWebhookID) }, want: ErrMissingHeaders},
		{name: "missing timestamp", edit: func(h http.Header) { h.Del(HeaderWebhookTimestamp) }, want: ErrMissingHeaders},
		{name: "missing signature", edit: func(h http.Header) { h.Del(HeaderWebhookSignature) }, want: ErrMissingHeaders},
		{name: "timestamp not a number", edit: func(h http.Header) { h.Set(HeaderWebhookTimestamp, "yesterday") }, want: ErrInvalidHeaders},
		{name: "timestamp with a sign", edit: func(h http.Header) {
			h.Set(HeaderWebhookTimestamp, "+"+h.Get(HeaderWebhookTimestamp))
		}, want: ErrInvalidHeaders},
		{name: "timestamp with a leading zero", edit: func(h http.Header) {
			h.Set(HeaderWebhookTimestamp, "0"+h.Get(HeaderWebhookTimestamp))
		}, want: ErrInvalidHeaders},
		{name: "id with a dot", edit: func(h http.Header) { h.Set(HeaderWebhookID, "ntc.1") }, want: ErrInvalidHeaders},
		{name: "v1a signature only", edit: func(h http.Header) {
			h.Set(HeaderWebhookSignature, "v1a,"+strings.TrimPrefix(h.Get(HeaderWebhookSignature), "v1,"))
		}, want: ErrNoMatchSignature},
		{name: "valid among others (rotation)", edit: func(h http.Header) {
			h.Set(HeaderWebhookSignature, "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v2,xyz "+h.Get(HeaderWebhookSignature)+" v1,!!")
		}},
		{name: "malformed signatures", edit: func(h http.Header) { h.Set(HeaderWebhookSignature, "v1 , v1,,, ,v1 v1,====") }, want: ErrNoMatchSignature},
		{name: "truncated signature", edit: func(h http.Header) {
			s := h.Get(HeaderWebhookSignature)
			h.Set(HeaderWebhookSignature, s[:len(s)-4]+"AAA=")
		}, want: ErrNoMatchSignature},
		{name: "no usable secret", secrets: []string{"whsec_short", ""}, want: ErrInvalidSecret},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := tt.ts
			if ts.IsZero() {
				ts = now
			}
			h := signedHeaders(t, secret, "ntc_1", ts, body)
			if tt.edit != nil {
				tt.edit(h)
			}
			b := body
			if tt.body != nil {
				b = tt.body
			}
			secrets := tt.secrets
			if secrets == nil {
				secrets = []string{secret}
			}
			err := Verify(secrets, h, b, now, tt.tol)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Verify = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
			code := cynllun.CodeInvalid
			if tt.want == ErrInvalidSecret {
				code = cynllun.CodeInternal
			}
			wantCode(t, err, code)
		})
	}
}

// receiver is an httptest server that verifies what Deliver sends the way
// a receiver would, with the secrets it knows.
type receiver struct {
	t       *testing.T
	secrets []string
	notice  Notice
	hits    atomic.Int32
	srv     *httptest.Server
}

func newReceiver(t *testing.T, n Notice, secrets ...string) *receiver {
	r := &receiver{t: t, secrets: secrets, notice: n}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	r.hits.Add(1)
	t := r.t
	body, err := io.ReadAll(io.LimitReader(req.Body, 64<<10))
	if err != nil {
		t.Errorf("read body: %v", err)
	}
	if req.Method != http.MethodPost || req.Header.Get("Content-Type") != "application/json" {
		t.Errorf("%s with Content-Type %q", req.Method, req.Header.Get("Content-Type"))
	}
	if got := req.Header.Get(HeaderWebhookID); got != r.notice.ID {
		t.Errorf("webhook-id = %q, want the notice id %q", got, r.notice.ID)
	}
	if sigs := strings.Fields(req.Header.Get(HeaderWebhookSignature)); len(sigs) != 2 {
		t.Errorf("webhook-signature has %d signatures, want one per endpoint secret (2)", len(sigs))
	}
	checkBody(t, body, r.notice)
	if err := Verify(r.secrets, req.Header, body, time.Now(), 0); err != nil {
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// checkBody fails t unless body holds exactly the notice's ids and dates.
func checkBody(t *testing.T, body []byte, n Notice) {
	t.Helper()
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		t.Fatalf("body is not JSON: %v", err)
	}
	if keys := sortedKeys(top); !slices.Equal(keys, []string{"data", "timestamp", "type"}) {
		t.Errorf("top-level fields %v", keys)
	}
	var data map[string]any
	if err := json.Unmarshal(top["data"], &data); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"noticeId": n.ID, "deadlineId": n.DeadlineID, "learnerId": n.LearnerID, "ruleId": n.RuleID,
		"due": n.Due.String(), "offset": float64(n.Offset), "offsetUnit": n.OffsetUnit, "link": n.Link,
	}
	if keys, wantKeys := sortedKeys(data), sortedKeys(want); !slices.Equal(keys, wantKeys) {
		t.Errorf("data fields %v, want exactly %v", keys, wantKeys)
	}
	for k, v := range want {
		if data[k] != v {
			t.Errorf("data.%s = %v, want %v", k, data[k], v)
		}
	}
	var typ, ts string
	_ = json.Unmarshal(top["type"], &typ)
	_ = json.Unmarshal(top["timestamp"], &ts)
	if typ != n.Kind {
		t.Errorf("type = %q", typ)
	}
	if got, err := time.Parse(time.RFC3339, ts); err != nil || !got.Equal(n.At) {
		t.Errorf("timestamp = %q (%v), want %v", ts, err, n.At)
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func TestBody(t *testing.T) {
	n := testNotice()
	n.Link = "https://cynllun.example/deadlines/dln_5e1f0c2d3b4a59687a8b9c0d?view=1&lang=cy"
	n.At = n.At.In(cynllun.London) // BST: written in UTC all the same
	b, err := Body(n)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"type":"deadline.upcoming","timestamp":"2026-04-28T07:00:00Z","data":{"noticeId":"ntc_0192f0c1a2b34c5d8e9f0a1b2c3d4e5f","deadlineId":"dln_5e1f0c2d3b4a59687a8b9c0d","learnerId":"lrn_0192f0c1a2b34c5d8e9f0a1b2c3d4e60","ruleId":"T1","due":"2026-05-05","offset":-5,"offsetUnit":"SCHOOL_DAYS","link":"https://cynllun.example/deadlines/dln_5e1f0c2d3b4a59687a8b9c0d?view=1&lang=cy"}}`
	if string(b) != want {
		t.Errorf("Body =\n%s\nwant\n%s", b, want)
	}
	checkBody(t, b, n)
	if strings.Contains(string(b), n.Rule.EN) || strings.Contains(string(b), n.Rule.CY) {
		t.Error("the body carries the rule's title")
	}
	n.Link = ""
	if b, err = Body(n); err != nil || !strings.Contains(string(b), `"link":""`) {
		t.Errorf("no link: %s, %v", b, err)
	}
	for name, edit := range invalidNotices() {
		bad := testNotice()
		edit(&bad)
		if _, err := Body(bad); cynllun.ErrorCode(err) != cynllun.CodeInvalid {
			t.Errorf("%s: err = %v, want INVALID", name, err)
		}
	}
}

func TestDeliverSecretRotation(t *testing.T) {
	newSecret, oldSecret, wrong := newTestSecret(t), newTestSecret(t), newTestSecret(t)
	n := testNotice()
	w := NewWebhookSender(5*time.Second, loopbackReceivers)
	for _, c := range []struct {
		name  string
		knows []string
		code  cynllun.Code // "" for success
	}{
		{"receiver knows only the old secret", []string{oldSecret}, ""},
		{"receiver knows only the new secret", []string{newSecret}, ""},
		{"receiver knows both", []string{newSecret, oldSecret}, ""},
		{"receiver knows a wrong secret", []string{wrong}, cynllun.CodeInvalid},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := newReceiver(t, n, c.knows...)
			status, err := w.Deliver(context.Background(), Endpoint{ID: "whk_1", URL: r.srv.URL + "/hooks/cynllun", Secrets: []string{newSecret, oldSecret}}, n)
			if c.code == "" {
				if err != nil || status != http.StatusNoContent {
					t.Fatalf("Deliver = %d, %v", status, err)
				}
			} else {
				wantCode(t, err, c.code)
				if status != http.StatusUnauthorized {
					t.Errorf("status %d", status)
				}
			}
			if r.hits.Load() != 1 {
				t.Errorf("%d requests", r.hits.Load())
			}
		})
	}
}

func TestDeliverStatus(t *testing.T) {
	secret := newTestSecret(t)
	n := testNotice()
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { elsewhere.Add(1) }))
	t.Cleanup(other.Close)

	const timeout = 300 * time.Millisecond
	tests := []struct {
		name    string
		handler http.HandlerFunc
		status  int
		code    cynllun.Code // "" for success
	}{
		{name: "200", status: 200},
		{name: "201", status: 201},
		{name: "204", status: 204},
		{name: "410 gone", status: 410, code: cynllun.CodeNotFound},
		{name: "400", status: 400, code: cynllun.CodeInvalid},
		{name: "401", status: 401, code: cynllun.CodeInvalid},
		{name: "404", status: 404, code: cynllun.CodeInvalid},
		{name: "413", status: 413, code: cynllun.CodeInvalid},
		{name: "408", status: 408, code: cynllun.CodeInternal},
		{name: "429", status: 429, code: cynllun.CodeInternal},
		{name: "500", status: 500, code: cynllun.CodeInternal},
		{name: "502", status: 502, code: cynllun.CodeInternal},
		{name: "503", status: 503, code: cynllun.CodeInternal},
		{name: "301 not followed", status: 301, code: cynllun.CodeInvalid, handler: func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other.URL+"/elsewhere", http.StatusMovedPermanently)
		}},
		{name: "307 not followed", status: 307, code: cynllun.CodeInvalid, handler: func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other.URL+"/elsewhere", http.StatusTemporaryRedirect)
		}},
		{name: "large response body", status: 200, handler: func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(200)
			_, _ = w.Write(make([]byte, 1<<20))
		}},
		{name: "sleeps past the timeout", status: 0, code: cynllun.CodeInternal, handler: func(w http.ResponseWriter, r *http.Request) {
			// Reading the body lets the server notice the client hanging up.
			_, _ = io.Copy(io.Discard, r.Body)
			select {
			case <-r.Context().Done():
			case <-time.After(10 * timeout):
			}
		}},
		{name: "hangs up", status: 0, code: cynllun.CodeInternal, handler: func(w http.ResponseWriter, _ *http.Request) {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
		}},
	}
	w := NewWebhookSender(timeout, loopbackReceivers)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := tt.handler
			if h == nil {
				h = func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(tt.status) }
			}
			srv := httptest.NewServer(h)
			t.Cleanup(srv.Close)
			url := srv.URL + "/hook?token=endpoint-token-123"
			start := time.Now()
			status, err := w.Deliver(context.Background(), Endpoint{ID: "whk_1", URL: url, Secrets: []string{secret}}, n)
			if status != tt.status {
				t.Errorf("status = %d, want %d", status, tt.status)
			}
			if tt.code == "" {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
			} else {
				e := wantCode(t, err, tt.code)
				for _, leak := range []string{"endpoint-token-123", srv.URL, n.Link} {
					if strings.Contains(err.Error(), leak) {
						t.Errorf("error %q contains %q", err, leak)
					}
				}
				if !strings.Contains(err.Error(), "whk_1") {
					t.Errorf("error %q does not name the endpoint", err)
				}
				t.Logf("%s: %v", tt.name, e)
			}
			if d := time.Since(start); d > 5*timeout {
				t.Errorf("took %v", d)
			}
		})
	}
	if elsewhere.Load() != 0 {
		t.Errorf("a redirect was followed %d times", elsewhere.Load())
	}
}

func TestDeliverConnectionRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + l.Addr().String() + "/hook"
	l.Close()
	status, err := NewWebhookSender(time.Second, loopbackReceivers).Deliver(context.Background(), Endpoint{ID: "whk_9", URL: url, Secrets: []string{newTestSecret(t)}}, testNotice())
	wantCode(t, err, cynllun.CodeInternal)
	if status != 0 || strings.Contains(err.Error(), url) {
		t.Errorf("status %d, err %v", status, err)
	}
}

func TestDeliverCancelledContext(t *testing.T) {
	r := newReceiver(t, testNotice(), newTestSecret(t))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := NewWebhookSender(time.Second, loopbackReceivers).Deliver(ctx, Endpoint{ID: "whk_1", URL: r.srv.URL, Secrets: []string{newTestSecret(t)}}, testNotice())
	wantCode(t, err, cynllun.CodeInternal)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want it to wrap context.Canceled", err)
	}
}

func TestDeliverInvalid(t *testing.T) {
	r := newReceiver(t, testNotice(), newTestSecret(t))
	good := Endpoint{ID: "whk_1", URL: r.srv.URL, Secrets: []string{newTestSecret(t)}}
	w := NewWebhookSender(time.Second, loopbackReceivers)
	for name, e := range map[string]Endpoint{
		"relative URL": {ID: "whk_1", URL: "/hook", Secrets: good.Secrets},
		"ftp URL":      {ID: "whk_1", URL: "ftp://" + strings.TrimPrefix(r.srv.URL, "http://"), Secrets: good.Secrets},
		"bad URL":      {ID: "whk_1", URL: "http://[::1", Secrets: good.Secrets},
		"no secrets":   {ID: "whk_1", URL: r.srv.URL},
		"bad secret":   {ID: "whk_1", URL: r.srv.URL, Secrets: []string{good.Secrets[0], "whsec_tooshort"}},
	} {
		if _, err := w.Deliver(context.Background(), e, testNotice()); cynllun.ErrorCode(err) != cynllun.CodeInvalid {
			t.Errorf("%s: err = %v, want INVALID", name, err)
		}
	}
	for name, edit := range invalidNotices() {
		n := testNotice()
		edit(&n)
		if _, err := w.Deliver(context.Background(), good, n); cynllun.ErrorCode(err) != cynllun.CodeInvalid {
			t.Errorf("%s: err = %v, want INVALID", name, err)
		}
	}
	if r.hits.Load() != 0 {
		t.Errorf("%d requests sent", r.hits.Load())
	}
}

// The zero WebhookSender works, to public https destinations only: it
// refuses the loopback receiver without sending anything. Now sets
// webhook-timestamp.
func TestDeliverZeroSenderAndNow(t *testing.T) {
	secret := newTestSecret(t)
	at := time.Now().Add(-time.Minute).Truncate(time.Second)
	var got http.Header
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		got = r.Header.Clone()
		b, _ := io.ReadAll(r.Body)
		if err := Verify([]string{secret}, r.Header, b, time.Now(), 0); err != nil {
			t.Errorf("Verify: %v", err)
		}
	}))
	t.Cleanup(srv.Close)
	e := Endpoint{ID: "whk_1", URL: srv.URL, Secrets: []string{secret}}
	for _, w := range []*WebhookSender{{}, {Now: func() time.Time { return at }}} {
		status, err := w.Deliver(context.Background(), e, testNotice())
		wantBlocked(t, status, err)
	}
	// The zero sender's Client with a Destinations allowing http still
	// refuses loopback when connecting.
	w := &WebhookSender{Destinations: &Destinations{AllowHTTP: true}, Now: func() time.Time { return at }}
	status, err := w.Deliver(context.Background(), e, testNotice())
	wantBlocked(t, status, err)
	if hits.Load() != 0 {
		t.Fatalf("%d requests reached the loopback receiver", hits.Load())
	}
	w = NewWebhookSender(time.Second, loopbackReceivers)
	w.Now = func() time.Time { return at }
	if _, err := w.Deliver(context.Background(), e, testNotice()); err != nil {
		t.Fatal(err)
	}
	if ts := got.Get(HeaderWebhookTimestamp); ts != strconv.FormatInt(at.Unix(), 10) {
		t.Errorf("webhook-timestamp = %q, want %d", ts, at.Unix())
	}
}

// FuzzVerify: random headers and bodies never make Verify panic or pass
// without a matching signature, and a correctly signed message always
// verifies (and stops verifying when its body changes).
func FuzzVerify(f *testing.F) {
	f.Add(vectorID, strconv.Itoa(vectorTS), vectorSig, []byte(vectorBody), int64(0))
	f.Add("", "", "", []byte{}, int64(0))
	f.Add("ntc.1", "+1614265330", "v1, v1,,, v1a,AAAA v2,x", []byte("{}"), int64(-299))
	f.Add("ntc_1", "01614265330", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE", []byte("\x00\xff"), int64(299))
	f.Add("a\r\nb", "99999999999999999999", strings.Repeat("v1,AAAA ", 40), []byte(nil), int64(1<<62))
	secrets := []string{vectorSecret, "whsec_short"}
	now := time.Unix(vectorTS, 0)
	f.Fuzz(func(t *testing.T, id, ts, sig string, body []byte, skew int64) {
		h := http.Header{}
		h.Set(HeaderWebhookID, id)
		h.Set(HeaderWebhookTimestamp, ts)
		h.Set(HeaderWebhookSignature, sig)
		if err := Verify(secrets, h, body, now, 0); err == nil {
			// It passed: then the header really holds the signature.
			tsv, _ := strconv.ParseInt(ts, 10, 64)
			want, serr := Sign(vectorSecret, id, time.Unix(tsv, 0), body)
			if serr != nil || !slices.Contains(strings.Fields(sig), want) {
				t.Fatalf("Verify passed %q %q %q without a matching signature", id, ts, sig)
			}
		} else if cynllun.ErrorCode(err) != cynllun.CodeInvalid {
			t.Fatalf("Verify error %v is not INVALID", err)
		}

		when := now.Add(time.Duration(skew%300) * time.Second)
		good, err := Sign(vectorSecret, id, when, body)
		if err != nil {
			if validMsgID(id) {
				t.Fatalf("Sign(%q) = %v", id, err)
			}
			return
		}
		h = signedHeaders(t, vectorSecret, id, when, body)
		// The valid signature first, then whatever else (as in a rotation).
		h.Set(HeaderWebhookSignature, good+" "+sig)
		if err := Verify(secrets, h, body, now, 0); err != nil {
			t.Fatalf("a correctly signed message did not verify: %v", err)
		}
		if err := Verify(secrets, h, append(slices.Clone(body), 'x'), now, 0); !errors.Is(err, ErrNoMatchSignature) {
			t.Fatalf("a tampered body: %v", err)
		}
	})
}
