package mongodb

import (
	"context"
	"errors"
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

// InsertSessions inserts the batch in one ordered insertMany. Without
// transactions a batch that fails part-way (a duplicate id, a lost
// connection) is undone by deleting every id of the batch, so the ledger
// never keeps half a batch; a crash between the failure and the clean-up
// can leave the inserted prefix behind (the caller's retry with the same
// ids then reports CONFLICT).
func (db *DB) InsertSessions(ctx context.Context, ss []cynllun.Session) error {
	const op = "mongodb.InsertSessions"
	if len(ss) == 0 {
		return nil
	}
	docs := make([]any, len(ss))
	ids := make([]string, len(ss))
	for i := range ss {
		docs[i] = toSessionDoc(&ss[i])
		ids[i] = ss[i].ID
	}
	_, err := db.coll(collSessions).InsertMany(ctx, docs, options.InsertMany().SetOrdered(true))
	if err == nil {
		return nil
	}
	// An ordered insert stops at its first write error: the entries before
	// it went in. Any other failure may have inserted any prefix.
	var bwe mongo.BulkWriteException
	if errors.As(err, &bwe) && len(bwe.WriteErrors) > 0 {
		ids = ids[:bwe.WriteErrors[0].Index]
	}
	if len(ids) == 0 {
		return insertErr(op, "session", err)
	}
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), compensationTimeout)
	defer cancel()
	if _, derr := db.coll(collSessions).DeleteMany(dctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}}); derr != nil {
		db.log.ErrorContext(ctx, "could not remove a half-inserted batch of ledger entries", "op", op, "error", derr)
	}
	return insertErr(op, "session", err)
}

// Sessions lists a plan's entries by date, then id.
func (db *DB) Sessions(ctx context.Context, q cynllun.SessionQuery) ([]cynllun.Session, error) {
	const op = "mongodb.Sessions"
	filter := bson.D{{Key: "planId", Value: q.PlanID}}
	if q.RowID != "" {
		filter = append(filter, bson.E{Key: "rowId", Value: q.RowID})
	}
	rng := bson.D{}
	if !q.From.IsZero() {
		rng = append(rng, bson.E{Key: "$gte", Value: dateString(q.From)})
	}
	if !q.To.IsZero() {
		rng = append(rng, bson.E{Key: "$lte", Value: dateString(q.To)})
	}
	if len(rng) > 0 {
		filter = append(filter, bson.E{Key: "date", Value: rng})
	}
	opts := allOpts().SetSort(bson.D{{Key: "date", Value: 1}, {Key: "_id", Value: 1}})
	docs, err := findAll[sessionDoc](ctx, db.coll(collSessions), filter, opts)
	return converted(op, docs, err, fromSessionDoc)
}

// SessionsByID returns the sessions found, in any order.
func (db *DB) SessionsByID(ctx context.Context, ids []string) ([]cynllun.Session, error) {
	const op = "mongodb.SessionsByID"
	docs, err := byIDs[sessionDoc](ctx, db, collSessions, ids)
	return converted(op, docs, err, fromSessionDoc)
}

// VoidSession sets the void fields of a session not voided yet. Racing
// voids of one entry may both "win" on FerretDB (stack-notes): the last
// write stays, and either is a correct record of the entry being withdrawn.
func (db *DB) VoidSession(ctx context.Context, id string, at time.Time, by, reason string) error {
	const op = "mongodb.VoidSession"
	filter := bson.D{{Key: "_id", Value: id}, {Key: "voidedAt", Value: bson.D{{Key: "$exists", Value: false}}}}
	update := bson.D{{Key: "$set", Value: bson.D{
		{Key: "voidedAt", Value: bsonTime(at)}, {Key: "voidedBy", Value: by}, {Key: "voidReason", Value: reason},
	}}}
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
