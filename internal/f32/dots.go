package f32

// Dots sets out[j] to the inner product of x with row j of rows, a
// row-major matrix of len(out) rows of len(x) values. On amd64 with AVX2 and
// FMA it runs a fused multiply-add kernel that takes four rows per pass over
// x (several times the speed of Dot); elsewhere a plain Go loop. Its results
// may differ from Dot's in the last bits, but for the same inputs on the same
// machine they are always the same.
func Dots(x, rows, out []float32) {
	n := len(x)
	if len(rows) < n*len(out) {
		panic("f32: Dots: rows shorter than len(x) * len(out)")
	}
	if n == 0 {
		clear(out)
		return
	}
	dots(x, rows[:n*len(out)], out)
}

// DotsAt sets out[q] to the inner product of x with row idx[q] of rows, a
// row-major matrix of rows of len(x) values, with the arithmetic of Dots.
func DotsAt(x, rows []float32, idx []int, out []float32) {
	n := len(x)
	if len(idx) != len(out) {
		panic("f32: DotsAt: len(idx) != len(out)")
	}
	for _, r := range idx {
		if r < 0 || (r+1)*n > len(rows) {
			panic("f32: DotsAt: row index out of range")
		}
	}
	if n == 0 {
		clear(out)
		return
	}
	dotsAt(x, rows, idx, out)
}

func dotsAtGo(x, rows []float32, idx []int, out []float32) {
	n := len(x)
	for q, r := range idx {
		dotsGo(x, rows[r*n:(r+1)*n], out[q:q+1])
	}
}

// DotFMA returns the inner product of a and b (len(b) >= len(a)) with the
// arithmetic of Dots: DotFMA(x, r) == out[j] after Dots(x, rows, out) when r
// is row j.
func DotFMA(a, b []float32) float32 {
	var out [1]float32
	Dots(a, b[:len(a)], out[:])
	return out[0]
}

// dotsGo is the portable kernel. It keeps the vector kernel's sixteen
// running sums (lanes of even and odd blocks of eight) and adds them in the
// same order; only the rounding of the fused multiply-add differs.
func dotsGo(x, rows, out []float32) {
	n := len(x)
	m := n &^ 7
	for j := range out {
		r := rows[j*n : (j+1)*n : (j+1)*n]
		var s [2][8]float32
		for i := 0; i < m; i += 8 {
			b := &s[(i>>3)&1]
			xs, rs := x[i:i+8:i+8], r[i:i+8:i+8]
			for l := range 8 {
				b[l] += xs[l] * rs[l]
			}
		}
		var a [8]float32
		for l := range 8 {
			a[l] = s[0][l] + s[1][l]
		}
		t := ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]))
		for i := m; i < n; i++ {
			t += x[i] * r[i]
		}
		out[j] = t
	}
}
