// Package cynllun holds the domain of Cynllun: learners, organisations,
// Individual Development Plans and their immutable versions, the form
// definition, access relationships and audit events. It imports no driver,
// transport or queue library; adapters convert to and from these types at
// their boundary.
package cynllun

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Code classifies an error. It is what a client sees in extensions.code and
// what the worker uses to decide whether to retry.
type Code string

const (
	CodeUnauthenticated Code = "UNAUTHENTICATED"
	CodeForbidden       Code = "FORBIDDEN"
	CodeNotFound        Code = "NOT_FOUND"
	CodeInvalid         Code = "INVALID"
	CodeConflict        Code = "CONFLICT"
	// CodeRateLimited: the caller is over a rate or concurrency limit and
	// may try again after Error.RetryAfter (HTTP 429 with Retry-After).
	CodeRateLimited Code = "RATE_LIMITED"
	CodeInternal    Code = "INTERNAL"
)

// FieldError names one invalid input field. Field is a dotted path in the
// input ("content.provision.2.startDate"); Message is safe to show a user and
// never echoes the submitted value. Messages are written in English; the
// GraphQL edge gives them in the request's language from the catalogue of
// package locale, with their reason (a new message goes in the catalogue).
type FieldError struct {
	Field   string
	Message string
}

// Error is the single error model of the project: a code, the operation that
// failed, a message safe to show to a client, optional field errors and an
// optional wrapped cause (never shown to clients).
type Error struct {
	Code    Code
	Op      string
	Message string
	Fields  []FieldError
	// Current is set on CONFLICT errors from version saves: the number of the
	// version that is current now.
	Current int
	// RetryAfter is set on RATE_LIMITED errors: when the caller may try
	// again.
	RetryAfter time.Duration
	Err        error
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	b.WriteString(string(e.Code))
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	for _, f := range e.Fields {
		fmt.Fprintf(&b, "; %s: %s", f.Field, f.Message)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// E builds an *Error.
func E(code Code, op, message string) *Error {
	return &Error{Code: code, Op: op, Message: message}
}

// Internal wraps an unexpected failure. The cause is kept for logs; clients
// see only "internal error".
func Internal(op string, err error) *Error {
	return &Error{Code: CodeInternal, Op: op, Message: "internal error", Err: err}
}

// Invalid builds an INVALID error from field errors.
func Invalid(op string, fields ...FieldError) *Error {
	msg := "invalid input"
	if len(fields) == 1 {
		msg = fields[0].Field + ": " + fields[0].Message
	}
	return &Error{Code: CodeInvalid, Op: op, Message: msg, Fields: fields}
}

// NotFound is what a caller sees both for a missing object and for one it may
// not see, so that existence is not leaked.
func NotFound(op, what string) *Error {
	return &Error{Code: CodeNotFound, Op: op, Message: what + " not found"}
}

// RateLimited builds a RATE_LIMITED error: the caller may try again after
// retryAfter.
func RateLimited(op string, retryAfter time.Duration) *Error {
	return &Error{Code: CodeRateLimited, Op: op, Message: "too many requests: try again later", RetryAfter: retryAfter}
}

// RetryAfterSeconds is d in whole seconds, rounded up, at least 1: the
// value of an HTTP Retry-After header.
func RetryAfterSeconds(d time.Duration) int {
	s := int((d + time.Second - 1) / time.Second)
	return max(s, 1)
}

// ErrorCode returns the code of err, INTERNAL for foreign errors and "" for nil.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// AsError returns err as *Error, wrapping foreign errors as INTERNAL. It
// returns a nil *Error for nil: never return its result as an error without
// checking err first, or a nil becomes a non-nil error interface.
func AsError(op string, err error) *Error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return Internal(op, err)
}
