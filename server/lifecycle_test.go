package server_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cynllun/cynllun"
)

// lifecycleWorld adds to the fixture a second Cardiff school with its
// ALNCo, and a learner at school A who turns 16 in March 2027 (compulsory
// school age ends on 25 June 2027), with a parent and their own account,
// and a plan kept by school A.
type lifecycleWorld struct {
	*fixture
	schoolC, staffC, parentY, self, learner, plan string
}

func (e *env) lifecycleWorld() *lifecycleWorld {
	e.t.Helper()
	ctx := context.Background()
	// The world is made on 1 September 2026, the plans started then; the
	// tests run from 22 November.
	back := e.clock.Now().Sub(time.Date(2026, 9, 1, 10, 0, 0, 0, time.UTC))
	e.clock.Advance(-back)
	defer e.clock.Advance(back)
	now := e.clock.Now()
	w := &lifecycleWorld{fixture: e.fixture(), schoolC: "org_school_c", staffC: "usr_staff_c", parentY: "usr_parent_y", self: "usr_self_y", learner: "lrn_y"}
	check := func(err error) {
		e.t.Helper()
		if err != nil {
			e.t.Fatal(err)
		}
	}
	check(e.db.CreateOrganisation(ctx, &cynllun.Organisation{ID: w.schoolC, Kind: cynllun.OrgSchool, Name: "Ysgol y Wern", LAID: cardiff, CreatedAt: now}))
	for _, id := range []string{w.staffC, w.parentY, w.self} {
		check(e.db.UpsertUser(ctx, &cynllun.User{ID: id, Name: "User " + id, Email: id + "@example.invalid", CreatedAt: now}))
	}
	check(e.db.CreateLearner(ctx, &cynllun.Learner{ID: w.learner, GivenName: "Elin", FamilyName: "Ôl", DateOfBirth: cynllun.MustDate("2011-03-01"),
		Language: cynllun.LanguageCY, LAID: cardiff, SettingKind: cynllun.SettingSchool, SettingID: w.schoolA, CreatedAt: now, UpdatedAt: now}))
	for _, r := range []cynllun.Relationship{
		{UserID: w.staffC, Kind: cynllun.RelStaffOf, OrgID: w.schoolC, StaffRole: "ALNCo"},
		{UserID: w.parentY, Kind: cynllun.RelParentOf, LearnerID: w.learner, CreatedBy: w.alnco},
		{UserID: w.self, Kind: cynllun.RelSelf, LearnerID: w.learner, CreatedBy: w.alnco},
	} {
		r.ID, r.CreatedAt = cynllun.NewID(cynllun.PrefixRelationship), now
		check(e.db.CreateRelationship(ctx, &r))
	}
	r := e.must(e.token(w.alnco), `mutation($in: CreatePlanInput!) { createPlan(input: $in) { plan { id } } }`, map[string]any{
		"in": map[string]any{"learnerId": w.learner, "maintainerId": w.schoolA, "content": sampleContent("30 minutes of 1:1 speech and language therapy weekly")},
	})
	w.plan = r.str("createPlan", "plan", "id")
	return w
}

const (
	transferQ = `mutation($in: TransferPlanInput!) { transferPlan(input: $in) {
		plan { id status laMaintained maintainer { id } maintenanceHistory { organisation { id } from to reason } }
		change { id kind reason from { id } to { id } on afterVersion }
		started { rule { id } organisation { id } } closed { rule { id } } } }`
	takeoverQ = `mutation($in: TakeOverPlanInput!) { takeOverPlan(input: $in) {
		plan { id laMaintained maintainer { id } } change { kind reason decidedOn noticeGivenOn } closed { rule { id } } } }`
	ceaseQ = `mutation($in: CeasePlanInput!) { ceasePlan(input: $in) {
		plan { id status cessation { decidedOn noticeGivenOn reasons } viewerCanEdit viewerCanRender } change { kind } closed { rule { id } } } }`
	handoverQ = `mutation($in: RecordYoungPersonHandoverInput!) { recordYoungPersonHandover(input: $in) {
		handover { compulsorySchoolAgeEnded consentGiven consentOn hasCapacity parentAccess parentAccessDecidedBy endedRelationshipIds caseFriend { name } }
		learner { id status } closed { rule { id } } } }`
	planQ = `query($id: ID!) { plan(id: $id) { id status laMaintained maintainer { id } viewerCanEdit viewerCanTransfer viewerCanCease
		maintenanceHistory { organisation { id } from to reason } history { kind change { kind reason } version { number } handover { parentAccess } } } }`
	saveQ = `mutation($in: SaveVersionInput!) { saveVersion(input: $in) { version { number } } }`
)

