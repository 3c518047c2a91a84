package mongodb

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cynllun/cynllun"
)

func fullReview(id, planID string, rev int, at time.Time) *cynllun.Review {
	yes, no := true, false
	return &cynllun.Review{
		ID: id, Revision: rev, PlanID: planID, LearnerID: "lrn_rev", Type: cynllun.ReviewOnRequest, Status: cynllun.ReviewConcluded,
		Request:     &cynllun.ReviewRequest{By: cynllun.RequesterParent, ByName: "Mrs Llŷr", RequestedOn: cynllun.MustDate("2026-10-01"), Reason: "SaLT not happening", DecidedOn: cynllun.MustDate("2026-10-02"), DecidedBy: "usr_a"},
		PlanVersion: 1, HeldOn: cynllun.MustDate("2026-10-20"), DurationMinutes: 55,
		Participants:    []cynllun.Participant{{Name: "Siôn", Role: cynllun.RoleChild, Attendance: cynllun.AttendedInPerson, Agreed: &yes}, {Name: "Mrs Llŷr", Role: cynllun.RoleParent, Organisation: "", Attendance: cynllun.AttendedRemotely, Agreed: &no}},
		ChildViews:      []cynllun.ChildView{{Format: cynllun.ViewDrawing, Text: "Dw i'n hapus", GatheredBy: "Ms Evans", Attachments: []string{"fil_a", "fil_b"}}},
		ParentViews:     []cynllun.ParentView{{Name: "Mrs Llŷr", Text: "Worried", Attachments: []string{"fil_c"}}},
		PersonCentred:   cynllun.PersonCentred{ImportantTo: []string{"Mabon the dog"}, ImportantFor: []string{"Time to answer"}, Working: []string{"Visual timetable"}, NotWorking: []string{"Noisy hall"}, Questions: []string{"Who leads SaLT?"}, ActionPlan: []cynllun.Action{{Action: "Chase SaLT", Owner: "ALNCo", Due: cynllun.MustDate("2026-11-01")}}},
		FourPlusOne:     cynllun.FourPlusOne{Tried: "a", Learned: "b", Pleased: "c", Concerned: "d", Next: "e"},
		NeedsDiscussion: "Discussed", Provision: []cynllun.ProvisionReview{{RowID: "row_1", Delivered: cynllun.AnswerNo, Effective: cynllun.AnswerUnknown, StillNeeded: cynllun.AnswerYes, Change: cynllun.ChangeIncrease, Notes: "n"}},
		Outcomes:           []cynllun.OutcomeReview{{RowID: "row_1", Status: cynllun.OutcomeNotYet, Notes: "x", Revised: true}},
		NewEvidence:        []cynllun.Evidence{{Title: "Report", Source: "SaLT", Date: cynllun.MustDate("2026-09-30"), Summary: "s", Attachment: "fil_d"}},
		CapacityDiscussion: "c", CanMaintain: &yes,
		Disagreements: []cynllun.Disagreement{{Who: "Mrs Llŷr", Role: cynllun.RoleParent, About: "SaLT", RowID: "row_1", Details: "d", Resolution: "r"}},
		Decision:      &cynllun.Decision{Kind: cynllun.DecisionRevised, Reasons: "more SaLT", DecidedOn: cynllun.MustDate("2026-10-20"), DecidedBy: "usr_a", Version: 2},
		Comment:       "concluded", CreatedAt: at.Add(time.Duration(rev) * time.Minute), CreatedBy: "usr_a", OpenedAt: at, OpenedBy: "usr_a",
	}
}

func TestReviewRevisions(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2026, 10, 20, 9, 0, 0, 0, time.UTC)
	planID := cynllun.NewID(cynllun.PrefixPlan)
	a, b := cynllun.NewID(cynllun.PrefixReview), cynllun.NewID(cynllun.PrefixReview)
	r1 := &cynllun.Review{ID: a, Revision: 1, PlanID: planID, LearnerID: "lrn_rev", Type: cynllun.ReviewAnnual, Status: cynllun.ReviewOpen, CreatedAt: at, OpenedAt: at}
	if err := testDB.InsertReview(ctx, r1); err != nil {
		t.Fatal(err)
	}
	full := fullReview(a, planID, 2, at)
	if err := testDB.InsertReview(ctx, full); err != nil {
		t.Fatal(err)
	}
	later := &cynllun.Review{ID: b, Revision: 1, PlanID: planID, LearnerID: "lrn_rev", Type: cynllun.ReviewAnnual, Status: cynllun.ReviewOpen, CreatedAt: at.Add(time.Hour), OpenedAt: at.Add(time.Hour)}
	if err := testDB.InsertReview(ctx, later); err != nil {
		t.Fatal(err)
	}
	got, err := testDB.ReviewsByID(ctx, []string{a, b, "rvw_missing"})
	if err != nil || len(got) != 2 {
		t.Fatalf("ReviewsByID = %v, %v", got, err)
	}
	if d := cmp.Diff(full, got[0]); d != "" {
		t.Errorf("round trip (-want +got):\n%s", d)
	}
	list, err := testDB.ReviewsForPlans(ctx, []string{planID})
	if err != nil || len(list) != 2 || list[0].ID != a || list[0].Revision != 2 || list[1].ID != b {
		t.Fatalf("ReviewsForPlans = %v, %v", list, err)
	}
	revs, err := testDB.ReviewRevisions(ctx, a)
	if err != nil || len(revs) != 2 || revs[0].Revision != 1 || revs[1].Revision != 2 {
		t.Fatalf("ReviewRevisions = %v, %v", revs, err)
	}
	one, err := testDB.ReviewRevision(ctx, a, 1)
	if err != nil || one.Status != cynllun.ReviewOpen {
		t.Fatalf("ReviewRevision = %v, %v", one, err)
	}
	if _, err := testDB.ReviewRevision(ctx, a, 9); cynllun.ErrorCode(err) != cynllun.CodeNotFound {
		t.Fatalf("missing revision: %v", err)
	}
	dup := *r1
	err = testDB.InsertReview(ctx, &dup)
	if e := cynllun.AsError("", err); e == nil || e.Code != cynllun.CodeConflict || e.Current != 2 {
		t.Fatalf("duplicate revision: %v", err)
	}
}

