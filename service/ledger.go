package service

import (
	"context"
	"fmt"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/calendar"
	"github.com/cynllun/cynllun/form"
	"github.com/cynllun/cynllun/ledger"
	"github.com/cynllun/cynllun/policy"
)

// SessionInput is one ledger entry to record.
type SessionInput struct {
	RowID       string
	Date        cynllun.Date
	Minutes     int
	Status      cynllun.SessionStatus
	DeliveredBy string
	Reason      cynllun.MissedReason
	Notes       string
	// Occurrence tells apart sessions of one row on one day with the same
	// status (1, the default, for the first; 2 for a second session that
	// day). The row, date, status and occurrence are the session's natural
	// key: recording it again returns the entry recorded.
	Occurrence int
}

// maxOccurrence bounds Occurrence (sessions of one row in one day).
const maxOccurrence = 24

// MaxSessionsPerCall bounds a bulk recording.
const MaxSessionsPerCall = 1000

// maxLedgerDays bounds a ledger window (about six years).
const maxLedgerDays = 6 * 366

// RecordSessions records ledger entries for rows of the plan in force (its
// newest FINAL version: a draft saved since does not displace it; the
// newest draft while none is final): every entry or, on any error, none.
// Staff and officers.
func (s *Service) RecordSessions(ctx context.Context, planID string, in []SessionInput) ([]cynllun.Session, error) {
	const op = "service.RecordSessions"
	p, plan, _, err := s.planForWrite(ctx, op, planID, "you may read but not record provision for this plan")
	if err != nil {
		return nil, err
	}
	now := s.now()
	c := &checker{}
	if len(in) == 0 {
		c.add("sessions", "must list at least one session")
	}
	if !c.count("sessions", len(in), MaxSessionsPerCall) {
		return nil, cynllun.Invalid(op, c.errs...)
	}
	rows, err := s.inForceRows(ctx, op, plan.ID)
	if err != nil {
		return nil, err
	}
	today := cynllun.Today(now)
	out := make([]cynllun.Session, 0, len(in))
	for i, x := range in {
		f := fmt.Sprintf("sessions.%d.", i)
		row, ok := rows[x.RowID]
		if !ok {
			c.add(f+"rowId", "is not a 2B row of the plan in force")
		}
		if x.Date.IsZero() {
			c.add(f+"date", "is required")
		}
		c.past(f+"date", x.Date, today)
		if ok && !row.StartDate.IsZero() && x.Date.Before(row.StartDate) {
			c.add(f+"date", "is before the row's provision starts")
		}
		oneOf(c, f+"status", x.Status, []cynllun.SessionStatus{cynllun.SessionDelivered, cynllun.SessionMissed}, false)
		if x.Minutes == 0 && ok && row.Quantity != nil {
			x.Minutes = row.Quantity.MinutesPerSession
		}
		if x.Minutes < 1 || x.Minutes > 24*60 {
			c.add(f+"minutes", "must be between 1 and 1440 (or omitted when the row has a structured quantity)")
		}
		c.text(f+"deliveredBy", x.DeliveredBy, form.MaxShort, false)
		c.text(f+"notes", x.Notes, form.MaxLong, true)
		switch x.Status {
		case cynllun.SessionMissed:
			if x.Reason == "" {
				c.add(f+"reason", "is required for a missed session")
			}
			oneOf(c, f+"reason", x.Reason, missedReasons, true)
		case cynllun.SessionDelivered:
			if x.Reason != "" {
				c.add(f+"reason", "must be empty for a delivered session")
			}
		}
		if x.Occurrence == 0 {
			x.Occurrence = 1
		}
		if x.Occurrence < 1 || x.Occurrence > maxOccurrence {
			c.add(f+"occurrence", fmt.Sprintf("must be between 1 and %d", maxOccurrence))
		}
		out = append(out, cynllun.Session{
			ID: cynllun.SessionID(plan.ID, x.RowID, x.Date, x.Status, x.Occurrence), PlanID: plan.ID, LearnerID: plan.LearnerID, RowID: x.RowID,
			Date: x.Date, Minutes: x.Minutes, Status: x.Status, DeliveredBy: x.DeliveredBy, Reason: x.Reason,
			Notes: x.Notes, RecordedAt: now.UTC(), RecordedBy: p.UserID,
		})
	}
	if len(c.errs) > 0 {
		return nil, cynllun.Invalid(op, c.errs...)
	}
	return s.insertSessions(ctx, op, out)
}