func rules(r response, path ...any) []string {
	var out []string
	list, _ := r.get(path...).([]any)
	for _, d := range list {
		m, _ := d.(map[string]any)
		rule, _ := m["rule"].(map[string]any)
		id, _ := rule["id"].(string)
		out = append(out, id)
	}
	return out
}

// planState is the plan's maintainer and its number of history entries,
// read by an officer (who may read it whoever maintains it).
func (e *env) planState(officer, plan string) string {
	r := e.must(e.token(officer), planQ, map[string]any{"id": plan})
	hist, _ := r.get("plan", "history").([]any)
	return r.str("plan", "maintainer", "id") + " " + r.str("plan", "status") + " " + strings.Repeat("•", len(hist))
}

// TestPlanLifecycleEndToEnd follows one IDP kept by a school: moved to
// another school mid-year, taken over by the LA, the learner reaching the
// end of compulsory school age, then ceased.
func TestPlanLifecycleEndToEnd(t *testing.T) {
	e := newEnv(t)
	w := e.lifecycleWorld()
	alnco, staffC, officer := e.token(w.alnco), e.token(w.staffC), e.token(w.officer)

	// An in-year move to school C, recorded by the ALNCo of school A.
	r := e.must(alnco, transferQ, map[string]any{"in": map[string]any{"planId": w.plan, "toOrganisationId": w.schoolC,
		"reason": "IN_YEAR_MOVE", "effectiveOn": "2026-11-16"}})
	if r.str("transferPlan", "plan", "id") != w.plan || r.str("transferPlan", "plan", "maintainer", "id") != w.schoolC ||
		r.str("transferPlan", "change", "kind") != "TRANSFERRED" || r.str("transferPlan", "change", "from", "id") != w.schoolA ||
		r.get("transferPlan", "change", "afterVersion") != 1.0 {
		t.Fatalf("transferPlan: %s", r.raw)
	}
	hist, _ := r.get("transferPlan", "plan", "maintenanceHistory").([]any)
	if len(hist) != 2 || r.str("transferPlan", "plan", "maintenanceHistory", 0, "to") != "2026-11-15" ||
		r.str("transferPlan", "plan", "maintenanceHistory", 1, "from") != "2026-11-16" || r.get("transferPlan", "plan", "maintenanceHistory", 1, "to") != nil ||
		r.str("transferPlan", "plan", "maintenanceHistory", 1, "reason") != "IN_YEAR_MOVE" {
		t.Fatalf("maintenance history: %s", r.raw)
	}
	// REGISTERED_AT_NEW_SCHOOL started the new school's review of the
	// adopted plan (T16; T13 when the rules make it recordable).
	if started := rules(r, "transferPlan", "started"); !slices.Contains(started, "T16") || r.str("transferPlan", "started", 0, "organisation", "id") != w.schoolC {
		t.Fatalf("clocks started by the move: %v %s", started, r.raw)
	}
	// The same move again (here from the new school) changes nothing; the
	// old school, no longer responsible, does not see the plan.
	r = e.must(staffC, transferQ, map[string]any{"in": map[string]any{"planId": w.plan, "toOrganisationId": w.schoolC, "reason": "IN_YEAR_MOVE", "effectiveOn": "2026-11-16"}})
	if r.str("transferPlan", "plan", "maintainer", "id") != w.schoolC || len(r.get("transferPlan", "started").([]any)) != 0 ||
		len(r.get("transferPlan", "plan", "maintenanceHistory").([]any)) != 2 {
		t.Fatalf("repeat: %s", r.raw)
	}
	if r = e.do(alnco, transferQ, map[string]any{"in": map[string]any{"planId": w.plan, "toOrganisationId": w.schoolC, "reason": "IN_YEAR_MOVE", "effectiveOn": "2026-11-16"}}); r.code() != "NOT_FOUND" {
		t.Fatalf("old school repeating the move: %s", r.raw)
	}
	// The new school's staff edit the plan; the old school's no longer see it.
	r = e.must(staffC, saveQ, map[string]any{"in": map[string]any{"planId": w.plan, "expectedVersion": 1, "status": "DRAFT",
		"content": sampleContent("30 minutes of 1:1 speech and language therapy weekly, at Ysgol y Wern")}})
	if r.get("saveVersion", "version", "number") != 2.0 {
		t.Fatalf("new school's save: %s", r.raw)
	}
	if r = e.do(alnco, saveQ, map[string]any{"in": map[string]any{"planId": w.plan, "expectedVersion": 2, "status": "DRAFT", "content": sampleContent("x")}}); r.code() != "NOT_FOUND" {
		t.Fatalf("old school's save: %s", r.raw)
	}

	// The LA was asked to take the plan over, and decides to.
	e.must(officer, `mutation($in: StatutoryEventInput!) { recordStatutoryEvent(input: $in) { event { id } } }`,
		map[string]any{"in": map[string]any{"learnerId": w.learner, "kind": "TAKEOVER_REQUESTED", "on": "2026-11-18", "orgId": cardiff, "planId": w.plan}})
	if r = e.do(staffC, takeoverQ, map[string]any{"in": map[string]any{"planId": w.plan, "decidedOn": "2026-11-20", "reasons": "Complex needs"}}); r.code() != "FORBIDDEN" {
		t.Fatalf("takeover by school staff: %s", r.raw)
	}
	r = e.must(officer, takeoverQ, map[string]any{"in": map[string]any{"planId": w.plan, "decidedOn": "2026-11-20", "noticeGivenOn": "2026-11-20",
		"reasons": "Rare and complex needs needing specialist support"}})
	if r.get("takeOverPlan", "plan", "laMaintained") != true || r.str("takeOverPlan", "plan", "maintainer", "id") != cardiff ||
		r.str("takeOverPlan", "change", "kind") != "TAKEN_OVER" || r.str("takeOverPlan", "change", "reason") != "LA_TAKEOVER" {
		t.Fatalf("takeOverPlan: %s", r.raw)
	}
	if closed := rules(r, "takeOverPlan", "closed"); !slices.Contains(closed, "T7") || !slices.Contains(closed, "T16") {
		t.Fatalf("takeover closes T7 and carries the review (T16) to the LA: %v", closed)
	}

	// Still a child: no handover yet, and nothing changes.
	handover := map[string]any{"learnerId": w.learner, "consentGiven": true, "hasCapacity": true, "parentAccess": "END"}
	if r = e.do(officer, handoverQ, map[string]any{"in": handover}); r.code() != "INVALID" || !strings.Contains(string(r.raw), "input.learnerId") {
		t.Fatalf("handover of a child: %s", r.raw)
	}
	// Compulsory school age ends on the last Friday of June 2027.
	e.clock.Advance(time.Until(time.Date(2027, 7, 5, 10, 0, 0, 0, time.UTC)) - time.Until(e.clock.Now()))
	parent, self := e.token(w.parentY), e.token(w.self)
	learnerQ := `query($id: ID!) { learner(id: $id) { id status handover { parentAccess } } }`
	if r = e.must(parent, learnerQ, map[string]any{"id": w.learner}); r.str("learner", "id") != w.learner {
		t.Fatalf("parent before the handover: %s", r.raw)
	}
	r = e.must(officer, handoverQ, map[string]any{"in": handover})
	if r.str("recordYoungPersonHandover", "learner", "status") != "YOUNG_PERSON" || r.str("recordYoungPersonHandover", "handover", "compulsorySchoolAgeEnded") != "2027-06-25" ||
		r.str("recordYoungPersonHandover", "handover", "consentOn") != "2027-07-05" || r.str("recordYoungPersonHandover", "handover", "parentAccessDecidedBy") != "YOUNG_PERSON" ||
		len(r.get("recordYoungPersonHandover", "handover", "endedRelationshipIds").([]any)) != 1 {
		t.Fatalf("handover: %s", r.raw)
	}
	// The young person chose to end their parent's access.
	if r = e.do(parent, learnerQ, map[string]any{"id": w.learner}); r.get("learner") != nil {
		t.Fatalf("parent after the handover: %s", r.raw)
	}
	if r = e.must(self, learnerQ, map[string]any{"id": w.learner}); r.str("learner", "handover", "parentAccess") != "END" || r.str("learner", "status") != "YOUNG_PERSON" {
		t.Fatalf("young person after the handover: %s", r.raw)
	}
	// Staff may no longer undo that choice by recording the parent again;
	// the young person may restore it.
	grant := `mutation($in: GrantAccessInput!) { grantAccess(input: $in) { relationship { id grantedAs } } }`
	regrant := map[string]any{"in": map[string]any{"userId": w.parentY, "kind": "PARENT_OF", "learnerId": w.learner}}
	if r = e.do(officer, grant, regrant); r.code() != "FORBIDDEN" || !strings.Contains(string(r.raw), "only they may restore it") {
		t.Fatalf("officer re-recording the parent after END: %s", r.raw)
	}
	if r = e.do(e.token(w.alnco), grant, regrant); r.code() != "FORBIDDEN" && r.code() != "NOT_FOUND" {
		t.Fatalf("former school re-recording the parent after END: %s", r.raw)
	}

	e.clock.Advance(time.Hour)
	// The LA ceases the plan: school staff may not.
	cease := map[string]any{"planId": w.plan, "decidedOn": "2027-07-05", "noticeGivenOn": "2027-07-05", "reasons": "Outcomes met; no further ALP needed"}
	if r = e.do(staffC, ceaseQ, map[string]any{"in": cease}); r.code() != "FORBIDDEN" {
		t.Fatalf("cease by school staff: %s", r.raw)
	}
	r = e.must(officer, ceaseQ, map[string]any{"in": cease})
	if r.str("ceasePlan", "plan", "status") != "CEASED" || r.str("ceasePlan", "plan", "cessation", "noticeGivenOn") != "2027-07-05" ||
		r.get("ceasePlan", "plan", "viewerCanEdit") != false || r.get("ceasePlan", "plan", "viewerCanRender") != true {
		t.Fatalf("ceasePlan: %s", r.raw)
	}
	if closed := rules(r, "ceasePlan", "closed"); !slices.Contains(closed, "T16") {
		t.Fatalf("cease closes the plan's clocks: %v", closed)
	}
	// No clock of the plan is open: no more notices.
	r = e.must(officer, `query($id: ID!) { learner(id: $id) { deadlines(statuses: [OPEN]) { nodes { rule { id } plan { id } } } } }`, map[string]any{"id": w.learner})
	for _, d := range r.get("learner", "deadlines", "nodes").([]any) {
		if p, _ := d.(map[string]any)["plan"].(map[string]any); p != nil && p["id"] == w.plan {
			t.Fatalf("an open clock of a ceased plan: %s", r.raw)
		}
	}
	// The record is kept and read; writes are refused.
	r = e.must(self, planQ, map[string]any{"id": w.plan})
	var kinds []string
	for _, h := range r.get("plan", "history").([]any) {
		kinds = append(kinds, h.(map[string]any)["kind"].(string))
	}
	if want := []string{"CREATED", "VERSION", "TRANSFERRED", "VERSION", "TAKEN_OVER", "YOUNG_PERSON_HANDOVER", "CEASED"}; !slices.Equal(kinds, want) {
		t.Fatalf("history = %v, want %v", kinds, want)
	}
	if r = e.do(officer, saveQ, map[string]any{"in": map[string]any{"planId": w.plan, "expectedVersion": 2, "status": "DRAFT", "content": sampleContent("x")}}); r.code() != "INVALID" {
		t.Fatalf("save to a ceased plan: %s", r.raw)
	}
	if r = e.do(officer, `mutation($in: OpenReviewInput!) { openReview(input: $in) { review { id } } }`,
		map[string]any{"in": map[string]any{"planId": w.plan, "type": "ANNUAL"}}); r.code() != "INVALID" {
		t.Fatalf("review of a ceased plan: %s", r.raw)
	}
	// Every operation is in the learner's audit trail.
	r = e.must(officer, `query($id: ID!) { auditEvents(learnerId: $id, first: 100) { nodes { part action } } }`, map[string]any{"id": w.learner})
	var actions []string
	for _, ev := range r.get("auditEvents", "nodes").([]any) {
		m := ev.(map[string]any)
		if m["part"] == "plan.lifecycle" || m["part"] == "learner.handover" {
			actions = append(actions, m["action"].(string))
		}
	}
	slices.Sort(actions)
	if want := []string{"cease", "handover", "takeover", "transfer"}; !slices.Equal(actions, want) {
		t.Fatalf("audited lifecycle = %v, want %v", actions, want)
	}
}

