package graph

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
	"time"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/service"
)

// Cursors are opaque to clients: base64url of a small JSON value. A cursor
// that does not decode is INVALID.

func encodeCursor(v any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(op, s string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) > 1024 || json.Unmarshal(b, v) != nil {
		return cynllun.Invalid(op, cynllun.FieldError{Field: "after", Message: "is not a cursor this API issued"})
	}
	return nil
}

func keyCursor(key, id string) string { return encodeCursor(service.Cursor{Key: key, ID: id}) }

func decodeKeyCursor(op string, s *string) (*service.Cursor, error) {
	if s == nil || *s == "" {
		return nil, nil
	}
	var c service.Cursor
	if err := decodeCursor(op, *s, &c); err != nil {
		return nil, err
	}
	if c.ID == "" {
		return nil, cynllun.Invalid(op, cynllun.FieldError{Field: "after", Message: "is not a cursor this API issued"})
	}
	return &c, nil
}

func numberCursor(n int) string { return encodeCursor(map[string]string{"n": strconv.Itoa(n)}) }

func decodeNumberCursor(op string, s *string) (int, error) {
	if s == nil || *s == "" {
		return 0, nil
	}
	var m map[string]string
	if err := decodeCursor(op, *s, &m); err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(m["n"])
	if err != nil || n < 0 {
		return 0, cynllun.Invalid(op, cynllun.FieldError{Field: "after", Message: "is not a cursor this API issued"})
	}
	return n, nil
}

type auditCursor struct {
	At time.Time `json:"t"`
	ID string    `json:"i"`
}

func decodeAuditCursor(op string, s *string) (*cynllun.AuditEvent, error) {
	if s == nil || *s == "" {
		return nil, nil
	}
	var c auditCursor
	if err := decodeCursor(op, *s, &c); err != nil {
		return nil, err
	}
	if c.ID == "" || c.At.IsZero() {
		return nil, cynllun.Invalid(op, cynllun.FieldError{Field: "after", Message: "is not a cursor this API issued"})
	}
	return &cynllun.AuditEvent{At: c.At, ID: c.ID}, nil
}
