package form

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/cynllun/cynllun"
)

// ChangeKind says what happened to a field or an item between two versions.
type ChangeKind string

const (
	Added   ChangeKind = "ADDED"
	Removed ChangeKind = "REMOVED"
	Changed ChangeKind = "CHANGED"
)

// Change is one difference between two versions' content.
type Change struct {
	// Section is the form section key ("2B").
	Section string
	// Path is a stable machine path: "provision[<rowID>].provision",
	// "profile.importantToMe[0].directQuote", "needs[1]", "placement",
	// "furtherSections[3B].text", "dates.startDate". List items compared by
	// position use zero-based indexes; 2B rows use their id.
	Path string
	// Row is the 1-based position of a list item (in the newer version; in
	// the older one for REMOVED items), 0 for fields that are not in a list.
	Row int
	// Field is the field key from the definition; "" for a whole row or
	// item, except one-page profile lines and media, whose Field is their
	// heading ("importantToMe", "media").
	Field string
	Kind  ChangeKind
	// From and To are human-readable values in the requested language, ""
	// when absent: dates written out ("3 November 2026" / "3 Tachwedd
	// 2026"), booleans yes/no (ie/na), a 2B row not marked as secured by an
	// NHS body "not stated" ("heb ei nodi"), quantities as "30 minutes, 2
	// sessions per week, group of 1"; a whole item as "label: value; label:
	// value".
	From, To string
	// Summary is one line in the requested language, e.g. "2B row 3:
	// provision changed from ‘…’ to ‘…’", "2B row 3 added: 30 minutes of
	// speech and language therapy weekly"; in Welsh "2B rhes 3, darpariaeth:
	// newidiwyd o ‘…’ i ‘…’". Values in it are shortened to summaryValueMax
	// characters and put on one line; From and To are whole.
	Summary string
}

// summaryValueMax is how many characters of a value a Summary quotes.
const summaryValueMax = 100

// Diff compares two versions' content field by field and returns the
// changes in form order: the section order of def (nil means Current()),
// then row order, then field order. Nil content is empty content.
//
// 2B rows are matched by id, so a reordered row is not reported (nor is a
// move); rows removed are listed after the rows of the newer version, in
// their old order. One-page profile lines, 2A entries and appendices are
// compared by position; media by id; further Part 3 sections by key (an
// absent section is one with no text). Summaries and human-readable values
// use lang (labels from def; Welsh for cynllun.LanguageCY).
func Diff(def *Definition, from, to *cynllun.Content, lang cynllun.Language) []Change {
	if def == nil {
		def = Current()
	}
	if from == nil {
		from = &cynllun.Content{}
	}
	if to == nil {
		to = &cynllun.Content{}
	}
	d := &differ{def: def, w: wordsFor(lang), lang: lang, a: from, b: to}
	d.run()
	return d.out
}

type differ struct {
	def  *Definition
	w    *words
	lang cynllun.Language
	a, b *cynllun.Content
	out  []Change
}

type sectionDiff func(d *differ, s *Section)

var sectionDiffs = map[string]sectionDiff{
	"1A":         (*differ).consent,
	"1B":         (*differ).dates,
	"1C":         (*differ).profile,
	"2A":         (*differ).needs,
	"2B":         (*differ).provision,
	"2D":         (*differ).placement,
	"3A":         (*differ).meetingSummary,
	"APPENDICES": (*differ).appendices,
}

// sectionOrder is the order of sections missing from a definition.
var sectionOrder = []string{"1A", "1B", "1C", "2A", "2B", "2D", "3A", "APPENDICES"}

