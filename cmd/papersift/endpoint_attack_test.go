package main

// Endpoints that attack the client: redirects that would carry the key
// elsewhere, secrets in the base URL's query, answers that never end,
// answers that quote part of the key.

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/papersift/papersift/embed"
	"github.com/papersift/papersift/internal/embedtest"
)

// storedVectors is the number of vectors of each model in the database.
func (e *env) storedVectors() map[string]int {
	e.t.Helper()
	var st struct{ Vectors map[string]int }
	if err := json.Unmarshal([]byte(e.must("stats", "--format", "json")), &st); err != nil {
		e.t.Fatal(err)
	}
	return st.Vectors
}

// TestEndpointRedirectNotFollowed: an endpoint that redirects to another
// port of the same host does not get the key there (Go's client compares
// only host names); the redirect is one clear error, not retried, and
// nothing is stored.
func TestEndpointRedirectNotFollowed(t *testing.T) {
	const key = "papersift-redirect-key-5be1f0c2d3"
	for _, status := range []int{http.StatusTemporaryRedirect, http.StatusPermanentRedirect, http.StatusFound} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			e := newEnv(t)
			e.vars["OPENAI_API_KEY"] = key
			other := embedtest.New() // same host, another port
			defer other.Close()
			location := other.BaseURL() + "/embeddings?sig=LOCATIONSECRET42"
			e.srv.Fault = func(embedtest.Request) embedtest.Fault {
				return embedtest.Fault{Status: status, Body: "moved", Header: http.Header{"Location": {location}}}
			}
			e.must("ingest", "--no-embed", e.writePapers("p.jsonl", makePapers(5)))
			_, errs, code := e.run("embed", "--verbose")
			if code != 1 {
				t.Errorf("exit %d, want 1\n%s", code, errs)
			}
			if n := len(other.Requests()); n != 0 {
				t.Errorf("the redirect was followed: the other port got %d request(s), with Authorization %q", n, other.Requests()[0].Auth)
			}
			if n := len(e.srv.Requests()); n != 1 {
				t.Errorf("the endpoint got %d requests, want 1: a redirect is not worth retrying", n)
			}
			u, _ := url.Parse(other.URL)
			for _, w := range []string{"redirect", u.Host + "/v1/embeddings", "--base-url"} {
				if !strings.Contains(errs, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errs)
				}
			}
			for _, secret := range []string{key, "LOCATIONSECRET42"} {
				if strings.Contains(errs, secret) {
					t.Errorf("stderr shows %q:\n%s", secret, errs)
				}
			}
			if v := e.storedVectors(); len(v) != 0 {
				t.Errorf("vectors stored: %v", v)
			}
		})
	}
}

// TestEndpointQuerySecret: a base URL with a query (Azure's api-key,
// api-version) sends requests to /v1/embeddings with that query, logs it
// redacted, and keeps it out of the model identity.
func TestEndpointQuerySecret(t *testing.T) {
	const secret = "QUERYSECRET-8c1e5a7f9b"
	e := newEnv(t)
	base := e.srv.BaseURL() + "?api-key=" + secret + "&api-version=2024-02-01"
	e.vars["OPENAI_BASE_URL"] = base
	e.must("ingest", "--no-embed", e.writePapers("p.jsonl", makePapers(6)))
	out, errs, code := e.run("embed", "--verbose", "--batch", "3", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out, errs)
	}
	reqs := e.srv.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	for _, r := range reqs {
		q, _ := url.ParseQuery(r.Query)
		if r.Path != "/v1/embeddings" || q.Get("api-key") != secret || q.Get("api-version") != "2024-02-01" {
			t.Errorf("request to %s?%s, want /v1/embeddings with the base URL's query", r.Path, r.Query)
		}
	}
	if !strings.Contains(errs, "http: POST") {
		t.Fatalf("no request in the verbose log: the test checks nothing\n%s", errs)
	}
	if strings.Contains(errs+out, secret) || strings.Contains(errs+out, secret[:12]) {
		t.Errorf("the query's secret is in the output:\nstdout: %s\nstderr: %s", out, errs)
	}
	want := embed.OpenAIIdentity(e.srv.BaseURL(), "fake-embed", 0)
	if embed.OpenAIIdentity(base, "fake-embed", 0) != want {
		t.Errorf("the identity %q holds the query", embed.OpenAIIdentity(base, "fake-embed", 0))
	}
	if v := e.storedVectors(); v[want] != 6 || len(v) != 1 {
		t.Errorf("vectors stored %v, want 6 under %s", v, want)
	}
}

