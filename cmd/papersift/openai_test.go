package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/papersift/papersift/embed"
	"github.com/papersift/papersift/internal/embedtest"
	"github.com/papersift/papersift/store"
)

// env is a papersift environment for tests: a database in a temporary
// folder and an endpoint.
type env struct {
	t   testing.TB
	dir string
	db  string
	srv *embedtest.Server
	// vars are the environment variables papersift sees.
	vars map[string]string
}

func newEnv(t testing.TB) *env {
	t.Helper()
	dir := t.TempDir()
	srv := embedtest.New()
	t.Cleanup(srv.Close)
	e := &env{t: t, dir: dir, db: filepath.Join(dir, "data", "papers.db"), srv: srv}
	e.vars = map[string]string{
		"PAPERSIFT_DB":       e.db,
		"PAPERSIFT_EMBEDDER": "openai",
		"PAPERSIFT_MODEL":    "fake-embed",
		"OPENAI_BASE_URL":    srv.BaseURL(),
		"HOME":               dir,
	}
	return e
}

// run runs papersift with ctx and returns stdout, stderr and the exit code.
func (e *env) runCtx(ctx context.Context, args ...string) (string, string, int) {
	e.t.Helper()
	var out, errb bytes.Buffer
	code := run(ctx, append([]string{"papersift"}, args...), strings.NewReader(""), &out, &errb, func(k string) string { return e.vars[k] })
	return out.String(), errb.String(), code
}

func (e *env) run(args ...string) (string, string, int) {
	e.t.Helper()
	return e.runCtx(context.Background(), args...)
}

// must runs papersift and fails the test unless it exits 0.
func (e *env) must(args ...string) string {
	e.t.Helper()
	out, errs, code := e.run(args...)
	if code != 0 {
		e.t.Fatalf("papersift %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, out, errs)
	}
	return out
}

type paperRec struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Abstract string `json:"abstract"`
}

func makePapers(n int) []paperRec {
	topics := []string{"sparse attention for long documents", "diffusion models for protein design", "retrieval augmented generation", "reinforcement learning from human feedback"}
	ps := make([]paperRec, n)
	for i := range ps {
		topic := topics[i%len(topics)]
		ps[i] = paperRec{
			ID:       fmt.Sprintf("2405.%05d", 10000+i),
			Title:    fmt.Sprintf("Paper %d on %s", i, topic),
			Abstract: fmt.Sprintf("We study %s. Our method number %d improves on prior work in %s by a wide margin on standard benchmarks.", topic, i, topic),
		}
	}
	return ps
}

// writePapers writes papers as JSON Lines and returns the file.
func (e *env) writePapers(name string, ps []paperRec) string {
	e.t.Helper()
	var b bytes.Buffer
	for _, p := range ps {
		j, _ := json.Marshal(p)
		b.Write(j)
		b.WriteByte('\n')
	}
	path := filepath.Join(e.dir, name)
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		e.t.Fatal(err)
	}
	return path
}

// vectors reads the stored vectors of a model, by paper id.
func (e *env) vectors(model string) map[string][]float32 {
	e.t.Helper()
	s, err := store.Open(context.Background(), e.db, store.Options{})
	if err != nil {
		e.t.Fatal(err)
	}
	defer s.Close()
	m, err := s.Model(context.Background(), model)
	if err != nil {
		return nil
	}
	mat, err := s.LoadVectors(context.Background(), m)
	if err != nil {
		e.t.Fatal(err)
	}
	ps, err := s.PapersByPID(context.Background(), mat.PIDs)
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[string][]float32{}
	for i, p := range ps {
		out[p.ID] = mat.Row(i)
	}
	return out
}

func (e *env) identity(model string) string {
	return embed.OpenAIIdentity(e.srv.BaseURL(), model, 0)
}

func paperText(p paperRec) string { return embed.Text(p.Title, p.Abstract) }

func sameVector(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Abs(float64(a[i]-b[i])) > 1e-6 {
			return false
		}
	}
	return true
}

