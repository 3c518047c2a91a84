package quality

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/form"
)

// PlanRule documents one plan rule: its code, severity, title, basis, fix,
// and an example that fires and one that does not (as they are in
// plan_rules.json).
type PlanRule struct {
	Code     string
	Severity Severity
	Title    form.Text
	Basis    string
	// Cites is the basis in plain words, in both languages, as a reader of
	// the plan check sees it: no evidence tags or source ids.
	Cites  form.Text
	Fix    form.Text
	Fires  form.Text
	Passes form.Text
}

// PlanRules lists the plan rules in the order CheckPlan reports them.
func PlanRules() []PlanRule {
	out := make([]PlanRule, len(ruleset.list))
	for i, r := range ruleset.list {
		out[i] = PlanRule{Code: r.Code, Severity: r.Severity, Title: r.Title, Basis: r.Basis, Cites: r.Cites, Fix: r.Fix,
			Fires: form.Text{EN: r.Fires.EN, CY: r.Fires.CY}, Passes: form.Text{EN: r.Passes.EN, CY: r.Passes.CY}}
	}
	return out
}

//go:embed plan_rules.json
var planRulesJSON []byte

//go:embed lexicon.json
var lexiconJSON []byte

// The rules and the lexicon are loaded and checked when the package is
// initialised: a malformed file panics (and so fails every test).
var (
	ruleset = mustLoadRules(planRulesJSON)
	lex     = mustLoadLexicon(lexiconJSON)
)

func mustLoadRules(b []byte) *ruleSet {
	rs, err := loadRules(b)
	if err != nil {
		panic("quality: plan_rules.json: " + err.Error())
	}
	return rs
}

func mustLoadLexicon(b []byte) *lexicon {
	l, err := loadLexicon(b)
	if err != nil {
		panic("quality: lexicon.json: " + err.Error())
	}
	return l
}

func decodeStrict(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return err
	}
	if d.More() {
		return errors.New("unexpected data after the JSON value")
	}
	return nil
}

// ---- plan_rules.json

type ruleSet struct {
	list     []*ruleData
	byCode   map[string]*ruleData
	baseline json.RawMessage
}

type rulesFile struct {
	Note string `json:"note"`
	// Baseline is a plan that no rule fires on; each example is a patch of it.
	Baseline json.RawMessage `json:"baseline"`
	Rules    []*ruleData     `json:"rules"`
}

type ruleData struct {
	Code     string   `json:"code"`
	Severity Severity `json:"severity"`
	// SeverityNote says why the rule has its severity.
	SeverityNote string      `json:"severityNote"`
	Section      string      `json:"section"`
	Title        form.Text   `json:"title"`
	Basis        string      `json:"basis"`
	Cites        form.Text   `json:"cites"`
	Fix          form.Text   `json:"fix"`
	Fires        ruleExample `json:"fires"`
	Passes       ruleExample `json:"passes"`
}

// ruleExample is an example of a rule in words, and as a case: a JSON merge
// patch (RFC 7396) of the baseline plan ("plan") and of its one 2B row
// ("row").
type ruleExample struct {
	EN   string   `json:"en"`
	CY   string   `json:"cy"`
	Case ruleCase `json:"case"`
	// CaseCY, for rules that read text, is the case with the Welsh wording.
	CaseCY *ruleCase `json:"caseCy,omitempty"`
}

type ruleCase struct {
	Plan json.RawMessage `json:"plan,omitempty"`
	Row  json.RawMessage `json:"row,omitempty"`
}

// internalMarkers are the research notes' tags and source ids, which
// basis keeps and cites (what readers see) may not.
var internalMarkers = []string{"[", "]", "seed S", "Nodi ", "settings."}

var evidenceTag = regexp.MustCompile(`\[(CONFIRMED|SECONDARY|WEAK|UNCONFIRMED)[^\]]*\]`)

var sections = []string{"1B", "1C", "2A", "2B", "2D"}

