package server_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/internal/redistest"
)

// vagueContent is the fixture plan's content with a second 2B row that a
// tribunal could not enforce: "access to … as needed", no amount, no
// frequency, no start date, Welsh not stated; and a Welsh row of "regular
// support" (rheolaidd, soft-mutated after a feminine noun) and no amount.
func vagueContent() map[string]any {
	c := sampleContent("30 minutes of 1:1 speech and language therapy weekly")
	c["provision"] = append(c["provision"].([]any),
		map[string]any{"id": "row_vague", "intendedOutcome": "Improve his speech", "provision": "Access to speech and language therapy as needed",
			"provider": "Ysgol Pen-y-Garth", "reviewOrEndDate": "2027-07-16", "dateKind": "REVIEW"},
		map[string]any{"id": "row_cy", "intendedOutcome": "Bydd Siôn yn gallu dilyn cyfarwyddiadau dau gam erbyn Gorffennaf 2027",
			"provision": "Cefnogaeth reolaidd gan gynorthwyydd addysgu", "welshMedium": true,
			"provider": "Ysgol Pen-y-Garth", "startDate": "2026-09-07", "reviewOrEndDate": "2027-07-16", "dateKind": "REVIEW"},
	)
	return c
}

func findingCodes(r response, path ...any) map[string][]string {
	out := map[string][]string{}
	list, _ := r.get(path...).([]any)
	for _, x := range list {
		m := x.(map[string]any)
		row, _ := m["rowId"].(string)
		out[m["rule"].(string)] = append(out[m["rule"].(string)], row+"/"+m["severity"].(string))
	}
	return out
}

