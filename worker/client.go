package worker

import (
	"context"
	"errors"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/internal/tracing"
)

// Client queues jobs on Asynq. It implements service.JobQueue.
type Client struct {
	c  *asynq.Client
	tr trace.Tracer // nil: enqueues make no span
}

// WithTracing returns c making a producer span ("send <task type>") for
// each enqueue within a trace, the parent of the worker's span for the
// task; tp nil: none.
func (c *Client) WithTracing(tp trace.TracerProvider) *Client {
	return &Client{c: c.c, tr: tracing.Tracer(tp)}
}

// NewClient returns a client queueing on rdb (which the caller closes).
func NewClient(rdb redis.UniversalClient) *Client {
	return &Client{c: asynq.NewClientFromRedisClient(rdb)}
}

// Enqueue queues j's task, whose TaskID is the job id. A task already queued
// for the job is not an error: the job is queued once. The task carries
// the id of the request that started the job, and the trace context of
// ctx (tracing.TaskHeaders), so that the worker's span and log lines for
// it join the request's.
func (c *Client) Enqueue(ctx context.Context, j *cynllun.Job) error {
	t, opts, err := jobTask(j)
	if err != nil {
		return err
	}
	if j.RequestID != "" {
		ctx = cynllun.WithRequestID(ctx, j.RequestID)
	}
	return c.enqueue(ctx, t, opts)
}

// EnqueueTimeout bounds one enqueue. A job is recorded before it is
// queued and the reconciler queues any job Redis does not hold, so while
// Redis is down a request that queues a job fails its enqueue this fast
// (ErrQueueUnavailable) rather than waiting out the client's retries.
const EnqueueTimeout = 500 * time.Millisecond

// ErrQueueUnavailable is the cause of every failed enqueue (Redis did not
// answer in time, or refused): the job stays recorded and PENDING.
var ErrQueueUnavailable = errors.New("the job queue is unavailable")

// enqueue queues t, with the headers of ctx's request id and trace
// context; a task with its id queued already is not an error.
func (c *Client) enqueue(ctx context.Context, t *asynq.Task, opts []asynq.Option) error {
	const op = "worker.Enqueue"
	if c.tr != nil && trace.SpanContextFromContext(ctx).IsValid() {
		var span trace.Span
		ctx, span = c.tr.Start(ctx, "send "+t.Type(), trace.WithSpanKind(trace.SpanKindProducer),
			trace.WithAttributes(attribute.String("messaging.system", "asynq"), attribute.String("messaging.operation.type", "send")))
		defer span.End()
	}
	if h := tracing.TaskHeaders(ctx, cynllun.RequestID(ctx)); h != nil {
		t = asynq.NewTaskWithHeaders(t.Type(), t.Payload(), h)
	}
	ctx, cancel := context.WithTimeout(ctx, EnqueueTimeout)
	defer cancel()
	if _, err := c.c.EnqueueContext(ctx, t, opts...); err != nil {
		if errors.Is(err, asynq.ErrTaskIDConflict) || errors.Is(err, asynq.ErrDuplicateTask) {
			return nil
		}
		return cynllun.Internal(op, errors.Join(ErrQueueUnavailable, err))
	}
	return nil
}

// jobTask is the Asynq task of a job.
func jobTask(j *cynllun.Job) (*asynq.Task, []asynq.Option, error) {
	switch j.Kind {
	case cynllun.JobRenderPlan, cynllun.JobRenderMeeting, cynllun.JobRenderBundle, cynllun.JobSubjectAccess:
		return newRenderTask(j)
	}
	return nil, nil, cynllun.E(cynllun.CodeInvalid, "worker.jobTask", "unknown job kind")
}

// queueFor maps a job's priority to a queue.
func queueFor(p cynllun.JobPriority) string {
	if p == cynllun.PriorityBulk {
		return QueueBulk
	}
	return QueueCritical
}
