package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/hibiken/asynq"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/calendar"
	"github.com/cynllun/cynllun/clock"
	"github.com/cynllun/cynllun/internal/metrics"
	"github.com/cynllun/cynllun/notify"
	"github.com/cynllun/cynllun/service"
)

// TypeScanNotices is the periodic task that raises the notices whose time
// has come. TypeSendNotice delivers one notice; its payload is the notice id,
// which is also its task id.
const (
	TypeScanNotices = "notices:scan"
	TypeSendNotice  = "notice:send"
)

// DefaultOffsets are when notices are raised: 10 and 3 days before the due
// date, on the day, and the day after (overdue). Days are school days for
// rules counted in school or term-time days, calendar days otherwise.
var DefaultOffsets = []int{-10, -3, 0, 1}

const (
	sendMaxRetry = 8
	sendTimeout  = time.Minute
	scanBatch    = 500
	// leadDays bounds how far ahead of a due date the scanner looks, in
	// calendar days (10 school days span at most a holiday and a bit).
	leadDays = 60
)

// noticeTask is a notice's send task.
func noticeTask(n *cynllun.Notice) (*asynq.Task, []asynq.Option, error) {
	b, err := json.Marshal(noticePayload{NoticeID: n.ID})
	if err != nil {
		return nil, nil, cynllun.Internal("worker.noticeTask", err)
	}
	return asynq.NewTask(TypeSendNotice, b), []asynq.Option{
		asynq.TaskID(n.ID), asynq.Queue(QueueDefault), asynq.MaxRetry(sendMaxRetry), asynq.Timeout(sendTimeout),
	}, nil
}

// noticePayload carries the notice id only: no child's data goes to Redis.
type noticePayload struct {
	NoticeID string `json:"noticeId"`
}

// EnqueueNotice queues a notice's send task; one queued already is left.
func (c *Client) EnqueueNotice(ctx context.Context, n *cynllun.Notice) error {
	t, opts, err := noticeTask(n)
	if err != nil {
		return err
	}
	return c.enqueue(ctx, t, opts)
}

// Scanner raises notices. Two scanners at once raise each notice once: a
// notice's id is derived from its deadline, offset and recipient and the
// insert of an existing id is refused; its send task's id is the notice
// id, so Redis refuses a second one too.
type Scanner struct {
	Store   cynllun.Store
	Queue   *Client
	Offsets []int
	// Email is false when no mail server is configured: email notices are
	// then not raised.
	Email bool
	Now   func() time.Time
	Log   *slog.Logger
	// Grace leaves alone pending notices changed this recently (their
	// enqueue may be under way) when re-queuing lost ones. Default 30 s.
	Grace time.Duration
}

// ProcessTask implements asynq.Handler.
func (s *Scanner) ProcessTask(ctx context.Context, _ *asynq.Task) error {
	raised, requeued, err := s.Scan(ctx)
	if err == nil && (raised > 0 || requeued > 0) {
		s.log().InfoContext(ctx, "notices scanned", "raised", raised, "requeued", requeued)
	}
	return err
}

func (s *Scanner) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.New(slog.DiscardHandler)
}

