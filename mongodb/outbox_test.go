package mongodb

import (
	"context"
	"slices"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/cynllun/cynllun"
)

// TestOutboxLeaseAndClaim: an entry is leased to one taker at a time and
// only once its lease ran out; a claim's id is taken once; a claim is
// removed by its holder's token only.
func TestOutboxLeaseAndClaim(t *testing.T) {
	ctx := context.Background()
	now := time.Now().UTC()
	e := &cynllun.OutboxEntry{ID: cynllun.NewID("obx_"), Kind: cynllun.OutboxEvent, EventKind: cynllun.EventIDPGiven,
		On: cynllun.DateOf(now), RecordedAt: now, LeasedUntil: now.Add(time.Minute)}
	if err := testDB.RecordOutbox(ctx, e); err != nil {
		t.Fatal(err)
	}
	if err := testDB.RecordOutbox(ctx, e); err != nil {
		t.Fatalf("recording again: %v", err)
	}
	if _, ok, err := testDB.LeaseOutbox(ctx, e.ID, now, now.Add(time.Minute)); err != nil || ok {
		t.Fatalf("leased while its writer holds it: %v, %v", ok, err)
	}
	later := now.Add(2 * time.Minute)
	got, ok, err := testDB.LeaseOutbox(ctx, e.ID, later, later.Add(time.Minute))
	if err != nil || !ok || got.Attempts != 1 || got.EventKind != cynllun.EventIDPGiven || got.On != e.On {
		t.Fatalf("lease after it ran out: %+v, %v, %v", got, ok, err)
	}
	if _, ok, _ := testDB.LeaseOutbox(ctx, e.ID, later, later.Add(time.Minute)); ok {
		t.Fatal("leased twice")
	}
	if err := testDB.FinishOutbox(ctx, e.ID, ""); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := testDB.LeaseOutbox(ctx, e.ID, later.Add(time.Hour), later); ok {
		t.Fatal("a finished entry was leased")
	}

	claim := &cynllun.OutboxEntry{ID: cynllun.ConclusionClaimID(cynllun.NewID("rev_")), Kind: cynllun.OutboxConclusion, Token: "a",
		Decision: &cynllun.Decision{Kind: cynllun.DecisionNoRevision, Reasons: "r", DecidedOn: cynllun.DateOf(now)}, RecordedAt: now, LeasedUntil: now}
	if err := testDB.ClaimOutbox(ctx, claim); err != nil {
		t.Fatal(err)
	}
	other := *claim
	other.Token = "b"
	if err := testDB.ClaimOutbox(ctx, &other); cynllun.ErrorCode(err) != cynllun.CodeConflict {
		t.Fatalf("second claim: %v, want CONFLICT", err)
	}
	if err := testDB.FinishOutbox(ctx, claim.ID, "b"); err != nil {
		t.Fatal(err)
	}
	pending, err := testDB.PendingOutbox(ctx, 0)
	if err != nil || !slices.ContainsFunc(pending, func(p *cynllun.OutboxEntry) bool {
		return p.ID == claim.ID && p.Decision.Kind == cynllun.DecisionNoRevision
	}) {
		t.Fatalf("the claim was released by another token: %v, %v", pending, err)
	}
	if err := testDB.FinishOutbox(ctx, claim.ID, "a"); err != nil {
		t.Fatal(err)
	}
	if err := testDB.ClaimOutbox(ctx, &other); err != nil {
		t.Fatalf("claim after release: %v", err)
	}
	_ = testDB.FinishOutbox(ctx, other.ID, "")
}

// BenchmarkOutboxEntry: what one outbox entry costs a write: recorded,
// then removed.
func BenchmarkOutboxEntry(b *testing.B) {
	ctx := context.Background()
	b.Run("record+finish", func(b *testing.B) {
		for range b.N {
			e := &cynllun.OutboxEntry{ID: cynllun.NewID("obx_"), Kind: cynllun.OutboxVersion, Ref: "pln_x/v2", RecordedAt: time.Now(), LeasedUntil: time.Now()}
			if err := testDB.RecordOutbox(ctx, e); err != nil {
				b.Fatal(err)
			}
			if err := testDB.FinishOutbox(ctx, e.ID, ""); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("insert+delete", func(b *testing.B) {
		for range b.N {
			e := &cynllun.OutboxEntry{ID: cynllun.NewID("obx_"), Kind: cynllun.OutboxVersion, Ref: "pln_x/v2", RecordedAt: time.Now(), LeasedUntil: time.Now()}
			if _, err := testDB.coll(collOutbox).InsertOne(ctx, toOutboxDoc(e)); err != nil {
				b.Fatal(err)
			}
			if _, err := testDB.coll(collOutbox).DeleteOne(ctx, bson.D{{Key: "_id", Value: e.ID}}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("insert", func(b *testing.B) {
		for range b.N {
			e := &cynllun.OutboxEntry{ID: cynllun.NewID("obx_"), Kind: cynllun.OutboxVersion, Ref: "pln_x/v2", RecordedAt: time.Now(), LeasedUntil: time.Now()}
			if _, err := testDB.coll(collOutbox).InsertOne(ctx, toOutboxDoc(e)); err != nil {
				b.Fatal(err)
			}
		}
	})
}
