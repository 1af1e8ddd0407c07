package embed

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// The bound on an answer's size: what the vectors asked for can take, as
// JSON numbers or base64, with room to spare.
const (
	// answerDims is the dimension assumed before the first answer when
	// none is configured: more than any embedding model has.
	answerDims = 16384
	// bytesPerDim is the most bytes one dimension takes: a float64 as
	// JSON text ("-1.2345678901234567e-05,", 24 bytes) with indentation;
	// base64 takes 5.33.
	bytesPerDim = 48
	// bytesPerVector is room for each item's other fields.
	bytesPerVector = 1 << 10
	// answerSlack is room for the answer's other fields.
	answerSlack = 1 << 20
)

// answerLimit is the most bytes an answer to texts texts of dim
// dimensions can legitimately take.
func answerLimit(texts, dim int) int64 {
	return int64(texts)*(int64(dim)*bytesPerDim+bytesPerVector) + answerSlack
}

// errTooLarge is an answer larger than its request's vectors can take.
type errTooLarge struct {
	size     int64 // the limit, which the answer passed; or the size it announced
	read     bool  // the answer passed size as it was read (else its Content-Length said so)
	texts    int
	dim      int
	dimKnown bool
}

func (e *errTooLarge) Error() string {
	passed := "passed"
	if !e.read {
		passed = "announces"
	}
	upTo := ""
	if !e.dimKnown {
		upTo = "up to "
	}
	return fmt.Sprintf("the answer to a request of %d %s %s %s bytes, more than %d vectors of %s%d dimensions can take",
		e.texts, plural(e.texts, "text", "texts"), passed, thousands(e.size), e.texts, upTo, e.dim)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// thousands writes n with commas between groups of three digits: exact,
// and readable.
func thousands(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// exchange is one try of a request, shared between the caller and the
// transport (go-openai keeps the headers of error answers, and the bodies
// of all answers, to itself).
type exchange struct {
	// set by the caller
	slots   slots           // bound on requests in flight
	stop    context.Context // waiting for a slot ends when it is done
	timeout time.Duration   // bounds the try, from when the slot is held
	admit   func() error    // checked once the slot is held; an error sends nothing
	texts   int             // texts in the request
	dim     func() int      // the dimension of their vectors, 0 if not known yet
	// set by the transport
	release  func() // gives the slot back (idempotent)
	sent     bool
	timedOut bool
	url      *url.URL // the request's, for a redirect's Location
	status   int
	header   http.Header
	body     []byte
}

// bound is the most bytes the answer can legitimately take, and the
// dimension that assumes (answerDims if none is known).
func (x *exchange) bound() (limit int64, dim int, known bool) {
	if x.dim != nil {
		dim = x.dim() // known by now, if another answer came first
	}
	known = dim > 0
	dim = cmp.Or(dim, answerDims)
	return answerLimit(max(x.texts, 1), dim), dim, known
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
// when it waits for a slot, so a freed slot is used at once; the base
// URL's query is added to it; the answer is kept for the caller, read up
// to what its vectors can take; requests are logged with secrets redacted.
type doer struct {
	hc    *http.Client // follows no redirect
	query string       // the base URL's raw query
	logf  func(string, ...any)
	red   *redactor
}

// log logs a line, secrets redacted.
func (d *doer) log(format string, args ...any) {
	d.logf("%s", d.red.redact(fmt.Sprintf(format, args...)))
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
	ctx := parent
	if x.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(parent, x.timeout)
		defer cancel()
	}
	req = req.WithContext(ctx)
	if d.query != "" {
		u := *req.URL
		u.RawQuery = d.query
		if req.URL.RawQuery != "" {
			u.RawQuery += "&" + req.URL.RawQuery
		}
		req.URL = &u
	}
	x.url = req.URL
	timedOut := func() bool {
		return errors.Is(req.Context().Err(), context.DeadlineExceeded) && parent.Err() == nil
	}
	start := time.Now()
	if d.logf != nil {
		d.log("http: %s %s %s", req.Method, redactedURL(req.URL), d.headers(req.Header))
	}
	x.sent = true
	resp, err := d.hc.Do(req)
	if err != nil {
		x.timedOut = timedOut()
		if d.logf != nil {
			d.log("http: %s failed after %v: %s", req.URL.Path, time.Since(start).Round(time.Millisecond), err)
		}
		return nil, err
	}
	ok := resp.StatusCode >= 200 && resp.StatusCode < 300
	// An answer is read up to what its vectors can take: an endpoint that
	// sends on is stopped there. An error answer is only cut there.
	limit, dim, known := x.bound()
	tooLarge := func(size int64, read bool) error {
		return &errTooLarge{size: size, read: read, texts: max(x.texts, 1), dim: dim, dimKnown: known}
	}
	var body []byte
	cut := false
	if ok && resp.ContentLength > limit {
		err = tooLarge(resp.ContentLength, false)
	} else {
		body, err = io.ReadAll(io.LimitReader(resp.Body, limit+1))
		if int64(len(body)) > limit {
			body, cut = body[:limit], true
			if ok {
				err = tooLarge(limit, true)
			}
		}
	}
	resp.Body.Close()
	if ok {
		x.done() // decoding need not hold the slot
	}
	if err != nil {
		var tl *errTooLarge
		if !errors.As(err, &tl) {
			x.timedOut = timedOut()
		}
		if d.logf != nil {
			d.log("http: %d %s: reading the answer failed after %v: %s", resp.StatusCode, req.URL.Path, time.Since(start).Round(time.Millisecond), err)
		}
		return nil, err
	}
	x.status, x.header, x.body = resp.StatusCode, resp.Header, body
	if ok {
		body = stubAnswer
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if d.logf != nil {
		size := fmt.Sprintf("%d bytes", len(x.body))
		if cut {
			size = fmt.Sprintf("more than %d bytes (the rest unread)", len(x.body))
		}
		line := fmt.Sprintf("http: %s %s in %v, %s", resp.Status, req.URL.Path, time.Since(start).Round(time.Millisecond), size)
		if rl := d.headers(rateHeaders(resp.Header)); rl != "" {
			line += " " + rl
		}
		if loc := resp.Header.Get("Location"); loc != "" && resp.StatusCode >= 300 && resp.StatusCode < 400 {
			line += " to " + locationText(req.URL, loc)
		}
		if resp.StatusCode >= 400 {
			line += ": " + tidy(d.red.redactBytes(x.body, messageBytes), 300)
		}
		d.log("%s", line)
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
			v = d.red.redact(v)
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

// messageBytes is how much of a server's text is read for a message (of
// at most 300 runes once tidied).
const messageBytes = 2048

// locationText is a redirect's Location, resolved against the request's
// URL, with credentials and query values hidden.
func locationText(from *url.URL, loc string) string {
	if u, err := from.Parse(loc); err == nil {
		return redactedURL(u)
	}
	return redactURL(loc)
}
