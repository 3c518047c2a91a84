package seed

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"reflect"
	"testing"
	"time"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/mongodb"
	"github.com/cynllun/cynllun/service"
)

// testDB is one embedded FerretDB shared by the tests; base is the time
// they seed at (a later run is base plus some days).
var (
	testDB *mongodb.DB
	base   = time.Now()
)

func TestMain(m *testing.M) { os.Exit(run(m)) }

func run(m *testing.M) int {
	ctx := context.Background()
	db, err := mongodb.Open(ctx, mongodb.Config{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "open test database:", err)
		return 1
	}
	testDB = db
	code := m.Run()
	if err := db.Close(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "close test database:", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

func seedAt(t *testing.T, now time.Time) {
	t.Helper()
	if err := Sample(context.Background(), testDB, now); err != nil {
		t.Fatal(err)
	}
}

func london(now time.Time, days int) cynllun.Date {
	return cynllun.DateOf(now.AddDate(0, 0, days).In(cynllun.London))
}

// checkCase checks the stored sample case, its T17 clock and its evidence
// are there exactly once and as seeded at base.
func checkCase(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	revs, err := testDB.CaseRevisions(ctx, CaseID)
	if err != nil {
		t.Fatal(err)
	}
	if len(revs) != 1 {
		t.Fatalf("%d revisions of the sample case, want 1", len(revs))
	}
	c := revs[0]
	if c.Revision != 1 || c.LearnerID != Learner1ID || c.Kind != cynllun.CaseAppeal || c.Status != cynllun.CaseOpen || c.CreatedBy != OfficerID {
		t.Errorf("case = rev %d learner %s kind %s status %s by %s", c.Revision, c.LearnerID, c.Kind, c.Status, c.CreatedBy)
	}
	dec := c.Decision
	if dec.Kind != cynllun.DisputedProvision || dec.MadeBy != CardiffID || dec.DecidedOn != london(base, -12) || dec.NoticeGivenOn != london(base, -10) {
		t.Errorf("decision = %+v", dec)
	}
	if len(c.Parties) != 3 || len(c.Issues) == 0 {
		t.Errorf("%d parties, %d issues", len(c.Parties), len(c.Issues))
	}
	b := c.Bundle
	if b.Language != cynllun.RenderBilingual || !b.Chronology || b.ChronologyAfter != "A" || len(b.Sections) != 6 || len(b.Records) != 4 {
		t.Errorf("bundle = %s chronology %v after %q, %d sections, %d records", b.Language, b.Chronology, b.ChronologyAfter, len(b.Sections), len(b.Records))
	}
	for _, r := range b.Records {
		if r.Section != "C" {
			t.Errorf("record %s in section %q, want C", r.Kind, r.Section)
		}
	}

	evID := c.Events[cynllun.EventDecisionNoticeGiven]
	if want := caseEventID(CaseID, cynllun.EventDecisionNoticeGiven, dec.NoticeGivenOn); evID != want {
		t.Fatalf("event id %q, want %q", evID, want)
	}
	evs, err := testDB.EventsForLearner(ctx, Learner1ID)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, ev := range evs {
		if ev.CaseID != CaseID {
			continue
		}
		n++
		if ev.ID != evID || ev.Kind != cynllun.EventDecisionNoticeGiven || ev.OrgID != CardiffID || ev.On != dec.NoticeGivenOn || !ev.System {
			t.Errorf("event = %+v", ev)
		}
	}
	if n != 1 {
		t.Errorf("%d events of the sample case, want 1", n)
	}
	open, err := testDB.OpenDeadlines(ctx, Learner1ID, "")
	if err != nil {
		t.Fatal(err)
	}
	var clocks []*cynllun.Deadline
	for _, d := range open {
		if d.CaseID == CaseID {
			clocks = append(clocks, d)
		}
	}
	if len(clocks) != 1 {
		t.Fatalf("%d open clocks of the sample case, want 1", len(clocks))
	}
	d := clocks[0]
	if d.ID != cynllun.DeadlineID("T17", evID) || d.RuleID != "T17" || d.StartEventID != evID || d.Start != dec.NoticeGivenOn || d.OrgID != CardiffID {
		t.Errorf("deadline = %+v", d)
	}
	// 8 weeks beginning on the notice day end on day 56 (start + 55); the
	// appeal is due on the first working day after that.
	if d.Problem != "" || !d.Due.After(dec.NoticeGivenOn.AddDays(55)) || d.Due.After(dec.NoticeGivenOn.AddDays(56+5)) {
		t.Errorf("due %s (problem %q) for a notice on %s", d.Due, d.Problem, dec.NoticeGivenOn)
	}

	es, err := testDB.EvidenceForCase(ctx, CaseID)
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 2 {
		t.Fatalf("%d documents of the sample case, want 2", len(es))
	}
	want := []struct {
		id      string
		kind    cynllun.EvidenceKind
		section string
	}{{DecisionLetterID, cynllun.EvidenceDecision, "A"}, {EPReportID, cynllun.EvidenceReport, "D"}}
	for i, e := range es {
		w := want[i]
		if e.ID != w.id || e.Kind != w.kind || e.Section != w.section || e.Date.IsZero() || e.Author == "" || e.Title == "" {
			t.Errorf("evidence %d = %+v", i, e)
		}
		f, err := testDB.FileByID(ctx, e.FileID)
		if err != nil {
			t.Fatalf("file of %s: %v", e.ID, err)
		}
		if f.ID != cynllun.CaseFileID(CaseID, e.SHA256) || f.CaseID != CaseID || f.LearnerID != Learner1ID || f.Kind != cynllun.FileUpload ||
			f.ContentType != "application/pdf" || f.Pages != e.Pages || f.Pages < 1 || f.Size != e.Size || f.SHA256 != e.SHA256 {
			t.Errorf("file of %s = %+v", e.ID, f)
		}
		data, err := testDB.ReadFile(ctx, f.ID)
		if err != nil {
			t.Fatal(err)
		}
		if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != e.SHA256 || int64(len(data)) != e.Size || !bytes.HasPrefix(data, []byte("%PDF-")) {
			t.Errorf("bytes of %s do not match their evidence", e.ID)
		}
	}
}

// TestSampleCaseTwice: seeding twice stores the case, its clock, its
// evidence and their files once.
func TestSampleCaseTwice(t *testing.T) {
	seedAt(t, base)
	seedAt(t, base)
	checkCase(t)
}

// TestSampleCaseLaterRun: seeding again days later (the next `make run`)
// keeps the case as it was, starts no second clock and stores no file for
// the later dates.
func TestSampleCaseLaterRun(t *testing.T) {
	seedAt(t, base)
	later := base.AddDate(0, 0, 3)
	seedAt(t, later)
	checkCase(t)
	docs, err := SampleEvidence(SampleCase(later))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		if _, err := testDB.FileByID(context.Background(), d.File.ID); cynllun.ErrorCode(err) != cynllun.CodeNotFound {
			t.Errorf("file %s of the later run: err %v, want NOT_FOUND", d.File.Name, err)
		}
	}
}

// TestSampleCaseMatchesService opens the same case through the service
// (as the sample LA officer) and checks that the seed derives what the
// service derives: the event id (the formula the seed copies), the T17
// clock, the default bundle, the record items' sections, and the evidence
// files the service would store for the same PDFs.
func TestSampleCaseMatchesService(t *testing.T) {
	seedAt(t, base)
	ctx := context.Background()
	svc := service.New(testDB, service.WithClock(func() time.Time { return base }))
	p, err := svc.Authenticate(ctx, OfficerID)
	if err != nil {
		t.Fatal(err)
	}
	ctx = cynllun.WithPrincipal(ctx, p)
	sample := SampleCase(base)
	got, err := svc.OpenCase(ctx, service.OpenCaseInput{LearnerID: sample.LearnerID, Kind: sample.Kind, Language: sample.Bundle.Language,
		CaseDetails: service.CaseDetails{Title: sample.Title, Decision: sample.Decision, Issues: sample.Issues, Parties: sample.Parties}})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != sample.Status {
		t.Errorf("status %s, want %s", got.Status, sample.Status)
	}
	if len(got.Events) != 1 || got.Events[cynllun.EventDecisionNoticeGiven] != caseEventID(got.ID, cynllun.EventDecisionNoticeGiven, sample.Decision.NoticeGivenOn) {
		t.Errorf("service events %v; the seed's formula gives %s", got.Events, caseEventID(got.ID, cynllun.EventDecisionNoticeGiven, sample.Decision.NoticeGivenOn))
	}
	noRecords := sample.Bundle
	noRecords.Records = nil
	if !reflect.DeepEqual(got.Bundle, noRecords) {
		t.Errorf("service's default bundle %+v\nseed's %+v", got.Bundle, noRecords)
	}

	theirs, err := svc.AppealDeadline(ctx, got)
	if err != nil || theirs == nil {
		t.Fatalf("service's T17: %v, %v", theirs, err)
	}
	ours, err := testDB.DeadlinesByID(ctx, []string{cynllun.DeadlineID("T17", sample.Events[cynllun.EventDecisionNoticeGiven])})
	if err != nil || len(ours) != 1 {
		t.Fatalf("seed's T17: %v, %v", ours, err)
	}
	o := ours[0]
	if o.Due != theirs.Due || o.Start != theirs.Start || o.Problem != theirs.Problem || o.OrgID != theirs.OrgID || o.LAID != theirs.LAID ||
		o.SettingID != theirs.SettingID || o.PlanID != theirs.PlanID || o.RuleID != theirs.RuleID {
		t.Errorf("seed's T17 %+v\nservice's %+v", o, theirs)
	}
	open, err := testDB.OpenDeadlines(ctx, Learner1ID, "")
	if err != nil {
		t.Fatal(err)
	}
	started := 0
	for _, d := range open {
		if d.CaseID == got.ID {
			started++
		}
	}
	if started != 1 {
		t.Errorf("the service started %d clocks for the case; the seed starts T17 only", started)
	}

	spec, err := svc.SetBundleSpec(ctx, service.WholeSpec(got.ID, got.Revision, sample.Bundle))
	if err != nil {
		t.Fatalf("the service refuses the seed's bundle: %v", err)
	}
	if !reflect.DeepEqual(spec.Bundle, sample.Bundle) {
		t.Errorf("service's bundle %+v\nseed's %+v", spec.Bundle, sample.Bundle)
	}

	docs, err := SampleEvidence(sample)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		e, err := svc.AddEvidence(ctx, service.EvidenceInput{CaseID: got.ID, Title: d.Evidence.Title, Date: d.Evidence.Date, Author: d.Evidence.Author,
			Kind: d.Evidence.Kind, Name: d.File.Name, DeclaredType: d.File.ContentType, Data: d.Data})
		if err != nil {
			t.Fatalf("the service refuses %s: %v", d.File.Name, err)
		}
		if e.Section != d.Evidence.Section || e.Pages != d.Evidence.Pages || e.SHA256 != d.Evidence.SHA256 || e.Size != d.Evidence.Size ||
			e.ContentType != d.Evidence.ContentType || e.FileID != cynllun.CaseFileID(got.ID, d.Evidence.SHA256) {
			t.Errorf("service's evidence %+v\nseed's %+v", e, d.Evidence)
		}
		f, err := testDB.FileByID(ctx, e.FileID)
		if err != nil {
			t.Fatal(err)
		}
		if f.Name != d.File.Name || f.ContentType != d.File.ContentType || f.Size != d.File.Size || f.Pages != d.File.Pages ||
			f.SHA256 != d.File.SHA256 || f.LearnerID != d.File.LearnerID || f.Kind != d.File.Kind {
			t.Errorf("service's file %+v\nseed's %+v", f, d.File)
		}
	}
}
