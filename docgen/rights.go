package docgen

import (
	"fmt"
	"strings"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/clock"
	"github.com/cynllun/cynllun/form"
	"github.com/cynllun/cynllun/routes"
)

// KeyRights is the key of the rights and contacts page's part heading.
const KeyRights = "RIGHTS"

// Rights is what the rights and contacts page printed with a plan or a
// decision says: who maintains the plan (and so whose route applies:
// domain.md §4.1–4.2), the names of the maintainer and the local
// authority, and the local authority's contacts.
type Rights struct {
	// MaintainerKind is the kind of body that maintains the plan or made
	// the decision: a school, an FEI or the local authority.
	MaintainerKind cynllun.OrgKind
	// Maintainer and LocalAuthority are display names in the document's
	// language.
	Maintainer, LocalAuthority string
	// Contacts are the local authority's; nil when none are configured,
	// and the page then says to ask the authority.
	Contacts *Contacts
}

// Contacts are who a family contacts in one local authority's area, as
// data (service/rights_contacts.json, RIGHTS_CONTACTS): the authority's
// ALN officer, its disagreement resolution and advocacy services, and the
// Education Tribunal for Wales. Sample marks details that are examples,
// not a real service's.
type Contacts struct {
	Sample                 bool     `json:"sample,omitempty"`
	ALNOfficer             *Contact `json:"alnOfficer,omitempty"`
	DisagreementResolution *Contact `json:"disagreementResolution,omitempty"`
	Advocacy               *Contact `json:"advocacy,omitempty"`
	Tribunal               *Contact `json:"tribunal,omitempty"`
}

// Contact is one service: its name in both languages and how to reach it.
type Contact struct {
	Name  form.Text `json:"name"`
	Phone string    `json:"phone,omitempty"`
	Email string    `json:"email,omitempty"`
	Web   string    `json:"web,omitempty"`
	// Note is anything else a family should know (opening hours, who it
	// is for), in both languages.
	Note form.Text `json:"note,omitzero"`
}

// Valid reports whether the contact has a name in both languages and a
// way to reach it.
func (c *Contact) Valid() bool {
	return c != nil && !blank(c.Name.EN) && !blank(c.Name.CY) && (!blank(c.Phone) || !blank(c.Email) || !blank(c.Web))
}

// rightsRoute is the route a family has about the plan's content (its
// description of ALN, its ALP, its dates): the steps open against a
// decision of a body of the maintainer's kind (routes.json).
func rightsRoute(k cynllun.OrgKind) (routes.Route, bool) {
	return routes.For(cynllun.DisputedProvision, k)
}

// rights adds the rights and contacts page: on a page of its own after
// the document, who to contact, what the family may do if they disagree
// and by when (the route of the maintainer's kind, the time limits from
// the clock rules), and the disagreement resolution and advocacy
// services.
//
// maker is the kind of body whose decision the document records: the
// maintainer's, but the local authority's when it reconsidered a school's
// plan (whose decision is then appealable).
func (b *planBuilder) rights(r *Rights, maker cynllun.OrgKind) {
	b.blocks = append(b.blocks, Block{Kind: KindPageBreak},
		Block{Kind: KindPart, Key: KeyRights, Text: b.t(txtRightsTitle)})
	b.add(KindParagraph, "", b.t(txtRightsIntro))
	if c := r.Contacts; c != nil && c.Sample {
		b.add(KindWarning, "", b.t(txtRightsSample))
	}

	b.blocks = append(b.blocks, Block{Kind: KindSection, Key: KeyRights + "_CONTACTS", Text: b.t(txtRightsContacts)})
	if !blank(r.Maintainer) {
		b.add(KindField, b.t(txtRightsMaintainer), r.Maintainer+"\n"+b.t(maintainerHow(r.MaintainerKind)))
	}
	la := r.LocalAuthority
	if blank(la) {
		la = b.t(txtTheLA)
	}
	if c := r.Contacts; c != nil && c.ALNOfficer.Valid() {
		b.contact(txtRightsALNOfficer, c.ALNOfficer)
	} else {
		b.add(KindField, b.t(txtRightsALNOfficer), la+"\n"+b.t(txtAskLA))
	}

	b.blocks = append(b.blocks, Block{Kind: KindSection, Key: KeyRights + "_STEPS", Text: b.t(txtRightsSteps)})
	route, ok := rightsRoute(maker)
	if !ok || len(route.Steps) == 0 {
		b.add(KindParagraph, "", b.t(txtRightsNoRoute))
	} else {
		b.add(KindParagraph, "", b.t(route.Note))
		for _, s := range route.Steps {
			b.add(KindSubheading, "", b.t(s.Title()))
			b.add(KindParagraph, "", b.t(stepWords(s.Kind)))
			if w, ok := windowWords(s.Kind, s.Window); ok {
				b.add(KindField, b.t(txtRightsBy), b.t(w))
			}
		}
	}

	b.blocks = append(b.blocks, Block{Kind: KindSection, Key: KeyRights + "_SERVICES", Text: b.t(txtRightsServices)})
	c := r.Contacts
	if c == nil {
		c = &Contacts{}
	}
	for _, s := range []struct {
		label form.Text
		c     *Contact
	}{
		{txtRightsDR, c.DisagreementResolution},
		{txtRightsAdvocacy, c.Advocacy},
		{txtRightsTribunal, c.Tribunal},
	} {
		if s.c.Valid() {
			b.contact(s.label, s.c)
		} else {
			b.add(KindField, b.t(s.label), la+"\n"+b.t(txtAskLA))
		}
	}
}

