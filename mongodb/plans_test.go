package mongodb

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/cynllun/cynllun"
)

func newPlan(learnerID string, created time.Time) (*cynllun.Plan, *cynllun.Version) {
	p := &cynllun.Plan{
		ID: cynllun.NewID(cynllun.PrefixPlan), LearnerID: learnerID, MaintainerID: "org_school",
		CreatedAt: created, CreatedBy: "usr_alnco",
	}
	return p, newVersion(p, 1)
}

func newVersion(p *cynllun.Plan, n int) *cynllun.Version {
	return &cynllun.Version{
		ID: cynllun.VersionID(p.ID, n), PlanID: p.ID, LearnerID: p.LearnerID, Number: n,
		Status: cynllun.VersionDraft, FormVersion: "2026.1", Content: fullContent(),
		Comment: fmt.Sprintf("fersiwn %d", n), CreatedAt: p.CreatedAt.Add(time.Duration(n) * time.Minute), CreatedBy: "usr_alnco",
	}
}

func mustCreatePlan(t *testing.T, p *cynllun.Plan, v1 *cynllun.Version) {
	t.Helper()
	if err := testDB.CreatePlan(t.Context(), p, v1); err != nil {
		t.Fatalf("CreatePlan: %v", err)
	}
}

func TestPlansAndVersions(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	lrn1, lrn2 := cynllun.NewID(cynllun.PrefixLearner), cynllun.NewID(cynllun.PrefixLearner)
	// Created out of order: PlansByLearner sorts oldest first.
	pB, vB := newPlan(lrn1, t0.Add(2*time.Hour))
	pA, vA := newPlan(lrn1, t0)
	pC, vC := newPlan(lrn2, t0.Add(time.Hour))
	for _, pv := range []struct {
		p *cynllun.Plan
		v *cynllun.Version
	}{{pB, vB}, {pA, vA}, {pC, vC}} {
		mustCreatePlan(t, pv.p, pv.v)
	}
	for n := 2; n <= 5; n++ {
		if err := testDB.InsertVersion(ctx, newVersion(pA, n)); err != nil {
			t.Fatalf("InsertVersion %d: %v", n, err)
		}
	}
	if err := testDB.InsertVersion(ctx, newVersion(pC, 2)); err != nil {
		t.Fatal(err)
	}
	// The heads move with each save.
	pA.Latest, pC.Latest = 5, 2
	pA.LatestAt, pC.LatestAt = pA.CreatedAt.Add(5*time.Minute), pC.CreatedAt.Add(2*time.Minute)

	t.Run("PlansByLearner oldest first", func(t *testing.T) {
		got, err := testDB.PlansByLearner(t.Context(), []string{lrn2, lrn1, lrn1, "lrn_none"})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]*cynllun.Plan{pA, pC, pB}, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("PlansByID", func(t *testing.T) {
		got, err := testDB.PlansByID(t.Context(), []string{pC.ID, pA.ID, "pln_none"})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]*cynllun.Plan{pA, pC}, got, cmpopts.SortSlices(func(a, b *cynllun.Plan) bool { return a.ID < b.ID })); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("LatestVersions", func(t *testing.T) {
		got, err := testDB.LatestVersions(t.Context(), []string{pA.ID, pB.ID, pC.ID, pA.ID, "pln_none"})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(map[string]int{pA.ID: 5, pB.ID: 1, pC.ID: 2}, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
		empty, err := testDB.LatestVersions(t.Context(), nil)
		if err != nil || len(empty) != 0 {
			t.Errorf("LatestVersions(nil) = %v, %v", empty, err)
		}
	})
	t.Run("VersionsByID has content", func(t *testing.T) {
		ids := []string{cynllun.VersionID(pA.ID, 3), cynllun.VersionID(pC.ID, 1), cynllun.VersionID(pA.ID, 9)}
		got, err := testDB.VersionsByID(t.Context(), ids)
		if err != nil {
			t.Fatal(err)
		}
		want := []*cynllun.Version{newVersion(pA, 3), vC}
		if diff := cmp.Diff(want, got, cmpopts.SortSlices(func(a, b *cynllun.Version) bool { return a.ID < b.ID })); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("ListVersions without content", func(t *testing.T) {
		tests := []struct {
			after, limit int
			want         []int
		}{
			{0, 0, []int{1, 2, 3, 4, 5}},
			{0, 2, []int{1, 2}},
			{2, 2, []int{3, 4}},
			{4, 10, []int{5}},
			{5, 10, nil},
		}
		for _, tt := range tests {
			got, err := testDB.ListVersions(t.Context(), pA.ID, tt.after, tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			var want []*cynllun.Version
			for _, n := range tt.want {
				v := newVersion(pA, n)
				v.Content = nil
				want = append(want, v)
			}
			if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("ListVersions(after %d, limit %d) (-want +got):\n%s", tt.after, tt.limit, diff)
			}
		}
	})
	t.Run("InsertVersion conflict", func(t *testing.T) {
		err := testDB.InsertVersion(t.Context(), newVersion(pA, 3))
		e := asError(t, err)
		if e.Code != cynllun.CodeConflict || e.Current != 5 || e.Op != "mongodb.InsertVersion" {
			t.Errorf("InsertVersion of an existing number = %#v, want CONFLICT with Current 5", e)
		}
	})
	t.Run("CreatePlan with an existing plan id", func(t *testing.T) {
		_, v := newPlan(lrn1, t0)
		v.PlanID, v.ID = pA.ID, cynllun.VersionID(pA.ID, 1)
		p := *pA
		p.MaintainerID = "org_other"
		err := testDB.CreatePlan(t.Context(), &p, v)
		if codeOf(err) != cynllun.CodeConflict {
			t.Errorf("CreatePlan = %v, want CONFLICT", err)
		}
		got, _ := testDB.PlansByID(t.Context(), []string{pA.ID})
		if len(got) != 1 || got[0].MaintainerID != pA.MaintainerID {
			t.Errorf("plan changed: %v", got)
		}
	})
	t.Run("CreatePlan with a bad first version", func(t *testing.T) {
		p, v := newPlan(lrn1, t0)
		v.Number = 2
		if err := testDB.CreatePlan(t.Context(), p, v); codeOf(err) != cynllun.CodeInvalid {
			t.Errorf("CreatePlan = %v, want INVALID", err)
		}
		p, v = newPlan(lrn1, t0)
		v.PlanID = "pln_other"
		if err := testDB.CreatePlan(t.Context(), p, v); codeOf(err) != cynllun.CodeInvalid {
			t.Errorf("CreatePlan = %v, want INVALID", err)
		}
	})
}

// TestCreatePlanCompensates: when the plan insert fails after v1 went in,
// v1 is removed again, so neither is visible.
func TestCreatePlanCompensates(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	p, v1 := newPlan(cynllun.NewID(cynllun.PrefixLearner), t0)
	// A plan document without versions (as if left by a crash) makes the
	// plan insert, and only it, fail.
	if _, err := testDB.coll(collPlans).InsertOne(ctx, toPlanDoc(p)); err != nil {
		t.Fatal(err)
	}
	err := testDB.CreatePlan(ctx, p, v1)
	if codeOf(err) != cynllun.CodeConflict {
		t.Fatalf("CreatePlan = %v, want CONFLICT", err)
	}
	vs, err := testDB.VersionsByID(ctx, []string{v1.ID})
	if err != nil || len(vs) != 0 {
		t.Errorf("v1 after a failed CreatePlan: %v, %v", vs, err)
	}
	latest, err := testDB.LatestVersions(ctx, []string{p.ID})
	if err != nil || len(latest) != 0 {
		t.Errorf("LatestVersions = %v, %v", latest, err)
	}
}

// TestInsertVersionRace: 20 writers save the same next number; the unique
// index lets exactly one win and the others get CONFLICT with Current.
func TestInsertVersionRace(t *testing.T) {
	t.Parallel()
	const writers, rounds = 20, 3
	p, v1 := newPlan(cynllun.NewID(cynllun.PrefixLearner), t0)
	mustCreatePlan(t, p, v1)

	for round := range rounds {
		n := round + 2
		var (
			wg        sync.WaitGroup
			start     = make(chan struct{})
			errs      = make([]error, writers)
			successes = 0
		)
		for i := range writers {
			wg.Go(func() {
				v := newVersion(p, n)
				v.Comment = fmt.Sprintf("writer %d", i)
				<-start
				errs[i] = testDB.InsertVersion(t.Context(), v)
			})
		}
		close(start)
		wg.Wait()
		for _, err := range errs {
			if err == nil {
				successes++
				continue
			}
			e := asError(t, err)
			if e.Code != cynllun.CodeConflict || e.Current != n || e.Message != "plan was changed by someone else" {
				t.Errorf("round %d: loser got %#v, want CONFLICT with Current %d", round, e, n)
			}
		}
		if successes != 1 {
			t.Errorf("round %d: %d writers succeeded, want 1", round, successes)
		}
	}

	vs, err := testDB.ListVersions(t.Context(), p.ID, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var numbers []int
	for _, v := range vs {
		numbers = append(numbers, v.Number)
	}
	if diff := cmp.Diff([]int{1, 2, 3, 4}, numbers); diff != "" {
		t.Errorf("versions not contiguous (-want +got):\n%s", diff)
	}
	n, err := testDB.coll(collVersions).CountDocuments(t.Context(), bson.D{{Key: "planId", Value: p.ID}})
	if err != nil || n != 1+rounds {
		t.Errorf("%d version documents, %v; want %d", n, err, 1+rounds)
	}
}

// TestBatchReadsAreOneRoundTrip: the dataloaders' batch reads, for 100 ids
// (and more documents than the server's default first batch of 101), reach
// their documents by _id on the embedded store and cost one command per
// collection on MongoDB.
func TestBatchReadsAreOneRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	la := cynllun.NewID(cynllun.PrefixOrganisation)
	var learnerIDs, planIDs, versionIDs []string
	for i := range 100 {
		l := newLearner(la, "", fmt.Sprintf("Plentyn %03d", i), "Rhys")
		mustCreateLearners(t, l)
		p, v1 := newPlan(l.ID, t0.Add(time.Duration(i)*time.Second))
		v1.Content = nil
		mustCreatePlan(t, p, v1)
		v2 := newVersion(p, 2)
		v2.Content = nil
		if err := testDB.InsertVersion(ctx, v2); err != nil {
			t.Fatal(err)
		}
		learnerIDs = append(learnerIDs, l.ID)
		planIDs = append(planIDs, p.ID)
		versionIDs = append(versionIDs, v1.ID, v2.ID)
	}

	tests := []struct {
		name  string
		read  func(context.Context) (int, error)
		wantN int
	}{
		{"LearnersByID", func(ctx context.Context) (int, error) {
			ls, err := testDB.LearnersByID(ctx, learnerIDs)
			return len(ls), err
		}, 100},
		{"PlansByLearner", func(ctx context.Context) (int, error) {
			ps, err := testDB.PlansByLearner(ctx, learnerIDs)
			return len(ps), err
		}, 100},
		{"PlansByID", func(ctx context.Context) (int, error) {
			ps, err := testDB.PlansByID(ctx, planIDs)
			return len(ps), err
		}, 100},
		{"LatestVersions (200 versions)", func(ctx context.Context) (int, error) {
			m, err := testDB.LatestVersions(ctx, planIDs)
			for _, n := range m {
				if n != 2 {
					return 0, fmt.Errorf("latest %d, want 2", n)
				}
			}
			return len(m), err
		}, 100},
		{"VersionsByID (200 ids)", func(ctx context.Context) (int, error) {
			vs, err := testDB.VersionsByID(ctx, versionIDs)
			return len(vs), err
		}, 200},
		{"ListLearners (100 of a page of 1000)", func(ctx context.Context) (int, error) {
			ls, err := testDB.ListLearners(ctx, cynllun.LearnerQuery{Scope: cynllun.Scope{LAIDs: []string{la}}, Limit: 1000})
			return len(ls), err
		}, 100},
		{"OrganisationsByID (none found)", func(ctx context.Context) (int, error) {
			os, err := testDB.OrganisationsByID(ctx, learnerIDs)
			return len(os), err
		}, 0},
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
			// The results, plus the lookups (one per learner) and the
			// plans read on the way; two collections at most on MongoDB.
			wantFlat(t, cmds, 2*len(learnerIDs)+tt.wantN, 2)
		})
	}

	// No ids: no command at all.
	cmds := commands(t, func(ctx context.Context) {
		testDB.LearnersByID(ctx, nil)
		testDB.PlansByLearner(ctx, []string{""})
		testDB.LatestVersions(ctx, nil)
		testDB.VersionsByID(ctx, []string{})
		testDB.RecordAudit(ctx, nil)
	})
	if len(cmds) != 0 {
		t.Errorf("empty batches sent %v", cmds)
	}
}

// TestHeadsRepairedAfterACrash: a version stored without its heads (a crash
// between the two writes) makes the next save a CONFLICT naming it, repairs
// the heads of the plan and of its copy, and the save after succeeds.
func TestHeadsRepairedAfterACrash(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	p, v1 := newPlan(cynllun.NewID(cynllun.PrefixLearner), t0)
	mustCreatePlan(t, p, v1)
	v2 := newVersion(p, 2)
	v2.Status = cynllun.VersionFinal
	if _, err := testDB.coll(collVersions).InsertOne(ctx, toVersionDoc(v2)); err != nil {
		t.Fatal(err)
	}
	err := testDB.InsertVersion(ctx, newVersion(p, 2))
	var e *cynllun.Error
	if !errors.As(err, &e) || e.Code != cynllun.CodeConflict || e.Current != 2 {
		t.Fatalf("save over the crashed version = %v, want CONFLICT with current 2", err)
	}
	for name, read := range map[string]func() ([]*cynllun.Plan, error){
		"PlansByID":      func() ([]*cynllun.Plan, error) { return testDB.PlansByID(ctx, []string{p.ID}) },
		"PlansByLearner": func() ([]*cynllun.Plan, error) { return testDB.PlansByLearner(ctx, []string{p.LearnerID}) },
	} {
		ps, err := read()
		if err != nil || len(ps) != 1 || ps[0].Latest != 2 || ps[0].LatestFinal != 2 || !ps[0].LatestAt.Equal(v2.CreatedAt) {
			t.Errorf("%s after the repair: %+v, %v", name, ps, err)
		}
	}
	if err := testDB.InsertVersion(ctx, newVersion(p, 3)); err != nil {
		t.Fatalf("save after the repair: %v", err)
	}
}

// TestPendingPlanCopies: a copy written before its plan (a crash during
// CreatePlan) is listed only when the plan exists.
func TestPendingPlanCopies(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	learner := cynllun.NewID(cynllun.PrefixLearner)
	ghost, _ := newPlan(learner, t0)
	if err := testDB.setMembers(ctx, planCopy(toPlanDoc(ghost), true)); err != nil {
		t.Fatal(err)
	}
	real, v1 := newPlan(learner, t0.Add(time.Hour))
	mustCreatePlan(t, real, v1)
	// As if the confirmation of the real plan's copy was lost.
	if err := testDB.setMembers(ctx, planCopy(toPlanDoc(real), true)); err != nil {
		t.Fatal(err)
	}
	ps, err := testDB.PlansByLearner(ctx, []string{learner})
	if err != nil || len(ps) != 1 || ps[0].ID != real.ID {
		t.Fatalf("PlansByLearner = %+v, %v; want the real plan only", ps, err)
	}
}
