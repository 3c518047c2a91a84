package server_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cynllun/cynllun/internal/redistest"
	"github.com/cynllun/cynllun/notify"
	"github.com/cynllun/cynllun/worker"
)

// schoolCalendar2026 is school A's 2026–27 calendar (hand-made for the
// tests): autumn 1 Sep–18 Dec 2026 with half term 26–30 Oct, spring 4 Jan–
// 26 Mar 2027 with half term 15–19 Feb, summer 12 Apr–21 Jul 2027 with half
// term 31 May–4 Jun, and an INSET day on 4 January.
func schoolCalendar2026() map[string]any {
	return map[string]any{
		"name": "Ysgol Pen-y-Garth 2026–27",
		"terms": []any{
			map[string]any{"name": "Autumn term 2026", "nameCy": "Tymor yr Hydref 2026", "start": "2026-09-01", "end": "2026-12-18"},
			map[string]any{"name": "Spring term 2027", "nameCy": "Tymor y Gwanwyn 2027", "start": "2027-01-04", "end": "2027-03-26"},
			map[string]any{"name": "Summer term 2027", "nameCy": "Tymor yr Haf 2027", "start": "2027-04-12", "end": "2027-07-21"},
		},
		"closures": []any{
			map[string]any{"from": "2026-10-26", "to": "2026-10-30", "reason": "HALF_TERM"},
			map[string]any{"from": "2027-02-15", "to": "2027-02-19", "reason": "HALF_TERM"},
			map[string]any{"from": "2027-05-31", "to": "2027-06-04", "reason": "HALF_TERM"},
			map[string]any{"from": "2027-01-04", "to": "2027-01-04", "reason": "INSET", "note": "Training day"},
		},
	}
}

const deadlineFields = `id rule { id unit } start due problem status late daysLeft closure { status on event reason by } organisation { id }`

