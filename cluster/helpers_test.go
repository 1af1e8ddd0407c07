package cluster

import (
	"math"
	"math/rand/v2"
	"testing"
)

// blobs returns n unit vectors of dim values around k random unit centres
// (point i belongs to blob i % k), with noise of the given spread.
func blobs(t testing.TB, n, k, dim int, spread float64, seed uint64) ([]float32, []int) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 1))
	centres := make([]float64, k*dim)
	for i := range centres {
		centres[i] = rng.NormFloat64()
	}
	for c := 0; c < k; c++ {
		normalize64(centres[c*dim : (c+1)*dim])
	}
	data := make([]float32, n*dim)
	labels := make([]int, n)
	x := make([]float64, dim)
	for i := 0; i < n; i++ {
		c := i % k
		labels[i] = c
		for j := range x {
			x[j] = centres[c*dim+j] + spread*rng.NormFloat64()/math.Sqrt(float64(dim))
		}
		normalize64(x)
		for j, v := range x {
			data[i*dim+j] = float32(v)
		}
	}
	return data, labels
}

func normalize64(x []float64) {
	var ss float64
	for _, v := range x {
		ss += v * v
	}
	inv := 1 / math.Sqrt(ss)
	for j := range x {
		x[j] *= inv
	}
}

// samePartition reports whether two assignments group the points alike,
// whatever the cluster numbers.
func samePartition(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	ab, ba := map[int]int{}, map[int]int{}
	for i := range a {
		if x, ok := ab[a[i]]; ok && x != b[i] {
			return false
		}
		if x, ok := ba[b[i]]; ok && x != a[i] {
			return false
		}
		ab[a[i]], ba[b[i]] = b[i], a[i]
	}
	return true
}

// nearest returns the centroid of highest cosine to x (the first on a tie)
// and the cosine, in float64.
func nearest(x []float32, centroids [][]float32) (int, float64) {
	best, bs := -1, math.Inf(-1)
	for c, cv := range centroids {
		var s float64
		for j := range x {
			s += float64(x[j]) * float64(cv[j])
		}
		if s > bs {
			best, bs = c, s
		}
	}
	return best, bs
}

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0)) }
