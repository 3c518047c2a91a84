package docgen

import (
	"bytes"
	"encoding/base64"
	"html"
	"net/http"
	"strconv"
	"strings"

	"github.com/cynllun/cynllun"
)

// The accessible HTML rendition (issue 18).
//
// WriteHTML writes a tree as one self-contained HTML5 document: semantic
// headings (h1 the title, h2 a part, h3 a section, h4 a subheading, never
// more than one level deeper than the heading before), each run of fields
// as a table whose labels are row headers (th scope="row"), the child's
// own words as a blockquote in a figure captioned by its introduction,
// warnings in strong text with role="note", images as <img> with their
// alternative text, embedded as data: URIs. Its CSS is inline and it has
// no script and no external resource, so it reads the same offline, and
// the server can serve it under a Content-Security-Policy that allows
// nothing else (server/files.go). It has a skip link, a <header> with the
// learner, the version and the draft mark, and a <main>; colours meet WCAG
// 2.2 AA contrast and it prints on A4.
//
// Language. A Welsh or English document is marked as such on <html lang>.
// A bilingual PDF prints each heading and label "Cymraeg / English" on one
// line, which HTML cannot mark passage by passage without splitting the
// strings, and a " / " may be part of either language's wording. So the
// bilingual HTML rendition is instead the whole Welsh document followed by
// the whole English one, each in a <section lang="cy"> / <section
// lang="en"> built by the same builder in that language (BuildPlan(doc,
// LangCY), BuildPlan(doc, LangEN)): Welsh first, as the Welsh Language
// Standards expect, with a language switch at the top linking to each.
// Free text entered by users is printed once in each, as stored; the
// record does not say which language it was written in, so it carries the
// language of the half it is in.

// RenderPlanHTML renders one version of an IDP as its accessible HTML
// rendition; a bilingual rendition is the Welsh plan then the English one.
func RenderPlanHTML(doc PlanDoc, lang Lang) ([]byte, error) {
	return renderHTML(lang, func(l Lang) (*Tree, error) { return BuildPlan(doc, l) })
}

// RenderMeetingHTML renders a review meeting record as its accessible HTML
// rendition, as RenderPlanHTML does a plan.
func RenderMeetingHTML(doc MeetingDoc, lang Lang) ([]byte, error) {
	return renderHTML(lang, func(l Lang) (*Tree, error) { return BuildMeeting(doc, l) })
}

func renderHTML(lang Lang, build func(Lang) (*Tree, error)) ([]byte, error) {
	if lang != LangBilingual {
		t, err := build(lang)
		if err != nil {
			return nil, err
		}
		return WriteHTML(t)
	}
	cy, err := build(LangCY)
	if err != nil {
		return nil, err
	}
	en, err := build(LangEN)
	if err != nil {
		return nil, err
	}
	return WriteBilingualHTML(cy, en)
}

// WriteHTML writes a Welsh or English tree as an HTML document. A
// bilingual tree is refused: its "Cymraeg / English" lines cannot carry
// the language of each half (see WriteBilingualHTML).
func WriteHTML(t *Tree) ([]byte, error) {
	const op = "docgen.WriteHTML"
	if t.Lang != LangEN && t.Lang != LangCY {
		return nil, cynllun.E(cynllun.CodeInvalid, op, "an HTML document is written from a Welsh or an English tree; a bilingual one from both (WriteBilingualHTML)")
	}
	return writeHTML([]*Tree{t}), nil
}

// WriteBilingualHTML writes the Welsh and the English tree of one document
// as one HTML document: the Welsh in a <section lang="cy">, then the
// English in a <section lang="en">, with links to each at the top.
func WriteBilingualHTML(cy, en *Tree) ([]byte, error) {
	const op = "docgen.WriteBilingualHTML"
	if cy.Lang != LangCY || en.Lang != LangEN {
		return nil, cynllun.E(cynllun.CodeInvalid, op, "a bilingual HTML document needs a Welsh tree and an English tree")
	}
	return writeHTML([]*Tree{cy, en}), nil
}

// htmlLang is the BCP 47 tag of a Welsh or English tree.
func htmlLang(l Lang) string {
	if l == LangCY {
		return "cy"
	}
	return "en"
}

