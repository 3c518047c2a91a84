package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/internal/redistest"
)

const reviewFields = `id revision status type planVersionNumber heldOn durationMinutes
	childViews { format text attachments } participants { name agreed }
	decision { kind reasons decidedOn version } revisedVersion { number status review { id } }
	request { by byName requestedOn reason decidedOn decidedBy refusalReasons }
	checklist { code applies met } findings { rule severity section message { en cy } }`

// goodRecord is a full record of a review of fixture plan 1.
func goodRecord() map[string]any {
	return map[string]any{
		"heldOn": "2026-11-20", "durationMinutes": 50,
		"participants": []any{
			map[string]any{"name": "Siôn Llŷr", "role": "CHILD", "attendance": "IN_PERSON", "agreed": true},
			map[string]any{"name": "Mrs Llŷr", "role": "PARENT", "attendance": "IN_PERSON", "agreed": false},
			map[string]any{"name": "Ms Evans", "role": "ALNCO", "organisation": "Ysgol Pen-y-Garth", "attendance": "IN_PERSON", "agreed": true},
		},
		"childViews":  []any{map[string]any{"format": "OWN_WORDS", "text": "Dw i eisiau siarad mwy yn y dosbarth. Mae Mabon yn gŵr bonheddig.", "gatheredBy": "Ms Evans"}},
		"parentViews": []any{map[string]any{"name": "Mrs Llŷr", "text": "Therapy was often cancelled this term."}},
		"personCentred": map[string]any{
			"importantTo": []any{"Football and Mabon the dog"}, "importantFor": []any{"Time to answer"},
			"working": []any{"Visual timetable"}, "notWorking": []any{"Sessions cancelled"},
			"questions":  []any{"Who covers when the therapist is away?"},
			"actionPlan": []any{map[string]any{"action": "Agree cover for therapy", "owner": "ALNCo", "due": "2026-12-18"}},
		},
		"fourPlusOne":        map[string]any{"tried": "Weekly SaLT", "learned": "1:1 works", "pleased": "Follows two steps", "concerned": "Missed sessions", "next": "Increase to 45 minutes"},
		"needsDiscussion":    "Speech and language needs discussed; 2A still right.",
		"provision":          []any{map[string]any{"rowId": "row_salt", "delivered": "PARTLY", "effective": "YES", "stillNeeded": "YES", "change": "INCREASE", "notes": "One session missed in September"}},
		"outcomes":           []any{map[string]any{"rowId": "row_salt", "status": "PARTLY_ACHIEVED", "revised": true}},
		"newEvidence":        []any{map[string]any{"title": "SaLT progress report", "source": "Cardiff and Vale UHB", "date": "2026-11-01"}},
		"capacityDiscussion": "The school can secure the provision.", "canMaintain": true,
		"disagreements": []any{map[string]any{"who": "Mrs Llŷr", "role": "PARENT", "about": "Amount of therapy", "rowId": "row_salt", "details": "Wants 60 minutes", "resolution": "45 minutes agreed for now"}},
	}
}

// finalise saves the fixture plan's content as a FINAL version 2: the plan
// is given (its first review period starts).
func (e *env) finalise(token, planID string) {
	e.t.Helper()
	e.must(token, `mutation($in: SaveVersionInput!) { saveVersion(input: $in) { version { number } } }`, map[string]any{"in": map[string]any{
		"planId": planID, "expectedVersion": 1, "status": "FINAL", "content": sampleContent("30 minutes of 1:1 speech and language therapy weekly"),
	}})
}

func checklist(r response, path ...any) map[string]bool {
	out := map[string]bool{}
	list, _ := r.get(path...).([]any)
	for _, c := range list {
		m := c.(map[string]any)
		out[m["code"].(string)] = m["met"].(bool)
	}
	return out
}

func findingRules(r response, path ...any) []string {
	var out []string
	list, _ := r.get(path...).([]any)
	for _, f := range list {
		out = append(out, f.(map[string]any)["rule"].(string))
	}
	return out
}

