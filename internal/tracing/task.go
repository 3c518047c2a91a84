package tracing

import (
	"context"

	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/cynllun/cynllun"
)

// HeaderRequestID is the task header carrying the id of the request that
// queued the task. The trace context goes in the W3C headers traceparent
// and tracestate. Task headers carry nothing else.
const HeaderRequestID = "request-id"

// TaskHeaders returns the headers of a task queued with ctx for the request
// requestID ("" for none): the request id and, within a trace, its W3C
// trace context. Nil when there is neither.
func TaskHeaders(ctx context.Context, requestID string) map[string]string {
	var h map[string]string
	if cynllun.PlainRequestID(requestID) {
		h = map[string]string{HeaderRequestID: requestID}
	}
	if trace.SpanContextFromContext(ctx).IsValid() {
		if h == nil {
			h = map[string]string{}
		}
		Propagator.Inject(ctx, propagation.MapCarrier(h))
	}
	return h
}

// TaskContext returns ctx with what a task's headers carry: the request
// id (cynllun.RequestID) and the remote span context, which the worker's
// span continues.
func TaskContext(ctx context.Context, headers map[string]string) context.Context {
	if len(headers) == 0 {
		return ctx
	}
	if id := headers[HeaderRequestID]; cynllun.PlainRequestID(id) {
		ctx = cynllun.WithRequestID(ctx, id)
	}
	if headers["traceparent"] != "" {
		ctx = Propagator.Extract(ctx, propagation.MapCarrier(headers))
	}
	return ctx
}