// TestDeadlines: a school's calendar set and exported, an event recorded
// by staff starting the school's 35-school-day clock on that calendar, the
// working shown day by day, the IDP given closing it and starting the
// review period's clock, lists filtered by status, and who may see what.
func TestDeadlines(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	alnco, parent, officer := e.token(f.alnco), e.token(f.parent), e.token(f.officer)

	setCal := `mutation($org: ID!, $rev: Int!, $cal: CalendarInput!) { setCalendar(input: {orgId: $org, expectedRevision: $rev, calendar: $cal}) { calendar {
		revision own { name } effective { schoolYears terms { name start end } ics } } } }`
	bad := schoolCalendar2026()
	bad["terms"] = append(bad["terms"].([]any), map[string]any{"name": "Overlap", "start": "2026-12-01", "end": "2026-12-20"})
	if r := e.do(alnco, setCal, map[string]any{"org": f.schoolA, "rev": 0, "cal": bad}); r.code() != "INVALID" {
		t.Fatalf("overlapping terms: %s", r.raw)
	}
	if r := e.do(e.token(f.staffB), setCal, map[string]any{"org": f.schoolA, "rev": 0, "cal": schoolCalendar2026()}); r.code() != "FORBIDDEN" {
		t.Fatalf("another school's staff: %s", r.raw)
	}
	r := e.must(alnco, setCal, map[string]any{"org": f.schoolA, "rev": 0, "cal": schoolCalendar2026()})
	years := r.get("setCalendar", "calendar", "effective", "schoolYears").([]any)
	ics := r.str("setCalendar", "calendar", "effective", "ics")
	if r.get("setCalendar", "calendar", "revision") != 1.0 || !slices.Contains(years, any("2025-26")) || !slices.Contains(years, any("2026-27")) ||
		!strings.Contains(ics, "BEGIN:VCALENDAR") || !strings.Contains(ics, "Spring term 2027") {
		t.Fatalf("setCalendar: %s", r.raw)
	}
	if r := e.do(alnco, setCal, map[string]any{"org": f.schoolA, "rev": 0, "cal": schoolCalendar2026()}); r.code() != "CONFLICT" {
		t.Fatalf("stale calendar save: %s", r.raw)
	}
	// The same calendar imported as iCalendar into school B gives the same terms.
	imp := e.must(e.token(f.staffB), `mutation($org: ID!, $ics: String!) { importCalendar(input: {orgId: $org, expectedRevision: 0, ics: $ics}) { calendar { revision own { terms { name start end } } } } }`,
		map[string]any{"org": f.schoolB, "ics": ics})
	if n := len(imp.get("importCalendar", "calendar", "own", "terms").([]any)); n < 3 {
		t.Fatalf("imported %d terms: %s", n, imp.raw)
	}
	if r := e.do(e.token(f.staffB), `mutation($org: ID!) { importCalendar(input: {orgId: $org, expectedRevision: 1, ics: "BEGIN:VCALENDAR\nEND:VEVENT"}) { calendar { revision } } }`, map[string]any{"org": f.schoolB}); r.code() != "INVALID" {
		t.Fatalf("malformed iCalendar: %s", r.raw)
	}

	// The calculator explains itself: 35 school days beginning with
	// Friday 20 November 2026, that day being school day 1 (the default,
	// issue 16): 21 days to 18 December, Christmas skipped, 4 January an
	// INSET day, then 5–8 January (25), 11–15 (30), 18–22 (35): Friday 22
	// January. Not counting the day itself, Monday 25 January.
	calc := `query($org: ID, $c: CountingInput) { calculateDeadline(rule: "T1", start: "2026-11-20", orgId: $org, counting: $c) {
		due periodEnd rule { id } steps { date kind count } explanation { en cy } assumptions { en } } }`
	r = e.must(parent, calc, map[string]any{"org": f.schoolA})
	steps := r.get("calculateDeadline", "steps").([]any)
	counted, kinds := 0, map[string]bool{}
	for _, s := range steps {
		m := s.(map[string]any)
		kinds[m["kind"].(string)] = true
		if m["kind"] == "COUNTED" {
			counted++
		}
	}
	if r.str("calculateDeadline", "due") != "2027-01-22" || counted != 35 || !kinds["HOLIDAY"] || !kinds["INSET"] || !kinds["WEEKEND"] ||
		len(r.get("calculateDeadline", "explanation").([]any)) == 0 || r.str("calculateDeadline", "explanation", 0, "cy") == "" {
		t.Fatalf("calculateDeadline: due %s, %d counted, kinds %v: %s", r.str("calculateDeadline", "due"), counted, kinds, r.raw)
	}
	if r := e.must(parent, calc, map[string]any{"org": f.schoolA, "c": map[string]any{"triggerDayCounts": false}}); r.str("calculateDeadline", "due") != "2027-01-25" {
		t.Fatalf("trigger day not counted: %s", r.raw)
	}
	if r := e.do(parent, calc, map[string]any{}); r.code() != "INVALID" {
		t.Fatalf("school days without a calendar: %s", r.raw)
	}

	rules := `{ statutoryRules { id unit amount tag rollForward basis } }`
	if r := e.do("", rules, nil); r.code() != "UNAUTHENTICATED" {
		t.Fatalf("rules without a token: %s", r.raw)
	}
	r = e.must(parent, rules, nil)
	if n := len(r.get("statutoryRules").([]any)); n != 21 || r.str("statutoryRules", 8, "id") != "T9" || r.str("statutoryRules", 8, "unit") != "NONE" ||
		r.str("statutoryRules", 9, "id") != "T10" || r.get("statutoryRules", 9, "rollForward") != true {
		t.Fatalf("statutoryRules: %s", r.raw)
	}

	// Staff record that ALN was brought to the school's attention.
	rec := `mutation($in: StatutoryEventInput!) { recordStatutoryEvent(input: $in) { event { id kind on system organisation { id } } started { ` + deadlineFields + ` } closed { id } } }`
	if r := e.do(parent, rec, map[string]any{"in": map[string]any{"learnerId": f.l1, "kind": "ALN_BROUGHT_TO_ATTENTION", "on": "2026-11-20"}}); r.code() != "FORBIDDEN" {
		t.Fatalf("parent recording an event: %s", r.raw)
	}
	if r := e.do(alnco, rec, map[string]any{"in": map[string]any{"learnerId": f.l1, "kind": "ALN_BROUGHT_TO_ATTENTION", "on": "2026-12-25"}}); r.code() != "INVALID" {
		t.Fatalf("event in the future: %s", r.raw)
	}
	r = e.must(alnco, rec, map[string]any{"in": map[string]any{"learnerId": f.l1, "kind": "ALN_BROUGHT_TO_ATTENTION", "on": "2026-11-20", "note": "Raised by the class teacher"}})
	started := r.get("recordStatutoryEvent", "started").([]any)
	if len(started) != 1 || r.str("recordStatutoryEvent", "started", 0, "rule", "id") != "T1" || r.str("recordStatutoryEvent", "started", 0, "due") != "2027-01-22" ||
		r.str("recordStatutoryEvent", "started", 0, "status") != "OPEN" || r.str("recordStatutoryEvent", "event", "organisation", "id") != f.schoolA {
		t.Fatalf("recordStatutoryEvent: %s", r.raw)
	}
	t1 := r.str("recordStatutoryEvent", "started", 0, "id")

	// The parent sees the learner's clock and its working.
	r = e.must(parent, `query($id: ID!) { learner(id: $id) { deadlines { nodes { `+deadlineFields+` calculation { due } } } events { nodes { kind on note system } } } }`, map[string]any{"id": f.l1})
	if r.str("learner", "deadlines", "nodes", 0, "id") != t1 || r.str("learner", "deadlines", "nodes", 0, "calculation", "due") != "2027-01-22" ||
		r.str("learner", "events", "nodes", 0, "kind") != "ALN_BROUGHT_TO_ATTENTION" {
		t.Fatalf("parent's view: %s", r.raw)
	}
	if r := e.do(e.token(f.stranger), `query($id: ID!) { deadline(id: $id) { id } }`, map[string]any{"id": t1}); r.code() != "NOT_FOUND" {
		t.Fatalf("stranger: %s", r.raw)
	}

	// Giving the IDP (its first FINAL version) meets T1 and starts T8.
	e.finalise(alnco, f.plan1)
	list := `query($f: DeadlineFilter) { deadlines(filter: $f, first: 50) { edges { node { ` + deadlineFields + ` } } pageInfo { hasNextPage } } }`
	r = e.must(officer, list, map[string]any{"f": map[string]any{"learnerId": f.l1}})
	byRule := map[string]map[string]any{}
	for _, ed := range r.get("deadlines", "edges").([]any) {
		n := ed.(map[string]any)["node"].(map[string]any)
		byRule[n["rule"].(map[string]any)["id"].(string)] = n
	}
	if byRule["T1"]["status"] != "MET" || byRule["T1"]["closure"].(map[string]any)["on"] != "2026-11-22" || byRule["T1"]["late"] != false {
		t.Fatalf("T1 after the IDP was given: %v", byRule["T1"])
	}
	if byRule["T8"]["status"] != "OPEN" || byRule["T8"]["start"] != "2026-11-22" || byRule["T8"]["due"] != "2027-11-21" {
		t.Fatalf("T8: %v", byRule["T8"])
	}
	for _, tt := range []struct {
		filter map[string]any
		want   []string
	}{
		{map[string]any{"learnerId": f.l1, "statuses": []any{"MET"}}, []string{"T1"}},
		{map[string]any{"learnerId": f.l1, "statuses": []any{"OPEN", "MISSED"}}, []string{"T8"}},
		{map[string]any{"learnerId": f.l1, "ruleIds": []any{"T8"}}, []string{"T8"}},
		{map[string]any{"learnerId": f.l1, "dueFrom": "2027-06-01"}, []string{"T8"}},
		{map[string]any{"orgId": f.schoolA}, []string{"T1", "T8"}},
	} {
		r := e.must(alnco, list, map[string]any{"f": tt.filter})
		var got []string
		for _, ed := range r.get("deadlines", "edges").([]any) {
			got = append(got, ed.(map[string]any)["node"].(map[string]any)["rule"].(map[string]any)["id"].(string))
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("filter %v: %v, want %v", tt.filter, got, tt.want)
		}
	}
	if r := e.must(e.token(f.staffB), list, map[string]any{"f": map[string]any{}}); len(r.get("deadlines", "edges").([]any)) != 0 {
		t.Fatalf("another school's staff see: %s", r.raw)
	}
	if r := e.do(alnco, list, map[string]any{"f": map[string]any{"ruleIds": []any{"T99"}}}); r.code() != "INVALID" {
		t.Fatalf("unknown rule: %s", r.raw)
	}

	// A review requested has no confirmed time limit: it is tracked undated
	// and closed when the request is refused.
	req := e.must(parent, `mutation($in: RequestReviewInput!) { requestReview(input: $in) { review { id } } }`, map[string]any{"in": map[string]any{"planId": f.plan1, "reason": "Help"}})
	r = e.must(alnco, list, map[string]any{"f": map[string]any{"learnerId": f.l1, "ruleIds": []any{"T9"}}})
	if r.str("deadlines", "edges", 0, "node", "status") != "OPEN" || r.get("deadlines", "edges", 0, "node", "due") != nil || r.str("deadlines", "edges", 0, "node", "problem") == "" {
		t.Fatalf("T9 opened: %s", r.raw)
	}
	e.must(alnco, `mutation($in: DecideReviewRequestInput!) { decideReviewRequest(input: $in) { review { status } } }`,
		map[string]any{"in": map[string]any{"id": req.str("requestReview", "review", "id"), "expectedRevision": 1, "accept": false, "reasons": "Reviewed last week"}})
	r = e.must(alnco, list, map[string]any{"f": map[string]any{"learnerId": f.l1, "ruleIds": []any{"T9"}}})
	if r.str("deadlines", "edges", 0, "node", "status") != "MET" {
		t.Fatalf("T9 after the refusal: %s", r.raw)
	}

	// An exception: marked not applicable with the reason kept.
	mark := `mutation($id: ID!, $why: String!) { markDeadlineNotApplicable(input: {id: $id, reason: $why}) { deadline { status closure { reason by } } } }`
	t8 := byRule["T8"]["id"].(string)
	if r := e.do(parent, mark, map[string]any{"id": t8, "why": "x"}); r.code() != "FORBIDDEN" {
		t.Fatalf("parent closing a deadline: %s", r.raw)
	}
	r = e.must(alnco, mark, map[string]any{"id": t8, "why": "The learner left Wales"})
	if r.str("markDeadlineNotApplicable", "deadline", "status") != "NOT_APPLICABLE" || r.str("markDeadlineNotApplicable", "deadline", "closure", "reason") != "The learner left Wales" {
		t.Fatalf("not applicable: %s", r.raw)
	}
	if r := e.do(alnco, mark, map[string]any{"id": t8, "why": "again"}); r.code() != "INVALID" {
		t.Fatalf("closing twice: %s", r.raw)
	}
}

