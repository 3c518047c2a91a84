// Package events carries announcements between processes over Redis
// pub/sub (saved plan versions, job updates), so a subscriber connected to
// one API instance hears about a change made through another or by a worker.
// Messages hold ids and numbers only.
package events

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/service"
)

// Bus implements service.Publisher on Redis.
type Bus struct {
	rdb redis.UniversalClient
}

// PublishTimeout bounds one announcement. Announcements are best-effort
// (a subscriber re-reads the record when it reconnects), so while Redis is
// down a write that announces itself waits this long at most, not the
// client's dial and retry time.
const PublishTimeout = 250 * time.Millisecond

// New returns a Bus on rdb.
func New(rdb redis.UniversalClient) *Bus { return &Bus{rdb: rdb} }

var _ service.Publisher = (*Bus)(nil)

func channel(planID string) string { return "cynllun:plan:" + planID + ":versions" }

// PublishVersionSaved announces ev to the plan's subscribers.
func (b *Bus) PublishVersionSaved(ctx context.Context, ev service.VersionSaved) error {
	msg, err := json.Marshal(ev)
	if err != nil {
		return cynllun.Internal("events.Publish", err)
	}
	ctx, cancel := context.WithTimeout(ctx, PublishTimeout)
	defer cancel()
	if err := b.rdb.Publish(ctx, channel(ev.PlanID), msg).Err(); err != nil {
		return cynllun.Internal("events.Publish", err)
	}
	return nil
}

// SubscribeVersionSaved streams events for planID until ctx ends. The
// subscription is confirmed before it returns, so no event published after
// the call returns is missed.
func (b *Bus) SubscribeVersionSaved(ctx context.Context, planID string) (<-chan service.VersionSaved, error) {
	sub, err := b.subscribe(ctx, "events.Subscribe", channel(planID))
	if err != nil {
		return nil, err
	}
	out := make(chan service.VersionSaved, 16)
	go func() {
		defer close(out)
		defer sub.Close()
		msgs := sub.Channel()
		for {
			select {
			case <-ctx.Done():
				return
			case m, ok := <-msgs:
				if !ok {
					return
				}
				var ev service.VersionSaved
				if err := json.Unmarshal([]byte(m.Payload), &ev); err != nil || ev.PlanID != planID {
					continue
				}
				select {
				case out <- ev:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out, nil
}

func jobChannel(jobID string) string { return "cynllun:job:" + jobID }

// PublishJobUpdated announces that a job changed (its id only).
func (b *Bus) PublishJobUpdated(ctx context.Context, jobID string) error {
	ctx, cancel := context.WithTimeout(ctx, PublishTimeout)
	defer cancel()
	if err := b.rdb.Publish(ctx, jobChannel(jobID), jobID).Err(); err != nil {
		return cynllun.Internal("events.PublishJob", err)
	}
	return nil
}

// SubscribeJobUpdated signals each update of a job until ctx ends. Like
// SubscribeVersionSaved it is confirmed before it returns. Updates that
// arrive faster than they are read are merged into one signal: a reader
// always re-reads the job.
func (b *Bus) SubscribeJobUpdated(ctx context.Context, jobID string) (<-chan struct{}, error) {
	sub, err := b.subscribe(ctx, "events.SubscribeJob", jobChannel(jobID))
	if err != nil {
		return nil, err
	}
	out := make(chan struct{}, 1)
	go func() {
		defer close(out)
		defer sub.Close()
		msgs := sub.Channel()
		for {
			select {
			case <-ctx.Done():
				return
			case _, ok := <-msgs:
				if !ok {
					return
				}
				select {
				case out <- struct{}{}:
				default: // a signal is already waiting
				}
			}
		}
	}()
	return out, nil
}

// subscribe subscribes to channel and waits for Redis to confirm, so no
// message published after it returns is missed.
func (b *Bus) subscribe(ctx context.Context, op, channel string) (*redis.PubSub, error) {
	sub := b.rdb.Subscribe(ctx, channel)
	if _, err := sub.Receive(ctx); err != nil {
		_ = sub.Close()
		return nil, cynllun.Internal(op, err)
	}
	return sub, nil
}

// Ping checks Redis (readiness).
func (b *Bus) Ping(ctx context.Context) error {
	if err := b.rdb.Ping(ctx).Err(); err != nil {
		return errors.Join(errors.New("redis ping"), err)
	}
	return nil
}
