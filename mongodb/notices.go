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

// InsertNotices inserts the notices unordered and returns the ids that
// went in; the duplicates (raised already, by this scanner or another)
// are left as they are.
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
	for i, n := range ns {
		if !dup[i] {
			out = append(out, n.ID)
		}
	}
	return out, nil
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

// NoticesForDeadline lists a deadline's notices, oldest first.
func (db *DB) NoticesForDeadline(ctx context.Context, deadlineID string) ([]*cynllun.Notice, error) {
	docs, err := findAll[noticeDoc](ctx, db.coll(collNotices), bson.D{{Key: "deadlineId", Value: deadlineID}},
		allOpts().SetSort(bson.D{{Key: "createdAt", Value: 1}, {Key: "_id", Value: 1}}))
	return converted("mongodb.NoticesForDeadline", docs, err, fromNoticeDoc)
}

// PendingNotices lists PENDING notices last updated before before.
func (db *DB) PendingNotices(ctx context.Context, before time.Time, n int) ([]*cynllun.Notice, error) {
	filter := bson.D{{Key: "status", Value: string(cynllun.NoticePending)}, {Key: "updatedAt", Value: bson.D{{Key: "$lt", Value: ceilMillis(before)}}}}
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
}

// InsertDelivery appends to the delivery log.
func (db *DB) InsertDelivery(ctx context.Context, d *cynllun.Delivery) error {
	doc := &deliveryDoc{ID: d.ID, NoticeID: d.NoticeID, Attempt: d.Attempt, At: bsonTime(d.At), OK: d.OK, HTTPStatus: d.HTTPStatus, ErrorCode: string(d.ErrorCode)}
	if _, err := db.coll(collDeliveries).InsertOne(ctx, doc); err != nil {
		return insertErr("mongodb.InsertDelivery", "delivery", err)
	}
	return nil
}

// DeliveriesForNotices lists the deliveries of notices, oldest first.
func (db *DB) DeliveriesForNotices(ctx context.Context, noticeIDs []string) ([]cynllun.Delivery, error) {
	ids := dedupe(noticeIDs)
	if len(ids) == 0 {
		return nil, nil
	}
	docs, err := findAll[deliveryDoc](ctx, db.coll(collDeliveries), bson.D{{Key: "noticeId", Value: bson.D{{Key: "$in", Value: ids}}}},
		allOpts().SetSort(bson.D{{Key: "at", Value: 1}, {Key: "_id", Value: 1}}))
	return converted("mongodb.DeliveriesForNotices", docs, err, func(d *deliveryDoc) (cynllun.Delivery, error) {
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

func (db *DB) CreateEndpoint(ctx context.Context, e *cynllun.WebhookEndpoint) error {
	if _, err := db.coll(collEndpoints).InsertOne(ctx, toEndpointDoc(e)); err != nil {
		return insertErr("mongodb.CreateEndpoint", "webhook endpoint", err)
	}
	return nil
}

func (db *DB) EndpointsByID(ctx context.Context, ids []string) ([]*cynllun.WebhookEndpoint, error) {
	docs, err := byIDs[endpointDoc](ctx, db, collEndpoints, ids)
	return converted("mongodb.EndpointsByID", docs, err, fromEndpointDoc)
}

func (db *DB) EndpointsForOrgs(ctx context.Context, orgIDs []string) ([]*cynllun.WebhookEndpoint, error) {
	ids := dedupe(orgIDs)
	if len(ids) == 0 {
		return nil, nil
	}
	docs, err := findAll[endpointDoc](ctx, db.coll(collEndpoints), bson.D{{Key: "orgId", Value: bson.D{{Key: "$in", Value: ids}}}},
		allOpts().SetSort(bson.D{{Key: "createdAt", Value: 1}, {Key: "_id", Value: 1}}))
	return converted("mongodb.EndpointsForOrgs", docs, err, fromEndpointDoc)
}

func (db *DB) UpdateEndpoint(ctx context.Context, e *cynllun.WebhookEndpoint) error {
	const op = "mongodb.UpdateEndpoint"
	res, err := db.coll(collEndpoints).ReplaceOne(ctx, bson.D{{Key: "_id", Value: e.ID}}, toEndpointDoc(e))
	if err != nil {
		return cynllun.Internal(op, err)
	}
	if res.MatchedCount == 0 {
		return cynllun.NotFound(op, "webhook endpoint")
	}
	return nil
}
