package locale

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// Where errors that reach a client are made: these directories (their
// non-test files), and these files of other packages. The worker, the
// document generator, the mail and webhook senders and the commands make
// errors that go to logs and job status codes only.
var (
	scannedDirs  = []string{".", "auth", "bundle", "calendar", "clock", "form", "graph", "mongodb", "policy", "server", "service", "upload"}
	scannedFiles = []string{"notify/destination.go"}
	// Messages of errors that never reach a client (configuration read at
	// start-up, programming errors), by file.
	notShown = map[string][]string{
		// Made from a field and its message, or a noun: each made and
		// checked where it is given (the edge puts "field: message"
		// together in the request's language).
		"error.go":                  {"x: x", "x not found"},
		"graph/errors.go":           {"x: x"},
		"mongodb/query.go":          {"x already exists"},
		"service/bundleassemble.go": {"names a x that is not in the record"},
		// Failures of gqlgen's own work on a query it has just validated.
		"graph/inputs.go":       {"operation x not found", "parse: x"},
		"clock/settings.go":     {"is not the id of a rule"},
		"service/bundlespec.go": {"bundle sections: x"},
		// RIGHTS_CONTACTS, read at start-up.
		"service/rightscontacts.go": {"rights contacts: x", "rights contacts: x is not an organisation id"},
		"mongodb/plans.go":          {"the first version must be number 1 of the plan"},
		"mongodb/files.go":          {"a file id is required", "the file's bytes are required"},
		"mongodb/cases.go":          {"a withdrawal time is required", "a bundle id is required", "a bundle id and a file id are required"},
		"mongodb/deadlines.go":      {"an extended deadline needs a due date"},
		// The worker erases by learner id; never a request's input.
		"mongodb/erase.go": {"not a learner id"},
		// A lost claim on a review's conclusion: the service answers with
		// the review-conflict message instead.
		"mongodb/outbox.go": {"claim already exists"},
	}
)

// TestEveryMessageIsInTheCatalogue reads the source of every package
// whose errors reach a client, finds each message it makes (the message of
// cynllun.E, cynllun.NotFound, field errors, error literals, the server's
// HTTP errors and the checkers' add), works out its text (constants,
// concatenations and fmt.Sprintf, with a stand-in for each part that
// varies) and fails on any the catalogue does not hold in Welsh.
func TestEveryMessageIsInTheCatalogue(t *testing.T) {
	root := ".."
	var files []string
	for _, d := range scannedDirs {
		m, err := filepath.Glob(filepath.Join(root, d, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	for _, f := range scannedFiles {
		files = append(files, filepath.Join(root, f))
	}
	s := newScanner()
	var parsed []*ast.File
	var names []string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || strings.HasSuffix(f, "generated.go") {
			continue
		}
		af, err := parser.ParseFile(s.fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		parsed = append(parsed, af)
		rel, _ := filepath.Rel(root, f)
		names = append(names, filepath.ToSlash(rel))
		s.index(af)
	}
	found, missing := 0, map[string][]string{}
	for i, af := range parsed {
		skip := notShown[names[i]]
		s.messages(af, names[i], func(pos token.Pos, msg string, part bool) {
			found++
			if slices.Contains(skip, msg) {
				return
			}
			x := messages
			if part {
				x = pieces
			}
			text, _, ok, untranslated := translate(x, CY, msg, 0)
			if !ok && part {
				text, _, ok, untranslated = translate(messages, CY, msg, 0)
			}
			// A part of a message that is words (not a number, a code,
			// a field's name, a unit or a stand-in) must be translated
			// too.
			for _, u := range untranslated {
				if (strings.Contains(u, " ") && words.MatchString(u)) || word.MatchString(u) {
					ok = false
				}
			}
			// A part may read the same in both ("5 MiB").
			if !ok || (!part && text == msg) {
				p := s.fset.Position(pos)
				missing[msg] = append(missing[msg], fmt.Sprintf("%s:%d", names[i], p.Line))
			}
		})
	}
	if found < 300 {
		t.Fatalf("found only %d messages: the scanner is not reading the source", found)
	}
	keys := make([]string, 0, len(missing))
	for k := range missing {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		t.Errorf("not in the catalogue (in Welsh): %q (%s)", k, strings.Join(missing[k], ", "))
	}
}

// words finds a word of lower-case letters (the stand-in "x" is one
// letter).
var (
	words = regexp.MustCompile(`[a-z]{2,}`)
	word  = regexp.MustCompile(`^[a-z]{2,}$`)
)

type scanner struct {
	fset *token.FileSet
	// consts holds package-level constants and variables by name, and
	// by package.name, with every value given to them.
	consts map[string][]ast.Expr
	// funcs are the functions and methods by name; calls the calls of
	// each name with the function they are made in; fields the values
	// given to each lower-case struct field in composite literals.
	funcs  map[string][]*ast.FuncDecl
	calls  map[string][]site
	fields map[string][]site
}

// site is an expression and the function it is in.
type site struct {
	call *ast.CallExpr
	expr ast.Expr
	fn   *ast.FuncDecl
}

func newScanner() *scanner {
	return &scanner{fset: token.NewFileSet(), consts: map[string][]ast.Expr{},
		funcs: map[string][]*ast.FuncDecl{}, calls: map[string][]site{}, fields: map[string][]site{}}
}

// index records f's functions, calls and field values.
func (s *scanner) index(f *ast.File) {
	s.collectConsts(f)
	var fn *ast.FuncDecl
	ast.Inspect(f, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.FuncDecl:
			fn = x
			s.funcs[x.Name.Name] = append(s.funcs[x.Name.Name], x)
		case *ast.CallExpr:
			if name := baseName(x); name != "" {
				s.calls[name] = append(s.calls[name], site{call: x, fn: fn})
			}
		case *ast.KeyValueExpr:
			if k, ok := x.Key.(*ast.Ident); ok && k.Name != "" && k.Name[0] >= 'a' && k.Name[0] <= 'z' {
				s.fields[k.Name] = append(s.fields[k.Name], site{expr: x.Value, fn: fn})
			}
		}
		return true
	})
}

// baseName is the name of the function a call calls, without its package
// or receiver.
func baseName(c *ast.CallExpr) string {
	switch f := c.Fun.(type) {
	case *ast.Ident:
		return f.Name
	case *ast.SelectorExpr:
		return f.Sel.Name
	}
	return ""
}

func (s *scanner) collectConsts(f *ast.File) {
	pkg := f.Name.Name
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || (gd.Tok != token.CONST && gd.Tok != token.VAR) {
			continue
		}
		for _, sp := range gd.Specs {
			vs := sp.(*ast.ValueSpec)
			for i, n := range vs.Names {
				if i < len(vs.Values) {
					s.consts[n.Name] = append(s.consts[n.Name], vs.Values[i])
					s.consts[pkg+"."+n.Name] = append(s.consts[pkg+"."+n.Name], vs.Values[i])
				}
			}
		}
	}
}

