package app

import "testing"

// Metrics are off by default in production and on loopback in dev.
func TestMetricsConfig(t *testing.T) {
	for _, tt := range []struct {
		env             map[string]string
		dev             bool
		wantAddr, token string
	}{
		{nil, false, "", ""},
		{nil, true, "127.0.0.1:8082", ""},
		{map[string]string{"METRICS_ADDR": ":9100", "METRICS_TOKEN": "t0k"}, false, ":9100", "t0k"},
		{map[string]string{"METRICS_ADDR": "10.0.0.5:9090"}, true, "10.0.0.5:9090", ""},
	} {
		c, err := FromEnv(env(tt.env), tt.dev)
		if err != nil {
			t.Fatal(err)
		}
		if c.MetricsAddr != tt.wantAddr || c.MetricsToken != tt.token {
			t.Errorf("%v dev=%v: addr %q token %q, want %q %q", tt.env, tt.dev, c.MetricsAddr, c.MetricsToken, tt.wantAddr, tt.token)
		}
	}
}
