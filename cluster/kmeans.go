// Package cluster groups unit vectors with spherical k-means and names the
// groups by their most distinctive terms.
//
// The objective is spherical (cosine) k-means on L2-normalised vectors: each
// point x goes to the centroid c of highest cosine, centroids are the
// normalised means of their points, and the inertia minimised is
// sum(1 - cos(x, c)), which equals half the squared Euclidean distance
// between unit vectors. Because of that identity the nearest centroid by
// cosine is the nearest by Euclidean distance, and the triangle inequality
// of the Euclidean distance prunes most of the work (Elkan's or Hamerly's
// bounds in the Lloyd iterations, the same idea in k-means++ seeding) without
// changing the result.
//
// Same data and seed give the same result on any number of cores: every
// floating-point sum is taken over a split of the points that does not
// depend on the cores, and ties go to the lower index. (Machines with and
// without AVX2 round dot products differently, so results may differ
// between them in near-ties.)
package cluster

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"sort"

	"github.com/papersift/papersift/internal/f32"
	"github.com/papersift/papersift/internal/parallel"
)

// KMeans configures a fit. The zero value is usable: K = 8, at most 100
// iterations, tolerance 1e-6, settled at 0.1% of points moving, restarts
// chosen by the size of the input, seed 0.
// Restart r draws from the random stream (Seed, r), so a fit with more
// restarts tries the starts of one with fewer, and more.
type KMeans struct {
	// K is the number of clusters. More clusters than points is not an
	// error: K becomes the number of points.
	K int
	// MaxIter caps the Lloyd iterations of each restart.
	MaxIter int
	// Tol stops a restart when the centroids, all together, moved less than
	// this: the sum over centroids of the squared Euclidean distance between
	// the old and the new centroid. A restart also stops as soon as no point
	// changes cluster.
	Tol float64
	// Settled stops a restart when the share of points that changed cluster
	// in an iteration is at most this: the last iterations of a large fit
	// move a handful of points each and barely change the inertia. Zero
	// means 0.001 up to 50,000 points, 0.01 up to 200,000 (on 64,930
	// abstracts, k = 50: 16-17 iterations instead of 32-35 at 0.005, the
	// inertia 0.23-0.25% higher, less than it differs between two seeds,
	// 0.3%) and 0.02 above (on 1,000,000 papers, k = 100: 14 iterations instead of
	// 62, 8.5 s instead of 24.6 s, the inertia 0.26% higher); a negative
	// value runs to convergence (or MaxIter).
	Settled float64
	// Restarts is the number of independent k-means++ starts; the one of
	// lowest inertia wins (the earlier on a tie). Zero means 8 for up to
	// 10,000 points, 4 up to 20,000, 2 up to 50,000 and 1 above: a large
	// input averages over many points in one start, and each start costs
	// the most there.
	Restarts int
	// Seed seeds the random choices (the k-means++ draws); restart r uses
	// the stream (Seed, r).
	Seed uint64
	// OnIter, when set, is called after each Lloyd iteration with the
	// number of points that changed cluster (for a progress display).
	OnIter func(moved int)
}

// Result is a fitted clustering of n points.
type Result struct {
	K         int         // number of centroids (min of KMeans.K and n)
	Assign    []int       // cluster of each point, in [0, K)
	Cos       []float32   // cosine of each point to its centroid
	Centroids [][]float32 // unit vectors (a cluster left empty keeps a copy of a point)
	Sizes     []int       // points per cluster
	Inertia   float64     // sum over points of 1 - cos(point, its centroid)
	Iter      int         // Lloyd iterations of the winning restart
	Restart   int         // index of the winning restart
	// Sampled is the size of the sample the centroids were first fitted
	// on, before every point refined them (0: fitted on every point).
	Sampled int
}

// ErrNoPoints is returned for an empty input.
var ErrNoPoints = errors.New("cluster: no points")

func (km KMeans) withDefaults(n int) KMeans {
	if km.K <= 0 {
		km.K = 8
	}
	if km.MaxIter <= 0 {
		km.MaxIter = 100
	}
	if km.Tol <= 0 {
		km.Tol = 1e-6
	}
	if km.Settled == 0 {
		switch {
		case n > 200000:
			km.Settled = 0.02
		case n > 50000:
			km.Settled = 0.01
		default:
			km.Settled = 0.001
		}
	}
	if km.Restarts <= 0 {
		switch {
		case n <= 10000:
			km.Restarts = 8
		case n <= 20000:
			km.Restarts = 4
		case n <= 50000:
			km.Restarts = 2
		default:
			km.Restarts = 1
		}
	}
	return km
}

