package server_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cynllun/cynllun/internal/redistest"
	"github.com/cynllun/cynllun/internal/smtptest"
	"github.com/cynllun/cynllun/notify"
	"github.com/cynllun/cynllun/service"
)

// TestTribunalCaseEndToEnd is issue 17's whole story on the real stores, a
// real SMTP exchange and a real worker: a parent appeals, invites an
// advocate by email for that case; the advocate, new to Cynllun, accepts
// with their own sign-in and files evidence; the LA files its response and
// builds the bundle (rendered by the worker, both sides' evidence in it);
// the parent cannot withdraw the LA's evidence; the advocate withdraws and
// reinstates their own; the parent then withdraws consent and the advocate
// sees nothing: not the learner, the case, the evidence, the bundle or its
// file.
func TestTribunalCaseEndToEnd(t *testing.T) {
	e, srv := tribunalEnv(t)
	e.startWorker()
	f := e.fixture()
	alnco, officer, parent := e.token(f.alnco), e.token(f.officer), e.token(f.parent)
	e.finalise(alnco, f.plan1)

	// The parent appeals against the LA's decision.
	opened := e.must(parent, `mutation($in: OpenCaseInput!) { openCase(input: $in) { case { id viewerSide viewerRole } } }`, map[string]any{"in": map[string]any{
		"learnerId": f.l1, "kind": "APPEAL", "title": "Apêl am therapi iaith", "language": "EN",
		"decision": map[string]any{"kind": "PROVISION", "madeBy": cardiff, "decidedOn": "2026-11-02", "noticeGivenOn": "2026-11-03"},
		"parties":  []any{map[string]any{"role": "APPELLANT", "name": "Mam Siôn"}, map[string]any{"role": "RESPONDENT", "name": "Cardiff Council"}},
	}})
	caseID := opened.str("openCase", "case", "id")
	if opened.str("openCase", "case", "viewerSide") != "APPELLANT" || opened.str("openCase", "case", "viewerRole") != "PARENT" {
		t.Fatalf("the parent's standing: %s", opened.raw)
	}

	// 1. The parent invites an advocate by email, for this case, until a
	// date; no administrator is involved.
	const address = "eiriolwr@advocacy.example"
	inv := e.must(parent, inviteMutation, map[string]any{"in": map[string]any{"learnerId": f.l1, "caseId": caseID, "email": address, "endsAt": "2027-06-30"}})
	if inv.str("inviteAdvocate", "invitation", "status") != "PENDING" || inv.str("inviteAdvocate", "invitation", "email") != address {
		t.Fatalf("invitation: %s", inv.raw)
	}
	tok, _ := lastToken(t, srv, address)

	// 2. The advocate accepts with their own sign-in (an account Cynllun
	// has never seen) and reads the case.
	const advocateID = "idp|eiriolwr"
	advocate := e.token(advocateID)
	acc := e.must(advocate, acceptMutation, map[string]any{"in": map[string]any{"token": tok, "name": "Eiriolwr Annibynnol"}})
	if acc.str("acceptInvitation", "relationship", "kind") != "ADVOCATE_FOR" || acc.str("acceptInvitation", "relationship", "consentBy") != f.parent {
		t.Fatalf("accept: %s", acc.raw)
	}
	standing := e.must(advocate, `query($id: ID!) { case(id: $id) { viewerSide viewerRole viewerCanAddEvidence viewerCanSetBundleSpec } }`, map[string]any{"id": caseID})
	if standing.str("case", "viewerSide") != "APPELLANT" || standing.str("case", "viewerRole") != "ADVOCATE" ||
		standing.get("case", "viewerCanAddEvidence") != true || standing.get("case", "viewerCanSetBundleSpec") != false {
		t.Fatalf("the advocate's standing: %s", standing.raw)
	}

	// 3. The advocate files the appellant's evidence.
	file := func(token, title, kind, date string) response {
		t.Helper()
		r := e.multipartAt(token, `mutation($in: AddEvidenceInput!) { addEvidence(input: $in) { evidence { id side filedAs state file { id } } } }`,
			map[string]any{"in": map[string]any{"caseId": caseID, "title": title, "kind": kind, "date": date, "file": nil}},
			"variables.in.file", "doc.pdf", "application/pdf", tablePDF(t, title, 40))
		if r.code() != "OK" {
			t.Fatalf("file %s: %s", title, r.raw)
		}
		return r
	}
	report := file(advocate, "Independent SaLT report", "REPORT", "2026-11-10")
	reportID, reportFile := report.str("addEvidence", "evidence", "id"), report.str("addEvidence", "evidence", "file", "id")
	if report.str("addEvidence", "evidence", "side") != "APPELLANT" || report.str("addEvidence", "evidence", "filedAs") != "ADVOCATE" ||
		report.str("addEvidence", "evidence", "state") != "DISCLOSED" {
		t.Fatalf("the advocate's report: %s", report.raw)
	}

	// 4. The LA files its response and builds the bundle; the worker
	// renders it with both sides' evidence.
	response := file(officer, "The LA's response", "CASE_STATEMENT", "2026-11-20")
	responseID := response.str("addEvidence", "evidence", "id")
	if response.str("addEvidence", "evidence", "side") != "RESPONDENT" {
		t.Fatalf("the LA's response: %s", response.raw)
	}
	if r := e.do(advocate, `mutation($id: ID!) { renderBundle(input: {caseId: $id}) { bundle { id } } }`, map[string]any{"id": caseID}); r.code() != "FORBIDDEN" {
		t.Fatalf("the appellant's advocate rendered the official bundle: %s", r.raw)
	}
	rev := e.must(officer, `query($id: ID!) { case(id: $id) { revision } }`, map[string]any{"id": caseID}).get("case", "revision")
	e.must(officer, `mutation($in: BundleSpecInput!) { setBundleSpec(input: $in) { case { revision } } }`, map[string]any{"in": map[string]any{
		"caseId": caseID, "expectedRevision": rev, "records": []any{map[string]any{"kind": "PLAN_VERSION", "planId": f.plan1, "version": 1}},
	}})
	b := e.must(officer, `mutation($id: ID!) { renderBundle(input: {caseId: $id}) { bundle { id } } }`, map[string]any{"id": caseID})
	bundleID := b.str("renderBundle", "bundle", "id")
	done := e.waitBundle(advocate, bundleID)
	bundleFile := done.str("bundle", "file", "id")
	resp, pdf := e.get(advocate, "/files/"+bundleFile)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the advocate downloads the bundle: %d", resp.StatusCode)
	}
	index := strings.Join(strings.Fields(pageText(t, pdf, 2)+pageText(t, pdf, 3)), " ")
	for _, want := range []string{"Independent SaLT report", "The LA's response"} {
		if !strings.Contains(index, want) {
			t.Errorf("the bundle's index lacks %q: %s", want, index)
		}
	}

	// 5. The parent cannot withdraw the LA's evidence.
	withdraw := `mutation($id: ID!, $why: String!) { withdrawEvidence(input: {id: $id, reason: $why}) { evidence { state } } }`
	reinstate := `mutation($id: ID!) { reinstateEvidence(input: {id: $id}) { evidence { state } } }`
	if r := e.do(parent, withdraw, map[string]any{"id": responseID, "why": "We disagree"}); r.code() != "FORBIDDEN" {
		t.Fatalf("the parent withdrew the LA's response: %s", r.raw)
	}
	if r := e.do(advocate, withdraw, map[string]any{"id": responseID, "why": "We disagree"}); r.code() != "FORBIDDEN" {
		t.Fatalf("the advocate withdrew the LA's response: %s", r.raw)
	}

	// 6. The advocate withdraws their report and reinstates it; the LA
	// cannot do either.
	if r := e.must(advocate, withdraw, map[string]any{"id": reportID, "why": "An updated report is coming"}); r.str("withdrawEvidence", "evidence", "state") != "WITHDRAWN" {
		t.Fatalf("withdraw: %s", r.raw)
	}
	if r := e.do(officer, reinstate, map[string]any{"id": reportID}); r.code() != "FORBIDDEN" {
		t.Fatalf("the LA reinstated the appellant's report: %s", r.raw)
	}
	if r := e.must(advocate, reinstate, map[string]any{"id": reportID}); r.str("reinstateEvidence", "evidence", "state") != "DISCLOSED" {
		t.Fatalf("reinstate: %s", r.raw)
	}
	states := e.must(officer, `query($id: ID!) { case(id: $id) { evidence { nodes { id state } } } }`, map[string]any{"id": caseID})
	for _, n := range states.get("case", "evidence", "nodes").([]any) {
		if m := n.(map[string]any); m["state"] != "DISCLOSED" {
			t.Errorf("evidence %v after the round trip", m)
		}
	}

	// 7. The parent lists who can see their child, finds the advocate
	// and withdraws the consent.
	rows := accessRows(t, e.must(parent, accessList, map[string]any{"id": f.l1}))
	row := rows[advocateID]
	if row == nil || row["caseId"] != caseID || row["viewerCanRevoke"] != true || row["active"] != true {
		t.Fatalf("the advocate in the parent's list: %v", row)
	}
	e.must(parent, `mutation($in: RevokeAccessInput!) { revokeAccess(input: $in) { relationship { id } } }`, map[string]any{"in": map[string]any{"id": row["id"]}})

	// 8. The advocate sees nothing.
	for _, q := range []struct {
		name, query string
		vars        map[string]any
	}{
		{"learner", `query($id: ID!) { learner(id: $id) { id } }`, map[string]any{"id": f.l1}},
		{"case", `query($id: ID!) { case(id: $id) { id } }`, map[string]any{"id": caseID}},
		{"bundle", `query($id: ID!) { bundle(id: $id) { id } }`, map[string]any{"id": bundleID}},
		{"withdraw", withdraw, map[string]any{"id": reportID, "why": "x"}},
	} {
		if r := e.do(advocate, q.query, q.vars); r.code() != "NOT_FOUND" {
			t.Errorf("the advocate's %s after consent ended: %s", q.name, r.raw)
		}
	}
	for _, id := range []string{reportFile, bundleFile} {
		if resp, _ := e.get(advocate, "/files/"+id); resp.StatusCode != http.StatusNotFound {
			t.Errorf("the advocate downloaded %s after consent ended: %d", id, resp.StatusCode)
		}
	}
	lists := e.must(advocate, `query($ids: [ID!]!) { learners(first: 50) { totalCount nodes { id } } cases(first: 50) { nodes { id } } nodes(ids: $ids) { id } }`,
		map[string]any{"ids": []any{f.l1, caseID, reportID, bundleID}})
	if lists.get("learners", "totalCount") != float64(0) || len(lists.get("cases", "nodes").([]any)) != 0 ||
		slices.ContainsFunc(lists.get("nodes").([]any), func(n any) bool { return n != nil }) {
		t.Errorf("the advocate's lists after consent ended: %s", lists.raw)
	}
}

// tribunalEnv is an environment with its own Redis (it runs a worker) whose
// service emails invitations to a test SMTP server.
func tribunalEnv(t *testing.T) (*env, *smtptest.Server) {
	t.Helper()
	srv := smtptest.Start(t)
	m, err := notify.NewMailer(notify.MailConfig{Host: srv.Host, Port: srv.Port, From: "cynllun@example.invalid", TLS: "none", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return newEnvWith(t, redistest.StartOwn(t), service.WithInvitations(m, 0, "https://app.example/invitations/accept?token={token}")), srv
}