// Functions whose string results are messages (or parts of messages), by
// file: they say what is wrong with an upload.
var (
	messageFuncs = map[string][]string{
		"upload/upload.go": {"notAccepted", "openPDF", "openImage", "imageError"},
		"bundle/pdf.go":    {"readPDF", "imagePDF"},
	}
	partFuncs = map[string][]string{
		"upload/upload.go": {"describe", "formatBytes", "approxBytes"},
	}
	// Variables holding parts: the kinds of file an upload may be, by
	// the index of the label in their elements (-1: a map's values).
	partVars = map[string]map[string]int{
		"upload/upload.go": {"acceptedTypes": 3, "labels": -1},
	}
)

// messages calls found with each message (or part of one) made in f.
func (s *scanner) messages(f *ast.File, name string, found func(pos token.Pos, msg string, part bool)) {
	var fn *ast.FuncDecl
	report := func(e ast.Expr, prefix, suffix string) {
		for _, m := range s.eval(e, fn, 0) {
			if m != "" {
				found(e.Pos(), prefix+m+suffix, false)
			}
		}
	}
	reportPart := func(e ast.Expr) {
		for _, m := range s.eval(e, fn, 0) {
			if m != "" {
				found(e.Pos(), m, true)
			}
		}
	}
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok {
			continue
		}
		for _, sp := range gd.Specs {
			vs, ok := sp.(*ast.ValueSpec)
			if !ok {
				continue
			}
			for i, n := range vs.Names {
				at, ok := partVars[name][n.Name]
				if !ok || i >= len(vs.Values) {
					continue
				}
				cl, _ := vs.Values[i].(*ast.CompositeLit)
				if cl == nil {
					continue
				}
				for _, el := range cl.Elts {
					switch x := el.(type) {
					case *ast.KeyValueExpr:
						if at < 0 {
							reportPart(x.Value)
						}
					case *ast.CompositeLit:
						if at >= 0 && at < len(x.Elts) {
							reportPart(x.Elts[at])
							// An image's label without its
							// article: "PNG image".
							for _, l := range s.eval(x.Elts[at], nil, 0) {
								if strings.HasSuffix(l, " image") {
									found(x.Pos(), l[strings.IndexByte(l, ' ')+1:], true)
								}
							}
						}
					}
				}
			}
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.FuncDecl:
			fn = x
		case *ast.ReturnStmt:
			if fn == nil {
				break
			}
			if slices.Contains(messageFuncs[name], fn.Name.Name) {
				for _, r := range x.Results {
					report(r, "", "")
				}
			}
			if slices.Contains(partFuncs[name], fn.Name.Name) {
				for _, r := range x.Results {
					reportPart(r)
				}
			}
		case *ast.CallExpr:
			if callName(x) == "gqlerror.Errorf" {
				report(x, "", "")
			}
			// policy.may(false, why): why a grant is refused.
			if callName(x) == "may" && len(x.Args) == 2 {
				if b, ok := x.Args[0].(*ast.Ident); ok && b.Name == "false" {
					reportPart(x.Args[1])
				}
			}
			if h, ok := helpers[callName(x)]; ok && (h.args == 0 || len(x.Args) == h.args) {
				i := h.arg
				if i < 0 {
					i = len(x.Args) + i
				}
				if i >= 0 && i < len(x.Args) {
					report(x.Args[i], h.pre, h.post)
				}
			}
		case *ast.KeyValueExpr:
			if k, ok := x.Key.(*ast.Ident); ok {
				switch k.Name {
				case "Message":
					report(x.Value, "", "")
				case "Why":
					reportPart(x.Value)
				}
			}
		}
		return true
	})
}

