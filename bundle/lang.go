package bundle

import (
	"fmt"
	"time"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/docgen"
	"github.com/cynllun/cynllun/form"
)

// Lang is the language of a bundle's generated pages (cover, index,
// dividers, chronology, page numbers and bookmarks), as for docgen's
// documents: EN, CY, or BILINGUAL ("Cymraeg / English"). Documents are
// included as they are.
type Lang = docgen.Lang

const (
	LangEN        = docgen.LangEN
	LangCY        = docgen.LangCY
	LangBilingual = docgen.LangBilingual
)

// paragraphs returns free bilingual text in l: one paragraph, or in a
// bilingual bundle the Welsh and then the English as two paragraphs (when
// both are given and differ).
func paragraphs(l Lang, t form.Text) []string {
	if l == LangBilingual && t.CY != "" && t.EN != "" && t.CY != t.EN {
		return []string{t.CY, t.EN}
	}
	if l == LangBilingual && t.EN == "" {
		return []string{t.CY}
	}
	return []string{l.Pick(t)}
}

// Fixed wording. The Welsh needs checking by a Welsh speaker, as docgen's
// does. Section (adran) is feminine, hence "ei therfyn".
var (
	txtTribunal     = form.Text{EN: "Education Tribunal for Wales", CY: "Tribiwnlys Addysg Cymru"}
	txtCaseRef      = form.Text{EN: "Case reference", CY: "Cyfeirnod yr achos"}
	txtLearner      = form.Text{EN: "Learner", CY: "Dysgwr"}
	txtPrepared     = form.Text{EN: "Date prepared", CY: "Dyddiad paratoi"}
	txtTotalPages   = form.Text{EN: "Number of pages", CY: "Nifer y tudalennau"}
	txtIndexOnPage  = form.Text{EN: "The index starts on page 2.", CY: "Mae'r mynegai yn dechrau ar dudalen 2."}
	txtIndex        = form.Text{EN: "Index", CY: "Mynegai"}
	txtIndexCont    = form.Text{EN: "Index (continued)", CY: "Mynegai (parhad)"}
	txtNo           = form.Text{EN: "No.", CY: "Rhif"}
	txtDocument     = form.Text{EN: "Document", CY: "Dogfen"}
	txtAuthor       = form.Text{EN: "Author", CY: "Awdur"}
	txtDate         = form.Text{EN: "Date", CY: "Dyddiad"}
	txtPages        = form.Text{EN: "Pages", CY: "Tudalennau"}
	txtChronology   = form.Text{EN: "Chronology", CY: "Cronoleg"}
	txtChronCont    = form.Text{EN: "Chronology (continued)", CY: "Cronoleg (parhad)"}
	txtEvent        = form.Text{EN: "Event", CY: "Digwyddiad"}
	txtSource       = form.Text{EN: "Source", CY: "Ffynhonnell"}
	txtUndated      = form.Text{EN: "Undated", CY: "Heb ddyddiad"}
	txtNoDocuments  = form.Text{EN: "No documents in this section.", CY: "Dim dogfennau yn yr adran hon."}
	txtNoChronology = form.Text{EN: "No events recorded.", CY: "Dim digwyddiadau wedi'u cofnodi."}
	// Formats.
	fmtSection    = form.Text{EN: "Section %s", CY: "Adran %s"}
	fmtPageRange  = form.Text{EN: "Pages %d–%d", CY: "Tudalennau %d–%d"}
	fmtPageSingle = form.Text{EN: "Page %d", CY: "Tudalen %d"}
	// The page number stamp, in pdfcpu's pattern: %p is the page, %P the
	// count. pdfcpu stamps with a PDF core font (Helvetica), so the stamp
	// must stay in plain ASCII: it is.
	stampText = form.Text{EN: "Page %p of %P", CY: "Tudalen %p o %P"}
	// Warnings.
	fmtOverLimit = form.Text{
		EN: "Section %[1]s has %[2]d pages, over its limit of %[3]d.",
		CY: "Mae %[2]d tudalen yn adran %[1]s, dros ei therfyn o %[3]d.",
	}
	fmtEmpty = form.Text{EN: "Section %s has no documents.", CY: "Does dim dogfennau yn adran %s."}
)

// sprintf formats t in both languages.
func sprintf(t form.Text, args ...any) form.Text {
	return form.Text{EN: fmt.Sprintf(t.EN, args...), CY: fmt.Sprintf(t.CY, args...)}
}

var monthsCY = [...]string{"Ionawr", "Chwefror", "Mawrth", "Ebrill", "Mai", "Mehefin",
	"Gorffennaf", "Awst", "Medi", "Hydref", "Tachwedd", "Rhagfyr"}

func validDate(d cynllun.Date) bool {
	return !d.IsZero() && d.Month >= time.January && d.Month <= time.December && d.Day >= 1 && d.Day <= 31
}

// longDate is "7 January 2027" / "7 Ionawr 2027".
func longDate(d cynllun.Date) form.Text {
	if !validDate(d) {
		return txtUndated
	}
	return form.Text{
		EN: fmt.Sprintf("%d %s %d", d.Day, d.Month, d.Year),
		CY: fmt.Sprintf("%d %s %d", d.Day, monthsCY[d.Month-1], d.Year),
	}
}

// shortDate is "07/01/2027" in every language (it has to fit a narrow
// column), or "Undated".
func shortDate(d cynllun.Date) form.Text {
	if !validDate(d) {
		return txtUndated
	}
	s := fmt.Sprintf("%02d/%02d/%04d", d.Day, d.Month, d.Year)
	return form.Text{EN: s, CY: s}
}

// pageRange is "Pages 5–9" / "Page 5".
func pageRange(from, to int) form.Text {
	if from == to {
		return sprintf(fmtPageSingle, from)
	}
	return sprintf(fmtPageRange, from, to)
}

// rangeText is the bare range, "5–9" or "5".
func rangeText(from, to int) string {
	if from == to || to == 0 {
		return fmt.Sprint(from)
	}
	return fmt.Sprintf("%d–%d", from, to)
}
