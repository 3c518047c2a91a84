package mongodb

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cynllun/cynllun"
)

func TestAudit(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	learner, other := cynllun.NewID(cynllun.PrefixLearner), cynllun.NewID(cynllun.PrefixLearner)
	ev := func(id, learnerID string, at time.Time) cynllun.AuditEvent {
		return cynllun.AuditEvent{ID: id, At: at, ActorID: "usr_alnco", LearnerID: learnerID,
			Part: "plan.version.content", PlanID: "pln_1", Version: 2, Action: "read", Reason: "STAFF_OF"}
	}
	// Ten events; three share one instant (ordered by id among themselves)
	// and two differ by less than a millisecond (stored equal).
	base := cynllun.NewID(cynllun.PrefixAudit) // ids of this run, ordered by suffix
	var events []cynllun.AuditEvent
	for i := range 10 {
		at := t0.Add(time.Duration(i) * time.Minute)
		switch i {
		case 4, 5:
			at = t0.Add(3 * time.Minute)
		case 7:
			at = t0.Add(6*time.Minute + 300*time.Microsecond)
		}
		events = append(events, ev(fmt.Sprintf("%s_%02d", base, i), learner, at))
	}
	events = append(events, ev(cynllun.NewID(cynllun.PrefixAudit), other, t0.Add(time.Hour)))
	// Insert in a shuffled order, in one command.
	shuffled := slices.Clone(events)
	slices.Reverse(shuffled[:5])
	cmds := commands(t, func(ctx context.Context) {
		if err := testDB.RecordAudit(ctx, shuffled); err != nil {
			t.Fatal(err)
		}
	})
	// One insert, sent with the updates of the entries (the hour's, the
	// month's and the learner's lookup documents for each of the two
	// learners) at the same time.
	slices.Sort(cmds)
	if diff := cmp.Diff([]string{"insert", "update", "update", "update", "update", "update", "update"}, cmds); diff != "" {
		t.Errorf("RecordAudit commands (-want +got):\n%s", diff)
	}

	want := slices.Clone(events[:10])
	for i := range want {
		want[i].At = want[i].At.Truncate(time.Millisecond)
	}
	slices.SortFunc(want, func(a, b cynllun.AuditEvent) int {
		if c := b.At.Compare(a.At); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	if want[0].ID != base+"_09" || want[len(want)-1].ID != base+"_00" {
		t.Fatalf("fixture order: %v", want)
	}

	var got []cynllun.AuditEvent
	var err error
	cmds = commands(t, func(ctx context.Context) { got, err = testDB.ListAudit(ctx, cynllun.AuditQuery{LearnerID: learner}) })
	if err != nil {
		t.Fatal(err)
	}
	// The months, the month's hours, the hour's entries, then the events.
	wantFlat(t, cmds, 3+10, 4)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ListAudit newest first (-want +got):\n%s", diff)
	}

	for _, size := range []int{1, 3, 4} {
		q := cynllun.AuditQuery{LearnerID: learner, Limit: size}
		var paged []cynllun.AuditEvent
		for range 20 {
			page, err := testDB.ListAudit(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			paged = append(paged, page...)
			if len(page) < size {
				break
			}
			last := page[len(page)-1]
			q.BeforeAt, q.BeforeID = last.At, last.ID
		}
		if diff := cmp.Diff(want, paged); diff != "" {
			t.Errorf("paged by %d (-want +got):\n%s", size, diff)
		}
	}

	// Strictly before an instant alone.
	got, err = testDB.ListAudit(ctx, cynllun.AuditQuery{LearnerID: learner, BeforeAt: t0.Add(3 * time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want[len(want)-3:], got); diff != "" {
		t.Errorf("before 09:33 (-want +got):\n%s", diff)
	}

	// A duplicate id is a CONFLICT.
	if err := testDB.RecordAudit(ctx, events[:1]); codeOf(err) != cynllun.CodeConflict {
		t.Errorf("duplicate RecordAudit = %v, want CONFLICT", err)
	}
	// An event without an id gets one.
	anon := ev("", other, t0)
	if err := testDB.RecordAudit(ctx, []cynllun.AuditEvent{anon}); err != nil {
		t.Fatal(err)
	}
	got, err = testDB.ListAudit(ctx, cynllun.AuditQuery{LearnerID: other})
	if err != nil || len(got) != 2 || !strings.HasPrefix(got[1].ID, cynllun.PrefixAudit) {
		t.Errorf("ListAudit(other) = %v, %v", got, err)
	}
}

// TestAuditMonths: a learner's events across months and hours are listed
// newest first and paged across the hours' documents, reading only what a page
// needs; the backfill lists events stored before the lookups existed.
func TestAuditMonths(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	learner := cynllun.NewID(cynllun.PrefixLearner)
	times := []time.Time{
		time.Date(2025, 11, 30, 23, 59, 59, 999000000, time.UTC),
		time.Date(2026, 1, 31, 23, 59, 59, 999000000, time.UTC),
		time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 2, 14, 12, 0, 0, 0, time.UTC),
		// Months are UTC months: 1 March 00:30 in UTC+1 is in February.
		time.Date(2026, 3, 1, 0, 30, 0, 0, time.FixedZone("UTC+1", 3600)),
		time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC),
	}
	var events []cynllun.AuditEvent
	for _, at := range times {
		events = append(events, cynllun.AuditEvent{ID: cynllun.NewID(cynllun.PrefixAudit), At: at, ActorID: "usr_a", LearnerID: learner, Part: "plan.diff", Action: "compare"})
	}
	// Half recorded before the lookups existed, half after.
	for _, e := range events[:4] {
		if _, err := testDB.coll(collAudit).InsertOne(ctx, toAuditDoc(&e)); err != nil {
			t.Fatal(err)
		}
	}
	if err := testDB.RecordAudit(ctx, events[4:]); err != nil {
		t.Fatal(err)
	}
	runBackfill(t, "audit-hours")
	// A repeated id is CONFLICT, and leaves the stored event listed in its
	// place, once (the repeat's entry, in another hour, is skipped).
	dup := events[4]
	dup.At = time.Date(2026, 2, 20, 0, 0, 0, 0, time.UTC)
	if err := testDB.RecordAudit(ctx, []cynllun.AuditEvent{dup}); codeOf(err) != cynllun.CodeConflict {
		t.Fatalf("repeated id: %v", err)
	}
	want := slices.Clone(events)
	slices.SortFunc(want, func(a, b cynllun.AuditEvent) int {
		if c := b.At.Compare(a.At); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	for i := range want {
		want[i].At = want[i].At.UTC()
	}
	for _, size := range []int{1, 2, 3, 7, 50} {
		q := cynllun.AuditQuery{LearnerID: learner, Limit: size}
		var paged []cynllun.AuditEvent
		for range 20 {
			var page []cynllun.AuditEvent
			var err error
			cmds := commands(t, func(ctx context.Context) { page, err = testDB.ListAudit(ctx, q) })
			if err != nil {
				t.Fatal(err)
			}
			// The months, then at most every month's hours, every hour's
			// entries (seven hours, one the repeat's) and a page of events.
			wantFlat(t, cmds, 1+4+7+size, 1+4+7+4)
			paged = append(paged, page...)
			if len(page) < size {
				break
			}
			last := page[len(page)-1]
			q.BeforeAt, q.BeforeID = last.At, last.ID
		}
		if diff := cmp.Diff(want, paged); diff != "" {
			t.Errorf("paged by %d (-want +got):\n%s", size, diff)
		}
	}
	// The newest event is read from the newest month's newest hour alone.
	cmds := commands(t, func(ctx context.Context) {
		if _, err := testDB.ListAudit(ctx, cynllun.AuditQuery{LearnerID: learner, Limit: 1}); err != nil {
			t.Error(err)
		}
	})
	wantFlat(t, cmds, 1+1+1+1, 4)
}
