package server_test

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cynllun/cynllun/internal/redistest"
)

// get fetches path from the test server, with a bearer token when one is
// given and optional extra headers.
func (e *env) get(token, path string, header ...string) (*http.Response, []byte) {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodGet, e.srv.URL+path, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}

const jobQuery = `query($id: ID!) { job(id: $id) { id status attempts errorCode version language startedAt finishedAt
	plan { id } file { id name contentType size pages sha256 downloadUrl(expiresInSeconds: 300) } } }`

// TestRenderAndDownload: renderPlan through GraphQL, the job followed to
// its file, and the file downloaded with a token and with a signed link, as
// a range, by those entitled and by nobody else; every download audited.
func TestRenderAndDownload(t *testing.T) {
	e := newEnvOn(t, redistest.StartOwn(t))
	f := e.fixture()
	alnco := e.token(f.alnco)
	render := `mutation($id: ID!, $v: Int, $lang: RenderLanguage) { renderPlan(input: {planId: $id, version: $v, language: $lang}) { job { id status version language } } }`

	// Bad requests write nothing.
	for _, tt := range []struct {
		name, token, code string
		vars              map[string]any
	}{
		{"unknown language", alnco, "INVALID", map[string]any{"id": f.plan1, "lang": "FR"}},
		{"version zero", alnco, "INVALID", map[string]any{"id": f.plan1, "v": 0}},
		{"missing version", alnco, "NOT_FOUND", map[string]any{"id": f.plan1, "v": 9}},
		{"stranger", e.token(f.stranger), "NOT_FOUND", map[string]any{"id": f.plan1}},
		{"no token", "", "UNAUTHENTICATED", map[string]any{"id": f.plan1}},
	} {
		if r := e.do(tt.token, render, tt.vars); r.code() != tt.code {
			t.Fatalf("%s: code %s, want %s: %s", tt.name, r.code(), tt.code, r.raw)
		}
	}

	r := e.must(alnco, render, map[string]any{"id": f.plan1, "lang": "CY"})
	jobID := r.str("renderPlan", "job", "id")
	if r.str("renderPlan", "job", "status") != "PENDING" || r.get("renderPlan", "job", "version") != 1.0 {
		t.Fatalf("renderPlan = %s", r.raw)
	}
	e.startWorker()
	deadline := time.Now().Add(60 * time.Second)
	for {
		r = e.must(alnco, jobQuery, map[string]any{"id": jobID})
		if r.str("job", "status") == "SUCCEEDED" {
			break
		}
		if r.str("job", "status") == "FAILED" || time.Now().After(deadline) {
			t.Fatalf("job did not succeed: %s", r.raw)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if r.get("job", "attempts") != 1.0 || r.get("job", "errorCode") != nil || r.str("job", "finishedAt") == "" || r.str("job", "plan", "id") != f.plan1 {
		t.Fatalf("job = %s", r.raw)
	}
	fileID := r.str("job", "file", "id")
	size := int(r.get("job", "file", "size").(float64))
	sum := r.str("job", "file", "sha256")
	link := r.str("job", "file", "downloadUrl")
	if r.str("job", "file", "contentType") != "application/pdf" || r.get("job", "file", "pages").(float64) < 1 || size == 0 || !strings.HasPrefix(link, "/files/"+fileID+"?") {
		t.Fatalf("file = %s", r.raw)
	}

	// With the bearer token: the whole file, its headers, its hash.
	resp, body := e.get(alnco, "/files/"+fileID)
	if resp.StatusCode != http.StatusOK || len(body) != size || resp.Header.Get("Content-Length") != strconv.Itoa(size) {
		t.Fatalf("download: %d, %d bytes", resp.StatusCode, len(body))
	}
	got := sha256.Sum256(body)
	if hex.EncodeToString(got[:]) != sum || !strings.HasPrefix(string(body), "%PDF-") {
		t.Fatal("downloaded bytes do not match the file's SHA-256")
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/pdf" {
		t.Fatalf("Content-Type = %q", ct)
	}
	cd := resp.Header.Get("Content-Disposition")
	if !strings.HasPrefix(cd, `attachment; filename="IDP Si_n Ll_r v1 CY.pdf"`) || !strings.Contains(cd, "filename*=UTF-8''IDP%20Si%C3%B4n%20Ll%C5%B7r%20v1%20CY.pdf") {
		t.Fatalf("Content-Disposition = %q", cd)
	}
	if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		t.Fatalf("Cache-Control = %q", cc)
	}

	// A range.
	resp, part := e.get(alnco, "/files/"+fileID, "Range", "bytes=100-199")
	if resp.StatusCode != http.StatusPartialContent || string(part) != string(body[100:200]) ||
		resp.Header.Get("Content-Range") != "bytes 100-199/"+strconv.Itoa(size) {
		t.Fatalf("range: %d %q", resp.StatusCode, resp.Header.Get("Content-Range"))
	}

	// The signed link works without a token, and only as issued.
	if resp, b := e.get("", link); resp.StatusCode != http.StatusOK || len(b) != size {
		t.Fatalf("signed link: %d", resp.StatusCode)
	}
	u, _ := url.Parse(link)
	q := u.Query()
	q.Set("u", f.stranger)
	if resp, _ := e.get("", u.Path+"?"+q.Encode()); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("link for another user: %d", resp.StatusCode)
	}
	if resp, _ := e.get("", "/files/"+fileID+"x?"+u.RawQuery); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("link for another file: %d", resp.StatusCode)
	}

	// Access is the plan's: the parent may, a stranger and no token may not.
	if resp, _ := e.get(e.token(f.parent), "/files/"+fileID); resp.StatusCode != http.StatusOK {
		t.Fatalf("parent: %d", resp.StatusCode)
	}
	if resp, _ := e.get(e.token(f.stranger), "/files/"+fileID); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("stranger: %d", resp.StatusCode)
	}
	if resp, _ := e.get(e.token(f.advocateExpired), "/files/"+fileID); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("advocate with ended consent: %d", resp.StatusCode)
	}
	if resp, _ := e.get("", "/files/"+fileID); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("no token: %d", resp.StatusCode)
	}
	if r := e.do(e.token(f.stranger), jobQuery, map[string]any{"id": jobID}); r.get("job") != nil || r.code() != "NOT_FOUND" {
		t.Fatalf("stranger sees the job: %s", r.raw)
	}

	// Every download is audited (token, range, link, parent): 4 so far.
	r = e.must(alnco, `query($l: ID!) { auditEvents(learnerId: $l, first: 100) { edges { node { part actorId } } } }`, map[string]any{"l": f.l1})
	downloads := 0
	for _, ed := range r.get("auditEvents", "edges").([]any) {
		if ed.(map[string]any)["node"].(map[string]any)["part"] == "file.download" {
			downloads++
		}
	}
	if downloads != 4 {
		t.Fatalf("%d downloads audited, want 4: %s", downloads, r.raw)
	}

	// The link expires.
	e.clock.Advance(6 * time.Minute)
	if resp, _ := e.get("", link); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("expired link: %d", resp.StatusCode)
	}

	// Asking again returns the stored render at once; the version lists it.
	r = e.must(e.token(f.parent), render, map[string]any{"id": f.plan1, "lang": "CY"})
	if r.str("renderPlan", "job", "id") != jobID || r.str("renderPlan", "job", "status") != "SUCCEEDED" {
		t.Fatalf("second render = %s", r.raw)
	}
	r = e.must(alnco, `query($id: ID!) { plan(id: $id) { currentVersion { renders { id status file { id } } } } }`, map[string]any{"id": f.plan1})
	if rs := r.get("plan", "currentVersion", "renders").([]any); len(rs) != 1 || r.str("plan", "currentVersion", "renders", 0, "file", "id") != fileID {
		t.Fatalf("renders = %s", r.raw)
	}
	if r := e.must(alnco, `query($id: ID!) { node(id: $id) { ... on File { sha256 } } }`, map[string]any{"id": fileID}); r.str("node", "sha256") != sum {
		t.Fatalf("node(file) = %s", r.raw)
	}
}
