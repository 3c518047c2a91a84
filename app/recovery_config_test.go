package app

import (
	"strings"
	"testing"

	"github.com/cynllun/cynllun/worker"
)

// NOTICE_EMAIL_UNCERTAIN defaults to resend and takes hold; anything else
// stops the start with a message naming it. QUEUE_DASHBOARD defaults on.
func TestNoticeUncertainAndDashboardConfig(t *testing.T) {
	for _, tt := range []struct {
		env       map[string]string
		want      worker.UncertainPolicy
		dashboard bool
	}{
		{nil, worker.UncertainResend, true},
		{map[string]string{"NOTICE_EMAIL_UNCERTAIN": "hold", "QUEUE_DASHBOARD": "false"}, worker.UncertainHold, false},
		{map[string]string{"NOTICE_EMAIL_UNCERTAIN": " Resend "}, worker.UncertainResend, true},
	} {
		c, err := FromEnv(env(tt.env), false)
		if err != nil {
			t.Fatal(err)
		}
		if c.NoticeEmailUncertain != tt.want || c.QueueDashboard != tt.dashboard {
			t.Errorf("%v: %q, dashboard %v; want %q, %v", tt.env, c.NoticeEmailUncertain, c.QueueDashboard, tt.want, tt.dashboard)
		}
	}
	if _, err := FromEnv(env(map[string]string{"NOTICE_EMAIL_UNCERTAIN": "skip"}), false); err == nil || !strings.Contains(err.Error(), "NOTICE_EMAIL_UNCERTAIN") {
		t.Fatalf("an unknown policy: %v", err)
	}
}
