// Package generation keeps, in Redis, the token that tells every instance
// whether what it has cached is still current (mongodb's access cache).
// Each change replaces the token with a new random one, so a flushed or
// restarted Redis, which loses the token, cannot bring back an old value
// that some instance still holds.
package generation

import (
	"context"
	"crypto/rand"
	"errors"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis is a generation token under one key.
type Redis struct {
	Client redis.UniversalClient
	Key    string
	// downUntil (Unix nanoseconds): after Redis failed to answer, the
	// token is taken as unreadable until then without asking again.
	downUntil atomic.Int64
}

// Timeout bounds one read of the token, and DownFor is how long a failed
// read is remembered: while Redis is down a request pays Timeout once a
// second at most, not the client's dial and retry time at every check.
// Callers treat an unreadable token as "no cache" (reads go to the
// database), so a slow answer costs nothing but the cache for a second.
// BumpTimeout bounds a change of the token; a change of access that cannot
// be announced is refused, so it is neither cut short by a remembered
// failure nor given as little time.
const (
	Timeout     = 200 * time.Millisecond
	DownFor     = time.Second
	BumpTimeout = time.Second
)

// ErrDown is the error of a read while a recent failure is remembered.
var ErrDown = errors.New("generation: redis did not answer recently")

// read runs f with Timeout, or fails at once while Redis is known down.
func (g *Redis) read(ctx context.Context, f func(context.Context) error) error {
	if time.Now().UnixNano() < g.downUntil.Load() {
		return ErrDown
	}
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	err := f(ctx)
	if err != nil && !errors.Is(err, redis.Nil) && !errors.Is(err, context.Canceled) {
		g.downUntil.Store(time.Now().Add(DownFor).UnixNano())
	}
	return err
}

// New returns the token of the named cache ("access") for the database
// name, so that deployments sharing a Redis do not disturb each other.
func New(c redis.UniversalClient, database, name string) *Redis {
	return &Redis{Client: c, Key: "cynllun:" + database + ":generation:" + name}
}

// Current returns the token, setting a new one when there is none.
func (g *Redis) Current(ctx context.Context) (token string, err error) {
	err = g.read(ctx, func(ctx context.Context) error {
		v, err := g.Client.Get(ctx, g.Key).Result()
		if err == nil {
			token = v
			return nil
		}
		if !errors.Is(err, redis.Nil) {
			return err
		}
		if _, err := g.Client.SetNX(ctx, g.Key, rand.Text(), 0).Result(); err != nil {
			return err
		}
		// The token this instance set, or the one another set first.
		token, err = g.Client.Get(ctx, g.Key).Result()
		return err
	})
	return token, err
}

// Bump replaces the token with a new one.
func (g *Redis) Bump(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, BumpTimeout)
	defer cancel()
	return g.Client.Set(ctx, g.Key, rand.Text(), 0).Err()
}
