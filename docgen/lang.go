package docgen

import (
	"fmt"
	"strings"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/form"
	"github.com/cynllun/cynllun/ledger"
	"github.com/cynllun/cynllun/quality"
	"github.com/cynllun/cynllun/routes"
)

// Lang is the language of a rendered document.
type Lang string

const (
	LangEN Lang = "EN"
	LangCY Lang = "CY"
	// LangBilingual prints every heading, label and generated value Welsh
	// first, then English, on one line: "Cymraeg / English". Free text is
	// printed once, as stored.
	LangBilingual Lang = "BILINGUAL"
)

// Valid reports whether l is a known language.
func (l Lang) Valid() bool { return l == LangEN || l == LangCY || l == LangBilingual }

// Pick returns t in l. Welsh falls back to English when it is empty, and a
// bilingual text with the same wording in both languages is printed once.
func (l Lang) Pick(t form.Text) string {
	switch l {
	case LangCY:
		return t.In(cynllun.LanguageCY)
	case LangBilingual:
		if t.CY == "" || t.CY == t.EN {
			return t.EN
		}
		return t.CY + " / " + t.EN
	}
	return t.EN
}

// Fixed wording of the document; headings and field labels come from the
// form definition. The Welsh needs checking by a Welsh speaker, as the
// definition's does.
var (
	txtEmpty        = form.Text{EN: "No information recorded.", CY: "Dim gwybodaeth wedi'i chofnodi."}
	txtNotRecorded  = form.Text{EN: "Not recorded", CY: "Heb ei gofnodi"}
	txtYes          = form.Text{EN: "Yes", CY: "Ie"}
	txtNo           = form.Text{EN: "No", CY: "Na"}
	txtDraft        = form.Text{EN: "DRAFT", CY: "DRAFFT"}
	txtFinal        = form.Text{EN: "Final", CY: "Terfynol"}
	txtName         = form.Text{EN: "Name", CY: "Enw"}
	txtKnownAs      = form.Text{EN: "Known as", CY: "Enw arferol"}
	txtDateOfBirth  = form.Text{EN: "Date of birth", CY: "Dyddiad geni"}
	txtLA           = form.Text{EN: "Local authority", CY: "Awdurdod lleol"}
	txtMaintainer   = form.Text{EN: "Maintained by", CY: "Yn cael ei gynnal gan"}
	txtSetting      = form.Text{EN: "Setting", CY: "Lleoliad addysg"}
	txtVersionLabel = form.Text{EN: "Plan version", CY: "Fersiwn y cynllun"}
	txtVersionDate  = form.Text{EN: "Version date", CY: "Dyddiad y fersiwn"}
	txtOwnWords     = form.Text{EN: "In my own words", CY: "Yn fy ngeiriau fy hun"}
	txtReviewDate   = form.Text{EN: "Review date", CY: "Dyddiad adolygu"}
	txtEndDate      = form.Text{EN: "End date", CY: "Dyddiad gorffen"}
	txtNHS          = form.Text{EN: "NHS-secured", CY: "I'w sicrhau gan y GIG"}
	// Formats, with one %d.
	fmtVersion  = form.Text{EN: "Plan version %d", CY: "Fersiwn %d o'r cynllun"}
	fmtNeed     = form.Text{EN: "Need %d", CY: "Angen %d"}
	fmtRow      = form.Text{EN: "Row %d", CY: "Rhes %d"}
	fmtAppendix = form.Text{EN: "Appendix %d", CY: "Atodiad %d"}
	// The page number pattern is maroto's.
	txtPage = form.Text{EN: "Page {current} of {total}", CY: "Tudalen {current} o {total}"}
)

// sprintf formats t in both languages.
func sprintf(t form.Text, args ...any) form.Text {
	return form.Text{EN: fmt.Sprintf(t.EN, args...), CY: fmt.Sprintf(t.CY, args...)}
}

// dateText is "7 January 2027" / "7 Ionawr 2027" (form.DateText), or "Not
// recorded".
func dateText(d cynllun.Date) form.Text {
	t := form.DateText(d)
	if t.EN == "" {
		return txtNotRecorded
	}
	return t
}

func yesNo(v bool) form.Text {
	if v {
		return txtYes
	}
	return txtNo
}

func optYesNo(v *bool) form.Text {
	if v == nil {
		return txtNotRecorded
	}
	return yesNo(*v)
}

var periods = map[cynllun.Period]form.Text{
	cynllun.PerDay:       {EN: "per day", CY: "y dydd"},
	cynllun.PerWeek:      {EN: "per week", CY: "yr wythnos"},
	cynllun.PerFortnight: {EN: "per fortnight", CY: "bob pythefnos"},
	cynllun.PerMonth:     {EN: "per month", CY: "y mis"},
	cynllun.PerTerm:      {EN: "per term", CY: "y tymor"},
}

