// Package ingest reads the listings of papers a reader has into Records: the
// Hugging Face Daily Papers page as a browser copies it (hf-page) and its
// API's JSON (hf-json), an arXiv API Atom feed (arxiv), arXiv's
// per-category announcement feed (arxiv-rss), JSON Lines or a JSON array of
// paper objects (jsonl), CSV with a header row (csv) and arXiv's metadata
// snapshot (arxiv-snapshot). ParseReader streams a source: the line formats
// (jsonl, csv, arxiv-snapshot) are read in bounded chunks and parsed on all
// cores whatever their size. Fetcher gets a listing over HTTP, whole or as
// a stream; Sources resolves named sources (hf:today, arxiv:cs.CL) into
// listings; ListingFiles lists a folder's listings.
//
// A source that is not of the format at all is an error (*ParseError, naming
// the source and line); inside a valid source, a record that lacks a title or
// an abstract is skipped and reported in Listing.Skipped.
package ingest

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/papersift/papersift/internal/sanitize"
	"github.com/papersift/papersift/paper"
)

// Record is a paper as a listing gives it, and where.
type Record struct {
	paper.Paper
	Line int // line of the source where the record starts
}

// Skip is a record left out of a listing, and why.
type Skip struct {
	Line   int
	Reason string // names the record: "item 3 (2405.12345) has no summary"
}

// Warning is something a reader should know about a listing that did not
// stop it from being read (records merged because their ids collide).
type Warning struct {
	Line int
	Msg  string
}

// Paging is where an arXiv API feed's page lies in the whole result.
type Paging struct {
	Total   int // opensearch:totalResults
	Start   int // opensearch:startIndex (0-based)
	PerPage int // opensearch:itemsPerPage
}

// Listing is a parsed source.
type Listing struct {
	Source   string // file name, "stdin" or URL, as given
	Format   string
	Date     string // the listing's own date (YYYY-MM-DD), when it has one
	Papers   []Record
	Emitted  int // papers handed to Options.Emit instead of Papers
	Filtered int // papers left out by Options.Categories and Options.Since (not skips)
	Skipped  []Skip
	Warnings []Warning
	Paging   *Paging // arxiv feeds only
	Replaced int     // arxiv-rss: replacements of papers announced before, left out (see Options.Replacements)

	// Empty is a named source's day with nothing on it (Daily Papers of a
	// Sunday, arXiv's feed on a weekend): not an error. Only Sources.Resolve
	// returns an empty listing; Parse fails on a source without papers.
	Empty bool
	Note  string   // for people, why the listing is empty: "no papers on 2026-08-23 (a Sunday)"
	URLs  []string // named sources: what was fetched
}

// ParseError is a source that cannot be read as its format.
type ParseError struct {
	Source string
	Line   int // 0 when it concerns the whole source
	Msg    string
	Err    error // the cause, when the source could not be read
}

func (e *ParseError) Unwrap() error { return e.Err }

func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Source, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Source, e.Msg)
}

// Formats are the format names Parse takes besides "auto".
var Formats = []string{"hf-page", "hf-json", "arxiv", "arxiv-rss", "jsonl", "csv", "arxiv-snapshot"}

// MaxRecordBytes caps one record (a line of JSON Lines, a CSV row, an item
// of a JSON array, a paragraph of a page, an entry of a feed).
const MaxRecordBytes = 10 << 20

// Options say how to read a source. The zero value detects the format.
type Options struct {
	Source      string // its name in messages: a file name, "stdin" or the URL
	Format      string // "", "auto" or one of Formats
	ContentType string // the Content-Type a server gave, a hint for detection
	// Emit, when set, receives the papers instead of Listing.Papers, in
	// source order, a chunk at a time: JSON Lines sources hand over each
	// chunk as soon as it and those before it are parsed, so a large
	// listing can be stored while the rest is read; other formats hand
	// over everything at once. An error from Emit stops the parse. Emit is
	// called from the goroutine that called the parse, never concurrently.
	Emit func([]Record) error
	// Categories, when set, keeps only the papers of these arXiv
	// categories: "cs.CL", "cs.*", "stat.ML", "math" (a pattern without a
	// dot names a whole archive). Case does not matter; * and ? match as in
	// path.Match. A paper matches when any of its categories does (every
	// category of an arxiv-snapshot record or of a JSON Lines record's
	// "categories", else its primary category). See CheckFilters.
	Categories []string
	// Since, when set (YYYY-MM-DD), keeps only the papers dated on or after
	// that day: for arxiv-snapshot, the day of the first version. A paper
	// without a date is left out. Papers left out by Categories or Since
	// are counted in Listing.Filtered.
	Since string
	// Size is the source's size in bytes when known (a file's size, a
	// Content-Length), passed on to Progress; 0 when unknown.
	Size int64
	// Progress, when set, is told how many bytes of the source have been
	// read and parsed so far, and Size: every chunk of a streamed source
	// (a few MB), and at the end. It is called from the goroutine that
	// called the parse, never concurrently.
	Progress func(read, total int64)
	// MaxWhole caps the size of a source of a format that is read whole
	// (hf-page, hf-json, arxiv, arxiv-rss, a JSON array) by ParseReader:
	// 0 is DefaultMaxWhole. Line formats are streamed whatever their size.
	MaxWhole int64
	// Replacements keeps the replacements of an arxiv-rss feed (new
	// versions of papers announced before), which are left out by default
	// and counted in Listing.Replaced.
	Replacements bool
	// StopAtSkip stops a streamed line format at the first record it
	// would skip, with a *SkipError, instead of reading the rest.
	StopAtSkip bool
}

