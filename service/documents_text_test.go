package service

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/bundle"
	"github.com/cynllun/cynllun/clock"
	"github.com/cynllun/cynllun/docgen"
	"github.com/cynllun/cynllun/form"
	"github.com/cynllun/cynllun/quality"
)

// internalMarkers may never reach a document (issue 18): evidence tags,
// source ids of the research notes ("[R24]", "seed S3", "Nodi 12.07"),
// names of configuration ("settings.overrides") and the replacement
// character.
var internalMarkers = regexp.MustCompile(`\[R\d|\[S\d|\[(WEAK|SECONDARY|UNCONFIRMED|CONFIRMED|HEB EI|WEDI|FFYNHONNELL)|seed S\d|settings\.[a-zA-Z]|Nodi \d|\x{FFFD}`)

// TestDocumentsText renders every kind of document a family or tribunal
// is given, in English, Welsh and bilingual, from fixtures that fill every
// part: the IDP with its plan check (every severity), the meeting record,
// the ledger and deadlines tables (clocks with no confirmed limit, one
// waiting for a calendar, met, missed) and a tribunal bundle holding them
// all behind its cover, index and chronology. It reads each with
// pdftotext and fails on internal markers and, in the Welsh-only output,
// on any fixed English string of the text inventory that has its own
// Welsh.
func TestDocumentsText(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext (poppler-utils) is not installed")
	}
	inv := inventory(t)
	if len(inv) < 200 {
		t.Fatalf("the inventory has %d strings: the scan misses the string tables", len(inv))
	}
	frags := 0
	for _, e := range inv {
		frags += len(e.fragments())
	}
	t.Logf("inventory: %d strings, %d English phrases looked for in the Welsh output", len(inv), frags)
	for _, lang := range []docgen.Lang{docgen.LangEN, docgen.LangCY, docgen.LangBilingual} {
		t.Run(string(lang), func(t *testing.T) {
			docs, content := richDocuments(t, lang)
			for _, name := range slices.Sorted(func(yield func(string) bool) {
				for k := range docs {
					if !yield(k) {
						return
					}
				}
			}) {
				text := pdfText(t, docs[name])
				for _, loc := range internalMarkers.FindAllStringIndex(text, -1) {
					t.Errorf("%s: internal marker %q in %q", name, text[loc[0]:loc[1]], around(text, loc[0]))
				}
				if lang != docgen.LangCY {
					continue
				}
				for _, e := range inv {
					for _, frag := range e.fragments() {
						if slices.ContainsFunc(content, func(s string) bool { return strings.Contains(s, frag) }) {
							continue // the fixture's own words (English content stays as written)
						}
						if i := indexWord(text, frag); i >= 0 {
							t.Errorf("%s: English %q (%s; Welsh %q) in the Welsh document: %q", name, frag, e.where, e.cy, around(text, i))
						}
					}
				}
			}
		})
	}
}

