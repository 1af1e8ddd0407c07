package papersift_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/papersift/papersift"
)

// TestSimilarByIndexIsExact: through the similarity index, similar returns
// what a scan of every float32 vector returns (papers, order and scores),
// for 100 random papers and a few texts, on a made-up corpus full of
// near-ties; and the index follows the vectors as they change.
func TestSimilarByIndexIsExact(t *testing.T) {
	ctx := context.Background()
	defer papersift.SetIndexFrom(300)()
	dir := t.TempDir()
	ev := &events{}
	l := libraryIn(t, dir, ev)
	if _, err := l.Ingest(ctx, papersift.IngestOptions{Sources: []string{writeCorpus(t, dir, "a.jsonl", 0, 1200)}}); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(l.IndexPath())
	if err != nil {
		t.Fatalf("no index after ingesting 1,200 papers: %v", err)
	}
	if db, err := os.Stat(filepath.Join(dir, "p.db")); err != nil || db.Mode().Perm() != fi.Mode().Perm() {
		t.Fatalf("the index's permissions %v, the database's %v (%v)", fi.Mode().Perm(), db.Mode().Perm(), err)
	}
	state := func() string {
		t.Helper()
		st, err := l.Stats(ctx)
		if err != nil || st.Index == nil {
			t.Fatalf("stats: %+v, %v", st, err)
		}
		return st.Index.State
	}
	if s := state(); s != "current" {
		t.Fatalf("stats after ingest: the index is %q", s)
	}
	r := rand.New(rand.NewPCG(5, 5))
	check := func(stage string, queries int) {
		t.Helper()
		for i := range queries {
			o := papersift.SimilarOptions{Paper: fmt.Sprintf("synthetic-%05d", r.IntN(1200)), K: 10}
			if i%10 == 9 {
				o = papersift.SimilarOptions{Text: "robot grasping trajectory with galaxy spectra", K: 7}
			}
			if i%10 == 8 {
				o.Scope = papersift.Scope{Lists: []string{"b"}}
				if stage == "first" {
					continue
				}
			}
			before := papersift.IndexAnswers()
			got, err := l.Similar(ctx, o)
			if err != nil {
				t.Fatal(err)
			}
			if papersift.IndexAnswers() != before+1 {
				t.Fatalf("%s: the index did not answer %+v", stage, o)
			}
			restore := papersift.SetIndexFrom(math.MaxInt)
			want, err := l.Similar(ctx, o)
			restore()
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != o.K && o.Scope.Lists == nil || !reflect.DeepEqual(got, want) {
				t.Fatalf("%s, %+v:\n index %v\n scan  %v", stage, o, got, want)
			}
		}
	}
	check("first", 100)
	// new papers change the vectors (and refit the model): the index follows
	if _, err := l.Ingest(ctx, papersift.IngestOptions{Sources: []string{writeCorpus(t, dir, "b.jsonl", 1200, 700)}, List: "b"}); err != nil {
		t.Fatal(err)
	}
	check("after a second list", 40)
	// a damaged index file is rebuilt, never trusted
	if err := os.WriteFile(l.IndexPath(), []byte("papersift-simidx garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	if s := state(); s != "damaged" {
		t.Fatalf("stats after damage: the index is %q", s)
	}
	check("after damage", 10)
	if s := state(); s != "current" {
		t.Fatalf("stats after similar rebuilt it: the index is %q", s)
	}
	// a damaged code (which no checksum of the header or per-paper numbers
	// covers) is found by the scan's own checksums: rebuilt, never used
	b, err := os.ReadFile(l.IndexPath())
	if err != nil {
		t.Fatal(err)
	}
	const at = 3000 // in the first pass's blocks, which every query reads
	b[at] ^= 0x55
	if err := os.WriteFile(l.IndexPath(), b, 0o644); err != nil {
		t.Fatal(err)
	}
	check("after a damaged code", 10)
	if fixed, _ := os.ReadFile(l.IndexPath()); fixed[at] == b[at] {
		t.Fatal("the damaged index was not rebuilt")
	}
}

// TestGroupAndQueueFromIndex: group and queue read the vectors mapped from
// the similarity index when it is current, and answer exactly what they
// answer from the database.
func TestGroupAndQueueFromIndex(t *testing.T) {
	ctx := context.Background()
	defer papersift.SetIndexFrom(300)()
	dir := t.TempDir()
	l := libraryIn(t, dir, &events{})
	if _, err := l.Ingest(ctx, papersift.IngestOptions{Sources: []string{writeCorpus(t, dir, "a.jsonl", 0, 900)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Rate(ctx, "like", []string{"synthetic-00003", "synthetic-00107", "synthetic-00555"}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Rate(ctx, "dislike", []string{"synthetic-00042"}); err != nil {
		t.Fatal(err)
	}
	if err := l.AddInterest(ctx, "galaxy spectra"); err != nil {
		t.Fatal(err)
	}
	answer := func() (*papersift.Groups, *papersift.Groups, []papersift.QueueItem) {
		t.Helper()
		g, err := l.Group(ctx, papersift.GroupOptions{Scope: papersift.Scope{All: true}, K: 5, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		auto, err := l.Group(ctx, papersift.GroupOptions{Scope: papersift.Scope{All: true}, Seed: 2})
		if err != nil {
			t.Fatal(err)
		}
		q, err := l.Queue(ctx, papersift.QueueOptions{Scope: papersift.Scope{All: true}, N: 30})
		if err != nil {
			t.Fatal(err)
		}
		return g, auto, q
	}
	before := papersift.IndexMatrices()
	g1, a1, q1 := answer()
	if papersift.IndexMatrices() != before+1 {
		t.Fatalf("%d matrices mapped from the index for 3 commands, want one shared", papersift.IndexMatrices()-before)
	}
	if err := os.Remove(l.IndexPath()); err != nil {
		t.Fatal(err)
	}
	// a new library: the removed index maps nothing
	l.Close()
	l = libraryIn(t, dir, &events{})
	g2, a2, q2 := answer()
	if papersift.IndexMatrices() != before+1 {
		t.Fatal("a matrix mapped with no index")
	}
	if !reflect.DeepEqual(g1, g2) || !reflect.DeepEqual(a1, a2) || !reflect.DeepEqual(q1, q2) {
		t.Fatal("group or queue from the index differ from those from the database")
	}
	// titles for the first papers of each cluster only: the same groups,
	// the other titles empty
	g3, err := l.Group(ctx, papersift.GroupOptions{Scope: papersift.Scope{All: true}, K: 5, Seed: 1, TitlesFor: 2})
	if err != nil {
		t.Fatal(err)
	}
	for c := range g1.Clusters {
		for i, p := range g3.Clusters[c].Papers {
			want := g1.Clusters[c].Papers[i]
			if i >= 2 {
				want.Title = ""
			}
			if p != want || want.Title == "" && i < 2 {
				t.Fatalf("TitlesFor 2, cluster %d paper %d: %+v, want %+v", c, i, p, want)
			}
		}
	}
}

// libraryIn is a Library of the database dir/p.db, closed when the test ends.
func libraryIn(t *testing.T, dir string, ev *events) *papersift.Library {
	t.Helper()
	l, err := papersift.New(papersift.Config{DB: filepath.Join(dir, "p.db"), Events: ev,
		Now: func() time.Time { return time.Date(2026, 1, 9, 8, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// A small scope (a day's list among many papers) reads its own papers' ids
// and vectors only: the same groups as from every paper's, for every
// TitlesFor, with a paper of the list without a vector left out alike.
func TestGroupOfSmallScope(t *testing.T) {
	ctx := context.Background()
	defer papersift.SetIndexFrom(300)()
	dir := t.TempDir()
	l := libraryIn(t, dir, &events{})
	if _, err := l.Ingest(ctx, papersift.IngestOptions{Sources: []string{writeCorpus(t, dir, "a.jsonl", 0, 700)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Ingest(ctx, papersift.IngestOptions{Sources: []string{writeCorpus(t, dir, "day.jsonl", 700, 60)}, List: "day"}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Ingest(ctx, papersift.IngestOptions{Sources: []string{writeCorpus(t, dir, "late.jsonl", 760, 3)}, List: "day", NoEmbed: true}); err != nil {
		t.Fatal(err)
	}
	group := func(titlesFor int) *papersift.Groups {
		t.Helper()
		g, err := l.Group(ctx, papersift.GroupOptions{Scope: papersift.Scope{Lists: []string{"day"}}, K: 4, Seed: 1, TitlesFor: titlesFor})
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	for _, tf := range []int{0, 3, -1} {
		small := group(tf)
		restore := papersift.SetSmallScope(0)
		whole := group(tf)
		restore()
		if !reflect.DeepEqual(small, whole) {
			t.Fatalf("TitlesFor %d: the day's groups from its own vectors differ from those from every vector:\n%+v\n%+v", tf, small, whole)
		}
		n := 0
		for _, c := range small.Clusters {
			n += len(c.Papers)
		}
		if n != 60 || small.Missing != 3 {
			t.Fatalf("TitlesFor %d: %d papers grouped, %d missing; want 60 and 3", tf, n, small.Missing)
		}
	}
}
