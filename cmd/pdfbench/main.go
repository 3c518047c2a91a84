// Command pdfbench measures docgen against headless Chromium on the same
// IDP content: it renders sample plans (10 and 50 provision rows) as a
// render job does, the PDF with docgen.RenderPlan and then the accessible
// HTML rendition with docgen.RenderPlanHTML, in-process, and the same
// docgen tree written as HTML with Debian's chromium (Page.printToPDF over
// the DevTools protocol, one browser started once, so browser start is not
// measured), side by side in one run, and prints the median times and
// docgen's time ÷ Chromium's time, in all and per page, against the target
// (≤ 0.25 by default).
//
//	go run -tags ferretdb_no_postgresql ./cmd/pdfbench [-n 20] [-lang EN] [-via set|file] [-fallback-cli] [-keep dir]
//
// With -fallback-cli, or when the DevTools protocol fails, each iteration
// runs `chromium --headless --print-to-pdf` instead and the median time to
// print an empty page (mostly browser start) is subtracted.
//
// The exit status is 0 whether or not the target is met; it is not 0 when
// something fails (chromium missing, a render error).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/cynllun/cynllun/docgen"
)

var (
	iterations  = flag.Int("n", 20, "measured iterations per document and renderer")
	warmups     = flag.Int("warmup", 2, "unmeasured warm-up iterations")
	langFlag    = flag.String("lang", "EN", "document language: EN, CY or BILINGUAL")
	via         = flag.String("via", "set", "how Chromium gets the HTML: set (Page.setDocumentContent) or file (Page.navigate to a file:// URL)")
	fallbackCLI = flag.Bool("fallback-cli", false, "run chromium --headless --print-to-pdf per iteration instead of the DevTools protocol")
	keep        = flag.String("keep", "", "directory to keep each document's HTML and last PDFs in")
	target      = flag.Float64("target", 0.25, "the ratio docgen ÷ chromium to meet")
	timeout     = flag.Duration("timeout", time.Minute, "limit for one Chromium render")
	chromePath  = flag.String("chromium", "", "the chromium to run (default /usr/bin/chromium, else chromium on PATH)")
)

// bench is one sample document in both forms.
type bench struct {
	name     string
	rows     int
	doc      docgen.PlanDoc
	html     string
	htmlPath string
	// rendition is the time of each HTML rendition within docgen's
	// times, warm-ups first; page the last one.
	rendition *[]time.Duration
	page      *[]byte
}

// result is one document's measurements; in CLI mode empty holds the
// times to print an empty page.
type result struct {
	bench
	docgen, chromium, empty []time.Duration
	docgenPDF, chromiumPDF  []byte
}

func main() {
	flag.Parse()
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "pdfbench:", err)
		os.Exit(1)
	}
}

func run() error {
	lang := docgen.Lang(strings.ToUpper(*langFlag))
	if *iterations < 1 || *warmups < 0 {
		return errors.New("-n must be at least 1 and -warmup not negative")
	}
	if *via != "set" && *via != "file" {
		return errors.New("-via is set or file")
	}
	chromium, err := findChromium(*chromePath)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "pdfbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if *keep != "" {
		if err := os.MkdirAll(*keep, 0o755); err != nil {
			return err
		}
	}

	var benches []bench
	for _, s := range []struct {
		name string
		rows int
	}{{"typical", 10}, {"large", 50}} {
		doc := docgen.SamplePlan(s.rows)
		tree, err := docgen.BuildPlan(doc, lang)
		if err != nil {
			return err
		}
		b := bench{name: s.name, rows: s.rows, doc: doc, html: treeHTML(tree, htmlLang(lang)), rendition: new([]time.Duration), page: new([]byte)}
		b.htmlPath = filepath.Join(tmp, s.name+".html")
		if err := os.WriteFile(b.htmlPath, []byte(b.html), 0o644); err != nil {
			return err
		}
		benches = append(benches, b)
	}

	if !*fallbackCLI {
		results, version, err := benchCDP(chromium, filepath.Join(tmp, "profile"), benches, lang)
		if err == nil {
			mode := "DevTools protocol, Page.setDocumentContent + Page.printToPDF"
			if *via == "file" {
				mode = "DevTools protocol, Page.navigate file:// + Page.printToPDF"
			}
			fmt.Printf("docgen.RenderPlan + RenderPlanHTML vs %s (%s, browser started once, not timed)\n", version, mode)
			return report(results, lang, tmp, false)
		}
		fmt.Fprintf(os.Stderr, "pdfbench: the DevTools protocol failed (%v); falling back to chromium --print-to-pdf\n", err)
	}
	results, err := benchCLI(chromium, tmp, benches, lang)
	if err != nil {
		return err
	}
	version := "chromium"
	if out, err := exec.Command(chromium, "--version").Output(); err == nil {
		version = strings.TrimSpace(string(out))
	}
	fmt.Printf("docgen.RenderPlan + RenderPlanHTML vs %s (chromium --headless --print-to-pdf per iteration; \"excl. start\" subtracts the median time to print an empty page)\n", version)
	return report(results, lang, tmp, true)
}

