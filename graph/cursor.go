package graph

import (
	"encoding/base64"
	"encoding/json"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/service"
)

// Cursors are opaque to clients: base64url of a small JSON value that names
// the list it was issued for and the arguments that define that list's
// order (the plan of Plan.versions, the organisation of
// Organisation.deadlines, an orderBy), beside the position itself. A
// cursor that does not decode, or that another list (or the same list
// under other such arguments) issued, is INVALID, naming the argument
// (after or before) that carried it: a position in one order means nothing
// in another, and would otherwise silently skip or repeat items.

// list names a list that issues cursors: a name of its own (one per list
// field) and the arguments that define its order.
type list struct {
	name string
	of   string
}

// listOf is the list name with its order-defining arguments.
func listOf(name string, of ...string) list {
	l := list{name: name}
	for i, s := range of {
		if i > 0 {
			l.of += "\x00"
		}
		l.of += s
	}
	return l
}

// cursor is what a cursor holds.
type cursor struct {
	List string `json:"l"`
	Of   string `json:"o,omitempty"`
	Key  string `json:"k,omitempty"`
	ID   string `json:"i,omitempty"`
}

// maxCursor bounds what is decoded of a cursor.
const maxCursor = 1024

// cursorAt is the cursor of the position (key, id) in list l.
func cursorAt(l list, key, id string) string {
	b, _ := json.Marshal(cursor{List: l.name, Of: l.of, Key: key, ID: id})
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor reads the cursor s given as argument arg of list l; nil for
// none. A cursor that is not one this API issued, or that another list
// issued, is INVALID on arg.
func decodeCursor(op, arg string, l list, s *string) (*service.Cursor, error) {
	if s == nil || *s == "" {
		return nil, nil
	}
	var c cursor
	b, err := base64.RawURLEncoding.DecodeString(*s)
	if err != nil || len(b) > maxCursor || json.Unmarshal(b, &c) != nil || c.List == "" || (c.Key == "" && c.ID == "") {
		return nil, cynllun.Invalid(op, cynllun.FieldError{Field: arg, Message: "is not a cursor this API issued"})
	}
	if c.List != l.name || c.Of != l.of {
		return nil, cynllun.Invalid(op, cynllun.FieldError{Field: arg, Message: "is a cursor of another list: page with the cursors this list returned"})
	}
	return &service.Cursor{Key: c.Key, ID: c.ID}, nil
}

// pageArgs are a connection's paging arguments.
type pageArgs struct {
	first, last   *int
	after, before *string
}

// page reads a connection's paging arguments for list l: the cursors
// decoded and checked against the list, and the default page size when
// neither first nor last is given. The sizes are checked by the service.
func page(op string, l list, a pageArgs) (service.Page, error) {
	var pg service.Page
	var err error
	if pg.After, err = decodeCursor(op, "after", l, a.after); err != nil {
		return pg, err
	}
	if pg.Before, err = decodeCursor(op, "before", l, a.before); err != nil {
		return pg, err
	}
	switch {
	case a.first == nil && a.last == nil:
		pg.First = service.DefaultPage
	case a.first != nil && a.last != nil:
		return pg, cynllun.Invalid(op, cynllun.FieldError{Field: "last", Message: "give first or last, not both"})
	case a.first != nil:
		pg.First = *a.first
	default:
		pg.Last, pg.Backward = *a.last, true
	}
	return pg, nil
}
