package embed

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/papersift/papersift/internal/embedtest"
)

// testClient is a client for srv with fast retries.
func testClient(t *testing.T, srv *embedtest.Server, cfg OpenAIConfig) *OpenAI {
	t.Helper()
	cfg.BaseURL = srv.BaseURL()
	if cfg.Model == "" {
		cfg.Model = "test-embed"
	}
	if cfg.MinBackoff == 0 {
		cfg.MinBackoff = time.Millisecond
	}
	if cfg.MaxBackoff == 0 {
		cfg.MaxBackoff = 10 * time.Millisecond
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 5 * time.Second
	}
	c, err := NewOpenAI(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func texts(n int, prefix string) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s paper %03d: a study of sparse attention in transformers, number %d.", prefix, i, i)
	}
	return out
}

// collect runs c over ts and gathers what done was given.
type collected struct {
	mu       sync.Mutex
	vecs     map[int][]float32
	times    map[int]int // how often each text was delivered
	rejected map[int]*InputError
	trunc    map[int]bool
	batches  int
}

func runAll(ctx context.Context, c *OpenAI, ts []string) (*collected, error) {
	got := &collected{vecs: map[int][]float32{}, times: map[int]int{}, rejected: map[int]*InputError{}, trunc: map[int]bool{}}
	err := c.Run(ctx, ts, func(b Batch) error {
		got.mu.Lock()
		defer got.mu.Unlock()
		got.batches++
		if len(b.Index) != len(b.Vecs) {
			return fmt.Errorf("batch with %d indexes and %d vectors", len(b.Index), len(b.Vecs))
		}
		for k, i := range b.Index {
			got.vecs[i] = b.Vecs[k]
			got.times[i]++
		}
		for _, r := range b.Rejected {
			got.rejected[r.Index] = r.Err
			got.times[r.Index]++
		}
		for _, i := range b.Truncated {
			got.trunc[i] = true
		}
		return nil
	})
	return got, err
}

// checkVectors asserts each text in want got exactly its correct vector once.
func checkVectors(t *testing.T, got *collected, ts []string, want []int, dim int) {
	t.Helper()
	for _, i := range want {
		if got.times[i] != 1 {
			t.Errorf("text %d delivered %d times, want once", i, got.times[i])
		}
		v := got.vecs[i]
		exp := embedtest.Normalised(ts[i], dim)
		if len(v) != dim {
			t.Errorf("text %d: vector of %d dimensions, want %d", i, len(v), dim)
			continue
		}
		for k := range v {
			if math.Abs(float64(v[k]-exp[k])) > 1e-6 {
				t.Errorf("text %d: wrong vector (component %d is %v, want %v)", i, k, v[k], exp[k])
				break
			}
		}
	}
}

