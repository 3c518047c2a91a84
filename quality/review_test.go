package quality

import (
	"slices"
	"strings"
	"testing"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/ledger"
)

func ptr[T any](v T) *T { return &v }

func reviewedContent() *cynllun.Content {
	return &cynllun.Content{Provision: []cynllun.ProvisionRow{
		{ID: "row_salt", IntendedOutcome: "Follow two-step instructions by July", Provision: "30 minutes of 1:1 SaLT weekly"},
		{ID: "row_elsa", IntendedOutcome: "Name three feelings", Provision: "ELSA 20 minutes weekly"},
	}}
}

// goodReview meets every checklist item and raises no flag.
func goodReview() *cynllun.Review {
	return &cynllun.Review{
		ID: "rvw_1", Revision: 3, Type: cynllun.ReviewAnnual, Status: cynllun.ReviewConcluded,
		DurationMinutes: 60,
		Participants: []cynllun.Participant{
			{Name: "Siôn Llŷr", Role: cynllun.RoleChild, Attendance: cynllun.AttendedInPerson, Agreed: ptr(true)},
			{Name: "Mrs Llŷr", Role: cynllun.RoleParent, Attendance: cynllun.AttendedInPerson, Agreed: ptr(false)},
			{Name: "Ms Evans", Role: cynllun.RoleALNCo, Attendance: cynllun.AttendedInPerson, Agreed: ptr(true)},
			{Name: "Dr Rees", Role: cynllun.RoleHealth, Attendance: cynllun.DidNotContribute},
		},
		ChildViews:      []cynllun.ChildView{{Format: cynllun.ViewDrawing, Attachments: []string{"fil_x"}}},
		ParentViews:     []cynllun.ParentView{{Name: "Mrs Llŷr", Text: "He is happier at school."}},
		NeedsDiscussion: "Speech and language needs discussed; 2A still right.",
		Provision: []cynllun.ProvisionReview{
			{RowID: "row_salt", Delivered: cynllun.AnswerPartly, Effective: cynllun.AnswerYes, StillNeeded: cynllun.AnswerYes, Change: cynllun.ChangeIncrease},
			{RowID: "row_elsa", Delivered: cynllun.AnswerYes, Effective: cynllun.AnswerYes, StillNeeded: cynllun.AnswerNo, Change: cynllun.ChangeEnd},
		},
		Outcomes: []cynllun.OutcomeReview{
			{RowID: "row_salt", Status: cynllun.OutcomePartly},
			{RowID: "row_elsa", Status: cynllun.OutcomeAchieved},
		},
		NewEvidence:   []cynllun.Evidence{{Title: "SaLT report", Date: cynllun.MustDate("2026-10-01")}},
		CanMaintain:   ptr(true),
		Disagreements: []cynllun.Disagreement{{Who: "mrs llyr", Role: cynllun.RoleParent, About: "Amount of therapy", RowID: "row_salt"}},
	}
}

func good() ReviewInput {
	after := reviewedContent()
	after.Provision[0].IntendedOutcome = "Follow three-step instructions by July"
	return ReviewInput{
		Review: goodReview(), Reviewed: reviewedContent(), After: after,
		PreviousOutcomes: map[string]string{"row_salt": "Follow two-step instructions by July", "row_elsa": "Name three feelings"},
		Ledger: []ledger.RowSummary{
			{RowID: "row_salt", PlannedKnown: true, Planned: 12, Delivered: 9, Missed: 3, ShortfallSessions: 3, ShortfallMinutes: 90},
			{RowID: "row_elsa", PlannedKnown: true, Planned: 12, Delivered: 12},
		},
	}
}

func rules(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Rule)
	}
	return out
}

func unmet(cs []Check) []string {
	var out []string
	for _, c := range cs {
		if c.Applies && !c.Met {
			out = append(out, c.Code)
		}
	}
	return out
}

func TestGoodReviewIsClean(t *testing.T) {
	checks, findings := EvaluateReview(good())
	if len(checks) != 8 {
		t.Fatalf("checklist has %d items, want 8", len(checks))
	}
	if u := unmet(checks); len(u) > 0 {
		t.Errorf("unmet checklist items on a good record: %v", u)
	}
	if len(findings) != 0 {
		t.Errorf("findings on a good record: %v", rules(findings))
	}
	for _, c := range checks {
		if c.Label.EN == "" || c.Label.CY == "" || c.Basis == "" {
			t.Errorf("check %s lacks a label or basis", c.Code)
		}
	}
}

// TestChecklist breaks one item at a time: exactly that item is unmet.
func TestChecklist(t *testing.T) {
	cases := []struct {
		code   string
		break_ func(in *ReviewInput)
	}{
		{CheckNeeds, func(in *ReviewInput) { in.Review.NeedsDiscussion = "  " }},
		{CheckChildVoice, func(in *ReviewInput) {
			in.Review.ChildViews = []cynllun.ChildView{{Format: cynllun.ViewOwnWords, Text: " "}}
		}},
		{CheckParentViews, func(in *ReviewInput) { in.Review.ParentViews = nil }},
		{CheckProvision, func(in *ReviewInput) { in.Review.Provision[1].Effective = cynllun.AnswerUnknown }},
		{CheckProvision, func(in *ReviewInput) { in.Review.Provision = in.Review.Provision[:1] }},
		{CheckOutcomes, func(in *ReviewInput) { in.Review.Outcomes = in.Review.Outcomes[:1] }},
		{CheckEvidence, func(in *ReviewInput) { in.Review.NewEvidence = nil }},
		{CheckCapacity, func(in *ReviewInput) { in.Review.CanMaintain = nil }},
		{CheckDisagreements, func(in *ReviewInput) { in.Review.Participants[2].Agreed = nil }},
	}
	for _, c := range cases {
		t.Run(c.code, func(t *testing.T) {
			in := good()
			c.break_(&in)
			checks, _ := EvaluateReview(in)
			if got := unmet(checks); !slices.Equal(got, []string{c.code}) {
				t.Errorf("unmet = %v, want [%s]", got, c.code)
			}
		})
	}
}

