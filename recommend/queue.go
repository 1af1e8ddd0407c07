package recommend

import (
	"cmp"
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
	// OnStep, when set, is called as ranking goes: after each model is
	// learned and after the candidates are scored (for a progress display).
	OnStep func()
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

	// mean is the rows' mean when the caller has it already (Evaluate's
	// rounds all score the same rows).
	mean []float32
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

// lrTol: a fit stops when its gradient's norm has shrunk to this share of
// the first step's (it shrinks by a steady factor a step: about 100 steps
// instead of 200; on quality.py's readers the same queues).
var lrTol = 1e-3

// Rank orders the candidate rows (unit vectors, rows of data) against the
// profile and returns the best N with reasons.
//
// Relevance blends two views of the reader, both on the directions (unit
// vectors) of vectors centred on the corpus mean (the common direction all
// papers share says nothing of taste):
// a linear model learned from the likes (and interests) against every other
// paper, disliked papers weighing DislikeWeight times more, and the mean
// cosine to the few nearest liked papers, so a reader of several topics is
// never reduced to one direction. Maximal marginal relevance then spreads
// the top of the queue across those topics.
func Rank(ctx context.Context, data []float32, dim int, candidates []int, p Profile, opt QueueOptions) ([]Item, error) {
	opt = opt.withDefaults()
	byTopic := opt.Diversity <= 0 && opt.Topics >= 0
	sc, err := scoreAll(ctx, data, dim, candidates, p, opt, byTopic)
	if err != nil || len(candidates) == 0 {
		return nil, err
	}
	score, match := sc.score, sc.match
	weak := func(ci int) bool { return opt.Floor > 0 && match[ci] < opt.Floor }
	// strong matches first, then good ones, then weak ones: the words of
	// the queue read in rank order. Of each tier only its head in order
	// of score is needed (a pick takes one paper; MMR looks at a pool of
	// mmrPool or 5 N; interleave skips at most N taken ones), found
	// without sorting every candidate
	tiers := [3][]bool{make([]bool, len(score)), make([]bool, len(score)), make([]bool, len(score))}
	for ci := range score {
		switch {
		case weak(ci):
			tiers[2][ci] = true
		case match[ci] >= StrongMatch && opt.Floor > 0:
			tiers[0][ci] = true
		default:
			tiers[1][ci] = true
		}
	}
	worse := func(a, b int) bool { return byScoreCmp(score, candidates, a, b) > 0 }
	nn := min(opt.N, len(score)) // a huge -n is every candidate
	head := max(mmrPool, 5*nn, 2*nn+1)
	strong := topBy(worse, tiers[0], head)
	good := topBy(worse, tiers[1], head)
	below := topBy(worse, tiers[2], opt.N)
	var picked []int
	topicOf := make(map[int]int)
	per := sc.per // nil unless the reader has several topics
	// the centred unit vector of a candidate, when MMR or a weak match's
	// topic needs it
	cunit := func(ci int) []float32 {
		row := candidates[ci]
		return unit(centred(data[row*dim:(row+1)*dim], sc.mean))
	}
	for k, tier := range [][]int{strong, good} {
		n := opt.N - len(picked)
		switch {
		case n <= 0:
		case opt.Diversity > 0:
			picked = append(picked, mmr(tier, score, cunit, n, opt.Diversity)...)
		case per != nil:
			picked = append(picked, interleave(tier, tiers[k], score, per, sc.topics, n, opt.TopicSlack, topicOf)...)
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
			topicOf[ci] = topicOfPositive(sc.topics, closest(cunit(ci), sc.posUnit))
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

// byScoreCmp orders candidates a and b by score, best first, then by row.
func byScoreCmp(score []float64, candidates []int, a, b int) int {
	if sa, sb := score[a], score[b]; sa > sb {
		return -1
	} else if sa < sb {
		return 1
	}
	return cmp.Compare(candidates[a], candidates[b])
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

// Scores returns the relevance of each candidate row to the profile, as
// Rank computes it before spreading the queue across topics (higher is
// better; the scale is standard deviations over the candidates).
func Scores(ctx context.Context, data []float32, dim int, candidates []int, p Profile, opt QueueOptions) ([]float64, error) {
	sc, err := scoreAll(ctx, data, dim, candidates, p, opt.withDefaults(), false)
	if err != nil || sc == nil {
		return nil, err
	}
	return sc.score, nil
}

// scored is the relevance of the candidates and what ranking them by the
// reader's topics needs.
type scored struct {
	score   []float64
	match   []float64   // the cosine to the closest positive (centred)
	per     [][]float64 // each topic's scores, when the reader has several
	posUnit [][]float32 // centred unit positives: likes, then interests
	mean    []float32
	topics  [][]int // the positives (indexes of posUnit) of each of the reader's topics
}

// scoreAll scores the candidates in one pass over them: against the whole
// profile, and (byTopic, when the reader has several topics) against each
// topic: a model learned from that topic's positives alone, and the
// nearest of them.
func scoreAll(ctx context.Context, data []float32, dim int, candidates []int, p Profile, opt QueueOptions, byTopic bool) (*scored, error) {
	if len(p.Likes) == 0 && len(p.Interests) == 0 {
		return nil, ErrEmptyProfile
	}
	if len(candidates) == 0 {
		return nil, ctx.Err()
	}
	n := len(data) / dim
	mean := opt.mean
	if len(mean) != dim {
		var err error
		if mean, err = Mean(ctx, data, dim); err != nil {
			return nil, err
		}
	}
	// positives: liked rows and interests, the directions of their
	// centred vectors
	var pos [][]float32
	liked := make(map[int]bool, len(p.Likes))
	for _, r := range p.Likes {
		liked[r] = true
		pos = append(pos, unit(centred(data[r*dim:(r+1)*dim], mean)))
	}
	for _, v := range p.Interests {
		pos = append(pos, unit(centred(v, mean)))
	}
	// negatives: every other row (a seeded sample on large corpora)
	disliked := make(map[int]bool, len(p.Dislikes))
	for _, r := range p.Dislikes {
		disliked[r] = true
	}
	negRows := make([]int, 0, min(n, 2*maxNegative))
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
	step := func() {
		if opt.OnStep != nil {
			opt.OnStep()
		}
	}
	neg := newExamples(data, dim, mean, negRows, p.Dislikes)
	w, b, err := learn(ctx, pos, neg, opt.DislikeWeight)
	if err != nil {
		return nil, err
	}
	step()
	// the same, for the neighbour evidence
	posUnit := pos
	topics := topicsOf(posUnit, topicJoin, maxTopics)
	// each topic's own model, when the queue is spread by topic
	var tw [][]float32
	var tb []float64
	if byTopic && len(topics) > 1 {
		for _, members := range topics {
			tpos := make([][]float32, len(members))
			for k, i := range members {
				tpos[k] = pos[i]
			}
			w, b, err := learn(ctx, tpos, neg, opt.DislikeWeight)
			if err != nil {
				return nil, err
			}
			tw, tb = append(tw, w), append(tb, b)
			step()
		}
	}
	m := len(candidates)
	model := make([]float64, m)
	near := make([]float64, m)
	match := make([]float64, m)
	tmodel, tnear := make([][]float64, len(tw)), make([][]float64, len(tw))
	for t := range tw {
		tmodel[t], tnear[t] = make([]float64, m), make([]float64, m)
	}
	// the models' weights and the positives side by side, for the dot
	// kernel: a candidate's margins and similarities in two calls
	ws := append([]float32(nil), w...)
	for _, v := range tw {
		ws = append(ws, v...)
	}
	var ps []float32
	for _, v := range posUnit {
		ps = append(ps, v...)
	}
	err = parallel.For(ctx, m, func(lo, hi int) {
		sims := make([]float64, len(posUnit))
		tsims := make([]float64, len(posUnit))
		dots := make([]float32, max(len(posUnit), 1+len(tw)))
		x := make([]float32, dim)
		for ci := lo; ci < hi; ci++ {
			centredInto(x, data[candidates[ci]*dim:(candidates[ci]+1)*dim], mean)
			unitInto(x, x)
			f32.Dots(x, ws, dots[:1+len(tw)])
			model[ci] = float64(dots[0]) + b
			for t := range tw {
				tmodel[t][ci] = float64(dots[1+t]) + tb[t]
			}
			f32.Dots(x, ps, dots[:len(posUnit)])
			best := math.Inf(-1)
			for j := range posUnit {
				sims[j] = float64(dots[j])
				best = max(best, sims[j])
			}
			match[ci] = best
			near[ci] = meanTop(sims, neighbours)
			for t, members := range topics[:len(tw)] {
				ts := tsims[:0]
				for _, i := range members {
					ts = append(ts, sims[i])
				}
				tnear[t][ci] = meanTop(ts, neighbours)
			}
		}
	})
	if err != nil {
		return nil, err
	}
	step()
	blend := func(model, near []float64) []float64 {
		s := zscore(model)
		if opt.NeighbourWeight > 0 {
			for i, z := range zscore(near) {
				s[i] += opt.NeighbourWeight * z
			}
		}
		return s
	}
	score := blend(model, near)
	if opt.HalfLife > 0 && opt.Ages != nil {
		for i, r := range candidates {
			score[i] -= max(0, opt.Ages[r]) / opt.HalfLife
		}
	}
	sc := &scored{score: score, match: match, posUnit: posUnit, mean: mean, topics: topics}
	for t := range tw {
		sc.per = append(sc.per, blend(tmodel[t], tnear[t]))
	}
	return sc, nil
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

// interleave picks n of the candidates in order (indexes of score, best
// first: the head of those inOrder marks, at least 2n of them or all),
// alternating between the reader's topics in proportion to their
// size (Sainte-Lague), each taking its best paper left by its own scores,
// unless that paper scores more than slack below the best paper left
// overall, which is taken instead. topicOf records each pick's topic.
func interleave(order []int, inOrder []bool, score []float64, per [][]float64, topics [][]int, n int, slack float64, topicOf map[int]int) []int {
	n = min(n, len(order))
	// each topic's list needs no more than its first 2n+1 papers: a pick
	// takes one, and at most n others are skipped as taken
	lists := make([][]int, len(per))
	for t, s := range per {
		lists[t] = topBy(func(a, b int) bool { return s[a] < s[b] || s[a] == s[b] && a > b }, inOrder, 2*n+1)
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

// topBy returns the first k of the candidates that in marks, in an order
// where worse(a, b) says that a comes after b (a total order): the head of
// that whole order, without sorting it all (a heap of k).
func topBy(worse func(a, b int) bool, in []bool, k int) []int {
	h := make([]int, 0, min(k, len(in)))
	down := func(i int) {
		for {
			l, r, m := 2*i+1, 2*i+2, i
			if l < len(h) && worse(h[l], h[m]) {
				m = l
			}
			if r < len(h) && worse(h[r], h[m]) {
				m = r
			}
			if m == i {
				return
			}
			h[i], h[m] = h[m], h[i]
			i = m
		}
	}
	for ci := range in {
		if !in[ci] {
			continue
		}
		if len(h) < k {
			h = append(h, ci)
			for i := len(h) - 1; i > 0; {
				p := (i - 1) / 2
				if !worse(h[i], h[p]) {
					break
				}
				h[i], h[p] = h[p], h[i]
				i = p
			}
			continue
		}
		if k == 0 || !worse(h[0], ci) {
			continue
		}
		h[0] = ci
		down(0)
	}
	slices.SortFunc(h, func(a, b int) int {
		switch {
		case worse(b, a):
			return -1
		case worse(a, b):
			return 1
		}
		return 0
	})
	return h
}

// mmr picks n of the candidates, in order of relevance penalised by the
// highest similarity to those already picked (maximal marginal relevance).
// order lists candidates by relevance, best first; u gives a candidate's
// centred unit vector.
func mmr(order []int, score []float64, u func(int) []float32, n int, lambda float64) []int {
	if n > len(order) {
		n = len(order)
	}
	if lambda <= 0 {
		return append([]int(nil), order[:n]...)
	}
	pool := order[:min(len(order), max(mmrPool, 5*n))]
	vec := make([][]float32, len(pool))
	for j, ci := range pool {
		vec[j] = u(ci)
	}
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
			v := (1-lambda)*score[ci] - lambda*3*max(0, maxSim[j])
			if best < 0 || v > bv { // a NaN score never wins, never stops the pick
				best, bv = j, v
			}
		}
		used[best] = true
		out = append(out, pool[best])
		for j := range pool {
			if !used[j] {
				maxSim[j] = max(maxSim[j], float64(f32.Dot(vec[j], vec[best])))
			}
		}
	}
	return out
}

// examples are the negative examples of the learned model: the directions
// of centred rows (unit vectors), side by side (the sampled papers, then
// the disliked ones), learned against once per model.
type examples struct {
	x         []float32 // rows of dim
	dim       int
	negatives int // the first rows; the others are dislikes
}

func newExamples(data []float32, dim int, mean []float32, negRows, dislikes []int) *examples {
	e := &examples{x: make([]float32, 0, (len(negRows)+len(dislikes))*dim), dim: dim, negatives: len(negRows)}
	for _, rows := range [][]int{negRows, dislikes} {
		for _, r := range rows {
			for j, v := range data[r*dim : (r+1)*dim] {
				e.x = append(e.x, v-mean[j])
			}
			row := e.x[len(e.x)-dim:]
			unitInto(row, row)
		}
	}
	return e
}

// learn fits w, b of a balanced, L2-regularised logistic regression of
// liked (pos, unit centred vectors) against the negative examples, by
// full-batch gradient descent. Positives weigh half in all, negatives half, a
// disliked paper dislikeWeight times a plain negative.
func learn(ctx context.Context, pos [][]float32, neg *examples, dislikeWeight float64) ([]float32, float64, error) {
	dim := neg.dim
	nneg := len(neg.x) / max(1, dim)
	total := len(pos) + nneg
	negW := float64(neg.negatives) + dislikeWeight*float64(nneg-neg.negatives)
	// example i: a positive below len(pos), else row i-len(pos) of neg
	x := func(i int) []float32 {
		if i < len(pos) {
			return pos[i]
		}
		r := i - len(pos)
		return neg.x[r*dim : (r+1)*dim : (r+1)*dim]
	}
	weight := func(i int) (y, s float64) {
		switch {
		case i < len(pos):
			return 1, 0.5 / float64(len(pos))
		case i-len(pos) < neg.negatives:
			return 0, 0.5 / negW
		default:
			return 0, 0.5 * dislikeWeight / negW
		}
	}
	w := make([]float64, dim)
	wf := make([]float32, dim)
	var b float64
	const parts = 16 // fixed: the sums never depend on the number of cores
	grads := make([][]float32, parts)
	gb := make([]float64, parts)
	margins := make([][]float32, parts)
	for i := range grads {
		grads[i] = make([]float32, dim)
	}
	g := make([]float64, dim)
	var g0 float64
	for it := 0; it < lrIters; it++ {
		for j, v := range w {
			wf[j] = float32(v)
		}
		err := parallel.Fixed(ctx, total, parts, func(p, lo, hi int) {
			gp := grads[p]
			clear(gp)
			gb[p] = 0
			if cap(margins[p]) < hi-lo {
				margins[p] = make([]float32, hi-lo)
			}
			mg := margins[p][:hi-lo]
			// the margins of the part: the negatives' in one call
			at := lo
			for ; at < min(hi, len(pos)); at++ {
				f32.Dots(wf, pos[at], mg[at-lo:at-lo+1])
			}
			if at < hi {
				r0 := at - len(pos)
				f32.Dots(wf, neg.x[r0*dim:(r0+hi-at)*dim], mg[at-lo:])
			}
			for i := lo; i < hi; i++ {
				y, s := weight(i)
				r := s * (sigmoid(float64(mg[i-lo])+b) - y)
				gb[p] += r
				f32.Axpy(float32(r), x(i), gp)
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
		var gn float64 // the gradient's norm, squared
		for j := range w {
			d := g[j] + lrLambda*w[j]
			gn += d * d
			w[j] -= lrStep * d
		}
		b -= lrStep * sb
		gn += sb * sb
		// converged: the gradient has shrunk by lrTol (it shrinks by a
		// steady factor each step; the scores no longer move in their
		// fourth digit)
		if it == 0 {
			g0 = gn
		} else if gn <= lrTol*lrTol*g0 {
			break
		}
	}
	for j, v := range w {
		wf[j] = float32(v)
	}
	return wf, b, nil
}

func sigmoid(x float64) float64 { return 1 / (1 + fastExp(-x)) }

// fastExp is e^x within a few parts in 10^9 (math.Exp within one ulp): the
// learned model takes 4 million of them per fit, and math.Exp was half its
// time. x = k ln 2 + r with |r| <= ln 2 / 2, e^r by its Taylor series to
// r^8 (the remainder is below 6e-9 of it), times 2^k.
func fastExp(x float64) float64 {
	switch {
	case x != x:
		return x
	case x > 700:
		return math.Inf(1)
	case x < -700:
		return 0
	}
	k := math.Round(x * math.Log2E)
	r := x - k*math.Ln2
	p := 1 + r*(1+r*(1.0/2+r*(1.0/6+r*(1.0/24+r*(1.0/120+r*(1.0/720+r*(1.0/5040+r*(1.0/40320))))))))
	return p * math.Float64frombits(uint64(int64(k)+1023)<<52)
}

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

// centredInto writes x - mean into dst.
func centredInto(dst, x, mean []float32) {
	for i := range x {
		dst[i] = x[i] - mean[i]
	}
}

// unitInto writes x scaled to unit length into dst (zeros when x is zero),
// as unit does.
func unitInto(dst, x []float32) {
	var ss float64
	for _, v := range x {
		ss += float64(v) * float64(v)
	}
	if ss == 0 {
		clear(dst)
		return
	}
	inv := float32(1 / math.Sqrt(ss))
	for i, v := range x {
		dst[i] = v * inv
	}
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

// meanTop is the mean of the m largest values of xs, summed largest first.
func meanTop(xs []float64, m int) float64 {
	if len(xs) == 0 {
		return 0
	}
	m = min(m, len(xs))
	if m > 8 {
		s := append([]float64(nil), xs...)
		sort.Sort(sort.Reverse(sort.Float64Slice(s)))
		var t float64
		for _, v := range s[:m] {
			t += v
		}
		return t / float64(m)
	}
	var top [8]float64 // the largest so far, largest first
	k := 0
	for _, v := range xs {
		if k < m {
			k++
		} else if !(v > top[m-1]) {
			continue
		}
		j := k - 1
		for j > 0 && v > top[j-1] {
			top[j] = top[j-1]
			j--
		}
		top[j] = v
	}
	var t float64
	for _, v := range top[:m] {
		t += v
	}
	return t / float64(m)
}
