package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/hibiken/asynq"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/redis/go-redis/v9"
	"go.opentelemetry.io/otel/trace"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/auth"
	"github.com/cynllun/cynllun/events"
	"github.com/cynllun/cynllun/generation"
	"github.com/cynllun/cynllun/internal/metrics"
	"github.com/cynllun/cynllun/internal/tracing"
	"github.com/cynllun/cynllun/mongodb"
	"github.com/cynllun/cynllun/notify"
	"github.com/cynllun/cynllun/seed"
	"github.com/cynllun/cynllun/server"
	"github.com/cynllun/cynllun/service"
	"github.com/cynllun/cynllun/worker"
)

func init() {
	// pdfcpu must not write a config directory under $HOME (stack-notes).
	model.ConfigPath = "disable"
}

// Program holds the opened stores and the service built on them.
type Program struct {
	Config   Config
	Log      *slog.Logger
	DB       *mongodb.DB
	Redis    redis.UniversalClient
	Service  *service.Service
	Verifier *auth.Verifier
	Bus      *events.Bus
	Links    *auth.FileLinks
	// Metrics is this process's registry (API and worker share it in dev).
	Metrics *metrics.Metrics
	// Tracing is this process's tracer provider; nil when traces are off
	// (Config.Tracing).
	Tracing trace.TracerProvider

	stopTracing func(context.Context) error

	mini *miniredis.Miniredis
	stop context.CancelFunc
}

// Open connects the stores. dev allows the in-process Redis (miniredis)
// when REDIS_URL is unset; otherwise Redis must be a real server. In the
// embedded mode the process owns the data directory when it is free and
// is otherwise a client of the process that owns it (OpenAs).
func Open(ctx context.Context, cfg Config, log *slog.Logger, dev bool) (*Program, error) {
	return OpenAs(ctx, cfg, log, dev, "", mongodb.OwnIfFree)
}

