// Package mongodb implements cynllun.Store on MongoDB with the official Go
// driver (v2). With no URI it starts an embedded FerretDB on SQLite in the
// same process, for development, demos and tests.
//
// The adapter keeps to what both MongoDB and FerretDB v1 support
// (stack-notes.md, design.md §3): no transactions, no $lookup/$unwind/$facet,
// no field-path expressions, no TTL or partial indexes, and concurrency only
// through plain inserts guarded by a unique _id or index.
//
// Access paths stay flat as data grows (issue 13): every request reaches
// its documents by _id equality, the one filter the embedded FerretDB
// answers without reading and decoding the whole collection; MongoDB runs
// the same code on its _id index. The design (deterministic ids, heads on
// the parent, lookup documents, write order without transactions, the
// in-process lock of the embedded mode, bounds of what is sorted in
// memory) is in lookup.go; plans.go, learners.go, users.go, revisions.go,
// deadlines.go, sessions.go, audit.go, notices.go and caseload.go (the
// cases and reviews of an LA, a setting or a learner) apply it; sorted.go
// keeps the lists that grow with an LA in buckets, walked either way;
// backfill.go builds the derived documents once for a database written
// before them, and schema.go its indexes once per schema version. One
// process owns an embedded data directory and runs FerretDB on it; every
// other process reaches that FerretDB through the driver (owner.go).
// Batch reads are concurrent _id reads on the embedded store and one
// `_id: {$in: ids}` find on MongoDB. Stored files keep the GridFS layout
// but are written and read by _id only (files.go), and on the embedded
// store an SQLite index makes every look-up by _id an index search
// (sqliteindex.go). The outbox (outbox.go) holds the follow-ups of writes
// until they are applied, and review conclusions' claims. The only reads
// not by _id are the notice scanner's bounded background batches
// (DueDeadlines, PendingNotices), the outbox relay's listing of what is
// pending (the collection holds nothing else), the backfills, and four
// filtered queries of a learner's erasure after an approved retention
// review (erase.go; retention.go keeps the reviews).
//
// What every request reads before it can decide anything — the user with
// their relationships, and learners — is kept in each process and checked
// against a generation token in Redis on every use (accesscache.go), so a
// request does not wait for the database to authenticate or to decide
// whether a plan may be read, and a change of access made on any instance
// is seen by the next request on every other. Organisations, which never
// change once created, are kept too. The embedded store runs SQLite with
// synchronous=normal by default (Config.EmbeddedSync says what that
// risks, and how to choose full).
//
// Documents are private structs with bson tags; conversion to and from the
// domain types happens in docs.go. Errors are *cynllun.Error values whose
// messages never carry children's data.
package mongodb

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	lru "github.com/hashicorp/golang-lru/v2"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/calendar"
)

// Collection names.
const (
	collLearners      = "learners"
	collOrganisations = "organisations"
	collPlans         = "plans"
	collVersions      = "versions"
	collUsers         = "users"
	collRelationships = "relationships"
	collAudit         = "audit"
	collJobs          = "jobs"
	collReviews       = "reviews" // review revisions
	collSessions      = "sessions"
	collEvents        = "events"
	collDeadlines     = "deadlines"
	collCalendars     = "calendars" // calendar revisions
	collNotices       = "notices"
	collDeliveries    = "deliveries"
	collEndpoints     = "webhookEndpoints"
	collCases         = "cases" // case revisions
	collCaseEvidence  = "caseEvidence"
	collBundles       = "bundles" // bundle versions
	collInvitations   = "invitations"
	// collLookups (lookup.go) holds the derived look-up documents.

	// bucketFiles is the GridFS bucket of stored files; the driver keeps
	// it in the two collections below.
	bucketFiles     = "files"
	collFilesFiles  = bucketFiles + ".files"
	collFilesChunks = bucketFiles + ".chunks"
)

// collections are every collection the adapter uses.
var collections = []string{
	collLearners, collOrganisations, collPlans, collVersions, collUsers, collRelationships,
	collAudit, collJobs, collReviews, collSessions, collEvents, collDeadlines, collCalendars,
	collNotices, collDeliveries, collEndpoints, collCases, collCaseEvidence, collBundles,
	collLookups, collReviewHeads, collCaseHeads, collFilesFiles, collFilesChunks, collIdempotency,
	collHandovers, collInvitations, collRetention, collOutbox,
}

// DefaultDatabase is the database used when Config.Database is empty.
const DefaultDatabase = "cynllun"

