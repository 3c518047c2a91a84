package mongodb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"golang.org/x/sys/unix"
)

// One owner per embedded data directory (issue 19). FerretDB keeps the
// metadata of its SQLite files (collections, indexes) in each process, so
// two processes that each start FerretDB on one directory corrupt each
// other's view of it. The first process to open a directory therefore
// takes an exclusive flock(2) on lockFileName in it, which the kernel
// releases when the process ends however it ends (a crash never leaves a
// stale lock), starts FerretDB on a loopback port chosen at start, and
// records that address in ownerFileName (written to a temporary file and
// renamed, so a reader sees the old record or the new, never half). Every
// other process finds the lock held and connects to that address through
// the driver as a client, so there is one FerretDB per directory.
//
// Which process may own it is the Ownership of its command: the API (and
// dev mode) must own it, as it runs for as long as the data is served; the
// worker is always a client of such a lasting owner; `seed` owns the
// directory when no one else has it and is a client otherwise.

// Ownership says whether a process opening an embedded data directory
// owns it (starts FerretDB on it) or reaches it through its owner.
type Ownership int

const (
	// OwnIfFree owns the directory when no process does, and is otherwise
	// a client of whichever process does (seed, tools, tests).
	OwnIfFree Ownership = iota
	// OwnRequired must own the directory: when another process holds it,
	// Open waits up to Config.OwnerWait for it to be released (a seed that
	// is finishing) and then refuses, naming the holder (serve, dev).
	OwnRequired
	// OwnNever is always a client, of a process that owns the directory
	// with OwnRequired (the worker): it waits up to Config.OwnerWait for
	// one to answer.
	OwnNever
)

const (
	// lockFileName is the file locked by the owner of a data directory.
	lockFileName = "cynllun.lock"
	// ownerFileName records the owner and the address of its FerretDB.
	ownerFileName = "cynllun-owner.json"
	// DefaultOwnerWait is how long Open waits for an owner by default.
	DefaultOwnerWait = 30 * time.Second
	// ownerRetry is the pause between attempts.
	ownerRetry = 100 * time.Millisecond
)

// ownerRecord is the content of ownerFileName.
type ownerRecord struct {
	PID     int       `json:"pid"`
	Started time.Time `json:"started"`
	Command string    `json:"command,omitempty"`
	// URI of the owner's FerretDB wire listener (loopback, no credentials).
	URI string `json:"uri"`
	// Lasting says the owner runs until stopped (OwnRequired), so a
	// worker may rely on it.
	Lasting bool `json:"lasting"`
}

func (r ownerRecord) describe() string {
	s := fmt.Sprintf("process %d (started %s", r.PID, r.Started.Local().Format(time.RFC3339))
	if r.Command != "" {
		s += ", cynllun " + r.Command
	}
	return s + ")"
}

// tryLockDir takes the exclusive lock of dir without waiting: the open
// lock file when it is ours, nil when another process holds it.
func tryLockDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, lockFileName), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("mongodb: lock data directory %s: %w", dir, err)
	}
	for {
		err = unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		if !errors.Is(err, unix.EINTR) {
			break
		}
	}
	if err == nil {
		return f, nil
	}
	_ = f.Close()
	if errors.Is(err, unix.EWOULDBLOCK) {
		return nil, nil
	}
	return nil, fmt.Errorf("mongodb: lock data directory %s: %w", dir, err)
}

// writeOwner records r in dir atomically (temporary file, fsync, rename).
func writeOwner(dir string, r ownerRecord) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ownerFileName+".*.tmp")
	if err != nil {
		return err
	}
	defer func() { _ = os.Remove(tmp.Name()) }()
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), filepath.Join(dir, ownerFileName))
}

// readOwner reads the owner record of dir; ok is false when there is none
// (no owner yet, or one that is still starting).
func readOwner(dir string) (r ownerRecord, ok bool) {
	b, err := os.ReadFile(filepath.Join(dir, ownerFileName))
	if err != nil || json.Unmarshal(b, &r) != nil || r.URI == "" {
		return ownerRecord{}, false
	}
	return r, true
}

