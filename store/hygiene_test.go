package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

func unitVec(dim, seed int) []float32 {
	v := make([]float32, dim)
	var n float64
	for i := range v {
		v[i] = float32(math.Sin(float64(seed*dim + i + 1)))
		n += float64(v[i]) * float64(v[i])
	}
	for i := range v {
		v[i] /= float32(math.Sqrt(n))
	}
	return v
}

// seedPapers stores n papers and returns their pids and hashes.
func seedPapers(t *testing.T, s *Store, n int) []Vector {
	t.Helper()
	ctx := context.Background()
	ps := make([]Row, n)
	for i := range ps {
		ps[i] = mkPaper(fmt.Sprintf("p%03d", i), fmt.Sprintf("Title %d", i), fmt.Sprintf("Abstract %d.", i))
	}
	if _, err := s.Ingest(ctx, []Batch{{List: "l", Papers: ps}}); err != nil {
		t.Fatal(err)
	}
	texts, err := s.AllTexts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	vs := make([]Vector, len(texts))
	for i, tx := range texts {
		vs[i] = Vector{PID: tx.PID, Hash: tx.Hash}
	}
	return vs
}

func withVecs(vs []Vector, dim, seed int) []Vector {
	out := make([]Vector, len(vs))
	for i, v := range vs {
		out[i] = Vector{PID: v.PID, Hash: v.Hash, Vec: unitVec(dim, seed+i)}
	}
	return out
}

func TestReadOnlyStore(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "new", "p.db")
	// A missing database is created, even for a reader.
	ro, err := Open(ctx, path, Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("read-only open of a missing database: %v", err)
	}
	if n, err := ro.Count(ctx); err != nil || n != 0 {
		t.Fatalf("count = %d, %v", n, err)
	}
	ro.Close()

	rw, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer rw.Close()
	seedPapers(t, rw, 3)

	ro, err = Open(ctx, path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if n, err := ro.Count(ctx); err != nil || n != 3 {
		t.Fatalf("count = %d, %v; want 3", n, err)
	}
	// Writes through it are refused, whatever the method.
	for name, err := range map[string]error{
		"AddInterest": ro.AddInterest(ctx, "x"),
		"SetMeta":     ro.SetMeta(ctx, "k", "v"),
		"Ingest": func() error {
			_, err := ro.Ingest(ctx, []Batch{{List: "m", Papers: []Row{mkPaper("q", "Q", "Q.")}}})
			return err
		}(),
	} {
		if !errors.Is(err, ErrReadOnly) {
			t.Errorf("%s on a read-only store: %v, want ErrReadOnly", name, err)
		}
	}
	// It reads one snapshot: what another process commits later is not seen.
	seedMore := []Row{mkPaper("late", "Late", "Late paper.")}
	if _, err := rw.Ingest(ctx, []Batch{{List: "later", Papers: seedMore}}); err != nil {
		t.Fatal(err)
	}
	if n, err := ro.Count(ctx); err != nil || n != 3 {
		t.Errorf("count after another writer's commit = %d, %v; want the snapshot's 3", n, err)
	}
	if ok, err := ro.ListExists(ctx, "later"); err != nil || ok {
		t.Errorf("list of a later commit visible: %v %v", ok, err)
	}
	ro2, err := Open(ctx, path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro2.Close()
	if n, err := ro2.Count(ctx); err != nil || n != 4 {
		t.Errorf("a new reader counts %d, %v; want 4", n, err)
	}
}

func TestForeignAndFolderRefused(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	foreign := filepath.Join(dir, "other.db")
	db, err := sql.Open("sqlite", foreign)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE notes (x); CREATE TABLE tags (y)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	before, err := os.ReadFile(foreign)
	if err != nil {
		t.Fatal(err)
	}
	for _, ro := range []bool{false, true} {
		if _, err := Open(ctx, foreign, Options{ReadOnly: ro}); !errors.Is(err, ErrNotDatabase) {
			t.Errorf("another program's database (read-only %v): %v, want ErrNotDatabase", ro, err)
		}
		if _, err := Open(ctx, dir, Options{ReadOnly: ro}); !errors.Is(err, ErrNotDatabase) {
			t.Errorf("a folder (read-only %v): %v, want ErrNotDatabase", ro, err)
		}
	}
	after, err := os.ReadFile(foreign)
	if err != nil || string(after) != string(before) {
		t.Errorf("the other program's database was changed (%v)", err)
	}
}

func TestConcurrentFirstOpen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "p.db")
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := Open(ctx, path, Options{ReadOnly: i%2 == 1})
			if err == nil {
				_, err = s.Count(ctx)
				s.Close()
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("open %d: %v", i, err)
		}
	}
}

