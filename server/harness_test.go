package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.opentelemetry.io/otel/trace"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/auth"
	"github.com/cynllun/cynllun/events"
	"github.com/cynllun/cynllun/generation"
	"github.com/cynllun/cynllun/internal/metrics"
	"github.com/cynllun/cynllun/internal/redistest"
	"github.com/cynllun/cynllun/internal/tracing"
	"github.com/cynllun/cynllun/mongodb"
	"github.com/cynllun/cynllun/seed"
	"github.com/cynllun/cynllun/server"
	"github.com/cynllun/cynllun/service"
	"github.com/cynllun/cynllun/worker"
)

var secret = []byte("test-secret-test-secret-test-secret-0123")

// metricsToken guards the test server's /metrics.
const metricsToken = "test-metrics-token"

// clock is a settable clock shared by the service under test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// env is the real program in one test: embedded FerretDB, real Redis, the
// real HTTP handler on a loopback port.
type env struct {
	t        testing.TB
	db       *mongodb.DB
	rdb      *redis.Client
	bus      *events.Bus
	svc      *service.Service
	handler  http.Handler
	srv      *httptest.Server
	clock    *clock
	counting atomic.Bool
	commands atomic.Int64
	scans    atomic.Int64 // reads that are not a find by _id
	namesMu  sync.Mutex
	names    []string // "command collection" in the order sent while counting
	metrics  *metrics.Metrics
}

func newEnv(t testing.TB) *env {
	t.Helper()
	return newEnvOn(t, redistest.Start(t))
}

// newEnvOn is newEnv on the Redis server at redisURL.
func newEnvOn(t testing.TB, redisURL string) *env {
	t.Helper()
	return newEnvWith(t, redisURL)
}

// newEnvWith is newEnvOn with more service options (e.g. an invitation
// mailer).
func newEnvWith(t testing.TB, redisURL string, extra ...service.Option) *env {
	t.Helper()
	return newEnvFull(t, redisURL, envExtras{}, extra...)
}

// envExtras change newEnvFull's environment: a tracer provider for the
// database and the handler, and the handler's logger.
type envExtras struct {
	tracing trace.TracerProvider
	log     *slog.Logger
}

