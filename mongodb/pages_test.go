package mongodb

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cynllun/cynllun"
)

// Pages in both directions (issue 15): every list a connection serves is
// walked backward (the last n before a cursor) as well as forward, between
// two cursors, and counted, reading by _id only on the embedded store.

// pager walks a list both ways in pages of size: next reads the page
// after (or, backward, before) the cursor of the item given (nil: from the
// list's start, or its end).
type pager[T any] struct {
	size int
	page func(from *T, backward bool) []T
	id   func(T) string
}

// forward and backward are every item's id, in list order, walked from
// the start with after cursors and from the end with before cursors.
func (p pager[T]) forward(t *testing.T) []string {
	t.Helper()
	var ids []string
	var from *T
	for range 1000 {
		page := p.page(from, false)
		if len(page) > p.size {
			t.Fatalf("page of %d, size %d", len(page), p.size)
		}
		for _, x := range page {
			ids = append(ids, p.id(x))
		}
		if len(page) < p.size {
			return ids
		}
		from = &page[len(page)-1]
	}
	t.Fatal("too many pages")
	return nil
}

func (p pager[T]) backward(t *testing.T) []string {
	t.Helper()
	var ids []string
	var from *T
	for range 1000 {
		page := p.page(from, true)
		if len(page) > p.size {
			t.Fatalf("page of %d, size %d", len(page), p.size)
		}
		var pageIDs []string
		for _, x := range page {
			pageIDs = append(pageIDs, p.id(x))
		}
		ids = append(pageIDs, ids...)
		if len(page) < p.size {
			return ids
		}
		from = &page[0]
	}
	t.Fatal("too many pages")
	return nil
}

