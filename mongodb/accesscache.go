package mongodb

import (
	"context"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/cynllun/cynllun"
)

// The access cache keeps, in each process, what every request reads before
// it can decide anything: a user's document with the copies of their
// relationships (UserAccess, once per request to authenticate) and learners
// (LearnersByID, to decide who may read a plan or a record). Without it a
// plan read makes three database round trips in a row before it reaches the
// plan's content; with it, one look-up in Redis each.
//
// Every instance shares a Generation, a token in Redis. Entries are filled
// only under the generation read before the database was, and used only
// while the token is still that generation, so the cache is checked on
// every call (one GET, a fraction of a database round trip). A write that
// changes who may see what — UpsertUser, CreateRelationship,
// EndRelationship, UpdateLearner — changes the token before it writes (and
// is refused, changing nothing, when it cannot) and again after: a reader
// that read the database between the two sees the second change. So a
// grant or a revocation takes effect on the next request on every
// instance. Two things bound what could still go stale:
//   - a process that dies between its write and the second change leaves
//     entries read in that window: each entry is used for at most
//     accessCacheTTL after it was read;
//   - when Redis cannot be read, nothing is taken from the cache, and what
//     it held is dropped, so an outage cannot hide a change made meanwhile.
//
// Without a Generation (Config.Generation nil) there is no cache: the
// mongodb package's tests and single-shot commands read the database.

// Generation is the token every instance checks its cache against.
type Generation interface {
	// Current returns the token (creating one when there is none).
	Current(ctx context.Context) (string, error)
	// Bump replaces the token with a new one.
	Bump(ctx context.Context) error
}

const (
	// accessCacheTTL bounds how long an entry is used (see above).
	accessCacheTTL = time.Minute
	// accessCacheUsers and accessCacheLearners bound the entries kept: the
	// least recently used go first.
	accessCacheUsers    = 20_000
	accessCacheLearners = 50_000
)

type cachedAccess struct {
	user *cynllun.User
	rels []cynllun.Relationship
	at   time.Time
}

type cachedLearner struct {
	l  *cynllun.Learner
	at time.Time
}

// accessCache is the cache of one DB.
type accessCache struct {
	gen Generation

	mu       sync.Mutex
	token    string // the generation the entries belong to
	users    *lru.Cache[string, cachedAccess]
	learners *lru.Cache[string, cachedLearner]
}

func newAccessCache(gen Generation) *accessCache {
	if gen == nil {
		return nil
	}
	users, _ := lru.New[string, cachedAccess](accessCacheUsers)
	learners, _ := lru.New[string, cachedLearner](accessCacheLearners)
	return &accessCache{gen: gen, users: users, learners: learners}
}

// check reads the generation and returns it, dropping every entry when it
// has changed; "" (and an empty cache) when it cannot be read.
func (c *accessCache) check(ctx context.Context) string {
	token, err := c.gen.Current(ctx)
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil || token != c.token {
		c.users.Purge()
		c.learners.Purge()
		c.token = token
		if err != nil {
			c.token = ""
		}
	}
	return c.token
}

// fresh says whether an entry read at at under token may be used now.
func (c *accessCache) fresh(token string, at time.Time) bool {
	return token != "" && time.Since(at) < accessCacheTTL
}

// current says whether token is still the generation entries are filled
// under (the caller read the database after reading token).
func (c *accessCache) current(token string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return token != "" && token == c.token
}

// changing is called before and after a write that changes access: it
// drops this instance's entries and changes the generation. Before the
// write an error refuses it; after, the error is only logged by the
// caller, since the write is stored (the entries' TTL bounds the rest).
func (c *accessCache) changing(ctx context.Context) error {
	c.mu.Lock()
	c.users.Purge()
	c.learners.Purge()
	c.token = ""
	c.mu.Unlock()
	return c.gen.Bump(ctx)
}

// beforeAccessChange changes the generation before a write that changes
// access, or refuses the write (INTERNAL, nothing changed) when it cannot.
func (db *DB) beforeAccessChange(ctx context.Context, op string) error {
	if db.cache == nil {
		return nil
	}
	if err := db.cache.changing(ctx); err != nil {
		db.log.WarnContext(ctx, "access change refused: the cache generation cannot be changed", "op", op, "error", err)
		return cynllun.E(cynllun.CodeInternal, op, "the change cannot be made now (nothing was changed); try again shortly")
	}
	return nil
}

// afterAccessChange changes the generation after such a write.
func (db *DB) afterAccessChange(ctx context.Context, op string) {
	if db.cache == nil {
		return
	}
	if err := db.cache.changing(context.WithoutCancel(ctx)); err != nil {
		db.log.WarnContext(ctx, "the cache generation could not be changed after a write; other instances may keep the old access for up to a minute", "op", op, "error", err)
	}
}

// userAccess returns the user's cached access, if fresh, and the
// generation to fill it under otherwise.
func (c *accessCache) userAccess(ctx context.Context, id string) (*cynllun.User, []cynllun.Relationship, bool, string) {
	token := c.check(ctx)
	if e, ok := c.users.Get(id); ok && c.fresh(token, e.at) {
		u := *e.user
		return &u, append([]cynllun.Relationship(nil), e.rels...), true, token
	}
	return nil, nil, false, token
}

func (c *accessCache) putUserAccess(token string, u *cynllun.User, rels []cynllun.Relationship, at time.Time) {
	if !c.current(token) {
		return
	}
	cu := *u
	c.users.Add(u.ID, cachedAccess{user: &cu, rels: append([]cynllun.Relationship(nil), rels...), at: at})
}

// cachedLearners returns copies of the fresh cached learners among ids, the
// ids to read, and the generation to fill them under.
func (c *accessCache) cachedLearners(ctx context.Context, ids []string) ([]*cynllun.Learner, []string, string) {
	token := c.check(ctx)
	var hit []*cynllun.Learner
	var miss []string
	for _, id := range ids {
		if e, ok := c.learners.Get(id); ok && c.fresh(token, e.at) {
			l := *e.l
			hit = append(hit, &l)
		} else {
			miss = append(miss, id)
		}
	}
	return hit, miss, token
}

func (c *accessCache) putLearners(token string, ls []*cynllun.Learner, at time.Time) {
	if !c.current(token) {
		return
	}
	for _, l := range ls {
		cl := *l
		c.learners.Add(l.ID, cachedLearner{l: &cl, at: at})
	}
}
