package digest

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// chromiumPath is Debian's chromium (apt-get install -y chromium). The
// browser tests skip when it is absent.
const chromiumPath = "/usr/bin/chromium"

// browser drives headless Chromium over the DevTools protocol on a pipe
// (--remote-debugging-pipe: JSON messages ending in a NUL byte), so that a
// test can ask the rendered page for its layout and tap it like a phone.
// The page itself runs no script; only the test's questions do.
type browser struct {
	t   *testing.T
	in  io.WriteCloser
	out *bufio.Reader
	id  int
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("%s is absent (apt-get install -y chromium): the page is not checked in a real browser", chromiumPath)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute) // a guard against a hung browser, not a speed check
	cmd := exec.CommandContext(ctx, chromiumPath, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--hide-scrollbars", "--remote-debugging-pipe", "--user-data-dir="+t.TempDir(), "about:blank")
	// the browser reads commands on fd 3 and writes answers on fd 4
	cmdR, cmdW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.ExtraFiles = []*os.File{cmdR, outW}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("chromium: %v", err)
	}
	cmdR.Close()
	outW.Close()
	b := &browser{t: t, in: cmdW, out: bufio.NewReader(outR)}
	t.Cleanup(func() {
		_ = b.call("", "Browser.close", nil, nil)
		cmdW.Close()
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cancel()
			<-done
		}
		cancel()
		outR.Close()
		if t.Failed() && stderr.Len() > 0 {
			t.Logf("chromium's stderr:\n%.3000s", stderr.String())
		}
	})
	return b
}

// call sends a command (to the browser, or to a page's session) and decodes
// its result into result, skipping the events that come in between.
func (b *browser) call(session, method string, params, result any) error {
	b.id++
	msg := map[string]any{"id": b.id, "method": method}
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
	if _, err := b.in.Write(append(data, 0)); err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	for {
		line, err := b.out.ReadBytes(0)
		if err != nil {
			return fmt.Errorf("%s: %w", method, err)
		}
		var r struct {
			ID     int             `json:"id"`
			Result json.RawMessage `json:"result"`
			Error  *struct {
				Message string `json:"message"`
			} `json:"error"`
		}
		if err := json.Unmarshal(line[:len(line)-1], &r); err != nil {
			return fmt.Errorf("%s: %w", method, err)
		}
		if r.ID != b.id {
			continue // an event
		}
		if r.Error != nil {
			return fmt.Errorf("%s: %s", method, r.Error.Message)
		}
		if result != nil {
			return json.Unmarshal(r.Result, result)
		}
		return nil
	}
}

// viewport is a window size; mobile emulates a phone (touch, device pixels).
type viewport struct {
	name          string
	width, height int
	mobile        bool
}

// page is a tab showing a page, at a viewport's size.
type page struct {
	b       *browser
	session string
}

// open opens url in a new tab of v's size and waits until it has loaded.
func (b *browser) open(url string, v viewport) *page {
	b.t.Helper()
	var target struct {
		TargetID string `json:"targetId"`
	}
	if err := b.call("", "Target.createTarget", map[string]any{"url": "about:blank"}, &target); err != nil {
		b.t.Fatal(err)
	}
	var att struct {
		SessionID string `json:"sessionId"`
	}
	if err := b.call("", "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &att); err != nil {
		b.t.Fatal(err)
	}
	p := &page{b: b, session: att.SessionID}
	scale := 1.0
	if v.mobile {
		scale = 3
	}
	p.do("Emulation.setDeviceMetricsOverride", map[string]any{"width": v.width, "height": v.height, "deviceScaleFactor": scale, "mobile": v.mobile})
	if v.mobile {
		p.do("Emulation.setTouchEmulationEnabled", map[string]any{"enabled": true, "maxTouchPoints": 5})
	}
	p.do("Page.navigate", map[string]any{"url": url})
	for i := 0; ; i++ {
		var ready string
		p.eval(`document.readyState`, &ready)
		if ready == "complete" {
			break
		}
		if i == 200 {
			b.t.Fatalf("%s did not load", url)
		}
		time.Sleep(50 * time.Millisecond)
	}
	p.settle()
	return p
}

func (p *page) do(method string, params any) {
	p.b.t.Helper()
	if err := p.b.call(p.session, method, params, nil); err != nil {
		p.b.t.Fatal(err)
	}
}

// eval evaluates a JavaScript expression in the page (a promise is awaited)
// and decodes its value, which must be JSON, into v.
func (p *page) eval(expr string, v any) {
	p.b.t.Helper()
	var r struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails *struct {
			Text      string `json:"text"`
			Exception struct {
				Description string `json:"description"`
			} `json:"exception"`
		} `json:"exceptionDetails"`
	}
	err := p.b.call(p.session, "Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true, "awaitPromise": true}, &r)
	if err != nil {
		p.b.t.Fatal(err)
	}
	if r.ExceptionDetails != nil {
		p.b.t.Fatalf("%s: %s %s", expr, r.ExceptionDetails.Text, r.ExceptionDetails.Exception.Description)
	}
	if v != nil {
		if err := json.Unmarshal(r.Result.Value, v); err != nil {
			p.b.t.Fatalf("%s: %v (%s)", expr, err, r.Result.Value)
		}
	}
}

// settle waits for two frames: what an input changed is laid out.
func (p *page) settle() {
	p.eval(`new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))`, nil)
}

// tap taps (mobile: a touch, which the browser makes a tap) or clicks
// (desktop) at a point of the viewport.
func (p *page) tap(x, y float64, mobile bool) {
	if mobile {
		p.do("Input.dispatchTouchEvent", map[string]any{"type": "touchStart", "touchPoints": []map[string]any{{"x": x, "y": y}}})
		p.do("Input.dispatchTouchEvent", map[string]any{"type": "touchEnd", "touchPoints": []map[string]any{}})
	} else {
		for _, typ := range []string{"mouseMoved", "mousePressed", "mouseReleased"} {
			p.do("Input.dispatchMouseEvent", map[string]any{"type": typ, "x": x, "y": y, "button": "left", "clickCount": 1})
		}
	}
	p.settle()
}

// waitFor waits until a JavaScript expression is true (what a tap does
// may come a few frames later), at most two seconds; it reports whether it
// became true.
func (p *page) waitFor(expr string) bool {
	for i := 0; i < 40; i++ {
		var ok bool
		p.eval("!!("+expr+")", &ok)
		if ok {
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return false
}

// hover moves the mouse to a point of the viewport.
func (p *page) hover(x, y float64) {
	p.do("Input.dispatchMouseEvent", map[string]any{"type": "mouseMoved", "x": x, "y": y})
	p.settle()
}
