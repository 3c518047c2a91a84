// Package worker runs Cynllun's asynchronous work on Asynq over Redis:
// rendering documents and sending statutory notices (handlers arrive with
// those features, one file per task type). Redis is transport only; the job
// documents in MongoDB are the truth (design §4).
package worker

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/internal/metrics"
	"github.com/cynllun/cynllun/internal/tracing"
)

// Queues and their priorities: interactive work before bulk.
const (
	QueueCritical = "critical" // interactive renders a person is waiting for
	QueueDefault  = "default"  // notices
	QueueBulk     = "bulk"     // bulk renders, reconciliation
)

// Config configures the worker.
type Config struct {
	// Concurrency is how many tasks run at once (default: number of CPUs).
	Concurrency int
	// ShutdownTimeout is how long running tasks get to finish on stop.
	ShutdownTimeout time.Duration
	// RetryBase is the first retry's delay; each retry doubles it, up to
	// five minutes (default 2 s).
	RetryBase time.Duration
	// ReconcileEvery is how often the reconciler runs (default 30 s; a
	// negative value turns the schedule off, for tests that run it by hand).
	ReconcileEvery time.Duration
	// NoticeScanEvery is how often deadline notices are raised (default
	// 10 minutes; negative: off, for tests that scan by hand).
	NoticeScanEvery time.Duration
	// RetentionScanEvery is how often the retention scan runs (zero or
	// negative: off; the program sets RETENTION_SCAN_EVERY, default 24h).
	RetentionScanEvery time.Duration
	Logger             *slog.Logger
	// Metrics, when set, counts and times every task by kind and outcome.
	Metrics *metrics.Metrics
	// Tracing, when set, gives every task a span that continues the trace
	// of the request that queued it (tracing.TaskContext).
	Tracing trace.TracerProvider
	// RecoverEvery is how often the tasks of stopped workers are looked
	// for (default DefaultRecoverEvery, 2 s; negative: off), and
	// RecoverAfter how long a task's lease may go unextended before its
	// worker counts as stopped (default DefaultRecoverAfter, 12 s). See
	// Recoverer.
	RecoverEvery time.Duration
	RecoverAfter time.Duration
}

// Worker is an Asynq server with Cynllun's task handlers, and the scheduler
// of its periodic tasks.
type Worker struct {
	srv   *asynq.Server
	sched *asynq.Scheduler
	mux   *asynq.ServeMux
	rec   *Recoverer
	every time.Duration // of rec
	log   *slog.Logger
	m     *metrics.Metrics
	tr    trace.Tracer // nil: tasks are not traced
	// running counts the handlers running: after the shutdown timeout
	// Asynq hands their tasks back but does not wait for them, and Run
	// gives them a little longer to record how they ended.
	running sync.WaitGroup
}

// outcomeTimeout bounds the writing of a task's outcome, and how long Run
// waits after the shutdown timeout for handlers to write theirs.
const outcomeTimeout = 10 * time.Second

// outcomeContext is the context a task's outcome (a job's or a notice's
// final or retry status) is written with: the task's values without its
// cancellation, so that a task cancelled at the shutdown timeout or its
// own deadline still records how it ended, bounded by outcomeTimeout.
func outcomeContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), outcomeTimeout)
}

// handedBack reports whether the task was cancelled because the worker is
// stopping: Asynq puts it back in its queue without counting an attempt
// (a task past its own deadline ends with DeadlineExceeded instead).
func handedBack(ctx context.Context) bool {
	return errors.Is(ctx.Err(), context.Canceled)
}

