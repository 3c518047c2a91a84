package docgen

import (
	"fmt"
	"strings"

	"github.com/cynllun/cynllun"
)

// diacritics are the Welsh letters that the PDF core fonts lose or keep.
const diacritics = sampleDiacritics

func samplePlan(rows int) PlanDoc { return SamplePlan(rows) }

// emptyPlan is samplePlan with no content at all.
func emptyPlan(laMaintained bool) PlanDoc {
	doc := samplePlan(0)
	v := *doc.Version
	v.Content = &cynllun.Content{}
	doc.Version = &v
	p := *doc.Plan
	p.LAMaintained = laMaintained
	doc.Plan = &p
	doc.Maintainer = ""
	return doc
}

// longText is about n characters of words, ending with marker.
func longText(n int, marker string) string {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "Sentence %d of a long record, with Welsh words such as Tŷ, ŵyr and Llŷn. ", i)
	}
	return b.String() + marker
}
