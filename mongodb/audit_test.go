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
	if diff := cmp.Diff([]string{"insert"}, cmds); diff != "" {
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

	got, err := testDB.ListAudit(ctx, cynllun.AuditQuery{LearnerID: learner})
	if err != nil {
		t.Fatal(err)
	}
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
