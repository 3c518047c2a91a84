package main

import (
	"html"
	"strings"

	"github.com/cynllun/cynllun/docgen"
)

// pageCSS lays the HTML out like docgen.Write: A4, navy part bars, shaded
// labels in a third of the width, the title and draft mark at the head of
// every page and the learner, version and page number at the foot (CSS
// page-margin boxes, which Chromium prints since version 131).
const pageCSS = `
@page {
  size: A4;
  margin: 16mm 10mm 20mm 10mm;
  @top-left { content: %TITLE%; font: 8pt sans-serif; color: #5a5a5a; vertical-align: bottom; padding-bottom: 1mm; border-bottom: 0.2mm solid #5a5a5a; }
  @top-right { content: %DRAFT%; font: bold 14pt sans-serif; color: #b40000; vertical-align: bottom; padding-bottom: 1mm; border-bottom: 0.2mm solid #5a5a5a; }
  @bottom-left { content: %LEFT%; font: 8pt sans-serif; color: #5a5a5a; vertical-align: top; padding-top: 1mm; border-top: 0.2mm solid #5a5a5a; }
  @bottom-right { content: %RIGHT%; font: 8pt sans-serif; color: #5a5a5a; vertical-align: top; padding-top: 1mm; border-top: 0.2mm solid #5a5a5a; }
}
* { box-sizing: border-box; }
body { margin: 0; font: 10pt/1.2 "DejaVu Sans", sans-serif; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
h1 { font-size: 18pt; text-align: center; margin: 0 0 4mm; }
h2 { font-size: 14pt; color: #fff; background: #1f3864; padding: 1.5mm 2mm; margin: 4mm 0 0; break-after: avoid; }
h3 { font-size: 12pt; color: #1f3864; margin: 4mm 0 2mm; break-after: avoid; }
h4 { font-size: 10pt; background: #e8ecf1; padding: 1mm 2mm; margin: 2mm 0 1mm; break-after: avoid; }
p { margin: 0 0 1.5mm; padding-left: 2mm; }
.field { display: flex; }
.field .label { flex: 0 0 33.333%; background: #e8ecf1; font-weight: bold; font-size: 9pt; padding: 0.6mm 2mm 1.5mm; }
.field .value { flex: 1; padding-top: 0.6mm; }
blockquote { margin: 0; padding-left: 8mm; }
blockquote .says { font-size: 8pt; font-weight: bold; color: #5a5a5a; margin-top: 1mm; }
blockquote p, p.empty { font-style: italic; padding-left: 0; }
p.empty { color: #5a5a5a; padding-left: 2mm; }
`

// treeHTML writes a docgen tree as one self-contained HTML document that
// Chromium prints to the same content as docgen.Write.
func treeHTML(t *docgen.Tree, lang string) string {
	var b strings.Builder
	b.Grow(64 << 10)
	css := strings.NewReplacer(
		"%TITLE%", cssString(t.Title),
		"%DRAFT%", cssString(t.Draft),
		"%LEFT%", cssString(t.FooterLeft),
		"%RIGHT%", cssString(t.FooterRight)+` "   " `+pageNumberCSS(t.PageNumber),
	).Replace(pageCSS)
	b.WriteString("<!DOCTYPE html>\n<html lang=\"" + html.EscapeString(lang) + "\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
	b.WriteString(html.EscapeString(t.Title))
	b.WriteString("</title>\n<style>")
	b.WriteString(css)
	b.WriteString("</style>\n</head>\n<body>\n")
	for _, bl := range t.Blocks {
		switch bl.Kind {
		case docgen.KindTitle:
			tag(&b, "h1", "", bl.Text)
		case docgen.KindPart:
			tag(&b, "h2", "", bl.Text)
		case docgen.KindSection:
			tag(&b, "h3", "", bl.Text)
		case docgen.KindSubheading:
			tag(&b, "h4", "", bl.Text)
		case docgen.KindField:
			b.WriteString(`<div class="field"><div class="label">`)
			b.WriteString(html.EscapeString(bl.Label))
			b.WriteString(`</div><div class="value">`)
			paragraphs(&b, "", bl.Text)
			b.WriteString("</div></div>\n")
		case docgen.KindParagraph:
			paragraphs(&b, "", bl.Text)
		case docgen.KindQuote:
			b.WriteString("<blockquote>")
			tag(&b, "div", "says", bl.Label)
			paragraphs(&b, "", bl.Text)
			b.WriteString("</blockquote>\n")
		case docgen.KindEmpty:
			paragraphs(&b, "empty", bl.Text)
		}
	}
	b.WriteString("</body>\n</html>\n")
	return b.String()
}

func tag(b *strings.Builder, name, class, text string) {
	b.WriteString("<" + name)
	if class != "" {
		b.WriteString(` class="` + class + `"`)
	}
	b.WriteString(">")
	b.WriteString(html.EscapeString(text))
	b.WriteString("</" + name + ">\n")
}

// paragraphs writes each line of text as a paragraph, as docgen does.
func paragraphs(b *strings.Builder, class, text string) {
	for _, line := range strings.Split(text, "\n") {
		tag(b, "p", class, line)
	}
}

// cssString quotes s as a CSS string.
func cssString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\A `, "<", `\3C `)
	return `"` + r.Replace(s) + `"`
}

// pageNumberCSS turns docgen's page number pattern ("Page {current} of
// {total}") into CSS content with the page counters.
func pageNumberCSS(pattern string) string {
	var parts []string
	for pattern != "" {
		i := strings.IndexByte(pattern, '{')
		j := strings.IndexByte(pattern, '}')
		if i < 0 || j < i {
			parts = append(parts, cssString(pattern))
			break
		}
		if i > 0 {
			parts = append(parts, cssString(pattern[:i]))
		}
		switch pattern[i : j+1] {
		case "{current}":
			parts = append(parts, "counter(page)")
		case "{total}":
			parts = append(parts, "counter(pages)")
		default:
			parts = append(parts, cssString(pattern[i:j+1]))
		}
		pattern = pattern[j+1:]
	}
	return strings.Join(parts, " ")
}
