package service

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cynllun/cynllun"
)

// Cursor is a position in a list sorted by (Key, ID).
type Cursor struct {
	Key string `json:"k"`
	ID  string `json:"i"`
}

// MaxPage is the largest page a list returns.
const MaxPage = 200

// DefaultPage is the page size when a request gives neither first nor last.
const DefaultPage = 50

// MaxCount bounds what a total counts where counting walks a list's index
// entries rather than reading one count: a larger total reads as MaxCount.
const MaxCount = 10_000

// Page asks for one page of a list, in the list's order: the items after
// After and before Before (either may be nil), the First of them, or, when
// Backward, the Last of them (those nearest Before).
type Page struct {
	First, Last   int
	Backward      bool
	After, Before *Cursor
}

// reversed is the same page asked of the list in the reverse order.
func (pg Page) reversed() Page {
	return Page{First: pg.Last, Last: pg.First, Backward: !pg.Backward, After: pg.Before, Before: pg.After}
}

// size is how many items the page holds at most.
func (pg Page) size() int {
	if pg.Backward {
		return pg.Last
	}
	return pg.First
}

// check says whether the page's size is one a list serves.
func (pg Page) check(op string) error {
	field, n := "first", pg.First
	if pg.Backward {
		field, n = "last", pg.Last
	}
	if n < 0 || n > MaxPage {
		return cynllun.Invalid(op, cynllun.FieldError{Field: field, Message: fmt.Sprintf("must be between 0 and %d", MaxPage)})
	}
	return nil
}

// Paged is one page of a list: its items in the list's order, whether items
// follow it (HasNext) and precede it (HasPrev). Paging forward, HasPrev is
// whether the page was asked for after a cursor; paging backward, HasNext is
// whether it was asked for before one (as Relay's connections allow).
type Paged[T any] struct {
	Items            []T
	HasNext, HasPrev bool
}

// reversed is the page of the list in the reverse order.
func (p Paged[T]) reversed() Paged[T] {
	items := slices.Clone(p.Items)
	slices.Reverse(items)
	return Paged[T]{Items: items, HasNext: p.HasPrev, HasPrev: p.HasNext}
}

// paged cuts what a store returned for pg (at most one item more than the
// page, in list order: the extra one after the page going forward, before
// it going backward) to the page.
func paged[T any](pg Page, items []T) Paged[T] {
	n := pg.size()
	out := Paged[T]{Items: items}
	if pg.Backward {
		out.HasNext = pg.Before != nil
		if len(items) > n {
			out.HasPrev = true
			out.Items = items[len(items)-n:]
		}
		return out
	}
	out.HasPrev = pg.After != nil
	if len(items) > n {
		out.HasNext = true
		out.Items = items[:n]
	}
	return out
}

// window pages a list held whole in memory (in its order), whose items'
// positions pos gives: the items strictly between the page's cursors, the
// first or last of them.
func window[T any](pg Page, items []T, pos func(T) Cursor) Paged[T] {
	lo, hi := 0, len(items)
	less := func(a, b Cursor) bool { return a.Key < b.Key || (a.Key == b.Key && a.ID < b.ID) }
	if pg.After != nil {
		for lo < hi && !less(*pg.After, pos(items[lo])) {
			lo++
		}
	}
	if pg.Before != nil {
		for hi > lo && !less(pos(items[hi-1]), *pg.Before) {
			hi--
		}
	}
	in := items[lo:hi]
	n := pg.size()
	if pg.Backward {
		in = in[max(len(in)-n-1, 0):]
	} else {
		in = in[:min(n+1, len(in))]
	}
	return paged(pg, in)
}

// Window pages a list read whole (bounded by what one record holds: a
// learner's events, a case's documents), in the order of its items'
// positions pos.
func Window[T any](op string, pg Page, items []T, pos func(T) Cursor) (Paged[T], error) {
	if err := pg.check(op); err != nil {
		return Paged[T]{}, err
	}
	items = slices.Clone(items)
	slices.SortStableFunc(items, func(a, b T) int {
		pa, pb := pos(a), pos(b)
		if c := strings.Compare(pa.Key, pb.Key); c != 0 {
			return c
		}
		return strings.Compare(pa.ID, pb.ID)
	})
	return window(pg, items, pos), nil
}

// TimeKey is a time as a position's key: fixed width, so keys sort as the
// times do.
func TimeKey(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000000Z") }

// NumberKey is a number (a revision, a version) as a position's key.
func NumberKey(n int) string { return fmt.Sprintf("%010d", n) }
