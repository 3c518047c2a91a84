// Package docgen turns domain values into PDF bytes with maroto v2. It knows
// nothing of MongoDB or HTTP: a value goes in, bytes come out.
//
// Rendering is two steps. A builder such as BuildPlan lays a document out as
// a Tree (headings, fields, paragraphs, quotes, in order), which tests check
// without parsing PDF; Write turns any tree into bytes. RenderPlan does both.
// A PlanDoc with a Check (PlanCheck) has the quality findings of the version
// printed on pages of their own after the plan, for drafts: errors, then
// warnings, then notes, each saying where in the plan it points. Without a
// Check the document is exactly as before.
// BuildMeeting and RenderMeeting do the same for the record of a review
// meeting (MeetingDoc): the review, the child's views in a part of their
// own, the provision ledger per 2B row and, from form.Diff, what the
// revised plan changed.
//
// RenderTable renders part of the record as a table for a tribunal bundle
// (TableDoc: the provision delivery ledger, the statutory deadlines met and
// missed). It lays its pages out itself (table.go), every line of every
// cell broken in advance and set in a row of known height, so that a row
// is never split across pages unless it is taller than a page, and the
// column headings are repeated at the top of each page; Write's trees are
// not used for it.
//
// Headings and field labels come from the form definition the plan version
// was saved against; the little fixed wording (dates, "Page X of Y", the
// draft mark, and all of a review record's headings and labels) is in
// lang.go. A document is in English (LangEN), Welsh (LangCY) or both
// (LangBilingual): bilingual documents print each heading, label and
// generated value on one line, Welsh first: "Cymraeg / English". Free text
// is printed as stored, once.
//
// RenderPlanHTML and RenderMeetingHTML write the same trees as the
// accessible HTML rendition (html.go): one self-contained page with
// semantic headings, tables with header cells, images with their
// alternative text, and the language of every passage marked; a bilingual
// rendition is the Welsh document followed by the English one, each built
// in its own language, rather than the PDF's "Cymraeg / English" lines.
//
// PDFs embed the Go fonts (regular, bold, italic), which have every Welsh
// letter; the PDF core fonts lose ŵ and ŷ. Text is set a few lines to a row
// so that it breaks across pages anywhere and is never cut off. The same
// tree always gives byte-identical PDFs: the creation and modification dates
// are the tree's Created time and gofpdf's catalogues are sorted.
package docgen
