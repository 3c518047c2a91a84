package mongodb

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
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
	Decision   string    `bson:"decision,omitempty"`
	Consent    bool      `bson:"consentGiven,omitempty"`
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
		OrgID: e.OrgID, On: dateString(e.On), Note: e.Note, Decision: string(e.Decision), Consent: e.ConsentGiven,
		RecordedAt: bsonTime(e.RecordedAt), RecordedBy: e.RecordedBy, System: e.System}
}

func fromEventDoc(d *eventDoc) (cynllun.StatutoryEvent, error) {
	on, err := parseDate(d.On)
	if err != nil {
		return cynllun.StatutoryEvent{}, err
	}
	return cynllun.StatutoryEvent{ID: d.ID, Kind: cynllun.EventKind(d.Kind), LearnerID: d.LearnerID, PlanID: d.PlanID, ReviewID: d.ReviewID, CaseID: d.CaseID,
		OrgID: d.OrgID, On: on, Note: d.Note, Decision: cynllun.DisputedKind(d.Decision), ConsentGiven: d.Consent,
		RecordedAt: fromTime(d.RecordedAt), RecordedBy: d.RecordedBy, System: d.System}, nil
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

// Events and deadlines are reached through lookups (lookup.go): a
// learner's events through eventsOfLearner, deadlines through the lookups
// of their learner, organisation, setting and LA, whose entries carry what
// the lists filter and sort on. A list picks its page from the entries and
// reads only the page's deadlines, by _id, checking each against the query
// (an entry may be stale after a crash part-way). What is sorted in memory
// is bounded by the deadlines of one organisation, setting, LA or learner.

// lkEventsOfLearner: learner id → event id: the event's date.
const lkEventsOfLearner = "eventsOfLearner"

// deadlineEntry is a deadline's entry in its lookups.
type deadlineEntry struct {
	DueKey    string `bson:"d"`
	RuleID    string `bson:"r"`
	LearnerID string `bson:"l"`
	OrgID     string `bson:"o,omitempty"`
	LAID      string `bson:"la,omitempty"`
	SettingID string `bson:"st,omitempty"`
	PlanID    string `bson:"p,omitempty"`
	// Closed is the closure's status; "" while open.
	Closed string `bson:"c,omitempty"`
}

func deadlineEntryOf(d *deadlineDoc) deadlineEntry {
	e := deadlineEntry{DueKey: d.DueKey, RuleID: d.RuleID, LearnerID: d.LearnerID, OrgID: d.OrgID, LAID: d.LAID, SettingID: d.SettingID, PlanID: d.PlanID}
	if d.Closure != nil {
		e.Closed = d.Closure.Status
	}
	return e
}

// The deadline sets: an organisation's, a setting's and an LA's deadlines
// in (due, id) order, kept on the embedded store (sorted.go); on MongoDB
// the same lists are indexed queries. A learner's deadlines are one lookup
// document (lkDeadlinesOfLearner), on both stores.
var (
	deadlinesByOrg     = sortedSet[deadlineEntry]{kind: lkDeadlinesOfOrg, order: deadlineOrder}
	deadlinesBySetting = sortedSet[deadlineEntry]{kind: lkDeadlinesOfSetting, order: deadlineOrder}
	deadlinesByLA      = sortedSet[deadlineEntry]{kind: lkDeadlinesOfLA, order: deadlineOrder}
)

func deadlineOrder(id string, e *deadlineEntry) string { return e.DueKey + "\x00" + id }

// writeDeadlineEntries writes the entries of each of ds (the deadlines as
// stored now) and removes those of olds (as they were, where an extension
// moved their due date).
func (db *DB) writeDeadlineEntries(ctx context.Context, ds []*deadlineDoc, olds []*deadlineDoc) error {
	var ms []member
	var b setBatch[deadlineEntry]
	each := func(d *deadlineDoc, e *deadlineEntry) {
		k := deadlineOrder(d.ID, &deadlineEntry{DueKey: d.DueKey})
		b.add(&deadlinesByOrg, d.OrgID, d.ID, k, e)
		b.add(&deadlinesBySetting, d.SettingID, d.ID, k, e)
		b.add(&deadlinesByLA, d.LAID, d.ID, k, e)
	}
	for _, d := range olds {
		each(d, nil)
	}
	for _, d := range ds {
		e := deadlineEntryOf(d)
		ms = append(ms, member{kind: lkDeadlinesOfLearner, key: d.LearnerID, id: d.ID, value: e})
		each(d, &e)
	}
	if err := db.setMembers(ctx, ms...); err != nil {
		return err
	}
	return b.apply(ctx, db)
}

// InsertEvent stores a statutory event (its learner's entry first).
func (db *DB) InsertEvent(ctx context.Context, e *cynllun.StatutoryEvent) error {
	const op = "mongodb.InsertEvent"
	d := toEventDoc(e)
	if err := db.setMembers(ctx, member{kind: lkEventsOfLearner, key: d.LearnerID, id: d.ID, value: d.On}); err != nil {
		return cynllun.Internal(op, err)
	}
	if _, err := db.coll(collEvents).InsertOne(ctx, d); err != nil {
		return insertErr(op, "event", err)
	}
	return nil
}

// EventsForLearner lists a learner's events by date, then id.
func (db *DB) EventsForLearner(ctx context.Context, learnerID string) ([]cynllun.StatutoryEvent, error) {
	const op = "mongodb.EventsForLearner"
	m, err := lookupMembers[string](ctx, db, lkEventsOfLearner, []string{learnerID})
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	docs, err := byIDs[eventDoc](ctx, db, collEvents, slices.Collect(maps.Keys(m[learnerID])))
	evs, err := converted(op, docs, err, fromEventDoc)
	if err != nil {
		return nil, err
	}
	evs = slices.DeleteFunc(evs, func(e cynllun.StatutoryEvent) bool { return e.LearnerID != learnerID })
	slices.SortFunc(evs, func(a, b cynllun.StatutoryEvent) int {
		if c := a.On.Time().Compare(b.On.Time()); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return evs, nil
}

// InsertDeadlines inserts each deadline, unordered, leaving those whose
// id exists (a clock started once is one clock). The entries are written
// first; those of a deadline that existed are then written again from the
// stored deadline.
func (db *DB) InsertDeadlines(ctx context.Context, ds []*cynllun.Deadline) error {
	const op = "mongodb.InsertDeadlines"
	if len(ds) == 0 {
		return nil
	}
	docs := make([]any, len(ds))
	dds := make([]*deadlineDoc, len(ds))
	for i, d := range ds {
		dds[i] = toDeadlineDoc(d)
		docs[i] = dds[i]
	}
	if err := db.writeDeadlineEntries(ctx, dds, nil); err != nil {
		return cynllun.Internal(op, err)
	}
	_, err := db.coll(collDeadlines).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	if err == nil {
		return nil
	}
	var bwe mongo.BulkWriteException
	if !errors.As(err, &bwe) || bwe.WriteConcernError != nil {
		return cynllun.Internal(op, err)
	}
	var existing []string
	var mine []*deadlineDoc
	for _, we := range bwe.WriteErrors {
		if !mongo.IsDuplicateKeyError(we) {
			return cynllun.Internal(op, err)
		}
		existing = append(existing, ds[we.Index].ID)
		mine = append(mine, dds[we.Index])
	}
	stored, err := byIDs[deadlineDoc](ctx, db, collDeadlines, existing)
	if err != nil {
		return cynllun.Internal(op, err)
	}
	restore := make([]*deadlineDoc, len(stored))
	for i := range stored {
		restore[i] = &stored[i]
	}
	// The entries this call wrote for deadlines that existed are replaced
	// by those of the stored deadlines.
	if err := db.writeDeadlineEntries(ctx, restore, mine); err != nil {
		return cynllun.Internal(op, err)
	}
	return nil
}

// DeadlinesByID returns the deadlines found, in any order.
func (db *DB) DeadlinesByID(ctx context.Context, ids []string) ([]*cynllun.Deadline, error) {
	docs, err := byIDs[deadlineDoc](ctx, db, collDeadlines, ids)
	return converted("mongodb.DeadlinesByID", docs, err, fromDeadlineDoc)
}

// OpenDeadlines lists a learner's (or a plan's) open deadlines by due date,
// then id.
func (db *DB) OpenDeadlines(ctx context.Context, learnerID, planID string) ([]*cynllun.Deadline, error) {
	const op = "mongodb.OpenDeadlines"
	q := cynllun.DeadlineQuery{LearnerID: learnerID, Scope: cynllun.Scope{LearnerIDs: []string{learnerID}}}
	keep := func(id string, e deadlineEntry) bool {
		return e.LearnerID == learnerID && e.Closed == "" && (planID == "" || e.PlanID == planID)
	}
	check := func(d *deadlineDoc) bool {
		return d.LearnerID == learnerID && d.Open && (planID == "" || d.PlanID == planID)
	}
	return db.listDeadlines(ctx, op, q, keep, check, 0)
}

// deadlineKey orders deadlines by (due key, id).
type deadlineKey struct{ due, id string }

func compareDeadlineKeys(a, b deadlineKey) int {
	if c := strings.Compare(a.due, b.due); c != 0 {
		return c
	}
	return strings.Compare(a.id, b.id)
}

// deadlineBounds are the order keys (deadlineOrder) a query's list lies
// strictly between: after its due-from date and its after cursor, before
// its due-to date and its before cursor ("": unbounded).
func deadlineBounds(q cynllun.DeadlineQuery) (after, before string) {
	after = dateString(q.DueFrom)
	if q.AfterID != "" {
		if c := deadlineOrder(q.AfterID, &deadlineEntry{DueKey: q.AfterDue}); c > after {
			after = c
		}
	}
	if to := dateString(q.DueTo); to != "" {
		// Every key of a deadline due on to sorts below to + "\x01".
		before = to + "\x01"
	}
	if q.BeforeID != "" {
		if c := deadlineOrder(q.BeforeID, &deadlineEntry{DueKey: q.BeforeDue}); before == "" || c < before {
			before = c
		}
	}
	return after, before
}

// deadlineWalk walks the entries of q's learner, organisation or scope in
// (due, id) order strictly between after and before, or (desc) in reverse
// order: a learner's deadlines from their lookup; an organisation's, a
// setting's or an LA's from their sorted sets.
type deadlineWalk struct {
	m             *merged[deadlineEntry]
	after, before string
	desc          bool
}

func (db *DB) walkDeadlines(ctx context.Context, q cynllun.DeadlineQuery, desc bool) (*deadlineWalk, error) {
	after, before := deadlineBounds(q)
	w := &deadlineWalk{m: &merged[deadlineEntry]{seen: map[string]bool{}, desc: desc}, after: after, before: before, desc: desc}
	// A learner's lookup (the learner of q, or those its scope names).
	learners := q.Scope.LearnerIDs
	if q.LearnerID != "" {
		learners = []string{q.LearnerID}
	}
	if len(learners) > 0 {
		byLearner, err := lookupMembers[deadlineEntry](ctx, db, lkDeadlinesOfLearner, learners)
		if err != nil {
			return nil, err
		}
		var es []setEntry[deadlineEntry]
		for _, m := range byLearner {
			for id, e := range m {
				if k := deadlineOrder(id, &e); w.within(k) {
					es = append(es, setEntry[deadlineEntry]{id: id, k: k, v: e})
				}
			}
		}
		w.m.its = append(w.m.its, listIter(es, desc))
	}
	if q.LearnerID == "" {
		from := func(s *sortedSet[deadlineEntry], keys ...string) error {
			for _, key := range keys {
				var it *setIter[deadlineEntry]
				var err error
				if desc {
					it, err = s.iterDesc(ctx, db, key, before)
				} else {
					it, err = s.iter(ctx, db, key, after)
				}
				if err != nil {
					return err
				}
				w.m.its = append(w.m.its, it)
			}
			return nil
		}
		var err error
		if q.OrgID != "" {
			err = from(&deadlinesByOrg, q.OrgID)
		} else if err = from(&deadlinesBySetting, q.Scope.SettingIDs...); err == nil {
			err = from(&deadlinesByLA, q.Scope.LAIDs...)
		}
		if err != nil {
			return nil, err
		}
	}
	return w, nil
}

// within says whether order key k lies between the walk's bounds.
func (w *deadlineWalk) within(k string) bool {
	return (w.after == "" || k > w.after) && (w.before == "" || k < w.before)
}

// next is the next entry of the walk; false past its far bound.
func (w *deadlineWalk) next(ctx context.Context) (*setEntry[deadlineEntry], bool, error) {
	e, ok, err := w.m.next(ctx)
	if err != nil || !ok || !w.within(e.k) {
		return nil, false, err
	}
	return e, true, nil
}

// listDeadlines lists the deadlines of q's learner, organisation or scope
// in (due, id) order whose entries keep accepts and whose documents check
// accepts, at most n (0: all; with q.Last the n nearest q's before bound,
// in order all the same), reading only those documents, by _id. The walk
// runs from q's cursor or due-from date to its due-to date (bounded by that
// organisation's, setting's or LA's deadlines when filters skip many).
func (db *DB) listDeadlines(ctx context.Context, op string, q cynllun.DeadlineQuery, keep func(string, deadlineEntry) bool, check func(*deadlineDoc) bool, n int) ([]*cynllun.Deadline, error) {
	w, err := db.walkDeadlines(ctx, q, q.Last)
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	out := []*cynllun.Deadline{}
	var batch []string
	flush := func() error {
		docs, err := byIDs[deadlineDoc](ctx, db, collDeadlines, batch)
		if err != nil {
			return err
		}
		byID := make(map[string]*deadlineDoc, len(docs))
		for i := range docs {
			byID[docs[i].ID] = &docs[i]
		}
		for _, id := range batch {
			d := byID[id]
			if d == nil || !check(d) || (n > 0 && len(out) >= n) {
				continue
			}
			dl, err := fromDeadlineDoc(d)
			if err != nil {
				return err
			}
			out = append(out, dl)
		}
		batch = batch[:0]
		return nil
	}
	for n <= 0 || len(out) < n {
		e, ok, err := w.next(ctx)
		if err != nil {
			return nil, cynllun.Internal(op, err)
		}
		if !ok {
			break
		}
		if !keep(e.id, e.v) {
			continue
		}
		batch = append(batch, e.id)
		if n > 0 && len(batch) >= n-len(out) {
			if err := flush(); err != nil {
				return nil, cynllun.Internal(op, err)
			}
		}
	}
	if len(batch) > 0 {
		if err := flush(); err != nil {
			return nil, cynllun.Internal(op, err)
		}
	}
	if q.Last {
		slices.Reverse(out)
	}
	return out, nil
}

// CloseDeadline sets the closure of an open deadline (serialised per
// deadline in the embedded mode, where FerretDB's update is not atomic),
// then its entries; false when it was closed already.
func (db *DB) CloseDeadline(ctx context.Context, id string, c cynllun.Closure) (bool, error) {
	const op = "mongodb.CloseDeadline"
	unlock := db.serialise(collDeadlines, id)
	defer unlock()
	res, err := db.coll(collDeadlines).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: id}, {Key: "open", Value: true}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "closure", Value: toClosureDoc(&c)}, {Key: "open", Value: false}}}})
	if err != nil {
		return false, cynllun.Internal(op, err)
	}
	if err := db.reindexDeadline(ctx, id, nil); err != nil {
		return false, cynllun.Internal(op, err)
	}
	return res.ModifiedCount == 1, nil
}

