package worker_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/mongodb"
	"github.com/cynllun/cynllun/seed"
	"github.com/cynllun/cynllun/worker"
)

const eraseChildEnv = "CYNLLUN_CHILD_ERASE"

// childEraser is the child process of TestKilledErasure: a client of the
// parent's embedded data directory that erases the approved learner, after
// writing its marker file.
func childEraser() int {
	ctx := context.Background()
	db, err := mongodb.Open(ctx, mongodb.Config{DataDir: os.Getenv("CYNLLUN_DATA_DIR"), Ownership: mongodb.OwnNever, Command: "worker"})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child: open database:", err)
		return 1
	}
	ret := &worker.Retention{Store: db}
	_ = os.WriteFile(os.Getenv("CYNLLUN_CHILD_MARKER"), []byte("erasing"), 0o600)
	if err := ret.EraseApproved(ctx, seed.Learner1ID); err != nil {
		fmt.Fprintln(os.Stderr, "child: erase:", err)
		return 1
	}
	return 0
}

// TestKilledErasure SIGKILLs a worker process erasing an approved learner,
// sooner and later in the erasure, until one run finishes; a last run then
// finds nothing left to do, and nothing of the learner is in the database
// but the review and the audit tombstone.
func TestKilledErasure(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := mongodb.Open(ctx, mongodb.Config{DataDir: dir, Ownership: mongodb.OwnRequired, Command: "serve"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close(context.Background()) })
	now := time.Now()
	if err := seed.Sample(ctx, db, now); err != nil {
		t.Fatal(err)
	}
	ls, err := db.LearnersByID(ctx, []string{seed.Learner1ID})
	if err != nil || len(ls) != 1 {
		t.Fatal(err)
	}
	later := ls[0].DateOfBirth.AddYears(31).Time().Add(time.Hour)
	ret := &worker.Retention{Store: db, Policy: cynllun.DefaultRetentionPolicy(), Now: func() time.Time { return later }}
	if _, err := ret.Scan(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ApproveRetention(ctx, cynllun.RetentionReviewID(seed.Learner1ID), seed.AdminID, later); err != nil {
		t.Fatal(err)
	}

	kills := 0
	for d := time.Millisecond; ; d = d * 3 / 2 {
		if d > 30*time.Second {
			t.Fatal("the child never finished")
		}
		marker := filepath.Join(t.TempDir(), "marker")
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), eraseChildEnv+"=1", "CYNLLUN_DATA_DIR="+dir, "CYNLLUN_CHILD_MARKER="+marker)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		for {
			if _, err := os.Stat(marker); err == nil {
				break
			}
			select {
			case err := <-exited:
				t.Fatalf("child exited before erasing: %v: %s", err, stderr.String())
			case <-time.After(2 * time.Millisecond):
			}
		}
		select {
		case err := <-exited:
			if err != nil {
				t.Fatalf("child: %v: %s", err, stderr.String())
			}
		case <-time.After(d):
			_ = cmd.Process.Signal(syscall.SIGKILL)
			err := <-exited
			var ee *exec.ExitError
			if errors.As(err, &ee) && ee.Sys().(syscall.WaitStatus).Signaled() {
				kills++
				continue
			}
			if err != nil {
				t.Fatalf("child: %v: %s", err, stderr.String())
			}
		}
		break
	}
	t.Logf("the erasing worker was killed %d times before a run finished", kills)
	if kills == 0 {
		t.Fatal("no run was killed mid-way")
	}

	counts, err := db.EraseLearner(ctx, seed.Learner1ID, cynllun.ErasureTombstoneID(seed.Learner1ID))
	if err != nil {
		t.Fatal(err)
	}
	for k, n := range counts {
		if n != 0 {
			t.Errorf("a run after the finished one removed %d %s", n, k)
		}
	}
	rs, err := db.RetentionReviewsByID(ctx, []string{cynllun.RetentionReviewID(seed.Learner1ID)})
	if err != nil || len(rs) != 1 || rs[0].Status != cynllun.RetentionErased {
		t.Fatalf("review: %+v %v", rs, err)
	}
	names, err := db.Database().ListCollectionNames(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		cur, err := db.Database().Collection(name).Find(ctx, bson.D{})
		if err != nil {
			t.Fatal(err)
		}
		var docs []bson.Raw
		if err := cur.All(ctx, &docs); err != nil {
			t.Fatal(err)
		}
		for _, d := range docs {
			text := d.String()
			id, _ := d.Lookup("_id").StringValueOK()
			allowed := id == cynllun.RetentionReviewID(seed.Learner1ID) || id == cynllun.ErasureTombstoneID(seed.Learner1ID) ||
				(name == "lookups" && strings.HasPrefix(id, "audit"))
			for _, m := range []string{seed.Learner1ID, seed.PlanID, seed.CaseID, "Siôn"} {
				if strings.Contains(text, m) && !(allowed && m == seed.Learner1ID) {
					t.Errorf("%s %s still holds %q: %.200s", name, id, m, text)
				}
			}
		}
	}
}
