package recommend

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
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
	// Floor is the match (see Item.Match) below which a paper is weak:
	// nothing the reader likes is near it (default DefaultFloor; negative
	// turns it off). Weak papers come after every other.
	Floor float64
	// Topics: the reader's likes and interests are grouped into topics,
	// each ranked on its own, and the queue alternates between them in
	// proportion to their size (default on; negative turns it off, and so
	// does Diversity > 0, which spreads the queue by similarity instead).
	Topics int
	// TopicSlack: a paper chosen for one of the reader's topics must score
	// (on the whole profile) within TopicSlack standard deviations of the
	// best paper left, else that paper is taken instead (default 1;
	// negative: no such check, each topic gets its full share).
	TopicSlack float64
}

// DefaultFloor is the match below which a paper is weak, measured on
// quality.py's simulated readers (dev.jsonl and both halves): 4-6% of the
// papers of a reader's categories fall below it, 44% of the others, and
// 1-2% of the papers below it are of the reader's categories.
const DefaultFloor = 0.15

// StrongMatch is the match from which a paper is a strong match (the median
// match of papers of the reader's categories is about 0.43, the 75th
// percentile of the others about 0.29).
const StrongMatch = 0.35

func (o QueueOptions) withDefaults() QueueOptions {
	if o.N <= 0 {
		o.N = 20
	}
	switch {
	case o.Diversity < 0:
		o.Diversity = 0
	case o.Diversity >= 1:
		o.Diversity = 0.99
	}
	if o.Floor == 0 {
		o.Floor = DefaultFloor
	}
	switch {
	case o.TopicSlack == 0:
		o.TopicSlack = topicSlack
	case o.TopicSlack < 0:
		o.TopicSlack = math.Inf(1)
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
	Index int
	// Score is the paper's relevance to the whole profile, in standard
	// deviations over the candidates.
	Score float64
	// Match is the cosine, on vectors centred on the corpus mean, of the
	// paper and the closest of the reader's likes and interests.
	Match float64
	// Weak: Match is below the floor.
	Weak bool
	// Topic is the reader's topic the paper was chosen for (0 when the
	// reader has one).
	Topic  int
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
	sc, err := scoreAll(ctx, data, dim, candidates, p, opt)
	if err != nil || len(candidates) == 0 {
		return nil, err
	}
	score := sc.score
	m := len(candidates)
	order := byScore(score, candidates)
	match := make([]float64, m)
	for ci := range match {
		match[ci] = maxDot(sc.cunit[ci], sc.posUnit)
	}
	weak := func(ci int) bool { return opt.Floor > 0 && match[ci] < opt.Floor }
	// strong matches first, then good ones, then weak ones: the words of
	// the queue read in rank order
	var strong, good, below []int
	for _, ci := range order {
		switch {
		case weak(ci):
			below = append(below, ci)
		case match[ci] >= StrongMatch && opt.Floor > 0:
			strong = append(strong, ci)
		default:
			good = append(good, ci)
		}
	}
	var picked []int
	topicOf := make(map[int]int)
	var per [][]float64
	if opt.Diversity <= 0 && opt.Topics >= 0 && len(sc.topics) > 1 {
		if per, err = sc.topicScores(ctx, data, dim, candidates, p, opt); err != nil {
			return nil, err
		}
	}
	for _, tier := range [][]int{strong, good} {
		n := opt.N - len(picked)
		switch {
		case n <= 0:
		case opt.Diversity > 0:
			picked = append(picked, mmr(tier, score, sc.cunit, n, opt.Diversity)...)
		case per != nil:
			picked = append(picked, interleave(tier, score, per, sc.topics, n, opt.TopicSlack, topicOf)...)
		default:
			picked = append(picked, tier[:min(len(tier), n)]...)
		}
	}
	for _, ci := range below {
		if len(picked) >= opt.N {
			break
		}
		picked = append(picked, ci)
		if per != nil {
			// a weak match too names a topic: that of its closest like
			// or interest, the one its match is measured to
			topicOf[ci] = topicOfPositive(sc.topics, closest(sc.cunit[ci], sc.posUnit))
		}
	}
	items := make([]Item, len(picked))
	for k, ci := range picked {
		row := candidates[ci]
		items[k] = Item{Index: row, Score: score[ci], Match: match[ci], Weak: weak(ci), Topic: topicOf[ci],
			Reason: reason(data[row*dim:(row+1)*dim], data, dim, p)}
	}
	return items, nil
}

// byScore lists the candidates by score, best first (ties by row).
func byScore(score []float64, candidates []int) []int {
	order := make([]int, len(score))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		if score[order[a]] != score[order[b]] {
			return score[order[a]] > score[order[b]]
		}
		return candidates[order[a]] < candidates[order[b]]
	})
	return order
}

