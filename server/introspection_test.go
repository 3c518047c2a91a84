package server_test

import (
	"strings"
	"testing"
)

// standardIntrospectionQuery is the query graphql-js 16 (16.15.0) emits
// from getIntrospectionQuery({descriptions: true, specifiedByUrl: true,
// directiveIsRepeatable: true, schemaDescription: true,
// inputValueDeprecation: true, oneOf: true}), as GraphiQL, graphql-codegen,
// Postman and graphql-inspector send it (each with a subset of these
// options): its TypeRef fragment unwraps ofType nine times, 15 levels deep.
const standardIntrospectionQuery = `

    query IntrospectionQuery {
      __schema {
        description
        queryType { name kind }
        mutationType { name kind }
        subscriptionType { name kind }
        types {
          ...FullType
        }
        directives {
          name
          description
          isRepeatable


          locations
          args(includeDeprecated: true) {
            ...InputValue
          }
        }
      }
    }

    fragment FullType on __Type {
      kind
      name
      description
      specifiedByURL
      isOneOf
      fields(includeDeprecated: true) {
        name
        description
        args(includeDeprecated: true) {
          ...InputValue
        }
        type {
          ...TypeRef
        }
        isDeprecated
        deprecationReason
      }
      inputFields(includeDeprecated: true) {
        ...InputValue
      }
      interfaces {
        ...TypeRef
      }
      enumValues(includeDeprecated: true) {
        name
        description
        isDeprecated
        deprecationReason
      }
      possibleTypes {
        ...TypeRef
      }
    }

    fragment InputValue on __InputValue {
      name
      description
      type { ...TypeRef }
      defaultValue
      isDeprecated
      deprecationReason
    }

    fragment TypeRef on __Type {
      kind
      name
      ofType {
        name
        kind
        ofType {
          name
          kind
          ofType {
            name
            kind
            ofType {
              name
              kind
              ofType {
                name
                kind
                ofType {
                  name
                  kind
                  ofType {
                    name
                    kind
                    ofType {
                      name
                      kind
                      ofType {
                        name
                        kind
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }

`

// TestStandardIntrospection (issue 15, item 2): the standard introspection
// query passes under the default limits wherever introspection is on, and
// its answer describes every type fully (no type reference is cut short).
func TestStandardIntrospection(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	r := e.do(e.token(f.parent), standardIntrospectionQuery, nil)
	if len(r.Errors) > 0 {
		t.Fatalf("standard introspection query refused: %s", r.raw)
	}
	if r.str("__schema", "queryType", "name") != "Query" || r.str("__schema", "mutationType", "name") != "Mutation" ||
		r.str("__schema", "subscriptionType", "name") != "Subscription" {
		t.Fatalf("root types: %v", r.get("__schema", "queryType"))
	}
	types, _ := r.get("__schema", "types").([]any)
	named := map[string]bool{}
	for _, ty := range types {
		named[ty.(map[string]any)["name"].(string)] = true
	}
	if len(types) < 50 || !named["Plan"] || !named["__Schema"] {
		t.Fatalf("%d types", len(types))
	}
	// Every type reference unwraps to a type the answer names.
	refs := 0
	var check func(where string, ref map[string]any)
	check = func(where string, ref map[string]any) {
		refs++
		for ref["ofType"] != nil {
			ref = ref["ofType"].(map[string]any)
		}
		if name, _ := ref["name"].(string); !named[name] {
			t.Errorf("%s: type reference unwraps to %v", where, ref)
		}
	}
	for _, ty := range types {
		ty := ty.(map[string]any)
		for _, key := range []string{"fields", "inputFields"} {
			fs, _ := ty[key].([]any)
			for _, fd := range fs {
				fd := fd.(map[string]any)
				check(ty["name"].(string)+"."+fd["name"].(string), fd["type"].(map[string]any))
				args, _ := fd["args"].([]any)
				for _, a := range args {
					check(ty["name"].(string)+"."+fd["name"].(string)+"(arg)", a.(map[string]any)["type"].(map[string]any))
				}
			}
		}
	}
	if refs < 200 {
		t.Fatalf("only %d type references", refs)
	}
	if dirs, _ := r.get("__schema", "directives").([]any); len(dirs) == 0 {
		t.Fatal("no directives")
	}
}

// TestIntrospectionDepth: introspection is exempt from the depth limit but
// may not walk the schema's cycles (the lists from a type to other types
// nest at most twice: gqlparser's validation rule, as graphql-js's
// MaxIntrospectionDepthRule); other selections keep the depth limit.
func TestIntrospectionDepth(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	tok := e.token(f.parent)
	for _, tt := range []struct {
		name, query, code string
	}{
		{"two lists deep", `{ __schema { types { fields { type { fields { name } } } } } }`, "OK"},
		{"ofType chains", `{ __type(name: "Plan") { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } } } } } }`, "OK"},
		{"three lists deep", `{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }`, "INVALID"},
		{"three lists through fragments", `{ __type(name: "Plan") { ...A } } fragment A on __Type { fields { type { ...B } } } fragment B on __Type { interfaces { ...C } } fragment C on __Type { possibleTypes { name } }`, "INVALID"},
		{"inside a query", `{ me { id } __type(name: "Plan") { inputFields { type { inputFields { type { inputFields { name } } } } } } }`, "INVALID"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do(tok, tt.query, nil)
			if r.code() != tt.code || (tt.code != "OK" && !strings.Contains(r.Errors[0].Message, "introspection depth")) {
				t.Fatalf("code %s, want %s: %s", r.code(), tt.code, r.raw)
			}
		})
	}
	// A selection that is not introspection keeps the depth limit.
	deep := `{ __type(name: "Plan") { name } learners(first: 1) { edges { node {` + strings.Repeat(` plans { learner {`, 5) + ` id` + strings.Repeat(` } }`, 5) + ` } } } }`
	if r := e.do(tok, deep, nil); !strings.Contains(string(r.raw), "nested deeper than the limit") {
		t.Fatalf("deep non-introspection query: %s", r.raw)
	}
}