// checkData returns the number of rows of data.
func checkData(data []float32, dim int) (int, error) {
	if dim <= 0 || len(data)%dim != 0 {
		return 0, fmt.Errorf("cluster: %d values are not rows of %d", len(data), dim)
	}
	n := len(data) / dim
	if n == 0 {
		return 0, ErrNoPoints
	}
	return n, nil
}

// points are the points of a fit: rows of data, all of them in order, or
// those rows lists, in its order (so that a fit needs no copy of them).
type points struct {
	data []float32
	dim  int
	rows []int // nil: every row
	n    int
}

func allPoints(data []float32, dim int) points {
	return points{data: data, dim: dim, n: len(data) / dim}
}

// at is point i.
func (p points) at(i int) []float32 {
	if p.rows != nil {
		i = p.rows[i]
	}
	return p.data[i*p.dim : (i+1)*p.dim : (i+1)*p.dim]
}

// sub is the points idx lists, in that order.
func (p points) sub(idx []int) points {
	rows := make([]int, len(idx))
	for k, i := range idx {
		rows[k] = i
		if p.rows != nil {
			rows[k] = p.rows[i]
		}
	}
	return points{data: p.data, dim: p.dim, rows: rows, n: len(rows)}
}

// gather is the points side by side (data itself when it holds them all
// in order).
func (p points) gather() []float32 {
	if p.rows == nil {
		return p.data[:p.n*p.dim]
	}
	out := make([]float32, 0, p.n*p.dim)
	for i := range p.n {
		out = append(out, p.at(i)...)
	}
	return out
}

// Fit clusters the n = len(data)/dim unit vectors of data (row-major, as
// stored: Fit does not normalise them). When K exceeds n, K = n. When there
// are fewer distinct points than K, the surplus clusters stay empty (Sizes
// says so). Fit returns ctx.Err() when the context is cancelled.
func (km KMeans) Fit(ctx context.Context, data []float32, dim int) (*Result, error) {
	if _, err := checkData(data, dim); err != nil {
		return nil, err
	}
	return km.fit(ctx, allPoints(data, dim))
}

// FitRows is Fit of the rows of data that rows lists, in that order (point
// i of the result is row rows[i]), without copying them: the same result
// as Fit of those rows side by side.
func (km KMeans) FitRows(ctx context.Context, data []float32, dim int, rows []int) (*Result, error) {
	p, err := rowPoints(data, dim, rows)
	if err != nil {
		return nil, err
	}
	return km.fit(ctx, p)
}

// rowPoints checks rows against data.
func rowPoints(data []float32, dim int, rows []int) (points, error) {
	n, err := checkData(data, dim)
	if err != nil && !(errors.Is(err, ErrNoPoints) && len(rows) == 0) {
		return points{}, err
	}
	if len(rows) == 0 {
		return points{}, ErrNoPoints
	}
	for _, r := range rows {
		if r < 0 || r >= n {
			return points{}, fmt.Errorf("cluster: row %d of %d", r, n)
		}
	}
	return points{data: data, dim: dim, rows: rows, n: len(rows)}, nil
}

