// Command scalebench measures whether Cynllun's hot paths stay flat as the
// data grows (issue 13). On the embedded database (FerretDB on SQLite, the
// zero-setup default) it grows one database to each size in -sizes with
// `seed.Synthetic` (learners 0..N-1 are the same at every size) and times,
// at each size, every hot operation -samples times: authentication, a page
// of learners with their current plans, one plan with its content, saving a
// version, an organisation's deadlines, writing and reading a file, and
// loading what a render job renders. It prints p50 and p95 per operation
// and size, and the ratio of the p50 at the largest size to that at the
// smallest (target ≤ 2.0; p50 at 10,000 learners under 50 ms).
//
//	go run -tags ferretdb_no_postgresql ./cmd/scalebench -sizes 10,1000,10000
//
// (`make bench-scale`). With MONGODB_URI set it measures that deployment
// instead, in a database of its own that it drops at the end. The access
// cache runs as in serve and worker, on REDIS_URL or, unset, on an
// in-process Redis (miniredis, as dev mode does).
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
	"go.mongodb.org/mongo-driver/v2/event"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/auth"
	"github.com/cynllun/cynllun/generation"
	"github.com/cynllun/cynllun/mongodb"
	"github.com/cynllun/cynllun/seed"
	"github.com/cynllun/cynllun/server"
	"github.com/cynllun/cynllun/service"
)

func main() {
	sizes := flag.String("sizes", "10,1000,10000", "learner counts to grow the database to, ascending")
	samples := flag.Int("samples", 40, "timed runs of each operation at each size")
	dir := flag.String("dir", "", "embedded data directory (default: a temporary one, removed at the end)")
	flag.BoolVar(&trace, "trace", false, "print each database command of a timed operation that is not a find by _id")
	flag.Parse()
	var ns []int
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 || (len(ns) > 0 && n <= ns[len(ns)-1]) {
			fmt.Fprintln(os.Stderr, "scalebench: -sizes takes ascending whole numbers, e.g. 10,1000,10000")
			os.Exit(2)
		}
		ns = append(ns, n)
	}
	if err := run(context.Background(), ns, *samples, *dir); err != nil {
		fmt.Fprintln(os.Stderr, "scalebench:", err)
		os.Exit(1)
	}
}

// op is one timed operation; it fails the run when it returns an error.
type op struct {
	name string
	run  func(ctx context.Context) error
}

func run(ctx context.Context, sizes []int, samples int, dir string) error {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	cfg := mongodb.Config{URI: os.Getenv("MONGODB_URI"), DataDir: dir, Logger: log, Monitor: monitor()}
	if cfg.URI != "" {
		cfg.Database = fmt.Sprintf("cynllun_scalebench_%d", time.Now().UnixNano())
	}
	// The access cache as serve and worker run it: on REDIS_URL, or
	// without it on an in-process Redis, as in dev mode.
	redisURL := os.Getenv("REDIS_URL")
	if redisURL == "" {
		m := miniredis.NewMiniRedis()
		if err := m.StartAddr("127.0.0.1:0"); err != nil {
			return err
		}
		defer m.Close()
		redisURL = "redis://" + m.Addr() + "/0"
	}
	ropts, err := redis.ParseURL(redisURL)
	if err != nil {
		return fmt.Errorf("REDIS_URL: %w", err)
	}
	rdb := redis.NewClient(ropts)
	defer rdb.Close()
	cfg.Generation = generation.New(rdb, fmt.Sprintf("scalebench_%d", time.Now().UnixNano()), "access")
	db, err := mongodb.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer func() {
		if !db.Embedded() {
			_ = db.Database().Drop(context.Background())
		}
		_ = db.Close(context.Background())
	}()
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	links, err := auth.NewFileLinks(secret, "")
	if err != nil {
		return err
	}
	svc := service.New(db, service.WithURLSigner(links))
	verifier, err := auth.NewVerifier(ctx, auth.Config{HS256Secret: secret})
	if err != nil {
		return err
	}
	handler := server.New(svc, verifier, db.Ping, log, server.Config{MaxBodyBytes: 256 << 10, FileLinks: links})
	if err := seed.Reference(ctx, db, time.Now()); err != nil {
		return err
	}
	fmt.Printf("Scale benchmark: embedded=%v, %d samples per operation and size\n\n", db.Embedded(), samples)

	results := map[string][]stats{}
	var names []string
	for _, n := range sizes {
		start := time.Now()
		res, err := seed.Synthetic(ctx, svc, seed.SyntheticOptions{N: n})
		if err != nil {
			return fmt.Errorf("seed %d learners: %w", n, err)
		}
		fmt.Printf("%d learners: built in %v\n", n, time.Since(start).Round(time.Second))
		ops, err := operations(ctx, db, svc, handler, secret, res)
		if err != nil {
			return fmt.Errorf("at %d learners: %w", n, err)
		}
		for _, o := range ops {
			s, err := measure(ctx, o, samples)
			if err != nil {
				return fmt.Errorf("%s at %d learners: %w", o.name, n, err)
			}
			if _, ok := results[o.name]; !ok {
				names = append(names, o.name)
			}
			results[o.name] = append(results[o.name], s)
			fmt.Printf("  %-52s p50 %8s  p95 %8s\n", o.name, ms(s.p50), ms(s.p95))
		}
	}
	report(os.Stdout, sizes, names, results)
	return nil
}

