package mongodb

import (
	"context"
	"errors"
	"math"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/cynllun/cynllun"
)

const (
	defaultLimit = 50
	maxLimit     = 1000
)

// limit applies the default and the cap.
func limit(n int) int {
	switch {
	case n <= 0:
		return defaultLimit
	case n > maxLimit:
		return maxLimit
	}
	return n
}

// dedupe returns ids without duplicates or empty strings, in first-seen
// order.
func dedupe(ids []string) []string {
	seen := make(map[string]struct{}, len(ids))
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if id == "" {
			continue
		}
		if _, ok := seen[id]; ok {
			continue
		}
		seen[id] = struct{}{}
		out = append(out, id)
	}
	return out
}

// findAll runs a find and decodes every document. opts may be nil.
func findAll[T any](ctx context.Context, c *mongo.Collection, filter any, opts *options.FindOptionsBuilder) ([]T, error) {
	if opts == nil {
		opts = options.Find()
	}
	cur, err := c.Find(ctx, filter, opts)
	if err != nil {
		return nil, err
	}
	var out []T
	if err := cur.All(ctx, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// idLookups bounds the concurrent look-ups of findEachID.
const idLookups = 8

// findEachID finds the documents whose _id is in ids (distinct) with one
// find by _id each, at most idLookups at a time, for the embedded
// FerretDB: an equality on _id is the one filter it pushes down to SQLite
// (stack-notes §2), while $in decodes the whole collection in Go. Missing
// ids are skipped; the order is that of ids. opts may be nil.
func findEachID[T any](ctx context.Context, c *mongo.Collection, ids []string, opts *options.FindOneOptionsBuilder) ([]T, error) {
	if opts == nil {
		opts = options.FindOne()
	}
	docs := make([]T, len(ids))
	found := make([]bool, len(ids))
	err := parallel(ctx, len(ids), idLookups, func(ctx context.Context, i int) error {
		err := c.FindOne(ctx, bson.D{{Key: "_id", Value: ids[i]}}, opts).Decode(&docs[i])
		if err == nil {
			found[i] = true
		} else if !isNoDocuments(err) {
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := docs[:0]
	for i := range docs {
		if found[i] {
			out = append(out, docs[i])
		}
	}
	return out, nil
}

// parallel calls f(ctx, i) for every i in [0, n), at most limit at a time,
// and returns the first error, after which no further calls start and the
// ctx of those running is cancelled.
func parallel(ctx context.Context, n, limit int, f func(ctx context.Context, i int) error) error {
	if n == 1 {
		return f(ctx, 0)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	sem := make(chan struct{}, limit)
	for i := range n {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Go(func() {
			defer func() { <-sem }()
			if err := f(ctx, i); err != nil {
				once.Do(func() { first = err; cancel() })
			}
		})
	}
	wg.Wait()
	if first != nil {
		return first
	}
	return ctx.Err()
}

// pageOpts reads at most n documents in one round trip. The first batch is
// one larger than the limit: FerretDB closes the cursor only after a batch
// that is not full, so with batchSize == limit a full page would cost an
// extra (empty) getMore. MongoDB closes it when the limit is reached.
func pageOpts(n int) *options.FindOptionsBuilder {
	n = min(n, math.MaxInt32-1)
	return options.Find().SetLimit(int64(n)).SetBatchSize(int32(n + 1))
}

// convertAll converts documents to domain values.
func convertAll[D, T any](docs []D, f func(*D) (T, error)) ([]T, error) {
	out := make([]T, 0, len(docs))
	for i := range docs {
		v, err := f(&docs[i])
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// converted turns a find's result into domain values; a failure of either
// step is INTERNAL for op.
func converted[D, T any](op string, docs []D, err error, f func(*D) (T, error)) ([]T, error) {
	if err == nil {
		var out []T
		if out, err = convertAll(docs, f); err == nil {
			return out, nil
		}
	}
	return nil, cynllun.Internal(op, err)
}

// compensationTimeout bounds the clean-up after a half-done write.
const compensationTimeout = 10 * time.Second

func isDuplicateKey(err error) bool { return mongo.IsDuplicateKeyError(err) }

// insertErr maps an insert failure: a duplicate key is CONFLICT.
func insertErr(op, what string, err error) error {
	if isDuplicateKey(err) {
		return cynllun.E(cynllun.CodeConflict, op, what+" already exists")
	}
	return cynllun.Internal(op, err)
}

// isNoDocuments says whether err is the driver's "no document" result.
func isNoDocuments(err error) bool { return errors.Is(err, mongo.ErrNoDocuments) }