// writeHTML writes the trees, one per language, the first one's language
// the document's. With more than one, each is a section marked with its
// language, and the furniture (skip link, header) gives each language's
// wording marked the same way.
func writeHTML(trees []*Tree) []byte {
	w := &htmlWriter{}
	w.b.Grow(64 << 10)
	first := trees[0]
	bilingual := len(trees) > 1
	w.s("<!DOCTYPE html>\n<html lang=\"" + htmlLang(first.Lang) + "\">\n<head>\n<meta charset=\"utf-8\">\n")
	w.s("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
	w.s("<meta name=\"color-scheme\" content=\"light\">\n<title>")
	var title []string
	for _, t := range trees {
		title = append(title, t.Title)
	}
	head := strings.Join(title, " / ")
	if first.Draft != "" {
		var drafts []string
		for _, t := range trees {
			drafts = append(drafts, t.Draft)
		}
		head = strings.Join(drafts, " / ") + ": " + head
	}
	if first.FooterLeft != "" {
		head += " — " + first.FooterLeft
	}
	w.text(head)
	w.s("</title>\n<style>" + htmlCSS + "</style>\n</head>\n<body>\n")

	w.s(`<a class="skip" href="#main">`)
	w.each(trees, " / ", func(t *Tree) { w.text(t.Lang.Pick(txtSkipToDocument)) })
	w.s("</a>\n<header>\n")
	if first.FooterLeft != "" || first.FooterRight != "" {
		w.s(`<p class="meta">`)
		w.each(trees, " / ", func(t *Tree) {
			w.text(strings.TrimSpace(strings.Join([]string{t.FooterLeft, t.FooterRight}, " · ")))
		})
		w.s("</p>\n")
	}
	if first.Draft != "" {
		w.s(`<p class="draft"><strong>`)
		w.each(trees, " / ", func(t *Tree) { w.text(t.Draft) })
		w.s("</strong></p>\n")
	}
	if bilingual {
		w.s(`<nav aria-label="`)
		w.text(first.Lang.Pick(txtLanguage))
		w.s("\">\n<ul>\n")
		for _, t := range trees {
			l := htmlLang(t.Lang)
			name := txtListEN
			if t.Lang == LangCY {
				name = txtListCY
			}
			w.s(`<li><a href="#` + l + `" lang="` + l + `" hreflang="` + l + `">`)
			w.text(t.Lang.Pick(name))
			w.s("</a></li>\n")
		}
		w.s("</ul>\n</nav>\n")
	}
	w.s("</header>\n<main id=\"main\">\n")
	for _, t := range trees {
		w.last = 0
		if bilingual {
			l := htmlLang(t.Lang)
			w.id = l + "-"
			w.s(`<section class="language" id="` + l + `" lang="` + l + `" aria-labelledby="` + l + `-title">` + "\n")
		}
		w.tree(t)
		if bilingual {
			w.s("</section>\n")
		}
	}
	w.s("</main>\n</body>\n</html>\n")
	return w.b.Bytes()
}

// htmlWriter writes a tree's blocks.
type htmlWriter struct {
	b bytes.Buffer
	// last is the level of the last heading written (0 before the first).
	last int
	// fields is true while a table of fields is open.
	fields bool
	// id prefixes the ids of a bilingual document's halves.
	id string
}

func (w *htmlWriter) s(s string)    { w.b.WriteString(s) }
func (w *htmlWriter) text(s string) { w.b.WriteString(html.EscapeString(s)) }

// each writes each tree's part, separated by sep; in a bilingual document
// each part is a span marked with its language.
func (w *htmlWriter) each(trees []*Tree, sep string, part func(*Tree)) {
	for i, t := range trees {
		if i > 0 {
			w.text(sep)
		}
		if len(trees) == 1 {
			part(t)
			continue
		}
		w.s(`<span lang="` + htmlLang(t.Lang) + `">`)
		part(t)
		w.s("</span>")
	}
}

func (w *htmlWriter) tree(t *Tree) {
	lang := t.Lang
	for _, b := range t.Blocks {
		if b.Kind != KindField {
			w.closeFields()
		}
		switch b.Kind {
		case KindTitle:
			w.heading(1, "title", b.Text, "title")
		case KindPart:
			w.heading(2, "part", b.Text, "")
		case KindSection:
			w.heading(3, "section", b.Text, "")
		case KindSubheading:
			w.heading(4, "subheading", b.Text, "")
		case KindField:
			w.field(b)
		case KindParagraph:
			w.paragraphs("", b.Text)
		case KindQuote:
			w.s(`<figure class="quote">` + "\n<figcaption>")
			w.text(b.Label)
			w.s("</figcaption>\n<blockquote>\n")
			w.paragraphs("", b.Text)
			w.s("</blockquote>\n</figure>\n")
		case KindEmpty:
			w.paragraphs("empty", b.Text)
		case KindWarning:
			w.s(`<p class="warning" role="note"><strong>`)
			w.lines(b.Text)
			w.s("</strong></p>\n")
		case KindPageBreak:
			w.s(`<div class="page-break"></div>` + "\n")
		case KindFinding:
			// A finding is a heading of its part: its severity and where
			// it points, so a reader can move from one to the next.
			level := w.level(3)
			n := strconv.Itoa(level)
			w.s(`<h` + n + ` class="finding"><span class="severity severity-` + html.EscapeString(strings.ToLower(b.Key)) + `">`)
			w.text(b.Label)
			w.s("</span>")
			if !blank(b.Text) {
				w.text(": " + b.Text)
			}
			w.s("</h" + n + ">\n")
		case KindFindingText:
			w.paragraphs("finding-text", b.Text)
		case KindFindingNote:
			w.paragraphs("finding-note", b.Text)
		case KindImage:
			w.image(b, lang)
		}
	}
	w.closeFields()
}

// level is the level of a heading whose kind has level want: never more
// than one below the heading before, so that no level is skipped (a
// subheading straight under a part is an h3).
func (w *htmlWriter) level(want int) int {
	if want > w.last+1 {
		want = w.last + 1
	}
	w.last = want
	return want
}

func (w *htmlWriter) heading(want int, class, text, id string) {
	n := strconv.Itoa(w.level(want))
	w.s("<h" + n + ` class="` + class + `"`)
	if id != "" && w.id != "" {
		w.s(` id="` + w.id + id + `"`)
	}
	w.s(">")
	w.text(text)
	w.s("</h" + n + ">\n")
}

// field adds a row to the open table of fields, opening one if needed:
// the label is the row's header.
func (w *htmlWriter) field(b Block) {
	if !w.fields {
		w.s("<table class=\"fields\">\n<tbody>\n")
		w.fields = true
	}
	w.s(`<tr><th scope="row">`)
	w.text(b.Label)
	w.s("</th><td>")
	if strings.Contains(b.Text, "\n") {
		w.s("\n")
		w.paragraphs("", b.Text)
	} else {
		w.text(b.Text)
	}
	w.s("</td></tr>\n")
}

func (w *htmlWriter) closeFields() {
	if w.fields {
		w.s("</tbody>\n</table>\n")
		w.fields = false
	}
}

// paragraphs writes each line of text as a paragraph, as the PDF does.
func (w *htmlWriter) paragraphs(class, text string) {
	for _, line := range strings.Split(text, "\n") {
		w.s("<p")
		if class != "" {
			w.s(` class="` + class + `"`)
		}
		w.s(">")
		w.text(line)
		w.s("</p>\n")
	}
}

// lines writes text with its line breaks kept.
func (w *htmlWriter) lines(text string) {
	for i, line := range strings.Split(text, "\n") {
		if i > 0 {
			w.s("<br>")
		}
		w.text(line)
	}
}

// image writes a figure: the image, its alternative text and its caption.
// Only PNG and JPEG bytes are embedded (checked again here, from the
// bytes, whatever the content type says); anything else leaves the caption
// and the alternative text as a paragraph, so nothing is lost.
func (w *htmlWriter) image(b Block, lang Lang) {
	alt := ""
	if b.Image != nil {
		alt = b.Image.Alt
	}
	if blank(alt) {
		alt = b.Text
	}
	if blank(alt) {
		alt = lang.Pick(txtImage)
	}
	w.s("<figure class=\"image\">\n")
	if mime := imageType(b.Image); mime != "" {
		w.s(`<img src="data:` + mime + ";base64," + base64.StdEncoding.EncodeToString(b.Image.Data) + `" alt="`)
		w.text(alt)
		w.s(`"`)
		if b.Image.Width > 0 && b.Image.Height > 0 {
			w.s(` width="` + strconv.Itoa(b.Image.Width) + `" height="` + strconv.Itoa(b.Image.Height) + `"`)
		}
		w.s(">\n")
	} else if alt != b.Text {
		w.paragraphs("", alt)
	}
	if !blank(b.Text) {
		w.s("<figcaption>")
		w.lines(b.Text)
		w.s("</figcaption>\n")
	}
	w.s("</figure>\n")
}

// imageType is the media type of an image that may be embedded: PNG or
// JPEG, as its bytes say; "" for anything else.
func imageType(img *Image) string {
	if img == nil || len(img.Data) == 0 {
		return ""
	}
	switch t := http.DetectContentType(img.Data); t {
	case "image/png", "image/jpeg":
		return t
	}
	return ""
}

// htmlCSS is the rendition's only style sheet. Colours on white: text
// #1a1a1a (17:1), navy #1f3864 (12:1, and white on navy), grey #595959
// (7:1, also on the #e8ecf1 shading: 5.9:1), red #b40000 (7:1), amber
// #8a5300 (6.3:1): all above the 4.5:1 of WCAG 2.2 AA. Sizes are in rem,
// so text zooms, and the layout reflows to a narrow screen.
const htmlCSS = `
:root { color-scheme: light; }
*, *::before, *::after { box-sizing: border-box; }
body { margin: 0; color: #1a1a1a; background: #fff; font: 1rem/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif; }
a { color: #1f3864; }
a:focus-visible { outline: 3px solid #1f3864; outline-offset: 2px; }
.skip { position: absolute; left: -999em; top: 0; }
.skip:focus { left: 1rem; top: 1rem; z-index: 1; background: #fff; padding: .5rem 1rem; }
header, main { max-width: 52rem; margin: 0 auto; padding: 0 1rem; }
header { border-bottom: 1px solid #595959; padding-top: .75rem; padding-bottom: .5rem; }
.meta { margin: 0; color: #595959; font-size: .9rem; }
.draft { display: inline-block; margin: .5rem 0 0; padding: .1rem .75rem; border: 3px solid #b40000; color: #b40000; font-size: 1.5rem; letter-spacing: .05em; }
nav ul { display: flex; flex-wrap: wrap; gap: 1.5rem; list-style: none; margin: .5rem 0 0; padding: 0; }
.title { font-size: 1.8rem; line-height: 1.25; margin: 1.5rem 0 1rem; }
.part { font-size: 1.35rem; color: #fff; background: #1f3864; padding: .3rem .6rem; margin: 2rem 0 .75rem; }
.section { font-size: 1.15rem; color: #1f3864; margin: 1.5rem 0 .5rem; }
.subheading, .finding { font-size: 1rem; background: #e8ecf1; padding: .2rem .6rem; margin: 1rem 0 .5rem; }
p { margin: 0 0 .5rem; }
table.fields { width: 100%; border-collapse: collapse; margin: .5rem 0 1rem; }
.fields th, .fields td { text-align: left; vertical-align: top; padding: .3rem .6rem; border: 1px solid #c4ccd6; }
.fields th { width: 33%; background: #e8ecf1; }
.fields td p:last-child { margin-bottom: 0; }
figure { margin: 1rem 0; }
figure.quote { margin-left: 1.5rem; }
figure.quote figcaption { font-size: .9rem; font-weight: bold; color: #595959; }
blockquote { margin: .25rem 0 0; padding-left: 1rem; border-left: 4px solid #1f3864; font-style: italic; }
figure.image img { display: block; max-width: 100%; height: auto; border: 1px solid #c4ccd6; }
figure.image figcaption { font-size: .9rem; margin-top: .25rem; }
.empty { font-style: italic; color: #595959; }
.warning { color: #b40000; }
.severity-error { color: #b40000; }
.severity-warning { color: #8a5300; }
.finding-note { font-size: .9rem; color: #595959; }
section.language + section.language { border-top: 4px double #1f3864; margin-top: 3rem; }
@media print {
  @page { size: A4; margin: 15mm 12mm; }
  body { font-size: 10.5pt; }
  .skip, nav { display: none; }
  header, main { max-width: none; padding: 0; }
  h1, h2, h3, h4, h5, h6 { break-after: avoid; }
  tr, figure { break-inside: avoid; }
  .part, .subheading, .finding, .fields th { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .page-break { break-after: page; }
  section.language + section.language { break-before: page; border-top: 0; margin-top: 0; }
}
`
