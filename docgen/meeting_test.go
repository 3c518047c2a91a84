package docgen

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/form"
	"github.com/cynllun/cynllun/ledger"
)

// sampleChildQuote is the sample child's own words, with ŵ and ŷ.
const sampleChildQuote = "“Dw i'n hoffi darllen am yr ŵyn bach ar fferm Taid yn Llŷn. Dw i ddim yn hoffi siarad o flaen y dosbarth i gyd achos mae pawb yn edrych arna i.”"

// wantMeetingHeadings lists the part and section headings of a review
// record in lang, in order, for a learner called name.
func wantMeetingHeadings(lang Lang, name string) []string {
	var hs []string
	for _, t := range []form.Text{
		txtParticipants, txtChildViews, txtParentViews,
		txtPersonCentred, sprintf(fmtImportantTo, name), sprintf(fmtImportantFor, name), txtWorking, txtNotWorking, txtQuestions, txtActionPlan,
		txtFourPlusOne, txtTried, txtLearned, txtPleased, txtConcerned, txtNext,
		txtNeedsProvision, txtNeedsDiscussion, txtProvisionReviewed, txtOutcomesReviewed, txtNewEvidence, txtCapacity, txtDisagreements,
		txtDecision, txtWhatChanged,
	} {
		hs = append(hs, lang.Pick(t))
	}
	return hs
}

func buildMeeting(t *testing.T, doc MeetingDoc, lang Lang) *Tree {
	t.Helper()
	tree, err := BuildMeeting(doc, lang)
	if err != nil {
		t.Fatal(err)
	}
	return tree
}

// under returns the blocks after the part or section heading with key and
// before the next part or section heading.
func under(tree *Tree, key string) []Block {
	var out []Block
	in := false
	for _, b := range tree.Blocks {
		switch {
		case b.Kind == KindPart || b.Kind == KindSection:
			in = b.Key == key
		case in:
			out = append(out, b)
		}
	}
	return out
}

// partBlocks returns the blocks of the part with key, its sections'
// included, up to the next part.
func partBlocks(tree *Tree, key string) []Block {
	var out []Block
	in := false
	for _, b := range tree.Blocks {
		if b.Kind == KindPart {
			in = b.Key == key
			continue
		}
		if in {
			out = append(out, b)
		}
	}
	return out
}

func kinds(bs []Block, k Kind) []Block {
	var out []Block
	for _, b := range bs {
		if b.Kind == k {
			out = append(out, b)
		}
	}
	return out
}

// noViews is the sample record without the child's views.
func noViews() MeetingDoc {
	doc := SampleMeeting()
	doc.Review.ChildViews = nil
	return doc
}

// notRevised is the sample record ending in a notice of no revision.
func notRevised() MeetingDoc {
	doc := SampleMeeting()
	doc.Review.Decision = &cynllun.Decision{
		Kind: cynllun.DecisionNoRevision, DecidedOn: cynllun.MustDate("2027-01-14"),
		Reasons: "The plan still describes Siân's needs and provision well; the missed sessions will be made up. NO-REVISION-REASONS-END",
	}
	doc.Revised = nil
	return doc
}

func TestBuildMeetingHeadings(t *testing.T) {
	for _, lang := range []Lang{LangEN, LangCY, LangBilingual} {
		t.Run(string(lang), func(t *testing.T) {
			tree := buildMeeting(t, SampleMeeting(), lang)
			if diff := cmp.Diff(wantMeetingHeadings(lang, "Siân"), headings(tree)); diff != "" {
				t.Errorf("headings (-want +got):\n%s", diff)
			}
			if tree.Blocks[0] != (Block{Kind: KindTitle, Text: lang.Pick(txtMeetingTitle)}) || tree.Title != lang.Pick(txtMeetingTitle) {
				t.Errorf("title: %+v, %q", tree.Blocks[0], tree.Title)
			}
			if tree.FooterLeft != "Siân ap Gwŷn" || tree.FooterRight != lang.Pick(sprintf(fmtMeetingFooter, 2)) || tree.PageNumber != lang.Pick(txtPage) {
				t.Errorf("footer %q, %q, %q", tree.FooterLeft, tree.FooterRight, tree.PageNumber)
			}
			if tree.Draft != "" {
				t.Errorf("a concluded review has the draft mark %q", tree.Draft)
			}
			if !tree.Created.Equal(SampleMeeting().Review.CreatedAt) {
				t.Errorf("created %v", tree.Created)
			}
		})
	}
	t.Run("known as", func(t *testing.T) {
		doc := SampleMeeting()
		doc.Learner.PreferredName = "Siani"
		hs := headings(buildMeeting(t, doc, LangCY))
		if !slices.Contains(hs, "Beth sy'n bwysig i Siani") || !slices.Contains(hs, "Beth sy'n bwysig ar gyfer Siani") {
			t.Errorf("headings %q do not use the name the learner is known by", hs)
		}
	})
}

