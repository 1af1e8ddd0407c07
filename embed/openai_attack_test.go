package embed

// Endpoints that attack the client: redirects, secrets in the base URL,
// answers that never end, answers that quote part of the key.

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/papersift/papersift/internal/embedtest"
)

// TestOpenAIRedirect: a redirect is not followed, whoever made the HTTP
// client, and the caller's client is left as it was.
func TestOpenAIRedirect(t *testing.T) {
	const key = "papersift-unit-redirect-key-0a1b2c"
	own := &http.Client{}
	for name, hc := range map[string]*http.Client{"default client": nil, "caller's client": own} {
		t.Run(name, func(t *testing.T) {
			other := embedtest.New()
			defer other.Close()
			srv := embedtest.New()
			defer srv.Close()
			srv.Fault = func(embedtest.Request) embedtest.Fault {
				return embedtest.Fault{Status: http.StatusTemporaryRedirect, Body: "moved",
					Header: http.Header{"Location": {other.URL + "/v1/embeddings?token=SIGNEDSECRET99"}}}
			}
			c := testClient(t, srv, OpenAIConfig{APIKey: key, HTTPClient: hc})
			_, err := runAll(context.Background(), c, texts(3, "redirect"))
			var re *RedirectError
			if !errors.As(err, &re) {
				t.Fatalf("error %v, want a *RedirectError", err)
			}
			if n := len(other.Requests()); n > 0 {
				t.Errorf("the redirect was followed, with Authorization %q", other.Requests()[0].Auth)
			}
			if n := len(srv.Requests()); n != 1 {
				t.Errorf("%d requests, want 1: a redirect is not retried", n)
			}
			u, _ := url.Parse(other.URL)
			if re.Status != http.StatusTemporaryRedirect || !strings.Contains(re.Location, u.Host+"/v1/embeddings") || strings.Contains(err.Error(), "SIGNEDSECRET99") {
				t.Errorf("redirect error %+v: %v", re, err)
			}
			if !strings.Contains(err.Error(), "--base-url") {
				t.Errorf("the error says nothing to do: %v", err)
			}
		})
	}
	if own.CheckRedirect != nil {
		t.Error("NewOpenAI changed the caller's http.Client")
	}
}

