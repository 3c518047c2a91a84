package worker_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/mongodb"
	"github.com/cynllun/cynllun/worker"
)

// learnerName is what must not be left in a temporary file: the sample
// learner's family name, printed on the bundle's cover.
const learnerName = "Llywelyn"

// openChildWorker opens what a child worker process of a crash test runs on:
// the parent's database (MONGODB_URI) and a worker of one task at a time
// on its Redis (REDIS_URL), with no periodic tasks.
func openChildWorker(ctx context.Context) (*mongodb.DB, *worker.Worker, error) {
	db, err := mongodb.Open(ctx, mongodb.Config{URI: os.Getenv("MONGODB_URI")})
	if err != nil {
		return nil, nil, err
	}
	opts, err := redis.ParseURL(os.Getenv("REDIS_URL"))
	if err != nil {
		return nil, nil, err
	}
	return db, worker.New(redis.NewClient(opts), worker.Config{Concurrency: 1, ReconcileEvery: -1, NoticeScanEvery: -1}), nil
}

// childBundleWorker is the child process of TestKilledBundleRender: a
// worker rendering bundles into CYNLLUN_WORK_DIR that writes the marker and
// hangs once a bundle is built into its temporary file, before storing it.
func childBundleWorker() int {
	ctx := context.Background()
	db, w, err := openChildWorker(ctx)
	if err != nil {
		return 1
	}
	h := worker.NewRenderHandler(db, nil, nil)
	h.WorkDir = os.Getenv("CYNLLUN_WORK_DIR")
	if err := worker.OpenWorkDir(h.WorkDir); err != nil {
		return 1
	}
	marker := os.Getenv("CYNLLUN_CHILD_MARKER")
	worker.SetAfterBuild(h, func() {
		_ = os.WriteFile(marker, []byte("built"), 0o600)
		select {} // killed here, the whole bundle in its temporary file
	})
	w.Handle(worker.TypeRenderBundle, h)
	_ = w.Run(ctx)
	return 0
}

// holdsName reports whether data holds the learner's name: in its bytes,
// or, for a PDF (whose text is compressed), in its text by pdftotext.
func holdsName(t *testing.T, data []byte) bool {
	t.Helper()
	if bytes.Contains(data, []byte(learnerName)) {
		return true
	}
	if !bytes.HasPrefix(data, []byte("%PDF")) {
		return false
	}
	cmd := exec.Command("pdftotext", "-", "-")
	cmd.Stdin = bytes.NewReader(data)
	out, err := cmd.Output()
	if err != nil {
		// A truncated PDF pdftotext cannot read counts as personal data.
		return true
	}
	return bytes.Contains(out, []byte(learnerName))
}

