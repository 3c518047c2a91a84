// Package bundle assembles a hearing bundle for the Education Tribunal for
// Wales: one PDF of the documents a party relies on, with a cover, an
// index, a divider in front of each section, a chronology, continuous page
// numbers, bookmarks, and links from the index to the documents. It is the
// pure core: a Spec (documents' bytes included) goes in, a PDF and a
// Manifest come out. It knows nothing of storage, jobs or HTTP.
//
// The practice direction's section list, pagination rules and page limits
// are unconfirmed (domain.md §4.4), so sections, their order and their page
// limits are the caller's configuration; going over a limit gives a
// warning, not an error.
//
// # Layout
//
// In page order:
//
//   - page 1, the cover: the tribunal's name, the bundle's title, the case
//     reference, the learner (the only place the learner's name is
//     printed), the date prepared and the number of pages;
//   - the index, from page 2, on as many pages as it takes: a table of No.,
//     Document, Author, Date (DD/MM/YYYY, or "Undated") and Pages, with a
//     shaded row for each section (its divider to its last page) and for
//     the chronology;
//   - the chronology, if it has entries, before the first section or after
//     the section named by Spec.ChronologyAfter: a table of Date, Event and
//     Source, entries in the order given;
//   - each section: a divider page ("Section A", its title, the range of
//     its documents' pages), then its documents in the order given, each
//     numbered after its section (A1, A2, …). A PDF keeps its own pages;
//     a page that is not A4 (US Letter, Legal, A3, …) is scaled to fit and
//     centred on an A4 page, portrait or landscape as it was (its content
//     streams untouched, wrapped in a scale; Placement.ScaledToA4 counts
//     them), so that every page of a bundle is A4. An image (PNG or JPEG)
//     goes on an A4 page of its own, landscape when it is wider than tall,
//     scaled to fit.
//
// Every page, cover included, is stamped at the foot, centred, "Page X of
// Y" ("Tudalen X o Y"; bilingual "Tudalen X o Y / Page X of Y"), where X is
// the page's index in the PDF (1-based) and Y the page count, so that a
// page cited by number is the page a reader's "go to page" finds. There is
// no separate numbering of the front pages: the cover is page 1.
//
// The outline has the index, the chronology and each section (landing on
// its divider), with each document of a section under it ("A1 Title",
// landing on its first page). Each index row that names a section, the
// chronology or a document is a link over the whole row to its first page.
// Destinations are [page /Fit].
//
// Generated pages are A4 portrait, 20 mm side margins, 15 mm at the top
// and 22 mm at the foot (kept clear for the stamp), in the Go fonts
// (embedded), which have every Welsh letter. Their text is broken into
// lines here and set in rows of known height on a grid of 1 mm columns
// (layout.go), so the position of every index row, and so of its link, is
// known exactly, and maroto never breaks a page or a line by itself. The
// index's length depends on the page numbers it prints and they on its
// length: it is laid out with a guess of one page, then again with the
// length that gave, until that stays the same (on the second pass in
// practice: the Pages column is wide enough for any page number, so the
// rows' heights do not change).
//
// In a bilingual bundle every heading and label is "Cymraeg / English",
// as in docgen; a chronology event with both texts gives the Welsh, then
// the English below it. Titles, names and sources are printed as given.
//
// # Determinism
//
// The same Spec gives the same bytes: the creation date is Spec.Created,
// gofpdf's catalogue is sorted, and the bundle is serialised by this
// package (write.go), objects numbered in the order a walk from the
// catalogue meets them, because pdfcpu v0.6.0's merge and writer depend on
// Go map order and the clock.
//
// # Memory
//
// What is held: the Spec's document bytes (the caller's), each document
// parsed by pdfcpu (about its own size again: pdfcpu copies stream data
// out of the file), and, with Build, the output buffer (about the size of
// the documents again), allocated once. pdfcpu works on a whole document
// in memory; merging moves each document's objects into the bundle, so the
// parsed documents are not held twice. BuildTo writes to an io.Writer and
// lets each object go as it is written, so a bundle streamed to a file or
// an upload costs about the parsed documents only. In BenchmarkBuild300Scanned
// (294 pages, 54 MB of scanned evidence) the live heap peaks at about 2.2
// times the documents' size with Build and 1.1 times with BuildTo, over
// the Spec itself; see bench_test.go. Generated pages are small (a few
// MB for hundreds of index and chronology rows).
//
// # Errors
//
// A bad Spec or document is an INVALID *cynllun.Error whose field errors
// name the input by its path ("sections.1.documents.3.pdf": "is
// encrypted: …"); messages never contain titles or names. Refused: a
// document that is not a PDF, is encrypted (even with an empty user
// password), corrupt (pdfcpu cannot read or, in relaxed mode, validate it),
// PDF 2.0, or has no pages; an image that is not PNG or JPEG, is corrupt,
// has more than 60 million pixels, or is a PNG whose decoding would take more
// than 256 MiB (from its header; uploads are held to less already); an empty spec; duplicate document ids or
// section keys. Check reports the same errors, and the page-limit
// warnings, without building.
//
// # Active content
//
// A bundle holds nothing that runs, fetches, submits or launches, and no
// files the index does not list: as each PDF is read for a build, its
// JavaScript (document, page, field and annotation actions, the
// JavaScript name tree), Launch, SubmitForm, ResetForm, ImportData, GoToR,
// GoToE and URI actions, additional actions (/AA), embedded files (the
// EmbeddedFiles name tree, file attachment annotations, /EF and /AF),
// media and 3D annotations and XFA forms are removed from the bundle's copy
// (sanitize.go). Links within a document (a /Dest or a GoTo action) and its
// form fields' appearances stay, and the index's links are added after.
// Placement.Removed counts what was removed from each document. The stored
// upload is not changed: Placement.SHA256 is its digest as received.
//
// # pdfcpu v0.6.0
//
// model.ConfigPath is set to "disable" when the package is initialised
// (pdfcpu otherwise writes ~/.config/pdfcpu and may os.Exit). The other
// workarounds are where they apply: the page count is checked after each
// merge (MergeXRefTables drops an error), every page gets content streams
// and a resource dictionary of its own before stamping (ownPageParts), the
// outline is written here rather than with AddBookmarks (which files
// destinations under the bookmarks' titles, so two documents called
// "Letter" both land on the first), and the bundle is written here.
package bundle
