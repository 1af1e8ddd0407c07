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
// MaxK(n) and scores silhouettes on up to 2,000 points.
//
// The criterion is the mean silhouette under cosine distance: the largest k
// whose silhouette is within nearBest of the best one wins, over a range
// capped by the rule of thumb
// k <= sqrt(n/2). The cap does the work that no internal criterion did when
// measured (cluster/README.md, "Choosing k"): on well-separated blobs the
// silhouette, Calinski-Harabasz, Davies-Bouldin, a BIC and the gap statistic
// all find the true k, but on paper abstracts embedded by the built-in model
// every one of them runs to an end of the range (silhouette, Davies-Bouldin
// and the gap to the largest k, Calinski-Harabasz and the BIC to 2), because
// topics in text nest rather than separate. A reader of a day's list of 56
// papers wants about 5 groups of 10, not 18 of 3: the cap gives that, and
// within it the silhouette still finds real structure.
type AutoK struct {
	Min, Max int // range of k; zero: 2 and MaxK(n)
	// Sample caps the points the silhouette is computed on (default 2,000)
	// and, at ten times that, the points each candidate k is fitted on; the
	// chosen k is then fitted on all points.
	Sample int
	// KMeans fits each k (its K is ignored). Candidates are fitted with at
	// most 2 restarts; the chosen k is fitted again with KMeans's own.
	KMeans KMeans
}

// MaxK is the default largest k tried for n points: sqrt(n/2), at most 20
// and at most n/3, and at least 2 (1 below 6 points).
func MaxK(n int) int {
	if n < 6 {
		return 1
	}
	return max(2, min(20, n/3, int(math.Round(math.Sqrt(float64(n)/2)))))
}

// Choice is the k AutoK chose, its score and its clustering.
type Choice struct {
	K         int
	Criterion string  // "silhouette"; "none" when only one k was possible
	Score     float64 // mean silhouette (cosine distance), in [-1, 1]
	Result    *Result
	Tried     []Tried // every k tried, in increasing order
}

// Tried is the score of one k.
type Tried struct {
	K     int
	Score float64
}

// Fit clusters data for every k in range and keeps the k of the highest
// mean silhouette. Fewer than 6 points, or a range of one k, give that k
// without scoring.
func (a AutoK) Fit(ctx context.Context, data []float32, dim int) (*Choice, error) {
	if _, err := checkData(data, dim); err != nil {
		return nil, err
	}
	return a.fit(ctx, allPoints(data, dim))
}

// FitRows is Fit of the rows of data that rows lists, in that order (as
// KMeans.FitRows).
func (a AutoK) FitRows(ctx context.Context, data []float32, dim int, rows []int) (*Choice, error) {
	p, err := rowPoints(data, dim, rows)
	if err != nil {
		return nil, err
	}
	return a.fit(ctx, p)
}

func (a AutoK) fit(ctx context.Context, p points) (*Choice, error) {
	n, dim := p.n, p.dim
	var err error
	lo, hi := max(2, a.Min), a.Max
	if hi <= 0 {
		hi = MaxK(n)
	}
	hi = min(hi, n)
	if hi < lo {
		lo = hi
	}
	if lo == hi {
		km := a.KMeans
		km.K = lo
		res, err := km.fit(ctx, p)
		if err != nil {
			return nil, err
		}
		return &Choice{K: res.K, Criterion: "none", Result: res}, nil
	}
	sample := a.Sample
	if sample <= 0 {
		sample = 2000
	}
	// candidates are fitted on a sample of a large input
	fitPoints := p
	if n > 10*sample {
		fitPoints = p.sub(sampleIdx(n, 10*sample, a.KMeans.Seed))
	}
	fitData, fitN := fitPoints.gather(), fitPoints.n
	var silIdx []int
	if fitN > sample {
		silIdx = sampleIdx(fitN, sample, a.KMeans.Seed^0xa0761d6478bd642f)
	}
	ch := &Choice{Criterion: "silhouette", Score: math.Inf(-1)}
	for k := lo; k <= hi; k++ {
		km := a.KMeans
		km.K = k
		km.Restarts = 2
		if a.KMeans.Restarts > 0 {
			km.Restarts = min(2, a.KMeans.Restarts)
		}
		res, err := km.Fit(ctx, fitData, dim)
		if err != nil {
			return nil, err
		}
		s, err := Silhouette(ctx, fitData, dim, res.Assign, silIdx)
		if err != nil {
			return nil, err
		}
		ch.Tried = append(ch.Tried, Tried{k, s})
	}
	ch.K, ch.Score = chooseK(ch.Tried)
	km := a.KMeans
	km.K = ch.K
	if ch.Result, err = km.fit(ctx, p); err != nil {
		return nil, err
	}
	return ch, nil
}

