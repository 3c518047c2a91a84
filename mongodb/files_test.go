package mongodb

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/cynllun/cynllun"
)

// newFile returns n random bytes and their content-addressed metadata.
func newFile(t *testing.T, n int) (*cynllun.File, []byte) {
	t.Helper()
	data := make([]byte, n)
	if _, err := rand.Read(data); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	h := hex.EncodeToString(sum[:])
	id := cynllun.FileIDFor(h)
	if n == 0 {
		// Every empty file has the same content address; a test run of its
		// own needs an id of its own (PutFile does not check the address).
		id = cynllun.NewID(cynllun.PrefixFile)
	}
	return &cynllun.File{
		ID:          id,
		Name:        "Cynllun Datblygu Unigol — Siôn ap Ŵyn.pdf",
		ContentType: "application/pdf",
		Size:        int64(n),
		Pages:       12,
		SHA256:      h,
		LearnerID:   cynllun.NewID(cynllun.PrefixLearner),
		PlanID:      cynllun.NewID(cynllun.PrefixPlan),
		Version:     4,
		ReviewID:    cynllun.NewID(cynllun.PrefixReview),
		Kind:        cynllun.FileUpload,
		CreatedBy:   "usr_uploader",
		CreatedAt:   t0,
	}, data
}

// wantChunks is how many chunks the driver writes for n bytes.
func wantChunks(n int) int64 {
	size := int(mongo.DefaultGridFSChunkSize)
	return int64((n + size - 1) / size)
}

func countFileDocs(t *testing.T, id string) (files, chunks int64) {
	t.Helper()
	ctx := t.Context()
	files, err := testDB.coll(collFilesFiles).CountDocuments(ctx, bson.D{{Key: "_id", Value: id}})
	if err != nil {
		t.Fatal(err)
	}
	chunks, err = testDB.coll(collFilesChunks).CountDocuments(ctx, bson.D{{Key: "files_id", Value: id}})
	if err != nil {
		t.Fatal(err)
	}
	return files, chunks
}

// checkFile checks that id is stored once, whole, with metadata want and
// bytes data.
func checkFile(t *testing.T, want *cynllun.File, data []byte) {
	t.Helper()
	ctx := t.Context()
	got, err := testDB.FileByID(ctx, want.ID)
	if err != nil {
		t.Fatalf("FileByID: %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("FileByID (-want +got):\n%s", diff)
	}
	b, err := testDB.ReadFile(ctx, want.ID)
	if err != nil {
		t.Fatalf("ReadFile: %v", err)
	}
	if !bytes.Equal(b, data) {
		t.Errorf("ReadFile returned %d bytes that differ from the %d stored", len(b), len(data))
	}
	files, chunks := countFileDocs(t, want.ID)
	if files != 1 || chunks != wantChunks(len(data)) {
		t.Errorf("stored %d files documents and %d chunks, want 1 and %d", files, chunks, wantChunks(len(data)))
	}
}

// fileSizes are the sizes a stored file round-trips at: the chunking's
// edge cases.
var fileSizes = []struct {
	name string
	size int
}{
	{"3 MB", 3 << 20},
	{"one partial chunk", 1000},
	{"exactly two chunks", 2 * int(mongo.DefaultGridFSChunkSize)},
	{"empty", 0},
}

func TestFileRoundTrip(t *testing.T) {
	t.Parallel()
	for _, tt := range fileSizes {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, data := newFile(t, tt.size)
			if err := testDB.PutFile(t.Context(), f, data); err != nil {
				t.Fatalf("PutFile: %v", err)
			}
			checkFile(t, f, data)
		})
	}
}

func TestPutFileTwiceIsNoOp(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	f, data := newFile(t, 600<<10)
	if err := testDB.PutFile(ctx, f, data); err != nil {
		t.Fatalf("PutFile: %v", err)
	}
	_, chunksBefore := countFileDocs(t, f.ID)

	// The second call writes nothing: not even its different metadata.
	again := *f
	again.Name = "arall.pdf"
	again.Pages = 99
	cmds := commands(t, func(ctx context.Context) {
		if err := testDB.PutFile(ctx, &again, data); err != nil {
			t.Fatalf("PutFile again: %v", err)
		}
	})
	// The insert of the first chunk meets the stored one; the file is
	// then found, and nothing more is sent.
	if want := []string{"insert", findByID}; !slices.Equal(cmds, want) {
		t.Errorf("PutFile of a stored file sent %v, want %v", cmds, want)
	}
	if _, chunks := countFileDocs(t, f.ID); chunks != chunksBefore {
		t.Errorf("chunk count changed from %d to %d", chunksBefore, chunks)
	}
	checkFile(t, f, data)
}

