package app

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/calendar"
)

// govuk2029 is a file in GOV.UK's format with England and Wales bank
// holidays for 2029, made up by the rules that give them (a fixture, not
// published data), and a Scotland division that is ignored.
const govuk2029 = `{"england-and-wales": {"division": "england-and-wales", "events": [
{"title": "New Year’s Day", "date": "2029-01-01", "notes": "", "bunting": true},
{"title": "Good Friday", "date": "2029-03-30", "notes": "", "bunting": false},
{"title": "Easter Monday", "date": "2029-04-02", "notes": "", "bunting": true},
{"title": "Early May bank holiday", "date": "2029-05-07", "notes": "", "bunting": true},
{"title": "Spring bank holiday", "date": "2029-05-28", "notes": "", "bunting": true},
{"title": "Summer bank holiday", "date": "2029-08-27", "notes": "", "bunting": true},
{"title": "Christmas Day", "date": "2029-12-25", "notes": "", "bunting": true},
{"title": "Boxing Day", "date": "2029-12-26", "notes": "", "bunting": true}]},
"scotland": {"division": "scotland", "events": []}}`

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestBankHolidaysFile(t *testing.T) {
	c, err := FromEnv(env(nil), false)
	if err != nil || c.BankHolidays != nil || c.BankHolidaysFile != "" {
		t.Fatalf("unset: %v, %v, %q", err, c.BankHolidays, c.BankHolidaysFile)
	}
	path := writeFile(t, "bank-holidays.json", govuk2029)
	c, err = FromEnv(env(map[string]string{"BANK_HOLIDAYS_FILE": path}), false)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.BankHolidays) != 8 || c.BankHolidays[0].Date != cynllun.MustDate("2029-01-01") || c.BankHolidaysFile != path {
		t.Fatalf("read %+v from %q", c.BankHolidays, c.BankHolidaysFile)
	}
}

// A bad BANK_HOLIDAYS_FILE stops the programs starting (cmd/cynllun exits
// on FromEnv's error, before anything is opened), with an error naming the
// setting, the file and what is wrong with it.
func TestBadBankHolidaysFileStopsStartup(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, body, want string
	}{
		{"not JSON", "Date,Title\n2029-01-01,New Year's Day\n", "is not a JSON object"},
		{"the web page", "<!DOCTYPE html><html><body>UK bank holidays</body></html>", "is not a JSON object"},
		{"no England and Wales", `{"scotland": {"division": "scotland", "events": []}}`, `no "england-and-wales" division`},
		{"on a Saturday", strings.Replace(govuk2029, "2029-12-26", "2029-12-29", 1), "2029-12-29 (Boxing Day) is a Saturday"},
		{"a date twice", strings.Replace(govuk2029, "2029-12-26", "2029-12-25", 1), "2029-12-25 is listed twice"},
		{"a bad date", strings.Replace(govuk2029, "2029-12-26", "26/12/2029", 1), `event 8: "date" "26/12/2029": must be a date in the form YYYY-MM-DD`},
		{"an event without a date", strings.Replace(govuk2029, `"date": "2029-12-26", `, ``, 1), `event 8: no "date"`},
		{"a year cut short", strings.Replace(govuk2029, `,
{"title": "Boxing Day", "date": "2029-12-26", "notes": "", "bunting": true}`, ``, 1), "2029 has 7 bank holidays"},
		{"a title that is a number", strings.Replace(govuk2029, `"Boxing Day"`, `26`, 1), `event 8: "title" is a JSON number, want a string`},
		{"too large", govuk2029 + strings.Repeat(" ", calendar.MaxBankHolidaysBytes), "is larger than"},
	} {
		path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".json")
		if err := os.WriteFile(path, []byte(tc.body), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := FromEnv(env(map[string]string{"BANK_HOLIDAYS_FILE": path}), false)
		if err == nil {
			t.Errorf("%s: accepted", tc.name)
			continue
		}
		t.Log(err)
		if prefix := "BANK_HOLIDAYS_FILE: " + path + ": "; !strings.HasPrefix(err.Error(), prefix) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v\nwant %q then %q", tc.name, err, prefix, tc.want)
		}
	}
	for _, tc := range []struct{ name, path, want string }{
		{"no such file", filepath.Join(dir, "missing.json"), "cannot open it: no such file or directory"},
		{"a directory", dir, "cannot read it: is a directory"},
	} {
		_, err := FromEnv(env(map[string]string{"BANK_HOLIDAYS_FILE": tc.path}), false)
		if err == nil || err.Error() != "BANK_HOLIDAYS_FILE: "+tc.path+": "+tc.want {
			t.Errorf("%s: %v; want %q", tc.name, err, tc.want)
		}
	}
}

