package quality

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/form"
)

// PlanInput is what the plan rules read.
type PlanInput struct {
	Content *cynllun.Content
	// MaintainerKind is the kind of organisation that maintains the plan.
	MaintainerKind cynllun.OrgKind
	// GivenOn is the day the plan was given (its first FINAL version), or
	// for a plan not given yet the day it would be (today); zero when
	// unknown: the 12-month rule is then skipped.
	GivenOn cynllun.Date
}

// The plan rules. Their severity, title, basis, fix and examples are in
// plan_rules.json.
const (
	RuleProfileHeadingMissing = "PROFILE_HEADING_MISSING"
	RuleProfileNoDirectQuote  = "PROFILE_NO_DIRECT_QUOTE"
	RuleALNNotDescribed       = "ALN_NOT_DESCRIBED"
	RuleALNImpact             = "ALN_IMPACT_NOT_DESCRIBED"
	RuleALPNotDescribed       = "ALP_NOT_DESCRIBED"
	RuleOutcomeMissing        = "OUTCOME_MISSING"
	RuleOutcomeNoMeasure      = "OUTCOME_NO_MEASURE"
	RuleOutcomeNoTimeframe    = "OUTCOME_NO_TIMEFRAME"
	RuleProvisionMissing      = "PROVISION_MISSING"
	RuleNoAmount              = "PROVISION_NO_AMOUNT"
	RuleNoFrequency           = "PROVISION_NO_FREQUENCY"
	RuleVague                 = "PROVISION_VAGUE_WORDING"
	RuleWelshNotStated        = "WELSH_MEDIUM_NOT_STATED"
	RuleNoProvider            = "PROVISION_NO_PROVIDER"
	RuleNHSBodyNotNamed       = "NHS_BODY_NOT_NAMED"
	RuleNoStartDate           = "PROVISION_NO_START_DATE"
	RuleNoReviewOrEndDate     = "PROVISION_NO_REVIEW_OR_END_DATE"
	RuleReviewTooLate         = "REVIEW_DATE_TOO_LATE"
	RulePlacementMissing      = "PLACEMENT_MISSING"
)

// planCodes lists the implemented rules; plan_rules.json must document
// exactly these.
var planCodes = []string{
	RuleProfileHeadingMissing, RuleProfileNoDirectQuote, RuleALNNotDescribed, RuleALNImpact, RuleALPNotDescribed,
	RuleOutcomeMissing, RuleOutcomeNoMeasure, RuleOutcomeNoTimeframe, RuleProvisionMissing, RuleNoAmount, RuleNoFrequency,
	RuleVague, RuleWelshNotStated, RuleNoProvider, RuleNHSBodyNotNamed, RuleNoStartDate, RuleNoReviewOrEndDate,
	RuleReviewTooLate, RulePlacementMissing,
}

// CheckPlan runs every plan rule and returns the findings, in form order
// (1C, 2A, 2B row by row, 2D, then plan-level dates).
func CheckPlan(in PlanInput) []Finding {
	c := in.Content
	if c == nil {
		return nil
	}
	p := &planCheck{in: in}
	p.profile(&c.Profile)
	p.needs(c.Needs)
	if len(c.Provision) == 0 {
		p.add(RuleALPNotDescribed, Place{Section: "2B"},
			"2B has no rows: the plan describes no additional learning provision.",
			"Nid oes rhesi yn 2B: nid yw'r cynllun yn disgrifio unrhyw ddarpariaeth ddysgu ychwanegol.")
	}
	for i := range c.Provision {
		p.row(i, &c.Provision[i])
	}
	p.placement(c.Placement)
	p.planDates(&c.Dates)
	return p.findings
}

type planCheck struct {
	in       PlanInput
	findings []Finding
}

func (p *planCheck) add(code string, place Place, en, cy string) {
	p.addFix(code, place, en, cy, form.Text{})
}

// addFix adds a finding of rule code, with fix in place of the rule's own
// when it is set (the suggested rewording for a kind of vague phrase).
func (p *planCheck) addFix(code string, place Place, en, cy string, fix form.Text) {
	r := ruleset.byCode[code]
	if fix.EN == "" || fix.CY == "" {
		fix = r.Fix
	}
	p.findings = append(p.findings, Finding{Rule: code, Severity: r.Severity, Place: place,
		Message: form.Text{EN: en, CY: cy}, Basis: r.Basis, Cites: r.Cites, Fix: fix})
}

