package cynllun

import "context"

// A request id names one API request in logs, errors, traces and the
// jobs it starts (server/requestid.go gives every request one). It says
// nothing about the request's content: a plain token of at most 64
// letters, digits, '.', '_' or '-'.

type requestIDKey struct{}

// WithRequestID returns ctx carrying the request id id.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID returns the request id in ctx ("" outside a request).
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// PlainRequestID reports whether s may be a request id: 1–64 letters,
// digits, '.', '_' or '-'.
func PlainRequestID(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for _, c := range []byte(s) {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '_', c == '-':
		default:
			return false
		}
	}
	return true
}
