package papersift_test

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/papersift/papersift"
)

// The arXiv snapshot, gzip-compressed as it is downloaded, ingested with
// a category filter: only the papers of those categories are stored.
func TestIngestGzipSnapshotFiltered(t *testing.T) {
	src := filepath.Join("ingest", "testdata", "arxiv-snapshot.jsonl")
	raw, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	// the expected count, from the records themselves
	want := 0
	sc := bufio.NewScanner(strings.NewReader(string(raw)))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r struct {
			Categories string `json:"categories"`
			Title      string `json:"title"`
			Abstract   string `json:"abstract"`
		}
		if json.Unmarshal(sc.Bytes(), &r) != nil || strings.TrimSpace(r.Title) == "" || strings.TrimSpace(r.Abstract) == "" {
			continue
		}
		for _, c := range strings.Fields(r.Categories) {
			if strings.HasPrefix(c, "cs.") {
				want++
				break
			}
		}
	}
	if want == 0 || want >= 50 {
		t.Fatalf("the extract has %d cs papers: the test needs some, not all", want)
	}
	gz := filepath.Join(t.TempDir(), "snapshot.json.gz")
	f, err := os.Create(gz)
	if err != nil {
		t.Fatal(err)
	}
	zw := gzip.NewWriter(f)
	zw.Write(raw)
	zw.Close()
	f.Close()

	l, ev := newLibrary(t, true)
	res, err := l.Ingest(context.Background(), papersift.IngestOptions{Sources: []string{gz}, Categories: []string{"cs.*"}, List: "cs", NoEmbed: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.New != want || res.Sources[0].Format != "arxiv-snapshot" {
		t.Errorf("ingest: %d new papers of format %s, want %d of arxiv-snapshot", res.New, res.Sources[0].Format, want)
	}
	found := false
	for _, n := range ev.notices {
		found = found || strings.Contains(n, "left out by --category")
	}
	if !found {
		t.Errorf("no notice of the papers left out: %q", ev.notices)
	}
	if err := papersift.CheckFilters([]string{"["}, ""); err == nil {
		t.Error("a bad category pattern passes")
	}
	if err := papersift.CheckFilters(nil, "2026-13-01"); err == nil {
		t.Error("a bad day passes")
	}
}

// A large file shows the progress of its reading, by bytes, to the end;
// a small one shows none.
func TestIngestProgressByBytes(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 64 MB file")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "big.jsonl")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	abstract := strings.Repeat("protein folding structure residues molecular dynamics binding ", 30)
	var size int64
	for i := 0; size < 65<<20; i++ {
		line, _ := json.Marshal(map[string]string{"id": "big-" + strconv.Itoa(i), "title": "Paper " + strconv.Itoa(i), "abstract": abstract})
		n, _ := w.Write(append(line, '\n'))
		size += int64(n)
	}
	w.Flush()
	f.Close()
	l, ev := newLibrary(t, true)
	if _, err := l.Ingest(context.Background(), papersift.IngestOptions{Sources: []string{path}, NoEmbed: true}); err != nil {
		t.Fatal(err)
	}
	var reading *progressLog
	for _, p := range ev.progress {
		if p.desc == "reading" {
			reading = p
		}
	}
	if reading == nil || int64(reading.total) != size || int64(reading.sum) != size || !reading.done {
		t.Fatalf("progress of reading %d bytes: %+v", size, reading)
	}
	ev.progress = nil
	if _, err := l.Ingest(context.Background(), papersift.IngestOptions{Sources: []string{seed}, NoEmbed: true}); err != nil {
		t.Fatal(err)
	}
	for _, p := range ev.progress {
		if p.desc == "reading" {
			t.Errorf("a small file shows progress: %+v", p)
		}
	}
}

// Grouping 50,000 papers or more shows its progress (k-means iterations,
// their number not known: a spinner), and ends it.
func TestGroupProgress(t *testing.T) {
	if testing.Short() {
		t.Skip("groups 50,000 papers")
	}
	l, ev := newLibrary(t, true)
	src := writeCorpus(t, t.TempDir(), "big.jsonl", 0, 50000)
	if _, err := l.Ingest(context.Background(), papersift.IngestOptions{Sources: []string{src}, List: "big"}); err != nil {
		t.Fatal(err)
	}
	ev.progress = nil
	g, err := l.Group(context.Background(), papersift.GroupOptions{Scope: papersift.ListScope("big"), K: 4, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	var grouping *progressLog
	for _, p := range ev.progress {
		if strings.HasPrefix(p.desc, "grouping") {
			grouping = p
		}
	}
	if grouping == nil || grouping.total != -1 || grouping.sum < 1 || !grouping.done {
		t.Fatalf("progress of grouping: %+v", grouping)
	}
	if g.K != 4 {
		t.Errorf("k = %d", g.K)
	}
	// a small list shows none
	ev.progress = nil
	if _, err := l.Ingest(context.Background(), papersift.IngestOptions{Sources: []string{seed}, List: "seed"}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Group(context.Background(), papersift.GroupOptions{Scope: papersift.ListScope("seed"), K: 3}); err != nil {
		t.Fatal(err)
	}
	for _, p := range ev.progress {
		if strings.HasPrefix(p.desc, "grouping") {
			t.Errorf("a list of 56 papers shows progress: %+v", p)
		}
	}
}
