//go:build !amd64 || purego

package f32

func dots(x, rows, out []float32) { dotsGo(x, rows, out) }

func dotsAt(x, rows []float32, idx []int, out []float32) { dotsAtGo(x, rows, idx, out) }
