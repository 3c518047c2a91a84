package graph

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cynllun/cynllun/policy"
)

// TestErrorCodeEnum: enum ErrorCode lists every code the Go code defines
// (every constant of type cynllun.Code, in any package), and nothing else,
// so a client that switches on extensions.code knows every value it can
// meet.
func TestErrorCodeEnum(t *testing.T) {
	var defined []string
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "node_modules", "testdata", "vendor":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		inRoot := filepath.Dir(path) == ".."
		defined = append(defined, constants(t, path, func(name, typ string) bool {
			return typ == "cynllun.Code" || (inRoot && typ == "Code")
		})...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(defined) < 9 {
		t.Fatalf("found only %v: is the walk looking in the right place?", defined)
	}
	compareEnum(t, "ErrorCode", defined)
}

// TestClosedSetEnums: each closed set of strings the API returns is an
// enum whose values are exactly the constants the Go code declares for it,
// so a value added in Go without the schema (which would be sent as "")
// fails here.
func TestClosedSetEnums(t *testing.T) {
	typed := func(typ string) func(string, string) bool {
		return func(_, t string) bool { return t == typ }
	}
	prefixed := func(prefix string) func(string, string) bool {
		return func(name, t string) bool { return t == "" && strings.HasPrefix(name, prefix) }
	}
	for _, tt := range []struct {
		enum  string
		file  string
		match func(name, typ string) bool
	}{
		{"FileKind", "../job.go", typed("FileKind")},
		{"BundleWarningCode", "../bundle/bundle.go", prefixed("Warn")},
		{"LedgerWarning", "../ledger/ledger.go", prefixed("Warn")},
		{"SectionAppliesTo", "../form/definition.go", prefixed("Applies")},
		{"PeriodStart", "../clock/clock.go", typed("Start")},
		{"RuleCalendar", "../clock/clock.go", prefixed("Calendar")},
		{"OffsetUnit", "../notify/notice.go", prefixed("Unit")},
		{"ReviewCheckCode", "../quality/review.go", prefixed("Check")},
		{"DocumentKind", "../case.go", func(name, t string) bool { return t == "EvidenceKind" || t == "RecordKind" }},
	} {
		t.Run(tt.enum, func(t *testing.T) {
			compareEnum(t, tt.enum, constants(t, tt.file, tt.match))
		})
	}
	t.Run("GrantorStanding", func(t *testing.T) {
		// The standings a relationship can record: those the grant table
		// lets grant something.
		var allowed []string
		for _, row := range policy.GrantTable {
			if row.Other.Allow && !slices.Contains(allowed, string(row.As)) {
				allowed = append(allowed, string(row.As))
			}
		}
		compareEnum(t, "GrantorStanding", allowed)
	})
}

// compareEnum fails when the schema's enum does not have exactly want as
// its values.
func compareEnum(t *testing.T, enum string, want []string) {
	t.Helper()
	def := NewExecutableSchema(Config{}).Schema().Types[enum]
	if def == nil || def.Kind != "ENUM" {
		t.Fatalf("the schema has no enum %s", enum)
	}
	var got []string
	for _, v := range def.EnumValues {
		got = append(got, v.Name)
	}
	slices.Sort(got)
	want = slices.Clone(want)
	slices.Sort(want)
	want = slices.Compact(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("enum %s against the Go constants (-go +schema):\n%s", enum, diff)
	}
}

// constants returns the string values of the constants declared in file
// that match (by name and type as written, "" when untyped).
func constants(t *testing.T, file string, match func(name, typ string) bool) []string {
	t.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	f, err := parser.ParseFile(token.NewFileSet(), file, src, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, decl := range f.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			typ := ""
			if vs.Type != nil {
				typ = exprString(vs.Type)
			}
			for i, name := range vs.Names {
				if !match(name.Name, typ) {
					continue
				}
				if i >= len(vs.Values) {
					t.Fatalf("%s: constant %s has no value of its own", file, name.Name)
				}
				lit, ok := vs.Values[i].(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					t.Fatalf("%s: constant %s is not a string literal", file, name.Name)
				}
				v, err := strconv.Unquote(lit.Value)
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, v)
			}
		}
	}
	return out
}

func exprString(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.SelectorExpr:
		return exprString(e.X) + "." + e.Sel.Name
	}
	return ""
}
