package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// papersift runs the CLI against db and returns stdout, stderr and the exit
// code.
func papersiftGroupRun(t *testing.T, db string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	env := func(string) string { return "" }
	code := run(context.Background(), append([]string{"papersift", "--db", db}, args...), strings.NewReader(""), &out, &errb, env)
	return out.String(), errb.String(), code
}

// seedDB is a database holding the seed page (56 papers), embedded.
func seededGroupDB(t *testing.T) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "p.db")
	if _, errs, code := papersiftGroupRun(t, db, "-q", "ingest", "../../testdata/000_b745d9aefa4b81e4.txt"); code != 0 {
		t.Fatalf("ingest: exit %d: %s", code, errs)
	}
	return db
}

func TestGroupSameSeedSameJSON(t *testing.T) {
	db := seededGroupDB(t)
	for _, k := range []string{"auto", "4", "7"} {
		a, errs, code := papersiftGroupRun(t, db, "group", "-k", k, "--seed", "3", "--format", "json")
		if code != 0 {
			t.Fatalf("-k %s: exit %d: %s", k, code, errs)
		}
		b, _, _ := papersiftGroupRun(t, db, "group", "--format", "json", "-k", k, "--seed", "3")
		if a != b {
			t.Errorf("-k %s: two runs with the same seed print different JSON", k)
		}
		var g groupJSON
		if err := json.Unmarshal([]byte(a), &g); err != nil {
			t.Fatalf("-k %s: %v", k, err)
		}
		checkGroup(t, g, 56)
		if k != "auto" && fmt.Sprint(g.K) != k {
			t.Errorf("-k %s: k = %d", k, g.K)
		}
		if k == "auto" && (g.Auto == nil || g.K < 2 || g.K > 5 || len(g.Auto.Tried) != 4) {
			t.Errorf("-k auto on 56 papers: k = %d, auto %+v; want 2 to 5, four tried", g.K, g.Auto)
		}
	}
}

// checkGroup checks the JSON contract: every paper once, clusters by size
// (ties by label), papers by cosine to the centroid, 3-5 terms.
func checkGroup(t *testing.T, g groupJSON, n int) {
	t.Helper()
	if len(g.Clusters) != g.K {
		t.Errorf("k = %d with %d clusters", g.K, len(g.Clusters))
	}
	seen := map[string]bool{}
	for i, c := range g.Clusters {
		if c.ID != i {
			t.Errorf("cluster %d has id %d", i, c.ID)
		}
		if c.Size != len(c.Papers) || c.Size == 0 {
			t.Errorf("cluster %d: size %d with %d papers", i, c.Size, len(c.Papers))
		}
		if i > 0 {
			p := g.Clusters[i-1]
			if p.Size < c.Size || p.Size == c.Size && p.Label > c.Label {
				t.Errorf("cluster %d (%d, %q) after (%d, %q)", i, c.Size, c.Label, p.Size, p.Label)
			}
		}
		if len(c.Terms) > 5 || c.Label == "" {
			t.Errorf("cluster %d: label %q, terms %q", i, c.Label, c.Terms)
		}
		for j, p := range c.Papers {
			if seen[p.ID] {
				t.Errorf("paper %s in two clusters", p.ID)
			}
			seen[p.ID] = true
			if j > 0 && p.Score > c.Papers[j-1].Score {
				t.Errorf("cluster %d: paper %d scores %v after %v", i, j, p.Score, c.Papers[j-1].Score)
			}
			if p.Title == "" {
				t.Errorf("paper %s has no title", p.ID)
			}
		}
	}
	if len(seen) != n {
		t.Errorf("%d papers grouped, want %d", len(seen), n)
	}
}

func TestGroupMoreClustersThanPapers(t *testing.T) {
	db := seededGroupDB(t)
	out, errs, code := papersiftGroupRun(t, db, "group", "-k", "80", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(errs, "using k = 56") {
		t.Errorf("no note that k is capped: %q", errs)
	}
	var g groupJSON
	if err := json.Unmarshal([]byte(out), &g); err != nil {
		t.Fatal(err)
	}
	checkGroup(t, g, 56)
}

func TestGroupUsage(t *testing.T) {
	db := seededGroupDB(t)
	for _, args := range [][]string{{"group", "-k", "0"}, {"group", "-k", "many"}, {"group", "--all", "--list", "x"}} {
		if _, _, code := papersiftGroupRun(t, db, args...); code != 2 {
			t.Errorf("%q: exit %d, want 2", args, code)
		}
	}
}
