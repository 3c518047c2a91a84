package docgen

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/form"
)

// PlanDoc is everything an IDP document shows: the learner, the plan, one
// version with its content, and the display names of the organisations
// involved.
type PlanDoc struct {
	Learner        *cynllun.Learner
	Plan           *cynllun.Plan
	Version        *cynllun.Version
	Maintainer     string // the organisation that maintains the plan
	LocalAuthority string
	Setting        string
	// MaintainerKind is the kind of body that maintains the plan (a school,
	// an FEI, the local authority): the rights page follows its route.
	MaintainerKind cynllun.OrgKind
	// Reviews are the plan's reviews (any status, any order); 3D lists
	// those concluded up to this version (reviewsFor).
	Reviews []*cynllun.Review
	// Attachments are the files the content refers to, by file id: an
	// image is placed where it belongs, anything else is named.
	Attachments map[string]Attachment
	// Rights, when set, is the rights and contacts page printed after the
	// plan (rights.go).
	Rights *Rights
	// Check, when set, is printed on pages of its own after the plan: the
	// quality findings of a draft (check.go). It is printed whatever the
	// version's status; the service decides when to ask for it.
	Check *PlanCheck
}

// RenderPlan renders one version of an IDP as a PDF.
func RenderPlan(doc PlanDoc, lang Lang) ([]byte, error) {
	return RenderPlanWith(doc, lang, Options{})
}

// RenderPlanWith is RenderPlan with options (for a bundle: no page number).
func RenderPlanWith(doc PlanDoc, lang Lang, o Options) ([]byte, error) {
	t, err := BuildPlan(doc, lang)
	if err != nil {
		return nil, err
	}
	o.apply(t)
	return Write(t)
}

// BuildPlan lays out one version of an IDP. It follows the form definition
// the version was saved against (the current one when that is unknown):
// every part and section heading, in the definition's order, with a line
// saying so where a section has nothing recorded. Sections for LA-maintained
// plans appear only in those.
func BuildPlan(doc PlanDoc, lang Lang) (*Tree, error) {
	const op = "docgen.BuildPlan"
	if !lang.Valid() {
		return nil, cynllun.E(cynllun.CodeInvalid, op, "unknown document language")
	}
	if doc.Learner == nil || doc.Plan == nil || doc.Version == nil || doc.Version.Content == nil {
		return nil, cynllun.E(cynllun.CodeInvalid, op, "a plan document needs a learner, a plan and a version with its content")
	}
	def, ok := form.Lookup(doc.Version.FormVersion)
	if !ok {
		def = form.Current()
	}
	v := doc.Version
	b := &planBuilder{lang: lang, doc: doc, c: v.Content, attachments: doc.Attachments}
	t := &Tree{
		Lang:        lang,
		Title:       b.t(def.Title),
		FooterLeft:  doc.Learner.FullName(),
		FooterRight: b.t(sprintf(fmtVersion, v.Number)),
		PageNumber:  b.t(txtPage),
		Created:     v.CreatedAt,
	}
	status := txtFinal
	if v.Status != cynllun.VersionFinal {
		status = txtDraft
		t.Draft = b.t(txtDraft)
	}

	b.add(KindTitle, "", t.Title)
	b.add(KindField, b.t(txtName), doc.Learner.FullName())
	b.optAdd(txtKnownAs, doc.Learner.PreferredName)
	b.add(KindField, b.t(txtDateOfBirth), b.t(dateText(doc.Learner.DateOfBirth)))
	b.optAdd(txtLA, doc.LocalAuthority)
	b.optAdd(txtMaintainer, doc.Maintainer)
	b.optAdd(txtSetting, doc.Setting)
	b.add(KindField, b.t(txtVersionLabel), fmt.Sprintf("%d (%s)", v.Number, b.t(status)))
	if !v.CreatedAt.IsZero() {
		b.add(KindField, b.t(txtVersionDate), b.t(dateText(cynllun.DateOf(v.CreatedAt.In(cynllun.London)))))
	}

	for _, p := range def.Parts {
		b.blocks = append(b.blocks, Block{Kind: KindPart, Key: p.Key, Text: b.t(p.Title)})
		for i := range p.Sections {
			s := &p.Sections[i]
			if s.AppliesTo == form.AppliesLAMaintained && !doc.Plan.LAMaintained {
				continue
			}
			// A section that is the whole of its part (the appendices)
			// is headed by the part.
			if s.Key != p.Key {
				b.blocks = append(b.blocks, Block{Kind: KindSection, Key: s.Key, Text: s.Key + " " + b.t(s.Title)})
			}
			n := len(b.blocks)
			b.section(s)
			if len(b.blocks) == n {
				b.empty()
			}
		}
	}
	if doc.Rights != nil {
		b.rights(doc.Rights, doc.Rights.MaintainerKind)
	}
	if doc.Check != nil {
		b.check(def, doc.Check)
	}
	distinctWidths(b.blocks)
	t.Blocks = b.blocks
	return t, nil
}

