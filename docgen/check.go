package docgen

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/form"
	"github.com/cynllun/cynllun/quality"
)

// PlanCheck is the quality check of a draft, printed on pages of its own after the plan.
type PlanCheck struct {
	Findings []quality.Finding
	// AsOf is when the check ran (printed; the date in Europe/London).
	AsOf time.Time
}

// checkKey is the key of the plan check's heading, which is laid out as a
// part's.
const checkKey = "CHECK"

// check lays out the plan check on a new page after the plan: a heading, a
// line saying the check is not part of the plan, the date it ran, the
// number of findings of each severity, then each finding (its severity,
// where it points, the message, how to put it right and, in small print,
// what it rests on). Errors come first, then warnings, then notes, each in
// the order given (the form's); findings of a severity quality does not
// define come last and are not counted.
func (b *planBuilder) check(def *form.Definition, c *PlanCheck) {
	b.blocks = append(b.blocks,
		Block{Kind: KindPageBreak},
		Block{Kind: KindPart, Key: checkKey, Text: b.t(txtCheckTitle)},
	)
	b.add(KindParagraph, "", b.t(txtCheckNotPlan))
	asOf := txtNotRecorded
	if !c.AsOf.IsZero() {
		asOf = dateText(cynllun.DateOf(c.AsOf.In(cynllun.London)))
	}
	b.add(KindField, b.t(txtCheckDate), b.t(asOf))
	if len(c.Findings) == 0 {
		b.add(KindField, b.t(txtFindings), b.t(txtNoFindings))
		return
	}
	count := map[quality.Severity]int{}
	for _, f := range c.Findings {
		count[f.Severity]++
	}
	b.add(KindField, b.t(txtFindings), b.t(findingsText(
		count[quality.SeverityError], count[quality.SeverityWarning], count[quality.SeverityInfo])))

	findings := slices.Clone(c.Findings)
	slices.SortStableFunc(findings, func(x, y quality.Finding) int {
		return cmp.Compare(severityRank(x.Severity), severityRank(y.Severity))
	})
	for _, f := range findings {
		b.blocks = append(b.blocks, Block{
			Kind:  KindFinding,
			Key:   string(f.Severity),
			Label: b.t(enumText(severities, f.Severity)),
			Text:  b.t(b.where(def, f.Place)),
		})
		if msg := b.t(f.Message); !blank(msg) {
			b.add(KindFindingText, "", msg)
		}
		if fix := b.t(f.Fix); !blank(fix) {
			b.add(KindFindingText, "", b.t(txtFix)+": "+fix)
		}
		// What the rule rests on, in plain words (Finding.Basis, with its
		// evidence tags and source ids, is data for the API).
		if cites := b.t(f.Cites); !blank(cites) {
			b.add(KindFindingNote, "", b.t(txtBasis)+": "+cites)
		}
	}
}

// severityRank orders findings: errors, warnings, notes, anything else.
func severityRank(s quality.Severity) int {
	switch s {
	case quality.SeverityError:
		return 0
	case quality.SeverityWarning:
		return 1
	case quality.SeverityInfo:
		return 2
	}
	return 3
}

// where says where a finding points, from the form definition:
//
//   - a section: its heading, "2B Additional learning provision" (a
//     section that is the whole of its part, the appendices, by the part's
//     title);
//   - a row: the section's key and the row's number in the version's
//     provision list, "2B row 2 – Additional learning provision" (the
//     row's id when it is not in the list; "Appendices row 2" for a
//     section headed by its part);
//   - a field: its label after a comma, ", 2B.1 Intended outcome".
//
// A section or field the definition does not have is printed as named; a
// finding with no section and no row points at the plan as a whole.
func (b *planBuilder) where(def *form.Definition, p quality.Place) form.Text {
	row := b.rowNumber(p.RowID)
	var w form.Text
	sec, part, known := sectionOf(def, p.Section)
	switch {
	case known && sec.Key == part.Key: // the appendices
		w = inBoth(part.Title)
		if row != "" {
			w = form.Text{EN: fmt.Sprintf(fmtSectionRow.EN, w.EN, row), CY: fmt.Sprintf(fmtSectionRow.CY, w.CY, row)}
		}
	case known && row != "":
		w = join(sprintf(fmtSectionRow, sec.Key, row), inBoth(sec.Title), " – ")
	case known:
		t := inBoth(sec.Title)
		w = form.Text{EN: sec.Key + " " + t.EN, CY: sec.Key + " " + t.CY}
	case p.Section != "" && row != "":
		w = sprintf(fmtSectionRow, p.Section, row)
	case p.Section != "":
		w = form.Text{EN: p.Section, CY: p.Section}
	case row != "":
		w = sprintf(fmtRowOnly, row)
	default:
		w = txtWholePlan
	}
	if p.Field != "" {
		field := form.Text{EN: p.Field, CY: p.Field}
		if known {
			if f, ok := sec.Field(p.Field); ok {
				field = inBoth(f.Label)
				if f.Ref != "" {
					field = form.Text{EN: f.Ref + " " + field.EN, CY: f.Ref + " " + field.CY}
				}
			}
		}
		w = join(w, field, ", ")
	}
	return w
}

// rowNumber is the 1-based position of the row with id in the version's
// provision list, or the id itself when no row has it; "" for no id.
func (b *planBuilder) rowNumber(id string) string {
	if id == "" {
		return ""
	}
	for i := range b.c.Provision {
		if b.c.Provision[i].ID == id {
			return strconv.Itoa(i + 1)
		}
	}
	return id
}

// sectionOf finds the section with key in def, with its part.
func sectionOf(def *form.Definition, key string) (*form.Section, *form.Part, bool) {
	if key == "" {
		return nil, nil, false
	}
	for i := range def.Parts {
		p := &def.Parts[i]
		for j := range p.Sections {
			if s := &p.Sections[j]; s.Key == key {
				return s, p, true
			}
		}
	}
	return nil, nil, false
}

// inBoth is t with its Welsh filled in from the English where it is
// empty, so that pieces of it can be joined language by language.
func inBoth(t form.Text) form.Text {
	return form.Text{EN: t.EN, CY: t.In(cynllun.LanguageCY)}
}

// join joins two texts language by language.
func join(a, b form.Text, sep string) form.Text {
	return form.Text{EN: a.EN + sep + b.EN, CY: a.CY + sep + b.CY}
}
