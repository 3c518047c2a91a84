package notify

import (
	"strings"
	"testing"
	"time"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/form"
)

// invalidNotices edits a valid notice into invalid ones.
func invalidNotices() map[string]func(*Notice) {
	return map[string]func(*Notice){
		"no id":               func(n *Notice) { n.ID = "" },
		"id with a dot":       func(n *Notice) { n.ID = "ntc.1" },
		"id with a newline":   func(n *Notice) { n.ID = "ntc_1\r\nBcc: x@y.example" },
		"id with a space":     func(n *Notice) { n.ID = "ntc 1" },
		"id too long":         func(n *Notice) { n.ID = strings.Repeat("a", 129) },
		"no deadline id":      func(n *Notice) { n.DeadlineID = "" },
		"learner name as id":  func(n *Notice) { n.LearnerID = "Siân ap Gwyn" },
		"no rule id":          func(n *Notice) { n.RuleID = "" },
		"unknown kind":        func(n *Notice) { n.Kind = "deadline.met" },
		"upcoming, offset 0":  func(n *Notice) { n.Offset = 0 },
		"due, offset -1":      func(n *Notice) { n.Kind = KindDue; n.Offset = -1 },
		"overdue, offset -1":  func(n *Notice) { n.Kind = KindOverdue; n.Offset = -1 },
		"offset out of range": func(n *Notice) { n.Offset = -1_000_000 },
		"unit":                func(n *Notice) { n.OffsetUnit = "WEEKS" },
		"no due date":         func(n *Notice) { n.Due = cynllun.Date{} },
		"unreal due date":     func(n *Notice) { n.Due = cynllun.Date{Year: 2026, Month: 2, Day: 30} },
		"relative link":       func(n *Notice) { n.Link = "/deadlines/1" },
		"javascript link":     func(n *Notice) { n.Link = "javascript:alert(1)" },
		"link with userinfo":  func(n *Notice) { n.Link = "https://user:pw@cynllun.example/d" },
		"link with a space":   func(n *Notice) { n.Link = "https://cynllun.example/a b" },
		"language":            func(n *Notice) { n.Language = "fr" },
		"no time":             func(n *Notice) { n.At = time.Time{} },
	}
}

func TestNoticeValidate(t *testing.T) {
	if err := testNotice().validate("test"); err != nil {
		t.Fatalf("valid notice: %v", err)
	}
	for name, edit := range invalidNotices() {
		n := testNotice()
		edit(&n)
		err := n.validate("test")
		e := wantCode(t, err, cynllun.CodeInvalid)
		if len(e.Fields) == 0 || !strings.HasPrefix(e.Fields[0].Field, "notice.") {
			t.Errorf("%s: fields %v", name, e.Fields)
		}
		if strings.Contains(err.Error(), "Siân") || strings.Contains(err.Error(), "Bcc") {
			t.Errorf("%s: error echoes the value: %v", name, err)
		}
	}
	for _, lang := range []string{"", LangCY, LangEN, LangBilingual} {
		n := testNotice()
		n.Language = lang
		if err := n.validate("test"); err != nil {
			t.Errorf("language %q: %v", lang, err)
		}
	}
}

func TestDateText(t *testing.T) {
	for _, c := range []struct{ date, en, cy string }{
		{"2026-05-05", "5 May 2026", "5 Mai 2026"},
		{"2027-01-07", "7 January 2027", "7 Ionawr 2027"},
		{"2026-02-28", "28 February 2026", "28 Chwefror 2026"},
		{"2026-07-31", "31 July 2026", "31 Gorffennaf 2026"},
		{"2026-12-01", "1 December 2026", "1 Rhagfyr 2026"},
	} {
		d := cynllun.MustDate(c.date)
		if got := dateText(d, LangEN); got != c.en {
			t.Errorf("en %s = %q, want %q", c.date, got, c.en)
		}
		if got := dateText(d, LangCY); got != c.cy {
			t.Errorf("cy %s = %q, want %q", c.date, got, c.cy)
		}
	}
}

