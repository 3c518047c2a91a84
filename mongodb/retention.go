package mongodb

import (
	"context"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/cynllun/cynllun"
)

// Retention reviews (cynllun.RetentionReview): one document per learner in
// "retention", _id "ret_<learner id>", so listing a learner twice is a
// duplicate key. The open reviews (LISTED, APPROVED) are members of one
// lookup document, retentionOpen/all, which the list and the worker read:
// its size grows with the backlog of reviews awaiting approval or erasure,
// never with the learners. An ERASED review leaves it and stays, ids and
// dates only, as the record of the erasure beside its audit tombstone.

const collRetention = "retention"

const (
	lkRetentionOpen  = "retentionOpen" // "all" → review id: retentionEntry
	retentionOpenKey = "all"
)

// retentionCursorID keeps where the retention scan stopped.
var retentionCursorID = lookupID("meta", "retentionScan")

type retentionDoc struct {
	ID           string    `bson:"_id"`
	LearnerID    string    `bson:"learnerId"`
	ControllerID string    `bson:"controllerId"`
	LAID         string    `bson:"laId,omitempty"`
	Rule         string    `bson:"rule"`
	DueOn        string    `bson:"dueOn"`
	Status       string    `bson:"status"`
	ListedAt     time.Time `bson:"listedAt"`
	ApprovedBy   string    `bson:"approvedBy,omitempty"`
	ApprovedAt   time.Time `bson:"approvedAt,omitempty"`
	ErasedAt     time.Time `bson:"erasedAt,omitempty"`
}

// retentionEntry is an open review's entry in retentionOpen/all.
type retentionEntry struct {
	DueOn        string `bson:"d"`
	ControllerID string `bson:"c"`
	LAID         string `bson:"la,omitempty"`
	Status       string `bson:"s"`
}

func toRetentionDoc(r *cynllun.RetentionReview) *retentionDoc {
	return &retentionDoc{ID: r.ID, LearnerID: r.LearnerID, ControllerID: r.ControllerID, LAID: r.LAID, Rule: r.Rule,
		DueOn: dateString(r.DueOn), Status: string(r.Status), ListedAt: bsonTime(r.ListedAt),
		ApprovedBy: r.ApprovedBy, ApprovedAt: bsonTimeOrZero(r.ApprovedAt), ErasedAt: bsonTimeOrZero(r.ErasedAt)}
}

func bsonTimeOrZero(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return bsonTime(t)
}

func fromRetentionDoc(d *retentionDoc) (*cynllun.RetentionReview, error) {
	due, err := parseDate(d.DueOn)
	if err != nil {
		return nil, err
	}
	r := &cynllun.RetentionReview{ID: d.ID, LearnerID: d.LearnerID, ControllerID: d.ControllerID, LAID: d.LAID, Rule: d.Rule,
		DueOn: due, Status: cynllun.RetentionStatus(d.Status), ListedAt: fromTime(d.ListedAt), ApprovedBy: d.ApprovedBy}
	if !d.ApprovedAt.IsZero() {
		r.ApprovedAt = fromTime(d.ApprovedAt)
	}
	if !d.ErasedAt.IsZero() {
		r.ErasedAt = fromTime(d.ErasedAt)
	}
	return r, nil
}

func retentionMember(d *retentionDoc) member {
	m := member{kind: lkRetentionOpen, key: retentionOpenKey, id: d.ID}
	if d.Status != string(cynllun.RetentionErased) {
		m.value = retentionEntry{DueOn: d.DueOn, ControllerID: d.ControllerID, LAID: d.LAID, Status: d.Status}
	}
	return m
}

