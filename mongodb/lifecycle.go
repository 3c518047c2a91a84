package mongodb

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/cynllun/cynllun"
)

// Plans' lifecycles and learners' handovers (cynllun/lifecycle.go).
//
// A plan's lifecycle lives on its document (and the copy in its learner's
// plansOfLearner lookup), beside its heads: its maintainer, status,
// cessation, maintenance history and changes, with changeCount, the
// number of changes. ChangePlan $sets those fields only (never the heads,
// which saves move with $max), guarded by changeCount: on MongoDB the
// filter makes the compare-and-set atomic; on the embedded store the
// change is serialised with the plan's saves in-process. Handovers are
// documents of their own keyed by the learner's id: one per learner, read
// by _id.

const collHandovers = "handovers"

type maintenanceDoc struct {
	OrgID        string `bson:"orgId"`
	LAMaintained bool   `bson:"laMaintained"`
	From         string `bson:"from"`
	To           string `bson:"to,omitempty"`
	Reason       string `bson:"reason,omitempty"`
	ChangeID     string `bson:"changeId,omitempty"`
}

type planChangeDoc struct {
	ID            string    `bson:"id"`
	Kind          string    `bson:"kind"`
	Reason        string    `bson:"reason,omitempty"`
	FromOrgID     string    `bson:"fromOrgId"`
	ToOrgID       string    `bson:"toOrgId"`
	On            string    `bson:"on"`
	DecidedOn     string    `bson:"decidedOn,omitempty"`
	NoticeGivenOn string    `bson:"noticeGivenOn,omitempty"`
	Reasons       string    `bson:"reasons,omitempty"`
	AfterVersion  int       `bson:"afterVersion"`
	At            time.Time `bson:"at"`
	By            string    `bson:"by"`
}

type cessationDoc struct {
	ChangeID      string    `bson:"changeId"`
	DecidedOn     string    `bson:"decidedOn"`
	NoticeGivenOn string    `bson:"noticeGivenOn"`
	Reasons       string    `bson:"reasons"`
	At            time.Time `bson:"at"`
	By            string    `bson:"by"`
}

type handoverDoc struct {
	ID                    string    `bson:"_id"` // the learner's id
	On                    string    `bson:"on"`
	ConsentGiven          bool      `bson:"consentGiven"`
	ConsentOn             string    `bson:"consentOn,omitempty"`
	HasCapacity           bool      `bson:"hasCapacity"`
	CapacityDecidedBy     string    `bson:"capacityDecidedBy,omitempty"`
	CapacityBasis         string    `bson:"capacityBasis,omitempty"`
	CaseFriendName        string    `bson:"caseFriendName,omitempty"`
	CaseFriendUserID      string    `bson:"caseFriendUserId,omitempty"`
	ParentAccess          string    `bson:"parentAccess"`
	ParentAccessDecidedBy string    `bson:"parentAccessDecidedBy"`
	EndedRelationships    []string  `bson:"endedRelationships,omitempty"`
	Note                  string    `bson:"note,omitempty"`
	At                    time.Time `bson:"at"`
	By                    string    `bson:"by"`
}