func TestBuildMeetingDetails(t *testing.T) {
	field := func(l, v string) Block { return Block{Kind: KindField, Label: l, Text: v} }
	doc := SampleMeeting()
	doc.Learner.PreferredName = "Siani"
	want := []Block{
		{Kind: KindTitle, Text: "Cofnod cyfarfod adolygu'r CDU"},
		field("Enw", "Siân ap Gwŷn"),
		field("Enw arferol", "Siani"),
		field("Dyddiad geni", "23 Tachwedd 2015"),
		field("Awdurdod lleol", "Cyngor Sir Ynys Môn"),
		field("Yn cael ei gynnal gan", "Cyngor Sir Ynys Môn"),
		field("Lleoliad addysg", "Ysgol Gymraeg Bro Tŷ Gwyn"),
		field("Math o adolygiad", "Ar gais"),
		field("Gofynnwyd amdano gan", "Rhiant: Eleri ap Gwŷn"),
		field("Dyddiad y cais", "20 Tachwedd 2026"),
		field("Rheswm dros y cais", doc.Review.Request.Reason),
		field("Dyddiad y cyfarfod", "7 Ionawr 2027"),
		field("Hyd", "45 munud"),
		field("Fersiwn y cynllun a adolygwyd", "3"),
		field("Diwygiad y cofnod", "2 (Wedi'i gwblhau)"),
		{Kind: KindPart, Key: KeyParticipants, Text: "Cyfranogwyr"},
		field("Siân ap Gwŷn", "Plentyn; yn bresennol wyneb yn wyneb; cytunodd â'r canlyniad: Ie"),
		field("Eleri ap Gwŷn", "Rhiant neu ofalwr; yn bresennol wyneb yn wyneb; cytunodd â'r canlyniad: Ie"),
		field("Rhys Owen", "CydADY; Ysgol Gymraeg Bro Tŷ Gwyn; yn bresennol wyneb yn wyneb; cytunodd â'r canlyniad: Ie"),
		field("Dr Ffion Prydderch", "Gweithiwr iechyd proffesiynol; Bwrdd Iechyd Prifysgol Betsi Cadwaladr; yn bresennol o bell; cytunodd â'r canlyniad: Na"),
		field("Gareth Wyn Jones", "Swyddog yr awdurdod lleol; Cyngor Sir Ynys Môn; cyfrannodd yn ysgrifenedig; cytunodd â'r canlyniad: Heb ei gofnodi"),
	}
	got := buildMeeting(t, doc, LangCY).Blocks[:len(want)]
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}

	t.Run("annual, not yet held", func(t *testing.T) {
		doc := SampleMeeting()
		r := doc.Review
		r.Type, r.Request, r.Status, r.HeldOn, r.DurationMinutes, r.Revision = cynllun.ReviewAnnual, nil, cynllun.ReviewOpen, cynllun.Date{}, 0, 1
		r.Decision = nil
		tree := buildMeeting(t, doc, LangEN)
		got := tree.Blocks[6:11]
		want := []Block{
			field("Review type", "Annual review"),
			field("Date held", "Not recorded"),
			field("Duration", "Not recorded"),
			field("Plan version reviewed", "3"),
			field("Record revision", "1 (Open)"),
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
		if tree.Draft != "DRAFT" || tree.FooterRight != "Review record, revision 1" {
			t.Errorf("draft %q, footer %q", tree.Draft, tree.FooterRight)
		}
	})
}

