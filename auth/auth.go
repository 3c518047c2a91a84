// Package auth verifies the bearer tokens (JWTs) that carry a request's
// principal, and mints HS256 tokens for development and tests.
//
// Two kinds of key are supported, alone or together:
//
//   - an HS256 shared secret (Config.HS256Secret, at least 32 bytes), for
//     development and simple deployments;
//   - a JWKS endpoint (Config.JWKSURL) of an identity provider, whose RS256,
//     ES256 and EdDSA public keys are fetched at start and refreshed in the
//     background (keyfunc/v3).
//
// Only the algorithms of the configured kinds are accepted ("none" never).
// An HS256 token is only ever checked against the shared secret and an
// asymmetric one only against JWKS keys, so a key from one kind can never be
// used as a key of the other (algorithm confusion).
package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"

	"github.com/cynllun/cynllun"
)

// MinSecretBytes is the shortest HS256 secret accepted (RFC 7518 §3.2: a key
// at least as long as the hash output).
const MinSecretBytes = 32

// MaxTokenBytes bounds the size of a token Verify will look at; longer input
// is rejected before any decoding.
const MaxTokenBytes = 8 << 10

// maxSubjectBytes bounds the "sub" claim, which becomes a user id.
const maxSubjectBytes = 256

// Config selects the keys and the claims a token must carry.
type Config struct {
	HS256Secret []byte        // dev/simple deployments; may be empty when JWKSURL is set
	JWKSURL     string        // production: RS256/ES256/EdDSA keys from a JWKS endpoint (refreshed in background)
	Issuer      string        // required "iss" when non-empty
	Audience    string        // required "aud" when non-empty
	Leeway      time.Duration // clock skew allowance for exp and nbf
}

// Verifier checks bearer tokens. It is safe for concurrent use.
type Verifier struct {
	secret []byte
	jwks   keyfunc.Keyfunc // nil without a JWKS URL
	parser *jwt.Parser
}

var (
	hmacMethods       = []string{jwt.SigningMethodHS256.Alg()}
	asymmetricMethods = []string{
		jwt.SigningMethodRS256.Alg(),
		jwt.SigningMethodES256.Alg(),
		jwt.SigningMethodEdDSA.Alg(),
	}
)

// NewVerifier builds a Verifier from cfg. It fails when neither a secret nor
// a JWKS URL is given, when the secret is shorter than MinSecretBytes, or
// when the JWKS URL is not an absolute http(s) URL.
//
// With a JWKS URL, the key set is fetched once before NewVerifier returns
// (waiting at most 10 s). A failed first fetch is logged, not returned, so
// the service can start while the identity provider is down; keys are then
// fetched again hourly and when a token names an unknown key id (at most once
// every five minutes). ctx bounds the background refresh: it must live as
// long as the Verifier.
func NewVerifier(ctx context.Context, cfg Config) (*Verifier, error) {
	if len(cfg.HS256Secret) == 0 && cfg.JWKSURL == "" {
		return nil, errors.New("auth: configure an HS256 secret or a JWKS URL")
	}
	if len(cfg.HS256Secret) > 0 && len(cfg.HS256Secret) < MinSecretBytes {
		return nil, fmt.Errorf("auth: HS256 secret must be at least %d bytes", MinSecretBytes)
	}
	if cfg.Leeway < 0 {
		return nil, errors.New("auth: leeway must not be negative")
	}
	v := &Verifier{}
	var methods []string
	if len(cfg.HS256Secret) > 0 {
		v.secret = append([]byte(nil), cfg.HS256Secret...)
		methods = append(methods, hmacMethods...)
	}
	if cfg.JWKSURL != "" {
		u, err := url.Parse(cfg.JWKSURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, errors.New("auth: JWKS URL must be an absolute http or https URL")
		}
		kf, err := keyfunc.NewDefaultOverrideCtx(ctx, []string{cfg.JWKSURL}, keyfunc.Override{
			HTTPTimeout: 10 * time.Second,
			// Bounds how long a request naming an unknown key id may wait
			// for the rate-limited refresh (and that refresh itself).
			RateLimitWaitMax: 5 * time.Second,
		})
		if err != nil {
			return nil, fmt.Errorf("auth: JWKS: %w", err)
		}
		v.jwks = kf
		methods = append(methods, asymmetricMethods...)
	}
	opts := []jwt.ParserOption{
		jwt.WithValidMethods(methods),
		jwt.WithExpirationRequired(),
		jwt.WithLeeway(cfg.Leeway),
		jwt.WithStrictDecoding(),
	}
	if cfg.Issuer != "" {
		opts = append(opts, jwt.WithIssuer(cfg.Issuer))
	}
	if cfg.Audience != "" {
		opts = append(opts, jwt.WithAudience(cfg.Audience))
	}
	v.parser = jwt.NewParser(opts...)
	return v, nil
}

// errSubject is the cause recorded when "sub" is missing or unusable.
var errSubject = errors.New("token has no usable subject")

// Verify checks token's signature, algorithm, expiry (required), not-before,
// issuer and audience, and returns its non-empty subject. Every failure is a
// *cynllun.Error with code UNAUTHENTICATED, Op "auth.Verify" and the message
// "invalid or expired token"; its cause is one of the jwt package's sentinel
// errors (jwt.ErrTokenExpired, …), never text taken from the token.
func (v *Verifier) Verify(ctx context.Context, token string) (string, error) {
	sub, _, err := v.VerifyUntil(ctx, token)
	return sub, err
}