func (s *Scanner) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Scan makes one pass: it raises the notices now due for open deadlines,
// queues them, and queues again the pending notices Redis lost. It returns
// how many notices it raised and how many it queued again.
func (s *Scanner) Scan(ctx context.Context) (raised, requeued int, err error) {
	const op = "worker.Scan"
	offsets := s.Offsets
	if len(offsets) == 0 {
		offsets = DefaultOffsets
	}
	now := s.now()
	today := cynllun.Today(now)
	after := ""
	for {
		ds, err := s.Store.DueDeadlines(ctx, today.AddDays(leadDays), after, scanBatch)
		if err != nil {
			return raised, requeued, cynllun.AsError(op, err)
		}
		if len(ds) == 0 {
			break
		}
		after = ds[len(ds)-1].ID
		ns, err := s.noticesFor(ctx, ds, offsets, today, now)
		if err != nil {
			return raised, requeued, err
		}
		ids, err := s.Store.InsertNotices(ctx, ns)
		if err != nil {
			return raised, requeued, cynllun.AsError(op, err)
		}
		for _, n := range ns {
			if slices.Contains(ids, n.ID) {
				if err := s.Queue.EnqueueNotice(ctx, n); err != nil {
					// Left PENDING: the next pass queues it again.
					s.log().WarnContext(ctx, "could not queue a notice", "notice", n.ID, "code", string(cynllun.ErrorCode(err)))
				}
			}
		}
		raised += len(ids)
		if err := s.rollOver(ctx, ds, today, now); err != nil {
			return raised, requeued, err
		}
		if len(ds) < scanBatch {
			break
		}
	}
	grace := s.Grace
	if grace <= 0 {
		grace = 30 * time.Second
	}
	pending, err := s.Store.PendingNotices(ctx, now.Add(-grace), scanBatch)
	if err != nil {
		return raised, requeued, cynllun.AsError(op, err)
	}
	for _, n := range pending {
		if err := s.Queue.EnqueueNotice(ctx, n); err == nil {
			requeued++
		}
	}
	return raised, requeued, nil
}

// noticesFor builds the notices now due for a page of deadlines: for each,
// the latest offset whose day has come (a scanner that was down does not
// send the reminders it missed, only the one that still makes sense), to
// every responsible person and subscribed endpoint of its organisation.
func (s *Scanner) noticesFor(ctx context.Context, ds []*cynllun.Deadline, offsets []int, today cynllun.Date, now time.Time) ([]*cynllun.Notice, error) {
	const op = "worker.noticesFor"
	orgIDs := make([]string, 0, len(ds))
	for _, d := range ds {
		orgIDs = append(orgIDs, d.OrgID)
	}
	cals, err := service.TermCalendars(ctx, s.Store, orgIDs)
	if err != nil {
		return nil, err
	}
	rels, err := s.Store.RelationshipsForOrgs(ctx, orgIDs)
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	people := map[string][]string{} // org → user ids
	var userIDs []string
	for _, r := range rels {
		if r.ActiveAt(now) {
			people[r.OrgID] = append(people[r.OrgID], r.UserID)
			userIDs = append(userIDs, r.UserID)
		}
	}
	withEmail := map[string]bool{}
	if s.Email && len(userIDs) > 0 {
		us, err := s.Store.UsersByID(ctx, userIDs)
		if err != nil {
			return nil, cynllun.AsError(op, err)
		}
		for _, u := range us {
			withEmail[u.ID] = u.Email != ""
		}
	}
	eps, err := s.Store.EndpointsForOrgs(ctx, orgIDs)
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	hooks := map[string][]string{}
	for _, e := range eps {
		if e.Active() {
			hooks[e.OrgID] = append(hooks[e.OrgID], e.ID)
		}
	}
	var out []*cynllun.Notice
	for _, d := range ds {
		rule, ok := clock.RuleByID(d.RuleID)
		if !ok || d.Due.IsZero() {
			continue
		}
		schoolDays := rule.Unit == clock.UnitSchoolDays || rule.Unit == clock.UnitTermTimeDays
		offset, ok := latestOffset(d.Due, offsets, today, cals[d.OrgID], schoolDays)
		if !ok {
			continue
		}
		unit := notify.UnitDays
		if schoolDays {
			unit = notify.UnitSchoolDays
		}
		add := func(ch cynllun.Channel, recipient string) {
			out = append(out, &cynllun.Notice{
				ID: cynllun.NoticeID(d.ID, offset, ch, recipient), DeadlineID: d.ID, LearnerID: d.LearnerID, OrgID: d.OrgID, RuleID: d.RuleID,
				Due: d.Due, Offset: offset, OffsetUnit: unit, Kind: kindOf(offset), Channel: ch, Recipient: recipient,
				Status: cynllun.NoticePending, CreatedAt: now.UTC(), UpdatedAt: now.UTC(),
			})
		}
		for _, u := range dedupeStrings(people[d.OrgID]) {
			if withEmail[u] {
				add(cynllun.ChannelEmail, u)
			}
		}
		for _, h := range hooks[d.OrgID] {
			add(cynllun.ChannelWebhook, h)
		}
	}
	return out, nil
}

