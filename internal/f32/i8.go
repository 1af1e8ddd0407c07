package f32

// DotsI8 sets out[i] to the inner product of q with row i of codes, a
// row-major matrix of len(out) rows of len(q) values in [-127, 127], in exact integer
// arithmetic. len(q) must be a multiple of 16 and every |q[j]| small enough
// that no sum leaves int32: len(q) * 127 * max|q[j]| < 2^31 (the caller
// scales q so). On amd64 with AVX2 it runs a kernel that takes 32 values per
// step; elsewhere a plain Go loop. The results are exact either way.
func DotsI8(q []int16, codes []int8, out []int32) {
	n := len(q)
	if n%16 != 0 {
		panic("f32: DotsI8: len(q) is not a multiple of 16")
	}
	if len(codes) < n*len(out) {
		panic("f32: DotsI8: codes shorter than len(q) * len(out)")
	}
	if n == 0 || len(out) == 0 {
		clear(out)
		return
	}
	dotsI8(q, codes[:n*len(out)], out)
}

func dotsI8Go(q []int16, codes []int8, out []int32) {
	n := len(q)
	for i := range out {
		row := codes[i*n : (i+1)*n : (i+1)*n]
		var s0, s1, s2, s3 int32
		for j := 0; j+3 < n; j += 4 {
			s0 += int32(q[j]) * int32(row[j])
			s1 += int32(q[j+1]) * int32(row[j+1])
			s2 += int32(q[j+2]) * int32(row[j+2])
			s3 += int32(q[j+3]) * int32(row[j+3])
		}
		out[i] = s0 + s1 + s2 + s3
	}
}
