package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/99designs/gqlgen/graphql"
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
		var gqlErr *gqlerror.Error
		var domErr *cynllun.Error
		switch {
		case errors.As(err, &domErr):
			return present(ctx, domErr, log)
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
			if c, ok := gqlErr.Extensions["code"].(string); ok {
				out.Extensions["reason"] = c
			}
			return out
		default:
			return present(ctx, cynllun.Internal("graph", err), log)
		}
	}
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
