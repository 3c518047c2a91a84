package clock

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/cynllun/cynllun"
)

// Settings are a deployment's answers to the counting questions domain.md
// §2.6 and §9 leave open. The zero value is DefaultSettings.
type Settings struct {
	// TriggerDayCounts: the event's day is day 1 when it is a countable day,
	// for day counts of rules with CountingConvention. Default false: school
	// day 1 is the first school day AFTER the event's day [UNCONFIRMED].
	TriggerDayCounts bool
	// WeeksEndDayBefore: for week rules with CountingConvention (the Code's
	// "N weeks from"), the event's day is day 1 and the period ends the day
	// before the same weekday N weeks later (start + 7N − 1). Default false:
	// it ends on the same weekday N weeks later (start + 7N) [UNCONFIRMED].
	// Rules with Start DAY_AFTER (ALN Regs) and those whose drafting fixes
	// the first day (T17) are not affected.
	WeeksEndDayBefore bool
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

// DefaultSettings returns the documented defaults: the event's day is not
// counted, N weeks end on the same weekday, INSET days and closures are not
// school days, no overrides.
func DefaultSettings() Settings { return Settings{} }

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
