// Package redistest gives tests a real Redis server.
//
// Start returns the URL in REDIS_URL when that is set, so CI or a developer
// can point every test at one server. Otherwise it starts a private
// redis-server (the Debian package redis-server; ./.ci/run installs it) on a
// free loopback port, with no persistence, for the calling test only.
//
// There is deliberately no fallback to an in-process fake: a missing binary
// fails the test with a clear message, so "the tests passed" always means
// "against real Redis".
//
// A shared server (REDIS_URL) is shared by every package's tests, which
// `go test ./...` runs in parallel. Tests must therefore keep to their own
// keys (a unique asynq queue name or key prefix); a test that flushes data
// (FLUSHDB, FLUSHALL) must use a Redis database number or a server of its own,
// never the shared one.
package redistest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// startTimeout bounds how long Start waits for a fresh server to answer PING.
const startTimeout = 15 * time.Second

// Start returns the URL of a Redis server for tb: REDIS_URL when set, else a
// fresh redis-server started for this test and killed by tb.Cleanup
// ("redis://127.0.0.1:<port>/0").
func Start(tb testing.TB) (url string) {
	tb.Helper()
	if u := os.Getenv("REDIS_URL"); u != "" {
		return u
	}
	return StartOwn(tb)
}

// StartOwn always starts a fresh redis-server for tb, even when REDIS_URL is
// set: for tests that flush or otherwise disturb the whole server.
func StartOwn(tb testing.TB) (url string) {
	tb.Helper()
	url, _ = StartStoppable(tb)
	return url
}

// StartStoppable is StartOwn, also returning stop, which kills the server
// at once (tests of a Redis outage); stopping twice is harmless.
func StartStoppable(tb testing.TB) (url string, stop func()) {
	tb.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		tb.Fatal("redistest: redis-server not found: install the Debian package redis-server (./.ci/run does), or set REDIS_URL")
	}
	dir := tb.TempDir()
	// Another process can take the free port between our probe and the
	// server's bind; try a few ports before giving up.
	var errs []error
	for attempt := 0; attempt < 3; attempt++ {
		port, err := freePort()
		if err != nil {
			tb.Fatalf("redistest: %v", err)
		}
		stop, err := start(tb, bin, dir, port)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		return fmt.Sprintf("redis://127.0.0.1:%d/0", port), stop
	}
	tb.Fatalf("redistest: %v", errors.Join(errs...))
	return "", nil
}

// start runs redis-server on port and waits for it to answer PING. On
// success the process is killed at tb's cleanup; on failure it is already
// gone.
func start(tb testing.TB, bin, dir string, port int) (stop func(), err error) {
	logPath := filepath.Join(dir, fmt.Sprintf("redis-%d.log", port))
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin,
		"--port", strconv.Itoa(port),
		"--bind", "127.0.0.1",
		"--save", "",
		"--appendonly", "no",
		"--dir", dir,
	)
	cmd.Dir = dir
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start redis-server: %w", err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		logFile.Close()
		close(exited)
	}()
	stop = func() {
		_ = cmd.Process.Kill()
		<-exited
	}

	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	deadline := time.Now().Add(startTimeout)
	for {
		if ping(addr) == nil {
			break
		}
		select {
		case <-exited:
			return nil, fmt.Errorf("redis-server on port %d exited at start: %s", port, tail(logPath))
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			stop()
			return nil, fmt.Errorf("redis-server on port %d did not answer PING within %v: %s", port, startTimeout, tail(logPath))
		}
	}
	tb.Cleanup(stop)
	return stop, nil
}

// ping sends an inline PING and expects "+PONG".
func ping(addr string) error {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(time.Second)); err != nil {
		return err
	}
	if _, err := conn.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return err
	}
	if strings.TrimRight(line, "\r\n") != "+PONG" {
		return fmt.Errorf("PING answered %q", strings.TrimSpace(line))
	}
	return nil
}

// freePort asks the kernel for a free loopback TCP port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// tail returns the last lines of the server's log, for failure messages.
func tail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	b = bytes.TrimSpace(b)
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	if len(b) == 0 {
		return "(empty log)"
	}
	return "log:\n" + string(b)
}
