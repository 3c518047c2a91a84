package server_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/policy"
)

// openSidesCase opens an appeal against Cardiff (the learner's LA) as its
// officer and returns the case's id.
func openSidesCase(t *testing.T, e *env, officer, learnerID, title string) string {
	t.Helper()
	r := e.must(officer, `mutation($in: OpenCaseInput!) { openCase(input: $in) { case { id } } }`, map[string]any{"in": map[string]any{
		"learnerId": learnerID, "kind": "APPEAL", "title": title,
		"decision": map[string]any{"kind": "PROVISION", "madeBy": cardiff, "decidedOn": "2026-11-02", "noticeGivenOn": "2026-11-03"},
		"parties": []any{map[string]any{"role": "APPELLANT", "name": "Mam Siôn"}, map[string]any{"role": "RESPONDENT", "name": "Cardiff Council"},
			map[string]any{"role": "ADVOCATE", "name": "Eiriolwr", "represents": "APPELLANT"}, map[string]any{"role": "WITNESS", "name": "Athro"}},
	}})
	return r.str("openCase", "case", "id")
}

const sidesEvidence = `id state side filedAs withdrawn withdrawnReason disclosedAt history { action by side reason }
	viewerCanWithdraw viewerCanReinstate viewerCanDisclose file { id }`

