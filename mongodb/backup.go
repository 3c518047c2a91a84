package mongodb

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Backups of the embedded data directory (issue 19).
//
// The embedded FerretDB keeps each database in one SQLite file,
// <dir>/<database>.sqlite, in WAL mode: every collection, its indexes,
// FerretDB's own catalogue of them, and the stored files (GridFS chunks,
// files.go) are tables of that one file. A backup is therefore a copy of
// each such file taken with SQLite's VACUUM INTO, which reads the source
// inside one read transaction: the copy is the database exactly as it was
// at one commit, across every collection and file, while the owner goes on
// writing (WAL lets one writer and any number of readers, in any process,
// work at once; the reader sees the snapshot it started with). A backup
// needs nothing from the owning process and takes no lock it would wait
// for: it opens the file beside the owner, as sqliteindex.go does in the
// owner itself.
//
// A point-in-time copy is what a crash at that instant would leave on disk,
// and every write path already keeps the store consistent across a crash
// (lookup.go: write order without transactions, repaired heads, backfills);
// so a restored copy opens as a database after a crash would. A logical
// dump through the wire protocol would not be a snapshot: each collection
// would be read at a different time.
//
// The archive is a gzip'd tar holding manifest.json first (format, when,
// the schema version recorded in each database, sizes and SHA-256 of every
// file) and then the database files. It holds children's data, so it is
// written with mode 0600 and never to a shared temporary directory; the
// snapshots it is made from live in a private directory under the data
// directory (0700), removed when the backup ends however it ends.

// BackupFormat is the version of the archive layout this binary writes and
// the newest it restores.
const BackupFormat = 1

// backupKind names the archive in its manifest.
const backupKind = "cynllun-embedded-backup"

// manifestName is the first entry of an archive.
const manifestName = "manifest.json"

// backupTmpDir is the private directory under the data directory where a
// backup's snapshots are made (each backup in a directory of its own,
// locked while it runs).
const backupTmpDir = "backup-tmp"

// sqliteExt is the extension FerretDB gives a database file; it opens
// every *.sqlite file directly in the data directory.
const sqliteExt = ".sqlite"

// BackupManifest describes an archive.
type BackupManifest struct {
	Kind      string    `json:"kind"`
	Format    int       `json:"format"`
	CreatedAt time.Time `json:"createdAt"`
	// BinarySchemaVersion is the schema version of the binary that made
	// the backup (schema.go).
	BinarySchemaVersion int `json:"binarySchemaVersion"`
	// Engine is what wrote the files.
	Engine string       `json:"engine"`
	Files  []BackupFile `json:"files"`
}

// BackupFile is one database file in an archive.
type BackupFile struct {
	// Name is the file's name in the data directory (<database>.sqlite).
	Name string `json:"name"`
	// Database is the MongoDB database name it holds.
	Database string `json:"database"`
	// SchemaVersion is the version recorded in it (0: none, such as a
	// database the service does not use).
	SchemaVersion int    `json:"schemaVersion"`
	Size          int64  `json:"size"`
	SHA256        string `json:"sha256"`
}

// SchemaVersion is the schema version of this binary's collections and
// indexes (schema.go).
func SchemaVersion() int { return schemaVersion }

