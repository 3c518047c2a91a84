package playground

import (
	"crypto/sha256"
	"encoding/base64"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// TestOffline: the page references only assets of its own origin, each is
// served with its content type, matches its integrity attribute and may be
// cached; nothing else is served, and the page forbids other origins.
func TestOffline(t *testing.T) {
	mux := http.NewServeMux()
	h := Handler("Cynllun", "/playground", "/graphql")
	mux.Handle("GET /playground", h)
	mux.Handle("GET /playground/assets/", h)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	get := func(path string) (*http.Response, string) {
		t.Helper()
		resp, err := srv.Client().Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	resp, page := get("/playground")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("page: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "script-src 'self' 'unsafe-inline';") || !strings.Contains(csp, "connect-src 'self';") {
		t.Fatalf("Content-Security-Policy = %q", csp)
	}
	if m := regexp.MustCompile(`(?i)(https?:)?//[a-z0-9.-]+\.[a-z]{2,}`).FindString(page); m != "" {
		t.Fatalf("page names another origin: %q", m)
	}
	refs := regexp.MustCompile(`(src|href)="([^"]*)"\s+integrity="([^"]*)"`).FindAllStringSubmatch(page, -1)
	if n := len(regexp.MustCompile(`\b(src|href)=`).FindAllString(page, -1)); n != len(refs) || n != 4 {
		t.Fatalf("%d references, %d with integrity, want 4", n, len(refs))
	}
	want := map[string]string{".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
	for _, ref := range refs {
		path, sri := html.UnescapeString(ref[2]), html.UnescapeString(ref[3])
		if !strings.HasPrefix(path, "/playground/assets/") {
			t.Fatalf("reference %q is not a same-origin asset", path)
		}
		resp, body := get(path)
		ext := path[strings.LastIndexByte(path, '.'):]
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != want[ext] || resp.Header.Get("X-Content-Type-Options") != "nosniff" ||
			!strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
			t.Fatalf("%s: %d %q %v", path, resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header)
		}
		sum := sha256.Sum256([]byte(body))
		if got := "sha256-" + base64.StdEncoding.EncodeToString(sum[:]); got != sri || len(body) < 10000 {
			t.Fatalf("%s: integrity %s, page says %s (%d bytes)", path, got, sri, len(body))
		}
	}
	for _, path := range []string{"/playground/assets/", "/playground/assets/README.md", "/playground/assets/../playground.go", "/playground/assets/nope.js"} {
		if resp, _ := get(path); resp.StatusCode != 404 {
			t.Errorf("%s: %d, want 404", path, resp.StatusCode)
		}
	}
	if resp, body := get("/playground/assets/LICENSE.graphiql"); resp.StatusCode != 200 || !strings.Contains(body, "MIT License") {
		t.Errorf("licence not served: %d", resp.StatusCode)
	}
}
