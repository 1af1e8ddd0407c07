package recommend

import (
	"context"
	"errors"
)

// Evaluation measures how well the ranking knows a reader, by leaving each
// liked paper out in turn and ranking it among the other candidates.
type Evaluation struct {
	Rounds int // liked papers held out
	K      int
	// HitRate is the share of held-out likes ranked in the top K.
	HitRate float64
	// PrecisionAtK is the leave-one-out precision at K: with one held-out
	// paper per round, HitRate / K.
	PrecisionAtK float64
	// AUC is the mean share of other candidates ranked below the held-out
	// paper (0.5: no better than chance; 1: always first).
	AUC float64
	// Chance is the hit rate a random order would have: K / candidates.
	Chance float64
}

// ErrTooFewLikes is returned by Evaluate for fewer than two liked papers.
var ErrTooFewLikes = errors.New("recommend: leave-one-out needs at least two liked papers")

// ErrNoCandidates is returned by Evaluate when there is nothing but the
// liked papers to rank them among.
var ErrNoCandidates = errors.New("recommend: no other papers to rank the liked ones among")

// Evaluate runs leave-one-out on the profile's likes: each liked row is
// ranked (as Rank scores, before diversity) among pool, the candidate rows,
// by a profile without it.
func Evaluate(ctx context.Context, data []float32, dim int, pool []int, p Profile, k int, opt QueueOptions) (*Evaluation, error) {
	if len(p.Likes) < 2 {
		return nil, ErrTooFewLikes
	}
	if k <= 0 {
		k = 10
	}
	ev := &Evaluation{K: k}
	// every round scores the same rows: their mean once
	mean, err := Mean(ctx, data, dim)
	if err != nil {
		return nil, err
	}
	opt.mean = mean
	for i, held := range p.Likes {
		q := p
		q.Likes = append(append([]int(nil), p.Likes[:i]...), p.Likes[i+1:]...)
		cands := make([]int, 0, len(pool)+1)
		for _, r := range pool {
			if r != held {
				cands = append(cands, r)
			}
		}
		cands = append(cands, held)
		s, err := Scores(ctx, data, dim, cands, q, opt)
		if err != nil {
			return nil, err
		}
		mine := s[len(s)-1]
		above, below, ties := 0, 0, 0
		for _, v := range s[:len(s)-1] {
			switch {
			case v > mine:
				above++
			case v < mine:
				below++
			default:
				ties++
			}
		}
		others := len(s) - 1
		if others == 0 {
			continue
		}
		ev.Rounds++
		if above+ties/2 < k {
			ev.HitRate++
		}
		ev.AUC += (float64(below) + 0.5*float64(ties)) / float64(others)
		ev.Chance += float64(min(k, others+1)) / float64(others+1)
	}
	if ev.Rounds == 0 {
		return nil, ErrNoCandidates
	}
	r := float64(ev.Rounds)
	ev.HitRate /= r
	ev.AUC /= r
	ev.Chance /= r
	ev.PrecisionAtK = ev.HitRate / float64(k)
	return ev, nil
}
