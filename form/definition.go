// Package form holds the IDP form: its versioned definition (headings, their
// order and their Welsh and English wording, as data), validation of plan
// content, and a field-level comparison of two versions' content.
//
// The definition lives in definitions/*.json, embedded at build time. Parts of
// the published form (Annex A of the ALN Code) could not be confirmed (see
// domain.md §1); sections and fields whose structure or wording is not
// confirmed say so in Unconfirmed and Note, so the data can be corrected
// without code changes.
package form

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/cynllun/cynllun"
)

// CurrentVersion is the form definition new plan versions are saved against.
const CurrentVersion = "2021-annex-a"

// AppliesTo values of a Section.
const (
	AppliesAll          = "ALL"
	AppliesLAMaintained = "LA_MAINTAINED"
)

// Text is a bilingual text.
type Text struct {
	EN string `json:"en"`
	CY string `json:"cy"`
}

// In returns t in lang; Welsh falls back to English when it is empty, and any
// other language gets English.
func (t Text) In(lang cynllun.Language) string {
	if lang == cynllun.LanguageCY && t.CY != "" {
		return t.CY
	}
	return t.EN
}

// Definition is one version of the IDP form.
type Definition struct {
	// Version names the definition, e.g. "2021-annex-a"; plan versions record it.
	Version string `json:"version"`
	Title   Text   `json:"title"`
	// Source cites the published form the definition follows.
	Source string `json:"source"`
	// Note says how far the definition is confirmed.
	Note  string `json:"note,omitempty"`
	Parts []Part `json:"parts"`
}

// Part is a part of the form: "1", "2", "3" or "APPENDICES". Its title is
// complete ("Part 1: Profile").
type Part struct {
	Key         string    `json:"key"`
	Title       Text      `json:"title"`
	Sections    []Section `json:"sections"`
	Unconfirmed bool      `json:"unconfirmed,omitempty"`
	Note        string    `json:"note,omitempty"`
}

// Section is a section of the form ("1A", "2B", "3A", "APPENDICES"). Its
// title does not repeat the key; renderers print "2B" before it.
type Section struct {
	Key    string  `json:"key"`
	Title  Text    `json:"title"`
	Help   Text    `json:"help"`
	Fields []Field `json:"fields"`
	// AppliesTo is AppliesAll or AppliesLAMaintained.
	AppliesTo string `json:"appliesTo"`
	// Unconfirmed is true where the structure or wording of the section is
	// not confirmed against the published form; Note says what.
	Unconfirmed bool   `json:"unconfirmed"`
	Note        string `json:"note"`
}

// Field is a field of a section. Key is the GraphQL/JSON input name
// ("intendedOutcome"); Ref is the form's own number where it has one
// ("2B.1"), empty for Cynllun's additions.
type Field struct {
	Key         string `json:"key"`
	Label       Text   `json:"label"`
	Ref         string `json:"ref,omitempty"`
	Unconfirmed bool   `json:"unconfirmed,omitempty"`
	Note        string `json:"note,omitempty"`
}

// Section returns the section with key.
func (d *Definition) Section(key string) (*Section, bool) {
	for i := range d.Parts {
		for j := range d.Parts[i].Sections {
			if s := &d.Parts[i].Sections[j]; s.Key == key {
				return s, true
			}
		}
	}
	return nil, false
}

// Field returns the field of section with key.
func (d *Definition) Field(section, key string) (*Field, bool) {
	s, ok := d.Section(section)
	if !ok {
		return nil, false
	}
	return s.Field(key)
}

// Field returns the field with key.
func (s *Section) Field(key string) (*Field, bool) {
	for i := range s.Fields {
		if s.Fields[i].Key == key {
			return &s.Fields[i], true
		}
	}
	return nil, false
}

// FurtherSectionKeys lists, in order, the keys of the Part 3 sections after
// 3A: the keys a cynllun.FurtherSection may have.
func (d *Definition) FurtherSectionKeys() []string {
	var keys []string
	for _, p := range d.Parts {
		if p.Key != "3" {
			continue
		}
		for _, s := range p.Sections {
			if s.Key != "3A" {
				keys = append(keys, s.Key)
			}
		}
	}
	return keys
}

// Current returns the definition new versions are saved against. The result
// is the caller's own copy.
func Current() *Definition {
	d, ok := Lookup(CurrentVersion)
	if !ok {
		panic("form: current definition " + CurrentVersion + " is missing")
	}
	return d
}

// Lookup returns the definition with version, as the caller's own copy.
func Lookup(version string) (*Definition, bool) {
	d, ok := definitions[version]
	if !ok {
		return nil, false
	}
	return d.clone(), true
}

// Versions lists the known definition versions in order.
func Versions() []string {
	vs := make([]string, 0, len(definitions))
	for v := range definitions {
		vs = append(vs, v)
	}
	slices.Sort(vs)
	return vs
}

func (d *Definition) clone() *Definition {
	c := *d
	c.Parts = slices.Clone(d.Parts)
	for i := range c.Parts {
		c.Parts[i].Sections = slices.Clone(c.Parts[i].Sections)
		for j := range c.Parts[i].Sections {
			c.Parts[i].Sections[j].Fields = slices.Clone(c.Parts[i].Sections[j].Fields)
		}
	}
	return &c
}

//go:embed definitions/*.json
var files embed.FS

var definitions = mustLoad(files)

func mustLoad(fsys fs.FS) map[string]*Definition {
	defs, err := load(fsys)
	if err != nil {
		panic("form: " + err.Error())
	}
	return defs
}

