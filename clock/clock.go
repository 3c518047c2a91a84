// Package clock holds the statutory timescales of the Welsh ALN system as
// data (rules.json, domain.md §2.1 T1–T20) and a due-date calculator that
// explains itself: every day it counted or skipped and why, in English and
// Welsh, and the conventions it assumed.
//
// The package is pure: no I/O, no clock. Compute is the contract; these are
// its rules. All dates are inclusive calendar dates (cynllun.Date).
//
//  1. Start. Rule.Start says where the period begins. DAY_AFTER: with the
//     day after the event (the ALN Regs drafting, "ends at the end of N
//     beginning with the day after"). TRIGGER_DAY: the period is reckoned
//     from the event's day. Whether that day is itself day 1 is then, when
//     Rule.CountingConvention is set, a deployment setting (domain.md §2.6
//     says it is UNCONFIRMED) whose default follows the statutory wording
//     "beginning with the day on which", which counts that day: school day
//     1 is the event's day when it is a school day, and N weeks beginning
//     with day D end on D + 7N − 1 (Settings.TriggerDayNotCounted and
//     Settings.WeeksEndSameWeekday give the other readings). When it is not
//     set, the provision's drafting makes the event's day day 1 (T8 "starts
//     on the date", T17 "beginning on the date", T18 "within 28 days of the
//     date", read the earlier way).
//  2. School days (SCHOOL_DAYS) and term-time days (TERM_TIME_DAYS, an FEI's
//     terms) are counted on the maintaining body's calendar. A countable day
//     is a Monday to Friday inside a term of the calendar, not in a closure
//     and not an England and Wales bank holiday (calendar.IsBankHoliday; a
//     bank holiday is never counted even when the calendar does not list
//     it), except that INSET closures count when Settings.InsetDaysCount and
//     CLOSURE closures when Settings.ClosuresCount. A day covered by several
//     closures counts only when every one of them may be counted. Day 1 is
//     the first countable day on or after the first day of the period, so a
//     start outside term (a holiday, a weekend, a half term) counts from the
//     next school day. The due date is the day on which the count reaches
//     Rule.Amount. Every day examined must be covered by the calendar
//     (calendar.Covers) and by the bank-holiday data
//     (calendar.BankHolidaysCover: the shipped years, and those of a
//     deployment's BANK_HOLIDAYS_FILE): the calculator never guesses past
//     either. A working day (5) needs the bank-holiday data too.
//  3. Calendar days, weeks and months run through school holidays and need
//     no calendar. The last day of the period is the start plus the period,
//     less one day when the event's day is day 1: N weeks from a Monday end
//     on the Sunday N weeks later by default (start + 7N − 1), on the
//     Monday after it when the event's day is not counted (start + 7N).
//     Months add calendar months; a day that the target month lacks becomes
//     the month's last day (29 February → 28 February, as
//     cynllun.Date.AddYears does). A CALENDAR_DAYS rule with Amount 0 is
//     due on the event's day.
//  4. End of September (Rule.FixedEndOfSeptember, T14 and T15). The due
//     date is the first 30 September on or after the start: the end of
//     September of the academic year (1 August to 31 July, Act s.35(6)) in
//     which the learner starts at the new school or FEI.
//  5. Adjustments. With Rule.RollForward (ALN Regs reg 2(4), T10–T12) a
//     last day that is not a working day becomes the next working day. With
//     Rule.FirstWorkingDayAfter (T17) the due date is the first working day
//     after the last day of the period. A working day is a Monday to Friday
//     that is not an England and Wales bank holiday. The definitions in the
//     ALN Regs and the ETW Regs were not retrieved (domain.md §9 q5, q6):
//     whether the ETW Regs exclude further days (the Christmas period,
//     August) is UNCONFIRMED, and no such days are excluded here. Any other
//     due date that is not a working day (a week period ending on a Sunday,
//     T18 on Easter Monday) is kept, since no rule moves it, and flagged
//     (Result.NotWorkingDay, with the last working day before it).
//  6. No time limit. A rule with Unit NONE and no fixed date has no
//     computable due date. Where the time limit is UNCONFIRMED (T6, T7, T9,
//     T21) a deployment may supply one (Settings.Overrides); the rule's own
//     data never guesses it. A rule may give some kinds of body another
//     limit (Rule.ForBodies, T19: 35 school days for a school, 12 weeks
//     for a local authority); Rule.ForBody applies it.
//  7. Limits. A period or count may not run more than three years (1,098
//     days) past the start. Errors are *cynllun.Error with code INVALID and
//     one FieldError (start, calendar, rule or settings.overrides.<id>);
//     their messages name no dates and no person.
//
// Nothing here applies an exception (domain.md §2.3): Rule.Exceptions lists
// them for a person to weigh.
package clock

import (
	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/form"
)

