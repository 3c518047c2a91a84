package server_test

import (
	"context"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/complexity"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"

	"github.com/cynllun/cynllun/graph"
	"github.com/cynllun/cynllun/server"
)

// readmeQueries are the GraphQL examples of the README.
func readmeQueries(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range regexp.MustCompile("(?s)```graphql\n(.*?)```").FindAllStringSubmatch(string(b), -1) {
		out = append(out, m[1])
	}
	if len(out) < 10 {
		t.Fatalf("found %d README examples", len(out))
	}
	return out
}

// elide turns the README's elisions ("{ … }", ", …]") into valid GraphQL.
func elide(q string) string {
	return strings.NewReplacer("{ … }", "{}", ", …]", "]", ", …}", "}").Replace(q)
}

func costOf(t *testing.T, query string, vars map[string]any) int {
	t.Helper()
	c := graph.Config{Resolvers: &graph.Resolver{}}
	graph.SetComplexity(&c.Complexity)
	es := graph.NewExecutableSchema(c)
	// The README elides some inputs ("{ … }"): validation may then report
	// a missing field, but it still resolves every selection's definition,
	// which is all the cost needs.
	doc, err := parser.ParseQuery(&ast.Source{Input: elide(query)})
	if err != nil {
		t.Fatalf("query does not parse: %v\n%s", err, query)
	}
	_ = validator.Validate(es.Schema(), doc)
	most := 0
	for _, op := range doc.Operations {
		most = max(most, complexity.Calculate(context.Background(), es, op, vars))
	}
	return most
}

// TestREADMEExamplesWithinLimits: every example of the README passes the
// default shape limits and costs less than the default complexity limit.
func TestREADMEExamplesWithinLimits(t *testing.T) {
	cfg := server.Config{}.WithDefaults()
	shape := server.ShapeLimit{MaxBytes: cfg.MaxQueryBytes, MaxTokens: cfg.MaxTokens, MaxFields: cfg.MaxFields, MaxAliases: cfg.MaxAliases,
		MaxDuplicates: cfg.MaxDuplicateFields, MaxMutations: cfg.MaxMutations}
	for i, q := range readmeQueries(t) {
		if err := shape.Check(elide(q)); err != nil {
			t.Errorf("example %d: %v\n%s", i, err, q)
		}
		cost := costOf(t, q, nil)
		t.Logf("example %d costs %d", i, cost)
		if cost > cfg.MaxComplexity {
			t.Errorf("example %d costs %d, over the default limit %d\n%s", i, cost, cfg.MaxComplexity, q)
		}
	}
}
