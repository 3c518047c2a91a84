package app

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// TestLogFormat: LOG_FORMAT picks slog's text or JSON handler at
// LOG_LEVEL; anything else is refused at start.
func TestLogFormat(t *testing.T) {
	for _, tc := range []struct {
		format, level string
		json          bool
		err           string
	}{
		{"", "", false, ""},
		{"text", "warn", false, ""},
		{"json", "", true, ""},
		{"json", "error", true, ""},
		{"xml", "", false, "LOG_FORMAT"},
	} {
		c, err := FromEnv(env(map[string]string{"LOG_FORMAT": tc.format, "LOG_LEVEL": tc.level}), false)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("LOG_FORMAT=%q: err %v, want %s", tc.format, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		log := c.NewLogger(&buf)
		log.Info("worker running", "concurrency", 2)
		log.Error("could not schedule", "type", "scan")
		lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
		wantLines := 2
		if tc.level == "warn" || tc.level == "error" {
			wantLines = 1 // the INFO line is below the level
		}
		if len(lines) != wantLines {
			t.Fatalf("LOG_FORMAT=%q LOG_LEVEL=%q: %d lines, want %d: %q", tc.format, tc.level, len(lines), wantLines, buf.String())
		}
		last := lines[len(lines)-1]
		var rec map[string]any
		isJSON := json.Unmarshal([]byte(last), &rec) == nil
		if isJSON != tc.json {
			t.Fatalf("LOG_FORMAT=%q: line %q, JSON %v", tc.format, last, isJSON)
		}
		if tc.json && (rec["level"] != "ERROR" || rec["msg"] != "could not schedule" || rec["type"] != "scan") {
			t.Fatalf("JSON record %v", rec)
		}
		if !tc.json && !strings.Contains(last, "level=ERROR") {
			t.Fatalf("text line %q", last)
		}
	}
}
