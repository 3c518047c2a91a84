package mongodb

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/cynllun/cynllun"
)

// fullCase is revision rev of a case with every field set, Welsh text
// included.
func fullCase(id, learnerID string, rev int) *cynllun.Case {
	return &cynllun.Case{
		ID: id, Revision: rev, LearnerID: learnerID, Kind: cynllun.CaseAppeal, Status: cynllun.CaseHearingListed,
		Title: "Apêl am ddarpariaeth cyfrwng Cymraeg", Reference: "ETW/2026/0042",
		Decision: cynllun.DisputedDecision{
			Kind: cynllun.DisputedWelshProvision, Description: "Gwrthod therapi iaith yn Gymraeg", MadeBy: "org_la_ynysmon",
			DecidedOn: cynllun.MustDate("2026-05-04"), NoticeGivenOn: cynllun.MustDate("2026-05-06"),
		},
		Issues: []string{"Welsh-medium SaLT", "Named school"},
		Parties: []cynllun.Party{
			{Role: cynllun.PartyAppellant, Name: "Mrs Llŷr", UserID: "usr_parent"},
			{Role: cynllun.PartyRespondent, Name: "Cyngor Sir Ynys Môn", Organisation: "Cyngor Sir Ynys Môn", OrgID: "org_la_ynysmon"},
			{Role: cynllun.PartyRepresentative, Name: "Ms Pritchard", Organisation: "SNAP Cymru", Represents: cynllun.PartyAppellant},
		},
		DisagreementReferredOn: cynllun.MustDate("2026-05-10"), LodgedOn: cynllun.MustDate("2026-06-01"),
		RegisteredOn: cynllun.MustDate("2026-06-08"), CaseStatementDue: cynllun.MustDate("2026-07-20"),
		HearingOn: cynllun.MustDate("2026-10-12"), DecisionSentOn: cynllun.MustDate("2026-10-30"), ClosedOn: cynllun.MustDate("2026-11-02"),
		Outcome: "Apêl wedi'i chaniatáu yn rhannol",
		Bundle: cynllun.BundleSpec{
			Language: cynllun.RenderBilingual,
			Sections: []cynllun.BundleSection{
				{Key: "A", TitleEN: "Appeal documents", TitleCY: "Dogfennau'r apêl", PageLimit: 0, Order: cynllun.OrderAsListed},
				{Key: "B", TitleEN: "Reports", TitleCY: "Adroddiadau", PageLimit: 120, Order: cynllun.OrderChronological},
			},
			Chronology: true, ChronologyAfter: "A",
			Records: []cynllun.RecordItem{
				{Kind: cynllun.RecordPlanVersion, Section: "A", PlanID: "pln_1", Version: 3},
				{Kind: cynllun.RecordMeetingRecord, Section: "B", ReviewID: "rvw_1", Revision: 2},
				{Kind: cynllun.RecordLedger, Section: "B", PlanID: "pln_1", From: cynllun.MustDate("2025-09-01"), To: cynllun.MustDate("2026-07-18")},
				{Kind: cynllun.RecordDeadlines, Section: "B"},
			},
			Excluded: []string{"evd_1", "evd_2"},
		},
		Events: map[cynllun.EventKind]string{
			cynllun.EventDecisionNoticeGiven:  "evt_notice",
			cynllun.EventAppealMade:           "evt_appeal",
			cynllun.EventTribunalDecisionSent: "evt_sent",
		},
		CreatedAt: t0, CreatedBy: "usr_officer",
		UpdatedAt: t0.Add(time.Duration(rev) * time.Hour), UpdatedBy: "usr_officer2",
	}
}

// minimalCase is revision rev of a case created at created.
func minimalCase(id, learnerID string, rev int, created time.Time) *cynllun.Case {
	return &cynllun.Case{ID: id, Revision: rev, LearnerID: learnerID, Kind: cynllun.CaseDisagreement, Status: cynllun.CaseOpen,
		CreatedAt: created, CreatedBy: "usr_a", UpdatedAt: created.Add(time.Duration(rev) * time.Minute), UpdatedBy: "usr_a"}
}

func mustInsertCases(t *testing.T, cs ...*cynllun.Case) {
	t.Helper()
	for _, c := range cs {
		if err := testDB.InsertCase(t.Context(), c); err != nil {
			t.Fatalf("InsertCase %s r%d: %v", c.ID, c.Revision, err)
		}
	}
}

