package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/cynllun/cynllun/calendar"
)

// readBankHolidays reads BANK_HOLIDAYS_FILE: the England and Wales bank
// holidays of a file in the format GOV.UK publishes
// (calendar.ParseBankHolidays). The error does not repeat the path.
func readBankHolidays(path string) ([]calendar.BankHoliday, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, withoutPath(err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, calendar.MaxBankHolidaysBytes+1))
	if err != nil {
		return nil, withoutPath(err)
	}
	return calendar.ParseBankHolidays(data)
}

// withoutPath drops the path an *fs.PathError repeats ("open x: no such
// file or directory" → "no such file or directory").
func withoutPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("cannot %s it: %w", pe.Op, pe.Err)
	}
	return err
}

// useBankHolidays puts the configured bank holidays in use for this
// process (calendar.UseBankHolidays: the file's years over the shipped
// ones; none configured, the shipped ones alone), and logs which years it
// has.
func useBankHolidays(ctx context.Context, log *slog.Logger, cfg Config, now time.Time) error {
	if err := calendar.UseBankHolidays(cfg.BankHolidays); err != nil {
		return fmt.Errorf("BANK_HOLIDAYS_FILE: %s: %w", cfg.BankHolidaysFile, err)
	}
	logBankHolidays(ctx, log, cfg.BankHolidaysFile, calendar.BankHolidayYears(), now)
	return nil
}

// logBankHolidays says which years of England and Wales bank holidays the
// process has, and from where: a warning when they do not reach next
// year, since a count of school days or working days that needs a year
// without them is refused (the deadline stays undated).
func logBankHolidays(ctx context.Context, log *slog.Logger, file string, years []int, now time.Time) {
	from := "shipped"
	if file != "" {
		from = "shipped, with BANK_HOLIDAYS_FILE over the years it covers"
	}
	attrs := []any{"years", yearRanges(years), "from", from}
	if file != "" {
		attrs = append(attrs, "file", file)
	}
	if len(years) == 0 {
		log.WarnContext(ctx, "no England and Wales bank holidays: no school days or working days can be counted", attrs...)
		return
	}
	last, next := years[len(years)-1], now.Year()+1
	if last >= next {
		log.InfoContext(ctx, "England and Wales bank holidays", attrs...)
		return
	}
	log.WarnContext(ctx, "the England and Wales bank holidays end in "+strconv.Itoa(last)+
		": counts of school days or working days that reach "+strconv.Itoa(last+1)+" are refused, and their deadlines stay undated, "+
		"until BANK_HOLIDAYS_FILE gives the bank holidays of "+strconv.Itoa(last+1)+" on (GOV.UK publishes them at https://www.gov.uk/bank-holidays.json)",
		attrs...)
}

// yearRanges writes sorted years as ranges: "2021, 2025–2029".
func yearRanges(years []int) string {
	var parts []string
	for i := 0; i < len(years); {
		j := i
		for j+1 < len(years) && years[j+1] == years[j]+1 {
			j++
		}
		if j == i {
			parts = append(parts, strconv.Itoa(years[i]))
		} else {
			parts = append(parts, strconv.Itoa(years[i])+"–"+strconv.Itoa(years[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, ", ")
}