func hash(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

func seq(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// TestOpenAIFaults: 20% of batches fail with 500, some are rate-limited
// with Retry-After, some are slower than the timeout, some connections are
// reset, and every answer comes shuffled. Every text ends with exactly one correct vector, and is
// sent exactly once more than the number of failed requests it was in.
func TestOpenAIFaults(t *testing.T) {
	srv := embedtest.New()
	defer srv.Close()
	srv.Seed = 3
	var mu sync.Mutex
	tries := map[string]int{} // tries per batch, keyed by its first text
	srv.Fault = func(r embedtest.Request) embedtest.Fault {
		mu.Lock()
		key := r.Input[0]
		try := tries[key]
		tries[key]++
		mu.Unlock()
		h := hash(key) % 100
		switch {
		case try == 0 && h < 20:
			return embedtest.Fault{Status: 500, Message: "internal error"}
		case try == 1 && h < 5: // some fail twice
			return embedtest.Fault{Status: 503, Message: "overloaded"}
		case try == 0 && h < 24:
			return embedtest.Fault{Status: 429, Message: "Rate limit reached", Header: http.Header{"Retry-After": {"1"}}}
		case try == 0 && h < 28:
			return embedtest.Fault{Status: 429, Message: "Rate limit reached", Header: http.Header{"X-Ratelimit-Reset-Requests": {"20ms"}, "X-Ratelimit-Remaining-Requests": {"0"}}}
		case try == 0 && h < 33:
			return embedtest.Fault{Delay: time.Minute} // the client gives up first
		case try == 0 && h < 37:
			return embedtest.Fault{Drop: true} // connection reset
		}
		return embedtest.Fault{}
	}
	ts := texts(300, "faults")
	var retries int
	var rmu sync.Mutex
	c := testClient(t, srv, OpenAIConfig{BatchSize: 7, Concurrency: 4, Timeout: 3 * time.Second, OnRetry: func(RetryEvent) {
		rmu.Lock()
		retries++
		rmu.Unlock()
	}})
	got, err := runAll(context.Background(), c, ts)
	if err != nil {
		t.Fatal(err)
	}
	checkVectors(t, got, ts, seq(len(ts)), srv.Dim)
	faults := 0
	for _, s := range ts {
		if srv.Sent(s) != srv.Faulted(s)+1 {
			t.Errorf("%q sent %d times, failed %d times: want sends = failures + 1", s, srv.Sent(s), srv.Faulted(s))
		}
		faults += srv.Faulted(s)
	}
	if faults == 0 {
		t.Fatal("the server failed no request: the test tests nothing")
	}
	if early := srv.Early(); len(early) > 0 {
		t.Errorf("%d texts were sent again before their Retry-After, e.g. %q", len(early), early[0])
	}
	st := c.Stats()
	if st.Retries != retries || st.Retries == 0 {
		t.Errorf("stats count %d retries, OnRetry saw %d", st.Retries, retries)
	}
	if st.Requests != len(srv.Requests()) {
		t.Errorf("stats count %d requests, the server saw %d", st.Requests, len(srv.Requests()))
	}
}

// TestOpenAIRejectsOneInput: a 400 on one text is bisected to that text,
// which is reported; every other text is embedded.
func TestOpenAIRejectsOneInput(t *testing.T) {
	srv := embedtest.New()
	defer srv.Close()
	ts := texts(40, "reject")
	bad := 21
	ts[bad] = "POISON " + ts[bad]
	srv.Fault = func(r embedtest.Request) embedtest.Fault {
		for _, s := range r.Input {
			if strings.Contains(s, "POISON") {
				return embedtest.Fault{Status: 400, Message: "'$.input' contains an invalid value"}
			}
		}
		return embedtest.Fault{}
	}
	c := testClient(t, srv, OpenAIConfig{BatchSize: 8, Concurrency: 2})
	got, err := runAll(context.Background(), c, ts)
	if err != nil {
		t.Fatal(err)
	}
	var others []int
	for i := range ts {
		if i != bad {
			others = append(others, i)
		}
	}
	checkVectors(t, got, ts, others, srv.Dim)
	ie := got.rejected[bad]
	if ie == nil || ie.Status != 400 || !strings.Contains(ie.Error(), "invalid value") {
		t.Fatalf("text %d: rejection %v, want the 400 with the server's message", bad, ie)
	}
	if len(got.rejected) != 1 {
		t.Errorf("%d texts rejected, want 1", len(got.rejected))
	}
	// bisecting a batch of 8: 1 + 2*log2(8) requests touch the bad text's batch
	if n := srv.Sent(ts[bad]); n != 4 {
		t.Errorf("the bad text was sent %d times, want 4 (8 -> 4 -> 2 -> 1)", n)
	}
	if n := srv.Sent(ts[0]); n != 1 {
		t.Errorf("a text of another batch was sent %d times, want 1", n)
	}
}

// TestOpenAIInvalidAnswers: each kind of broken answer is a clear error
// and nothing of it is delivered.
func TestOpenAIInvalidAnswers(t *testing.T) {
	cases := []struct {
		name  string
		fault embedtest.Fault
		cfg   OpenAIConfig
		want  []string // in the error
		is    error
	}{
		{"wrong count", embedtest.Fault{WrongCount: true}, OpenAIConfig{}, []string{"was sent 4 text(s) and answered 3 vector(s)"}, ErrBadResponse},
		{"wrong dimensions for the model", embedtest.Fault{WrongDim: 12}, OpenAIConfig{Dim: 16}, []string{"12-dimensional", "have 16"}, ErrDimensionMismatch},
		{"dimensions ignored", embedtest.Fault{}, OpenAIConfig{Dimensions: 8}, []string{"asked", "8 dimensions and got 16", "drop --dimensions"}, ErrDimensionMismatch},
		{"duplicate index", embedtest.Fault{DupIndex: true}, OpenAIConfig{}, []string{"two vectors for input 0"}, ErrBadResponse},
		{"HTML instead of JSON", embedtest.Fault{Body: "<!DOCTYPE html><html><body>Welcome</body></html>", HTML: true}, OpenAIConfig{}, []string{"HTML page instead of JSON", "--base-url"}, ErrBadResponse},
		{"401", embedtest.Fault{Status: 401, Message: "Incorrect API key provided"}, OpenAIConfig{APIKey: "k"}, []string{"401", "check OPENAI_API_KEY"}, nil},
		{"401 without a key", embedtest.Fault{Status: 401, Message: "missing key"}, OpenAIConfig{}, []string{"OPENAI_API_KEY is not set"}, nil},
		{"403", embedtest.Fault{Status: 403, Message: "forbidden"}, OpenAIConfig{APIKey: "k"}, []string{"403", "check OPENAI_API_KEY"}, nil},
		{"404", embedtest.Fault{Status: 404, Message: "model 'test-embed' not found, try pulling it first"}, OpenAIConfig{}, []string{"404", `model "test-embed"`, "/v1", "check --model"}, nil},
		{"quota", embedtest.Fault{Status: 429, Code: "insufficient_quota", Message: "You exceeded your current quota"}, OpenAIConfig{}, []string{"no quota left"}, nil},
		{"500 every time", embedtest.Fault{Status: 500, Message: "boom"}, OpenAIConfig{MaxTries: 3}, []string{"failed (after 3 tries)", "boom"}, nil},
		{"too long to wait", embedtest.Fault{Status: 429, Message: "slow down", Header: http.Header{"Retry-After": {"3600"}}}, OpenAIConfig{}, []string{"asks to wait 1h0m0s"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := embedtest.New()
			defer srv.Close()
			srv.Fault = func(embedtest.Request) embedtest.Fault { return tc.fault }
			c := testClient(t, srv, tc.cfg)
			got, err := runAll(context.Background(), c, texts(4, "bad"))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %q is not %v", err, tc.is)
			}
			if len(got.vecs) != 0 || len(got.rejected) != 0 {
				t.Errorf("delivered %d vectors and %d rejections from a broken answer", len(got.vecs), len(got.rejected))
			}
			var se *StatusError
			if errors.As(err, &se) && se.Status < 500 && se.Status != 429 && se.Tries > 1 {
				t.Errorf("a %d was tried %d times: it is not worth retrying", se.Status, se.Tries)
			}
		})
	}
}

// TestOpenAINaN: a NaN vector discards its answer; the text is isolated
// and reported, the others asked again and embedded.
func TestOpenAINaN(t *testing.T) {
	srv := embedtest.New()
	defer srv.Close()
	ts := texts(6, "nan")
	srv.Fault = func(r embedtest.Request) embedtest.Fault {
		for k, s := range r.Input {
			if s == ts[2] {
				return embedtest.Fault{NaNAt: []int{k}}
			}
		}
		return embedtest.Fault{}
	}
	c := testClient(t, srv, OpenAIConfig{BatchSize: 6})
	got, err := runAll(context.Background(), c, ts)
	if err != nil {
		t.Fatal(err)
	}
	checkVectors(t, got, ts, []int{0, 1, 3, 4, 5}, srv.Dim)
	if ie := got.rejected[2]; ie == nil || !strings.Contains(ie.Error(), "NaN") {
		t.Fatalf("text 2: rejection %v, want a NaN vector", ie)
	}
	if n := srv.Sent(ts[0]); n != 2 {
		t.Errorf("a good text of the flawed answer was sent %d times, want 2 (nothing of a flawed answer is kept)", n)
	}
}

// TestOpenAIEncodings: base64 and float answers are both read; a server
// that ignores encoding_format costs no extra request, one that refuses
// base64 costs one.
func TestOpenAIEncodings(t *testing.T) {
	cases := []struct {
		name      string
		encoding  string
		ignore    bool
		refuse    bool
		requests  int
		wantAsked []string
	}{
		{"base64", EncodingAuto, false, false, 1, []string{"base64"}},
		{"float asked", EncodingFloat, false, false, 1, []string{"float"}},
		{"encoding ignored", EncodingAuto, true, false, 1, []string{"base64"}},
		{"base64 refused", EncodingAuto, false, true, 2, []string{"base64", "float"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := embedtest.New()
			defer srv.Close()
			srv.IgnoreEncoding = tc.ignore
			if tc.refuse {
				srv.Fault = func(r embedtest.Request) embedtest.Fault {
					if r.EncodingFormat == "base64" {
						return embedtest.Fault{Status: 400, Message: "base64 encoding is not currently supported"}
					}
					return embedtest.Fault{}
				}
			}
			c := testClient(t, srv, OpenAIConfig{Encoding: tc.encoding})
			ts := texts(5, "enc")
			got, err := runAll(context.Background(), c, ts)
			if err != nil {
				t.Fatal(err)
			}
			checkVectors(t, got, ts, seq(5), srv.Dim)
			reqs := srv.Requests()
			var asked []string
			for _, r := range reqs {
				asked = append(asked, r.EncodingFormat)
			}
			if len(reqs) != tc.requests || !slices.Equal(asked, tc.wantAsked) {
				t.Errorf("requests asked for %v, want %v", asked, tc.wantAsked)
			}
		})
	}
}

// TestOpenAIBatching: batches respect the count and the token budget; a
// text over the input limit is cut and reported; a 413 lowers the batch size.
func TestOpenAIBatching(t *testing.T) {
	t.Run("count and tokens", func(t *testing.T) {
		srv := embedtest.New()
		defer srv.Close()
		ts := texts(20, "batch") // about 25 estimated tokens each
		c := testClient(t, srv, OpenAIConfig{BatchSize: 8, BatchTokens: 80, Concurrency: 1})
		if _, err := runAll(context.Background(), c, ts); err != nil {
			t.Fatal(err)
		}
		for _, r := range srv.Requests() {
			tok := 0
			for _, s := range r.Input {
				tok += estimateTokens(s)
			}
			if len(r.Input) > 8 || (len(r.Input) > 1 && tok > 80) {
				t.Errorf("a request of %d texts and %d estimated tokens", len(r.Input), tok)
			}
		}
	})
	t.Run("truncation", func(t *testing.T) {
		srv := embedtest.New()
		defer srv.Close()
		long := strings.Repeat("attention is all you need ", 100)
		ts := []string{"short text", long}
		c := testClient(t, srv, OpenAIConfig{MaxInputTokens: 100})
		got, err := runAll(context.Background(), c, ts)
		if err != nil {
			t.Fatal(err)
		}
		if !got.trunc[1] || got.trunc[0] {
			t.Errorf("truncated %v, want only text 1", got.trunc)
		}
		sent := srv.Requests()[0].Input[1]
		if len(sent) > 300 || !strings.HasPrefix(long, sent) {
			t.Errorf("sent %d bytes of the long text, want a prefix of at most 300", len(sent))
		}
		if len(got.vecs) != 2 {
			t.Errorf("%d vectors, want 2", len(got.vecs))
		}
	})
	for _, status := range []int{413, 422} {
		t.Run(fmt.Sprintf("%d lowers the batch size", status), func(t *testing.T) {
			testBatchTooLarge(t, status)
		})
	}
	t.Run("too long is shortened", func(t *testing.T) {
		srv := embedtest.New()
		defer srv.Close()
		srv.Fault = func(r embedtest.Request) embedtest.Fault {
			for _, s := range r.Input {
				if len(s) > 300 {
					return embedtest.Fault{Status: 500, Message: "input (812 tokens) is too large to process. increase the physical batch size"}
				}
			}
			return embedtest.Fault{}
		}
		ts := append(texts(3, "llama"), strings.Repeat("long abstract words ", 50))
		c := testClient(t, srv, OpenAIConfig{BatchSize: 4})
		got, err := runAll(context.Background(), c, ts)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.vecs) != 4 || !got.trunc[3] {
			t.Errorf("%d vectors, truncated %v: want 4 vectors and text 3 shortened", len(got.vecs), got.trunc)
		}
	})
	t.Run("every text refused fails fast", func(t *testing.T) {
		srv := embedtest.New()
		defer srv.Close()
		srv.Fault = func(embedtest.Request) embedtest.Fault {
			return embedtest.Fault{Status: 400, Message: "unsupported parameter"}
		}
		c := testClient(t, srv, OpenAIConfig{BatchSize: 4, Concurrency: 1})
		_, err := runAll(context.Background(), c, texts(64, "all"))
		if err == nil || !strings.Contains(err.Error(), "request itself") {
			t.Fatalf("error %v, want the request blamed", err)
		}
		if n := len(srv.Requests()); n > 10 {
			t.Errorf("%d requests before giving up, want a handful", n)
		}
	})
	t.Run("empty text", func(t *testing.T) {
		srv := embedtest.New()
		defer srv.Close()
		c := testClient(t, srv, OpenAIConfig{})
		got, err := runAll(context.Background(), c, []string{"a text", "  "})
		if err != nil {
			t.Fatal(err)
		}
		if got.rejected[1] == nil || len(got.vecs) != 1 {
			t.Errorf("rejected %v, %d vectors: want the empty text rejected, the other embedded", got.rejected, len(got.vecs))
		}
		for _, r := range srv.Requests() {
			if slices.Contains(r.Input, "  ") {
				t.Error("the empty text was sent")
			}
		}
	})
}

