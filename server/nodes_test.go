package server_test

import (
	"fmt"
	"strings"
	"testing"
)

// TestNodes: nodes(ids:) answers in the order given, with null (and no
// error) for ids that name nothing the caller may see; more than 100 ids
// are INVALID before any is read.
func TestNodes(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	q := `query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }`
	ids := []string{f.plan1, f.l2, "lrn_no_such_learner", f.plan1 + "/v1", "nonsense", f.l1, f.alnco}
	r := e.must(e.token(f.alnco), q, map[string]any{"ids": ids})
	got := r.get("nodes").([]any)
	if len(got) != len(ids) {
		t.Fatalf("%d entries for %d ids: %s", len(got), len(ids), r.raw)
	}
	want := []string{"Plan:" + f.plan1, "", "", "PlanVersion:" + f.plan1 + "/v1", "", "Learner:" + f.l1, "User:" + f.alnco}
	for i, g := range got {
		s := ""
		if g != nil {
			m := g.(map[string]any)
			s = fmt.Sprint(m["__typename"], ":", m["id"])
		}
		if s != want[i] {
			t.Errorf("entry %d (%s) = %q, want %q", i, ids[i], s, want[i])
		}
	}
	// A stranger sees only nulls, and no error says why.
	r = e.must(e.token(f.stranger), q, map[string]any{"ids": ids[:6]})
	for i, g := range r.get("nodes").([]any) {
		if g != nil {
			t.Errorf("stranger sees entry %d: %v", i, g)
		}
	}
	if strings.Contains(string(r.raw), `"errors"`) {
		t.Errorf("errors for unreadable ids: %s", r.raw)
	}
	// Over the limit: INVALID on ids, nothing read.
	many := make([]string, 101)
	for i := range many {
		many[i] = f.l1
	}
	if rr := e.do(e.token(f.alnco), q, map[string]any{"ids": many}); rr.code() != "INVALID" {
		t.Fatalf("101 ids: %s", rr.raw)
	}
}