// insertSessions inserts the sessions not recorded yet and returns every
// one as stored. A session recorded already (a retry, or two people
// recording the same session) is returned as it is; one recorded
// differently, or voided, is CONFLICT, and nothing is inserted. The batch
// is tried again when a concurrent recording inserted part of it first.
func (s *Service) insertSessions(ctx context.Context, op string, out []cynllun.Session) ([]cynllun.Session, error) {
	index := make(map[string]int, len(out))
	ids := make([]string, 0, len(out))
	for i, x := range out {
		if j, dup := index[x.ID]; dup {
			return nil, cynllun.Invalid(op, cynllun.FieldError{Field: fmt.Sprintf("sessions.%d", i),
				Message: fmt.Sprintf("repeats sessions.%d (the same row, date, status and occurrence): give another occurrence for another session that day", j)})
		}
		index[x.ID] = i
		ids = append(ids, x.ID)
	}
	for attempt := 0; ; attempt++ {
		stored, err := s.store.SessionsByID(ctx, ids)
		if err != nil {
			return nil, cynllun.AsError(op, err)
		}
		var errs []cynllun.FieldError
		have := make(map[string]cynllun.Session, len(stored))
		for _, st := range stored {
			i, ok := index[st.ID]
			if !ok || st.PlanID != out[i].PlanID {
				continue
			}
			f := fmt.Sprintf("sessions.%d", i)
			switch {
			case !st.VoidedAt.IsZero():
				errs = append(errs, cynllun.FieldError{Field: f, Message: "this session (row, date, status and occurrence) was recorded and voided: record the correction with another occurrence"})
			case !sameSession(&st, &out[i]):
				errs = append(errs, cynllun.FieldError{Field: f, Message: "this session (row, date, status and occurrence) is recorded already with other details: void it and record the correction with another occurrence, or give another occurrence for another session that day"})
			}
			have[st.ID] = st
		}
		if len(errs) > 0 {
			e := cynllun.E(cynllun.CodeConflict, op, "some sessions are recorded already with other details (row, date, status and occurrence): see the fields")
			e.Fields = errs
			return nil, e
		}
		var missing []cynllun.Session
		for _, x := range out {
			if _, ok := have[x.ID]; !ok {
				missing = append(missing, x)
			}
		}
		err = s.store.InsertSessions(ctx, missing)
		if err == nil {
			res := make([]cynllun.Session, len(out))
			for i, x := range out {
				if st, ok := have[x.ID]; ok {
					res[i] = st
				} else {
					res[i] = x
				}
			}
			return res, nil
		}
		if cynllun.ErrorCode(err) != cynllun.CodeConflict || attempt == 2 {
			return nil, cynllun.AsError(op, err)
		}
	}
}

// sameSession says whether a stored session records what x records.
func sameSession(st, x *cynllun.Session) bool {
	return st.RowID == x.RowID && st.Date == x.Date && st.Status == x.Status && st.Minutes == x.Minutes &&
		st.DeliveredBy == x.DeliveredBy && st.Reason == x.Reason && st.Notes == x.Notes
}

// VoidSession withdraws a mistaken entry, keeping it in the ledger.
func (s *Service) VoidSession(ctx context.Context, id, reason string) (*cynllun.Session, error) {
	const op = "service.VoidSession"
	p, err := principal(ctx, op)
	if err != nil {
		return nil, err
	}
	_, _, l, err := s.sessionFor(ctx, p, op, id)
	if err != nil {
		return nil, err
	}
	now := s.now()
	if !policy.WriteLearner(p, l, now).OK {
		return nil, cynllun.E(cynllun.CodeForbidden, op, "you may read but not change this ledger")
	}
	c := &checker{}
	c.required("reason", reason, form.MaxMedium, true)
	if len(c.errs) > 0 {
		return nil, cynllun.Invalid(op, c.errs...)
	}
	if err := s.store.VoidSession(ctx, id, now, p.UserID, reason); err != nil {
		return nil, cynllun.AsError(op, err)
	}
	ss, _, _, err := s.sessionFor(ctx, p, op, id)
	return ss, err
}

