package mongodb

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/cynllun/cynllun"
)

type noticeDoc struct {
	ID         string     `bson:"_id"`
	DeadlineID string     `bson:"deadlineId"`
	LearnerID  string     `bson:"learnerId"`
	OrgID      string     `bson:"orgId"`
	RuleID     string     `bson:"ruleId"`
	Due        string     `bson:"due"`
	Offset     int        `bson:"offset"`
	OffsetUnit string     `bson:"offsetUnit"`
	Kind       string     `bson:"kind"`
	Channel    string     `bson:"channel"`
	Recipient  string     `bson:"recipient"`
	Status     string     `bson:"status"`
	Attempts   int        `bson:"attempts"`
	ErrorCode  string     `bson:"errorCode"`
	CreatedAt  time.Time  `bson:"createdAt"`
	UpdatedAt  time.Time  `bson:"updatedAt"`
	SentAt     *time.Time `bson:"sentAt,omitempty"`
	// AttemptedAt: when the last attempt began (issue 19).
	AttemptedAt *time.Time `bson:"attemptedAt,omitempty"`
}

func toNoticeDoc(n *cynllun.Notice) *noticeDoc {
	return &noticeDoc{ID: n.ID, DeadlineID: n.DeadlineID, LearnerID: n.LearnerID, OrgID: n.OrgID, RuleID: n.RuleID, Due: dateString(n.Due),
		Offset: n.Offset, OffsetUnit: n.OffsetUnit, Kind: string(n.Kind), Channel: string(n.Channel), Recipient: n.Recipient,
		Status: string(n.Status), Attempts: n.Attempts, ErrorCode: string(n.ErrorCode),
		CreatedAt: bsonTime(n.CreatedAt), UpdatedAt: bsonTime(n.UpdatedAt), SentAt: optTime(n.SentAt),
		AttemptedAt: optTime(n.AttemptedAt)}
}

func fromNoticeDoc(d *noticeDoc) (*cynllun.Notice, error) {
	due, err := parseDate(d.Due)
	if err != nil {
		return nil, err
	}
	return &cynllun.Notice{ID: d.ID, DeadlineID: d.DeadlineID, LearnerID: d.LearnerID, OrgID: d.OrgID, RuleID: d.RuleID, Due: due,
		Offset: d.Offset, OffsetUnit: d.OffsetUnit, Kind: cynllun.NoticeKind(d.Kind), Channel: cynllun.Channel(d.Channel), Recipient: d.Recipient,
		Status: cynllun.NoticeStatus(d.Status), Attempts: d.Attempts, ErrorCode: cynllun.Code(d.ErrorCode),
		CreatedAt: fromTime(d.CreatedAt), UpdatedAt: fromTime(d.UpdatedAt), SentAt: fromOptTime(d.SentAt),
		AttemptedAt: fromOptTime(d.AttemptedAt)}, nil
}

// Notices, deliveries and endpoints are reached through lookups
// (lookup.go): a notice's deliveries through deliveriesOfNotice, an
// organisation's endpoints through endpointsOfOrg, each read whole and its
// records by _id, checked against the query.
//
// A deadline's notices are listed by noticesOfDeadline documents of
// another shape, written by insert only: each InsertNotices adds, for each
// deadline with notices it inserted, one document
// noticesOfDeadline/<deadlineId>/<k> (k = 1, 2, … the first free) naming
// them, and readers read k = 1, 2, … until one is missing. The scanner
// raises a page of hundreds of notices at a time, for as many deadlines,
// and on the embedded store every update of a lookup document reads the
// whole lookups collection (its _id filter is pushed down to SQLite, which
// still parses every row's JSON), where an insert is checked by the unique
// _id index alone: updating a document per deadline made a scan of 1,000
// deadlines 40 times slower. A deadline gets a new document only when new
// notices are raised for it (a new offset or recipient), so k stays small.
// The entries are written after the notices, since only then is it known
// which went in: a crash between the two leaves a notice out of its
// deadline's notice log (it is still delivered, and PendingNotices still
// finds it).
//
// PendingNotices is not flat (see there).

