package calendar

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/cynllun/cynllun"
)

// data holds the calendars:
//
//	data/bank-holidays.json  England and Wales bank holidays
//	data/la/*.json           LA-wide term dates, one file per set of
//	                         authorities sharing them (one school year or more)
//
//go:embed data
var data embed.FS

// shipped is the embedded data, laid out as data/.
var shipped = func() fs.FS {
	sub, err := fs.Sub(data, "data")
	if err != nil {
		panic(err)
	}
	return sub
}()

// current is the checked data in use: the embedded data, loaded at init,
// with the bank holidays given to UseBankHolidays, if any.
var current atomic.Pointer[store]

func init() {
	s, err := load(shipped, nil)
	if err != nil {
		panic("calendar: embedded data: " + err.Error())
	}
	current.Store(s)
}

// UseBankHolidays makes hs the England and Wales bank holidays of the
// years they cover, in place of the shipped ones of those years; the
// shipped bank holidays of other years stay. hs are usually those of a
// file in GOV.UK's format (ParseBankHolidays, BANK_HOLIDAYS_FILE). From
// then on ForLA, Effective, BankHolidays, IsBankHoliday and
// BankHolidaysCover answer with them. UseBankHolidays(nil) goes back to
// the shipped data alone.
//
// It is meant for a program's start, before it serves: it is safe to call
// while other goroutines read the data, but a calendar already returned
// keeps the bank holidays it was given. hs may be in any order; an error
// (a date twice, a weekend, a holiday without a name) changes nothing.
func UseBankHolidays(hs []BankHoliday) error {
	hs = slices.Clone(hs)
	slices.SortStableFunc(hs, func(a, b BankHoliday) int { return compare(a.Date, b.Date) })
	if err := checkBankHolidays(hs); err != nil {
		return err
	}
	s, err := load(shipped, hs)
	if err != nil {
		return err
	}
	current.Store(s)
	return nil
}

// store is the loaded data.
type store struct {
	holidays []BankHoliday         // sorted
	days     map[cynllun.Date]bool // the dates of holidays
	years    map[int]bool          // the years of holidays
	las      map[string]*Calendar  // by ONS code
}

// mergeBankHolidays returns base with the years extra covers replaced by
// extra's holidays, sorted (both are sorted).
func mergeBankHolidays(base, extra []BankHoliday) []BankHoliday {
	if len(extra) == 0 {
		return base
	}
	replaced := map[int]bool{}
	for _, h := range extra {
		replaced[h.Date.Year] = true
	}
	var out []BankHoliday
	for _, h := range base {
		if !replaced[h.Date.Year] {
			out = append(out, h)
		}
	}
	out = append(out, extra...)
	slices.SortStableFunc(out, func(a, b BankHoliday) int { return compare(a.Date, b.Date) })
	return out
}

// The JSON forms of the files.
type (
	holidaysFile struct {
		Source   string `json:"source"`
		Holidays []struct {
			Date string `json:"date"`
			Name string `json:"name"`
		} `json:"holidays"`
	}
	laFile struct {
		Source      string `json:"source"`
		Authorities []struct {
			ONS  string `json:"ons"`
			Name string `json:"name"`
		} `json:"authorities"`
		Terms []struct {
			Name   string `json:"name"`
			NameCy string `json:"name_cy"`
			Start  string `json:"start"`
			End    string `json:"end"`
		} `json:"terms"`
		Closures []struct {
			From   string `json:"from"`
			To     string `json:"to"`
			Reason string `json:"reason"`
			Note   string `json:"note"`
		} `json:"closures"`
	}
)

// onsLA matches the ONS code of a Welsh unitary authority.
var onsLA = regexp.MustCompile(`^W06[0-9]{6}$`)

