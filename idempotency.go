package cynllun

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"
	"unicode"
)

// Idempotency: a retried mutation must not create a second record.
//
// Mutations with a natural key (a statutory event, a review request, a
// plan of a learner by one maintaining body, a ledger session) derive the
// record's id from that key, so the store's insert-or-conflict on _id
// decides. The others take an optional client key (idempotencyKey): the
// first request with a key claims it (an insert keyed by a hash of the
// principal, the mutation and the key), creates its record under an id
// derived from the claim, and marks the claim done; a retry with the same
// key and the same input returns that record; the same key with a
// different input is CONFLICT. Keys are per principal, never stored or
// logged as sent (only their hash is kept), and bounded in length.

// MaxIdempotencyKey bounds a client key, in bytes.
const MaxIdempotencyKey = 128

// IdempotencyClaim is the stored record of a client key or natural key.
type IdempotencyClaim struct {
	// ID is IdempotencyKeyID of the principal, mutation and key.
	ID string
	// Mutation names the mutation that claimed the key.
	Mutation string
	// Fingerprint is a hash of the request's input: the same key with
	// another input is refused.
	Fingerprint string
	// ResultID is the id of the record the request creates.
	ResultID string
	// Done is set once the record exists.
	Done bool
	// At is when the key was claimed: a claim not done long after belongs
	// to a request that died, and a retry may finish its work.
	At time.Time
}

// IdempotencyStore keeps claims of keys.
type IdempotencyStore interface {
	// ClaimIdempotencyKey inserts c. When a claim with c.ID exists it
	// returns that claim and false; otherwise c and true.
	ClaimIdempotencyKey(ctx context.Context, c *IdempotencyClaim) (*IdempotencyClaim, bool, error)
	// IdempotencyClaim reads a claim (NOT_FOUND when there is none).
	IdempotencyClaim(ctx context.Context, id string) (*IdempotencyClaim, error)
	// FinishIdempotencyKey marks a claim done.
	FinishIdempotencyKey(ctx context.Context, id string) error
	// ReleaseIdempotencyKey removes a claim whose request failed, so the
	// key may be used again.
	ReleaseIdempotencyKey(ctx context.Context, id string) error
}

// IdempotencyKeyID is the stored id of a claim: a hash of its scope (a
// principal's user id, or "" for natural keys), the mutation and the key,
// so the key itself is never stored.
func IdempotencyKeyID(scope, mutation, key string) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "idem\x00%s\x00%s\x00%s", scope, mutation, key))
	return "idk_" + hex.EncodeToString(sum[:16])
}

// DerivedID is the id, with prefix, of the record a claim creates.
func DerivedID(prefix, claimID string) string {
	sum := sha256.Sum256([]byte("result\x00" + claimID))
	return prefix + hex.EncodeToString(sum[:16])
}

// CheckIdempotencyKey says what is wrong with a client key, or "" when it
// is acceptable: 1 to MaxIdempotencyKey bytes of printable characters (a
// UUID is typical). The message never echoes the key.
func CheckIdempotencyKey(key string) string {
	if len(key) > MaxIdempotencyKey {
		return fmt.Sprintf("must be at most %d bytes", MaxIdempotencyKey)
	}
	for _, r := range key {
		if r == unicode.ReplacementChar || !unicode.IsPrint(r) || unicode.IsSpace(r) {
			return "must be printable characters without spaces (a UUID, for example)"
		}
	}
	return ""
}

// SessionID is the id of the ledger session recorded for a plan's 2B row
// on a date with a status; occurrence tells two sessions of one row on one
// day apart (1 for the first). Recording the same session again finds it.
func SessionID(planID, rowID string, on Date, status SessionStatus, occurrence int) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "session\x00%s\x00%s\x00%s\x00%s\x00%d", planID, rowID, on.String(), status, occurrence))
	return PrefixSession + hex.EncodeToString(sum[:16])
}
