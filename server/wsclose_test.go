package server_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/auth"
	"github.com/cynllun/cynllun/server"
)

// refusingVerifier is the deployment's verifier that accepts a token but
// refuses its account (here: one user id) with FORBIDDEN.
type refusingVerifier struct {
	*auth.Verifier
	refused string
}

func (v refusingVerifier) VerifyUntil(ctx context.Context, tok string) (string, time.Time, error) {
	sub, exp, err := v.Verifier.VerifyUntil(ctx, tok)
	if err == nil && sub == v.refused {
		return "", time.Time{}, cynllun.E(cynllun.CodeForbidden, "test.verify", "account suspended")
	}
	return sub, exp, err
}

// wsDial dials /graphql with graphql-transport-ws, sends connection_init
// with payload.
func wsDial(t *testing.T, url string, payload map[string]any) *websocket.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(url, "http")+"/graphql", &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.CloseNow() })
	if err := wsjson.Write(ctx, c, map[string]any{"type": "connection_init", "payload": payload}); err != nil {
		t.Fatal(err)
	}
	return c
}

// wsUntilClose reads messages until the server closes; it returns the
// close status, its reason and the types of the messages read.
func wsUntilClose(t *testing.T, c *websocket.Conn, within time.Duration) (websocket.StatusCode, string, []string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	var types []string
	for {
		var m map[string]any
		err := wsjson.Read(ctx, c, &m)
		if err != nil {
			var ce websocket.CloseError
			if errors.As(err, &ce) {
				return ce.Code, ce.Reason, types
			}
			t.Fatalf("read after %v: %v (messages %v)", types, err, types)
		}
		types = append(types, m["type"].(string))
	}
}

// TestWebsocketCloseCodes (issue 15, item 8): a refused connection_init
// closes with 4401 (no or bad token) or 4403 (token valid, account
// refused), not 1000; a connection whose token expires closes with 4401.
func TestWebsocketCloseCodes(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	v, err := auth.NewVerifier(context.Background(), auth.Config{HS256Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	e.withHandler(server.Config{Introspection: true})
	refusing := httpServer(t, server.New(e.svc, refusingVerifier{Verifier: v, refused: f.stranger}, nil, nil, server.Config{MaxBodyBytes: 256 << 10}))

	expired, err := auth.Mint(secret, "", "", f.parent, time.Minute, time.Now().Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		url     string
		payload map[string]any
		code    websocket.StatusCode
	}{
		{"no token", e.srv.URL, map[string]any{}, server.WSCloseUnauthorized},
		{"malformed token", e.srv.URL, map[string]any{"authorization": "Bearer not-a-token"}, server.WSCloseUnauthorized},
		{"expired token", e.srv.URL, map[string]any{"authorization": "Bearer " + expired}, server.WSCloseUnauthorized},
		{"unknown user", e.srv.URL, map[string]any{"authorization": "Bearer " + e.token("usr_nobody")}, server.WSCloseUnauthorized},
		{"account refused", refusing.URL, map[string]any{"authorization": "Bearer " + e.token(f.stranger)}, server.WSCloseForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := wsDial(t, tc.url, tc.payload)
			code, reason, types := wsUntilClose(t, c, 10*time.Second)
			if code != tc.code {
				t.Fatalf("closed with %d %q after %v, want %d", code, reason, types, tc.code)
			}
			if len(types) > 0 && types[0] == "connection_ack" {
				t.Fatalf("acknowledged before closing: %v", types)
			}
		})
	}

	t.Run("allowed", func(t *testing.T) {
		// The same account on the same server is acknowledged.
		c := wsDial(t, refusing.URL, map[string]any{"authorization": "Bearer " + e.token(f.parent)})
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		var m map[string]any
		if err := wsjson.Read(ctx, c, &m); err != nil || m["type"] != "connection_ack" {
			t.Fatalf("first message %v, %v; want connection_ack", m, err)
		}
	})

	t.Run("token expires while subscribed", func(t *testing.T) {
		tok, err := auth.Mint(secret, "", "", f.parent, 2*time.Second, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		c := wsDial(t, e.srv.URL, map[string]any{"authorization": "Bearer " + tok})
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := wsjson.Write(ctx, c, map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{
			"query": `subscription($id: ID!) { planVersionSaved(planId: $id) { planId } }`, "variables": map[string]any{"id": f.plan1}}}); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		code, reason, types := wsUntilClose(t, c, 8*time.Second)
		if code != server.WSCloseUnauthorized {
			t.Fatalf("closed with %d %q after %v, want 4401", code, reason, types)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("closed %v after subscribing; the token lived 2 s", d)
		}
		t.Logf("closed %d %q %v after subscribing", code, reason, time.Since(start).Round(time.Millisecond))
	})
}

func httpServer(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s
}
