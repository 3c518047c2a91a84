package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"html"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"text/template/parse"
	"time"

	"github.com/emersion/go-sasl"
	smtp "github.com/emersion/go-smtp"

	"github.com/cynllun/cynllun"
)

// An in-process SMTP server (github.com/emersion/go-smtp) that records
// every message it accepts.

type received struct {
	From string
	To   []string
	Data []byte
	TLS  bool
}

type smtpServer struct {
	Host string
	Port int

	rcptErr  error       // returned by every RCPT
	dataErr  error       // returned at the end of DATA
	user     string      // if set, AUTH PLAIN with user and pass is required
	pass     string      //
	tlsCfg   *tls.Config // STARTTLS when set (and !implicit)
	implicit bool        // TLS from the first byte

	conns    atomic.Int32 // TCP connections accepted
	mu       sync.Mutex
	messages []received
}

func (s *smtpServer) Messages() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.messages)
}

func (s *smtpServer) NewSession(c *smtp.Conn) (smtp.Session, error) {
	_, isTLS := c.TLSConnectionState()
	return &smtpSession{srv: s, tls: isTLS}, nil
}

type smtpSession struct {
	srv    *smtpServer
	tls    bool
	authed bool
	cur    received
}

func (s *smtpSession) AuthMechanisms() []string {
	if s.srv.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (s *smtpSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != s.srv.user || pass != s.srv.pass {
			return smtp.ErrAuthFailed
		}
		s.authed = true
		return nil
	}), nil
}

func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	if s.srv.user != "" && !s.authed {
		return smtp.ErrAuthRequired
	}
	s.cur = received{From: from, TLS: s.tls}
	return nil
}

func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if s.srv.rcptErr != nil {
		return s.srv.rcptErr
	}
	s.cur.To = append(s.cur.To, to)
	return nil
}

func (s *smtpSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if s.srv.dataErr != nil {
		return s.srv.dataErr
	}
	s.cur.Data = b
	s.srv.mu.Lock()
	s.srv.messages = append(s.srv.messages, s.cur)
	s.srv.mu.Unlock()
	return nil
}

func (s *smtpSession) Reset()        { s.cur = received{} }
func (s *smtpSession) Logout() error { return nil }

type countingListener struct {
	net.Listener
	n *atomic.Int32
}

func (l countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.n.Add(1)
	}
	return c, err
}

// start serves s on 127.0.0.1:0 until the test ends.
func (s *smtpServer) start(t *testing.T) *smtpServer {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var ln net.Listener = countingListener{l, &s.conns}
	if s.implicit {
		ln = tls.NewListener(ln, s.tlsCfg)
	}
	srv := smtp.NewServer(s)
	srv.Domain = "localhost"
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	srv.MaxMessageBytes = 1 << 20
	srv.MaxRecipients = 10
	if !s.implicit {
		srv.TLSConfig = s.tlsCfg
	}
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(ln) }()
	// go-smtp's Close closes only the listeners Serve has registered: one
	// called before Serve gets going leaves Serve blocked in Accept, so the
	// listener is closed here as well.
	t.Cleanup(func() { _ = srv.Close(); _ = l.Close(); <-done })
	addr := l.Addr().(*net.TCPAddr)
	s.Host, s.Port = "127.0.0.1", addr.Port
	return s
}

const (
	testFrom = "noreply@cynllun.example"
	testTo   = "alncoordinator@school.example"
)

func plainMailer(t *testing.T, s *smtpServer) *Mailer {
	t.Helper()
	m, err := NewMailer(MailConfig{Host: s.Host, Port: s.Port, From: "Cynllun <" + testFrom + ">", TLS: TLSNone, Timeout: 5 * time.Second, HeloName: "worker.test"})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// parsedMail is a received message taken apart with net/mail and
// mime/multipart.
type parsedMail struct {
	Header  mail.Header
	Subject string
	Text    string
	HTML    string
}

func parseMail(t *testing.T, data []byte) parsedMail {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("ReadMessage: %v", err)
	}
	var p parsedMail
	p.Header = msg.Header
	dec := new(mime.WordDecoder)
	if p.Subject, err = dec.DecodeHeader(msg.Header.Get("Subject")); err != nil {
		t.Fatalf("Subject: %v", err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type = %q (%v), want multipart/alternative", msg.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		part, err := mr.NextPart() // decodes quoted-printable
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("NextPart: %v", err)
		}
		b, err := io.ReadAll(part)
		if err != nil {
			t.Fatal(err)
		}
		ct, cp, _ := mime.ParseMediaType(part.Header.Get("Content-Type"))
		if !strings.EqualFold(cp["charset"], "utf-8") {
			t.Errorf("part %s charset = %q, want UTF-8", ct, cp["charset"])
		}
		switch ct {
		case "text/plain":
			p.Text = string(b)
		case "text/html":
			p.HTML = string(b)
		default:
			t.Errorf("unexpected part %q", ct)
		}
	}
	if p.Text == "" || p.HTML == "" {
		t.Fatalf("want a text/plain and a text/html part; text %d bytes, html %d bytes", len(p.Text), len(p.HTML))
	}
	return p
}

