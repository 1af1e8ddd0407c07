package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/papersift/papersift"
	"github.com/papersift/papersift/digest"
)

func digestCommand(g *globals) *cli.Command {
	return &cli.Command{
		Name:      "digest",
		Usage:     "the day's job: ingest sources (if any), group the list into topics, and rank it when you have a profile",
		ArgsUsage: "[SOURCE...]",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "format", Value: "auto", Usage: "input format of the sources (json, table and md name the output format)"},
			&cli.StringSliceFlag{Name: "list", Usage: "the list to digest, repeated for several (default: every list the sources went to, else the most recent); with sources, one --list names their list"},
			&cli.StringFlag{Name: "k", Value: "auto", Usage: "number of topics, or auto"},
			&cli.Uint64Flag{Name: "seed", Value: 1, Usage: "random seed of the grouping"},
			&cli.IntFlag{Name: "n", Value: 10, Usage: "length of the reading queue"},
			&cli.StringFlag{Name: "out", Usage: "also write the digest to FILE.html or FILE.md"},
		},
		Action: func(c *cli.Context) error {
			o := papersift.DigestOptions{Ingest: papersift.IngestOptions{Sources: c.Args().Slice(), Stdin: g.stdin, Format: c.String("format")},
				Lists: c.StringSlice("list"), Seed: c.Uint64("seed"), N: c.Int("n")}
			if len(o.Lists) == 1 && c.NArg() > 0 {
				o.Ingest.List = o.Lists[0]
			}
			if err := (papersift.Scope{Lists: o.Lists}).Check(); err != nil {
				return err
			}
			if err := emptyFlag(c, "out", "give FILE.html or FILE.md, or leave --out out"); err != nil {
				return err
			}
			out := c.String("out")
			// the page (--out, or Markdown on stdout) reads the titles
			// of the papers it shows itself
			o.PageOnly = out != "" || g.format == "md"
			if !c.IsSet("n") && g.file.Digest.N > 0 {
				o.N = g.file.Digest.N
			}
			var err error
			if o.K, err = g.digestK(c); err != nil {
				return err
			}
			if o.N <= 0 {
				return usagef("-n %d: give a whole number of at least 1", o.N)
			}
			if out != "" {
				if err := checkOut(out); err != nil {
					return err
				}
			}
			if c.NArg() == 0 {
				// nothing to ingest: the digest only reads the database
				if err := g.readOnly(); err != nil {
					return err
				}
			}
			d, err := g.lib.Digest(c.Context, o)
			if err != nil {
				return err
			}
			if out != "" {
				// the file is the digest: the terminal gets where it went
				if err := writeDigestFile(c.Context, g, d, out); err != nil {
					return err
				}
				if g.format == "json" {
					return writeJSON(g.stdout, struct {
						Wrote string `json:"wrote"`
					}{out})
				}
				_, err := fmt.Fprintf(g.stdout, "wrote the digest of %s to %s\n", d.List, out)
				return err
			}
			return g.printDigest(c.Context, d)
		},
	}
}

func (g *globals) printDigest(ctx context.Context, d *papersift.Digest) error {
	switch g.format {
	case "json":
		return writeJSON(g.stdout, d)
	case "md":
		page, err := g.lib.Page(ctx, d, false)
		if err != nil {
			return err
		}
		return digest.Markdown(g.stdout, page)
	case "csv":
		return g.printGroup(d.Groups)
	}
	width := g.textWidth()
	var b strings.Builder
	n := 0
	for _, c := range d.Groups.Clusters {
		n += c.Size
	}
	k := len(d.Groups.Clusters)
	fmt.Fprintf(&b, "# %s: %d %s in %d %s\n\n", d.List, n, plural(n, "paper", "papers"), k, plural(k, "topic", "topics"))
	if len(d.Queue) > 0 {
		b.WriteString("## Read first\n")
		for _, it := range d.Queue {
			fmt.Fprintf(&b, "   %2d. %s  %s\n       %s\n", it.Rank, it.ID, fitTitle(it.Title, width, 7+len(it.ID)+2), fitTitle(it.Reason, width, 7))
		}
		b.WriteString("\n")
	}
	if _, err := io.WriteString(g.stdout, b.String()); err != nil {
		return err
	}
	return writeGroupText(g.stdout, d.Groups, 0, width)
}

// outKind says what --out FILE is by its extension: "html" or "md".
func outKind(path string) (string, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".html", ".htm":
		return "html", nil
	case ".md", ".markdown":
		return "md", nil
	}
	return "", usagef("--out %q: name a .html file (a page with a map) or a .md file (Markdown)", path)
}

// checkOut checks --out FILE before anything is ingested: a known extension
// (else wrong usage) in a folder that exists.
func checkOut(path string) error {
	if _, err := outKind(path); err != nil {
		return err
	}
	dir := filepath.Dir(path)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return fmt.Errorf("write the digest to %s: the folder %s does not exist (create it first)", path, dir)
	}
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		return fmt.Errorf("write the digest to %s: it is a folder or a device, not a file: name a file (e.g. %s)", path, filepath.Join(path, "digest"+filepath.Ext(path)))
	}
	return nil
}

// writeDigestFile writes the digest as an HTML page or as Markdown, by the
// file's extension. The file appears whole or not at all.
func writeDigestFile(ctx context.Context, g *globals, d *papersift.Digest, path string) error {
	kind, err := outKind(path)
	if err != nil {
		return err
	}
	page, err := g.lib.Page(ctx, d, kind == "html")
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if kind == "html" {
		err = digest.HTML(&b, page)
	} else {
		err = digest.Markdown(&b, page)
	}
	if err != nil {
		return err
	}
	return writeFileAtomic("the digest", path, b.Bytes())
}

// writeFileAtomic writes a file whole or not at all (papersift.WriteFileAtomic),
// saying what it was writing.
func writeFileAtomic(what, path string, data []byte) error {
	if err := papersift.WriteFileAtomic(path, data); err != nil {
		return fmt.Errorf("write %s to %s: %w", what, path, errors.Unwrap(err))
	}
	return nil
}
