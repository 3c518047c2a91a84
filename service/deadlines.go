package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/calendar"
	"github.com/cynllun/cynllun/clock"
	"github.com/cynllun/cynllun/form"
	"github.com/cynllun/cynllun/internal/failpoint"
	"github.com/cynllun/cynllun/policy"
	"github.com/cynllun/cynllun/routes"
)

// EventInput records a statutory event that Cynllun cannot see for
// itself (ALN brought to a school's attention, a referral received, a
// notice given).
type EventInput struct {
	LearnerID string
	Kind      cynllun.EventKind
	On        cynllun.Date
	// OrgID is the body whose duty the clock is; default: the plan's
	// maintainer, else the learner's setting, else the learner's LA.
	OrgID    string
	PlanID   string
	ReviewID string
	Note     string
	// Decision, for a DECISION_NOTICE_GIVEN, is what was decided: with the
	// deciding body's kind it chooses the route (package routes), and so
	// the clocks the notice starts. Empty: read as OTHER (a local
	// authority's or an FEI's notice starts T17, as before issue 16; a
	// school's starts none, since no appeal lies against a school).
	Decision cynllun.DisputedKind
	// ConsentGiven, for an ALN_BROUGHT_TO_ATTENTION, records that the young
	// person consented the same day: no separate CONSENT_GIVEN is needed
	// (T3 starts on the later of the two). False: as before.
	ConsentGiven bool
}

// EventResult is a recorded event with the clocks it started and closed.
type EventResult struct {
	Event   *cynllun.StatutoryEvent
	Started []*cynllun.Deadline
	// Closed are the clocks the event met, as they stand after it.
	Closed []*cynllun.Deadline
	// Route, for a decision notice, is what may be done next about the
	// decision (nil for other events).
	Route *routes.Route
}

// recordable are the event kinds a user may record (the others Cynllun
// derives from plans and reviews).
var recordable = []cynllun.EventKind{
	cynllun.EventALNBroughtToAttention, cynllun.EventConsentGiven, cynllun.EventIDPGiven, cynllun.EventNoALNNoticeGiven,
	cynllun.EventNHSReferralReceived, cynllun.EventNHSResponseGiven, cynllun.EventCeaseNoticeGiven,
	cynllun.EventReconsiderALNRequested, cynllun.EventReconsiderALNDecided, cynllun.EventReconsiderIDPRequested,
	cynllun.EventReconsiderIDPDecided, cynllun.EventReconsiderCeaseRequested, cynllun.EventReconsiderCeaseDecided,
	cynllun.EventTakeoverRequested, cynllun.EventTakeoverDecided,
	cynllun.EventFEITakeoverRequest, cynllun.EventFEITakeoverAnswered, cynllun.EventDecisionNoticeGiven, cynllun.EventAppealMade,
	cynllun.EventTribunalDecisionSent, cynllun.EventTribunalReviewRequested, cynllun.EventRegisteredAtNewSchool,
	cynllun.EventLastDayAtPreviousSchool, cynllun.EventLastDayAtSchool, cynllun.EventEnrolledAtFEI, cynllun.EventIDPAdopted,
	cynllun.EventIDPNoticeGiven, cynllun.EventCompulsorySchoolAgeEnded, cynllun.EventDisagreementReferred,
}

// RecordEvent records a statutory event for a learner, starts the clocks
// it starts (due dates on the responsible body's calendar) and closes the
// open clocks it satisfies. Staff and officers; the kinds a user may
// record (not those Cynllun derives from plans and reviews).
//
// The body whose duty it is must be one responsible for the learner (see
// responsibleOrg); naming any other is FORBIDDEN, with the same answer
// whether or not it exists. The same event recorded again (same learner,
// kind, date, body, plan, review and decision) is a repeat: the answer is
// the event recorded first and the clocks it started, and nothing changes.
func (s *Service) RecordEvent(ctx context.Context, in EventInput) (*EventResult, error) {
	return s.recordEvent(ctx, "service.RecordEvent", in, recordable)
}

// RecordAnyEvent is RecordEvent for other service code that records, as
// the signed-in user, an event Cynllun otherwise derives (any kind but the
// legacy ones): the same checks, answers and repeats.
func (s *Service) RecordAnyEvent(ctx context.Context, in EventInput) (*EventResult, error) {
	kinds := slices.DeleteFunc(slices.Clone(cynllun.EventKinds), func(k cynllun.EventKind) bool {
		return k == cynllun.EventLegacyReconsiderationRequested || k == cynllun.EventLegacyReconsiderationDecided
	})
	return s.recordEvent(ctx, "service.RecordEvent", in, kinds)
}