// TestPlanLifecycleRefusals: refused by policy, and bad input, change
// nothing.
func TestPlanLifecycleRefusals(t *testing.T) {
	e := newEnv(t)
	w := e.lifecycleWorld()
	before := e.planState(w.officer, w.plan)
	move := func(to, reason, on string) map[string]any {
		return map[string]any{"in": map[string]any{"planId": w.plan, "toOrganisationId": to, "reason": reason, "effectiveOn": on}}
	}
	for _, tt := range []struct {
		name, who string
		vars      map[string]any
		code      string
		field     string
	}{
		{"receiving school's staff cannot see it", w.staffC, move(w.schoolC, "IN_YEAR_MOVE", "2026-11-16"), "NOT_FOUND", ""},
		{"a parent", w.parentY, move(w.schoolC, "IN_YEAR_MOVE", "2026-11-16"), "FORBIDDEN", ""},
		{"the young person", w.self, move(w.schoolC, "IN_YEAR_MOVE", "2026-11-16"), "FORBIDDEN", ""},
		{"another LA's officer", w.officerB, move(w.schoolC, "IN_YEAR_MOVE", "2026-11-16"), "NOT_FOUND", ""},
		{"a school move to an LA", w.alnco, move(cardiff, "IN_YEAR_MOVE", "2026-11-16"), "INVALID", "input.toOrganisationId"},
		{"start of year in November", w.alnco, move(w.schoolC, "START_OF_YEAR_MOVE", "2026-11-16"), "INVALID", "input.effectiveOn"},
		{"school plan to another LA", w.alnco, move(swansea, "MOVE_TO_ANOTHER_LA", "2026-11-16"), "INVALID", "input.reason"},
		{"to the body that keeps it", w.alnco, move(w.schoolA, "IN_YEAR_MOVE", "2026-11-16"), "INVALID", "input.toOrganisationId"},
		{"in the future", w.alnco, move(w.schoolC, "IN_YEAR_MOVE", "2026-12-16"), "INVALID", "input.effectiveOn"},
		{"OTHER without reasons", w.alnco, move(w.schoolC, "OTHER", "2026-11-16"), "INVALID", "input.reasons"},
		{"takeover is its own mutation", w.alnco, move(cardiff, "LA_TAKEOVER", "2026-11-16"), "INVALID", "input.reason"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do(e.token(tt.who), transferQ, tt.vars)
			if r.code() != tt.code || !strings.Contains(string(r.raw), tt.field) {
				t.Fatalf("got %s", r.raw)
			}
		})
	}
	// A school's plan is not ceased by the LA (it takes it over first),
	// and a cessation needs its notice and reasons.
	if r := e.do(e.token(w.officer), ceaseQ, map[string]any{"in": map[string]any{"planId": w.plan, "decidedOn": "2026-11-20", "noticeGivenOn": "2026-11-20", "reasons": "r"}}); r.code() != "FORBIDDEN" {
		t.Fatalf("LA ceasing a school's plan: %s", r.raw)
	}
	if r := e.do(e.token(w.alnco), ceaseQ, map[string]any{"in": map[string]any{"planId": w.plan, "decidedOn": "2026-11-20", "noticeGivenOn": "2026-11-19", "reasons": " "}}); r.code() != "INVALID" ||
		!strings.Contains(string(r.raw), "input.noticeGivenOn") || !strings.Contains(string(r.raw), "input.reasons") {
		t.Fatalf("bad cessation: %s", r.raw)
	}
	if r := e.do(e.token(w.parentY), handoverQ, map[string]any{"in": map[string]any{"learnerId": w.learner, "consentGiven": true, "hasCapacity": true, "parentAccess": "KEEP"}}); r.code() != "FORBIDDEN" {
		t.Fatalf("handover by a parent: %s", r.raw)
	}
	if after := e.planState(w.officer, w.plan); after != before {
		t.Fatalf("refusals changed the plan: %s → %s", before, after)
	}
}

