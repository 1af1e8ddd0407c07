package main

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/papersift/papersift"
)

func feedbackCommand(g *globals, kind, usage string) *cli.Command {
	return &cli.Command{
		Name:      kind,
		Usage:     usage,
		ArgsUsage: "PAPER... (ids or title fragments)",
		Action: func(c *cli.Context) error {
			if c.NArg() == 0 {
				return usagef("%s needs at least one PAPER (an id or a title fragment)", kind)
			}
			rated, err := g.lib.Rate(c.Context, kind, c.Args().Slice())
			if err != nil {
				return err
			}
			out := struct {
				Action string                 `json:"action"`
				Papers []string               `json:"papers"`
				Rated  []papersift.RatedPaper `json:"rated"`
			}{Action: kind, Rated: rated}
			t := &table{head: []string{"action", "paper", "title", "rating"}, wide: map[int]int{2: 70}}
			for _, r := range rated {
				out.Papers = append(out.Papers, r.ID)
				change := "unchanged: " + orNone(r.Now)
				if r.Changed() {
					change = fmt.Sprintf("%s (was %s)", orNone(r.Now), orNone(r.Was))
				}
				t.add(kind, r.ID, r.Title, change)
			}
			return g.emit(out, t)
		},
	}
}

func orNone(rating string) string {
	if rating == "" {
		return "none"
	}
	return rating
}

func interestCommand(g *globals) *cli.Command {
	return &cli.Command{
		Name:  "interest",
		Usage: "add or remove free-text interests of your profile",
		Subcommands: []*cli.Command{
			{
				Name:      "add",
				Usage:     "add an interest, e.g. papersift interest add \"graph neural networks\"",
				ArgsUsage: "\"TEXT\"",
				Action: func(c *cli.Context) error {
					return g.interest(c, true)
				},
			},
			{
				Name:      "rm",
				Aliases:   []string{"remove"},
				Usage:     "remove an interest",
				ArgsUsage: "\"TEXT\"",
				Action: func(c *cli.Context) error {
					return g.interest(c, false)
				},
			},
		},
		Action: func(c *cli.Context) error {
			if c.Args().Present() {
				return usagef("interest: unknown subcommand %q (use add or rm)", c.Args().First())
			}
			return usagef("interest needs a subcommand: add \"TEXT\" or rm \"TEXT\"")
		},
	}
}

func (g *globals) interest(c *cli.Context, add bool) error {
	text := papersift.NormalizeInterest(strings.Join(c.Args().Slice(), " "))
	if text == "" {
		return usagef("give the interest as text, e.g. \"graph neural networks\"")
	}
	action := "add"
	var err error
	if add {
		err = g.lib.AddInterest(c.Context, text)
	} else {
		action = "rm"
		err = g.lib.RemoveInterest(c.Context, text)
	}
	if err != nil {
		return err
	}
	out := struct {
		Action   string `json:"action"`
		Interest string `json:"interest"`
	}{"interest " + action, text}
	t := &table{head: []string{"action", "interest"}}
	t.add(out.Action, text)
	return g.emit(out, t)
}

func profileCommand(g *globals) *cli.Command {
	return &cli.Command{
		Name:  "profile",
		Usage: "show your likes, dislikes, read papers and interests",
		Action: func(c *cli.Context) error {
			p, err := g.lib.Profile(c.Context)
			if err != nil {
				return err
			}
			t := &table{head: []string{"kind", "id", "title"}, wide: map[int]int{2: 80}}
			for _, part := range []struct {
				kind string
				ids  []string
			}{{"like", p.Likes}, {"dislike", p.Dislikes}, {"read", p.Read}} {
				for _, id := range part.ids {
					t.add(part.kind, id, p.Titles[id])
				}
			}
			for _, in := range p.Interests {
				t.add("interest", "", in)
			}
			return g.emit(p, t)
		},
	}
}
