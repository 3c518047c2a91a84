package ledger

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/calendar"
)

// The Cardiff 2025–26 calendar (domain.md §2.6 [R65]), used throughout:
//
//	Autumn 1 Sep–19 Dec 2025, half term 27–31 Oct
//	Spring 5 Jan–27 Mar 2026, half term 16–20 Feb
//	Summer 13 Apr–20 Jul 2026, half term 25–29 May; bank holidays 4 May, 25 May
//	covers 1 Aug 2025 to 31 Jul 2026

var d = cynllun.MustDate

func qty(sessions, minutes int, per cynllun.Period) *cynllun.Quantity {
	return &cynllun.Quantity{Sessions: sessions, MinutesPerSession: minutes, Per: per, GroupSize: 1}
}

func row(id, start string, kind cynllun.DateKind, end string, q *cynllun.Quantity) *cynllun.ProvisionRow {
	r := &cynllun.ProvisionRow{ID: id, DateKind: kind, Quantity: q}
	if start != "" {
		r.StartDate = d(start)
	}
	if end != "" {
		r.ReviewOrEndDate = d(end)
	}
	return r
}

func entry(rowID, date string, minutes int, status cynllun.SessionStatus) cynllun.Session {
	return cynllun.Session{ID: rowID + "/" + date, RowID: rowID, Date: d(date), Minutes: minutes, Status: status}
}

func del(rowID, date string, minutes int) cynllun.Session {
	return entry(rowID, date, minutes, cynllun.SessionDelivered)
}

func miss(rowID, date string, minutes int) cynllun.Session {
	s := entry(rowID, date, minutes, cynllun.SessionMissed)
	s.Reason = cynllun.MissedLearnerAbsent
	return s
}

func voided(s cynllun.Session) cynllun.Session {
	s.VoidedAt = time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	s.VoidReason = "entered against the wrong learner"
	return s
}

// p is a Period written out in full: planned, delivered, missed, shortfall
// (sessions then minutes).
func p(from, to string, planned, plannedMin, delivered, deliveredMin, missed, missedMin, shortS, shortM int) Period {
	return Period{
		From: d(from), To: d(to),
		Planned: planned, PlannedMinutes: plannedMin,
		Delivered: delivered, DeliveredMinutes: deliveredMin,
		Missed: missed, MissedMinutes: missedMin,
		ShortfallSessions: shortS, ShortfallMinutes: shortM,
	}
}

// The weekly case: 2 × 30 minutes a week over the autumn term.
var (
	weeklyRow      = row("R1", "2025-07-01", cynllun.DateReview, "2026-03-01", qty(2, 30, cynllun.PerWeek))
	weeklySessions = []cynllun.Session{
		del("R1", "2025-09-02", 30), del("R1", "2025-09-04", 30), // week of 1 Sep: 2 of 2
		del("R1", "2025-09-09", 30), miss("R1", "2025-09-11", 30), // week of 8 Sep: 1 of 2, 1 missed
		voided(del("R1", "2025-09-10", 30)),                                                   // voided: nothing
		del("R2", "2025-09-12", 30),                                                           // another row: nothing
		del("R1", "2025-09-16", 30), del("R1", "2025-09-18", 30), del("R1", "2025-09-19", 30), // week of 15 Sep: 3 (one a catch-up)
		miss("R1", "2025-09-23", 30), miss("R1", "2025-09-25", 30), // week of 22 Sep: 0 of 2, 2 missed
		del("R1", "2025-10-29", 30), // in half term: no period with a calendar
		del("R1", "2025-12-17", 20), // week of 15 Dec: 1 short session
		del("R1", "2025-12-20", 30), // Saturday after the window: not in [from, to]
	}
)

