package quality

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/cynllun/cynllun"
)

// corpusRow is a 2B row of testdata/corpus.json with the row rules it
// should raise.
type corpusRow struct {
	fixtureRow
	Expect []string `json:"expect"`
	Note   string   `json:"note"`
}

type corpusFile struct {
	Note     string            `json:"note"`
	GivenOn  string            `json:"givenOn"`
	Defaults json.RawMessage   `json:"defaults"`
	Rows     []json.RawMessage `json:"rows"`
}

func loadCorpus(t *testing.T) (cynllun.Date, []corpusRow) {
	t.Helper()
	return loadRows(t, "testdata/corpus.json")
}

// loadRows reads a file of labelled 2B rows in the format of corpus.json.
func loadRows(t *testing.T, path string) (cynllun.Date, []corpusRow) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var f corpusFile
	if err := decodeStrict(b, &f); err != nil {
		t.Fatal(err)
	}
	given := cynllun.MustDate(f.GivenOn)
	var defaults any
	if err := json.Unmarshal(f.Defaults, &defaults); err != nil {
		t.Fatal(err)
	}
	var rows []corpusRow
	for i, raw := range f.Rows {
		var patch any
		if err := json.Unmarshal(raw, &patch); err != nil {
			t.Fatalf("row %d: %v", i, err)
		}
		var base any
		_ = json.Unmarshal(f.Defaults, &base)
		merged, _ := json.Marshal(mergePatch(base, patch))
		var r corpusRow
		if err := decodeStrict(merged, &r); err != nil {
			t.Fatalf("row %d: %v", i, err)
		}
		for _, c := range r.Expect {
			if !slices.Contains(rowRules, c) {
				t.Fatalf("row %d expects %s, not a row rule", i, c)
			}
		}
		r.ID = fmt.Sprintf("row_%03d", i+1)
		rows = append(rows, r)
	}
	return given, rows
}

// rowRules are the rules that judge a single 2B row.
var rowRules = []string{
	RuleOutcomeMissing, RuleOutcomeNoMeasure, RuleOutcomeNoTimeframe, RuleProvisionMissing, RuleNoAmount, RuleNoFrequency,
	RuleVague, RuleWelshNotStated, RuleNoProvider, RuleNHSBodyNotNamed, RuleNoStartDate, RuleNoReviewOrEndDate, RuleReviewTooLate,
}

type tally struct{ tp, fp, fn int }

func (s tally) precision() float64 {
	if s.tp+s.fp == 0 {
		return 1
	}
	return float64(s.tp) / float64(s.tp+s.fp)
}

func (s tally) recall() float64 {
	if s.tp+s.fn == 0 {
		return 1
	}
	return float64(s.tp) / float64(s.tp+s.fn)
}

// TestCorpus runs the row rules over the corpus, row by row, and measures
// precision and recall per rule and overall. A row that disagrees with its
// label is logged; the test fails if overall precision or recall falls
// below 0.9.
func TestCorpus(t *testing.T) {
	given, rows := loadCorpus(t)
	if len(rows) < 60 {
		t.Fatalf("corpus has %d rows, want at least 60", len(rows))
	}
	all := score(t, "corpus", given, rows)
	if all.precision() < 0.9 || all.recall() < 0.9 {
		t.Errorf("overall precision %.3f, recall %.3f: want at least 0.9 each", all.precision(), all.recall())
	}
}

// TestFresh runs the row rules over testdata/fresh.json: rows written and
// labelled by someone who had not written the patterns, before the rules
// were run on them (issue 16 item 9). It is the measure of how the rules
// do on text they were not tuned to, so the file is not edited to suit
// them. The test fails if overall precision or recall falls below 0.95.
func TestFresh(t *testing.T) {
	given, rows := loadRows(t, "testdata/fresh.json")
	all := score(t, "fresh", given, rows)
	if all.precision() < 0.95 || all.recall() < 0.95 {
		t.Errorf("overall precision %.3f, recall %.3f: want at least 0.95 each", all.precision(), all.recall())
	}
}

