package service

import (
	"context"
	"fmt"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/calendar"
	"github.com/cynllun/cynllun/form"
	"github.com/cynllun/cynllun/policy"
)

// OrgCalendar is an organisation's term calendar: its own stored revision
// (nil when it has none) and the calendar that counts for it (the
// published data, then its LA's, then its own, merged by school year).
type OrgCalendar struct {
	Org       *cynllun.Organisation
	Own       *calendar.Stored
	Effective *calendar.Calendar
}

// CalendarInput replaces an organisation's own calendar.
type CalendarInput struct {
	OrgID string
	// ExpectedRevision is the revision edited (0 for the first).
	ExpectedRevision int
	Calendar         *calendar.Calendar
	Comment          string
}

// calendarsEnabled says whether the store keeps calendars.
func (s *Service) calendarStore(op string) (calendar.Store, error) {
	if s.calendars == nil {
		return nil, cynllun.E(cynllun.CodeInternal, op, "calendars are not available")
	}
	return s.calendars, nil
}

// Calendars returns the term calendars of organisations (term dates are
// public: anyone signed in may read them), nil for unknown ids.
func (s *Service) Calendars(ctx context.Context, orgIDs []string) ([]*OrgCalendar, error) {
	const op = "service.Calendars"
	if _, err := principal(ctx, op); err != nil {
		return nil, err
	}
	byOrg, err := s.effectiveCalendars(ctx, op, orgIDs)
	if err != nil {
		return nil, err
	}
	out := make([]*OrgCalendar, len(orgIDs))
	for i, id := range orgIDs {
		out[i] = byOrg[id]
	}
	return out, nil
}

// Calendar returns one organisation's calendar, or NOT_FOUND.
func (s *Service) Calendar(ctx context.Context, orgID string) (*OrgCalendar, error) {
	cs, err := s.Calendars(ctx, []string{orgID})
	if err != nil {
		return nil, err
	}
	if cs[0] == nil {
		return nil, cynllun.NotFound("service.Calendar", "organisation")
	}
	return cs[0], nil
}

// effectiveCalendars loads organisations, their LAs and both stored
// calendars in two round trips (plus one for LAs not in the list).
func (s *Service) effectiveCalendars(ctx context.Context, op string, orgIDs []string) (map[string]*OrgCalendar, error) {
	return effectiveCalendars(ctx, s.store, s.calendars, op, orgIDs)
}

func effectiveCalendars(ctx context.Context, store cynllun.Store, cals calendar.Store, op string, orgIDs []string) (map[string]*OrgCalendar, error) {
	orgs, err := store.OrganisationsByID(ctx, dedupe(orgIDs))
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	byID := map[string]*cynllun.Organisation{}
	var all []string
	for _, o := range orgs {
		byID[o.ID] = o
		all = append(all, o.ID)
		if o.LAID != "" {
			all = append(all, o.LAID)
		}
	}
	var missing []string
	for _, id := range all {
		if byID[id] == nil {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		more, err := store.OrganisationsByID(ctx, dedupe(missing))
		if err != nil {
			return nil, cynllun.AsError(op, err)
		}
		for _, o := range more {
			byID[o.ID] = o
		}
	}
	stored := map[string]*calendar.Stored{}
	if cals != nil && len(all) > 0 {
		if stored, err = cals.CalendarsByOrg(ctx, dedupe(all)); err != nil {
			return nil, cynllun.AsError(op, err)
		}
	}
	own := func(id string) *calendar.Calendar {
		if st := stored[id]; st != nil {
			return st.Calendar
		}
		return nil
	}
	laCalendar := func(la *cynllun.Organisation) *calendar.Calendar {
		if la == nil {
			return nil
		}
		return calendar.Effective(calendar.ForLA(la.Code), own(la.ID))
	}
	out := map[string]*OrgCalendar{}
	for _, o := range orgs {
		oc := &OrgCalendar{Org: o, Own: stored[o.ID]}
		switch o.Kind {
		case cynllun.OrgLocalAuthority:
			oc.Effective = laCalendar(o)
		case cynllun.OrgSchool, cynllun.OrgFEI:
			oc.Effective = calendar.Effective(laCalendar(byID[o.LAID]), own(o.ID))
		default:
			oc.Effective = calendar.Effective(nil, own(o.ID))
		}
		if oc.Effective == nil {
			oc.Effective = &calendar.Calendar{}
		}
		if oc.Effective.ID == "" {
			oc.Effective.ID = cynllun.PrefixCalendar + o.ID
		}
		if oc.Effective.Name == "" {
			oc.Effective.Name = o.Name
		}
		out[o.ID] = oc
	}
	return out, nil
}

// SetCalendar saves a new revision of an organisation's own calendar:
// staff of a school or FEI for theirs, officers of an LA for the LA's and
// its schools', administrators for any.
func (s *Service) SetCalendar(ctx context.Context, in CalendarInput) (*OrgCalendar, error) {
	const op = "service.SetCalendar"
	p, err := principal(ctx, op)
	if err != nil {
		return nil, err
	}
	cals, err := s.calendarStore(op)
	if err != nil {
		return nil, err
	}
	cur, err := s.Calendar(ctx, in.OrgID)
	if err != nil {
		return nil, err
	}
	if !policy.EditCalendar(p, cur.Org, s.now()) {
		return nil, cynllun.E(cynllun.CodeForbidden, op, "you may not change this organisation's calendar")
	}
	current := 0
	if cur.Own != nil {
		current = cur.Own.Revision
	}
	if in.ExpectedRevision != current {
		return nil, &cynllun.Error{Code: cynllun.CodeConflict, Op: op, Current: current,
			Message: fmt.Sprintf("the calendar was changed by someone else: revision %d is current; reload it and apply your changes again", current)}
	}
	c := in.Calendar
	if c == nil {
		c = &calendar.Calendar{}
	}
	c.ID = cynllun.PrefixCalendar + in.OrgID
	if c.Name == "" {
		c.Name = cur.Org.Name
	}
	errs := prefixed("input.calendar.", calendar.Validate(c))
	if fe := form.CheckText("input.comment", in.Comment, maxComment, true); fe != nil {
		errs = append(errs, *fe)
	}
	if len(errs) > 0 {
		return nil, cynllun.Invalid(op, errs...)
	}
	c.Sort()
	st := &calendar.Stored{OrgID: in.OrgID, Revision: current + 1, Calendar: c, Comment: in.Comment, CreatedAt: s.now().UTC(), CreatedBy: p.UserID}
	if err := cals.InsertCalendar(ctx, st); err != nil {
		return nil, cynllun.AsError(op, err)
	}
	s.log.InfoContext(ctx, "calendar saved", "org", in.OrgID, "revision", st.Revision, "actor", p.UserID)
	return s.Calendar(ctx, in.OrgID)
}

// ImportCalendar reads an iCalendar file and saves it as the
// organisation's own calendar (replacing it, or merged into it by school
// year when merge is true).
func (s *Service) ImportCalendar(ctx context.Context, orgID string, expectedRevision int, ics []byte, merge bool, comment string) (*OrgCalendar, error) {
	const op = "service.ImportCalendar"
	c, err := calendar.ParseICS(ics)
	if err != nil {
		return nil, err
	}
	if merge {
		cur, err := s.Calendar(ctx, orgID)
		if err != nil {
			return nil, err
		}
		if cur.Own != nil {
			c = calendar.Effective(cur.Own.Calendar, c)
		}
	}
	return s.SetCalendar(ctx, CalendarInput{OrgID: orgID, ExpectedRevision: expectedRevision, Calendar: c, Comment: comment})
}
