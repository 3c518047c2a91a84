package mongodb

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cynllun/cynllun"
)

// The child process of TestBackupWhileWritingThenRestore: this test binary
// run again with these variables, as `cynllun backup` would run beside a
// serving owner.
const (
	backupChildDirEnv = "CYNLLUN_BACKUP_CHILD_DIR"
	backupChildOutEnv = "CYNLLUN_BACKUP_CHILD_OUT"
)

// backupChild backs up the data directory into the archive named by its
// variables and prints how long the snapshot took.
func backupChild() int {
	start := time.Now()
	m, err := BackupToFile(context.Background(), os.Getenv(backupChildDirEnv), os.Getenv(backupChildOutEnv), time.Now())
	if err != nil {
		fmt.Fprintln(os.Stderr, "backup:", err)
		return 1
	}
	fmt.Printf("backup of %d file(s), %d bytes, in %v\n", len(m.Files), m.Files[0].Size, time.Since(start).Round(time.Millisecond))
	return 0
}

// backupWorld is what a test writes to a data directory: learners, plans
// with versions, files; and what was acknowledged when.
type backupWorld struct {
	db       *DB
	learners []*cynllun.Learner

	mu    sync.Mutex
	plans []*cynllun.Plan
	// versions acknowledged per plan (a plan is here once CreatePlan has
	// returned, with 1).
	versions map[string]int
	files    map[string][]byte // acknowledged files by id
}

