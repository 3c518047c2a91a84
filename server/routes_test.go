package server_test

import (
	"context"
	"strings"
	"testing"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/calendar"
)

// Issue 16: routes as data, the clocks they start, one event kind per
// legal step, the moves of s.35, T3 and T19, and the smaller fixes.

const (
	recordWithRoute = `mutation($in: StatutoryEventInput!) { recordStatutoryEvent(input: $in) {
		event { id kind decision consentGiven }
		started { id rule { id unit amount } start due status dueOnNonWorkingDay }
		closed { id rule { id } status late closure { status on } }
		route { appealLies caseKinds steps { kind section { en cy } tag window { id } } } } }`
	openCaseRoute = `mutation($in: OpenCaseInput!) { openCase(input: $in) { case { id kind appealDeadline { rule { id } due }
		decision { route { decision maker appealLies caseKinds explanation { en cy } steps { kind section { en } tag caseKind requestEvent clocks { id } } } } } } }`
)

func ruleIDs(r response, path ...any) []string {
	var out []string
	l, _ := r.get(path...).([]any)
	for _, x := range l {
		m, _ := x.(map[string]any)
		rule, _ := m["rule"].(map[string]any)
		id, _ := rule["id"].(string)
		out = append(out, id)
	}
	return out
}

// TestRouteRefusesAppealAgainstSchool (issue 16 item 2): no appeal lies
// against a maintained school. An APPEAL case against a school's decision
// is INVALID on input.kind with the route explained, in English and in
// Welsh, and nothing is written; the route the law gives (the LA
// reconsiders, s.26) is open, and an appeal against the LA's decision is
// accepted with its time to appeal. The routes are listed as data.
func TestRouteRefusesAppealAgainstSchool(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	parent, officer := e.token(f.parent), e.token(f.officer)
	against := func(kind, madeBy, decision string) map[string]any {
		return map[string]any{"in": map[string]any{"learnerId": f.l1, "kind": kind, "title": "Penderfyniad yr ysgol",
			"decision": map[string]any{"kind": decision, "madeBy": madeBy, "decidedOn": "2026-11-02", "noticeGivenOn": "2026-11-03"}}}
	}
	cases0 := e.docs("cases")
	r := e.do(parent, openCaseRoute, against("APPEAL", f.schoolA, "HAS_ALN"))
	msgs, reasons := fieldMessages(r)
	if r.code() != "INVALID" || reasons["input.kind"] != "ROUTE_NOT_ALLOWED" ||
		!strings.Contains(msgs["input.kind"], "no APPEAL case lies against this decision: No appeal lies against a maintained school") ||
		!strings.Contains(msgs["input.kind"], "Next steps: ask the local authority to reconsider (s.26); use the local authority's disagreement resolution arrangements (s.68).") {
		t.Fatalf("an appeal against a school's decision: %s", r.raw)
	}
	cy, lang := e.doLang(parent, "cy", openCaseRoute, against("APPEAL", f.schoolA, "HAS_ALN"))
	msgs, _ = fieldMessages(cy)
	if lang != "cy" || !strings.Contains(msgs["input.kind"], "nid oes achos APPEAL yn bosibl yn erbyn y penderfyniad hwn: Nid oes apêl yn erbyn ysgol a gynhelir") ||
		!strings.Contains(msgs["input.kind"], "gofyn i'r awdurdod lleol ailystyried (a.26)") {
		t.Fatalf("in Welsh (%s): %s", lang, cy.raw)
	}
	// The school's IDP and its decision to cease: the same refusal, naming
	// their own sections.
	for decision, section := range map[string]string{"PROVISION": "(s.27)", "CEASE_TO_MAINTAIN": "(s.32)"} {
		r := e.do(officer, openCaseRoute, against("APPEAL", f.schoolA, decision))
		if msgs, _ := fieldMessages(r); r.code() != "INVALID" || !strings.Contains(msgs["input.kind"], section) {
			t.Errorf("APPEAL against a school's %s: %s", decision, r.raw)
		}
	}
	if n := e.docs("cases"); n != cases0 {
		t.Fatalf("refused cases wrote %d documents", n-cases0)
	}

	// The route the law gives: the LA reconsiders the school's decision.
	r = e.must(parent, openCaseRoute, against("RECONSIDERATION", f.schoolA, "HAS_ALN"))
	route := []any{"openCase", "case", "decision", "route"}
	if r.get(append(route, "appealLies")...) != false || r.str(append(route, "maker")...) != "SCHOOL" ||
		r.str(append(route, "steps", 0, "kind")...) != "LA_RECONSIDERATION" || r.str(append(route, "steps", 0, "section", "en")...) != "s.26" ||
		r.str(append(route, "steps", 0, "requestEvent")...) != "RECONSIDER_ALN_DECISION_REQUESTED" ||
		r.str(append(route, "steps", 0, "clocks", 0, "id")...) != "T5" || r.get("openCase", "case", "appealDeadline") != nil {
		t.Fatalf("a reconsideration of the school's decision: %s", r.raw)
	}
	// An appeal against the LA's decision lies, with its time to appeal.
	r = e.must(parent, openCaseRoute, against("APPEAL", cardiff, "HAS_ALN"))
	caseID := r.str("openCase", "case", "id")
	if r.get(append(route, "appealLies")...) != true || r.str("openCase", "case", "appealDeadline", "rule", "id") != "T17" {
		t.Fatalf("an appeal against the LA's decision: %s", r.raw)
	}
	// Correcting the decision to the school's is refused on the decision.
	upd := e.do(parent, `mutation($in: UpdateCaseInput!) { updateCase(input: $in) { case { revision } } }`, map[string]any{"in": map[string]any{
		"id": caseID, "expectedRevision": 1, "title": "Penderfyniad", "decision": map[string]any{"kind": "HAS_ALN", "madeBy": f.schoolA}}})
	if msgs, reasons := fieldMessages(upd); upd.code() != "INVALID" || reasons["input.decision.kind"] != "ROUTE_NOT_ALLOWED" || !strings.Contains(msgs["input.decision.kind"], "(s.26)") {
		t.Fatalf("an appeal corrected to a school's decision: %s", upd.raw)
	}

	// The table, as data: every decision kind × body, described.
	all := e.must(parent, `{ routes { decision maker appealLies steps { kind section { en } tag } } }`, nil)
	if n := len(all.get("routes").([]any)); n != 48 {
		t.Fatalf("%d routes, want 12 kinds of decision × 4 kinds of body", n)
	}
	schools := e.must(parent, `{ routes(maker: SCHOOL) { decision appealLies } }`, nil)
	for _, x := range schools.get("routes").([]any) {
		if x.(map[string]any)["appealLies"] != false {
			t.Errorf("an appeal lies against a school: %v", x)
		}
	}
	cease := e.must(parent, `{ routes(decision: CEASE_TO_MAINTAIN, maker: LOCAL_AUTHORITY) { steps { kind tag section { en } } note { en } } }`, nil)
	if cease.str("routes", 0, "steps", 0, "kind") != "TRIBUNAL_APPEAL" || cease.str("routes", 0, "steps", 0, "tag") != "UNCONFIRMED" ||
		!strings.Contains(cease.str("routes", 0, "note", "en"), "not confirmed") {
		t.Fatalf("an LA's decision to cease (appeal unconfirmed): %s", cease.raw)
	}
}

