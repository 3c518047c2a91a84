package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
	"google.golang.org/protobuf/encoding/protowire"
)

// Recovery of a killed worker's tasks.
//
// Asynq (v0.26) gives a task it hands to a worker a lease of 30 s, which
// the worker's heartbeat (every 5 s) extends while the task runs. Its own
// recoverer looks once a minute for leases that ran out more than 30 s
// before: a killed worker's task waits 60–120 s before it runs again, and
// none of the three figures can be configured. The Recoverer does the
// same work sooner: a task is a dead worker's when its lease has not been
// extended for RecoverAfter (12 s: two heartbeats missed, and more) and no
// live worker lists it as running (a worker's entry in Redis expires 10 s
// after its last heartbeat). Such a task is retried as Asynq's recoverer
// would: an attempt counted, the worker's retry delay, archived when its
// retries are used up. Every worker process runs one; two at once are
// harmless (the move is one atomic script that checks the task is still
// where it was).
//
// It uses Asynq's Redis layout (keys and the task message's protobuf
// encoding) directly, as Asynq's own scripts do: a change of Asynq's
// version must be checked against it (TestRecoverKilledWorkerTask fails if
// the layout moves).

// Defaults of the Recoverer's schedule.
const (
	DefaultRecoverEvery = 2 * time.Second
	DefaultRecoverAfter = 12 * time.Second
	// asynqLease is Asynq's lease (rdb.LeaseDuration): a lease's score is
	// when it ends, the last extension plus this.
	asynqLease = 30 * time.Second
)

// errLeaseLost is the error a recovered task's message records.
var errLeaseLost = errors.New("worker stopped: no heartbeat (recovered by cynllun)")

// Recoverer retries the tasks of workers that died.
type Recoverer struct {
	rdb    redis.UniversalClient
	insp   *asynq.Inspector
	queues []string
	// After is how long a lease may go unextended (default
	// DefaultRecoverAfter; at least 11 s, two heartbeats and a second).
	After time.Duration
	// Delay is the retry delay after n failed attempts (the worker's).
	Delay asynq.RetryDelayFunc
	Log   *slog.Logger
	Now   func() time.Time
	// Recovered, when set, is told of each task recovered (queue, task id,
	// and whether it was archived rather than retried).
	Recovered func(ctx context.Context, queue, taskID string, archived bool)
}

// NewRecoverer returns a recoverer of the worker queues on rdb.
func NewRecoverer(rdb redis.UniversalClient, delay asynq.RetryDelayFunc, log *slog.Logger) *Recoverer {
	if delay == nil {
		delay = backoff(2*time.Second, 5*time.Minute)
	}
	return &Recoverer{rdb: rdb, insp: asynq.NewInspectorFromRedisClient(rdb),
		queues: []string{QueueCritical, QueueDefault, QueueBulk}, Delay: delay, Log: log, Now: time.Now}
}

func (r *Recoverer) log() *slog.Logger {
	if r.Log != nil {
		return r.Log
	}
	return slog.New(slog.DiscardHandler)
}

