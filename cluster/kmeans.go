// Package cluster groups unit vectors with spherical k-means and names the
// groups by their most distinctive terms.
//
// The objective is spherical (cosine) k-means on L2-normalised vectors: each
// point x goes to the centroid c of highest cosine, centroids are the
// normalised means of their points, and the inertia minimised is
// sum(1 - cos(x, c)), which equals half the squared Euclidean distance
// between unit vectors. Same data and seed give the same result, on any
// number of cores.
package cluster

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/papersift/papersift/internal/f32"
	"github.com/papersift/papersift/internal/parallel"
)

// KMeans configures a fit. The zero value is usable: K = 8, 100 iterations,
// tolerance 1e-6, 4 restarts, seed 0.
type KMeans struct {
	K        int     // number of clusters (capped at the number of points)
	MaxIter  int     // Lloyd iterations per restart
	Tol      float64 // stop when the inertia improves by less than Tol (relative)
	Restarts int     // independent k-means++ starts; the lowest inertia wins
	Seed     uint64
}

// Result is a fitted clustering.
type Result struct {
	K         int
	Assign    []int       // cluster of each point
	Centroids [][]float32 // unit vectors
	Inertia   float64     // sum over points of 1 - cos(point, its centroid)
	Iter      int         // Lloyd iterations of the winning restart
}

// ErrNoPoints is returned for an empty input.
var ErrNoPoints = errors.New("cluster: no points")

func (km KMeans) withDefaults() KMeans {
	if km.K <= 0 {
		km.K = 8
	}
	if km.MaxIter <= 0 {
		km.MaxIter = 100
	}
	if km.Tol <= 0 {
		km.Tol = 1e-6
	}
	if km.Restarts <= 0 {
		km.Restarts = 4
	}
	return km
}

// Fit clusters the n = len(data)/dim unit vectors of data (row-major). When
// K exceeds n, K = n.
func (km KMeans) Fit(ctx context.Context, data []float32, dim int) (*Result, error) {
	km = km.withDefaults()
	if dim <= 0 || len(data)%dim != 0 {
		return nil, fmt.Errorf("cluster: %d values are not rows of %d", len(data), dim)
	}
	n := len(data) / dim
	if n == 0 {
		return nil, ErrNoPoints
	}
	k := min(km.K, n)
	var best *Result
	for r := 0; r < km.Restarts; r++ {
		rng := rand.New(rand.NewPCG(km.Seed, uint64(r)+0x5851f42d4c957f2d))
		res, err := lloyd(ctx, data, dim, k, km, rng)
		if err != nil {
			return nil, err
		}
		if best == nil || res.Inertia < best.Inertia {
			best = res
		}
	}
	return best, nil
}

func row(data []float32, dim, i int) []float32 {
	return data[i*dim : (i+1)*dim : (i+1)*dim]
}

// seed picks k centres by greedy k-means++: each new centre is the best of
// 2 + ln k candidates drawn in proportion to the distance to the nearest
// centre so far.
func seed(ctx context.Context, data []float32, dim, k int, rng *rand.Rand) ([][]float32, error) {
	n := len(data) / dim
	centres := make([][]float32, 0, k)
	add := func(i int) {
		c := make([]float32, dim)
		copy(c, row(data, dim, i))
		centres = append(centres, c)
	}
	add(rng.IntN(n))
	// dist[i] = 1 - max cos to the centres so far
	dist := make([]float64, n)
	if err := parallel.For(ctx, n, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			dist[i] = math.Max(0, 1-float64(f32.Dot(row(data, dim, i), centres[0])))
		}
	}); err != nil {
		return nil, err
	}
	trials := 2 + int(math.Log(float64(k)))
	cand := make([]int, trials)
	newDist := make([][]float64, trials)
	for t := range newDist {
		newDist[t] = make([]float64, n)
	}
	for len(centres) < k {
		var total float64
		for _, d := range dist {
			total += d
		}
		for t := range cand {
			if total <= 0 {
				cand[t] = rng.IntN(n)
				continue
			}
			u := rng.Float64() * total
			i := 0
			for ; i < n-1; i++ {
				u -= dist[i]
				if u < 0 {
					break
				}
			}
			cand[t] = i
		}
		err := parallel.For(ctx, n, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				x := row(data, dim, i)
				for t, c := range cand {
					d := math.Max(0, 1-float64(f32.Dot(x, row(data, dim, c))))
					newDist[t][i] = math.Min(dist[i], d)
				}
			}
		})
		if err != nil {
			return nil, err
		}
		bestT, bestPot := 0, math.Inf(1)
		for t := range cand {
			var pot float64
			for _, d := range newDist[t] {
				pot += d
			}
			if pot < bestPot {
				bestT, bestPot = t, pot
			}
		}
		add(cand[bestT])
		copy(dist, newDist[bestT])
	}
	return centres, nil
}

