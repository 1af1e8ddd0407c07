//go:build !amd64 || purego

package f32

func dots(x, rows, out []float32) { dotsGo(x, rows, out) }

func dotsAt(x, rows []float32, idx []int, out []float32) { dotsAtGo(x, rows, idx, out) }

func dotsI8(q []int16, codes []int8, out []int32) { dotsI8Go(q, codes, out) }

func aboveMask(u float32, a, b, c []float32, mask []uint8) int { return 0 }
