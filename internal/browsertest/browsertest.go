// Package browsertest starts a headless Chromium for tests (chromedp): the
// cross-origin and playground tests of server, and the accessibility test
// of docgen's HTML rendition.
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"testing"

	"github.com/chromedp/chromedp"
)

// Chromium returns the path of a Chromium or Chrome to run headless. When
// none is installed the test fails, saying how to install one, unless
// CYNLLUN_SKIP_BROWSER=1.
func Chromium(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("CHROMIUM_PATH"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CYNLLUN_SKIP_BROWSER") == "1" {
		t.Skip("headless Chromium not found; skipped because CYNLLUN_SKIP_BROWSER=1")
	}
	t.Fatal("headless Chromium not found: install it (Debian: apt-get install chromium; .ci/run installs it), " +
		"set CHROMIUM_PATH, or set CYNLLUN_SKIP_BROWSER=1 to skip the browser tests")
	return ""
}

// Start starts a headless Chromium for the test, stopped when it ends.
func Start(t testing.TB) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(Chromium(t)),
		chromedp.NoSandbox, chromedp.DisableGPU, chromedp.Flag("disable-quic", true), chromedp.UserDataDir(t.TempDir()))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return ctx
}