func (km KMeans) fit(ctx context.Context, p points) (*Result, error) {
	n, dim := p.n, p.dim
	km = km.withDefaults(n)
	k := min(km.K, n)
	var init []float32
	if n > fitSample && 4*k <= fitSample {
		// Fit on a uniform sample, then refine those centroids on every
		// point: the sample's fit lands near where the whole fit would,
		// and Lloyd's iterations over every point then start close to the
		// end (a million papers: 18 s -> see bench/RESULTS.md).
		rng := rand.New(rand.NewPCG(km.Seed, uint64(n)))
		idx := rng.Perm(n)[:fitSample]
		sort.Ints(idx)
		sub := km // the caller's restarts, the sample's own settle rule
		sub.Settled = 0
		sub.OnIter = nil
		res, err := sub.fit(ctx, p.sub(idx))
		if err != nil {
			return nil, err
		}
		for _, c := range res.Centroids {
			init = append(init, c...)
		}
		km.Restarts = 1
	}
	var best *Result
	w := newWork(n, k, dim)
	for r := 0; r < km.Restarts; r++ {
		rng := rand.New(rand.NewPCG(km.Seed, uint64(r)))
		res, err := w.run(ctx, p, k, km, rng, init)
		if err != nil {
			return nil, err
		}
		res.Restart = r
		if init != nil {
			res.Sampled = fitSample
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

// dist is the Euclidean distance between unit vectors of cosine cos.
func dist(cos float32) float64 {
	return math.Sqrt(max(0, 2-2*float64(cos)))
}

// seedSample caps the points k-means++ draws k starting centroids from:
// 200 a centroid, at least 10,000 and at most 20,000. Its greedy draws cost
// sample x k x (2 + ln k) distances, and the centroids move on with every
// point: on 64,930 abstracts (k = 50, 18 seeds) a sample of 10,000 instead
// of 20,000 gave the same final inertia (9,992 and 9,991, seeds differing
// by 20-30) in 0.30 s instead of 0.38 s.
func seedSample(k int) int {
	return min(20000, max(10000, 200*k))
}

// fitSample: above this many points, k-means is fitted on a uniform sample
// of that many, then refined on every point. On 1,000,000 papers, k = 100
// (group --all -k 100, bench/RESULTS.md): a sample of 200,000 fitted in
// 5.6 s (46 iterations) and the refinement in 1.5 s; one of 100,000 in 2.9
// s and 2.2 s, the final inertia 0.006% higher.
var fitSample = 100000

// parts is the fixed number of partial sums of every parallel reduction, so
// that the floating-point result never depends on the number of cores.
const parts = 32

// work holds the buffers of a restart, reused by the next.
type work struct {
	assign   []int
	upper    []float64 // distance from each point to its centroid, or more
	lower    []float64 // Hamerly: distance to every other centroid, or less
	lb       []float32 // Elkan: n x k, distance to each centroid, or less, plus drift
	drift    []float64 // Elkan: how far each centroid has moved in all
	drift32  []float32 // ... and in float32, with halfCC32, for the scan
	halfCC32 []float32
	sums     []float64 // k x dim
	counts   []int
	centres  []float32 // k x dim, the current centroids
	move     []float64 // distance each centroid moved in the last update
	half     []float64 // half the distance to the nearest other centroid
	halfCC   []float64 // k x k, half the distance between centroids
	cc       []float32 // k x k centroid cosines
}

// useElkan reports whether a fit of n points of dim values into k clusters
// keeps Elkan's n x k bounds: when they take at most half the memory of the
// points themselves, or 16 MB.
func useElkan(n, k, dim int) bool {
	return k > 1 && (n*k <= n*dim/2 || n*k <= 1<<22)
}

func newWork(n, k, dim int) *work {
	w := &work{
		assign:  make([]int, n),
		upper:   make([]float64, n),
		sums:    make([]float64, k*dim),
		counts:  make([]int, k),
		centres: make([]float32, k*dim),
		move:    make([]float64, k),
		half:    make([]float64, k),
		halfCC:  make([]float64, k*k),
		cc:      make([]float32, k*k),
	}
	if useElkan(n, k, dim) {
		w.lb = make([]float32, n*k)
		w.drift = make([]float64, k)
		w.drift32 = make([]float32, k)
		w.halfCC32 = make([]float32, k*k)
	} else {
		w.lower = make([]float64, n)
	}
	return w
}

// run is one restart: k-means++ seeding (on a sample of seedSample points
// of a larger input), then Lloyd iterations whose
// assignment steps skip the distances that the triangle inequality rules
// out (Elkan's bounds, or Hamerly's when Elkan's take too much memory).
func (w *work) run(ctx context.Context, p points, k int, km KMeans, rng *rand.Rand, init []float32) (*Result, error) {
	n, dim := p.n, p.dim
	var seedData []float32
	if init != nil {
		copy(w.centres, init)
	} else if ss := seedSample(k); n > ss {
		// k-means++ on a uniform sample: its cost grows with n times k, and
		// 200 points a centroid already cover every sizeable topic
		idx := rng.Perm(n)[:ss]
		sort.Ints(idx)
		seedData = make([]float32, 0, ss*dim)
		for _, i := range idx {
			seedData = append(seedData, p.at(i)...)
		}
	} else {
		seedData = p.gather()
	}
	if init == nil {
		if err := seed(ctx, seedData, dim, k, rng, w.centres); err != nil {
			return nil, err
		}
	}
	clear(w.drift)
	clear(w.drift32)
	// first assignment: every distance
	if err := parallel.For(ctx, n, func(lo, hi int) {
		sims := make([]float32, k)
		for i := lo; i < hi; i++ {
			w.assignFull(p, i, sims)
		}
	}); err != nil {
		return nil, err
	}
	if err := w.resum(ctx, p, k); err != nil {
		return nil, err
	}
	iter := 0
	for {
		iter++
		if err := w.reseedEmpty(ctx, p, k); err != nil {
			return nil, err
		}
		shift := w.update(dim, k)
		last := iter >= km.MaxIter || shift <= km.Tol
		w.halfGaps(dim, k)
		var moved [][]int32
		var err error
		if w.lb != nil {
			moved, err = w.assignElkan(ctx, p, k)
		} else {
			moved, err = w.assignHamerly(ctx, p, k)
		}
		if err != nil {
			return nil, err
		}
		changed := w.applyMoves(p, moved)
		if km.OnIter != nil {
			km.OnIter(changed)
		}
		if changed == 0 || last || float64(changed) <= km.Settled*float64(n) {
			break
		}
	}
	return w.result(ctx, p, k, iter)
}

// assignFull assigns point i by its cosine to every centroid and sets its
// bounds; it returns the cluster. sims is scratch space of k values.
func (w *work) assignFull(p points, i int, sims []float32) int {
	f32.Dots(p.at(i), w.centres, sims)
	best, second := 0, -1
	for c := 1; c < len(sims); c++ {
		switch {
		case sims[c] > sims[best]:
			best, second = c, best
		case second < 0 || sims[c] > sims[second]:
			second = c
		}
	}
	w.assign[i] = best
	w.upper[i] = dist(sims[best])
	switch {
	case w.lb != nil:
		k := len(sims)
		lb := w.lb[i*k : (i+1)*k]
		for c, v := range sims {
			lb[c] = float32(dist(v) + w.drift[c])
		}
	case second < 0:
		w.lower[i] = math.Inf(1)
	default:
		w.lower[i] = dist(sims[second])
	}
	return best
}

// assignHamerly reassigns the points whose bounds do not rule out a closer
// centroid (Hamerly 2010: one lower bound per point, on the distance to
// every centroid but its own) and returns the moves (pairs of point and
// former cluster, by part).
func (w *work) assignHamerly(ctx context.Context, p points, k int) ([][]int32, error) {
	n, dim := p.n, p.dim
	maxMove, maxAt, second := 0.0, -1, 0.0
	for c, m := range w.move {
		if m > maxMove {
			maxMove, maxAt, second = m, c, maxMove
		} else if m > second {
			second = m
		}
	}
	moved := make([][]int32, parts)
	err := parallel.Fixed(ctx, n, parts, func(part, lo, hi int) {
		sims := make([]float32, k)
		var mv []int32
		for i := lo; i < hi; i++ {
			a := w.assign[i]
			w.upper[i] += w.move[a]
			if a == maxAt {
				w.lower[i] -= second
			} else {
				w.lower[i] -= maxMove
			}
			m := max(w.half[a], w.lower[i])
			if w.upper[i] <= m {
				continue
			}
			w.upper[i] = dist(f32.DotFMA(p.at(i), row(w.centres, dim, a)))
			if w.upper[i] <= m {
				continue
			}
			if b := w.assignFull(p, i, sims); b != a {
				mv = append(mv, int32(i), int32(a))
			}
		}
		moved[part] = mv
	})
	return moved, err
}

// assignElkan reassigns points as Elkan (2003) does, with a lower bound on
// the distance from each point to each centroid: centroid j is skipped when
// the point's upper bound is below its bound for j or below half the
// distance between its centroid and j. Bounds are kept with the total drift
// of their centroid added, so that a centroid's move lowers all its bounds
// at once.
func (w *work) assignElkan(ctx context.Context, p points, k int) ([][]int32, error) {
	n, dim := p.n, p.dim
	for c, m := range w.move {
		w.drift[c] += m
		w.drift32[c] = float32(w.drift[c])
	}
	for j, h := range w.halfCC {
		w.halfCC32[j] = float32(h)
	}
	moved := make([][]int32, parts)
	err := parallel.Fixed(ctx, n, parts, func(part, lo, hi int) {
		var mv []int32
		cand := make([]int, 0, k)
		sims := make([]float32, k)
		mask := make([]uint8, (k+7)/8)
		for i := lo; i < hi; i++ {
			a := w.assign[i]
			u := w.upper[i] + w.move[a]
			w.upper[i] = u
			if u <= w.half[a] {
				continue
			}
			lb := w.lb[i*k : (i+1)*k : (i+1)*k]
			hc := w.halfCC[a*k : (a+1)*k : (a+1)*k]
			cand = cand[:0]
			// the scan runs for most points in every iteration: in float32,
			// with a margin that keeps a centroid when rounding could matter
			// (the kept ones are checked again in float64 below)
			u32 := float32(u + 1e-5)
			hc32 := w.halfCC32[a*k : (a+1)*k : (a+1)*k]
			f32.AboveMask(u32, lb, w.drift32, hc32, mask)
			for b, m := range mask {
				for ; m != 0; m &= m - 1 {
					if j := 8*b + bits.TrailingZeros8(m); j != a {
						cand = append(cand, j)
					}
				}
			}
			if len(cand) == 0 {
				continue
			}
			x := p.at(i)
			u = dist(f32.DotFMA(x, row(w.centres, dim, a)))
			w.upper[i] = u
			lb[a] = float32(u + w.drift[a])
			keep := cand[:0]
			for _, j := range cand {
				if u > float64(lb[j])-w.drift[j] && u > hc[j] {
					keep = append(keep, j)
				}
			}
			if len(keep) == 0 {
				continue
			}
			f32.DotsAt(x, w.centres, keep, sims[:len(keep)])
			b := a
			for q, j := range keep {
				d := dist(sims[q])
				lb[j] = float32(d + w.drift[j])
				if d < u || d == u && j < b {
					b, u = j, d
				}
			}
			if b != a {
				w.assign[i], w.upper[i] = b, u
				mv = append(mv, int32(i), int32(a))
			}
		}
		moved[part] = mv
	})
	return moved, err
}

// applyMoves updates the sums and counts for the points that changed
// cluster (pairs of point and former cluster), in point order, and returns
// how many moved.
func (w *work) applyMoves(p points, moved [][]int32) int {
	dim := p.dim
	changed := 0
	for _, mv := range moved {
		for q := 0; q < len(mv); q += 2 {
			i, from := int(mv[q]), int(mv[q+1])
			to := w.assign[i]
			fs := w.sums[from*dim : (from+1)*dim]
			ts := w.sums[to*dim : (to+1)*dim]
			for j, v := range p.at(i) {
				fs[j] -= float64(v)
				ts[j] += float64(v)
			}
			w.counts[from]--
			w.counts[to]++
			changed++
		}
	}
	return changed
}

// resum recomputes the per-cluster sums and counts from the assignment, in
// fixed parts added in order.
func (w *work) resum(ctx context.Context, p points, k int) error {
	n, dim := p.n, p.dim
	ps := make([][]float64, parts)
	pc := make([][]int, parts)
	err := parallel.Fixed(ctx, n, parts, func(part, lo, hi int) {
		if lo == hi {
			return
		}
		s, c := make([]float64, k*dim), make([]int, k)
		for i := lo; i < hi; i++ {
			a := w.assign[i]
			c[a]++
			dst := s[a*dim : (a+1)*dim]
			for j, v := range p.at(i) {
				dst[j] += float64(v)
			}
		}
		ps[part], pc[part] = s, c
	})
	if err != nil {
		return err
	}
	clear(w.sums)
	clear(w.counts)
	for p := range ps {
		if ps[p] == nil {
			continue
		}
		for j, v := range ps[p] {
			w.sums[j] += v
		}
		for j, v := range pc[p] {
			w.counts[j] += v
		}
	}
	return nil
}

// reseedEmpty gives each empty cluster the point farthest from its centroid
// among clusters of two or more points (the lowest index on a tie). When
// every point sits on its centroid (fewer distinct points than clusters)
// the cluster stays empty.
func (w *work) reseedEmpty(ctx context.Context, p points, k int) error {
	empty := false
	for _, c := range w.counts {
		if c == 0 {
			empty = true
		}
	}
	if !empty {
		return nil
	}
	n, dim := p.n, p.dim
	d := make([]float64, n)
	if err := parallel.For(ctx, n, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			a := w.assign[i]
			d[i] = dist(f32.DotFMA(p.at(i), row(w.centres, dim, a)))
			w.upper[i] = d[i]
		}
	}); err != nil {
		return err
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return d[order[a]] > d[order[b]] })
	next := 0
	for c := 0; c < k; c++ {
		if w.counts[c] != 0 {
			continue
		}
		for next < n && w.counts[w.assign[order[next]]] < 2 {
			next++
		}
		if next == n || d[order[next]] == 0 {
			return nil
		}
		i := order[next]
		next++
		from := w.assign[i]
		x := p.at(i)
		for j, v := range x {
			w.sums[from*dim+j] -= float64(v)
			w.sums[c*dim+j] += float64(v)
		}
		w.counts[from]--
		w.counts[c]++
		w.assign[i] = c
		w.upper[i] = 0
		if w.lb != nil {
			clear(w.lb[i*k : (i+1)*k]) // below any distance: recomputed
		} else {
			w.lower[i] = 0
		}
	}
	return nil
}

