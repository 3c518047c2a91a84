package app

import (
	"testing"
	"time"
)

// TestRequestLimitSettings: the request-shape limits, deadlines and
// suggestions have production defaults (suggestions on only in dev), can
// be set, and refuse nonsense.
func TestRequestLimitSettings(t *testing.T) {
	c, err := FromEnv(env(nil), false)
	if err != nil {
		t.Fatal(err)
	}
	if c.MaxComplexity != 10000 || c.MaxQueryBytes != 64<<10 || c.MaxTokens != 5000 || c.MaxFields != 1000 || c.MaxAliases != 100 ||
		c.MaxDuplicateFields != 20 || c.MaxMutations != 10 || c.Suggestions || c.RequestTimeout != 30*time.Second || c.UploadTimeout != 2*time.Minute {
		t.Fatalf("defaults: %+v", c)
	}
	if dev, _ := FromEnv(env(nil), true); !dev.Suggestions {
		t.Fatal("dev mode without suggestions")
	}
	c, err = FromEnv(env(map[string]string{
		"GRAPHQL_MAX_TOKENS": "2000", "GRAPHQL_MAX_ALIASES": "10", "GRAPHQL_MAX_MUTATIONS": "3", "GRAPHQL_SUGGESTIONS": "true",
		"REQUEST_TIMEOUT": "5s", "UPLOAD_TIMEOUT": "10m", "GRAPHQL_MAX_QUERY_BYTES": "4096",
		"GRAPHQL_MAX_FIELDS": "300", "GRAPHQL_MAX_DUPLICATE_FIELDS": "5",
	}), false)
	if err != nil {
		t.Fatal(err)
	}
	if c.MaxTokens != 2000 || c.MaxAliases != 10 || c.MaxMutations != 3 || !c.Suggestions || c.RequestTimeout != 5*time.Second ||
		c.UploadTimeout != 10*time.Minute || c.MaxQueryBytes != 4096 || c.MaxFields != 300 || c.MaxDuplicateFields != 5 {
		t.Fatalf("set: %+v", c)
	}
	for _, bad := range []map[string]string{
		{"GRAPHQL_MAX_TOKENS": "0"}, {"GRAPHQL_MAX_ALIASES": "many"}, {"REQUEST_TIMEOUT": "-1s"}, {"UPLOAD_TIMEOUT": "soon"},
		{"GRAPHQL_SUGGESTIONS": "perhaps"},
	} {
		if _, err := FromEnv(env(bad), false); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}
