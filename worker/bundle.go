package worker

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"hash"
	"io"
	"time"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/bundle"
	"github.com/cynllun/cynllun/service"
)

// TypeRenderBundle renders one version of a case's bundle. Its payload is
// the job id; the same handler runs every kind of render.
const TypeRenderBundle = "render:bundle"

// bundleTimeout bounds one attempt at a bundle: hundreds of pages.
const bundleTimeout = 15 * time.Minute

// documentKinds maps the kinds of a frozen bundle to the bundle package's.
var documentKinds = map[string]string{
	string(cynllun.EvidenceReport): bundle.KindReport, string(cynllun.EvidenceCorrespondence): bundle.KindCorrespondence,
	string(cynllun.EvidenceChildsViews): bundle.KindChildsViews, string(cynllun.EvidenceDecision): bundle.KindDecision,
	string(cynllun.EvidenceCaseStatement): bundle.KindCaseStatement, string(cynllun.EvidenceOther): bundle.KindOther,
	string(cynllun.RecordPlanVersion): bundle.KindPlan, string(cynllun.RecordMeetingRecord): bundle.KindMeetingRecord,
	string(cynllun.RecordLedger): bundle.KindLedger, string(cynllun.RecordDeadlines): bundle.KindDeadlines,
}

// renderBundle renders a frozen bundle version: it reads each upload,
// renders each document from the record, builds the bundle into a private
// temporary file or memory (hashing it as it goes; workdir.go), stores it and its manifest, and
// records the result on the bundle. The same bundle version always gives
// the same bytes, so a retry after a crash stores nothing twice.
func (h *RenderHandler) renderBundle(ctx context.Context, job *cynllun.Job) (string, error) {
	const op = "worker.renderBundle"
	bs, err := h.Store.BundlesByID(ctx, []string{job.BundleID})
	if err != nil {
		return "", cynllun.AsError(op, err)
	}
	if len(bs) == 0 {
		return "", cynllun.NotFound(op, "bundle")
	}
	b := bs[0]
	if b.FileID != "" {
		return b.FileID, nil // rendered by an attempt that died before saving its job
	}
	contents, err := service.FrozenContents(b)
	if err != nil {
		return "", err
	}
	docs := make([][]bundle.Document, len(contents.Sections))
	for i, sec := range contents.Sections {
		docs[i] = make([]bundle.Document, len(sec.Documents))
		for j := range sec.Documents {
			d := &sec.Documents[j]
			bd := bundle.Document{ID: d.ID, Title: d.Title, Date: d.Date, Author: d.Author, Kind: documentKinds[d.Kind]}
			if d.FileID != "" {
				data, err := h.Store.ReadFile(ctx, d.FileID)
				if err != nil {
					return "", cynllun.AsError(op, err)
				}
				if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != d.SHA256 {
					// The document as uploaded is gone (its bytes changed in
					// storage): a retry would read the same bytes, so the
					// job fails now, as for a lost file.
					h.log().ErrorContext(ctx, "stored evidence does not match its digest", "bundle", b.ID, "file", d.FileID)
					return "", cynllun.NotFound(op, "document "+d.Number+" as uploaded")
				}
				if d.Image {
					bd.Image = data
				} else {
					bd.PDF = data
				}
			} else {
				if bd.PDF, err = h.recordDocument(ctx, d, contents); err != nil {
					return "", err
				}
			}
			docs[i][j] = bd
		}
	}
	out, release, err := h.bundleOutput()
	if err != nil {
		return "", cynllun.Internal(op, err)
	}
	defer release()
	sum := sha256.New()
	man, err := bundle.BuildTo(io.MultiWriter(out, sum), service.BundleSpec(contents, docs))
	docs = nil // let the documents go before the upload
	if err != nil {
		return "", cynllun.AsError(op, err)
	}
	size, err := out.Seek(0, io.SeekEnd)
	if err != nil {
		return "", cynllun.Internal(op, err)
	}
	if h.afterBuild != nil {
		h.afterBuild()
	}
	pdfSum := hexOf(sum)
	f := &cynllun.File{
		ID: cynllun.CaseFileID(b.CaseID, pdfSum), Name: service.BundleFileName(contents, b.CaseID, b.Number),
		ContentType: "application/pdf", Size: size, Pages: man.Pages, SHA256: pdfSum,
		LearnerID: b.LearnerID, CaseID: b.CaseID, Kind: cynllun.FileRendered, CreatedAt: b.CreatedAt,
	}
	if err := h.Store.PutFileFrom(ctx, f, out); err != nil {
		return "", cynllun.AsError(op, err)
	}
	mj, err := json.MarshalIndent(manifestFile{Version: ManifestVersion, Bundle: b.ID, Number: b.Number, Case: b.CaseID, Created: contents.AsOf,
		File: f.ID, SHA256: pdfSum, Manifest: man}, "", "  ")
	if err != nil {
		return "", cynllun.Internal(op, err)
	}
	msum := sha256.Sum256(mj)
	mf := &cynllun.File{
		ID: cynllun.CaseFileID(b.CaseID, hex.EncodeToString(msum[:])), Name: service.BundleManifestFileName(contents, b.CaseID, b.Number),
		ContentType: "application/json", Size: int64(len(mj)), SHA256: hex.EncodeToString(msum[:]),
		LearnerID: b.LearnerID, CaseID: b.CaseID, Kind: cynllun.FileRendered, CreatedAt: b.CreatedAt,
	}
	if err := h.Store.PutFile(ctx, mf, mj); err != nil {
		return "", cynllun.AsError(op, err)
	}
	manJSON, err := json.Marshal(man)
	if err != nil {
		return "", cynllun.Internal(op, err)
	}
	b.FileID, b.ManifestFileID, b.Manifest, b.Pages, b.RenderedAt = f.ID, mf.ID, manJSON, man.Pages, h.now()
	if err := h.Store.CompleteBundle(ctx, b); err != nil {
		return "", cynllun.AsError(op, err)
	}
	h.log().InfoContext(ctx, "bundle rendered", "bundle", b.ID, "job", job.ID, "pages", man.Pages, "bytes", size, "warnings", len(man.Warnings))
	return f.ID, nil
}

