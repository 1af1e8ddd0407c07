package recommend

import (
	"context"
	"errors"
	"math"
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
	// Neighbours is how many of the closest liked papers (and interests)
	// a candidate's score averages (default 3).
	Neighbours int
	// DislikeWeight scales the penalty of resembling a disliked paper (default 0.5).
	DislikeWeight float64
}

func (o QueueOptions) withDefaults() QueueOptions {
	if o.N <= 0 {
		o.N = 20
	}
	if o.Neighbours <= 0 {
		o.Neighbours = 3
	}
	if o.DislikeWeight == 0 {
		o.DislikeWeight = 0.5
	}
	return o
}

// Reason says why a paper is in the queue.
type Reason struct {
	// Anchor is the closest liked paper (a row) or, when Interest >= 0, the
	// closest interest.
	Anchor     int
	Interest   int
	Similarity float64
	// Dislike is the row of the disliked paper that lowered the score (-1: none).
	Dislike           int
	DislikeSimilarity float64
}

// Item is a ranked candidate.
type Item struct {
	Index  int
	Score  float64
	Reason Reason
}

// Rank orders the candidate rows against the profile, best first, and
// returns the top N. A candidate's score is the mean cosine to its closest
// liked papers and interests, minus DislikeWeight times its cosine to the
// closest disliked paper when that exceeds the liked evidence.
func Rank(ctx context.Context, data []float32, dim int, candidates []int, p Profile, opt QueueOptions) ([]Item, error) {
	opt = opt.withDefaults()
	if len(p.Likes) == 0 && len(p.Interests) == 0 {
		return nil, ErrEmptyProfile
	}
	anchors := make([][]float32, 0, len(p.Likes)+len(p.Interests))
	for _, r := range p.Likes {
		anchors = append(anchors, data[r*dim:(r+1)*dim])
	}
	anchors = append(anchors, p.Interests...)
	items := make([]Item, len(candidates))
	err := parallel.For(ctx, len(candidates), func(lo, hi int) {
		sims := make([]float64, len(anchors))
		for ci := lo; ci < hi; ci++ {
			row := candidates[ci]
			x := data[row*dim : (row+1)*dim]
			best, bestA := math.Inf(-1), 0
			for a, v := range anchors {
				sims[a] = float64(f32.Dot(x, v))
				if sims[a] > best {
					best, bestA = sims[a], a
				}
			}
			score := meanTop(sims, opt.Neighbours)
			r := Reason{Anchor: -1, Interest: -1, Similarity: best, Dislike: -1}
			if bestA < len(p.Likes) {
				r.Anchor = p.Likes[bestA]
			} else {
				r.Interest = bestA - len(p.Likes)
			}
			dBest, dRow := math.Inf(-1), -1
			for _, d := range p.Dislikes {
				if s := float64(f32.Dot(x, data[d*dim:(d+1)*dim])); s > dBest {
					dBest, dRow = s, d
				}
			}
			if dRow >= 0 && dBest > 0 {
				pen := opt.DislikeWeight * dBest
				score -= pen
				if dBest > best*0.8 {
					r.Dislike, r.DislikeSimilarity = dRow, dBest
				}
			}
			items[ci] = Item{Index: row, Score: score, Reason: r}
		}
	})
	if err != nil {
		return nil, err
	}
	sort.SliceStable(items, func(i, j int) bool {
		if items[i].Score != items[j].Score {
			return items[i].Score > items[j].Score
		}
		return items[i].Index < items[j].Index
	})
	if len(items) > opt.N {
		items = items[:opt.N]
	}
	return items, nil
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
