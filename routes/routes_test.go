package routes

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/clock"
)

// step is a step of a route as the table below writes it: its kind, the
// section that gives it, its tag (C, S or U), the case that pursues it and
// the clock of the time to take it.
type step struct {
	kind    StepKind
	section string
	tag     string
	cse     cynllun.CaseKind
	window  string
}

var (
	recon26   = step{StepLAReconsideration, "s.26", "C", cynllun.CaseReconsideration, ""}
	recon27   = step{StepLAReconsideration, "s.27", "C", cynllun.CaseReconsideration, ""}
	recon32   = step{StepLAReconsideration, "s.32", "C", cynllun.CaseReconsideration, "T11"}
	reconAny  = step{StepLAReconsideration, "ss.26, 27, 32", "U", cynllun.CaseReconsideration, ""}
	appeal    = step{StepTribunalAppeal, "s.70", "S", cynllun.CaseAppeal, "T17"}
	appealU   = step{StepTribunalAppeal, "s.70", "U", cynllun.CaseAppeal, "T17"}
	dr        = step{StepDisagreementResolution, "s.68", "C", cynllun.CaseDisagreement, ""}
	advocacy  = step{StepAdvocacy, "s.69", "C", "", ""}
	advocacyU = step{StepAdvocacy, "s.69", "U", "", ""}
	takeover  = step{StepLATakeover, "s.28", "C", "", ""}
	review    = step{StepReviewRequest, "s.23(8)", "C", "", ""}
	claim     = step{StepDisabilityClaim, "Equality Act 2010 Sch. 17", "U", cynllun.CaseDisabilityClaim, ""}
)

// TestRouteTable: every kind of decision × every kind of body that makes
// decisions → the steps open, each with its section (domain.md §4.1–4.2).
// No appeal lies against a maintained school: the LA reconsiders its
// decision on ALN (s.26), its IDP (s.27) and its decision to cease (s.32,
// with T11, the 4 weeks to ask); decisions of LAs and FEIs are appealable
// (s.70, T17), with disagreement resolution (s.68) and advocacy (s.69);
// whether decisions to cease are appealable is UNCONFIRMED, so it is a
// row so tagged. A change to routes.json must change this table too.
func TestRouteTable(t *testing.T) {
	const (
		la, school, fei, nhs = cynllun.OrgLocalAuthority, cynllun.OrgSchool, cynllun.OrgFEI, cynllun.OrgHealthBoard
	)
	none := []step{}
	want := map[cynllun.DisputedKind]map[cynllun.OrgKind][]step{
		cynllun.DisputedHasALN: {
			la: {appeal, dr, advocacy}, school: {recon26, dr}, fei: {appeal, dr, advocacy}, nhs: none},
		cynllun.DisputedIDPNecessary: {
			la: {appeal, dr, advocacy}, school: none, fei: none, nhs: none},
		cynllun.DisputedALNDescription: {
			la: {appeal, dr, advocacy}, school: {recon27, takeover, dr}, fei: {appeal, takeover, dr, advocacy}, nhs: none},
		cynllun.DisputedProvision: {
			la: {appeal, dr, advocacy}, school: {recon27, takeover, dr}, fei: {appeal, takeover, dr, advocacy}, nhs: {review}},
		cynllun.DisputedWelshProvision: {
			la: {appeal, dr, advocacy}, school: {recon27, takeover, dr}, fei: {appeal, takeover, dr, advocacy}, nhs: {review}},
		cynllun.DisputedPlaceNamed: {
			la: {appeal, dr, advocacy}, school: none, fei: none, nhs: none},
		cynllun.DisputedSchoolForAdmission: {
			la: {appeal, dr, advocacy}, school: none, fei: none, nhs: none},
		cynllun.DisputedRefusalToRevise: {
			la: {appeal, dr, advocacy}, school: {recon27, takeover, dr}, fei: {appeal, takeover, dr, advocacy}, nhs: none},
		cynllun.DisputedRefusalToTakeOver: {
			la: {appeal, dr, advocacy}, school: none, fei: none, nhs: none},
		cynllun.DisputedCeaseToMaintain: {
			la: {appealU, dr, advocacyU}, school: {recon32, dr}, fei: {appealU, dr, advocacyU}, nhs: none},
		cynllun.DisputedDiscrimination: {
			la: {claim}, school: {claim}, fei: none, nhs: none},
		cynllun.DisputedOther: {
			la: {appealU, dr, advocacyU}, school: {reconAny, dr}, fei: {appealU, dr, advocacyU}, nhs: none},
	}
	tags := map[clock.Tag]string{clock.TagConfirmed: "C", clock.TagSecondary: "S", clock.TagUnconfirmed: "U"}
	got := map[cynllun.DisputedKind]map[cynllun.OrgKind][]step{}
	for _, r := range All() {
		if got[r.Decision] == nil {
			got[r.Decision] = map[cynllun.OrgKind][]step{}
		}
		steps := []step{}
		for _, s := range r.Steps {
			steps = append(steps, step{s.Kind, s.Section, tags[s.Tag], s.CaseKind, s.Window})
		}
		got[r.Decision][r.Maker] = steps
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(step{})); diff != "" {
		t.Errorf("route table (-want +got):\n%s", diff)
	}
	if n := len(All()); n != len(cynllun.DisputedKinds)*len(Makers) {
		t.Errorf("%d routes, want one per decision kind and maker", n)
	}
}

