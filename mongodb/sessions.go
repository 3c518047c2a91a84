package mongodb

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/cynllun/cynllun"
)

// sessionDoc is an entry of the provision delivery ledger.
type sessionDoc struct {
	ID          string     `bson:"_id"`
	PlanID      string     `bson:"planId"`
	LearnerID   string     `bson:"learnerId"`
	RowID       string     `bson:"rowId"`
	Date        string     `bson:"date"` // YYYY-MM-DD, so ranges compare as strings
	Minutes     int        `bson:"minutes"`
	Status      string     `bson:"status"`
	DeliveredBy string     `bson:"deliveredBy"`
	Reason      string     `bson:"reason"`
	Notes       string     `bson:"notes"`
	RecordedAt  time.Time  `bson:"recordedAt"`
	RecordedBy  string     `bson:"recordedBy"`
	VoidedAt    *time.Time `bson:"voidedAt,omitempty"`
	VoidedBy    string     `bson:"voidedBy,omitempty"`
	VoidReason  string     `bson:"voidReason,omitempty"`
}

func toSessionDoc(s *cynllun.Session) *sessionDoc {
	return &sessionDoc{
		ID: s.ID, PlanID: s.PlanID, LearnerID: s.LearnerID, RowID: s.RowID, Date: dateString(s.Date),
		Minutes: s.Minutes, Status: string(s.Status), DeliveredBy: s.DeliveredBy, Reason: string(s.Reason), Notes: s.Notes,
		RecordedAt: bsonTime(s.RecordedAt), RecordedBy: s.RecordedBy,
		VoidedAt: optTime(s.VoidedAt), VoidedBy: s.VoidedBy, VoidReason: s.VoidReason,
	}
}

func fromSessionDoc(d *sessionDoc) (cynllun.Session, error) {
	date, err := parseDate(d.Date)
	if err != nil {
		return cynllun.Session{}, err
	}
	return cynllun.Session{
		ID: d.ID, PlanID: d.PlanID, LearnerID: d.LearnerID, RowID: d.RowID, Date: date,
		Minutes: d.Minutes, Status: cynllun.SessionStatus(d.Status), DeliveredBy: d.DeliveredBy,
		Reason: cynllun.MissedReason(d.Reason), Notes: d.Notes,
		RecordedAt: fromTime(d.RecordedAt), RecordedBy: d.RecordedBy,
		VoidedAt: fromOptTime(d.VoidedAt), VoidedBy: d.VoidedBy, VoidReason: d.VoidReason,
	}, nil
}

// A plan's ledger is reached through the sessionsOfPlan lookup
// (lookup.go): each entry carries the session's date and 2B row, so a
// query picks its sessions from the entries and reads only those, by _id,
// checking each against the query. What is read is bounded by the ledger
// of one plan, never the collection.

// lkSessionsOfPlan: plan id → session id → sessionEntry.
const lkSessionsOfPlan = "sessionsOfPlan"

// sessionEntry is a session's entry in the lookup of its plan.
type sessionEntry struct {
	Date  string `bson:"d"`
	RowID string `bson:"r,omitempty"`
}

func sessionMember(d *sessionDoc, value bool) member {
	m := member{kind: lkSessionsOfPlan, key: d.PlanID, id: d.ID}
	if value {
		m.value = sessionEntry{Date: d.Date, RowID: d.RowID}
	}
	return m
}

// InsertSessions writes the batch's entries, then inserts the batch in one
// ordered insertMany. Without transactions a batch that fails part-way (a
// duplicate id, a lost connection) is undone by deleting every id of the
// batch inserted, so the ledger never keeps half a batch; then the entries
// are made to say what is stored again: those of sessions not stored are
// removed (unless the failure was a duplicate key: the service's ids derive
// from the session, so another recording of the same session may be
// inserting them), and those of an existing session whose id the batch
// repeated are written from it. A crash between the failure and the
// clean-up can leave the inserted prefix behind (the service's retry finds
// those sessions recorded and inserts the rest).
func (db *DB) InsertSessions(ctx context.Context, ss []cynllun.Session) error {
	const op = "mongodb.InsertSessions"
	if len(ss) == 0 {
		return nil
	}
	docs := make([]any, len(ss))
	ids := make([]string, len(ss))
	ms := make([]member, len(ss))
	for i := range ss {
		d := toSessionDoc(&ss[i])
		docs[i], ids[i], ms[i] = d, d.ID, sessionMember(d, true)
	}
	if err := db.setEntries(ctx, ms...); err != nil {
		return cynllun.Internal(op, err)
	}
	_, err := db.coll(collSessions).InsertMany(ctx, docs, options.InsertMany().SetOrdered(true))
	if err == nil {
		return nil
	}
	// An ordered insert stops at its first write error: the entries before
	// it went in. Any other failure may have inserted any prefix.
	inserted := ids
	dup := isDuplicateKey(err)
	var bwe mongo.BulkWriteException
	if errors.As(err, &bwe) && len(bwe.WriteErrors) > 0 {
		inserted = ids[:bwe.WriteErrors[0].Index]
	}
	db.compensate(ctx, op, ids[0], func(ctx context.Context) error {
		if derr := db.deleteByIDs(ctx, collSessions, inserted); derr != nil {
			return fmt.Errorf("remove a half-inserted batch: %w", derr)
		}
		stored, rerr := byIDs[sessionDoc](ctx, db, collSessions, ids)
		if rerr != nil {
			return rerr
		}
		kept := make(map[string]*sessionDoc, len(stored))
		for i := range stored {
			kept[stored[i].ID] = &stored[i]
		}
		fix := make([]member, 0, len(ms)+len(stored))
		for i := range ss {
			// Session ids derive from the session (plan, row, date,
			// status, occurrence), so on a duplicate key another
			// recording of the same session may be about to insert an
			// id not stored yet: its entry stays (a lookup may hold
			// more than the truth; readers skip what is not stored).
			if d := kept[ids[i]]; (d == nil && !dup) || d != nil && d.PlanID != ss[i].PlanID {
				fix = append(fix, sessionMember(docs[i].(*sessionDoc), false))
			}
		}
		for _, d := range kept {
			fix = append(fix, sessionMember(d, true))
		}
		return db.setEntries(ctx, fix...)
	})
	return insertErr(op, "session", err)
}