// Unit is the unit a rule's time limit is in.
type Unit string

const (
	UnitSchoolDays   Unit = "SCHOOL_DAYS"    // days the school meets, on its calendar
	UnitTermTimeDays Unit = "TERM_TIME_DAYS" // an FEI's term-time days, on its calendar
	UnitCalendarDays Unit = "CALENDAR_DAYS"
	UnitWeeks        Unit = "WEEKS"  // calendar weeks, through holidays
	UnitMonths       Unit = "MONTHS" // calendar months
	// UnitNone: no period to count. The due date is fixed by a flag
	// (FixedEndOfSeptember), or there is no time limit, or it is not
	// confirmed (a deployment may set one, Settings.Overrides).
	UnitNone Unit = "NONE"
)

func (u Unit) valid() bool {
	switch u {
	case UnitSchoolDays, UnitTermTimeDays, UnitCalendarDays, UnitWeeks, UnitMonths, UnitNone:
		return true
	}
	return false
}

// countsDays reports whether u is counted day by day on a term calendar.
func (u Unit) countsDays() bool { return u == UnitSchoolDays || u == UnitTermTimeDays }

// Start says where a rule's period begins.
type Start string

const (
	// StartTriggerDay: the period is reckoned from the event's day (see
	// Rule.CountingConvention for whether that day is day 1).
	StartTriggerDay Start = "TRIGGER_DAY"
	// StartDayAfter: the period begins with the day after the event (ALN
	// Regs drafting).
	StartDayAfter Start = "DAY_AFTER"
)

// Tag is the evidence tag of domain.md §0.
type Tag string

const (
	TagConfirmed   Tag = "CONFIRMED"
	TagSecondary   Tag = "SECONDARY"
	TagUnconfirmed Tag = "UNCONFIRMED"
)

// Calendar values of a rule: whose calendar counts.
const (
	CalendarMaintainer = "MAINTAINER" // the maintaining school's or FEI's own term calendar
	CalendarNone       = "NONE"       // no term calendar: the period runs through holidays
)

// Rule is one statutory (or guidance) timescale.
type Rule struct {
	ID    string    `json:"id"` // "T1"
	Title form.Text `json:"title"`
	Who   string    `json:"who"` // who must act
	// Amount and Unit are the time limit; Amount is 0 with Unit NONE.
	Amount int   `json:"amount"`
	Unit   Unit  `json:"unit"`
	Start  Start `json:"start"`
	// CountingConvention: whether the event's day is day 1 is a deployment
	// setting (Settings.TriggerDayNotCounted for day counts,
	// WeeksEndSameWeekday for weeks; by default it is), because domain.md
	// §2.6 marks it UNCONFIRMED. Only with Start TRIGGER_DAY. When false,
	// the drafting decides (package doc 1).
	CountingConvention bool `json:"countingConvention,omitempty"`
	// RollForward: ALN Regs reg 2(4): a last day that is not a working day
	// extends to the next working day (T10–T12 only) [CONFIRMED].
	RollForward bool `json:"rollForward,omitempty"`
	// FirstWorkingDayAfter: due on the first working day after the end of
	// the period (T17).
	FirstWorkingDayAfter bool `json:"firstWorkingDayAfter,omitempty"`
	// FixedEndOfSeptember: before the end of September of the academic year
	// (T14, T15).
	FixedEndOfSeptember bool `json:"fixedEndOfSeptember,omitempty"`
	// Overridable: a deployment may set the time limit (Settings.Overrides):
	// rules whose limit is UNCONFIRMED, and local guidance.
	Overridable bool `json:"overridable,omitempty"`
	// StartEvent is the domain event that starts the clock; RestartEvents
	// start a new period of the same rule (T8: a revised plan or a notice
	// not to revise); EndEvents satisfy it.
	StartEvent    string   `json:"startEvent"`
	RestartEvents []string `json:"restartEvents,omitempty"`
	EndEvents     []string `json:"endEvents,omitempty"`
	// Calendar is CalendarMaintainer for day counts, CalendarNone otherwise.
	Calendar string `json:"calendar"`
	// Basis is the legal basis with its source tags.
	Basis      string   `json:"basis"`
	Tag        Tag      `json:"tag"`
	Exceptions []string `json:"exceptions,omitempty"`
	Note       string   `json:"note,omitempty"`
	// Extension is more time the rule gives when an event happens before
	// its due date (T17: 8 more weeks when the matter goes to disagreement
	// resolution, s.68). Data, not code: the fact is SECONDARY.
	Extension *Extension `json:"extension,omitempty"`
	// StartsWhenAll, when set, lists events that must all have happened
	// (for the learner, at the same body) before the clock starts; it
	// starts on the day of the latest (T3: ALN brought to the FEI's
	// attention and the young person's consent, whichever is later).
	// StartEvent is one of them.
	StartsWhenAll []string `json:"startsWhenAll,omitempty"`
	// ForBodies are other time limits for some kinds of body (T19: 35
	// school days for a school, 12 weeks otherwise); see ForBody.
	ForBodies []BodyLimit `json:"forBodies,omitempty"`
}

