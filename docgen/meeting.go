package docgen

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/form"
	"github.com/cynllun/cynllun/ledger"
)

// MeetingDoc is everything a review meeting record shows.
type MeetingDoc struct {
	Learner *cynllun.Learner
	Plan    *cynllun.Plan
	Review  *cynllun.Review
	// Reviewed is the plan version reviewed; its 2B rows name the rows of
	// the provision reviewed. It may be nil.
	Reviewed *cynllun.Version
	// Revised is the revised plan when the review's decision is
	// DecisionRevised, else nil.
	Revised *cynllun.Version
	// Ledger is planned against delivered provision per 2B row over the
	// period reviewed, LedgerFrom to LedgerTo; it may be empty.
	Ledger               []ledger.RowSummary
	LedgerFrom, LedgerTo cynllun.Date
	// Display names of the organisations involved.
	Maintainer, LocalAuthority, Setting string
	// MaintainerKind is the kind of body that maintains the plan.
	MaintainerKind cynllun.OrgKind
	// Attachments are the files the record refers to, by file id (the
	// child's drawing is placed in their views).
	Attachments map[string]Attachment
	// Rights, when set, is the rights and contacts page printed after a
	// record that holds a decision (rights.go).
	Rights *Rights
}

// Keys of the record's part and section headings, for tests and readers of
// the tree.
const (
	KeyParticipants      = "PARTICIPANTS"
	KeyChildViews        = "CHILD_VIEWS"
	KeyParentViews       = "PARENT_VIEWS"
	KeyPersonCentred     = "PERSON_CENTRED"
	KeyImportantTo       = "IMPORTANT_TO"
	KeyImportantFor      = "IMPORTANT_FOR"
	KeyWorking           = "WORKING"
	KeyNotWorking        = "NOT_WORKING"
	KeyQuestions         = "QUESTIONS"
	KeyActionPlan        = "ACTION_PLAN"
	KeyFourPlusOne       = "FOUR_PLUS_ONE"
	KeyTried             = "TRIED"
	KeyLearned           = "LEARNED"
	KeyPleased           = "PLEASED"
	KeyConcerned         = "CONCERNED"
	KeyNext              = "NEXT"
	KeyNeedsProvision    = "NEEDS_PROVISION"
	KeyNeedsDiscussion   = "NEEDS_DISCUSSION"
	KeyProvisionReviewed = "PROVISION_REVIEWED"
	KeyOutcomesReviewed  = "OUTCOMES_REVIEWED"
	KeyNewEvidence       = "NEW_EVIDENCE"
	KeyCapacity          = "CAPACITY"
	KeyDisagreements     = "DISAGREEMENTS"
	KeyDecision          = "DECISION"
	KeyWhatChanged       = "WHAT_CHANGED"
)

// rowNameMax is how many characters of a row's provision its subheading
// quotes.
const rowNameMax = 80

// RenderMeeting renders the record of a review meeting as a PDF.
func RenderMeeting(doc MeetingDoc, lang Lang) ([]byte, error) {
	return RenderMeetingWith(doc, lang, Options{})
}

// RenderMeetingWith is RenderMeeting with options (for a bundle: no page
// number).
func RenderMeetingWith(doc MeetingDoc, lang Lang, o Options) ([]byte, error) {
	t, err := BuildMeeting(doc, lang)
	if err != nil {
		return nil, err
	}
	o.apply(t)
	return Write(t)
}

