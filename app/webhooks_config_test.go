package app

import (
	"net/netip"
	"testing"
)

// TestWebhookSettings: webhooks default to https and public addresses; a
// deployment may allow http and allowlist internal receivers; a bad entry
// stops the program.
func TestWebhookSettings(t *testing.T) {
	for _, dev := range []bool{false, true} {
		c, err := FromEnv(env(nil), dev)
		if err != nil {
			t.Fatal(err)
		}
		if c.Webhooks.AllowHTTP || !c.Webhooks.Allow.Empty() {
			t.Fatalf("dev=%v defaults: %+v", dev, c.Webhooks)
		}
		if c.Webhooks.Permits("", netip.MustParseAddrPort("127.0.0.1:8080")) || c.Webhooks.CheckURL("http://hooks.example.com/") == nil {
			t.Fatalf("dev=%v: loopback or http allowed by default", dev)
		}
	}
	c, err := FromEnv(env(map[string]string{"WEBHOOK_ALLOW_HTTP": "true", "WEBHOOK_ALLOWLIST": "10.20.0.0/16, hooks.internal:8443"}), false)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Webhooks.AllowHTTP || c.Webhooks.CheckURL("http://10.20.1.2/x") != nil ||
		!c.Webhooks.Permits("hooks.internal", netip.MustParseAddrPort("192.168.1.1:8443")) || c.Webhooks.Permits("", netip.MustParseAddrPort("192.168.1.1:8443")) {
		t.Fatalf("set: %+v", c.Webhooks)
	}
	for _, bad := range []map[string]string{
		{"WEBHOOK_ALLOW_HTTP": "sometimes"},
		{"WEBHOOK_ALLOWLIST": "hooks.internal"},
		{"WEBHOOK_ALLOWLIST": "10.0.0.0/40"},
	} {
		if _, err := FromEnv(env(bad), false); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}