// The child's views have a part of their own: each view with its format,
// who gathered it, its words as a quote and its files; none is a warning.
func TestBuildMeetingChildViews(t *testing.T) {
	for _, tc := range []struct {
		lang Lang
		want []Block
	}{
		{LangEN, []Block{
			{Kind: KindSubheading, Text: "View 1: In their own words"},
			{Kind: KindField, Label: "Gathered by", Text: "Mrs Nia Hughes, teaching assistant, in the quiet room before the meeting"},
			{Kind: KindQuote, Label: "As recorded", Text: sampleChildQuote},
			{Kind: KindSubheading, Text: "View 2: Drawing"},
			{Kind: KindField, Label: "Gathered by", Text: "Mrs Nia Hughes"},
			{Kind: KindQuote, Label: "As recorded", Text: "“Siân drew herself reading to her dog in the tŷ bach at the end of the garden; she said it is where she feels brave.”"},
			{Kind: KindImage, Text: "Siân's views (2): Siân and her dog.png"},
		}},
		{LangBilingual, []Block{
			{Kind: KindSubheading, Text: "Barn 1 / View 1: Yn eu geiriau eu hunain / In their own words"},
			{Kind: KindField, Label: "Casglwyd gan / Gathered by", Text: "Mrs Nia Hughes, teaching assistant, in the quiet room before the meeting"},
			{Kind: KindQuote, Label: "Fel y'i cofnodwyd / As recorded", Text: sampleChildQuote},
		}},
	} {
		t.Run(string(tc.lang), func(t *testing.T) {
			doc := SampleMeeting()
			doc.Attachments = map[string]Attachment{"att-drawing-2": drawing("Siân and her dog.png", 40, 30)}
			tree := buildMeeting(t, doc, tc.lang)
			got := partBlocks(tree, KeyChildViews)
			// The image is checked on its own: its bytes, size and text.
			for i, b := range got {
				if b.Kind != KindImage {
					continue
				}
				if im := b.Image; im == nil || im.Width != 40 || im.Height != 30 || im.ContentType != "image/png" || im.Alt != b.Text || !bytes.Equal(im.Data, doc.Attachments["att-drawing-2"].Image.Data) {
					t.Errorf("image block %+v", b)
				}
				got[i].Image = nil
			}
			if diff := cmp.Diff(tc.want, got[:len(tc.want)]); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if n := len(kinds(got, KindQuote)); n != 2 {
				t.Errorf("%d quotes, want 2", n)
			}
			// The part follows the participants and comes before the parents' views.
			hs := headings(tree)
			i := slices.Index(hs, tc.lang.Pick(txtChildViews))
			if i != 1 || hs[i+1] != tc.lang.Pick(txtParentViews) {
				t.Errorf("child's views at %d in %q", i, hs)
			}
		})
	}

	for _, tc := range []struct {
		lang Lang
		want string
	}{
		{LangEN, "No views of the child or young person were recorded."},
		{LangCY, "Ni chofnodwyd barn y plentyn na'r person ifanc."},
		{LangBilingual, "Ni chofnodwyd barn y plentyn na'r person ifanc. / No views of the child or young person were recorded."},
	} {
		t.Run("none "+string(tc.lang), func(t *testing.T) {
			got := partBlocks(buildMeeting(t, noViews(), tc.lang), KeyChildViews)
			if diff := cmp.Diff([]Block{{Kind: KindWarning, Text: tc.want}}, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}

	t.Run("attachment only", func(t *testing.T) {
		doc := SampleMeeting()
		doc.Review.ChildViews = []cynllun.ChildView{{Format: cynllun.ViewAudio, Attachments: []string{"att-a", "att-b"}}, {Format: "NEW_FORMAT"}}
		// A file that is not an image is named; one the record knows nothing
		// about is an attached file, never its id.
		doc.Attachments = map[string]Attachment{"att-a": {Name: "Llais Siân.m4a"}}
		want := []Block{
			{Kind: KindSubheading, Text: "View 1: Audio recording"},
			{Kind: KindField, Label: "Attachments", Text: "Llais Siân.m4a (available separately from this document)\nAn attached file (available separately from this document)"},
			{Kind: KindSubheading, Text: "View 2: NEW_FORMAT"},
			{Kind: KindEmpty, Text: "No information recorded."},
		}
		if diff := cmp.Diff(want, partBlocks(buildMeeting(t, doc, LangEN), KeyChildViews)); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
}

func TestBuildMeetingPersonCentred(t *testing.T) {
	doc := SampleMeeting()
	tree := buildMeeting(t, doc, LangEN)
	pc := doc.Review.PersonCentred
	para := func(s string) Block { return Block{Kind: KindParagraph, Text: s} }
	if diff := cmp.Diff([]Block{para(pc.ImportantTo[0]), para(pc.ImportantTo[1])}, under(tree, KeyImportantTo)); diff != "" {
		t.Errorf("important to (-want +got):\n%s", diff)
	}
	want := []Block{
		para("1. " + pc.ActionPlan[0].Action),
		{Kind: KindField, Label: "Owner", Text: "Rhys Owen (ALNCo)"},
		{Kind: KindField, Label: "Due by", Text: "21 January 2027"},
	}
	if diff := cmp.Diff(want, under(tree, KeyActionPlan)[:3]); diff != "" {
		t.Errorf("action plan (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]Block{para(doc.Review.FourPlusOne.Next)}, under(tree, KeyNext)); diff != "" {
		t.Errorf("+1 (-want +got):\n%s", diff)
	}
	pg := partBlocks(tree, KeyParentViews)
	if diff := cmp.Diff([]Block{{Kind: KindSubheading, Text: "Eleri ap Gwŷn"}, para(doc.Review.ParentViews[0].Text)}, pg); diff != "" {
		t.Errorf("parents (-want +got):\n%s", diff)
	}
}

// Every heading of an empty record says that nothing is recorded.
func TestBuildMeetingEmpty(t *testing.T) {
	for _, lang := range []Lang{LangEN, LangCY, LangBilingual} {
		t.Run(string(lang), func(t *testing.T) {
			doc := SampleMeeting()
			doc.Review = &cynllun.Review{ID: "rev-2", Revision: 1, Status: cynllun.ReviewOpen, Type: cynllun.ReviewAnnual}
			doc.Reviewed, doc.Revised, doc.Ledger = nil, nil, nil
			tree := buildMeeting(t, doc, lang)
			if diff := cmp.Diff(wantMeetingHeadings(lang, "Siân"), headings(tree)); diff != "" {
				t.Errorf("headings (-want +got):\n%s", diff)
			}
			empty := map[string]form.Text{
				KeyParticipants: txtEmpty, KeyChildViews: txtNoChildViews, KeyParentViews: txtEmpty,
				KeyPersonCentred: {}, KeyFourPlusOne: {}, KeyNeedsProvision: {}, // parts headed by sections
				KeyCapacity: txtNotRecorded, KeyDisagreements: txtNoDisagreements,
				KeyDecision: txtNoDecision, KeyWhatChanged: txtNoDecision,
			}
			for i, b := range tree.Blocks {
				if b.Kind != KindPart && b.Kind != KindSection {
					continue
				}
				want, ok := empty[b.Key]
				if !ok {
					want = txtEmpty
				}
				next := tree.Blocks[i+1]
				switch {
				case want == (form.Text{}):
					if next.Kind != KindSection {
						t.Errorf("%s: followed by %+v, want its first section", b.Key, next)
					}
				case b.Key == KeyCapacity:
					if next.Kind != KindField || next.Text != lang.Pick(want) {
						t.Errorf("%s: got %+v", b.Key, next)
					}
				case next.Kind != KindEmpty && next.Kind != KindWarning || next.Text != lang.Pick(want):
					t.Errorf("after %s: got %+v, want the line %q", b.Key, next, lang.Pick(want))
				}
			}
			if tree.Draft != lang.Pick(txtDraft) {
				t.Errorf("draft mark %q on an open review", tree.Draft)
			}
		})
	}
}

func TestBuildMeetingProvision(t *testing.T) {
	row := func(s string) Block { return Block{Kind: KindSubheading, Text: s} }
	// unit is the heading of a row reviewed, repeated as "Row 1
	// (continued): …" on each page the row goes on to.
	unit := func(s, more string) Block {
		b := Block{Kind: KindSubheading, Text: s + more}
		if strings.HasPrefix(s, "Rhes ") || strings.HasPrefix(s, "Anghytundeb ") {
			b.Continued = s + " (parhad)" + more
		} else {
			b.Continued = s + " (continued)" + more
		}
		return b
	}
	field := func(l, v string) Block { return Block{Kind: KindField, Label: l, Text: v} }
	doc := SampleMeeting()
	rv := doc.Review.Provision
	want := []Block{
		field("Period of the delivery record", "7 September 2026 to 18 December 2026"),
		unit("Row 1", ": Provision 1: a structured, multi-sensory literacy programme delivered by a train…"),
		field("Delivered as planned", "Partly"),
		field("Effective", "Yes"),
		field("Still needed", "Yes"),
		field("Change", "Continue"),
		field("Notes", rv[0].Notes),
		field("Delivery recorded", "Planned 28 sessions (840 minutes), delivered 25 (750 minutes), missed 3; shortfall 3 sessions, 90 minutes\n"+
			"From 7 September 2026 to 18 December 2026"),
		unit("Row 2", ": Speech and language therapy: a therapist from the health board works with Siân o…"),
		field("Delivered as planned", "Partly"),
		field("Effective", "Partly"),
		field("Still needed", "Yes"),
		field("Change", "Increase"),
		field("Notes", rv[1].Notes),
		field("Delivery recorded", "Planned 4 sessions (180 minutes), delivered 3 (135 minutes), missed 1; shortfall 1 session, 45 minutes\n"+
			"From 2 November 2026 to 18 December 2026; holidays not excluded: no term calendar"),
		unit("Row 3", ": A nurture group in the quiet room at lunchtime, led by the teaching assistant, a…"),
		field("Delivered as planned", "Yes"),
		field("Effective", "Yes"),
		field("Still needed", "No"),
		field("Change", "End"),
		field("Notes", rv[2].Notes),
		field("Delivery recorded", "No structured amount: nothing planned to compare; delivered 22 (440 minutes), missed 0\n"+
			"From 7 September 2026 to 18 December 2026"),
	}
	if diff := cmp.Diff(want, under(buildMeeting(t, doc, LangEN), KeyProvisionReviewed)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// A row's name quotes the start of its provision, up to rowNameMax characters.
	for i, r := range doc.Reviewed.Content.Provision {
		got := under(buildMeeting(t, doc, LangEN), KeyProvisionReviewed)
		name := kinds(got, KindSubheading)[i].Text
		quoted := strings.TrimSuffix(strings.TrimPrefix(name, fmt.Sprintf("Row %d: ", i+1)), "…")
		if n := len([]rune(quoted)); n > rowNameMax || n < rowNameMax-1 || !strings.HasPrefix(r.Provision, quoted) {
			t.Errorf("row %d is named %q", i+1, name)
		}
	}

	t.Run("CY", func(t *testing.T) {
		got := under(buildMeeting(t, SampleMeeting(), LangCY), KeyProvisionReviewed)
		want := []Block{
			field("Cyfnod y cofnod darparu", "7 Medi 2026 i 18 Rhagfyr 2026"),
			unit("Rhes 1", ": Provision 1: a structured, multi-sensory literacy programme delivered by a train…"),
			field("Wedi'i darparu fel y cynlluniwyd", "Yn rhannol"),
			field("Effeithiol", "Ie"),
			field("Angen o hyd", "Ie"),
			field("Newid", "Parhau"),
			field("Nodiadau", rv[0].Notes),
			field("Darpariaeth a gofnodwyd", "Cynlluniwyd 28 sesiwn (840 munud), darparwyd 25 (750 munud), collwyd 3; diffyg o 3 sesiwn, 90 munud\n"+
				"O 7 Medi 2026 i 18 Rhagfyr 2026"),
		}
		if diff := cmp.Diff(want, got[:len(want)]); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})

	t.Run("rows not reviewed, removed, not in the ledger", func(t *testing.T) {
		doc := SampleMeeting()
		doc.Review.Provision = []cynllun.ProvisionReview{
			{RowID: "row-gone", Delivered: cynllun.AnswerUnknown, Effective: cynllun.AnswerNo, StillNeeded: cynllun.AnswerNo, Change: cynllun.ChangeModify},
			{RowID: "row-2"},
		}
		doc.Ledger = doc.Ledger[1:2]
		got := under(buildMeeting(t, doc, LangEN), KeyProvisionReviewed)
		var heads []string
		for _, b := range kinds(got, KindSubheading) {
			heads = append(heads, strings.SplitN(b.Text, ":", 2)[0])
		}
		if diff := cmp.Diff([]string{"Row 1", "Row 2", "Row 3", "Row (removed)"}, heads); diff != "" {
			t.Errorf("rows (-want +got):\n%s", diff)
		}
		want := []Block{
			unit("Row (removed)", ""),
			field("Delivered as planned", "Not known"),
			field("Effective", "No"),
			field("Still needed", "No"),
			field("Change", "Change"),
			field("Delivery recorded", "Not in the delivery record"),
		}
		if diff := cmp.Diff(want, got[len(got)-len(want):]); diff != "" {
			t.Errorf("removed row (-want +got):\n%s", diff)
		}
		if got[2] != (Block{Kind: KindEmpty, Text: "This row was not reviewed."}) {
			t.Errorf("row 1 not reviewed: got %+v", got[2])
		}
		if got[5].Text != "Not recorded" {
			t.Errorf("row 2's unrecorded answers: got %+v", got[5])
		}
	})

	t.Run("no version, no ledger", func(t *testing.T) {
		doc := SampleMeeting()
		doc.Reviewed, doc.Ledger = nil, nil
		got := under(buildMeeting(t, doc, LangEN), KeyProvisionReviewed)
		if len(got) != 3*6 || got[0] != unit("Row (plan version reviewed not available)", "") {
			t.Errorf("got %+v", got)
		}
		for _, b := range got {
			if b.Label == "Delivery recorded" || b.Label == "Period of the delivery record" {
				t.Errorf("a ledger line without a ledger: %+v", b)
			}
		}
	})

	t.Run("outcomes", func(t *testing.T) {
		got := under(buildMeeting(t, SampleMeeting(), LangEN), KeyOutcomesReviewed)
		want := []Block{
			unit("Row 1", ": Outcome 1: Siân will read a short passage aloud to an adult with fewer than five…"),
			field("Status", "Achieved"),
			field("Notes", "She read a passage aloud with two errors in December."),
			field("Outcome rewritten for the next period", "Yes"),
			unit("Row 2", ": Siân will say her four target speech sounds clearly in single words and in short…"),
			field("Status", "Partly achieved"),
			field("Notes", "Two of her four target sounds are secure."),
			unit("Row 3", ": Siân will tell an adult when she needs a break and go to the quiet room calmly."),
			field("Status", "Achieved"),
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})

	t.Run("evidence, capacity, disagreements", func(t *testing.T) {
		doc := SampleMeeting()
		tree := buildMeeting(t, doc, LangCY)
		e := doc.Review.NewEvidence[0]
		if diff := cmp.Diff([]Block{
			row(e.Title),
			field("Ffynhonnell", e.Source),
			field("Dyddiad", "10 Rhagfyr 2026"),
			field("Crynodeb", e.Summary),
			field("Ffeil wedi'i hatodi", "Ffeil wedi'i hatodi (ar gael ar wahân i'r ddogfen hon)"),
		}, under(tree, KeyNewEvidence)); diff != "" {
			t.Errorf("evidence (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]Block{
			{Kind: KindParagraph, Text: doc.Review.CapacityDiscussion},
			field("Yn gallu cynnal y cynllun a sicrhau ei ddarpariaeth", "Ie"),
		}, under(tree, KeyCapacity)); diff != "" {
			t.Errorf("capacity (-want +got):\n%s", diff)
		}
		d := doc.Review.Disagreements[0]
		if diff := cmp.Diff([]Block{
			unit("Anghytundeb 1", ""),
			field("Pwy", "Dr Ffion Prydderch (Gweithiwr iechyd proffesiynol)"),
			field("Ynghylch", d.About),
			field("Rhes", "Rhes 2: Speech and language therapy: a therapist from the health board works with Siân o…"),
			field("Manylion", d.Details),
			field("Datrysiad", d.Resolution),
		}, under(tree, KeyDisagreements)); diff != "" {
			t.Errorf("disagreements (-want +got):\n%s", diff)
		}
		doc.Review.Disagreements = nil
		if got := under(buildMeeting(t, doc, LangEN), KeyDisagreements); !cmp.Equal(got, []Block{{Kind: KindEmpty, Text: "No disagreements were recorded."}}) {
			t.Errorf("no disagreements: got %+v", got)
		}
	})
}

func TestLedgerText(t *testing.T) {
	from, to := cynllun.MustDate("2026-09-07"), cynllun.MustDate("2026-12-18")
	q := &cynllun.Quantity{MinutesPerSession: 30, Sessions: 2, Per: cynllun.PerWeek}
	for _, tc := range []struct {
		name   string
		s      ledger.RowSummary
		en, cy string
	}{
		{"shortfall", ledger.RowSummary{Quantity: q, From: from, To: to, Basis: ledger.BasisTermCalendar, PlannedKnown: true,
			Planned: 12, PlannedMinutes: 360, Delivered: 9, DeliveredMinutes: 270, Missed: 3, MissedMinutes: 90, ShortfallSessions: 3, ShortfallMinutes: 90},
			"Planned 12 sessions (360 minutes), delivered 9 (270 minutes), missed 3; shortfall 3 sessions, 90 minutes\nFrom 7 September 2026 to 18 December 2026",
			"Cynlluniwyd 12 sesiwn (360 munud), darparwyd 9 (270 munud), collwyd 3; diffyg o 3 sesiwn, 90 munud\nO 7 Medi 2026 i 18 Rhagfyr 2026"},
		{"made up, weekdays", ledger.RowSummary{Quantity: q, From: from, To: to, Basis: ledger.BasisWeekdays, PlannedKnown: true,
			Planned: 1, PlannedMinutes: 30, Delivered: 1, DeliveredMinutes: 30, Missed: 1, MissedMinutes: 30, Warnings: []string{ledger.WarnNoCalendar}},
			"Planned 1 session (30 minutes), delivered 1 (30 minutes), missed 1; no shortfall\nFrom 7 September 2026 to 18 December 2026; holidays not excluded: no term calendar",
			"Cynlluniwyd 1 sesiwn (30 munud), darparwyd 1 (30 munud), collwyd 1; dim diffyg\nO 7 Medi 2026 i 18 Rhagfyr 2026; heb eithrio gwyliau: dim calendr tymor"},
		{"no quantity, window of the record", ledger.RowSummary{Basis: ledger.BasisTermCalendar, Warnings: []string{ledger.WarnNoQuantity, ledger.WarnEnded}},
			"No structured amount: nothing planned to compare; delivered 0 (0 minutes), missed 0\nFrom 1 September 2026 to 31 December 2026; the provision had ended before this period",
			"Dim swm strwythuredig: dim wedi'i gynllunio i'w gymharu; darparwyd 0 (0 munud), collwyd 0\nO 1 Medi 2026 i 31 Rhagfyr 2026; roedd y ddarpariaeth wedi dod i ben cyn y cyfnod hwn"},
		{"termly, no calendar", ledger.RowSummary{Quantity: &cynllun.Quantity{Sessions: 3, Per: cynllun.PerTerm}, From: from, To: to, Basis: ledger.BasisWeekdays,
			Delivered: 2, DeliveredMinutes: 60, Warnings: []string{ledger.WarnNoCalendar, ledger.WarnTermNeedsCal, ledger.WarnOutsideSessions}},
			"Termly amount and no term calendar: nothing planned to compare; delivered 2 (60 minutes), missed 0\nFrom 7 September 2026 to 18 December 2026; holidays not excluded: no term calendar; sessions recorded outside the provision's dates were not counted",
			"Swm fesul tymor a dim calendr tymor: dim wedi'i gynllunio i'w gymharu; darparwyd 2 (60 munud), collwyd 0\nO 7 Medi 2026 i 18 Rhagfyr 2026; heb eithrio gwyliau: dim calendr tymor; ni chyfrifwyd sesiynau a gofnodwyd y tu allan i ddyddiadau'r ddarpariaeth"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lines := ledgerText(&tc.s, cynllun.MustDate("2026-09-01"), cynllun.MustDate("2026-12-31"))
			if len(lines) != 2 {
				t.Fatalf("%d lines, want 2", len(lines))
			}
			got := form.Text{EN: lines[0].EN + "\n" + lines[1].EN, CY: lines[0].CY + "\n" + lines[1].CY}
			if got.EN != tc.en {
				t.Errorf("EN:\n got %q\nwant %q", got.EN, tc.en)
			}
			if got.CY != tc.cy {
				t.Errorf("CY:\n got %q\nwant %q", got.CY, tc.cy)
			}
		})
	}
}

// summaries are the Summary lines of form.Diff between the sample's
// versions in lang.
func summaries(doc MeetingDoc, lang cynllun.Language) []string {
	var out []string
	for _, c := range form.Diff(form.Current(), doc.Reviewed.Content, doc.Revised.Content, lang) {
		out = append(out, c.Summary)
	}
	return out
}

func paragraphs(bs []Block) []string {
	var out []string
	for _, b := range bs {
		if b.Kind == KindParagraph {
			out = append(out, b.Text)
		}
	}
	return out
}

func TestBuildMeetingWhatChanged(t *testing.T) {
	doc := SampleMeeting()
	en, cy := summaries(doc, cynllun.LanguageEN), summaries(doc, cynllun.LanguageCY)
	if len(en) < 5 || !slices.ContainsFunc(en, func(s string) bool { return strings.HasPrefix(s, "2B row 2: amount and frequency changed") }) {
		t.Fatalf("the sample's revised 2B should differ: %q", en)
	}
	for _, tc := range []struct {
		lang Lang
		want []Block
	}{
		{LangEN, nil},
		{LangCY, nil},
		{LangBilingual, []Block{
			{Kind: KindParagraph, Text: "Fersiwn 4 o'r cynllun o'i chymharu â fersiwn 3 / Plan version 4 compared with version 3"},
			{Kind: KindSubheading, Text: "Cymraeg"},
		}},
	} {
		t.Run(string(tc.lang), func(t *testing.T) {
			got := under(buildMeeting(t, doc, tc.lang), KeyWhatChanged)
			wantLines := append([]string{tc.lang.Pick(sprintf(fmtCompared, 4, 3))}, en...)
			switch tc.lang {
			case LangCY:
				wantLines = append([]string{"Fersiwn 4 o'r cynllun o'i chymharu â fersiwn 3"}, cy...)
			case LangBilingual:
				wantLines = append(append([]string{wantLines[0]}, cy...), en...)
				if diff := cmp.Diff(tc.want, got[:2]); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
				if subs := kinds(got, KindSubheading); len(subs) != 2 || subs[1].Text != "English" {
					t.Errorf("subheadings %+v", subs)
				}
				i := slices.IndexFunc(got, func(b Block) bool { return b.Text == "English" })
				lastCY := slices.IndexFunc(got, func(b Block) bool { return b.Kind == KindParagraph && b.Text == cy[len(cy)-1] })
				if got[i+1].Text != en[0] || lastCY < 0 || lastCY > i || slices.ContainsFunc(got[lastCY+1:i], func(b Block) bool { return b.Kind == KindParagraph }) {
					t.Errorf("the English list does not follow the Welsh one")
				}
			}
			if diff := cmp.Diff(wantLines, paragraphs(got)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}

	t.Run("not revised", func(t *testing.T) {
		doc := notRevised()
		for _, lang := range []Lang{LangEN, LangCY} {
			want := []Block{
				{Kind: KindParagraph, Text: lang.Pick(txtNotRevised)},
				{Kind: KindField, Label: lang.Pick(txtReasons), Text: doc.Review.Decision.Reasons},
			}
			tree := buildMeeting(t, doc, lang)
			if diff := cmp.Diff(want, under(tree, KeyWhatChanged)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", lang, diff)
			}
			if got := under(tree, KeyDecision)[0]; got.Text != lang.Pick(txtNoRevision) {
				t.Errorf("%s decision: %+v", lang, got)
			}
		}
	})

	t.Run("same content", func(t *testing.T) {
		doc := SampleMeeting()
		doc.Revised.Content = doc.Reviewed.Content
		for _, lang := range []Lang{LangEN, LangBilingual} {
			got := under(buildMeeting(t, doc, lang), KeyWhatChanged)
			want := Block{Kind: KindEmpty, Text: lang.Pick(txtNoDifferences)}
			if len(got) != 2 || got[1] != want {
				t.Errorf("%s: got %+v", lang, got)
			}
		}
	})

	t.Run("revised version missing", func(t *testing.T) {
		doc := SampleMeeting()
		doc.Revised = nil
		got := under(buildMeeting(t, doc, LangEN), KeyWhatChanged)
		if !cmp.Equal(got, []Block{{Kind: KindEmpty, Text: txtNoComparison.EN}}) {
			t.Errorf("got %+v", got)
		}
		if d := under(buildMeeting(t, doc, LangEN), KeyDecision); d[0].Text != "Revised plan (version 4)" {
			t.Errorf("decision: %+v", d[0])
		}
	})
}

func TestBuildMeetingErrors(t *testing.T) {
	doc := SampleMeeting()
	for _, tc := range []struct {
		name string
		doc  MeetingDoc
		lang Lang
	}{
		{"no review", MeetingDoc{Learner: doc.Learner, Plan: doc.Plan}, LangEN},
		{"no learner", MeetingDoc{Plan: doc.Plan, Review: doc.Review}, LangCY},
		{"bad language", doc, "FR"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := RenderMeeting(tc.doc, tc.lang)
			if code := cynllun.ErrorCode(err); code != cynllun.CodeInvalid {
				t.Fatalf("got %v, want an INVALID error", err)
			}
			if strings.Contains(err.Error(), "Siân") {
				t.Errorf("error %q names the learner", err)
			}
		})
	}
}

// meetingFile renders doc in lang to a file.
func meetingFile(t *testing.T, doc MeetingDoc, lang Lang) string {
	t.Helper()
	b, err := RenderMeeting(doc, lang)
	return writePDF(t, "review.pdf", b, err)
}

func TestMeetingPDF(t *testing.T) {
	needTools(t)
	doc := SampleMeeting()
	for _, tc := range []struct {
		lang       Lang
		page       string
		changes    []string
		want       []string
		footerLeft string
	}{
		{LangEN, "Page %d of %d", summaries(doc, cynllun.LanguageEN), []string{
			"Record of IDP review meeting", "Siân ap Gwŷn", "Ysgol Gymraeg Bro Tŷ Gwyn", "On request", "A parent: Eleri ap Gwŷn", "45 minutes",
			"2 (Concluded)", "agreed with the outcome: No", sampleChildQuote,
			"Planned 28 sessions (840 minutes), delivered 25 (750 minutes), missed 3; shortfall 3 sessions, 90 minutes",
			"holidays not excluded: no term calendar", "No structured amount: nothing planned to compare",
			"Revised plan (version 4)", "Plan version 4 compared with version 3",
		}, "Review record, revision 2"},
		{LangCY, "Tudalen %d o %d", summaries(doc, cynllun.LanguageCY), []string{
			"Cofnod cyfarfod adolygu'r CDU", "Siân ap Gwŷn", "Rhiant: Eleri ap Gwŷn", "45 munud", "cytunodd â'r canlyniad: Na", sampleChildQuote,
			"Cynlluniwyd 28 sesiwn (840 munud), darparwyd 25 (750 munud), collwyd 3; diffyg o 3 sesiwn, 90 munud",
			"Cynllun diwygiedig (fersiwn 4)", "Fersiwn 4 o'r cynllun o'i chymharu â fersiwn 3",
		}, "Cofnod adolygu, diwygiad 2"},
		{LangBilingual, "Tudalen %[1]d o %[2]d / Page %[1]d of %[2]d",
			append(append([]string{"Cymraeg"}, summaries(doc, cynllun.LanguageCY)...), append([]string{"English"}, summaries(doc, cynllun.LanguageEN)...)...),
			[]string{"Cofnod cyfarfod adolygu'r CDU / Record of IDP review meeting", "Siân ap Gwŷn", sampleChildQuote,
				// The label's second line comes out in the middle of the value's first.
				"diffyg o 3 sesiwn, 90 munud / Planned 28 sessions (840 minutes), delivered 25 (750 minutes), missed 3; shortfall 3 sessions, 90 minutes",
				"O 7 Medi 2026 i 18 Rhagfyr 2026 / From 7 September 2026 to 18 December 2026",
			}, "Cofnod adolygu, diwygiad 2 / Review record, revision 2"},
	} {
		t.Run(string(tc.lang), func(t *testing.T) {
			path := meetingFile(t, doc, tc.lang)
			text := pdftext(t, path, 0)
			if w, ok := inOrder(text, wantMeetingHeadings(tc.lang, "Siân")); !ok {
				t.Errorf("heading %q missing or out of order", w)
			}
			for _, w := range tc.want {
				if !strings.Contains(text, strings.Join(strings.Fields(w), " ")) {
					t.Errorf("text %q missing", w)
				}
			}
			// The changes are the last thing in the record, in order.
			_, after, _ := strings.Cut(text, tc.lang.Pick(txtWhatChanged))
			if w, ok := inOrder(after, tc.changes); !ok {
				t.Errorf("change %q missing or out of order", w)
			}
			n := pages(t, path)
			if n < 3 {
				t.Errorf("%d pages, want several", n)
			}
			for k := 1; k <= n; k++ {
				page := pdftext(t, path, k)
				for _, w := range []string{fmt.Sprintf(tc.page, k, n), "Siân ap Gwŷn", tc.footerLeft} {
					if !strings.Contains(page, w) {
						t.Errorf("page %d: %q missing", k, w)
					}
				}
				if strings.Contains(page, "DRAFT") || strings.Contains(page, "DRAFFT") {
					t.Errorf("page %d of a concluded review has the draft mark", k)
				}
			}
			if title := pdfinfo(t, path)["Title"]; title != tc.lang.Pick(txtMeetingTitle) {
				t.Errorf("title %q", title)
			}
		})
	}
}

func TestMeetingPDFNotRevised(t *testing.T) {
	needTools(t)
	for _, lang := range []Lang{LangEN, LangCY} {
		t.Run(string(lang), func(t *testing.T) {
			doc := notRevised()
			text := pdftext(t, meetingFile(t, doc, lang), 0)
			_, after, ok := strings.Cut(text, lang.Pick(txtWhatChanged))
			if !ok {
				t.Fatal("no change section")
			}
			if w, ok := inOrder(after, []string{lang.Pick(txtNotRevised), lang.Pick(txtReasons), doc.Review.Decision.Reasons}); !ok {
				t.Errorf("%q missing or out of order", w)
			}
			if !strings.Contains(text, lang.Pick(txtNoRevision)) {
				t.Errorf("decision %q missing", lang.Pick(txtNoRevision))
			}
			if strings.Contains(after, "2B") {
				t.Error("changes listed for a plan that was not revised")
			}
		})
	}
}

func TestMeetingPDFNoChildViews(t *testing.T) {
	needTools(t)
	for _, lang := range []Lang{LangEN, LangCY, LangBilingual} {
		t.Run(string(lang), func(t *testing.T) {
			doc := noViews()
			doc.Review.Status = cynllun.ReviewOpen
			path := meetingFile(t, doc, lang)
			text := pdftext(t, path, 0)
			if w, ok := inOrder(text, []string{lang.Pick(txtChildViews), lang.Pick(txtNoChildViews), lang.Pick(txtParentViews)}); !ok {
				t.Errorf("%q missing or out of order", w)
			}
			if strings.Contains(text, "ŵyn bach") {
				t.Error("the child's words appear though there are no views")
			}
			if !strings.Contains(pdftext(t, path, 1), lang.Pick(txtDraft)) {
				t.Errorf("no draft mark %q on an open review", lang.Pick(txtDraft))
			}
		})
	}
}

// Long views, notes and discussion flow across pages, whole.
func TestMeetingPDFLongContent(t *testing.T) {
	needTools(t)
	doc := SampleMeeting()
	r := doc.Review
	r.ChildViews[0].Text = longText(6000, "VIEW-END")
	r.NeedsDiscussion = longText(20000, "NEEDS-END")
	r.Provision[1].Notes = longText(4000, "NOTES-END")
	path := meetingFile(t, doc, LangEN)
	if n := pages(t, path); n < 10 {
		t.Errorf("%d pages; the long text should take many more", n)
	}
	// The text less the page furniture, so that a sentence broken by a
	// page reads on.
	furniture := regexp.MustCompile(`Siân ap Gwŷn Review record, revision 2 Page \d+ of \d+( Record of IDP review meeting)?`)
	text := strings.Join(strings.Fields(furniture.ReplaceAllString(pdftext(t, path, 0), " ")), " ")
	var markers []string
	for _, long := range []string{r.ChildViews[0].Text, r.NeedsDiscussion, r.Provision[1].Notes} {
		for i := range strings.Count(long, "Sentence ") {
			markers = append(markers, fmt.Sprintf("Sentence %d of a long record, with Welsh words such as Tŷ, ŵyr and Llŷn.", i))
		}
		markers = append(markers, long[strings.LastIndex(long, " ")+1:])
	}
	markers = append(markers, "Planned 4 sessions")
	if w, ok := inOrder(text, markers); !ok {
		t.Errorf("%q missing or out of order", w)
	}
	if !strings.Contains(text, "VIEW-END”") {
		t.Error("the long view does not end with its closing quote mark")
	}
}

func TestMeetingDeterministic(t *testing.T) {
	assertDeterministic(t, 3, func() ([]byte, error) { return RenderMeeting(SampleMeeting(), LangBilingual) }, "/ModDate (D:20270114160500)", "ModDate is not the review revision's creation time")
}

func BenchmarkRenderMeeting(b *testing.B) {
	for _, lang := range []Lang{LangEN, LangBilingual} {
		b.Run(string(lang), func(b *testing.B) {
			doc := SampleMeeting()
			b.ReportAllocs()
			var pdf []byte
			for b.Loop() {
				var err error
				if pdf, err = RenderMeeting(doc, lang); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(pageObject.FindAllIndex(pdf, -1))), "pages")
			b.ReportMetric(float64(len(pdf)), "bytes")
		})
	}
}