func optDate(d cynllun.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

// setLifecycle copies p's lifecycle into d.
func setLifecycle(d *planDoc, p *cynllun.Plan) {
	d.Status = string(p.Status)
	d.ChangeCount = len(p.Changes)
	d.Maintenance, d.Changes, d.Cessation = nil, nil, nil
	for _, m := range p.Maintenance {
		d.Maintenance = append(d.Maintenance, maintenanceDoc{OrgID: m.OrgID, LAMaintained: m.LAMaintained, From: optDate(m.From),
			To: optDate(m.To), Reason: string(m.Reason), ChangeID: m.ChangeID})
	}
	for _, c := range p.Changes {
		d.Changes = append(d.Changes, planChangeDoc{ID: c.ID, Kind: string(c.Kind), Reason: string(c.Reason), FromOrgID: c.FromOrgID,
			ToOrgID: c.ToOrgID, On: optDate(c.On), DecidedOn: optDate(c.DecidedOn), NoticeGivenOn: optDate(c.NoticeGivenOn),
			Reasons: c.Reasons, AfterVersion: c.AfterVersion, At: bsonTime(c.At), By: c.By})
	}
	if c := p.Cessation; c != nil {
		d.Cessation = &cessationDoc{ChangeID: c.ChangeID, DecidedOn: optDate(c.DecidedOn), NoticeGivenOn: optDate(c.NoticeGivenOn),
			Reasons: c.Reasons, At: bsonTime(c.At), By: c.By}
	}
}

// getLifecycle reads d's lifecycle into p.
func getLifecycle(p *cynllun.Plan, d *planDoc) error {
	p.Status = cynllun.PlanStatus(d.Status)
	date := func(s string, err *error) cynllun.Date {
		v, e := parseDate(s)
		if e != nil && *err == nil {
			*err = e
		}
		return v
	}
	var err error
	for _, m := range d.Maintenance {
		p.Maintenance = append(p.Maintenance, cynllun.MaintenancePeriod{OrgID: m.OrgID, LAMaintained: m.LAMaintained,
			From: date(m.From, &err), To: date(m.To, &err), Reason: cynllun.TransferReason(m.Reason), ChangeID: m.ChangeID})
	}
	for _, c := range d.Changes {
		p.Changes = append(p.Changes, cynllun.PlanChange{ID: c.ID, Kind: cynllun.PlanChangeKind(c.Kind), Reason: cynllun.TransferReason(c.Reason),
			FromOrgID: c.FromOrgID, ToOrgID: c.ToOrgID, On: date(c.On, &err), DecidedOn: date(c.DecidedOn, &err),
			NoticeGivenOn: date(c.NoticeGivenOn, &err), Reasons: c.Reasons, AfterVersion: c.AfterVersion, At: fromTime(c.At), By: c.By})
	}
	if c := d.Cessation; c != nil {
		p.Cessation = &cynllun.Cessation{ChangeID: c.ChangeID, DecidedOn: date(c.DecidedOn, &err), NoticeGivenOn: date(c.NoticeGivenOn, &err),
			Reasons: c.Reasons, At: fromTime(c.At), By: c.By}
	}
	return err
}

// ChangePlan stores p's lifecycle when the stored plan has
// expectedChanges changes (CONFLICT otherwise), then its learner's copy.
// Who answers for the plan changes, so the access cache's generation is
// changed before and after.
func (db *DB) ChangePlan(ctx context.Context, p *cynllun.Plan, expectedChanges int) error {
	const op = "mongodb.ChangePlan"
	unlock := db.serialise(collPlans, p.ID)
	defer unlock()
	if err := db.beforeAccessChange(ctx, op); err != nil {
		return err
	}
	defer db.afterAccessChange(ctx, op)
	var d planDoc
	setLifecycle(&d, p)
	guard := bson.D{{Key: "_id", Value: p.ID}}
	if expectedChanges == 0 {
		// Plans stored before lifecycles have no changeCount.
		guard = append(guard, bson.E{Key: "changeCount", Value: bson.D{{Key: "$in", Value: bson.A{nil, 0}}}})
	} else {
		guard = append(guard, bson.E{Key: "changeCount", Value: expectedChanges})
	}
	set := bson.D{
		{Key: "maintainerId", Value: p.MaintainerID}, {Key: "laMaintained", Value: p.LAMaintained},
		{Key: "status", Value: d.Status}, {Key: "changeCount", Value: d.ChangeCount},
		{Key: "maintenance", Value: d.Maintenance}, {Key: "changes", Value: d.Changes}, {Key: "cessation", Value: d.Cessation},
	}
	res, err := db.coll(collPlans).UpdateOne(ctx, guard, bson.D{{Key: "$set", Value: set}})
	if err != nil {
		return cynllun.Internal(op, err)
	}
	if res.MatchedCount == 0 {
		return cynllun.E(cynllun.CodeConflict, op, "the plan was changed by someone else: reload it and try again")
	}
	stored, ok, err := oneByID[planDoc](ctx, db.coll(collPlans), p.ID, nil)
	if err != nil || !ok {
		return cynllun.Internal(op, err)
	}
	if err := db.setMembers(ctx, planCopy(&stored, false)); err != nil {
		return cynllun.Internal(op, err)
	}
	return nil
}

// InsertHandover stores h under its learner's id; CONFLICT when the
// learner has a handover already.
func (db *DB) InsertHandover(ctx context.Context, h *cynllun.Handover) error {
	const op = "mongodb.InsertHandover"
	d := handoverDoc{
		ID: h.LearnerID, On: optDate(h.On), ConsentGiven: h.ConsentGiven, ConsentOn: optDate(h.ConsentOn),
		HasCapacity: h.HasCapacity, CapacityDecidedBy: h.CapacityDecidedBy, CapacityBasis: h.CapacityBasis,
		CaseFriendName: h.CaseFriendName, CaseFriendUserID: h.CaseFriendUserID, ParentAccess: string(h.ParentAccess),
		ParentAccessDecidedBy: h.ParentAccessDecidedBy, EndedRelationships: h.EndedRelationships, Note: h.Note,
		At: bsonTime(h.At), By: h.By,
	}
	if _, err := db.coll(collHandovers).InsertOne(ctx, d); err != nil {
		return insertErr(op, "handover", err)
	}
	return nil
}

// HandoversByLearner returns the learners' handovers found, by _id.
func (db *DB) HandoversByLearner(ctx context.Context, learnerIDs []string) ([]*cynllun.Handover, error) {
	const op = "mongodb.HandoversByLearner"
	docs, err := byIDs[handoverDoc](ctx, db, collHandovers, dedupe(learnerIDs))
	return converted(op, docs, err, func(d *handoverDoc) (*cynllun.Handover, error) {
		on, err := parseDate(d.On)
		if err != nil {
			return nil, err
		}
		consentOn, err := parseDate(d.ConsentOn)
		if err != nil {
			return nil, err
		}
		return &cynllun.Handover{
			LearnerID: d.ID, On: on, ConsentGiven: d.ConsentGiven, ConsentOn: consentOn, HasCapacity: d.HasCapacity,
			CapacityDecidedBy: d.CapacityDecidedBy, CapacityBasis: d.CapacityBasis, CaseFriendName: d.CaseFriendName,
			CaseFriendUserID: d.CaseFriendUserID, ParentAccess: cynllun.ParentAccess(d.ParentAccess),
			ParentAccessDecidedBy: d.ParentAccessDecidedBy, EndedRelationships: d.EndedRelationships, Note: d.Note,
			At: fromTime(d.At), By: d.By,
		}, nil
	})
}
