package graph

import (
	"bytes"
	"testing"
	"time"

	"github.com/cynllun/cynllun"
)

func TestCursorsRoundTrip(t *testing.T) {
	c, err := decodeKeyCursor("t", ptr(keyCursor("llywelyn\x00sion", "lrn_1")))
	if err != nil || c.Key != "llywelyn\x00sion" || c.ID != "lrn_1" {
		t.Fatalf("key cursor: %+v %v", c, err)
	}
	n, err := decodeNumberCursor("t", ptr(numberCursor(7)))
	if err != nil || n != 7 {
		t.Fatalf("number cursor: %d %v", n, err)
	}
	at := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	ev, err := decodeAuditCursor("t", ptr(encodeCursor(auditCursor{At: at, ID: "aud_1"})))
	if err != nil || !ev.At.Equal(at) || ev.ID != "aud_1" {
		t.Fatalf("audit cursor: %+v %v", ev, err)
	}
	for _, bad := range []string{"%%%", "bm90IGpzb24", "e30", "eyJrIjoiYSJ9"} {
		if _, err := decodeKeyCursor("t", ptr(bad)); cynllun.ErrorCode(err) != cynllun.CodeInvalid {
			t.Errorf("decodeKeyCursor(%q) = %v, want INVALID", bad, err)
		}
	}
}

func ptr(s string) *string { return &s }

// FuzzCursors: cursors come from clients; decoding never panics and any
// failure is INVALID.
func FuzzCursors(f *testing.F) {
	f.Add(keyCursor("a", "b"))
	f.Add(numberCursor(3))
	f.Add("")
	f.Add("eyJuIjoiLTEifQ")
	f.Fuzz(func(t *testing.T, s string) {
		for _, err := range []error{
			func() error { _, err := decodeKeyCursor("f", &s); return err }(),
			func() error { _, err := decodeNumberCursor("f", &s); return err }(),
			func() error { _, err := decodeAuditCursor("f", &s); return err }(),
		} {
			if err != nil && cynllun.ErrorCode(err) != cynllun.CodeInvalid {
				t.Fatalf("error code %s", cynllun.ErrorCode(err))
			}
		}
	})
}

func TestScalars(t *testing.T) {
	var b bytes.Buffer
	MarshalDate(cynllun.MustDate("2017-03-01")).MarshalGQL(&b)
	if b.String() != `"2017-03-01"` {
		t.Fatalf("MarshalDate = %s", b.String())
	}
	b.Reset()
	MarshalDate(cynllun.Date{}).MarshalGQL(&b)
	if b.String() != "null" {
		t.Fatalf("zero date = %s", b.String())
	}
	for _, bad := range []any{"2017-02-30", 20170301, "1800-01-01", "yesterday"} {
		if _, err := UnmarshalDate(bad); err == nil {
			t.Errorf("UnmarshalDate(%v) accepted", bad)
		}
	}
	if _, err := UnmarshalTime("2026-11-22T10:00:00Z"); err != nil {
		t.Fatal(err)
	}
	if _, err := UnmarshalTime("22/11/2026"); err == nil {
		t.Fatal("accepted a non-RFC 3339 time")
	}
}

func FuzzUnmarshalDate(f *testing.F) {
	f.Add("2017-03-01")
	f.Add("2017-13-01")
	f.Fuzz(func(t *testing.T, s string) {
		d, err := UnmarshalDate(s)
		if err == nil && d.String() != s {
			t.Fatalf("UnmarshalDate(%q) = %s", s, d)
		}
	})
}