const (
	lkNoticesOfDeadline  = "noticesOfDeadline"  // deadline id + "/" + k → notice id: kind
	lkDeliveriesOfNotice = "deliveriesOfNotice" // notice id → delivery id: attempt
	lkEndpointsOfOrg     = "endpointsOfOrg"     // organisation id → endpoint id: createdAt
)

// maxNoticeBatches bounds the noticesOfDeadline documents of one deadline.
const maxNoticeBatches = 1000

// InsertNotices inserts the notices unordered and returns the ids that
// went in; the duplicates (raised already, by this scanner or another)
// are left as they are. The notices inserted are then added to their
// deadlines' lists.
func (db *DB) InsertNotices(ctx context.Context, ns []*cynllun.Notice) ([]string, error) {
	const op = "mongodb.InsertNotices"
	if len(ns) == 0 {
		return nil, nil
	}
	docs := make([]any, len(ns))
	for i, n := range ns {
		docs[i] = toNoticeDoc(n)
	}
	_, err := db.coll(collNotices).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	dup := map[int]bool{}
	if err != nil {
		var bwe mongo.BulkWriteException
		if !errors.As(err, &bwe) || bwe.WriteConcernError != nil {
			return nil, cynllun.Internal(op, err)
		}
		for _, we := range bwe.WriteErrors {
			if !mongo.IsDuplicateKeyError(we) {
				return nil, cynllun.Internal(op, err)
			}
			dup[we.Index] = true
		}
	}
	var out []string
	byDeadline := map[string]map[string]string{}
	for i, n := range ns {
		if dup[i] {
			continue
		}
		out = append(out, n.ID)
		if byDeadline[n.DeadlineID] == nil {
			byDeadline[n.DeadlineID] = map[string]string{}
		}
		byDeadline[n.DeadlineID][n.ID] = string(n.Kind)
	}
	if err := db.appendNoticeLists(ctx, byDeadline); err != nil {
		return nil, cynllun.Internal(op, err)
	}
	return out, nil
}

// appendNoticeLists adds to each deadline's notice list a document naming
// the given notices, with the first free k: rounds of one unordered
// insert each, the deadlines whose k was taken trying the next.
func (db *DB) appendNoticeLists(ctx context.Context, byDeadline map[string]map[string]string) error {
	todo := slices.Sorted(maps.Keys(byDeadline))
	for k := 1; len(todo) > 0; k++ {
		if k > maxNoticeBatches {
			return fmt.Errorf("deadline %s has %d notice lists", todo[0], maxNoticeBatches)
		}
		docs := make([]any, len(todo))
		for i, dl := range todo {
			docs[i] = lookupDoc[string]{ID: noticeListID(dl, k), M: byDeadline[dl]}
		}
		_, err := db.coll(collLookups).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
		if err == nil {
			return nil
		}
		var bwe mongo.BulkWriteException
		if !errors.As(err, &bwe) || bwe.WriteConcernError != nil {
			return err
		}
		var next []string
		for _, we := range bwe.WriteErrors {
			if !mongo.IsDuplicateKeyError(we) {
				return err
			}
			next = append(next, todo[we.Index])
		}
		todo = next
	}
	return nil
}

func noticeListID(deadlineID string, k int) string {
	return lookupID(lkNoticesOfDeadline, deadlineID+"/"+strconv.Itoa(k))
}

// noticeListWindow is how many of a deadline's notice lists are read at
// once.
const noticeListWindow = 4

// noticesOf reads a deadline's notice lists, a window at a time, until one
// is missing, and returns the notice ids they name.
func (db *DB) noticesOf(ctx context.Context, deadlineID string) ([]string, error) {
	var ids []string
	for first := 1; first <= maxNoticeBatches; first += noticeListWindow {
		lids := make([]string, noticeListWindow)
		for i := range lids {
			lids[i] = noticeListID(deadlineID, first+i)
		}
		docs, err := byIDs[lookupDoc[string]](ctx, db, collLookups, lids)
		if err != nil {
			return nil, err
		}
		for _, d := range docs {
			for id := range d.M {
				ids = append(ids, id)
			}
		}
		if len(docs) < noticeListWindow {
			break
		}
	}
	return ids, nil
}

