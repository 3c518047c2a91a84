package form

import (
	"strconv"

	"github.com/cynllun/cynllun"
)

// words is the wording of change summaries and readable values in one
// language. Headings and labels come from the definition; this is only the
// glue between them.
type words struct {
	row, item, text, directQuote, yes, no string
	// notStated is a mark that was never set (a 2B row not marked as
	// secured by an NHS body), so that setting it reads "not stated" to
	// "yes", not "no" to "yes".
	notStated string

	fieldChanged func(loc, label, from, to string) string
	fieldAdded   func(loc, label, to string) string
	fieldRemoved func(loc, label, from string) string
	// itemAdded and itemRemoved name the item and say what it is (its
	// provision, description or title; "" when it has none).
	itemAdded   func(loc, what string) string
	itemRemoved func(loc, what string) string

	providerTypes map[cynllun.ProviderType]string
	dateKinds     map[cynllun.DateKind]string
	periods       map[cynllun.Period]string
	quantityFmt   func(minutes, sessions int, per string, group int) string
}

// q quotes a value in a summary, with the single curly quotes both
// languages use in running text.
func q(s string) string { return "‘" + s + "’" }

// described adds what an item is to what happened to it: "2B row 3 added:
// 30 minutes of …", or just "2B row 3 added" when there is nothing to say.
func described(s, what string) string {
	if what == "" {
		return s
	}
	return s + ": " + what
}

var english = &words{
	row: "row", item: "item", text: "text", directQuote: "direct quote", yes: "yes", no: "no", notStated: "not stated",
	fieldChanged: func(loc, label, from, to string) string {
		return loc + ": " + label + " changed from " + q(from) + " to " + q(to)
	},
	fieldAdded:   func(loc, label, to string) string { return loc + ": " + label + " added: " + q(to) },
	fieldRemoved: func(loc, label, from string) string { return loc + ": " + label + " removed (was " + q(from) + ")" },
	itemAdded:    func(loc, what string) string { return described(loc+" added", what) },
	itemRemoved:  func(loc, what string) string { return described(loc+" removed", what) },
	providerTypes: map[cynllun.ProviderType]string{
		cynllun.ProviderSchool:  "school",
		cynllun.ProviderLA:      "local authority",
		cynllun.ProviderFEI:     "further education institution",
		cynllun.ProviderNHSBody: "NHS body",
		cynllun.ProviderOther:   "other",
	},
	dateKinds: map[cynllun.DateKind]string{
		cynllun.DateReview: "review date",
		cynllun.DateEnd:    "end date",
	},
	periods: periodEN,
	quantityFmt: func(minutes, sessions int, per string, group int) string {
		return plural(minutes, "minute", "minutes") + ", " + plural(sessions, "session", "sessions") + " " + per +
			", group of " + strconv.Itoa(group)
	},
}

// periodEN also lists the valid periods for validation.
var periodEN = map[cynllun.Period]string{
	cynllun.PerDay:       "per day",
	cynllun.PerWeek:      "per week",
	cynllun.PerFortnight: "per fortnight",
	cynllun.PerMonth:     "per month",
	cynllun.PerTerm:      "per term",
}

// Welsh names the field first and then says what happened with an
// impersonal past form ("2B rhes 1, darpariaeth: newidiwyd o ‘…’ i ‘…’"), so
// no label has to follow a verb or a preposition and take a mutation; a
// numeral takes a singular noun ("2 sesiwn").
var welsh = &words{
	row: "rhes", item: "eitem", text: "testun", directQuote: "dyfyniad uniongyrchol", yes: "ie", no: "na", notStated: "heb ei nodi",
	fieldChanged: func(loc, label, from, to string) string {
		return loc + ", " + label + ": newidiwyd o " + q(from) + " i " + q(to)
	},
	fieldAdded:   func(loc, label, to string) string { return loc + ", " + label + ": ychwanegwyd " + q(to) },
	fieldRemoved: func(loc, label, from string) string { return loc + ", " + label + ": dilëwyd " + q(from) },
	itemAdded:    func(loc, what string) string { return described("Ychwanegwyd "+loc, what) },
	itemRemoved:  func(loc, what string) string { return described("Dilëwyd "+loc, what) },
	providerTypes: map[cynllun.ProviderType]string{
		cynllun.ProviderSchool:  "ysgol",
		cynllun.ProviderLA:      "awdurdod lleol",
		cynllun.ProviderFEI:     "sefydliad addysg bellach",
		cynllun.ProviderNHSBody: "corff GIG",
		cynllun.ProviderOther:   "arall",
	},
	dateKinds: map[cynllun.DateKind]string{
		cynllun.DateReview: "dyddiad adolygu",
		cynllun.DateEnd:    "dyddiad gorffen",
	},
	periods: map[cynllun.Period]string{
		cynllun.PerDay:       "y dydd",
		cynllun.PerWeek:      "yr wythnos",
		cynllun.PerFortnight: "bob pythefnos",
		cynllun.PerMonth:     "y mis",
		cynllun.PerTerm:      "y tymor",
	},
	quantityFmt: func(minutes, sessions int, per string, group int) string {
		return strconv.Itoa(minutes) + " munud, " + strconv.Itoa(sessions) + " sesiwn " + per +
			", grŵp o " + strconv.Itoa(group)
	},
}

func wordsFor(lang cynllun.Language) *words {
	if lang == cynllun.LanguageCY {
		return welsh
	}
	return english
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// providerType is the readable type, the raw value when unknown, "" when unset.
func (w *words) providerType(t cynllun.ProviderType) string {
	if s, ok := w.providerTypes[t]; ok {
		return s
	}
	return string(t)
}

func (w *words) dateKind(k cynllun.DateKind) string {
	if s, ok := w.dateKinds[k]; ok {
		return s
	}
	return string(k)
}

func (w *words) quantity(qt *cynllun.Quantity) string {
	per, ok := w.periods[qt.Per]
	if !ok {
		per = "/ " + string(qt.Per)
	}
	return w.quantityFmt(qt.MinutesPerSession, qt.Sessions, per, qt.GroupSize)
}