// contact prints a service: its name, then each way to reach it, then its
// note.
func (b *planBuilder) contact(label form.Text, c *Contact) {
	lines := []string{b.t(c.Name)}
	for _, l := range []struct {
		label form.Text
		value string
	}{{txtPhone, c.Phone}, {txtEmail, c.Email}, {txtWeb, c.Web}} {
		if !blank(l.value) {
			lines = append(lines, b.t(l.label)+": "+l.value)
		}
	}
	if !blank(c.Note.EN) {
		lines = append(lines, b.t(c.Note))
	}
	b.add(KindField, b.t(label), strings.Join(lines, "\n"))
}

// maintainerHow says what the body maintaining the plan is there for.
func maintainerHow(k cynllun.OrgKind) form.Text {
	switch k {
	case cynllun.OrgSchool:
		return txtMaintainerSchool
	case cynllun.OrgFEI:
		return txtMaintainerFEI
	}
	return txtMaintainerLA
}

// stepWords is what a family does to take a step, in plain words.
func stepWords(k routes.StepKind) form.Text {
	if t, ok := stepTexts[k]; ok {
		return t
	}
	return routes.StepOf(k).Description
}

// windowWords is the time to take a step, from its clock rule: "within 8
// weeks of the day you were given the decision", with the longer time
// when the matter goes to disagreement resolution. ok is false when the
// step has no time limit the rules know.
func windowWords(k routes.StepKind, id string) (form.Text, bool) {
	if id == "" {
		return form.Text{}, false
	}
	r, ok := clock.RuleByID(id)
	if !ok || r.Amount <= 0 {
		return form.Text{}, false
	}
	f := fmtWithinAsk
	if k == routes.StepTribunalAppeal {
		f = fmtWithin
	}
	t := withText(f, clock.PeriodText(r.Amount, r.Unit))
	if r.FirstWorkingDayAfter {
		t = joinText(t, txtFirstWorkingDayAfter)
	}
	t = joinText(t, form.Text{EN: ".", CY: "."})
	if r.Extension != nil && r.Extension.Amount > 0 {
		t = joinText(t, form.Text{EN: " ", CY: " "}, withText(fmtExtension, clock.PeriodText(r.Extension.Amount, r.Unit)))
	}
	return t, true
}

// withText formats f with a value that has words in each language.
func withText(f, v form.Text) form.Text {
	return form.Text{EN: fmt.Sprintf(f.EN, v.EN), CY: fmt.Sprintf(f.CY, v.CY)}
}

// joinText joins texts language by language.
func joinText(ts ...form.Text) form.Text {
	var out form.Text
	for _, t := range ts {
		out.EN += t.EN
		out.CY += t.CY
	}
	return out
}
