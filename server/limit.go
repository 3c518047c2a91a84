package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/auth"
	"github.com/cynllun/cynllun/internal/metrics"
)

// Limits is fair sharing between principals: a rate (GCRA, in Redis, so it
// holds across API instances) and a number of requests of one principal
// that may run at once (leases in Redis, with an in-process count in front).
// A principal is the signed-in user; a request without a token is limited
// by its client address (an IPv6 address by its /64).
//
// Cost: every request costs 1 from the rate. A mutation costs HeavyCost
// more for each root field that queues work or stores a file (renderPlan,
// renderMeetingRecord, renderBundle, uploadAttachment, addEvidence,
// importCalendar, exportSubjectAccess), charged after the operation is parsed and before it
// runs. A request that costs more than the burst can never pass and is
// refused as INVALID.
//
// Over a limit the answer is HTTP 429 with Retry-After (seconds) and a
// GraphQL-shaped body with extensions.code RATE_LIMITED. When Redis does
// not answer (within Timeout), requests are allowed — the in-process
// concurrency count still applies — and a WARN is logged at most every
// 10 seconds: a Redis outage must not take the API down with it.
type Limits struct {
	// Redis holds the shared state; nil turns the limits off.
	Redis redis.UniversalClient
	// Rate is requests per second per principal; 0 turns the rate off.
	Rate int
	// Burst is how many requests a principal may send at once after a
	// quiet spell (default 3 × Rate).
	Burst int
	// HeavyCost is what a root field that queues work or stores a file
	// costs on top of its request (default 10).
	HeavyCost int
	// Concurrent is how many requests of one principal may run at once
	// across all instances; 0 turns the concurrency limit off. Websocket
	// connections are not counted (only their upgrade request's rate).
	Concurrent int
	// LeaseTTL is how long a concurrency lease lives when its instance
	// dies before releasing it (default 2 minutes).
	LeaseTTL time.Duration
	// Timeout bounds each Redis call of the limiter (default 250ms).
	Timeout time.Duration
	// Prefix begins every Redis key (default "cynllun:limit:").
	Prefix string
	// TrustedProxies are the addresses of reverse proxies whose
	// X-Forwarded-For names the client; empty: the connection's address
	// is the client's.
	TrustedProxies []netip.Prefix
}

func (l *Limits) defaults() {
	if l.Burst <= 0 {
		l.Burst = 3 * l.Rate
	}
	if l.HeavyCost <= 0 {
		l.HeavyCost = 10
	}
	if l.LeaseTTL <= 0 {
		l.LeaseTTL = 2 * time.Minute
	}
	if l.Timeout <= 0 {
		l.Timeout = 250 * time.Millisecond
	}
	if l.Prefix == "" {
		l.Prefix = "cynllun:limit:"
	}
}

// heavyFields are the mutations that queue work or store a file.
var heavyFields = map[string]bool{
	"renderPlan": true, "renderMeetingRecord": true, "renderBundle": true,
	"uploadAttachment": true, "addEvidence": true, "importCalendar": true,
	"exportSubjectAccess": true,
}

// limiter enforces Limits.
type limiter struct {
	cfg   Limits
	rate  *redis_rate.Limiter
	limit redis_rate.Limit
	log   *slog.Logger

	// verifier names the principal from the bearer token before the
	// request is authenticated (a signature check, no database read), so
	// a refused request costs no more than that.
	verifier Verifier

	mu      sync.Mutex
	local   map[string]int       // requests running on this instance, by principal key
	blocked map[string]time.Time // principals refused by the rate, until when

	lastWarn atomic.Int64 // unix nanoseconds of the last fail-open warning
	metrics  *metrics.Metrics
	leaseSeq atomic.Uint64
	leaseTag string
}

// newLimiter returns nil when the limits are off.
func newLimiter(cfg Limits, verifier Verifier, log *slog.Logger) *limiter {
	if cfg.Redis == nil || (cfg.Rate <= 0 && cfg.Concurrent <= 0) {
		return nil
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg.defaults()
	l := &limiter{cfg: cfg, verifier: verifier, log: log, local: map[string]int{}, blocked: map[string]time.Time{}, leaseTag: randomTag()}
	if cfg.Rate > 0 {
		l.rate = redis_rate.NewLimiter(cfg.Redis)
		l.limit = redis_rate.Limit{Rate: cfg.Rate, Burst: cfg.Burst, Period: time.Second}
	}
	return l
}

// failOpen logs, at most every 10 seconds, that Redis did not answer. The
// error says what failed to connect; it carries no request data.
func (l *limiter) failOpen(ctx context.Context, err error) {
	now := time.Now().UnixNano()
	last := l.lastWarn.Load()
	if now-last < int64(10*time.Second) || !l.lastWarn.CompareAndSwap(last, now) {
		return
	}
	l.log.WarnContext(ctx, "rate limiter: Redis unavailable, requests are allowed without the shared limits", "err", err)
}

// allow takes cost from key's rate. It answers the time to wait when the
// rate is spent, 0 when the request may go on; tooBig when cost can never
// pass.
func (l *limiter) allow(ctx context.Context, key string, cost int) (wait time.Duration, tooBig bool) {
	if l.rate == nil || cost <= 0 {
		return 0, false
	}
	if cost > l.limit.Burst {
		return 0, true
	}
	// The in-process fast path: a principal refused a moment ago is
	// refused again without asking Redis until its wait is over.
	now := time.Now()
	l.mu.Lock()
	until, ok := l.blocked[key]
	l.mu.Unlock()
	if ok && now.Before(until) {
		return until.Sub(now), false
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), l.cfg.Timeout)
	defer cancel()
	res, err := l.rate.AllowN(ctx, l.cfg.Prefix+"rate:"+key, l.limit, cost)
	if err != nil {
		l.failOpen(ctx, err)
		return 0, false
	}
	if res.Allowed < cost {
		wait := max(res.RetryAfter, time.Second)
		if cost == 1 {
			l.block(key, now.Add(res.RetryAfter))
		}
		return wait, false
	}
	return 0, false
}

