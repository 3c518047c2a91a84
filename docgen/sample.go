package docgen

// A sample document for tests, benchmarks and cmd/pdfbench (which prints
// the same content with Chromium), so all of them measure one document.

import (
	"fmt"
	"time"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/form"
	"github.com/cynllun/cynllun/ledger"
)

// sampleDiacritics are the Welsh letters that the PDF core fonts lose or keep.
const sampleDiacritics = "ŵ ŷ â ê î ô û ï"

// SamplePlan is a draft, LA-maintained plan with realistic text and rows
// provision rows. Row i's provision ends with the marker ROW-i-END.
func SamplePlan(rows int) PlanDoc {
	yes, no := true, false
	c := &cynllun.Content{
		Consent: cynllun.Consent{
			ConsentGiven:   &yes,
			ConsentDetails: "Siân's parents gave consent at the person-centred planning meeting on 3 March 2026.",
			CapacityIssues: &no,
		},
		Dates: cynllun.MaintainerInfo{
			StartDate:          cynllun.MustDate("2026-09-01"),
			ReviewTargetDate:   cynllun.MustDate("2027-01-07"),
			ProposedReviewDate: cynllun.MustDate("2027-07-15"),
		},
		Profile: cynllun.Profile{
			LikeAndAdmire: []cynllun.Statement{
				{Text: "Siân is kind, funny and a brilliant storyteller; her friends say she always notices when someone is left out."},
				{Text: "Dw i'n dda am adrodd straeon am ddreigiau a'r môr. " + sampleDiacritics, DirectQuote: true},
			},
			ImportantToMe: []cynllun.Statement{
				{Text: "Having time to get ready before a change of lesson, and knowing who will be in the classroom."},
				{Text: "I like it when people talk to me in Welsh and give me time to answer.", DirectQuote: true},
			},
			HowToSupportMe: []cynllun.Statement{
				{Text: "Give instructions one step at a time and check understanding quietly; use a visual timetable at the start of the day."},
			},
			Media: []string{"att-drawing-1"},
		},
		Needs: []cynllun.NeedEntry{
			{
				Description:      "Siân has a specific learning difficulty affecting reading fluency and spelling, and anxiety in busy, noisy settings.",
				ImpactOnLearning: "She reads two years below the expected level, avoids written tasks and often leaves the classroom when it is loud.",
				Reasons:          "Assessment by the educational psychologist in January 2026 and two terms of targeted intervention.",
			},
			{Description: "Speech sound difficulties that make her less willing to speak in whole-class discussion."},
		},
		Provision: make([]cynllun.ProvisionRow, rows),
		Placement: &cynllun.Placement{NamedSchool: "Ysgol Gymraeg Bro Tŷ Gwyn"},
		MeetingSummary: "What is important to Siân: her family, her dog and swimming in the sea at Llŷn.\n" +
			"What is working: the reading group, the quiet room at lunchtime.\n" +
			"What is not working: large assemblies; homework without a checklist.\n" +
			"Action plan: the ALNCo will arrange speech and language therapy and review the plan in January.",
		FurtherSections: []cynllun.FurtherSection{
			{Key: "3B", Text: "September 2025: started Year 5. January 2026: assessment by the educational psychologist."},
		},
		Appendices: []cynllun.Appendix{
			{Title: "Interim targets", Text: "Read 60 words a minute with 95% accuracy by Christmas.", AttachmentID: "att-targets-1"},
		},
	}
	for i := range c.Provision {
		n := i + 1
		r := cynllun.ProvisionRow{
			ID:              fmt.Sprintf("row-%d", n),
			IntendedOutcome: fmt.Sprintf("Outcome %d: Siân will read a short passage aloud to an adult with fewer than five errors and talk about what happened in it.", n),
			Provision: fmt.Sprintf("Provision %d: a structured, multi-sensory literacy programme delivered by a trained teaching assistant in the quiet room, "+
				"following the programme's lesson plans and recording progress after each session; the class teacher adapts written tasks "+
				"with word banks and writing frames and gives Siân extra time; progress is shared with her parents every half term. ROW-%d-END", n, n),
			WelshMedium:     new(n%2 == 1),
			Provider:        "Ysgol Gymraeg Bro Tŷ Gwyn",
			ProviderType:    cynllun.ProviderSchool,
			StartDate:       cynllun.MustDate("2026-09-07"),
			ReviewOrEndDate: cynllun.MustDate("2027-01-07"),
			DateKind:        cynllun.DateReview,
			Rationale:       "Reading fluency is the main barrier to her learning across the curriculum, and the programme has worked for pupils with a similar profile.",
			Quantity:        &cynllun.Quantity{MinutesPerSession: 30, Sessions: 2, Per: cynllun.PerWeek, GroupSize: 1},
		}
		if n%5 == 0 {
			r.NHSSecured, r.NHSBody = true, "Bwrdd Iechyd Prifysgol Betsi Cadwaladr"
			r.ProviderType = cynllun.ProviderNHSBody
			r.DateKind = cynllun.DateEnd
			r.Quantity = &cynllun.Quantity{MinutesPerSession: 45, Sessions: 1, Per: cynllun.PerFortnight, GroupSize: 4}
		}
		c.Provision[i] = r
	}
	return PlanDoc{
		Learner: &cynllun.Learner{
			ID: "l-1", GivenName: "Siân", FamilyName: "ap Gwŷn",
			DateOfBirth: cynllun.MustDate("2015-11-23"), Language: cynllun.LanguageCY,
		},
		Plan: &cynllun.Plan{ID: "p-1", LearnerID: "l-1", MaintainerID: "la-1", LAMaintained: true},
		Version: &cynllun.Version{
			ID: "p-1/v3", PlanID: "p-1", LearnerID: "l-1", Number: 3, Status: cynllun.VersionDraft,
			FormVersion: form.CurrentVersion, Content: c,
			CreatedAt: time.Date(2026, 3, 4, 15, 30, 0, 0, time.UTC),
		},
		Maintainer:     "Cyngor Sir Ynys Môn",
		LocalAuthority: "Cyngor Sir Ynys Môn",
		Setting:        "Ysgol Gymraeg Bro Tŷ Gwyn",
	}
}