// richDocuments renders each kind of document in lang, and the bundle that
// holds them; content is every string of the fixtures' own data.
func richDocuments(t *testing.T, lang docgen.Lang) (docs map[string][]byte, content []string) {
	t.Helper()
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	out := map[string][]byte{}
	render := func(name string, b []byte, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = b
	}

	// The IDP, a draft with its plan check: every severity.
	plan := docgen.SamplePlan(3)
	c := *plan.Version.Content
	c.Provision = slices.Clone(c.Provision)
	c.Provision[1].Provision = "Access to support as needed"
	c.Provision[1].Provider, c.Provision[1].StartDate, c.Provision[1].ReviewOrEndDate = "", cynllun.Date{}, cynllun.Date{}
	c.Provision[2].NHSSecured, c.Provision[2].NHSBody = true, ""
	c.Provision[2].WelshMedium = nil
	c.Profile.HowToSupportMe = nil
	c.Needs = append(slices.Clone(c.Needs), cynllun.NeedEntry{Description: "Anxiety"})
	v := *plan.Version
	v.Content = &c
	plan.Version = &v
	findings := quality.CheckPlan(quality.PlanInput{Content: &c, MaintainerKind: cynllun.OrgLocalAuthority, GivenOn: cynllun.MustDate("2026-09-01")})
	sev := map[quality.Severity]bool{}
	for _, f := range findings {
		sev[f.Severity] = true
		if f.Cites.EN == "" || f.Cites.CY == "" {
			t.Errorf("finding %s has no plain-words basis", f.Rule)
		}
	}
	if !sev[quality.SeverityError] || !sev[quality.SeverityWarning] || !sev[quality.SeverityInfo] {
		t.Fatalf("the plan check fixture lacks a severity: %v", sev)
	}
	plan.Check = &docgen.PlanCheck{Findings: findings, AsOf: now}
	b, err := docgen.RenderPlan(plan, lang)
	render("IDP", b, err)

	meeting := docgen.SampleMeeting()
	b, err = docgen.RenderMeeting(meeting, lang)
	render("meeting record", b, err)

	// The ledger, from the meeting record's rows.
	lg := &PlanLedger{PlanID: "p-1", From: meeting.LedgerFrom, To: meeting.LedgerTo}
	for i, s := range meeting.Ledger {
		lg.Rows = append(lg.Rows, RowLedger{RowSummary: s, Row: &meeting.Reviewed.Content.Provision[i]})
	}
	b, err = docgen.RenderTable(*ledgerTable(lg, meeting.Learner, now), lang)
	render("ledger table", b, err)

	// Deadlines: no confirmed limit (T9, T6, with the reason as it was
	// stored before issue 18), waiting for a term calendar (T1), due,
	// met and missed.
	d := cynllun.MustDate
	dls := []*cynllun.Deadline{
		{ID: "d1", RuleID: "T9", Start: d("2026-10-05"), Problem: "T9 has no time limit confirmed; a deployment may set one (settings.overrides)"},
		{ID: "d2", RuleID: "T6", Start: d("2026-10-06"), Problem: "T6 has no time limit confirmed in the law; the service may set one (DEADLINE_OVERRIDES)"},
		{ID: "d3", RuleID: "T1", Start: d("2026-10-07"), Problem: "T1 counts school days and needs the maintaining body's term calendar"},
		{ID: "d4", RuleID: "T17", Start: d("2026-10-08"), Due: d("2026-12-04")},
		{ID: "d5", RuleID: "T8", Start: d("2025-11-01"), Due: d("2026-10-31"), Closure: &cynllun.Closure{Status: cynllun.DeadlineMet, On: d("2026-10-20")}},
		{ID: "d6", RuleID: "T4", Start: d("2026-08-01"), Due: d("2026-10-23")},
	}
	b, err = docgen.RenderTable(*deadlinesTable(dls, "", meeting.Learner, now), lang)
	render("deadlines table", b, err)

	// The bundle: cover, index, chronology, and the documents above.
	doc := func(id, title, kind string) bundle.Document {
		return bundle.Document{ID: id, Title: title, Author: "Cyngor Caerdydd", Date: d("2026-11-20"), Kind: kind, PDF: out[title]}
	}
	spec := bundle.Spec{
		Title: "Apêl yn erbyn penderfyniad y Cyngor", CaseRef: "ETW/2027/0042", Learner: "Siân ap Gwŷn", Lang: lang,
		Sections: []bundle.Section{
			{Key: "A", Title: form.Text{EN: "The plan", CY: "Y cynllun"}, Documents: []bundle.Document{doc("a1", "IDP", bundle.KindPlan)}},
			{Key: "B", Title: form.Text{EN: "Reviews", CY: "Adolygiadau"}, Documents: []bundle.Document{doc("b1", "meeting record", bundle.KindMeetingRecord)}},
			{Key: "C", Title: form.Text{EN: "Records", CY: "Cofnodion"}, Documents: []bundle.Document{
				doc("c1", "ledger table", bundle.KindLedger), doc("c2", "deadlines table", bundle.KindDeadlines)}},
			{Key: "D", Title: form.Text{EN: "Other evidence", CY: "Tystiolaeth arall"}},
		},
		Chronology: []bundle.ChronologyEntry{
			{Date: d("2026-09-01"), Event: form.Text{EN: "Plan given", CY: "Rhoddwyd y cynllun"}, Source: "A1"},
			{Date: d("2026-11-20"), Event: form.Text{EN: "Annual review", CY: "Adolygiad blynyddol"}, Source: "B1"},
			{Event: form.Text{EN: "Undated note", CY: "Nodyn heb ddyddiad"}, Source: "C1"},
		},
		ChronologyAfter: "A",
		Created:         now,
	}
	b, _, err = bundle.Build(spec)
	render("bundle", b, err)
	// Not the plan check, nor the deadlines' stored reasons: those are
	// the system's words, which the check is about.
	return out, userStrings(plan.Learner, plan.Plan, plan.Version, plan.Maintainer, plan.LocalAuthority, plan.Setting, meeting, spec.Title, spec.Learner)
}

// userStrings lists every string held in vs, through pointers, structs,
// slices and maps, with its whitespace collapsed.
func userStrings(vs ...any) []string {
	var out []string
	seen := map[uintptr]bool{}
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.String:
			if s := strings.Join(strings.Fields(v.String()), " "); s != "" {
				out = append(out, s)
			}
		case reflect.Pointer:
			if v.IsNil() || seen[v.Pointer()] {
				return
			}
			seen[v.Pointer()] = true
			walk(v.Elem())
		case reflect.Interface:
			if !v.IsNil() {
				walk(v.Elem())
			}
		case reflect.Struct:
			for i := range v.NumField() {
				walk(v.Field(i))
			}
		case reflect.Slice, reflect.Array:
			for i := range v.Len() {
				walk(v.Index(i))
			}
		case reflect.Map:
			for it := v.MapRange(); it.Next(); {
				walk(it.Value())
			}
		}
	}
	for _, v := range vs {
		walk(reflect.ValueOf(v))
	}
	return out
}

