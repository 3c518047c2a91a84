package auth

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestFileLinks(t *testing.T) {
	secret := []byte(strings.Repeat("k", 32))
	f, err := NewFileLinks(secret, "https://cynllun.example")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewFileLinks([]byte("short"), ""); err == nil {
		t.Fatal("short secret accepted")
	}
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	link := f.SignFileURL("fil_abc", "usr_1", now.Add(5*time.Minute))
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	if u.Host != "cynllun.example" || u.Path != "/files/fil_abc" {
		t.Fatalf("link = %s", link)
	}
	q := u.Query()
	if !Signed(q) {
		t.Fatal("link not signed")
	}
	if got, err := f.VerifyFileURL("fil_abc", q, now); err != nil || got != "usr_1" {
		t.Fatalf("verify = %q, %v", got, err)
	}
	other, _ := NewFileLinks([]byte(strings.Repeat("z", 32)), "")
	tamper := func(k, v string) url.Values {
		c := url.Values{}
		for key, vs := range q {
			c[key] = append([]string(nil), vs...)
		}
		c.Set(k, v)
		return c
	}
	tests := []struct {
		name string
		f    *FileLinks
		id   string
		q    url.Values
		at   time.Time
	}{
		{"expired", f, "fil_abc", q, now.Add(6 * time.Minute)},
		{"other file", f, "fil_xyz", q, now},
		{"other user", f, "fil_abc", tamper("u", "usr_2"), now},
		{"later expiry", f, "fil_abc", tamper("exp", "99999999999"), now},
		{"bad signature", f, "fil_abc", tamper("sig", "AAAA"), now},
		{"no expiry", f, "fil_abc", tamper("exp", ""), now},
		{"other secret", other, "fil_abc", q, now},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := tt.f.VerifyFileURL(tt.id, tt.q, tt.at); err != ErrBadLink {
				t.Fatalf("err = %v, want ErrBadLink", err)
			}
		})
	}
}

func FuzzVerifyFileURL(f *testing.F) {
	links, _ := NewFileLinks([]byte(strings.Repeat("k", 32)), "")
	f.Add("u=usr_1&exp=1800000000&sig=abc")
	f.Add("u=&exp=-1&sig=")
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		if _, err := links.VerifyFileURL("fil_x", q, time.Unix(0, 0)); err == nil {
			t.Fatalf("forged link accepted: %q", raw)
		}
	})
}
