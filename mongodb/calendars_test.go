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
	got, err := testDB.CalendarsByOrg(ctx, []string{org, "org_none"})
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