// reindexDeadline writes a stored deadline's entries again, removing
// those of its state before (old, when its due date may have moved).
func (db *DB) reindexDeadline(ctx context.Context, id string, old *deadlineDoc) error {
	d, ok, err := oneByID[deadlineDoc](ctx, db.coll(collDeadlines), id, nil)
	if err != nil || !ok {
		return err
	}
	var olds []*deadlineDoc
	if old != nil && old.DueKey != d.DueKey {
		olds = append(olds, old)
	}
	return db.writeDeadlineEntries(ctx, []*deadlineDoc{&d}, olds)
}

// ExtendDeadline moves an open, not yet extended deadline's due date (and
// its sort key) and records the extension, then its entries; false when
// nothing matched.
func (db *DB) ExtendDeadline(ctx context.Context, id string, due cynllun.Date, e cynllun.DeadlineExtension) (bool, error) {
	const op = "mongodb.ExtendDeadline"
	if due.IsZero() {
		return false, cynllun.E(cynllun.CodeInvalid, op, "an extended deadline needs a due date")
	}
	unlock := db.serialise(collDeadlines, id)
	defer unlock()
	before, _, err := oneByID[deadlineDoc](ctx, db.coll(collDeadlines), id, nil)
	if err != nil {
		return false, cynllun.Internal(op, err)
	}
	res, err := db.coll(collDeadlines).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: id}, {Key: "open", Value: true}, {Key: "extension", Value: bson.D{{Key: "$exists", Value: false}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "due", Value: dateString(due)}, {Key: "dueKey", Value: dateString(due)}, {Key: "extension", Value: toExtensionDoc(&e)}}}})
	if err != nil {
		return false, cynllun.Internal(op, err)
	}
	if res.ModifiedCount == 1 {
		if err := db.reindexDeadline(ctx, id, &before); err != nil {
			return false, cynllun.Internal(op, err)
		}
	}
	return res.ModifiedCount == 1, nil
}

