package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/papersift/papersift/embed"
	"github.com/papersift/papersift/ingest"
	"github.com/papersift/papersift/internal/parallel"
	"github.com/papersift/papersift/store"
)

// Defaults of the URL flags.
const (
	defaultTimeout = 30 * time.Second
	defaultMaxSize = "50MB"
)

type ingestOpts struct {
	Sources []string
	Format  string
	List    string
	NoEmbed bool
	Strict  bool
	Timeout time.Duration // per URL; 0: defaultTimeout
	MaxSize int64         // per URL, bytes; 0: ingest.DefaultMaxBytes
}

func ingestFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "format", Value: "auto", Usage: "input format: auto, " + strings.Join(ingest.Formats, ", ") + " (json, table and md name the output format)"},
		&cli.StringFlag{Name: "list", Usage: "record the papers as this list (default: the listing's own date, else today)"},
		&cli.BoolFlag{Name: "no-embed", Usage: "store the papers without embedding them"},
		&cli.BoolFlag{Name: "strict", Usage: "fail on a record that would be skipped (no title or abstract)"},
		&cli.DurationFlag{Name: "timeout", Value: defaultTimeout, Usage: "time allowed to fetch each URL"},
		&cli.StringFlag{Name: "max-size", Value: defaultMaxSize, Usage: "largest listing fetched from a URL (e.g. 50MB, 1GB); a larger one is an error"},
	}
}

