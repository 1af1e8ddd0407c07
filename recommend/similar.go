// Package recommend answers "which papers are like this one" (exact cosine
// nearest neighbours) and "what should I read first" (a reading queue ranked
// against the reader's likes, dislikes and interests, with a reason for
// every paper). It works on unit vectors and row indices; the caller maps
// rows to papers.
package recommend

import (
	"context"
	"sort"

	"github.com/papersift/papersift/internal/f32"
	"github.com/papersift/papersift/internal/parallel"
)

// Hit is a row (or, from Nearest, a key) and its cosine similarity to the query.
type Hit struct {
	Index int
	Score float32
}

// better orders hits: higher score first, then lower index.
func better(a, b Hit) bool {
	if a.Score != b.Score {
		return a.Score > b.Score
	}
	return a.Index < b.Index
}

// Nearest keeps the k best hits over rows scanned in pieces: the vectors of
// a model can be scanned chunk by chunk as they are read, without holding
// them all. Rows are named by keys (for example paper ids); ties go to the
// lower key, so the result does not depend on the order of the pieces.
type Nearest struct {
	k int
	h minHeap
	// Bad are the keys of rows whose score is not a cosine (not finite, or
	// beyond ±1): a damaged vector, left out.
	Bad []int

	scores []float32
}

// maxCos bounds a cosine of unit float32 vectors, rounding included.
const maxCos = 1.001

// NewNearest returns an empty k-best set. It holds at most k hits, and
// reserves room for at most 1,024 up front.
func NewNearest(k int) *Nearest { return &Nearest{k: k, h: make(minHeap, 0, min(k, 1024))} }

// Add scans the rows of data (n x dim) against the unit vector q; row i is
// keys[i]. Rows for which skip(key) is true are left out (skip may be nil).
func (nb *Nearest) Add(data []float32, dim int, q []float32, keys []int, skip func(key int) bool) {
	if nb.k <= 0 {
		return
	}
	n := len(data) / dim
	// f32.Dots: a row's score does not depend on where the row lies in
	// memory or among the rows of a call, so the same vector scanned from
	// the database or scored again after an index's pass scores the same
	if cap(nb.scores) < n {
		nb.scores = make([]float32, n)
	}
	scores := nb.scores[:n]
	f32.Dots(q[:dim], data[:n*dim], scores)
	for i := 0; i < n; i++ {
		key := keys[i]
		if skip != nil && skip(key) {
			continue
		}
		hit := Hit{key, scores[i]}
		if !(hit.Score >= -maxCos && hit.Score <= maxCos) {
			nb.Bad = append(nb.Bad, key)
			continue
		}
		if len(nb.h) < nb.k {
			nb.h.push(hit)
		} else if better(hit, nb.h[0]) {
			nb.h[0] = hit
			nb.h.down(0)
		}
	}
}

// Hits returns the best hits, best first; Index holds the key.
func (nb *Nearest) Hits() []Hit {
	out := append([]Hit(nil), nb.h...)
	sort.Slice(out, func(i, j int) bool { return better(out[i], out[j]) })
	return out
}

// TopK returns the k rows of data (n x dim, unit rows) most similar to the
// unit vector q, best first (ties: lower index first), leaving out rows for
// which skip returns true. The scan is exact and runs on all cores.
func TopK(ctx context.Context, data []float32, dim int, q []float32, k int, skip func(i int) bool) ([]Hit, error) {
	n := len(data) / dim
	if k <= 0 || n == 0 {
		return nil, ctx.Err()
	}
	const parts = 32
	partial := make([]*Nearest, parts)
	err := parallel.Fixed(ctx, n, parts, func(p, lo, hi int) {
		nb := NewNearest(k)
		keys := make([]int, hi-lo)
		for i := range keys {
			keys[i] = lo + i
		}
		nb.Add(data[lo*dim:hi*dim], dim, q, keys, skip)
		partial[p] = nb
	})
	if err != nil {
		return nil, err
	}
	var all []Hit
	for _, nb := range partial {
		all = append(all, nb.h...)
	}
	sort.Slice(all, func(i, j int) bool { return better(all[i], all[j]) })
	if len(all) > k {
		all = all[:k]
	}
	return all, nil
}

// minHeap keeps the worst hit on top.
type minHeap []Hit

func (h *minHeap) push(x Hit) {
	*h = append(*h, x)
	i := len(*h) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !better((*h)[p], (*h)[i]) {
			break
		}
		(*h)[p], (*h)[i] = (*h)[i], (*h)[p]
		i = p
	}
}

func (h minHeap) down(i int) {
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		w := l
		if r := l + 1; r < len(h) && better(h[l], h[r]) {
			w = r
		}
		if !better(h[i], h[w]) {
			return
		}
		h[i], h[w] = h[w], h[i]
		i = w
	}
}