// New returns a worker consuming from rdb.
func New(rdb redis.UniversalClient, cfg Config) *Worker {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = contextLogger(log)
	if cfg.ShutdownTimeout <= 0 {
		cfg.ShutdownTimeout = 30 * time.Second
	}
	if cfg.RetryBase <= 0 {
		cfg.RetryBase = 2 * time.Second
	}
	if cfg.ReconcileEvery == 0 {
		cfg.ReconcileEvery = 30 * time.Second
	}
	if cfg.NoticeScanEvery == 0 {
		cfg.NoticeScanEvery = 10 * time.Minute
	}
	delay := backoff(cfg.RetryBase, 5*time.Minute)
	srv := asynq.NewServerFromRedisClient(rdb, asynq.Config{
		Concurrency:     cfg.Concurrency,
		Queues:          map[string]int{QueueCritical: 6, QueueDefault: 3, QueueBulk: 1},
		ShutdownTimeout: cfg.ShutdownTimeout,
		IsFailure:       IsFailure,
		RetryDelayFunc:  delay,
		// Delayed retries are picked up within a second, not five.
		DelayedTaskCheckInterval: time.Second,
		Logger:                   asynqLogger{log},
		LogLevel:                 asynq.WarnLevel,
		ErrorHandler: asynq.ErrorHandlerFunc(func(ctx context.Context, t *asynq.Task, err error) {
			// Payloads carry ids only, but log the type and code, not them.
			log.WarnContext(tracing.TaskContext(ctx, t.Headers()), "task failed", "type", t.Type(), "code", string(cynllun.ErrorCode(err)))
		}),
	})
	w := &Worker{srv: srv, mux: asynq.NewServeMux(), log: log, m: cfg.Metrics, tr: tracing.Tracer(cfg.Tracing)}
	if cfg.RecoverEvery >= 0 {
		w.rec = NewRecoverer(rdb, delay, log)
		w.rec.After = cfg.RecoverAfter
		w.every = cfg.RecoverEvery
	}
	// Every worker process runs a scheduler; Unique makes the extra
	// enqueues no-ops, and the reconciler and the notice scanner are safe
	// to run twice at once anyway.
	schedule := func(every time.Duration, typ, queue string) {
		if every <= 0 {
			return
		}
		if w.sched == nil {
			w.sched = newScheduler(rdb, &asynq.SchedulerOpts{Logger: asynqLogger{log}, LogLevel: asynq.WarnLevel})
		}
		if _, err := w.sched.Register("@every "+every.String(), asynq.NewTask(typ, nil),
			asynq.Queue(queue), asynq.Unique(every), asynq.MaxRetry(0)); err != nil {
			log.Error("could not schedule a periodic task", "type", typ, "err", err)
		}
	}
	schedule(cfg.ReconcileEvery, TypeReconcile, QueueBulk)
	schedule(cfg.NoticeScanEvery, TypeScanNotices, QueueDefault)
	schedule(cfg.RetentionScanEvery, TypeScanRetention, QueueBulk)
	return w
}

// contextLogger returns log (nil stays nil) with tracing.LogHandler: lines
// logged with a task's context name the request that queued it and the
// trace.
func contextLogger(log *slog.Logger) *slog.Logger {
	if log == nil {
		return nil
	}
	return slog.New(tracing.LogHandler(log.Handler()))
}

// newScheduler returns a scheduler with a connection of its own, made
// from rdb's options: asynq's Scheduler closes its client on shutdown, and
// with a shared client (NewSchedulerFromRedisClient) that close fails and
// is logged as an ERROR at every clean stop. A client whose options cannot
// be copied (a cluster) is shared.
func newScheduler(rdb redis.UniversalClient, opts *asynq.SchedulerOpts) *asynq.Scheduler {
	if c, ok := rdb.(*redis.Client); ok {
		return asynq.NewScheduler(ownConn{*c.Options()}, opts)
	}
	return asynq.NewSchedulerFromRedisClient(rdb, opts)
}

// ownConn makes a new client with the options of another.
type ownConn struct{ opts redis.Options }

func (o ownConn) MakeRedisClient() any {
	opts := o.opts
	return redis.NewClient(&opts)
}

// backoff doubles the retry delay from base, up to max.
func backoff(base, max time.Duration) asynq.RetryDelayFunc {
	return func(n int, _ error, _ *asynq.Task) time.Duration {
		d := base
		for i := 0; i < n && d < max; i++ {
			d *= 2
		}
		return min(d, max)
	}
}

