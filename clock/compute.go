package clock

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/calendar"
	"github.com/cynllun/cynllun/form"
)

// maxDays bounds the work: no period or count runs more than three years
// (3 × 366 days) past its start.
const maxDays = 3 * 366

const op = "clock.Compute"

// bankHoliday and bankYear read the England and Wales bank holidays as
// the calendar package has them at the time (shipped, or with a
// deployment's BANK_HOLIDAYS_FILE): whether d is one, and whether the data
// has year's.
func bankHoliday(d cynllun.Date) bool { return calendar.IsBankHoliday(d) }
func bankYear(year int) bool          { return calendar.BankHolidaysCover(year) }

func invalid(field, message string) error {
	return cynllun.Invalid(op, cynllun.FieldError{Field: field, Message: message})
}

// errBankHolidays is the error when a day to be checked is in a year the
// bank-holiday data does not cover.
func errBankHolidays() error {
	return invalid("start", "the dates needed are beyond the England and Wales bank holiday data; add that year's bank holidays")
}

// Compute returns the due date of rule for an event on start, counting
// school or term-time days on cal (the maintaining body's calendar; nil
// for rules that need none) under the deployment's settings. See the
// package documentation for the rules it follows.
func Compute(rule Rule, start cynllun.Date, cal *calendar.Calendar, s Settings) (Result, error) {
	if err := rule.validate(); err != nil {
		return Result{}, invalid("rule", err.Error())
	}
	if start.IsZero() {
		return Result{}, invalid("start", "is required")
	}
	if !realDate(start) {
		return Result{}, invalid("start", "must be a real date, in the years a date may have (as cynllun.ParseDate)")
	}
	eff := rule.clone()
	var override *Override
	if o, ok := s.Overrides[rule.ID]; ok {
		e, err := rule.withOverride(o)
		if err != nil {
			return Result{}, invalid(overrideField(rule.ID), err.Error())
		}
		eff, override = e, &o
	}
	c := &calc{rule: eff, start: start, cal: cal, s: s, overridden: override != nil}
	var err error
	switch {
	case eff.FixedEndOfSeptember:
		c.endOfSeptember()
	case eff.Unit == UnitNone:
		if eff.Tag == TagUnconfirmed || eff.Overridable {
			return Result{}, invalid("rule", eff.ID+" has no time limit confirmed in the law; the service may set one (DEADLINE_OVERRIDES)")
		}
		return Result{}, invalid("rule", eff.ID+" sets no time limit to compute; see its note")
	case eff.Unit.countsDays():
		err = c.countDays()
	default:
		err = c.period()
	}
	if err == nil {
		err = c.adjust()
	}
	if err != nil {
		return Result{}, err
	}
	c.explainDue()
	c.flagNotWorking()
	c.assume(rule, override)
	return Result{
		Rule:                 eff,
		Start:                start,
		Due:                  c.due,
		PeriodEnd:            c.periodEnd,
		NotWorkingDay:        c.notWorking,
		LastWorkingDayBefore: c.lastWorking,
		Steps:                c.steps,
		Explanation:          c.explanation,
		Assumptions:          c.assumptions,
	}, nil
}

// WorkingDay reports whether d is a working day: a Monday to Friday that is
// not an England and Wales bank holiday. known is false when d's year is
// beyond the bank-holiday data: then only weekends are known not to be
// working days.
func WorkingDay(d cynllun.Date) (working, known bool) {
	if isWeekend(d) {
		return false, true
	}
	if !bankYear(d.Year) {
		return true, false
	}
	return !bankHoliday(d), true
}

// flagNotWorking flags a due date that is not a working day (a week or
// month period ending on a weekend, T18 on a bank holiday): no rule of the
// timescale moves it (only the ALN Regs' periods roll forward, reg 2(4)),
// so it stays, with the last working day before it named.
func (c *calc) flagNotWorking() {
	working, _ := WorkingDay(c.due)
	if working {
		return
	}
	c.notWorking = true
	d := c.due.AddDays(-1)
	for i := 0; i < 14; i++ {
		if w, _ := WorkingDay(d); w {
			break
		}
		d = d.AddDays(-1)
	}
	c.lastWorking = d
	_, why := notWorkingWhy(c.due)
	c.say(tx(dateEN(c.due)+" is not a working day (a "+why.EN+"). No rule of this timescale moves its last day to a working day, so the due date stays; the last working day before it is "+dateEN(d)+".",
		"Nid yw "+dateCY(c.due)+" yn ddiwrnod gwaith ("+why.CY+"). Nid oes rheol yn yr amserlen hon sy'n symud ei diwrnod olaf i ddiwrnod gwaith, felly mae'r dyddiad terfyn yn aros; y diwrnod gwaith olaf cyn hynny yw "+dateCY(d)+"."))
}

