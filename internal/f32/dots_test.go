package f32

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestDots(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 17, 24, 31, 100, 256, 257} {
		for _, k := range []int{0, 1, 3, 4, 5, 8, 9} {
			x := make([]float32, n)
			rows := make([]float32, n*k+3) // longer than needed: only n*k are read
			for i := range x {
				x[i] = rng.Float32() - 0.5
			}
			for i := range rows {
				rows[i] = rng.Float32() - 0.5
			}
			out := make([]float32, k)
			for j := range out {
				out[j] = 99
			}
			Dots(x, rows, out)
			goOut := make([]float32, k)
			dotsGo(x, rows[:n*k], goOut)
			for j := range out {
				var want float64
				for i := range x {
					want += float64(x[i]) * float64(rows[j*n+i])
				}
				if math.Abs(float64(out[j])-want) > 1e-5 {
					t.Errorf("n=%d k=%d: Dots[%d] = %v, want %v", n, k, j, out[j], want)
				}
				if math.Abs(float64(goOut[j])-want) > 1e-5 {
					t.Errorf("n=%d k=%d: dotsGo[%d] = %v, want %v", n, k, j, goOut[j], want)
				}
				if n > 0 {
					if got := DotFMA(x, rows[j*n:]); got != out[j] {
						t.Errorf("n=%d k=%d: DotFMA = %v, Dots[%d] = %v: the kernels disagree", n, k, got, j, out[j])
					}
				}
			}
		}
	}
}

func TestDotsAt(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{0, 3, 8, 17, 256} {
		const nrows = 7
		x := make([]float32, n)
		rows := make([]float32, n*nrows)
		for i := range x {
			x[i] = rng.Float32() - 0.5
		}
		for i := range rows {
			rows[i] = rng.Float32() - 0.5
		}
		all := make([]float32, nrows)
		Dots(x, rows, all)
		for _, idx := range [][]int{{}, {3}, {6, 0, 2}, {1, 1, 5, 4}, {0, 6, 2, 2, 3, 5}} {
			out := make([]float32, len(idx))
			DotsAt(x, rows, idx, out)
			goOut := make([]float32, len(idx))
			dotsAtGo(x, rows, idx, goOut)
			for q, r := range idx {
				if out[q] != all[r] {
					t.Errorf("n=%d idx=%v: DotsAt[%d] = %v, Dots[%d] = %v", n, idx, q, out[q], r, all[r])
				}
				if math.Abs(float64(goOut[q]-all[r])) > 1e-5 {
					t.Errorf("n=%d idx=%v: dotsAtGo[%d] = %v, want %v", n, idx, q, goOut[q], all[r])
				}
			}
		}
	}
}

func TestDotsAtPanicsOnBadIndex(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("DotsAt with a row index out of range did not panic")
		}
	}()
	DotsAt(make([]float32, 4), make([]float32, 8), []int{0, 2}, make([]float32, 2))
}

func TestDotsPanicsOnShortRows(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Dots with too few rows did not panic")
		}
	}()
	Dots(make([]float32, 4), make([]float32, 7), make([]float32, 2))
}

func BenchmarkDots256x50(b *testing.B) {
	x := make([]float32, 256)
	rows := make([]float32, 256*50)
	for i := range rows {
		rows[i] = float32(i%13) / 13
	}
	for i := range x {
		x[i] = float32(i%7) / 7
	}
	out := make([]float32, 50)
	b.SetBytes(4 * 256 * 50)
	for b.Loop() {
		Dots(x, rows, out)
	}
}

func BenchmarkDot256x50(b *testing.B) {
	x := make([]float32, 256)
	rows := make([]float32, 256*50)
	out := make([]float32, 50)
	b.SetBytes(4 * 256 * 50)
	for b.Loop() {
		for j := range out {
			out[j] = Dot(x, rows[j*256:])
		}
	}
}
