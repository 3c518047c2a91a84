package server

import (
	"context"
	"fmt"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// DepthLimit rejects operations whose selections nest deeper than Max
// (fragments are followed). gqlgen has a complexity limit but no depth limit.
//
// Introspection (__schema and __type, where it is on) is exempt: the
// standard introspection query that GraphiQL, codegen and schema tools
// send unwraps ofType nine times (for types such as [[Int!]!]!) and nests
// 15 levels deep. It is bounded instead by validation (gqlparser's
// MaxIntrospectionDepth rule, graphql-js's MaxIntrospectionDepthRule: the
// lists from a type to other types — fields, interfaces, possibleTypes,
// inputFields — nest at most twice, so a query cannot walk the schema's
// cycles to multiply its answer) and by the shape limits.
type DepthLimit struct{ Max int }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = DepthLimit{}

func (DepthLimit) ExtensionName() string                          { return "DepthLimit" }
func (DepthLimit) Validate(schema graphql.ExecutableSchema) error { return nil }

func (d DepthLimit) MutateOperationContext(ctx context.Context, rc *graphql.OperationContext) *gqlerror.Error {
	if rc.Operation == nil {
		return nil
	}
	if depth(rc.Operation.SelectionSet, 0, d.Max, map[string]bool{}) > d.Max {
		return &gqlerror.Error{
			Message:    fmt.Sprintf("operation is nested deeper than the limit of %d", d.Max),
			Extensions: map[string]any{"code": "DEPTH_LIMIT_EXCEEDED"},
		}
	}
	return nil
}

// depth returns the nesting depth of set below level, stopping early once
// past max (so cyclic fragments, already rejected by validation, cannot loop).
func depth(set ast.SelectionSet, level, max int, visiting map[string]bool) int {
	if level > max {
		return level
	}
	deepest := level
	for _, sel := range set {
		var d int
		switch s := sel.(type) {
		case *ast.Field:
			if len(s.SelectionSet) == 0 || s.Name == "__schema" || s.Name == "__type" {
				d = level + 1
			} else {
				d = depth(s.SelectionSet, level+1, max, visiting)
			}
		case *ast.InlineFragment:
			d = depth(s.SelectionSet, level, max, visiting)
		case *ast.FragmentSpread:
			if s.Definition == nil || visiting[s.Name] {
				continue
			}
			visiting[s.Name] = true
			d = depth(s.Definition.SelectionSet, level, max, visiting)
			delete(visiting, s.Name)
		}
		if d > deepest {
			deepest = d
		}
	}
	return deepest
}
