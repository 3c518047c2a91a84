package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/textproto"
	"regexp"
	"strings"
	"sync"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/cynllun/cynllun"
)

// TLS modes of a MailConfig.
const (
	TLSStartTLS = "starttls" // STARTTLS, mandatory: never falls back to plain text
	TLSImplicit = "tls"      // TLS from the first byte (SMTPS, port 465)
	TLSNone     = "none"     // plain text; for tests and development only
)

// DefaultMailTimeout bounds each step of an SMTP conversation (dial, and
// each stretch between commands) when MailConfig.Timeout is 0.
const DefaultMailTimeout = 30 * time.Second

// MailConfig configures a Mailer.
type MailConfig struct {
	Host string
	// Port defaults to 587 for starttls, 465 for tls and 25 for none.
	Port int
	// Username and Password, when Username is set, authenticate with SMTP
	// AUTH (the strongest mechanism the server offers). They need TLS.
	Username, Password string
	// From is the sender: "Cynllun <noreply@example.org>" or a bare address.
	From string
	// TLS is TLSStartTLS (the default), TLSImplicit or TLSNone.
	TLS string
	// Timeout bounds each step of the conversation; 0 means
	// DefaultMailTimeout. A deadline on Send's context that comes sooner
	// wins.
	Timeout time.Duration
	// HeloName is the name given in EHLO; empty means the machine's host
	// name.
	HeloName string
	// TLSConfig is optional, e.g. to trust a private relay's CA (RootCAs).
	// ServerName defaults to Host and MinVersion to TLS 1.2.
	TLSConfig *tls.Config
}

// Mailer sends notices by email over SMTP. It is safe for concurrent use:
// every Send has its own connection.
type Mailer struct {
	cfg  MailConfig
	from *mail.Address
}

// NewMailer validates cfg and returns a Mailer. It does not connect.
func NewMailer(cfg MailConfig) (*Mailer, error) {
	const op = "notify.NewMailer"
	var fields []cynllun.FieldError
	bad := func(field, msg string) { fields = append(fields, cynllun.FieldError{Field: field, Message: msg}) }
	cfg.Host = strings.TrimSpace(cfg.Host)
	if cfg.Host == "" || strings.ContainsAny(cfg.Host, " \t\r\n/") {
		bad("mail.host", "must be a host name or address")
	}
	if cfg.TLS == "" {
		cfg.TLS = TLSStartTLS
	}
	switch cfg.TLS {
	case TLSStartTLS, TLSImplicit, TLSNone:
	default:
		bad("mail.tls", "must be starttls, tls or none")
	}
	if cfg.Port == 0 {
		switch cfg.TLS {
		case TLSImplicit:
			cfg.Port = gomail.DefaultPortSSL
		case TLSNone:
			cfg.Port = gomail.DefaultPort
		default:
			cfg.Port = gomail.DefaultPortTLS
		}
	}
	if cfg.Port < 1 || cfg.Port > 65535 {
		bad("mail.port", "must be between 1 and 65535")
	}
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		bad("mail.from", "must be an email address")
	}
	if cfg.Username != "" && cfg.TLS == TLSNone {
		bad("mail.username", "SMTP AUTH needs starttls or tls")
	}
	if cfg.Timeout < 0 {
		bad("mail.timeout", "must not be negative")
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultMailTimeout
	}
	if strings.ContainsAny(cfg.HeloName, " \t\r\n") {
		bad("mail.heloName", "must be a host name")
	}
	if len(fields) > 0 {
		return nil, cynllun.Invalid(op, fields...)
	}
	m := &Mailer{cfg: cfg, from: from}
	if _, err := gomail.NewClient(cfg.Host, m.options(cfg.Timeout, &connSet{})...); err != nil {
		return nil, &cynllun.Error{Code: cynllun.CodeInvalid, Op: op, Message: "invalid mail configuration", Err: err}
	}
	return m, nil
}

func (m *Mailer) tlsConfig() *tls.Config {
	tc := &tls.Config{}
	if m.cfg.TLSConfig != nil {
		tc = m.cfg.TLSConfig.Clone()
	}
	if tc.ServerName == "" {
		tc.ServerName = m.cfg.Host
	}
	if tc.MinVersion < tls.VersionTLS12 {
		tc.MinVersion = tls.VersionTLS12
	}
	return tc
}

