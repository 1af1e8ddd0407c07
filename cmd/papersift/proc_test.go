package main

// Helpers for tests that run the real binary as separate processes: crash
// safety, concurrency, database hygiene and secrets.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// The binary is built once per test run, into binDir, removed by TestMain.
var (
	binOnce sync.Once
	binDir  string
	binPath string
	binErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// buildBinary compiles papersift (once per test run) and returns its path.
func buildBinary(t *testing.T) string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH: cannot build the binary")
	}
	binOnce.Do(func() {
		if binDir, binErr = os.MkdirTemp("", "papersift-bin-"); binErr != nil {
			return
		}
		// Other users (the read-only tests run the binary as nobody when
		// root) must reach it.
		if binErr = os.Chmod(binDir, 0o755); binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "papersift")
		cmd := exec.Command(gobin, "build", "-o", binPath, ".")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// sharedTempDir is a temporary folder that other users can enter (the
// read-only tests run the binary as nobody when the tests run as root).
func sharedTempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "papersift-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				os.Chmod(path, 0o755)
			}
			return nil
		})
		os.RemoveAll(dir)
	})
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// proc runs the binary against one database with a clean environment.
type proc struct {
	t    *testing.T
	bin  string
	db   string
	env  []string
	prep func(*exec.Cmd) // adjusts each command (e.g. to run as another user)
}

func newProc(t *testing.T, bin, db string) *proc {
	t.Helper()
	home := t.TempDir()
	return &proc{t: t, bin: bin, db: db, env: []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "XDG_DATA_HOME=" + filepath.Join(home, "data")}}
}

// with returns a copy of p with more environment variables.
func (p *proc) with(env ...string) *proc {
	q := *p
	q.env = append(append([]string(nil), p.env...), env...)
	return &q
}

func (p *proc) command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, p.bin, append([]string{"--db", p.db}, args...)...)
	cmd.Env = p.env
	if p.prep != nil {
		p.prep(cmd)
	}
	return cmd
}

// run runs a command to its end.
func (p *proc) run(args ...string) result {
	p.t.Helper()
	cmd := p.command(context.Background(), args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		p.t.Fatalf("papersift %s: %v", strings.Join(args, " "), err)
	}
	return result{code, out.String(), errb.String()}
}

func (p *proc) ok(args ...string) string {
	p.t.Helper()
	r := p.run(args...)
	if r.code != 0 {
		p.t.Fatalf("papersift %s: exit %d\nstderr: %s", strings.Join(args, " "), r.code, r.stderr)
	}
	return r.stdout
}

func (p *proc) json(v any, args ...string) {
	p.t.Helper()
	out := p.ok(append(args, "--format", "json")...)
	if err := json.Unmarshal([]byte(out), v); err != nil {
		p.t.Fatalf("papersift %s: output is not JSON: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// synthPaper is a record of a synthetic corpus, as jsonl writes it.
type synthPaper struct {
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	Abstract string   `json:"abstract"`
	Authors  []string `json:"authors"`
	Date     string   `json:"date"`
	URL      string   `json:"url"`
}

// synthWords are the pseudo-words of a synthetic corpus: topics of their
// own words over a shared general vocabulary, so that the built-in model
// finds structure.
type synthWords struct {
	topics  [][]string
	general []string
}

func newSynthWords(seed uint64) *synthWords {
	rng := rand.New(rand.NewPCG(seed, 7))
	syl := []string{"ka", "lo", "mi", "ner", "tus", "vo", "ri", "pa", "sen", "dor", "qua", "bel", "fi", "gra", "hex", "jun", "zor", "wen", "ul", "tra"}
	word := func() string {
		var b strings.Builder
		for range 2 + rng.IntN(3) {
			b.WriteString(syl[rng.IntN(len(syl))])
		}
		return b.String()
	}
	w := &synthWords{}
	for range 12 {
		ws := make([]string, 60)
		for i := range ws {
			ws[i] = word()
		}
		w.topics = append(w.topics, ws)
	}
	w.general = make([]string, 300)
	for i := range w.general {
		w.general[i] = word()
	}
	return w
}

// synthCorpus returns n papers with ids prefix00000..., deterministic for a
// seed; rev changes every abstract (a new version of the same papers).
func synthCorpus(w *synthWords, seed uint64, prefix string, n, rev int) []synthPaper {
	rng := rand.New(rand.NewPCG(seed, uint64(rev)))
	ps := make([]synthPaper, n)
	for i := range ps {
		topic := w.topics[rng.IntN(len(w.topics))]
		pick := func() string {
			if rng.IntN(10) < 7 {
				return topic[rng.IntN(len(topic))]
			}
			return w.general[rng.IntN(len(w.general))]
		}
		title := make([]string, 6)
		for j := range title {
			title[j] = pick()
		}
		abs := make([]string, 50+rng.IntN(40))
		for j := range abs {
			abs[j] = pick()
		}
		authors := make([]string, 1+rng.IntN(4))
		for j := range authors {
			authors[j] = fmt.Sprintf("Author %d-%d", i, j)
		}
		id := fmt.Sprintf("%s%05d", prefix, i)
		ps[i] = synthPaper{
			ID: id, Title: strings.Join(title, " "), Abstract: strings.Join(abs, " ") + fmt.Sprintf(" (revision %d.)", rev),
			Authors: authors, Date: fmt.Sprintf("2025-%02d-%02d", 1+i%12, 1+i%28), URL: "https://example.org/" + id,
		}
	}
	return ps
}

// writeJSONL writes papers as a jsonl file.
func writeJSONL(t *testing.T, path string, ps []synthPaper) {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	for _, p := range ps {
		if err := enc.Encode(p); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