func validSeverity(s Severity) bool {
	return s == SeverityError || s == SeverityWarning || s == SeverityInfo
}

func loadRules(b []byte) (*ruleSet, error) {
	var f rulesFile
	if err := decodeStrict(b, &f); err != nil {
		return nil, err
	}
	if len(f.Baseline) == 0 {
		return nil, errors.New("no baseline plan")
	}
	if _, err := fixtureInput(f.Baseline, ruleCase{}); err != nil {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	rs := &ruleSet{byCode: map[string]*ruleData{}, baseline: f.Baseline}
	var errs []error
	for i, r := range f.Rules {
		if r == nil {
			errs = append(errs, fmt.Errorf("rule %d is null", i))
			continue
		}
		where := fmt.Sprintf("rule %d (%s)", i, r.Code)
		bad := func(msg string) { errs = append(errs, fmt.Errorf("%s: %s", where, msg)) }
		switch {
		case r.Code == "":
			bad("no code")
		case rs.byCode[r.Code] != nil:
			bad("code used twice")
		case !slices.Contains(planCodes, r.Code):
			bad("no such rule is implemented")
		}
		if !validSeverity(r.Severity) {
			bad("severity must be ERROR, WARNING or INFO")
		}
		if strings.TrimSpace(r.SeverityNote) == "" {
			bad("no severityNote")
		}
		if !slices.Contains(sections, r.Section) {
			bad("section must be one of " + strings.Join(sections, ", "))
		}
		if blank(r.Title.EN) || blank(r.Title.CY) || blank(r.Fix.EN) || blank(r.Fix.CY) {
			bad("title and fix need English and Welsh")
		}
		if !evidenceTag.MatchString(r.Basis) {
			bad("basis must carry an evidence tag such as [CONFIRMED] or [SECONDARY]")
		}
		if blank(r.Cites.EN) || blank(r.Cites.CY) {
			bad("cites needs English and Welsh")
		}
		for _, m := range internalMarkers {
			if strings.Contains(r.Cites.EN, m) || strings.Contains(r.Cites.CY, m) {
				bad("cites is printed on the plan check: it may not hold " + strconv.Quote(m))
			}
		}
		for _, ex := range []struct {
			name string
			ex   ruleExample
		}{{"fires", r.Fires}, {"passes", r.Passes}} {
			if blank(ex.ex.EN) || blank(ex.ex.CY) {
				bad(ex.name + " needs English and Welsh")
			}
			if len(ex.ex.Case.Plan) == 0 && len(ex.ex.Case.Row) == 0 {
				bad(ex.name + " has no case")
			} else if _, err := fixtureInput(f.Baseline, ex.ex.Case); err != nil {
				bad(ex.name + " case: " + err.Error())
			}
			if c := ex.ex.CaseCY; c != nil {
				if _, err := fixtureInput(f.Baseline, *c); err != nil {
					bad(ex.name + " caseCy: " + err.Error())
				}
			}
		}
		rs.list = append(rs.list, r)
		rs.byCode[r.Code] = r
	}
	for _, c := range planCodes {
		if rs.byCode[c] == nil {
			errs = append(errs, fmt.Errorf("rule %s is implemented but not documented", c))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return rs, nil
}

// ---- fixtures: plans written as JSON, for the rule examples and the corpus

type fixturePlan struct {
	MaintainerKind cynllun.OrgKind `json:"maintainerKind"`
	GivenOn        string          `json:"givenOn"`
	Dates          struct {
		StartDate          string `json:"startDate"`
		ReviewTargetDate   string `json:"reviewTargetDate"`
		ProposedReviewDate string `json:"proposedReviewDate"`
	} `json:"dates"`
	Profile struct {
		LikeAndAdmire  []fixtureStatement `json:"likeAndAdmire"`
		ImportantToMe  []fixtureStatement `json:"importantToMe"`
		HowToSupportMe []fixtureStatement `json:"howToSupportMe"`
		Media          []string           `json:"media"`
	} `json:"profile"`
	Needs []struct {
		Description      string `json:"description"`
		ImpactOnLearning string `json:"impactOnLearning"`
		Reasons          string `json:"reasons"`
	} `json:"needs"`
	Provision []fixtureRow `json:"provision"`
	Placement *struct {
		NamedSchool      string `json:"namedSchool"`
		OtherInstitution string `json:"otherInstitution"`
		BoardAndLodging  string `json:"boardAndLodging"`
	} `json:"placement"`
}

type fixtureStatement struct {
	Text        string `json:"text"`
	DirectQuote bool   `json:"directQuote"`
}

type fixtureRow struct {
	ID              string               `json:"id"`
	IntendedOutcome string               `json:"intendedOutcome"`
	Provision       string               `json:"provision"`
	WelshMedium     *bool                `json:"welshMedium"`
	Provider        string               `json:"provider"`
	ProviderType    cynllun.ProviderType `json:"providerType"`
	StartDate       string               `json:"startDate"`
	ReviewOrEndDate string               `json:"reviewOrEndDate"`
	DateKind        cynllun.DateKind     `json:"dateKind"`
	Rationale       string               `json:"rationale"`
	Quantity        *struct {
		MinutesPerSession int            `json:"minutesPerSession"`
		Sessions          int            `json:"sessions"`
		Per               cynllun.Period `json:"per"`
		GroupSize         int            `json:"groupSize"`
	} `json:"quantity"`
	NHSSecured bool   `json:"nhsSecured"`
	NHSBody    string `json:"nhsBody"`
}

func fixtureDate(field, s string) (cynllun.Date, error) {
	if s == "" {
		return cynllun.Date{}, nil
	}
	d, err := cynllun.ParseDate(s)
	if err != nil {
		return d, fmt.Errorf("%s: %w", field, err)
	}
	return d, nil
}

func (f *fixtureRow) row() (cynllun.ProvisionRow, error) {
	r := cynllun.ProvisionRow{ID: f.ID, IntendedOutcome: f.IntendedOutcome, Provision: f.Provision, WelshMedium: f.WelshMedium,
		Provider: f.Provider, ProviderType: f.ProviderType, DateKind: f.DateKind, Rationale: f.Rationale,
		NHSSecured: f.NHSSecured, NHSBody: f.NHSBody}
	switch f.ProviderType {
	case "", cynllun.ProviderSchool, cynllun.ProviderLA, cynllun.ProviderFEI, cynllun.ProviderNHSBody, cynllun.ProviderOther:
	default:
		return r, fmt.Errorf("providerType %q", f.ProviderType)
	}
	switch f.DateKind {
	case "", cynllun.DateReview, cynllun.DateEnd:
	default:
		return r, fmt.Errorf("dateKind %q", f.DateKind)
	}
	var err error
	if r.StartDate, err = fixtureDate("startDate", f.StartDate); err != nil {
		return r, err
	}
	if r.ReviewOrEndDate, err = fixtureDate("reviewOrEndDate", f.ReviewOrEndDate); err != nil {
		return r, err
	}
	if q := f.Quantity; q != nil {
		switch q.Per {
		case "", cynllun.PerDay, cynllun.PerWeek, cynllun.PerFortnight, cynllun.PerMonth, cynllun.PerTerm:
		default:
			return r, fmt.Errorf("quantity.per %q", q.Per)
		}
		r.Quantity = &cynllun.Quantity{MinutesPerSession: q.MinutesPerSession, Sessions: q.Sessions, Per: q.Per, GroupSize: q.GroupSize}
	}
	return r, nil
}

func (f *fixturePlan) input() (PlanInput, error) {
	c := &cynllun.Content{}
	in := PlanInput{Content: c, MaintainerKind: f.MaintainerKind}
	switch f.MaintainerKind {
	case "", cynllun.OrgLocalAuthority, cynllun.OrgSchool, cynllun.OrgFEI, cynllun.OrgHealthBoard:
	default:
		return in, fmt.Errorf("maintainerKind %q", f.MaintainerKind)
	}
	var err error
	if in.GivenOn, err = fixtureDate("givenOn", f.GivenOn); err != nil {
		return in, err
	}
	if c.Dates.StartDate, err = fixtureDate("dates.startDate", f.Dates.StartDate); err != nil {
		return in, err
	}
	if c.Dates.ReviewTargetDate, err = fixtureDate("dates.reviewTargetDate", f.Dates.ReviewTargetDate); err != nil {
		return in, err
	}
	if c.Dates.ProposedReviewDate, err = fixtureDate("dates.proposedReviewDate", f.Dates.ProposedReviewDate); err != nil {
		return in, err
	}
	stmts := func(ss []fixtureStatement) []cynllun.Statement {
		var out []cynllun.Statement
		for _, s := range ss {
			out = append(out, cynllun.Statement{Text: s.Text, DirectQuote: s.DirectQuote})
		}
		return out
	}
	c.Profile = cynllun.Profile{LikeAndAdmire: stmts(f.Profile.LikeAndAdmire), ImportantToMe: stmts(f.Profile.ImportantToMe),
		HowToSupportMe: stmts(f.Profile.HowToSupportMe), Media: f.Profile.Media}
	for _, n := range f.Needs {
		c.Needs = append(c.Needs, cynllun.NeedEntry{Description: n.Description, ImpactOnLearning: n.ImpactOnLearning, Reasons: n.Reasons})
	}
	for i := range f.Provision {
		r, err := f.Provision[i].row()
		if err != nil {
			return in, fmt.Errorf("provision %d: %w", i, err)
		}
		c.Provision = append(c.Provision, r)
	}
	if p := f.Placement; p != nil {
		c.Placement = &cynllun.Placement{NamedSchool: p.NamedSchool, OtherInstitution: p.OtherInstitution, BoardAndLodging: p.BoardAndLodging}
	}
	return in, nil
}

// fixtureInput applies a case to the baseline plan and reads the result.
func fixtureInput(baseline json.RawMessage, c ruleCase) (PlanInput, error) {
	var plan any
	if err := json.Unmarshal(baseline, &plan); err != nil {
		return PlanInput{}, err
	}
	if len(c.Plan) > 0 {
		var patch any
		if err := json.Unmarshal(c.Plan, &patch); err != nil {
			return PlanInput{}, err
		}
		plan = mergePatch(plan, patch)
	}
	if len(c.Row) > 0 {
		var patch any
		if err := json.Unmarshal(c.Row, &patch); err != nil {
			return PlanInput{}, err
		}
		m, _ := plan.(map[string]any)
		rows, _ := m["provision"].([]any)
		if len(rows) == 0 {
			return PlanInput{}, errors.New("a row patch needs a plan with a 2B row")
		}
		rows[0] = mergePatch(rows[0], patch)
	}
	b, err := json.Marshal(plan)
	if err != nil {
		return PlanInput{}, err
	}
	var f fixturePlan
	if err := decodeStrict(b, &f); err != nil {
		return PlanInput{}, err
	}
	return f.input()
}

// mergePatch applies a JSON merge patch (RFC 7396): objects merge, null
// removes, anything else replaces.
func mergePatch(target, patch any) any {
	p, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	t, ok := target.(map[string]any)
	if !ok {
		t = map[string]any{}
	}
	for k, v := range p {
		if v == nil {
			delete(t, k)
			continue
		}
		t[k] = mergePatch(t[k], v)
	}
	return t
}

// ---- lexicon.json

type lexicon struct {
	entries []*lexEntry
	byID    map[string]*lexEntry
	kinds   map[string]lexKind
	index   map[string][]*phrase
}

type lexKind struct {
	Title form.Text `json:"title"`
	// Fix is the suggested rewording for phrases of the kind.
	Fix form.Text `json:"fix"`
}

type lexiconFile struct {
	Note    string             `json:"note"`
	Kinds   map[string]lexKind `json:"kinds"`
	Entries []*lexFileEntry    `json:"entries"`
}

type lexFileEntry struct {
	ID       string   `json:"id"`
	Lang     string   `json:"lang"`
	Phrase   string   `json:"phrase"`
	Kind     string   `json:"kind"`
	Severity Severity `json:"severity"`
	Note     string   `json:"note"`
	// OKWhenQuantified: not flagged in a row that says how much and how often.
	OKWhenQuantified bool `json:"okWhenQuantified"`
	// NotPrecededBy / NotFollowedBy: words that, next to the phrase, mean it
	// is not vague ("to support access to", "up to date").
	NotPrecededBy []string `json:"notPrecededBy"`
	NotFollowedBy []string `json:"notFollowedBy"`
	// BeforeAmount: only when a number or amount follows ("up to 3
	// sessions", not "up to the end of term").
	BeforeAmount bool `json:"beforeAmount"`
	// Mutate: whether Welsh mutations of the words are matched (default
	// true for Welsh, never for English).
	Mutate *bool `json:"mutate"`
}

type lexEntry struct {
	LexiconEntry
	NotPrecededBy, NotFollowedBy []string
	BeforeAmount                 bool
	notPreceded, notFollowed     []string
}

var idPattern = regexp.MustCompile(`^(en|cy)\.[a-z0-9_]+$`)

func loadLexicon(b []byte) (*lexicon, error) {
	var f lexiconFile
	if err := decodeStrict(b, &f); err != nil {
		return nil, err
	}
	l := &lexicon{kinds: f.Kinds, index: map[string][]*phrase{}, byID: map[string]*lexEntry{}}
	var errs []error
	if len(f.Kinds) == 0 {
		errs = append(errs, errors.New("no kinds"))
	}
	for k, v := range f.Kinds {
		if blank(v.Title.EN) || blank(v.Title.CY) || blank(v.Fix.EN) || blank(v.Fix.CY) {
			errs = append(errs, fmt.Errorf("kind %s needs a title and fix in English and Welsh", k))
		}
	}
	ids := map[string]bool{}
	phrases := map[string]bool{}
	for i, fe := range f.Entries {
		if fe == nil {
			errs = append(errs, fmt.Errorf("entry %d is null", i))
			continue
		}
		where := fmt.Sprintf("entry %d (%s)", i, fe.ID)
		bad := func(msg string) { errs = append(errs, fmt.Errorf("%s: %s", where, msg)) }
		e := &lexEntry{LexiconEntry: LexiconEntry{ID: fe.ID, Lang: cynllun.Language(fe.Lang), Phrase: fe.Phrase, Kind: fe.Kind,
			Severity: fe.Severity, Note: fe.Note, OKWhenQuantified: fe.OKWhenQuantified},
			NotPrecededBy: fe.NotPrecededBy, NotFollowedBy: fe.NotFollowedBy, BeforeAmount: fe.BeforeAmount}
		if e.Severity == "" {
			e.Severity = SeverityWarning
		}
		switch {
		case !idPattern.MatchString(fe.ID):
			bad(`id must be "en." or "cy." and lower-case letters, digits and _`)
		case ids[fe.ID]:
			bad("id used twice")
		case !strings.HasPrefix(fe.ID, fe.Lang+"."):
			bad("id must start with its lang")
		}
		ids[fe.ID] = true
		if e.Lang != cynllun.LanguageEN && e.Lang != cynllun.LanguageCY {
			bad(`lang must be "en" or "cy"`)
		}
		if !validSeverity(e.Severity) {
			bad("severity must be ERROR, WARNING or INFO")
		}
		if _, ok := f.Kinds[fe.Kind]; !ok {
			bad(fmt.Sprintf("unknown kind %q", fe.Kind))
		}
		if blank(fe.Note) {
			bad("no note")
		}
		if fe.Mutate != nil && *fe.Mutate && e.Lang != cynllun.LanguageCY {
			bad("only Welsh phrases mutate")
		}
		slots, err := parsePhrase(fe.Phrase)
		if err != nil {
			bad(err.Error())
			continue
		}
		var norm []string
		for _, s := range slots {
			w := strings.Join(s.words, "|")
			if len(s.words) > 1 || s.optional {
				w = "(" + w + ")"
			}
			if s.optional {
				w += "?"
			}
			norm = append(norm, w)
		}
		key := fe.Lang + ":" + strings.Join(norm, " ")
		if phrases[key] {
			bad("phrase listed twice")
		}
		phrases[key] = true
		for _, w := range fe.NotPrecededBy {
			e.notPreceded = append(e.notPreceded, foldWord(w, false))
		}
		for _, w := range fe.NotFollowedBy {
			e.notFollowed = append(e.notFollowed, foldWord(w, false))
		}
		mutate := e.Lang == cynllun.LanguageCY && (fe.Mutate == nil || *fe.Mutate)
		p := &phrase{entry: e}
		for _, s := range slots {
			var forms []string
			for _, w := range s.words {
				if mutate {
					forms = append(forms, mutations(w)...)
				} else {
					forms = append(forms, w)
				}
			}
			p.words = append(p.words, forms)
			p.optional = append(p.optional, s.optional)
		}
		for _, w := range p.words[0] {
			l.index[w] = append(l.index[w], p)
		}
		l.entries = append(l.entries, e)
		l.byID[e.ID] = e
	}
	if len(l.entries) == 0 && len(errs) == 0 {
		errs = append(errs, errors.New("no entries"))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return l, nil
}

// phraseSlot is a word of a lexicon phrase: the words it may be, and
// whether it may be left out.
type phraseSlot struct {
	words    []string
	optional bool
}

// parsePhrase reads a lexicon phrase: words separated by spaces (or
// hyphens), where "(a|b|c)" is any one of the words and "(a|b)?" may also
// be left out: "(if|when) staffing (allows|permits)", "subject to (the)?
// availability". The first word may not be left out.
func parsePhrase(s string) ([]phraseSlot, error) {
	var slots []phraseSlot
	for _, f := range strings.Fields(s) {
		if !strings.HasPrefix(f, "(") {
			toks := tokenize(f)
			for j, t := range toks {
				if j > 0 && !t.joined {
					return nil, errors.New("phrase words may be separated only by spaces and hyphens")
				}
				slots = append(slots, phraseSlot{words: []string{t.norm}})
			}
			if len(toks) == 0 || toks[0].start != 0 || toks[len(toks)-1].end != len(f) {
				return nil, fmt.Errorf("phrase word %q is not a word", f)
			}
			continue
		}
		inner, optional := strings.CutSuffix(f, ")?")
		if !optional {
			var ok bool
			if inner, ok = strings.CutSuffix(f, ")"); !ok {
				return nil, fmt.Errorf("%q: a choice of words is (a|b) or (a|b)?", f)
			}
		}
		slot := phraseSlot{optional: optional}
		for _, w := range strings.Split(inner[1:], "|") {
			toks := tokenize(w)
			if len(toks) != 1 || toks[0].start != 0 || toks[0].end != len(w) {
				return nil, fmt.Errorf("%q: each choice must be one word", f)
			}
			slot.words = append(slot.words, toks[0].norm)
		}
		slots = append(slots, slot)
	}
	if len(slots) == 0 {
		return nil, errors.New("phrase has no words")
	}
	if slots[0].optional {
		return nil, errors.New("the first word of a phrase may not be left out")
	}
	return slots, nil
}
