package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cynllun/cynllun"
)

// Standard Webhooks headers.
const (
	HeaderWebhookID = "webhook-id"
	// HeaderIdempotencyKey repeats the webhook-id under the name of the
	// IETF Idempotency-Key draft, for receivers that deduplicate on it.
	HeaderIdempotencyKey   = "Idempotency-Key"
	HeaderWebhookTimestamp = "webhook-timestamp"
	HeaderWebhookSignature = "webhook-signature"
)

const (
	// SecretPrefix starts every serialised signing secret.
	SecretPrefix = "whsec_"
	// DefaultTolerance is how far a webhook-timestamp may be from now.
	DefaultTolerance = 5 * time.Minute
	// DefaultWebhookTimeout bounds one delivery when NewWebhookSender is
	// given 0 (the spec recommends 15–30 s).
	DefaultWebhookTimeout = 30 * time.Second
	// minSecretBytes is the spec's minimum key length (192 bits).
	minSecretBytes = 24
	// maxSignatures bounds the signatures Verify looks at in one header.
	maxSignatures = 16
	// maxDrain is how much of a response body Deliver reads (and discards).
	maxDrain = 4 << 10
)

// Sentinel causes of Verify's errors (use errors.Is).
var (
	ErrMissingHeaders   = errors.New("missing webhook-id, webhook-timestamp or webhook-signature")
	ErrInvalidHeaders   = errors.New("invalid webhook-id or webhook-timestamp")
	ErrTimestamp        = errors.New("webhook-timestamp outside the tolerance")
	ErrNoMatchSignature = errors.New("no matching signature")
	ErrInvalidSecret    = errors.New("invalid webhook secret")
)

// Endpoint is a webhook receiver.
type Endpoint struct {
	ID  string
	URL string
	// Secrets are "whsec_…" signing secrets, the current one first; during
	// a rotation the old one too. Every delivery is signed with each.
	Secrets []string
}

// WebhookSender delivers notices to endpoints. Its zero value works (with
// DefaultWebhookTimeout, no redirects followed, https only and public
// destinations only).
type WebhookSender struct {
	// Client sends the requests. NewWebhookSender's never follows a
	// redirect: a 3xx is a permanent failure (update the endpoint's URL),
	// as the spec recommends, and a signed body never goes to a host the
	// endpoint did not name. It refuses, when connecting, any address
	// Destinations does not permit. A Client set by hand must make its own
	// checks.
	Client *http.Client
	// Destinations decides which URLs Deliver accepts (nil: https only, to
	// public addresses); NewWebhookSender's Client enforces it at connect
	// time.
	Destinations *Destinations
	// Now gives the webhook-timestamp; nil means time.Now.
	Now func() time.Time
}

