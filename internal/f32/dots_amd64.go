//go:build amd64 && !purego

package f32

// hasAVX2FMA reports whether the CPU and the OS support AVX2 and FMA.
var hasAVX2FMA = cpuAVX2FMA()

func cpuAVX2FMA() bool

// dot4 sets out[0..3] to the inner products of x with c0..c3 over their
// first n values; n is a multiple of 8.
//
//go:noescape
func dot4(x, c0, c1, c2, c3 *float32, n int, out *float32)

// dot1 returns the inner product of x and c over their first n values; n is
// a multiple of 8.
//
//go:noescape
func dot1(x, c *float32, n int) float32

func dots(x, rows, out []float32) {
	if !hasAVX2FMA {
		dotsGo(x, rows, out)
		return
	}
	n := len(x)
	m := n &^ 7 // the kernels' part; the tail is added in Go
	if m == 0 {
		dotsGo(x, rows, out)
		return
	}
	j := 0
	for ; j+4 <= len(out); j += 4 {
		dot4(&x[0], &rows[j*n], &rows[(j+1)*n], &rows[(j+2)*n], &rows[(j+3)*n], m, &out[j])
		if m < n {
			for q := j; q < j+4; q++ {
				out[q] += tail(x[m:], rows[q*n+m:(q+1)*n])
			}
		}
	}
	for ; j < len(out); j++ {
		out[j] = dot1(&x[0], &rows[j*n], m)
		if m < n {
			out[j] += tail(x[m:], rows[j*n+m:(j+1)*n])
		}
	}
}

func dotsAt(x, rows []float32, idx []int, out []float32) {
	n := len(x)
	m := n &^ 7
	if !hasAVX2FMA || m == 0 {
		dotsAtGo(x, rows, idx, out)
		return
	}
	q := 0
	for ; q+4 <= len(idx); q += 4 {
		r0, r1, r2, r3 := idx[q]*n, idx[q+1]*n, idx[q+2]*n, idx[q+3]*n
		dot4(&x[0], &rows[r0], &rows[r1], &rows[r2], &rows[r3], m, &out[q])
		if m < n {
			out[q] += tail(x[m:], rows[r0+m:r0+n])
			out[q+1] += tail(x[m:], rows[r1+m:r1+n])
			out[q+2] += tail(x[m:], rows[r2+m:r2+n])
			out[q+3] += tail(x[m:], rows[r3+m:r3+n])
		}
	}
	for ; q < len(idx); q++ {
		r := idx[q] * n
		out[q] = dot1(&x[0], &rows[r], m)
		if m < n {
			out[q] += tail(x[m:], rows[r+m:r+n])
		}
	}
}

func tail(x, r []float32) float32 {
	var t float32
	for i := range x {
		t += x[i] * r[i]
	}
	return t
}

// dotI8 sets out[0..rows-1] to the inner products of q (dim int16 values)
// with rows rows of dim int8 codes; dim is a multiple of 16.
//
//go:noescape
func dotI8(q *int16, codes *int8, dim, rows int, out *int32)

func dotsI8(q []int16, codes []int8, out []int32) {
	if !hasAVX2FMA {
		dotsI8Go(q, codes, out)
		return
	}
	dotI8(&q[0], &codes[0], len(q), len(out), &out[0])
}

// aboveMask8 sets mask[0..n/8-1] as AboveMask does; n is a multiple of 8.
//
//go:noescape
func aboveMask8(u float32, a, b, c *float32, n int, mask *uint8)

// aboveMask does the part of AboveMask that is whole bytes of the mask
// (with AVX2) and returns how many values it did.
func aboveMask(u float32, a, b, c []float32, mask []uint8) int {
	m := len(a) &^ 7
	if !hasAVX2FMA || m == 0 {
		return 0
	}
	aboveMask8(u, &a[0], &b[0], &c[0], m, &mask[0])
	return m
}
