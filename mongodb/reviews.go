package mongodb

import (
	"context"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/cynllun/cynllun"
)

// Reviews are stored as immutable revisions in the collection "reviews",
// one document per revision with _id "<reviewId>/r<n>" and a unique index
// on (reviewId, revision): a save is a plain insert of revision n+1, and a
// lost race is a duplicate key (design.md §3), exactly as plan versions.
// The latest revision is the review.
//
// Access paths (lookup.go, revisions.go): each review has a head in
// "reviewHeads" (its latest revision number), and each plan a lookup
// document reviewsOfPlan listing its reviews. One head per review, rather
// than the latest number kept in the plan's lookup as well, because
// ReviewsByID has no plan id, and one head is one thing to move and repair;
// listing a plan's reviews costs one more _id read per review for it.

type reviewDoc struct {
	ID                 string               `bson:"_id"` // cynllun.ReviewRevisionID
	ReviewID           string               `bson:"reviewId"`
	Revision           int                  `bson:"revision"`
	PlanID             string               `bson:"planId"`
	LearnerID          string               `bson:"learnerId"`
	Type               string               `bson:"type"`
	Status             string               `bson:"status"`
	Request            *reviewRequestDoc    `bson:"request,omitempty"`
	PlanVersion        int                  `bson:"planVersion"`
	HeldOn             string               `bson:"heldOn"`
	DurationMinutes    int                  `bson:"durationMinutes"`
	Participants       []participantDoc     `bson:"participants,omitempty"`
	ChildViews         []childViewDoc       `bson:"childViews,omitempty"`
	ParentViews        []parentViewDoc      `bson:"parentViews,omitempty"`
	PersonCentred      personCentredDoc     `bson:"personCentred"`
	FourPlusOne        fourPlusOneDoc       `bson:"fourPlusOne"`
	NeedsDiscussion    string               `bson:"needsDiscussion"`
	Provision          []provisionReviewDoc `bson:"provision,omitempty"`
	Outcomes           []outcomeReviewDoc   `bson:"outcomes,omitempty"`
	NewEvidence        []evidenceDoc        `bson:"newEvidence,omitempty"`
	CapacityDiscussion string               `bson:"capacityDiscussion"`
	CanMaintain        *bool                `bson:"canMaintain,omitempty"`
	Disagreements      []disagreementDoc    `bson:"disagreements,omitempty"`
	Decision           *decisionDoc         `bson:"decision,omitempty"`
	Comment            string               `bson:"comment"`
	CreatedAt          time.Time            `bson:"createdAt"`
	CreatedBy          string               `bson:"createdBy"`
	OpenedAt           time.Time            `bson:"openedAt"`
	OpenedBy           string               `bson:"openedBy"`
	LAID               string               `bson:"laId,omitempty"`
	SettingID          string               `bson:"settingId,omitempty"`
}

type reviewRequestDoc struct {
	By             string `bson:"by"`
	ByName         string `bson:"byName"`
	RequestedOn    string `bson:"requestedOn"`
	Reason         string `bson:"reason"`
	DecidedOn      string `bson:"decidedOn"`
	DecidedBy      string `bson:"decidedBy"`
	RefusalReasons string `bson:"refusalReasons"`
}

type participantDoc struct {
	Name         string `bson:"name"`
	Role         string `bson:"role"`
	Organisation string `bson:"organisation"`
	Attendance   string `bson:"attendance"`
	Agreed       *bool  `bson:"agreed,omitempty"`
}

type childViewDoc struct {
	Format      string   `bson:"format"`
	Text        string   `bson:"text"`
	GatheredBy  string   `bson:"gatheredBy"`
	Attachments []string `bson:"attachments,omitempty"`
}

type parentViewDoc struct {
	Name        string   `bson:"name"`
	Text        string   `bson:"text"`
	Attachments []string `bson:"attachments,omitempty"`
}

type actionDoc struct {
	Action string `bson:"action"`
	Owner  string `bson:"owner"`
	Due    string `bson:"due"`
}

type personCentredDoc struct {
	ImportantTo  []string    `bson:"importantTo,omitempty"`
	ImportantFor []string    `bson:"importantFor,omitempty"`
	Working      []string    `bson:"working,omitempty"`
	NotWorking   []string    `bson:"notWorking,omitempty"`
	Questions    []string    `bson:"questions,omitempty"`
	ActionPlan   []actionDoc `bson:"actionPlan,omitempty"`
}