func ingestCommand(g *globals) *cli.Command {
	return &cli.Command{
		Name:      "ingest",
		Usage:     "read listings into the database and embed their papers",
		ArgsUsage: "SOURCE... (a file, - for stdin, or an http(s) URL)",
		Description: "Formats: hf-page (a Hugging Face Daily Papers page's text), hf-json (its API,\n" +
			"https://huggingface.co/api/daily_papers?date=YYYY-MM-DD), arxiv (an arXiv API Atom feed),\n" +
			"jsonl (JSON Lines or a JSON array of {id,title,abstract,authors,date,url}) and csv (a header\n" +
			"row with title and abstract columns). auto detects the format from the content.\n\n" +
			"Each source becomes a list: --list NAME, else the listing's own day (hf-json: the URL's\n" +
			"?date=, else the day its papers were submitted; arxiv: its newest entry's date; hf-page: the\n" +
			"page's day), else today. Records without a title or abstract are skipped with a warning\n" +
			"(--strict: the ingest fails). A source that cannot be read fails the whole ingest and leaves\n" +
			"the database as it was.",
		Flags: ingestFlags(),
		Action: func(c *cli.Context) error {
			o := ingestOpts{Sources: c.Args().Slice(), Format: c.String("format"), List: c.String("list"),
				NoEmbed: c.Bool("no-embed"), Strict: c.Bool("strict"), Timeout: c.Duration("timeout")}
			if len(o.Sources) == 0 {
				return usagef("ingest needs at least one SOURCE (a file, - for stdin, or a URL)")
			}
			if o.Timeout <= 0 {
				return usagef("--timeout must be positive (e.g. 30s, 2m)")
			}
			n, err := parseSize(c.String("max-size"))
			if err != nil {
				return usagef("--max-size: %v", err)
			}
			o.MaxSize = n
			res, err := runIngest(c.Context, g, o)
			if res == nil {
				return err
			}
			if perr := g.printIngest(res); perr != nil {
				return perr
			}
			return err // papers the endpoint refused: exit 1 after the result
		},
	}
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

// ingestJSON is the contract's ingest result, with what each source gave.
type ingestJSON struct {
	Read     int          `json:"read"`
	New      int          `json:"new"`
	Updated  int          `json:"updated"`
	Skipped  int          `json:"skipped"`
	Embedded int          `json:"embedded"`
	List     string       `json:"list"`
	Lists    []string     `json:"lists"`
	Model    string       `json:"model,omitempty"`
	Sources  []sourceJSON `json:"sources"`
	// Failed are papers stored but not embedded (the endpoint refused them).
	Failed []failedPaper `json:"failed,omitempty"`
}

// sourceJSON is one source of an ingest.
type sourceJSON struct {
	Source  string      `json:"source"`
	Format  string      `json:"format"`
	Papers  int         `json:"papers"`
	Skipped int         `json:"skipped"`
	List    string      `json:"list"`
	Date    *string     `json:"date"` // the listing's own date
	Paging  *pagingJSON `json:"paging,omitempty"`
}

// pagingJSON is where an arXiv API page lies in the whole result.
type pagingJSON struct {
	Total   int  `json:"total"`
	Start   int  `json:"start"`
	PerPage int  `json:"per_page"`
	Next    *int `json:"next"` // the start of the next page, null on the last
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
	return usagef("--format %q: input formats are auto, %s (output formats: table, json, csv, md)", f, strings.Join(ingest.Formats, ", "))
}

// readSources parses every source before anything is written: one bad
// source fails the whole ingest and leaves the database as it was.
func (g *globals) readSources(ctx context.Context, o ingestOpts) ([]*ingest.Listing, error) {
	if err := checkInputFormat(o.Format); err != nil {
		return nil, err
	}
	stdin := 0
	for _, src := range o.Sources {
		if src == "-" {
			stdin++
		}
	}
	if stdin > 1 {
		return nil, usagef("- (stdin) can be given once")
	}
	var ls []*ingest.Listing
	for _, src := range o.Sources {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		l, err := g.readSource(ctx, src, o)
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
	}
	return ls, nil
}

// reportListings warns of skipped records and collisions (or, with
// --strict, fails on a skipped record) and returns how many were skipped.
func (g *globals) reportListings(o ingestOpts, ls []*ingest.Listing) (int, error) {
	skipped := 0
	for _, l := range ls {
		for _, s := range l.Skipped {
			if o.Strict {
				return 0, &ingest.ParseError{Source: l.Source, Line: s.Line, Msg: s.Reason + " (--strict: fix the record, or ingest without --strict to skip it)"}
			}
			g.warnf("%s: skipped %s", position(l.Source, s.Line), s.Reason)
		}
		for _, w := range l.Warnings {
			g.warnf("%s: %s", position(l.Source, w.Line), w.Msg)
		}
		if p := l.Paging; p != nil && len(l.Papers) > 0 {
			g.notef("%s: entries %d-%d of %d%s", l.Source, p.Start+1, p.Start+len(l.Papers)+len(l.Skipped), p.Total, nextPageNote(p))
		}
		skipped += len(l.Skipped)
	}
	return skipped, nil
}

func position(src string, line int) string {
	if line > 0 {
		return fmt.Sprintf("%s:%d", src, line)
	}
	return src
}

// nextPage is where the next page of an arXiv API result starts, or -1.
func nextPage(p *ingest.Paging) int {
	if p.PerPage <= 0 || p.Start+p.PerPage >= p.Total {
		return -1
	}
	return p.Start + p.PerPage
}

func nextPageNote(p *ingest.Paging) string {
	if n := nextPage(p); n >= 0 {
		return fmt.Sprintf("; the next page starts at start=%d", n)
	}
	return ""
}

func (g *globals) readSource(ctx context.Context, src string, o ingestOpts) (*ingest.Listing, error) {
	data, opt, err := g.loadSource(ctx, src, o)
	if err != nil {
		return nil, err
	}
	return ingest.ParseBytes(data, opt)
}

// loadSource reads a source's bytes: a URL, stdin or a file.
func (g *globals) loadSource(ctx context.Context, src string, o ingestOpts) ([]byte, ingest.Options, error) {
	opt := ingest.Options{Source: src, Format: o.Format}
	switch {
	case ingest.IsURL(src):
		timeout := o.Timeout
		if timeout <= 0 {
			timeout = defaultTimeout
		}
		fctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		f := &ingest.Fetcher{Client: http.DefaultClient, MaxBytes: o.MaxSize}
		got, err := f.Fetch(fctx, src)
		if err != nil {
			return nil, opt, fetchHint(err, timeout)
		}
		opt.ContentType = got.ContentType
		return got.Data, opt, nil
	case src == "-":
		opt.Source = "stdin"
		data, err := io.ReadAll(g.stdin)
		if err != nil {
			return nil, opt, &ingest.ParseError{Source: "stdin", Msg: fmt.Sprintf("cannot read: %v", err)}
		}
		return data, opt, nil
	}
	if st, err := os.Stat(src); err == nil && st.IsDir() {
		return nil, opt, fmt.Errorf("%s: is a folder, not a listing file", src)
	}
	data, err := os.ReadFile(src) // sized to the file, read at once
	if errors.Is(err, fs.ErrNotExist) {
		return nil, opt, fmt.Errorf("%s: no such file", src)
	}
	if err != nil {
		return nil, opt, fmt.Errorf("%s: %w", src, err)
	}
	return data, opt, nil
}

// streamable reports whether a source can be stored while it is parsed:
// JSON Lines (one paper per line), whose list is known before reading it.
func streamable(data []byte, opt ingest.Options) bool {
	format := opt.Format
	if format == "" || format == "auto" {
		f, err := ingest.Detect(data, ingest.Hint{Name: opt.Source, ContentType: opt.ContentType})
		if err != nil {
			return false
		}
		format = f
	}
	if format != "jsonl" {
		return false
	}
	t := bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), " \t\r\n")
	return len(t) > 0 && t[0] == '{'
}

