package server

import (
	"context"
	"sync/atomic"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/extension"
)

// CostReport puts the cost of every response in its extensions, so a
// client sees how near it is to the limit before a query fails:
//
//	"extensions": {"cost": {"requested": 412, "actual": 118, "limit": 10000}}
//
// requested is the operation's cost as checked against the limit before
// anything ran (lists priced at the page size asked for, graph/cost.go);
// actual is the sum of the prices of the fields that were resolved (a list
// of 3 costs its 3 items, whatever first asked for); limit is
// GRAPHQL_MAX_COMPLEXITY. Each response of a subscription reports its own.
type CostReport struct {
	es graphql.ExecutableSchema
}

var _ interface {
	graphql.HandlerExtension
	graphql.ResponseInterceptor
	graphql.FieldInterceptor
} = (*CostReport)(nil)

func (*CostReport) ExtensionName() string { return "CostReport" }

func (c *CostReport) Validate(es graphql.ExecutableSchema) error {
	c.es = es
	return nil
}

type costKey struct{}

// InterceptResponse counts the fields resolved for one response and adds
// the report.
func (c *CostReport) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	var actual atomic.Int64
	resp := next(context.WithValue(ctx, costKey{}, &actual))
	if resp == nil {
		return nil
	}
	report := map[string]int64{"actual": actual.Load()}
	if st := extension.GetComplexityStats(ctx); st != nil {
		report["requested"], report["limit"] = int64(st.Complexity), int64(st.ComplexityLimit)
	}
	if resp.Extensions == nil {
		resp.Extensions = map[string]any{}
	}
	resp.Extensions["cost"] = report
	return resp
}

// InterceptField adds the field's own price: its complexity with nothing
// below it (at least 1), as graph/cost.go sets it.
func (c *CostReport) InterceptField(ctx context.Context, next graphql.Resolver) (any, error) {
	if actual, ok := ctx.Value(costKey{}).(*atomic.Int64); ok {
		price := 1
		if fc := graphql.GetFieldContext(ctx); fc != nil && c.es != nil {
			var vars map[string]any
			if graphql.HasOperationContext(ctx) {
				vars = graphql.GetOperationContext(ctx).Variables
			}
			if n, ok := c.es.Complexity(ctx, fc.Object, fc.Field.Name, 0, fc.Field.ArgumentMap(vars)); ok && n > price {
				price = n
			}
		}
		actual.Add(int64(price))
	}
	return next(ctx)
}