// nearBest: AutoK takes the largest k whose silhouette is within this of
// the best one. Measured on 40 day-sized lists of dev.jsonl and of each of
// its halves (3 to 5 categories each, the built-in model): the best
// silhouette alone chose 3.4, 3.1 and 3.1 topics on average for 4.3, 4.0
// and 3.9 categories (the right number 28%, 25% and 30% of the time);
// within 0.04 and at most 2 above the best k chooses 4.33, 3.88 and 4.00
// (50%, 28%, 40%), V-measure 0.500 -> 0.525, 0.410 -> 0.455 and 0.559 ->
// 0.564. (A share of the best, such as 75%, measured alike on text but
// split well-separated clusters, whose silhouette is near 1.)
const (
	nearBest      = 0.04
	nearBestSteps = 2
)

// chooseK is the largest k whose silhouette is within nearBest of the best
// one (topics in text nest, and the silhouette favours the coarsest split),
// at most nearBestSteps above the best one's (a list without structure,
// whose silhouettes are all alike, is not split into as many topics as
// allowed), and its silhouette.
func chooseK(tried []Tried) (int, float64) {
	k, best := 0, math.Inf(-1)
	for _, t := range tried {
		if t.Score > best { // the smaller k on a tie
			k, best = t.K, t.Score
		}
	}
	score, kBest := best, k
	for _, t := range tried {
		if t.K > k && t.K <= kBest+nearBestSteps && t.Score >= best-nearBest {
			k, score = t.K, t.Score
		}
	}
	return k, score
}

// sampleIdx returns m of the indices 0..n-1, drawn uniformly without
// replacement by the seed, in increasing order.
func sampleIdx(n, m int, seed uint64) []int {
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	idx := rng.Perm(n)[:m]
	sort.Ints(idx)
	return idx
}

// Silhouette is the mean silhouette of the points idx (all when nil) under
// cosine distance, against the other points of idx. A point alone in its
// cluster scores 0 (Rousseeuw's convention).
func Silhouette(ctx context.Context, data []float32, dim int, assign []int, idx []int) (float64, error) {
	s, _, err := SilhouettePer(ctx, data, dim, assign, idx)
	return s, err
}

// SilhouettePer is Silhouette, and the mean silhouette of each cluster's
// points among idx (0 for a cluster with none): a cluster whose papers are
// as close to another cluster as to their own (near 0 or below) is a
// grab-bag, not a topic.
func SilhouettePer(ctx context.Context, data []float32, dim int, assign []int, idx []int) (float64, []float64, error) {
	return silhouettePer(ctx, points{data: data, dim: dim, n: len(data) / max(1, dim)}, assign, idx)
}

// SilhouettePerRows is SilhouettePer of the points FitRows clustered: the
// rows of data that rows lists.
func SilhouettePerRows(ctx context.Context, data []float32, dim int, rows []int, assign []int, idx []int) (float64, []float64, error) {
	p, err := rowPoints(data, dim, rows)
	if err != nil {
		return 0, nil, err
	}
	return silhouettePer(ctx, p, assign, idx)
}

func silhouettePer(ctx context.Context, p points, assign []int, idx []int) (float64, []float64, error) {
	dim := p.dim
	if idx == nil {
		idx = make([]int, len(assign))
		for i := range idx {
			idx[i] = i
		}
	}
	if len(idx) == 0 {
		return 0, nil, ErrNoPoints
	}
	k := 0
	for _, a := range assign {
		k = max(k, a+1)
	}
	size := make([]int, k)
	for _, i := range idx {
		size[assign[i]]++
	}
	// the sampled rows side by side, for the dot kernel
	rows := make([]float32, 0, len(idx)*dim)
	for _, i := range idx {
		rows = append(rows, p.at(i)...)
	}
	s := make([]float64, len(idx))
	err := parallel.For(ctx, len(idx), func(lo, hi int) {
		sum := make([]float64, k)
		sims := make([]float32, len(idx))
		for q := lo; q < hi; q++ {
			i := idx[q]
			clear(sum)
			f32.Dots(row(rows, dim, q), rows, sims)
			for r, j := range idx {
				if r != q {
					sum[assign[j]] += 1 - float64(sims[r])
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
					b = min(b, sum[c]/float64(size[c]))
				}
			}
			if math.IsInf(b, 1) || max(a, b) == 0 {
				s[q] = 0
				continue
			}
			s[q] = (b - a) / max(a, b)
		}
	})
	if err != nil {
		return 0, nil, err
	}
	var total float64
	per := make([]float64, k)
	for q, v := range s {
		total += v
		per[assign[idx[q]]] += v
	}
	for c := range per {
		if size[c] > 0 {
			per[c] /= float64(size[c])
		}
	}
	return total / float64(len(s)), per, nil
}
