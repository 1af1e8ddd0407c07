package embed

import (
	"bytes"
	"context"
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

// answer is what the transport saw of one HTTP exchange: go-openai keeps
// the headers of error answers and the body of undecodable ones to itself.
type answer struct {
	status int
	header http.Header
	body   []byte
}

type answerKey struct{}

func withAnswer(ctx context.Context, a *answer) context.Context {
	return context.WithValue(ctx, answerKey{}, a)
}

// doer is the HTTP client go-openai uses: it keeps each answer for the
// caller and logs requests with the secrets redacted.
type doer struct {
	hc     *http.Client
	logf   func(string, ...any)
	redact func(string) string
}

func (d *doer) Do(req *http.Request) (*http.Response, error) {
	start := time.Now()
	if d.logf != nil {
		d.logf("http: %s %s %s", req.Method, d.redact(req.URL.Redacted()), d.headers(req.Header))
	}
	resp, err := d.hc.Do(req)
	if err != nil {
		if d.logf != nil {
			d.logf("http: %s failed after %v: %s", req.URL.Path, time.Since(start).Round(time.Millisecond), d.redact(err.Error()))
		}
		return nil, err
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	resp.Body.Close()
	if resp.StatusCode < 300 {
		releaseSlot(req.Context()) // decoding need not hold the slot
	}
	if err == nil && len(body) > maxAnswer {
		err = fmt.Errorf("answer larger than %d MiB", maxAnswer>>20)
	}
	if err != nil {
		if d.logf != nil {
			d.logf("http: %d %s: reading the answer failed after %v: %s", resp.StatusCode, req.URL.Path, time.Since(start).Round(time.Millisecond), d.redact(err.Error()))
		}
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if a, ok := req.Context().Value(answerKey{}).(*answer); ok {
		a.status, a.header, a.body = resp.StatusCode, resp.Header, body
	}
	if d.logf != nil {
		line := fmt.Sprintf("http: %s %s in %v, %d bytes", resp.Status, req.URL.Path, time.Since(start).Round(time.Millisecond), len(body))
		if rl := d.headers(rateHeaders(resp.Header)); rl != "" {
			line += " " + rl
		}
		if resp.StatusCode >= 400 {
			line += ": " + tidy(d.redact(string(body)), 300)
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
