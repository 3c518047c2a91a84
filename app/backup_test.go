package app

import (
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestBackupCommands: with MONGODB_URI both commands point to mongodump;
// a backup of a directory without a database writes nothing; the default
// archive name sorts by time.
func TestBackupCommands(t *testing.T) {
	ctx := t.Context()
	log := slog.New(slog.DiscardHandler)
	mongo := Config{MongoURI: "mongodb://127.0.0.1:1/", DataDir: t.TempDir()}
	if err := Backup(ctx, mongo, log, "", io.Discard); !errors.Is(err, errBackupMongo) {
		t.Errorf("Backup with MONGODB_URI: %v", err)
	}
	if err := Restore(ctx, mongo, log, "x.tar.gz", io.Discard); !errors.Is(err, errBackupMongo) || !strings.Contains(err.Error(), "mongodump") {
		t.Errorf("Restore with MONGODB_URI: %v", err)
	}
	empty := Config{DataDir: t.TempDir()}
	out := filepath.Join(t.TempDir(), "b.tar.gz")
	if err := Backup(ctx, empty, log, out, io.Discard); err == nil || !strings.Contains(err.Error(), "holds no embedded database") {
		t.Errorf("Backup of an empty directory: %v", err)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a failed backup left %s (%v)", out, err)
	}
	if _, err := os.Stat(out + ".partial"); !os.IsNotExist(err) {
		t.Errorf("a failed backup left %s.partial (%v)", out, err)
	}
	if got := DefaultBackupName(time.Date(2026, 12, 7, 15, 10, 29, 0, time.UTC)); got != "cynllun-backup-20261207T151029Z.tar.gz" {
		t.Errorf("DefaultBackupName = %q", got)
	}
}