// OpenAs is Open for the command named command, with the ownership of the
// embedded data directory it needs: serve and dev own it, the worker is
// a client of the API process, seed owns it only when no one else does.
func OpenAs(ctx context.Context, cfg Config, log *slog.Logger, dev bool, command string, own mongodb.Ownership) (*Program, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	// The bank holidays first: the API and the worker count school days
	// and working days with them.
	if err := useBankHolidays(ctx, log, cfg, time.Now()); err != nil {
		return nil, err
	}
	p := &Program{Config: cfg, Log: log, Metrics: metrics.New()}
	bg, stop := context.WithCancel(context.WithoutCancel(ctx))
	p.stop = stop
	ok := false
	defer func() {
		if !ok {
			p.Close(context.WithoutCancel(ctx))
		}
	}()

	tp, stopTracing, err := tracing.Start(ctx, cfg.Tracing, or(command, "cynllun"))
	if err != nil {
		return nil, err
	}
	p.Tracing, p.stopTracing = tp, stopTracing
	if tp != nil {
		log.Info("exporting traces over OTLP")
	}

	redisURL := cfg.RedisURL
	if redisURL == "" {
		if !dev {
			return nil, errors.New("REDIS_URL is required")
		}
		m := miniredis.NewMiniRedis()
		if err := m.StartAddr("127.0.0.1:0"); err != nil {
			return nil, fmt.Errorf("start in-process redis: %w", err)
		}
		p.mini = m
		go tickMiniredis(bg, m)
		redisURL = "redis://" + m.Addr() + "/0"
		log.Info("started in-process redis (miniredis) for dev mode", "addr", m.Addr())
	}
	ropts, err := redis.ParseURL(redisURL)
	if err != nil {
		return nil, fmt.Errorf("REDIS_URL: %w", err)
	}
	p.Redis = redis.NewClient(ropts)
	p.Bus = events.New(p.Redis)

	dataDir := ""
	if cfg.MongoURI == "" {
		dataDir = cfg.DataDir
		logEmbeddedDB(ctx, log, dataDir, dev)
	}
	dbName := cfg.MongoDatabase
	if dbName == "" {
		dbName = mongodb.DefaultDatabase
	}
	db, err := mongodb.Open(ctx, mongodb.Config{URI: cfg.MongoURI, Database: dbName, DataDir: dataDir, EmbeddedSync: cfg.EmbeddedSync, Logger: log, Monitor: p.Metrics.CommandMonitor(tracing.CommandMonitor(p.Tracing, nil)),
		Ownership: own, Command: command, OwnerWait: cfg.EmbeddedOwnerWait,
		Generation: generation.New(p.Redis, dbName, "access")})
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	p.DB = db

	secret := cfg.JWTSecret
	if secret == "" && cfg.JWKSURL == "" && dev {
		if secret, err = devSecret(cfg.DataDir); err != nil {
			return nil, fmt.Errorf("dev secret: %w", err)
		}
		p.Config.JWTSecret = secret
	}
	if secret != "" || cfg.JWKSURL != "" {
		p.Verifier, err = auth.NewVerifier(bg, auth.Config{
			HS256Secret: []byte(secret), JWKSURL: cfg.JWKSURL, Issuer: cfg.JWTIssuer, Audience: cfg.JWTAudience, Leeway: 30 * time.Second,
		})
		if err != nil {
			return nil, fmt.Errorf("token verifier: %w", err)
		}
	}
	linkSecret := cfg.FileURLSecret
	if linkSecret == "" {
		// Without a configured secret links are signed with a random key:
		// they work only on this instance until it restarts (dev, tests).
		linkSecret = randomHex(32)
		if !dev {
			log.Warn("FILE_URL_SECRET is unset: download links work only on this instance until it restarts")
		}
	}
	if p.Links, err = auth.NewFileLinks([]byte(linkSecret), cfg.PublicURL); err != nil {
		return nil, err
	}
	// Invitations to advocates are emailed by the API at once (issue 17).
	var inviteMailer service.InvitationMailer
	if cfg.Mail.Host != "" {
		if m, err := notify.NewMailer(cfg.Mail); err == nil {
			inviteMailer = m
		} else {
			log.Error("SMTP settings are not usable: advocates cannot be invited", "err", err)
		}
	}
	p.Service = service.New(db, service.WithInvitations(inviteMailer, cfg.InvitationExpiry, cfg.InvitationLink), service.WithPublisher(p.Bus), service.WithLogger(log), service.WithMaxUploadBytes(cfg.MaxUploadBytes), service.WithMaxImageDecodeBytes(cfg.MaxImageDecodeBytes), service.WithClockSettings(cfg.Clock),
		service.WithBundleDefaults(cfg.BundleSections), service.WithOverrideRoles(cfg.OverrideRoles), service.WithJobQueue(worker.NewClient(p.Redis).WithTracing(p.Tracing)), service.WithURLSigner(p.Links),
		service.WithWebhookDestinations(cfg.Webhooks))
	ok = true
	return p, nil
}

// embeddedDBLimits is what the embedded database is for and where it falls
// short, as logged when a process starts with it.
const embeddedDBLimits = "it is for development, demos and tests: " +
	"every query other than by id reads the whole collection, so it slows as the data grows; " +
	"one process owns its data directory (serve or dev) and the worker and seed reach the database through it; " +
	"set MONGODB_URI for production"

// logEmbeddedDB says, as the embedded database starts, what it is for: a
// warning for serve and worker, information where it is expected (dev
// mode, which runs the API and the worker in one process).
func logEmbeddedDB(ctx context.Context, log *slog.Logger, dataDir string, dev bool) {
	if dev {
		log.InfoContext(ctx, "MONGODB_URI is unset: starting the embedded database (FerretDB on SQLite), as expected in dev mode; "+embeddedDBLimits, "dir", dataDir)
		return
	}
	log.WarnContext(ctx, "MONGODB_URI is unset: starting the embedded database (FerretDB on SQLite); "+embeddedDBLimits, "dir", dataDir)
}

// tickMiniredis advances miniredis's clock with real time, so TTLs expire
// (miniredis does not do it by itself; stack-notes).
func tickMiniredis(ctx context.Context, m *miniredis.Miniredis) {
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	last := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			m.SetTime(now)
			m.FastForward(now.Sub(last))
			last = now
		}
	}
}