// TestReviewRoundTrip: a review opened, recorded, saved again (one stale
// save refused), checked, and concluded with a revised plan: the new
// version is FINAL and linked to the review, the review period restarts,
// the parent reads the review, and its meeting record renders in Welsh.
func TestReviewRoundTrip(t *testing.T) {
	e := newEnvOn(t, redistest.StartOwn(t))
	f := e.fixture()
	alnco, parent := e.token(f.alnco), e.token(f.parent)
	e.finalise(alnco, f.plan1)

	r := e.must(alnco, `query($id: ID!) { plan(id: $id) { reviewPeriod { start end basis daysLeft review { id } } } }`, map[string]any{"id": f.plan1})
	if r.str("plan", "reviewPeriod", "start") != "2026-11-22" || r.str("plan", "reviewPeriod", "end") != "2027-11-21" ||
		r.str("plan", "reviewPeriod", "basis") != "FIRST_GIVEN" || r.get("plan", "reviewPeriod", "daysLeft") != 364.0 {
		t.Fatalf("first review period: %s", r.raw)
	}

	open := `mutation($in: OpenReviewInput!) { openReview(input: $in) { review { ` + reviewFields + ` } } }`
	// Bad records are refused and write nothing.
	bad := goodRecord()
	bad["provision"] = []any{map[string]any{"rowId": "row_nope", "delivered": "YES"}}
	rr := e.do(alnco, open, map[string]any{"in": map[string]any{"planId": f.plan1, "type": "ANNUAL", "record": bad}})
	if rr.code() != "INVALID" || !strings.Contains(string(rr.raw), "input.record.provision.0.rowId") {
		t.Fatalf("unknown row: %s", rr.raw)
	}
	if rr := e.do(e.token(f.parent), open, map[string]any{"in": map[string]any{"planId": f.plan1, "type": "ANNUAL"}}); rr.code() != "FORBIDDEN" {
		t.Fatalf("parent opening a review: %s", rr.raw)
	}

	// Open with a thin record: no child voice, 15 minutes.
	r = e.must(alnco, open, map[string]any{"in": map[string]any{"planId": f.plan1, "type": "ANNUAL", "record": map[string]any{"heldOn": "2026-11-20", "durationMinutes": 15}}})
	id := r.str("openReview", "review", "id")
	if !strings.HasPrefix(id, cynllun.PrefixReview) || r.get("openReview", "review", "revision") != 1.0 || r.str("openReview", "review", "status") != "OPEN" ||
		r.get("openReview", "review", "planVersionNumber") != 2.0 {
		t.Fatalf("openReview: %s", r.raw)
	}
	rules := findingRules(r, "openReview", "review", "findings")
	if !slices.Contains(rules, "REVIEW_UNDER_20_MINUTES") || !slices.Contains(rules, "NO_CHILD_VOICE") || !slices.Contains(rules, "NO_DISCUSSION_OF_PROVISION_DELIVERY") {
		t.Fatalf("red flags on a thin record: %v", rules)
	}
	if cl := checklist(r, "openReview", "review", "checklist"); cl["CHILD_VOICE_UPDATED"] || cl["ALL_PROVISION_REVIEWED"] || len(cl) != 8 {
		t.Fatalf("checklist on a thin record: %v", cl)
	}

	save := `mutation($in: SaveReviewInput!) { saveReview(input: $in) { review { ` + reviewFields + ` } } }`
	r = e.must(alnco, save, map[string]any{"in": map[string]any{"id": id, "expectedRevision": 1, "record": goodRecord(), "comment": "Record written up"}})
	if r.get("saveReview", "review", "revision") != 2.0 || r.str("saveReview", "review", "childViews", 0, "text") != "Dw i eisiau siarad mwy yn y dosbarth. Mae Mabon yn gŵr bonheddig." {
		t.Fatalf("saveReview: %s", r.raw)
	}
	if rules := findingRules(r, "saveReview", "review", "findings"); len(rules) != 0 {
		t.Fatalf("findings on a good record: %v", rules)
	}
	for code, met := range checklist(r, "saveReview", "review", "checklist") {
		if !met {
			t.Errorf("checklist item %s not met by a good record", code)
		}
	}
	// A stale save is a conflict and changes nothing.
	rr = e.do(alnco, save, map[string]any{"in": map[string]any{"id": id, "expectedRevision": 1, "record": map[string]any{}}})
	if rr.code() != "CONFLICT" || rr.Errors[0].Extensions["currentVersion"] != 2.0 {
		t.Fatalf("stale save: %s", rr.raw)
	}

	// Concluding with a revised plan.
	conclude := `mutation($in: ConcludeReviewInput!) { concludeReview(input: $in) { review { ` + reviewFields + ` } } }`
	revised := sampleContent("45 minutes of 1:1 speech and language therapy weekly")
	revised["provision"].([]any)[0].(map[string]any)["quantity"] = map[string]any{"minutesPerSession": 45, "sessions": 1, "per": "WEEK", "groupSize": 1}
	if rr := e.do(alnco, conclude, map[string]any{"in": map[string]any{"id": id, "expectedRevision": 2, "decision": "REVISED", "reasons": "More therapy"}}); rr.code() != "INVALID" {
		t.Fatalf("revised without content: %s", rr.raw)
	}
	if rr := e.do(alnco, conclude, map[string]any{"in": map[string]any{"id": id, "expectedRevision": 2, "decision": "REVISED", "reasons": "More therapy", "content": revised, "expectedVersion": 1}}); rr.code() != "CONFLICT" {
		t.Fatalf("revised from a stale version: %s", rr.raw)
	}
	r = e.must(alnco, conclude, map[string]any{"in": map[string]any{"id": id, "expectedRevision": 2, "decision": "REVISED", "reasons": "Therapy increased to 45 minutes", "content": revised, "expectedVersion": 2}})
	c := "concludeReview"
	if r.str(c, "review", "status") != "CONCLUDED" || r.get(c, "review", "revision") != 3.0 || r.str(c, "review", "decision", "kind") != "REVISED" ||
		r.get(c, "review", "decision", "version") != 3.0 || r.str(c, "review", "decision", "decidedOn") != "2026-11-22" ||
		r.get(c, "review", "revisedVersion", "number") != 3.0 || r.str(c, "review", "revisedVersion", "status") != "FINAL" || r.str(c, "review", "revisedVersion", "review", "id") != id {
		t.Fatalf("concludeReview: %s", r.raw)
	}
	if rr := e.do(alnco, conclude, map[string]any{"in": map[string]any{"id": id, "expectedRevision": 3, "decision": "NO_REVISION", "reasons": "again"}}); rr.code() != "INVALID" {
		t.Fatalf("concluding twice: %s", rr.raw)
	}

	r = e.must(alnco, `query($id: ID!) { plan(id: $id) { currentVersionNumber currentVersion { review { id } content { provision { provision } } }
		reviewPeriod { start end basis review { id } } reviews { nodes { id status } } } }`, map[string]any{"id": f.plan1})
	if r.get("plan", "currentVersionNumber") != 3.0 || r.str("plan", "currentVersion", "review", "id") != id ||
		r.str("plan", "currentVersion", "content", "provision", 0, "provision") != "45 minutes of 1:1 speech and language therapy weekly" ||
		r.str("plan", "reviewPeriod", "basis") != "REVISED_PLAN" || r.str("plan", "reviewPeriod", "start") != "2026-11-22" ||
		r.str("plan", "reviewPeriod", "review", "id") != id || len(r.get("plan", "reviews", "nodes").([]any)) != 1 {
		t.Fatalf("plan after the review: %s", r.raw)
	}

	// The parent reads the review and its history; a stranger cannot.
	r = e.must(parent, `query($id: ID!) { review(id: $id) { status childViews { text } revisions { nodes { revision status } } } }`, map[string]any{"id": id})
	if r.str("review", "status") != "CONCLUDED" || len(r.get("review", "revisions", "nodes").([]any)) != 3 {
		t.Fatalf("parent's view: %s", r.raw)
	}
	if rr := e.do(e.token(f.stranger), `query($id: ID!) { review(id: $id) { id } }`, map[string]any{"id": id}); rr.code() != "NOT_FOUND" {
		t.Fatalf("stranger: %s", rr.raw)
	}
	if rr := e.do(e.token(f.advocateExpired), `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": id}); rr.code() != "NOT_FOUND" {
		t.Fatalf("expired advocate: %s", rr.raw)
	}
	// Reads of the record are audited.
	r = e.must(alnco, `query($l: ID!) { auditEvents(learnerId: $l, first: 200) { edges { node { part actorId } } } }`, map[string]any{"l": f.l1})
	parentRead := false
	for _, ed := range r.get("auditEvents", "edges").([]any) {
		n := ed.(map[string]any)["node"].(map[string]any)
		parentRead = parentRead || (n["part"] == "review.record" && n["actorId"] == f.parent)
	}
	if !parentRead {
		t.Fatalf("the parent's read of the review is not audited: %s", r.raw)
	}

	// The meeting record, rendered by the worker, in Welsh.
	e.startWorker()
	r = e.must(parent, `mutation($id: ID!) { renderMeetingRecord(input: {reviewId: $id, language: CY}) { job { id kind status revision review { id } } } }`, map[string]any{"id": id})
	if r.str("renderMeetingRecord", "job", "kind") != "RENDER_MEETING_RECORD" || r.get("renderMeetingRecord", "job", "revision") != 3.0 {
		t.Fatalf("renderMeetingRecord: %s", r.raw)
	}
	pdf := e.waitForFile(parent, r.str("renderMeetingRecord", "job", "id"))
	text := pdfText(t, pdf)
	for _, want := range []string{
		"Cofnod cyfarfod adolygu'r CDU", "Siôn Llŷr", "Barn y plentyn neu'r person ifanc",
		"Dw i eisiau siarad mwy yn y dosbarth. Mae Mabon yn gŵr bonheddig.",
		"Beth sy'n gweithio", "Y cwestiynau 4+1", "Anghytundebau", "Penderfyniad",
		"Beth newidiodd yn y cynllun", "45 minutes of 1:1 speech and language therapy weekly",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("meeting record lacks %q", want)
		}
	}
	if i, j := strings.Index(text, "Barn y plentyn"), strings.Index(text, "Beth newidiodd yn y cynllun"); i < 0 || j < i {
		t.Errorf("headings out of order (%d, %d)", i, j)
	}
	// Its accessible HTML rendition, made by the same job.
	if _, _, page := e.htmlRendition(parent, r.str("renderMeetingRecord", "job", "id")); !strings.Contains(page, `<html lang="cy">`) ||
		!strings.Contains(page, "Cofnod cyfarfod adolygu&#39;r CDU") || !strings.Contains(page, "Mae Mabon yn gŵr bonheddig.") {
		t.Errorf("the meeting record's HTML rendition: %.300s", page)
	}
	// The same request again returns the same job.
	r2 := e.must(parent, `mutation($id: ID!) { renderMeetingRecord(input: {reviewId: $id, language: CY}) { job { id status } } }`, map[string]any{"id": id})
	if r2.str("renderMeetingRecord", "job", "id") != r.str("renderMeetingRecord", "job", "id") || r2.str("renderMeetingRecord", "job", "status") != "SUCCEEDED" {
		t.Fatalf("second render request: %s", r2.raw)
	}
}

// waitForFile follows a job to its file and downloads it.
func (e *env) waitForFile(token, jobID string) []byte {
	e.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		r := e.must(token, `query($id: ID!) { job(id: $id) { status file { id contentType } } }`, map[string]any{"id": jobID})
		switch r.str("job", "status") {
		case "SUCCEEDED":
			resp, body := e.get(token, "/files/"+r.str("job", "file", "id"))
			if resp.StatusCode != http.StatusOK || r.str("job", "file", "contentType") != "application/pdf" {
				e.t.Fatalf("download: %d", resp.StatusCode)
			}
			return body
		case "FAILED":
			e.t.Fatalf("job failed: %s", r.raw)
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("job did not finish: %s", r.raw)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	if os.Getenv("CYNLLUN_SKIP_PDF_TOOLS") == "1" {
		t.Skip("CYNLLUN_SKIP_PDF_TOOLS=1")
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Fatal("pdftotext not found: install poppler-utils (.ci/run does), or set CYNLLUN_SKIP_PDF_TOOLS=1 to skip")
	}
	path := t.TempDir() + "/doc.pdf"
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	// Join lines so that text wrapped across lines is found.
	return strings.Join(strings.Fields(string(out)), " ")
}

// TestNoRevisionResetsReviewPeriod: a notice of no revision starts a new
// 12-month period on its date and leaves the plan's versions alone.
func TestNoRevisionResetsReviewPeriod(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	alnco := e.token(f.alnco)
	e.finalise(alnco, f.plan1)
	e.clock.Advance(300 * 24 * time.Hour) // 2027-09-18
	period := `query($id: ID!) { plan(id: $id) { currentVersionNumber reviewPeriod { start end basis daysLeft review { id } } } }`
	r := e.must(alnco, period, map[string]any{"id": f.plan1})
	if r.str("plan", "reviewPeriod", "basis") != "FIRST_GIVEN" || r.get("plan", "reviewPeriod", "daysLeft") != 64.0 {
		t.Fatalf("before the review: %s", r.raw)
	}
	rec := goodRecord()
	rec["heldOn"] = "2027-09-17"
	r = e.must(alnco, `mutation($in: OpenReviewInput!) { openReview(input: $in) { review { id } } }`, map[string]any{"in": map[string]any{"planId": f.plan1, "type": "ANNUAL", "record": rec}})
	id := r.str("openReview", "review", "id")
	conclude := `mutation($in: ConcludeReviewInput!) { concludeReview(input: $in) { review { status decision { kind reasons decidedOn version } revisedVersion { number } } } }`
	if rr := e.do(alnco, conclude, map[string]any{"in": map[string]any{"id": id, "expectedRevision": 1, "decision": "NO_REVISION", "reasons": "x", "content": sampleContent("y")}}); rr.code() != "INVALID" {
		t.Fatalf("no revision with content: %s", rr.raw)
	}
	if rr := e.do(alnco, conclude, map[string]any{"in": map[string]any{"id": id, "expectedRevision": 1, "decision": "NO_REVISION", "reasons": "x", "decidedOn": "2027-09-16"}}); rr.code() != "INVALID" {
		t.Fatalf("decided before it was held: %s", rr.raw)
	}
	r = e.must(alnco, conclude, map[string]any{"in": map[string]any{"id": id, "expectedRevision": 1, "decision": "NO_REVISION", "reasons": "The plan still meets Siôn's needs."}})
	if r.str("concludeReview", "review", "decision", "kind") != "NO_REVISION" || r.get("concludeReview", "review", "decision", "version") != nil ||
		r.get("concludeReview", "review", "revisedVersion") != nil || r.str("concludeReview", "review", "decision", "decidedOn") != "2027-09-18" {
		t.Fatalf("conclude: %s", r.raw)
	}
	r = e.must(alnco, period, map[string]any{"id": f.plan1})
	if r.get("plan", "currentVersionNumber") != 2.0 || r.str("plan", "reviewPeriod", "basis") != "NO_REVISION_NOTICE" ||
		r.str("plan", "reviewPeriod", "start") != "2027-09-18" || r.str("plan", "reviewPeriod", "end") != "2028-09-17" ||
		r.str("plan", "reviewPeriod", "review", "id") != id || r.get("plan", "reviewPeriod", "daysLeft") != 365.0 {
		t.Fatalf("after the notice: %s", r.raw)
	}
}

// TestRefusedReviewRequest: a parent's request is recorded, a refusal
// without reasons is refused, and the refusal with reasons is kept with
// who decided and when.
func TestRefusedReviewRequest(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	alnco, parent := e.token(f.alnco), e.token(f.parent)
	req := `mutation($in: RequestReviewInput!) { requestReview(input: $in) { review { ` + reviewFields + ` } } }`
	if rr := e.do(e.token(f.stranger), req, map[string]any{"in": map[string]any{"planId": f.plan1, "reason": "x"}}); rr.code() != "NOT_FOUND" {
		t.Fatalf("stranger: %s", rr.raw)
	}
	if rr := e.do(parent, req, map[string]any{"in": map[string]any{"planId": f.plan1, "reason": " "}}); rr.code() != "INVALID" {
		t.Fatalf("no reason: %s", rr.raw)
	}
	if rr := e.do(alnco, req, map[string]any{"in": map[string]any{"planId": f.plan1, "reason": "Parent phoned"}}); rr.code() != "INVALID" {
		t.Fatalf("staff without requestedBy: %s", rr.raw)
	}
	r := e.must(parent, req, map[string]any{"in": map[string]any{"planId": f.plan1, "reason": "Therapy sessions are not happening.", "requestedByName": "Mrs Llŷr"}})
	id := r.str("requestReview", "review", "id")
	q := "requestReview"
	if r.str(q, "review", "status") != "REQUESTED" || r.str(q, "review", "type") != "ON_REQUEST" || r.str(q, "review", "request", "by") != "PARENT" ||
		r.str(q, "review", "request", "requestedOn") != "2026-11-22" || r.get(q, "review", "checklist") == nil {
		t.Fatalf("requestReview: %s", r.raw)
	}
	decide := `mutation($in: DecideReviewRequestInput!) { decideReviewRequest(input: $in) { review { ` + reviewFields + ` } } }`
	if rr := e.do(parent, decide, map[string]any{"in": map[string]any{"id": id, "expectedRevision": 1, "accept": false, "reasons": "no"}}); rr.code() != "FORBIDDEN" {
		t.Fatalf("parent deciding: %s", rr.raw)
	}
	if rr := e.do(alnco, decide, map[string]any{"in": map[string]any{"id": id, "expectedRevision": 1, "accept": false}}); rr.code() != "INVALID" {
		t.Fatalf("refusal without reasons: %s", rr.raw)
	}
	r = e.must(alnco, `query($id: ID!) { review(id: $id) { revision status } }`, map[string]any{"id": id})
	if r.get("review", "revision") != 1.0 || r.str("review", "status") != "REQUESTED" {
		t.Fatalf("a refused refusal changed the request: %s", r.raw)
	}
	r = e.must(alnco, decide, map[string]any{"in": map[string]any{"id": id, "expectedRevision": 1, "accept": false, "reasons": "A review was held in October and nothing has changed since."}})
	d := "decideReviewRequest"
	if r.str(d, "review", "status") != "REFUSED" || r.get(d, "review", "revision") != 2.0 || r.str(d, "review", "request", "decidedBy") != f.alnco ||
		r.str(d, "review", "request", "decidedOn") != "2026-11-22" || r.str(d, "review", "request", "refusalReasons") != "A review was held in October and nothing has changed since." ||
		r.str(d, "review", "request", "reason") != "Therapy sessions are not happening." || len(r.get(d, "review", "findings").([]any)) != 0 {
		t.Fatalf("refusal: %s", r.raw)
	}
	// A refused request stays refused: it cannot be recorded or concluded.
	if rr := e.do(alnco, `mutation($in: SaveReviewInput!) { saveReview(input: $in) { review { id } } }`, map[string]any{"in": map[string]any{"id": id, "expectedRevision": 2, "record": goodRecord()}}); rr.code() != "INVALID" {
		t.Fatalf("saving a refused review: %s", rr.raw)
	}
	if rr := e.do(alnco, `mutation($id: ID!) { renderMeetingRecord(input: {reviewId: $id}) { job { id } } }`, map[string]any{"id": id}); rr.code() != "INVALID" {
		t.Fatalf("meeting record of a refused review: %s", rr.raw)
	}
	// A second request, later, is accepted: the review opens on the
	// current version and its meeting can be recorded. (Reviews are listed
	// by when they were opened; ids, derived from the request, do not order
	// them.)
	e.clock.Advance(time.Minute)
	r = e.must(parent, req, map[string]any{"in": map[string]any{"planId": f.plan1, "reason": "Siôn is struggling in class."}})
	second := r.str("requestReview", "review", "id")
	r = e.must(alnco, decide, map[string]any{"in": map[string]any{"id": second, "expectedRevision": 1, "accept": true}})
	if r.str(d, "review", "status") != "OPEN" || r.str(d, "review", "request", "decidedBy") != f.alnco || r.str(d, "review", "request", "refusalReasons") != "" {
		t.Fatalf("acceptance: %s", r.raw)
	}
	if rr := e.do(alnco, decide, map[string]any{"in": map[string]any{"id": second, "expectedRevision": 2, "accept": false, "reasons": "x"}}); rr.code() != "INVALID" {
		t.Fatalf("deciding twice: %s", rr.raw)
	}
	r = e.must(alnco, `mutation($in: SaveReviewInput!) { saveReview(input: $in) { review { revision status type request { reason } } } }`,
		map[string]any{"in": map[string]any{"id": second, "expectedRevision": 2, "record": goodRecord()}})
	if r.get("saveReview", "review", "revision") != 3.0 || r.str("saveReview", "review", "status") != "OPEN" || r.str("saveReview", "review", "request", "reason") != "Siôn is struggling in class." {
		t.Fatalf("recording an accepted review: %s", r.raw)
	}

	// The parent sees the refusal and its reasons on the plan.
	r = e.must(parent, `query($id: ID!) { plan(id: $id) { reviews { nodes { id status request { refusalReasons } } } } }`, map[string]any{"id": f.plan1})
	if r.str("plan", "reviews", "nodes", 0, "id") != id || r.str("plan", "reviews", "nodes", 0, "status") != "REFUSED" {
		t.Fatalf("parent's list: %s", r.raw)
	}
}

// upload sends a GraphQL multipart request (uploadAttachment) with one file.
func (e *env) upload(token, learnerID, name, contentType string, data []byte) response {
	e.t.Helper()
	return e.multipart(token, `mutation($l: ID!, $f: Upload!) { uploadAttachment(input: {learnerId: $l, file: $f}) { file { id name contentType size pages sha256 kind downloadUrl } } }`,
		map[string]any{"l": learnerID, "f": nil}, name, contentType, data)
}

// multipart sends one file as variables.f of query (GraphQL multipart
// request spec).
func (e *env) multipart(token, query string, vars map[string]any, name, contentType string, data []byte) response {
	e.t.Helper()
	return e.multipartAt(token, query, vars, "variables.f", name, contentType, data)
}

// multipartAt is multipart with the file at path (variables.in.file).
func (e *env) multipartAt(token, query string, vars map[string]any, path, name, contentType string, data []byte) response {
	e.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	ops, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	_ = w.WriteField("operations", string(ops))
	m, _ := json.Marshal(map[string][]string{"0": {path}})
	_ = w.WriteField("map", string(m))
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="0"; filename="`+name+`"`)
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	part, _ := w.CreatePart(h)
	_, _ = part.Write(data)
	_ = w.Close()
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/graphql", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return e.send(token, req)
}

