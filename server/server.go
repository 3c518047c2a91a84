// Package server is the HTTP edge: /graphql (POST and websocket), the
// optional playground, /healthz and /readyz. It authenticates bearer tokens,
// limits and checks request bodies, and installs per-request dataloaders.
package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"go.opentelemetry.io/otel/trace"

	coderws "github.com/coder/websocket"
	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/auth"
	"github.com/cynllun/cynllun/graph"
	"github.com/cynllun/cynllun/internal/metrics"
	"github.com/cynllun/cynllun/internal/tracing"
	"github.com/cynllun/cynllun/locale"
	"github.com/cynllun/cynllun/server/playground"
	"github.com/cynllun/cynllun/service"
	"github.com/cynllun/cynllun/upload"
)

// Verifier checks a bearer token and returns its subject (a user id).
type Verifier interface {
	Verify(ctx context.Context, token string) (string, error)
}

// ExpiringVerifier is a Verifier that also tells when a token expires
// (auth.Verifier is one): websocket connections end then.
type ExpiringVerifier interface {
	VerifyUntil(ctx context.Context, token string) (subject string, expires time.Time, err error)
}

// Config holds the edge's limits and switches.
type Config struct {
	// Introspection enables schema introspection (on in dev, off by default
	// in production).
	Introspection bool
	// Playground serves the GraphQL playground at /playground.
	Playground bool
	// MaxBodyBytes limits a request body (default 1 MiB).
	MaxBodyBytes int64
	// MaxUploadBytes limits one uploaded file of a multipart request
	// (default 20 MiB); the whole multipart body may be 1 MiB more.
	MaxUploadBytes int64
	// MaxComplexity limits a query's cost; list fields cost first × child
	// (default 10000; see graph/cost.go for what fields cost).
	MaxComplexity int
	// MaxDepth limits selection nesting (default 12).
	MaxDepth int
	// QueryCacheSize is how many parsed queries are kept (default 1000).
	QueryCacheSize int
	// Shape limits, checked before a query is validated (see ShapeLimit):
	// MaxQueryBytes of query text (default 64 KiB), MaxTokens (default
	// 5000), MaxFields selected (default 1000), MaxAliases (default 100),
	// MaxDuplicateFields with one response name in one selection set
	// (default 20) and MaxMutations root fields in one request (default 10).
	MaxQueryBytes      int
	MaxTokens          int
	MaxFields          int
	MaxAliases         int
	MaxDuplicateFields int
	MaxMutations       int
	// TrustedDocuments, when not empty, are the only operations the
	// server runs (by SHA-256 of their text; see TrustedDocuments), and
	// automatic persisted queries are off.
	TrustedDocuments map[string]string
	// Suggestions lets validation errors suggest field names ("Did you
	// mean …"): a help in development, a schema oracle in production
	// (default off).
	Suggestions bool
	// RequestTimeout bounds one /graphql request (default 30s);
	// UploadTimeout one multipart request (default 2m). Websocket
	// subscriptions are bounded by their token's expiry instead.
	RequestTimeout time.Duration
	UploadTimeout  time.Duration
	// FileLinks checks signed download links; nil accepts bearer tokens only.
	FileLinks *auth.FileLinks
	// Limits are the per-principal rate and concurrency limits (limit.go);
	// off without a Redis client.
	Limits Limits
	// AllowedOrigins are the other origins whose pages may call the API
	// from a browser, websockets included (see ParseAllowedOrigins and
	// cors.go); empty: same origin only.
	AllowedOrigins []string
	// Metrics, when set, counts requests, operations and rate-limit
	// refusals. /metrics is served on this handler only when MetricsToken
	// is also set, and then only to requests bearing it; otherwise the
	// process serves it on its own listener (METRICS_ADDR, app package).
	Metrics      *metrics.Metrics
	MetricsToken string
	// Tracing, when set, traces every request and GraphQL operation
	// (tracing.go); nil: off, at no cost.
	Tracing trace.TracerProvider
	// QueueDashboard, when set (QueueDashboard(rdb); QUEUE_DASHBOARD), is
	// served at QueuePath to administrators only, read-only.
	QueueDashboard http.Handler
}

