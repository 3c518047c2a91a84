package mongodb

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/cynllun/cynllun"
)

// Files are stored in the GridFS layout, bucket "files": collections
// files.files (_id, length, chunkSize, uploadDate, filename, metadata) and
// files.chunks (files_id, n, data), so the driver's GridFS bucket and other
// standard GridFS tools read them. The adapter writes and reads that layout
// itself, not through the driver's bucket, for two reasons:
//
//   - Every access is an equality on _id. The GridFS _id is the string
//     cynllun.File.ID, a content address ("fil_<sha256 hex>"), so the same
//     bytes always get the same id; and chunk n of file id has the
//     deterministic string _id chunkID(id, n) = id + "/" + n. On the
//     embedded FerretDB an equality on _id is the one filter pushed down to
//     SQLite (stack-notes §2), and sqliteindex.go gives the two tables an
//     index SQLite uses for it; any other filter (files_id, $in) decodes the
//     whole collection in Go. The bucket's download filters on files_id and
//     its upload had to be preceded by a delete on files_id, so each cost
//     grew with every byte stored.
//   - Writes are replayable: a chunk is inserted, or replaced by _id when
//     it is there already, so a later upload of the same file overwrites
//     whatever an interrupted one left, without looking for it first.
//
// Write order and what it guarantees: the chunks first, in order of n,
// then (only when leftovers were met) the removal of chunks past the new
// end, then the files document. A files document therefore means a whole
// file; a file without one does not exist (FileByID, ReadFile: NOT_FOUND),
// whatever chunks it has. See putFile. The GridFS filename is the id as
// well (the download name, which may name a child, stays in the
// metadata); the length is GridFS's own and is File.Size.
//
// Files written by the driver's bucket before this layout (ObjectID chunk
// _ids) stay readable: when a chunk is missing under its deterministic _id,
// ReadFile reads the chunks by files_id instead, as the driver did (a
// whole-collection scan on the embedded store; MongoDB has the index). A
// re-upload over the leftovers of an interrupted bucket upload meets them
// on the unique (files_id, n) index when they include chunk 0, as the
// bucket's ordered inserts leave them, and removes them (replaceChunks);
// leftovers without chunk 0 would stay behind as chunks past the file's
// end, which ReadFile never asks for.

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

// FilesByID returns the metadata of the files found, in any order: on
// MongoDB with one $in query, on the embedded store with concurrent
// look-ups by _id (findEachID), because $in is not pushed down there.
func (db *DB) FilesByID(ctx context.Context, ids []string) ([]*cynllun.File, error) {
	const op = "mongodb.FilesByID"
	ids = dedupe(ids)
	if len(ids) == 0 {
		return nil, nil
	}
	proj := bson.D{{Key: "_id", Value: 1}, {Key: "length", Value: 1}, {Key: "metadata", Value: 1}}
	var docs []fileDoc
	var err error
	if db.embedded || len(ids) == 1 {
		docs, err = findEachID[fileDoc](ctx, db.coll(collFilesFiles), ids, options.FindOne().SetProjection(proj))
	} else {
		docs, err = findAll[fileDoc](ctx, db.coll(collFilesFiles), bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}},
			pageOpts(len(ids)).SetProjection(proj))
	}
	return converted(op, docs, err, fromFileDoc)
}

const (
	// fileChunkSize is the size of every chunk but a file's last: the
	// GridFS default, which files written by the driver's bucket have too.
	fileChunkSize = int(mongo.DefaultGridFSChunkSize)
	// chunkBatch is how many chunks one insert carries (about 4 MiB): what
	// PutFileFrom holds of a file at a time.
	chunkBatch = 16
	// chunkReads bounds the concurrent chunk look-ups of one ReadFile on
	// the embedded store.
	chunkReads = 6
)

// chunkID is the _id of chunk n of file id.
func chunkID(id string, n int) string { return id + "/" + strconv.Itoa(n) }

// chunkDoc is a files.chunks document. Its _id is left out when reading,
// so that chunks written by the driver (ObjectID _ids) decode too.
type chunkDoc struct {
	N    int64  `bson:"n"`
	Data []byte `bson:"data"`
}

func newChunk(id string, n int, data []byte) bson.D {
	return bson.D{
		{Key: "_id", Value: chunkID(id, n)},
		{Key: "files_id", Value: id},
		{Key: "n", Value: int32(n)},
		{Key: "data", Value: bson.Binary{Data: data}},
	}
}

