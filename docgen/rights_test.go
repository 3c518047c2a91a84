package docgen

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/form"
)

// review is a concluded review of version reviewed, held on held and
// decided the day after, revised into version into (0: not revised).
func review(id string, reviewed int, held string, into int) *cynllun.Review {
	d := &cynllun.Decision{Kind: cynllun.DecisionNoRevision, DecidedOn: cynllun.MustDate(held).AddDays(1)}
	if into > 0 {
		d.Kind, d.Version = cynllun.DecisionRevised, into
	}
	return &cynllun.Review{ID: id, Type: cynllun.ReviewAnnual, Status: cynllun.ReviewConcluded, PlanVersion: reviewed,
		HeldOn: cynllun.MustDate(held), Decision: d}
}

// 3D lists the reviews concluded up to the version, oldest first; the
// review that made the version says so; the latest gives the next review
// date; reviews still open, cancelled or of later versions are left out.
func TestBuildPlanRecordOfReviews(t *testing.T) {
	doc := samplePlan(1) // version 3
	open := review("r-open", 3, "2026-10-01", 0)
	open.Status, open.Decision = cynllun.ReviewOpen, nil
	cancelled := review("r-cancel", 3, "2026-10-02", 0)
	cancelled.Status = cynllun.ReviewCancelled
	doc.Reviews = []*cynllun.Review{
		review("r-3", 2, "2026-03-02", 3), // made version 3
		review("r-later", 3, "2027-03-01", 4),
		open, cancelled,
		review("r-1", 1, "2025-03-03", 0),
		review("r-2", 1, "2025-09-08", 2),
	}
	for _, tc := range []struct {
		lang Lang
		want []Block
	}{
		{LangEN, []Block{
			{Kind: KindSubheading, Text: "Review held on 3 March 2025"},
			field("Review type", "Annual review"),
			field("Outcome of the review", "Not revised (notice of a decision not to revise)"),
			field("Decided on", "4 March 2025"),
			{Kind: KindSubheading, Text: "Review held on 8 September 2025"},
			field("Review type", "Annual review"),
			field("Outcome of the review", "Plan revised: version 2"),
			field("Decided on", "9 September 2025"),
			{Kind: KindSubheading, Text: "Review held on 2 March 2026"},
			field("Review type", "Annual review"),
			field("Outcome of the review", "Plan revised: this version (3) was made by this review"),
			field("Decided on", "3 March 2026"),
			field("Next review due by", "2 March 2027"),
		}},
		{LangCY, []Block{
			{Kind: KindSubheading, Text: "Adolygiad a gynhaliwyd ar 3 Mawrth 2025"},
			field("Math o adolygiad", "Adolygiad blynyddol"),
			field("Canlyniad yr adolygiad", "Heb ei ddiwygio (hysbysiad o benderfyniad i beidio â diwygio)"),
		}},
	} {
		t.Run(string(tc.lang), func(t *testing.T) {
			got := fields(build(t, doc, tc.lang), "3D")
			if len(got) < len(tc.want) {
				t.Fatalf("3D has %d blocks: %+v", len(got), got)
			}
			if diff := cmp.Diff(tc.want, got[:len(tc.want)]); diff != "" {
				t.Errorf("3D (-want +got):\n%s", diff)
			}
			if tc.lang == LangEN && len(got) != len(tc.want) {
				t.Errorf("3D lists more than the three reviews: %+v", got[len(tc.want):])
			}
		})
	}
	// Version 2 stops at the review that made it.
	v2 := *doc.Version
	v2.Number = 2
	doc.Version = &v2
	got := fields(build(t, doc, LangEN), "3D")
	if n := len(kinds(got, KindSubheading)); n != 2 || got[len(got)-1] != field("Next review due by", "8 September 2026") {
		t.Errorf("version 2's 3D: %+v", got)
	}
	// None concluded: the section says nothing is recorded.
	doc.Reviews = []*cynllun.Review{open}
	if got := fields(build(t, doc, LangEN), "3D"); len(got) != 1 || got[0].Kind != KindEmpty {
		t.Errorf("3D with no concluded review: %+v", got)
	}
}

func field(label, text string) Block { return Block{Kind: KindField, Label: label, Text: text} }

// blockText is the text of blocks, one line each.
func blockText(bs []Block) string {
	var b strings.Builder
	for _, x := range bs {
		b.WriteString(x.Label + " " + x.Text + "\n")
	}
	return b.String()
}

var sampleContacts = &Contacts{
	Sample:                 true,
	ALNOfficer:             &Contact{Name: form.Text{EN: "ALN team", CY: "Tîm ADY"}, Email: "ady@example.invalid"},
	DisagreementResolution: &Contact{Name: form.Text{EN: "Resolving disagreements", CY: "Datrys anghytundebau"}, Phone: "01234 000000"},
	Advocacy:               &Contact{Name: form.Text{EN: "Advocacy service", CY: "Gwasanaeth eirioli"}, Web: "https://example.invalid/advocacy"},
}

