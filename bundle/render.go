package bundle

import (
	"bytes"
	"time"

	"github.com/johnfercher/maroto/v2"
	"github.com/johnfercher/maroto/v2/pkg/components/col"
	"github.com/johnfercher/maroto/v2/pkg/components/page"
	mrow "github.com/johnfercher/maroto/v2/pkg/components/row"
	"github.com/johnfercher/maroto/v2/pkg/components/text"
	"github.com/johnfercher/maroto/v2/pkg/config"
	"github.com/johnfercher/maroto/v2/pkg/consts/border"
	"github.com/johnfercher/maroto/v2/pkg/consts/fontstyle"
	"github.com/johnfercher/maroto/v2/pkg/consts/pagesize"
	"github.com/johnfercher/maroto/v2/pkg/core"
	"github.com/johnfercher/maroto/v2/pkg/props"
	"github.com/johnfercher/maroto/v2/pkg/repository"
	"github.com/phpdave11/gofpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
)

// family is the Go fonts, embedded: the PDF core fonts lose ŵ and ŷ.
const family = "go"

func init() {
	// gofpdf writes its font catalogue in map order unless told to sort it;
	// sorted, the same pages always give the same bytes (as in docgen).
	gofpdf.SetDefaultCatalogSort(true)
}

// render renders generated pages as one PDF with maroto, a page per gpage,
// each row exactly where the layout put it.
func render(pages []*gpage, title string, created time.Time) ([]byte, error) {
	// Each document gets its own copy of the font files: gofpdf pads
	// tables in place as it subsets a font, so shared bytes would race.
	fonts, err := repository.New().
		AddUTF8FontFromBytes(family, fontstyle.Normal, bytes.Clone(goregular.TTF)).
		AddUTF8FontFromBytes(family, fontstyle.Bold, bytes.Clone(gobold.TTF)).
		Load()
	if err != nil {
		return nil, err
	}
	m := maroto.New(config.NewBuilder().
		WithPageSize(pagesize.A4).
		WithLeftMargin(marginLeft).
		WithRightMargin(marginRight).
		WithTopMargin(marginTop).
		WithBottomMargin(marginBottom).
		WithMaxGridSize(gridSize).
		WithCustomFonts(fonts).
		WithDefaultFont(&props.Font{Family: family, Size: bodySize}).
		WithCompression(true).
		WithCreationDate(created).
		WithTitle(title, true).
		Build())
	for _, g := range pages {
		rows := make([]core.Row, 0, len(g.rows))
		for _, r := range g.rows {
			rows = append(rows, marotoRow(r))
		}
		m.AddPages(page.New().Add(rows...))
	}
	doc, err := m.Generate()
	if err != nil {
		return nil, err
	}
	return doc.GetBytes(), nil
}

func marotoRow(r trow) core.Row {
	mr := mrow.New(r.height)
	if len(r.cells) == 0 {
		return mr.Add(col.New(gridSize))
	}
	for _, c := range r.cells {
		cl := col.New(int(c.width))
		style := fontstyle.Normal
		if c.bold {
			style = fontstyle.Bold
		}
		for i, line := range c.lines {
			cl.Add(text.New(line, props.Text{
				Family: family, Style: style, Size: c.size, Color: c.color, Align: c.align,
				Top: r.padTop + float64(i)*lineHeight(c.size), Left: cellPad, Right: cellPad,
			}))
		}
		mr.Add(cl)
	}
	if r.fill != nil || r.rule {
		st := &props.Cell{BackgroundColor: r.fill}
		if r.rule {
			st.BorderType, st.BorderColor, st.BorderThickness = border.Bottom, rule, 0.2
		}
		mr.WithStyle(st)
	}
	return mr
}
