package tracing

import (
	"context"
	"net"
	"strconv"
	"strings"
	"sync"

	"go.mongodb.org/mongo-driver/v2/event"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// CommandMonitor returns a MongoDB driver monitor that makes a client
// span for every command sent within a traced request or task, named
// "<command> <collection>" with the OpenTelemetry database attributes
// (db.system.name, db.operation.name, db.collection.name, db.namespace,
// server.address and server.port), and passes every event on to next.
// The command's body, which may hold a child's data, is never recorded;
// a failure records the server's error code only. Commands outside any
// trace (start-up, background scans) make no span. With tp nil it
// returns next.
//
// The contrib module otelmongo does this for the v2 driver but is not
// served by the module proxy this project uses; this follows its
// conventions (a span per command, ended by the matching finished event).
func CommandMonitor(tp trace.TracerProvider, next *event.CommandMonitor) *event.CommandMonitor {
	if tp == nil {
		return next
	}
	if next == nil {
		next = &event.CommandMonitor{}
	}
	m := &commandSpans{tr: Tracer(tp), open: map[commandKey]trace.Span{}}
	return &event.CommandMonitor{
		Started: func(ctx context.Context, ev *event.CommandStartedEvent) {
			m.started(ctx, ev)
			if next.Started != nil {
				next.Started(ctx, ev)
			}
		},
		Succeeded: func(ctx context.Context, ev *event.CommandSucceededEvent) {
			m.finished(ev.CommandFinishedEvent, nil)
			if next.Succeeded != nil {
				next.Succeeded(ctx, ev)
			}
		},
		Failed: func(ctx context.Context, ev *event.CommandFailedEvent) {
			m.finished(ev.CommandFinishedEvent, ev.Failure)
			if next.Failed != nil {
				next.Failed(ctx, ev)
			}
		},
	}
}

type commandKey struct {
	conn string
	req  int64
}

type commandSpans struct {
	tr   trace.Tracer
	mu   sync.Mutex
	open map[commandKey]trace.Span
}

func (m *commandSpans) started(ctx context.Context, ev *event.CommandStartedEvent) {
	if !trace.SpanContextFromContext(ctx).IsValid() {
		return
	}
	coll := ""
	if v, ok := ev.Command.Lookup(ev.CommandName).StringValueOK(); ok {
		coll = v
	}
	name := ev.CommandName
	if coll != "" {
		name += " " + coll
	}
	attrs := make([]attribute.KeyValue, 0, 7)
	attrs = append(attrs,
		attribute.String("db.system.name", "mongodb"),
		attribute.String("db.operation.name", ev.CommandName),
		attribute.String("db.namespace", ev.DatabaseName))
	if coll != "" {
		attrs = append(attrs, attribute.String("db.collection.name", coll))
	}
	if host, port, ok := hostPort(ev.ConnectionID); ok {
		attrs = append(attrs, attribute.String("server.address", host), attribute.Int("server.port", port))
	}
	_, span := m.tr.Start(ctx, name, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
	m.mu.Lock()
	m.open[commandKey{ev.ConnectionID, ev.RequestID}] = span
	m.mu.Unlock()
}

func (m *commandSpans) finished(ev event.CommandFinishedEvent, failure error) {
	k := commandKey{ev.ConnectionID, ev.RequestID}
	m.mu.Lock()
	span, ok := m.open[k]
	delete(m.open, k)
	m.mu.Unlock()
	if !ok {
		return
	}
	if failure != nil {
		// The server's code only: its message may quote a document.
		code := "error"
		if c, ok := failure.(interface{ ErrorCodes() []int }); ok && len(c.ErrorCodes()) > 0 {
			code = strconv.Itoa(c.ErrorCodes()[0])
			span.SetAttributes(attribute.String("db.response.status_code", code))
		}
		span.SetStatus(codes.Error, code)
	}
	span.End()
}

// hostPort reads the server's address from a driver connection id
// ("host:port[-n]").
func hostPort(connID string) (string, int, bool) {
	if i := strings.LastIndexByte(connID, '['); i > 0 {
		connID = connID[:i]
	}
	host, p, err := net.SplitHostPort(connID)
	if err != nil {
		return "", 0, false
	}
	port, err := strconv.Atoi(p)
	if err != nil {
		return "", 0, false
	}
	return host, port, true
}
