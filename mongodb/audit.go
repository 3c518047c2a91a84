package mongodb

import (
	"context"
	"slices"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/cynllun/cynllun"
)

// A learner's audit events are listed through lookups (lookup.go), in three
// tiers so that no document grows with the learner's history nor with a
// month's reads:
//   - auditOfLearner/<learnerId>/<YYYY-MM-DDTHH>: one per learner and hour
//     (UTC) of the events' times, whose entries map event ids to times;
//   - auditHoursOfLearner/<learnerId>/<YYYY-MM>: the hours of a month that
//     have events (at most 744 entries);
//   - auditMonthsOfLearner/<learnerId>: the months that have events (12 a
//     year).
//
// Each read of protected content rewrites its hour's document only: the
// hour and month entries are written once per process (knownHours), as
// rewriting them is idempotent. An hour's document is bounded by the reads
// of one learner's records in one hour, so a learner read all day long by a
// polling client still costs each read a small rewrite. A page is chosen
// from the entries of the newest hours first and only its events are read,
// by _id, each checked against its entry.
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
	lkAuditOfLearner = "auditOfLearner"       // learner id + "/" + hour → event id: at
	lkAuditHours     = "auditHoursOfLearner"  // learner id + "/" + month → hour ("2006-01-02T15"): true
	lkAuditMonths    = "auditMonthsOfLearner" // learner id → month ("2006-01"): true
)

// auditHour is the hour whose document holds an event at at; its first 7
// bytes are the month.
func auditHour(at time.Time) string { return bsonTime(at).Format("2006-01-02T15") }