// TestEmbedOpenAI: embed through the endpoint; a rerun sends nothing; a
// changed abstract re-embeds one paper; another model keeps both sets.
func TestEmbedOpenAI(t *testing.T) {
	e := newEnv(t)
	ps := makePapers(30)
	e.must("ingest", "--no-embed", e.writePapers("day1.jsonl", ps))
	var res embedJSON
	if err := json.Unmarshal([]byte(e.must("embed", "--batch", "7", "--format", "json")), &res); err != nil {
		t.Fatal(err)
	}
	if res.Embedded != 30 || res.Model != e.identity("fake-embed") || len(res.Failed) != 0 || res.Requests != 5 {
		t.Fatalf("embed result %+v, want 30 embedded with %s in 5 requests", res, e.identity("fake-embed"))
	}
	vs := e.vectors(res.Model)
	for _, p := range ps {
		if !sameVector(vs[p.ID], embedtest.Normalised(paperText(p), e.srv.Dim)) {
			t.Errorf("paper %s: stored vector is not the endpoint's, normalised", p.ID)
		}
	}

	e.srv.Reset()
	if err := json.Unmarshal([]byte(e.must("embed", "--format", "json")), &res); err != nil {
		t.Fatal(err)
	}
	if res.Embedded != 0 || len(e.srv.Requests()) != 0 {
		t.Errorf("a rerun embedded %d papers in %d requests, want none", res.Embedded, len(e.srv.Requests()))
	}

	changed := ps[4]
	changed.Abstract += " We also release code."
	e.srv.Reset()
	out := e.must("ingest", "--format", "json", e.writePapers("fix.jsonl", []paperRec{changed}))
	var ing struct {
		Updated, Embedded int
	}
	json.Unmarshal([]byte(out), &ing)
	if ing.Updated != 1 || ing.Embedded != 1 {
		t.Errorf("ingest of a changed abstract: %s, want 1 updated and 1 embedded", out)
	}
	reqs := e.srv.Requests()
	if len(reqs) != 1 || len(reqs[0].Input) != 1 || reqs[0].Input[0] != paperText(changed) {
		t.Errorf("the changed paper was embedded in requests %+v, want one request with its new text", reqs)
	}
	if !sameVector(e.vectors(res.Model)[changed.ID], embedtest.Normalised(paperText(changed), e.srv.Dim)) {
		t.Error("the changed paper's vector is not that of its new text")
	}

	// another model: both sets are kept, stats shows both, commands use the active one
	e.must("embed", "--model", "other-embed")
	var st struct {
		ActiveModel string         `json:"active_model"`
		Dimensions  int            `json:"dimensions"`
		Vectors     map[string]int `json:"vectors"`
	}
	json.Unmarshal([]byte(e.must("stats", "--model", "other-embed", "--format", "json")), &st)
	if st.ActiveModel != e.identity("other-embed") || st.Dimensions != 16 || st.Vectors[e.identity("fake-embed")] != 30 || st.Vectors[e.identity("other-embed")] != 30 {
		t.Errorf("stats %+v, want 30 vectors of each model and other-embed active", st)
	}
	var st3 struct {
		ActiveModel string `json:"active_model"`
		Dimensions  *int   `json:"dimensions"`
	}
	json.Unmarshal([]byte(e.must("stats", "--model", "third", "--format", "json")), &st3)
	if st3.ActiveModel != e.identity("third") || st3.Dimensions != nil {
		t.Errorf("stats of a model with no vectors: %+v", st3)
	}
	_, errs, code := e.run("similar", ps[0].ID, "--model", "third")
	if code != 1 || !strings.Contains(errs, "nothing is embedded with "+e.identity("third")) || !strings.Contains(errs, e.identity("other-embed")+" (30)") {
		t.Errorf("similar with a model that has no vectors: exit %d, %s", code, errs)
	}
}