// newEnvFull is newEnvWith with extras.
func newEnvFull(t testing.TB, redisURL string, x envExtras, extra ...service.Option) *env {
	t.Helper()
	ctx := context.Background()
	e := &env{t: t, clock: &clock{t: time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)}, metrics: metrics.New()}
	mon := &event.CommandMonitor{Started: func(_ context.Context, ev *event.CommandStartedEvent) {
		if !e.counting.Load() {
			return
		}
		switch ev.CommandName {
		case "endSessions", "hello", "isMaster", "ismaster", "ping":
			return
		}
		e.commands.Add(1)
		coll, _ := ev.Command.Lookup(ev.CommandName).StringValueOK()
		e.namesMu.Lock()
		e.names = append(e.names, ev.CommandName+" "+coll)
		e.namesMu.Unlock()
		switch ev.CommandName {
		case "find", "aggregate", "count", "distinct":
			if !byIDFind(ev) {
				e.scans.Add(1)
			}
		}
	}}
	opts, err := redis.ParseURL(redisURL)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opts)
	t.Cleanup(func() { _ = rdb.Close() })
	// Each environment's database is its own, so its access cache gets a
	// generation of its own on the shared Redis.
	db, err := mongodb.Open(ctx, mongodb.Config{Monitor: e.metrics.CommandMonitor(tracing.CommandMonitor(x.tracing, mon)), Generation: generation.New(rdb, cynllun.NewID("test"), "access")})
	if err != nil {
		t.Fatalf("open embedded database: %v", err)
	}
	t.Cleanup(func() { _ = db.Close(context.Background()) })
	e.db = db
	bus := events.New(rdb)
	e.rdb, e.bus = rdb, bus
	links, err := auth.NewFileLinks(secret, "")
	if err != nil {
		t.Fatal(err)
	}
	e.svc = service.New(db, append([]service.Option{service.WithClock(e.clock.Now), service.WithPublisher(bus),
		service.WithJobQueue(worker.NewClient(rdb).WithTracing(x.tracing)), service.WithURLSigner(links), service.WithWebhookDestinations(loopbackReceivers)}, extra...)...)
	v, err := auth.NewVerifier(ctx, auth.Config{HS256Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	ready := func(ctx context.Context) error {
		if err := db.Ping(ctx); err != nil {
			return err
		}
		return bus.Ping(ctx)
	}
	log := x.log
	if log == nil {
		log = slog.New(catalogueGuard(t))
	}
	e.handler = server.New(e.svc, v, ready, log, server.Config{Introspection: true, MaxBodyBytes: 256 << 10, FileLinks: links,
		Metrics: e.metrics, MetricsToken: metricsToken, Tracing: x.tracing})
	e.srv = httptest.NewServer(e.handler)
	t.Cleanup(e.srv.Close)
	if err := seed.Reference(ctx, db, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	return e
}

// startWorker runs the task worker until the test ends. Tests that start a
// worker use newEnvOn(t, redistest.StartOwn(t)): a shared server (REDIS_URL)
// would hand their tasks to other packages' workers.
func (e *env) startWorker() {
	w := worker.New(e.rdb, worker.Config{Concurrency: 2, RetryBase: 50 * time.Millisecond, ReconcileEvery: -1, ShutdownTimeout: 5 * time.Second, Metrics: e.metrics})
	h := worker.NewRenderHandler(e.db, e.bus, nil)
	w.Handle(worker.TypeRenderPlan, h)
	w.Handle(worker.TypeRenderMeeting, h)
	w.Handle(worker.TypeRenderBundle, h)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = w.Run(ctx) }()
	e.t.Cleanup(func() { cancel(); <-done })
}

// token mints a token valid for an hour of real time (the verifier uses the
// real clock; the service's clock only drives access rules).
func (e *env) token(userID string) string {
	tok, err := auth.Mint(secret, "", "", userID, time.Hour, time.Now())
	if err != nil {
		e.t.Fatal(err)
	}
	return tok
}

type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

type response struct {
	Status int
	Data   map[string]any
	Errors []gqlError
	raw    []byte
	header http.Header
}

func (r response) code() string {
	if len(r.Errors) == 0 {
		return "OK"
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

// get walks a path of map keys and list indexes in the data.
func (r response) get(path ...any) any {
	var cur any = r.Data
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := cur.(map[string]any)
			cur = m[k]
		case int:
			l, _ := cur.([]any)
			if k >= len(l) {
				return nil
			}
			cur = l[k]
		}
	}
	return cur
}

func (r response) str(path ...any) string {
	s, _ := r.get(path...).(string)
	return s
}

// post sends a raw body.
func (e *env) post(token string, body []byte) response {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+"/graphql", bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	return e.send(token, req)
}

// send sends a GraphQL request and decodes the response.
func (e *env) send(token string, req *http.Request) response {
	e.t.Helper()
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out struct {
		Data   map[string]any `json:"data"`
		Errors []gqlError     `json:"errors"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		e.t.Fatalf("response is not JSON (%d): %s", resp.StatusCode, raw)
	}
	return response{Status: resp.StatusCode, Data: out.Data, Errors: out.Errors, raw: raw, header: resp.Header}
}

func (e *env) do(token, query string, vars map[string]any) response {
	e.t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		e.t.Fatal(err)
	}
	return e.post(token, body)
}

// must runs a query that has to succeed.
func (e *env) must(token, query string, vars map[string]any) response {
	e.t.Helper()
	r := e.do(token, query, vars)
	if len(r.Errors) > 0 {
		e.t.Fatalf("unexpected errors: %s", r.raw)
	}
	return r
}

// byIDFind says whether a command is a find whose filter is a single _id
// equality: the one read the embedded database answers without reading the
// whole collection.
func byIDFind(ev *event.CommandStartedEvent) bool {
	if ev.CommandName != "find" {
		return false
	}
	f, ok := ev.Command.Lookup("filter").DocumentOK()
	if !ok {
		return false
	}
	elems, err := f.Elements()
	return err == nil && len(elems) == 1 && elems[0].Key() == "_id"
}

// count runs f and returns how many database commands it caused; e.scans
// then holds how many of them were reads other than a find by _id.
func (e *env) count(f func()) (int64, []string) {
	e.namesMu.Lock()
	e.names = nil
	e.namesMu.Unlock()
	e.scans.Store(0)
	e.commands.Store(0)
	e.counting.Store(true)
	f()
	e.counting.Store(false)
	e.namesMu.Lock()
	defer e.namesMu.Unlock()
	return e.commands.Load(), slices.Clone(e.names)
}

// Fixture ids.
const (
	cardiff = "org_la_W06000015"
	swansea = "org_la_W06000011"
)

// fixture is a small world: two schools in two LAs, learners and people
// with every kind of relationship.
type fixture struct {
	schoolA, schoolB                                  string
	alnco, staffB, officer, officerB, parent, parent2 string
	youngPerson, advocate, advocateExpired, admin     string
	stranger                                          string
	l1, l2, l3                                        string // l1 at school A (Cardiff), l2 at school B (Swansea), l3 young person (Cardiff, no setting)
	plan1                                             string
}

func (e *env) fixture() *fixture {
	e.t.Helper()
	ctx := context.Background()
	now := e.clock.Now()
	f := &fixture{
		schoolA: "org_school_a", schoolB: "org_school_b",
		alnco: "usr_alnco", staffB: "usr_staff_b", officer: "usr_officer", officerB: "usr_officer_b",
		parent: "usr_parent", parent2: "usr_parent2", youngPerson: "usr_yp", advocate: "usr_advocate",
		advocateExpired: "usr_advocate_old", admin: "usr_admin", stranger: "usr_stranger",
		l1: "lrn_one", l2: "lrn_two", l3: "lrn_three",
	}
	st := e.db
	check := func(err error) {
		e.t.Helper()
		if err != nil {
			e.t.Fatal(err)
		}
	}
	check(st.CreateOrganisation(ctx, &cynllun.Organisation{ID: f.schoolA, Kind: cynllun.OrgSchool, Name: "Ysgol Pen-y-Garth", LAID: cardiff, CreatedAt: now}))
	check(st.CreateOrganisation(ctx, &cynllun.Organisation{ID: f.schoolB, Kind: cynllun.OrgSchool, Name: "Ysgol Bryn Tawe", LAID: swansea, CreatedAt: now}))
	for _, id := range []string{f.alnco, f.staffB, f.officer, f.officerB, f.parent, f.parent2, f.youngPerson, f.advocate, f.advocateExpired, f.admin, f.stranger} {
		check(st.UpsertUser(ctx, &cynllun.User{ID: id, Name: "User " + id, Email: id + "@example.invalid", Admin: id == f.admin, CreatedAt: now}))
	}
	dob := func(years int) cynllun.Date { return cynllun.DateOf(now.AddDate(-years, -1, 0)) }
	check(st.CreateLearner(ctx, &cynllun.Learner{ID: f.l1, GivenName: "Siôn", FamilyName: "Llŷr", DateOfBirth: dob(9), Language: cynllun.LanguageCY, LAID: cardiff, SettingKind: cynllun.SettingSchool, SettingID: f.schoolA, CreatedAt: now, UpdatedAt: now}))
	check(st.CreateLearner(ctx, &cynllun.Learner{ID: f.l2, GivenName: "Gwenllïan", FamilyName: "Ŵyn", DateOfBirth: dob(12), Language: cynllun.LanguageCY, LAID: swansea, SettingKind: cynllun.SettingSchool, SettingID: f.schoolB, CreatedAt: now, UpdatedAt: now}))
	check(st.CreateLearner(ctx, &cynllun.Learner{ID: f.l3, GivenName: "Llinos", FamilyName: "Âp", DateOfBirth: dob(19), Language: cynllun.LanguageEN, LAID: cardiff, SettingKind: cynllun.SettingNone, CreatedAt: now, UpdatedAt: now}))
	rels := []cynllun.Relationship{
		{UserID: f.alnco, Kind: cynllun.RelStaffOf, OrgID: f.schoolA, StaffRole: "ALNCo"},
		{UserID: f.staffB, Kind: cynllun.RelStaffOf, OrgID: f.schoolB, StaffRole: "ALNCo"},
		{UserID: f.officer, Kind: cynllun.RelOfficerOf, OrgID: cardiff},
		{UserID: f.officerB, Kind: cynllun.RelOfficerOf, OrgID: swansea},
		{UserID: f.parent, Kind: cynllun.RelParentOf, LearnerID: f.l1},
		{UserID: f.parent2, Kind: cynllun.RelParentOf, LearnerID: f.l2},
		{UserID: f.youngPerson, Kind: cynllun.RelSelf, LearnerID: f.l3},
		{UserID: f.advocate, Kind: cynllun.RelAdvocateOf, LearnerID: f.l1, ConsentBy: f.parent, EndsAt: now.Add(30 * 24 * time.Hour)},
		{UserID: f.advocateExpired, Kind: cynllun.RelAdvocateOf, LearnerID: f.l1, ConsentBy: f.parent, EndsAt: now.Add(-time.Hour)},
	}
	for i := range rels {
		rels[i].ID = cynllun.NewID(cynllun.PrefixRelationship)
		rels[i].CreatedAt = now
		check(st.CreateRelationship(ctx, &rels[i]))
	}
	r := e.must(e.token(f.alnco), `mutation($in: CreatePlanInput!) { createPlan(input: $in) { plan { id } } }`, map[string]any{
		"in": map[string]any{"learnerId": f.l1, "maintainerId": f.schoolA, "content": sampleContent("30 minutes of 1:1 speech and language therapy weekly")},
	})
	f.plan1 = r.str("createPlan", "plan", "id")
	return f
}

func sampleContent(provision string) map[string]any {
	return map[string]any{
		"consent": map[string]any{"consentGiven": true, "consentDetails": "Rhoddwyd caniatâd gan y rhiant."},
		"profile": map[string]any{
			"importantToMe":  []any{map[string]any{"text": "Dw i'n hoffi pêl-droed a'm ci, Mabon.", "directQuote": true}},
			"likeAndAdmire":  []any{map[string]any{"text": "Kind and funny."}},
			"howToSupportMe": []any{map[string]any{"text": "Give me time to answer.", "directQuote": true}},
		},
		"needs": []any{map[string]any{"description": "Speech, language and communication needs", "impactOnLearning": "Finds long spoken instructions hard to follow."}},
		"provision": []any{map[string]any{
			"id": "row_salt", "intendedOutcome": "Follow two-step instructions by July", "provision": provision,
			"welshMedium": true, "provider": "Bwrdd Iechyd Prifysgol Caerdydd a'r Fro", "providerType": "NHS_BODY",
			"startDate": "2026-09-07", "reviewOrEndDate": "2027-07-16", "dateKind": "REVIEW",
			"rationale": "SaLT assessment", "nhsSecured": true, "nhsBody": "Cardiff and Vale University Health Board",
			"quantity": map[string]any{"minutesPerSession": 30, "sessions": 1, "per": "WEEK", "groupSize": 1},
		}},
		"meetingSummary": "Cyfarfod wedi'i gynnal gyda Siôn a'i fam.",
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if strings.Contains(x, s) {
			return true
		}
	}
	return false
}

// catalogueGuard is the log of the server under test: it fails the test
// when an error's message reached a client that the catalogue does not
// hold (graph logs "message not in the catalogue"), so every error the
// server tests provoke is checked for its Welsh too. It reports at the
// test's end: requests may finish after the test's own code.
func catalogueGuard(t testing.TB) slog.Handler {
	g := &guardHandler{}
	t.Cleanup(func() {
		g.mu.Lock()
		defer g.mu.Unlock()
		for _, m := range g.missing {
			t.Errorf("a message not in the catalogue (locale) reached a client: %q", m)
		}
	})
	return g
}

type guardHandler struct {
	mu      sync.Mutex
	missing []string
}

func (g *guardHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelWarn }
func (g *guardHandler) WithAttrs([]slog.Attr) slog.Handler           { return g }
func (g *guardHandler) WithGroup(string) slog.Handler                { return g }

func (g *guardHandler) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "message not in the catalogue" {
		return nil
	}
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "message" {
			g.mu.Lock()
			g.missing = append(g.missing, a.Value.String())
			g.mu.Unlock()
		}
		return true
	})
	return nil
}