func (c *Config) defaults() {
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = 1 << 20
	}
	if c.MaxUploadBytes <= 0 {
		c.MaxUploadBytes = upload.DefaultMaxBytes
	}
	if c.MaxComplexity <= 0 {
		c.MaxComplexity = 10000
	}
	if c.MaxDepth <= 0 {
		c.MaxDepth = 12
	}
	if c.QueryCacheSize <= 0 {
		c.QueryCacheSize = 1000
	}
	setDefault(&c.MaxQueryBytes, 64<<10)
	setDefault(&c.MaxTokens, 5000)
	setDefault(&c.MaxFields, 1000)
	setDefault(&c.MaxAliases, 100)
	setDefault(&c.MaxDuplicateFields, 20)
	setDefault(&c.MaxMutations, 10)
	setDefault(&c.RequestTimeout, 30*time.Second)
	setDefault(&c.UploadTimeout, 2*time.Minute)
}

// WithDefaults returns c with every unset limit at its default.
func (c Config) WithDefaults() Config {
	c.defaults()
	return c
}

func setDefault[T int | time.Duration](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}

// Readiness reports whether the process can serve (stores reachable).
type Readiness func(ctx context.Context) error

// New returns the HTTP handler.
func New(svc *service.Service, verifier Verifier, ready Readiness, log *slog.Logger, cfg Config) http.Handler {
	cfg.defaults()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	// Every line logged with a request's context names the request (and
	// its trace).
	log = slog.New(tracing.LogHandler(log.Handler()))
	gql := NewGraphQL(svc, verifier, log, cfg)
	lim := newLimiter(cfg.Limits, verifier, log)
	if lim != nil {
		lim.metrics = cfg.Metrics
	}

	mux := http.NewServeMux()
	// /graphql: the principal's rate and concurrency limits come first
	// (from the token's verified subject, or the client address), then the
	// token is checked before the body is read, parsed or validated; then
	// the request's deadline starts.
	mux.Handle("/graphql", lim.wrap(requireToken(authenticate(svc, verifier, cfg.TrustedDocuments,
		limitBody(cfg.MaxBodyBytes, cfg.MaxUploadBytes+multipartOverhead,
			deadline(cfg.RequestTimeout, cfg.UploadTimeout, graph.Middleware(svc, withWSExpiry(gql))))))))
	mux.Handle("GET /files/{id}", lim.wrap(authenticate(svc, verifier, cfg.TrustedDocuments, files(svc, cfg.FileLinks, log))))
	if cfg.Playground {
		pg := playground.Handler("Cynllun", "/playground", "/graphql")
		mux.Handle("GET /playground", pg)
		mux.Handle("GET /playground/assets/", pg)
	}
	if cfg.Metrics != nil && cfg.MetricsToken != "" {
		mux.Handle("GET /metrics", cfg.Metrics.Handler(cfg.MetricsToken))
	}
	if cfg.QueueDashboard != nil {
		// Every request carries an administrator's bearer token (a proxy
		// in front may add it for a browser): pages and API calls alike.
		q := lim.wrap(authenticate(svc, verifier, cfg.TrustedDocuments, adminOnly(cfg.QueueDashboard)))
		mux.Handle(QueuePath, q)
		mux.Handle(QueuePath+"/", q)
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if ready != nil {
			if err := ready(ctx); err != nil {
				log.WarnContext(ctx, "not ready", "err", err)
				w.WriteHeader(http.StatusServiceUnavailable)
				_, _ = io.WriteString(w, "not ready\n")
				return
			}
		}
		_, _ = io.WriteString(w, "ready\n")
	})
	return traceHTTP(cfg.Tracing, withRequestID(logRequests(log, cfg.Metrics.HTTP(route, withLanguage(newOrigins(cfg.AllowedOrigins).wrap(mux))))))
}

