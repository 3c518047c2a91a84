package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/cynllun/cynllun"
)

// TrustedDocuments is the production mode that runs only registered
// operations (GRAPHQL_TRUSTED_DOCUMENTS): a client sends the SHA-256 of an
// operation its build registered, as Apollo's persisted-query link and
// graphql-codegen's persisted documents do,
//
//	{"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "…"}}, "variables": {…}}
//
// with or without the query text. A registered hash runs its registered
// text; a query text with no registered hash is FORBIDDEN, and an unknown
// hash is INVALID with extensions.reason PERSISTED_QUERY_NOT_FOUND. Clients
// cannot register operations at run time (automatic persisted queries are
// off in this mode), so an attacker's query never reaches the parser.
type TrustedDocuments struct {
	// Documents maps each operation's SHA-256 (lowercase hex) to its text.
	Documents map[string]string
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = TrustedDocuments{}

func (TrustedDocuments) ExtensionName() string                   { return "TrustedDocuments" }
func (TrustedDocuments) Validate(graphql.ExecutableSchema) error { return nil }

const reasonPersistedQueryNotFound = "PERSISTED_QUERY_NOT_FOUND"

func (t TrustedDocuments) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	hash := persistedHash(p.Extensions)
	if hash == "" {
		return untrusted()
	}
	doc, ok := t.Documents[strings.ToLower(hash)]
	if !ok {
		return &gqlerror.Error{Message: "no registered operation has this sha256Hash", Extensions: map[string]any{"code": reasonPersistedQueryNotFound}}
	}
	if p.Query != "" && p.Query != doc {
		// A text sent with a registered hash must be that operation.
		return untrusted()
	}
	p.Query = doc
	return nil
}

func untrusted() *gqlerror.Error {
	const msg = "this server runs only registered operations: send extensions.persistedQuery.sha256Hash of an operation in its trusted documents"
	return &gqlerror.Error{Message: msg, Err: cynllun.E(cynllun.CodeForbidden, "graph.trustedDocuments", msg)}
}

// persistedHash is extensions.persistedQuery.sha256Hash, or "".
func persistedHash(ext map[string]any) string {
	pq, _ := ext["persistedQuery"].(map[string]any)
	h, _ := pq["sha256Hash"].(string)
	return h
}

// LoadTrustedDocuments reads a manifest of registered operations in either
// of the formats client tools write:
//   - graphql-codegen's client preset (persisted documents):
//     {"<sha256>": "<operation text>", …}
//   - Apollo's persisted query manifest:
//     {"format": "apollo-persisted-query-manifest", "version": 1,
//     "operations": [{"id": "<sha256>", "body": "<operation text>", …}]}
//
// Every id must be the SHA-256 of its text; an empty manifest is an error.
func LoadTrustedDocuments(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("trusted documents: %w", err)
	}
	return ParseTrustedDocuments(b)
}

// ParseTrustedDocuments is LoadTrustedDocuments on the manifest's bytes.
func ParseTrustedDocuments(b []byte) (map[string]string, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, errors.New("trusted documents: not a JSON object")
	}
	docs := map[string]string{}
	if _, ok := raw["operations"]; ok {
		var apollo struct {
			Format     string `json:"format"`
			Version    int    `json:"version"`
			Operations []struct {
				ID   string `json:"id"`
				Body string `json:"body"`
			} `json:"operations"`
		}
		if err := json.Unmarshal(b, &apollo); err != nil || apollo.Format != "apollo-persisted-query-manifest" || apollo.Version != 1 {
			return nil, errors.New(`trusted documents: want format "apollo-persisted-query-manifest", version 1`)
		}
		for _, op := range apollo.Operations {
			docs[op.ID] = op.Body
		}
	} else {
		for id, v := range raw {
			var body string
			if err := json.Unmarshal(v, &body); err != nil {
				return nil, fmt.Errorf("trusted documents: the value of %.16s… is not an operation's text", id)
			}
			docs[id] = body
		}
	}
	if len(docs) == 0 {
		return nil, errors.New("trusted documents: the manifest registers no operation")
	}
	out := make(map[string]string, len(docs))
	for id, body := range docs {
		sum := sha256.Sum256([]byte(body))
		if want := hex.EncodeToString(sum[:]); !strings.EqualFold(id, want) {
			return nil, fmt.Errorf("trusted documents: id %.16s… is not the SHA-256 of its operation's text", id)
		}
		out[strings.ToLower(id)] = body
	}
	return out, nil
}