// BuildMeeting lays out the record of a review meeting: the details of the
// review, who took part, the child's or young person's views in a part of
// their own, the parents' views, the six person-centred headings and the
// 4+1 questions, the review of needs, provision (with the delivery ledger)
// and outcomes, new evidence, capacity, disagreements, the decision, and
// what changed in the plan. Every heading appears, with a line saying so
// where nothing is recorded. The document is a draft until the review is
// concluded.
func BuildMeeting(doc MeetingDoc, lang Lang) (*Tree, error) {
	const op = "docgen.BuildMeeting"
	if !lang.Valid() {
		return nil, cynllun.E(cynllun.CodeInvalid, op, "unknown document language")
	}
	if doc.Learner == nil || doc.Plan == nil || doc.Review == nil {
		return nil, cynllun.E(cynllun.CodeInvalid, op, "a review record needs a learner, a plan and a review")
	}
	r := doc.Review
	b := &meetingBuilder{planBuilder: planBuilder{lang: lang, attachments: doc.Attachments}, doc: doc, r: r}
	t := &Tree{
		Lang:        lang,
		Title:       b.t(txtMeetingTitle),
		FooterLeft:  doc.Learner.FullName(),
		FooterRight: b.t(sprintf(fmtMeetingFooter, r.Revision)),
		PageNumber:  b.t(txtPage),
		Created:     r.CreatedAt,
	}
	if r.Status != cynllun.ReviewConcluded {
		t.Draft = b.t(txtDraft)
	}
	b.add(KindTitle, "", t.Title)
	b.details()
	b.participants()
	b.childViews()
	b.parentViews()
	b.personCentred()
	b.fourPlusOne()
	b.needsAndProvision()
	b.decision()
	b.whatChanged()
	if doc.Rights != nil && r.Decision != nil {
		maker := doc.Rights.MaintainerKind
		if r.Type == cynllun.ReviewLAReconsideration {
			maker = cynllun.OrgLocalAuthority // the authority decided (s.27)
		}
		b.rights(doc.Rights, maker)
	}
	distinctWidths(b.blocks)
	t.Blocks = b.blocks
	return t, nil
}

// meetingBuilder lays out a review record. It borrows planBuilder's
// helpers (t, add, empty, text, paragraph, attachmentBlocks); its own field,
// optField and section take fixed wording rather than a form section.
type meetingBuilder struct {
	planBuilder
	doc MeetingDoc
	r   *cynllun.Review
}

func (b *meetingBuilder) part(key string, title form.Text) {
	b.blocks = append(b.blocks, Block{Kind: KindPart, Key: key, Text: b.t(title)})
}

func (b *meetingBuilder) section(key string, title form.Text) {
	b.blocks = append(b.blocks, Block{Kind: KindSection, Key: key, Text: b.t(title)})
}

func (b *meetingBuilder) field(label form.Text, value string) {
	b.add(KindField, b.t(label), value)
}

func (b *meetingBuilder) optField(label form.Text, value string) {
	if !blank(value) {
		b.field(label, value)
	}
}

// name is what the record calls the learner in its headings.
func (b *meetingBuilder) name() string {
	if l := b.doc.Learner; !blank(l.PreferredName) {
		return l.PreferredName
	}
	return b.doc.Learner.GivenName
}

// attached places the files of a view: images shown with caption what,
// other files named.
func (b *meetingBuilder) attached(what form.Text, ids []string) {
	b.attachmentBlocks(b.t(txtAttachments), what, ids)
}

func (b *meetingBuilder) details() {
	d, l, r := b.doc, b.doc.Learner, b.r
	b.field(txtName, l.FullName())
	b.optField(txtKnownAs, l.PreferredName)
	b.field(txtDateOfBirth, b.t(dateText(l.DateOfBirth)))
	b.optField(txtLA, d.LocalAuthority)
	b.optField(txtMaintainer, d.Maintainer)
	b.optField(txtSetting, d.Setting)
	b.field(txtReviewType, b.t(enumText(reviewTypes, r.Type)))
	if q := r.Request; q != nil {
		by := b.t(enumText(requesterRoles, q.By))
		if !blank(q.ByName) {
			by += ": " + q.ByName
		}
		b.field(txtRequestedBy, by)
		b.field(txtRequestedOn, b.t(dateText(q.RequestedOn)))
		b.field(txtRequestReason, b.text(q.Reason))
		b.optField(txtRefusalReasons, q.RefusalReasons)
	}
	b.field(txtHeldOn, b.t(dateText(r.HeldOn)))
	duration := b.t(txtNotRecorded)
	if r.DurationMinutes > 0 {
		duration = b.t(sprintf(fmtMinutes, r.DurationMinutes))
	}
	b.field(txtDuration, duration)
	version := r.PlanVersion
	if d.Reviewed != nil && d.Reviewed.Number > 0 {
		version = d.Reviewed.Number
	}
	if version > 0 {
		b.field(txtVersionReviewed, strconv.Itoa(version))
	} else {
		b.field(txtVersionReviewed, b.t(txtNotRecorded))
	}
	b.field(txtRecordRevision, fmt.Sprintf("%d (%s)", r.Revision, b.t(enumText(reviewStatuses, r.Status))))
}

