package form

import (
	"strconv"
	"strings"
	"testing"

	"github.com/cynllun/cynllun"
	"github.com/google/go-cmp/cmp"
)

func ptr[T any](v T) *T { return &v }

// fullContent is valid content with every section filled in.
func fullContent() *cynllun.Content {
	return &cynllun.Content{
		Consent: cynllun.Consent{ConsentGiven: ptr(true), ConsentDetails: "Rhoddodd Siân ei chydsyniad.", CapacityIssues: ptr(false)},
		Dates: cynllun.MaintainerInfo{
			StartDate:          cynllun.MustDate("2025-09-01"),
			ReviewTargetDate:   cynllun.MustDate("2026-07-01"),
			ProposedReviewDate: cynllun.MustDate("2026-06-15"),
		},
		Profile: cynllun.Profile{
			LikeAndAdmire:  []cynllun.Statement{{Text: "Mae hi'n garedig"}, {Text: "Funny and kind"}},
			ImportantToMe:  []cynllun.Statement{{Text: "Trains", DirectQuote: true}},
			HowToSupportMe: []cynllun.Statement{{Text: "Give me time to answer.\nUse pictures."}},
			Media:          []string{"att_1", "att_2"},
		},
		Needs: []cynllun.NeedEntry{{Description: "Speech, language and communication needs", ImpactOnLearning: "Finds it hard to follow spoken instructions"}},
		Provision: []cynllun.ProvisionRow{
			{
				ID: "row_a", IntendedOutcome: "Follow two-step instructions by July", Provision: "30 minutes speech therapy",
				WelshMedium: new(true), Provider: "Cardiff and Vale UHB", ProviderType: cynllun.ProviderNHSBody,
				StartDate: cynllun.MustDate("2025-09-01"), ReviewOrEndDate: cynllun.MustDate("2026-07-01"), DateKind: cynllun.DateReview,
				Rationale: "Agreed at the meeting", NHSSecured: true, NHSBody: "Cardiff and Vale UHB",
				Quantity: &cynllun.Quantity{MinutesPerSession: 30, Sessions: 2, Per: cynllun.PerWeek, GroupSize: 1},
			},
			{ID: "row_b", Provision: "Visual timetable", Provider: "Ysgol Gymraeg Treganna", ProviderType: cynllun.ProviderSchool},
		},
		Placement:       &cynllun.Placement{NamedSchool: "Ysgol Gymraeg Treganna"},
		MeetingSummary:  "What is working: …",
		FurtherSections: []cynllun.FurtherSection{{Key: "3B", Text: "2024: referral"}, {Key: "3C", Text: "Moves to Ysgol Plasmawr in 2027"}},
		Appendices:      []cynllun.Appendix{{Title: "Speech therapy report", AttachmentID: "att_9"}},
	}
}

