package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/papersift/papersift/paper"
)

// ingRun runs the CLI in-process on a database in dir.
func ingRun(t *testing.T, db string, stdin io.Reader, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	if stdin == nil {
		stdin = strings.NewReader("")
	}
	var out, errb bytes.Buffer
	env := func(k string) string {
		if k == "HOME" || k == "XDG_DATA_HOME" {
			return filepath.Dir(db)
		}
		return ""
	}
	code = run(context.Background(), append([]string{"papersift", "--db", db}, args...), stdin, &out, &errb, env)
	return out.String(), errb.String(), code
}

// ingIngest runs an ingest that must succeed and returns its JSON.
func ingIngest(t *testing.T, db string, args ...string) ingestJSON {
	t.Helper()
	out, errOut, code := ingRun(t, db, nil, append([]string{"ingest", "--format", "json"}, args...)...)
	if code != 0 {
		t.Fatalf("ingest %v: exit %d: %s", args, code, errOut)
	}
	var r ingestJSON
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("ingest output %q: %v", out, err)
	}
	return r
}

// ingPapers lists the stored papers.
func ingPapers(t *testing.T, db string, args ...string) []paperJSON {
	t.Helper()
	out, errOut, code := ingRun(t, db, nil, append([]string{"papers", "--format", "json"}, args...)...)
	if code != 0 {
		t.Fatalf("papers: exit %d: %s", code, errOut)
	}
	var ps []paperJSON
	if err := json.Unmarshal([]byte(out), &ps); err != nil {
		t.Fatal(err)
	}
	return ps
}

func ingFixture(name string) string { return filepath.Join("..", "..", "ingest", "testdata", name) }

const ingSeed = "../../testdata/000_b745d9aefa4b81e4.txt"

// vectorHashes maps paper id -> the text hash of its vector (any model).
func vectorHashes(t *testing.T, db string) map[string]string {
	t.Helper()
	h, err := sql.Open("sqlite", "file:"+db+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	rows, err := h.Query(`SELECT p.id, v.text_hash FROM vec_index v JOIN papers p ON p.pid = v.pid`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, hash string
		if err := rows.Scan(&id, &hash); err != nil {
			t.Fatal(err)
		}
		out[id] = hash
	}
	return out
}

// TestIngestSeedThenHFJSON: the seed page, then an hf-json day holding two
// of its papers with arXiv ids: still 56 papers, the two carry their ids,
// and nothing is embedded again.
func TestIngestSeedThenHFJSON(t *testing.T) {
	db := filepath.Join(t.TempDir(), "p.db")
	r := ingIngest(t, db, ingSeed)
	if r.New != 56 || r.Embedded != 56 || r.List != "2026-01-07" {
		t.Fatalf("seed: %+v", r)
	}
	before := vectorHashes(t, db)
	r = ingIngest(t, db, "../../testdata/seed-two.hf.json")
	if r.Read != 2 || r.New != 0 || r.Updated != 2 || r.Embedded != 0 || r.List != "2026-01-08" {
		t.Fatalf("hf-json: %+v; want 2 read, 0 new, 2 updated, 0 embedded, list 2026-01-08", r)
	}
	ps := ingPapers(t, db)
	if len(ps) != 56 {
		t.Fatalf("%d papers, want 56", len(ps))
	}
	after := vectorHashes(t, db)
	if len(after) != 56 {
		t.Errorf("%d vectors, want 56", len(after))
	}
	want := map[string]string{
		"2508.18226": "Disentangling the Factors of Convergence between Brains and Computer Vision Models",
		"2409.02877": "Configurable Foundation Models: Building LLMs from a Modular Perspective",
	}
	for _, p := range ps {
		title, ok := want[p.ID]
		if !ok {
			if !strings.HasPrefix(p.ID, "title-") {
				t.Errorf("unexpected id %s", p.ID)
			}
			continue
		}
		delete(want, p.ID)
		if p.Title != title || p.ArxivID == nil || *p.ArxivID != p.ID || len(p.Lists) != 2 || len(p.Authors) != 2 || len(p.Links) != 2 {
			t.Errorf("%s: %+v", p.ID, p)
		}
		// the page's metadata stays where the JSON has none; the JSON's wins where it has
		if p.Comments == nil || *p.Comments != 2 || p.Upvotes == nil || *p.Upvotes != 7 {
			t.Errorf("%s: comments %v upvotes %v", p.ID, p.Comments, p.Upvotes)
		}
		if h := before[paper.TitleID(title)]; h == "" || after[p.ID] != h {
			t.Errorf("%s: vector of text %q, want the page's %q", p.ID, after[p.ID], h)
		}
	}
	if len(want) > 0 {
		t.Errorf("papers without their arXiv id: %v", want)
	}
	// the same file again changes nothing
	r = ingIngest(t, db, "../../testdata/seed-two.hf.json")
	if r.New != 0 || r.Updated != 0 || r.Embedded != 0 {
		t.Errorf("again: %+v", r)
	}
}

// TestIngestChangedAbstract: a changed abstract updates the paper and
// re-embeds it alone.
func TestIngestChangedAbstract(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "p.db")
	if r := ingIngest(t, db, ingSeed); r.Embedded != 56 {
		t.Fatalf("seed: %+v", r)
	}
	before := vectorHashes(t, db)
	title := "Brain-IT: Image Reconstruction from fMRI via Brain-Interaction Transformer"
	changed := filepath.Join(dir, "changed.jsonl")
	rec := fmt.Sprintf("{\"title\": %q, \"abstract\": \"We reconstruct images from fMRI recordings with a brain-interaction transformer (revised).\"}\n", title)
	os.WriteFile(changed, []byte(rec), 0o644)
	r := ingIngest(t, db, "--list", "revised", changed)
	if r.New != 0 || r.Updated != 1 || r.Embedded != 1 {
		t.Fatalf("revised: %+v; want 0 new, 1 updated, 1 embedded", r)
	}
	after := vectorHashes(t, db)
	id := paper.TitleID(title)
	if len(after) != 56 {
		t.Errorf("%d vectors, want 56", len(after))
	}
	for pid, h := range before {
		if (after[pid] != h) != (pid == id) {
			t.Errorf("%s: vector of text %s -> %s", pid, h, after[pid])
		}
	}
	ps := ingPapers(t, db, "--list", "revised")
	if len(ps) != 1 || !strings.HasSuffix(ps[0].Abstract, "(revised).") || len(ps[0].Lists) != 2 {
		t.Errorf("revised list: %+v", ps)
	}
}