func newBackupWorld(t *testing.T, db *DB, learners, plans, versions, files, fileSize int) *backupWorld {
	t.Helper()
	ctx := t.Context()
	w := &backupWorld{db: db, versions: map[string]int{}, files: map[string][]byte{}}
	la, school := cynllun.NewID(cynllun.PrefixOrganisation), cynllun.NewID(cynllun.PrefixOrganisation)
	for i := range learners {
		l := newLearner(la, school, "Siôn", fmt.Sprintf("ap Ŵyn %d", i))
		if err := db.CreateLearner(ctx, l); err != nil {
			t.Fatalf("CreateLearner: %v", err)
		}
		w.learners = append(w.learners, l)
	}
	for i := range plans {
		if err := w.createPlan(ctx, w.learners[i%len(w.learners)].ID); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range slices.Clone(w.plans) {
		for range versions - 1 {
			if err := w.addVersion(ctx, p); err != nil {
				t.Fatal(err)
			}
		}
	}
	for i := range files {
		if err := w.putFile(ctx, fileSize+i); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

func (w *backupWorld) createPlan(ctx context.Context, learnerID string) error {
	p, v1 := newPlan(learnerID, t0)
	if err := w.db.CreatePlan(ctx, p, v1); err != nil {
		return fmt.Errorf("CreatePlan: %w", err)
	}
	w.mu.Lock()
	w.plans = append(w.plans, p)
	w.versions[p.ID] = 1
	w.mu.Unlock()
	return nil
}

func (w *backupWorld) addVersion(ctx context.Context, p *cynllun.Plan) error {
	w.mu.Lock()
	n := w.versions[p.ID] + 1
	w.mu.Unlock()
	if err := w.db.InsertVersion(ctx, newVersion(p, n)); err != nil {
		return fmt.Errorf("InsertVersion %d: %w", n, err)
	}
	w.mu.Lock()
	w.versions[p.ID] = n
	w.mu.Unlock()
	return nil
}

func (w *backupWorld) putFile(ctx context.Context, size int) error {
	data := make([]byte, size)
	for i := range data {
		data[i] = byte(i*7 + size)
	}
	if _, err := rand.Read(data[:32]); err != nil {
		return err
	}
	sum := sha256.Sum256(data)
	h := hex.EncodeToString(sum[:])
	f := &cynllun.File{
		ID: cynllun.FileIDFor(h), Name: "Adroddiad — Siôn ap Ŵyn.pdf", ContentType: "application/pdf",
		Size: int64(size), SHA256: h, LearnerID: w.learners[0].ID, Kind: cynllun.FileUpload,
		CreatedBy: "usr_uploader", CreatedAt: t0,
	}
	if err := w.db.PutFile(ctx, f, data); err != nil {
		return fmt.Errorf("PutFile: %w", err)
	}
	w.mu.Lock()
	w.files[f.ID] = data
	w.mu.Unlock()
	return nil
}

// acked returns a copy of the versions and file ids acknowledged so far.
func (w *backupWorld) acked() (map[string]int, []string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	v := make(map[string]int, len(w.versions))
	for k, n := range w.versions {
		v[k] = n
	}
	files := make([]string, 0, len(w.files))
	for id := range w.files {
		files = append(files, id)
	}
	return v, files
}

// write keeps writing (a version of each plan in turn, a new plan every
// fourth step, a file every tenth) until stop is closed, and returns how
// many writes were acknowledged.
func (w *backupWorld) write(ctx context.Context, stop <-chan struct{}) (int, error) {
	for i := 0; ; i++ {
		select {
		case <-stop:
			return i, nil
		default:
		}
		var err error
		switch {
		case i%10 == 9:
			err = w.putFile(ctx, 20_000+i)
		case i%4 == 3:
			err = w.createPlan(ctx, w.learners[i%len(w.learners)].ID)
		default:
			w.mu.Lock()
			p := w.plans[i%len(w.plans)]
			w.mu.Unlock()
			err = w.addVersion(ctx, p)
		}
		if err != nil {
			return i, err
		}
	}
}

// checkRestored reads every plan, version, learner and file back from the
// restored database rdb and compares it with the source: everything
// acknowledged before the backup began is there and equal, and nothing is
// there that the source does not hold just so (a snapshot of one instant,
// so each plan's versions are 1…k with k between what was acknowledged
// before the backup and after it).
func checkRestored(t *testing.T, w *backupWorld, rdb *DB, before, after map[string]int, filesBefore []string) {
	t.Helper()
	ctx := t.Context()
	src := w.db

	ids := make([]string, 0, len(w.learners))
	for _, l := range w.learners {
		ids = append(ids, l.ID)
	}
	got, err := rdb.LearnersByID(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	want, err := src.LearnersByID(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	byID := func(ls []*cynllun.Learner) []*cynllun.Learner {
		slices.SortFunc(ls, func(a, b *cynllun.Learner) int { return strings.Compare(a.ID, b.ID) })
		return ls
	}
	if d := cmp.Diff(byID(want), byID(got)); d != "" {
		t.Errorf("restored learners differ (-source +restored):\n%s", d)
	}

	restoredPlans, err := rdb.PlansByLearner(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	versionsRead := 0
	for _, p := range restoredPlans {
		found[p.ID] = true
		if _, ok := after[p.ID]; !ok {
			t.Errorf("restored plan %s was never acknowledged", p.ID)
			continue
		}
		list, err := rdb.ListVersions(ctx, p.ID, 0, 10_000)
		if err != nil {
			t.Fatal(err)
		}
		vids := make([]string, 0, len(list))
		for i, v := range list {
			if v.Number != i+1 {
				t.Errorf("plan %s: restored versions %d…: want 1…%d in order", p.ID, v.Number, len(list))
				break
			}
			vids = append(vids, v.ID)
		}
		k := len(list)
		if k < before[p.ID] || k > after[p.ID]+1 {
			t.Errorf("plan %s: %d versions restored; %d were acknowledged before the backup, %d after", p.ID, k, before[p.ID], after[p.ID])
		}
		gotV, err := rdb.VersionsByID(ctx, vids)
		if err != nil {
			t.Fatal(err)
		}
		wantV, err := src.VersionsByID(ctx, vids)
		if err != nil {
			t.Fatal(err)
		}
		byNumber := func(vs []*cynllun.Version) []*cynllun.Version {
			slices.SortFunc(vs, func(a, b *cynllun.Version) int { return a.Number - b.Number })
			return vs
		}
		if len(gotV) != k {
			t.Errorf("plan %s: read %d of %d versions", p.ID, len(gotV), k)
		}
		if d := cmp.Diff(byNumber(wantV), byNumber(gotV)); d != "" {
			t.Errorf("plan %s: restored versions differ (-source +restored):\n%s", p.ID, d)
		}
		versionsRead += len(gotV)
	}
	for id := range before {
		if !found[id] {
			t.Errorf("plan %s, acknowledged before the backup, is not in the restored database", id)
		}
	}
	for _, id := range filesBefore {
		data, err := rdb.ReadFile(ctx, id)
		if err != nil {
			t.Errorf("restored file %s: %v", id, err)
			continue
		}
		if !bytes.Equal(data, w.files[id]) {
			t.Errorf("restored file %s differs (%d bytes, want %d)", id, len(data), len(w.files[id]))
		}
		gotF, err := rdb.FileByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		wantF, err := src.FileByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(wantF, gotF); d != "" {
			t.Errorf("restored file %s metadata differs:\n%s", id, d)
		}
	}
	t.Logf("restored: %d learners, %d plans, %d versions (all equal to the source's), %d files", len(got), len(restoredPlans), versionsRead, len(filesBefore))
}

// TestBackupWhileWritingThenRestore backs up a data directory from another
// process (as `cynllun backup` beside `cynllun serve`) while this one,
// the owner, keeps writing plans, versions and files; restores the archive
// into a fresh directory; starts on it; and reads every learner, plan,
// version and file back.
//
// Not parallel, nor is TestRestoreRefuses: each starts FerretDB on data
// directories of its own, and ferretdb.New sets a package variable
// unguarded (the race detector's complaint; one owner per process in use).
func TestBackupWhileWritingThenRestore(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	src, err := Open(ctx, Config{DataDir: dir, Ownership: OwnRequired, Command: "serve"})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = src.Close(context.WithoutCancel(ctx)) }()
	// A few MB, so that the snapshot takes a while beside the writer.
	w := newBackupWorld(t, src, 6, 12, 3, 6, 1<<20)

	stop := make(chan struct{})
	var writes int
	var werr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		writes, werr = w.write(ctx, stop)
	}()
	// Let the writer get going, then back up from a child process.
	for {
		if v, _ := w.acked(); len(v) > 13 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	before, filesBefore := w.acked()
	archive := filepath.Join(t.TempDir(), "cynllun.tar.gz")
	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), backupChildDirEnv+"="+dir, backupChildOutEnv+"="+archive)
	out, err := child.CombinedOutput()
	after, _ := w.acked()
	close(stop)
	<-done
	if err != nil {
		t.Fatalf("backup process: %v\n%s", err, out)
	}
	if werr != nil {
		t.Fatalf("writer: %v", werr)
	}
	during := 0
	for id, n := range after {
		during += n - before[id]
	}
	t.Logf("%s; %d writes acknowledged in all, %d versions during the backup", strings.TrimSpace(string(out)), writes, during)
	if during == 0 {
		t.Errorf("no version was written while the backup ran")
	}

	fi, err := os.Stat(archive)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("archive mode %v, want 0600", fi.Mode().Perm())
	}
	if _, err := os.Stat(filepath.Join(dir, backupTmpDir)); !os.IsNotExist(err) {
		t.Errorf("the backup left its snapshot directory %s (%v)", backupTmpDir, err)
	}

	restored := filepath.Join(t.TempDir(), "restored")
	m, err := RestoreFromFile(ctx, archive, restored)
	if err != nil {
		t.Fatal(err)
	}
	if m.Format != BackupFormat || len(m.Files) != 1 || m.Files[0].Name != DefaultDatabase+".sqlite" || m.Files[0].SchemaVersion != schemaVersion {
		t.Errorf("manifest %+v", m)
	}
	if fi, err := os.Stat(filepath.Join(restored, m.Files[0].Name)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("restored database: %v, mode %v, want 0600", err, fi.Mode().Perm())
	}
	rdb, err := Open(ctx, Config{DataDir: restored, Ownership: OwnRequired, Command: "serve"})
	if err != nil {
		t.Fatalf("start on the restored directory: %v", err)
	}
	defer func() { _ = rdb.Close(context.WithoutCancel(ctx)) }()
	checkRestored(t, w, rdb, before, after, filesBefore)
}

// smallBackup returns the archive of a small data directory (closed) and
// its world.
func smallBackup(t *testing.T) ([]byte, *backupWorld) {
	t.Helper()
	ctx := t.Context()
	dir := t.TempDir()
	db, err := Open(ctx, Config{DataDir: dir, Ownership: OwnRequired})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close(context.Background()) })
	w := newBackupWorld(t, db, 2, 2, 2, 1, 300_000)
	var buf bytes.Buffer
	if _, err := Backup(ctx, dir, &buf, time.Now()); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), w
}

