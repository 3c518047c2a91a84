package service

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"context"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/form"
	"github.com/cynllun/cynllun/policy"
)

// BundleDefaults are the sections a new case's bundle starts with. The
// ETW practice direction's sections and page limits are unconfirmed
// (domain.md §4.4), so they are configuration: bundle_sections.json, or a
// file in its format named by BUNDLE_SECTIONS.
type BundleDefaults struct {
	Sections        []cynllun.BundleSection
	ChronologyAfter string
}

//go:embed bundle_sections.json
var builtinSections []byte

// DefaultBundleSections are the built-in defaults.
func DefaultBundleSections() BundleDefaults {
	d, err := LoadBundleDefaults(builtinSections)
	if err != nil {
		panic("service: bundle_sections.json: " + err.Error())
	}
	return d
}

type sectionsFile struct {
	ChronologyAfter string `json:"chronologyAfter"`
	Sections        []struct {
		Key       string   `json:"key"`
		EN        string   `json:"en"`
		CY        string   `json:"cy"`
		PageLimit int      `json:"pageLimit"`
		Order     string   `json:"order"`
		Takes     []string `json:"takes"`
	} `json:"sections"`
	Note string `json:"note"`
}

// LoadBundleDefaults reads bundle defaults in the format of
// bundle_sections.json, refusing unknown fields and any section a bundle
// could not be built with.
func LoadBundleDefaults(data []byte) (BundleDefaults, error) {
	const op = "service.LoadBundleDefaults"
	var f sectionsFile
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return BundleDefaults{}, cynllun.E(cynllun.CodeInvalid, op, "bundle sections: "+err.Error())
	}
	d := BundleDefaults{ChronologyAfter: f.ChronologyAfter}
	for _, s := range f.Sections {
		order := cynllun.SectionOrder(s.Order)
		if order == "" {
			order = cynllun.OrderChronological
		}
		d.Sections = append(d.Sections, cynllun.BundleSection{Key: s.Key, TitleEN: s.EN, TitleCY: s.CY,
			PageLimit: s.PageLimit, Order: order, Takes: s.Takes})
	}
	ck := &checker{}
	checkSections(ck, "sections", d.Sections, d.ChronologyAfter)
	if len(ck.errs) > 0 {
		return BundleDefaults{}, cynllun.Invalid(op, ck.errs...)
	}
	return d, nil
}

// WithBundleDefaults sets the sections new cases' bundles start with.
func WithBundleDefaults(d BundleDefaults) Option { return func(s *Service) { s.bundleDefaults = &d } }

func (s *Service) defaultBundleSpec(lang cynllun.RenderLanguage) cynllun.BundleSpec {
	d := s.bundleDefaults
	if d == nil {
		def := DefaultBundleSections()
		d = &def
	}
	secs := make([]cynllun.BundleSection, len(d.Sections))
	for i, sec := range d.Sections {
		sec.Takes = slices.Clone(sec.Takes)
		secs[i] = sec
	}
	return cynllun.BundleSpec{Language: lang, Sections: secs, Chronology: true, ChronologyAfter: d.ChronologyAfter}
}

// Limits on a bundle specification.
const (
	maxSections      = 26
	maxRecordItems   = 200
	maxSectionPages  = 100_000
	maxExcludedItems = 2000
)

var (
	sectionKey    = regexp.MustCompile(`^[A-Z0-9]{1,8}$`)
	sectionOrders = []cynllun.SectionOrder{cynllun.OrderChronological, cynllun.OrderAsListed}
	recordKinds   = []cynllun.RecordKind{cynllun.RecordPlanVersion, cynllun.RecordMeetingRecord, cynllun.RecordLedger, cynllun.RecordDeadlines}
	// documentKinds are what a section may take.
	documentKinds = func() []string {
		var out []string
		for _, k := range cynllun.EvidenceKinds {
			out = append(out, string(k))
		}
		for _, k := range recordKinds {
			out = append(out, string(k))
		}
		return out
	}()
)