// block remembers that key is refused until t. Expired entries are dropped
// when the map grows, so it stays as small as the set of principals
// refused in the last seconds.
func (l *limiter) block(key string, t time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.blocked) >= 4096 {
		now := time.Now()
		for k, u := range l.blocked {
			if !now.Before(u) {
				delete(l.blocked, k)
			}
		}
		if len(l.blocked) >= 4096 {
			return
		}
	}
	l.blocked[key] = t
}

// acquireScript takes a lease on a principal's running requests: expired
// leases are dropped, and a new one is added when fewer than ARGV[1] are
// held. It answers 1 (taken) or 0 (full). Redis's clock is used so that
// instances with skewed clocks agree.
var acquireScript = redis.NewScript(`
redis.replicate_commands()
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
  return 0
end
redis.call('ZADD', KEYS[1], now + ttl, ARGV[3])
redis.call('PEXPIRE', KEYS[1], ttl)
return 1
`)

// acquire takes one of key's concurrency slots. It answers a release func,
// or ok false when the principal has as many requests running as allowed.
func (l *limiter) acquire(ctx context.Context, key string) (release func(), ok bool) {
	if l.cfg.Concurrent <= 0 {
		return func() {}, true
	}
	// The fast path: this instance alone already runs the maximum.
	l.mu.Lock()
	if l.local[key] >= l.cfg.Concurrent {
		l.mu.Unlock()
		return nil, false
	}
	l.local[key]++
	l.mu.Unlock()
	releaseLocal := func() {
		l.mu.Lock()
		if l.local[key]--; l.local[key] <= 0 {
			delete(l.local, key)
		}
		l.mu.Unlock()
	}

	rkey := l.cfg.Prefix + "run:" + key
	lease := l.leaseTag + ":" + strconv.FormatUint(l.leaseSeq.Add(1), 36)
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), l.cfg.Timeout)
	n, err := acquireScript.Run(rctx, l.cfg.Redis, []string{rkey}, l.cfg.Concurrent, l.cfg.LeaseTTL.Milliseconds(), lease).Int()
	cancel()
	if err != nil {
		l.failOpen(ctx, err)
		return releaseLocal, true
	}
	if n == 0 {
		releaseLocal()
		return nil, false
	}
	return func() {
		releaseLocal()
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), l.cfg.Timeout)
		defer cancel()
		// A lease that cannot be removed expires after LeaseTTL.
		if err := l.cfg.Redis.ZRem(rctx, rkey, lease).Err(); err != nil {
			l.failOpen(ctx, err)
		}
	}, true
}

// principalKey is who a request counts against: the signed-in user, or the
// client's address.
func (l *limiter) principalKey(r *http.Request) string {
	if p := cynllun.PrincipalFrom(r.Context()); p != nil && p.UserID != "" {
		return "u:" + p.UserID
	}
	if tok, ok := auth.BearerToken(r); ok && l.verifier != nil {
		// A token that does not verify is answered 401 by authenticate;
		// until then it counts against its address.
		if sub, err := l.verifier.Verify(r.Context(), tok); err == nil && sub != "" {
			return "u:" + sub
		}
	}
	return "ip:" + clientAddr(r, l.cfg.TrustedProxies)
}

// clientAddr is the request's client address: the connection's, or, when
// the connection comes from a trusted proxy, the right-most address of
// X-Forwarded-For that is not a trusted proxy. IPv6 addresses are cut to
// their /64, the block one subscriber usually holds.
func clientAddr(r *http.Request, trusted []netip.Prefix) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	addr = addr.Unmap()
	isTrusted := func(a netip.Addr) bool {
		for _, p := range trusted {
			if p.Contains(a) {
				return true
			}
		}
		return false
	}
	if isTrusted(addr) {
		hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
		for i := len(hops) - 1; i >= 0; i-- {
			a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
			if err != nil {
				break
			}
			addr = a.Unmap()
			if !isTrusted(addr) {
				break
			}
		}
	}
	if addr.Is6() {
		p, _ := addr.Prefix(64)
		return p.String()
	}
	return addr.String()
}