func TestSummarise(t *testing.T) {
	cardiff := calendar.ForLA("W06000015")
	for _, tc := range []struct {
		name     string
		row      *cynllun.ProvisionRow
		sessions []cynllun.Session
		from, to string
		cal      *calendar.Calendar
		want     RowSummary
	}{
		{
			// Weeks (Mon–Sun) meeting 1 Sep–19 Dec 2025: the 16 Mondays
			// 1, 8, 15, 22, 29 Sep; 6, 13, 20, 27 Oct; 3, 10, 17, 24 Nov;
			// 1, 8, 15 Dec. The week of 27 Oct is half term (no school
			// day): no period. The week of 15 Dec is clipped to 15–19 Dec.
			// 15 periods × 2 = 30 sessions, × 60 = 900 minutes.
			// The review date (1 Mar 2026) does not clip.
			// Delivered: 2, 4, 9, 16, 18, 19 Sep, 29 Oct (half term, totals
			// only), 17 Dec = 8 sessions; 7 × 30 + 20 = 230 minutes.
			// Missed: 11, 23, 25 Sep = 3, 90 minutes.
			// Shortfall 30 − 8 = 22 sessions; 900 − 230 = 670 minutes.
			// Periods short: all but weeks of 1 Sep (2) and 15 Sep (3) = 13.
			name: "weekly over autumn with calendar", row: weeklyRow, sessions: weeklySessions,
			from: "2025-09-01", to: "2025-12-19", cal: cardiff,
			want: RowSummary{
				RowID: "R1", Quantity: qty(2, 30, cynllun.PerWeek),
				From: d("2025-09-01"), To: d("2025-12-19"), Basis: BasisTermCalendar, PlannedKnown: true,
				Planned: 30, PlannedMinutes: 900, Delivered: 8, DeliveredMinutes: 230, Missed: 3, MissedMinutes: 90,
				ShortfallSessions: 22, ShortfallMinutes: 670, PeriodsShort: 13,
				Periods: []Period{
					p("2025-09-01", "2025-09-07", 2, 60, 2, 60, 0, 0, 0, 0),
					p("2025-09-08", "2025-09-14", 2, 60, 1, 30, 1, 30, 1, 30),
					p("2025-09-15", "2025-09-21", 2, 60, 3, 90, 0, 0, 0, 0),
					p("2025-09-22", "2025-09-28", 2, 60, 0, 0, 2, 60, 2, 60),
					p("2025-09-29", "2025-10-05", 2, 60, 0, 0, 0, 0, 2, 60),
					p("2025-10-06", "2025-10-12", 2, 60, 0, 0, 0, 0, 2, 60),
					p("2025-10-13", "2025-10-19", 2, 60, 0, 0, 0, 0, 2, 60),
					p("2025-10-20", "2025-10-26", 2, 60, 0, 0, 0, 0, 2, 60),
					// 27 Oct – 2 Nov: half term, no period
					p("2025-11-03", "2025-11-09", 2, 60, 0, 0, 0, 0, 2, 60),
					p("2025-11-10", "2025-11-16", 2, 60, 0, 0, 0, 0, 2, 60),
					p("2025-11-17", "2025-11-23", 2, 60, 0, 0, 0, 0, 2, 60),
					p("2025-11-24", "2025-11-30", 2, 60, 0, 0, 0, 0, 2, 60),
					p("2025-12-01", "2025-12-07", 2, 60, 0, 0, 0, 0, 2, 60),
					p("2025-12-08", "2025-12-14", 2, 60, 0, 0, 0, 0, 2, 60),
					p("2025-12-15", "2025-12-19", 2, 60, 1, 20, 0, 0, 1, 40),
				},
			},
		},
		{
			// The same without a calendar: every Mon–Fri counts, so the
			// half-term week is a period too (16 periods): planned 32,
			// 960 minutes; it holds the 29 Oct session (1 of 2, short 1/30).
			// Delivered 8/230 and missed 3/90 as before.
			// Shortfall 32 − 8 = 24; 960 − 230 = 730. Periods short 13 + 1 = 14.
			name: "weekly over autumn without calendar", row: weeklyRow, sessions: weeklySessions,
			from: "2025-09-01", to: "2025-12-19", cal: nil,
			want: RowSummary{
				RowID: "R1", Quantity: qty(2, 30, cynllun.PerWeek),
				From: d("2025-09-01"), To: d("2025-12-19"), Basis: BasisWeekdays, PlannedKnown: true,
				Planned: 32, PlannedMinutes: 960, Delivered: 8, DeliveredMinutes: 230, Missed: 3, MissedMinutes: 90,
				ShortfallSessions: 24, ShortfallMinutes: 730, PeriodsShort: 14,
				Periods: []Period{
					p("2025-09-01", "2025-09-07", 2, 60, 2, 60, 0, 0, 0, 0),
					p("2025-09-08", "2025-09-14", 2, 60, 1, 30, 1, 30, 1, 30),
					p("2025-09-15", "2025-09-21", 2, 60, 3, 90, 0, 0, 0, 0),
					p("2025-09-22", "2025-09-28", 2, 60, 0, 0, 2, 60, 2, 60),
					p("2025-09-29", "2025-10-05", 2, 60, 0, 0, 0, 0, 2, 60),
					p("2025-10-06", "2025-10-12", 2, 60, 0, 0, 0, 0, 2, 60),
					p("2025-10-13", "2025-10-19", 2, 60, 0, 0, 0, 0, 2, 60),
					p("2025-10-20", "2025-10-26", 2, 60, 0, 0, 0, 0, 2, 60),
					p("2025-10-27", "2025-11-02", 2, 60, 1, 30, 0, 0, 1, 30), // half term counted
					p("2025-11-03", "2025-11-09", 2, 60, 0, 0, 0, 0, 2, 60),
					p("2025-11-10", "2025-11-16", 2, 60, 0, 0, 0, 0, 2, 60),
					p("2025-11-17", "2025-11-23", 2, 60, 0, 0, 0, 0, 2, 60),
					p("2025-11-24", "2025-11-30", 2, 60, 0, 0, 0, 0, 2, 60),
					p("2025-12-01", "2025-12-07", 2, 60, 0, 0, 0, 0, 2, 60),
					p("2025-12-08", "2025-12-14", 2, 60, 0, 0, 0, 0, 2, 60),
					p("2025-12-15", "2025-12-19", 2, 60, 1, 20, 0, 0, 1, 40),
				},
				Warnings: []string{WarnNoCalendar},
			},
		},
		{
			// 1 × 45 a fortnight from Wed 3 Sep 2025: fortnights start on
			// Monday 1 Sep and every 14 days: ... 24 Nov, 8 Dec, 22 Dec,
			// 5 Jan, 19 Jan. Window 1 Dec–18 Jan:
			//   24 Nov–7 Dec clipped to 1–7 Dec (school 1–5 Dec): period
			//   8–21 Dec (school 8–19 Dec): period
			//   22 Dec–4 Jan: Christmas holiday, no school day: no period
			//   5–18 Jan: period
			// Planned 3 × 1 = 3, 135 minutes.
			// 3 Dec delivered; 10 Dec missed; 22 Dec delivered (holiday,
			// totals only); 7 and 14 Jan delivered (a catch-up).
			// Delivered 4, 180 minutes; missed 1, 45.
			// Periods: 1/45 (short 0), 0/0 with 1 missed (short 1/45),
			// 2/90 (short 0). Net shortfall max(0, 3 − 4) = 0,
			// max(0, 135 − 180) = 0. Periods short: 1.
			name: "fortnightly across Christmas",
			row:  row("F", "2025-09-03", cynllun.DateReview, "2026-09-01", qty(1, 45, cynllun.PerFortnight)),
			sessions: []cynllun.Session{
				del("F", "2025-12-03", 45), miss("F", "2025-12-10", 45), del("F", "2025-12-22", 45),
				del("F", "2026-01-07", 45), del("F", "2026-01-14", 45),
			},
			from: "2025-12-01", to: "2026-01-18", cal: cardiff,
			want: RowSummary{
				RowID: "F", Quantity: qty(1, 45, cynllun.PerFortnight),
				From: d("2025-12-01"), To: d("2026-01-18"), Basis: BasisTermCalendar, PlannedKnown: true,
				Planned: 3, PlannedMinutes: 135, Delivered: 4, DeliveredMinutes: 180, Missed: 1, MissedMinutes: 45,
				ShortfallSessions: 0, ShortfallMinutes: 0, PeriodsShort: 1,
				Periods: []Period{
					p("2025-12-01", "2025-12-07", 1, 45, 1, 45, 0, 0, 0, 0),
					p("2025-12-08", "2025-12-21", 1, 45, 0, 0, 1, 45, 1, 45),
					p("2026-01-05", "2026-01-18", 1, 45, 2, 90, 0, 0, 0, 0),
				},
			},
		},
		{
			// The same sessions, no start date, window from Wed 3 Dec:
			// fortnights start on Monday 1 Dec (the week of from):
			//   1–14 Dec clipped to 3–14 Dec: 3 Dec delivered, 10 Dec missed
			//   15–28 Dec (school 15–19 Dec): 22 Dec delivered
			//   29 Dec–11 Jan (school 5–9 Jan): 7 Jan delivered
			//   12–25 Jan clipped to 12–18 Jan: 14 Jan delivered
			// Planned 4, 180; delivered 4, 180; missed 1, 45; no shortfall.
			name: "fortnightly anchored on from",
			row:  row("F", "", cynllun.DateReview, "", qty(1, 45, cynllun.PerFortnight)),
			sessions: []cynllun.Session{
				del("F", "2025-12-03", 45), miss("F", "2025-12-10", 45), del("F", "2025-12-22", 45),
				del("F", "2026-01-07", 45), del("F", "2026-01-14", 45),
			},
			from: "2025-12-03", to: "2026-01-18", cal: cardiff,
			want: RowSummary{
				RowID: "F", Quantity: qty(1, 45, cynllun.PerFortnight),
				From: d("2025-12-03"), To: d("2026-01-18"), Basis: BasisTermCalendar, PlannedKnown: true,
				Planned: 4, PlannedMinutes: 180, Delivered: 4, DeliveredMinutes: 180, Missed: 1, MissedMinutes: 45,
				Periods: []Period{
					p("2025-12-03", "2025-12-14", 1, 45, 1, 45, 1, 45, 0, 0),
					p("2025-12-15", "2025-12-28", 1, 45, 1, 45, 0, 0, 0, 0),
					p("2025-12-29", "2026-01-11", 1, 45, 1, 45, 0, 0, 0, 0),
					p("2026-01-12", "2026-01-18", 1, 45, 1, 45, 0, 0, 0, 0),
				},
			},
		},
		{
			// 3 × 60 a term, window 5 Jan–20 Jul 2026: spring (5 Jan–27 Mar)
			// and summer (13 Apr–20 Jul). Planned 6, 360 minutes. The
			// review date 1 Jul does not clip.
			// Spring: delivered 20 Jan, 3 Mar (120); missed 10 Feb (60):
			//   short 1, 60.
			// 1 Apr (Easter holiday) delivered: totals only.
			// Summer: missed 12 May, 9 Jun (120); delivered 7 Jul, 50 min:
			//   short 2, 180 − 50 = 130.
			// Delivered 4, 60 + 60 + 60 + 50 = 230; missed 3, 180.
			// Shortfall 6 − 4 = 2; 360 − 230 = 130. Periods short 2.
			name: "termly across spring and summer",
			row:  row("T", "2025-09-01", cynllun.DateReview, "2026-07-01", qty(3, 60, cynllun.PerTerm)),
			sessions: []cynllun.Session{
				del("T", "2026-01-20", 60), miss("T", "2026-02-10", 60), del("T", "2026-03-03", 60),
				del("T", "2026-04-01", 60),
				miss("T", "2026-05-12", 60), miss("T", "2026-06-09", 60), del("T", "2026-07-07", 50),
			},
			from: "2026-01-05", to: "2026-07-20", cal: cardiff,
			want: RowSummary{
				RowID: "T", Quantity: qty(3, 60, cynllun.PerTerm),
				From: d("2026-01-05"), To: d("2026-07-20"), Basis: BasisTermCalendar, PlannedKnown: true,
				Planned: 6, PlannedMinutes: 360, Delivered: 4, DeliveredMinutes: 230, Missed: 3, MissedMinutes: 180,
				ShortfallSessions: 2, ShortfallMinutes: 130, PeriodsShort: 2,
				Periods: []Period{
					p("2026-01-05", "2026-03-27", 3, 180, 2, 120, 1, 60, 1, 60),
					p("2026-04-13", "2026-07-20", 3, 180, 1, 50, 2, 120, 2, 130),
				},
			},
		},
		{
			// The termly case without a calendar: planned unknown, no
			// periods, totals still counted: delivered 4/230, missed 3/180.
			name: "termly without calendar",
			row:  row("T", "2025-09-01", cynllun.DateReview, "2026-07-01", qty(3, 60, cynllun.PerTerm)),
			sessions: []cynllun.Session{
				del("T", "2026-01-20", 60), miss("T", "2026-02-10", 60), del("T", "2026-03-03", 60),
				del("T", "2026-04-01", 60),
				miss("T", "2026-05-12", 60), miss("T", "2026-06-09", 60), del("T", "2026-07-07", 50),
			},
			from: "2026-01-05", to: "2026-07-20", cal: nil,
			want: RowSummary{
				RowID: "T", Quantity: qty(3, 60, cynllun.PerTerm),
				From: d("2026-01-05"), To: d("2026-07-20"), Basis: BasisWeekdays, PlannedKnown: false,
				Delivered: 4, DeliveredMinutes: 230, Missed: 3, MissedMinutes: 180,
				Warnings: []string{WarnNoCalendar, WarnTermNeedsCal},
			},
		},
		{
			// Termly with a calendar that does not cover the window (it
			// runs past 31 Jul 2026): as without one.
			name: "termly with calendar not covering the window",
			row:  row("T", "", cynllun.DateReview, "", qty(3, 60, cynllun.PerTerm)),
			sessions: []cynllun.Session{
				del("T", "2026-07-07", 60),
			},
			from: "2026-04-13", to: "2026-09-30", cal: cardiff,
			want: RowSummary{
				RowID: "T", Quantity: qty(3, 60, cynllun.PerTerm),
				From: d("2026-04-13"), To: d("2026-09-30"), Basis: BasisWeekdays, PlannedKnown: false,
				Delivered: 1, DeliveredMinutes: 60,
				Warnings: []string{WarnNoCalendar, WarnTermNeedsCal},
			},
		},
		{
			// 1 × 15 a day, Mon 4 May–Sun 10 May 2026. 4 May is a bank
			// holiday in the summer term; 9–10 May the weekend. School
			// days 5, 6, 7, 8 May: 4 periods, planned 4, 60 minutes.
			// Delivered 4 May (bank holiday: totals only), 5, 6, 8 May;
			// missed 7 May. Delivered 4, 60; missed 1, 15.
			// Periods 5, 6, 8 May: 1/15 each; 7 May: 0, short 1/15.
			// Shortfall max(0, 4 − 4) = 0, max(0, 60 − 60) = 0; short 1.
			name: "daily over a week with a bank holiday",
			row:  row("D", "2026-04-13", cynllun.DateEnd, "2026-07-20", qty(1, 15, cynllun.PerDay)),
			sessions: []cynllun.Session{
				del("D", "2026-05-04", 15), del("D", "2026-05-05", 15), del("D", "2026-05-06", 15),
				miss("D", "2026-05-07", 15), del("D", "2026-05-08", 15),
			},
			from: "2026-05-04", to: "2026-05-10", cal: cardiff,
			want: RowSummary{
				RowID: "D", Quantity: qty(1, 15, cynllun.PerDay),
				From: d("2026-05-04"), To: d("2026-05-10"), Basis: BasisTermCalendar, PlannedKnown: true,
				Planned: 4, PlannedMinutes: 60, Delivered: 4, DeliveredMinutes: 60, Missed: 1, MissedMinutes: 15,
				PeriodsShort: 1,
				Periods: []Period{
					p("2026-05-05", "2026-05-05", 1, 15, 1, 15, 0, 0, 0, 0),
					p("2026-05-06", "2026-05-06", 1, 15, 1, 15, 0, 0, 0, 0),
					p("2026-05-07", "2026-05-07", 1, 15, 0, 0, 1, 15, 1, 15),
					p("2026-05-08", "2026-05-08", 1, 15, 1, 15, 0, 0, 0, 0),
				},
			},
		},
		{
			// The daily week without a calendar: 4 May is a weekday and a
			// period (5 periods, planned 5, 75). Delivered 4, 60; missed
			// 1, 15. Shortfall 5 − 4 = 1, 75 − 60 = 15; short 1 (7 May).
			name: "daily over a week without calendar",
			row:  row("D", "2026-04-13", cynllun.DateEnd, "2026-07-20", qty(1, 15, cynllun.PerDay)),
			sessions: []cynllun.Session{
				del("D", "2026-05-04", 15), del("D", "2026-05-05", 15), del("D", "2026-05-06", 15),
				miss("D", "2026-05-07", 15), del("D", "2026-05-08", 15),
			},
			from: "2026-05-04", to: "2026-05-10", cal: nil,
			want: RowSummary{
				RowID: "D", Quantity: qty(1, 15, cynllun.PerDay),
				From: d("2026-05-04"), To: d("2026-05-10"), Basis: BasisWeekdays, PlannedKnown: true,
				Planned: 5, PlannedMinutes: 75, Delivered: 4, DeliveredMinutes: 60, Missed: 1, MissedMinutes: 15,
				ShortfallSessions: 1, ShortfallMinutes: 15, PeriodsShort: 1,
				Periods: []Period{
					p("2026-05-04", "2026-05-04", 1, 15, 1, 15, 0, 0, 0, 0),
					p("2026-05-05", "2026-05-05", 1, 15, 1, 15, 0, 0, 0, 0),
					p("2026-05-06", "2026-05-06", 1, 15, 1, 15, 0, 0, 0, 0),
					p("2026-05-07", "2026-05-07", 1, 15, 0, 0, 1, 15, 1, 15),
					p("2026-05-08", "2026-05-08", 1, 15, 1, 15, 0, 0, 0, 0),
				},
				Warnings: []string{WarnNoCalendar},
			},
		},
		{
			// Daily, 27 Jul–7 Aug 2026 with the Cardiff calendar, which
			// covers only to 31 Jul: weekdays basis, NO_CALENDAR. Weekdays
			// 27–31 Jul and 3–7 Aug: 10 periods of 1 × 10 = 10, 100 min.
			// No sessions: shortfall 10, 100; all 10 short.
			name: "daily, calendar covers part of the window",
			row:  row("D", "", cynllun.DateReview, "", qty(1, 10, cynllun.PerDay)),
			from: "2026-07-27", to: "2026-08-07", cal: cardiff,
			want: RowSummary{
				RowID: "D", Quantity: qty(1, 10, cynllun.PerDay),
				From: d("2026-07-27"), To: d("2026-08-07"), Basis: BasisWeekdays, PlannedKnown: true,
				Planned: 10, PlannedMinutes: 100, ShortfallSessions: 10, ShortfallMinutes: 100, PeriodsShort: 10,
				Periods: []Period{
					p("2026-07-27", "2026-07-27", 1, 10, 0, 0, 0, 0, 1, 10),
					p("2026-07-28", "2026-07-28", 1, 10, 0, 0, 0, 0, 1, 10),
					p("2026-07-29", "2026-07-29", 1, 10, 0, 0, 0, 0, 1, 10),
					p("2026-07-30", "2026-07-30", 1, 10, 0, 0, 0, 0, 1, 10),
					p("2026-07-31", "2026-07-31", 1, 10, 0, 0, 0, 0, 1, 10),
					p("2026-08-03", "2026-08-03", 1, 10, 0, 0, 0, 0, 1, 10),
					p("2026-08-04", "2026-08-04", 1, 10, 0, 0, 0, 0, 1, 10),
					p("2026-08-05", "2026-08-05", 1, 10, 0, 0, 0, 0, 1, 10),
					p("2026-08-06", "2026-08-06", 1, 10, 0, 0, 0, 0, 1, 10),
					p("2026-08-07", "2026-08-07", 1, 10, 0, 0, 0, 0, 1, 10),
				},
				Warnings: []string{WarnNoCalendar},
			},
		},
		{
			// 4 × 30 a month, 1 Dec 2025–28 Feb 2026: December (school to
			// 19 Dec), January (from 5 Jan), February (less half term):
			// 3 periods, planned 12, 360.
			// Dec: delivered 2, 4, 9, 11 Dec: 4/120, short 0.
			// Jan: delivered 6, 8 Jan; missed 13, 15 Jan: 2/60, short 2/60.
			// Feb: delivered 3, 5, 10, 12, 24 Feb: 5/150, short 0.
			// Delivered 11, 330; missed 2, 60. Shortfall 12 − 11 = 1,
			// 360 − 330 = 30. Periods short 1.
			name: "monthly over winter",
			row:  row("M", "2025-09-01", cynllun.DateReview, "2026-07-01", qty(4, 30, cynllun.PerMonth)),
			sessions: []cynllun.Session{
				del("M", "2025-12-02", 30), del("M", "2025-12-04", 30), del("M", "2025-12-09", 30), del("M", "2025-12-11", 30),
				del("M", "2026-01-06", 30), del("M", "2026-01-08", 30), miss("M", "2026-01-13", 30), miss("M", "2026-01-15", 30),
				del("M", "2026-02-03", 30), del("M", "2026-02-05", 30), del("M", "2026-02-10", 30), del("M", "2026-02-12", 30),
				del("M", "2026-02-24", 30),
			},
			from: "2025-12-01", to: "2026-02-28", cal: cardiff,
			want: RowSummary{
				RowID: "M", Quantity: qty(4, 30, cynllun.PerMonth),
				From: d("2025-12-01"), To: d("2026-02-28"), Basis: BasisTermCalendar, PlannedKnown: true,
				Planned: 12, PlannedMinutes: 360, Delivered: 11, DeliveredMinutes: 330, Missed: 2, MissedMinutes: 60,
				ShortfallSessions: 1, ShortfallMinutes: 30, PeriodsShort: 1,
				Periods: []Period{
					p("2025-12-01", "2025-12-31", 4, 120, 4, 120, 0, 0, 0, 0),
					p("2026-01-01", "2026-01-31", 4, 120, 2, 60, 2, 60, 2, 60),
					p("2026-02-01", "2026-02-28", 4, 120, 5, 150, 0, 0, 0, 0),
				},
			},
		},
		{
			// 1 × 60 a week, starting Wed 12 Nov and ending (END) Wed 3 Dec
			// 2025, window the autumn term: clipped to 12 Nov–3 Dec.
			// Weeks: 10–16 Nov clipped to 12–16 Nov; 17–23 Nov; 24–30 Nov;
			// 1–7 Dec clipped to 1–3 Dec: 4 periods, planned 4, 240.
			// 5 Nov (before the start) and 10 Dec (after the end) are in
			// [from, to] but not the row's span: not counted,
			// SESSIONS_OUTSIDE once.
			// Delivered 13 Nov, 19 Nov, 3 Dec: 3, 180; missed 26 Nov: 1, 60.
			// Shortfall 4 − 3 = 1, 240 − 180 = 60. Periods short 1.
			name: "row starts and ends inside the window",
			row:  row("S", "2025-11-12", cynllun.DateEnd, "2025-12-03", qty(1, 60, cynllun.PerWeek)),
			sessions: []cynllun.Session{
				del("S", "2025-11-05", 60),
				del("S", "2025-11-13", 60), del("S", "2025-11-19", 60), miss("S", "2025-11-26", 60), del("S", "2025-12-03", 60),
				del("S", "2025-12-10", 60),
			},
			from: "2025-09-01", to: "2025-12-19", cal: cardiff,
			want: RowSummary{
				RowID: "S", Quantity: qty(1, 60, cynllun.PerWeek),
				From: d("2025-11-12"), To: d("2025-12-03"), Basis: BasisTermCalendar, PlannedKnown: true,
				Planned: 4, PlannedMinutes: 240, Delivered: 3, DeliveredMinutes: 180, Missed: 1, MissedMinutes: 60,
				ShortfallSessions: 1, ShortfallMinutes: 60, PeriodsShort: 1,
				Periods: []Period{
					p("2025-11-12", "2025-11-16", 1, 60, 1, 60, 0, 0, 0, 0),
					p("2025-11-17", "2025-11-23", 1, 60, 1, 60, 0, 0, 0, 0),
					p("2025-11-24", "2025-11-30", 1, 60, 0, 0, 1, 60, 1, 60),
					p("2025-12-01", "2025-12-03", 1, 60, 1, 60, 0, 0, 0, 0),
				},
				Warnings: []string{WarnOutsideSessions},
			},
		},
		{
			// 1 × 30 a week from Wed 10 Sep, window 8–14 Sep 2025: one
			// period, 10–14 Sep, planned 1, 30. Every entry is voided or
			// another row's, so nothing counts: no SESSIONS_OUTSIDE for
			// the voided 9 Sep entry (before the start) or R2's 8 Sep one.
			// Shortfall 1, 30; periods short 1.
			name: "voided entries and other rows ignored",
			row:  row("R1", "2025-09-10", cynllun.DateReview, "2026-09-01", qty(1, 30, cynllun.PerWeek)),
			sessions: []cynllun.Session{
				voided(del("R1", "2025-09-09", 30)),
				voided(del("R1", "2025-09-11", 30)),
				voided(miss("R1", "2025-09-12", 30)),
				del("R2", "2025-09-08", 30),
				del("R2", "2025-09-11", 30),
				miss("R2", "2025-09-12", 30),
			},
			from: "2025-09-08", to: "2025-09-14", cal: cardiff,
			want: RowSummary{
				RowID: "R1", Quantity: qty(1, 30, cynllun.PerWeek),
				From: d("2025-09-10"), To: d("2025-09-14"), Basis: BasisTermCalendar, PlannedKnown: true,
				Planned: 1, PlannedMinutes: 30, ShortfallSessions: 1, ShortfallMinutes: 30, PeriodsShort: 1,
				Periods: []Period{p("2025-09-10", "2025-09-14", 1, 30, 0, 0, 0, 0, 1, 30)},
			},
		},
		{
			// No quantity: nothing planned; delivered 2 Sep (30) and missed
			// 4 Sep (30) are still counted.
			name: "no quantity",
			row:  row("N", "2025-09-01", cynllun.DateReview, "2026-07-01", nil),
			sessions: []cynllun.Session{
				del("N", "2025-09-02", 30), miss("N", "2025-09-04", 30),
			},
			from: "2025-09-01", to: "2025-12-19", cal: cardiff,
			want: RowSummary{
				RowID: "N", From: d("2025-09-01"), To: d("2025-12-19"), Basis: BasisTermCalendar, PlannedKnown: false,
				Delivered: 1, DeliveredMinutes: 30, Missed: 1, MissedMinutes: 30,
				Warnings: []string{WarnNoQuantity},
			},
		},
		{
			// Starts 5 Jan 2026, after the autumn window: empty window,
			// nothing planned (known: zero). The 1 Dec entry is in
			// [from, to] but before the start: SESSIONS_OUTSIDE.
			name: "not started",
			row:  row("L", "2026-01-05", cynllun.DateReview, "2026-07-01", qty(2, 30, cynllun.PerWeek)),
			sessions: []cynllun.Session{
				del("L", "2025-12-01", 30), del("L", "2026-01-06", 30),
			},
			from: "2025-09-01", to: "2025-12-19", cal: cardiff,
			want: RowSummary{
				RowID: "L", Quantity: qty(2, 30, cynllun.PerWeek), Basis: BasisTermCalendar, PlannedKnown: true,
				Warnings: []string{WarnNotStarted, WarnOutsideSessions},
			},
		},
		{
			// Ended 31 Aug 2025, before the autumn window: empty window.
			name: "ended",
			row:  row("E", "2025-04-01", cynllun.DateEnd, "2025-08-31", qty(2, 30, cynllun.PerWeek)),
			sessions: []cynllun.Session{
				del("E", "2025-07-01", 30),
			},
			from: "2025-09-01", to: "2025-12-19", cal: nil,
			want: RowSummary{
				RowID: "E", Quantity: qty(2, 30, cynllun.PerWeek), Basis: BasisWeekdays, PlannedKnown: true,
				Warnings: []string{WarnEnded},
			},
		},
		{
			// A review date before the window does not end the row.
			// Window Mon 1–Sun 7 Sep 2025: one week, planned 1/30;
			// delivered 3 Sep: no shortfall.
			name: "review date before the window does not end",
			row:  row("V", "2025-04-01", cynllun.DateReview, "2025-08-31", qty(1, 30, cynllun.PerWeek)),
			sessions: []cynllun.Session{
				del("V", "2025-09-03", 30),
			},
			from: "2025-09-01", to: "2025-09-07", cal: cardiff,
			want: RowSummary{
				RowID: "V", Quantity: qty(1, 30, cynllun.PerWeek),
				From: d("2025-09-01"), To: d("2025-09-07"), Basis: BasisTermCalendar, PlannedKnown: true,
				Planned: 1, PlannedMinutes: 30, Delivered: 1, DeliveredMinutes: 30,
				Periods: []Period{p("2025-09-01", "2025-09-07", 1, 30, 1, 30, 0, 0, 0, 0)},
			},
		},
		{
			// from after to: empty, no warnings.
			name: "inverted window",
			row:  row("I", "", cynllun.DateReview, "", qty(1, 30, cynllun.PerWeek)),
			sessions: []cynllun.Session{
				del("I", "2025-09-03", 30),
			},
			from: "2025-09-07", to: "2025-09-01", cal: cardiff,
			want: RowSummary{
				RowID: "I", Quantity: qty(1, 30, cynllun.PerWeek), Basis: BasisTermCalendar, PlannedKnown: true,
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Summarise(tc.row, tc.sessions, d(tc.from), d(tc.to), tc.cal)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Summarise (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSummariseDoesNotShareQuantity(t *testing.T) {
	r := row("R", "", cynllun.DateReview, "", qty(1, 30, cynllun.PerWeek))
	got := Summarise(r, nil, d("2025-09-01"), d("2025-09-07"), nil)
	got.Quantity.Sessions = 99
	if r.Quantity.Sessions != 1 {
		t.Error("changing the summary's quantity changed the row's")
	}
}

func TestSummarisePlan(t *testing.T) {
	cardiff := calendar.ForLA("W06000015")
	rows := []cynllun.ProvisionRow{
		*row("B", "", cynllun.DateReview, "", qty(1, 30, cynllun.PerWeek)),
		*row("A", "", cynllun.DateReview, "", qty(2, 20, cynllun.PerWeek)),
		*row("C", "", cynllun.DateReview, "", nil),
	}
	sessions := []cynllun.Session{
		del("A", "2025-09-02", 20), del("B", "2025-09-03", 30), del("A", "2025-09-04", 20),
		miss("B", "2025-09-05", 30), del("Z", "2025-09-05", 30), // Z is no row of the plan
	}
	// Window Mon 1–Sun 7 Sep 2025, one week.
	// B: planned 1/30, delivered 3 Sep 1/30, missed 5 Sep 1/30: no shortfall.
	// A: planned 2/40, delivered 2 and 4 Sep 2/40: no shortfall.
	// C: no quantity, no sessions.
	want := []RowSummary{
		{
			RowID: "B", Quantity: qty(1, 30, cynllun.PerWeek), From: d("2025-09-01"), To: d("2025-09-07"),
			Basis: BasisTermCalendar, PlannedKnown: true, Planned: 1, PlannedMinutes: 30,
			Delivered: 1, DeliveredMinutes: 30, Missed: 1, MissedMinutes: 30,
			Periods: []Period{p("2025-09-01", "2025-09-07", 1, 30, 1, 30, 1, 30, 0, 0)},
		},
		{
			RowID: "A", Quantity: qty(2, 20, cynllun.PerWeek), From: d("2025-09-01"), To: d("2025-09-07"),
			Basis: BasisTermCalendar, PlannedKnown: true, Planned: 2, PlannedMinutes: 40,
			Delivered: 2, DeliveredMinutes: 40,
			Periods: []Period{p("2025-09-01", "2025-09-07", 2, 40, 2, 40, 0, 0, 0, 0)},
		},
		{
			RowID: "C", From: d("2025-09-01"), To: d("2025-09-07"), Basis: BasisTermCalendar,
			Warnings: []string{WarnNoQuantity},
		},
	}
	got := SummarisePlan(rows, sessions, d("2025-09-01"), d("2025-09-07"), cardiff)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("SummarisePlan (-want +got):\n%s", diff)
	}
	if got := SummarisePlan(nil, sessions, d("2025-09-01"), d("2025-09-07"), cardiff); len(got) != 0 {
		t.Errorf("SummarisePlan with no rows = %v, want none", got)
	}
}
