package store

import (
	"context"
	"errors"
	"testing"
)

// ReplaceFitStream embeds every paper in batches within one transaction:
// the vectors it is given are stored (but those of papers left out, or
// with another text), the old model is gone, progress counts every paper.
func TestReplaceFitStream(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	const n = streamBatch + 500 // two batches
	base := seedPapers(t, s, n)
	old, err := s.SaveFit(ctx, "local/old", "local", 8, n, []byte("old"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutVectors(ctx, old, withVecs(base, 8, 1)); err != nil {
		t.Fatal(err)
	}
	first := base[0].PID
	batches, done := 0, 0
	m, stored, err := s.ReplaceFitStream(ctx, "local/new", "local", 6, n, []byte("new"), func(batch []TextToEmbed) ([]Vector, error) {
		batches++
		var vs []Vector
		for _, tx := range batch {
			if tx.PID == first+7 {
				continue // a paper the model cannot embed
			}
			h := tx.Hash
			if tx.PID == first+9 {
				h = "another text"
			}
			vs = append(vs, Vector{PID: tx.PID, Hash: h, Vec: unitVec(6, int(tx.PID))})
		}
		return vs, nil
	}, func(k int) { done += k })
	if err != nil {
		t.Fatal(err)
	}
	if batches != 2 || done != n || stored != n-2 || m.Name != "local/new" || m.Dim != 6 {
		t.Fatalf("%d batches, progress %d, %d stored, model %+v; want 2, %d, %d, local/new of 6", batches, done, stored, m, n, n-2)
	}
	counts, err := s.VectorCounts(ctx)
	if err != nil || len(counts) != 1 || counts["local/new"] != n-2 {
		t.Errorf("vector counts %v, %v", counts, err)
	}
	mat, err := s.LoadVectors(ctx, m)
	if err != nil || len(mat.PIDs) != n-2 {
		t.Fatalf("load: %d, %v", len(mat.PIDs), err)
	}
	for i, pid := range mat.PIDs {
		want := unitVec(6, int(pid))
		for j, x := range mat.Row(i) {
			if x != want[j] {
				t.Fatalf("paper %d: stored %v, want %v", pid, mat.Row(i), want)
			}
		}
	}
	// an error of embed rolls everything back: the model and its vectors stay
	boom := errors.New("boom")
	if _, _, err := s.ReplaceFitStream(ctx, "local/third", "local", 6, n, nil, func([]TextToEmbed) ([]Vector, error) { return nil, boom }, nil); !errors.Is(err, boom) {
		t.Fatalf("a failing embed: %v", err)
	}
	if counts, _ := s.VectorCounts(ctx); counts["local/new"] != n-2 || len(counts) != 1 {
		t.Errorf("after a failed refit: %v", counts)
	}
	// TextsOf reads the texts asked for, in their order
	got, err := s.TextsOf(ctx, []int64{first + 3, first + 1, 1 << 40})
	if err != nil || len(got) != 2 || got[0].PID != first+3 || got[1].PID != first+1 || got[0].Title == "" {
		t.Errorf("TextsOf: %+v, %v", got, err)
	}
	// ... and more than one query's worth, in the order asked, a repeat kept
	var many []int64
	for i := n - 1; i >= 0; i -= 2 {
		many = append(many, first+int64(i))
	}
	many = append(many, first)
	got, err = s.TextsOf(ctx, many)
	if err != nil || len(got) != len(many) {
		t.Fatalf("TextsOf of %d: %d texts, %v", len(many), len(got), err)
	}
	for i, tx := range got {
		if tx.PID != many[i] || tx.Hash == "" {
			t.Fatalf("TextsOf of %d: text %d is %+v, want pid %d", len(many), i, tx, many[i])
		}
	}
}