// NoticesByID returns the notices found, in any order.
func (db *DB) NoticesByID(ctx context.Context, ids []string) ([]*cynllun.Notice, error) {
	docs, err := byIDs[noticeDoc](ctx, db, collNotices, ids)
	return converted("mongodb.NoticesByID", docs, err, fromNoticeDoc)
}

// UpdateNotice replaces a notice (single writer: the task holding it).
func (db *DB) UpdateNotice(ctx context.Context, n *cynllun.Notice) error {
	const op = "mongodb.UpdateNotice"
	res, err := db.coll(collNotices).ReplaceOne(ctx, bson.D{{Key: "_id", Value: n.ID}}, toNoticeDoc(n))
	if err != nil {
		return cynllun.Internal(op, err)
	}
	if res.MatchedCount == 0 {
		return cynllun.NotFound(op, "notice")
	}
	return nil
}

// NoticesForDeadline lists a deadline's notices, oldest first, from its
// notice lists.
func (db *DB) NoticesForDeadline(ctx context.Context, deadlineID string) ([]*cynllun.Notice, error) {
	const op = "mongodb.NoticesForDeadline"
	ids, err := db.noticesOf(ctx, deadlineID)
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	docs, err := byIDs[noticeDoc](ctx, db, collNotices, ids)
	docs = slices.DeleteFunc(docs, func(d noticeDoc) bool { return d.DeadlineID != deadlineID })
	slices.SortFunc(docs, func(a, b noticeDoc) int { return compareAtID(a.CreatedAt, a.ID, b.CreatedAt, b.ID) })
	return converted(op, docs, err, fromNoticeDoc)
}

// compareAtID orders (time, id) pairs by time, then id.
func compareAtID(aAt time.Time, aID string, bAt time.Time, bID string) int {
	if c := aAt.Compare(bAt); c != 0 {
		return c
	}
	return strings.Compare(aID, bID)
}

// PendingNotices lists PENDING and SENDING (an attempt's outcome unknown)
// notices last updated before before, oldest first, at most n.
//
// It is not flat on the embedded store: its filter reads the whole
// notices collection. It is the notice scanner's periodic background
// batch (once a pass, to queue again the notices Redis lost), never a
// request, and is bounded by n, like DueDeadlines. A lookup of the pending
// notices would cost an update of one shared document on every raise and
// every UpdateNotice (three per delivery), each of which, on the embedded
// store, reads the whole lookups collection: far more than this one scan
// a pass. On MongoDB the status_updatedAt index serves it.
func (db *DB) PendingNotices(ctx context.Context, before time.Time, n int) ([]*cynllun.Notice, error) {
	filter := bson.D{{Key: "status", Value: bson.D{{Key: "$in", Value: bson.A{string(cynllun.NoticePending), string(cynllun.NoticeSending)}}}}, {Key: "updatedAt", Value: bson.D{{Key: "$lt", Value: ceilMillis(before)}}}}
	docs, err := findAll[noticeDoc](ctx, db.coll(collNotices), filter, pageOpts(limit(n)).SetSort(bson.D{{Key: "updatedAt", Value: 1}, {Key: "_id", Value: 1}}))
	return converted("mongodb.PendingNotices", docs, err, fromNoticeDoc)
}

type deliveryDoc struct {
	ID         string    `bson:"_id"`
	NoticeID   string    `bson:"noticeId"`
	Attempt    int       `bson:"attempt"`
	At         time.Time `bson:"at"`
	OK         bool      `bson:"ok"`
	HTTPStatus int       `bson:"httpStatus"`
	ErrorCode  string    `bson:"errorCode"`
	Detail     string    `bson:"detail,omitempty"`
}