// NewGraphQL builds the gqlgen server with explicit transports and limits.
func NewGraphQL(svc *service.Service, verifier Verifier, log *slog.Logger, cfg Config) *handler.Server {
	cfg.defaults()
	c := graph.Config{Resolvers: &graph.Resolver{Svc: svc, Log: log}}
	graph.SetComplexity(&c.Complexity)
	srv := handler.New(graph.NewExecutableSchema(c))
	if cfg.Metrics != nil {
		// First, so it sees every response, refused ones included.
		srv.Use(OperationMetrics{M: cfg.Metrics})
	}
	useTracing(srv, cfg.Tracing)
	srv.AddTransport(transport.Websocket{
		// The origin is checked against CORS_ALLOWED_ORIGINS, then the
		// connection closes with 4401 when its token expires.
		Implementation: originCheckedWebsocket{o: newOrigins(cfg.AllowedOrigins), next: wsImplementation{
			CoderWebsocketImplementation: transport.CoderWebsocketImplementation{AcceptOptions: coderws.AcceptOptions{InsecureSkipVerify: true}}}},
		KeepAlivePingInterval: 15 * time.Second,
		InitTimeout:           10 * time.Second,
		InitFunc: func(ctx context.Context, p transport.InitPayload) (context.Context, *transport.InitPayload, error) {
			tok := strings.TrimSpace(p.Authorization())
			if after, ok := cutPrefixFold(tok, "Bearer "); ok {
				tok = strings.TrimSpace(after)
			}
			if tok == "" {
				return wsInitRefused(ctx, cynllun.CodeUnauthenticated, "authorization required in connection_init payload")
			}
			pr, exp, err := principalUntil(ctx, svc, verifier, tok)
			if err != nil {
				if cynllun.ErrorCode(err) == cynllun.CodeForbidden {
					return wsInitRefused(ctx, cynllun.CodeForbidden, "this account may not use the API")
				}
				return wsInitRefused(ctx, cynllun.CodeUnauthenticated, "invalid or expired token")
			}
			// The connection, and every subscription on it, ends when
			// the token expires: the client reconnects with a new one.
			if !exp.IsZero() {
				if e := wsExpiryFrom(ctx); e != nil {
					e.set(exp)
				}
				var cancel context.CancelFunc
				ctx, cancel = context.WithDeadline(ctx, exp)
				context.AfterFunc(ctx, cancel)
				ctx = transport.AppendCloseReason(ctx, "token expired")
			}
			return graph.WithLoaders(cynllun.WithPrincipal(ctx, pr), svc), nil, nil
		},
	})
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.POST{})
	// Uploads (GraphQL multipart request spec). Parts beyond MaxMemory go
	// to temporary files, which the transport removes after the request.
	srv.AddTransport(transport.MultipartForm{MaxUploadSize: cfg.MaxUploadBytes + multipartOverhead, MaxMemory: 8 << 20})
	cache := lru.New[*ast.QueryDocument](cfg.QueryCacheSize)
	srv.SetQueryCache(cache)
	srv.SetParserTokenLimit(cfg.MaxTokens)
	srv.SetDisableSuggestion(!cfg.Suggestions)
	if len(cfg.TrustedDocuments) > 0 {
		srv.Use(TrustedDocuments{Documents: cfg.TrustedDocuments})
	} else {
		srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](100)})
	}
	// After the persisted-query or trusted-documents extension (which fills
	// in the query text),
	// before gqlgen parses and validates it.
	srv.Use(ShapeLimit{
		MaxBytes: cfg.MaxQueryBytes, MaxTokens: cfg.MaxTokens, MaxFields: cfg.MaxFields, MaxAliases: cfg.MaxAliases,
		MaxDuplicates: cfg.MaxDuplicateFields, MaxMutations: cfg.MaxMutations, Introspection: cfg.Introspection,
		Cached: func(ctx context.Context, q string) bool { _, ok := cache.Get(ctx, q); return ok },
	})
	if cfg.Introspection {
		srv.Use(extension.Introspection{})
	}
	// Enum values exactly, null on a default as the default (graph/inputs.go).
	srv.Use(&graph.StrictInputs{})
	srv.Use(extension.FixedComplexityLimit(cfg.MaxComplexity))
	srv.Use(&CostReport{})
	srv.Use(RequestIDErrors{})
	srv.Use(DepthLimit{Max: cfg.MaxDepth})
	srv.Use(stopWhenDone{})
	srv.Use(OperationCost{})
	srv.SetErrorPresenter(graph.ErrorPresenter(log))
	srv.SetRecoverFunc(graph.Recover(log))
	return srv
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}

