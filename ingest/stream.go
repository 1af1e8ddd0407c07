package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
)

// DefaultMaxWhole is the largest source of a format read whole (not JSON
// Lines, CSV or arxiv-snapshot) that ParseReader reads unless told
// otherwise (Options.MaxWhole).
const DefaultMaxWhole = 256 << 20

// chunkBytes is about how much of a line format one chunk holds: the unit
// of reading and of parallel parsing. A variable for the tests.
var chunkBytes = 4 << 20

// ParseReader reads a source as it comes from r, until its end.
//
// The line formats (JSON Lines, CSV, arxiv-snapshot) are streamed: read a
// chunk of a few MB at a time, JSON Lines and arxiv-snapshot parsed on all
// cores with at most a few chunks in memory, and their papers handed to
// Options.Emit in source order as soon as they are ready, so that memory
// stays bounded whatever the size of the source (without Emit they are
// gathered in Listing.Papers). The results, line numbers and errors are
// the same on any number of cores and for any chunk size, and the same as
// ParseBytes gives for the same bytes. The other formats (hf-page, hf-json,
// arxiv, arxiv-rss, a JSON array) are read whole, up to Options.MaxWhole
// bytes: a larger source is an error.
//
// The format is detected as Detect detects it, from the first line (a
// JSON object's keys, a CSV header) or, for a source that is read whole,
// from all of it.
//
// A source that is not of its format is a *ParseError naming the source
// and line. A failed read is a *ParseError wrapping the cause, but for a
// *FetchError (from a Body of Fetcher.Open: a body over the size cap, a
// timeout), which is returned as it is. When ctx ends, the parse stops
// with ctx's error. After an error, a read of r that was under way may
// still finish in the background: the caller closes r.
func ParseReader(ctx context.Context, r io.Reader, opt Options) (*Listing, error) {
	return parseReader(ctx.Done(), ctx.Err, r, opt)
}

// Sniff reads the start of a source from r and tells how ParseReader will
// read it: streamed (a line format: JSON Lines, CSV or arxiv-snapshot,
// whose papers reach Options.Emit a chunk at a time as they are parsed)
// with its format, or whole (format is then "" when only the whole source
// tells it, as for hf-page). The reader it returns gives the whole source,
// its start included: parse that with ParseReader and the same Options.
// A failed read is an error as ParseReader's are.
func Sniff(r io.Reader, opt Options) (format string, streamed bool, source io.Reader, err error) {
	head, eof, err := readHead(r)
	if err != nil {
		return "", false, nil, readFailure(sourceName(opt), err)
	}
	source = io.MultiReader(bytes.NewReader(head), r)
	if eof {
		source = bytes.NewReader(head)
		data := bytes.TrimPrefix(head, bom)
		format = opt.Format
		if format == "" || format == "auto" {
			format, _ = Detect(data, Hint{Name: sourceName(opt), ContentType: opt.ContentType})
		}
		return format, isStreamed(format, data), source, nil
	}
	format = streamFormat(bytes.TrimPrefix(head, bom), opt)
	if format == "" && opt.Format != "" && opt.Format != "auto" {
		format = opt.Format
	}
	return format, isStreamed(format, bytes.TrimPrefix(head, bom)), source, nil
}

// parseReader is ParseReader, stopped by done (when not nil) with the
// error cause gives.
func parseReader(done <-chan struct{}, cause func() error, r io.Reader, opt Options) (*Listing, error) {
	src := sourceName(opt)
	f, err := newFilter(opt.Categories, opt.Since)
	if err != nil {
		return nil, err
	}
	cr := &countReader{r: r}
	head, eof, err := readHead(cr)
	if err != nil {
		return nil, readFailure(src, err)
	}
	if eof {
		return parseBytes(done, cause, head, opt, false)
	}
	head = bytes.TrimPrefix(head, bom)
	if err := checkUTF16(head, src); err != nil {
		return nil, err
	}
	format := streamFormat(head, opt)
	if format == "" {
		data, err := readWhole(head, cr, opt, src)
		if err != nil {
			return nil, err
		}
		return parseBytes(done, cause, data, opt, false)
	}
	st := &stream{done: done, cause: cause, src: src, opt: opt, filter: f, head: head,
		r: io.MultiReader(bytes.NewReader(head), cr), read: cr.n.Load, total: opt.Size}
	return st.parse(format)
}

