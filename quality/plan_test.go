package quality

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/cynllun/cynllun"
)

// baselineInput is the plan of plan_rules.json that no rule fires on.
func baselineInput(t testing.TB) PlanInput {
	t.Helper()
	in, err := fixtureInput(ruleset.baseline, ruleCase{})
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func codes(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Rule)
	}
	return out
}

func checkComplete(t *testing.T, f Finding) {
	t.Helper()
	if f.Rule == "" || !validSeverity(f.Severity) || f.Place.Section == "" || f.Message.EN == "" || f.Message.CY == "" ||
		f.Basis == "" || f.Fix.EN == "" || f.Fix.CY == "" {
		t.Errorf("finding incomplete: %+v", f)
	}
	if f.Message.EN == f.Message.CY {
		t.Errorf("%s: Welsh message is the English one: %q", f.Rule, f.Message.EN)
	}
}

func TestBaselineIsClean(t *testing.T) {
	if fs := CheckPlan(baselineInput(t)); len(fs) != 0 {
		for _, f := range fs {
			t.Errorf("baseline: %s: %s", f.Rule, f.Message.EN)
		}
	}
}

// TestPlanRuleExamples runs every rule's documented examples: the example
// that fires raises the rule, the one that passes does not, in English and
// (where the data has one) in Welsh.
func TestPlanRuleExamples(t *testing.T) {
	prs := PlanRules()
	if len(prs) != len(planCodes) {
		t.Fatalf("%d documented rules, %d implemented", len(prs), len(planCodes))
	}
	for _, pr := range prs {
		t.Run(pr.Code, func(t *testing.T) {
			if pr.Title.EN == "" || pr.Title.CY == "" || pr.Fix.EN == "" || pr.Fix.CY == "" || pr.Basis == "" ||
				pr.Fires.EN == "" || pr.Fires.CY == "" || pr.Passes.EN == "" || pr.Passes.CY == "" {
				t.Errorf("rule incomplete: %+v", pr)
			}
			r := ruleset.byCode[pr.Code]
			for _, ex := range []struct {
				name  string
				ex    ruleExample
				fires bool
			}{{"fires", r.Fires, true}, {"passes", r.Passes, false}} {
				cases := []ruleCase{ex.ex.Case}
				if ex.ex.CaseCY != nil {
					cases = append(cases, *ex.ex.CaseCY)
				}
				for i, c := range cases {
					in, err := fixtureInput(ruleset.baseline, c)
					if err != nil {
						t.Fatal(err)
					}
					fs := CheckPlan(in)
					got := slices.Contains(codes(fs), pr.Code)
					if got != ex.fires {
						t.Errorf("%s example %d (%q): fired = %v; findings %v", ex.name, i, ex.ex.EN, got, codes(fs))
					}
					for _, f := range fs {
						checkComplete(t, f)
						if f.Rule == pr.Code && f.Rule != RuleVague && f.Severity != pr.Severity {
							t.Errorf("severity %s, documented %s", f.Severity, pr.Severity)
						}
					}
				}
			}
		})
	}
}

func TestPlanRulesInFormOrder(t *testing.T) {
	order := map[string]int{"1C": 0, "2A": 1, "2B": 2, "2D": 3, "1B": 4}
	last := -1
	for _, pr := range PlanRules() {
		n := order[ruleset.byCode[pr.Code].Section]
		if n < last {
			t.Errorf("%s (section %s) listed after a later section", pr.Code, ruleset.byCode[pr.Code].Section)
		}
		last = n
	}
}

// TestFindingsInFormOrder: 1C, 2A, 2B row by row, 2D, then 1B dates.
func TestFindingsInFormOrder(t *testing.T) {
	in := baselineInput(t)
	c := in.Content
	in.MaintainerKind = cynllun.OrgLocalAuthority
	c.Dates.ProposedReviewDate = cynllun.MustDate("2027-12-01")
	c.Profile.HowToSupportMe = nil
	c.Needs[0].ImpactOnLearning = ""
	row2 := c.Provision[0]
	row2.ID = "row_2"
	row2.Provision = "Access to the sensory room as needed"
	row2.WelshMedium = nil
	c.Provision[0].StartDate = cynllun.Date{}
	c.Provision = append(c.Provision, row2)
	fs := CheckPlan(in)
	var got []string
	for _, f := range fs {
		got = append(got, f.Place.Section+":"+f.Place.RowID+":"+f.Rule)
	}
	want := []string{
		"1C::" + RuleProfileHeadingMissing,
		"2A::" + RuleALNImpact,
		"2B:row_salt:" + RuleNoStartDate,
		"2B:row_2:" + RuleNoAmount, "2B:row_2:" + RuleNoFrequency, "2B:row_2:" + RuleVague, "2B:row_2:" + RuleVague,
		"2B:row_2:" + RuleWelshNotStated,
		"2D::" + RulePlacementMissing,
		"1B::" + RuleReviewTooLate,
	}
	if !slices.Equal(got, want) {
		t.Errorf("order:\n got %v\nwant %v", got, want)
	}
	if !strings.HasPrefix(fs[2].Message.EN, "2B row 1 (45 minutes of 1:1 speech and language…)") {
		t.Errorf("row label: %q", fs[2].Message.EN)
	}
	if fs[5].Message.EN != `2B row 2 (Access to the sensory room as needed): vague wording "Access to".` ||
		fs[5].Message.CY != `Rhes 2B 2 (Access to the sensory room as needed): geiriad amwys "Access to".` {
		t.Errorf("vague message: %q / %q", fs[5].Message.EN, fs[5].Message.CY)
	}
	if fs[6].Fix.EN == fs[5].Fix.EN {
		t.Errorf("the fix should follow the kind of phrase: %q", fs[6].Fix.EN)
	}
}

func TestNilContent(t *testing.T) {
	if fs := CheckPlan(PlanInput{}); fs != nil {
		t.Errorf("nil content: %v", codes(fs))
	}
}

