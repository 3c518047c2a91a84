package worker

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Temporary files. A bundle is built into a temporary file (it is hashed
// as it is written, and its digest names it before it is stored), and that
// file holds a child's whole bundle. Such files live only in the worker's
// private directory (0700, WorkDir), never in the system's temporary
// directory:
//
//   - the file is unlinked as soon as it is created, so on Linux and other
//     Unix systems its bytes vanish with the process however it ends
//     (SIGKILL included); where an open file cannot be removed (Windows)
//     it is removed when it is closed;
//   - it is closed and removed when the render ends, on success or failure;
//   - the directory is emptied when the worker starts (OpenWorkDir), for
//     anything a crash left on a system that could not unlink it early.
//
// With no WorkDir a handler builds the bundle in memory: no file at all,
// at the cost of holding the output (about the documents' size again).

// WorkDirName is the private directory's name under the embedded data
// directory.
const WorkDirName = "work"

// DefaultWorkDir is where a worker keeps its temporary files when
// CYNLLUN_WORK_DIR is unset: "work" under the embedded data directory, or,
// with MongoDB (no data directory), "cynllun/work" under the user's cache
// directory (os.UserCacheDir: $XDG_CACHE_HOME or ~/.cache on Linux). It is
// "" when neither is known: bundles are then built in memory.
func DefaultWorkDir(dataDir string) string {
	if dataDir != "" {
		return filepath.Join(dataDir, WorkDirName)
	}
	if cache, err := os.UserCacheDir(); err == nil {
		return filepath.Join(cache, "cynllun", WorkDirName)
	}
	return ""
}

// OpenWorkDir makes dir the worker's private directory: it creates it
// (mode 0700), takes away anyone else's access to an existing one, and
// removes everything in it (what a crashed render left). Several workers
// may share the directory: a render's file is unlinked when it is created,
// so emptying the directory never touches another worker's render.
func OpenWorkDir(dir string) error {
	if dir == "" {
		return nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("work dir: %w", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return fmt.Errorf("work dir: %w", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("work dir: %w", err)
	}
	var errs []error
	for _, e := range entries {
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("work dir: remove leftovers: %w", err)
	}
	return nil
}

// tempFile is a private temporary file: created in dir and unlinked at
// once where the system allows. Close closes and removes it.
type tempFile struct {
	*os.File
	name string
}

func createTemp(dir, pattern string) (*tempFile, error) {
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return nil, err
	}
	// Removing an open file fails on Windows; Close removes it there.
	_ = os.Remove(f.Name())
	return &tempFile{File: f, name: f.Name()}, nil
}

// Close closes the file and removes it if it is still there.
func (t *tempFile) Close() error {
	err := t.File.Close()
	if rerr := os.Remove(t.name); rerr != nil && !errors.Is(rerr, os.ErrNotExist) && err == nil {
		err = rerr
	}
	return err
}
