package server

import (
	"context"
	"mime"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/cynllun/cynllun/graph"
	"github.com/cynllun/cynllun/locale"
)

// deadline gives a /graphql request a time limit: timeout for a query or
// mutation, upload for a multipart request (a large file on a slow link).
// The request's context is also cancelled when the client goes (net/http
// cancels it once the connection closes), so store calls stop either way
// and further fields are not resolved (stopWhenDone). Websocket upgrades
// are long-lived and bounded by their token's expiry instead.
func deadline(timeout, upload time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isWebsocketUpgrade(r) {
			next.ServeHTTP(w, r)
			return
		}
		d := timeout
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
			d = upload
		}
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// stopWhenDone resolves no further field once the request's context is
// done (deadline passed or client gone): each such field answers the typed
// error of graph.ContextError instead of starting more work. A query or
// mutation whose context ended before it started gets that error too
// (gqlgen would answer a bare "null").
type stopWhenDone struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.FieldInterceptor
	graphql.OperationInterceptor
} = stopWhenDone{}

func (stopWhenDone) ExtensionName() string                          { return "StopWhenDone" }
func (stopWhenDone) Validate(schema graphql.ExecutableSchema) error { return nil }

func (stopWhenDone) InterceptField(ctx context.Context, next graphql.Resolver) (any, error) {
	if err := ctx.Err(); err != nil {
		if fc := graphql.GetFieldContext(ctx); fc != nil && fc.IsResolver {
			return nil, graph.ContextError(err)
		}
	}
	return next(ctx)
}

func (stopWhenDone) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	h := next(ctx)
	if op := graphql.GetOperationContext(ctx).Operation; op == nil || op.Operation == ast.Subscription {
		return h // a subscription's nil response ends its stream
	}
	return func(ctx context.Context) *graphql.Response {
		if resp := h(ctx); resp != nil || ctx.Err() == nil {
			return resp
		}
		ce := graph.ContextError(ctx.Err())
		ext := map[string]any{"code": string(ce.Code)}
		msg, reason, _ := locale.Translate(locale.From(ctx), ce.Message)
		if reason != "" {
			ext["reason"] = reason
		}
		return &graphql.Response{Errors: gqlerror.List{{Message: msg, Extensions: ext}}}
	}
}