// realDate reports whether d is a date that exists, in the years ParseDate
// accepts.
func realDate(d cynllun.Date) bool {
	return d.Year >= 1900 && d.Year <= 2199 && cynllun.DateOf(d.Time()) == d
}

// calc is one computation in progress.
type calc struct {
	rule  Rule
	start cynllun.Date
	cal   *calendar.Calendar
	s     Settings

	periodEnd, due cynllun.Date
	steps          []Step
	counted        int  // days counted (day counts)
	adjusted       bool // due moved off the period end
	overridden     bool // the time limit is a deployment's
	notWorking     bool // the due date is not a working day
	lastWorking    cynllun.Date
	explanation    []form.Text
	assumptions    []form.Text
}

func (c *calc) say(t form.Text)    { c.explanation = append(c.explanation, t) }
func (c *calc) assert(t form.Text) { c.assumptions = append(c.assumptions, t) }
func (c *calc) step(d cynllun.Date, k StepKind, note form.Text) {
	c.steps = append(c.steps, Step{Date: d, Kind: k, Count: c.counted, Note: note})
}

// eventDayIsDay1 reports whether the event's day is the first day of the
// period (package doc 1).
func (c *calc) eventDayIsDay1() bool {
	r := c.rule
	switch {
	case r.Start == StartDayAfter:
		return false
	case !r.CountingConvention:
		return true
	case r.Unit == UnitWeeks:
		return c.s.WeeksEndDayBefore()
	}
	return c.s.TriggerDayCounts()
}

// ---- day counts --------------------------------------------------------

// countDays counts school or term-time days on the calendar.
func (c *calc) countDays() error {
	r := c.rule
	if c.cal == nil {
		what := "school days"
		if r.Unit == UnitTermTimeDays {
			what = "term-time days"
		}
		return invalid("calendar", r.ID+" counts "+what+" and needs the maintaining body's term calendar")
	}
	unit := singular(r.Unit)
	day1IsStart := c.eventDayIsDay1()
	var startKind StepKind
	var startWhy form.Text
	var groups skipGroups
	for i := 0; c.counted < r.Amount; i++ {
		if i > maxDays {
			return invalid("rule", "the count runs more than three years past the start")
		}
		d := c.start.AddDays(i)
		if !c.cal.Covers(d) {
			if i == 0 {
				return invalid("calendar", "the term calendar does not cover the start; add that school year's terms")
			}
			return invalid("calendar", "the term calendar does not cover the dates needed; add the next school year's terms")
		}
		if !bankYear(d.Year) {
			return errBankHolidays()
		}
		kind, why, qualifier := c.classify(d)
		if i == 0 {
			startKind, startWhy = kind, why
			switch {
			case kind == StepCounted && day1IsStart:
				c.counted++
				c.step(d, StepCounted, cat(tx("the day of the event: ", "diwrnod y digwyddiad: "), unit, both(" 1"), qualifier))
			case kind == StepCounted:
				c.step(d, StepTriggerDay, tx("the day of the event, not counted", "diwrnod y digwyddiad, heb ei gyfrif"))
			default:
				c.step(d, kind, cat(tx("the day of the event: ", "diwrnod y digwyddiad: "), why))
			}
			continue
		}
		if kind == StepCounted {
			c.counted++
			c.step(d, StepCounted, cat(unit, both(" "+strconv.Itoa(c.counted)), qualifier))
			continue
		}
		c.step(d, kind, why)
		groups.add(kind, why, d)
	}
	last := c.steps[len(c.steps)-1].Date
	c.periodEnd, c.due = last, last

	amount := unitText(r.Amount, r.Unit)
	switch {
	case r.Start == StartDayAfter:
		c.say(cat(amount, tx(" beginning with the day after "+dateEN(c.start)+".", " gan ddechrau â'r diwrnod ar ôl "+dateCY(c.start)+".")))
	case startKind != StepCounted:
		c.say(cat(amount, tx(" from "+dateEN(c.start)+".", " o "+dateCYSoft(c.start)+".")))
		day1 := c.firstCounted()
		c.say(tx(
			dateEN(c.start)+" is not a "+unit.EN+" ("+startWhy.EN+"), so counting starts on the next "+unit.EN+", "+dateEN(day1)+".",
			"Nid yw "+dateCY(c.start)+" yn "+softMutate(unit.CY)+" ("+startWhy.CY+"), felly mae'r cyfrif yn dechrau ar y "+unit.CY+" nesaf, "+dateCY(day1)+".",
		))
	case day1IsStart:
		c.say(cat(amount, tx(" from "+dateEN(c.start)+", counting the day itself as day 1.", " o "+dateCYSoft(c.start)+", gan gyfrif y diwrnod ei hun yn ddiwrnod 1.")))
	default:
		c.say(cat(amount, tx(" from "+dateEN(c.start)+", not counting the day itself.", " o "+dateCYSoft(c.start)+", heb gyfrif y diwrnod ei hun.")))
	}
	if len(groups) == 0 {
		c.say(tx("No days were skipped.", "Ni hepgorwyd unrhyw ddiwrnod."))
	} else {
		c.say(cat(tx("Skipped: ", "Hepgorwyd: "), groups.text(), both(".")))
	}
	return nil
}