func checkSections(ck *checker, p string, secs []cynllun.BundleSection, after string) {
	if len(secs) == 0 {
		ck.add(p, "must have at least one section")
	}
	if !ck.count(p, len(secs), maxSections) {
		return
	}
	keys := map[string]bool{}
	for i, sec := range secs {
		f := fmt.Sprintf("%s.%d.", p, i)
		switch {
		case !sectionKey.MatchString(sec.Key):
			ck.add(f+"key", "must be 1 to 8 capital letters or digits")
		case keys[sec.Key]:
			ck.add(f+"key", "is used by an earlier section")
		}
		keys[sec.Key] = true
		if strings.TrimSpace(sec.TitleEN) == "" && strings.TrimSpace(sec.TitleCY) == "" {
			ck.add(f+"title", "is required (in English, Welsh or both)")
		}
		ck.text(f+"titleEn", sec.TitleEN, form.MaxShort, false)
		ck.text(f+"titleCy", sec.TitleCY, form.MaxShort, false)
		if sec.PageLimit < 0 || sec.PageLimit > maxSectionPages {
			ck.add(f+"pageLimit", fmt.Sprintf("must be between 0 (no limit) and %d", maxSectionPages))
		}
		oneOf(ck, f+"order", sec.Order, sectionOrders, false)
		for j, k := range sec.Takes {
			if !slices.Contains(documentKinds, k) {
				ck.add(fmt.Sprintf("%stakes.%d", f, j), "is not a kind of document")
			}
		}
	}
	if after != "" && !keys[after] {
		ck.add("chronologyAfter", "does not name a section")
	}
}

// SetBundleSpecInput changes how a case's bundle is put together. Each
// field left nil keeps its current value; a list given empty clears it
// (for sections, that is refused: a bundle needs at least one).
type SetBundleSpecInput struct {
	CaseID           string
	ExpectedRevision int
	Language         *cynllun.RenderLanguage
	Sections         *[]cynllun.BundleSection
	Chronology       *bool
	// ChronologyAfter: "" puts the chronology before the first section.
	// Left nil with new sections, the current place is kept when the
	// section is still there, else it goes before the first.
	ChronologyAfter *string
	Records         *[]cynllun.RecordItem
	Excluded        *[]string
}

// WholeSpec is the input that replaces a case's specification with spec,
// every field given.
func WholeSpec(caseID string, expectedRevision int, spec cynllun.BundleSpec) SetBundleSpecInput {
	records, excluded, sections := spec.Records, spec.Excluded, spec.Sections
	if records == nil {
		records = []cynllun.RecordItem{}
	}
	if excluded == nil {
		excluded = []string{}
	}
	in := SetBundleSpecInput{CaseID: caseID, ExpectedRevision: expectedRevision, Chronology: &spec.Chronology,
		ChronologyAfter: &spec.ChronologyAfter, Records: &records, Excluded: &excluded}
	if spec.Language != "" {
		in.Language = &spec.Language
	}
	if sections != nil {
		in.Sections = &sections
	}
	return in
}

// mergeSpec is cur changed by what in gives.
func mergeSpec(cur cynllun.BundleSpec, in SetBundleSpecInput) cynllun.BundleSpec {
	spec := cur
	spec.Sections = slices.Clone(cur.Sections)
	spec.Records = slices.Clone(cur.Records)
	spec.Excluded = slices.Clone(cur.Excluded)
	if in.Language != nil && *in.Language != "" {
		spec.Language = *in.Language
	}
	if in.Sections != nil {
		spec.Sections = slices.Clone(*in.Sections)
		if in.ChronologyAfter == nil && !slices.ContainsFunc(spec.Sections, func(s cynllun.BundleSection) bool { return s.Key == cur.ChronologyAfter }) {
			spec.ChronologyAfter = ""
		}
		// Records placed in a section no longer there find their place again.
		for i := range spec.Records {
			if in.Records == nil && !slices.ContainsFunc(spec.Sections, func(s cynllun.BundleSection) bool { return s.Key == spec.Records[i].Section }) {
				spec.Records[i].Section = ""
			}
		}
	}
	if in.Chronology != nil {
		spec.Chronology = *in.Chronology
	}
	if in.ChronologyAfter != nil {
		spec.ChronologyAfter = *in.ChronologyAfter
	}
	if in.Records != nil {
		spec.Records = slices.Clone(*in.Records)
	}
	if in.Excluded != nil {
		spec.Excluded = slices.Clone(*in.Excluded)
	}
	// An empty list is stored as none, as the store gives it back.
	if len(spec.Records) == 0 {
		spec.Records = nil
	}
	if len(spec.Excluded) == 0 {
		spec.Excluded = nil
	}
	return spec
}

