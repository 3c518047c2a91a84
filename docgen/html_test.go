package docgen

import (
	"bytes"
	"encoding/base64"
	"image"
	"image/color"
	"image/png"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/cynllun/cynllun"
)

// htmlCase is one HTML rendition to check: its language, the trees it
// was written from (one per language) and its bytes.
type htmlCase struct {
	name  string
	lang  Lang
	trees []*Tree
	html  []byte
}

// samplePNG is a small drawing: a PNG of w×h pixels.
func samplePNG(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		for y := range h {
			img.Set(x, y, color.RGBA{R: uint8(40 * x), G: 120, B: uint8(30 * y), A: 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// withImage adds, after the first subheading of section key (the 1C
// profile, or the child's views of a review record), a drawing with its
// alternative text and caption, and a warning: blocks the builders may
// not make yet, so that the rendition is checked with every kind.
func withImage(t testing.TB, tree *Tree, key string) *Tree {
	t.Helper()
	alt := map[Lang]string{
		LangEN: "A drawing of a dragon by the sea, in green and blue",
		LangCY: "Llun o ddraig ger y môr, mewn gwyrdd a glas",
	}[tree.Lang]
	img := Block{Kind: KindImage, Text: "ALT-CAPTION " + alt, Image: &Image{Data: samplePNG(t, 8, 6), ContentType: "image/png", Width: 8, Height: 6, Alt: "ALT-TEXT " + alt}}
	warn := Block{Kind: KindWarning, Text: "WARNING-MARK " + tree.Lang.Pick(txtNoChildViews)}
	out := *tree
	out.Blocks = nil
	placed := false
	inSection := false
	for _, b := range tree.Blocks {
		out.Blocks = append(out.Blocks, b)
		if b.Kind == KindSection || b.Kind == KindPart {
			inSection = b.Key == key
		}
		if !placed && inSection && b.Kind == KindSubheading {
			out.Blocks = append(out.Blocks, img, warn)
			placed = true
		}
	}
	if !placed {
		t.Fatalf("no subheading under %s to place the image after", key)
	}
	return &out
}

// htmlCases are the renditions of a draft IDP with every section filled
// and its plan check, and of a review meeting record, in EN, CY and
// bilingual, each with a drawing and a warning added.
func htmlCases(t testing.TB) []htmlCase {
	t.Helper()
	// Five rows: the fifth is NHS-secured (2C); every further section of
	// Part 3 filled.
	plan := samplePlan(5)
	plan.Check = sampleCheck()
	c := *plan.Version.Content
	c.FurtherSections = append(slices.Clone(c.FurtherSections),
		cynllun.FurtherSection{Key: "3C", Text: "Siân moves to Ysgol Uwchradd Bro Tŷ Gwyn in September 2027; visits start in the summer term."},
		cynllun.FurtherSection{Key: "3D", Text: "Review on request, 14 January 2027: therapy increased to 45 minutes a week."})
	v := *plan.Version
	v.Content = &c
	plan.Version = &v
	meeting := SampleMeeting()
	var cases []htmlCase
	for _, d := range []struct {
		name  string
		key   string
		build func(Lang) (*Tree, error)
	}{
		{"plan", "1C", func(l Lang) (*Tree, error) { return BuildPlan(plan, l) }},
		{"meeting", KeyChildViews, func(l Lang) (*Tree, error) { return BuildMeeting(meeting, l) }},
	} {
		trees := map[Lang]*Tree{}
		for _, l := range []Lang{LangCY, LangEN} {
			tree, err := d.build(l)
			if err != nil {
				t.Fatal(err)
			}
			trees[l] = withImage(t, tree, d.key)
		}
		for _, l := range []Lang{LangEN, LangCY, LangBilingual} {
			c := htmlCase{name: d.name + " " + string(l), lang: l}
			var err error
			if l == LangBilingual {
				c.trees = []*Tree{trees[LangCY], trees[LangEN]}
				c.html, err = WriteBilingualHTML(trees[LangCY], trees[LangEN])
			} else {
				c.trees = []*Tree{trees[l]}
				c.html, err = WriteHTML(trees[l])
			}
			if err != nil {
				t.Fatal(err)
			}
			cases = append(cases, c)
		}
	}
	return cases
}

// walk calls f on every element of n, in document order.
func walk(n *html.Node, f func(*html.Node)) {
	if n.Type == html.ElementNode {
		f(n)
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, f)
	}
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func hasAttr(n *html.Node, key, val string) bool {
	v, ok := attr(n, key)
	return ok && v == val
}

func textOf(n *html.Node) string {
	var b strings.Builder
	var rec func(*html.Node)
	rec = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			rec(c)
		}
	}
	rec(n)
	return b.String()
}

// langOf is the language an element is in: its own lang, or its
// nearest ancestor's.
func langOf(n *html.Node) string {
	for ; n != nil; n = n.Parent {
		if l, ok := attr(n, "lang"); ok {
			return l
		}
	}
	return ""
}

func headingLevel(n *html.Node) int {
	if len(n.Data) == 2 && n.Data[0] == 'h' && n.Data[1] >= '1' && n.Data[1] <= '6' {
		return int(n.Data[1] - '0')
	}
	return 0
}

// treeHeadings are the texts of a tree's headings, in order.
func treeHeadings(tree *Tree) []string {
	var hs []string
	for _, b := range tree.Blocks {
		switch b.Kind {
		case KindTitle, KindPart, KindSection, KindSubheading:
			hs = append(hs, b.Text)
		case KindFinding:
			hs = append(hs, b.Label+": "+b.Text)
		}
	}
	return hs
}

// TestHTMLStructure checks the HTML renditions as a reader of the markup
// would: the language of the document and of each half, the title,
// landmarks and skip link, every heading of the tree in order with no
// level skipped, fields as tables with row headers, the child's words in
// a blockquote, images with their alternative text embedded as data:
// URIs, the draft mark, and nothing that runs or loads from elsewhere.
func TestHTMLStructure(t *testing.T) {
	for _, c := range htmlCases(t) {
		t.Run(c.name, func(t *testing.T) {
			doc, err := html.Parse(bytes.NewReader(c.html))
			if err != nil {
				t.Fatal(err)
			}
			src := string(c.html)
			if !strings.HasPrefix(src, "<!DOCTYPE html>\n") {
				t.Errorf("no HTML5 doctype: %.40q", src)
			}
			var (
				root, mainEl, header                  *html.Node
				titles, skips, quotes, sections, imgs []*html.Node
				headings                              []*html.Node
				ths                                   int
			)
			walk(doc, func(n *html.Node) {
				switch n.Data {
				case "html":
					root = n
				case "main":
					mainEl = n
				case "header":
					header = n
				case "title":
					titles = append(titles, n)
				case "section":
					sections = append(sections, n)
				case "blockquote":
					quotes = append(quotes, n)
				case "img":
					imgs = append(imgs, n)
				case "th":
					ths++
					if s, _ := attr(n, "scope"); s != "row" && s != "col" {
						t.Errorf("th %q without scope", textOf(n))
					}
				case "a":
					if h, _ := attr(n, "href"); !strings.HasPrefix(h, "#") {
						t.Errorf("link to %q: only links within the document are expected", h)
					} else if cl, _ := attr(n, "class"); cl == "skip" {
						skips = append(skips, n)
					}
				case "script", "iframe", "object", "embed", "link", "base", "form", "input", "svg":
					t.Errorf("<%s> in the rendition", n.Data)
				}
				for _, a := range n.Attr {
					if strings.HasPrefix(a.Key, "on") {
						t.Errorf("event handler %s on <%s>", a.Key, n.Data)
					}
					if (a.Key == "src" || a.Key == "srcset" || a.Key == "action" || a.Key == "poster") && !strings.HasPrefix(a.Val, "data:image/") {
						t.Errorf("<%s %s=%.60q>: only embedded images are expected", n.Data, a.Key, a.Val)
					}
				}
				if headingLevel(n) > 0 {
					headings = append(headings, n)
				}
			})
			for _, bad := range []string{"http:", "https:", "url(", "@import", "javascript:", "<script"} {
				if strings.Contains(strings.ToLower(src), bad) {
					t.Errorf("the rendition contains %q: it must load nothing from elsewhere", bad)
				}
			}

			wantLang := map[Lang]string{LangEN: "en", LangCY: "cy", LangBilingual: "cy"}[c.lang]
			if l, _ := attr(root, "lang"); l != wantLang {
				t.Errorf("<html lang=%q>, want %q", l, wantLang)
			}
			if len(titles) != 1 || !strings.Contains(textOf(titles[0]), c.trees[0].Title) || !strings.Contains(textOf(titles[0]), c.trees[0].FooterLeft) {
				t.Errorf("<title>: %d of them, want one naming %q and %q", len(titles), c.trees[0].Title, c.trees[0].FooterLeft)
			}
			if mainEl == nil || header == nil {
				t.Fatalf("landmarks: main %v, header %v", mainEl != nil, header != nil)
			}
			if id, _ := attr(mainEl, "id"); len(skips) != 1 || id == "" || !hasAttr(skips[0], "href", "#"+id) {
				t.Errorf("skip link: %d, main id %q", len(skips), id)
			}
			// The sample plan is a draft, the sample meeting concluded.
			for _, tree := range c.trees {
				if tree.Draft != "" && !strings.Contains(textOf(header), tree.Draft) {
					t.Errorf("the draft mark %q is not in the header: %q", tree.Draft, textOf(header))
				}
				if (tree.Draft != "") != strings.Contains(src, `<p class="draft">`) {
					t.Errorf("draft %q, draft mark printed: %v", tree.Draft, !strings.Contains(src, `<p class="draft">`))
				}
			}
			if strings.HasPrefix(c.name, "plan") && c.trees[0].Draft == "" {
				t.Error("the sample plan is no longer a draft: the draft mark is not checked")
			}

			// Every heading of each tree, in order, in its half; levels
			// start at 1 and never skip.
			var got []string
			prev := 0
			for _, h := range headings {
				got = append(got, textOf(h))
				l := headingLevel(h)
				if l > prev+1 || (prev == 0 && l != 1) {
					t.Errorf("heading %q is h%d after h%d", textOf(h), l, prev)
				}
				prev = l
				if l == 1 {
					prev = 1
				}
			}
			var want []string
			for _, tree := range c.trees {
				want = append(want, treeHeadings(tree)...)
			}
			if !slices.Equal(got, want) {
				t.Errorf("headings:\n got %q\nwant %q", got, want)
			}

			// The halves of a bilingual document, and the language of
			// every heading.
			if c.lang == LangBilingual {
				if len(sections) != 2 {
					t.Fatalf("%d sections, want the Welsh and the English", len(sections))
				}
				for i, l := range []string{"cy", "en"} {
					if got, _ := attr(sections[i], "lang"); got != l {
						t.Errorf("section %d lang %q, want %q", i, got, l)
					}
					if id, _ := attr(sections[i], "id"); !strings.Contains(src, `href="#`+id+`"`) {
						t.Errorf("no link to the %s half (id %q)", l, id)
					}
				}
			}
			for _, h := range headings {
				tree := c.trees[0]
				if c.lang == LangBilingual && langOf(h) == "en" {
					tree = c.trees[1]
				}
				if !slices.Contains(treeHeadings(tree), textOf(h)) {
					t.Errorf("heading %q is marked %q but is not a heading of the %s tree", textOf(h), langOf(h), tree.Lang)
				}
			}

			// Fields, quotes, images.
			fields := 0
			for _, tree := range c.trees {
				for _, b := range tree.Blocks {
					if b.Kind == KindField {
						fields++
					}
				}
			}
			if ths != fields {
				t.Errorf("%d row headers for %d fields", ths, fields)
			}
			if len(quotes) == 0 {
				t.Error("no blockquote: the child's own words are not set apart")
			}
			if len(imgs) != len(c.trees) {
				t.Fatalf("%d images, want %d", len(imgs), len(c.trees))
			}
			for i, img := range imgs {
				alt, ok := attr(img, "alt")
				if !ok || !strings.HasPrefix(alt, "ALT-TEXT ") {
					t.Errorf("image %d: alt %q", i, alt)
				}
				if s, _ := attr(img, "src"); !strings.HasPrefix(s, "data:image/png;base64,") {
					t.Errorf("image %d is not embedded: %.40q", i, s)
				} else if data, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(s, "data:image/png;base64,")); err != nil || !bytes.Equal(data, c.trees[i].Blocks[slices.IndexFunc(c.trees[i].Blocks, func(b Block) bool { return b.Kind == KindImage })].Image.Data) {
					t.Errorf("image %d: the embedded bytes are not the image's (%v)", i, err)
				}
				if fig := img.Parent; fig.Data != "figure" || !strings.Contains(textOf(fig), "ALT-CAPTION ") {
					t.Errorf("image %d: not in a figure with its caption", i)
				}
			}
			if !strings.Contains(src, `<p class="warning" role="note"><strong>WARNING-MARK `) {
				t.Error("the warning is not marked as one")
			}
		})
	}
}

// TestHTMLText: free text is escaped, kept whole, and its lines are
// paragraphs; an image whose bytes are not PNG or JPEG is not embedded,
// whatever its content type says, and its alternative text is printed
// instead; a bilingual tree is refused.
func TestHTMLText(t *testing.T) {
	hostile := `<script>alert("x")</script> & <img src=x onerror=alert(1)> Siôn / Tŷ`
	svg := []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)
	tree := &Tree{Lang: LangCY, Title: "Teitl", FooterLeft: "Siôn Llŷr", Blocks: []Block{
		{Kind: KindTitle, Text: "Teitl"},
		{Kind: KindParagraph, Text: hostile + "\nail linell"},
		{Kind: KindField, Label: "Label <b>", Text: "un\ndau"},
		{Kind: KindImage, Text: "Capsiwn", Image: &Image{Data: svg, ContentType: "image/png", Alt: "Llun <o> ddraig"}},
		{Kind: KindImage, Text: "", Image: nil},
	}}
	out, err := WriteHTML(tree)
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	for _, want := range []string{
		`<p>&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt; Siôn / Tŷ</p>` + "\n<p>ail linell</p>",
		`<th scope="row">Label &lt;b&gt;</th><td>` + "\n<p>un</p>\n<p>dau</p>\n</td>",
		"<p>Llun &lt;o&gt; ddraig</p>\n<figcaption>Capsiwn</figcaption>",
		"<figure class=\"image\">\n<p>Delwedd</p>\n</figure>",
		`<html lang="cy">`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("missing %q in\n%s", want, s)
		}
	}
	if strings.Contains(s, "<img") || strings.Contains(s, "<script") || strings.Contains(s, "<svg") {
		t.Errorf("markup from the record or an image not PNG/JPEG came through:\n%s", s)
	}
	if _, err := WriteHTML(&Tree{Lang: LangBilingual}); err == nil {
		t.Error("WriteHTML took a bilingual tree")
	}
	if _, err := WriteBilingualHTML(tree, tree); err == nil {
		t.Error("WriteBilingualHTML took two Welsh trees")
	}
}