// firstCounted returns the date of the first counted day.
func (c *calc) firstCounted() cynllun.Date {
	for _, s := range c.steps {
		if s.Kind == StepCounted {
			return s.Date
		}
	}
	return cynllun.Date{}
}

// classify says whether d is a countable day of the calendar under the
// settings: StepCounted (with a qualifier when it is counted only because
// of a setting), or the kind of day it is and why it is skipped.
func (c *calc) classify(d cynllun.Date) (StepKind, form.Text, form.Text) {
	bank := bankHoliday(d)
	bankSuffix := form.Text{}
	if bank {
		bankSuffix = tx(bankSuffixEN, bankSuffixCY)
	}
	term, inTerm := c.cal.TermOf(d)
	if !inTerm {
		return StepHoliday, cat(c.holidayName(d), bankSuffix), form.Text{}
	}
	if isWeekend(d) {
		return StepWeekend, tx("weekend", "penwythnos"), form.Text{}
	}
	var half, closed, inset, countedInset, countedClosure bool
	for _, cl := range c.cal.Closures {
		if d.Before(cl.From) || d.After(cl.To) {
			continue
		}
		switch cl.Reason {
		case calendar.ReasonHalfTerm:
			half = true
		case calendar.ReasonBankHoliday:
			bank = true
		case calendar.ReasonINSET:
			if c.s.InsetDaysCount {
				countedInset = true
			} else {
				inset = true
			}
		default: // CLOSURE, and any reason this package does not know
			if c.s.ClosuresCount && cl.Reason == calendar.ReasonClosure {
				countedClosure = true
			} else {
				closed = true
			}
		}
	}
	if bank {
		bankSuffix = tx(bankSuffixEN, bankSuffixCY)
	}
	switch {
	case half:
		return StepHalfTerm, cat(halfTermName(term), bankSuffix), form.Text{}
	case bank:
		return StepBankHoliday, tx("bank holiday", "gŵyl banc"), form.Text{}
	case closed:
		return StepClosure, tx("closure, not counted (a setting of this service)", "diwrnod cau, heb ei gyfrif (gosodiad y gwasanaeth)"), form.Text{}
	case inset:
		return StepINSET, tx("INSET day, not counted (a setting of this service)", "diwrnod HMS, heb ei gyfrif (gosodiad y gwasanaeth)"), form.Text{}
	case countedInset:
		return StepCounted, form.Text{}, tx(" (an INSET day, counted under a setting of this service)", " (diwrnod HMS, wedi'i gyfrif dan osodiad y gwasanaeth)")
	case countedClosure:
		return StepCounted, form.Text{}, tx(" (a closure, counted under a setting of this service)", " (diwrnod cau, wedi'i gyfrif dan osodiad y gwasanaeth)")
	}
	return StepCounted, form.Text{}, form.Text{}
}

// holidayName names the holiday d (outside every term) is in.
func (c *calc) holidayName(d cynllun.Date) form.Text {
	var prev, next *calendar.Term
	for i := range c.cal.Terms {
		t := &c.cal.Terms[i]
		if t.End.Before(d) && (prev == nil || t.End.After(prev.End)) {
			prev = t
		}
		if t.Start.After(d) && (next == nil || t.Start.Before(next.Start)) {
			next = t
		}
	}
	switch {
	case prev != nil:
		return tx("the holiday after the "+prev.Name, "y gwyliau ar ôl "+nameCY(*prev))
	case next != nil:
		return tx("the holiday before the "+next.Name, "y gwyliau cyn "+nameCY(*next))
	}
	return tx("outside term", "y tu allan i'r tymor")
}

func halfTermName(t calendar.Term) form.Text {
	return tx("half term in the "+t.Name, "hanner tymor yn ystod "+nameCY(t))
}

func nameCY(t calendar.Term) string {
	if t.NameCy != "" {
		return t.NameCy
	}
	return t.Name
}

// skipGroups gathers skipped days for the explanation, in order of first
// appearance: weekends together, each holiday and half term by name, bank
// holidays, INSET days and closures with their dates.
type skipGroups []*skipGroup

type skipGroup struct {
	kind  StepKind
	name  form.Text
	dates []cynllun.Date
}

func (g *skipGroups) add(k StepKind, why form.Text, d cynllun.Date) {
	var name form.Text
	switch k {
	case StepHoliday, StepHalfTerm:
		// A bank holiday in a holiday or half term is a day of it.
		name = tx(strings.TrimSuffix(why.EN, bankSuffixEN), strings.TrimSuffix(why.CY, bankSuffixCY))
	}
	for _, x := range *g {
		if x.kind == k && x.name == name {
			x.dates = append(x.dates, d)
			return
		}
	}
	*g = append(*g, &skipGroup{kind: k, name: name, dates: []cynllun.Date{d}})
}