// auditMembers are d's entries: under its learner's hour, the hour under
// its learner's month, and the month under its learner.
func auditMembers(d *auditDoc) []member {
	if d.LearnerID == "" {
		return nil
	}
	hour := auditHour(d.At)
	month := hour[:7]
	return []member{
		{kind: lkAuditOfLearner, key: d.LearnerID + "/" + hour, id: d.ID, value: d.At},
		{kind: lkAuditHours, key: d.LearnerID + "/" + month, id: hour, value: true},
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
			// A learner's hour or month listed already (in this process)
			// needs no second write.
			if m.kind != lkAuditOfLearner && db.knownHours.has(m.kind+"/"+m.key+"/"+m.id) {
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
		if m.kind != lkAuditOfLearner {
			db.knownHours.add(m.kind + "/" + m.key + "/" + m.id)
		}
	}
	return nil
}

// knownSet remembers, in this process, up to knownMax keys (the learners'
// hours and months of audit listed already); when full it starts afresh, which costs
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
// before (BeforeAt, BeforeID) and after (AfterAt, AfterID) when they are
// set: the months from the learner's list of months, newest first (those
// outside the cursors skipped), in each the hours from the month's list,
// newest first, and in each hour the entries between the cursors, until
// the page is full. With q.Oldest the same walk runs oldest first, from
// the after cursor. Hours are read auditHourBatch at a time, so a page of
// sparse reads costs a few round trips, not one per hour.
func (db *DB) ListAudit(ctx context.Context, q cynllun.AuditQuery) ([]cynllun.AuditEvent, error) {
	const op = "mongodb.ListAudit"
	if q.LearnerID == "" {
		return nil, nil
	}
	var out []*auditDoc
	n := limit(q.Limit)
	err := db.walkAudit(ctx, q, n, func(entries []auditKey) (int, error) {
		docs, err := db.auditEvents(ctx, q.LearnerID, entries, n-len(out))
		out = append(out, docs...)
		return n - len(out), err
	})
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	if q.Oldest {
		slices.Reverse(out)
	}
	return converted(op, out, nil, func(d **auditDoc) (cynllun.AuditEvent, error) { return fromAuditDoc(*d) })
}

// CountAudit counts a learner's audit entries (no event is read), at most
// limit (0: no bound): the hours' documents are read newest first, a batch
// at a time, until limit entries are counted.
func (db *DB) CountAudit(ctx context.Context, learnerID string, limit int) (int, error) {
	if learnerID == "" {
		return 0, nil
	}
	n := 0
	want := func() int {
		if limit <= 0 {
			return auditHourBatch
		}
		return limit - n
	}
	err := db.walkAudit(ctx, cynllun.AuditQuery{LearnerID: learnerID}, want(), func(entries []auditKey) (int, error) {
		n += len(entries)
		return want(), nil
	})
	if err != nil {
		return 0, cynllun.Internal("mongodb.CountAudit", err)
	}
	if limit > 0 {
		n = min(n, limit)
	}
	return n, nil
}

// walkAudit walks q's learner's audit entries between q's cursors, newest
// first (or, q.Oldest, oldest first), giving each batch of hours' entries,
// in order, to take, which says how many more entries it wants (none:
// stop). Each listed hour has at least one entry, so a batch is at most as
// many hours as are wanted (want at first).
func (db *DB) walkAudit(ctx context.Context, q cynllun.AuditQuery, want int, take func([]auditKey) (int, error)) error {
	var before, after *auditKey
	first, last := "0000-01-01T00", "9999-12-31T23" // the oldest and newest hours to walk
	if !q.BeforeAt.IsZero() {
		before = &auditKey{bsonTime(q.BeforeAt), q.BeforeID}
		last = auditHour(before.at)
	}
	if !q.AfterAt.IsZero() {
		after = &auditKey{bsonTime(q.AfterAt), q.AfterID}
		first = auditHour(after.at)
	}
	// order sorts newest first, or oldest first.
	order := compareAuditKeys
	if q.Oldest {
		order = func(a, b auditKey) int { return -compareAuditKeys(a, b) }
	}
	mm, err := lookupMembers[bool](ctx, db, lkAuditMonths, []string{q.LearnerID})
	if err != nil {
		return err
	}
	for _, month := range inOrder(mm[q.LearnerID], first[:7], last[:7], q.Oldest) {
		if want <= 0 {
			return nil
		}
		hm, err := lookupMembers[bool](ctx, db, lkAuditHours, []string{q.LearnerID + "/" + month})
		if err != nil {
			return err
		}
		hours := inOrder(hm[q.LearnerID+"/"+month], first, last, q.Oldest)
		for len(hours) > 0 && want > 0 {
			batch := hours[:min(auditHourBatch, want, len(hours))]
			hours = hours[len(batch):]
			keys := make([]string, len(batch))
			for i, h := range batch {
				keys[i] = q.LearnerID + "/" + h
			}
			em, err := lookupMembers[time.Time](ctx, db, lkAuditOfLearner, keys)
			if err != nil {
				return err
			}
			var entries []auditKey
			for _, key := range keys {
				for id, at := range em[key] {
					k := auditKey{bsonTime(at), id}
					// In the list's order (newest first), before the
					// before cursor and after the after cursor.
					if (before == nil || compareAuditKeys(k, *before) > 0) && (after == nil || compareAuditKeys(k, *after) < 0) {
						entries = append(entries, k)
					}
				}
			}
			slices.SortFunc(entries, order)
			if want, err = take(entries); err != nil || want <= 0 {
				return err
			}
		}
	}
	return nil
}

// auditEvents reads the events of entries (in order), a page at a time by
// _id, and returns at most n of them: those of learnerID whose time is
// their entry's. A missing event, or an entry left by a failed write (an id
// listed at a time not its own, possibly in another hour beside its true
// entry), is skipped and the next read in its place; an event is returned
// once.
func (db *DB) auditEvents(ctx context.Context, learnerID string, entries []auditKey, n int) ([]*auditDoc, error) {
	var out []*auditDoc
	seen := map[string]bool{}
	for len(entries) > 0 && len(out) < n {
		take := entries[:min(n-len(out), len(entries))]
		entries = entries[len(take):]
		ids := make([]string, len(take))
		for i, k := range take {
			ids[i] = k.id
		}
		docs, err := byIDs[auditDoc](ctx, db, collAudit, ids)
		if err != nil {
			return nil, err
		}
		byID := make(map[string]*auditDoc, len(docs))
		for i := range docs {
			byID[docs[i].ID] = &docs[i]
		}
		for _, k := range take {
			d := byID[k.id]
			if d == nil || seen[d.ID] || d.LearnerID != learnerID || !k.at.Equal(d.At) {
				continue
			}
			seen[d.ID] = true
			out = append(out, d)
		}
	}
	return out, nil
}

// auditHourBatch is how many hours' entries ListAudit reads at once.
const auditHourBatch = 24

// inOrder is the members of set from first to last (inclusive), newest
// first, or oldest first when oldest.
func inOrder(set map[string]bool, first, last string, oldest bool) []string {
	out := make([]string, 0, len(set))
	for m := range set {
		if m >= first && m <= last {
			out = append(out, m)
		}
	}
	slices.SortFunc(out, func(a, b string) int { return compareEntries(a, b, !oldest) })
	return out
}

func init() {
	registerBackfill("audit-hours", func(ctx context.Context, db *DB) error {
		return backfillEntries(ctx, db, collAudit, nil, auditMembers)
	})
}
