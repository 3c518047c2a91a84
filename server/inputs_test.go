package server_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/cynllun/cynllun/graph"
)

// fieldsOf returns extensions.fields[*].field of the first error.
func fieldsOf(r response) []string {
	if len(r.Errors) == 0 {
		return nil
	}
	list, _ := r.Errors[0].Extensions["fields"].([]any)
	var out []string
	for _, f := range list {
		if m, ok := f.(map[string]any); ok {
			out = append(out, fmt.Sprint(m["field"]))
		}
	}
	return out
}

func writes(names []string) []string {
	var w []string
	for _, n := range names {
		if strings.HasPrefix(n, "insert") || strings.HasPrefix(n, "update") || strings.HasPrefix(n, "delete") || strings.HasPrefix(n, "findAndModify") {
			w = append(w, n)
		}
	}
	return w
}

// TestEnumsReadExactly (issue 15, item 3): the cases the issue found, as
// variables and as literals. Today "cy" rendered English and "bulk" ran
// as INTERACTIVE.
func TestEnumsReadExactly(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	alnco := e.token(f.alnco)
	render := `mutation($p: ID!, $l: RenderLanguage, $pr: JobPriority) { renderPlan(input: {planId: $p, language: $l, priority: $pr}) { job { id language priority } } }`
	for _, tc := range []struct {
		name  string
		query string
		vars  map[string]any
		field string
	}{
		{"language cy", render, map[string]any{"p": f.plan1, "l": "cy"}, "l"},
		{"language bilingual", render, map[string]any{"p": f.plan1, "l": "bilingual"}, "l"},
		{"priority bulk", render, map[string]any{"p": f.plan1, "pr": "bulk"}, "pr"},
		{"unknown", render, map[string]any{"p": f.plan1, "l": "FR"}, "l"},
		{"not a string", render, map[string]any{"p": f.plan1, "l": 1}, "l"},
		{"nested", `mutation($in: SaveVersionInput!) { saveVersion(input: $in) { version { number } } }`, map[string]any{"in": map[string]any{
			"planId": f.plan1, "expectedVersion": 1, "status": "final", "content": sampleContent("x")}}, "in.status"},
		{"literal", fmt.Sprintf(`mutation { renderPlan(input: {planId: %q, language: cy}) { job { id } } }`, f.plan1), nil, ""},
		{"literal string", fmt.Sprintf(`mutation { renderPlan(input: {planId: %q, language: "CY"}) { job { id } } }`, f.plan1), nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r response
			_, names := e.count(func() { r = e.do(alnco, tc.query, tc.vars) })
			if r.code() != "INVALID" || r.Data["renderPlan"] != nil || r.Data["saveVersion"] != nil {
				t.Fatalf("got %s: %s", r.code(), r.raw)
			}
			if w := writes(names); len(w) > 0 {
				t.Fatalf("wrote %v", w)
			}
			if tc.field != "" && !slices.Contains(fieldsOf(r), tc.field) {
				t.Fatalf("fields %v, want %s: %s", fieldsOf(r), tc.field, r.raw)
			}
			if strings.Contains(r.Errors[0].Message, "bulk") || strings.Contains(r.Errors[0].Message, "bilingual") {
				t.Fatalf("message repeats the value: %s", r.Errors[0].Message)
			}
		})
	}
	// The exact values work.
	r := e.must(alnco, render, map[string]any{"p": f.plan1, "l": "CY", "pr": "BULK"})
	if r.str("renderPlan", "job", "language") != "CY" || r.str("renderPlan", "job", "priority") != "BULK" {
		t.Fatalf("exact values: %s", r.raw)
	}
}

