package app

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cynllun/cynllun/mongodb"
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

// TestBackupRestoreCommands runs `cynllun backup` beside a running owner
// and `cynllun restore` into a new directory, through the app functions.
func TestBackupRestoreCommands(t *testing.T) {
	ctx := t.Context()
	log := slog.New(slog.DiscardHandler)
	dir := t.TempDir()
	db, err := mongodb.Open(ctx, mongodb.Config{DataDir: dir, Ownership: mongodb.OwnRequired, Command: "serve"})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close(context.Background()) }()

	archive := filepath.Join(t.TempDir(), "b.tar.gz")
	var out bytes.Buffer
	if err := Backup(ctx, Config{DataDir: dir, MongoDatabase: "cynllun"}, log, archive, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "children's personal data") {
		t.Errorf("backup says %q", out.String())
	}
	if fi, err := os.Stat(archive); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("archive: %v, mode %v", err, fi.Mode().Perm())
	}
	if err := Backup(ctx, Config{DataDir: dir}, log, archive, io.Discard); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("a second backup to the same file: %v", err)
	}
	out.Reset()
	if err := VerifyBackup(archive, &out); err != nil || !strings.Contains(out.String(), "match its manifest") {
		t.Errorf("restore -check: %v %q", err, out.String())
	}
	if err := Restore(ctx, Config{DataDir: dir, MongoDatabase: "cynllun"}, log, archive, io.Discard); err == nil || !strings.Contains(err.Error(), "in use by process") {
		t.Errorf("restore into the directory in use: %v", err)
	}
	out.Reset()
	target := filepath.Join(t.TempDir(), "data")
	if err := Restore(ctx, Config{DataDir: target, MongoDatabase: "other"}, log, archive, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `no database named "other"`) {
		t.Errorf("restore with another MONGODB_DATABASE says %q", out.String())
	}
	rdb, err := mongodb.Open(ctx, mongodb.Config{DataDir: target, Ownership: mongodb.OwnRequired})
	if err != nil {
		t.Fatalf("start on the restored directory: %v", err)
	}
	_ = rdb.Close(context.Background())
}