// participants puts each participant on a line: "Parent or carer; Ysgol
// …; attended in person; agreed with the outcome: Yes".
func (b *meetingBuilder) participants() {
	b.part(KeyParticipants, txtParticipants)
	if len(b.r.Participants) == 0 {
		b.empty()
	}
	for _, p := range b.r.Participants {
		parts := []string{b.t(enumText(participantRoles, p.Role))}
		if !blank(p.Organisation) {
			parts = append(parts, p.Organisation)
		}
		parts = append(parts, b.t(enumText(attendances, p.Attendance)),
			b.t(txtAgreed)+": "+b.t(optYesNo(p.Agreed)))
		b.add(KindField, b.text(p.Name), strings.Join(parts, "; "))
	}
}

// childViews is the part of the record that is the child's or young
// person's own: each view with how it was gathered, its words as a quote,
// and its files. A record without their views says so, in red.
func (b *meetingBuilder) childViews() {
	b.part(KeyChildViews, txtChildViews)
	if len(b.r.ChildViews) == 0 {
		b.add(KindWarning, "", b.t(txtNoChildViews))
		return
	}
	for i, v := range b.r.ChildViews {
		b.add(KindSubheading, "", b.t(sprintf(fmtView, i+1))+": "+b.t(enumText(viewFormats, v.Format)))
		b.optField(txtGatheredBy, v.GatheredBy)
		if !blank(v.Text) {
			b.add(KindQuote, b.t(txtAsRecorded), "“"+strings.TrimSpace(v.Text)+"”")
		} else if len(v.Attachments) == 0 {
			b.empty()
		}
		b.attached(sprintf(fmtViewImage, b.name(), i+1), v.Attachments)
	}
}

func (b *meetingBuilder) parentViews() {
	b.part(KeyParentViews, txtParentViews)
	if len(b.r.ParentViews) == 0 {
		b.empty()
	}
	for i, v := range b.r.ParentViews {
		name := v.Name
		if blank(name) {
			name = b.t(sprintf(fmtParent, i+1))
		}
		b.add(KindSubheading, "", name)
		b.paragraph(v.Text)
		if blank(v.Text) && len(v.Attachments) == 0 {
			b.empty()
		}
		b.attached(form.Text{EN: name, CY: name}, v.Attachments)
	}
}

// points adds a list of points, one paragraph each, or the empty line.
func (b *meetingBuilder) points(ps []string) {
	n := len(b.blocks)
	for _, p := range ps {
		b.paragraph(p)
	}
	if len(b.blocks) == n {
		b.empty()
	}
}