func (s *Service) recordEvent(ctx context.Context, op string, in EventInput, kinds []cynllun.EventKind) (*EventResult, error) {
	p, err := principal(ctx, op)
	if err != nil {
		return nil, err
	}
	l, err := s.learnerFor(ctx, p, op, in.LearnerID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	if !policy.WriteLearner(p, l, now).OK {
		return nil, cynllun.E(cynllun.CodeForbidden, op, "you may read but not change this learner's record")
	}
	c := &checker{}
	oneOf(c, "input.kind", in.Kind, kinds, false)
	oneOf(c, "input.decision", in.Decision, cynllun.DisputedKinds, true)
	if in.Decision != "" && in.Kind != cynllun.EventDecisionNoticeGiven {
		c.add("input.decision", "applies only to DECISION_NOTICE_GIVEN")
	}
	if in.ConsentGiven && in.Kind != cynllun.EventALNBroughtToAttention {
		c.add("input.consentGiven", "applies only to ALN_BROUGHT_TO_ATTENTION")
	}
	if in.On.IsZero() {
		c.add("input.on", "is required")
	}
	c.eventDate("input.on", in.On, cynllun.Today(now))
	c.text("input.note", in.Note, form.MaxMedium, true)
	c.text("input.orgId", in.OrgID, form.MaxShort, false)
	c.text("input.reviewId", in.ReviewID, form.MaxShort, false)
	if in.PlanID != "" {
		plan, _, err := s.planFor(ctx, p, op, in.PlanID)
		if err != nil || plan.LearnerID != l.ID {
			c.add("input.planId", "is not a plan of this learner")
		} else {
			if in.OrgID == "" {
				in.OrgID = plan.MaintainerID
			}
			c.errs = append(c.errs, givenByVersion(in.Kind, plan)...)
		}
	}
	if in.OrgID == "" {
		in.OrgID = l.SettingID
		if in.OrgID == "" {
			in.OrgID = l.LAID
		}
	}
	if len(c.errs) > 0 {
		return nil, cynllun.Invalid(op, c.errs...)
	}
	org, err := s.responsibleOrg(ctx, op, l, in.OrgID, "input.orgId")
	if err != nil {
		return nil, err
	}
	ev := &cynllun.StatutoryEvent{
		ID: recordedEventID(l.ID, in), Kind: in.Kind, LearnerID: l.ID, PlanID: in.PlanID, ReviewID: in.ReviewID,
		OrgID: org.ID, On: in.On, Note: in.Note, Decision: in.Decision, ConsentGiven: in.ConsentGiven, RecordedAt: now.UTC(), RecordedBy: p.UserID,
	}
	if res, err := s.repeatedEvent(ctx, op, ev, l, org); err != nil || res != nil {
		if res != nil {
			s.log.InfoContext(ctx, "statutory event repeated", "event", res.Event.ID, "kind", string(ev.Kind), "learner", l.ID, "actor", p.UserID)
		}
		return res, err
	}
	res, err := s.applyEvent(ctx, op, ev, l, org)
	if err != nil {
		return nil, err
	}
	s.log.InfoContext(ctx, "statutory event recorded", "event", ev.ID, "kind", string(ev.Kind), "learner", l.ID, "started", len(res.Started), "closed", len(res.Closed), "actor", p.UserID)
	return res, nil
}

// errNotResponsible is the answer for an organisation that is not
// responsible for the learner, or does not exist: the same for both, so
// the answer does not tell whether an id names an organisation, and it
// names neither the organisation nor the learner's.
func errNotResponsible(op, field string) error {
	return cynllun.E(cynllun.CodeForbidden, op, field+": must be an organisation responsible for this learner: their school or FEI, "+
		"their local authority, the body maintaining one of their plans, or a health board named in one of their plans")
}

// responsibleOrg returns the organisation orgID when it is responsible for
// learner l: their setting (school or FEI), their local authority, the
// maintainer of one of their plans, or a local health board that one of
// their plans names as the NHS body securing provision (a 2B row's
// nhsBody, which the form holds as text: matched against the board's
// English or Welsh name, folded). Otherwise FORBIDDEN (errNotResponsible,
// naming field).
// Only organisations that answer for the learner may be sent notices
// about them.
func (s *Service) responsibleOrg(ctx context.Context, op string, l *cynllun.Learner, orgID, field string) (*cynllun.Organisation, error) {
	orgs, err := s.store.OrganisationsByID(ctx, []string{orgID})
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	if len(orgs) == 0 {
		return nil, errNotResponsible(op, field)
	}
	org := orgs[0]
	if org.ID == l.LAID || org.ID == l.SettingID {
		return org, nil
	}
	plans, err := s.store.PlansByLearner(ctx, []string{l.ID})
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	var versions []string
	for _, pl := range plans {
		if pl.LearnerID != l.ID {
			continue
		}
		if pl.MaintainerID == org.ID {
			return org, nil
		}
		if pl.Latest > 0 {
			versions = append(versions, cynllun.VersionID(pl.ID, pl.Latest))
		}
	}
	if org.Kind != cynllun.OrgHealthBoard || len(versions) == 0 {
		return nil, errNotResponsible(op, field)
	}
	vs, err := s.store.VersionsByID(ctx, versions)
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	names := map[string]bool{}
	for _, n := range []string{org.Name, org.NameCy} {
		if k := orgNameKey(n); k != "" {
			names[k] = true
		}
	}
	for _, v := range vs {
		if v.Content == nil || v.LearnerID != l.ID {
			continue
		}
		for _, row := range v.Content.Provision {
			if names[orgNameKey(row.NHSBody)] {
				return org, nil
			}
		}
	}
	return nil, errNotResponsible(op, field)
}

// orgNameKey is an organisation's name as compared: folded (case and
// diacritics), with runs of spaces as one.
func orgNameKey(s string) string { return cynllun.Fold(strings.Join(strings.Fields(s), " ")) }

// recordedEventID derives a recorded event's id from what makes it the
// same event (learner, kind, date, body, plan, review, and the decision of
// a decision notice), so two calls that race to record it store one event
// and start one set of clocks. Without a decision the id is as it was
// before decisions were recorded.
func recordedEventID(learnerID string, in EventInput) string {
	parts := []string{learnerID, string(in.Kind), in.On.String(), in.OrgID, in.PlanID, in.ReviewID}
	if in.Decision != "" {
		parts = append(parts, string(in.Decision))
	}
	key := strings.Join(parts, "\x00")
	sum := sha256.Sum256([]byte(key))
	return cynllun.PrefixEvent + "r" + hex.EncodeToString(sum[:15])
}

// repeatedEvent finds an event of ev's learner that is the same as ev
// (same kind, date, body, plan and review; recorded or derived, whatever
// its note) and answers with it and the clocks it started, as they stand
// now, or nil. The clocks are started again, which changes nothing unless
// the call that recorded the event has not started them yet (a race):
// the answer lists them either way. It closes nothing: the event closed
// what it closes when it was recorded, and a clock started since is not
// answered by an event from before it.
func (s *Service) repeatedEvent(ctx context.Context, op string, ev *cynllun.StatutoryEvent, l *cynllun.Learner, org *cynllun.Organisation) (*EventResult, error) {
	evs, err := s.store.EventsForLearner(ctx, ev.LearnerID)
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	for i := range evs {
		x := &evs[i]
		if x.Kind != ev.Kind || x.On != ev.On || x.OrgID != ev.OrgID || x.PlanID != ev.PlanID || x.ReviewID != ev.ReviewID || x.Decision != ev.Decision || x.CaseID != "" {
			continue
		}
		want, err := s.startClocks(ctx, op, x, l, org, s.now().UTC())
		if err != nil {
			return nil, err
		}
		ids := make([]string, len(want))
		for i, d := range want {
			ids[i] = d.ID
		}
		found, err := s.store.DeadlinesByID(ctx, ids)
		if err != nil {
			return nil, cynllun.AsError(op, err)
		}
		// As stored (a clock may have closed since), in rule order.
		started := make([]*cynllun.Deadline, 0, len(found))
		for _, id := range ids {
			if i := slices.IndexFunc(found, func(d *cynllun.Deadline) bool { return d.ID == id }); i >= 0 {
				started = append(started, found[i])
			}
		}
		return &EventResult{Event: x, Started: started, Route: eventRoute(x, org)}, nil
	}
	return nil, nil
}

// eventRoute is the route of a decision notice's decision (nil for other
// events).
func eventRoute(ev *cynllun.StatutoryEvent, org *cynllun.Organisation) *routes.Route {
	if ev.Kind != cynllun.EventDecisionNoticeGiven {
		return nil
	}
	r, ok := routes.For(ev.Decision, org.Kind)
	if !ok {
		return nil
	}
	return &r
}

// systemEvent records an event Cynllun derives from a plan (an IDP given,
// a review concluded) and applies it. Its id is derived from what caused
// it, so applying it again (a retried save, the outbox relay) records it
// once. Callers reach it through the outbox (outbox.go), which retries it
// until it is applied.
func (s *Service) systemEvent(ctx context.Context, kind cynllun.EventKind, cause string, plan *cynllun.Plan, reviewID string, on cynllun.Date, by string) error {
	const op = "service.systemEvent"
	sum := sha256.Sum256([]byte(string(kind) + "/" + cause))
	ev := &cynllun.StatutoryEvent{
		ID: cynllun.PrefixEvent + "s" + hex.EncodeToString(sum[:12]), Kind: kind, LearnerID: plan.LearnerID, PlanID: plan.ID,
		ReviewID: reviewID, OrgID: plan.MaintainerID, On: on, RecordedAt: s.now().UTC(), RecordedBy: by, System: true,
	}
	return s.deriveEvent(ctx, op, ev, nil)
}

// deriveEvent applies an event Cynllun derived (ev.System). Applying it
// again is safe. l may be nil (it is read).
func (s *Service) deriveEvent(ctx context.Context, op string, ev *cynllun.StatutoryEvent, l *cynllun.Learner) error {
	if l == nil {
		ls, err := s.store.LearnersByID(ctx, []string{ev.LearnerID})
		if err != nil {
			return cynllun.AsError(op, err)
		}
		if len(ls) == 0 {
			return cynllun.NotFound(op, "learner")
		}
		l = ls[0]
	}
	orgs, err := s.store.OrganisationsByID(ctx, []string{ev.OrgID})
	if err != nil {
		return cynllun.AsError(op, err)
	}
	if len(orgs) == 0 {
		return cynllun.NotFound(op, "organisation")
	}
	_, err = s.applyEvent(ctx, op, ev, l, orgs[0])
	return err
}

// applyEvent stores ev, closes the learner's open clocks it satisfies and
// starts the clocks it starts. Every write is idempotent (deterministic
// ids, first closure stays), so applying an event again changes nothing.
func (s *Service) applyEvent(ctx context.Context, op string, ev *cynllun.StatutoryEvent, l *cynllun.Learner, org *cynllun.Organisation) (*EventResult, error) {
	if err := s.store.InsertEvent(ctx, ev); err != nil && cynllun.ErrorCode(err) != cynllun.CodeConflict {
		return nil, cynllun.AsError(op, err)
	}
	failpoint.Crash("event.inserted")
	res := &EventResult{Event: ev, Route: eventRoute(ev, org)}
	open, err := s.store.OpenDeadlines(ctx, l.ID, "")
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	now := s.now().UTC()
	for _, d := range open {
		rule, ok := clock.RuleByID(d.RuleID)
		if !ok || d.StartEventID == ev.ID || !slices.Contains(rule.EndEvents, string(ev.Kind)) && !slices.Contains(rule.RestartEvents, string(ev.Kind)) {
			continue
		}
		if d.PlanID != "" && ev.PlanID != "" && d.PlanID != ev.PlanID ||
			d.CaseID != "" && ev.CaseID != "" && d.CaseID != ev.CaseID {
			continue
		}
		// A refusal answers its own request, not another requester's
		// (each requester may have one open request on a plan).
		if ev.Kind == cynllun.EventReviewRefused && d.ReviewID != "" && ev.ReviewID != "" && d.ReviewID != ev.ReviewID {
			continue
		}
		closure := cynllun.Closure{Status: cynllun.DeadlineMet, On: ev.On, EventID: ev.ID, By: ev.RecordedBy, At: now}
		closed, err := s.store.CloseDeadline(ctx, d.ID, closure)
		if err != nil {
			return nil, cynllun.AsError(op, err)
		}
		if closed {
			// As it stands now: met by this event (its status was read
			// before, when it was open, or missed).
			met := *d
			met.Closure = &closure
			res.Closed = append(res.Closed, &met)
		}
	}
	failpoint.Crash("event.closed")
	if err := s.extendClocks(ctx, op, ev, open, now); err != nil {
		return nil, err
	}
	started, err := s.startClocks(ctx, op, ev, l, org, now)
	if err != nil {
		return nil, err
	}
	res.Started = started
	return res, nil
}

// startClocks starts the clocks ev starts for l at org and returns them.
// Their ids derive from the event's, and a clock that exists is left as it
// is, so starting them again changes nothing.
func (s *Service) startClocks(ctx context.Context, op string, ev *cynllun.StatutoryEvent, l *cynllun.Learner, org *cynllun.Organisation, now time.Time) ([]*cynllun.Deadline, error) {
	starts, err := s.clocksStartedBy(ctx, op, ev, l, org)
	if err != nil {
		return nil, err
	}
	var started []*cynllun.Deadline
	for _, cs := range starts {
		rule, from := cs.rule, cs.from
		var cal *calendar.Calendar
		if rule.Calendar == clock.CalendarMaintainer {
			if cal, err = s.countingCalendar(ctx, op, org.ID, from.On); err != nil {
				return nil, err
			}
		}
		d := &cynllun.Deadline{
			ID: cynllun.DeadlineID(rule.ID, from.ID), RuleID: rule.ID, LearnerID: l.ID, PlanID: from.PlanID, ReviewID: from.ReviewID, CaseID: from.CaseID,
			OrgID: org.ID, LAID: l.LAID, SettingID: l.SettingID, StartEventID: from.ID, Start: from.On, CreatedAt: now,
		}
		r, err := clock.Compute(rule, from.On, cal, s.clock)
		if err != nil {
			// Why there is no due date ("needs the maintaining body's term
			// calendar", "has no time limit confirmed"): a wrong date is
			// worse than none.
			e := cynllun.AsError(op, err)
			if e.Code != cynllun.CodeInvalid {
				return nil, e
			}
			d.Problem = e.Message
			if len(e.Fields) > 0 {
				d.Problem = e.Fields[0].Message
			}
		} else {
			d.Due = r.Due
		}
		started = append(started, d)
	}
	if err := s.store.InsertDeadlines(ctx, started); err != nil {
		return nil, cynllun.AsError(op, err)
	}
	return started, nil
}

// clockStart is a rule an event starts, as it applies to the body, and
// the event its period runs from (the event itself, or for T3 the later of
// the events it waits for).
type clockStart struct {
	rule clock.Rule
	from *cynllun.StatutoryEvent
}

// clocksStartedBy are the clocks ev starts for l at org. Most rules start
// on their event; a rule that waits for several events (StartsWhenAll, T3)
// starts once all have been recorded for the learner at the same body, on
// the latest, whichever was recorded last; a registration at a new school
// (T13, an in-year move) does not start T13 when it follows the last day
// at the previous school at the end of a school year before the end of
// September (a start-of-year move, T14). The learner's events are read
// only when a rule needs them.
func (s *Service) clocksStartedBy(ctx context.Context, op string, ev *cynllun.StatutoryEvent, l *cynllun.Learner, org *cynllun.Organisation) ([]clockStart, error) {
	var evs []cynllun.StatutoryEvent
	loaded := false
	events := func() ([]cynllun.StatutoryEvent, error) {
		if loaded {
			return evs, nil
		}
		all, err := s.store.EventsForLearner(ctx, l.ID)
		if err != nil {
			return nil, cynllun.AsError(op, err)
		}
		// ev itself, whether or not the read sees it yet.
		evs, loaded = append(slices.DeleteFunc(all, func(x cynllun.StatutoryEvent) bool { return x.ID == ev.ID }), *ev), true
		return evs, nil
	}
	var out []clockStart
	for _, rule := range rulesStartedBy(ev.Kind, ev.Decision, org.Kind, cynllun.StatusOn(l.DateOfBirth, ev.On)) {
		rule = rule.ForBody(org.Kind)
		from := ev
		switch {
		case len(rule.StartsWhenAll) > 0:
			all, err := events()
			if err != nil {
				return nil, err
			}
			if from = latestOfAll(rule.StartsWhenAll, ev.OrgID, all); from == nil {
				continue // waiting for the others
			}
		case rule.ID == "T13":
			all, err := events()
			if err != nil {
				return nil, err
			}
			if startOfYearMove(ev, all) {
				continue
			}
		}
		out = append(out, clockStart{rule: rule, from: from})
	}
	return out, nil
}

// latestOfAll is the event a rule waiting for kinds starts from: of each
// kind, the learner's latest event at orgID (an ALN_BROUGHT_TO_ATTENTION
// with the young person's consent is a CONSENT_GIVEN too), and of those
// the latest (by day, then id, so whichever is recorded last gives the
// same clock); nil while a kind has none.
func latestOfAll(kinds []string, orgID string, evs []cynllun.StatutoryEvent) *cynllun.StatutoryEvent {
	var from *cynllun.StatutoryEvent
	for _, k := range kinds {
		var latest *cynllun.StatutoryEvent
		for i := range evs {
			x := &evs[i]
			is := string(x.Kind) == k || k == string(cynllun.EventConsentGiven) && x.Kind == cynllun.EventALNBroughtToAttention && x.ConsentGiven
			if x.OrgID != orgID || x.CaseID != "" || !is {
				continue
			}
			if latest == nil || later(x, latest) {
				latest = x
			}
		}
		if latest == nil {
			return nil
		}
		if from == nil || later(latest, from) {
			from = latest
		}
	}
	out := *from
	return &out
}

func later(a, b *cynllun.StatutoryEvent) bool {
	if a.On != b.On {
		return a.On.After(b.On)
	}
	return a.ID > b.ID
}

// startOfYearMove reports whether a registration at a new school follows
// the last day at the previous school at the end of a school year, on or
// before the end of the September after it (Act s.35(2): T14, met by the
// registration, rather than the in-year move of T13).
func startOfYearMove(reg *cynllun.StatutoryEvent, evs []cynllun.StatutoryEvent) bool {
	for _, x := range evs {
		if x.Kind != cynllun.EventLastDayAtPreviousSchool || x.On.After(reg.On) {
			continue
		}
		y := x.On.Year
		if x.On.Month > time.September {
			y++
		}
		if !reg.On.After(cynllun.Date{Year: y, Month: time.September, Day: 30}) {
			return true
		}
	}
	return false
}

// countingCalendar is the calendar orgID's school-day and term-time-day
// clocks starting on start are counted on. A school's is its effective
// calendar (its own terms, else its LA's published dates). An FEI's
// term-time days are its own: an FEI's calendar counts only the school
// years for which it has given its own terms, from start's year on while
// they run on without a gap, so a year it has not given is not covered
// (the clock is undated, saying which terms to add) rather than counted on
// its LA's school terms under the FEI's name.
func (s *Service) countingCalendar(ctx context.Context, op, orgID string, start cynllun.Date) (*calendar.Calendar, error) {
	ocs, err := s.effectiveCalendars(ctx, op, []string{orgID})
	if err != nil {
		return nil, err
	}
	oc := ocs[orgID]
	if oc == nil {
		return nil, nil
	}
	if oc.Org.Kind != cynllun.OrgFEI {
		return oc.Effective, nil
	}
	own := map[int]bool{}
	if oc.Own != nil && oc.Own.Calendar != nil {
		for _, t := range oc.Own.Calendar.Terms {
			own[schoolYearOf(t.Start)] = true
		}
	}
	years := map[int]bool{}
	for y := schoolYearOf(start); own[y]; y++ {
		years[y] = true
	}
	cal := &calendar.Calendar{ID: oc.Effective.ID, Name: oc.Effective.Name, Source: oc.Effective.Source}
	for _, t := range oc.Effective.Terms {
		if years[schoolYearOf(t.Start)] {
			cal.Terms = append(cal.Terms, t)
		}
	}
	for _, c := range oc.Effective.Closures {
		if years[schoolYearOf(c.From)] {
			cal.Closures = append(cal.Closures, c)
		}
	}
	return cal, nil
}

// schoolYearOf is the year the school year of d (1 August to 31 July)
// starts in.
func schoolYearOf(d cynllun.Date) int {
	if d.Month < time.August {
		return d.Year - 1
	}
	return d.Year
}

// extendClocks gives more time to the open clocks whose rule an event
// extends (T17 on a referral to disagreement resolution), when it happened
// on or before their due date: the due date is computed again with the
// extension's time, from the same start. The first extension stays.
func (s *Service) extendClocks(ctx context.Context, op string, ev *cynllun.StatutoryEvent, open []*cynllun.Deadline, now time.Time) error {
	for _, d := range open {
		rule, ok := clock.RuleByID(d.RuleID)
		if !ok || rule.Extension == nil || rule.Extension.Event != string(ev.Kind) || d.Extension != nil || d.Due.IsZero() || ev.On.After(d.Due) {
			continue
		}
		if d.CaseID != "" && ev.CaseID != "" && d.CaseID != ev.CaseID {
			continue
		}
		var cal *calendar.Calendar
		if rule.Calendar == clock.CalendarMaintainer {
			var err error
			if cal, err = s.countingCalendar(ctx, op, d.OrgID, d.Start); err != nil {
				return err
			}
		}
		// "Before the original period expires": on or before the period's
		// last day, not the first working day after it (T17's due date).
		orig, err := clock.Compute(rule, d.Start, cal, s.clock)
		if err != nil || ev.On.After(orig.PeriodEnd) {
			continue
		}
		r, err := clock.Compute(rule.Extended(), d.Start, cal, s.clock)
		if err != nil {
			// No extended date can be computed (past the calendar data):
			// the clock keeps its date rather than gain a wrong one.
			s.log.WarnContext(ctx, "could not extend a clock", "deadline", d.ID, "code", string(cynllun.ErrorCode(err)))
			continue
		}
		if _, err := s.store.ExtendDeadline(ctx, d.ID, r.Due, cynllun.DeadlineExtension{EventID: ev.ID, On: ev.On, PreviousDue: d.Due, At: now}); err != nil {
			return cynllun.AsError(op, err)
		}
	}
	return nil
}

// RulesStartedBy are the rules an event starts (or restarts) for a body of
// kind orgKind and a learner of status st. Who decides ALN depends on who
// the body is and on the learner's age (domain.md §2.1 T1–T4). A decision
// notice starts what its route gives (a decision of unknown kind is read
// as OTHER: T17 where an appeal lies, none for a school). A rule waiting
// for several events (T3) is listed for each of them; whether it starts
// depends on the others (clocksStartedBy). The synthetic data generator
// (seed) starts its clocks with it too.
func RulesStartedBy(kind cynllun.EventKind, orgKind cynllun.OrgKind, st cynllun.LearnerStatus) []clock.Rule {
	return rulesStartedBy(kind, "", orgKind, st)
}

func rulesStartedBy(kind cynllun.EventKind, decision cynllun.DisputedKind, orgKind cynllun.OrgKind, st cynllun.LearnerStatus) []clock.Rule {
	var out []clock.Rule
	if kind == cynllun.EventDecisionNoticeGiven {
		// The route decides: T17 only where an appeal lies, T11 for a
		// school's decision to cease, nothing for other school decisions.
		route, ok := routes.For(decision, orgKind)
		if !ok {
			return nil
		}
		for _, id := range route.Windows() {
			if r, ok := clock.RuleByID(id); ok {
				out = append(out, r)
			}
		}
		return out
	}
	for _, r := range clock.Rules() {
		if r.StartEvent != string(kind) && !slices.Contains(r.RestartEvents, string(kind)) && !slices.Contains(r.StartsWhenAll, string(kind)) {
			continue
		}
		if applies, ok := ruleApplies[r.ID]; ok && !applies(orgKind, st) {
			continue
		}
		out = append(out, r)
	}
	return out
}

// ruleApplies narrows rules that share a start event to the body and the
// learner they are about.
var ruleApplies = map[string]func(cynllun.OrgKind, cynllun.LearnerStatus) bool{
	"T1": func(o cynllun.OrgKind, st cynllun.LearnerStatus) bool {
		return o == cynllun.OrgSchool && st == cynllun.StatusChild
	},
	"T2": func(o cynllun.OrgKind, st cynllun.LearnerStatus) bool {
		return o == cynllun.OrgSchool && st == cynllun.StatusYoungPerson
	},
	"T3": func(o cynllun.OrgKind, _ cynllun.LearnerStatus) bool { return o == cynllun.OrgFEI },
	"T4": func(o cynllun.OrgKind, _ cynllun.LearnerStatus) bool { return o == cynllun.OrgLocalAuthority },
	// T13: the new school maintains the IDP from the day of registration,
	// with no gap (due that day, met when it adopts the IDP); a
	// registration is at a school.
	"T13": func(o cynllun.OrgKind, _ cynllun.LearnerStatus) bool { return o == cynllun.OrgSchool },
	// T19: the transitional IDP notice of a local authority (12 weeks) or a
	// school (35 school days).
	"T19": func(o cynllun.OrgKind, _ cynllun.LearnerStatus) bool {
		return o == cynllun.OrgLocalAuthority || o == cynllun.OrgSchool
	},
	// T20 is informational: no clock to run.
	"T20": never,
}

func never(cynllun.OrgKind, cynllun.LearnerStatus) bool { return false }

// CloseDeadlineInput marks an open deadline as not applicable (an
// exception applies, the duty fell away), with the reason.
type CloseDeadlineInput struct {
	ID     string
	Reason string
	On     cynllun.Date
}

// MarkNotApplicable closes an open deadline as not applicable. Staff and
// officers; the reason is kept with the deadline.
func (s *Service) MarkNotApplicable(ctx context.Context, in CloseDeadlineInput) (*cynllun.Deadline, error) {
	const op = "service.MarkNotApplicable"
	p, err := principal(ctx, op)
	if err != nil {
		return nil, err
	}
	d, l, err := s.deadlineFor(ctx, p, op, in.ID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	if !policy.WriteLearner(p, l, now).OK {
		return nil, cynllun.E(cynllun.CodeForbidden, op, "you may read but not change this learner's record")
	}
	if in.On.IsZero() {
		in.On = cynllun.Today(now)
	}
	c := &checker{}
	c.required("input.reason", in.Reason, form.MaxMedium, true)
	c.eventDate("input.on", in.On, cynllun.Today(now))
	if d.Closure != nil {
		c.add("input.id", "is closed already")
	}
	if len(c.errs) > 0 {
		return nil, cynllun.Invalid(op, c.errs...)
	}
	if _, err := s.store.CloseDeadline(ctx, d.ID, cynllun.Closure{Status: cynllun.DeadlineNotApplicable, On: in.On, Reason: in.Reason, By: p.UserID, At: now.UTC()}); err != nil {
		return nil, cynllun.AsError(op, err)
	}
	d, _, err = s.deadlineFor(ctx, p, op, d.ID)
	return d, err
}

func (s *Service) deadlineFor(ctx context.Context, p *cynllun.Principal, op, id string) (*cynllun.Deadline, *cynllun.Learner, error) {
	ds, err := s.store.DeadlinesByID(ctx, []string{id})
	if err != nil {
		return nil, nil, cynllun.AsError(op, err)
	}
	if len(ds) == 0 {
		return nil, nil, cynllun.NotFound(op, "deadline")
	}
	l, err := s.learnerFor(ctx, p, op, ds[0].LearnerID)
	if err != nil {
		return nil, nil, cynllun.NotFound(op, "deadline")
	}
	return ds[0], l, nil
}

// Deadline returns a deadline for someone who may read its learner.
func (s *Service) Deadline(ctx context.Context, id string) (*cynllun.Deadline, error) {
	const op = "service.Deadline"
	p, err := principal(ctx, op)
	if err != nil {
		return nil, err
	}
	d, _, err := s.deadlineFor(ctx, p, op, id)
	return d, err
}

// DeadlineFilter narrows a deadline list.
type DeadlineFilter struct {
	LearnerID string
	OrgID     string
	RuleIDs   []string
	Statuses  []cynllun.DeadlineStatus
	DueFrom   cynllun.Date
	DueTo     cynllun.Date
	// Latest lists the latest due first (undated first), rather than the
	// soonest.
	Latest bool
}

// deadlineQuery checks a filter and makes the store's query of it for p,
// cursors and limit aside.
func (s *Service) deadlineQuery(op string, p *cynllun.Principal, f DeadlineFilter) (cynllun.DeadlineQuery, error) {
	c := &checker{}
	for i, r := range f.RuleIDs {
		if _, ok := clock.RuleByID(r); !ok {
			c.add(fmt.Sprintf("filter.ruleIds.%d", i), "is not a statutory rule")
		}
	}
	if !f.DueFrom.IsZero() && !f.DueTo.IsZero() && f.DueTo.Before(f.DueFrom) {
		c.add("filter.dueTo", "must not be before dueFrom")
	}
	if len(c.errs) > 0 {
		return cynllun.DeadlineQuery{}, cynllun.Invalid(op, c.errs...)
	}
	return cynllun.DeadlineQuery{
		Scope: policy.Scope(p, s.now()), LearnerID: f.LearnerID, OrgID: f.OrgID, RuleIDs: f.RuleIDs, Statuses: f.Statuses,
		Today: cynllun.Today(s.now()), DueFrom: f.DueFrom, DueTo: f.DueTo,
	}, nil
}

// Deadlines lists a page of the deadlines the principal may see (the
// learners in their scope), by due date (undated last), then id; with
// f.Latest in the reverse order.
func (s *Service) Deadlines(ctx context.Context, f DeadlineFilter, pg Page) (Paged[*cynllun.Deadline], error) {
	const op = "service.Deadlines"
	p, err := principal(ctx, op)
	if err != nil {
		return Paged[*cynllun.Deadline]{}, err
	}
	if err := pg.check(op); err != nil {
		return Paged[*cynllun.Deadline]{}, err
	}
	q, err := s.deadlineQuery(op, p, f)
	if err != nil {
		return Paged[*cynllun.Deadline]{}, err
	}
	if f.Latest {
		// The reverse order is the same list walked from the other end.
		out, err := s.deadlinePage(ctx, op, p, q, pg.reversed())
		return out.reversed(), err
	}
	return s.deadlinePage(ctx, op, p, q, pg)
}

// deadlinePage reads a page of q in (due, id) order. The store filters by
// scope; the policy has the last word (a learner who moved out of a setting
// keeps old deadlines there), so when it leaves some out the store is asked
// again from where the last answer ended, until the page is full.
func (s *Service) deadlinePage(ctx context.Context, op string, p *cynllun.Principal, q cynllun.DeadlineQuery, pg Page) (Paged[*cynllun.Deadline], error) {
	n := pg.size()
	if pg.After != nil {
		q.AfterDue, q.AfterID = pg.After.Key, pg.After.ID
	}
	if pg.Before != nil {
		q.BeforeDue, q.BeforeID = pg.Before.Key, pg.Before.ID
	}
	q.Last = pg.Backward
	var got []*cynllun.Deadline // in list order
	for {
		q.Limit = n + 1 - len(got)
		ds, err := s.store.ListDeadlines(ctx, q)
		if err != nil {
			return Paged[*cynllun.Deadline]{}, cynllun.AsError(op, err)
		}
		ids := make([]string, len(ds))
		for i, d := range ds {
			ids[i] = d.LearnerID
		}
		readable, err := s.readableLearners(ctx, p, ids)
		if err != nil {
			return Paged[*cynllun.Deadline]{}, cynllun.AsError(op, err)
		}
		var kept []*cynllun.Deadline
		for _, d := range ds {
			if readable[d.LearnerID] != nil {
				kept = append(kept, d)
			}
		}
		if pg.Backward {
			got = append(kept, got...)
		} else {
			got = append(got, kept...)
		}
		if len(ds) < q.Limit || len(got) > n {
			break
		}
		// Some were left out: on from where this answer ended.
		if pg.Backward {
			q.BeforeDue, q.BeforeID = cynllun.DeadlineDueKey(ds[0]), ds[0].ID
		} else {
			q.AfterDue, q.AfterID = cynllun.DeadlineDueKey(ds[len(ds)-1]), ds[len(ds)-1].ID
		}
	}
	return paged(pg, got), nil
}

// CountDeadlines counts the deadlines Deadlines lists for f, at most
// MaxCount: from the deadlines' index, each learner's checked against the
// policy as the pages are.
func (s *Service) CountDeadlines(ctx context.Context, f DeadlineFilter) (int, error) {
	const op = "service.CountDeadlines"
	p, err := principal(ctx, op)
	if err != nil {
		return 0, err
	}
	q, err := s.deadlineQuery(op, p, f)
	if err != nil {
		return 0, err
	}
	q.Limit = MaxCount
	byLearner, err := s.store.CountDeadlines(ctx, q)
	if err != nil {
		return 0, cynllun.AsError(op, err)
	}
	return s.countReadable(ctx, op, p, byLearner)
}

// countReadable sums the counts of the learners p may read (a list's
// totalCount from counts per learner): one batch read of the learners.
func (s *Service) countReadable(ctx context.Context, op string, p *cynllun.Principal, byLearner map[string]int) (int, error) {
	ids := make([]string, 0, len(byLearner))
	for id := range byLearner {
		ids = append(ids, id)
	}
	readable, err := s.readableLearners(ctx, p, ids)
	if err != nil {
		return 0, cynllun.AsError(op, err)
	}
	total := 0
	for id, k := range byLearner {
		if readable[id] != nil {
			total += k
		}
	}
	return total, nil
}

// Calculation asks how a rule's due date is reckoned.
type Calculation struct {
	RuleID string
	Start  cynllun.Date
	// OrgID names the body whose calendar counts (required for school-day
	// and term-time rules).
	OrgID string
	// Counting, when set, replaces some of the deployment's counting
	// conventions for this calculation (to compare the readings of an
	// unconfirmed rule); a convention it leaves nil stays the deployment's.
	Counting *Counting
	// Extended adds the rule's extension (T17 after a referral to
	// disagreement resolution).
	Extended bool
}

// Counting is a calculation's own answer to the counting questions
// domain.md §2.6 leaves open. Each nil field keeps the deployment's
// setting (clock.Settings).
type Counting struct {
	// TriggerDayCounts: the event's day is day 1 of a day count when it is
	// a countable day (rules with countingConvention).
	TriggerDayCounts *bool
	// WeeksEndDayBefore: N weeks beginning with day D end on D + 7N − 1
	// (rules with countingConvention); false: on D + 7N.
	WeeksEndDayBefore *bool
	InsetDaysCount    *bool
	ClosuresCount     *bool
}

// apply returns s with the conventions c sets.
func (c *Counting) apply(s clock.Settings) clock.Settings {
	if c == nil {
		return s
	}
	if c.TriggerDayCounts != nil {
		s.TriggerDayNotCounted = !*c.TriggerDayCounts
	}
	if c.WeeksEndDayBefore != nil {
		s.WeeksEndSameWeekday = !*c.WeeksEndDayBefore
	}
	if c.InsetDaysCount != nil {
		s.InsetDaysCount = *c.InsetDaysCount
	}
	if c.ClosuresCount != nil {
		s.ClosuresCount = *c.ClosuresCount
	}
	return s
}

// Calculate computes a due date with its working: every day counted and
// every day skipped, and the conventions applied. Anyone signed in may ask
// (rules and term dates are public).
func (s *Service) Calculate(ctx context.Context, in Calculation) (*clock.Result, error) {
	const op = "service.Calculate"
	if _, err := principal(ctx, op); err != nil {
		return nil, err
	}
	rule, ok := clock.RuleByID(in.RuleID)
	if !ok {
		return nil, cynllun.Invalid(op, cynllun.FieldError{Field: "rule", Message: "is not a statutory rule"})
	}
	if in.Extended && rule.Extension == nil {
		return nil, cynllun.Invalid(op, cynllun.FieldError{Field: "extended", Message: rule.ID + " has no extension to add"})
	}
	var cal *calendar.Calendar
	if in.OrgID != "" {
		orgs, err := s.store.OrganisationsByID(ctx, []string{in.OrgID})
		if err != nil {
			return nil, cynllun.AsError(op, err)
		}
		if len(orgs) == 0 {
			return nil, cynllun.NotFound(op, "organisation")
		}
		// The rule as it applies to the body (T19: a school's limit).
		rule = rule.ForBody(orgs[0].Kind)
		if cal, err = s.countingCalendar(ctx, op, in.OrgID, in.Start); err != nil {
			return nil, err
		}
		if cal == nil {
			return nil, cynllun.NotFound(op, "organisation")
		}
	}
	settings := in.Counting.apply(s.clock)
	if in.Extended {
		rule = rule.Extended()
	}
	r, err := clock.Compute(rule, in.Start, cal, settings)
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// Rules lists the statutory rules as this deployment applies them (with
// its overrides of unconfirmed limits), for anyone signed in.
func (s *Service) Rules(ctx context.Context) ([]clock.Rule, error) {
	if _, err := principal(ctx, "service.Rules"); err != nil {
		return nil, err
	}
	rules := clock.Rules()
	for i, r := range rules {
		if o, ok := s.clock.Overrides[r.ID]; ok {
			rules[i].Amount, rules[i].Unit = o.Amount, o.Unit
		}
	}
	return rules, nil
}

// Rule is one statutory rule as this deployment applies it, for anyone
// signed in.
func (s *Service) Rule(ctx context.Context, id string) (*clock.Rule, error) {
	rules, err := s.Rules(ctx)
	if err != nil {
		return nil, err
	}
	for i := range rules {
		if rules[i].ID == id {
			return &rules[i], nil
		}
	}
	return nil, cynllun.NotFound("service.Rule", "rule")
}

// Routes lists what may be done next about decisions (package routes),
// for anyone signed in: every route, or those of one kind of decision or
// of one kind of body ("" for any).
func (s *Service) Routes(ctx context.Context, decision cynllun.DisputedKind, maker cynllun.OrgKind) ([]routes.Route, error) {
	if _, err := principal(ctx, "service.Routes"); err != nil {
		return nil, err
	}
	var out []routes.Route
	for _, r := range routes.All() {
		if (decision == "" || r.Decision == decision) && (maker == "" || r.Maker == maker) {
			out = append(out, r)
		}
	}
	return out, nil
}

// Today is the service clock's date in London.
func (s *Service) Today() cynllun.Date { return cynllun.Today(s.now()) }

// Events lists a learner's statutory events for someone who may read the
// learner.
func (s *Service) Events(ctx context.Context, learnerID string) ([]cynllun.StatutoryEvent, error) {
	const op = "service.Events"
	p, err := principal(ctx, op)
	if err != nil {
		return nil, err
	}
	if _, err := s.learnerFor(ctx, p, op, learnerID); err != nil {
		return nil, err
	}
	evs, err := s.store.EventsForLearner(ctx, learnerID)
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	return evs, nil
}

// DeadlineWorking recomputes a deadline's due date with its working, on
// the responsible body's calendar as it is now (nil for rules with no
// computable date).
func (s *Service) DeadlineWorking(ctx context.Context, d *cynllun.Deadline) (*clock.Result, error) {
	r, err := s.Calculate(ctx, Calculation{RuleID: d.RuleID, Start: d.Start, OrgID: d.OrgID, Extended: d.Extension != nil})
	if cynllun.ErrorCode(err) == cynllun.CodeInvalid {
		return nil, nil
	}
	return r, err
}
