package auth

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"

	"github.com/cynllun/cynllun"
)

var (
	testSecret  = []byte("0123456789abcdef0123456789abcdef-test-secret")
	otherSecret = []byte("fedcba9876543210fedcba9876543210-other-secret")
)

const (
	testIssuer   = "https://id.example.cymru"
	testAudience = "cynllun"
)

// sign signs claims with method and key, setting the kid header when non-empty.
func sign(t testing.TB, method jwt.SigningMethod, key any, claims jwt.Claims, kid string) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, claims)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	return s
}

// claimsAt are valid claims for subject "user-1" issued at now for an hour.
func claimsAt(now time.Time) jwt.RegisteredClaims {
	return jwt.RegisteredClaims{
		Issuer:    testIssuer,
		Audience:  jwt.ClaimStrings{testAudience},
		Subject:   "user-1",
		IssuedAt:  jwt.NewNumericDate(now),
		NotBefore: jwt.NewNumericDate(now),
		ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour)),
	}
}

// checkRejected asserts err is the one safe UNAUTHENTICATED error, with want
// as its cause (when non-nil), and that it does not repeat the token.
func checkRejected(t *testing.T, token string, err error, want error) {
	t.Helper()
	if err == nil {
		t.Fatal("Verify accepted the token")
	}
	var e *cynllun.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %T %v is not *cynllun.Error", err, err)
	}
	got := struct{ Code, Op, Message string }{string(e.Code), e.Op, e.Message}
	wantE := struct{ Code, Op, Message string }{string(cynllun.CodeUnauthenticated), "auth.Verify", "invalid or expired token"}
	if d := cmp.Diff(wantE, got); d != "" {
		t.Errorf("error (-want +got):\n%s", d)
	}
	if want != nil && !errors.Is(err, want) {
		t.Errorf("cause = %v, want %v", e.Err, want)
	}
	if len(token) >= 8 && strings.Contains(err.Error(), token) {
		t.Errorf("error text contains the token: %q", err.Error())
	}
	for _, part := range strings.Split(token, ".") {
		if len(part) >= 8 && strings.Contains(err.Error(), part) {
			t.Errorf("error text contains part of the token: %q", err.Error())
		}
	}
}

func newHS(t testing.TB, leeway time.Duration) *Verifier {
	t.Helper()
	v, err := NewVerifier(context.Background(), Config{
		HS256Secret: testSecret, Issuer: testIssuer, Audience: testAudience, Leeway: leeway,
	})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestNewVerifierConfig(t *testing.T) {
	ctx := t.Context()
	tests := []struct {
		name    string
		cfg     Config
		wantErr bool
	}{
		{"nothing", Config{}, true},
		{"short secret", Config{HS256Secret: []byte("too-short")}, true},
		{"31 bytes", Config{HS256Secret: make([]byte, 31)}, true},
		{"32 bytes", Config{HS256Secret: make([]byte, 32)}, false},
		{"relative jwks url", Config{JWKSURL: "/keys"}, true},
		{"ftp jwks url", Config{JWKSURL: "ftp://id.example/keys"}, true},
		{"negative leeway", Config{HS256Secret: testSecret, Leeway: -time.Second}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewVerifier(ctx, tt.cfg)
			if (err != nil) != tt.wantErr {
				t.Fatalf("NewVerifier error = %v, want error %v", err, tt.wantErr)
			}
		})
	}
}

