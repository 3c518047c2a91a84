package form

import (
	"strconv"
	"strings"
	"time"

	"github.com/cynllun/cynllun"
)

// Limits on the number of items in one version's content.
const (
	MaxProvisionRows   = 200 // 2B rows
	MaxStatements      = 100 // lines under each one-page profile heading
	MaxMedia           = 100 // one-page profile attachments
	MaxNeeds           = 100 // 2A entries
	MaxFurtherSections = 20  // Part 3 sections after 3A
	MaxAppendices      = 50
	// MaxErrors caps the field errors ValidateContent returns; one more
	// error on "content" says the list was cut short.
	MaxErrors = 100
)

// Options says how to validate content.
type Options struct {
	// LAMaintained is true for a plan maintained by a local authority; only
	// such plans may have a 2D placement.
	LAMaintained bool
	// Definition is the form the content follows; nil means Current(). It
	// decides which further Part 3 section keys are allowed.
	Definition *Definition
}

// ValidateContent checks a version's content and returns its field errors in
// form order, or nil. Field paths use GraphQL input names with zero-based
// indexes ("content.provision.2.startDate",
// "content.profile.importantToMe.0.text"). Messages never echo a submitted
// value.
//
// Rules beyond CheckText on every string:
//   - counts: see MaxProvisionRows and the other Max constants; a list over
//     its limit gets one error and its items are not checked;
//   - all text together at most MaxContentBytes;
//   - dates must be real dates in 1900–2199; in 1B the review target date and
//     proposed review date, and in 2B the review-or-end date, must not be
//     before the start date;
//   - 2B: row ids non-empty and unique; providerType and dateKind valid when
//     set; quantity minutesPerSession 1–1440, sessions 1–1000, groupSize
//     1–100 and per a defined period; nhsBody must be empty unless nhsSecured
//     is true (a named body without the flag would make the plan say two
//     things; nhsSecured without a body is allowed, as drafts are incomplete);
//   - 2D only when opts.LAMaintained (an all-empty placement counts as none);
//   - one-page profile statements, media ids and appendix titles must not be
//     empty; media ids must be unique;
//   - further sections: key one of the definition's Part 3 sections after
//     3A, each at most once.
//
// Completeness and quality (vague wording, missing amounts) are not checked
// here.
func ValidateContent(c *cynllun.Content, opts Options) []cynllun.FieldError {
	if c == nil {
		return nil
	}
	def := opts.Definition
	if def == nil {
		def = Current()
	}
	v := &validator{}
	if contentBytes(c) > MaxContentBytes {
		v.add("content", "is too large: all its text together must be at most "+strconv.Itoa(MaxContentBytes>>20)+" MiB")
	}

	// 1A
	v.text("content.consent.consentDetails", c.Consent.ConsentDetails, MaxLong, true)
	v.text("content.consent.capacityDetails", c.Consent.CapacityDetails, MaxLong, true)

	// 1B
	d := c.Dates
	v.date("content.dates.startDate", d.StartDate)
	v.date("content.dates.reviewTargetDate", d.ReviewTargetDate)
	v.date("content.dates.proposedReviewDate", d.ProposedReviewDate)
	v.notBefore("content.dates.reviewTargetDate", d.ReviewTargetDate, d.StartDate)
	v.notBefore("content.dates.proposedReviewDate", d.ProposedReviewDate, d.StartDate)

	// 1C
	v.statements("content.profile.likeAndAdmire", c.Profile.LikeAndAdmire)
	v.statements("content.profile.importantToMe", c.Profile.ImportantToMe)
	v.statements("content.profile.howToSupportMe", c.Profile.HowToSupportMe)
	if v.count("content.profile.media", len(c.Profile.Media), MaxMedia, "attachments") {
		seen := make(map[string]bool, len(c.Profile.Media))
		for i, id := range c.Profile.Media {
			p := "content.profile.media." + strconv.Itoa(i)
			if v.required(p, id) && v.text(p, id, MaxShort, false) {
				if seen[id] {
					v.add(p, "is listed more than once")
				}
				seen[id] = true
			}
		}
	}

	// 2A
	if v.count("content.needs", len(c.Needs), MaxNeeds, "entries") {
		for i, n := range c.Needs {
			p := "content.needs." + strconv.Itoa(i) + "."
			v.text(p+"description", n.Description, MaxLong, true)
			v.text(p+"impactOnLearning", n.ImpactOnLearning, MaxLong, true)
			v.text(p+"reasons", n.Reasons, MaxLong, true)
		}
	}

	// 2B
	if v.count("content.provision", len(c.Provision), MaxProvisionRows, "rows") {
		seen := make(map[string]bool, len(c.Provision))
		for i := range c.Provision {
			v.row("content.provision."+strconv.Itoa(i)+".", &c.Provision[i], seen)
		}
	}

	// 2D
	if pl := c.Placement; pl != nil {
		if !opts.LAMaintained && *pl != (cynllun.Placement{}) {
			v.add("content.placement", "2D applies only to plans maintained by a local authority")
		}
		v.text("content.placement.namedSchool", pl.NamedSchool, MaxMedium, true)
		v.text("content.placement.otherInstitution", pl.OtherInstitution, MaxMedium, true)
		v.text("content.placement.boardAndLodging", pl.BoardAndLodging, MaxLong, true)
	}

	// Part 3
	v.text("content.meetingSummary", c.MeetingSummary, MaxLong, true)
	if v.count("content.furtherSections", len(c.FurtherSections), MaxFurtherSections, "sections") {
		allowed := def.FurtherSectionKeys()
		seen := map[string]bool{}
		for i, s := range c.FurtherSections {
			p := "content.furtherSections." + strconv.Itoa(i) + "."
			switch {
			case !contains(allowed, s.Key):
				if len(allowed) == 0 {
					v.add(p+"key", "this form has no further Part 3 sections")
				} else {
					v.add(p+"key", "must be one of "+strings.Join(allowed, ", "))
				}
			case seen[s.Key]:
				v.add(p+"key", "is used by more than one further section")
			}
			seen[s.Key] = true
			v.text(p+"text", s.Text, MaxLong, true)
		}
	}

	// Appendices
	if v.count("content.appendices", len(c.Appendices), MaxAppendices, "appendices") {
		for i, a := range c.Appendices {
			p := "content.appendices." + strconv.Itoa(i) + "."
			if v.required(p+"title", a.Title) {
				v.text(p+"title", a.Title, MaxShort, false)
			}
			v.text(p+"text", a.Text, MaxLong, true)
			v.text(p+"attachmentId", a.AttachmentID, MaxShort, false)
		}
	}
	return v.result()
}