// TestEmbedOpenAIRejected: one paper the endpoint refuses (a 400, or a
// NaN vector) is named, every other is embedded, the exit code is 1; a
// rerun sends only that paper.
func TestEmbedOpenAIRejected(t *testing.T) {
	cases := []struct {
		name  string
		fault func(pos int) embedtest.Fault
		why   string
	}{
		{"400", func(int) embedtest.Fault { return embedtest.Fault{Status: 400, Message: "Invalid input"} }, "Invalid input"},
		{"NaN vector", func(pos int) embedtest.Fault { return embedtest.Fault{NaNAt: []int{pos}} }, "NaN"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			ps := makePapers(20)
			ps[13].Abstract = "POISON " + ps[13].Abstract
			e.srv.Fault = func(r embedtest.Request) embedtest.Fault {
				for k, s := range r.Input {
					if strings.Contains(s, "POISON") {
						return tc.fault(k)
					}
				}
				return embedtest.Fault{}
			}
			e.must("ingest", "--no-embed", e.writePapers("p.jsonl", ps))
			out, errs, code := e.run("embed", "--batch", "8", "--format", "json")
			if code != 1 {
				t.Fatalf("exit %d, want 1\n%s", code, errs)
			}
			var res embedJSON
			if err := json.Unmarshal([]byte(out), &res); err != nil {
				t.Fatalf("stdout is not the JSON result: %v\n%s", err, out)
			}
			if res.Embedded != 19 || len(res.Failed) != 1 || res.Failed[0].ID != ps[13].ID || !strings.Contains(res.Failed[0].Error, tc.why) {
				t.Errorf("result %+v, want 19 embedded and %s failed", res, ps[13].ID)
			}
			if !strings.Contains(errs, "paper "+ps[13].ID) || !strings.Contains(errs, "1 paper(s) could not be embedded") {
				t.Errorf("stderr does not name the paper:\n%s", errs)
			}
			vs := e.vectors(res.Model)
			if len(vs) != 19 || vs[ps[13].ID] != nil {
				t.Errorf("%d vectors stored, want 19 and none for the refused paper", len(vs))
			}
			for _, p := range ps {
				if vs[p.ID] != nil && !sameVector(vs[p.ID], embedtest.Normalised(paperText(p), e.srv.Dim)) {
					t.Errorf("paper %s: wrong vector stored", p.ID)
				}
			}
			e.srv.Reset()
			out, _, _ = e.run("embed")
			for _, r := range e.srv.Requests() {
				if len(r.Input) != 1 || r.Input[0] != paperText(ps[13]) {
					t.Errorf("the rerun sent %d texts, want only the refused paper", len(r.Input))
				}
			}
			if !strings.Contains(out, "failed "+ps[13].ID) {
				t.Errorf("the table does not name the failed paper:\n%s", out)
			}
		})
	}
}

// TestEmbedOpenAIErrors: each broken endpoint is a clear error, exit 1,
// and nothing is stored.
func TestEmbedOpenAIErrors(t *testing.T) {
	cases := []struct {
		name  string
		fault embedtest.Fault
		args  []string
		want  []string
	}{
		{"401", embedtest.Fault{Status: 401, Message: "Incorrect API key provided"}, nil, []string{"refused the key (401", "check OPENAI_API_KEY"}},
		{"404", embedtest.Fault{Status: 404, Message: "model not found"}, nil, []string{`model "fake-embed"`, "/v1", "check --model", "--base-url"}},
		{"html", embedtest.Fault{Body: "<html><body>Sign in</body></html>", HTML: true}, nil, []string{"HTML page instead of JSON", "--base-url"}},
		{"wrong count", embedtest.Fault{WrongCount: true}, nil, []string{"answered 4 vector(s)"}},
		{"wrong dimensions", embedtest.Fault{WrongDim: 3}, []string{"--dimensions", "16"}, []string{"asked", "16 dimensions and got 3"}},
		{"down", embedtest.Fault{Status: 503, Message: "overloaded"}, []string{"--retries", "1"}, []string{"failed (after 2 tries)", "overloaded"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.vars["OPENAI_API_KEY"] = "sk-test-key-for-errors"
			e.srv.Fault = func(embedtest.Request) embedtest.Fault { return tc.fault }
			e.must("ingest", "--no-embed", e.writePapers("p.jsonl", makePapers(5)))
			_, errs, code := e.run(append([]string{"embed"}, tc.args...)...)
			if code != 1 {
				t.Fatalf("exit %d, want 1", code)
			}
			for _, w := range tc.want {
				if !strings.Contains(errs, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errs)
				}
			}
			var st struct{ Vectors map[string]int }
			json.Unmarshal([]byte(e.must("stats", "--format", "json")), &st)
			if len(st.Vectors) != 0 {
				t.Errorf("vectors stored: %v", st.Vectors)
			}
		})
	}
}