// runIngestStream ingests one large JSON Lines source: its chunks are
// stored as they are parsed, in one transaction, so parsing and storing
// share the machine's cores. A bad record anywhere fails the ingest and
// rolls everything back. (A database this ingest created stays, empty:
// removing it could remove what another process wrote meanwhile.)
func runIngestStream(ctx context.Context, g *globals, o ingestOpts, data []byte, opt ingest.Options) (*ingestJSON, error) {
	s, err := g.open(ctx)
	if err != nil {
		return nil, err
	}
	name := o.List
	if name == "" {
		name = g.now().Format("2006-01-02")
	}
	var l *ingest.Listing
	bulk, err := g.bulk(int64(len(data)))
	if err != nil {
		return nil, err
	}
	res, err := s.IngestStream(ctx, name, store.IngestOptions{Bulk: bulk}, func(put func([]store.Paper) error) error {
		// Three stages on their own goroutines: the parser's workers, the
		// conversion (title keys and text hashes), and the store, which
		// takes the chunks in order and is the slowest: it never waits
		// for the others' work.
		pctx, cancel := context.WithCancel(ctx)
		defer cancel()
		chunks := make(chan []store.Paper, 2)
		parsed := make(chan error, 1)
		go func() {
			defer close(chunks)
			opt.Emit = func(ps []ingest.Paper) error {
				sp, err := toStore(pctx, ps)
				if err != nil {
					return err
				}
				select {
				case chunks <- sp:
					return nil
				case <-pctx.Done():
					return pctx.Err()
				}
			}
			var err error
			l, err = ingest.ParseBytes(data, opt)
			parsed <- err
		}()
		for sp := range chunks {
			if err := put(sp); err != nil {
				cancel()
				for range chunks { // let the parser see the cancellation and stop
				}
				return err
			}
		}
		if err := <-parsed; err != nil {
			return err
		}
		if o.Strict && len(l.Skipped) > 0 {
			s := l.Skipped[0]
			return &ingest.ParseError{Source: l.Source, Line: s.Line, Msg: s.Reason + " (--strict: fix the record, or ingest without --strict to skip it)"}
		}
		return nil
	})
	if err != nil {
		var pe *ingest.ParseError
		if errors.As(err, &pe) {
			return nil, err
		}
		return nil, fmt.Errorf("store papers: %w", err)
	}
	for _, sk := range l.Skipped {
		g.warnf("%s: skipped %s", position(l.Source, sk.Line), sk.Reason)
	}
	for _, w := range l.Warnings {
		g.warnf("%s: %s", position(l.Source, w.Line), w.Msg)
	}
	out := &ingestJSON{Skipped: len(l.Skipped), List: name, Lists: []string{name},
		Sources: []sourceJSON{{Source: l.Source, Format: l.Format, Papers: l.Emitted, Skipped: len(l.Skipped), List: name}}}
	out.Read, out.New, out.Updated = res.Read+len(l.Skipped), res.New, res.Updated
	return g.embedAfterIngest(ctx, s, o, out)
}

// fetchHint adds what to do to a failed fetch.
func fetchHint(err error, timeout time.Duration) error {
	switch {
	case errors.Is(err, ingest.ErrTooLarge):
		return fmt.Errorf("%w (raise --max-size to allow it)", err)
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%w within %s (raise --timeout)", err, timeout)
	}
	var fe *ingest.FetchError
	if errors.As(err, &fe) && fe.Status == 0 {
		return fmt.Errorf("%w (check the URL and the network)", err)
	}
	return err
}

// toStore converts parsed records, hashing the text that gets embedded
// (on all cores: for a large listing it is a good part of the work).
func toStore(ctx context.Context, ps []ingest.Paper) ([]store.Paper, error) {
	out := make([]store.Paper, len(ps))
	err := parallel.For(ctx, len(ps), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			p := &ps[i]
			out[i] = store.Paper{
				ID: p.ID, DerivedID: p.DerivedID, ArxivID: p.ArxivID, Title: p.Title, TitleKey: ingest.TitleKey(p.Title),
				Abstract: p.Abstract, Authors: p.Authors, NAuthors: p.NAuthors, Org: p.Org, Date: p.Date,
				Comments: p.Comments, Upvotes: p.Upvotes, URL: p.URL, Category: p.Category, Links: p.Links,
				TextHash: embed.TextHash(embed.Text(p.Title, p.Abstract)),
			}
		}
	})
	return out, err
}

