package papersift

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/papersift/papersift/embed"
	"github.com/papersift/papersift/ingest"
	"github.com/papersift/papersift/internal/parallel"
	"github.com/papersift/papersift/paper"
	"github.com/papersift/papersift/store"
)

// Defaults of fetching a listing from a URL.
const (
	DefaultTimeout = 30 * time.Second
	DefaultMaxSize = ingest.DefaultMaxBytes
)

// InputFormats are the listing formats besides "auto".
var InputFormats = ingest.Formats

// IngestOptions say what to ingest and how.
type IngestOptions struct {
	// Categories and Since keep only some papers of the sources: of these
	// arXiv categories ("cs.CL", "cs.*", "stat.ML"), dated on or after
	// this day (YYYY-MM-DD); see ingest.Options.
	Categories []string
	Since      string
	// Sources are files, folders (their listing files), "-" (Stdin),
	// http(s) URLs and named sources: hf:YYYY-MM-DD, hf:today,
	// hf:yesterday (Hugging Face Daily Papers), arxiv:CAT[,CAT...] (the
	// day's arXiv announcements).
	Sources []string
	Stdin   io.Reader     // read for "-"
	Format  string        // "", "auto" or one of InputFormats
	List    string        // the list the papers are recorded as (default: the listing's own day, else today)
	NoEmbed bool          // store without embedding
	Strict  bool          // fail on a record that would be skipped
	Timeout time.Duration // per URL (default DefaultTimeout)
	MaxSize int64         // per URL, bytes (default DefaultMaxSize)
}

// IngestResult is what an ingest did, with what each source gave.
type IngestResult struct {
	Read     int            `json:"read"`
	New      int            `json:"new"`
	Updated  int            `json:"updated"`
	Skipped  int            `json:"skipped"`
	Embedded int            `json:"embedded"`
	List     string         `json:"list"`
	Lists    []string       `json:"lists"`
	Model    string         `json:"model,omitempty"`
	Sources  []SourceResult `json:"sources"`
	// Empty are the named sources that had no papers, and why ("no papers
	// on 2026-08-23 (a Sunday)").
	Empty []string `json:"empty,omitempty"`
	// Failed are papers stored but not embedded (the endpoint refused them).
	Failed []FailedPaper `json:"failed,omitempty"`
}

// SourceResult is one source of an ingest.
type SourceResult struct {
	Source  string  `json:"source"`
	Format  string  `json:"format"`
	Papers  int     `json:"papers"`
	Skipped int     `json:"skipped"`
	List    string  `json:"list"`
	Date    *string `json:"date"` // the listing's own date
	Paging  *Paging `json:"paging,omitempty"`
}

// Paging is where an arXiv API page lies in the whole result.
type Paging struct {
	Total   int  `json:"total"`
	Start   int  `json:"start"`
	PerPage int  `json:"per_page"`
	Next    *int `json:"next"` // the start of the next page, null on the last
}

// Ingest reads listings into the database, each recorded as a list, and
// embeds what is new with the active embedder (unless NoEmbed). Every source
// is read before anything is written: a source that cannot be read fails the
// whole ingest and leaves the database as it was (a *ingest.ParseError names
// it and the line). Papers the endpoint refuses come back in the result and
// CheckFilters checks IngestOptions' Categories and Since.
func CheckFilters(categories []string, since string) error {
	return ingest.CheckFilters(categories, since)
}

// in an *EmbedFailures error; every other paper is stored and embedded.
func (l *Library) Ingest(ctx context.Context, o IngestOptions) (*IngestResult, error) {
	if o.List != "" {
		if err := CheckListName(o.List); err != nil {
			return nil, err
		}
	}
	if len(o.Sources) == 1 && !ingest.IsURL(o.Sources[0]) && !ingest.IsNamed(o.Sources[0]) && !isDir(o.Sources[0]) {
		if err := checkInputFormat(o.Format); err != nil {
			return nil, err
		}
		src, err := l.openSource(ctx, o.Sources[0], o)
		if err != nil {
			return nil, err
		}
		defer src.Close()
		_, streamed, r, err := ingest.Sniff(src, src.opt)
		if err != nil {
			return nil, src.hint(err)
		}
		if streamed {
			return l.ingestStream(ctx, o, r, src)
		}
		ls, err := ingest.ParseReader(ctx, r, src.opt)
		if err != nil {
			return nil, src.hint(err)
		}
		l.reportFiltered(ls)
		return l.storeListings(ctx, o, []*ingest.Listing{ls})
	}
	ls, err := l.readSources(ctx, o)
	if err != nil {
		return nil, err
	}
	return l.storeListings(ctx, o, ls)
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
	return optionErrorf("--format %q: input formats are auto, %s (output formats: table, json, csv, md)", f, strings.Join(ingest.Formats, ", "))
}