func TestPutFileRepairsInterruptedUpload(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	f, data := newFile(t, 1<<20)
	// What a writer that died mid-upload leaves: some chunks (here with
	// wrong bytes, and one past the end) and no files document.
	var orphans []any
	for _, n := range []int32{0, 1, 7} {
		orphans = append(orphans, bson.D{
			{Key: "_id", Value: bson.NewObjectID()},
			{Key: "files_id", Value: f.ID},
			{Key: "n", Value: n},
			{Key: "data", Value: bson.Binary{Data: bytes.Repeat([]byte{byte(n)}, 1000)}},
		})
	}
	if _, err := testDB.coll(collFilesChunks).InsertMany(ctx, orphans); err != nil {
		t.Fatal(err)
	}
	if _, err := testDB.FileByID(ctx, f.ID); codeOf(err) != cynllun.CodeNotFound {
		t.Fatalf("FileByID before repair = %v, want NOT_FOUND", err)
	}
	if err := testDB.PutFile(ctx, f, data); err != nil {
		t.Fatalf("PutFile: %v", err)
	}
	checkFile(t, f, data)
}

func TestPutFileConcurrent(t *testing.T) {
	t.Parallel()
	f, data := newFile(t, 3<<20)
	const writers = 5
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() {
			// Each writer its own copy, as separate workers would have.
			fc := *f
			errs[i] = testDB.PutFile(t.Context(), &fc, bytes.Clone(data))
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("writer %d: %v", i, err)
		}
	}
	checkFile(t, f, data)
}

func TestFileErrors(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	missing, _ := newFile(t, 10)
	if _, err := testDB.FileByID(ctx, missing.ID); codeOf(err) != cynllun.CodeNotFound {
		t.Errorf("FileByID of a missing file = %v, want NOT_FOUND", err)
	} else if e := asError(t, err); e.Message != "file not found" {
		t.Errorf("message %q", e.Message)
	}
	if _, err := testDB.ReadFile(ctx, missing.ID); codeOf(err) != cynllun.CodeNotFound {
		t.Errorf("ReadFile of a missing file = %v, want NOT_FOUND", err)
	}
	if err := testDB.PutFile(ctx, &cynllun.File{}, []byte("x")); codeOf(err) != cynllun.CodeInvalid {
		t.Errorf("PutFile without an id = %v, want INVALID", err)
	}
}

// TestGridFSIndexes checks that the driver's uploads found the indexes
// ensureIndexes made and created none of their own.
func TestGridFSIndexes(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	f, data := newFile(t, 100)
	if err := testDB.PutFile(ctx, f, data); err != nil {
		t.Fatal(err)
	}
	for coll, want := range map[string][]string{
		collFilesFiles:  {"_id_", "filename_1_uploadDate_1"},
		collFilesChunks: {"_id_", "files_id_1_n_1"},
	} {
		cur, err := testDB.coll(coll).Indexes().List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var specs []struct {
			Name string `bson:"name"`
		}
		if err := cur.All(ctx, &specs); err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, s := range specs {
			names = append(names, s.Name)
		}
		slices.Sort(names)
		if !slices.Equal(names, want) {
			t.Errorf("indexes of %s = %v, want %v", coll, names, want)
		}
	}
}

func TestFilesByID(t *testing.T) {
	ctx := context.Background()
	a, da := newFile(t, 100)
	b, db := newFile(t, 200)
	for _, x := range []struct {
		f *cynllun.File
		d []byte
	}{{a, da}, {b, db}} {
		if err := testDB.PutFile(ctx, x.f, x.d); err != nil {
			t.Fatal(err)
		}
	}
	got, err := testDB.FilesByID(ctx, []string{a.ID, b.ID, "fil_missing", a.ID})
	if err != nil || len(got) != 2 {
		t.Fatalf("FilesByID = %v, %v", got, err)
	}
	for _, f := range got {
		if f.Kind != cynllun.FileUpload || f.CreatedBy != "usr_uploader" || f.ReviewID == "" {
			t.Errorf("metadata lost: %+v", f)
		}
	}
}

