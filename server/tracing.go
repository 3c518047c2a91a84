package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/ravilushqa/otelgqlgen"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/cynllun/cynllun/internal/tracing"
)

// Tracing (Config.Tracing, off when nil): otelhttp makes a server span for
// every HTTP request, continuing the caller's W3C traceparent when it
// sends one; otelgqlgen a span for every GraphQL operation within it; the
// MongoDB monitor (tracing.CommandMonitor) a span for every command; and
// the job queue carries the trace on to the worker's span.
//
// What the spans hold: the method, route, status and the like; the
// operation's name, type and cost; never the query's text (its SHA-256
// instead, as trusted documents name it), its variables or a field's
// arguments, which may carry a child's data. Field spans are off: one
// span per field would cost more than the operation.

// traceHTTP wraps h in otelhttp's server span, named by method and route.
// The client's address and port, which otelhttp records, are blanked: a
// user's IP address is personal data, and the trace does not need it.
func traceHTTP(tp trace.TracerProvider, h http.Handler) http.Handler {
	if tp == nil {
		return h
	}
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if span := trace.SpanFromContext(r.Context()); span.IsRecording() {
			span.SetAttributes(blankedPeer...)
		}
		h.ServeHTTP(w, r)
	})
	return otelhttp.NewHandler(inner, "http",
		otelhttp.WithTracerProvider(tp), otelhttp.WithPropagators(tracing.Propagator),
		otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string { return r.Method + " " + route(r) }))
}

// blankedPeer replace the client's address in otelhttp's span.
var blankedPeer = []attribute.KeyValue{
	attribute.String("client.address", ""), attribute.String("network.peer.address", ""), attribute.Int("network.peer.port", 0),
}

// useTracing adds otelgqlgen's operation spans, without variables or
// field spans, and OperationTraceAttributes, to srv.
func useTracing(srv *handler.Server, tp trace.TracerProvider) {
	if tp == nil {
		return
	}
	srv.Use(otelgqlgen.Middleware(
		otelgqlgen.WithTracerProvider(tp),
		otelgqlgen.WithoutVariables(),
		otelgqlgen.WithCreateSpanFromFields(func(*graphql.FieldContext) bool { return false }),
		otelgqlgen.WithSpanKindSelector(func(string) trace.SpanKind { return trace.SpanKindInternal }),
		otelgqlgen.WithInterceptResponseResultHandlerFunc(operationOutcome),
	))
	srv.Use(OperationTraceAttributes{})
}

// operationOutcome marks an operation's span failed with its errors'
// codes (never their messages or paths).
func operationOutcome(resp *graphql.Response, span trace.Span) *graphql.Response {
	if resp == nil || len(resp.Errors) == 0 {
		return resp
	}
	codeList := make([]string, 0, len(resp.Errors))
	for _, e := range resp.Errors {
		c, _ := e.Extensions["code"].(string)
		if c == "" {
			c = "ERROR"
		}
		codeList = append(codeList, c)
	}
	span.SetAttributes(attribute.StringSlice("graphql.error.codes", codeList), attribute.Int("graphql.error.count", len(codeList)))
	span.SetStatus(codes.Error, codeList[0])
	return resp
}

// OperationTraceAttributes runs inside otelgqlgen's operation span and
// replaces the query text it records (gql.request.query) with the text's
// SHA-256, and adds graphql.operation.name and graphql.operation.type.
type OperationTraceAttributes struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.ResponseInterceptor
} = OperationTraceAttributes{}

func (OperationTraceAttributes) ExtensionName() string                   { return "OperationTraceAttributes" }
func (OperationTraceAttributes) Validate(graphql.ExecutableSchema) error { return nil }

func (OperationTraceAttributes) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	if !graphql.HasOperationContext(ctx) {
		return next(ctx)
	}
	if span := trace.SpanFromContext(ctx); span.IsRecording() {
		oc := graphql.GetOperationContext(ctx)
		sum := sha256.Sum256([]byte(oc.RawQuery))
		attrs := []attribute.KeyValue{otelgqlgen.RequestQuery("sha256:" + hex.EncodeToString(sum[:]))}
		if oc.Operation != nil {
			attrs = append(attrs, attribute.String("graphql.operation.type", string(oc.Operation.Operation)))
			if oc.Operation.Name != "" {
				attrs = append(attrs, attribute.String("graphql.operation.name", oc.Operation.Name))
			}
		}
		span.SetAttributes(attrs...)
	}
	return next(ctx)
}
