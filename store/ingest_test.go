package store

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/papersift/papersift/paper"
)

func openIngestTest(t testing.TB) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "p.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func ingestPaper(id string, derived bool, title, abstract string) Row {
	return Row{Paper: paper.Paper{ID: id, DerivedID: derived, Title: title, Abstract: abstract}, TitleKey: title, TextHash: "h:" + title + "|" + abstract}
}

// TestIngestMerge: one paper per work, whatever order the sources come in.
func TestIngestMerge(t *testing.T) {
	ctx := context.Background()
	n3 := 3
	tests := []struct {
		name    string
		batches [][]Row
		wantIDs []string // stored ids by pid
		new     []int    // per ingest
		updated []int
	}{
		{
			name: "page then real id",
			batches: [][]Row{
				{ingestPaper("title-a", true, "a", "abs a"), ingestPaper("title-b", true, "b", "abs b")},
				{ingestPaper("2405.1", false, "a", "abs a")},
			},
			wantIDs: []string{"2405.1", "title-b"}, new: []int{2, 0}, updated: []int{0, 1},
		},
		{
			name: "real id then page",
			batches: [][]Row{
				{ingestPaper("2405.1", false, "a", "abs a")},
				{ingestPaper("title-a", true, "a", "abs a"), ingestPaper("title-b", true, "b", "abs b")},
			},
			wantIDs: []string{"2405.1", "title-b"}, new: []int{1, 1}, updated: []int{0, 0},
		},
		{
			name: "page and real id in one ingest",
			batches: [][]Row{
				{ingestPaper("title-a", true, "a", "abs a"), ingestPaper("2405.1", false, "a", "abs a"), ingestPaper("2405.2", false, "a", "abs a")},
			},
			// two different ids are never merged: the second real id is its own paper
			wantIDs: []string{"2405.1", "2405.2"}, new: []int{2}, updated: []int{0},
		},
		{
			name: "same id twice",
			batches: [][]Row{
				{ingestPaper("x", false, "t", "one"), ingestPaper("x", false, "t", "two")},
				{ingestPaper("x", false, "t", "two")},
			},
			wantIDs: []string{"x"}, new: []int{1, 0}, updated: []int{0, 0},
		},
		{
			name: "metadata is kept when a source lacks it",
			batches: [][]Row{
				{{Paper: paper.Paper{ID: "title-a", DerivedID: true, Title: "a", Abstract: "abs", NAuthors: &n3, Org: "Org"}, TitleKey: "a", TextHash: "h"}},
				{{Paper: paper.Paper{ID: "1", Title: "a", Abstract: "abs", Authors: []string{"X"}}, TitleKey: "a", TextHash: "h"}},
			},
			wantIDs: []string{"1"}, new: []int{1, 0}, updated: []int{0, 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openIngestTest(t)
			for i, b := range tt.batches {
				res, err := s.Ingest(ctx, []Batch{{List: fmt.Sprint("l", i), Papers: b}})
				if err != nil {
					t.Fatal(err)
				}
				if res.New != tt.new[i] || res.Updated != tt.updated[i] || res.Read != len(b) {
					t.Errorf("ingest %d: %+v; want %d new, %d updated", i, res, tt.new[i], tt.updated[i])
				}
			}
			ps, err := s.Papers(ctx, Filter{})
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			byID := map[string]Row{}
			for _, p := range ps {
				ids = append(ids, p.ID)
				byID[p.ID] = p
			}
			if fmt.Sprint(ids) != fmt.Sprint(tt.wantIDs) {
				t.Errorf("ids %v, want %v", ids, tt.wantIDs)
			}
			if tt.name == "metadata is kept when a source lacks it" {
				p := byID["1"]
				if p.DerivedID || p.Org != "Org" || p.NAuthors == nil || *p.NAuthors != 3 || len(p.Authors) != 1 || len(p.Lists) != 2 {
					t.Errorf("merged paper %+v", p)
				}
			}
		})
	}
}

// TestIngestDropsOnlyChangedVectors: a changed text drops that paper's
// vectors; the others stay.
func TestIngestDropsOnlyChangedVectors(t *testing.T) {
	ctx := context.Background()
	s := openIngestTest(t)
	var ps []Row
	for i := 0; i < 5; i++ {
		ps = append(ps, ingestPaper(fmt.Sprint("p", i), false, fmt.Sprint("t", i), "abs"))
	}
	if _, err := s.Ingest(ctx, []Batch{{List: "a", Papers: ps}}); err != nil {
		t.Fatal(err)
	}
	m, err := s.EnsureModel(ctx, "test", "openai", 2)
	if err != nil {
		t.Fatal(err)
	}
	var vs []Vector
	for i := range ps {
		vs = append(vs, Vector{PID: int64(i + 1), Hash: ps[i].TextHash, Vec: []float32{1, 0}})
	}
	if n, err := s.PutVectors(ctx, m, vs); err != nil || n != 5 {
		t.Fatalf("put %d vectors: %v", n, err)
	}
	changed := ingestPaper("p2", false, "t2", "a new abstract")
	res, err := s.Ingest(ctx, []Batch{{List: "b", Papers: append(ps[:2:2], changed)}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Updated != 1 || len(res.Changed) != 1 || res.Changed[0] != 3 {
		t.Errorf("%+v; want one paper updated, pid 3 changed", res)
	}
	missing, err := s.Missing(ctx, m.MID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(missing) != 1 || missing[0].ID != "p2" {
		t.Errorf("missing vectors: %+v, want only p2", missing)
	}
	if c, _ := s.VectorCounts(ctx); c["test"] != 4 {
		t.Errorf("vectors %v, want 4", c)
	}
}

// BenchmarkIngest stores fresh papers: the insert path of a large ingest.
func BenchmarkIngest(b *testing.B) {
	ctx := context.Background()
	const n = 10_000
	abstract := "We study a problem at length. " + fmt.Sprintf("%0900d", 0)
	for b.Loop() {
		b.StopTimer()
		s := openIngestTest(b)
		ps := make([]Row, n)
		for i := range ps {
			ps[i] = Row{Paper: paper.Paper{ID: fmt.Sprintf("s%07d", i), Title: fmt.Sprintf("Title %d", i*7919%n), Abstract: abstract,
				Authors: []string{"A", "B"}}, TextHash: fmt.Sprint(i)}
			ps[i].TitleKey = ps[i].Title
		}
		b.StartTimer()
		if _, err := s.Ingest(ctx, []Batch{{List: "l", Papers: ps}}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "papers/s")
}