// TestOpenAIBaseURLQuery: the base URL's query goes with each request to
// /v1/embeddings; its values are in no log line or error, nor in the
// model identity.
func TestOpenAIBaseURLQuery(t *testing.T) {
	const secret = "QUERY-SECRET-f00dfeed"
	srv := embedtest.New()
	defer srv.Close()
	srv.Fault = func(r embedtest.Request) embedtest.Fault {
		if r.N == 0 {
			return embedtest.Fault{Status: 400, Message: "bad api-key " + secret[:10] + " or version"}
		}
		return embedtest.Fault{}
	}
	var logs strings.Builder
	var mu sync.Mutex
	cfg := OpenAIConfig{
		BaseURL: srv.BaseURL() + "/?api-key=" + secret + "&api-version=2024-02-01",
		Model:   "m",
		Logf: func(f string, a ...any) {
			mu.Lock()
			fmt.Fprintf(&logs, f+"\n", a...)
			mu.Unlock()
		},
	}
	c, err := NewOpenAI(cfg)
	if err != nil {
		t.Fatal(err)
	}
	got, err := runAll(context.Background(), c, texts(2, "query"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.vecs)+len(got.rejected) != 2 {
		t.Fatalf("%d vectors and %d rejected, want 2 in all", len(got.vecs), len(got.rejected))
	}
	for _, r := range srv.Requests() {
		q, _ := url.ParseQuery(r.Query)
		if r.Path != "/v1/embeddings" || q.Get("api-key") != secret || q.Get("api-version") != "2024-02-01" {
			t.Errorf("request to %s?%s", r.Path, r.Query)
		}
	}
	var msgs strings.Builder
	msgs.WriteString(logs.String())
	for _, r := range got.rejected {
		msgs.WriteString(r.Error() + "\n")
	}
	if !strings.Contains(msgs.String(), "api-key=[redacted]") {
		t.Errorf("the log does not show the request's URL, redacted:\n%s", msgs.String())
	}
	if strings.Contains(msgs.String(), secret[:10]) || strings.Contains(msgs.String(), "2024-02-01") {
		t.Errorf("a query value is in the messages:\n%s", msgs.String())
	}
	if strings.Contains(c.Model(), "?api") || strings.Contains(c.Endpoint(), "?") {
		t.Errorf("identity %q, endpoint %q hold the query", c.Model(), c.Endpoint())
	}
}

// endless answers every request with an answer that goes on (up to max
// bytes).
func endless(t *testing.T, max int64) (*httptest.Server, *atomic.Int64, *atomic.Int64) {
	var requests, written atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"data":[{"index":0,"embedding":[1`)
		chunk := []byte(strings.Repeat(",0.5", 1<<12))
		for written.Load() < max {
			k, err := w.Write(chunk)
			written.Add(int64(k))
			if err != nil {
				return
			}
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &requests, &written
}

// TestOpenAIAnswerLimit: an answer is read up to what its vectors can
// take (at the model's dimension once known); one larger is an invalid
// answer, not retried, whose size is exact.
func TestOpenAIAnswerLimit(t *testing.T) {
	cases := []struct {
		dim  int
		want string
	}{
		{16, "more than 4 vectors of 16 dimensions can take"},
		{0, "more than 4 vectors of up to 16384 dimensions can take"},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprint(tc.dim), func(t *testing.T) {
			srv, requests, written := endless(t, 256<<20)
			c, err := NewOpenAI(OpenAIConfig{BaseURL: srv.URL + "/v1", Model: "m", Dim: tc.dim, MinBackoff: 1, MaxBackoff: 1})
			if err != nil {
				t.Fatal(err)
			}
			_, err = runAll(context.Background(), c, texts(4, "endless"))
			if !errors.Is(err, ErrBadResponse) {
				t.Fatalf("error %v, want an invalid answer", err)
			}
			limit := answerLimit(4, cmp.Or(tc.dim, answerDims))
			want := fmt.Sprintf("the answer to a request of 4 texts passed %s bytes, %s", thousands(limit), tc.want)
			if !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), srv.URL+"/v1") {
				t.Errorf("error %q lacks %q or the endpoint", err, want)
			}
			if n := requests.Load(); n != 1 {
				t.Errorf("%d requests, want 1: an answer too large is not retried", n)
			}
			if w := written.Load(); w > limit+32<<20 {
				t.Errorf("the client read on: %d bytes written, the limit is %d", w, limit)
			}
		})
	}
}

// TestOpenAIAnswerAnnouncedTooLarge: an answer whose Content-Length is
// more than its vectors can take is refused unread.
func TestOpenAIAnswerAnnouncedTooLarge(t *testing.T) {
	const size int64 = 3_000_000_000
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", fmt.Sprint(size))
		w.WriteHeader(200)
		fmt.Fprint(w, `{"data":[`)
	}))
	defer srv.Close()
	c, err := NewOpenAI(OpenAIConfig{BaseURL: srv.URL + "/v1", Model: "m", MaxTries: 3, MinBackoff: 1, MaxBackoff: 1})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Embed(context.Background(), []string{"one text"})
	want := "the answer to a request of 1 text announces 3,000,000,000 bytes, more than 1 vectors of up to 16384 dimensions can take"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("error %v, want %q", err, want)
	}
	if s := c.Stats(); s.Requests != 1 {
		t.Errorf("%d requests, want 1", s.Requests)
	}
}

func TestAnswerLimitRoom(t *testing.T) {
	// a legitimate answer fits: 2048 vectors of 3072 float64s printed in
	// full, pretty-printed, and 64 of 16384 before the dimension is known
	for _, tc := range []struct{ texts, dim int }{{2048, 3072}, {64, 16384}, {1, 1}} {
		item := len(`      {"object": "embedding", "index": 2047, "embedding": [`) + len("]},\n")
		need := int64(tc.texts) * int64(item+tc.dim*len("        -1.2345678901234567e-05,\n"))
		if got := answerLimit(tc.texts, tc.dim); got < need {
			t.Errorf("answerLimit(%d, %d) = %d, less than the %d a pretty-printed answer takes", tc.texts, tc.dim, got, need)
		}
	}
	if got := thousands(1234567); got != "1,234,567" {
		t.Errorf("thousands(1234567) = %q", got)
	}
	if got := thousands(999); got != "999" {
		t.Errorf("thousands(999) = %q", got)
	}
}

func TestRedactor(t *testing.T) {
	const key = "Zk7-papersift-0123456789abcdefXYZ"
	r := newRedactor(key, "https://alice:hunter22@example.com/v1?api-key=QVALUE-7777777&v=2")
	cases := []struct{ in, want string }{
		{"plain text", "plain text"},
		{"key " + key + " here", "key [redacted] here"},
		{"part ****" + key[5:20] + "**** of it", "part ****[redacted]**** of it"},
		{"short part " + key[5:12] + " stays", "short part " + key[5:12] + " stays"},
		{"Bearer abc.def", "Bearer [redacted]"},
		{"quota for sk-proj-abcdefgh exceeded", "quota for sk-[redacted] exceeded"},
		{`Post "https://alice:***@example.com/v1/embeddings?api-key=QVALUE-7777777&v=2": EOF`, `Post "https://[redacted]@example.com/v1/embeddings?api-key=[redacted]&v=[redacted]": EOF`},
		{"the password hunter22", "the password [redacted]"},
		{"value QVALUE-7777777 quoted", "value [redacted] quoted"},
		{"version v=2 elsewhere", "version v=2 elsewhere"},
	}
	for _, tc := range cases {
		if got := r.redact(tc.in); got != tc.want {
			t.Errorf("redact(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	// a key straddling the cut is removed whole, wherever it starts
	body := strings.Repeat("a", 5000)
	for n := 40; n < 80; n++ {
		for at := n - len(key) - 2; at < n+2; at++ {
			s := body[:at] + key + body[:1000]
			got := r.redactN(s, n)
			if strings.ContainsAny(got, "Z") || len(got) > n+len(redactedText)+3 {
				t.Fatalf("redactN of a key at %d cut at %d: %q", at, n, got)
			}
			if at < n && !strings.Contains(got, redactedText) {
				t.Fatalf("redactN of a key at %d cut at %d shows no redaction: %q", at, n, got)
			}
		}
	}
	if got := r.redactN("héllo", 2); got != "h..." {
		t.Errorf("redactN cut a rune: %q", got)
	}
	// a dummy key is no secret
	if got := newRedactor("x", "http://localhost/v1").redact("x marks the spot"); got != "x marks the spot" {
		t.Errorf("a one-letter key was redacted: %q", got)
	}
}

func TestRedactURL(t *testing.T) {
	cases := []struct{ in, want string }{
		{"http://localhost:11434/v1", "http://localhost:11434/v1"},
		{"https://u:p@host/v1?api-key=abc&x", "https://[redacted]@host/v1?api-key=[redacted]&[redacted]"},
		{"http//user:pw@127.0.0.1:1/v1?k=v", "http//[redacted]@127.0.0.1:1/v1?k=[redacted]"},
		{"http://host:bad port/v1?k=v", "http://host:bad port/v1?k=[redacted]"},
	}
	for _, tc := range cases {
		if got := RedactURL(tc.in); got != tc.want {
			t.Errorf("RedactURL(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func BenchmarkRedactLongBody(b *testing.B) {
	r := newRedactor("sk-papersift-bench-0123456789abcdef", "https://api.example.com/v1?api-key=benchsecret123")
	body := strings.Repeat("upstream error text with nothing secret in it; ", 1<<20) // 48 MB
	b.ResetTimer()
	for range b.N {
		r.redactN(body, messageBytes)
	}
}
