// Package seed loads the reference data every deployment needs (the 22
// Welsh local authorities and the 7 local health boards) and, for dev mode
// and demos, a small sample: a school, three learners with Welsh names, a
// plan with two versions, its sessions and a review, running statutory
// clocks, a tribunal case with two evidence documents, and users for an
// ALNCo, a parent, an LA officer and an administrator. Seeding is
// idempotent: ids are fixed and existing records are left as they are.
package seed

import (
	"context"
	"fmt"
	"time"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/calendar"
	"github.com/cynllun/cynllun/clock"
)

// LocalAuthority is one of the 22 principal councils of Wales, with its ONS
// code.
type LocalAuthority struct {
	ONS, Name, NameCy string
}

// LocalAuthorities lists the 22 Welsh local authorities (domain.md
// Appendix A; ONS codes W06).
var LocalAuthorities = []LocalAuthority{
	{"W06000019", "Blaenau Gwent", "Blaenau Gwent"},
	{"W06000013", "Bridgend", "Pen-y-bont ar Ogwr"},
	{"W06000018", "Caerphilly", "Caerffili"},
	{"W06000015", "Cardiff", "Caerdydd"},
	{"W06000010", "Carmarthenshire", "Sir Gaerfyrddin"},
	{"W06000008", "Ceredigion", "Ceredigion"},
	{"W06000003", "Conwy", "Conwy"},
	{"W06000004", "Denbighshire", "Sir Ddinbych"},
	{"W06000005", "Flintshire", "Sir y Fflint"},
	{"W06000002", "Gwynedd", "Gwynedd"},
	{"W06000001", "Isle of Anglesey", "Ynys Môn"},
	{"W06000024", "Merthyr Tydfil", "Merthyr Tudful"},
	{"W06000021", "Monmouthshire", "Sir Fynwy"},
	{"W06000012", "Neath Port Talbot", "Castell-nedd Port Talbot"},
	{"W06000022", "Newport", "Casnewydd"},
	{"W06000009", "Pembrokeshire", "Sir Benfro"},
	{"W06000023", "Powys", "Powys"},
	{"W06000016", "Rhondda Cynon Taf", "Rhondda Cynon Taf"},
	{"W06000011", "Swansea", "Abertawe"},
	{"W06000020", "Torfaen", "Tor-faen"},
	{"W06000014", "Vale of Glamorgan", "Bro Morgannwg"},
	{"W06000006", "Wrexham", "Wrecsam"},
}

// HealthBoards lists the 7 local health boards (NHS bodies that secure ALP).
var HealthBoards = []struct{ Key, Name, NameCy string }{
	{"aneurin-bevan", "Aneurin Bevan University Health Board", "Bwrdd Iechyd Prifysgol Aneurin Bevan"},
	{"betsi-cadwaladr", "Betsi Cadwaladr University Health Board", "Bwrdd Iechyd Prifysgol Betsi Cadwaladr"},
	{"cardiff-vale", "Cardiff and Vale University Health Board", "Bwrdd Iechyd Prifysgol Caerdydd a'r Fro"},
	{"cwm-taf-morgannwg", "Cwm Taf Morgannwg University Health Board", "Bwrdd Iechyd Prifysgol Cwm Taf Morgannwg"},
	{"hywel-dda", "Hywel Dda University Health Board", "Bwrdd Iechyd Prifysgol Hywel Dda"},
	{"powys", "Powys Teaching Health Board", "Bwrdd Iechyd Addysgu Powys"},
	{"swansea-bay", "Swansea Bay University Health Board", "Bwrdd Iechyd Prifysgol Bae Abertawe"},
}

// LAID is the organisation id of a local authority.
func LAID(ons string) string { return cynllun.PrefixOrganisation + "la_" + ons }

// Fixed ids of the sample data.
const (
	CardiffID  = cynllun.PrefixOrganisation + "la_W06000015"
	SchoolID   = cynllun.PrefixOrganisation + "sample_ysgol_glan_taf"
	HealthID   = cynllun.PrefixOrganisation + "hb_cardiff-vale"
	AdminID    = cynllun.PrefixUser + "sample_admin"
	ALNCoID    = cynllun.PrefixUser + "sample_alnco"
	ParentID   = cynllun.PrefixUser + "sample_parent"
	OfficerID  = cynllun.PrefixUser + "sample_officer"
	Learner1ID = cynllun.PrefixLearner + "sample_sion"
	Learner2ID = cynllun.PrefixLearner + "sample_gwenllian"
	Learner3ID = cynllun.PrefixLearner + "sample_llyr"
	PlanID     = cynllun.PrefixPlan + "sample_sion"
)

