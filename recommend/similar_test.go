package recommend

import (
	"context"
	"math"
	"math/rand/v2"
	"sort"
	"testing"
)

func randomUnit(rng *rand.Rand, n, dim int) []float32 {
	data := make([]float32, n*dim)
	for i := 0; i < n; i++ {
		var ss float64
		row := data[i*dim : (i+1)*dim]
		for j := range row {
			row[j] = float32(rng.NormFloat64())
			ss += float64(row[j]) * float64(row[j])
		}
		for j := range row {
			row[j] /= float32(math.Sqrt(ss))
		}
	}
	return data
}

func TestTopKMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const n, dim = 3000, 48
	data := randomUnit(rng, n, dim)
	for _, k := range []int{1, 10, 100, n + 5} {
		q := data[7*dim : 8*dim]
		skip := func(i int) bool { return i == 7 || i%10 == 3 }
		got, err := TopK(context.Background(), data, dim, q, k, skip)
		if err != nil {
			t.Fatal(err)
		}
		var all []Hit
		for i := 0; i < n; i++ {
			if skip(i) {
				continue
			}
			var s float32
			for j := 0; j < dim; j++ {
				s += q[j] * data[i*dim+j]
			}
			all = append(all, Hit{i, s})
		}
		sort.Slice(all, func(a, b int) bool { return better(all[a], all[b]) })
		want := all[:min(k, len(all))]
		if len(got) != len(want) {
			t.Fatalf("k=%d: %d hits, want %d", k, len(got), len(want))
		}
		for i := range want {
			if got[i].Index != want[i].Index || math.Abs(float64(got[i].Score-want[i].Score)) > 1e-5 {
				t.Fatalf("k=%d: hit %d = %+v, want %+v", k, i, got[i], want[i])
			}
		}
	}
}

func TestTopKTiesAndEmpty(t *testing.T) {
	data := []float32{1, 0, 1, 0, 0, 1, 1, 0}
	got, _ := TopK(context.Background(), data, 2, []float32{1, 0}, 2, nil)
	if len(got) != 2 || got[0].Index != 0 || got[1].Index != 1 {
		t.Errorf("ties not broken by index: %+v", got)
	}
	if got, _ := TopK(context.Background(), nil, 2, []float32{1, 0}, 3, nil); len(got) != 0 {
		t.Errorf("empty data gave %v", got)
	}
}

func TestNearestOverPiecesMatchesTopK(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const n, dim = 1000, 24
	data := randomUnit(rng, n, dim)
	q := data[:dim]
	want, _ := TopK(context.Background(), data, dim, q, 15, func(i int) bool { return i == 0 })
	// the same rows in pieces, in reverse order, keyed by row
	nb := NewNearest(15)
	for hi := n; hi > 0; hi -= 128 {
		lo := max(0, hi-128)
		keys := make([]int, hi-lo)
		for i := range keys {
			keys[i] = lo + i
		}
		nb.Add(data[lo*dim:hi*dim], dim, q, keys, func(k int) bool { return k == 0 })
	}
	got := nb.Hits()
	if len(got) != len(want) {
		t.Fatalf("%d hits, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("hit %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}
