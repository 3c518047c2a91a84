package mongodb

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/generation"
	"github.com/cynllun/cynllun/internal/redistest"
)

// cachedInstance opens another instance on the test database with an
// access cache on gen, counting its commands like testDB's.
func cachedInstance(t *testing.T, gen Generation) *DB {
	t.Helper()
	db, err := Open(t.Context(), Config{URI: testDB.URI(), Database: testDB.Database().Name(), Monitor: testCfg.Monitor, Generation: gen})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close(context.Background()) })
	return db
}

// TestAccessCacheAcrossInstances: with the access cache, a user's access
// and a learner are read from the database once and then from memory; a
// grant, its end, a user's new details and a learner's move made through
// one instance are what every other instance reads next, with no wait.
func TestAccessCacheAcrossInstances(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	rdb := redis.NewClient(&redis.Options{Addr: redisAddr(t)})
	t.Cleanup(func() { _ = rdb.Close() })
	gen := generation.New(rdb, cynllun.NewID("test"), "access")
	a, b := cachedInstance(t, gen), cachedInstance(t, gen)

	u := &cynllun.User{ID: cynllun.NewID(cynllun.PrefixUser), Name: "Elin", CreatedAt: t0}
	if err := b.UpsertUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	l := newLearner("org_la", "org_school", "Siôn", "Jones")
	mustCreateLearners(t, l)

	access := func(db *DB) []cynllun.Relationship {
		t.Helper()
		_, rels, err := db.UserAccess(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		return rels
	}
	if rels := access(a); len(rels) != 0 {
		t.Fatalf("before the grant: %+v", rels)
	}
	// Read again: from memory, no command.
	if cmds := commands(t, func(ctx context.Context) { _, _, _ = a.UserAccess(ctx, u.ID) }); len(cmds) != 0 {
		t.Errorf("a cached UserAccess sent %v", cmds)
	}

	rel := &cynllun.Relationship{ID: cynllun.NewID(cynllun.PrefixRelationship), UserID: u.ID, Kind: cynllun.RelParentOf,
		LearnerID: l.ID, CreatedAt: t0, CreatedBy: "usr_admin"}
	if err := b.CreateRelationship(ctx, rel); err != nil {
		t.Fatal(err)
	}
	if rels := access(a); len(rels) != 1 || rels[0].ID != rel.ID || !rels[0].EndedAt.IsZero() {
		t.Fatalf("instance a after b's grant: %+v", rels)
	}
	end := t0.Add(time.Hour)
	if err := b.EndRelationship(ctx, rel.ID, end); err != nil {
		t.Fatal(err)
	}
	if rels := access(a); len(rels) != 1 || !rels[0].EndedAt.Equal(end) {
		t.Fatalf("instance a after b's end of the grant: %+v", rels)
	}
	u.Admin = true
	if err := b.UpsertUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if got, _, err := a.UserAccess(ctx, u.ID); err != nil || !got.Admin {
		t.Fatalf("instance a after b made the user an administrator: %+v, %v", got, err)
	}

	// Learners: cached, then moved by the other instance.
	learner := func(db *DB) *cynllun.Learner {
		t.Helper()
		ls, err := db.LearnersByID(ctx, []string{l.ID})
		if err != nil || len(ls) != 1 {
			t.Fatalf("LearnersByID = %v, %v", ls, err)
		}
		return ls[0]
	}
	learner(a)
	if cmds := commands(t, func(ctx context.Context) { _, _ = a.LearnersByID(ctx, []string{l.ID}) }); len(cmds) != 0 {
		t.Errorf("a cached LearnersByID sent %v", cmds)
	}
	// What a caller does to what it was given does not reach the cache.
	learner(a).SettingID = "org_elsewhere"
	if got := learner(a); got.SettingID != "org_school" {
		t.Fatalf("the cache kept a caller's change: %+v", got)
	}
	moved := *l
	moved.SettingID = "org_other_school"
	if err := b.UpdateLearner(ctx, &moved); err != nil {
		t.Fatal(err)
	}
	if got := learner(a); got.SettingID != "org_other_school" {
		t.Fatalf("instance a after b moved the learner: setting %q", got.SettingID)
	}
}

// TestAccessCacheWithoutRedis: when the generation cannot be read, reads
// go to the database (nothing is taken from memory), and a write that
// changes access is refused, changing nothing.
func TestAccessCacheWithoutRedis(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	gen := &flakyGeneration{}
	db := cachedInstance(t, gen)
	u := &cynllun.User{ID: cynllun.NewID(cynllun.PrefixUser), Name: "Elin", CreatedAt: t0}
	if err := db.UpsertUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.UserAccess(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	gen.setDown(true)
	cmds := commands(t, func(ctx context.Context) {
		if _, _, err := db.UserAccess(ctx, u.ID); err != nil {
			t.Error(err)
		}
	})
	if len(cmds) != 1 {
		t.Errorf("UserAccess with Redis down sent %v, want one read of the database", cmds)
	}
	rel := &cynllun.Relationship{ID: cynllun.NewID(cynllun.PrefixRelationship), UserID: u.ID, Kind: cynllun.RelParentOf,
		LearnerID: cynllun.NewID(cynllun.PrefixLearner), CreatedAt: t0, CreatedBy: "usr_admin"}
	if err := db.CreateRelationship(ctx, rel); err == nil {
		t.Fatal("a grant was made while the cache generation could not be changed")
	}
	if _, err := testDB.RelationshipByID(ctx, rel.ID); cynllun.ErrorCode(err) != cynllun.CodeNotFound {
		t.Fatalf("the refused grant was stored: %v", err)
	}
	// Redis back with the same token: the entries held before the outage
	// were dropped, so a change made meanwhile (here by an instance that
	// does not change the generation) is read.
	gen.setDown(false)
	if err := testDB.CreateRelationship(ctx, rel); err != nil {
		t.Fatal(err)
	}
	if _, rels, err := db.UserAccess(ctx, u.ID); err != nil || len(rels) != 1 {
		t.Fatalf("after the outage: %+v, %v", rels, err)
	}
}

// flakyGeneration is a Generation that can be made to fail.
type flakyGeneration struct {
	mu    sync.Mutex
	down  bool
	token int
}

var errDown = errors.New("redis is down")

func (g *flakyGeneration) setDown(down bool) { g.mu.Lock(); g.down = down; g.mu.Unlock() }

func (g *flakyGeneration) Current(context.Context) (string, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.down {
		return "", errDown
	}
	return string(rune('a' + g.token%26)), nil
}

func (g *flakyGeneration) Bump(context.Context) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.down {
		return errDown
	}
	g.token++
	return nil
}

// redisAddr is the address of a Redis server for the test.
func redisAddr(t *testing.T) string {
	t.Helper()
	opts, err := redis.ParseURL(redistest.Start(t))
	if err != nil {
		t.Fatal(err)
	}
	return opts.Addr
}