// answers says whether a FerretDB answers a ping at uri within a second.
func answers(ctx context.Context, uri string) bool {
	c, err := mongo.Connect(options.Client().ApplyURI(uri).SetServerSelectionTimeout(time.Second).SetConnectTimeout(time.Second))
	if err != nil {
		return false
	}
	defer func() { _ = c.Disconnect(context.WithoutCancel(ctx)) }()
	pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	return c.Database("admin").RunCommand(pctx, bson.D{{Key: "ping", Value: 1}}).Err() == nil
}

// openDataDir makes this process the owner of dir (starting FerretDB on it)
// or a client of its owner, as cfg.Ownership says, and returns the URI to
// connect to.
func (db *DB) openDataDir(ctx context.Context, cfg Config, dir string) (string, error) {
	wait := cfg.OwnerWait
	if wait <= 0 {
		wait = DefaultOwnerWait
	}
	deadline := time.Now().Add(wait)
	for {
		if cfg.Ownership != OwnNever {
			f, err := tryLockDir(dir)
			if err != nil {
				return "", err
			}
			if f != nil {
				return db.own(cfg, dir, f)
			}
		}
		r, known := readOwner(dir)
		if cfg.Ownership != OwnRequired && known && (r.Lasting || cfg.Ownership == OwnIfFree) && answers(ctx, r.URI) {
			db.embedded = true
			db.log.InfoContext(ctx, "embedded database: reaching it through the process that owns its data directory",
				"dir", dir, "owner_pid", r.PID, "owner_command", r.Command)
			return r.URI, nil
		}
		if time.Now().After(deadline) {
			return "", ownerRefusal(cfg, dir, wait, r, known)
		}
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("mongodb: waiting for data directory %s: %w", dir, ctx.Err())
		case <-time.After(ownerRetry):
		}
	}
}

// ownerRefusal is the error of a process that could neither own dir nor
// reach its owner within wait.
func ownerRefusal(cfg Config, dir string, wait time.Duration, r ownerRecord, known bool) error {
	holder := "another process"
	if known {
		holder = r.describe()
	}
	switch {
	case cfg.Ownership == OwnRequired:
		return fmt.Errorf("data directory %s is in use by %s: stop that process first (waited %v); "+
			"only one API or dev process may own an embedded data directory, and the worker and seed reach it through that process (backup reads its files beside it)", dir, holder, wait)
	case cfg.Ownership == OwnNever && (!known || !r.Lasting):
		return fmt.Errorf("no running `cynllun serve` owns data directory %s (waited %v): start it first on the same CYNLLUN_DATA_DIR "+
			"(in the embedded mode the worker reaches the database through the API process), or set MONGODB_URI", dir, wait)
	default:
		return fmt.Errorf("data directory %s is in use by %s, but its database does not answer (waited %v): "+
			"check that process, or stop it and start again", dir, holder, wait)
	}
}

// own starts FerretDB on dir, whose lock this process holds in lock, and
// records the address for the clients.
func (db *DB) own(cfg Config, dir string, lock *os.File) (string, error) {
	db.dirLock = lock
	// A record left by an owner that died names an address nobody serves.
	if err := os.Remove(filepath.Join(dir, ownerFileName)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("mongodb: data directory %s: %w", dir, err)
	}
	removeBackupLeftovers(dir) // personal data a killed backup or restore left (backup.go)
	uri, err := db.startFerret(cfg, dir)
	if err != nil {
		return "", err
	}
	rec := ownerRecord{PID: os.Getpid(), Started: time.Now().UTC().Truncate(time.Second), Command: cfg.Command, URI: uri, Lasting: cfg.Ownership == OwnRequired}
	if err := writeOwner(dir, rec); err != nil {
		return "", fmt.Errorf("mongodb: record the owner of data directory %s: %w", dir, err)
	}
	db.ownerFile = filepath.Join(dir, ownerFileName)
	return uri, nil
}

// releaseDir removes the owner record and releases the lock (Close, after
// FerretDB has stopped).
func (db *DB) releaseDir() error {
	if db.dirLock == nil {
		return nil
	}
	var err error
	if db.ownerFile != "" {
		if e := os.Remove(db.ownerFile); e != nil && !errors.Is(e, os.ErrNotExist) {
			err = e
		}
	}
	if e := db.dirLock.Close(); e != nil && err == nil {
		err = e
	}
	db.dirLock = nil
	return err
}
