// Package ledger reckons the provision delivery ledger: for a 2B row with a
// structured quantity, how many sessions and minutes were planned in a
// window of dates, how many were delivered or missed, and the shortfall,
// period by period. It is pure arithmetic over domain values.
//
// Summarise and SummarisePlan follow these rules; they are the contract.
// All dates are inclusive.
//
//  1. Window. The window [from, to] is clipped to the row's span: it
//     starts at row.StartDate when that is later than from, and ends at
//     row.ReviewOrEndDate when row.DateKind is END and that is earlier
//     than to (a REVIEW date does not end the provision; a zero date does
//     not clip). When the clipped window is empty, RowSummary.From and To
//     are zero, nothing is planned or counted, PlannedKnown is true (with
//     zero planned) when the row has a quantity, and the warning is
//     NOT_STARTED when the row starts after to, ENDED when it ended before
//     from. An inverted window (from after to) or a zero from or to is
//     empty too, with neither warning. Basis is then TERM_CALENDAR when
//     cal is not nil and WEEKDAYS otherwise, with no NO_CALENDAR warning
//     (there are no days to cover).
//  2. Days. When cal is not nil and cal.Covers every day of the clipped
//     window, the days provision can happen on are cal.SchoolDay and Basis
//     is TERM_CALENDAR. Otherwise Basis is WEEKDAYS, every Monday to
//     Friday counts (holidays included) and the warning is NO_CALENDAR.
//  3. Periods, by Quantity.Per. DAY: each countable day. WEEK: Monday to
//     Sunday weeks. FORTNIGHT: consecutive 14-day blocks starting on the
//     Monday of the week containing row.StartDate (of from when the row
//     has no start date). MONTH: calendar months. TERM: the calendar's
//     terms; this needs Basis TERM_CALENDAR, and without it PlannedKnown
//     is false, the warning is TERM_NEEDS_CALENDAR and there are no
//     periods (delivered and missed totals are still counted). A period is
//     included only if it has at least one countable day inside the
//     clipped window, and its From and To are clipped to the window (so a
//     half-term week, or a fortnight of Christmas holiday, is no period).
//     Each included period plans Quantity.Sessions sessions and
//     Sessions × MinutesPerSession minutes. Periods are in date order and
//     do not overlap.
//  4. Entries. Voided sessions, sessions of other rows and sessions with a
//     status other than DELIVERED or MISSED are ignored. An entry dated
//     inside the clipped window counts, even on a day that is not
//     countable: toward the totals, and toward its period when its date
//     is in an included period. DELIVERED adds 1 to Delivered and its
//     Minutes to DeliveredMinutes; MISSED adds to Missed and
//     MissedMinutes. Negative Minutes count as zero. Entries of the row
//     dated inside [from, to] but outside the clipped window (before the
//     row starts or after it ends) are not counted and give the warning
//     SESSIONS_OUTSIDE; entries outside [from, to] are simply not in the
//     window.
//  5. Shortfall. In each period, ShortfallSessions is max(0, Planned −
//     Delivered) and ShortfallMinutes is max(0, PlannedMinutes −
//     DeliveredMinutes). The row's Planned, Delivered and Missed (and
//     their minutes) are sums; its shortfall is net over the window,
//     max(0, total planned − total delivered), so a catch-up session in a
//     later period makes up for a missed one; PeriodsShort counts the
//     periods with Delivered < Planned. With PlannedKnown false the
//     shortfall is zero.
//  6. No quantity. When row.Quantity is nil, PlannedKnown is false, the
//     warning is NO_QUANTITY and only the delivered and missed totals are
//     counted. A quantity that cannot plan (negative Sessions or
//     MinutesPerSession, or an unknown Per) is treated the same way.
//
// Each warning appears at most once, in the order the Warn constants are
// declared. Warnings and Periods are nil when there are none.
package ledger

import "github.com/cynllun/cynllun"

// Basis says which days were taken as days provision could happen on.
type Basis string

const (
	// BasisTermCalendar: school days from the term calendar (term dates,
	// less half terms, bank holidays and closures).
	BasisTermCalendar Basis = "TERM_CALENDAR"
	// BasisWeekdays: no calendar covers the whole window, so every Monday to
	// Friday counts; holidays are not excluded (a warning says so).
	BasisWeekdays Basis = "WEEKDAYS"
)

// Warning codes.
const (
	WarnNoQuantity      = "NO_QUANTITY"         // the row has no structured quantity: nothing is planned
	WarnNoCalendar      = "NO_CALENDAR"         // some days of the window are outside any term calendar
	WarnTermNeedsCal    = "TERM_NEEDS_CALENDAR" // termly provision without a calendar: planned unknown
	WarnNotStarted      = "NOT_STARTED"         // the row starts after the window
	WarnEnded           = "ENDED"               // the row ended before the window
	WarnOutsideSessions = "SESSIONS_OUTSIDE"    // sessions recorded outside the row's span were not counted
)

// Period is one period of a row's quantity (a week, a fortnight, a month,
// a term, or a school day) that overlaps the window.
type Period struct {
	From, To cynllun.Date // the period's days inside the window and the row's span
	// Planned sessions and minutes in the period.
	Planned        int
	PlannedMinutes int
	// Delivered and Missed count the period's entries (voided ones excluded).
	Delivered        int
	DeliveredMinutes int
	Missed           int
	MissedMinutes    int
	// ShortfallSessions and ShortfallMinutes are planned less delivered,
	// never below zero.
	ShortfallSessions int
	ShortfallMinutes  int
}

// RowSummary is the ledger of one 2B row over a window.
type RowSummary struct {
	RowID    string
	Quantity *cynllun.Quantity
	// From and To are the window after clipping to the row's start and
	// end dates (zero when they do not overlap).
	From, To cynllun.Date
	Basis    Basis
	// PlannedKnown is false when nothing can be planned (no quantity, or
	// termly provision without a calendar): Planned fields are then zero.
	PlannedKnown     bool
	Planned          int
	PlannedMinutes   int
	Delivered        int
	DeliveredMinutes int
	Missed           int
	MissedMinutes    int
	// ShortfallSessions and ShortfallMinutes are the net shortfall over
	// the window (planned less delivered, never below zero): a catch-up
	// session in a later period makes up for a missed one.
	ShortfallSessions int
	ShortfallMinutes  int
	// PeriodsShort counts the periods in which fewer sessions were
	// delivered than planned.
	PeriodsShort int
	Periods      []Period
	Warnings     []string
}
