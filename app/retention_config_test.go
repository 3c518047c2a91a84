package app

import (
	"strings"
	"testing"
	"time"
)

// Retention is configuration: a default rule and rules per controller.
func TestRetentionConfig(t *testing.T) {
	c, err := FromEnv(env(nil), false)
	if err != nil {
		t.Fatal(err)
	}
	if c.Retention.RuleFor("org_any").String() != "dob+31y" || c.RetentionScanEvery != 24*time.Hour || c.RetentionScanBatch != 2000 {
		t.Errorf("defaults: %v %v %d", c.Retention.RuleFor("org_any"), c.RetentionScanEvery, c.RetentionScanBatch)
	}
	c, err = FromEnv(env(map[string]string{"RETENTION_DEFAULT": "ceased+25y", "RETENTION_CONTROLLERS": "org_la_W06000015=dob+35y",
		"RETENTION_SCAN_EVERY": "6h", "RETENTION_SCAN_BATCH": "500"}), false)
	if err != nil {
		t.Fatal(err)
	}
	if c.Retention.RuleFor("org_la_W06000015").String() != "dob+35y" || c.Retention.RuleFor("org_school").String() != "ceased+25y" ||
		c.RetentionScanEvery != 6*time.Hour || c.RetentionScanBatch != 500 {
		t.Errorf("configured: %+v", c.Retention)
	}
	for k, v := range map[string]string{"RETENTION_DEFAULT": "31y", "RETENTION_CONTROLLERS": "org_a=forever"} {
		if _, err := FromEnv(env(map[string]string{k: v}), false); err == nil || !strings.Contains(err.Error(), k) {
			t.Errorf("%s=%s: %v", k, v, err)
		}
	}
}
