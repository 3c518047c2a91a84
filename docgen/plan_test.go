package docgen

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/form"
)

// wantHeadings lists the part and section headings of the current form
// definition as a document in lang must show them, in order.
func wantHeadings(lang Lang, laMaintained bool) []string {
	var hs []string
	for _, p := range form.Current().Parts {
		hs = append(hs, lang.Pick(p.Title))
		for _, s := range p.Sections {
			if s.Key == p.Key || (s.AppliesTo == form.AppliesLAMaintained && !laMaintained) {
				continue
			}
			hs = append(hs, s.Key+" "+lang.Pick(s.Title))
		}
	}
	return hs
}

func headings(t *Tree) []string {
	var hs []string
	for _, b := range t.Blocks {
		if b.Kind == KindPart || b.Kind == KindSection {
			hs = append(hs, b.Text)
		}
	}
	return hs
}

func build(t *testing.T, doc PlanDoc, lang Lang) *Tree {
	t.Helper()
	tree, err := BuildPlan(doc, lang)
	if err != nil {
		t.Fatal(err)
	}
	return tree
}

func TestBuildPlanHeadings(t *testing.T) {
	for _, tc := range []struct {
		name         string
		lang         Lang
		laMaintained bool
		want         []string // some headings, in order
		absent       string
	}{
		{"EN school", LangEN, false, []string{"Part 1: Profile", "1A Consent and capacity", "2B Additional learning provision", "3A Record of"}, "2D "},
		{"EN LA", LangEN, true, []string{"2C Additional", "2D Place, and board and lodging", "Part 3"}, ""},
		{"CY school", LangCY, false, []string{"Rhan 1: Proffil", "1A Cydsyniad a galluedd", "Atodiadau"}, "2D "},
		{"CY LA", LangCY, true, []string{"2D Lleoliad, a bwrdd a llety"}, ""},
		{"bilingual", LangBilingual, true, []string{"Rhan 1: Proffil / Part 1: Profile", "1A Cydsyniad a galluedd / Consent and capacity"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := samplePlan(3)
			doc.Plan.LAMaintained = tc.laMaintained
			got := headings(build(t, doc, tc.lang))
			if diff := cmp.Diff(wantHeadings(tc.lang, tc.laMaintained), got); diff != "" {
				t.Errorf("headings (-want +got):\n%s", diff)
			}
			i := 0
			for _, w := range tc.want {
				j := slices.IndexFunc(got[i:], func(h string) bool { return strings.HasPrefix(h, w) })
				if j < 0 {
					t.Fatalf("no heading %q after %q", w, got[i])
				}
				i += j
			}
			if tc.absent != "" && slices.ContainsFunc(got, func(h string) bool { return strings.HasPrefix(h, tc.absent) }) {
				t.Errorf("heading %q present in a school-maintained plan", tc.absent)
			}
		})
	}
}

// An unknown form version falls back to the current definition.
func TestBuildPlanUnknownFormVersion(t *testing.T) {
	doc := samplePlan(1)
	doc.Version.FormVersion = "1999-unknown"
	if diff := cmp.Diff(wantHeadings(LangEN, true), headings(build(t, doc, LangEN))); diff != "" {
		t.Errorf("headings (-want +got):\n%s", diff)
	}
}

func TestBuildPlanEmptySections(t *testing.T) {
	for _, tc := range []struct {
		lang Lang
		want string
	}{
		{LangEN, "No information recorded."},
		{LangCY, "Dim gwybodaeth wedi'i chofnodi."},
		{LangBilingual, "Dim gwybodaeth wedi'i chofnodi. / No information recorded."},
	} {
		t.Run(string(tc.lang), func(t *testing.T) {
			tree := build(t, emptyPlan(true), tc.lang)
			sections := 0
			for i, b := range tree.Blocks {
				heading := b.Kind == KindSection || (b.Kind == KindPart && b.Key == "APPENDICES")
				if !heading {
					continue
				}
				sections++
				if next := tree.Blocks[i+1]; next.Kind != KindEmpty || next.Text != tc.want {
					t.Errorf("after %q: got %+v, want the empty line %q", b.Text, next, tc.want)
				}
			}
			if want := len(wantHeadings(tc.lang, true)) - 3; sections != want { // less parts 1, 2, 3
				t.Errorf("%d sections, want %d", sections, want)
			}
		})
	}
}

// fields returns the fields of tree after the heading starting with
// heading and before the next part or section heading.
func fields(tree *Tree, heading string) []Block {
	var out []Block
	in := false
	for _, b := range tree.Blocks {
		switch {
		case b.Kind == KindPart || b.Kind == KindSection:
			in = strings.HasPrefix(b.Text, heading)
		case in:
			out = append(out, b)
		}
	}
	return out
}