// The rights page follows the route of the body that maintains the plan:
// a school's plan sends the family to the local authority to reconsider
// (no appeal lies against a school); an LA's or FEI's plan may be appealed
// to the Tribunal within the T17 period.
func TestBuildPlanRights(t *testing.T) {
	for _, tc := range []struct {
		name   string
		kind   cynllun.OrgKind
		lang   Lang
		want   []string // in order
		absent []string
	}{
		{"school EN", cynllun.OrgSchool, LangEN,
			[]string{"Your rights and who to contact", "Sample contact details", "Ysgol Glan Taf", "ALNCo", "ALN team", "ady@example.invalid",
				"If you disagree", "No appeal lies against a maintained school", "Ask the local authority to reconsider", "You cannot appeal against a school's decision",
				"Ask the local authority to take over the IDP", "disagreement resolution", "Resolving disagreements", "01234 000000", "Advocacy service"},
			[]string{"Appeal to the Education Tribunal for Wales\n", "The Tribunal must receive"}},
		{"LA EN", cynllun.OrgLocalAuthority, LangEN,
			[]string{"Your rights and who to contact", "If you disagree", "Appeal to the Education Tribunal for Wales",
				"By when The Tribunal must receive the appeal within 8 weeks of the day you were given the decision",
				"(or by the first working day after that period).", "you have 8 weeks more",
				"Independent advocacy from the local authority"},
			[]string{"Ask the local authority to reconsider", "You cannot appeal"}},
		{"FEI CY", cynllun.OrgFEI, LangCY,
			[]string{"Eich hawliau a phwy i gysylltu â nhw", "CADY) y coleg", "Os ydych yn anghytuno", "Apelio i Dribiwnlys Addysg Cymru",
				"o fewn 8 wythnos", "Gofyn i'r awdurdod lleol gymryd y CDU drosodd"},
			[]string{"Your rights", "Gofyn i'r awdurdod lleol ailystyried\n"}},
		{"school bilingual", cynllun.OrgSchool, LangBilingual,
			[]string{"Eich hawliau a phwy i gysylltu â nhw / Your rights and who to contact", "Gofyn i'r awdurdod lleol ailystyried / Ask the local authority to reconsider"},
			nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := samplePlan(1)
			doc.Maintainer = "Ysgol Glan Taf"
			doc.MaintainerKind = tc.kind
			doc.Rights = &Rights{MaintainerKind: tc.kind, Maintainer: doc.Maintainer, LocalAuthority: "Caerdydd / Cardiff", Contacts: sampleContacts}
			tree := build(t, doc, tc.lang)
			// A page of its own, after the appendices.
			i := len(tree.Blocks) - 1
			for tree.Blocks[i].Key != KeyRights {
				i--
			}
			if tree.Blocks[i-1].Kind != KindPageBreak || tree.Blocks[i].Kind != KindPart {
				t.Fatalf("the rights page does not start a page with its part heading: %+v", tree.Blocks[i-1:i+1])
			}
			page := blockText(tree.Blocks[i:])
			if missing, ok := inOrder(strings.Join(strings.Fields(page), " "), tc.want); !ok {
				t.Errorf("%q missing (in order) from:\n%s", missing, page)
			}
			for _, a := range tc.absent {
				if strings.Contains(page, a) {
					t.Errorf("%q on the page:\n%s", a, page)
				}
			}
		})
	}

	t.Run("no contacts", func(t *testing.T) {
		doc := samplePlan(1)
		doc.Rights = &Rights{MaintainerKind: cynllun.OrgLocalAuthority, LocalAuthority: "Cyngor Sir Ynys Môn"}
		page := blockText(partBlocks(build(t, doc, LangEN), KeyRights))
		if strings.Count(page, "Cyngor Sir Ynys Môn\nAsk the local authority's additional learning needs team for the details.") != 4 || strings.Contains(page, "Sample") {
			t.Errorf("without contacts:\n%s", page)
		}
	})
	t.Run("none asked for", func(t *testing.T) {
		if got := partBlocks(build(t, samplePlan(1), LangEN), KeyRights); got != nil {
			t.Errorf("a rights page nobody asked for: %+v", got)
		}
	})
}