// limitState is one request's: its principal key, and whether the
// operation's extra cost was refused (the response then becomes a 429).
type limitState struct {
	l     *limiter
	key   string
	mu    sync.Mutex
	retry time.Duration
}

type limitStateKey struct{}

// wrap applies the limits to next. It runs first, before the body is read,
// the user is looked up or any GraphQL is parsed: the principal is the
// verified token's subject, else the client address.
func (l *limiter) wrap(next http.Handler) http.Handler {
	if l == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := l.principalKey(r)
		ctx := r.Context()
		if wait, _ := l.allow(ctx, key, 1); wait > 0 {
			l.metrics.RateLimited("rate")
			writeRateLimited(w, r, wait)
			return
		}
		if isWebsocket(r) {
			// A subscription connection lives for hours: it is not a
			// running request. Its upgrade was counted above.
			next.ServeHTTP(w, r)
			return
		}
		release, ok := l.acquire(ctx, key)
		if !ok {
			l.metrics.RateLimited("concurrency")
			writeRateLimited(w, r, time.Second)
			return
		}
		defer release()
		st := &limitState{l: l, key: key}
		next.ServeHTTP(&limitWriter{ResponseWriter: w, st: st}, r.WithContext(context.WithValue(ctx, limitStateKey{}, st)))
	})
}

func isWebsocket(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
}

// writeRateLimited answers 429 with Retry-After.
func writeRateLimited(w http.ResponseWriter, r *http.Request, wait time.Duration) {
	s := cynllun.RetryAfterSeconds(wait)
	w.Header().Set("Retry-After", strconv.Itoa(s))
	writeErrorExt(w, r, http.StatusTooManyRequests, "too many requests: try again later",
		map[string]any{"code": string(cynllun.CodeRateLimited), "retryAfter": s})
}

// limitWriter turns the response into a 429 with Retry-After when the
// operation's cost was refused after parsing (gqlgen answers 200).
type limitWriter struct {
	http.ResponseWriter
	st      *limitState
	written bool
}

func (lw *limitWriter) WriteHeader(code int) {
	if !lw.written {
		lw.written = true
		lw.st.mu.Lock()
		retry := lw.st.retry
		lw.st.mu.Unlock()
		if retry > 0 {
			lw.Header().Set("Retry-After", strconv.Itoa(cynllun.RetryAfterSeconds(retry)))
			code = http.StatusTooManyRequests
		}
	}
	lw.ResponseWriter.WriteHeader(code)
}

func (lw *limitWriter) Write(b []byte) (int, error) {
	if !lw.written {
		lw.WriteHeader(http.StatusOK)
	}
	return lw.ResponseWriter.Write(b)
}

func (lw *limitWriter) Unwrap() http.ResponseWriter { return lw.ResponseWriter }

// OperationCost charges a parsed operation's heavy root fields to the
// principal's rate before the operation runs. It does nothing for requests
// that did not pass the HTTP limits (limits off, websocket operations).
type OperationCost struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = OperationCost{}

func (OperationCost) ExtensionName() string                   { return "OperationCost" }
func (OperationCost) Validate(graphql.ExecutableSchema) error { return nil }
func (OperationCost) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	st, _ := ctx.Value(limitStateKey{}).(*limitState)
	if st == nil || oc.Operation == nil || oc.Operation.Operation != ast.Mutation {
		return nil
	}
	n := heavyCount(oc.Operation.SelectionSet, oc.Doc, 0)
	if n == 0 {
		return nil
	}
	cost := n * st.l.cfg.HeavyCost
	wait, tooBig := st.l.allow(ctx, st.key, cost)
	if tooBig {
		return &gqlerror.Error{Message: "too many operations that queue work or store files in one request", Err: cynllun.E(cynllun.CodeInvalid, "limit",
			"too many operations that queue work or store files in one request: send at most "+strconv.Itoa(st.l.limit.Burst/st.l.cfg.HeavyCost)+" at a time")}
	}
	if wait > 0 {
		st.l.metrics.RateLimited("cost")
		st.mu.Lock()
		st.retry = wait
		st.mu.Unlock()
		return &gqlerror.Error{Message: "too many requests: try again later", Err: cynllun.RateLimited("limit", wait)}
	}
	return nil
}

// heavyCount counts the heavy root fields of a selection set, through
// inline fragments and fragment spreads (each fragment followed once per
// spread, to a bounded depth).
func heavyCount(set ast.SelectionSet, doc *ast.QueryDocument, depth int) int {
	if depth > 8 {
		return 0
	}
	n := 0
	for _, s := range set {
		switch s := s.(type) {
		case *ast.Field:
			if heavyFields[s.Name] {
				n++
			}
		case *ast.InlineFragment:
			n += heavyCount(s.SelectionSet, doc, depth+1)
		case *ast.FragmentSpread:
			if doc != nil {
				if f := doc.Fragments.ForName(s.Name); f != nil {
					n += heavyCount(f.SelectionSet, doc, depth+1)
				}
			}
		}
	}
	return n
}

func randomTag() string {
	b := make([]byte, 8)
	_, _ = io.ReadFull(rand.Reader, b)
	return hex.EncodeToString(b)
}
