// Package routes says, as data, what a child, parent or young person may
// do next about a decision: for each kind of decision (cynllun.DisputedKind)
// and each kind of body that made it (a school, an FEI, a local authority,
// an NHS body), the steps open to them (the local authority's
// reconsideration, an appeal to the Education Tribunal for Wales,
// disagreement resolution, advocacy, a takeover request, a review request,
// a disability claim), each with the section of the Act that gives it and
// how well that is evidenced (domain.md §4.1–4.2). The table is routes.json,
// embedded and checked when the package loads: a bad file panics, so a
// binary never starts with routes it cannot trust.
//
// No appeal lies against a maintained school (EN para 73): the local
// authority reconsiders the school's decision on ALN (s.26), its IDP (s.27)
// or its decision to cease to maintain the IDP (s.32), and the authority's
// decision is then appealable (s.70). Decisions of local authorities and
// FEI governing bodies are appealable. What domain.md leaves unconfirmed
// (whether decisions to cease are appealable under s.70, say) is a row
// tagged UNCONFIRMED, not code: a step so tagged is still offered, since
// refusing a route that may lie is worse than offering one that may not,
// and the tag says how far to trust it.
//
// The clocks use the table (T17, the time to appeal, starts only where an
// appeal lies; a school's decision to cease starts the time to ask for
// reconsideration instead, T11), and so do cases (a case of a kind no step
// of the route is pursued as is refused with the route explained).
package routes

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/clock"
	"github.com/cynllun/cynllun/form"
)

// StepKind is a kind of step a family may take after a decision.
type StepKind string

const (
	// StepLAReconsideration: ask the local authority to reconsider a
	// maintained school's decision (ss.26, 27, 32).
	StepLAReconsideration StepKind = "LA_RECONSIDERATION"
	// StepTribunalAppeal: appeal to the Education Tribunal for Wales
	// (s.70).
	StepTribunalAppeal StepKind = "TRIBUNAL_APPEAL"
	// StepDisagreementResolution: the local authority's arrangements for
	// avoiding and resolving disagreements (s.68).
	StepDisagreementResolution StepKind = "DISAGREEMENT_RESOLUTION"
	// StepAdvocacy: independent advocacy arranged by the local authority
	// for those considering or making an appeal (s.69).
	StepAdvocacy StepKind = "ADVOCACY"
	// StepLATakeover: ask the local authority to take over a school's or
	// FEI's IDP (s.28).
	StepLATakeover StepKind = "LA_TAKEOVER"
	// StepReviewRequest: ask the body maintaining the IDP to review it
	// (s.23(8)).
	StepReviewRequest StepKind = "REVIEW_REQUEST"
	// StepDisabilityClaim: a disability discrimination claim to the
	// Tribunal (Equality Act 2010, not the ALN Act).
	StepDisabilityClaim StepKind = "DISABILITY_CLAIM"
)

// StepKinds lists every step kind, in schema order.
var StepKinds = []StepKind{StepLAReconsideration, StepTribunalAppeal, StepDisagreementResolution, StepAdvocacy,
	StepLATakeover, StepReviewRequest, StepDisabilityClaim}

// Makers are the kinds of body whose decisions the table covers, in
// schema order.
var Makers = []cynllun.OrgKind{cynllun.OrgLocalAuthority, cynllun.OrgSchool, cynllun.OrgFEI, cynllun.OrgHealthBoard}

// Step is what a kind of step is, in both languages.
type Step struct {
	Kind        StepKind  `json:"kind"`
	Title       form.Text `json:"title"`
	Description form.Text `json:"description"`
}

// RouteStep is one step open after a decision.
type RouteStep struct {
	Kind StepKind `json:"step"`
	// Section is the provision that gives the step ("s.26" of the Act, or
	// another enactment named in full); SectionCy its Welsh form when it is
	// not "a." for "s." (see SectionText).
	Section   string `json:"section"`
	SectionCy string `json:"sectionCy,omitempty"`
	// Basis is the source, with its tags.
	Basis string    `json:"basis"`
	Tag   clock.Tag `json:"tag"`
	// CaseKind is the kind of case that pursues the step ("" when it is
	// not a case: advocacy, a takeover or review request).
	CaseKind cynllun.CaseKind `json:"caseKind,omitempty"`
	// RequestEvent is the statutory event that records the step being
	// taken ("" when there is none to record); the clocks it starts are
	// those of clock rules starting on it.
	RequestEvent cynllun.EventKind `json:"requestEvent,omitempty"`
	// Window is the clock rule of the time to take the step, started by
	// the decision notice (T17 for an appeal, T11 for the reconsideration
	// of a school's decision to cease); "" when no time limit is known.
	Window string `json:"window,omitempty"`
}

// Route is what may be done about one kind of decision made by one kind
// of body.
type Route struct {
	Decision cynllun.DisputedKind
	Maker    cynllun.OrgKind
	// Steps are in the order to consider them; none when the body does not
	// make such a decision or no route the table knows lies.
	Steps []RouteStep
	// Note is what the law says about the decision and its maker.
	Note form.Text
}