// InsertDelivery appends to the delivery log: its notice's entry first.
func (db *DB) InsertDelivery(ctx context.Context, d *cynllun.Delivery) error {
	const op = "mongodb.InsertDelivery"
	doc := &deliveryDoc{ID: d.ID, NoticeID: d.NoticeID, Attempt: d.Attempt, At: bsonTime(d.At), OK: d.OK, HTTPStatus: d.HTTPStatus, ErrorCode: string(d.ErrorCode), Detail: d.Detail}
	if err := db.setEntries(ctx, deliveryMember(doc)); err != nil {
		return cynllun.Internal(op, err)
	}
	if _, err := db.coll(collDeliveries).InsertOne(ctx, doc); err != nil {
		return insertErr(op, "delivery", err)
	}
	return nil
}

func deliveryMember(d *deliveryDoc) member {
	return member{kind: lkDeliveriesOfNotice, key: d.NoticeID, id: d.ID, value: d.Attempt}
}

// DeliveriesForNotices lists the deliveries of notices, oldest first.
func (db *DB) DeliveriesForNotices(ctx context.Context, noticeIDs []string) ([]cynllun.Delivery, error) {
	const op = "mongodb.DeliveriesForNotices"
	ids := dedupe(noticeIDs)
	if len(ids) == 0 {
		return nil, nil
	}
	m, err := lookupMembers[int](ctx, db, lkDeliveriesOfNotice, ids)
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	var dids []string
	for _, es := range m {
		for id := range es {
			dids = append(dids, id)
		}
	}
	docs, err := byIDs[deliveryDoc](ctx, db, collDeliveries, dids)
	docs = slices.DeleteFunc(docs, func(d deliveryDoc) bool { _, ok := m[d.NoticeID][d.ID]; return !ok })
	slices.SortFunc(docs, func(a, b deliveryDoc) int { return compareAtID(a.At, a.ID, b.At, b.ID) })
	return converted(op, docs, err, func(d *deliveryDoc) (cynllun.Delivery, error) {
		return cynllun.Delivery{ID: d.ID, NoticeID: d.NoticeID, Attempt: d.Attempt, At: fromTime(d.At), OK: d.OK, HTTPStatus: d.HTTPStatus, ErrorCode: cynllun.Code(d.ErrorCode), Detail: d.Detail}, nil
	})
}

type endpointDoc struct {
	ID             string     `bson:"_id"`
	OrgID          string     `bson:"orgId"`
	URL            string     `bson:"url"`
	Secrets        []string   `bson:"secrets"`
	CreatedAt      time.Time  `bson:"createdAt"`
	CreatedBy      string     `bson:"createdBy"`
	Failures       int        `bson:"failures"`
	DisabledAt     *time.Time `bson:"disabledAt,omitempty"`
	DisabledReason string     `bson:"disabledReason"`
}

func toEndpointDoc(e *cynllun.WebhookEndpoint) *endpointDoc {
	return &endpointDoc{ID: e.ID, OrgID: e.OrgID, URL: e.URL, Secrets: nonEmpty(e.Secrets), CreatedAt: bsonTime(e.CreatedAt), CreatedBy: e.CreatedBy,
		Failures: e.Failures, DisabledAt: optTime(e.DisabledAt), DisabledReason: e.DisabledReason}
}

func fromEndpointDoc(d *endpointDoc) (*cynllun.WebhookEndpoint, error) {
	return &cynllun.WebhookEndpoint{ID: d.ID, OrgID: d.OrgID, URL: d.URL, Secrets: nonEmpty(d.Secrets), CreatedAt: fromTime(d.CreatedAt), CreatedBy: d.CreatedBy,
		Failures: d.Failures, DisabledAt: fromOptTime(d.DisabledAt), DisabledReason: d.DisabledReason}, nil
}

func endpointMember(d *endpointDoc) member {
	return member{kind: lkEndpointsOfOrg, key: d.OrgID, id: d.ID, value: d.CreatedAt}
}