// TestKeyNeverLeaks: the key is in no output, error, log or database file,
// even when the endpoint echoes it.
func TestKeyNeverLeaks(t *testing.T) {
	const key = "sk-proj-LEAKCHECK-7d41c0ffee9a2b"
	e := newEnv(t)
	e.vars["OPENAI_API_KEY"] = key
	var mu sync.Mutex
	fail := true
	e.srv.Fault = func(r embedtest.Request) embedtest.Fault {
		mu.Lock()
		defer mu.Unlock()
		if r.Auth != "Bearer "+key {
			return embedtest.Fault{Status: 401, Message: "no key"}
		}
		if fail {
			return embedtest.Fault{Status: 401, Message: "Incorrect API key provided: " + key + "; " + r.Auth}
		}
		if r.N%3 == 1 {
			return embedtest.Fault{Status: 500, Body: `{"error":{"message":"upstream saw ` + r.Auth + `"}}`}
		}
		return embedtest.Fault{}
	}
	var outs bytes.Buffer
	record := func(args ...string) {
		out, errs, _ := e.run(args...)
		outs.WriteString(out + errs)
	}
	e.must("ingest", "--no-embed", e.writePapers("p.jsonl", makePapers(12)))
	record("embed", "--verbose")
	record("doctor", "--verbose")
	record("doctor", "--format", "json")
	mu.Lock()
	fail = false
	mu.Unlock()
	record("embed", "--verbose", "--batch", "4", "--retries", "3")
	record("similar", "--text", "sparse attention", "--verbose")
	record("stats", "--format", "json")
	record("doctor", "--format", "json", "--verbose")
	record("--base-url", "http://user:"+key+"@127.0.0.1:1/v1", "doctor", "--timeout", "1s")
	if !strings.Contains(outs.String(), "Authorization=\"[redacted]\"") {
		t.Fatalf("the verbose log shows no redacted Authorization header: the test checks nothing\n%s", outs.String())
	}
	if n := len(e.vectors(e.identity("fake-embed"))); n != 12 {
		t.Fatalf("%d vectors stored, want 12", n)
	}
	secret := key[len("sk-proj-"):]
	if strings.Contains(outs.String(), secret) {
		t.Errorf("the key is in the output:\n%s", outs.String())
	}
	files, _ := filepath.Glob(filepath.Join(filepath.Dir(e.db), "*"))
	if len(files) == 0 {
		t.Fatal("no database files")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(secret)) {
			t.Errorf("the key is in %s", f)
		}
	}
}

