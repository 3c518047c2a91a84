package clock

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/cynllun/cynllun"
)

// Settings are a deployment's answers to the counting questions domain.md
// §2.6 and §9 leave open. The zero value is DefaultSettings, and the
// defaults follow the statutory wording: a period "beginning with the day
// on which" something happens counts that day (domain.md §2.6). The other
// readings are settings, named for how they differ from the default.
type Settings struct {
	// TriggerDayNotCounted: for day counts of rules with
	// CountingConvention, the event's day is never day 1: school day 1 is
	// the first countable day AFTER it. Default false: the event's day is
	// school day 1 when it is a school day, as "beginning with the day on
	// which" reads; the Code's own wording was not retrieved [UNCONFIRMED].
	TriggerDayNotCounted bool
	// WeeksEndSameWeekday: for week rules with CountingConvention (the
	// Code's "N weeks from"), the period ends on the same weekday N weeks
	// later (start + 7N): the event's day is not counted. Default false:
	// N weeks beginning with day D end on D + 7N − 1, the day before that
	// weekday [UNCONFIRMED]. Rules with Start DAY_AFTER (ALN Regs) and
	// those whose drafting fixes the first day (T17) are not affected.
	WeeksEndSameWeekday bool
	// InsetDaysCount: INSET (training) closures count as school days.
	// Default false [UNCONFIRMED].
	InsetDaysCount bool
	// ClosuresCount: unplanned closures (Reason CLOSURE, such as snow
	// days) count as school days. Default false [UNCONFIRMED].
	ClosuresCount bool
	// Overrides set the time limit of an overridable rule, by rule id: the
	// rules whose limit is UNCONFIRMED (T6, T7, T9), which otherwise have
	// none, and local guidance (T16).
	Overrides map[string]Override
}

// Override is a deployment's time limit for one rule.
type Override struct {
	Amount int
	Unit   Unit // not NONE
	// Basis says where the deployment's limit comes from (its own policy,
	// local guidance); shown in the assumptions. Optional.
	Basis string
}

// DefaultSettings returns the documented defaults: the event's day is day
// 1 (school day 1 when it is a school day; N weeks end the day before the
// same weekday), INSET days and closures are not school days, no
// overrides.
func DefaultSettings() Settings { return Settings{} }

// TriggerDayCounts reports whether the event's day is day 1 of a day count
// (when it is a countable day), for rules with CountingConvention.
func (s Settings) TriggerDayCounts() bool { return !s.TriggerDayNotCounted }

// WeeksEndDayBefore reports whether a period of N weeks with
// CountingConvention ends the day before the same weekday N weeks later.
func (s Settings) WeeksEndDayBefore() bool { return !s.WeeksEndSameWeekday }

// Validate checks every override against the embedded rules, for a
// deployment to call when it loads its configuration. Compute checks the
// override of the rule it computes.
func (s Settings) Validate() error {
	const op = "clock.Settings"
	ids := make([]string, 0, len(s.Overrides))
	for id := range s.Overrides {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var fields []cynllun.FieldError
	for _, id := range ids {
		r, ok := RuleByID(id)
		if !ok {
			fields = append(fields, cynllun.FieldError{Field: overrideField(id), Message: "is not the id of a rule"})
			continue
		}
		if _, err := r.withOverride(s.Overrides[id]); err != nil {
			fields = append(fields, cynllun.FieldError{Field: overrideField(id), Message: err.Error()})
		}
	}
	if len(fields) > 0 {
		return cynllun.Invalid(op, fields...)
	}
	return nil
}

func overrideField(id string) string {
	if !ruleID.MatchString(id) {
		id = strconv.Quote(id)
	}
	return "settings.overrides." + id
}

// withOverride returns r with the deployment's time limit o.
func (r Rule) withOverride(o Override) (Rule, error) {
	if !r.Overridable {
		return Rule{}, fmt.Errorf("%s's time limit is set in law or guidance and cannot be overridden", r.ID)
	}
	if o.Unit == UnitNone || !o.Unit.valid() {
		return Rule{}, fmt.Errorf("unit must be one of %s, %s, %s, %s or %s", UnitSchoolDays, UnitTermTimeDays, UnitCalendarDays, UnitWeeks, UnitMonths)
	}
	if o.Amount < 1 || o.Amount > maxAmount(o.Unit) {
		return Rule{}, fmt.Errorf("amount must be between 1 and %d for %s", maxAmount(o.Unit), o.Unit)
	}
	e := r.clone()
	e.Amount, e.Unit = o.Amount, o.Unit
	e.Calendar = CalendarNone
	if o.Unit.countsDays() {
		e.Calendar = CalendarMaintainer
	}
	// A deployment's limit is reckoned like the Code's: whether the event's
	// day is day 1 follows the settings (months: it is day 1).
	e.CountingConvention = e.Start == StartTriggerDay && o.Unit != UnitMonths
	if err := e.validate(); err != nil {
		return Rule{}, err
	}
	return e, nil
}