// PutFile stores data under f.ID with f as its metadata (f.Size is
// ignored: the size is the length of data).
//
// It is idempotent and crash-safe without transactions or locks:
//
//   - When the files document of f.ID exists, nothing more is written:
//     that document is written last, so it is never there without its
//     chunks. It is looked for only when the insert of the first chunks
//     meets one that exists, so a new file costs no look-up.
//   - Otherwise chunks 0, 1, ... are inserted in order (and each upload
//     starts at chunk 0), so what an interrupted upload leaves is always
//     chunks 0..m of the file and no files document. When chunk 0 is
//     inserted fresh there are no leftovers, and nothing is looked up or
//     deleted. When an insert meets a chunk that is there already
//     (a leftover, or a concurrent writer's), PutFile replaces the chunks
//     by _id from there on and, before writing the files document,
//     removes any chunks past the file's end (trimChunks).
//   - Two writers of the same id never wait for each other: ids are content
//     addresses, so both write the same chunks, each replace is of one
//     whole chunk by the same bytes, and the end both trim at is the same.
//     The first files document wins; the other writer's insert of it is a
//     duplicate key, which means the file exists, and it succeeds.
//   - A reader never sees a partial file: without the files document the
//     file does not exist, and with it every chunk is whole (a concurrent
//     replace rewrites a chunk of a finished file with equal bytes).
//
// All of this rests on ids being content addresses (cynllun.FileIDFor): a
// caller that stored different bytes under one id would get a file of
// mixed chunks.
func (db *DB) PutFile(ctx context.Context, f *cynllun.File, data []byte) error {
	return db.putFile(ctx, "mongodb.PutFile", f, bytes.NewReader(data))
}

// PutFileFrom is PutFile reading the bytes from r, which it seeks to its
// start first (f.Size is ignored: the size is what r holds from its
// start). It reads r one batch of chunkBatch chunks at a time, so the
// whole file is never held in memory here.
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
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return cynllun.Internal(op, fmt.Errorf("rewind the file's bytes: %w", err))
	}
	// The chunks are inserted without asking first whether the file
	// exists: a new file (nearly every write) costs no look-up. Only when
	// the first batch meets a chunk of the same id is the file looked for:
	// stored already (ids are content digests), nothing is written.
	length, chunks, repaired, err := db.putChunks(ctx, f.ID, r)
	if errors.Is(err, errFileStored) {
		return nil
	}
	if err != nil {
		return cynllun.Internal(op, err)
	}
	// Leftovers past the end exist only where a chunk was met already (an
	// empty file has no chunk 0 to meet them with).
	if repaired || chunks == 0 {
		if err := db.trimChunks(ctx, f.ID, chunks); err != nil {
			return cynllun.Internal(op, fmt.Errorf("remove the chunks of an interrupted upload: %w", err))
		}
	}
	_, err = db.coll(collFilesFiles).InsertOne(ctx, bson.D{
		{Key: "_id", Value: f.ID},
		{Key: "length", Value: length},
		{Key: "chunkSize", Value: int32(fileChunkSize)},
		{Key: "uploadDate", Value: bson.NewDateTimeFromTime(time.Now())},
		{Key: "filename", Value: f.ID},
		{Key: "metadata", Value: toFileMetaDoc(f)},
	})
	if err != nil && !isDuplicateKey(err) { // a duplicate: a concurrent writer finished first
		return cynllun.Internal(op, err)
	}
	return nil
}

// putChunks writes the chunks of file id read from r, in order of n, and
// returns the file's length and number of chunks. Each batch is inserted;
// from the first batch that meets an existing chunk on, batches are written
// by replacing each chunk by _id instead (repaired is then true).
// errFileStored stops putChunks when the file is stored complete already.
var errFileStored = errors.New("the file is stored already")

