package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/form"
	"github.com/cynllun/cynllun/policy"
	"github.com/cynllun/cynllun/upload"
)

// UploadInput is an attachment to store in a learner's record.
type UploadInput struct {
	// IdempotencyKey makes a retry safe (idempotency.go): the same key
	// with the same learner, name, declared type and bytes returns the
	// file stored first; with anything else it is CONFLICT.
	IdempotencyKey string
	LearnerID      string
	// Name and DeclaredType are what the client said the file is; the
	// content decides.
	Name         string
	DeclaredType string
	Data         []byte
}

// MaxUploadBytes returns the upload size limit in force.
func (s *Service) MaxUploadBytes() int64 {
	if s.maxUpload > 0 {
		return s.maxUpload
	}
	return upload.DefaultMaxBytes
}

// WithMaxUploadBytes sets the size limit of one upload.
func WithMaxUploadBytes(n int64) Option { return func(s *Service) { s.maxUpload = n } }

// WithMaxImageDecodeBytes sets the memory budget of decoding one uploaded
// image, worked out from its header before it is decoded (default
// upload.DefaultMaxImageDecodeBytes).
func WithMaxImageDecodeBytes(n int64) Option { return func(s *Service) { s.maxImageDecode = n } }

// uploadLimits are the limits an upload is inspected with.
func (s *Service) uploadLimits() upload.Limits {
	return upload.Limits{MaxBytes: s.MaxUploadBytes(), MaxImageDecodeBytes: s.maxImageDecode}
}

// UploadAttachment stores an attachment (a drawing, a recording, a report)
// in a learner's record, after checking its size and that its content is an
// accepted type agreeing with its name and declared type. Staff, officers,
// parents and the young person may upload; nothing is stored when a check
// fails. The same bytes uploaded twice for one learner are one file.
func (s *Service) UploadAttachment(ctx context.Context, in UploadInput) (*cynllun.File, error) {
	const op = "service.UploadAttachment"
	p, err := principal(ctx, op)
	if err != nil {
		return nil, err
	}
	l, err := s.learnerFor(ctx, p, op, in.LearnerID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	if !policy.Upload(p, l, now).OK {
		return nil, cynllun.E(cynllun.CodeForbidden, op, "you may not add attachments to this learner's record")
	}
	if err := checkKey(op, "idempotencyKey", in.IdempotencyKey); err != nil {
		return nil, err
	}
	name := cleanName(in.Name)
	if fe := form.CheckText("file", name, form.MaxShort, false); fe != nil {
		return nil, cynllun.Invalid(op, cynllun.FieldError{Field: "file", Message: "has a file name that is too long or holds control characters"})
	}
	var res upload.Result
	if err := s.inspect(ctx, op, func() (err error) {
		res, err = upload.InspectWith(in.Data, name, in.DeclaredType, s.uploadLimits())
		return err
	}); err != nil {
		return nil, err
	}
	if name == "" {
		name = "attachment" + res.Ext
	}
	sum := sha256.Sum256(in.Data)
	hexSum := hex.EncodeToString(sum[:])
	f := &cynllun.File{
		ID: cynllun.UploadFileID(l.ID, hexSum), Name: name, ContentType: res.ContentType, Size: int64(len(in.Data)),
		Pages: res.Pages, SHA256: hexSum, LearnerID: l.ID, Kind: cynllun.FileUpload,
		CreatedBy: p.UserID, CreatedAt: now.UTC(),
	}
	// The file's id is its content's address: with or without a key, the
	// same bytes for the same learner are one file.
	key := keySpec{op: op, mutation: "uploadAttachment", scope: p.UserID, key: in.IdempotencyKey, field: "idempotencyKey",
		prefix: cynllun.PrefixFile, result: f.ID, input: struct {
			LearnerID, Name, DeclaredType, SHA256 string
		}{l.ID, in.Name, in.DeclaredType, hexSum}}
	load := func(id string) (*cynllun.File, error) {
		stored, err := s.store.FileByID(ctx, id)
		if err != nil {
			return nil, cynllun.AsError(op, err)
		}
		return stored, nil
	}
	return keyed(ctx, s, key, func(id string) (*cynllun.File, error) {
		if err := s.store.PutFile(ctx, f, in.Data); err != nil {
			return nil, cynllun.AsError(op, err)
		}
		s.log.InfoContext(ctx, "attachment uploaded", "file", f.ID, "learner", l.ID, "type", res.ContentType, "bytes", len(in.Data), "actor", p.UserID)
		return load(id)
	}, load)
}

// cleanName keeps the last element of a path a browser may send and trims
// it, in Unicode NFC (a name from macOS arrives decomposed).
func cleanName(name string) string {
	name = cynllun.NFC(name)
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	return strings.TrimSpace(name)
}