// Users maps the role names `cynllun token` accepts to sample user ids.
var Users = map[string]string{
	"admin":   AdminID,
	"alnco":   ALNCoID,
	"parent":  ParentID,
	"officer": OfficerID,
}

func ignoreConflict(err error) error {
	if cynllun.ErrorCode(err) == cynllun.CodeConflict {
		return nil
	}
	return err
}

// Reference stores the local authorities and health boards.
func Reference(ctx context.Context, st cynllun.Store, now time.Time) error {
	for _, la := range LocalAuthorities {
		o := &cynllun.Organisation{ID: LAID(la.ONS), Kind: cynllun.OrgLocalAuthority, Name: la.Name, NameCy: la.NameCy, Code: la.ONS, CreatedAt: now.UTC(), CreatedBy: "seed"}
		if err := ignoreConflict(st.CreateOrganisation(ctx, o)); err != nil {
			return err
		}
	}
	for _, hb := range HealthBoards {
		o := &cynllun.Organisation{ID: cynllun.PrefixOrganisation + "hb_" + hb.Key, Kind: cynllun.OrgHealthBoard, Name: hb.Name, NameCy: hb.NameCy, CreatedAt: now.UTC(), CreatedBy: "seed"}
		if err := ignoreConflict(st.CreateOrganisation(ctx, o)); err != nil {
			return err
		}
	}
	return nil
}

// Sample stores the demo data on top of the reference data.
func Sample(ctx context.Context, st cynllun.Store, now time.Time) error {
	if err := Reference(ctx, st, now); err != nil {
		return err
	}
	at := now.UTC()
	school := &cynllun.Organisation{ID: SchoolID, Kind: cynllun.OrgSchool, Name: "Ysgol Gymraeg Glan Taf (sample)", NameCy: "Ysgol Gymraeg Glan Taf (enghraifft)", LAID: CardiffID, Code: "6814001", CreatedAt: at, CreatedBy: "seed"}
	if err := ignoreConflict(st.CreateOrganisation(ctx, school)); err != nil {
		return err
	}
	for _, u := range []*cynllun.User{
		{ID: AdminID, Name: "Sample Administrator", Email: "admin@example.invalid", Admin: true, CreatedAt: at},
		{ID: ALNCoID, Name: "Rhiannon Pritchard (ALNCo)", Email: "alnco@example.invalid", CreatedAt: at},
		{ID: ParentID, Name: "Ceri Llywelyn (parent)", Email: "parent@example.invalid", CreatedAt: at},
		{ID: OfficerID, Name: "Dafydd ap Gwilym (LA officer)", Email: "officer@example.invalid", CreatedAt: at},
	} {
		if err := st.UpsertUser(ctx, u); err != nil {
			return err
		}
	}
	learners := []*cynllun.Learner{
		{ID: Learner1ID, GivenName: "Siôn", FamilyName: "Llywelyn", DateOfBirth: cynllun.DateOf(now.AddDate(-9, -2, 0)), Language: cynllun.LanguageCY, LAID: CardiffID, SettingKind: cynllun.SettingSchool, SettingID: SchoolID},
		{ID: Learner2ID, GivenName: "Gwenllïan", FamilyName: "Ŵyn", PreferredName: "Gwen", DateOfBirth: cynllun.DateOf(now.AddDate(-14, -5, 0)), Language: cynllun.LanguageCY, LAID: CardiffID, SettingKind: cynllun.SettingSchool, SettingID: SchoolID, LookedAfter: true},
		{ID: Learner3ID, GivenName: "Llŷr", FamilyName: "Prosser", DateOfBirth: cynllun.DateOf(now.AddDate(-18, -1, 0)), Language: cynllun.LanguageEN, LAID: CardiffID, SettingKind: cynllun.SettingNone},
	}
	for _, l := range learners {
		l.CreatedAt, l.UpdatedAt, l.CreatedBy = at, at, "seed"
		if err := ignoreConflict(st.CreateLearner(ctx, l)); err != nil {
			return err
		}
	}
	for _, r := range []*cynllun.Relationship{
		{ID: cynllun.PrefixRelationship + "sample_alnco", UserID: ALNCoID, Kind: cynllun.RelStaffOf, OrgID: SchoolID, StaffRole: "ALNCo"},
		{ID: cynllun.PrefixRelationship + "sample_officer", UserID: OfficerID, Kind: cynllun.RelOfficerOf, OrgID: CardiffID, StaffRole: "ALN officer"},
		{ID: cynllun.PrefixRelationship + "sample_parent", UserID: ParentID, Kind: cynllun.RelParentOf, LearnerID: Learner1ID},
	} {
		r.CreatedAt, r.CreatedBy = at, "seed"
		if err := ignoreConflict(st.CreateRelationship(ctx, r)); err != nil {
			return err
		}
	}
	// The plan's story: drafted 40 days ago, given (FINAL) 35 days ago,
	// provision from 30 days ago, reviewed yesterday on the parent's request.
	drafted, given := at.AddDate(0, 0, -40), at.AddDate(0, 0, -35)
	plan := &cynllun.Plan{ID: PlanID, LearnerID: Learner1ID, MaintainerID: SchoolID, CreatedAt: drafted, CreatedBy: ALNCoID}
	v1 := &cynllun.Version{ID: cynllun.VersionID(PlanID, 1), PlanID: PlanID, LearnerID: Learner1ID, Number: 1, Status: cynllun.VersionDraft,
		FormVersion: FormVersion, Content: SampleContent(now, false), Comment: "First draft after the person-centred meeting", CreatedAt: drafted, CreatedBy: ALNCoID}
	if err := ignoreConflict(st.CreatePlan(ctx, plan, v1)); err != nil {
		return err
	}
	v2 := &cynllun.Version{ID: cynllun.VersionID(PlanID, 2), PlanID: PlanID, LearnerID: Learner1ID, Number: 2, Status: cynllun.VersionFinal,
		FormVersion: FormVersion, Content: SampleContent(now, true), Comment: "Speech and language therapy increased to 45 minutes", CreatedAt: given, CreatedBy: ALNCoID}
	if err := ignoreConflict(st.InsertVersion(ctx, v2)); err != nil {
		return err
	}
	if err := ignoreConflict(st.InsertSessions(ctx, SampleSessions(now))); err != nil {
		return err
	}
	if err := ignoreConflict(st.InsertReview(ctx, SampleReview(now))); err != nil {
		return err
	}
	if err := sampleClocks(ctx, st, now, given); err != nil {
		return err
	}
	return sampleCase(ctx, st, now)
}