func pngBytes(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	img.Set(2, 2, color.RGBA{200, 0, 0, 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestUploads: a drawing uploaded by a parent is stored, attached to a
// review and downloaded through a signed link; oversize files, files whose
// content is not what they claim and unaccepted types are refused and
// nothing is stored.
func TestUploads(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	alnco, parent := e.token(f.alnco), e.token(f.parent)
	drawing := pngBytes(t)

	files := func() int64 {
		n, err := e.db.Database().Collection("files.files").CountDocuments(context.Background(), map[string]any{})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := files()
	for _, tt := range []struct {
		name, file, ctype string
		data              []byte
		token, code, msg  string
	}{
		{"claims PDF", "Siôn drawing.pdf", "application/pdf", drawing, parent, "INVALID", "content is a PNG image"},
		{"declared JPEG", "drawing.png", "image/jpeg", drawing, parent, "INVALID", "declared as image/jpeg"},
		{"HTML", "page.html", "text/html", []byte("<!DOCTYPE html><html><body>hi</body></html>"), alnco, "INVALID", "not an accepted type"},
		{"corrupt PDF", "report.pdf", "application/pdf", []byte("%PDF-1.7\nnot really a pdf at all\n"), alnco, "INVALID", "not a readable PDF"},
		{"empty", "empty.png", "image/png", nil, alnco, "INVALID", "empty"},
		{"over the limit", "big.png", "image/png", append(append([]byte(nil), drawing...), make([]byte, 20<<20)...), alnco, "INVALID", "larger than the limit of 20 MiB"},
		{"far over the limit", "huge.png", "image/png", make([]byte, 22<<20), alnco, "INVALID", "an uploaded file may be at most 20 MiB"},
		{"stranger", "drawing.png", "image/png", drawing, e.token(f.stranger), "NOT_FOUND", ""},
		{"advocate", "drawing.png", "image/png", drawing, e.token(f.advocate), "FORBIDDEN", ""},
	} {
		r := e.upload(tt.token, f.l1, tt.file, tt.ctype, tt.data)
		if r.code() != tt.code || !strings.Contains(r.Errors[0].Message, tt.msg) {
			t.Errorf("%s: %s", tt.name, r.raw)
		}
		if strings.Contains(string(r.raw), "Siôn") {
			t.Errorf("%s: the error repeats the file name: %s", tt.name, r.raw)
		}
	}
	if n := files(); n != before {
		t.Fatalf("refused uploads stored %d files", n-before)
	}

	r := e.upload(parent, f.l1, "C:\\Users\\mam\\llun Siôn.png", "image/png", drawing)
	u := "uploadAttachment"
	if r.code() != "OK" || r.str(u, "file", "contentType") != "image/png" || r.str(u, "file", "kind") != "UPLOAD" || r.str(u, "file", "name") != "llun Siôn.png" ||
		r.get(u, "file", "size") != float64(len(drawing)) {
		t.Fatalf("upload: %s", r.raw)
	}
	fileID := r.str(u, "file", "id")
	// The same bytes again are the same file.
	if again := e.upload(alnco, f.l1, "copy.png", "", drawing); again.str(u, "file", "id") != fileID {
		t.Fatalf("second upload: %s", again.raw)
	}
	resp, body := e.get("", r.str(u, "file", "downloadUrl"))
	if resp.StatusCode != http.StatusOK || !bytes.Equal(body, drawing) || resp.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("download: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if resp, _ := e.get(e.token(f.staffB), "/files/"+fileID); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("other school's staff: %d", resp.StatusCode)
	}

	// Attached to a review's child views; an id that is not this learner's
	// upload is refused.
	rec := goodRecord()
	rec["childViews"] = []any{map[string]any{"format": "DRAWING", "attachments": []any{fileID}, "gatheredBy": "Mam"}}
	open := `mutation($in: OpenReviewInput!) { openReview(input: $in) { review { childViews { format attachments } findings { rule } } } }`
	r = e.must(alnco, open, map[string]any{"in": map[string]any{"planId": f.plan1, "type": "ANNUAL", "record": rec}})
	if r.str("openReview", "review", "childViews", 0, "attachments", 0) != fileID || slices.Contains(findingRules(r, "openReview", "review", "findings"), "NO_CHILD_VOICE") {
		t.Fatalf("attached drawing: %s", r.raw)
	}
	rec["childViews"] = []any{map[string]any{"format": "DRAWING", "attachments": []any{"fil_nope"}}}
	if rr := e.do(alnco, open, map[string]any{"in": map[string]any{"planId": f.plan1, "type": "ANNUAL", "record": rec}}); rr.code() != "INVALID" {
		t.Fatalf("unknown attachment: %s", rr.raw)
	}
}

// TestLedger: sessions recorded in bulk (all or nothing), planned against
// delivered for weekly provision, a voided entry, and who may see and write.
func TestLedger(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	alnco, parent := e.token(f.alnco), e.token(f.parent)
	record := `mutation($p: ID!, $s: [SessionInput!]!) { recordSessions(input: {planId: $p, sessions: $s}) { sessions { id rowId date minutes status reason voided } } }`
	good := []any{
		map[string]any{"rowId": "row_salt", "date": "2026-09-08", "status": "DELIVERED", "deliveredBy": "SaLT"},
		map[string]any{"rowId": "row_salt", "date": "2026-09-15", "status": "MISSED", "reason": "PROVIDER_ABSENT", "notes": "Therapist ill"},
		map[string]any{"rowId": "row_salt", "date": "2026-09-22", "status": "DELIVERED", "minutes": 30},
	}
	bad := append(append([]any(nil), good...), map[string]any{"rowId": "row_salt", "date": "2026-09-29", "status": "MISSED"})
	rr := e.do(alnco, record, map[string]any{"p": f.plan1, "s": bad})
	if rr.code() != "INVALID" || !strings.Contains(string(rr.raw), "sessions.3.reason") {
		t.Fatalf("missed without a reason: %s", rr.raw)
	}
	for _, s := range []map[string]any{
		{"rowId": "row_nope", "date": "2026-09-08", "status": "DELIVERED"},
		{"rowId": "row_salt", "date": "2026-12-01", "status": "DELIVERED"},
		{"rowId": "row_salt", "date": "2026-09-01", "status": "DELIVERED"},
		{"rowId": "row_salt", "date": "2026-09-08", "status": "DELIVERED", "minutes": 5000},
	} {
		if rr := e.do(alnco, record, map[string]any{"p": f.plan1, "s": []any{s}}); rr.code() != "INVALID" {
			t.Errorf("%v: %s", s, rr.raw)
		}
	}
	if rr := e.do(parent, record, map[string]any{"p": f.plan1, "s": good}); rr.code() != "FORBIDDEN" {
		t.Fatalf("parent recording: %s", rr.raw)
	}
	ledger := `query($id: ID!, $from: Date, $to: Date) { plan(id: $id) { ledger(from: $from, to: $to) { from to version rows { rowId row { provision }
		basis plannedKnown planned plannedMinutes delivered deliveredMinutes missed missedMinutes shortfallSessions shortfallMinutes periodsShort warnings
		periods { from to planned delivered missed shortfallSessions } } } sessions { nodes { id status voided } } } }`
	vars := map[string]any{"id": f.plan1, "from": "2026-09-07", "to": "2026-09-27"}
	if r := e.must(alnco, ledger, vars); r.get("plan", "ledger", "rows", 0, "delivered") != 0.0 || len(r.get("plan", "sessions", "nodes").([]any)) != 0 {
		t.Fatalf("a refused batch stored entries: %s", r.raw)
	}

	r := e.must(alnco, record, map[string]any{"p": f.plan1, "s": good})
	if len(r.get("recordSessions", "sessions").([]any)) != 3 || r.get("recordSessions", "sessions", 0, "minutes") != 30.0 || r.str("recordSessions", "sessions", 1, "reason") != "PROVIDER_ABSENT" {
		t.Fatalf("recordSessions: %s", r.raw)
	}
	// Three weeks of 1 × 30 minutes: 3 planned; 2 delivered (60), 1 missed
	// (30); short 1 session, 30 minutes, in one week. No term calendar
	// covers 2026-27 yet, so weekdays count and the ledger says so.
	r = e.must(parent, ledger, vars)
	row := func(k string) any { return r.get("plan", "ledger", "rows", 0, k) }
	if row("planned") != 3.0 || row("plannedMinutes") != 90.0 || row("delivered") != 2.0 || row("deliveredMinutes") != 60.0 ||
		row("missed") != 1.0 || row("missedMinutes") != 30.0 || row("shortfallSessions") != 1.0 || row("shortfallMinutes") != 30.0 ||
		row("periodsShort") != 1.0 || row("basis") != "WEEKDAYS" || !slices.Contains(toStrings(row("warnings")), "NO_CALENDAR") ||
		len(row("periods").([]any)) != 3 || r.get("plan", "ledger", "rows", 0, "periods", 1, "missed") != 1.0 {
		t.Fatalf("ledger: %s", r.raw)
	}
	// Voiding the delivered entry of week 3 makes it short too.
	sid := e.must(alnco, `query($id: ID!) { plan(id: $id) { sessions(from: "2026-09-22", to: "2026-09-22") { nodes { id } } } }`, map[string]any{"id": f.plan1}).str("plan", "sessions", "nodes", 0, "id")
	if rr := e.do(parent, `mutation($id: ID!) { voidSession(input: {id: $id, reason: "x"}) { session { id } } }`, map[string]any{"id": sid}); rr.code() != "FORBIDDEN" {
		t.Fatalf("parent voiding: %s", rr.raw)
	}
	v := e.must(alnco, `mutation($id: ID!) { voidSession(input: {id: $id, reason: "Recorded on the wrong day"}) { session { voided voidReason } } }`, map[string]any{"id": sid})
	if v.get("voidSession", "session", "voided") != true || v.str("voidSession", "session", "voidReason") != "Recorded on the wrong day" {
		t.Fatalf("voidSession: %s", v.raw)
	}
	r = e.must(alnco, ledger, vars)
	if row("delivered") != 1.0 || row("shortfallSessions") != 2.0 || row("periodsShort") != 2.0 || len(r.get("plan", "sessions", "nodes").([]any)) != 3 {
		t.Fatalf("ledger after the void: %s", r.raw)
	}
	if n := e.must(parent, `query($id: ID!) { node(id: $id) { ... on LedgerSession { id voided date } } }`, map[string]any{"id": sid}); n.get("node", "voided") != true {
		t.Fatalf("node(session): %s", n.raw)
	}
	if rr := e.do(e.token(f.stranger), `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": sid}); rr.code() != "NOT_FOUND" {
		t.Fatalf("stranger's node(session): %s", rr.raw)
	}
	if rr := e.do(e.token(f.stranger), ledger, vars); rr.code() != "NOT_FOUND" {
		t.Fatalf("stranger: %s", rr.raw)
	}
	if rr := e.do(alnco, ledger, map[string]any{"id": f.plan1, "from": "2026-09-27", "to": "2026-09-07"}); rr.code() != "INVALID" {
		t.Fatalf("inverted window: %s", rr.raw)
	}
}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

// TestReviewListRoundTrips: the checklist, findings and ledger of every
// review of a plan cost the same number of database round trips for one
// review as for four.
func TestReviewListRoundTrips(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	alnco := e.token(f.alnco)
	e.finalise(alnco, f.plan1)
	open := func() {
		e.must(alnco, `mutation($in: OpenReviewInput!) { openReview(input: $in) { review { id } } }`, map[string]any{"in": map[string]any{"planId": f.plan1, "type": "ANNUAL", "record": goodRecord()}})
	}
	q := `query($id: ID!) { plan(id: $id) { reviews { nodes { id checklist { code met } findings { rule } ledger { rows { planned delivered } } } } } }`
	measure := func() int64 {
		n, _ := e.count(func() { e.must(alnco, q, map[string]any{"id": f.plan1}) })
		return n
	}
	open()
	one := measure()
	for i := 0; i < 3; i++ {
		open()
	}
	r := e.must(alnco, q, map[string]any{"id": f.plan1})
	if got := len(r.get("plan", "reviews", "nodes").([]any)); got != 4 {
		t.Fatalf("%d reviews", got)
	}
	oneScans := e.scans.Load()
	four := measure()
	if s := e.scans.Load(); s != 0 || oneScans != 0 {
		t.Errorf("reads other than a find by _id: %d for one review, %d for four", oneScans, s)
	}
	// Each review adds its own reads by _id (its head, revision and
	// context); nothing grows with the data stored.
	if four > 4*one {
		t.Errorf("commands: %d for one review, %d for four", one, four)
	}
	t.Logf("%d commands for the reviews of a plan with their checklists, findings and ledgers; %d for four", one, four)
}