// ListRetentionCandidate inserts r (its entry first) unless its learner has
// a review; true when inserted.
func (db *DB) ListRetentionCandidate(ctx context.Context, r *cynllun.RetentionReview) (bool, error) {
	const op = "mongodb.ListRetentionCandidate"
	if _, ok, err := oneByID[retentionDoc](ctx, db.coll(collRetention), r.ID, nil); err != nil {
		return false, cynllun.Internal(op, err)
	} else if ok {
		return false, nil
	}
	d := toRetentionDoc(r)
	if err := db.setMembers(ctx, retentionMember(d)); err != nil {
		return false, cynllun.Internal(op, err)
	}
	if _, err := db.coll(collRetention).InsertOne(ctx, d); err != nil {
		if isDuplicateKey(err) {
			// Another scanner listed it first; its entry is the same.
			return false, nil
		}
		return false, cynllun.Internal(op, err)
	}
	return true, nil
}

// RetentionReviewsByID returns the reviews found, in any order.
func (db *DB) RetentionReviewsByID(ctx context.Context, ids []string) ([]*cynllun.RetentionReview, error) {
	docs, err := byIDs[retentionDoc](ctx, db, collRetention, ids)
	return converted("mongodb.RetentionReviewsByID", docs, err, fromRetentionDoc)
}

// RetentionReviews lists the open reviews matching q by due date then id,
// from retentionOpen/all, reading only the page's reviews.
func (db *DB) RetentionReviews(ctx context.Context, q cynllun.RetentionQuery) ([]*cynllun.RetentionReview, error) {
	const op = "mongodb.RetentionReviews"
	m, err := lookupMembers[retentionEntry](ctx, db, lkRetentionOpen, []string{retentionOpenKey})
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	type keyed struct{ key, id string }
	var ks []keyed
	for id, e := range m[retentionOpenKey] {
		// An entry is written before its review changes, so it may be a
		// step ahead: a LISTED review under an APPROVED entry (a crash
		// in between) is checked against the review below.
		if q.Status == cynllun.RetentionApproved && e.Status != string(cynllun.RetentionApproved) ||
			q.Status == cynllun.RetentionListed && e.Status != string(cynllun.RetentionListed) && e.Status != string(cynllun.RetentionApproved) {
			continue
		}
		if (len(q.ControllerIDs) > 0 || len(q.LAIDs) > 0) && !slices.Contains(q.ControllerIDs, e.ControllerID) && !slices.Contains(q.LAIDs, e.LAID) {
			continue
		}
		ks = append(ks, keyed{e.DueOn + "\x00" + id, id})
	}
	slices.SortFunc(ks, func(a, b keyed) int { return strings.Compare(a.key, b.key) })
	// The page starts after the review q.AfterID, by its due date and id
	// (read from the review when it has left the list since).
	afterKey := ""
	if q.AfterID != "" {
		if e, ok := m[retentionOpenKey][q.AfterID]; ok {
			afterKey = e.DueOn + "\x00" + q.AfterID
		} else if d, ok, err := oneByID[retentionDoc](ctx, db.coll(collRetention), q.AfterID, nil); err != nil {
			return nil, cynllun.Internal(op, err)
		} else if ok {
			afterKey = d.DueOn + "\x00" + q.AfterID
		}
	}
	var ids []string
	for _, k := range ks {
		if afterKey != "" && k.key <= afterKey {
			continue
		}
		if q.Limit > 0 && len(ids) == q.Limit {
			break
		}
		ids = append(ids, k.id)
	}
	rs, err := db.RetentionReviewsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	order := make(map[string]int, len(ids))
	for i, id := range ids {
		order[id] = i
	}
	// An entry whose review has moved on (erased, or a crash between the
	// two writes) is checked against the review itself.
	var stale []member
	rs = slices.DeleteFunc(rs, func(r *cynllun.RetentionReview) bool {
		if r.Status == cynllun.RetentionErased {
			// FinishRetention cut short after the review was marked:
			// its entry goes now.
			stale = append(stale, member{kind: lkRetentionOpen, key: retentionOpenKey, id: r.ID})
			return true
		}
		return q.Status != "" && r.Status != q.Status
	})
	if len(stale) > 0 {
		if err := db.setMembers(ctx, stale...); err != nil {
			db.log.WarnContext(ctx, "could not remove the entries of erased reviews", "op", op, "error", err)
		}
	}
	slices.SortFunc(rs, func(a, b *cynllun.RetentionReview) int { return order[a.ID] - order[b.ID] })
	return rs, nil
}