// readSources parses every source before anything is written: one bad
// source fails the whole ingest and leaves the database as it was.
func (l *Library) readSources(ctx context.Context, o IngestOptions) ([]*ingest.Listing, error) {
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
		return nil, optionErrorf("- (stdin) can be given once")
	}
	var srcs []string
	for _, src := range o.Sources {
		if !ingest.IsNamed(src) && isDir(src) {
			files, err := ingest.ListingFiles(src)
			if err != nil {
				return nil, err
			}
			srcs = append(srcs, files...)
			continue
		}
		srcs = append(srcs, src)
	}
	var ls []*ingest.Listing
	for _, src := range srcs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if ingest.IsNamed(src) {
			l.sources.Timeout = o.Timeout // each request's (0: the default)
			lst, err := l.sources.Resolve(ctx, src)
			if errors.Is(err, ingest.ErrBadSource) {
				return nil, &OptionError{err.Error()}
			}
			if err != nil {
				return nil, err
			}
			ls = append(ls, lst)
			continue
		}
		in, err := l.openSource(ctx, src, o)
		if err != nil {
			return nil, err
		}
		lst, err := ingest.ParseReader(ctx, in, in.opt)
		in.Close()
		if err != nil {
			return nil, in.hint(err)
		}
		l.reportFiltered(lst)
		ls = append(ls, lst)
	}
	return ls, nil
}

func isDir(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}

// strictError is a skipped record under Strict.
func strictError(l *ingest.Listing, s ingest.Skip) error {
	return &ingest.ParseError{Source: l.Source, Line: s.Line, Msg: s.Reason + " (--strict: fix the record, or ingest without --strict to skip it)"}
}

// reportListings warns of skipped records and collisions (or, with
// Strict, fails on a skipped record) and returns how many were skipped.
func (l *Library) reportListings(o IngestOptions, ls []*ingest.Listing) (int, error) {
	skipped := 0
	for _, lst := range ls {
		for _, s := range lst.Skipped {
			if o.Strict {
				return 0, strictError(lst, s)
			}
			l.warnf("%s: skipped %s", position(lst.Source, s.Line), s.Reason)
		}
		for _, w := range lst.Warnings {
			l.warnf("%s: %s", position(lst.Source, w.Line), w.Msg)
		}
		if p := lst.Paging; p != nil && len(lst.Papers) > 0 {
			l.notef("%s: entries %d-%d of %d%s", lst.Source, p.Start+1, p.Start+len(lst.Papers)+len(lst.Skipped), p.Total, nextPageNote(p))
		}
		if lst.Replaced > 0 {
			l.notef("%s: %d replacement(s) of papers announced before left out", lst.Source, lst.Replaced)
		}
		skipped += len(lst.Skipped)
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

// source is an open source: a file, stdin or a URL's answer, read as it
// comes (gzip-compressed sources decompressed), with the options to parse
// it.
type source struct {
	io.Reader
	opt    ingest.Options
	size   int64 // bytes, when known (a file's size; 0 for stdin, a URL, gzip)
	closes []func() error
	// hint adds what to do to an error of reading it
	hint func(error) error
}

func (s *source) Close() error {
	var first error
	for i := len(s.closes) - 1; i >= 0; i-- {
		if err := s.closes[i](); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// ReadingStep is the description of the progress of reading a source,
// which counts bytes (Events.Progress's total and Add), not papers.
const ReadingStep = "reading"

// progressBytes: a source of this many bytes or more shows its reading's
// progress (on a terminal).
const progressBytes = 64 << 20

// openSource opens a source to read as it comes: a URL, stdin or a file.
func (l *Library) openSource(ctx context.Context, src string, o IngestOptions) (*source, error) {
	s := &source{opt: ingest.Options{Source: src, Format: o.Format, Categories: o.Categories, Since: o.Since},
		hint: func(err error) error { return err }}
	switch {
	case ingest.IsURL(src):
		timeout := o.Timeout
		if timeout <= 0 {
			timeout = DefaultTimeout
		}
		fctx, cancel := context.WithTimeout(ctx, timeout)
		f := &ingest.Fetcher{Client: l.cfg.HTTPClient, MaxBytes: o.MaxSize}
		b, err := f.Open(fctx, src)
		if err != nil {
			cancel()
			return nil, fetchHint(err, timeout)
		}
		s.Reader, s.closes = b, []func() error{b.Close, func() error { cancel(); return nil }}
		s.opt.ContentType, s.size = b.ContentType, b.Size
		s.hint = func(err error) error { return fetchHint(err, timeout) }
	case src == "-":
		s.opt.Source = "stdin"
		s.Reader = o.Stdin
		if s.Reader == nil {
			s.Reader = os.Stdin
		}
	default:
		st, err := os.Stat(src)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s: no such file", src)
		}
		if err == nil && st.IsDir() {
			return nil, fmt.Errorf("%s: is a folder, not a listing file", src)
		}
		f, err := os.Open(src)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", src, err)
		}
		s.Reader, s.closes = f, []func() error{f.Close}
		if st != nil {
			s.size = st.Size()
		}
	}
	// a gzip-compressed source (the arXiv snapshot, a saved listing) is
	// read decompressed; its progress counts the compressed bytes
	raw := &countingReader{r: s.Reader}
	br := bufio.NewReaderSize(raw, 64<<10)
	s.Reader = br
	gzipped := false
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			s.Close()
			return nil, &ingest.ParseError{Source: s.opt.Source, Msg: fmt.Sprintf("not a readable gzip file: %v", err)}
		}
		// not closed: Close does nothing the file's own does not, and the
		// parser may still be reading it when an error ends the ingest
		s.Reader, gzipped = zr, true
	} else {
		s.opt.Size = s.size
	}
	if s.size >= progressBytes {
		prog := l.ev.Progress(int(s.size), ReadingStep)
		var shown int64
		s.opt.Progress = func(read, total int64) {
			if gzipped {
				read = min(raw.n.Load(), s.size)
			}
			if read > shown {
				prog.Add(int(read - shown))
				shown = read
			}
		}
		s.closes = append(s.closes, func() error { prog.Done(); return nil })
	}
	return s, nil
}

