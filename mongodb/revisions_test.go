package mongodb

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/cynllun/cynllun"
)

// Tests of the flat access paths of reviews and cases (revisions.go).

func minimalReview(id, planID string, rev int, opened time.Time) *cynllun.Review {
	return &cynllun.Review{ID: id, Revision: rev, PlanID: planID, LearnerID: "lrn_rev", Type: cynllun.ReviewAnnual,
		Status: cynllun.ReviewOpen, CreatedAt: opened.Add(time.Duration(rev) * time.Minute), OpenedAt: opened}
}

// saveRace has writers save revision rev at once through save and checks
// that one wins and every other gets CONFLICT with Current rev.
func saveRace(t *testing.T, writers, rev int, save func(i int) error) {
	t.Helper()
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		errs  = make([]error, writers)
	)
	for i := range writers {
		wg.Go(func() {
			<-start
			errs[i] = save(i)
		})
	}
	close(start)
	wg.Wait()
	wins := 0
	for _, err := range errs {
		if err == nil {
			wins++
			continue
		}
		if e := asError(t, err); e.Code != cynllun.CodeConflict || e.Current != rev {
			t.Errorf("loser got %#v, want CONFLICT with Current %d", e, rev)
		}
	}
	if wins != 1 {
		t.Errorf("%d writers of revision %d succeeded, want 1", wins, rev)
	}
}

func TestReviewRevisionRace20(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	id, planID := cynllun.NewID(cynllun.PrefixReview), cynllun.NewID(cynllun.PrefixPlan)
	if err := testDB.InsertReview(ctx, minimalReview(id, planID, 1, t0)); err != nil {
		t.Fatal(err)
	}
	for rev := 2; rev <= 3; rev++ {
		saveRace(t, 20, rev, func(i int) error {
			r := minimalReview(id, planID, rev, t0)
			r.Comment = fmt.Sprintf("writer %d", i)
			return testDB.InsertReview(ctx, r)
		})
	}
	revs, err := testDB.ReviewRevisions(ctx, id)
	if err != nil || len(revs) != 3 || revs[2].Revision != 3 {
		t.Fatalf("ReviewRevisions = %v, %v", revs, err)
	}
	got, err := testDB.ReviewsForPlans(ctx, []string{planID})
	if err != nil || len(got) != 1 || got[0].Revision != 3 {
		t.Fatalf("ReviewsForPlans = %v, %v", got, err)
	}
}

func TestCaseRevisionRace20(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	id, learner := cynllun.NewID(cynllun.PrefixCase), cynllun.NewID(cynllun.PrefixLearner)
	mustInsertCases(t, minimalCase(id, learner, 1, t0))
	for rev := 2; rev <= 3; rev++ {
		saveRace(t, 20, rev, func(i int) error {
			c := minimalCase(id, learner, rev, t0)
			c.Title = fmt.Sprintf("writer %d", i)
			return testDB.InsertCase(ctx, c)
		})
	}
	got, err := testDB.CasesForLearners(ctx, []string{learner})
	if err != nil || len(got) != 1 || got[0].Revision != 3 {
		t.Fatalf("CasesForLearners = %v, %v", got, err)
	}
}

func TestBundleNumberRace(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	caseID := cynllun.NewID(cynllun.PrefixCase)
	if err := testDB.InsertBundle(ctx, newBundle(caseID, 1, nil)); err != nil {
		t.Fatal(err)
	}
	saveRace(t, 20, 2, func(i int) error {
		b := newBundle(caseID, 2, nil)
		if i%2 == 1 { // half under ids of their own
			b.ID = cynllun.NewID(cynllun.PrefixBundle)
		}
		return testDB.InsertBundle(ctx, b)
	})
	bs, err := testDB.BundlesForCase(ctx, caseID)
	if err != nil || len(bs) != 2 || bs[1].Number != 2 {
		t.Fatalf("BundlesForCase = %v, %v", bs, err)
	}
	// The losers under ids of their own left no entries.
	m, err := lookupMembers[int](ctx, testDB, lkBundlesOfCase, []string{caseID})
	if err != nil || len(m[caseID]) != 2 {
		t.Errorf("bundlesOfCase entries = %v, %v; want 2", m, err)
	}
}

