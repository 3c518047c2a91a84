package mongodb

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cynllun/cynllun"
)

func TestEventsAndDeadlines(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC)
	la, school := cynllun.NewID(cynllun.PrefixOrganisation), cynllun.NewID(cynllun.PrefixOrganisation)
	learner := cynllun.NewID(cynllun.PrefixLearner)
	ev := &cynllun.StatutoryEvent{ID: cynllun.NewID(cynllun.PrefixEvent), Kind: cynllun.EventALNBroughtToAttention, LearnerID: learner,
		OrgID: school, On: cynllun.MustDate("2026-03-03"), Note: "Class teacher raised it", RecordedAt: at, RecordedBy: "usr_a"}
	if err := testDB.InsertEvent(ctx, ev); err != nil {
		t.Fatal(err)
	}
	if err := testDB.InsertEvent(ctx, ev); cynllun.ErrorCode(err) != cynllun.CodeConflict {
		t.Fatalf("duplicate event: %v", err)
	}
	evs, err := testDB.EventsForLearner(ctx, learner)
	if err != nil || len(evs) != 1 || cmp.Diff(*ev, evs[0]) != "" {
		t.Fatalf("EventsForLearner = %v, %v", evs, err)
	}
	mk := func(rule, due string) *cynllun.Deadline {
		d := &cynllun.Deadline{ID: cynllun.DeadlineID(rule, ev.ID), RuleID: rule, LearnerID: learner, OrgID: school, LAID: la, SettingID: school,
			StartEventID: ev.ID, Start: ev.On, CreatedAt: at}
		if due != "" {
			d.Due = cynllun.MustDate(due)
		} else {
			d.Problem = "NO_CALENDAR"
		}
		return d
	}
	t1, t4, t9 := mk("T1", "2026-04-28"), mk("T4", "2026-05-26"), mk("T9", "")
	if err := testDB.InsertDeadlines(ctx, []*cynllun.Deadline{t1, t4, t9}); err != nil {
		t.Fatal(err)
	}
	// Starting the same clocks again changes nothing.
	again := *t1
	again.Due = cynllun.MustDate("2030-01-01")
	if err := testDB.InsertDeadlines(ctx, []*cynllun.Deadline{&again, t4}); err != nil {
		t.Fatal(err)
	}
	got, err := testDB.DeadlinesByID(ctx, []string{t1.ID})
	if err != nil || len(got) != 1 || cmp.Diff(t1, got[0]) != "" {
		t.Fatalf("DeadlinesByID = %v, %v: %s", got, err, cmp.Diff(t1, got))
	}

	scope := cynllun.Scope{SettingIDs: []string{school}}
	list := func(q cynllun.DeadlineQuery) []string {
		t.Helper()
		q.Scope = scope
		ds, err := testDB.ListDeadlines(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, d := range ds {
			ids = append(ids, d.RuleID)
		}
		return ids
	}
	if d := cmp.Diff([]string{"T1", "T4", "T9"}, list(cynllun.DeadlineQuery{})); d != "" {
		t.Errorf("order (-want +got):\n%s", d)
	}
	today := cynllun.MustDate("2026-05-01")
	if d := cmp.Diff([]string{"T1"}, list(cynllun.DeadlineQuery{Statuses: []cynllun.DeadlineStatus{cynllun.DeadlineMissed}, Today: today})); d != "" {
		t.Errorf("missed (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"T4", "T9"}, list(cynllun.DeadlineQuery{Statuses: []cynllun.DeadlineStatus{cynllun.DeadlineOpen}, Today: today})); d != "" {
		t.Errorf("open (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"T4"}, list(cynllun.DeadlineQuery{DueFrom: cynllun.MustDate("2026-05-01"), DueTo: cynllun.MustDate("2026-06-01")})); d != "" {
		t.Errorf("due window (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"T9"}, list(cynllun.DeadlineQuery{AfterDue: "2026-05-26", AfterID: t4.ID})); d != "" {
		t.Errorf("cursor (-want +got):\n%s", d)
	}
	if ds, _ := testDB.ListDeadlines(ctx, cynllun.DeadlineQuery{Scope: cynllun.Scope{SettingIDs: []string{"org_other"}}}); len(ds) != 0 {
		t.Errorf("out of scope: %v", ds)
	}
	due, err := testDB.DueDeadlines(ctx, cynllun.MustDate("2026-05-01"), "", 10)
	if err != nil || len(due) != 1 || due[0].ID != t1.ID {
		t.Fatalf("DueDeadlines = %v, %v", due, err)
	}

	// Closing: once, the first closure stays.
	c := cynllun.Closure{Status: cynllun.DeadlineMet, On: cynllun.MustDate("2026-04-20"), EventID: "evt_x", By: "usr_a", At: at}
	if ok, err := testDB.CloseDeadline(ctx, t1.ID, c); err != nil || !ok {
		t.Fatalf("close: %v %v", ok, err)
	}
	if ok, err := testDB.CloseDeadline(ctx, t1.ID, cynllun.Closure{Status: cynllun.DeadlineNotApplicable, Reason: "later"}); err != nil || ok {
		t.Fatalf("second close: %v %v", ok, err)
	}
	got, _ = testDB.DeadlinesByID(ctx, []string{t1.ID})
	if got[0].Closure == nil || got[0].Closure.Status != cynllun.DeadlineMet || got[0].StatusOn(today) != cynllun.DeadlineMet {
		t.Fatalf("closed deadline: %+v", got[0])
	}
	if d := cmp.Diff([]string{"T1"}, list(cynllun.DeadlineQuery{Statuses: []cynllun.DeadlineStatus{cynllun.DeadlineMet}, Today: today})); d != "" {
		t.Errorf("met (-want +got):\n%s", d)
	}
	open, err := testDB.OpenDeadlines(ctx, learner, "")
	if err != nil || len(open) != 2 {
		t.Fatalf("OpenDeadlines = %v, %v", open, err)
	}
	if due, _ := testDB.DueDeadlines(ctx, cynllun.MustDate("2026-05-01"), "", 10); len(due) != 0 {
		t.Fatalf("a closed deadline is still due: %v", due)
	}

	// Extending: an open deadline once (its due date and sort key move);
	// never a closed one; the first extension stays.
	ext := cynllun.DeadlineExtension{EventID: "evt_ref", On: cynllun.MustDate("2026-05-02"), PreviousDue: cynllun.MustDate("2026-05-26"), At: at}
	if ok, err := testDB.ExtendDeadline(ctx, t4.ID, cynllun.MustDate("2026-07-21"), ext); err != nil || !ok {
		t.Fatalf("extend: %v %v", ok, err)
	}
	if ok, err := testDB.ExtendDeadline(ctx, t4.ID, cynllun.MustDate("2026-09-01"), ext); err != nil || ok {
		t.Fatalf("second extension: %v %v", ok, err)
	}
	if ok, err := testDB.ExtendDeadline(ctx, t1.ID, cynllun.MustDate("2026-09-01"), ext); err != nil || ok {
		t.Fatalf("extended a closed deadline: %v %v", ok, err)
	}
	got, _ = testDB.DeadlinesByID(ctx, []string{t4.ID})
	if got[0].Due != cynllun.MustDate("2026-07-21") || got[0].Extension == nil || *got[0].Extension != ext {
		t.Fatalf("extended deadline: %+v %+v", got[0], got[0].Extension)
	}
	if d := cmp.Diff([]string{"T4"}, list(cynllun.DeadlineQuery{DueFrom: cynllun.MustDate("2026-07-01"), DueTo: cynllun.MustDate("2026-08-01")})); d != "" {
		t.Errorf("due window after the extension (-want +got):\n%s", d)
	}
}

// TestDeadlineSetsSplit: an organisation's 250 deadlines are listed in due
// order across buckets, page by page, with filters, after extensions move
// some of them, and a page reads a bounded number of documents.
func TestDeadlineSetsSplit(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	la := cynllun.NewID(cynllun.PrefixOrganisation)
	var ds []*cynllun.Deadline
	for i := range 250 {
		learner := cynllun.NewID(cynllun.PrefixLearner)
		d := &cynllun.Deadline{ID: cynllun.NewID(cynllun.PrefixDeadline), RuleID: []string{"T1", "T4", "T9"}[i%3], LearnerID: learner,
			OrgID: la, LAID: la, Start: cynllun.MustDate("2026-01-05"), Due: cynllun.MustDate("2026-02-01").AddDays((i * 37) % 300), CreatedAt: t0}
		ds = append(ds, d)
	}
	if err := testDB.InsertDeadlines(ctx, ds[:100]); err != nil {
		t.Fatal(err)
	}
	if err := testDB.InsertDeadlines(ctx, ds[100:]); err != nil {
		t.Fatal(err)
	}
	// Ten extended to the end of the year; five closed.
	for _, d := range ds[:10] {
		due := cynllun.MustDate("2026-12-31")
		if ok, err := testDB.ExtendDeadline(ctx, d.ID, due, cynllun.DeadlineExtension{On: due, PreviousDue: d.Due, At: t0}); err != nil || !ok {
			t.Fatalf("ExtendDeadline: %v, %v", ok, err)
		}
		d.Due = due
	}
	for _, d := range ds[10:15] {
		if ok, err := testDB.CloseDeadline(ctx, d.ID, cynllun.Closure{Status: cynllun.DeadlineMet, On: d.Start, At: t0}); err != nil || !ok {
			t.Fatalf("CloseDeadline: %v, %v", ok, err)
		}
		d.Closure = &cynllun.Closure{Status: cynllun.DeadlineMet}
	}
	want := func(keep func(*cynllun.Deadline) bool) []string {
		var w []*cynllun.Deadline
		for _, d := range ds {
			if keep(d) {
				w = append(w, d)
			}
		}
		slices.SortFunc(w, func(a, b *cynllun.Deadline) int {
			if c := strings.Compare(a.Due.String(), b.Due.String()); c != 0 {
				return c
			}
			return strings.Compare(a.ID, b.ID)
		})
		var ids []string
		for _, d := range w {
			ids = append(ids, d.ID)
		}
		return ids
	}
	walk := func(q cynllun.DeadlineQuery) []string {
		q.Scope, q.OrgID, q.Limit = cynllun.Scope{LAIDs: []string{la}}, la, 23
		var ids []string
		for {
			page, err := testDB.ListDeadlines(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range page {
				ids = append(ids, d.ID)
			}
			if len(page) < q.Limit {
				return ids
			}
			last := page[len(page)-1]
			q.AfterDue, q.AfterID = last.Due.String(), last.ID
		}
	}
	if diff := cmp.Diff(want(func(*cynllun.Deadline) bool { return true }), walk(cynllun.DeadlineQuery{})); diff != "" {
		t.Errorf("all (-want +got):\n%s", diff)
	}
	from, to := cynllun.MustDate("2026-05-01"), cynllun.MustDate("2026-07-31")
	inRange := func(d *cynllun.Deadline) bool { return !d.Due.Before(from) && !d.Due.After(to) }
	if diff := cmp.Diff(want(inRange), walk(cynllun.DeadlineQuery{DueFrom: from, DueTo: to})); diff != "" {
		t.Errorf("due range (-want +got):\n%s", diff)
	}
	met := func(d *cynllun.Deadline) bool { return d.Closure != nil }
	if diff := cmp.Diff(want(met), walk(cynllun.DeadlineQuery{Statuses: []cynllun.DeadlineStatus{cynllun.DeadlineMet}, Today: from})); diff != "" {
		t.Errorf("met (-want +got):\n%s", diff)
	}
	t9 := func(d *cynllun.Deadline) bool { return d.RuleID == "T9" }
	if diff := cmp.Diff(want(t9), walk(cynllun.DeadlineQuery{RuleIDs: []string{"T9"}})); diff != "" {
		t.Errorf("rule T9 (-want +got):\n%s", diff)
	}
	// A page of 20 reads the set's directory and a bucket or two, and its
	// 20 deadlines, by _id.
	cmds := commands(t, func(ctx context.Context) {
		if _, err := testDB.ListDeadlines(ctx, cynllun.DeadlineQuery{Scope: cynllun.Scope{LAIDs: []string{la}}, OrgID: la, Limit: 20}); err != nil {
			t.Error(err)
		}
	})
	wantFlat(t, cmds, 24, 2)
}