// SkipError is the first record a parse with StopAtSkip would skip.
type SkipError struct {
	Source string
	Skip   Skip
}

func (e *SkipError) Error() string {
	return fmt.Sprintf("%s:%d: %s", e.Source, e.Skip.Line, e.Skip.Reason)
}

// Parse reads a source from r as ParseReader does, without a context.
func Parse(r io.Reader, opt Options) (*Listing, error) {
	return parseReader(nil, nil, r, opt)
}

// ParseBytes parses a source held in memory. Line formats are parsed in
// chunks on all cores as ParseReader parses them, with the same results.
func ParseBytes(data []byte, opt Options) (*Listing, error) {
	return parseBytes(nil, nil, data, opt, false)
}

// parseBytes is ParseBytes; done and cause, when set, stop the parse of a
// line format (a context's Done and Err); allowEmpty returns a source
// without records as an Empty listing rather than an error (a named
// source's empty day).
func parseBytes(done <-chan struct{}, cause func() error, data []byte, opt Options, allowEmpty bool) (*Listing, error) {
	src := sourceName(opt)
	f, err := newFilter(opt.Categories, opt.Since)
	if err != nil {
		return nil, err
	}
	size := int64(len(data))
	data, err = precheck(data, src)
	if err != nil {
		return nil, err
	}
	base := size - int64(len(data)) // a BOM
	format := opt.Format
	if format == "" || format == "auto" {
		f, err := Detect(data, Hint{Name: src, ContentType: opt.ContentType})
		if err != nil {
			if terr := checkText(data, src); terr != nil {
				return nil, terr // binary data: say so rather than that its format is unknown
			}
			return nil, &ParseError{Source: src, Line: lineAt(data, max(firstNonSpace(data), 0)), Msg: err.Error()}
		}
		format = f
	}
	if isStreamed(format, data) {
		// checked line by line (or row by row) as they are parsed
		return parseStream(done, cause, format, data, base, opt, src, f)
	}
	if err := checkText(data, src); err != nil {
		return nil, err
	}
	var l *Listing
	switch format {
	case "hf-page":
		l, err = parseHFPage(data, src)
	case "hf-json":
		l, err = parseHFJSON(data, src)
	case "arxiv":
		l, err = parseAtom(data, src)
	case "arxiv-rss":
		l, _, err = parseArxivFeed(data, src, opt.Replacements)
	case "jsonl":
		l, err = parseJSONArray(data, src)
	default:
		return nil, fmt.Errorf("unknown format %q (formats: auto, %s)", format, strings.Join(Formats, ", "))
	}
	if err != nil {
		return nil, err
	}
	l.Source, l.Format = src, format
	f.apply(l)
	if err := l.check(); err != nil {
		if !allowEmpty || len(l.Skipped) > 0 || l.Filtered > 0 {
			return nil, err
		}
		l.Empty = true
	}
	var col collisions
	for _, p := range l.Papers {
		col.add(l, p, titleHash(p.Title))
	}
	if opt.Progress != nil {
		opt.Progress(size, opt.Size)
	}
	if opt.Emit != nil {
		ps := l.Papers
		l.Papers, l.Emitted = nil, len(ps)
		if err := opt.Emit(ps); err != nil {
			return nil, err
		}
	}
	return l, nil
}

func sourceName(opt Options) string {
	if opt.Source == "" {
		return "input"
	}
	return opt.Source
}