// TestWebhookSubscriptions: staff subscribe a URL to their school's
// notices, an overdue deadline's notice is delivered to it signed, and its
// delivery log is visible to them (not to the parent); secrets rotate and
// endpoints can be disabled.
func TestWebhookSubscriptions(t *testing.T) {
	e := newEnvOn(t, redistest.StartOwn(t))
	f := e.fixture()
	alnco, parent := e.token(f.alnco), e.token(f.parent)
	var mu sync.Mutex
	var secret string
	got := map[string]string{} // webhook-id → body
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		if err := notify.Verify([]string{secret}, r.Header, body, time.Now(), 5*time.Minute); err != nil {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		got[r.Header.Get("webhook-id")] = string(body)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer rcv.Close()

	create := `mutation($org: ID!, $url: String!) { createWebhookEndpoint(input: {orgId: $org, url: $url}) { secret endpoint { id url active secrets } } }`
	if r := e.do(alnco, create, map[string]any{"org": f.schoolA, "url": "ftp://example.invalid/x"}); r.code() != "INVALID" {
		t.Fatalf("bad URL: %s", r.raw)
	}
	if r := e.do(parent, create, map[string]any{"org": f.schoolA, "url": rcv.URL}); r.code() != "FORBIDDEN" {
		t.Fatalf("parent subscribing: %s", r.raw)
	}
	r := e.must(alnco, create, map[string]any{"org": f.schoolA, "url": rcv.URL})
	mu.Lock()
	secret = r.str("createWebhookEndpoint", "secret")
	mu.Unlock()
	endpoint := r.str("createWebhookEndpoint", "endpoint", "id")
	if !strings.HasPrefix(secret, "whsec_") || r.get("createWebhookEndpoint", "endpoint", "active") != true {
		t.Fatalf("createWebhookEndpoint: %s", r.raw)
	}

	// A decision notice given on 20 September 2026: the appeal window (T17)
	// ended with 14 November, so the application was due by the first
	// working day after, Monday 16 November: overdue on 22 November.
	rec := e.must(alnco, `mutation($in: StatutoryEventInput!) { recordStatutoryEvent(input: $in) { started { id rule { id } due status } } }`,
		map[string]any{"in": map[string]any{"learnerId": f.l1, "kind": "DECISION_NOTICE_GIVEN", "on": "2026-09-20", "orgId": cardiff}})
	if rec.str("recordStatutoryEvent", "started", 0, "due") != "2026-11-16" || rec.str("recordStatutoryEvent", "started", 0, "status") != "MISSED" {
		t.Fatalf("T17: %s", rec.raw)
	}
	dl := rec.str("recordStatutoryEvent", "started", 0, "id")
	// The LA's notices go to the LA's endpoints: subscribe one there too.
	r = e.must(e.token(f.officer), create, map[string]any{"org": cardiff, "url": rcv.URL})
	mu.Lock()
	secret = r.str("createWebhookEndpoint", "secret")
	mu.Unlock()

	w := worker.New(e.rdb, worker.Config{Concurrency: 2, RetryBase: 50 * time.Millisecond, ReconcileEvery: -1, NoticeScanEvery: -1, ShutdownTimeout: 5 * time.Second})
	w.Handle(worker.TypeSendNotice, &worker.NoticeSender{Store: e.db, Webhooks: notify.NewWebhookSender(5*time.Second, loopbackReceivers), Now: e.clock.Now})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = w.Run(ctx) }()
	defer func() { cancel(); <-done }()
	sc := &worker.Scanner{Store: e.db, Queue: worker.NewClient(e.rdb), Now: e.clock.Now}
	if raised, _, err := sc.Scan(context.Background()); err != nil || raised < 1 {
		t.Fatalf("scan: %d, %v", raised, err)
	}
	notices := `query($id: ID!) { deadline(id: $id) { notices { nodes { id kind channel status attempts offset deliveries { ok httpStatus } } } } }`
	deadline := time.Now().Add(30 * time.Second)
	for {
		r = e.must(e.token(f.officer), notices, map[string]any{"id": dl})
		if r.str("deadline", "notices", "nodes", 0, "status") == "SENT" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not sent: %s", r.raw)
		}
		time.Sleep(100 * time.Millisecond)
	}
	nid := r.str("deadline", "notices", "nodes", 0, "id")
	if r.str("deadline", "notices", "nodes", 0, "kind") != "deadline.overdue" || r.get("deadline", "notices", "nodes", 0, "deliveries", 0, "httpStatus") != 204.0 {
		t.Fatalf("notice: %s", r.raw)
	}
	mu.Lock()
	body := got[nid]
	mu.Unlock()
	if !strings.Contains(body, dl) || strings.Contains(body, "Siôn") || strings.Contains(body, "Llŷr") {
		t.Fatalf("webhook body: %s", body)
	}
	if r := e.do(parent, notices, map[string]any{"id": dl}); r.code() != "FORBIDDEN" {
		t.Fatalf("parent reading the delivery log: %s", r.raw)
	}

	// Rotation keeps the old secret signing; disabling stops deliveries.
	rot := e.must(alnco, `mutation($id: ID!) { rotateWebhookSecret(input: {id: $id}) { secret endpoint { secrets } } }`, map[string]any{"id": endpoint})
	if rot.get("rotateWebhookSecret", "endpoint", "secrets") != 2.0 || rot.str("rotateWebhookSecret", "secret") == "" {
		t.Fatalf("rotate: %s", rot.raw)
	}
	off := e.must(alnco, `mutation($id: ID!) { setWebhookEndpointActive(input: {id: $id, active: false}) { endpoint { active disabledReason } } }`, map[string]any{"id": endpoint})
	if off.get("setWebhookEndpointActive", "endpoint", "active") != false {
		t.Fatalf("disable: %s", off.raw)
	}
	if r := e.do(e.token(f.staffB), `mutation($id: ID!) { setWebhookEndpointActive(input: {id: $id, active: true}) { endpoint { active } } }`, map[string]any{"id": endpoint}); r.code() != "NOT_FOUND" {
		t.Fatalf("another school's staff: %s", r.raw)
	}
	list := e.must(alnco, `query($id: ID!) { organisation(id: $id) { webhookEndpoints { id active } } }`, map[string]any{"id": f.schoolA})
	if list.str("organisation", "webhookEndpoints", 0, "id") != endpoint || list.get("organisation", "webhookEndpoints", 0, "active") != false {
		t.Fatalf("list: %s", list.raw)
	}
}
