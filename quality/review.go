package quality

import (
	"fmt"
	"strings"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/form"
	"github.com/cynllun/cynllun/ledger"
)

// ReviewInput is what the review rules look at.
type ReviewInput struct {
	Review *cynllun.Review
	// Reviewed is the content of the plan version reviewed (nil: unknown).
	Reviewed *cynllun.Content
	// After is the content in force after the review: the revised plan's
	// when the plan was revised, else the reviewed one's (nil: unknown).
	After *cynllun.Content
	// PreviousOutcomes maps 2B row ids to the intended outcomes that were
	// in force at the previous concluded review of the plan; nil when
	// there was none.
	PreviousOutcomes map[string]string
	// YoungPerson is true when the learner is over compulsory school age
	// (parent views are then not expected).
	YoungPerson bool
	// Ledger is the provision delivery ledger over the period reviewed.
	Ledger []ledger.RowSummary
	// MinMinutes is the shortest meeting not flagged as rushed (default
	// DefaultMinMinutes).
	MinMinutes int
}

// DefaultMinMinutes is the red-flag threshold for a rushed review (seed S2:
// "review under 20 minutes").
const DefaultMinMinutes = 20

// Basis texts.
const (
	basisS2       = "Parent guide to IDP reviews (seed S2), checklist; guidance, not law [WEAK]"
	basisS2Flag   = "Parent guide to IDP reviews (seed S2), red flags; guidance, not law [WEAK]"
	basisS6       = "ALNET Act 2018 s.6 (views, wishes and feelings of the child, parent or young person) [CONFIRMED heading]"
	basisS23      = "ALNET Act 2018 s.23 (review of IDPs); ALP must still be appropriate [CONFIRMED]; content of a review [SECONDARY]"
	basisRecord   = "ALN Code ch.23 (rationale must explain where opinions differed, para 23.42) [SECONDARY]"
	basisCapacity = "ALNET Act 2018 ss.27-28 (LA reconsideration and taking over a plan) [CONFIRMED duty]"
)

// The review checklist (domain.md §3.1; seed S2 §2).
const (
	CheckNeeds         = "NEEDS_DISCUSSED"
	CheckChildVoice    = "CHILD_VOICE_UPDATED"
	CheckParentViews   = "PARENT_VIEWS"
	CheckProvision     = "ALL_PROVISION_REVIEWED"
	CheckOutcomes      = "OUTCOMES_REVIEWED"
	CheckEvidence      = "NEW_EVIDENCE_REVIEWED"
	CheckCapacity      = "CAPACITY_ASSESSED"
	CheckDisagreements = "DISAGREEMENTS_RECORDED"
)

// The red flags and other review findings.
const (
	FlagShort            = "REVIEW_UNDER_20_MINUTES"
	FlagNoChildVoice     = "NO_CHILD_VOICE"
	FlagNoDelivery       = "NO_DISCUSSION_OF_PROVISION_DELIVERY"
	FlagOutcomesSame     = "OUTCOMES_UNCHANGED_ACROSS_REVIEWS"
	FlagDisagreement     = "DISAGREEMENT_NOT_RECORDED"
	FindDuration         = "DURATION_NOT_RECORDED"
	FindLedgerShortfall  = "DELIVERY_CONTRADICTS_LEDGER"
	FindCannotMaintain   = "MAINTAINER_CANNOT_MAINTAIN"
	FindRefusedNoReasons = "REFUSAL_WITHOUT_REASONS"
)

var checkLabels = map[string]form.Text{
	CheckNeeds:         {EN: "Full discussion of needs (educational, medical, sensory, social care)", CY: "Trafodaeth lawn o'r anghenion (addysgol, meddygol, synhwyraidd, gofal cymdeithasol)"},
	CheckChildVoice:    {EN: "Updated views of the child or young person", CY: "Barn ddiweddar y plentyn neu'r person ifanc"},
	CheckParentViews:   {EN: "Parent views", CY: "Barn y rhieni"},
	CheckProvision:     {EN: "Every element of provision reviewed (delivered, effective, still needed)", CY: "Pob elfen o'r ddarpariaeth wedi'i hadolygu (wedi'i darparu, effeithiol, dal ei hangen)"},
	CheckOutcomes:      {EN: "Every intended outcome reviewed", CY: "Pob canlyniad a fwriedir wedi'i adolygu"},
	CheckEvidence:      {EN: "New evidence reviewed", CY: "Tystiolaeth newydd wedi'i hadolygu"},
	CheckCapacity:      {EN: "Whether the maintaining body can still maintain the plan", CY: "A all y corff sy'n cynnal y cynllun barhau i'w gynnal"},
	CheckDisagreements: {EN: "Agreement of every participant, and every disagreement, recorded", CY: "Cytundeb pob cyfranogwr, a phob anghytundeb, wedi'u cofnodi"},
}

