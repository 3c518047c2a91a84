package main

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/coder/websocket"
)

// chromiumFlags are the flags of every Chromium the benchmark starts.
func chromiumFlags(profile string) []string {
	return []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking",
		"--disable-component-update", "--disable-sync",
		"--user-data-dir=" + profile,
	}
}

// findChromium is path if set, else Debian's /usr/bin/chromium or a
// chromium on PATH.
func findChromium(path string) (string, error) {
	if path != "" {
		if p, err := exec.LookPath(path); err == nil {
			return p, nil
		}
		return "", fmt.Errorf("chromium %q not found: install Debian package chromium (apt-get install -y --no-install-recommends chromium)", path)
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium", nil
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p, nil
	}
	return "", errors.New("chromium not found: install Debian package chromium (apt-get install -y --no-install-recommends chromium)")
}

// browser is one headless Chromium driven over the DevTools protocol,
// with one page attached in flat session mode on the browser connection.
type browser struct {
	cmd     *exec.Cmd
	conn    *websocket.Conn
	session string // the page's session
	frame   string // the page's main frame

	mu      sync.Mutex
	next    int64
	pending map[int64]chan reply
	waiters map[string]chan json.RawMessage // one-shot, by event name
	readErr error
}

type reply struct {
	Result json.RawMessage
	Err    error
}

// message is any message from Chromium: a reply has an id, an event a
// method.
type message struct {
	ID     int64           `json:"id"`
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
	Method    string          `json:"method"`
	Params    json.RawMessage `json:"params"`
	SessionID string          `json:"sessionId"`
}

// launch starts Chromium, waits for its DevTools URL on stderr, connects
// and opens one blank page.
func launch(ctx context.Context, path, profile string) (*browser, error) {
	args := append(chromiumFlags(profile), "--remote-debugging-port=0", "about:blank")
	cmd := exec.Command(path, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", path, err)
	}
	b := &browser{cmd: cmd, pending: map[int64]chan reply{}, waiters: map[string]chan json.RawMessage{}}

	found := make(chan string, 1)
	var tail []string // the last lines of stderr, for error messages
	var tailMu sync.Mutex
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			if i := strings.Index(line, "DevTools listening on "); i >= 0 {
				select {
				case found <- strings.TrimSpace(line[i+len("DevTools listening on "):]):
				default:
				}
			}
			tailMu.Lock()
			if tail = append(tail, line); len(tail) > 10 {
				tail = tail[1:]
			}
			tailMu.Unlock()
		}
		close(found)
	}()
	var wsURL string
	select {
	case u, ok := <-found:
		if !ok {
			b.close()
			tailMu.Lock()
			defer tailMu.Unlock()
			return nil, fmt.Errorf("chromium exited before it printed its DevTools URL:\n  %s", strings.Join(tail, "\n  "))
		}
		wsURL = u
	case <-time.After(30 * time.Second):
		b.close()
		return nil, errors.New("chromium printed no DevTools URL within 30s")
	}

	b.conn, _, err = websocket.Dial(ctx, wsURL, nil)
	if err != nil {
		b.conn = nil
		b.close()
		return nil, fmt.Errorf("connect to %s: %w", wsURL, err)
	}
	b.conn.SetReadLimit(512 << 20) // a large PDF comes back as one base64 message
	go b.read()

	var target struct{ TargetID string }
	if err := b.call(ctx, "", "Target.createTarget", map[string]any{"url": "about:blank"}, &target); err != nil {
		b.close()
		return nil, err
	}
	var attached struct{ SessionID string }
	if err := b.call(ctx, "", "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &attached); err != nil {
		b.close()
		return nil, err
	}
	b.session = attached.SessionID
	var tree struct {
		FrameTree struct {
			Frame struct{ ID string }
		}
	}
	if err := b.call(ctx, b.session, "Page.enable", nil, nil); err != nil {
		b.close()
		return nil, err
	}
	if err := b.call(ctx, b.session, "Page.getFrameTree", nil, &tree); err != nil {
		b.close()
		return nil, err
	}
	b.frame = tree.FrameTree.Frame.ID
	return b, nil
}

