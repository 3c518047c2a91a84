package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/locale"
	"github.com/cynllun/cynllun/quality"
	"github.com/cynllun/cynllun/routes"
)

// The plan rules' titles are messages too (the field errors of a plan
// refused for its ERROR findings): their reason is the rule's code. So are
// the routes explained (a case its decision's route does not allow is
// refused with the route quoted): data in both languages.
func init() {
	for _, r := range quality.PlanRules() {
		locale.Register(locale.Message{Reason: r.Code, EN: r.Title.EN, CY: r.Title.CY})
	}
	for _, r := range routes.All() {
		e := r.Explanation()
		locale.Register(locale.Message{Reason: "ROUTE", EN: e.EN, CY: e.CY})
	}
}

// ErrorPresenter maps every error once, at the GraphQL edge, to a safe
// message and extensions.code. Domain errors keep their code and field
// errors; gqlgen's own parse, validation and input-coercion errors become
// INVALID; anything else is INTERNAL with the cause logged, never shown.
// Every message, field messages too, is given in the language the request
// asked for (locale.From: Welsh or English), with its stable reason in
// extensions.reason (and extensions.fields[].reason): codes are never part
// of a message's text.
func ErrorPresenter(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		if ce := ContextError(err); ce != nil {
			// The request's deadline passed or its client went: not a
			// fault of the service, so no ERROR log.
			log.InfoContext(ctx, "request stopped", "code", string(ce.Code))
			out := &gqlerror.Error{Extensions: map[string]any{"code": string(ce.Code)}}
			out.Message = localise(ctx, log, ce.Message, out.Extensions)
			if fc := graphql.GetFieldContext(ctx); fc != nil {
				out.Path = fc.Path()
			}
			return out
		}
		var gqlErr *gqlerror.Error
		var domErr *cynllun.Error
		switch {
		case errors.As(err, &domErr):
			out := present(ctx, domErr, log)
			// A scalar's error (Date, Time) carries the input path gqlgen
			// was reading, below the field's: that is the field it names.
			if domErr.Code == cynllun.CodeInvalid && len(domErr.Fields) == 0 && errors.As(err, &gqlErr) &&
				len(gqlErr.Path) > len(out.Path) && pathHasPrefix(gqlErr.Path, out.Path) {
				out.Extensions["fields"] = []map[string]string{fieldError(ctx, log, FieldPath(gqlErr.Path[len(out.Path):]), domErr.Message)}
			}
			return out
		case errors.As(err, &gqlErr) && gqlErr.Err != nil:
			// A resolver's error that is not a domain error: a bug or an
			// unexpected failure, never shown.
			out := present(ctx, cynllun.Internal("graph", gqlErr.Err), log)
			if len(gqlErr.Path) > 0 {
				out.Path = gqlErr.Path
			}
			return out
		case errors.As(err, &gqlErr):
			// Parse, validation and coercion errors from gqlgen and
			// gqlparser (they wrap no cause): the request itself is wrong.
			// Their messages name fields and types from the schema, not
			// submitted values. Their own code (GRAPHQL_VALIDATION_FAILED,
			// QUERY_TOO_LARGE …) is the reason.
			out := &gqlerror.Error{
				Path:      gqlErr.Path,
				Locations: gqlErr.Locations,
				Rule:      gqlErr.Rule,
				Extensions: map[string]any{
					"code": string(cynllun.CodeInvalid),
				},
			}
			c, _ := gqlErr.Extensions["code"].(string)
			out.Message = localiseRequest(ctx, gqlErr.Message, c, out.Extensions)
			if c != "" && c != string(cynllun.CodeInvalid) {
				out.Extensions["reason"] = c
			}
			// Variables' errors name the variable's field, as domain
			// errors do: extensions.fields [{field: "input.language"}].
			if f, ok := gqlErr.Extensions["fields"].([]map[string]string); ok {
				fields := make([]map[string]string, len(f))
				for i, fe := range f {
					fields[i] = fieldError(ctx, log, fe["field"], fe["message"])
				}
				out.Extensions["fields"] = fields
			} else if f, ok := gqlErr.Extensions["fields"]; ok {
				out.Extensions["fields"] = f
			} else if len(gqlErr.Path) > 1 && gqlErr.Path[0] == ast.PathName("variable") {
				out.Extensions["fields"] = []map[string]string{fieldError(ctx, log, FieldPath(gqlErr.Path[1:]), gqlErr.Message)}
			}
			return out
		default:
			return present(ctx, cynllun.Internal("graph", err), log)
		}
	}
}

// localise returns msg in the request's language and puts its reason in
// ext. A message the catalogue does not hold is a bug (every message a
// client can see is there; locale's tests read the source for them): it is
// logged and given in English.
func localise(ctx context.Context, log *slog.Logger, msg string, ext map[string]any) string {
	text, reason, ok := locale.Translate(locale.From(ctx), msg)
	if !ok {
		// Messages are safe to show (they never hold submitted values or
		// a child's data), so they are safe to log.
		log.WarnContext(ctx, "message not in the catalogue", "message", msg)
	}
	if reason != "" {
		ext["reason"] = reason
	}
	return text
}

