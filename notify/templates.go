package notify

import (
	"bytes"
	"embed"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
)

// The email wording lives in templates/: {cy,en}.txt.tmpl define "subject"
// and "body" for the text/plain part, {cy,en}.html.tmpl define "cy" and "en"
// and layout.html.tmpl puts them together for the text/html part.
//
//go:embed templates/*.tmpl
var templateFiles embed.FS

// emailData is everything an email template can see: ids, dates and the
// rule's title, already written out in the template's language. It has no
// field for a name or for plan content, so a template cannot show one
// (text/template fails on an unknown field); TestTemplatesReferenceOnlyIDs
// pins the list.
type emailData struct {
	Kind       string // "upcoming", "due" or "overdue"
	RuleID     string // "T1"
	Rule       string // the rule's short title in the language
	Due        string // "5 May 2026" / "5 Mai 2026"
	Days       string // |Offset| in its unit: "5 school days" / "5 diwrnod ysgol"
	Link       string // absolute URL or empty
	DeadlineID string
	LearnerID  string
	NoticeID   string
}

// emailLayout is the data of the HTML layout: the sections in each
// language, nil when the notice is not in that language.
type emailLayout struct {
	CY, EN *emailData
}

var (
	textTemplates = map[string]*texttemplate.Template{
		LangCY: texttemplate.Must(texttemplate.New("cy").Option("missingkey=error").ParseFS(templateFiles, "templates/cy.txt.tmpl")),
		LangEN: texttemplate.Must(texttemplate.New("en").Option("missingkey=error").ParseFS(templateFiles, "templates/en.txt.tmpl")),
	}
	htmlTemplate = htmltemplate.Must(htmltemplate.New("html").ParseFS(templateFiles, "templates/*.html.tmpl"))
)

// textSeparator stands between the Welsh and the English text.
const textSeparator = "\n\n----------------------------------------\n\n"

// email is a rendered email.
type email struct {
	Subject, Text, HTML string
}

func newEmailData(n Notice, lang string) *emailData {
	kind := "upcoming"
	switch n.Kind {
	case KindDue:
		kind = "due"
	case KindOverdue:
		kind = "overdue"
	}
	return &emailData{
		Kind:       kind,
		RuleID:     n.RuleID,
		Rule:       title(n.Rule, lang),
		Due:        dateText(n.Due, lang),
		Days:       daysText(n.Offset, n.OffsetUnit, lang),
		Link:       n.Link,
		DeadlineID: n.DeadlineID,
		LearnerID:  n.LearnerID,
		NoticeID:   n.ID,
	}
}

// render writes the subject and the two bodies of a valid notice: Welsh
// first, then English, for a bilingual one.
func render(n Notice) (email, error) {
	var subjects, texts []string
	var layout emailLayout
	for _, lang := range n.languages() {
		d := newEmailData(n, lang)
		t := textTemplates[lang]
		var b bytes.Buffer
		if err := t.ExecuteTemplate(&b, "subject", d); err != nil {
			return email{}, err
		}
		subjects = append(subjects, strings.Join(strings.Fields(b.String()), " "))
		b.Reset()
		if err := t.ExecuteTemplate(&b, "body", d); err != nil {
			return email{}, err
		}
		texts = append(texts, strings.TrimSpace(b.String()))
		if lang == LangCY {
			layout.CY = d
		} else {
			layout.EN = d
		}
	}
	var h bytes.Buffer
	if err := htmlTemplate.ExecuteTemplate(&h, "layout", layout); err != nil {
		return email{}, err
	}
	return email{
		Subject: "[Cynllun] " + n.RuleID + ": " + strings.Join(subjects, " / "),
		Text:    strings.Join(texts, textSeparator) + "\n",
		HTML:    h.String() + "\n",
	}, nil
}