// NewWebhookSender returns a sender whose requests time out after timeout
// (0: DefaultWebhookTimeout), that follows no redirects, uses no proxy
// (HTTP_PROXY and HTTPS_PROXY are ignored: a proxy would connect for it,
// past the check) and connects only where dest permits.
func NewWebhookSender(timeout time.Duration, dest Destinations) *WebhookSender {
	if timeout <= 0 {
		timeout = DefaultWebhookTimeout
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil
	tr.DialContext = dest.dialer()
	tr.DialTLSContext = nil
	return &WebhookSender{Destinations: &dest, Client: &http.Client{
		Transport: tr,
		Timeout:   timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}}
}

var defaultSender = NewWebhookSender(0, Destinations{})

// body is the JSON body of a webhook.
type body struct {
	Type      string   `json:"type"`
	Timestamp string   `json:"timestamp"`
	Data      bodyData `json:"data"`
}

type bodyData struct {
	NoticeID   string `json:"noticeId"`
	DeadlineID string `json:"deadlineId"`
	LearnerID  string `json:"learnerId"`
	RuleID     string `json:"ruleId"`
	Due        string `json:"due"`
	Offset     int    `json:"offset"`
	OffsetUnit string `json:"offsetUnit"`
	Link       string `json:"link"`
}

// Body returns the JSON body of a notice — ids and dates only:
//
//	{"type":"deadline.upcoming","timestamp":"2026-04-28T08:00:00Z",
//	 "data":{"noticeId":"…","deadlineId":"…","learnerId":"…","ruleId":"T1",
//	         "due":"2026-05-05","offset":-5,"offsetUnit":"SCHOOL_DAYS","link":"…"}}
//
// timestamp is n.At in UTC (RFC 3339); link is "" when the notice has none.
func Body(n Notice) ([]byte, error) {
	const op = "notify.Body"
	if err := n.validate(op); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	err := enc.Encode(body{
		Type:      n.Kind,
		Timestamp: n.At.UTC().Format(time.RFC3339),
		Data: bodyData{
			NoticeID:   n.ID,
			DeadlineID: n.DeadlineID,
			LearnerID:  n.LearnerID,
			RuleID:     n.RuleID,
			Due:        n.Due.String(),
			Offset:     n.Offset,
			OffsetUnit: n.OffsetUnit,
			Link:       n.Link,
		},
	})
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// Deliver POSTs n to e, signed with each of e's secrets, with webhook-id
// and Idempotency-Key n.ID so the receiver can deduplicate. It returns the response status (0
// when there was none) and:
//   - nil for 2xx;
//   - NOT_FOUND for 410 Gone: the receiver wants no more; disable e;
//   - INVALID (permanent) for other 4xx except 408 and 429, for 3xx (no
//     redirect is followed: update e's URL), and for an invalid notice,
//     URL or secret;
//   - INVALID (permanent) wrapping ErrBlocked, with BlockedMessage and
//     status 0, when the URL's scheme or an address a connection would
//     reach is not allowed (see Destinations): nothing is sent;
//   - INTERNAL (retry) for 408, 429, 5xx, timeouts and connection errors.
//
// At most 4 KiB of the response body is read, and discarded. Errors name
// the endpoint by ID, never by URL (a URL may hold a token).
func (w *WebhookSender) Deliver(ctx context.Context, e Endpoint, n Notice) (status int, err error) {
	const op = "notify.Deliver"
	if err := n.validate(op); err != nil {
		return 0, err
	}
	dest := w.Destinations
	if dest == nil {
		dest = defaultSender.Destinations
	}
	u, fe, blocked := dest.parse(e.URL)
	if blocked {
		return 0, blockedError(op, e.ID)
	}
	if fe != nil {
		return 0, cynllun.Invalid(op, cynllun.FieldError{Field: "endpoint.url", Message: fe.Message})
	}
	if len(e.Secrets) == 0 {
		return 0, cynllun.Invalid(op, cynllun.FieldError{Field: "endpoint.secrets", Message: "at least one secret is required"})
	}
	payload, err := Body(n)
	if err != nil {
		return 0, err
	}
	now := time.Now
	if w.Now != nil {
		now = w.Now
	}
	ts := now()
	sigs := make([]string, 0, len(e.Secrets))
	for _, s := range e.Secrets {
		sig, err := Sign(s, n.ID, ts, payload)
		if err != nil {
			return 0, cynllun.Invalid(op, cynllun.FieldError{Field: "endpoint.secrets", Message: "must be whsec_ followed by base64 of at least 24 bytes"})
		}
		sigs = append(sigs, sig)
	}

	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(payload))
	if err != nil {
		return 0, cynllun.Internal(op, fmt.Errorf("endpoint %s: %w", e.ID, err))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Cynllun-Webhooks/1")
	req.Header.Set(HeaderWebhookID, n.ID)
	// The same key on every attempt of the notice: a receiver that
	// deduplicates on either header takes a re-send after a crash once.
	req.Header.Set(HeaderIdempotencyKey, n.ID)
	req.Header.Set(HeaderWebhookTimestamp, strconv.FormatInt(ts.Unix(), 10))
	req.Header.Set(HeaderWebhookSignature, strings.Join(sigs, " "))

	client := w.Client
	if client == nil {
		client = defaultSender.Client
	}
	resp, err := client.Do(req)
	if err != nil {
		if errors.Is(err, ErrBlocked) {
			return 0, blockedError(op, e.ID)
		}
		return 0, transportError(op, e.ID, err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxDrain))
	_ = resp.Body.Close()
	return resp.StatusCode, statusError(op, e.ID, resp.StatusCode)
}

// statusError maps a response status to nil or an error (see Deliver).
func statusError(op, endpointID string, status int) error {
	msg := fmt.Sprintf("webhook endpoint answered %d", status)
	cause := fmt.Errorf("endpoint %s: HTTP %d", endpointID, status)
	switch {
	case status >= 200 && status <= 299:
		return nil
	case status == http.StatusGone:
		return &cynllun.Error{Code: cynllun.CodeNotFound, Op: op, Message: "webhook endpoint is gone (410): disable it", Err: cause}
	case status == http.StatusRequestTimeout, status == http.StatusTooManyRequests, status >= 500 && status <= 599:
		return &cynllun.Error{Code: cynllun.CodeInternal, Op: op, Message: msg, Err: cause}
	case status >= 300 && status <= 399:
		return &cynllun.Error{Code: cynllun.CodeInvalid, Op: op, Message: msg + " (redirects are not followed: update the endpoint URL)", Err: cause}
	case status >= 400 && status <= 499:
		return &cynllun.Error{Code: cynllun.CodeInvalid, Op: op, Message: msg, Err: cause}
	}
	return &cynllun.Error{Code: cynllun.CodeInternal, Op: op, Message: msg, Err: cause}
}

// blockedError is the error of a delivery refused for its destination:
// INVALID (permanent), with BlockedMessage and a cause that names the
// endpoint and wraps ErrBlocked, and nothing about the address, the port or
// how the refusal came about.
func blockedError(op, endpointID string) error {
	return &cynllun.Error{Code: cynllun.CodeInvalid, Op: op, Message: BlockedMessage, Err: fmt.Errorf("endpoint %s: %w", endpointID, ErrBlocked)}
}

// transportError maps a failed request to INTERNAL, dropping the URL that
// *url.Error prints.
func transportError(op, endpointID string, err error) error {
	msg := "webhook endpoint unreachable"
	var ue *url.Error
	if errors.As(err, &ue) {
		if ue.Timeout() {
			msg = "webhook endpoint timed out"
		}
		err = ue.Err
	}
	return &cynllun.Error{Code: cynllun.CodeInternal, Op: op, Message: msg, Err: fmt.Errorf("endpoint %s: %w", endpointID, err)}
}

// NewSecret returns a new signing secret: "whsec_" + base64 of 32 random
// bytes.
func NewSecret() (string, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return "", cynllun.Internal("notify.NewSecret", err)
	}
	return SecretPrefix + base64.StdEncoding.EncodeToString(key), nil
}

// secretKey decodes a "whsec_…" secret (the prefix is optional, as in the
// reference libraries).
func secretKey(secret string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, SecretPrefix))
	if err != nil || len(key) < minSecretBytes {
		return nil, ErrInvalidSecret
	}
	return key, nil
}