// SetBundleSpec changes a case's bundle specification (a new revision of
// the case): only what the input gives (its language, sections, page
// limits and order, the documents from the record, the evidence left out);
// the rest keeps its current value. Every reference is checked: a plan
// version, a review or a piece of evidence must be the case's learner's.
func (s *Service) SetBundleSpec(ctx context.Context, in SetBundleSpecInput) (*cynllun.Case, error) {
	const op = "service.SetBundleSpec"
	// The respondent prepares the bundle (policy.CaseTable).
	p, cur, l, _, err := s.caseAs(ctx, op, in.CaseID, policy.OpSetBundleSpec)
	if err != nil {
		return nil, err
	}
	ck := &checker{}
	if err := checkCaseRevision(op, cur, in.ExpectedRevision, ck); err != nil {
		return nil, err
	}
	spec := mergeSpec(cur.Bundle, in)
	if err := s.checkSpec(ctx, op, cur, l, &spec, ck); err != nil {
		return nil, err
	}
	if len(ck.errs) > 0 {
		return nil, cynllun.Invalid(op, ck.errs...)
	}
	next := nextCase(cur, p, s.now())
	next.Bundle = spec
	if err := s.insertCase(ctx, op, next); err != nil {
		return nil, err
	}
	s.log.InfoContext(ctx, "bundle specification saved", "case", next.ID, "revision", next.Revision, "actor", p.UserID)
	return next, nil
}