func TestValidateContent(t *testing.T) {
	la := Options{LAMaintained: true}
	fe := func(field, msg string) cynllun.FieldError { return cynllun.FieldError{Field: field, Message: msg} }
	rows := func(n int) []cynllun.ProvisionRow {
		rs := make([]cynllun.ProvisionRow, n)
		for i := range rs {
			rs[i].ID = "row_" + strconv.Itoa(i)
		}
		return rs
	}
	tests := []struct {
		name   string
		change func(c *cynllun.Content)
		opts   Options
		want   []cynllun.FieldError
	}{
		{"full content is valid", func(c *cynllun.Content) {}, la, nil},
		{"empty content is valid", func(c *cynllun.Content) { *c = cynllun.Content{} }, Options{}, nil},

		// Text rules reach every kind of field.
		{"invalid UTF-8 in consent details", func(c *cynllun.Content) { c.Consent.ConsentDetails = "caf\xe9" }, la,
			[]cynllun.FieldError{fe("content.consent.consentDetails", "is not valid UTF-8 text")}},
		{"replacement character in a statement", func(c *cynllun.Content) { c.Profile.ImportantToMe[0].Text = "Tr\uFFFDns" }, la,
			[]cynllun.FieldError{fe("content.profile.importantToMe.0.text", "contains the replacement character U+FFFD, a sign the text was damaged when it was copied; please retype the damaged part")}},
		{"control character in provision", func(c *cynllun.Content) { c.Provision[1].Provision = "a\x07b" }, la,
			[]cynllun.FieldError{fe("content.provision.1.provision", "contains a control character, which is not allowed")}},
		{"newline in provider", func(c *cynllun.Content) { c.Provision[0].Provider = "Cardiff\nand Vale" }, la,
			[]cynllun.FieldError{fe("content.provision.0.provider", "must be a single line, without line breaks or tabs")}},
		{"newline in long text is fine", func(c *cynllun.Content) { c.Provision[0].Rationale = "one\ntwo" }, la, nil},
		{"oversize meeting summary", func(c *cynllun.Content) { c.MeetingSummary = strings.Repeat("ŵ", MaxLong+1) }, la,
			[]cynllun.FieldError{fe("content.meetingSummary", "is too long: at most 20000 characters are allowed")}},
		{"long text at the limit", func(c *cynllun.Content) { c.MeetingSummary = strings.Repeat("ŵ", MaxLong) }, la, nil},
		{"oversize statement", func(c *cynllun.Content) { c.Profile.LikeAndAdmire[1].Text = strings.Repeat("a", MaxMedium+1) }, la,
			[]cynllun.FieldError{fe("content.profile.likeAndAdmire.1.text", "is too long: at most 2000 characters are allowed")}},
		{"oversize appendix title", func(c *cynllun.Content) { c.Appendices[0].Title = strings.Repeat("a", MaxShort+1) }, la,
			[]cynllun.FieldError{fe("content.appendices.0.title", "is too long: at most 200 characters are allowed")}},
		{"all text together too large", func(c *cynllun.Content) {
			big := strings.Repeat("a", MaxLong)
			c.Needs = make([]cynllun.NeedEntry, MaxNeeds)
			for i := range c.Needs {
				c.Needs[i] = cynllun.NeedEntry{Description: big, ImpactOnLearning: big, Reasons: big}
			}
		}, la, []cynllun.FieldError{fe("content", "is too large: all its text together must be at most 4 MiB")}},

		// Required values.
		{"empty statement", func(c *cynllun.Content) { c.Profile.HowToSupportMe[0].Text = "  " }, la,
			[]cynllun.FieldError{fe("content.profile.howToSupportMe.0.text", "must not be empty")}},
		{"empty appendix title", func(c *cynllun.Content) { c.Appendices[0].Title = "" }, la,
			[]cynllun.FieldError{fe("content.appendices.0.title", "must not be empty")}},
		{"empty and repeated media ids", func(c *cynllun.Content) { c.Profile.Media = []string{"att_1", "", "att_1"} }, la,
			[]cynllun.FieldError{fe("content.profile.media.1", "must not be empty"), fe("content.profile.media.2", "is listed more than once")}},

		// Counts.
		{"too many rows", func(c *cynllun.Content) { c.Provision = rows(MaxProvisionRows + 1) }, la,
			[]cynllun.FieldError{fe("content.provision", "has too many rows: at most 200 are allowed")}},
		{"rows at the limit", func(c *cynllun.Content) { c.Provision = rows(MaxProvisionRows) }, la, nil},
		{"too many statements", func(c *cynllun.Content) {
			c.Profile.ImportantToMe = make([]cynllun.Statement, MaxStatements+1)
		}, la, []cynllun.FieldError{fe("content.profile.importantToMe", "has too many statements: at most 100 are allowed")}},
		{"too many needs", func(c *cynllun.Content) { c.Needs = make([]cynllun.NeedEntry, MaxNeeds+1) }, la,
			[]cynllun.FieldError{fe("content.needs", "has too many entries: at most 100 are allowed")}},
		{"too many appendices", func(c *cynllun.Content) {
			c.Appendices = make([]cynllun.Appendix, MaxAppendices+1)
		}, la, []cynllun.FieldError{fe("content.appendices", "has too many appendices: at most 50 are allowed")}},
		{"too many media", func(c *cynllun.Content) { c.Profile.Media = make([]string, MaxMedia+1) }, la,
			[]cynllun.FieldError{fe("content.profile.media", "has too many attachments: at most 100 are allowed")}},

		// 2B rows.
		{"row without id", func(c *cynllun.Content) { c.Provision[1].ID = "" }, la,
			[]cynllun.FieldError{fe("content.provision.1.id", "must not be empty")}},
		{"repeated row id", func(c *cynllun.Content) { c.Provision[1].ID = "row_a" }, la,
			[]cynllun.FieldError{fe("content.provision.1.id", "is used by more than one row")}},
		{"review date before start", func(c *cynllun.Content) { c.Provision[0].ReviewOrEndDate = cynllun.MustDate("2025-08-31") }, la,
			[]cynllun.FieldError{fe("content.provision.0.reviewOrEndDate", "must not be before the start date")}},
		{"review date on start day", func(c *cynllun.Content) { c.Provision[0].ReviewOrEndDate = cynllun.MustDate("2025-09-01") }, la, nil},
		{"review date without start", func(c *cynllun.Content) {
			c.Provision[0].StartDate = cynllun.Date{}
			c.Provision[0].ReviewOrEndDate = cynllun.MustDate("2000-01-01")
		}, la, nil},
		{"unreal date", func(c *cynllun.Content) { c.Provision[0].StartDate = cynllun.Date{Year: 2025, Month: 2, Day: 30} }, la,
			[]cynllun.FieldError{fe("content.provision.0.startDate", "must be a real date")}},
		{"date out of range", func(c *cynllun.Content) { c.Dates.StartDate = cynllun.Date{Year: 1800, Month: 1, Day: 1} }, la,
			[]cynllun.FieldError{fe("content.dates.startDate", "year must be between 1900 and 2199")}},
		{"bad provider type", func(c *cynllun.Content) { c.Provision[0].ProviderType = "CHARITY" }, la,
			[]cynllun.FieldError{fe("content.provision.0.providerType", "must be one of SCHOOL, LA, FEI, NHS_BODY, OTHER")}},
		{"bad date kind", func(c *cynllun.Content) { c.Provision[0].DateKind = "START" }, la,
			[]cynllun.FieldError{fe("content.provision.0.dateKind", "must be REVIEW or END")}},
		{"end date kind", func(c *cynllun.Content) { c.Provision[0].DateKind = cynllun.DateEnd }, la, nil},
		{"quantity out of range", func(c *cynllun.Content) {
			c.Provision[0].Quantity = &cynllun.Quantity{MinutesPerSession: 0, Sessions: 1001, Per: "YEAR", GroupSize: 101}
		}, la, []cynllun.FieldError{
			fe("content.provision.0.quantity.minutesPerSession", "must be between 1 and 1440"),
			fe("content.provision.0.quantity.sessions", "must be between 1 and 1000"),
			fe("content.provision.0.quantity.per", "must be one of DAY, WEEK, FORTNIGHT, MONTH, TERM"),
			fe("content.provision.0.quantity.groupSize", "must be between 1 and 100"),
		}},
		{"quantity at its limits", func(c *cynllun.Content) {
			c.Provision[0].Quantity = &cynllun.Quantity{MinutesPerSession: 1440, Sessions: 1000, Per: cynllun.PerTerm, GroupSize: 100}
			c.Provision[1].Quantity = &cynllun.Quantity{MinutesPerSession: 1, Sessions: 1, Per: cynllun.PerDay, GroupSize: 1}
		}, la, nil},
		{"minutes too many", func(c *cynllun.Content) { c.Provision[0].Quantity.MinutesPerSession = 1441 }, la,
			[]cynllun.FieldError{fe("content.provision.0.quantity.minutesPerSession", "must be between 1 and 1440")}},
		{"NHS body without NHS secured", func(c *cynllun.Content) { c.Provision[0].NHSSecured = false }, la,
			[]cynllun.FieldError{fe("content.provision.0.nhsBody", "must be empty unless nhsSecured is true")}},
		{"NHS secured without a body", func(c *cynllun.Content) { c.Provision[0].NHSBody = "" }, la, nil},

		// 1B.
		{"1B dates before start", func(c *cynllun.Content) {
			c.Dates.ReviewTargetDate = cynllun.MustDate("2025-08-01")
			c.Dates.ProposedReviewDate = cynllun.MustDate("2024-08-01")
		}, la, []cynllun.FieldError{
			fe("content.dates.reviewTargetDate", "must not be before the start date"),
			fe("content.dates.proposedReviewDate", "must not be before the start date"),
		}},
		{"1B dates without start", func(c *cynllun.Content) { c.Dates.StartDate = cynllun.Date{} }, la, nil},

		// 2D.
		{"placement in a school-maintained plan", func(c *cynllun.Content) {}, Options{},
			[]cynllun.FieldError{fe("content.placement", "2D applies only to plans maintained by a local authority")}},
		{"empty placement in a school-maintained plan", func(c *cynllun.Content) { c.Placement = &cynllun.Placement{} }, Options{}, nil},
		{"no placement in a school-maintained plan", func(c *cynllun.Content) { c.Placement = nil }, Options{}, nil},

		// Further sections.
		{"unknown further section", func(c *cynllun.Content) { c.FurtherSections[1].Key = "3Z" }, la,
			[]cynllun.FieldError{fe("content.furtherSections.1.key", "must be one of 3B, 3C, 3D")}},
		{"3A is not a further section", func(c *cynllun.Content) { c.FurtherSections[1].Key = "3A" }, la,
			[]cynllun.FieldError{fe("content.furtherSections.1.key", "must be one of 3B, 3C, 3D")}},
		{"repeated further section", func(c *cynllun.Content) { c.FurtherSections[1].Key = "3B" }, la,
			[]cynllun.FieldError{fe("content.furtherSections.1.key", "is used by more than one further section")}},

		// Several errors come in form order.
		{"errors in form order", func(c *cynllun.Content) {
			c.Appendices[0].Title = ""
			c.Provision[1].ID = ""
			c.Consent.CapacityDetails = "\x00"
		}, la, []cynllun.FieldError{
			fe("content.consent.capacityDetails", "contains a control character, which is not allowed"),
			fe("content.provision.1.id", "must not be empty"),
			fe("content.appendices.0.title", "must not be empty"),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := fullContent()
			tt.change(c)
			got := ValidateContent(c, tt.opts)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ValidateContent (-want +got):\n%s", diff)
			}
		})
	}
}