// ---- 1C

var profileHeadings = []struct {
	field  string
	get    func(*cynllun.Profile) []cynllun.Statement
	en, cy string
}{
	{"likeAndAdmire", func(p *cynllun.Profile) []cynllun.Statement { return p.LikeAndAdmire },
		"What people like and admire about me", "Beth mae pobl yn ei hoffi ac yn ei edmygu amdanaf i"},
	{"importantToMe", func(p *cynllun.Profile) []cynllun.Statement { return p.ImportantToMe },
		"What's important to me", "Beth sy'n bwysig i mi"},
	{"howToSupportMe", func(p *cynllun.Profile) []cynllun.Statement { return p.HowToSupportMe },
		"How best to support me", "Y ffordd orau o'm cefnogi i"},
}

// headingLabel takes the heading's wording from the form definition, so
// that findings use the form's own words.
func headingLabel(field, en, cy string) (string, string) {
	if f, ok := form.Current().Field("1C", field); ok && f.Label.EN != "" && f.Label.CY != "" {
		return f.Label.EN, f.Label.CY
	}
	return en, cy
}

func (p *planCheck) profile(pr *cynllun.Profile) {
	quote := false
	for _, h := range profileHeadings {
		filled := false
		for _, s := range h.get(pr) {
			if !blank(s.Text) {
				filled = true
				quote = quote || s.DirectQuote
			}
		}
		if !filled {
			en, cy := headingLabel(h.field, h.en, h.cy)
			p.add(RuleProfileHeadingMissing, Place{Section: "1C", Field: h.field},
				fmt.Sprintf("1C: the one-page profile has nothing under %q.", en),
				fmt.Sprintf("1C: nid oes dim yn y proffil un dudalen o dan %q.", cy))
		}
	}
	// A drawing, recording or video attached to the profile is the child's
	// voice too (domain.md §6: views in whatever form suits the child).
	if !quote && len(pr.Media) == 0 {
		p.add(RuleProfileNoDirectQuote, Place{Section: "1C"},
			"1C: the one-page profile has no words of the child or young person's own (no direct quote).",
			"1C: nid oes geiriau'r plentyn neu'r person ifanc ei hun yn y proffil un dudalen (dim dyfyniad uniongyrchol).")
	}
}

// ---- 2A

func (p *planCheck) needs(ns []cynllun.NeedEntry) {
	described := false
	for i, n := range ns {
		if blank(n.Description) {
			continue
		}
		described = true
		if blank(n.ImpactOnLearning) {
			p.add(RuleALNImpact, Place{Section: "2A", Field: strconv.Itoa(i) + ".impactOnLearning"},
				fmt.Sprintf("2A entry %d: the description does not say how the need affects learning.", i+1),
				fmt.Sprintf("2A cofnod %d: nid yw'r disgrifiad yn dweud sut mae'r angen yn effeithio ar ddysgu.", i+1))
		}
	}
	if !described {
		p.add(RuleALNNotDescribed, Place{Section: "2A"},
			"2A: the plan does not describe the additional learning needs.",
			"2A: nid yw'r cynllun yn disgrifio'r anghenion dysgu ychwanegol.")
	}
}

// ---- 2B

// rowLabel names a row in messages: its number and the start of its
// provision ("2B row 3 (Speech and language therapy…)").
func rowLabel(n int, r *cynllun.ProvisionRow) (string, string) {
	en, cy := fmt.Sprintf("2B row %d", n), fmt.Sprintf("Rhes 2B %d", n)
	if ex := excerpt(r.Provision, 40); ex != "" {
		en += " (" + ex + ")"
		cy += " (" + ex + ")"
	}
	return en, cy
}

// excerpt is s on one line, cut at a word boundary to at most max runes.
func excerpt(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	end := runeOffset(s, max)
	cut := end
	if s[end] != ' ' {
		if sp := strings.LastIndexByte(s[:end], ' '); sp > 0 {
			cut = sp
		}
	}
	return strings.TrimRight(s[:cut], " ,;:.") + "…"
}