// rewrite returns the archive with each file's content passed through
// change (the manifest kept as it is).
func rewrite(t *testing.T, archive []byte, change func(name string, b []byte) []byte) []byte {
	t.Helper()
	gz, err := gzip.NewReader(bytes.NewReader(archive))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	var out bytes.Buffer
	gw := gzip.NewWriter(&out)
	tw := tar.NewWriter(gw)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		b = change(hdr.Name, b)
		hdr.Size = int64(len(b))
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// TestRestoreRefuses: a corrupt, truncated, tampered or foreign archive,
// and a data directory in use or holding a database, are refused with a
// clear message, and the directory is left without a database.
func TestRestoreRefuses(t *testing.T) {
	ctx := t.Context()
	archive, w := smallBackup(t)

	flipped := slices.Clone(archive)
	flipped[len(flipped)/2] ^= 0x55
	tampered := rewrite(t, archive, func(name string, b []byte) []byte {
		if name == manifestName {
			return b
		}
		b = slices.Clone(b)
		b[len(b)-100] ^= 1 // a byte of the database, same length
		return b
	})
	newer := rewrite(t, archive, func(name string, b []byte) []byte {
		if name != manifestName {
			return b
		}
		return bytes.Replace(b, []byte(`"format": 1`), []byte(`"format": 99`), 1)
	})
	if m, err := VerifyBackup(bytes.NewReader(archive)); err != nil || len(m.Files) != 1 {
		t.Fatalf("VerifyBackup of a good archive: %+v, %v", m, err)
	}
	for _, c := range []struct {
		name    string
		archive []byte
		want    string
	}{
		{"flipped byte", flipped, "corrupt"},
		{"truncated", archive[:len(archive)*2/3], "truncated"},
		{"tampered database", tampered, "does not match its checksum"},
		{"newer format", newer, "format 99 is not known"},
		{"not a backup", []byte("hello"), "corrupt"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var re *RestoreError
			if _, err := VerifyBackup(bytes.NewReader(c.archive)); !errors.As(err, &re) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("VerifyBackup: %v, want a refusal saying %q", err, c.want)
			}
			dir := filepath.Join(t.TempDir(), "data")
			_, err := Restore(ctx, bytes.NewReader(c.archive), dir)
			if !errors.As(err, &re) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Restore: %v, want a refusal saying %q", err, c.want)
			}
			if names, _ := databaseFiles(dir); len(names) != 0 {
				t.Errorf("a refused restore left %v", names)
			}
			if left, _ := filepath.Glob(filepath.Join(dir, ".restore-*")); len(left) != 0 {
				t.Errorf("a refused restore left %v", left)
			}
			t.Log(err)
		})
	}

	t.Run("in use", func(t *testing.T) {
		dir := t.TempDir()
		db, err := Open(ctx, Config{DataDir: dir, Ownership: OwnRequired, Command: "serve"})
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = db.Close(context.Background()) }()
		_, err = Restore(ctx, bytes.NewReader(archive), dir)
		var re *RestoreError
		if !errors.As(err, &re) || !strings.Contains(err.Error(), "in use by process") || !strings.Contains(err.Error(), "cynllun serve") {
			t.Fatalf("Restore into a directory in use: %v", err)
		}
		t.Log(err)
	})

	t.Run("holds a database", func(t *testing.T) {
		dir := t.TempDir()
		if _, err := Restore(ctx, bytes.NewReader(archive), dir); err != nil {
			t.Fatal(err)
		}
		_, err := Restore(ctx, bytes.NewReader(archive), dir)
		var re *RestoreError
		if !errors.As(err, &re) || !strings.Contains(err.Error(), "already holds a database") {
			t.Fatalf("second Restore: %v", err)
		}
		t.Log(err)
		// The first restore stands and opens.
		db, err := Open(ctx, Config{DataDir: dir, Ownership: OwnRequired})
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = db.Close(context.Background()) }()
		before, files := w.acked()
		checkRestored(t, w, db, before, before, files)
	})
}

