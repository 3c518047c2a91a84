package server_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// reportedCost is the extensions.cost of a response.
func reportedCost(t *testing.T, r response) (requested, actual, limit int) {
	t.Helper()
	var body struct {
		Extensions struct {
			Cost *struct{ Requested, Actual, Limit int }
		}
	}
	if err := json.Unmarshal(r.raw, &body); err != nil {
		t.Fatal(err)
	}
	if body.Extensions.Cost == nil {
		t.Fatalf("no extensions.cost in %s", r.raw)
	}
	c := body.Extensions.Cost
	return c.Requested, c.Actual, c.Limit
}

// caseloadQuery is what a caseload screen asks for: a page of learners at
// the default page size, each with its setting, LA and plans' current
// versions.
const caseloadQuery = `query($after: String) { learners(after: $after) { totalCount pageInfo { hasNextPage endCursor }
	edges { cursor node { id givenName familyName preferredName dateOfBirth age status language lookedAfter
		setting { id name nameCy } localAuthority { id name nameCy }
		plans { id laMaintained maintainer { id name } currentVersionNumber currentVersion { number status createdAt createdBy } } } } } }`

// TestCostReported: every response says what it was priced at before it
// ran, what the fields it resolved cost, and the limit; a caseload screen
// at the default page size is well inside the default limit.
func TestCostReported(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	tok := e.token(f.alnco)

	r := e.must(tok, `{ me { id name } }`, nil)
	if req, act, lim := reportedCost(t, r); req != 3 || act != 3 || lim != 10000 {
		t.Errorf("{ me { id name } }: requested %d, actual %d, limit %d; want 3, 3, 10000", req, act, lim)
	}

	// A page of 50 priced before it ran, a page of what exists resolved.
	r = e.must(tok, caseloadQuery, nil)
	req, act, lim := reportedCost(t, r)
	n := len(r.get("learners", "edges").([]any))
	if n == 0 || req <= act || act < n || lim != 10000 {
		t.Errorf("caseload of %d learners: requested %d, actual %d, limit %d", n, req, act, lim)
	}
	if req > lim/2 {
		t.Errorf("a caseload screen at the default page size costs %d of the limit %d", req, lim)
	}
	t.Logf("caseload screen: requested %d, actual %d (%d learners), limit %d", req, act, n, lim)

	// A mutation's price is its own (a write costs more than a read).
	r = e.do(tok, `mutation { revokeAccess(input: {id: "rel_does_not_exist"}) { relationship { id } } }`, nil)
	if req, act, _ := reportedCost(t, r); req < 20 || act < 20 {
		t.Errorf("a mutation: requested %d, actual %d; want at least the price of a write (20)", req, act)
	}
}

// TestRequestID: every response carries X-Request-Id (the caller's when
// it is a plain token, a new one otherwise) and every error names it.
func TestRequestID(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	tok := e.token(f.alnco)
	for _, tt := range []struct{ sent, want string }{
		{"req-2026.12_07", "req-2026.12_07"},
		{"", ""},
		{"has spaces and <script>", ""},
		{strings.Repeat("a", 65), ""},
	} {
		body := strings.NewReader(`{"query":"{ learner(id: \"lrn_missing\") { id } }"}`)
		req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/graphql", body)
		req.Header.Set("Content-Type", "application/json")
		if tt.sent != "" {
			req.Header.Set("X-Request-Id", tt.sent)
		}
		r := e.send(tok, req)
		if len(r.Errors) == 0 {
			t.Fatalf("no error: %s", r.raw)
		}
		got, _ := r.Errors[0].Extensions["requestId"].(string)
		if tt.want != "" && got != tt.want || tt.want == "" && (len(got) < 16 || got == tt.sent) {
			t.Errorf("sent %q: requestId %q", tt.sent, got)
		}
	}
	// Errors written before GraphQL runs carry it too.
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/graphql", strings.NewReader(`{"query":"{ me { id } }"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Request-Id", "no-token-1")
	r := e.send("", req)
	if r.code() != "UNAUTHENTICATED" || r.Errors[0].Extensions["requestId"] != "no-token-1" {
		t.Errorf("unauthenticated: %s", r.raw)
	}
}