// SampleMeeting is the record of a concluded review, on request, of a plan
// like SamplePlan's: everyone's views, every heading filled in, a
// disagreement, a delivery ledger with a shortfall, and a decision to
// revise the plan whose revised version changed 2B (a row's amount, a
// rewritten outcome, a row ended and a row added) and the review dates.
func SampleMeeting() MeetingDoc {
	yes, no := true, false
	plan := SamplePlan(3)
	reviewed := plan.Version
	reviewed.Status = cynllun.VersionFinal
	reviewed.CreatedAt = time.Date(2026, 9, 4, 11, 0, 0, 0, time.UTC)
	c := reviewed.Content
	// Row 2 is speech and language therapy from the health board; row 3,
	// a lunchtime nurture group, has no structured amount.
	r2 := &c.Provision[1]
	r2.IntendedOutcome = "Siân will say her four target speech sounds clearly in single words and in short sentences."
	r2.Provision = "Speech and language therapy: a therapist from the health board works with Siân on speech sounds and shares a home programme with her parents. ROW-2-END"
	r2.Provider, r2.ProviderType = "Bwrdd Iechyd Prifysgol Betsi Cadwaladr", cynllun.ProviderNHSBody
	r2.NHSSecured, r2.NHSBody = true, "Bwrdd Iechyd Prifysgol Betsi Cadwaladr"
	r2.StartDate = cynllun.MustDate("2026-11-02")
	r2.Quantity = &cynllun.Quantity{MinutesPerSession: 45, Sessions: 1, Per: cynllun.PerFortnight, GroupSize: 1}
	r3 := &c.Provision[2]
	r3.IntendedOutcome = "Siân will tell an adult when she needs a break and go to the quiet room calmly."
	r3.Provision = "A nurture group in the quiet room at lunchtime, led by the teaching assistant, as Siân needs it. ROW-3-END"
	r3.Quantity = nil

	revised := &cynllun.Version{
		ID: "p-1/v4", PlanID: "p-1", LearnerID: "l-1", Number: 4, Status: cynllun.VersionFinal,
		FormVersion: form.CurrentVersion,
		CreatedAt:   time.Date(2027, 1, 14, 15, 30, 0, 0, time.UTC),
	}
	rc := *c
	rc.Dates.ReviewTargetDate = cynllun.MustDate("2028-01-06")
	rc.Dates.ProposedReviewDate = cynllun.MustDate("2027-07-08")
	rc.Provision = []cynllun.ProvisionRow{c.Provision[0], c.Provision[1]}
	rc.Provision[0].IntendedOutcome = "Siân will read a page of a book of her choice aloud to an adult with fewer than three errors and retell the story in her own words."
	q := *rc.Provision[1].Quantity
	q.Per = cynllun.PerWeek
	rc.Provision[1].Quantity = &q
	rc.Provision = append(rc.Provision, cynllun.ProvisionRow{
		ID:              "row-4",
		IntendedOutcome: "Siân will take part in a small-group discussion every week and say what she thinks at least once.",
		Provision:       "A social communication group of four pupils, led by the ALNCo, once a week for 30 minutes. ROW-4-END",
		WelshMedium:     new(true),
		Provider:        "Ysgol Gymraeg Bro Tŷ Gwyn", ProviderType: cynllun.ProviderSchool,
		StartDate:       cynllun.MustDate("2027-01-18"),
		ReviewOrEndDate: cynllun.MustDate("2027-07-08"), DateKind: cynllun.DateReview,
		Rationale: "Siân is less willing to speak in class since her speech sounds became harder to understand.",
		Quantity:  &cynllun.Quantity{MinutesPerSession: 30, Sessions: 1, Per: cynllun.PerWeek, GroupSize: 4},
	})
	revised.Content = &rc

	review := &cynllun.Review{
		ID: "rev-1", Revision: 2, PlanID: "p-1", LearnerID: "l-1",
		Type: cynllun.ReviewOnRequest, Status: cynllun.ReviewConcluded,
		Request: &cynllun.ReviewRequest{
			By: cynllun.RequesterParent, ByName: "Eleri ap Gwŷn",
			RequestedOn: cynllun.MustDate("2026-11-20"),
			Reason:      "Siân has become anxious about speaking in class and her mother would like the speech and language therapy looked at again.",
			DecidedOn:   cynllun.MustDate("2026-11-27"), DecidedBy: "u-alnco",
		},
		PlanVersion: 3, HeldOn: cynllun.MustDate("2027-01-07"), DurationMinutes: 45,
		Participants: []cynllun.Participant{
			{Name: "Siân ap Gwŷn", Role: cynllun.RoleChild, Attendance: cynllun.AttendedInPerson, Agreed: &yes},
			{Name: "Eleri ap Gwŷn", Role: cynllun.RoleParent, Attendance: cynllun.AttendedInPerson, Agreed: &yes},
			{Name: "Rhys Owen", Role: cynllun.RoleALNCo, Organisation: "Ysgol Gymraeg Bro Tŷ Gwyn", Attendance: cynllun.AttendedInPerson, Agreed: &yes},
			{Name: "Dr Ffion Prydderch", Role: cynllun.RoleHealth, Organisation: "Bwrdd Iechyd Prifysgol Betsi Cadwaladr", Attendance: cynllun.AttendedRemotely, Agreed: &no},
			{Name: "Gareth Wyn Jones", Role: cynllun.RoleLAOfficer, Organisation: "Cyngor Sir Ynys Môn", Attendance: cynllun.ContributedInWriting},
		},
		ChildViews: []cynllun.ChildView{
			{
				Format:     cynllun.ViewOwnWords,
				Text:       "Dw i'n hoffi darllen am yr ŵyn bach ar fferm Taid yn Llŷn. Dw i ddim yn hoffi siarad o flaen y dosbarth i gyd achos mae pawb yn edrych arna i.",
				GatheredBy: "Mrs Nia Hughes, teaching assistant, in the quiet room before the meeting",
			},
			{
				Format:      cynllun.ViewDrawing,
				Text:        "Siân drew herself reading to her dog in the tŷ bach at the end of the garden; she said it is where she feels brave.",
				GatheredBy:  "Mrs Nia Hughes",
				Attachments: []string{"att-drawing-2"},
			},
		},
		ParentViews: []cynllun.ParentView{{
			Name: "Eleri ap Gwŷn",
			Text: "Siân reads to us every night now and is proud of it. She still comes home upset when she has had to speak in front of the class, and the therapy every fortnight is not enough to keep her going between sessions.",
		}},
		PersonCentred: cynllun.PersonCentred{
			ImportantTo:  []string{"Her family, her dog Mot and visiting Taid's farm in Llŷn.", "Being given time to answer, in Welsh."},
			ImportantFor: []string{"Short, regular reading practice with an adult she trusts.", "Knowing in advance when she will be asked to speak."},
			Working:      []string{"The reading programme: she has moved up two reading levels since September.", "The quiet room at lunchtime."},
			NotWorking:   []string{"Speaking in front of the whole class.", "Therapy every fortnight is too far apart for the home programme to stick."},
			Questions:    []string{"Would a small group help Siân speak up before she has to in front of the class?"},
			ActionPlan: []cynllun.Action{
				{Action: "Ask the health board to increase speech and language therapy to once a week.", Owner: "Rhys Owen (ALNCo)", Due: cynllun.MustDate("2027-01-21")},
				{Action: "Start a weekly social communication group.", Owner: "Rhys Owen (ALNCo)", Due: cynllun.MustDate("2027-01-18")},
				{Action: "Share the home reading log with Siân's parents every Friday.", Owner: "Mrs Nia Hughes", Due: cynllun.MustDate("2027-01-15")},
			},
		},
		FourPlusOne: cynllun.FourPlusOne{
			Tried:     "A structured literacy programme twice a week, fortnightly speech and language therapy, and the lunchtime nurture group.",
			Learned:   "Siân makes the most progress with short, frequent sessions and when she knows what is coming.",
			Pleased:   "Her reading: she now reads aloud at home every night.",
			Concerned: "She is speaking less in class, and three reading sessions were missed in the autumn term when the teaching assistant was off sick.",
			Next:      "Keep the reading programme, make up missed sessions, increase therapy to weekly, and add a small social communication group.",
		},
		NeedsDiscussion: "Everyone agreed that the description of Siân's needs in 2A is still right. Her reading has improved; her speech sound difficulties now affect her confidence more than before.",
		Provision: []cynllun.ProvisionReview{
			{RowID: "row-1", Delivered: cynllun.AnswerPartly, Effective: cynllun.AnswerYes, StillNeeded: cynllun.AnswerYes, Change: cynllun.ChangeContinue,
				Notes: "Three sessions were missed in November when the teaching assistant was off sick; the school will make them up before half term."},
			{RowID: "row-2", Delivered: cynllun.AnswerPartly, Effective: cynllun.AnswerPartly, StillNeeded: cynllun.AnswerYes, Change: cynllun.ChangeIncrease,
				Notes: "One session was cancelled by the health board. Therapy to be weekly."},
			{RowID: "row-3", Delivered: cynllun.AnswerYes, Effective: cynllun.AnswerYes, StillNeeded: cynllun.AnswerNo, Change: cynllun.ChangeEnd,
				Notes: "Siân now goes to the quiet room on her own when she needs it."},
		},
		Outcomes: []cynllun.OutcomeReview{
			{RowID: "row-1", Status: cynllun.OutcomeAchieved, Notes: "She read a passage aloud with two errors in December.", Revised: true},
			{RowID: "row-2", Status: cynllun.OutcomePartly, Notes: "Two of her four target sounds are secure."},
			{RowID: "row-3", Status: cynllun.OutcomeAchieved},
		},
		NewEvidence: []cynllun.Evidence{{
			Title: "Speech and language therapy progress report", Source: "Dr Ffion Prydderch, Bwrdd Iechyd Prifysgol Betsi Cadwaladr",
			Date:       cynllun.MustDate("2026-12-10"),
			Summary:    "Two of four target sounds secure in single words; carry-over into conversation is limited. Recommends weekly therapy for a term.",
			Attachment: "att-salt-report-1",
		}},
		CapacityDiscussion: "The local authority maintains the plan and confirmed it can secure the increased therapy with the health board.",
		CanMaintain:        &yes,
		Disagreements: []cynllun.Disagreement{{
			Who: "Dr Ffion Prydderch", Role: cynllun.RoleHealth, About: "How long weekly therapy should last", RowID: "row-2",
			Details:    "The therapist recommends weekly therapy for a term and then a review; the plan sets it weekly until the next review in July.",
			Resolution: "Unresolved: the therapist will report again at February half term and the ALNCo will call a review if needed.",
		}},
		Decision: &cynllun.Decision{
			Kind: cynllun.DecisionRevised, DecidedOn: cynllun.MustDate("2027-01-14"), DecidedBy: "u-la-officer", Version: 4,
			Reasons: "Siân's reading outcome was achieved and has been rewritten; therapy is increased to weekly; the nurture group is no longer needed; a social communication group is added.",
		},
		CreatedAt: time.Date(2027, 1, 14, 16, 5, 0, 0, time.UTC), CreatedBy: "u-alnco",
		OpenedAt: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC), OpenedBy: "u-alnco",
	}

	from, to := cynllun.MustDate("2026-09-07"), cynllun.MustDate("2026-12-18")
	return MeetingDoc{
		Learner:  plan.Learner,
		Plan:     plan.Plan,
		Review:   review,
		Reviewed: reviewed,
		Revised:  revised,
		Ledger: []ledger.RowSummary{
			{
				RowID: "row-1", Quantity: c.Provision[0].Quantity, From: from, To: to, Basis: ledger.BasisTermCalendar,
				PlannedKnown: true, Planned: 28, PlannedMinutes: 840, Delivered: 25, DeliveredMinutes: 750, Missed: 3, MissedMinutes: 90,
				ShortfallSessions: 3, ShortfallMinutes: 90, PeriodsShort: 2,
			},
			{
				RowID: "row-2", Quantity: r2.Quantity, From: r2.StartDate, To: to, Basis: ledger.BasisWeekdays,
				PlannedKnown: true, Planned: 4, PlannedMinutes: 180, Delivered: 3, DeliveredMinutes: 135, Missed: 1, MissedMinutes: 45,
				ShortfallSessions: 1, ShortfallMinutes: 45, PeriodsShort: 1, Warnings: []string{ledger.WarnNoCalendar},
			},
			{
				RowID: "row-3", From: from, To: to, Basis: ledger.BasisTermCalendar,
				Delivered: 22, DeliveredMinutes: 440, Warnings: []string{ledger.WarnNoQuantity},
			},
		},
		LedgerFrom: from, LedgerTo: to,
		Maintainer:     plan.Maintainer,
		LocalAuthority: plan.LocalAuthority,
		Setting:        plan.Setting,
	}
}