func (m *Mailer) options(timeout time.Duration, conns *connSet) []gomail.Option {
	tc := m.tlsConfig()
	opts := []gomail.Option{
		gomail.WithPort(m.cfg.Port),
		gomail.WithTimeout(timeout),
		gomail.WithTLSConfig(tc),
		gomail.WithDialContextFunc(conns.dialer(m.cfg.TLS == TLSImplicit, tc)),
	}
	switch m.cfg.TLS {
	case TLSImplicit:
		// The dialer does the TLS handshake (go-mail's own TLS dialer is
		// not used once a dial function is given); go-mail then finds the
		// connection encrypted and offers no STARTTLS.
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if m.cfg.HeloName != "" {
		opts = append(opts, gomail.WithHELO(m.cfg.HeloName))
	}
	if m.cfg.Username != "" {
		opts = append(opts,
			gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(m.cfg.Username),
			gomail.WithPassword(m.cfg.Password))
	}
	return opts
}

// connSet dials for one Send and keeps the connections so that Send can
// close them: go-mail leaves the connection open when EHLO, STARTTLS or
// AUTH fails, and watches the context only while dialling, so Send closes
// them when the context ends and when it returns.
type connSet struct {
	mu     sync.Mutex
	conns  []net.Conn
	closed bool
}

func (s *connSet) dialer(implicitTLS bool, tc *tls.Config) gomail.DialContextFunc {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		var d net.Dialer
		conn, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		if implicitTLS {
			tconn := tls.Client(conn, tc)
			if err := tconn.HandshakeContext(ctx); err != nil {
				_ = conn.Close()
				return nil, err
			}
			conn = tconn
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.closed {
			_ = conn.Close()
			return nil, net.ErrClosed
		}
		s.conns = append(s.conns, conn)
		return conn, nil
	}
}

func (s *connSet) closeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	for _, c := range s.conns {
		_ = c.Close()
	}
	s.conns = nil
}

// HeaderNotice carries the notice id on every email.
const HeaderNotice = "X-Cynllun-Notice"

// MessageID returns the Message-ID of the email of notice id, angle
// brackets included: the same notice always has the same Message-ID.
func MessageID(id string) string { return "<" + id + "@cynllun>" }

// Send sends notice n to one address. The Message-ID is MessageID(n.ID)
// and the X-Cynllun-Notice header is n.ID, so a re-send is recognisably the
// same message; the Date is n.At.
//
// Errors: an invalid notice or recipient address, and a permanent (5xx)
// rejection of the recipient, are INVALID (do not retry); anything else —
// connection failures, timeouts, temporary (4xx) replies, a TLS or AUTH
// failure, a 5xx to MAIL FROM or DATA — is INTERNAL and wraps an
// *SMTPError or the network error (retry). Neither the address nor the
// server's reply text (which may echo it) is in the error.
//
// Each step of the conversation is bounded by MailConfig.Timeout or the
// context's deadline, whichever is sooner; cancelling the context closes
// the connection.
func (m *Mailer) Send(ctx context.Context, to string, n Notice) error {
	return m.SendRecorded(ctx, to, n, nil)
}

// SendRecorded is Send with before, when not nil, run once the connection
// is set up (greeting, EHLO, STARTTLS, AUTH) and just before the envelope
// and DATA: up to before, nothing can have left. An error from before
// ends the conversation with nothing sent and is returned as it is. The
// notice sender records the attempt there (NoticeSending), so that a
// worker killed during the conversation leaves a mark only when the
// message may have left.
func (m *Mailer) SendRecorded(ctx context.Context, to string, n Notice, before func() error) error {
	const op = "notify.Send"
	if err := n.validate(op); err != nil {
		return err
	}
	rcpt, err := parseRecipient(to)
	if err != nil {
		return cynllun.Invalid(op, cynllun.FieldError{Field: "to", Message: "must be an email address"})
	}
	e, err := render(n)
	if err != nil {
		return cynllun.Internal(op, fmt.Errorf("render notice %s: %w", n.ID, err))
	}

	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	msg.FromMailAddress(m.from)
	if err := msg.To(rcpt); err != nil {
		return cynllun.Invalid(op, cynllun.FieldError{Field: "to", Message: "must be an email address"})
	}
	msg.SetMessageIDWithValue(n.ID + "@cynllun")
	msg.SetGenHeader(HeaderNotice, n.ID)
	msg.SetDateWithValue(n.At)
	msg.Subject(e.Subject)
	msg.SetGenHeader(gomail.HeaderContentLang, strings.Join(n.languages(), ", "))
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	msg.SetGenHeader(gomail.HeaderXAutoResponseSuppress, "All")
	msg.SetUserAgent("Cynllun")
	msg.SetBodyString(gomail.TypeTextPlain, e.Text)
	msg.AddAlternativeString(gomail.TypeTextHTML, e.HTML)
	return m.deliver(ctx, op, msg, before)
}

// deliver sends msg over one connection (see Send for the errors), running
// before (if any) between the connection's set-up and the message.
func (m *Mailer) deliver(ctx context.Context, op string, msg *gomail.Msg, before func() error) error {
	timeout := m.cfg.Timeout
	if dl, ok := ctx.Deadline(); ok {
		if left := time.Until(dl); left < timeout {
			timeout = left
		}
	}
	if err := ctx.Err(); err != nil {
		return cynllun.Internal(op, err)
	}
	if timeout <= 0 {
		return cynllun.Internal(op, context.DeadlineExceeded)
	}
	conns := &connSet{}
	client, err := gomail.NewClient(m.cfg.Host, m.options(timeout, conns)...)
	if err != nil {
		return cynllun.Internal(op, err)
	}
	stop := context.AfterFunc(ctx, conns.closeAll)
	err = dialAndSend(ctx, client, msg, before)
	stop()
	conns.closeAll()
	var be beforeError
	if errors.As(err, &be) {
		return be.err
	}
	if msg.IsDelivered() {
		// The server took the message (250 after DATA); a failing RSET or
		// QUIT afterwards must not make the caller send it again.
		return nil
	}
	if err == nil {
		return cynllun.Internal(op, errors.New("message not delivered"))
	}
	if ctx.Err() != nil {
		return cynllun.Internal(op, ctx.Err())
	}
	return classifySMTP(op, err)
}

