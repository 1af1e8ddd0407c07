package cluster

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
)

// kmeansBenchData is n unit vectors around 60 overlapping topic directions.
func kmeansBenchData(n, dim int) []float32 {
	rng := rand.New(rand.NewPCG(3, 4))
	centres := make([]float64, 60*dim)
	for i := range centres {
		centres[i] = rng.NormFloat64()
	}
	data := make([]float32, n*dim)
	for i := 0; i < n; i++ {
		c := centres[rng.IntN(60)*dim:][:dim]
		v := data[i*dim : (i+1)*dim]
		var norm float64
		for j := range v {
			x := c[j] + 1.2*rng.NormFloat64()
			v[j] = float32(x)
			norm += x * x
		}
		for j := range v {
			v[j] /= float32(math.Sqrt(norm))
		}
	}
	return data
}

// BenchmarkKMeans100k clusters 100,000 128-d vectors into 50 clusters with
// one start and 20 iterations: the peer script's scikit-learn KMeans run.
func BenchmarkKMeans100k(b *testing.B) {
	const n, dim = 100_000, 128
	data := kmeansBenchData(n, dim)
	b.SetBytes(4 * n * dim)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := (KMeans{K: 50, MaxIter: 20, Restarts: 1, Seed: 1}).Fit(context.Background(), data, dim); err != nil {
			b.Fatal(err)
		}
	}
}
