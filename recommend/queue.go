package recommend

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"sort"

	"github.com/papersift/papersift/internal/f32"
	"github.com/papersift/papersift/internal/parallel"
)

// Profile is what the reader told us, as rows of the vector matrix and
// embedded interests.
type Profile struct {
	Likes     []int       // rows of liked papers
	Dislikes  []int       // rows of disliked papers
	Interests [][]float32 // unit vectors of free-text interests
}

// ErrEmptyProfile is returned when there is nothing to rank against.
var ErrEmptyProfile = errors.New("recommend: the profile is empty")

// QueueOptions configure Rank. The zero value means the defaults.
type QueueOptions struct {
	N int // length of the queue (default 20)
	// Diversity in [0, 1) trades relevance for covering the reader's topics
	// by maximal marginal relevance (default 0.1; negative turns it off).
	Diversity float64
	// NeighbourWeight is the weight of the nearest-liked-papers evidence
	// beside the learned model (default 0.3; negative turns it off).
	NeighbourWeight float64
	// DislikeWeight is how much more a disliked paper counts than any other
	// unliked paper when the model learns (default 5).
	DislikeWeight float64
	// HalfLife, in days, favours recent papers: each half-life of age costs
	// as much as one standard deviation of relevance (0: off). Ages gives
	// each row's age in days (needed when HalfLife > 0).
	HalfLife float64
	Ages     []float64
	// Seed of the negative sample on large corpora.
	Seed uint64
}

func (o QueueOptions) withDefaults() QueueOptions {
	if o.N <= 0 {
		o.N = 20
	}
	switch {
	case o.Diversity == 0:
		o.Diversity = 0.1
	case o.Diversity < 0:
		o.Diversity = 0
	case o.Diversity >= 1:
		o.Diversity = 0.99
	}
	switch {
	case o.NeighbourWeight == 0:
		o.NeighbourWeight = 0.3
	case o.NeighbourWeight < 0:
		o.NeighbourWeight = 0
	}
	if o.DislikeWeight <= 0 {
		o.DislikeWeight = 5
	}
	return o
}

// Reason says why a paper is in the queue.
type Reason struct {
	// Anchor is the row of the closest liked paper, or -1 when the closest
	// is the interest Interest.
	Anchor     int
	Interest   int
	Similarity float64 // cosine to the anchor or interest
	// Dislike is the row of a disliked paper that lowered the score (-1: none).
	Dislike           int
	DislikeSimilarity float64
}

// Item is a ranked candidate.
type Item struct {
	Index  int
	Score  float64
	Reason Reason
}

// The learned model: balanced, L2-regularised logistic regression by full
// batch gradient descent, the settings measured on quality.py's readers.
const (
	lrIters     = 200
	lrStep      = 4.0
	lrLambda    = 0.01
	maxNegative = 20000 // larger corpora train on a seeded sample of negatives
	neighbours  = 3     // nearest liked items averaged by the neighbour evidence
	mmrPool     = 100   // candidates MMR chooses among (at least 5 N)
)

// Rank orders the candidate rows (unit vectors, rows of data) against the
// profile and returns the best N with reasons.
//
// Relevance blends two views of the reader, both on vectors centred on the
// corpus mean (the common direction all papers share says nothing of taste):
// a linear model learned from the likes (and interests) against every other
// paper, disliked papers weighing DislikeWeight times more, and the mean
// cosine to the few nearest liked papers, so a reader of several topics is
// never reduced to one direction. Maximal marginal relevance then spreads
// the top of the queue across those topics.
func Rank(ctx context.Context, data []float32, dim int, candidates []int, p Profile, opt QueueOptions) ([]Item, error) {
	opt = opt.withDefaults()
	score, cunit, err := scores(ctx, data, dim, candidates, p, opt)
	if err != nil || len(candidates) == 0 {
		return nil, err
	}
	m := len(candidates)
	order := make([]int, m)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		if score[order[a]] != score[order[b]] {
			return score[order[a]] > score[order[b]]
		}
		return candidates[order[a]] < candidates[order[b]]
	})
	picked := mmr(order, score, cunit, opt.N, opt.Diversity)
	items := make([]Item, len(picked))
	for k, ci := range picked {
		row := candidates[ci]
		items[k] = Item{Index: row, Score: score[ci], Reason: reason(data[row*dim:(row+1)*dim], data, dim, p)}
	}
	return items, nil
}

// Scores returns the relevance of each candidate row to the profile, as
// Rank computes it before spreading the queue across topics (higher is
// better; the scale is standard deviations over the candidates).
func Scores(ctx context.Context, data []float32, dim int, candidates []int, p Profile, opt QueueOptions) ([]float64, error) {
	s, _, err := scores(ctx, data, dim, candidates, p, opt.withDefaults())
	return s, err
}

