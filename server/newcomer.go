package server

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"

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
func acceptOnly(r *http.Request) (*http.Request, bool) {
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
		Query         string `json:"query"`
		OperationName string `json:"operationName"`
	}
	if err := json.Unmarshal(body, &req); err != nil || req.Query == "" {
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