// Sessions lists a plan's entries by date, then id, from the plan's
// lookup.
func (db *DB) Sessions(ctx context.Context, q cynllun.SessionQuery) ([]cynllun.Session, error) {
	const op = "mongodb.Sessions"
	if q.PlanID == "" {
		return nil, nil
	}
	m, err := lookupMembers[sessionEntry](ctx, db, lkSessionsOfPlan, []string{q.PlanID})
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	from, to := dateString(q.From), dateString(q.To)
	match := func(date, rowID string) bool {
		return (q.RowID == "" || rowID == q.RowID) && (from == "" || date >= from) && (to == "" || date <= to)
	}
	entries := m[q.PlanID]
	type keyed struct{ date, id string }
	keys := make([]keyed, 0, len(entries))
	for id, e := range entries {
		if match(e.Date, e.RowID) {
			keys = append(keys, keyed{e.Date, id})
		}
	}
	slices.SortFunc(keys, func(a, b keyed) int { return compareKeyID(a.date, a.id, b.date, b.id) })
	ids := make([]string, len(keys))
	for i, k := range keys {
		ids[i] = k.id
	}
	docs, err := readInOrder(ctx, db, collSessions, ids, 0,
		func(d *sessionDoc) string { return d.ID },
		func(d *sessionDoc) bool { return d.PlanID == q.PlanID && match(d.Date, d.RowID) })
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	// Entries and documents agree on the date but after a crash part-way.
	slices.SortStableFunc(docs, func(a, b *sessionDoc) int { return compareKeyID(a.Date, a.ID, b.Date, b.ID) })
	return converted(op, docs, nil, func(d **sessionDoc) (cynllun.Session, error) { return fromSessionDoc(*d) })
}

// SessionsByID returns the sessions found, in any order.
func (db *DB) SessionsByID(ctx context.Context, ids []string) ([]cynllun.Session, error) {
	const op = "mongodb.SessionsByID"
	docs, err := byIDs[sessionDoc](ctx, db, collSessions, ids)
	return converted(op, docs, err, fromSessionDoc)
}

// VoidSession sets the void fields of a session not voided yet: on
// MongoDB one update whose filter says "not voided", on the embedded store
// (where such a filter reads the whole collection, and an update is not
// atomic) a read and an update by _id, serialised per session.
func (db *DB) VoidSession(ctx context.Context, id string, at time.Time, by, reason string) error {
	const op = "mongodb.VoidSession"
	update := bson.D{{Key: "$set", Value: bson.D{
		{Key: "voidedAt", Value: bsonTime(at)}, {Key: "voidedBy", Value: by}, {Key: "voidReason", Value: reason},
	}}}
	if db.embedded {
		unlock := db.serialise(collSessions, id)
		defer unlock()
		d, ok, err := oneByID[sessionDoc](ctx, db.coll(collSessions), id, bson.D{{Key: "voidedAt", Value: 1}})
		switch {
		case err != nil:
			return cynllun.Internal(op, err)
		case !ok:
			return cynllun.NotFound(op, "session")
		case d.VoidedAt != nil:
			return nil // voided already: the first void stays
		}
		res, err := db.coll(collSessions).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, update)
		if err != nil {
			return cynllun.Internal(op, err)
		}
		if res.MatchedCount == 0 {
			return cynllun.NotFound(op, "session")
		}
		return nil
	}
	filter := bson.D{{Key: "_id", Value: id}, {Key: "voidedAt", Value: bson.D{{Key: "$exists", Value: false}}}}
	res, err := db.coll(collSessions).UpdateOne(ctx, filter, update)
	if err != nil {
		return cynllun.Internal(op, err)
	}
	if res.MatchedCount == 1 {
		return nil
	}
	// Voided already (keep the first) or missing.
	found, err := db.SessionsByID(ctx, []string{id})
	if err != nil {
		return err
	}
	if len(found) == 0 {
		return cynllun.NotFound(op, "session")
	}
	return nil
}

func init() {
	registerBackfill("sessions", backfillSessions)
}

// backfillSessions builds the lookups of the plans' ledgers.
func backfillSessions(ctx context.Context, db *DB) error {
	return backfillEntries(ctx, db, collSessions, bson.D{{Key: "planId", Value: 1}, {Key: "date", Value: 1}, {Key: "rowId", Value: 1}},
		func(d *sessionDoc) []member { return []member{sessionMember(d, true)} })
}