func TestValidateContentNil(t *testing.T) {
	if got := ValidateContent(nil, Options{}); got != nil {
		t.Errorf("ValidateContent(nil) = %v", got)
	}
}

func TestValidateContentCapsErrors(t *testing.T) {
	c := &cynllun.Content{Needs: make([]cynllun.NeedEntry, MaxNeeds)}
	for i := range c.Needs {
		c.Needs[i] = cynllun.NeedEntry{Description: "\x00", ImpactOnLearning: "\x00", Reasons: "\x00"}
	}
	got := ValidateContent(c, Options{})
	if len(got) != MaxErrors+1 {
		t.Fatalf("%d errors, want %d", len(got), MaxErrors+1)
	}
	if last := got[MaxErrors]; last.Field != "content" || !strings.Contains(last.Message, "more errors") {
		t.Errorf("last error %+v", last)
	}
}

func TestValidateContentCustomDefinition(t *testing.T) {
	d := Current()
	d.Parts[2].Sections = d.Parts[2].Sections[:1] // 3A only
	c := &cynllun.Content{FurtherSections: []cynllun.FurtherSection{{Key: "3B"}}}
	want := []cynllun.FieldError{{Field: "content.furtherSections.0.key", Message: "this form has no further Part 3 sections"}}
	if diff := cmp.Diff(want, ValidateContent(c, Options{Definition: d})); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestValidateContentNeverEchoes puts a recognisable bad value in every
// string of the content and checks that no message repeats any of it.
func TestValidateContentNeverEchoes(t *testing.T) {
	const secret = "Dafydd-ap-Gwilym-secret"
	bad := []string{
		secret + "\xff",
		secret + "\uFFFD",
		secret + "\x00",
		secret + "\n" + secret,
		strings.Repeat(secret, MaxLong/len(secret)+1),
	}
	for _, s := range bad {
		c := &cynllun.Content{
			Consent: cynllun.Consent{ConsentDetails: s, CapacityDetails: s},
			Profile: cynllun.Profile{LikeAndAdmire: []cynllun.Statement{{Text: s}}, Media: []string{s, s}},
			Needs:   []cynllun.NeedEntry{{Description: s, ImpactOnLearning: s, Reasons: s}},
			Provision: []cynllun.ProvisionRow{
				{ID: s, IntendedOutcome: s, Provision: s, Provider: s, ProviderType: cynllun.ProviderType(s),
					DateKind: cynllun.DateKind(s), Rationale: s, NHSBody: s, Quantity: &cynllun.Quantity{Per: cynllun.Period(s)}},
				{ID: s},
			},
			Placement:       &cynllun.Placement{NamedSchool: s, OtherInstitution: s, BoardAndLodging: s},
			MeetingSummary:  s,
			FurtherSections: []cynllun.FurtherSection{{Key: s, Text: s}, {Key: s, Text: s}},
			Appendices:      []cynllun.Appendix{{Title: s, Text: s, AttachmentID: s}},
		}
		errs := ValidateContent(c, Options{})
		if len(errs) < 10 {
			t.Errorf("only %d errors for bad value %q…", len(errs), s[:30])
		}
		for _, e := range errs {
			if strings.Contains(e.Message, "Dafydd") || strings.Contains(e.Field, "Dafydd") {
				t.Errorf("%s: message %q echoes the submitted value", e.Field, e.Message)
			}
		}
	}
}
