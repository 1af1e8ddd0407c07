package recommend

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// A fit that stops once its gradient has shrunk by lrTol gives the weights
// of one that runs every step within 1% (0.17% here), and ranks papers the
// same.
func TestLearnStopsConverged(t *testing.T) {
	ctx := context.Background()
	const dim, nneg, npos = 32, 3000, 8
	rng := rand.New(rand.NewPCG(5, 6))
	unit := func(shift float32) []float32 {
		v := make([]float32, dim)
		var n float64
		for j := range v {
			v[j] = float32(rng.NormFloat64())
			if j < 4 {
				v[j] += shift
			}
			n += float64(v[j]) * float64(v[j])
		}
		for j := range v {
			v[j] /= float32(math.Sqrt(n))
		}
		return v
	}
	var pos [][]float32
	for range npos {
		pos = append(pos, unit(2))
	}
	neg := &examples{dim: dim, negatives: nneg}
	for range nneg + 2 { // two dislikes after the negatives
		neg.x = append(neg.x, unit(0)...)
	}
	wStop, bStop, err := learn(ctx, pos, neg, 3)
	if err != nil {
		t.Fatal(err)
	}
	defer func(old float64) { lrTol = old }(lrTol)
	lrTol = 0 // every step
	wAll, bAll, err := learn(ctx, pos, neg, 3)
	if err != nil {
		t.Fatal(err)
	}
	var d, n float64
	for j := range wAll {
		d += float64(wStop[j]-wAll[j]) * float64(wStop[j]-wAll[j])
		n += float64(wAll[j]) * float64(wAll[j])
	}
	if math.Sqrt(d) > 0.01*math.Sqrt(n) || math.Abs(bStop-bAll) > 0.01*math.Abs(bAll)+1e-6 {
		t.Fatalf("stopped fit off by %.3g (weights, relative) and %.3g (bias)", math.Sqrt(d/n), bStop-bAll)
	}
	if slices.Equal(wStop, wAll) {
		t.Fatal("the fit did not stop early: the test checks nothing")
	}
	// the same order of 500 papers
	papers := make([][]float32, 500)
	for i := range papers {
		papers[i] = unit(float32(i%3) * 0.7)
	}
	order := func(w []float32, b float64) []int {
		score := make([]float64, len(papers))
		for i, x := range papers {
			for j := range x {
				score[i] += float64(w[j]) * float64(x[j])
			}
			score[i] += b
		}
		out := make([]int, len(papers))
		for i := range out {
			out[i] = i
		}
		slices.SortStableFunc(out, func(a, b int) int {
			switch {
			case score[a] > score[b]:
				return -1
			case score[a] < score[b]:
				return 1
			}
			return 0
		})
		return out
	}
	if a, b := order(wStop, bStop), order(wAll, bAll); !slices.Equal(a[:20], b[:20]) {
		t.Errorf("the top 20 differ:\n%v\n%v", a[:20], b[:20])
	}
}
