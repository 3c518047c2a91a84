package worker_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/bundle"
	"github.com/cynllun/cynllun/docgen"
	"github.com/cynllun/cynllun/form"
	"github.com/cynllun/cynllun/internal/memstat"
	"github.com/cynllun/cynllun/seed"
	"github.com/cynllun/cynllun/service"
	"github.com/cynllun/cynllun/worker"
)

// evidenceKinds spreads a case's evidence over four sections of the
// default bundle (D, F, E and A).
var evidenceKinds = []cynllun.EvidenceKind{cynllun.EvidenceReport, cynllun.EvidenceCorrespondence,
	cynllun.EvidenceChildsViews, cynllun.EvidenceDecision}

// evidenceRows is how many table rows make a 7-page evidence PDF.
const evidenceRows = 250

// evidencePDF is a real PDF made with docgen: one row per line, about 36
// lines a page.
func evidencePDF(tb testing.TB, title string, rows int) []byte {
	tb.Helper()
	doc := docgen.TableDoc{Title: form.Text{EN: title}, Columns: []docgen.TableColumn{{Heading: form.Text{EN: "Line"}, Width: 1}}}
	for i := range rows {
		doc.Rows = append(doc.Rows, docgen.TableRow{Cells: []form.Text{{EN: fmt.Sprintf("%s, line %d of the document", title, i+1)}}})
	}
	pdf, err := docgen.RenderTable(doc, docgen.LangEN)
	if err != nil {
		tb.Fatal(err)
	}
	return pdf
}

// bundleCase is an appeal about the sample learner with its evidence and,
// optionally, documents from the record, frozen as bundle version 1 by the
// service. Its job is PENDING (and queued in Redis, where no worker runs).
type bundleCase struct {
	id       string
	bundle   *cynllun.Bundle
	evidence []*cynllun.CaseEvidence
}

// bundleCase opens the case through the service as the sample ALNCo, adds
// n evidence PDFs of rows rows each, lists the sample plan's version 2,
// the sample review's meeting record, the plan's ledger and the deadlines
// when records is set, and asks for the bundle.
func (e *env) bundleCase(n, rows int, records bool) *bundleCase {
	e.t.Helper()
	today := cynllun.Today(time.Now())
	// The LA's officer: the respondent files the evidence here and
	// prepares the bundle (policy.CaseTable).
	officer, err := e.svc.Authenticate(e.ctx, seed.OfficerID)
	if err != nil {
		e.t.Fatal(err)
	}
	ctx := cynllun.WithPrincipal(e.ctx, officer)
	c, err := e.svc.OpenCase(ctx, service.OpenCaseInput{
		LearnerID: seed.Learner1ID, Kind: cynllun.CaseAppeal, Language: cynllun.RenderBilingual,
		CaseDetails: service.CaseDetails{
			Title: "Apêl am ddarpariaeth therapi iaith",
			Decision: cynllun.DisputedDecision{Kind: cynllun.DisputedProvision, Description: "The IDP leaves out 1:1 SaLT.",
				MadeBy: seed.CardiffID, DecidedOn: today.AddDays(-5), NoticeGivenOn: today.AddDays(-4)},
			Parties: []cynllun.Party{{Role: cynllun.PartyAppellant, Name: "Ceri Llywelyn"},
				{Role: cynllun.PartyRespondent, Name: "Cardiff Council", OrgID: seed.CardiffID}},
		},
	})
	if err != nil {
		e.t.Fatal(err)
	}
	bc := &bundleCase{id: c.ID}
	for i := range n {
		title := fmt.Sprintf("Evidence %02d", i+1)
		ev, err := e.svc.AddEvidence(ctx, service.EvidenceInput{
			CaseID: c.ID, Title: title, Date: today.AddDays(-90 + 2*i), Author: "Author " + strconv.Itoa(i%5+1),
			Kind: evidenceKinds[i%len(evidenceKinds)], Name: fmt.Sprintf("evidence-%02d.pdf", i+1),
			DeclaredType: "application/pdf", Data: evidencePDF(e.t, title, rows),
		})
		if err != nil {
			e.t.Fatal(err)
		}
		bc.evidence = append(bc.evidence, ev)
	}
	if records {
		spec := c.Bundle
		spec.Records = []cynllun.RecordItem{
			{Kind: cynllun.RecordPlanVersion, PlanID: seed.PlanID, Version: 2},
			{Kind: cynllun.RecordMeetingRecord, ReviewID: seed.ReviewID},
			{Kind: cynllun.RecordLedger, PlanID: seed.PlanID},
			{Kind: cynllun.RecordDeadlines},
		}
		if c, err = e.svc.SetBundleSpec(ctx, service.WholeSpec(c.ID, c.Revision, spec)); err != nil {
			e.t.Fatal(err)
		}
	}
	if bc.bundle, err = e.svc.RenderBundle(ctx, service.RenderBundleInput{CaseID: c.ID}); err != nil {
		e.t.Fatal(err)
	}
	if bc.bundle.Number != 1 || bc.bundle.FileID != "" {
		e.t.Fatalf("new bundle = %+v", bc.bundle)
	}
	if j := e.job(bc.bundle.JobID); j.Status != cynllun.JobPending || j.Kind != cynllun.JobRenderBundle || j.BundleID != bc.bundle.ID {
		e.t.Fatalf("new bundle's job = %+v", j)
	}
	return bc
}

