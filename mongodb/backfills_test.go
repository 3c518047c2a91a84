package mongodb

import "testing"

// runBackfill runs the registered backfill called name on the test
// database (it reads every collection it builds from, so tests running at
// the same time are only given entries they may already have).
func runBackfill(t *testing.T, name string) {
	t.Helper()
	for _, b := range backfills {
		if b.name == name {
			if err := b.run(t.Context(), testDB); err != nil {
				t.Fatalf("backfill %s: %v", name, err)
			}
			return
		}
	}
	t.Fatalf("no backfill %q", name)
}
