package f32

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestAboveMaskAsGo(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	special := []float32{0, -0, 1, -1, float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), 1e-30, 0.5}
	val := func() float32 {
		if rng.IntN(6) == 0 {
			return special[rng.IntN(len(special))]
		}
		return float32(rng.NormFloat64())
	}
	set := 0
	for trial := range 3000 {
		n := trial % 75
		a, b, c := make([]float32, n), make([]float32, n), make([]float32, n)
		for j := range a {
			a[j], b[j], c[j] = val(), val(), val()
			if rng.IntN(8) == 0 { // ties: u == a-b or u == c
				b[j] = 0
			}
		}
		u := val()
		if n > 0 && rng.IntN(4) == 0 {
			u = a[rng.IntN(n)]
		}
		got := make([]uint8, (n+7)/8+1)
		want := make([]uint8, (n+7)/8+1)
		for i := range got {
			got[i] = 0xff // every bit of the mask's bytes is written
		}
		got[len(got)-1], want[len(want)-1] = 0x5a, 0x5a // past the mask: untouched
		AboveMask(u, a, b, c, got)
		aboveMaskGo(u, a, b, c, want)
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("n=%d u=%v: mask byte %d = %08b, want %08b\na=%v\nb=%v\nc=%v", n, u, i, got[i], want[i], a, b, c)
			}
		}
		for j := range n {
			in := u > a[j]-b[j] && u > c[j]
			if in != (want[j/8]&(1<<(j%8)) != 0) {
				t.Fatalf("aboveMaskGo bit %d wrong", j)
			}
			if in {
				set++
			}
		}
	}
	if set == 0 {
		t.Fatal("no bit was ever set: the test checks nothing")
	}
}

func BenchmarkAboveMask50(b *testing.B) {
	a, c, d := make([]float32, 50), make([]float32, 50), make([]float32, 50)
	for j := range a {
		a[j], c[j], d[j] = float32(j)/50, 0.01, 0.4
	}
	mask := make([]uint8, 7)
	for b.Loop() {
		AboveMask(0.5, a, c, d, mask)
	}
}