// Run recovers every interval until ctx ends.
func (r *Recoverer) Run(ctx context.Context, every time.Duration) {
	if every <= 0 {
		every = DefaultRecoverEvery
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := r.Recover(ctx); err != nil && ctx.Err() == nil {
			r.log().WarnContext(ctx, "could not recover the tasks of stopped workers", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Recover makes one pass and returns how many tasks it put back.
func (r *Recoverer) Recover(ctx context.Context) (int, error) {
	after := max(r.After, 11*time.Second)
	if r.After == 0 {
		after = DefaultRecoverAfter
	}
	now := r.Now()
	// A lease last extended before now-after ends before this.
	cutoff := now.Add(asynqLease - after).Unix()
	var candidates map[string][]string
	for _, q := range r.queues {
		ids, err := r.rdb.ZRangeByScore(ctx, leaseKey(q), &redis.ZRangeBy{Min: "-inf", Max: strconv.FormatInt(cutoff, 10)}).Result()
		if err != nil {
			return 0, err
		}
		if len(ids) > 0 {
			if candidates == nil {
				candidates = map[string][]string{}
			}
			candidates[q] = ids
		}
	}
	if len(candidates) == 0 {
		return 0, nil
	}
	// Tasks a live worker lists as running are left alone, however late
	// its heartbeat.
	servers, err := r.insp.Servers()
	if err != nil {
		return 0, err
	}
	live := map[string]bool{}
	for _, s := range servers {
		for _, w := range s.ActiveWorkers {
			live[w.TaskID] = true
		}
	}
	n := 0
	for q, ids := range candidates {
		for _, id := range ids {
			if live[id] {
				continue
			}
			archived, ok, err := r.recoverTask(ctx, q, id, cutoff, now)
			if err != nil {
				return n, err
			}
			if !ok {
				continue
			}
			n++
			r.log().WarnContext(ctx, "recovered the task of a stopped worker", "queue", q, "task", id, "archived", archived)
			if r.Recovered != nil {
				r.Recovered(ctx, q, id, archived)
			}
		}
	}
	return n, nil
}

// recoverTask retries (or archives, its retries used up) the task id of
// queue q whose lease ended by cutoff. ok is false when the task moved on
// meanwhile (finished, extended, recovered by another).
func (r *Recoverer) recoverTask(ctx context.Context, q, id string, cutoff int64, now time.Time) (archived, ok bool, err error) {
	old, err := r.rdb.HGet(ctx, taskKey(q, id), "msg").Result()
	if errors.Is(err, redis.Nil) {
		// No message: a lease left behind. Drop it if still stale.
		return false, false, r.rdb.ZRemRangeByScore(ctx, leaseKey(q), "-inf", strconv.FormatInt(cutoff, 10)).Err()
	}
	if err != nil {
		return false, false, err
	}
	msg, retry, retried, err := failedMessage([]byte(old), errLeaseLost.Error(), now)
	if err != nil {
		return false, false, fmt.Errorf("task %s: %w", id, err)
	}
	statsExpire := now.Add(90 * 24 * time.Hour).Unix()
	keys := []string{taskKey(q, id), activeKey(q), leaseKey(q), "", queuePrefix(q) + "processed:" + now.UTC().Format("2006-01-02"),
		queuePrefix(q) + "failed:" + now.UTC().Format("2006-01-02"), queuePrefix(q) + "processed", queuePrefix(q) + "failed", queuePrefix(q) + "t:"}
	var when int64
	if retried >= retry {
		archived = true
		keys[3] = queuePrefix(q) + "archived"
		when = now.Unix()
	} else {
		keys[3] = queuePrefix(q) + "retry"
		when = now.Add(r.Delay(retried, errLeaseLost, asynq.NewTask("", nil))).Unix()
	}
	res, err := recoverCmd.Run(ctx, r.rdb, keys, id, old, msg, when, cutoff, statsExpire, int64(math.MaxInt64),
		boolInt(archived), now.AddDate(0, 0, -90).Unix(), 10000).Int()
	if err != nil {
		return false, false, err
	}
	return archived, res == 1, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Asynq's keys (internal/base).
func queuePrefix(q string) string { return "asynq:{" + q + "}:" }
func leaseKey(q string) string    { return queuePrefix(q) + "lease" }
func activeKey(q string) string   { return queuePrefix(q) + "active" }
func taskKey(q, id string) string { return queuePrefix(q) + "t:" + id }

// recoverCmd moves a task from active to retry (or archived), as Asynq's
// retry and archive scripts do, if it is still active with the same
// message and a lease ending by the cutoff. It returns 1 when it moved it.
//
// KEYS: task, active, lease, retry|archived, processed:<day>, failed:<day>,
// processed, failed, task key prefix.
// ARGV: id, old message, new message, retry at | archived at, lease
// cutoff, stats expiry, max int64, archive (1|0), archive cutoff, archive
// size.
var recoverCmd = redis.NewScript(`
local lease = redis.call("ZSCORE", KEYS[3], ARGV[1])
if not lease or tonumber(lease) > tonumber(ARGV[5]) then
  return 0
end
if redis.call("HGET", KEYS[1], "msg") ~= ARGV[2] then
  return 0
end
if redis.call("LREM", KEYS[2], 0, ARGV[1]) == 0 then
  redis.call("ZREM", KEYS[3], ARGV[1])
  return 0
end
redis.call("ZREM", KEYS[3], ARGV[1])
redis.call("ZADD", KEYS[4], ARGV[4], ARGV[1])
if ARGV[8] == "1" then
  redis.call("HSET", KEYS[1], "msg", ARGV[3], "state", "archived")
  local old = redis.call("ZRANGE", KEYS[4], "-inf", ARGV[9], "BYSCORE")
  if #old > 0 then
    for _, id in ipairs(old) do redis.call("DEL", KEYS[9] .. id) end
    redis.call("ZREM", KEYS[4], unpack(old))
  end
  local extra = redis.call("ZRANGE", KEYS[4], 0, -ARGV[10])
  if #extra > 0 then
    for _, id in ipairs(extra) do redis.call("DEL", KEYS[9] .. id) end
    redis.call("ZREM", KEYS[4], unpack(extra))
  end
else
  redis.call("HSET", KEYS[1], "msg", ARGV[3], "state", "retry")
end
local n = redis.call("INCR", KEYS[5])
if tonumber(n) == 1 then redis.call("EXPIREAT", KEYS[5], ARGV[6]) end
local m = redis.call("INCR", KEYS[6])
if tonumber(m) == 1 then redis.call("EXPIREAT", KEYS[6], ARGV[6]) end
local total = redis.call("GET", KEYS[7])
if tonumber(total) == tonumber(ARGV[7]) then
  redis.call("SET", KEYS[7], 1)
  redis.call("SET", KEYS[8], 1)
else
  redis.call("INCR", KEYS[7])
  redis.call("INCR", KEYS[8])
end
return 1`)

// Fields of Asynq's TaskMessage (internal/proto/asynq.proto).
const (
	fieldRetry        protowire.Number = 5
	fieldRetried      protowire.Number = 6
	fieldErrorMsg     protowire.Number = 7
	fieldLastFailedAt protowire.Number = 11
)

// failedMessage returns the task message msg with one more attempt
// counted, errMsg and the time of failure, as Asynq records a failed
// attempt; and the task's retry limit and attempts so far (before this
// one).
func failedMessage(msg []byte, errMsg string, now time.Time) (out []byte, retry, retried int, err error) {
	b := msg
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return nil, 0, 0, protowire.ParseError(n)
		}
		m := protowire.ConsumeFieldValue(num, typ, b[n:])
		if m < 0 {
			return nil, 0, 0, protowire.ParseError(m)
		}
		field := b[:n+m]
		b = b[n+m:]
		switch num {
		case fieldRetry, fieldRetried:
			if typ != protowire.VarintType {
				return nil, 0, 0, errors.New("unexpected task message encoding")
			}
			v, _ := protowire.ConsumeVarint(field[n:])
			if num == fieldRetry {
				retry = int(int32(v))
				out = append(out, field...)
			} else {
				retried = int(int32(v))
			}
		case fieldErrorMsg, fieldLastFailedAt:
		default:
			out = append(out, field...)
		}
	}
	out = protowire.AppendTag(out, fieldRetried, protowire.VarintType)
	out = protowire.AppendVarint(out, uint64(retried+1))
	out = protowire.AppendTag(out, fieldErrorMsg, protowire.BytesType)
	out = protowire.AppendString(out, errMsg)
	out = protowire.AppendTag(out, fieldLastFailedAt, protowire.VarintType)
	out = protowire.AppendVarint(out, uint64(now.Unix()))
	return out, retry, retried, nil
}