// VerifyUntil is Verify that also returns when the token expires, so that
// a long-lived connection (a websocket subscription) can end then.
func (v *Verifier) VerifyUntil(ctx context.Context, token string) (subject string, expires time.Time, err error) {
	if token == "" || len(token) > MaxTokenBytes {
		return "", time.Time{}, unauthenticated(jwt.ErrTokenMalformed)
	}
	var claims jwt.RegisteredClaims
	parsed, err := v.parser.ParseWithClaims(token, &claims, v.keyFor(ctx))
	if err != nil {
		return "", time.Time{}, unauthenticated(cause(err))
	}
	if !parsed.Valid || claims.ExpiresAt == nil {
		return "", time.Time{}, unauthenticated(jwt.ErrTokenUnverifiable)
	}
	if !usableSubject(claims.Subject) {
		return "", time.Time{}, unauthenticated(errSubject)
	}
	return claims.Subject, claims.ExpiresAt.Time, nil
}

// keyFor returns the jwt.Keyfunc for one Verify call. The parser has already
// checked that the token's alg is one of the configured methods.
func (v *Verifier) keyFor(ctx context.Context) jwt.Keyfunc {
	return func(t *jwt.Token) (any, error) {
		switch t.Method.Alg() {
		case jwt.SigningMethodHS256.Alg():
			if v.secret == nil {
				return nil, jwt.ErrTokenUnverifiable
			}
			return v.secret, nil
		case jwt.SigningMethodRS256.Alg(), jwt.SigningMethodES256.Alg(), jwt.SigningMethodEdDSA.Alg():
			if v.jwks == nil {
				return nil, jwt.ErrTokenUnverifiable
			}
			// The jwt package checks that the key's type fits the
			// algorithm, so a symmetric JWK can never verify these.
			return v.jwks.KeyfuncCtx(ctx)(t)
		}
		return nil, jwt.ErrTokenUnverifiable
	}
}

func usableSubject(s string) bool {
	if s == "" || len(s) > maxSubjectBytes || strings.TrimSpace(s) != s {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			return false
		}
	}
	return true
}

// causes are the sentinel errors a Verify failure is reduced to, most
// specific first.
var causes = []error{
	jwt.ErrTokenExpired,
	jwt.ErrTokenNotValidYet,
	jwt.ErrTokenUsedBeforeIssued,
	jwt.ErrTokenInvalidIssuer,
	jwt.ErrTokenInvalidAudience,
	jwt.ErrTokenRequiredClaimMissing,
	jwt.ErrTokenSignatureInvalid,
	jwt.ErrTokenMalformed,
	jwt.ErrTokenUnverifiable,
	jwt.ErrTokenInvalidClaims,
}

// cause reduces a parser error to a sentinel, dropping any detail (key ids,
// decoder messages) that an attacker controls.
func cause(err error) error {
	for _, c := range causes {
		if errors.Is(err, c) {
			return c
		}
	}
	return jwt.ErrTokenUnverifiable
}

func unauthenticated(err error) error {
	return &cynllun.Error{
		Code:    cynllun.CodeUnauthenticated,
		Op:      "auth.Verify",
		Message: "invalid or expired token",
		Err:     err,
	}
}

// Mint returns an HS256 token for subject, valid from now for ttl, with
// "iss" and "aud" set when non-empty. It is for `cynllun token`, dev mode and
// tests; production tokens come from an identity provider.
func Mint(secret []byte, issuer, audience, subject string, ttl time.Duration, now time.Time) (string, error) {
	if len(secret) < MinSecretBytes {
		return "", fmt.Errorf("auth: HS256 secret must be at least %d bytes", MinSecretBytes)
	}
	if !usableSubject(subject) {
		return "", errors.New("auth: subject must be non-empty printable text of at most 256 bytes")
	}
	if ttl <= 0 {
		return "", errors.New("auth: ttl must be positive")
	}
	claims := jwt.RegisteredClaims{
		Issuer:    issuer,
		Subject:   subject,
		IssuedAt:  jwt.NewNumericDate(now),
		NotBefore: jwt.NewNumericDate(now),
		ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
	}
	if audience != "" {
		claims.Audience = jwt.ClaimStrings{audience}
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(secret)
}

// BearerToken extracts the token from an "Authorization: Bearer <token>"
// header (the scheme is case-insensitive, RFC 7235 §2.1).
//
//   - No Authorization header, or an empty one: ("", false). The request is
//     anonymous.
//   - A well-formed bearer header: (token, true).
//   - Anything else — another scheme such as Basic, a missing or malformed
//     token (characters outside RFC 6750's b64token), or several
//     Authorization headers: ("", true). The caller then passes "" to Verify,
//     which rejects it, so a client that meant to authenticate gets a clear
//     401 instead of silently being treated as anonymous.
func BearerToken(r *http.Request) (token string, ok bool) {
	values := r.Header.Values("Authorization")
	switch {
	case len(values) == 0:
		return "", false
	case len(values) > 1:
		return "", true
	}
	h := strings.TrimSpace(values[0])
	if h == "" {
		return "", false
	}
	scheme, rest, found := strings.Cut(h, " ")
	if !found || !strings.EqualFold(scheme, "Bearer") {
		return "", true
	}
	t := strings.TrimLeft(rest, " ")
	if !isB64Token(t) {
		return "", true
	}
	return t, true
}

// isB64Token reports whether s matches RFC 6750's
// b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=".
func isB64Token(s string) bool {
	body := strings.TrimRight(s, "=")
	if body == "" {
		return false
	}
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '-', c == '.', c == '_', c == '~', c == '+', c == '/':
		default:
			return false
		}
	}
	return true
}
