package server_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cynllun/cynllun/internal/browsertest"
	"github.com/cynllun/cynllun/internal/redistest"
)

// wantFileCSP is the policy an HTML rendition is served under.
const wantFileCSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; sandbox"

// htmlRendition waits for a render job to succeed, checks its HTML
// rendition's file and the headers it is served with, and returns the
// job's two file ids and the page.
func (e *env) htmlRendition(token, jobID string) (pdfID, htmlID, page string) {
	e.t.Helper()
	e.waitForFile(token, jobID)
	r := e.must(token, `query($id: ID!) { job(id: $id) { file { id name } htmlFile { id name contentType size pages sha256 downloadUrl } } }`, map[string]any{"id": jobID})
	pdfID, htmlID = r.str("job", "file", "id"), r.str("job", "htmlFile", "id")
	pdfName, name := r.str("job", "file", "name"), r.str("job", "htmlFile", "name")
	if htmlID == "" || htmlID == pdfID || name != strings.TrimSuffix(pdfName, ".pdf")+".html" ||
		r.str("job", "htmlFile", "contentType") != "text/html; charset=utf-8" || r.get("job", "htmlFile", "pages") != 0.0 {
		e.t.Fatalf("htmlFile: %s", r.raw)
	}
	resp, body := e.get(token, "/files/"+htmlID)
	if resp.StatusCode != http.StatusOK || int(r.get("job", "htmlFile", "size").(float64)) != len(body) {
		e.t.Fatalf("download of the HTML rendition: %d, %d bytes", resp.StatusCode, len(body))
	}
	if sum := sha256.Sum256(body); hex.EncodeToString(sum[:]) != r.str("job", "htmlFile", "sha256") {
		e.t.Fatal("the HTML rendition's bytes do not match its SHA-256")
	}
	for h, want := range map[string]string{
		"Content-Type":            "text/html; charset=utf-8",
		"Content-Security-Policy": wantFileCSP,
		"X-Content-Type-Options":  "nosniff",
		"Cache-Control":           "private, no-store",
	} {
		if got := resp.Header.Get(h); got != want {
			e.t.Errorf("HTML rendition: %s = %q, want %q", h, got, want)
		}
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, `inline; filename="`) || !strings.HasSuffix(cd, ".html") {
		e.t.Errorf("HTML rendition: Content-Disposition = %q", cd)
	}
	// The PDF is still an attachment, without the policy (which would
	// break a browser's PDF viewer).
	resp, _ = e.get(token, "/files/"+pdfID)
	if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment; ") || resp.Header.Get("Content-Security-Policy") != "" {
		e.t.Errorf("PDF: Content-Disposition %q, Content-Security-Policy %q", cd, resp.Header.Get("Content-Security-Policy"))
	}
	return pdfID, htmlID, string(body)
}

