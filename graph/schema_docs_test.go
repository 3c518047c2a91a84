package graph

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// TestSchemaDocumented fails listing every type, field, argument, input
// field and enum value of the served schema (the one gqlgen compiled in,
// extensions merged) that has no description: the schema is the API's
// documentation, so coverage must be 100%.
func TestSchemaDocumented(t *testing.T) {
	missing := undocumented(NewExecutableSchema(Config{}).Schema())
	if len(missing) > 0 {
		t.Errorf("%d schema elements have no \"\"\"description\"\"\" (schema.graphqls):\n  %s",
			len(missing), strings.Join(missing, "\n  "))
	}
}

// undocumented lists the user-defined schema elements without a
// description, as Type, Type.field, Type.field(arg:), Input.field and
// Enum.VALUE, sorted.
func undocumented(s *ast.Schema) []string {
	var out []string
	blank := func(d string) bool { return strings.TrimSpace(d) == "" }
	for name, def := range s.Types {
		if def.BuiltIn || strings.HasPrefix(name, "__") {
			continue
		}
		if blank(def.Description) {
			out = append(out, name)
		}
		for _, f := range def.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue // __typename, __schema, __type: gqlparser's own
			}
			if blank(f.Description) {
				out = append(out, name+"."+f.Name)
			}
			for _, a := range f.Arguments {
				if blank(a.Description) {
					out = append(out, fmt.Sprintf("%s.%s(%s:)", name, f.Name, a.Name))
				}
			}
		}
		for _, v := range def.EnumValues {
			if blank(v.Description) {
				out = append(out, name+"."+v.Name)
			}
		}
	}
	for name, d := range s.Directives {
		if d.Position != nil && d.Position.Src != nil && d.Position.Src.BuiltIn {
			continue
		}
		if blank(d.Description) {
			out = append(out, "@"+name)
		}
		for _, a := range d.Arguments {
			if blank(a.Description) {
				out = append(out, fmt.Sprintf("@%s(%s:)", name, a.Name))
			}
		}
	}
	sort.Strings(out)
	return out
}

// TestUndocumentedFinds checks the checker itself on a small schema: each
// kind of element without a description is reported, and a described one
// is not.
func TestUndocumentedFinds(t *testing.T) {
	src := `
"Documented."
type Query {
  "Documented."
  a(
    "Documented."
    x: Int
    y: Int
  ): Int
  b: E
  c(in: In): Int
}
enum E {
  "Documented."
  ONE
  TWO
}
"Documented."
input In {
  f: Int
  "Documented."
  g: Int
}
`
	s, err := loadTestSchema(src)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(undocumented(s), " ")
	want := "E E.TWO In.f Query.a(y:) Query.b Query.c Query.c(in:)"
	if got != want {
		t.Errorf("undocumented = %q, want %q", got, want)
	}
}

func loadTestSchema(src string) (*ast.Schema, error) {
	return gqlparser.LoadSchema(&ast.Source{Name: "test.graphqls", Input: src})
}