// isStreamed reports whether a format is parsed a chunk of lines at a
// time: JSON Lines (not a JSON array), CSV and the arXiv snapshot. data is
// the source's start.
func isStreamed(format string, data []byte) bool {
	switch format {
	case "csv", "arxiv-snapshot":
		return true
	case "jsonl":
		i := firstNonSpace(data)
		return i < 0 || data[i] != '['
	}
	return false
}

var bom = []byte("\xef\xbb\xbf")

// precheck drops a BOM and refuses UTF-16, an empty source and one of
// white space only. (checkText, or the line parsers, check the rest.)
func precheck(data []byte, src string) ([]byte, error) {
	data = bytes.TrimPrefix(data, bom) // a BOM, as spreadsheets write
	if err := checkUTF16(data, src); err != nil {
		return nil, err
	}
	if len(data) == 0 {
		return nil, &ParseError{Source: src, Line: 1, Msg: "the file is empty: nothing to ingest"}
	}
	if i := firstNonSpace(data); i < 0 {
		return nil, &ParseError{Source: src, Line: lineAt(data, len(data)), Msg: "only white space: nothing to ingest"}
	}
	return data, nil
}

// check fails a listing with no usable paper.
func (l *Listing) check() error {
	if len(l.Papers)+l.Emitted > 0 {
		return nil
	}
	msg := "no papers in it"
	line := 0
	if l.Replaced > 0 && len(l.Skipped) == 0 {
		msg = fmt.Sprintf("no new papers: its %d announcements are all replacements (new versions of papers announced before)", l.Replaced)
	}
	if len(l.Skipped) > 0 {
		msg = fmt.Sprintf("no usable papers: every record was skipped (first: %s)", l.Skipped[0].Reason)
		line = l.Skipped[0].Line
	}
	if l.Filtered > 0 {
		msg = fmt.Sprintf("no paper matches the categories and date asked for (%d left out", l.Filtered)
		if len(l.Skipped) > 0 {
			msg += fmt.Sprintf(", and %d skipped, first: %s", len(l.Skipped), l.Skipped[0].Reason)
		}
		msg += ")"
	}
	return &ParseError{Source: l.Source, Line: line, Msg: msg}
}

// noteCollisions warns about records of one listing that are one paper
// because their ids are equal once normalised but whose titles differ.
// Records with the same id are merged by the store, the later winning.
type collisions struct {
	seen map[string]collided
}

type collided struct {
	line int
	key  uint64 // titleHash
}

// titleHash is a hash (64-bit FNV-1a) of a title's key, paper.TitleKey,
// computed without making the key: titles with equal keys have equal
// hashes, and titles with different keys different hashes but for a chance
// of one in 2^64 (FuzzTitleHash checks it is the key's hash).
func titleHash(title string) uint64 {
	const prime = 1099511628211
	h := uint64(14695981039346656037)
	space, empty := false, true
	for i := 0; i < len(title); {
		c := title[i]
		var r rune
		size := 1
		if c < utf8.RuneSelf {
			switch {
			case 'a' <= c && c <= 'z' || '0' <= c && c <= '9':
			case 'A' <= c && c <= 'Z':
				c += 'a' - 'A'
			default:
				space = true
				i++
				continue
			}
			r = rune(c)
		} else {
			r, size = utf8.DecodeRuneInString(title[i:])
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				space = true
				i += size
				continue
			}
			r = unicode.ToLower(r)
		}
		i += size
		if space && !empty {
			h = (h ^ ' ') * prime
		}
		space, empty = false, false
		if r < utf8.RuneSelf {
			h = (h ^ uint64(r)) * prime
			continue
		}
		var enc [utf8.UTFMax]byte
		for _, b := range enc[:utf8.EncodeRune(enc[:], r)] {
			h = (h ^ uint64(b)) * prime
		}
	}
	return h
}

// add notes p, whose title has the titleHash k, warning on l when its id
// came before with another title.
func (c *collisions) add(l *Listing, p Record, k uint64) {
	if c.seen == nil {
		c.seen = map[string]collided{}
	}
	f, ok := c.seen[p.ID]
	if !ok {
		// a copy: the id may share its memory with the whole record's line
		c.seen[strings.Clone(p.ID)] = collided{p.Line, k}
		return
	}
	if f.key != k {
		l.Warnings = append(l.Warnings, Warning{Line: p.Line, Msg: fmt.Sprintf(
			"id %q again (first at line %d) with another title: the records are one paper and the later one wins; give them distinct ids if they are different papers", p.ID, f.line)})
	}
}

