package server

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/transport"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/locale"
)

// Close codes of the graphql-transport-ws protocol for a connection that
// is not, or no longer, allowed: 4401 when connection_init carries no
// valid token (or the token has expired since), 4403 when the token is
// valid but its account may not use the API. A client told 1000 (normal
// closure) would think the server had finished, not that it must sign in
// again.
const (
	WSCloseUnauthorized = 4401
	WSCloseForbidden    = 4403
)

// wsInitRefused is what InitFunc returns when connection_init fails: the
// context carries the close code and reason gqlgen's transport closes with.
// The message goes to the client in a connection_error message first.
func wsInitRefused(ctx context.Context, code cynllun.Code, message string) (context.Context, *transport.InitPayload, error) {
	close, reason := WSCloseUnauthorized, "Unauthorized"
	if code == cynllun.CodeForbidden {
		close, reason = WSCloseForbidden, "Forbidden"
	}
	ctx = transport.WithWebsocketCloseCode(ctx, close)
	ctx = transport.AppendCloseReason(ctx, reason)
	// The message in the language of the upgrade request.
	message, _, _ = locale.Translate(locale.From(ctx), message)
	return ctx, nil, errors.New(message)
}

// wsExpiry is when the token of a websocket connection expires, set by
// InitFunc once connection_init is verified.
type wsExpiry struct {
	mu sync.Mutex
	at time.Time
}

func (e *wsExpiry) set(t time.Time) {
	e.mu.Lock()
	e.at = t
	e.mu.Unlock()
}

func (e *wsExpiry) passed(now time.Time) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return !e.at.IsZero() && !now.Before(e.at)
}

type wsExpiryKey struct{}

func wsExpiryFrom(ctx context.Context) *wsExpiry {
	e, _ := ctx.Value(wsExpiryKey{}).(*wsExpiry)
	return e
}

// withWSExpiry gives each websocket upgrade a place for its token's expiry,
// read by the connection (see expiringConn) when gqlgen closes it.
func withWSExpiry(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isWebsocketUpgrade(r) {
			r = r.WithContext(context.WithValue(r.Context(), wsExpiryKey{}, &wsExpiry{}))
		}
		next.ServeHTTP(w, r)
	})
}

// wsImplementation is gqlgen's default websocket implementation
// (coder/websocket) with one change: gqlgen closes a connection whose
// context has ended with 1000 whatever the cause; when the cause is the
// token's expiry the close says 4401, so the client signs in again.
type wsImplementation struct {
	transport.CoderWebsocketImplementation
}

func (i wsImplementation) Accept(w http.ResponseWriter, r *http.Request, o transport.WebsocketAcceptOptions) (transport.WebsocketConn, error) {
	c, err := i.CoderWebsocketImplementation.Accept(w, r, o)
	if err != nil {
		return nil, err
	}
	return &expiringConn{WebsocketConn: c, exp: wsExpiryFrom(r.Context())}, nil
}

type expiringConn struct {
	transport.WebsocketConn
	exp *wsExpiry
}

func (c *expiringConn) WriteClose(code int, message string) error {
	if code == transport.WebsocketCloseNormalClosure && c.exp != nil && c.exp.passed(time.Now()) {
		code, message = WSCloseUnauthorized, "token expired"
	}
	return c.WebsocketConn.WriteClose(code, message)
}

// The optional interfaces of the wrapped connection (read limit, pong
// deadline) are kept.
func (c *expiringConn) SetReadLimit(n int64) {
	if l, ok := c.WebsocketConn.(transport.WebsocketReadLimiter); ok {
		l.SetReadLimit(n)
	}
}

func (c *expiringConn) SetReadDeadline(t time.Time) error {
	if d, ok := c.WebsocketConn.(transport.WebsocketReadDeadliner); ok {
		return d.SetReadDeadline(t)
	}
	return nil
}

var (
	_ transport.WebsocketReadLimiter   = (*expiringConn)(nil)
	_ transport.WebsocketReadDeadliner = (*expiringConn)(nil)
)
