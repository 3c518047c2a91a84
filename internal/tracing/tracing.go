// Package tracing is Cynllun's OpenTelemetry tracing: the OTLP exporter,
// off unless configured with the standard OTEL_* environment variables;
// the MongoDB command spans; the W3C trace context carried in queued
// tasks; and the log handler that puts the request id and trace id on
// every log line made with a request's or a task's context.
//
// Off, nothing is wrapped or started: the programs get a nil
// trace.TracerProvider, and every part here takes nil as "no tracing".
//
// What a span may hold: names of operations, commands and collections,
// ids, codes and durations; never a query's text or variables, a command's
// body or anything else that may carry a child's data.
package tracing

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// Scope is the instrumentation scope of the spans this package makes.
const Scope = "github.com/cynllun/cynllun"

// Config says whether traces are exported, as read from the standard
// OpenTelemetry environment variables (FromEnv).
type Config struct {
	// Enabled: OTEL_TRACES_EXPORTER=otlp, or an OTLP endpoint set
	// (OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)
	// with OTEL_TRACES_EXPORTER unset; never with OTEL_SDK_DISABLED=true
	// or OTEL_TRACES_EXPORTER=none.
	Enabled bool
}

// FromEnv reads Config. The exporter reads the rest of the OTLP settings
// itself (endpoint, headers, timeout, compression, certificates), and the
// SDK the sampler (OTEL_TRACES_SAMPLER, default parentbased_always_on),
// the batch settings (OTEL_BSP_*) and the resource (OTEL_SERVICE_NAME,
// OTEL_RESOURCE_ATTRIBUTES).
func FromEnv(getenv func(string) string) (Config, error) {
	var c Config
	if v := getenv("OTEL_SDK_DISABLED"); v != "" {
		off, err := strconv.ParseBool(v)
		if err != nil {
			return c, errors.New("OTEL_SDK_DISABLED: want true or false")
		}
		if off {
			return c, nil
		}
	}
	endpoint := getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != "" || getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != ""
	switch strings.TrimSpace(getenv("OTEL_TRACES_EXPORTER")) {
	case "":
		c.Enabled = endpoint
	case "none":
	case "otlp":
		c.Enabled = true
	default:
		return c, errors.New("OTEL_TRACES_EXPORTER: want otlp or none")
	}
	if !c.Enabled {
		return c, nil
	}
	proto := getenv("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL")
	if proto == "" {
		proto = getenv("OTEL_EXPORTER_OTLP_PROTOCOL")
	}
	switch proto {
	case "", "http/protobuf":
	default:
		return c, fmt.Errorf("OTEL_EXPORTER_OTLP_PROTOCOL: %q is not supported: want http/protobuf", proto)
	}
	return c, nil
}

// Start returns the tracer provider of a process whose role is process
// (api, worker, dev, …), exporting over OTLP/HTTP in batches, and the
// function that flushes and stops it. Off, it returns nil and a no-op.
func Start(ctx context.Context, cfg Config, process string) (trace.TracerProvider, func(context.Context) error, error) {
	if !cfg.Enabled {
		return nil, func(context.Context) error { return nil }, nil
	}
	exp, err := otlptracehttp.New(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("OTLP trace exporter: %w", err)
	}
	// OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES override the name.
	res, err := resource.New(ctx,
		resource.WithAttributes(attribute.String("service.name", "cynllun"), attribute.String("cynllun.process", process)),
		resource.WithTelemetrySDK(), resource.WithHost(), resource.WithFromEnv())
	if err != nil && res == nil {
		return nil, nil, fmt.Errorf("trace resource: %w", err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	return tp, tp.Shutdown, nil
}

// Propagator is the one trace-context format used on HTTP requests and
// queued tasks: W3C traceparent and tracestate, and no baggage (which
// could carry anything).
var Propagator propagation.TextMapPropagator = propagation.TraceContext{}

// Tracer returns the tracer of this package's spans (nil with tp nil).
func Tracer(tp trace.TracerProvider) trace.Tracer {
	if tp == nil {
		return nil
	}
	return tp.Tracer(Scope)
}
