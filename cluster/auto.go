package cluster

import (
	"context"
	"math"
	"math/rand/v2"
	"sort"

	"github.com/papersift/papersift/internal/f32"
	"github.com/papersift/papersift/internal/parallel"
)

// AutoK configures the choice of k. The zero value tries k from 2 to
// min(20, n/3) and scores silhouettes on up to 2,000 points.
type AutoK struct {
	Min, Max int
	Sample   int // points the silhouette is computed on
	KMeans   KMeans
}

// Choice is the k AutoK chose, its score and its clustering.
type Choice struct {
	K      int
	Score  float64 // mean silhouette (cosine distance), in [-1, 1]
	Result *Result
	Scores map[int]float64 // every k tried
}

// Fit clusters data for every k in range and keeps the k of the highest mean
// silhouette (the smaller k on a tie). Fewer than 6 points give k = 1.
func (a AutoK) Fit(ctx context.Context, data []float32, dim int) (*Choice, error) {
	n := len(data) / dim
	if n == 0 {
		return nil, ErrNoPoints
	}
	lo, hi := a.Min, a.Max
	if lo < 2 {
		lo = 2
	}
	if hi <= 0 {
		hi = min(20, n/3)
	}
	if hi < lo {
		km := a.KMeans
		km.K = 1
		res, err := km.Fit(ctx, data, dim)
		if err != nil {
			return nil, err
		}
		return &Choice{K: 1, Result: res, Scores: map[int]float64{}}, nil
	}
	sample := a.Sample
	if sample <= 0 {
		sample = 2000
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	if n > sample {
		rng := rand.New(rand.NewPCG(a.KMeans.Seed, 0xa076_1d64_78bd_642f))
		rng.Shuffle(n, func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
		idx = idx[:sample]
		sort.Ints(idx)
	}
	ch := &Choice{Score: math.Inf(-1), Scores: map[int]float64{}}
	for k := lo; k <= hi; k++ {
		km := a.KMeans
		km.K = k
		res, err := km.Fit(ctx, data, dim)
		if err != nil {
			return nil, err
		}
		s, err := Silhouette(ctx, data, dim, res.Assign, idx)
		if err != nil {
			return nil, err
		}
		ch.Scores[k] = s
		if s > ch.Score {
			ch.K, ch.Score, ch.Result = k, s, res
		}
	}
	return ch, nil
}

// Silhouette is the mean silhouette of the points idx (all when nil) under
// cosine distance, against the other points of idx.
func Silhouette(ctx context.Context, data []float32, dim int, assign []int, idx []int) (float64, error) {
	if idx == nil {
		idx = make([]int, len(assign))
		for i := range idx {
			idx[i] = i
		}
	}
	k := 0
	for _, a := range assign {
		k = max(k, a+1)
	}
	size := make([]int, k)
	for _, i := range idx {
		size[assign[i]]++
	}
	s := make([]float64, len(idx))
	err := parallel.For(ctx, len(idx), func(lo, hi int) {
		sum := make([]float64, k)
		for q := lo; q < hi; q++ {
			i := idx[q]
			clear(sum)
			x := row(data, dim, i)
			for _, j := range idx {
				if j != i {
					sum[assign[j]] += 1 - float64(f32.Dot(x, row(data, dim, j)))
				}
			}
			own := assign[i]
			if size[own] <= 1 {
				s[q] = 0
				continue
			}
			a := sum[own] / float64(size[own]-1)
			b := math.Inf(1)
			for c := 0; c < k; c++ {
				if c != own && size[c] > 0 {
					b = math.Min(b, sum[c]/float64(size[c]))
				}
			}
			if math.IsInf(b, 1) || math.Max(a, b) == 0 {
				s[q] = 0
				continue
			}
			s[q] = (b - a) / math.Max(a, b)
		}
	})
	if err != nil {
		return 0, err
	}
	var total float64
	for _, v := range s {
		total += v
	}
	return total / float64(len(s)), nil
}