type planBuilder struct {
	lang   Lang
	doc    PlanDoc
	c      *cynllun.Content
	blocks []Block
	// attachments are the files the document refers to, by id.
	attachments map[string]Attachment
}

func (b *planBuilder) t(t form.Text) string { return b.lang.Pick(t) }

func (b *planBuilder) add(k Kind, label, text string) {
	b.blocks = append(b.blocks, Block{Kind: k, Label: label, Text: text})
}

func (b *planBuilder) empty() { b.add(KindEmpty, "", b.t(txtEmpty)) }

// optAdd adds a field with a fixed label when value is not blank.
func (b *planBuilder) optAdd(label form.Text, value string) {
	if !blank(value) {
		b.add(KindField, b.t(label), value)
	}
}

// label is a field's label from the definition, after its reference
// ("2B.1 Intended outcome") where it has one.
func (b *planBuilder) label(s *form.Section, key string) string {
	f, ok := s.Field(key)
	if !ok {
		return key
	}
	if f.Ref != "" {
		return f.Ref + " " + b.t(f.Label)
	}
	return b.t(f.Label)
}

func (b *planBuilder) field(s *form.Section, key, value string) {
	b.add(KindField, b.label(s, key), value)
}

func (b *planBuilder) optField(s *form.Section, key, value string) {
	if !blank(value) {
		b.field(s, key, value)
	}
}

// text is free text as stored, or "Not recorded".
func (b *planBuilder) text(s string) string {
	if blank(s) {
		return b.t(txtNotRecorded)
	}
	return s
}

func (b *planBuilder) paragraph(s string) {
	if !blank(s) {
		b.add(KindParagraph, "", s)
	}
}

func (b *planBuilder) section(s *form.Section) {
	switch s.Key {
	case "1A":
		b.consent(s)
	case "1B":
		b.dates(s)
	case "1C":
		b.profile(s)
	case "2A":
		b.needs(s)
	case "2B":
		b.provision(s)
	case "2C":
		b.nhsSecured()
	case "2D":
		b.placement(s)
	case "3A":
		b.paragraph(b.c.MeetingSummary)
	case "3D":
		b.further(s.Key)
		b.reviews()
	case "APPENDICES":
		b.appendices(s)
	default: // the further sections of Part 3
		b.further(s.Key)
	}
}

// further prints the text recorded for a further section of Part 3.
func (b *planBuilder) further(key string) {
	for _, f := range b.c.FurtherSections {
		if f.Key == key {
			b.paragraph(f.Text)
		}
	}
}

// reviews lists under 3D the reviews of the plan concluded up to this
// version, oldest first: when each was held, its type and its decision,
// the review that made this version marked so, and when the next review
// is due after the latest.
func (b *planBuilder) reviews() {
	v := b.doc.Version
	rs := reviewsFor(b.doc.Reviews, v.Number)
	for i, r := range rs {
		d := r.Decision
		b.add(KindSubheading, "", b.t(withText(fmtReviewHeld, dateText(r.HeldOn))))
		b.add(KindField, b.t(txtReviewType), b.t(enumText(reviewTypes, r.Type)))
		if d.Kind == cynllun.DecisionRevised && d.Version == v.Number {
			b.add(KindField, b.t(txtOutcomeOfReview), b.t(sprintf(fmtMadeThisVersion, d.Version)))
		} else {
			b.add(KindField, b.t(txtOutcomeOfReview), b.t(reviewOutcome(d)))
		}
		b.add(KindField, b.t(txtDecidedOn), b.t(dateText(d.DecidedOn)))
		if i == len(rs)-1 && !d.DecidedOn.IsZero() {
			// A decision either way starts a new 12-month review period
			// (s.23(3), (4)), ending the day before its anniversary.
			b.add(KindField, b.t(txtNextReviewBy), b.t(dateText(d.DecidedOn.AddYears(1).AddDays(-1))))
		}
	}
}