// Ready checks the stores (readiness).
func (p *Program) Ready(ctx context.Context) error {
	if err := p.DB.Ping(ctx); err != nil {
		return err
	}
	return p.Bus.Ping(ctx)
}

// Handler returns the HTTP API handler.
func (p *Program) Handler() http.Handler {
	return server.New(p.Service, p.Verifier, p.Ready, p.Log, server.Config{
		Introspection: p.Config.Introspection, Playground: p.Config.Playground,
		MaxBodyBytes: p.Config.MaxBodyBytes, MaxUploadBytes: p.Config.MaxUploadBytes, MaxComplexity: p.Config.MaxComplexity, MaxDepth: p.Config.MaxDepth,
		FileLinks:     p.Links,
		MaxQueryBytes: p.Config.MaxQueryBytes, MaxTokens: p.Config.MaxTokens, MaxFields: p.Config.MaxFields, MaxAliases: p.Config.MaxAliases,
		MaxDuplicateFields: p.Config.MaxDuplicateFields, MaxMutations: p.Config.MaxMutations, Suggestions: p.Config.Suggestions,
		TrustedDocuments: p.Config.TrustedDocuments,
		RequestTimeout:   p.Config.RequestTimeout, UploadTimeout: p.Config.UploadTimeout,
		Limits: server.Limits{Redis: p.Redis, Rate: p.Config.Limits.PerSecond, Burst: p.Config.Limits.Burst, HeavyCost: p.Config.Limits.HeavyCost,
			Concurrent: p.Config.Limits.Concurrent, TrustedProxies: p.Config.Limits.TrustedProxies},
		AllowedOrigins: p.Config.CORSAllowedOrigins,
		Metrics:        p.Metrics, MetricsToken: p.Config.MetricsToken,
		Tracing:        p.Tracing,
		QueueDashboard: p.queueDashboard(),
	})
}

// queueDashboard is the queue dashboard for administrators (asynqmon),
// unless QUEUE_DASHBOARD is off or there is no Redis client.
func (p *Program) queueDashboard() http.Handler {
	if !p.Config.QueueDashboard || p.Redis == nil {
		return nil
	}
	return server.QueueDashboard(p.Redis)
}

// Worker returns the task worker with every handler registered.
func (p *Program) Worker() *worker.Worker {
	w := worker.New(p.Redis, worker.Config{Concurrency: p.Config.WorkerConcurrency, ShutdownTimeout: p.Config.ShutdownTimeout,
		NoticeScanEvery: p.Config.NoticeScanEvery, RetentionScanEvery: p.Config.RetentionScanEvery, Logger: p.Log, Metrics: p.Metrics, Tracing: p.Tracing})
	p.Metrics.WatchQueues(asynq.NewInspectorFromRedisClient(p.Redis))
	render := worker.NewRenderHandler(p.DB, p.Bus, p.Log)
	render.Contacts = p.Config.RightsContacts
	render.WorkDir = p.workDir()
	w.Handle(worker.TypeRenderPlan, render)
	w.Handle(worker.TypeRenderMeeting, render)
	w.Handle(worker.TypeRenderBundle, render)
	render.SubjectAccess = p.Service
	w.Handle(worker.TypeSubjectAccess, render)
	var mailer *notify.Mailer
	if p.Config.Mail.Host != "" {
		m, err := notify.NewMailer(p.Config.Mail)
		if err != nil {
			p.Log.Error("SMTP settings are not usable: email notices are off", "err", err)
		} else {
			mailer = m
		}
	} else {
		p.Log.Info("SMTP_HOST is unset: deadline notices go to webhooks only")
	}
	w.Handle(worker.TypeScanNotices, &worker.Scanner{Store: p.DB, Queue: worker.NewClient(p.Redis), Offsets: p.Config.NoticeOffsets, Email: mailer != nil, Log: p.Log})
	w.Handle(worker.TypeSendNotice, &worker.NoticeSender{Store: p.DB, Mailer: mailer, Webhooks: notify.NewWebhookSender(p.Config.WebhookTimeout, p.Config.Webhooks), Log: p.Log, Metrics: p.Metrics,
		EmailUncertain: p.Config.NoticeEmailUncertain,
		Link: func(n *cynllun.Notice) string {
			// A front-end's page for the deadline, when one is configured.
			return strings.ReplaceAll(p.Config.NoticeLink, "{deadline}", n.DeadlineID)
		}})
	w.Handle(worker.TypeReconcile, worker.NewReconciler(p.DB, p.Redis, p.Bus, p.Log))
	retention := &worker.Retention{Store: p.DB, Policy: p.Config.Retention, Batch: p.Config.RetentionScanBatch, Log: p.Log}
	w.Handle(worker.TypeScanRetention, retention)
	w.Handle(worker.TypeEraseLearner, retention)
	return w
}

