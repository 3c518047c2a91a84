package worker_test

import (
	"testing"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/seed"
	"github.com/cynllun/cynllun/service"
)

// BenchmarkSaveVersion: b.N saves of the sample plan through the service
// on the embedded store, one after another (each a new version, DRAFT or,
// with /final, FINAL: a FINAL save that is not the plan's first also reads
// the earlier versions to tell). It measures what the outbox adds to a save
// (issue 19): recording its entry before the version and removing it after
// the follow-ups.
func BenchmarkSaveVersion(b *testing.B) {
	for _, status := range []cynllun.VersionStatus{cynllun.VersionDraft, cynllun.VersionFinal} {
		b.Run(string(status), func(b *testing.B) {
			e := newEnv(b)
			heads, err := e.db.LatestVersions(e.ctx, []string{seed.PlanID})
			if err != nil {
				b.Fatal(err)
			}
			cur, err := e.svc.Version(e.ctx, seed.PlanID, heads[seed.PlanID])
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for range b.N {
				v, err := e.svc.SaveVersion(e.ctx, service.SaveInput{PlanID: seed.PlanID, ExpectedVersion: cur.Number,
					Status: status, Content: cur.Content, Comment: "bench", OverrideReason: "bench"})
				if err != nil {
					b.Fatal(err)
				}
				cur = v
			}
		})
	}
}