// TestInterruptedSaveIsRepaired: a revision stored without its head's
// update (a crash between the two) makes the next save a CONFLICT with the
// revision found as current, and the save after it succeeds.
func TestInterruptedSaveIsRepaired(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	t.Run("review", func(t *testing.T) {
		t.Parallel()
		id, planID := cynllun.NewID(cynllun.PrefixReview), cynllun.NewID(cynllun.PrefixPlan)
		if err := testDB.InsertReview(ctx, minimalReview(id, planID, 1, t0)); err != nil {
			t.Fatal(err)
		}
		// Revisions 2 and 3 stored, their head never moved.
		for rev := 2; rev <= 3; rev++ {
			if _, err := testDB.coll(collReviews).InsertOne(ctx, toReviewDoc(minimalReview(id, planID, rev, t0))); err != nil {
				t.Fatal(err)
			}
		}
		if got, _ := testDB.ReviewsByID(ctx, []string{id}); len(got) != 1 || got[0].Revision != 1 {
			t.Fatalf("before the repair ReviewsByID = %v, want revision 1 (the head)", got)
		}
		err := testDB.InsertReview(ctx, minimalReview(id, planID, 2, t0))
		if e := asError(t, err); e.Code != cynllun.CodeConflict || e.Current != 3 {
			t.Fatalf("save over an interrupted one = %v (current %d), want CONFLICT with current 3", err, e.Current)
		}
		if err := testDB.InsertReview(ctx, minimalReview(id, planID, 4, t0)); err != nil {
			t.Fatalf("save after the repair: %v", err)
		}
		got, err := testDB.ReviewsForPlans(ctx, []string{planID})
		if err != nil || len(got) != 1 || got[0].Revision != 4 {
			t.Fatalf("ReviewsForPlans = %v, %v", got, err)
		}
		if revs, err := testDB.ReviewRevisions(ctx, id); err != nil || len(revs) != 4 {
			t.Fatalf("ReviewRevisions = %v, %v", revs, err)
		}
	})
	t.Run("case", func(t *testing.T) {
		t.Parallel()
		id, learner := cynllun.NewID(cynllun.PrefixCase), cynllun.NewID(cynllun.PrefixLearner)
		// Revision 1 stored with neither entry nor head: the repair
		// builds the head, with the creation time, from nothing.
		if _, err := testDB.coll(collCases).InsertOne(ctx, toCaseDoc(minimalCase(id, learner, 1, t0))); err != nil {
			t.Fatal(err)
		}
		err := testDB.InsertCase(ctx, minimalCase(id, learner, 1, t0.Add(time.Hour)))
		if e := asError(t, err); e.Code != cynllun.CodeConflict || e.Current != 1 {
			t.Fatalf("save over an interrupted one = %v (current %d), want CONFLICT with current 1", err, e.Current)
		}
		r2 := minimalCase(id, learner, 2, t0.Add(time.Hour))
		mustInsertCases(t, r2)
		got, err := testDB.CasesForLearners(ctx, []string{learner})
		if err != nil || len(got) != 1 || got[0].Revision != 2 {
			t.Fatalf("CasesForLearners = %v, %v", got, err)
		}
		h, _, err := oneByID[revisionHead](ctx, testDB.coll(collCaseHeads), id, nil)
		if err != nil || h.Latest != 2 || !h.Created.Equal(t0) {
			t.Errorf("head = %+v, %v; want latest 2 created %v", h, err, t0)
		}
	})
}