// TestIngestSharedData: every real listing in ../shared/data.
func TestIngestSharedData(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "data")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("real data not here (%v): skipping", err)
	}
	db := filepath.Join(t.TempDir(), "p.db")
	days, _ := filepath.Glob(filepath.Join(dir, "hf-json", "*.json"))
	total := 0
	for _, f := range days {
		data, _ := os.ReadFile(f)
		var items []json.RawMessage
		if err := json.Unmarshal(data, &items); err != nil {
			t.Fatal(err)
		}
		r := ingIngest(t, db, "--no-embed", f)
		day := strings.TrimSuffix(filepath.Base(f), ".json")
		if r.Read != len(items) || r.New != len(items) || r.Skipped != 0 || r.List != day {
			t.Errorf("%s: %+v; want %d papers, no skips, list %s", f, r, len(items), day)
		}
		total += len(items)
	}
	atoms, _ := filepath.Glob(filepath.Join(dir, "arxiv-atom", "*.xml"))
	for _, f := range atoms {
		r := ingIngest(t, db, "--no-embed", "--list", "atom", f)
		if r.New != 10 || r.Sources[0].Paging == nil || r.Sources[0].Paging.Next == nil || *r.Sources[0].Paging.Next != 10 {
			t.Errorf("%s: %+v", f, r)
		}
		for _, p := range ingPapers(t, db, "--list", "atom") {
			if p.ArxivID == nil || *p.ArxivID != p.ID || p.Category == nil || *p.Category == "" {
				t.Errorf("%s: %s has arXiv id %v, category %v", f, p.ID, p.ArxivID, p.Category)
			}
		}
		total += 10
	}
	if n := len(ingPapers(t, db)); n != total {
		t.Errorf("%d papers stored, want %d", n, total)
	}
}

