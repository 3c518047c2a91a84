package server_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
)

// TestIdempotentRecords: uploadAttachment, addEvidence,
// createWebhookEndpoint and grantAccess with an idempotencyKey. A retry
// with the key returns the first result and creates nothing, also when 8
// arrive at once; the same key with other input is CONFLICT; a bad key is
// INVALID and stores nothing; keys are per user.
func TestIdempotentRecords(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	ctx := context.Background()
	alnco, officer, parent := e.token(f.alnco), e.token(f.officer), e.token(f.parent)
	for i := range 40 {
		if err := e.db.UpsertUser(ctx, userFor(fmt.Sprintf("usr_grantee%d", i), e.clock.Now())); err != nil {
			t.Fatal(err)
		}
	}
	caseID := e.must(officer, `mutation($in: OpenCaseInput!) { openCase(input: $in) { case { id } } }`, map[string]any{"in": map[string]any{
		"learnerId": f.l1, "kind": "DISAGREEMENT", "title": "Anghytundeb", "decision": map[string]any{"kind": "PROVISION"}}}).str("openCase", "case", "id")
	rcv := "http://127.0.0.1:9/hook"
	drawing, otherDrawing := pngBytes(t), tablePDF(t, "Adroddiad", 1)
	report, otherReport := tablePDF(t, "Adroddiad SaLT", 2), tablePDF(t, "Llythyr", 1)
	grantee := 0

	type mut struct {
		name string
		tok  string
		// send sends the mutation with key ("" for none) and one of two
		// inputs (variant 0 or 1); the result's id is at path.
		send  func(tok, key string, variant int) response
		path  []any
		count func() int // records of this kind now
	}
	count := func(tok, query string, vars map[string]any, path ...any) func() int {
		return func() int {
			l, _ := e.must(tok, query, vars).get(path...).([]any)
			return len(l)
		}
	}
	muts := []mut{
		{"uploadAttachment", parent, func(tok, key string, v int) response {
			vars := map[string]any{"l": f.l1, "f": nil}
			if key != "" {
				vars["k"] = key
			}
			data := [][]byte{drawing, otherDrawing}[v]
			name := []string{"llun.png", "adroddiad.pdf"}[v]
			ct := []string{"image/png", "application/pdf"}[v]
			return e.multipart(tok, `mutation($l: ID!, $f: Upload!, $k: String) { uploadAttachment(input: {learnerId: $l, file: $f, idempotencyKey: $k}) { file { id name } } }`, vars, name, ct, data)
		}, []any{"uploadAttachment", "file", "id"}, nil},
		{"addEvidence", officer, func(tok, key string, v int) response {
			in := withKey(map[string]any{"caseId": caseID, "title": []string{"SaLT report", "Letter"}[v], "kind": "REPORT"}, key)
			return e.addEvidence(tok, in, "report.pdf", "application/pdf", [][]byte{report, otherReport}[v])
		}, []any{"addEvidence", "evidence", "id"}, count(officer, `query($id: ID!) { case(id: $id) { evidence { nodes { id } } } }`, map[string]any{"id": caseID}, "case", "evidence", "nodes")},
		{"createWebhookEndpoint", alnco, func(tok, key string, v int) response {
			vars := map[string]any{"org": f.schoolA, "url": []string{rcv, rcv + "/other"}[v]}
			if key != "" {
				vars["k"] = key
			}
			return e.do(tok, `mutation($org: ID!, $url: String!, $k: String) { createWebhookEndpoint(input: {orgId: $org, url: $url, idempotencyKey: $k}) { secret endpoint { id } } }`, vars)
		}, []any{"createWebhookEndpoint", "endpoint", "id"}, count(alnco, `query($id: ID!) { organisation(id: $id) { webhookEndpoints { id } } }`, map[string]any{"id": f.schoolA}, "organisation", "webhookEndpoints")},
		{"grantAccess", alnco, func(tok, key string, v int) response {
			in := withKey(map[string]any{"userId": fmt.Sprintf("usr_grantee%d", grantee), "kind": []string{"PARENT_OF", "SELF"}[v], "learnerId": f.l1}, key)
			return e.do(tok, `mutation($in: GrantAccessInput!) { grantAccess(input: $in) { relationship { id kind } } }`, map[string]any{"in": in})
		}, []any{"grantAccess", "relationship", "id"}, count(alnco, `query($id: ID!) { learner(id: $id) { access { id } } }`, map[string]any{"id": f.l1}, "learner", "access")},
	}
	for _, m := range muts {
		t.Run(m.name, func(t *testing.T) {
			grantee++
			before := 0
			if m.count != nil {
				before = m.count()
			}
			first := m.send(m.tok, "k-"+m.name, 0)
			if first.code() != "OK" {
				t.Fatalf("first: %s", first.raw)
			}
			id := first.str(m.path...)
			again := m.send(m.tok, "k-"+m.name, 0)
			if again.str(m.path...) != id || again.code() != "OK" {
				t.Fatalf("retry made %s, first %s: %s", again.str(m.path...), id, again.raw)
			}
			if m.name == "createWebhookEndpoint" && again.str("createWebhookEndpoint", "secret") != first.str("createWebhookEndpoint", "secret") {
				t.Errorf("a retry's secret is not the endpoint's: %s", again.raw)
			}
			if m.count != nil {
				if n := m.count(); n != before+1 {
					t.Fatalf("one request and its retry made %d records", n-before)
				}
			}
			// The same key with other input: CONFLICT, and nothing made.
			if r := m.send(m.tok, "k-"+m.name, 1); r.code() != "CONFLICT" || !strings.Contains(string(r.raw), "different request") {
				t.Fatalf("same key, other input: %s", r.raw)
			}
			// 8 at once with a new key: one record.
			grantee++
			ids := make([]string, 8)
			var wg sync.WaitGroup
			for i := range ids {
				wg.Go(func() {
					r := m.send(m.tok, "p-"+m.name, 0)
					ids[i] = r.str(m.path...)
					if r.code() != "OK" {
						t.Errorf("parallel %d: %s", i, r.raw)
					}
				})
			}
			wg.Wait()
			for _, x := range ids {
				if x != ids[0] || x == "" {
					t.Fatalf("parallel ids %v", ids)
				}
			}
			if m.count != nil {
				if n := m.count(); n != before+2 {
					t.Fatalf("8 requests with one key made %d records", n-before-1)
				}
			}
			// Bad keys: INVALID, on the key's field, and nothing made.
			for _, bad := range []string{strings.Repeat("x", 129), "a key"} {
				if r := m.send(m.tok, bad, 1); r.code() != "INVALID" || !strings.Contains(string(r.raw), "idempotencyKey") {
					t.Fatalf("bad key %.10q: %s", bad, r.raw)
				}
			}
			if m.count != nil {
				if n := m.count(); n != before+2 {
					t.Fatalf("refused requests made %d records", n-before-2)
				}
			}
		})
	}

	// Keys are per user: the same key and input from the officer is a new
	// grant, not the ALNCo's.
	grantee++
	g := muts[3]
	a := g.send(alnco, "mine", 0).str(g.path...)
	b := g.send(officer, "mine", 0).str(g.path...)
	if a == "" || b == "" || a == b {
		t.Fatalf("two users' keys: %q and %q", a, b)
	}
	// A grant retried keeps its audit trail to one event.
	r := e.must(officer, `query($id: ID!) { auditEvents(learnerId: $id, first: 200) { edges { node { part relationshipId } } } }`, map[string]any{"id": f.l1})
	n := 0
	for _, x := range r.get("auditEvents", "edges").([]any) {
		if node := x.(map[string]any)["node"].(map[string]any); node["part"] == "access.grant" && node["relationshipId"] == a {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("the grant was audited %d times", n)
	}
}
