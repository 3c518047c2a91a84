package calendar

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/form"
)

// BankHoliday is one England and Wales bank holiday: the day it is kept
// (the substitute day when the holiday itself falls at a weekend) and its
// name.
type BankHoliday struct {
	Date cynllun.Date
	Name string
}

// Limits on a file of bank holidays (ParseBankHolidays).
const (
	// MaxBankHolidaysBytes is the largest file read. GOV.UK's, with three
	// divisions and ten years, is about 20 KB.
	MaxBankHolidaysBytes = 1 << 20
	// England and Wales have had at least eight bank holidays a year since
	// 1978, and more only in a year of a jubilee, a coronation or a state
	// funeral (ten in 2022). A year with fewer than the least is a file cut
	// short, and would wrongly replace that year's shipped data; a year
	// with more than the most is not a list of bank holidays.
	minBankHolidaysPerYear = 8
	maxBankHolidaysPerYear = 15
)

// divisionEW is the GOV.UK division read; the others are ignored.
const divisionEW = "england-and-wales"

// The JSON forms of GOV.UK's file (https://www.gov.uk/bank-holidays.json).
type (
	govukDivision struct {
		Division *string           `json:"division"`
		Events   []json.RawMessage `json:"events"`
	}
	govukEvent struct {
		Title   *string `json:"title"`
		Date    *string `json:"date"`
		Notes   string  `json:"notes"`
		Bunting bool    `json:"bunting"`
	}
)

// ParseBankHolidays reads the England and Wales bank holidays from a file
// in the format GOV.UK publishes at https://www.gov.uk/bank-holidays.json:
// an object keyed by division ("england-and-wales", "scotland",
// "northern-ireland"), each {"division": ..., "events": [{"title",
// "date" (YYYY-MM-DD), "notes", "bunting"}]}. Only "england-and-wales" is
// read; the other divisions are ignored but must be JSON. An event's name
// is its title, with its notes in brackets when it has any ("Boxing Day
// (substitute day)").
//
// The file is checked strictly, and any problem is an error saying what
// and where (never the whole file): the England and Wales division is
// there once, names itself and has events; each event has a title (one
// line, at most 200 characters) and a real date; no date is given twice,
// none is a Saturday or Sunday (a holiday that falls at a weekend is kept
// on a substitute weekday, and that weekday is the one listed); each year
// has from 8 to 15 bank holidays (fewer is a file cut short); the file is
// at most MaxBankHolidaysBytes. Unknown fields are ignored, as GOV.UK may
// add some. The result is sorted by date.
func ParseBankHolidays(data []byte) ([]BankHoliday, error) {
	if len(data) > MaxBankHolidaysBytes {
		return nil, fmt.Errorf("is larger than %d bytes: GOV.UK's file of bank holidays is about 20 KB", MaxBankHolidaysBytes)
	}
	raw, err := divisionOf(data, divisionEW)
	if err != nil {
		return nil, err
	}
	var div govukDivision
	if err := json.Unmarshal(raw, &div); err != nil {
		return nil, fmt.Errorf("%s: %s", divisionEW, jsonProblem(err))
	}
	switch {
	case div.Division == nil:
		return nil, fmt.Errorf("%s: no \"division\": want \"division\": %q", divisionEW, divisionEW)
	case *div.Division != divisionEW:
		return nil, fmt.Errorf("%s: \"division\" is %s, want %q", divisionEW, quote(*div.Division), divisionEW)
	case len(div.Events) == 0:
		return nil, fmt.Errorf("%s: no events", divisionEW)
	}
	out := make([]BankHoliday, 0, len(div.Events))
	for i, rawEvent := range div.Events {
		where := fmt.Sprintf("%s: event %d", divisionEW, i+1)
		var e govukEvent
		if err := json.Unmarshal(rawEvent, &e); err != nil {
			return nil, fmt.Errorf("%s: %s", where, jsonProblem(err))
		}
		if e.Date == nil {
			return nil, fmt.Errorf("%s: no \"date\"", where)
		}
		d, err := cynllun.ParseDate(*e.Date)
		if err != nil {
			return nil, fmt.Errorf("%s: \"date\" %s: %v", where, quote(*e.Date), err)
		}
		where += " (" + d.String() + ")"
		if e.Title == nil {
			return nil, fmt.Errorf("%s: no \"title\"", where)
		}
		if fe := form.CheckName("title", *e.Title, form.MaxShort, true); fe != nil {
			return nil, fmt.Errorf("%s: \"title\" %s", where, fe.Message)
		}
		if fe := form.CheckText("notes", e.Notes, form.MaxShort, false); fe != nil {
			return nil, fmt.Errorf("%s: \"notes\" %s", where, fe.Message)
		}
		name := cynllun.NFC(holidayName(*e.Title, e.Notes))
		if fe := form.CheckText("name", name, form.MaxShort, false); fe != nil {
			return nil, fmt.Errorf("%s: \"title\" and \"notes\" together make a name that %s", where, fe.Message)
		}
		out = append(out, BankHoliday{Date: d, Name: name})
	}
	slices.SortStableFunc(out, func(a, b BankHoliday) int { return compare(a.Date, b.Date) })
	if err := checkBankHolidays(out); err != nil {
		return nil, fmt.Errorf("%s: %v", divisionEW, err)
	}
	perYear := map[int]int{}
	for _, h := range out {
		perYear[h.Date.Year]++
	}
	for _, y := range slices.Sorted(maps.Keys(perYear)) {
		switch n := perYear[y]; {
		case n < minBankHolidaysPerYear:
			return nil, fmt.Errorf("%s: %d has %d bank holidays: England and Wales have had at least %d a year since 1978, so the year is incomplete (the file's years replace the shipped ones, so give every year whole)",
				divisionEW, y, n, minBankHolidaysPerYear)
		case n > maxBankHolidaysPerYear:
			return nil, fmt.Errorf("%s: %d has %d bank holidays: more than %d is not a list of England and Wales bank holidays", divisionEW, y, n, maxBankHolidaysPerYear)
		}
	}
	return out, nil
}