// TestEndpointEchoesPartOfKey: an endpoint that quotes a part of the key,
// in its error message, its status line or a long body, never gets it
// printed, with or without --verbose.
func TestEndpointEchoesPartOfKey(t *testing.T) {
	// not shaped like an OpenAI key, so that no pattern catches it
	const key = "papersift-echo-3f9a1c7e5b2d4f6a8c0e"
	part := key[4:24] // 20 characters from the middle
	cases := []struct {
		name  string
		serve func(w http.ResponseWriter, r *http.Request)
	}{
		{"401 message", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprintf(w, `{"error":{"message":"Incorrect API key provided: ****%s****","type":"invalid_request_error","code":"invalid_api_key"}}`, part)
		}},
		{"400 message", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, `{"error":{"message":"the request with key %s... is malformed"}}`, part[:9])
		}},
		{"plain text 500", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprintf(w, "upstream refused %s", strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")[3:])
		}},
		{"key straddles the end of a long body", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadGateway)
			// the key starts near where messages are cut, at any of several places
			for i := 0; i < 400; i++ {
				fmt.Fprintf(w, "%s%s ", strings.Repeat("x", i%7), key)
			}
		}},
		{"status line", func(w http.ResponseWriter, r *http.Request) {
			conn, buf, err := w.(http.Hijacker).Hijack()
			if err != nil {
				return
			}
			defer conn.Close()
			body := `{"error":{"message":"denied"}}`
			fmt.Fprintf(buf, "HTTP/1.1 401 Key %s Refused\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", part, len(body), body)
			buf.Flush()
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(tc.serve))
			defer srv.Close()
			e := newEnv(t)
			e.vars["OPENAI_API_KEY"] = key
			e.vars["OPENAI_BASE_URL"] = srv.URL + "/v1"
			e.must("ingest", "--no-embed", e.writePapers("p.jsonl", makePapers(3)))
			var all strings.Builder
			for _, args := range [][]string{{"embed", "--retries", "0"}, {"embed", "--retries", "0", "--verbose"}, {"doctor", "--verbose"}, {"doctor", "--format", "json"}} {
				out, errs, code := e.run(args...)
				if code == 0 {
					t.Errorf("papersift %s succeeded against a failing endpoint", strings.Join(args, " "))
				}
				all.WriteString(out + errs)
			}
			if !strings.Contains(all.String(), "[redacted]") {
				t.Fatalf("nothing was redacted: the test checks nothing\n%s", all.String())
			}
			for _, frag := range []string{part, part[:9], key[3:11], key[len(key)-8:]} {
				if strings.Contains(all.String(), frag) {
					t.Errorf("the output holds %q, a part of the key:\n%s", frag, all.String())
				}
			}
		})
	}
}

// endlessServer answers every request with an embeddings answer that
// never ends (up to limit bytes, so that a client that reads it all ends
// too), counting the bytes it wrote.
type endlessServer struct {
	*httptest.Server
	written  atomic.Int64
	requests atomic.Int64
}