// closest is the index of the vector of ys with the largest dot product
// with x (the first of equals).
func closest(x []float32, ys [][]float32) int {
	best, at := math.Inf(-1), 0
	for i, y := range ys {
		if d := float64(f32.Dot(x, y)); d > best {
			best, at = d, i
		}
	}
	return at
}

// topicOfPositive is the topic that holds positive p.
func topicOfPositive(topics [][]int, p int) int {
	for t, ps := range topics {
		if slices.Contains(ps, p) {
			return t
		}
	}
	return 0
}

// maxDot is the largest dot product of x and the vectors of ys.
func maxDot(x []float32, ys [][]float32) float64 {
	best := math.Inf(-1)
	for _, y := range ys {
		best = math.Max(best, float64(f32.Dot(x, y)))
	}
	return best
}

// Scores returns the relevance of each candidate row to the profile, as
// Rank computes it before spreading the queue across topics (higher is
// better; the scale is standard deviations over the candidates).
func Scores(ctx context.Context, data []float32, dim int, candidates []int, p Profile, opt QueueOptions) ([]float64, error) {
	sc, err := scoreAll(ctx, data, dim, candidates, p, opt.withDefaults())
	if err != nil || sc == nil {
		return nil, err
	}
	return sc.score, nil
}

// scored is the relevance of the candidates and what ranking them by the
// reader's topics needs.
type scored struct {
	score   []float64
	cunit   [][]float32 // centred unit candidates
	posUnit [][]float32 // centred unit positives: likes, then interests
	pos     [][]float32 // centred positives
	mean    []float32
	negRows []int
	topics  [][]int // the positives (indexes of pos) of each of the reader's topics
}