// rollOver starts the next 12-month review period of every plan whose
// period ended with no revised plan or notice of no revision: the next
// period starts the day after (Act s.23(5)). The old period's deadline
// stays, missed; a later review meets both. The new deadline's id is
// derived from the old one's, so any number of scanners start it once.
func (s *Scanner) rollOver(ctx context.Context, ds []*cynllun.Deadline, today cynllun.Date, now time.Time) error {
	const op = "worker.rollOver"
	rule, ok := clock.RuleByID("T8")
	if !ok {
		return nil
	}
	var next []*cynllun.Deadline
	for _, d := range ds {
		if d.RuleID != rule.ID || d.Due.IsZero() || !d.Due.Before(today) {
			continue
		}
		start := d.Due.AddDays(1)
		r, err := clock.Compute(rule, start, nil, clock.DefaultSettings())
		if err != nil {
			continue
		}
		nd := *d
		nd.ID, nd.StartEventID, nd.Start, nd.Due, nd.Problem, nd.CreatedAt, nd.Closure = cynllun.DeadlineID(rule.ID, "rollover/"+d.ID), "", start, r.Due, "", now.UTC(), nil
		next = append(next, &nd)
	}
	if err := s.Store.InsertDeadlines(ctx, next); err != nil {
		return cynllun.AsError(op, err)
	}
	return nil
}

// latestOffset is the offset whose day is the latest on or before today.
func latestOffset(due cynllun.Date, offsets []int, today cynllun.Date, cal *calendar.Calendar, schoolDays bool) (int, bool) {
	best, found := 0, false
	var bestDay cynllun.Date
	for _, o := range offsets {
		day := shift(due, o, cal, schoolDays)
		if day.After(today) {
			continue
		}
		if !found || day.After(bestDay) || (day == bestDay && o > best) {
			best, bestDay, found = o, day, true
		}
	}
	return best, found
}

// shift moves n days from d: school days on cal when schoolDays (and cal
// covers the way), calendar days otherwise.
func shift(d cynllun.Date, n int, cal *calendar.Calendar, schoolDays bool) cynllun.Date {
	if n == 0 {
		return d
	}
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	if !schoolDays || cal == nil {
		return d.AddDays(step * n)
	}
	day := d
	for i := 0; i < n; {
		day = day.AddDays(step)
		if !cal.Covers(day) {
			return d.AddDays(step * n)
		}
		if cal.SchoolDay(day) {
			i++
		}
	}
	return day
}

func kindOf(offset int) cynllun.NoticeKind {
	switch {
	case offset < 0:
		return cynllun.NoticeUpcoming
	case offset == 0:
		return cynllun.NoticeDue
	}
	return cynllun.NoticeOverdue
}

func dedupeStrings(ss []string) []string {
	slices.Sort(ss)
	return slices.Compact(ss)
}

// UncertainPolicy says what is done with an email notice whose last
// attempt's outcome is unknown: the worker stopped after the message may
// have left (SENDING found by the next attempt). An SMTP relay cannot be
// asked whether it took a message, so the choice is a possible duplicate
// (with the same Message-ID, which some systems deduplicate on) or a
// possibly missing reminder of a statutory deadline.
type UncertainPolicy string

const (
	// UncertainResend sends it again (the default: a reminder missed can
	// let a statutory deadline pass; a duplicate costs a moment).
	UncertainResend UncertainPolicy = "resend"
	// UncertainHold sends it no more: the notice becomes UNCERTAIN, for an
	// operator to check in the relay's log by its Message-ID.
	UncertainHold UncertainPolicy = "hold"
)

// ParseUncertainPolicy reads NOTICE_EMAIL_UNCERTAIN ("" is resend).
func ParseUncertainPolicy(s string) (UncertainPolicy, bool) {
	switch p := UncertainPolicy(strings.ToLower(strings.TrimSpace(s))); p {
	case "":
		return UncertainResend, true
	case UncertainResend, UncertainHold:
		return p, true
	}
	return "", false
}