// TestOpenAICancel: cancelling stops at a batch boundary: batches in
// flight finish and are delivered, nothing new is sent, and Run returns
// the context's error.
func TestOpenAICancel(t *testing.T) {
	srv := embedtest.New()
	defer srv.Close()
	srv.Latency = 30 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv.Fault = func(r embedtest.Request) embedtest.Fault {
		if r.N == 5 {
			cancel()
		}
		return embedtest.Fault{}
	}
	ts := texts(100, "cancel")
	c := testClient(t, srv, OpenAIConfig{BatchSize: 4, Concurrency: 2})
	got, err := runAll(ctx, c, ts)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	reqs := srv.Requests()
	if len(reqs) >= 25 {
		t.Fatalf("%d requests: the run did not stop", len(reqs))
	}
	// every text the server answered was delivered, and only those
	answered := 0
	for i, s := range ts {
		if srv.Answered(s) > 0 {
			answered++
			if got.times[i] != 1 {
				t.Errorf("text %d was answered but delivered %d times", i, got.times[i])
			}
		} else if got.times[i] != 0 {
			t.Errorf("text %d delivered without an answer", i)
		}
	}
	if answered < 4*6 {
		t.Errorf("%d texts answered: the batches in flight at the cancel should finish", answered)
	}
}

// TestOpenAIRedaction: the key appears in no error or log line, even when
// the server echoes it.
func TestOpenAIRedaction(t *testing.T) {
	const key = "sk-test-0123456789abcdefSECRET"
	srv := embedtest.New()
	defer srv.Close()
	srv.Fault = func(r embedtest.Request) embedtest.Fault {
		if r.N == 0 {
			return embedtest.Fault{Status: 500, Body: "upstream said: " + r.Auth}
		}
		return embedtest.Fault{Status: 401, Message: "Incorrect API key provided: " + strings.TrimPrefix(r.Auth, "Bearer ")}
	}
	var logs strings.Builder
	var mu sync.Mutex
	c := testClient(t, srv, OpenAIConfig{APIKey: key, Logf: func(f string, a ...any) {
		mu.Lock()
		fmt.Fprintf(&logs, f+"\n", a...)
		mu.Unlock()
	}})
	_, err := runAll(context.Background(), c, texts(2, "key"))
	if err == nil {
		t.Fatal("no error")
	}
	if srv.Requests()[0].Auth != "Bearer "+key {
		t.Fatalf("the key was not sent as a bearer token")
	}
	for what, s := range map[string]string{"error": err.Error(), "log": logs.String()} {
		if strings.Contains(s, key) || strings.Contains(s, "0123456789abcdef") {
			t.Errorf("the key is in the %s: %s", what, s)
		}
	}
	if !strings.Contains(logs.String(), "Authorization=\"[redacted]\"") {
		t.Errorf("the log does not show the redacted Authorization header:\n%s", logs.String())
	}
}

