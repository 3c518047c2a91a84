package mongodb

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/cynllun/cynllun"
)

// Files live in the GridFS bucket "files" (collections files.files and
// files.chunks). The GridFS _id is the string cynllun.File.ID, a content
// address ("fil_<sha256 hex>"), so the same bytes always get the same id
// and any two uploads of one id write the same chunks. The GridFS filename
// is the id as well (the download name, which may name a child, stays in
// the metadata); the length is GridFS's own and is File.Size.

// fileMetaDoc is the metadata field of a GridFS files document.
type fileMetaDoc struct {
	Name        string    `bson:"name"`
	ContentType string    `bson:"contentType"`
	Pages       int       `bson:"pages"`
	SHA256      string    `bson:"sha256"`
	LearnerID   string    `bson:"learnerId"`
	PlanID      string    `bson:"planId"`
	Version     int       `bson:"version"`
	ReviewID    string    `bson:"reviewId,omitempty"`
	CaseID      string    `bson:"caseId,omitempty"`
	Kind        string    `bson:"kind,omitempty"`
	CreatedBy   string    `bson:"createdBy,omitempty"`
	CreatedAt   time.Time `bson:"createdAt"`
}

// fileDoc is a GridFS files document as FileByID reads it.
type fileDoc struct {
	ID       string      `bson:"_id"`
	Length   int64       `bson:"length"`
	Metadata fileMetaDoc `bson:"metadata"`
}

func toFileMetaDoc(f *cynllun.File) *fileMetaDoc {
	return &fileMetaDoc{
		Name:        f.Name,
		ContentType: f.ContentType,
		Pages:       f.Pages,
		SHA256:      f.SHA256,
		LearnerID:   f.LearnerID,
		PlanID:      f.PlanID,
		Version:     f.Version,
		ReviewID:    f.ReviewID,
		CaseID:      f.CaseID,
		Kind:        string(f.Kind),
		CreatedBy:   f.CreatedBy,
		CreatedAt:   bsonTime(f.CreatedAt),
	}
}

func fromFileDoc(d *fileDoc) (*cynllun.File, error) {
	m := &d.Metadata
	return &cynllun.File{
		ID:          d.ID,
		Name:        m.Name,
		ContentType: m.ContentType,
		Size:        d.Length,
		Pages:       m.Pages,
		SHA256:      m.SHA256,
		LearnerID:   m.LearnerID,
		PlanID:      m.PlanID,
		Version:     m.Version,
		ReviewID:    m.ReviewID,
		CaseID:      m.CaseID,
		Kind:        fileKind(m.Kind),
		CreatedBy:   m.CreatedBy,
		CreatedAt:   fromTime(m.CreatedAt),
	}, nil
}

// fileKind reads a stored kind; files stored before kinds existed were
// renders.
func fileKind(s string) cynllun.FileKind {
	if s == "" {
		return cynllun.FileRendered
	}
	return cynllun.FileKind(s)
}

// FilesByID returns the metadata of the files found, in any order, in one
// round trip.
func (db *DB) FilesByID(ctx context.Context, ids []string) ([]*cynllun.File, error) {
	const op = "mongodb.FilesByID"
	ids = dedupe(ids)
	if len(ids) == 0 {
		return nil, nil
	}
	opts := pageOpts(len(ids)).SetProjection(bson.D{{Key: "_id", Value: 1}, {Key: "length", Value: 1}, {Key: "metadata", Value: 1}})
	docs, err := findAll[fileDoc](ctx, db.coll(collFilesFiles), bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}}, opts)
	return converted(op, docs, err, fromFileDoc)
}

// bucket returns a fresh handle on the files bucket. A *mongo.GridFSBucket
// is not safe for concurrent use (it shares a read buffer between uploads
// and remembers its first write without a lock), so every call gets its
// own; building one allocates two chunk-sized buffers and sends nothing.
//
// Before its first upload a bucket looks at whether files.files is empty
// and, if so, lists the indexes and creates the two GridFS indexes when
// their keys are missing. ensureIndexes creates them at Open with the same
// keys (and the driver's names), so the driver only ever finds them.
func (db *DB) bucket() *mongo.GridFSBucket {
	return db.db.GridFSBucket(options.GridFSBucket().SetName(bucketFiles))
}

const (
	// putFileAttempts bounds how often PutFile starts an upload afresh
	// after a concurrent writer of the same id did not finish.
	putFileAttempts = 3
	// putFileWait is how long PutFile waits for a concurrent writer of the
	// same id to finish before it starts afresh.
	putFileWait = 20 * time.Second
)

// PutFile stores data under f.ID with f as its metadata (f.Size is
// ignored: the size is the length of data).
//
// It is idempotent and crash-safe without transactions:
//
//   - When the files document of f.ID exists, nothing is written. The files
//     document is what makes a file exist: the driver inserts it after the
//     last chunk, so it is never there without its chunks.
//   - Otherwise any chunks of f.ID are the leftovers of an interrupted
//     earlier upload (or of one in progress, see below) and are deleted
//     before the upload, which inserts the chunks and then the files
//     document.
//   - Two writers of the same id meet on the unique index of
//     files.chunks (files_id, n) or on the files _id. The one that gets the
//     duplicate key waits for the files document to appear and then
//     succeeds; if it does not appear within putFileWait (the other writer
//     died), it starts afresh. Because ids are content addresses, chunks
//     written by either writer are interchangeable, and a chunk one writer
//     deletes while another uploads is put back by the writer that deleted
//     it, which uploads every chunk from the first up to the first one it
//     finds already there.
//
// What this cannot cover: a writer that dies after deleting the chunks of
// a file whose upload another writer has just completed (it saw no files
// document just before that document was written) leaves that file
// without chunks; ReadFile then fails with INTERNAL.
func (db *DB) PutFile(ctx context.Context, f *cynllun.File, data []byte) error {
	return db.putFile(ctx, "mongodb.PutFile", f, bytes.NewReader(data))
}

