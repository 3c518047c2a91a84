package app

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
)

// TestEmbeddedDatabaseLogged: a process that starts the embedded database
// says at start what it is for and where it falls short: a warning for
// serve and worker, information in dev mode, where it is expected.
func TestEmbeddedDatabaseLogged(t *testing.T) {
	for _, dev := range []bool{false, true} {
		var buf bytes.Buffer
		log := slog.New(slog.NewTextHandler(&buf, nil))
		cfg, err := FromEnv(env(map[string]string{"CYNLLUN_DATA_DIR": t.TempDir()}), dev)
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		// Open connects to Redis lazily: nothing listens at the default
		// REDIS_URL of serve and worker, and nothing needs to.
		p, err := Open(ctx, cfg, log, dev)
		if err != nil {
			t.Fatal(err)
		}
		p.Close(ctx)
		var line string
		for l := range strings.Lines(buf.String()) {
			if strings.Contains(l, "embedded database") {
				line = l
			}
		}
		level, expected := "level=WARN", false
		if dev {
			level, expected = "level=INFO", true
		}
		if !strings.Contains(line, level) || strings.Contains(line, "expected in dev mode") != expected {
			t.Errorf("dev %v: %q", dev, line)
		}
		for _, want := range []string{"MONGODB_URI is unset", "development, demos and tests", "every query other than by id reads the whole collection",
			"slows as the data grows", "one process owns its data directory (serve or dev) and the worker and seed reach the database through it", "set MONGODB_URI for production", "dir=" + cfg.DataDir} {
			if !strings.Contains(line, want) {
				t.Errorf("dev %v: no %q in %q", dev, want, line)
			}
		}
	}
}