// TestCaseSides (issue 17): who stands where in an appeal, evidence that
// belongs to the side that filed it (withdrawn and reinstated by that
// side only, undisclosed evidence unseen by the other), the bundle that
// the LA prepares and both sides preview, and the outcome the appellant
// may not record.
func TestCaseSides(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	alnco, officer, parent, advocate := e.token(f.alnco), e.token(f.officer), e.token(f.parent), e.token(f.advocate)
	e.finalise(alnco, f.plan1)
	caseID := openSidesCase(t, e, officer, f.l1, "Apêl")

	// Sides and roles, from each one's relationship to the learner.
	side := `query($id: ID!) { case(id: $id) { viewerSide viewerRole viewerCanEdit viewerCanAddEvidence viewerCanSetBundleSpec viewerCanRender
		viewerCanPreview viewerCanRecordOutcome viewerCanClose parties { role side } } }`
	for _, tt := range []struct {
		who, token, side, role string
		bundle                 bool
	}{
		{"parent", parent, "APPELLANT", "PARENT", false},
		{"advocate", advocate, "APPELLANT", "ADVOCATE", false},
		{"LA officer", officer, "RESPONDENT", "OFFICER", true},
		{"school's ALNCo", alnco, "NONE", "STAFF", false},
	} {
		r := e.must(tt.token, side, map[string]any{"id": caseID})
		c := func(k string) any { return r.get("case", k) }
		party := tt.side != "NONE"
		if c("viewerSide") != tt.side || c("viewerRole") != tt.role || c("viewerCanSetBundleSpec") != tt.bundle || c("viewerCanRender") != tt.bundle ||
			c("viewerCanRecordOutcome") != tt.bundle || c("viewerCanClose") != tt.bundle || c("viewerCanPreview") != true ||
			c("viewerCanEdit") != party || c("viewerCanAddEvidence") != party {
			t.Errorf("%s: %s", tt.who, r.raw)
		}
		var sides []string
		for _, p := range c("parties").([]any) {
			m := p.(map[string]any)
			sides = append(sides, m["role"].(string)+":"+m["side"].(string))
		}
		if want := []string{"APPELLANT:APPELLANT", "RESPONDENT:RESPONDENT", "ADVOCATE:APPELLANT", "WITNESS:NONE"}; !slices.Equal(sides, want) {
			t.Errorf("%s: parties %v, want %v", tt.who, sides, want)
		}
	}

	letter := tablePDF(t, "Decision letter", 3)
	report := tablePDF(t, "EP report", 3)
	addQ := `mutation($in: AddEvidenceInput!) { addEvidence(input: $in) { evidence { ` + sidesEvidence + ` } } }`
	add := func(token string, in map[string]any, data []byte) response {
		t.Helper()
		in["caseId"] = caseID
		withFile := map[string]any{"file": nil}
		for k, v := range in {
			withFile[k] = v
		}
		r := e.multipartAt(token, addQ, map[string]any{"in": withFile}, "variables.in.file", "doc.pdf", "application/pdf", data)
		if r.code() != "OK" {
			t.Fatalf("add evidence: %s", r.raw)
		}
		return r
	}
	ev := func(r response, k string) any { return r.get("addEvidence", "evidence", k) }

	// The LA's decision letter: the respondent's, disclosed.
	dl := add(officer, map[string]any{"title": "Decision letter", "kind": "DECISION", "date": "2026-11-03"}, letter)
	decisionID := dl.str("addEvidence", "evidence", "id")
	if ev(dl, "side") != "RESPONDENT" || ev(dl, "filedAs") != "OFFICER" || ev(dl, "state") != "DISCLOSED" || ev(dl, "viewerCanWithdraw") != true {
		t.Fatalf("LA's letter: %s", dl.raw)
	}

	// The parent may not withdraw the LA's evidence: it is the LA's.
	withdraw := `mutation($in: WithdrawEvidenceInput!) { withdrawEvidence(input: $in) { evidence { ` + sidesEvidence + ` } } }`
	reinstate := `mutation($in: ReinstateEvidenceInput!) { reinstateEvidence(input: $in) { evidence { ` + sidesEvidence + ` } } }`
	disclose := `mutation($in: DiscloseEvidenceInput!) { discloseEvidence(input: $in) { evidence { ` + sidesEvidence + ` } } }`
	r := e.do(parent, withdraw, map[string]any{"in": map[string]any{"id": decisionID, "reason": "I disagree with it"}})
	if r.code() != "FORBIDDEN" || !strings.Contains(string(r.raw), "evidence belongs to the party that filed it") {
		t.Fatalf("parent withdrew the LA's letter: %s", r.raw)
	}
	if r := e.must(parent, `query($id: ID!) { case(id: $id) { evidence { nodes { `+sidesEvidence+` } } } }`, map[string]any{"id": caseID}); r.get("case", "evidence", "nodes", 0, "withdrawn") != false ||
		r.get("case", "evidence", "nodes", 0, "viewerCanWithdraw") != false {
		t.Fatalf("the LA's letter after the parent's attempt: %s", r.raw)
	}

	// The advocate's report: the appellant's. They withdraw it (with a
	// reason) and reinstate it; it leaves the preview and returns.
	rep := add(advocate, map[string]any{"title": "EP report", "kind": "REPORT", "date": "2026-10-01"}, report)
	reportID := rep.str("addEvidence", "evidence", "id")
	if ev(rep, "side") != "APPELLANT" || ev(rep, "filedAs") != "ADVOCATE" {
		t.Fatalf("advocate's report: %s", rep.raw)
	}
	if r := e.do(advocate, withdraw, map[string]any{"in": map[string]any{"id": reportID, "reason": " "}}); r.code() != "INVALID" || !strings.Contains(string(r.raw), `"input.reason"`) {
		t.Fatalf("withdrawal without a reason: %s", r.raw)
	}
	if r := e.do(officer, withdraw, map[string]any{"in": map[string]any{"id": reportID, "reason": "Unhelpful"}}); r.code() != "FORBIDDEN" {
		t.Fatalf("the LA withdrew the appellant's report: %s", r.raw)
	}
	w := e.must(advocate, withdraw, map[string]any{"in": map[string]any{"id": reportID, "reason": "Superseded by the final report"}})
	if w.str("withdrawEvidence", "evidence", "state") != "WITHDRAWN" || w.get("withdrawEvidence", "evidence", "viewerCanReinstate") != true {
		t.Fatalf("withdraw: %s", w.raw)
	}
	inPreview := func(token, id string) bool {
		t.Helper()
		pv := e.must(token, previewQuery, map[string]any{"id": caseID})
		return strings.Contains(string(pv.raw), id)
	}
	if inPreview(officer, reportID) {
		t.Fatal("withdrawn report still in the bundle")
	}
	if r := e.do(officer, reinstate, map[string]any{"in": map[string]any{"id": reportID}}); r.code() != "FORBIDDEN" {
		t.Fatalf("the LA reinstated the appellant's report: %s", r.raw)
	}
	back := e.must(advocate, reinstate, map[string]any{"in": map[string]any{"id": reportID, "reason": "The final report is late"}})
	hist := fmt.Sprint(back.get("reinstateEvidence", "evidence", "history"))
	if back.str("reinstateEvidence", "evidence", "state") != "DISCLOSED" || back.get("reinstateEvidence", "evidence", "withdrawn") != false ||
		!strings.Contains(hist, "WITHDRAW") || !strings.Contains(hist, "REINSTATE") || !strings.Contains(hist, "Superseded") {
		t.Fatalf("reinstate: %s", back.raw)
	}
	if !inPreview(parent, reportID) {
		t.Fatal("reinstated report not back in the bundle")
	}

	// Evidence filed and not disclosed is the filing side's alone: not
	// listed, read or downloaded by the other side, nor in the bundle.
	draft := add(officer, map[string]any{"title": "Draft case statement", "kind": "CASE_STATEMENT", "disclose": false}, tablePDF(t, "Draft statement", 2))
	draftID, draftFile := draft.str("addEvidence", "evidence", "id"), draft.str("addEvidence", "evidence", "file", "id")
	if ev(draft, "state") != "FILED" || ev(draft, "viewerCanDisclose") != true {
		t.Fatalf("filed evidence: %s", draft.raw)
	}
	listed := func(token string) []string {
		t.Helper()
		r := e.must(token, `query($id: ID!) { case(id: $id) { evidence { nodes { id } } } }`, map[string]any{"id": caseID})
		var ids []string
		for _, n := range r.get("case", "evidence", "nodes").([]any) {
			ids = append(ids, n.(map[string]any)["id"].(string))
		}
		return ids
	}
	for _, tok := range []string{parent, advocate, alnco} {
		if slices.Contains(listed(tok), draftID) {
			t.Errorf("undisclosed evidence listed to the other side")
		}
		if resp, _ := e.get(tok, "/files/"+draftFile); resp.StatusCode != 404 {
			t.Errorf("undisclosed evidence downloaded by the other side: %d", resp.StatusCode)
		}
		if r := e.do(tok, disclose, map[string]any{"in": map[string]any{"id": draftID}}); r.code() != "NOT_FOUND" {
			t.Errorf("other side reached undisclosed evidence: %s", r.raw)
		}
	}
	if !slices.Contains(listed(officer), draftID) || inPreview(officer, draftID) {
		t.Fatal("the LA's own filed evidence: listed to it, and out of the bundle until disclosed")
	}
	d := e.must(officer, disclose, map[string]any{"in": map[string]any{"id": draftID}})
	if d.str("discloseEvidence", "evidence", "state") != "DISCLOSED" || !slices.Contains(listed(parent), draftID) || !inPreview(parent, draftID) {
		t.Fatalf("disclosed: %s", d.raw)
	}

	// Every change of an evidence document's state is in the audit trail.
	audit := e.must(officer, `query($l: ID!) { auditEvents(learnerId: $l, first: 200) { nodes { part action actorId } } }`, map[string]any{"l": f.l1})
	var changes []string
	for _, n := range audit.get("auditEvents", "nodes").([]any) {
		m := n.(map[string]any)
		if strings.HasPrefix(m["part"].(string), "case.evidence:") && m["action"] != "read" {
			changes = append(changes, m["action"].(string))
		}
	}
	slices.Sort(changes)
	if want := []string{"disclose", "file", "file-disclosed", "file-disclosed", "reinstate", "withdraw"}; !slices.Equal(changes, want) {
		t.Errorf("audited evidence changes %v, want %v", changes, want)
	}

	// The bundle: the LA prepares it; the appellant previews it but may not
	// set its specification or render the official bundle.
	set := `mutation($in: BundleSpecInput!) { setBundleSpec(input: $in) { case { revision } } }`
	rev := func() any {
		return e.must(officer, `query($id: ID!) { case(id: $id) { revision } }`, map[string]any{"id": caseID}).get("case", "revision")
	}
	spec := func() map[string]any {
		return map[string]any{"caseId": caseID, "expectedRevision": rev(), "records": []any{map[string]any{"kind": "DEADLINES"}}}
	}
	for _, tok := range []string{parent, advocate} {
		r := e.do(tok, set, map[string]any{"in": spec()})
		if r.code() != "FORBIDDEN" || !strings.Contains(string(r.raw), "the respondent prepares the bundle") {
			t.Fatalf("appellant set the bundle specification: %s", r.raw)
		}
	}
	e.must(officer, set, map[string]any{"in": spec()})
	for _, tok := range []string{parent, advocate, officer} {
		if pv := e.must(tok, previewQuery, map[string]any{"id": caseID}); pv.get("case", "bundlePreview", "documentPages") == nil {
			t.Fatalf("preview: %s", pv.raw)
		}
	}

	// The outcome: the appellant may not record one, nor close the case.
	update := `mutation($in: UpdateCaseInput!) { updateCase(input: $in) { case { status outcome revision } } }`
	details := func(extra map[string]any) map[string]any {
		m := map[string]any{"id": caseID, "expectedRevision": rev(), "title": "Apêl",
			"decision": map[string]any{"kind": "PROVISION", "madeBy": cardiff, "decidedOn": "2026-11-02", "noticeGivenOn": "2026-11-03"},
			"lodgedOn": "2026-11-20"}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	for _, tt := range []struct {
		name  string
		extra map[string]any
	}{
		{"an outcome", map[string]any{"outcome": "The LA must provide SaLT"}},
		{"the Tribunal's decision", map[string]any{"decisionSentOn": "2026-11-21"}},
		{"a resolution", map[string]any{"status": "RESOLVED"}},
		{"closing", map[string]any{"status": "CLOSED", "closedOn": "2026-11-22"}},
	} {
		r := e.do(parent, update, map[string]any{"in": details(tt.extra)})
		if r.code() != "FORBIDDEN" {
			t.Errorf("parent recorded %s: %s", tt.name, r.raw)
		}
	}
	// Those on neither side are refused before their input is checked: a
	// bad title and a stale revision are FORBIDDEN to them, not INVALID
	// or CONFLICT.
	for _, in := range []map[string]any{details(map[string]any{"title": " "}), details(map[string]any{"expectedRevision": 0})} {
		if r := e.do(alnco, update, map[string]any{"in": in}); r.code() != "FORBIDDEN" {
			t.Errorf("the school's ALNCo updating an appeal against the LA: %s", r.raw)
		}
	}
	// The appellant lodges the appeal; the LA records the decision sent.
	if r := e.must(parent, update, map[string]any{"in": details(nil)}); r.str("updateCase", "case", "status") != "LODGED" {
		t.Fatalf("lodge: %s", r.raw)
	}
	if r := e.must(officer, update, map[string]any{"in": details(map[string]any{"decisionSentOn": "2026-11-21", "outcome": "Appeal allowed in part"})}); r.str("updateCase", "case", "status") != "DECIDED" {
		t.Fatalf("decided: %s", r.raw)
	}
}

// TestCasePermissionsAPI calls each case mutation as each party of an
// appeal and expects exactly what policy.CaseTable says for their side
// (and, for evidence, whose evidence it is).
func TestCasePermissionsAPI(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	alnco, officer, parent, advocate := e.token(f.alnco), e.token(f.officer), e.token(f.parent), e.token(f.advocate)
	e.finalise(alnco, f.plan1)
	caseID := openSidesCase(t, e, officer, f.l1, "Matrix")
	pdf := tablePDF(t, "Evidence", 2)
	addQ := `mutation($in: AddEvidenceInput!) { addEvidence(input: $in) { evidence { id } } }`
	addAs := func(token string, disclose bool) response {
		return e.multipartAt(token, addQ, map[string]any{"in": map[string]any{"caseId": caseID, "title": "Doc", "kind": "OTHER", "file": nil, "disclose": disclose}},
			"variables.in.file", "doc.pdf", "application/pdf", pdf)
	}
	own := map[cynllun.CaseSide]string{
		cynllun.SideAppellant:  addAs(parent, true).str("addEvidence", "evidence", "id"),
		cynllun.SideRespondent: addAs(officer, true).str("addEvidence", "evidence", "id"),
	}
	rev := func() any {
		return e.must(officer, `query($id: ID!) { case(id: $id) { revision } }`, map[string]any{"id": caseID}).get("case", "revision")
	}
	// Every update sends the dates recorded so far (each replaces the
	// stored one), and what it changes.
	dates := map[string]any{"lodgedOn": "2026-11-20"}
	details := func(extra map[string]any) map[string]any {
		m := map[string]any{"id": caseID, "expectedRevision": rev(), "title": "Matrix",
			"decision": map[string]any{"kind": "PROVISION", "madeBy": cardiff, "decidedOn": "2026-11-02", "noticeGivenOn": "2026-11-03"}}
		for k, v := range dates {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	update := `mutation($in: UpdateCaseInput!) { updateCase(input: $in) { case { revision } } }`
	want := func(d policy.CaseDecision) string {
		if d.Allow {
			return "OK"
		}
		return "FORBIDDEN"
	}
	for _, pt := range []struct {
		name  string
		token string
		side  cynllun.CaseSide
	}{
		{"parent", parent, cynllun.SideAppellant},
		{"advocate", advocate, cynllun.SideAppellant},
		{"LA officer", officer, cynllun.SideRespondent},
		{"school's ALNCo", alnco, cynllun.SideNone},
	} {
		check := func(what string, op policy.CaseOp, owner cynllun.CaseSide, r response) {
			t.Helper()
			if w := want(policy.CaseMay(op, pt.side, owner)); r.code() != w {
				t.Errorf("%s %s (%s, evidence of %s): %s, want %s: %s", pt.name, what, op, owner, r.code(), w, r.raw)
			}
		}
		check("addEvidence", policy.OpAddEvidence, "", addAs(pt.token, true))
		for _, owner := range []cynllun.CaseSide{cynllun.SideAppellant, cynllun.SideRespondent} {
			id := own[owner]
			check("withdrawEvidence", policy.OpWithdrawEvidence, owner,
				e.do(pt.token, `mutation($id: ID!) { withdrawEvidence(input: {id: $id, reason: "x"}) { evidence { id } } }`, map[string]any{"id": id}))
			check("reinstateEvidence", policy.OpReinstateEvidence, owner,
				e.do(pt.token, `mutation($id: ID!) { reinstateEvidence(input: {id: $id}) { evidence { id } } }`, map[string]any{"id": id}))
		}
		if pt.side != cynllun.SideNone {
			// Disclosing: one's own filed evidence.
			filed := addAs(pt.token, false).str("addEvidence", "evidence", "id")
			check("discloseEvidence", policy.OpDiscloseEvidence, pt.side,
				e.do(pt.token, `mutation($id: ID!) { discloseEvidence(input: {id: $id}) { evidence { id } } }`, map[string]any{"id": filed}))
		}
		check("discloseEvidence", policy.OpDiscloseEvidence, cynllun.SideRespondent, func() response {
			// The respondent's evidence, disclosed already: only its side may.
			return e.do(pt.token, `mutation($id: ID!) { discloseEvidence(input: {id: $id}) { evidence { id } } }`, map[string]any{"id": own[cynllun.SideRespondent]})
		}())
		check("setBundleSpec", policy.OpSetBundleSpec, "", e.do(pt.token, `mutation($in: BundleSpecInput!) { setBundleSpec(input: $in) { case { revision } } }`,
			map[string]any{"in": map[string]any{"caseId": caseID, "expectedRevision": rev(), "records": []any{map[string]any{"kind": "DEADLINES"}}}}))
		check("renderBundle", policy.OpRenderBundle, "", e.do(pt.token, `mutation($id: ID!) { renderBundle(input: {caseId: $id}) { bundle { id } } }`, map[string]any{"id": caseID}))
		check("bundlePreview", policy.OpPreviewBundle, "", e.do(pt.token, `query($id: ID!) { case(id: $id) { bundlePreview { documentPages } } }`, map[string]any{"id": caseID}))
		check("updateCase (details)", policy.OpRecordProgress, "", e.do(pt.token, update, map[string]any{"in": details(map[string]any{"issues": []any{pt.name}})}))
		hearing := fmt.Sprintf("2027-01-%02d", 10+len(pt.name)%15)
		hr := e.do(pt.token, update, map[string]any{"in": details(map[string]any{"hearingOn": hearing})})
		check("updateCase (hearing)", policy.OpRecordHearing, "", hr)
		if hr.code() == "OK" {
			dates["hearingOn"] = hearing
		}
		check("updateCase (outcome)", policy.OpRecordOutcome, "", e.do(pt.token, update, map[string]any{"in": details(map[string]any{"outcome": "by " + pt.name})}))
	}
	// Closing, last: the appellant may not; the respondent may.
	if r := e.do(parent, update, map[string]any{"in": details(map[string]any{"status": "CLOSED", "closedOn": "2026-11-22"})}); r.code() != "FORBIDDEN" {
		t.Errorf("parent closed the case: %s", r.raw)
	}
	if r := e.do(officer, update, map[string]any{"in": details(map[string]any{"status": "CLOSED", "closedOn": "2026-11-22"})}); r.code() != "OK" {
		t.Errorf("LA closing the case: %s", r.raw)
	}
}

// TestEvidenceViewerCanFlat: the viewerCan… fields of a case's evidence add
// the same number of database commands for 2 items as for 12 (the viewer's
// standing is read once per case, not once per item and field). The list
// itself reads each item by _id in the embedded mode, by design.
func TestEvidenceViewerCanFlat(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	officer, parent := e.token(f.officer), e.token(f.parent)
	caseID := openSidesCase(t, e, officer, f.l1, "Flat")
	pdf := tablePDF(t, "Evidence", 2)
	add := func(token string) {
		r := e.multipartAt(token, `mutation($in: AddEvidenceInput!) { addEvidence(input: $in) { evidence { id } } }`,
			map[string]any{"in": map[string]any{"caseId": caseID, "title": "Doc", "kind": "OTHER", "file": nil}}, "variables.in.file", "doc.pdf", "application/pdf", pdf)
		if r.code() != "OK" {
			t.Fatalf("add: %s", r.raw)
		}
	}
	plain := `query($id: ID!) { case(id: $id) { evidence { nodes { id } } } }`
	withCan := `query($id: ID!) { case(id: $id) { evidence { nodes { id viewerCanWithdraw viewerCanReinstate viewerCanDisclose } } } }`
	extra := func() int64 {
		n, _ := e.count(func() { e.must(parent, plain, map[string]any{"id": caseID}) })
		m, _ := e.count(func() { e.must(parent, withCan, map[string]any{"id": caseID}) })
		return m - n
	}
	add(officer)
	add(parent)
	small := extra()
	for range 5 {
		add(officer)
		add(parent)
	}
	if large := extra(); large != small || large > 2 {
		t.Errorf("evidence viewerCan… fields: %d more commands for 12 items, %d for 2 (want the same, at most 2)", large, small)
	}
}
