package papersift_test

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
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