func (v *validator) row(p string, r *cynllun.ProvisionRow, seen map[string]bool) {
	if v.required(p+"id", r.ID) && v.text(p+"id", r.ID, MaxShort, false) {
		if seen[r.ID] {
			v.add(p+"id", "is used by more than one row")
		}
		seen[r.ID] = true
	}
	v.text(p+"intendedOutcome", r.IntendedOutcome, MaxLong, true)
	v.text(p+"provision", r.Provision, MaxLong, true)
	v.text(p+"provider", r.Provider, MaxShort, false)
	switch r.ProviderType {
	case "", cynllun.ProviderSchool, cynllun.ProviderLA, cynllun.ProviderFEI, cynllun.ProviderNHSBody, cynllun.ProviderOther:
	default:
		v.add(p+"providerType", "must be one of SCHOOL, LA, FEI, NHS_BODY, OTHER")
	}
	v.date(p+"startDate", r.StartDate)
	v.date(p+"reviewOrEndDate", r.ReviewOrEndDate)
	v.notBefore(p+"reviewOrEndDate", r.ReviewOrEndDate, r.StartDate)
	switch r.DateKind {
	case "", cynllun.DateReview, cynllun.DateEnd:
	default:
		v.add(p+"dateKind", "must be REVIEW or END")
	}
	v.text(p+"rationale", r.Rationale, MaxLong, true)
	if q := r.Quantity; q != nil {
		v.between(p+"quantity.minutesPerSession", q.MinutesPerSession, 1, 1440)
		v.between(p+"quantity.sessions", q.Sessions, 1, 1000)
		if periodEN[q.Per] == "" {
			v.add(p+"quantity.per", "must be one of DAY, WEEK, FORTNIGHT, MONTH, TERM")
		}
		v.between(p+"quantity.groupSize", q.GroupSize, 1, 100)
	}
	if v.text(p+"nhsBody", r.NHSBody, MaxShort, false) && r.NHSBody != "" && !r.NHSSecured {
		v.add(p+"nhsBody", "must be empty unless nhsSecured is true")
	}
}