func containsAll(t *testing.T, what, s string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(s, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, s)
		}
	}
}

func containsNone(t *testing.T, what, s string, unwanted ...string) {
	t.Helper()
	for _, w := range unwanted {
		if strings.Contains(s, w) {
			t.Errorf("%s contains %q:\n%s", what, w, s)
		}
	}
}

func TestSendLanguages(t *testing.T) {
	srv := (&smtpServer{}).start(t)
	m := plainMailer(t, srv)
	base := testNotice()

	tests := []struct {
		name     string
		edit     func(*Notice)
		subject  string
		text     []string // in this order
		notText  []string
		htmlWant []string
		lang     string
	}{
		{
			name:    "en upcoming",
			edit:    func(n *Notice) { n.Language = LangEN },
			subject: "[Cynllun] T1: Deadline in 5 school days (5 May 2026)",
			text: []string{"Statutory deadline reminder", "A statutory deadline for a learner is due in 5 school days.",
				"Deadline: T1 – Decide ALN and give an IDP or notice", "Due date: 5 May 2026", "Time left: 5 school days",
				base.Link, "Reference: deadline " + base.DeadlineID + ", learner " + base.LearnerID + ", notice " + base.ID},
			notText:  []string{"Mai", "dysgwr", "Terfyn"},
			htmlWant: []string{`lang="en"`, "5 May 2026", `href="` + base.Link + `"`, "Decide ALN and give an IDP or notice"},
			lang:     "en",
		},
		{
			name:    "cy due",
			edit:    func(n *Notice) { n.Language = LangCY; n.Kind = KindDue; n.Offset = 0 },
			subject: "[Cynllun] T1: Terfyn amser heddiw (5 Mai 2026)",
			text: []string{"Nodyn atgoffa am derfyn amser statudol", "Mae terfyn amser statudol ar gyfer dysgwr heddiw.",
				"Terfyn amser: T1 – Penderfynu ar ADY a rhoi CDU neu hysbysiad", "Dyddiad dyledus: 5 Mai 2026", "Dyledus: heddiw",
				base.Link, "Cyfeirnod: terfyn amser " + base.DeadlineID + ", dysgwr " + base.LearnerID + ", hysbysiad " + base.ID},
			notText:  []string{"May", "learner", "Deadline"},
			htmlWant: []string{`lang="cy"`, "5 Mai 2026", `href="` + base.Link + `"`, "Penderfynu ar ADY"},
			lang:     "cy",
		},
		{
			name:    "bilingual overdue, Welsh first",
			edit:    func(n *Notice) { n.Language = ""; n.Kind = KindOverdue; n.Offset = 3; n.OffsetUnit = UnitDays },
			subject: "[Cynllun] T1: Aeth y terfyn amser heibio 3 diwrnod yn ôl (5 Mai 2026) / Deadline passed 3 days ago (5 May 2026)",
			text: []string{"Aeth terfyn amser statudol ar gyfer dysgwr heibio 3 diwrnod yn ôl.", "Dyddiad dyledus: 5 Mai 2026",
				"Yn hwyr o: 3 diwrnod", base.Link, "----",
				"A statutory deadline for a learner passed 3 days ago.", "Due date: 5 May 2026", "Overdue by: 3 days", base.Link},
			htmlWant: []string{`<div lang="cy">`, "5 Mai 2026", "<hr", `<div lang="en">`, "5 May 2026"},
			lang:     "cy, en",
		},
		{
			name:    "bilingual upcoming, no link",
			edit:    func(n *Notice) { n.Link = ""; n.Offset = -2 },
			subject: "[Cynllun] T1: Terfyn amser ymhen 2 ddiwrnod ysgol (5 Mai 2026) / Deadline in 2 school days (5 May 2026)",
			text:    []string{"ymhen 2 ddiwrnod ysgol", "Amser ar ôl: 2 ddiwrnod ysgol", "due in 2 school days", "Time left: 2 school days"},
			notText: []string{"https://", "Open the deadline", "Agor y terfyn amser"},
			lang:    "cy, en",
		},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := base
			n.ID = n.ID + "-" + strconv.Itoa(i)
			tt.edit(&n)
			if err := m.Send(context.Background(), testTo, n); err != nil {
				t.Fatalf("Send: %v", err)
			}
			msgs := srv.Messages()
			got := msgs[len(msgs)-1]
			if got.From != testFrom || !slices.Equal(got.To, []string{testTo}) {
				t.Errorf("envelope from %q to %q", got.From, got.To)
			}
			p := parseMail(t, got.Data)
			if p.Subject != tt.subject {
				t.Errorf("Subject = %q\n want %q", p.Subject, tt.subject)
			}
			if id := p.Header.Get("Message-Id"); id != "<"+n.ID+"@cynllun>" || id != MessageID(n.ID) {
				t.Errorf("Message-ID = %q", id)
			}
			if h := p.Header.Get(HeaderNotice); h != n.ID {
				t.Errorf("%s = %q, want %q", HeaderNotice, h, n.ID)
			}
			if h := p.Header.Get("Content-Language"); h != tt.lang {
				t.Errorf("Content-Language = %q, want %q", h, tt.lang)
			}
			if h := p.Header.Get("Auto-Submitted"); h != "auto-generated" {
				t.Errorf("Auto-Submitted = %q", h)
			}
			if d, err := p.Header.Date(); err != nil || !d.Equal(n.At) {
				t.Errorf("Date = %v (%v), want %v", d, err, n.At)
			}
			if a, err := mail.ParseAddress(p.Header.Get("From")); err != nil || a.Address != testFrom || a.Name != "Cynllun" {
				t.Errorf("From = %q", p.Header.Get("From"))
			}
			if p.Header.Get("To") != "<"+testTo+">" {
				t.Errorf("To = %q", p.Header.Get("To"))
			}
			// The wording, in order.
			rest := p.Text
			for _, w := range tt.text {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Errorf("text lacks %q (in order):\n%s", w, p.Text)
					continue
				}
				rest = rest[i+len(w):]
			}
			containsNone(t, "text", p.Text, tt.notText...)
			containsAll(t, "html", html.UnescapeString(p.HTML), tt.htmlWant...)
			// The learner id appears in the reference line only (the link
			// names the deadline).
			if c := strings.Count(p.Text, n.LearnerID); c != len(n.languages()) {
				t.Errorf("learner id appears %d times in the text, want once per language", c)
			}
		})
	}
}