type fourPlusOneDoc struct {
	Tried     string `bson:"tried"`
	Learned   string `bson:"learned"`
	Pleased   string `bson:"pleased"`
	Concerned string `bson:"concerned"`
	Next      string `bson:"next"`
}

type provisionReviewDoc struct {
	RowID       string `bson:"rowId"`
	Delivered   string `bson:"delivered"`
	Effective   string `bson:"effective"`
	StillNeeded string `bson:"stillNeeded"`
	Change      string `bson:"change"`
	Notes       string `bson:"notes"`
}

type outcomeReviewDoc struct {
	RowID   string `bson:"rowId"`
	Status  string `bson:"status"`
	Notes   string `bson:"notes"`
	Revised bool   `bson:"revised"`
}

type evidenceDoc struct {
	Title      string `bson:"title"`
	Source     string `bson:"source"`
	Date       string `bson:"date"`
	Summary    string `bson:"summary"`
	Attachment string `bson:"attachment"`
}

type disagreementDoc struct {
	Who        string `bson:"who"`
	Role       string `bson:"role"`
	About      string `bson:"about"`
	RowID      string `bson:"rowId"`
	Details    string `bson:"details"`
	Resolution string `bson:"resolution"`
}

type decisionDoc struct {
	Kind      string `bson:"kind"`
	Reasons   string `bson:"reasons"`
	DecidedOn string `bson:"decidedOn"`
	DecidedBy string `bson:"decidedBy"`
	Version   int    `bson:"version"`
}

// toReviewDoc stores r under its deterministic revision id.
func toReviewDoc(r *cynllun.Review) *reviewDoc {
	d := &reviewDoc{
		ID: cynllun.ReviewRevisionID(r.ID, r.Revision), ReviewID: r.ID, Revision: r.Revision,
		PlanID: r.PlanID, LearnerID: r.LearnerID, Type: string(r.Type), Status: string(r.Status),
		PlanVersion: r.PlanVersion, HeldOn: dateString(r.HeldOn), DurationMinutes: r.DurationMinutes,
		NeedsDiscussion: r.NeedsDiscussion, CapacityDiscussion: r.CapacityDiscussion, CanMaintain: boolPtr(r.CanMaintain),
		Comment: r.Comment, CreatedAt: bsonTime(r.CreatedAt), CreatedBy: r.CreatedBy,
		OpenedAt: bsonTime(r.OpenedAt), OpenedBy: r.OpenedBy, LAID: r.LAID, SettingID: r.SettingID,
	}
	if q := r.Request; q != nil {
		d.Request = &reviewRequestDoc{By: string(q.By), ByName: q.ByName, RequestedOn: dateString(q.RequestedOn), Reason: q.Reason,
			DecidedOn: dateString(q.DecidedOn), DecidedBy: q.DecidedBy, RefusalReasons: q.RefusalReasons}
	}
	d.Participants = mapSlice(r.Participants, func(p cynllun.Participant) participantDoc {
		return participantDoc{Name: p.Name, Role: string(p.Role), Organisation: p.Organisation, Attendance: string(p.Attendance), Agreed: boolPtr(p.Agreed)}
	})
	d.ChildViews = mapSlice(r.ChildViews, func(v cynllun.ChildView) childViewDoc {
		return childViewDoc{Format: string(v.Format), Text: v.Text, GatheredBy: v.GatheredBy, Attachments: nonEmpty(v.Attachments)}
	})
	d.ParentViews = mapSlice(r.ParentViews, func(v cynllun.ParentView) parentViewDoc {
		return parentViewDoc{Name: v.Name, Text: v.Text, Attachments: nonEmpty(v.Attachments)}
	})
	pc := r.PersonCentred
	d.PersonCentred = personCentredDoc{
		ImportantTo: nonEmpty(pc.ImportantTo), ImportantFor: nonEmpty(pc.ImportantFor), Working: nonEmpty(pc.Working),
		NotWorking: nonEmpty(pc.NotWorking), Questions: nonEmpty(pc.Questions),
		ActionPlan: mapSlice(pc.ActionPlan, func(a cynllun.Action) actionDoc {
			return actionDoc{Action: a.Action, Owner: a.Owner, Due: dateString(a.Due)}
		}),
	}
	f := r.FourPlusOne
	d.FourPlusOne = fourPlusOneDoc{Tried: f.Tried, Learned: f.Learned, Pleased: f.Pleased, Concerned: f.Concerned, Next: f.Next}
	d.Provision = mapSlice(r.Provision, func(p cynllun.ProvisionReview) provisionReviewDoc {
		return provisionReviewDoc{RowID: p.RowID, Delivered: string(p.Delivered), Effective: string(p.Effective),
			StillNeeded: string(p.StillNeeded), Change: string(p.Change), Notes: p.Notes}
	})
	d.Outcomes = mapSlice(r.Outcomes, func(o cynllun.OutcomeReview) outcomeReviewDoc {
		return outcomeReviewDoc{RowID: o.RowID, Status: string(o.Status), Notes: o.Notes, Revised: o.Revised}
	})
	d.NewEvidence = mapSlice(r.NewEvidence, func(e cynllun.Evidence) evidenceDoc {
		return evidenceDoc{Title: e.Title, Source: e.Source, Date: dateString(e.Date), Summary: e.Summary, Attachment: e.Attachment}
	})
	d.Disagreements = mapSlice(r.Disagreements, func(x cynllun.Disagreement) disagreementDoc {
		return disagreementDoc{Who: x.Who, Role: string(x.Role), About: x.About, RowID: x.RowID, Details: x.Details, Resolution: x.Resolution}
	})
	if x := r.Decision; x != nil {
		d.Decision = &decisionDoc{Kind: string(x.Kind), Reasons: x.Reasons, DecidedOn: dateString(x.DecidedOn), DecidedBy: x.DecidedBy, Version: x.Version}
	}
	return d
}