func TestParentViewsDoNotApplyToYoungPeople(t *testing.T) {
	in := good()
	in.YoungPerson = true
	in.Review.ParentViews = nil
	checks, _ := EvaluateReview(in)
	for _, c := range checks {
		if c.Code == CheckParentViews && (c.Applies || c.Met) {
			t.Errorf("parent views for a young person: %+v", c)
		}
	}
	if u := unmet(checks); len(u) > 0 {
		t.Errorf("unmet = %v", u)
	}
}

// TestRedFlags triggers each flag with one change to a good record, and
// checks that only that finding appears.
func TestRedFlags(t *testing.T) {
	cases := []struct {
		rule     string
		severity Severity
		trigger  func(in *ReviewInput)
	}{
		{FlagShort, SeverityWarning, func(in *ReviewInput) { in.Review.DurationMinutes = 19 }},
		{FindDuration, SeverityInfo, func(in *ReviewInput) { in.Review.DurationMinutes = 0 }},
		{FlagNoChildVoice, SeverityError, func(in *ReviewInput) { in.Review.ChildViews = nil }},
		{FlagNoDelivery, SeverityError, func(in *ReviewInput) {
			for i := range in.Review.Provision {
				in.Review.Provision[i].Delivered = cynllun.AnswerUnknown
			}
		}},
		{FlagOutcomesSame, SeverityWarning, func(in *ReviewInput) { in.After = reviewedContent() }},
		{FlagDisagreement, SeverityError, func(in *ReviewInput) { in.Review.Disagreements = nil }},
		{FindLedgerShortfall, SeverityWarning, func(in *ReviewInput) { in.Review.Provision[0].Delivered = cynllun.AnswerYes }},
		{FindCannotMaintain, SeverityWarning, func(in *ReviewInput) { in.Review.CanMaintain = ptr(false) }},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			in := good()
			c.trigger(&in)
			_, fs := EvaluateReview(in)
			if got := rules(fs); !slices.Equal(got, []string{c.rule}) {
				t.Fatalf("findings = %v, want [%s]", got, c.rule)
			}
			f := fs[0]
			if f.Severity != c.severity || f.Message.EN == "" || f.Message.CY == "" || f.Fix.EN == "" || f.Fix.CY == "" || f.Basis == "" || f.Place.Section == "" {
				t.Errorf("finding incomplete: %+v", f)
			}
		})
	}
}

func TestShortThresholdAndBoundary(t *testing.T) {
	in := good()
	in.Review.DurationMinutes = 20
	if _, fs := EvaluateReview(in); len(fs) != 0 {
		t.Errorf("20 minutes flagged: %v", rules(fs))
	}
	in.MinMinutes = 30
	_, fs := EvaluateReview(in)
	if !slices.Equal(rules(fs), []string{FlagShort}) || !strings.Contains(fs[0].Message.EN, "under 30") {
		t.Errorf("threshold 30: %v", fs)
	}
}

func TestLedgerWithNoEntriesIsNoEvidence(t *testing.T) {
	in := good()
	in.Review.Provision[0].Delivered = cynllun.AnswerYes
	in.Ledger[0] = ledger.RowSummary{RowID: "row_salt", PlannedKnown: true, Planned: 12, ShortfallSessions: 12, ShortfallMinutes: 360}
	if _, fs := EvaluateReview(in); len(fs) != 0 {
		t.Errorf("a row with no ledger entries flagged: %v", rules(fs))
	}
}

func TestOutcomesUnchangedNeedsAnEarlierReview(t *testing.T) {
	in := good()
	in.After = reviewedContent()
	in.PreviousOutcomes = nil // the first review of the plan
	if _, fs := EvaluateReview(in); len(fs) != 0 {
		t.Errorf("first review flagged: %v", rules(fs))
	}
	// Wording differing only in spacing and case is the same outcome.
	in = good()
	in.After = reviewedContent()
	in.After.Provision[1].IntendedOutcome = "  name THREE   feelings "
	if _, fs := EvaluateReview(in); !slices.Equal(rules(fs), []string{FlagOutcomesSame}) {
		t.Errorf("normalised wording: %v", rules(fs))
	}
}

func TestRefusedAndRequested(t *testing.T) {
	r := &cynllun.Review{Status: cynllun.ReviewRefused, Request: &cynllun.ReviewRequest{By: cynllun.RequesterParent}}
	checks, fs := EvaluateReview(ReviewInput{Review: r})
	if checks != nil || !slices.Equal(rules(fs), []string{FindRefusedNoReasons}) {
		t.Errorf("refused without reasons: %v %v", checks, rules(fs))
	}
	r.Request.RefusalReasons = "A review was held last month and nothing has changed."
	if checks, fs := EvaluateReview(ReviewInput{Review: r}); checks != nil || fs != nil {
		t.Errorf("refused with reasons: %v %v", checks, rules(fs))
	}
	r = &cynllun.Review{Status: cynllun.ReviewRequested, Request: &cynllun.ReviewRequest{By: cynllun.RequesterParent}}
	if checks, fs := EvaluateReview(ReviewInput{Review: r}); checks != nil || fs != nil {
		t.Errorf("requested: %v %v", checks, rules(fs))
	}
}
