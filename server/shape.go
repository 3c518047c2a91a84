package server

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/cynllun/cynllun"
)

// Codes of the shape limits, in extensions.reason of an INVALID error (the
// error presenter puts the specific code of gqlgen's own errors there).
const (
	reasonTooLarge       = "QUERY_TOO_LARGE"
	reasonTooManyFields  = "TOO_MANY_FIELDS"
	reasonTooManyAliases = "TOO_MANY_ALIASES"
	reasonDuplicates     = "DUPLICATE_FIELDS"
	reasonMutations      = "TOO_MANY_MUTATIONS"
)

// ShapeLimit bounds the shape of a query document before gqlgen validates
// it. Validation is not bounded by anything else: the rule that checks
// overlapping fields compares every pair of fields with the same response
// name, so 8,000 repeats of one field took 7 s of a core before depth,
// cost or authorisation were looked at. ShapeLimit runs before parsing and
// validation (an OperationParameterMutator): it refuses a document over
// MaxBytes, parses it itself with a token limit (parsing is linear), and
// counts fields, aliases, repeats of one response name in a selection set
// and root mutation fields, following fragments. Documents that pass are
// parsed and validated by gqlgen and cached; a cached document is not
// counted again.
type ShapeLimit struct {
	MaxBytes      int // query text in bytes
	MaxTokens     int // lexical tokens of the query text
	MaxFields     int // fields selected, fragments expanded where spread
	MaxAliases    int // aliased fields, fragments expanded where spread
	MaxDuplicates int // fields with one response name in one selection set
	MaxMutations  int // root fields of a mutation
	// Introspection allows __schema and __type; without it they are
	// refused with FORBIDDEN before anything runs.
	Introspection bool
	// Cached says whether a query text is in the validated-query cache.
	Cached func(ctx context.Context, query string) bool
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = ShapeLimit{}

func (ShapeLimit) ExtensionName() string                          { return "ShapeLimit" }
func (ShapeLimit) Validate(schema graphql.ExecutableSchema) error { return nil }

func (l ShapeLimit) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	if len(p.Query) > l.MaxBytes {
		return shapeError(reasonTooLarge, fmt.Sprintf("query is %d bytes, over the limit of %d", len(p.Query), l.MaxBytes))
	}
	if l.Cached != nil && l.Cached(ctx, p.Query) {
		return nil
	}
	return l.Check(p.Query)
}

// Check checks a query text's shape. Parse errors other than the token
// limit are left to gqlgen, which reports them with their location.
func (l ShapeLimit) Check(query string) *gqlerror.Error {
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: query}, l.MaxTokens)
	if err != nil {
		var ge *gqlerror.Error
		if errors.As(err, &ge) && strings.Contains(ge.Message, "token limit") {
			return shapeError(reasonTooLarge, fmt.Sprintf("query has more than %d tokens", l.MaxTokens))
		}
		return nil
	}
	c := counter{l: l, frags: map[string]*ast.FragmentDefinition{}, memo: map[string]counts{}, keys: map[string][]string{}, visiting: map[string]bool{}}
	for _, f := range doc.Fragments {
		c.frags[f.Name] = f
	}
	for _, op := range doc.Operations {
		n := c.set(op.SelectionSet)
		if c.err != nil {
			return c.err
		}
		if n.fields > l.MaxFields {
			return shapeError(reasonTooManyFields, fmt.Sprintf("operation selects %d fields, over the limit of %d", n.fields, l.MaxFields))
		}
		if n.aliases > l.MaxAliases {
			return shapeError(reasonTooManyAliases, fmt.Sprintf("operation has %d aliased fields, over the limit of %d", n.aliases, l.MaxAliases))
		}
		if op.Operation == ast.Mutation {
			if roots := len(c.roots(op.SelectionSet, nil)); roots > l.MaxMutations {
				return shapeError(reasonMutations, fmt.Sprintf("request has %d mutations, over the limit of %d per request", roots, l.MaxMutations))
			}
		}
	}
	return nil
}

func shapeError(reason, msg string) *gqlerror.Error {
	return &gqlerror.Error{Message: msg, Extensions: map[string]any{"code": reason}}
}