// The law's shape, whatever the rows say: no appeal against a school, none
// against an NHS body; where an appeal lies T17 is its window and advocacy
// is offered; every step names its section, every route explains itself in
// both languages.
func TestRouteInvariants(t *testing.T) {
	for _, r := range All() {
		name := string(r.Decision) + " by " + string(r.Maker)
		if (r.Maker == cynllun.OrgSchool || r.Maker == cynllun.OrgHealthBoard) && (r.AppealLies() || r.Allows(cynllun.CaseAppeal)) {
			t.Errorf("%s: an appeal lies against a school or an NHS body", name)
		}
		if r.AppealLies() != r.Allows(cynllun.CaseAppeal) || r.AppealLies() != contains(r.Windows(), "T17") {
			t.Errorf("%s: appeal %v, APPEAL allowed %v, windows %v", name, r.AppealLies(), r.Allows(cynllun.CaseAppeal), r.Windows())
		}
		if r.AppealLies() && !containsStep(r, StepAdvocacy) {
			t.Errorf("%s: an appeal without advocacy (s.69)", name)
		}
		for _, s := range r.Steps {
			if s.Section == "" || s.SectionText().CY == "" || s.Title().CY == "" || s.Description().CY == "" {
				t.Errorf("%s: %s lacks a section or its Welsh", name, s.Kind)
			}
			if s.RequestEvent != "" {
				// A step's request event is one Cynllun knows.
				found := false
				for _, k := range cynllun.EventKinds {
					found = found || k == s.RequestEvent
				}
				if !found {
					t.Errorf("%s: %s: unknown event %s", name, s.Kind, s.RequestEvent)
				}
			}
		}
		e := r.Explanation()
		if e.EN == "" || e.CY == "" || e.EN == e.CY {
			t.Errorf("%s: explanation %+v", name, e)
		}
		if len(r.Steps) > 0 && (!strings.Contains(e.EN, "Next steps: ") || !strings.Contains(e.CY, "Y camau nesaf: ")) {
			t.Errorf("%s: explanation names no next step: %q", name, e.EN)
		}
	}
	// The requests to reconsider start their own clocks (issue 16 item 3).
	for _, tc := range []struct {
		d    cynllun.DisputedKind
		want cynllun.EventKind
	}{
		{cynllun.DisputedHasALN, cynllun.EventReconsiderALNRequested},
		{cynllun.DisputedProvision, cynllun.EventReconsiderIDPRequested},
		{cynllun.DisputedCeaseToMaintain, cynllun.EventReconsiderCeaseRequested},
	} {
		r, _ := For(tc.d, cynllun.OrgSchool)
		if r.Steps[0].Kind != StepLAReconsideration || r.Steps[0].RequestEvent != tc.want {
			t.Errorf("%s by a school: first step %+v, want reconsideration recorded as %s", tc.d, r.Steps[0], tc.want)
		}
	}
}