// parseStream parses a line format held in memory.
// base is the length of the BOM before data, for Progress.
func parseStream(done <-chan struct{}, cause func() error, format string, data []byte, base int64, opt Options, src string, f *filter) (*Listing, error) {
	total := opt.Size
	if total <= 0 {
		total = base + int64(len(data))
	}
	st := &stream{done: done, cause: cause, src: src, opt: opt, filter: f, head: data, data: data, total: total, base: base}
	return st.parse(format)
}

// stream is the parse of a source of a line format.
type stream struct {
	done   <-chan struct{} // nil: never stopped
	cause  func() error
	src    string
	opt    Options
	filter *filter
	head   []byte       // the source's start, through its first line at least
	data   []byte       // the whole source when held in memory, else nil
	r      io.Reader    // the whole source (from head on) when streamed
	read   func() int64 // bytes of the source read so far, when streamed
	total  int64        // the source's size, 0 when unknown
	base   int64        // bytes before data (a BOM), for Progress
}

func (st *stream) stopped() error {
	select {
	case <-st.done:
		return st.cause()
	default:
		return nil
	}
}

func (st *stream) progress(read int64) {
	if st.opt.Progress != nil {
		st.opt.Progress(st.base+read, st.total)
	}
}

func (st *stream) parse(format string) (*Listing, error) {
	var l *Listing
	var err error
	switch format {
	case "csv":
		l, err = st.parseCSV()
	case "jsonl":
		l, err = st.parseLines(format, st.jsonLine)
	case "arxiv-snapshot":
		l, err = st.parseLines(format, st.snapshotLine)
	default:
		return nil, fmt.Errorf("unknown format %q (formats: auto, %s)", format, strings.Join(Formats, ", "))
	}
	if err != nil {
		return nil, err
	}
	if err := l.check(); err != nil {
		return nil, err
	}
	return l, nil
}

// chunk is a run of whole lines of a source.
type chunk struct {
	data []byte
	line int   // the line of data's first byte
	off  int64 // the offset of data's first byte in the source (after a BOM)
	read int64 // bytes of the source read when the chunk was cut, for Progress
	last bool  // data runs to the end of the source
}

// chunkResult is what one chunk gave.
type chunkResult struct {
	papers   []Record
	keys     []uint64 // the titleHash of each paper
	skips    []Skip
	filtered int
	err      error
	scratch  []byte // working space of the chunk's parser
}

func (r *chunkResult) add(p Record) {
	r.papers = append(r.papers, p)
	r.keys = append(r.keys, titleHash(p.Title))
}

// lineFunc parses one line (not empty, trimmed) of chunk c into res, or
// fails the source.
type lineFunc func(raw []byte, line int, c *chunk, res *chunkResult) error