// TestPutFileOverwritesLeftovers: what an interrupted upload of this
// layout leaves (chunks under their deterministic ids, here with wrong
// bytes and more of them than the file has, as an earlier upload of a
// longer file under the same id would) is not a file, and the next PutFile
// overwrites it and removes the chunks past the end.
func TestPutFileOverwritesLeftovers(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	f, data := newFile(t, 2*fileChunkSize+1000) // 3 chunks
	var leftovers []any
	for n := range 5 {
		leftovers = append(leftovers, newChunk(f.ID, n, bytes.Repeat([]byte{byte(n)}, fileChunkSize)))
	}
	if _, err := testDB.coll(collFilesChunks).InsertMany(ctx, leftovers); err != nil {
		t.Fatal(err)
	}
	if _, err := testDB.FileByID(ctx, f.ID); codeOf(err) != cynllun.CodeNotFound {
		t.Fatalf("FileByID of leftovers = %v, want NOT_FOUND", err)
	}
	if _, err := testDB.ReadFile(ctx, f.ID); codeOf(err) != cynllun.CodeNotFound {
		t.Fatalf("ReadFile of leftovers = %v, want NOT_FOUND", err)
	}
	if err := testDB.PutFile(ctx, f, data); err != nil {
		t.Fatalf("PutFile: %v", err)
	}
	checkFile(t, f, data)
}

// failingReader fails once it has been read past failAt.
type failingReader struct {
	*bytes.Reader
	failAt int64
}

var errReaderBroke = errors.New("reader broke")

func (r *failingReader) Read(p []byte) (int, error) {
	if pos := r.Size() - int64(r.Len()); pos+int64(len(p)) > r.failAt {
		return 0, errReaderBroke
	}
	return r.Reader.Read(p)
}

// TestInterruptedUpload: an upload that stops part-way leaves chunks and no
// file; a reader polling all along sees either no file or the whole file,
// and the next upload completes it.
func TestInterruptedUpload(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	f, data := newFile(t, chunkBatch*fileChunkSize+3*fileChunkSize/2) // one full batch, then 2 chunks
	err := testDB.PutFileFrom(ctx, f, &failingReader{Reader: bytes.NewReader(data), failAt: int64(len(data) - 1)})
	if !errors.Is(err, errReaderBroke) {
		t.Fatalf("PutFileFrom with a broken reader = %v, want it to fail", err)
	}
	if files, chunks := countFileDocs(t, f.ID); files != 0 || chunks != chunkBatch {
		t.Fatalf("interrupted upload left %d files documents and %d chunks, want 0 and %d", files, chunks, chunkBatch)
	}

	stop := make(chan struct{})
	var reads, whole int
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			got, err := testDB.ReadFile(ctx, f.ID)
			switch {
			case codeOf(err) == cynllun.CodeNotFound:
			case err != nil:
				t.Errorf("ReadFile during the upload: %v", err)
				return
			case !bytes.Equal(got, data):
				t.Errorf("ReadFile during the upload returned %d bytes that are not the file", len(got))
				return
			default:
				whole++
			}
			reads++
			select { // a pause, so as not to starve the upload it watches
			case <-stop:
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	})
	err = testDB.PutFileFrom(ctx, f, bytes.NewReader(data))
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatalf("PutFileFrom after the interruption: %v", err)
	}
	t.Logf("%d reads during the upload, %d of the whole file", reads, whole)
	checkFile(t, f, data)
}

// TestDriverBucketCompatible: the driver's GridFS bucket (the standard
// reader) reads what PutFile wrote, and ReadFile reads what the bucket
// wrote (chunks with ObjectID _ids, as files stored before this layout).
func TestDriverBucketCompatible(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	bucket := testDB.Database().GridFSBucket(options.GridFSBucket().SetName(bucketFiles))

	f, data := newFile(t, 2*fileChunkSize+7)
	if err := testDB.PutFile(ctx, f, data); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := bucket.DownloadToStream(ctx, f.ID, &buf); err != nil {
		t.Fatalf("bucket download: %v", err)
	}
	if !bytes.Equal(buf.Bytes(), data) {
		t.Errorf("the bucket read %d bytes that differ from the %d stored", buf.Len(), len(data))
	}

	old, oldData := newFile(t, 3*fileChunkSize-5)
	if err := bucket.UploadFromStreamWithID(ctx, old.ID, old.ID, bytes.NewReader(oldData),
		options.GridFSUpload().SetMetadata(toFileMetaDoc(old))); err != nil {
		t.Fatal(err)
	}
	checkFile(t, old, oldData)
}