// entry is one fixed string of the inventory with its Welsh.
type entry struct {
	en, cy, where string
}

var formatVerb = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z]|\{[a-z]+\}|\n`)

// fragments are the parts of the English between its format verbs that
// could only be English in a Welsh document: two words or more, and not
// in the Welsh itself (names, numbers, acronyms).
func (e entry) fragments() []string {
	if e.cy == "" || e.cy == e.en {
		return nil
	}
	var out []string
	for _, f := range formatVerb.Split(e.en, -1) {
		f = strings.Trim(f, " :;,.()/–-")
		if len(strings.Fields(f)) < 2 || len(f) < 8 || strings.Contains(e.cy, f) {
			continue
		}
		out = append(out, strings.Join(strings.Fields(f), " "))
	}
	return out
}

// inventory reads the string tables of everything that prints in a
// document: every form.Text{EN: …, CY: …} and tx("…", "…") with literal
// strings in docgen, bundle, clock, quality, form and this package, the
// plan rules' titles, fixes and citations, and the form definition's
// headings and labels.
func inventory(t *testing.T) []entry {
	t.Helper()
	var out []entry
	fset := token.NewFileSet()
	for _, dir := range []string{"../docgen", "../bundle", "../clock", "../quality", "../form", "."} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range files {
			if strings.HasSuffix(path, "_test.go") || strings.HasSuffix(path, "sample.go") {
				continue
			}
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			f, err := parser.ParseFile(fset, path, src, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(f, func(n ast.Node) bool {
				switch x := n.(type) {
				case *ast.CompositeLit:
					var en, cy string
					for _, el := range x.Elts {
						kv, ok := el.(*ast.KeyValueExpr)
						if !ok {
							continue
						}
						k, _ := kv.Key.(*ast.Ident)
						if k == nil {
							continue
						}
						switch k.Name {
						case "EN":
							en = literal(kv.Value)
						case "CY":
							cy = literal(kv.Value)
						}
					}
					if en != "" && cy != "" {
						out = append(out, entry{en, cy, fset.Position(x.Pos()).String()})
					}
				case *ast.CallExpr:
					if id, ok := x.Fun.(*ast.Ident); ok && id.Name == "tx" && len(x.Args) == 2 {
						if en, cy := literal(x.Args[0]), literal(x.Args[1]); en != "" && cy != "" {
							out = append(out, entry{en, cy, fset.Position(x.Pos()).String()})
						}
					}
				}
				return true
			})
		}
	}
	for _, r := range quality.PlanRules() {
		for _, tx := range []form.Text{r.Title, r.Fix, r.Cites} {
			out = append(out, entry{tx.EN, tx.CY, "quality rule " + r.Code})
		}
	}
	for _, p := range form.Current().Parts {
		out = append(out, entry{p.Title.EN, p.Title.CY, "form part " + p.Key})
		for _, s := range p.Sections {
			out = append(out, entry{s.Title.EN, s.Title.CY, "form section " + s.Key})
			for _, f := range s.Fields {
				out = append(out, entry{f.Label.EN, f.Label.CY, "form field " + s.Key + "." + f.Key})
			}
		}
	}
	for _, r := range clock.Rules() {
		out = append(out, entry{r.Title.EN, r.Title.CY, "clock rule " + r.ID})
	}
	return out
}

// literal is the value of a string literal, "" for anything else.
func literal(e ast.Expr) string {
	b, ok := e.(*ast.BasicLit)
	if !ok || b.Kind != token.STRING {
		return ""
	}
	s, err := strconv.Unquote(b.Value)
	if err != nil {
		return ""
	}
	return s
}

// indexWord finds frag in text where it is not part of a longer word.
func indexWord(text, frag string) int {
	for off := 0; ; {
		i := strings.Index(text[off:], frag)
		if i < 0 {
			return -1
		}
		i += off
		before, after := i == 0 || !isLetter(text[i-1]), i+len(frag) >= len(text) || !isLetter(text[i+len(frag)])
		if before && after {
			return i
		}
		off = i + 1
	}
}

func isLetter(b byte) bool { return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= 0x80 }

func around(text string, i int) string {
	from, to := max(0, i-60), min(len(text), i+100)
	return strings.ToValidUTF8(text[from:to], "")
}

// pdfText is the PDF's text with its whitespace collapsed, so that a
// phrase wrapped over two lines is still found.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}
