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

	"github.com/redis/go-redis/v9"
)

// Redis is a generation token under one key.
type Redis struct {
	Client redis.UniversalClient
	Key    string
}

// New returns the token of the named cache ("access") for the database
// name, so that deployments sharing a Redis do not disturb each other.
func New(c redis.UniversalClient, database, name string) *Redis {
	return &Redis{Client: c, Key: "cynllun:" + database + ":generation:" + name}
}

// Current returns the token, setting a new one when there is none.
func (g *Redis) Current(ctx context.Context) (string, error) {
	v, err := g.Client.Get(ctx, g.Key).Result()
	if err == nil {
		return v, nil
	}
	if !errors.Is(err, redis.Nil) {
		return "", err
	}
	if _, err := g.Client.SetNX(ctx, g.Key, rand.Text(), 0).Result(); err != nil {
		return "", err
	}
	// The token this instance set, or the one another set first.
	return g.Client.Get(ctx, g.Key).Result()
}

// Bump replaces the token with a new one.
func (g *Redis) Bump(ctx context.Context) error {
	return g.Client.Set(ctx, g.Key, rand.Text(), 0).Err()
}