func htmlLang(l docgen.Lang) string {
	if l == docgen.LangCY {
		return "cy"
	}
	return "en"
}

// renderer renders a document once and says how long it took.
type renderer func() (time.Duration, []byte, error)

// docgenRenderer renders as a render job does: the PDF, then the HTML
// rendition of the same document. It records the rendition's own time in
// b.rendition.
func docgenRenderer(b bench, lang docgen.Lang) renderer {
	return func() (time.Duration, []byte, error) {
		start := time.Now()
		pdf, err := docgen.RenderPlan(b.doc, lang)
		if err != nil {
			return 0, nil, err
		}
		mid := time.Now()
		page, err := docgen.RenderPlanHTML(b.doc, lang)
		end := time.Now()
		if err == nil && len(page) == 0 {
			err = errors.New("empty HTML rendition")
		}
		*b.rendition, *b.page = append(*b.rendition, end.Sub(mid)), page
		return end.Sub(start), pdf, err
	}
}

// measure runs every renderer once per iteration, starting with a
// different one each time, after the warm-ups. It returns each renderer's
// times and its last PDF.
func measure(rs ...renderer) ([][]time.Duration, [][]byte, error) {
	times := make([][]time.Duration, len(rs))
	pdfs := make([][]byte, len(rs))
	for i := -*warmups; i < *iterations; i++ {
		for k := range rs {
			j := (k + i + *warmups) % len(rs)
			d, pdf, err := rs[j]()
			if err != nil {
				return nil, nil, err
			}
			if len(pdf) == 0 {
				return nil, nil, errors.New("empty PDF")
			}
			pdfs[j] = pdf
			if i >= 0 {
				times[j] = append(times[j], d)
			}
		}
	}
	return times, pdfs, nil
}

// benchCDP measures on one Chromium driven over the DevTools protocol.
func benchCDP(chromium, profile string, benches []bench, lang docgen.Lang) ([]result, string, error) {
	ctx := context.Background()
	start, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	b, err := launch(start, chromium, profile)
	if err != nil {
		return nil, "", err
	}
	defer b.close()
	var v struct{ Product string }
	if err := b.call(start, "", "Browser.getVersion", nil, &v); err != nil {
		return nil, "", err
	}
	var results []result
	for _, bn := range benches {
		url := ""
		if *via == "file" {
			url = "file://" + bn.htmlPath
		}
		chrome := func() (time.Duration, []byte, error) {
			ctx, cancel := context.WithTimeout(ctx, *timeout)
			defer cancel()
			start := time.Now() // the content is handed over…
			if err := b.load(ctx, bn.html, url); err != nil {
				return 0, nil, err
			}
			pdf, err := b.print(ctx) // …until the PDF's bytes are back
			return time.Since(start), pdf, err
		}
		times, pdfs, err := measure(docgenRenderer(bn, lang), chrome)
		if err != nil {
			return nil, "", fmt.Errorf("%s: %w", bn.name, err)
		}
		results = append(results, result{bench: bn,
			docgen: times[0], chromium: times[1], docgenPDF: pdfs[0], chromiumPDF: pdfs[1]})
	}
	return results, strings.Replace(strings.TrimPrefix(v.Product, "Headless"), "Chrome/", "Chromium ", 1), nil
}

// benchCLI measures with one chromium --print-to-pdf process per render.
func benchCLI(chromium, tmp string, benches []bench, lang docgen.Lang) ([]result, error) {
	profile := filepath.Join(tmp, "cli-profile")
	empty := filepath.Join(tmp, "empty.html")
	if err := os.WriteFile(empty, []byte("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title></title></head><body></body></html>\n"), 0o644); err != nil {
		return nil, err
	}
	printPDF := func(htmlPath string) renderer {
		return func() (time.Duration, []byte, error) {
			out := filepath.Join(tmp, "out.pdf")
			_ = os.Remove(out)
			args := append(chromiumFlags(profile), "--no-pdf-header-footer", "--print-to-pdf="+out, "file://"+htmlPath)
			ctx, cancel := context.WithTimeout(context.Background(), *timeout)
			defer cancel()
			cmd := exec.CommandContext(ctx, chromium, args...)
			var stderr strings.Builder
			cmd.Stderr = &stderr
			start := time.Now()
			err := cmd.Run()
			d := time.Since(start)
			if err != nil {
				return 0, nil, fmt.Errorf("chromium --print-to-pdf: %v\n%s", err, stderr.String())
			}
			pdf, err := os.ReadFile(out)
			if err != nil {
				return 0, nil, fmt.Errorf("chromium wrote no PDF: %v\n%s", err, stderr.String())
			}
			return d, pdf, nil
		}
	}
	var results []result
	for _, bn := range benches {
		times, pdfs, err := measure(docgenRenderer(bn, lang), printPDF(bn.htmlPath), printPDF(empty))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", bn.name, err)
		}
		results = append(results, result{bench: bn,
			docgen: times[0], chromium: times[1], empty: times[2], docgenPDF: pdfs[0], chromiumPDF: pdfs[1]})
	}
	return results, nil
}