// runeOffset is the byte offset of the nth rune of s.
func runeOffset(s string, n int) int {
	for i := range s {
		if n == 0 {
			return i
		}
		n--
	}
	return len(s)
}

// placeholders: a provider or NHS body written as "TBC" is not stated.
var placeholders = map[string]bool{
	"tbc": true, "tba": true, "tbd": true, "to be confirmed": true, "to be decided": true, "to be arranged": true,
	"na": true, "none": true, "unknown": true, "various": true, "iwgadarnhau": true, "iwbenderfynu": true,
	"amh": true, "dim": true, "anhysbys": true,
}

func stated(s string) bool {
	words := strings.Fields(strings.Map(func(r rune) rune {
		if isWordRune(r) {
			return r
		}
		return ' '
	}, cynllun.Fold(s)))
	return len(words) > 0 && !placeholders[strings.Join(words, " ")] && !placeholders[strings.Join(words, "")]
}

func (p *planCheck) row(i int, r *cynllun.ProvisionRow) {
	en, cy := rowLabel(i+1, r)
	at := func(field string) Place { return Place{Section: "2B", RowID: r.ID, Field: field} }

	// 2B.1 intended outcome: SMART (para 23.20).
	if blank(r.IntendedOutcome) {
		p.add(RuleOutcomeMissing, at("intendedOutcome"), en+": no intended outcome (2B.1).", cy+": dim canlyniad a fwriedir (2B.1).")
	} else {
		o := read(r.IntendedOutcome)
		if !o.hasMeasure() {
			p.add(RuleOutcomeNoMeasure, at("intendedOutcome"),
				en+": the intended outcome does not say how success will be measured.",
				cy+": nid yw'r canlyniad a fwriedir yn dweud sut y caiff llwyddiant ei fesur.")
		}
		if !o.hasTimeframe() {
			p.add(RuleOutcomeNoTimeframe, at("intendedOutcome"),
				en+": the intended outcome does not say by when.",
				cy+": nid yw'r canlyniad a fwriedir yn dweud erbyn pryd.")
		}
	}

	// 2B.2 the provision: detailed, specific, quantified (para 23.37).
	if blank(r.Provision) {
		p.add(RuleProvisionMissing, at("provision"), en+": the provision itself (2B.2) is blank.", cy+": mae'r ddarpariaeth ei hun (2B.2) yn wag.")
	} else {
		text := read(r.Provision)
		amount, frequency := quantityStated(r, text)
		if !amount {
			p.add(RuleNoAmount, at("provision"), en+": the provision does not say how much (how long each session is).",
				cy+": nid yw'r ddarpariaeth yn dweud faint (pa mor hir yw pob sesiwn).")
		}
		if !frequency {
			p.add(RuleNoFrequency, at("provision"), en+": the provision does not say how often.",
				cy+": nid yw'r ddarpariaeth yn dweud pa mor aml.")
		}
		seen := map[string]bool{}
		for _, m := range lex.find(r.Provision, text.toks) {
			e := lex.entry(m.Entry)
			if seen[m.Entry] || (e.OKWhenQuantified && amount && frequency) {
				continue
			}
			seen[m.Entry] = true
			quoted := excerpt(m.Text, 40)
			k := lex.kinds[e.Kind]
			f := len(p.findings)
			p.addFix(RuleVague, at("provision"), fmt.Sprintf("%s: vague wording %q.", en, quoted),
				fmt.Sprintf("%s: geiriad amwys %q.", cy, quoted), k.Fix)
			p.findings[f].Severity = e.Severity
		}
	}

	// 2B.3 Welsh.
	if r.WelshMedium == nil {
		p.add(RuleWelshNotStated, at("welshMedium"), en+": does not say whether the provision is to be in Welsh (2B.3).",
			cy+": nid yw'n dweud a yw'r ddarpariaeth i'w darparu yn Gymraeg (2B.3).")
	}

	// 2B.4 the provider; NHS-secured provision names the NHS body (s.21(3)).
	nhs := r.NHSSecured || r.ProviderType == cynllun.ProviderNHSBody
	if nhs && !stated(r.NHSBody) && (r.ProviderType != cynllun.ProviderNHSBody || !stated(r.Provider)) {
		p.add(RuleNHSBodyNotNamed, at("nhsBody"), en+": provision to be secured by an NHS body does not name the NHS body.",
			cy+": nid yw darpariaeth sydd i'w sicrhau gan gorff GIG yn enwi'r corff GIG.")
	}
	switch {
	case stated(r.Provider), stated(r.NHSBody):
	case r.ProviderType == cynllun.ProviderSchool, r.ProviderType == cynllun.ProviderLA, r.ProviderType == cynllun.ProviderFEI:
		// "the school", "the local authority": the type names the body.
	case r.ProviderType == cynllun.ProviderNHSBody:
		// reported above as NHS_BODY_NOT_NAMED
	default:
		p.add(RuleNoProvider, at("provider"), en+": does not say who will provide it (2B.4).",
			cy+": nid yw'n dweud pwy fydd yn ei darparu (2B.4).")
	}

	// 2B.5 start date.
	if r.StartDate.IsZero() {
		p.add(RuleNoStartDate, at("startDate"), en+": no date from which the provision will be made (2B.5).",
			cy+": dim dyddiad y caiff y ddarpariaeth ei gwneud o hynny ymlaen (2B.5).")
	}

	// 2B.6 review or end date.
	switch {
	case r.ReviewOrEndDate.IsZero():
		p.add(RuleNoReviewOrEndDate, at("reviewOrEndDate"), en+": no review or end date (2B.6).",
			cy+": dim dyddiad adolygu na dyddiad gorffen (2B.6).")
	case r.DateKind == cynllun.DateReview:
		p.reviewDate(at("reviewOrEndDate"), r.ReviewOrEndDate, en+": the review date", cy+": mae'r dyddiad adolygu")
	}
}

