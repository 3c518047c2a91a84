package docgen

import (
	"fmt"
	"strings"
	"time"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/form"
	"github.com/cynllun/cynllun/ledger"
	"github.com/cynllun/cynllun/quality"
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
	txtAttachment   = form.Text{EN: "attachment", CY: "atodiad"}
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

var monthsCY = [...]string{"Ionawr", "Chwefror", "Mawrth", "Ebrill", "Mai", "Mehefin",
	"Gorffennaf", "Awst", "Medi", "Hydref", "Tachwedd", "Rhagfyr"}

// dateText is "7 January 2027" / "7 Ionawr 2027", or "Not recorded".
func dateText(d cynllun.Date) form.Text {
	if d.IsZero() || d.Month < time.January || d.Month > time.December {
		return txtNotRecorded
	}
	return form.Text{
		EN: fmt.Sprintf("%d %s %d", d.Day, d.Month, d.Year),
		CY: fmt.Sprintf("%d %s %d", d.Day, monthsCY[d.Month-1], d.Year),
	}
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
	txtBasis      = form.Text{EN: "Basis", CY: "Sail"}
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
	cy := func(n int, one, many string) string {
		if n == 1 {
			return "1 " + one
		}
		return fmt.Sprintf("%d %s", n, many)
	}
	return form.Text{
		EN: plural(errors, "error", "errors") + ", " + plural(warnings, "warning", "warnings") + ", " + plural(notes, "note", "notes"),
		CY: cy(errors, "gwall", "gwallau") + ", " + cy(warnings, "rhybudd", "rhybuddion") + ", " + cy(notes, "nodyn", "nodiadau"),
	}
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