// Open, which the API, the worker and dev mode all start with, puts the
// file's bank holidays in use and says which years it has; a program
// opened without the setting has the shipped ones alone.
func TestOpenUsesBankHolidaysFile(t *testing.T) {
	t.Cleanup(func() {
		if err := calendar.UseBankHolidays(nil); err != nil {
			t.Fatal(err)
		}
	})
	open := func(vars map[string]string) string {
		t.Helper()
		vars["CYNLLUN_DATA_DIR"] = t.TempDir()
		cfg, err := FromEnv(env(vars), false)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		ctx := context.Background()
		p, err := Open(ctx, cfg, slog.New(slog.NewTextHandler(&buf, nil)), false)
		if err != nil {
			t.Fatal(err)
		}
		p.Close(ctx)
		for l := range strings.Lines(buf.String()) {
			if strings.Contains(l, "England and Wales bank holidays") {
				return l
			}
		}
		t.Fatalf("nothing logged about the bank holidays:\n%s", buf.String())
		return ""
	}
	path := writeFile(t, "bank-holidays.json", govuk2029)
	line := open(map[string]string{"BANK_HOLIDAYS_FILE": path})
	if !calendar.BankHolidaysCover(2029) || !calendar.IsBankHoliday(cynllun.MustDate("2029-05-28")) || !calendar.BankHolidaysCover(2027) {
		t.Errorf("the file's 2029 is not in use beside the shipped years: %v", calendar.BankHolidayYears())
	}
	if !strings.Contains(line, "years=2025–2029") || !strings.Contains(line, "file="+path) {
		t.Errorf("logged %q", line)
	}

	line = open(map[string]string{})
	if calendar.BankHolidaysCover(2029) {
		t.Error("opened without the file, 2029 is still in use")
	}
	if !strings.Contains(line, "from=shipped") || strings.Contains(line, "file=") {
		t.Errorf("logged %q", line)
	}
}

// When the bank holidays do not reach next year the log warns, naming the
// last year and the setting that adds more.
func TestLogBankHolidays(t *testing.T) {
	years := []int{2025, 2026, 2027, 2028}
	for _, tc := range []struct {
		now  string
		want []string
	}{
		{"2027-12-07", []string{"level=INFO", `msg="England and Wales bank holidays"`, "years=2025–2028", "from=shipped"}},
		{"2028-01-02", []string{"level=WARN", "end in 2028", "that reach 2029 are refused", "deadlines stay undated",
			"BANK_HOLIDAYS_FILE gives the bank holidays of 2029 on", "https://www.gov.uk/bank-holidays.json", "years=2025–2028"}},
		{"2030-06-01", []string{"level=WARN", "end in 2028"}},
	} {
		var buf bytes.Buffer
		now, _ := time.Parse(time.DateOnly, tc.now)
		logBankHolidays(context.Background(), slog.New(slog.NewTextHandler(&buf, nil)), "", years, now)
		for _, w := range tc.want {
			if !strings.Contains(buf.String(), w) {
				t.Errorf("%s: no %q in %q", tc.now, w, buf.String())
			}
		}
	}
	for _, tc := range []struct {
		years []int
		want  string
	}{
		{nil, ""}, {[]int{2028}, "2028"}, {[]int{2021, 2025, 2026, 2027, 2028, 2029}, "2021, 2025–2029"}, {[]int{2019, 2020, 2022}, "2019–2020, 2022"},
	} {
		if got := yearRanges(tc.years); got != tc.want {
			t.Errorf("yearRanges(%v) = %q, want %q", tc.years, got, tc.want)
		}
	}
}