// TestPlanQuality drives issue 7 through GraphQL: findings on a draft in
// English and Welsh, the rules with their examples, checking content
// without saving, finalising refused while error-level findings stand,
// an override only by those allowed and kept in the version history, the
// plan check page of a draft's render, and the plan rules joined to a
// review's findings.
func TestPlanQuality(t *testing.T) {
	e := newEnvOn(t, redistest.StartOwn(t))
	e.startWorker()
	f := e.fixture()
	alnco, officer, parent := e.token(f.alnco), e.token(f.officer), e.token(f.parent)
	teacher := "usr_teacher"
	ctx := context.Background()
	if err := e.db.UpsertUser(ctx, userFor(teacher, e.clock.Now())); err != nil {
		t.Fatal(err)
	}
	if err := e.db.CreateRelationship(ctx, &cynllun.Relationship{ID: cynllun.NewID(cynllun.PrefixRelationship), UserID: teacher,
		Kind: cynllun.RelStaffOf, OrgID: f.schoolA, StaffRole: "Class teacher", CreatedAt: e.clock.Now()}); err != nil {
		t.Fatal(err)
	}

	save := `mutation($in: SaveVersionInput!) { saveVersion(input: $in) { version { number status qualityOverride { reason by rules } } } }`
	e.must(alnco, save, map[string]any{"in": map[string]any{"planId": f.plan1, "expectedVersion": 1, "status": "DRAFT", "content": vagueContent()}})

	// Findings on the draft, in both languages, on the rows they concern.
	fq := `query($id: ID!) { plan(id: $id) { version(number: 2) { findings { rule severity section rowId field message { en cy } basis cites { en cy } fix { en cy } } } } }`
	r := e.must(parent, fq, map[string]any{"id": f.plan1})
	got := findingCodes(r, "plan", "version", "findings")
	for rule, want := range map[string]string{
		"PROVISION_NO_AMOUNT": "row_vague/ERROR", "PROVISION_NO_FREQUENCY": "row_vague/ERROR", "PROVISION_NO_START_DATE": "row_vague/ERROR",
		"PROVISION_VAGUE_WORDING": "row_vague/WARNING", "WELSH_MEDIUM_NOT_STATED": "row_vague/",
	} {
		if !slices.ContainsFunc(got[rule], func(s string) bool { return strings.HasPrefix(s, want) }) {
			t.Errorf("%s: %v, want %s", rule, got[rule], want)
		}
	}
	if !slices.ContainsFunc(got["PROVISION_VAGUE_WORDING"], func(s string) bool { return strings.HasPrefix(s, "row_cy/") }) {
		t.Errorf("the mutated Welsh 'reolaidd' was not found: %v", got["PROVISION_VAGUE_WORDING"])
	}
	for _, rule := range []string{"PROVISION_NO_AMOUNT", "PROVISION_NO_FREQUENCY", "PROVISION_NO_START_DATE"} {
		if slices.ContainsFunc(got[rule], func(s string) bool { return strings.HasPrefix(s, "row_salt/") }) {
			t.Errorf("%s fired on a quantified row: %v", rule, got[rule])
		}
	}
	for _, x := range r.get("plan", "version", "findings").([]any) {
		m := x.(map[string]any)
		msg, fix := m["message"].(map[string]any), m["fix"].(map[string]any)
		if msg["en"] == "" || msg["cy"] == "" || fix["en"] == "" || fix["cy"] == "" || m["basis"] == "" || m["section"] == "" {
			t.Errorf("finding without both languages, basis or place: %v", m)
		}
		// Issue 18: the basis in plain words, as the plan check prints it.
		cites := m["cites"].(map[string]any)
		if en, cy := cites["en"].(string), cites["cy"].(string); en == "" || cy == "" || strings.ContainsAny(en+cy, "[]") {
			t.Errorf("finding %v: cites %v", m["rule"], cites)
		}
	}

	// The rules, each with an example that fires and one that does not.
	rules := e.must(parent, `query { planRules { code severity title { en cy } basis fix { en } fires { en } passes { en } } }`, nil)
	if n := len(rules.get("planRules").([]any)); n < 15 {
		t.Fatalf("%d plan rules", n)
	}
	for _, x := range rules.get("planRules").([]any) {
		m := x.(map[string]any)
		if m["fires"].(map[string]any)["en"] == "" || m["passes"].(map[string]any)["en"] == "" {
			t.Errorf("rule %v has no examples", m["code"])
		}
	}

	// Checking content without saving: editors only; nothing is written.
	check := `query($id: ID!, $c: PlanContentInput!) { checkPlan(planId: $id, content: $c) { rule rowId severity } }`
	if rr := e.do(parent, check, map[string]any{"id": f.plan1, "c": vagueContent()}); rr.code() != "FORBIDDEN" {
		t.Fatalf("parent checking: %s", rr.raw)
	}
	cr := e.must(alnco, check, map[string]any{"id": f.plan1, "c": sampleContent("Access to SaLT as needed")})
	if codes := findingCodes(cr, "checkPlan"); codes["PROVISION_VAGUE_WORDING"] == nil || codes["PROVISION_NO_AMOUNT"] != nil {
		// The structured quantity (30 minutes weekly) still gives the amount.
		t.Fatalf("checkPlan: %s", cr.raw)
	}

	// Finalising is refused while error-level findings stand, naming each
	// place, with nothing of the plan's text in the error; nothing is saved.
	final := map[string]any{"planId": f.plan1, "expectedVersion": 2, "status": "FINAL", "content": vagueContent()}
	rr := e.do(alnco, save, map[string]any{"in": final})
	if rr.code() != "INVALID" || !strings.Contains(string(rr.raw), `"input.content.provision.1.startDate"`) ||
		!strings.Contains(string(rr.raw), "PROVISION_NO_AMOUNT") {
		t.Fatalf("finalising over errors: %s", rr.raw)
	}
	if strings.Contains(string(rr.raw), "Access to speech") || strings.Contains(string(rr.raw), "Siôn") {
		t.Fatalf("the refusal repeats the plan's text: %s", rr.raw)
	}
	// An override: not by a class teacher, not by a parent; by the ALNCo
	// with a reason, kept on the version with the rules it overrode.
	final["overrideReason"] = "The SaLT service will confirm the amount after its assessment on 12 January; agreed at the meeting."
	for _, tt := range []struct{ who, token, code string }{{"teacher", e.token(teacher), "FORBIDDEN"}, {"parent", parent, "FORBIDDEN"}} {
		if rr := e.do(tt.token, save, map[string]any{"in": final}); rr.code() != tt.code {
			t.Errorf("%s overriding: %s", tt.who, rr.raw)
		}
	}
	if n := e.must(alnco, `query($id: ID!) { plan(id: $id) { currentVersionNumber } }`, map[string]any{"id": f.plan1}).get("plan", "currentVersionNumber"); n != float64(2) {
		t.Fatalf("a refused finalisation saved a version: %v", n)
	}
	ov := e.must(alnco, save, map[string]any{"in": final})
	o := func(k string) any { return ov.get("saveVersion", "version", "qualityOverride", k) }
	if ov.str("saveVersion", "version", "status") != "FINAL" || o("by") != f.alnco || !strings.Contains(o("reason").(string), "SaLT service") ||
		!slices.Contains(toStrings(o("rules")), "PROVISION_NO_START_DATE") {
		t.Fatalf("override: %s", ov.raw)
	}
	hist := e.must(parent, `query($id: ID!) { plan(id: $id) { versions(first: 10) { edges { node { number status qualityOverride { by rules } } } } } }`, map[string]any{"id": f.plan1})
	edges := hist.get("plan", "versions", "edges").([]any)
	if len(edges) != 3 || hist.get("plan", "versions", "edges", 2, "node", "qualityOverride", "by") != f.alnco ||
		hist.get("plan", "versions", "edges", 1, "node", "qualityOverride") != nil {
		t.Fatalf("history: %s", hist.raw)
	}
	// The review's findings include the plan rules on the plan it reviews:
	// version 3, finalised over errors.
	open := `mutation($in: OpenReviewInput!) { openReview(input: $in) { review { id findings { rule section rowId } } } }`
	rv := e.must(alnco, open, map[string]any{"in": map[string]any{"planId": f.plan1, "type": "ANNUAL", "record": goodRecord()}})
	joined := false
	for _, x := range rv.get("openReview", "review", "findings").([]any) {
		if m := x.(map[string]any); m["section"] == "2B" && m["rowId"] == "row_vague" && m["rule"] == "PROVISION_NO_AMOUNT" {
			joined = true
		}
	}
	if !joined {
		t.Fatalf("the review's findings lack the plan rules: %s", rv.raw)
	}
	// Clean content needs no override, and a reason given anyway is not
	// recorded; an LA officer may override too.
	clean := e.must(officer, save, map[string]any{"in": map[string]any{"planId": f.plan1, "expectedVersion": 3, "status": "FINAL",
		"content": sampleContent("30 minutes of 1:1 speech and language therapy weekly"), "overrideReason": "not needed"}})
	if clean.get("saveVersion", "version", "qualityOverride") != nil {
		t.Fatalf("override recorded with nothing to override: %s", clean.raw)
	}

	// The plan check page of the draft (version 2), and none for a FINAL.
	render := `mutation($id: ID!, $v: Int, $c: Boolean) { renderPlan(input: {planId: $id, version: $v, language: BILINGUAL, planCheck: $c}) { job { id status } } }`
	if rr := e.do(alnco, render, map[string]any{"id": f.plan1, "v": 3, "c": true}); rr.code() != "INVALID" {
		t.Fatalf("plan check of a FINAL version: %s", rr.raw)
	}
	plain := e.must(alnco, render, map[string]any{"id": f.plan1, "v": 2, "c": false}).str("renderPlan", "job", "id")
	checked := e.must(alnco, render, map[string]any{"id": f.plan1, "v": 2, "c": true}).str("renderPlan", "job", "id")
	if plain == checked {
		t.Fatal("the plan check render is the plain render's job")
	}
	text := pdfText(t, e.waitForFile(alnco, checked))
	for _, want := range []string{"Gwiriad cynllun / Plan check", "2B", "Gwall / Error"} {
		if !strings.Contains(text, want) {
			t.Errorf("plan check page lacks %q", want)
		}
	}
	if plainText := pdfText(t, e.waitForFile(alnco, plain)); strings.Contains(plainText, "Plan check") {
		t.Error("the plain render has a plan check page")
	}

}
