package bundle

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/form"
)

// Document kinds. The kind is recorded, not printed; it lets a caller sort
// and a later version style documents by kind.
const (
	KindReport         = "REPORT"
	KindCorrespondence = "CORRESPONDENCE"
	KindChildsViews    = "CHILDS_VIEWS"
	KindPlan           = "PLAN"
	KindMeetingRecord  = "MEETING_RECORD"
	KindLedger         = "LEDGER"
	KindDeadlines      = "DEADLINES"
	KindDecision       = "DECISION"
	KindCaseStatement  = "CASE_STATEMENT"
	KindOther          = "OTHER"
)

var kinds = map[string]bool{
	KindReport: true, KindCorrespondence: true, KindChildsViews: true, KindPlan: true,
	KindMeetingRecord: true, KindLedger: true, KindDeadlines: true, KindDecision: true, KindCaseStatement: true, KindOther: true,
}

// Document is one document of a bundle: a PDF, or an image placed on a page
// of its own. Exactly one of PDF and Image is set.
type Document struct {
	// ID is the document's stable id (an evidence id or a record item id),
	// unique in the bundle.
	ID    string
	Title string
	// Date is zero when the document is undated.
	Date   cynllun.Date
	Author string
	// Kind is one of the Kind constants; "" means OTHER.
	Kind string
	// PDF is the document as uploaded. Encrypted, corrupt and PDF 2.0 files
	// are refused.
	PDF []byte
	// Image is a PNG or JPEG, placed centred on an A4 page of its own
	// (landscape when the image is wider than tall) and scaled to fit.
	// EXIF orientation is not applied.
	Image []byte
}

// Section is one section of a bundle, behind a divider page of its own.
type Section struct {
	// Key is the section's letter or short name, "A"; documents are numbered
	// A1, A2, … after it. Keys are unique.
	Key   string
	Title form.Text
	// Documents are placed in the order given: the caller sorts them
	// (chronologically, by default).
	Documents []Document
	// PageLimit is the most pages the section's documents may have (its
	// divider not counted), 0 for none. Over the limit, the bundle is still
	// built, with a SECTION_OVER_LIMIT warning: the limits of the practice
	// direction are unconfirmed, so they are configuration, not rules.
	PageLimit int
}

// ChronologyEntry is one row of the chronology.
type ChronologyEntry struct {
	// Date is zero when undated.
	Date cynllun.Date
	// Event is printed in the bundle's language; a bilingual bundle prints
	// the Welsh and then the English.
	Event form.Text
	// Source says where the event is evidenced, e.g. "B3"; printed as given.
	Source string
}

// Spec describes a bundle. The same spec always gives the same bytes.
type Spec struct {
	// Heading is printed above the title on the cover; empty means
	// "Education Tribunal for Wales".
	Heading form.Text
	Title   string
	CaseRef string
	// Learner is shown on the cover only (not in headers, bookmarks or
	// metadata).
	Learner string
	Lang    Lang
	// Sections in order.
	Sections []Section
	// Chronology is rendered as its own generated section, in the order
	// given, after the section whose key is ChronologyAfter ("" puts it
	// before the first section). No entries, no chronology.
	Chronology      []ChronologyEntry
	ChronologyAfter string
	// Created is the bundle's date: printed on the cover (as a date in
	// Europe/London) and written as the PDF's creation and modification
	// dates. Zero means the Unix epoch.
	Created time.Time
}

// Placement says where a document landed.
type Placement struct {
	DocumentID string `json:"documentId"`
	Section    string `json:"section"` // the section's key
	Number     string `json:"number"`  // "A1"
	Title      string `json:"title"`
	// FromPage and ToPage are bundle page numbers, 1-based, inclusive: the
	// same as the PDF's page indices and the stamped page numbers.
	FromPage int `json:"fromPage"`
	ToPage   int `json:"toPage"`
	// SHA256 is the hex digest of the document's own bytes as given (PDF or
	// Image), so a bundle can be traced to the exact files it holds.
	SHA256 string `json:"sha256"`
	// Removed counts the active content (scripts, actions other than
	// jumps within the document, links out, embedded files) left out of
	// the bundle's copy of a PDF, by kind; nil when there was none.
	Removed Removed `json:"removed,omitempty"`
	// ScaledToA4 counts the document's pages that were not A4 (US Letter,
	// Legal, A3, …) and were scaled to fit and centred on A4 pages in the
	// bundle; the document as given is unchanged.
	ScaledToA4 int `json:"scaledToA4"`
}

