package cynllun

import "testing"

// TestJobLacksHTML: only a plan or meeting-record render that succeeded
// without an HTML rendition (made before renders made one) is rendered
// anew when asked again; bundles are PDF only, and unfinished or failed
// jobs are handled as before.
func TestJobLacksHTML(t *testing.T) {
	for _, tt := range []struct {
		name string
		job  Job
		want bool
	}{
		{"plan, PDF only", Job{Kind: JobRenderPlan, Status: JobSucceeded, FileID: "fil_a"}, true},
		{"meeting record, PDF only", Job{Kind: JobRenderMeeting, Status: JobSucceeded, FileID: "fil_a"}, true},
		{"plan with both", Job{Kind: JobRenderPlan, Status: JobSucceeded, FileID: "fil_a", HTMLFileID: "fil_b"}, false},
		{"bundle", Job{Kind: JobRenderBundle, Status: JobSucceeded, FileID: "fil_a"}, false},
		{"pending", Job{Kind: JobRenderPlan, Status: JobPending}, false},
		{"running", Job{Kind: JobRenderMeeting, Status: JobRunning}, false},
		{"failed", Job{Kind: JobRenderPlan, Status: JobFailed}, false},
	} {
		if got := tt.job.LacksHTML(); got != tt.want {
			t.Errorf("%s: LacksHTML = %v, want %v", tt.name, got, tt.want)
		}
	}
}