// update moves each centroid to the normalised sum of its points and returns
// the sum of squared moves.
func (w *work) update(dim, k int) float64 {
	var shift float64
	for c := 0; c < k; c++ {
		cent := w.centres[c*dim : (c+1)*dim]
		w.move[c] = 0
		if w.counts[c] == 0 {
			continue // empty for want of distinct points: stays where it is
		}
		s := w.sums[c*dim : (c+1)*dim]
		var ss float64
		for _, v := range s {
			ss += v * v
		}
		if ss == 0 {
			continue // points cancel out: keep the old direction
		}
		inv := 1 / math.Sqrt(ss)
		var d2 float64
		for j, v := range s {
			nv := float32(v * inv)
			diff := float64(nv) - float64(cent[j])
			d2 += diff * diff
			cent[j] = nv
		}
		w.move[c] = math.Sqrt(d2)
		shift += d2
	}
	return shift
}

// halfGaps sets half[c] to half the distance from centroid c to the nearest
// other centroid: a point closer than that to its centroid cannot be closer
// to another.
func (w *work) halfGaps(dim, k int) {
	for c := 0; c < k; c++ {
		f32.Dots(row(w.centres, dim, c), w.centres, w.cc[c*k:(c+1)*k])
	}
	for c := 0; c < k; c++ {
		best := float32(math.Inf(-1))
		for o := 0; o < k; o++ {
			w.halfCC[c*k+o] = dist(w.cc[c*k+o]) / 2
			if o != c && w.cc[c*k+o] > best {
				best = w.cc[c*k+o]
			}
		}
		if k == 1 {
			w.half[c] = math.Inf(1)
			continue
		}
		w.half[c] = dist(best) / 2
	}
}

// result computes the cosines, sizes and inertia of the final assignment.
func (w *work) result(ctx context.Context, p points, k, iter int) (*Result, error) {
	n, dim := p.n, p.dim
	res := &Result{K: k, Iter: iter, Assign: make([]int, n), Cos: make([]float32, n), Sizes: make([]int, k)}
	copy(res.Assign, w.assign)
	if err := parallel.For(ctx, n, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			res.Cos[i] = f32.DotFMA(p.at(i), row(w.centres, dim, w.assign[i]))
		}
	}); err != nil {
		return nil, err
	}
	part := make([]float64, parts)
	_ = parallel.Fixed(ctx, n, parts, func(pi, lo, hi int) {
		var s float64
		for _, c := range res.Cos[lo:hi] {
			s += 1 - float64(c)
		}
		part[pi] = s
	})
	for _, s := range part {
		res.Inertia += s
	}
	for _, a := range res.Assign {
		res.Sizes[a]++
	}
	res.Centroids = make([][]float32, k)
	for c := range res.Centroids {
		res.Centroids[c] = append([]float32(nil), row(w.centres, dim, c)...)
	}
	return res, ctx.Err()
}
