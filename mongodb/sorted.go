package mongodb

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Sorted sets: the lists that grow with an LA (its learners, its
// deadlines), kept in order on the embedded store in buckets of bounded
// size, so that a page reads one small directory and one or two buckets,
// and a write rewrites one bucket, however large the LA grows.
//
// A set is a directory document "<kind>/<key>" in the lookups collection,
// listing its buckets in order with the least order key each holds (the
// first bucket's is "") and how many members it holds, and one bucket
// document "<kind>/<key>#<bucket>" per bucket whose field m maps member
// ids to values. A member belongs to the bucket whose range [lo, next lo)
// holds its order key; readers take from each bucket only the members in
// its range, so a member left behind by a split cut short is never read
// twice. A bucket over maxBucket members is split in two: the upper half
// is written to a new bucket, then the directory, then the lower half
// replaces the old bucket, so a crash at any point loses no member.
//
// Every change is a read-modify-write of the directory and a bucket,
// serialised in-process: sorted sets are kept on the embedded store only,
// which is one process. On MongoDB the same lists are indexed queries.

// maxBucket is the most members a bucket holds before it is split.
const maxBucket = 64

// sortedSet is one kind of sorted set, with values of type V; order gives
// a member's order key (unique: it ends with the member's id).
type sortedSet[V any] struct {
	kind  string
	order func(id string, v *V) string
	// pending, when set, says whether a value is a pending copy.
	pending func(v *V) bool
}

type bucketRef struct {
	ID string `bson:"i"`
	Lo string `bson:"lo"`
	N  int    `bson:"n"`
	// P is how many of the N are pending (pendingOf), to be checked.
	P int `bson:"p,omitempty"`
}

type setDir struct {
	ID      string      `bson:"_id"`
	Buckets []bucketRef `bson:"b"`
	Next    int         `bson:"next"`
}

func (s sortedSet[V]) dirID(key string) string { return lookupID(s.kind, key) }

func (s sortedSet[V]) bucketID(key, bucket string) string { return s.dirID(key) + "#" + bucket }

// dir reads a set's directory; a missing one is a single empty bucket.
func (s sortedSet[V]) dir(ctx context.Context, db *DB, key string) (*setDir, error) {
	d, ok, err := oneByID[setDir](ctx, db.coll(collLookups), s.dirID(key), nil)
	if err != nil {
		return nil, err
	}
	if !ok || len(d.Buckets) == 0 {
		return &setDir{ID: s.dirID(key), Buckets: []bucketRef{{ID: "b0"}}, Next: 1}, nil
	}
	return &d, nil
}

// at is the index of the bucket whose range holds order key k.
func (d *setDir) at(k string) int {
	i, _ := slices.BinarySearchFunc(d.Buckets, k, func(b bucketRef, k string) int { return strings.Compare(b.Lo, k) })
	// i is the first bucket with lo >= k; k belongs to it only when equal.
	if i < len(d.Buckets) && d.Buckets[i].Lo == k {
		return i
	}
	return max(i-1, 0)
}

// hi is the exclusive upper bound of bucket i's range ("" for the last).
func (d *setDir) hi(i int) string {
	if i+1 < len(d.Buckets) {
		return d.Buckets[i+1].Lo
	}
	return ""
}

func (s sortedSet[V]) members(ctx context.Context, db *DB, key, bucket string) (map[string]V, error) {
	b, ok, err := oneByID[lookupDoc[V]](ctx, db.coll(collLookups), s.bucketID(key, bucket), nil)
	if err != nil || !ok {
		return map[string]V{}, err
	}
	if b.M == nil {
		b.M = map[string]V{}
	}
	return b.M, nil
}

// change is one put (v set) or removal (v nil) of a member of a set.
type change[V any] struct {
	id string
	v  *V
	k  string // the order key of v, or of the member removed
}

// apply makes the changes to the set key, in the embedded mode only.
func (s sortedSet[V]) apply(ctx context.Context, db *DB, key string, cs ...change[V]) error {
	if key == "" || len(cs) == 0 || !db.embedded {
		return nil
	}
	// A document lock (see serialiseDoc): nothing else is locked while it
	// is held, and a caller may hold a record lock.
	unlock := db.serialiseDoc(collLookups, s.dirID(key))
	defer unlock()
	d, err := s.dir(ctx, db, key)
	if err != nil {
		return err
	}
	byBucket := map[int][]change[V]{}
	for _, c := range cs {
		i := d.at(c.k)
		byBucket[i] = append(byBucket[i], c)
	}
	// Highest bucket first, so a split does not move the buckets still to
	// be changed.
	for _, i := range slices.Backward(slices.Sorted(maps.Keys(byBucket))) {
		if err := s.applyBucket(ctx, db, key, d, i, byBucket[i]); err != nil {
			return err
		}
	}
	_, err = db.coll(collLookups).ReplaceOne(ctx, bson.D{{Key: "_id", Value: d.ID}}, d, options.Replace().SetUpsert(true))
	return err
}

func (s sortedSet[V]) applyBucket(ctx context.Context, db *DB, key string, d *setDir, i int, cs []change[V]) error {
	b := d.Buckets[i]
	m, err := s.members(ctx, db, key, b.ID)
	if err != nil {
		return err
	}
	upd := bson.D{}
	var set, unset bson.D
	// The last change of a member stands ($set and $unset of one path in
	// one update conflict).
	last := map[string]change[V]{}
	var ids []string
	for _, c := range cs {
		if _, ok := last[c.id]; !ok {
			ids = append(ids, c.id)
		}
		last[c.id] = c
	}
	for _, id := range ids {
		c := last[id]
		if c.v == nil {
			delete(m, c.id)
			unset = append(unset, bson.E{Key: "m." + c.id, Value: ""})
		} else {
			m[c.id] = *c.v
			set = append(set, bson.E{Key: "m." + c.id, Value: c.v})
		}
	}
	d.Buckets[i].N, d.Buckets[i].P = len(m), s.pendingIn(m)
	if len(m) <= maxBucket {
		if len(set) > 0 {
			upd = append(upd, bson.E{Key: "$set", Value: set})
		}
		if len(unset) > 0 {
			upd = append(upd, bson.E{Key: "$unset", Value: unset})
		}
		if len(upd) == 0 {
			return nil
		}
		_, err := db.coll(collLookups).UpdateOne(ctx, bson.D{{Key: "_id", Value: s.bucketID(key, b.ID)}}, upd, options.UpdateOne().SetUpsert(true))
		return err
	}
	// Split: the upper half to a new bucket, the directory, the lower half.
	ids = slices.Collect(maps.Keys(m))
	keys := make(map[string]string, len(ids))
	for _, id := range ids {
		v := m[id]
		keys[id] = s.order(id, &v)
	}
	slices.SortFunc(ids, func(a, b string) int { return strings.Compare(keys[a], keys[b]) })
	half := len(ids) / 2
	lower, upper := map[string]V{}, map[string]V{}
	for j, id := range ids {
		if j < half {
			lower[id] = m[id]
		} else {
			upper[id] = m[id]
		}
	}
	nb := bucketRef{ID: fmt.Sprintf("b%d", d.Next), Lo: keys[ids[half]], N: len(upper)}
	d.Next++
	if _, err := db.coll(collLookups).ReplaceOne(ctx, bson.D{{Key: "_id", Value: s.bucketID(key, nb.ID)}},
		lookupDoc[V]{ID: s.bucketID(key, nb.ID), M: upper}, options.Replace().SetUpsert(true)); err != nil {
		return err
	}
	nb.P = s.pendingIn(upper)
	d.Buckets[i].N, d.Buckets[i].P = len(lower), s.pendingIn(lower)
	d.Buckets = slices.Insert(d.Buckets, i+1, nb)
	if _, err := db.coll(collLookups).ReplaceOne(ctx, bson.D{{Key: "_id", Value: d.ID}}, d, options.Replace().SetUpsert(true)); err != nil {
		return err
	}
	_, err = db.coll(collLookups).ReplaceOne(ctx, bson.D{{Key: "_id", Value: s.bucketID(key, b.ID)}},
		lookupDoc[V]{ID: s.bucketID(key, b.ID), M: lower}, options.Replace().SetUpsert(true))
	return err
}

// pendingIn counts the pending values of m.
func (s sortedSet[V]) pendingIn(m map[string]V) int {
	if s.pending == nil {
		return 0
	}
	n := 0
	for _, v := range m {
		if s.pending(&v) {
			n++
		}
	}
	return n
}

// count is the number of confirmed members of the set key (from the
// directory), plus those of its pending members that check accepts (read
// from their buckets).
func (s sortedSet[V]) count(ctx context.Context, db *DB, key string, check func(id string) (bool, error)) (int, error) {
	d, err := s.dir(ctx, db, key)
	if err != nil {
		return 0, err
	}
	n := 0
	for i, b := range d.Buckets {
		n += b.N - b.P
		if b.P == 0 {
			continue
		}
		m, err := s.members(ctx, db, key, b.ID)
		if err != nil {
			return 0, err
		}
		lo, hi := b.Lo, d.hi(i)
		for id, v := range m {
			if k := s.order(id, &v); !s.pending(&v) || k < lo || (hi != "" && k >= hi) {
				continue
			}
			ok, err := check(id)
			if err != nil {
				return 0, err
			}
			if ok {
				n++
			}
		}
	}
	return n, nil
}

// setEntry is a member read from a set, with its order key.
type setEntry[V any] struct {
	id, k string
	v     V
}

// setIter walks a set in order from just after a given order key, or
// (desc) in reverse order from just before one, reading one bucket at a
// time.
type setIter[V any] struct {
	s      sortedSet[V]
	db     *DB
	key    string
	d      *setDir
	next   int // the next bucket to read
	after  string
	before string // desc: the walk starts below it ("": at the end)
	desc   bool
	buf    []setEntry[V]
}

// iter starts a walk of the set key after order key after ("" from the
// start).
func (s sortedSet[V]) iter(ctx context.Context, db *DB, key, after string) (*setIter[V], error) {
	d, err := s.dir(ctx, db, key)
	if err != nil {
		return nil, err
	}
	it := &setIter[V]{s: s, db: db, key: key, d: d, after: after}
	if after != "" {
		it.next = d.at(after)
	}
	return it, nil
}

// iterDesc starts a walk of the set key in reverse order, below order key
// before ("" from the end).
func (s sortedSet[V]) iterDesc(ctx context.Context, db *DB, key, before string) (*setIter[V], error) {
	d, err := s.dir(ctx, db, key)
	if err != nil {
		return nil, err
	}
	it := &setIter[V]{s: s, db: db, key: key, d: d, before: before, desc: true, next: len(d.Buckets) - 1}
	if before != "" {
		it.next = d.at(before)
	}
	return it, nil
}

// listIter is a walk of members held in memory (a lookup document read
// whole, or records read by id), in order or (desc) in reverse order.
func listIter[V any](es []setEntry[V], desc bool) *setIter[V] {
	slices.SortFunc(es, func(a, b setEntry[V]) int { return compareEntries(a.k, b.k, desc) })
	return &setIter[V]{d: &setDir{}, desc: desc, buf: es}
}

// compareEntries orders order keys ascending, or descending when desc.
func compareEntries(a, b string, desc bool) int {
	if desc {
		return strings.Compare(b, a)
	}
	return strings.Compare(a, b)
}

// peek returns the next member without taking it; false at the end.
func (it *setIter[V]) peek(ctx context.Context) (*setEntry[V], bool, error) {
	for len(it.buf) == 0 {
		if it.next < 0 || it.next >= len(it.d.Buckets) {
			return nil, false, nil
		}
		i := it.next
		if it.desc {
			it.next--
		} else {
			it.next++
		}
		m, err := it.s.members(ctx, it.db, it.key, it.d.Buckets[i].ID)
		if err != nil {
			return nil, false, err
		}
		lo, hi := it.d.Buckets[i].Lo, it.d.hi(i)
		for id, v := range m {
			k := it.s.order(id, &v)
			if k < lo || (hi != "" && k >= hi) || (!it.desc && k <= it.after) || (it.desc && it.before != "" && k >= it.before) {
				continue
			}
			it.buf = append(it.buf, setEntry[V]{id: id, k: k, v: v})
		}
		slices.SortFunc(it.buf, func(a, b setEntry[V]) int { return compareEntries(a.k, b.k, it.desc) })
	}
	return &it.buf[0], true, nil
}

func (it *setIter[V]) pop() { it.buf = it.buf[1:] }

// merged walks several sets at once in order (or, desc, in reverse order,
// when its walks are desc too), each member once.
type merged[V any] struct {
	its  []*setIter[V]
	seen map[string]bool
	desc bool
}

// next returns the next member of any of the sets; false at the end.
func (m *merged[V]) next(ctx context.Context) (*setEntry[V], bool, error) {
	for {
		var best *setEntry[V]
		bi := -1
		for i, it := range m.its {
			e, ok, err := it.peek(ctx)
			if err != nil {
				return nil, false, err
			}
			if ok && (best == nil || compareEntries(e.k, best.k, m.desc) < 0) {
				best, bi = e, i
			}
		}
		if best == nil {
			return nil, false, nil
		}
		e := *best
		m.its[bi].pop()
		if m.seen[e.id] {
			continue
		}
		m.seen[e.id] = true
		return &e, true, nil
	}
}

// setBatch gathers changes to several sets, applied one set at a time in
// the order first named (within a set, the last change of a member
// stands).
type setBatch[V any] struct {
	order []setRef[V]
	cs    map[setRef[V]][]change[V]
}

type setRef[V any] struct {
	s   *sortedSet[V]
	key string
}

// add puts v (or, when v is nil, removes the member) at order key k in the
// set key of s; an empty key names no set.
func (b *setBatch[V]) add(s *sortedSet[V], key, id, k string, v *V) {
	if key == "" {
		return
	}
	r := setRef[V]{s, key}
	if b.cs == nil {
		b.cs = map[setRef[V]][]change[V]{}
	}
	if _, ok := b.cs[r]; !ok {
		b.order = append(b.order, r)
	}
	b.cs[r] = append(b.cs[r], change[V]{id: id, v: v, k: k})
}

func (b *setBatch[V]) apply(ctx context.Context, db *DB) error {
	for _, r := range b.order {
		if err := r.s.apply(ctx, db, r.key, b.cs[r]...); err != nil {
			return err
		}
	}
	return nil
}
