package memstat

import (
	"testing"
	"time"
)

var sink [][]byte

// TestSampleHeap: 64 MB held while sampling shows as a peak of at least
// most of it, and the process's peak resident set is at least as much.
func TestSampleHeap(t *testing.T) {
	stop := SampleHeap()
	for range 64 {
		b := make([]byte, 1<<20)
		for i := range b {
			b[i] = 1 // touched, so resident
		}
		sink = append(sink, b)
	}
	time.Sleep(20 * time.Millisecond) // some ticks of the sampler
	peak := stop()
	sink = nil
	if peak < 48<<20 {
		t.Errorf("peak %d MB over base, want at least 48", peak>>20)
	}
	if hwm, ok := VmHWM(); ok && hwm < 48<<20 {
		t.Errorf("VmHWM %d MB", hwm>>20)
	}
}
