package mongodb

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cynllun/cynllun"
)

// TestCaseloads: an LA's, a setting's and a learner's cases and reviews
// listed open first (or by when opened), both ways, across months; a
// record that closes moves to the closed part, one whose learner moved
// leaves the old LA's list; counts; reads by _id only.
func TestCaseloads(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	la, other, school := cynllun.NewID(cynllun.PrefixOrganisation), cynllun.NewID(cynllun.PrefixOrganisation), cynllun.NewID(cynllun.PrefixOrganisation)
	learners := []string{cynllun.NewID(cynllun.PrefixLearner), cynllun.NewID(cynllun.PrefixLearner), cynllun.NewID(cynllun.PrefixLearner)}
	var cases []*cynllun.Case
	var reviews []*cynllun.Review
	for i := range 40 {
		// Opened across five months, some at the same instant.
		at := t0.Add(time.Duration((i*53)%150) * 24 * time.Hour).Add(time.Duration(i%3) * time.Hour)
		l := learners[i%3]
		c := &cynllun.Case{ID: fmt.Sprintf("%s_%02d", cynllun.NewID(cynllun.PrefixCase), i), Revision: 1, LearnerID: l, LAID: la,
			Kind: cynllun.CaseDisagreement, Status: cynllun.CaseOpen, Title: "Anghytundeb", CreatedAt: at, UpdatedAt: at}
		r := &cynllun.Review{ID: fmt.Sprintf("%s_%02d", cynllun.NewID(cynllun.PrefixReview), i), Revision: 1, PlanID: "pln_" + l, LearnerID: l, LAID: la,
			Type: cynllun.ReviewAnnual, Status: cynllun.ReviewOpen, CreatedAt: at, OpenedAt: at}
		if i%4 == 0 {
			c.SettingID, r.SettingID = school, school
		}
		if i%5 == 0 {
			c.Status, r.Status = cynllun.CaseResolved, cynllun.ReviewConcluded
		}
		if err := testDB.InsertCase(ctx, c); err != nil {
			t.Fatal(err)
		}
		if err := testDB.InsertReview(ctx, r); err != nil {
			t.Fatal(err)
		}
		cases, reviews = append(cases, c), append(reviews, r)
	}
	// A second revision closes some, and moves two to the other LA.
	for i, c := range cases {
		if i%7 != 1 {
			continue
		}
		next, rnext := *c, *reviews[i]
		next.Revision, rnext.Revision = 2, 2
		if i == 8 || i == 15 {
			next.LAID, next.SettingID, rnext.LAID, rnext.SettingID = other, "", other, ""
		} else {
			next.Status, rnext.Status = cynllun.CaseWithdrawn, cynllun.ReviewRefused
		}
		if err := testDB.InsertCase(ctx, &next); err != nil {
			t.Fatal(err)
		}
		if err := testDB.InsertReview(ctx, &rnext); err != nil {
			t.Fatal(err)
		}
		cases[i], reviews[i] = &next, &rnext
	}
	type rec struct {
		id, learner, la, setting string
		open                     bool
		at                       time.Time
	}
	var recs, rrecs []rec
	for i, c := range cases {
		recs = append(recs, rec{c.ID, c.LearnerID, c.LAID, c.SettingID, c.IsOpen(), c.CreatedAt})
		r := reviews[i]
		rrecs = append(rrecs, rec{r.ID, r.LearnerID, r.LAID, r.SettingID, r.IsOpen(), r.OpenedAt})
	}
	want := func(rs []rec, o cynllun.WorkOrder, in func(rec) bool) []string {
		type keyed struct{ k, id string }
		var ks []keyed
		for _, r := range rs {
			if in(r) {
				ks = append(ks, keyed{cynllun.WorkKey(o, r.open, r.at, r.id), r.id})
			}
		}
		slices.SortFunc(ks, func(a, b keyed) int { return compareEntries(a.k, b.k, false) })
		var ids []string
		for _, k := range ks {
			ids = append(ids, k.id)
		}
		return ids
	}
	for _, tt := range []struct {
		name  string
		scope cynllun.Scope
		in    func(rec) bool
	}{
		{"the LA's", cynllun.Scope{LAIDs: []string{la}}, func(r rec) bool { return r.la == la }},
		{"the school's", cynllun.Scope{SettingIDs: []string{school}}, func(r rec) bool { return r.setting == school }},
		{"the other LA's", cynllun.Scope{LAIDs: []string{other}}, func(r rec) bool { return r.la == other }},
		{"a learner's and the school's", cynllun.Scope{LearnerIDs: []string{learners[1]}, SettingIDs: []string{school}},
			func(r rec) bool { return r.learner == learners[1] || r.setting == school }},
	} {
		for _, o := range []cynllun.WorkOrder{cynllun.OrderOpenFirst, cynllun.OrderNewest, cynllun.OrderOldest} {
			t.Run(tt.name+" "+string(o), func(t *testing.T) {
				cp := pager[*cynllun.Case]{size: 6, id: func(c *cynllun.Case) string { return c.ID }}
				cp.page = func(at **cynllun.Case, backward bool) []*cynllun.Case {
					q := cynllun.WorkQuery{Scope: tt.scope, Order: o, Limit: cp.size, Last: backward}
					if at != nil && backward {
						q.Before = cynllun.WorkKey(o, (*at).IsOpen(), (*at).CreatedAt, (*at).ID)
					} else if at != nil {
						q.After = cynllun.WorkKey(o, (*at).IsOpen(), (*at).CreatedAt, (*at).ID)
					}
					page, err := testDB.ListCases(ctx, q)
					if err != nil {
						t.Fatal(err)
					}
					return page
				}
				w := want(recs, o, tt.in)
				if diff := cmp.Diff(w, cp.forward(t)); diff != "" {
					t.Errorf("cases forward (-want +got):\n%s", diff)
				}
				if diff := cmp.Diff(w, cp.backward(t)); diff != "" {
					t.Errorf("cases backward (-want +got):\n%s", diff)
				}
				rp := pager[*cynllun.Review]{size: 7, id: func(r *cynllun.Review) string { return r.ID }}
				rp.page = func(at **cynllun.Review, backward bool) []*cynllun.Review {
					q := cynllun.WorkQuery{Scope: tt.scope, Order: o, Limit: rp.size, Last: backward}
					if at != nil && backward {
						q.Before = cynllun.WorkKey(o, (*at).IsOpen(), (*at).OpenedAt, (*at).ID)
					} else if at != nil {
						q.After = cynllun.WorkKey(o, (*at).IsOpen(), (*at).OpenedAt, (*at).ID)
					}
					page, err := testDB.ListReviews(ctx, q)
					if err != nil {
						t.Fatal(err)
					}
					return page
				}
				w = want(rrecs, o, tt.in)
				if diff := cmp.Diff(w, rp.forward(t)); diff != "" {
					t.Errorf("reviews forward (-want +got):\n%s", diff)
				}
				if diff := cmp.Diff(w, rp.backward(t)); diff != "" {
					t.Errorf("reviews backward (-want +got):\n%s", diff)
				}
				if n, err := testDB.CountCases(ctx, cynllun.WorkQuery{Scope: tt.scope}); err != nil || sum(n) != len(w) {
					t.Errorf("CountCases = %v, %v; want %d", n, err, len(w))
				}
				if n, err := testDB.CountReviews(ctx, cynllun.WorkQuery{Scope: tt.scope, Limit: 3}); err != nil || sum(n) != min(3, len(w)) {
					t.Errorf("CountReviews at most 3 = %v, %v", n, err)
				}
			})
		}
	}
	// The first page of the LA's open-first list reads the months, the
	// open lists and the page's heads and revisions, by _id.
	cmds := commands(t, func(ctx context.Context) {
		if _, err := testDB.ListReviews(ctx, cynllun.WorkQuery{Scope: cynllun.Scope{LAIDs: []string{la}}, Limit: 10}); err != nil {
			t.Error(err)
		}
	})
	wantFlat(t, cmds, 2+2*10+2, 4)
}

