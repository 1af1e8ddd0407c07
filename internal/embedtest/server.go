// Package embedtest is an OpenAI-compatible /v1/embeddings server for
// tests: deterministic vectors, a count of every text it was sent, and
// faults on demand (error statuses, rate limits, slow or malformed answers).
package embedtest

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// Fault is what the server does with one request instead of answering it
// well. The zero Fault answers well.
type Fault struct {
	Status     int    // answer this status with an OpenAI-style error body
	Message    string // the error message (default: the status text)
	Code       string // the error code
	Header     http.Header
	Body       string        // answer this raw body (with Status, default 200) instead
	HTML       bool          // Body is text/html
	Delay      time.Duration // wait this long first (ended early if the client gives up)
	WrongCount bool          // answer one vector too few
	WrongDim   int           // answer vectors of this dimension
	NaNAt      []int         // answer NaN vectors at these positions of the request
	DupIndex   bool          // answer index 0 for every vector
	Drop       bool          // close the connection without answering (a reset)
}

// failed says whether the fault makes the request fail.
func (f Fault) failed() bool {
	return f.Status >= 400 || f.Body != "" || f.WrongCount || f.WrongDim > 0 || f.DupIndex || f.Delay > 0 || f.Drop
}

// Request is what the server was asked.
type Request struct {
	N              int // the request's number, from 0
	Input          []string
	Model          string
	EncodingFormat string
	Dimensions     int
	Auth           string // the Authorization header
	Path           string // the URL path
	Query          string // the raw URL query
}

// Server is a fake embeddings endpoint. Set its fields before the first request.
type Server struct {
	*httptest.Server
	// Dim is the dimension of the vectors (default 16).
	Dim int
	// Fault decides what to do with a request (nil: answer every one well).
	Fault func(r Request) Fault
	// IgnoreEncoding answers floats whatever encoding was asked (as Ollama does).
	IgnoreEncoding bool
	// Latency is added to every answer.
	Latency time.Duration
	// Slots bounds the requests served at once (0: no bound); the others queue.
	Slots int
	// Seed seeds the shuffling of the answers' order.
	Seed uint64

	mu       sync.Mutex
	n        int
	sent     map[string]int
	faulted  map[string]int
	answered map[string]int
	lastFail map[string]time.Time // when a text's last failed request was answered
	waitFor  map[string]time.Time // a text may not come back before this
	early    []string             // texts that came back before their Retry-After
	reqs     []Request
	cache    map[encKey][]byte
	rng      *rand.Rand
	slots    chan struct{}
	once     sync.Once
}

