package auth

import (
	"testing"
	"time"
)

// TestVerifyUntil: the token's expiry comes back with its subject (a
// websocket connection ends then); a bad token gives neither.
func TestVerifyUntil(t *testing.T) {
	v, err := NewVerifier(t.Context(), Config{HS256Secret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().Truncate(time.Second)
	tok, err := Mint(testSecret, "", "", "usr_a", 90*time.Second, now)
	if err != nil {
		t.Fatal(err)
	}
	sub, exp, err := v.VerifyUntil(t.Context(), tok)
	if err != nil || sub != "usr_a" || !exp.Equal(now.Add(90*time.Second)) {
		t.Fatalf("VerifyUntil = %q, %v, %v", sub, exp, err)
	}
	sub, exp, err = v.VerifyUntil(t.Context(), tok+"x")
	if err == nil || sub != "" || !exp.IsZero() {
		t.Fatalf("bad token: %q, %v, %v", sub, exp, err)
	}
}
