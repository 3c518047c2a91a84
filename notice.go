package cynllun

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"
)

// NoticeKind says where a notice stands against its deadline.
type NoticeKind string

const (
	NoticeUpcoming NoticeKind = "deadline.upcoming" // before the due date
	NoticeDue      NoticeKind = "deadline.due"      // on the due date
	NoticeOverdue  NoticeKind = "deadline.overdue"  // after it
)

// Channel is how a notice is delivered.
type Channel string

const (
	ChannelEmail   Channel = "EMAIL"
	ChannelWebhook Channel = "WEBHOOK"
)

// NoticeStatus is where a notice is in its delivery.
type NoticeStatus string

const (
	NoticePending NoticeStatus = "PENDING" // raised, queued or waiting for a retry
	NoticeSent    NoticeStatus = "SENT"
	NoticeFailed  NoticeStatus = "FAILED"  // given up: ErrorCode says why
	NoticeSkipped NoticeStatus = "SKIPPED" // not sent: the deadline was closed, or the endpoint disabled
	// NoticeSending is recorded just before a delivery's message leaves
	// (before the SMTP envelope and DATA; before the webhook POST) and
	// replaced by the outcome after it. A later attempt that finds it
	// knows the worker stopped during an attempt whose outcome is unknown.
	NoticeSending NoticeStatus = "SENDING"
	// NoticeUncertain is an email whose attempt's outcome is unknown (the
	// worker stopped during it) and that is not sent again, by the policy
	// NOTICE_EMAIL_UNCERTAIN=hold: the mail relay's log, searched for its
	// Message-ID, tells whether it left.
	NoticeUncertain NoticeStatus = "UNCERTAIN"
)

// Finished reports whether the notice will not change again.
func (s NoticeStatus) Finished() bool { return s != NoticePending && s != NoticeSending }

// Notice is one reminder of a deadline to one recipient at one offset. Its
// id is derived from the three, so a notice is raised at most once however
// many scanners run, and the id is the idempotency key every delivery
// carries (the email's Message-ID, the webhook-id).
type Notice struct {
	ID         string
	DeadlineID string
	LearnerID  string
	OrgID      string
	RuleID     string
	Due        Date
	// Offset is the number of days (school days for school-day rules)
	// before (negative) or after the due date; 0 on the day.
	Offset     int
	OffsetUnit string // "SCHOOL_DAYS" or "DAYS"
	Kind       NoticeKind
	Channel    Channel
	// Recipient is a user id (email) or a webhook endpoint id.
	Recipient string
	Status    NoticeStatus
	Attempts  int
	ErrorCode Code
	CreatedAt time.Time
	UpdatedAt time.Time
	SentAt    time.Time
	// AttemptedAt is when the last attempt's message began to leave
	// (status SENDING); zero before the first.
	AttemptedAt time.Time
}

// NoticeID is the id of the notice of a deadline at an offset to a recipient.
func NoticeID(deadlineID string, offset int, ch Channel, recipient string) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%s/%d/%s/%s", deadlineID, offset, ch, recipient))
	return PrefixNotice + hex.EncodeToString(sum[:12])
}

// Delivery is one attempt to deliver a notice: the delivery log.
type Delivery struct {
	ID         string
	NoticeID   string
	Attempt    int
	At         time.Time
	OK         bool
	HTTPStatus int
	ErrorCode  Code
	// Detail says why an attempt failed, in words safe to show (the
	// error's message, e.g. "blocked: destination not allowed"); "" when
	// it succeeded.
	Detail string
}

// WebhookEndpoint is a front-end's subscription to an organisation's
// deadline notices, signed per the Standard Webhooks scheme with its own
// secrets (the first signs; during a rotation the previous one signs too).
type WebhookEndpoint struct {
	ID        string
	OrgID     string
	URL       string
	Secrets   []string
	CreatedAt time.Time
	CreatedBy string
	// Failures counts permanent failures in a row; at the limit, or on
	// 410 Gone, the endpoint is disabled.
	Failures       int
	DisabledAt     time.Time
	DisabledReason string
}

// Active reports whether the endpoint still receives notices.
func (e *WebhookEndpoint) Active() bool { return e.DisabledAt.IsZero() }