// BodyLimit is a rule's time limit for one kind of body.
type BodyLimit struct {
	Body   cynllun.OrgKind `json:"body"`
	Amount int             `json:"amount"`
	Unit   Unit            `json:"unit"`
}

// ForBody is r as it applies to a body of kind k: with k's own time limit
// when ForBodies gives one (counted on the body's calendar when it is a
// day count), else r itself.
func (r Rule) ForBody(k cynllun.OrgKind) Rule {
	out := r.clone()
	for _, b := range r.ForBodies {
		if b.Body != k {
			continue
		}
		out.Amount, out.Unit = b.Amount, b.Unit
		out.Calendar = CalendarNone
		if b.Unit.countsDays() {
			out.Calendar = CalendarMaintainer
		}
		break
	}
	return out
}

// Extension is more time a rule gives when Event happens on or before the
// due date: Amount more of the rule's unit, counted from the same start.
type Extension struct {
	Event  string `json:"event"`
	Amount int    `json:"amount"`
	Basis  string `json:"basis"`
	Tag    Tag    `json:"tag"`
}

// Extended is r with its extension's time added (r itself when it has
// none).
func (r Rule) Extended() Rule {
	if r.Extension != nil {
		r.Amount += r.Extension.Amount
	}
	return r.clone()
}

// clone returns a deep copy of r.
func (r Rule) clone() Rule {
	r.RestartEvents = cloneStrings(r.RestartEvents)
	r.EndEvents = cloneStrings(r.EndEvents)
	r.Exceptions = cloneStrings(r.Exceptions)
	r.StartsWhenAll = cloneStrings(r.StartsWhenAll)
	if r.ForBodies != nil {
		r.ForBodies = append([]BodyLimit(nil), r.ForBodies...)
	}
	if r.Extension != nil {
		e := *r.Extension
		r.Extension = &e
	}
	return r
}

func cloneStrings(s []string) []string {
	if s == nil {
		return nil
	}
	return append([]string(nil), s...)
}

// StepKind says what a step of a calculation is.
type StepKind string

const (
	StepCounted     StepKind = "COUNTED"      // a day counted toward the limit
	StepWeekend     StepKind = "WEEKEND"      // a Saturday or Sunday in term
	StepBankHoliday StepKind = "BANK_HOLIDAY" // an England and Wales bank holiday (in term, or not a working day)
	StepHalfTerm    StepKind = "HALF_TERM"    // a day of a half term
	StepHoliday     StepKind = "HOLIDAY"      // a day outside any term
	StepINSET       StepKind = "INSET"        // an INSET (training) day, not counted
	StepClosure     StepKind = "CLOSURE"      // another closure, not counted
	StepTriggerDay  StepKind = "TRIGGER_DAY"  // the event's day, not counted
	// StepRolledForward: the next working day after a last day that was
	// not one (reg 2(4)).
	StepRolledForward StepKind = "ROLLED_FORWARD"
	StepPeriodEnd     StepKind = "PERIOD_END" // the last day of a week, month or fixed-date period
	// StepFirstWorkingDay: the first working day after the end of the
	// period (T17).
	StepFirstWorkingDay StepKind = "FIRST_WORKING_DAY"
)

// Step is one day of a calculation.
type Step struct {
	Date cynllun.Date
	Kind StepKind
	// Count is the number of days counted so far, this one included (day
	// counts only; 0 for week and month rules).
	Count int
	Note  form.Text
}

// Result is a computed due date with its explanation.
type Result struct {
	// Rule is the rule as applied: with a deployment's override, if any.
	Rule  Rule
	Start cynllun.Date
	Due   cynllun.Date
	// PeriodEnd is the end of the period before roll-forward /
	// first-working-day adjustments.
	PeriodEnd cynllun.Date
	// NotWorkingDay flags a due date that is not a working day (a
	// weekend, or a bank holiday in the years the data covers) and that no
	// rule of the timescale moves; LastWorkingDayBefore is then the last
	// working day before it (zero otherwise).
	NotWorkingDay        bool
	LastWorkingDayBefore cynllun.Date
	// Steps, in date order, one per date. Day counts: every day from the
	// start to the due date (each counted day and each skipped day with
	// why). Week, month and fixed-date rules: the start, the period end and
	// any days between it and an adjusted due date.
	Steps []Step
	// Explanation is plain-language sentences in English and Welsh.
	Explanation []form.Text
	// Assumptions are the conventions applied, marked UNCONFIRMED where
	// they are.
	Assumptions []form.Text
}
