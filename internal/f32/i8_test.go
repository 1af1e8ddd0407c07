package f32

import (
	"math/rand/v2"
	"testing"
)

// DotsI8 (the AVX2 kernel where there is one) gives the exact integer
// products, extremes included, for dimensions of one, two and many blocks.
func TestDotsI8(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, dim := range []int{16, 32, 48, 160, 256, 1536} {
		qmax := min(32767, (1<<31-1)/(dim*127))
		for _, rows := range []int{1, 3, 17} {
			q := make([]int16, dim)
			codes := make([]int8, dim*rows+5)
			for j := range q {
				q[j] = int16(r.IntN(2*qmax+1) - qmax)
			}
			for j := range codes {
				codes[j] = int8(r.IntN(256) - 128)
			}
			if rows == 17 { // the extremes, where a kernel that saturates would differ
				for j := range q {
					q[j] = int16(qmax)
					codes[j] = -127
					codes[dim+j] = 127
				}
			}
			got := make([]int32, rows)
			DotsI8(q, codes, got)
			for i := range got {
				var want int64
				for j := range q {
					want += int64(q[j]) * int64(codes[i*dim+j])
				}
				if int64(got[i]) != want {
					t.Fatalf("dim %d row %d of %d: %d, want %d", dim, i, rows, got[i], want)
				}
			}
		}
	}
}

func TestDotsI8Refuses(t *testing.T) {
	for _, c := range []struct {
		q     int
		codes int
	}{{15, 100}, {16, 31}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("len(q) %d, len(codes) %d for 2 rows: no panic", c.q, c.codes)
				}
			}()
			DotsI8(make([]int16, c.q), make([]int8, c.codes), make([]int32, 2))
		}()
	}
}

func BenchmarkDotsI8x160(b *testing.B) {
	const dim, rows = 160, 4096
	q := make([]int16, dim)
	codes := make([]int8, dim*rows)
	for j := range codes {
		codes[j] = int8(j)
	}
	for j := range q {
		q[j] = int16(j * 100)
	}
	out := make([]int32, rows)
	b.SetBytes(dim * rows)
	for b.Loop() {
		DotsI8(q, codes, out)
	}
}
