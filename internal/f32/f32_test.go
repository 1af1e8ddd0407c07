package f32

import (
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas/blas32"
)

func TestDot(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 7, 8, 9, 31, 256, 1536} {
		a, b := make([]float32, n), make([]float32, n)
		var want float64
		for i := range a {
			a[i], b[i] = rng.Float32()-0.5, rng.Float32()-0.5
			want += float64(a[i]) * float64(b[i])
		}
		if got := Dot(a, b); float64(got)-want > 1e-4 || want-float64(got) > 1e-4 {
			t.Errorf("n=%d: Dot = %v, want %v", n, got, want)
		}
	}
}

func TestAxpyScale(t *testing.T) {
	x := []float32{1, 2, 3}
	y := []float32{1, 1, 1, 9}
	Axpy(2, x, y)
	Scale(0.5, y)
	want := []float32{1.5, 2.5, 3.5, 4.5}
	for i := range want {
		if y[i] != want[i] {
			t.Fatalf("got %v, want %v", y, want)
		}
	}
}

func benchDot(b *testing.B, n int, dot func(a, b []float32) float32) {
	x, y := make([]float32, n), make([]float32, n)
	for i := range x {
		x[i], y[i] = float32(i%7), float32(i%5)
	}
	b.SetBytes(int64(8 * n))
	var s float32
	for i := 0; i < b.N; i++ {
		s += dot(x, y)
	}
	_ = s
}

func BenchmarkDot256(b *testing.B) { benchDot(b, 256, Dot) }
func BenchmarkGonumSdot256(b *testing.B) {
	benchDot(b, 256, func(x, y []float32) float32 {
		return blas32.Dot(blas32.Vector{N: len(x), Data: x, Inc: 1}, blas32.Vector{N: len(y), Data: y, Inc: 1})
	})
}