// parseLines reads a source of one record per line in chunks, parses the
// chunks on all cores, at most a few ahead of the one being delivered, and
// delivers their papers in order.
func (st *stream) parseLines(format string, parse lineFunc) (*Listing, error) {
	l := &Listing{Source: st.src, Format: format}
	var col collisions
	var next func() (chunk, bool, error)
	recycle := func([]byte) {}
	workers := runtime.GOMAXPROCS(0)
	ahead := 2 * workers // chunks parsed or waiting, besides the one being read and the one delivered
	// the chunk size is read here, once: the reading goroutine may outlive
	// this parse when it ends in an error
	size := chunkBytes
	if st.data != nil {
		bc := &byteChunks{data: st.data, line: 1, size: size}
		next = bc.next
	} else {
		rc := &readerChunks{r: st.r, read: st.read, line: 1, free: make(chan []byte, ahead+2), size: size}
		next, recycle = rc.next, rc.recycle
	}
	type slot struct {
		c    chunk
		res  chunkResult
		done chan struct{}
	}
	pending := make(chan *slot, ahead)
	stop := make(chan struct{})
	// goroutines still reading a source held in memory are waited for: the
	// caller may use its bytes again once the parse returns (a reader's
	// own Read may block, so its goroutines are not)
	var wg sync.WaitGroup
	defer func() {
		close(stop)
		if st.data != nil {
			wg.Wait()
		}
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(pending)
		sem := make(chan struct{}, workers)
		for {
			c, ok, err := next()
			if !ok && err == nil {
				return
			}
			s := &slot{c: c, done: make(chan struct{})}
			if err != nil {
				s.res.err = readFailure(st.src, err)
				close(s.done)
			}
			select {
			case pending <- s:
			case <-stop:
				return
			}
			if err != nil {
				return
			}
			select {
			case sem <- struct{}{}:
			case <-stop:
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { <-sem; close(s.done) }()
				// a panic here would end the process (it is not the
				// caller's goroutine): it fails the parse instead, naming
				// the lines, with the stack a bug report needs
				defer func() {
					if v := recover(); v != nil {
						s.res = chunkResult{err: &InternalError{Source: st.src, Line: s.c.line, Value: v, Stack: debug.Stack()}}
					}
				}()
				s.res = st.parseChunk(&s.c, parse)
			}()
		}
	}()
	for s := range pending {
		select {
		case <-s.done:
		case <-st.done:
			return nil, st.cause()
		}
		if s.res.err != nil {
			return nil, s.res.err
		}
		if err := st.deliver(l, &col, &s.res, s.c.read); err != nil {
			return nil, err
		}
		recycle(s.c.data)
	}
	if err := st.stopped(); err != nil {
		return nil, err
	}
	return l, nil
}

// parseChunk parses the lines of a chunk in order. The first error by line
// fails it: a line too long, a NUL byte or invalid UTF-8, or what parse
// says.
func (st *stream) parseChunk(c *chunk, parse lineFunc) chunkResult {
	res := chunkResult{papers: make([]Record, 0, len(c.data)/1024+8)}
	res.keys = make([]uint64, 0, cap(res.papers))
	data, line := c.data, c.line
	for pos := 0; pos < len(data); line++ {
		end := bytes.IndexByte(data[pos:], '\n')
		if end < 0 {
			end = len(data)
		} else {
			end += pos
		}
		raw := data[pos:end]
		if len(raw) > MaxRecordBytes {
			res.err = longLine(st.src, line)
			return res
		}
		if i := badTextAt(raw); i >= 0 {
			res.err = textError(raw, i, st.src, line, c.off+int64(pos))
			return res
		}
		if t := bytes.TrimSpace(raw); len(t) > 0 {
			if err := parse(t, line, c, &res); err != nil {
				res.err = err
				return res
			}
			if st.opt.StopAtSkip && len(res.skips) > 0 {
				return res // the parse stops at this skip: what follows is not read
			}
		}
		pos = end + 1
	}
	return res
}

func longLine(src string, line int) error {
	return &ParseError{Source: src, Line: line, Msg: fmt.Sprintf("a line longer than %s: this is not a JSON Lines listing", sizeString(MaxRecordBytes))}
}

// deliver adds a chunk's result to the listing and hands its papers to
// Emit, in order.
func (st *stream) deliver(l *Listing, col *collisions, res *chunkResult, read int64) error {
	if st.opt.StopAtSkip && len(res.skips) > 0 {
		return &SkipError{Source: st.src, Skip: res.skips[0]}
	}
	l.Skipped = append(l.Skipped, res.skips...)
	l.Filtered += res.filtered
	if col.seen == nil && len(res.papers) > 0 && st.total > read && read > 0 {
		// as many ids as the source holds, about: the map need not grow
		est := float64(len(res.papers)) * float64(st.total) / float64(read)
		col.seen = make(map[string]collided, int(min(est*1.1, 4<<20)))
	}
	for i := range res.papers {
		col.add(l, res.papers[i], res.keys[i])
	}
	switch {
	case st.opt.Emit == nil:
		l.Papers = append(l.Papers, res.papers...)
	case len(res.papers) > 0:
		l.Emitted += len(res.papers)
		if err := st.opt.Emit(res.papers); err != nil {
			return err
		}
	}
	st.progress(read)
	return nil
}

