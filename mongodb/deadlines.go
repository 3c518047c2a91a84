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

type eventDoc struct {
	ID         string    `bson:"_id"`
	Kind       string    `bson:"kind"`
	LearnerID  string    `bson:"learnerId"`
	PlanID     string    `bson:"planId"`
	ReviewID   string    `bson:"reviewId"`
	CaseID     string    `bson:"caseId,omitempty"`
	OrgID      string    `bson:"orgId"`
	On         string    `bson:"on"`
	Note       string    `bson:"note"`
	RecordedAt time.Time `bson:"recordedAt"`
	RecordedBy string    `bson:"recordedBy"`
	System     bool      `bson:"system"`
}

type closureDoc struct {
	Status  string    `bson:"status"`
	On      string    `bson:"on"`
	EventID string    `bson:"eventId"`
	Reason  string    `bson:"reason"`
	By      string    `bson:"by"`
	At      time.Time `bson:"at"`
}

type deadlineDoc struct {
	ID           string `bson:"_id"`
	RuleID       string `bson:"ruleId"`
	LearnerID    string `bson:"learnerId"`
	PlanID       string `bson:"planId"`
	ReviewID     string `bson:"reviewId"`
	CaseID       string `bson:"caseId,omitempty"`
	OrgID        string `bson:"orgId"`
	LAID         string `bson:"laId"`
	SettingID    string `bson:"settingId"`
	StartEventID string `bson:"startEventId"`
	Start        string `bson:"start"`
	// Due is "" when unknown; DueKey sorts those last ("~").
	Due       string        `bson:"due"`
	DueKey    string        `bson:"dueKey"`
	Problem   string        `bson:"problem"`
	CreatedAt time.Time     `bson:"createdAt"`
	Closure   *closureDoc   `bson:"closure,omitempty"`
	Extension *extensionDoc `bson:"extension,omitempty"`
	// Open mirrors Closure == nil, for the open-deadline queries.
	Open bool `bson:"open"`
}

type extensionDoc struct {
	EventID     string    `bson:"eventId"`
	On          string    `bson:"on"`
	PreviousDue string    `bson:"previousDue"`
	At          time.Time `bson:"at"`
}

// noDue sorts deadlines without a due date after every date.
const noDue = "~"

func toEventDoc(e *cynllun.StatutoryEvent) *eventDoc {
	return &eventDoc{ID: e.ID, Kind: string(e.Kind), LearnerID: e.LearnerID, PlanID: e.PlanID, ReviewID: e.ReviewID, CaseID: e.CaseID,
		OrgID: e.OrgID, On: dateString(e.On), Note: e.Note, RecordedAt: bsonTime(e.RecordedAt), RecordedBy: e.RecordedBy, System: e.System}
}

func fromEventDoc(d *eventDoc) (cynllun.StatutoryEvent, error) {
	on, err := parseDate(d.On)
	if err != nil {
		return cynllun.StatutoryEvent{}, err
	}
	return cynllun.StatutoryEvent{ID: d.ID, Kind: cynllun.EventKind(d.Kind), LearnerID: d.LearnerID, PlanID: d.PlanID, ReviewID: d.ReviewID, CaseID: d.CaseID,
		OrgID: d.OrgID, On: on, Note: d.Note, RecordedAt: fromTime(d.RecordedAt), RecordedBy: d.RecordedBy, System: d.System}, nil
}

func toClosureDoc(c *cynllun.Closure) *closureDoc {
	if c == nil {
		return nil
	}
	return &closureDoc{Status: string(c.Status), On: dateString(c.On), EventID: c.EventID, Reason: c.Reason, By: c.By, At: bsonTime(c.At)}
}

func toDeadlineDoc(d *cynllun.Deadline) *deadlineDoc {
	key := dateString(d.Due)
	if key == "" {
		key = noDue
	}
	return &deadlineDoc{ID: d.ID, RuleID: d.RuleID, LearnerID: d.LearnerID, PlanID: d.PlanID, ReviewID: d.ReviewID, CaseID: d.CaseID, OrgID: d.OrgID,
		LAID: d.LAID, SettingID: d.SettingID, StartEventID: d.StartEventID, Start: dateString(d.Start), Due: dateString(d.Due), DueKey: key,
		Problem: d.Problem, CreatedAt: bsonTime(d.CreatedAt), Closure: toClosureDoc(d.Closure), Extension: toExtensionDoc(d.Extension), Open: d.Closure == nil}
}

func toExtensionDoc(e *cynllun.DeadlineExtension) *extensionDoc {
	if e == nil {
		return nil
	}
	return &extensionDoc{EventID: e.EventID, On: dateString(e.On), PreviousDue: dateString(e.PreviousDue), At: bsonTime(e.At)}
}

