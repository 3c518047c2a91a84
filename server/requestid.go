package server

import (
	"context"
	"crypto/rand"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/cynllun/cynllun"
)

// Every request has an id, so that an error a user reports can be found
// in the logs: the caller's X-Request-Id when it is a plain token (1–64
// letters, digits, '.', '_' or '-'), otherwise a new random one. It is
// sent back in the X-Request-Id header and in extensions.requestId of
// every error, and logged with the request. It says nothing about the
// request's content.

const requestIDHeader = "X-Request-Id"

// RequestID returns the request's id ("" outside a request;
// cynllun.RequestID).
func RequestID(ctx context.Context) string { return cynllun.RequestID(ctx) }

// withRequestID gives the request its id.
func withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(requestIDHeader)
		if !cynllun.PlainRequestID(id) {
			id = rand.Text()
		}
		w.Header().Set(requestIDHeader, id)
		if span := trace.SpanFromContext(r.Context()); span.IsRecording() {
			span.SetAttributes(attribute.String("cynllun.request_id", id))
		}
		next.ServeHTTP(w, r.WithContext(cynllun.WithRequestID(r.Context(), id)))
	})
}

// RequestIDErrors adds extensions.requestId to every error of a response.
type RequestIDErrors struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.ResponseInterceptor
} = RequestIDErrors{}

func (RequestIDErrors) ExtensionName() string                   { return "RequestIDErrors" }
func (RequestIDErrors) Validate(graphql.ExecutableSchema) error { return nil }

func (RequestIDErrors) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp == nil {
		return nil
	}
	if id := RequestID(ctx); id != "" {
		for _, e := range resp.Errors {
			if e.Extensions == nil {
				e.Extensions = map[string]any{}
			}
			e.Extensions["requestId"] = id
		}
	}
	return resp
}

// requestIDOf is the id the response carries, for errors written before
// GraphQL runs.
func requestIDOf(w http.ResponseWriter) string { return w.Header().Get(requestIDHeader) }