func TestCaseRoundTrip(t *testing.T) {
	t.Parallel()
	local := time.FixedZone("BST", 3600)
	empty := minimalCase(cynllun.NewID(cynllun.PrefixCase), "lrn_case_rt", 1, t0)
	empty.Issues, empty.Parties, empty.Events = []string{}, []cynllun.Party{}, map[cynllun.EventKind]string{}
	empty.Bundle = cynllun.BundleSpec{Sections: []cynllun.BundleSection{}, Records: []cynllun.RecordItem{}, Excluded: []string{}}
	emptyWant := *empty
	emptyWant.Issues, emptyWant.Parties, emptyWant.Events, emptyWant.Bundle = nil, nil, nil, cynllun.BundleSpec{}

	fine := minimalCase(cynllun.NewID(cynllun.PrefixCase), "lrn_case_rt", 1, t0.Add(456789*time.Nanosecond).In(local))
	fineWant := *fine
	fineWant.CreatedAt = fine.CreatedAt.UTC().Truncate(time.Millisecond)
	fineWant.UpdatedAt = fine.UpdatedAt.UTC().Truncate(time.Millisecond)

	full := fullCase(cynllun.NewID(cynllun.PrefixCase), "lrn_case_rt", 1)
	tests := []struct {
		name    string
		in      *cynllun.Case
		want    *cynllun.Case
		wantRaw bson.M // fields of the stored document
	}{
		{"every field", full, full, bson.M{
			"_id": cynllun.CaseRevisionID(full.ID, 1), "caseId": full.ID, "revision": int32(1),
			"lodgedOn": "2026-06-01", "closedOn": "2026-11-02",
			"decision": bson.D{{Key: "kind", Value: "WELSH_PROVISION"}, {Key: "description", Value: "Gwrthod therapi iaith yn Gymraeg"},
				{Key: "madeBy", Value: "org_la_ynysmon"}, {Key: "decidedOn", Value: "2026-05-04"}, {Key: "noticeGivenOn", Value: "2026-05-06"}},
			// A list of pairs, by kind.
			"events": bson.A{
				bson.D{{Key: "kind", Value: "APPEAL_MADE"}, {Key: "eventId", Value: "evt_appeal"}},
				bson.D{{Key: "kind", Value: "DECISION_NOTICE_GIVEN"}, {Key: "eventId", Value: "evt_notice"}},
				bson.D{{Key: "kind", Value: "TRIBUNAL_DECISION_SENT"}, {Key: "eventId", Value: "evt_sent"}},
			},
		}},
		{"empty slices and map are absent and read back nil", empty, &emptyWant, bson.M{
			"lodgedOn": "", "issues": nil, "parties": nil, "events": nil,
		}},
		{"times in UTC to the millisecond", fine, &fineWant, bson.M{"createdAt": fineWant.CreatedAt}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			mustInsertCases(t, tt.in)
			got, err := testDB.CasesByID(ctx, []string{tt.in.ID})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]*cynllun.Case{tt.want}, got); diff != "" {
				t.Errorf("CasesByID (-want +got):\n%s", diff)
			}
			revs, err := testDB.CaseRevisions(ctx, tt.in.ID)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]*cynllun.Case{tt.want}, revs); diff != "" {
				t.Errorf("CaseRevisions (-want +got):\n%s", diff)
			}
			var raw bson.M
			if err := testDB.coll(collCases).FindOne(ctx, bson.D{{Key: "_id", Value: cynllun.CaseRevisionID(tt.in.ID, tt.in.Revision)}}).Decode(&raw); err != nil {
				t.Fatal(err)
			}
			for k, want := range tt.wantRaw {
				got, ok := raw[k]
				if want == nil {
					if ok {
						t.Errorf("stored %s = %v, want it absent", k, got)
					}
					continue
				}
				if bt, isTime := got.(bson.DateTime); isTime {
					got = bt.Time().UTC()
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("stored %s (-want +got):\n%s", k, diff)
				}
			}
		})
	}
}

