package notify

import (
	"context"
	"fmt"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/cynllun/cynllun"
)

// HeaderInvitation carries the invitation id on an invitation email.
const HeaderInvitation = "X-Cynllun-Invitation"

// Invitation is an invitation email to become a learner's advocate (issue
// 17). It carries what the invitee needs to accept — the token, or a link
// holding it — and the consent's dates, never the learner's name or any of
// their record: the invitee learns whose advocate they are asked to be
// from the person who invited them, and sees the record once they accept.
type Invitation struct {
	ID string // inv_…: the Message-ID and the X-Cynllun-Invitation header
	// Token is the secret the invitee gives to acceptInvitation.
	Token string
	// Link is an absolute URL of the front-end holding the token, or
	// empty (the email then gives the token to paste).
	Link string
	// EndsAt is when the consent would end; ExpiresAt when the invitation
	// lapses.
	EndsAt, ExpiresAt time.Time
	// OneCase: the consent covers one case only.
	OneCase bool
	At      time.Time
}

var london = func() *time.Location {
	l, err := time.LoadLocation("Europe/London")
	if err != nil {
		return time.UTC
	}
	return l
}()

// invitationText is the email's text, Welsh first, then English.
func invitationText(in Invitation) (subject, body string) {
	subject = "Gwahoddiad i fod yn eiriolwr / Invitation to act as an advocate"
	ends := in.EndsAt.In(london)
	exp := in.ExpiresAt.In(london)
	endsCy := dateText(cynllun.DateOf(ends), LangCY)
	expCy := dateText(cynllun.DateOf(exp), LangCY) + ", " + exp.Format("15:04")
	scopeCy, scopeEn := "y cofnod cyfan", "the whole record"
	if in.OneCase {
		scopeCy, scopeEn = "un achos", "one case"
	}
	how := func(cy bool) string {
		if in.Link != "" {
			return in.Link
		}
		if cy {
			return "Mewngofnodwch a rhowch y cod hwn: " + in.Token
		}
		return "Sign in and give this code: " + in.Token
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Mae rhiant neu berson ifanc wedi'ch gwahodd i fod yn eiriolwr iddynt yn Cynllun, gyda'u caniatâd, ar gyfer %s, tan %s.\n\n", scopeCy, endsCy)
	fmt.Fprintf(&b, "I dderbyn, mewngofnodwch â'ch cyfrif eich hun:\n%s\n\n", how(true))
	fmt.Fprintf(&b, "Daw'r gwahoddiad i ben ar %s. Os nad oeddech yn ei ddisgwyl, anwybyddwch yr e-bost hwn.\n", expCy)
	b.WriteString(textSeparator)
	fmt.Fprintf(&b, "A parent or young person has invited you to act as their advocate in Cynllun, with their consent, for %s, until %s.\n\n", scopeEn, ends.Format("2 January 2006"))
	fmt.Fprintf(&b, "To accept, sign in with your own account:\n%s\n\n", how(false))
	fmt.Fprintf(&b, "The invitation expires on %s. If you did not expect it, ignore this email.\n", exp.Format("2 January 2006, 15:04"))
	return subject, b.String()
}

// SendInvitation sends invitation in to one address. Errors as Send: the
// address is never in them.
func (m *Mailer) SendInvitation(ctx context.Context, to string, in Invitation) error {
	const op = "notify.SendInvitation"
	if !validID(in.ID) || in.Token == "" || (in.Link != "" && !validLink(in.Link)) {
		return cynllun.Invalid(op, cynllun.FieldError{Field: "invitation", Message: "is incomplete"})
	}
	rcpt, err := parseRecipient(to)
	if err != nil {
		return cynllun.Invalid(op, cynllun.FieldError{Field: "to", Message: "must be an email address"})
	}
	subject, body := invitationText(in)
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	msg.FromMailAddress(m.from)
	if err := msg.To(rcpt); err != nil {
		return cynllun.Invalid(op, cynllun.FieldError{Field: "to", Message: "must be an email address"})
	}
	msg.SetMessageIDWithValue(in.ID + "@cynllun")
	msg.SetGenHeader(HeaderInvitation, in.ID)
	msg.SetDateWithValue(in.At)
	msg.Subject(subject)
	msg.SetGenHeader(gomail.HeaderContentLang, "cy, en")
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	msg.SetUserAgent("Cynllun")
	msg.SetBodyString(gomail.TypeTextPlain, body)
	return m.deliver(ctx, op, msg, nil)
}
