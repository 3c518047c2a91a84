package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/cynllun/cynllun"
)

// ErrorPresenter maps every error once, at the GraphQL edge, to a safe
// message and extensions.code. Domain errors keep their code, message and
// field errors; gqlgen's own parse, validation and input-coercion errors
// become INVALID; anything else is INTERNAL with the cause logged, never
// shown.
func ErrorPresenter(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		if ce := ContextError(err); ce != nil {
			// The request's deadline passed or its client went: not a
			// fault of the service, so no ERROR log.
			log.InfoContext(ctx, "request stopped", "code", string(ce.Code))
			out := &gqlerror.Error{Message: ce.Message, Extensions: map[string]any{"code": string(ce.Code)}}
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
				out.Extensions["fields"] = []map[string]string{{"field": FieldPath(gqlErr.Path[len(out.Path):]), "message": domErr.Message}}
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
			// submitted values.
			out := &gqlerror.Error{
				Message:   gqlErr.Message,
				Path:      gqlErr.Path,
				Locations: gqlErr.Locations,
				Rule:      gqlErr.Rule,
				Extensions: map[string]any{
					"code": string(cynllun.CodeInvalid),
				},
			}
			if c, ok := gqlErr.Extensions["code"].(string); ok && c != string(cynllun.CodeInvalid) {
				out.Extensions["reason"] = c
			}
			// Variables' errors name the variable's field, as domain
			// errors do: extensions.fields [{field: "input.language"}].
			if f, ok := gqlErr.Extensions["fields"]; ok {
				out.Extensions["fields"] = f
			} else if len(gqlErr.Path) > 1 && gqlErr.Path[0] == ast.PathName("variable") {
				out.Extensions["fields"] = []map[string]string{{"field": FieldPath(gqlErr.Path[1:]), "message": gqlErr.Message}}
			}
			return out
		default:
			return present(ctx, cynllun.Internal("graph", err), log)
		}
	}
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
	msg := e.Message
	switch e.Code {
	case cynllun.CodeInternal:
		// The cause may hold anything; it goes to the log (which carries
		// ids and ops only), the client sees a fixed message.
		log.ErrorContext(ctx, "internal error", "op", e.Op, "err", e.Err)
		msg = "internal error"
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
				fields[i] = map[string]string{"field": f.Field, "message": f.Message}
			}
			ext["fields"] = fields
		}
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

// Recover turns a resolver panic into an INTERNAL error.
func Recover(log *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, p any) error {
		log.ErrorContext(ctx, "panic in resolver", "panic", fmt.Sprint(p))
		return cynllun.Internal("graph.panic", fmt.Errorf("panic: %v", p))
	}
}