// bundleOutput is where a bundle is built: a private temporary file in
// WorkDir (see workdir.go), or memory when there is none. release closes
// and removes the file; it runs however the render ends.
func (h *RenderHandler) bundleOutput() (out interface {
	io.Writer
	io.ReadSeeker
}, release func(), err error) {
	if h.WorkDir == "" {
		return &memFile{}, func() {}, nil
	}
	f, err := createTemp(h.WorkDir, "bundle-*.pdf")
	if err != nil {
		return nil, nil, err
	}
	return f, func() { _ = f.Close() }, nil
}

// memFile is a growing buffer that can be written and then read back.
type memFile struct {
	buf []byte
	off int64
}

func (m *memFile) Write(p []byte) (int, error) {
	m.buf = append(m.buf, p...)
	return len(p), nil
}

func (m *memFile) Read(p []byte) (int, error) {
	if m.off >= int64(len(m.buf)) {
		return 0, io.EOF
	}
	n := copy(p, m.buf[m.off:])
	m.off += int64(n)
	return n, nil
}

func (m *memFile) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekCurrent:
		offset += m.off
	case io.SeekEnd:
		offset += int64(len(m.buf))
	}
	if offset < 0 {
		return 0, errors.New("memFile: negative position")
	}
	m.off = offset
	return offset, nil
}

func (h *RenderHandler) recordDocument(ctx context.Context, d *service.FrozenDoc, c *service.BundleContents) ([]byte, error) {
	if h.RecordDocument != nil {
		return h.RecordDocument(ctx, d, c)
	}
	return service.RecordDocument(ctx, h.Store, d, c.Lang, c.AsOf)
}

// ManifestVersion is the version of the downloadable manifest's format,
// its "manifestVersion": 2 since issue 17, when the manifest's keys became
// camelCase (the API's names: "pages", "fromPage", "sha256", …) instead of
// Go's ("Pages", "FromPage", "SHA256"). A file without the field is
// version 1.
const ManifestVersion = 2

// manifestFile is the downloadable manifest: which bundle, its PDF's
// digest, and where every document landed with its own digest.
type manifestFile struct {
	Version  int              `json:"manifestVersion"`
	Bundle   string           `json:"bundle"`
	Number   int              `json:"number"`
	Case     string           `json:"case"`
	Created  time.Time        `json:"created"`
	File     string           `json:"file"`
	SHA256   string           `json:"sha256"`
	Manifest *bundle.Manifest `json:"manifest"`
}

func hexOf(h hash.Hash) string { return hex.EncodeToString(h.Sum(nil)) }