// SampleCalendar is the sample school's own 2026–27 calendar. The dates
// are made up for the demo (shaped like a Welsh school year), not any
// school's published ones.
func SampleCalendar() *calendar.Calendar {
	d := cynllun.MustDate
	return &calendar.Calendar{
		ID: cynllun.PrefixCalendar + SchoolID, Name: "Ysgol Gymraeg Glan Taf (enghraifft / sample) 2026–27",
		Source: "sample data: made-up dates, not a school's published calendar",
		Terms: []calendar.Term{
			{Name: "Autumn term 2026", NameCy: "Tymor yr Hydref 2026", Start: d("2026-09-01"), End: d("2026-12-18")},
			{Name: "Spring term 2027", NameCy: "Tymor y Gwanwyn 2027", Start: d("2027-01-04"), End: d("2027-03-26")},
			{Name: "Summer term 2027", NameCy: "Tymor yr Haf 2027", Start: d("2027-04-12"), End: d("2027-07-21")},
		},
		Closures: []calendar.Closure{
			{From: d("2026-09-01"), To: d("2026-09-01"), Reason: calendar.ReasonINSET, Note: "Training day"},
			{From: d("2026-10-26"), To: d("2026-10-30"), Reason: calendar.ReasonHalfTerm},
			{From: d("2027-02-15"), To: d("2027-02-19"), Reason: calendar.ReasonHalfTerm},
			{From: d("2027-05-31"), To: d("2027-06-04"), Reason: calendar.ReasonHalfTerm},
		},
	}
}