// filesWithName lists the files under the roots that hold the name.
func filesWithName(t *testing.T, roots ...string) []string {
	t.Helper()
	var found []string
	for _, root := range roots {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					return nil
				}
				return err
			}
			if !d.Type().IsRegular() {
				return nil
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			if holdsName(t, data) {
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return found
}

// openUnder lists the files process pid has open under dir (removed ones
// included), as /proc/<pid>/fd paths that still read them.
func openUnder(t *testing.T, pid int, dir string) []string {
	t.Helper()
	fdDir := filepath.Join("/proc", strconv.Itoa(pid), "fd")
	entries, err := os.ReadDir(fdDir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		target, err := os.Readlink(filepath.Join(fdDir, e.Name()))
		if err == nil && strings.HasPrefix(target, dir+string(filepath.Separator)) {
			out = append(out, filepath.Join(fdDir, e.Name()))
		}
	}
	return out
}

// TestKilledBundleRender: a worker killed with SIGKILL while its bundle
// (the learner's name on the cover) is built into its temporary file
// leaves no personal data in any file: not in its private work directory
// under the data directory, not in its system temporary directory. The
// next worker start empties the work directory of anything left.
func TestKilledBundleRender(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads the child's open files from /proc")
	}
	e := newEnv(t)
	e.bundleCase(2, 40, false)
	data := t.TempDir()
	work := filepath.Join(data, worker.WorkDirName)
	childTmp := t.TempDir() // the child's os.TempDir()
	e.killChildAfter("CYNLLUN_CHILD_BUNDLE", func(pid int) {
		// The bundle is in a file the child holds open in its work
		// directory, and that file holds the name: what the check below
		// looks for is there to be found.
		open := openUnder(t, pid, work)
		if len(open) != 1 {
			t.Fatalf("the child has %d files open in its work directory, want its bundle", len(open))
		}
		pdf, err := os.ReadFile(open[0])
		if err != nil {
			t.Fatal(err)
		}
		if !holdsName(t, pdf) {
			t.Fatalf("the bundle being built (%d bytes) does not name the learner", len(pdf))
		}
		if st, err := os.Stat(work); err != nil || st.Mode().Perm() != 0o700 {
			t.Fatalf("work directory: %v, %v; want mode 0700", st, err)
		}
	}, "CYNLLUN_WORK_DIR="+work, "TMPDIR="+childTmp)

	if found := filesWithName(t, data, childTmp); len(found) != 0 {
		t.Fatalf("after the kill, files name the learner: %v", found)
	}
	// What a crash leaves where a file cannot be unlinked while open (or
	// anything else in the directory) goes when the worker starts.
	leftover := filepath.Join(work, "bundle-1.pdf")
	if err := os.WriteFile(leftover, []byte(learnerName), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(work, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := worker.OpenWorkDir(work); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(work)
	if err != nil || len(entries) != 0 {
		t.Fatalf("work directory after a start: %v, %v", entries, err)
	}
	if st, err := os.Stat(work); err != nil || st.Mode().Perm() != 0o700 {
		t.Fatalf("work directory after a start: %v, %v; want mode 0700", st, err)
	}
}

// failingPut is a store whose file uploads fail.
type failingPut struct{ cynllun.Store }

func (failingPut) PutFileFrom(context.Context, *cynllun.File, io.ReadSeeker) error {
	return cynllun.Internal("test.PutFileFrom", errors.New("storage is down"))
}

// TestFailedBundleRenderLeavesNothing: a bundle render that fails after
// the bundle was built (its upload fails) leaves no file, open or not, in
// the work directory.
func TestFailedBundleRenderLeavesNothing(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads the process's open files from /proc")
	}
	e := newEnv(t)
	bc := e.bundleCase(2, 40, false)
	work := filepath.Join(t.TempDir(), worker.WorkDirName)
	if err := worker.OpenWorkDir(work); err != nil {
		t.Fatal(err)
	}
	h := worker.NewRenderHandler(failingPut{e.db}, nil, nil)
	h.WorkDir = work
	built := 0
	worker.SetAfterBuild(h, func() {
		built++
		// While the render runs its bundle is open here (and named nowhere).
		if open := openUnder(t, os.Getpid(), work); len(open) != 1 {
			t.Errorf("%d files open in the work directory during the render, want 1", len(open))
		}
		if entries, _ := os.ReadDir(work); len(entries) != 0 {
			t.Errorf("the work directory lists %d files during the render, want 0 (unlinked)", len(entries))
		}
	})
	err := h.ProcessTask(context.Background(), bundleTask(t, bc.bundle.JobID))
	if cynllun.ErrorCode(err) != cynllun.CodeInternal || built != 1 {
		t.Fatalf("render: %v (built %d times), want INTERNAL after building", err, built)
	}
	if open := openUnder(t, os.Getpid(), work); len(open) != 0 {
		t.Fatalf("after the failed render, %d files are still open in the work directory", len(open))
	}
	if found := filesWithName(t, work); len(found) != 0 {
		t.Fatalf("after the failed render, files name the learner: %v", found)
	}
}