// Handle registers a handler for a task type. Handlers return *cynllun.Error
// values; Classify maps them to retry or skip-retry once, here. The
// handler's context carries the id of the request that queued the task
// (its log lines show it) and, with tracing on, the task's span.
func (w *Worker) Handle(taskType string, h asynq.Handler) {
	w.mux.Handle(taskType, asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
		w.running.Add(1)
		defer w.running.Done()
		ctx = tracing.TaskContext(ctx, t.Headers())
		var span trace.Span
		if w.tr != nil {
			ctx, span = w.startSpan(ctx, taskType)
		}
		start := time.Now()
		err := Classify(h.ProcessTask(ctx, t))
		outcome, took := jobOutcome(ctx, err), time.Since(start)
		w.m.Job(taskType, outcome, took)
		w.log.DebugContext(ctx, "task", "type", taskType, "outcome", outcome, "ms", took.Milliseconds())
		if span != nil {
			span.SetAttributes(attribute.String("cynllun.job.outcome", outcome))
			if err != nil {
				span.SetStatus(codes.Error, string(cynllun.ErrorCode(err)))
			}
			span.End()
		}
		return err
	}))
}

// startSpan starts a task's consumer span, the child of the span that
// queued it when its headers carry one: its attributes are the task's
// type, queue, id (a job or notice id), attempt and request id.
func (w *Worker) startSpan(ctx context.Context, taskType string) (context.Context, trace.Span) {
	queue, _ := asynq.GetQueueName(ctx)
	id, _ := asynq.GetTaskID(ctx)
	retried, _ := asynq.GetRetryCount(ctx)
	attrs := []attribute.KeyValue{
		attribute.String("messaging.system", "asynq"),
		attribute.String("messaging.operation.type", "process"),
		attribute.String("messaging.destination.name", queue),
		attribute.String("messaging.message.id", id),
		attribute.String("cynllun.task.type", taskType),
		attribute.Int("cynllun.task.retried", retried),
	}
	if rid := cynllun.RequestID(ctx); rid != "" {
		attrs = append(attrs, attribute.String("cynllun.request_id", rid))
	}
	return w.tr.Start(ctx, "process "+taskType, trace.WithSpanKind(trace.SpanKindConsumer), trace.WithAttributes(attrs...))
}

// Run processes tasks until ctx ends, then shuts down gracefully.
func (w *Worker) Run(ctx context.Context) error {
	if err := w.srv.Start(w.mux); err != nil {
		return err
	}
	if w.sched != nil {
		if err := w.sched.Start(); err != nil {
			w.srv.Shutdown()
			return err
		}
	}
	recovered := make(chan struct{})
	if w.rec != nil {
		go func() { defer close(recovered); w.rec.Run(ctx, w.every) }()
	} else {
		close(recovered)
	}
	<-ctx.Done()
	<-recovered
	if w.sched != nil {
		w.sched.Shutdown()
	}
	w.srv.Shutdown()
	w.waitRunning()
	return nil
}

// waitRunning waits, up to outcomeTimeout, for handlers still running
// after the shutdown (their tasks are back in the queue) to record their
// outcome.
func (w *Worker) waitRunning() {
	done := make(chan struct{})
	go func() { w.running.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(outcomeTimeout):
		w.log.Warn("tasks still running after the shutdown: they run again when a worker takes them")
	}
}

// Classify maps a handler's error to Asynq's retry model: INVALID and
// NOT_FOUND will never succeed, so they skip retries; everything else is
// retried with backoff.
func Classify(err error) error {
	if err == nil {
		return nil
	}
	switch cynllun.ErrorCode(err) {
	case cynllun.CodeInvalid, cynllun.CodeNotFound, cynllun.CodeForbidden:
		return errors.Join(err, asynq.SkipRetry)
	}
	return err
}

// jobOutcome is a task run's outcome for the metrics: ok; retry (it will
// run again); failed (it will not: a permanent error or its last attempt).
func jobOutcome(ctx context.Context, err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, asynq.SkipRetry) || lastAttempt(ctx) && !handedBack(ctx):
		return "failed"
	}
	return "retry"
}

// IsFailure says whether err counts against the Redis-health circuit (not
// for permanent errors, which are the task's fault).
func IsFailure(err error) bool {
	return !errors.Is(err, asynq.SkipRetry)
}

type asynqLogger struct{ l *slog.Logger }

func (a asynqLogger) Debug(args ...any) { a.l.Debug("asynq", "msg", args) }
func (a asynqLogger) Info(args ...any)  { a.l.Info("asynq", "msg", args) }
func (a asynqLogger) Warn(args ...any)  { a.l.Warn("asynq", "msg", args) }
func (a asynqLogger) Error(args ...any) { a.l.Error("asynq", "msg", args) }
func (a asynqLogger) Fatal(args ...any) { a.l.Error("asynq fatal", "msg", args) }