func TestFieldPlaces(t *testing.T) {
	in := baselineInput(t)
	c := in.Content
	c.Needs = append(c.Needs, cynllun.NeedEntry{Description: "Anxiety"})
	c.Profile.LikeAndAdmire = []cynllun.Statement{{Text: "  "}}
	c.Provision[0].WelshMedium = nil
	fs := CheckPlan(in)
	want := []Place{
		{Section: "1C", Field: "likeAndAdmire"},
		{Section: "2A", Field: "1.impactOnLearning"},
		{Section: "2B", RowID: "row_salt", Field: "welshMedium"},
	}
	var got []Place
	for _, f := range fs {
		got = append(got, f.Place)
	}
	if !slices.Equal(got, want) {
		t.Errorf("places: %+v", got)
	}
	if !strings.Contains(fs[0].Message.EN, `"What people like and admire about me"`) ||
		!strings.Contains(fs[0].Message.CY, `"Beth mae pobl yn ei hoffi ac yn ei edmygu amdanaf i"`) {
		t.Errorf("heading message: %+v", fs[0].Message)
	}
}

func TestProfileQuoteAndMedia(t *testing.T) {
	in := baselineInput(t)
	for _, h := range [][]cynllun.Statement{in.Content.Profile.ImportantToMe, in.Content.Profile.HowToSupportMe} {
		for i := range h {
			h[i].DirectQuote = false
		}
	}
	if got := codes(CheckPlan(in)); !slices.Equal(got, []string{RuleProfileNoDirectQuote}) {
		t.Errorf("no quote: %v", got)
	}
	// A quote flag on a blank line is not a quote.
	in.Content.Profile.ImportantToMe = append(in.Content.Profile.ImportantToMe, cynllun.Statement{Text: " ", DirectQuote: true})
	if got := codes(CheckPlan(in)); !slices.Equal(got, []string{RuleProfileNoDirectQuote}) {
		t.Errorf("blank quote: %v", got)
	}
	in.Content.Profile.Media = []string{"fil_drawing"}
	if got := codes(CheckPlan(in)); len(got) != 0 {
		t.Errorf("with a drawing attached: %v", got)
	}
}

func TestNeeds(t *testing.T) {
	in := baselineInput(t)
	in.Content.Needs = []cynllun.NeedEntry{{Description: " ", ImpactOnLearning: "Slow to copy from the board"}}
	if got := codes(CheckPlan(in)); !slices.Equal(got, []string{RuleALNNotDescribed}) {
		t.Errorf("blank description: %v", got)
	}
}

func TestQuantityStructured(t *testing.T) {
	in := baselineInput(t)
	row := &in.Content.Provision[0]
	row.Provision = "Speech and language therapy from a qualified SaLT"
	if got := codes(CheckPlan(in)); !slices.Equal(got, []string{RuleNoAmount, RuleNoFrequency}) {
		t.Fatalf("text alone: %v", got)
	}
	row.Quantity = &cynllun.Quantity{MinutesPerSession: 45, Sessions: 1, Per: cynllun.PerWeek, GroupSize: 1}
	if got := codes(CheckPlan(in)); len(got) != 0 {
		t.Errorf("with a quantity: %v", got)
	}
	row.Quantity = &cynllun.Quantity{Sessions: 2, Per: cynllun.PerWeek}
	if got := codes(CheckPlan(in)); !slices.Equal(got, []string{RuleNoAmount}) {
		t.Errorf("sessions but no minutes: %v", got)
	}
	row.Quantity = &cynllun.Quantity{MinutesPerSession: 30, Sessions: 2}
	if got := codes(CheckPlan(in)); !slices.Equal(got, []string{RuleNoFrequency}) {
		t.Errorf("no period: %v", got)
	}
	// A quantified row is not flagged for "access to".
	row.Provision = "Access to the sensory room with a teaching assistant"
	row.Quantity = &cynllun.Quantity{MinutesPerSession: 10, Sessions: 2, Per: cynllun.PerDay}
	if got := codes(CheckPlan(in)); len(got) != 0 {
		t.Errorf("quantified access: %v", got)
	}
	// ... but a condition still is.
	row.Provision = "Time in the sensory room as needed"
	if got := codes(CheckPlan(in)); !slices.Equal(got, []string{RuleVague}) {
		t.Errorf("quantified, as needed: %v", got)
	}
}