// TestEveryEnumVariableExact sends, for every enum of the schema that an
// input can hold, its first value in lower case as a variable at a place
// that takes it (a query field when there is one, else a mutation),
// nested in input objects and lists as the schema has it; every one must
// be INVALID with the variable's path, and nothing may be written.
func TestEveryEnumVariableExact(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	admin := e.token(f.admin)
	schema := graph.NewExecutableSchema(graph.Config{}).Schema()

	var enums []string
	for name, d := range schema.Types {
		if d.Kind == ast.Enum && !strings.HasPrefix(name, "__") {
			enums = append(enums, name)
		}
	}
	slices.Sort(enums)
	tested, outputOnly := 0, []string{}
	for _, enum := range enums {
		op, vars, field := enumProbe(schema, enum)
		if op == "" {
			outputOnly = append(outputOnly, enum)
			continue
		}
		tested++
		t.Run(enum, func(t *testing.T) {
			var r response
			_, names := e.count(func() { r = e.do(admin, op, vars) })
			if r.code() != "INVALID" {
				t.Fatalf("%s %v: got %s: %s", op, vars, r.code(), r.raw)
			}
			if w := writes(names); len(w) > 0 {
				t.Fatalf("wrote %v", w)
			}
			if !slices.Contains(fieldsOf(r), field) {
				t.Fatalf("fields %v, want %s: %s", fieldsOf(r), field, r.raw)
			}
		})
	}
	t.Logf("%d enums sent as variables; output only: %v", tested, outputOnly)
	if tested < 20 {
		t.Fatalf("only %d enums found in inputs", tested)
	}
}

// enumProbe builds an operation with one variable that holds enum (in
// lower case) at the shortest input path the schema allows, with every
// other required argument given as a variable of a valid shape.
func enumProbe(s *ast.Schema, enum string) (string, map[string]any, string) {
	for _, root := range []*ast.Definition{s.Query, s.Mutation} {
		for _, fd := range root.Fields {
			if strings.HasPrefix(fd.Name, "__") {
				continue
			}
			for _, a := range fd.Arguments {
				val, path, ok := enumValue(s, a.Type, enum, 0)
				if !ok {
					continue
				}
				vars := map[string]any{}
				var decls, args []string
				for _, b := range fd.Arguments {
					switch {
					case b == a:
						vars[b.Name] = val
					case b.Type.NonNull:
						vars[b.Name] = sample(s, b.Type, 0)
					default:
						continue
					}
					decls = append(decls, "$"+b.Name+": "+b.Type.String())
					args = append(args, b.Name+": $"+b.Name)
				}
				sel := ""
				if d := s.Types[fd.Type.Name()]; d != nil && (d.Kind == ast.Object || d.Kind == ast.Interface || d.Kind == ast.Union) {
					sel = " { __typename }"
				}
				kw := "query"
				if root == s.Mutation {
					kw = "mutation"
				}
				op := fmt.Sprintf("%s(%s) { %s(%s)%s }", kw, strings.Join(decls, ", "), fd.Name, strings.Join(args, ", "), sel)
				return op, vars, graph.FieldPath(append(ast.Path{ast.PathName(a.Name)}, path...))
			}
		}
	}
	return "", nil, ""
}

// enumValue returns a value of type t that holds enum's first value in
// lower case, and its path.
func enumValue(s *ast.Schema, t *ast.Type, enum string, depth int) (any, ast.Path, bool) {
	if depth > 6 {
		return nil, nil, false
	}
	if t.Elem != nil {
		v, p, ok := enumValue(s, t.Elem, enum, depth+1)
		return []any{v}, append(ast.Path{ast.PathIndex(0)}, p...), ok
	}
	d := s.Types[t.NamedType]
	switch {
	case d.Name == enum:
		return strings.ToLower(d.EnumValues[0].Name), nil, true
	case d.Kind == ast.InputObject:
		for _, fd := range d.Fields {
			v, p, ok := enumValue(s, fd.Type, enum, depth+1)
			if !ok {
				continue
			}
			obj := sample(s, t, depth).(map[string]any)
			obj[fd.Name] = v
			return obj, append(ast.Path{ast.PathName(fd.Name)}, p...), true
		}
	}
	return nil, nil, false
}

// sample is a value of type t that variable coercion accepts.
func sample(s *ast.Schema, t *ast.Type, depth int) any {
	if t.Elem != nil {
		return []any{sample(s, t.Elem, depth+1)}
	}
	d := s.Types[t.NamedType]
	switch d.Kind {
	case ast.Enum:
		return d.EnumValues[0].Name
	case ast.InputObject:
		obj := map[string]any{}
		for _, fd := range d.Fields {
			if fd.Type.NonNull && depth < 6 {
				obj[fd.Name] = sample(s, fd.Type, depth+1)
			}
		}
		return obj
	}
	switch d.Name {
	case "Int":
		return 1
	case "Float":
		return 1.5
	case "Boolean":
		return false
	case "Date":
		return "2026-01-05"
	case "Time":
		return "2026-01-05T09:00:00Z"
	}
	return "x"
}