// principalUntil is principalFor that also returns when the token
// expires, when the verifier tells (zero otherwise).
func principalUntil(ctx context.Context, svc *service.Service, v Verifier, token string) (*cynllun.Principal, time.Time, error) {
	ev, ok := v.(ExpiringVerifier)
	if !ok {
		p, err := principalFor(ctx, svc, v, token)
		return p, time.Time{}, err
	}
	sub, exp, err := ev.VerifyUntil(ctx, token)
	if err != nil {
		return nil, time.Time{}, err
	}
	p, err := svc.Authenticate(ctx, sub)
	return p, exp, err
}

func principalFor(ctx context.Context, svc *service.Service, v Verifier, token string) (*cynllun.Principal, error) {
	sub, err := v.Verify(ctx, token)
	if err != nil {
		return nil, err
	}
	return svc.Authenticate(ctx, sub)
}

// requireToken answers 401 UNAUTHENTICATED to a /graphql request without a
// bearer token before anything else is done with it: its body is not read,
// parsed or validated, so an anonymous client costs nothing but the check.
// Two requests pass without one: CORS preflights (OPTIONS, which carry no
// credentials and no query) and websocket upgrades, which authenticate in
// their connection_init message (see NewGraphQL).
func requireToken(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := auth.BearerToken(r); ok || r.Method == http.MethodOptions || isWebsocketUpgrade(r) {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Set("WWW-Authenticate", `Bearer`)
		writeError(w, r, http.StatusUnauthorized, cynllun.CodeUnauthenticated, "authentication required: send Authorization: Bearer <token>")
	})
}

func isWebsocketUpgrade(r *http.Request) bool {
	return r.Method == http.MethodGet && headerHasToken(r.Header, "Connection", "upgrade") && headerHasToken(r.Header, "Upgrade", "websocket")
}

// headerHasToken says whether a comma-separated header lists token.
func headerHasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for f := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(f), token) {
				return true
			}
		}
	}
	return false
}

// authenticate verifies a bearer token when one is sent and puts the
// principal in the context. No token: no principal (on /graphql,
// requireToken has already refused such a request; a file download may
// carry a signed link instead). A bad token: 401 at once.
func authenticate(svc *service.Service, v Verifier, trusted map[string]string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, ok := auth.BearerToken(r)
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		p, err := principalFor(r.Context(), svc, v, tok)
		if err != nil && cynllun.ErrorCode(err) == cynllun.CodeUnauthenticated {
			// A valid token whose subject has no account yet may accept an
			// invitation, which creates the account (issue 17), and nothing
			// else.
			if sub, verr := v.Verify(r.Context(), tok); verr == nil && sub != "" {
				if r2, ok := acceptOnly(r, trusted); ok {
					next.ServeHTTP(w, r2.WithContext(cynllun.WithNewcomer(r2.Context(), sub)))
					return
				}
			}
		}
		if err != nil {
			code := cynllun.ErrorCode(err)
			status := http.StatusUnauthorized
			msg := "invalid or expired token"
			if code != cynllun.CodeUnauthenticated {
				code, status, msg = cynllun.CodeInternal, http.StatusInternalServerError, "internal error"
			}
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			writeError(w, r, status, code, msg)
			return
		}
		next.ServeHTTP(w, r.WithContext(cynllun.WithPrincipal(r.Context(), p)))
	})
}