// New starts a server; Close it when done.
func New() *Server {
	s := &Server{Dim: 16, sent: map[string]int{}, faulted: map[string]int{}, answered: map[string]int{}, lastFail: map[string]time.Time{}, waitFor: map[string]time.Time{}, cache: map[encKey][]byte{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// BaseURL is the server's /v1 base.
func (s *Server) BaseURL() string { return s.URL + "/v1" }

// Vector is the unnormalised vector the server gives text.
func Vector(text string, dim int) []float32 {
	h := fnv.New64a()
	h.Write([]byte(text))
	r := rand.New(rand.NewPCG(h.Sum64(), 7))
	v := make([]float32, dim)
	for i := range v {
		v[i] = float32(r.Float64()*2 - 1)
	}
	return v
}

// Normalised is Vector scaled to unit length.
func Normalised(text string, dim int) []float32 {
	v := Vector(text, dim)
	var ss float64
	for _, x := range v {
		ss += float64(x) * float64(x)
	}
	inv := 1 / math.Sqrt(ss)
	for i := range v {
		v[i] = float32(float64(v[i]) * inv)
	}
	return v
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.once.Do(func() {
		s.rng = rand.New(rand.NewPCG(s.Seed, 1))
		if s.Slots > 0 {
			s.slots = make(chan struct{}, s.Slots)
		}
	})
	if s.slots != nil {
		select {
		case s.slots <- struct{}{}:
			defer func() { <-s.slots }()
		case <-r.Context().Done():
			return
		}
	}
	start := time.Now()
	if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/v1/embeddings") {
		writeError(w, http.StatusNotFound, "404 page not found", "", nil)
		return
	}
	var body struct {
		Input          any    `json:"input"`
		Model          string `json:"model"`
		EncodingFormat string `json:"encoding_format"`
		Dimensions     int    `json:"dimensions"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		writeError(w, http.StatusBadRequest, "bad JSON: "+err.Error(), "", nil)
		return
	}
	var input []string
	switch in := body.Input.(type) {
	case string:
		input = []string{in}
	case []any:
		for _, x := range in {
			str, ok := x.(string)
			if !ok {
				writeError(w, http.StatusBadRequest, "input must be strings", "", nil)
				return
			}
			input = append(input, str)
		}
	default:
		writeError(w, http.StatusBadRequest, "input must be a string or an array of strings", "", nil)
		return
	}
	now := time.Now()
	s.mu.Lock()
	req := Request{N: s.n, Input: input, Model: body.Model, EncodingFormat: body.EncodingFormat, Dimensions: body.Dimensions, Auth: r.Header.Get("Authorization"), Path: r.URL.Path, Query: r.URL.RawQuery}
	s.n++
	s.reqs = append(s.reqs, req)
	var f Fault
	if s.Fault != nil {
		f = s.Fault(req)
	}
	for _, t := range input {
		s.sent[t]++
		if f.failed() {
			s.faulted[t]++
		}
		if w, ok := s.waitFor[t]; ok && now.Before(w) {
			s.early = append(s.early, t)
		}
	}
	perm := s.rng.Perm(len(input))
	s.mu.Unlock()

	if f.Drop {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				if tc, ok := conn.(interface{ SetLinger(int) error }); ok {
					tc.SetLinger(0) // a reset, not a clean close
				}
				conn.Close()
			}
		}
		return
	}
	// the answer is made first, and leaves Latency after the request came
	var out bytes.Buffer
	hdr := http.Header{}
	status := http.StatusOK
	switch {
	case f.Body != "":
		if f.HTML {
			hdr.Set("Content-Type", "text/html; charset=utf-8")
		}
		for k, v := range f.Header {
			hdr[k] = v
		}
		status = cmp(f.Status, http.StatusOK)
		out.WriteString(f.Body)
	case f.Status >= 400:
		status = f.Status
		for k, v := range f.Header {
			hdr[k] = v
		}
		hdr.Set("Content-Type", "application/json")
		out.Write(errorBody(f.Message, f.Code, f.Status))
	default:
		hdr.Set("Content-Type", "application/json")
		s.answer(&out, body.Model, body.EncodingFormat, input, perm, f)
	}
	if wait := time.Until(start.Add(f.Delay + s.Latency)); wait > 0 {
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	for k, v := range hdr {
		w.Header()[k] = v
	}
	w.WriteHeader(status)
	w.Write(out.Bytes())
	if f.failed() {
		s.markFailed(input, f)
		return
	}
	s.mu.Lock()
	for _, t := range input {
		s.answered[t]++
	}
	s.mu.Unlock()
}

// answer writes a good (or subtly wrong, per f) embeddings answer.
func (s *Server) answer(out *bytes.Buffer, model, encoding string, input []string, perm []int, f Fault) {
	dim := s.Dim
	if f.WrongDim > 0 {
		dim = f.WrongDim
	}
	isNaN := map[int]bool{}
	for _, p := range f.NaNAt {
		isNaN[p] = true
	}
	b64 := encoding == "base64" && !s.IgnoreEncoding
	out.WriteString(`{"object":"list","data":[`)
	n := len(perm)
	if f.WrongCount && n > 0 {
		n--
	}
	for k, i := range perm[:n] {
		if k > 0 {
			out.WriteByte(',')
		}
		idx := i
		if f.DupIndex {
			idx = 0
		}
		fmt.Fprintf(out, `{"object":"embedding","index":%d,"embedding":`, idx)
		switch {
		case isNaN[i] && b64:
			v := make([]float32, dim)
			for k := range v {
				v[k] = float32(math.NaN())
			}
			fmt.Fprintf(out, "%q", encodeBase64(v))
		case isNaN[i]:
			j, _ := json.Marshal(make([]float32, dim)) // JSON has no NaN: a zero vector is as unusable
			out.Write(j)
		default:
			out.Write(s.encoded(input[i], dim, b64))
		}
		out.WriteByte('}')
	}
	fmt.Fprintf(out, `],"model":%q,"usage":{"prompt_tokens":1,"total_tokens":1}}`, model)
	out.WriteByte('\n')
}

type encKey struct {
	text string
	dim  int
	b64  bool
}

// encoded is the JSON of text's vector, made once.
func (s *Server) encoded(text string, dim int, b64 bool) []byte {
	k := encKey{text, dim, b64}
	s.mu.Lock()
	e, ok := s.cache[k]
	s.mu.Unlock()
	if ok {
		return e
	}
	v := Vector(text, dim)
	if b64 {
		e = []byte(fmt.Sprintf("%q", encodeBase64(v)))
	} else {
		e, _ = json.Marshal(v)
	}
	s.mu.Lock()
	s.cache[k] = e
	s.mu.Unlock()
	return e
}

func encodeBase64(v []float32) string {
	b := make([]byte, 4*len(v))
	for k, x := range v {
		binary.LittleEndian.PutUint32(b[4*k:], math.Float32bits(x))
	}
	return base64.StdEncoding.EncodeToString(b)
}

// markFailed notes when a failed answer left, and the Retry-After it asked.
func (s *Server) markFailed(input []string, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	var wait time.Duration
	if v := f.Header.Get("Retry-After"); v != "" {
		var secs int
		fmt.Sscan(v, &secs)
		wait = time.Duration(secs) * time.Second
	}
	for _, t := range input {
		s.lastFail[t] = now
		if wait > 0 {
			s.waitFor[t] = now.Add(wait)
		}
	}
}

func cmp(a, b int) int {
	if a != 0 {
		return a
	}
	return b
}

func writeError(w http.ResponseWriter, status int, msg, code string, h http.Header) {
	for k, v := range h {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(errorBody(msg, code, status))
}

func errorBody(msg, code string, status int) []byte {
	if msg == "" {
		msg = http.StatusText(status)
	}
	e := map[string]any{"message": msg, "type": "invalid_request_error"}
	if code != "" {
		e["code"] = code
	}
	b, _ := json.Marshal(map[string]any{"error": e})
	return b
}

// Sent is how often text was sent.
func (s *Server) Sent(text string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sent[text]
}

// Faulted is how often text was sent in a request the server failed on purpose.
func (s *Server) Faulted(text string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faulted[text]
}

// Answered is how often text was answered well.
func (s *Server) Answered(text string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.answered[text]
}

// Early lists texts sent again before the Retry-After of their last failure.
func (s *Server) Early() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.early...)
}

// Requests returns every request received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.reqs...)
}

// Reset forgets the counts (not the settings).
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent, s.faulted, s.answered = map[string]int{}, map[string]int{}, map[string]int{}
	s.lastFail, s.waitFor, s.early, s.reqs = map[string]time.Time{}, map[string]time.Time{}, nil, nil
}