// uncertainDetail is the delivery log's entry for an attempt whose outcome
// is unknown.
const uncertainDetail = "outcome unknown: the worker stopped during the attempt"

// NoticeSender delivers notices. It is effectively-once: a notice already
// sent is not sent again. Each attempt is recorded (SENDING) just before
// its message may leave and its outcome just after, so an attempt found
// SENDING is one whose worker stopped mid-send. A webhook is then sent
// again with the same webhook-id and Idempotency-Key, on which the
// receiver deduplicates; an email is sent again with the same Message-ID,
// or held (UNCERTAIN), as EmailUncertain says. Either way the unknown
// attempt is in the delivery log and counted (outcome "uncertain").
type NoticeSender struct {
	Store    cynllun.Store
	Mailer   *notify.Mailer // nil: email notices fail as not configured
	Webhooks *notify.WebhookSender
	// Link makes the URL a notice points to (may be nil).
	Link func(n *cynllun.Notice) string
	// DisableAfter is how many permanent failures in a row disable an
	// endpoint (default 5); 410 Gone disables it at once.
	DisableAfter int
	Now          func() time.Time
	Log          *slog.Logger
	// AfterSend, when set, runs between a delivery and its recording
	// (tests use it to kill the worker there).
	AfterSend func(n *cynllun.Notice)
	// Metrics, when set, counts delivery attempts by channel and outcome.
	Metrics *metrics.Metrics
	// EmailUncertain is the policy for an email whose last attempt's
	// outcome is unknown (NOTICE_EMAIL_UNCERTAIN; default resend).
	EmailUncertain UncertainPolicy
}

func (h *NoticeSender) now() time.Time {
	if h.Now != nil {
		return h.Now().UTC()
	}
	return time.Now().UTC()
}

func (h *NoticeSender) log() *slog.Logger {
	if h.Log != nil {
		return h.Log
	}
	return slog.New(slog.DiscardHandler)
}

