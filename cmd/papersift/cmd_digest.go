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

	"github.com/papersift/papersift/digest"
	"github.com/papersift/papersift/store"
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
	// profile: the reader has a profile, so the queue means something
	profile bool
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
				if err := checkOut(o.Out); err != nil {
					return err
				}
			}
			d, err := runDigest(c.Context, g, o)
			if err != nil {
				return err
			}
			if o.Out != "" {
				if err := writeDigestFile(c.Context, g, d, o.Out); err != nil {
					return err
				}
				g.notef("wrote the digest to %s", o.Out)
			}
			return g.printDigest(c.Context, d)
		},
	}
}

func runDigest(ctx context.Context, g *globals, o digestOpts) (*digestJSON, error) {
	d := &digestJSON{List: o.List}
	if len(o.Sources) > 0 {
		res, err := runIngest(ctx, g, ingestOpts{Sources: o.Sources, Format: o.Format, List: o.List})
		var partial *embedFailures
		if errors.As(err, &partial) && res != nil {
			// a few papers lack vectors: the day's digest goes on without them
			g.warnf("%v", err)
		} else if err != nil {
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
		d.Queue, d.profile = q, true
	}
	return d, nil
}

func (g *globals) printDigest(ctx context.Context, d *digestJSON) error {
	switch g.format {
	case "json":
		return writeJSON(g.stdout, d)
	case "md":
		page, err := buildDigest(ctx, g, d, false)
		if err != nil {
			return err
		}
		return digest.Markdown(g.stdout, page)
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
	return nil
}

// writeDigestFile writes the digest as an HTML page or as Markdown, by the
// file's extension. The file appears whole or not at all.
func writeDigestFile(ctx context.Context, g *globals, d *digestJSON, path string) error {
	kind, err := outKind(path)
	if err != nil {
		return err
	}
	page, err := buildDigest(ctx, g, d, kind == "html")
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
	return writeFileAtomic(path, b.Bytes())
}

// writeFileAtomic writes data to a temporary file beside path and renames it.
func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("write the digest: %w", err)
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write the digest to %s: %w", path, err)
	}
	return nil
}

// buildDigest gathers what the page shows beyond the groups and the queue:
// each paper's metadata from the store and, for the map, the projection of
// its vector on the principal components of the list's vectors.
func buildDigest(ctx context.Context, g *globals, d *digestJSON, withMap bool) (*digest.Digest, error) {
	s, err := g.open(ctx)
	if err != nil {
		return nil, err
	}
	out := &digest.Digest{List: d.List, Model: d.Groups.Model, Profile: d.profile}
	ids, err := s.IDs(ctx)
	if err != nil {
		return nil, err
	}
	pidOf := make(map[string]int64, len(ids))
	for pid, id := range ids {
		pidOf[id] = pid
	}
	var pids []int64
	for _, c := range d.Groups.Clusters {
		for _, p := range c.Papers {
			pids = append(pids, pidOf[p.ID])
		}
	}
	ps, err := s.PapersByPID(ctx, pids)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]store.Paper, len(ps))
	for _, p := range ps {
		byID[p.ID] = p
	}
	var xy [][2]float64
	if withMap {
		mat, err := g.activeMatrix(ctx, s)
		if err != nil {
			return nil, err
		}
		row := mat.RowIndex()
		data := make([]float32, 0, len(pids)*mat.Dim)
		for _, pid := range pids {
			r, ok := row[pid]
			if !ok {
				return nil, fmt.Errorf("paper %s has no vector of %s: run papersift embed", ids[pid], mat.Model)
			}
			data = append(data, mat.Row(r)...)
		}
		proj, err := digest.Project(data, mat.Dim)
		if err != nil {
			return nil, fmt.Errorf("map of the papers: %w", err)
		}
		xy, out.Explained = proj.Points, proj.Explained
	}
	i := 0
	for _, c := range d.Groups.Clusters {
		dc := digest.Cluster{Label: c.Label, Terms: c.Terms}
		for _, h := range c.Papers {
			p := byID[h.ID]
			dp := digest.Paper{
				ID: h.ID, Title: h.Title, Abstract: p.Abstract, URL: paperURL(p),
				Authors: p.Authors, Org: p.Org, Date: p.Date, Comments: p.Comments, Upvotes: p.Upvotes,
			}
			if p.NAuthors != nil {
				dp.NAuthors = *p.NAuthors
			}
			if xy != nil {
				dp.X, dp.Y = xy[i][0], xy[i][1]
			}
			i++
			dc.Papers = append(dc.Papers, dp)
		}
		out.Clusters = append(out.Clusters, dc)
	}
	for _, q := range d.Queue {
		out.Queue = append(out.Queue, digest.QueueItem{ID: q.ID, Title: q.Title, URL: paperURL(byID[q.ID]), Reason: q.Reason})
	}
	return out, nil
}

// paperURL is the paper's page: its own link, else its arXiv abstract page.
func paperURL(p store.Paper) string {
	if p.URL != "" {
		return p.URL
	}
	if p.ArxivID != "" {
		return "https://arxiv.org/abs/" + p.ArxivID
	}
	return ""
}