func scores(ctx context.Context, data []float32, dim int, candidates []int, p Profile, opt QueueOptions) ([]float64, [][]float32, error) {
	if len(p.Likes) == 0 && len(p.Interests) == 0 {
		return nil, nil, ErrEmptyProfile
	}
	if len(candidates) == 0 {
		return nil, nil, ctx.Err()
	}
	n := len(data) / dim
	mean, err := Mean(ctx, data, dim)
	if err != nil {
		return nil, nil, err
	}
	// positives: liked rows and interests, centred
	var pos [][]float32
	liked := make(map[int]bool, len(p.Likes))
	for _, r := range p.Likes {
		liked[r] = true
		pos = append(pos, centred(data[r*dim:(r+1)*dim], mean))
	}
	for _, v := range p.Interests {
		pos = append(pos, centred(v, mean))
	}
	// negatives: every other row (a seeded sample on large corpora)
	disliked := make(map[int]bool, len(p.Dislikes))
	for _, r := range p.Dislikes {
		disliked[r] = true
	}
	negRows := make([]int, 0, n)
	for i := 0; i < n; i++ {
		if !liked[i] && !disliked[i] {
			negRows = append(negRows, i)
		}
	}
	if len(negRows) > maxNegative {
		rng := rand.New(rand.NewPCG(opt.Seed, uint64(n)))
		rng.Shuffle(len(negRows), func(a, b int) { negRows[a], negRows[b] = negRows[b], negRows[a] })
		negRows = negRows[:maxNegative]
		sort.Ints(negRows)
	}
	w, b, err := learn(ctx, data, dim, mean, pos, negRows, p.Dislikes, opt.DislikeWeight)
	if err != nil {
		return nil, nil, err
	}
	// unit centred positives, for the neighbour evidence
	posUnit := make([][]float32, len(pos))
	for i, v := range pos {
		posUnit[i] = unit(v)
	}
	m := len(candidates)
	model := make([]float64, m)
	near := make([]float64, m)
	cunit := make([][]float32, m) // centred unit candidates, for MMR
	err = parallel.For(ctx, m, func(lo, hi int) {
		sims := make([]float64, len(posUnit))
		for ci := lo; ci < hi; ci++ {
			x := centred(data[candidates[ci]*dim:(candidates[ci]+1)*dim], mean)
			model[ci] = float64(f32.Dot(x, w)) + b
			u := unit(x)
			cunit[ci] = u
			for j, pv := range posUnit {
				sims[j] = float64(f32.Dot(u, pv))
			}
			near[ci] = meanTop(sims, neighbours)
		}
	})
	if err != nil {
		return nil, nil, err
	}
	score := zscore(model)
	if opt.NeighbourWeight > 0 {
		for i, z := range zscore(near) {
			score[i] += opt.NeighbourWeight * z
		}
	}
	if opt.HalfLife > 0 && opt.Ages != nil {
		for i, r := range candidates {
			score[i] -= math.Max(0, opt.Ages[r]) / opt.HalfLife
		}
	}
	return score, cunit, nil
}

// mmr picks n of the candidates, in order of relevance penalised by the
// highest similarity to those already picked (maximal marginal relevance).
// order lists candidates by relevance, best first.
func mmr(order []int, score []float64, u [][]float32, n int, lambda float64) []int {
	if n > len(order) {
		n = len(order)
	}
	if lambda <= 0 {
		return append([]int(nil), order[:n]...)
	}
	pool := order[:min(len(order), max(mmrPool, 5*n))]
	maxSim := make([]float64, len(pool))
	used := make([]bool, len(pool))
	out := make([]int, 0, n)
	for len(out) < n {
		best, bv := -1, math.Inf(-1)
		for j, ci := range pool {
			if used[j] {
				continue
			}
			// similarity on the scale of z-scores: 3 at identical papers
			v := (1-lambda)*score[ci] - lambda*3*math.Max(0, maxSim[j])
			if best < 0 || v > bv { // a NaN score never wins, never stops the pick
				best, bv = j, v
			}
		}
		used[best] = true
		out = append(out, pool[best])
		for j, ci := range pool {
			if !used[j] {
				maxSim[j] = math.Max(maxSim[j], float64(f32.Dot(u[ci], u[pool[best]])))
			}
		}
	}
	return out
}

