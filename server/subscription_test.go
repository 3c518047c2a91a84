package server_test

import (
	"testing"
	"time"

	"github.com/99designs/gqlgen/client"
)

// TestSubscription: a parent subscribed over the websocket transport hears
// about a version the ALNCo saves; a stranger cannot subscribe.
func TestSubscription(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	c := client.New(e.handler, client.Path("/graphql"))
	query := `subscription($id: ID!) { planVersionSaved(planId: $id) { planId number version { number status } } }`

	sub := c.WebsocketWithPayload(query, map[string]any{"authorization": "Bearer " + e.token(f.parent)}, client.Var("id", f.plan1))
	defer sub.Close()
	got := make(chan error, 1)
	var resp struct {
		PlanVersionSaved struct {
			PlanID  string
			Number  int
			Version struct {
				Number int
				Status string
			}
		}
	}
	go func() { got <- sub.Next(&resp) }()

	// The subscription is registered asynchronously after "start"; save
	// until the event arrives (each save is a new version).
	alnco := e.token(f.alnco)
	deadline := time.After(10 * time.Second)
	for v := 1; ; v++ {
		e.must(alnco, `mutation($in: SaveVersionInput!) { saveVersion(input: $in) { version { number } } }`, map[string]any{"in": map[string]any{
			"planId": f.plan1, "expectedVersion": v, "status": "FINAL", "content": sampleContent("subscription")}})
		select {
		case err := <-got:
			if err != nil {
				t.Fatal(err)
			}
			if resp.PlanVersionSaved.PlanID != f.plan1 || resp.PlanVersionSaved.Number < 2 || resp.PlanVersionSaved.Version.Status != "FINAL" {
				t.Fatalf("event = %+v", resp.PlanVersionSaved)
			}
			// A stranger's subscription is refused with NOT_FOUND.
			bad := c.WebsocketWithPayload(query, map[string]any{"authorization": "Bearer " + e.token(f.stranger)}, client.Var("id", f.plan1))
			defer bad.Close()
			var r2 map[string]any
			if err := bad.Next(&r2); err == nil {
				t.Fatalf("stranger subscribed: %v", r2)
			}
			return
		case <-time.After(200 * time.Millisecond):
		case <-deadline:
			t.Fatal("no event within 10s")
		}
	}
}