// workDir prepares the worker's private directory for temporary files
// (worker.OpenWorkDir: created 0700 and emptied of a crashed render's
// leftovers) and returns it; "" (bundles built in memory) when it cannot.
func (p *Program) workDir() string {
	dir := p.Config.WorkDir
	if dir == "" {
		dataDir := ""
		if p.Config.MongoURI == "" {
			dataDir = p.Config.DataDir
		}
		dir = worker.DefaultWorkDir(dataDir)
	}
	if err := worker.OpenWorkDir(dir); err != nil {
		p.Log.Warn("the work directory is not usable: bundles are built in memory", "err", err)
		return ""
	}
	return dir
}

// Close releases everything Open started.
func (p *Program) Close(ctx context.Context) {
	if p.stop != nil {
		p.stop()
	}
	if p.Redis != nil {
		_ = p.Redis.Close()
	}
	if p.mini != nil {
		p.mini.Close()
	}
	if p.DB != nil {
		_ = p.DB.Close(ctx)
	}
	if p.stopTracing != nil {
		// The spans still batched are sent, for a few seconds at most.
		tctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		if err := p.stopTracing(tctx); err != nil {
			p.Log.Warn("could not send the last traces", "err", err)
		}
		cancel()
	}
}

// ServeHTTP serves h on ln until ctx ends, then drains connections.
func ServeHTTP(ctx context.Context, ln net.Listener, h http.Handler, shutdown time.Duration) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdown)
	defer cancel()
	return srv.Shutdown(sctx)
}

// Serve runs the API server until ctx ends.
func Serve(ctx context.Context, cfg Config, log *slog.Logger) error {
	if cfg.JWTSecret == "" && cfg.JWKSURL == "" {
		return errors.New("set JWT_SECRET or JWT_JWKS_URL: the API verifies bearer tokens")
	}
	p, err := OpenAs(ctx, cfg, log, false, "serve", mongodb.OwnRequired)
	if err != nil {
		return err
	}
	defer p.Close(context.WithoutCancel(ctx))
	if err := seed.Reference(ctx, p.DB, time.Now()); err != nil {
		return fmt.Errorf("seed reference data: %w", err)
	}
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return err
	}
	log.Info("API listening", "addr", ln.Addr().String())
	if err := p.serveMetrics(ctx); err != nil {
		return err
	}
	return ServeHTTP(ctx, ln, p.Handler(), cfg.ShutdownTimeout)
}

// Worker runs the task worker until ctx ends, with a health endpoint.
func Worker(ctx context.Context, cfg Config, log *slog.Logger) error {
	p, err := OpenAs(ctx, cfg, log, false, "worker", mongodb.OwnNever)
	if err != nil {
		return err
	}
	defer p.Close(context.WithoutCancel(ctx))
	ln, err := net.Listen("tcp", cfg.WorkerHealthAddr)
	if err != nil {
		return err
	}
	go func() { _ = ServeHTTP(ctx, ln, healthHandler(p.Ready), 5*time.Second) }()
	w := p.Worker()
	if err := p.serveMetrics(ctx); err != nil {
		return err
	}
	go p.RunOutboxRelay(ctx)
	log.Info("worker running", "concurrency", cfg.WorkerConcurrency, "health", ln.Addr().String())
	return w.Run(ctx)
}

// OutboxRelayEvery is how often a process that runs the worker applies
// the outbox entries left behind (service/outbox.go): their writer died or
// failed a follow-up, and its lease (service.DefaultOutboxLease) ran out.
const OutboxRelayEvery = 10 * time.Second