// load reads and checks the calendar data in fsys (laid out as data/),
// with the bank holidays of the years extra covers replaced by extra's
// (sorted and checked: see UseBankHolidays).
func load(fsys fs.FS, extra []BankHoliday) (*store, error) {
	s := &store{las: map[string]*Calendar{}, days: map[cynllun.Date]bool{}, years: map[int]bool{}}

	var hf holidaysFile
	if err := decode(fsys, "bank-holidays.json", &hf); err != nil {
		return nil, err
	}
	if strings.TrimSpace(hf.Source) == "" {
		return nil, errors.New("bank-holidays.json: no source")
	}
	for i, h := range hf.Holidays {
		d, err := cynllun.ParseDate(h.Date)
		if err != nil {
			return nil, fmt.Errorf("bank-holidays.json: holiday %d: date %q: %v", i+1, h.Date, err)
		}
		if strings.TrimSpace(h.Name) == "" {
			return nil, fmt.Errorf("bank-holidays.json: %s: no name", d)
		}
		if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
			return nil, fmt.Errorf("bank-holidays.json: %s is a %s", d, wd)
		}
		if n := len(s.holidays); n > 0 && !s.holidays[n-1].Date.Before(d) {
			return nil, fmt.Errorf("bank-holidays.json: %s is not after %s (keep the dates in order, once each)", d, s.holidays[n-1].Date)
		}
		s.holidays = append(s.holidays, BankHoliday{d, h.Name})
	}
	s.holidays = mergeBankHolidays(s.holidays, extra)
	for _, h := range s.holidays {
		s.days[h.Date] = true
		s.years[h.Date.Year] = true
	}

	files, err := fs.Glob(fsys, "la/*.json")
	if err != nil {
		return nil, err
	}
	for _, name := range files {
		if err := s.loadLA(fsys, name); err != nil {
			return nil, err
		}
	}
	for _, ons := range slices.Sorted(maps.Keys(s.las)) {
		if err := s.finish(s.las[ons]); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// loadLA reads one file of LA term dates into s.las.
func (s *store) loadLA(fsys fs.FS, name string) error {
	var f laFile
	if err := decode(fsys, name, &f); err != nil {
		return err
	}
	if strings.TrimSpace(f.Source) == "" {
		return fmt.Errorf("%s: no source", name)
	}
	if len(f.Authorities) == 0 {
		return fmt.Errorf("%s: no authorities", name)
	}
	if len(f.Terms) == 0 {
		return fmt.Errorf("%s: no terms", name)
	}
	var terms []Term
	for i, t := range f.Terms {
		start, err := cynllun.ParseDate(t.Start)
		if err != nil {
			return fmt.Errorf("%s: term %d: start %q: %v", name, i+1, t.Start, err)
		}
		end, err := cynllun.ParseDate(t.End)
		if err != nil {
			return fmt.Errorf("%s: term %d: end %q: %v", name, i+1, t.End, err)
		}
		if strings.TrimSpace(t.Name) == "" || strings.TrimSpace(t.NameCy) == "" {
			return fmt.Errorf("%s: term %d: a term needs a name in English and in Welsh", name, i+1)
		}
		if start.After(end) {
			return fmt.Errorf("%s: %s: starts %s, after its end %s", name, t.Name, start, end)
		}
		if i > 0 && !terms[i-1].End.Before(start) {
			return fmt.Errorf("%s: %s starts %s, not after the end of %s (%s): terms must be in order and not overlap", name, t.Name, start, terms[i-1].Name, terms[i-1].End)
		}
		terms = append(terms, Term{Name: t.Name, NameCy: t.NameCy, Start: start, End: end})
	}
	var closures []Closure
	for i, c := range f.Closures {
		from, err := cynllun.ParseDate(c.From)
		if err != nil {
			return fmt.Errorf("%s: closure %d: from %q: %v", name, i+1, c.From, err)
		}
		to, err := cynllun.ParseDate(c.To)
		if err != nil {
			return fmt.Errorf("%s: closure %d: to %q: %v", name, i+1, c.To, err)
		}
		if from.After(to) {
			return fmt.Errorf("%s: closure %d: from %s is after to %s", name, i+1, from, to)
		}
		r := ClosureReason(c.Reason)
		if !r.valid() {
			return fmt.Errorf("%s: closure %d: unknown reason %q", name, i+1, c.Reason)
		}
		closures = append(closures, Closure{From: from, To: to, Reason: r, Note: c.Note})
	}
	seen := map[string]bool{}
	for _, a := range f.Authorities {
		if !onsLA.MatchString(a.ONS) {
			return fmt.Errorf("%s: %q is not the ONS code of a Welsh authority (W06 and six digits)", name, a.ONS)
		}
		if seen[a.ONS] {
			return fmt.Errorf("%s: %s listed twice", name, a.ONS)
		}
		seen[a.ONS] = true
		if strings.TrimSpace(a.Name) == "" {
			return fmt.Errorf("%s: %s has no name", name, a.ONS)
		}
		c := s.las[a.ONS]
		if c == nil {
			c = &Calendar{ID: "LA-" + a.ONS, Name: a.Name}
			s.las[a.ONS] = c
		} else if c.Name != a.Name {
			return fmt.Errorf("%s: %s is named %q here and %q elsewhere", name, a.ONS, a.Name, c.Name)
		}
		if c.Source == "" {
			c.Source = f.Source
		} else if !strings.Contains(c.Source, f.Source) {
			c.Source += "; " + f.Source
		}
		c.Terms = append(c.Terms, terms...)
		c.Closures = append(c.Closures, closures...)
	}
	return nil
}

// finish checks a calendar gathered from all its files and adds its bank
// holidays.
func (s *store) finish(c *Calendar) error {
	slices.SortStableFunc(c.Terms, func(a, b Term) int { return compare(a.Start, b.Start) })
	for i := 1; i < len(c.Terms); i++ {
		if p, t := c.Terms[i-1], c.Terms[i]; !p.End.Before(t.Start) {
			return fmt.Errorf("%s: %s (%s to %s) overlaps %s (%s to %s)", c.ID, t.Name, t.Start, t.End, p.Name, p.Start, p.End)
		}
	}
	from, to, _ := c.coverage()
	for _, cl := range c.Closures {
		if cl.From.Before(from) || cl.To.After(to) {
			return fmt.Errorf("%s: closure %s to %s (%s) is outside the calendar's range %s to %s", c.ID, cl.From, cl.To, cl.Reason, from, to)
		}
	}
	for _, h := range s.holidays {
		if _, ok := c.TermOf(h.Date); ok {
			c.Closures = append(c.Closures, Closure{From: h.Date, To: h.Date, Reason: ReasonBankHoliday, Note: h.Name})
		}
	}
	slices.SortStableFunc(c.Closures, func(a, b Closure) int {
		if n := compare(a.From, b.From); n != 0 {
			return n
		}
		return compare(a.To, b.To)
	})
	return nil
}

// decode reads the JSON file name from fsys into v, strictly.
func decode(fsys fs.FS, name string, v any) error {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%s: %v", name, err)
	}
	if dec.More() {
		return fmt.Errorf("%s: data after the JSON value", name)
	}
	return nil
}

func compare(a, b cynllun.Date) int {
	return a.Time().Compare(b.Time())
}
