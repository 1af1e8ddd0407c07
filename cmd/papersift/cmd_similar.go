package main

import (
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/papersift/papersift"
)

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
			f, err := readScope(c)
			if err != nil {
				return err
			}
			o := papersift.SimilarOptions{Text: c.String("text"), K: c.Int("k"), Scope: f}
			switch {
			case c.NArg() > 1:
				return usagef("similar takes one PAPER (quote a title fragment with spaces)")
			case c.NArg() == 1 && o.Text != "":
				return usagef("give a PAPER or --text, not both")
			case c.NArg() == 0 && o.Text == "":
				return usagef("similar needs a PAPER (id or title fragment) or --text \"free text\"")
			case o.K <= 0:
				return usagef("-k %d: give a whole number of at least 1 (more than the papers gives them all)", o.K)
			case c.NArg() == 1 && strings.TrimSpace(c.Args().First()) == "":
				return usagef("similar: the PAPER is empty: give an id or a title fragment")
			case c.IsSet("text") && strings.TrimSpace(o.Text) == "":
				return usagef("similar: --text is empty: give some words")
			}
			o.Paper = c.Args().First()
			hits, err := g.lib.Similar(c.Context, o)
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