// reviewOutcome is a review's decision in words.
func reviewOutcome(d *cynllun.Decision) form.Text {
	if d.Kind == cynllun.DecisionRevised {
		return sprintf(fmtRevisedInto, d.Version)
	}
	return txtNotRevisedShort
}

// reviewsFor are the reviews concluded up to version n, by date decided
// (then held): a revision into version n or earlier, or a decision not to
// revise version n or an earlier one.
func reviewsFor(all []*cynllun.Review, n int) []*cynllun.Review {
	var out []*cynllun.Review
	for _, r := range all {
		if r == nil || r.Status != cynllun.ReviewConcluded || r.Decision == nil {
			continue
		}
		switch d := r.Decision; d.Kind {
		case cynllun.DecisionRevised:
			if d.Version < 1 || d.Version > n {
				continue
			}
		case cynllun.DecisionNoRevision:
			if r.PlanVersion > n {
				continue
			}
		default:
			continue
		}
		out = append(out, r)
	}
	slices.SortStableFunc(out, func(a, c *cynllun.Review) int {
		if x := a.Decision.DecidedOn.Time().Compare(c.Decision.DecidedOn.Time()); x != 0 {
			return x
		}
		return a.HeldOn.Time().Compare(c.HeldOn.Time())
	})
	return out
}

func (b *planBuilder) consent(s *form.Section) {
	c := b.c.Consent
	if c.ConsentGiven == nil && c.CapacityIssues == nil && blank(c.ConsentDetails) && blank(c.CapacityDetails) {
		return
	}
	b.field(s, "consentGiven", b.t(optYesNo(c.ConsentGiven)))
	b.optField(s, "consentDetails", c.ConsentDetails)
	b.field(s, "capacityIssues", b.t(optYesNo(c.CapacityIssues)))
	b.optField(s, "capacityDetails", c.CapacityDetails)
}

func (b *planBuilder) dates(s *form.Section) {
	d := b.c.Dates
	if blank(b.doc.Maintainer) && d == (cynllun.MaintainerInfo{}) {
		return
	}
	b.add(KindField, b.t(txtMaintainer), b.text(b.doc.Maintainer))
	b.field(s, "startDate", b.t(dateText(d.StartDate)))
	b.field(s, "reviewTargetDate", b.t(dateText(d.ReviewTargetDate)))
	b.field(s, "proposedReviewDate", b.t(dateText(d.ProposedReviewDate)))
}

func (b *planBuilder) profile(s *form.Section) {
	p := b.c.Profile
	if len(p.LikeAndAdmire)+len(p.ImportantToMe)+len(p.HowToSupportMe)+len(p.Media) == 0 {
		return
	}
	for _, h := range []struct {
		key        string
		statements []cynllun.Statement
	}{
		{"likeAndAdmire", p.LikeAndAdmire},
		{"importantToMe", p.ImportantToMe},
		{"howToSupportMe", p.HowToSupportMe},
	} {
		b.add(KindSubheading, "", b.label(s, h.key))
		if len(h.statements) == 0 {
			b.empty()
		}
		for _, st := range h.statements {
			if st.DirectQuote {
				b.add(KindQuote, b.t(txtOwnWords), "“"+st.Text+"”")
			} else {
				b.add(KindParagraph, "", st.Text)
			}
		}
	}
	b.attachmentBlocks(b.label(s, "media"), txtProfileImage, p.Media)
}

func (b *planBuilder) needs(s *form.Section) {
	for i, n := range b.c.Needs {
		b.add(KindSubheading, "", b.t(sprintf(fmtNeed, i+1)))
		b.optField(s, "description", n.Description)
		b.optField(s, "impactOnLearning", n.ImpactOnLearning)
		b.optField(s, "reasons", n.Reasons)
	}
}

