package notify

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/internal/dnstest"
)

// loopbackReceivers is what the tests deliver with: http allowed, and the
// loopback addresses the httptest receivers listen on allowlisted, as a
// deployment allowlists its internal receivers (WEBHOOK_ALLOWLIST).
var loopbackReceivers = Destinations{AllowHTTP: true, Allow: mustAllowlist("127.0.0.0/8, ::1")}

func mustAllowlist(s string) Allowlist {
	a, err := ParseAllowlist(s)
	if err != nil {
		panic(err)
	}
	return a
}

// TestPublic: every special-purpose range is refused, in IPv4, IPv6,
// IPv4-mapped, NAT64 and 6to4 forms, and the addresses next to them are
// not.
func TestPublic(t *testing.T) {
	for _, c := range []struct {
		addr   string
		public bool
	}{
		// Public.
		{"8.8.8.8", true},
		{"1.1.1.1", true},
		{"81.2.69.160", true},
		{"2606:4700:4700::1111", true},
		{"2001:4860:4860::8888", true},
		{"2a00:1450:4009:81f::200e", true},
		{"::ffff:8.8.8.8", true},
		{"64:ff9b::808:808", true},    // NAT64 of 8.8.8.8
		{"2002:808:808::1", true},     // 6to4 of 8.8.8.8
		{"100.63.255.255", true},      // below CGNAT
		{"100.128.0.0", true},         // above CGNAT
		{"172.15.255.255", true},      // below 172.16/12
		{"172.32.0.0", true},          // above 172.16/12
		{"198.17.255.255", true},      // below benchmarking
		{"198.20.0.0", true},          // above benchmarking
		{"169.253.255.255", true},     // below link-local
		{"169.255.0.0", true},         // above link-local
		{"11.0.0.0", true},            // above 10/8
		{"126.255.255.255", true},     // below 127/8
		{"128.0.0.0", true},           // above 127/8
		{"1.0.0.0", true},             // above 0/8
		{"223.255.255.255", true},     // below multicast
		{"192.167.255.255", true},     // below 192.168/16
		{"192.169.0.0", true},         // above 192.168/16
		{"2001:200::1", true},         // above 2001::/23
		{"2001:db9::1", true},         // above documentation
		{"3fff:1000::1", true},        // above 3fff::/20
		{"3ffe:ffff::1", true},        // below 3fff::/20
		{"::ffff:100.128.0.1", true},  // mapped, above CGNAT
		{"2002:6480:1::", true},       // 6to4 of 100.128.0.1
		{"64:ff9b::6440:0", false},    // NAT64 of 100.64.0.0
		{"64:ff9b::ac10:1", false},    // NAT64 of 172.16.0.1
		{"64:ff9b::a9fe:a9fe", false}, // NAT64 of 169.254.169.254

		// Loopback.
		{"127.0.0.1", false},
		{"127.255.255.254", false},
		{"::1", false},
		{"::ffff:127.0.0.1", false},
		{"::ffff:7f00:1", false},
		{"::127.0.0.1", false}, // IPv4-compatible (deprecated)
		{"64:ff9b::7f00:1", false},
		{"2002:7f00:1::", false},
		{"::ffff:0:7f00:1", false}, // IPv4-translated (SIIT)
		// Unspecified and "this network".
		{"0.0.0.0", false},
		{"0.1.2.3", false},
		{"0.255.255.255", false},
		{"::", false},
		{"::ffff:0.0.0.0", false},
		// Private.
		{"10.0.0.0", false},
		{"10.255.255.255", false},
		{"172.16.0.0", false},
		{"172.31.255.255", false},
		{"192.168.0.1", false},
		{"192.168.255.255", false},
		{"::ffff:10.1.2.3", false},
		{"::ffff:192.168.1.1", false},
		{"::ffff:172.20.0.1", false},
		{"2002:c0a8:101::", false}, // 6to4 of 192.168.1.1
		{"2002:a00:1::", false},    // 6to4 of 10.0.0.1
		{"fc00::1", false},
		{"fd00::1", false},
		{"fd00:ec2::254", false}, // AWS IPv6 metadata
		{"fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false},
		// Link-local and metadata.
		{"169.254.0.1", false},
		{"169.254.169.254", false},
		{"169.254.170.2", false}, // ECS task metadata
		{"169.254.255.255", false},
		{"::ffff:169.254.169.254", false},
		{"::ffff:a9fe:a9fe", false},
		{"fe80::1", false},
		{"febf::1", false},
		{"fe80::1%eth0", false},
		{"fec0::1", false}, // site-local (deprecated)
		// Carrier-grade NAT.
		{"100.64.0.0", false},
		{"100.100.100.200", false}, // Alibaba Cloud metadata
		{"100.127.255.255", false},
		{"::ffff:100.64.0.1", false},
		// Multicast and broadcast.
		{"224.0.0.1", false},
		{"239.255.255.250", false},
		{"255.255.255.255", false},
		{"::ffff:224.0.0.1", false},
		{"ff02::1", false},
		{"ff05::2", false},
		{"ff0e::1", false},
		// Reserved and other special purposes.
		{"240.0.0.1", false},
		{"192.0.0.8", false},
		{"192.0.0.170", false}, // NAT64 discovery
		{"192.0.2.1", false},
		{"198.51.100.1", false},
		{"203.0.113.1", false},
		{"198.18.0.1", false},
		{"198.19.255.255", false},
		{"192.88.99.1", false},
		{"2001::1", false}, // Teredo
		{"2001:0:4136:e378::1", false},
		{"2001:1::1", false},    // IETF protocol assignments
		{"2001:db8::1", false},  // documentation
		{"3fff::1", false},      // documentation
		{"5f00::1", false},      // SRv6
		{"100::1", false},       // discard-only
		{"64:ff9b:1::1", false}, // local-use NAT64
		{"4000::1", false},      // unallocated
		{"1000::1", false},      // unallocated
		{"e000::1", false},      // unallocated
	} {
		ip, err := netip.ParseAddr(c.addr)
		if err != nil {
			t.Fatalf("%s: %v", c.addr, err)
		}
		if got := Public(ip); got != c.public {
			t.Errorf("Public(%s) = %v, want %v", c.addr, got, c.public)
		}
		if !c.public && ip.Zone() == "" {
			// Refused on any port without an allowlist, allowed once its
			// exact address and port are allowlisted.
			var d Destinations
			if d.Permits("", netip.AddrPortFrom(ip, 443)) {
				t.Errorf("Permits(%s) with no allowlist", c.addr)
			}
			d.Allow.AddrPorts = []netip.AddrPort{netip.AddrPortFrom(ip.Unmap(), 443)}
			if !d.Permits("", netip.AddrPortFrom(ip, 443)) || d.Permits("", netip.AddrPortFrom(ip, 444)) {
				t.Errorf("%s:443 allowlisted: Permits wrong", c.addr)
			}
		}
	}
	if Public(netip.Addr{}) {
		t.Error("the zero Addr is public")
	}
}

func TestParseAllowlist(t *testing.T) {
	a, err := ParseAllowlist(" 10.20.0.0/16, 192.168.7.9 ,fd00::/8 127.0.0.1:9000,[::1]:9001,Hooks.Internal.:8443\tcollector:80,")
	if err != nil {
		t.Fatal(err)
	}
	d := Destinations{Allow: a}
	for _, c := range []struct {
		host string
		addr string
		ok   bool
	}{
		{"", "10.20.3.4:443", true},
		{"", "[::ffff:10.20.3.4]:443", true},
		{"", "10.21.0.1:443", false},
		{"", "192.168.7.9:1", true},
		{"", "192.168.7.10:443", false},
		{"", "[fd12::1]:443", true},
		{"", "[fc00::1]:443", false},
		{"", "127.0.0.1:9000", true},
		{"", "127.0.0.1:9001", false},
		{"", "[::1]:9001", true},
		{"", "[::1]:9000", false},
		{"hooks.internal", "10.9.9.9:8443", true},
		{"HOOKS.internal.", "[fd00::9]:8443", true},
		{"hooks.internal", "10.9.9.9:443", false},
		{"other.internal", "10.9.9.9:8443", false},
		{"collector", "172.17.0.2:80", true},
		{"", "169.254.169.254:80", false},
		{"", "8.8.8.8:443", true},
		{"", "8.8.8.8:0", false},
	} {
		ap := netip.MustParseAddrPort(c.addr)
		if got := d.Permits(c.host, ap); got != c.ok {
			t.Errorf("Permits(%q, %s) = %v, want %v", c.host, c.addr, got, c.ok)
		}
	}
	for _, bad := range []string{"10.0.0.0/33", "hooks.internal", "hooks.internal:0", "hooks.internal:65536", "1.2.3.4:0", "[fe80::1%eth0]:80",
		"fe80::1%eth0", "::ffff:10.0.0.0/104", "http://hooks.internal:80", "*.internal:443", "-bad-:80", "127.1:80"} {
		if _, err := ParseAllowlist(bad); err == nil {
			t.Errorf("ParseAllowlist(%q) accepted", bad)
		}
	}
	if a, err := ParseAllowlist(""); err != nil || !a.Empty() {
		t.Errorf("empty allowlist: %v, %v", a, err)
	}
}

// TestCheckURL: what registration accepts, and what it refuses early (the
// literal addresses Permits refuses; a host name is left to connect time).
func TestCheckURL(t *testing.T) {
	strict := Destinations{}
	lax := Destinations{AllowHTTP: true, Allow: mustAllowlist("10.1.0.0/16, 127.0.0.1:9000, localhost:9001")}
	for _, c := range []struct {
		url         string
		strict, lax bool
	}{
		{"https://hooks.example.com/cynllun", true, true},
		{"https://hooks.example.com:8443/x?token=abc", true, true},
		{"https://HOOKS.Example.COM./x", true, true},
		{"https://xn--caf-dma.example/x", true, true},
		{"https://8.8.8.8/hook", true, true},
		{"https://[2606:4700:4700::1111]/hook", true, true},
		{"http://hooks.example.com/cynllun", false, true},
		{"HTTP://hooks.example.com/cynllun", false, true},
		{"ftp://hooks.example.com/x", false, false},
		{"javascript:alert(1)", false, false},
		{"https:hooks.example.com", false, false},
		{"//hooks.example.com/x", false, false},
		{"/hooks", false, false},
		{"", false, false},
		{"https://user:pass@hooks.example.com/x", false, false},
		{"https://user@hooks.example.com/x", false, false},
		{"https://hooks.example.com/x#frag", false, false},
		{"https://hooks.example.com/a b", false, false},
		{"https://hooks.example.com/\x00", false, false},
		{"https://hooks.example.com/\n", false, false},
		{"https://café.example/x", false, false},
		{"https://hooks.example.com:0/x", false, false},
		{"https://hooks.example.com:65536/x", false, false},
		{"https://hooks.example.com:08443/x", false, false},
		{"https://hooks..example.com/x", false, false},
		{"https://-hooks.example.com/x", false, false},
		{"https://" + strings.Repeat("a", 64) + ".example/x", false, false},
		{"https://hooks.example.com/" + strings.Repeat("a", MaxURLLength), false, false},
		// Literal addresses, and names some resolvers read as addresses.
		{"https://127.0.0.1/x", false, false},
		{"http://127.0.0.1:9000/x", false, true},
		{"http://127.0.0.1:9002/x", false, false},
		{"https://127.1/x", false, false},
		{"https://2130706433/x", false, false},
		{"https://0x7f000001/x", false, false},
		{"https://0x7f.0.0.1/x", false, false},
		{"https://017700000001/x", false, false},
		{"https://[::1]/x", false, false},
		{"https://[::ffff:127.0.0.1]/x", false, false},
		{"https://[::ffff:7f00:1]/x", false, false},
		{"https://[fe80::1%25eth0]/x", false, false},
		{"https://169.254.169.254/latest/meta-data/", false, false},
		{"https://[::ffff:169.254.169.254]/", false, false},
		{"https://[fd00:ec2::254]/", false, false},
		{"https://10.1.2.3/x", false, true},
		{"https://10.2.0.1/x", false, false},
		{"https://192.168.1.1/x", false, false},
		{"https://100.64.0.1/x", false, false},
		{"https://0.0.0.0/x", false, false},
		{"https://[::]/x", false, false},
		{"https://224.0.0.1/x", false, false},
		{"https://localhost/x", false, false},
		{"https://LocalHost./x", false, false},
		{"https://api.localhost/x", false, false},
		{"http://localhost:9001/x", false, true},
		// A name is checked when a delivery connects.
		{"https://internal.example.com/x", true, true},
	} {
		for _, x := range []struct {
			d    *Destinations
			want bool
		}{{&strict, c.strict}, {&lax, c.lax}} {
			fe := x.d.CheckURL(c.url)
			if (fe == nil) != x.want {
				t.Errorf("CheckURL(%q) with AllowHTTP=%v = %v, want ok=%v", c.url, x.d.AllowHTTP, fe, x.want)
				continue
			}
			if fe != nil && (fe.Field != "url" || fe.Message == "" || (len(c.url) > 12 && strings.Contains(fe.Message, c.url))) {
				t.Errorf("CheckURL(%q) = %+v", c.url, fe)
			}
		}
	}
}

// wantBlocked fails t unless a delivery was blocked: INVALID wrapping
// ErrBlocked with BlockedMessage, no status, and nothing in the error about
// where it tried to connect or what happened there.
func wantBlocked(t *testing.T, status int, err error) {
	t.Helper()
	e := wantCode(t, err, cynllun.CodeInvalid)
	if status != 0 || !errors.Is(err, ErrBlocked) || e.Message != BlockedMessage {
		t.Fatalf("status %d, err %v: want a blocked delivery", status, err)
	}
	for _, leak := range []string{"127.0.0.1", "::1", "localhost", "refused", "dial", "timeout", "rebind"} {
		if strings.Contains(err.Error(), leak) {
			t.Errorf("error %q mentions %q", err, leak)
		}
	}
}

// TestDeliverBlocked: without an allowlist nothing reaches a loopback
// receiver, whatever the URL's spelling, and a closed port is blocked just
// like an open one (no port scanning).
func TestDeliverBlocked(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { hits.Add(1) }))
	t.Cleanup(srv.Close)
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().(*net.TCPAddr).Port
	l.Close()
	secret := newTestSecret(t)
	w := NewWebhookSender(time.Second, Destinations{AllowHTTP: true})
	for _, p := range []int{port, closed} {
		for _, u := range []string{
			"http://127.0.0.1:%d/x", "http://[::1]:%d/x", "http://[::ffff:127.0.0.1]:%d/x", "http://localhost:%d/x",
			"http://0.0.0.0:%d/x", "http://169.254.169.254:%d/x", "http://10.0.0.1:%d/x", "http://[fe80::1%25lo]:%d/x",
		} {
			u = strings.Replace(u, "%d", strconv.Itoa(p), 1)
			status, err := w.Deliver(context.Background(), Endpoint{ID: "whk_1", URL: u, Secrets: []string{secret}}, testNotice())
			wantBlocked(t, status, err)
		}
	}
	// https only: an http endpoint is blocked, not sent.
	status, err := NewWebhookSender(time.Second, Destinations{Allow: loopbackReceivers.Allow}).Deliver(context.Background(),
		Endpoint{ID: "whk_1", URL: srv.URL, Secrets: []string{secret}}, testNotice())
	wantBlocked(t, status, err)
	if hits.Load() != 0 {
		t.Fatalf("%d requests reached the receiver", hits.Load())
	}
	// Allowlisted by address and port: delivered.
	allow := Destinations{AllowHTTP: true, Allow: mustAllowlist("127.0.0.1:" + strconv.Itoa(port))}
	if status, err := NewWebhookSender(time.Second, allow).Deliver(context.Background(), Endpoint{ID: "whk_1", URL: srv.URL, Secrets: []string{secret}}, testNotice()); err != nil || status != 200 {
		t.Fatalf("allowlisted: %d, %v", status, err)
	}
	if hits.Load() != 1 {
		t.Fatalf("%d requests", hits.Load())
	}
}

