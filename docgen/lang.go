package docgen

import (
	"fmt"
	"strings"
	"time"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/form"
)

// Lang is the language of a rendered document.
type Lang string

const (
	LangEN Lang = "EN"
	LangCY Lang = "CY"
	// LangBilingual prints every heading, label and generated value Welsh
	// first, then English, on one line: "Cymraeg / English". Free text is
	// printed once, as stored.
	LangBilingual Lang = "BILINGUAL"
)

func (l Lang) valid() bool { return l == LangEN || l == LangCY || l == LangBilingual }

// pick returns t in l. Welsh falls back to English when it is empty, and a
// bilingual text with the same wording in both languages is printed once.
func (l Lang) pick(t form.Text) string {
	switch l {
	case LangCY:
		return t.In(cynllun.LanguageCY)
	case LangBilingual:
		if t.CY == "" || t.CY == t.EN {
			return t.EN
		}
		return t.CY + " / " + t.EN
	}
	return t.EN
}

// Fixed wording of the document; headings and field labels come from the
// form definition. The Welsh needs checking by a Welsh speaker, as the
// definition's does.
var (
	txtEmpty        = form.Text{EN: "No information recorded.", CY: "Dim gwybodaeth wedi'i chofnodi."}
	txtNotRecorded  = form.Text{EN: "Not recorded", CY: "Heb ei gofnodi"}
	txtYes          = form.Text{EN: "Yes", CY: "Ie"}
	txtNo           = form.Text{EN: "No", CY: "Na"}
	txtDraft        = form.Text{EN: "DRAFT", CY: "DRAFFT"}
	txtFinal        = form.Text{EN: "Final", CY: "Terfynol"}
	txtName         = form.Text{EN: "Name", CY: "Enw"}
	txtKnownAs      = form.Text{EN: "Known as", CY: "Enw arferol"}
	txtDateOfBirth  = form.Text{EN: "Date of birth", CY: "Dyddiad geni"}
	txtLA           = form.Text{EN: "Local authority", CY: "Awdurdod lleol"}
	txtMaintainer   = form.Text{EN: "Maintained by", CY: "Yn cael ei gynnal gan"}
	txtSetting      = form.Text{EN: "Setting", CY: "Lleoliad addysg"}
	txtVersionLabel = form.Text{EN: "Plan version", CY: "Fersiwn y cynllun"}
	txtVersionDate  = form.Text{EN: "Version date", CY: "Dyddiad y fersiwn"}
	txtOwnWords     = form.Text{EN: "In my own words", CY: "Yn fy ngeiriau fy hun"}
	txtReviewDate   = form.Text{EN: "Review date", CY: "Dyddiad adolygu"}
	txtEndDate      = form.Text{EN: "End date", CY: "Dyddiad gorffen"}
	txtNHS          = form.Text{EN: "NHS-secured", CY: "I'w sicrhau gan y GIG"}
	txtAttachment   = form.Text{EN: "attachment", CY: "atodiad"}
	// Formats, with one %d.
	fmtVersion  = form.Text{EN: "Plan version %d", CY: "Fersiwn %d o'r cynllun"}
	fmtNeed     = form.Text{EN: "Need %d", CY: "Angen %d"}
	fmtRow      = form.Text{EN: "Row %d", CY: "Rhes %d"}
	fmtAppendix = form.Text{EN: "Appendix %d", CY: "Atodiad %d"}
	// The page number pattern is maroto's.
	txtPage = form.Text{EN: "Page {current} of {total}", CY: "Tudalen {current} o {total}"}
)

// sprintf formats t in both languages.
func sprintf(t form.Text, args ...any) form.Text {
	return form.Text{EN: fmt.Sprintf(t.EN, args...), CY: fmt.Sprintf(t.CY, args...)}
}

var monthsCY = [...]string{"Ionawr", "Chwefror", "Mawrth", "Ebrill", "Mai", "Mehefin",
	"Gorffennaf", "Awst", "Medi", "Hydref", "Tachwedd", "Rhagfyr"}

// dateText is "7 January 2027" / "7 Ionawr 2027", or "Not recorded".
func dateText(d cynllun.Date) form.Text {
	if d.IsZero() || d.Month < time.January || d.Month > time.December {
		return txtNotRecorded
	}
	return form.Text{
		EN: fmt.Sprintf("%d %s %d", d.Day, d.Month, d.Year),
		CY: fmt.Sprintf("%d %s %d", d.Day, monthsCY[d.Month-1], d.Year),
	}
}

func yesNo(v bool) form.Text {
	if v {
		return txtYes
	}
	return txtNo
}

func optYesNo(v *bool) form.Text {
	if v == nil {
		return txtNotRecorded
	}
	return yesNo(*v)
}

var periods = map[cynllun.Period]form.Text{
	cynllun.PerDay:       {EN: "per day", CY: "y dydd"},
	cynllun.PerWeek:      {EN: "per week", CY: "yr wythnos"},
	cynllun.PerFortnight: {EN: "per fortnight", CY: "bob pythefnos"},
	cynllun.PerMonth:     {EN: "per month", CY: "y mis"},
	cynllun.PerTerm:      {EN: "per term", CY: "y tymor"},
}

// quantityText reads a structured quantity: "30 minutes, 2 sessions per
// week, 1:1" / "30 munud, 2 sesiwn yr wythnos, 1:1". Parts that are zero are
// left out. Welsh counts with a singular noun.
func quantityText(q *cynllun.Quantity) form.Text {
	var en, cy []string
	if q.MinutesPerSession > 0 {
		en = append(en, plural(q.MinutesPerSession, "minute", "minutes"))
		cy = append(cy, fmt.Sprintf("%d munud", q.MinutesPerSession))
	}
	if q.Sessions > 0 {
		s := form.Text{EN: plural(q.Sessions, "session", "sessions"), CY: fmt.Sprintf("%d sesiwn", q.Sessions)}
		if p, ok := periods[q.Per]; ok {
			s = form.Text{EN: s.EN + " " + p.EN, CY: s.CY + " " + p.CY}
		}
		en, cy = append(en, s.EN), append(cy, s.CY)
	}
	switch {
	case q.GroupSize == 1:
		en, cy = append(en, "1:1"), append(cy, "1:1")
	case q.GroupSize > 1:
		en = append(en, fmt.Sprintf("in a group of %d", q.GroupSize))
		cy = append(cy, fmt.Sprintf("mewn grŵp o %d", q.GroupSize))
	}
	if len(en) == 0 {
		return txtNotRecorded
	}
	return form.Text{EN: strings.Join(en, ", "), CY: strings.Join(cy, ", ")}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