// TestEmbedInterrupted: a cancelled run keeps every finished batch; the
// rerun sends only the rest.
func TestEmbedInterrupted(t *testing.T) {
	e := newEnv(t)
	ps := makePapers(60)
	e.must("ingest", "--no-embed", e.writePapers("p.jsonl", ps))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e.srv.Fault = func(r embedtest.Request) embedtest.Fault {
		if r.N == 3 {
			cancel()
		}
		return embedtest.Fault{}
	}
	_, errs, code := e.runCtx(ctx, "embed", "--batch", "5", "--concurrency", "2")
	if code != 130 || !strings.Contains(errs, "interrupted") {
		t.Fatalf("exit %d, stderr %s: want 130 and interrupted", code, errs)
	}
	kept := e.vectors(e.identity("fake-embed"))
	answered := 0
	for _, p := range ps {
		if e.srv.Answered(paperText(p)) > 0 {
			answered++
			if kept[p.ID] == nil {
				t.Errorf("paper %s was answered before the interruption but not kept", p.ID)
			}
		}
	}
	if answered == 0 || answered == len(ps) || len(kept) != answered {
		t.Fatalf("%d answered, %d kept of %d: want a part, all kept", answered, len(kept), len(ps))
	}
	e.srv.Fault = nil
	e.srv.Reset()
	e.must("embed", "--batch", "5")
	for _, p := range ps {
		want := 1
		if kept[p.ID] != nil {
			want = 0
		}
		if n := e.srv.Sent(paperText(p)); n != want {
			t.Errorf("paper %s sent %d times by the rerun, want %d", p.ID, n, want)
		}
	}
	if n := len(e.vectors(e.identity("fake-embed"))); n != len(ps) {
		t.Errorf("%d vectors after the rerun, want %d", n, len(ps))
	}
}

// TestQueriesOpenAI: similar --text and the queue's interests go through
// the endpoint, all interests in one request.
func TestQueriesOpenAI(t *testing.T) {
	e := newEnv(t)
	ps := makePapers(12)
	e.must("ingest", e.writePapers("p.jsonl", ps))
	// the endpoint's vector of a paper's text is that paper's: it must come first
	e.srv.Reset()
	var hits []hitJSON
	json.Unmarshal([]byte(e.must("similar", "--text", paperText(ps[5]), "-k", "3", "--format", "json")), &hits)
	if len(hits) != 3 || hits[0].ID != ps[5].ID || hits[0].Score < 0.999 {
		t.Errorf("similar --text: %+v, want %s first with score 1", hits, ps[5].ID)
	}
	if n := len(e.srv.Requests()); n != 1 {
		t.Errorf("similar --text made %d requests, want 1", n)
	}
	e.must("interest", "add", paperText(ps[7]))
	e.must("interest", "add", paperText(ps[2]))
	e.srv.Reset()
	var q []queueItemJSON
	json.Unmarshal([]byte(e.must("queue", "--all", "-n", "2", "--format", "json")), &q)
	if len(q) != 2 || q[0].ID == q[1].ID || (q[0].ID != ps[2].ID && q[0].ID != ps[7].ID) || (q[1].ID != ps[2].ID && q[1].ID != ps[7].ID) ||
		!strings.Contains(q[0].Reason, "(1.00)") || !strings.Contains(q[0].Reason, "interest") {
		t.Errorf("queue: %+v, want the interests' own papers first", q)
	}
	if reqs := e.srv.Requests(); len(reqs) != 1 || len(reqs[0].Input) != 2 {
		t.Errorf("the queue's interests took %d requests, want 1 of 2 texts", len(reqs))
	}
}

// TestDoctor: one real call; model, dimensions, latency; what to fix.
func TestDoctor(t *testing.T) {
	e := newEnv(t)
	var rep doctorJSON
	out := e.must("doctor", "--format", "json")
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if !rep.OK || rep.Dimensions != 16 || rep.LatencyMS <= 0 || rep.Model != "fake-embed" || rep.Encoding != "base64" || *rep.KeySet {
		t.Errorf("doctor: %+v", rep)
	}
	if n := len(e.srv.Requests()); n != 1 {
		t.Errorf("doctor made %d requests, want 1", n)
	}
	if _, err := os.Stat(e.db); err == nil {
		t.Error("doctor created the database")
	}
	e.srv.Fault = func(embedtest.Request) embedtest.Fault { return embedtest.Fault{Status: 401, Message: "bad key"} }
	out, errs, code := e.run("doctor")
	if code != 1 || !strings.Contains(out, "FAILED") || !strings.Contains(errs, "check OPENAI_API_KEY") {
		t.Errorf("doctor with a refused key: exit %d\n%s\n%s", code, out, errs)
	}
	e.srv.Fault = func(embedtest.Request) embedtest.Fault {
		return embedtest.Fault{Status: 400, Message: "base64 encoding is not currently supported"}
	}
	e.srv.Fault = func(r embedtest.Request) embedtest.Fault {
		if r.EncodingFormat == "base64" {
			return embedtest.Fault{Status: 400, Message: "base64 encoding is not currently supported"}
		}
		return embedtest.Fault{}
	}
	json.Unmarshal([]byte(e.must("doctor", "--format", "json")), &rep)
	if rep.Encoding != "float" || len(rep.Warnings) == 0 || !strings.Contains(rep.Warnings[0], "PAPERSIFT_ENCODING=float") {
		t.Errorf("doctor with a float-only endpoint: %+v", rep)
	}
	_, errs, code = e.run("--base-url", "http://127.0.0.1:1/v1", "doctor", "--timeout", "2s")
	if code != 1 || !strings.Contains(errs, "cannot reach http://127.0.0.1:1/v1") {
		t.Errorf("doctor with nothing listening: exit %d, %s", code, errs)
	}
	out = e.must("doctor", "--embedder", "local")
	if !strings.Contains(out, "built-in") {
		t.Errorf("doctor with the built-in model:\n%s", out)
	}
}