//go:embed routes.json
var routesJSON []byte

type file struct {
	Source string `json:"source"`
	Steps  []Step `json:"steps"`
	Routes []struct {
		Maker     cynllun.OrgKind        `json:"maker"`
		Decisions []cynllun.DisputedKind `json:"decisions"`
		Note      form.Text              `json:"note"`
		Steps     []RouteStep            `json:"steps"`
	} `json:"routes"`
}

type table struct {
	source string
	steps  map[StepKind]Step
	routes map[key]Route
}

type key struct {
	decision cynllun.DisputedKind
	maker    cynllun.OrgKind
}

var embedded = mustLoad(routesJSON)

func mustLoad(b []byte) *table {
	t, err := load(b)
	if err != nil {
		panic("routes: embedded routes.json: " + err.Error())
	}
	return t
}

// load reads and checks a routes file: every step kind described once in
// both languages; every decision kind × maker covered exactly once; every
// step of a known kind with a section, a basis and a tag; case kinds,
// request events and windows that exist, a window being a clock rule and a
// request event starting no clock the step does not pursue.
func load(b []byte) (*table, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var f file
	if err := dec.Decode(&f); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("data after the JSON value")
	}
	if strings.TrimSpace(f.Source) == "" {
		return nil, errors.New("no source")
	}
	t := &table{source: f.Source, steps: map[StepKind]Step{}, routes: map[key]Route{}}
	for _, s := range f.Steps {
		if !slices.Contains(StepKinds, s.Kind) {
			return nil, fmt.Errorf("unknown step kind %q", s.Kind)
		}
		if _, dup := t.steps[s.Kind]; dup {
			return nil, fmt.Errorf("step kind %s described twice", s.Kind)
		}
		if !bothLanguages(s.Title) || !bothLanguages(s.Description) {
			return nil, fmt.Errorf("step kind %s needs a title and a description in English and in Welsh", s.Kind)
		}
		t.steps[s.Kind] = s
	}
	for _, k := range StepKinds {
		if _, ok := t.steps[k]; !ok {
			return nil, fmt.Errorf("step kind %s is not described", k)
		}
	}
	for i, r := range f.Routes {
		where := fmt.Sprintf("route %d (%s)", i+1, r.Maker)
		if !slices.Contains(Makers, r.Maker) {
			return nil, fmt.Errorf("%s: unknown maker", where)
		}
		if len(r.Decisions) == 0 {
			return nil, fmt.Errorf("%s: no decisions", where)
		}
		if !bothLanguages(r.Note) {
			return nil, fmt.Errorf("%s: a route needs a note in English and in Welsh", where)
		}
		seen := map[StepKind]bool{}
		for _, s := range r.Steps {
			if err := checkStep(s); err != nil {
				return nil, fmt.Errorf("%s: %s: %v", where, s.Kind, err)
			}
			if seen[s.Kind] {
				return nil, fmt.Errorf("%s: step %s twice", where, s.Kind)
			}
			seen[s.Kind] = true
		}
		for _, d := range r.Decisions {
			if !slices.Contains(cynllun.DisputedKinds, d) {
				return nil, fmt.Errorf("%s: unknown decision kind %q", where, d)
			}
			k := key{d, r.Maker}
			if _, dup := t.routes[k]; dup {
				return nil, fmt.Errorf("%s: %s by %s is covered twice", where, d, r.Maker)
			}
			t.routes[k] = Route{Decision: d, Maker: r.Maker, Steps: r.Steps, Note: r.Note}
		}
	}
	for _, m := range Makers {
		for _, d := range cynllun.DisputedKinds {
			if _, ok := t.routes[key{d, m}]; !ok {
				return nil, fmt.Errorf("%s by %s is not covered", d, m)
			}
		}
	}
	return t, nil
}

func checkStep(s RouteStep) error {
	if !slices.Contains(StepKinds, s.Kind) {
		return errors.New("unknown step kind")
	}
	if strings.TrimSpace(s.Section) == "" || strings.TrimSpace(s.Basis) == "" {
		return errors.New("a step needs its section and basis")
	}
	if !strings.HasPrefix(s.Section, "s.") && !strings.HasPrefix(s.Section, "ss.") && s.SectionCy == "" {
		return errors.New("a section of another enactment needs its Welsh form (sectionCy)")
	}
	switch s.Tag {
	case clock.TagConfirmed, clock.TagSecondary, clock.TagUnconfirmed:
	default:
		return fmt.Errorf("unknown tag %q", s.Tag)
	}
	if s.CaseKind != "" && !slices.Contains(cynllun.CaseKinds, s.CaseKind) {
		return fmt.Errorf("unknown case kind %q", s.CaseKind)
	}
	if s.RequestEvent != "" && !slices.Contains(cynllun.EventKinds, s.RequestEvent) {
		return fmt.Errorf("unknown request event %q", s.RequestEvent)
	}
	if s.Window != "" {
		if _, ok := clock.RuleByID(s.Window); !ok {
			return fmt.Errorf("window %q is not a clock rule", s.Window)
		}
	}
	return nil
}