// A meeting record prints the rights page only when it records a decision.
func TestBuildMeetingRights(t *testing.T) {
	doc := SampleMeeting()
	doc.Rights = &Rights{MaintainerKind: cynllun.OrgLocalAuthority, LocalAuthority: "Cardiff", Contacts: sampleContacts}
	if page := blockText(partBlocks(buildMeeting(t, doc, LangEN), KeyRights)); !strings.Contains(page, "Appeal to the Education Tribunal for Wales") {
		t.Errorf("decided review's rights page:\n%s", page)
	}
	// A school's plan: the family asks the authority to reconsider; once
	// the authority has reconsidered it (a review of its own), its
	// decision may be appealed.
	doc.Rights.MaintainerKind = cynllun.OrgSchool
	if page := blockText(partBlocks(buildMeeting(t, doc, LangEN), KeyRights)); !strings.Contains(page, "Ask the local authority to reconsider") || strings.Contains(page, "Appeal to the Education Tribunal for Wales\n") {
		t.Errorf("school's review, rights page:\n%s", page)
	}
	doc.Review.Type = cynllun.ReviewLAReconsideration
	if page := blockText(partBlocks(buildMeeting(t, doc, LangEN), KeyRights)); !strings.Contains(page, "Appeal to the Education Tribunal for Wales\n") || strings.Contains(page, "Ask the local authority to reconsider") {
		t.Errorf("the authority's reconsideration, rights page:\n%s", page)
	}
	doc.Review.Decision = nil
	if got := partBlocks(buildMeeting(t, doc, LangEN), KeyRights); got != nil {
		t.Errorf("a rights page on a record with no decision: %+v", got)
	}
}

// Images are embedded in the PDF, scaled to fit and captioned: one image
// object per picture, the caption in the text. A 16-bit PNG (which the PDF
// library refuses) is written again; a file that is not an image is named.
func TestPDFImages(t *testing.T) {
	needTools(t)
	if _, err := exec.LookPath("pdfimages"); err != nil {
		t.Fatal("pdfimages not found: install poppler-utils")
	}
	doc := samplePlan(1)
	big := drawingPNG(3000, 2000)
	doc.Attachments = map[string]Attachment{
		"att-drawing-1": {Name: "Y môr.png", Image: &Image{Data: big, ContentType: "image/png", Width: 3000, Height: 2000}},
		"att-targets-1": drawing("Targedau.png", 64, 48),
	}
	doc.Attachments["att-targets-1"].Image.Data = png16(t, 64, 48)
	path := pdfFile(t, doc, LangBilingual)
	got := pdftext(t, path, 0)
	for _, want := range []string{"Wedi'i atodi i'r proffil / Attached to the profile: Y môr.png", "Atodiad 1 / Appendix 1: Targedau.png"} {
		if !strings.Contains(got, want) {
			t.Errorf("caption %q missing", want)
		}
	}
	list := strings.Split(strings.TrimSpace(run(t, "pdfimages", "-list", path)), "\n")
	if len(list) != 2+2 { // two header lines
		t.Fatalf("pdfimages -list:\n%s", strings.Join(list, "\n"))
	}
	if f := strings.Fields(list[2]); f[3] != "3000" && f[3] != "64" {
		t.Errorf("image sizes: %q", list[2:])
	}
	for _, line := range list[2:] {
		f := strings.Fields(line)
		// x-ppi: 3000 × 2000 px scaled to the height limit (120 mm, so
		// 180 mm wide) is 423 ppi; the small one is at 150 dpi.
		if f[3] == "3000" && f[12] != "423" {
			t.Errorf("the large drawing is not scaled to fit: %s", line)
		}
		if f[3] == "64" && f[12] != "150" {
			t.Errorf("the small drawing is not printed at 150 dpi: %s", line)
		}
	}
}

// What changed names files by their names, never their ids.
func TestBuildMeetingWhatChangedFiles(t *testing.T) {
	doc := SampleMeeting()
	c := *doc.Revised.Content
	c.Profile.Media = []string{"fil_u0a1b2", "fil_u9f9f9"}
	v := *doc.Revised
	v.Content = &c
	doc.Revised = &v
	doc.Attachments = map[string]Attachment{"fil_u0a1b2": {Name: "Llun Siân.png"}}
	got := blockText(under(buildMeeting(t, doc, LangEN), KeyWhatChanged))
	if !strings.Contains(got, "Llun Siân.png") || !strings.Contains(got, "An attached file") || strings.Contains(got, "fil_") {
		t.Errorf("what changed:\n%s", got)
	}
}

// A plan with images renders to the same bytes every time, images of the
// same width included (the PDF library orders images by width alone, so
// the builders keep the widths of different images apart).
func TestDeterministicWithImages(t *testing.T) {
	for _, tc := range []struct {
		name string
		a, b Attachment
	}{
		{"different widths", drawing("a.png", 60, 40), drawing("b.png", 30, 50)},
		{"same width", drawing("a.png", 60, 40), drawing("b.png", 60, 50)},
		{"same image twice", drawing("a.png", 60, 40), drawing("b.png", 60, 40)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := samplePlan(2)
			doc.Attachments = map[string]Attachment{"att-drawing-1": tc.a, "att-targets-1": tc.b}
			for range 3 {
				assertDeterministic(t, 4, func() ([]byte, error) { return RenderPlan(doc, LangEN) }, "/ModDate (D:20260304153000)", "ModDate is not the version's creation time")
			}
		})
	}
}