// countingReader counts the bytes read through it (the parser may read
// on another goroutine than the one it reports progress on).
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// reportFiltered says how many papers --category and --since left out.
func (l *Library) reportFiltered(ls *ingest.Listing) {
	if ls.Filtered > 0 {
		l.notef("%s: %d paper(s) left out by --category or --since", ls.Source, ls.Filtered)
	}
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

// ingestStream ingests one large JSON Lines source: its chunks are stored
// as they are parsed, in one transaction, so parsing and storing share the
// machine's cores. A bad record anywhere fails the ingest and rolls
// everything back. (A database this ingest created stays, empty: removing
// it could remove what another process wrote meanwhile.)
func (l *Library) ingestStream(ctx context.Context, o IngestOptions, r io.Reader, src *source) (*IngestResult, error) {
	opt := src.opt
	opt.StopAtSkip = o.Strict
	s, err := l.db(ctx)
	if err != nil {
		return nil, err
	}
	name := o.List
	if name == "" {
		name = l.cfg.Now().Format("2006-01-02")
	}
	var lst *ingest.Listing
	bulk := src.size >= l.cfg.BulkBytes
	res, err := s.IngestStream(ctx, name, opt.Source, store.IngestOptions{Bulk: bulk}, func(put func([]store.Row) error) error {
		// Three stages on their own goroutines: the parser's workers, the
		// conversion (title keys and text hashes), and the store, which
		// takes the chunks in order and is the slowest: it never waits
		// for the others' work.
		pctx, cancel := context.WithCancel(ctx)
		defer cancel()
		chunks := make(chan []store.Row, 2)
		parsed := make(chan error, 1)
		go func() {
			defer close(chunks)
			opt.Emit = func(ps []ingest.Record) error {
				sp, err := toRows(pctx, ps)
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
			lst, err = ingest.ParseReader(pctx, r, opt)
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
			var se *ingest.SkipError
			if errors.As(err, &se) {
				return strictError(&ingest.Listing{Source: se.Source}, se.Skip)
			}
			return err
		}
		if o.Strict && len(lst.Skipped) > 0 {
			return strictError(lst, lst.Skipped[0])
		}
		return nil
	})
	if err != nil {
		var pe *ingest.ParseError
		var fe *ingest.FetchError
		var ie *ingest.InternalError
		if errors.As(err, &pe) || errors.As(err, &fe) || errors.Is(err, context.Canceled) {
			return nil, src.hint(err)
		}
		if errors.As(err, &ie) {
			return nil, err // a bug met reading the source, not storing it
		}
		return nil, fmt.Errorf("store papers: %w", err)
	}
	l.reportFiltered(lst)
	for _, sk := range lst.Skipped {
		l.warnf("%s: skipped %s", position(lst.Source, sk.Line), sk.Reason)
	}
	for _, w := range lst.Warnings {
		l.warnf("%s: %s", position(lst.Source, w.Line), w.Msg)
	}
	out := &IngestResult{Skipped: len(lst.Skipped), List: name, Lists: []string{name},
		Sources: []SourceResult{{Source: lst.Source, Format: lst.Format, Papers: lst.Emitted, Skipped: len(lst.Skipped), List: name}}}
	out.Read, out.New, out.Updated = res.Read+len(lst.Skipped), res.New, res.Updated
	return l.embedAfterIngest(ctx, s, o, out)
}

// toRows converts parsed records, hashing the text that gets embedded
// (on all cores: for a large listing it is a good part of the work).
func toRows(ctx context.Context, ps []ingest.Record) ([]store.Row, error) {
	out := make([]store.Row, len(ps))
	err := parallel.For(ctx, len(ps), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			p := &ps[i].Paper
			out[i] = store.Row{Paper: *p, TitleKey: paper.TitleKey(p.Title), TextHash: embed.TextHash(embed.Text(p.Title, p.Abstract))}
		}
	})
	return out, err
}