// PutFileFrom is PutFile reading the bytes from r, which it seeks to its
// start before every upload attempt (f.Size is ignored: the size is what r
// holds from its start). Only the driver's upload reads r, in batches of
// at most 16 MiB, so the whole file is never held in memory here.
func (db *DB) PutFileFrom(ctx context.Context, f *cynllun.File, r io.ReadSeeker) error {
	return db.putFile(ctx, "mongodb.PutFileFrom", f, r)
}

// putFile is PutFile and PutFileFrom, reporting errors as op.
func (db *DB) putFile(ctx context.Context, op string, f *cynllun.File, r io.ReadSeeker) error {
	if f == nil || f.ID == "" {
		return cynllun.E(cynllun.CodeInvalid, op, "a file id is required")
	}
	if r == nil {
		return cynllun.E(cynllun.CodeInvalid, op, "the file's bytes are required")
	}
	upload := options.GridFSUpload().SetMetadata(toFileMetaDoc(f))
	chunks := db.coll(collFilesChunks)
	for attempt := 1; ; attempt++ {
		exists, err := db.fileExists(ctx, f.ID)
		if err != nil {
			return cynllun.Internal(op, err)
		}
		if exists {
			return nil
		}
		if attempt > putFileAttempts {
			return cynllun.Internal(op, errors.New("a concurrent upload of the same file did not finish"))
		}
		if _, err := chunks.DeleteMany(ctx, bson.D{{Key: "files_id", Value: f.ID}}); err != nil {
			return cynllun.Internal(op, fmt.Errorf("remove the chunks of an interrupted upload: %w", err))
		}
		// Every attempt uploads every byte, from the first.
		if _, err := r.Seek(0, io.SeekStart); err != nil {
			return cynllun.Internal(op, fmt.Errorf("rewind the file's bytes: %w", err))
		}
		err = db.bucket().UploadFromStreamWithID(ctx, f.ID, f.ID, r, upload)
		if err == nil {
			return nil
		}
		if !isDuplicateKey(err) {
			return cynllun.Internal(op, err)
		}
		// Another writer of the same id is at work (or has just finished).
		done, err := db.waitForFile(ctx, f.ID, putFileWait)
		if err != nil {
			return cynllun.Internal(op, err)
		}
		if done {
			return nil
		}
	}
}

// fileExists reports whether the files document of id exists.
func (db *DB) fileExists(ctx context.Context, id string) (bool, error) {
	err := db.coll(collFilesFiles).FindOne(ctx, bson.D{{Key: "_id", Value: id}},
		options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}})).Err()
	switch {
	case err == nil:
		return true, nil
	case isNoDocuments(err):
		return false, nil
	}
	return false, err
}

// waitForFile polls, with a growing interval, until the files document of
// id exists (true) or wait has passed (false).
func (db *DB) waitForFile(ctx context.Context, id string, wait time.Duration) (bool, error) {
	deadline := time.Now().Add(wait)
	interval := 10 * time.Millisecond
	for {
		exists, err := db.fileExists(ctx, id)
		if err != nil || exists {
			return exists, err
		}
		left := time.Until(deadline)
		if left <= 0 {
			return false, nil
		}
		t := time.NewTimer(min(interval, left))
		select {
		case <-ctx.Done():
			t.Stop()
			return false, ctx.Err()
		case <-t.C:
		}
		interval = min(2*interval, 500*time.Millisecond)
	}
}

// FileByID returns a file's metadata; NOT_FOUND when there is none.
func (db *DB) FileByID(ctx context.Context, id string) (*cynllun.File, error) {
	const op = "mongodb.FileByID"
	var d fileDoc
	opts := options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}, {Key: "length", Value: 1}, {Key: "metadata", Value: 1}})
	if err := db.coll(collFilesFiles).FindOne(ctx, bson.D{{Key: "_id", Value: id}}, opts).Decode(&d); err != nil {
		if isNoDocuments(err) {
			return nil, cynllun.NotFound(op, "file")
		}
		return nil, cynllun.Internal(op, err)
	}
	f, err := fromFileDoc(&d)
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	return f, nil
}

// maxReadFile bounds what ReadFile holds in memory.
const maxReadFile = 256 << 20

// ReadFile returns a file's bytes; NOT_FOUND when there is none. It reads
// the whole file into memory: files are rendered PDFs of a few MB. Larger
// files would want a streaming read (OpenDownloadStream) instead.
func (db *DB) ReadFile(ctx context.Context, id string) ([]byte, error) {
	const op = "mongodb.ReadFile"
	ds, err := db.bucket().OpenDownloadStream(ctx, id)
	if err != nil {
		if errors.Is(err, mongo.ErrFileNotFound) {
			return nil, cynllun.NotFound(op, "file")
		}
		return nil, cynllun.Internal(op, err)
	}
	defer func() { _ = ds.Close() }()
	n := ds.GetFile().Length
	if n < 0 || n > maxReadFile {
		return nil, cynllun.Internal(op, fmt.Errorf("stored file length %d is out of range", n))
	}
	data := make([]byte, n)
	if _, err := io.ReadFull(ds, data); err != nil {
		return nil, cynllun.Internal(op, err)
	}
	return data, nil
}
