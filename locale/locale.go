// Package locale gives every message a client can see in Welsh and in
// English, with a stable machine code (its reason), and negotiates which of
// the two a request asks for.
//
// Messages are written in English where errors are made (cynllun.E,
// cynllun.Invalid, cynllun.NotFound, field errors); the catalogue
// (catalogue.go) holds each one once, keyed by its reason, in both
// languages. They are localised once, at the edge (graph.ErrorPresenter and
// the server's HTTP errors): Translate finds an English message's entry and
// returns it in the language of the request, with the reason that goes to
// extensions.reason. A message composed from parts (a number, a field, a
// date, another message) is a template whose parts are named in braces,
// "has more than {n} items"; a part that is itself a message of the
// catalogue is translated too.
//
// A test (coverage_test.go) reads the source of every package whose errors
// reach a client and fails on a message the catalogue does not hold, and
// another on an entry without both languages.
package locale

import (
	"context"

	"golang.org/x/text/language"
)

// Lang is a language a response can be written in.
type Lang string

const (
	// EN is English, the default.
	EN Lang = "en"
	// CY is Welsh.
	CY Lang = "cy"
)

var matcher = language.NewMatcher([]language.Tag{language.English, language.MustParse("cy")})

// Negotiate chooses Welsh or English from an Accept-Language header:
// the language the client prefers most of the two (cy, cy-GB … or en,
// en-GB …), English when it names neither, or when the header is missing or
// malformed.
func Negotiate(acceptLanguage string) Lang {
	if acceptLanguage == "" {
		return EN
	}
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return EN
	}
	_, i, conf := matcher.Match(tags...)
	if conf == language.No || i != 1 {
		return EN
	}
	return CY
}

type ctxKey struct{}

// WithLang returns ctx carrying the language of the request.
func WithLang(ctx context.Context, l Lang) context.Context {
	return context.WithValue(ctx, ctxKey{}, l)
}

// From returns the language of the request in ctx: English when none was
// negotiated.
func From(ctx context.Context) Lang {
	if l, ok := ctx.Value(ctxKey{}).(Lang); ok && l == CY {
		return CY
	}
	return EN
}
