package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/papersift/papersift"
)

func groupCommand(g *globals) *cli.Command {
	return &cli.Command{
		Name:  "group",
		Usage: "cluster papers into topics (k-means) with readable labels",
		Flags: append(scopeFlags(),
			&cli.StringFlag{Name: "k", Value: "auto", Usage: "number of clusters (more than the papers: one per paper), or auto: from 2 to sqrt(n/2) (at most 20), the largest k whose silhouette is within 0.04 of the best"},
			&cli.Uint64Flag{Name: "seed", Value: 1, Usage: "random seed: same data, same seed, same clusters"},
		),
		Action: func(c *cli.Context) error {
			f, err := readScope(c)
			if err != nil {
				return err
			}
			o := papersift.GroupOptions{Scope: f, Seed: c.Uint64("seed")}
			if g.format == "table" && (f.All || f.Since != "") {
				o.TitlesFor = groupSummary // the table shows these only
			}
			if o.K, err = parseK(c.String("k")); err != nil {
				return err
			}
			res, err := g.lib.Group(c.Context, o)
			if err != nil {
				return err
			}
			return g.printGroup(res)
		},
	}
}

// groupSummary is the number of papers per topic the table shows of --all
// or --since.
const groupSummary = 10

func parseK(s string) (int, error) {
	if s == "auto" || s == "" {
		return 0, nil
	}
	k, err := strconv.Atoi(s)
	if err != nil || k <= 0 {
		return 0, usagef("-k %q: give a positive number or auto", s)
	}
	return k, nil
}

func (g *globals) printGroup(r *papersift.Groups) error {
	switch g.format {
	case "json":
		return writeJSON(g.stdout, r)
	case "table":
		limit := 0
		if r.List == "" {
			limit = groupSummary // --all or --since: the topics, not every paper
		}
		return writeGroupText(g.stdout, r, limit, g.textWidth())
	}
	t := &table{head: []string{"cluster", "label", "rank", "id", "title", "score"}}
	for _, c := range r.Clusters {
		for i, p := range c.Papers {
			t.add(fmt.Sprint(c.ID), c.Label, fmt.Sprint(i+1), p.ID, p.Title, score(p.Score))
		}
	}
	return g.emit(r, t)
}

// writeGroupText prints clusters for people: a heading per cluster, then its
// papers, closest to the centre first (at most limit per cluster; 0: all),
// titles cut to a terminal's width (0: not cut).
func writeGroupText(w io.Writer, r *papersift.Groups, limit, width int) error {
	var b strings.Builder
	if r.Note != "" {
		fmt.Fprintf(&b, "Note: %s (silhouette %.2f).\n\n", r.Note, r.Silhouette)
	}
	for i, c := range r.Clusters {
		if i > 0 {
			b.WriteString("\n")
		}
		loose := ""
		if c.Weak {
			loose = ", a loose group"
		}
		fmt.Fprintf(&b, "## %s  (%d %s%s)\n", c.Label, c.Size, plural(c.Size, "paper", "papers"), loose)
		if len(c.Terms) > 3 {
			fmt.Fprintf(&b, "   also: %s\n", strings.Join(c.Terms[3:], ", "))
		}
		for j, p := range c.Papers {
			if limit > 0 && j == limit {
				fmt.Fprintf(&b, "   ... and %d more (--format json or csv lists them all)\n", len(c.Papers)-limit)
				break
			}
			fmt.Fprintf(&b, "   %s  %s  %s\n", score(p.Score), p.ID, fitTitle(p.Title, width, 5+len(p.ID)+4+3))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
