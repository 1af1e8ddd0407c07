package main

import (
	"encoding/json"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// fakeEmbeddings is an OpenAI-compatible /v1/embeddings endpoint with
// deterministic unit vectors (seeded by each text), recording the
// Authorization headers it saw.
type fakeEmbeddings struct {
	*httptest.Server
	dim  int
	mu   sync.Mutex
	auth []string
}

func newFakeEmbeddings(t *testing.T, dim int) *fakeEmbeddings {
	t.Helper()
	f := &fakeEmbeddings{dim: dim}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeEmbeddings) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.auth = append(f.auth, r.Header.Get("Authorization"))
	f.mu.Unlock()
	if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/embeddings") {
		http.Error(w, `{"error":{"message":"not found"}}`, http.StatusNotFound)
		return
	}
	var req struct {
		Model string          `json:"model"`
		Input json.RawMessage `json:"input"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, `{"error":{"message":"bad json"}}`, http.StatusBadRequest)
		return
	}
	var inputs []string
	if err := json.Unmarshal(req.Input, &inputs); err != nil {
		var one string
		if err := json.Unmarshal(req.Input, &one); err != nil {
			http.Error(w, `{"error":{"message":"input must be strings"}}`, http.StatusBadRequest)
			return
		}
		inputs = []string{one}
	}
	type item struct {
		Object    string    `json:"object"`
		Index     int       `json:"index"`
		Embedding []float32 `json:"embedding"`
	}
	resp := struct {
		Object string `json:"object"`
		Data   []item `json:"data"`
		Model  string `json:"model"`
		Usage  struct {
			PromptTokens int `json:"prompt_tokens"`
			TotalTokens  int `json:"total_tokens"`
		} `json:"usage"`
	}{Object: "list", Model: req.Model}
	for i, text := range inputs {
		resp.Data = append(resp.Data, item{"embedding", i, fakeVector(text, f.dim)})
		n := len(strings.Fields(text))
		resp.Usage.PromptTokens += n
		resp.Usage.TotalTokens += n
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(resp)
}

// authHeaders returns the distinct Authorization headers seen.
func (f *fakeEmbeddings) authHeaders() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := slices.Clone(f.auth)
	slices.Sort(out)
	return slices.Compact(out)
}

func fakeVector(text string, dim int) []float32 {
	h := fnv.New64a()
	h.Write([]byte(text))
	rng := rand.New(rand.NewPCG(h.Sum64(), 3))
	v := make([]float32, dim)
	var norm float64
	for i := range v {
		x := rng.NormFloat64()
		v[i] = float32(x)
		norm += x * x
	}
	for i := range v {
		v[i] = float32(float64(v[i]) / math.Sqrt(norm))
	}
	return v
}

// endpointAvailable reports whether the binary has the openai embedder,
// by embedding a few papers with it. A build that has it must embed them.
func endpointAvailable(t *testing.T, bin string, e crashEmbedder) bool {
	t.Helper()
	dir := t.TempDir()
	p := newProc(t, bin, filepath.Join(dir, "probe.db")).with(e.env...)
	src := filepath.Join(dir, "probe.jsonl")
	writeJSONL(t, src, synthCorpus(newSynthWords(1), 1, "probe", 5, 0))
	p.ok("ingest", "--quiet", "--no-embed", "--format", "jsonl", src)
	r := p.run(append(slices.Clone(e.flags), "embed", "--quiet")...)
	if r.code != 0 && strings.Contains(r.stderr, "not available in this build") {
		return false
	}
	if r.code != 0 {
		t.Fatalf("embed with the openai embedder against a fake endpoint: exit %d\n%s", r.code, r.stderr)
	}
	return true
}
