// Package app wires Cynllun's parts into runnable programs: the API server,
// the worker, and dev mode (both, with embedded stores and sample data).
// Config is read from the environment separately from running, so tests
// build programs with their own ports and stores.
package app

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/calendar"
	"github.com/cynllun/cynllun/clock"
	"github.com/cynllun/cynllun/internal/tracing"
	"github.com/cynllun/cynllun/mongodb"
	"github.com/cynllun/cynllun/notify"
	"github.com/cynllun/cynllun/server"
	"github.com/cynllun/cynllun/service"
	"github.com/cynllun/cynllun/upload"
	"github.com/cynllun/cynllun/worker"
)

// Config is everything the programs read from the environment.
type Config struct {
	HTTPAddr      string // HTTP_ADDR (default :8080; dev 127.0.0.1:8080)
	MongoURI      string // MONGODB_URI; empty = embedded FerretDB
	MongoDatabase string // MONGODB_DATABASE (default cynllun)
	DataDir       string // CYNLLUN_DATA_DIR: embedded database files (default ./data)
	// WorkDir is CYNLLUN_WORK_DIR: the worker's private directory for
	// temporary files holding personal data (default: DataDir/work with
	// the embedded database, the user's cache directory with MongoDB;
	// worker.DefaultWorkDir).
	WorkDir string
	// EmbeddedSync is EMBEDDED_DB_SYNC: when the embedded database flushes
	// its log to disk, "normal" (default) or "full" (mongodb.Config).
	EmbeddedSync   string
	RedisURL       string // REDIS_URL (default redis://127.0.0.1:6379/0; dev: in-process)
	JWTSecret      string // JWT_SECRET: HS256 secret, at least 32 bytes
	JWKSURL        string // JWT_JWKS_URL: RS256/ES256 keys for production identity providers
	JWTIssuer      string // JWT_ISSUER
	JWTAudience    string // JWT_AUDIENCE
	Introspection  bool   // GRAPHQL_INTROSPECTION (default false; dev true)
	Playground     bool   // GRAPHQL_PLAYGROUND (default false; dev true)
	MaxBodyBytes   int64  // MAX_BODY_BYTES (default 1 MiB)
	MaxUploadBytes int64  // MAX_UPLOAD_BYTES: one uploaded attachment (default 20 MiB)
	MaxComplexity  int    // GRAPHQL_MAX_COMPLEXITY (default 10000)
	MaxDepth       int    // GRAPHQL_MAX_DEPTH (default 12)
	// Request shape, checked before a query is validated.
	MaxQueryBytes      int // GRAPHQL_MAX_QUERY_BYTES (default 65536)
	MaxTokens          int // GRAPHQL_MAX_TOKENS (default 5000)
	MaxFields          int // GRAPHQL_MAX_FIELDS (default 1000)
	MaxAliases         int // GRAPHQL_MAX_ALIASES (default 100)
	MaxDuplicateFields int // GRAPHQL_MAX_DUPLICATE_FIELDS (default 20)
	MaxMutations       int // GRAPHQL_MAX_MUTATIONS: root mutation fields per request (default 10)
	// TrustedDocuments is GRAPHQL_TRUSTED_DOCUMENTS: a manifest of the only
	// operations the API runs (server.LoadTrustedDocuments), loaded here.
	TrustedDocuments  map[string]string
	Suggestions       bool          // GRAPHQL_SUGGESTIONS: "Did you mean …" in validation errors (default false; dev true)
	RequestTimeout    time.Duration // REQUEST_TIMEOUT (default 30s)
	UploadTimeout     time.Duration // UPLOAD_TIMEOUT: a multipart request (default 2m)
	WorkerConcurrency int           // WORKER_CONCURRENCY (default number of CPUs)
	WorkerHealthAddr  string        // WORKER_HEALTH_ADDR (default :8081)
	FileURLSecret     string        // FILE_URL_SECRET: HMAC key of signed download links (at least 32 bytes)
	PublicURL         string        // PUBLIC_URL: origin put before download links (default: relative links)
	LogLevel          slog.Level
	LogFormat         string        // LOG_FORMAT: "text" (default) or "json"
	Limits            Limits        // RATE_LIMIT_PER_SECOND, RATE_LIMIT_BURST, RATE_LIMIT_HEAVY_COST, CONCURRENCY_LIMIT, TRUSTED_PROXIES
	ShutdownTimeout   time.Duration // SHUTDOWN_TIMEOUT (default 20s)

	// MaxImageDecodeBytes is MAX_IMAGE_DECODE_BYTES: the memory decoding
	// one uploaded image may take, worked out from its header before it is
	// decoded (default 96 MiB, upload.DefaultMaxImageDecodeBytes).
	MaxImageDecodeBytes int64

	// Statutory clocks and notices.
	Clock           clock.Settings // DEADLINE_TRIGGER_DAY_COUNTS, DEADLINE_INSET_DAYS_COUNT, DEADLINE_CLOSURES_COUNT, DEADLINE_WEEKS_END_DAY_BEFORE, DEADLINE_OVERRIDES
	NoticeOffsets   []int          // NOTICE_OFFSETS (default -10,-3,0,1)
	NoticeScanEvery time.Duration  // NOTICE_SCAN_EVERY (default 10m)
	WebhookTimeout  time.Duration  // WEBHOOK_TIMEOUT (default 10s)
	NoticeLink      string         // NOTICE_LINK: a front-end URL with {deadline}, e.g. https://app.example/deadlines/{deadline}
	Mail            notify.MailConfig

	// Invitations to advocates (issue 17): INVITATION_EXPIRY (default
	// 336h, 14 days) and INVITATION_LINK, a front-end URL with {token},
	// e.g. https://app.example/invitations/accept?token={token} (empty:
	// the email gives the token to paste). They are sent through Mail.
	InvitationExpiry time.Duration
	InvitationLink   string

	// Webhooks is where webhooks may go: WEBHOOK_ALLOW_HTTP (default
	// false: https only) and WEBHOOK_ALLOWLIST (internal receivers; by
	// default only public addresses are reached).
	Webhooks notify.Destinations

	// BundleSections are the sections a new case's bundle starts with:
	// BUNDLE_SECTIONS names a JSON file in the format of
	// service/bundle_sections.json (default: those built in).
	BundleSections service.BundleDefaults
	// RightsContacts are who the rights and contacts page of each plan
	// and decision names, per local authority: RIGHTS_CONTACTS names a
	// JSON file in the format of service/rights_contacts.json, read over
	// the built-in one (nil: the built-in one).
	RightsContacts *service.RightsContacts

	// BankHolidays are the England and Wales bank holidays of the file
	// BANK_HOLIDAYS_FILE names (BankHolidaysFile), in the format GOV.UK
	// publishes at https://www.gov.uk/bank-holidays.json; nil when it is
	// unset. Open puts them in use over the shipped ones, year by year
	// (calendar.UseBankHolidays).
	BankHolidays     []calendar.BankHoliday
	BankHolidaysFile string

	// OverrideRoles are the staff roles that may finalise a plan over
	// error-level quality findings, besides LA officers:
	// QUALITY_OVERRIDE_ROLES, comma-separated (default ALNCo).
	OverrideRoles []string

	// CORSAllowedOrigins is CORS_ALLOWED_ORIGINS: other origins whose pages
	// may call the API and open websockets from a browser, comma-separated
	// (see server.ParseAllowedOrigins); default none (same origin only),
	// dev http://localhost:*, http://127.0.0.1:* and http://[::1]:*.
	CORSAllowedOrigins []string

	// MetricsAddr is METRICS_ADDR: a listener of its own for /metrics (API
	// and worker; default off; dev 127.0.0.1:8082). MetricsToken is
	// METRICS_TOKEN: /metrics also on the API's own address, to requests
	// bearing it; on METRICS_ADDR too when set.
	MetricsAddr  string
	MetricsToken string
	// EmbeddedOwnerWait is EMBEDDED_DB_OWNER_WAIT (default 30s): how long
	// a process waits for the owner of the embedded data directory to
	// answer, or for it to be free (mongodb.Config.OwnerWait).
	EmbeddedOwnerWait time.Duration
	// Tracing is whether traces are exported over OTLP, from the standard
	// OpenTelemetry variables (OTEL_TRACES_EXPORTER,
	// OTEL_EXPORTER_OTLP_ENDPOINT, …; tracing.FromEnv): off by default.
	Tracing tracing.Config

	// NoticeEmailUncertain is NOTICE_EMAIL_UNCERTAIN, resend (default) or
	// hold: what is done with an email notice whose worker stopped after
	// it may have left (worker.UncertainPolicy).
	NoticeEmailUncertain worker.UncertainPolicy
	// QueueDashboard is QUEUE_DASHBOARD (default true): the API serves the
	// read-only queue dashboard (asynqmon) at /admin/queues to
	// administrators.
	QueueDashboard bool

	// Retention (domain.md §7: a rule per controller, unconfirmed for
	// Wales, so configuration): RETENTION_DEFAULT (default dob+31y) and
	// RETENTION_CONTROLLERS (ORG_ID=RULE,…) make Retention;
	// RETENTION_SCAN_EVERY (default 24h) and RETENTION_SCAN_BATCH
	// (learners read per scan, default 2000) pace the worker's scan.
	Retention          cynllun.RetentionPolicy
	RetentionScanEvery time.Duration
	RetentionScanBatch int
}