// sampleClocks stores the sample school's calendar and two running clocks:
// the local authority's 12 weeks to decide on Gwen's ALN (she is looked
// after, so the LA decides, Act s.18), brought to its attention ten days
// ago, and the sample plan's first review period.
func sampleClocks(ctx context.Context, st cynllun.Store, now, given time.Time) error {
	cal := SampleCalendar()
	if cs, ok := st.(calendar.Store); ok {
		if err := ignoreConflict(cs.InsertCalendar(ctx, &calendar.Stored{OrgID: SchoolID, Revision: 1, Calendar: cal, Comment: "sample", CreatedAt: now.UTC(), CreatedBy: "seed"})); err != nil {
			return err
		}
	}
	effective := calendar.Effective(calendar.ForLA("W06000015"), cal)
	clocks := []struct {
		ev   cynllun.StatutoryEvent
		rule string
		plan string
	}{
		{cynllun.StatutoryEvent{ID: cynllun.PrefixEvent + "sample_attention", Kind: cynllun.EventALNBroughtToAttention, LearnerID: Learner2ID,
			OrgID: CardiffID, On: cynllun.DateOf(now.AddDate(0, 0, -10)), Note: "Raised by her social worker"}, "T4", ""},
		{cynllun.StatutoryEvent{ID: cynllun.PrefixEvent + "sample_given", Kind: cynllun.EventIDPGiven, LearnerID: Learner1ID, PlanID: PlanID,
			OrgID: SchoolID, On: cynllun.DateOf(given.In(cynllun.London)), System: true}, "T8", PlanID},
	}
	for _, c := range clocks {
		ev := c.ev
		ev.RecordedAt, ev.RecordedBy = now.UTC(), ALNCoID
		if err := ignoreConflict(st.InsertEvent(ctx, &ev)); err != nil {
			return err
		}
		rule, _ := clock.RuleByID(c.rule)
		d := &cynllun.Deadline{ID: cynllun.DeadlineID(c.rule, ev.ID), RuleID: c.rule, LearnerID: ev.LearnerID, PlanID: c.plan, OrgID: ev.OrgID,
			LAID: CardiffID, SettingID: SchoolID, StartEventID: ev.ID, Start: ev.On, CreatedAt: now.UTC()}
		if r, err := clock.Compute(rule, ev.On, effective, clock.DefaultSettings()); err == nil {
			d.Due = r.Due
		} else {
			d.Problem = "the sample calendar does not cover the dates needed"
		}
		if err := st.InsertDeadlines(ctx, []*cynllun.Deadline{d}); err != nil {
			return err
		}
	}
	return nil
}

// ReviewID is the sample review of the sample plan.
const ReviewID = cynllun.PrefixReview + "sample"

// SampleSessions are four weeks of the sample plan's therapy sessions, one
// of them missed.
func SampleSessions(now time.Time) []cynllun.Session {
	start := cynllun.DateOf(now.AddDate(0, 0, -30))
	var out []cynllun.Session
	for i := 0; i < 4; i++ {
		s := cynllun.Session{
			ID: fmt.Sprintf("%ssample_%d", cynllun.PrefixSession, i), PlanID: PlanID, LearnerID: Learner1ID, RowID: "row_sample_salt",
			Date: start.AddDays(1 + 7*i), Minutes: 45, Status: cynllun.SessionDelivered, DeliveredBy: "SaLT (Cardiff and Vale UHB)",
			RecordedAt: now.UTC(), RecordedBy: ALNCoID,
		}
		if i == 2 {
			s.Status, s.Reason, s.Notes, s.DeliveredBy = cynllun.SessionMissed, cynllun.MissedProviderAbsent, "Therapist off sick; no cover", ""
		}
		out = append(out, s)
		// The small-group work, three times each week.
		for j, day := range []int{1, 3, 5} {
			out = append(out, cynllun.Session{
				ID: fmt.Sprintf("%ssample_group_%d_%d", cynllun.PrefixSession, i, j), PlanID: PlanID, LearnerID: Learner1ID, RowID: "row_sample_group",
				Date: start.AddDays(day + 7*i), Minutes: 20, Status: cynllun.SessionDelivered, DeliveredBy: "Teaching assistant",
				RecordedAt: now.UTC(), RecordedBy: ALNCoID,
			})
		}
	}
	return out
}

