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
}

func toNoticeDoc(n *cynllun.Notice) *noticeDoc {
	return &noticeDoc{ID: n.ID, DeadlineID: n.DeadlineID, LearnerID: n.LearnerID, OrgID: n.OrgID, RuleID: n.RuleID, Due: dateString(n.Due),
		Offset: n.Offset, OffsetUnit: n.OffsetUnit, Kind: string(n.Kind), Channel: string(n.Channel), Recipient: n.Recipient,
		Status: string(n.Status), Attempts: n.Attempts, ErrorCode: string(n.ErrorCode),
		CreatedAt: bsonTime(n.CreatedAt), UpdatedAt: bsonTime(n.UpdatedAt), SentAt: optTime(n.SentAt)}
}

func fromNoticeDoc(d *noticeDoc) (*cynllun.Notice, error) {
	due, err := parseDate(d.Due)
	if err != nil {
		return nil, err
	}
	return &cynllun.Notice{ID: d.ID, DeadlineID: d.DeadlineID, LearnerID: d.LearnerID, OrgID: d.OrgID, RuleID: d.RuleID, Due: due,
		Offset: d.Offset, OffsetUnit: d.OffsetUnit, Kind: cynllun.NoticeKind(d.Kind), Channel: cynllun.Channel(d.Channel), Recipient: d.Recipient,
		Status: cynllun.NoticeStatus(d.Status), Attempts: d.Attempts, ErrorCode: cynllun.Code(d.ErrorCode),
		CreatedAt: fromTime(d.CreatedAt), UpdatedAt: fromTime(d.UpdatedAt), SentAt: fromOptTime(d.SentAt)}, nil
}

// Notices, deliveries and endpoints are reached through lookups
// (lookup.go): a deadline's notices through noticesOfDeadline, a notice's
// deliveries through deliveriesOfNotice, an organisation's endpoints
// through endpointsOfOrg, each read whole and its records by _id, checked
// against the query. The PENDING notices are one lookup document,
// pendingNotices/all, whose entries (notice id → updatedAt) are set while
// a notice is PENDING and removed when it finishes: what the periodic scan
// for notices Redis lost reads is bounded by the notices in flight, never
// by the notices ever sent. At about 50 bytes an entry, a backlog of
// 10,000 undelivered notices is a 500 kB document.

const (
	lkNoticesOfDeadline  = "noticesOfDeadline"  // deadline id → notice id: kind
	lkPendingNotices     = "pendingNotices"     // pendingKey → notice id: updatedAt
	lkDeliveriesOfNotice = "deliveriesOfNotice" // notice id → delivery id: attempt
	lkEndpointsOfOrg     = "endpointsOfOrg"     // organisation id → endpoint id: createdAt
)

// pendingKey is the key of the one lookup document of PENDING notices.
const pendingKey = "all"

// pendingOrphanAge is how long after its time an entry of pendingNotices
// whose notice does not exist is kept: the insert it was written for
// failed or was cut short (an insert in progress takes milliseconds).
const pendingOrphanAge = time.Hour

// noticeMembers are d's entries: under its deadline, and among the
// pending notices while it is PENDING (removed otherwise).
func noticeMembers(d *noticeDoc) []member {
	return []member{{kind: lkNoticesOfDeadline, key: d.DeadlineID, id: d.ID, value: d.Kind}, pendingMember(d)}
}

// pendingMember is d's entry among the pending notices, set while d is
// PENDING and removed otherwise.
func pendingMember(d *noticeDoc) member {
	m := member{kind: lkPendingNotices, key: pendingKey, id: d.ID}
	if d.Status == string(cynllun.NoticePending) {
		m.value = d.UpdatedAt
	}
	return m
}