func fromReviewDoc(d *reviewDoc) (*cynllun.Review, error) {
	var p dates
	r := &cynllun.Review{
		ID: d.ReviewID, Revision: d.Revision, PlanID: d.PlanID, LearnerID: d.LearnerID,
		Type: cynllun.ReviewType(d.Type), Status: cynllun.ReviewStatus(d.Status),
		PlanVersion: d.PlanVersion, HeldOn: p.parse(d.HeldOn), DurationMinutes: d.DurationMinutes,
		NeedsDiscussion: d.NeedsDiscussion, CapacityDiscussion: d.CapacityDiscussion, CanMaintain: boolPtr(d.CanMaintain),
		Comment: d.Comment, CreatedAt: fromTime(d.CreatedAt), CreatedBy: d.CreatedBy,
		OpenedAt: fromTime(d.OpenedAt), OpenedBy: d.OpenedBy, LAID: d.LAID, SettingID: d.SettingID,
	}
	if q := d.Request; q != nil {
		r.Request = &cynllun.ReviewRequest{By: cynllun.RequesterRole(q.By), ByName: q.ByName, RequestedOn: p.parse(q.RequestedOn),
			Reason: q.Reason, DecidedOn: p.parse(q.DecidedOn), DecidedBy: q.DecidedBy, RefusalReasons: q.RefusalReasons}
	}
	r.Participants = mapSlice(d.Participants, func(x participantDoc) cynllun.Participant {
		return cynllun.Participant{Name: x.Name, Role: cynllun.ParticipantRole(x.Role), Organisation: x.Organisation,
			Attendance: cynllun.Attendance(x.Attendance), Agreed: boolPtr(x.Agreed)}
	})
	r.ChildViews = mapSlice(d.ChildViews, func(v childViewDoc) cynllun.ChildView {
		return cynllun.ChildView{Format: cynllun.ViewFormat(v.Format), Text: v.Text, GatheredBy: v.GatheredBy, Attachments: nonEmpty(v.Attachments)}
	})
	r.ParentViews = mapSlice(d.ParentViews, func(v parentViewDoc) cynllun.ParentView {
		return cynllun.ParentView{Name: v.Name, Text: v.Text, Attachments: nonEmpty(v.Attachments)}
	})
	pc := d.PersonCentred
	r.PersonCentred = cynllun.PersonCentred{
		ImportantTo: nonEmpty(pc.ImportantTo), ImportantFor: nonEmpty(pc.ImportantFor), Working: nonEmpty(pc.Working),
		NotWorking: nonEmpty(pc.NotWorking), Questions: nonEmpty(pc.Questions),
		ActionPlan: mapSlice(pc.ActionPlan, func(a actionDoc) cynllun.Action {
			return cynllun.Action{Action: a.Action, Owner: a.Owner, Due: p.parse(a.Due)}
		}),
	}
	f := d.FourPlusOne
	r.FourPlusOne = cynllun.FourPlusOne{Tried: f.Tried, Learned: f.Learned, Pleased: f.Pleased, Concerned: f.Concerned, Next: f.Next}
	r.Provision = mapSlice(d.Provision, func(x provisionReviewDoc) cynllun.ProvisionReview {
		return cynllun.ProvisionReview{RowID: x.RowID, Delivered: cynllun.Answer(x.Delivered), Effective: cynllun.Answer(x.Effective),
			StillNeeded: cynllun.Answer(x.StillNeeded), Change: cynllun.ProvisionChange(x.Change), Notes: x.Notes}
	})
	r.Outcomes = mapSlice(d.Outcomes, func(o outcomeReviewDoc) cynllun.OutcomeReview {
		return cynllun.OutcomeReview{RowID: o.RowID, Status: cynllun.OutcomeStatus(o.Status), Notes: o.Notes, Revised: o.Revised}
	})
	r.NewEvidence = mapSlice(d.NewEvidence, func(e evidenceDoc) cynllun.Evidence {
		return cynllun.Evidence{Title: e.Title, Source: e.Source, Date: p.parse(e.Date), Summary: e.Summary, Attachment: e.Attachment}
	})
	r.Disagreements = mapSlice(d.Disagreements, func(x disagreementDoc) cynllun.Disagreement {
		return cynllun.Disagreement{Who: x.Who, Role: cynllun.ParticipantRole(x.Role), About: x.About, RowID: x.RowID,
			Details: x.Details, Resolution: x.Resolution}
	})
	if x := d.Decision; x != nil {
		r.Decision = &cynllun.Decision{Kind: cynllun.DecisionKind(x.Kind), Reasons: x.Reasons, DecidedOn: p.parse(x.DecidedOn),
			DecidedBy: x.DecidedBy, Version: x.Version}
	}
	if p.err != nil {
		return nil, p.err
	}
	return r, nil
}

