package clock

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// rulesJSON is the timescales of domain.md §2.1, one rule per row.
//
//go:embed rules.json
var rulesJSON []byte

// rulesFile is the JSON form of rules.json.
type rulesFile struct {
	Source string `json:"source"`
	Rules  []Rule `json:"rules"`
}

// embedded is the checked rules, in T-order, loaded at init: a bad file
// panics, so a binary never starts with timescales it cannot trust.
var embedded = mustLoad(rulesJSON)

func mustLoad(b []byte) []Rule {
	rules, err := loadRules(b)
	if err != nil {
		panic("clock: embedded rules.json: " + err.Error())
	}
	return rules
}

// requiredRules is how many rules the file must have at least (T1–T18).
// Rules after T20 are not rows of domain.md §2.1 (T21: the LA's
// reconsideration of a school's decision to cease, s.32).
const requiredRules = 18

// loadRules reads and checks a rules file.
func loadRules(b []byte) ([]Rule, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var f rulesFile
	if err := dec.Decode(&f); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("data after the JSON value")
	}
	if strings.TrimSpace(f.Source) == "" {
		return nil, errors.New("no source")
	}
	if len(f.Rules) < requiredRules {
		return nil, fmt.Errorf("%d rules; want T1 to T%d at least", len(f.Rules), requiredRules)
	}
	for i, r := range f.Rules {
		if want := "T" + strconv.Itoa(i+1); r.ID != want {
			return nil, fmt.Errorf("rule %d has id %q, want %q (keep the rules in T-order, once each)", i+1, r.ID, want)
		}
		if err := r.validate(); err != nil {
			return nil, fmt.Errorf("%s: %v", r.ID, err)
		}
		if r.Unit == UnitNone && r.Tag == TagUnconfirmed && !r.Overridable {
			return nil, fmt.Errorf("%s: a time limit that is UNCONFIRMED must be overridable by a deployment", r.ID)
		}
	}
	return f.Rules, nil
}

// Rules returns the embedded rules in T-order; the slice and the rules are
// the caller's own.
func Rules() []Rule {
	out := make([]Rule, len(embedded))
	for i, r := range embedded {
		out[i] = r.clone()
	}
	return out
}

// RuleByID returns the embedded rule with the given id ("T1"), a copy.
func RuleByID(id string) (Rule, bool) {
	for _, r := range embedded {
		if r.ID == id {
			return r.clone(), true
		}
	}
	return Rule{}, false
}

var (
	ruleID    = regexp.MustCompile(`^T[1-9][0-9]?$`)
	eventName = regexp.MustCompile(`^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$`)
)

// maxAmount bounds a time limit by unit so that a period stays within the
// calculator's three years.
func maxAmount(u Unit) int {
	switch u {
	case UnitSchoolDays, UnitTermTimeDays:
		return 500
	case UnitCalendarDays:
		return maxDays
	case UnitWeeks:
		return maxDays / 7
	case UnitMonths:
		return 36
	}
	return 0
}