// The explanation, word for word: what a refused case quotes.
func TestExplanation(t *testing.T) {
	r, ok := For(cynllun.DisputedHasALN, cynllun.OrgSchool)
	if !ok {
		t.Fatal("no route")
	}
	want := "No appeal lies against a maintained school: the local authority reconsiders the school's decision, and the authority's decision may then be appealed to the Tribunal (s.70). " +
		"Next steps: ask the local authority to reconsider (s.26); use the local authority's disagreement resolution arrangements (s.68)."
	if got := r.Explanation().EN; got != want {
		t.Errorf("EN:\n got %q\nwant %q", got, want)
	}
	wantCY := "Nid oes apêl yn erbyn ysgol a gynhelir: mae'r awdurdod lleol yn ailystyried penderfyniad yr ysgol, a gellir wedyn apelio i'r Tribiwnlys yn erbyn penderfyniad yr awdurdod (a.70). " +
		"Y camau nesaf: gofyn i'r awdurdod lleol ailystyried (a.26); defnyddio trefniadau'r awdurdod lleol ar gyfer datrys anghytundebau (a.68)."
	if got := r.Explanation().CY; got != wantCY {
		t.Errorf("CY:\n got %q\nwant %q", got, wantCY)
	}
	// Unconfirmed steps say so.
	r, _ = For(cynllun.DisputedCeaseToMaintain, cynllun.OrgLocalAuthority)
	if e := r.Explanation(); !strings.Contains(e.EN, "appeal to the Education Tribunal for Wales (s.70, unconfirmed)") || !strings.Contains(e.CY, "(a.70, heb ei gadarnhau)") {
		t.Errorf("unconfirmed appeal: %+v", e)
	}
	// A decision of unknown kind is read as OTHER.
	if a, b := mustFor(t, "", cynllun.OrgLocalAuthority), mustFor(t, cynllun.DisputedOther, cynllun.OrgLocalAuthority); a.Decision != b.Decision {
		t.Errorf("unknown decision read as %s", a.Decision)
	}
	if _, ok := For(cynllun.DisputedHasALN, "PARISH_COUNCIL"); ok {
		t.Error("a route for a maker the table does not cover")
	}
}

func mustFor(t *testing.T, d cynllun.DisputedKind, m cynllun.OrgKind) Route {
	t.Helper()
	r, ok := For(d, m)
	if !ok {
		t.Fatalf("no route for %s by %s", d, m)
	}
	return r
}

// A bad routes file is refused with what is wrong.
func TestLoadErrors(t *testing.T) {
	good := string(routesJSON)
	for _, tc := range []struct {
		name, old, new, want string
	}{
		{"a combination left out", `"decisions": ["IDP_NECESSARY", "PLACE_NAMED", "SCHOOL_FOR_ADMISSION", "REFUSAL_TO_TAKE_OVER"],
     "note": {"en": "A school does not make`, `"decisions": ["IDP_NECESSARY", "PLACE_NAMED", "SCHOOL_FOR_ADMISSION"],
     "note": {"en": "A school does not make`, "REFUSAL_TO_TAKE_OVER by SCHOOL is not covered"},
		{"a combination twice", `{"maker": "SCHOOL", "decisions": ["HAS_ALN"],`, `{"maker": "SCHOOL", "decisions": ["HAS_ALN", "OTHER"],`, "OTHER by SCHOOL is covered twice"},
		{"an unknown step", `{"step": "LA_RECONSIDERATION", "section": "s.26"`, `{"step": "COMPLAIN", "section": "s.26"`, "unknown step kind"},
		{"no section", `"section": "s.26", "basis"`, `"section": "", "basis"`, "needs its section and basis"},
		{"a window that is no rule", `"window": "T11"`, `"window": "T99"`, "is not a clock rule"},
		{"an unknown case kind", `"caseKind": "RECONSIDERATION", "requestEvent": "RECONSIDER_ALN_DECISION_REQUESTED"`, `"caseKind": "COMPLAINT", "requestEvent": "RECONSIDER_ALN_DECISION_REQUESTED"`, "unknown case kind"},
		{"an unknown event", `"requestEvent": "RECONSIDER_ALN_DECISION_REQUESTED"`, `"requestEvent": "RECONSIDERED"`, "unknown request event"},
		{"an unknown tag", `"tag": "CONFIRMED", "caseKind": "RECONSIDERATION", "requestEvent": "RECONSIDER_ALN_DECISION_REQUESTED"`, `"tag": "LIKELY", "caseKind": "RECONSIDERATION", "requestEvent": "RECONSIDER_ALN_DECISION_REQUESTED"`, "unknown tag"},
		{"another enactment without its Welsh", `"sectionCy": "Deddf Cydraddoldeb 2010 Atod. 17", `, ``, "needs its Welsh form"},
		{"an unknown field", `"source": `, `"sauce": "x", "source": `, "unknown field"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(good, tc.old) {
				t.Fatalf("the file no longer contains %q", tc.old)
			}
			_, err := load([]byte(strings.Replace(good, tc.old, tc.new, 1)))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want …%s…", err, tc.want)
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func containsStep(r Route, k StepKind) bool {
	for _, s := range r.Steps {
		if s.Kind == k {
			return true
		}
	}
	return false
}