// deadlineFilter is a DeadlineQuery applied in memory, to entries and to
// documents alike.
type deadlineFilter struct {
	q     cynllun.DeadlineQuery
	today string
	from  string
	to    string
}

func (f deadlineFilter) match(id, learnerID, orgID, settingID, laID, ruleID, dueKey string, open bool, closed string) bool {
	q := f.q
	s := q.Scope
	if !slices.Contains(s.LearnerIDs, learnerID) &&
		(settingID == "" || !slices.Contains(s.SettingIDs, settingID)) &&
		(laID == "" || !slices.Contains(s.LAIDs, laID)) {
		return false
	}
	if q.LearnerID != "" && learnerID != q.LearnerID {
		return false
	}
	if q.OrgID != "" && orgID != q.OrgID {
		return false
	}
	if len(q.RuleIDs) > 0 && !slices.Contains(q.RuleIDs, ruleID) {
		return false
	}
	if len(q.Statuses) > 0 && !slices.ContainsFunc(q.Statuses, func(st cynllun.DeadlineStatus) bool {
		switch st {
		case cynllun.DeadlineOpen:
			return open && dueKey >= f.today
		case cynllun.DeadlineMissed:
			return open && dueKey < f.today
		case cynllun.DeadlineMet, cynllun.DeadlineNotApplicable:
			return !open && closed == string(st)
		}
		return false
	}) {
		return false
	}
	if f.from != "" && dueKey < f.from {
		return false
	}
	if f.to != "" && dueKey > f.to {
		return false
	}
	if q.AfterID != "" && compareDeadlineKeys(deadlineKey{dueKey, id}, deadlineKey{q.AfterDue, q.AfterID}) <= 0 {
		return false
	}
	return true
}