// copyBundle stores a fresh copy of src as version number of its case, the
// same frozen contents with no result, and its PENDING job, through the
// store as RenderBundle does.
func (e *env) copyBundle(src *cynllun.Bundle, number int) *cynllun.Bundle {
	e.t.Helper()
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	b := &cynllun.Bundle{ID: cynllun.BundleID(src.CaseID, number), CaseID: src.CaseID, LearnerID: src.LearnerID, Number: number,
		Language: src.Language, Contents: src.Contents, ContentsSHA256: src.ContentsSHA256, CreatedAt: now, CreatedBy: src.CreatedBy}
	b.JobID = cynllun.BundleJobID(b.ID, 1)
	j := &cynllun.Job{ID: b.JobID, Kind: cynllun.JobRenderBundle, Priority: cynllun.PriorityBulk, Status: cynllun.JobPending,
		LearnerID: b.LearnerID, CaseID: b.CaseID, BundleID: b.ID, Language: b.Language, CreatedAt: now, CreatedBy: b.CreatedBy, UpdatedAt: now}
	if err := e.db.CreateJob(ctx, j); err != nil {
		e.t.Fatal(err)
	}
	if err := e.db.InsertBundle(ctx, b); err != nil {
		e.t.Fatal(err)
	}
	return b
}

// bundleTask is the task the service queues for a bundle's job.
func bundleTask(tb testing.TB, jobID string) *asynq.Task {
	tb.Helper()
	p, err := json.Marshal(map[string]string{"jobId": jobID})
	if err != nil {
		tb.Fatal(err)
	}
	return asynq.NewTask(worker.TypeRenderBundle, p)
}

func (e *env) job(id string) *cynllun.Job {
	e.t.Helper()
	js, err := e.db.JobsByID(context.Background(), []string{id})
	if err != nil || len(js) != 1 {
		e.t.Fatalf("job %s: %v, %v", id, js, err)
	}
	return js[0]
}

func (e *env) storedBundle(id string) *cynllun.Bundle {
	e.t.Helper()
	bs, err := e.db.BundlesByID(context.Background(), []string{id})
	if err != nil || len(bs) != 1 {
		e.t.Fatalf("bundle %s: %v, %v", id, bs, err)
	}
	return bs[0]
}

