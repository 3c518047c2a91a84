// Package memstat measures memory for benchmarks: the peak heap in use
// while something runs, sampled every millisecond, and the process's peak
// resident set.
package memstat

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// SampleHeap samples the heap in use every millisecond until the returned
// function is called, which stops sampling and returns the peak over the
// heap in use at the start (it includes garbage not yet collected, so it
// depends on GOGC).
func SampleHeap() (stop func() uint64) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	var peak atomic.Uint64
	peak.Store(base)
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		var m runtime.MemStats
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-t.C:
				runtime.ReadMemStats(&m)
				if m.HeapInuse > peak.Load() {
					peak.Store(m.HeapInuse)
				}
			}
		}
	}()
	return func() uint64 {
		close(quit)
		<-done
		return peak.Load() - base
	}
}

// VmHWM is the process's peak resident set in bytes, from
// /proc/self/status (false where there is none). It only means something
// when one benchmark runs in the process.
func VmHWM() (uint64, bool) {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10, err == nil
		}
	}
	return 0, false
}
