// Package metrics holds Cynllun's Prometheus metrics: one registry per
// process (never the global default, so tests and the dev process, which
// runs the API and the worker together, do not collide), the /metrics
// handler, and the hooks the HTTP edge, the GraphQL server, the worker and
// the database driver report through.
//
// Every method is safe on a nil *Metrics (metrics off), so callers need not
// check. Labels are bounded: routes, codes, task kinds, channels and driver
// command names are fixed sets; GraphQL operation names are clients' words,
// so they are checked, truncated and capped (see OperationName).
package metrics

import (
	"context"
	"crypto/subtle"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.mongodb.org/mongo-driver/v2/event"
)

// Namespace prefixes every series of Cynllun's own.
const Namespace = "cynllun"

// MaxOperationNames is how many distinct GraphQL operation names are kept
// as labels; later new names are counted as "other".
const MaxOperationNames = 200

// maxNameLen truncates an operation name label.
const maxNameLen = 64

// Metrics is one process's registry and series.
type Metrics struct {
	Registry *prometheus.Registry

	httpRequests *prometheus.CounterVec
	httpDuration *prometheus.HistogramVec
	gqlOps       *prometheus.CounterVec
	gqlDuration  *prometheus.HistogramVec
	queryCost    prometheus.Histogram
	rateLimited  *prometheus.CounterVec
	jobs         *prometheus.CounterVec
	jobDuration  *prometheus.HistogramVec
	notices      *prometheus.CounterVec
	dbDuration   *prometheus.HistogramVec
	outboxQueue  prometheus.Gauge
	outboxLag    prometheus.Gauge
	outboxDone   *prometheus.CounterVec

	namesMu sync.Mutex
	names   map[string]bool
}

// New returns a registry with Cynllun's series and the Go runtime and
// process collectors.
func New() *Metrics {
	m := &Metrics{Registry: prometheus.NewRegistry(), names: map[string]bool{}}
	m.httpRequests = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Name: "http_requests_total",
		Help: "HTTP requests by route and status code."}, []string{"route", "code"})
	m.httpDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: Namespace, Name: "http_request_duration_seconds",
		Help: "HTTP request latency by route.", Buckets: prometheus.DefBuckets}, []string{"route"})
	m.gqlOps = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Name: "graphql_operations_total",
		Help: "GraphQL operations by operation name and outcome (ok or the first error's code)."}, []string{"operation", "outcome"})
	m.gqlDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: Namespace, Name: "graphql_operation_duration_seconds",
		Help: "GraphQL operation latency by operation name.", Buckets: prometheus.DefBuckets}, []string{"operation"})
	m.queryCost = prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: Namespace, Name: "graphql_query_cost",
		Help:    "Requested cost of GraphQL operations (graph/cost.go), as checked against GRAPHQL_MAX_COMPLEXITY.",
		Buckets: prometheus.ExponentialBuckets(1, 4, 9)})
	m.rateLimited = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Name: "rate_limited_total",
		Help: "Requests refused by the per-principal limits, by limit (rate, concurrency, cost)."}, []string{"limit"})
	m.jobs = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Name: "jobs_total",
		Help: "Worker tasks by kind and outcome (ok, retry, failed)."}, []string{"kind", "outcome"})
	m.jobDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: Namespace, Name: "job_duration_seconds",
		Help: "Worker task duration by kind.", Buckets: []float64{.01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120, 300}}, []string{"kind"})
	m.notices = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Name: "notices_total",
		Help: "Notice delivery attempts by channel and outcome (sent, failed, retry, skipped; uncertain: the worker stopped during the attempt)."}, []string{"channel", "outcome"})
	m.dbDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: Namespace, Name: "db_command_duration_seconds",
		Help:    "Database command latency by command name, as the driver measured it.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5}}, []string{"command"})
	m.outboxQueue = prometheus.NewGauge(prometheus.GaugeOpts{Namespace: Namespace, Name: "outbox_pending",
		Help: "Outbox entries waiting (follow-ups of writes not yet applied), as the relay last saw them."})
	m.outboxLag = prometheus.NewGauge(prometheus.GaugeOpts{Namespace: Namespace, Name: "outbox_lag_seconds",
		Help: "How long the oldest waiting outbox entry had waited when the relay last looked (0: none waiting)."})
	m.outboxDone = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Name: "outbox_relayed_total",
		Help: "Outbox entries the relay took, by outcome (applied, failed)."}, []string{"outcome"})
	m.Registry.MustRegister(m.httpRequests, m.httpDuration, m.gqlOps, m.gqlDuration, m.queryCost, m.rateLimited,
		m.jobs, m.jobDuration, m.notices, m.dbDuration, m.outboxQueue, m.outboxLag, m.outboxDone,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the registry in the Prometheus text format. With a token,
// only requests bearing it (Authorization: Bearer <token>) are answered;
// others get 401.
func (m *Metrics) Handler(token string) http.Handler {
	h := promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{})
	if token == "" {
		return h
	}
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			w.Header().Set("WWW-Authenticate", "Bearer")
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// HTTP wraps next, counting and timing each request under route(r), which
// must answer one of a fixed set of names.
func (m *Metrics) HTTP(route func(*http.Request) string, next http.Handler) http.Handler {
	if m == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		rt := route(r)
		m.httpRequests.WithLabelValues(rt, strconv.Itoa(sw.status)).Inc()
		m.httpDuration.WithLabelValues(rt).Observe(time.Since(start).Seconds())
	})
}