// checkBankHolidays checks bank holidays sorted by date: each has a name
// and a date that is a weekday, and no date is listed twice.
func checkBankHolidays(hs []BankHoliday) error {
	for i, h := range hs {
		if h.Date.IsZero() {
			return fmt.Errorf("bank holiday %d has no date", i+1)
		}
		if strings.TrimSpace(h.Name) == "" {
			return fmt.Errorf("%s: no name", h.Date)
		}
		if wd := h.Date.Weekday(); wd == time.Saturday || wd == time.Sunday {
			return fmt.Errorf("%s (%s) is a %s: an England and Wales bank holiday that falls at a weekend is kept on a substitute weekday, and that is the day to list", h.Date, h.Name, wd)
		}
		if i > 0 {
			switch p := hs[i-1]; {
			case p.Date == h.Date:
				return fmt.Errorf("%s is listed twice (%s; %s)", h.Date, p.Name, h.Name)
			case p.Date.After(h.Date):
				return fmt.Errorf("%s comes after %s: the bank holidays are not sorted", h.Date, p.Date)
			}
		}
	}
	return nil
}

// divisionOf returns the value of the key division in the JSON object
// data, which must be one object, every value JSON, the key once.
func divisionOf(data []byte, division string) (json.RawMessage, error) {
	const want = `want the GOV.UK format, {"england-and-wales": {"division": "england-and-wales", "events": [...]}, ...}`
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, errors.New("is not a JSON object: " + want)
	}
	var found json.RawMessage
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("is not JSON: %s", jsonProblem(err))
		}
		key, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("is not JSON: %s", jsonProblem(err))
		}
		if key != division {
			continue
		}
		if found != nil {
			return nil, fmt.Errorf("has the %q division twice", division)
		}
		found = v
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("is not JSON: %s", jsonProblem(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("has more after the JSON object")
	}
	if found == nil {
		return nil, fmt.Errorf("has no %q division: %s", division, want)
	}
	return found, nil
}

// jsonProblem says what is wrong in a JSON decoding error, in words for
// the person who wrote the file (not Go's names for its types).
func jsonProblem(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		what := "a " + te.Type.Kind().String()
		switch te.Type.Kind() {
		case reflect.Bool:
			what = "true or false"
		case reflect.Slice:
			what = "a list"
		case reflect.Struct, reflect.Map:
			what = "an object"
		case reflect.Pointer:
			what = "a " + te.Type.Elem().Kind().String()
		}
		if te.Field == "" {
			return fmt.Sprintf("is a JSON %s, want %s", te.Value, what)
		}
		field := te.Field[strings.LastIndexByte(te.Field, '.')+1:]
		return fmt.Sprintf("%q is a JSON %s, want %s", field, te.Value, what)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("%v (at byte %d)", se, se.Offset)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return "the JSON ends too soon"
	}
	return err.Error()
}

// holidayName is a bank holiday's name from GOV.UK's title and notes:
// "Boxing Day" and "Substitute day" give "Boxing Day (substitute day)",
// as the shipped data names them.
func holidayName(title, notes string) string {
	title, notes = strings.TrimSpace(title), strings.TrimSpace(notes)
	switch {
	case notes == "":
		return title
	case strings.EqualFold(notes, "substitute day"):
		return title + " (substitute day)"
	}
	return title + " (" + notes + ")"
}

// quote quotes s for an error message, cut to 40 characters.
func quote(s string) string {
	if r := []rune(s); len(r) > 40 {
		return strconv.Quote(string(r[:40])) + "…"
	}
	return strconv.Quote(s)
}
