package server_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/docgen"
	"github.com/cynllun/cynllun/form"
	"github.com/cynllun/cynllun/internal/redistest"
)

// tablePDF is a real PDF of about rows/30 pages, made with docgen.
func tablePDF(t *testing.T, title string, rows int) []byte {
	t.Helper()
	doc := docgen.TableDoc{Title: form.Text{EN: title}, Columns: []docgen.TableColumn{{Heading: form.Text{EN: "Line"}, Width: 1}}}
	for i := range rows {
		doc.Rows = append(doc.Rows, docgen.TableRow{Cells: []form.Text{{EN: fmt.Sprintf("%s line %d", title, i+1)}}})
	}
	pdf, err := docgen.RenderTable(doc, docgen.LangEN)
	if err != nil {
		t.Fatal(err)
	}
	return pdf
}

func encryptedPDF(t *testing.T) []byte {
	t.Helper()
	var out bytes.Buffer
	conf := model.NewAESConfiguration("user", "owner", 256)
	if err := api.Encrypt(bytes.NewReader(tablePDF(t, "secret", 3)), &out, conf); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

const evidenceFields = `id title date author kind section contentType pages sha256 size withdrawn withdrawnReason file { id name downloadUrl }`

func (e *env) addEvidence(token string, in map[string]any, name, contentType string, data []byte) response {
	e.t.Helper()
	withFile := maps.Clone(in)
	withFile["file"] = nil
	return e.multipartAt(token, `mutation($in: AddEvidenceInput!) { addEvidence(input: $in) { evidence { `+evidenceFields+` } } }`,
		map[string]any{"in": withFile}, "variables.in.file", name, contentType, data)
}

const caseFields = `id revision kind status title reference issues outcome lodgedOn
	decision { kind description decidedOn noticeGivenOn madeBy { id } }
	parties { role name organisation represents }
	appealDeadline { id rule { id } start due status }
	reviewDeadline { id rule { id } due status }
	bundleSpec { language chronology chronologyAfter sections { key titleEn titleCy pageLimit order takes }
		records { kind section planId version reviewId revision } excluded }`

const previewQuery = `query($id: ID!) { case(id: $id) { bundlePreview { documentPages
	sections { key pages pageLimit documents { documentId number kind title author date pages } }
	chronology { date event { en cy } source } warnings { code section message { en cy } } } } }`

const bundleFields = `id number status language pages contentsSha256 renderedAt job { id status errorCode }
	file { id name contentType pages sha256 downloadUrl }
	manifestFile { id name contentType downloadUrl }
	manifest { pages cover { from to } index { from to } chronology { from to }
		sections { key divider documents { from to } pages }
		documents { documentId section number title fromPage toPage sha256 }
		warnings { code section } }`

func (e *env) docs(coll string) int64 {
	e.t.Helper()
	n, err := e.db.Database().Collection(coll).CountDocuments(context.Background(), map[string]any{})
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// waitBundle follows a bundle version's job to the end and returns the
// bundle as queried then.
func (e *env) waitBundle(token, id string) response {
	e.t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		r := e.must(token, `query($id: ID!) { bundle(id: $id) { `+bundleFields+` } }`, map[string]any{"id": id})
		switch r.str("bundle", "status") {
		case "SUCCEEDED":
			if r.str("bundle", "file", "id") != "" {
				return r
			}
		case "FAILED":
			e.t.Fatalf("bundle failed: %s", r.raw)
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("bundle did not finish: %s", r.raw)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func pdfPages(t *testing.T, pdf []byte) int {
	t.Helper()
	path := t.TempDir() + "/b.pdf"
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdfinfo", path).Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(line, "Pages:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(v))
			return n
		}
	}
	t.Fatal("pdfinfo printed no page count")
	return 0
}

// pageText is the text of one page of a PDF, words joined by spaces.
func pageText(t *testing.T, pdf []byte, page int) string {
	t.Helper()
	path := t.TempDir() + "/p.pdf"
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	p := strconv.Itoa(page)
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", "-f", p, "-l", p, path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

func userFor(id string, now time.Time) *cynllun.User {
	return &cynllun.User{ID: id, Name: "User " + id, Email: id + "@example.invalid", CreatedAt: now}
}

// docxBytes is a minimal Word document: an accepted upload, but not one a
// bundle can hold.
func docxBytes(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, f := range []struct{ name, body string }{
		{"[Content_Types].xml", `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>`},
		{"word/document.xml", `<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>`},
	} {
		w, err := zw.Create(f.name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write([]byte(f.body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestCaseBundle drives issue 6 through GraphQL on the real stores and a
// real worker: an appeal with its T17 clock, advocate access only under
// consent, evidence checked on the way in (every bad upload refused and
// nothing stored), the bundle specified and previewed with page-limit
// warnings, rendered by the worker, read back page by page, re-rendered
// after a late addition as a new version while the old one is kept, and the
// case's progress recorded.
func TestCaseBundle(t *testing.T) {
	if _, err := exec.LookPath("pdfinfo"); err != nil && os.Getenv("CYNLLUN_SKIP_PDF_TOOLS") != "1" {
		t.Fatal("pdfinfo not found: install poppler-utils (.ci/run does)")
	}
	e := newEnvOn(t, redistest.StartOwn(t))
	e.startWorker()
	f := e.fixture()
	alnco, officer, parent, advocate := e.token(f.alnco), e.token(f.officer), e.token(f.parent), e.token(f.advocate)
	e.finalise(alnco, f.plan1)

	open := `mutation($in: OpenCaseInput!) { openCase(input: $in) { case { ` + caseFields + ` } } }`
	appeal := map[string]any{
		"learnerId": f.l1, "kind": "APPEAL", "title": "Apêl am ddarpariaeth therapi iaith", "language": "BILINGUAL",
		"decision": map[string]any{"kind": "PROVISION", "description": "The LA's IDP leaves out SaLT.", "madeBy": cardiff,
			"decidedOn": "2026-11-02", "noticeGivenOn": "2026-11-03"},
		"issues":  []any{"Whether 1:1 SaLT must be in section 2B"},
		"parties": []any{map[string]any{"role": "APPELLANT", "name": "Mam Siôn"}, map[string]any{"role": "RESPONDENT", "name": "Cardiff Council", "organisation": "Cyngor Caerdydd"}, map[string]any{"role": "ADVOCATE", "name": "Eiriolwr", "represents": "APPELLANT"}},
	}

	// Bad cases are refused and nothing is written.
	cases := e.docs("cases")
	for _, tt := range []struct {
		name, token, code, field string
		change                   func(map[string]any)
	}{
		{"no title", officer, "INVALID", "input.title", func(m map[string]any) { m["title"] = " " }},
		{"notice without a body", officer, "INVALID", "input.decision.madeBy", func(m map[string]any) {
			m["decision"] = map[string]any{"kind": "PROVISION", "noticeGivenOn": "2026-11-03"}
		}},
		{"notice before the decision", officer, "INVALID", "input.decision.noticeGivenOn", func(m map[string]any) {
			m["decision"] = map[string]any{"kind": "PROVISION", "madeBy": cardiff, "decidedOn": "2026-11-05", "noticeGivenOn": "2026-11-03"}
		}},
		{"future notice", officer, "INVALID", "input.decision.noticeGivenOn", func(m map[string]any) {
			m["decision"] = map[string]any{"kind": "PROVISION", "madeBy": cardiff, "noticeGivenOn": "2027-01-03"}
		}},
		{"unknown body", officer, "FORBIDDEN", "", func(m map[string]any) {
			m["decision"] = map[string]any{"kind": "PROVISION", "madeBy": "org_nope"}
		}},
		{"a body not responsible for the learner", officer, "FORBIDDEN", "", func(m map[string]any) {
			m["decision"] = map[string]any{"kind": "PROVISION", "madeBy": f.schoolB}
		}},
		{"notice before the ALN Act", officer, "INVALID", "input.decision.noticeGivenOn", func(m map[string]any) {
			m["decision"] = map[string]any{"kind": "PROVISION", "madeBy": cardiff, "noticeGivenOn": "1900-01-01"}
		}},
		{"hearing decades ahead", officer, "INVALID", "input.hearingOn", func(m map[string]any) { m["hearingOn"] = "2099-01-01" }},
		{"party with a blank name", officer, "INVALID", "input.parties.0.name", func(m map[string]any) {
			m["parties"] = []any{map[string]any{"role": "APPELLANT", "name": "\u00a0 "}}
		}},
		{"hearing on a disagreement", officer, "INVALID", "input.hearingOn", func(m map[string]any) { m["kind"] = "DISAGREEMENT"; m["hearingOn"] = "2027-02-01" }},
		{"party without a name", officer, "INVALID", "input.parties.0.name", func(m map[string]any) { m["parties"] = []any{map[string]any{"role": "APPELLANT", "name": ""}} }},
		{"stranger", e.token(f.stranger), "NOT_FOUND", "", func(map[string]any) {}},
		{"expired advocate", e.token(f.advocateExpired), "NOT_FOUND", "", func(map[string]any) {}},
		{"other LA's officer", e.token(f.officerB), "NOT_FOUND", "", func(map[string]any) {}},
	} {
		in := map[string]any{}
		for k, v := range appeal {
			in[k] = v
		}
		tt.change(in)
		r := e.do(tt.token, open, map[string]any{"in": in})
		if r.code() != tt.code || tt.field != "" && !strings.Contains(string(r.raw), `"`+tt.field+`"`) {
			t.Errorf("%s: %s", tt.name, r.raw)
		}
	}
	if n := e.docs("cases"); n != cases {
		t.Fatalf("refused cases wrote %d documents", n-cases)
	}

	r := e.must(officer, open, map[string]any{"in": appeal})
	c := "openCase"
	caseID := r.str(c, "case", "id")
	if r.str(c, "case", "status") != "OPEN" || r.get(c, "case", "revision") != float64(1) || r.str(c, "case", "decision", "madeBy", "id") != cardiff ||
		r.str(c, "case", "appealDeadline", "rule", "id") != "T17" || r.str(c, "case", "appealDeadline", "start") != "2026-11-03" ||
		r.str(c, "case", "appealDeadline", "status") != "OPEN" || r.str(c, "case", "appealDeadline", "due") == "" {
		t.Fatalf("open case: %s", r.raw)
	}
	if keys := r.get(c, "case", "bundleSpec", "sections"); len(keys.([]any)) != 6 || r.str(c, "case", "bundleSpec", "sections", 0, "key") != "A" ||
		r.str(c, "case", "bundleSpec", "sections", 5, "key") != "F" || r.str(c, "case", "bundleSpec", "chronologyAfter") != "A" {
		t.Fatalf("default sections: %s", r.raw)
	}
	// T17 is 8 weeks (start + 55 days), then the first working day after:
	// 3 November 2026 + 55 days is Monday 28 December, a bank holiday.
	if due := r.str(c, "case", "appealDeadline", "due"); due != "2026-12-29" {
		t.Errorf("T17 due %s, want 2026-12-29", due)
	}

	// Who sees the case: the family, the advocate with consent for the
	// learner, the school's staff and the LA; a second case's advocate
	// whose consent names only that case sees that one alone.
	second := e.must(parent, open, map[string]any{"in": map[string]any{"learnerId": f.l1, "kind": "DISAGREEMENT", "title": "Anghytundeb",
		"decision": map[string]any{"kind": "WELSH_PROVISION"}}})
	secondID := second.str(c, "case", "id")
	grant := `mutation($in: GrantAccessInput!) { grantAccess(input: $in) { relationship { id caseId active } } }`
	scoped := "usr_case_advocate"
	if err := e.db.UpsertUser(context.Background(), userFor(scoped, e.clock.Now())); err != nil {
		t.Fatal(err)
	}
	ends := e.clock.Now().Add(90 * 24 * time.Hour).Format(time.RFC3339)
	if rr := e.do(parent, grant, map[string]any{"in": map[string]any{"userId": scoped, "kind": "ADVOCATE_FOR", "learnerId": f.l1, "endsAt": ends, "caseId": "cas_nope"}}); rr.code() != "INVALID" {
		t.Fatalf("consent for an unknown case: %s", rr.raw)
	}
	g := e.must(parent, grant, map[string]any{"in": map[string]any{"userId": scoped, "kind": "ADVOCATE_FOR", "learnerId": f.l1, "endsAt": ends, "caseId": secondID}})
	if g.str("grantAccess", "relationship", "caseId") != secondID {
		t.Fatalf("grant: %s", g.raw)
	}
	listCases := `query($l: ID!) { learner(id: $l) { cases { nodes { id } } } }`
	for _, tt := range []struct {
		who, token string
		want       []string
	}{
		{"parent", parent, []string{caseID, secondID}},
		{"advocate for the learner", advocate, []string{caseID, secondID}},
		{"school staff", alnco, []string{caseID, secondID}},
		{"LA officer", officer, []string{caseID, secondID}},
		{"advocate for the second case", e.token(scoped), []string{secondID}},
	} {
		rr := e.must(tt.token, listCases, map[string]any{"l": f.l1})
		var got []string
		for _, x := range rr.get("learner", "cases", "nodes").([]any) {
			got = append(got, x.(map[string]any)["id"].(string))
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s sees %v, want %v", tt.who, got, tt.want)
		}
	}
	if rr := e.do(e.token(scoped), `query($id: ID!) { case(id: $id) { id } }`, map[string]any{"id": caseID}); rr.get("case") != nil {
		t.Fatalf("case-scoped advocate reads another case: %s", rr.raw)
	}

	// Evidence: every bad upload is refused with a clear error, and nothing
	// is stored.
	report := tablePDF(t, "Educational psychology report", 40)
	letter := tablePDF(t, "Letter to the LA", 5)
	drawing := pngBytes(t)
	files, evidence := e.docs("files.files"), e.docs("caseEvidence")
	in := func(kind string) map[string]any {
		return map[string]any{"caseId": caseID, "title": "Adroddiad Siôn", "kind": kind, "date": "2026-10-01", "author": "Dr Evans"}
	}
	docx := docxBytes(t)
	for _, tt := range []struct {
		name, file, ctype string
		data              []byte
		in                map[string]any
		token, code, msg  string
	}{
		{"PNG named as a PDF", "Siôn report.pdf", "application/pdf", drawing, in("REPORT"), officer, "INVALID", "content is a PNG image"},
		{"HTML", "report.html", "text/html", []byte("<!DOCTYPE html><html><body>hi</body></html>"), in("REPORT"), officer, "INVALID", "not an accepted type"},
		{"corrupt PDF", "report.pdf", "application/pdf", []byte("%PDF-1.7\nnot really a pdf at all\n"), in("REPORT"), officer, "INVALID", "not a readable PDF"},
		{"truncated PDF", "report.pdf", "application/pdf", report[:len(report)/2], in("REPORT"), officer, "INVALID", "not a readable PDF"},
		{"encrypted PDF", "report.pdf", "application/pdf", encryptedPDF(t), in("REPORT"), officer, "INVALID", "password"},
		{"Word document", "report.docx", "", docx, in("REPORT"), officer, "INVALID", "a bundle takes PDFs and PNG or JPEG images"},
		{"truncated PNG", "drawing.png", "image/png", drawing[:len(drawing)-20], in("CHILDS_VIEWS"), parent, "INVALID", "not a readable PNG image"},
		{"empty", "empty.pdf", "application/pdf", nil, in("REPORT"), officer, "INVALID", "empty"},
		{"over the limit", "big.pdf", "application/pdf", append(append([]byte(nil), report...), make([]byte, 20<<20)...), in("REPORT"), officer, "INVALID", "larger than the limit"},
		{"no title", "report.pdf", "application/pdf", report, map[string]any{"caseId": caseID, "title": "", "kind": "REPORT"}, officer, "INVALID", "is required"},
		{"unknown section", "report.pdf", "application/pdf", report, map[string]any{"caseId": caseID, "title": "x", "kind": "REPORT", "section": "Z"}, officer, "INVALID", "section"},
		{"future date", "report.pdf", "application/pdf", report, map[string]any{"caseId": caseID, "title": "x", "kind": "REPORT", "date": "2027-05-01"}, officer, "INVALID", "future"},
		{"stranger", "report.pdf", "application/pdf", report, in("REPORT"), e.token(f.stranger), "NOT_FOUND", ""},
		{"other case's advocate", "report.pdf", "application/pdf", report, in("REPORT"), e.token(scoped), "NOT_FOUND", ""},
	} {
		rr := e.addEvidence(tt.token, tt.in, tt.file, tt.ctype, tt.data)
		if rr.code() != tt.code || len(rr.Errors) > 0 && !strings.Contains(string(rr.raw), tt.msg) {
			t.Errorf("%s: %s", tt.name, rr.raw)
		}
		if strings.Contains(string(rr.raw), "Siôn") {
			t.Errorf("%s: the error repeats the file name or title: %s", tt.name, rr.raw)
		}
	}
	if nf, ne := e.docs("files.files"), e.docs("caseEvidence"); nf != files || ne != evidence {
		t.Fatalf("refused uploads stored %d files and %d evidence documents", nf-files, ne-evidence)
	}

	add := func(token string, in map[string]any, name, ctype string, data []byte) string {
		t.Helper()
		rr := e.addEvidence(token, in, name, ctype, data)
		if rr.code() != "OK" {
			t.Fatalf("add %s: %s", name, rr.raw)
		}
		return rr.str("addEvidence", "evidence", "id")
	}
	rr := e.addEvidence(advocate, map[string]any{"caseId": caseID, "title": "Adroddiad seicolegydd addysg", "kind": "REPORT", "date": "2026-10-01", "author": "Dr Ŵyn"}, "report.pdf", "application/pdf", report)
	ae := "addEvidence"
	if rr.code() != "OK" || rr.str(ae, "evidence", "section") != "D" || rr.str(ae, "evidence", "contentType") != "application/pdf" || rr.get(ae, "evidence", "pages") != float64(2) ||
		rr.get(ae, "evidence", "withdrawn") != false || rr.str(ae, "evidence", "file", "downloadUrl") == "" {
		t.Fatalf("add report: %s", rr.raw)
	}
	reportID, reportSHA := rr.str(ae, "evidence", "id"), rr.str(ae, "evidence", "sha256")
	decisionID := add(officer, map[string]any{"caseId": caseID, "title": "Decision letter", "kind": "DECISION", "date": "2026-11-03", "author": "Cardiff Council"}, "decision.pdf", "application/pdf", letter)
	add(parent, map[string]any{"caseId": caseID, "title": "Llun gan Siôn", "kind": "CHILDS_VIEWS", "date": "2026-09-20", "author": "Siôn"}, "llun.png", "image/png", drawing)
	add(parent, map[string]any{"caseId": caseID, "title": "Earlier letter", "kind": "CORRESPONDENCE", "date": "2026-06-01"}, "letter.pdf", "application/pdf", letter)
	// The case's files are the case's: the advocate of the other case may
	// not download them.
	if resp, _ := e.get(e.token(scoped), "/files/"+rr.str(ae, "evidence", "file", "id")); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("other case's advocate downloaded evidence: %d", resp.StatusCode)
	}

	// The bundle specification: documents from the record in C, a page
	// limit on D. Bad specifications change nothing.
	set := `mutation($in: BundleSpecInput!) { setBundleSpec(input: $in) { case { revision bundleSpec { records { kind section planId version } sections { key pageLimit } excluded } } } }`
	sections := func(limitD int) []any {
		var out []any
		for _, s := range r.get(c, "case", "bundleSpec", "sections").([]any) {
			m := s.(map[string]any)
			sec := map[string]any{"key": m["key"], "titleEn": m["titleEn"], "titleCy": m["titleCy"], "pageLimit": m["pageLimit"], "order": m["order"], "takes": m["takes"]}
			if m["key"] == "D" {
				sec["pageLimit"] = limitD
			}
			out = append(out, sec)
		}
		return out
	}
	records := []any{
		map[string]any{"kind": "PLAN_VERSION", "planId": f.plan1, "version": 2},
		map[string]any{"kind": "LEDGER", "planId": f.plan1, "from": "2026-09-07", "to": "2026-11-20"},
		map[string]any{"kind": "DEADLINES"},
	}
	for _, tt := range []struct {
		name  string
		in    map[string]any
		code  string
		field string
	}{
		{"stale revision", map[string]any{"caseId": caseID, "expectedRevision": 0, "records": records}, "INVALID", "input.expectedRevision"},
		{"unknown plan", map[string]any{"caseId": caseID, "expectedRevision": 1, "records": []any{map[string]any{"kind": "PLAN_VERSION", "planId": "pln_nope", "version": 1}}}, "INVALID", "input.records.0.planId"},
		{"missing version", map[string]any{"caseId": caseID, "expectedRevision": 1, "records": []any{map[string]any{"kind": "PLAN_VERSION", "planId": f.plan1, "version": 9}}}, "INVALID", "input.records.0.version"},
		{"listed twice", map[string]any{"caseId": caseID, "expectedRevision": 1, "records": []any{records[2], records[2]}}, "INVALID", "input.records.1"},
		{"duplicate key", map[string]any{"caseId": caseID, "expectedRevision": 1, "records": records, "sections": []any{map[string]any{"key": "A", "titleEn": "One"}, map[string]any{"key": "A", "titleEn": "Two"}}}, "INVALID", "input.sections.1.key"},
		{"bad key", map[string]any{"caseId": caseID, "expectedRevision": 1, "records": records, "sections": []any{map[string]any{"key": "a b", "titleEn": "One"}}}, "INVALID", "input.sections.0.key"},
		{"chronology after nothing", map[string]any{"caseId": caseID, "expectedRevision": 1, "records": records, "chronologyAfter": "Q"}, "INVALID", "input.chronologyAfter"},
		{"excluded not ours", map[string]any{"caseId": caseID, "expectedRevision": 1, "records": records, "excluded": []any{"evd_nope"}}, "INVALID", "input.excluded.0"},
		{"negative limit", map[string]any{"caseId": caseID, "expectedRevision": 1, "records": records, "sections": []any{map[string]any{"key": "A", "titleEn": "One", "pageLimit": -1}}}, "INVALID", "input.sections.0.pageLimit"},
		// takes is an enum (DocumentKind): an unknown kind is refused as
		// the variable's value, named by its path in the variable.
		{"unknown kind of document", map[string]any{"caseId": caseID, "expectedRevision": 1, "records": records, "sections": []any{map[string]any{"key": "A", "titleEn": "One", "takes": []any{"REPORT", "PHOTO"}}}}, "INVALID", "in.sections[0].takes[1]"},
	} {
		rr := e.do(officer, set, map[string]any{"in": tt.in})
		if rr.code() != tt.code || !strings.Contains(string(rr.raw), `"`+tt.field+`"`) {
			t.Errorf("%s: %s", tt.name, rr.raw)
		}
	}
	rs := e.must(officer, set, map[string]any{"in": map[string]any{"caseId": caseID, "expectedRevision": 1, "records": records, "sections": sections(1)}})
	if rs.get("setBundleSpec", "case", "revision") != float64(2) || rs.str("setBundleSpec", "case", "bundleSpec", "records", 0, "section") != "C" {
		t.Fatalf("set spec: %s", rs.raw)
	}
	if rr := e.do(officer, set, map[string]any{"in": map[string]any{"caseId": caseID, "expectedRevision": 1, "records": records}}); rr.code() != "CONFLICT" {
		t.Fatalf("stale spec: %s", rr.raw)
	}
	// Only what is given changes: the language alone (then back, with an
	// explicit null for the chronology) keeps the records, the sections
	// and their limits.
	langSet := `mutation($in: BundleSpecInput!) { setBundleSpec(input: $in) { case { revision bundleSpec { language chronology chronologyAfter records { kind section } sections { key pageLimit } } } } }`
	for i, in := range []map[string]any{
		{"caseId": caseID, "expectedRevision": 2, "language": "CY"},
		{"caseId": caseID, "expectedRevision": 3, "language": "BILINGUAL", "chronology": nil, "records": nil},
	} {
		rl := e.must(officer, langSet, map[string]any{"in": in})
		bs := func(path ...any) any { return rl.get(append([]any{"setBundleSpec", "case", "bundleSpec"}, path...)...) }
		if bs("language") != in["language"] || len(bs("records").([]any)) != 3 || rl.str("setBundleSpec", "case", "bundleSpec", "records", 0, "section") != "C" ||
			len(bs("sections").([]any)) != 6 || bs("sections", 3, "pageLimit") != 1.0 || bs("chronology") != true || bs("chronologyAfter") != "A" {
			t.Fatalf("language only (%d): %s", i, rl.raw)
		}
	}
	// An explicit empty list clears.
	if rl := e.must(officer, langSet, map[string]any{"in": map[string]any{"caseId": caseID, "expectedRevision": 4, "records": []any{}}}); len(rl.get("setBundleSpec", "case", "bundleSpec", "records").([]any)) != 0 {
		t.Fatalf("records: []: %s", rl.raw)
	}
	e.must(officer, set, map[string]any{"in": map[string]any{"caseId": caseID, "expectedRevision": 5, "records": records}})

	// The preview: documents in their sections, page counts, the warnings
	// before rendering, and the chronology from the record.
	pv := e.must(advocate, previewQuery, map[string]any{"id": caseID})
	p := func(path ...any) any { return pv.get(append([]any{"case", "bundlePreview"}, path...)...) }
	secs := p("sections").([]any)
	byKey := map[string]map[string]any{}
	for _, s := range secs {
		byKey[s.(map[string]any)["key"].(string)] = s.(map[string]any)
	}
	docsOf := func(key string) []string {
		var out []string
		for _, d := range byKey[key]["documents"].([]any) {
			out = append(out, d.(map[string]any)["number"].(string)+" "+d.(map[string]any)["kind"].(string))
		}
		return out
	}
	if got := docsOf("C"); !slices.Equal(got, []string{"C1 LEDGER", "C2 PLAN_VERSION", "C3 DEADLINES"}) {
		t.Errorf("section C: %v", got)
	}
	if got := docsOf("D"); !slices.Equal(got, []string{"D1 REPORT"}) || byKey["D"]["pages"] != float64(2) {
		t.Errorf("section D: %v %v", got, byKey["D"]["pages"])
	}
	if got := docsOf("F"); !slices.Equal(got, []string{"F1 CORRESPONDENCE"}) {
		t.Errorf("section F: %v", got)
	}
	warnings := map[string]string{}
	for _, w := range p("warnings").([]any) {
		m := w.(map[string]any)
		warnings[m["code"].(string)+" "+m["section"].(string)] = m["message"].(map[string]any)["cy"].(string)
	}
	if _, ok := warnings["SECTION_OVER_LIMIT D"]; !ok {
		t.Errorf("no over-limit warning for D: %v", warnings)
	}
	if _, ok := warnings["SECTION_EMPTY B"]; !ok {
		t.Errorf("no empty warning for B: %v", warnings)
	}
	var chron []string
	for _, x := range p("chronology").([]any) {
		m := x.(map[string]any)
		chron = append(chron, fmt.Sprint(m["date"], " ", m["event"].(map[string]any)["en"], " [", m["source"], "]"))
	}
	joined := strings.Join(chron, "\n")
	for _, want := range []string{"IDP finalised and given (version 2) [C2]", "2026-11-02 Decision made by Cardiff", "2026-11-03 Decision notice, with the right of appeal, given by Cardiff",
		"Appeal to the Education Tribunal for Wales (T17): due"} {
		if !strings.Contains(joined, want) {
			t.Errorf("chronology lacks %q:\n%s", want, joined)
		}
	}
	if !slices.IsSortedFunc(chron, func(a, b string) int { return strings.Compare(a[:10], b[:10]) }) {
		t.Errorf("chronology out of date order:\n%s", joined)
	}

	// The decision notice cites the letter that is it (A1, the LA's
	// DECISION evidence of that day).
	for _, line := range chron {
		if strings.HasPrefix(line, "2026-11-03 Decision notice") && !strings.HasSuffix(line, "[A1]") {
			t.Errorf("decision notice cites no letter: %s", line)
		}
	}

	// Render: the respondent (the LA) prepares the official bundle; the
	// appellant's advocate previews it but may not render it (issue 17).
	render := `mutation($id: ID!) { renderBundle(input: {caseId: $id}) { bundle { id number status } } }`
	if rr := e.do(advocate, render, map[string]any{"id": caseID}); rr.code() != "FORBIDDEN" || !strings.Contains(string(rr.raw), "the respondent prepares the bundle") {
		t.Fatalf("appellant rendered the official bundle: %s", rr.raw)
	}
	b1 := e.must(officer, render, map[string]any{"id": caseID})
	b1ID := b1.str("renderBundle", "bundle", "id")
	if b1.get("renderBundle", "bundle", "number") != float64(1) {
		t.Fatalf("render: %s", b1.raw)
	}
	done := e.waitBundle(advocate, b1ID)
	bq := func(path ...any) any { return done.get(append([]any{"bundle"}, path...)...) }
	resp, pdf := e.get(advocate, "/files/"+done.str("bundle", "file", "id"))
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("download bundle: %d", resp.StatusCode)
	}
	if keep := os.Getenv("CYNLLUN_KEEP_BUNDLE"); keep != "" {
		_ = os.WriteFile(keep, pdf, 0o600) // to look at it
	}
	pages := pdfPages(t, pdf)
	// Issue 18: the real cover, index, chronology, plan, ledger and
	// deadlines of a case carry no internal markers.
	if m := regexp.MustCompile(`\[R\d|\[S\d|\[(WEAK|SECONDARY|UNCONFIRMED|CONFIRMED)|seed S\d|settings\.[a-z]|Nodi \d`).FindString(pdfText(t, pdf)); m != "" {
		t.Errorf("the bundle prints the internal marker %q", m)
	}
	if bq("manifest", "pages") != float64(pages) || bq("pages") != float64(pages) || bq("file", "pages") != float64(pages) {
		t.Fatalf("bundle has %d pages; manifest says %v: %s", pages, bq("manifest", "pages"), done.raw)
	}
	// Every page carries its own number, the same as its PDF page index,
	// and no other: the plan, ledger and deadlines rendered into the
	// bundle leave out their own "Tudalen 1 o 3" (checked below, once the
	// manifest says which pages are uploads: an uploaded letter's own
	// "Page 1 of 2" is part of the letter as given).
	pageNo := regexp.MustCompile(`(Tudalen|Page) \d+ (o|of) \d+`)
	extraNumbers := map[int][]string{}
	for i := 1; i <= pages; i++ {
		want := fmt.Sprintf("Tudalen %d o %d / Page %d of %d", i, pages, i, pages)
		txt := strings.Join(strings.Fields(pageText(t, pdf, i)), " ")
		if !strings.Contains(txt, want) {
			t.Fatalf("page %d lacks %q: %s", i, want, txt)
		}
		if rest := pageNo.FindAllString(strings.Replace(txt, want, "", 1), -1); len(rest) > 0 {
			extraNumbers[i] = rest
		}
	}
	// The file is named for the case and the learner's initials.
	if name := done.str("bundle", "file", "name"); name != "Bwndel y tribiwnlys – "+caseID+" – S.Ll. – fersiwn 1 (CY-EN).pdf" {
		t.Errorf("bundle file name %q", name)
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, "filename*=UTF-8''Bwndel%20y%20tribiwnlys%20%E2%80%93%20") {
		t.Errorf("Content-Disposition %q", cd)
	}
	cover := pageText(t, pdf, 1)
	for _, want := range []string{"Tribiwnlys Addysg Cymru", "Apêl am ddarpariaeth therapi iaith", "Siôn Llŷr"} {
		if !strings.Contains(cover, want) {
			t.Errorf("cover lacks %q: %s", want, cover)
		}
	}
	docs := bq("manifest", "documents").([]any)
	if len(docs) != 7 {
		t.Fatalf("manifest lists %d documents: %s", len(docs), done.raw)
	}
	firstLine := map[string]string{
		"D1": "Educational psychology report line 1", "F1": "Letter to the LA line 1", "A1": "Letter to the LA line 1",
		"C2": "Individual Development Plan", "C1": "Y ddarpariaeth a gynlluniwyd", "C3": "Terfynau amser statudol",
	}
	generated := 0
	for _, d := range docs {
		m := d.(map[string]any)
		from, to := int(m["fromPage"].(float64)), int(m["toPage"].(float64))
		if strings.HasPrefix(m["documentId"].(string), "evd_") {
			for k := from; k <= to; k++ {
				delete(extraNumbers, k)
			}
		} else {
			generated += to - from + 1
		}
		if from < 1 || to < from || to > pages {
			t.Fatalf("document %v: pages %d–%d", m["number"], from, to)
		}
		if want, ok := firstLine[m["number"].(string)]; ok && !strings.Contains(pageText(t, pdf, from), want) {
			t.Errorf("document %v starts on page %d, which lacks %q: %s", m["number"], from, want, pageText(t, pdf, from))
		}
		if m["documentId"] == reportID && m["sha256"] != reportSHA {
			t.Errorf("report digest %v, uploaded %s", m["sha256"], reportSHA)
		}
	}
	if len(extraNumbers) > 0 || generated < 3 {
		t.Errorf("pages with a page number besides the bundle's: %v (%d pages from the record)", extraNumbers, generated)
	}
	// The manifest as a file: the same placements.
	resp, mj := e.get(advocate, "/files/"+done.str("bundle", "manifestFile", "id"))
	var mf struct {
		Version  int    `json:"manifestVersion"`
		Bundle   string `json:"bundle"`
		SHA256   string `json:"sha256"`
		Manifest struct {
			Pages     int `json:"pages"`
			Documents []struct {
				Number   string `json:"number"`
				FromPage int    `json:"fromPage"`
				ToPage   int    `json:"toPage"`
			} `json:"documents"`
		} `json:"manifest"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(mj, &mf) != nil || mf.Version != 2 || mf.Bundle != b1ID || mf.SHA256 != done.str("bundle", "file", "sha256") ||
		mf.Manifest.Pages != pages || len(mf.Manifest.Documents) != len(docs) || mf.Manifest.Documents[0].FromPage < 1 {
		t.Fatalf("manifest file: %d %s", resp.StatusCode, mj)
	}
	// Its keys are the API's (camelCase), not Go's.
	for _, key := range []string{`"pages":`, `"documentId":`, `"fromPage":`, `"sha256":`, `"divider":`} {
		if !strings.Contains(string(mj), key) {
			t.Errorf("manifest file lacks %s: %s", key, mj)
		}
	}
	if regexp.MustCompile(`"(Pages|DocumentID|FromPage|SHA256|Divider)":`).Match(mj) {
		t.Errorf("manifest file has Go's key names: %s", mj)
	}
	if name := done.str("bundle", "manifestFile", "name"); !strings.HasSuffix(name, "fersiwn 1 maniffest (CY-EN).json") {
		t.Errorf("manifest file name %q", name)
	}

	// Asking again with nothing changed gives the same version.
	if again := e.must(officer, render, map[string]any{"id": caseID}); again.str("renderBundle", "bundle", "id") != b1ID {
		t.Fatalf("second render made a new version: %s", again.raw)
	}
	// A late addition makes version 2 and keeps version 1.
	add(officer, map[string]any{"caseId": caseID, "title": "Case statement", "kind": "CASE_STATEMENT", "date": "2026-11-20"}, "statement.pdf", "application/pdf", letter)
	b2 := e.must(officer, render, map[string]any{"id": caseID})
	if b2.get("renderBundle", "bundle", "number") != float64(2) {
		t.Fatalf("late addition: %s", b2.raw)
	}
	done2 := e.waitBundle(advocate, b2.str("renderBundle", "bundle", "id"))
	if n := len(done2.get("bundle", "manifest", "documents").([]any)); n != 8 {
		t.Fatalf("version 2 has %d documents", n)
	}
	list := e.must(advocate, `query($id: ID!) { case(id: $id) { bundles { nodes { number file { id } } } } }`, map[string]any{"id": caseID})
	if bs := list.get("case", "bundles", "nodes").([]any); len(bs) != 2 {
		t.Fatalf("bundles: %s", list.raw)
	}
	if resp, old := e.get(advocate, "/files/"+done.str("bundle", "file", "id")); resp.StatusCode != http.StatusOK || !bytes.Equal(old, pdf) {
		t.Fatalf("version 1 is gone: %d", resp.StatusCode)
	}

	// Evidence is the filing side's: the parent may not withdraw the LA's,
	// nor the school's staff anyone's; the advocate withdraws the report
	// their side filed. Withdrawn evidence stays listed and leaves the
	// bundle.
	withdraw := `mutation($id: ID!) { withdrawEvidence(input: {id: $id, reason: "Not ours"}) { evidence { withdrawn } } }`
	if rr := e.do(parent, withdraw, map[string]any{"id": decisionID}); rr.code() != "FORBIDDEN" || !strings.Contains(string(rr.raw), "evidence belongs to the party that filed it") {
		t.Fatalf("parent withdrew the LA's evidence: %s", rr.raw)
	}
	if rr := e.do(alnco, withdraw, map[string]any{"id": reportID}); rr.code() != "FORBIDDEN" {
		t.Fatalf("school staff withdrew the appellant's evidence: %s", rr.raw)
	}
	w := e.must(advocate, `mutation($id: ID!) { withdrawEvidence(input: {id: $id, reason: "Replaced by the final report"}) { evidence { withdrawn withdrawnReason } } }`, map[string]any{"id": reportID})
	if w.get("withdrawEvidence", "evidence", "withdrawn") != true {
		t.Fatalf("withdraw: %s", w.raw)
	}
	pv = e.must(advocate, previewQuery, map[string]any{"id": caseID})
	if strings.Contains(string(pv.raw), reportID) {
		t.Fatalf("withdrawn evidence still in the bundle: %s", pv.raw)
	}
	ev := e.must(advocate, `query($id: ID!) { case(id: $id) { evidence { nodes { id withdrawn } } } }`, map[string]any{"id": caseID})
	if n := len(ev.get("case", "evidence", "nodes").([]any)); n != 5 {
		t.Fatalf("evidence listed: %d", n)
	}

	// Progress: lodging the appeal meets T17; a decision sent starts T18;
	// a stale revision is a CONFLICT and a final status stays final.
	update := `mutation($in: UpdateCaseInput!) { updateCase(input: $in) { case { ` + caseFields + ` } } }`
	cur := e.must(alnco, `query($id: ID!) { case(id: $id) { revision } }`, map[string]any{"id": caseID}).get("case", "revision")
	details := func(rev any, extra map[string]any) map[string]any {
		m := map[string]any{"id": caseID, "expectedRevision": rev, "title": appeal["title"], "decision": appeal["decision"], "parties": appeal["parties"], "issues": appeal["issues"]}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	if rr := e.do(officer, update, map[string]any{"in": details(1, map[string]any{"lodgedOn": "2026-11-20"})}); rr.code() != "CONFLICT" || rr.Errors[0].Extensions["currentVersion"] != cur {
		t.Fatalf("stale update: %s", rr.raw)
	}
	// A referral to disagreement resolution before T17 is due gives 8 more
	// weeks (the rule's extension, data): 16 weeks from 3 November end on
	// Monday 22 February 2027, so the first working day after is the 23rd.
	ext := e.must(advocate, update, map[string]any{"in": details(cur, map[string]any{"disagreementReferredOn": "2026-11-10"})})
	if ext.str("updateCase", "case", "appealDeadline", "due") != "2027-02-23" || ext.str("updateCase", "case", "status") != "OPEN" {
		t.Fatalf("extended T17: %s", ext.raw)
	}
	dl := e.must(advocate, `query($id: ID!) { deadline(id: $id) { due extension { previousDue on } calculation { due } } }`,
		map[string]any{"id": ext.str("updateCase", "case", "appealDeadline", "id")})
	if dl.str("deadline", "extension", "previousDue") != "2026-12-29" || dl.str("deadline", "extension", "on") != "2026-11-10" ||
		dl.str("deadline", "calculation", "due") != "2027-02-23" {
		t.Fatalf("extension: %s", dl.raw)
	}
	cur = ext.get("updateCase", "case", "revision")
	u := e.must(advocate, update, map[string]any{"in": details(cur, map[string]any{"disagreementReferredOn": "2026-11-10", "lodgedOn": "2026-11-20", "reference": "ETW/26/0042"})})
	if u.str("updateCase", "case", "status") != "LODGED" || u.str("updateCase", "case", "appealDeadline", "status") != "MET" {
		t.Fatalf("lodged: %s", u.raw)
	}
	u = e.must(officer, update, map[string]any{"in": details(u.get("updateCase", "case", "revision"), map[string]any{"lodgedOn": "2026-11-20", "decisionSentOn": "2026-11-21", "reference": "ETW/26/0042"})})
	if u.str("updateCase", "case", "status") != "DECIDED" || u.str("updateCase", "case", "reviewDeadline", "rule", "id") != "T18" || u.str("updateCase", "case", "reviewDeadline", "due") != "2026-12-18" {
		t.Fatalf("decided: %s", u.raw)
	}
	u = e.must(officer, update, map[string]any{"in": details(u.get("updateCase", "case", "revision"), map[string]any{"status": "CLOSED", "lodgedOn": "2026-11-20", "decisionSentOn": "2026-11-21", "closedOn": "2026-11-22"})})
	if u.str("updateCase", "case", "status") != "CLOSED" {
		t.Fatalf("closed: %s", u.raw)
	}
	if rr := e.do(officer, update, map[string]any{"in": details(u.get("updateCase", "case", "revision"), map[string]any{"status": "OPEN"})}); rr.code() != "INVALID" {
		t.Fatalf("reopened a closed case: %s", rr.raw)
	}
	hist := e.must(officer, `query($id: ID!) { case(id: $id) { revisions { nodes { revision status } } } }`, map[string]any{"id": caseID})
	if n := len(hist.get("case", "revisions", "nodes").([]any)); n != 10 {
		t.Fatalf("revisions: %s", hist.raw)
	}
}
