package service

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/form"
	"github.com/cynllun/cynllun/internal/failpoint"
	"github.com/cynllun/cynllun/policy"
)

// RequestReviewInput records a request for a review.
type RequestReviewInput struct {
	PlanID          string
	RequestedBy     cynllun.RequesterRole
	RequestedByName string
	RequestedOn     cynllun.Date
	Reason          string
	Type            cynllun.ReviewType
}

// DecideRequestInput accepts or refuses a requested review.
type DecideRequestInput struct {
	ID               string
	ExpectedRevision int
	Accept           bool
	Reasons          string
	DecidedOn        cynllun.Date
}

// OpenReviewInput starts a review that was not requested.
type OpenReviewInput struct {
	IdempotencyKey string // idempotency.go
	PlanID         string
	Type           cynllun.ReviewType
	Record         *cynllun.Review
	Comment        string
}

// SaveReviewInput saves a new revision of a review's record.
type SaveReviewInput struct {
	ID               string
	ExpectedRevision int
	Record           *cynllun.Review
	Comment          string
}

// ConcludeInput ends a review.
type ConcludeInput struct {
	ID               string
	ExpectedRevision int
	Decision         cynllun.DecisionKind
	Reasons          string
	DecidedOn        cynllun.Date
	// Content and ExpectedVersion: the revised plan (DecisionRevised).
	Content         *cynllun.Content
	ExpectedVersion int
	Comment         string
	// OverrideReason: the revised plan is finalised, so its error-level
	// quality findings need an override, as for SaveVersion.
	OverrideReason string
}

