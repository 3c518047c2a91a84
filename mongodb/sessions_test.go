package mongodb

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cynllun/cynllun"
)

// TestSessionsFlat: a plan's ledger is read from its lookup and the
// sessions by _id; voiding reads and writes by _id.
func TestSessionsFlat(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	planID := cynllun.NewID(cynllun.PrefixPlan)
	at := time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)
	var batch []cynllun.Session
	for i := range 12 {
		row := "row_1"
		if i%3 == 0 {
			row = "row_2"
		}
		batch = append(batch, cynllun.Session{ID: cynllun.NewID(cynllun.PrefixSession), PlanID: planID, LearnerID: "lrn_f", RowID: row,
			Date: cynllun.MustDate("2026-09-01").AddDays(i % 6), Minutes: 20, Status: cynllun.SessionDelivered, RecordedAt: at, RecordedBy: "usr_a"})
	}
	if err := testDB.InsertSessions(ctx, batch); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		q     cynllun.SessionQuery
		wantN int
	}{
		{"all", cynllun.SessionQuery{PlanID: planID}, 12},
		{"one row", cynllun.SessionQuery{PlanID: planID, RowID: "row_2"}, 4},
		{"a range", cynllun.SessionQuery{PlanID: planID, From: cynllun.MustDate("2026-09-02"), To: cynllun.MustDate("2026-09-03")}, 4},
		{"another plan", cynllun.SessionQuery{PlanID: cynllun.NewID(cynllun.PrefixPlan)}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []cynllun.Session
			var err error
			cmds := commands(t, func(ctx context.Context) { got, err = testDB.Sessions(ctx, tt.q) })
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tt.wantN {
				t.Fatalf("got %d sessions, want %d", len(got), tt.wantN)
			}
			for i := 1; i < len(got); i++ {
				a, b := got[i-1], got[i]
				if a.Date.Time().After(b.Date.Time()) || a.Date == b.Date && a.ID > b.ID {
					t.Errorf("out of order: %s %s before %s %s", a.Date, a.ID, b.Date, b.ID)
				}
			}
			// The lookup, then only the sessions listed.
			wantFlat(t, cmds, 1+tt.wantN, 2)
		})
	}
	cmds := commands(t, func(ctx context.Context) {
		if err := testDB.VoidSession(ctx, batch[0].ID, at, "usr_a", "wrong"); err != nil {
			t.Error(err)
		}
	})
	if testDB.Embedded() {
		if diff := cmp.Diff([]string{findByID, "update"}, cmds); diff != "" {
			t.Errorf("VoidSession commands (-want +got):\n%s", diff)
		}
	}
}

// TestSessionsBatchRepeatingAnID: a batch repeating a stored session's id
// fails whole, and the stored session is still listed where it is (its
// entry is written again from it).
func TestSessionsBatchRepeatingAnID(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	planID := cynllun.NewID(cynllun.PrefixPlan)
	mk := func(id, date string) cynllun.Session {
		return cynllun.Session{ID: id, PlanID: planID, LearnerID: "lrn_r", RowID: "row_1", Date: cynllun.MustDate(date), Minutes: 30,
			Status: cynllun.SessionDelivered, RecordedAt: t0, RecordedBy: "usr_a"}
	}
	first := mk(cynllun.NewID(cynllun.PrefixSession), "2026-09-14")
	if err := testDB.InsertSessions(ctx, []cynllun.Session{first}); err != nil {
		t.Fatal(err)
	}
	fresh := mk(cynllun.NewID(cynllun.PrefixSession), "2026-09-20")
	bad := []cynllun.Session{fresh, mk(first.ID, "2026-10-30")}
	if err := testDB.InsertSessions(ctx, bad); cynllun.ErrorCode(err) != cynllun.CodeConflict {
		t.Fatalf("bad batch: %v", err)
	}
	got, err := testDB.Sessions(ctx, cynllun.SessionQuery{PlanID: planID, From: cynllun.MustDate("2026-09-01"), To: cynllun.MustDate("2026-10-31")})
	if err != nil || len(got) != 1 || got[0].ID != first.ID {
		t.Fatalf("Sessions in September and October = %v, %v", got, err)
	}
	m, err := lookupMembers[sessionEntry](ctx, testDB, lkSessionsOfPlan, []string{planID})
	if err != nil {
		t.Fatal(err)
	}
	// The stored session's entry is written again from it. The fresh
	// session's entry may stay after a duplicate key (another recording
	// of that same session, whose id derives from it, may be inserting
	// it); readers skip it, as the listing above shows.
	if diff := cmp.Diff(sessionEntry{Date: "2026-09-14", RowID: "row_1"}, m[planID][first.ID]); diff != "" {
		t.Errorf("the stored session's entry after the failed batch (-want +got):\n%s", diff)
	}
	for id := range m[planID] {
		if id != first.ID && id != fresh.ID {
			t.Errorf("unexpected entry %s", id)
		}
	}
}

// TestSessionsBackfill: sessions stored before the lookups existed are
// listed once the backfill has run.
func TestSessionsBackfill(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	planID := cynllun.NewID(cynllun.PrefixPlan)
	var ids []string
	for _, date := range []string{"2026-09-08", "2026-09-01"} {
		s := cynllun.Session{ID: cynllun.NewID(cynllun.PrefixSession), PlanID: planID, LearnerID: "lrn_b", RowID: "row_1", Date: cynllun.MustDate(date),
			Minutes: 30, Status: cynllun.SessionDelivered, RecordedAt: t0, RecordedBy: "usr_a"}
		if _, err := testDB.coll(collSessions).InsertOne(ctx, toSessionDoc(&s)); err != nil {
			t.Fatal(err)
		}
		ids = append([]string{s.ID}, ids...)
	}
	if got, err := testDB.Sessions(ctx, cynllun.SessionQuery{PlanID: planID}); err != nil || len(got) != 0 {
		t.Fatalf("before the backfill: %v, %v", got, err)
	}
	runBackfill(t, "sessions")
	got, err := testDB.Sessions(ctx, cynllun.SessionQuery{PlanID: planID})
	if err != nil {
		t.Fatal(err)
	}
	var gotIDs []string
	for _, s := range got {
		gotIDs = append(gotIDs, s.ID)
	}
	if diff := cmp.Diff(ids, gotIDs); diff != "" {
		t.Errorf("after the backfill (-want +got):\n%s", diff)
	}
}
