package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/internal/redistest"
)

// TestEndToEnd drives the real HTTP handler: create a learner, create a
// plan, save version 2, read versions 1 and 2, compare them, and see the
// reads in the audit trail.
func TestEndToEnd(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	alnco := e.token(f.alnco)

	r := e.must(alnco, `mutation($in: LearnerInput!) { createLearner(input: $in) { learner { id givenName familyName status age language setting { name } localAuthority { name nameCy } } } }`,
		map[string]any{"in": map[string]any{
			"givenName": "Gwenllïan", "familyName": "ap Llŷr", "dateOfBirth": "2017-03-01", "language": "CY",
			"laId": cardiff, "settingKind": "SCHOOL", "settingId": f.schoolA,
		}})
	learnerID := r.str("createLearner", "learner", "id")
	if !strings.HasPrefix(learnerID, cynllun.PrefixLearner) || r.str("createLearner", "learner", "givenName") != "Gwenllïan" ||
		r.str("createLearner", "learner", "familyName") != "ap Llŷr" || r.str("createLearner", "learner", "status") != "CHILD" ||
		r.str("createLearner", "learner", "localAuthority", "nameCy") != "Caerdydd" {
		t.Fatalf("createLearner: %s", r.raw)
	}

	r = e.must(alnco, `mutation($in: CreatePlanInput!) { createPlan(input: $in) { plan { id laMaintained currentVersionNumber currentVersion { number status content { provision { id rowId version provision } } } } } }`,
		map[string]any{"in": map[string]any{"learnerId": learnerID, "maintainerId": f.schoolA, "content": sampleContent("30 minutes of 1:1 speech and language therapy weekly")}})
	planID := r.str("createPlan", "plan", "id")
	if r.get("createPlan", "plan", "currentVersionNumber") != 1.0 || r.str("createPlan", "plan", "currentVersion", "status") != "DRAFT" ||
		r.str("createPlan", "plan", "currentVersion", "content", "provision", 0, "rowId") != "row_salt" ||
		r.str("createPlan", "plan", "currentVersion", "content", "provision", 0, "id") != r.str("createPlan", "plan", "id")+"/v1#row_salt" {
		t.Fatalf("createPlan: %s", r.raw)
	}

	v2 := sampleContent("45 minutes of 1:1 speech and language therapy weekly")
	v2["provision"] = append(v2["provision"].([]any), map[string]any{"intendedOutcome": "Use a visual timetable independently", "provision": "Visual timetable in every lesson, checked daily by the class teacher", "provider": "Ysgol Pen-y-Garth", "welshMedium": true, "startDate": "2026-09-07"})
	r = e.must(alnco, `mutation($in: SaveVersionInput!) { saveVersion(input: $in) { version { id number status } } }`,
		map[string]any{"in": map[string]any{"planId": planID, "expectedVersion": 1, "status": "FINAL", "content": v2, "comment": "Therapy increased"}})
	if r.get("saveVersion", "version", "number") != 2.0 || r.str("saveVersion", "version", "id") != planID+"/v2" || r.str("saveVersion", "version", "status") != "FINAL" {
		t.Fatalf("saveVersion: %s", r.raw)
	}

	r = e.must(alnco, `query($id: ID!) { plan(id: $id) {
		current: currentVersion { number }
		v1: version(number: 1) { number status content { provision { provision } profile { importantToMe { text directQuote } } } }
		v2: version(number: 2) { number status comment content { provision { id provision quantity { minutesPerSession per } } } }
		versions(first: 10) { edges { node { number status } } pageInfo { hasNextPage } } } }`, map[string]any{"id": planID})
	if r.get("plan", "current", "number") != 2.0 ||
		r.str("plan", "v1", "content", "provision", 0, "provision") != "30 minutes of 1:1 speech and language therapy weekly" ||
		r.str("plan", "v1", "content", "profile", "importantToMe", 0, "text") != "Dw i'n hoffi pêl-droed a'm ci, Mabon." ||
		r.get("plan", "v1", "content", "profile", "importantToMe", 0, "directQuote") != true ||
		r.str("plan", "v2", "content", "provision", 0, "provision") != "45 minutes of 1:1 speech and language therapy weekly" ||
		r.str("plan", "v2", "content", "provision", 1, "id") == "" ||
		r.str("plan", "v2", "comment") != "Therapy increased" ||
		len(r.get("plan", "versions", "edges").([]any)) != 2 {
		t.Fatalf("read versions: %s", r.raw)
	}

	r = e.must(alnco, `query($id: ID!) { compareVersions(planId: $id, from: 1, to: 2) { from to changes { section row field kind from to summary } } }`, map[string]any{"id": planID})
	var summaries []string
	for _, c := range r.get("compareVersions", "changes").([]any) {
		summaries = append(summaries, c.(map[string]any)["summary"].(string))
	}
	want := `2B row 1: `
	if !contains(summaries, want) || !contains(summaries, "45 minutes of 1:1 speech and language therapy weekly") || !contains(summaries, "2B row 2") {
		t.Fatalf("compareVersions summaries = %q", summaries)
	}
	// Issue 18: a new row says what it is.
	if !slices.Contains(summaries, "2B row 2 added: Visual timetable in every lesson, checked daily by the class teacher") {
		t.Errorf("the new row is not described: %q", summaries)
	}
	r = e.must(alnco, `query($id: ID!) { compareVersions(planId: $id, from: 1, to: 2, language: CY) { changes { summary } } }`, map[string]any{"id": planID})
	if len(r.get("compareVersions", "changes").([]any)) == 0 {
		t.Fatalf("Welsh comparison empty: %s", r.raw)
	}
	var cy []string
	for _, c := range r.get("compareVersions", "changes").([]any) {
		cy = append(cy, c.(map[string]any)["summary"].(string))
	}
	if !slices.Contains(cy, "Ychwanegwyd 2B rhes 2: Visual timetable in every lesson, checked daily by the class teacher") ||
		!contains(cy, "2B rhes 1, darpariaeth: newidiwyd o ‘30 minutes") {
		t.Errorf("Welsh summaries = %q", cy)
	}

	r = e.must(alnco, `query($id: ID!) { auditEvents(learnerId: $id, first: 50) { edges { node { actorId part version action reason } } } }`, map[string]any{"id": learnerID})
	var parts []string
	for _, ed := range r.get("auditEvents", "edges").([]any) {
		n := ed.(map[string]any)["node"].(map[string]any)
		parts = append(parts, fmt.Sprintf("%s:%v:%s", n["part"], n["version"], n["reason"]))
	}
	for _, p := range []string{"plan.version.content:1:STAFF_OF", "plan.version.content:2:STAFF_OF", "plan.diff:1:STAFF_OF", "plan.diff:2:STAFF_OF"} {
		if !slices.Contains(parts, p) {
			t.Errorf("audit trail %q lacks %q", parts, p)
		}
	}
	if strings.Contains(string(r.raw), "speech") {
		t.Error("audit events contain plan content")
	}
}

