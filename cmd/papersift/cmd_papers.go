package main

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/papersift/papersift"
	"github.com/papersift/papersift/paper"
)

func filterFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringSliceFlag{Name: "list", Usage: "only papers on this list (repeat it for several: --list a --list b)"},
		&cli.StringFlag{Name: "since", Usage: "only papers dated on or after this day (YYYY-MM-DD)"},
	}
}

func scopeFlags() []cli.Flag {
	return append(filterFlags(), &cli.BoolFlag{Name: "all", Usage: "every stored paper"})
}

// readScope reads the flags of scopeFlags (or of filterFlags alone).
func readScope(c *cli.Context) (papersift.Scope, error) {
	f := papersift.Scope{Lists: c.StringSlice("list"), Since: c.String("since"), All: c.Bool("all")}
	if err := emptyFlag(c, "since", "give a day as YYYY-MM-DD"); err != nil {
		return f, err
	}
	return f, f.Check()
}

// tablePapers is how many papers a table of papers shows unless --limit
// says otherwise.
const tablePapers = 50

func papersCommand(g *globals) *cli.Command {
	return &cli.Command{
		Name:  "papers",
		Usage: "list stored papers",
		Flags: append(filterFlags(), &cli.IntFlag{Name: "limit", Usage: "at most this many papers"}),
		Action: func(c *cli.Context) error {
			f, err := readScope(c)
			if err != nil {
				return err
			}
			if c.Int("limit") < 0 {
				return usagef("--limit %d: give 0 (all) or a positive number", c.Int("limit"))
			}
			ps, err := g.lib.Papers(c.Context, papersift.PapersOptions{Scope: f, Limit: c.Int("limit")})
			if err != nil {
				return err
			}
			t := &table{head: []string{"id", "date", "title", "authors", "lists"}, wide: map[int]int{2: 0, 3: 0, 4: 0}}
			shown := ps
			if !c.IsSet("limit") && len(ps) > tablePapers && g.format != "csv" {
				// a table is for reading: the first papers, and how to see all
				shown = ps[:tablePapers]
				t.more, t.moreHint = len(ps)-tablePapers, " (--limit 0 lists them all, as --format json and csv do)"
			}
			for _, p := range shown {
				t.add(p.ID, p.Date, p.Title, byline(p.Paper), strings.Join(p.Lists, ","))
			}
			return g.emit(ps, t)
		},
	}
}

// byline is who wrote a paper, in a few words.
func byline(p paper.Paper) string {
	switch {
	case len(p.Authors) == 1:
		return p.Authors[0]
	case len(p.Authors) == 2:
		return p.Authors[0] + ", " + p.Authors[1]
	case len(p.Authors) > 2:
		return p.Authors[0] + " et al."
	case p.Org != "":
		return p.Org
	case p.NAuthors != nil:
		if *p.NAuthors == 1 {
			return "1 author"
		}
		return fmt.Sprintf("%d authors", *p.NAuthors)
	}
	return ""
}