func (d *differ) run() {
	further := d.def.FurtherSectionKeys()
	done := map[string]bool{}
	flushed := false
	flushFurther := func() {
		if flushed {
			return
		}
		flushed = true
		// Further sections the definition does not know, in content order.
		for _, k := range furtherKeys(d.a.FurtherSections, d.b.FurtherSections) {
			if !contains(further, k) {
				d.further(&Section{Key: k, Title: Text{EN: k}})
			}
		}
	}
	for pi := range d.def.Parts {
		p := &d.def.Parts[pi]
		for si := range p.Sections {
			s := &p.Sections[si]
			if f, ok := sectionDiffs[s.Key]; ok && !done[s.Key] {
				done[s.Key] = true
				f(d, s)
			} else if contains(further, s.Key) {
				d.further(s)
			}
		}
		if p.Key == "3" {
			flushFurther()
		}
	}
	flushFurther()
	for _, k := range sectionOrder {
		if !done[k] {
			sectionDiffs[k](d, &Section{Key: k, Title: Text{EN: k}})
		}
	}
}

// label is a field's label in the summary's language, first letter lower
// case unless the first word is an acronym.
func (d *differ) label(s *Section, key string) string {
	if f, ok := s.Field(key); ok {
		return lowerFirst(f.Label.In(d.lang))
	}
	return key
}

// where names a section in a summary: its key when it is a form number
// ("2B"), its title otherwise ("Appendices").
func (d *differ) where(s *Section) string {
	if r, _ := utf8.DecodeRuneInString(s.Key); unicode.IsDigit(r) {
		return s.Key
	}
	return s.Title.In(d.lang)
}

// field records a change of one value, if any.
func (d *differ) field(s *Section, path string, row int, loc, key, label, from, to string) {
	if from == to {
		return
	}
	c := Change{Section: s.Key, Path: path, Row: row, Field: key, From: from, To: to}
	switch {
	case from == "":
		c.Kind = Added
		c.Summary = d.w.fieldAdded(loc, label, short(to))
	case to == "":
		c.Kind = Removed
		c.Summary = d.w.fieldRemoved(loc, label, short(from))
	default:
		c.Kind = Changed
		c.Summary = d.w.fieldChanged(loc, label, short(from), short(to))
	}
	d.out = append(d.out, c)
}

// item records a whole row or item added or removed; what says what it is
// (its provision, description or title).
func (d *differ) item(s *Section, path string, row int, loc, key string, kind ChangeKind, value, what string) {
	c := Change{Section: s.Key, Path: path, Row: row, Field: key, Kind: kind}
	if kind == Added {
		c.To = value
		c.Summary = d.w.itemAdded(loc, short(what))
	} else {
		c.From = value
		c.Summary = d.w.itemRemoved(loc, short(what))
	}
	d.out = append(d.out, c)
}

// first is the first value in ps on one side: what an item is about.
func first(ps []pair, newer bool) string {
	for _, p := range ps {
		v := p.from
		if newer {
			v = p.to
		}
		if v != "" {
			return v
		}
	}
	return ""
}

// pair is one field of an item: its key and its value in each version.
type pair struct{ key, from, to string }

func (d *differ) fields(s *Section, path string, row int, loc string, ps []pair) {
	for _, p := range ps {
		d.field(s, path+"."+p.key, row, loc, p.key, d.label(s, p.key), p.from, p.to)
	}
}

// whole renders an item as "label: value; label: value" from one side of ps.
func (d *differ) whole(s *Section, ps []pair, newer bool) string {
	var parts []string
	for _, p := range ps {
		v := p.from
		if newer {
			v = p.to
		}
		if v != "" && v != d.w.notStated {
			label := p.key
			if f, ok := s.Field(p.key); ok {
				label = f.Label.In(d.lang)
			}
			parts = append(parts, label+": "+v)
		}
	}
	return strings.Join(parts, "; ")
}

func (d *differ) consent(s *Section) {
	a, b := d.a.Consent, d.b.Consent
	d.fields(s, "consent", 0, d.where(s), []pair{
		{"consentGiven", d.optBool(a.ConsentGiven), d.optBool(b.ConsentGiven)},
		{"consentDetails", a.ConsentDetails, b.ConsentDetails},
		{"capacityIssues", d.optBool(a.CapacityIssues), d.optBool(b.CapacityIssues)},
		{"capacityDetails", a.CapacityDetails, b.CapacityDetails},
	})
}