// PageRange is an inclusive range of bundle pages; zero when absent.
type PageRange struct {
	From int `json:"from"`
	To   int `json:"to"`
}

// SectionPlacement says where a section landed.
type SectionPlacement struct {
	Key string `json:"key"`
	// Divider is the section's divider page.
	Divider int `json:"divider"`
	// Documents is the range of its documents' pages (zero for an empty
	// section); Pages is their count, the figure a page limit applies to.
	Documents PageRange `json:"documents"`
	Pages     int       `json:"pages"`
}

// Manifest describes a built bundle. Its JSON keys are camelCase, as the
// API's BundleManifest fields are named (stored manifests written with Go's
// field names before issue 17 still decode: encoding/json matches keys
// without regard to case).
type Manifest struct {
	// Pages is the bundle's page count.
	Pages      int                `json:"pages"`
	Cover      PageRange          `json:"cover"`
	Index      PageRange          `json:"index"`
	Chronology PageRange          `json:"chronology"` // zero when there is no chronology
	Sections   []SectionPlacement `json:"sections"`
	Documents  []Placement        `json:"documents"`
	Warnings   []Warning          `json:"warnings"`
}

// Warning codes.
const (
	WarnSectionOverLimit = "SECTION_OVER_LIMIT"
	WarnSectionEmpty     = "SECTION_EMPTY"
)

// Warning is something a preparer should look at that does not stop the
// bundle being built. Messages name sections by key, never by title.
type Warning struct {
	Code    string    `json:"code"`
	Section string    `json:"section"`
	Message form.Text `json:"message"`
}

// Limits on input, to keep a bad upload from exhausting memory.
const (
	// maxImagePixels is the most pixels an image document may have: a page
	// scanned at 600 dpi has about 35 million.
	maxImagePixels = 60_000_000
	maxDocuments   = 5000

	// maxImageDecodeBytes is the most memory decoding a PNG document may
	// take (upload.DecodeCost, from its header): pdfcpu holds the decoded
	// image and the stream it makes of it, about twice that. Uploads are
	// held to MAX_IMAGE_DECODE_BYTES (96 MiB by default) already; this is
	// for images stored before they were, and is above any budget a
	// deployment should set.
	maxImageDecodeBytes = 256 << 20
)

// Check validates s and reports page-limit warnings without building the
// bundle: each document is read (and must be a readable, unencrypted PDF
// or a PNG or JPEG) to count its pages, then let go. Errors are INVALID
// *cynllun.Error values naming the offending input field by its path
// ("sections.1.documents.3.pdf"); messages never contain titles or names.
func Check(s Spec) ([]Warning, error) {
	const op = "bundle.Check"
	if err := validate(op, s); err != nil {
		return nil, err
	}
	cfg := newConfig()
	counts := make([][]int, len(s.Sections))
	var bad []cynllun.FieldError
	for i, sec := range s.Sections {
		counts[i] = make([]int, len(sec.Documents))
		for j, d := range sec.Documents {
			src, fe := open(cfg, d, docPath(i, j))
			if fe != nil {
				bad = append(bad, *fe)
				continue
			}
			counts[i][j] = src.PageCount
		}
	}
	if len(bad) > 0 {
		return nil, cynllun.Invalid(op, bad...)
	}
	return warnings(s, counts), nil
}

// Inspect reads one document as Build would and returns its page count,
// or an INVALID *cynllun.Error on field "file" saying what is wrong (never
// naming the document): for checking an upload before it is stored, so
// that every document accepted builds.
func Inspect(d Document) (int, error) {
	const op = "bundle.Inspect"
	src, fe := open(newConfig(), d, "file")
	if fe != nil {
		return 0, cynllun.Invalid(op, cynllun.FieldError{Field: "file", Message: fe.Message})
	}
	return src.PageCount, nil
}