// CreateEndpoint writes e's entry, then inserts e; CONFLICT when the ID
// exists.
func (db *DB) CreateEndpoint(ctx context.Context, e *cynllun.WebhookEndpoint) error {
	const op = "mongodb.CreateEndpoint"
	d := toEndpointDoc(e)
	if err := db.setEntries(ctx, endpointMember(d)); err != nil {
		return cynllun.Internal(op, err)
	}
	if _, err := db.coll(collEndpoints).InsertOne(ctx, d); err != nil {
		return insertErr(op, "webhook endpoint", err)
	}
	return nil
}

func (db *DB) EndpointsByID(ctx context.Context, ids []string) ([]*cynllun.WebhookEndpoint, error) {
	docs, err := byIDs[endpointDoc](ctx, db, collEndpoints, ids)
	return converted("mongodb.EndpointsByID", docs, err, fromEndpointDoc)
}

// EndpointsForOrgs lists the endpoints of organisations, oldest first,
// from their lookups.
func (db *DB) EndpointsForOrgs(ctx context.Context, orgIDs []string) ([]*cynllun.WebhookEndpoint, error) {
	const op = "mongodb.EndpointsForOrgs"
	orgs := dedupe(orgIDs)
	if len(orgs) == 0 {
		return nil, nil
	}
	m, err := lookupMembers[time.Time](ctx, db, lkEndpointsOfOrg, orgs)
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	var ids []string
	for _, es := range m {
		for id := range es {
			ids = append(ids, id)
		}
	}
	docs, err := byIDs[endpointDoc](ctx, db, collEndpoints, ids)
	docs = slices.DeleteFunc(docs, func(d endpointDoc) bool { _, ok := m[d.OrgID][d.ID]; return !ok })
	slices.SortFunc(docs, func(a, b endpointDoc) int { return compareAtID(a.CreatedAt, a.ID, b.CreatedAt, b.ID) })
	return converted(op, docs, err, fromEndpointDoc)
}

// UpdateEndpoint replaces an endpoint, its entry written first (should
// its organisation change, the old entry is left for readers to skip; the
// entry of an endpoint that does not exist is removed again).
func (db *DB) UpdateEndpoint(ctx context.Context, e *cynllun.WebhookEndpoint) error {
	const op = "mongodb.UpdateEndpoint"
	d := toEndpointDoc(e)
	if err := db.setEntries(ctx, endpointMember(d)); err != nil {
		return cynllun.Internal(op, err)
	}
	res, err := db.coll(collEndpoints).ReplaceOne(ctx, bson.D{{Key: "_id", Value: e.ID}}, d)
	if err != nil {
		return cynllun.Internal(op, err)
	}
	if res.MatchedCount == 0 {
		db.compensate(ctx, op, e.ID, func(ctx context.Context) error {
			m := endpointMember(d)
			m.value = nil
			return db.setEntries(ctx, m)
		})
		return cynllun.NotFound(op, "webhook endpoint")
	}
	return nil
}

func init() {
	registerBackfill("notices", backfillNotices)
	registerBackfill("deliveries", func(ctx context.Context, db *DB) error {
		return backfillEntries(ctx, db, collDeliveries, nil, func(d *deliveryDoc) []member { return []member{deliveryMember(d)} })
	})
	registerBackfill("endpoints", func(ctx context.Context, db *DB) error {
		return backfillEntries(ctx, db, collEndpoints, nil, func(d *endpointDoc) []member { return []member{endpointMember(d)} })
	})
}

// backfillNotices adds every stored notice to its deadline's first
// notice list (creating it when missing, so the lists stay numbered from
// 1; setting an entry twice changes nothing).
func backfillNotices(ctx context.Context, db *DB) error {
	return backfillEntries(ctx, db, collNotices, bson.D{{Key: "deadlineId", Value: 1}, {Key: "kind", Value: 1}}, func(d *noticeDoc) []member {
		return []member{{kind: lkNoticesOfDeadline, key: d.DeadlineID + "/1", id: d.ID, value: d.Kind}}
	})
}