func TestBuildPlanContent(t *testing.T) {
	doc := samplePlan(5)
	doc.Version.Content.Provision[0].Quantity = &cynllun.Quantity{MinutesPerSession: 1, Sessions: 1, Per: cynllun.PerDay, GroupSize: 2}
	doc.Version.Content.Consent.ConsentGiven = nil
	doc.Attachments = map[string]Attachment{"att-drawing-1": drawing("Llun Siân.png", 30, 40), "att-targets-1": {Name: "Interim targets.pdf"}}
	row := func(n string) Block { return Block{Kind: KindSubheading, Text: n} }
	// unit is the heading of a 2B row, repeated on each page the row goes
	// on to.
	unit := func(n, cont string) Block { return Block{Kind: KindSubheading, Text: n, Continued: cont} }
	field := func(l, v string) Block { return Block{Kind: KindField, Label: l, Text: v} }
	r := doc.Version.Content.Provision[4]
	for _, tc := range []struct {
		name, heading string
		lang          Lang
		want          []Block
	}{
		{"1A EN", "1A", LangEN, []Block{
			field("Consent given", "Not recorded"),
			field("Details of consent", doc.Version.Content.Consent.ConsentDetails),
			field("Capacity issues", "No"),
		}},
		{"1B CY", "1B", LangCY, []Block{
			field("Yn cael ei gynnal gan", "Cyngor Sir Ynys Môn"),
			field("Dyddiad dechrau", "1 Medi 2026"),
			field("Dyddiad targed yr adolygiad", "7 Ionawr 2027"),
			field("Dyddiad arfaethedig yr adolygiad", "15 Gorffennaf 2027"),
		}},
		{"2C EN", "2C", LangEN, []Block{
			unit("Row 5", "Row 5 (continued)"),
			field("2B.2 Provision", r.Provision),
			field("Amount and frequency", "45 minutes, 1 session per fortnight, in a group of 4"),
			field("NHS body", "Bwrdd Iechyd Prifysgol Betsi Cadwaladr"),
		}},
		{"2C bilingual", "2C", LangBilingual, []Block{
			unit("Rhes 5 / Row 5", "Rhes 5 (parhad) / Row 5 (continued)"),
			field("2B.2 Darpariaeth / Provision", r.Provision),
			field("Faint a pha mor aml / Amount and frequency", "45 munud, 1 sesiwn bob pythefnos, mewn grŵp o 4 / 45 minutes, 1 session per fortnight, in a group of 4"),
			field("Corff GIG / NHS body", "Bwrdd Iechyd Prifysgol Betsi Cadwaladr"),
		}},
		{"2D bilingual", "2D", LangBilingual, []Block{field("2D.1 Ysgol a enwir ar gyfer derbyn / School named for admission", "Ysgol Gymraeg Bro Tŷ Gwyn")}},
		{"3C empty CY", "3C", LangCY, []Block{{Kind: KindEmpty, Text: "Dim gwybodaeth wedi'i chofnodi."}}},
		{"appendices EN", "Appendices", LangEN, []Block{
			row("Appendix 1: Interim targets"),
			{Kind: KindParagraph, Text: "Read 60 words a minute with 95% accuracy by Christmas."},
			field("Attached file", "Interim targets.pdf (available separately from this document)"),
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, fields(build(t, doc, tc.lang), tc.heading)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}

	t.Run("2B rows", func(t *testing.T) {
		for _, tc := range []struct {
			lang Lang
			want []Block // the first and the fifth row
		}{
			{LangEN, []Block{
				unit("Row 1", "Row 1 (continued)"),
				field("2B.1 Intended outcome", doc.Version.Content.Provision[0].IntendedOutcome),
				field("2B.2 Provision", doc.Version.Content.Provision[0].Provision),
				field("2B.3 To be provided in Welsh", "Yes"),
				field("2B.4 Provider", "Ysgol Gymraeg Bro Tŷ Gwyn"),
				field("2B.5 Start date", "7 September 2026"),
				field("2B.6 Review or end date", "Review date: 7 January 2027"),
				field("2B.7 Rationale", doc.Version.Content.Provision[0].Rationale),
				field("Amount and frequency", "1 minute, 1 session per day, in a group of 2"),
				unit("Row 5", "Row 5 (continued)"),
				field("2B.1 Intended outcome", r.IntendedOutcome),
				field("2B.2 Provision", r.Provision),
				field("2B.3 To be provided in Welsh", "Yes"),
				field("2B.4 Provider", "Ysgol Gymraeg Bro Tŷ Gwyn\nNHS-secured: Bwrdd Iechyd Prifysgol Betsi Cadwaladr"),
				field("2B.5 Start date", "7 September 2026"),
				field("2B.6 Review or end date", "End date: 7 January 2027"),
				field("2B.7 Rationale", r.Rationale),
				field("Amount and frequency", "45 minutes, 1 session per fortnight, in a group of 4"),
			}},
			{LangCY, []Block{
				unit("Rhes 1", "Rhes 1 (parhad)"),
				field("2B.1 Canlyniad a fwriedir", doc.Version.Content.Provision[0].IntendedOutcome),
				field("2B.2 Darpariaeth", doc.Version.Content.Provision[0].Provision),
				field("2B.3 I'w darparu yn Gymraeg", "Ie"),
				field("2B.4 Darparwr", "Ysgol Gymraeg Bro Tŷ Gwyn"),
				field("2B.5 Dyddiad dechrau", "7 Medi 2026"),
				field("2B.6 Dyddiad adolygu neu ddyddiad gorffen", "Dyddiad adolygu: 7 Ionawr 2027"),
				field("2B.7 Rhesymeg", doc.Version.Content.Provision[0].Rationale),
				field("Faint a pha mor aml", "1 munud, 1 sesiwn y dydd, mewn grŵp o 2"),
				unit("Rhes 5", "Rhes 5 (parhad)"),
				field("2B.1 Canlyniad a fwriedir", r.IntendedOutcome),
				field("2B.2 Darpariaeth", r.Provision),
				field("2B.3 I'w darparu yn Gymraeg", "Ie"),
				field("2B.4 Darparwr", "Ysgol Gymraeg Bro Tŷ Gwyn\nI'w sicrhau gan y GIG: Bwrdd Iechyd Prifysgol Betsi Cadwaladr"),
				field("2B.5 Dyddiad dechrau", "7 Medi 2026"),
				field("2B.6 Dyddiad adolygu neu ddyddiad gorffen", "Dyddiad gorffen: 7 Ionawr 2027"),
				field("2B.7 Rhesymeg", r.Rationale),
				field("Faint a pha mor aml", "45 munud, 1 sesiwn bob pythefnos, mewn grŵp o 4"),
			}},
		} {
			t.Run(string(tc.lang), func(t *testing.T) {
				got := fields(build(t, doc, tc.lang), "2B")
				got = append(got[:9], got[36:]...) // rows 1 and 5
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
			})
		}
	})

	t.Run("1C quotes", func(t *testing.T) {
		got := fields(build(t, doc, LangCY), "1C")
		want := []Block{
			row("Beth mae pobl yn ei hoffi ac yn ei edmygu amdanaf i"),
			{Kind: KindParagraph, Text: doc.Version.Content.Profile.LikeAndAdmire[0].Text},
			{Kind: KindQuote, Label: "Yn fy ngeiriau fy hun", Text: "“Dw i'n dda am adrodd straeon am ddreigiau a'r môr. " + diacritics + "”"},
		}
		if diff := cmp.Diff(want, got[:3]); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
		if last := got[len(got)-1]; last.Kind != KindImage || last.Text != "Wedi'i atodi i'r proffil: Llun Siân.png" || last.Image == nil || last.Image.Alt != last.Text {
			t.Errorf("media: got %+v", last)
		}
	})
}

func TestQuantityText(t *testing.T) {
	for _, tc := range []struct {
		q      cynllun.Quantity
		en, cy string
	}{
		{cynllun.Quantity{MinutesPerSession: 30, Sessions: 2, Per: cynllun.PerWeek, GroupSize: 1}, "30 minutes, 2 sessions per week, 1:1", "30 munud, 2 sesiwn yr wythnos, 1:1"},
		{cynllun.Quantity{MinutesPerSession: 20, Sessions: 5, Per: cynllun.PerDay, GroupSize: 4}, "20 minutes, 5 sessions per day, in a group of 4", "20 munud, 5 sesiwn y dydd, mewn grŵp o 4"},
		{cynllun.Quantity{MinutesPerSession: 60, Sessions: 1, Per: cynllun.PerMonth}, "60 minutes, 1 session per month", "60 munud, 1 sesiwn y mis"},
		{cynllun.Quantity{Sessions: 3, Per: cynllun.PerTerm}, "3 sessions per term", "3 sesiwn y tymor"},
		{cynllun.Quantity{}, "Not recorded", "Heb ei gofnodi"},
	} {
		got := quantityText(&tc.q)
		if got.EN != tc.en || got.CY != tc.cy {
			t.Errorf("%+v: got %q / %q, want %q / %q", tc.q, got.EN, got.CY, tc.en, tc.cy)
		}
	}
}

func TestBuildPlanErrors(t *testing.T) {
	noContent := samplePlan(1)
	noContent.Version = &cynllun.Version{Number: 1}
	for _, tc := range []struct {
		name string
		doc  PlanDoc
		lang Lang
	}{
		{"no content", noContent, LangEN},
		{"no learner", PlanDoc{Plan: noContent.Plan, Version: samplePlan(1).Version}, LangEN},
		{"bad language", samplePlan(1), "FR"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := RenderPlan(tc.doc, tc.lang)
			if code := cynllun.ErrorCode(err); code != cynllun.CodeInvalid {
				t.Fatalf("got %v, want an INVALID error", err)
			}
			if strings.Contains(err.Error(), "Siân") {
				t.Errorf("error %q names the learner", err)
			}
		})
	}
}