// byteChunks cuts a source held in memory into chunks, without copying.
type byteChunks struct {
	data []byte
	pos  int
	line int
	size int // chunkBytes
}

func (b *byteChunks) next() (chunk, bool, error) {
	if b.pos >= len(b.data) {
		return chunk{}, false, nil
	}
	end := len(b.data)
	if b.pos+b.size < end {
		if i := bytes.IndexByte(b.data[b.pos+b.size:], '\n'); i >= 0 {
			end = b.pos + b.size + i + 1
		}
	}
	c := chunk{data: b.data[b.pos:end], line: b.line, off: int64(b.pos), read: int64(end), last: end == len(b.data)}
	b.line += bytes.Count(c.data, []byte{'\n'})
	b.pos = end
	return c, true, nil
}

// readerChunks reads a source into chunks of whole lines, in buffers that
// are used again once their chunk is delivered. A line longer than
// MaxRecordBytes fails as soon as it is.
type readerChunks struct {
	r     io.Reader
	read  func() int64
	free  chan []byte
	carry []byte // the start of a line the last chunk cut
	line  int    // the line carry starts
	off   int64  // the offset carry starts at
	eof   bool
	size  int // chunkBytes
}

func (s *readerChunks) recycle(buf []byte) {
	if cap(buf) > 2*s.size {
		return // grown for a long line: let it go
	}
	select {
	case s.free <- buf[:0]:
	default:
	}
}

func (s *readerChunks) next() (chunk, bool, error) {
	if s.eof && len(s.carry) == 0 {
		return chunk{}, false, nil
	}
	var buf []byte
	select {
	case buf = <-s.free:
	default:
		buf = make([]byte, 0, s.size)
	}
	buf = append(buf, s.carry...)
	s.carry = s.carry[:0]
	for {
		for !s.eof && len(buf) < cap(buf) {
			n, err := s.r.Read(buf[len(buf):cap(buf)])
			buf = buf[:len(buf)+n]
			if errors.Is(err, io.EOF) {
				s.eof = true
			} else if err != nil {
				return chunk{}, false, err
			}
		}
		if s.eof {
			break
		}
		if i := bytes.LastIndexByte(buf, '\n'); i >= 0 {
			s.carry = append(s.carry, buf[i+1:]...)
			buf = buf[:i+1]
			break
		}
		// a full buffer without a line break: one long line
		if len(buf) > MaxRecordBytes {
			return chunk{}, false, longLine("", s.line)
		}
		grown := make([]byte, len(buf), min(2*cap(buf), MaxRecordBytes+s.size))
		copy(grown, buf)
		buf = grown
	}
	if len(buf) == 0 {
		return chunk{}, false, nil
	}
	c := chunk{data: buf, line: s.line, off: s.off, read: s.read() - int64(len(s.carry)), last: s.eof}
	s.line += bytes.Count(buf, []byte{'\n'})
	s.off += int64(len(buf))
	return c, true, nil
}

// countReader counts the bytes read through it.
type countReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// InternalError is a bug of papersift's parsers met while reading a source:
// a panic turned into an error.
type InternalError struct {
	Source string
	Line   int // the first line of the chunk being parsed
	Value  any
	Stack  []byte
}

func (e *InternalError) Error() string {
	return fmt.Sprintf("%s: internal error while reading the lines from %d on: %v (a bug in papersift: please report it with this message)", e.Source, e.Line, e.Value)
}

// readFailure is a read that failed: a *FetchError or *ParseError as it
// is, anything else as a *ParseError naming the source.
func readFailure(src string, err error) error {
	var fe *FetchError
	var pe *ParseError
	switch {
	case errors.As(err, &fe):
		return fe
	case errors.As(err, &pe):
		if pe.Source == "" {
			pe.Source = src
		}
		return pe
	}
	return &ParseError{Source: src, Msg: fmt.Sprintf("cannot read: %v", err), Err: err}
}

