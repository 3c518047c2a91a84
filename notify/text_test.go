package notify

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cynllun/cynllun/clock"
)

// noticeMarkers may never reach an email (issue 18): evidence tags, source
// ids of the research notes, configuration names, the replacement
// character.
var noticeMarkers = regexp.MustCompile(`\[R\d|\[S\d|\[(WEAK|SECONDARY|UNCONFIRMED|CONFIRMED)|seed S\d|settings\.[a-zA-Z]|Nodi \d|\x{FFFD}`)

// TestNoticeText renders every kind of notice, for every rule, in Welsh,
// English and both, and the invitation email: no internal markers, and a
// Welsh-only notice holds none of the English notice's sentences nor the
// rule's English title.
func TestNoticeText(t *testing.T) {
	for _, rule := range clock.Rules() {
		for _, kind := range []string{KindUpcoming, KindDue, KindOverdue} {
			byLang := map[string]email{}
			for _, lang := range []string{LangCY, LangEN, LangBilingual} {
				n := testNotice()
				n.Kind, n.RuleID, n.Rule, n.Language = kind, rule.ID, rule.Title, lang
				switch kind {
				case KindDue:
					n.Offset = 0
				case KindOverdue:
					n.Offset = 3
				}
				m, err := render(n)
				if err != nil {
					t.Fatalf("%s %s %s: %v", rule.ID, kind, lang, err)
				}
				for _, s := range []string{m.Subject, m.Text, m.HTML} {
					if loc := noticeMarkers.FindStringIndex(s); loc != nil {
						t.Errorf("%s %s %s: internal marker %q", rule.ID, kind, lang, s[loc[0]:loc[1]])
					}
				}
				byLang[lang] = m
			}
			cy, en := byLang[LangCY], byLang[LangEN]
			if strings.Contains(cy.Text, rule.Title.EN) || strings.Contains(cy.Subject, rule.Title.EN) {
				t.Errorf("%s %s: the Welsh notice has the rule's English title", rule.ID, kind)
			}
			checked := 0
			for _, line := range strings.Split(en.Text, "\n") {
				for _, s := range phrases(line) {
					checked++
					if strings.Contains(cy.Text, s) || strings.Contains(cy.Subject, s) {
						t.Errorf("%s %s: English %q in the Welsh notice", rule.ID, kind, s)
					}
				}
			}
			if checked < 4 {
				t.Errorf("%s %s: only %d English phrases to look for", rule.ID, kind, checked)
			}
		}
	}
	subject, body := invitationText(Invitation{ID: "inv_1", Token: "tok", EndsAt: time.Date(2027, 1, 7, 12, 0, 0, 0, time.UTC), ExpiresAt: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)})
	if loc := noticeMarkers.FindStringIndex(subject + body); loc != nil {
		t.Errorf("invitation: internal marker %q", (subject + body)[loc[0]:loc[1]])
	}
	if !strings.Contains(body, "tan 7 Ionawr 2027") || !strings.Contains(body, "ar 1 Rhagfyr 2026, 09:00") {
		t.Errorf("invitation: Welsh dates not written out: %q", body)
	}
}

// phrases are the runs of two words or more in line that hold no data (no
// digits, ids or links), trimmed of punctuation.
func phrases(line string) []string {
	var out, run []string
	flush := func() {
		if p := strings.Trim(strings.Join(run, " "), " :;,.–-()"); len(strings.Fields(p)) >= 2 {
			out = append(out, p)
		}
		run = nil
	}
	for _, w := range strings.Fields(line) {
		if strings.ContainsAny(w, "_/0123456789") {
			flush()
			continue
		}
		run = append(run, w)
	}
	flush()
	return out
}