// ListDeadlines lists deadlines in scope by due date, then id.
func (db *DB) ListDeadlines(ctx context.Context, q cynllun.DeadlineQuery) ([]*cynllun.Deadline, error) {
	const op = "mongodb.ListDeadlines"
	q.Scope = cleanScope(q.Scope)
	if q.Scope.Empty() {
		return nil, nil
	}
	f := deadlineFilter{q: q, today: dateString(q.Today), from: dateString(q.DueFrom), to: dateString(q.DueTo)}
	keep := func(id string, e deadlineEntry) bool {
		return f.match(id, e.LearnerID, e.OrgID, e.SettingID, e.LAID, e.RuleID, e.DueKey, e.Closed == "", e.Closed)
	}
	check := func(d *deadlineDoc) bool {
		closed := ""
		if d.Closure != nil {
			closed = d.Closure.Status
		}
		return f.match(d.ID, d.LearnerID, d.OrgID, d.SettingID, d.LAID, d.RuleID, d.DueKey, d.Open, closed)
	}
	if !db.embedded && q.LearnerID == "" {
		return db.listDeadlinesIndexed(ctx, q)
	}
	return db.listDeadlines(ctx, op, q, keep, check, limit(q.Limit))
}

// CountDeadlines counts, by learner, the deadlines ListDeadlines would
// list without cursors or a limit, from their entries alone (no deadline
// is read), at most q.Limit in all (0: no bound): on the embedded store a
// walk of the learner's lookup or of the sorted sets of the organisation,
// settings or LAs, between the due dates asked for; on MongoDB one
// aggregation on the deadlines' indexes.
func (db *DB) CountDeadlines(ctx context.Context, q cynllun.DeadlineQuery) (map[string]int, error) {
	const op = "mongodb.CountDeadlines"
	q.Scope = cleanScope(q.Scope)
	q.AfterDue, q.AfterID, q.BeforeDue, q.BeforeID, q.Last = "", "", "", "", false
	out := map[string]int{}
	if q.Scope.Empty() {
		return out, nil
	}
	if !db.embedded && q.LearnerID == "" {
		return db.countDeadlinesIndexed(ctx, q)
	}
	f := deadlineFilter{q: q, today: dateString(q.Today), from: dateString(q.DueFrom), to: dateString(q.DueTo)}
	w, err := db.walkDeadlines(ctx, q, false)
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	for n := 0; q.Limit <= 0 || n < q.Limit; {
		e, ok, err := w.next(ctx)
		if err != nil {
			return nil, cynllun.Internal(op, err)
		}
		if !ok {
			break
		}
		if f.match(e.id, e.v.LearnerID, e.v.OrgID, e.v.SettingID, e.v.LAID, e.v.RuleID, e.v.DueKey, e.v.Closed == "", e.v.Closed) {
			out[e.v.LearnerID]++
			n++
		}
	}
	return out, nil
}