// storeListings stores parsed listings in one transaction, then embeds.
func (l *Library) storeListings(ctx context.Context, o IngestOptions, ls []*ingest.Listing) (*IngestResult, error) {
	skipped, err := l.reportListings(o, ls)
	if err != nil {
		return nil, err
	}
	s, err := l.db(ctx)
	if err != nil {
		return nil, err
	}
	today := l.cfg.Now().Format("2006-01-02")
	out := &IngestResult{Skipped: skipped, Lists: []string{}, Sources: []SourceResult{}}
	var batches []store.Batch
	for _, lst := range ls {
		if lst.Empty {
			// a named source's day with nothing on it: said, not stored
			l.notef("%s: %s", lst.Source, lst.Note)
			out.Empty = append(out.Empty, lst.Source+": "+lst.Note)
			continue
		}
		name := o.List
		if name == "" {
			name = lst.Date
		}
		if name == "" {
			name = today
		}
		ps, err := toRows(ctx, lst.Papers)
		if err != nil {
			return nil, err
		}
		batches = append(batches, store.Batch{List: name, Source: lst.Source, Papers: ps})
		if !contains(out.Lists, name) {
			out.Lists = append(out.Lists, name)
		}
		sj := SourceResult{Source: lst.Source, Format: lst.Format, Papers: len(lst.Papers), Skipped: len(lst.Skipped), List: name, Date: strPtr(lst.Date)}
		if p := lst.Paging; p != nil {
			sj.Paging = &Paging{Total: p.Total, Start: p.Start, PerPage: p.PerPage}
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
	if len(batches) == 0 {
		return out, nil // nothing but empty days
	}
	res, err := s.IngestWith(ctx, batches, store.IngestOptions{Bulk: size >= l.cfg.BulkBytes})
	if err != nil {
		return nil, fmt.Errorf("store papers: %w", err)
	}
	out.Read, out.New, out.Updated = res.Read+skipped, res.New, res.Updated
	out.List = out.Lists[0]
	return l.embedAfterIngest(ctx, s, o, out)
}

// embedAfterIngest embeds what the ingest brought, unless NoEmbed.
func (l *Library) embedAfterIngest(ctx context.Context, s *store.Store, o IngestOptions, out *IngestResult) (*IngestResult, error) {
	if !o.NoEmbed {
		er, err := l.embedWith(ctx, s, EmbedOptions{Endpoint: EndpointTuning{Retries: -1}})
		var partial *EmbedFailures
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

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// CheckSourceName says what is wrong with a SOURCE that names a source
// (hf:..., arxiv:...), without fetching anything; nil for a valid name and
// for anything that is not a name (a file, a URL). now says what today is.
func CheckSourceName(src string, now time.Time) error {
	if !ingest.IsNamed(src) {
		return nil
	}
	return ingest.CheckName(src, now)
}