// checkSpec validates a bundle specification against the case's record,
// filling in the section of record items that name none.
func (s *Service) checkSpec(ctx context.Context, op string, c *cynllun.Case, l *cynllun.Learner, spec *cynllun.BundleSpec, ck *checker) error {
	oneOf(ck, "input.language", spec.Language, []cynllun.RenderLanguage{cynllun.RenderEN, cynllun.RenderCY, cynllun.RenderBilingual}, false)
	checkSections(ck, "input.sections", spec.Sections, spec.ChronologyAfter)
	keys := map[string]bool{}
	for _, sec := range spec.Sections {
		keys[sec.Key] = true
	}
	if !ck.count("input.records", len(spec.Records), maxRecordItems) || !ck.count("input.excluded", len(spec.Excluded), maxExcludedItems) {
		return nil
	}
	plans, err := s.store.PlansByLearner(ctx, []string{l.ID})
	if err != nil {
		return cynllun.AsError(op, err)
	}
	planIDs := make([]string, len(plans))
	for i, pl := range plans {
		planIDs[i] = pl.ID
	}
	heads, err := s.store.PlanHeads(ctx, planIDs)
	if err != nil {
		return cynllun.AsError(op, err)
	}
	var reviews map[string]*cynllun.Review
	seen := map[string]bool{}
	for i := range spec.Records {
		r := &spec.Records[i]
		f := fmt.Sprintf("input.records.%d.", i)
		oneOf(ck, f+"kind", r.Kind, recordKinds, false)
		if r.Section == "" {
			r.Section = sectionFor(spec.Sections, string(r.Kind), "")
		} else if !keys[r.Section] {
			ck.add(f+"section", "does not name a section of the bundle")
		}
		if r.PlanID != "" && heads[r.PlanID].Latest == 0 {
			ck.add(f+"planId", "is not a plan of the case's learner")
			continue
		}
		switch r.Kind {
		case cynllun.RecordPlanVersion:
			switch {
			case r.PlanID == "":
				ck.add(f+"planId", "is required")
			case r.Version == 0:
				// The plan in force unless another version is named.
				r.Version = heads[r.PlanID].InForceOr()
			case r.Version < 1 || r.Version > heads[r.PlanID].Latest:
				ck.add(f+"version", "is not a version of the plan")
			}
		case cynllun.RecordMeetingRecord:
			if r.ReviewID == "" {
				ck.add(f+"reviewId", "is required")
				continue
			}
			if reviews == nil {
				rs, err := s.store.ReviewsForPlans(ctx, planIDs)
				if err != nil {
					return cynllun.AsError(op, err)
				}
				reviews = map[string]*cynllun.Review{}
				for _, rv := range rs {
					reviews[rv.ID] = rv
				}
			}
			rv := reviews[r.ReviewID]
			switch {
			case rv == nil:
				ck.add(f+"reviewId", "is not a review of the case's learner")
			case rv.Status != cynllun.ReviewOpen && rv.Status != cynllun.ReviewConcluded:
				ck.add(f+"reviewId", "names a review with no meeting record (it was requested or refused)")
			case r.Revision < 0 || r.Revision > rv.Revision:
				ck.add(f+"revision", "is not a revision of the review")
			}
			r.PlanID = ""
		case cynllun.RecordLedger:
			if r.PlanID == "" {
				ck.add(f+"planId", "is required")
			}
			ck.date(f+"from", r.From)
			ck.date(f+"to", r.To)
			if !r.From.IsZero() && !r.To.IsZero() && r.To.Before(r.From) {
				ck.add(f+"to", "must not be before from")
			}
			if !r.From.IsZero() && !r.To.IsZero() && r.To.Time().Sub(r.From.Time()).Hours()/24 > maxLedgerDays {
				ck.add(f+"to", "the window must be at most six years long")
			}
		}
		if id := recordItemID(r); seen[id] {
			ck.add(f[:len(f)-1], "is listed twice")
		} else {
			seen[id] = true
		}
	}
	if len(spec.Excluded) > 0 {
		ev, err := s.store.EvidenceByID(ctx, dedupe(spec.Excluded))
		if err != nil {
			return cynllun.AsError(op, err)
		}
		ours := map[string]bool{}
		for _, e := range ev {
			if e.CaseID == c.ID {
				ours[e.ID] = true
			}
		}
		for i, id := range spec.Excluded {
			if !ours[id] {
				ck.add(fmt.Sprintf("input.excluded.%d", i), "is not evidence of this case")
			}
		}
		spec.Excluded = dedupe(spec.Excluded)
	}
	return nil
}

// sectionFor is the section a document of kind goes in: the one it names
// when that is in the bundle, else the first that takes its kind, else the
// last.
func sectionFor(secs []cynllun.BundleSection, kind, named string) string {
	if len(secs) == 0 {
		return ""
	}
	if named != "" && slices.ContainsFunc(secs, func(s cynllun.BundleSection) bool { return s.Key == named }) {
		return named
	}
	for _, s := range secs {
		if slices.Contains(s.Takes, kind) {
			return s.Key
		}
	}
	return secs[len(secs)-1].Key
}

// recordItemID is a record item's stable id in a bundle.
func recordItemID(r *cynllun.RecordItem) string {
	switch r.Kind {
	case cynllun.RecordPlanVersion:
		return fmt.Sprintf("plan:%s/v%d", r.PlanID, r.Version)
	case cynllun.RecordMeetingRecord:
		return fmt.Sprintf("meeting:%s/r%d", r.ReviewID, r.Revision)
	case cynllun.RecordLedger:
		return fmt.Sprintf("ledger:%s/%s/%s", r.PlanID, r.From, r.To)
	case cynllun.RecordDeadlines:
		return "deadlines:" + r.PlanID
	}
	return "record:" + string(r.Kind)
}