func (b *meetingBuilder) personCentred() {
	pc := b.r.PersonCentred
	b.part(KeyPersonCentred, txtPersonCentred)
	b.section(KeyImportantTo, sprintf(fmtImportantTo, b.name()))
	b.points(pc.ImportantTo)
	b.section(KeyImportantFor, sprintf(fmtImportantFor, b.name()))
	b.points(pc.ImportantFor)
	b.section(KeyWorking, txtWorking)
	b.points(pc.Working)
	b.section(KeyNotWorking, txtNotWorking)
	b.points(pc.NotWorking)
	b.section(KeyQuestions, txtQuestions)
	b.points(pc.Questions)
	b.section(KeyActionPlan, txtActionPlan)
	if len(pc.ActionPlan) == 0 {
		b.empty()
	}
	for i, a := range pc.ActionPlan {
		b.add(KindParagraph, "", fmt.Sprintf("%d. %s", i+1, b.text(a.Action)))
		b.field(txtOwner, b.text(a.Owner))
		b.field(txtDue, b.t(dateText(a.Due)))
	}
}

func (b *meetingBuilder) fourPlusOne() {
	q := b.r.FourPlusOne
	b.part(KeyFourPlusOne, txtFourPlusOne)
	for _, s := range []struct {
		key   string
		title form.Text
		text  string
	}{
		{KeyTried, txtTried, q.Tried},
		{KeyLearned, txtLearned, q.Learned},
		{KeyPleased, txtPleased, q.Pleased},
		{KeyConcerned, txtConcerned, q.Concerned},
		{KeyNext, txtNext, q.Next},
	} {
		b.section(s.key, s.title)
		b.points([]string{s.text})
	}
}

// rows returns the 2B rows of the version reviewed, or nil.
func (b *meetingBuilder) rows() []cynllun.ProvisionRow {
	if v := b.doc.Reviewed; v != nil && v.Content != nil {
		return v.Content.Provision
	}
	return nil
}

// row finds a 2B row of the version reviewed by id: its 1-based position,
// or 0.
func (b *meetingBuilder) row(id string) (int, *cynllun.ProvisionRow) {
	rows := b.rows()
	for i := range rows {
		if rows[i].ID == id {
			return i + 1, &rows[i]
		}
	}
	return 0, nil
}

// rowName is "Row 2: <the start of its provision>", or says the row is
// not in the version reviewed. outcome names it by its intended outcome.
func (b *meetingBuilder) rowName(id string, outcome bool) string {
	name, more := b.rowTitle(id, outcome)
	if more != "" {
		return b.t(name) + ": " + more
	}
	return b.t(name)
}

// rowTitle is a row's name ("Row 2") and the start of its provision (or
// its intended outcome), or what says the row is not in the version
// reviewed and "".
func (b *meetingBuilder) rowTitle(id string, outcome bool) (name form.Text, more string) {
	n, r := b.row(id)
	if r == nil {
		if b.doc.Reviewed == nil || b.doc.Reviewed.Content == nil {
			return txtRowNoVersion, ""
		}
		return txtRowRemoved, ""
	}
	text := r.Provision
	if outcome {
		text = r.IntendedOutcome
	}
	return sprintf(fmtRow, n), shorten(text, rowNameMax)
}

// rowSubheading heads the review of a row (rowHeading): a unit on the
// page, named by rowName.
func (b *meetingBuilder) rowSubheading(id string, outcome bool) {
	b.rowHeading(b.rowTitle(id, outcome))
}

// shorten puts s on one line and cuts it to max characters, marking a cut
// with an ellipsis.
func shorten(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= max {
		return s
	}
	return strings.TrimSpace(string(r[:max])) + "…"
}

func (b *meetingBuilder) needsAndProvision() {
	r := b.r
	b.part(KeyNeedsProvision, txtNeedsProvision)
	b.section(KeyNeedsDiscussion, txtNeedsDiscussion)
	b.points([]string{r.NeedsDiscussion})
	b.provisionReviewed()
	b.outcomesReviewed()
	b.evidence()

	b.section(KeyCapacity, txtCapacity)
	b.paragraph(r.CapacityDiscussion)
	b.field(txtCanMaintain, b.t(optYesNo(r.CanMaintain)))

	b.section(KeyDisagreements, txtDisagreements)
	if len(r.Disagreements) == 0 {
		b.add(KindEmpty, "", b.t(txtNoDisagreements))
	}
	for i, d := range r.Disagreements {
		b.rowHeading(sprintf(fmtDisagreement, i+1), "")
		who := b.text(d.Who)
		if d.Role != "" {
			who += " (" + b.t(enumText(participantRoles, d.Role)) + ")"
		}
		b.field(txtWho, who)
		b.field(txtAbout, b.text(d.About))
		if d.RowID != "" {
			b.field(txtRow, b.rowName(d.RowID, false))
		}
		b.field(txtDetails, b.text(d.Details))
		b.field(txtResolution, b.text(d.Resolution))
	}
}

