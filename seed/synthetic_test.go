package seed

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/form"
	"github.com/cynllun/cynllun/mongodb"
	"github.com/cynllun/cynllun/quality"
	"github.com/cynllun/cynllun/service"
)

// TestSyntheticContent checks, without a database, that the generated
// plans are valid and pass the plan quality checks at ERROR level, and
// that the learners span the ages and names asked for.
func TestSyntheticContent(t *testing.T) {
	g := &generator{seed: DefaultSyntheticSeed, asOf: DefaultAsOf}
	minAge, maxAge := 100.0, 0.0
	diacritics, welsh, files, parents := 0, 0, 0, 0
	warnings := map[string]int{}
	const n = 400
	for i := range n {
		l := g.learner(i)
		if again := g.learner(i); !cmp.Equal(l.l, again.l) || !cmp.Equal(l.versions, again.versions) || !cmp.Equal(l.fileData, again.fileData) {
			t.Fatalf("learner %d differs between two generations", i)
		}
		for _, v := range l.versions {
			if errs := form.ValidateContent(v.Content, form.Options{LAMaintained: l.plan.LAMaintained}); len(errs) > 0 {
				t.Fatalf("learner %d version %d: invalid content: %v", i, v.Number, errs)
			}
		}
		final := l.versions[2]
		if final.Status != cynllun.VersionFinal || len(final.Content.Provision) < 2 {
			t.Fatalf("learner %d: final version %s with %d rows", i, final.Status, len(final.Content.Provision))
		}
		for _, f := range quality.CheckPlan(quality.PlanInput{Content: final.Content, MaintainerKind: l.org.Kind, GivenOn: l.givenOn}) {
			if f.Severity == quality.SeverityError {
				t.Errorf("learner %d: quality finding %s at %v: %s", i, f.Rule, f.Place, f.Message)
			}
			warnings[f.Rule]++
		}
		age := DefaultAsOf.Time().Sub(l.l.DateOfBirth.Time()).Hours() / 24 / 365.25
		minAge, maxAge = min(minAge, age), max(maxAge, age)
		if strings.ContainsAny(l.l.GivenName+l.l.FamilyName, "âêîôûŵŷäëïöüÿáéíóú") {
			diacritics++
		}
		if l.l.Language == cynllun.LanguageCY {
			welsh++
		}
		if l.file != nil {
			files++
		}
		if l.parent != nil {
			parents++
		}
		if l.l.ID != SyntheticLearnerID(i) || l.plan.ID != SyntheticPlanID(i) {
			t.Fatalf("learner %d has ids %s, %s", i, l.l.ID, l.plan.ID)
		}
	}
	if minAge > 1 || maxAge < 24 || maxAge >= 26 {
		t.Errorf("ages span %.1f to %.1f years, want about 0 to 25", minAge, maxAge)
	}
	if diacritics < n/20 || welsh < n/5 || files != n/FileEvery || parents < n/2 {
		t.Errorf("%d names with diacritics, %d Welsh speakers, %d files, %d parents of %d", diacritics, welsh, files, parents, n)
	}
	t.Logf("warnings over %d plans: %v", n, warnings)
}

// snapshot is everything stored for learners 0..n-1 (the latest revision
// of reviews), read in few queries: a query that is not by _id scans a
// collection on the embedded store.
type snapshot struct {
	Learners  []*cynllun.Learner
	Parents   []*cynllun.User
	Versions  []*cynllun.Version
	Reviews   []*cynllun.Review
	Events    [][]cynllun.StatutoryEvent
	Deadlines []*cynllun.Deadline
	Sessions  []cynllun.Session
}

func takeSnapshot(t *testing.T, st cynllun.Store, n int) snapshot {
	t.Helper()
	ctx := context.Background()
	var s snapshot
	var learners, parents, versions, reviews, sessions []string
	for i := range n {
		learners = append(learners, SyntheticLearnerID(i))
		parents = append(parents, SyntheticParentID(i))
		for v := 1; v <= 3; v++ {
			versions = append(versions, cynllun.VersionID(SyntheticPlanID(i), v))
		}
		reviews = append(reviews, SyntheticReviewID(i, 0), SyntheticReviewID(i, 1))
		for k := range 64 {
			sessions = append(sessions, synID(cynllun.PrefixSession, kindSession, uint64(i)<<16|uint64(k)))
		}
	}
	var err error
	if s.Learners, err = st.LearnersByID(ctx, learners); err != nil || len(s.Learners) != n {
		t.Fatalf("learners: %d, %v", len(s.Learners), err)
	}
	if s.Parents, err = st.UsersByID(ctx, parents); err != nil || len(s.Parents) == 0 {
		t.Fatalf("parents: %d, %v", len(s.Parents), err)
	}
	if s.Versions, err = st.VersionsByID(ctx, versions); err != nil || len(s.Versions) != 3*n {
		t.Fatalf("versions: %d, %v", len(s.Versions), err)
	}
	if s.Reviews, err = st.ReviewsByID(ctx, reviews); err != nil || len(s.Reviews) < n {
		t.Fatalf("reviews: %d, %v", len(s.Reviews), err)
	}
	if s.Deadlines, err = st.ListDeadlines(ctx, cynllun.DeadlineQuery{Scope: cynllun.Scope{LearnerIDs: learners}, Limit: 1000}); err != nil || len(s.Deadlines) < 2*n {
		t.Fatalf("deadlines: %d, %v", len(s.Deadlines), err)
	}
	if s.Sessions, err = st.SessionsByID(ctx, sessions); err != nil || len(s.Sessions) == 0 {
		t.Fatalf("sessions: %d, %v", len(s.Sessions), err)
	}
	for _, id := range learners {
		evs, err := st.EventsForLearner(ctx, id)
		if err != nil || len(evs) < 3 {
			t.Fatalf("learner %s: %d events, %v", id, len(evs), err)
		}
		s.Events = append(s.Events, evs)
	}
	// Found in any order: sort by id.
	slices.SortFunc(s.Learners, func(a, b *cynllun.Learner) int { return strings.Compare(a.ID, b.ID) })
	slices.SortFunc(s.Parents, func(a, b *cynllun.User) int { return strings.Compare(a.ID, b.ID) })
	slices.SortFunc(s.Versions, func(a, b *cynllun.Version) int { return strings.Compare(a.ID, b.ID) })
	slices.SortFunc(s.Reviews, func(a, b *cynllun.Review) int { return strings.Compare(a.ID, b.ID) })
	slices.SortFunc(s.Sessions, func(a, b cynllun.Session) int { return strings.Compare(a.ID, b.ID) })
	return s
}