// TestCaseloadsBackfill: cases and reviews stored before caseloads were
// kept are listed by their learner's LA and setting once the backfill has
// run.
func TestCaseloadsBackfill(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	la, school := cynllun.NewID(cynllun.PrefixOrganisation), cynllun.NewID(cynllun.PrefixOrganisation)
	l := newLearner(la, school, "Non", "Evans")
	mustCreateLearners(t, l)
	c := &cynllun.Case{ID: cynllun.NewID(cynllun.PrefixCase), Revision: 1, LearnerID: l.ID, Kind: cynllun.CaseAppeal, Status: cynllun.CaseOpen,
		Title: "Apêl", CreatedAt: t0, UpdatedAt: t0}
	r := &cynllun.Review{ID: cynllun.NewID(cynllun.PrefixReview), Revision: 1, PlanID: "pln_x", LearnerID: l.ID, Type: cynllun.ReviewAnnual,
		Status: cynllun.ReviewConcluded, CreatedAt: t0, OpenedAt: t0}
	// Stored as an earlier binary did: the records alone.
	if _, err := testDB.coll(collCases).InsertOne(ctx, toCaseDoc(c)); err != nil {
		t.Fatal(err)
	}
	if err := testDB.moveHead(ctx, collCaseHeads, c.ID, 1, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := testDB.coll(collReviews).InsertOne(ctx, toReviewDoc(r)); err != nil {
		t.Fatal(err)
	}
	if err := testDB.moveHead(ctx, collReviewHeads, r.ID, 1, time.Time{}); err != nil {
		t.Fatal(err)
	}
	byLA := cynllun.WorkQuery{Scope: cynllun.Scope{LAIDs: []string{la}}}
	if cs, err := testDB.ListCases(ctx, byLA); err != nil || len(cs) != 0 {
		t.Fatalf("before the backfill: %v, %v", cs, err)
	}
	runBackfill(t, "caseloads")
	if cs, err := testDB.ListCases(ctx, byLA); err != nil || len(cs) != 1 || cs[0].ID != c.ID {
		t.Errorf("the LA's cases after the backfill: %v, %v", cs, err)
	}
	bySetting := cynllun.WorkQuery{Scope: cynllun.Scope{SettingIDs: []string{school}}, Order: cynllun.OrderOpenFirst}
	if rs, err := testDB.ListReviews(ctx, bySetting); err != nil || len(rs) != 1 || rs[0].ID != r.ID {
		t.Errorf("the school's reviews after the backfill: %v, %v", rs, err)
	}
}