// ---- 2D

func (p *planCheck) placement(pl *cynllun.Placement) {
	if p.in.MaintainerKind != cynllun.OrgLocalAuthority {
		return
	}
	if pl == nil || (blank(pl.NamedSchool) && blank(pl.OtherInstitution) && blank(pl.BoardAndLodging)) {
		p.add(RulePlacementMissing, Place{Section: "2D"},
			"2D: the local authority maintains this plan, but 2D (school or other institution, board and lodging) is empty.",
			"2D: yr awdurdod lleol sy'n cynnal y cynllun hwn, ond mae 2D (ysgol neu sefydliad arall, bwrdd a llety) yn wag.")
	}
}

// ---- review dates (s.23)

// reviewPeriodEnd is the last day of the first 12-month review period: the
// day before the anniversary of the day the plan was given, as
// cynllun.CurrentReviewPeriod counts it.
func (p *planCheck) reviewPeriodEnd() (cynllun.Date, bool) {
	if p.in.GivenOn.IsZero() {
		return cynllun.Date{}, false
	}
	return p.in.GivenOn.AddYears(1).AddDays(-1), true
}

// reviewDate reports d if it falls after the end of the review period;
// what is "2B row 2: the review date" / "Rhes 2B 2: mae'r dyddiad adolygu".
func (p *planCheck) reviewDate(place Place, d cynllun.Date, what, whatCY string) {
	end, ok := p.reviewPeriodEnd()
	if !ok || d.IsZero() || !d.After(end) {
		return
	}
	p.add(RuleReviewTooLate, place,
		fmt.Sprintf("%s %s is after %s, the end of the 12-month review period from %s.", what, d, end, p.in.GivenOn),
		fmt.Sprintf("%s %s ar ôl %s, diwedd y cyfnod adolygu 12 mis o %s.", whatCY, d, end, p.in.GivenOn))
}

func (p *planCheck) planDates(d *cynllun.MaintainerInfo) {
	p.reviewDate(Place{Section: "1B", Field: "reviewTargetDate"}, d.ReviewTargetDate, "1B: the review target date", "1B: mae'r dyddiad targed adolygu")
	p.reviewDate(Place{Section: "1B", Field: "proposedReviewDate"}, d.ProposedReviewDate, "1B: the proposed review date", "1B: mae'r dyddiad adolygu arfaethedig")
}

func (l *lexicon) entry(id string) *lexEntry { return l.byID[id] }