// FromEnv reads Config from getenv. dev selects dev-mode defaults.
func FromEnv(getenv func(string) string, dev bool) (Config, error) {
	c := Config{
		HTTPAddr:          or(getenv("HTTP_ADDR"), ifs(dev, "127.0.0.1:8080", ":8080")),
		MongoURI:          getenv("MONGODB_URI"),
		MongoDatabase:     or(getenv("MONGODB_DATABASE"), "cynllun"),
		DataDir:           or(getenv("CYNLLUN_DATA_DIR"), "data"),
		WorkDir:           getenv("CYNLLUN_WORK_DIR"),
		RedisURL:          getenv("REDIS_URL"),
		JWTSecret:         getenv("JWT_SECRET"),
		JWKSURL:           getenv("JWT_JWKS_URL"),
		JWTIssuer:         getenv("JWT_ISSUER"),
		JWTAudience:       getenv("JWT_AUDIENCE"),
		WorkerHealthAddr:  or(getenv("WORKER_HEALTH_ADDR"), ":8081"),
		MetricsAddr:       or(getenv("METRICS_ADDR"), ifs(dev, "127.0.0.1:8082", "")),
		MetricsToken:      getenv("METRICS_TOKEN"),
		FileURLSecret:     getenv("FILE_URL_SECRET"),
		PublicURL:         strings.TrimRight(getenv("PUBLIC_URL"), "/"),
		WorkerConcurrency: runtime.NumCPU(),
		ShutdownTimeout:   20 * time.Second,
	}
	var errs []error
	boolean := func(name string, def bool) bool {
		v := getenv(name)
		if v == "" {
			return def
		}
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: want true or false", name))
		}
		return b
	}
	integer := func(name string, def int) int {
		v := getenv(name)
		if v == "" {
			return def
		}
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			errs = append(errs, fmt.Errorf("%s: want a positive whole number", name))
		}
		return n
	}
	c.Introspection = boolean("GRAPHQL_INTROSPECTION", dev)
	c.Playground = boolean("GRAPHQL_PLAYGROUND", dev)
	if origins, err := server.ParseAllowedOrigins(or(getenv("CORS_ALLOWED_ORIGINS"), ifs(dev, devOrigins, ""))); err != nil {
		errs = append(errs, fmt.Errorf("CORS_ALLOWED_ORIGINS: %w", err))
	} else {
		c.CORSAllowedOrigins = origins
	}
	c.MaxBodyBytes = int64(integer("MAX_BODY_BYTES", 1<<20))
	c.MaxUploadBytes = int64(integer("MAX_UPLOAD_BYTES", 20<<20))
	c.MaxImageDecodeBytes = int64(integer("MAX_IMAGE_DECODE_BYTES", upload.DefaultMaxImageDecodeBytes))
	c.MaxComplexity = integer("GRAPHQL_MAX_COMPLEXITY", 10000)
	c.MaxDepth = integer("GRAPHQL_MAX_DEPTH", 12)
	c.MaxQueryBytes = integer("GRAPHQL_MAX_QUERY_BYTES", 64<<10)
	c.MaxTokens = integer("GRAPHQL_MAX_TOKENS", 5000)
	c.MaxFields = integer("GRAPHQL_MAX_FIELDS", 1000)
	c.MaxAliases = integer("GRAPHQL_MAX_ALIASES", 100)
	c.MaxDuplicateFields = integer("GRAPHQL_MAX_DUPLICATE_FIELDS", 20)
	c.MaxMutations = integer("GRAPHQL_MAX_MUTATIONS", 10)
	if path := getenv("GRAPHQL_TRUSTED_DOCUMENTS"); path != "" {
		docs, err := server.LoadTrustedDocuments(path)
		if err != nil {
			errs = append(errs, fmt.Errorf("GRAPHQL_TRUSTED_DOCUMENTS: %w", err))
		}
		c.TrustedDocuments = docs
	}
	c.Suggestions = boolean("GRAPHQL_SUGGESTIONS", dev)
	c.WorkerConcurrency = integer("WORKER_CONCURRENCY", runtime.NumCPU())
	c.Limits, errs = limitsFromEnv(getenv, errs)
	if v := getenv("SHUTDOWN_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			errs = append(errs, errors.New("SHUTDOWN_TIMEOUT: want a duration such as 20s"))
		}
		c.ShutdownTimeout = d
	}
	switch c.EmbeddedSync = or(getenv("EMBEDDED_DB_SYNC"), "normal"); c.EmbeddedSync {
	case "normal", "full":
	default:
		errs = append(errs, errors.New("EMBEDDED_DB_SYNC: want normal or full"))
	}
	switch c.LogFormat = or(getenv("LOG_FORMAT"), "text"); c.LogFormat {
	case "text", "json":
	default:
		errs = append(errs, errors.New("LOG_FORMAT: want text or json"))
	}
	if v := getenv("LOG_LEVEL"); v != "" {
		if err := c.LogLevel.UnmarshalText([]byte(v)); err != nil {
			errs = append(errs, errors.New("LOG_LEVEL: want debug, info, warn or error"))
		}
	}
	duration := func(name string, def time.Duration) time.Duration {
		v := getenv(name)
		if v == "" {
			return def
		}
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			errs = append(errs, fmt.Errorf("%s: want a duration such as 10m", name))
		}
		return d
	}
	c.EmbeddedOwnerWait = duration("EMBEDDED_DB_OWNER_WAIT", mongodb.DefaultOwnerWait)
	if tc, err := tracing.FromEnv(getenv); err != nil {
		errs = append(errs, err)
	} else {
		c.Tracing = tc
	}
	c.Retention = cynllun.DefaultRetentionPolicy()
	if v := getenv("RETENTION_DEFAULT"); v != "" {
		r, err := cynllun.ParseRetentionRule(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("RETENTION_DEFAULT: %w", err))
		}
		c.Retention.Default = r
	}
	if v := getenv("RETENTION_CONTROLLERS"); v != "" {
		rs, err := cynllun.ParseRetentionControllers(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("RETENTION_CONTROLLERS: %w", err))
		}
		c.Retention.Controllers = rs
	}
	c.RetentionScanEvery = duration("RETENTION_SCAN_EVERY", 24*time.Hour)
	c.RetentionScanBatch = integer("RETENTION_SCAN_BATCH", 2000)
	c.Clock = clock.DefaultSettings()
	// The defaults follow the statutory wording "beginning with the day on
	// which", which counts that day (domain.md §2.6); false gives the
	// later reading.
	c.Clock.TriggerDayNotCounted = !boolean("DEADLINE_TRIGGER_DAY_COUNTS", true)
	c.Clock.InsetDaysCount = boolean("DEADLINE_INSET_DAYS_COUNT", false)
	c.Clock.ClosuresCount = boolean("DEADLINE_CLOSURES_COUNT", false)
	c.Clock.WeeksEndSameWeekday = !boolean("DEADLINE_WEEKS_END_DAY_BEFORE", true)
	if v := getenv("DEADLINE_OVERRIDES"); v != "" {
		ov, err := parseOverrides(v)
		if err != nil {
			errs = append(errs, err)
		}
		c.Clock.Overrides = ov
	}
	if err := c.Clock.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("DEADLINE_OVERRIDES: %w", err))
	}
	c.OverrideRoles = service.DefaultOverrideRoles
	if v := getenv("QUALITY_OVERRIDE_ROLES"); v != "" {
		c.OverrideRoles = nil
		for _, r := range strings.Split(v, ",") {
			if r = strings.TrimSpace(r); r != "" {
				c.OverrideRoles = append(c.OverrideRoles, r)
			}
		}
		if len(c.OverrideRoles) == 0 {
			errs = append(errs, errors.New("QUALITY_OVERRIDE_ROLES: name at least one staff role"))
		}
	}
	c.BundleSections = service.DefaultBundleSections()
	if v := getenv("BUNDLE_SECTIONS"); v != "" {
		data, err := os.ReadFile(v)
		if err == nil {
			c.BundleSections, err = service.LoadBundleDefaults(data)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("BUNDLE_SECTIONS: %w", err))
		}
	}
	if v := getenv("RIGHTS_CONTACTS"); v != "" {
		data, err := os.ReadFile(v)
		if err == nil {
			c.RightsContacts, err = service.LoadRightsContacts(data, service.DefaultRightsContacts())
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("RIGHTS_CONTACTS: %w", err))
		}
	}
	if path := getenv("BANK_HOLIDAYS_FILE"); path != "" {
		hs, err := readBankHolidays(path)
		if err != nil {
			errs = append(errs, fmt.Errorf("BANK_HOLIDAYS_FILE: %s: %w", path, err))
		}
		c.BankHolidays, c.BankHolidaysFile = hs, path
	}
	c.NoticeOffsets = []int{-10, -3, 0, 1}
	if v := getenv("NOTICE_OFFSETS"); v != "" {
		c.NoticeOffsets = nil
		for _, f := range strings.Split(v, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < -60 || n > 60 {
				errs = append(errs, errors.New("NOTICE_OFFSETS: want whole numbers of days from -60 to 60, e.g. -10,-3,0,1"))
				break
			}
			c.NoticeOffsets = append(c.NoticeOffsets, n)
		}
	}
	c.NoticeScanEvery = duration("NOTICE_SCAN_EVERY", 10*time.Minute)
	c.WebhookTimeout = duration("WEBHOOK_TIMEOUT", 10*time.Second)
	c.Webhooks.AllowHTTP = boolean("WEBHOOK_ALLOW_HTTP", false)
	if al, err := notify.ParseAllowlist(getenv("WEBHOOK_ALLOWLIST")); err != nil {
		errs = append(errs, fmt.Errorf("WEBHOOK_ALLOWLIST: %w", err))
	} else {
		c.Webhooks.Allow = al
	}
	c.RequestTimeout = duration("REQUEST_TIMEOUT", 30*time.Second)
	c.UploadTimeout = duration("UPLOAD_TIMEOUT", 2*time.Minute)
	c.NoticeLink = getenv("NOTICE_LINK")
	c.QueueDashboard = boolean("QUEUE_DASHBOARD", true)
	if p, ok := worker.ParseUncertainPolicy(getenv("NOTICE_EMAIL_UNCERTAIN")); ok {
		c.NoticeEmailUncertain = p
	} else {
		errs = append(errs, errors.New("NOTICE_EMAIL_UNCERTAIN: want resend or hold"))
	}
	c.InvitationExpiry = duration("INVITATION_EXPIRY", 14*24*time.Hour)
	if c.InvitationExpiry < time.Hour || c.InvitationExpiry > 90*24*time.Hour {
		errs = append(errs, errors.New("INVITATION_EXPIRY: want a duration from 1h to 2160h (90 days), e.g. 336h"))
	}
	c.InvitationLink = getenv("INVITATION_LINK")
	c.Mail = notify.MailConfig{
		Host: getenv("SMTP_HOST"), Port: integer("SMTP_PORT", 587), Username: getenv("SMTP_USERNAME"), Password: getenv("SMTP_PASSWORD"),
		From: getenv("SMTP_FROM"), TLS: or(getenv("SMTP_TLS"), "starttls"), Timeout: duration("SMTP_TIMEOUT", 30*time.Second),
	}
	if c.JWTSecret != "" && len(c.JWTSecret) < 32 {
		errs = append(errs, errors.New("JWT_SECRET: must be at least 32 bytes"))
	}
	if c.FileURLSecret != "" && len(c.FileURLSecret) < 32 {
		errs = append(errs, errors.New("FILE_URL_SECRET: must be at least 32 bytes"))
	}
	if !dev && c.RedisURL == "" {
		c.RedisURL = "redis://127.0.0.1:6379/0"
	}
	return c, errors.Join(errs...)
}

