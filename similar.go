package papersift

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/papersift/papersift/embed"
	"github.com/papersift/papersift/paper"
	"github.com/papersift/papersift/recommend"
	"github.com/papersift/papersift/store"
)

// SimilarOptions ask for the papers most like a paper or a text.
type SimilarOptions struct {
	Paper string // an id or a fragment of one title; or
	Text  string // a free text
	K     int    // how many (default 10)
	Scope Scope  // only papers of this list or since this day (All is everything, the default)
}

// noVectorOf says why a paper has no vector, and what works.
func (l *Library) noVectorOf(ctx context.Context, s *store.Store, m *store.Model, p *store.Row) error {
	if m.Kind == localKind {
		if _, lm, err := loadLocal(ctx, s); err == nil {
			var te *embed.TextError
			if _, err := lm.Embed(ctx, []string{embed.Text(p.Title, p.Abstract)}); errors.As(err, &te) {
				return fmt.Errorf("paper %s has no vector: none of its words is in the built-in model's vocabulary (%s); "+
					"search with other words (papersift similar --text \"...\")", p.ID, m.Name)
			}
		}
	}
	return fmt.Errorf("paper %s has no vector of model %s yet: run papersift embed", p.ID, m.Name)
}

// Hit is a paper and its cosine similarity to what was asked.
type Hit struct {
	ID    string  `json:"id"`
	Title string  `json:"title"`
	Score float64 `json:"score"`
}

// Similar returns the K papers most like a paper (excluding itself) or a
// free text, by cosine similarity of the active model's vectors, best first.
func (l *Library) Similar(ctx context.Context, o SimilarOptions) ([]Hit, error) {
	if o.K <= 0 {
		o.K = 10
	}
	s, err := l.db(ctx)
	if err != nil {
		return nil, err
	}
	if err := checkLists(ctx, s, o.Scope.Lists); err != nil {
		return nil, err
	}
	var query *store.Row
	if o.Paper != "" {
		if query, err = s.FindPaper(ctx, o.Paper, paper.NormalizeID); err != nil {
			return nil, err
		}
	}
	m, err := l.activeModel(ctx, s)
	if errors.Is(err, store.ErrNotFound) {
		return nil, l.noVectors(ctx, s)
	}
	if err != nil {
		return nil, err
	}
	ok, err := allowed(ctx, s, o.Scope)
	if err != nil {
		return nil, err
	}
	self := int64(-1)
	var q []float32
	if query != nil {
		self = query.PID
	} else if q, err = l.embedQuery(ctx, s, o.Text); err != nil {
		return nil, err
	}
	var outOfScope func(int) bool // for the index
	if ok != nil {
		outOfScope = func(pid int) bool { return !ok[int64(pid)] }
	}
	// the index reads the paper's vector too, when it holds it
	hits, done := l.similarByIndex(ctx, s, m, q, o.K, self, outOfScope)
	if !done {
		if query != nil {
			q, err = s.VectorOf(ctx, m, query.PID)
			if errors.Is(err, store.ErrNotFound) {
				return nil, l.noVectorOf(ctx, s, m, query)
			}
			if errors.Is(err, store.ErrBadVector) {
				return nil, fmt.Errorf("the stored vector of paper %s (model %s) is damaged: %s", query.ID, m.Name, repairHint)
			}
			if err != nil {
				return nil, err
			}
		}
		skip := func(pid int) bool {
			return int64(pid) == self || (ok != nil && !ok[int64(pid)])
		}
		if hits, err = l.scanSimilar(ctx, s, m, q, o.K, skip); err != nil {
			return nil, err
		}
	}
	return l.hitsOf(ctx, s, hits)
}

// scanSimilar is the k papers most like q by one pass over every stored
// vector: nothing but the best k is kept.
func (l *Library) scanSimilar(ctx context.Context, s *store.Store, m *store.Model, q []float32, k int, skip func(int) bool) ([]recommend.Hit, error) {
	best := recommend.NewNearest(k)
	var keys []int
	err := s.ScanVectors(ctx, m, func(pids []int64, data []float32) error {
		keys = keys[:0]
		for _, p := range pids {
			keys = append(keys, int(p))
		}
		best.Add(data, m.Dim, q, keys, skip)
		return ctx.Err()
	})
	if err != nil {
		return nil, err
	}
	if len(best.Bad) > 0 {
		bad := make([]int64, len(best.Bad))
		for i, k := range best.Bad {
			bad[i] = int64(k)
		}
		slices.Sort(bad)
		l.warnDamaged(ctx, s, m, bad)
	}
	return best.Hits(), nil
}

// hitsOf names the papers of hits.
func (l *Library) hitsOf(ctx context.Context, s *store.Store, hits []recommend.Hit) ([]Hit, error) {
	pids := make([]int64, len(hits))
	for i, h := range hits {
		pids[i] = int64(h.Index)
	}
	ps, err := s.PapersByPID(ctx, pids)
	if err != nil {
		return nil, err
	}
	byPID := make(map[int64]store.Row, len(ps))
	for _, p := range ps {
		byPID[p.PID] = p
	}
	out := make([]Hit, 0, len(hits))
	for _, h := range hits {
		if p, ok := byPID[int64(h.Index)]; ok {
			out = append(out, Hit{ID: p.ID, Title: p.Title, Score: round3(float64(h.Score))})
		}
	}
	return out, nil
}
