package f32

// AboveMask sets bit j of mask (bit j%8 of mask[j/8]) when u > a[j]-b[j]
// and u > c[j], in float32 as Go computes them (a NaN is never above), and
// clears it otherwise, for j < len(a); b and c are at least as long as a,
// mask at least (len(a)+7)/8 bytes. It is the test k-means' Elkan bounds
// put to every centroid, eight at a time.
func AboveMask(u float32, a, b, c []float32, mask []uint8) {
	n := len(a)
	b, c, mask = b[:n], c[:n], mask[:(n+7)/8]
	m := aboveMask(u, a, b, c, mask)
	aboveMaskGo(u, a[m:], b[m:], c[m:], mask[m/8:])
}

// aboveMaskGo is AboveMask in Go.
func aboveMaskGo(u float32, a, b, c []float32, mask []uint8) {
	clear(mask[:(len(a)+7)/8])
	for j, x := range a {
		if u > x-b[j] && u > c[j] {
			mask[j/8] |= 1 << (j % 8)
		}
	}
}
