package graph

import (
	"io"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/cynllun/cynllun"
)

// MarshalDate writes a Date as "YYYY-MM-DD", and the zero Date as null.
func MarshalDate(d cynllun.Date) graphql.Marshaler {
	if d.IsZero() {
		return graphql.Null
	}
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(d.String()))
	})
}

// UnmarshalDate reads a "YYYY-MM-DD" string (years 1900–2199).
func UnmarshalDate(v any) (cynllun.Date, error) {
	if v == nil {
		return cynllun.Date{}, nil
	}
	s, ok := v.(string)
	if !ok {
		return cynllun.Date{}, scalarError("Date must be a string YYYY-MM-DD")
	}
	d, err := cynllun.ParseDate(s)
	if err != nil {
		return cynllun.Date{}, scalarError("Date must be a real calendar date YYYY-MM-DD between 1900 and 2199")
	}
	return d, nil
}

// MarshalTime writes an instant as RFC 3339 in UTC with milliseconds, and
// the zero time as null.
func MarshalTime(t time.Time) graphql.Marshaler {
	if t.IsZero() {
		return graphql.Null
	}
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(t.UTC().Format("2006-01-02T15:04:05.000Z07:00")))
	})
}

// UnmarshalTime reads an RFC 3339 instant.
func UnmarshalTime(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, scalarError("Time must be an RFC 3339 string")
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, scalarError("Time must be an RFC 3339 instant such as 2026-09-01T09:00:00Z")
	}
	if t.Year() < 1900 || t.Year() > 2199 {
		return time.Time{}, scalarError("Time is out of range")
	}
	return t.UTC(), nil
}

// scalarError is an INVALID domain error, so the presenter can tell bad
// input from a failing resolver. The message never repeats the value.
func scalarError(msg string) error {
	return &cynllun.Error{Code: cynllun.CodeInvalid, Op: "graph.scalar", Message: msg}
}

// MarshalConsentEnd writes the end of a consent as an instant (Time).
func MarshalConsentEnd(t time.Time) graphql.Marshaler { return MarshalTime(t) }

// UnmarshalConsentEnd reads when a consent ends: a Date, meaning the end
// of that day in Europe/London (the midnight after it), or an RFC 3339
// instant (issue 17).
func UnmarshalConsentEnd(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, scalarError("ConsentEnd must be a date YYYY-MM-DD or an RFC 3339 instant")
	}
	if len(s) == len("2006-01-02") {
		d, err := cynllun.ParseDate(s)
		if err != nil {
			return time.Time{}, scalarError("ConsentEnd must be a date YYYY-MM-DD or an RFC 3339 instant")
		}
		return cynllun.EndOfDay(d), nil
	}
	t, err := UnmarshalTime(v)
	if err != nil {
		return time.Time{}, scalarError("ConsentEnd must be a date YYYY-MM-DD or an RFC 3339 instant")
	}
	return t, nil
}