func bothLanguages(t form.Text) bool {
	return strings.TrimSpace(t.EN) != "" && strings.TrimSpace(t.CY) != ""
}

// Source says where the table comes from.
func Source() string { return embedded.source }

// For returns the route of a decision of kind decision made by a body of
// kind maker. A decision whose kind is not known ("") is read as OTHER. ok
// is false for a maker the table does not cover.
func For(decision cynllun.DisputedKind, maker cynllun.OrgKind) (Route, bool) {
	if decision == "" {
		decision = cynllun.DisputedOther
	}
	r, ok := embedded.routes[key{decision, maker}]
	return r.clone(), ok
}

// All returns every route: for each decision kind in schema order, each
// maker in schema order.
func All() []Route {
	out := make([]Route, 0, len(cynllun.DisputedKinds)*len(Makers))
	for _, d := range cynllun.DisputedKinds {
		for _, m := range Makers {
			out = append(out, embedded.routes[key{d, m}].clone())
		}
	}
	return out
}

// StepOf describes a kind of step.
func StepOf(k StepKind) Step { return embedded.steps[k] }

func (r Route) clone() Route {
	r.Steps = slices.Clone(r.Steps)
	return r
}

// Allows reports whether a case of kind k pursues one of the route's steps.
func (r Route) Allows(k cynllun.CaseKind) bool {
	return slices.ContainsFunc(r.Steps, func(s RouteStep) bool { return s.CaseKind == k })
}

// CaseKinds are the kinds of case the route's steps are pursued as, in the
// order of the steps.
func (r Route) CaseKinds() []cynllun.CaseKind {
	var out []cynllun.CaseKind
	for _, s := range r.Steps {
		if s.CaseKind != "" && !slices.Contains(out, s.CaseKind) {
			out = append(out, s.CaseKind)
		}
	}
	return out
}

// AppealLies reports whether the route has an appeal to the Tribunal,
// whatever its tag.
func (r Route) AppealLies() bool {
	return slices.ContainsFunc(r.Steps, func(s RouteStep) bool { return s.Kind == StepTribunalAppeal })
}

// Windows are the clock rules the decision notice starts: the time to
// take each step that has one (T17, T11).
func (r Route) Windows() []string {
	var out []string
	for _, s := range r.Steps {
		if s.Window != "" && !slices.Contains(out, s.Window) {
			out = append(out, s.Window)
		}
	}
	return out
}

// Title is the step's title.
func (s RouteStep) Title() form.Text { return embedded.steps[s.Kind].Title }

// Description is what the step is.
func (s RouteStep) Description() form.Text { return embedded.steps[s.Kind].Description }

// SectionText is the section in English and Welsh ("s.26", "a.26").
func (s RouteStep) SectionText() form.Text {
	cy := s.SectionCy
	if cy == "" {
		switch {
		case strings.HasPrefix(s.Section, "ss."):
			cy = "aa." + strings.TrimPrefix(s.Section, "ss.")
		default:
			cy = "a." + strings.TrimPrefix(s.Section, "s.")
		}
	}
	return form.Text{EN: s.Section, CY: cy}
}

// Explanation is the route in plain sentences: its note, then the next
// steps with their sections, an unconfirmed one marked so. The same
// decision and maker always give the same words (they are registered as
// messages of the catalogue, since a refused case's error quotes them).
func (r Route) Explanation() form.Text {
	if len(r.Steps) == 0 {
		return r.Note
	}
	en, cy := make([]string, len(r.Steps)), make([]string, len(r.Steps))
	for i, s := range r.Steps {
		t, sec := s.Title(), s.SectionText()
		en[i], cy[i] = lowerFirst(t.EN)+" ("+sec.EN, lowerFirst(t.CY)+" ("+sec.CY
		if s.Tag == clock.TagUnconfirmed {
			en[i] += ", unconfirmed"
			cy[i] += ", heb ei gadarnhau"
		}
		en[i] += ")"
		cy[i] += ")"
	}
	return form.Text{
		EN: r.Note.EN + " Next steps: " + strings.Join(en, "; ") + ".",
		CY: r.Note.CY + " Y camau nesaf: " + strings.Join(cy, "; ") + ".",
	}
}

// NextStep is the first step's title, or nothing when there is none.
func (r Route) NextStep() (form.Text, bool) {
	if len(r.Steps) == 0 {
		return form.Text{}, false
	}
	t := r.Steps[0].Title()
	return form.Text{EN: lowerFirst(t.EN), CY: lowerFirst(t.CY)}, true
}

// lowerFirst lowers the first letter of a title for use inside a sentence
// ("Ask the local authority …" → "ask the local authority …"); a name
// ("Education Tribunal …") never comes first in a title.
func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
