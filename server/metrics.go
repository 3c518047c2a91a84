package server

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/extension"

	"github.com/cynllun/cynllun/internal/metrics"
)

// route names a request for the HTTP metrics: one of a fixed set, never
// the raw path (which carries ids).
func route(r *http.Request) string {
	p := r.URL.Path
	switch {
	case p == "/graphql", p == "/healthz", p == "/readyz", p == "/metrics":
		return p
	case strings.HasPrefix(p, "/files/"):
		return "/files/{id}"
	case p == "/playground", strings.HasPrefix(p, "/playground/"):
		return "/playground"
	case isQueuePath(p):
		return QueuePath
	}
	return "other"
}

// OperationMetrics counts and times every GraphQL response by its
// operation's name and outcome, and observes the operation's requested
// cost. The name is the one in the parsed document (the operation that
// ran, not a free-form request field), bounded by metrics.OperationName;
// a request that failed before its document was parsed is "unknown".
type OperationMetrics struct{ M *metrics.Metrics }

var _ interface {
	graphql.HandlerExtension
	graphql.ResponseInterceptor
} = OperationMetrics{}

func (OperationMetrics) ExtensionName() string                   { return "OperationMetrics" }
func (OperationMetrics) Validate(graphql.ExecutableSchema) error { return nil }

func (o OperationMetrics) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp == nil {
		return nil
	}
	name, cost := "unknown", 0
	if graphql.HasOperationContext(ctx) {
		if oc := graphql.GetOperationContext(ctx); oc.Operation != nil {
			name = oc.Operation.Name
		}
	}
	if st := extension.GetComplexityStats(ctx); st != nil {
		cost = st.Complexity
	}
	var codes []string
	for _, e := range resp.Errors {
		c, _ := e.Extensions["code"].(string)
		codes = append(codes, c)
	}
	start := graphql.GetStartTime(ctx)
	d := time.Duration(0)
	if !start.IsZero() {
		d = time.Since(start)
	}
	o.M.Operation(name, metrics.Outcome(codes...), d, cost)
	return resp
}