// TestNullMeansDefault (issue 15, item 7): an explicit null where the
// schema has a default gives the default, as generated clients send null
// for every unset optional field. Today status: null was refused.
func TestNullMeansDefault(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	alnco := e.token(f.alnco)
	r := e.must(alnco, `mutation($in: SaveVersionInput!) { saveVersion(input: $in) { version { number status } } }`, map[string]any{"in": map[string]any{
		"planId": f.plan1, "expectedVersion": 1, "status": nil, "comment": nil, "content": sampleContent("null variable")}})
	if r.str("saveVersion", "version", "status") != "DRAFT" {
		t.Fatalf("variable null: %s", r.raw)
	}
	r = e.must(alnco, `mutation($p: ID!, $c: PlanContentInput!, $s: VersionStatus) { saveVersion(input: {planId: $p, expectedVersion: 2, status: $s, content: $c}) { version { number status } } }`,
		map[string]any{"p": f.plan1, "c": sampleContent("null in a literal"), "s": nil})
	if r.str("saveVersion", "version", "status") != "DRAFT" {
		t.Fatalf("null variable in a literal: %s", r.raw)
	}
	r = e.must(alnco, `mutation($p: ID!, $c: PlanContentInput!) { saveVersion(input: {planId: $p, expectedVersion: 3, status: null, content: $c}) { version { number status } } }`,
		map[string]any{"p": f.plan1, "c": sampleContent("literal null")})
	if r.str("saveVersion", "version", "status") != "DRAFT" {
		t.Fatalf("literal null: %s", r.raw)
	}
	// The same literal document again (now from the query cache) and
	// with the status given: the rewrite did not change the cached text.
	r = e.must(alnco, `mutation($p: ID!, $c: PlanContentInput!) { saveVersion(input: {planId: $p, expectedVersion: 4, status: FINAL, content: $c}) { version { number status } } }`,
		map[string]any{"p": f.plan1, "c": sampleContent("final")})
	if r.str("saveVersion", "version", "status") != "FINAL" {
		t.Fatalf("given: %s", r.raw)
	}
	for _, q := range []string{
		`mutation($p: ID!) { renderPlan(input: {planId: $p, language: null, priority: null, planCheck: null}) { job { language priority } } }`,
		`mutation($p: ID!, $l: RenderLanguage, $pr: JobPriority) { renderPlan(input: {planId: $p, language: $l, priority: $pr}) { job { language priority } } }`,
	} {
		r = e.must(alnco, q, map[string]any{"p": f.plan1, "l": nil, "pr": nil})
		if r.str("renderPlan", "job", "language") != "EN" || r.str("renderPlan", "job", "priority") != "INTERACTIVE" {
			t.Fatalf("%s: %s", q, r.raw)
		}
	}
}

// TestScalarErrorsHaveFieldPaths (issue 15, item 8): a bad Date or Time
// names its input field in extensions.fields, as other field errors do.
func TestScalarErrorsHaveFieldPaths(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	admin := e.token(f.admin)
	in := map[string]any{"givenName": "A", "familyName": "B", "dateOfBirth": "2020-02-30", "language": "CY", "laId": cardiff, "settingKind": "NONE"}
	for _, tc := range []struct {
		name  string
		query string
		vars  map[string]any
	}{
		{"variable", `mutation($in: LearnerInput!) { createLearner(input: $in) { learner { id } } }`, map[string]any{"in": in}},
		{"literal", fmt.Sprintf(`mutation { createLearner(input: {givenName: "A", familyName: "B", dateOfBirth: "2020-02-30", language: CY, laId: %q, settingKind: NONE}) { learner { id } } }`, cardiff), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r response
			_, names := e.count(func() { r = e.do(admin, tc.query, tc.vars) })
			if r.code() != "INVALID" || !slices.Contains(fieldsOf(r), "input.dateOfBirth") {
				t.Fatalf("got %s %v: %s", r.code(), fieldsOf(r), r.raw)
			}
			if w := writes(names); len(w) > 0 {
				t.Fatalf("wrote %v", w)
			}
		})
	}
}
