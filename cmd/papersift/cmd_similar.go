package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/papersift/papersift/ingest"
	"github.com/papersift/papersift/recommend"
	"github.com/papersift/papersift/store"
)

type similarOpts struct {
	Ref    string
	Text   string
	K      int
	Filter filterOpts
}

type hitJSON struct {
	ID    string  `json:"id"`
	Title string  `json:"title"`
	Score float64 `json:"score"`
}

func similarCommand(g *globals) *cli.Command {
	return &cli.Command{
		Name:      "similar",
		Usage:     "papers most like a paper (id or title fragment) or a free text, by cosine similarity",
		ArgsUsage: "PAPER | --text \"free text\"",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "text", Usage: "find papers like this text instead of a paper"},
			&cli.IntFlag{Name: "k", Value: 10, Usage: "how many papers"},
		}, filterFlags()...),
		Action: func(c *cli.Context) error {
			f, err := readFilter(c)
			if err != nil {
				return err
			}
			o := similarOpts{Text: c.String("text"), K: c.Int("k"), Filter: f}
			switch {
			case c.NArg() > 1:
				return usagef("similar takes one PAPER (quote a title fragment with spaces)")
			case c.NArg() == 1 && o.Text != "":
				return usagef("give a PAPER or --text, not both")
			case c.NArg() == 0 && o.Text == "":
				return usagef("similar needs a PAPER (id or title fragment) or --text \"free text\"")
			case o.K <= 0:
				return usagef("-k must be positive")
			}
			o.Ref = c.Args().First()
			hits, err := runSimilar(c.Context, g, o)
			if err != nil {
				return err
			}
			t := &table{head: []string{"score", "id", "title"}, wide: map[int]int{2: 90}}
			for _, h := range hits {
				t.add(score(h.Score), h.ID, h.Title)
			}
			return g.emit(hits, t)
		},
	}
}

// resolve finds the paper a user named.
func resolve(ctx context.Context, s *store.Store, ref string) (*store.Paper, error) {
	return s.FindPaper(ctx, ref, ingest.NormalizeID)
}

func runSimilar(ctx context.Context, g *globals, o similarOpts) ([]hitJSON, error) {
	s, err := g.open(ctx)
	if err != nil {
		return nil, err
	}
	if err := checkList(ctx, s, o.Filter.List); err != nil {
		return nil, err
	}
	var query *store.Paper
	if o.Ref != "" {
		if query, err = resolve(ctx, s, o.Ref); err != nil {
			return nil, err
		}
	}
	m, err := g.activeModel(ctx, s)
	if errors.Is(err, store.ErrNotFound) {
		return nil, g.noVectors(ctx, s)
	}
	if err != nil {
		return nil, err
	}
	var q []float32
	self := int64(-1)
	if query != nil {
		self = query.PID
		q, err = s.VectorOf(ctx, m, query.PID)
		if errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("paper %s has no vector of model %s yet: run papersift embed", query.ID, m.Name)
		}
		if err != nil {
			return nil, err
		}
	} else {
		if q, err = g.embedQuery(ctx, s, o.Text); err != nil {
			return nil, err
		}
	}
	allowed, err := g.scope(ctx, s, o.Filter)
	if err != nil {
		return nil, err
	}
	// One pass over the stored chunks: nothing but the best k is kept.
	best := recommend.NewNearest(o.K)
	skip := func(pid int) bool {
		return int64(pid) == self || (allowed != nil && !allowed[int64(pid)])
	}
	var keys []int
	err = s.ScanVectors(ctx, m, func(pids []int64, data []float32) error {
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
	hits := best.Hits()
	pids := make([]int64, len(hits))
	for i, h := range hits {
		pids[i] = int64(h.Index)
	}
	ps, err := s.PapersByPID(ctx, pids)
	if err != nil {
		return nil, err
	}
	byPID := make(map[int64]store.Paper, len(ps))
	for _, p := range ps {
		byPID[p.PID] = p
	}
	out := make([]hitJSON, 0, len(hits))
	for _, h := range hits {
		if p, ok := byPID[int64(h.Index)]; ok {
			out = append(out, hitJSON{ID: p.ID, Title: p.Title, Score: round3(float64(h.Score))})
		}
	}
	return out, nil
}

// scope returns the pids a filter allows, or nil for all.
func (g *globals) scope(ctx context.Context, s *store.Store, f filterOpts) (map[int64]bool, error) {
	if f.List == "" && f.Since == "" {
		return nil, nil
	}
	pids, err := s.PIDs(ctx, store.Filter{List: f.List, Since: f.Since})
	if err != nil {
		return nil, err
	}
	m := make(map[int64]bool, len(pids))
	for _, p := range pids {
		m[p] = true
	}
	return m, nil
}
