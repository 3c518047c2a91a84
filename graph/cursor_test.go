package graph

import (
	"bytes"
	"errors"
	"testing"

	"github.com/cynllun/cynllun"
)

func TestCursorsRoundTrip(t *testing.T) {
	l := listOf("learners")
	c, err := decodeCursor("t", "after", l, ptr(cursorAt(l, "llywelyn\x00sion", "lrn_1")))
	if err != nil || c.Key != "llywelyn\x00sion" || c.ID != "lrn_1" {
		t.Fatalf("cursor: %+v %v", c, err)
	}
	for _, bad := range []string{"%%%", "bm90IGpzb24", "e30", "eyJrIjoiYSJ9", cursorAt(list{}, "a", "b"), cursorAt(l, "", "")} {
		if _, err := decodeCursor("t", "after", l, ptr(bad)); cynllun.ErrorCode(err) != cynllun.CodeInvalid {
			t.Errorf("decodeCursor(%q) = %v, want INVALID", bad, err)
		}
	}
}

// TestCursorsBoundToTheirList: a cursor is accepted only by the list that
// issued it, under the same order-defining arguments; any other is INVALID
// on the argument that carried it.
func TestCursorsBoundToTheirList(t *testing.T) {
	issued := listOf("organisation.deadlines", "org_a", "DUE_SOONEST")
	cur := cursorAt(issued, "2027-01-25", "ddl_1")
	for _, tt := range []struct {
		name string
		l    list
		ok   bool
	}{
		{"the same list", listOf("organisation.deadlines", "org_a", "DUE_SOONEST"), true},
		{"another organisation", listOf("organisation.deadlines", "org_b", "DUE_SOONEST"), false},
		{"another order", listOf("organisation.deadlines", "org_a", "DUE_LATEST"), false},
		{"another list", listOf("deadlines", "DUE_SOONEST"), false},
		{"a list of learners", listOf("learners"), false},
		// The arguments are kept apart: ("a", "bc") is not ("ab", "c").
		{"arguments run together", listOf("organisation.deadlines", "org_aDUE_SOONEST"), false},
	} {
		for _, arg := range []string{"after", "before"} {
			c, err := decodeCursor("t", arg, tt.l, &cur)
			if tt.ok {
				if err != nil || c.Key != "2027-01-25" || c.ID != "ddl_1" {
					t.Errorf("%s (%s): %+v, %v", tt.name, arg, c, err)
				}
				continue
			}
			var e *cynllun.Error
			if !errors.As(err, &e) || e.Code != cynllun.CodeInvalid || len(e.Fields) != 1 || e.Fields[0].Field != arg {
				t.Errorf("%s (%s): %v, want INVALID on %s", tt.name, arg, err, arg)
			}
		}
	}
}

// TestPageArgs: the default page, first or last (not both), and the
// cursors of the list.
func TestPageArgs(t *testing.T) {
	l := listOf("learners")
	two, three := 2, 3
	pg, err := page("t", l, pageArgs{})
	if err != nil || pg.First != 50 || pg.Backward {
		t.Fatalf("default page: %+v %v", pg, err)
	}
	pg, err = page("t", l, pageArgs{last: &three, before: ptr(cursorAt(l, "k", "i"))})
	if err != nil || pg.Last != 3 || !pg.Backward || pg.Before == nil || pg.Before.ID != "i" || pg.After != nil {
		t.Fatalf("last/before: %+v %v", pg, err)
	}
	if _, err := page("t", l, pageArgs{first: &two, last: &three}); cynllun.ErrorCode(err) != cynllun.CodeInvalid {
		t.Fatalf("first and last: %v", err)
	}
	if _, err := page("t", l, pageArgs{first: &two, after: ptr(cursorAt(listOf("organisations"), "k", "i"))}); cynllun.ErrorCode(err) != cynllun.CodeInvalid {
		t.Fatalf("an organisations cursor for learners: %v", err)
	}
}

func ptr(s string) *string { return &s }

// FuzzCursors: cursors come from clients; decoding never panics and any
// failure is INVALID.
func FuzzCursors(f *testing.F) {
	f.Add(cursorAt(listOf("learners"), "a", "b"))
	f.Add(cursorAt(listOf("plan.versions", "pln_1"), "3", ""))
	f.Add("")
	f.Add("eyJuIjoiLTEifQ")
	f.Fuzz(func(t *testing.T, s string) {
		for _, l := range []list{listOf("learners"), listOf("plan.versions", "pln_1")} {
			if _, err := decodeCursor("f", "after", l, &s); err != nil && cynllun.ErrorCode(err) != cynllun.CodeInvalid {
				t.Fatalf("error code %s", cynllun.ErrorCode(err))
			}
		}
	})
}

func TestScalars(t *testing.T) {
	var b bytes.Buffer
	MarshalDate(cynllun.MustDate("2017-03-01")).MarshalGQL(&b)
	if b.String() != `"2017-03-01"` {
		t.Fatalf("MarshalDate = %s", b.String())
	}
	b.Reset()
	MarshalDate(cynllun.Date{}).MarshalGQL(&b)
	if b.String() != "null" {
		t.Fatalf("zero date = %s", b.String())
	}
	for _, bad := range []any{"2017-02-30", 20170301, "1800-01-01", "yesterday"} {
		if _, err := UnmarshalDate(bad); err == nil {
			t.Errorf("UnmarshalDate(%v) accepted", bad)
		}
	}
	if _, err := UnmarshalTime("2026-11-22T10:00:00Z"); err != nil {
		t.Fatal(err)
	}
	if _, err := UnmarshalTime("22/11/2026"); err == nil {
		t.Fatal("accepted a non-RFC 3339 time")
	}
}

func FuzzUnmarshalDate(f *testing.F) {
	f.Add("2017-03-01")
	f.Add("2017-13-01")
	f.Fuzz(func(t *testing.T, s string) {
		d, err := UnmarshalDate(s)
		if err == nil && d.String() != s {
			t.Fatalf("UnmarshalDate(%q) = %s", s, d)
		}
	})
}
