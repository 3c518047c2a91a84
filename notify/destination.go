package notify

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/cynllun/cynllun"
)

// MaxURLLength bounds a webhook endpoint's URL.
const MaxURLLength = 2000

// ErrBlocked is the cause of a delivery refused because its destination is
// not allowed: the URL's scheme, or an address the connection would reach
// (loopback, private, link-local, metadata, multicast and other non-public
// ranges) that the deployment has not allowlisted.
var ErrBlocked = errors.New("destination not allowed")

// BlockedMessage is what the delivery log shows for a blocked delivery. It
// says nothing else (no address, port, status or error text), so the log
// cannot be used to probe the network the worker runs in.
const BlockedMessage = "blocked: destination not allowed"

// Destinations is a deployment's policy of where webhooks may go. Its zero
// value allows https URLs whose every connection goes to a public address.
//
// Addresses are checked when a connection is made (a net.Dialer control
// function sees the address actually dialled, after name resolution), so a
// host name that resolves to an internal address, at registration or later
// (DNS rebinding), is refused too. Redirects are never followed, and proxies
// from the environment (HTTP_PROXY, HTTPS_PROXY) are ignored: a proxy would
// make the connection, and the check, somewhere else.
type Destinations struct {
	// AllowHTTP allows http:// URLs besides https:// (WEBHOOK_ALLOW_HTTP).
	AllowHTTP bool
	// Allow lists internal receivers a deployment trusts (see
	// ParseAllowlist): address ranges, addresses with a port, and host
	// names with a port (whatever such a name resolves to is allowed).
	Allow Allowlist
	// Resolver resolves host names (nil: net.DefaultResolver).
	Resolver *net.Resolver
}

// Allowlist names internal destinations that webhooks may reach although
// they are not public.
type Allowlist struct {
	Prefixes  []netip.Prefix
	AddrPorts []netip.AddrPort
	// HostPorts are lower-case "name:port" pairs.
	HostPorts []string
}

// ParseAllowlist reads WEBHOOK_ALLOWLIST: entries separated by commas or
// spaces, each an address range ("10.20.0.0/16", "fd00::/8"), an address
// ("10.20.30.40", "::1"), an address and port ("127.0.0.1:9000",
// "[::1]:9000") or a host name and port ("hooks.internal:8443").
func ParseAllowlist(s string) (Allowlist, error) {
	var a Allowlist
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' }) {
		if p, err := netip.ParsePrefix(f); err == nil {
			if p.Addr().Zone() != "" || p.Addr().Is4In6() {
				return Allowlist{}, fmt.Errorf("%q: write IPv4 ranges in IPv4 form, without a zone", f)
			}
			a.Prefixes = append(a.Prefixes, p.Masked())
			continue
		}
		if ip, err := netip.ParseAddr(f); err == nil {
			if ip.Zone() != "" {
				return Allowlist{}, fmt.Errorf("%q: zones are not allowed", f)
			}
			ip = ip.Unmap()
			a.Prefixes = append(a.Prefixes, netip.PrefixFrom(ip, ip.BitLen()))
			continue
		}
		if ap, err := netip.ParseAddrPort(f); err == nil {
			if ap.Addr().Zone() != "" || ap.Port() == 0 {
				return Allowlist{}, fmt.Errorf("%q: want an address and a port from 1 to 65535, without a zone", f)
			}
			a.AddrPorts = append(a.AddrPorts, netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()))
			continue
		}
		host, port, err := net.SplitHostPort(f)
		if err != nil || !validHostName(host) || !validPort(port) {
			return Allowlist{}, fmt.Errorf("%q: want an address range (10.0.0.0/8), an address (10.1.2.3), address:port (127.0.0.1:9000, [::1]:9000) or host:port (hooks.internal:8443)", f)
		}
		a.HostPorts = append(a.HostPorts, normalHost(host)+":"+port)
	}
	return a, nil
}

func (a Allowlist) hostPort(host, port string) bool {
	hp := normalHost(host) + ":" + port
	for _, x := range a.HostPorts {
		if x == hp {
			return true
		}
	}
	return false
}

func (a Allowlist) addr(ap netip.AddrPort) bool {
	ap = netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	for _, p := range a.Prefixes {
		if p.Contains(ap.Addr()) {
			return true
		}
	}
	for _, x := range a.AddrPorts {
		if x == ap {
			return true
		}
	}
	return false
}