// provisionReviewed goes through the 2B rows of the version reviewed in
// order, each with its review and its delivery ledger, then any reviewed
// rows the version does not have.
func (b *meetingBuilder) provisionReviewed() {
	b.section(KeyProvisionReviewed, txtProvisionReviewed)
	if len(b.doc.Ledger) > 0 {
		b.field(txtLedgerPeriod, b.t(periodText(b.doc.LedgerFrom, b.doc.LedgerTo)))
	}
	reviews := map[string]*cynllun.ProvisionReview{}
	for i := range b.r.Provision {
		if p := &b.r.Provision[i]; reviews[p.RowID] == nil {
			reviews[p.RowID] = p
		}
	}
	n := len(b.blocks)
	for _, row := range b.rows() {
		b.rowSubheading(row.ID, false)
		if p := reviews[row.ID]; p != nil {
			b.provisionReview(p)
		} else {
			b.add(KindEmpty, "", b.t(txtNotReviewed))
		}
		b.delivery(row.ID)
	}
	for i := range b.r.Provision {
		p := &b.r.Provision[i]
		if n, _ := b.row(p.RowID); n == 0 {
			b.rowSubheading(p.RowID, false)
			b.provisionReview(p)
			b.delivery(p.RowID)
		}
	}
	if len(b.blocks) == n {
		b.empty()
	}
}

func (b *meetingBuilder) provisionReview(p *cynllun.ProvisionReview) {
	b.field(txtDelivered, b.t(enumText(answers, p.Delivered)))
	b.field(txtEffective, b.t(enumText(answers, p.Effective)))
	b.field(txtStillNeeded, b.t(enumText(answers, p.StillNeeded)))
	b.field(txtChange, b.t(enumText(provisionChanges, p.Change)))
	b.optField(txtNotes, p.Notes)
}

// delivery adds the ledger of a row, when the record has a ledger.
func (b *meetingBuilder) delivery(rowID string) {
	if len(b.doc.Ledger) == 0 {
		return
	}
	for i := range b.doc.Ledger {
		if s := &b.doc.Ledger[i]; s.RowID == rowID {
			lines := ledgerText(s, b.doc.LedgerFrom, b.doc.LedgerTo)
			text := make([]string, len(lines))
			for i, l := range lines {
				text[i] = b.t(l)
			}
			b.field(txtDeliveryRecorded, strings.Join(text, "\n"))
			return
		}
	}
	b.field(txtDeliveryRecorded, b.t(txtNotInLedger))
}

