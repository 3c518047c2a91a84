package worker_test

import (
	"fmt"
	"testing"

	"github.com/cynllun/cynllun/bundle"
	"github.com/cynllun/cynllun/docgen"
	"github.com/cynllun/cynllun/form"
)

func TestCalib(t *testing.T) {
	for _, rows := range []int{30, 40, 100, 150, 180, 200, 210, 220, 240} {
		doc := docgen.TableDoc{Title: form.Text{EN: "x"}, Columns: []docgen.TableColumn{{Heading: form.Text{EN: "Line"}, Width: 1}}}
		for i := range rows {
			doc.Rows = append(doc.Rows, docgen.TableRow{Cells: []form.Text{{EN: fmt.Sprintf("Evidence 01 line %d", i+1)}}})
		}
		pdf, err := docgen.RenderTable(doc, docgen.LangEN)
		if err != nil {
			t.Fatal(err)
		}
		n, err := bundle.Inspect(bundle.Document{ID: "x", Title: "x", PDF: pdf})
		t.Log(rows, n, len(pdf), err)
	}
}
