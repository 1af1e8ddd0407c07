package embed

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/papersift/papersift/tfidf"
)

// focusTopics is how many topics the corpus part's terms are weighed by,
// focusPower the exponent of their weights and focusFloor the least
// weight (chosen by measurement, see the README's Quality: without a
// floor, papers of topics the fit did not see fold in worse, and a corpus
// grown list by list ended 2.2% below one ingested at once).
const (
	focusTopics = 20
	focusPower  = 0.5
	focusFloor  = 0.3
)

// focus refits the corpus part of m (fitted on f) with each term weighed
// by how much it keeps to some of the corpus's topics. It clusters the
// fit's sample, embedded with both parts, into k topics (with clusterFn,
// seeded with the fit's seed: the product passes group's k-means); a
// term's weight is 0.3 + 0.7 (1 - H/ln k)^0.5, H the
// entropy of the share of its TF-IDF mass in each topic: a term that
// names a topic keeps most of its idf ("auction", "robot", "speech": 0.83
// to 0.87 on dev.jsonl), one that every topic uses alike keeps little
// more than 0.3 ("framework", "propose", "results": about 0.4), however
// rare it is. The topics are the corpus's own and nothing is
// learned from labels. It returns nil (keep the plain fit) when fewer than
// 10 k of the sample's texts can be embedded, and when every weight is 1.
func (m *Builtin) focus(ctx context.Context, f *localFit, k int, clusterFn func(context.Context, []float32, int, int, uint64) ([]int, error)) (*LocalModel, error) {
	if k < 2 || k > len(f.sample)/10 {
		return nil, nil
	}
	vecs, bad, err := m.embedAll(ctx, f.sample)
	if err != nil {
		return nil, err
	}
	dim := m.Dim()
	var idx []int
	for i, b := range bad {
		if !b {
			idx = append(idx, i)
		}
	}
	if k > len(idx)/10 {
		return nil, nil
	}
	data := make([]float32, 0, len(idx)*dim)
	for _, i := range idx {
		data = append(data, vecs[i]...)
	}
	assign, err := clusterFn(ctx, data, dim, k, f.cfg.Seed)
	if err != nil {
		return nil, err
	}
	if len(assign) != len(idx) {
		return nil, fmt.Errorf("embed: clustering returned %d topics for %d papers", len(assign), len(idx))
	}
	for _, c := range assign {
		if c < 0 || c >= k {
			return nil, fmt.Errorf("embed: clustering returned topic %d of %d", c, k)
		}
	}
	w := focusWeights(f.vocab.Len(), f.rows, idx, assign, k)
	if !slices.ContainsFunc(w, func(x float64) bool { return x != 1 }) {
		return nil, nil // nothing to refit: the plain fit, under its own identity
	}
	idf := make([]float32, len(w))
	for t, x := range w {
		idf[t] = f.vocab.IDF[t] * float32(x)
	}
	vocab, err := tfidf.New(f.vocab.Terms, idf, f.vocab.Bigrams)
	if err != nil {
		return nil, err
	}
	rows := make([]tfidf.Sparse, len(f.rows))
	for i, r := range f.rows {
		rows[i] = reweigh(r, w)
	}
	return fitRows(ctx, vocab, rows, f.n, f.cfg)
}

// focusWeights are the terms' weights: the TF-IDF mass of each term in
// each of k topics (rows[idx[j]] in topic assign[j]), and from its shares
// the entropy H, weight f + (1-f) (1 - H/ln k)^focusPower, f =
// focusFloor. A term the sample does not use keeps weight 1.
func focusWeights(terms int, rows []tfidf.Sparse, idx, assign []int, k int) []float64 {
	mass := make([]float64, k*terms)
	for j, i := range idx {
		c := assign[j] * terms
		r := rows[i]
		for a, t := range r.Idx {
			mass[c+int(t)] += float64(r.Val[a])
		}
	}
	w := make([]float64, terms)
	lnk := math.Log(float64(k))
	for t := range w {
		tot := 0.0
		for c := 0; c < k; c++ {
			tot += mass[c*terms+t]
		}
		if tot <= 0 {
			w[t] = 1
			continue
		}
		h := 0.0
		for c := 0; c < k; c++ {
			if p := mass[c*terms+t] / tot; p > 0 {
				h -= p * math.Log(p)
			}
		}
		w[t] = focusFloor + (1-focusFloor)*math.Pow(max(0, 1-h/lnk), focusPower)
	}
	return w
}

// reweigh returns a copy of the L2-normalised row r with each term's value
// times its weight, normalised again (empty if nothing is left).
func reweigh(r tfidf.Sparse, w []float64) tfidf.Sparse {
	out := tfidf.Sparse{Idx: r.Idx, Val: make([]float32, len(r.Val))}
	ss := 0.0
	for a, t := range r.Idx {
		x := float64(r.Val[a]) * w[t]
		out.Val[a] = float32(x)
		ss += x * x
	}
	if ss == 0 {
		return tfidf.Sparse{}
	}
	inv := 1 / math.Sqrt(ss)
	for a := range out.Val {
		out.Val[a] = float32(float64(out.Val[a]) * inv)
	}
	return out
}
