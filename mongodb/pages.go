package mongodb

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"golang.org/x/sync/errgroup"
)

// Helpers for the lookups of the ledger, calendars, notices, audit and
// organisations (lookup.go describes the design).

// readInOrder reads the documents of coll whose ids are given, in that
// order, a page at a time by _id (byIDs), and returns those keep accepts,
// at most n (n <= 0: all). A missing document or one keep refuses (a stale
// lookup entry) is skipped and the next id read in its place.
func readInOrder[D any](ctx context.Context, db *DB, coll string, ids []string, n int, idOf func(*D) string, keep func(*D) bool) ([]*D, error) {
	if n <= 0 {
		n = len(ids)
	}
	out := make([]*D, 0, min(n, len(ids)))
	for len(ids) > 0 && len(out) < n {
		take := ids[:min(n-len(out), len(ids))]
		ids = ids[len(take):]
		docs, err := byIDs[D](ctx, db, coll, take)
		if err != nil {
			return nil, err
		}
		byID := make(map[string]*D, len(docs))
		for i := range docs {
			byID[idOf(&docs[i])] = &docs[i]
		}
		for _, id := range take {
			if d := byID[id]; d != nil && keep(d) {
				out = append(out, d)
			}
		}
	}
	return out, nil
}

// deleteByIDs deletes the documents of coll with the given ids: one
// deleteMany with $in on MongoDB, one delete by _id each on the embedded
// store (where $in would read the whole collection).
func (db *DB) deleteByIDs(ctx context.Context, coll string, ids []string) error {
	ids = dedupe(ids)
	c := db.coll(coll)
	switch {
	case len(ids) == 0:
		return nil
	case db.embedded:
		for _, id := range ids {
			if _, err := c.DeleteOne(ctx, bson.D{{Key: "_id", Value: id}}); err != nil {
				return err
			}
		}
		return nil
	}
	_, err := c.DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}})
	return err
}

// setEntries is setMembers with each entry set once: of members naming
// the same entry, the last wins (one update must not set a path twice).
func (db *DB) setEntries(ctx context.Context, ms ...member) error {
	return db.setMembers(ctx, lastMembers(ms)...)
}

// lastMembers keeps the last of the members naming each entry, in order.
func lastMembers(ms []member) []member {
	type entry struct{ kind, key, id string }
	last := make(map[entry]int, len(ms))
	for i, m := range ms {
		last[entry{m.kind, m.key, m.id}] = i
	}
	if len(last) == len(ms) {
		return ms
	}
	out := make([]member, 0, len(last))
	for i, m := range ms {
		if last[entry{m.kind, m.key, m.id}] == i {
			out = append(out, m)
		}
	}
	return out
}

// setMembersConcurrently is setEntries with the lookup documents written
// at the same time, one update each, so that the writes cost one round
// trip of latency rather than one per document.
func (db *DB) setMembersConcurrently(ctx context.Context, ms ...member) error {
	ms = lastMembers(ms)
	byDoc := map[string][]member{}
	var order []string
	for _, m := range ms {
		id := lookupID(m.kind, m.key)
		if _, ok := byDoc[id]; !ok {
			order = append(order, id)
		}
		byDoc[id] = append(byDoc[id], m)
	}
	if len(order) <= 1 {
		return db.setMembers(ctx, ms...)
	}
	var g errgroup.Group
	g.SetLimit(idLookups)
	for _, id := range order {
		g.Go(func() error { return db.setMembers(ctx, byDoc[id]...) })
	}
	return g.Wait()
}

// memberBatch collects the entries a backfill writes, so that one update
// sets many entries of a lookup document.
type memberBatch struct {
	db *DB
	ms []member
}

const memberBatchSize = 1000

func (b *memberBatch) add(ctx context.Context, ms ...member) error {
	b.ms = append(b.ms, ms...)
	if len(b.ms) >= memberBatchSize {
		return b.flush(ctx)
	}
	return nil
}

func (b *memberBatch) flush(ctx context.Context) error {
	if len(b.ms) == 0 {
		return nil
	}
	err := b.db.setEntries(ctx, b.ms...)
	b.ms = b.ms[:0]
	return err
}

// backfillEntries runs a backfill that sets, for every document of coll,
// the entries members gives, in batches.
func backfillEntries[D any](ctx context.Context, db *DB, coll string, projection any, members func(*D) []member) error {
	b := &memberBatch{db: db}
	if err := eachDoc(ctx, db, coll, projection, func(d *D) error { return b.add(ctx, members(d)...) }); err != nil {
		return err
	}
	return b.flush(ctx)
}