func TestProviderAndNHS(t *testing.T) {
	cases := []struct {
		name string
		edit func(r *cynllun.ProvisionRow)
		want []string
	}{
		{"NHS body as provider", func(r *cynllun.ProvisionRow) { r.NHSBody = "" }, nil},
		{"NHS type, nothing named", func(r *cynllun.ProvisionRow) { r.NHSBody, r.Provider = "", "" }, []string{RuleNHSBodyNotNamed}},
		{"NHS type, provider TBC", func(r *cynllun.ProvisionRow) { r.NHSBody, r.Provider = "", "T.B.C." }, []string{RuleNHSBodyNotNamed}},
		{"NHS secured, school delivers", func(r *cynllun.ProvisionRow) {
			r.NHSBody, r.Provider, r.ProviderType = "", "Ysgol Glan Taf", cynllun.ProviderSchool
		}, []string{RuleNHSBodyNotNamed}},
		{"school type only", func(r *cynllun.ProvisionRow) {
			r.NHSSecured, r.NHSBody, r.Provider, r.ProviderType = false, "", "", cynllun.ProviderSchool
		}, nil},
		{"other, not named", func(r *cynllun.ProvisionRow) {
			r.NHSSecured, r.NHSBody, r.Provider, r.ProviderType = false, "", "", cynllun.ProviderOther
		}, []string{RuleNoProvider}},
		{"i'w gadarnhau", func(r *cynllun.ProvisionRow) {
			r.NHSSecured, r.NHSBody, r.Provider, r.ProviderType = false, "", "I’w gadarnhau", ""
		}, []string{RuleNoProvider}},
		{"named, no type", func(r *cynllun.ProvisionRow) {
			r.NHSSecured, r.NHSBody, r.Provider, r.ProviderType = false, "", "Ysgol Glan Taf", ""
		}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := baselineInput(t)
			c.edit(&in.Content.Provision[0])
			if got := codes(CheckPlan(in)); !slices.Equal(got, c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

// TestReviewDates: the 12-month period runs to the day before the
// anniversary of the day the plan was given, as CurrentReviewPeriod counts
// it (29 February: the anniversary is 28 February).
func TestReviewDates(t *testing.T) {
	cases := []struct {
		given, date string
		kind        cynllun.DateKind
		// after: the date is after the end of the first review period.
		after bool
	}{
		{"2026-09-01", "2027-08-31", cynllun.DateReview, false},
		{"2026-09-01", "2027-09-01", cynllun.DateReview, true},
		{"2026-09-01", "2028-07-01", cynllun.DateEnd, true},
		{"2026-09-01", "2027-12-01", "", true},
		{"2028-02-29", "2029-02-27", cynllun.DateReview, false},
		{"2028-02-29", "2029-02-28", cynllun.DateReview, true},
		{"2027-03-01", "2028-02-29", cynllun.DateReview, false},
		{"2027-03-01", "2028-03-01", cynllun.DateReview, true},
		{"", "2099-01-01", cynllun.DateReview, false},
	}
	for _, c := range cases {
		t.Run(c.given+"/"+c.date, func(t *testing.T) {
			in := baselineInput(t)
			in.GivenOn = cynllun.Date{}
			if c.given != "" {
				in.GivenOn = cynllun.MustDate(c.given)
			}
			in.Content.Dates = cynllun.MaintainerInfo{}
			r := &in.Content.Provision[0]
			r.ReviewOrEndDate, r.DateKind = cynllun.MustDate(c.date), c.kind
			fs := CheckPlan(in)
			// Only a review date counts; an end date may be later.
			if got, want := slices.Contains(codes(fs), RuleReviewTooLate), c.after && c.kind == cynllun.DateReview; got != want {
				t.Errorf("row: late = %v, want %v; findings %v", got, want, codes(fs))
			}
			// The same date as both 1B review dates.
			r.ReviewOrEndDate, r.DateKind = cynllun.Date{}, ""
			in.Content.Dates.ProposedReviewDate = cynllun.MustDate(c.date)
			in.Content.Dates.ReviewTargetDate = cynllun.MustDate(c.date)
			n := 0
			for _, f := range CheckPlan(in) {
				if f.Rule == RuleReviewTooLate {
					if f.Place.Section != "1B" {
						t.Errorf("place %+v", f.Place)
					}
					n++
				}
			}
			if want := map[bool]int{true: 2, false: 0}[c.after]; n != want {
				t.Errorf("1B: %d findings, want %d", n, want)
			}
		})
	}
	in := baselineInput(t)
	in.Content.Dates.ReviewTargetDate = cynllun.MustDate("2027-09-15")
	fs := CheckPlan(in)
	if len(fs) != 1 || fs[0].Message.EN != "1B: the review target date 2027-09-15 is after 2027-08-31, the end of the 12-month review period from 2026-09-01." ||
		fs[0].Message.CY != "1B: mae'r dyddiad targed adolygu 2027-09-15 ar ôl 2027-08-31, diwedd y cyfnod adolygu 12 mis o 2026-09-01." ||
		fs[0].Place != (Place{Section: "1B", Field: "reviewTargetDate"}) {
		t.Errorf("1B message: %+v", fs)
	}
}

func TestPlacement(t *testing.T) {
	for _, c := range []struct {
		kind cynllun.OrgKind
		pl   *cynllun.Placement
		want bool
	}{
		{cynllun.OrgLocalAuthority, nil, true},
		{cynllun.OrgLocalAuthority, &cynllun.Placement{NamedSchool: "  "}, true},
		{cynllun.OrgLocalAuthority, &cynllun.Placement{BoardAndLodging: "Weekly boarding at Ysgol y Gogarth"}, false},
		{cynllun.OrgSchool, nil, false},
		{"", nil, false},
	} {
		in := baselineInput(t)
		in.MaintainerKind, in.Content.Placement = c.kind, c.pl
		if got := slices.Contains(codes(CheckPlan(in)), RulePlacementMissing); got != c.want {
			t.Errorf("%s %+v: %v", c.kind, c.pl, got)
		}
	}
}

// TestMessagesStayInThePlan: messages quote at most a short excerpt of the
// provision and the matched phrase, never other fields.
func TestMessagesStayInThePlan(t *testing.T) {
	in := baselineInput(t)
	c := in.Content
	secret := "Zebedee"
	c.Needs = []cynllun.NeedEntry{{Description: secret + " has dyslexia"}}
	c.Profile = cynllun.Profile{LikeAndAdmire: []cynllun.Statement{{Text: secret}}}
	r := &c.Provision[0]
	r.IntendedOutcome, r.Rationale, r.Provider, r.NHSBody, r.ProviderType = secret+" will be happier", secret, "", "", cynllun.ProviderOther
	r.Provision = "Support in class from a teaching assistant when needed, so that " + secret + " can join in with the rest of the class in every subject"
	for _, f := range CheckPlan(in) {
		for _, m := range []string{f.Message.EN, f.Message.CY, f.Fix.EN, f.Fix.CY} {
			if strings.Contains(m, secret) {
				t.Errorf("%s leaks: %q", f.Rule, m)
			}
			if n := utf8.RuneCountInString(m); n > 600 {
				t.Errorf("%s: %d characters", f.Rule, n)
			}
		}
		if utf8.RuneCountInString(f.Message.EN) > 200 || utf8.RuneCountInString(f.Message.CY) > 200 {
			t.Errorf("%s: message too long: %q", f.Rule, f.Message.EN)
		}
	}
}

// ---- the matcher

func matched(text string) []string {
	var out []string
	for _, m := range Vague(text) {
		out = append(out, m.Entry+"="+m.Text)
	}
	return out
}

func TestVague(t *testing.T) {
	cases := []struct {
		text string
		want []string
	}{
		// English, whole words, case
		{"Access to SaLT as needed", []string{"en.access_to=Access to", "en.as_needed=as needed"}},
		{"AS NEEDED", []string{"en.as_needed=AS NEEDED"}},
		{"as\n  needed", []string{"en.as_needed=as\n  needed"}},
		{"as-needed basis", []string{"en.as_needed=as-needed"}},
		{"as. Needed", nil},
		{"has needed", nil},
		{"irregular attendance", nil},
		{"regular TA time", []string{"en.regular=regular"}},
		{"Regularly", []string{"en.regularly=Regularly"}},
		{"her regular TA", nil},
		{"in the regular classroom", nil},
		{"up to date reading records", nil},
		{"up-to-date records", nil},
		{"up to the end of term", nil},
		{"up to 3 sessions", []string{"en.up_to=up to"}},
		{"up to an hour a week", []string{"en.up_to=up to"}},
		{"as required by the Code", nil},
		{"as required", []string{"en.as_required=as required"}},
		{"as and when required", []string{"en.as_and_when_required=as and when required"}},
		{"to support access to the curriculum", nil},
		{"accessible toilets", nil},
		{"it may be offered", nil},
		{"weekly sessions", nil},
		// Welsh, accents
		{"yn ôl yr angen", []string{"cy.yn_ol_yr_angen=yn ôl yr angen"}},
		{"yn ol yr angen", []string{"cy.yn_ol_yr_angen=yn ol yr angen"}},
		{"YN ÔL YR ANGEN", []string{"cy.yn_ol_yr_angen=YN ÔL YR ANGEN"}},
		{"yn o\u0302l yr angen", []string{"cy.yn_ol_yr_angen=yn o\u0302l yr angen"}},
		{"lle bo’n briodol", []string{"cy.lle_bo_n_briodol=lle bo’n briodol"}},
		{"lle fo'n briodol", []string{"cy.lle_bo_n_briodol=lle fo'n briodol"}},
		// soft, nasal, aspirate, h-
		{"Cyfle i weithio mewn grŵp", []string{"cy.cyfle_i=Cyfle i"}},
		{"gyfle i siarad", []string{"cy.cyfle_i=gyfle i"}},
		{"ei chyfle i ddarllen", []string{"cy.cyfle_i=chyfle i"}},
		{"fy nghyfle i ganu", []string{"cy.cyfle_i=nghyfle i"}},
		{"gyfleoedd i chwarae", []string{"cy.cyfleoedd_i=gyfleoedd i"}},
		{"chyfleoedd i chwarae", []string{"cy.cyfleoedd_i=chyfleoedd i"}},
		{"nghyfleoedd i chwarae", []string{"cy.cyfleoedd_i=nghyfleoedd i"}},
		{"sesiwn reolaidd", []string{"cy.rheolaidd=reolaidd"}},
		{"Sesiynau rheolaidd gyda'r cynorthwyydd", []string{"cy.rheolaidd=rheolaidd"}},
		{"yn rheolaidd", []string{"cy.yn_rheolaidd=yn rheolaidd"}},
		{"presenoldeb afreolaidd", nil},
		{"ei fynediad at yr ystafell", []string{"cy.mynediad_at=fynediad at"}},
		{"mynediad i'r ystafell synhwyraidd", []string{"cy.mynediad_i=mynediad i'r"}},
		{"pan fo raid", []string{"cy.pan_fo_rhaid=pan fo raid"}},
		{"cefnogaeth barhaus", []string{"cy.parhaus=barhaus"}},
		{"yn gyfnodol", []string{"cy.cyfnodol=gyfnodol"}},
		{"ei hannog i ddarllen", []string{"cy.annog_i=hannog i"}},
		{"hyd at 30 munud", []string{"cy.hyd_at=hyd at"}},
		{"hyd at ddwy sesiwn", []string{"cy.hyd_at=hyd at"}},
		{"hyd at ddiwedd y tymor", nil},
		{"hyd at 31 Mawrth 2027", nil},
		{"hyd at 31/03/2027", nil},
		{"hyd at hanner tymor", nil},
		{"hyd at fis Mawrth", nil},
		{"hyd at 2027", nil},
		{"hyd at hanner awr", []string{"cy.hyd_at=hyd at"}},
		{"hyd at ddwywaith yr wythnos", []string{"cy.hyd_at=hyd at"}},
		{"up to 31st March", nil},
		{"up to half term", nil},
		{"up to Year 6", nil},
		{"up to a point", nil},
		{"up to half an hour", []string{"en.up_to=up to"}},
		{"up to twice a week", []string{"en.up_to=up to"}},
		{"up to a maximum of 3 sessions", []string{"en.up_to=up to"}},
		{"o bryd i’w gilydd", []string{"cy.o_bryd_i_w_gilydd=o bryd i’w gilydd"}},
		{"yn amodol   ar\targaeledd", []string{"cy.yn_amodol_ar_argaeledd=yn amodol   ar\targaeledd"}},
		// hedges on staffing and resources
		{"if staffing allows", []string{"en.if_staffing_allows=if staffing allows"}},
		{"when resources permit", []string{"en.if_staffing_allows=when resources permit"}},
		{"staffing permitting", []string{"en.resources_permitting=staffing permitting"}},
		{"subject to availability of TA", []string{"en.subject_to_availability=subject to availability"}},
		{"subject to TA availability", []string{"en.subject_to_availability=subject to TA availability"}},
		{"subject to funding", []string{"en.subject_to_staffing=subject to funding"}},
		{"if there is a TA available", []string{"en.if_staff_available=if there is a TA available"}},
		{"wherever possible", []string{"en.where_possible=wherever possible"}},
		{"the TA will be available in every lesson", nil},
		{"where staff are trained", nil},
		{"os bydd staff ar gael", []string{"cy.os_bydd_staff_ar_gael=os bydd staff ar gael"}},
		{"pan fydd cynorthwyydd ar gael", []string{"cy.os_bydd_staff_ar_gael=pan fydd cynorthwyydd ar gael"}},
		{"pan fydd adnoddau'n caniatáu", []string{"cy.pan_fydd_adnoddau_n_caniatau=pan fydd adnoddau'n caniatáu"}},
		{"os yw staffio’n caniatau", []string{"cy.pan_fydd_adnoddau_n_caniatau=os yw staffio’n caniatau"}},
		{"yn amodol ar argaeledd staff", []string{"cy.yn_amodol_ar_argaeledd=yn amodol ar argaeledd"}},
		{"yn ddibynnol ar gyllid", []string{"cy.yn_amodol_ar_staffio=yn ddibynnol ar gyllid"}},
		{"lle bo'n bosibl", []string{"cy.lle_bo_n_bosibl=lle bo'n bosibl"}},
		{"os yn bosibl", []string{"cy.lle_bo_n_bosibl=os yn bosibl"}},
		{"bydd staff ar gael i'w gyfarfod", nil},
		{"if the TA is free", []string{"en.if_staff_available=if the TA is free"}},
		{"if the timetable allows", []string{"en.if_staffing_allows=if the timetable allows"}},
		{"yn dibynnu ar lefelau staffio", []string{"cy.yn_amodol_ar_staffio=yn dibynnu ar lefelau staffio"}},
		{"os bydd yr amserlen yn caniatáu", []string{"cy.pan_fydd_adnoddau_n_caniatau=os bydd yr amserlen yn caniatáu"}},
		// vague amounts
		{"Some 1:1 support", []string{"en.some=Some"}},
		{"a few minutes", []string{"en.a_few=a few minutes"}},
		{"Peth cymorth 1:1", []string{"cy.peth=Peth cymorth"}},
		{"y peth pwysig", nil},
		{"ychydig o amser", []string{"cy.ychydig=ychydig"}},
		{"subject to LA funding", []string{"en.subject_to_staffing=subject to LA funding"}},
		{"os bydd y cynorthwyydd yn rhydd", []string{"cy.os_bydd_staff_ar_gael=os bydd y cynorthwyydd yn rhydd"}},
		{"pan fydd amser cinio yn dechrau", nil},
		// no match inside words, no mutation of English
		{"gaccess to", nil},
		{"daccess to", nil},
		{"", nil},
	}
	for _, c := range cases {
		if got := matched(c.text); !slices.Equal(got, c.want) {
			t.Errorf("Vague(%q) = %v, want %v", c.text, got, c.want)
		}
	}
}

func TestVagueMatchFields(t *testing.T) {
	text := "Sesiwn reolaidd, yn ol yr angen"
	ms := Vague(text)
	if len(ms) != 2 {
		t.Fatalf("%+v", ms)
	}
	m := ms[1]
	if m.Entry != "cy.yn_ol_yr_angen" || m.Phrase != "yn ôl yr angen" || m.Lang != cynllun.LanguageCY || m.Severity != SeverityWarning ||
		text[m.Start:m.End] != "yn ol yr angen" || m.Text != "yn ol yr angen" {
		t.Errorf("%+v", m)
	}
}

// TestLexiconMatchesItself: every entry's phrase is found, as that entry,
// in a sentence, with the first choice of each word and with the last
// (optional words left out); Welsh entries also in their mutated forms.
func TestLexiconMatchesItself(t *testing.T) {
	for _, e := range Lexicon() {
		slots, err := parsePhrase(e.Phrase)
		if err != nil {
			t.Fatalf("%s: %v", e.ID, err)
		}
		le := lex.entry(e.ID)
		for _, pick := range []int{0, -1} {
			var words []string
			for _, s := range slots {
				switch {
				case pick == 0:
					words = append(words, s.words[0])
				case !s.optional:
					words = append(words, s.words[len(s.words)-1])
				}
			}
			text := strings.Join(words, " ")
			if le.BeforeAmount {
				text += " 3 sessions"
			}
			ms := Vague("Plan: " + text + ".")
			if len(ms) == 0 || ms[0].Entry != e.ID {
				t.Errorf("%s: %q finds %v", e.ID, text, ms)
				continue
			}
			if e.Lang != cynllun.LanguageCY {
				continue
			}
			for _, m := range mutations(words[0])[1:] {
				mut := strings.Join(append([]string{m}, words[1:]...), " ")
				if le.BeforeAmount {
					mut += " 3"
				}
				if ms := Vague(mut); len(ms) == 0 || ms[0].Entry != e.ID {
					t.Errorf("%s: mutated %q finds %v", e.ID, mut, ms)
				}
			}
		}
	}
}

func TestMutations(t *testing.T) {
	cases := map[string][]string{
		"cyfle":     {"cyfle", "gyfle", "nghyfle", "chyfle"},
		"pryd":      {"pryd", "bryd", "mhryd", "phryd"},
		"tymor":     {"tymor", "dymor", "nhymor", "thymor"},
		"gwers":     {"gwers", "wers", "ngwers"},
		"bore":      {"bore", "fore", "more"},
		"dydd":      {"dydd", "ddydd", "nydd"},
		"llun":      {"llun", "lun"},
		"mynediad":  {"mynediad", "fynediad"},
		"rheolaidd": {"rheolaidd", "reolaidd"},
		"angen":     {"angen", "hangen"},
		"yn":        {"yn"},
		"chwarae":   {"chwarae"},
		"ffordd":    {"ffordd"},
		"ddoe":      {"ddoe"},
		"":          {""},
	}
	for w, want := range cases {
		if got := mutations(w); !slices.Equal(got, want) {
			t.Errorf("mutations(%q) = %v, want %v", w, got, want)
		}
	}
}

func TestAmountFrequencyReading(t *testing.T) {
	cases := []struct {
		text              string
		amount, frequency bool
	}{
		{"45 minutes of 1:1 SaLT weekly", true, true},
		{"1 hour per week", true, true},
		{"an hour a week", true, true},
		{"half an hour every day", true, true},
		{"2 x 30 min sessions per week", true, true},
		{"45mins 3x weekly", true, true},
		{"Weekly 1:1 sessions with ELSA", false, true},
		{"1:1 support", false, false},
		{"two sessions a week", true, true},
		{"three times a week", false, true},
		{"twice", false, false},
		{"once the plan is agreed", false, false},
		{"every morning at registration", false, true},
		{"per term", false, true},
		{"each half-term", false, true},
		{"on Mondays and Thursdays", false, true},
		{"support with daily living skills", false, false},
		{"during the lunch hour", false, false},
		{"in every lesson", true, true},
		{"full-time 1:1 support", true, true},
		{"30 munud bob wythnos", true, true},
		{"awr yr wythnos", true, true},
		{"am hanner awr bob dydd", true, true},
		{"ddwywaith yr wythnos am 20 munud", true, true},
		{"tair gwaith yr wythnos", false, true},
		{"dwy sesiwn yr wythnos", true, true},
		{"yn wythnosol", false, true},
		{"sesiwn ddyddiol", false, true},
		{"bob tymor", false, true},
		{"ym mhob gwers", true, true},
		{"yn ystod awr ginio", false, false},
		{"sgiliau bywyd bob dydd", false, false},
		{"ar ddyddiau Llun a Iau", false, true},
		// intervals: the interval's length is not the amount
		{"a 5-minute movement break after every 20 minutes of lesson time", true, true},
		{"10 minutes after each 45 minutes of seated work", true, true},
		{"egwyl 5 munud ar ôl pob 20 munud o amser gwers", true, true},
		{"movement break every 20 minutes", false, true},
		{"seibiant symud bob 20 munud", false, true},
		{"a five-minute break every hour", true, true},
		{"pum munud bob awr", true, true},
		{"each 20-minute session", true, false},
		{"two sessions, each 30 minutes", true, false},
		{"5 minutes per hour", true, true},
		// per day, days per week
		{"20 munud y dydd, 4 diwrnod yr wythnos", true, true},
		{"20 minutes a day, 4 days a week", true, true},
		{"ugain munud y dydd, pedwar diwrnod yr wythnos", true, true},
		{"15 minutes on 3 days of the week", true, true},
		{"15 munud ar 4 diwrnod o'r wythnos", true, true},
		{"1:1 support 4 days a week", false, true},
		{"tri bore yr wythnos", false, true},
		{"Cymorth yn ystod y dydd", false, false},
		{"Sesiwn gyda'r seicolegydd y tymor hwn", false, false},
		{"Counselling for a term", false, false},
		// repetitions and distributions
		{"twice weekly", false, true},
		{"three times per fortnight, 20 minutes", true, true},
		{"20 munud deirgwaith y pythefnos", true, true},
		{"dwy waith yr wythnos", false, true},
		{"3 x 30 mins/week", true, true},
		{"30mins x3 weekly", true, true},
		{"2 hrs p/w", true, true},
		{"15 mins/day", true, true},
		{"bob yn ail ddiwrnod", false, true},
		{"on alternate weeks", false, true},
		{"every 3 weeks", false, true},
		{"bob tair wythnos", false, true},
		{"10 minutes every maths lesson", true, true},
		{"20 minutes Mon-Fri", true, true},
		{"20 munud o ddydd Llun i ddydd Gwener", true, true},
		{"on Tuesday afternoons", false, true},
		{"from Monday 7 January", false, false},
		{"on a weekly basis", false, true},
		{"yn bythefnosol", false, true},
		{"unwaith y mis", false, true},
		// numbers in words
		{"twenty-five minutes", true, false},
		{"deng munud bob dydd", true, true},
		{"pymtheng munud bob bore", true, true},
		{"hanner cant munud", true, false},
		{"tri chwarter awr", true, false},
		{"a quarter of an hour daily", true, true},
		{"teirawr yr wythnos", true, true},
		{"an hour's session each week", true, true},
		{"fortnightly hour-long visit", true, true},
		// times of day, weekday lists, occasions in the plural
		{"every morning (9–10.30am)", true, true},
		{"Lunchtime club (12.15–12.45) on Tuesdays and Thursdays", true, true},
		{"Reduced timetable: 9am to 12pm, Monday to Friday", true, true},
		{"20-30 minutes", true, false},
		{"a session from 9 to 10", false, false},
		{"Mon, Wed, Fri – 20 mins", true, true},
		{"Monday and Thursday, 30 minutes", true, true},
		{"Ar fore Llun a bore Iau am 20 munud", true, true},
		{"at lunchtimes", false, true},
		{"yn y boreau am 10 munud", true, true},
		{"mornings only", false, false},
		{"half a day a week", true, true},
		{"hanner diwrnod yr wythnos", true, true},
		{"hanner can munud bob wythnos", true, true},
		// a count spread over a stated span
		{"6 sessions of 45 minutes this school year", true, true},
		{"chwe sesiwn y tymor hwn", true, true},
		{"dwy sesiwn yn ystod tymor yr hydref", true, true},
		{"twice during the spring term", false, true},
		{"20 minutes for 6 weeks", true, false},
		{"three sessions with the EP", true, false},
		{"eight 30-minute sessions over the autumn term", true, true},
		// not quantities
		{"one-to-one sessions weekly", false, true},
		{"in Year 6 lessons", false, false},
		{"Practice his 5 times table", false, false},
		{"support until 3 weeks before the review", false, false},
		{"a week-long residential", false, false},
		// period ends
		{"20 minutes daily until the end of the spring term", true, true},
		{"20 munud bob dydd hyd at 31 Mawrth 2027", true, true},
		{"Cymorth 1:1 hyd at hanner tymor", false, false},
	}
	for _, c := range cases {
		r := read(c.text)
		if a, f := r.hasAmount(), r.hasFrequency(); a != c.amount || f != c.frequency {
			t.Errorf("%q: amount %v frequency %v, want %v %v (read %q)", c.text, a, f, c.amount, c.frequency, r.text)
		}
	}
}

func TestOutcomeReading(t *testing.T) {
	cases := []struct {
		text               string
		measure, timeframe bool
	}{
		{"Improve reading by July 2027", false, true},
		{"Siôn will improve his confidence", false, false},
		{"By the end of Year 6, read 100 high-frequency words", true, true},
		{"By the end of Year 6 he will be happier", false, true},
		{"Within 6 weeks, she will settle into class", false, true},
		{"Within 6 weeks, she will write three sentences independently", true, true},
		{"Will follow two-step instructions without prompts", true, false},
		{"Reading age from 6.5 to 7.5 by the summer term", true, true},
		{"Score 8 out of 10 on the spelling test by 31 March 2027", true, true},
		{"Make progress this term", false, true},
		{"Bydd yn gallu ysgrifennu brawddeg erbyn y Pasg", true, true},
		{"Bydd hi'n gallu darllen yn annibynnol", true, false},
		{"Gwella ei hyder o fewn y dosbarth", false, false},
		{"Gwella ei hyder o fewn 6 wythnos", false, true},
		{"Bydd yn chwarae yn erbyn tîm arall", false, false},
		{"Bydd yn darllen 50 gair erbyn diwedd tymor yr haf", true, true},
		{"Bydd yn datblygu ei allu i ganolbwyntio", false, false},
		{"Erbyn 2027-07-01, dilyn cyfarwyddiadau tri cham", true, true},
		{"by 01/07/2027", false, true},
	}
	for _, c := range cases {
		r := read(c.text)
		if m, tf := r.hasMeasure(), r.hasTimeframe(); m != c.measure || tf != c.timeframe {
			t.Errorf("%q: measure %v timeframe %v, want %v %v (read %q)", c.text, m, tf, c.measure, c.timeframe, r.text)
		}
	}
}

func TestExcerpt(t *testing.T) {
	cases := map[string]string{
		"Speech and language therapy":                                            "Speech and language therapy",
		"  45 minutes   of\n1:1 speech and language therapy weekly from a SaLT ": "45 minutes of 1:1 speech and language…",
		strings.Repeat("ŵ", 50):                                                  strings.Repeat("ŵ", 40) + "…",
		"":                                                                       "",
	}
	for in, want := range cases {
		if got := excerpt(in, 40); got != want {
			t.Errorf("excerpt(%q) = %q, want %q", in, got, want)
		}
	}
}

// ---- the data files

func TestMalformedDataFails(t *testing.T) {
	good := string(planRulesJSON)
	var doc map[string]any
	if err := json.Unmarshal(planRulesJSON, &doc); err != nil {
		t.Fatal(err)
	}
	edit := func(f func(rules []any, doc map[string]any)) string {
		var d map[string]any
		_ = json.Unmarshal(planRulesJSON, &d)
		f(d["rules"].([]any), d)
		b, _ := json.Marshal(d)
		return string(b)
	}
	first := func(rules []any) map[string]any { return rules[0].(map[string]any) }
	badRules := map[string]string{
		"not JSON":         "{",
		"trailing data":    good + "{}",
		"unknown field":    edit(func(r []any, _ map[string]any) { first(r)["colour"] = "red" }),
		"bad severity":     edit(func(r []any, _ map[string]any) { first(r)["severity"] = "FATAL" }),
		"no Welsh title":   edit(func(r []any, _ map[string]any) { first(r)["title"] = map[string]any{"en": "x", "cy": ""} }),
		"no evidence tag":  edit(func(r []any, _ map[string]any) { first(r)["basis"] = "the Code" }),
		"unknown code":     edit(func(r []any, _ map[string]any) { first(r)["code"] = "NO_SUCH_RULE" }),
		"duplicate code":   edit(func(r []any, d map[string]any) { d["rules"] = append(r, r[0]) }),
		"missing rule":     edit(func(r []any, d map[string]any) { d["rules"] = r[1:] }),
		"bad section":      edit(func(r []any, _ map[string]any) { first(r)["section"] = "9Z" }),
		"no severity note": edit(func(r []any, _ map[string]any) { first(r)["severityNote"] = " " }),
		"example no case":  edit(func(r []any, _ map[string]any) { first(r)["fires"].(map[string]any)["case"] = map[string]any{} }),
		"example bad date": edit(func(r []any, _ map[string]any) {
			first(r)["fires"].(map[string]any)["case"] = map[string]any{"plan": map[string]any{"givenOn": "2026-02-30"}}
		}),
		"example bad field": edit(func(r []any, _ map[string]any) {
			first(r)["fires"].(map[string]any)["case"] = map[string]any{"row": map[string]any{"colour": 1}}
		}),
		"example bad enum": edit(func(r []any, _ map[string]any) {
			first(r)["passes"].(map[string]any)["case"] = map[string]any{"row": map[string]any{"dateKind": "SOON"}}
		}),
		"example no Welsh": edit(func(r []any, _ map[string]any) { first(r)["passes"].(map[string]any)["cy"] = "" }),
		"no baseline":      edit(func(_ []any, d map[string]any) { delete(d, "baseline") }),
		"null rule":        edit(func(r []any, d map[string]any) { d["rules"] = append(r, nil) }),
	}
	for name, b := range badRules {
		if _, err := loadRules([]byte(b)); err == nil {
			t.Errorf("rules, %s: loaded", name)
		}
	}
	lexEdit := func(f func(entries []any, doc map[string]any)) string {
		var d map[string]any
		_ = json.Unmarshal(lexiconJSON, &d)
		f(d["entries"].([]any), d)
		b, _ := json.Marshal(d)
		return string(b)
	}
	e0 := func(es []any) map[string]any { return es[0].(map[string]any) }
	badLex := map[string]string{
		"not JSON":        "[]",
		"unknown field":   lexEdit(func(es []any, _ map[string]any) { e0(es)["colour"] = 1 }),
		"duplicate id":    lexEdit(func(es []any, d map[string]any) { d["entries"] = append(es, es[0]) }),
		"bad id":          lexEdit(func(es []any, _ map[string]any) { e0(es)["id"] = "As Needed" }),
		"id not its lang": lexEdit(func(es []any, _ map[string]any) { e0(es)["lang"] = "cy" }),
		"bad lang":        lexEdit(func(es []any, _ map[string]any) { e0(es)["lang"] = "fr"; e0(es)["id"] = "fr.x" }),
		"bad severity":    lexEdit(func(es []any, _ map[string]any) { e0(es)["severity"] = "LOUD" }),
		"unknown kind":    lexEdit(func(es []any, _ map[string]any) { e0(es)["kind"] = "other" }),
		"no note":         lexEdit(func(es []any, _ map[string]any) { e0(es)["note"] = "" }),
		"empty phrase":    lexEdit(func(es []any, _ map[string]any) { e0(es)["phrase"] = " ... " }),
		"punctuation":     lexEdit(func(es []any, _ map[string]any) { e0(es)["phrase"] = "as, needed" }),
		"same phrase":     lexEdit(func(es []any, _ map[string]any) { es[1].(map[string]any)["phrase"] = "AS NEEDED" }),
		"English mutates": lexEdit(func(es []any, _ map[string]any) { e0(es)["mutate"] = true }),
		"no entries":      lexEdit(func(_ []any, d map[string]any) { d["entries"] = []any{} }),
		"kind no Welsh": lexEdit(func(_ []any, d map[string]any) {
			d["kinds"].(map[string]any)["cap"].(map[string]any)["fix"] = map[string]any{"en": "x"}
		}),
	}
	for name, b := range badLex {
		if _, err := loadLexicon([]byte(b)); err == nil {
			t.Errorf("lexicon, %s: loaded", name)
		}
	}
	// At init, a malformed file panics.
	for name, f := range map[string]func(){
		"rules":   func() { mustLoadRules([]byte(badRules["bad severity"])) },
		"lexicon": func() { mustLoadLexicon([]byte(badLex["bad severity"])) },
	} {
		func() {
			defer func() {
				if r := recover(); r == nil {
					t.Errorf("%s: no panic", name)
				} else if !strings.Contains(fmt.Sprint(r), "severity") {
					t.Errorf("%s: panic %v does not say what is wrong", name, r)
				}
			}()
			f()
		}()
	}
	// The embedded files load.
	if _, err := loadRules(planRulesJSON); err != nil {
		t.Error(err)
	}
	if _, err := loadLexicon(lexiconJSON); err != nil {
		t.Error(err)
	}
}

func TestLexiconEntries(t *testing.T) {
	n := map[cynllun.Language]int{}
	for _, e := range Lexicon() {
		n[e.Lang]++
		if lex.kinds[e.Kind].Fix.EN == "" {
			t.Errorf("%s: no fix", e.ID)
		}
	}
	if n[cynllun.LanguageEN] < 20 || n[cynllun.LanguageCY] < 20 {
		t.Errorf("entries per language: %v", n)
	}
}

// ---- fuzzing and benchmarks

func FuzzVague(f *testing.F) {
	for _, s := range []string{"Access to SaLT as needed", "yn ôl  yr angen", "gyfle i'r", "up to 3", "hyd at ddwy", "o\u0302l",
		"'", "a'", "’n", "\xff\xfe", "as-\u00adneeded", "İ", "ﬁ", strings.Repeat("as needed ", 50)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		prevEnd := 0
		for _, m := range Vague(text) {
			if m.Start < prevEnd || m.Start >= m.End || m.End > len(text) {
				t.Fatalf("bad span %d-%d (previous end %d) in %q", m.Start, m.End, prevEnd, text)
			}
			if !utf8.RuneStart(text[m.Start]) || (m.End < len(text) && !utf8.RuneStart(text[m.End])) {
				t.Fatalf("span %d-%d not on rune boundaries in %q", m.Start, m.End, text)
			}
			if m.Text != text[m.Start:m.End] || lex.entry(m.Entry) == nil {
				t.Fatalf("match %+v", m)
			}
			prevEnd = m.End
		}
	})
}

func FuzzCheckPlan(f *testing.F) {
	f.Add("45 minutes weekly as needed", "By July 2027, read 20 words", "Ysgol", "2027-07-01", true)
	f.Add("", "", "", "", false)
	f.Add("mynediad at yn ol yr angen", "erbyn", "TBC", "2029-02-28", false)
	f.Fuzz(func(t *testing.T, provision, outcome, provider, date string, nhs bool) {
		in := baselineInput(t)
		r := &in.Content.Provision[0]
		r.Provision, r.IntendedOutcome, r.Provider, r.NHSSecured = provision, outcome, provider, nhs
		if d, err := cynllun.ParseDate(date); err == nil {
			r.ReviewOrEndDate = d
		}
		for _, f := range CheckPlan(in) {
			if f.Message.EN == "" || f.Message.CY == "" || !validSeverity(f.Severity) {
				t.Fatalf("finding %+v", f)
			}
			if !utf8.ValidString(f.Message.EN) && utf8.ValidString(provision) {
				t.Fatalf("invalid UTF-8 in %q", f.Message.EN)
			}
		}
	})
}

// benchPlan is a plan of 50 rows, good and bad, English and Welsh.
func benchPlan(b *testing.B) PlanInput {
	in := baselineInput(b)
	texts := []struct{ provision, outcome string }{
		{"45 minutes of 1:1 speech and language therapy weekly from a qualified SaLT", "By July 2027, Siôn will follow two-step instructions in 8 out of 10 lessons."},
		{"Access to SaLT as needed", "Improve communication"},
		{"Mynediad at therapi lleferydd yn ôl yr angen", "Gwella sgiliau cyfathrebu"},
		{"Sesiynau rheolaidd gyda'r cynorthwyydd addysgu", "Bydd yn gallu darllen 20 gair erbyn diwedd tymor yr haf"},
		{"Cyfle i weithio mewn grŵp bach ddwywaith yr wythnos am 20 munud", "Erbyn y Pasg, bydd yn cymryd rhan mewn trafodaeth grŵp o leiaf unwaith bob sesiwn."},
	}
	base := in.Content.Provision[0]
	in.Content.Provision = nil
	for i := range 50 {
		r := base
		r.ID = fmt.Sprintf("row_%d", i)
		r.Provision = texts[i%len(texts)].provision + strings.Repeat(" with a trained teaching assistant in the classroom", i%3)
		r.IntendedOutcome = texts[i%len(texts)].outcome
		in.Content.Provision = append(in.Content.Provision, r)
	}
	return in
}

func BenchmarkCheckPlan(b *testing.B) {
	in := benchPlan(b)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		n = len(CheckPlan(in))
	}
	b.ReportMetric(float64(n), "findings")
}