// renderedFiles lists the ids of the files rendered for a case (its
// bundles' PDFs and manifests; evidence are uploads).
func (e *env) renderedFiles(caseID string) []string {
	e.t.Helper()
	ctx := context.Background()
	cur, err := e.db.Database().Collection("files.files").Find(ctx, map[string]any{"metadata.caseId": caseID, "metadata.kind": string(cynllun.FileRendered)})
	if err != nil {
		e.t.Fatal(err)
	}
	var docs []struct {
		ID string `bson:"_id"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		e.t.Fatal(err)
	}
	ids := make([]string, len(docs))
	for i, d := range docs {
		ids[i] = d.ID
	}
	return ids
}

// deleteFile removes a file from GridFS, its chunks and its files document.
func (e *env) deleteFile(id string) {
	e.t.Helper()
	ctx := context.Background()
	db := e.db.Database()
	if _, err := db.Collection("files.chunks").DeleteMany(ctx, map[string]any{"files_id": id}); err != nil {
		e.t.Fatal(err)
	}
	if res, err := db.Collection("files.files").DeleteOne(ctx, map[string]any{"_id": id}); err != nil || res.DeletedCount != 1 {
		e.t.Fatalf("delete file %s: %v, %v", id, res, err)
	}
}

func (e *env) readFile(id string) []byte {
	e.t.Helper()
	data, err := e.db.ReadFile(context.Background(), id)
	if err != nil {
		e.t.Fatalf("read %s: %v", id, err)
	}
	return data
}

// succeeded checks that a bundle's job finished well, once more, and that
// the bundle records its PDF and manifest.
func (e *env) succeeded(b *cynllun.Bundle, attempts int) *cynllun.Bundle {
	e.t.Helper()
	j := e.job(b.JobID)
	got := e.storedBundle(b.ID)
	if j.Status != cynllun.JobSucceeded || j.ErrorCode != "" || j.Attempts != attempts || j.FileID == "" || j.FileID != got.FileID {
		e.t.Fatalf("job = %+v; bundle file %q", j, got.FileID)
	}
	if got.ManifestFileID == "" || len(got.Manifest) == 0 || got.Pages < 1 || got.RenderedAt.IsZero() {
		e.t.Fatalf("rendered bundle = %+v", got)
	}
	return got
}

// BenchmarkRenderBundle300 renders a bundle of about 300 pages (40 evidence
// PDFs of 7 pages in four sections, a plan version, a meeting record, a
// ledger, the deadlines, and the cover, index, chronology and section
// dividers) through the render handler, as the worker runs a
// "render:bundle" task, without Asynq or Redis.
//
// The time per op is all of one ProcessTask: reading the job and the
// bundle, reading the 40 evidence PDFs from GridFS, rendering the four
// documents from the record (which read the record), building the bundle
// into a temporary file while hashing it, uploading it and its manifest to
// GridFS, and recording the bundle and the job. The embedded FerretDB runs
// in this process, so its work (and its memory) counts too. Each iteration
// renders a fresh copy of one frozen bundle as a new version (stored
// outside the timing), after removing the previous iteration's PDF so that
// every iteration uploads its own (the copies give identical PDFs, which
// would otherwise be stored once) and GridFS holds the same bytes at every
// iteration (on the embedded FerretDB, reading a file takes time in
// proportion to all the chunks stored).
//
// Metrics: pages of the bundle; evidence-MB, the evidence PDFs' size;
// out-MB, the bundle's; peak-heap-MB, the highest heap in use (sampled
// every millisecond during ProcessTask; garbage not yet collected
// included) over the heap in use before it; VmHWM-MB, the process's peak
// resident set, which includes the setup and the embedded database (only
// meaningful when this benchmark runs alone in the process). The time of
// each op is split, from the handler's store calls (timed by a wrapper)
// and its record renderer, into read-s (the 40 ReadFile calls), record-s
// (the documents from the record), store-s (PutFileFrom and PutFile) and
// jobs-s (the job and bundle documents); the rest is building. buildto-s
// is bundle.BuildTo alone on the same documents, to a hash, timed once
// outside the loop (its hash must be the handler's PDF's).
func BenchmarkRenderBundle300(b *testing.B) {
	e := newEnv(b)
	ctx := context.Background()
	bc := e.bundleCase(40, evidenceRows, true)
	evidenceBytes, evidencePages := int64(0), 0
	for _, ev := range bc.evidence {
		evidenceBytes += ev.Size
		evidencePages += ev.Pages
		if ev.Pages != 7 {
			b.Fatalf("evidence %s has %d pages, want 7", ev.Title, ev.Pages)
		}
	}
	if evidencePages < 280 || evidencePages > 300 {
		b.Fatalf("%d pages of evidence", evidencePages)
	}
	// The handler's store and record renderer, timed: the phases of each
	// ProcessTask.
	st := &phaseStore{Store: e.db}
	h := worker.NewRenderHandler(st, nil, nil)
	h.RecordDocument = func(ctx context.Context, d *service.FrozenDoc, c *service.BundleContents) ([]byte, error) {
		defer st.time(&st.record)()
		return service.RecordDocument(ctx, e.db, d, c.Lang, c.AsOf)
	}
	var (
		last     *cynllun.Bundle
		peakOver uint64
		outBytes int64
	)
	number := bc.bundle.Number
	for b.Loop() {
		b.StopTimer()
		if last != nil {
			e.deleteFile(last.FileID) // so this iteration stores its PDF again
		}
		number++
		cp := e.copyBundle(bc.bundle, number)
		task := bundleTask(b, cp.JobID)
		runtime.GC()
		stop := memstat.SampleHeap()
		b.StartTimer()
		err := h.ProcessTask(ctx, task)
		b.StopTimer()
		peakOver = max(peakOver, stop())
		if err != nil {
			b.Fatal(err)
		}
		got := e.succeeded(cp, 1)
		if last != nil && got.FileID != last.FileID {
			b.Fatalf("the same contents rendered as %s, then %s", last.FileID, got.FileID)
		}
		last = got
		b.StartTimer()
	}
	f, err := e.db.FileByID(ctx, last.FileID)
	if err != nil {
		b.Fatal(err)
	}
	outBytes = f.Size
	build, sum := buildOnly(b, e, last)
	if sum != f.SHA256 {
		b.Fatalf("bundle.BuildTo alone gave %s, the handler %s", sum, f.SHA256)
	}
	perOp := func(d time.Duration) float64 { return d.Seconds() / float64(b.N) }
	const mb = 1 << 20
	b.ReportMetric(float64(last.Pages), "pages")
	b.ReportMetric(float64(evidenceBytes)/mb, "evidence-MB")
	b.ReportMetric(float64(outBytes)/mb, "out-MB")
	b.ReportMetric(float64(peakOver)/mb, "peak-heap-MB")
	b.ReportMetric(perOp(st.read), "read-s")
	b.ReportMetric(perOp(st.record), "record-s")
	b.ReportMetric(perOp(st.store), "store-s")
	b.ReportMetric(perOp(st.jobs), "jobs-s")
	b.ReportMetric(build.Seconds(), "buildto-s")
	if hwm, ok := memstat.VmHWM(); ok {
		b.ReportMetric(float64(hwm)/mb, "VmHWM-MB")
	}
}

// phaseStore times the store calls of the render handler: reading the
// documents, storing the PDF and its manifest, and the job and bundle
// records. record is filled in by the handler's RecordDocument. The
// handler runs one task at a time.
type phaseStore struct {
	cynllun.Store
	read, store, jobs, record time.Duration
}

func (s *phaseStore) time(d *time.Duration) func() {
	start := time.Now()
	return func() { *d += time.Since(start) }
}

func (s *phaseStore) ReadFile(ctx context.Context, id string) ([]byte, error) {
	defer s.time(&s.read)()
	return s.Store.ReadFile(ctx, id)
}

func (s *phaseStore) PutFile(ctx context.Context, f *cynllun.File, data []byte) error {
	defer s.time(&s.store)()
	return s.Store.PutFile(ctx, f, data)
}

func (s *phaseStore) PutFileFrom(ctx context.Context, f *cynllun.File, r io.ReadSeeker) error {
	defer s.time(&s.store)()
	return s.Store.PutFileFrom(ctx, f, r)
}

func (s *phaseStore) JobsByID(ctx context.Context, ids []string) ([]*cynllun.Job, error) {
	defer s.time(&s.jobs)()
	return s.Store.JobsByID(ctx, ids)
}

func (s *phaseStore) UpdateJob(ctx context.Context, j *cynllun.Job) error {
	defer s.time(&s.jobs)()
	return s.Store.UpdateJob(ctx, j)
}

func (s *phaseStore) BundlesByID(ctx context.Context, ids []string) ([]*cynllun.Bundle, error) {
	defer s.time(&s.jobs)()
	return s.Store.BundlesByID(ctx, ids)
}

func (s *phaseStore) CompleteBundle(ctx context.Context, b *cynllun.Bundle) error {
	defer s.time(&s.jobs)()
	return s.Store.CompleteBundle(ctx, b)
}

// buildOnly builds a frozen bundle with bundle.BuildTo to a hash, from its
// documents read and rendered beforehand as the handler does: it returns
// how long BuildTo took and the bundle's SHA-256.
func buildOnly(tb testing.TB, e *env, b *cynllun.Bundle) (time.Duration, string) {
	tb.Helper()
	ctx := context.Background()
	contents, err := service.FrozenContents(b)
	if err != nil {
		tb.Fatal(err)
	}
	docs := make([][]bundle.Document, len(contents.Sections))
	for i, sec := range contents.Sections {
		for j := range sec.Documents {
			d := &sec.Documents[j]
			bd := bundle.Document{ID: d.ID, Title: d.Title, Date: d.Date, Author: d.Author}
			if d.FileID != "" {
				bd.PDF = e.readFile(d.FileID)
			} else if bd.PDF, err = service.RecordDocument(ctx, e.db, d, contents.Lang, contents.AsOf); err != nil {
				tb.Fatal(err)
			}
			docs[i] = append(docs[i], bd)
		}
	}
	runtime.GC()
	start := time.Now()
	h := sha256.New()
	if _, err := bundle.BuildTo(h, service.BundleSpec(contents, docs)); err != nil {
		tb.Fatal(err)
	}
	return time.Since(start), hex.EncodeToString(h.Sum(nil))
}

// pdfPages is a PDF's page count as pdfinfo (poppler-utils) reads it.
func pdfPages(t *testing.T, pdf []byte) int {
	t.Helper()
	path := filepath.Join(t.TempDir(), "bundle.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdfinfo", path).Output()
	if err != nil {
		t.Fatalf("pdfinfo (Debian poppler-utils; ./.ci/run installs it): %v", err)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(line, "Pages:"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				t.Fatalf("pdfinfo: %q", line)
			}
			return n
		}
	}
	t.Fatal("pdfinfo printed no page count")
	return 0
}

// TestRenderBundleIdempotent: rendering a frozen bundle is idempotent and
// deterministic. A task delivered again after its job was put back to
// PENDING finds the bundle rendered and stores nothing; a render after a
// crash between storing the files and recording them on the bundle
// stores nothing twice (files are content-addressed per case); a fresh
// version with the same frozen contents (as of the same moment) gives the
// same PDF, byte for byte, with a manifest of its own. The PDF has the
// pages its manifest says.
func TestRenderBundleIdempotent(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	bc := e.bundleCase(len(evidenceKinds), 40, true)
	h := worker.NewRenderHandler(e.db, nil, nil)
	b1 := bc.bundle

	if err := h.ProcessTask(ctx, bundleTask(t, b1.JobID)); err != nil {
		t.Fatal(err)
	}
	first := e.succeeded(b1, 1)
	if files := e.renderedFiles(bc.id); len(files) != 2 || !sameSet(files, first.FileID, first.ManifestFileID) {
		t.Fatalf("rendered files %v, want the PDF %s and the manifest %s", files, first.FileID, first.ManifestFileID)
	}
	pdf := e.readFile(first.FileID)
	if sum := sha256.Sum256(pdf); cynllun.CaseFileID(bc.id, hex.EncodeToString(sum[:])) != first.FileID {
		t.Fatalf("PDF file id %s is not the content address of its bytes", first.FileID)
	}

	// Delivered again, its job put back to PENDING: nothing changes but
	// the attempts.
	j := e.job(b1.JobID)
	j.Status = cynllun.JobPending
	if err := e.db.UpdateJob(ctx, j); err != nil {
		t.Fatal(err)
	}
	if err := h.ProcessTask(ctx, bundleTask(t, b1.JobID)); err != nil {
		t.Fatal(err)
	}
	second := e.succeeded(b1, 2)
	if second.FileID != first.FileID || second.ManifestFileID != first.ManifestFileID || !second.RenderedAt.Equal(first.RenderedAt) ||
		!bytes.Equal(second.Manifest, first.Manifest) {
		t.Fatalf("second delivery changed the bundle: %+v, was %+v", second, first)
	}
	if files := e.renderedFiles(bc.id); len(files) != 2 {
		t.Fatalf("after a second delivery, rendered files %v", files)
	}

	// A crash after the files were stored but before the bundle recorded
	// them: the render runs again and stores nothing twice.
	if _, err := e.db.Database().Collection("bundles").UpdateOne(ctx, map[string]any{"_id": b1.ID},
		map[string]any{"$unset": map[string]any{"fileId": "", "manifestFileId": "", "manifest": "", "pages": "", "renderedAt": ""}}); err != nil {
		t.Fatal(err)
	}
	if got := e.storedBundle(b1.ID); got.FileID != "" || got.Pages != 0 {
		t.Fatalf("bundle result not cleared: %+v", got)
	}
	j = e.job(b1.JobID)
	j.Status = cynllun.JobRunning // as the killed attempt left it
	if err := e.db.UpdateJob(ctx, j); err != nil {
		t.Fatal(err)
	}
	if err := h.ProcessTask(ctx, bundleTask(t, b1.JobID)); err != nil {
		t.Fatal(err)
	}
	third := e.succeeded(b1, 3)
	if third.FileID != first.FileID || third.ManifestFileID != first.ManifestFileID || !bytes.Equal(third.Manifest, first.Manifest) {
		t.Fatalf("re-render after a crash: %+v, was %+v", third, first)
	}
	if files := e.renderedFiles(bc.id); len(files) != 2 {
		t.Fatalf("after a re-render, rendered files %v", files)
	}

	// A fresh version with the same contents: the same PDF, its own manifest.
	b2 := e.copyBundle(b1, 2)
	if err := h.ProcessTask(ctx, bundleTask(t, b2.JobID)); err != nil {
		t.Fatal(err)
	}
	fresh := e.succeeded(b2, 1)
	if again := e.readFile(fresh.FileID); !bytes.Equal(again, pdf) {
		t.Fatalf("the same contents rendered %d bytes, then %d different ones", len(pdf), len(again))
	}
	if fresh.FileID != first.FileID || fresh.Pages != first.Pages || !bytes.Equal(fresh.Manifest, first.Manifest) {
		t.Fatalf("fresh copy: %+v, first %+v", fresh, first)
	}
	if fresh.ManifestFileID == first.ManifestFileID {
		t.Fatal("two versions share a manifest file: it names its bundle")
	}
	if files := e.renderedFiles(bc.id); len(files) != 3 || !sameSet(files, first.FileID, first.ManifestFileID, fresh.ManifestFileID) {
		t.Fatalf("after a fresh copy, rendered files %v", files)
	}

	// The manifest file names its bundle and the PDF; the PDF has the pages
	// the manifest counts.
	for _, bb := range []*cynllun.Bundle{first, fresh} {
		var mf struct {
			Bundle   string `json:"bundle"`
			Number   int    `json:"number"`
			Case     string `json:"case"`
			File     string `json:"file"`
			SHA256   string `json:"sha256"`
			Manifest struct {
				Pages     int
				Documents []struct{ Number, SHA256 string }
			} `json:"manifest"`
		}
		if err := json.Unmarshal(e.readFile(bb.ManifestFileID), &mf); err != nil {
			t.Fatal(err)
		}
		if mf.Bundle != bb.ID || mf.Number != bb.Number || mf.Case != bc.id || mf.File != bb.FileID || mf.Manifest.Pages != bb.Pages {
			t.Fatalf("manifest file of %s: %+v", bb.ID, mf)
		}
		if n := len(bc.evidence) + 4; len(mf.Manifest.Documents) != n {
			t.Fatalf("manifest lists %d documents, want %d", len(mf.Manifest.Documents), n)
		}
	}
	m, err := service.BundleManifest(first)
	if err != nil {
		t.Fatal(err)
	}
	if m.Pages != first.Pages {
		t.Fatalf("manifest says %d pages, the bundle %d", m.Pages, first.Pages)
	}
	if os.Getenv("CYNLLUN_SKIP_PDF_TOOLS") == "1" {
		t.Log("CYNLLUN_SKIP_PDF_TOOLS=1: page count not checked with pdfinfo")
		return
	}
	if n := pdfPages(t, pdf); n != m.Pages {
		t.Fatalf("pdfinfo counts %d pages; the manifest %d", n, m.Pages)
	}
}

func sameSet(got []string, want ...string) bool {
	if len(got) != len(want) {
		return false
	}
	seen := map[string]bool{}
	for _, g := range got {
		seen[g] = true
	}
	for _, w := range want {
		if !seen[w] {
			return false
		}
	}
	return true
}

// TestRenderBundleMissingFile: a frozen bundle whose evidence file is gone
// from GridFS cannot be rendered, now or on a retry: the job fails at once
// with NOT_FOUND (a permanent error, so Asynq would not retry it) and
// nothing is stored for the bundle.
func TestRenderBundleMissingFile(t *testing.T) {
	for _, tt := range []struct {
		name string
		lose func(e *env, fileID string)
	}{
		{"deleted", func(e *env, id string) { e.deleteFile(id) }},
		// Bytes changed in storage: the digest no longer matches, which a
		// retry cannot mend.
		{"changed", func(e *env, id string) {
			chunks := e.db.Database().Collection("files.chunks")
			filter := bson.D{{Key: "files_id", Value: id}, {Key: "n", Value: 0}}
			var c struct {
				Data []byte `bson:"data"`
			}
			if err := chunks.FindOne(context.Background(), filter).Decode(&c); err != nil {
				e.t.Fatal(err)
			}
			c.Data[len(c.Data)/2] ^= 0xff // one byte, same length
			if _, err := chunks.UpdateOne(context.Background(), filter,
				bson.D{{Key: "$set", Value: bson.D{{Key: "data", Value: bson.Binary{Data: c.Data}}}}}); err != nil {
				e.t.Fatal(err)
			}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) { renderLostFile(t, tt.lose) })
	}
}

func renderLostFile(t *testing.T, lose func(e *env, fileID string)) {
	e := newEnv(t)
	ctx := context.Background()
	bc := e.bundleCase(2, 40, false)
	lose(e, bc.evidence[1].FileID)
	h := worker.NewRenderHandler(e.db, nil, nil)
	err := h.ProcessTask(ctx, bundleTask(t, bc.bundle.JobID))
	if cynllun.ErrorCode(err) != cynllun.CodeNotFound {
		t.Fatalf("ProcessTask = %v, want NOT_FOUND", err)
	}
	j := e.job(bc.bundle.JobID)
	if j.Status != cynllun.JobFailed || j.ErrorCode != cynllun.CodeNotFound || j.Attempts != 1 || j.FileID != "" || j.FinishedAt.IsZero() {
		t.Fatalf("job = %+v, want FAILED with NOT_FOUND after 1 attempt", j)
	}
	if got := e.storedBundle(bc.bundle.ID); got.FileID != "" || got.ManifestFileID != "" || len(got.Manifest) != 0 || got.Pages != 0 {
		t.Fatalf("bundle = %+v, want no result", got)
	}
	if files := e.renderedFiles(bc.id); len(files) != 0 {
		t.Fatalf("rendered files %v stored for a bundle that failed", files)
	}
	// Delivered again (as a retry would be): the job is finished, and
	// stays as it is.
	if err := h.ProcessTask(ctx, bundleTask(t, bc.bundle.JobID)); err != nil {
		t.Fatalf("redelivered: %v", err)
	}
	if again := e.job(bc.bundle.JobID); again.Status != cynllun.JobFailed || again.Attempts != 1 {
		t.Fatalf("redelivered job = %+v", again)
	}
}