// countDeadlinesIndexed counts deadlines by learner on MongoDB.
func (db *DB) countDeadlinesIndexed(ctx context.Context, q cynllun.DeadlineQuery) (map[string]int, error) {
	const op = "mongodb.CountDeadlines"
	filter, ok := deadlineIndexedFilter(q)
	out := map[string]int{}
	if !ok {
		return out, nil
	}
	pipeline := bson.A{bson.D{{Key: "$match", Value: filter}}}
	if q.Limit > 0 {
		pipeline = append(pipeline, bson.D{{Key: "$limit", Value: q.Limit}})
	}
	pipeline = append(pipeline, bson.D{{Key: "$group", Value: bson.D{{Key: "_id", Value: "$learnerId"}, {Key: "n", Value: bson.D{{Key: "$sum", Value: 1}}}}}})
	cur, err := db.coll(collDeadlines).Aggregate(ctx, pipeline)
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	var rows []struct {
		ID string `bson:"_id"`
		N  int    `bson:"n"`
	}
	if err := cur.All(ctx, &rows); err != nil {
		return nil, cynllun.Internal(op, err)
	}
	for _, r := range rows {
		out[r.ID] = r.N
	}
	return out, nil
}

// listDeadlinesIndexed is a page of deadlines on MongoDB: one query on the
// deadlines' indexes.
func (db *DB) listDeadlinesIndexed(ctx context.Context, q cynllun.DeadlineQuery) ([]*cynllun.Deadline, error) {
	const op = "mongodb.ListDeadlines"
	filter, ok := deadlineIndexedFilter(q)
	if !ok {
		return nil, nil
	}
	if q.AfterID != "" {
		filter = and([]bson.D{filter, afterCursor("dueKey", q.AfterDue, q.AfterID)})
	}
	if q.BeforeID != "" {
		filter = and([]bson.D{filter, beforeCursor("dueKey", q.BeforeDue, q.BeforeID)})
	}
	dir := 1
	if q.Last {
		dir = -1
	}
	opts := pageOpts(limit(q.Limit)).SetSort(bson.D{{Key: "dueKey", Value: dir}, {Key: "_id", Value: dir}})
	docs, err := findAll[deadlineDoc](ctx, db.coll(collDeadlines), filter, opts)
	if q.Last {
		slices.Reverse(docs)
	}
	return converted(op, docs, err, fromDeadlineDoc)
}

