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

func TestUpsertUser(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	u := &cynllun.User{ID: cynllun.NewID(cynllun.PrefixUser), Name: "Nia Ben Aur", Email: "nia@example.cymru", CreatedAt: t0}
	if err := testDB.UpsertUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	u2 := *u
	u2.Name, u2.Admin = "Nia Ben Aur-Jones", true
	if err := testDB.UpsertUser(ctx, &u2); err != nil {
		t.Fatal(err)
	}
	got, err := testDB.UserByID(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&u2, got); diff != "" {
		t.Errorf("UserByID (-want +got):\n%s", diff)
	}
}

func TestRelationships(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	user, learner := cynllun.NewID(cynllun.PrefixUser), cynllun.NewID(cynllun.PrefixLearner)
	rel := func(kind cynllun.RelKind, userID, learnerID, orgID string, created time.Time) *cynllun.Relationship {
		return &cynllun.Relationship{ID: cynllun.NewID(cynllun.PrefixRelationship), UserID: userID, Kind: kind,
			LearnerID: learnerID, OrgID: orgID, CreatedAt: created, CreatedBy: "usr_admin"}
	}
	parent := rel(cynllun.RelParentOf, user, learner, "", t0.Add(time.Hour))
	staff := rel(cynllun.RelStaffOf, user, "", "org_school", t0)
	self := rel(cynllun.RelSelf, cynllun.NewID(cynllun.PrefixUser), learner, "", t0.Add(2*time.Hour))
	advocate := rel(cynllun.RelAdvocateOf, cynllun.NewID(cynllun.PrefixUser), learner, "", t0.Add(3*time.Hour))
	advocate.ConsentBy, advocate.EndsAt = user, t0.AddDate(0, 3, 0)
	// A staff relationship that (wrongly) names the learner is not learner-scoped.
	odd := rel(cynllun.RelStaffOf, cynllun.NewID(cynllun.PrefixUser), learner, "org_school", t0.Add(4*time.Hour))
	for _, r := range []*cynllun.Relationship{parent, staff, self, advocate, odd} {
		if err := testDB.CreateRelationship(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := testDB.CreateRelationship(ctx, parent); codeOf(err) != cynllun.CodeConflict {
		t.Errorf("duplicate CreateRelationship = %v, want CONFLICT", err)
	}

	tests := []struct {
		name string
		read func(context.Context) ([]cynllun.Relationship, error)
		want []*cynllun.Relationship
	}{
		{"for user, oldest first", func(ctx context.Context) ([]cynllun.Relationship, error) {
			return testDB.RelationshipsForUser(ctx, user)
		}, []*cynllun.Relationship{staff, parent}},
		{"for learner, learner-scoped kinds only", func(ctx context.Context) ([]cynllun.Relationship, error) {
			return testDB.RelationshipsForLearner(ctx, learner)
		}, []*cynllun.Relationship{parent, self, advocate}},
		{"unknown user", func(ctx context.Context) ([]cynllun.Relationship, error) {
			return testDB.RelationshipsForUser(ctx, "usr_nobody")
		}, nil},
		{"empty learner id", func(ctx context.Context) ([]cynllun.Relationship, error) {
			return testDB.RelationshipsForLearner(ctx, "")
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.read(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			var want []cynllun.Relationship
			for _, r := range tt.want {
				want = append(want, *r)
			}
			if len(got) == 0 {
				got = nil
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestEndRelationship: the first end wins; ending again changes nothing.
func TestEndRelationship(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	r := &cynllun.Relationship{ID: cynllun.NewID(cynllun.PrefixRelationship), UserID: cynllun.NewID(cynllun.PrefixUser),
		Kind: cynllun.RelParentOf, LearnerID: cynllun.NewID(cynllun.PrefixLearner), CreatedAt: t0}
	if err := testDB.CreateRelationship(ctx, r); err != nil {
		t.Fatal(err)
	}
	first := t0.Add(48*time.Hour + 1500*time.Microsecond)
	for i, at := range []time.Time{first, first.Add(time.Hour), first.Add(-time.Hour)} {
		if err := testDB.EndRelationship(ctx, r.ID, at); err != nil {
			t.Fatalf("EndRelationship #%d: %v", i+1, err)
		}
		got, err := testDB.RelationshipByID(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if want := first.Truncate(time.Millisecond); !got.EndedAt.Equal(want) {
			t.Errorf("after EndRelationship #%d EndedAt = %v, want %v", i+1, got.EndedAt, want)
		}
		if got.ActiveAt(first.Add(time.Second)) || !got.ActiveAt(first.Add(-time.Second)) {
			t.Errorf("ActiveAt around EndedAt is wrong: %+v", got)
		}
	}
	if err := testDB.EndRelationship(ctx, "rel_missing", first); codeOf(err) != cynllun.CodeNotFound {
		t.Errorf("EndRelationship of a missing id = %v, want NOT_FOUND", err)
	}
}

func TestNotFound(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		call func(context.Context) error
	}{
		{"UserByID", func(ctx context.Context) error { _, err := testDB.UserByID(ctx, "usr_missing"); return err }},
		{"RelationshipByID", func(ctx context.Context) error {
			_, err := testDB.RelationshipByID(ctx, "rel_missing")
			return err
		}},
		{"UpdateLearner", func(ctx context.Context) error {
			return testDB.UpdateLearner(ctx, newLearner("org_la", "", "Neb", "Neb"))
		}},
		{"EndRelationship", func(ctx context.Context) error { return testDB.EndRelationship(ctx, "rel_missing", t0) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := asError(t, tt.call(t.Context()))
			if e.Code != cynllun.CodeNotFound || e.Op != "mongodb."+tt.name {
				t.Errorf("got %#v, want NOT_FOUND from mongodb.%s", e, tt.name)
			}
		})
	}
	// Batch reads of unknown ids return nothing, not an error.
	ls, err := testDB.LearnersByID(t.Context(), []string{"lrn_missing"})
	if err != nil || len(ls) != 0 {
		t.Errorf("LearnersByID(missing) = %v, %v", ls, err)
	}
	vs, err := testDB.ListVersions(t.Context(), "pln_missing", 0, 10)
	if err != nil || len(vs) != 0 {
		t.Errorf("ListVersions(missing) = %v, %v", vs, err)
	}
}

// TestRelationshipChangesSeenByEveryInstance: a grant and its end made
// through one instance are what another instance's next authentication
// reads (instances without the access cache; TestAccessCacheAcrossInstances
// has those with it).
func TestRelationshipChangesSeenByEveryInstance(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	other, err := Open(ctx, Config{URI: testDB.URI(), Database: testDB.Database().Name()})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close(context.Background())
	u := &cynllun.User{ID: cynllun.NewID(cynllun.PrefixUser), Name: "Elin", CreatedAt: t0}
	if err := testDB.UpsertUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	rel := &cynllun.Relationship{ID: cynllun.NewID(cynllun.PrefixRelationship), UserID: u.ID, Kind: cynllun.RelParentOf,
		LearnerID: cynllun.NewID(cynllun.PrefixLearner), CreatedAt: t0, CreatedBy: "usr_admin"}
	if err := testDB.CreateRelationship(ctx, rel); err != nil {
		t.Fatal(err)
	}
	_, rels, err := other.UserAccess(ctx, u.ID)
	if err != nil || len(rels) != 1 || rels[0].ID != rel.ID || !rels[0].EndedAt.IsZero() {
		t.Fatalf("other instance after the grant: %+v, %v", rels, err)
	}
	end := t0.Add(time.Hour)
	if err := testDB.EndRelationship(ctx, rel.ID, end); err != nil {
		t.Fatal(err)
	}
	_, rels, err = other.UserAccess(ctx, u.ID)
	if err != nil || len(rels) != 1 || !rels[0].EndedAt.Equal(end) {
		t.Fatalf("other instance after the end: %+v, %v", rels, err)
	}
	// Authentication is one command.
	cmds := commands(t, func(ctx context.Context) {
		if _, _, err := testDB.UserAccess(ctx, u.ID); err != nil {
			t.Error(err)
		}
	})
	if testDB.Embedded() && !slices.Equal(cmds, []string{findByID}) || len(cmds) != 1 {
		t.Errorf("UserAccess sent %v, want one find by _id", cmds)
	}
}

// TestAccountsByID: users with their relationships, ended ones too, oldest
// first, in one batch; unknown ids and a document holding only copies of
// relationships (no user yet) are left out.
func TestAccountsByID(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	a, b, ghost := cynllun.NewID(cynllun.PrefixUser), cynllun.NewID(cynllun.PrefixUser), cynllun.NewID(cynllun.PrefixUser)
	for _, id := range []string{a, b} {
		if err := testDB.UpsertUser(ctx, &cynllun.User{ID: id, Name: "Name " + id, Email: id + "@example.invalid", CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}
	}
	staff := &cynllun.Relationship{ID: cynllun.NewID(cynllun.PrefixRelationship), UserID: a, Kind: cynllun.RelStaffOf, OrgID: "org_school", StaffRole: "ALNCo", CreatedAt: t0, CreatedBy: "usr_admin"}
	parent := &cynllun.Relationship{ID: cynllun.NewID(cynllun.PrefixRelationship), UserID: a, Kind: cynllun.RelParentOf, LearnerID: "lrn_x", CreatedAt: t0.Add(time.Hour), CreatedBy: "usr_staff"}
	orphan := &cynllun.Relationship{ID: cynllun.NewID(cynllun.PrefixRelationship), UserID: ghost, Kind: cynllun.RelParentOf, LearnerID: "lrn_x", CreatedAt: t0, CreatedBy: "usr_staff"}
	for _, r := range []*cynllun.Relationship{parent, staff, orphan} {
		if err := testDB.CreateRelationship(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := testDB.EndRelationship(ctx, parent.ID, t0.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	got, err := testDB.AccountsByID(ctx, []string{a, "usr_nobody", b, ghost, a})
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(got, func(x, y cynllun.Account) int { return strings.Compare(x.User.ID, y.User.ID) })
	byID := map[string]cynllun.Account{}
	for _, acc := range got {
		byID[acc.User.ID] = acc
	}
	if len(got) != 2 || byID[a].User == nil || byID[b].User == nil {
		t.Fatalf("accounts: %+v", got)
	}
	if byID[a].User.Name != "Name "+a || len(byID[b].Relationships) != 0 {
		t.Errorf("accounts: %+v", got)
	}
	rels := byID[a].Relationships
	if len(rels) != 2 || rels[0].ID != staff.ID || rels[1].ID != parent.ID || rels[1].EndedAt.IsZero() || rels[0].StaffRole != "ALNCo" {
		t.Errorf("a's relationships: %+v", rels)
	}
}