// Empty reports whether a allows nothing beyond public addresses.
func (a Allowlist) Empty() bool {
	return len(a.Prefixes) == 0 && len(a.AddrPorts) == 0 && len(a.HostPorts) == 0
}

// blocked4 are the IPv4 special-purpose ranges (IANA registry) that are not
// globally reachable, besides those netip classifies (loopback, private,
// link-local, multicast, unspecified).
var blocked4 = prefixes(
	"0.0.0.0/8",       // "this network"
	"10.0.0.0/8",      // private
	"100.64.0.0/10",   // shared address space (carrier-grade NAT)
	"127.0.0.0/8",     // loopback
	"169.254.0.0/16",  // link-local, including the cloud metadata 169.254.169.254
	"172.16.0.0/12",   // private
	"192.0.0.0/24",    // IETF protocol assignments
	"192.0.2.0/24",    // documentation (TEST-NET-1)
	"192.88.99.0/24",  // 6to4 relay anycast (deprecated)
	"192.168.0.0/16",  // private
	"198.18.0.0/15",   // benchmarking
	"198.51.100.0/24", // documentation (TEST-NET-2)
	"203.0.113.0/24",  // documentation (TEST-NET-3)
	"224.0.0.0/4",     // multicast
	"240.0.0.0/4",     // reserved, and the broadcast 255.255.255.255
)

// global6 is where IANA allocates global unicast IPv6 addresses; blocked6
// are the special-purpose ranges inside it that are not globally reachable.
var (
	global6  = netip.MustParsePrefix("2000::/3")
	blocked6 = prefixes(
		"2001::/23",     // IETF protocol assignments, including Teredo 2001::/32
		"2001:db8::/32", // documentation
		"3fff::/20",     // documentation
		"5f00::/16",     // segment routing (SRv6) SIDs
	)
	nat64     = netip.MustParsePrefix("64:ff9b::/96") // well-known NAT64 prefix: IPv4 in the last 32 bits
	sixToFour = netip.MustParsePrefix("2002::/16")    // 6to4: IPv4 in bits 16–47
)

func prefixes(ss ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParsePrefix(s)
	}
	return out
}