// deadlineIndexedFilter is a deadline query's filter on MongoDB, cursors
// aside; false when it matches nothing.
func deadlineIndexedFilter(q cynllun.DeadlineQuery) (bson.D, bool) {
	s := q.Scope
	var or bson.A
	if len(s.LearnerIDs) > 0 {
		or = append(or, bson.D{{Key: "learnerId", Value: bson.D{{Key: "$in", Value: s.LearnerIDs}}}})
	}
	if len(s.SettingIDs) > 0 {
		or = append(or, bson.D{{Key: "settingId", Value: bson.D{{Key: "$in", Value: s.SettingIDs}}}})
	}
	if len(s.LAIDs) > 0 {
		or = append(or, bson.D{{Key: "laId", Value: bson.D{{Key: "$in", Value: s.LAIDs}}}})
	}
	filters := []bson.D{{{Key: "$or", Value: or}}}
	if q.OrgID != "" {
		filters = append(filters, bson.D{{Key: "orgId", Value: q.OrgID}})
	}
	if len(q.RuleIDs) > 0 {
		filters = append(filters, bson.D{{Key: "ruleId", Value: bson.D{{Key: "$in", Value: q.RuleIDs}}}})
	}
	if len(q.Statuses) > 0 {
		today := dateString(q.Today)
		var st bson.A
		for _, x := range q.Statuses {
			switch x {
			case cynllun.DeadlineOpen:
				st = append(st, bson.D{{Key: "open", Value: true}, {Key: "dueKey", Value: bson.D{{Key: "$gte", Value: today}}}})
			case cynllun.DeadlineMissed:
				st = append(st, bson.D{{Key: "open", Value: true}, {Key: "dueKey", Value: bson.D{{Key: "$lt", Value: today}}}})
			case cynllun.DeadlineMet, cynllun.DeadlineNotApplicable:
				st = append(st, bson.D{{Key: "closure.status", Value: string(x)}})
			}
		}
		if len(st) == 0 {
			return nil, false
		}
		filters = append(filters, bson.D{{Key: "$or", Value: st}})
	}
	if !q.DueFrom.IsZero() {
		filters = append(filters, bson.D{{Key: "dueKey", Value: bson.D{{Key: "$gte", Value: dateString(q.DueFrom)}}}})
	}
	if !q.DueTo.IsZero() {
		filters = append(filters, bson.D{{Key: "dueKey", Value: bson.D{{Key: "$lte", Value: dateString(q.DueTo)}}}})
	}
	return and(filters), true
}

// DueDeadlines lists open deadlines due on or before before, by id.
//
// It is not flat on the embedded store: its filter (open, dueKey, _id
// after the cursor) reads the whole deadlines collection. It is the notice
// scanner's periodic background batch, never a request, and each call is
// bounded by n (the scanner pages through by id), so it is left as a
// query; on MongoDB the open_dueKey index serves it.
func (db *DB) DueDeadlines(ctx context.Context, before cynllun.Date, afterID string, n int) ([]*cynllun.Deadline, error) {
	filter := bson.D{{Key: "open", Value: true}, {Key: "dueKey", Value: bson.D{{Key: "$lte", Value: dateString(before)}}}}
	if afterID != "" {
		filter = append(filter, bson.E{Key: "_id", Value: bson.D{{Key: "$gt", Value: afterID}}})
	}
	docs, err := findAll[deadlineDoc](ctx, db.coll(collDeadlines), filter, pageOpts(limit(n)).SetSort(bson.D{{Key: "_id", Value: 1}}))
	return converted("mongodb.DueDeadlines", docs, err, fromDeadlineDoc)
}