// TestDeadlineRouteClocks (issue 16 items 2 and 3): a decision notice
// starts what its route gives: T17 only where an appeal lies (the LA's), a
// school's decision to cease T11, a school's other decisions nothing (the
// payload says the next step). The three requests to reconsider start
// their own clocks: s.26 T5 alone, s.27 T6 alone, s.32 T21 alone, meeting
// T11. The kind recorded before issue 16 can no longer be recorded, and an
// event stored with it stays readable.
func TestDeadlineRouteClocks(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	alnco, officer := e.token(f.alnco), e.token(f.officer)
	ev := func(kind, on, org string, extra map[string]any) map[string]any {
		in := map[string]any{"learnerId": f.l1, "kind": kind, "on": on}
		if org != "" {
			in["orgId"] = org
		}
		for k, v := range extra {
			in[k] = v
		}
		return map[string]any{"in": in}
	}
	const p = "recordStatutoryEvent"

	r := e.must(alnco, recordWithRoute, ev("DECISION_NOTICE_GIVEN", "2026-10-01", f.schoolA, map[string]any{"decision": "HAS_ALN"}))
	if got := ruleIDs(r, p, "started"); len(got) != 0 || r.get(p, "route", "appealLies") != false ||
		r.str(p, "route", "steps", 0, "kind") != "LA_RECONSIDERATION" || r.str(p, "route", "steps", 0, "section", "en") != "s.26" ||
		r.str(p, "event", "decision") != "HAS_ALN" {
		t.Fatalf("a school's decision notice on ALN: %s", r.raw)
	}
	r = e.must(alnco, recordWithRoute, ev("DECISION_NOTICE_GIVEN", "2026-10-01", f.schoolA, map[string]any{"decision": "CEASE_TO_MAINTAIN"}))
	if got := ruleIDs(r, p, "started"); len(got) != 1 || got[0] != "T11" || r.str(p, "route", "steps", 0, "window", "id") != "T11" {
		t.Fatalf("a school's decision to cease: %s", r.raw)
	}
	// The LA's notice, its decision not said: read as OTHER, T17 as before.
	r = e.must(officer, recordWithRoute, ev("DECISION_NOTICE_GIVEN", "2026-10-01", cardiff, nil))
	if got := ruleIDs(r, p, "started"); len(got) != 1 || got[0] != "T17" || r.get(p, "route", "appealLies") != true || r.get(p, "event", "decision") != nil {
		t.Fatalf("the LA's decision notice: %s", r.raw)
	}
	if r := e.do(alnco, recordWithRoute, ev("ALN_BROUGHT_TO_ATTENTION", "2026-10-01", "", map[string]any{"decision": "HAS_ALN"})); r.code() != "INVALID" {
		t.Fatalf("a decision on another kind of event: %s", r.raw)
	}

	// One kind per legal step.
	r = e.must(officer, recordWithRoute, ev("RECONSIDER_ALN_DECISION_REQUESTED", "2026-10-05", cardiff, nil))
	if got := ruleIDs(r, p, "started"); len(got) != 1 || got[0] != "T5" {
		t.Fatalf("s.26 request: %s", r.raw)
	}
	r = e.must(officer, recordWithRoute, ev("RECONSIDER_IDP_REQUESTED", "2026-10-05", cardiff, nil))
	if got := ruleIDs(r, p, "started"); len(got) != 1 || got[0] != "T6" || r.get(p, "started", 0, "due") != nil {
		t.Fatalf("s.27 request: %s", r.raw)
	}
	// The s.32 request meets T11 (started by the cease notice above) and
	// starts only the LA's reconsideration: no 7-week T5, no T6.
	r = e.must(officer, recordWithRoute, ev("RECONSIDER_CEASE_REQUESTED", "2026-10-12", cardiff, nil))
	if got := ruleIDs(r, p, "started"); len(got) != 1 || got[0] != "T21" {
		t.Fatalf("s.32 request started %v: %s", got, r.raw)
	}
	if got := ruleIDs(r, p, "closed"); len(got) != 1 || got[0] != "T11" || r.str(p, "closed", 0, "status") != "MET" {
		t.Fatalf("s.32 request closed: %s", r.raw)
	}
	r = e.must(officer, recordWithRoute, ev("RECONSIDER_CEASE_DECIDED", "2026-11-02", cardiff, nil))
	if got := ruleIDs(r, p, "closed"); len(got) != 1 || got[0] != "T21" {
		t.Fatalf("s.32 decided closed %v: %s", got, r.raw)
	}
	// The old kind is not recordable any more…
	if r := e.do(officer, recordWithRoute, ev("RECONSIDERATION_REQUESTED", "2026-10-05", cardiff, nil)); r.code() != "INVALID" {
		t.Fatalf("the pre-issue-16 kind recorded: %s", r.raw)
	}
	// …and an event stored with it reads as it was recorded.
	if err := e.db.InsertEvent(context.Background(), &cynllun.StatutoryEvent{ID: "evt_legacy", Kind: "RECONSIDERATION_REQUESTED", LearnerID: f.l1,
		OrgID: cardiff, On: cynllun.MustDate("2026-01-05"), RecordedAt: e.clock.Now(), RecordedBy: f.officer}); err != nil {
		t.Fatal(err)
	}
	r = e.must(officer, `query($id: ID!) { learner(id: $id) { events(first: 50) { nodes { id kind } } } }`, map[string]any{"id": f.l1})
	found := false
	for _, n := range r.get("learner", "events", "nodes").([]any) {
		m := n.(map[string]any)
		found = found || m["id"] == "evt_legacy" && m["kind"] == "RECONSIDERATION_REQUESTED"
	}
	if !found {
		t.Fatalf("the stored pre-issue-16 event: %s", r.raw)
	}
}