func TestVerifyHS256(t *testing.T) {
	now := time.Now()
	v := newHS(t, 0)
	lenient := newHS(t, 30*time.Second)
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}

	mint := func(secret []byte, iss, aud, sub string, ttl time.Duration, at time.Time) string {
		t.Helper()
		s, err := Mint(secret, iss, aud, sub, ttl, at)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	without := func(edit func(*jwt.RegisteredClaims)) string {
		c := claimsAt(now)
		edit(&c)
		return sign(t, jwt.SigningMethodHS256, testSecret, c, "")
	}
	none := sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claimsAt(now), "")
	valid := mint(testSecret, testIssuer, testAudience, "user-1", time.Hour, now)
	parts := strings.Split(valid, ".")

	tests := []struct {
		name  string
		v     *Verifier
		token string
		cause error // nil: accepted
	}{
		{"valid", v, valid, nil},
		{"valid, audience in a list", v, sign(t, jwt.SigningMethodHS256, testSecret, func() jwt.Claims {
			c := claimsAt(now)
			c.Audience = jwt.ClaimStrings{"other", testAudience}
			return c
		}(), ""), nil},
		{"expired", v, mint(testSecret, testIssuer, testAudience, "user-1", time.Hour, now.Add(-2*time.Hour)), jwt.ErrTokenExpired},
		{"expired 10s ago, leeway 30s", lenient, mint(testSecret, testIssuer, testAudience, "user-1", time.Hour, now.Add(-time.Hour-10*time.Second)), nil},
		{"expired 60s ago, leeway 30s", lenient, mint(testSecret, testIssuer, testAudience, "user-1", time.Hour, now.Add(-time.Hour-60*time.Second)), jwt.ErrTokenExpired},
		{"not yet valid", v, mint(testSecret, testIssuer, testAudience, "user-1", 2*time.Hour, now.Add(time.Hour)), jwt.ErrTokenNotValidYet},
		{"not yet valid, within leeway", lenient, mint(testSecret, testIssuer, testAudience, "user-1", 2*time.Hour, now.Add(10*time.Second)), nil},
		{"wrong secret", v, mint(otherSecret, testIssuer, testAudience, "user-1", time.Hour, now), jwt.ErrTokenSignatureInvalid},
		{"wrong issuer", v, mint(testSecret, "https://evil.example", testAudience, "user-1", time.Hour, now), jwt.ErrTokenInvalidIssuer},
		{"no issuer", v, mint(testSecret, "", testAudience, "user-1", time.Hour, now), jwt.ErrTokenRequiredClaimMissing},
		{"wrong audience", v, mint(testSecret, testIssuer, "other-service", "user-1", time.Hour, now), jwt.ErrTokenInvalidAudience},
		{"no audience", v, mint(testSecret, testIssuer, "", "user-1", time.Hour, now), jwt.ErrTokenRequiredClaimMissing},
		{"no exp", v, without(func(c *jwt.RegisteredClaims) { c.ExpiresAt = nil }), jwt.ErrTokenRequiredClaimMissing},
		{"no sub", v, without(func(c *jwt.RegisteredClaims) { c.Subject = "" }), errSubject},
		{"blank sub", v, without(func(c *jwt.RegisteredClaims) { c.Subject = "  " }), errSubject},
		{"control character in sub", v, without(func(c *jwt.RegisteredClaims) { c.Subject = "user\n1" }), errSubject},
		{"alg none", v, none, jwt.ErrTokenSignatureInvalid},
		{"alg none, no signature part", v, strings.TrimSuffix(none, "."), jwt.ErrTokenMalformed},
		{"HS384 with the right secret", v, sign(t, jwt.SigningMethodHS384, testSecret, claimsAt(now), ""), jwt.ErrTokenSignatureInvalid},
		{"HS512 with the right secret", v, sign(t, jwt.SigningMethodHS512, testSecret, claimsAt(now), ""), jwt.ErrTokenSignatureInvalid},
		{"RS256 on an HS256-only verifier", v, sign(t, jwt.SigningMethodRS256, rsaKey, claimsAt(now), ""), jwt.ErrTokenSignatureInvalid},
		{"payload swapped", v, parts[0] + "." + strings.Split(mint(testSecret, testIssuer, testAudience, "admin", time.Hour, now), ".")[1] + "." + parts[2], jwt.ErrTokenSignatureInvalid},
		{"signature removed", v, parts[0] + "." + parts[1] + ".", jwt.ErrTokenSignatureInvalid},
		{"trailing garbage", v, valid + "x", nil},
		{"empty", v, "", jwt.ErrTokenMalformed},
		{"garbage", v, "not a token", jwt.ErrTokenMalformed},
		{"three dots", v, "...", jwt.ErrTokenMalformed},
		{"two parts", v, parts[0] + "." + parts[1], jwt.ErrTokenMalformed},
		{"four parts", v, valid + ".x", jwt.ErrTokenMalformed},
		{"bad base64", v, "!!!.@@@.###", jwt.ErrTokenMalformed},
		{"json array header", v, b64("[]") + "." + parts[1] + "." + parts[2], jwt.ErrTokenMalformed},
		{"huge", v, strings.Repeat("a", MaxTokenBytes+1), jwt.ErrTokenMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sub, err := tt.v.Verify(t.Context(), tt.token)
			if tt.name == "trailing garbage" {
				// Either rejected as a bad signature or (strict base64
				// decoding) as malformed: never accepted.
				checkRejected(t, tt.token, err, nil)
				return
			}
			if tt.cause == nil {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if sub != "user-1" {
					t.Fatalf("subject = %q, want user-1", sub)
				}
				return
			}
			if sub != "" {
				t.Errorf("subject %q returned with an error", sub)
			}
			checkRejected(t, tt.token, err, tt.cause)
		})
	}

	// An HS256 token whose key is the PEM or DER of an RSA public key is
	// simply a wrong secret for an HS256 verifier.
	pemPub, derPub := publicKeyBytes(t, &rsaKey.PublicKey)
	for _, key := range [][]byte{pemPub, derPub} {
		tok := sign(t, jwt.SigningMethodHS256, key, claimsAt(now), "")
		_, err := v.Verify(t.Context(), tok)
		checkRejected(t, tok, err, jwt.ErrTokenSignatureInvalid)
	}
}

