package cluster

import (
	"context"
	"math"
	"math/rand/v2"
	"sort"

	"github.com/papersift/papersift/internal/f32"
	"github.com/papersift/papersift/internal/parallel"
)

// seed writes k starting centroids into centres (k x dim) by greedy
// k-means++ (Arthur and Vassilvitskii 2007; the greedy variant of
// scikit-learn): the first is a point drawn uniformly, each next one the
// best, by the potential it leaves, of 2 + ln k points drawn with
// probability proportional to the squared distance to the nearest centroid
// so far.
//
// The triangle inequality skips most distances without changing the result
// (Raff 2021, "Exact acceleration of k-means++ and k-means||"): a candidate
// c cannot come closer to point x than x's nearest centroid m when
// d(c, m) >= 2 d(x, m), and d(c, m) is one of only k distances per candidate.
func seed(ctx context.Context, data []float32, dim, k int, rng *rand.Rand, centres []float32) error {
	n := len(data) / dim
	near := make([]int32, n)  // nearest centroid so far
	d2 := make([]float64, n)  // squared distance to it
	dn := make([]float64, n)  // the distance
	cum := make([]float64, n) // running sums of d2, for the draws
	first := rng.IntN(n)
	copy(centres[:dim], row(data, dim, first))
	if err := parallel.For(ctx, n, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			c := f32.DotFMA(row(data, dim, i), centres[:dim])
			dn[i] = dist(c)
			d2[i] = dn[i] * dn[i]
		}
	}); err != nil {
		return err
	}
	trials := 2 + int(math.Log(float64(k)))
	cand := make([]int, trials)
	cdist := make([]float64, trials*k) // candidate to centroid distances
	ccos := make([]float32, k)
	nd2 := make([]float64, trials*n) // squared distance to the nearest with candidate t
	pot := make([][]float64, parts)  // potential of each candidate, by part
	for p := range pot {
		pot[p] = make([]float64, trials)
	}
	for m := 1; m < k; m++ {
		var total float64
		for i, v := range d2 {
			total += v
			cum[i] = total
		}
		for t := range cand {
			if total <= 0 {
				cand[t] = rng.IntN(n) // every point is on a centroid already
				continue
			}
			u := rng.Float64() * total
			// the first point whose running sum exceeds u
			cand[t] = min(n-1, sort.Search(n, func(i int) bool { return cum[i] > u }))
		}
		for t, c := range cand {
			f32.Dots(row(data, dim, c), centres[:m*dim], ccos[:m])
			for j, v := range ccos[:m] {
				cdist[t*k+j] = dist(v)
			}
		}
		if err := parallel.Fixed(ctx, n, parts, func(p, lo, hi int) {
			s := pot[p]
			clear(s)
			ts := make([]int, 0, trials)
			rows := make([]int, 0, trials)
			sims := make([]float32, trials)
			for i := lo; i < hi; i++ {
				ts, rows = ts[:0], rows[:0]
				for t, c := range cand {
					nd2[t*n+i] = d2[i]
					if cdist[t*k+int(near[i])] < 2*dn[i] {
						ts = append(ts, t)
						rows = append(rows, c)
					}
				}
				if len(ts) > 0 {
					f32.DotsAt(row(data, dim, i), data, rows, sims[:len(rows)])
					for q, t := range ts {
						cd := dist(sims[q])
						if v := cd * cd; v < d2[i] {
							nd2[t*n+i] = v
						}
					}
				}
				for t := range cand {
					s[t] += nd2[t*n+i]
				}
			}
		}); err != nil {
			return err
		}
		best, bestPot := 0, math.Inf(1)
		for t := range cand {
			var s float64
			for p := range pot {
				s += pot[p][t]
			}
			if s < bestPot {
				best, bestPot = t, s
			}
		}
		copy(centres[m*dim:(m+1)*dim], row(data, dim, cand[best]))
		nb := nd2[best*n : (best+1)*n]
		for i, v := range nb {
			if v < d2[i] {
				d2[i], dn[i], near[i] = v, math.Sqrt(v), int32(m)
			}
		}
	}
	return nil
}
