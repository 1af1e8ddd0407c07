package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"
)

type digestOpts struct {
	Sources []string
	Format  string
	List    string
	K       int
	Seed    uint64
	N       int
	Out     string
}

type digestJSON struct {
	List   string          `json:"list"`
	Ingest *ingestJSON     `json:"ingest,omitempty"`
	Groups *groupJSON      `json:"groups"`
	Queue  []queueItemJSON `json:"queue"`
}

func digestCommand(g *globals) *cli.Command {
	return &cli.Command{
		Name:      "digest",
		Usage:     "the day's job: ingest sources (if any), group the list into topics, and rank it when you have a profile",
		ArgsUsage: "[SOURCE...]",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "format", Value: "auto", Usage: "input format of the sources (json, table and md name the output format)"},
			&cli.StringFlag{Name: "list", Usage: "the list to digest (default: the sources' list, else the most recent)"},
			&cli.StringFlag{Name: "k", Value: "auto", Usage: "number of topics, or auto"},
			&cli.Uint64Flag{Name: "seed", Value: 1, Usage: "random seed of the grouping"},
			&cli.IntFlag{Name: "n", Value: 10, Usage: "length of the reading queue"},
			&cli.StringFlag{Name: "out", Usage: "also write the digest to FILE.html or FILE.md"},
		},
		Action: func(c *cli.Context) error {
			o := digestOpts{Sources: c.Args().Slice(), Format: c.String("format"), List: c.String("list"), Seed: c.Uint64("seed"), N: c.Int("n"), Out: c.String("out")}
			var err error
			if o.K, err = parseK(c.String("k")); err != nil {
				return err
			}
			if o.N <= 0 {
				return usagef("-n must be positive")
			}
			if o.Out != "" {
				return usagef("--out is not available in this build yet: the digest prints to the terminal (use --format md > FILE.md)")
			}
			d, err := runDigest(c.Context, g, o)
			if err != nil {
				return err
			}
			return g.printDigest(d)
		},
	}
}

func runDigest(ctx context.Context, g *globals, o digestOpts) (*digestJSON, error) {
	d := &digestJSON{List: o.List}
	if len(o.Sources) > 0 {
		res, err := runIngest(ctx, g, ingestOpts{Sources: o.Sources, Format: o.Format, List: o.List})
		if err != nil {
			return nil, err
		}
		d.Ingest = res
		if d.List == "" {
			d.List = res.List
		}
	}
	s, err := g.open(ctx)
	if err != nil {
		return nil, err
	}
	if d.List == "" {
		if d.List, err = defaultList(ctx, s); err != nil {
			return nil, err
		}
	}
	scope := filterOpts{List: d.List}
	if d.Groups, err = runGroup(ctx, g, groupOpts{Filter: scope, K: o.K, Seed: o.Seed}); err != nil {
		return nil, err
	}
	q, err := runQueue(ctx, g, queueOpts{N: o.N, Scope: scope})
	switch {
	case errors.Is(err, errEmptyProfile):
		d.Queue = []queueItemJSON{}
	case err != nil:
		return nil, err
	default:
		d.Queue = q
	}
	return d, nil
}

func (g *globals) printDigest(d *digestJSON) error {
	switch g.format {
	case "json":
		return writeJSON(g.stdout, d)
	case "md":
		return writeDigestMarkdown(g.stdout, d)
	case "csv":
		return g.printGroup(d.Groups)
	}
	var b strings.Builder
	n := 0
	for _, c := range d.Groups.Clusters {
		n += c.Size
	}
	fmt.Fprintf(&b, "# %s: %d papers in %d topics\n\n", d.List, n, len(d.Groups.Clusters))
	if len(d.Queue) > 0 {
		b.WriteString("## Read first\n")
		for _, it := range d.Queue {
			fmt.Fprintf(&b, "   %2d. %s  %s\n       %s\n", it.Rank, it.ID, cut(oneLine(it.Title), 80), it.Reason)
		}
		b.WriteString("\n")
	}
	if _, err := io.WriteString(g.stdout, b.String()); err != nil {
		return err
	}
	return writeGroupText(g.stdout, d.Groups, 0)
}

// writeDigestMarkdown writes the digest as Markdown: queue on top, then a
// heading per topic with its papers as list items.
func writeDigestMarkdown(w io.Writer, d *digestJSON) error {
	var b strings.Builder
	n := 0
	for _, c := range d.Groups.Clusters {
		n += c.Size
	}
	fmt.Fprintf(&b, "# papersift digest: %s\n\n%d papers in %d topics.\n\n", mdEscape(d.List), n, len(d.Groups.Clusters))
	if len(d.Queue) > 0 {
		b.WriteString("## Read first\n\n")
		for _, it := range d.Queue {
			fmt.Fprintf(&b, "%d. **%s** (%s): %s\n", it.Rank, mdEscape(it.Title), mdEscape(it.ID), mdEscape(it.Reason))
		}
		b.WriteString("\n")
	}
	for _, c := range d.Groups.Clusters {
		fmt.Fprintf(&b, "## %s (%d)\n\n", mdEscape(c.Label), c.Size)
		for _, p := range c.Papers {
			fmt.Fprintf(&b, "- %s (%s)\n", mdEscape(p.Title), mdEscape(p.ID))
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// mdEscape escapes the characters Markdown would read as markup or HTML.
func mdEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "<", "&lt;", ">", "&gt;", "`", "\\`", "#", `\#`)
	return r.Replace(oneLine(s))
}