func TestVerifyNoIssuerOrAudienceRequired(t *testing.T) {
	v, err := NewVerifier(t.Context(), Config{HS256Secret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := Mint(testSecret, "", "", "Siôn ap Dafydd", time.Minute, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	sub, err := v.Verify(t.Context(), tok)
	if err != nil || sub != "Siôn ap Dafydd" {
		t.Fatalf("Verify = %q, %v", sub, err)
	}
	// Any issuer and audience are accepted when none is configured.
	tok, err = Mint(testSecret, "x", "y", "u", time.Minute, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(t.Context(), tok); err != nil {
		t.Fatal(err)
	}
}

func TestMint(t *testing.T) {
	now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	tok, err := Mint(testSecret, testIssuer, testAudience, "user-1", time.Hour, now)
	if err != nil {
		t.Fatal(err)
	}
	var got jwt.RegisteredClaims
	p := jwt.NewParser(jwt.WithoutClaimsValidation(), jwt.WithValidMethods([]string{"HS256"}))
	if _, err := p.ParseWithClaims(tok, &got, func(*jwt.Token) (any, error) { return testSecret, nil }); err != nil {
		t.Fatal(err)
	}
	want := jwt.RegisteredClaims{
		Issuer:    testIssuer,
		Audience:  jwt.ClaimStrings{testAudience},
		Subject:   "user-1",
		IssuedAt:  jwt.NewNumericDate(now),
		NotBefore: jwt.NewNumericDate(now),
		ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour)),
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("claims (-want +got):\n%s", d)
	}

	for name, call := range map[string]func() (string, error){
		"short secret": func() (string, error) { return Mint([]byte("short"), "", "", "u", time.Hour, now) },
		"empty sub":    func() (string, error) { return Mint(testSecret, "", "", "", time.Hour, now) },
		"zero ttl":     func() (string, error) { return Mint(testSecret, "", "", "u", 0, now) },
	} {
		if _, err := call(); err == nil {
			t.Errorf("%s: Mint succeeded", name)
		}
	}
}

// jwksServer serves a JWK Set holding an RSA, an EC P-256 and an Ed25519
// public key, and counts requests.
type jwksServer struct {
	*httptest.Server
	rsa      *rsa.PrivateKey
	ec       *ecdsa.PrivateKey
	ed       ed25519.PrivateKey
	requests atomic.Int64
}

func newJWKSServer(t *testing.T) *jwksServer {
	t.Helper()
	s := &jwksServer{}
	var err error
	if s.rsa, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		t.Fatal(err)
	}
	if s.ec, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		t.Fatal(err)
	}
	if _, s.ed, err = ed25519.GenerateKey(rand.Reader); err != nil {
		t.Fatal(err)
	}
	ecPub, err := s.ec.PublicKey.ECDH()
	if err != nil {
		t.Fatal(err)
	}
	xy := ecPub.Bytes()[1:] // uncompressed point: 0x04 || X || Y
	set := map[string]any{"keys": []map[string]string{
		{"kty": "RSA", "kid": "rsa-1", "alg": "RS256", "use": "sig",
			"n": b64b(s.rsa.N.Bytes()), "e": b64b(big.NewInt(int64(s.rsa.E)).Bytes())},
		{"kty": "EC", "kid": "ec-1", "alg": "ES256", "use": "sig", "crv": "P-256",
			"x": b64b(xy[:32]), "y": b64b(xy[32:])},
		{"kty": "OKP", "kid": "ed-1", "alg": "EdDSA", "use": "sig", "crv": "Ed25519",
			"x": b64b(s.ed.Public().(ed25519.PublicKey))},
	}}
	body, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	t.Cleanup(s.Close)
	return s
}

