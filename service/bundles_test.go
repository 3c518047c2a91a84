package service

import (
	"testing"
	"time"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/docgen"
	"github.com/cynllun/cynllun/form"
)

// TestContentsDigest: the digest of frozen contents ignores when they were
// frozen (so asking again with nothing changed finds the same version),
// changes with anything the bundle shows, and leaves the contents alone.
func TestContentsDigest(t *testing.T) {
	at := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	mk := func(asOf time.Time, title string) *BundleContents {
		return &BundleContents{Title: "Apêl", Lang: cynllun.RenderBilingual, AsOf: asOf, Sections: []FrozenSection{{
			Key: "C", Title: form.Text{EN: "Plan"}, Documents: []FrozenDoc{
				{ID: "deadlines:", Number: "C1", Title: title, Table: &docgen.TableDoc{Title: form.Text{EN: title}, AsOf: asOf}},
			}}}}
	}
	a, b := mk(at, "Deadlines"), mk(at.Add(time.Hour), "Deadlines")
	if contentsDigest(a) != contentsDigest(b) {
		t.Fatal("the digest depends on when the contents were frozen")
	}
	if a.AsOf != at || a.Sections[0].Documents[0].Table.AsOf != at {
		t.Fatal("the digest changed the contents")
	}
	for _, tt := range []struct {
		name   string
		change func(*BundleContents)
	}{
		{"title", func(c *BundleContents) { c.Title = "Apêl 2" }},
		{"document title", func(c *BundleContents) { c.Sections[0].Documents[0].Title = "Other" }},
		{"table row", func(c *BundleContents) {
			c.Sections[0].Documents[0].Table.Rows = []docgen.TableRow{{Cells: []form.Text{{EN: "T1"}}}}
		}},
		{"page limit", func(c *BundleContents) { c.Sections[0].PageLimit = 3 }},
		{"chronology", func(c *BundleContents) { c.Chronology = []FrozenEntry{{Event: form.Text{EN: "x"}}} }},
		{"language", func(c *BundleContents) { c.Lang = cynllun.RenderCY }},
	} {
		c := mk(at, "Deadlines")
		tt.change(c)
		if contentsDigest(c) == contentsDigest(a) {
			t.Errorf("%s: the digest did not change", tt.name)
		}
	}
}

// TestSectionFor: a document goes in the section it names, else the first
// that takes its kind, else the last.
func TestSectionFor(t *testing.T) {
	secs := DefaultBundleSections().Sections
	for _, tt := range []struct{ kind, named, want string }{
		{"REPORT", "", "D"},
		{"CHILDS_VIEWS", "", "E"},
		{"PLAN_VERSION", "", "C"},
		{"DECISION", "", "A"},
		{"REPORT", "B", "B"},
		{"REPORT", "Z", "D"},
		{"SOMETHING", "", "F"},
	} {
		if got := sectionFor(secs, tt.kind, tt.named); got != tt.want {
			t.Errorf("%s named %q: %s, want %s", tt.kind, tt.named, got, tt.want)
		}
	}
	if sectionFor(nil, "REPORT", "") != "" {
		t.Error("no sections")
	}
}

// TestLoadBundleDefaults: the built-in sections load; a file a bundle
// could not be built with is refused.
func TestLoadBundleDefaults(t *testing.T) {
	d := DefaultBundleSections()
	if len(d.Sections) != 6 || d.ChronologyAfter != "A" {
		t.Fatalf("built in: %+v", d)
	}
	for _, tt := range []struct{ name, json string }{
		{"unknown field", `{"sections":[{"key":"A","en":"A","colour":"red"}]}`},
		{"no sections", `{"sections":[]}`},
		{"bad key", `{"sections":[{"key":"a","en":"A"}]}`},
		{"duplicate key", `{"sections":[{"key":"A","en":"A"},{"key":"A","en":"B"}]}`},
		{"no title", `{"sections":[{"key":"A"}]}`},
		{"bad order", `{"sections":[{"key":"A","en":"A","order":"RANDOM"}]}`},
		{"bad kind", `{"sections":[{"key":"A","en":"A","takes":["PHOTO"]}]}`},
		{"negative limit", `{"sections":[{"key":"A","en":"A","pageLimit":-1}]}`},
		{"chronology after nothing", `{"chronologyAfter":"Q","sections":[{"key":"A","en":"A"}]}`},
		{"not JSON", `sections: A`},
	} {
		if _, err := LoadBundleDefaults([]byte(tt.json)); cynllun.ErrorCode(err) != cynllun.CodeInvalid {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
	if _, err := LoadBundleDefaults([]byte(`{"sections":[{"key":"A1","cy":"Adran","pageLimit":100,"takes":["REPORT","LEDGER"]}]}`)); err != nil {
		t.Errorf("good file: %v", err)
	}
}

// FuzzLoadBundleDefaults: any file is refused or gives sections a bundle
// can be built with (unique keys of 1–8 capitals or digits, a title, a
// page limit in range, a known order and kinds).
func FuzzLoadBundleDefaults(f *testing.F) {
	f.Add(builtinSections)
	f.Add([]byte(`{"sections":[{"key":"A","en":"A"}]}`))
	f.Add([]byte(`{"chronologyAfter":"B","sections":[{"key":"A","cy":"Adran","pageLimit":5,"order":"AS_LISTED","takes":["REPORT"]},{"key":"B","en":"B"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := LoadBundleDefaults(data)
		if err != nil {
			if cynllun.ErrorCode(err) != cynllun.CodeInvalid {
				t.Fatalf("not INVALID: %v", err)
			}
			return
		}
		ck := &checker{}
		checkSections(ck, "sections", d.Sections, d.ChronologyAfter)
		if len(ck.errs) > 0 || len(d.Sections) == 0 {
			t.Fatalf("accepted sections that do not check: %v", ck.errs)
		}
		seen := map[string]bool{}
		for _, s := range d.Sections {
			if seen[s.Key] || !sectionKey.MatchString(s.Key) {
				t.Fatalf("bad key %q", s.Key)
			}
			seen[s.Key] = true
		}
	})
}
