// Package worker runs Cynllun's asynchronous work on Asynq over Redis:
// rendering documents and sending statutory notices (handlers arrive with
// those features, one file per task type). Redis is transport only; the job
// documents in MongoDB are the truth (design §4).
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
	Logger          *slog.Logger
}

// Worker is an Asynq server with Cynllun's task handlers.
type Worker struct {
	srv *asynq.Server
	mux *asynq.ServeMux
	log *slog.Logger
}

// New returns a worker consuming from rdb.
func New(rdb redis.UniversalClient, cfg Config) *Worker {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.ShutdownTimeout <= 0 {
		cfg.ShutdownTimeout = 30 * time.Second
	}
	srv := asynq.NewServerFromRedisClient(rdb, asynq.Config{
		Concurrency:     cfg.Concurrency,
		Queues:          map[string]int{QueueCritical: 6, QueueDefault: 3, QueueBulk: 1},
		ShutdownTimeout: cfg.ShutdownTimeout,
		IsFailure:       IsFailure,
		Logger:          asynqLogger{log},
		LogLevel:        asynq.WarnLevel,
		ErrorHandler: asynq.ErrorHandlerFunc(func(ctx context.Context, t *asynq.Task, err error) {
			// Payloads carry ids only, but log the type and code, not them.
			log.WarnContext(ctx, "task failed", "type", t.Type(), "code", string(cynllun.ErrorCode(err)))
		}),
	})
	return &Worker{srv: srv, mux: asynq.NewServeMux(), log: log}
}

// Handle registers a handler for a task type. Handlers return *cynllun.Error
// values; Classify maps them to retry or skip-retry once, here.
func (w *Worker) Handle(taskType string, h asynq.Handler) {
	w.mux.Handle(taskType, asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
		return Classify(h.ProcessTask(ctx, t))
	}))
}

// Run processes tasks until ctx ends, then shuts down gracefully.
func (w *Worker) Run(ctx context.Context) error {
	if err := w.srv.Start(w.mux); err != nil {
		return err
	}
	<-ctx.Done()
	w.srv.Shutdown()
	return nil
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