type validator struct {
	errs []cynllun.FieldError
	more bool
}

func (v *validator) add(field, msg string) {
	if len(v.errs) >= MaxErrors {
		v.more = true
		return
	}
	v.errs = append(v.errs, cynllun.FieldError{Field: field, Message: msg})
}

func (v *validator) result() []cynllun.FieldError {
	if v.more {
		v.errs = append(v.errs, cynllun.FieldError{Field: "content",
			Message: "has more errors than are shown; only the first " + strconv.Itoa(MaxErrors) + " are listed"})
	}
	return v.errs
}

// text runs CheckText and reports whether s is fine.
func (v *validator) text(field, s string, max int, multiline bool) bool {
	if fe := CheckText(field, s, max, multiline); fe != nil {
		v.add(fe.Field, fe.Message)
		return false
	}
	return true
}

// required reports whether s has something other than white space.
func (v *validator) required(field, s string) bool {
	if strings.TrimSpace(s) == "" {
		v.add(field, "must not be empty")
		return false
	}
	return true
}

// count reports whether n is within max; over it, one error names the limit.
func (v *validator) count(field string, n, max int, what string) bool {
	if n > max {
		v.add(field, "has too many "+what+": at most "+strconv.Itoa(max)+" are allowed")
		return false
	}
	return true
}

func (v *validator) between(field string, n, lo, hi int) {
	if n < lo || n > hi {
		v.add(field, "must be between "+strconv.Itoa(lo)+" and "+strconv.Itoa(hi))
	}
}

func (v *validator) statements(p string, ss []cynllun.Statement) {
	if !v.count(p, len(ss), MaxStatements, "statements") {
		return
	}
	for i, s := range ss {
		f := p + "." + strconv.Itoa(i) + ".text"
		if v.required(f, s.Text) {
			v.text(f, s.Text, MaxMedium, true)
		}
	}
}

// date checks that a set date is a real one in the range ParseDate accepts.
func (v *validator) date(field string, d cynllun.Date) {
	if d.IsZero() {
		return
	}
	if !validDate(d) {
		v.add(field, "must be a real date")
		return
	}
	if d.Year < 1900 || d.Year > 2199 {
		v.add(field, "year must be between 1900 and 2199")
	}
}

// notBefore reports d before start when both are set and valid.
func (v *validator) notBefore(field string, d, start cynllun.Date) {
	if d.IsZero() || start.IsZero() || !validDate(d) || !validDate(start) {
		return
	}
	if d.Before(start) {
		v.add(field, "must not be before the start date")
	}
}

func validDate(d cynllun.Date) bool {
	return d.Month >= time.January && d.Month <= time.December && d.Day >= 1 && cynllun.DateOf(d.Time()) == d
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// contentBytes is the length of all the text in c, in bytes.
func contentBytes(c *cynllun.Content) int {
	n := len(c.Consent.ConsentDetails) + len(c.Consent.CapacityDetails) + len(c.MeetingSummary)
	for _, ss := range [][]cynllun.Statement{c.Profile.LikeAndAdmire, c.Profile.ImportantToMe, c.Profile.HowToSupportMe} {
		for _, s := range ss {
			n += len(s.Text)
		}
	}
	for _, m := range c.Profile.Media {
		n += len(m)
	}
	for _, e := range c.Needs {
		n += len(e.Description) + len(e.ImpactOnLearning) + len(e.Reasons)
	}
	for _, r := range c.Provision {
		n += len(r.ID) + len(r.IntendedOutcome) + len(r.Provision) + len(r.Provider) + len(r.Rationale) + len(r.NHSBody)
	}
	if p := c.Placement; p != nil {
		n += len(p.NamedSchool) + len(p.OtherInstitution) + len(p.BoardAndLodging)
	}
	for _, s := range c.FurtherSections {
		n += len(s.Key) + len(s.Text)
	}
	for _, a := range c.Appendices {
		n += len(a.Title) + len(a.Text) + len(a.AttachmentID)
	}
	return n
}
