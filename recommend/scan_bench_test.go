package recommend

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/papersift/papersift/internal/f32"
	"github.com/papersift/papersift/internal/parallel"
)

// benchScan measures the exact top-10 scan of n x dim float32 vectors; the
// bytes per op are the matrix, so ns/op converts to GB/s of memory read.
func benchScan(b *testing.B, n, dim int) {
	rng := rand.New(rand.NewPCG(1, 1))
	data := randomUnit(rng, n, dim)
	q := data[:dim]
	b.SetBytes(int64(4 * n * dim))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := TopK(context.Background(), data, dim, q, 10, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkScan100kx384(b *testing.B)  { benchScan(b, 100_000, 384) }
func BenchmarkScan100kx1536(b *testing.B) { benchScan(b, 100_000, 1536) }

// BenchmarkMemoryRead is the machine's reference: streaming a 600 MB float32
// array through the same SIMD kernel on all cores (each part dotted with
// itself, so it is read once), about as fast as memory can be read here.
func BenchmarkMemoryRead(b *testing.B) {
	data := make([]float32, 150_000_000)
	for i := range data {
		data[i] = float32(i & 7)
	}
	b.SetBytes(int64(4 * len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		const parts = 64
		sums := make([]float32, parts)
		if err := parallel.Fixed(context.Background(), len(data), parts, func(p, lo, hi int) {
			sums[p] = f32.Dot(data[lo:hi], data[lo:hi])
		}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkQueue5000 ranks a 5,000-paper list of 128-dimensional vectors
// against ten likes, two dislikes and an interest (the CLI's queue, minus
// loading).
func BenchmarkQueue5000(b *testing.B) {
	const k, n, dim = 10, 500, 128
	data := topics(5, k, n, dim, 1.0)
	p := Profile{Likes: []int{0, 10, 20, 30, 40, 1, 11, 21, 31, 41}, Dislikes: []int{2, 12}, Interests: [][]float32{data[3*dim : 4*dim]}}
	var cand []int
	for i := 50; i < k*n; i++ {
		cand = append(cand, i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Rank(context.Background(), data, dim, cand, p, QueueOptions{N: 20}); err != nil {
			b.Fatal(err)
		}
	}
}