// TestEmbedProgress: a bar on a terminal, nothing with --quiet, plain
// notices otherwise.
func TestEmbedProgress(t *testing.T) {
	e := newEnv(t)
	e.must("ingest", "--no-embed", e.writePapers("p.jsonl", makePapers(10)))
	old := isTerminal
	defer func() { isTerminal = old }()
	isTerminal = func(io.Writer) bool { return true }
	_, errs, _ := e.run("embed", "--quiet", "--model", "a")
	if errs != "" {
		t.Errorf("--quiet printed %q", errs)
	}
	_, errs, _ = e.run("embed", "--model", "b")
	if !strings.Contains(errs, "embedding") || !strings.Contains(errs, "papers") || !strings.Contains(errs, "10/10") {
		t.Errorf("no progress bar on a terminal: %q", errs)
	}
	isTerminal = func(io.Writer) bool { return false }
	_, errs, _ = e.run("embed", "--model", "c")
	if strings.Contains(errs, "10/10") || !strings.Contains(errs, "embedding 10 paper(s)") {
		t.Errorf("not a terminal: %q", errs)
	}
}

func TestEmbedUsage(t *testing.T) {
	e := newEnv(t)
	for _, args := range [][]string{
		{"embed", "--batch", "0"},
		{"embed", "--concurrency", "-1"},
		{"embed", "--encoding", "hex"},
		{"embed", "--timeout", "0s"},
		{"--base-url", "localhost:11434", "embed"},
	} {
		e.must("ingest", "--no-embed", e.writePapers("p.jsonl", makePapers(2)))
		if _, errs, code := e.run(args...); code != 2 {
			t.Errorf("papersift %v: exit %d, want 2 (%s)", args, code, errs)
		}
	}
}

