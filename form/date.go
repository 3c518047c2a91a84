package form

import (
	"fmt"
	"time"

	"github.com/cynllun/cynllun"
)

// monthsCY are the months in Welsh, January first.
var monthsCY = [...]string{"Ionawr", "Chwefror", "Mawrth", "Ebrill", "Mai", "Mehefin",
	"Gorffennaf", "Awst", "Medi", "Hydref", "Tachwedd", "Rhagfyr"}

// DateText writes a date out in both languages, as documents, notices and
// change summaries print it: "3 November 2026" / "3 Tachwedd 2026". A zero
// or malformed date is empty. This is the one place dates are put into
// words (docgen, notify and Diff use it).
func DateText(d cynllun.Date) Text {
	if d.IsZero() || d.Month < time.January || d.Month > time.December {
		return Text{}
	}
	return Text{
		EN: fmt.Sprintf("%d %s %d", d.Day, d.Month, d.Year),
		CY: fmt.Sprintf("%d %s %d", d.Day, monthsCY[d.Month-1], d.Year),
	}
}
