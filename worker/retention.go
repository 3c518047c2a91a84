package worker

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/hibiken/asynq"

	"github.com/cynllun/cynllun"
)

// The retention tasks (cynllun.RetentionPolicy). TypeScanRetention is
// periodic: it resumes every approved erasure that is not finished, then
// lists the learners past their controller's retention period for
// approval, a bounded page at a time. TypeEraseLearner erases one approved
// learner now (queued by the approval; its payload is the learner id only).
const (
	TypeScanRetention = "retention:scan"
	TypeEraseLearner  = "retention:erase"
)

// DefaultRetentionBatch is how many learners one retention scan reads.
const DefaultRetentionBatch = 2000

// retentionPage is how many learners are read at once.
const retentionPage = 200

type erasurePayload struct {
	LearnerID string `json:"learnerId"`
}

// EnqueueErasure queues the erasure of an approved learner (task id
// "erase:<learner id>": one queued at a time).
func (c *Client) EnqueueErasure(ctx context.Context, learnerID string) error {
	b, err := json.Marshal(erasurePayload{LearnerID: learnerID})
	if err != nil {
		return cynllun.Internal("worker.EnqueueErasure", err)
	}
	return c.enqueue(ctx, asynq.NewTask(TypeEraseLearner, b), []asynq.Option{
		asynq.TaskID("erase:" + learnerID), asynq.Queue(QueueBulk), asynq.MaxRetry(10), asynq.Timeout(30 * time.Minute),
		asynq.Retention(time.Minute),
	})
}

// Retention runs the retention tasks.
type Retention struct {
	Store  cynllun.Store
	Policy cynllun.RetentionPolicy
	// Batch is how many learners one scan reads (default
	// DefaultRetentionBatch); the next scan goes on from there, so every
	// learner is looked at once per (learners ÷ Batch) scans.
	Batch int
	Now   func() time.Time
	Log   *slog.Logger
}

func (r *Retention) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

func (r *Retention) log() *slog.Logger {
	if r.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return r.Log
}

// ProcessTask runs a retention task.
func (r *Retention) ProcessTask(ctx context.Context, t *asynq.Task) error {
	switch t.Type() {
	case TypeEraseLearner:
		var p erasurePayload
		if err := json.Unmarshal(t.Payload(), &p); err != nil || p.LearnerID == "" {
			return fmt.Errorf("%w: %w", asynq.SkipRetry, cynllun.E(cynllun.CodeInvalid, "worker.Retention", "bad erasure payload"))
		}
		return r.EraseApproved(ctx, p.LearnerID)
	default:
		_, err := r.Scan(ctx)
		return err
	}
}

// ScanResult says what one scan did.
type ScanResult struct {
	Erased, Listed, Read int
}

// Scan erases the approved learners whose erasure is not finished, then
// reads up to Batch learners from where the last scan stopped (LA by LA,
// in each LA's list order) and lists those past retention.
func (r *Retention) Scan(ctx context.Context) (ScanResult, error) {
	var res ScanResult
	for after := ""; ; {
		rs, err := r.Store.RetentionReviews(ctx, cynllun.RetentionQuery{Status: cynllun.RetentionApproved, AfterID: after, Limit: 100})
		if err != nil || len(rs) == 0 {
			if err != nil {
				return res, err
			}
			break
		}
		for _, rv := range rs {
			if err := r.EraseApproved(ctx, rv.LearnerID); err != nil {
				return res, err
			}
			res.Erased++
		}
		after = rs[len(rs)-1].ID
	}
	n, listed, err := r.list(ctx)
	res.Read, res.Listed = n, listed
	if err != nil {
		return res, err
	}
	r.log().InfoContext(ctx, "retention scan", "erased", res.Erased, "read", res.Read, "listed", res.Listed)
	return res, nil
}

