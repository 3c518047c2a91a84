package server

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/auth"
	"github.com/cynllun/cynllun/service"
)

// files serves GET /files/{id}: a stored file, for the holder of a signed
// link (File.downloadUrl) or of a bearer token, checked against the same
// policy as the plan and audited as a download. Range requests, ETag and
// conditional requests are handled by http.ServeContent.
func files(svc *service.Service, links *auth.FileLinks, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		ctx := r.Context()
		if q := r.URL.Query(); auth.Signed(q) {
			// A link stands for its user: their access is checked now.
			if links == nil {
				writeError(w, r, http.StatusUnauthorized, cynllun.CodeUnauthenticated, "invalid or expired download link")
				return
			}
			userID, err := links.VerifyFileURL(id, q, svc.Now())
			if err != nil {
				writeError(w, r, http.StatusUnauthorized, cynllun.CodeUnauthenticated, "invalid or expired download link")
				return
			}
			p, err := svc.Authenticate(ctx, userID)
			if err != nil {
				writeError(w, r, http.StatusUnauthorized, cynllun.CodeUnauthenticated, "invalid or expired download link")
				return
			}
			ctx = cynllun.WithPrincipal(ctx, p)
		} else if cynllun.PrincipalFrom(ctx) == nil {
			w.Header().Set("WWW-Authenticate", `Bearer`)
			writeError(w, r, http.StatusUnauthorized, cynllun.CodeUnauthenticated, "sign in required")
			return
		}
		f, data, err := svc.DownloadFile(ctx, id)
		if err != nil {
			code := cynllun.ErrorCode(err)
			status := map[cynllun.Code]int{
				cynllun.CodeNotFound: http.StatusNotFound, cynllun.CodeUnauthenticated: http.StatusUnauthorized,
				cynllun.CodeForbidden: http.StatusNotFound, cynllun.CodeInvalid: http.StatusBadRequest,
			}[code]
			if status == 0 {
				log.ErrorContext(ctx, "file download failed", "file", id, "err", err)
				code, status = cynllun.CodeInternal, http.StatusInternalServerError
			}
			msg := "internal error"
			if code != cynllun.CodeInternal {
				msg = "file not found"
			}
			writeError(w, r, status, code, msg)
			return
		}
		h := w.Header()
		h.Set("Content-Type", f.ContentType)
		disposition := "attachment"
		if htmlRendition(f) {
			// An accessible HTML rendition opens in the browser, where a
			// screen reader reads it best; its policy lets it do nothing
			// but show itself.
			disposition = "inline"
		}
		h.Set("Content-Disposition", contentDisposition(disposition, f.Name))
		h.Set("ETag", `"`+f.SHA256+`"`)
		// Children's records: never in a shared cache.
		h.Set("Cache-Control", "private, no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		if f.ContentType != "application/pdf" {
			// Anything but a PDF (whose viewer a policy can break): no
			// script, no request, no frame, its own opaque origin.
			h.Set("Content-Security-Policy", fileCSP)
		}
		http.ServeContent(w, r, "", f.CreatedAt.Truncate(time.Second), bytes.NewReader(data))
	})
}

// fileCSP is the Content-Security-Policy of a downloaded file that is not a
// PDF: an HTML rendition may show its embedded images (data: URIs) and its
// inline style sheet, and nothing else; sandbox runs it in an opaque
// origin with scripts and forms off, whatever it contains.
const fileCSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; sandbox"

// htmlRendition reports whether f is the HTML rendition of a plan or a
// meeting record, made by a render job (uploads are never HTML: their
// types are checked from their bytes).
func htmlRendition(f *cynllun.File) bool {
	return f.Kind == cynllun.FileRendered && strings.HasPrefix(f.ContentType, "text/html")
}

// contentDisposition is an attachment (or inline) header with the UTF-8
// file name (RFC 6266, RFC 8187) and an ASCII fallback for old clients.
func contentDisposition(disposition, name string) string {
	ascii := strings.Map(func(r rune) rune {
		switch {
		case r == '"' || r == '\\' || r < 0x20 || r == 0x7f:
			return -1
		case r > 0x7e:
			return '_'
		}
		return r
	}, name)
	var enc strings.Builder
	for _, b := range []byte(name) {
		if b < 0x80 && (b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || strings.IndexByte("!#$&+-.^_`|~", b) >= 0) {
			enc.WriteByte(b)
		} else {
			fmt.Fprintf(&enc, "%%%02X", b)
		}
	}
	return disposition + `; filename="` + ascii + `"; filename*=UTF-8''` + enc.String()
}
