package server

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/99designs/gqlgen/graphql/handler/transport"

	"github.com/cynllun/cynllun"
)

// Cross-origin requests (CORS). The API authenticates with bearer tokens
// only (no cookies, no other ambient credentials), so a page on another
// origin can do nothing a script could not do with the same token; the
// origin list decides which front-ends a browser lets read the API's
// answers. Access-Control-Allow-Credentials is never sent.
//
// A request whose Origin is this server's own (its host and port equal the
// request's Host, as browsers send on same-origin POSTs and the playground
// does) needs no setting. A request from an origin not on the list —
// preflight, POST, file download or websocket upgrade — is refused with
// 403 and extensions.code FORBIDDEN before the limits, the token or the
// body are looked at. Requests without an Origin header (servers, curl,
// native apps) are not cross-origin browser requests and pass.

// corsAllowHeaders are the request headers a cross-origin client may send:
// the token and body type, and those Apollo Client, graphql-request and
// other GraphQL clients add (Apollo's CSRF-prevention and operation-name
// headers, the graphql-preflight header of GraphQL Yoga clients).
var corsAllowHeaders = strings.Join([]string{
	"Authorization", "Content-Type", "Accept", "Accept-Language",
	"apollo-require-preflight", "x-apollo-operation-name", "graphql-preflight",
	"apollographql-client-name", "apollographql-client-version",
}, ", ")

// corsExposeHeaders are response headers a cross-origin script may read:
// when to retry after RATE_LIMITED, a download's file name, and why a
// token was refused, and the request id to quote in a report.
const corsExposeHeaders = "Retry-After, Content-Disposition, WWW-Authenticate, X-Request-Id"

// corsMaxAge is how long a browser may keep a preflight's answer, in
// seconds (Chromium caps it at 7200).
const corsMaxAge = "7200"

// ParseAllowedOrigins reads CORS_ALLOWED_ORIGINS: comma-separated origins,
// each scheme://host[:port] with no path ("https://app.example",
// "http://localhost:3000"); a port of * allows every port of that scheme
// and host ("http://localhost:*"); a lone * allows every origin. It returns
// them normalised (lower case, no trailing slash, no default port).
func ParseAllowedOrigins(v string) ([]string, error) {
	var out []string
	for f := range strings.SplitSeq(v, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if f == "*" {
			out = append(out, f)
			continue
		}
		o, err := normaliseOrigin(f, true)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}

// normaliseOrigin checks an origin and returns it as browsers send it:
// scheme://host[:port], lower case, with no default port.
func normaliseOrigin(s string, pattern bool) (string, error) {
	bad := fmt.Errorf("origin %q: want scheme://host[:port] with no path, e.g. https://app.example or http://localhost:*", s)
	wildPort := false
	if pattern && strings.HasSuffix(s, ":*") {
		wildPort, s = true, strings.TrimSuffix(s, ":*")
	}
	u, err := url.Parse(strings.TrimSuffix(s, "/"))
	if err != nil || u.Host == "" || u.User != nil || u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return "", bad
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return "", bad
	}
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if host == "" || strings.ContainsAny(host, "*") || (wildPort && port != "") {
		return "", bad
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	switch {
	case wildPort:
		port = "*"
	case port == "80" && scheme == "http", port == "443" && scheme == "https":
		port = ""
	}
	if port != "" {
		host += ":" + port
	}
	return scheme + "://" + host, nil
}

// origins is the parsed policy.
type origins struct {
	any   bool
	exact map[string]bool
	ports map[string]bool // scheme://host of entries with port *
}

func newOrigins(list []string) *origins {
	o := &origins{exact: map[string]bool{}, ports: map[string]bool{}}
	for _, s := range list {
		if s == "*" {
			o.any = true
			continue
		}
		n, err := normaliseOrigin(s, true)
		if err != nil {
			continue // Config is checked by ParseAllowedOrigins
		}
		if base, ok := strings.CutSuffix(n, ":*"); ok {
			o.ports[base] = true
		} else {
			o.exact[n] = true
		}
	}
	return o
}

// listed says whether origin (an Origin header) is on the list.
func (o *origins) listed(origin string) bool {
	if o.any {
		return true
	}
	n, err := normaliseOrigin(origin, false)
	if err != nil {
		return false // "null" (sandboxed frames, files) and garbage
	}
	if o.exact[n] {
		return true
	}
	u, err := url.Parse(n)
	if err != nil {
		return false
	}
	host := u.Hostname()
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return o.ports[u.Scheme+"://"+host]
}

// sameOrigin says whether origin names the host the request was sent to
// (the comparison browsers' own websocket servers make).
func sameOrigin(r *http.Request, origin string) bool {
	u, err := url.Parse(origin)
	return err == nil && u.Host != "" && strings.EqualFold(u.Host, r.Host)
}

// allows says whether a request may be answered: no Origin, its own
// origin, or a listed one.
func (o *origins) allows(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	return origin == "" || sameOrigin(r, origin) || o.listed(origin)
}

func writeOriginRefused(w http.ResponseWriter, r *http.Request) {
	writeError(w, r, http.StatusForbidden, cynllun.CodeForbidden,
		"requests from this origin are not allowed: add it to CORS_ALLOWED_ORIGINS")
}

// wrap answers preflights and adds CORS headers to the answers of allowed
// cross-origin requests (errors such as 401 and 429 included, so a browser
// can read them); it refuses other origins.
func (o *origins) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin == "" {
			next.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		h.Add("Vary", "Origin")
		preflight := r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
		if preflight {
			h.Add("Vary", "Access-Control-Request-Method")
			h.Add("Vary", "Access-Control-Request-Headers")
		}
		if sameOrigin(r, origin) && !preflight {
			next.ServeHTTP(w, r)
			return
		}
		if !o.listed(origin) && !sameOrigin(r, origin) {
			writeOriginRefused(w, r)
			return
		}
		if o.any {
			h.Set("Access-Control-Allow-Origin", "*")
		} else {
			h.Set("Access-Control-Allow-Origin", origin)
		}
		if preflight {
			h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
			h.Set("Access-Control-Allow-Headers", corsAllowHeaders)
			h.Set("Access-Control-Max-Age", corsMaxAge)
			w.WriteHeader(http.StatusNoContent)
			return
		}
		h.Set("Access-Control-Expose-Headers", corsExposeHeaders)
		next.ServeHTTP(w, r)
	})
}

// originCheckedWebsocket accepts a websocket only from an allowed origin
// (the same list as CORS), so a handler built by NewGraphQL alone is as
// strict as the one New wraps. coder/websocket's own check (same host
// only, or host patterns) is replaced by it.
// originCheckedWebsocket accepts a websocket only from an allowed origin,
// then hands it to next (which must not check the origin again: coder's
// own check knows nothing of CORS_ALLOWED_ORIGINS).
type originCheckedWebsocket struct {
	o    *origins
	next transport.WebsocketImplementation
}

var errOriginRefused = errors.New("websocket origin not allowed")

func (c originCheckedWebsocket) Accept(w http.ResponseWriter, r *http.Request, opts transport.WebsocketAcceptOptions) (transport.WebsocketConn, error) {
	if !c.o.allows(r) {
		writeOriginRefused(w, r)
		return nil, errOriginRefused
	}
	return c.next.Accept(w, r, opts)
}
