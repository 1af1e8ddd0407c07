package main

import (
	"fmt"
	"math"

	"github.com/urfave/cli/v2"

	"github.com/papersift/papersift"
)

func queueCommand(g *globals) *cli.Command {
	return &cli.Command{
		Name:  "queue",
		Usage: "your reading queue: papers ranked against your likes, dislikes and interests, each with a reason",
		Flags: append(scopeFlags(),
			&cli.IntFlag{Name: "n", Value: 20, Usage: "length of the queue"},
			&cli.BoolFlag{Name: "include-read", Usage: "keep papers marked read"},
			&cli.Float64Flag{Name: "diversity", Value: papersift.DefaultDiversity, Usage: "0 to 1: spread the top of the queue by similarity (maximal marginal relevance) instead of by your topics (0 is off)"},
			&cli.Float64Flag{Name: "half-life", Usage: "favour recent papers: each DAYS of age costs as much as one standard deviation of relevance (0 is off)"},
		),
		Action: func(c *cli.Context) error {
			f, err := readScope(c)
			if err != nil {
				return err
			}
			o := papersift.QueueOptions{N: c.Int("n"), Scope: f, IncludeRead: c.Bool("include-read"), Diversity: c.Float64("diversity"), HalfLife: c.Float64("half-life")}
			if o.N <= 0 {
				return usagef("-n %d: give a whole number of at least 1", o.N)
			}
			if !(o.Diversity >= 0 && o.Diversity < 1) {
				return usagef("--diversity %v: give a number from 0 (off) up to, not including, 1", o.Diversity)
			}
			if o.HalfLife != 0 && !(o.HalfLife >= minHalfLife && o.HalfLife <= maxHalfLife) {
				return usagef("--half-life %v: give 0 (off) or a number of days from %v to %v", o.HalfLife, minHalfLife, maxHalfLife)
			}
			items, err := g.lib.Queue(c.Context, o)
			if err != nil {
				return err
			}
			t := &table{head: []string{"rank", "match", "id", "title", "reason"}, wide: map[int]int{3: 60}}
			if g.format == "csv" { // for a spreadsheet, the numbers too
				t.head = []string{"rank", "strength", "match", "score", "id", "title", "reason"}
			}
			for _, it := range items {
				if g.format == "csv" {
					t.add(fmt.Sprint(it.Rank), it.Strength, score(it.Match), score(it.Score), it.ID, it.Title, it.Reason)
					continue
				}
				t.add(fmt.Sprint(it.Rank), it.Strength, it.ID, it.Title, it.Reason)
			}
			return g.emit(items, t)
		},
	}
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
			k, err := intIn(c, "k", 1, math.MaxInt)
			if err != nil {
				return err
			}
			out, err := g.lib.Eval(c.Context, papersift.EvalOptions{Scope: f, K: k})
			if err != nil {
				return err
			}
			t := &table{head: []string{"measure", "value", "meaning"}}
			t.add("likes held out", fmt.Sprint(out.Likes), "each ranked among the other papers")
			t.add(fmt.Sprintf("hit rate at %d", k), fmt.Sprintf("%.3f", out.HitRate), fmt.Sprintf("share of held-out likes in the top %d (chance: %.3f)", k, out.Chance))
			t.add(fmt.Sprintf("precision at %d", k), fmt.Sprintf("%.3f", out.PrecisionAtK), "one held-out paper per round: hit rate / k")
			t.add("AUC", fmt.Sprintf("%.3f", out.AUC), "share of other papers ranked below a held-out like (0.5 is chance)")
			if out.Note != "" {
				t.add("note", "", out.Note)
			}
			return g.emit(out, t)
		},
	}
}