type statusWriter struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
}

func (s *statusWriter) WriteHeader(code int) {
	if !s.wroteHeader {
		s.status, s.wroteHeader = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	s.wroteHeader = true
	return s.ResponseWriter.Write(b)
}

func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// Operation records one GraphQL operation (or one response of a
// subscription): its name (see OperationName), outcome, latency and
// requested cost (0: unknown, not observed).
func (m *Metrics) Operation(name, outcome string, d time.Duration, cost int) {
	if m == nil {
		return
	}
	name = m.OperationName(name)
	m.gqlOps.WithLabelValues(name, outcome).Inc()
	m.gqlDuration.WithLabelValues(name).Observe(d.Seconds())
	if cost > 0 {
		m.queryCost.Observe(float64(cost))
	}
}

// OperationName bounds the label of a client-chosen operation name: empty
// is "anonymous"; a name that is not a GraphQL name is "invalid"; names are
// truncated to 64 bytes; after MaxOperationNames distinct names, new ones
// are "other".
func (m *Metrics) OperationName(name string) string {
	if name == "" {
		return "anonymous"
	}
	if !isGraphQLName(name) {
		return "invalid"
	}
	if len(name) > maxNameLen {
		name = name[:maxNameLen]
	}
	m.namesMu.Lock()
	defer m.namesMu.Unlock()
	if !m.names[name] {
		if len(m.names) >= MaxOperationNames {
			return "other"
		}
		m.names[name] = true
	}
	return name
}

func isGraphQLName(s string) bool {
	for i, c := range s {
		switch {
		case c == '_', c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z':
		case c >= '0' && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// Outcome is the label for a GraphQL result: "ok" without errors, else the
// first error's code when it looks like one (upper-case letters and
// underscores), else "error".
func Outcome(codes ...string) string {
	if len(codes) == 0 {
		return "ok"
	}
	c := codes[0]
	if c == "" || len(c) > 40 || strings.Trim(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_") != "" {
		return "error"
	}
	return c
}

// RateLimited counts a request refused by the named limit.
func (m *Metrics) RateLimited(limit string) {
	if m == nil {
		return
	}
	m.rateLimited.WithLabelValues(limit).Inc()
}

// Job records one run of a worker task of kind (its task type).
func (m *Metrics) Job(kind, outcome string, d time.Duration) {
	if m == nil {
		return
	}
	m.jobs.WithLabelValues(kind, outcome).Inc()
	m.jobDuration.WithLabelValues(kind).Observe(d.Seconds())
}

// Outbox records what a pass of the outbox relay saw: entries waiting,
// how long the oldest had waited, and how many it applied and failed.
func (m *Metrics) Outbox(pending int, oldest time.Duration, applied, failed int) {
	if m == nil {
		return
	}
	m.outboxQueue.Set(float64(pending))
	m.outboxLag.Set(oldest.Seconds())
	m.outboxDone.WithLabelValues("applied").Add(float64(applied))
	m.outboxDone.WithLabelValues("failed").Add(float64(failed))
}

// Notice records one delivery attempt of a notice on channel.
func (m *Metrics) Notice(channel, outcome string) {
	if m == nil {
		return
	}
	m.notices.WithLabelValues(strings.ToLower(channel), outcome).Inc()
}

// CommandMonitor returns a driver monitor that times every command by
// name, and passes every event on to next (may be nil).
func (m *Metrics) CommandMonitor(next *event.CommandMonitor) *event.CommandMonitor {
	if m == nil {
		return next
	}
	if next == nil {
		next = &event.CommandMonitor{}
	}
	return &event.CommandMonitor{
		Started: next.Started,
		Succeeded: func(ctx context.Context, ev *event.CommandSucceededEvent) {
			m.dbDuration.WithLabelValues(commandLabel(ev.CommandName)).Observe(ev.Duration.Seconds())
			if next.Succeeded != nil {
				next.Succeeded(ctx, ev)
			}
		},
		Failed: func(ctx context.Context, ev *event.CommandFailedEvent) {
			m.dbDuration.WithLabelValues(commandLabel(ev.CommandName)).Observe(ev.Duration.Seconds())
			if next.Failed != nil {
				next.Failed(ctx, ev)
			}
		},
	}
}

// commandLabel keeps driver command names (a fixed set) and folds anything
// odd into "other".
func commandLabel(name string) string {
	if name == "" || len(name) > 32 || !isGraphQLName(name) {
		return "other"
	}
	return name
}