// Warnings reports the warnings of s for documents with the given page
// counts (counts[i][j] for document j of section i) without reading the
// documents: Check when the counts are known already.
func Warnings(s Spec, counts [][]int) []Warning { return warnings(s, counts) }

// warnings reports empty sections and sections over their page limit.
func warnings(s Spec, counts [][]int) []Warning {
	var out []Warning
	for i, sec := range s.Sections {
		total := 0
		for _, n := range counts[i] {
			total += n
		}
		switch {
		case len(sec.Documents) == 0:
			out = append(out, Warning{Code: WarnSectionEmpty, Section: sec.Key, Message: sprintf(fmtEmpty, sec.Key)})
		case sec.PageLimit > 0 && total > sec.PageLimit:
			out = append(out, Warning{Code: WarnSectionOverLimit, Section: sec.Key,
				Message: sprintf(fmtOverLimit, sec.Key, total, sec.PageLimit)})
		}
	}
	return out
}

func docPath(i, j int) string { return fmt.Sprintf("sections.%d.documents.%d", i, j) }

// validate checks the spec's shape; the documents' bytes are checked when
// they are read.
func validate(op string, s Spec) error {
	var fe []cynllun.FieldError
	add := func(field, msg string) { fe = append(fe, cynllun.FieldError{Field: field, Message: msg}) }
	if !s.Lang.Valid() {
		add("lang", "must be EN, CY or BILINGUAL")
	}
	keys := map[string]int{}
	ids := map[string]string{}
	docs := 0
	for i, sec := range s.Sections {
		p := fmt.Sprintf("sections.%d", i)
		switch k := oneLine(sec.Key); {
		case k == "":
			add(p+".key", "is required")
		case len(k) > 8:
			add(p+".key", "must be at most 8 characters")
		default:
			if prev, dup := keys[k]; dup {
				add(p+".key", fmt.Sprintf("duplicates sections.%d.key", prev))
			}
			keys[k] = i
		}
		if oneLine(sec.Title.EN) == "" && oneLine(sec.Title.CY) == "" {
			add(p+".title", "is required")
		}
		if sec.PageLimit < 0 {
			add(p+".pageLimit", "must not be negative")
		}
		for j, d := range sec.Documents {
			docs++
			dp := docPath(i, j)
			if d.ID == "" {
				add(dp+".id", "is required")
			} else if prev, dup := ids[d.ID]; dup {
				add(dp+".id", "duplicates "+prev+".id")
			} else {
				ids[d.ID] = dp
			}
			if oneLine(d.Title) == "" {
				add(dp+".title", "is required")
			}
			if d.Kind != "" && !kinds[d.Kind] {
				add(dp+".kind", "is not a known kind of document")
			}
			if !d.Date.IsZero() && !realDate(d.Date) {
				add(dp+".date", "is not a real date")
			}
			switch {
			case len(d.PDF) > 0 && len(d.Image) > 0:
				add(dp+".pdf", "must not be given with image")
			case len(d.PDF) == 0 && len(d.Image) == 0:
				add(dp+".pdf", "is required (or image)")
			}
		}
	}
	if docs == 0 {
		add("sections", "must hold at least one document")
	}
	if docs > maxDocuments {
		add("sections", fmt.Sprintf("must hold at most %d documents", maxDocuments))
	}
	if s.ChronologyAfter != "" {
		if _, ok := keys[oneLine(s.ChronologyAfter)]; !ok {
			add("chronologyAfter", "does not name a section")
		}
	}
	for i, e := range s.Chronology {
		if !e.Date.IsZero() && !realDate(e.Date) {
			add(fmt.Sprintf("chronology.%d.date", i), "is not a real date")
		}
		if oneLine(e.Event.EN) == "" && oneLine(e.Event.CY) == "" {
			add(fmt.Sprintf("chronology.%d.event", i), "is required")
		}
	}
	if len(fe) > 0 {
		return cynllun.Invalid(op, fe...)
	}
	return nil
}

func realDate(d cynllun.Date) bool {
	return d.Year >= 1900 && d.Year <= 2199 && cynllun.DateOf(d.Time()) == d
}

func sha(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