// Config says where the database is.
type Config struct {
	// URI of a MongoDB deployment. Empty: start an embedded FerretDB
	// (SQLite) in-process.
	URI string
	// Database name; default "cynllun".
	Database string
	// DataDir is the SQLite directory of the embedded FerretDB (created if
	// missing). Empty: a temporary directory that Close removes.
	DataDir string
	// EmbeddedSync says when the embedded database flushes its write-ahead
	// log to disk: "normal" (the default) at checkpoints, or "full" at
	// every commit. SQLite's "normal" in WAL mode loses nothing when the
	// process dies (a kill, a crash, an upgrade), since every commit is in
	// the operating system's hands before a write is acknowledged; only a
	// power cut or a kernel crash can undo the last commits, never corrupt
	// the file. "full" guards against those too, at about a millisecond
	// of fsync per write on the machines measured (every insert took three
	// times as long). MongoDB in production keeps its own journal.
	EmbeddedSync string
	// Monitor, optional, sees every command the driver sends (tests use it
	// to count round trips).
	Monitor *event.CommandMonitor
	// Generation, optional, is the token shared by every instance that
	// lets each keep an access cache (accesscache.go); nil: no cache.
	Generation Generation
	// Logger, optional. FerretDB always gets a quiet logger (only records
	// above ERROR pass), because at WARN it dumps every error reply.
	Logger *slog.Logger
	// Ownership says whether this process may own DataDir (start FerretDB
	// on it) or reaches it through the process that does (owner.go).
	// Ignored with a URI.
	Ownership Ownership
	// Command names this process in the owner record ("serve", "seed").
	Command string
	// OwnerWait bounds how long Open waits for the data directory's owner
	// to answer, or (OwnRequired) for its lock to be released; 0:
	// DefaultOwnerWait.
	OwnerWait time.Duration
}

// DB is the MongoDB implementation of cynllun.Store.
type DB struct {
	client   *mongo.Client
	db       *mongo.Database
	log      *slog.Logger
	embedded bool
	uri      string

	stopFerret context.CancelFunc // embedded only
	ferretDone chan struct{}      // closed when FerretDB's Run returns
	tempDir    string             // removed by Close
	sqliteDir  string             // embedded owner only: FerretDB's data directory
	dirLock    *os.File           // embedded owner only: the locked lock file (owner.go)
	ownerFile  string             // embedded owner only: the owner record, removed by Close

	closeOnce sync.Once
	closeErr  error

	// locks and docLocks serialise read-modify-writes in the embedded
	// mode: of a record, and of one document (lookup.go).
	locks, docLocks keyLocks

	// knownHours are the learners' hours and months of audit listed already
	// (audit.go).
	knownHours knownSet

	// cache is the access cache (accesscache.go), nil without a
	// Config.Generation.
	cache *accessCache
	// orgs are the organisations read (organisations.go).
	orgs *lru.Cache[string, *cynllun.Organisation]
}

var (
	_ cynllun.Store  = (*DB)(nil)
	_ calendar.Store = (*DB)(nil)
)

// Open connects (starting the embedded FerretDB first when cfg.URI is
// empty), pings, and creates the indexes (idempotently).
func Open(ctx context.Context, cfg Config) (_ *DB, err error) {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	name := cfg.Database
	if name == "" {
		name = DefaultDatabase
	}
	db := &DB{log: log, cache: newAccessCache(cfg.Generation)}
	db.orgs, _ = lru.New[string, *cynllun.Organisation](orgCacheSize)
	defer func() {
		if err != nil {
			_ = db.Close(context.WithoutCancel(ctx))
		}
	}()

	uri := cfg.URI
	if uri == "" {
		if uri, err = db.startEmbedded(ctx, cfg); err != nil {
			return nil, err
		}
	}

	db.uri = uri
	opts := options.Client().ApplyURI(uri).SetAppName("cynllun")
	if err := opts.Validate(); err != nil {
		// The URI may hold a password: do not echo it.
		return nil, errors.New("mongodb: invalid MONGODB_URI")
	}
	if !db.embedded {
		opts.SetWriteConcern(durableWriteConcern(opts.WriteConcern))
	}
	if cfg.Monitor != nil {
		opts.SetMonitor(cfg.Monitor)
	}
	db.client, err = mongo.Connect(opts)
	if err != nil {
		db.client = nil
		return nil, fmt.Errorf("mongodb: connect: %w", err)
	}
	db.db = db.client.Database(name)

	pingCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := db.Ping(pingCtx); err != nil {
		return nil, fmt.Errorf("mongodb: ping: %w", err)
	}
	if err := db.ensureSchema(ctx); err != nil {
		return nil, fmt.Errorf("mongodb: %w", err)
	}
	if db.sqliteDir != "" {
		// An optimisation (sqliteindex.go): without it every look-up by
		// _id scans its table in SQLite. Only the owner of the data
		// directory reaches its SQLite files.
		if err := db.indexEmbeddedIDs(ctx, name, collections...); err != nil {
			log.Warn("embedded _id index not created", "err", err)
		}
	}
	if err := db.runBackfills(ctx); err != nil {
		return nil, fmt.Errorf("mongodb: %w", err)
	}
	log.Debug("database open", "database", name, "embedded", db.embedded)
	return db, nil
}

