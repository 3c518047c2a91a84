package server

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestCORS: preflights are answered for listed origins (and the server's
// own), actual answers carry the allow-origin header whatever their status,
// and other origins are refused before the next handler runs.
func TestCORS(t *testing.T) {
	listed := []string{"https://app.example", "http://localhost:*"}
	for _, tt := range []struct {
		name      string
		allowed   []string
		method    string
		origin    string
		preflight bool
		next      int    // the next handler's status
		status    int    // the answer's status
		allow     string // Access-Control-Allow-Origin
		reached   bool
	}{
		{"no origin passes", nil, "POST", "", false, 200, 200, "", true},
		{"same origin passes without a setting", nil, "POST", "http://api.test", false, 200, 200, "", true},
		{"other origin without a setting is refused", nil, "POST", "https://app.example", false, 200, 403, "", false},
		{"preflight without a setting is refused", nil, "OPTIONS", "https://app.example", true, 200, 403, "", false},
		{"listed preflight", listed, "OPTIONS", "https://app.example", true, 200, 204, "https://app.example", false},
		{"listed POST", listed, "POST", "https://app.example", false, 200, 200, "https://app.example", true},
		{"listed 401 is readable", listed, "POST", "https://app.example", false, 401, 401, "https://app.example", true},
		{"listed 429 is readable", listed, "POST", "https://app.example", false, 429, 429, "https://app.example", true},
		{"listed download", listed, "GET", "https://app.example", false, 200, 200, "https://app.example", true},
		{"scheme matters", listed, "POST", "http://app.example", false, 200, 403, "", false},
		{"port matters", listed, "POST", "https://app.example:8443", false, 200, 403, "", false},
		{"subdomain is another origin", listed, "POST", "https://evil.app.example", false, 200, 403, "", false},
		{"suffix is another origin", listed, "POST", "https://app.example.evil", false, 200, 403, "", false},
		{"any port of localhost", listed, "POST", "http://localhost:5173", false, 200, 200, "http://localhost:5173", true},
		{"localhost on its default port", listed, "POST", "http://localhost", false, 200, 200, "http://localhost", true},
		{"https localhost is not http", listed, "POST", "https://localhost:5173", false, 200, 403, "", false},
		{"null origin", listed, "POST", "null", false, 200, 403, "", false},
		{"any origin", []string{"*"}, "OPTIONS", "https://anyone.example", true, 200, 204, "*", false},
		{"any origin, null too", []string{"*"}, "POST", "null", false, 200, 200, "*", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			reached := false
			h := newOrigins(tt.allowed).wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				reached = true
				if tt.next == 429 {
					w.Header().Set("Retry-After", "2")
				}
				w.WriteHeader(tt.next)
			}))
			r := httptest.NewRequest(tt.method, "http://api.test/graphql", nil)
			if tt.origin != "" {
				r.Header.Set("Origin", tt.origin)
			}
			if tt.preflight {
				r.Header.Set("Access-Control-Request-Method", "POST")
				r.Header.Set("Access-Control-Request-Headers", "authorization,content-type")
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tt.status || reached != tt.reached {
				t.Fatalf("status %d reached %v, want %d %v: %s", w.Code, reached, tt.status, tt.reached, w.Body)
			}
			got := w.Header()
			if got.Get("Access-Control-Allow-Origin") != tt.allow {
				t.Fatalf("Access-Control-Allow-Origin = %q, want %q", got.Get("Access-Control-Allow-Origin"), tt.allow)
			}
			if got.Get("Access-Control-Allow-Credentials") != "" {
				t.Fatal("credentials allowed: the API takes bearer tokens only")
			}
			if tt.origin != "" && !strings.Contains(strings.Join(got.Values("Vary"), ","), "Origin") {
				t.Fatalf("Vary = %q, want Origin", got.Values("Vary"))
			}
			if w.Code == 403 && (!strings.Contains(w.Body.String(), `"code":"FORBIDDEN"`) || !strings.Contains(w.Body.String(), "CORS_ALLOWED_ORIGINS")) {
				t.Fatalf("refusal does not say why: %s", w.Body)
			}
			if tt.allow != "" && tt.preflight {
				if got.Get("Access-Control-Allow-Methods") != "GET, POST, OPTIONS" || got.Get("Access-Control-Max-Age") != "7200" {
					t.Fatalf("preflight headers: %v", got)
				}
				for _, h := range []string{"Authorization", "Content-Type", "apollo-require-preflight", "x-apollo-operation-name", "graphql-preflight"} {
					if !strings.Contains(got.Get("Access-Control-Allow-Headers"), h) {
						t.Errorf("Access-Control-Allow-Headers lacks %s: %q", h, got.Get("Access-Control-Allow-Headers"))
					}
				}
			}
			if tt.allow != "" && !tt.preflight && !strings.Contains(got.Get("Access-Control-Expose-Headers"), "Retry-After") {
				t.Fatalf("Access-Control-Expose-Headers = %q, want Retry-After", got.Get("Access-Control-Expose-Headers"))
			}
		})
	}
}

func TestParseAllowedOrigins(t *testing.T) {
	got, err := ParseAllowedOrigins("HTTPS://App.Example:443/, http://[::1]:*, http://10.0.0.2:8080")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, " ") != "https://app.example http://[::1]:* http://10.0.0.2:8080" {
		t.Fatalf("got %q", got)
	}
	if o := newOrigins(got); !o.listed("http://[::1]:3000") || !o.listed("https://app.example") || o.listed("http://10.0.0.2") {
		t.Fatal("parsed list does not match as written")
	}
	for _, bad := range []string{"app.example", "https://", "https://a.example/x", "https://a.example#f", "ws://a.example", "https://*.example", "https://a.example:8443:*", "*.example"} {
		if _, err := ParseAllowedOrigins(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func FuzzOriginListed(f *testing.F) {
	o := newOrigins([]string{"https://app.example", "http://localhost:*"})
	for _, s := range []string{"https://app.example", "http://localhost:1", "null", "https://app.example.evil", "http://[::1]:*", "%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, origin string) {
		if !o.listed(origin) {
			return
		}
		n, err := normaliseOrigin(origin, false)
		if err != nil || (n != "https://app.example" && n != "http://localhost" && !strings.HasPrefix(n, "http://localhost:")) {
			t.Fatalf("%q listed as %q", origin, n)
		}
	})
}