func fromDeadlineDoc(d *deadlineDoc) (*cynllun.Deadline, error) {
	var p dates
	out := &cynllun.Deadline{ID: d.ID, RuleID: d.RuleID, LearnerID: d.LearnerID, PlanID: d.PlanID, ReviewID: d.ReviewID, CaseID: d.CaseID, OrgID: d.OrgID,
		LAID: d.LAID, SettingID: d.SettingID, StartEventID: d.StartEventID, Start: p.parse(d.Start), Due: p.parse(d.Due),
		Problem: d.Problem, CreatedAt: fromTime(d.CreatedAt)}
	if c := d.Closure; c != nil {
		out.Closure = &cynllun.Closure{Status: cynllun.DeadlineStatus(c.Status), On: p.parse(c.On), EventID: c.EventID, Reason: c.Reason, By: c.By, At: fromTime(c.At)}
	}
	if e := d.Extension; e != nil {
		out.Extension = &cynllun.DeadlineExtension{EventID: e.EventID, On: p.parse(e.On), PreviousDue: p.parse(e.PreviousDue), At: fromTime(e.At)}
	}
	if p.err != nil {
		return nil, p.err
	}
	return out, nil
}

// InsertEvent stores a statutory event.
func (db *DB) InsertEvent(ctx context.Context, e *cynllun.StatutoryEvent) error {
	if _, err := db.coll(collEvents).InsertOne(ctx, toEventDoc(e)); err != nil {
		return insertErr("mongodb.InsertEvent", "event", err)
	}
	return nil
}

// EventsForLearner lists a learner's events by date, then id.
func (db *DB) EventsForLearner(ctx context.Context, learnerID string) ([]cynllun.StatutoryEvent, error) {
	docs, err := findAll[eventDoc](ctx, db.coll(collEvents), bson.D{{Key: "learnerId", Value: learnerID}},
		allOpts().SetSort(bson.D{{Key: "on", Value: 1}, {Key: "_id", Value: 1}}))
	return converted("mongodb.EventsForLearner", docs, err, fromEventDoc)
}

// InsertDeadlines inserts each deadline, unordered, leaving those whose
// id exists (a clock started twice is one clock).
func (db *DB) InsertDeadlines(ctx context.Context, ds []*cynllun.Deadline) error {
	const op = "mongodb.InsertDeadlines"
	if len(ds) == 0 {
		return nil
	}
	docs := make([]any, len(ds))
	for i, d := range ds {
		docs[i] = toDeadlineDoc(d)
	}
	_, err := db.coll(collDeadlines).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	if err == nil {
		return nil
	}
	var bwe mongo.BulkWriteException
	if errors.As(err, &bwe) && bwe.WriteConcernError == nil {
		for _, we := range bwe.WriteErrors {
			if !mongo.IsDuplicateKeyError(we) {
				return cynllun.Internal(op, err)
			}
		}
		return nil
	}
	return cynllun.Internal(op, err)
}

// DeadlinesByID returns the deadlines found, in any order.
func (db *DB) DeadlinesByID(ctx context.Context, ids []string) ([]*cynllun.Deadline, error) {
	docs, err := byIDs[deadlineDoc](ctx, db.coll(collDeadlines), ids)
	return converted("mongodb.DeadlinesByID", docs, err, fromDeadlineDoc)
}

// OpenDeadlines lists a learner's (or a plan's) open deadlines.
func (db *DB) OpenDeadlines(ctx context.Context, learnerID, planID string) ([]*cynllun.Deadline, error) {
	filter := bson.D{{Key: "learnerId", Value: learnerID}, {Key: "open", Value: true}}
	if planID != "" {
		filter = append(filter, bson.E{Key: "planId", Value: planID})
	}
	docs, err := findAll[deadlineDoc](ctx, db.coll(collDeadlines), filter, allOpts().SetSort(bson.D{{Key: "dueKey", Value: 1}, {Key: "_id", Value: 1}}))
	return converted("mongodb.OpenDeadlines", docs, err, fromDeadlineDoc)
}

// CloseDeadline sets the closure of an open deadline. FerretDB may let two
// racing closures of one deadline both succeed (stack-notes): either is a
// true record of how the clock ended, and the last stays.
func (db *DB) CloseDeadline(ctx context.Context, id string, c cynllun.Closure) (bool, error) {
	const op = "mongodb.CloseDeadline"
	res, err := db.coll(collDeadlines).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: id}, {Key: "open", Value: true}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "closure", Value: toClosureDoc(&c)}, {Key: "open", Value: false}}}})
	if err != nil {
		return false, cynllun.Internal(op, err)
	}
	return res.ModifiedCount == 1, nil
}