// helpers are the functions that make a message from one of their
// arguments: which (from the end when negative), how many arguments they
// take (0: any number), and the text put before and after it.
var helpers = map[string]struct {
	arg, args int
	pre, post string
}{
	"cynllun.E":        {arg: 2, args: 3},
	"E":                {arg: 2, args: 3},
	"cynllun.NotFound": {arg: 1, args: 2, post: " not found"},
	"NotFound":         {arg: 1, args: 2, post: " not found"},
	"insertErr":        {arg: 1, args: 3, post: " already exists"},
	"notFound":         {arg: 0, args: 1, pre: "names a ", post: " that is not in the record"},
	"writeError":       {arg: -1},
	"wsInitRefused":    {arg: -1},
	"shapeError":       {arg: -1},
	"scalarError":      {arg: -1},
	"invalid":          {arg: -1, args: 2},
	"add":              {arg: -1, args: 2},
	"bad":              {arg: -1},
	"whole":            {arg: -1, args: 1},
	"reject":           {arg: -1, args: 1},
	"refused":          {arg: -1, args: 1},
}

func callName(c *ast.CallExpr) string {
	switch f := c.Fun.(type) {
	case *ast.Ident:
		return f.Name
	case *ast.SelectorExpr:
		if x, ok := f.X.(*ast.Ident); ok && (x.Name == "cynllun" || x.Name == "gqlerror") {
			return x.Name + "." + f.Sel.Name
		}
		return f.Sel.Name
	}
	return ""
}

// unknown stands for a part of a message that varies.
const unknown = "\x00"

var verb = regexp.MustCompile(`%[-+# 0-9.*]*[a-zA-Z%]`)

