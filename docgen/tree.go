package docgen

import "time"

// Tree is a document before it is written: page furniture and the blocks of
// the body in order. Builders make trees from domain values; Write turns a
// tree into PDF bytes. Tests check trees without parsing PDF.
type Tree struct {
	// Title is the document title, in the header of every page.
	Title string
	// Draft is the draft mark in the header of every page; "" on a final
	// document.
	Draft string
	// FooterLeft and FooterRight are printed in the footer of every page.
	FooterLeft, FooterRight string
	// PageNumber is the page number pattern, with {current} and {total};
	// "" prints none.
	PageNumber string
	// Created is the document's creation date; it fixes the PDF metadata
	// so that the same tree always gives the same bytes.
	Created time.Time
	// Lang is the document's language (EN, CY or BILINGUAL): the PDF's
	// /Lang and the HTML rendition's lang come from it.
	Lang   Lang
	Blocks []Block
}

// Kind says what a block is.
type Kind int

const (
	KindTitle      Kind = iota // the title on the first page
	KindPart                   // a part heading: "Part 1: Profile"
	KindSection                // a section heading with its key: "1A Consent and capacity"
	KindSubheading             // a heading inside a section: a 1C heading, a 2B row
	KindField                  // Label and a value in Text
	KindParagraph              // free text
	KindQuote                  // the learner's own words; Label introduces them
	KindEmpty                  // the line that says a section has nothing recorded
	KindWarning                // a line that must stand out: "No views of the child … were recorded."
	KindPageBreak              // the blocks after it start a new page
	// The findings of a plan check (check.go), each a KindFinding followed
	// by its KindFindingText and KindFindingNote blocks, which are set in
	// the column to the right of the severity.
	KindFinding     // Label is the severity's wording, Key the severity, Text where the finding points
	KindFindingText // the message, or how to put it right
	KindFindingNote // small print: what the finding rests on
	// KindImage is an attached image (a drawing, a photo) placed where it
	// belongs, scaled to fit; Image holds it and Text its caption.
	KindImage
)

// Block is one element of the body. Text may hold several paragraphs
// separated by newlines; it flows across pages however long it is.
type Block struct {
	Kind Kind
	// Key is the part or section key of a heading, or the severity of a
	// finding.
	Key   string
	Label string
	Text  string
	// Continued, on a heading, makes the heading and the blocks after it
	// (up to the next heading or page break) a unit, like a 2B row: the
	// unit starts on a new page when it does not fit in the rest of the
	// page, and when it is taller than a page it goes on under Continued
	// ("Row 2 (continued)"), repeated as a heading at the top of the page.
	Continued string
	// Image is the image of a KindImage block.
	Image *Image
}

// Image is an attached image as a document shows it: its bytes (PNG or
// JPEG, checked on upload), its pixel size and its alternative text (what
// it shows, for a screen reader; the caption when nothing better is known).
type Image struct {
	Data          []byte
	ContentType   string
	Width, Height int
	Alt           string
}