// TestIngestFormats: CSV from a spreadsheet, JSON Lines from stdin, a JSON
// array, each format named or detected.
func TestIngestFormats(t *testing.T) {
	db := filepath.Join(t.TempDir(), "p.db")
	r := ingIngest(t, db, "--no-embed", "--list", "sheet", ingFixture("sheet.csv"))
	if r.New != 2 || r.Skipped != 1 || r.Read != 3 || r.Sources[0].Format != "csv" {
		t.Errorf("csv: %+v", r)
	}
	ps := ingPapers(t, db, "--list", "sheet")
	for _, p := range ps {
		if p.ID == "2405.11111" && (p.Title != `Commas, Quotes and "Spreadsheets"` || !strings.Contains(p.Abstract, "abstract, second line")) {
			t.Errorf("csv paper: %+v", p)
		}
	}
	data, _ := os.ReadFile(ingFixture("papers.jsonl"))
	out, errOut, code := ingRun(t, db, bytes.NewReader(data), "ingest", "-", "--no-embed", "--list", "piped", "--format", "jsonl", "--format", "json")
	if code != 0 || !strings.Contains(out, `"new":3,`) || !strings.Contains(errOut, "stdin:5: skipped line 5 (skip-me) has no abstract") {
		t.Errorf("stdin: exit %d\n%s\n%s", code, out, errOut)
	}
	r = ingIngest(t, db, "--no-embed", "--list", "array", ingFixture("papers.json"), ingFixture("feed.atom.xml"))
	if r.New != 4 || len(r.Sources) != 2 || r.Sources[1].Format != "arxiv" || r.Sources[1].Date == nil || *r.Sources[1].Date != "2024-05-20" {
		t.Errorf("array + atom: %+v", r)
	}
	// --strict fails on the record that would be skipped, writing nothing
	n := len(ingPapers(t, db))
	_, errOut, code = ingRun(t, db, nil, "ingest", "--strict", "--no-embed", ingFixture("hf-2024.json"))
	if code != 1 || !strings.Contains(errOut, "hf-2024.json:3: item 3 (2405.00003) has no paper.summary (--strict") {
		t.Errorf("strict: exit %d: %s", code, errOut)
	}
	if len(ingPapers(t, db)) != n {
		t.Error("a failed --strict ingest wrote papers")
	}
	// a bad PAPERSIFT_BULK_BYTES is a usage error, before anything is opened
	var errb bytes.Buffer
	home := t.TempDir()
	other := filepath.Join(home, "other.db")
	env := map[string]string{"PAPERSIFT_BULK_BYTES": "lots", "HOME": home}
	code = run(context.Background(), []string{"papersift", "--db", other, "ingest", "--no-embed", ingFixture("papers.jsonl")}, strings.NewReader(""), io.Discard, &errb,
		func(k string) string { return env[k] })
	if _, err := os.Stat(other); code != 2 || !strings.Contains(errb.String(), "PAPERSIFT_BULK_BYTES") || err == nil {
		t.Errorf("PAPERSIFT_BULK_BYTES=lots: exit %d, database made: %v, stderr %q; want 2 naming it, no database", code, err == nil, errb.String())
	}
	// usage errors
	for _, args := range [][]string{{"ingest"}, {"ingest", "--format", "yaml", "x"}, {"ingest", "-", "-"}, {"ingest", "--max-size", "lots", "x"}, {"ingest", "--timeout", "0s", "x"}} {
		if _, errOut, code := ingRun(t, db, nil, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2: %s", args, code, errOut)
		}
	}
}

// TestIngestURL: listings fetched over HTTP; a bad answer fails naming the
// URL and status, and writes nothing.
func TestIngestURL(t *testing.T) {
	hf, _ := os.ReadFile(ingFixture("hf-2026.json"))
	feed, _ := os.ReadFile(ingFixture("feed.atom.xml"))
	var agent string
	mux := http.NewServeMux()
	mux.HandleFunc("/api/daily_papers", func(w http.ResponseWriter, r *http.Request) {
		agent = r.UserAgent()
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Write(hf)
	})
	mux.HandleFunc("/api/query", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/atom+xml")
		w.Write(feed)
	})
	mux.HandleFunc("/gone", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no", http.StatusNotFound) })
	mux.HandleFunc("/papers", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<!DOCTYPE html><html><body>Daily Papers</body></html>")
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	mux.HandleFunc("/huge", func(w http.ResponseWriter, r *http.Request) { w.Write(bytes.Repeat([]byte("x"), 3<<20)) })
	srv := httptest.NewServer(mux)
	defer srv.Close()

	db := filepath.Join(t.TempDir(), "p.db")
	r := ingIngest(t, db, "--no-embed", srv.URL+"/api/daily_papers?date=2026-08-20", srv.URL+"/api/query?search_query=all:test")
	if r.New != 4 || strings.Join(r.Lists, ",") != "2026-08-20,2024-05-20" || !strings.HasPrefix(agent, "papersift") {
		t.Errorf("%+v, user agent %q", r, agent)
	}
	n := len(ingPapers(t, db))
	tests := []struct {
		path string
		args []string
		msg  string
	}{
		{"/gone", nil, srv.URL + "/gone: the server answered 404 Not Found"},
		{"/papers", nil, srv.URL + "/papers:1: an HTML page, not a listing"},
		{"/huge", []string{"--max-size", "1MB"}, srv.URL + "/huge: more than the 1 MB cap (raise --max-size"},
		{"/slow", []string{"--timeout", "100ms"}, srv.URL + "/slow: no complete answer in time within 100ms (raise --timeout)"},
	}
	for _, tt := range tests {
		args := append([]string{"ingest", "--no-embed", ingFixture("papers.json")}, tt.args...)
		_, errOut, code := ingRun(t, db, nil, append(args, srv.URL+tt.path)...)
		if code != 1 || !strings.Contains(errOut, tt.msg) {
			t.Errorf("%s: exit %d: %s; want %q", tt.path, code, errOut, tt.msg)
		}
	}
	if len(ingPapers(t, db)) != n {
		t.Error("a failed ingest wrote papers")
	}
}

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
	}{{"50MB", 50 << 20}, {"1gb", 1 << 30}, {"500 KB", 500 << 10}, {"2048", 2048}, {"3MiB", 3 << 20}, {"7B", 7}}
	for _, tt := range tests {
		if got, err := parseSize(tt.in); err != nil || got != tt.want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "MB", "-1MB", "1.5MB", "lots", "0"} {
		if _, err := parseSize(bad); err == nil {
			t.Errorf("parseSize(%q) accepted", bad)
		}
	}
}
