package mongodb

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"

	"github.com/cynllun/cynllun"
)

// BenchmarkFiles measures PutFile, ReadFile and FilesByID of 60 KiB files
// with 10 and with 1,000 files stored, each in a database of its own (a
// fresh embedded FerretDB, or a fresh database at
// CYNLLUN_TEST_MONGODB_URI). Their cost should not grow with what is
// stored.
func BenchmarkFiles(b *testing.B) {
	const size = 60 << 10
	for _, stored := range []int{10, 1000} {
		b.Run(fmt.Sprintf("stored=%d", stored), func(b *testing.B) {
			ctx := context.Background()
			cfg := Config{URI: testCfg.URI}
			if cfg.URI != "" {
				cfg.Database = fmt.Sprintf("%s_files_%d", testCfg.Database, stored)
			}
			db, err := Open(ctx, cfg)
			if err != nil {
				b.Fatal(err)
			}
			defer func() {
				if !db.Embedded() {
					_ = db.Database().Drop(ctx)
				}
				_ = db.Close(ctx)
			}()
			put := func() string {
				f, data := benchFile(b, size)
				if err := db.PutFile(ctx, f, data); err != nil {
					b.Fatal(err)
				}
				return f.ID
			}
			ids := make([]string, stored)
			for i := range ids {
				ids[i] = put()
			}

			b.Run("PutFile", func(b *testing.B) {
				for b.Loop() {
					put()
				}
			})
			b.Run("ReadFile", func(b *testing.B) {
				i := 0
				for b.Loop() {
					// Stride through the stored files, so that reads hit
					// the start, middle and end of the collection.
					i = (i + 7919) % len(ids)
					if _, err := db.ReadFile(ctx, ids[i]); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("FilesByID10", func(b *testing.B) {
				i := 0
				for b.Loop() {
					batch := make([]string, 10)
					for j := range batch {
						i = (i + 7919) % len(ids)
						batch[j] = ids[i]
					}
					if _, err := db.FilesByID(ctx, batch); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

// benchFile returns n random bytes and their content-addressed metadata.
func benchFile(b *testing.B, n int) (*cynllun.File, []byte) {
	data := make([]byte, n)
	if _, err := rand.Read(data); err != nil {
		b.Fatal(err)
	}
	sum := sha256.Sum256(data)
	h := hex.EncodeToString(sum[:])
	return &cynllun.File{
		ID: cynllun.FileIDFor(h), Name: "cynllun.pdf", ContentType: "application/pdf",
		Pages: 1, SHA256: h, LearnerID: "lrn_bench", PlanID: "pln_bench", Version: 1,
		Kind: cynllun.FileRendered, CreatedAt: t0,
	}, data
}