func (db *DB) putChunks(ctx context.Context, id string, r io.Reader) (length int64, chunks int, repaired bool, err error) {
	buf := make([]byte, chunkBatch*fileChunkSize)
	for {
		n, rerr := io.ReadFull(r, buf)
		switch {
		case rerr == io.EOF, rerr == io.ErrUnexpectedEOF:
		case rerr != nil:
			return 0, 0, false, fmt.Errorf("read the file's bytes: %w", rerr)
		}
		var docs []any
		for off := 0; off < n; off += fileChunkSize {
			docs = append(docs, newChunk(id, chunks+len(docs), buf[off:min(off+fileChunkSize, n)]))
		}
		if len(docs) > 0 {
			if !repaired {
				_, err := db.coll(collFilesChunks).InsertMany(ctx, docs)
				switch {
				case err == nil:
				case isDuplicateKey(err) && chunks == 0:
					exists, ferr := db.fileExists(ctx, id)
					if ferr != nil {
						return 0, 0, false, ferr
					}
					if exists {
						return 0, 0, false, errFileStored
					}
					repaired = true
				case isDuplicateKey(err):
					repaired = true
				default:
					return 0, 0, false, err
				}
			}
			if repaired {
				// The whole batch again: an ordered insert stops at its
				// first duplicate, and replacing a chunk it did write is
				// harmless.
				if err := db.replaceChunks(ctx, id, docs); err != nil {
					return 0, 0, false, err
				}
			}
		}
		length += int64(n)
		chunks += len(docs)
		if rerr != nil {
			return length, chunks, repaired, nil
		}
	}
}

// replaceChunks writes chunks by _id, replacing those that exist. An
// upsert can still fail with a duplicate key: on FerretDB when a
// concurrent writer inserted the same _id between its look-up and its
// insert (the retry then replaces it), and on both servers when a chunk
// written by the driver's bucket holds the same (files_id, n) under an
// ObjectID _id; those are removed before the retry.
func (db *DB) replaceChunks(ctx context.Context, id string, docs []any) error {
	chunks := db.coll(collFilesChunks)
	upsert := options.Replace().SetUpsert(true)
	for _, d := range docs {
		c := d.(bson.D)
		for attempt := 1; ; attempt++ {
			_, err := chunks.ReplaceOne(ctx, bson.D{c[0]}, c, upsert)
			if err == nil {
				break
			}
			if !isDuplicateKey(err) || attempt == 3 {
				return err
			}
			if attempt == 1 {
				continue
			}
			if _, err := chunks.DeleteMany(ctx, bson.D{
				{Key: "files_id", Value: id},
				{Key: "_id", Value: bson.D{{Key: "$type", Value: "objectId"}}},
			}); err != nil {
				return err
			}
		}
	}
	return nil
}

// trimChunks removes the chunks of file id from chunk n on: a leftover
// of an interrupted upload of a longer file under the same id. Leftovers
// are chunks 0..m, so it looks up chunks n, n+1, ... by _id until one is
// missing and then deletes them last first, so that what an interrupted
// trim leaves is again chunks 0..m', which the next trim finds.
func (db *DB) trimChunks(ctx context.Context, id string, n int) error {
	chunks := db.coll(collFilesChunks)
	idOnly := options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}})
	end := n
	for ; ; end++ {
		err := chunks.FindOne(ctx, bson.D{{Key: "_id", Value: chunkID(id, end)}}, idOnly).Err()
		if isNoDocuments(err) {
			break
		}
		if err != nil {
			return err
		}
	}
	for i := end - 1; i >= n; i-- {
		if _, err := chunks.DeleteOne(ctx, bson.D{{Key: "_id", Value: chunkID(id, i)}}); err != nil {
			return err
		}
	}
	return nil
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

// errMissingChunks says that a chunk of a file is not under its
// deterministic _id.
var errMissingChunks = errors.New("missing chunks")

// ReadFile returns a file's bytes; NOT_FOUND when there is none. It reads
// the whole file into memory: files are rendered PDFs of a few MB.
//
// It reads the files document by _id, then the chunks by their _ids:
// on MongoDB in one $in query, on the embedded store by concurrent
// look-ups (at most chunkReads at a time). A file written by the driver's
// bucket is read by files_id instead.
func (db *DB) ReadFile(ctx context.Context, id string) ([]byte, error) {
	const op = "mongodb.ReadFile"
	var d struct {
		Length    int64 `bson:"length"`
		ChunkSize int64 `bson:"chunkSize"`
	}
	opts := options.FindOne().SetProjection(bson.D{{Key: "length", Value: 1}, {Key: "chunkSize", Value: 1}})
	if err := db.coll(collFilesFiles).FindOne(ctx, bson.D{{Key: "_id", Value: id}}, opts).Decode(&d); err != nil {
		if isNoDocuments(err) {
			return nil, cynllun.NotFound(op, "file")
		}
		return nil, cynllun.Internal(op, err)
	}
	if d.Length < 0 || d.Length > maxReadFile || d.ChunkSize <= 0 || d.ChunkSize > maxReadFile {
		return nil, cynllun.Internal(op, fmt.Errorf("stored file length %d or chunk size %d is out of range", d.Length, d.ChunkSize))
	}
	data := make([]byte, d.Length)
	size := int(d.ChunkSize)
	err := db.readChunks(ctx, id, data, size)
	if errors.Is(err, errMissingChunks) {
		err = db.readChunksByFile(ctx, id, data, size)
	}
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	return data, nil
}