func TestWaitHint(t *testing.T) {
	now := time.Date(2025, 5, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		h    http.Header
		want time.Duration
	}{
		{"none", http.Header{}, 0},
		{"seconds", http.Header{"Retry-After": {"7"}}, 7 * time.Second},
		{"http date", http.Header{"Retry-After": {now.Add(90 * time.Second).Format(http.TimeFormat)}}, 90 * time.Second},
		{"date in the past", http.Header{"Retry-After": {now.Add(-time.Minute).Format(http.TimeFormat)}}, 0},
		{"milliseconds win", http.Header{"Retry-After": {"2"}, "Retry-After-Ms": {"1500"}}, 1500 * time.Millisecond},
		{"reset durations", http.Header{"X-Ratelimit-Reset-Requests": {"1s"}, "X-Ratelimit-Reset-Tokens": {"6m0s"}}, 6 * time.Minute},
		{"exhausted limit wins", http.Header{"X-Ratelimit-Reset-Requests": {"20ms"}, "X-Ratelimit-Remaining-Requests": {"0"}, "X-Ratelimit-Reset-Tokens": {"6m0s"}, "X-Ratelimit-Remaining-Tokens": {"900"}}, 20 * time.Millisecond},
		{"reset seconds", http.Header{"X-Ratelimit-Reset-Tokens": {"2.5"}}, 2500 * time.Millisecond},
		{"reset unix time", http.Header{"X-Ratelimit-Reset-Requests": {fmt.Sprint(now.Add(30 * time.Second).Unix())}}, 30 * time.Second},
		{"garbage", http.Header{"Retry-After": {"soon"}}, 0},
	}
	for _, tc := range cases {
		if got := waitHint(tc.h, now); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestOpenAIIdentity(t *testing.T) {
	cases := []struct {
		url, model string
		dims       int
		want       string
	}{
		{"", "text-embedding-3-small", 0, "text-embedding-3-small@https://api.openai.com/v1"},
		{"https://API.openai.com/v1/", "text-embedding-3-small", 256, "text-embedding-3-small@https://api.openai.com/v1?dimensions=256"},
		{"http://user:hunter2@localhost:11434/v1?key=abc", "nomic-embed-text", 0, "nomic-embed-text@http://localhost:11434/v1"},
	}
	for _, tc := range cases {
		if got := OpenAIIdentity(tc.url, tc.model, tc.dims); got != tc.want {
			t.Errorf("OpenAIIdentity(%q, %q, %d) = %q, want %q", tc.url, tc.model, tc.dims, got, tc.want)
		}
	}
	if _, err := NewOpenAI(OpenAIConfig{Model: "m", BaseURL: "localhost:8080"}); err == nil {
		t.Error("a base URL without a scheme was accepted")
	}
	if _, err := NewOpenAI(OpenAIConfig{BaseURL: "http://x/v1"}); err == nil {
		t.Error("an empty model was accepted")
	}
}

func TestCutText(t *testing.T) {
	cases := []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"one two three four five six seven eight nine ten", 45, "one two three four five six seven eight nine"},
		{"héllo", 2, "h"},
		{"abcdefghij", 4, "abcd"},
	}
	for _, tc := range cases {
		if got := cutText(tc.in, tc.n); got != tc.want {
			t.Errorf("cutText(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}

// TestOpenAIEmbed: the Embedder interface in order, with Dim and Model.
func TestOpenAIEmbed(t *testing.T) {
	srv := embedtest.New()
	defer srv.Close()
	srv.Dim = 24
	c := testClient(t, srv, OpenAIConfig{BatchSize: 2})
	var e Embedder = c
	ts := texts(5, "embed")
	vs, err := e.Embed(context.Background(), ts)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range vs {
		want := embedtest.Normalised(ts[i], 24)
		if math.Abs(float64(v[0]-want[0])) > 1e-6 {
			t.Errorf("vector %d out of order", i)
		}
	}
	if e.Dim() != 24 || !strings.HasPrefix(e.Model(), "test-embed@http://127.0.0.1") {
		t.Errorf("Dim %d, Model %q", e.Dim(), e.Model())
	}
}

// testBatchTooLarge: a server with a batch limit of 4 refusing more with
// status: after the first refusal, batches stay within the limit.
func testBatchTooLarge(t *testing.T, status int) {
	srv := embedtest.New()
	defer srv.Close()
	srv.Fault = func(r embedtest.Request) embedtest.Fault {
		if len(r.Input) > 4 {
			return embedtest.Fault{Status: status, Message: fmt.Sprintf("batch size %d > maximum allowed batch size 4", len(r.Input))}
		}
		return embedtest.Fault{}
	}

	ts := texts(40, "tei")
	c := testClient(t, srv, OpenAIConfig{BatchSize: 8, Concurrency: 1})
	got, err := runAll(context.Background(), c, ts)
	if err != nil {
		t.Fatal(err)
	}
	checkVectors(t, got, ts, seq(40), srv.Dim)
	refused := 0
	for _, r := range srv.Requests() {
		if len(r.Input) > 4 {
			refused++
		}
	}
	if refused != 1 {
		t.Errorf("%d requests refused as too large, want 1 (the batch size should drop after the first)", refused)
	}
}

// TestDecode: the fast reader and encoding/json agree; what the fast one
// does not take, the slow one reads.
func TestDecode(t *testing.T) {
	v1 := "AACAPwAAAEAAAEBA" // 1, 2, 3 as little-endian float32
	v2 := "AACAQAAAoEAAAMBA" // 4, 5, 6
	cases := []struct {
		name string
		body string
		fast bool // the fast reader takes it
		want [][]float32
		bad  bool // no reader takes it
	}{
		{"base64", `{"object":"list","data":[{"object":"embedding","index":0,"embedding":"` + v1 + `"},{"object":"embedding","index":1,"embedding":"` + v2 + `"}],"model":"m","usage":{"prompt_tokens":3,"total_tokens":3}}`, true, [][]float32{{1, 2, 3}, {4, 5, 6}}, false},
		{"keys reordered, spaces", "{ \"usage\" : {\"a\": [1, {\"b\": null}]},\n \"data\" : [ { \"embedding\" : \"" + v2 + "\" , \"index\" : 1 } , {\"index\":0,\"embedding\":\"" + v1 + "\"} ] }\n", true, [][]float32{{1, 2, 3}, {4, 5, 6}}, false},
		{"escapes elsewhere", `{"model":"a\"b\\c","data":[{"index":0,"embedding":"` + v1 + `","note":"x\u00e9\"y"}]}`, true, [][]float32{{1, 2, 3}}, false},
		{"floats", `{"data":[{"index":0,"embedding":[1,2,3]},{"index":1,"embedding":[4.0,5e0,6]}]}`, false, [][]float32{{1, 2, 3}, {4, 5, 6}}, false},
		{"escape in base64", `{"data":[{"index":0,"embedding":"\u0041ACAPwAAAEAAAEBA"}]}`, false, [][]float32{{1, 2, 3}}, false},
		{"bad base64", `{"data":[{"index":0,"embedding":"AACAPwAAAEAAAEB"}]}`, false, nil, true},
		{"trailing garbage", `{"data":[{"index":0,"embedding":"` + v1 + `"}]} x`, false, nil, true},
		{"no index", `{"data":[{"embedding":"` + v1 + `"}]}`, false, nil, true},
		{"index not whole", `{"data":[{"index":0.5,"embedding":"` + v1 + `"}]}`, false, nil, true},
		{"index whole as a float", `{"data":[{"index":0.0,"embedding":"` + v1 + `"},{"index":1e0,"embedding":"` + v2 + `"}]}`, false, [][]float32{{1, 2, 3}, {4, 5, 6}}, false},
		{"html", `<html>oops</html>`, false, nil, true},
	}
	c := &OpenAI{endpoint: "http://x/v1", red: newRedactor("", "http://x/v1")}
	for _, tc := range cases {
		out, ok := fastDecode([]byte(tc.body))
		if ok != tc.fast {
			t.Errorf("%s: fast reader took it: %v, want %v", tc.name, ok, tc.fast)
		}
		got, err := c.decode(&exchange{body: []byte(tc.body), header: http.Header{}})
		if (err != nil) != tc.bad {
			t.Errorf("%s: error %v, want error: %v", tc.name, err, tc.bad)
			continue
		}
		if tc.bad {
			continue
		}
		if ok && len(out) != len(got) {
			t.Errorf("%s: the readers disagree", tc.name)
		}
		for _, e := range got {
			if !slices.Equal(e.Embedding, tc.want[e.Index]) {
				t.Errorf("%s: vector %d is %v, want %v", tc.name, e.Index, e.Embedding, tc.want[e.Index])
			}
		}
	}
}

// FuzzFastDecode: on valid JSON the fast reader never disagrees with
// encoding/json.
func FuzzFastDecode(f *testing.F) {
	f.Add(`{"data":[{"index":0,"embedding":"AACAPwAAAEAAAEBA"}]}`)
	f.Add(`{"data":[{"embedding":"AACAPwAAAEAAAEBA","index":1,"x":[{"y":"\""}]}],"usage":{}}`)
	f.Add(`{"data":[]}`)
	f.Fuzz(func(t *testing.T, body string) {
		out, ok := fastDecode([]byte(body))
		if !ok || !json.Valid([]byte(body)) {
			return
		}
		var raw struct {
			Data []struct {
				Index     int    `json:"index"`
				Embedding string `json:"embedding"`
			} `json:"data"`
		}
		if err := json.Unmarshal([]byte(body), &raw); err != nil {
			return // e.g. duplicate keys of other types
		}
		if len(raw.Data) != len(out) {
			t.Fatalf("fast read %d vectors, encoding/json %d", len(out), len(raw.Data))
		}
		for i, d := range raw.Data {
			v, err := decodeBase64([]byte(d.Embedding))
			if err != nil || d.Index != out[i].Index || !slices.Equal(v, out[i].Embedding) {
				t.Fatalf("vector %d differs", i)
			}
		}
	})
}
