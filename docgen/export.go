package docgen

import (
	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/form"
	"github.com/cynllun/cynllun/ledger"
)

// DateText is a date in words: "7 January 2027" / "7 Ionawr 2027", or
// "Not recorded" for a zero date.
func DateText(d cynllun.Date) form.Text { return dateText(d) }

// PeriodText is "7 September 2026 to 18 December 2026" in both languages.
func PeriodText(from, to cynllun.Date) form.Text { return periodText(from, to) }

// LedgerText reads a row's ledger in two lines, as the meeting record
// prints it: planned, delivered, missed and the shortfall, then the window
// and what to bear in mind reading it.
func LedgerText(s *ledger.RowSummary, from, to cynllun.Date) []form.Text {
	return ledgerText(s, from, to)
}