func TestReplaceFit(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	base := seedPapers(t, s, 40)
	old, err := s.SaveFit(ctx, "local/old", "local", 8, 40, []byte("old"))
	if err != nil {
		t.Fatal(err)
	}
	if n, err := s.PutVectors(ctx, old, withVecs(base, 8, 1)); err != nil || n != 40 {
		t.Fatalf("put: %d %v", n, err)
	}
	// A stale vector (text changed) is not stored by ReplaceFit either.
	vs := withVecs(base, 6, 2)
	vs[0].Hash = "older text"
	m, n, err := s.ReplaceFit(ctx, "local/new", "local", 6, 40, []byte("new"), vs)
	if err != nil || n != 39 || m.Dim != 6 || m.Name != "local/new" {
		t.Fatalf("ReplaceFit = %+v, %d, %v; want local/new of dim 6 with 39 vectors", m, n, err)
	}
	counts, err := s.VectorCounts(ctx)
	if err != nil || len(counts) != 1 || counts["local/new"] != 39 {
		t.Errorf("vector counts = %v, %v; want only local/new: 39", counts, err)
	}
	latest, err := s.LatestModel(ctx, "local")
	if err != nil || latest.Name != "local/new" {
		t.Errorf("latest = %+v, %v", latest, err)
	}
	mat, err := s.LoadVectors(ctx, m)
	if err != nil || len(mat.PIDs) != 39 {
		t.Fatalf("load: %v, %v", mat, err)
	}
	for i, pid := range mat.PIDs {
		want := unitVec(6, 2+int(pid-base[0].PID))
		for j, x := range mat.Row(i) {
			if x != want[j] {
				t.Fatalf("paper %d: vector %v, want %v", pid, mat.Row(i), want)
			}
		}
	}
	// A process still holding the old model cannot store into it.
	if _, err := s.PutVectors(ctx, old, withVecs(base[:1], 8, 3)); !errors.Is(err, ErrModelGone) {
		t.Errorf("PutVectors into a replaced model: %v, want ErrModelGone", err)
	}
	// SaveFit drops before it inserts, so SQLite gives the new model the
	// dropped one's mid: a stale model is still told apart, by name.
	third, err := s.SaveFit(ctx, "local/third", "local", 6, 40, []byte("third"))
	if err != nil {
		t.Fatal(err)
	}
	stale := *third
	stale.Name = "local/a-fit-dropped-meanwhile"
	if _, err := s.PutVectors(ctx, &stale, withVecs(base[:1], 6, 3)); !errors.Is(err, ErrModelGone) {
		t.Errorf("PutVectors with a model whose mid was reused: %v, want ErrModelGone", err)
	}
	if _, _, err := s.ReplaceFit(ctx, "local/new", "local", 6, 40, []byte("new"), nil); err != nil {
		t.Fatal(err)
	}
	// Refitting to the same model keeps and overwrites its vectors.
	m2, n, err := s.ReplaceFit(ctx, "local/new", "local", 6, 40, []byte("new"), withVecs(base, 6, 4))
	if err != nil || n != 40 || m2.Name != m.Name {
		t.Fatalf("same-name ReplaceFit = %+v, %d, %v", m2, n, err)
	}
	if counts, _ := s.VectorCounts(ctx); counts["local/new"] != 40 {
		t.Errorf("after a same-name refit: %v, want 40", counts)
	}
}
