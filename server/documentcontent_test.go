package server_test

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/cynllun/cynllun/internal/redistest"
)

// TestDocumentContent (issue 18, item 4): a child's drawing attached to the
// one-page profile and to their views at a review that revised the plan.
// The revised version, rendered bilingual by the worker, lists the review
// in 3D as the one that made it, places the drawing with its caption (one
// image in the PDF), names the local authority "Caerdydd / Cardiff" and
// ends with the rights page of a school-maintained plan (ask the local
// authority to reconsider). The meeting record shows the drawing, not a
// file id, and the rights page after its decision.
func TestDocumentContent(t *testing.T) {
	if _, err := exec.LookPath("pdfimages"); err != nil && os.Getenv("CYNLLUN_SKIP_PDF_TOOLS") != "1" {
		t.Fatal("pdfimages not found: install poppler-utils")
	}
	e := newEnvOn(t, redistest.StartOwn(t))
	f := e.fixture()
	alnco := e.token(f.alnco)
	e.finalise(alnco, f.plan1)

	r := e.upload(e.token(f.parent), f.l1, "Siôn a Mabon.png", "image/png", sunPNG(t, 240, 160))
	fileID := r.str("uploadAttachment", "file", "id")
	if fileID == "" {
		t.Fatalf("upload: %s", r.raw)
	}
	rec := goodRecord()
	rec["childViews"] = []any{map[string]any{"format": "DRAWING", "text": "Fi a Mabon yn y parc.", "attachments": []any{fileID}, "gatheredBy": "Ms Evans"}}
	r = e.must(alnco, `mutation($in: OpenReviewInput!) { openReview(input: $in) { review { id } } }`,
		map[string]any{"in": map[string]any{"planId": f.plan1, "type": "ANNUAL", "record": rec}})
	reviewID := r.str("openReview", "review", "id")
	revised := sampleContent("45 minutes of 1:1 speech and language therapy weekly")
	revised["profile"].(map[string]any)["media"] = []any{fileID}
	e.must(alnco, `mutation($in: ConcludeReviewInput!) { concludeReview(input: $in) { review { id } } }`, map[string]any{"in": map[string]any{
		"id": reviewID, "expectedRevision": 1, "decision": "REVISED", "reasons": "Therapy increased", "content": revised, "expectedVersion": 2}})

	e.startWorker()
	r = e.must(alnco, `mutation($id: ID!) { renderPlan(input: {planId: $id, version: 3, language: BILINGUAL}) { job { id } } }`, map[string]any{"id": f.plan1})
	pdf := e.waitForFile(alnco, r.str("renderPlan", "job", "id"))
	text := pdfText(t, pdf)
	for _, want := range []string{
		"Caerdydd / Cardiff",
		"3D Cofnod o adolygiadau / Record of reviews",
		"Adolygiad a gynhaliwyd ar 20 Tachwedd 2026 / Review held on 20 November 2026",
		"Diwygiwyd y cynllun: yr adolygiad hwn a wnaeth y fersiwn hon (3)", "this version (3) was made by this review",
		"21 Tachwedd 2027 / 21 November 2027",
		"Wedi'i atodi i'r proffil / Attached to the profile: Siôn a Mabon.png",
		"Eich hawliau a phwy i gysylltu â nhw / Your rights and who to contact",
		"Gofyn i'r awdurdod lleol ailystyried / Ask the local authority to reconsider",
		"Tîm anghenion dysgu ychwanegol, Cyngor Caerdydd (enghraifft) / Additional learning needs team, Cardiff Council (sample)",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the IDP lacks %q", want)
		}
	}
	if strings.Contains(text, fileID) || strings.Contains(text, "Apelio i Dribiwnlys Addysg Cymru / Appeal to the Education Tribunal for Wales") {
		t.Errorf("the IDP shows the file id, or an appeal against a school")
	}
	if n := pdfImages(t, pdf); n != 1 {
		t.Errorf("the IDP holds %d images, want 1 (the drawing)", n)
	}

	r = e.must(alnco, `mutation($id: ID!) { renderMeetingRecord(input: {reviewId: $id, language: EN}) { job { id } } }`, map[string]any{"id": reviewID})
	pdf = e.waitForFile(alnco, r.str("renderMeetingRecord", "job", "id"))
	text = pdfText(t, pdf)
	for _, want := range []string{"Siôn's views (1): Siôn a Mabon.png", "drawings, photographs, audio and video added: ‘Siôn a Mabon.png’", "Your rights and who to contact", "Cardiff"} {
		if !strings.Contains(text, want) {
			t.Errorf("the meeting record lacks %q", want)
		}
	}
	if strings.Contains(text, fileID) {
		t.Errorf("the meeting record shows the file id")
	}
	if n := pdfImages(t, pdf); n != 1 {
		t.Errorf("the meeting record holds %d images, want 1", n)
	}
}

// sunPNG is a w×h PNG drawing: a yellow sun on a blue sky.
func sunPNG(t *testing.T, w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.RGBA{R: 120, G: 180, B: 240, A: 255}
			if dx, dy := x-w/3, y-h/3; dx*dx+dy*dy < (h/5)*(h/5) {
				c = color.RGBA{R: 250, G: 210, B: 40, A: 255}
			}
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pdfImages counts the images pdfimages -list finds in pdf.
func pdfImages(t *testing.T, pdf []byte) int {
	t.Helper()
	path := t.TempDir() + "/images.pdf"
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdfimages", "-list", path).Output()
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return len(lines) - 2 // two header lines
}
