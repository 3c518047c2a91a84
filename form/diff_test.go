package form

import (
	"strings"
	"testing"

	"github.com/cynllun/cynllun"
	"github.com/google/go-cmp/cmp"
)

func threeRows() *cynllun.Content {
	return &cynllun.Content{Provision: []cynllun.ProvisionRow{
		{ID: "row_a", Provision: "Visual timetable"},
		{ID: "row_b", Provision: "Social skills group"},
		{ID: "row_c", Provision: "30 minutes speech therapy"},
	}}
}

func TestDiff(t *testing.T) {
	en, cy := cynllun.LanguageEN, cynllun.LanguageCY
	tests := []struct {
		name     string
		from, to func() *cynllun.Content
		lang     cynllun.Language
		want     []Change
	}{
		{"identical", fullContent, fullContent, en, nil},
		{"both nil", nil, nil, en, nil},
		{"nil and empty", nil, func() *cynllun.Content { return &cynllun.Content{Placement: &cynllun.Placement{}} }, en, nil},
		{
			"2B provision changed",
			threeRows,
			func() *cynllun.Content {
				c := threeRows()
				c.Provision[2].Provision = "45 minutes speech therapy"
				return c
			},
			en,
			[]Change{{
				Section: "2B", Path: "provision[row_c].provision", Row: 3, Field: "provision", Kind: Changed,
				From: "30 minutes speech therapy", To: "45 minutes speech therapy",
				Summary: `2B row 3: provision changed from ‘30 minutes speech therapy’ to ‘45 minutes speech therapy’`,
			}},
		},
		{
			"2B row added and row removed",
			threeRows,
			func() *cynllun.Content {
				c := threeRows()
				c.Provision = append(c.Provision, cynllun.ProvisionRow{ID: "row_d", Provision: "Laptop", WelshMedium: new(true),
					StartDate: cynllun.MustDate("2025-09-01")})
				c.Provision = append(c.Provision[:1], c.Provision[2:]...)
				return c
			},
			en,
			[]Change{
				{Section: "2B", Path: "provision[row_d]", Row: 3, Kind: Added,
					To: "Provision: Laptop; To be provided in Welsh: yes; Start date: 1 September 2025", Summary: "2B row 3 added: Laptop"},
				{Section: "2B", Path: "provision[row_b]", Row: 2, Kind: Removed,
					From: "Provision: Social skills group", Summary: "2B row 2 removed: Social skills group"},
			},
		},
		{
			"2B rows reordered",
			threeRows,
			func() *cynllun.Content {
				c := threeRows()
				c.Provision[0], c.Provision[2] = c.Provision[2], c.Provision[0]
				return c
			},
			en, nil,
		},
		{
			"2B rows reordered and one changed",
			threeRows,
			func() *cynllun.Content {
				c := threeRows()
				c.Provision[0], c.Provision[2] = c.Provision[2], c.Provision[0]
				c.Provision[0].WelshMedium = new(true)
				return c
			},
			en,
			// Not stated before (nil), so stating it is an addition.
			[]Change{{Section: "2B", Path: "provision[row_c].welshMedium", Row: 1, Field: "welshMedium", Kind: Added,
				To: "yes", Summary: `2B row 1: to be provided in Welsh added: ‘yes’`}},
		},
		{
			"2B structured values",
			fullContent,
			func() *cynllun.Content {
				c := fullContent()
				r := &c.Provision[0]
				r.Quantity = &cynllun.Quantity{MinutesPerSession: 45, Sessions: 1, Per: cynllun.PerFortnight, GroupSize: 4}
				r.DateKind = cynllun.DateEnd
				r.ProviderType = cynllun.ProviderLA
				r.StartDate = cynllun.Date{}
				r.NHSBody = ""
				return c
			},
			en,
			[]Change{
				{Section: "2B", Path: "provision[row_a].provider", Row: 1, Field: "provider", Kind: Changed,
					From: "Cardiff and Vale UHB (NHS body)", To: "Cardiff and Vale UHB (local authority)",
					Summary: `2B row 1: provider changed from ‘Cardiff and Vale UHB (NHS body)’ to ‘Cardiff and Vale UHB (local authority)’`},
				{Section: "2B", Path: "provision[row_a].startDate", Row: 1, Field: "startDate", Kind: Removed,
					From: "1 September 2025", Summary: `2B row 1: start date removed (was ‘1 September 2025’)`},
				{Section: "2B", Path: "provision[row_a].reviewOrEndDate", Row: 1, Field: "reviewOrEndDate", Kind: Changed,
					From: "1 July 2026 (review date)", To: "1 July 2026 (end date)",
					Summary: `2B row 1: review or end date changed from ‘1 July 2026 (review date)’ to ‘1 July 2026 (end date)’`},
				{Section: "2B", Path: "provision[row_a].quantity", Row: 1, Field: "quantity", Kind: Changed,
					From: "30 minutes, 2 sessions per week, group of 1", To: "45 minutes, 1 session per fortnight, group of 4",
					Summary: `2B row 1: amount and frequency changed from ‘30 minutes, 2 sessions per week, group of 1’ to ‘45 minutes, 1 session per fortnight, group of 4’`},
				{Section: "2B", Path: "provision[row_a].nhsBody", Row: 1, Field: "nhsBody", Kind: Removed,
					From: "Cardiff and Vale UHB", Summary: `2B row 1: NHS body removed (was ‘Cardiff and Vale UHB’)`},
			},
		},
		{
			"1C quote flag changed",
			fullContent,
			func() *cynllun.Content {
				c := fullContent()
				c.Profile.ImportantToMe[0].DirectQuote = false
				return c
			},
			en,
			[]Change{{Section: "1C", Path: "profile.importantToMe[0].directQuote", Row: 1, Field: "importantToMe", Kind: Changed,
				From: "yes", To: "no", Summary: `1C What's important to me, item 1: direct quote changed from ‘yes’ to ‘no’`}},
		},
		{
			"1C statements and media",
			fullContent,
			func() *cynllun.Content {
				c := fullContent()
				c.Profile.LikeAndAdmire = c.Profile.LikeAndAdmire[:1]
				c.Profile.HowToSupportMe = append(c.Profile.HowToSupportMe, cynllun.Statement{Text: "Talk to me in Welsh", DirectQuote: true})
				c.Profile.Media = []string{"att_2", "att_3"}
				return c
			},
			en,
			[]Change{
				{Section: "1C", Path: "profile.likeAndAdmire[1]", Row: 2, Field: "likeAndAdmire", Kind: Removed,
					From: "Funny and kind", Summary: "1C What people like and admire about me, item 2 removed: Funny and kind"},
				{Section: "1C", Path: "profile.howToSupportMe[1]", Row: 2, Field: "howToSupportMe", Kind: Added,
					To: "Talk to me in Welsh (direct quote)", Summary: "1C How best to support me, item 2 added: Talk to me in Welsh"},
				{Section: "1C", Path: "profile.media[att_3]", Field: "media", Kind: Added,
					To: "att_3", Summary: `1C: drawings, photographs, audio and video added: ‘att_3’`},
				{Section: "1C", Path: "profile.media[att_1]", Field: "media", Kind: Removed,
					From: "att_1", Summary: `1C: drawings, photographs, audio and video removed (was ‘att_1’)`},
			},
		},
		{
			"media reordered",
			fullContent,
			func() *cynllun.Content {
				c := fullContent()
				c.Profile.Media = []string{"att_2", "att_1"}
				return c
			},
			en, nil,
		},
		{
			"2D added",
			func() *cynllun.Content { return &cynllun.Content{} },
			func() *cynllun.Content {
				return &cynllun.Content{Placement: &cynllun.Placement{NamedSchool: "Ysgol Plasmawr", BoardAndLodging: "Weekly boarding"}}
			},
			en,
			[]Change{{Section: "2D", Path: "placement", Kind: Added,
				To: "School named for admission: Ysgol Plasmawr; Board and lodging: Weekly boarding", Summary: "2D added: Ysgol Plasmawr"}},
		},
		{
			"2D removed and changed",
			fullContent,
			func() *cynllun.Content {
				c := fullContent()
				c.Placement = nil
				return c
			},
			en,
			[]Change{{Section: "2D", Path: "placement", Kind: Removed,
				From: "School named for admission: Ysgol Gymraeg Treganna", Summary: "2D removed: Ysgol Gymraeg Treganna"}},
		},
		{
			"2D field changed",
			fullContent,
			func() *cynllun.Content {
				c := fullContent()
				c.Placement.OtherInstitution = "Canolfan"
				return c
			},
			en,
			[]Change{{Section: "2D", Path: "placement.otherInstitution", Field: "otherInstitution", Kind: Added,
				To: "Canolfan", Summary: `2D: school or other institution added: ‘Canolfan’`}},
		},
		{
			"every other section, in form order",
			fullContent,
			func() *cynllun.Content {
				c := fullContent()
				c.Appendices = append(c.Appendices, cynllun.Appendix{Title: "IHP"})
				c.FurtherSections = []cynllun.FurtherSection{{Key: "3C", Text: "Moves to Ysgol Plasmawr in 2028"}, {Key: "3D", Text: "Reviewed"}}
				c.MeetingSummary = "What is working: more"
				c.Needs[0].Reasons = "Parents and school disagreed"
				c.Dates.ProposedReviewDate = cynllun.MustDate("2026-06-22")
				c.Consent.ConsentGiven = nil
				return c
			},
			en,
			[]Change{
				{Section: "1A", Path: "consent.consentGiven", Field: "consentGiven", Kind: Removed, From: "yes",
					Summary: `1A: consent given removed (was ‘yes’)`},
				{Section: "1B", Path: "dates.proposedReviewDate", Field: "proposedReviewDate", Kind: Changed, From: "15 June 2026", To: "22 June 2026",
					Summary: `1B: proposed review date changed from ‘15 June 2026’ to ‘22 June 2026’`},
				{Section: "2A", Path: "needs[0].reasons", Row: 1, Field: "reasons", Kind: Added, To: "Parents and school disagreed",
					Summary: `2A item 1: reasons for deciding there are additional learning needs added: ‘Parents and school disagreed’`},
				{Section: "3A", Path: "meetingSummary", Field: "meetingSummary", Kind: Changed, From: "What is working: …", To: "What is working: more",
					Summary: `3A: summary changed from ‘What is working: …’ to ‘What is working: more’`},
				{Section: "3B", Path: "furtherSections[3B].text", Field: "text", Kind: Removed, From: "2024: referral",
					Summary: `3B: details removed (was ‘2024: referral’)`},
				{Section: "3C", Path: "furtherSections[3C].text", Field: "text", Kind: Changed,
					From: "Moves to Ysgol Plasmawr in 2027", To: "Moves to Ysgol Plasmawr in 2028",
					Summary: `3C: details changed from ‘Moves to Ysgol Plasmawr in 2027’ to ‘Moves to Ysgol Plasmawr in 2028’`},
				{Section: "3D", Path: "furtherSections[3D].text", Field: "text", Kind: Added, To: "Reviewed",
					Summary: `3D: details added: ‘Reviewed’`},
				{Section: "APPENDICES", Path: "appendices[1]", Row: 2, Kind: Added, To: "Title: IHP",
					Summary: "Appendices item 2 added: IHP"},
			},
		},
		{
			"Welsh summaries",
			fullContent,
			func() *cynllun.Content {
				c := fullContent()
				c.Provision[0].Provision = "45 munud o therapi lleferydd"
				c.Provision[0].Quantity.Sessions = 3
				c.Provision = append(c.Provision[:1], cynllun.ProvisionRow{ID: "row_n", Provision: "Gliniadur"})
				c.Profile.ImportantToMe[0].DirectQuote = false
				c.Placement = nil
				c.Appendices = nil
				return c
			},
			cy,
			[]Change{
				{Section: "1C", Path: "profile.importantToMe[0].directQuote", Row: 1, Field: "importantToMe", Kind: Changed,
					From: "ie", To: "na", Summary: `1C Beth sy'n bwysig i mi, eitem 1, dyfyniad uniongyrchol: newidiwyd o ‘ie’ i ‘na’`},
				{Section: "2B", Path: "provision[row_a].provision", Row: 1, Field: "provision", Kind: Changed,
					From: "30 minutes speech therapy", To: "45 munud o therapi lleferydd",
					Summary: `2B rhes 1, darpariaeth: newidiwyd o ‘30 minutes speech therapy’ i ‘45 munud o therapi lleferydd’`},
				{Section: "2B", Path: "provision[row_a].quantity", Row: 1, Field: "quantity", Kind: Changed,
					From: "30 munud, 2 sesiwn yr wythnos, grŵp o 1", To: "30 munud, 3 sesiwn yr wythnos, grŵp o 1",
					Summary: `2B rhes 1, faint a pha mor aml: newidiwyd o ‘30 munud, 2 sesiwn yr wythnos, grŵp o 1’ i ‘30 munud, 3 sesiwn yr wythnos, grŵp o 1’`},
				{Section: "2B", Path: "provision[row_n]", Row: 2, Kind: Added,
					To: "Darpariaeth: Gliniadur", Summary: "Ychwanegwyd 2B rhes 2: Gliniadur"},
				{Section: "2B", Path: "provision[row_b]", Row: 2, Kind: Removed,
					From:    "Darpariaeth: Visual timetable; Darparwr: Ysgol Gymraeg Treganna (ysgol)",
					Summary: "Dilëwyd 2B rhes 2: Visual timetable"},
				{Section: "2D", Path: "placement", Kind: Removed, From: "Ysgol a enwir ar gyfer derbyn: Ysgol Gymraeg Treganna",
					Summary: "Dilëwyd 2D: Ysgol Gymraeg Treganna"},
				{Section: "APPENDICES", Path: "appendices[0]", Row: 1, Kind: Removed,
					From: "Teitl: Speech therapy report; Ffeil atodedig: att_9", Summary: "Dilëwyd Atodiadau eitem 1: Speech therapy report"},
			},
		},
		{
			"Welsh field added and removed",
			func() *cynllun.Content {
				return &cynllun.Content{Dates: cynllun.MaintainerInfo{StartDate: cynllun.MustDate("2025-09-01")}}
			},
			func() *cynllun.Content {
				return &cynllun.Content{Dates: cynllun.MaintainerInfo{ReviewTargetDate: cynllun.MustDate("2026-07-01")}}
			},
			cy,
			[]Change{
				{Section: "1B", Path: "dates.startDate", Field: "startDate", Kind: Removed, From: "1 Medi 2025",
					Summary: `1B, dyddiad dechrau: dilëwyd ‘1 Medi 2025’`},
				{Section: "1B", Path: "dates.reviewTargetDate", Field: "reviewTargetDate", Kind: Added, To: "1 Gorffennaf 2026",
					Summary: `1B, dyddiad targed yr adolygiad: ychwanegwyd ‘1 Gorffennaf 2026’`},
			},
		},
		{
			"issue 18: NHS-secured from not stated to yes, a new row described, dates written out",
			threeRows,
			func() *cynllun.Content {
				c := threeRows()
				c.Provision[0].NHSSecured = true
				c.Provision[1].StartDate = cynllun.MustDate("2026-11-03")
				c.Provision = append(c.Provision, cynllun.ProvisionRow{ID: "row_d",
					Provision: "30 minutes of 1:1 speech and language therapy weekly", StartDate: cynllun.MustDate("2027-01-04")})
				return c
			},
			en,
			[]Change{
				{Section: "2B", Path: "provision[row_a].nhsSecured", Row: 1, Field: "nhsSecured", Kind: Changed, From: "not stated", To: "yes",
					Summary: "2B row 1: to be secured by an NHS body changed from ‘not stated’ to ‘yes’"},
				{Section: "2B", Path: "provision[row_b].startDate", Row: 2, Field: "startDate", Kind: Added, To: "3 November 2026",
					Summary: "2B row 2: start date added: ‘3 November 2026’"},
				{Section: "2B", Path: "provision[row_d]", Row: 4, Kind: Added,
					To:      "Provision: 30 minutes of 1:1 speech and language therapy weekly; Start date: 4 January 2027",
					Summary: "2B row 4 added: 30 minutes of 1:1 speech and language therapy weekly"},
			},
		},
		{
			"issue 18 in Welsh: heb ei nodi, Tachwedd, the row described",
			threeRows,
			func() *cynllun.Content {
				c := threeRows()
				c.Provision[0].NHSSecured = true
				c.Provision[1].StartDate = cynllun.MustDate("2026-11-03")
				c.Provision = append(c.Provision, cynllun.ProvisionRow{ID: "row_d", Provision: "30 munud o therapi lleferydd bob wythnos"})
				return c
			},
			cy,
			[]Change{
				{Section: "2B", Path: "provision[row_a].nhsSecured", Row: 1, Field: "nhsSecured", Kind: Changed, From: "heb ei nodi", To: "ie",
					Summary: "2B rhes 1, i'w sicrhau gan gorff GIG: newidiwyd o ‘heb ei nodi’ i ‘ie’"},
				{Section: "2B", Path: "provision[row_b].startDate", Row: 2, Field: "startDate", Kind: Added, To: "3 Tachwedd 2026",
					Summary: "2B rhes 2, dyddiad dechrau: ychwanegwyd ‘3 Tachwedd 2026’"},
				{Section: "2B", Path: "provision[row_d]", Row: 4, Kind: Added, To: "Darpariaeth: 30 munud o therapi lleferydd bob wythnos",
					Summary: "Ychwanegwyd 2B rhes 4: 30 munud o therapi lleferydd bob wythnos"},
			},
		},
		{
			"a row with no provision is described by its outcome; one with nothing is just named",
			func() *cynllun.Content { return &cynllun.Content{} },
			func() *cynllun.Content {
				return &cynllun.Content{Provision: []cynllun.ProvisionRow{{ID: "a", IntendedOutcome: "Reads aloud in class"}, {ID: "b"}}}
			},
			en,
			[]Change{
				{Section: "2B", Path: "provision[a]", Row: 1, Kind: Added, To: "Intended outcome: Reads aloud in class", Summary: "2B row 1 added: Reads aloud in class"},
				{Section: "2B", Path: "provision[b]", Row: 2, Kind: Added, Summary: "2B row 2 added"},
			},
		},
		{
			"long and multi-line values are shortened in the summary only",
			func() *cynllun.Content { return &cynllun.Content{MeetingSummary: "short"} },
			func() *cynllun.Content {
				return &cynllun.Content{MeetingSummary: "line one\n\nline two " + strings.Repeat("x", 200)}
			},
			en,
			[]Change{{Section: "3A", Path: "meetingSummary", Field: "meetingSummary", Kind: Changed,
				From: "short", To: "line one\n\nline two " + strings.Repeat("x", 200),
				Summary: `3A: summary changed from ‘short’ to ‘line one line two ` + strings.Repeat("x", 81) + `…’`}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var from, to *cynllun.Content
			if tt.from != nil {
				from = tt.from()
			}
			if tt.to != nil {
				to = tt.to()
			}
			got := Diff(Current(), from, to, tt.lang)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Diff (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDiffNilDefinitionAndUnknownSections(t *testing.T) {
	from := &cynllun.Content{FurtherSections: []cynllun.FurtherSection{{Key: "3Z", Text: "old"}}}
	to := &cynllun.Content{FurtherSections: []cynllun.FurtherSection{{Key: "3Z", Text: "new"}}, Appendices: []cynllun.Appendix{{Title: "A"}}}
	want := []Change{
		{Section: "3Z", Path: "furtherSections[3Z].text", Field: "text", Kind: Changed, From: "old", To: "new",
			Summary: `3Z: text changed from ‘old’ to ‘new’`},
		{Section: "APPENDICES", Path: "appendices[0]", Row: 1, Kind: Added, To: "Title: A", Summary: "Appendices item 1 added: A"},
	}
	if diff := cmp.Diff(want, Diff(nil, from, to, cynllun.LanguageEN)); diff != "" {
		t.Errorf("Diff (-want +got):\n%s", diff)
	}

	// A definition without 2B still reports 2B changes, after its own sections.
	d := Current()
	d.Parts[1].Sections = slices2A(d.Parts[1].Sections)
	got := Diff(d, &cynllun.Content{}, &cynllun.Content{Provision: []cynllun.ProvisionRow{{ID: "r"}}}, cynllun.LanguageEN)
	if len(got) != 1 || got[0].Section != "2B" || got[0].Summary != "2B row 1 added" {
		t.Errorf("Diff with a definition lacking 2B = %+v", got)
	}
}

func slices2A(ss []Section) []Section {
	var out []Section
	for _, s := range ss {
		if s.Key != "2B" {
			out = append(out, s)
		}
	}
	return out
}

func TestDiffRepeatedIDs(t *testing.T) {
	c := &cynllun.Content{Provision: []cynllun.ProvisionRow{{ID: "a"}, {ID: "a", Provision: "x"}, {ID: "a#2", Provision: "y"}, {ID: ""}}}
	if got := Diff(nil, c, c, cynllun.LanguageEN); got != nil {
		t.Errorf("Diff(c, c) = %+v", got)
	}
}

func FuzzDiff(f *testing.F) {
	f.Add("row_a", "30 minutes speech therapy", "Trains", "3B", "att_1", true, 30)
	f.Add("", "", "", "", "", false, 0)
	f.Add("a#2", "\xff\x00", "\uFFFD", "3Z", "a", true, -1)
	f.Fuzz(func(t *testing.T, id, text, statement, key, media string, flag bool, n int) {
		c := &cynllun.Content{
			Consent: cynllun.Consent{ConsentGiven: &flag, ConsentDetails: text},
			Profile: cynllun.Profile{
				ImportantToMe: []cynllun.Statement{{Text: statement, DirectQuote: flag}, {Text: text}},
				Media:         []string{media, media, id},
			},
			Needs: []cynllun.NeedEntry{{Description: text}},
			Provision: []cynllun.ProvisionRow{
				{ID: id, Provision: text, WelshMedium: new(flag), ProviderType: cynllun.ProviderType(key), DateKind: cynllun.DateKind(key),
					Quantity: &cynllun.Quantity{MinutesPerSession: n, Sessions: n, Per: cynllun.Period(key), GroupSize: n}},
				{ID: id + "#2", Provision: statement},
				{ID: id},
			},
			Placement:       &cynllun.Placement{NamedSchool: text},
			MeetingSummary:  statement,
			FurtherSections: []cynllun.FurtherSection{{Key: key, Text: text}, {Key: key, Text: statement}, {Key: "3B", Text: id}},
			Appendices:      []cynllun.Appendix{{Title: statement, Text: text, AttachmentID: id}},
		}
		for _, lang := range []cynllun.Language{cynllun.LanguageEN, cynllun.LanguageCY} {
			if got := Diff(nil, c, c, lang); len(got) != 0 {
				t.Fatalf("Diff(c, c) = %+v", got)
			}
			for _, ch := range Diff(nil, nil, c, lang) {
				// Section is "" only for a further section with an empty key,
				// which validation rejects.
				if ch.Kind != Added || ch.Summary == "" || ch.Path == "" || (ch.Section == "" && key != "") {
					t.Fatalf("Diff(empty, c) gave %+v", ch)
				}
			}
			for _, ch := range Diff(nil, c, nil, lang) {
				if ch.Kind != Removed || ch.Summary == "" {
					t.Fatalf("Diff(c, empty) gave %+v", ch)
				}
			}
		}
		_ = ValidateContent(c, Options{})
	})
}
