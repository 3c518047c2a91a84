package bundle

import (
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/form"
	"github.com/cynllun/cynllun/internal/memstat"
)

var (
	benchOnce  [2]sync.Once
	benchSpecs [2]Spec
)

// benchSpec is a bundle of about 300 pages: 40 evidence PDFs of 7 pages in
// four sections, and a chronology of 150 entries. Scanned, every page of
// every document carries a JPEG of its own (about 190 KB of noise,
// which compresses as badly as a scan does); otherwise the documents are text.
func benchSpec(b *testing.B, scanned bool) Spec {
	i := 0
	if scanned {
		i = 1
	}
	benchOnce[i].Do(func() {
		s := Spec{Title: "Benchmark bundle", CaseRef: "ETW/2027/0300", Learner: "Siân ap Gwŷn", Lang: LangBilingual,
			ChronologyAfter: "A", Created: time.Date(2027, 1, 7, 12, 0, 0, 0, time.UTC)}
		for sec := range 4 {
			key := string(rune('A' + sec))
			section := Section{Key: key, Title: form.Text{EN: "Section " + key, CY: "Adran " + key}, PageLimit: 60}
			for d := range 10 {
				name := fmt.Sprintf("EVIDENCE-%02d", sec*10+d+1)
				var scans [][]byte
				for k := range 7 {
					if scanned {
						scans = append(scans, noiseJPEG(b, 640, 900, uint64((sec*10+d)*7+k)))
					}
				}
				section.Documents = append(section.Documents, Document{ID: name, Title: "Evidence " + name,
					Author: "Author", Date: cynllun.MustDate("2026-01-01").AddDays(sec*10 + d), Kind: KindReport,
					PDF: evidencePDF(b, name, 7, scans)})
			}
			s.Sections = append(s.Sections, section)
		}
		for e := range 150 {
			s.Chronology = append(s.Chronology, ChronologyEntry{Date: cynllun.MustDate("2025-09-01").AddDays(e * 2),
				Event:  form.Text{EN: fmt.Sprintf("Event %d happened, and was recorded", e), CY: fmt.Sprintf("Digwyddodd digwyddiad %d", e)},
				Source: fmt.Sprintf("A%d", e%10+1)})
		}
		benchSpecs[i] = s
	})
	return benchSpecs[i]
}

// BenchmarkBuild300 builds a 300-page bundle of text documents;
// BenchmarkBuild300Scanned one whose every document page is an image. Both
// report, besides time and (with -benchmem) allocation: the bundle's pages,
// the input and output sizes, the peak heap in use while building (sampled
// every millisecond; it includes garbage not yet collected, so it depends
// on GOGC) over the heap in use before, the peak live heap (after a
// collection at each stage of one more build, outside the timing) over the
// live heap before, and the process's peak resident set (VmHWM, which
// includes making the test documents).
//
// BenchmarkBuildTo300Scanned is the scanned bundle written to io.Discard by
// BuildTo: what building costs when the bundle is streamed to a file or an
// upload rather than returned. VmHWM only means something when one
// benchmark runs in the process (-bench with one name).
func BenchmarkBuild300(b *testing.B)          { benchBuild(b, false, false) }
func BenchmarkBuild300Scanned(b *testing.B)   { benchBuild(b, true, false) }
func BenchmarkBuildTo300Scanned(b *testing.B) { benchBuild(b, true, true) }

func benchBuild(b *testing.B, scanned, stream bool) {
	s := benchSpec(b, scanned)
	input := 0
	for _, sec := range s.Sections {
		for _, d := range sec.Documents {
			input += len(d.PDF)
		}
	}
	runtime.GC()
	stop := memstat.SampleHeap()
	var outLen int
	var man *Manifest
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if stream {
			w := &countingDiscard{}
			man, err = BuildTo(w, s)
			outLen = w.n
		} else {
			var out []byte
			out, man, err = Build(s)
			outLen = len(out)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	peak := stop()
	// Once more, outside the timing, for the live heap at each stage.
	livePeak := 0
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	liveBase := int(ms.HeapAlloc)
	phase = func(string) {
		var m runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m)
		livePeak = max(livePeak, int(m.HeapAlloc)-liveBase)
	}
	if stream {
		_, err := BuildTo(&countingDiscard{}, s)
		if err != nil {
			b.Fatal(err)
		}
	} else if _, _, err := Build(s); err != nil {
		b.Fatal(err)
	}
	phase = nil
	const mb = 1 << 20
	b.ReportMetric(float64(livePeak)/mb, "live-peak-MB")
	b.ReportMetric(float64(man.Pages), "pages")
	b.ReportMetric(float64(input)/mb, "input-MB")
	b.ReportMetric(float64(outLen)/mb, "output-MB")
	b.ReportMetric(float64(peak)/mb, "peak-heap-over-base-MB")
	if hwm, ok := memstat.VmHWM(); ok {
		b.ReportMetric(float64(hwm)/mb, "VmHWM-MB")
	}
}

type countingDiscard struct{ n int }

func (c *countingDiscard) Write(p []byte) (int, error) { c.n += len(p); return len(p), nil }

// TestMemory checks what a build holds, by the live heap (after a
// collection) at each stage, over the heap before: the documents as read
// are about their own size; the complete bundle in memory about the same;
// once written by BuildTo to a writer that keeps nothing, nearly nothing;
// once written by Build, the bundle's bytes.
func TestMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	s := Spec{Title: "Memory", Lang: LangEN, Created: time.Unix(0, 0)}
	sec := Section{Key: "A", Title: form.Text{EN: "Scans"}}
	for d := range 8 {
		var scans [][]byte
		for k := range 3 {
			scans = append(scans, noiseJPEG(t, 640, 900, uint64(d*3+k)))
		}
		name := fmt.Sprintf("SCAN-%d", d)
		sec.Documents = append(sec.Documents, Document{ID: name, Title: name, PDF: evidencePDF(t, name, 3, scans)})
	}
	s.Sections = []Section{sec}
	input := 0
	for _, d := range sec.Documents {
		input += len(d.PDF)
	}
	live := func() int {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return int(m.HeapAlloc)
	}
	const slackBytes = 6 << 20
	for _, stream := range []bool{false, true} {
		got := map[string]int{}
		base := live()
		phase = func(name string) { got[name] = live() - base }
		var err error
		var pdf []byte
		if stream {
			_, err = BuildTo(&countingDiscard{}, s)
		} else {
			pdf, _, err = Build(s)
		}
		phase = nil
		if err != nil {
			t.Fatal(err)
		}
		mb := func(n int) string { return fmt.Sprintf("%.1f MB", float64(n)/(1<<20)) }
		t.Logf("stream %v: input %s; live over base: opened %s, stamped %s, written %s",
			stream, mb(input), mb(got["opened"]), mb(got["stamped"]), mb(got["written"]))
		for _, st := range []string{"opened", "stamped"} {
			if got[st] > input*13/10+slackBytes {
				t.Errorf("%s: %s live for %s of documents", st, mb(got[st]), mb(input))
			}
		}
		want := slackBytes
		if !stream {
			want += input * 13 / 10
		}
		if got["written"] > want {
			t.Errorf("stream %v, written: %s live for %s of documents", stream, mb(got["written"]), mb(input))
		}
		_ = pdf
	}
}