// RequestReview records a request for a review of a plan. A parent, the
// young person or an advocate with consent asks for themselves (their role
// is taken from their relationship unless they say whom they act for);
// staff and officers record requests made to them and must say who asked.
//
// A requester has at most one open request per plan (waiting for a
// decision, or accepted and being held): a repeat answers with that one,
// and records nothing and starts no clock. Requesters are told apart as
// sameRequester says.
func (s *Service) RequestReview(ctx context.Context, in RequestReviewInput) (*cynllun.Review, error) {
	const op = "service.RequestReview"
	p, err := principal(ctx, op)
	if err != nil {
		return nil, err
	}
	plan, l, err := s.planFor(ctx, p, op, in.PlanID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	if !policy.RequestReview(p, l, now).OK {
		return nil, cynllun.E(cynllun.CodeForbidden, op, "you may not request a review of this plan")
	}
	if err := live(op, plan); err != nil {
		return nil, err
	}
	read := policy.ReadLearner(p, l, now)
	writer := policy.WriteLearner(p, l, now).OK
	if in.RequestedBy == "" {
		switch read.Reason {
		case cynllun.RelParentOf:
			in.RequestedBy = cynllun.RequesterParent
		case cynllun.RelSelf:
			in.RequestedBy = cynllun.RequesterYoungPerson
		case cynllun.RelAdvocateOf:
			in.RequestedBy = cynllun.RequesterAdvocate
		}
	}
	if !writer && read.Reason == cynllun.RelAdvocateOf && in.RequestedBy != cynllun.RequesterAdvocate {
		// An advocate asks as themselves: the request and the chronology
		// say so, never "a parent".
		return nil, cynllun.Invalid(op, cynllun.FieldError{Field: "input.requestedBy", Message: "must be ADVOCATE: an advocate's own request is recorded as theirs"})
	}
	if in.Type == "" {
		in.Type = cynllun.ReviewOnRequest
		if in.RequestedBy == cynllun.RequesterNHSBody {
			in.Type = cynllun.ReviewNHSRequest
		}
	}
	if in.RequestedOn.IsZero() {
		in.RequestedOn = cynllun.Today(now)
	}
	c := &checker{}
	if in.RequestedBy == "" {
		c.add("input.requestedBy", "is required when recording a request on someone's behalf")
	} else {
		oneOf(c, "input.requestedBy", in.RequestedBy, requesterRoles, false)
	}
	if in.Type != cynllun.ReviewOnRequest && in.Type != cynllun.ReviewNHSRequest && in.Type != cynllun.ReviewLAReconsideration {
		c.add("input.type", "must be ON_REQUEST, NHS_REQUEST or LA_RECONSIDERATION")
	}
	c.name("input.requestedByName", in.RequestedByName, false)
	c.eventDate("input.requestedOn", in.RequestedOn, cynllun.Today(now))
	c.required("input.reason", in.Reason, form.MaxLong, true)
	if len(c.errs) > 0 {
		return nil, cynllun.Invalid(op, c.errs...)
	}
	existing, err := s.store.ReviewsForPlans(ctx, []string{plan.ID})
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	key := requesterKey(p.UserID, writer, in.RequestedBy, in.RequestedByName)
	earlier := 0
	for _, x := range existing {
		if !sameRequester(x, key) {
			continue
		}
		if x.Status == cynllun.ReviewRequested || x.Status == cynllun.ReviewOpen {
			s.log.InfoContext(ctx, "review request repeated", "review", x.ID, "plan", plan.ID, "actor", p.UserID)
			return x, nil
		}
		earlier++
	}
	inForce, err := s.inForce(ctx, op, plan.ID)
	if err != nil {
		return nil, err
	}
	r := &cynllun.Review{
		ID: requestID(plan.ID, key, earlier), Revision: 1, PlanID: plan.ID, LearnerID: plan.LearnerID,
		Type: in.Type, Status: cynllun.ReviewRequested, PlanVersion: inForce,
		Request:   &cynllun.ReviewRequest{By: in.RequestedBy, ByName: in.RequestedByName, RequestedOn: in.RequestedOn, Reason: in.Reason},
		CreatedAt: now.UTC(), CreatedBy: p.UserID, OpenedAt: now.UTC(), OpenedBy: p.UserID,
	}
	if r.LAID, r.SettingID, err = s.placeOf(ctx, op, r.LearnerID); err != nil {
		return nil, err
	}
	// REVIEW_REQUESTED follows the request through the outbox.
	e := &cynllun.OutboxEntry{Kind: cynllun.OutboxEvent, EventKind: cynllun.EventReviewRequested, Cause: r.ID, PlanID: plan.ID,
		LearnerID: plan.LearnerID, ReviewID: r.ID, Revision: 1, On: in.RequestedOn, By: p.UserID}
	if err := s.record(ctx, op, e); err != nil {
		return nil, err
	}
	if err := s.store.InsertReview(ctx, r); err != nil {
		if cynllun.ErrorCode(err) != cynllun.CodeConflict {
			return nil, cynllun.AsError(op, err)
		}
		s.finish(ctx, e, "") // the stored request has an entry of its own
		// The same requester's same request, saved at the same moment by
		// another call (the id is derived from requester and count): the
		// answer is the one saved.
		rs, err := s.store.ReviewsByID(ctx, []string{r.ID})
		if err != nil {
			return nil, cynllun.AsError(op, err)
		}
		if len(rs) == 0 {
			return nil, reviewConflict(op, 0)
		}
		return rs[0], nil
	}
	s.settle(ctx, e, "request.applied", func(ctx context.Context) error {
		return s.systemEvent(ctx, cynllun.EventReviewRequested, r.ID, plan, r.ID, in.RequestedOn, p.UserID)
	})
	s.log.InfoContext(ctx, "review requested", "review", r.ID, "plan", plan.ID, "actor", p.UserID)
	return r, nil
}

// requesterKey names who asks for a review. Someone asking for themselves
// (a parent, the young person, an advocate) is their account, whatever
// role or name they give; a request staff or officers record is the person
// it names (their role and name, folded), whoever records it.
func requesterKey(userID string, writer bool, by cynllun.RequesterRole, byName string) string {
	if !writer {
		return "user:" + userID
	}
	return "named:" + string(by) + ":" + cynllun.Fold(strings.Join(strings.Fields(byName), " "))
}

// sameRequester reports whether r is a request made by the requester key
// names: one they made themselves, or one recorded for the same role and
// name.
func sameRequester(r *cynllun.Review, key string) bool {
	if r.Request == nil {
		return false
	}
	if userID, ok := strings.CutPrefix(key, "user:"); ok {
		return r.OpenedBy == userID // who recorded revision 1, the request
	}
	return key == requesterKey("", true, r.Request.By, r.Request.ByName)
}

// requestID is the id of a requester's request on a plan after earlier
// closed ones: two calls that race to record the same request make one
// review (the second insert is a CONFLICT on the same id).
func requestID(planID, key string, earlier int) string {
	sum := sha256.Sum256([]byte(planID + "\x00" + key + "\x00" + strconv.Itoa(earlier)))
	return cynllun.PrefixReview + "q" + hex.EncodeToString(sum[:15])
}

// DecideReviewRequest accepts a requested review (it becomes OPEN) or
// refuses it as unnecessary; a refusal needs reasons. Staff and officers.
func (s *Service) DecideReviewRequest(ctx context.Context, in DecideRequestInput) (*cynllun.Review, error) {
	const op = "service.DecideReviewRequest"
	p, cur, plan, err := s.reviewForWrite(ctx, op, in.ID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	if in.DecidedOn.IsZero() {
		in.DecidedOn = cynllun.Today(now)
	}
	c := &checker{}
	if cur.Status != cynllun.ReviewRequested {
		c.add("input.id", "is not a review request waiting for a decision")
	}
	c.eventDate("input.decidedOn", in.DecidedOn, cynllun.Today(now))
	if !in.Accept {
		c.required("input.reasons", in.Reasons, form.MaxLong, true)
	} else {
		c.text("input.reasons", in.Reasons, form.MaxLong, true)
	}
	if cur.Request != nil && in.DecidedOn.Before(cur.Request.RequestedOn) {
		c.add("input.decidedOn", "must not be before the request")
	}
	if err := s.checkRevision(op, cur, in.ExpectedRevision, c); err != nil {
		return nil, err
	}
	if len(c.errs) > 0 {
		return nil, cynllun.Invalid(op, c.errs...)
	}
	next := s.nextRevision(cur, p, now)
	req := *cur.Request
	req.DecidedOn, req.DecidedBy = in.DecidedOn, p.UserID
	if in.Accept {
		// The review is of the plan in force now, which may have changed
		// since the request.
		inForce, err := s.inForce(ctx, op, cur.PlanID)
		if err != nil {
			return nil, err
		}
		next.Status, next.PlanVersion = cynllun.ReviewOpen, inForce
	} else {
		next.Status = cynllun.ReviewRefused
		req.RefusalReasons = in.Reasons
	}
	next.Request = &req
	var e *cynllun.OutboxEntry
	if !in.Accept {
		// A refusal is the end of the duty to review on request: its
		// REVIEW_REFUSED follows through the outbox.
		e = &cynllun.OutboxEntry{Kind: cynllun.OutboxEvent, EventKind: cynllun.EventReviewRefused, Cause: next.ID, PlanID: plan.ID,
			LearnerID: plan.LearnerID, ReviewID: next.ID, Revision: next.Revision, On: in.DecidedOn, By: p.UserID}
		if err := s.record(ctx, op, e); err != nil {
			return nil, err
		}
	}
	r, err := s.insertRevision(ctx, op, next)
	if err != nil {
		if e != nil && cynllun.ErrorCode(err) == cynllun.CodeConflict {
			s.finish(ctx, e, "")
		}
		return nil, err
	}
	if e != nil {
		s.settle(ctx, e, "refusal.applied", func(ctx context.Context) error {
			return s.systemEvent(ctx, cynllun.EventReviewRefused, r.ID, plan, r.ID, in.DecidedOn, p.UserID)
		})
	}
	return r, nil
}

// OpenReview starts a review that was not requested: staff and officers.
func (s *Service) OpenReview(ctx context.Context, in OpenReviewInput) (*cynllun.Review, error) {
	const op = "service.OpenReview"
	sent := snapshot(in)
	p, plan, _, err := s.planForWrite(ctx, op, in.PlanID, "you may read but not review this plan")
	if err != nil {
		return nil, err
	}
	now := s.now()
	inForce, err := s.inForce(ctx, op, plan.ID)
	if err != nil {
		return nil, err
	}
	r := &cynllun.Review{}
	if in.Record != nil {
		r = recordOf(in.Record)
	}
	r.ID, r.Revision, r.PlanID, r.LearnerID = cynllun.NewID(cynllun.PrefixReview), 1, plan.ID, plan.LearnerID
	r.Type, r.Status, r.PlanVersion, r.Comment = in.Type, cynllun.ReviewOpen, inForce, in.Comment
	r.CreatedAt, r.CreatedBy, r.OpenedAt, r.OpenedBy = now.UTC(), p.UserID, now.UTC(), p.UserID
	c := &checker{}
	oneOf(c, "input.type", in.Type, reviewTypes, false)
	if err := s.checkRecord(ctx, op, "input.record.", r, c); err != nil {
		return nil, err
	}
	c.text("input.comment", in.Comment, maxComment, true)
	if len(c.errs) > 0 {
		return nil, cynllun.Invalid(op, c.errs...)
	}
	return keyed(ctx, s, clientKey(op, "openReview", p, in.IdempotencyKey, cynllun.PrefixReview, sent),
		func(id string) (*cynllun.Review, error) {
			r.ID = id
			if _, err := s.insertRevision(ctx, op, r); err != nil {
				return nil, err
			}
			s.log.InfoContext(ctx, "review opened", "review", r.ID, "plan", plan.ID, "actor", p.UserID)
			return r, nil
		}, func(id string) (*cynllun.Review, error) { return s.Review(ctx, id) })
}

// SaveReview saves a new revision of an open or concluded review's record
// (a concluded review's decision stays as it was).
func (s *Service) SaveReview(ctx context.Context, in SaveReviewInput) (*cynllun.Review, error) {
	const op = "service.SaveReview"
	p, cur, _, err := s.reviewForWrite(ctx, op, in.ID)
	if err != nil {
		return nil, err
	}
	c := &checker{}
	if cur.Status != cynllun.ReviewOpen && cur.Status != cynllun.ReviewConcluded {
		c.add("input.id", "is a review request that has not been accepted")
	}
	if err := s.checkRevision(op, cur, in.ExpectedRevision, c); err != nil {
		return nil, err
	}
	if in.Record == nil {
		in.Record = &cynllun.Review{}
	}
	next := recordOf(in.Record)
	base := s.nextRevision(cur, p, s.now())
	next.ID, next.Revision, next.PlanID, next.LearnerID = base.ID, base.Revision, base.PlanID, base.LearnerID
	next.Type, next.Status, next.Request, next.PlanVersion, next.Decision = base.Type, base.Status, base.Request, base.PlanVersion, base.Decision
	next.CreatedAt, next.CreatedBy, next.OpenedAt, next.OpenedBy = base.CreatedAt, base.CreatedBy, base.OpenedAt, base.OpenedBy
	next.Comment = in.Comment
	if err := s.checkRecord(ctx, op, "input.record.", next, c); err != nil {
		return nil, err
	}
	c.text("input.comment", in.Comment, maxComment, true)
	if len(c.errs) > 0 {
		return nil, cynllun.Invalid(op, c.errs...)
	}
	return s.insertRevision(ctx, op, next)
}

// ConcludeReview ends an open review. REVISED saves the revised plan as
// version ExpectedVersion+1 (FINAL, linked to the review), then the
// concluding revision of the review; NO_REVISION records the notice. The
// decision date starts the next review period (Act s.23(3), (4)).
//
// Without transactions, a conclusion first claims the review (one claim
// per review, in the outbox, holding the decision): a second concluder
// gets CONFLICT before anything of theirs is written, so a REVISED
// decision's version and another's NO_REVISION can never both stand. The
// claim is checked against the review, then the revised version is saved,
// then the concluding revision and REVIEW_CONCLUDED; the claim is removed
// last. A crash leaves the claim to the relay, which completes the
// conclusion once its decision is whole (for REVISED, once the version
// linked to the review is stored) and otherwise releases it: after
// recovery either nothing or all of the conclusion stands. A retry of a
// conclusion whose version was saved reuses that version.
func (s *Service) ConcludeReview(ctx context.Context, in ConcludeInput) (*cynllun.Review, error) {
	const op = "service.ConcludeReview"
	p, cur, plan, err := s.reviewForWrite(ctx, op, in.ID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	if in.DecidedOn.IsZero() {
		in.DecidedOn = cynllun.Today(now)
	}
	c := &checker{}
	if cur.Status != cynllun.ReviewOpen {
		c.add("input.id", "is not an open review")
	}
	if err := s.checkRevision(op, cur, in.ExpectedRevision, c); err != nil {
		return nil, err
	}
	oneOf(c, "input.decision", in.Decision, []cynllun.DecisionKind{cynllun.DecisionRevised, cynllun.DecisionNoRevision}, false)
	c.required("input.reasons", in.Reasons, form.MaxLong, true)
	c.eventDate("input.decidedOn", in.DecidedOn, cynllun.Today(now))
	if !cur.HeldOn.IsZero() && in.DecidedOn.Before(cur.HeldOn) {
		c.add("input.decidedOn", "must not be before the review was held")
	}
	c.text("input.comment", in.Comment, maxComment, true)
	var content *cynllun.Content
	switch in.Decision {
	case cynllun.DecisionRevised:
		if in.Content == nil {
			c.add("input.content", "is required for a revised plan")
			break
		}
		var errs []cynllun.FieldError
		content, errs = prepare(plan.ID, in.Content)
		errs = append(errs, form.ValidateContent(content, form.Options{LAMaintained: plan.LAMaintained})...)
		c.errs = append(c.errs, prefixed("input.", errs)...)
		if in.ExpectedVersion < 1 {
			c.add("input.expectedVersion", "is required for a revised plan: the version you edited")
		}
	case cynllun.DecisionNoRevision:
		if in.Content != nil {
			c.add("input.content", "must be empty when the plan is not revised")
		}
	}
	if len(c.errs) > 0 {
		return nil, cynllun.Invalid(op, c.errs...)
	}
	dec := &cynllun.Decision{Kind: in.Decision, Reasons: in.Reasons, DecidedOn: in.DecidedOn, DecidedBy: p.UserID}
	token := cynllun.NewID("tok_")
	at := time.Now().UTC()
	claim := &cynllun.OutboxEntry{ID: cynllun.ConclusionClaimID(cur.ID), Kind: cynllun.OutboxConclusion, Token: token,
		PlanID: plan.ID, LearnerID: plan.LearnerID, ReviewID: cur.ID, Revision: cur.Revision, By: p.UserID,
		Decision: dec, Comment: in.Comment, RecordedAt: at, LeasedUntil: at.Add(s.lease())}
	if err := s.store.ClaimOutbox(ctx, claim); err != nil {
		if cynllun.ErrorCode(err) == cynllun.CodeConflict {
			// Someone else is concluding it.
			return nil, reviewConflict(op, cur.Revision)
		}
		return nil, cynllun.AsError(op, err)
	}
	failpoint.Crash("conclude.claimed")
	release := func() { s.finish(ctx, claim, token) }
	// Checked once claimed: a conclusion that finished before the claim
	// (or a revision saved since the review was read) shows now.
	rs, err := s.store.ReviewsByID(ctx, []string{cur.ID})
	if err != nil {
		release()
		return nil, cynllun.AsError(op, err)
	}
	if len(rs) == 0 || rs[0].Revision != cur.Revision || rs[0].Status != cynllun.ReviewOpen {
		release()
		current := cur.Revision
		if len(rs) > 0 {
			current = rs[0].Revision
		}
		return nil, reviewConflict(op, current)
	}
	if in.Decision == cynllun.DecisionRevised {
		n, err := s.saveRevisedPlan(ctx, op, p, plan, cur, in, content, now)
		if err != nil {
			release()
			return nil, err
		}
		dec.Version = n
		failpoint.Crash("conclude.version")
	}
	r, err := s.completeConclusion(ctx, op, claim, rs[0])
	if r == nil {
		if errors.Is(err, errNotDone) {
			release()
			return nil, reviewConflict(op, cur.Revision)
		}
		// The claim stays: the relay completes the conclusion.
		return nil, err
	}
	if err != nil {
		// Concluded; its event is left to the relay with the claim.
		s.log.WarnContext(ctx, "review concluded, its event left to the outbox relay", "review", r.ID, "code", string(cynllun.ErrorCode(err)))
		return r, nil
	}
	failpoint.Crash("conclude.applied")
	release()
	s.log.InfoContext(ctx, "review concluded", "review", r.ID, "plan", plan.ID, "decision", string(in.Decision), "actor", p.UserID)
	return r, nil
}

// completeConclusion writes the concluding revision claim e records (on
// cur, the review as read, or the review as it stands) and applies
// REVIEW_CONCLUDED. A revision saved meanwhile by someone else (a record
// edit) is built on; a review already concluded (by this claim: there is
// one per review) only has its event applied again. It returns the
// concluded review (nil when not concluded: errNotDone when the decision
// cannot be completed, a REVISED one whose version was never stored) and
// the error of its event.
func (s *Service) completeConclusion(ctx context.Context, op string, e *cynllun.OutboxEntry, cur *cynllun.Review) (*cynllun.Review, error) {
	if e.Decision == nil {
		return nil, errNotDone
	}
	plans, err := s.store.PlansByID(ctx, []string{e.PlanID})
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	if len(plans) == 0 {
		return nil, errNotDone
	}
	plan := plans[0]
	dec := *e.Decision
	for range 5 {
		r := cur
		cur = nil
		if r == nil {
			rs, err := s.store.ReviewsByID(ctx, []string{e.ReviewID})
			if err != nil {
				return nil, cynllun.AsError(op, err)
			}
			if len(rs) == 0 {
				return nil, errNotDone
			}
			r = rs[0]
		}
		if r.Status == cynllun.ReviewConcluded && r.Decision != nil {
			return r, s.systemEvent(ctx, cynllun.EventReviewConcluded, r.ID, plan, r.ID, r.Decision.DecidedOn, e.By)
		}
		if r.Status != cynllun.ReviewOpen {
			return nil, errNotDone
		}
		if dec.Kind == cynllun.DecisionRevised && dec.Version == 0 {
			n, err := s.linkedVersion(ctx, op, plan.ID, r.ID)
			if err != nil {
				return nil, err
			}
			if n == 0 {
				return nil, errNotDone
			}
			dec.Version = n
		}
		next := *r
		next.Revision = r.Revision + 1
		next.CreatedAt, next.CreatedBy = s.now().UTC(), e.By
		next.Status, next.Comment, next.Decision = cynllun.ReviewConcluded, e.Comment, &dec
		if _, err := s.insertRevision(ctx, op, &next); err != nil {
			if cynllun.ErrorCode(err) == cynllun.CodeConflict {
				continue
			}
			return nil, err
		}
		failpoint.Crash("conclude.revision")
		return &next, s.systemEvent(ctx, cynllun.EventReviewConcluded, next.ID, plan, next.ID, dec.DecidedOn, e.By)
	}
	return nil, reviewConflict(op, 0)
}

// linkedVersion is the number of plan planID's version saved at review
// reviewID's conclusion (0: none).
func (s *Service) linkedVersion(ctx context.Context, op, planID, reviewID string) (int, error) {
	metas, err := s.store.ListVersions(ctx, planID, 0, 1000)
	if err != nil {
		return 0, cynllun.AsError(op, err)
	}
	for _, v := range metas {
		if v.ReviewID == reviewID {
			return v.Number, nil
		}
	}
	return 0, nil
}

// saveRevisedPlan saves the revised plan linked to review r and returns its
// number, or reuses the version an interrupted conclusion of r saved.
func (s *Service) saveRevisedPlan(ctx context.Context, op string, p *cynllun.Principal, plan *cynllun.Plan, r *cynllun.Review, in ConcludeInput, content *cynllun.Content, now time.Time) (int, error) {
	metas, err := s.store.ListVersions(ctx, plan.ID, 0, 1000)
	if err != nil {
		return 0, cynllun.AsError(op, err)
	}
	current := 0
	for _, v := range metas {
		if v.ReviewID == r.ID {
			return v.Number, nil
		}
		current = max(current, v.Number)
	}
	if current != in.ExpectedVersion {
		return 0, conflict(op, current)
	}
	ls, err := s.store.LearnersByID(ctx, []string{plan.LearnerID})
	if err != nil || len(ls) == 0 {
		return 0, cynllun.AsError(op, cmp.Or(err, error(cynllun.NotFound(op, "learner"))))
	}
	override, err := s.qualityGate(ctx, op, p, plan, ls[0], content, in.OverrideReason, now)
	if err != nil {
		return 0, err
	}
	comment := in.Comment
	if comment == "" {
		comment = "Revised at review"
	}
	v := newVersion(plan, current+1, cynllun.VersionFinal, content, comment, p.UserID, now)
	// The revised plan is given on the day of the decision (s.23(11)).
	v.ReviewID, v.QualityOverride, v.GivenOn = r.ID, override, in.DecidedOn
	if err := s.appendVersion(ctx, op, plan, v); err != nil {
		return 0, err
	}
	return v.Number, nil
}

// recordOf copies the record fields of in (what a ReviewRecordInput sets).
func recordOf(in *cynllun.Review) *cynllun.Review {
	return &cynllun.Review{
		HeldOn: in.HeldOn, DurationMinutes: in.DurationMinutes, Participants: in.Participants,
		ChildViews: in.ChildViews, ParentViews: in.ParentViews, PersonCentred: in.PersonCentred,
		FourPlusOne: in.FourPlusOne, NeedsDiscussion: in.NeedsDiscussion, Provision: in.Provision,
		Outcomes: in.Outcomes, NewEvidence: in.NewEvidence, CapacityDiscussion: in.CapacityDiscussion,
		CanMaintain: in.CanMaintain, Disagreements: in.Disagreements,
	}
}

// nextRevision is a copy of cur as revision cur.Revision+1 by p.
func (s *Service) nextRevision(cur *cynllun.Review, p *cynllun.Principal, now time.Time) *cynllun.Review {
	next := *cur
	next.Revision = cur.Revision + 1
	next.CreatedAt, next.CreatedBy = now.UTC(), p.UserID
	next.Comment = ""
	return &next
}

func (s *Service) checkRevision(op string, cur *cynllun.Review, expected int, c *checker) error {
	if expected < 1 {
		c.add("input.expectedRevision", "must be 1 or more")
		return nil
	}
	if expected != cur.Revision {
		return reviewConflict(op, cur.Revision)
	}
	return nil
}

func reviewConflict(op string, current int) *cynllun.Error {
	return &cynllun.Error{Code: cynllun.CodeConflict, Op: op, Current: current,
		Message: fmt.Sprintf("the review record was changed by someone else: revision %d is current; reload it and apply your changes again", current)}
}

func (s *Service) insertRevision(ctx context.Context, op string, r *cynllun.Review) (*cynllun.Review, error) {
	var err error
	if r.LAID, r.SettingID, err = s.placeOf(ctx, op, r.LearnerID); err != nil {
		return nil, err
	}
	if err := s.store.InsertReview(ctx, r); err != nil {
		e := cynllun.AsError(op, err)
		if e.Code == cynllun.CodeConflict {
			return nil, reviewConflict(op, e.Current)
		}
		return nil, e
	}
	return r, nil
}

// checkRecord validates a record against the plan version reviewed and
// the learner's uploads.
func (s *Service) checkRecord(ctx context.Context, op, prefix string, r *cynllun.Review, c *checker) error {
	rows := map[string]bool{}
	if r.PlanVersion > 0 {
		vs, err := s.store.VersionsByID(ctx, []string{cynllun.VersionID(r.PlanID, r.PlanVersion)})
		if err != nil {
			return cynllun.AsError(op, err)
		}
		for _, v := range vs {
			for _, row := range v.Content.Provision {
				rows[row.ID] = true
			}
		}
	}
	ids := c.record(prefix, r, rows)
	if !r.HeldOn.IsZero() && r.HeldOn.After(cynllun.Today(s.now())) {
		c.add(prefix+"heldOn", "must not be in the future")
	}
	return s.checkAttachments(ctx, op, r.LearnerID, prefix+"attachments", ids, c)
}

// checkAttachments: every id must be an upload to this learner's record.
func (s *Service) checkAttachments(ctx context.Context, op, learnerID, field string, ids []string, c *checker) error {
	if len(ids) == 0 {
		return nil
	}
	fs, err := s.store.FilesByID(ctx, dedupe(ids))
	if err != nil {
		return cynllun.AsError(op, err)
	}
	ok := map[string]bool{}
	for _, f := range fs {
		if f.LearnerID == learnerID && f.Kind == cynllun.FileUpload {
			ok[f.ID] = true
		}
	}
	for _, id := range ids {
		if !ok[id] {
			c.add(field, "names a file that is not an attachment uploaded to this learner's record")
			break
		}
	}
	return nil
}

// reviewForWrite loads a review's latest revision for someone who may
// change its learner's record.
func (s *Service) reviewForWrite(ctx context.Context, op, id string) (*cynllun.Principal, *cynllun.Review, *cynllun.Plan, error) {
	p, err := principal(ctx, op)
	if err != nil {
		return nil, nil, nil, err
	}
	rs, err := s.store.ReviewsByID(ctx, []string{id})
	if err != nil {
		return nil, nil, nil, cynllun.AsError(op, err)
	}
	if len(rs) == 0 {
		return nil, nil, nil, cynllun.NotFound(op, "review")
	}
	plan, l, err := s.planFor(ctx, p, op, rs[0].PlanID)
	if err != nil {
		return nil, nil, nil, cynllun.NotFound(op, "review")
	}
	if !policy.WriteLearner(p, l, s.now()).OK {
		return nil, nil, nil, cynllun.E(cynllun.CodeForbidden, op, "you may read but not change this review")
	}
	if err := live(op, plan); err != nil {
		return nil, nil, nil, err
	}
	return p, rs[0], plan, nil
}

// Reviews returns, for each id, the review's latest revision or nil when
// missing or not readable, auditing each one returned.
func (s *Service) Reviews(ctx context.Context, ids []string) ([]*cynllun.Review, error) {
	const op = "service.Reviews"
	rs, err := s.readReviews(ctx, op, func() ([]*cynllun.Review, error) { return s.store.ReviewsByID(ctx, ids) })
	if err != nil {
		return nil, err
	}
	by := make(map[string]*cynllun.Review, len(rs))
	for _, r := range rs {
		by[r.ID] = r
	}
	out := make([]*cynllun.Review, len(ids))
	for i, id := range ids {
		out[i] = by[id]
	}
	return out, nil
}

// Review returns one review, or NOT_FOUND.
func (s *Service) Review(ctx context.Context, id string) (*cynllun.Review, error) {
	rs, err := s.Reviews(ctx, []string{id})
	if err != nil {
		return nil, err
	}
	if rs[0] == nil {
		return nil, cynllun.NotFound("service.Review", "review")
	}
	return rs[0], nil
}

// ReviewsForPlans returns each plan's reviews (oldest first), empty for a
// plan the principal may not read, without auditing them: the caller
// audits those it returns (AuditReviews).
func (s *Service) ReviewsForPlans(ctx context.Context, planIDs []string) ([][]*cynllun.Review, error) {
	const op = "service.ReviewsForPlans"
	p, err := principal(ctx, op)
	if err != nil {
		return nil, err
	}
	ids, err := s.readablePlanIDs(ctx, op, planIDs)
	if err != nil {
		return nil, err
	}
	by := map[string][]*cynllun.Review{}
	if len(ids) > 0 {
		rs, err := s.store.ReviewsForPlans(ctx, ids)
		if err != nil {
			return nil, cynllun.AsError(op, err)
		}
		if rs, err = s.readableReviews(ctx, op, p, rs); err != nil {
			return nil, err
		}
		for _, r := range rs {
			by[r.PlanID] = append(by[r.PlanID], r)
		}
	}
	out := make([][]*cynllun.Review, len(planIDs))
	for i, id := range planIDs {
		out[i] = by[id]
	}
	return out, nil
}

// AuditReviews records a read of each review (which ReviewsForPlans let
// the principal read).
func (s *Service) AuditReviews(ctx context.Context, rs []*cynllun.Review) error {
	const op = "service.AuditReviews"
	p, err := principal(ctx, op)
	if err != nil {
		return err
	}
	return s.auditReviews(ctx, op, p, rs)
}

// ReviewAge is a review's position among a plan's reviews: by when it was
// opened, then id.
func ReviewAge(r *cynllun.Review) Cursor { return Cursor{Key: TimeKey(r.OpenedAt), ID: r.ID} }

// ReviewRevisions lists a page of a review's revisions, oldest first,
// with how many there are (a page is audited as one read of each).
func (s *Service) ReviewRevisions(ctx context.Context, id string, pg Page) (Paged[*cynllun.Review], int, error) {
	const op = "service.ReviewRevisions"
	p, err := principal(ctx, op)
	if err != nil {
		return Paged[*cynllun.Review]{}, 0, err
	}
	rs, err := s.store.ReviewRevisions(ctx, id)
	if err != nil {
		return Paged[*cynllun.Review]{}, 0, cynllun.AsError(op, err)
	}
	if rs, err = s.readableReviews(ctx, op, p, rs); err != nil {
		return Paged[*cynllun.Review]{}, 0, err
	}
	out, err := Window(op, pg, rs, func(r *cynllun.Review) Cursor { return Cursor{Key: NumberKey(r.Revision)} })
	if err != nil {
		return out, 0, err
	}
	return out, len(rs), s.auditReviews(ctx, op, p, out.Items)
}

// ReviewRevision returns one revision of a review's record (audited), or
// NOT_FOUND when there is no such revision or the principal may not read
// the review.
func (s *Service) ReviewRevision(ctx context.Context, id string, revision int) (*cynllun.Review, error) {
	const op = "service.ReviewRevision"
	rs, err := s.readReviews(ctx, op, func() ([]*cynllun.Review, error) {
		r, err := s.store.ReviewRevision(ctx, id, revision)
		if err != nil || r == nil {
			return nil, err
		}
		return []*cynllun.Review{r}, nil
	})
	if err != nil {
		return nil, err
	}
	if len(rs) != 1 {
		return nil, cynllun.NotFound(op, "review")
	}
	return rs[0], nil
}

// readReviews loads reviews, keeps those whose plan the principal may read,
// and records one audit event for each before returning any.
func (s *Service) readReviews(ctx context.Context, op string, load func() ([]*cynllun.Review, error)) ([]*cynllun.Review, error) {
	p, err := principal(ctx, op)
	if err != nil {
		return nil, err
	}
	rs, err := load()
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	out, err := s.readableReviews(ctx, op, p, rs)
	if err != nil {
		return nil, err
	}
	return out, s.auditReviews(ctx, op, p, out)
}

// readableReviews keeps the reviews whose plan p may read.
func (s *Service) readableReviews(ctx context.Context, op string, p *cynllun.Principal, rs []*cynllun.Review) ([]*cynllun.Review, error) {
	planIDs := make([]string, len(rs))
	for i, r := range rs {
		planIDs[i] = r.PlanID
	}
	plans, _, err := s.readablePlans(ctx, p, planIDs)
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	var out []*cynllun.Review
	for _, r := range rs {
		if pl := plans[r.PlanID]; pl != nil && pl.LearnerID == r.LearnerID {
			out = append(out, r)
		}
	}
	return out, nil
}

// auditReviews records one audit event for each review read (p may read
// each: readableReviews kept it).
func (s *Service) auditReviews(ctx context.Context, op string, p *cynllun.Principal, rs []*cynllun.Review) error {
	ids := make([]string, len(rs))
	for i, r := range rs {
		ids[i] = r.LearnerID
	}
	learners, err := s.readableLearners(ctx, p, ids)
	if err != nil {
		return cynllun.AsError(op, err)
	}
	now := s.now()
	events := make([]cynllun.AuditEvent, 0, len(rs))
	for _, r := range rs {
		events = append(events, cynllun.AuditEvent{
			ID: cynllun.NewID(cynllun.PrefixAudit), At: now.UTC(), ActorID: p.UserID, LearnerID: r.LearnerID,
			Part: "review.record", PlanID: r.PlanID, Version: r.PlanVersion, Action: "read",
			Reason: string(policy.ReadLearner(p, learners[r.LearnerID], now).Reason),
		})
	}
	return s.audit(ctx, op, events)
}

// ReviewPeriod returns the plan's review period running today, or nil
// before the plan was first given (no FINAL version yet).
func (s *Service) ReviewPeriod(ctx context.Context, planID string) (*cynllun.ReviewPeriod, error) {
	const op = "service.ReviewPeriod"
	p, err := principal(ctx, op)
	if err != nil {
		return nil, err
	}
	if _, _, err := s.planFor(ctx, p, op, planID); err != nil {
		return nil, err
	}
	first, events, err := s.periodFacts(ctx, op, planID, "")
	if err != nil {
		return nil, err
	}
	rp, ok := cynllun.CurrentReviewPeriod(first, events, cynllun.Today(s.now()))
	if !ok {
		return nil, nil
	}
	return &rp, nil
}

// periodFacts reads what review periods are computed from: the date the
// plan was first given (its first FINAL version, in London) and the
// decisions of its concluded reviews (except skip's).
func (s *Service) periodFacts(ctx context.Context, op, planID, skip string) (cynllun.Date, []cynllun.PeriodEvent, error) {
	metas, err := s.store.ListVersions(ctx, planID, 0, 1000)
	if err != nil {
		return cynllun.Date{}, nil, cynllun.AsError(op, err)
	}
	rs, err := s.store.ReviewsForPlans(ctx, []string{planID})
	if err != nil {
		return cynllun.Date{}, nil, cynllun.AsError(op, err)
	}
	return firstGiven(metas), periodEvents(rs, skip), nil
}

// firstGiven is the date a plan was first given: the day its first FINAL
// version was given (zero when none is final).
func firstGiven(metas []*cynllun.Version) cynllun.Date {
	for _, v := range metas {
		if v.Status == cynllun.VersionFinal {
			return v.Given()
		}
	}
	return cynllun.Date{}
}

func periodEvents(rs []*cynllun.Review, skip string) []cynllun.PeriodEvent {
	var out []cynllun.PeriodEvent
	for _, r := range rs {
		if r.ID == skip || r.Status != cynllun.ReviewConcluded || r.Decision == nil {
			continue
		}
		basis := cynllun.PeriodNoRevision
		if r.Decision.Kind == cynllun.DecisionRevised {
			basis = cynllun.PeriodRevisedPlan
		}
		out = append(out, cynllun.PeriodEvent{On: r.Decision.DecidedOn, Basis: basis, ReviewID: r.ID})
	}
	return out
}