// TestDeadlineClosedWithNewStatus (issue 16 item 8): recordStatutoryEvent
// returns the clocks it closed as they stand after it: T5, due Sunday 22
// February 2026 (7 weeks beginning with Monday 5 January) and met late on
// 2 March, comes back MET (late), not MISSED as read before the closure.
// Its due date, a Sunday, is flagged.
func TestDeadlineClosedWithNewStatus(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	officer := e.token(f.officer)
	in := func(kind, on string) map[string]any {
		return map[string]any{"in": map[string]any{"learnerId": f.l1, "kind": kind, "on": on, "orgId": cardiff}}
	}
	const p = "recordStatutoryEvent"
	r := e.must(officer, recordWithRoute, in("RECONSIDER_ALN_DECISION_REQUESTED", "2026-01-05"))
	if r.str(p, "started", 0, "due") != "2026-02-22" || r.get(p, "started", 0, "dueOnNonWorkingDay") != true {
		t.Fatalf("T5 started: %s", r.raw)
	}
	r = e.must(officer, recordWithRoute, in("RECONSIDER_ALN_DECISION_DECIDED", "2026-03-02"))
	if got := ruleIDs(r, p, "closed"); len(got) != 1 || got[0] != "T5" || r.str(p, "closed", 0, "status") != "MET" ||
		r.get(p, "closed", 0, "late") != true || r.str(p, "closed", 0, "closure", "on") != "2026-03-02" {
		t.Fatalf("T5 closed: %s", r.raw)
	}
}