// numChunks is how many chunks of size hold length bytes.
func numChunks(length, size int) int { return (length + size - 1) / size }

// putChunk copies chunk c into data, checking its index and size.
func putChunk(data []byte, size int, c *chunkDoc, filled []bool) error {
	n := numChunks(len(data), size)
	if c.N < 0 || c.N >= int64(n) || filled[c.N] {
		return fmt.Errorf("unexpected chunk %d of %d", c.N, n)
	}
	off := int(c.N) * size
	if want := min(size, len(data)-off); len(c.Data) != want {
		return fmt.Errorf("chunk %d holds %d bytes, want %d", c.N, len(c.Data), want)
	}
	copy(data[off:], c.Data)
	filled[c.N] = true
	return nil
}

// readChunks fills data from the chunks under their deterministic _ids;
// errMissingChunks when one is not there.
func (db *DB) readChunks(ctx context.Context, id string, data []byte, size int) error {
	n := numChunks(len(data), size)
	if n == 0 {
		return nil
	}
	chunks := db.coll(collFilesChunks)
	filled := make([]bool, n)
	noID := bson.D{{Key: "n", Value: 1}, {Key: "data", Value: 1}}
	if !db.embedded {
		ids := make([]string, n)
		for i := range ids {
			ids[i] = chunkID(id, i)
		}
		cur, err := chunks.Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}},
			options.Find().SetProjection(noID))
		if err != nil {
			return err
		}
		found, err := fillChunks(ctx, cur, data, size, filled)
		if err != nil {
			return err
		}
		if found != n {
			return errMissingChunks
		}
		return nil
	}
	var mu sync.Mutex // guards filled
	opts := options.FindOne().SetProjection(noID)
	return parallel(ctx, n, chunkReads, func(ctx context.Context, i int) error {
		var c chunkDoc
		err := chunks.FindOne(ctx, bson.D{{Key: "_id", Value: chunkID(id, i)}}, opts).Decode(&c)
		if isNoDocuments(err) {
			return errMissingChunks
		}
		if err != nil {
			return err
		}
		if c.N != int64(i) {
			return fmt.Errorf("chunk %s has n %d", chunkID(id, i), c.N)
		}
		mu.Lock()
		defer mu.Unlock()
		return putChunk(data, size, &c, filled)
	})
}

// fillChunks puts every chunk of cur into data and closes cur; it returns
// how many it put.
func fillChunks(ctx context.Context, cur *mongo.Cursor, data []byte, size int, filled []bool) (int, error) {
	defer func() { _ = cur.Close(ctx) }()
	found := 0
	for cur.Next(ctx) {
		var c chunkDoc
		if err := cur.Decode(&c); err != nil {
			return found, err
		}
		if err := putChunk(data, size, &c, filled); err != nil {
			return found, err
		}
		found++
	}
	return found, cur.Err()
}

// readChunksByFile fills data from the chunks found by files_id, as the
// driver's bucket reads them: for files the bucket wrote.
func (db *DB) readChunksByFile(ctx context.Context, id string, data []byte, size int) error {
	n := numChunks(len(data), size)
	cur, err := db.coll(collFilesChunks).Find(ctx, bson.D{{Key: "files_id", Value: id}},
		options.Find().SetProjection(bson.D{{Key: "n", Value: 1}, {Key: "data", Value: 1}}).SetBatchSize(int32(chunkBatch)))
	if err != nil {
		return err
	}
	found, err := fillChunks(ctx, cur, data, size, make([]bool, n))
	if err != nil {
		return err
	}
	if found != n {
		return fmt.Errorf("found %d of the file's %d chunks", found, n)
	}
	return nil
}