// eval returns the texts e can have, with unknown for the parts that vary,
// or nil when e is wholly unknown (a message passed through from
// elsewhere, which is checked where it is made).
func (s *scanner) eval(e ast.Expr, fn *ast.FuncDecl, depth int) []string {
	if depth > 8 {
		return nil
	}
	var out []string
	switch x := e.(type) {
	case *ast.BasicLit:
		if x.Kind == token.STRING {
			v, err := strconv.Unquote(x.Value)
			if err == nil {
				out = []string{v}
			}
		}
	case *ast.ParenExpr:
		return s.eval(x.X, fn, depth+1)
	case *ast.BinaryExpr:
		if x.Op != token.ADD {
			return nil
		}
		l, r := s.eval(x.X, fn, depth+1), s.eval(x.Y, fn, depth+1)
		if l == nil && r == nil {
			return nil
		}
		if l == nil {
			l = []string{unknown}
		}
		if r == nil {
			r = []string{unknown}
		}
		for _, a := range l {
			for _, b := range r {
				out = append(out, a+b)
			}
		}
	case *ast.CallExpr:
		switch callName(x) {
		case "Sprintf", "Errorf", "gqlerror.Errorf":
			if len(x.Args) == 0 {
				return nil
			}
			for _, f := range s.eval(x.Args[0], fn, depth+1) {
				out = append(out, verb.ReplaceAllStringFunc(f, func(v string) string {
					if v == "%%" {
						return "%"
					}
					return unknown
				}))
			}
		default:
			// A function of the scanned source: the strings it
			// returns (the checks of an upload, of an idempotency
			// key).
			name := baseName(x)
			if name == "String" || name == "Error" {
				return nil
			}
			for _, d := range s.funcs[name] {
				if d.Body == nil {
					continue
				}
				ast.Inspect(d.Body, func(n ast.Node) bool {
					if r, ok := n.(*ast.ReturnStmt); ok {
						for _, e := range r.Results {
							out = append(out, s.eval(e, d, depth+1)...)
						}
					}
					return true
				})
			}
		}
	case *ast.IndexExpr:
		// map[K]string{…}[k]: each of its values.
		if cl, ok := x.X.(*ast.CompositeLit); ok {
			for _, el := range cl.Elts {
				if kv, ok := el.(*ast.KeyValueExpr); ok {
					out = append(out, s.eval(kv.Value, fn, depth+1)...)
				}
			}
		}
	case *ast.Ident:
		for _, v := range s.locals(x.Name, fn) {
			out = append(out, s.eval(v, fn, depth+1)...)
		}
		if len(out) == 0 {
			for _, v := range s.consts[x.Name] {
				out = append(out, s.eval(v, fn, depth+1)...)
			}
		}
		// A parameter: what its callers pass (but not into the helpers
		// above, whose calls are checked where they are made, nor into
		// policy's may, whose reasons for allowing are never shown).
		if i := paramIndex(fn, x.Name); len(out) == 0 && i >= 0 && !notPassedThrough(fn.Name.Name) {
			for _, c := range s.calls[fn.Name.Name] {
				if i < len(c.call.Args) && len(c.call.Args) == paramCount(fn) {
					out = append(out, s.eval(c.call.Args[i], c.fn, depth+1)...)
				}
			}
		}
	case *ast.SelectorExpr:
		if p, ok := x.X.(*ast.Ident); ok {
			for _, v := range s.consts[p.Name+"."+x.Sel.Name] {
				out = append(out, s.eval(v, fn, depth+1)...)
			}
		}
		// A struct's lower-case field: the values literals give it.
		if n := x.Sel.Name; len(out) == 0 && n[0] >= 'a' && n[0] <= 'z' {
			for _, v := range s.fields[n] {
				out = append(out, s.eval(v.expr, v.fn, depth+1)...)
			}
		}
	}
	slices.Sort(out)
	out = slices.Compact(out)
	// Stand-ins: "x" for an unknown part.
	for i, m := range out {
		out[i] = strings.ReplaceAll(m, unknown, "x")
	}
	return out
}

func notPassedThrough(name string) bool {
	_, helper := helpers[name]
	return helper || name == "may"
}

// paramIndex is the position of name among fn's parameters, or -1.
func paramIndex(fn *ast.FuncDecl, name string) int {
	if fn == nil {
		return -1
	}
	i := 0
	for _, f := range fn.Type.Params.List {
		for _, n := range f.Names {
			if n.Name == name {
				return i
			}
			i++
		}
		if len(f.Names) == 0 {
			i++
		}
	}
	return -1
}

func paramCount(fn *ast.FuncDecl) int {
	n := 0
	for _, f := range fn.Type.Params.List {
		n += max(len(f.Names), 1)
	}
	return n
}

// locals returns the values assigned to a local variable of fn.
func (s *scanner) locals(name string, fn *ast.FuncDecl) []ast.Expr {
	if fn == nil || fn.Body == nil {
		return nil
	}
	var out []ast.Expr
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.AssignStmt:
			if len(x.Lhs) == len(x.Rhs) {
				for i, l := range x.Lhs {
					if id, ok := l.(*ast.Ident); ok && id.Name == name {
						out = append(out, x.Rhs[i])
					}
				}
			}
		case *ast.ValueSpec:
			for i, id := range x.Names {
				if id.Name == name && i < len(x.Values) {
					out = append(out, x.Values[i])
				}
			}
		}
		return true
	})
	return out
}

// TestScannerSeesTheSource guards the scanner: messages known to be made
// in the source are among those it finds.
func TestScannerSeesTheSource(t *testing.T) {
	if _, err := os.Stat("../service/learners.go"); err != nil {
		t.Skip("source not here")
	}
	s := newScanner()
	af, err := parser.ParseFile(s.fset, "../service/learners.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	s.index(af)
	var got []string
	s.messages(af, "service/learners.go", func(_ token.Pos, m string, _ bool) { got = append(got, m) })
	for _, want := range []string{"is required", "must be CY or EN", "learner not found", "is not a school", "is not a further education institution"} {
		if !slices.Contains(got, want) {
			t.Errorf("scanner did not find %q in service/learners.go", want)
		}
	}
}