// durableWriteConcern fills in what the URI leaves unset: w=majority and
// j=true (design.md §3). An explicit w=0 gets no journal requirement, which
// the driver would reject.
func durableWriteConcern(wc *writeconcern.WriteConcern) *writeconcern.WriteConcern {
	out := writeconcern.WriteConcern{}
	if wc != nil {
		out = *wc
	}
	if out.W == nil {
		out.W = writeconcern.WCMajority
	}
	if out.Journal == nil && out.W != 0 {
		j := true
		out.Journal = &j
	}
	return &out
}

// startEmbedded opens the embedded database in cfg.DataDir: it starts
// FerretDB there when this process owns the directory, or else reaches the
// FerretDB of the process that does (owner.go), and returns the URI.
func (db *DB) startEmbedded(ctx context.Context, cfg Config) (string, error) {
	dir := cfg.DataDir
	if dir == "" {
		tmp, err := os.MkdirTemp("", "cynllun-ferretdb-")
		if err != nil {
			return "", fmt.Errorf("mongodb: embedded data dir: %w", err)
		}
		db.tempDir, dir = tmp, tmp
	} else {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return "", fmt.Errorf("mongodb: embedded data dir: %w", err)
		}
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("mongodb: embedded data dir: %w", err)
	}
	return db.openDataDir(ctx, cfg, abs)
}

// startFerret starts FerretDB on SQLite in the directory abs, which this
// process owns, and returns its URI.
func (db *DB) startFerret(cfg Config, abs string) (string, error) {
	// FerretDB wants a file: URI naming an existing directory, with a
	// trailing slash; url.URL escapes spaces and other awkward characters.
	syncMode := cfg.EmbeddedSync
	switch syncMode {
	case "":
		syncMode = "normal"
	case "normal", "full":
	default:
		return "", fmt.Errorf("mongodb: embedded sync %q: want normal or full", syncMode)
	}
	q := url.Values{"_pragma": {"synchronous(" + syncMode + ")"}}
	sqliteURL := (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs) + "/", RawQuery: q.Encode()}).String()

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: "127.0.0.1:0"},
		Handler:   "sqlite",
		SQLiteURL: sqliteURL,
		Logger:    quietLogger(cfg.Logger),
	})
	if err != nil {
		return "", fmt.Errorf("mongodb: start embedded FerretDB: %w", err)
	}
	runCtx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = f.Run(runCtx)
	}()
	db.embedded = true
	db.sqliteDir = abs
	db.stopFerret = stop
	db.ferretDone = done
	return f.MongoDBURI(), nil
}

