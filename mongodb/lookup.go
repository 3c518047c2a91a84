package mongodb

import (
	"context"
	"fmt"
	"hash/fnv"
	"sync"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Access paths that stay flat (design.md §3).
//
// Embedded FerretDB answers only a single equality on _id without reading
// and decoding the whole collection; $in, other fields, ranges and sorts
// are filtered in Go over every document. So every hot path here reaches
// its documents by _id:
//
//   - Deterministic ids: plan versions are "planId/vN", review and case
//     revisions likewise, so a version is read by _id.
//   - Heads kept on the parent: a plan document carries its latest and its
//     latest FINAL version numbers (plans.go).
//   - Lookup documents: derived documents in the "lookups" collection, keyed
//     by _id "<kind>/<key>", whose field m maps member ids to a small value
//     (a sort key, a few fields to filter on, or a copy of a small record).
//     The learners of an LA, the plans of a learner, the relationships of a
//     learner or organisation and the deadlines of a learner or organisation
//     are each one lookup document. A user's relationships are copied into
//     the user's own document, so authentication is one read.
//   - Batch reads: on MongoDB one `_id: {$in: ids}` find (the _id index); on
//     the embedded store concurrent _id reads (at most idLookups at
//     once), because $in would scan.
//
// Lookup documents are written with $set/$unset of single members, which
// MongoDB applies atomically. FerretDB applies an update as read, modify in
// Go, write back, so two concurrent updates of one document could lose one:
// in the embedded mode, which is one process, every read-modify-write of a
// document is serialised in-process (DB.serialise). The embedded data
// directory must therefore not be opened by two processes at once.
//
// Order of writes, with no transactions: a lookup entry is written before
// the record it points to and removed after it, so a lookup is a superset
// of the truth, and readers check every record they fetch against the
// query (a crash between the two writes leaves at most a stale entry, which
// readers skip). Grants of access are the exception: the relationship record
// is written first and its copies after, and an ending is written to the
// copies first, so a crash part-way never grants more than was recorded.
//
// A lookup document is read whole: its size grows with what one key holds
// (the learners of one LA, the deadlines of one organisation), never with
// the collection. At about 100 bytes an entry, an LA of 10,000 learners is a
// 1 MB document; MongoDB's 16 MiB document limit bounds one key at roughly
// 150,000 members, far above any Welsh LA.

// collLookups holds the lookup documents.
const collLookups = "lookups"

// Lookup kinds: the _id of a lookup document is kind + "/" + key.
const (
	lkPlansOfLearner     = "plansOfLearner"     // learner id → plan id: createdAt (RFC 3339)
	lkLearnersOfLA       = "learnersOfLA"       // LA id → learner id: learnerEntry
	lkLearnersOfSetting  = "learnersOfSetting"  // setting id → learner id: learnerEntry
	lkRelsOfLearner      = "relsOfLearner"      // learner id → relationship id: relationshipDoc
	lkRelsOfOrg          = "relsOfOrg"          // organisation id → relationship id: relationshipDoc
	lkDeadlinesOfLearner = "deadlinesOfLearner" // learner id → deadline id: deadlineEntry
	lkDeadlinesOfOrg     = "deadlinesOfOrg"     // organisation id → deadline id: deadlineEntry
	lkDeadlinesOfSetting = "deadlinesOfSetting" // setting id → deadline id: deadlineEntry
	lkDeadlinesOfLA      = "deadlinesOfLA"      // LA id → deadline id: deadlineEntry
)

func lookupID(kind, key string) string { return kind + "/" + key }

// keyLocks are striped mutexes keyed by document, for the embedded mode.
type keyLocks struct{ mu [512]sync.Mutex }

func (k *keyLocks) lock(key string) func() {
	h := fnv.New32a()
	_, _ = h.Write([]byte(key))
	m := &k.mu[h.Sum32()%uint32(len(k.mu))]
	m.Lock()
	return m.Unlock
}

// serialise locks the record id of coll against other read-modify-writes
// of it in this process, in the embedded mode only (on MongoDB the update
// operators are atomic). Such a lock may be held while derived documents
// are written (upsertOne takes locks of its own, from another table), but
// never while taking another serialise lock, so striping cannot deadlock.
func (db *DB) serialise(coll, id string) func() {
	if !db.embedded {
		return func() {}
	}
	return db.locks.lock(coll + "\x00" + id)
}

// serialiseDoc locks one document for a single update (upsertOne), or a
// sorted set for one change (sorted.go); nothing else is locked while it is
// held.
func (db *DB) serialiseDoc(coll, id string) func() {
	if !db.embedded {
		return func() {}
	}
	return db.docLocks.lock(coll + "\x00" + id)
}

// member is one entry to set in a lookup document.
type member struct {
	kind, key, id string
	value         any // nil: remove the entry
}

// setMembers applies each entry to its lookup document (creating the
// document when missing), one update per document.
func (db *DB) setMembers(ctx context.Context, ms ...member) error {
	type docUpdate struct{ set, unset bson.D }
	byDoc := map[string]*docUpdate{}
	var order []string
	for _, m := range ms {
		if m.key == "" || m.id == "" {
			continue
		}
		id := lookupID(m.kind, m.key)
		u := byDoc[id]
		if u == nil {
			u = &docUpdate{}
			byDoc[id] = u
			order = append(order, id)
		}
		if m.value == nil {
			u.unset = append(u.unset, bson.E{Key: "m." + m.id, Value: ""})
		} else {
			u.set = append(u.set, bson.E{Key: "m." + m.id, Value: m.value})
		}
	}
	for _, id := range order {
		u := byDoc[id]
		upd := bson.D{}
		if len(u.set) > 0 {
			upd = append(upd, bson.E{Key: "$set", Value: u.set})
		}
		if len(u.unset) > 0 {
			upd = append(upd, bson.E{Key: "$unset", Value: u.unset})
		}
		if err := db.upsertOne(ctx, collLookups, id, upd); err != nil {
			return fmt.Errorf("lookup %s: %w", id, err)
		}
	}
	return nil
}

// upsertOne applies upd to the document id of coll, creating it when
// missing, serialised in the embedded mode. Two upserts of a new document
// racing on MongoDB can give the loser a duplicate key: it is tried once
// more, when the document exists.
func (db *DB) upsertOne(ctx context.Context, coll, id string, upd bson.D) error {
	unlock := db.serialiseDoc(coll, id)
	defer unlock()
	c := db.coll(coll)
	_, err := c.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, upd, options.UpdateOne().SetUpsert(true))
	if isDuplicateKey(err) {
		_, err = c.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, upd, options.UpdateOne().SetUpsert(true))
	}
	return err
}