// TestConcurrentSaves: 20 saves from the same version: one wins, 19 get
// CONFLICT with the current version, versions stay contiguous.
func TestConcurrentSaves(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	tok := e.token(f.alnco)
	const n = 20
	var wg sync.WaitGroup
	results := make([]response, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = e.do(tok, `mutation($in: SaveVersionInput!) { saveVersion(input: $in) { version { number } } }`, map[string]any{"in": map[string]any{
				"planId": f.plan1, "expectedVersion": 1, "content": sampleContent(fmt.Sprintf("%d minutes of therapy weekly", 20+i)),
			}})
		}()
	}
	wg.Wait()
	ok, conflicts := 0, 0
	for _, r := range results {
		switch r.code() {
		case "OK":
			ok++
			if r.get("saveVersion", "version", "number") != 2.0 {
				t.Errorf("winner saved %v", r.get("saveVersion", "version", "number"))
			}
		case "CONFLICT":
			conflicts++
			if cur := r.Errors[0].Extensions["currentVersion"]; cur != 2.0 {
				t.Errorf("conflict currentVersion = %v, want 2", cur)
			}
		default:
			t.Errorf("unexpected result: %s", r.raw)
		}
	}
	if ok != 1 || conflicts != n-1 {
		t.Fatalf("ok=%d conflicts=%d, want 1 and %d", ok, conflicts, n-1)
	}
	r := e.must(tok, `mutation($in: SaveVersionInput!) { saveVersion(input: $in) { version { number } } }`, map[string]any{"in": map[string]any{
		"planId": f.plan1, "expectedVersion": 2, "content": sampleContent("after the race"),
	}})
	if r.get("saveVersion", "version", "number") != 3.0 {
		t.Fatalf("save after race: %s", r.raw)
	}
	r = e.must(tok, `query($id: ID!) { plan(id: $id) { versions(first: 50) { edges { node { number } } } } }`, map[string]any{"id": f.plan1})
	var nums []float64
	for _, ed := range r.get("plan", "versions", "edges").([]any) {
		nums = append(nums, ed.(map[string]any)["node"].(map[string]any)["number"].(float64))
	}
	if !slices.Equal(nums, []float64{1, 2, 3}) {
		t.Fatalf("versions = %v, want [1 2 3]", nums)
	}
}

