package cynllun

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
)

// Subject access (UK GDPR Art. 15; issue 19). A subject access export is
// one archive (zip) of everything held about a learner, built by a worker
// job of kind JobSubjectAccess and stored as a file of kind FileExport,
// which only those who may request an export may download
// (policy.SubjectAccess).

// ExportFileID is the id of the archive a subject access job stores: one
// per job, so a retry after a crash finds (or replaces) its own file.
func ExportFileID(jobID string) string {
	sum := sha256.Sum256([]byte("export/" + jobID))
	return PrefixFile + "x" + hex.EncodeToString(sum[:])
}

// SubjectAccessStore finds what a learner's record holds that no other
// read reaches.
type SubjectAccessStore interface {
	// FilesForLearner returns the metadata of every file of a learner
	// (uploads, renders, bundles, exports), oldest first. It is not a hot
	// path: on the embedded store it reads the file metadata of every
	// learner.
	FilesForLearner(ctx context.Context, learnerID string) ([]*File, error)
}