func TestDaysText(t *testing.T) {
	for _, c := range []struct {
		n      int
		unit   string
		en, cy string
	}{
		{-1, UnitSchoolDays, "1 school day", "1 diwrnod ysgol"},
		{-2, UnitSchoolDays, "2 school days", "2 ddiwrnod ysgol"},
		{5, UnitSchoolDays, "5 school days", "5 diwrnod ysgol"},
		{35, UnitSchoolDays, "35 school days", "35 diwrnod ysgol"},
		{1, UnitDays, "1 day", "1 diwrnod"},
		{-2, UnitDays, "2 days", "2 ddiwrnod"},
		{12, UnitDays, "12 days", "12 diwrnod"},
	} {
		if got := daysText(c.n, c.unit, LangEN); got != c.en {
			t.Errorf("en %d %s = %q, want %q", c.n, c.unit, got, c.en)
		}
		if got := daysText(c.n, c.unit, LangCY); got != c.cy {
			t.Errorf("cy %d %s = %q, want %q", c.n, c.unit, got, c.cy)
		}
	}
}

func TestTitle(t *testing.T) {
	rule := form.Text{EN: "Decide ALN\nand give an IDP", CY: ""}
	if got := title(rule, LangCY); got != "Decide ALN and give an IDP" {
		t.Errorf("cy falls back to en on one line: %q", got)
	}
	rule.CY = "Penderfynu ar ADY"
	if got := title(rule, LangCY); got != "Penderfynu ar ADY" {
		t.Errorf("cy = %q", got)
	}
}

// The rendered email of each kind and language, checked as a whole once
// (the SMTP tests check it again as received).
func TestRender(t *testing.T) {
	n := testNotice()
	n.Language = LangEN
	e, err := render(n)
	if err != nil {
		t.Fatal(err)
	}
	want := `Statutory deadline reminder

A statutory deadline for a learner is due in 5 school days.

Deadline: T1 – Decide ALN and give an IDP or notice
Due date: 5 May 2026
Time left: 5 school days

Open the deadline:
https://cynllun.example/deadlines/dln_5e1f0c2d3b4a59687a8b9c0d

Reference: deadline dln_5e1f0c2d3b4a59687a8b9c0d, learner lrn_0192f0c1a2b34c5d8e9f0a1b2c3d4e60, notice ntc_0192f0c1a2b34c5d8e9f0a1b2c3d4e5f

This message contains no personal details: sign in to see the learner and the plan.
This is an automatic message; please do not reply.
`
	if e.Text != want {
		t.Errorf("text:\n%s\nwant:\n%s", e.Text, want)
	}
	n.Language = LangCY
	n.Kind, n.Offset = KindOverdue, 2
	if e, err = render(n); err != nil {
		t.Fatal(err)
	}
	want = `Nodyn atgoffa am derfyn amser statudol

Aeth terfyn amser statudol ar gyfer dysgwr heibio 2 ddiwrnod ysgol yn ôl.

Terfyn amser: T1 – Penderfynu ar ADY a rhoi CDU neu hysbysiad
Dyddiad dyledus: 5 Mai 2026
Yn hwyr o: 2 ddiwrnod ysgol

Agor y terfyn amser:
https://cynllun.example/deadlines/dln_5e1f0c2d3b4a59687a8b9c0d

Cyfeirnod: terfyn amser dln_5e1f0c2d3b4a59687a8b9c0d, dysgwr lrn_0192f0c1a2b34c5d8e9f0a1b2c3d4e60, hysbysiad ntc_0192f0c1a2b34c5d8e9f0a1b2c3d4e5f

Nid yw'r neges hon yn cynnwys unrhyw fanylion personol: mewngofnodwch i weld y dysgwr a'r cynllun.
Neges awtomatig yw hon; peidiwch ag ateb.
`
	if e.Text != want {
		t.Errorf("text:\n%s\nwant:\n%s", e.Text, want)
	}
	if e.Subject != "[Cynllun] T1: Aeth y terfyn amser heibio 2 ddiwrnod ysgol yn ôl (5 Mai 2026)" {
		t.Errorf("subject %q", e.Subject)
	}
}