// TestRoundTrips: a page of learners with their plans, current versions and
// settings reads its documents by _id only (nothing that reads a whole
// collection on the embedded store), with commands that grow with the page
// (one read of each learner's plans), never with the data stored.
func TestRoundTrips(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	ctx := context.Background()
	now := e.clock.Now()
	for i := range 120 {
		l := &cynllun.Learner{ID: fmt.Sprintf("lrn_bulk_%03d", i), GivenName: "Dafydd", FamilyName: fmt.Sprintf("Morgan %03d", i),
			DateOfBirth: cynllun.DateOf(now.AddDate(-10, 0, 0)), Language: cynllun.LanguageCY, LAID: cardiff,
			SettingKind: cynllun.SettingSchool, SettingID: f.schoolA, CreatedAt: now, UpdatedAt: now}
		if err := e.db.CreateLearner(ctx, l); err != nil {
			t.Fatal(err)
		}
		p := &cynllun.Plan{ID: fmt.Sprintf("pln_bulk_%03d", i), LearnerID: l.ID, MaintainerID: f.schoolA, CreatedAt: now}
		v := &cynllun.Version{ID: cynllun.VersionID(p.ID, 1), PlanID: p.ID, LearnerID: l.ID, Number: 1, Status: cynllun.VersionDraft, Content: &cynllun.Content{}, CreatedAt: now}
		if err := e.db.CreatePlan(ctx, p, v); err != nil {
			t.Fatal(err)
		}
	}
	tok := e.token(f.alnco)
	query := `query($n: Int) { learners(first: $n, filter: {namePrefix: "morgan"}) { totalCount edges { node { id familyName setting { name } localAuthority { name }
		plans { id currentVersionNumber maintainer { name } currentVersion { number status createdAt } } } } } }`
	for _, n := range []int{10, 100} {
		var r response
		c, names := e.count(func() { r = e.must(tok, query, map[string]any{"n": n}) })
		edges := r.get("learners", "edges").([]any)
		if len(edges) != n || r.get("learners", "totalCount") != 120.0 {
			t.Fatalf("n=%d: got %d edges: %s", n, len(edges), r.raw[:200])
		}
		for _, ed := range edges {
			plans := ed.(map[string]any)["node"].(map[string]any)["plans"].([]any)
			if len(plans) != 1 || plans[0].(map[string]any)["currentVersionNumber"] != 1.0 {
				t.Fatalf("plans not loaded: %v", ed)
			}
		}
		t.Logf("learners(first: %d) with plans, versions and organisations: %d database commands %v", n, c, names)
		// Authentication, the setting's directory and the buckets the page
		// spans (64 learners each), the count's directory, each learner's
		// plans and the organisations: the current versions come from the
		// plans' heads. On MongoDB the plans are one $in find.
		if s := e.scans.Load(); s != 0 {
			t.Errorf("n=%d: %d reads other than a find by _id", n, s)
		}
		if max := int64(n + 10 + n/32); c > max {
			t.Errorf("n=%d: %d commands, want at most %d", n, c, max)
		}
	}
}