// ExtendDeadline moves an open, not yet extended deadline's due date (and
// its sort key) and records the extension; false when nothing matched. As
// for closures, FerretDB may let two racing extensions both succeed; they
// carry the same date.
func (db *DB) ExtendDeadline(ctx context.Context, id string, due cynllun.Date, e cynllun.DeadlineExtension) (bool, error) {
	const op = "mongodb.ExtendDeadline"
	if due.IsZero() {
		return false, cynllun.E(cynllun.CodeInvalid, op, "an extended deadline needs a due date")
	}
	res, err := db.coll(collDeadlines).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: id}, {Key: "open", Value: true}, {Key: "extension", Value: bson.D{{Key: "$exists", Value: false}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "due", Value: dateString(due)}, {Key: "dueKey", Value: dateString(due)}, {Key: "extension", Value: toExtensionDoc(&e)}}}})
	if err != nil {
		return false, cynllun.Internal(op, err)
	}
	return res.ModifiedCount == 1, nil
}

// ListDeadlines lists deadlines in scope by due date, then id.
func (db *DB) ListDeadlines(ctx context.Context, q cynllun.DeadlineQuery) ([]*cynllun.Deadline, error) {
	const op = "mongodb.ListDeadlines"
	q.Scope = cleanScope(q.Scope)
	if q.Scope.Empty() {
		return nil, nil
	}
	filters := []bson.D{scopeFilter(q.Scope, "learnerId")}
	if q.LearnerID != "" {
		filters = append(filters, bson.D{{Key: "learnerId", Value: q.LearnerID}})
	}
	if q.OrgID != "" {
		filters = append(filters, bson.D{{Key: "orgId", Value: q.OrgID}})
	}
	if len(q.RuleIDs) > 0 {
		filters = append(filters, bson.D{{Key: "ruleId", Value: bson.D{{Key: "$in", Value: q.RuleIDs}}}})
	}
	if len(q.Statuses) > 0 {
		filters = append(filters, statusFilter(q.Statuses, dateString(q.Today)))
	}
	if !q.DueFrom.IsZero() {
		filters = append(filters, bson.D{{Key: "dueKey", Value: bson.D{{Key: "$gte", Value: dateString(q.DueFrom)}}}})
	}
	if !q.DueTo.IsZero() {
		filters = append(filters, bson.D{{Key: "dueKey", Value: bson.D{{Key: "$lte", Value: dateString(q.DueTo)}}}})
	}
	if q.AfterID != "" {
		filters = append(filters, afterCursor("dueKey", q.AfterDue, q.AfterID))
	}
	opts := pageOpts(limit(q.Limit)).SetSort(bson.D{{Key: "dueKey", Value: 1}, {Key: "_id", Value: 1}})
	docs, err := findAll[deadlineDoc](ctx, db.coll(collDeadlines), and(filters), opts)
	return converted(op, docs, err, fromDeadlineDoc)
}

// statusFilter matches deadlines whose status on today is one of ss.
func statusFilter(ss []cynllun.DeadlineStatus, today string) bson.D {
	var or bson.A
	for _, s := range ss {
		switch s {
		case cynllun.DeadlineOpen:
			or = append(or, bson.D{{Key: "open", Value: true}, {Key: "dueKey", Value: bson.D{{Key: "$gte", Value: today}}}})
		case cynllun.DeadlineMissed:
			or = append(or, bson.D{{Key: "open", Value: true}, {Key: "dueKey", Value: bson.D{{Key: "$lt", Value: today}}}})
		case cynllun.DeadlineMet, cynllun.DeadlineNotApplicable:
			or = append(or, bson.D{{Key: "closure.status", Value: string(s)}})
		}
	}
	if len(or) == 0 {
		return bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: bson.A{}}}}}
	}
	return bson.D{{Key: "$or", Value: or}}
}

// DueDeadlines lists open deadlines due on or before before, by id.
func (db *DB) DueDeadlines(ctx context.Context, before cynllun.Date, afterID string, n int) ([]*cynllun.Deadline, error) {
	filter := bson.D{{Key: "open", Value: true}, {Key: "dueKey", Value: bson.D{{Key: "$lte", Value: dateString(before)}}}}
	if afterID != "" {
		filter = append(filter, bson.E{Key: "_id", Value: bson.D{{Key: "$gt", Value: afterID}}})
	}
	docs, err := findAll[deadlineDoc](ctx, db.coll(collDeadlines), filter, pageOpts(limit(n)).SetSort(bson.D{{Key: "_id", Value: 1}}))
	return converted("mongodb.DueDeadlines", docs, err, fromDeadlineDoc)
}