// validBackupName says whether name may be a database file of an archive:
// a plain <database>.sqlite name, nothing that leaves the directory.
func validBackupName(name string) bool {
	db := strings.TrimSuffix(name, sqliteExt)
	return db != name && db != "" && filepath.Base(name) == name && !strings.ContainsAny(name, `/\`) &&
		!strings.HasPrefix(name, ".")
}

// Backup writes a consistent snapshot of the embedded data directory dir
// to out, as a gzip'd tar, while the service may be running on it, and
// returns its manifest. It changes nothing in the databases.
func Backup(ctx context.Context, dir string, out io.Writer, now time.Time) (BackupManifest, error) {
	m := BackupManifest{Kind: backupKind, Format: BackupFormat, CreatedAt: now.UTC().Truncate(time.Second),
		BinarySchemaVersion: schemaVersion, Engine: "FerretDB v1.24 (SQLite)"}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return m, fmt.Errorf("backup: data directory: %w", err)
	}
	names, err := databaseFiles(abs)
	if err != nil {
		return m, fmt.Errorf("backup: data directory %s: %w", abs, err)
	}
	if len(names) == 0 {
		return m, fmt.Errorf("backup: data directory %s holds no embedded database (no *%s file)", abs, sqliteExt)
	}
	work, release, err := backupWorkDir(abs)
	if err != nil {
		return m, fmt.Errorf("backup: %w", err)
	}
	defer release()

	for _, name := range names {
		snap := filepath.Join(work, name)
		if err := snapshotSQLite(ctx, filepath.Join(abs, name), snap); err != nil {
			return m, fmt.Errorf("backup: snapshot %s: %w", name, err)
		}
		f := BackupFile{Name: name, Database: strings.TrimSuffix(name, sqliteExt)}
		if f.SchemaVersion, err = recordedSchemaVersion(ctx, snap); err != nil {
			return m, fmt.Errorf("backup: read %s: %w", name, err)
		}
		if f.Size, f.SHA256, err = hashFile(snap); err != nil {
			return m, fmt.Errorf("backup: %w", err)
		}
		m.Files = append(m.Files, f)
	}

	gz := gzip.NewWriter(out)
	tw := tar.NewWriter(gz)
	mb, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return m, err
	}
	mb = append(mb, '\n')
	hdr := &tar.Header{Name: manifestName, Mode: 0o600, Size: int64(len(mb)), ModTime: m.CreatedAt, Typeflag: tar.TypeReg}
	if err := tw.WriteHeader(hdr); err != nil {
		return m, fmt.Errorf("backup: write: %w", err)
	}
	if _, err := tw.Write(mb); err != nil {
		return m, fmt.Errorf("backup: write: %w", err)
	}
	for _, f := range m.Files {
		if err := addTarFile(tw, filepath.Join(work, f.Name), f, m.CreatedAt); err != nil {
			return m, fmt.Errorf("backup: write: %w", err)
		}
	}
	if err := tw.Close(); err != nil {
		return m, fmt.Errorf("backup: write: %w", err)
	}
	if err := gz.Close(); err != nil {
		return m, fmt.Errorf("backup: write: %w", err)
	}
	return m, nil
}

// databaseFiles lists the database files of the data directory dir.
func databaseFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() && validBackupName(e.Name()) {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	return names, nil
}

// backupWorkDir makes this backup's private directory under
// <dir>/backup-tmp, locked while the backup runs, after removing what
// backups that died left there (directories nobody holds the lock of).
// release removes it.
func backupWorkDir(dir string) (work string, release func(), err error) {
	parent := filepath.Join(dir, backupTmpDir)
	if err := os.MkdirAll(parent, 0o700); err != nil {
		return "", nil, err
	}
	if err := os.Chmod(parent, 0o700); err != nil {
		return "", nil, err
	}
	removeDeadBackups(parent)
	work, err = os.MkdirTemp(parent, "run-")
	if err != nil {
		return "", nil, err
	}
	lock, err := tryLockDir(work)
	if err != nil || lock == nil {
		_ = os.RemoveAll(work)
		return "", nil, fmt.Errorf("lock %s: %v", work, err)
	}
	return work, func() {
		_ = os.RemoveAll(work)
		_ = lock.Close()
		_ = os.Remove(parent) // when no other backup is running
	}, nil
}

// removeDeadBackups removes the directories under parent (backup-tmp)
// of backups that died (nobody holds their lock): each holds a snapshot.
func removeDeadBackups(parent string) {
	entries, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	for _, e := range entries {
		p := filepath.Join(parent, e.Name())
		if !e.IsDir() {
			continue
		}
		if l, err := tryLockDir(p); err == nil && l != nil {
			_ = os.RemoveAll(p)
			_ = l.Close()
		}
	}
}

// removeBackupLeftovers removes what a backup or a restore killed part
// way left in the data directory dir, whose lock the caller holds (so no
// restore is running): the snapshots of dead backups and the unpacked
// files of a restore. The owner calls it at start.
func removeBackupLeftovers(dir string) {
	parent := filepath.Join(dir, backupTmpDir)
	removeDeadBackups(parent)
	_ = os.Remove(parent) // when empty
	stale, _ := filepath.Glob(filepath.Join(dir, ".restore-*"))
	for _, p := range stale {
		_ = os.RemoveAll(p)
	}
}

// openSQLite opens the SQLite file path (which must exist) with one
// connection; the caller closes it.
func openSQLite(path string) (*sql.DB, error) {
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(path), RawQuery: "mode=rw&_pragma=busy_timeout(10000)"}
	s, err := sql.Open("sqlite", u.String())
	if err != nil {
		return nil, err
	}
	s.SetMaxOpenConns(1)
	return s, nil
}

// snapshotSQLite copies the database src, as of one commit, into the new
// file dst with VACUUM INTO (one read transaction on src; writers beside
// it go on).
func snapshotSQLite(ctx context.Context, src, dst string) error {
	if _, err := os.Stat(src); err != nil {
		return err
	}
	s, err := openSQLite(src)
	if err != nil {
		return err
	}
	defer func() { _ = s.Close() }()
	if _, err := s.ExecContext(ctx, "VACUUM INTO ?", dst); err != nil {
		return err
	}
	return os.Chmod(dst, 0o600)
}

// recordedSchemaVersion reads the schema version recorded in the database
// file path (schema.go), from FerretDB's tables: the catalogue
// _ferretdb_collections names the table of the lookups collection, whose
// JSON rows hold the schema document. 0: none recorded.
func recordedSchemaVersion(ctx context.Context, path string) (int, error) {
	s, err := openSQLite(path)
	if err != nil {
		return 0, err
	}
	defer func() { _ = s.Close() }()
	var table string
	err = s.QueryRowContext(ctx, `SELECT table_name FROM _ferretdb_collections WHERE name = ?`, collLookups).Scan(&table)
	if errors.Is(err, sql.ErrNoRows) || isNoSuchTable(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	var v sql.NullInt64
	q := fmt.Sprintf(`SELECT _ferretdb_sjson->>'$.version' FROM %q WHERE %s = ?`, table, ferretIDExpr)
	id, err := json.Marshal(schemaID) // FerretDB compares the JSON of the _id
	if err != nil {
		return 0, err
	}
	err = s.QueryRowContext(ctx, q, string(id)).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return int(v.Int64), nil
}

func isNoSuchTable(err error) bool {
	return err != nil && strings.Contains(err.Error(), "no such table")
}

// hashFile returns the size and hex SHA-256 of the file path.
func hashFile(path string) (int64, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, "", err
	}
	defer func() { _ = f.Close() }()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return 0, "", err
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}

// addTarFile writes the file path to tw as f.Name, checking that it is
// still what the manifest says.
func addTarFile(tw *tar.Writer, path string, f BackupFile, mod time.Time) error {
	r, err := os.Open(path)
	if err != nil {
		return err
	}
	defer func() { _ = r.Close() }()
	if err := tw.WriteHeader(&tar.Header{Name: f.Name, Mode: 0o600, Size: f.Size, ModTime: mod, Typeflag: tar.TypeReg}); err != nil {
		return err
	}
	_, err = io.Copy(tw, r)
	return err
}

// RestoreError is a refusal of Restore that changed nothing: the archive
// is corrupt or of an unknown format, or the data directory is in use or
// not empty.
type RestoreError struct{ msg string }

func (e *RestoreError) Error() string { return e.msg }

func refuse(format string, args ...any) error {
	return &RestoreError{msg: fmt.Sprintf(format, args...)}
}

// Restore unpacks the archive r into the embedded data directory dir
// (created if missing), which no process may be using and which must hold
// no database; it checks every file against the manifest's SHA-256 and
// SQLite's integrity check before anything is put in place, and returns
// the manifest. The service then starts on dir as usual.
func Restore(ctx context.Context, r io.Reader, dir string) (_ BackupManifest, err error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return BackupManifest{}, fmt.Errorf("restore: data directory: %w", err)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return BackupManifest{}, fmt.Errorf("restore: data directory: %w", err)
	}
	// Hold the directory's lock while restoring: a serve started meanwhile
	// waits, and one running already makes this refuse.
	lock, err := tryLockDir(abs)
	if err != nil {
		return BackupManifest{}, fmt.Errorf("restore: %w", err)
	}
	if lock == nil {
		holder := "another process"
		if rec, ok := readOwner(abs); ok {
			holder = rec.describe()
		}
		return BackupManifest{}, refuse("restore: data directory %s is in use by %s: stop it (and every cynllun process using the directory) before restoring", abs, holder)
	}
	defer func() { _ = lock.Close() }()
	if present, err := databaseFiles(abs); err != nil {
		return BackupManifest{}, fmt.Errorf("restore: data directory %s: %w", abs, err)
	} else if len(present) > 0 {
		return BackupManifest{}, refuse("restore: data directory %s already holds a database (%s): restore only into an empty data directory; move the existing files away first",
			abs, strings.Join(present, ", "))
	}
	for _, suffix := range []string{"-wal", "-shm", "-journal"} {
		if m, _ := filepath.Glob(filepath.Join(abs, "*"+sqliteExt+suffix)); len(m) > 0 {
			return BackupManifest{}, refuse("restore: data directory %s holds SQLite files (%s) of a database: restore only into an empty data directory", abs, filepath.Base(m[0]))
		}
	}

	// Unpack into a private directory beside the data (same file system,
	// so putting files in place is a rename), removed on the way out: a
	// restore that fails leaves the directory as it was.
	removeBackupLeftovers(abs) // we hold the lock
	work, err := os.MkdirTemp(abs, ".restore-")
	if err != nil {
		return BackupManifest{}, fmt.Errorf("restore: %w", err)
	}
	defer func() { _ = os.RemoveAll(work) }()

	m, err := unpack(r, work)
	if err != nil {
		return m, err
	}
	for _, f := range m.Files {
		if err := checkSQLite(ctx, filepath.Join(work, f.Name)); err != nil {
			return m, refuse("restore: the archive is corrupt: %s fails SQLite's integrity check: %v", f.Name, err)
		}
		if f.SchemaVersion > schemaVersion {
			return m, refuse("restore: the archive was made by a newer cynllun (schema version %d; this binary knows %d): restore it with that version or a later one",
				f.SchemaVersion, schemaVersion)
		}
	}
	for _, f := range m.Files {
		if err := os.Rename(filepath.Join(work, f.Name), filepath.Join(abs, f.Name)); err != nil {
			return m, fmt.Errorf("restore: put %s in place: %w", f.Name, err)
		}
	}
	if d, err := os.Open(abs); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return m, nil
}

// VerifyBackup reads the archive r through and checks it against its
// manifest (format, every file present with its size and SHA-256), writing
// nothing anywhere; it returns the manifest. Restore also runs SQLite's
// integrity check on the unpacked files.
func VerifyBackup(r io.Reader) (BackupManifest, error) { return unpack(r, "") }

// unpack reads the archive r into work (nowhere when work is empty),
// checking it against its manifest.
func unpack(r io.Reader, work string) (BackupManifest, error) {
	var m BackupManifest
	corrupt := func(err error) error {
		return refuse("restore: the archive is corrupt or truncated: %v", err)
	}
	gz, err := gzip.NewReader(r)
	if err != nil {
		return m, corrupt(err)
	}
	tr := tar.NewReader(gz)
	hdr, err := tr.Next()
	if err != nil {
		return m, corrupt(err)
	}
	if hdr.Name != manifestName || hdr.Size > 1<<20 {
		return m, refuse("restore: not a cynllun backup (its first entry is %q, not %s)", hdr.Name, manifestName)
	}
	mb, err := io.ReadAll(tr)
	if err != nil {
		return m, corrupt(err)
	}
	if err := json.Unmarshal(mb, &m); err != nil || m.Kind != backupKind {
		return m, refuse("restore: not a cynllun backup (unreadable manifest)")
	}
	if m.Format < 1 || m.Format > BackupFormat {
		return m, refuse("restore: backup format %d is not known to this binary (it reads up to %d): restore with a newer cynllun", m.Format, BackupFormat)
	}
	if len(m.Files) == 0 {
		return m, refuse("restore: the archive's manifest lists no database file")
	}
	want := map[string]BackupFile{}
	for _, f := range m.Files {
		if !validBackupName(f.Name) {
			return m, refuse("restore: the archive's manifest names an invalid file %q", f.Name)
		}
		want[f.Name] = f
	}
	got := map[string]bool{}
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return m, corrupt(err)
		}
		f, ok := want[hdr.Name]
		if !ok || got[hdr.Name] || hdr.Typeflag != tar.TypeReg {
			return m, refuse("restore: the archive holds %q, which its manifest does not list", hdr.Name)
		}
		if hdr.Size != f.Size {
			return m, refuse("restore: the archive is corrupt: %s has %d bytes, its manifest says %d", f.Name, hdr.Size, f.Size)
		}
		path := ""
		if work != "" {
			path = filepath.Join(work, f.Name)
		}
		if err := unpackFile(tr, path, f); err != nil {
			return m, err
		}
		got[hdr.Name] = true
	}
	for _, f := range m.Files {
		if !got[f.Name] {
			return m, refuse("restore: the archive is incomplete: %s is missing", f.Name)
		}
	}
	return m, nil
}

// unpackFile writes r to path (mode 0600), or only reads it when path is
// empty, checking its SHA-256.
func unpackFile(r io.Reader, path string, f BackupFile) error {
	var w *os.File
	var sink io.Writer = io.Discard
	if path != "" {
		var err error
		if w, err = os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600); err != nil {
			return fmt.Errorf("restore: %w", err)
		}
		sink = w
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(sink, h), io.LimitReader(r, f.Size))
	if w != nil {
		var pathErr *os.PathError
		if errors.As(err, &pathErr) { // writing, not reading, failed
			_ = w.Close()
			return fmt.Errorf("restore: %w", err)
		}
		serr := w.Sync()
		if cerr := w.Close(); serr == nil {
			serr = cerr
		}
		if err == nil && serr != nil {
			return fmt.Errorf("restore: %w", serr)
		}
	}
	if err != nil {
		return refuse("restore: the archive is corrupt or truncated: %s: %v", f.Name, err)
	}
	if n != f.Size {
		return refuse("restore: the archive is truncated: %s has %d of %d bytes", f.Name, n, f.Size)
	}
	if sum := hex.EncodeToString(h.Sum(nil)); sum != f.SHA256 {
		return refuse("restore: the archive is corrupt: %s does not match its checksum in the manifest", f.Name)
	}
	return nil
}

// checkSQLite runs SQLite's integrity check on the file path.
func checkSQLite(ctx context.Context, path string) error {
	s, err := openSQLite(path)
	if err != nil {
		return err
	}
	defer func() { _ = s.Close() }()
	rows, err := s.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return err
	}
	defer func() { _ = rows.Close() }()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return err
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(problems) > 0 {
		if len(problems) > 3 {
			problems = problems[:3]
		}
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// BackupToFile is Backup into the new file path (mode 0600): it writes
// path.partial and renames it to path when the archive is complete, so a
// backup cut short never looks like one. It refuses to overwrite a file.
func BackupToFile(ctx context.Context, dir, path string, now time.Time) (BackupManifest, error) {
	if _, err := os.Lstat(path); err == nil {
		return BackupManifest{}, fmt.Errorf("backup: %s exists: name a new file", path)
	}
	partial := path + ".partial"
	f, err := os.OpenFile(partial, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return BackupManifest{}, fmt.Errorf("backup: %w", err)
	}
	done := false
	defer func() {
		if !done {
			_ = f.Close()
			_ = os.Remove(partial)
		}
	}()
	m, err := Backup(ctx, dir, f, now)
	if err != nil {
		return m, err
	}
	if err := f.Sync(); err != nil {
		return m, fmt.Errorf("backup: %w", err)
	}
	done = true
	if err := f.Close(); err != nil {
		_ = os.Remove(partial)
		return m, fmt.Errorf("backup: %w", err)
	}
	if err := os.Rename(partial, path); err != nil {
		_ = os.Remove(partial)
		return m, fmt.Errorf("backup: %w", err)
	}
	return m, nil
}

// VerifyBackupFile is VerifyBackup reading the archive at path.
func VerifyBackupFile(path string) (BackupManifest, error) {
	f, err := os.Open(path)
	if err != nil {
		return BackupManifest{}, fmt.Errorf("restore: %w", err)
	}
	defer func() { _ = f.Close() }()
	return VerifyBackup(f)
}

// RestoreFromFile is Restore reading the archive at path.
func RestoreFromFile(ctx context.Context, path, dir string) (BackupManifest, error) {
	f, err := os.Open(path)
	if err != nil {
		return BackupManifest{}, fmt.Errorf("restore: %w", err)
	}
	defer func() { _ = f.Close() }()
	return Restore(ctx, f, dir)
}