// ProcessTask implements asynq.Handler.
func (h *NoticeSender) ProcessTask(ctx context.Context, t *asynq.Task) error {
	const op = "worker.SendNotice"
	var p noticePayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.NoticeID == "" {
		return cynllun.E(cynllun.CodeInvalid, op, "bad payload")
	}
	ns, err := h.Store.NoticesByID(ctx, []string{p.NoticeID})
	if err != nil {
		return cynllun.AsError(op, err)
	}
	if len(ns) == 0 {
		return cynllun.NotFound(op, "notice")
	}
	n := ns[0]
	if n.Status.Finished() {
		return nil // delivered again after it finished: nothing to do
	}
	ds, err := h.Store.DeadlinesByID(ctx, []string{n.DeadlineID})
	if err != nil {
		return cynllun.AsError(op, err)
	}
	if len(ds) == 0 || ds[0].Closure != nil {
		// Met or not applicable since it was raised: nothing to remind of.
		n.Status, n.UpdatedAt = cynllun.NoticeSkipped, h.now()
		if err := h.Store.UpdateNotice(ctx, n); err != nil {
			return cynllun.AsError(op, err)
		}
		return nil
	}
	if n.Status == cynllun.NoticeSending {
		held, err := h.uncertain(ctx, n)
		if err != nil || held {
			return err
		}
	}
	n.Attempts++
	n.UpdatedAt = h.now()
	if err := h.Store.UpdateNotice(ctx, n); err != nil {
		return cynllun.AsError(op, err)
	}
	// Recorded just before the message may leave: after the SMTP
	// connection's set-up for an email, before the POST for a webhook.
	sending := func() error {
		n.Status, n.AttemptedAt, n.UpdatedAt = cynllun.NoticeSending, h.now(), h.now()
		if err := h.Store.UpdateNotice(ctx, n); err != nil {
			return cynllun.AsError(op, err)
		}
		return nil
	}
	status, derr := h.deliver(ctx, n, sending)
	tctx := ctx
	if h.AfterSend != nil {
		h.AfterSend(n)
	}
	// The outcome is recorded even if the task was cancelled meanwhile: a
	// delivery made and not recorded would be sent again.
	ctx, cancel := outcomeContext(tctx)
	defer cancel()
	code := cynllun.ErrorCode(derr)
	blocked := errors.Is(derr, notify.ErrBlocked)
	if blocked {
		// Nothing about the attempt but that it was refused: no status,
		// no error text (an open port, a closed one and a timeout look
		// the same), so the log cannot scan the worker's network.
		status = 0
	}
	if err := h.Store.InsertDelivery(ctx, &cynllun.Delivery{
		ID: cynllun.NewID("dlv_"), NoticeID: n.ID, Attempt: n.Attempts, At: h.now(), OK: derr == nil, HTTPStatus: status, ErrorCode: code,
		Detail: deliveryDetail(derr),
	}); err != nil {
		h.log().WarnContext(ctx, "could not log a delivery", "notice", n.ID, "code", string(cynllun.ErrorCode(err)))
	}
	n.UpdatedAt = h.now()
	outcome := "retry"
	switch {
	case derr == nil:
		n.Status, n.SentAt, n.ErrorCode = cynllun.NoticeSent, n.UpdatedAt, ""
		outcome = "sent"
	case errors.Is(derr, errSkip):
		n.Status, n.ErrorCode = cynllun.NoticeSkipped, code
		outcome = "skipped"
	case permanent(code) || (lastAttempt(tctx) && !handedBack(tctx)):
		n.Status, n.ErrorCode = cynllun.NoticeFailed, code
		outcome = "failed"
	default:
		n.Status, n.ErrorCode = cynllun.NoticePending, code // waiting for its retry
	}
	h.Metrics.Notice(string(n.Channel), outcome)
	if err := h.Store.UpdateNotice(ctx, n); err != nil {
		return cynllun.AsError(op, err)
	}
	if n.Channel == cynllun.ChannelWebhook {
		h.endpointResult(ctx, n.Recipient, status, code, derr == nil, blocked)
	}
	if derr != nil && !errors.Is(derr, errSkip) {
		h.log().WarnContext(ctx, "notice not delivered", "notice", n.ID, "channel", string(n.Channel), "attempt", n.Attempts, "code", string(code), "status", status)
		return derr
	}
	return nil
}

// uncertain deals with a notice found SENDING: its last attempt's worker
// stopped after the message may have left. The attempt goes in the
// delivery log and the metrics as uncertain; an email under the hold
// policy becomes UNCERTAIN (held is true) and is sent no more; anything
// else is sent again, under the same id.
func (h *NoticeSender) uncertain(ctx context.Context, n *cynllun.Notice) (held bool, err error) {
	const op = "worker.SendNotice"
	at := n.AttemptedAt
	if at.IsZero() {
		at = n.UpdatedAt
	}
	// Its id is the attempt's: logged once, however often this is retried.
	if err := h.Store.InsertDelivery(ctx, &cynllun.Delivery{
		ID: fmt.Sprintf("dlv_%s_%d_unknown", n.ID, n.Attempts), NoticeID: n.ID, Attempt: n.Attempts, At: at, Detail: uncertainDetail,
	}); err != nil && cynllun.ErrorCode(err) != cynllun.CodeConflict {
		return false, cynllun.AsError(op, err)
	}
	h.Metrics.Notice(string(n.Channel), "uncertain")
	hold := n.Channel == cynllun.ChannelEmail && h.EmailUncertain == UncertainHold
	h.log().WarnContext(ctx, "a notice's last attempt has no recorded outcome: the worker stopped during it",
		"notice", n.ID, "channel", string(n.Channel), "attempt", n.Attempts, "held", hold)
	if !hold {
		// Sent again: this attempt's own mark comes when its message may
		// leave; until then the unknown one is accounted for.
		n.Status = cynllun.NoticePending
		return false, nil
	}
	n.Status, n.UpdatedAt = cynllun.NoticeUncertain, h.now()
	if err := h.Store.UpdateNotice(ctx, n); err != nil {
		return false, cynllun.AsError(op, err)
	}
	return true, nil
}

