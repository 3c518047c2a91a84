package mongodb

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"

	"github.com/cynllun/cynllun"
)

func TestOpen(t *testing.T) {
	if testDB.Embedded() != (testCfg.URI == "") {
		t.Errorf("Embedded() = %v with URI %q", testDB.Embedded(), testCfg.URI)
	}
	if got := testDB.Database().Name(); testCfg.Database == "" && got != DefaultDatabase {
		t.Errorf("Database().Name() = %q, want %q", got, DefaultDatabase)
	}
	if err := testDB.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	// Creating the indexes again is a no-op.
	if err := testDB.ensureIndexes(t.Context()); err != nil {
		t.Fatalf("ensureIndexes again: %v", err)
	}
	// Every index exists, and the version guard is unique.
	for _, ix := range indexes {
		cur, err := testDB.coll(ix.coll).Indexes().List(t.Context())
		if err != nil {
			t.Fatalf("list indexes of %s: %v", ix.coll, err)
		}
		var specs []bson.M
		if err := cur.All(t.Context(), &specs); err != nil {
			t.Fatal(err)
		}
		found := false
		for _, s := range specs {
			if s["name"] == ix.name {
				found = true
				if u, _ := s["unique"].(bool); u != ix.unique {
					t.Errorf("index %s.%s unique = %v, want %v", ix.coll, ix.name, u, ix.unique)
				}
			}
		}
		if !found {
			t.Errorf("index %s.%s missing; have %v", ix.coll, ix.name, specs)
		}
	}
}

// TestEmbeddedLifecycle opens embedded databases of their own: a DataDir
// keeps its data across a reopen, and a temporary directory is removed by
// Close.
func TestEmbeddedLifecycle(t *testing.T) {
	if testCfg.URI != "" {
		t.Skip("embedded only")
	}
	t.Parallel()
	ctx := t.Context()

	dir := filepath.Join(t.TempDir(), "data dir", "nested") // created by Open; a space in the path
	var logs syncBuffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	db, err := Open(ctx, Config{DataDir: dir, Logger: log})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	l := newLearner("org_la", "", "Llŷr", "Morgan")
	if err := db.CreateLearner(ctx, l); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := db.Close(ctx); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, DefaultDatabase+".sqlite")); err != nil {
		t.Errorf("database file: %v", err)
	}
	// FerretDB's own logging stays quiet (at WARN it reports every
	// endSessions on disconnect); the adapter's debug line gets through.
	if out := logs.String(); !strings.Contains(out, "database open") || strings.Contains(out, "level=WARN") ||
		strings.Contains(out, "level=INFO") || strings.Contains(out, "level=ERROR") {
		t.Errorf("log output:\n%s", out)
	}

	db, err = Open(ctx, Config{DataDir: dir})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	got, err := db.LearnersByID(ctx, []string{l.ID})
	if err != nil || len(got) != 1 || got[0].GivenName != "Llŷr" {
		t.Errorf("after reopen LearnersByID = %v, %v", got, err)
	}
	if err := db.Close(ctx); err != nil {
		t.Fatal(err)
	}

	tmp, err := Open(ctx, Config{})
	if err != nil {
		t.Fatalf("Open temp: %v", err)
	}
	tmpDir := tmp.tempDir
	if _, err := os.Stat(tmpDir); err != nil {
		t.Fatalf("temp dir: %v", err)
	}
	if err := tmp.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(tmpDir); !os.IsNotExist(err) {
		t.Errorf("temp dir %s still there after Close (%v)", tmpDir, err)
	}
}

func TestDurableWriteConcern(t *testing.T) {
	wc := durableWriteConcern(nil)
	if wc.W != "majority" || wc.Journal == nil || !*wc.Journal {
		t.Errorf("default = %+v", wc)
	}
	db, err := Open(t.Context(), Config{URI: "mongodb://127.0.0.1:1/?w=1&serverSelectionTimeoutMS=50"})
	if err == nil {
		db.Close(t.Context())
		t.Fatal("Open of an unreachable URI succeeded")
	}
	if strings.Contains(err.Error(), "secret") {
		t.Errorf("error leaks the URI: %v", err)
	}
	opts := durableWriteConcern(writeconcern.W1())
	if opts.W != 1 || opts.Journal == nil || !*opts.Journal {
		t.Errorf("w=1 from the URI = %+v, want w=1 j=true", opts)
	}
	if _, err := Open(t.Context(), Config{URI: "mongodb://user:secret@%zz"}); err == nil || strings.Contains(err.Error(), "secret") {
		t.Errorf("Open with a bad URI: %v", err)
	}
}

