// Package playground serves the GraphiQL playground with its scripts and
// styles embedded in the binary (see assets/README.md), so it works offline:
// the page references only its own origin, and a Content-Security-Policy
// keeps the browser from loading anything from elsewhere.
package playground

import (
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"io/fs"
	"net/http"
	"path"

	gqlplayground "github.com/99designs/gqlgen/graphql/playground"
)

//go:embed assets/*.js assets/*.css assets/LICENSE.*
var assets embed.FS

// Asset file names (versioned, so browsers may keep them for good).
const (
	graphiqlJS  = "graphiql-4.1.2.min.js"
	graphiqlCSS = "graphiql-4.1.2.min.css"
	reactJS     = "react-18.2.0.production.min.js"
	reactDOMJS  = "react-dom-18.2.0.production.min.js"
)

// contentSecurityPolicy allows scripts, styles and connections to this
// origin only (GraphiQL's page has one inline script and inline styles; its
// fonts and icons are data: URLs).
const contentSecurityPolicy = "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

// Handler serves the page at prefix and its assets under prefix+"/assets/",
// for a GraphQL endpoint on the same origin (e.g. "/graphql"; websocket
// subscriptions use the same path). Mount it for prefix and prefix+"/".
func Handler(title, prefix, endpoint string) http.Handler {
	base := prefix + "/assets/"
	page := gqlplayground.Handler(title, endpoint,
		gqlplayground.WithGraphiqlVersion(base+graphiqlJS, base+graphiqlCSS, integrity(graphiqlJS), integrity(graphiqlCSS)),
		gqlplayground.WithGraphiqlReactVersion(base+reactJS, base+reactDOMJS, integrity(reactJS), integrity(reactDOMJS)),
		gqlplayground.WithGraphiqlEnablePluginExplorer(false),
	)
	sub, err := fs.Sub(assets, "assets")
	if err != nil {
		panic(err)
	}
	files := http.StripPrefix(base, http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		switch {
		case r.URL.Path == prefix:
			h.Set("Content-Security-Policy", contentSecurityPolicy)
			h.Set("Cache-Control", "no-cache")
			h.Set("Referrer-Policy", "no-referrer")
			page.ServeHTTP(w, r)
		case path.Dir(r.URL.Path)+"/" == base && r.URL.Path != base:
			h.Set("Cache-Control", "public, max-age=31536000, immutable")
			files.ServeHTTP(w, r)
		default:
			http.NotFound(w, r)
		}
	})
}

// integrity is the subresource-integrity value of an embedded asset.
func integrity(name string) string {
	b, err := assets.ReadFile("assets/" + name)
	if err != nil {
		panic(err)
	}
	sum := sha256.Sum256(b)
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}