// TestRevisionReadsAreFlat: on the embedded store the reads of reviews and
// cases send only finds by _id.
func TestRevisionReadsAreFlat(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	planID, learner := cynllun.NewID(cynllun.PrefixPlan), cynllun.NewID(cynllun.PrefixLearner)
	var reviewIDs, caseIDs []string
	for i := range 5 {
		r := cynllun.NewID(cynllun.PrefixReview)
		c := cynllun.NewID(cynllun.PrefixCase)
		for rev := 1; rev <= 3; rev++ {
			if err := testDB.InsertReview(ctx, minimalReview(r, planID, rev, t0.Add(time.Duration(i)*time.Hour))); err != nil {
				t.Fatal(err)
			}
			mustInsertCases(t, minimalCase(c, learner, rev, t0.Add(time.Duration(i)*time.Hour)))
		}
		reviewIDs, caseIDs = append(reviewIDs, r), append(caseIDs, c)
		if err := testDB.InsertEvidence(ctx, newEvidence(c, t0)); err != nil {
			t.Fatal(err)
		}
		if err := testDB.InsertBundle(ctx, newBundle(c, 1, nil)); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name              string
		read              func(context.Context) (int, error)
		wantN             int
		maxEmbedded, maxM int
	}{
		{"ReviewsByID", func(ctx context.Context) (int, error) {
			rs, err := testDB.ReviewsByID(ctx, reviewIDs)
			return len(rs), err
		}, 5, 10, 2},
		{"ReviewsForPlans", func(ctx context.Context) (int, error) {
			rs, err := testDB.ReviewsForPlans(ctx, []string{planID})
			return len(rs), err
		}, 5, 11, 3},
		{"ReviewRevisions", func(ctx context.Context) (int, error) {
			rs, err := testDB.ReviewRevisions(ctx, reviewIDs[0])
			return len(rs), err
		}, 3, 4, 2},
		{"ReviewRevision", func(ctx context.Context) (int, error) {
			_, err := testDB.ReviewRevision(ctx, reviewIDs[0], 2)
			return 1, err
		}, 1, 1, 1},
		{"CasesByID", func(ctx context.Context) (int, error) {
			cs, err := testDB.CasesByID(ctx, caseIDs)
			return len(cs), err
		}, 5, 10, 2},
		{"CasesForLearners", func(ctx context.Context) (int, error) {
			cs, err := testDB.CasesForLearners(ctx, []string{learner})
			return len(cs), err
		}, 5, 11, 3},
		{"CaseRevisions", func(ctx context.Context) (int, error) {
			cs, err := testDB.CaseRevisions(ctx, caseIDs[0])
			return len(cs), err
		}, 3, 4, 2},
		{"EvidenceForCase", func(ctx context.Context) (int, error) {
			es, err := testDB.EvidenceForCase(ctx, caseIDs[0])
			return len(es), err
		}, 1, 2, 2},
		{"BundlesForCase", func(ctx context.Context) (int, error) {
			bs, err := testDB.BundlesForCase(ctx, caseIDs[0])
			return len(bs), err
		}, 1, 2, 2},
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
			wantFlat(t, cmds, tt.maxEmbedded, tt.maxM)
		})
	}

	// The conflict paths read by _id too.
	conflicts := []struct {
		name string
		save func(context.Context) error
	}{
		{"InsertReview", func(ctx context.Context) error {
			return testDB.InsertReview(ctx, minimalReview(reviewIDs[0], planID, 2, t0))
		}},
		{"InsertCase", func(ctx context.Context) error {
			return testDB.InsertCase(ctx, minimalCase(caseIDs[0], learner, 2, t0))
		}},
		{"InsertBundle", func(ctx context.Context) error { return testDB.InsertBundle(ctx, newBundle(caseIDs[0], 1, nil)) }},
	}
	for _, tt := range conflicts {
		t.Run(tt.name+" conflict", func(t *testing.T) {
			var err error
			cmds := commands(t, func(ctx context.Context) { err = tt.save(ctx) })
			if codeOf(err) != cynllun.CodeConflict {
				t.Fatalf("err = %v, want CONFLICT", err)
			}
			if !testDB.Embedded() {
				return
			}
			for _, c := range cmds {
				if c == "find" || c == "aggregate" || c == "count" {
					t.Errorf("sent %q (of %v): on the embedded store reads must be finds by _id", c, cmds)
				}
			}
		})
	}
}

// TestWithdrawAndCompleteAreFlat: the set-once updates read and write by
// _id on the embedded store.
func TestWithdrawAndCompleteAreFlat(t *testing.T) {
	t.Parallel()
	if !testDB.Embedded() {
		t.Skip("on MongoDB these are one conditional update")
	}
	ctx := t.Context()
	caseID := cynllun.NewID(cynllun.PrefixCase)
	e := newEvidence(caseID, t0)
	b := newBundle(caseID, 1, nil)
	if err := testDB.InsertEvidence(ctx, e); err != nil {
		t.Fatal(err)
	}
	if err := testDB.InsertBundle(ctx, b); err != nil {
		t.Fatal(err)
	}
	done := *b
	done.FileID = cynllun.FileIDFor("f1")
	cmds := commands(t, func(ctx context.Context) {
		for range 2 {
			if err := testDB.WithdrawEvidence(ctx, e.ID, t0, "usr_a", "x"); err != nil {
				t.Error(err)
			}
			if err := testDB.CompleteBundle(ctx, &done); err != nil {
				t.Error(err)
			}
		}
	})
	// Each: a find by _id; the first time an update by _id as well.
	want := []string{findByID, "update", findByID, "update", findByID, findByID}
	if diff := cmp.Diff(want, cmds); diff != "" {
		t.Errorf("commands (-want +got):\n%s", diff)
	}
}

