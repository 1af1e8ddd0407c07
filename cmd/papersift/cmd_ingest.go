package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/papersift/papersift"
)

func ingestCommand(g *globals) *cli.Command {
	return &cli.Command{
		Name:      "ingest",
		Usage:     "read listings into the database and embed their papers",
		ArgsUsage: "SOURCE... (a file, - for stdin, or an http(s) URL)",
		Description: "Formats: hf-page (a Hugging Face Daily Papers page's text), hf-json (its API,\n" +
			"https://huggingface.co/api/daily_papers?date=YYYY-MM-DD), arxiv (an arXiv API Atom feed),\n" +
			"jsonl (JSON Lines or a JSON array of {id,title,abstract,authors,date,url}), csv (a header\n" +
			"row with title and abstract columns), arxiv-rss (arXiv's daily feed) and arxiv-snapshot (the\n" +
			"arXiv metadata snapshot, one JSON object per line). auto detects the format from the content;\n" +
			"a gzip-compressed source is read decompressed. Line formats (jsonl, csv, arxiv-snapshot) are\n" +
			"read as they come, whatever their size; --category and --since keep some of their papers.\n\n" +
			"Each source becomes a list: --list NAME, else the listing's own day (hf-json: the URL's\n" +
			"?date=, else the day its papers were submitted; arxiv: its newest entry's date; hf-page: the\n" +
			"page's day), else today. Records without a title or abstract are skipped with a warning\n" +
			"(--strict: the ingest fails). A source that cannot be read fails the whole ingest and leaves\n" +
			"the database as it was.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "format", Value: "auto", Usage: "input format: auto, " + strings.Join(papersift.InputFormats, ", ") + " (json, table and md name the output format)"},
			&cli.StringFlag{Name: "list", Usage: "record the papers as this list (default: the listing's own date, else today)"},
			&cli.BoolFlag{Name: "no-embed", Usage: "store the papers without embedding them"},
			&cli.BoolFlag{Name: "strict", Usage: "fail on a record that would be skipped (no title or abstract)"},
			&cli.DurationFlag{Name: "timeout", Value: papersift.DefaultTimeout, Usage: "time allowed to fetch each URL, and each request of a named source"},
			&cli.StringFlag{Name: "max-size", Value: "50MB", Usage: "largest listing fetched from a URL (e.g. 50MB, 1GB); a larger one is an error"},
			&cli.StringFlag{Name: "category", Usage: "keep only papers of these arXiv categories, comma-separated: 'cs.*,stat.ML' (a whole archive: 'math')"},
			&cli.StringFlag{Name: "since", Usage: "keep only papers dated on or after this day (YYYY-MM-DD; the arXiv snapshot: the first version's day)"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() == 0 {
				return usagef("ingest needs at least one SOURCE (a file, - for stdin, or a URL)")
			}
			o, err := readIngest(c, g)
			if err != nil {
				return err
			}
			res, err := g.lib.Ingest(c.Context, o)
			if res == nil {
				return err
			}
			t := &table{head: []string{"read", "new", "updated", "skipped", "embedded", "list"}}
			t.add(fmt.Sprint(res.Read), fmt.Sprint(res.New), fmt.Sprint(res.Updated), fmt.Sprint(res.Skipped), fmt.Sprint(res.Embedded), strings.Join(res.Lists, ", "))
			if perr := g.emit(res, t); perr != nil {
				return perr
			}
			return err // papers the endpoint refused: exit 1 after the result
		},
	}
}

// readIngest reads the flags of ingest.
func readIngest(c *cli.Context, g *globals) (papersift.IngestOptions, error) {
	o := papersift.IngestOptions{Sources: c.Args().Slice(), Stdin: g.stdin, Format: c.String("format"), List: c.String("list"),
		NoEmbed: c.Bool("no-embed"), Strict: c.Bool("strict")}
	for _, f := range []struct{ name, what string }{{"since", "give a day as YYYY-MM-DD"}, {"list", "give the list a name, or leave --list out for the listing's day"}} {
		if err := emptyFlag(c, f.name, f.what); err != nil {
			return o, err
		}
	}
	for _, src := range o.Sources {
		if strings.TrimSpace(src) == "" {
			return o, usagef("an empty SOURCE: give a file, - for stdin, or an http(s) URL")
		}
	}
	var err error
	if o.Timeout, err = durationIn(c, "timeout"); err != nil {
		return o, err
	}
	n, err := parseSize(c.String("max-size"))
	if err != nil {
		return o, usagef("--max-size: %v", err)
	}
	o.MaxSize = n
	if cats := c.String("category"); cats != "" {
		for _, cat := range strings.Split(cats, ",") {
			if cat = strings.TrimSpace(cat); cat != "" {
				o.Categories = append(o.Categories, cat)
			}
		}
	}
	o.Since = c.String("since")
	if err := papersift.CheckFilters(o.Categories, o.Since); err != nil {
		return o, usagef("%v", err)
	}
	return o, nil
}

// parseSize reads "50MB", "1GB", "500KB", "2048" (bytes); units are
// binary (1 MB = 2^20 bytes).
func parseSize(s string) (int64, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"GIB", 1 << 30}, {"MIB", 1 << 20}, {"KIB", 1 << 10}, {"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n <= 0 || n > (1<<62)/mult {
		return 0, fmt.Errorf("%q is not a size: give e.g. 50MB, 1GB or a number of bytes", s)
	}
	return n * mult, nil
}