func TestCaseRevisions(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	learner := cynllun.NewID(cynllun.PrefixLearner)
	id := cynllun.NewID(cynllun.PrefixCase)
	r1 := minimalCase(id, learner, 1, t0)
	r2 := fullCase(id, learner, 2)
	r3 := fullCase(id, learner, 3)
	r3.Status, r3.Outcome = cynllun.CaseClosed, "Closed"
	mustInsertCases(t, r1, r2, r3)

	t.Run("latest revision", func(t *testing.T) {
		got, err := testDB.CasesByID(ctx, []string{id, id, "", "cas_missing"})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]*cynllun.Case{r3}, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("every revision, oldest first", func(t *testing.T) {
		got, err := testDB.CaseRevisions(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]*cynllun.Case{r1, r2, r3}, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	conflicts := []struct {
		name string
		rev  int
	}{{"first revision again", 1}, {"latest revision again", 3}}
	for _, tt := range conflicts {
		t.Run("conflict: "+tt.name, func(t *testing.T) {
			dup := minimalCase(id, learner, tt.rev, t0.Add(time.Hour))
			err := testDB.InsertCase(ctx, dup)
			if e := asError(t, err); e.Code != cynllun.CodeConflict || e.Current != 3 {
				t.Fatalf("InsertCase of an existing revision = %v (current %d), want CONFLICT with current 3", err, e.Current)
			}
		})
	}
	t.Run("not found", func(t *testing.T) {
		for _, ids := range [][]string{nil, {}, {""}, {"cas_missing"}, {"cas_missing", "cas_missing_too"}} {
			got, err := testDB.CasesByID(ctx, ids)
			if err != nil || len(got) != 0 {
				t.Errorf("CasesByID(%q) = %v, %v", ids, got, err)
			}
		}
		if got, err := testDB.CaseRevisions(ctx, "cas_missing"); err != nil || len(got) != 0 {
			t.Errorf("CaseRevisions of a missing case = %v, %v", got, err)
		}
	})
	// The stored revisions are unchanged by the failed inserts.
	if got, err := testDB.CaseRevisions(ctx, id); err != nil || len(got) != 3 || got[0].Status != cynllun.CaseOpen {
		t.Errorf("after the conflicts CaseRevisions = %v, %v", got, err)
	}
}

// TestCaseRevisionRace: ten savers of the same next revision, one wins and
// the others see it as the current revision.
func TestCaseRevisionRace(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	id := cynllun.NewID(cynllun.PrefixCase)
	mustInsertCases(t, minimalCase(id, "lrn_race", 1, t0))
	var mu sync.Mutex
	wins, conflicts := 0, 0
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			err := testDB.InsertCase(ctx, minimalCase(id, "lrn_race", 2, t0))
			mu.Lock()
			defer mu.Unlock()
			switch e := cynllun.AsError("", err); {
			case err == nil:
				wins++
			case e != nil && e.Code == cynllun.CodeConflict && e.Current == 2:
				conflicts++
			default:
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if wins != 1 || conflicts != 9 {
		t.Fatalf("wins %d conflicts %d", wins, conflicts)
	}
}

func TestCasesForLearners(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	a, b, none := cynllun.NewID(cynllun.PrefixLearner), cynllun.NewID(cynllun.PrefixLearner), cynllun.NewID(cynllun.PrefixLearner)
	h := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Hour) }

	// a's cases: one with three revisions, created last; one created first.
	aLate := cynllun.NewID(cynllun.PrefixCase)
	aLate1, aLate2, aLate3 := minimalCase(aLate, a, 1, h(5)), minimalCase(aLate, a, 2, h(5)), minimalCase(aLate, a, 3, h(5))
	aLate3.Status = cynllun.CaseResolved
	aFirst := minimalCase(cynllun.NewID(cynllun.PrefixCase), a, 1, h(0))
	// A case whose later revisions carry later CreatedAt times: it is
	// ordered by its first revision's.
	aMoved := cynllun.NewID(cynllun.PrefixCase)
	aMoved1, aMoved2 := minimalCase(aMoved, a, 1, h(1)), minimalCase(aMoved, a, 2, h(9))
	// b's cases: two created at the same time (ordered by id), one between.
	tieIDs := []string{cynllun.NewID(cynllun.PrefixCase), cynllun.NewID(cynllun.PrefixCase)}
	slices.Sort(tieIDs)
	bTieA, bTieB := minimalCase(tieIDs[0], b, 1, h(2)), minimalCase(tieIDs[1], b, 1, h(2))
	bMid := minimalCase(cynllun.NewID(cynllun.PrefixCase), b, 1, h(3))
	// Inserted out of order.
	mustInsertCases(t, bTieB, aLate1, aMoved1, bMid, aLate2, aFirst, bTieA, aMoved2, aLate3)

	tests := []struct {
		name     string
		learners []string
		want     []*cynllun.Case
	}{
		{"one learner, latest revisions, oldest case first", []string{a}, []*cynllun.Case{aFirst, aMoved2, aLate3}},
		{"ties by id", []string{b}, []*cynllun.Case{bTieA, bTieB, bMid}},
		{"two learners, merged", []string{b, a}, []*cynllun.Case{aFirst, aMoved2, bTieA, bTieB, bMid, aLate3}},
		{"repeated and empty ids", []string{a, "", a}, []*cynllun.Case{aFirst, aMoved2, aLate3}},
		{"a learner with no cases", []string{none}, nil},
		{"no learners", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := testDB.CasesForLearners(ctx, tt.learners)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	t.Run("CasesByID orders the same way", func(t *testing.T) {
		got, err := testDB.CasesByID(ctx, []string{aLate, bMid.ID, aFirst.ID})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]*cynllun.Case{aFirst, bMid, aLate3}, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
}

func newEvidence(caseID string, created time.Time) *cynllun.CaseEvidence {
	return &cynllun.CaseEvidence{
		ID: cynllun.NewID(cynllun.PrefixEvidence), CaseID: caseID, LearnerID: "lrn_evd", FileID: cynllun.FileIDFor("ab12"),
		ContentType: "application/pdf", Pages: 7, SHA256: "ab12", Size: 123456, Title: "Adroddiad therapydd iaith — Siôn",
		Date: cynllun.MustDate("2026-04-01"), Author: "Dr Ŵyn", Kind: cynllun.EvidenceReport, Section: "B",
		CreatedAt: created, CreatedBy: "usr_uploader",
	}
}

func TestEvidence(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	caseID := cynllun.NewID(cynllun.PrefixCase)
	first := newEvidence(caseID, t0)
	undated := newEvidence(caseID, t0.Add(time.Minute))
	undated.Date, undated.Kind, undated.Section, undated.Author = cynllun.Date{}, cynllun.EvidenceChildsViews, "A", ""
	// Two added in the same millisecond: by id.
	tie := []*cynllun.CaseEvidence{newEvidence(caseID, t0.Add(time.Hour)), newEvidence(caseID, t0.Add(time.Hour))}
	sort.Slice(tie, func(i, j int) bool { return tie[i].ID < tie[j].ID })
	// Stored withdrawn already.
	gone := newEvidence(caseID, t0.Add(2*time.Hour))
	gone.WithdrawnAt, gone.WithdrawnBy, gone.WithdrawnReason = t0.Add(3*time.Hour), "usr_a", "wrong learner"
	other := newEvidence(cynllun.NewID(cynllun.PrefixCase), t0)
	for _, e := range []*cynllun.CaseEvidence{tie[1], gone, first, other, undated, tie[0]} {
		if err := testDB.InsertEvidence(ctx, e); err != nil {
			t.Fatalf("InsertEvidence: %v", err)
		}
	}

	t.Run("EvidenceForCase in the order added", func(t *testing.T) {
		got, err := testDB.EvidenceForCase(ctx, caseID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]*cynllun.CaseEvidence{first, undated, tie[0], tie[1], gone}, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("EvidenceByID", func(t *testing.T) {
		got, err := testDB.EvidenceByID(ctx, []string{gone.ID, first.ID, first.ID, "evd_missing", ""})
		if err != nil {
			t.Fatal(err)
		}
		want := []*cynllun.CaseEvidence{first, gone}
		if diff := cmp.Diff(want, got, cmpopts.SortSlices(func(a, b *cynllun.CaseEvidence) bool { return a.ID < b.ID })); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("insert conflict", func(t *testing.T) {
		dup := newEvidence(caseID, t0)
		dup.ID = first.ID
		if err := testDB.InsertEvidence(ctx, dup); codeOf(err) != cynllun.CodeConflict {
			t.Fatalf("InsertEvidence of an existing id = %v, want CONFLICT", err)
		}
	})
	t.Run("withdraw twice: the first withdrawal stays", func(t *testing.T) {
		e := newEvidence(caseID, t0.Add(-time.Hour))
		if err := testDB.InsertEvidence(ctx, e); err != nil {
			t.Fatal(err)
		}
		at := t0.Add(5*time.Hour + 456789*time.Nanosecond)
		if err := testDB.WithdrawEvidence(ctx, e.ID, at, "usr_a", "duplicate upload"); err != nil {
			t.Fatalf("WithdrawEvidence: %v", err)
		}
		if err := testDB.WithdrawEvidence(ctx, e.ID, at.Add(time.Hour), "usr_b", "again"); err != nil {
			t.Fatalf("WithdrawEvidence again: %v", err)
		}
		want := *e
		want.WithdrawnAt, want.WithdrawnBy, want.WithdrawnReason = at.Truncate(time.Millisecond), "usr_a", "duplicate upload"
		got, err := testDB.EvidenceByID(ctx, []string{e.ID})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]*cynllun.CaseEvidence{&want}, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
		if !got[0].Withdrawn() {
			t.Error("not Withdrawn()")
		}
		// Stored withdrawn: also kept.
		if err := testDB.WithdrawEvidence(ctx, gone.ID, at, "usr_b", "again"); err != nil {
			t.Fatal(err)
		}
		if got, _ := testDB.EvidenceByID(ctx, []string{gone.ID}); len(got) != 1 || got[0].WithdrawnReason != "wrong learner" {
			t.Errorf("withdrawn evidence changed: %+v", got)
		}
	})
	t.Run("state: withdraw, reinstate, guarded by seq", func(t *testing.T) {
		e := newEvidence(caseID, t0.Add(-2*time.Hour))
		if err := testDB.InsertEvidence(ctx, e); err != nil {
			t.Fatal(err)
		}
		at := t0.Add(time.Hour).Truncate(time.Millisecond)
		// Stored before issue 17: no side, no seq.
		next := *e
		next.Side, next.FiledAs, next.DisclosedAt, next.DisclosedBy = cynllun.SideAppellant, cynllun.CaseRoleParent, at, "usr_a"
		next.WithdrawnAt, next.WithdrawnBy, next.WithdrawnReason = at, "usr_a", "wrong draft"
		next.History = []cynllun.EvidenceChange{{Action: cynllun.EvidenceActionWithdraw, At: at, By: "usr_a", Side: cynllun.SideAppellant, Reason: "wrong draft"}}
		next.Seq = 1
		if err := testDB.SetEvidenceState(ctx, &next, 0); err != nil {
			t.Fatalf("SetEvidenceState: %v", err)
		}
		// A second change from the same seq loses.
		if err := testDB.SetEvidenceState(ctx, &next, 0); codeOf(err) != cynllun.CodeConflict {
			t.Fatalf("stale SetEvidenceState = %v, want CONFLICT", err)
		}
		got, err := testDB.EvidenceByID(ctx, []string{e.ID})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]*cynllun.CaseEvidence{&next}, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
		// Reinstated: the withdrawal is cleared, the history kept.
		back := next
		back.WithdrawnAt, back.WithdrawnBy, back.WithdrawnReason = time.Time{}, "", ""
		back.History = append(slices.Clone(next.History), cynllun.EvidenceChange{Action: cynllun.EvidenceActionReinstate, At: at.Add(time.Minute), By: "usr_a", Side: cynllun.SideAppellant})
		back.Seq = 2
		if err := testDB.SetEvidenceState(ctx, &back, 1); err != nil {
			t.Fatalf("reinstate: %v", err)
		}
		got, _ = testDB.EvidenceByID(ctx, []string{e.ID})
		if diff := cmp.Diff([]*cynllun.CaseEvidence{&back}, got); diff != "" || got[0].Withdrawn() {
			t.Errorf("(-want +got):\n%s", diff)
		}
		missing := back
		missing.ID = "evd_missing"
		if err := testDB.SetEvidenceState(ctx, &missing, 0); codeOf(err) != cynllun.CodeNotFound {
			t.Errorf("missing evidence = %v, want NOT_FOUND", err)
		}
	})
	errs := []struct {
		name string
		id   string
		at   time.Time
		want cynllun.Code
	}{
		{"missing evidence", "evd_missing", t0, cynllun.CodeNotFound},
		{"no time", first.ID, time.Time{}, cynllun.CodeInvalid},
	}
	for _, tt := range errs {
		t.Run("withdraw: "+tt.name, func(t *testing.T) {
			if err := testDB.WithdrawEvidence(ctx, tt.id, tt.at, "usr_a", "x"); codeOf(err) != tt.want {
				t.Fatalf("WithdrawEvidence = %v, want %s", err, tt.want)
			}
		})
	}
	t.Run("empty reads", func(t *testing.T) {
		if got, err := testDB.EvidenceForCase(ctx, "cas_missing"); err != nil || len(got) != 0 {
			t.Errorf("EvidenceForCase of a missing case = %v, %v", got, err)
		}
		if got, err := testDB.EvidenceByID(ctx, nil); err != nil || len(got) != 0 {
			t.Errorf("EvidenceByID(nil) = %v, %v", got, err)
		}
	})
}

func newBundle(caseID string, n int, contents []byte) *cynllun.Bundle {
	id := cynllun.BundleID(caseID, n)
	return &cynllun.Bundle{
		ID: id, CaseID: caseID, LearnerID: "lrn_bdl", Number: n, Language: cynllun.RenderBilingual,
		Contents: contents, ContentsSHA256: "c0ffee", JobID: cynllun.BundleJobID(id, 1),
		CreatedAt: t0.Add(time.Duration(n) * time.Minute), CreatedBy: "usr_officer",
	}
}

func TestBundles(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	caseID := cynllun.NewID(cynllun.PrefixCase)
	// JSON with Welsh text, and bytes that are no UTF-8 at all: both kept
	// byte for byte.
	json1 := []byte(`{"sections":[{"key":"A","title":"Dogfennau'r apêl — Siôn"}],"n":1}` + "\n")
	odd := []byte{0x00, 0xff, 0xfe, '{', 0x80, '}', 0x00}
	b2 := newBundle(caseID, 2, odd)
	b1 := newBundle(caseID, 1, json1)
	b3 := newBundle(caseID, 3, nil)
	for _, b := range []*cynllun.Bundle{b2, b1, b3} {
		if err := testDB.InsertBundle(ctx, b); err != nil {
			t.Fatalf("InsertBundle %d: %v", b.Number, err)
		}
	}

	t.Run("BundlesForCase by number", func(t *testing.T) {
		got, err := testDB.BundlesForCase(ctx, caseID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]*cynllun.Bundle{b1, b2, b3}, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
		if !bytes.Equal(got[0].Contents, json1) || !bytes.Equal(got[1].Contents, odd) || got[2].Contents != nil {
			t.Errorf("contents changed: %q %q %q", got[0].Contents, got[1].Contents, got[2].Contents)
		}
	})
	t.Run("BundlesByID", func(t *testing.T) {
		got, err := testDB.BundlesByID(ctx, []string{b2.ID, b2.ID, "bdl_missing"})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]*cynllun.Bundle{b2}, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("contents stored as binary", func(t *testing.T) {
		var raw bson.M
		if err := testDB.coll(collBundles).FindOne(ctx, bson.D{{Key: "_id", Value: b1.ID}}).Decode(&raw); err != nil {
			t.Fatal(err)
		}
		if bin, ok := raw["contents"].(bson.Binary); !ok || !bytes.Equal(bin.Data, json1) {
			t.Errorf("stored contents = %#v", raw["contents"])
		}
		if _, ok := raw["fileId"]; ok {
			t.Errorf("an unrendered bundle has a fileId: %v", raw)
		}
	})

	conflicts := []struct {
		name string
		b    *cynllun.Bundle
	}{
		{"same version again", newBundle(caseID, 1, json1)},
		{"same number under another id", func() *cynllun.Bundle {
			b := newBundle(caseID, 2, json1)
			b.ID = cynllun.NewID(cynllun.PrefixBundle)
			return b
		}()},
	}
	for _, tt := range conflicts {
		t.Run("conflict: "+tt.name, func(t *testing.T) {
			err := testDB.InsertBundle(ctx, tt.b)
			if e := asError(t, err); e.Code != cynllun.CodeConflict || e.Current != 3 {
				t.Fatalf("InsertBundle = %v (current %d), want CONFLICT with current 3", err, e.Current)
			}
		})
	}

	t.Run("complete twice: the first result stays", func(t *testing.T) {
		manifest := []byte(`{"pages":42,"documents":[{"title":"Adroddiad","from":1,"to":7}]}`)
		done := *b1
		done.FileID, done.ManifestFileID, done.Manifest = cynllun.FileIDFor("f1"), cynllun.FileIDFor("m1"), manifest
		done.Pages, done.RenderedAt = 42, t0.Add(time.Hour+456789*time.Nanosecond)
		// Only the result is taken from the argument.
		arg := done
		arg.Contents, arg.JobID, arg.Number = []byte("other"), "job_other", 99
		if err := testDB.CompleteBundle(ctx, &arg); err != nil {
			t.Fatalf("CompleteBundle: %v", err)
		}
		again := done
		again.FileID, again.ManifestFileID, again.Manifest, again.Pages = cynllun.FileIDFor("f2"), "", nil, 1
		again.RenderedAt = t0.Add(2 * time.Hour)
		if err := testDB.CompleteBundle(ctx, &again); err != nil {
			t.Fatalf("CompleteBundle again: %v", err)
		}
		want := done
		want.RenderedAt = done.RenderedAt.Truncate(time.Millisecond)
		got, err := testDB.BundlesByID(ctx, []string{b1.ID})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]*cynllun.Bundle{&want}, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
		if !bytes.Equal(got[0].Manifest, manifest) {
			t.Errorf("manifest %q", got[0].Manifest)
		}
		// The other versions are untouched.
		rest, err := testDB.BundlesByID(ctx, []string{b2.ID, b3.ID})
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range rest {
			if b.FileID != "" || !b.RenderedAt.IsZero() {
				t.Errorf("bundle %d completed too: %+v", b.Number, b)
			}
		}
	})
	t.Run("complete with only a file", func(t *testing.T) {
		done := *b3
		done.FileID = cynllun.FileIDFor("f3")
		if err := testDB.CompleteBundle(ctx, &done); err != nil {
			t.Fatal(err)
		}
		got, err := testDB.BundlesByID(ctx, []string{b3.ID})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]*cynllun.Bundle{&done}, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})

	errs := []struct {
		name string
		call func() error
		want cynllun.Code
	}{
		{"complete a missing bundle", func() error {
			b := newBundle(caseID, 9, nil)
			b.FileID = cynllun.FileIDFor("f9")
			return testDB.CompleteBundle(ctx, b)
		}, cynllun.CodeNotFound},
		{"complete without a file", func() error { return testDB.CompleteBundle(ctx, newBundle(caseID, 2, nil)) }, cynllun.CodeInvalid},
		{"insert without an id", func() error {
			b := newBundle(caseID, 7, nil)
			b.ID = ""
			return testDB.InsertBundle(ctx, b)
		}, cynllun.CodeInvalid},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); codeOf(err) != tt.want {
				t.Fatalf("err = %v, want %s", err, tt.want)
			}
		})
	}
	t.Run("empty reads", func(t *testing.T) {
		if got, err := testDB.BundlesForCase(ctx, "cas_missing"); err != nil || len(got) != 0 {
			t.Errorf("BundlesForCase of a missing case = %v, %v", got, err)
		}
		if got, err := testDB.BundlesByID(ctx, nil); err != nil || len(got) != 0 {
			t.Errorf("BundlesByID(nil) = %v, %v", got, err)
		}
	})
}

// seekCounter is an io.ReadSeeker that counts its seeks and can fail them.
type seekCounter struct {
	r       *bytes.Reader
	mu      sync.Mutex
	seeks   int
	failing bool
}

func (s *seekCounter) Read(p []byte) (int, error) { return s.r.Read(p) }

func (s *seekCounter) Seek(off int64, whence int) (int64, error) {
	s.mu.Lock()
	s.seeks++
	fail := s.failing
	s.mu.Unlock()
	if fail {
		return 0, errors.New("seek failed")
	}
	return s.r.Seek(off, whence)
}

func TestPutFileFrom(t *testing.T) {
	t.Parallel()
	for _, tt := range fileSizes {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, data := newFile(t, tt.size)
			f.Size = 1 // ignored
			// The reader has been read to its end: PutFileFrom starts it
			// from the beginning.
			r := &seekCounter{r: bytes.NewReader(data)}
			if _, err := io.Copy(io.Discard, r.r); err != nil {
				t.Fatal(err)
			}
			if err := testDB.PutFileFrom(t.Context(), f, r); err != nil {
				t.Fatalf("PutFileFrom: %v", err)
			}
			if r.seeks != 1 {
				t.Errorf("%d seeks, want 1", r.seeks)
			}
			want := *f
			want.Size = int64(tt.size)
			checkFile(t, &want, data)

			// Stored already: the insert of the first chunks meets the
			// stored ones, the file is found, and nothing is written.
			again := &seekCounter{r: bytes.NewReader(data)}
			cmds := commands(t, func(ctx context.Context) {
				if err := testDB.PutFileFrom(ctx, f, again); err != nil {
					t.Fatalf("PutFileFrom again: %v", err)
				}
			})
			if len(cmds) > 2 || slices.ContainsFunc(cmds, func(c string) bool { return c == "update" || c == "delete" }) || again.seeks != 1 {
				t.Errorf("PutFileFrom of a stored file sent %v and seeked %d times", cmds, again.seeks)
			}
			checkFile(t, &want, data)
		})
	}
}

func TestPutFileFromErrors(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	f, data := newFile(t, 5000)
	r := &seekCounter{r: bytes.NewReader(data), failing: true}
	if err := testDB.PutFileFrom(ctx, f, r); codeOf(err) != cynllun.CodeInternal {
		t.Errorf("PutFileFrom with a failing seek = %v, want INTERNAL", err)
	}
	if files, chunks := countFileDocs(t, f.ID); files != 0 || chunks != 0 {
		t.Errorf("a failed PutFileFrom stored %d files documents and %d chunks", files, chunks)
	}
	if err := testDB.PutFileFrom(ctx, f, nil); codeOf(err) != cynllun.CodeInvalid {
		t.Errorf("PutFileFrom without a reader = %v, want INVALID", err)
	}
	if err := testDB.PutFileFrom(ctx, &cynllun.File{}, bytes.NewReader(data)); codeOf(err) != cynllun.CodeInvalid {
		t.Errorf("PutFileFrom without an id = %v, want INVALID", err)
	}
	// The same file from a working reader is then stored whole.
	if err := testDB.PutFileFrom(ctx, f, bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	want := *f
	checkFile(t, &want, data)
}

// TestCaseBatchReads: on the embedded store the batch reads of the case
// store send only finds by _id, a bounded number of them; on MongoDB they
// are one find per collection read: the latest revisions two (the heads,
// then the revisions), a learner's cases three (the lookups first).
func TestCaseBatchReads(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	var learnerIDs, caseIDs, evidenceIDs, bundleIDs []string
	for i := range 20 {
		learner := cynllun.NewID(cynllun.PrefixLearner)
		id := cynllun.NewID(cynllun.PrefixCase)
		mustInsertCases(t, minimalCase(id, learner, 1, t0.Add(time.Duration(i)*time.Second)), fullCase(id, learner, 2))
		e := newEvidence(id, t0)
		if err := testDB.InsertEvidence(ctx, e); err != nil {
			t.Fatal(err)
		}
		b := newBundle(id, 1, []byte(`{}`))
		if err := testDB.InsertBundle(ctx, b); err != nil {
			t.Fatal(err)
		}
		learnerIDs, caseIDs = append(learnerIDs, learner), append(caseIDs, id)
		evidenceIDs, bundleIDs = append(evidenceIDs, e.ID), append(bundleIDs, b.ID)
	}
	latest := func(cs []*cynllun.Case, err error) (int, error) {
		for _, c := range cs {
			if c.Revision != 2 {
				return 0, fmt.Errorf("case %s at revision %d, want 2", c.ID, c.Revision)
			}
		}
		return len(cs), err
	}
	tests := []struct {
		name     string
		read     func(context.Context) (int, error)
		wantN    int
		wantCmds []string
	}{
		{"CasesByID", func(ctx context.Context) (int, error) { return latest(testDB.CasesByID(ctx, caseIDs)) }, 20, []string{"find", "find"}},
		{"CasesByID, one", func(ctx context.Context) (int, error) { return latest(testDB.CasesByID(ctx, caseIDs[:1])) }, 1, []string{"find", "find"}},
		{"CasesByID, none found", func(ctx context.Context) (int, error) { return latest(testDB.CasesByID(ctx, learnerIDs)) }, 0, []string{"find"}},
		{"CasesForLearners", func(ctx context.Context) (int, error) { return latest(testDB.CasesForLearners(ctx, learnerIDs)) }, 20, []string{"find", "find", "find"}},
		{"EvidenceByID", func(ctx context.Context) (int, error) {
			es, err := testDB.EvidenceByID(ctx, evidenceIDs)
			return len(es), err
		}, 20, []string{"find"}},
		{"BundlesByID", func(ctx context.Context) (int, error) {
			bs, err := testDB.BundlesByID(ctx, bundleIDs)
			return len(bs), err
		}, 20, []string{"find"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var n int
			var err error
			cmds := commands(t, func(ctx context.Context) { n, err = tt.read(ctx) })
			if err != nil {
				t.Fatal(err)
			}
			if n != tt.wantN {
				t.Errorf("got %d results, want %d", n, tt.wantN)
			}
			if testDB.Embedded() {
				// The results, their heads and the learners' lookups.
				wantFlat(t, cmds, 2*tt.wantN+len(learnerIDs), len(tt.wantCmds))
			} else if !slices.Equal(cmds, tt.wantCmds) {
				t.Errorf("sent %v, want %v", cmds, tt.wantCmds)
			}
		})
	}
}
