package server_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cynllun/cynllun/auth"
	"github.com/cynllun/cynllun/server"
)

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// TestTrustedDocuments: with a manifest of registered operations, a
// registered hash runs its operation (with or without its text); a query
// text that is not registered, or sent under another operation's hash, is
// FORBIDDEN before it is parsed, and an unknown hash is
// PERSISTED_QUERY_NOT_FOUND. Automatic persisted queries cannot register
// new operations.
func TestTrustedDocuments(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	const me = `query Me { me { id } }`
	const learner = `query L($id: ID!) { learner(id: $id) { id givenName } }`
	manifest := fmt.Sprintf(`{"format":"apollo-persisted-query-manifest","version":1,"operations":[
		{"id":%q,"name":"Me","type":"query","body":%q},{"id":%q,"name":"L","type":"query","body":%q}]}`, sha(me), me, sha(learner), learner)
	docs, err := server.ParseTrustedDocuments([]byte(manifest))
	if err != nil {
		t.Fatal(err)
	}
	v, err := auth.NewVerifier(context.Background(), auth.Config{HS256Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(server.New(e.svc, v, nil, nil, server.Config{TrustedDocuments: docs}))
	t.Cleanup(srv.Close)
	tok := e.token(f.alnco)
	send := func(body map[string]any) response {
		b, _ := json.Marshal(body)
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/graphql", bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		return e.send(tok, req)
	}
	pq := func(hash string) map[string]any {
		return map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hash}}
	}

	if r := send(map[string]any{"extensions": pq(sha(me))}); r.code() != "OK" || r.get("me", "id") != f.alnco {
		t.Errorf("registered hash alone: %s", r.raw)
	}
	if r := send(map[string]any{"query": learner, "variables": map[string]any{"id": f.l1}, "extensions": pq(sha(learner))}); r.code() != "OK" || r.get("learner", "id") != f.l1 {
		t.Errorf("registered hash with its text: %s", r.raw)
	}
	for name, body := range map[string]map[string]any{
		"a query with no hash":                {"query": me},
		"another text under a known hash":     {"query": `{ me { id name email } }`, "extensions": pq(sha(me))},
		"an unregistered query with its hash": {"query": `{ me { name } }`, "extensions": pq(sha(`{ me { name } }`))},
	} {
		r := send(body)
		if name == "an unregistered query with its hash" {
			// Automatic persisted queries would register it; here it is
			// an unknown hash.
			if r.code() != "INVALID" || r.Errors[0].Extensions["reason"] != "PERSISTED_QUERY_NOT_FOUND" || r.Data != nil {
				t.Errorf("%s: %s", name, r.raw)
			}
			continue
		}
		if r.code() != "FORBIDDEN" || !strings.Contains(r.Errors[0].Message, "registered operations") || r.Data != nil {
			t.Errorf("%s: %s", name, r.raw)
		}
	}
	if r := send(map[string]any{"extensions": pq(sha("nothing"))}); r.code() != "INVALID" || r.Errors[0].Extensions["reason"] != "PERSISTED_QUERY_NOT_FOUND" {
		t.Errorf("unknown hash: %s", r.raw)
	}
	// The unregistered query is still refused after being sent in full.
	if r := send(map[string]any{"extensions": pq(sha(`{ me { name } }`))}); r.code() != "INVALID" {
		t.Errorf("an operation was registered at run time: %s", r.raw)
	}
}