// SampleReview is an open review of the sample plan with its meeting
// recorded: ready to conclude, and to render as a meeting record.
func SampleReview(now time.Time) *cynllun.Review {
	yes, no := true, false
	at := now.UTC()
	held := cynllun.DateOf(now.AddDate(0, 0, -1))
	return &cynllun.Review{
		ID: ReviewID, Revision: 1, PlanID: PlanID, LearnerID: Learner1ID, LAID: CardiffID, SettingID: SchoolID, Type: cynllun.ReviewOnRequest, Status: cynllun.ReviewOpen,
		Request: &cynllun.ReviewRequest{By: cynllun.RequesterParent, ByName: "Ceri Llywelyn", RequestedOn: cynllun.DateOf(now.AddDate(0, 0, -10)),
			Reason: "Therapy sessions are being missed.", DecidedOn: cynllun.DateOf(now.AddDate(0, 0, -9)), DecidedBy: ALNCoID},
		PlanVersion: 2, HeldOn: held, DurationMinutes: 55,
		Participants: []cynllun.Participant{
			{Name: "Siôn Llywelyn", Role: cynllun.RoleChild, Attendance: cynllun.AttendedInPerson, Agreed: &yes},
			{Name: "Ceri Llywelyn", Role: cynllun.RoleParent, Attendance: cynllun.AttendedInPerson, Agreed: &no},
			{Name: "Rhiannon Pritchard", Role: cynllun.RoleALNCo, Organisation: "Ysgol Gymraeg Glan Taf", Attendance: cynllun.AttendedInPerson, Agreed: &yes},
			{Name: "SaLT", Role: cynllun.RoleHealth, Organisation: "Cardiff and Vale UHB", Attendance: cynllun.ContributedInWriting, Agreed: &yes},
		},
		ChildViews:  []cynllun.ChildView{{Format: cynllun.ViewOwnWords, Text: "Dw i'n hoffi'r gwersi gyda Mrs Jones ond dw i ddim yn hoffi pan mae'n swnllyd.", GatheredBy: "Rhiannon Pritchard"}},
		ParentViews: []cynllun.ParentView{{Name: "Ceri Llywelyn", Text: "Siôn is more confident, but one in four therapy sessions has not happened."}},
		PersonCentred: cynllun.PersonCentred{
			ImportantTo: []string{"Football with his friends", "Mabon the dog"}, ImportantFor: []string{"Time to answer", "Short instructions with pictures"},
			Working: []string{"1:1 therapy", "Visual timetable"}, NotWorking: []string{"Sessions missed when the therapist is away", "Noisy dining hall"},
			Questions:  []string{"Can the health board provide cover?"},
			ActionPlan: []cynllun.Action{{Action: "Ask the health board for cover arrangements", Owner: "ALNCo", Due: held.AddDays(14)}},
		},
		FourPlusOne: cynllun.FourPlusOne{Tried: "Weekly 1:1 therapy, small-group language work", Learned: "Siôn responds well to 1:1 work",
			Pleased: "He follows two-step instructions most of the time", Concerned: "Missed sessions", Next: "Keep 45 minutes; agree cover"},
		NeedsDiscussion: "Speech, language and communication needs discussed; the description in 2A is still right.",
		Provision: []cynllun.ProvisionReview{
			{RowID: "row_sample_salt", Delivered: cynllun.AnswerPartly, Effective: cynllun.AnswerYes, StillNeeded: cynllun.AnswerYes, Change: cynllun.ChangeContinue, Notes: "One session missed"},
			{RowID: "row_sample_group", Delivered: cynllun.AnswerYes, Effective: cynllun.AnswerYes, StillNeeded: cynllun.AnswerYes, Change: cynllun.ChangeContinue},
			{RowID: "row_sample_visual", Delivered: cynllun.AnswerYes, Effective: cynllun.AnswerPartly, StillNeeded: cynllun.AnswerYes, Change: cynllun.ChangeModify},
		},
		Outcomes: []cynllun.OutcomeReview{
			{RowID: "row_sample_salt", Status: cynllun.OutcomePartly}, {RowID: "row_sample_group", Status: cynllun.OutcomePartly},
			{RowID: "row_sample_visual", Status: cynllun.OutcomeNotYet},
		},
		NewEvidence:        []cynllun.Evidence{{Title: "SaLT progress report", Source: "Cardiff and Vale UHB", Date: cynllun.DateOf(now.AddDate(0, 0, -5))}},
		CapacityDiscussion: "The school can maintain the plan; therapy is secured by the health board.", CanMaintain: &yes,
		Disagreements: []cynllun.Disagreement{{Who: "Ceri Llywelyn", Role: cynllun.RoleParent, About: "Cover for missed therapy", RowID: "row_sample_salt",
			Details: "Wants missed sessions made up", Resolution: "ALNCo to ask the health board"}},
		Comment:   "Meeting recorded",
		CreatedAt: at, CreatedBy: ALNCoID, OpenedAt: at, OpenedBy: ALNCoID,
	}
}