func TestSendSameNoticeSameMessageID(t *testing.T) {
	srv := (&smtpServer{}).start(t)
	m := plainMailer(t, srv)
	n := testNotice()
	for range 2 {
		if err := m.Send(context.Background(), testTo, n); err != nil {
			t.Fatal(err)
		}
	}
	msgs := srv.Messages()
	if len(msgs) != 2 {
		t.Fatalf("%d messages", len(msgs))
	}
	a, b := parseMail(t, msgs[0].Data), parseMail(t, msgs[1].Data)
	if a.Header.Get("Message-Id") != b.Header.Get("Message-Id") || a.Header.Get("Message-Id") != MessageID(n.ID) {
		t.Errorf("Message-IDs %q, %q", a.Header.Get("Message-Id"), b.Header.Get("Message-Id"))
	}
	if a.Text != b.Text || a.HTML != b.HTML || a.Subject != b.Subject {
		t.Error("a re-send differs")
	}
}

// TestSendRecordedRunsBeforeTheMessage: SendRecorded's before runs once,
// after the connection is set up (the server has it) and before anything
// of the message is sent; an error from it is returned as it is, with
// nothing sent; a failed connection never runs it.
func TestSendRecordedRunsBeforeTheMessage(t *testing.T) {
	srv := (&smtpServer{}).start(t)
	m := plainMailer(t, srv)
	calls := 0
	before := func() error {
		calls++
		if srv.conns.Load() != 1 || len(srv.Messages()) != 0 {
			t.Errorf("before ran with %d connections and %d messages, want 1 and 0", srv.conns.Load(), len(srv.Messages()))
		}
		return nil
	}
	if err := m.SendRecorded(context.Background(), testTo, testNotice(), before); err != nil || calls != 1 || len(srv.Messages()) != 1 {
		t.Fatalf("send: %v, before ran %d times, %d messages", err, calls, len(srv.Messages()))
	}

	refused := cynllun.Internal("test.record", errors.New("the database is down"))
	err := m.SendRecorded(context.Background(), testTo, testNotice(), func() error { return refused })
	if err != refused || len(srv.Messages()) != 1 {
		t.Fatalf("before failing: %v, %d messages; want its error and nothing sent", err, len(srv.Messages()))
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close() // nothing listens there
	down, err := NewMailer(MailConfig{Host: "127.0.0.1", Port: port, From: testFrom, TLS: TLSNone, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ran := false
	if err := down.SendRecorded(context.Background(), testTo, testNotice(), func() error { ran = true; return nil }); err == nil || ran {
		t.Fatalf("no server: %v, before ran %v", err, ran)
	}
}

func TestSendRecipientWithDisplayName(t *testing.T) {
	srv := (&smtpServer{}).start(t)
	m := plainMailer(t, srv)
	if err := m.Send(context.Background(), "ALN Co-ordinator <"+testTo+">", testNotice()); err != nil {
		t.Fatal(err)
	}
	got := srv.Messages()[0]
	if !slices.Equal(got.To, []string{testTo}) {
		t.Errorf("RCPT = %q", got.To)
	}
	if p := parseMail(t, got.Data); p.Header.Get("To") != "<"+testTo+">" {
		t.Errorf("To = %q: only the address is used", p.Header.Get("To"))
	}
}

// noLeak fails t if err's text holds the recipient address or notice content.
func noLeak(t *testing.T, err error, secrets ...string) {
	t.Helper()
	t.Logf("error: %v", err)
	for _, s := range secrets {
		if strings.Contains(err.Error(), s) {
			t.Errorf("error %q contains %q", err, s)
		}
	}
}

func TestSendErrors(t *testing.T) {
	n := testNotice()
	leaks := []string{testTo, "alncoordinator", n.Rule.EN, n.Link}

	t.Run("550 to RCPT is INVALID", func(t *testing.T) {
		srv := (&smtpServer{rcptErr: &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "<" + testTo + ">: mailbox unavailable"}}).start(t)
		err := plainMailer(t, srv).Send(context.Background(), testTo, n)
		e := wantCode(t, err, cynllun.CodeInvalid)
		var se *SMTPError
		if !errors.As(err, &se) || se.Code != 550 || se.Enhanced != "5.1.1" || se.Stage != "RCPT TO" {
			t.Errorf("cause = %#v", e.Err)
		}
		noLeak(t, err, leaks...)
		if len(srv.Messages()) != 0 {
			t.Error("a message was accepted")
		}
	})
	t.Run("451 to RCPT is INTERNAL", func(t *testing.T) {
		srv := (&smtpServer{rcptErr: &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "<" + testTo + ">: try again later"}}).start(t)
		err := plainMailer(t, srv).Send(context.Background(), testTo, n)
		wantCode(t, err, cynllun.CodeInternal)
		var se *SMTPError
		if !errors.As(err, &se) || se.Code != 451 || !se.Temporary() {
			t.Errorf("cause = %v", err)
		}
		noLeak(t, err, leaks...)
	})
	t.Run("550 5.1.1 after DATA is INVALID", func(t *testing.T) {
		srv := (&smtpServer{dataErr: &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "<" + testTo + ">: no such user"}}).start(t)
		err := plainMailer(t, srv).Send(context.Background(), testTo, n)
		wantCode(t, err, cynllun.CodeInvalid)
		noLeak(t, err, leaks...)
	})
	t.Run("554 after DATA is INTERNAL", func(t *testing.T) {
		srv := (&smtpServer{dataErr: &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "content rejected"}}).start(t)
		err := plainMailer(t, srv).Send(context.Background(), testTo, n)
		wantCode(t, err, cynllun.CodeInternal)
		noLeak(t, err, leaks...)
	})
	t.Run("closed port is INTERNAL", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		m, err := NewMailer(MailConfig{Host: "127.0.0.1", Port: port, From: testFrom, TLS: TLSNone, Timeout: 2 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		err = m.Send(context.Background(), testTo, n)
		wantCode(t, err, cynllun.CodeInternal)
		var ne net.Error
		var oe *net.OpError
		if !errors.As(err, &oe) && !errors.As(err, &ne) {
			t.Errorf("cause is not a network error: %v", err)
		}
		noLeak(t, err, leaks...)
	})
	t.Run("silent server times out, INTERNAL", func(t *testing.T) {
		port, hungUp := rawServer(t, func(net.Conn) {}) // never greets
		m, err := NewMailer(MailConfig{Host: "127.0.0.1", Port: port, From: testFrom, TLS: TLSNone, Timeout: 300 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		err = m.Send(context.Background(), testTo, n)
		wantCode(t, err, cynllun.CodeInternal)
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() {
			t.Errorf("cause is not a timeout: %v", err)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("took %v", d)
		}
		waitHangUp(t, hungUp)
	})
	t.Run("context deadline bounds the conversation", func(t *testing.T) {
		port, hungUp := rawServer(t, func(net.Conn) {})
		m, err := NewMailer(MailConfig{Host: "127.0.0.1", Port: port, From: testFrom, TLS: TLSNone, Timeout: time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		start := time.Now()
		wantCode(t, m.Send(ctx, testTo, n), cynllun.CodeInternal)
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("took %v", d)
		}
		waitHangUp(t, hungUp)
	})
	t.Run("cancelling the context closes the connection", func(t *testing.T) {
		port, hungUp := rawServer(t, func(c net.Conn) { _, _ = io.WriteString(c, "220 slow.example ESMTP\r\n") })
		m, err := NewMailer(MailConfig{Host: "127.0.0.1", Port: port, From: testFrom, TLS: TLSNone, Timeout: time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(200*time.Millisecond, cancel)
		start := time.Now()
		err = m.Send(ctx, testTo, n)
		wantCode(t, err, cynllun.CodeInternal)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want it to wrap context.Canceled", err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("took %v", d)
		}
		waitHangUp(t, hungUp)
	})
	t.Run("a failed EHLO or STARTTLS does not leave the connection open", func(t *testing.T) {
		// go-mail returns without closing the connection when the session
		// set-up fails; Send closes it.
		port, hungUp := rawServer(t, func(c net.Conn) {
			_, _ = io.WriteString(c, "220 relay.example ESMTP\r\n")
			buf := make([]byte, 512)
			_, _ = c.Read(buf) // EHLO
			_, _ = io.WriteString(c, "250-relay.example\r\n250 8BITMIME\r\n")
		})
		m, err := NewMailer(MailConfig{Host: "127.0.0.1", Port: port, From: testFrom, Timeout: time.Minute}) // starttls
		if err != nil {
			t.Fatal(err)
		}
		wantCode(t, m.Send(context.Background(), testTo, n), cynllun.CodeInternal)
		waitHangUp(t, hungUp)
	})
	t.Run("invalid address is INVALID without contacting the server", func(t *testing.T) {
		srv := (&smtpServer{}).start(t)
		m := plainMailer(t, srv)
		for _, to := range []string{"", "not an address", "a@", "@b.example", "a@b.example, c@d.example",
			"a@b.example\r\nBcc: c@d.example", "a@b.example>", strings.Repeat("a", 320) + "@b.example"} {
			err := m.Send(context.Background(), to, n)
			e := wantCode(t, err, cynllun.CodeInvalid)
			if to != "" {
				noLeak(t, err, to)
			}
			if len(e.Fields) != 1 || e.Fields[0].Field != "to" {
				t.Errorf("%q: fields %v", to, e.Fields)
			}
		}
		if c := srv.conns.Load(); c != 0 {
			t.Errorf("%d connections to the server", c)
		}
	})
	t.Run("invalid notice is INVALID without contacting the server", func(t *testing.T) {
		srv := (&smtpServer{}).start(t)
		m := plainMailer(t, srv)
		for name, edit := range invalidNotices() {
			bad := testNotice()
			edit(&bad)
			if err := m.Send(context.Background(), testTo, bad); cynllun.ErrorCode(err) != cynllun.CodeInvalid {
				t.Errorf("%s: err = %v, want INVALID", name, err)
			}
		}
		if c := srv.conns.Load(); c != 0 {
			t.Errorf("%d connections to the server", c)
		}
	})
}

// rawServer accepts one connection on 127.0.0.1, runs script on it and
// then reads until the client hangs up, which it reports on the channel.
func rawServer(t *testing.T, script func(net.Conn)) (port int, hungUp <-chan struct{}) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		script(c)
		_ = c.SetReadDeadline(time.Now().Add(30 * time.Second))
		_, _ = io.Copy(io.Discard, c)
		close(done)
	})
	t.Cleanup(func() { l.Close(); wg.Wait() })
	return l.Addr().(*net.TCPAddr).Port, done
}

func waitHangUp(t *testing.T, hungUp <-chan struct{}) {
	t.Helper()
	select {
	case <-hungUp:
	case <-time.After(3 * time.Second):
		t.Error("the client left the connection open")
	}
}

func TestSendTLS(t *testing.T) {
	cert, pool := selfSigned(t)
	serverTLS := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	n := testNotice()

	t.Run("starttls with AUTH", func(t *testing.T) {
		srv := (&smtpServer{tlsCfg: serverTLS, user: "cynllun", pass: "s3cret-relay-password"}).start(t)
		m, err := NewMailer(MailConfig{Host: srv.Host, Port: srv.Port, From: testFrom, Username: "cynllun", Password: "s3cret-relay-password",
			Timeout: 5 * time.Second, TLSConfig: &tls.Config{RootCAs: pool}})
		if err != nil {
			t.Fatal(err)
		}
		if err := m.Send(context.Background(), testTo, n); err != nil {
			t.Fatalf("Send: %v", err)
		}
		if msgs := srv.Messages(); len(msgs) != 1 || !msgs[0].TLS {
			t.Fatalf("messages %d, want 1 over TLS", len(msgs))
		}
	})
	t.Run("starttls, wrong password is INTERNAL and does not leak it", func(t *testing.T) {
		srv := (&smtpServer{tlsCfg: serverTLS, user: "cynllun", pass: "right"}).start(t)
		m, err := NewMailer(MailConfig{Host: srv.Host, Port: srv.Port, From: testFrom, Username: "cynllun", Password: "wrong-password",
			Timeout: 5 * time.Second, TLSConfig: &tls.Config{RootCAs: pool}})
		if err != nil {
			t.Fatal(err)
		}
		err = m.Send(context.Background(), testTo, n)
		wantCode(t, err, cynllun.CodeInternal)
		noLeak(t, err, "wrong-password", testTo)
	})
	t.Run("starttls refuses a server without STARTTLS", func(t *testing.T) {
		srv := (&smtpServer{}).start(t)
		m, err := NewMailer(MailConfig{Host: srv.Host, Port: srv.Port, From: testFrom, Timeout: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		wantCode(t, m.Send(context.Background(), testTo, n), cynllun.CodeInternal)
		if len(srv.Messages()) != 0 {
			t.Error("sent in plain text")
		}
	})
	t.Run("starttls refuses an untrusted certificate", func(t *testing.T) {
		srv := (&smtpServer{tlsCfg: serverTLS}).start(t)
		m, err := NewMailer(MailConfig{Host: srv.Host, Port: srv.Port, From: testFrom, Timeout: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		wantCode(t, m.Send(context.Background(), testTo, n), cynllun.CodeInternal)
		if len(srv.Messages()) != 0 {
			t.Error("sent to an untrusted server")
		}
	})
	t.Run("implicit tls", func(t *testing.T) {
		srv := (&smtpServer{tlsCfg: serverTLS, implicit: true}).start(t)
		m, err := NewMailer(MailConfig{Host: srv.Host, Port: srv.Port, From: testFrom, TLS: TLSImplicit,
			Timeout: 5 * time.Second, TLSConfig: &tls.Config{RootCAs: pool}})
		if err != nil {
			t.Fatal(err)
		}
		if err := m.Send(context.Background(), testTo, n); err != nil {
			t.Fatalf("Send: %v", err)
		}
		if msgs := srv.Messages(); len(msgs) != 1 || !msgs[0].TLS {
			t.Fatalf("want 1 message over TLS")
		}
	})
}

func TestNewMailer(t *testing.T) {
	ok := MailConfig{Host: "smtp.example", From: testFrom}
	m, err := NewMailer(ok)
	if err != nil {
		t.Fatal(err)
	}
	if m.cfg.Port != 587 || m.cfg.TLS != TLSStartTLS || m.cfg.Timeout != DefaultMailTimeout {
		t.Errorf("defaults: %+v", m.cfg)
	}
	for _, c := range []struct {
		tls  string
		port int
	}{{TLSImplicit, 465}, {TLSNone, 25}} {
		m, err := NewMailer(MailConfig{Host: "smtp.example", From: testFrom, TLS: c.tls})
		if err != nil || m.cfg.Port != c.port {
			t.Errorf("%s: port %v, %v", c.tls, m, err)
		}
	}
	bad := map[string]MailConfig{
		"no host":          {From: testFrom},
		"host with space":  {Host: "smtp example", From: testFrom},
		"no from":          {Host: "smtp.example"},
		"bad from":         {Host: "smtp.example", From: "noreply"},
		"bad tls":          {Host: "smtp.example", From: testFrom, TLS: "ssl"},
		"bad port":         {Host: "smtp.example", From: testFrom, Port: 70000},
		"auth over plain":  {Host: "smtp.example", From: testFrom, TLS: TLSNone, Username: "u", Password: "p"},
		"negative timeout": {Host: "smtp.example", From: testFrom, Timeout: -time.Second},
		"bad helo":         {Host: "smtp.example", From: testFrom, HeloName: "a b"},
	}
	for name, cfg := range bad {
		if _, err := NewMailer(cfg); cynllun.ErrorCode(err) != cynllun.CodeInvalid {
			t.Errorf("%s: err = %v, want INVALID", name, err)
		}
	}
}

// The email templates can see only the fields of emailData and
// emailLayout, and those hold ids, dates and the rule's title: no name or
// plan content can reach an email.
func TestTemplatesReferenceOnlyIDs(t *testing.T) {
	wantData := []string{"Kind", "RuleID", "Rule", "Due", "Days", "Link", "DeadlineID", "LearnerID", "NoticeID"}
	if got := structFields(emailData{}); !slices.Equal(got, wantData) {
		t.Fatalf("emailData fields = %v, want %v: anything added must be an id or a date", got, wantData)
	}
	if got := structFields(emailLayout{}); !slices.Equal(got, []string{"CY", "EN"}) {
		t.Fatalf("emailLayout fields = %v", got)
	}
	allowed := map[string]bool{"CY": true, "EN": true}
	for _, f := range wantData {
		allowed[f] = true
	}
	var trees []*parse.Tree
	for _, tt := range textTemplates {
		for _, x := range tt.Templates() {
			trees = append(trees, x.Tree)
		}
	}
	for _, x := range htmlTemplate.Templates() {
		trees = append(trees, x.Tree)
	}
	used := map[string]bool{}
	for _, tree := range trees {
		if tree == nil || tree.Root == nil {
			continue
		}
		walkFields(tree.Root, func(name string) { used[name] = true })
	}
	for name := range used {
		if !allowed[name] {
			t.Errorf("a template references .%s", name)
		}
	}
	for _, must := range []string{"RuleID", "Due", "Days", "Link", "LearnerID", "CY", "EN"} {
		if !used[must] {
			t.Errorf("no template references .%s (the walk is broken?)", must)
		}
	}
}

func structFields(v any) []string {
	rt := reflect.TypeOf(v)
	var names []string
	for i := range rt.NumField() {
		names = append(names, rt.Field(i).Name)
	}
	return names
}

// walkFields calls f with every field name a template node references.
func walkFields(n parse.Node, f func(string)) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			walkFields(c, f)
		}
	case *parse.ActionNode:
		walkFields(n.Pipe, f)
	case *parse.PipeNode:
		if n == nil {
			return
		}
		for _, c := range n.Cmds {
			walkFields(c, f)
		}
	case *parse.CommandNode:
		for _, a := range n.Args {
			walkFields(a, f)
		}
	case *parse.FieldNode:
		for _, id := range n.Ident {
			f(id)
		}
	case *parse.ChainNode:
		walkFields(n.Node, f)
		for _, id := range n.Field {
			f(id)
		}
	case *parse.VariableNode:
		for _, id := range n.Ident[1:] {
			f(id)
		}
	case *parse.IfNode:
		walkFields(n.Pipe, f)
		walkFields(n.List, f)
		walkFields(n.ElseList, f)
	case *parse.WithNode:
		walkFields(n.Pipe, f)
		walkFields(n.List, f)
		walkFields(n.ElseList, f)
	case *parse.RangeNode:
		walkFields(n.Pipe, f)
		walkFields(n.List, f)
		walkFields(n.ElseList, f)
	case *parse.TemplateNode:
		walkFields(n.Pipe, f)
	}
}