// TestKilledBackupLeavesNoSnapshot kills a backup process (SIGKILL) while
// it copies the database, and checks that its snapshot, a copy of
// children's data, is removed when the owner next starts, and so is what
// a killed restore left; the archive was never completed.
func TestKilledBackupLeavesNoSnapshot(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	src, err := Open(ctx, Config{DataDir: dir, Ownership: OwnRequired, Command: "serve"})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = src.Close(context.WithoutCancel(ctx)) }()
	newBackupWorld(t, src, 2, 2, 2, 8, 1<<20)

	archive := filepath.Join(t.TempDir(), "cynllun.tar.gz")
	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), backupChildDirEnv+"="+dir, backupChildOutEnv+"="+archive)
	var out bytes.Buffer
	child.Stdout, child.Stderr = &out, &out
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	snapshots := filepath.Join(dir, backupTmpDir, "run-*", DefaultDatabase+".sqlite")
	deadline := time.Now().Add(time.Minute)
	for {
		if m, _ := filepath.Glob(snapshots); len(m) > 0 {
			if fi, err := os.Stat(m[0]); err == nil && fi.Size() > 0 {
				break
			}
		}
		if time.Now().After(deadline) {
			_ = child.Process.Kill()
			_ = child.Wait()
			t.Fatalf("no snapshot appeared within a minute:\n%s", out.String())
		}
		time.Sleep(time.Millisecond)
	}
	if err := child.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = child.Wait()
	if child.ProcessState.Success() {
		t.Fatalf("the backup finished before it was killed:\n%s", out.String())
	}
	if _, err := os.Stat(archive); !os.IsNotExist(err) {
		t.Errorf("a killed backup left an archive that looks complete (%v)", err)
	}
	if fi, err := os.Stat(archive + ".partial"); err == nil && fi.Mode().Perm() != 0o600 {
		t.Errorf("partial archive mode %v, want 0600", fi.Mode().Perm())
	}
	left, _ := filepath.Glob(snapshots)
	if len(left) == 0 {
		t.Fatal("the killed backup left no snapshot: nothing to test")
	}
	// And what a killed restore leaves: unpacked files in .restore-*.
	restoreLeft := filepath.Join(dir, ".restore-1234")
	if err := os.Mkdir(restoreLeft, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(restoreLeft, DefaultDatabase+".sqlite"), []byte("half a database"), 0o600); err != nil {
		t.Fatal(err)
	}

	// The owner restarts: the leftovers go.
	if err := src.Close(ctx); err != nil {
		t.Fatal(err)
	}
	again, err := Open(ctx, Config{DataDir: dir, Ownership: OwnRequired, Command: "serve"})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = again.Close(context.WithoutCancel(ctx)) }()
	for _, p := range []string{filepath.Join(dir, backupTmpDir), restoreLeft} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s is still there after the owner's start (%v)", p, err)
		}
	}
	// A backup now completes.
	var buf bytes.Buffer
	if _, err := Backup(ctx, dir, &buf, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := VerifyBackup(&buf); err != nil {
		t.Fatal(err)
	}
}