// localiseRequest is localise for gqlgen's and gqlparser's messages about
// the request itself. The catalogue holds the common ones; for another, a
// Welsh answer says in Welsh what is wrong (by the error's code) and keeps
// gqlparser's English in extensions.detail.
func localiseRequest(ctx context.Context, msg, code string, ext map[string]any) string {
	lang := locale.From(ctx)
	text, reason, ok := locale.Translate(lang, msg)
	if ok {
		if reason != "" {
			ext["reason"] = reason
		}
		return text
	}
	if lang == locale.EN {
		return msg
	}
	general := "the query does not agree with the schema"
	if code == "GRAPHQL_PARSE_FAILED" {
		general = "the query is not valid GraphQL"
	}
	text, _, _ = locale.Translate(lang, general)
	ext["detail"] = msg
	return text
}

// fieldError is one entry of extensions.fields: the field, its message in
// the request's language and the message's reason.
func fieldError(ctx context.Context, log *slog.Logger, field, msg string) map[string]string {
	out := map[string]string{"field": field}
	ext := map[string]any{}
	out["message"] = localise(ctx, log, msg, ext)
	if r, ok := ext["reason"].(string); ok {
		out["reason"] = r
	}
	return out
}

func pathHasPrefix(p, prefix ast.Path) bool {
	for i := range prefix {
		if p[i] != prefix[i] {
			return false
		}
	}
	return true
}

// Codes of requests stopped before their end.
const (
	// CodeTimeout: the request ran past its time limit.
	CodeTimeout cynllun.Code = "TIMEOUT"
	// CodeCancelled: the client went before the answer was ready.
	CodeCancelled cynllun.Code = "CANCELLED"
)

// ContextError returns the typed error for err when it is (or wraps) a
// context's end, nil otherwise.
func ContextError(err error) *cynllun.Error {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return &cynllun.Error{Code: CodeTimeout, Op: "graph", Message: "the request took longer than its time limit; ask for less at once", Err: err}
	case errors.Is(err, context.Canceled):
		return &cynllun.Error{Code: CodeCancelled, Op: "graph", Message: "the request was cancelled", Err: err}
	}
	return nil
}

func present(ctx context.Context, e *cynllun.Error, log *slog.Logger) *gqlerror.Error {
	ext := map[string]any{"code": string(e.Code)}
	var msg string
	switch e.Code {
	case cynllun.CodeInternal:
		// The cause may hold anything; it goes to the log (which carries
		// ids and ops only), the client sees a fixed message.
		log.ErrorContext(ctx, "internal error", "op", e.Op, "err", e.Err)
		msg = localise(ctx, log, "internal error", ext)
	case cynllun.CodeConflict:
		if e.Current > 0 {
			ext["currentVersion"] = e.Current
		}
	case cynllun.CodeRateLimited:
		ext["retryAfter"] = cynllun.RetryAfterSeconds(e.RetryAfter)
	case cynllun.CodeInvalid:
		if len(e.Fields) > 0 {
			fields := make([]map[string]string, len(e.Fields))
			for i, f := range e.Fields {
				fields[i] = fieldError(ctx, log, inputPath(ctx, f.Field), f.Message)
			}
			ext["fields"] = fields
			// One field: the message is "field: its message"
			// (cynllun.Invalid), put together again in the
			// request's language, with the field's reason.
			if f := e.Fields[0]; len(e.Fields) == 1 && e.Message == f.Field+": "+f.Message {
				msg = fields[0]["field"] + ": " + fields[0]["message"]
				if r := fields[0]["reason"]; r != "" {
					ext["reason"] = r
				}
			}
		}
	}
	if msg == "" && e.Message != "" {
		msg = localise(ctx, log, e.Message, ext)
	}
	if msg == "" {
		msg = string(e.Code)
	}
	out := &gqlerror.Error{Message: msg, Extensions: ext}
	if fc := graphql.GetFieldContext(ctx); fc != nil {
		out.Path = fc.Path()
	}
	return out
}

// inputPath names a mutation's field error by its path in the request:
// every mutation takes one argument, input, so a field the service names
// relative to it ("reason", "sessions.0.date") is "input.reason".
func inputPath(ctx context.Context, field string) string {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Object != "Mutation" || field == "input" || strings.HasPrefix(field, "input.") {
		return field
	}
	return "input." + field
}

// Recover turns a resolver panic into an INTERNAL error.
func Recover(log *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, p any) error {
		log.ErrorContext(ctx, "panic in resolver", "panic", fmt.Sprint(p))
		return cynllun.Internal("graph.panic", fmt.Errorf("panic: %v", p))
	}
}