// list reads the next batch of learners and lists those past retention.
// The cursor is "<LA id>\x00<learner id>" (ids only).
func (r *Retention) list(ctx context.Context) (read, listed int, err error) {
	batch := r.Batch
	if batch <= 0 {
		batch = DefaultRetentionBatch
	}
	las, err := r.Store.ListOrganisations(ctx, cynllun.OrgQuery{Kind: cynllun.OrgLocalAuthority, Limit: 1000})
	if err != nil {
		return 0, 0, err
	}
	slices.SortFunc(las, func(a, b *cynllun.Organisation) int { return strings.Compare(a.ID, b.ID) })
	cur, err := r.Store.RetentionCursor(ctx)
	if err != nil {
		return 0, 0, err
	}
	// The cursor names the LA and the last learner read, by id only (a
	// sort key holds a name); the learner's sort key is read again.
	la, afterID, _ := strings.Cut(cur, "\x00")
	afterKey := ""
	if afterID != "" {
		ls, err := r.Store.LearnersByID(ctx, []string{afterID})
		if err != nil {
			return 0, 0, err
		}
		if len(ls) == 1 && ls[0].LAID == la {
			afterKey = cynllun.LearnerSortKey(ls[0])
		} else {
			// Erased or moved since: this LA from its start again.
			afterID = ""
		}
	}
	i := 0
	if la != "" {
		i, _ = slices.BinarySearchFunc(las, la, func(o *cynllun.Organisation, id string) int { return strings.Compare(o.ID, id) })
	}
	today := cynllun.Today(r.now())
	for i < len(las) && read < batch {
		laID := las[i].ID
		if laID != la {
			afterKey, afterID = "", ""
		}
		limit := min(retentionPage, batch-read)
		ls, err := r.Store.ListLearners(ctx, cynllun.LearnerQuery{Scope: cynllun.Scope{LAIDs: []string{laID}}, LAID: laID,
			AfterKey: afterKey, AfterID: afterID, Limit: limit})
		if err != nil {
			return read, listed, err
		}
		read += len(ls)
		n, err := r.listDue(ctx, ls, today)
		listed += n
		if err != nil {
			return read, listed, err
		}
		next := ""
		if len(ls) < limit {
			// The end of this LA: the next one ("" after the last: the
			// next scan starts again from the first).
			i++
			la, afterKey, afterID = "", "", ""
			if i < len(las) {
				la = las[i].ID
				next = la
			}
		} else {
			last := ls[len(ls)-1]
			la, afterKey, afterID = laID, cynllun.LearnerSortKey(last), last.ID
			next = la + "\x00" + afterID
		}
		if err := r.Store.SetRetentionCursor(ctx, next); err != nil {
			return read, listed, err
		}
		if next == "" {
			break
		}
	}
	return read, listed, nil
}

// listDue lists those of ls past retention on today.
func (r *Retention) listDue(ctx context.Context, ls []*cynllun.Learner, today cynllun.Date) (int, error) {
	if len(ls) == 0 {
		return 0, nil
	}
	ids := make([]string, len(ls))
	for i, l := range ls {
		ids[i] = l.ID
	}
	plans, err := r.Store.PlansByLearner(ctx, ids)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, l := range ls {
		controller := cynllun.RetentionController(l, plans)
		rule := r.Policy.RuleFor(controller)
		due, ok := rule.RetentionDue(l, plans)
		if !ok || today.Before(due) {
			continue
		}
		in, err := r.Store.ListRetentionCandidate(ctx, &cynllun.RetentionReview{
			ID: cynllun.RetentionReviewID(l.ID), LearnerID: l.ID, ControllerID: controller, LAID: l.LAID,
			Rule: rule.String(), DueOn: due, Status: cynllun.RetentionListed, ListedAt: r.now(),
		})
		if err != nil {
			return n, err
		}
		if in {
			n++
		}
	}
	return n, nil
}

// EraseApproved erases an approved learner, writes the tombstone and marks
// the review ERASED. It is idempotent: a review not approved (or erased
// already) is left alone, and after a crash at any point running it again
// finishes the erasure.
func (r *Retention) EraseApproved(ctx context.Context, learnerID string) error {
	const op = "worker.EraseApproved"
	rs, err := r.Store.RetentionReviewsByID(ctx, []string{cynllun.RetentionReviewID(learnerID)})
	if err != nil {
		return err
	}
	switch {
	case len(rs) == 0 || rs[0].Status == cynllun.RetentionListed:
		// Never erased without an approval.
		return nil
	case rs[0].Status == cynllun.RetentionErased:
		// Done; its entry in the open list may have outlived a crash.
		return r.Store.FinishRetention(ctx, rs[0].ID, r.now())
	}
	rv := rs[0]
	tomb := cynllun.ErasureTombstoneID(learnerID)
	counts, err := r.Store.EraseLearner(ctx, learnerID, tomb)
	if err != nil {
		return err
	}
	now := r.now()
	ev := cynllun.AuditEvent{ID: tomb, At: now, ActorID: rv.ApprovedBy, LearnerID: learnerID, OrgID: rv.ControllerID,
		Action: cynllun.AuditErased,
		Reason: fmt.Sprintf("retention rule %s of controller %s: due %s, listed %s, erasure approved %s by %s",
			rv.Rule, rv.ControllerID, rv.DueOn, rv.ListedAt.UTC().Format(time.RFC3339), rv.ApprovedAt.UTC().Format(time.RFC3339), rv.ApprovedBy)}
	if err := r.Store.RecordAudit(ctx, []cynllun.AuditEvent{ev}); err != nil && cynllun.ErrorCode(err) != cynllun.CodeConflict {
		return cynllun.AsError(op, err)
	}
	if err := r.Store.FinishRetention(ctx, rv.ID, now); err != nil {
		return err
	}
	total := 0
	for _, n := range counts {
		total += n
	}
	r.log().InfoContext(ctx, "learner erased after retention", "review", rv.ID, "records", total)
	return nil
}
