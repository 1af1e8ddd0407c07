package cluster

import (
	"context"
	"math"
	"testing"
)

func TestAutoKFindsBlobs(t *testing.T) {
	for _, tc := range []struct {
		name      string
		n, k, dim int
		spread    float64
	}{
		{"three well-separated blobs", 90, 3, 16, 0.2},
		{"three blobs in 256-d", 150, 3, 256, 0.3},
		{"five blobs", 300, 5, 32, 0.4},
		{"eight blobs", 400, 8, 64, 0.5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data, labels := blobs(t, tc.n, tc.k, tc.dim, tc.spread, 2)
			ch, err := AutoK{KMeans: KMeans{Seed: 1}}.Fit(context.Background(), data, tc.dim)
			if err != nil {
				t.Fatal(err)
			}
			if ch.K != tc.k {
				t.Errorf("chose k = %d (scores %v), want %d", ch.K, ch.Tried, tc.k)
			}
			if ch.Criterion != "silhouette" || ch.Result == nil || ch.Result.K != ch.K {
				t.Errorf("criterion %q, result %+v", ch.Criterion, ch.Result)
			}
			if ch.Result != nil && !samePartition(ch.Result.Assign, labels) {
				t.Error("the clusters are not the blobs")
			}
			if first, last := ch.Tried[0].K, ch.Tried[len(ch.Tried)-1].K; first != 2 || last != MaxK(tc.n) {
				t.Errorf("tried k from %d to %d, want 2 to %d", first, last, MaxK(tc.n))
			}
		})
	}
}

func TestAutoKSampled(t *testing.T) {
	// a large input: candidates are fitted on a sample, the choice on all
	data, labels := blobs(t, 3000, 4, 24, 0.4, 3)
	ch, err := AutoK{Sample: 100, Max: 8, KMeans: KMeans{Seed: 2}}.Fit(context.Background(), data, 24)
	if err != nil {
		t.Fatal(err)
	}
	if ch.K != 4 || len(ch.Result.Assign) != 3000 || !samePartition(ch.Result.Assign, labels) {
		t.Errorf("k = %d over %d points; want the 4 blobs of all 3000", ch.K, len(ch.Result.Assign))
	}
}

func TestAutoKSmallInputs(t *testing.T) {
	for _, n := range []int{1, 2, 5} {
		data, _ := blobs(t, n, 1, 8, 0.5, 4)
		ch, err := AutoK{}.Fit(context.Background(), data, 8)
		if err != nil {
			t.Fatal(err)
		}
		if ch.K != 1 || ch.Criterion != "none" || len(ch.Result.Assign) != n {
			t.Errorf("n=%d: k = %d by %q; want 1 by none", n, ch.K, ch.Criterion)
		}
	}
}

func TestMaxK(t *testing.T) {
	for _, tc := range []struct{ n, want int }{
		{1, 1}, {5, 1}, {6, 2}, {12, 2}, {18, 3}, {56, 5}, {150, 9}, {300, 12}, {800, 20}, {4831, 20}, {74000, 20},
	} {
		if got := MaxK(tc.n); got != tc.want {
			t.Errorf("MaxK(%d) = %d, want %d", tc.n, got, tc.want)
		}
	}
}

func TestSilhouette(t *testing.T) {
	ctx := context.Background()
	// two tight, opposite pairs: silhouette near 1
	data := []float32{1, 0, 0.99, 0.141, -1, 0, -0.99, -0.141}
	normalizeRows(data, 2)
	s, err := Silhouette(ctx, data, 2, []int{0, 0, 1, 1}, nil)
	if err != nil || s < 0.95 {
		t.Errorf("tight opposite pairs: silhouette %v (err %v), want > 0.95", s, err)
	}
	// the same points split across the pairs: negative
	s, err = Silhouette(ctx, data, 2, []int{0, 1, 0, 1}, nil)
	if err != nil || s >= 0 {
		t.Errorf("mixed pairs: silhouette %v (err %v), want < 0", s, err)
	}
	// every point alone: 0 by convention
	s, err = Silhouette(ctx, data, 2, []int{0, 1, 2, 3}, nil)
	if err != nil || s != 0 {
		t.Errorf("singletons: silhouette %v (err %v), want 0", s, err)
	}
	// a sample of the points
	s, err = Silhouette(ctx, data, 2, []int{0, 0, 1, 1}, []int{0, 2})
	if err != nil || s != 0 {
		t.Errorf("sample of one point per cluster: silhouette %v (err %v), want 0", s, err)
	}
}

func normalizeRows(data []float32, dim int) {
	for i := 0; i < len(data); i += dim {
		var ss float64
		for _, v := range data[i : i+dim] {
			ss += float64(v) * float64(v)
		}
		inv := float32(1 / math.Sqrt(ss))
		for j := i; j < i+dim; j++ {
			data[j] *= inv
		}
	}
}

func TestChooseK(t *testing.T) {
	for _, c := range []struct {
		tried []Tried
		want  int
	}{
		// paper abstracts: nested topics, close silhouettes
		{[]Tried{{2, 0.20}, {3, 0.18}, {4, 0.165}, {5, 0.12}}, 4},
		// well-separated blobs: the best, not a split of them
		{[]Tried{{2, 0.62}, {3, 1.0}, {4, 0.91}, {5, 0.81}}, 3},
		// a tie: the smaller k, then the largest within reach
		{[]Tried{{2, 0.3}, {3, 0.3}, {4, 0.1}}, 3},
		{[]Tried{{2, -0.1}, {3, -0.2}}, 2},
		{[]Tried{{7, 0.5}}, 7},
		// no structure: silhouettes all alike; at most 2 above the best k
		{[]Tried{{2, 0.104}, {3, 0.1}, {4, 0.099}, {5, 0.098}, {6, 0.097}, {7, 0.096}}, 4},
	} {
		if k, _ := chooseK(c.tried); k != c.want {
			t.Errorf("%v: k = %d, want %d", c.tried, k, c.want)
		}
	}
}