const (
	bankSuffixEN = ", and a bank holiday"
	bankSuffixCY = ", a gŵyl banc"
)

func (g skipGroups) text() form.Text {
	var items []form.Text
	for _, x := range g {
		n := len(x.dates)
		switch x.kind {
		case StepWeekend:
			items = append(items, count(n, "weekend day", "diwrnod penwythnos"))
		case StepHoliday:
			items = append(items, cat(count(n, "day", "diwrnod"), tx(" of ", " o'r "), tx(x.name.EN, trimArticle(x.name.CY))))
		case StepHalfTerm:
			items = append(items, cat(count(n, "day", "diwrnod"), tx(" of the ", " o "), x.name))
		case StepBankHoliday:
			items = append(items, cat(count(n, "bank holiday", "diwrnod gŵyl banc"), both(" ("), dates(x.dates), both(")")))
		case StepINSET:
			items = append(items, cat(count(n, "INSET day", "diwrnod HMS"), both(" ("), dates(x.dates), both(")")))
		case StepClosure:
			items = append(items, cat(count(n, "closure day", "diwrnod cau"), both(" ("), dates(x.dates), both(")")))
		}
	}
	return list(items)
}

// trimArticle drops a leading Welsh article ("y gwyliau" → "gwyliau") for
// use after "o'r".
func trimArticle(cy string) string {
	for _, a := range []string{"y ", "yr "} {
		if rest, ok := strings.CutPrefix(cy, a); ok {
			return rest
		}
	}
	return cy
}

// ---- calendar periods --------------------------------------------------

// period computes the last day of a calendar-day, week or month period.
func (c *calc) period() error {
	r := c.rule
	day1 := c.eventDayIsDay1()
	less := 0
	if day1 {
		less = 1
	}
	var end cynllun.Date
	switch r.Unit {
	case UnitCalendarDays:
		if r.Amount == 0 {
			end = c.start
		} else {
			end = c.start.AddDays(r.Amount - less)
		}
	case UnitWeeks:
		end = c.start.AddDays(7*r.Amount - less)
	case UnitMonths:
		end = addMonths(c.start, r.Amount).AddDays(-less)
	}
	if end.After(c.start.AddDays(maxDays)) {
		return invalid("rule", "the period runs more than three years past the start")
	}
	if !realDate(end) {
		return invalid("start", "the period ends outside the years a date may have")
	}
	c.periodEnd, c.due = end, end
	c.startAndEnd(tx("the last day of the period", "diwrnod olaf y cyfnod"))

	if r.Amount == 0 {
		c.say(tx("No period: the duty applies from the day of the event, "+dateEN(c.start)+".",
			"Dim cyfnod: mae'r ddyletswydd yn gymwys o ddiwrnod y digwyddiad, "+dateCY(c.start)+"."))
		return nil
	}
	var from form.Text
	switch {
	case r.Start == StartDayAfter:
		from = tx(" beginning with the day after "+dateEN(c.start), " gan ddechrau â'r diwrnod ar ôl "+dateCY(c.start))
	case !r.CountingConvention:
		from = tx(" beginning on "+dateEN(c.start), " gan ddechrau ar "+dateCYSoft(c.start))
	case day1:
		from = tx(" from "+dateEN(c.start)+", counting the day itself as day 1,", " o "+dateCYSoft(c.start)+", gan gyfrif y diwrnod ei hun yn ddiwrnod 1,")
	default:
		from = tx(" from "+dateEN(c.start)+", not counting the day itself,", " o "+dateCYSoft(c.start)+", heb gyfrif y diwrnod ei hun,")
	}
	c.say(cat(tx("The period of ", "Mae'r cyfnod o "), unitText(r.Amount, r.Unit), from,
		tx(" ends on "+dateEN(end)+".", " yn dod i ben ar "+dateCYSoft(end)+".")))
	if r.Unit == UnitMonths {
		if t := time.Date(c.start.Year, c.start.Month+time.Month(r.Amount), 1, 0, 0, 0, 0, time.UTC); daysIn(t.Year(), t.Month()) < c.start.Day {
			c.say(tx(
				strconv.Itoa(c.start.Day)+" "+c.start.Month.String()+" has no counterpart in "+t.Month().String()+" "+strconv.Itoa(t.Year())+", so the last day of that month is used.",
				"Nid oes "+strconv.Itoa(c.start.Day)+" "+monthsCY[c.start.Month]+" ym mis "+monthsCY[t.Month()]+" "+strconv.Itoa(t.Year())+", felly defnyddir diwrnod olaf y mis.",
			))
		}
	}
	return nil
}