// devOrigins are the origins dev mode allows by default: front-ends under
// development on this machine, whatever their port.
const devOrigins = "http://localhost:*,http://127.0.0.1:*,http://[::1]:*"

// Limits are the per-principal fair-sharing limits of the API (see
// server.Limits).
type Limits struct {
	PerSecond      int            // RATE_LIMIT_PER_SECOND: requests per second per user or client address (default 20; 0 off)
	Burst          int            // RATE_LIMIT_BURST: requests at once after a quiet spell (default 3 × the rate)
	HeavyCost      int            // RATE_LIMIT_HEAVY_COST: extra cost of each render, upload or calendar import (default 10)
	Concurrent     int            // CONCURRENCY_LIMIT: requests of one user or address running at once (default 4; 0 off)
	TrustedProxies []netip.Prefix // TRUSTED_PROXIES: reverse proxies whose X-Forwarded-For is believed (addresses or CIDR blocks)
}

func limitsFromEnv(getenv func(string) string, errs []error) (Limits, []error) {
	l := Limits{PerSecond: 20, HeavyCost: 10, Concurrent: 4}
	whole := func(name string, dst *int) {
		v := getenv(name)
		if v == "" {
			return
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			errs = append(errs, fmt.Errorf("%s: want a whole number (0 turns it off)", name))
			return
		}
		*dst = n
	}
	whole("RATE_LIMIT_PER_SECOND", &l.PerSecond)
	whole("RATE_LIMIT_BURST", &l.Burst)
	whole("RATE_LIMIT_HEAVY_COST", &l.HeavyCost)
	whole("CONCURRENCY_LIMIT", &l.Concurrent)
	if l.Burst == 0 {
		l.Burst = 3 * l.PerSecond
	}
	if l.HeavyCost == 0 {
		l.HeavyCost = 10
	}
	for _, f := range strings.Split(getenv("TRUSTED_PROXIES"), ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			a, aerr := netip.ParseAddr(f)
			if aerr != nil {
				errs = append(errs, errors.New("TRUSTED_PROXIES: want addresses or CIDR blocks, comma-separated, e.g. 10.0.0.0/8,192.0.2.7"))
				continue
			}
			p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
		}
		l.TrustedProxies = append(l.TrustedProxies, p.Masked())
	}
	return l, errs
}