// rowHeading heads a row of a table of rows (a 2B row, a row reviewed):
// name ("Row 2"), then ": " and more when more is not empty. The row is
// laid out as a unit (Block.Continued): on a page of its own when it does
// not fit in the rest of one, and under "Row 2 (continued)" on each page
// it goes on to.
func (b *planBuilder) rowHeading(name form.Text, more string) {
	text, cont := b.t(name), b.t(continued(name))
	if more != "" {
		text += ": " + more
		cont += ": " + more
	}
	b.blocks = append(b.blocks, Block{Kind: KindSubheading, Text: text, Continued: cont})
}

// provision prints each 2B row as a table of all its sub-fields.
func (b *planBuilder) provision(s *form.Section) {
	for i := range b.c.Provision {
		r := &b.c.Provision[i]
		b.rowHeading(sprintf(fmtRow, i+1), "")
		b.field(s, "intendedOutcome", b.text(r.IntendedOutcome))
		b.field(s, "provision", b.text(r.Provision))
		b.field(s, "welshMedium", b.t(optYesNo(r.WelshMedium)))
		b.field(s, "provider", b.provider(r))
		b.field(s, "startDate", b.t(dateText(r.StartDate)))
		b.field(s, "reviewOrEndDate", b.reviewOrEnd(r))
		b.field(s, "rationale", b.text(r.Rationale))
		if r.Quantity != nil {
			b.field(s, "quantity", b.t(quantityText(r.Quantity)))
		}
	}
}

func (b *planBuilder) provider(r *cynllun.ProvisionRow) string {
	var lines []string
	if !blank(r.Provider) {
		lines = append(lines, r.Provider)
	}
	if r.NHSSecured {
		lines = append(lines, b.nhsBody(r))
	}
	if len(lines) == 0 {
		return b.t(txtNotRecorded)
	}
	return strings.Join(lines, "\n")
}

// nhsBody marks provision an NHS body is to secure (Act s.21(3)).
func (b *planBuilder) nhsBody(r *cynllun.ProvisionRow) string {
	return b.t(txtNHS) + ": " + b.text(r.NHSBody)
}

func (b *planBuilder) reviewOrEnd(r *cynllun.ProvisionRow) string {
	date := b.t(dateText(r.ReviewOrEndDate))
	switch r.DateKind {
	case cynllun.DateReview:
		return b.t(txtReviewDate) + ": " + date
	case cynllun.DateEnd:
		return b.t(txtEndDate) + ": " + date
	}
	return date
}

// nhsSecured lists, under 2C, the provision of each 2B row an NHS body is
// to secure: the row, its provision (2B.2) and amount, and the NHS body,
// labelled as in 2B.
func (b *planBuilder) nhsSecured() {
	s := provisionSection(b.doc.Version.FormVersion)
	for i := range b.c.Provision {
		r := &b.c.Provision[i]
		if !r.NHSSecured {
			continue
		}
		b.rowHeading(sprintf(fmtRow, i+1), "")
		b.field(s, "provision", b.text(r.Provision))
		if r.Quantity != nil {
			b.field(s, "quantity", b.t(quantityText(r.Quantity)))
		}
		b.field(s, "nhsBody", b.text(r.NHSBody))
	}
}

// provisionSection is section 2B of the form definition a version was
// saved against (the current one when that is unknown or has no 2B).
func provisionSection(formVersion string) *form.Section {
	if def, ok := form.Lookup(formVersion); ok {
		if s, ok := def.Section("2B"); ok {
			return s
		}
	}
	s, _ := form.Current().Section("2B")
	return s
}

func (b *planBuilder) placement(s *form.Section) {
	p := b.c.Placement
	if p == nil {
		return
	}
	b.optField(s, "namedSchool", p.NamedSchool)
	b.optField(s, "otherInstitution", p.OtherInstitution)
	b.optField(s, "boardAndLodging", p.BoardAndLodging)
}

func (b *planBuilder) appendices(s *form.Section) {
	for i, a := range b.c.Appendices {
		heading := b.t(sprintf(fmtAppendix, i+1))
		if !blank(a.Title) {
			heading += ": " + a.Title
		}
		b.add(KindSubheading, "", heading)
		b.paragraph(a.Text)
		if a.AttachmentID != "" {
			b.attachmentBlocks(b.label(s, "attachmentId"), sprintf(fmtAppendix, i+1), []string{a.AttachmentID})
		}
	}
}

func blank(s string) bool { return strings.TrimSpace(s) == "" }
