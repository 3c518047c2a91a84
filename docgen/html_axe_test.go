package docgen

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cynllun/cynllun/internal/browsertest"
)

// axeScript is axe-core as pinned by tools/axe/package-lock.json and
// installed by `make test` (npm ci --prefix tools/axe).
const axeScript = "../tools/axe/node_modules/axe-core/axe.min.js"

// axeTags are the rule sets run: WCAG 2.0, 2.1 and 2.2, levels A and AA.
var axeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"}

// axeResult is the part of axe.run's result the test reads.
type axeResult struct {
	TestEngine struct {
		Version string `json:"version"`
	} `json:"testEngine"`
	Violations []axeRule `json:"violations"`
	Incomplete []axeRule `json:"incomplete"`
	Passes     []axeRule `json:"passes"`
}

type axeRule struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		HTML           string   `json:"html"`
		Target         []any    `json:"target"`
		FailureSummary string   `json:"failureSummary"`
		Any            []axeMsg `json:"any"`
	} `json:"nodes"`
}

type axeMsg struct {
	Message string `json:"message"`
}

// TestHTMLAccessibility (issue 18): the HTML rendition of a draft IDP with
// every section filled, its plan check, a drawing and a warning, and of a
// review meeting record, in Welsh, English and bilingual, opened in
// headless Chromium and checked with axe-core at WCAG 2.2 AA: no
// violations. Colour contrast must be decided, not left "incomplete".
func TestHTMLAccessibility(t *testing.T) {
	script, err := os.ReadFile(axeScript)
	if err != nil {
		t.Fatalf("axe-core is not installed (%v): run `make test`, or `npm ci --prefix tools/axe` (needs node and npm; .ci/run installs them)", err)
	}
	browser := browsertest.Start(t)
	dir := t.TempDir()
	for _, c := range htmlCases(t) {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "-")+".html")
			if err := os.WriteFile(path, c.html, 0o644); err != nil {
				t.Fatal(err)
			}
			tab, cancelTab := chromedp.NewContext(browser)
			defer cancelTab()
			ctx, cancel := context.WithTimeout(tab, 90*time.Second)
			defer cancel()
			tags, _ := json.Marshal(axeTags)
			run := fmt.Sprintf(`axe.run(document, {runOnly: {type: "tag", values: %s}, resultTypes: ["violations", "incomplete"]})
				.then(r => JSON.stringify({testEngine: r.testEngine, violations: r.violations, incomplete: r.incomplete, passes: r.passes.map(p => ({id: p.id}))}))`, tags)
			if err := chromedp.Do(ctx,
				chromedp.Navigate("file://"+path),
				chromedp.WaitReady(chromedp.CSS("main")),
				chromedp.Evaluate[chromedp.Void](string(script)),
			); err != nil {
				t.Fatalf("load the rendition and axe in Chromium: %v", err)
			}
			out, err := chromedp.Run(ctx, chromedp.Evaluate[string](run, chromedp.EvalAwaitPromise))
			if err != nil {
				t.Fatalf("axe.run: %v", err)
			}
			var res axeResult
			if err := json.Unmarshal([]byte(out), &res); err != nil {
				t.Fatalf("axe result: %v", err)
			}
			if len(res.Passes) < 10 {
				t.Fatalf("axe %s passed only %d rules: it did not run on the document", res.TestEngine.Version, len(res.Passes))
			}
			for _, v := range res.Violations {
				for _, n := range v.Nodes {
					t.Errorf("axe %s: %s (%s, %s) at %v: %s\n%s", res.TestEngine.Version, v.ID, v.Impact, v.Help, n.Target, n.FailureSummary, n.HTML)
				}
			}
			for _, v := range res.Incomplete {
				if v.ID == "color-contrast" {
					for _, n := range v.Nodes {
						var why []string
						for _, m := range n.Any {
							why = append(why, m.Message)
						}
						t.Errorf("axe could not decide the contrast of %v: %s\n%s", n.Target, strings.Join(why, "; "), n.HTML)
					}
				}
			}
			if !t.Failed() {
				t.Logf("axe-core %s, %s: no violations, %d rules passed", res.TestEngine.Version, strings.Join(axeTags, ", "), len(res.Passes))
			}
		})
	}
}