// RunOutboxRelay applies left-behind outbox entries at once and then every
// OutboxRelayEvery until ctx ends, reporting to the metrics.
func (p *Program) RunOutboxRelay(ctx context.Context) {
	p.Service.RunOutboxRelay(ctx, OutboxRelayEvery, func(st service.OutboxStatus) {
		p.Metrics.Outbox(st.Pending, st.Oldest, st.Applied, st.Failed)
	})
}

// serveMetrics serves /metrics on METRICS_ADDR, when set, until ctx ends
// (behind METRICS_TOKEN when that is set too).
func (p *Program) serveMetrics(ctx context.Context) error {
	if p.Config.MetricsAddr == "" {
		return nil
	}
	ln, err := net.Listen("tcp", p.Config.MetricsAddr)
	if err != nil {
		return fmt.Errorf("METRICS_ADDR: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", p.Metrics.Handler(p.Config.MetricsToken))
	go func() { _ = ServeHTTP(ctx, ln, mux, 5*time.Second) }()
	p.Log.Info("metrics listening", "addr", ln.Addr().String())
	return nil
}

func healthHandler(ready server.Readiness) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok\n") })
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		if err := ready(ctx); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = io.WriteString(w, "not ready\n")
			return
		}
		_, _ = io.WriteString(w, "ready\n")
	})
	return mux
}

// Dev runs everything in one process with embedded stores and sample data,
// and prints where to start.
func Dev(ctx context.Context, cfg Config, log *slog.Logger, out io.Writer) error {
	p, err := OpenAs(ctx, cfg, log, true, "dev", mongodb.OwnRequired)
	if err != nil {
		return err
	}
	defer p.Close(context.WithoutCancel(ctx))
	now := time.Now()
	if err := seed.Sample(ctx, p.DB, now); err != nil {
		return fmt.Errorf("seed sample data: %w", err)
	}
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return err
	}
	w := p.Worker()
	if err := p.serveMetrics(ctx); err != nil {
		return err
	}
	werr := make(chan error, 1)
	go func() { werr <- w.Run(ctx) }()
	go p.RunOutboxRelay(ctx)

	base := "http://" + ln.Addr().String()
	fmt.Fprintf(out, "\nCynllun dev mode is running.\n\n")
	fmt.Fprintf(out, "  GraphQL API:  %s/graphql\n", base)
	fmt.Fprintf(out, "  Playground:   %s/playground\n", base)
	fmt.Fprintf(out, "  Health:       %s/readyz\n", base)
	if cfg.MetricsAddr != "" {
		fmt.Fprintf(out, "  Metrics:      http://%s/metrics\n", cfg.MetricsAddr)
	}
	fmt.Fprintf(out, "  Data:         %s (embedded FerretDB; delete it to start afresh)\n\n", cfg.DataDir)
	fmt.Fprintf(out, "Sample tokens (valid 12 hours; send as \"Authorization: Bearer <token>\"):\n")
	roles := make([]string, 0, len(seed.Users))
	for r := range seed.Users {
		roles = append(roles, r)
	}
	sort.Strings(roles)
	for _, r := range roles {
		tok, err := auth.Mint([]byte(p.Config.JWTSecret), cfg.JWTIssuer, cfg.JWTAudience, seed.Users[r], 12*time.Hour, now)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "\n  %-8s %s\n", r, tok)
	}
	fmt.Fprintf(out, "\nTry: curl -s %s/graphql -H 'Content-Type: application/json' -H \"Authorization: Bearer $TOKEN\" \\\n", base)
	fmt.Fprintf(out, "       -d '{\"query\":\"{ learners(first: 10) { edges { node { givenName familyName status plans { currentVersionNumber } } } } }\"}'\n")
	fmt.Fprintf(out, "\nA review with its meeting recorded: review(id: %q) { status checklist { code met } findings { rule } ledger { rows { planned delivered shortfallSessions } } }\n", seed.ReviewID)
	fmt.Fprintf(out, "A tribunal case (as officer, parent or alnco): case(id: %q) { appealDeadline { due status } evidence { nodes { title } } bundlePreview { documentPages warnings { code section } } }\n"+
		"  then mutation { renderBundle(input: {caseId: %q}) { bundle { id status } } } and bundle(id: …) { status file { downloadUrl } manifest { pages } }\n\n", seed.CaseID, seed.CaseID)
	err = ServeHTTP(ctx, ln, p.Handler(), cfg.ShutdownTimeout)
	<-werr
	return err
}

