package app

import (
	"slices"
	"testing"
)

func TestCORSAllowedOrigins(t *testing.T) {
	for _, tt := range []struct {
		name string
		env  map[string]string
		dev  bool
		want []string
	}{
		{"default: same origin only", nil, false, nil},
		{"dev: this machine's front-ends", nil, true, []string{"http://localhost:*", "http://127.0.0.1:*", "http://[::1]:*"}},
		{"listed, normalised", map[string]string{"CORS_ALLOWED_ORIGINS": " https://App.Example/ , http://localhost:3000,https://x.example:443"}, false,
			[]string{"https://app.example", "http://localhost:3000", "https://x.example"}},
		{"dev with a list: the list only", map[string]string{"CORS_ALLOWED_ORIGINS": "https://app.example"}, true, []string{"https://app.example"}},
		{"any origin", map[string]string{"CORS_ALLOWED_ORIGINS": "*"}, false, []string{"*"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := FromEnv(env(tt.env), tt.dev)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(c.CORSAllowedOrigins, tt.want) {
				t.Fatalf("CORSAllowedOrigins = %q, want %q", c.CORSAllowedOrigins, tt.want)
			}
		})
	}
	for _, bad := range []string{"app.example", "https://app.example/graphql", "ftp://app.example", "https://*.example", "https://user@app.example", "https://app.example?x=1", "null"} {
		if _, err := FromEnv(env(map[string]string{"CORS_ALLOWED_ORIGINS": bad}), false); err == nil {
			t.Errorf("CORS_ALLOWED_ORIGINS=%q accepted", bad)
		}
	}
}