// syncBuffer is a bytes.Buffer safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestRoundTrip stores one value of every type and reads it back unchanged
// (times to the millisecond, in UTC).
func TestRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	local := time.FixedZone("BST", 3600)
	tn := t0.Add(456789 * time.Nanosecond) // sub-millisecond parts are dropped
	ms := func(tm time.Time) time.Time { return tm.UTC().Truncate(time.Millisecond) }

	la := &cynllun.Organisation{
		ID: cynllun.NewID(cynllun.PrefixOrganisation), Kind: cynllun.OrgLocalAuthority,
		Name: "Isle of Anglesey County Council", NameCy: "Cyngor Sir Ynys Môn", Code: "W06000001",
		CreatedAt: tn.In(local), CreatedBy: "usr_admin",
	}
	school := &cynllun.Organisation{
		ID: cynllun.NewID(cynllun.PrefixOrganisation), Kind: cynllun.OrgSchool,
		Name: "Ysgol Gynradd Bodedern", NameCy: "Ysgol Gynradd Bodedern", LAID: la.ID, Code: "660/2001",
		CreatedAt: tn, CreatedBy: "usr_admin",
	}
	learner := &cynllun.Learner{
		ID: cynllun.NewID(cynllun.PrefixLearner), GivenName: "Gwenllïan", FamilyName: "ap Llŷr",
		PreferredName: "Gwen", DateOfBirth: cynllun.MustDate("2016-02-29"), Language: cynllun.LanguageCY,
		LAID: la.ID, SettingKind: cynllun.SettingSchool, SettingID: school.ID, LookedAfter: true,
		CreatedAt: tn, CreatedBy: "usr_officer", UpdatedAt: tn.Add(time.Hour).In(local),
	}
	plan := &cynllun.Plan{
		ID: cynllun.NewID(cynllun.PrefixPlan), LearnerID: learner.ID, MaintainerID: la.ID,
		LAMaintained: true, CreatedAt: tn, CreatedBy: "usr_officer",
	}
	v1 := &cynllun.Version{
		ID: cynllun.VersionID(plan.ID, 1), PlanID: plan.ID, LearnerID: learner.ID, Number: 1,
		Status: cynllun.VersionDraft, FormVersion: "2026.1", Content: fullContent(),
		Comment: "Drafft cyntaf â ŵ ŷ â ê î ô û ï", CreatedAt: tn, CreatedBy: "usr_officer",
	}
	v2 := &cynllun.Version{
		ID: cynllun.VersionID(plan.ID, 2), PlanID: plan.ID, LearnerID: learner.ID, Number: 2,
		Status: cynllun.VersionFinal, FormVersion: "2026.1", Content: &cynllun.Content{MeetingSummary: "Byr"},
		CreatedAt: tn.Add(time.Minute), CreatedBy: "usr_officer",
	}
	user := &cynllun.User{ID: cynllun.NewID(cynllun.PrefixUser), Name: "Dafydd ap Gwilym", Email: "dafydd@example.cymru", Admin: true, CreatedAt: tn}
	rel := &cynllun.Relationship{
		ID: cynllun.NewID(cynllun.PrefixRelationship), UserID: user.ID, Kind: cynllun.RelAdvocateOf,
		LearnerID: learner.ID, ConsentBy: "usr_parent", CaseID: cynllun.NewID(cynllun.PrefixCase),
		EndsAt: tn.AddDate(1, 0, 0), EndedAt: tn.AddDate(0, 6, 0),
		CreatedAt: tn, CreatedBy: "usr_parent", GrantedAs: "PARENT_OF", GrantedVia: "rel_parent",
	}
	staff := &cynllun.Relationship{
		ID: cynllun.NewID(cynllun.PrefixRelationship), UserID: user.ID, Kind: cynllun.RelStaffOf,
		OrgID: school.ID, StaffRole: "ALNCo", CreatedAt: tn.Add(time.Second), CreatedBy: "usr_admin",
	}
	ev := cynllun.AuditEvent{
		ID: cynllun.NewID(cynllun.PrefixAudit), At: tn.In(local), ActorID: user.ID, LearnerID: learner.ID,
		Part: "plan.version.content", PlanID: plan.ID, Version: 1, Action: "read", Reason: "ADVOCATE_FOR",
		OrgID: school.ID, RelationshipID: rel.ID,
	}

	for _, o := range []*cynllun.Organisation{la, school} {
		if err := testDB.CreateOrganisation(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	mustCreateLearners(t, learner)
	if err := testDB.CreatePlan(ctx, plan, v1); err != nil {
		t.Fatal(err)
	}
	if err := testDB.InsertVersion(ctx, v2); err != nil {
		t.Fatal(err)
	}
	if err := testDB.UpsertUser(ctx, user); err != nil {
		t.Fatal(err)
	}
	for _, r := range []*cynllun.Relationship{rel, staff} {
		if err := testDB.CreateRelationship(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := testDB.RecordAudit(ctx, []cynllun.AuditEvent{ev}); err != nil {
		t.Fatal(err)
	}

	// What each read must return: the input with times in UTC to the ms.
	wantLA, wantSchool := *la, *school
	wantLA.CreatedAt, wantSchool.CreatedAt = ms(la.CreatedAt), ms(school.CreatedAt)
	wantLearner := *learner
	wantLearner.CreatedAt, wantLearner.UpdatedAt = ms(learner.CreatedAt), ms(learner.UpdatedAt)
	wantPlan := *plan
	wantPlan.CreatedAt = ms(plan.CreatedAt)
	wantPlan.Latest, wantPlan.LatestFinal, wantPlan.LatestAt = 2, 2, ms(v2.CreatedAt) // v2 is FINAL
	wantV1, wantV2 := *v1, *v2
	wantV1.CreatedAt, wantV2.CreatedAt = ms(v1.CreatedAt), ms(v2.CreatedAt)
	wantUser := *user
	wantUser.CreatedAt = ms(user.CreatedAt)
	wantRel, wantStaff := *rel, *staff
	wantRel.CreatedAt, wantRel.EndsAt, wantRel.EndedAt = ms(rel.CreatedAt), ms(rel.EndsAt), ms(rel.EndedAt)
	wantStaff.CreatedAt = ms(staff.CreatedAt)
	wantEv := ev
	wantEv.At = ms(ev.At)

	tests := []struct {
		name string
		read func(context.Context) (any, error)
		want any
	}{
		{"OrganisationsByID", func(ctx context.Context) (any, error) {
			return testDB.OrganisationsByID(ctx, []string{la.ID})
		}, []*cynllun.Organisation{&wantLA}},
		{"ListOrganisations", func(ctx context.Context) (any, error) {
			return testDB.ListOrganisations(ctx, cynllun.OrgQuery{LAID: la.ID})
		}, []*cynllun.Organisation{&wantSchool}},
		{"LearnersByID", func(ctx context.Context) (any, error) {
			return testDB.LearnersByID(ctx, []string{learner.ID, learner.ID, "lrn_missing"})
		}, []*cynllun.Learner{&wantLearner}},
		{"ListLearners", func(ctx context.Context) (any, error) {
			return testDB.ListLearners(ctx, cynllun.LearnerQuery{Scope: cynllun.Scope{LAIDs: []string{la.ID}}})
		}, []*cynllun.Learner{&wantLearner}},
		{"PlansByID", func(ctx context.Context) (any, error) {
			return testDB.PlansByID(ctx, []string{plan.ID})
		}, []*cynllun.Plan{&wantPlan}},
		{"PlansByLearner", func(ctx context.Context) (any, error) {
			return testDB.PlansByLearner(ctx, []string{learner.ID})
		}, []*cynllun.Plan{&wantPlan}},
		{"VersionsByID v1", func(ctx context.Context) (any, error) {
			return testDB.VersionsByID(ctx, []string{v1.ID})
		}, []*cynllun.Version{&wantV1}},
		{"VersionsByID v2", func(ctx context.Context) (any, error) {
			return testDB.VersionsByID(ctx, []string{v2.ID})
		}, []*cynllun.Version{&wantV2}},
		{"UserByID", func(ctx context.Context) (any, error) {
			return testDB.UserByID(ctx, user.ID)
		}, &wantUser},
		{"RelationshipByID advocate", func(ctx context.Context) (any, error) {
			return testDB.RelationshipByID(ctx, rel.ID)
		}, &wantRel},
		{"RelationshipByID staff", func(ctx context.Context) (any, error) {
			return testDB.RelationshipByID(ctx, staff.ID)
		}, &wantStaff},
		{"RelationshipsForUser", func(ctx context.Context) (any, error) {
			return testDB.RelationshipsForUser(ctx, user.ID)
		}, []cynllun.Relationship{wantRel, wantStaff}},
		{"RelationshipsForLearner", func(ctx context.Context) (any, error) {
			return testDB.RelationshipsForLearner(ctx, learner.ID)
		}, []cynllun.Relationship{wantRel}},
		{"ListAudit", func(ctx context.Context) (any, error) {
			return testDB.ListAudit(ctx, cynllun.AuditQuery{LearnerID: learner.ID})
		}, []cynllun.AuditEvent{wantEv}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.read(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}

	// The stored document has the camelCase fields and the folded helpers.
	var raw bson.M
	if err := testDB.coll(collLearners).FindOne(ctx, bson.D{{Key: "_id", Value: learner.ID}}).Decode(&raw); err != nil {
		t.Fatal(err)
	}
	if raw["sortKey"] != "ap llyr\x00gwenllian" || raw["dateOfBirth"] != "2016-02-29" || raw["laId"] != la.ID {
		t.Errorf("stored learner = %v", raw)
	}
	if diff := cmp.Diff(bson.A{"ap llyr", "gwenllian", "gwen"}, raw["names"]); diff != "" {
		t.Errorf("stored names (-want +got):\n%s", diff)
	}
	// An unset case id is not stored.
	var rawStaff bson.M
	if err := testDB.coll(collRelationships).FindOne(ctx, bson.D{{Key: "_id", Value: staff.ID}}).Decode(&rawStaff); err != nil {
		t.Fatal(err)
	}
	if _, ok := rawStaff["caseId"]; ok {
		t.Errorf("stored staff relationship has a caseId: %v", rawStaff)
	}
}

// TestEmptySlices: empty slices are stored as absent and read back as nil.
func TestEmptySlices(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	planID := cynllun.NewID(cynllun.PrefixPlan)
	in := &cynllun.Content{
		Profile: cynllun.Profile{LikeAndAdmire: []cynllun.Statement{}, Media: []string{}},
		Needs:   []cynllun.NeedEntry{}, Provision: []cynllun.ProvisionRow{{ID: "r"}},
	}
	v := &cynllun.Version{PlanID: planID, LearnerID: "lrn_x", Number: 1, Content: in, CreatedAt: t0}
	if err := testDB.CreatePlan(ctx, &cynllun.Plan{ID: planID, LearnerID: "lrn_x", CreatedAt: t0}, v); err != nil {
		t.Fatal(err)
	}
	got, err := testDB.VersionsByID(ctx, []string{cynllun.VersionID(planID, 1)})
	if err != nil || len(got) != 1 {
		t.Fatalf("VersionsByID = %v, %v", got, err)
	}
	want := &cynllun.Content{Provision: []cynllun.ProvisionRow{{ID: "r"}}}
	if diff := cmp.Diff(want, got[0].Content); diff != "" {
		t.Errorf("content (-want +got):\n%s", diff)
	}
	// A zero time and zero dates stay zero.
	if !got[0].Content.Dates.StartDate.IsZero() || got[0].Content.Consent.ConsentGiven != nil {
		t.Errorf("zero values changed: %+v", got[0].Content)
	}
}
