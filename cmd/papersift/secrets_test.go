package main

// The API key is never printed, logged or stored: commands run with a
// unique fake key, and neither their output nor any file they leave (the
// database, its -wal, a digest) contains it.

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// fakeKey is an API key that appears nowhere else.
func fakeKey() string {
	return fmt.Sprintf("sk-papersift-test-%016x", rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 9)).Uint64())
}

// keyLeaks returns the files under dir that contain key.
func keyLeaks(t *testing.T, dir, key string) []string {
	t.Helper()
	var leaks []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.Contains(b, []byte(key)) {
			leaks = append(leaks, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return leaks
}

func TestAPIKeyNeverLeaks(t *testing.T) {
	bin := buildBinary(t)
	key := fakeKey()
	dir := t.TempDir()
	p := newProc(t, bin, filepath.Join(dir, "p.db")).with("OPENAI_API_KEY=" + key)
	// The environment of the runs holds the key, under a temporary HOME.
	ps := synthCorpus(newSynthWords(41), 1, "k", 200, 0)
	src := filepath.Join(dir, "k.jsonl")
	writeJSONL(t, src, ps)
	srv := newFakeEmbeddings(t, 24)
	endpoint := []string{"--embedder", "openai", "--base-url", srv.URL + "/v1", "--model", "fake-embed"}
	// An endpoint that refuses the key and quotes it back, as some do.
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, `{"error":{"message":"Incorrect API key provided: %s","type":"invalid_request_error","code":"invalid_api_key"}}`,
			strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
	}))
	defer echo.Close()

	runs := [][]string{
		{"ingest", "--format", "jsonl", "--list", "2025-01-01", src},
		{"embed", "--refit"},
		{"papers", "--limit", "5"},
		{"similar", ps[0].ID, "-k", "3"},
		{"similar", "--text", ps[1].Title},
		{"like", ps[2].ID, ps[3].ID, ps[4].ID},
		{"interest", "add", "something"},
		{"queue", "-n", "5"},
		{"group", "-k", "3"},
		{"profile"},
		{"stats"},
		{"digest", "--out", filepath.Join(dir, "digest.html")},
		{"digest", "--out", filepath.Join(dir, "digest.md")},
		{"similar", "no such paper at all"}, // failures print too
		{"nonsense-command"},
		{"eval"},
		{"doctor"},
		append(slices.Clone(endpoint), "embed"),
		append(slices.Clone(endpoint), "similar", "--text", "anything"),
		append(slices.Clone(endpoint), "--verbose", "similar", "--text", "anything else"),
		append(slices.Clone(endpoint), "--verbose", "doctor"),
		{"--embedder", "openai", "--base-url", echo.URL + "/v1", "embed"},
		{"--embedder", "openai", "--base-url", echo.URL + "/v1", "--verbose", "ingest", "--format", "jsonl", src},
		{"--embedder", "openai", "--base-url", echo.URL + "/v1", "--verbose", "doctor"},
	}
	runs = append(runs,
		append(slices.Clone(endpoint), "ingest", "--format", "jsonl", "--list", "2025-01-02", src),
		append(slices.Clone(endpoint), "queue", "-n", "5"),
		append(slices.Clone(endpoint), "stats"))
	var outputs strings.Builder
	for _, args := range runs {
		for _, format := range []string{"table", "json"} {
			r := p.run(append(args, "--format", format)...)
			if strings.Contains(r.stdout+r.stderr, key) {
				t.Errorf("papersift %s --format %s printed the API key:\nstdout: %s\nstderr: %s", strings.Join(args, " "), format, r.stdout, r.stderr)
			}
			outputs.WriteString(r.stdout + r.stderr)
		}
	}
	if outputs.Len() == 0 {
		t.Fatal("the commands printed nothing: the test checks nothing")
	}
	// A run killed mid-way leaves its -wal: the key is not there either.
	more := synthCorpus(newSynthWords(41), 2, "k2-", 2000, 0)
	src2 := filepath.Join(dir, "k2.jsonl")
	writeJSONL(t, src2, more)
	cmd := p.command(context.Background(), "ingest", "--quiet", "--format", "jsonl", "--list", "2025-01-03", src2)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	walSeen := false
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if fi, err := os.Stat(p.db + "-wal"); err == nil && fi.Size() > 1<<16 {
			walSeen = true
			break
		}
	}
	cmd.Process.Kill()
	cmd.Wait()
	if !walSeen {
		t.Log("the killed ingest wrote no -wal worth checking before it ended")
	}
	if !slices.Contains(srv.authHeaders(), "Bearer "+key) {
		t.Errorf("the endpoint never received the key (headers %q): the test does not prove what it should", srv.authHeaders())
	}
	for _, e := range p.env {
		if home, ok := strings.CutPrefix(e, "HOME="); ok {
			if leaks := keyLeaks(t, home, key); len(leaks) > 0 {
				t.Errorf("files under HOME contain the API key: %v", leaks)
			}
		}
	}
	if leaks := keyLeaks(t, dir, key); len(leaks) > 0 {
		t.Errorf("files contain the API key: %v", leaks)
	}
	for _, f := range []string{p.db, filepath.Join(dir, "digest.html"), filepath.Join(dir, "digest.md")} {
		if fi, err := os.Stat(f); err != nil || fi.Size() == 0 {
			t.Errorf("%s was not written (%v): the test does not check it", f, err)
		}
	}
}