// InsertNotices inserts the notices not stored yet and returns the ids
// that went in; the others (raised already, by this scanner or another)
// are left as they are. The scanner raises the same notices on every pass
// until they are due no more, so the stored ones are first read by _id
// and left alone; the entries of the rest are written, then they are
// inserted unordered. A notice inserted meanwhile by another scanner is a
// duplicate key, and its entries are written again from the stored notice.
func (db *DB) InsertNotices(ctx context.Context, ns []*cynllun.Notice) ([]string, error) {
	const op = "mongodb.InsertNotices"
	if len(ns) == 0 {
		return nil, nil
	}
	ids := make([]string, len(ns))
	for i, n := range ns {
		ids[i] = n.ID
	}
	stored, err := byIDsProjected[noticeDoc](ctx, db, collNotices, ids, bson.D{{Key: "_id", Value: 1}})
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	skip := make(map[string]bool, len(ns))
	for _, d := range stored {
		skip[d.ID] = true
	}
	var (
		fresh []*noticeDoc
		docs  []any
		ms    []member
	)
	for _, n := range ns {
		if skip[n.ID] {
			continue
		}
		skip[n.ID] = true // a repeated id is inserted once
		d := toNoticeDoc(n)
		fresh = append(fresh, d)
		docs = append(docs, d)
		ms = append(ms, noticeMembers(d)...)
	}
	if len(fresh) == 0 {
		return nil, nil
	}
	if err := db.setEntries(ctx, ms...); err != nil {
		return nil, cynllun.Internal(op, err)
	}
	_, err = db.coll(collNotices).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	dup := map[string]bool{}
	if err != nil {
		var bwe mongo.BulkWriteException
		if !errors.As(err, &bwe) || bwe.WriteConcernError != nil {
			return nil, cynllun.Internal(op, err)
		}
		for _, we := range bwe.WriteErrors {
			if !mongo.IsDuplicateKeyError(we) {
				return nil, cynllun.Internal(op, err)
			}
			dup[fresh[we.Index].ID] = true
		}
		if err := db.reindexNotices(ctx, slices.Collect(maps.Keys(dup))); err != nil {
			return nil, cynllun.Internal(op, err)
		}
	}
	var out []string
	for _, d := range fresh {
		if !dup[d.ID] {
			out = append(out, d.ID)
		}
	}
	return out, nil
}

// reindexNotices writes the entries of stored notices again.
func (db *DB) reindexNotices(ctx context.Context, ids []string) error {
	stored, err := byIDs[noticeDoc](ctx, db, collNotices, ids)
	if err != nil {
		return err
	}
	var ms []member
	for i := range stored {
		ms = append(ms, noticeMembers(&stored[i])...)
	}
	return db.setEntries(ctx, ms...)
}

// NoticesByID returns the notices found, in any order.
func (db *DB) NoticesByID(ctx context.Context, ids []string) ([]*cynllun.Notice, error) {
	docs, err := byIDs[noticeDoc](ctx, db, collNotices, ids)
	return converted("mongodb.NoticesByID", docs, err, fromNoticeDoc)
}

// UpdateNotice replaces a notice (single writer: the task holding it),
// then its entry among the pending notices: moved to its new updatedAt
// while it is PENDING, removed when it has finished. Until then the entry
// is older than the notice, or stale, which readers allow for; so a
// failure to write it is logged, not returned (the notice is stored, and
// its sender must not try it again).
func (db *DB) UpdateNotice(ctx context.Context, n *cynllun.Notice) error {
	const op = "mongodb.UpdateNotice"
	d := toNoticeDoc(n)
	res, err := db.coll(collNotices).ReplaceOne(ctx, bson.D{{Key: "_id", Value: n.ID}}, d)
	if err != nil {
		return cynllun.Internal(op, err)
	}
	if res.MatchedCount == 0 {
		return cynllun.NotFound(op, "notice")
	}
	if err := db.setEntries(ctx, pendingMember(d)); err != nil {
		db.log.WarnContext(ctx, "could not update the entry of a pending notice", "notice", n.ID, "error", err)
	}
	return nil
}