// EvaluateReview returns the review checklist and the findings of a review
// record. A review that was refused or not yet held has no checklist; a
// refusal is checked for its reasons.
func EvaluateReview(in ReviewInput) ([]Check, []Finding) {
	r := in.Review
	if r == nil {
		return nil, nil
	}
	if r.Status == cynllun.ReviewRefused || r.Status == cynllun.ReviewRequested {
		if r.Status == cynllun.ReviewRefused && (r.Request == nil || blank(r.Request.RefusalReasons)) {
			return nil, []Finding{{
				Rule: FindRefusedNoReasons, Severity: SeverityError, Place: Place{Section: "review.request", Field: "refusalReasons"},
				Message: form.Text{EN: "The review was refused without reasons.", CY: "Gwrthodwyd yr adolygiad heb roi rhesymau."},
				Basis:   "ALNET Act 2018 s.23(8) (review unless considered unnecessary) [CONFIRMED]",
				Fix:     form.Text{EN: "Record why the review was considered unnecessary.", CY: "Cofnodwch pam yr ystyriwyd nad oedd angen adolygiad."},
			}}
		}
		return nil, nil
	}
	minMinutes := in.MinMinutes
	if minMinutes <= 0 {
		minMinutes = DefaultMinMinutes
	}
	e := &evaluation{in: in}
	e.checklist()
	e.flags(minMinutes)
	return e.checks, e.findings
}

type evaluation struct {
	in       ReviewInput
	checks   []Check
	findings []Finding
}

func (e *evaluation) check(code string, applies, met bool, basis string) {
	e.checks = append(e.checks, Check{Code: code, Label: checkLabels[code], Applies: applies, Met: applies && met, Basis: basis})
}

func (e *evaluation) find(f Finding) { e.findings = append(e.findings, f) }

func (e *evaluation) checklist() {
	r := e.in.Review
	e.check(CheckNeeds, true, !blank(r.NeedsDiscussion), basisS23)
	e.check(CheckChildVoice, true, hasChildVoice(r), basisS6)
	e.check(CheckParentViews, !e.in.YoungPerson, hasParentViews(r), basisS6)
	rows := reviewedRows(e.in.Reviewed)
	e.check(CheckProvision, true, len(rows) == 0 || allProvisionReviewed(r, rows), basisS23)
	e.check(CheckOutcomes, true, allOutcomesReviewed(r, e.in.Reviewed), basisS2)
	e.check(CheckEvidence, true, len(r.NewEvidence) > 0, basisS2)
	e.check(CheckCapacity, true, r.CanMaintain != nil, basisCapacity)
	e.check(CheckDisagreements, true, len(r.Participants) > 0 && allAgreementRecorded(r) && len(unrecordedDissent(r)) == 0, basisRecord)
}

