package worker_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/seed"
	"github.com/cynllun/cynllun/service"
	"github.com/cynllun/cynllun/worker"
)

func exportTask(tb testing.TB, jobID string) *asynq.Task {
	tb.Helper()
	p, err := json.Marshal(map[string]string{"jobId": jobID})
	if err != nil {
		tb.Fatal(err)
	}
	return asynq.NewTask(worker.TypeSubjectAccess, p)
}

// TestFailedExportLeavesNothing: a subject access export whose upload
// fails after the archive was built leaves no file, open or not, in the
// private work directory, and the job waits for its retry.
func TestFailedExportLeavesNothing(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads the process's open files from /proc")
	}
	e := newEnv(t)
	job, err := e.svc.ExportSubjectAccess(e.ctx, service.SubjectAccessInput{LearnerID: seed.Learner1ID, Language: cynllun.RenderCY})
	if err != nil {
		t.Fatal(err)
	}
	work := filepath.Join(t.TempDir(), worker.WorkDirName)
	if err := worker.OpenWorkDir(work); err != nil {
		t.Fatal(err)
	}
	h := worker.NewRenderHandler(failingPut{e.db}, nil, nil)
	h.WorkDir, h.SubjectAccess = work, e.svc
	built := 0
	worker.SetAfterBuild(h, func() {
		built++
		if open := openUnder(t, os.Getpid(), work); len(open) != 1 {
			t.Errorf("%d files open in the work directory during the export, want 1", len(open))
		}
		if entries, _ := os.ReadDir(work); len(entries) != 0 {
			t.Errorf("the work directory lists %d files during the export, want 0 (unlinked)", len(entries))
		}
	})
	err = h.ProcessTask(context.Background(), exportTask(t, job.ID))
	if cynllun.ErrorCode(err) != cynllun.CodeInternal || built != 1 {
		t.Fatalf("export: %v (built %d times), want INTERNAL after building", err, built)
	}
	if open := openUnder(t, os.Getpid(), work); len(open) != 0 {
		t.Fatalf("after the failed export, %d files are still open in the work directory", len(open))
	}
	if entries, _ := os.ReadDir(work); len(entries) != 0 {
		t.Fatalf("after the failed export, the work directory holds %d files", len(entries))
	}
	if j := e.job(job.ID); j.Status == cynllun.JobSucceeded || j.ErrorCode != cynllun.CodeInternal {
		t.Fatalf("job after the failed attempt: %s %s", j.Status, j.ErrorCode)
	}
}

// TestExportRefusedWhenAccessEnded: the requester's right is checked again
// when the archive is built; a role that ended since fails the job
// (FORBIDDEN, not retried) and stores nothing.
func TestExportRefusedWhenAccessEnded(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	job, err := e.svc.ExportSubjectAccess(e.ctx, service.SubjectAccessInput{LearnerID: seed.Learner1ID})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.db.EndRelationship(ctx, cynllun.PrefixRelationship+"sample_alnco", time.Now().Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	h := worker.NewRenderHandler(e.db, nil, nil)
	h.SubjectAccess = e.svc
	if err := h.ProcessTask(ctx, exportTask(t, job.ID)); cynllun.ErrorCode(err) != cynllun.CodeForbidden {
		t.Fatalf("export after the role ended: %v, want FORBIDDEN", err)
	}
	if j := e.job(job.ID); j.Status != cynllun.JobFailed || j.ErrorCode != cynllun.CodeForbidden || j.FileID != "" {
		t.Fatalf("job: %s %s %q", j.Status, j.ErrorCode, j.FileID)
	}
	if _, err := e.db.FileByID(ctx, cynllun.ExportFileID(job.ID)); cynllun.ErrorCode(err) != cynllun.CodeNotFound {
		t.Fatalf("an archive was stored: %v", err)
	}
}

// childExportWorker is the child process of TestKilledExport: a worker
// building subject access exports into CYNLLUN_WORK_DIR that writes the
// marker and hangs once the archive is built, before storing it.
func childExportWorker() int {
	ctx := context.Background()
	db, w, err := openChildWorker(ctx)
	if err != nil {
		return 1
	}
	h := worker.NewRenderHandler(db, nil, nil)
	h.WorkDir, h.SubjectAccess = os.Getenv("CYNLLUN_WORK_DIR"), service.New(db)
	if err := worker.OpenWorkDir(h.WorkDir); err != nil {
		return 1
	}
	marker := os.Getenv("CYNLLUN_CHILD_MARKER")
	worker.SetAfterBuild(h, func() {
		_ = os.WriteFile(marker, []byte("built"), 0o600)
		select {} // killed here, the whole archive in its temporary file
	})
	w.Handle(worker.TypeSubjectAccess, h)
	_ = w.Run(ctx)
	return 0
}

// TestKilledExport: a worker killed with SIGKILL while the subject access
// export (the learner's whole record) is in its temporary file leaves no
// file behind: not in its private work directory, not in its system
// temporary directory.
func TestKilledExport(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads the child's open files from /proc")
	}
	e := newEnv(t)
	if _, err := e.svc.ExportSubjectAccess(e.ctx, service.SubjectAccessInput{LearnerID: seed.Learner1ID}); err != nil {
		t.Fatal(err)
	}
	work := filepath.Join(t.TempDir(), worker.WorkDirName)
	childTmp := t.TempDir()
	e.killChildAfter("CYNLLUN_CHILD_EXPORT", func(pid int) {
		open := openUnder(t, pid, work)
		if len(open) != 1 {
			t.Fatalf("the child has %d files open in its work directory, want its archive", len(open))
		}
		// The open file is the archive, and it names the learner.
		data, err := os.ReadFile(open[0])
		if err != nil {
			t.Fatal(err)
		}
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatalf("the open file is not the archive: %v", err)
		}
		rc, err := zr.Open("learner.json")
		if err != nil {
			t.Fatal(err)
		}
		learner, _ := io.ReadAll(rc)
		rc.Close()
		if !bytes.Contains(learner, []byte(learnerName)) {
			t.Fatalf("the archive being built does not name the learner")
		}
		if entries, _ := os.ReadDir(work); len(entries) != 0 {
			t.Fatalf("the work directory lists %d files during the export, want 0 (unlinked)", len(entries))
		}
	}, "CYNLLUN_WORK_DIR="+work, "TMPDIR="+childTmp)
	for _, dir := range []string{work, childTmp} {
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Fatalf("after the kill, %s holds %d files", dir, len(entries))
		}
	}
}