// introspectionError refuses __schema and __type where introspection is
// off: FORBIDDEN, a client's request the deployment does not allow, not an
// internal error (gqlgen's own refusal is a resolver error, logged).
func introspectionError() *gqlerror.Error {
	return &gqlerror.Error{
		Message: "introspection is disabled on this server",
		Err:     cynllun.E(cynllun.CodeForbidden, "graph.introspection", "introspection is disabled on this server"),
	}
}

type counts struct{ fields, aliases int }

// counter counts a document's fields with fragments expanded where they are
// spread, memoised per fragment, and stops at the first limit exceeded, so
// a document of nested spreads (whose expansion is exponential) costs no
// more than its text.
type counter struct {
	l        ShapeLimit
	frags    map[string]*ast.FragmentDefinition
	memo     map[string]counts
	keys     map[string][]string
	visiting map[string]bool
	err      *gqlerror.Error
}

func (c *counter) set(set ast.SelectionSet) counts {
	var n counts
	if c.err != nil {
		return n
	}
	// Repeats of one response name in this selection set, fragments
	// merged, as the overlapping-fields rule sees them.
	dup := map[string]int{}
	for _, key := range c.roots(set, nil) {
		dup[key]++
		if dup[key] > c.l.MaxDuplicates {
			c.fail(shapeError(reasonDuplicates, fmt.Sprintf("field %q is selected more than %d times in one selection set", key, c.l.MaxDuplicates)))
			return n
		}
	}
	for _, sel := range set {
		var m counts
		switch s := sel.(type) {
		case *ast.Field:
			m = c.set(s.SelectionSet)
			m.fields++
			if s.Alias != "" && s.Alias != s.Name {
				m.aliases++
			}
			if !c.l.Introspection && (s.Name == "__schema" || s.Name == "__type") {
				c.fail(introspectionError())
			}
		case *ast.InlineFragment:
			m = c.set(s.SelectionSet)
		case *ast.FragmentSpread:
			m = c.spread(s.Name)
		}
		n.fields += m.fields
		n.aliases += m.aliases
		if c.err != nil {
			return n
		}
		if n.fields > c.l.MaxFields {
			c.fail(shapeError(reasonTooManyFields, fmt.Sprintf("operation selects more than %d fields", c.l.MaxFields)))
			return n
		}
		if n.aliases > c.l.MaxAliases {
			c.fail(shapeError(reasonTooManyAliases, fmt.Sprintf("operation has more than %d aliased fields", c.l.MaxAliases)))
			return n
		}
	}
	return n
}

func (c *counter) spread(name string) counts {
	if n, ok := c.memo[name]; ok {
		return n
	}
	f := c.frags[name]
	if f == nil || c.visiting[name] {
		return counts{} // unknown or cyclic: validation reports it
	}
	c.visiting[name] = true
	n := c.set(f.SelectionSet)
	delete(c.visiting, name)
	c.memo[name] = n
	return n
}

// roots appends the response names of set's fields, fragments merged. A
// fragment's names are worked out once (memoised, like its counts), so
// fragments that spread each other many times cost their text, not their
// expansion; at most MaxFields+1 names are kept.
func (c *counter) roots(set ast.SelectionSet, out []string) []string {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			key := s.Alias
			if key == "" {
				key = s.Name
			}
			out = append(out, key)
		case *ast.InlineFragment:
			out = c.roots(s.SelectionSet, out)
		case *ast.FragmentSpread:
			out = append(out, c.fragmentRoots(s.Name)...)
		}
		if len(out) > c.l.MaxFields {
			return out[:c.l.MaxFields+1] // the field limit refuses it
		}
	}
	return out
}

func (c *counter) fragmentRoots(name string) []string {
	if keys, ok := c.keys[name]; ok {
		return keys
	}
	f := c.frags[name]
	if f == nil || c.visiting[name] {
		return nil // unknown or cyclic: validation reports it
	}
	c.visiting[name] = true
	keys := c.roots(f.SelectionSet, nil)
	delete(c.visiting, name)
	c.keys[name] = keys
	return keys
}

func (c *counter) fail(err *gqlerror.Error) {
	if c.err == nil {
		c.err = err
	}
}