// NoticesForDeadline lists a deadline's notices, oldest first.
func (db *DB) NoticesForDeadline(ctx context.Context, deadlineID string) ([]*cynllun.Notice, error) {
	const op = "mongodb.NoticesForDeadline"
	m, err := lookupMembers[string](ctx, db, lkNoticesOfDeadline, []string{deadlineID})
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	docs, err := byIDs[noticeDoc](ctx, db, collNotices, slices.Collect(maps.Keys(m[deadlineID])))
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

// PendingNotices lists PENDING notices last updated before before, oldest
// first, at most n: the candidates are chosen from the pending notices'
// entries and read by _id, each checked. An entry is never later than its
// notice's updatedAt, so no notice is missed; one that is earlier (the
// notice's update written, its entry's not yet) can put a notice out of
// order or past the limit for one pass, which the scan that re-queues
// lost notices allows for. Entries of finished notices (a crash between
// the two writes of an update) and old entries of notices that were never
// inserted are removed on the way.
func (db *DB) PendingNotices(ctx context.Context, before time.Time, n int) ([]*cynllun.Notice, error) {
	const op = "mongodb.PendingNotices"
	m, err := lookupMembers[time.Time](ctx, db, lkPendingNotices, []string{pendingKey})
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	before = ceilMillis(before)
	entries := m[pendingKey]
	type keyed struct {
		at time.Time
		id string
	}
	keys := make([]keyed, 0, len(entries))
	for id, at := range entries {
		if at.Before(before) {
			keys = append(keys, keyed{at, id})
		}
	}
	slices.SortFunc(keys, func(a, b keyed) int { return compareAtID(a.at, a.id, b.at, b.id) })
	n = limit(n)
	var (
		out   []*noticeDoc
		stale []member
	)
	for len(keys) > 0 && len(out) < n {
		take := keys[:min(n-len(out), len(keys))]
		keys = keys[len(take):]
		ids := make([]string, len(take))
		for i, k := range take {
			ids[i] = k.id
		}
		docs, err := byIDs[noticeDoc](ctx, db, collNotices, ids)
		if err != nil {
			return nil, cynllun.Internal(op, err)
		}
		byID := make(map[string]*noticeDoc, len(docs))
		for i := range docs {
			byID[docs[i].ID] = &docs[i]
		}
		for _, k := range take {
			d := byID[k.id]
			switch {
			case d == nil:
				if k.at.Before(before.Add(-pendingOrphanAge)) {
					stale = append(stale, member{kind: lkPendingNotices, key: pendingKey, id: k.id})
				}
			case d.Status != string(cynllun.NoticePending):
				stale = append(stale, member{kind: lkPendingNotices, key: pendingKey, id: k.id})
			case d.UpdatedAt.Before(before):
				out = append(out, d)
			}
		}
	}
	if len(stale) > 0 {
		if err := db.setEntries(ctx, stale...); err != nil {
			db.log.WarnContext(ctx, "could not remove stale entries of pending notices", "error", err)
		}
	}
	slices.SortFunc(out, func(a, b *noticeDoc) int { return compareAtID(a.UpdatedAt, a.ID, b.UpdatedAt, b.ID) })
	return converted(op, out, nil, func(d **noticeDoc) (*cynllun.Notice, error) { return fromNoticeDoc(*d) })
}

type deliveryDoc struct {
	ID         string    `bson:"_id"`
	NoticeID   string    `bson:"noticeId"`
	Attempt    int       `bson:"attempt"`
	At         time.Time `bson:"at"`
	OK         bool      `bson:"ok"`
	HTTPStatus int       `bson:"httpStatus"`
	ErrorCode  string    `bson:"errorCode"`
}

// InsertDelivery appends to the delivery log: its notice's entry first.
func (db *DB) InsertDelivery(ctx context.Context, d *cynllun.Delivery) error {
	const op = "mongodb.InsertDelivery"
	doc := &deliveryDoc{ID: d.ID, NoticeID: d.NoticeID, Attempt: d.Attempt, At: bsonTime(d.At), OK: d.OK, HTTPStatus: d.HTTPStatus, ErrorCode: string(d.ErrorCode)}
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
		return cynllun.Delivery{ID: d.ID, NoticeID: d.NoticeID, Attempt: d.Attempt, At: fromTime(d.At), OK: d.OK, HTTPStatus: d.HTTPStatus, ErrorCode: cynllun.Code(d.ErrorCode)}, nil
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
	registerBackfill("notices", func(ctx context.Context, db *DB) error {
		return backfillEntries(ctx, db, collNotices, nil, noticeMembers)
	})
	registerBackfill("deliveries", func(ctx context.Context, db *DB) error {
		return backfillEntries(ctx, db, collDeliveries, nil, func(d *deliveryDoc) []member { return []member{deliveryMember(d)} })
	})
	registerBackfill("endpoints", func(ctx context.Context, db *DB) error {
		return backfillEntries(ctx, db, collEndpoints, nil, func(d *endpointDoc) []member { return []member{endpointMember(d)} })
	})
}
