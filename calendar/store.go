package calendar

import (
	"context"
	"time"
)

// Stored is one revision of an organisation's own calendar: a local
// authority's defaults, or a school's or FEI's override of them.
// Revisions are immutable and numbered from 1; a save inserts
// Revision = current+1, and a lost race is a CONFLICT.
type Stored struct {
	OrgID     string
	Revision  int
	Calendar  *Calendar
	Comment   string
	CreatedAt time.Time
	CreatedBy string
}

// Store keeps organisations' calendars (the MongoDB adapter implements it).
type Store interface {
	// InsertCalendar appends a revision; CONFLICT (with Current set) when
	// that revision exists.
	InsertCalendar(ctx context.Context, s *Stored) error
	// CalendarsByOrg returns the latest revision of each organisation's
	// calendar found, by organisation id.
	CalendarsByOrg(ctx context.Context, orgIDs []string) (map[string]*Stored, error)
}
