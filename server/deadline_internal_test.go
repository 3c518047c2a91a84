package server

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/cynllun/cynllun/graph"
)

// TestDeadlineContext: a /graphql request's context ends when its client
// goes and when its deadline passes, and each end has its typed error.
func TestDeadlineContext(t *testing.T) {
	for _, tt := range []struct {
		name      string
		timeout   time.Duration
		clientFor time.Duration
		code      string
	}{
		{"client disconnects", time.Minute, 50 * time.Millisecond, "CANCELLED"},
		{"deadline passes", 50 * time.Millisecond, time.Minute, "TIMEOUT"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ended := make(chan error, 1)
			srv := httptest.NewServer(deadline(tt.timeout, tt.timeout, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.ReadAll(r.Body) // as limitBody does: then net/http watches the connection
				select {
				case <-r.Context().Done():
					ended <- r.Context().Err()
				case <-time.After(10 * time.Second):
					ended <- nil
				}
			})))
			defer srv.Close()
			ctx, cancel := context.WithTimeout(context.Background(), tt.clientFor)
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL, strings.NewReader(`{"query":"{ me { id } }"}`))
			req.Header.Set("Content-Type", "application/json")
			start := time.Now()
			if resp, err := srv.Client().Do(req); err == nil {
				resp.Body.Close()
			}
			err := <-ended
			if err == nil {
				t.Fatal("the request's context did not end")
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Fatalf("context ended after %v", d)
			}
			if ce := graph.ContextError(err); ce == nil || string(ce.Code) != tt.code {
				t.Fatalf("error %v: typed %v, want %s", err, ce, tt.code)
			}
		})
	}
}

// FuzzShapeCheck: the shape check takes any text without panicking, and
// refuses every document over its limits.
func FuzzShapeCheck(f *testing.F) {
	for _, s := range []string{"{ me { id } }", "query { a: me { id } b: me { id } }", "{ me { ...F } } fragment F on User { ...F }",
		"mutation { a b c }", "{ __schema { types { name } } }", "{", strings.Repeat("{ a ", 100)} {
		f.Add(s)
	}
	l := ShapeLimit{MaxBytes: 1 << 10, MaxTokens: 200, MaxFields: 20, MaxAliases: 3, MaxDuplicates: 2, MaxMutations: 2}
	f.Fuzz(func(t *testing.T, q string) {
		if l.Check(q) != nil {
			return
		}
		doc, err := parser.ParseQuery(&ast.Source{Input: q})
		if err != nil {
			return // left to gqlgen, which reports it
		}
		// What passes is within the limits even counted plainly (fields
		// written in the operations, fragments not followed).
		var fields, aliases int
		var walk func(ast.SelectionSet)
		walk = func(set ast.SelectionSet) {
			for _, sel := range set {
				switch s := sel.(type) {
				case *ast.Field:
					fields++
					if s.Alias != "" && s.Alias != s.Name {
						aliases++
					}
					walk(s.SelectionSet)
				case *ast.InlineFragment:
					walk(s.SelectionSet)
				}
			}
		}
		for _, op := range doc.Operations {
			fields, aliases = 0, 0
			walk(op.SelectionSet)
			if fields > l.MaxFields || aliases > l.MaxAliases {
				t.Fatalf("passed with %d fields and %d aliases: %q", fields, aliases, q)
			}
		}
	})
}

// TestShapeCheck: each limit refuses what is over it and passes what is
// at it, fragments counted where they are spread.
func TestShapeCheck(t *testing.T) {
	l := ShapeLimit{MaxBytes: 1 << 10, MaxTokens: 60, MaxFields: 6, MaxAliases: 2, MaxDuplicates: 2, MaxMutations: 2}
	for _, tt := range []struct {
		query, reason string
	}{
		{"{ a b c d e f }", ""},
		{"{ a b c d e f g }", reasonTooManyFields},
		{"{ a { b { c { d { e { f { g } } } } } } }", reasonTooManyFields},
		{"{ ...F ...G } fragment F on Q { a b c } fragment G on Q { d e f g }", reasonTooManyFields},
		{"{ x: a y: b }", ""},
		{"{ x: a y: b z: c }", reasonTooManyAliases},
		{"{ ...F ...F } fragment F on Q { x: a y: b }", reasonTooManyAliases},
		{"{ ...F ...F ...F } fragment F on Q { a }", reasonDuplicates},
		{"{ a: a b: b }", ""}, // an alias equal to the name is no alias
		{"{ a a }", ""},
		{"{ a a a }", reasonDuplicates},
		{"{ a ... on Q { a } ... { a } }", reasonDuplicates},
		{"mutation { a b }", ""},
		{"mutation { a b ...F } fragment F on M { c }", reasonMutations},
		{"{ " + strings.Repeat("a ", 70) + "}", reasonTooLarge},
		{"{ ...F } fragment F on Q { ...F }", ""}, // cycles are left to validation
		{"{ a(", ""}, // parse errors too
		{"{ __schema { types { name } } }", "FORBIDDEN"},
		{"{ __typename }", ""},
	} {
		err := l.Check(tt.query)
		got := ""
		if err != nil {
			got, _ = err.Extensions["code"].(string)
			if err.Err != nil {
				got = "FORBIDDEN"
			}
		}
		if got != tt.reason {
			t.Errorf("%s: got %q (%v), want %q", tt.query, got, err, tt.reason)
		}
	}
}

// TestShapeCheckFragmentsExpandingToNothing: fragments that spread each
// other 2^40 times yet select nothing are counted in linear time.
func TestShapeCheckFragmentsExpandingToNothing(t *testing.T) {
	q := "{ ...F40 }\nfragment F0 on Q { ...Missing }\n"
	for i := 1; i <= 40; i++ {
		q += fmt.Sprintf("fragment F%d on Q { ...F%d ...F%d ... { ...F%d } }\n", i, i-1, i-1, i-1)
	}
	l := ShapeLimit{MaxBytes: 1 << 20, MaxTokens: 1 << 20, MaxFields: 1000, MaxAliases: 100, MaxDuplicates: 20, MaxMutations: 10}
	start := time.Now()
	_ = l.Check(q)
	if d := time.Since(start); d > 100*time.Millisecond {
		t.Fatalf("took %v", d)
	}
}