func TestParseTrustedDocuments(t *testing.T) {
	const q = `{ me { id } }`
	for _, tt := range []struct {
		name, manifest string
		ok             bool
	}{
		{"codegen", fmt.Sprintf(`{%q: %q}`, sha(q), q), true},
		{"codegen, upper-case id", fmt.Sprintf(`{%q: %q}`, strings.ToUpper(sha(q)), q), true},
		{"apollo", fmt.Sprintf(`{"format":"apollo-persisted-query-manifest","version":1,"operations":[{"id":%q,"body":%q}]}`, sha(q), q), true},
		{"apollo, other format", fmt.Sprintf(`{"format":"other","version":1,"operations":[{"id":%q,"body":%q}]}`, sha(q), q), false},
		{"id not the text's hash", fmt.Sprintf(`{%q: %q}`, sha("x"), q), false},
		{"empty", `{}`, false},
		{"not an object", `[]`, false},
		{"a value not a string", fmt.Sprintf(`{%q: 1}`, sha(q)), false},
	} {
		docs, err := server.ParseTrustedDocuments([]byte(tt.manifest))
		if (err == nil) != tt.ok {
			t.Errorf("%s: %v", tt.name, err)
		}
		if tt.ok && docs[sha(q)] != q {
			t.Errorf("%s: %v", tt.name, docs)
		}
	}
}

func FuzzParseTrustedDocuments(f *testing.F) {
	f.Add([]byte(`{"format":"apollo-persisted-query-manifest","version":1,"operations":[{"id":"a","body":"b"}]}`))
	f.Add([]byte(fmt.Sprintf(`{%q: %q}`, sha("{ a }"), "{ a }")))
	f.Fuzz(func(t *testing.T, b []byte) {
		docs, err := server.ParseTrustedDocuments(b)
		if err != nil {
			return
		}
		for id, body := range docs {
			if id != sha(body) {
				t.Fatalf("accepted id %s for a text whose hash is %s", id, sha(body))
			}
		}
	})
}

// TestTrustedDocumentsNewcomer: under trusted documents a newcomer (a
// signed-in subject with no account) accepts an invitation by sending the
// registered acceptInvitation's hash alone; any other operation, registered
// or not, is refused with 401 and creates nothing.
func TestTrustedDocumentsNewcomer(t *testing.T) {
	e, mail := inviteEnv(t)
	f := e.fixture()
	const me = `query Me { me { id } }`
	const accept = `mutation Accept($in: AcceptInvitationInput!) { acceptInvitation(input: $in) { relationship { id kind learnerId } } }`
	docs, err := server.ParseTrustedDocuments([]byte(fmt.Sprintf(`{%q: %q, %q: %q}`, sha(me), me, sha(accept), accept)))
	if err != nil {
		t.Fatal(err)
	}
	v, err := auth.NewVerifier(context.Background(), auth.Config{HS256Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(server.New(e.svc, v, nil, nil, server.Config{TrustedDocuments: docs}))
	t.Cleanup(srv.Close)
	const address = "trusted.advocate@example.org"
	e.must(e.token(f.parent), inviteMutation, map[string]any{"in": map[string]any{"learnerId": f.l1, "email": address, "endsAt": "2027-01-31"}})
	tok, _ := lastToken(t, mail, address)
	newbie := e.token("idp|trusted-newcomer")
	send := func(body map[string]any) response {
		b, _ := json.Marshal(body)
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/graphql", bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		return e.send(newbie, req)
	}
	pq := func(hash string) map[string]any {
		return map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hash}}
	}
	vars := map[string]any{"in": map[string]any{"token": tok, "name": "Ann"}}
	for _, tt := range []struct {
		name string
		body map[string]any
	}{
		{"another registered operation", map[string]any{"extensions": pq(sha(me))}},
		{"an unknown hash", map[string]any{"extensions": pq(sha("x")), "variables": vars}},
		{"accept's text under another hash", map[string]any{"query": accept, "extensions": pq(sha(me)), "variables": vars}},
		{"an unregistered accept's text", map[string]any{"query": acceptMutation, "variables": vars}},
	} {
		if r := send(tt.body); r.Status != http.StatusUnauthorized {
			t.Errorf("%s: %d %s", tt.name, r.Status, r.raw)
		}
	}
	r := send(map[string]any{"extensions": pq(sha(accept)), "variables": vars})
	if r.Status != http.StatusOK || r.str("acceptInvitation", "relationship", "kind") != "ADVOCATE_FOR" || r.str("acceptInvitation", "relationship", "learnerId") != f.l1 {
		t.Fatalf("accept by hash: %d %s", r.Status, r.raw)
	}
}
