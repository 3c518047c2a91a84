package worker

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/cynllun/cynllun"
)

// TypeReconcile is the periodic task that finds jobs MongoDB says are
// unfinished but Redis has lost (a Redis restart, FLUSHALL, an enqueue that
// failed after the job was written) and queues them again.
const TypeReconcile = "jobs:reconcile"

// Reconciler re-queues lost jobs. Running it twice at once is harmless: a
// job's task id is its job id, so a second enqueue is refused by Redis.
type Reconciler struct {
	Store     cynllun.Store
	Inspector *asynq.Inspector
	Queue     *Client
	Events    JobEvents // optional
	Log       *slog.Logger
	Now       func() time.Time
	// Grace leaves alone jobs changed this recently (their enqueue may be
	// under way). Default 10 s.
	Grace time.Duration
}

// NewReconciler returns a reconciler over rdb and store.
func NewReconciler(store cynllun.Store, rdb redis.UniversalClient, events JobEvents, log *slog.Logger) *Reconciler {
	return &Reconciler{Store: store, Inspector: asynq.NewInspectorFromRedisClient(rdb), Queue: NewClient(rdb), Events: events, Log: contextLogger(log), Now: time.Now}
}

// reconcileBatch bounds one pass; the next pass takes the rest.
const reconcileBatch = 500

// Reconcile makes one pass and returns how many jobs it queued again and how
// many it marked failed.
func (r *Reconciler) Reconcile(ctx context.Context) (requeued, failed int, err error) {
	const op = "worker.Reconcile"
	grace := r.Grace
	if grace <= 0 {
		grace = 10 * time.Second
	}
	now := r.Now().UTC()
	jobs, err := r.Store.UnfinishedJobs(ctx, now.Add(-grace), reconcileBatch)
	if err != nil {
		return 0, 0, cynllun.AsError(op, err)
	}
	for _, j := range jobs {
		info, err := r.Inspector.GetTaskInfo(queueFor(j.Priority), j.ID)
		switch {
		case errors.Is(err, asynq.ErrTaskNotFound), errors.Is(err, asynq.ErrQueueNotFound):
			if err := r.Queue.Enqueue(ctx, j); err != nil {
				return requeued, failed, err
			}
			requeued++
		case err != nil:
			return requeued, failed, cynllun.Internal(op, err)
		case info.State == asynq.TaskStateArchived:
			// Asynq gave up (e.g. its lease expired on the last attempt)
			// without the handler recording it.
			j.Status, j.ErrorCode, j.UpdatedAt, j.FinishedAt = cynllun.JobFailed, cynllun.CodeInternal, now, now
			if err := r.Store.UpdateJob(ctx, j); err != nil {
				return requeued, failed, cynllun.AsError(op, err)
			}
			announce(ctx, r.Events, r.log(), j.ID)
			failed++
		}
	}
	if requeued+failed > 0 {
		r.log().InfoContext(ctx, "reconciled jobs", "requeued", requeued, "failed", failed)
	}
	return requeued, failed, nil
}

func (r *Reconciler) log() *slog.Logger {
	if r.Log != nil {
		return r.Log
	}
	return slog.New(slog.DiscardHandler)
}

// ProcessTask implements asynq.Handler for the periodic task.
func (r *Reconciler) ProcessTask(ctx context.Context, _ *asynq.Task) error {
	_, _, err := r.Reconcile(ctx)
	return err
}
