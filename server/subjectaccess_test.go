package server_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/internal/redistest"
	"github.com/cynllun/cynllun/seed"
	"github.com/cynllun/cynllun/service"
	"github.com/cynllun/cynllun/worker"
)

// startExportWorker runs a worker that renders and builds subject access
// exports, with its private work directory, until the test ends.
func (e *env) startExportWorker(workDir string) {
	w := worker.New(e.rdb, worker.Config{Concurrency: 2, RetryBase: 50 * time.Millisecond, ReconcileEvery: -1, ShutdownTimeout: 5 * time.Second})
	h := worker.NewRenderHandler(e.db, e.bus, nil)
	h.WorkDir = workDir
	h.SubjectAccess = e.svc
	for _, typ := range []string{worker.TypeRenderPlan, worker.TypeRenderMeeting, worker.TypeRenderBundle, worker.TypeSubjectAccess} {
		w.Handle(typ, h)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = w.Run(ctx) }()
	e.t.Cleanup(func() { cancel(); <-done })
}

// waitJob follows a job until it succeeds and returns its file's id.
func (e *env) waitJob(token, jobID string, limit time.Duration) string {
	e.t.Helper()
	deadline := time.Now().Add(limit)
	for {
		r := e.must(token, `query($id: ID!) { job(id: $id) { status kind errorCode file { id kind contentType } } }`, map[string]any{"id": jobID})
		switch r.str("job", "status") {
		case "SUCCEEDED":
			return r.str("job", "file", "id")
		case "FAILED":
			e.t.Fatalf("job failed: %s", r.raw)
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("job did not finish: %s", r.raw)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

const exportMutation = `mutation($id: ID!, $lang: RenderLanguage) { exportSubjectAccess(input: {learnerId: $id, language: $lang}) { job { id kind status language } } }`

// TestSubjectAccessExport fills the sample learner's record richly (the
// seed's plan with two versions, ledger, review, clocks and tribunal case
// with evidence; through the API a render, a bundle and downloads; in the
// store a notice with its delivery, an attachment and an invitation), has
// the ALNCo export it in Welsh through the API and the worker, downloads
// the archive and finds every kind of record in it, with a Welsh index.
func TestSubjectAccessExport(t *testing.T) {
	e := newEnvOn(t, redistest.StartOwn(t))
	ctx := context.Background()
	now := e.clock.Now()
	if err := seed.Sample(ctx, e.db, now); err != nil {
		t.Fatal(err)
	}
	workDir := t.TempDir()
	e.startExportWorker(workDir)
	alnco, officer := e.token(seed.ALNCoID), e.token(seed.OfficerID)

	// A stored render of version 2, downloaded (audited).
	r := e.must(alnco, `mutation($id: ID!) { renderPlan(input: {planId: $id, version: 2}) { job { id } } }`, map[string]any{"id": seed.PlanID})
	renderFile := e.waitJob(alnco, r.str("renderPlan", "job", "id"), 60*time.Second)
	if resp, _ := e.get(alnco, "/files/"+renderFile); resp.StatusCode != http.StatusOK {
		t.Fatalf("download render: %d", resp.StatusCode)
	}
	// A read of the plan's content (audited).
	e.must(alnco, `query($id: ID!) { plan(id: $id) { id version(number: 2) { number content { meetingSummary } } } }`, map[string]any{"id": seed.PlanID})
	// A tribunal bundle of the sample case, by the respondent LA's officer.
	b := e.must(officer, `mutation($id: ID!) { renderBundle(input: {caseId: $id}) { bundle { id } } }`, map[string]any{"id": seed.CaseID})
	bundle := e.waitBundle(officer, b.str("renderBundle", "bundle", "id"))
	bundleFile := bundle.str("bundle", "file", "id")
	// A notice of the plan's review clock with its delivery, an attachment
	// nothing refers to yet, and an invitation to an advocate.
	ds, err := e.db.ListDeadlines(ctx, cynllun.DeadlineQuery{Scope: cynllun.Scope{LearnerIDs: []string{seed.Learner1ID}}, LearnerID: seed.Learner1ID})
	if err != nil || len(ds) == 0 {
		t.Fatalf("deadlines: %v %d", err, len(ds))
	}
	notice := &cynllun.Notice{ID: cynllun.NoticeID(ds[0].ID, -10, cynllun.ChannelEmail, seed.ALNCoID), DeadlineID: ds[0].ID, LearnerID: seed.Learner1ID,
		OrgID: ds[0].OrgID, RuleID: ds[0].RuleID, Due: ds[0].Due, Offset: -10, OffsetUnit: "DAYS", Kind: cynllun.NoticeUpcoming,
		Channel: cynllun.ChannelEmail, Recipient: seed.ALNCoID, Status: cynllun.NoticeSent, Attempts: 1, CreatedAt: now, UpdatedAt: now, SentAt: now}
	if _, err := e.db.InsertNotices(ctx, []*cynllun.Notice{notice}); err != nil {
		t.Fatal(err)
	}
	if err := e.db.InsertDelivery(ctx, &cynllun.Delivery{ID: "dlv_sar_test", NoticeID: notice.ID, Attempt: 1, At: now, OK: true}); err != nil {
		t.Fatal(err)
	}
	drawing := []byte("%PDF-1.4 a drawing by Siôn")
	sum := sha256.Sum256(drawing)
	attachment := &cynllun.File{ID: cynllun.UploadFileID(seed.Learner1ID, hex.EncodeToString(sum[:])), Name: "Llun Siôn.pdf", ContentType: "application/pdf",
		Size: int64(len(drawing)), SHA256: hex.EncodeToString(sum[:]), LearnerID: seed.Learner1ID, Kind: cynllun.FileUpload, CreatedBy: seed.ParentID, CreatedAt: now}
	if err := e.db.PutFile(ctx, attachment, drawing); err != nil {
		t.Fatal(err)
	}
	inv := &cynllun.Invitation{ID: "inv_sar_test", LearnerID: seed.Learner1ID, Kind: cynllun.RelAdvocateOf, Email: "eiriolwr@example.invalid",
		EmailKey: cynllun.InvitationEmailKey("eiriolwr@example.invalid"), EndsAt: now.AddDate(0, 3, 0), ExpiresAt: now.AddDate(0, 0, 14),
		TokenHash: cynllun.InvitationTokenHash("secret-token"), CreatedAt: now, CreatedBy: seed.ParentID, GrantedAs: "PARENT_OF"}
	if err := e.db.CreateInvitation(ctx, inv); err != nil {
		t.Fatal(err)
	}

	// The export, in Welsh, through the API and the worker.
	r = e.must(alnco, exportMutation, map[string]any{"id": seed.Learner1ID, "lang": "CY"})
	if r.str("exportSubjectAccess", "job", "kind") != "SUBJECT_ACCESS_EXPORT" || r.str("exportSubjectAccess", "job", "language") != "CY" {
		t.Fatalf("exportSubjectAccess = %s", r.raw)
	}
	jobID := r.str("exportSubjectAccess", "job", "id")
	start := time.Now()
	fileID := e.waitJob(alnco, jobID, 120*time.Second)
	t.Logf("export built in %v", time.Since(start).Round(time.Millisecond))
	resp, archive := e.get(alnco, "/files/"+fileID)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/zip" {
		t.Fatalf("download export: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	t.Logf("archive: %d bytes", len(archive))
	// Nothing left in the private work directory.
	if left, _ := os.ReadDir(workDir); len(left) != 0 {
		t.Fatalf("work dir holds %d files after the export", len(left))
	}

	zr, err := zip.NewReader(bytes.NewReader(archive), int64(len(archive)))
	if err != nil {
		t.Fatal(err)
	}
	entries := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		entries[f.Name] = data
	}
	has := func(name string, want ...string) {
		t.Helper()
		data, ok := entries[name]
		if !ok {
			t.Errorf("archive lacks %s", name)
			return
		}
		for _, w := range want {
			if !bytes.Contains(data, []byte(w)) {
				t.Errorf("%s lacks %q", name, w)
			}
		}
	}
	hasPrefix := func(prefix string, want ...string) []byte {
		t.Helper()
		for name, data := range entries {
			if strings.HasPrefix(name, prefix) {
				ok := true
				for _, w := range want {
					ok = ok && bytes.Contains(data, []byte(w))
				}
				if ok {
					return data
				}
			}
		}
		t.Errorf("archive has no %s… holding %q", prefix, want)
		return nil
	}
	if testing.Verbose() {
		t.Logf("index.txt:\n%s", entries["index.txt"])
	}
	// The learner, the plan and every version.
	has("learner.json", "Siôn", "Llywelyn", seed.SchoolID)
	has("plans/"+seed.PlanID+"/plan.json", seed.SchoolID)
	has("plans/"+seed.PlanID+"/v1.json", `"Status": "DRAFT"`, "First draft after the person-centred meeting")
	has("plans/"+seed.PlanID+"/v2.json", `"Status": "FINAL"`, "45 minutes")
	// Version 1 had no stored PDF: one made for the export, in Welsh;
	// version 2's stored render is among the files.
	if pdf := entries["plans/"+seed.PlanID+"/v1 CY.pdf"]; !bytes.HasPrefix(pdf, []byte("%PDF")) {
		t.Errorf("no PDF of version 1 made for the export")
	}
	if _, ok := entries["plans/"+seed.PlanID+"/v2 CY.pdf"]; ok {
		t.Errorf("version 2 rendered again although a render is stored")
	}
	renderPDF := hasPrefix("files/", "%PDF")
	_ = renderPDF
	// Reviews, ledger, clocks, notices.
	has("reviews/"+seed.ReviewID+"/r1.json", seed.PlanID)
	has("ledger/"+seed.PlanID+".json", "row_sample_salt", "DELIVERED")
	has("events.json", "sample_given", "IDP_GIVEN")
	has("deadlines.json", "T8", "Calculation", "Steps")
	has("notices.json", notice.ID, "dlv_sar_test", "deadline.upcoming")
	// The case: revisions, evidence and bundles, and their files.
	has("cases/"+seed.CaseID+"/case.json", "APPEAL")
	has("cases/"+seed.CaseID+"/evidence.json", seed.CaseID)
	has("cases/"+seed.CaseID+"/bundles.json", bundleFile)
	// Files: the attachment, the stored render, evidence, the bundle.
	files := 0
	for name := range entries {
		if strings.HasPrefix(name, "files/") {
			files++
		}
	}
	stored, err := e.db.FilesForLearner(ctx, seed.Learner1ID)
	if err != nil {
		t.Fatal(err)
	}
	wantFiles := 0
	for _, f := range stored {
		if f.Kind != cynllun.FileExport {
			wantFiles++
		}
	}
	if files != wantFiles || files < 5 {
		t.Errorf("archive holds %d files, the record %d", files, wantFiles)
	}
	has("files/"+fileNumber(entries, "Llun Siôn.pdf"), "a drawing by Siôn")
	// Access: relationships, invitations without the address or token.
	has("access/relationships.json", "sample_parent", "PARENT_OF")
	has("access/invitations.json", "inv_sar_test", "PENDING")
	if bytes.Contains(entries["access/invitations.json"], []byte("eiriolwr@")) || bytes.Contains(entries["access/invitations.json"], []byte(inv.TokenHash)) {
		t.Errorf("invitations.json holds the invitee's address or the token's hash")
	}
	// The audit: the reads, the downloads, the request itself.
	has("audit.json", "plan.version.content", "file.download", "subjectAccess.export", `"Action": "request"`)
	has("people.json", "Rhiannon Pritchard")
	if bytes.Contains(entries["people.json"], []byte("@example.invalid")) {
		t.Errorf("people.json holds email addresses")
	}
	// The index: in Welsh, listing every entry.
	has("index.txt", "Cais gwrthrych am wybodaeth", "Dyddiad geni", "Rhiannon Pritchard (ALNCo) (usr_sample_alnco)", "Trywydd archwilio", "Cynllun "+seed.PlanID+", fersiwn 1")
	has("index.html", `<html lang="cy">`, "Cais gwrthrych am wybodaeth")
	for name := range entries {
		if name != "index.txt" && name != "index.html" && !bytes.Contains(entries["index.txt"], []byte(name)) {
			t.Errorf("index.txt does not list %s", name)
		}
	}
	if bytes.Contains(entries["index.txt"], []byte("Audit trail")) {
		t.Errorf("the Welsh index has English headings")
	}

	// Bilingual: each text Welsh, then English.
	r = e.must(e.token(seed.OfficerID), exportMutation, map[string]any{"id": seed.Learner1ID, "lang": "BILINGUAL"})
	bi := e.waitJob(officer, r.str("exportSubjectAccess", "job", "id"), 120*time.Second)
	if _, archive := e.get(officer, "/files/"+bi); !bytes.Contains(zipEntry(t, archive, "index.txt"), []byte("Cais gwrthrych am wybodaeth: copi o'r cofnod a gedwir / Subject access request: a copy of the record held")) ||
		bytes.Contains(zipEntry(t, archive, "index.txt"), []byte("%!")) || zipEntry(t, archive, "plans/"+seed.PlanID+"/v1 BILINGUAL.pdf") == nil {
		t.Errorf("bilingual index:\n%s", zipEntry(t, archive, "index.txt"))
	}

	// The download was audited as a subject access download.
	evs, err := e.db.ListAudit(ctx, cynllun.AuditQuery{LearnerID: seed.Learner1ID, Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, ev := range evs {
		found = found || ev.Part == "subjectAccess.download" && ev.ActorID == seed.ALNCoID
	}
	if !found {
		t.Errorf("the download of the export is not in the audit trail: %+v", evs)
	}

	// The parent may not see the job nor download the archive.
	parent := e.token(seed.ParentID)
	if r := e.do(parent, `query($id: ID!) { job(id: $id) { id } }`, map[string]any{"id": jobID}); r.code() != "NOT_FOUND" && r.get("job") != nil {
		t.Errorf("the parent sees the export job: %s", r.raw)
	}
	if resp, _ := e.get(parent, "/files/"+fileID); resp.StatusCode != http.StatusNotFound {
		t.Errorf("the parent downloads the export: %d", resp.StatusCode)
	}
}

// zipEntry returns one entry of a zip archive, or nil.
func zipEntry(t *testing.T, archive []byte, name string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(archive), int64(len(archive)))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := zr.Open(name)
	if err != nil {
		return nil
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// fileNumber finds the files/ entry whose name ends with name.
func fileNumber(entries map[string][]byte, name string) string {
	for k := range entries {
		if strings.HasPrefix(k, "files/") && strings.HasSuffix(k, " "+name) {
			return strings.TrimPrefix(k, "files/")
		}
	}
	return "(none) " + name
}

// TestSubjectAccessRefused: who may ask for an export (policy.SubjectAccess)
// and who is refused, with nothing recorded for the refused; the archive
// only for those who may ask.
func TestSubjectAccessRefused(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	ctx := context.Background()
	for _, tt := range []struct {
		name, user, learner, code string
	}{
		{"ALNCo of the learner's school", f.alnco, f.l1, "OK"},
		{"officer of the learner's LA", f.officer, f.l1, "OK"},
		{"officer of the LA of a learner with no setting", f.officer, f.l3, "OK"},
		{"parent", f.parent, f.l1, "FORBIDDEN"},
		{"young person", f.youngPerson, f.l3, "FORBIDDEN"},
		{"advocate", f.advocate, f.l1, "FORBIDDEN"},
		{"advocate whose consent ended", f.advocateExpired, f.l1, "NOT_FOUND"},
		{"staff of another school", f.staffB, f.l1, "NOT_FOUND"},
		{"officer of another LA", f.officerB, f.l1, "NOT_FOUND"},
		{"administrator", f.admin, f.l1, "NOT_FOUND"},
		{"stranger", f.stranger, f.l1, "NOT_FOUND"},
		{"no token", "", f.l1, "UNAUTHENTICATED"},
	} {
		tok := ""
		if tt.user != "" {
			tok = e.token(tt.user)
		}
		before, err := e.db.CountAudit(ctx, tt.learner, 0)
		if err != nil {
			t.Fatal(err)
		}
		r := e.do(tok, exportMutation, map[string]any{"id": tt.learner, "lang": "EN"})
		if r.code() != tt.code {
			t.Errorf("%s: %s, want %s: %s", tt.name, r.code(), tt.code, r.raw)
			continue
		}
		after, err := e.db.CountAudit(ctx, tt.learner, 0)
		if err != nil {
			t.Fatal(err)
		}
		if want := map[bool]int{true: 1, false: 0}[tt.code == "OK"]; after-before != want {
			t.Errorf("%s: %d audit events recorded, want %d", tt.name, after-before, want)
		}
		if tt.code != "OK" && r.get("exportSubjectAccess") != nil {
			t.Errorf("%s: a job was returned: %s", tt.name, r.raw)
		}
	}
	// The buttons agree with the mutation.
	q := `query($id: ID!) { learner(id: $id) { viewerCanExportSubjectAccess } }`
	if r := e.must(e.token(f.alnco), q, map[string]any{"id": f.l1}); r.get("learner", "viewerCanExportSubjectAccess") != true {
		t.Errorf("ALNCo: %s", r.raw)
	}
	if r := e.must(e.token(f.parent), q, map[string]any{"id": f.l1}); r.get("learner", "viewerCanExportSubjectAccess") != false {
		t.Errorf("parent: %s", r.raw)
	}
	// An export archive is downloadable by the controller's staff only:
	// not by the parent, who may read every other file of the learner.
	now := e.clock.Now()
	data := []byte("PK archive")
	sum := sha256.Sum256(data)
	exp := &cynllun.File{ID: cynllun.ExportFileID("job_sar_refused"), Name: "export.zip", ContentType: "application/zip", Size: int64(len(data)),
		SHA256: hex.EncodeToString(sum[:]), LearnerID: f.l1, Kind: cynllun.FileExport, CreatedBy: f.alnco, CreatedAt: now}
	if err := e.db.PutFile(ctx, exp, data); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		user string
		want int
	}{{f.alnco, http.StatusOK}, {f.officer, http.StatusOK}, {f.parent, http.StatusNotFound}, {f.advocate, http.StatusNotFound}, {f.staffB, http.StatusNotFound}, {f.admin, http.StatusNotFound}} {
		if resp, _ := e.get(e.token(tt.user), "/files/"+exp.ID); resp.StatusCode != tt.want {
			t.Errorf("%s downloads the export: %d, want %d", tt.user, resp.StatusCode, tt.want)
		}
	}
	// A record with no plan, review or case (the young person's) exports
	// too, in English: the learner, the access and the audit.
	p, err := e.svc.Authenticate(ctx, f.officer)
	if err != nil {
		t.Fatal(err)
	}
	job, err := e.svc.ExportSubjectAccess(cynllun.WithPrincipal(ctx, p), service.SubjectAccessInput{LearnerID: f.l3})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := e.svc.BuildSubjectAccess(ctx, job, &buf, nil); err != nil {
		t.Fatal(err)
	}
	index := zipEntry(t, buf.Bytes(), "index.txt")
	for _, want := range []string{"Subject access request: a copy of the record held", "learner.json", "access/relationships.json", "audit.json", "Llinos"} {
		if !bytes.Contains(index, []byte(want)) {
			t.Errorf("index of a record with no plan lacks %q:\n%s", want, index)
		}
	}
	if zipEntry(t, buf.Bytes(), "learner.json") == nil || bytes.Contains(index, []byte("plans/")) {
		t.Errorf("export of a record with no plan:\n%s", index)
	}

	// An unknown language is refused by the schema, and nothing is queued.
	if r := e.do(e.token(f.alnco), exportMutation, map[string]any{"id": f.l1, "lang": "FR"}); len(r.Errors) == 0 {
		t.Errorf("language FR accepted: %s", r.raw)
	}
}

// TestSubjectAccessExportRetried: a retry with the request's idempotency
// key returns the first job and neither queues nor audits another export;
// the same key with another language is CONFLICT.
func TestSubjectAccessExportRetried(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if err := seed.Sample(ctx, e.db, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	officer := e.token(seed.OfficerID)
	const keyed = `mutation($id: ID!, $lang: RenderLanguage, $key: String) { exportSubjectAccess(input: {learnerId: $id, language: $lang, idempotencyKey: $key}) { job { id } } }`
	vars := map[string]any{"id": seed.Learner1ID, "lang": "CY", "key": "sar-retry-1"}
	first := e.must(officer, keyed, vars).str("exportSubjectAccess", "job", "id")
	again := e.must(officer, keyed, vars).str("exportSubjectAccess", "job", "id")
	if first == "" || again != first {
		t.Fatalf("retry with the same key: job %q, then %q", first, again)
	}
	if r := e.do(officer, keyed, map[string]any{"id": seed.Learner1ID, "lang": "EN", "key": "sar-retry-1"}); r.code() != "CONFLICT" {
		t.Fatalf("same key, another language: %s", r.raw)
	}
	other := e.must(officer, keyed, map[string]any{"id": seed.Learner1ID, "lang": "CY", "key": "sar-retry-2"}).str("exportSubjectAccess", "job", "id")
	if other == first {
		t.Fatal("another key returned the first job")
	}
	evs, err := e.db.ListAudit(ctx, cynllun.AuditQuery{LearnerID: seed.Learner1ID, Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	requests := 0
	for _, ev := range evs {
		if ev.Part == service.AuditPartSubjectAccess && ev.Action == "request" {
			requests++
		}
	}
	if requests != 2 {
		t.Fatalf("%d export requests audited, want 2 (one per key)", requests)
	}
}