// score runs the row rules over rows, logs each row that disagrees with its
// label and a table of precision and recall per rule, and returns the
// overall tally.
func score(t *testing.T, name string, given cynllun.Date, rows []corpusRow) tally {
	t.Helper()
	per := map[string]*tally{}
	for _, c := range rowRules {
		per[c] = &tally{}
	}
	// all counts every row; heldOut the rows written after the patterns
	// were tuned and never tuned on (note "held out").
	var all, heldOut tally
	langs := map[bool]int{}
	for _, cr := range rows {
		row, err := cr.row()
		if err != nil {
			t.Fatalf("%s: %v", cr.ID, err)
		}
		welsh := cr.WelshMedium != nil && *cr.WelshMedium
		langs[welsh]++
		t.Run(cr.ID, func(t *testing.T) {
			in := PlanInput{Content: &cynllun.Content{Provision: []cynllun.ProvisionRow{row}}, MaintainerKind: cynllun.OrgSchool, GivenOn: given}
			got := map[string]bool{}
			for _, f := range CheckPlan(in) {
				if f.Place.RowID == row.ID {
					got[f.Rule] = true
				}
			}
			want := map[string]bool{}
			for _, c := range cr.Expect {
				want[c] = true
			}
			held := strings.HasPrefix(cr.Note, "held out")
			count := func(f func(*tally)) {
				f(&all)
				if held {
					f(&heldOut)
				}
			}
			var fp, fn []string
			for _, c := range rowRules {
				switch {
				case got[c] && want[c]:
					per[c].tp++
					count(func(s *tally) { s.tp++ })
				case got[c]:
					per[c].fp++
					count(func(s *tally) { s.fp++ })
					fp = append(fp, c)
				case want[c]:
					per[c].fn++
					count(func(s *tally) { s.fn++ })
					fn = append(fn, c)
				}
			}
			if len(fp)+len(fn) > 0 {
				t.Logf("%q (%q): unexpected %v, missed %v", cr.Provision, cr.IntendedOutcome, fp, fn)
			}
		})
	}
	var names []string
	for c, s := range per {
		if s.tp+s.fp+s.fn > 0 {
			names = append(names, c)
		}
	}
	sort.Strings(names)
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d rows (%d Welsh-medium)\n", name, len(rows), langs[true])
	fmt.Fprintf(&b, "%-34s %4s %4s %4s %9s %7s\n", "rule", "TP", "FP", "FN", "precision", "recall")
	for _, c := range names {
		s := per[c]
		fmt.Fprintf(&b, "%-34s %4d %4d %4d %9.3f %7.3f\n", c, s.tp, s.fp, s.fn, s.precision(), s.recall())
	}
	fmt.Fprintf(&b, "%-34s %4d %4d %4d %9.3f %7.3f", "overall", all.tp, all.fp, all.fn, all.precision(), all.recall())
	if heldOut != (tally{}) {
		fmt.Fprintf(&b, "\n%-34s %4d %4d %4d %9.3f %7.3f", "held-out rows only", heldOut.tp, heldOut.fp, heldOut.fn, heldOut.precision(), heldOut.recall())
	}
	t.Log("\n" + b.String())
	return all
}

// TestPrefilterSound: every match of every pattern, in every corpus text,
// contains one of the literals its prefilter looks for.
func TestPrefilterSound(t *testing.T) {
	_, rows := loadCorpus(t)
	seen := map[string]bool{}
	var texts []string
	for _, r := range rows {
		for _, s := range []string{r.Provision, r.IntendedOutcome} {
			rd := read(s)
			for _, x := range []string{rd.text, notMeasure.ReplaceAllString(rd.text, " ")} {
				if !seen[x] {
					seen[x] = true
					texts = append(texts, x)
				}
			}
		}
	}
	all := map[string]patterns{"timeframe": timeframeRE, "measure": measureRE, "notMeasure": notMeasure}
	matched := 0
	for name, ps := range all {
		for _, p := range ps {
			for _, s := range texts {
				for _, m := range p.re.FindAllStringIndex(s, -1) {
					matched++
					if !p.mayMatch(s[m[0]:m[1]]) {
						t.Errorf("%s: %s matches %q but its prefilter %q refuses it", name, p.re, s[m[0]:m[1]], p.need)
					}
				}
			}
		}
	}
	if matched < 500 {
		t.Errorf("only %d matches: the test says little", matched)
	}
	for expr, want := range map[string][]string{
		`\bweekly\b`:              {"weekly"},
		`\b(daily|weekly)\b`:      {"daily", "weekly"},
		`\d`:                      {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"},
		`(^| )awr\b`:              {"awr"},
		`\b(yn )?(dyddiol|misol)`: {"dyddiol", "misol"},
		`[a-z]+`:                  nil,
		`(?i)weekly`:              nil,
	} {
		if got := requiredLiterals(expr); !slices.Equal(got, want) {
			t.Errorf("requiredLiterals(%q) = %q, want %q", expr, got, want)
		}
	}
}