// quantityText reads a structured quantity: "30 minutes, 2 sessions per
// week, 1:1" / "30 munud, 2 sesiwn yr wythnos, 1:1". Parts that are zero are
// left out. Welsh counts with a singular noun.
func quantityText(q *cynllun.Quantity) form.Text {
	var en, cy []string
	if q.MinutesPerSession > 0 {
		en = append(en, plural(q.MinutesPerSession, "minute", "minutes"))
		cy = append(cy, fmt.Sprintf("%d munud", q.MinutesPerSession))
	}
	if q.Sessions > 0 {
		s := form.Text{EN: plural(q.Sessions, "session", "sessions"), CY: fmt.Sprintf("%d sesiwn", q.Sessions)}
		if p, ok := periods[q.Per]; ok {
			s = form.Text{EN: s.EN + " " + p.EN, CY: s.CY + " " + p.CY}
		}
		en, cy = append(en, s.EN), append(cy, s.CY)
	}
	switch {
	case q.GroupSize == 1:
		en, cy = append(en, "1:1"), append(cy, "1:1")
	case q.GroupSize > 1:
		en = append(en, fmt.Sprintf("in a group of %d", q.GroupSize))
		cy = append(cy, fmt.Sprintf("mewn grŵp o %d", q.GroupSize))
	}
	if len(en) == 0 {
		return txtNotRecorded
	}
	return form.Text{EN: strings.Join(en, ", "), CY: strings.Join(cy, ", ")}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// Fixed wording of the review meeting record (BuildMeeting). As above, the
// Welsh needs checking by a Welsh speaker; a view (barn) is feminine, a row
// (rhes) feminine, an outcome (canlyniad) and a review (adolygiad)
// masculine, which the mutations after "wedi'i" follow.
var (
	txtMeetingTitle  = form.Text{EN: "Record of IDP review meeting", CY: "Cofnod cyfarfod adolygu'r CDU"}
	fmtMeetingFooter = form.Text{EN: "Review record, revision %d", CY: "Cofnod adolygu, diwygiad %d"}

	// The details at the top.
	txtReviewType      = form.Text{EN: "Review type", CY: "Math o adolygiad"}
	txtRequestedBy     = form.Text{EN: "Requested by", CY: "Gofynnwyd amdano gan"}
	txtRequestedOn     = form.Text{EN: "Date of request", CY: "Dyddiad y cais"}
	txtRequestReason   = form.Text{EN: "Reason for the request", CY: "Rheswm dros y cais"}
	txtRefusalReasons  = form.Text{EN: "Reasons a review was considered unnecessary", CY: "Rhesymau dros ystyried nad oedd angen adolygiad"}
	txtHeldOn          = form.Text{EN: "Date held", CY: "Dyddiad y cyfarfod"}
	txtDuration        = form.Text{EN: "Duration", CY: "Hyd"}
	txtVersionReviewed = form.Text{EN: "Plan version reviewed", CY: "Fersiwn y cynllun a adolygwyd"}
	txtRecordRevision  = form.Text{EN: "Record revision", CY: "Diwygiad y cofnod"}

	// Part and section headings.
	txtParticipants      = form.Text{EN: "Participants", CY: "Cyfranogwyr"}
	txtChildViews        = form.Text{EN: "The child's or young person's views", CY: "Barn y plentyn neu'r person ifanc"}
	txtParentViews       = form.Text{EN: "Parents' and carers' views", CY: "Barn rhieni a gofalwyr"}
	txtPersonCentred     = form.Text{EN: "Person-centred review", CY: "Adolygiad sy'n canolbwyntio ar yr unigolyn"}
	fmtImportantTo       = form.Text{EN: "What is important to %s", CY: "Beth sy'n bwysig i %s"}
	fmtImportantFor      = form.Text{EN: "What is important for %s", CY: "Beth sy'n bwysig ar gyfer %s"}
	txtWorking           = form.Text{EN: "What is working", CY: "Beth sy'n gweithio"}
	txtNotWorking        = form.Text{EN: "What is not working", CY: "Beth sydd ddim yn gweithio"}
	txtQuestions         = form.Text{EN: "Questions", CY: "Cwestiynau"}
	txtActionPlan        = form.Text{EN: "Action plan", CY: "Cynllun gweithredu"}
	txtFourPlusOne       = form.Text{EN: "The 4+1 questions", CY: "Y cwestiynau 4+1"}
	txtTried             = form.Text{EN: "What have we tried?", CY: "Beth ydyn ni wedi rhoi cynnig arno?"}
	txtLearned           = form.Text{EN: "What have we learned?", CY: "Beth ydyn ni wedi'i ddysgu?"}
	txtPleased           = form.Text{EN: "What are we pleased about?", CY: "Beth sy'n ein plesio?"}
	txtConcerned         = form.Text{EN: "What are we concerned about?", CY: "Beth sy'n ein poeni?"}
	txtNext              = form.Text{EN: "Given what we know, what should we do next?", CY: "O ystyried yr hyn a wyddom, beth ddylen ni ei wneud nesaf?"}
	txtNeedsProvision    = form.Text{EN: "Needs, provision and outcomes", CY: "Anghenion, darpariaeth a chanlyniadau"}
	txtNeedsDiscussion   = form.Text{EN: "Discussion of needs", CY: "Trafod yr anghenion"}
	txtProvisionReviewed = form.Text{EN: "Provision reviewed", CY: "Y ddarpariaeth a adolygwyd"}
	txtOutcomesReviewed  = form.Text{EN: "Outcomes reviewed", CY: "Y canlyniadau a adolygwyd"}
	txtNewEvidence       = form.Text{EN: "New evidence", CY: "Tystiolaeth newydd"}
	txtCapacity          = form.Text{EN: "Capacity to maintain the plan", CY: "Y gallu i gynnal y cynllun"}
	txtDisagreements     = form.Text{EN: "Disagreements", CY: "Anghytundebau"}
	txtDecision          = form.Text{EN: "Decision", CY: "Penderfyniad"}
	txtWhatChanged       = form.Text{EN: "What changed in the plan", CY: "Beth newidiodd yn y cynllun"}

	// Participants: "Parent; attended in person; agreed with the outcome: Yes".
	txtAgreed = form.Text{EN: "agreed with the outcome", CY: "cytunodd â'r canlyniad"}

	// The child's and parents' views.
	txtNoChildViews = form.Text{EN: "No views of the child or young person were recorded.", CY: "Ni chofnodwyd barn y plentyn na'r person ifanc."}
	fmtView         = form.Text{EN: "View %d", CY: "Barn %d"}
	txtGatheredBy   = form.Text{EN: "Gathered by", CY: "Casglwyd gan"}
	txtAsRecorded   = form.Text{EN: "As recorded", CY: "Fel y'i cofnodwyd"}
	txtAttachments  = form.Text{EN: "Attachments", CY: "Atodiadau"}
	fmtParent       = form.Text{EN: "Parent or carer %d", CY: "Rhiant neu ofalwr %d"}

	// The action plan.
	txtOwner = form.Text{EN: "Owner", CY: "Yn gyfrifol"}
	txtDue   = form.Text{EN: "Due by", CY: "Erbyn"}

	// Provision and outcomes reviewed. Rows are "Row 2: <provision>".
	txtRowRemoved       = form.Text{EN: "Row (removed)", CY: "Rhes (wedi'i dileu)"}
	txtRowNoVersion     = form.Text{EN: "Row (plan version reviewed not available)", CY: "Rhes (nid yw fersiwn y cynllun a adolygwyd ar gael)"}
	txtNotReviewed      = form.Text{EN: "This row was not reviewed.", CY: "Ni adolygwyd y rhes hon."}
	txtDelivered        = form.Text{EN: "Delivered as planned", CY: "Wedi'i darparu fel y cynlluniwyd"}
	txtEffective        = form.Text{EN: "Effective", CY: "Effeithiol"}
	txtStillNeeded      = form.Text{EN: "Still needed", CY: "Angen o hyd"}
	txtChange           = form.Text{EN: "Change", CY: "Newid"}
	txtNotes            = form.Text{EN: "Notes", CY: "Nodiadau"}
	txtDeliveryRecorded = form.Text{EN: "Delivery recorded", CY: "Darpariaeth a gofnodwyd"}
	txtLedgerPeriod     = form.Text{EN: "Period of the delivery record", CY: "Cyfnod y cofnod darparu"}
	txtNotInLedger      = form.Text{EN: "Not in the delivery record", CY: "Nid yw yn y cofnod darparu"}
	txtOutcomeStatus    = form.Text{EN: "Status", CY: "Statws"}
	txtOutcomeRewritten = form.Text{EN: "Outcome rewritten for the next period", CY: "Canlyniad wedi'i ailysgrifennu ar gyfer y cyfnod nesaf"}

	// New evidence, capacity and disagreements.
	fmtEvidence        = form.Text{EN: "Evidence %d", CY: "Tystiolaeth %d"}
	txtSource          = form.Text{EN: "Source", CY: "Ffynhonnell"}
	txtDate            = form.Text{EN: "Date", CY: "Dyddiad"}
	txtSummary         = form.Text{EN: "Summary", CY: "Crynodeb"}
	txtAttachedFile    = form.Text{EN: "Attached file", CY: "Ffeil wedi'i hatodi"}
	txtCanMaintain     = form.Text{EN: "Able to maintain the plan and secure its provision", CY: "Yn gallu cynnal y cynllun a sicrhau ei ddarpariaeth"}
	fmtDisagreement    = form.Text{EN: "Disagreement %d", CY: "Anghytundeb %d"}
	txtWho             = form.Text{EN: "Who", CY: "Pwy"}
	txtAbout           = form.Text{EN: "About", CY: "Ynghylch"}
	txtRow             = form.Text{EN: "Row", CY: "Rhes"}
	txtDetails         = form.Text{EN: "Details", CY: "Manylion"}
	txtResolution      = form.Text{EN: "Resolution", CY: "Datrysiad"}
	txtNoDisagreements = form.Text{EN: "No disagreements were recorded.", CY: "Ni chofnodwyd unrhyw anghytundebau."}

	// The decision and what changed.
	txtOutcomeOfReview = form.Text{EN: "Outcome of the review", CY: "Canlyniad yr adolygiad"}
	fmtRevisedPlan     = form.Text{EN: "Revised plan (version %d)", CY: "Cynllun diwygiedig (fersiwn %d)"}
	txtNoRevision      = form.Text{EN: "Notice of a decision not to revise the plan", CY: "Hysbysiad o benderfyniad i beidio â diwygio'r cynllun"}
	txtDecidedOn       = form.Text{EN: "Decided on", CY: "Dyddiad y penderfyniad"}
	txtReasons         = form.Text{EN: "Reasons", CY: "Rhesymau"}
	txtNoDecision      = form.Text{EN: "No decision has been recorded yet.", CY: "Nid oes penderfyniad wedi'i gofnodi eto."}
	txtNotRevised      = form.Text{EN: "The plan was not revised.", CY: "Ni chafodd y cynllun ei ddiwygio."}
	txtNoDifferences   = form.Text{EN: "The revised plan has the same content as the plan reviewed.", CY: "Mae gan y cynllun diwygiedig yr un cynnwys â'r cynllun a adolygwyd."}
	txtNoComparison    = form.Text{EN: "The changes cannot be listed: the plan reviewed or the revised plan is not available.", CY: "Ni ellir rhestru'r newidiadau: nid yw'r cynllun a adolygwyd na'r cynllun diwygiedig ar gael."}
	fmtCompared        = form.Text{EN: "Plan version %d compared with version %d", CY: "Fersiwn %d o'r cynllun o'i chymharu â fersiwn %d"}
	// The two lists of a bilingual document, each named in its language.
	txtListCY = form.Text{EN: "Cymraeg", CY: "Cymraeg"}
	txtListEN = form.Text{EN: "English", CY: "English"}

	// Formats with one %d.
	fmtMinutes = form.Text{EN: "%d minutes", CY: "%d munud"}
)

var reviewTypes = map[cynllun.ReviewType]form.Text{
	cynllun.ReviewAnnual:            {EN: "Annual review", CY: "Adolygiad blynyddol"},
	cynllun.ReviewOnRequest:         {EN: "On request", CY: "Ar gais"},
	cynllun.ReviewNHSRequest:        {EN: "Requested by an NHS body", CY: "Ar gais corff GIG"},
	cynllun.ReviewTransfer:          {EN: "On transfer", CY: "Wrth drosglwyddo"},
	cynllun.ReviewLAReconsideration: {EN: "Reconsideration by the local authority", CY: "Ailystyriaeth gan yr awdurdod lleol"},
	cynllun.ReviewOther:             {EN: "Other", CY: "Arall"},
}

var reviewStatuses = map[cynllun.ReviewStatus]form.Text{
	cynllun.ReviewRequested: {EN: "Requested", CY: "Gofynnwyd amdano"},
	cynllun.ReviewRefused:   {EN: "Refused", CY: "Gwrthodwyd"},
	cynllun.ReviewOpen:      {EN: "Open", CY: "Ar agor"},
	cynllun.ReviewConcluded: {EN: "Concluded", CY: "Wedi'i gwblhau"},
}

var requesterRoles = map[cynllun.RequesterRole]form.Text{
	cynllun.RequesterChild:       {EN: "The child", CY: "Y plentyn"},
	cynllun.RequesterParent:      {EN: "A parent", CY: "Rhiant"},
	cynllun.RequesterYoungPerson: {EN: "The young person", CY: "Y person ifanc"},
	cynllun.RequesterNHSBody:     {EN: "An NHS body", CY: "Corff GIG"},
	cynllun.RequesterSchool:      {EN: "The school", CY: "Yr ysgol"},
	cynllun.RequesterLA:          {EN: "The local authority", CY: "Yr awdurdod lleol"},
	cynllun.RequesterOther:       {EN: "Other", CY: "Arall"},
	cynllun.RequesterAdvocate:    {EN: "An advocate", CY: "Eiriolwr"},
}

var participantRoles = map[cynllun.ParticipantRole]form.Text{
	cynllun.RoleChild:       {EN: "Child", CY: "Plentyn"},
	cynllun.RoleYoungPerson: {EN: "Young person", CY: "Person ifanc"},
	cynllun.RoleParent:      {EN: "Parent or carer", CY: "Rhiant neu ofalwr"},
	cynllun.RoleALNCo:       {EN: "ALNCo", CY: "CydADY"},
	cynllun.RoleTeacher:     {EN: "Teacher", CY: "Athro"},
	cynllun.RoleLAOfficer:   {EN: "Local authority officer", CY: "Swyddog yr awdurdod lleol"},
	cynllun.RoleHealth:      {EN: "Health professional", CY: "Gweithiwr iechyd proffesiynol"},
	cynllun.RoleSocialCare:  {EN: "Social care", CY: "Gofal cymdeithasol"},
	cynllun.RoleAdvocate:    {EN: "Advocate", CY: "Eiriolwr"},
	cynllun.RoleEdPsych:     {EN: "Educational psychologist", CY: "Seicolegydd addysg"},
	cynllun.RoleOther:       {EN: "Other", CY: "Arall"},
}

var attendances = map[cynllun.Attendance]form.Text{
	cynllun.AttendedInPerson:     {EN: "attended in person", CY: "yn bresennol wyneb yn wyneb"},
	cynllun.AttendedRemotely:     {EN: "attended remotely", CY: "yn bresennol o bell"},
	cynllun.ContributedInWriting: {EN: "contributed in writing", CY: "cyfrannodd yn ysgrifenedig"},
	cynllun.ContributedViaOther:  {EN: "contributed through someone else", CY: "cyfrannodd drwy rywun arall"},
	cynllun.DidNotContribute:     {EN: "did not contribute", CY: "ni chyfrannodd"},
}

var viewFormats = map[cynllun.ViewFormat]form.Text{
	cynllun.ViewOwnWords:     {EN: "In their own words", CY: "Yn eu geiriau eu hunain"},
	cynllun.ViewDrawing:      {EN: "Drawing", CY: "Llun"},
	cynllun.ViewAudio:        {EN: "Audio recording", CY: "Recordiad sain"},
	cynllun.ViewVideo:        {EN: "Video", CY: "Fideo"},
	cynllun.ViewAAC:          {EN: "Augmentative and alternative communication (AAC)", CY: "Cyfathrebu estynedig ac amgen (AAC)"},
	cynllun.ViewParentScribe: {EN: "Scribed by a parent", CY: "Wedi'i hysgrifennu gan riant"},
	cynllun.ViewTrustedAdult: {EN: "Gathered by a trusted adult", CY: "Wedi'i chasglu gan oedolyn dibynadwy"},
}

var answers = map[cynllun.Answer]form.Text{
	cynllun.AnswerYes:     {EN: "Yes", CY: "Ie"},
	cynllun.AnswerPartly:  {EN: "Partly", CY: "Yn rhannol"},
	cynllun.AnswerNo:      {EN: "No", CY: "Na"},
	cynllun.AnswerUnknown: {EN: "Not known", CY: "Ddim yn hysbys"},
}

var provisionChanges = map[cynllun.ProvisionChange]form.Text{
	cynllun.ChangeContinue: {EN: "Continue", CY: "Parhau"},
	cynllun.ChangeIncrease: {EN: "Increase", CY: "Cynyddu"},
	cynllun.ChangeReduce:   {EN: "Reduce", CY: "Lleihau"},
	cynllun.ChangeModify:   {EN: "Change", CY: "Newid"},
	cynllun.ChangeEnd:      {EN: "End", CY: "Dod i ben"},
}

var outcomeStatuses = map[cynllun.OutcomeStatus]form.Text{
	cynllun.OutcomeAchieved: {EN: "Achieved", CY: "Wedi'i gyflawni"},
	cynllun.OutcomePartly:   {EN: "Partly achieved", CY: "Wedi'i gyflawni'n rhannol"},
	cynllun.OutcomeNotYet:   {EN: "Not yet achieved", CY: "Heb ei gyflawni eto"},
}

// enumText is the wording of an enumerated value, the value itself when the
// wording is unknown (a newer value), "Not recorded" when it is empty.
func enumText[K ~string](m map[K]form.Text, k K) form.Text {
	if t, ok := m[k]; ok {
		return t
	}
	if k == "" {
		return txtNotRecorded
	}
	return form.Text{EN: string(k)}
}

// periodText is "7 September 2026 to 18 December 2026" / "7 Medi 2026 i
// 18 Rhagfyr 2026".
func periodText(from, to cynllun.Date) form.Text {
	f, t := dateText(from), dateText(to)
	return form.Text{EN: f.EN + " to " + t.EN, CY: f.CY + " i " + t.CY}
}

// The provision ledger of a row, in a line or two.
var (
	warnHolidays = form.Text{EN: "holidays not excluded: no term calendar", CY: "heb eithrio gwyliau: dim calendr tymor"}
	// The first line when nothing could be planned.
	txtNoAmount       = form.Text{EN: "No structured amount: nothing planned to compare", CY: "Dim swm strwythuredig: dim wedi'i gynllunio i'w gymharu"}
	txtTermNoCalendar = form.Text{EN: "Termly amount and no term calendar: nothing planned to compare", CY: "Swm fesul tymor a dim calendr tymor: dim wedi'i gynllunio i'w gymharu"}
	txtNoShortfall    = form.Text{EN: "no shortfall", CY: "dim diffyg"}
	fmtFrom           = form.Text{EN: "From %s", CY: "O %s"}
	ledgerWarnings    = map[string]form.Text{
		ledger.WarnNotStarted:      {EN: "the provision had not started in this period", CY: "nid oedd y ddarpariaeth wedi dechrau yn y cyfnod hwn"},
		ledger.WarnEnded:           {EN: "the provision had ended before this period", CY: "roedd y ddarpariaeth wedi dod i ben cyn y cyfnod hwn"},
		ledger.WarnOutsideSessions: {EN: "sessions recorded outside the provision's dates were not counted", CY: "ni chyfrifwyd sesiynau a gofnodwyd y tu allan i ddyddiadau'r ddarpariaeth"},
	}
)

// sessionsText is "3 sessions" / "3 sesiwn".
func sessionsText(n int) form.Text {
	return form.Text{EN: plural(n, "session", "sessions"), CY: fmt.Sprintf("%d sesiwn", n)}
}

// minutesText is "90 minutes" / "90 munud".
func minutesText(n int) form.Text {
	return form.Text{EN: plural(n, "minute", "minutes"), CY: fmt.Sprintf("%d munud", n)}
}

// Fixed wording of a table of the record (RenderTable).
var (
	// fmtAsOf takes the date in words.
	fmtAsOf = form.Text{EN: "Record as at %s", CY: "Cofnod fel yr oedd ar %s"}
)

// Fixed wording of the plan check (check.go). As above, the Welsh needs
// checking by a Welsh speaker.
var (
	txtCheckTitle   = form.Text{EN: "Plan check", CY: "Gwiriad cynllun"}
	txtCheckNotPlan = form.Text{
		EN: "This check is not part of the plan. It is printed for drafts only, to show what would stop the plan being finalised.",
		CY: "Nid yw'r gwiriad hwn yn rhan o'r cynllun. Fe'i argraffir ar gyfer drafftiau yn unig, i ddangos beth fyddai'n atal y cynllun rhag cael ei wneud yn derfynol.",
	}
	txtCheckDate  = form.Text{EN: "Date of check", CY: "Dyddiad y gwiriad"}
	txtFindings   = form.Text{EN: "Findings", CY: "Canfyddiadau"}
	txtNoFindings = form.Text{EN: "No findings", CY: "Dim canfyddiadau"}
	txtFix        = form.Text{EN: "How to put it right", CY: "Sut i'w gywiro"}
	txtBasis      = form.Text{EN: "Based on", CY: "Yn seiliedig ar"}
	txtWholePlan  = form.Text{EN: "The plan as a whole", CY: "Y cynllun cyfan"}
	// Where a finding points in a row: the section's key and the row's
	// number, "2B row 2", or the row alone.
	fmtSectionRow = form.Text{EN: "%s row %s", CY: "%s rhes %s"}
	fmtRowOnly    = form.Text{EN: "Row %s", CY: "Rhes %s"}
)

var severities = map[quality.Severity]form.Text{
	quality.SeverityError:   {EN: "Error", CY: "Gwall"},
	quality.SeverityWarning: {EN: "Warning", CY: "Rhybudd"},
	quality.SeverityInfo:    {EN: "Note", CY: "Nodyn"},
}

// findingsText counts findings by severity: "2 errors, 3 warnings, 1 note"
// / "2 gwallau, 3 rhybuddion, 1 nodyn".
//
// For the Welsh reviewer: the Welsh is kept simple, the singular for one
// and the plural for any other number ("1 gwall", "2 gwallau", "0
// gwallau"). Welsh usually counts with a singular noun and mutates it
// after some numbers ("dau wall", "tri rhybudd"), as quantityText does
// for sessions; these counts use the plural so that a bare digit reads
// the same whatever its value.
func findingsText(errors, warnings, notes int) form.Text {
	// Welsh puts a numeral before the singular noun, softly mutated after
	// 2 ("3 gwall", "2 wall"), as clock's wording does.
	cy := func(n int, noun, afterTwo string) string {
		if n == 2 {
			return "2 " + afterTwo
		}
		return fmt.Sprintf("%d %s", n, noun)
	}
	return form.Text{
		EN: plural(errors, "error", "errors") + ", " + plural(warnings, "warning", "warnings") + ", " + plural(notes, "note", "notes"),
		CY: cy(errors, "gwall", "wall") + ", " + cy(warnings, "rhybudd", "rybudd") + ", " + cy(notes, "nodyn", "nodyn"),
	}
}

// Wording of 3D (the record of reviews), placed attachments and the rights
// and contacts page (issue 18).
var (
	fmtReviewHeld      = form.Text{EN: "Review held on %s", CY: "Adolygiad a gynhaliwyd ar %s"}
	fmtRevisedInto     = form.Text{EN: "Plan revised: version %d", CY: "Diwygiwyd y cynllun: fersiwn %d"}
	fmtMadeThisVersion = form.Text{EN: "Plan revised: this version (%d) was made by this review", CY: "Diwygiwyd y cynllun: yr adolygiad hwn a wnaeth y fersiwn hon (%d)"}
	txtNotRevisedShort = form.Text{EN: "Not revised (notice of a decision not to revise)", CY: "Heb ei ddiwygio (hysbysiad o benderfyniad i beidio â diwygio)"}
	txtNextReviewBy    = form.Text{EN: "Next review due by", CY: "Adolygiad nesaf erbyn"}

	txtProfileImage  = form.Text{EN: "Attached to the profile", CY: "Wedi'i atodi i'r proffil"}
	fmtViewImage     = form.Text{EN: "%s's views (%d)", CY: "Safbwyntiau %s (%d)"}
	txtAttachedFile1 = form.Text{EN: "An attached file", CY: "Ffeil wedi'i hatodi"}
	txtSeparately    = form.Text{EN: "(available separately from this document)", CY: "(ar gael ar wahân i'r ddogfen hon)"}
	txtWhatBefore    = form.Text{EN: "Before, in full", CY: "Cynt, yn llawn"}
	txtWhatAfter     = form.Text{EN: "Now, in full", CY: "Nawr, yn llawn"}

	txtRightsTitle          = form.Text{EN: "Your rights and who to contact", CY: "Eich hawliau a phwy i gysylltu â nhw"}
	txtRightsIntro          = form.Text{EN: "If you have a question about this plan or disagree with a decision in it, talk first to the people below. You also have the rights set out on this page; using one does not take away another.", CY: "Os oes gennych gwestiwn am y cynllun hwn neu os ydych yn anghytuno â phenderfyniad ynddo, siaradwch yn gyntaf â'r bobl isod. Mae gennych hefyd yr hawliau a nodir ar y dudalen hon; nid yw defnyddio un yn dileu un arall."}
	txtRightsSample         = form.Text{EN: "Sample contact details: these are examples, not a real service's. Ask the local authority for its own.", CY: "Manylion cyswllt enghreifftiol: enghreifftiau yw'r rhain, nid manylion gwasanaeth go iawn. Gofynnwch i'r awdurdod lleol am ei fanylion ei hun."}
	txtRightsContacts       = form.Text{EN: "Who to contact", CY: "Pwy i gysylltu â nhw"}
	txtRightsMaintainer     = form.Text{EN: "The body that maintains this plan", CY: "Y corff sy'n cynnal y cynllun hwn"}
	txtMaintainerSchool     = form.Text{EN: "Ask for the school's additional learning needs co-ordinator (ALNCo).", CY: "Gofynnwch am gydlynydd anghenion dysgu ychwanegol (CADY) yr ysgol."}
	txtMaintainerFEI        = form.Text{EN: "Ask for the college's additional learning needs co-ordinator (ALNCo).", CY: "Gofynnwch am gydlynydd anghenion dysgu ychwanegol (CADY) y coleg."}
	txtMaintainerLA         = form.Text{EN: "Ask for the additional learning needs officer named below.", CY: "Gofynnwch am y swyddog anghenion dysgu ychwanegol a enwir isod."}
	txtRightsALNOfficer     = form.Text{EN: "The local authority's additional learning needs officer", CY: "Swyddog anghenion dysgu ychwanegol yr awdurdod lleol"}
	txtTheLA                = form.Text{EN: "The local authority", CY: "Yr awdurdod lleol"}
	txtAskLA                = form.Text{EN: "Ask the local authority's additional learning needs team for the details.", CY: "Gofynnwch i dîm anghenion dysgu ychwanegol yr awdurdod lleol am y manylion."}
	txtRightsSteps          = form.Text{EN: "If you disagree", CY: "Os ydych yn anghytuno"}
	txtRightsNoRoute        = form.Text{EN: "Ask the local authority what you can do about a decision you disagree with.", CY: "Gofynnwch i'r awdurdod lleol beth y gallwch ei wneud am benderfyniad yr ydych yn anghytuno ag ef."}
	txtRightsBy             = form.Text{EN: "By when", CY: "Erbyn pryd"}
	fmtWithin               = form.Text{EN: "The Tribunal must receive the appeal within %s of the day you were given the decision and the notice of your right to appeal", CY: "Rhaid i'r Tribiwnlys gael yr apêl o fewn %s i'r diwrnod y rhoddwyd y penderfyniad a'r hysbysiad o'ch hawl i apelio i chi"}
	fmtWithinAsk            = form.Text{EN: "Ask within %s of the day you were given the decision", CY: "Gofynnwch o fewn %s i'r diwrnod y rhoddwyd y penderfyniad i chi"}
	txtFirstWorkingDayAfter = form.Text{EN: " (or by the first working day after that period)", CY: " (neu erbyn y diwrnod gwaith cyntaf ar ôl y cyfnod hwnnw)"}
	fmtExtension            = form.Text{EN: "If you refer the disagreement to the local authority's disagreement resolution arrangements before then, you have %s more.", CY: "Os byddwch yn cyfeirio'r anghytundeb at drefniadau datrys anghytundebau'r awdurdod lleol cyn hynny, mae gennych %s arall."}
	txtRightsServices       = form.Text{EN: "Disagreement resolution, advocacy and the Tribunal", CY: "Datrys anghytundebau, eiriolaeth a'r Tribiwnlys"}
	txtRightsDR             = form.Text{EN: "Disagreement resolution", CY: "Datrys anghytundebau"}
	txtRightsAdvocacy       = form.Text{EN: "Independent advocacy", CY: "Eiriolaeth annibynnol"}
	txtRightsTribunal       = form.Text{EN: "Education Tribunal for Wales", CY: "Tribiwnlys Addysg Cymru"}
	txtPhone                = form.Text{EN: "Phone", CY: "Ffôn"}
	txtEmail                = form.Text{EN: "Email", CY: "E-bost"}
	txtWeb                  = form.Text{EN: "Website", CY: "Gwefan"}
)

// stepTexts say in plain words how to take each step a route may hold
// (routes.json gives the steps; their legal descriptions are for staff).
var stepTexts = map[routes.StepKind]form.Text{
	routes.StepLAReconsideration: {
		EN: "You cannot appeal against a school's decision. Instead, write to the local authority and ask it to reconsider the school's decision or this plan. If the local authority then decides not to change it, you can appeal against the local authority's decision to the Education Tribunal for Wales.",
		CY: "Ni allwch apelio yn erbyn penderfyniad ysgol. Yn hytrach, ysgrifennwch at yr awdurdod lleol a gofyn iddo ailystyried penderfyniad yr ysgol neu'r cynllun hwn. Os bydd yr awdurdod lleol wedyn yn penderfynu peidio â'i newid, gallwch apelio i Dribiwnlys Addysg Cymru yn erbyn penderfyniad yr awdurdod lleol.",
	},
	routes.StepTribunalAppeal: {
		EN: "You can appeal against the decision to the Education Tribunal for Wales. The child (with a case friend where needed), the parent or the young person may appeal.",
		CY: "Gallwch apelio yn erbyn y penderfyniad i Dribiwnlys Addysg Cymru. Caiff y plentyn (gyda chyfaill achos lle bo angen), y rhiant neu'r person ifanc apelio.",
	},
	routes.StepDisagreementResolution: {
		EN: "The local authority arranges ways to avoid and resolve disagreements, with an independent person. Using them does not affect your right to appeal.",
		CY: "Mae'r awdurdod lleol yn trefnu ffyrdd o osgoi a datrys anghytundebau, gyda pherson annibynnol. Nid yw eu defnyddio'n effeithio ar eich hawl i apelio.",
	},
	routes.StepAdvocacy: {
		EN: "The local authority must arrange independent advocacy for a child, young person or case friend who is thinking about an appeal or making one.",
		CY: "Rhaid i'r awdurdod lleol drefnu eiriolaeth annibynnol ar gyfer plentyn, person ifanc neu gyfaill achos sy'n ystyried apêl neu'n gwneud un.",
	},
	routes.StepLATakeover: {
		EN: "You can ask the local authority to take over this plan from the body that maintains it.",
		CY: "Gallwch ofyn i'r awdurdod lleol gymryd y cynllun hwn drosodd gan y corff sy'n ei gynnal.",
	},
	routes.StepReviewRequest: {
		EN: "You can ask the body that maintains the plan to review it.",
		CY: "Gallwch ofyn i'r corff sy'n cynnal y cynllun ei adolygu.",
	},
}

// Wording of the layout: a heading repeated at the top of a page that its
// row goes on to ("Row 2 (continued)" / "Rhes 2 (parhad)").
var txtContinued = form.Text{EN: "continued", CY: "parhad"}

// continued is heading t as repeated at the top of a page its row goes on
// to: "Row 2 (continued)" / "Rhes 2 (parhad)".
func continued(t form.Text) form.Text {
	return form.Text{
		EN: t.EN + " (" + txtContinued.EN + ")",
		CY: t.In(cynllun.LanguageCY) + " (" + txtContinued.CY + ")",
	}
}

// Fixed wording of the HTML rendition (html.go); the rest comes from the
// trees.
var (
	txtSkipToDocument = form.Text{EN: "Skip to the document", CY: "Neidio i'r ddogfen"}
	txtLanguage       = form.Text{EN: "Language", CY: "Iaith"}
	txtImage          = form.Text{EN: "Image", CY: "Delwedd"}
)