// TestDeliverDNSRebinding: a host name that resolves to loopback when the
// delivery connects (whatever it resolved to before) is refused at connect
// time; allowlisting the name and port lets it through.
func TestDeliverDNSRebinding(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { hits.Add(1) }))
	t.Cleanup(srv.Close)
	port := strconv.Itoa(srv.Listener.Addr().(*net.TCPAddr).Port)
	// The name is public when registered and loopback when delivering.
	dns := dnstest.New(map[string][]netip.Addr{"rebind.example": {netip.MustParseAddr("8.8.8.8")}})
	u := "http://rebind.example:" + port + "/hook"
	secret := newTestSecret(t)

	d := Destinations{AllowHTTP: true, Resolver: dns.Resolver()}
	if fe := d.CheckURL(u); fe != nil {
		t.Fatalf("registration refused a host name: %v", fe)
	}
	dns.Set("rebind.example", netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("::1"))
	status, err := NewWebhookSender(time.Second, d).Deliver(context.Background(), Endpoint{ID: "whk_1", URL: u, Secrets: []string{secret}}, testNotice())
	wantBlocked(t, status, err)
	if hits.Load() != 0 || dns.Lookups() == 0 {
		t.Fatalf("hits %d, lookups %d: want the name resolved and the connection refused", hits.Load(), dns.Lookups())
	}
	// The loopback allowlisted on another port only: still refused.
	d.Allow = mustAllowlist("127.0.0.1:1, rebind.example:1")
	status, err = NewWebhookSender(time.Second, d).Deliver(context.Background(), Endpoint{ID: "whk_1", URL: u, Secrets: []string{secret}}, testNotice())
	wantBlocked(t, status, err)

	d.Allow = mustAllowlist("rebind.example:" + port)
	if status, err := NewWebhookSender(time.Second, d).Deliver(context.Background(), Endpoint{ID: "whk_1", URL: u, Secrets: []string{secret}}, testNotice()); err != nil || status != 200 {
		t.Fatalf("allowlisted name: %d, %v", status, err)
	}
	if hits.Load() != 1 {
		t.Fatalf("%d requests", hits.Load())
	}

	// localhost is refused at registration and when delivering.
	d = Destinations{AllowHTTP: true}
	lu := "http://localhost:" + port + "/hook"
	if fe := d.CheckURL(lu); fe == nil {
		t.Fatal("localhost registered")
	}
	status, err = NewWebhookSender(time.Second, d).Deliver(context.Background(), Endpoint{ID: "whk_1", URL: lu, Secrets: []string{secret}}, testNotice())
	wantBlocked(t, status, err)
}