// Token mints a token for a user id or a sample role name (admin, alnco,
// parent, officer), with the configured secret or the dev secret.
func Token(cfg Config, who string, ttl time.Duration, now time.Time) (string, error) {
	secret := cfg.JWTSecret
	if secret == "" {
		var err error
		if secret, err = devSecret(cfg.DataDir); err != nil {
			return "", err
		}
	}
	sub := who
	if id, ok := seed.Users[who]; ok {
		sub = id
	}
	return auth.Mint([]byte(secret), cfg.JWTIssuer, cfg.JWTAudience, sub, ttl, now)
}

// SeedOptions says what `cynllun seed` loads besides the reference data.
type SeedOptions struct {
	Sample bool
	// Synthetic, when positive, is the number of synthetic learners
	// (seed.Synthetic), built with SeedValue (0: the default).
	Synthetic int
	SeedValue uint64
}

// Seed loads reference data, the sample data when asked, and synthetic
// learners when asked, printing a summary of the synthetic data to out.
func Seed(ctx context.Context, cfg Config, log *slog.Logger, opts SeedOptions, out io.Writer) error {
	p, err := OpenAs(ctx, cfg, log, true, "seed", mongodb.OwnIfFree)
	if err != nil {
		return err
	}
	defer p.Close(context.WithoutCancel(ctx))
	now := time.Now()
	if err := seed.Reference(ctx, p.DB, now); err != nil {
		return err
	}
	if opts.Sample {
		if err := seed.Sample(ctx, p.DB, now); err != nil {
			return err
		}
	}
	if opts.Synthetic <= 0 {
		return nil
	}
	last := time.Now()
	res, err := seed.Synthetic(ctx, p.Service, seed.SyntheticOptions{N: opts.Synthetic, Seed: opts.SeedValue, Clock: &p.Config.Clock,
		Progress: func(done, total int) {
			if time.Since(last) >= 5*time.Second || done == total {
				last = time.Now()
				log.Info("synthetic learners", "done", done, "of", total)
			}
		}})
	if err != nil {
		return fmt.Errorf("synthetic data: %w", err)
	}
	w := res.Written
	fmt.Fprintf(out, "\nSynthetic data: %d learners (%d there already, %d added) in %v.\n", res.N, res.Existing, w.Learners, res.Elapsed.Round(time.Millisecond))
	fmt.Fprintf(out, "Written: %d schools, %d users, %d relationships, %d plans, %d versions, %d review revisions, %d events, %d deadlines, %d sessions, %d files.\n",
		w.Schools, w.Users, w.Relationships, w.Plans, w.Versions, w.ReviewRevisions, w.Events, w.Deadlines, w.Sessions, w.Files)
	fmt.Fprintf(out, "\nTokens for learner 0's records (valid 12 hours; send as \"Authorization: Bearer <token>\"; `cynllun token <user id>` makes more):\n")
	for _, u := range []struct{ role, id, about string }{
		{"officer", res.OfficerID, "ALN officer of " + res.OfficerLAID},
		{"staff", res.StaffID, "ALNCo of " + res.StaffOrgID},
		{"parent", res.ParentID, "parent of " + res.ParentLearnerID},
	} {
		tok, err := auth.Mint([]byte(p.Config.JWTSecret), cfg.JWTIssuer, cfg.JWTAudience, u.id, 12*time.Hour, now)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "\n  %-8s %s (%s)\n  %-8s %s\n", u.role, u.id, u.about, "", tok)
	}
	fmt.Fprintf(out, "\nPlan %s of learner %s; review %s; uploaded file %s.\n", res.PlanID, res.PlanLearnerID, res.ReviewID, res.FileID)
	return nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
