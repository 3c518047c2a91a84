package service

import (
	"bytes"
	"context"
	"image"
	_ "image/jpeg" // DecodeConfig of the images a document places
	_ "image/png"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/docgen"
	"github.com/cynllun/cynllun/upload"
)

// Bounds on the images a document places (drawings and photos attached to
// the one-page profile or to the child's views). An image past them, or a
// file that is not a PNG or JPEG, is named in the document as available
// separately instead. The decoding budget is the upload check's default
// (MAX_IMAGE_DECODE_BYTES's): an image accepted on upload with the default
// fits.
const (
	maxPlacedImageBytes  = 16 << 20
	maxPlacedImagePixels = 40_000_000
)

// loadAttachments reads the files a document refers to, by id: their names,
// and the bytes of the images it can place. Only the learner's own uploads
// are read: an id naming any other file (another learner's, a case's, a
// rendered document) is left out, and the document then names it as an
// attached file without reading it.
func loadAttachments(ctx context.Context, store cynllun.Store, learnerID string, ids []string) (map[string]docgen.Attachment, error) {
	const op = "service.loadAttachments"
	if len(ids) == 0 {
		return nil, nil
	}
	files, err := store.FilesByID(ctx, ids)
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	out := make(map[string]docgen.Attachment, len(files))
	for _, f := range files {
		if f.Kind != cynllun.FileUpload || f.LearnerID != learnerID || f.CaseID != "" {
			continue
		}
		a := docgen.Attachment{Name: f.Name}
		if docgen.Placeable(f.ContentType) && f.Size > 0 && f.Size <= maxPlacedImageBytes {
			data, err := store.ReadFile(ctx, f.ID)
			if err != nil {
				return nil, cynllun.AsError(op, err)
			}
			a.Image = placeable(f.ContentType, data)
		}
		out[f.ID] = a
	}
	return out, nil
}

// placeable is the image a document shows of data, or nil when its header
// cannot be read or it is too large to decode within the budget.
func placeable(contentType string, data []byte) *docgen.Image {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > maxPlacedImagePixels {
		return nil
	}
	if cost, ok := upload.DecodeCost(contentType, data); !ok || cost > upload.DefaultMaxImageDecodeBytes {
		return nil
	}
	return &docgen.Image{Data: data, ContentType: contentType, Width: cfg.Width, Height: cfg.Height}
}

// planAttachments are the ids of the files a plan version refers to: the
// one-page profile's media and the appendices' files.
func planAttachments(c *cynllun.Content) []string {
	if c == nil {
		return nil
	}
	ids := append([]string(nil), c.Profile.Media...)
	for _, a := range c.Appendices {
		if a.AttachmentID != "" {
			ids = append(ids, a.AttachmentID)
		}
	}
	return ids
}

// reviewAttachments are the ids of the files a review record refers to:
// the child's and parents' views' files and new evidence's.
func reviewAttachments(r *cynllun.Review) []string {
	var ids []string
	for _, v := range r.ChildViews {
		ids = append(ids, v.Attachments...)
	}
	for _, v := range r.ParentViews {
		ids = append(ids, v.Attachments...)
	}
	for _, e := range r.NewEvidence {
		if e.Attachment != "" {
			ids = append(ids, e.Attachment)
		}
	}
	return ids
}