// startAndEnd records the steps of a period: the event's day and the last
// day (one step when they are the same day).
func (c *calc) startAndEnd(endNote form.Text) {
	if c.periodEnd != c.start {
		c.step(c.start, StepTriggerDay, tx("the day of the event", "diwrnod y digwyddiad"))
	} else {
		endNote = cat(tx("the day of the event and ", "diwrnod y digwyddiad a "), endNote)
	}
	c.step(c.periodEnd, StepPeriodEnd, endNote)
}

// addMonths adds n calendar months to d; a day the target month lacks
// becomes its last day (31 January + 1 month = 28 or 29 February), so
// adding 12n months is d.AddYears(n).
func addMonths(d cynllun.Date, n int) cynllun.Date {
	t := time.Date(d.Year, d.Month+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	day := min(d.Day, daysIn(t.Year(), t.Month()))
	return cynllun.Date{Year: t.Year(), Month: t.Month(), Day: day}
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// endOfSeptember: the first 30 September on or after the start.
func (c *calc) endOfSeptember() {
	y := c.start.Year
	if c.start.Month > time.September {
		y++
	}
	c.periodEnd = cynllun.Date{Year: y, Month: time.September, Day: 30}
	c.due = c.periodEnd
	c.startAndEnd(tx("the end of September", "diwedd mis Medi"))
	ay := strconv.Itoa(y) + " to " + strconv.Itoa(y+1)
	ayCY := strconv.Itoa(y) + " i " + strconv.Itoa(y+1)
	c.say(tx("Before the end of September of the academic year "+ay+" (1 August to 31 July): the last day is "+dateEN(c.due)+".",
		"Cyn diwedd mis Medi y flwyddyn academaidd "+ayCY+" (1 Awst i 31 Gorffennaf): y diwrnod olaf yw "+dateCY(c.due)+"."))
	if c.start.Month > time.September {
		c.say(tx(dateEN(c.start)+" is after the end of September, so the end of September of the next academic year is used; a move during the school year is T13.",
			"Mae "+dateCY(c.start)+" ar ôl diwedd mis Medi, felly defnyddir diwedd mis Medi y flwyddyn academaidd nesaf; mae symud yn ystod y flwyddyn ysgol yn T13."))
	}
}

// ---- adjustments -------------------------------------------------------

// working reports whether d is a working day: Monday to Friday, not an
// England and Wales bank holiday.
func working(d cynllun.Date) (bool, error) {
	if !bankYear(d.Year) {
		return false, errBankHolidays()
	}
	return !isWeekend(d) && !bankHoliday(d), nil
}

// notWorkingWhy says why a day that is not a working day is not one.
func notWorkingWhy(d cynllun.Date) (StepKind, form.Text) {
	if isWeekend(d) {
		return StepWeekend, tx("weekend", "penwythnos")
	}
	return StepBankHoliday, tx("bank holiday", "gŵyl banc")
}

// adjust applies the roll-forward (reg 2(4)) or the first working day
// after the period.
func (c *calc) adjust() error {
	r := c.rule
	if !r.RollForward && !r.FirstWorkingDayAfter {
		return nil
	}
	end := c.periodEnd
	ok, err := working(end)
	if err != nil {
		return err
	}
	if r.RollForward && ok {
		c.say(tx(dateEN(end)+" is a working day, so the period is not extended (ALN Regs reg 2(4)).",
			"Mae "+dateCY(end)+" yn ddiwrnod gwaith, felly nid yw'r cyfnod yn cael ei estyn (rheoliad 2(4) Rheoliadau ADY)."))
		return nil
	}
	if r.RollForward {
		_, why := notWorkingWhy(end)
		last := &c.steps[len(c.steps)-1]
		last.Note = cat(last.Note, tx(": not a working day (", ": nid yw'n ddiwrnod gwaith ("), why, both(")"))
	}
	d := end
	for {
		d = d.AddDays(1)
		ok, err := working(d)
		if err != nil {
			return err
		}
		if ok {
			break
		}
		k, why := notWorkingWhy(d)
		c.step(d, k, why)
	}
	c.due, c.adjusted = d, true
	if r.RollForward {
		_, why := notWorkingWhy(end)
		c.step(d, StepRolledForward, tx("the next working day (ALN Regs reg 2(4))", "y diwrnod gwaith nesaf (rheoliad 2(4) Rheoliadau ADY)"))
		c.say(tx(dateEN(end)+" is not a working day (a "+why.EN+"), so the period extends to the next working day (ALN Regs reg 2(4)): "+dateEN(d)+".",
			"Nid yw "+dateCY(end)+" yn ddiwrnod gwaith ("+why.CY+"), felly mae'r cyfnod yn cael ei estyn i'r diwrnod gwaith nesaf (rheoliad 2(4) Rheoliadau ADY): "+dateCY(d)+"."))
		return nil
	}
	c.step(d, StepFirstWorkingDay, tx("the first working day after the end of the period", "y diwrnod gwaith cyntaf ar ôl diwedd y cyfnod"))
	c.say(tx("The first working day after the end of the period is "+dateEN(d)+".",
		"Y diwrnod gwaith cyntaf ar ôl diwedd y cyfnod yw "+dateCY(d)+"."))
	return nil
}

// explainDue adds the closing sentence.
func (c *calc) explainDue() {
	if c.rule.Unit.countsDays() && !c.adjusted {
		u := singular(c.rule.Unit)
		n := strconv.Itoa(c.counted)
		c.say(tx("Due "+dateEN(c.due)+" ("+u.EN+" "+n+").", "Dyddiad terfyn: "+dateCY(c.due)+" ("+u.CY+" "+n+")."))
		return
	}
	c.say(tx("Due "+dateEN(c.due)+".", "Dyddiad terfyn: "+dateCY(c.due)+"."))
}

// ---- assumptions -------------------------------------------------------

// assume records the conventions the computation applied. rule is the
// rule as given, before any override.
func (c *calc) assume(rule Rule, o *Override) {
	r := c.rule
	switch {
	case r.Unit.countsDays():
		name := c.cal.Name
		if name == "" {
			name = c.cal.ID
		}
		if r.Unit == UnitSchoolDays {
			c.assert(tx(
				"A school day is a Monday to Friday within the term dates of "+name+", not in a half term or other closure and not a bank holiday; the Code's own definition of \"school day\" was not retrieved (not confirmed).",
				"Diwrnod ysgol yw dydd Llun i ddydd Gwener o fewn dyddiadau tymor "+name+", nad yw mewn hanner tymor na chyfnod cau arall ac nad yw'n ŵyl banc; ni chafwyd diffiniad y Cod ei hun o \"diwrnod ysgol\" (heb ei gadarnhau).",
			))
		} else {
			c.assert(tx(
				"A term-time day is counted like a school day: a Monday to Friday within the term dates of "+name+", not in a half term or other closure and not a bank holiday; the definition of \"term time day\" was not retrieved (not confirmed).",
				"Mae diwrnod tymor yn cael ei gyfrif fel diwrnod ysgol: dydd Llun i ddydd Gwener o fewn dyddiadau tymor "+name+", nad yw mewn hanner tymor na chyfnod cau arall ac nad yw'n ŵyl banc; ni chafwyd y diffiniad o \"diwrnod tymor\" (heb ei gadarnhau).",
			))
		}
		u := singular(r.Unit)
		switch {
		case r.Start == StartDayAfter:
			c.assert(tx("The period begins with the day after the event, as the ALN Regulations are drafted (confirmed in the law).",
				"Mae'r cyfnod yn dechrau â'r diwrnod ar ôl y digwyddiad, fel y mae Rheoliadau ADY wedi'u drafftio (wedi'i gadarnhau yn y gyfraith)."))
		case !r.CountingConvention:
			c.assert(cat(tx("The day of the event is day 1 when it is a "+u.EN+", as the provision is drafted ", "Diwrnod y digwyddiad yw diwrnod 1 pan fo'n "+softMutate(u.CY)+", fel y mae'r ddarpariaeth wedi'i drafftio "), tagText(r.Tag), both(".")))
		case c.s.TriggerDayCounts():
			c.assert(tx("The day of the event counts as day 1 when it is a "+u.EN+", as \"beginning with the day on which\" reads in the Act and the Regulations; the Code's own wording was not retrieved (not confirmed).",
				"Mae diwrnod y digwyddiad yn cyfrif yn ddiwrnod 1 pan fo'n "+softMutate(u.CY)+", fel y darllenir \"gan ddechrau â'r diwrnod y\" yn y Ddeddf a'r Rheoliadau; ni chafwyd geiriad y Cod ei hun (heb ei gadarnhau)."))
		default:
			c.assert(tx("The day of the event is not counted: day 1 is the first "+u.EN+" after it; a setting of this service, the later of the two readings (not confirmed).",
				"Nid yw diwrnod y digwyddiad yn cael ei gyfrif: diwrnod 1 yw'r "+u.CY+" cyntaf ar ei ôl; gosodiad y gwasanaeth, y diweddaraf o'r ddau ddarlleniad (heb ei gadarnhau)."))
		}
		if c.s.InsetDaysCount {
			c.assert(tx("INSET (training) days count as school days; a setting of this service (not confirmed).",
				"Mae diwrnodau HMS (hyfforddiant) yn cyfrif yn ddiwrnodau ysgol; gosodiad y gwasanaeth (heb ei gadarnhau)."))
		} else {
			c.assert(tx("INSET (training) days are not counted as school days; a setting of this service (not confirmed).",
				"Nid yw diwrnodau HMS (hyfforddiant) yn cael eu cyfrif yn ddiwrnodau ysgol; gosodiad y gwasanaeth (heb ei gadarnhau)."))
		}
		if c.s.ClosuresCount {
			c.assert(tx("Unplanned closures in the calendar (such as snow days) count as school days; a setting of this service (not confirmed).",
				"Mae cyfnodau cau heb eu cynllunio yn y calendr (megis diwrnodau eira) yn cyfrif yn ddiwrnodau ysgol; gosodiad y gwasanaeth (heb ei gadarnhau)."))
		} else {
			c.assert(tx("Unplanned closures in the calendar (such as snow days) are not counted as school days; a setting of this service (not confirmed).",
				"Nid yw cyfnodau cau heb eu cynllunio yn y calendr (megis diwrnodau eira) yn cael eu cyfrif yn ddiwrnodau ysgol; gosodiad y gwasanaeth (heb ei gadarnhau)."))
		}
		c.assert(tx("England and Wales bank holidays are never counted, even where the term calendar does not list them.",
			"Nid yw gwyliau banc Cymru a Lloegr byth yn cael eu cyfrif, hyd yn oed pan nad yw'r calendr tymor yn eu rhestru."))
	case r.FixedEndOfSeptember:
		c.assert(tx("The academic year runs from 1 August to 31 July (Act s.35(6)); \"before the end of September\" is read as on or before 30 September of the academic year in which the learner starts at the new school or institution.",
			"Mae'r flwyddyn academaidd yn rhedeg o 1 Awst i 31 Gorffennaf (adran 35(6) o'r Ddeddf); darllenir \"cyn diwedd mis Medi\" fel ar neu cyn 30 Medi y flwyddyn academaidd y mae'r dysgwr yn dechrau yn yr ysgol neu'r sefydliad newydd ynddi."))
	default:
		c.assertPeriod()
	}
	if r.RollForward || r.FirstWorkingDayAfter {
		c.assert(tx("A working day is a Monday to Friday that is not an England and Wales bank holiday; the regulations' own definition was not retrieved (not confirmed).",
			"Diwrnod gwaith yw dydd Llun i ddydd Gwener nad yw'n ŵyl banc yng Nghymru a Lloegr; ni chafwyd diffiniad y rheoliadau eu hunain (heb ei gadarnhau)."))
	}
	if r.FirstWorkingDayAfter {
		c.assert(tx("Whether the Tribunal Regulations also treat other days (such as the Christmas period or August) as not working days is not known; none are excluded here (not confirmed).",
			"Nid yw'n hysbys a yw Rheoliadau'r Tribiwnlys hefyd yn trin diwrnodau eraill (megis cyfnod y Nadolig neu fis Awst) fel diwrnodau nad ydynt yn ddiwrnodau gwaith; ni chaiff unrhyw rai eu heithrio yma (heb ei gadarnhau)."))
	}
	if o != nil {
		limit := unitText(o.Amount, o.Unit)
		basis := form.Text{}
		if o.Basis != "" {
			basis = both(" (" + o.Basis + ")")
		}
		if rule.Unit == UnitNone {
			c.assert(cat(tx("The time limit of ", "Gosodwyd y terfyn amser o "), limit, tx(" was set by this service", " gan y gwasanaeth hwn"), basis,
				tx("; the law's time limit is not confirmed.", "; nid yw terfyn amser y gyfraith wedi'i gadarnhau.")))
		} else {
			c.assert(cat(tx("The time limit of ", "Gosodwyd y terfyn amser o "), limit, tx(" was set by this service", " gan y gwasanaeth hwn"), basis,
				tx(" in place of ", " yn lle "), unitText(rule.Amount, rule.Unit), both(".")))
		}
	}
	// The rule's sources (Rule.Basis, its Tag) are data the API gives
	// with the rule; the sentence says what they mean in plain words.
	switch r.Tag {
	case TagConfirmed:
		c.assert(tx("The time limit was read in the law itself.",
			"Darllenwyd y terfyn amser yn y gyfraith ei hun."))
	case TagSecondary:
		c.assert(tx("The time limit comes from a secondary source, not the law itself; check it against the law before relying on it.",
			"Daw'r terfyn amser o ffynhonnell eilaidd, nid o'r gyfraith ei hun; gwiriwch ef yn erbyn y gyfraith cyn dibynnu arno."))
	default:
		c.assert(tx("The law's time limit for this has not been confirmed.",
			"Nid yw terfyn amser y gyfraith ar gyfer hyn wedi'i gadarnhau."))
	}
	if len(r.Exceptions) > 0 {
		c.assert(tx("No exception to the timescale has been applied (see the rule's exceptions).",
			"Ni chymhwyswyd unrhyw eithriad i'r amserlen (gweler eithriadau'r rheol)."))
	}
}

// assertPeriod records the conventions of a calendar-day, week or month
// period.
func (c *calc) assertPeriod() {
	r := c.rule
	switch r.Unit {
	case UnitWeeks:
		c.assert(tx("Calendar weeks run through school holidays; no term calendar is needed.",
			"Mae wythnosau calendr yn rhedeg drwy wyliau ysgol; nid oes angen calendr tymor."))
	case UnitMonths:
		c.assert(tx("Calendar months run through school holidays; no term calendar is needed. A period of months beginning on a day ends the day before the same date that many months later; a date the month lacks (29 February, 31 April) becomes the month's last day.",
			"Mae misoedd calendr yn rhedeg drwy wyliau ysgol; nid oes angen calendr tymor. Mae cyfnod o fisoedd sy'n dechrau ar ddiwrnod yn dod i ben y diwrnod cyn yr un dyddiad yr un nifer o fisoedd yn ddiweddarach; daw dyddiad nad yw yn y mis (29 Chwefror, 31 Ebrill) yn ddiwrnod olaf y mis."))
	case UnitCalendarDays:
		c.assert(tx("Calendar days run through weekends and school holidays; no term calendar is needed.",
			"Mae diwrnodau calendr yn rhedeg drwy benwythnosau a gwyliau ysgol; nid oes angen calendr tymor."))
	}
	if r.Amount == 0 {
		return
	}
	switch {
	case r.Start == StartDayAfter:
		c.assert(tx("The period begins with the day after the event, as the ALN Regulations are drafted (confirmed in the law).",
			"Mae'r cyfnod yn dechrau â'r diwrnod ar ôl y digwyddiad, fel y mae Rheoliadau ADY wedi'u drafftio (wedi'i gadarnhau yn y gyfraith)."))
	case r.CountingConvention && r.Unit == UnitWeeks && c.s.WeeksEndDayBefore():
		c.assert(tx("A period of weeks beginning with the day of the event counts that day as day 1 and ends the day before the same weekday that many weeks later, as \"beginning with the day on which\" reads in the Act and the Regulations; the Code's own wording was not retrieved (not confirmed).",
			"Mae cyfnod o wythnosau sy'n dechrau â diwrnod y digwyddiad yn cyfrif y diwrnod hwnnw yn ddiwrnod 1 ac yn dod i ben y diwrnod cyn yr un diwrnod o'r wythnos yr un nifer o wythnosau yn ddiweddarach, fel y darllenir \"gan ddechrau â'r diwrnod y\" yn y Ddeddf a'r Rheoliadau; ni chafwyd geiriad y Cod ei hun (heb ei gadarnhau)."))
	case r.CountingConvention && r.Unit == UnitWeeks:
		c.assert(tx("A period of weeks from the day of the event ends on the same weekday that many weeks later (the day of the event is not counted); a setting of this service, the later of the two readings (not confirmed).",
			"Mae cyfnod o wythnosau o ddiwrnod y digwyddiad yn dod i ben ar yr un diwrnod o'r wythnos yr un nifer o wythnosau yn ddiweddarach (nid yw diwrnod y digwyddiad yn cael ei gyfrif); gosodiad y gwasanaeth, y diweddaraf o'r ddau ddarlleniad (heb ei gadarnhau)."))
	case r.CountingConvention && c.s.TriggerDayCounts():
		c.assert(tx("The day of the event counts as day 1, as \"beginning with the day on which\" reads in the Act and the Regulations (not confirmed).",
			"Mae diwrnod y digwyddiad yn cyfrif yn ddiwrnod 1, fel y darllenir \"gan ddechrau â'r diwrnod y\" yn y Ddeddf a'r Rheoliadau (heb ei gadarnhau)."))
	case r.CountingConvention:
		c.assert(tx("The day of the event is not counted: day 1 is the day after it; a setting of this service, the later of the two readings (not confirmed).",
			"Nid yw diwrnod y digwyddiad yn cael ei gyfrif: diwrnod 1 yw'r diwrnod ar ei ôl; gosodiad y gwasanaeth, y diweddaraf o'r ddau ddarlleniad (heb ei gadarnhau)."))
	case r.Unit == UnitCalendarDays:
		c.assert(tx(fmt.Sprintf("\"Within %d days of\" the event is read with the day of the event as day 1, the earlier of the two readings; if that day is excluded the period ends one day later (not confirmed).", r.Amount),
			fmt.Sprintf("Darllenir \"o fewn %d diwrnod i\" y digwyddiad gyda diwrnod y digwyddiad yn ddiwrnod 1, y cynharaf o'r ddau ddarlleniad; os caiff y diwrnod hwnnw ei eithrio mae'r cyfnod yn dod i ben ddiwrnod yn ddiweddarach (heb ei gadarnhau).", r.Amount)))
	case c.overridden:
		c.assert(tx("The period this service sets begins on the day of the event itself.",
			"Mae cyfnod y gwasanaeth yn dechrau ar ddiwrnod y digwyddiad ei hun."))
	default:
		c.assert(cat(tx("The period begins on the day of the event itself, as the provision is drafted ", "Mae'r cyfnod yn dechrau ar ddiwrnod y digwyddiad ei hun, fel y mae'r ddarpariaeth wedi'i drafftio "), tagText(r.Tag), both(".")))
	}
}