// parseOverrides reads "T6=7:WEEKS,T9=15:SCHOOL_DAYS": time limits a
// deployment sets for rules whose limit is not confirmed.
func parseOverrides(v string) (map[string]clock.Override, error) {
	out := map[string]clock.Override{}
	for _, f := range strings.Split(v, ",") {
		id, spec, ok1 := strings.Cut(strings.TrimSpace(f), "=")
		amount, unit, ok2 := strings.Cut(spec, ":")
		n, err := strconv.Atoi(amount)
		if !ok1 || !ok2 || err != nil {
			return nil, errors.New("DEADLINE_OVERRIDES: want RULE=AMOUNT:UNIT, e.g. T9=15:SCHOOL_DAYS")
		}
		out[strings.TrimSpace(id)] = clock.Override{Amount: n, Unit: clock.Unit(strings.TrimSpace(unit)), Basis: "deployment setting DEADLINE_OVERRIDES"}
	}
	return out, nil
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func ifs(cond bool, a, b string) string {
	if cond {
		return a
	}
	return b
}

// devSecret returns the dev-mode HS256 secret kept in the data directory,
// creating it on first use, so `cynllun token` and `cynllun dev` agree.
func devSecret(dataDir string) (string, error) {
	path := filepath.Join(dataDir, "dev-jwt-secret")
	if b, err := os.ReadFile(path); err == nil && len(strings.TrimSpace(string(b))) >= 32 {
		return strings.TrimSpace(string(b)), nil
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return "", err
	}
	s := randomHex(32)
	if err := os.WriteFile(path, []byte(s+"\n"), 0o600); err != nil {
		return "", err
	}
	return s, nil
}

// NewLogger returns the programs' logger writing to w: slog's text handler,
// or its JSON handler (one object a line) with LOG_FORMAT=json, at
// LOG_LEVEL. A line logged with a request's or a task's context carries
// its requestId, and within a trace its traceId and spanId
// (tracing.LogHandler).
func (c Config) NewLogger(w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	if c.LogFormat == "json" {
		return slog.New(tracing.LogHandler(slog.NewJSONHandler(w, opts)))
	}
	return slog.New(tracing.LogHandler(slog.NewTextHandler(w, opts)))
}