// TestPlanLifecycleMoves: school → FEI at the start of the year, a move
// to another LA and a looked-after child, each with the receiving body's
// access, and a ceased school plan starting the family's four weeks (T11).
func TestPlanLifecycleMoves(t *testing.T) {
	e := newEnv(t)
	w := e.lifecycleWorld()
	ctx := context.Background()
	if err := e.db.CreateOrganisation(ctx, &cynllun.Organisation{ID: "org_fei", Kind: cynllun.OrgFEI, Name: "Coleg Caerdydd a'r Fro", LAID: cardiff, CreatedAt: e.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	// School A ceases the fixture's other plan: T11 starts for the family.
	r := e.must(e.token(w.alnco), ceaseQ, map[string]any{"in": map[string]any{"planId": w.plan1, "decidedOn": "2026-11-20", "noticeGivenOn": "2026-11-21", "reasons": "No longer has ALN"}})
	if r.str("ceasePlan", "plan", "status") != "CEASED" {
		t.Fatalf("cease: %s", r.raw)
	}
	r = e.must(e.token(w.officer), `query($id: ID!) { learner(id: $id) { deadlines(statuses: [OPEN]) { nodes { rule { id } } } } }`, map[string]any{"id": w.l1})
	if !slices.Contains(rules(r, "learner", "deadlines", "nodes"), "T11") {
		t.Fatalf("T11 after a school's cessation: %s", r.raw)
	}
	// School → FEI needs a day in August or September; with one, the FEI's
	// staff would see the learner (their setting becomes the FEI).
	if r = e.do(e.token(w.alnco), transferQ, map[string]any{"in": map[string]any{"planId": w.plan, "toOrganisationId": "org_fei", "reason": "SCHOOL_TO_FEI", "effectiveOn": "2026-11-02"}}); r.code() != "INVALID" {
		t.Fatalf("school → FEI in November: %s", r.raw)
	}
	r = e.must(e.token(w.alnco), transferQ, map[string]any{"in": map[string]any{"planId": w.plan, "toOrganisationId": "org_fei", "reason": "SCHOOL_TO_FEI", "effectiveOn": "2026-09-07"}})
	if r.str("transferPlan", "plan", "maintainer", "id") != "org_fei" {
		t.Fatalf("school → FEI: %s", r.raw)
	}
	// The FEI's plan becomes the LA's for a looked-after child; the
	// Swansea LA looks after them: its officer now reads the learner.
	r = e.must(e.token(w.officer), transferQ, map[string]any{"in": map[string]any{"planId": w.plan, "toOrganisationId": swansea, "reason": "LOOKED_AFTER", "effectiveOn": "2026-11-20"}})
	if r.get("transferPlan", "plan", "laMaintained") != true || r.str("transferPlan", "plan", "maintainer", "id") != swansea {
		t.Fatalf("looked after: %s", r.raw)
	}
	r = e.must(e.token(w.officerB), `query($id: ID!) { learner(id: $id) { lookedAfter localAuthority { id } } }`, map[string]any{"id": w.learner})
	if r.get("learner", "lookedAfter") != true || r.str("learner", "localAuthority", "id") != swansea {
		t.Fatalf("the looking-after LA reads the learner: %s", r.raw)
	}
	// The same plan moves back to Cardiff with a move of residence (the
	// receiving LA's officer records it).
	r = e.must(e.token(w.officer), transferQ, map[string]any{"in": map[string]any{"planId": w.plan, "toOrganisationId": cardiff, "reason": "MOVE_TO_ANOTHER_LA", "effectiveOn": "2026-11-21"}})
	hist, _ := r.get("transferPlan", "plan", "maintenanceHistory").([]any)
	if r.str("transferPlan", "plan", "maintainer", "id") != cardiff || len(hist) != 4 {
		t.Fatalf("move to another LA: %s", r.raw)
	}
}