// TestDeadlineCalculationOptions (issue 16 item 8): calculateDeadline
// keeps the deployment's conventions that a request does not give (here
// the default, the event's day as day 1, with INSET days counted at the
// request's asking); it takes the week reading and the appeal extension
// per request; and it flags a due date that is not a working day.
func TestDeadlineCalculationOptions(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	alnco := e.token(f.alnco)
	e.must(alnco, `mutation($org: ID!, $cal: CalendarInput!) { setCalendar(input: {orgId: $org, expectedRevision: 0, calendar: $cal}) { calendar { revision } } }`,
		map[string]any{"org": f.schoolA, "cal": schoolCalendar2026()})
	calc := `query($rule: ID!, $start: Date!, $org: ID, $c: CountingInput, $x: Boolean) { calculateDeadline(rule: $rule, start: $start, orgId: $org, counting: $c, extended: $x) {
		due periodEnd dueOnNonWorkingDay lastWorkingDayBefore assumptions { en } } }`
	// From Friday 20 November 2026, day 1, with the INSET day of 4 January
	// counted: 21 days to 18 December, 4 January (22), 5–8 (26), 11–15 (31),
	// 18–21 January (35). The event's day stays day 1: the request gave
	// only insetDaysCount.
	r := e.must(alnco, calc, map[string]any{"rule": "T1", "start": "2026-11-20", "org": f.schoolA, "c": map[string]any{"insetDaysCount": true}})
	if r.str("calculateDeadline", "due") != "2027-01-21" {
		t.Fatalf("INSET counted, the rest the deployment's: %s", r.raw)
	}
	// Weeks: 12 weeks beginning with Monday 20 October 2025 end on Sunday
	// 11 January 2026, flagged; on the same weekday when asked, Monday 12.
	r = e.must(alnco, calc, map[string]any{"rule": "T4", "start": "2025-10-20"})
	if r.str("calculateDeadline", "due") != "2026-01-11" || r.get("calculateDeadline", "dueOnNonWorkingDay") != true ||
		r.str("calculateDeadline", "lastWorkingDayBefore") != "2026-01-09" {
		t.Fatalf("T4 by default: %s", r.raw)
	}
	r = e.must(alnco, calc, map[string]any{"rule": "T4", "start": "2025-10-20", "c": map[string]any{"weeksEndDayBefore": false}})
	if r.str("calculateDeadline", "due") != "2026-01-12" || r.get("calculateDeadline", "dueOnNonWorkingDay") != false ||
		r.get("calculateDeadline", "lastWorkingDayBefore") != nil {
		t.Fatalf("T4 on the same weekday: %s", r.raw)
	}
	// The appeal extension: 16 weeks beginning on Friday 6 February 2026
	// end on Thursday 28 May; the first working day after, Friday 29 May.
	r = e.must(alnco, calc, map[string]any{"rule": "T17", "start": "2026-02-06", "x": true})
	if r.str("calculateDeadline", "due") != "2026-05-29" || r.str("calculateDeadline", "periodEnd") != "2026-05-28" {
		t.Fatalf("T17 extended: %s", r.raw)
	}
	if r := e.do(alnco, calc, map[string]any{"rule": "T1", "start": "2026-11-20", "org": f.schoolA, "x": true}); r.code() != "INVALID" {
		t.Fatalf("an extension of a rule without one: %s", r.raw)
	} else if _, reasons := fieldMessages(r); reasons["extended"] != "RULE_NO_EXTENSION" {
		t.Fatalf("an extension of a rule without one: %s", r.raw)
	}
}

