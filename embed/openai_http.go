package embed

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"
)

// maxAnswer bounds the size of one answer (2048 texts of 3072 float
// dimensions as JSON fit well within).
const maxAnswer = 512 << 20

// exchange is one try of a request, shared between the caller and the
// transport (go-openai keeps the headers of error answers, and the bodies
// of all answers, to itself).
type exchange struct {
	// set by the caller
	slots   slots           // bound on requests in flight
	stop    context.Context // waiting for a slot ends when it is done
	timeout time.Duration   // bounds the try, from when the slot is held
	admit   func() error    // checked once the slot is held; an error sends nothing
	// set by the transport
	release  func() // gives the slot back (idempotent)
	sent     bool
	timedOut bool
	status   int
	header   http.Header
	body     []byte
}

type exchangeKey struct{}

func withExchange(ctx context.Context, x *exchange) context.Context {
	return context.WithValue(ctx, exchangeKey{}, x)
}

// done gives the slot back, if held.
func (x *exchange) done() {
	if x.release != nil {
		x.release()
	}
}

// stubAnswer is what go-openai decodes in place of a 2xx body, which
// papersift decodes itself (both encodings, in one pass).
var stubAnswer = []byte(`{"object":"list","data":[]}`)

// doer is the HTTP client go-openai uses. The request is already built
// when it waits for a slot, so a freed slot is used at once; the answer is
// kept for the caller; requests are logged with secrets redacted.
type doer struct {
	hc     *http.Client
	logf   func(string, ...any)
	redact func(string) string
}

func (d *doer) Do(req *http.Request) (*http.Response, error) {
	x, _ := req.Context().Value(exchangeKey{}).(*exchange)
	if x == nil {
		x = &exchange{}
	}
	if x.slots != nil {
		release, err := x.slots.acquire(x.stop)
		if err != nil {
			return nil, errStopped
		}
		x.release = release
		if x.admit != nil {
			if err := x.admit(); err != nil {
				release()
				return nil, err
			}
		}
	}
	parent := req.Context()
	if x.timeout > 0 {
		ctx, cancel := context.WithTimeout(parent, x.timeout)
		defer cancel()
		req = req.WithContext(ctx)
	}
	timedOut := func() bool {
		return errors.Is(req.Context().Err(), context.DeadlineExceeded) && parent.Err() == nil
	}
	start := time.Now()
	if d.logf != nil {
		d.logf("http: %s %s %s", req.Method, d.redact(req.URL.Redacted()), d.headers(req.Header))
	}
	x.sent = true
	resp, err := d.hc.Do(req)
	if err != nil {
		x.timedOut = timedOut()
		if d.logf != nil {
			d.logf("http: %s failed after %v: %s", req.URL.Path, time.Since(start).Round(time.Millisecond), d.redact(err.Error()))
		}
		return nil, err
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	resp.Body.Close()
	ok := resp.StatusCode >= 200 && resp.StatusCode < 300
	if ok {
		x.done() // decoding need not hold the slot
	}
	if err == nil && len(body) > maxAnswer {
		err = fmt.Errorf("answer larger than %d MiB", maxAnswer>>20)
	}
	if err != nil {
		x.timedOut = timedOut()
		if d.logf != nil {
			d.logf("http: %d %s: reading the answer failed after %v: %s", resp.StatusCode, req.URL.Path, time.Since(start).Round(time.Millisecond), d.redact(err.Error()))
		}
		return nil, err
	}
	x.status, x.header, x.body = resp.StatusCode, resp.Header, body
	if ok {
		body = stubAnswer
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if d.logf != nil {
		line := fmt.Sprintf("http: %s %s in %v, %d bytes", resp.Status, req.URL.Path, time.Since(start).Round(time.Millisecond), len(x.body))
		if rl := d.headers(rateHeaders(resp.Header)); rl != "" {
			line += " " + rl
		}
		if resp.StatusCode >= 400 {
			line += ": " + tidy(d.redact(string(x.body)), 300)
		}
		d.logf("%s", line)
	}
	return resp, nil
}

// headers formats headers for the log, secrets redacted, in name order.
func (d *doer) headers(h http.Header) string {
	names := make([]string, 0, len(h))
	for n := range h {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		v := strings.Join(h[n], ", ")
		switch strings.ToLower(n) {
		case "authorization", "proxy-authorization", "api-key", "x-api-key", "cookie", "openai-organization", "openai-project":
			v = "[redacted]"
		default:
			v = d.redact(v)
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s=%q", n, v)
	}
	return b.String()
}

// rateHeaders picks the rate-limit headers of an answer.
func rateHeaders(h http.Header) http.Header {
	out := http.Header{}
	for n, v := range h {
		l := strings.ToLower(n)
		if strings.HasPrefix(l, "x-ratelimit-") || strings.HasPrefix(l, "retry-after") {
			out[n] = v
		}
	}
	return out
}