// validMsgID reports whether id may be a webhook-id: 1–256 printable ASCII
// characters without spaces or '.', which would make "id.timestamp.body"
// ambiguous.
func validMsgID(id string) bool {
	if id == "" || len(id) > 256 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c <= ' ' || c >= 0x7f || c == '.' {
			return false
		}
	}
	return true
}

func mac(key []byte, id, ts string, payload []byte) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(id))
	h.Write([]byte{'.'})
	h.Write([]byte(ts))
	h.Write([]byte{'.'})
	h.Write(payload)
	return h.Sum(nil)
}

// Sign returns the Standard Webhooks signature of a message: "v1," +
// base64(HMAC-SHA256(key, id + "." + unix seconds + "." + body)).
func Sign(secret, id string, ts time.Time, body []byte) (string, error) {
	const op = "notify.Sign"
	key, err := secretKey(secret)
	if err != nil {
		return "", &cynllun.Error{Code: cynllun.CodeInvalid, Op: op, Message: "invalid secret", Err: err}
	}
	if !validMsgID(id) {
		return "", &cynllun.Error{Code: cynllun.CodeInvalid, Op: op, Message: "invalid message id", Err: ErrInvalidHeaders}
	}
	sum := mac(key, id, strconv.FormatInt(ts.Unix(), 10), body)
	return "v1," + base64.StdEncoding.EncodeToString(sum), nil
}

// Verify checks a received webhook: the three headers are present, the
// timestamp is within tolerance of now (0: DefaultTolerance) either way,
// and one of the v1 signatures in webhook-signature matches body under one
// of secrets (compared in constant time). Other signature versions are
// ignored. It returns nil or an INVALID *cynllun.Error wrapping one of
// ErrMissingHeaders, ErrInvalidHeaders, ErrTimestamp and ErrNoMatchSignature
// (INTERNAL wrapping ErrInvalidSecret when none of secrets is usable).
//
// The webhook-id is the idempotency key: a receiver should also remember
// the ids it has processed (for at least the tolerance) and skip repeats.
func Verify(secrets []string, headers http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	const op = "notify.Verify"
	invalid := func(msg string, cause error) error {
		return &cynllun.Error{Code: cynllun.CodeInvalid, Op: op, Message: msg, Err: cause}
	}
	id := headers.Get(HeaderWebhookID)
	tsHeader := headers.Get(HeaderWebhookTimestamp)
	sigHeader := headers.Get(HeaderWebhookSignature)
	if id == "" || tsHeader == "" || sigHeader == "" {
		return invalid("missing webhook headers", ErrMissingHeaders)
	}
	if !validMsgID(id) {
		return invalid("invalid webhook-id", ErrInvalidHeaders)
	}
	ts, ok := parseUnix(tsHeader)
	if !ok {
		return invalid("invalid webhook-timestamp", ErrInvalidHeaders)
	}
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	// Compare in seconds (the header's resolution) without overflowing.
	tol := int64(tolerance / time.Second)
	if d := now.Unix() - ts; ts > now.Unix()+tol || d > tol {
		return invalid("webhook-timestamp outside the tolerance", ErrTimestamp)
	}
	var macs [][]byte
	for _, s := range secrets {
		if key, err := secretKey(s); err == nil {
			macs = append(macs, mac(key, id, tsHeader, body))
		}
	}
	if len(macs) == 0 {
		return &cynllun.Error{Code: cynllun.CodeInternal, Op: op, Message: "no usable webhook secret", Err: ErrInvalidSecret}
	}
	seen := 0
	for _, vs := range strings.Fields(sigHeader) {
		if seen++; seen > maxSignatures {
			break
		}
		version, sig, ok := strings.Cut(vs, ",")
		if !ok || version != "v1" {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(sig)
		if err != nil || len(got) != sha256.Size {
			continue
		}
		for _, want := range macs {
			if hmac.Equal(got, want) {
				return nil
			}
		}
	}
	return invalid("no matching webhook signature", ErrNoMatchSignature)
}

// parseUnix parses a webhook-timestamp: decimal seconds, no sign, no
// leading zeros (so the signed string is the one and only spelling).
func parseUnix(s string) (int64, bool) {
	if len(s) == 0 || len(s) > 12 || (len(s) > 1 && s[0] == '0') {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	return v, err == nil
}
