package mongodb

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/calendar"
)

func TestCalendarRevisions(t *testing.T) {
	ctx := context.Background()
	org := cynllun.NewID(cynllun.PrefixOrganisation)
	at := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	cal := &calendar.Calendar{ID: "cal_x", Name: "Ysgol Pen-y-Garth 2026–27", Source: "school",
		Terms: []calendar.Term{{Name: "Autumn 2026", NameCy: "Tymor yr Hydref 2026", Start: cynllun.MustDate("2026-09-01"), End: cynllun.MustDate("2026-12-18")}},
		Closures: []calendar.Closure{{From: cynllun.MustDate("2026-10-26"), To: cynllun.MustDate("2026-10-30"), Reason: calendar.ReasonHalfTerm},
			{From: cynllun.MustDate("2026-09-01"), To: cynllun.MustDate("2026-09-01"), Reason: calendar.ReasonINSET, Note: "HMS"}}}
	if got, err := testDB.CalendarsByOrg(ctx, []string{org}); err != nil || len(got) != 0 {
		t.Fatalf("before: %v %v", got, err)
	}
	s1 := &calendar.Stored{OrgID: org, Revision: 1, Calendar: cal, Comment: "first", CreatedAt: at, CreatedBy: "usr_a"}
	if err := testDB.InsertCalendar(ctx, s1); err != nil {
		t.Fatal(err)
	}
	c2 := *cal
	c2.Closures = c2.Closures[:1]
	s2 := &calendar.Stored{OrgID: org, Revision: 2, Calendar: &c2, CreatedAt: at.Add(time.Hour), CreatedBy: "usr_b"}
	if err := testDB.InsertCalendar(ctx, s2); err != nil {
		t.Fatal(err)
	}
	var got map[string]*calendar.Stored
	var err error
	cmds := commands(t, func(ctx context.Context) { got, err = testDB.CalendarsByOrg(ctx, []string{org, "org_none"}) })
	// Two heads and one revision by _id; on MongoDB one $in each.
	wantFlat(t, cmds, 3, 2)
	if err != nil || len(got) != 1 {
		t.Fatalf("CalendarsByOrg = %v, %v", got, err)
	}
	if d := cmp.Diff(s2, got[org]); d != "" {
		t.Errorf("latest (-want +got):\n%s", d)
	}
	err = testDB.InsertCalendar(ctx, s1)
	if e := cynllun.AsError("", err); e == nil || e.Code != cynllun.CodeConflict || e.Current != 2 {
		t.Fatalf("stale save: %v", err)
	}
}

// TestCalendarHeadRepair: a revision stored without its head moved (a
// crash between the two writes) is found by the next save's conflict,
// which moves the head; the backfill moves heads of calendars stored
// before heads existed.
func TestCalendarHeadRepair(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	org := cynllun.NewID(cynllun.PrefixOrganisation)
	cal := &calendar.Calendar{ID: "cal_r", Name: "Calendr", Source: "school"}
	rev := func(n int) *calendar.Stored {
		return &calendar.Stored{OrgID: org, Revision: n, Calendar: cal, CreatedAt: t0.Add(time.Duration(n) * time.Minute), CreatedBy: "usr_a"}
	}
	latest := func() int {
		t.Helper()
		got, err := testDB.CalendarsByOrg(ctx, []string{org})
		if err != nil {
			t.Fatal(err)
		}
		if got[org] == nil {
			return 0
		}
		return got[org].Revision
	}
	// Revisions 1 and 2 as a database written before the heads has them.
	for n := 1; n <= 2; n++ {
		if _, err := testDB.coll(collCalendars).InsertOne(ctx, toCalendarDoc(rev(n))); err != nil {
			t.Fatal(err)
		}
	}
	if n := latest(); n != 0 {
		t.Fatalf("before the backfill: revision %d", n)
	}
	runBackfill(t, "calendars")
	if n := latest(); n != 2 {
		t.Fatalf("after the backfill: revision %d, want 2", n)
	}
	// Revision 3 stored, its head not moved.
	if _, err := testDB.coll(collCalendars).InsertOne(ctx, toCalendarDoc(rev(3))); err != nil {
		t.Fatal(err)
	}
	if n := latest(); n != 2 {
		t.Fatalf("head moved by itself: %d", n)
	}
	err := testDB.InsertCalendar(ctx, rev(3))
	if e := cynllun.AsError("", err); e == nil || e.Code != cynllun.CodeConflict || e.Current != 3 {
		t.Fatalf("save over the interrupted one: %v", err)
	}
	if n := latest(); n != 3 {
		t.Fatalf("after the repair: revision %d, want 3", n)
	}
	if err := testDB.InsertCalendar(ctx, rev(4)); err != nil {
		t.Fatal(err)
	}
	if n := latest(); n != 4 {
		t.Fatalf("after the next save: revision %d, want 4", n)
	}
}
