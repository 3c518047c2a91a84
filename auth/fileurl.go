package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/url"
	"strconv"
	"time"
)

// FileLinks signs and checks short-lived download links for /files/{id}. A
// link names the file, the user it was issued to and its expiry, and carries
// an HMAC-SHA256 of the three under a server secret; the download is then
// checked and audited as that user's, with their access as it is at download
// time.
type FileLinks struct {
	key  []byte
	base string
}

// NewFileLinks returns a signer with secret (at least MinSecretBytes) that
// makes links below base ("" for a relative "/files/{id}?…", or an origin
// such as "https://cynllun.example").
func NewFileLinks(secret []byte, base string) (*FileLinks, error) {
	if len(secret) < MinSecretBytes {
		return nil, errors.New("auth: file link secret must be at least 32 bytes")
	}
	return &FileLinks{key: append([]byte(nil), secret...), base: base}, nil
}

// ErrBadLink is returned for a link that is malformed, forged or expired.
var ErrBadLink = errors.New("auth: invalid or expired download link")

func (f *FileLinks) mac(fileID, userID string, exp int64) string {
	m := hmac.New(sha256.New, f.key)
	m.Write([]byte("cynllun-file\x00" + fileID + "\x00" + userID + "\x00" + strconv.FormatInt(exp, 10)))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// SignFileURL returns the download link of fileID for userID, valid until
// expires.
func (f *FileLinks) SignFileURL(fileID, userID string, expires time.Time) string {
	exp := expires.Unix()
	q := url.Values{"u": {userID}, "exp": {strconv.FormatInt(exp, 10)}, "sig": {f.mac(fileID, userID, exp)}}
	return f.base + "/files/" + url.PathEscape(fileID) + "?" + q.Encode()
}

// Signed reports whether q carries a link signature at all (else the caller
// falls back to the bearer token).
func Signed(q url.Values) bool { return q.Has("sig") }

// VerifyFileURL checks the link parameters q for fileID at now and returns
// the user it was issued to.
func (f *FileLinks) VerifyFileURL(fileID string, q url.Values, now time.Time) (string, error) {
	userID, sig := q.Get("u"), q.Get("sig")
	exp, err := strconv.ParseInt(q.Get("exp"), 10, 64)
	if err != nil || userID == "" || sig == "" || len(sig) > 64 || len(userID) > 200 {
		return "", ErrBadLink
	}
	if !hmac.Equal([]byte(sig), []byte(f.mac(fileID, userID, exp))) {
		return "", ErrBadLink
	}
	if now.Unix() > exp {
		return "", ErrBadLink
	}
	return userID, nil
}