// FormVersion is the form definition the sample content follows.
var FormVersion = "2021-annex-a"

// SampleContent is a realistic IDP for the sample learner; revised is the
// second version (more therapy time, an added row).
func SampleContent(now time.Time, revised bool) *cynllun.Content {
	yes := true
	no := false
	start := cynllun.DateOf(now.AddDate(0, 0, -30))
	review := start.AddYears(1).AddDays(-7)
	c := &cynllun.Content{
		Consent: cynllun.Consent{ConsentGiven: &yes, ConsentDetails: "Consent given by Siôn's mother at the meeting.", CapacityIssues: &no},
		Dates:   cynllun.MaintainerInfo{StartDate: start, ReviewTargetDate: review, ProposedReviewDate: review.AddDays(-14)},
		Profile: cynllun.Profile{
			LikeAndAdmire:  []cynllun.Statement{{Text: "Siôn is kind and funny, and always helps younger pupils at lunchtime."}},
			ImportantToMe:  []cynllun.Statement{{Text: "Dw i'n hoffi chwarae pêl-droed gyda fy ffrindiau.", DirectQuote: true}, {Text: "His dog, Mabon, and going to nain's house in Llŷn."}},
			HowToSupportMe: []cynllun.Statement{{Text: "Give me time to answer — don't rush me.", DirectQuote: true}, {Text: "Use pictures and short instructions; check he has understood."}},
		},
		Needs: []cynllun.NeedEntry{{
			Description:      "Speech, language and communication needs: difficulty understanding longer spoken instructions and finding words.",
			ImpactOnLearning: "Siôn finds whole-class teaching hard to follow and is reluctant to speak in group work.",
		}},
		Provision: []cynllun.ProvisionRow{{
			ID: "row_sample_salt", IntendedOutcome: "By July, Siôn will follow two-step instructions in class without prompts in 8 out of 10 observed lessons.",
			Provision: "30 minutes of 1:1 speech and language therapy weekly", WelshMedium: new(true), Provider: "Cardiff and Vale University Health Board speech and language therapy service",
			ProviderType: cynllun.ProviderNHSBody, StartDate: start, ReviewOrEndDate: review, DateKind: cynllun.DateReview,
			Rationale:  "Assessment by the SaLT shows receptive language two years below age expectations.",
			Quantity:   &cynllun.Quantity{MinutesPerSession: 30, Sessions: 1, Per: cynllun.PerWeek, GroupSize: 1},
			NHSSecured: true, NHSBody: "Cardiff and Vale University Health Board",
		}, {
			ID: "row_sample_group", IntendedOutcome: "Siôn will take part in group discussion, contributing at least once per session, by the end of the spring term.",
			Provision: "20 minutes of small-group language intervention (Language Link) three times a week with a trained teaching assistant", WelshMedium: new(true),
			Provider: "Ysgol Gymraeg Glan Taf", ProviderType: cynllun.ProviderSchool, StartDate: start, ReviewOrEndDate: review, DateKind: cynllun.DateReview,
			Rationale: "Builds confidence using vocabulary taught in therapy.",
			Quantity:  &cynllun.Quantity{MinutesPerSession: 20, Sessions: 3, Per: cynllun.PerWeek, GroupSize: 4},
		}},
		MeetingSummary: "Person-centred meeting held with Siôn, his mother, the ALNCo and the class teacher. Siôn drew a picture of what a good day looks like.",
	}
	if revised {
		c.Provision[0].Provision = "45 minutes of 1:1 speech and language therapy weekly"
		c.Provision[0].Quantity = &cynllun.Quantity{MinutesPerSession: 45, Sessions: 1, Per: cynllun.PerWeek, GroupSize: 1}
		c.Provision = append(c.Provision, cynllun.ProvisionRow{
			ID: "row_sample_visual", IntendedOutcome: "Siôn will use his visual timetable independently at every transition by half term.",
			Provision: "Visual timetable and now/next board in every lesson, checked daily by the class teacher", WelshMedium: new(true),
			Provider: "Ysgol Gymraeg Glan Taf", ProviderType: cynllun.ProviderSchool, StartDate: start, ReviewOrEndDate: review, DateKind: cynllun.DateReview,
			Rationale: "Reduces reliance on spoken instructions.",
		})
	}
	return c
}