type stats struct{ p50, p95 time.Duration }

var (
	trace   bool
	tracing atomic.Bool
	traced  atomic.Int64
)

// monitor prints, while tracing, each command that is not a find by _id.
func monitor() *event.CommandMonitor {
	return &event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) {
		if !tracing.Load() {
			return
		}
		traced.Add(1)
		if e.CommandName == "find" {
			if f, ok := e.Command.Lookup("filter").DocumentOK(); ok {
				if elems, err := f.Elements(); err == nil && len(elems) == 1 && elems[0].Key() == "_id" {
					return
				}
			}
		}
		fmt.Fprintf(os.Stderr, "    %s %s %.200s\n", e.CommandName, e.Command.Lookup(e.CommandName), e.Command.Lookup("filter"))
	}}
}

// measure runs o three times untimed, then samples times, and returns the
// median and 95th percentile.
func measure(ctx context.Context, o op, samples int) (stats, error) {
	for range 3 {
		if err := o.run(ctx); err != nil {
			return stats{}, err
		}
	}
	if trace {
		tracing.Store(true)
		fmt.Fprintf(os.Stderr, "  trace of %s:\n", o.name)
		traced.Store(0)
		t := time.Now()
		err := o.run(ctx)
		tracing.Store(false)
		fmt.Fprintf(os.Stderr, "    (%d commands in all, %v)\n", traced.Load(), time.Since(t).Round(time.Microsecond))
		if err != nil {
			return stats{}, err
		}
	}
	ds := make([]time.Duration, 0, samples)
	for range samples {
		t := time.Now()
		if err := o.run(ctx); err != nil {
			return stats{}, err
		}
		ds = append(ds, time.Since(t))
	}
	slices.Sort(ds)
	return stats{p50: ds[len(ds)/2], p95: ds[min(len(ds)-1, len(ds)*95/100)]}, nil
}

