// Package quality checks records against what good practice and the law
// expect, and reports findings: the review checklist and the red flags of
// a poor review (domain.md §3; seed S2). Each finding names its rule, its
// severity, the place in the record it concerns, a message in English and
// Welsh, what it rests on (and how strong that is), and how to put it right.
package quality

import (
	"github.com/cynllun/cynllun/form"
)

// Severity is how serious a finding is.
type Severity string

const (
	SeverityError   Severity = "ERROR"
	SeverityWarning Severity = "WARNING"
	SeverityInfo    Severity = "INFO"
)

// Place is where in the record a finding points: a section or part of a
// review ("review.childViews") and, for 2B rows, the row's id.
type Place struct {
	Section string
	RowID   string
	Field   string
}

// Finding is one result of a rule.
type Finding struct {
	Rule     string
	Severity Severity
	Place    Place
	Message  form.Text
	// Basis is the law or guidance the rule rests on, with its strength
	// and sources (research notes: data for the API, not document text).
	Basis string
	// Cites is the basis in plain words in both languages, as documents
	// print it.
	Cites form.Text
	Fix   form.Text
}

// Check is one item of a checklist and whether the record meets it.
type Check struct {
	Code  string
	Label form.Text
	// Applies is false when the item does not apply to this record (parent
	// views for a young person); Met is then false too.
	Applies bool
	Met     bool
	Basis   string
}
