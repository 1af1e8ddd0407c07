package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/papersift/papersift/store"
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
			ids, err := runFeedback(c.Context, g, kind, c.Args().Slice())
			if err != nil {
				return err
			}
			out := struct {
				Action string   `json:"action"`
				Papers []string `json:"papers"`
			}{kind, ids}
			t := &table{head: []string{"action", "paper"}}
			for _, id := range ids {
				t.add(kind, id)
			}
			return g.emit(out, t)
		},
	}
}

// runFeedback resolves every paper first: one unknown paper fails the whole
// command and nothing is recorded.
func runFeedback(ctx context.Context, g *globals, kind string, refs []string) ([]string, error) {
	s, err := g.open(ctx)
	if err != nil {
		return nil, err
	}
	var pids []int64
	var ids []string
	seen := map[int64]bool{}
	for _, ref := range refs {
		p, err := resolve(ctx, s, ref)
		if err != nil {
			return nil, err
		}
		if !seen[p.PID] {
			seen[p.PID] = true
			pids = append(pids, p.PID)
			ids = append(ids, p.ID)
		}
	}
	if kind == "unrate" {
		err = s.Unrate(ctx, pids)
	} else {
		err = s.Rate(ctx, kind, pids)
	}
	return ids, err
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
	text := strings.Join(strings.Fields(strings.Join(c.Args().Slice(), " ")), " ")
	if text == "" {
		return usagef("give the interest as text, e.g. \"graph neural networks\"")
	}
	s, err := g.open(c.Context)
	if err != nil {
		return err
	}
	action := "add"
	if add {
		err = s.AddInterest(c.Context, text)
	} else {
		action = "rm"
		err = s.RemoveInterest(c.Context, text)
		if errors.Is(err, store.ErrNotFound) {
			p, perr := s.Profile(c.Context)
			if perr == nil && len(p.Interests) > 0 {
				return fmt.Errorf("no interest %q (interests: %s)", text, strings.Join(quoteAll(p.Interests), ", "))
			}
			return fmt.Errorf("no interest %q (there are none)", text)
		}
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

func quoteAll(xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = fmt.Sprintf("%q", x)
	}
	return out
}

type profileJSON struct {
	Likes     []string `json:"likes"`
	Dislikes  []string `json:"dislikes"`
	Read      []string `json:"read"`
	Interests []string `json:"interests"`
}

func profileCommand(g *globals) *cli.Command {
	return &cli.Command{
		Name:  "profile",
		Usage: "show your likes, dislikes, read papers and interests",
		Action: func(c *cli.Context) error {
			s, err := g.open(c.Context)
			if err != nil {
				return err
			}
			p, err := s.Profile(c.Context)
			if err != nil {
				return err
			}
			ids := func(rs []store.Rated) []string {
				out := make([]string, len(rs))
				for i, r := range rs {
					out[i] = r.ID
				}
				return out
			}
			out := profileJSON{Likes: ids(p.Likes), Dislikes: ids(p.Dislikes), Read: ids(p.Read), Interests: p.Interests}
			if out.Interests == nil {
				out.Interests = []string{}
			}
			var pids []int64
			for _, rs := range [][]store.Rated{p.Likes, p.Dislikes, p.Read} {
				for _, r := range rs {
					pids = append(pids, r.PID)
				}
			}
			titles, err := s.Titles(c.Context, pids)
			if err != nil {
				return err
			}
			t := &table{head: []string{"kind", "id", "title"}, wide: map[int]int{2: 80}}
			for _, part := range []struct {
				kind string
				rs   []store.Rated
			}{{"like", p.Likes}, {"dislike", p.Dislikes}, {"read", p.Read}} {
				for _, r := range part.rs {
					t.add(part.kind, r.ID, titles[r.PID])
				}
			}
			for _, in := range p.Interests {
				t.add("interest", "", in)
			}
			return g.emit(out, t)
		},
	}
}
