package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"time"

	"github.com/cynllun/cynllun/mongodb"
)

// errBackupMongo is the answer of `cynllun backup` and `restore` with
// MONGODB_URI set: those copy the embedded data directory only.
var errBackupMongo = errors.New("MONGODB_URI is set: back up and restore MongoDB with mongodump and mongorestore " +
	"(README, Backups); `cynllun backup` and `cynllun restore` are for the embedded data directory (CYNLLUN_DATA_DIR)")

// DefaultBackupName is the archive `cynllun backup` writes when no -o is
// given: cynllun-backup-<UTC time>.tar.gz in the working directory.
func DefaultBackupName(now time.Time) string {
	return "cynllun-backup-" + now.UTC().Format("20060102T150405Z") + ".tar.gz"
}

// Backup writes a consistent snapshot of the embedded data directory to
// the new file path (mode 0600), whether or not `cynllun serve` is running
// on it (mongodb.Backup), and reports it to out.
func Backup(ctx context.Context, cfg Config, log *slog.Logger, path string, out io.Writer) error {
	if cfg.MongoURI != "" {
		return errBackupMongo
	}
	now := time.Now()
	if path == "" {
		path = DefaultBackupName(now)
	}
	m, err := mongodb.BackupToFile(ctx, cfg.DataDir, path, now)
	if err != nil {
		return err
	}
	var size int64
	for _, f := range m.Files {
		size += f.Size
	}
	log.InfoContext(ctx, "backup written", "file", path, "databases", len(m.Files), "bytes", size, "took", time.Since(now).Round(time.Millisecond))
	fmt.Fprintf(out, "Backup of %s written to %s: %d database file(s), %d bytes before compression, schema version %d.\n"+
		"It holds children's personal data: keep it as securely as the data directory (it is mode 0600 and not encrypted).\n",
		cfg.DataDir, path, len(m.Files), size, m.Files[0].SchemaVersion)
	return nil
}

// Restore unpacks the archive at path into the embedded data directory,
// which must be empty and not in use (mongodb.Restore), and reports it to
// out; `cynllun serve` then starts on it.
func Restore(ctx context.Context, cfg Config, log *slog.Logger, path string, out io.Writer) error {
	if cfg.MongoURI != "" {
		return errBackupMongo
	}
	start := time.Now()
	m, err := mongodb.RestoreFromFile(ctx, path, cfg.DataDir)
	if err != nil {
		return err
	}
	log.InfoContext(ctx, "backup restored", "file", path, "dir", cfg.DataDir, "created_at", m.CreatedAt, "took", time.Since(start).Round(time.Millisecond))
	fmt.Fprintf(out, "Restored the backup made at %s into %s (%d database file(s), checksums and integrity verified). Start `cynllun serve` on it.\n",
		m.CreatedAt.Format(time.RFC3339), cfg.DataDir, len(m.Files))
	if !slices.ContainsFunc(m.Files, func(f mongodb.BackupFile) bool { return f.Database == cfg.MongoDatabase }) {
		fmt.Fprintf(out, "Note: the archive holds no database named %q (MONGODB_DATABASE); serve would start on an empty one. It holds:", cfg.MongoDatabase)
		for _, f := range m.Files {
			fmt.Fprintf(out, " %s", f.Database)
		}
		fmt.Fprintln(out)
	}
	return nil
}

// VerifyBackup reads the archive at path through and checks every file
// against its manifest, writing nothing (`cynllun restore -check`).
func VerifyBackup(path string, out io.Writer) error {
	m, err := mongodb.VerifyBackupFile(path)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%s: a cynllun backup (format %d) made at %s; %d database file(s), sizes and SHA-256 checksums match its manifest.\n",
		path, m.Format, m.CreatedAt.Format(time.RFC3339), len(m.Files))
	return nil
}