// TestSynthetic builds 10 learners, grows to 25, and runs again: the first
// ten are unchanged, nothing is written twice, due dates are the service's
// and the users can read what they should.
func TestSynthetic(t *testing.T) {
	ctx := context.Background()
	db, err := mongodb.Open(ctx, mongodb.Config{URI: testDB.URI(), Database: "synthetic_test"})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(ctx)
	svc := service.New(db)

	res, err := Synthetic(ctx, svc, SyntheticOptions{N: 10})
	if err != nil {
		t.Fatal(err)
	}
	if res.Existing != 0 || res.Written.Learners != 10 || res.Written.Plans != 10 || res.Written.Versions != 30 || res.Written.Schools != 1 || res.Written.Files != 1 {
		t.Fatalf("first run wrote %+v (existing %d)", res.Written, res.Existing)
	}
	first := takeSnapshot(t, db, 10)

	res, err = Synthetic(ctx, svc, SyntheticOptions{N: 25, Workers: 3})
	if err != nil {
		t.Fatal(err)
	}
	if res.Existing != 10 || res.Written.Learners != 15 || res.Written.Schools != 0 {
		t.Fatalf("growing to 25 wrote %+v (existing %d)", res.Written, res.Existing)
	}
	if diff := cmp.Diff(first, takeSnapshot(t, db, 10)); diff != "" {
		t.Errorf("growing changed the first 10 learners (-before +after):\n%s", diff)
	}
	t.Logf("25 learners: %+v in %v", res.Written, res.Elapsed)

	res, err = Synthetic(ctx, svc, SyntheticOptions{N: 25})
	if err != nil {
		t.Fatal(err)
	}
	if res.Existing != 25 || res.Written != (SyntheticCounts{}) {
		t.Fatalf("a rerun wrote %+v (existing %d)", res.Written, res.Existing)
	}
	all := cynllun.Scope{}
	for _, la := range LocalAuthorities {
		all.LAIDs = append(all.LAIDs, LAID(la.ONS))
	}
	if n, err := db.CountLearners(ctx, cynllun.LearnerQuery{Scope: all}); err != nil || n != 25 {
		t.Fatalf("%d learners stored, %v", n, err)
	}

	// Due dates are what the service computes, on the calendar that counts.
	deadlines, err := db.ListDeadlines(ctx, cynllun.DeadlineQuery{Scope: all, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	admin := cynllun.WithPrincipal(ctx, &cynllun.Principal{UserID: "test"})
	rules := map[string]int{}
	for _, d := range deadlines {
		if rules[d.RuleID]++; rules[d.RuleID] > 1 {
			continue // one of each rule: each check reads the calendars
		}
		w, err := svc.DeadlineWorking(admin, d)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case w == nil && !d.Due.IsZero(), w != nil && w.Due != d.Due:
			t.Errorf("deadline %s (%s from %s) due %s, the service says %+v", d.ID, d.RuleID, d.Start, d.Due, w)
		}
		if d.RuleID == "T1" && d.Due.IsZero() {
			t.Errorf("T1 deadline %s has no due date: %s", d.ID, d.Problem)
		}
	}
	if rules["T8"] < 25 || rules["T1"] == 0 {
		t.Errorf("deadlines by rule: %v", rules)
	}

	// The users see what their relationships give them.
	for _, who := range []struct{ user, plan string }{
		{res.StaffID, res.PlanID}, {res.OfficerID, res.PlanID}, {res.ParentID, res.PlanID},
	} {
		p, err := svc.Authenticate(ctx, who.user)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Plan(cynllun.WithPrincipal(ctx, p), who.plan); err != nil {
			t.Errorf("%s cannot read plan %s: %v", who.user, who.plan, err)
		}
	}
	if f, err := db.FileByID(ctx, res.FileID); err != nil || f.LearnerID != SyntheticLearnerID(0) || f.ContentType != "image/png" {
		t.Errorf("file %s: %+v, %v", res.FileID, f, err)
	}
}