// report prints the table and keeps the files if asked.
func report(results []result, lang docgen.Lang, tmp string, cli bool) error {
	fmt.Printf("lang %s, %d iterations after %d warm-ups, alternating; medians; docgen = PDF + HTML rendition (of which html ms); "+
		"per page = each side's time ÷ its own page count; target docgen ÷ chromium ≤ %.2f, per page when both counts are known\n\n", lang, *iterations, *warmups, *target)
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	if cli {
		fmt.Fprintln(w, "doc\trows\tdocgen ms\thtml ms\tchromium ms raw\tempty page ms\tchromium ms excl. start\tratio raw\tratio excl. start\tdocgen pages\tchromium pages\tmeets target\t")
	} else {
		fmt.Fprintln(w, "doc\trows\tdocgen ms\thtml ms\tchromium ms\tratio\tratio per page\tdocgen pages\tchromium pages\tmeets target\t")
	}
	for _, r := range results {
		dg, ch := median(r.docgen), median(r.chromium)
		hm := median((*r.rendition)[len(*r.rendition)-len(r.docgen):])
		dpn, cpn := pageCount(tmp, r.docgenPDF), pageCount(tmp, r.chromiumPDF)
		dp, cp := pagesText(dpn), pagesText(cpn)
		if cli {
			em := median(r.empty)
			excl := ch - em
			ratioExcl := "n/a" // start was not less than the whole render
			meets := "n/a"
			if excl > 0 {
				ratioExcl = fmt.Sprintf("%.3f", dg/excl)
				meets = yesNo(dg/excl <= *target)
			}
			fmt.Fprintf(w, "%s\t%d\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%.3f\t%s\t%s\t%s\t%s\t\n",
				r.name, r.rows, dg, hm, ch, em, excl, dg/ch, ratioExcl, dp, cp, meets)
		} else {
			ratio, perPage := dg/ch, "n/a"
			if dpn > 0 && cpn > 0 {
				ratio = (dg / float64(dpn)) / (ch / float64(cpn))
				perPage = fmt.Sprintf("%.3f", ratio)
			}
			fmt.Fprintf(w, "%s\t%d\t%.1f\t%.1f\t%.1f\t%.3f\t%s\t%s\t%s\t%s\t\n",
				r.name, r.rows, dg, hm, ch, dg/ch, perPage, dp, cp, yesNo(ratio <= *target))
		}
		if *keep != "" {
			for name, data := range map[string][]byte{
				r.name + ".html":           []byte(r.html),
				r.name + "-rendition.html": *r.page,
				r.name + "-docgen.pdf":     r.docgenPDF,
				r.name + "-chromium.pdf":   r.chromiumPDF,
			} {
				if err := os.WriteFile(filepath.Join(*keep, name), data, 0o644); err != nil {
					return err
				}
			}
		}
	}
	return w.Flush()
}

// median is the median of ds in milliseconds.
func median(ds []time.Duration) float64 {
	s := slices.Clone(ds)
	slices.Sort(s)
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		m = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return float64(m) / float64(time.Millisecond)
}

var pagesLine = regexp.MustCompile(`(?m)^Pages:\s+(\d+)`)

// pageCount counts a PDF's pages with pdfinfo: 0 when it cannot (no
// pdfinfo), -1 when pdfinfo fails.
func pageCount(tmp string, pdf []byte) int {
	pdfinfo, err := exec.LookPath("pdfinfo")
	if err != nil {
		return 0
	}
	f := filepath.Join(tmp, "count.pdf")
	if err := os.WriteFile(f, pdf, 0o644); err != nil {
		return -1
	}
	out, err := exec.Command(pdfinfo, f).Output()
	if m := pagesLine.FindSubmatch(out); err == nil && m != nil {
		if n, err := strconv.Atoi(string(m[1])); err == nil {
			return n
		}
	}
	return -1
}

// pagesText is a page count as printed: "-" without pdfinfo, "?" when it
// failed.
func pagesText(n int) string {
	switch {
	case n == 0:
		return "-"
	case n < 0:
		return "?"
	}
	return strconv.Itoa(n)
}

func yesNo(ok bool) string {
	if ok {
		return "yes"
	}
	return "no"
}