// deliveryDetail is what the delivery log says about a failed attempt: the
// error's message, which the error model keeps safe to show (never an
// address, a URL or a cause's text); "" for success or a skip.
func deliveryDetail(err error) string {
	if err == nil || errors.Is(err, errSkip) {
		return ""
	}
	if errors.Is(err, notify.ErrBlocked) {
		return notify.BlockedMessage
	}
	var e *cynllun.Error
	if errors.As(err, &e) && e.Message != "" {
		return e.Message
	}
	return "internal error"
}

// errSkip marks a notice that cannot be delivered and never will (no
// address, an endpoint disabled): it is SKIPPED, not retried.
var errSkip = errors.New("skipped")

// deliver sends n; sending records the attempt just before the message
// may leave (nothing is sent if it fails).
func (h *NoticeSender) deliver(ctx context.Context, n *cynllun.Notice, sending func() error) (int, error) {
	const op = "worker.deliver"
	msg := h.message(n)
	switch n.Channel {
	case cynllun.ChannelEmail:
		if h.Mailer == nil {
			return 0, cynllun.E(cynllun.CodeInvalid, op, "email is not configured")
		}
		us, err := h.Store.UsersByID(ctx, []string{n.Recipient})
		if err != nil {
			return 0, cynllun.AsError(op, err)
		}
		if len(us) == 0 || us[0].Email == "" {
			return 0, errSkip
		}
		return 0, h.Mailer.SendRecorded(ctx, us[0].Email, msg, sending)
	case cynllun.ChannelWebhook:
		eps, err := h.Store.EndpointsByID(ctx, []string{n.Recipient})
		if err != nil {
			return 0, cynllun.AsError(op, err)
		}
		if len(eps) == 0 || !eps[0].Active() {
			return 0, errSkip
		}
		e := eps[0]
		if err := sending(); err != nil {
			return 0, err
		}
		return h.Webhooks.Deliver(ctx, notify.Endpoint{ID: e.ID, URL: e.URL, Secrets: e.Secrets}, msg)
	}
	return 0, cynllun.E(cynllun.CodeInvalid, op, "unknown channel")
}

func (h *NoticeSender) message(n *cynllun.Notice) notify.Notice {
	m := notify.Notice{
		ID: n.ID, Kind: string(n.Kind), DeadlineID: n.DeadlineID, LearnerID: n.LearnerID, RuleID: n.RuleID,
		Due: n.Due, Offset: n.Offset, OffsetUnit: n.OffsetUnit, At: n.CreatedAt,
	}
	if r, ok := clock.RuleByID(n.RuleID); ok {
		m.Rule = r.Title
	}
	if h.Link != nil {
		m.Link = h.Link(n)
	}
	return m
}

// endpointResult counts an endpoint's permanent failures in a row (a
// blocked destination is one) and disables it at the limit, or at once on
// 410 Gone.
func (h *NoticeSender) endpointResult(ctx context.Context, id string, status int, code cynllun.Code, ok, blocked bool) {
	eps, err := h.Store.EndpointsByID(ctx, []string{id})
	if err != nil || len(eps) == 0 {
		return
	}
	e := eps[0]
	limit := h.DisableAfter
	if limit <= 0 {
		limit = 5
	}
	changed := false
	switch {
	case ok && e.Failures > 0:
		e.Failures, changed = 0, true
	case status == 410:
		e.DisabledAt, e.DisabledReason, changed = h.now(), "410 Gone", true
	case blocked:
		e.Failures++
		changed = true
		if e.Failures >= limit && e.Active() {
			e.DisabledAt, e.DisabledReason = h.now(), notify.BlockedMessage
		}
	case code == cynllun.CodeInvalid && status >= 400:
		e.Failures++
		changed = true
		if e.Failures >= limit && e.Active() {
			e.DisabledAt, e.DisabledReason = h.now(), "repeated permanent failures"
		}
	}
	if changed {
		if err := h.Store.UpdateEndpoint(ctx, e); err != nil {
			h.log().WarnContext(ctx, "could not update a webhook endpoint", "endpoint", e.ID, "code", string(cynllun.ErrorCode(err)))
		}
	}
}