// TestHTMLRendition (issue 18): a plan rendered in English, Welsh and
// bilingual gives, from the same job, the PDF and the accessible HTML
// rendition, downloaded like the PDF (same access, same audit) and served
// as a page that can do nothing but show itself; asking again returns the
// same job with both files.
func TestHTMLRendition(t *testing.T) {
	e := newEnvOn(t, redistest.StartOwn(t))
	f := e.fixture()
	alnco := e.token(f.alnco)
	e.startWorker()
	render := `mutation($id: ID!, $lang: RenderLanguage) { renderPlan(input: {planId: $id, language: $lang}) { job { id htmlFile { id } } } }`
	for _, tt := range []struct {
		lang string
		want []string
	}{
		{"EN", []string{`<html lang="en">`, "<h1 class=\"title\">", "Siôn Llŷr", "<h2 class=\"part\">Part 1"}},
		{"CY", []string{`<html lang="cy">`, "<h1 class=\"title\">", "Siôn Llŷr", "<h2 class=\"part\">Rhan 1"}},
		{"BILINGUAL", []string{`<html lang="cy">`, `<section class="language" id="cy" lang="cy"`, `<section class="language" id="en" lang="en"`,
			`<a href="#en" lang="en" hreflang="en">English</a>`, "<h2 class=\"part\">Rhan 1", "<h2 class=\"part\">Part 1"}},
	} {
		t.Run(tt.lang, func(t *testing.T) {
			r := e.must(alnco, render, map[string]any{"id": f.plan1, "lang": tt.lang})
			jobID := r.str("renderPlan", "job", "id")
			pdfID, htmlID, page := e.htmlRendition(alnco, jobID)
			for _, want := range tt.want {
				if !strings.Contains(page, want) {
					t.Errorf("the rendition lacks %q", want)
				}
			}
			// Nothing runs or is fetched: no script, no external style
			// sheet, image, frame or font. (A contact's web address may be
			// printed, and linked: following a link loads nothing here.)
			for _, bad := range []string{"<script", "<link", "<iframe", "<object", "<embed", "@import", "url(", `src="http`, `src='http`} {
				if strings.Contains(page, bad) {
					t.Errorf("the rendition runs or loads something: %q", bad)
				}
			}
			if tt.lang == "BILINGUAL" && strings.Index(page, `id="cy"`) > strings.Index(page, `id="en"`) {
				t.Error("the English half comes before the Welsh")
			}

			// The same request: the same job, both files.
			r = e.must(alnco, render, map[string]any{"id": f.plan1, "lang": tt.lang})
			if r.str("renderPlan", "job", "id") != jobID || r.str("renderPlan", "job", "htmlFile", "id") != htmlID {
				t.Fatalf("asked again: %s", r.raw)
			}

			// Access is the plan's, as for the PDF.
			if resp, _ := e.get(e.token(f.parent), "/files/"+htmlID); resp.StatusCode != http.StatusOK {
				t.Errorf("parent: %d", resp.StatusCode)
			}
			for _, who := range []string{f.stranger, f.advocateExpired} {
				if resp, _ := e.get(e.token(who), "/files/"+htmlID); resp.StatusCode != http.StatusNotFound {
					t.Errorf("%s: %d", who, resp.StatusCode)
				}
			}
			if resp, _ := e.get("", "/files/"+htmlID); resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("no token: %d", resp.StatusCode)
			}
			if rr := e.do(e.token(f.stranger), `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": htmlID}); rr.get("node") != nil {
				t.Errorf("a stranger reads the file: %s", rr.raw)
			}
			if pdfID == htmlID {
				t.Fatal("one file for both")
			}
		})
	}

	// Both downloads of each language are audited: the PDF and the page
	// (and the parent's download of the page).
	r := e.must(alnco, `query($l: ID!) { auditEvents(learnerId: $l, first: 200) { edges { node { part actorId } } } }`, map[string]any{"l": f.l1})
	downloads := 0
	for _, ed := range r.get("auditEvents", "edges").([]any) {
		if ed.(map[string]any)["node"].(map[string]any)["part"] == "file.download" {
			downloads++
		}
	}
	// waitForFile's PDF, the page, the PDF's headers, the parent's page:
	// four a language.
	if downloads != 12 {
		t.Errorf("%d downloads audited, want 12", downloads)
	}
}

// TestBrowserHTMLRendition: the HTML rendition opened in headless Chromium
// from its download link, under the headers GET /files/{id} serves it
// with, shows in place with its own style sheet (the policy lets inline
// CSS in), in its language, its links staying within the page.
func TestBrowserHTMLRendition(t *testing.T) {
	browser := browsertest.Start(t)
	e := newEnvOn(t, redistest.StartOwn(t))
	f := e.fixture()
	parent := e.token(f.parent)
	e.startWorker()
	r := e.must(parent, `mutation($id: ID!) { renderPlan(input: {planId: $id, language: BILINGUAL}) { job { id } } }`, map[string]any{"id": f.plan1})
	jobID := r.str("renderPlan", "job", "id")
	e.htmlRendition(parent, jobID)
	r = e.must(parent, `query($id: ID!) { job(id: $id) { htmlFile { downloadUrl } } }`, map[string]any{"id": jobID})
	ctx, cancel := context.WithTimeout(browser, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(e.srv.URL+r.str("job", "htmlFile", "downloadUrl")), chromedp.WaitReady(chromedp.CSS("main"))); err != nil {
		t.Fatalf("open the rendition: %v", err)
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]any](`({
		lang: document.documentElement.lang,
		partBackground: getComputedStyle(document.querySelector("h2")).backgroundColor,
		skipHidden: document.querySelector("a.skip").getBoundingClientRect().right < 0,
		halves: [...document.querySelectorAll("main > section[lang]")].map(s => s.lang).join(","),
		links: [...document.querySelectorAll("a")].filter(a => !a.getAttribute("href").startsWith("#")).length,
	})`))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"lang": "cy", "partBackground": "rgb(31, 56, 100)", "skipHidden": true, "halves": "cy,en", "links": 0.0}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
}