func TestVerifyJWKS(t *testing.T) {
	srv := newJWKSServer(t)
	now := time.Now()
	jwksOnly, err := NewVerifier(t.Context(), Config{
		JWKSURL: srv.URL + "/.well-known/jwks.json", Issuer: testIssuer, Audience: testAudience,
	})
	if err != nil {
		t.Fatal(err)
	}
	mixed, err := NewVerifier(t.Context(), Config{
		HS256Secret: testSecret, JWKSURL: srv.URL, Issuer: testIssuer, Audience: testAudience,
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := srv.requests.Load(); n != 2 {
		t.Errorf("JWKS fetched %d times at start, want once per verifier", n)
	}
	otherRSA, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pemPub, derPub := publicKeyBytes(t, &srv.rsa.PublicKey)
	rsaJWK, err := json.Marshal(map[string]string{"kty": "RSA", "n": b64b(srv.rsa.N.Bytes()), "e": "AQAB"})
	if err != nil {
		t.Fatal(err)
	}
	expired := claimsAt(now.Add(-2 * time.Hour))
	wrongAud := claimsAt(now)
	wrongAud.Audience = jwt.ClaimStrings{"other"}
	noSub := claimsAt(now)
	noSub.Subject = ""

	tests := []struct {
		name  string
		v     *Verifier
		token string
		cause error // nil: accepted
	}{
		{"RS256 with kid", jwksOnly, sign(t, jwt.SigningMethodRS256, srv.rsa, claimsAt(now), "rsa-1"), nil},
		{"RS256 without kid", jwksOnly, sign(t, jwt.SigningMethodRS256, srv.rsa, claimsAt(now), ""), nil},
		{"ES256 with kid", jwksOnly, sign(t, jwt.SigningMethodES256, srv.ec, claimsAt(now), "ec-1"), nil},
		{"EdDSA with kid", jwksOnly, sign(t, jwt.SigningMethodEdDSA, srv.ed, claimsAt(now), "ed-1"), nil},
		{"RS256 on mixed verifier", mixed, sign(t, jwt.SigningMethodRS256, srv.rsa, claimsAt(now), "rsa-1"), nil},
		{"HS256 on mixed verifier", mixed, sign(t, jwt.SigningMethodHS256, testSecret, claimsAt(now), ""), nil},
		{"RS256 expired", jwksOnly, sign(t, jwt.SigningMethodRS256, srv.rsa, expired, "rsa-1"), jwt.ErrTokenExpired},
		{"RS256 wrong audience", jwksOnly, sign(t, jwt.SigningMethodRS256, srv.rsa, wrongAud, "rsa-1"), jwt.ErrTokenInvalidAudience},
		{"RS256 no sub", jwksOnly, sign(t, jwt.SigningMethodRS256, srv.rsa, noSub, "rsa-1"), errSubject},
		{"RS256 signed by another key, same kid", jwksOnly, sign(t, jwt.SigningMethodRS256, otherRSA, claimsAt(now), "rsa-1"), jwt.ErrTokenSignatureInvalid},
		{"RS256 signed by another key, no kid", jwksOnly, sign(t, jwt.SigningMethodRS256, otherRSA, claimsAt(now), ""), jwt.ErrTokenSignatureInvalid},
		{"RS256 unknown kid", jwksOnly, sign(t, jwt.SigningMethodRS256, otherRSA, claimsAt(now), "nope"), jwt.ErrTokenUnverifiable},
		{"RS256 naming the EC key", jwksOnly, sign(t, jwt.SigningMethodRS256, srv.rsa, claimsAt(now), "ec-1"), jwt.ErrTokenUnverifiable},
		{"RS384 (not accepted)", jwksOnly, sign(t, jwt.SigningMethodRS384, srv.rsa, claimsAt(now), "rsa-1"), jwt.ErrTokenSignatureInvalid},
		{"PS256 (not accepted)", jwksOnly, sign(t, jwt.SigningMethodPS256, srv.rsa, claimsAt(now), "rsa-1"), jwt.ErrTokenSignatureInvalid},
		{"alg none", jwksOnly, sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claimsAt(now), "rsa-1"), jwt.ErrTokenSignatureInvalid},
		{"HS256 on JWKS-only verifier", jwksOnly, sign(t, jwt.SigningMethodHS256, testSecret, claimsAt(now), ""), jwt.ErrTokenSignatureInvalid},
		// Algorithm confusion: HS256 "signed" with the RSA public key's
		// bytes, hoping the verifier uses the public key as an HMAC secret.
		{"alg confusion, PEM key, JWKS-only", jwksOnly, sign(t, jwt.SigningMethodHS256, pemPub, claimsAt(now), "rsa-1"), jwt.ErrTokenSignatureInvalid},
		{"alg confusion, DER key, JWKS-only", jwksOnly, sign(t, jwt.SigningMethodHS256, derPub, claimsAt(now), "rsa-1"), jwt.ErrTokenSignatureInvalid},
		{"alg confusion, JWK JSON, JWKS-only", jwksOnly, sign(t, jwt.SigningMethodHS256, rsaJWK, claimsAt(now), "rsa-1"), jwt.ErrTokenSignatureInvalid},
		{"alg confusion, PEM key, mixed", mixed, sign(t, jwt.SigningMethodHS256, pemPub, claimsAt(now), "rsa-1"), jwt.ErrTokenSignatureInvalid},
		{"alg confusion, DER key, mixed", mixed, sign(t, jwt.SigningMethodHS256, derPub, claimsAt(now), "rsa-1"), jwt.ErrTokenSignatureInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sub, err := tt.v.Verify(t.Context(), tt.token)
			if tt.cause == nil {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if sub != "user-1" {
					t.Fatalf("subject = %q, want user-1", sub)
				}
				return
			}
			checkRejected(t, tt.token, err, tt.cause)
		})
	}
}

