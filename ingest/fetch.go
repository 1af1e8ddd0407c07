package ingest

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// DefaultMaxBytes is the largest listing Fetch reads unless told otherwise.
const DefaultMaxBytes = 50 << 20

// UserAgent is what Fetch calls itself.
const UserAgent = "papersift (+https://github.com/papersift/papersift)"

// ErrTooLarge is a listing larger than the size cap.
var ErrTooLarge = errors.New("listing larger than the size cap")

// Fetcher gets listings over HTTP(S), whole (Fetch) or as they come (Open,
// Parse). The zero value uses
// http.DefaultClient and DefaultMaxBytes. Time limits come from the
// caller's context.
type Fetcher struct {
	Client    *http.Client
	MaxBytes  int64  // the size cap: a larger body is an error, never cut short
	UserAgent string // "" is UserAgent
	// Timeout bounds each Fetch, its answer read whole (0: the caller's
	// context alone)
	Timeout time.Duration
}

// Fetched is a listing as a server gave it.
type Fetched struct {
	URL         string // the URL asked for
	ContentType string
	Data        []byte
}

// IsURL reports whether a source names an http(s) URL.
func IsURL(s string) bool {
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}

// FetchError is a request that did not give a listing.
type FetchError struct {
	URL    string
	Status int // the HTTP status, 0 when there was none
	Msg    string
	Err    error  // the cause, if any
	Body   []byte // the start of an answer other than 2xx (4 KB at most): the server's reason, untrusted
}

func (e *FetchError) Error() string { return ShownURL(e.URL) + ": " + e.Msg }

func (e *FetchError) Unwrap() error { return e.Err }

// ShownURL is a URL as messages show it: without the password of its user
// info (a source's own credentials: http://user:pass@host/...).
func ShownURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	u.User = nil
	s := u.String()
	if i := strings.Index(s, "://"); i >= 0 {
		return s[:i+3] + "[redacted]@" + s[i+3:]
	}
	return s
}

// Fetch GETs a listing whole. A status other than 2xx, a body over the
// size cap and a context that ends first are errors naming the URL.
func (f *Fetcher) Fetch(ctx context.Context, rawURL string) (*Fetched, error) {
	if f.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, f.Timeout)
		defer cancel()
	}
	b, err := f.Open(ctx, rawURL)
	if err != nil {
		return nil, err
	}
	defer b.Close()
	var data []byte
	if b.Size > 0 {
		data = make([]byte, 0, b.Size+1)
	}
	for {
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
		n, err := b.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	return &Fetched{URL: rawURL, ContentType: b.ContentType, Data: data}, nil
}

// Parse GETs a listing and parses it as it comes (ParseReader), with
// opt.Source (default the URL), opt.ContentType and opt.Size from the
// answer. The errors are Open's and ParseReader's: a body over the size
// cap is a *FetchError wrapping ErrTooLarge.
func (f *Fetcher) Parse(ctx context.Context, rawURL string, opt Options) (*Listing, error) {
	b, err := f.Open(ctx, rawURL)
	if err != nil {
		return nil, err
	}
	defer b.Close()
	if opt.Source == "" {
		opt.Source = rawURL
	}
	opt.ContentType, opt.Size = b.ContentType, b.Size
	return ParseReader(ctx, b, opt)
}

// Body is a listing's answer as it comes. Reading it gives at most the
// Fetcher's MaxBytes, counted after any decompression (a gzip bomb stops
// at the cap): past them, and for a read that fails (a timeout, a reset),
// Read's error is a *FetchError naming the URL (wrapping ErrTooLarge for
// the cap). Close it when done.
type Body struct {
	URL         string // the URL asked for
	ContentType string
	Size        int64 // the length the server announced, 0 when unknown (or compressed)

	ctx    context.Context
	status int
	r      io.Reader
	close  func() error
	left   int64 // bytes still allowed
	limit  int64
}

// Read reads the body, up to the size cap.
func (b *Body) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, b.tooLarge()
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return n + int(b.left), b.tooLarge()
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return n, fetchFailure(b.ctx, b.URL, err)
	}
	return n, err
}

func (b *Body) tooLarge() error {
	return &FetchError{URL: b.URL, Status: b.status, Err: ErrTooLarge, Msg: fmt.Sprintf("more than the %s cap", sizeString(b.limit))}
}

// Close closes the body.
func (b *Body) Close() error { return b.close() }

// Open GETs a listing and returns its body to read as it comes. A status
// other than 2xx, a body announced over the size cap and a context that
// ends first are errors naming the URL (*FetchError). A body the server
// compressed (Content-Encoding: gzip) is read decompressed, whether the
// HTTP client decompressed it or not.
func (f *Fetcher) Open(ctx context.Context, rawURL string) (*Body, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, &FetchError{URL: rawURL, Msg: "not an http(s) URL"}
	}
	client := f.Client
	if client == nil {
		client = http.DefaultClient
	}
	limit := f.MaxBytes
	if limit <= 0 {
		limit = DefaultMaxBytes
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, &FetchError{URL: rawURL, Msg: err.Error(), Err: err}
	}
	ua := f.UserAgent
	if ua == "" {
		ua = UserAgent
	}
	req.Header.Set("User-Agent", ua)
	req.Header.Set("Accept", "application/json, application/atom+xml, application/rss+xml, text/csv, application/x-ndjson, text/plain;q=0.9, */*;q=0.5")
	resp, err := client.Do(req)
	if err != nil {
		return nil, fetchFailure(ctx, rawURL, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		defer resp.Body.Close()
		msg := "the server answered " + resp.Status
		if ra := resp.Header.Get("Retry-After"); ra != "" && (resp.StatusCode == 429 || resp.StatusCode == 503) {
			msg += " (retry after " + ra + ")"
		}
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return nil, &FetchError{URL: rawURL, Status: resp.StatusCode, Msg: msg, Body: body}
	}
	b := &Body{URL: rawURL, ContentType: resp.Header.Get("Content-Type"), ctx: ctx, status: resp.StatusCode,
		r: resp.Body, close: resp.Body.Close, left: limit, limit: limit}
	gzipped := !resp.Uncompressed && strings.EqualFold(strings.TrimSpace(resp.Header.Get("Content-Encoding")), "gzip")
	if !resp.Uncompressed && !gzipped && resp.ContentLength > 0 {
		b.Size = resp.ContentLength
	}
	if b.Size > limit {
		resp.Body.Close()
		return nil, &FetchError{URL: rawURL, Status: resp.StatusCode, Err: ErrTooLarge,
			Msg: fmt.Sprintf("%s announced, over the %s cap", sizeString(b.Size), sizeString(limit))}
	}
	if gzipped {
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			resp.Body.Close()
			return nil, &FetchError{URL: rawURL, Status: resp.StatusCode, Msg: "the server said gzip, but the body is not: " + err.Error(), Err: err}
		}
		b.r = zr
	}
	return b, nil
}

func fetchFailure(ctx context.Context, rawURL string, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		msg := "interrupted"
		if errors.Is(ctxErr, context.DeadlineExceeded) {
			msg = "no complete answer in time"
		}
		return &FetchError{URL: rawURL, Msg: msg, Err: ctxErr}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return &FetchError{URL: rawURL, Msg: err.Error(), Err: err}
}

// sizeString writes a byte count for people, exactly: "50 MB" when it is
// a whole number of MB (2^20 bytes) or GB, else the bytes ("52,428,801
// bytes"), so that a size just over a limit never reads as the limit.
func sizeString(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return groupDigits(n) + " bytes"
}

// groupDigits writes n with thousands separators: 52,428,801.
func groupDigits(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
