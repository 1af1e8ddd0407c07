package main

import (
	"errors"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/papersift/papersift/recommend"
)

type evalJSON struct {
	Likes        int     `json:"likes"`
	Candidates   int     `json:"candidates"`
	K            int     `json:"k"`
	HitRate      float64 `json:"hit_rate_at_k"`
	PrecisionAtK float64 `json:"precision_at_k"`
	AUC          float64 `json:"auc"`
	Chance       float64 `json:"chance_hit_rate"`
}

func evalCommand(g *globals) *cli.Command {
	return &cli.Command{
		Name:  "eval",
		Usage: "how well papersift knows you: each liked paper left out in turn and ranked among the others (hit rate and precision at k, AUC)",
		Flags: append(scopeFlags(), &cli.IntFlag{Name: "k", Value: 10, Usage: "the top k a held-out like should reach"}),
		Action: func(c *cli.Context) error {
			f, err := readScope(c)
			if err != nil {
				return err
			}
			k := c.Int("k")
			if k <= 0 {
				return usagef("-k must be positive")
			}
			if !f.All && f.List == "" && f.Since == "" {
				f.All = true // your likes come from every list
			}
			rm, err := g.loadReader(c.Context, f, true)
			if err != nil {
				return err
			}
			cand, err := rm.candidates(c.Context)
			if err != nil {
				return err
			}
			ev, err := recommend.Evaluate(c.Context, rm.mat.Data, rm.mat.Dim, cand, rm.p, k, recommend.QueueOptions{})
			if errors.Is(err, recommend.ErrTooFewLikes) {
				return fmt.Errorf("eval leaves each liked paper out in turn: like at least two papers with vectors first (papersift like ID)")
			}
			if errors.Is(err, recommend.ErrNoCandidates) {
				return fmt.Errorf("eval ranks each liked paper among the others of the scope, and there are none: widen it (--all)")
			}
			if err != nil {
				return err
			}
			out := evalJSON{Likes: ev.Rounds, Candidates: len(cand), K: k, HitRate: round3(ev.HitRate), PrecisionAtK: round3(ev.PrecisionAtK), AUC: round3(ev.AUC), Chance: round3(ev.Chance)}
			t := &table{head: []string{"measure", "value", "meaning"}}
			t.add("likes held out", fmt.Sprint(out.Likes), "each ranked among the other papers")
			t.add(fmt.Sprintf("hit rate at %d", k), fmt.Sprintf("%.3f", out.HitRate), fmt.Sprintf("share of held-out likes in the top %d (chance: %.3f)", k, out.Chance))
			t.add(fmt.Sprintf("precision at %d", k), fmt.Sprintf("%.3f", out.PrecisionAtK), "one held-out paper per round: hit rate / k")
			t.add("AUC", fmt.Sprintf("%.3f", out.AUC), "share of other papers ranked below a held-out like (0.5 is chance)")
			return g.emit(out, t)
		},
	}
}