func newEndlessServer(t *testing.T, limit int64) *endlessServer {
	s := &endlessServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		w.Header().Set("Content-Type", "application/json")
		bw := bufio.NewWriterSize(w, 64<<10)
		n, _ := bw.WriteString(`{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.5`)
		s.written.Add(int64(n))
		chunk := strings.Repeat(",0.0123456789", 4096)
		for s.written.Load() < limit {
			n, err := bw.WriteString(chunk)
			s.written.Add(int64(n))
			if err != nil {
				return
			}
		}
		bw.WriteString("]}]}")
		bw.Flush()
	}))
	t.Cleanup(s.Close)
	return s
}

// TestEndpointEndlessAnswer: an answer larger than the vectors asked for
// can be is cut off early with a clear error naming the endpoint and the
// size, and not retried.
func TestEndpointEndlessAnswer(t *testing.T) {
	srv := newEndlessServer(t, 128<<20)
	e := newEnv(t)
	e.vars["OPENAI_BASE_URL"] = srv.URL + "/v1"
	e.must("ingest", "--no-embed", e.writePapers("p.jsonl", makePapers(5)))
	_, errs, code := e.run("embed")
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	if n := srv.requests.Load(); n != 1 {
		t.Errorf("%d requests, want 1: an answer too large is not a network failure to retry", n)
	}
	if w := srv.written.Load(); w > 64<<20 {
		t.Errorf("the client read on: the endpoint wrote %d bytes for 5 texts", w)
	}
	for _, w := range []string{srv.URL + "/v1", "the answer to a request of 5 texts passed", "more than 5 vectors of", "dimensions can take"} {
		if !strings.Contains(errs, w) {
			t.Errorf("stderr lacks %q:\n%s", w, errs)
		}
	}
	m := regexp.MustCompile(`passed ([0-9,]+) bytes`).FindStringSubmatch(errs)
	if m == nil {
		t.Fatalf("no exact size in bytes in the error:\n%s", errs)
	}
	n, err := strconv.ParseInt(strings.ReplaceAll(m[1], ",", ""), 10, 64)
	if err != nil || n <= 0 || n > srv.written.Load() {
		t.Errorf("the error says the answer passed %s bytes; the endpoint wrote %d", m[1], srv.written.Load())
	}
	if v := e.storedVectors(); len(v) != 0 {
		t.Errorf("vectors stored: %v", v)
	}
}

// TestEndpointBadIndex: an answer whose index is not a whole number, or
// missing, is reported as such.
func TestEndpointBadIndex(t *testing.T) {
	item := func(index string) string {
		vec := `"embedding":[0.1,0.2,0.3,0.4]`
		if index == "" {
			return `{"object":"embedding",` + vec + `}`
		}
		return `{"object":"embedding","index":` + index + `,` + vec + `}`
	}
	cases := []struct {
		name    string
		indexes []string
		want    string
	}{
		{"fraction", []string{"0", "1.5", "2"}, "index 1.5 is not a whole number"},
		{"missing", []string{"0", "", "2"}, "an item has no index"},
		{"string", []string{"0", `"1"`, "2"}, `index "1" is not a whole number`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.srv.Fault = func(r embedtest.Request) embedtest.Fault {
				items := make([]string, len(tc.indexes))
				for i, x := range tc.indexes {
					items[i] = item(x)
				}
				return embedtest.Fault{Body: `{"object":"list","data":[` + strings.Join(items, ",") + `],"model":"m"}`}
			}
			e.must("ingest", "--no-embed", e.writePapers("p.jsonl", makePapers(3)))
			_, errs, code := e.run("embed")
			if code != 1 || !strings.Contains(errs, tc.want) {
				t.Errorf("exit %d, want 1 and an error with %q:\n%s", code, tc.want, errs)
			}
			if strings.Contains(errs, "not JSON") || strings.Contains(errs, "two vectors") {
				t.Errorf("the error misnames the cause:\n%s", errs)
			}
			if v := e.storedVectors(); len(v) != 0 {
				t.Errorf("vectors stored: %v", v)
			}
		})
	}
}