// multipartOverhead is what a multipart request may carry beyond its file:
// the operations, the map and the part headers.
const multipartOverhead = 1 << 20

// limitBody rejects bodies over max (413) and bodies that are not valid
// UTF-8 (400) before gqlgen sees them: Go's JSON decoder would otherwise
// turn invalid bytes silently into U+FFFD and store them. Multipart
// requests (uploads) may be up to maxMultipart and are streamed, not
// checked for UTF-8: their files are binary, and every text they carry is
// checked by the service (form.CheckText) before it is stored.
func limitBody(max, maxMultipart int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Body == nil {
			next.ServeHTTP(w, r)
			return
		}
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
			if r.ContentLength > maxMultipart {
				writeError(w, r, http.StatusRequestEntityTooLarge, cynllun.CodeInvalid,
					fmt.Sprintf("request body too large: an uploaded file may be at most %d MiB", (maxMultipart-multipartOverhead)>>20))
				return
			}
			r.Body = http.MaxBytesReader(w, r.Body, maxMultipart)
			next.ServeHTTP(w, r)
			return
		}
		if r.ContentLength > max {
			writeError(w, r, http.StatusRequestEntityTooLarge, cynllun.CodeInvalid, "request body too large")
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, max+1))
		if err != nil {
			writeError(w, r, http.StatusBadRequest, cynllun.CodeInvalid, "could not read request body")
			return
		}
		if int64(len(body)) > max {
			writeError(w, r, http.StatusRequestEntityTooLarge, cynllun.CodeInvalid, "request body too large")
			return
		}
		if !utf8.Valid(body) {
			writeError(w, r, http.StatusBadRequest, cynllun.CodeInvalid, "request body is not valid UTF-8")
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		next.ServeHTTP(w, r)
	})
}

// writeError writes a GraphQL-shaped error response, its message in the
// request's language with its reason.
func writeError(w http.ResponseWriter, r *http.Request, status int, code cynllun.Code, msg string) {
	writeErrorExt(w, r, status, msg, map[string]any{"code": string(code)})
}

func writeErrorExt(w http.ResponseWriter, r *http.Request, status int, msg string, ext map[string]any) {
	text, reason, _ := locale.Translate(locale.From(r.Context()), msg)
	if reason != "" {
		ext["reason"] = reason
	}
	if id := requestIDOf(w); id != "" {
		ext["requestId"] = id
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(graphql.Response{Errors: gqlerror.List{{Message: text, Extensions: ext}}})
}

// withLanguage negotiates the language of the answer from Accept-Language
// (Welsh or English, English by default) and puts it in the request's
// context, where the GraphQL edge and the HTTP errors find it. GraphQL
// answers say which they chose (Content-Language) and that they depend on
// the header (Vary), so caches keep the two apart; a downloaded file is in
// its own language, whatever the header.
func withLanguage(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lang := locale.Negotiate(r.Header.Get("Accept-Language"))
		if r.URL.Path == "/graphql" {
			h := w.Header()
			h.Add("Vary", "Accept-Language")
			h.Set("Content-Language", string(lang))
		}
		next.ServeHTTP(w, r.WithContext(locale.WithLang(r.Context(), lang)))
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// logRequests logs method, path, status and duration: never bodies, tokens
// or query variables.
func logRequests(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		// The request id (and trace id) come from the context, with the
		// logger's tracing.LogHandler.
		log.DebugContext(r.Context(), "http", "method", r.Method, "path", r.URL.Path, "status", sw.status, "ms", time.Since(start).Milliseconds())
	})
}