func load(fsys fs.FS) (map[string]*Definition, error) {
	names, err := fs.Glob(fsys, "definitions/*.json")
	if err != nil {
		return nil, err
	}
	defs := make(map[string]*Definition, len(names))
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		d, err := parse(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if want := strings.TrimSuffix(path.Base(name), ".json"); d.Version != want {
			return nil, fmt.Errorf("%s: version %q does not match the file name", name, d.Version)
		}
		defs[d.Version] = d
	}
	if _, ok := defs[CurrentVersion]; !ok {
		return nil, fmt.Errorf("no definition for the current version %s", CurrentVersion)
	}
	return defs, nil
}

// parse decodes and checks one definition file.
func parse(b []byte) (*Definition, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var d Definition
	if err := dec.Decode(&d); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("trailing data after the definition")
	}
	if err := d.check(); err != nil {
		return nil, err
	}
	return &d, nil
}

// requiredFields are the sections and fields that validation and Diff rely on.
var requiredFields = map[string][]string{
	"1A":         {"consentGiven", "consentDetails", "capacityIssues", "capacityDetails"},
	"1B":         {"startDate", "reviewTargetDate", "proposedReviewDate"},
	"1C":         {"likeAndAdmire", "importantToMe", "howToSupportMe", "media"},
	"2A":         {"description", "impactOnLearning", "reasons"},
	"2B":         {"intendedOutcome", "provision", "welshMedium", "provider", "startDate", "reviewOrEndDate", "rationale", "quantity", "nhsSecured", "nhsBody"},
	"2D":         {"namedSchool", "otherInstitution", "boardAndLodging"},
	"3A":         {"meetingSummary"},
	"APPENDICES": {"title", "text", "attachmentId"},
}

// check reports the first problem with d.
func (d *Definition) check() error {
	if d.Version == "" {
		return fmt.Errorf("version is empty")
	}
	if err := checkText("title", d.Title); err != nil {
		return err
	}
	if d.Source == "" {
		return fmt.Errorf("source is empty")
	}
	if len(d.Parts) == 0 {
		return fmt.Errorf("no parts")
	}
	parts := map[string]bool{}
	sections := map[string]bool{}
	for _, p := range d.Parts {
		if p.Key == "" {
			return fmt.Errorf("a part has no key")
		}
		if parts[p.Key] {
			return fmt.Errorf("part %s: duplicate key", p.Key)
		}
		parts[p.Key] = true
		if err := checkText("part "+p.Key+" title", p.Title); err != nil {
			return err
		}
		if p.Unconfirmed && p.Note == "" {
			return fmt.Errorf("part %s: unconfirmed without a note", p.Key)
		}
		for _, s := range p.Sections {
			if s.Key == "" {
				return fmt.Errorf("part %s: a section has no key", p.Key)
			}
			if sections[s.Key] {
				return fmt.Errorf("section %s: duplicate key", s.Key)
			}
			sections[s.Key] = true
			if err := checkText("section "+s.Key+" title", s.Title); err != nil {
				return err
			}
			if (s.Help.EN == "") != (s.Help.CY == "") {
				return fmt.Errorf("section %s: help must be in both languages or neither", s.Key)
			}
			if s.AppliesTo != AppliesAll && s.AppliesTo != AppliesLAMaintained {
				return fmt.Errorf("section %s: appliesTo must be %s or %s", s.Key, AppliesAll, AppliesLAMaintained)
			}
			if s.Unconfirmed && s.Note == "" {
				return fmt.Errorf("section %s: unconfirmed without a note", s.Key)
			}
			fields := map[string]bool{}
			refs := map[string]bool{}
			for _, f := range s.Fields {
				if f.Key == "" {
					return fmt.Errorf("section %s: a field has no key", s.Key)
				}
				if fields[f.Key] {
					return fmt.Errorf("section %s: duplicate field %s", s.Key, f.Key)
				}
				fields[f.Key] = true
				if f.Ref != "" {
					if refs[f.Ref] {
						return fmt.Errorf("section %s: duplicate ref %s", s.Key, f.Ref)
					}
					refs[f.Ref] = true
				}
				if err := checkText("field "+s.Key+"."+f.Key+" label", f.Label); err != nil {
					return err
				}
				if f.Unconfirmed && f.Note == "" {
					return fmt.Errorf("field %s.%s: unconfirmed without a note", s.Key, f.Key)
				}
			}
		}
	}
	for key, want := range requiredFields {
		s, ok := d.Section(key)
		if !ok {
			return fmt.Errorf("section %s is missing", key)
		}
		for _, f := range want {
			if _, ok := s.Field(f); !ok {
				return fmt.Errorf("section %s: field %s is missing", key, f)
			}
		}
	}
	if p := d.partOf("3A"); p != "3" {
		return fmt.Errorf("section 3A must be in part 3")
	}
	for _, k := range d.FurtherSectionKeys() {
		s, _ := d.Section(k)
		if len(s.Fields) != 1 || s.Fields[0].Key != "text" {
			return fmt.Errorf("section %s: a further Part 3 section must have exactly one field, text", k)
		}
	}
	return nil
}

func (d *Definition) partOf(section string) string {
	for _, p := range d.Parts {
		for _, s := range p.Sections {
			if s.Key == section {
				return p.Key
			}
		}
	}
	return ""
}

func checkText(what string, t Text) error {
	if strings.TrimSpace(t.EN) == "" {
		return fmt.Errorf("%s: English is empty", what)
	}
	if strings.TrimSpace(t.CY) == "" {
		return fmt.Errorf("%s: Welsh is empty", what)
	}
	return nil
}