// quietLogger passes only records above ERROR to log's handler (or drops
// everything when log is nil).
func quietLogger(log *slog.Logger) *slog.Logger {
	if log == nil {
		return slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return slog.New(levelHandler{min: slog.LevelError + 1, Handler: log.Handler()})
}

type levelHandler struct {
	min slog.Level
	slog.Handler
}

func (h levelHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h levelHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return levelHandler{min: h.min, Handler: h.Handler.WithAttrs(attrs)}
}

func (h levelHandler) WithGroup(name string) slog.Handler {
	return levelHandler{min: h.min, Handler: h.Handler.WithGroup(name)}
}

// Close disconnects, stops the embedded FerretDB and removes its temporary
// directory. It is safe to call more than once.
func (db *DB) Close(ctx context.Context) error {
	db.closeOnce.Do(func() {
		var errs []error
		if db.client != nil {
			if err := db.client.Disconnect(ctx); err != nil {
				errs = append(errs, fmt.Errorf("mongodb: disconnect: %w", err))
			}
		}
		if db.stopFerret != nil {
			db.stopFerret()
			select {
			case <-db.ferretDone:
			case <-ctx.Done():
				errs = append(errs, fmt.Errorf("mongodb: stop embedded FerretDB: %w", ctx.Err()))
			}
		}
		if err := db.releaseDir(); err != nil {
			errs = append(errs, fmt.Errorf("mongodb: release data directory: %w", err))
		}
		if db.tempDir != "" {
			if err := os.RemoveAll(db.tempDir); err != nil {
				errs = append(errs, fmt.Errorf("mongodb: remove temp dir: %w", err))
			}
		}
		db.closeErr = errors.Join(errs...)
	})
	return db.closeErr
}

// Database returns the database, for adapters built on it (jobs, GridFS).
func (db *DB) Database() *mongo.Database { return db.db }

// URI is the connection string in use: the embedded FerretDB's loopback
// address when embedded (so a second process, such as a worker under test,
// can share it). It may hold credentials: never log it.
func (db *DB) URI() string { return db.uri }

// Embedded says whether the database is the in-process FerretDB.
func (db *DB) Embedded() bool { return db.embedded }

// Ping runs a ping command (readiness).
func (db *DB) Ping(ctx context.Context) error {
	if err := db.db.RunCommand(ctx, bson.D{{Key: "ping", Value: 1}}).Err(); err != nil {
		return cynllun.Internal("mongodb.Ping", err)
	}
	return nil
}

func (db *DB) coll(name string) *mongo.Collection { return db.db.Collection(name) }

// index is one index specification. Only options both MongoDB and FerretDB
// v1 implement are used: keys and unique (no partial, TTL or sparse).
type index struct {
	coll   string
	name   string
	keys   bson.D
	unique bool
}

var indexes = []index{
	// The concurrency guards: a lost race to save version n of a plan,
	// revision n of a review, calendar or case, or bundle n of a case is a
	// duplicate key. (Each is also the record's deterministic _id; the
	// unique index keeps the guard for records written before that.)
	{collVersions, "planId_number", bson.D{{Key: "planId", Value: 1}, {Key: "number", Value: 1}}, true},
	{collReviews, "reviewId_revision", bson.D{{Key: "reviewId", Value: 1}, {Key: "revision", Value: 1}}, true},
	{collCalendars, "orgId_revision", bson.D{{Key: "orgId", Value: 1}, {Key: "revision", Value: 1}}, true},
	{collCases, "caseId_revision", bson.D{{Key: "caseId", Value: 1}, {Key: "revision", Value: 1}}, true},
	{collBundles, "caseId_number", bson.D{{Key: "caseId", Value: 1}, {Key: "number", Value: 1}}, true},
	// A page of learners on MongoDB (learners.go); the embedded store
	// keeps sorted sets instead.
	{collLearners, "laId_sortKey_id", bson.D{{Key: "laId", Value: 1}, {Key: "sortKey", Value: 1}, {Key: "_id", Value: 1}}, false},
	{collLearners, "settingId_sortKey_id", bson.D{{Key: "settingId", Value: 1}, {Key: "sortKey", Value: 1}, {Key: "_id", Value: 1}}, false},
	// Deadline lists on MongoDB (deadlines.go).
	{collDeadlines, "orgId_dueKey_id", bson.D{{Key: "orgId", Value: 1}, {Key: "dueKey", Value: 1}, {Key: "_id", Value: 1}}, false},
	{collDeadlines, "laId_dueKey_id", bson.D{{Key: "laId", Value: 1}, {Key: "dueKey", Value: 1}, {Key: "_id", Value: 1}}, false},
	{collDeadlines, "settingId_dueKey_id", bson.D{{Key: "settingId", Value: 1}, {Key: "dueKey", Value: 1}, {Key: "_id", Value: 1}}, false},
	// The two background scans that are not by _id (the notice scanner's
	// due deadlines and pending notices), on MongoDB. Every request path
	// reads by _id (lookup.go), so no other index is needed; indexes made
	// by earlier versions are left as they are.
	{collDeadlines, "open_dueKey", bson.D{{Key: "open", Value: 1}, {Key: "dueKey", Value: 1}}, false},
	{collNotices, "status_updatedAt", bson.D{{Key: "status", Value: 1}, {Key: "updatedAt", Value: 1}}, false},
	// The GridFS indexes, with the keys and default names the driver's
	// first upload would give them, created here so that the driver finds
	// them (it compares keys only) and never creates indexes itself. The
	// adapter reads and writes chunks by _id (files.go); the unique
	// (files_id, n) is what other GridFS readers use, and it turns a chunk
	// the driver's bucket left under the same n into a duplicate key.
	{collFilesFiles, "filename_1_uploadDate_1", bson.D{{Key: "filename", Value: 1}, {Key: "uploadDate", Value: 1}}, false},
	{collFilesChunks, "files_id_1_n_1", bson.D{{Key: "files_id", Value: 1}, {Key: "n", Value: 1}}, true},
}