func (d *differ) dates(s *Section) {
	a, b := d.a.Dates, d.b.Dates
	d.fields(s, "dates", 0, d.where(s), []pair{
		{"startDate", d.date(a.StartDate), d.date(b.StartDate)},
		{"reviewTargetDate", d.date(a.ReviewTargetDate), d.date(b.ReviewTargetDate)},
		{"proposedReviewDate", d.date(a.ProposedReviewDate), d.date(b.ProposedReviewDate)},
	})
}

func (d *differ) profile(s *Section) {
	a, b := d.a.Profile, d.b.Profile
	d.statements(s, "likeAndAdmire", a.LikeAndAdmire, b.LikeAndAdmire)
	d.statements(s, "importantToMe", a.ImportantToMe, b.ImportantToMe)
	d.statements(s, "howToSupportMe", a.HowToSupportMe, b.HowToSupportMe)
	// Media are a set of ids.
	ka, kb := occurrences(a.Media), occurrences(b.Media)
	inA, inB := set(ka), set(kb)
	loc, label := d.where(s), d.label(s, "media")
	for i, k := range kb {
		if !inA[k] {
			d.field(s, "profile.media["+k+"]", 0, loc, "media", label, "", b.Media[i])
		}
	}
	for i, k := range ka {
		if !inB[k] {
			d.field(s, "profile.media["+k+"]", 0, loc, "media", label, a.Media[i], "")
		}
	}
}

func (d *differ) statements(s *Section, key string, a, b []cynllun.Statement) {
	heading := key
	if f, ok := s.Field(key); ok {
		heading = f.Label.In(d.lang)
	}
	for i := range max(len(a), len(b)) {
		path := "profile." + key + "[" + strconv.Itoa(i) + "]"
		loc := d.where(s) + " " + heading + ", " + d.w.item + " " + strconv.Itoa(i+1)
		switch {
		case i >= len(a):
			d.item(s, path, i+1, loc, key, Added, d.statement(b[i]), b[i].Text)
		case i >= len(b):
			d.item(s, path, i+1, loc, key, Removed, d.statement(a[i]), a[i].Text)
		default:
			d.field(s, path+".text", i+1, loc, key, d.w.text, a[i].Text, b[i].Text)
			d.field(s, path+".directQuote", i+1, loc, key, d.w.directQuote, d.bool(a[i].DirectQuote), d.bool(b[i].DirectQuote))
		}
	}
}

func (d *differ) statement(st cynllun.Statement) string {
	if st.DirectQuote {
		return st.Text + " (" + d.w.directQuote + ")"
	}
	return st.Text
}

func (d *differ) needs(s *Section) {
	a, b := d.a.Needs, d.b.Needs
	pairs := func(x, y cynllun.NeedEntry) []pair {
		return []pair{
			{"description", x.Description, y.Description},
			{"impactOnLearning", x.ImpactOnLearning, y.ImpactOnLearning},
			{"reasons", x.Reasons, y.Reasons},
		}
	}
	diffList(d, s, "needs", a, b, pairs)
}

func (d *differ) provision(s *Section) {
	a, b := d.a.Provision, d.b.Provision
	ids := func(rows []cynllun.ProvisionRow) []string {
		out := make([]string, len(rows))
		for i := range rows {
			out[i] = rows[i].ID
		}
		return out
	}
	ka, kb := occurrences(ids(a)), occurrences(ids(b))
	oldAt := make(map[string]int, len(ka))
	for i, k := range ka {
		oldAt[k] = i
	}
	matched := make(map[string]bool, len(kb))
	for i, k := range kb {
		path := "provision[" + k + "]"
		loc := d.where(s) + " " + d.w.row + " " + strconv.Itoa(i+1)
		j, ok := oldAt[k]
		if !ok {
			d.item(s, path, i+1, loc, "", Added, d.whole(s, d.rowPairs(nil, &b[i]), true), rowWhat(&b[i]))
			continue
		}
		matched[k] = true
		d.fields(s, path, i+1, loc, d.rowPairs(&a[j], &b[i]))
	}
	for j, k := range ka {
		if !matched[k] {
			loc := d.where(s) + " " + d.w.row + " " + strconv.Itoa(j+1)
			d.item(s, "provision["+k+"]", j+1, loc, "", Removed, d.whole(s, d.rowPairs(&a[j], nil), false), rowWhat(&a[j]))
		}
	}
}

