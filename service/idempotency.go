package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/cynllun/cynllun"
)

// How long a request waits for another request holding the same key to
// finish, and after how long an unfinished claim is taken to belong to a
// request that died (longer than any request may run).
var (
	keyWait  = 10 * time.Second
	keyStale = 2 * time.Minute
)

// keySpec is one creation made idempotent by a key (cynllun/idempotency.go).
type keySpec struct {
	op string
	// mutation names what is created; a key is claimed per mutation.
	mutation string
	// scope is the principal's user id for a client key, "" for a natural
	// key (which is the same whoever sends it).
	scope string
	key   string
	// field is the input path of a client key, for INVALID; "" for a
	// natural key.
	field string
	// prefix is the id prefix of the record created.
	prefix string
	// result, when set, is the id of the record created, fixed by the
	// input (a content-addressed file) rather than derived from the claim.
	result string
	// input is fingerprinted: the same key with another input is refused.
	input any
	// reused is the CONFLICT message when the key was used for another
	// input ("" for the client-key message).
	reused string
}

// keyed runs create once per key: the first request claims the key and
// creates its record under an id derived from the claim; a request with
// the same key and input, at the same time or later, gets load of that
// id. Without a key, create runs with a fresh id.
func keyed[T any](ctx context.Context, s *Service, k keySpec, create func(id string) (T, error), load func(id string) (T, error)) (T, error) {
	var zero T
	if k.key == "" {
		if k.result != "" {
			return create(k.result)
		}
		return create(cynllun.NewID(k.prefix))
	}
	if k.field != "" {
		if msg := cynllun.CheckIdempotencyKey(k.key); msg != "" {
			return zero, cynllun.Invalid(k.op, cynllun.FieldError{Field: k.field, Message: msg})
		}
	}
	fp, err := fingerprint(k.input)
	if err != nil {
		return zero, cynllun.Internal(k.op, err)
	}
	id := cynllun.IdempotencyKeyID(k.scope, k.mutation, k.key)
	result := k.result
	if result == "" {
		result = cynllun.DerivedID(k.prefix, id)
	}
	want := &cynllun.IdempotencyClaim{ID: id, Mutation: k.mutation, Fingerprint: fp, ResultID: result, At: s.now().UTC()}
	deadline := time.Now().Add(keyWait)
	for pause := 10 * time.Millisecond; ; pause = min(2*pause, 200*time.Millisecond) {
		c, won, err := s.store.ClaimIdempotencyKey(ctx, want)
		if err != nil {
			return zero, cynllun.AsError(k.op, err)
		}
		if !won && (c.Mutation != k.mutation || c.Fingerprint != fp) {
			msg := k.reused
			if msg == "" {
				msg = "this idempotencyKey was used for a different request: send a new key with a new request"
			}
			return zero, cynllun.E(cynllun.CodeConflict, k.op, msg)
		}
		takeover := !won && !c.Done && s.now().Sub(c.At) > keyStale
		switch {
		case !won && c.Done:
			return load(c.ResultID)
		case won || takeover:
			v, err := create(c.ResultID)
			if err != nil {
				if takeover && cynllun.ErrorCode(err) == cynllun.CodeConflict {
					// The request that died got as far as the record.
					if v, lerr := load(c.ResultID); lerr == nil {
						_ = s.store.FinishIdempotencyKey(ctx, id)
						return v, nil
					}
				}
				if rerr := s.store.ReleaseIdempotencyKey(context.WithoutCancel(ctx), id); rerr != nil {
					s.log.WarnContext(ctx, "could not release an idempotency key", "op", k.op, "error", rerr)
				}
				return zero, err
			}
			if err := s.store.FinishIdempotencyKey(ctx, id); err != nil {
				// The record exists: a retry that finds the claim
				// unfinished takes it over once it is stale.
				s.log.WarnContext(ctx, "could not mark an idempotency key done", "op", k.op, "error", err)
			}
			return v, nil
		}
		// Another request holds the key: wait for it to finish or fail.
		if time.Now().After(deadline) {
			return zero, cynllun.E(cynllun.CodeConflict, k.op, "a request with this key is still in progress: try again shortly")
		}
		select {
		case <-ctx.Done():
			return zero, cynllun.AsError(k.op, ctx.Err())
		case <-time.After(pause):
		}
	}
}

// clientKey is the keySpec of a client's idempotencyKey on input.
func clientKey(op, mutation string, p *cynllun.Principal, key, prefix string, input any) keySpec {
	return keySpec{op: op, mutation: mutation, scope: p.UserID, key: key, field: "input.idempotencyKey", prefix: prefix, input: input}
}

// checkKey validates a client key sent as field before any work is done
// (keyed checks it too, but only once the request is ready to create).
func checkKey(op, field, key string) error {
	if key == "" {
		return nil
	}
	if msg := cynllun.CheckIdempotencyKey(key); msg != "" {
		return cynllun.Invalid(op, cynllun.FieldError{Field: field, Message: msg})
	}
	return nil
}

// snapshot is input as it was sent, for a fingerprint taken before the
// service fills in defaults or ids.
func snapshot(input any) any {
	b, err := json.Marshal(input)
	if err != nil {
		return input
	}
	return json.RawMessage(b)
}

// fingerprint hashes a request's input (its JSON encoding).
func fingerprint(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16]), nil
}