// TestEmbedSIGINT: Ctrl-C on the real binary stops at a batch boundary,
// keeps every finished batch, and the rerun sends only the rest.
func TestEmbedSIGINT(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	bin := filepath.Join(t.TempDir(), "papersift")
	if out, err := exec.Command(goTool, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	e := newEnv(t)
	ps := makePapers(80)
	e.must("ingest", "--no-embed", e.writePapers("p.jsonl", ps))
	e.srv.Latency = 40 * time.Millisecond
	cmd := exec.Command(bin, "embed", "--batch", "4", "--concurrency", "2")
	for k, v := range e.vars {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// wait (boundedly) until a few batches are answered, then interrupt
	for i := 0; i < 500 && len(e.srv.Requests()) < 4; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != 130 {
		t.Fatalf("exit %d (%v), want 130\n%s", code, err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "interrupted") {
		t.Errorf("stderr does not say it was interrupted:\n%s", stderr.String())
	}
	kept := e.vectors(e.identity("fake-embed"))
	if len(kept) == 0 || len(kept) == len(ps) {
		t.Fatalf("%d of %d papers kept: want a part", len(kept), len(ps))
	}
	for _, p := range ps {
		if e.srv.Answered(paperText(p)) > 0 && kept[p.ID] == nil {
			t.Errorf("paper %s was answered before the interruption but not kept", p.ID)
		}
	}
	e.srv.Reset()
	e.srv.Latency = 0
	e.must("embed")
	sent := 0
	for _, p := range ps {
		n := e.srv.Sent(paperText(p))
		if kept[p.ID] != nil && n != 0 {
			t.Errorf("paper %s was kept but sent again", p.ID)
		}
		sent += n
	}
	if sent != len(ps)-len(kept) {
		t.Errorf("the rerun sent %d texts, want the %d not kept", sent, len(ps)-len(kept))
	}
}

// TestDigestWithRefusedPaper: a paper the endpoint refuses is named, and
// the day's run goes on.
func TestDigestWithRefusedPaper(t *testing.T) {
	e := newEnv(t)
	ps := makePapers(24)
	ps[9].Abstract = "POISON " + ps[9].Abstract
	e.srv.Fault = func(r embedtest.Request) embedtest.Fault {
		for _, s := range r.Input {
			if strings.Contains(s, "POISON") {
				return embedtest.Fault{Status: 400, Message: "Invalid input"}
			}
		}
		return embedtest.Fault{}
	}
	out, errs, code := e.run("digest", e.writePapers("day.jsonl", ps), "--list", "day", "--format", "json")
	if code != 0 {
		t.Fatalf("digest: exit %d\n%s", code, errs)
	}
	if !strings.Contains(errs, "paper "+ps[9].ID) {
		t.Errorf("the refused paper is not named:\n%s", errs)
	}
	var d struct {
		Ingest struct{ Embedded int }
		Groups struct{ K int }
	}
	if err := json.Unmarshal([]byte(out), &d); err != nil || d.Ingest.Embedded != 23 || d.Groups.K == 0 {
		t.Errorf("digest: %s (%v): want 23 embedded and groups", out, err)
	}
	// ingest stores and embeds the rest, prints its result, names the papers
	// refused (the new one, and the digest's, tried again), exits 1
	ps2 := makePapers(30)[24:]
	ps2[2].Abstract = "POISON " + ps2[2].Abstract
	out, errs, code = e.run("ingest", e.writePapers("more.jsonl", ps2), "--format", "json")
	var ing ingestJSON
	if code != 1 || json.Unmarshal([]byte(out), &ing) != nil || ing.New != 6 || ing.Embedded != 5 ||
		len(ing.Failed) != 2 || ing.Failed[1].ID != ps2[2].ID || !strings.Contains(errs, ps2[2].ID) {
		t.Errorf("ingest with a refused paper: exit %d, %+v\n%s", code, ing, errs)
	}
}

// TestEndpointDeterministic: batches finish in any order, yet grouping the
// same papers gives the same output.
func TestEndpointDeterministic(t *testing.T) {
	var outs []string
	e := newEnv(t)
	for run := 0; run < 2; run++ {
		e.vars["PAPERSIFT_DB"] = filepath.Join(e.dir, fmt.Sprintf("run%d.db", run))
		ps := makePapers(40)
		e.srv.Fault = func(r embedtest.Request) embedtest.Fault {
			// in the second run the answers of the first batches come last
			if run == 1 && r.N < 3 {
				return embedtest.Fault{Delay: time.Duration(30*(3-r.N)) * time.Millisecond}
			}
			return embedtest.Fault{}
		}
		e.must("ingest", "--no-embed", "--list", "day", e.writePapers("p.jsonl", ps))
		e.must("embed", "--batch", "4", "--timeout", "10s")
		outs = append(outs, e.must("group", "--list", "day", "-k", "3", "--format", "json")+e.must("similar", ps[0].ID, "--format", "json"))
	}
	if outs[0] != outs[1] {
		t.Errorf("the same papers gave different output:\n%s\n%s", outs[0], outs[1])
	}
}
