package form

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/cynllun/cynllun"
	"github.com/google/go-cmp/cmp"
)

func TestDefinitionLoads(t *testing.T) {
	if got := Versions(); !contains(got, CurrentVersion) {
		t.Fatalf("Versions() = %v, want it to include %s", got, CurrentVersion)
	}
	d := Current()
	if d.Version != CurrentVersion {
		t.Fatalf("Current().Version = %q", d.Version)
	}
	if _, ok := Lookup("no-such-version"); ok {
		t.Error("Lookup of an unknown version succeeded")
	}
	if err := d.check(); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, p := range d.Parts {
		for _, s := range p.Sections {
			keys = append(keys, s.Key)
		}
	}
	want := []string{"1A", "1B", "1C", "2A", "2B", "2C", "2D", "3A", "3B", "3C", "3D", "APPENDICES"}
	if diff := cmp.Diff(want, keys); diff != "" {
		t.Errorf("section order (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"3B", "3C", "3D"}, d.FurtherSectionKeys()); diff != "" {
		t.Errorf("FurtherSectionKeys (-want +got):\n%s", diff)
	}
}

func TestDefinitionKeysAndWording(t *testing.T) {
	d := Current()
	parts, sections := map[string]bool{}, map[string]bool{}
	for _, p := range d.Parts {
		if parts[p.Key] {
			t.Errorf("part %s twice", p.Key)
		}
		parts[p.Key] = true
		if p.Title.EN == "" || p.Title.CY == "" {
			t.Errorf("part %s: title %+v lacks a language", p.Key, p.Title)
		}
		for _, s := range p.Sections {
			if sections[s.Key] {
				t.Errorf("section %s twice", s.Key)
			}
			sections[s.Key] = true
			if s.Title.EN == "" || s.Title.CY == "" {
				t.Errorf("section %s: title %+v lacks a language", s.Key, s.Title)
			}
			if s.Help.EN == "" || s.Help.CY == "" {
				t.Errorf("section %s: help lacks a language", s.Key)
			}
			if s.AppliesTo != AppliesAll && s.AppliesTo != AppliesLAMaintained {
				t.Errorf("section %s: appliesTo %q", s.Key, s.AppliesTo)
			}
			// No Welsh heading of Annex A is sourced (domain.md §9 q.8), so
			// every section must say so.
			if !s.Unconfirmed || !strings.Contains(s.Note, "Welsh wording not confirmed against the published form") {
				t.Errorf("section %s: unconfirmed=%v note=%q; want the Welsh wording marked unconfirmed", s.Key, s.Unconfirmed, s.Note)
			}
			fields := map[string]bool{}
			for _, f := range s.Fields {
				if fields[f.Key] {
					t.Errorf("section %s: field %s twice", s.Key, f.Key)
				}
				fields[f.Key] = true
				if f.Label.EN == "" || f.Label.CY == "" {
					t.Errorf("field %s.%s: label %+v lacks a language", s.Key, f.Key, f.Label)
				}
				if f.Unconfirmed && f.Note == "" {
					t.Errorf("field %s.%s: unconfirmed without a note", s.Key, f.Key)
				}
			}
		}
	}
	if s, _ := d.Section("2D"); s.AppliesTo != AppliesLAMaintained {
		t.Errorf("2D appliesTo = %q", s.AppliesTo)
	}
}

func TestDefinition2BStatutorySubFields(t *testing.T) {
	s, ok := Current().Section("2B")
	if !ok {
		t.Fatal("no 2B")
	}
	type sub struct{ Ref, Key string }
	var got []sub
	for _, f := range s.Fields {
		if f.Ref != "" {
			got = append(got, sub{f.Ref, f.Key})
		}
	}
	want := []sub{
		{"2B.1", "intendedOutcome"}, {"2B.2", "provision"}, {"2B.3", "welshMedium"}, {"2B.4", "provider"},
		{"2B.5", "startDate"}, {"2B.6", "reviewOrEndDate"}, {"2B.7", "rationale"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("2B statutory sub-fields (-want +got):\n%s", diff)
	}
	for _, k := range []string{"quantity", "nhsSecured", "nhsBody"} {
		if f, ok := s.Field(k); !ok || f.Ref != "" || !f.Unconfirmed {
			t.Errorf("2B field %s: %+v, %v; want a field without a ref, marked unconfirmed", k, f, ok)
		}
	}
}

func TestDefinitionProfileHeadings(t *testing.T) {
	s, _ := Current().Section("1C")
	var got []string
	for _, f := range s.Fields[:3] {
		got = append(got, f.Key+": "+f.Label.EN+" / "+f.Label.CY)
	}
	want := []string{
		"likeAndAdmire: What people like and admire about me / Beth mae pobl yn ei hoffi ac yn ei edmygu amdanaf i",
		"importantToMe: What's important to me / Beth sy'n bwysig i mi",
		"howToSupportMe: How best to support me / Y ffordd orau o'm cefnogi i",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("1C headings (-want +got):\n%s", diff)
	}
}

func TestLookupReturnsACopy(t *testing.T) {
	d := Current()
	d.Parts[0].Sections[0].Fields[0].Label.EN = "changed"
	d.Parts[0].Title.EN = "changed"
	if e := Current(); e.Parts[0].Sections[0].Fields[0].Label.EN == "changed" || e.Parts[0].Title.EN == "changed" {
		t.Error("changing a returned definition changed the stored one")
	}
}

func TestTextIn(t *testing.T) {
	tests := []struct {
		t    Text
		lang cynllun.Language
		want string
	}{
		{Text{EN: "Start date", CY: "Dyddiad dechrau"}, cynllun.LanguageEN, "Start date"},
		{Text{EN: "Start date", CY: "Dyddiad dechrau"}, cynllun.LanguageCY, "Dyddiad dechrau"},
		{Text{EN: "Start date"}, cynllun.LanguageCY, "Start date"},
		{Text{EN: "Start date", CY: "Dyddiad dechrau"}, "fr", "Start date"},
	}
	for _, tt := range tests {
		if got := tt.t.In(tt.lang); got != tt.want {
			t.Errorf("%+v.In(%s) = %q, want %q", tt.t, tt.lang, got, tt.want)
		}
	}
}

func TestParseRejects(t *testing.T) {
	good, err := files.ReadFile("definitions/" + CurrentVersion + ".json")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := parse(good); err != nil {
		t.Fatalf("parse of the embedded file: %v", err)
	}
	tests := []struct{ name, old, new, want string }{
		{"unknown field", `"version": "2021-annex-a",`, `"version": "2021-annex-a", "colour": "red",`, "unknown field"},
		{"duplicate section", `"key": "1B",`, `"key": "1A",`, "section 1A: duplicate key"},
		{"missing Welsh title", `"cy": "Cydsyniad a galluedd"`, `"cy": ""`, "section 1A title: Welsh is empty"},
		{"bad appliesTo", `"appliesTo": "LA_MAINTAINED"`, `"appliesTo": "SOMETIMES"`, "section 2D: appliesTo"},
		{"missing 2B field", `{"key": "rationale", "ref": "2B.7",`, `{"key": "reason", "ref": "2B.7",`, "section 2B: field rationale is missing"},
		{"duplicate field", `{"key": "rationale", "ref": "2B.7",`, `{"key": "provision", "ref": "2B.7",`, "section 2B: duplicate field provision"},
		{"duplicate ref", `"ref": "2B.7"`, `"ref": "2B.6"`, "duplicate ref 2B.6"},
		{"unconfirmed without note", `"note": "See nhsSecured."`, `"note": ""`, "field 2B.nhsBody: unconfirmed without a note"},
		{"missing section", `"key": "3A",`, `"key": "3Z",`, "section 3A is missing"},
		{"trailing data", "\n}\n", "\n}\n{}", "trailing data"},
		{"not JSON", `"version"`, `version`, "invalid character"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := strings.Replace(string(good), tt.old, tt.new, 1)
			if s == string(good) {
				t.Fatalf("test does not change the file: %q not found", tt.old)
			}
			_, err := parse([]byte(s))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("parse: %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestLoadChecksFileNames(t *testing.T) {
	good, _ := files.ReadFile("definitions/" + CurrentVersion + ".json")
	_, err := load(fstest.MapFS{"definitions/other.json": {Data: good}})
	if err == nil || !strings.Contains(err.Error(), "does not match the file name") {
		t.Fatalf("load: %v", err)
	}
	_, err = load(fstest.MapFS{})
	if err == nil {
		t.Fatal("load of no files succeeded")
	}
	defs, err := load(fstest.MapFS{"definitions/" + CurrentVersion + ".json": {Data: good}})
	if err != nil || len(defs) != 1 {
		t.Fatalf("load: %v, %d definitions", err, len(defs))
	}
}
