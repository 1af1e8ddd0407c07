package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const refsData = "../../refs/testdata/"

// TestProfileImportBibTeX: 20 entries, 10 of them stored papers (by arXiv
// id, DOI or title), 5 not stored but with abstracts, 5 with neither: 15
// liked, 5 added, 5 reported; the export read into a fresh database gives
// the same profile.
func TestProfileImportBibTeX(t *testing.T) {
	c := newCLI(t)
	c.ok("ingest", "--no-embed", refsData+"library-stored.jsonl")
	c.ok("ingest", seedFile)
	c.ok("dislike", "Titans")
	c.ok("interest", "add", "graph neural networks")
	var res struct {
		Matched  []struct{ ID, By string } `json:"matched"`
		Added    []struct{ ID string }     `json:"added"`
		List     string                    `json:"list"`
		NotFound []struct {
			Entry string
			Line  int
		} `json:"not_found"`
	}
	c.json(&res, "profile", "import", refsData+"library.bib")
	by := map[string]int{}
	for _, m := range res.Matched {
		by[m.By]++
	}
	if len(res.Matched) != 10 || len(res.Added) != 5 || len(res.NotFound) != 5 || res.List != "library" {
		t.Fatalf("import: %d matched %v, %d added, %d not found, list %q", len(res.Matched), by, len(res.Added), len(res.NotFound), res.List)
	}
	if by["arxiv id"] == 0 || by["doi"] == 0 || by["title"] == 0 {
		t.Errorf("matched by %v: want arXiv ids, DOIs and titles", by)
	}
	for _, n := range res.NotFound {
		if n.Entry == "" || n.Line == 0 {
			t.Errorf("a not-found entry without its name or line: %+v", n)
		}
	}
	var prof profileJSON
	c.json(&prof, "profile")
	if len(prof.Likes) != 15 || len(prof.Dislikes) != 1 || len(prof.Interests) != 1 {
		t.Fatalf("profile after import: %d likes, %d dislikes, %d interests", len(prof.Likes), len(prof.Dislikes), len(prof.Interests))
	}
	var lists []struct{ Name string }
	c.json(&lists, "lists")
	if len(lists) != 3 {
		t.Errorf("lists %v: want the stored list and the import's", lists)
	}
	// export, then import into a fresh database
	out := filepath.Join(t.TempDir(), "me.json")
	c.ok("profile", "export", "--out", out)
	fresh := newCLI(t)
	fresh.ok("profile", "import", out)
	var again profileJSON
	fresh.json(&again, "profile")
	if strings.Join(again.Likes, ",") != strings.Join(prof.Likes, ",") || strings.Join(again.Dislikes, ",") != strings.Join(prof.Dislikes, ",") ||
		strings.Join(again.Interests, ",") != strings.Join(prof.Interests, ",") || len(again.Read) != len(prof.Read) {
		t.Errorf("the profile did not survive export and import:\n%+v\n%+v", prof, again)
	}
	// the export of the fresh database is the same file
	out2 := filepath.Join(t.TempDir(), "again.json")
	fresh.ok("profile", "export", "--out", out2)
	a, _ := os.ReadFile(out)
	b, _ := os.ReadFile(out2)
	if string(a) != string(b) {
		t.Errorf("the second export differs from the first")
	}
	// a file that cannot be written: the message says it was the profile
	bad := filepath.Join(t.TempDir(), "no-such-folder", "me.json")
	if r := c.run("profile", "export", "--out", bad); r.code != 1 || !strings.Contains(r.stderr, "write the profile to "+bad) {
		t.Errorf("export to a missing folder: exit %d, %q", r.code, r.stderr)
	}
	bib := c.ok("profile", "export", "--format", "bibtex")
	if strings.Count(bib, "@") != 15 || !strings.Contains(bib, "eprint") {
		t.Errorf("bibtex export of 15 likes:\n%.500s", bib)
	}
}

// TestProfileImportBrokenFile: a broken file names its line, exits 1 and
// writes nothing.
func TestProfileImportBrokenFile(t *testing.T) {
	c := newCLI(t)
	c.ok("ingest", "--no-embed", refsData+"library-stored.jsonl")
	before := c.dbSum()
	r := c.run("profile", "import", refsData+"broken.bib")
	if r.code != 1 || !strings.Contains(r.stderr, "broken.bib:") {
		t.Errorf("a broken BibTeX file: exit %d: %s", r.code, r.stderr)
	}
	if c.dbSum() != before {
		t.Errorf("a failed import changed the database")
	}
	if r := c.run("profile", "import"); r.code != 2 {
		t.Errorf("import without a file: exit %d", r.code)
	}
	if r := c.run("profile", "import", "/no/such/file.bib"); r.code != 1 || !strings.Contains(r.stderr, "no such file") {
		t.Errorf("a missing file: exit %d: %s", r.code, r.stderr)
	}
}
