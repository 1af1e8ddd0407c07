package main

import (
	"bytes"
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
		Usage: "show your likes, dislikes, read papers and interests; import your library, export your profile",
		Subcommands: []*cli.Command{
			{
				Name:      "import",
				Usage:     "like the papers of your library: BibTeX, RIS, a Zotero CSV export, a list of arXiv ids/DOIs/titles, or a profile export",
				ArgsUsage: "FILE",
				Description: "Entries are matched with stored papers by arXiv id, DOI or title and liked; an entry that is not\n" +
					"stored but has its own abstract is added (on a list named after the file) and liked; the\n" +
					"rest are reported by name. A profile written by papersift profile export keeps its dislikes,\n" +
					"read marks and interests.",
				Action: func(c *cli.Context) error {
					if c.NArg() != 1 {
						return usagef("profile import takes one FILE")
					}
					if err := g.writable(); err != nil {
						return err
					}
					res, err := g.lib.ImportProfile(c.Context, c.Args().First())
					if err != nil {
						return err
					}
					t := &table{head: []string{"result", "entry", "paper", "title"}, wide: map[int]int{3: 0}}
					for _, m := range res.Matched {
						t.add(rated(m.Rating)+" (by "+m.By+")", m.Entry, m.ID, m.Title)
					}
					for _, a := range res.Added {
						t.add("added and "+rated(a.Rating), a.Entry, a.ID, a.Title)
					}
					for _, n := range res.NotFound {
						t.add("not found", fmt.Sprintf("%s (line %d)", n.Entry, n.Line), "", n.Why)
					}
					if g.format == "table" {
						defer g.notef("%d matched, %d added (list %q), %d not found, %d interest(s)", len(res.Matched), len(res.Added), res.List, len(res.NotFound), res.Interests)
					}
					return g.emit(res, t)
				},
			},
			{
				Name:  "export",
				Usage: "write your whole profile (papersift's format, which profile import reads back) or your liked papers as BibTeX",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "format", Value: papersift.ExportProfileFormat, Usage: "papersift (the whole profile) or bibtex (the liked papers)"},
					&cli.StringFlag{Name: "out", Usage: "write to FILE instead of the standard output"},
				},
				Action: func(c *cli.Context) error {
					var b bytes.Buffer
					if err := g.lib.ExportProfile(c.Context, &b, c.String("format")); err != nil {
						return err
					}
					if out := c.String("out"); out != "" {
						if err := writeFileAtomic("the profile", out, b.Bytes()); err != nil {
							return err
						}
						g.notef("wrote the profile to %s", out)
						return nil
					}
					w := g.stdout // BibTeX to a terminal is sanitised
					if c.String("format") == papersift.ExportProfileFormat {
						w = g.rawStdout // JSON: exact, its control characters escaped
					}
					_, err := w.Write(b.Bytes())
					return err
				},
			},
		},
		Action: func(c *cli.Context) error {
			if c.Args().Present() {
				return usagef("profile: unknown subcommand %q (use import or export, or nothing to show the profile)", c.Args().First())
			}
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

// rated is a rating said as done: liked, disliked, marked read.
func rated(r string) string {
	if r == "read" {
		return "marked read"
	}
	return r + "d"
}