func TestDeadlinePagesBothWays(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	la, school := cynllun.NewID(cynllun.PrefixOrganisation), cynllun.NewID(cynllun.PrefixOrganisation)
	var ds []*cynllun.Deadline
	learners := []string{cynllun.NewID(cynllun.PrefixLearner), cynllun.NewID(cynllun.PrefixLearner), cynllun.NewID(cynllun.PrefixLearner)}
	for i := range 230 {
		d := &cynllun.Deadline{ID: cynllun.NewID(cynllun.PrefixDeadline), RuleID: []string{"T1", "T4", "T9"}[i%3], LearnerID: learners[i%3],
			OrgID: la, LAID: la, Start: cynllun.MustDate("2026-01-05"), Due: cynllun.MustDate("2026-02-01").AddDays((i * 37) % 300), CreatedAt: t0}
		if i%5 == 0 {
			d.SettingID, d.OrgID = school, school
		}
		if i%41 == 0 {
			d.Due = cynllun.Date{} // undated: last
		}
		ds = append(ds, d)
	}
	if err := testDB.InsertDeadlines(ctx, ds); err != nil {
		t.Fatal(err)
	}
	want := func(keep func(*cynllun.Deadline) bool) []string {
		var w []*cynllun.Deadline
		for _, d := range ds {
			if keep(d) {
				w = append(w, d)
			}
		}
		slices.SortFunc(w, func(a, b *cynllun.Deadline) int {
			if c := strings.Compare(cynllun.DeadlineDueKey(a), cynllun.DeadlineDueKey(b)); c != 0 {
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
	all := func(*cynllun.Deadline) bool { return true }
	from, to := cynllun.MustDate("2026-05-01"), cynllun.MustDate("2026-07-31")
	inRange := func(d *cynllun.Deadline) bool { return !d.Due.IsZero() && !d.Due.Before(from) && !d.Due.After(to) }
	ofSchool := func(d *cynllun.Deadline) bool { return d.OrgID == school }
	ofLearner := func(d *cynllun.Deadline) bool { return d.LearnerID == learners[1] }
	for _, tt := range []struct {
		name string
		q    cynllun.DeadlineQuery
		keep func(*cynllun.Deadline) bool
	}{
		{"the LA's", cynllun.DeadlineQuery{Scope: cynllun.Scope{LAIDs: []string{la}}}, all},
		{"the LA's, due in a range", cynllun.DeadlineQuery{Scope: cynllun.Scope{LAIDs: []string{la}}, DueFrom: from, DueTo: to}, inRange},
		{"the school's organisation", cynllun.DeadlineQuery{Scope: cynllun.Scope{LAIDs: []string{la}}, OrgID: school}, ofSchool},
		{"a learner's", cynllun.DeadlineQuery{Scope: cynllun.Scope{LAIDs: []string{la}}, LearnerID: learners[1]}, ofLearner},
		{"the LA's and the school's at once", cynllun.DeadlineQuery{Scope: cynllun.Scope{LAIDs: []string{la}, SettingIDs: []string{school}}}, all},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := pager[*cynllun.Deadline]{size: 17, id: func(d *cynllun.Deadline) string { return d.ID }}
			p.page = func(at **cynllun.Deadline, backward bool) []*cynllun.Deadline {
				q := tt.q
				q.Limit, q.Last = p.size, backward
				if at != nil && backward {
					q.BeforeDue, q.BeforeID = cynllun.DeadlineDueKey(*at), (*at).ID
				} else if at != nil {
					q.AfterDue, q.AfterID = cynllun.DeadlineDueKey(*at), (*at).ID
				}
				page, err := testDB.ListDeadlines(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				return page
			}
			w := want(tt.keep)
			if diff := cmp.Diff(w, p.forward(t)); diff != "" {
				t.Errorf("forward (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(w, p.backward(t)); diff != "" {
				t.Errorf("backward (-want +got):\n%s", diff)
			}
			// Between two cursors, from either end.
			if len(w) > 12 {
				byID := map[string]*cynllun.Deadline{}
				for _, d := range ds {
					byID[d.ID] = d
				}
				a, b := byID[w[3]], byID[w[len(w)-4]]
				for _, last := range []bool{false, true} {
					q := tt.q
					q.AfterDue, q.AfterID, q.BeforeDue, q.BeforeID, q.Last, q.Limit = cynllun.DeadlineDueKey(a), a.ID, cynllun.DeadlineDueKey(b), b.ID, last, 1000
					page, err := testDB.ListDeadlines(ctx, q)
					if err != nil {
						t.Fatal(err)
					}
					var got []string
					for _, d := range page {
						got = append(got, d.ID)
					}
					if diff := cmp.Diff(w[4:len(w)-4], got); diff != "" {
						t.Errorf("between two cursors (last %v) (-want +got):\n%s", last, diff)
					}
				}
			}
			// The count, whole and bounded, by learner.
			n, err := testDB.CountDeadlines(ctx, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if got := sum(n); got != len(w) {
				t.Errorf("count %d (%v), want %d", got, n, len(w))
			}
			q := tt.q
			q.Limit = 5
			if n, err := testDB.CountDeadlines(ctx, q); err != nil || sum(n) != min(5, len(w)) {
				t.Errorf("count at most 5: %v, %v", n, err)
			}
		})
	}
	// A backward page of 20 reads the set's directory, a bucket or two and
	// its 20 deadlines, by _id; the count reads the set's directory and
	// buckets only.
	q := cynllun.DeadlineQuery{Scope: cynllun.Scope{LAIDs: []string{la}}, Limit: 20, Last: true, BeforeDue: "2026-09-01", BeforeID: "ddl"}
	cmds := commands(t, func(ctx context.Context) {
		if _, err := testDB.ListDeadlines(ctx, q); err != nil {
			t.Error(err)
		}
	})
	wantFlat(t, cmds, 24, 2)
	cmds = commands(t, func(ctx context.Context) {
		if _, err := testDB.CountDeadlines(ctx, cynllun.DeadlineQuery{Scope: cynllun.Scope{LAIDs: []string{la}}}); err != nil {
			t.Error(err)
		}
	})
	wantFlat(t, cmds, 1+230/(maxBucket/2)+1, 1)
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func TestLearnerPagesBothWays(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	la, other, school := cynllun.NewID(cynllun.PrefixOrganisation), cynllun.NewID(cynllun.PrefixOrganisation), cynllun.NewID(cynllun.PrefixOrganisation)
	rnd := rand.New(rand.NewPCG(3, 4))
	var ls []*cynllun.Learner
	for i := range 160 {
		l := newLearner(la, "", fmt.Sprintf("Plentyn%03d", i), fmt.Sprintf("Teulu%04d", rnd.IntN(10000)))
		switch i % 4 {
		case 1:
			l.SettingID = school
		case 2:
			l.LAID, l.SettingID = other, school
		case 3:
			l.LAID = other
		}
		ls = append(ls, l)
	}
	// Ties on the sort key are broken by id.
	ls[7].FamilyName, ls[7].GivenName = ls[8].FamilyName, ls[8].GivenName
	mustCreateLearners(t, ls...)
	named := []string{ls[3].ID, ls[11].ID}
	scope := cynllun.Scope{LAIDs: []string{la}, SettingIDs: []string{school}, LearnerIDs: named}
	var w []*cynllun.Learner
	for _, l := range ls {
		if l.LAID == la || l.SettingID == school || slices.Contains(named, l.ID) {
			w = append(w, l)
		}
	}
	var wantIDs []string
	for _, l := range sorted(w) {
		wantIDs = append(wantIDs, l.ID)
	}
	p := pager[*cynllun.Learner]{size: 13, id: func(l *cynllun.Learner) string { return l.ID }}
	p.page = func(at **cynllun.Learner, backward bool) []*cynllun.Learner {
		q := cynllun.LearnerQuery{Scope: scope, Limit: p.size, Last: backward}
		if at != nil && backward {
			q.BeforeKey, q.BeforeID = cynllun.LearnerSortKey(*at), (*at).ID
		} else if at != nil {
			q.AfterKey, q.AfterID = cynllun.LearnerSortKey(*at), (*at).ID
		}
		page, err := testDB.ListLearners(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		return page
	}
	if diff := cmp.Diff(wantIDs, p.forward(t)); diff != "" {
		t.Errorf("forward (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantIDs, p.backward(t)); diff != "" {
		t.Errorf("backward (-want +got):\n%s", diff)
	}
	if n, err := testDB.CountLearners(ctx, cynllun.LearnerQuery{Scope: scope}); err != nil || n != len(wantIDs) {
		t.Errorf("CountLearners = %d, %v; want %d", n, err, len(wantIDs))
	}
	// The last page of an LA alone reads its directory and a bucket or
	// two, by _id.
	cmds := commands(t, func(ctx context.Context) {
		if _, err := testDB.ListLearners(ctx, cynllun.LearnerQuery{Scope: cynllun.Scope{LAIDs: []string{la}}, Limit: 20, Last: true}); err != nil {
			t.Error(err)
		}
	})
	wantFlat(t, cmds, 4, 2)
}

func TestAuditPagesBothWays(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	learner := cynllun.NewID(cynllun.PrefixLearner)
	var events []cynllun.AuditEvent
	for i := range 40 {
		// Across two months and many hours; some share an instant.
		at := t0.Add(time.Duration(i/2) * 7 * time.Hour)
		events = append(events, cynllun.AuditEvent{ID: fmt.Sprintf("%s_%02d", cynllun.NewID(cynllun.PrefixAudit), i), At: at, ActorID: "usr_a",
			LearnerID: learner, Part: "plan", Action: "read", Reason: "STAFF_OF"})
	}
	if err := testDB.RecordAudit(ctx, events); err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(events, func(a, b cynllun.AuditEvent) int { return -compareAtID(a.At, a.ID, b.At, b.ID) })
	var wantIDs []string
	for _, e := range events {
		wantIDs = append(wantIDs, e.ID)
	}
	p := pager[cynllun.AuditEvent]{size: 6, id: func(e cynllun.AuditEvent) string { return e.ID }}
	p.page = func(at *cynllun.AuditEvent, backward bool) []cynllun.AuditEvent {
		// The list runs newest first: its "before" cursor is newer.
		q := cynllun.AuditQuery{LearnerID: learner, Limit: p.size, Oldest: backward}
		if at != nil && backward {
			q.AfterAt, q.AfterID = at.At, at.ID
		} else if at != nil {
			q.BeforeAt, q.BeforeID = at.At, at.ID
		}
		page, err := testDB.ListAudit(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		return page
	}
	if diff := cmp.Diff(wantIDs, p.forward(t)); diff != "" {
		t.Errorf("forward (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantIDs, p.backward(t)); diff != "" {
		t.Errorf("backward (-want +got):\n%s", diff)
	}
	for _, tt := range []struct{ limit, want int }{{0, 40}, {25, 25}, {100, 40}} {
		if n, err := testDB.CountAudit(ctx, learner, tt.limit); err != nil || n != tt.want {
			t.Errorf("CountAudit(%d) = %d, %v; want %d", tt.limit, n, err, tt.want)
		}
	}
	// A count reads lookup documents only, by _id.
	cmds := commands(t, func(ctx context.Context) {
		if _, err := testDB.CountAudit(ctx, learner, 0); err != nil {
			t.Error(err)
		}
	})
	wantFlat(t, cmds, 1+2+40, 3+40)
}

func TestOrganisationPagesBothWays(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	la := cynllun.NewID(cynllun.PrefixOrganisation)
	var orgs []*cynllun.Organisation
	for i := range 23 {
		o := &cynllun.Organisation{ID: cynllun.NewID(cynllun.PrefixOrganisation), Kind: cynllun.OrgSchool, LAID: la,
			Name: fmt.Sprintf("Ysgol %c%02d", 'A'+rune(i%5), i), CreatedAt: t0}
		if err := testDB.CreateOrganisation(ctx, o); err != nil {
			t.Fatal(err)
		}
		orgs = append(orgs, o)
	}
	slices.SortFunc(orgs, func(a, b *cynllun.Organisation) int {
		return compareKeyID(cynllun.Fold(a.Name), a.ID, cynllun.Fold(b.Name), b.ID)
	})
	var wantIDs []string
	for _, o := range orgs {
		wantIDs = append(wantIDs, o.ID)
	}
	p := pager[*cynllun.Organisation]{size: 4, id: func(o *cynllun.Organisation) string { return o.ID }}
	p.page = func(at **cynllun.Organisation, backward bool) []*cynllun.Organisation {
		q := cynllun.OrgQuery{LAID: la, Limit: p.size, Last: backward}
		if at != nil && backward {
			q.BeforeKey, q.BeforeID = cynllun.Fold((*at).Name), (*at).ID
		} else if at != nil {
			q.AfterKey, q.AfterID = cynllun.Fold((*at).Name), (*at).ID
		}
		page, err := testDB.ListOrganisations(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		return page
	}
	if diff := cmp.Diff(wantIDs, p.forward(t)); diff != "" {
		t.Errorf("forward (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantIDs, p.backward(t)); diff != "" {
		t.Errorf("backward (-want +got):\n%s", diff)
	}
	if n, err := testDB.CountOrganisations(ctx, cynllun.OrgQuery{LAID: la, NamePrefix: "ysgol a"}); err != nil || n != 5 {
		t.Errorf("CountOrganisations(Ysgol A…) = %d, %v; want 5", n, err)
	}
}