// TestDialerRefusesLocalhostName: the connect-time check on its own (the
// URL check bypassed): the system resolver's localhost is refused.
func TestDialerRefusesLocalhostName(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	t.Cleanup(srv.Close)
	port := strconv.Itoa(srv.Listener.Addr().(*net.TCPAddr).Port)
	d := Destinations{AllowHTTP: true}
	for _, addr := range []string{"localhost:" + port, "127.0.0.1:" + port, "[::ffff:127.0.0.1]:" + port} {
		if c, err := d.dialer()(context.Background(), "tcp", addr); !errors.Is(err, ErrBlocked) {
			if c != nil {
				c.Close()
			}
			t.Errorf("dial %s: %v, want ErrBlocked", addr, err)
		}
	}
	d.Allow = mustAllowlist("localhost:" + port)
	c, err := d.dialer()(context.Background(), "tcp", "localhost:"+port)
	if err != nil {
		t.Fatalf("allowlisted localhost: %v", err)
	}
	c.Close()
}

// FuzzCheckURL: any string either is refused with a field error that does
// not echo it, or is an http(s) URL whose literal address (if any) is
// permitted; CheckURL never panics, and a URL it accepts Deliver accepts
// too (it is then refused or sent only when connecting).
func FuzzCheckURL(f *testing.F) {
	for _, s := range []string{"https://hooks.example.com/x", "http://127.0.0.1:9000/", "https://[::ffff:7f00:1]/", "https://2130706433/",
		"https://u:p@h/", "https://LOCALHOST./", "https://[fe80::1%25eth0]:80/", "https://a..b/", "https://h:65536/", "https:h", "https://xn--caf-dma.example"} {
		f.Add(s)
	}
	d := Destinations{AllowHTTP: true, Allow: mustAllowlist("10.0.0.0/8, 127.0.0.1:9000")}
	f.Fuzz(func(t *testing.T, raw string) {
		fe := d.CheckURL(raw)
		if fe != nil {
			if fe.Field != "url" || fe.Message == "" || (len(raw) > 16 && strings.Contains(fe.Message, raw)) {
				t.Fatalf("CheckURL(%q) = %+v", raw, fe)
			}
			return
		}
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.User != nil || len(raw) > MaxURLLength {
			t.Fatalf("CheckURL accepted %q", raw)
		}
		if ip, err := netip.ParseAddr(u.Hostname()); err == nil {
			port, _ := strconv.Atoi(u.Port())
			if port == 0 {
				port = map[string]int{"http": 80, "https": 443}[u.Scheme]
			}
			if !d.Permits("", netip.AddrPortFrom(ip, uint16(port))) {
				t.Fatalf("CheckURL accepted %q, an address not permitted", raw)
			}
		} else if !validHostName(u.Hostname()) {
			t.Fatalf("CheckURL accepted host %q", u.Hostname())
		}
		if _, fe, blocked := d.parse(raw); fe != nil || blocked {
			t.Fatalf("parse(%q) disagrees with CheckURL", raw)
		}
	})
}