func (e *evaluation) flags(minMinutes int) {
	r := e.in.Review
	switch {
	case r.DurationMinutes <= 0:
		e.find(Finding{
			Rule: FindDuration, Severity: SeverityInfo, Place: Place{Section: "review", Field: "durationMinutes"},
			Message: form.Text{EN: "How long the review meeting took is not recorded.", CY: "Nid yw hyd y cyfarfod adolygu wedi'i gofnodi."},
			Basis:   basisS2Flag,
			Fix:     form.Text{EN: "Record the length of the meeting in minutes.", CY: "Cofnodwch hyd y cyfarfod mewn munudau."},
		})
	case r.DurationMinutes < minMinutes:
		e.find(Finding{
			Rule: FlagShort, Severity: SeverityWarning, Place: Place{Section: "review", Field: "durationMinutes"},
			Message: form.Text{
				EN: fmt.Sprintf("The review meeting took %d minutes, under %d: too short to review needs, provision and outcomes properly.", r.DurationMinutes, minMinutes),
				CY: fmt.Sprintf("Parodd y cyfarfod adolygu %d munud, llai na %d: rhy fyr i adolygu'r anghenion, y ddarpariaeth a'r canlyniadau'n iawn.", r.DurationMinutes, minMinutes),
			},
			Basis: basisS2Flag,
			Fix:   form.Text{EN: "Hold a full person-centred review meeting.", CY: "Cynhaliwch gyfarfod adolygu llawn sy'n canolbwyntio ar yr unigolyn."},
		})
	}
	if !hasChildVoice(r) {
		e.find(Finding{
			Rule: FlagNoChildVoice, Severity: SeverityError, Place: Place{Section: "review.childViews"},
			Message: form.Text{EN: "No views of the child or young person were captured for this review.", CY: "Ni chofnodwyd barn y plentyn na'r person ifanc ar gyfer yr adolygiad hwn."},
			Basis:   basisS6,
			Fix: form.Text{EN: "Gather their views in a way that suits them (own words, drawing, audio, video, AAC, a trusted adult) and record them.",
				CY: "Casglwch eu barn mewn ffordd sy'n addas iddyn nhw (eu geiriau eu hunain, llun, sain, fideo, CAC, oedolyn y maen nhw'n ymddiried ynddo) a'i chofnodi."},
		})
	}
	rows := reviewedRows(e.in.Reviewed)
	if len(rows) > 0 && !anyDeliveryDiscussed(r) {
		e.find(Finding{
			Rule: FlagNoDelivery, Severity: SeverityError, Place: Place{Section: "review.provision"},
			Message: form.Text{EN: "The record shows no discussion of whether the provision in the plan was delivered.", CY: "Nid yw'r cofnod yn dangos trafodaeth ynghylch a gafodd y ddarpariaeth yn y cynllun ei darparu."},
			Basis:   basisS23,
			Fix:     form.Text{EN: "Review each 2B row: was it delivered, was it effective, is it still needed?", CY: "Adolygwch bob rhes 2B: a gafodd ei darparu, a oedd yn effeithiol, a oes ei hangen o hyd?"},
		})
	}
	e.ledgerContradictions(rows)
	if e.in.PreviousOutcomes != nil && len(e.in.PreviousOutcomes) > 0 && e.in.After != nil && sameOutcomes(e.in.PreviousOutcomes, e.in.After) {
		e.find(Finding{
			Rule: FlagOutcomesSame, Severity: SeverityWarning, Place: Place{Section: "2B", Field: "intendedOutcome"},
			Message: form.Text{EN: "The intended outcomes are the same as at the previous review: outcomes that never change suggest they are not being reviewed.",
				CY: "Mae'r canlyniadau a fwriedir yr un fath ag yn yr adolygiad blaenorol: mae canlyniadau nad ydynt byth yn newid yn awgrymu nad ydynt yn cael eu hadolygu."},
			Basis: basisS2Flag,
			Fix:   form.Text{EN: "Review each outcome: record what was achieved and set new outcomes where they are met.", CY: "Adolygwch bob canlyniad: cofnodwch beth a gyflawnwyd a gosodwch ganlyniadau newydd lle maent wedi'u cyflawni."},
		})
	}
	for _, name := range unrecordedDissent(r) {
		e.find(Finding{
			Rule: FlagDisagreement, Severity: SeverityError, Place: Place{Section: "review.disagreements"},
			Message: form.Text{EN: "A participant did not agree with the outcome, but no disagreement of theirs is recorded (" + name + ").",
				CY: "Nid oedd cyfranogwr yn cytuno â'r canlyniad, ond nid oes anghytundeb ganddynt wedi'i gofnodi (" + name + ")."},
			Basis: basisRecord,
			Fix:   form.Text{EN: "Record who disagreed, about what, and how it was left.", CY: "Cofnodwch pwy oedd yn anghytuno, am beth, a sut y gadawyd pethau."},
		})
	}
	if r.CanMaintain != nil && !*r.CanMaintain {
		e.find(Finding{
			Rule: FindCannotMaintain, Severity: SeverityWarning, Place: Place{Section: "review", Field: "canMaintain"},
			Message: form.Text{EN: "The review found that the maintaining body cannot maintain the plan or secure its provision.",
				CY: "Canfu'r adolygiad na all y corff sy'n cynnal y cynllun ei gynnal na sicrhau ei ddarpariaeth."},
			Basis: basisCapacity,
			Fix:   form.Text{EN: "Refer the plan to the local authority to consider taking it over.", CY: "Cyfeiriwch y cynllun at yr awdurdod lleol i ystyried ei gymryd drosodd."},
		})
	}
}