// ApproveRetention moves a LISTED review to APPROVED, conditionally on its
// status (one approval wins).
func (db *DB) ApproveRetention(ctx context.Context, id, by string, at time.Time) (*cynllun.RetentionReview, error) {
	const op = "mongodb.ApproveRetention"
	unlock := db.serialise(collRetention, id)
	defer unlock()
	d, ok, err := oneByID[retentionDoc](ctx, db.coll(collRetention), id, nil)
	switch {
	case err != nil:
		return nil, cynllun.Internal(op, err)
	case !ok:
		return nil, cynllun.NotFound(op, "retention review")
	case d.Status != string(cynllun.RetentionListed):
		return nil, cynllun.E(cynllun.CodeConflict, op, "this learner's erasure has been approved already")
	}
	// The entry first, as every lookup entry (lookup.go): a crash before
	// the review's own update leaves an entry saying APPROVED over a
	// LISTED review, which the lists check against the review.
	listed := d
	d.Status, d.ApprovedBy, d.ApprovedAt = string(cynllun.RetentionApproved), by, bsonTime(at)
	if err := db.setMembers(ctx, retentionMember(&d)); err != nil {
		return nil, cynllun.Internal(op, err)
	}
	res, err := db.coll(collRetention).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: id}, {Key: "status", Value: string(cynllun.RetentionListed)}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: d.Status}, {Key: "approvedBy", Value: by}, {Key: "approvedAt", Value: d.ApprovedAt}}}})
	if err != nil {
		db.compensate(ctx, op, id, func(ctx context.Context) error { return db.setMembers(ctx, retentionMember(&listed)) })
		return nil, cynllun.Internal(op, err)
	}
	if res.MatchedCount == 0 {
		// Another approval won: its entry says APPROVED too.
		return nil, cynllun.E(cynllun.CodeConflict, op, "this learner's erasure has been approved already")
	}
	return fromRetentionDoc(&d)
}

// FinishRetention marks an APPROVED review ERASED, then removes its entry.
func (db *DB) FinishRetention(ctx context.Context, id string, at time.Time) error {
	const op = "mongodb.FinishRetention"
	_, err := db.coll(collRetention).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: id}, {Key: "status", Value: string(cynllun.RetentionApproved)}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: string(cynllun.RetentionErased)}, {Key: "erasedAt", Value: bsonTime(at)}}}})
	if err != nil {
		return cynllun.Internal(op, err)
	}
	if err := db.setMembers(ctx, member{kind: lkRetentionOpen, key: retentionOpenKey, id: id}); err != nil {
		return cynllun.Internal(op, err)
	}
	return nil
}

type cursorDoc struct {
	ID     string `bson:"_id"`
	Cursor string `bson:"cursor"`
}

// RetentionCursor is where the retention scan stopped ("" at the start).
func (db *DB) RetentionCursor(ctx context.Context) (string, error) {
	d, _, err := oneByID[cursorDoc](ctx, db.coll(collLookups), retentionCursorID, nil)
	if err != nil {
		return "", cynllun.Internal("mongodb.RetentionCursor", err)
	}
	return d.Cursor, nil
}

// SetRetentionCursor records where the retention scan stopped.
func (db *DB) SetRetentionCursor(ctx context.Context, cursor string) error {
	_, err := db.coll(collLookups).UpdateOne(ctx, bson.D{{Key: "_id", Value: retentionCursorID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "cursor", Value: cursor}}}}, options.UpdateOne().SetUpsert(true))
	if err != nil {
		return cynllun.Internal("mongodb.SetRetentionCursor", err)
	}
	return nil
}