// read routes replies to their callers and events to their waiters.
func (b *browser) read() {
	for {
		_, data, err := b.conn.Read(context.Background())
		if err != nil {
			b.mu.Lock()
			b.readErr = err
			for id, ch := range b.pending {
				ch <- reply{Err: fmt.Errorf("connection to chromium lost: %w", err)}
				delete(b.pending, id)
			}
			b.mu.Unlock()
			return
		}
		var m message
		if err := json.Unmarshal(data, &m); err != nil {
			continue
		}
		b.mu.Lock()
		if m.ID != 0 {
			if ch, ok := b.pending[m.ID]; ok {
				r := reply{Result: m.Result}
				if m.Error != nil {
					r.Err = fmt.Errorf("%d %s", m.Error.Code, m.Error.Message)
				}
				ch <- r
				delete(b.pending, m.ID)
			}
		} else if ch, ok := b.waiters[m.Method]; ok && m.SessionID == b.session {
			ch <- m.Params
			delete(b.waiters, m.Method)
		}
		b.mu.Unlock()
	}
}

// call sends one command and decodes its result into out (if not nil).
func (b *browser) call(ctx context.Context, session, method string, params, out any) error {
	b.mu.Lock()
	if b.readErr != nil {
		b.mu.Unlock()
		return fmt.Errorf("%s: connection to chromium lost: %w", method, b.readErr)
	}
	b.next++
	id := b.next
	ch := make(chan reply, 1)
	b.pending[id] = ch
	b.mu.Unlock()

	msg := map[string]any{"id": id, "method": method}
	if params != nil {
		msg["params"] = params
	}
	if session != "" {
		msg["sessionId"] = session
	}
	data, err := json.Marshal(msg)
	if err != nil {
		return err
	}
	if err := b.conn.Write(ctx, websocket.MessageText, data); err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	select {
	case r := <-ch:
		if r.Err != nil {
			return fmt.Errorf("%s: %w", method, r.Err)
		}
		if out != nil {
			return json.Unmarshal(r.Result, out)
		}
		return nil
	case <-ctx.Done():
		b.mu.Lock()
		delete(b.pending, id)
		b.mu.Unlock()
		return fmt.Errorf("%s: %w", method, ctx.Err())
	}
}

// waitFor registers for the next event of a kind on the page; register
// before sending the command that causes it.
func (b *browser) waitFor(method string) <-chan json.RawMessage {
	ch := make(chan json.RawMessage, 1)
	b.mu.Lock()
	b.waiters[method] = ch
	b.mu.Unlock()
	return ch
}

// load puts a document in the page: its HTML handed over directly
// (Page.setDocumentContent) or, when url is set, by navigating to it and
// waiting for the load event.
func (b *browser) load(ctx context.Context, htmlDoc, url string) error {
	if url == "" {
		return b.call(ctx, b.session, "Page.setDocumentContent", map[string]any{"frameId": b.frame, "html": htmlDoc}, nil)
	}
	loaded := b.waitFor("Page.loadEventFired")
	if err := b.call(ctx, b.session, "Page.navigate", map[string]any{"url": url}, nil); err != nil {
		return err
	}
	select {
	case <-loaded:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("waiting for %s to load: %w", url, ctx.Err())
	}
}

// print prints the page on A4 (the CSS @page size wins) with backgrounds.
func (b *browser) print(ctx context.Context) ([]byte, error) {
	var res struct{ Data string }
	err := b.call(ctx, b.session, "Page.printToPDF", map[string]any{
		"printBackground":   true,
		"paperWidth":        8.27, // A4, inches
		"paperHeight":       11.69,
		"preferCSSPageSize": true,
	}, &res)
	if err != nil {
		return nil, err
	}
	return base64.StdEncoding.DecodeString(res.Data)
}

// close asks Chromium to quit, then makes sure it has.
func (b *browser) close() {
	if b.conn != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = b.call(ctx, "", "Browser.close", nil, nil)
		cancel()
		b.conn.CloseNow()
	} else {
		b.kill()
	}
	done := make(chan struct{})
	go func() { _ = b.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		b.kill()
		<-done
	}
}

// kill ends Chromium's process group (the one it was started in).
func (b *browser) kill() {
	if b.cmd.Process != nil {
		_ = syscall.Kill(-b.cmd.Process.Pid, syscall.SIGKILL)
	}
}
