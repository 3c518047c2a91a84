package server_test

import (
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"github.com/cynllun/cynllun/internal/redistest"
)

// TestNFCAtTheEdge sends decomposed (NFD) Welsh letters, as copied from
// some PDFs and macOS apps, in a learner's name (a variable), plan content
// (variables and a literal) and an upload's name, reads them back
// precomposed (NFC), and finds the exact words in the rendered IDP
// (issue 18 item 1).
func TestNFCAtTheEdge(t *testing.T) {
	e := newEnvOn(t, redistest.StartOwn(t))
	f := e.fixture()
	alnco := e.token(f.alnco)
	e.startWorker()

	const (
		tyNFD, tyNFC            = "Ty\u0302 Gwyn", "Tŷ Gwyn"
		glyndwrNFD, glyndwrNFC  = "Glyndw\u0302r", "Glyndŵr"
		sionNFD, sionNFC        = "Sio\u0302n", "Siôn"
		pentreNFD, pentreNFC    = "Pentre\u0301", "Pentré" // a literal in the query text
		drawingNFD, drawingNFC  = "llun Sio\u0302n.png", "llun Siôn.png"
		provisionNFD, provisNFC = "Sesiynau yn Nhy\u0302 Gwyn bob wythnos", "Sesiynau yn Nhŷ Gwyn bob wythnos"
		summaryNFD, summaryNFC  = "Cyfarfod yn Ysgol Glyndw\u0302r gyda Sio\u0302n", "Cyfarfod yn Ysgol Glyndŵr gyda Siôn"
	)
	for _, s := range []string{tyNFD, glyndwrNFD, sionNFD, pentreNFD, drawingNFD} {
		if norm.NFC.IsNormalString(s) {
			t.Fatalf("fixture %q is already NFC: the test would prove nothing", s)
		}
	}

	r := e.must(alnco, `mutation($in: LearnerInput!) { createLearner(input: $in) { learner { id givenName familyName } } }`,
		map[string]any{"in": map[string]any{
			"givenName": sionNFD, "familyName": glyndwrNFD, "dateOfBirth": "2017-03-01", "language": "CY",
			"laId": cardiff, "settingKind": "SCHOOL", "settingId": f.schoolA,
		}})
	learnerID := r.str("createLearner", "learner", "id")
	if got := r.str("createLearner", "learner", "givenName"); got != sionNFC {
		t.Errorf("givenName %q (%+q), want %q", got, got, sionNFC)
	}
	if got := r.str("createLearner", "learner", "familyName"); got != glyndwrNFC {
		t.Errorf("familyName %q, want %q", got, glyndwrNFC)
	}

	content := sampleContent(provisionNFD)
	content["meetingSummary"] = summaryNFD
	content["needs"] = []any{map[string]any{"description": "Anghenion iaith yn " + tyNFD, "impactOnLearning": "Mae " + sionNFD + " yn hoffi darllen."}}
	// The literal: a string written in the query text, not a variable.
	r = e.must(alnco, `mutation($in: CreatePlanInput!) { createPlan(input: $in) { plan { id } } }`,
		map[string]any{"in": map[string]any{"learnerId": learnerID, "maintainerId": f.schoolA, "content": content}})
	planID := r.str("createPlan", "plan", "id")
	r = e.must(alnco, `mutation($id: ID!) { updatePlanComment: saveVersion(input: {planId: $id, expectedVersion: 1, status: DRAFT, comment: "Newid yn `+pentreNFD+`", content: {meetingSummary: "`+summaryNFD+`"}}) { version { number comment } } }`,
		map[string]any{"id": planID})
	if got := r.str("updatePlanComment", "version", "comment"); got != "Newid yn "+pentreNFC {
		t.Errorf("literal comment %q, want %q", got, "Newid yn "+pentreNFC)
	}
	r = e.must(alnco, `mutation($in: SaveVersionInput!) { saveVersion(input: $in) { version { number } } }`,
		map[string]any{"in": map[string]any{"planId": planID, "expectedVersion": 2, "status": "FINAL", "content": content}})

	r = e.must(alnco, `query($id: ID!) { plan(id: $id) { currentVersion { content { meetingSummary needs { description impactOnLearning } provision { provision } } } } }`, map[string]any{"id": planID})
	for path, want := range map[string]string{
		"meetingSummary":           summaryNFC,
		"needs.0.description":      "Anghenion iaith yn " + tyNFC,
		"needs.0.impactOnLearning": "Mae " + sionNFC + " yn hoffi darllen.",
		"provision.0.provision":    provisNFC,
	} {
		p := []any{"plan", "currentVersion", "content"}
		for _, s := range strings.Split(path, ".") {
			if s == "0" {
				p = append(p, 0)
			} else {
				p = append(p, s)
			}
		}
		if got := r.str(p...); got != want {
			t.Errorf("%s: %q (%+q), want %q", path, got, got, want)
		}
	}

	up := e.upload(alnco, learnerID, drawingNFD, "image/png", pngBytes(t))
	if got := up.str("uploadAttachment", "file", "name"); got != drawingNFC {
		t.Errorf("upload name %q (%+q), want %q", got, got, drawingNFC)
	}

	job := e.must(alnco, `mutation($id: ID!) { renderPlan(input: {planId: $id, language: CY}) { job { id } } }`, map[string]any{"id": planID}).str("renderPlan", "job", "id")
	text := pdfText(t, e.waitForFile(alnco, job))
	for _, want := range []string{sionNFC + " " + glyndwrNFC, tyNFC, "Ysgol " + glyndwrNFC, provisNFC} {
		if !strings.Contains(text, want) {
			t.Errorf("the IDP lacks %q", want)
		}
	}
	for _, bad := range []string{"\u0302", "\ufffd", "Ty Gwyn", "Glyndwr", "Sion "} {
		if strings.Contains(text, bad) {
			t.Errorf("the IDP holds %q (%+q)", bad, bad)
		}
	}
}