// TestBadInput: each malformed request is INVALID, and nothing is written.
func TestBadInput(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	tok := e.token(f.alnco)
	create := `mutation($in: LearnerInput!) { createLearner(input: $in) { learner { id } } }`
	learner := func(mod func(m map[string]any)) map[string]any {
		m := map[string]any{"givenName": "Ifan", "familyName": "Rhys", "dateOfBirth": "2016-05-04", "language": "CY",
			"laId": cardiff, "settingKind": "SCHOOL", "settingId": f.schoolA}
		mod(m)
		return map[string]any{"in": m}
	}
	save := `mutation($in: SaveVersionInput!) { saveVersion(input: $in) { version { number } } }`
	content := func(mod func(row map[string]any)) map[string]any {
		c := sampleContent("x")
		mod(c["provision"].([]any)[0].(map[string]any))
		return map[string]any{"in": map[string]any{"planId": f.plan1, "expectedVersion": 1, "content": c}}
	}
	tests := []struct {
		name  string
		query string
		vars  map[string]any
		raw   []byte
		field string // expected field error, if any
		admin bool   // sent by the administrator
	}{
		{name: "malformed GraphQL", query: `{ learners(first: `},
		{name: "unknown field", query: `{ learners { edges { node { shoeSize } } } }`},
		{name: "unknown input field", query: create, vars: learner(func(m map[string]any) { m["favouriteColour"] = "glas" })},
		{name: "wrong type", query: create, vars: learner(func(m map[string]any) { m["dateOfBirth"] = 20160504 })},
		{name: "not a date", query: create, vars: learner(func(m map[string]any) { m["dateOfBirth"] = "2016-02-30" })},
		{name: "unknown enum", query: create, vars: learner(func(m map[string]any) { m["language"] = "FR" })},
		{name: "birth in the future", query: create, vars: learner(func(m map[string]any) { m["dateOfBirth"] = "2027-01-01" }), field: "input.dateOfBirth"},
		{name: "over 25", query: create, vars: learner(func(m map[string]any) { m["dateOfBirth"] = "1999-01-01" }), field: "input.dateOfBirth"},
		{name: "oversize name", query: create, vars: learner(func(m map[string]any) { m["givenName"] = strings.Repeat("ŵ", 5000) }), field: "input.givenName"},
		{name: "control character", query: create, vars: learner(func(m map[string]any) { m["familyName"] = "Rhys\x00" }), field: "input.familyName"},
		{name: "replacement character", query: create, vars: learner(func(m map[string]any) { m["familyName"] = "Rh\uFFFDys" }), field: "input.familyName"},
		{name: "missing given name", query: create, vars: learner(func(m map[string]any) { m["givenName"] = "" }), field: "input.givenName"},
		{name: "blank given name", query: create, vars: learner(func(m map[string]any) { m["givenName"] = "   " }), field: "input.givenName"},
		{name: "no-break spaces for a family name", query: create, vars: learner(func(m map[string]any) { m["familyName"] = "\u00a0\u3000" }), field: "input.familyName"},
		{name: "zero width space for a preferred name", query: create, vars: learner(func(m map[string]any) { m["preferredName"] = "\u200b" }), field: "input.preferredName"},
		{name: "right-to-left override in a name", query: create, vars: learner(func(m map[string]any) { m["familyName"] = "Rhys\u202Esyhr" }), field: "input.familyName"},
		{name: "isolate in a name", query: create, vars: learner(func(m map[string]any) { m["givenName"] = "\u2067Ifan\u2069" }), field: "input.givenName"},
		{name: "direction mark in a name", query: create, vars: learner(func(m map[string]any) { m["givenName"] = "Ifan\u200f" }), field: "input.givenName"},
		{name: "born in 1900", query: create, vars: learner(func(m map[string]any) { m["dateOfBirth"] = "1900-01-01" }), field: "input.dateOfBirth"},
		{name: "aged 26 today", query: create, vars: learner(func(m map[string]any) { m["dateOfBirth"] = "2000-11-22" }), field: "input.dateOfBirth"},
		{name: "blank organisation name", query: `mutation { createOrganisation(input: {kind: HEALTH_BOARD, name: "  "}) { organisation { id } } }`, admin: true, field: "input.name"},
		{name: "override in an organisation name", query: `mutation { createOrganisation(input: {kind: HEALTH_BOARD, name: "Bwrdd \u202e"}) { organisation { id } } }`, admin: true, field: "input.name"},
		{name: "blank user name", query: `mutation { createUser(input: {name: "\t", email: "x@example.invalid"}) { user { id } } }`, admin: true, field: "input.name"},
		{name: "event before the ALN Act", query: `mutation($in: StatutoryEventInput!) { recordStatutoryEvent(input: $in) { event { id } } }`,
			vars: map[string]any{"in": map[string]any{"learnerId": f.l1, "kind": "ALN_BROUGHT_TO_ATTENTION", "on": "1900-01-01"}}, field: "input.on"},
		{name: "event the day before the ALN Act", query: `mutation($in: StatutoryEventInput!) { recordStatutoryEvent(input: $in) { event { id } } }`,
			vars: map[string]any{"in": map[string]any{"learnerId": f.l1, "kind": "ALN_BROUGHT_TO_ATTENTION", "on": "2021-08-31"}}, field: "input.on"},
		{name: "review requested in 1900", query: `mutation($in: RequestReviewInput!) { requestReview(input: $in) { review { id } } }`,
			vars: map[string]any{"in": map[string]any{"planId": f.plan1, "reason": "x", "requestedBy": "PARENT", "requestedOn": "1900-01-01"}}, field: "input.requestedOn"},
		{name: "requester's name is an override", query: `mutation($in: RequestReviewInput!) { requestReview(input: $in) { review { id } } }`,
			vars: map[string]any{"in": map[string]any{"planId": f.plan1, "reason": "x", "requestedBy": "PARENT", "requestedByName": "\u202e"}}, field: "input.requestedByName"},
		{name: "setting is not a school", query: create, vars: learner(func(m map[string]any) { m["settingId"] = swansea }), field: "input.settingId"},
		{name: "invalid UTF-8 body", raw: []byte("{\"query\":\"mutation { createLearner(input: {givenName: \\\"\xff\xfe\\\", familyName: \\\"R\\\", dateOfBirth: \\\"2016-05-04\\\", language: CY, laId: \\\"" + cardiff + "\\\", settingKind: NONE}) { learner { id } } }\"}")},
		{name: "body too large", raw: []byte(`{"query":"{ me { id } }","variables":{"pad":"` + strings.Repeat("a", 300<<10) + `"}}`)},
		{name: "bad cursor", query: `{ learners(after: "bm90IGEgY3Vyc29y") { totalCount } }`},
		{name: "page too large", query: `{ learners(first: 100000) { totalCount } }`},
		{name: "oversize provision", query: save, vars: content(func(r map[string]any) { r["provision"] = strings.Repeat("a", 100001) }), field: "input.content.provision.0.provision"},
		{name: "end before start", query: save, vars: content(func(r map[string]any) { r["reviewOrEndDate"] = "2026-01-01" }), field: "input.content.provision.0.reviewOrEndDate"},
		{name: "quantity out of range", query: save, vars: content(func(r map[string]any) {
			r["quantity"] = map[string]any{"minutesPerSession": 0, "sessions": 1, "per": "WEEK"}
		})},
		{name: "expectedVersion zero", query: save, vars: map[string]any{"in": map[string]any{"planId": f.plan1, "expectedVersion": 0, "content": sampleContent("y")}}, field: "input.expectedVersion"},
	}
	countAll := func() (int, int) {
		n, err := e.db.CountLearners(context.Background(), cynllun.LearnerQuery{Scope: cynllun.Scope{LAIDs: []string{cardiff, swansea}}})
		if err != nil {
			t.Fatal(err)
		}
		latest, err := e.db.LatestVersions(context.Background(), []string{f.plan1})
		if err != nil {
			t.Fatal(err)
		}
		return n, latest[f.plan1]
	}
	learners0, versions0 := countAll()
	others := func() int64 {
		return e.docs("events") + e.docs("reviews") + e.docs("organisations") + e.docs("users") + e.docs("deadlines")
	}
	others0 := others()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r response
			switch {
			case tt.raw != nil:
				r = e.post(tok, tt.raw)
			case tt.admin:
				r = e.do(e.token(f.admin), tt.query, tt.vars)
			default:
				r = e.do(tok, tt.query, tt.vars)
			}
			if r.code() != "INVALID" {
				t.Fatalf("code = %s, want INVALID: %s", r.code(), r.raw)
			}
			if tt.field != "" {
				fields, _ := r.Errors[0].Extensions["fields"].([]any)
				found := false
				for _, fe := range fields {
					if fe.(map[string]any)["field"] == tt.field {
						found = true
					}
				}
				if !found {
					t.Fatalf("no field error for %s: %s", tt.field, r.raw)
				}
			}
			if strings.Contains(string(r.raw), "ŵŵŵŵ") || strings.Contains(string(r.raw), "aaaaaaaa") {
				t.Fatal("error echoes the submitted value")
			}
		})
	}
	if l, v := countAll(); l != learners0 || v != versions0 {
		t.Fatalf("bad input wrote something: learners %d→%d, versions %d→%d", learners0, l, versions0, v)
	}
	if n := others(); n != others0 {
		t.Fatalf("bad input wrote %d events, reviews, organisations, users or deadlines", n-others0)
	}

	// Welsh letters, apostrophes and hyphens are names' ordinary
	// characters; the oldest date of birth allowed today (2026-11-22) is
	// that of someone who turns 26 tomorrow.
	r := e.must(tok, create, learner(func(m map[string]any) {
		m["givenName"], m["familyName"], m["preferredName"], m["dateOfBirth"] = "Gwenllïan Siân", "O'Neill-Ŵyn ap Llŷr", "Gwen", "2000-11-23"
	}))
	if r.str("createLearner", "learner", "id") == "" {
		t.Fatalf("Welsh names: %s", r.raw)
	}
	r = e.do(tok, create, learner(func(m map[string]any) { m["dateOfBirth"] = "1900-01-01" }))
	if msg := r.Errors[0].Message; !strings.Contains(msg, "2000-11-23") || !strings.Contains(msg, "2026-11-22") {
		t.Fatalf("the date of birth's bounds are not stated: %s", r.raw)
	}
}

