package mongodb

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/cynllun/cynllun"
)

// A learner's audit events are listed through lookups (lookup.go): one
// document per learner and calendar month (UTC) of the events' times,
// auditOfLearner/<learnerId>/<YYYY-MM>, whose entries map event ids to
// their times, and one per learner, auditMonthsOfLearner/<learnerId>,
// naming the months that have events. A page is chosen from the entries
// of the newest months first and only its events are read, by _id, each
// checked against its entry. A month's document is bounded by the reads
// of one learner's records in one month, so it stays small however long
// the learner's history grows.
//
// RecordAudit is on the critical path of every read of protected content,
// and the read is returned only once its events are stored. It sends the
// insert of the events and the updates of their entries at the same time
// and waits for all of them: one round trip of latency, not two. When it
// returns without error the events and their entries are both stored, so a
// returned read's event is never lost nor unlisted. When it fails, the
// read fails with it: an event stored without its entry (or an entry
// without its event, which readers skip) then records a read that was
// never returned. Writing the entries after the insert instead would make
// two round trips, and writing them in the background could lose the
// entry of a read that was returned.

const (
	lkAuditOfLearner = "auditOfLearner"       // learner id + "/" + month → event id: at
	lkAuditMonths    = "auditMonthsOfLearner" // learner id → month ("2006-01"): true
)

// auditMonth is the month whose document holds an event at at.
func auditMonth(at time.Time) string { return bsonTime(at).Format("2006-01") }

// auditMembers are d's entries: under its learner's month, and the month
// under its learner.
func auditMembers(d *auditDoc) []member {
	if d.LearnerID == "" {
		return nil
	}
	month := auditMonth(d.At)
	return []member{
		{kind: lkAuditOfLearner, key: d.LearnerID + "/" + month, id: d.ID, value: d.At},
		{kind: lkAuditMonths, key: d.LearnerID, id: month, value: true},
	}
}

// RecordAudit inserts the events with one InsertMany (nothing when there
// are none) while their entries are written. An event without an ID gets
// one. A duplicate id is CONFLICT, and the entries of the events stored
// with the batch's ids are then written again from them.
func (db *DB) RecordAudit(ctx context.Context, events []cynllun.AuditEvent) error {
	const op = "mongodb.RecordAudit"
	if len(events) == 0 {
		return nil
	}
	docs := make([]*auditDoc, len(events))
	ids := make([]string, len(events))
	var ms []member
	for i := range events {
		docs[i] = toAuditDoc(&events[i])
		if docs[i].ID == "" {
			docs[i].ID = cynllun.NewID(cynllun.PrefixAudit)
		}
		ids[i] = docs[i].ID
		for _, m := range auditMembers(docs[i]) {
			// A learner's month listed already (in this process) needs no
			// second write.
			if m.kind == lkAuditMonths && db.knownMonths.has(m.key+"/"+m.id) {
				continue
			}
			ms = append(ms, m)
		}
	}
	var (
		g    errgroup.Group
		ierr error
	)
	g.Go(func() error {
		_, ierr = db.coll(collAudit).InsertMany(ctx, docs)
		return nil
	})
	g.Go(func() error { return db.setMembersConcurrently(ctx, ms...) })
	entriesErr := g.Wait()
	if isDuplicateKey(ierr) {
		db.compensate(ctx, op, ids[0], func(ctx context.Context) error {
			stored, err := byIDs[auditDoc](ctx, db, collAudit, ids)
			if err != nil {
				return err
			}
			var fix []member
			for i := range stored {
				fix = append(fix, auditMembers(&stored[i])...)
			}
			return db.setEntries(ctx, fix...)
		})
	}
	switch {
	case ierr != nil:
		return insertErr(op, "audit event", ierr)
	case entriesErr != nil:
		return cynllun.Internal(op, entriesErr)
	}
	for _, m := range ms {
		if m.kind == lkAuditMonths {
			db.knownMonths.add(m.key + "/" + m.id)
		}
	}
	return nil
}

// knownSet remembers, in this process, up to knownMax keys (the learners'
// months of audit listed already); when full it starts afresh, which costs
// only a repeated idempotent write.
type knownSet struct {
	mu   sync.Mutex
	keys map[string]struct{}
}

const knownMax = 100_000

func (k *knownSet) has(key string) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	_, ok := k.keys[key]
	return ok
}

func (k *knownSet) add(key string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.keys == nil || len(k.keys) >= knownMax {
		k.keys = map[string]struct{}{}
	}
	k.keys[key] = struct{}{}
}

// auditKey orders events newest first: by at, then id, descending.
type auditKey struct {
	at time.Time
	id string
}

func compareAuditKeys(a, b auditKey) int { return -compareAtID(a.at, a.id, b.at, b.id) }

// ListAudit lists a learner's events newest first by (at, _id), strictly
// before (BeforeAt, BeforeID) when BeforeAt is set: the months from the
// learner's list of months, newest first (those after the cursor's
// skipped), and in each the entries before the cursor, until the page is
// full.
func (db *DB) ListAudit(ctx context.Context, q cynllun.AuditQuery) ([]cynllun.AuditEvent, error) {
	const op = "mongodb.ListAudit"
	if q.LearnerID == "" {
		return nil, nil
	}
	mm, err := lookupMembers[bool](ctx, db, lkAuditMonths, []string{q.LearnerID})
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	var months []string
	for m := range mm[q.LearnerID] {
		months = append(months, m)
	}
	slices.SortFunc(months, func(a, b string) int { return strings.Compare(b, a) })
	var cursor *auditKey
	if !q.BeforeAt.IsZero() {
		cursor = &auditKey{bsonTime(q.BeforeAt), q.BeforeID}
		last := auditMonth(cursor.at)
		months = slices.DeleteFunc(months, func(m string) bool { return m > last })
	}
	n := limit(q.Limit)
	var out []*auditDoc
	for _, month := range months {
		if len(out) >= n {
			break
		}
		key := q.LearnerID + "/" + month
		em, err := lookupMembers[time.Time](ctx, db, lkAuditOfLearner, []string{key})
		if err != nil {
			return nil, cynllun.Internal(op, err)
		}
		entries := em[key]
		keys := make([]auditKey, 0, len(entries))
		for id, at := range entries {
			k := auditKey{bsonTime(at), id}
			if cursor == nil || compareAuditKeys(k, *cursor) > 0 {
				keys = append(keys, k)
			}
		}
		slices.SortFunc(keys, compareAuditKeys)
		ids := make([]string, len(keys))
		for i, k := range keys {
			ids[i] = k.id
		}
		docs, err := readInOrder(ctx, db, collAudit, ids, n-len(out),
			func(d *auditDoc) string { return d.ID },
			func(d *auditDoc) bool { return d.LearnerID == q.LearnerID && entries[d.ID].Equal(d.At) })
		if err != nil {
			return nil, cynllun.Internal(op, err)
		}
		out = append(out, docs...)
	}
	return converted(op, out, nil, func(d **auditDoc) (cynllun.AuditEvent, error) { return fromAuditDoc(*d) })
}

func init() {
	registerBackfill("audit", func(ctx context.Context, db *DB) error {
		return backfillEntries(ctx, db, collAudit, nil, auditMembers)
	})
}
