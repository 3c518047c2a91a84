package cynllun

import (
	"strings"
	"time"
)

// Caseloads: the cases and the reviews a member of staff or an officer has
// before them, across their settings or their LA (a family: their child's).

// WorkOrder orders a caseload list.
type WorkOrder string

const (
	// OrderOpenFirst lists the open ones first, the longest open first,
	// then the others, the latest opened first.
	OrderOpenFirst WorkOrder = "OPEN_FIRST"
	// OrderNewest lists the latest opened first.
	OrderNewest WorkOrder = "NEWEST"
	// OrderOldest lists the earliest opened first.
	OrderOldest WorkOrder = "OLDEST"
)

// WorkQuery lists the cases or the reviews of Scope in Order: those whose
// keys (WorkKey) lie strictly between After and Before ("": unbounded), the
// first Limit of them, or with Last the last Limit (returned in list order
// all the same).
type WorkQuery struct {
	Scope         Scope
	Order         WorkOrder
	After, Before string
	Last          bool
	Limit         int
}

// IsOpen says whether a case is still open: not RESOLVED, WITHDRAWN or
// CLOSED.
func (c *Case) IsOpen() bool { return !c.Status.Final() }

// IsOpen says whether a review is still to be decided or held: REQUESTED
// or OPEN.
func (r *Review) IsOpen() bool { return r.Status == ReviewRequested || r.Status == ReviewOpen }

// workTime is the fixed-width form of a time in a WorkKey.
const workTime = "2006-01-02T15:04:05.000000000Z"

// WorkKey is the place in a caseload list in order o of the case or review
// id, open or not, opened at at: keys sort as the list does. Open-first
// keys start with "0" for open ones (earliest first) and "1" for the others
// (latest first); newest-first keys count time backwards.
func WorkKey(o WorkOrder, open bool, at time.Time, id string) string {
	t := at.UTC().Format(workTime)
	switch o {
	case OrderNewest:
		return invertDigits(t) + "\x00" + id
	case OrderOldest:
		return t + "\x00" + id
	}
	if open {
		return "0" + t + "\x00" + id
	}
	return "1" + invertDigits(t) + "\x00" + id
}

// invertDigits maps each digit d to 9-d, so that fixed-width times sort
// latest first.
func invertDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return '9' - r + '0'
		}
		return r
	}, s)
}

// InvertDigits is invertDigits, for the store's partitions of a list.
func InvertDigits(s string) string { return invertDigits(s) }