// rowWhat is what a 2B row is: its provision, else its intended outcome.
func rowWhat(r *cynllun.ProvisionRow) string {
	if r.Provision != "" {
		return r.Provision
	}
	return r.IntendedOutcome
}

// rowKeys are the fields of a 2B row in form order.
var rowKeys = []string{"intendedOutcome", "provision", "welshMedium", "provider", "startDate",
	"reviewOrEndDate", "rationale", "quantity", "nhsSecured", "nhsBody"}

// rowValues renders a row's fields in rowKeys order; nil is an absent row.
func (d *differ) rowValues(r *cynllun.ProvisionRow) []string {
	if r == nil {
		return make([]string, len(rowKeys))
	}
	return []string{r.IntendedOutcome, r.Provision, d.optBool(r.WelshMedium), d.provider(r), d.date(r.StartDate),
		d.reviewOrEnd(r), r.Rationale, d.quantity(r.Quantity), d.mark(r.NHSSecured), r.NHSBody}
}

// rowPairs pairs the fields of two versions of a row; nil is an absent row.
func (d *differ) rowPairs(x, y *cynllun.ProvisionRow) []pair {
	vx, vy := d.rowValues(x), d.rowValues(y)
	ps := make([]pair, len(rowKeys))
	for i, k := range rowKeys {
		ps[i] = pair{k, vx[i], vy[i]}
	}
	return ps
}

func (d *differ) provider(r *cynllun.ProvisionRow) string {
	t := d.w.providerType(r.ProviderType)
	switch {
	case t == "":
		return r.Provider
	case r.Provider == "":
		return t
	default:
		return r.Provider + " (" + t + ")"
	}
}

func (d *differ) reviewOrEnd(r *cynllun.ProvisionRow) string {
	k := d.w.dateKind(r.DateKind)
	switch {
	case k == "":
		return d.date(r.ReviewOrEndDate)
	case r.ReviewOrEndDate.IsZero():
		return "(" + k + ")"
	default:
		return d.date(r.ReviewOrEndDate) + " (" + k + ")"
	}
}

func (d *differ) quantity(q *cynllun.Quantity) string {
	if q == nil {
		return ""
	}
	return d.w.quantity(q)
}

func (d *differ) placement(s *Section) {
	var a, b cynllun.Placement
	if d.a.Placement != nil {
		a = *d.a.Placement
	}
	if d.b.Placement != nil {
		b = *d.b.Placement
	}
	ps := []pair{
		{"namedSchool", a.NamedSchool, b.NamedSchool},
		{"otherInstitution", a.OtherInstitution, b.OtherInstitution},
		{"boardAndLodging", a.BoardAndLodging, b.BoardAndLodging},
	}
	none := cynllun.Placement{}
	switch {
	case a == b:
	case a == none:
		d.item(s, "placement", 0, d.where(s), "", Added, d.whole(s, ps, true), first(ps, true))
	case b == none:
		d.item(s, "placement", 0, d.where(s), "", Removed, d.whole(s, ps, false), first(ps, false))
	default:
		d.fields(s, "placement", 0, d.where(s), ps)
	}
}

func (d *differ) meetingSummary(s *Section) {
	d.field(s, "meetingSummary", 0, d.where(s), "meetingSummary", d.label(s, "meetingSummary"), d.a.MeetingSummary, d.b.MeetingSummary)
}

// further compares the further Part 3 section s.Key; repeated keys (which
// validation rejects) are matched by occurrence.
func (d *differ) further(s *Section) {
	ta, tb := furtherTexts(d.a.FurtherSections, s.Key), furtherTexts(d.b.FurtherSections, s.Key)
	for i := range max(len(ta), len(tb)) {
		var x, y string
		if i < len(ta) {
			x = ta[i]
		}
		if i < len(tb) {
			y = tb[i]
		}
		k := s.Key
		if i > 0 {
			k += "#" + strconv.Itoa(i+1)
		}
		d.field(s, "furtherSections["+k+"].text", 0, d.where(s), "text", d.label(s, "text"), x, y)
	}
}