// TestRevisionBackfill: the backfills build the heads and lookups of
// reviews, cases, evidence and bundles stored before them.
func TestRevisionBackfill(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	planID, learner := cynllun.NewID(cynllun.PrefixPlan), cynllun.NewID(cynllun.PrefixLearner)
	reviewID, caseID := cynllun.NewID(cynllun.PrefixReview), cynllun.NewID(cynllun.PrefixCase)
	insert := func(coll string, doc any) {
		t.Helper()
		if _, err := testDB.coll(coll).InsertOne(ctx, doc); err != nil {
			t.Fatal(err)
		}
	}
	for rev := 1; rev <= 2; rev++ {
		insert(collReviews, toReviewDoc(minimalReview(reviewID, planID, rev, t0)))
		insert(collCases, toCaseDoc(minimalCase(caseID, learner, rev, t0.Add(time.Duration(rev)*time.Hour))))
	}
	ev := newEvidence(caseID, t0)
	insert(collCaseEvidence, toCaseEvidenceDoc(ev))
	b1, b2 := newBundle(caseID, 1, nil), newBundle(caseID, 2, nil)
	insert(collBundles, toBundleDoc(b1))
	insert(collBundles, toBundleDoc(b2))
	// Whatever derived documents there were, gone.
	for coll, ids := range map[string][]string{
		collLookups: {lookupID(lkReviewsOfPlan, planID), lookupID(lkCasesOfLearner, learner),
			lookupID(lkEvidenceOfCase, caseID), lookupID(lkBundlesOfCase, caseID)},
		collReviewHeads: {reviewID},
		collCaseHeads:   {caseID},
	} {
		if _, err := testDB.coll(coll).DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}}); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := testDB.ReviewsForPlans(ctx, []string{planID}); err != nil || len(got) != 0 {
		t.Fatalf("before the backfill ReviewsForPlans = %v, %v", got, err)
	}
	if err := backfillReviews(ctx, testDB); err != nil {
		t.Fatal(err)
	}
	if err := backfillCases(ctx, testDB); err != nil {
		t.Fatal(err)
	}
	if got, err := testDB.ReviewsForPlans(ctx, []string{planID}); err != nil || len(got) != 1 || got[0].Revision != 2 {
		t.Errorf("ReviewsForPlans = %v, %v", got, err)
	}
	if got, err := testDB.ReviewsByID(ctx, []string{reviewID}); err != nil || len(got) != 1 || got[0].Revision != 2 {
		t.Errorf("ReviewsByID = %v, %v", got, err)
	}
	if got, err := testDB.CasesForLearners(ctx, []string{learner}); err != nil || len(got) != 1 || got[0].Revision != 2 {
		t.Errorf("CasesForLearners = %v, %v", got, err)
	}
	if got, err := testDB.CaseRevisions(ctx, caseID); err != nil || len(got) != 2 {
		t.Errorf("CaseRevisions = %v, %v", got, err)
	}
	h, _, err := oneByID[revisionHead](ctx, testDB.coll(collCaseHeads), caseID, nil)
	if err != nil || h.Latest != 2 || !h.Created.Equal(t0.Add(time.Hour)) {
		t.Errorf("case head = %+v, %v; want latest 2, created at revision 1's", h, err)
	}
	if got, err := testDB.EvidenceForCase(ctx, caseID); err != nil || len(got) != 1 || got[0].ID != ev.ID {
		t.Errorf("EvidenceForCase = %v, %v", got, err)
	}
	if got, err := testDB.BundlesForCase(ctx, caseID); err != nil || len(got) != 2 || got[1].ID != b2.ID {
		t.Errorf("BundlesForCase = %v, %v", got, err)
	}
	// The next saves see what was stored before.
	err = testDB.InsertBundle(ctx, newBundle(caseID, 2, nil))
	if e := asError(t, err); e.Code != cynllun.CodeConflict || e.Current != 2 {
		t.Errorf("InsertBundle after the backfill = %v, want CONFLICT with current 2", err)
	}
	if err := testDB.InsertReview(ctx, minimalReview(reviewID, planID, 3, t0)); err != nil {
		t.Errorf("InsertReview after the backfill: %v", err)
	}
}