func scoreAll(ctx context.Context, data []float32, dim int, candidates []int, p Profile, opt QueueOptions) (*scored, error) {
	if len(p.Likes) == 0 && len(p.Interests) == 0 {
		return nil, ErrEmptyProfile
	}
	if len(candidates) == 0 {
		return nil, ctx.Err()
	}
	n := len(data) / dim
	mean, err := Mean(ctx, data, dim)
	if err != nil {
		return nil, err
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
		return nil, err
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
		return nil, err
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
	return &scored{score: score, cunit: cunit, posUnit: posUnit, pos: pos, mean: mean, negRows: negRows,
		topics: topicsOf(posUnit, topicJoin, maxTopics)}, nil
}

// The reader's topics: average-link agglomerative clustering of the
// centred positives, joining groups while their mean cosine is at least
// topicJoin, at most maxTopics groups. Measured on quality.py's readers
// (dev.jsonl): -0.05 keeps most one-topic readers whole (27 of 30; 0 kept
// 22, and cost queue_p20 0.01) and splits 14 of the 30 two-topic readers.
const (
	topicJoin = -0.05
	maxTopics = 6
	// topicSlack is QueueOptions.TopicSlack's default. Measured on
	// quality.py's two-topic readers (dev, both halves): with 1, the
	// smaller topic's share of the top 20 rises from 9-14% to 13-18% and
	// queue2_p20 stays within 0.02; with no check it rises to 23-27%, but
	// queue2_p20 falls by 0.04-0.08.
	topicSlack = 1.0
)

// topicsOf groups the unit vectors us by average-link agglomerative
// clustering (cosine), in a fixed order. A profile of more than
// maxTopicPoints positives is grouped on an evenly spaced subset of them,
// each other positive joining the group of its most similar member.
func topicsOf(us [][]float32, join float64, most int) [][]int {
	pts := make([]int, 0, min(len(us), maxTopicPoints))
	if len(us) <= maxTopicPoints {
		for i := range us {
			pts = append(pts, i)
		}
	} else {
		for k := 0; k < maxTopicPoints; k++ {
			pts = append(pts, k*len(us)/maxTopicPoints)
		}
	}
	n := len(pts)
	// sum[g][h]: the sum of the similarities between the members of
	// groups g and h (Lance-Williams: a merge adds rows)
	sum := make([][]float64, n)
	for a := range pts {
		sum[a] = make([]float64, n)
		for b := range pts {
			sum[a][b] = float64(f32.Dot(us[pts[a]], us[pts[b]]))
		}
	}
	groups := make([][]int, n) // members, as indexes of pts
	alive := make([]int, n)
	for a := range groups {
		groups[a] = []int{a}
		alive[a] = a
	}
	for len(alive) > 1 {
		bi, bj, best := -1, -1, math.Inf(-1)
		for x, g := range alive {
			for _, h := range alive[x+1:] {
				if v := sum[g][h] / float64(len(groups[g])*len(groups[h])); v > best {
					bi, bj, best = g, h, v
				}
			}
		}
		if !(best >= join) && len(alive) <= most {
			break
		}
		groups[bi] = append(groups[bi], groups[bj]...)
		for _, x := range alive {
			sum[bi][x] += sum[bj][x]
			sum[x][bi] = sum[bi][x]
		}
		groups[bj] = nil
		alive = slices.DeleteFunc(alive, func(g int) bool { return g == bj })
	}
	out := make([][]int, 0, len(alive))
	at := make([]int, len(us)) // the group of each point of pts
	for k, g := range alive {
		var members []int
		for _, a := range groups[g] {
			members = append(members, pts[a])
			at[pts[a]] = k
		}
		out = append(out, members)
	}
	if n < len(us) {
		inPts := make(map[int]bool, n)
		for _, i := range pts {
			inPts[i] = true
		}
		for i := range us {
			if inPts[i] {
				continue
			}
			best, bv := 0, math.Inf(-1)
			for _, j := range pts {
				if v := float64(f32.Dot(us[i], us[j])); v > bv {
					best, bv = j, v
				}
			}
			out[at[best]] = append(out[at[best]], i)
		}
	}
	for _, g := range out {
		slices.Sort(g)
	}
	return out
}

// maxTopicPoints caps the positives that topicsOf clusters.
const maxTopicPoints = 300

// topicScores ranks the candidates for each of the reader's topics: a
// model learned from that topic's positives alone, and the nearest of them.
func (sc *scored) topicScores(ctx context.Context, data []float32, dim int, candidates []int, p Profile, opt QueueOptions) ([][]float64, error) {
	per := make([][]float64, len(sc.topics))
	for t, members := range sc.topics {
		pos := make([][]float32, len(members))
		units := make([][]float32, len(members))
		for k, i := range members {
			pos[k], units[k] = sc.pos[i], sc.posUnit[i]
		}
		w, b, err := learn(ctx, data, dim, sc.mean, pos, sc.negRows, p.Dislikes, opt.DislikeWeight)
		if err != nil {
			return nil, err
		}
		model := make([]float64, len(candidates))
		near := make([]float64, len(candidates))
		err = parallel.For(ctx, len(candidates), func(lo, hi int) {
			sims := make([]float64, len(units))
			x := make([]float32, dim)
			for ci := lo; ci < hi; ci++ {
				row := data[candidates[ci]*dim : (candidates[ci]+1)*dim]
				for j := range x {
					x[j] = row[j] - sc.mean[j]
				}
				model[ci] = float64(f32.Dot(x, w)) + b
				for j, u := range units {
					sims[j] = float64(f32.Dot(sc.cunit[ci], u))
				}
				near[ci] = meanTop(sims, neighbours)
			}
		})
		if err != nil {
			return nil, err
		}
		s := zscore(model)
		if opt.NeighbourWeight > 0 {
			for i, z := range zscore(near) {
				s[i] += opt.NeighbourWeight * z
			}
		}
		per[t] = s
	}
	return per, nil
}

// interleave picks n of the candidates in order (indexes of score, best
// first), alternating between the reader's topics in proportion to their
// size (Sainte-Lague), each taking its best paper left by its own scores,
// unless that paper scores more than slack below the best paper left
// overall, which is taken instead. topicOf records each pick's topic.
func interleave(order []int, score []float64, per [][]float64, topics [][]int, n int, slack float64, topicOf map[int]int) []int {
	n = min(n, len(order))
	inOrder := make(map[int]bool, len(order))
	for _, ci := range order {
		inOrder[ci] = true
	}
	lists := make([][]int, len(per))
	for t, s := range per {
		for _, ci := range byScore(s, make([]int, len(s))) {
			if inOrder[ci] {
				lists[t] = append(lists[t], ci)
			}
		}
	}
	used := make(map[int]bool, n)
	next := make([]int, len(per))
	seats := make([]int, len(per))
	global := 0
	out := make([]int, 0, n)
	for len(out) < n {
		for used[order[global]] {
			global++
		}
		t, best := 0, -1.0
		for u := range topics {
			if v := float64(len(topics[u])) / float64(2*seats[u]+1); v > best {
				t, best = u, v
			}
		}
		for next[t] < len(lists[t]) && used[lists[t][next[t]]] {
			next[t]++
		}
		ci, of := order[global], -1
		if next[t] < len(lists[t]) && score[lists[t][next[t]]] >= score[ci]-slack {
			ci, of = lists[t][next[t]], t
		}
		if of < 0 { // the topic the paper scores best for
			of = 0
			for u := range per {
				if per[u][ci] > per[of][ci] {
					of = u
				}
			}
		}
		used[ci] = true
		seats[t]++
		topicOf[ci] = of
		out = append(out, ci)
	}
	return out
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