// Session returns one ledger entry for someone who may read its plan
// (audited as a ledger read), or NOT_FOUND.
func (s *Service) Session(ctx context.Context, id string) (*cynllun.Session, error) {
	const op = "service.Session"
	p, err := principal(ctx, op)
	if err != nil {
		return nil, err
	}
	ss, plan, l, err := s.sessionFor(ctx, p, op, id)
	if err != nil {
		return nil, err
	}
	if err := s.auditLedger(ctx, op, p, plan, l, 0); err != nil {
		return nil, err
	}
	return ss, nil
}

// sessionFor loads a ledger entry whose plan p may read, with the plan and
// its learner, or NOT_FOUND.
func (s *Service) sessionFor(ctx context.Context, p *cynllun.Principal, op, id string) (*cynllun.Session, *cynllun.Plan, *cynllun.Learner, error) {
	ss, err := s.store.SessionsByID(ctx, []string{id})
	if err != nil {
		return nil, nil, nil, cynllun.AsError(op, err)
	}
	if len(ss) == 0 {
		return nil, nil, nil, cynllun.NotFound(op, "session")
	}
	plan, l, err := s.planFor(ctx, p, op, ss[0].PlanID)
	if err != nil {
		return nil, nil, nil, cynllun.NotFound(op, "session")
	}
	return &ss[0], plan, l, nil
}

// Sessions lists a plan's ledger entries (audited as a ledger read).
func (s *Service) Sessions(ctx context.Context, planID string, from, to cynllun.Date, rowID string) ([]cynllun.Session, error) {
	const op = "service.Sessions"
	p, err := principal(ctx, op)
	if err != nil {
		return nil, err
	}
	plan, l, err := s.planFor(ctx, p, op, planID)
	if err != nil {
		return nil, err
	}
	if err := s.auditLedger(ctx, op, p, plan, l, 0); err != nil {
		return nil, err
	}
	ss, err := s.store.Sessions(ctx, cynllun.SessionQuery{PlanID: planID, RowID: rowID, From: from, To: to})
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	return ss, nil
}

// PlanLedger is planned against delivered provision for a plan version's
// 2B rows over a window.
type PlanLedger struct {
	PlanID   string
	From, To cynllun.Date
	Version  int
	Rows     []RowLedger
}

// RowLedger is one row's ledger with the row it is about.
type RowLedger struct {
	ledger.RowSummary
	Row *cynllun.ProvisionRow
}

// LedgerQuery selects a ledger: zero dates default to the start of the
// current review period (or the plan's first version) and today; version 0
// is the plan in force (its newest FINAL version; the newest draft while
// none is final).
type LedgerQuery struct {
	PlanID   string
	From, To cynllun.Date
	RowID    string
	Version  int
}