// operations are the hot paths, as the users of synthetic learner 0 meet
// them: its school's ALNCo and its LA's officer.
func operations(ctx context.Context, db *mongodb.DB, svc *service.Service, h http.Handler, secret []byte, res *seed.SyntheticResult) ([]op, error) {
	token := func(user string) (string, error) { return auth.Mint(secret, "", "", user, 2*time.Hour, time.Now()) }
	staff, err := token(res.StaffID)
	if err != nil {
		return nil, err
	}
	officer, err := token(res.OfficerID)
	if err != nil {
		return nil, err
	}
	gql := func(tok, query string, vars map[string]any) func(context.Context) error {
		body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
		return func(ctx context.Context) error {
			req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/graphql", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+tok)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK || bytes.Contains(rec.Body.Bytes(), []byte(`"errors"`)) {
				return fmt.Errorf("HTTP %d: %.300s", rec.Code, rec.Body.String())
			}
			return nil
		}
	}
	p, err := svc.Authenticate(ctx, res.StaffID)
	if err != nil {
		return nil, err
	}
	asStaff := cynllun.WithPrincipal(service.WithRequestCache(ctx), p)
	plan, err := svc.Plan(asStaff, res.PlanID)
	if err != nil {
		return nil, err
	}
	current, err := svc.Version(asStaff, plan.ID, plan.Latest)
	if err != nil {
		return nil, err
	}
	stored := &cynllun.File{LearnerID: plan.LearnerID, Kind: cynllun.FileUpload, ContentType: "application/octet-stream", Name: "scalebench.bin"}
	data := make([]byte, 60<<10)
	_, _ = rand.Read(data)
	if err := putFile(ctx, db, stored, data); err != nil {
		return nil, err
	}

	const learnersPage = `query($n: Int) { learners(first: $n) { edges { node { id givenName familyName
		plans { id currentVersionNumber currentVersion { number status createdAt } } } } } }`
	const planRead = `query($id: ID!) { plan(id: $id) { id currentVersion { number status content { consent { consentGiven }
		profile { importantToMe { text directQuote } } needs { description }
		provision { id intendedOutcome provision welshMedium provider startDate reviewOrEndDate rationale } meetingSummary } } } }`
	const orgDeadlines = `query($org: ID) { deadlines(filter: {orgId: $org}, first: 20) { edges { node { id rule { id } due status } } } }`
	const dueInMonth = `{ deadlines(from: "2026-12-01", to: "2026-12-31", first: 20) { totalCount edges { node { id rule { id } due status } } } }`
	const lastDue = `{ deadlines(last: 20) { pageInfo { hasPreviousPage } edges { node { id due } } } }`
	const caseload = `{ reviews(first: 20) { totalCount nodes { id status type openedAt } } }`
	const search = `{ search(text: "a", first: 10) { nodes { ... on Learner { id familyName } } } }`
	return []op{
		{"authenticate ({ __typename })", gql(officer, `{ __typename }`, nil)},
		{"learners(first: 10) with current plan (LA officer)", gql(officer, learnersPage, map[string]any{"n": 10})},
		{"learners(first: 50) with current plan (LA officer)", gql(officer, learnersPage, map[string]any{"n": 50})},
		{"one plan with content (ALNCo)", gql(staff, planRead, map[string]any{"id": plan.ID})},
		{"saveVersion (service)", func(ctx context.Context) error {
			pctx := cynllun.WithPrincipal(service.WithRequestCache(ctx), p)
			latest, err := db.LatestVersions(ctx, []string{plan.ID})
			if err != nil {
				return err
			}
			_, err = svc.SaveVersion(pctx, service.SaveInput{PlanID: plan.ID, ExpectedVersion: latest[plan.ID],
				Status: cynllun.VersionDraft, Content: current.Content, Comment: "scale benchmark"})
			return err
		}},
		{"deadlines of an organisation (first: 20, ALNCo)", gql(staff, orgDeadlines, map[string]any{"org": res.StaffOrgID})},
		{"deadlines due in a month with totalCount (first: 20, LA officer)", gql(officer, dueInMonth, nil)},
		{"the LA's latest-due deadlines (last: 20, LA officer)", gql(officer, lastDue, nil)},
		{"reviews, open first, with totalCount (first: 20, LA officer)", gql(officer, caseload, nil)},
		{"search learners by a name's start (first: 10, LA officer)", gql(officer, search, nil)},
		{"write a 60 KiB file (store)", func(ctx context.Context) error {
			b := make([]byte, 60<<10)
			_, _ = rand.Read(b)
			f := &cynllun.File{LearnerID: plan.LearnerID, Kind: cynllun.FileUpload, ContentType: "application/octet-stream", Name: "scalebench.bin"}
			return putFile(ctx, db, f, b)
		}},
		{"read a 60 KiB file (store)", func(ctx context.Context) error {
			b, err := db.ReadFile(ctx, stored.ID)
			if err == nil && len(b) != len(data) {
				err = fmt.Errorf("read %d bytes, want %d", len(b), len(data))
			}
			return err
		}},
		{"render job: load the plan document (store)", func(ctx context.Context) error {
			_, err := service.LoadPlanDoc(ctx, db, plan.ID, current.Number, cynllun.RenderBilingual)
			return err
		}},
	}, nil
}

// putFile stores data content-addressed, as uploads and renders are.
func putFile(ctx context.Context, db *mongodb.DB, f *cynllun.File, data []byte) error {
	sum := sha256.Sum256(data)
	f.SHA256 = hex.EncodeToString(sum[:])
	f.ID, f.Size, f.CreatedAt = cynllun.FileIDFor(f.SHA256), int64(len(data)), time.Now().UTC()
	return db.PutFile(ctx, f, data)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

// report prints the Markdown table the README keeps.
func report(w io.Writer, sizes []int, names []string, results map[string][]stats) {
	fmt.Fprintf(w, "\n| Operation |")
	for _, n := range sizes {
		fmt.Fprintf(w, " %d p50 / p95 |", n)
	}
	fmt.Fprintf(w, " ratio %d ÷ %d (p50) |\n|---|", sizes[len(sizes)-1], sizes[0])
	for range sizes {
		fmt.Fprintf(w, "---|")
	}
	fmt.Fprintln(w, "---|")
	for _, name := range names {
		rs := results[name]
		fmt.Fprintf(w, "| %s |", name)
		for _, s := range rs {
			fmt.Fprintf(w, " %s / %s |", ms(s.p50), ms(s.p95))
		}
		fmt.Fprintf(w, " %.2f |\n", float64(rs[len(rs)-1].p50)/float64(rs[0].p50))
	}
}