// collReviewHeads holds each review's head (revisions.go).
const collReviewHeads = "reviewHeads"

// lkReviewsOfPlan: plan id → review id: true (membership; the head and the
// revisions hold the rest).
const lkReviewsOfPlan = "reviewsOfPlan"

// InsertReview appends a revision: the plan's entry first, then a plain
// insert of the revision's deterministic _id, then the head. A lost race
// is CONFLICT with Current set to the latest revision, read (and repaired)
// after the conflict.
func (db *DB) InsertReview(ctx context.Context, r *cynllun.Review) error {
	const op = "mongodb.InsertReview"
	unlock := db.serialise(collReviews, r.ID)
	defer unlock()
	if err := db.setMembers(ctx, member{kind: lkReviewsOfPlan, key: r.PlanID, id: r.ID, value: true}); err != nil {
		return cynllun.Internal(op, err)
	}
	e := reviewEntry(r)
	old, err := db.workBefore(ctx, workReviews, r.ID, e)
	if err != nil {
		return cynllun.Internal(op, err)
	}
	if _, err := db.coll(collReviews).InsertOne(ctx, toReviewDoc(r)); err != nil {
		if !isDuplicateKey(err) {
			return cynllun.Internal(op, err)
		}
		latest, lerr := db.repairHead(ctx, collReviewHeads, collReviews, r.ID, cynllun.ReviewRevisionID, false)
		if lerr != nil {
			return cynllun.Internal(op, lerr)
		}
		// The caseloads hold this revision's entries: the stored one's
		// replace them.
		db.compensate(ctx, op, r.ID, func(ctx context.Context) error {
			rs, err := db.ReviewsByID(ctx, []string{r.ID})
			if err != nil || len(rs) == 0 {
				return err
			}
			return db.rewriteWork(ctx, workReviews, r.ID, reviewEntry(rs[0]))
		})
		return &cynllun.Error{Code: cynllun.CodeConflict, Op: op, Message: "review record was changed by someone else", Current: latest}
	}
	if err := db.moveHead(ctx, collReviewHeads, r.ID, r.Revision, time.Time{}); err != nil {
		// The revision is stored; the head is repaired by the next save.
		return cynllun.Internal(op, err)
	}
	if err := db.workAfter(ctx, workReviews, r.ID, e, old); err != nil {
		// The revision is stored; the caseloads' readers skip what is left.
		db.log.WarnContext(ctx, "could not update a review's caseloads", "op", op, "review", r.ID, "error", err)
	}
	return nil
}