// Ledger computes a plan's ledger (audited).
func (s *Service) Ledger(ctx context.Context, q LedgerQuery) (*PlanLedger, error) {
	const op = "service.Ledger"
	p, err := principal(ctx, op)
	if err != nil {
		return nil, err
	}
	plan, l, err := s.planFor(ctx, p, op, q.PlanID)
	if err != nil {
		return nil, err
	}
	if q.Version < 0 {
		return nil, cynllun.Invalid(op, cynllun.FieldError{Field: "version", Message: "must be 1 or more"})
	}
	if q.Version == 0 {
		if q.Version, err = s.inForce(ctx, op, plan.ID); err != nil {
			return nil, err
		}
	}
	if q.From.IsZero() {
		first, events, err := s.periodFacts(ctx, op, plan.ID, "")
		if err != nil {
			return nil, err
		}
		if rp, ok := cynllun.CurrentReviewPeriod(first, events, cynllun.Today(s.now())); ok {
			q.From = rp.Start
		} else {
			q.From = cynllun.DateOf(plan.CreatedAt.In(cynllun.London))
		}
	}
	if q.To.IsZero() {
		q.To = cynllun.Today(s.now())
	}
	c := &checker{}
	if q.To.Before(q.From) {
		c.add("to", "must not be before from")
	}
	if q.To.Time().Sub(q.From.Time()).Hours()/24 > maxLedgerDays {
		c.add("to", "the window must be at most six years long")
	}
	if len(c.errs) > 0 {
		return nil, cynllun.Invalid(op, c.errs...)
	}
	vs, err := s.store.VersionsByID(ctx, []string{cynllun.VersionID(plan.ID, q.Version)})
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	if len(vs) == 0 || vs[0].Content == nil {
		return nil, cynllun.NotFound(op, "plan version")
	}
	if err := s.auditLedger(ctx, op, p, plan, l, q.Version); err != nil {
		return nil, err
	}
	rows := vs[0].Content.Provision
	if q.RowID != "" {
		rows = nil
		for _, r := range vs[0].Content.Provision {
			if r.ID == q.RowID {
				rows = append(rows, r)
			}
		}
	}
	sums, err := summarise(ctx, s.store, op, plan, rows, q.From, q.To)
	if err != nil {
		return nil, err
	}
	out := &PlanLedger{PlanID: plan.ID, From: q.From, To: q.To, Version: q.Version}
	for i := range sums {
		out.Rows = append(out.Rows, RowLedger{RowSummary: sums[i], Row: &rows[i]})
	}
	return out, nil
}

// summarise reads the sessions of a window and reckons the rows' ledgers on
// the term calendar of the plan's maintaining body.
func summarise(ctx context.Context, store cynllun.Store, op string, plan *cynllun.Plan, rows []cynllun.ProvisionRow, from, to cynllun.Date) ([]ledger.RowSummary, error) {
	ss, err := store.Sessions(ctx, cynllun.SessionQuery{PlanID: plan.ID, From: from, To: to})
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	cals, err := termCalendars(ctx, store, op, []string{plan.MaintainerID})
	if err != nil {
		return nil, err
	}
	return ledger.SummarisePlan(rows, ss, from, to, cals[plan.MaintainerID]), nil
}

// termCalendars are the calendars that count for organisations (see
// OrgCalendar), by id, read from a store that may keep calendars.
func termCalendars(ctx context.Context, store cynllun.Store, op string, orgIDs []string) (map[string]*calendar.Calendar, error) {
	cs, _ := store.(calendar.Store)
	ocs, err := effectiveCalendars(ctx, store, cs, op, orgIDs)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*calendar.Calendar, len(ocs))
	for id, oc := range ocs {
		out[id] = oc.Effective
	}
	return out, nil
}

func (s *Service) auditLedger(ctx context.Context, op string, p *cynllun.Principal, plan *cynllun.Plan, l *cynllun.Learner, version int) error {
	now := s.now()
	return s.audit(ctx, op, []cynllun.AuditEvent{{
		ID: cynllun.NewID(cynllun.PrefixAudit), At: now.UTC(), ActorID: p.UserID, LearnerID: l.ID,
		Part: "plan.ledger", PlanID: plan.ID, Version: version, Action: "read",
		Reason: string(policy.ReadLearner(p, l, now).Reason),
	}})
}

// inForceRows maps the 2B rows of the plan in force by id.
func (s *Service) inForceRows(ctx context.Context, op, planID string) (map[string]cynllun.ProvisionRow, error) {
	n, err := s.inForce(ctx, op, planID)
	if err != nil {
		return nil, err
	}
	vs, err := s.store.VersionsByID(ctx, []string{cynllun.VersionID(planID, n)})
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	out := map[string]cynllun.ProvisionRow{}
	for _, v := range vs {
		for _, r := range v.Content.Provision {
			out[r.ID] = r
		}
	}
	return out, nil
}

// TermCalendars are the calendars that count for organisations, by id (for
// the worker, which counts school days for notices).
func TermCalendars(ctx context.Context, store cynllun.Store, orgIDs []string) (map[string]*calendar.Calendar, error) {
	return termCalendars(ctx, store, "service.TermCalendars", orgIDs)
}
