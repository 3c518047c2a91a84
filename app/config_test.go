package app

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cynllun/cynllun/clock"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDeadlineAndNoticeSettings(t *testing.T) {
	c, err := FromEnv(env(nil), false)
	if err != nil {
		t.Fatal(err)
	}
	// The defaults follow the statutory wording (issue 16): the event's day
	// is day 1, and N weeks end the day before the same weekday.
	if !c.Clock.TriggerDayCounts() || !c.Clock.WeeksEndDayBefore() ||
		c.Clock.InsetDaysCount || !slices.Equal(c.NoticeOffsets, []int{-10, -3, 0, 1}) || c.Mail.Host != "" || c.Mail.Port != 587 {
		t.Fatalf("defaults: %+v", c)
	}
	c, err = FromEnv(env(map[string]string{
		"DEADLINE_TRIGGER_DAY_COUNTS": "false", "DEADLINE_WEEKS_END_DAY_BEFORE": "false", "DEADLINE_OVERRIDES": "T9=15:SCHOOL_DAYS, T6=7:WEEKS",
		"NOTICE_OFFSETS": "-5,0", "SMTP_HOST": "smtp.example", "SMTP_PORT": "25", "SMTP_TLS": "none",
	}), false)
	if err != nil {
		t.Fatal(err)
	}
	if c.Clock.TriggerDayCounts() || c.Clock.WeeksEndDayBefore() || c.Clock.Overrides["T9"].Amount != 15 || c.Clock.Overrides["T6"].Unit != clock.UnitWeeks ||
		!slices.Equal(c.NoticeOffsets, []int{-5, 0}) || c.Mail.Port != 25 || c.Mail.TLS != "none" {
		t.Fatalf("set: %+v", c)
	}
	for _, bad := range []map[string]string{
		{"DEADLINE_OVERRIDES": "T9"},
		{"DEADLINE_OVERRIDES": "T1=10:SCHOOL_DAYS"}, // a confirmed limit may not be overridden
		{"NOTICE_OFFSETS": "-5,soon"},
		{"NOTICE_SCAN_EVERY": "often"},
	} {
		if _, err := FromEnv(env(bad), false); err == nil {
			t.Errorf("%v accepted", bad)
		} else if strings.Contains(err.Error(), "smtp.example") {
			t.Errorf("error echoes a value: %v", err)
		}
	}
}

func TestMaxImageDecodeBytes(t *testing.T) {
	c, err := FromEnv(env(nil), false)
	if err != nil {
		t.Fatal(err)
	}
	if c.MaxImageDecodeBytes != 96<<20 {
		t.Errorf("default %d, want 96 MiB", c.MaxImageDecodeBytes)
	}
	if c, err = FromEnv(env(map[string]string{"MAX_IMAGE_DECODE_BYTES": "33554432"}), false); err != nil || c.MaxImageDecodeBytes != 32<<20 {
		t.Errorf("set: %d, %v", c.MaxImageDecodeBytes, err)
	}
	for _, bad := range []string{"0", "-1", "64MiB"} {
		if _, err := FromEnv(env(map[string]string{"MAX_IMAGE_DECODE_BYTES": bad}), false); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestLimitSettings(t *testing.T) {
	c, err := FromEnv(env(nil), false)
	if err != nil {
		t.Fatal(err)
	}
	if c.Limits.PerSecond != 20 || c.Limits.Burst != 60 || c.Limits.HeavyCost != 10 || c.Limits.Concurrent != 4 || len(c.Limits.TrustedProxies) != 0 {
		t.Fatalf("defaults: %+v", c.Limits)
	}
	c, err = FromEnv(env(map[string]string{
		"RATE_LIMIT_PER_SECOND": "5", "RATE_LIMIT_BURST": "8", "RATE_LIMIT_HEAVY_COST": "4", "CONCURRENCY_LIMIT": "0",
		"TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.7,::1",
	}), false)
	if err != nil {
		t.Fatal(err)
	}
	l := c.Limits
	if l.PerSecond != 5 || l.Burst != 8 || l.HeavyCost != 4 || l.Concurrent != 0 || len(l.TrustedProxies) != 3 ||
		l.TrustedProxies[1].String() != "192.0.2.7/32" || l.TrustedProxies[2].String() != "::1/128" {
		t.Fatalf("set: %+v", l)
	}
	for _, bad := range []map[string]string{
		{"RATE_LIMIT_PER_SECOND": "-1"},
		{"RATE_LIMIT_BURST": "many"},
		{"CONCURRENCY_LIMIT": "1.5"},
		{"TRUSTED_PROXIES": "proxy.internal"},
	} {
		if _, err := FromEnv(env(bad), false); err == nil {
			t.Errorf("%v accepted", bad)
		} else if strings.Contains(err.Error(), "proxy.internal") {
			t.Errorf("error echoes a value: %v", err)
		}
	}
}

func TestEmbeddedSync(t *testing.T) {
	for _, tt := range []struct{ set, want string }{{"", "normal"}, {"normal", "normal"}, {"full", "full"}} {
		c, err := FromEnv(env(map[string]string{"EMBEDDED_DB_SYNC": tt.set}), false)
		if err != nil || c.EmbeddedSync != tt.want {
			t.Errorf("EMBEDDED_DB_SYNC=%q: %q, %v; want %q", tt.set, c.EmbeddedSync, err, tt.want)
		}
	}
	for _, bad := range []string{"off", "FULL", "extra"} {
		if _, err := FromEnv(env(map[string]string{"EMBEDDED_DB_SYNC": bad}), false); err == nil {
			t.Errorf("EMBEDDED_DB_SYNC=%q accepted", bad)
		}
	}
}

func TestEmbeddedOwnerWait(t *testing.T) {
	for _, tt := range []struct {
		set  string
		want time.Duration
	}{{"", 30 * time.Second}, {"5s", 5 * time.Second}, {"2m", 2 * time.Minute}} {
		c, err := FromEnv(env(map[string]string{"EMBEDDED_DB_OWNER_WAIT": tt.set}), false)
		if err != nil || c.EmbeddedOwnerWait != tt.want {
			t.Errorf("EMBEDDED_DB_OWNER_WAIT=%q: %v, %v; want %v", tt.set, c.EmbeddedOwnerWait, err, tt.want)
		}
	}
	for _, bad := range []string{"soon", "-1s", "0s", "30"} {
		if _, err := FromEnv(env(map[string]string{"EMBEDDED_DB_OWNER_WAIT": bad}), false); err == nil {
			t.Errorf("EMBEDDED_DB_OWNER_WAIT=%q accepted", bad)
		}
	}
}