// latestReviews reads the latest revision of each review that has a head,
// keeping those keep accepts, oldest review first (by openedAt, then id).
func (db *DB) latestReviews(ctx context.Context, op string, ids []string, keep func(*reviewDoc) bool) ([]*cynllun.Review, error) {
	heads, err := db.headsOf(ctx, collReviewHeads, ids)
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	docs, err := byIDs[reviewDoc](ctx, db, collReviews, latestIDs(heads, cynllun.ReviewRevisionID))
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	docs = slices.DeleteFunc(docs, func(d reviewDoc) bool { return !keep(&d) })
	out, err := converted(op, docs, nil, fromReviewDoc)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b *cynllun.Review) int {
		if c := a.OpenedAt.Compare(b.OpenedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

// ReviewsByID returns the latest revision of each review found: the heads,
// then the revisions, by _id.
func (db *DB) ReviewsByID(ctx context.Context, ids []string) ([]*cynllun.Review, error) {
	ids = dedupe(ids)
	if len(ids) == 0 {
		return nil, nil
	}
	return db.latestReviews(ctx, "mongodb.ReviewsByID", ids, func(*reviewDoc) bool { return true })
}

// ReviewsForPlans returns the latest revision of every review of the
// plans, oldest review first: the plans' lookups, then the heads and the
// revisions by _id, each checked against the plans (an entry may be stale).
func (db *DB) ReviewsForPlans(ctx context.Context, planIDs []string) ([]*cynllun.Review, error) {
	const op = "mongodb.ReviewsForPlans"
	plans := dedupe(planIDs)
	if len(plans) == 0 {
		return nil, nil
	}
	byPlan, err := lookupMembers[bool](ctx, db, lkReviewsOfPlan, plans)
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	var ids []string
	for _, m := range byPlan {
		for id := range m {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	return db.latestReviews(ctx, op, ids, func(d *reviewDoc) bool {
		_, ok := byPlan[d.PlanID][d.ReviewID]
		return ok
	})
}

// ReviewRevisions returns every revision of a review, oldest first: the
// head, then revisions 1..latest by _id.
func (db *DB) ReviewRevisions(ctx context.Context, reviewID string) ([]*cynllun.Review, error) {
	const op = "mongodb.ReviewRevisions"
	if reviewID == "" {
		return nil, nil
	}
	heads, err := db.headsOf(ctx, collReviewHeads, []string{reviewID})
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	h, ok := heads[reviewID]
	if !ok {
		return nil, nil
	}
	docs, err := byIDs[reviewDoc](ctx, db, collReviews, revisionIDs(reviewID, h.Latest, cynllun.ReviewRevisionID))
	out, err := converted(op, docs, err, fromReviewDoc)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b *cynllun.Review) int { return a.Revision - b.Revision })
	return out, nil
}

// ReviewRevision returns one revision; NOT_FOUND when there is none.
func (db *DB) ReviewRevision(ctx context.Context, reviewID string, revision int) (*cynllun.Review, error) {
	const op = "mongodb.ReviewRevision"
	docs, err := byIDs[reviewDoc](ctx, db, collReviews, []string{cynllun.ReviewRevisionID(reviewID, revision)})
	out, err := converted(op, docs, err, fromReviewDoc)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, cynllun.NotFound(op, "review")
	}
	return out[0], nil
}

// reviewProbe is what the backfill reads of a revision.
type reviewProbe struct {
	ReviewID string `bson:"reviewId"`
	Revision int    `bson:"revision"`
	PlanID   string `bson:"planId"`
}

// backfillReviews builds the plans' lookups and the reviews' heads from
// the revisions.
func backfillReviews(ctx context.Context, db *DB) error {
	proj := bson.D{{Key: "reviewId", Value: 1}, {Key: "revision", Value: 1}, {Key: "planId", Value: 1}}
	return eachDoc(ctx, db, collReviews, proj, func(d *reviewProbe) error {
		if err := db.setMembers(ctx, member{kind: lkReviewsOfPlan, key: d.PlanID, id: d.ReviewID, value: true}); err != nil {
			return err
		}
		return db.moveHead(ctx, collReviewHeads, d.ReviewID, d.Revision, time.Time{})
	})
}

func init() { registerBackfill("reviews", backfillReviews) }