// ledgerText reads a row's ledger in two lines: "Planned 28 sessions (840
// minutes), delivered 25 (750 minutes), missed 3; shortfall 3 sessions, 90
// minutes", then the window it covers (the row's, else the record's) and
// what to bear in mind reading it. A bilingual record prints each line in
// both languages.
func ledgerText(s *ledger.RowSummary, from, to cynllun.Date) []form.Text {
	done := form.Text{
		EN: fmt.Sprintf("delivered %d (%s), missed %d", s.Delivered, minutesText(s.DeliveredMinutes).EN, s.Missed),
		CY: fmt.Sprintf("darparwyd %d (%s), collwyd %d", s.Delivered, minutesText(s.DeliveredMinutes).CY, s.Missed),
	}
	var first form.Text
	switch {
	case s.PlannedKnown:
		short := txtNoShortfall
		if s.ShortfallSessions > 0 || s.ShortfallMinutes > 0 {
			short = form.Text{
				EN: fmt.Sprintf("shortfall %s, %s", sessionsText(s.ShortfallSessions).EN, minutesText(s.ShortfallMinutes).EN),
				CY: fmt.Sprintf("diffyg o %s, %s", sessionsText(s.ShortfallSessions).CY, minutesText(s.ShortfallMinutes).CY),
			}
		}
		first = form.Text{
			EN: fmt.Sprintf("Planned %s (%s), %s; %s", sessionsText(s.Planned).EN, minutesText(s.PlannedMinutes).EN, done.EN, short.EN),
			CY: fmt.Sprintf("Cynlluniwyd %s (%s), %s; %s", sessionsText(s.Planned).CY, minutesText(s.PlannedMinutes).CY, done.CY, short.CY),
		}
	case s.Quantity != nil && slices.Contains(s.Warnings, ledger.WarnTermNeedsCal):
		first = form.Text{EN: txtTermNoCalendar.EN + "; " + done.EN, CY: txtTermNoCalendar.CY + "; " + done.CY}
	default:
		first = form.Text{EN: txtNoAmount.EN + "; " + done.EN, CY: txtNoAmount.CY + "; " + done.CY}
	}
	if !s.From.IsZero() {
		from, to = s.From, s.To
	}
	p := periodText(from, to)
	second := form.Text{EN: fmt.Sprintf(fmtFrom.EN, p.EN), CY: fmt.Sprintf(fmtFrom.CY, p.CY)}
	var notes []form.Text
	if s.Basis == ledger.BasisWeekdays || slices.Contains(s.Warnings, ledger.WarnNoCalendar) {
		notes = append(notes, warnHolidays)
	}
	for _, w := range s.Warnings {
		if t, ok := ledgerWarnings[w]; ok {
			notes = append(notes, t)
		}
	}
	for _, n := range notes {
		second.EN += "; " + n.EN
		second.CY += "; " + n.CY
	}
	return []form.Text{first, second}
}

func (b *meetingBuilder) outcomesReviewed() {
	b.section(KeyOutcomesReviewed, txtOutcomesReviewed)
	if len(b.r.Outcomes) == 0 {
		b.empty()
	}
	for _, o := range b.r.Outcomes {
		b.rowSubheading(o.RowID, true)
		b.field(txtOutcomeStatus, b.t(enumText(outcomeStatuses, o.Status)))
		b.optField(txtNotes, o.Notes)
		if o.Revised {
			b.field(txtOutcomeRewritten, b.t(txtYes))
		}
	}
}

func (b *meetingBuilder) evidence() {
	b.section(KeyNewEvidence, txtNewEvidence)
	if len(b.r.NewEvidence) == 0 {
		b.empty()
	}
	for i, e := range b.r.NewEvidence {
		title := e.Title
		if blank(title) {
			title = b.t(sprintf(fmtEvidence, i+1))
		}
		b.add(KindSubheading, "", title)
		b.optField(txtSource, e.Source)
		if !e.Date.IsZero() {
			b.field(txtDate, b.t(dateText(e.Date)))
		}
		b.optField(txtSummary, e.Summary)
		if e.Attachment != "" {
			b.attachmentBlocks(b.t(txtAttachedFile), form.Text{EN: title, CY: title}, []string{e.Attachment})
		}
	}
}

func (b *meetingBuilder) decision() {
	b.part(KeyDecision, txtDecision)
	d := b.r.Decision
	if d == nil {
		b.emptyAs(txtNoDecision)
		return
	}
	switch d.Kind {
	case cynllun.DecisionRevised:
		b.field(txtOutcomeOfReview, b.t(sprintf(fmtRevisedPlan, b.revisedNumber())))
	case cynllun.DecisionNoRevision:
		b.field(txtOutcomeOfReview, b.t(txtNoRevision))
	default:
		b.field(txtOutcomeOfReview, string(d.Kind))
	}
	b.field(txtDecidedOn, b.t(dateText(d.DecidedOn)))
	b.field(txtReasons, b.text(d.Reasons))
}

