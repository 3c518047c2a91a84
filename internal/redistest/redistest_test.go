package redistest

import (
	"bufio"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"
)

// do sends one command in RESP and returns the first line of the reply and,
// for a bulk string, its body.
func do(t *testing.T, addr string, args ...string) string {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(2 * time.Second))
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := conn.Write([]byte(b.String())); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(conn)
	line, err := r.ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	line = strings.TrimRight(line, "\r\n")
	if strings.HasPrefix(line, "$") && line != "$-1" {
		body, err := r.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimRight(body, "\r\n")
	}
	return line
}

func TestStart(t *testing.T) {
	if os.Getenv("REDIS_URL") != "" {
		t.Skip("REDIS_URL is set: Start returns it (see TestStartUsesREDIS_URL)")
	}
	var addr string
	t.Run("server", func(t *testing.T) {
		raw := Start(t)
		u, err := url.Parse(raw)
		if err != nil || u.Scheme != "redis" || u.Hostname() != "127.0.0.1" || u.Port() == "" || u.Path != "/0" {
			t.Fatalf("Start = %q (%v), want redis://127.0.0.1:<port>/0", raw, err)
		}
		addr = u.Host
		if got := do(t, addr, "SET", "cynllun:test", "Tŷ Gwyn"); got != "+OK" {
			t.Fatalf("SET = %q", got)
		}
		if got := do(t, addr, "GET", "cynllun:test"); got != "Tŷ Gwyn" {
			t.Fatalf("GET = %q", got)
		}
		// Each call gets a server of its own.
		other := Start(t)
		if other == raw {
			t.Fatalf("second Start returned the same URL %s", raw)
		}
		ou, _ := url.Parse(other)
		if got := do(t, ou.Host, "GET", "cynllun:test"); got != "$-1" {
			t.Errorf("second server shares data: GET = %q", got)
		}
	})
	// The subtest's cleanup has stopped its servers.
	if addr != "" {
		if err := ping(addr); err == nil {
			t.Errorf("redis-server at %s still answers after cleanup", addr)
		}
	}
}

func TestStartUsesREDIS_URL(t *testing.T) {
	const want = "redis://redis.example:6379/5"
	t.Setenv("REDIS_URL", want)
	if got := Start(t); got != want {
		t.Fatalf("Start = %q, want %q", got, want)
	}
}

func TestPingClosedPort(t *testing.T) {
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	if err := ping(fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
		t.Fatal("ping succeeded against a closed port")
	}
}
