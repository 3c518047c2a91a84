// Package dnstest is a DNS server for tests: a net.Resolver whose answers a
// test decides, to simulate names that resolve where an attacker wants
// (DNS rebinding) without touching the system's resolver.
package dnstest

import (
	"context"
	"encoding/binary"
	"io"
	"net"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
)

// Server answers A and AAAA queries from a table that may change between
// lookups; other names are NXDOMAIN.
type Server struct {
	mu      sync.Mutex
	names   map[string][]netip.Addr
	lookups atomic.Int64
}

// New returns a server answering each name (case-insensitive, with or
// without the final dot) with its addresses.
func New(names map[string][]netip.Addr) *Server {
	s := &Server{names: map[string][]netip.Addr{}}
	for n, a := range names {
		s.Set(n, a...)
	}
	return s
}

// Set changes a name's addresses (none: NXDOMAIN), as a rebinding
// attacker's DNS server does between lookups.
func (s *Server) Set(name string, addrs ...netip.Addr) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.names[key(name)] = addrs
}

// Lookups counts the queries answered.
func (s *Server) Lookups() int64 { return s.lookups.Load() }

// Resolver returns a resolver that asks s and nothing else.
func (s *Server) Resolver() *net.Resolver {
	return &net.Resolver{PreferGo: true, Dial: func(context.Context, string, string) (net.Conn, error) {
		client, server := net.Pipe()
		go s.serve(server)
		return client, nil
	}}
}

func key(name string) string { return strings.ToLower(strings.TrimSuffix(name, ".")) }

// serve answers queries in stream (TCP) framing: a net.Pipe is not a
// PacketConn, so the resolver frames its queries with a length.
func (s *Server) serve(c net.Conn) {
	defer c.Close()
	for {
		var n uint16
		if err := binary.Read(c, binary.BigEndian, &n); err != nil {
			return
		}
		q := make([]byte, n)
		if _, err := io.ReadFull(c, q); err != nil {
			return
		}
		resp := s.answer(q)
		if resp == nil {
			return
		}
		s.lookups.Add(1)
		if err := binary.Write(c, binary.BigEndian, uint16(len(resp))); err != nil {
			return
		}
		if _, err := c.Write(resp); err != nil {
			return
		}
	}
}

// answer answers a one-question query (nil if it is malformed).
func (s *Server) answer(q []byte) []byte {
	if len(q) < 12 {
		return nil
	}
	i := 12
	var labels []string
	for i < len(q) && q[i] != 0 {
		l := int(q[i])
		if l > 63 || i+1+l > len(q) {
			return nil
		}
		labels = append(labels, string(q[i+1:i+1+l]))
		i += 1 + l
	}
	if i+5 > len(q) {
		return nil
	}
	qtype := binary.BigEndian.Uint16(q[i+1:])
	s.mu.Lock()
	addrs, found := s.names[key(strings.Join(labels, "."))]
	s.mu.Unlock()

	resp := append([]byte{}, q[:2]...)          // id
	resp = append(resp, 0x81, 0x80)             // a response; recursion desired and available; NOERROR
	resp = append(resp, 0, 1, 0, 0, 0, 0, 0, 0) // one question; the answer count is set below
	resp = append(resp, q[12:i+5]...)
	if !found {
		resp[3] |= 3 // NXDOMAIN
		return resp
	}
	answers := 0
	for _, a := range addrs {
		var rdata []byte
		switch {
		case qtype == 1 && a.Is4():
			b := a.As4()
			rdata = b[:]
		case qtype == 28 && a.Is6() && !a.Is4In6():
			b := a.As16()
			rdata = b[:]
		default:
			continue
		}
		answers++
		resp = append(resp, 0xc0, 12) // the name: a pointer to the question's
		resp = binary.BigEndian.AppendUint16(resp, qtype)
		resp = append(resp, 0, 1, 0, 0, 0, 0) // class IN, TTL 0: ask again next time
		resp = binary.BigEndian.AppendUint16(resp, uint16(len(rdata)))
		resp = append(resp, rdata...)
	}
	binary.BigEndian.PutUint16(resp[6:], uint16(answers))
	return resp
}