// TestDeadlineExtensionOnlyWithinPeriod (issue 16 item 8): a referral to
// disagreement resolution extends T17 only before the original period
// expires: 8 weeks beginning on Friday 6 February 2026 end on Thursday 2
// April; T17 is due on the first working day after, Tuesday 7 April. A
// referral on Monday 6 April, after the period, gives no more time; one on
// 2 April gives 8 more weeks (due Friday 29 May).
func TestDeadlineExtensionOnlyWithinPeriod(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	officer := e.token(f.officer)
	rec := `mutation($in: StatutoryEventInput!) { recordStatutoryEvent(input: $in) { started { id due } } }`
	dl := `query($id: ID!) { deadline(id: $id) { due extension { previousDue on } } }`
	for _, tc := range []struct {
		learner, referred, due string
		extended               bool
	}{
		{f.l1, "2026-04-06", "2026-04-07", false},
		{f.l3, "2026-04-02", "2026-05-29", true},
	} {
		r := e.must(officer, rec, map[string]any{"in": map[string]any{"learnerId": tc.learner, "kind": "DECISION_NOTICE_GIVEN", "on": "2026-02-06", "orgId": cardiff, "decision": "PROVISION"}})
		id := r.str("recordStatutoryEvent", "started", 0, "id")
		if r.str("recordStatutoryEvent", "started", 0, "due") != "2026-04-07" {
			t.Fatalf("T17: %s", r.raw)
		}
		e.must(officer, rec, map[string]any{"in": map[string]any{"learnerId": tc.learner, "kind": "DISAGREEMENT_REFERRED", "on": tc.referred, "orgId": cardiff}})
		d := e.must(officer, dl, map[string]any{"id": id})
		if d.str("deadline", "due") != tc.due || (d.get("deadline", "extension") != nil) != tc.extended {
			t.Errorf("referred on %s: %s", tc.referred, d.raw)
		}
	}
}

// feiCalendar2026 is an FEI's own 2026–27 terms (made up for the tests):
// it has given none for 2025–26.
func feiCalendar2026(orgID string) *calendar.Calendar {
	d := cynllun.MustDate
	return &calendar.Calendar{ID: cynllun.PrefixCalendar + orgID, Name: "Coleg Caerdydd a'r Fro", Terms: []calendar.Term{
		{Name: "Autumn term 2026", Start: d("2026-09-07"), End: d("2026-12-18")},
		{Name: "Spring term 2027", Start: d("2027-01-04"), End: d("2027-03-26")},
		{Name: "Summer term 2027", Start: d("2027-04-12"), End: d("2027-06-30")},
	}, Closures: []calendar.Closure{{From: d("2026-10-26"), To: d("2026-10-30"), Reason: calendar.ReasonHalfTerm}}}
}