// validate checks that r is self-consistent. Its messages name fields and
// values of the rule only (rules hold no personal data).
func (r Rule) validate() error {
	if !ruleID.MatchString(r.ID) {
		return fmt.Errorf("id %q is not of the form T1", r.ID)
	}
	if strings.TrimSpace(r.Title.EN) == "" || strings.TrimSpace(r.Title.CY) == "" {
		return errors.New("a rule needs a title in English and in Welsh")
	}
	if strings.TrimSpace(r.Who) == "" {
		return errors.New("no who")
	}
	if strings.TrimSpace(r.Basis) == "" {
		return errors.New("no basis")
	}
	switch r.Tag {
	case TagConfirmed, TagSecondary, TagUnconfirmed:
	default:
		return fmt.Errorf("unknown tag %q", r.Tag)
	}
	if !r.Unit.valid() {
		return fmt.Errorf("unknown unit %q", r.Unit)
	}
	if r.Start != StartTriggerDay && r.Start != StartDayAfter {
		return fmt.Errorf("unknown start %q", r.Start)
	}
	if !eventName.MatchString(r.StartEvent) {
		return fmt.Errorf("start event %q is not an event name (CAPITALS_WITH_UNDERSCORES)", r.StartEvent)
	}
	for _, list := range [][]string{r.RestartEvents, r.EndEvents} {
		for _, e := range list {
			if !eventName.MatchString(e) {
				return fmt.Errorf("event %q is not an event name (CAPITALS_WITH_UNDERSCORES)", e)
			}
		}
	}
	for _, e := range r.Exceptions {
		if strings.TrimSpace(e) == "" {
			return errors.New("an empty exception")
		}
	}
	switch r.Calendar {
	case CalendarMaintainer, CalendarNone:
	default:
		return fmt.Errorf("unknown calendar %q", r.Calendar)
	}
	if r.Unit.countsDays() && r.Calendar != CalendarMaintainer {
		return fmt.Errorf("a %s rule is counted on the calendar %s", r.Unit, CalendarMaintainer)
	}
	if (r.Unit == UnitCalendarDays || r.Unit == UnitWeeks || r.Unit == UnitMonths) && r.Calendar != CalendarNone {
		return fmt.Errorf("a %s rule runs through holidays: calendar %s", r.Unit, CalendarNone)
	}
	if r.RollForward && r.FirstWorkingDayAfter {
		return errors.New("rollForward and firstWorkingDayAfter are exclusive")
	}
	switch {
	case r.Unit == UnitNone:
		if r.Amount != 0 {
			return errors.New("a rule with unit NONE has amount 0")
		}
		if r.RollForward || r.FirstWorkingDayAfter || r.CountingConvention {
			return errors.New("a rule with unit NONE has no period to adjust")
		}
	case r.Unit == UnitCalendarDays && r.Amount == 0:
		if r.Start != StartTriggerDay || r.RollForward || r.FirstWorkingDayAfter || r.CountingConvention {
			return errors.New("a rule due on the event's day (0 days) has start TRIGGER_DAY and no adjustment")
		}
	case r.Amount < 1 || r.Amount > maxAmount(r.Unit):
		return fmt.Errorf("amount %d is outside 1 to %d for %s", r.Amount, maxAmount(r.Unit), r.Unit)
	}
	if e := r.Extension; e != nil {
		switch {
		case !eventName.MatchString(e.Event):
			return fmt.Errorf("extension event %q is not an event name (CAPITALS_WITH_UNDERSCORES)", e.Event)
		case r.Unit == UnitNone || r.Amount < 1:
			return errors.New("an extension needs a rule with a time limit")
		case e.Amount < 1 || r.Amount+e.Amount > maxAmount(r.Unit):
			return fmt.Errorf("extension amount %d is outside 1 to %d for %s", e.Amount, maxAmount(r.Unit)-r.Amount, r.Unit)
		case strings.TrimSpace(e.Basis) == "":
			return errors.New("an extension needs a basis")
		case e.Tag != TagConfirmed && e.Tag != TagSecondary && e.Tag != TagUnconfirmed:
			return fmt.Errorf("extension: unknown tag %q", e.Tag)
		}
	}
	if len(r.StartsWhenAll) > 0 {
		if len(r.StartsWhenAll) < 2 || !slices.Contains(r.StartsWhenAll, r.StartEvent) {
			return errors.New("startsWhenAll lists two events or more, the start event among them")
		}
		for _, e := range r.StartsWhenAll {
			if !eventName.MatchString(e) {
				return fmt.Errorf("event %q is not an event name (CAPITALS_WITH_UNDERSCORES)", e)
			}
		}
	}
	for i, b := range r.ForBodies {
		switch b.Body {
		case "LOCAL_AUTHORITY", "SCHOOL", "FEI", "HEALTH_BOARD":
		default:
			return fmt.Errorf("forBodies: unknown body %q", b.Body)
		}
		if slices.ContainsFunc(r.ForBodies[:i], func(x BodyLimit) bool { return x.Body == b.Body }) {
			return fmt.Errorf("forBodies: %s twice", b.Body)
		}
		if r.Unit == UnitNone || b.Unit == UnitNone || !b.Unit.valid() || b.Amount < 1 || b.Amount > maxAmount(b.Unit) {
			return fmt.Errorf("forBodies: %s needs a time limit (a unit other than NONE, an amount from 1 to its bound) on a rule that has one", b.Body)
		}
		if r.Extension != nil || r.Overridable {
			return errors.New("forBodies does not go with an extension or an override")
		}
	}
	if r.FixedEndOfSeptember && r.Unit != UnitNone {
		return errors.New("fixedEndOfSeptember needs unit NONE")
	}
	if r.CountingConvention {
		if r.Start != StartTriggerDay {
			return errors.New("countingConvention needs start TRIGGER_DAY (a DAY_AFTER period's first day is fixed)")
		}
		if r.Unit == UnitMonths {
			return errors.New("countingConvention does not apply to months")
		}
	}
	return nil
}
