package docgen

// A sample document for tests, benchmarks and cmd/pdfbench (which prints
// the same content with Chromium), so all of them measure one document.

import (
	"fmt"
	"time"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/form"
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
			WelshMedium:     n%2 == 1,
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