// TestReviewRevisionRace: ten savers of the same next revision, one wins.
func TestReviewRevisionRace(t *testing.T) {
	ctx := context.Background()
	id := cynllun.NewID(cynllun.PrefixReview)
	at := time.Now().UTC()
	if err := testDB.InsertReview(ctx, &cynllun.Review{ID: id, Revision: 1, PlanID: "pln_race", Status: cynllun.ReviewOpen, CreatedAt: at, OpenedAt: at}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins, conflicts := 0, 0
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := testDB.InsertReview(ctx, &cynllun.Review{ID: id, Revision: 2, PlanID: "pln_race", Status: cynllun.ReviewOpen, CreatedAt: at, OpenedAt: at})
			mu.Lock()
			defer mu.Unlock()
			switch cynllun.ErrorCode(err) {
			case "":
				wins++
			case cynllun.CodeConflict:
				conflicts++
			default:
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if wins != 1 || conflicts != 9 {
		t.Fatalf("wins %d conflicts %d", wins, conflicts)
	}
}

func TestSessions(t *testing.T) {
	ctx := context.Background()
	planID := cynllun.NewID(cynllun.PrefixPlan)
	at := time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)
	mk := func(id, row, date string, st cynllun.SessionStatus) cynllun.Session {
		return cynllun.Session{ID: id, PlanID: planID, LearnerID: "lrn_s", RowID: row, Date: cynllun.MustDate(date), Minutes: 30, Status: st, DeliveredBy: "SaLT", RecordedAt: at, RecordedBy: "usr_a"}
	}
	ids := []string{cynllun.NewID(cynllun.PrefixSession), cynllun.NewID(cynllun.PrefixSession), cynllun.NewID(cynllun.PrefixSession)}
	batch := []cynllun.Session{mk(ids[0], "row_1", "2026-09-14", cynllun.SessionDelivered), mk(ids[1], "row_1", "2026-09-21", cynllun.SessionMissed), mk(ids[2], "row_2", "2026-09-07", cynllun.SessionDelivered)}
	batch[1].Reason, batch[1].Notes = cynllun.MissedProviderAbsent, "therapist ill"
	if err := testDB.InsertSessions(ctx, batch); err != nil {
		t.Fatal(err)
	}
	all, err := testDB.Sessions(ctx, cynllun.SessionQuery{PlanID: planID})
	if err != nil || len(all) != 3 || all[0].ID != ids[2] {
		t.Fatalf("Sessions = %v, %v", all, err)
	}
	if d := cmp.Diff(batch[1], all[2]); d != "" {
		t.Errorf("round trip (-want +got):\n%s", d)
	}
	some, err := testDB.Sessions(ctx, cynllun.SessionQuery{PlanID: planID, RowID: "row_1", From: cynllun.MustDate("2026-09-15"), To: cynllun.MustDate("2026-09-30")})
	if err != nil || len(some) != 1 || some[0].ID != ids[1] {
		t.Fatalf("filtered = %v, %v", some, err)
	}
	// A batch that fails part-way leaves nothing: the second entry repeats an id.
	fresh := cynllun.NewID(cynllun.PrefixSession)
	bad := []cynllun.Session{mk(fresh, "row_1", "2026-09-28", cynllun.SessionDelivered), mk(ids[0], "row_1", "2026-09-29", cynllun.SessionDelivered)}
	if err := testDB.InsertSessions(ctx, bad); cynllun.ErrorCode(err) != cynllun.CodeConflict {
		t.Fatalf("bad batch: %v", err)
	}
	if got, _ := testDB.SessionsByID(ctx, []string{fresh}); len(got) != 0 {
		t.Fatalf("half a batch kept: %v", got)
	}
	// Void once; the first void stays.
	if err := testDB.VoidSession(ctx, ids[0], at.Add(time.Hour), "usr_a", "wrong day"); err != nil {
		t.Fatal(err)
	}
	if err := testDB.VoidSession(ctx, ids[0], at.Add(2*time.Hour), "usr_b", "again"); err != nil {
		t.Fatal(err)
	}
	got, _ := testDB.SessionsByID(ctx, []string{ids[0]})
	if len(got) != 1 || !got[0].Voided() || got[0].VoidedBy != "usr_a" || got[0].VoidReason != "wrong day" {
		t.Fatalf("voided = %+v", got)
	}
	if err := testDB.VoidSession(ctx, "ses_missing", at, "usr_a", "x"); cynllun.ErrorCode(err) != cynllun.CodeNotFound {
		t.Fatalf("void missing: %v", err)
	}
}