// learn fits w, b of a balanced, L2-regularised logistic regression of
// liked (pos, centred) against the negative rows (centred on the fly), by
// full-batch gradient descent. Positives weigh half in all, negatives half,
// a disliked paper dislikeWeight times a plain negative.
func learn(ctx context.Context, data []float32, dim int, mean []float32, pos [][]float32, negRows, dislikes []int, dislikeWeight float64) ([]float32, float64, error) {
	type ex struct {
		x []float32
		y float64
		s float64 // sample weight
	}
	exs := make([]ex, 0, len(pos)+len(negRows)+len(dislikes))
	for _, v := range pos {
		exs = append(exs, ex{v, 1, 0.5 / float64(len(pos))})
	}
	negW := float64(len(negRows)) + dislikeWeight*float64(len(dislikes))
	for _, r := range negRows {
		exs = append(exs, ex{centred(data[r*dim:(r+1)*dim], mean), 0, 0.5 / negW})
	}
	for _, r := range dislikes {
		exs = append(exs, ex{centred(data[r*dim:(r+1)*dim], mean), 0, 0.5 * dislikeWeight / negW})
	}
	w := make([]float64, dim)
	wf := make([]float32, dim)
	var b float64
	const parts = 16 // fixed: the sums never depend on the number of cores
	grads := make([][]float32, parts)
	gb := make([]float64, parts)
	for i := range grads {
		grads[i] = make([]float32, dim)
	}
	g := make([]float64, dim)
	for it := 0; it < lrIters; it++ {
		for j, v := range w {
			wf[j] = float32(v)
		}
		err := parallel.Fixed(ctx, len(exs), parts, func(p, lo, hi int) {
			gp := grads[p]
			clear(gp)
			gb[p] = 0
			for _, e := range exs[lo:hi] {
				m := float64(f32.Dot(e.x, wf)) + b
				r := e.s * (sigmoid(m) - e.y)
				gb[p] += r
				f32.Axpy(float32(r), e.x, gp)
			}
		})
		if err != nil {
			return nil, 0, err
		}
		clear(g)
		var sb float64
		for p := 0; p < parts; p++ {
			for j, v := range grads[p] {
				g[j] += float64(v)
			}
			sb += gb[p]
		}
		for j := range w {
			w[j] -= lrStep * (g[j] + lrLambda*w[j])
		}
		b -= lrStep * sb
	}
	for j, v := range w {
		wf[j] = float32(v)
	}
	return wf, b, nil
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// Mean is the mean of the rows of data, summed in a fixed order.
func Mean(ctx context.Context, data []float32, dim int) ([]float32, error) {
	n := len(data) / dim
	const parts = 16
	sums := make([][]float64, parts)
	err := parallel.Fixed(ctx, n, parts, func(p, lo, hi int) {
		s := make([]float64, dim)
		for i := lo; i < hi; i++ {
			for j, v := range data[i*dim : (i+1)*dim] {
				s[j] += float64(v)
			}
		}
		sums[p] = s
	})
	if err != nil {
		return nil, err
	}
	out := make([]float32, dim)
	for j := range out {
		var t float64
		for _, s := range sums {
			t += s[j]
		}
		if n > 0 {
			out[j] = float32(t / float64(n))
		}
	}
	return out, nil
}

func centred(x, mean []float32) []float32 {
	out := make([]float32, len(x))
	for i := range x {
		out[i] = x[i] - mean[i]
	}
	return out
}

// unit returns x scaled to unit length (x itself when it is zero).
func unit(x []float32) []float32 {
	var ss float64
	for _, v := range x {
		ss += float64(v) * float64(v)
	}
	out := make([]float32, len(x))
	if ss == 0 {
		return out
	}
	inv := float32(1 / math.Sqrt(ss))
	for i, v := range x {
		out[i] = v * inv
	}
	return out
}

// zscore standardises xs (all zeros when they do not vary).
func zscore(xs []float64) []float64 {
	var mu float64
	for _, x := range xs {
		mu += x
	}
	mu /= float64(len(xs))
	var ss float64
	for _, x := range xs {
		ss += (x - mu) * (x - mu)
	}
	sd := math.Sqrt(ss / float64(len(xs)))
	out := make([]float64, len(xs))
	if sd == 0 {
		return out
	}
	for i, x := range xs {
		out[i] = (x - mu) / sd
	}
	return out
}

// reason finds the liked paper or interest closest to x, and a disliked
// paper that resembles x about as much.
func reason(x, data []float32, dim int, p Profile) Reason {
	r := Reason{Anchor: -1, Interest: -1, Similarity: math.Inf(-1), Dislike: -1}
	for _, row := range p.Likes {
		if s := float64(f32.Dot(x, data[row*dim:(row+1)*dim])); s > r.Similarity {
			r.Similarity, r.Anchor = s, row
		}
	}
	for i, v := range p.Interests {
		if s := float64(f32.Dot(x, v)); s > r.Similarity {
			r.Similarity, r.Anchor, r.Interest = s, -1, i
		}
	}
	best := math.Inf(-1)
	for _, row := range p.Dislikes {
		if s := float64(f32.Dot(x, data[row*dim:(row+1)*dim])); s > best {
			best, r.Dislike = s, row
		}
	}
	// a dislike is named when it resembles the paper nearly as much as the
	// liked evidence does: that is when it pulled the paper down
	if r.Dislike >= 0 && !(best > 0 && best >= 0.8*r.Similarity) {
		r.Dislike = -1
	}
	if r.Dislike >= 0 {
		r.DislikeSimilarity = best
	}
	return r
}

// meanTop is the mean of the m largest values of xs.
func meanTop(xs []float64, m int) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Sort(sort.Reverse(sort.Float64Slice(s)))
	m = min(m, len(s))
	var t float64
	for _, v := range s[:m] {
		t += v
	}
	return t / float64(m)
}