// fileNames puts the names of the files s names by id (a change to the
// one-page profile's media, an appendix's file) in place of their ids; a
// file the record does not know is "an attached file".
func (b *meetingBuilder) fileNames(s string, lang Lang) string {
	if !strings.Contains(s, cynllun.PrefixFile) {
		return s
	}
	return fileID.ReplaceAllStringFunc(s, func(id string) string {
		if a, ok := b.attachments[id]; ok && !blank(a.Name) {
			return a.Name
		}
		return lang.Pick(txtAttachedFile1)
	})
}

// fileID matches a file id (cynllun.PrefixFile and its hex or letters).
var fileID = regexp.MustCompile(regexp.QuoteMeta(cynllun.PrefixFile) + `[0-9A-Za-z]+`)

// emptyAs adds the line saying nothing is recorded, in words of its own.
func (b *meetingBuilder) emptyAs(t form.Text) { b.add(KindEmpty, "", b.t(t)) }

// revisedNumber is the number of the revised plan version.
func (b *meetingBuilder) revisedNumber() int {
	if d := b.r.Decision; d != nil && d.Version > 0 {
		return d.Version
	}
	if b.doc.Revised != nil {
		return b.doc.Revised.Number
	}
	return 0
}

// whatChanged lists, in plain words, what the revised plan changed: each
// change form.Diff finds between the version reviewed and the revised one,
// a line each; Welsh then English in a bilingual record.
func (b *meetingBuilder) whatChanged() {
	b.part(KeyWhatChanged, txtWhatChanged)
	d := b.r.Decision
	switch {
	case d == nil:
		b.emptyAs(txtNoDecision)
		return
	case d.Kind == cynllun.DecisionNoRevision:
		b.add(KindParagraph, "", b.t(txtNotRevised))
		b.field(txtReasons, b.text(d.Reasons))
		return
	}
	from, to := b.doc.Reviewed, b.doc.Revised
	if from == nil || from.Content == nil || to == nil || to.Content == nil {
		b.emptyAs(txtNoComparison)
		return
	}
	b.add(KindParagraph, "", b.t(sprintf(fmtCompared, b.revisedNumber(), from.Number)))
	def, ok := form.Lookup(to.FormVersion)
	if !ok {
		def = form.Current()
	}
	diff := func(lang cynllun.Language) []form.Change { return form.Diff(def, from.Content, to.Content, lang) }
	list := func(changes []form.Change, lang Lang) {
		for _, c := range changes {
			c.Summary, c.From, c.To = b.fileNames(c.Summary, lang), b.fileNames(c.From, lang), b.fileNames(c.To, lang)
			b.add(KindParagraph, "", c.Summary)
			// A summary quotes a long value cut short; the whole wording
			// follows it.
			for _, v := range []struct {
				label form.Text
				value string
			}{{txtWhatBefore, c.From}, {txtWhatAfter, c.To}} {
				if !blank(v.value) && !strings.Contains(c.Summary, strings.Join(strings.Fields(v.value), " ")) {
					b.add(KindField, lang.Pick(v.label), v.value)
				}
			}
		}
	}
	var cy, en []form.Change
	if b.lang != LangEN {
		cy = diff(cynllun.LanguageCY)
	}
	if b.lang != LangCY {
		en = diff(cynllun.LanguageEN)
	}
	switch {
	case len(cy)+len(en) == 0:
		b.emptyAs(txtNoDifferences)
	case b.lang == LangBilingual:
		b.add(KindSubheading, "", b.t(txtListCY))
		list(cy, LangCY)
		b.add(KindSubheading, "", b.t(txtListEN))
		list(en, LangEN)
	default:
		list(cy, LangCY)
		list(en, LangEN)
	}
}
