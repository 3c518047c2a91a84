package clock

import (
	"strconv"
	"strings"
	"time"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/form"
)

// The Welsh here follows the patterns of published Welsh school documents
// (diwrnod ysgol, diwrnod HMS, gŵyl banc); the numeral is written as digits
// and the noun stays singular, with the soft mutation after 2 (2 ddiwrnod,
// 2 fis). It has not been reviewed by a Welsh-language editor.

var (
	monthsCY   = [...]string{"", "Ionawr", "Chwefror", "Mawrth", "Ebrill", "Mai", "Mehefin", "Gorffennaf", "Awst", "Medi", "Hydref", "Tachwedd", "Rhagfyr"}
	weekdaysCY = [...]string{"dydd Sul", "dydd Llun", "dydd Mawrth", "dydd Mercher", "dydd Iau", "dydd Gwener", "dydd Sadwrn"}
)

// dateEN is "Tuesday 3 March 2026".
func dateEN(d cynllun.Date) string { return d.Weekday().String() + " " + shortEN(d) }

// shortEN is "3 March 2026".
func shortEN(d cynllun.Date) string {
	return strconv.Itoa(d.Day) + " " + d.Month.String() + " " + strconv.Itoa(d.Year)
}

// dateCY is "dydd Mawrth 3 Mawrth 2026".
func dateCY(d cynllun.Date) string { return weekdaysCY[d.Weekday()] + " " + shortCY(d) }

// dateCYSoft is dateCY after a word causing the soft mutation ("o", "ar"):
// "ddydd Mawrth 3 Mawrth 2026".
func dateCYSoft(d cynllun.Date) string { return "d" + dateCY(d) }

// shortCY is "3 Mawrth 2026".
func shortCY(d cynllun.Date) string {
	return strconv.Itoa(d.Day) + " " + monthsCY[d.Month] + " " + strconv.Itoa(d.Year)
}

// unitText names n of a unit: EN with its plural, CY with the noun in the
// singular after the numeral (soft mutation after 2).
func unitText(n int, u Unit) form.Text {
	var en, cy string
	switch u {
	case UnitSchoolDays:
		en, cy = "school day", "diwrnod ysgol"
	case UnitTermTimeDays:
		en, cy = "term-time day", "diwrnod tymor"
	case UnitCalendarDays:
		en, cy = "day", "diwrnod"
	case UnitWeeks:
		en, cy = "week", "wythnos"
	case UnitMonths:
		en, cy = "month", "mis"
	}
	return count(n, en, cy)
}

// PeriodText names a time limit in words in both languages: "8 weeks" /
// "8 wythnos".
func PeriodText(n int, u Unit) form.Text { return unitText(n, u) }

// count is "n noun(s)" / "n enw".
func count(n int, en, cy string) form.Text {
	if n != 1 {
		en = plural(en)
	}
	if n == 2 {
		cy = softMutate(cy)
	}
	s := strconv.Itoa(n) + " "
	return form.Text{EN: s + en, CY: s + cy}
}

// plural pluralises the head noun of an English phrase ("school day" →
// "school days", "day of the half term" is not used here).
func plural(en string) string {
	switch {
	case strings.HasSuffix(en, "day"), strings.HasSuffix(en, "week"), strings.HasSuffix(en, "month"), strings.HasSuffix(en, "holiday"):
		return en + "s"
	}
	return en
}

// softMutate applies the soft mutation to the first letter of a Welsh
// noun, for the nouns this package uses.
func softMutate(cy string) string {
	switch {
	case strings.HasPrefix(cy, "d"):
		return "dd" + cy[1:]
	case strings.HasPrefix(cy, "m"):
		return "f" + cy[1:]
	case strings.HasPrefix(cy, "g"):
		return cy[1:]
	}
	return cy
}

// singular names one day of a unit: "school day" / "diwrnod ysgol".
func singular(u Unit) form.Text {
	t := unitText(1, u)
	return form.Text{EN: strings.TrimPrefix(t.EN, "1 "), CY: strings.TrimPrefix(t.CY, "1 ")}
}

// list joins items with "; ".
func list(items []form.Text) form.Text {
	var en, cy []string
	for _, t := range items {
		en = append(en, t.EN)
		cy = append(cy, t.CY)
	}
	return form.Text{EN: strings.Join(en, "; "), CY: strings.Join(cy, "; ")}
}

// dates lists dates: "4 May 2026, 25 May 2026".
func dates(ds []cynllun.Date) form.Text {
	var en, cy []string
	for _, d := range ds {
		en = append(en, shortEN(d))
		cy = append(cy, shortCY(d))
	}
	return form.Text{EN: strings.Join(en, ", "), CY: strings.Join(cy, ", ")}
}

// cat concatenates texts language by language.
func cat(parts ...form.Text) form.Text {
	var t form.Text
	for _, p := range parts {
		t.EN += p.EN
		t.CY += p.CY
	}
	return t
}

// both is a text that is the same in both languages (numbers, citations).
func both(s string) form.Text { return form.Text{EN: s, CY: s} }

func tx(en, cy string) form.Text { return form.Text{EN: en, CY: cy} }

func isWeekend(d cynllun.Date) bool {
	wd := d.Weekday()
	return wd == time.Saturday || wd == time.Sunday
}

// tagText says in plain words how well a reading is evidenced (the tag
// itself is data: Rule.Tag).
func tagText(t Tag) form.Text {
	switch t {
	case TagConfirmed:
		return tx("(confirmed in the law)", "(wedi'i gadarnhau yn y gyfraith)")
	case TagSecondary:
		return tx("(from a secondary source)", "(o ffynhonnell eilaidd)")
	}
	return tx("(not confirmed)", "(heb ei gadarnhau)")
}

// NoDueText says to a family, in both languages, why a clock of rule has
// no due date (Deadline.Problem is the record's reason, for the API): the
// law's time limit is not confirmed, or the period is counted on a term
// calendar the record does not hold.
func NoDueText(rule Rule) form.Text {
	switch {
	case rule.Unit.countsDays():
		return tx("No due date: the time limit is counted in school or term-time days, and the term dates it needs are not recorded.",
			"Dim dyddiad terfyn: caiff y terfyn amser ei gyfrif mewn diwrnodau ysgol neu ddiwrnodau tymor, ac nid yw'r dyddiadau tymor sydd eu hangen wedi'u cofnodi.")
	case rule.Unit == UnitNone && (rule.Tag == TagUnconfirmed || rule.Overridable):
		return tx("No due date: the law's time limit for this has not been confirmed, so none is counted.",
			"Dim dyddiad terfyn: nid yw terfyn amser y gyfraith ar gyfer hyn wedi'i gadarnhau, felly ni chaiff un ei gyfrif.")
	}
	return tx("No due date: the law sets no time limit to count for this.",
		"Dim dyddiad terfyn: nid yw'r gyfraith yn pennu terfyn amser i'w gyfrif ar gyfer hyn.")
}
