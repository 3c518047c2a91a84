package graph

import (
	"github.com/99designs/gqlgen/graphql"

	"github.com/cynllun/cynllun"
)

// The built-in String and ID scalars are bound here (gqlgen.yml) so that
// every string that enters through the API, literal or variable, reaches
// the domain in Unicode NFC (issue 18): text copied from some PDFs and
// macOS apps arrives decomposed ("w" + U+0302), and would be stored and
// rendered as two characters.

// MarshalString writes a String as gqlgen does.
func MarshalString(s string) graphql.Marshaler { return graphql.MarshalString(s) }

// UnmarshalString reads a String as gqlgen does, in NFC.
func UnmarshalString(v any) (string, error) {
	s, err := graphql.UnmarshalString(v)
	if err != nil {
		return "", err
	}
	return cynllun.NFC(s), nil
}

// MarshalID writes an ID as gqlgen does.
func MarshalID(s string) graphql.Marshaler { return graphql.MarshalID(s) }

// UnmarshalID reads an ID as gqlgen does, in NFC.
func UnmarshalID(v any) (string, error) {
	s, err := graphql.UnmarshalID(v)
	if err != nil {
		return "", err
	}
	return cynllun.NFC(s), nil
}