// TestHealth checks /healthz and /readyz.
func TestHealth(t *testing.T) {
	e := newEnv(t)
	for _, p := range []string{"/healthz", "/readyz"} {
		rec := httptest.NewRecorder()
		e.handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, p, nil))
		if rec.Code != http.StatusOK {
			t.Errorf("%s = %d", p, rec.Code)
		}
	}
}

// BenchmarkPlanRead compares reading a plan's current version (content
// included) through GraphQL over the real handler (authentication, the
// plan, the version and the read's audit event) with the same read through
// the store directly (the plan's head, then the version), both in one run.
// It reports the ratio of their medians (target ≤ 2.0, goal 1.5) and the
// database commands each sends per request.
func BenchmarkPlanRead(b *testing.B) { benchPlanRead(b, newEnv(b)) }

// BenchmarkPlanReadTraced is BenchmarkPlanRead with tracing on: every
// request sampled, its spans (HTTP, operation, database commands) batched
// to an exporter that drops them, so that what is measured is the
// instrumentation's cost on the request path.
func BenchmarkPlanReadTraced(b *testing.B) {
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(tracetest.NewNoopExporter()))
	b.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	benchPlanRead(b, newEnvFull(b, redistest.Start(b), envExtras{tracing: tp}))
}

func benchPlanRead(b *testing.B, e *env) {
	f := e.fixture()
	tok := e.token(f.alnco)
	query := `query($id: ID!) { plan(id: $id) { currentVersion { number status content { consent { consentGiven } profile { importantToMe { text directQuote } }
		needs { description } provision { id intendedOutcome provision welshMedium provider startDate reviewOrEndDate rationale quantity { minutesPerSession sessions per groupSize } } meetingSummary } } } }`
	body := fmt.Appendf(nil, `{"query":%q,"variables":{"id":%q}}`, query, f.plan1)
	ctx := context.Background()
	viaGraphQL := func() {
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tok)
		rec := httptest.NewRecorder()
		e.handler.ServeHTTP(rec, req)
		if rec.Code != 200 || strings.Contains(rec.Body.String(), `"errors"`) {
			b.Fatalf("%d %s", rec.Code, rec.Body)
		}
	}
	viaStore := func() {
		latest, err := e.db.LatestVersions(ctx, []string{f.plan1})
		if err != nil {
			b.Fatal(err)
		}
		vs, err := e.db.VersionsByID(ctx, []string{cynllun.VersionID(f.plan1, latest[f.plan1])})
		if err != nil || len(vs) != 1 || vs[0].Content == nil {
			b.Fatal(err)
		}
	}
	// Warm both paths, then alternate them so that both see the same
	// machine load.
	for range 20 {
		viaGraphQL()
		viaStore()
	}
	gqlCmds, gqlNames := e.count(viaGraphQL)
	storeCmds, _ := e.count(viaStore)
	var gql, store []time.Duration
	for b.Loop() {
		// A read a minute, as a busy learner's record might see all day:
		// the read's audit entry goes to its hour's document, which holds
		// at most the hour's reads whatever b.N is.
		e.clock.Advance(time.Minute)
		t0 := time.Now()
		viaGraphQL()
		t1 := time.Now()
		viaStore()
		gql, store = append(gql, t1.Sub(t0)), append(store, time.Since(t1))
	}
	median := func(ds []time.Duration) time.Duration {
		slices.Sort(ds)
		return ds[len(ds)/2]
	}
	mg, ms := median(gql), median(store)
	b.ReportMetric(float64(mg.Microseconds()), "graphql-µs/read")
	b.ReportMetric(float64(ms.Microseconds()), "store-µs/read")
	b.ReportMetric(float64(mg)/float64(ms), "ratio")
	b.ReportMetric(float64(gqlCmds), "graphql-cmds/read")
	b.ReportMetric(float64(storeCmds), "store-cmds/read")
	b.Logf("GraphQL read: %v median, %d database commands %v; store read: %v median, %d commands; ratio %.2f",
		mg, gqlCmds, gqlNames, ms, storeCmds, float64(mg)/float64(ms))
}