// lookupDoc is a lookup document; M maps member ids to values.
type lookupDoc[V any] struct {
	ID string       `bson:"_id"`
	M  map[string]V `bson:"m"`
}

// lookupMembers reads the lookup documents of kind for keys and returns
// their members by key (a missing document has none).
func lookupMembers[V any](ctx context.Context, db *DB, kind string, keys []string) (map[string]map[string]V, error) {
	keys = dedupe(keys)
	ids := make([]string, len(keys))
	for i, k := range keys {
		ids[i] = lookupID(kind, k)
	}
	docs, err := byIDs[lookupDoc[V]](ctx, db, collLookups, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string]map[string]V, len(docs))
	for _, d := range docs {
		out[d.ID[len(kind)+1:]] = d.M
	}
	return out, nil
}

// byIDs finds the documents of coll whose _id is in ids, at most one per
// distinct id, in any order: one find on MongoDB, concurrent _id reads on
// the embedded store.
func byIDs[T any](ctx context.Context, db *DB, coll string, ids []string) ([]T, error) {
	return byIDsProjected[T](ctx, db, coll, ids, nil)
}

// byIDsProjected is byIDs with a projection (nil: whole documents).
func byIDsProjected[T any](ctx context.Context, db *DB, coll string, ids []string, projection any) ([]T, error) {
	ids = dedupe(ids)
	c := db.coll(coll)
	switch {
	case len(ids) == 0:
		return nil, nil
	case len(ids) == 1 || db.embedded:
		return eachByID[T](ctx, c, ids, projection)
	}
	opts := pageOpts(len(ids))
	if projection != nil {
		opts.SetProjection(projection)
	}
	return findAll[T](ctx, c, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}}, opts)
}

// eachByID reads each id with its own _id equality find (findEachID),
// projected when projection is not nil; missing documents are left out.
func eachByID[T any](ctx context.Context, c *mongo.Collection, ids []string, projection any) ([]T, error) {
	opts := options.FindOne()
	if projection != nil {
		opts.SetProjection(projection)
	}
	return findEachID[T](ctx, c, ids, opts)
}

// oneByID reads one document by _id; false when there is none.
func oneByID[T any](ctx context.Context, c *mongo.Collection, id string, projection any) (T, bool, error) {
	var d T
	opts := options.FindOne()
	if projection != nil {
		opts.SetProjection(projection)
	}
	err := c.FindOne(ctx, bson.D{{Key: "_id", Value: id}}, opts).Decode(&d)
	switch {
	case isNoDocuments(err):
		return d, false, nil
	case err != nil:
		return d, false, err
	}
	return d, true, nil
}