func TestVerifyJWKSDownAtStart(t *testing.T) {
	// The identity provider being down must not stop the service starting;
	// tokens are then rejected until keys can be fetched.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	}))
	t.Cleanup(srv.Close)
	v, err := NewVerifier(t.Context(), Config{JWKSURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tok := sign(t, jwt.SigningMethodRS256, key, claimsAt(time.Now()), "")
	_, err = v.Verify(t.Context(), tok)
	checkRejected(t, tok, err, jwt.ErrTokenUnverifiable)
}

func TestBearerToken(t *testing.T) {
	tests := []struct {
		name    string
		headers []string // Authorization values; nil: none
		token   string
		ok      bool
	}{
		{"absent", nil, "", false},
		{"empty", []string{""}, "", false},
		{"blank", []string{"   "}, "", false},
		{"bearer", []string{"Bearer abc.def.ghi"}, "abc.def.ghi", true},
		{"lower case scheme", []string{"bearer abc.def.ghi"}, "abc.def.ghi", true},
		{"upper case scheme", []string{"BEARER abc.def.ghi"}, "abc.def.ghi", true},
		{"extra spaces", []string{"  Bearer   abc.def.ghi  "}, "abc.def.ghi", true},
		{"b64token characters", []string{"Bearer aZ09-._~+/=="}, "aZ09-._~+/==", true},
		{"scheme only", []string{"Bearer"}, "", true},
		{"scheme and space", []string{"Bearer "}, "", true},
		{"basic", []string{"Basic dXNlcjpwYXNz"}, "", true},
		{"no scheme", []string{"abc.def.ghi"}, "", true},
		{"two tokens", []string{"Bearer abc def"}, "", true},
		{"tab separator", []string{"Bearer\tabc"}, "", true},
		{"only padding", []string{"Bearer =="}, "", true},
		{"padding inside", []string{"Bearer ab=c"}, "", true},
		{"non-ASCII", []string{"Bearer tŷ"}, "", true},
		{"bearer prefix of another scheme", []string{"Bearerx abc"}, "", true},
		{"two headers", []string{"Bearer abc", "Bearer def"}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/graphql", nil)
			for _, h := range tt.headers {
				r.Header.Add("Authorization", h)
			}
			tok, ok := BearerToken(r)
			if tok != tt.token || ok != tt.ok {
				t.Fatalf("BearerToken = (%q, %v), want (%q, %v)", tok, ok, tt.token, tt.ok)
			}
		})
	}
}

func TestBearerTokenRoundTrip(t *testing.T) {
	v := newHS(t, 0)
	tok, err := Mint(testSecret, testIssuer, testAudience, "user-1", time.Minute, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodPost, "/graphql", nil)
	r.Header.Set("Authorization", "Bearer "+tok)
	got, ok := BearerToken(r)
	if !ok || got != tok {
		t.Fatalf("BearerToken = (%q, %v)", got, ok)
	}
	if sub, err := v.Verify(t.Context(), got); err != nil || sub != "user-1" {
		t.Fatalf("Verify = %q, %v", sub, err)
	}
}

func FuzzVerify(f *testing.F) {
	now := time.Now()
	// Seeds look like real tokens, but none is valid for the fuzzed
	// verifier: other secret, none, wrong algorithm, expired.
	for _, s := range []string{
		"", ".", "..", "a.b.c", "eyJ.eyJ.", "Bearer x",
		mustMint(f, otherSecret, testIssuer, testAudience, "user-1", time.Hour, now),
		mustMint(f, testSecret, testIssuer, testAudience, "user-1", time.Hour, now.Add(-2*time.Hour)),
		mustMint(f, testSecret, testIssuer, testAudience, "user-1", 2*time.Hour, now.Add(time.Hour)),
		mustMint(f, testSecret, "evil", testAudience, "user-1", time.Hour, now),
		sign(f, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claimsAt(now), ""),
		sign(f, jwt.SigningMethodHS512, testSecret, claimsAt(now), ""),
		b64(`{"alg":"HS256","typ":"JWT"}`) + "." + b64(`{"sub":"x","exp":99999999999}`) + ".",
		b64(`{"alg":"HS256","kid":"../../etc/passwd"}`) + "." + b64(`{}`) + "." + b64("sig"),
	} {
		f.Add(s)
	}
	v := newHS(f, time.Minute)
	f.Fuzz(func(t *testing.T, token string) {
		sub, err := v.Verify(context.Background(), token)
		if err == nil {
			t.Fatalf("Verify accepted %q as subject %q", token, sub)
		}
		if sub != "" {
			t.Fatalf("subject %q returned with an error", sub)
		}
		var e *cynllun.Error
		if !errors.As(err, &e) || e.Code != cynllun.CodeUnauthenticated || e.Op != "auth.Verify" || e.Message != "invalid or expired token" {
			t.Fatalf("unexpected error %#v", err)
		}
	})
}

func FuzzBearerToken(f *testing.F) {
	for _, s := range []string{
		"", " ", "Bearer", "Bearer ", "Bearer abc", "bearer a.b.c", "BEARER  x==",
		"Basic dXNlcjpwYXNz", "Bearer a b", "Bearer\x00abc", "Bearer tŷ", "\xff\xfe",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		r := &http.Request{Header: http.Header{"Authorization": {h}}}
		tok, ok := BearerToken(r)
		if !ok {
			if tok != "" {
				t.Fatalf("token %q with ok=false", tok)
			}
			if strings.TrimSpace(h) != "" {
				t.Fatalf("non-blank header %q reported as absent", h)
			}
			return
		}
		if tok == "" {
			return
		}
		if !isB64Token(tok) {
			t.Fatalf("token %q is not a b64token", tok)
		}
		trimmed := strings.TrimSpace(h)
		if !strings.HasSuffix(trimmed, tok) || !strings.EqualFold(trimmed[:6], "bearer") {
			t.Fatalf("token %q not taken from header %q", tok, h)
		}
		if strings.TrimSpace(trimmed[6:len(trimmed)-len(tok)]) != "" {
			t.Fatalf("header %q has more than scheme and token", h)
		}
	})
}

func mustMint(tb testing.TB, secret []byte, iss, aud, sub string, ttl time.Duration, now time.Time) string {
	tb.Helper()
	s, err := Mint(secret, iss, aud, sub, ttl, now)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func b64(s string) string  { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
func b64b(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// publicKeyBytes returns a public key as PEM and as DER (PKIX).
func publicKeyBytes(t testing.TB, pub crypto.PublicKey) (pemBytes, der []byte) {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), der
}