// Public reports whether ip is a globally reachable unicast address: not
// loopback, private, link-local (169.254.169.254 included), multicast,
// unspecified, carrier-grade NAT, documentation, benchmarking, reserved or
// another special-purpose range, nor an IPv4-mapped, NAT64 or 6to4 form of
// one. Addresses with a zone are not public.
func Public(ip netip.Addr) bool {
	if !ip.IsValid() || ip.Zone() != "" {
		return false
	}
	ip = ip.Unmap()
	if ip.Is4() {
		if !ip.IsGlobalUnicast() || ip.IsPrivate() {
			return false
		}
		for _, p := range blocked4 {
			if p.Contains(ip) {
				return false
			}
		}
		return true
	}
	b := ip.As16()
	switch {
	case nat64.Contains(ip):
		return Public(netip.AddrFrom4([4]byte(b[12:16])))
	case sixToFour.Contains(ip):
		return Public(netip.AddrFrom4([4]byte(b[2:6])))
	case !global6.Contains(ip):
		// ::/8 (loopback, unspecified, IPv4-compatible and translated
		// forms), 64:ff9b:1::/48, 100::/64, fc00::/7, fe80::/10, fec0::/10,
		// ff00::/8 and everything not yet allocated.
		return false
	}
	for _, p := range blocked6 {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// Permits reports whether a connection to ap, made for a URL whose host is
// host, is allowed: ap is public, or allowlisted, or host:port is.
func (d *Destinations) Permits(host string, ap netip.AddrPort) bool {
	if !ap.IsValid() || ap.Port() == 0 {
		return false
	}
	if Public(ap.Addr()) {
		return true
	}
	if ap.Addr().Zone() != "" {
		return false
	}
	return d.Allow.addr(ap) || (host != "" && d.Allow.hostPort(host, strconv.Itoa(int(ap.Port()))))
}

// CheckURL checks a webhook URL as registered: an absolute https URL (http
// too where allowed), at most MaxURLLength bytes, with no credentials,
// fragment, spaces or control characters, whose host is a valid host name
// or an address. An address literal must be one Permits; "localhost" is
// refused unless allowlisted; other names are checked when a delivery
// connects. The error's Message never echoes the URL.
func (d *Destinations) CheckURL(raw string) *cynllun.FieldError {
	_, fe, _ := d.parse(raw)
	return fe
}

// parse checks raw as CheckURL does; blocked tells a URL refused for its
// destination (scheme, address, localhost) from a malformed one.
func (d *Destinations) parse(raw string) (u *url.URL, fe *cynllun.FieldError, blocked bool) {
	bad := func(msg string) (*url.URL, *cynllun.FieldError, bool) {
		return nil, &cynllun.FieldError{Field: "url", Message: msg}, false
	}
	refused := func(msg string) (*url.URL, *cynllun.FieldError, bool) {
		return nil, &cynllun.FieldError{Field: "url", Message: msg}, true
	}
	schemes := "an absolute https URL"
	if d.AllowHTTP {
		schemes = "an absolute http or https URL"
	}
	if raw == "" {
		return bad("must be " + schemes)
	}
	if len(raw) > MaxURLLength {
		return bad(fmt.Sprintf("must be at most %d characters", MaxURLLength))
	}
	for i := 0; i < len(raw); i++ {
		if c := raw[i]; c <= ' ' || c >= 0x7f || c == '<' || c == '>' || c == '"' || c == '\\' {
			return bad("must not contain spaces, control or non-ASCII characters (use the xn-- form of an international name)")
		}
	}
	u, err := url.Parse(raw)
	if err != nil || u.Opaque != "" || u.Host == "" || !strings.HasPrefix(strings.ToLower(raw), u.Scheme+"://") {
		return bad("must be " + schemes)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !d.AllowHTTP {
			return refused("must be https (this deployment does not allow http)")
		}
	default:
		return bad("must be " + schemes)
	}
	if u.User != nil {
		return bad("must not contain credentials (user:password@)")
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return bad("must not contain a fragment (#…)")
	}
	host, port := u.Hostname(), u.Port()
	if port == "" {
		port = "443"
		if u.Scheme == "http" {
			port = "80"
		}
	} else if !validPort(port) {
		return bad("must have a port from 1 to 65535")
	}
	p, _ := strconv.Atoi(port)
	if ip, err := netip.ParseAddr(host); err == nil {
		if ip.Zone() != "" || !d.Permits("", netip.AddrPortFrom(ip, uint16(p))) {
			return refused(refusedAddress)
		}
		return u, nil, false
	}
	if strings.HasPrefix(u.Host, "[") || !validHostName(host) {
		return bad("must have a valid host name or address")
	}
	if h := normalHost(host); (h == "localhost" || strings.HasSuffix(h, ".localhost")) && !d.Allow.hostPort(h, port) {
		return refused(refusedAddress)
	}
	return u, nil, false
}

const refusedAddress = BlockedMessage + ": loopback, private, link-local, metadata and other non-public addresses are refused"

// validHostName reports whether h is an ASCII host name: dot-separated
// labels of letters, digits, '-' and '_' (1–63 bytes each, not starting or
// ending with '-'), at most 253 bytes, with an optional final dot, whose
// last label is not all digits (so "127.1" or "2130706433", which some
// resolvers read as addresses, are not names).
func validHostName(h string) bool {
	h = strings.TrimSuffix(h, ".")
	if h == "" || len(h) > 253 {
		return false
	}
	labels := strings.Split(h, ".")
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	last := labels[len(labels)-1]
	if strings.Trim(last, "0123456789") == "" || strings.HasPrefix(strings.ToLower(last), "0x") {
		return false
	}
	return true
}

func validPort(p string) bool {
	n, err := strconv.Atoi(p)
	return err == nil && n >= 1 && n <= 65535 && p[0] != '0' && p[0] != '+'
}

func normalHost(h string) string { return strings.ToLower(strings.TrimSuffix(h, ".")) }

// dialer returns a DialContext that refuses, when connecting, any address
// d does not permit for the host being dialled.
func (d *Destinations) dialer() func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, ErrBlocked
		}
		nd := &net.Dialer{
			Timeout:   30 * time.Second,
			KeepAlive: 30 * time.Second,
			Resolver:  d.Resolver,
			ControlContext: func(_ context.Context, network, address string, _ syscall.RawConn) error {
				if network != "tcp4" && network != "tcp6" {
					return ErrBlocked
				}
				ap, err := netip.ParseAddrPort(address)
				if err != nil || !d.Permits(host, ap) {
					return ErrBlocked
				}
				return nil
			},
		}
		return nd.DialContext(ctx, network, addr)
	}
}
