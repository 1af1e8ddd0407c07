package ingest

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestListingFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range []string{"b.JSONL", "a.json", "c.txt", "d.csv", "e.xml", "f.atom", "g.rss", "h.ndjson", ".hidden.json", "notes.md", "README", "i.jsonl.gz", "j.md.gz", "k.gz"} {
		write(n)
	}
	for _, d := range []string{"sub", "folder.json"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(dir, "sub", "deep.json"), []byte("x"), 0o644)
	if err := os.Symlink(filepath.Join(dir, "a.json"), filepath.Join(dir, "link.json")); err != nil {
		t.Fatal(err)
	}
	os.Symlink(filepath.Join(dir, "missing.json"), filepath.Join(dir, "broken.json"))
	got, err := ListingFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range got {
		if filepath.Dir(p) != dir {
			t.Errorf("%s is not in %s", p, dir)
		}
		names = append(names, filepath.Base(p))
	}
	want := []string{"a.json", "b.JSONL", "c.txt", "d.csv", "e.xml", "f.atom", "g.rss", "h.ndjson", "i.jsonl.gz", "link.json"}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("got %v, want %v", names, want)
	}

	empty := t.TempDir()
	others := t.TempDir()
	os.WriteFile(filepath.Join(others, "notes.md"), []byte("x"), 0o644)
	os.WriteFile(filepath.Join(others, ".x.json"), []byte("x"), 0o644)
	tests := []struct{ dir, msg string }{
		{empty, empty + ": an empty folder: papersift reads the files ending .json, .jsonl"},
		{others, others + ": a folder with no listing file (1 other entries): papersift reads the files ending"},
		{filepath.Join(dir, "nowhere"), filepath.Join(dir, "nowhere") + ": cannot read the folder: no such file or directory"},
		{filepath.Join(dir, "a.json"), filepath.Join(dir, "a.json") + ": cannot read the folder: not a directory"},
	}
	for _, tt := range tests {
		_, err := ListingFiles(tt.dir)
		var se *SourceError
		if !errors.As(err, &se) || !strings.HasPrefix(err.Error(), tt.msg) {
			t.Errorf("ListingFiles(%s) = %v; want %q", tt.dir, err, tt.msg)
		}
	}
}