// TestDeadlineFEIConsentAndTerms (issue 16 items 4 and 8): T3 starts on
// the later of ALN being brought to the FEI's attention and the young
// person's consent, and an attention event that records the consent needs
// no other; its term-time days are the FEI's own: a year the FEI has given
// no terms for is not counted on its LA's school dates (it is refused,
// not counted under the FEI's name).
func TestDeadlineFEIConsentAndTerms(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	ctx, now := context.Background(), e.clock.Now()
	const fei = "org_fei_coleg"
	if err := e.db.CreateOrganisation(ctx, &cynllun.Organisation{ID: fei, Kind: cynllun.OrgFEI, Name: "Coleg Caerdydd a'r Fro", LAID: cardiff, CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	if err := e.db.InsertCalendar(ctx, &calendar.Stored{OrgID: fei, Revision: 1, Calendar: feiCalendar2026(fei), CreatedAt: now, CreatedBy: f.admin}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"lrn_fei_1", "lrn_fei_2"} {
		if err := e.db.CreateLearner(ctx, &cynllun.Learner{ID: id, GivenName: "Dafydd", FamilyName: "Ôl", DateOfBirth: cynllun.DateOf(now.AddDate(-17, -2, 0)),
			Language: cynllun.LanguageCY, LAID: cardiff, SettingKind: cynllun.SettingFEI, SettingID: fei, CreatedAt: now, UpdatedAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	officer := e.token(f.officer)
	calc := `query($start: Date!) { calculateDeadline(rule: "T3", start: $start, orgId: "org_fei_coleg") { due assumptions { en } } }`
	// 2025–26: the FEI gave no terms; its LA's school dates are not its own.
	if r := e.do(officer, calc, map[string]any{"start": "2026-03-03"}); r.code() != "INVALID" {
		t.Fatalf("T3 in a year without the FEI's terms: %s", r.raw)
	}
	// 2026–27 on its own terms: Friday 20 November (1) … 18 December (21),
	// 4–8 January (26), 11–15 (31), 18–21 January (35).
	r := e.must(officer, calc, map[string]any{"start": "2026-11-20"})
	if r.str("calculateDeadline", "due") != "2027-01-21" || !strings.Contains(string(r.raw), "within the term dates of Coleg Caerdydd a'r Fro") {
		t.Fatalf("T3 on the FEI's terms: %s", r.raw)
	}

	rec := func(learner, kind, on string, extra map[string]any) response {
		in := map[string]any{"learnerId": learner, "kind": kind, "on": on, "orgId": fei}
		for k, v := range extra {
			in[k] = v
		}
		return e.must(officer, recordWithRoute, map[string]any{"in": in})
	}
	const p = "recordStatutoryEvent"
	// Brought to the FEI's attention: no decision without consent yet.
	if r := rec("lrn_fei_1", "ALN_BROUGHT_TO_ATTENTION", "2026-11-02", nil); len(ruleIDs(r, p, "started")) != 0 {
		t.Fatalf("T3 before consent: %s", r.raw)
	}
	// Consent a week later: T3 from that day, Monday 9 November: 9–13 (5),
	// 16–20 (10), 23–27 (15), 30 Nov–4 Dec (20), 7–11 (25), 14–18 (30),
	// 4–8 January (35).
	r = rec("lrn_fei_1", "CONSENT_GIVEN", "2026-11-09", nil)
	if got := ruleIDs(r, p, "started"); len(got) != 1 || got[0] != "T3" || r.str(p, "started", 0, "start") != "2026-11-09" || r.str(p, "started", 0, "due") != "2027-01-08" {
		t.Fatalf("T3 on consent: %s", r.raw)
	}
	// Consent recorded with the attention: T3 that day.
	r = rec("lrn_fei_2", "ALN_BROUGHT_TO_ATTENTION", "2026-11-20", map[string]any{"consentGiven": true})
	if got := ruleIDs(r, p, "started"); len(got) != 1 || got[0] != "T3" || r.str(p, "started", 0, "due") != "2027-01-21" || r.get(p, "event", "consentGiven") != true {
		t.Fatalf("T3 with consent recorded on attention: %s", r.raw)
	}
	if r := e.do(officer, recordWithRoute, map[string]any{"in": map[string]any{"learnerId": "lrn_fei_2", "kind": "CONSENT_GIVEN", "on": "2026-11-20", "orgId": fei, "consentGiven": true}}); r.code() != "INVALID" {
		t.Fatalf("consentGiven on another kind: %s", r.raw)
	}
	// A notice that the young person has no ALN meets T3.
	r = rec("lrn_fei_1", "NO_ALN_NOTICE_GIVEN", "2026-11-20", nil)
	if got := ruleIDs(r, p, "closed"); len(got) != 1 || got[0] != "T3" || r.str(p, "closed", 0, "status") != "MET" {
		t.Fatalf("T3 met: %s", r.raw)
	}
}

// TestDeadlineMovesAndTransition (issue 16 item 4): the moves of s.35 can
// be recorded and run their clocks: a start-of-year move (the last day at
// the previous school, then registration before the end of September)
// meets T14 and starts no T13; an in-year registration starts T13 (no gap:
// due that day) met by the IDP's adoption; school to FEI runs T15 to the
// end of September, met by enrolment. T19 has the limit domain.md gives:
// 12 weeks for an LA, 35 school days for a school.
func TestDeadlineMovesAndTransition(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	alnco, staffB, officer := e.token(f.alnco), e.token(f.staffB), e.token(f.officer)
	e.must(alnco, `mutation($org: ID!, $cal: CalendarInput!) { setCalendar(input: {orgId: $org, expectedRevision: 0, calendar: $cal}) { calendar { revision } } }`,
		map[string]any{"org": f.schoolA, "cal": schoolCalendar2026()})
	rec := func(tok, learner, kind, on, org string) response {
		in := map[string]any{"learnerId": learner, "kind": kind, "on": on}
		if org != "" {
			in["orgId"] = org
		}
		return e.must(tok, recordWithRoute, map[string]any{"in": in})
	}
	const p = "recordStatutoryEvent"

	r := rec(alnco, f.l1, "LAST_DAY_AT_PREVIOUS_SCHOOL", "2026-07-17", "")
	if got := ruleIDs(r, p, "started"); len(got) != 1 || got[0] != "T14" || r.str(p, "started", 0, "due") != "2026-09-30" {
		t.Fatalf("T14: %s", r.raw)
	}
	r = rec(alnco, f.l1, "REGISTERED_AT_NEW_SCHOOL", "2026-09-01", "")
	if got := ruleIDs(r, p, "closed"); len(got) != 1 || got[0] != "T14" || r.str(p, "closed", 0, "status") != "MET" {
		t.Fatalf("registration meets T14: %s", r.raw)
	}
	if got := ruleIDs(r, p, "started"); len(got) != 1 || got[0] != "T16" {
		t.Fatalf("a start-of-year move started %v, want T16 alone: %s", got, r.raw)
	}

	r = rec(staffB, f.l2, "REGISTERED_AT_NEW_SCHOOL", "2026-11-02", "")
	got := ruleIDs(r, p, "started")
	if len(got) != 2 || got[0] != "T13" || got[1] != "T16" || r.str(p, "started", 0, "due") != "2026-11-02" {
		t.Fatalf("an in-year move started %v: %s", got, r.raw)
	}
	r = rec(staffB, f.l2, "IDP_ADOPTED", "2026-11-02", "")
	if got := ruleIDs(r, p, "closed"); len(got) != 1 || got[0] != "T13" || r.str(p, "closed", 0, "status") != "MET" || r.get(p, "closed", 0, "late") != false {
		t.Fatalf("IDP adopted: %s", r.raw)
	}

	r = rec(officer, f.l3, "LAST_DAY_AT_SCHOOL", "2026-07-17", "")
	if got := ruleIDs(r, p, "started"); len(got) != 1 || got[0] != "T15" || r.str(p, "started", 0, "due") != "2026-09-30" {
		t.Fatalf("T15: %s", r.raw)
	}
	r = rec(officer, f.l3, "ENROLLED_AT_FEI", "2026-09-07", "")
	if got := ruleIDs(r, p, "closed"); len(got) != 1 || got[0] != "T15" || r.str(p, "closed", 0, "status") != "MET" {
		t.Fatalf("enrolment meets T15: %s", r.raw)
	}

	// T19: 12 weeks beginning with Monday 5 October 2026 for the LA
	// (Sunday 27 December); 35 school days from Friday 20 November for the
	// school, as T1 (Friday 22 January 2027).
	r = rec(officer, f.l3, "IDP_NOTICE_GIVEN", "2026-10-05", cardiff)
	if r.str(p, "started", 0, "rule", "id") != "T19" || r.str(p, "started", 0, "due") != "2026-12-27" || r.str(p, "started", 0, "rule", "unit") != "WEEKS" {
		t.Fatalf("T19 for the LA: %s", r.raw)
	}
	r = rec(alnco, f.l1, "IDP_NOTICE_GIVEN", "2026-11-20", "")
	if r.str(p, "started", 0, "rule", "id") != "T19" || r.str(p, "started", 0, "due") != "2027-01-22" ||
		r.str(p, "started", 0, "rule", "unit") != "SCHOOL_DAYS" || r.get(p, "started", 0, "rule", "amount") != 35.0 {
		t.Fatalf("T19 for the school: %s", r.raw)
	}
	// COMPULSORY_SCHOOL_AGE_ENDED is recordable (T20: no clock).
	if r := rec(officer, f.l3, "COMPULSORY_SCHOOL_AGE_ENDED", "2026-06-26", ""); len(ruleIDs(r, p, "started")) != 0 {
		t.Fatalf("T20: %s", r.raw)
	}
}