// headMax bounds the start of a source read to tell its format.
const headMax = MaxRecordBytes + 1 + len("\xef\xbb\xbf")

// readHead reads the start of a source: through the end of the line that
// holds its first byte other than white space, or to its end (eof), or
// headMax bytes.
func readHead(r io.Reader) (head []byte, eof bool, err error) {
	buf := make([]byte, 0, 64<<10)
	first, scanned := -1, 0 // in buf without its BOM
	for {
		if len(buf) == cap(buf) {
			if len(buf) >= headMax {
				return buf, false, nil
			}
			grown := make([]byte, len(buf), min(2*cap(buf), headMax))
			copy(grown, buf)
			buf = grown
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if errors.Is(err, io.EOF) {
			return buf, true, nil
		}
		if err != nil {
			return nil, false, err
		}
		if len(buf) < len(bom) && bytes.HasPrefix(bom, buf) {
			continue // maybe a BOM: wait for the rest
		}
		b := bytes.TrimPrefix(buf, bom)
		if first < 0 {
			if i := firstNonSpace(b[scanned:]); i >= 0 {
				first = scanned + i
				scanned = first
			} else {
				scanned = len(b)
			}
		}
		if first >= 0 {
			if bytes.IndexByte(b[scanned:], '\n') >= 0 {
				return buf, false, nil
			}
			scanned = len(b)
		}
	}
}

// streamFormat is the line format a source starting with head (without a
// BOM) is streamed as, or "" when it is read whole: what Detect says of a
// JSON object's line or a CSV header, or a format given; a source the
// content does not tell is streamed when its name or content type says
// JSON Lines or CSV.
func streamFormat(head []byte, opt Options) string {
	i := firstNonSpace(head)
	if i < 0 {
		return ""
	}
	t := head[i:]
	switch opt.Format {
	case "", "auto":
	case "jsonl":
		if t[0] == '[' {
			return ""
		}
		return "jsonl"
	case "csv", "arxiv-snapshot":
		return opt.Format
	default:
		return ""
	}
	switch t[0] {
	case '{':
		return objectFormat(t)
	case '[', '<':
		return ""
	}
	if _, ok := csvHeader(t); ok {
		return "csv"
	}
	if hfPageStart(t) {
		return ""
	}
	if f := hintFormat(Hint{Name: sourceName(opt), ContentType: opt.ContentType}); f == "csv" || f == "jsonl" {
		return f
	}
	return ""
}

// readWhole reads the rest of a source that is read whole, up to
// Options.MaxWhole bytes.
func readWhole(head []byte, r *countReader, opt Options, src string) ([]byte, error) {
	limit := opt.MaxWhole
	if limit <= 0 {
		limit = DefaultMaxWhole
	}
	size := int64(len(head)) + 64<<10
	if opt.Size > 0 && opt.Size <= limit {
		size = opt.Size + 1
	}
	buf := make([]byte, len(head), max(size, int64(len(head))))
	copy(buf, head)
	reported := int64(0)
	for {
		if int64(len(buf)) > limit {
			return nil, &ParseError{Source: src, Msg: fmt.Sprintf("larger than %s: a source that is not JSON Lines, CSV or arxiv-snapshot is read whole, up to %s "+
				"(convert it to JSON Lines, or split it)", sizeString(limit), sizeString(limit))}
		}
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)] // let append grow it
		}
		n, err := r.Read(buf[len(buf):min(int64(cap(buf)), limit+1)])
		buf = buf[:len(buf)+n]
		if opt.Progress != nil && r.n.Load()-reported >= int64(chunkBytes) {
			reported = r.n.Load()
			opt.Progress(reported, opt.Size)
		}
		if errors.Is(err, io.EOF) {
			return buf, nil
		}
		if err != nil {
			return nil, readFailure(src, err)
		}
	}
}