// TestRenderHTML: the renditions the worker stores are the builders'
// trees written out, the bilingual one the Welsh then the English tree,
// and the same document gives the same bytes.
func TestRenderHTML(t *testing.T) {
	doc := samplePlan(2)
	for _, l := range []Lang{LangEN, LangCY, LangBilingual} {
		got, err := RenderPlanHTML(doc, l)
		if err != nil {
			t.Fatal(err)
		}
		var want []byte
		if l == LangBilingual {
			cy, en := build(t, doc, LangCY), build(t, doc, LangEN)
			want, err = WriteBilingualHTML(cy, en)
		} else {
			want, err = WriteHTML(build(t, doc, l))
		}
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: RenderPlanHTML is not the tree written out (%v)", l, err)
		}
		again, _ := RenderPlanHTML(doc, l)
		if !bytes.Equal(got, again) {
			t.Errorf("%s: two renders differ", l)
		}
		m, err := RenderMeetingHTML(SampleMeeting(), l)
		title := LangEN
		if l != LangEN {
			title = LangCY // bilingual: the Welsh first
		}
		if err != nil || !bytes.Contains(m, []byte("<h1 class=\"title\"")) || !bytes.Contains(m, []byte(html.EscapeString(title.Pick(txtMeetingTitle)))) {
			t.Errorf("%s: meeting rendition without its title (%v)", l, err)
		}
	}
	if _, err := RenderPlanHTML(doc, Lang("FR")); err == nil {
		t.Error("an unknown language was rendered")
	}
}

// BenchmarkRenderPlanHTML is the HTML rendition's share of a render job
// (the PDF's is BenchmarkRenderPlan): a bilingual rendition builds the
// plan twice, in Welsh and in English.
func BenchmarkRenderPlanHTML(b *testing.B) {
	for _, bc := range []struct {
		name string
		rows int
		lang Lang
	}{{"typical", 10, LangEN}, {"large", 50, LangEN}, {"large-bilingual", 50, LangBilingual}} {
		b.Run(bc.name, func(b *testing.B) {
			doc := samplePlan(bc.rows)
			b.ReportAllocs()
			var page []byte
			for b.Loop() {
				var err error
				if page, err = RenderPlanHTML(doc, bc.lang); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(page)), "bytes")
		})
	}
}