// parts is the fixed number of partial sums of the update step, so that
// the floating-point result never depends on the number of cores.
const parts = 16

func lloyd(ctx context.Context, data []float32, dim, k int, km KMeans, rng *rand.Rand) (*Result, error) {
	n := len(data) / dim
	centres, err := seed(ctx, data, dim, k, rng)
	if err != nil {
		return nil, err
	}
	assign := make([]int, n)
	sim := make([]float32, n)
	sums := make([][]float64, parts)
	counts := make([][]int, parts)
	for p := range sums {
		sums[p] = make([]float64, k*dim)
		counts[p] = make([]int, k)
	}
	prev := math.Inf(1)
	res := &Result{K: k}
	for it := 1; it <= km.MaxIter; it++ {
		// assignment
		if err := parallel.For(ctx, n, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				x := row(data, dim, i)
				best, bs := 0, float32(math.Inf(-1))
				for c, cv := range centres {
					if s := f32.Dot(x, cv); s > bs {
						best, bs = c, s
					}
				}
				assign[i], sim[i] = best, bs
			}
		}); err != nil {
			return nil, err
		}
		var inertia float64
		for _, s := range sim {
			inertia += 1 - float64(s)
		}
		res.Iter, res.Inertia = it, inertia
		// update: partial sums over fixed parts, combined in order
		if err := parallel.Fixed(ctx, n, parts, func(p, lo, hi int) {
			s, c := sums[p], counts[p]
			clear(s)
			clear(c)
			for i := lo; i < hi; i++ {
				a := assign[i]
				c[a]++
				dst := s[a*dim : (a+1)*dim]
				for j, v := range row(data, dim, i) {
					dst[j] += float64(v)
				}
			}
		}); err != nil {
			return nil, err
		}
		total := make([]float64, k*dim)
		count := make([]int, k)
		for p := 0; p < parts; p++ {
			for j, v := range sums[p] {
				total[j] += v
			}
			for j, v := range counts[p] {
				count[j] += v
			}
		}
		for c := 0; c < k; c++ {
			if count[c] == 0 {
				// an empty cluster takes the point worst served by its centre
				far := 0
				for i := 1; i < n; i++ {
					if sim[i] < sim[far] {
						far = i
					}
				}
				copy(centres[c], row(data, dim, far))
				sim[far] = 1
				continue
			}
			var ss float64
			for _, v := range total[c*dim : (c+1)*dim] {
				ss += v * v
			}
			inv := 1 / math.Sqrt(ss)
			if ss == 0 {
				inv = 0
			}
			for j := 0; j < dim; j++ {
				centres[c][j] = float32(total[c*dim+j] * inv)
			}
		}
		if prev-inertia <= km.Tol*math.Abs(prev) && it > 1 {
			break
		}
		prev = inertia
	}
	// final assignment to the final centres
	if err := parallel.For(ctx, n, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			x := row(data, dim, i)
			best, bs := 0, float32(math.Inf(-1))
			for c, cv := range centres {
				if s := f32.Dot(x, cv); s > bs {
					best, bs = c, s
				}
			}
			assign[i], sim[i] = best, bs
		}
	}); err != nil {
		return nil, err
	}
	var inertia float64
	for _, s := range sim {
		inertia += 1 - float64(s)
	}
	res.Assign, res.Centroids, res.Inertia = assign, centres, inertia
	return res, nil
}
