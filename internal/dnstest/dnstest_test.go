package dnstest

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"slices"
	"testing"
)

func TestServer(t *testing.T) {
	s := New(map[string][]netip.Addr{"Hooks.Example.": {netip.MustParseAddr("8.8.8.8")}})
	r := s.Resolver()
	ctx := context.Background()
	got, err := r.LookupNetIP(ctx, "ip", "hooks.example")
	if err != nil || !slices.Equal(got, []netip.Addr{netip.MustParseAddr("8.8.8.8")}) {
		t.Fatalf("first lookup: %v, %v", got, err)
	}
	// Rebinding: the next lookup gets the new answer (TTL 0).
	s.Set("hooks.example", netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("::1"))
	got, err = r.LookupNetIP(ctx, "ip", "hooks.example")
	slices.SortFunc(got, netip.Addr.Compare)
	if err != nil || !slices.Equal(got, []netip.Addr{netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("::1")}) {
		t.Fatalf("after Set: %v, %v", got, err)
	}
	var dnsErr *net.DNSError
	if _, err := r.LookupNetIP(ctx, "ip", "other.example"); !errors.As(err, &dnsErr) || !dnsErr.IsNotFound {
		t.Fatalf("unknown name: %v", err)
	}
	if s.Lookups() < 4 {
		t.Fatalf("%d lookups", s.Lookups())
	}
}
