package server_test

import (
	"fmt"
	"slices"
	"testing"
)

// TestPartialResults: a field refused or failed on its own is null at its
// place with one error whose path names it, and the rest of the response
// stands (issue 15 item 6). Before, the error ran up through non-null
// parents and the whole response was data: null.
func TestPartialResults(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	tests := []struct {
		name  string
		user  string
		query string
		vars  map[string]any
		// code and path of the one error; kept is a path whose value must
		// still be there, null the path that must be null.
		code       string
		path       []any
		kept, null []any
		want       any
	}{
		{
			name:  "an advocate's learners with access, which only the family and those who maintain the record see",
			user:  f.advocate,
			query: `{ learners { edges { node { id givenName access { id } } } } }`,
			code:  "FORBIDDEN", path: []any{"learners", "edges", 0, "node", "access"},
			kept: []any{"learners", "edges", 0, "node", "id"}, want: f.l1,
			null: []any{"learners", "edges", 0, "node", "access"},
		},
		{
			name:  "an advocate's learner with access",
			user:  f.advocate,
			query: `query($id: ID!) { learner(id: $id) { givenName access { id } } }`,
			vars:  map[string]any{"id": f.l1},
			code:  "FORBIDDEN", path: []any{"learner", "access"},
			kept: []any{"learner", "givenName"}, want: "Siôn",
			null: []any{"learner", "access"},
		},
		{
			name:  "a parent's view of the school with its webhook endpoints",
			user:  f.parent,
			query: `query($id: ID!) { organisation(id: $id) { name webhookEndpoints { id } } }`,
			vars:  map[string]any{"id": f.schoolA},
			code:  "FORBIDDEN", path: []any{"organisation", "webhookEndpoints"},
			kept: []any{"organisation", "name"}, want: "Ysgol Pen-y-Garth",
			null: []any{"organisation", "webhookEndpoints"},
		},
		{
			name:  "a plan with versions after a cursor this API did not issue",
			user:  f.alnco,
			query: `query($id: ID!) { plan(id: $id) { id versions(after: "nonsense") { edges { cursor } } } }`,
			vars:  map[string]any{"id": f.plan1},
			code:  "INVALID", path: []any{"plan", "versions"},
			kept: []any{"plan", "id"}, want: f.plan1,
			null: []any{"plan", "versions"},
		},
		{
			name:  "a plan with the ledger of a version it does not have",
			user:  f.alnco,
			query: `query($id: ID!) { plan(id: $id) { id ledger(version: 99) { version } } }`,
			vars:  map[string]any{"id": f.plan1},
			code:  "NOT_FOUND", path: []any{"plan", "ledger"},
			kept: []any{"plan", "id"}, want: f.plan1,
			null: []any{"plan", "ledger"},
		},
		{
			name:  "an unknown form definition next to me",
			user:  f.alnco,
			query: `{ me { id } formDefinition(version: "1999-none") { version } }`,
			code:  "NOT_FOUND", path: []any{"formDefinition"},
			kept: []any{"me", "id"}, want: f.alnco,
			null: []any{"formDefinition"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do(e.token(tt.user), tt.query, tt.vars)
			if r.Data == nil {
				t.Fatalf("data is null: %s", r.raw)
			}
			if len(r.Errors) != 1 {
				t.Fatalf("want one error, got %d: %s", len(r.Errors), r.raw)
			}
			if r.code() != tt.code || fmt.Sprint(r.Errors[0].Path) != fmt.Sprint(tt.path) {
				t.Errorf("error %s at %v, want %s at %v: %s", r.code(), r.Errors[0].Path, tt.code, tt.path, r.raw)
			}
			if got := r.get(tt.kept...); got != tt.want {
				t.Errorf("%v = %v, want %v: %s", tt.kept, got, tt.want, r.raw)
			}
			if !hasNull(r.Data, tt.null) {
				t.Errorf("%v is not present as null: %s", tt.null, r.raw)
			}
		})
	}
}

// hasNull says whether the data holds path with the value null (present,
// not missing).
func hasNull(data map[string]any, path []any) bool {
	var cur any = data
	for i, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := cur.(map[string]any)
			if !ok {
				return false
			}
			v, ok := m[k]
			if !ok {
				return false
			}
			if i == len(path)-1 {
				return v == nil
			}
			cur = v
		case int:
			l, ok := cur.([]any)
			if !ok || k >= len(l) {
				return false
			}
			cur = l[k]
		}
	}
	return false
}

// TestMutationsStandAlone: in a request with several mutations, each
// one's result stands on its own. When the second fails, the first was
// saved and its result (the new id) is returned; the second is null with
// its error at its path. Before, the response was data: null and the
// client never learned the first learner's id.
func TestMutationsStandAlone(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	tok := e.token(f.alnco)
	learner := func(given, la, school string) map[string]any {
		return map[string]any{"givenName": given, "familyName": "Prys", "dateOfBirth": "2016-03-01", "language": "CY",
			"laId": la, "settingKind": "SCHOOL", "settingId": school}
	}
	tests := []struct {
		name      string
		first     map[string]any
		second    map[string]any
		code      string
		failed    string // the alias that fails
		succeeded []string
	}{
		{"second invalid", learner("Ifan", cardiff, f.schoolA), learner("Deri", f.schoolB, f.schoolA), "INVALID", "b", []string{"a"}},
		{"second forbidden", learner("Ela", cardiff, f.schoolA), learner("Tegid", swansea, f.schoolB), "FORBIDDEN", "b", []string{"a"}},
		{"first invalid, second saved", learner("Osian", f.schoolB, f.schoolA), learner("Mali", cardiff, f.schoolA), "INVALID", "a", []string{"b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do(tok, `mutation($a: LearnerInput!, $b: LearnerInput!) {
				a: createLearner(input: $a) { learner { id givenName } }
				b: createLearner(input: $b) { learner { id givenName } }
			}`, map[string]any{"a": tt.first, "b": tt.second})
			if r.Data == nil {
				t.Fatalf("data is null: %s", r.raw)
			}
			if len(r.Errors) != 1 || r.code() != tt.code || !slices.Equal(r.Errors[0].Path, []any{tt.failed}) {
				t.Fatalf("want one %s error at [%s]: %s", tt.code, tt.failed, r.raw)
			}
			if !hasNull(r.Data, []any{tt.failed}) {
				t.Errorf("%s is not null: %s", tt.failed, r.raw)
			}
			for _, alias := range tt.succeeded {
				id := r.str(alias, "learner", "id")
				if id == "" {
					t.Fatalf("%s has no id: %s", alias, r.raw)
				}
				// It was saved: it reads back.
				got := e.must(tok, `query($id: ID!) { learner(id: $id) { id } }`, map[string]any{"id": id})
				if got.str("learner", "id") != id {
					t.Errorf("learner %s was not saved: %s", id, got.raw)
				}
			}
		})
	}
}
