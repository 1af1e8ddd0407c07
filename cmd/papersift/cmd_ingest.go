package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/papersift/papersift/embed"
	"github.com/papersift/papersift/ingest"
	"github.com/papersift/papersift/store"
)

type ingestOpts struct {
	Sources []string
	Format  string
	List    string
	NoEmbed bool
	Strict  bool
}

func ingestFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "format", Value: "auto", Usage: "input format: auto, " + strings.Join(ingest.Formats, ", ") + " (json, table and md name the output format)"},
		&cli.StringFlag{Name: "list", Usage: "record the papers as this list (default: the listing's own date, else today)"},
		&cli.BoolFlag{Name: "no-embed", Usage: "store the papers without embedding them"},
		&cli.BoolFlag{Name: "strict", Usage: "fail on a record that would be skipped (no title or abstract)"},
	}
}

func ingestCommand(g *globals) *cli.Command {
	return &cli.Command{
		Name:      "ingest",
		Usage:     "read listings into the database and embed their papers",
		ArgsUsage: "SOURCE... (a file, - for stdin)",
		Flags:     ingestFlags(),
		Action: func(c *cli.Context) error {
			o := ingestOpts{Sources: c.Args().Slice(), Format: c.String("format"), List: c.String("list"), NoEmbed: c.Bool("no-embed"), Strict: c.Bool("strict")}
			if len(o.Sources) == 0 {
				return usagef("ingest needs at least one SOURCE (a file, or - for stdin)")
			}
			res, err := runIngest(c.Context, g, o)
			if err != nil {
				return err
			}
			return g.printIngest(res)
		},
	}
}

// ingestJSON is the contract's ingest result.
type ingestJSON struct {
	Read     int      `json:"read"`
	New      int      `json:"new"`
	Updated  int      `json:"updated"`
	Skipped  int      `json:"skipped"`
	Embedded int      `json:"embedded"`
	List     string   `json:"list"`
	Lists    []string `json:"lists"`
	Model    string   `json:"model,omitempty"`
}

func (g *globals) printIngest(r *ingestJSON) error {
	t := &table{head: []string{"read", "new", "updated", "skipped", "embedded", "list"}}
	t.add(fmt.Sprint(r.Read), fmt.Sprint(r.New), fmt.Sprint(r.Updated), fmt.Sprint(r.Skipped), fmt.Sprint(r.Embedded), strings.Join(r.Lists, ", "))
	return g.emit(r, t)
}

func checkInputFormat(f string) error {
	if f == "" || f == "auto" {
		return nil
	}
	for _, x := range ingest.Formats {
		if f == x {
			return nil
		}
	}
	return usagef("--format %q: input formats are auto, %s", f, strings.Join(ingest.Formats, ", "))
}

// readSources parses every source before anything is written: one bad
// source fails the whole ingest and leaves the database as it was.
func (g *globals) readSources(ctx context.Context, o ingestOpts) ([]*ingest.Listing, int, error) {
	if err := checkInputFormat(o.Format); err != nil {
		return nil, 0, err
	}
	var ls []*ingest.Listing
	skipped := 0
	for _, src := range o.Sources {
		if err := ctx.Err(); err != nil {
			return nil, 0, err
		}
		l, err := g.readSource(src, o.Format)
		if err != nil {
			return nil, 0, err
		}
		for _, s := range l.Skipped {
			if o.Strict {
				return nil, 0, &ingest.ParseError{Source: src, Line: s.Line, Msg: s.Reason + " (--strict)"}
			}
			g.warnf("%s: skipped %s", src, s.Reason)
		}
		skipped += len(l.Skipped)
		ls = append(ls, l)
	}
	return ls, skipped, nil
}

func (g *globals) readSource(src, format string) (*ingest.Listing, error) {
	if strings.HasPrefix(src, "http://") || strings.HasPrefix(src, "https://") {
		return nil, fmt.Errorf("%s: fetching URLs is not available in this build yet: download the listing and ingest the file", src)
	}
	if src == "-" {
		return ingest.Parse(g.stdin, "stdin", format)
	}
	f, err := os.Open(src)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: no such file", src)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", src, err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return nil, fmt.Errorf("%s: is a folder, not a listing file", src)
	}
	return ingest.Parse(f, src, format)
}

// toStore converts parsed records, hashing the text that gets embedded.
func toStore(ps []ingest.Paper) []store.Paper {
	out := make([]store.Paper, len(ps))
	for i, p := range ps {
		out[i] = store.Paper{
			ID: p.ID, DerivedID: p.DerivedID, ArxivID: p.ArxivID, Title: p.Title, TitleKey: ingest.TitleKey(p.Title),
			Abstract: p.Abstract, Authors: p.Authors, NAuthors: p.NAuthors, Org: p.Org, Date: p.Date,
			Comments: p.Comments, Upvotes: p.Upvotes, URL: p.URL, Category: p.Category, Links: p.Links,
			TextHash: embed.TextHash(embed.Text(p.Title, p.Abstract)),
		}
	}
	return out
}

func runIngest(ctx context.Context, g *globals, o ingestOpts) (*ingestJSON, error) {
	ls, skipped, err := g.readSources(ctx, o)
	if err != nil {
		return nil, err
	}
	s, err := g.open(ctx)
	if err != nil {
		return nil, err
	}
	today := g.now().Format("2006-01-02")
	var batches []store.Batch
	var lists []string
	read := skipped
	for _, l := range ls {
		name := o.List
		if name == "" {
			name = l.Date
		}
		if name == "" {
			name = today
		}
		batches = append(batches, store.Batch{List: name, Papers: toStore(l.Papers)})
		if !contains(lists, name) {
			lists = append(lists, name)
		}
	}
	res, err := s.Ingest(ctx, batches)
	if err != nil {
		return nil, fmt.Errorf("store papers: %w", err)
	}
	read += res.Read
	out := &ingestJSON{Read: read, New: res.New, Updated: res.Updated, Skipped: skipped, List: lists[0], Lists: lists}
	if !o.NoEmbed {
		er, err := g.embedMissing(ctx, s, false)
		if err != nil {
			return nil, fmt.Errorf("papers stored, but embedding failed (run papersift embed to retry): %w", err)
		}
		out.Embedded, out.Model = er.Embedded, er.Model
	}
	return out, nil
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