func furtherTexts(fs []cynllun.FurtherSection, key string) []string {
	var out []string
	for _, f := range fs {
		if f.Key == key {
			out = append(out, f.Text)
		}
	}
	return out
}

// furtherKeys lists the distinct keys of a then b, in order.
func furtherKeys(a, b []cynllun.FurtherSection) []string {
	var keys []string
	seen := map[string]bool{}
	for _, f := range append(append([]cynllun.FurtherSection(nil), a...), b...) {
		if !seen[f.Key] {
			seen[f.Key] = true
			keys = append(keys, f.Key)
		}
	}
	return keys
}

func (d *differ) appendices(s *Section) {
	a, b := d.a.Appendices, d.b.Appendices
	pairs := func(x, y cynllun.Appendix) []pair {
		return []pair{
			{"title", x.Title, y.Title},
			{"text", x.Text, y.Text},
			{"attachmentId", x.AttachmentID, y.AttachmentID},
		}
	}
	diffList(d, s, "appendices", a, b, pairs)
}

func (d *differ) bool(v bool) string {
	if v {
		return d.w.yes
	}
	return d.w.no
}

// mark is a flag that is set or was never stated (a 2B row's nhsSecured).
func (d *differ) mark(v bool) string {
	if v {
		return d.w.yes
	}
	return d.w.notStated
}

// date writes a date out in the summary's language; "" for none.
func (d *differ) date(v cynllun.Date) string { return DateText(v).In(d.lang) }

func (d *differ) optBool(v *bool) string {
	if v == nil {
		return ""
	}
	return d.bool(*v)
}

// occurrences gives each element a distinct key: its value, or for a repeat
// its value with "#n" after it, so that repeated ids still match one to one
// between two lists.
func occurrences(ids []string) []string {
	out := make([]string, len(ids))
	used := make(map[string]bool, len(ids))
	for i, id := range ids {
		k := id
		for n := 2; used[k]; n++ {
			k = id + "#" + strconv.Itoa(n)
		}
		used[k] = true
		out[i] = k
	}
	return out
}

func set(ks []string) map[string]bool {
	m := make(map[string]bool, len(ks))
	for _, k := range ks {
		m[k] = true
	}
	return m
}

// short puts v on one line and cuts it to summaryValueMax characters.
func short(v string) string {
	v = strings.Join(strings.Fields(v), " ")
	if utf8.RuneCountInString(v) <= summaryValueMax {
		return v
	}
	r := []rune(v)
	return strings.TrimSpace(string(r[:summaryValueMax-1])) + "…"
}

// lowerFirst lower-cases the first letter of s unless the first word is an
// acronym ("NHS body" stays).
func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if !unicode.IsUpper(r) {
		return s
	}
	if r2, _ := utf8.DecodeRuneInString(s[n:]); unicode.IsUpper(r2) {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}

// diffList compares two lists of entries position by position: an entry
// only in b is added, only in a removed, in both compared field by field.
func diffList[T any](d *differ, s *Section, name string, a, b []T, pairs func(x, y T) []pair) {
	var zero T
	for i := range max(len(a), len(b)) {
		path := name + "[" + strconv.Itoa(i) + "]"
		loc := d.where(s) + " " + d.w.item + " " + strconv.Itoa(i+1)
		switch {
		case i >= len(a):
			ps := pairs(zero, b[i])
			d.item(s, path, i+1, loc, "", Added, d.whole(s, ps, true), first(ps, true))
		case i >= len(b):
			ps := pairs(a[i], zero)
			d.item(s, path, i+1, loc, "", Removed, d.whole(s, ps, false), first(ps, false))
		default:
			d.fields(s, path, i+1, loc, pairs(a[i], b[i]))
		}
	}
}