func firstNonSpace(data []byte) int {
	for i, c := range data {
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v' {
			return i
		}
	}
	return -1
}

func checkUTF16(data []byte, source string) error {
	if bytes.HasPrefix(data, []byte{0xff, 0xfe}) || bytes.HasPrefix(data, []byte{0xfe, 0xff}) {
		return &ParseError{Source: source, Line: 1, Msg: "UTF-16 text: save the file as UTF-8 (in a spreadsheet: CSV UTF-8)"}
	}
	return nil
}

// checkText rejects data that is not UTF-8 text, naming the first bad line.
func checkText(data []byte, source string) error {
	if err := checkUTF16(data, source); err != nil {
		return err
	}
	if i := badTextAt(data); i >= 0 {
		return textError(data, i, source, 1, 0)
	}
	return nil
}

// badTextAt is the offset of the first NUL byte or invalid UTF-8 in data,
// or -1.
func badTextAt(data []byte) int {
	nul := bytes.IndexByte(data, 0)
	if nul < 0 && utf8.Valid(data) {
		return -1
	}
	bad := -1
	if !utf8.Valid(data) {
		bad = invalidUTF8At(data)
	}
	if nul >= 0 && (bad < 0 || nul < bad) {
		return nul
	}
	return bad
}

// textError names the NUL byte or invalid UTF-8 at data[i], data starting
// at line and at byte off of the source.
func textError(data []byte, i int, source string, line int, off int64) error {
	at := lineAt(data, i) + line - 1
	if data[i] == 0 {
		return &ParseError{Source: source, Line: at, Msg: fmt.Sprintf("NUL byte at byte %d: this is binary data, not a listing", off+int64(i))}
	}
	return &ParseError{Source: source, Line: at, Msg: fmt.Sprintf("invalid UTF-8 at byte %d: save the file as UTF-8 text", off+int64(i))}
}

func invalidUTF8At(data []byte) int {
	i := 0
	for i < len(data) {
		if data[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return i
}

// lineAt is the 1-based line of byte offset off.
func lineAt(data []byte, off int) int {
	off = min(max(off, 0), len(data))
	return bytes.Count(data[:off], []byte("\n")) + 1
}

// blank reports whether s shows nothing: white space, control and
// invisible characters only (a title of zero-width spaces is no title).
func blank(s string) bool { return !sanitize.Visible(s) }

// checkNUL fails a record with a NUL character in a field, as a raw NUL
// byte fails the whole source: JSON can carry one escaped (\u0000).
func checkNUL(p *paper.Paper, source string, line int) error {
	field := ""
	for _, f := range []struct{ name, v string }{{"id", p.ID}, {"title", p.Title}, {"abstract", p.Abstract},
		{"org", p.Org}, {"date", p.Date}, {"url", p.URL}, {"category", p.Category}, {"doi", p.DOI}, {"journal reference", p.Journal}} {
		if strings.IndexByte(f.v, 0) >= 0 {
			field = f.name
			break
		}
	}
	for _, xs := range [][]string{p.Authors, p.Links} {
		for _, x := range xs {
			if field == "" && strings.IndexByte(x, 0) >= 0 {
				field = "authors or links"
			}
		}
	}
	if field == "" {
		return nil
	}
	return &ParseError{Source: source, Line: line, Msg: fmt.Sprintf("the %s holds a NUL character (\\u0000): this is binary data, not text; remove it from the record", field)}
}

func isSpaceByte(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// finish fills the derived fields of a record.
func finish(p *paper.Paper) {
	p.Title, p.Abstract = clean(p.Title), clean(p.Abstract)
	p.ID = paper.NormalizeID(p.ID)
	if p.ArxivID == "" {
		p.ArxivID = paper.ArxivID(p.ID)
	}
	if p.ID == "" {
		p.ID, p.DerivedID = paper.TitleID(p.Title), true
	}
	if p.URL == "" && p.ArxivID != "" {
		p.URL = "https://arxiv.org/abs/" + p.ArxivID
	}
	if p.NAuthors == nil && len(p.Authors) > 0 {
		n := len(p.Authors)
		p.NAuthors = &n
	}
}

// short cuts s for a message, on a character boundary.
func short(s string) string {
	if utf8.RuneCountInString(s) <= 60 {
		return s
	}
	return string([]rune(s)[:57]) + "..."
}

// name is how a message names a record: its id, else its title.
func name(id, title string) string {
	if id = strings.TrimSpace(id); id != "" {
		return short(id)
	}
	return short(clean(title))
}
