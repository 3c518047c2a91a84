package server

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// maxNewcomerBody bounds what is read of a request from a token with no
// account: an acceptInvitation mutation is a few hundred bytes.
const maxNewcomerBody = 8 << 10

// acceptOnly says whether r is a GraphQL POST whose operation is one
// acceptInvitation mutation and nothing else (no other field, fragment or
// directive), and returns r with its body restored. Only such a request is
// served for a signed-in newcomer (a token whose subject has no account):
// accepting an invitation creates their account (issue 17).
//
// Under trusted documents (GRAPHQL_TRUSTED_DOCUMENTS) a client sends the
// operation's sha256Hash, usually without its text: the registered text is
// the one checked. Without them, a hash with no text cannot be checked, so
// it is not served: a newcomer's client sends the mutation's text.
func acceptOnly(r *http.Request, trusted map[string]string) (*http.Request, bool) {
	if r.Method != http.MethodPost {
		return r, false
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return r, false
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxNewcomerBody+1))
	if err != nil || len(body) > maxNewcomerBody {
		return r, false
	}
	var req struct {
		Query         string         `json:"query"`
		OperationName string         `json:"operationName"`
		Extensions    map[string]any `json:"extensions"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return r, false
	}
	if len(trusted) > 0 {
		// The registered text, as TrustedDocuments will run it; a text
		// sent under another operation's hash, or no hash, is refused there
		// and here.
		doc, ok := trusted[strings.ToLower(persistedHash(req.Extensions))]
		if !ok || req.Query != "" && req.Query != doc {
			return r, false
		}
		req.Query = doc
	}
	if req.Query == "" {
		return r, false
	}
	doc, gerr := parser.ParseQuery(&ast.Source{Input: req.Query})
	if gerr != nil || len(doc.Operations) != 1 || len(doc.Fragments) != 0 {
		return r, false
	}
	op := doc.Operations[0]
	if op.Operation != ast.Mutation || len(op.Directives) != 0 || len(op.SelectionSet) != 1 {
		return r, false
	}
	f, ok := op.SelectionSet[0].(*ast.Field)
	if !ok || f.Name != "acceptInvitation" || len(f.Directives) != 0 || !plainFields(f.SelectionSet) {
		return r, false
	}
	r2 := r.Clone(r.Context())
	r2.Body = io.NopCloser(bytes.NewReader(body))
	r2.ContentLength = int64(len(body))
	return r2, true
}

// plainFields: a selection set of fields only (no fragments, no
// directives), all the way down.
func plainFields(ss ast.SelectionSet) bool {
	for _, s := range ss {
		f, ok := s.(*ast.Field)
		if !ok || len(f.Directives) != 0 || !plainFields(f.SelectionSet) {
			return false
		}
	}
	return true
}