// ledgerContradictions flags rows the review says were delivered in full
// while the ledger shows a shortfall.
func (e *evaluation) ledgerContradictions(rows map[string]int) {
	by := map[string]ledger.RowSummary{}
	for _, s := range e.in.Ledger {
		by[s.RowID] = s
	}
	for _, pr := range e.in.Review.Provision {
		s, ok := by[pr.RowID]
		// Only a ledger in use for the row is evidence: a row with no
		// entries at all says nothing about delivery.
		if !ok || pr.Delivered != cynllun.AnswerYes || !s.PlannedKnown || s.ShortfallSessions == 0 || s.Delivered+s.Missed == 0 {
			continue
		}
		n := rows[pr.RowID]
		e.find(Finding{
			Rule: FindLedgerShortfall, Severity: SeverityWarning, Place: Place{Section: "review.provision", RowID: pr.RowID, Field: "delivered"},
			Message: form.Text{
				EN: fmt.Sprintf("2B row %d is recorded as delivered, but the delivery ledger shows %d of %d planned sessions missing (%d minutes).", n, s.ShortfallSessions, s.Planned, s.ShortfallMinutes),
				CY: fmt.Sprintf("Mae rhes 2B %d wedi'i chofnodi fel un a ddarparwyd, ond mae'r cofnod darparu'n dangos bod %d o %d sesiwn a gynlluniwyd ar goll (%d munud).", n, s.ShortfallSessions, s.Planned, s.ShortfallMinutes),
			},
			Basis: basisS23,
			Fix:   form.Text{EN: "Discuss the missed sessions and record what will be done about them.", CY: "Trafodwch y sesiynau a gollwyd a chofnodwch beth a wneir amdanynt."},
		})
	}
}

func blank(s string) bool { return strings.TrimSpace(s) == "" }

func hasChildVoice(r *cynllun.Review) bool {
	for _, v := range r.ChildViews {
		if !blank(v.Text) || len(v.Attachments) > 0 {
			return true
		}
	}
	return false
}

func hasParentViews(r *cynllun.Review) bool {
	for _, v := range r.ParentViews {
		if !blank(v.Text) || len(v.Attachments) > 0 {
			return true
		}
	}
	return false
}

// reviewedRows maps the reviewed version's row ids to their 1-based
// positions.
func reviewedRows(c *cynllun.Content) map[string]int {
	out := map[string]int{}
	if c == nil {
		return out
	}
	for i, row := range c.Provision {
		out[row.ID] = i + 1
	}
	return out
}

func answered(a cynllun.Answer) bool {
	return a == cynllun.AnswerYes || a == cynllun.AnswerPartly || a == cynllun.AnswerNo
}

func allProvisionReviewed(r *cynllun.Review, rows map[string]int) bool {
	done := map[string]bool{}
	for _, pr := range r.Provision {
		if answered(pr.Delivered) && answered(pr.Effective) && answered(pr.StillNeeded) {
			done[pr.RowID] = true
		}
	}
	for id := range rows {
		if !done[id] {
			return false
		}
	}
	return true
}

func anyDeliveryDiscussed(r *cynllun.Review) bool {
	for _, pr := range r.Provision {
		if answered(pr.Delivered) {
			return true
		}
	}
	return false
}

func allOutcomesReviewed(r *cynllun.Review, c *cynllun.Content) bool {
	if c == nil {
		return len(r.Outcomes) > 0
	}
	done := map[string]bool{}
	for _, o := range r.Outcomes {
		if o.Status != "" {
			done[o.RowID] = true
		}
	}
	for _, row := range c.Provision {
		if !blank(row.IntendedOutcome) && !done[row.ID] {
			return false
		}
	}
	return true
}

// allAgreementRecorded: every participant who took part has Agreed set.
func allAgreementRecorded(r *cynllun.Review) bool {
	for _, p := range r.Participants {
		if p.Attendance != cynllun.DidNotContribute && p.Agreed == nil {
			return false
		}
	}
	return true
}

// unrecordedDissent names the participants who did not agree and have no
// disagreement recorded under their name (names compared with case and
// accents folded).
func unrecordedDissent(r *cynllun.Review) []string {
	recorded := map[string]bool{}
	for _, d := range r.Disagreements {
		recorded[cynllun.Fold(strings.TrimSpace(d.Who))] = true
	}
	var out []string
	for _, p := range r.Participants {
		if p.Agreed != nil && !*p.Agreed && !recorded[cynllun.Fold(strings.TrimSpace(p.Name))] {
			out = append(out, p.Name)
		}
	}
	return out
}

// sameOutcomes reports whether after's intended outcomes are the previous
// ones: the same rows with the same wording (spacing and case ignored).
func sameOutcomes(prev map[string]string, after *cynllun.Content) bool {
	norm := func(s string) string { return cynllun.Fold(strings.Join(strings.Fields(s), " ")) }
	n := 0
	for _, row := range after.Provision {
		if blank(row.IntendedOutcome) {
			continue
		}
		n++
		p, ok := prev[row.ID]
		if !ok || norm(p) != norm(row.IntendedOutcome) {
			return false
		}
	}
	return n > 0
}