// beforeError wraps the error of a before function.
type beforeError struct{ err error }

func (e beforeError) Error() string { return e.err.Error() }

// dialAndSend is go-mail's DialAndSendWithContext with before between the
// dial (and its EHLO, STARTTLS, AUTH) and the message.
func dialAndSend(ctx context.Context, client *gomail.Client, msg *gomail.Msg, before func() error) error {
	sc, err := client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return fmt.Errorf("dial failed: %w", err)
	}
	defer func() { _ = client.CloseWithSMTPClient(sc) }()
	if before != nil {
		if err := before(); err != nil {
			return beforeError{err}
		}
	}
	if err := client.SendWithSMTPClient(sc, msg); err != nil {
		return fmt.Errorf("send failed: %w", err)
	}
	return nil
}

// parseRecipient returns the bare address of to ("a@b.example" or
// "Name <a@b.example>").
func parseRecipient(to string) (string, error) {
	if len(to) > 320 {
		return "", errors.New("too long")
	}
	a, err := mail.ParseAddress(to)
	if err != nil {
		return "", err
	}
	return a.Address, nil
}

// SMTPError is the cause of a failed send: the stage of the SMTP
// conversation and the server's reply code, without the reply's text
// (which may echo the recipient's address).
type SMTPError struct {
	Stage    string // "connect" (greeting, EHLO, STARTTLS, AUTH), "MAIL FROM", "RCPT TO", "DATA", "end of DATA", …
	Code     int    // the reply code, 0 for a local or network failure
	Enhanced string // the enhanced status code ("5.1.1") when the server gave one
}

func (e *SMTPError) Error() string {
	var b strings.Builder
	b.WriteString("smtp ")
	b.WriteString(e.Stage)
	if e.Code == 0 {
		b.WriteString(": failed without a reply code")
		return b.String()
	}
	fmt.Fprintf(&b, ": %d", e.Code)
	if e.Enhanced != "" {
		b.WriteString(" ")
		b.WriteString(e.Enhanced)
	}
	return b.String()
}

// Temporary reports whether the server's reply was a temporary (4xx) one.
func (e *SMTPError) Temporary() bool { return e.Code/100 == 4 }

// Permanent reports whether the server's reply was a permanent (5xx) one.
func (e *SMTPError) Permanent() bool { return e.Code/100 == 5 }

var stages = map[gomail.SendErrReason]string{
	gomail.ErrGetSender:     "sender",
	gomail.ErrGetRcpts:      "recipients",
	gomail.ErrSMTPMailFrom:  "MAIL FROM",
	gomail.ErrSMTPRcptTo:    "RCPT TO",
	gomail.ErrSMTPData:      "DATA",
	gomail.ErrSMTPDataClose: "end of DATA",
	gomail.ErrSMTPReset:     "RSET",
	gomail.ErrWriteContent:  "message content",
	gomail.ErrConnCheck:     "connection check",
	gomail.ErrNoUnencoded:   "8BITMIME",
}

var enhancedCode = regexp.MustCompile(`^[245]\.\d{1,3}\.\d{1,3}\b`)

// classifySMTP maps a go-mail error to INVALID (permanent rejection of the
// recipient) or INTERNAL. go-mail's *SendError prints the recipient
// addresses and the server's reply, so it is never wrapped: the cause kept
// is an *SMTPError, or the network error of a failed dial.
func classifySMTP(op string, err error) error {
	var se *gomail.SendError
	if errors.As(err, &se) {
		stage, ok := stages[se.Reason]
		if !ok {
			stage = "send"
		}
		cause := &SMTPError{Stage: stage, Code: se.ErrorCode(), Enhanced: se.EnhancedStatusCode()}
		switch {
		case se.Reason == gomail.ErrSMTPRcptTo && cause.Permanent(),
			// Some servers refuse an unknown mailbox only after DATA.
			se.Reason == gomail.ErrSMTPDataClose && cause.Permanent() && strings.HasPrefix(cause.Enhanced, "5.1."):
			return &cynllun.Error{Code: cynllun.CodeInvalid, Op: op, Message: "the mail server rejected the recipient address", Err: cause}
		}
		return cynllun.Internal(op, cause)
	}
	// Dialling, EHLO, STARTTLS and AUTH fail before any message is sent.
	var te *textproto.Error
	if errors.As(err, &te) {
		return cynllun.Internal(op, &SMTPError{Stage: "connect", Code: te.Code, Enhanced: enhancedCode.FindString(te.Msg)})
	}
	return cynllun.Internal(op, err)
}