func runIngest(ctx context.Context, g *globals, o ingestOpts) (*ingestJSON, error) {
	if _, err := g.bulk(0); err != nil {
		return nil, err // a bad PAPERSIFT_BULK_BYTES, before anything is read or opened
	}
	if len(o.Sources) == 1 && !ingest.IsURL(o.Sources[0]) {
		if err := checkInputFormat(o.Format); err != nil {
			return nil, err
		}
		data, opt, err := g.loadSource(ctx, o.Sources[0], o)
		if err != nil {
			return nil, err
		}
		if streamable(data, opt) {
			return runIngestStream(ctx, g, o, data, opt)
		}
		l, err := ingest.ParseBytes(data, opt)
		if err != nil {
			return nil, err
		}
		return g.storeListings(ctx, o, []*ingest.Listing{l})
	}
	ls, err := g.readSources(ctx, o)
	if err != nil {
		return nil, err
	}
	return g.storeListings(ctx, o, ls)
}

// bulkBytes is the size of listing from which an ingest is a bulk one
// (see store.IngestOptions): about 50,000 papers. PAPERSIFT_BULK_BYTES
// sets another (tests use it to make small ingests bulk ones).
const bulkBytes = 64 << 20

// bulk reports whether an ingest of size bytes is a bulk one.
func (g *globals) bulk(size int64) (bool, error) {
	from := int64(bulkBytes)
	if v := g.getenv("PAPERSIFT_BULK_BYTES"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return false, usagef("PAPERSIFT_BULK_BYTES=%q: give a size in bytes", v)
		}
		from = n
	}
	return size >= from, nil
}

// storeListings stores parsed listings in one transaction, then embeds.
func (g *globals) storeListings(ctx context.Context, o ingestOpts, ls []*ingest.Listing) (*ingestJSON, error) {
	skipped, err := g.reportListings(o, ls)
	if err != nil {
		return nil, err
	}
	s, err := g.open(ctx)
	if err != nil {
		return nil, err
	}
	today := g.now().Format("2006-01-02")
	out := &ingestJSON{Skipped: skipped}
	var batches []store.Batch
	for _, l := range ls {
		name := o.List
		if name == "" {
			name = l.Date
		}
		if name == "" {
			name = today
		}
		ps, err := toStore(ctx, l.Papers)
		if err != nil {
			return nil, err
		}
		batches = append(batches, store.Batch{List: name, Papers: ps})
		if !contains(out.Lists, name) {
			out.Lists = append(out.Lists, name)
		}
		sj := sourceJSON{Source: l.Source, Format: l.Format, Papers: len(l.Papers), Skipped: len(l.Skipped), List: name, Date: strPtr(l.Date)}
		if p := l.Paging; p != nil {
			sj.Paging = &pagingJSON{Total: p.Total, Start: p.Start, PerPage: p.PerPage}
			if n := nextPage(p); n >= 0 {
				sj.Paging.Next = &n
			}
		}
		out.Sources = append(out.Sources, sj)
	}
	// the listings' text: most of a JSON Lines or CSV source's size, the
	// stream's measure
	var size int64
	for _, b := range batches {
		for _, p := range b.Papers {
			size += int64(len(p.Title) + len(p.Abstract))
		}
	}
	bulk, err := g.bulk(size)
	if err != nil {
		return nil, err
	}
	res, err := s.IngestWith(ctx, batches, store.IngestOptions{Bulk: bulk})
	if err != nil {
		return nil, fmt.Errorf("store papers: %w", err)
	}
	out.Read, out.New, out.Updated = res.Read+skipped, res.New, res.Updated
	out.List = out.Lists[0]
	return g.embedAfterIngest(ctx, s, o, out)
}

// embedAfterIngest embeds what the ingest brought, unless --no-embed.
func (g *globals) embedAfterIngest(ctx context.Context, s *store.Store, o ingestOpts, out *ingestJSON) (*ingestJSON, error) {
	if !o.NoEmbed {
		er, err := g.embedMissing(ctx, s, false)
		var partial *embedFailures
		if errors.As(err, &partial) {
			// every other paper is stored and embedded: report, exit 1
			out.Embedded, out.Model, out.Failed = er.Embedded, er.Model, er.Failed
			return out, err
		}
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
