package ingest

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// The csv format: RFC 4180 with a header row naming the columns id, title,
// abstract (or summary), authors (names separated by ";"), date, url and
// category, in any order and any case; title and abstract are required,
// other columns are ignored. Quoted fields may hold commas, quotes ("") and
// line breaks, as spreadsheets write them; a BOM is ignored. The delimiter
// is the comma, or the semicolon or tab when the header uses it (as some
// spreadsheets in some locales write).

var csvAliases = map[string]string{
	"id": "id", "arxiv_id": "id", "arxiv id": "id",
	"title":    "title",
	"abstract": "abstract", "summary": "abstract",
	"authors": "authors", "author": "authors",
	"date": "date", "published": "date",
	"url": "url", "link": "url",
	"category": "category", "primary_category": "category",
}

// csvHeader finds the delimiter of a header line that names title and
// abstract columns.
func csvHeader(t []byte) (rune, bool) {
	line, _, _ := bytes.Cut(t, []byte("\n"))
	line = bytes.TrimRight(line, "\r")
	for _, d := range []rune{',', ';', '\t'} {
		if !bytes.ContainsRune(line, d) {
			continue
		}
		r := csv.NewReader(bytes.NewReader(line))
		r.Comma = d
		fields, err := r.Read()
		if err != nil {
			continue
		}
		cols := csvColumns(fields)
		_, title := cols["title"]
		_, abs := cols["abstract"]
		if title && abs {
			return d, true
		}
	}
	return ',', false
}

// csvColumns maps the known column names to their index (the first wins).
func csvColumns(header []string) map[string]int {
	cols := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if c, ok := csvAliases[h]; ok {
			if _, dup := cols[c]; !dup {
				cols[c] = i
			}
		}
	}
	return cols
}

// csvChunk is how many rows of CSV are handed to Emit at once.
const csvChunk = 2048

// parseCSV reads CSV row by row as it comes (a quoted field may span
// lines, so rows are read in order by one goroutine), handing the papers
// on csvChunk at a time.
func (st *stream) parseCSV() (*Listing, error) {
	source := st.src
	delim, ok := csvHeader(st.head[max(firstNonSpace(st.head), 0):])
	in := st.r
	if st.data != nil {
		in = bytes.NewReader(st.data)
	}
	tr := &textReader{r: in, src: source, buf: make([]byte, 64<<10), line: 1, markLine: 1}
	read := st.read
	if read == nil {
		read = func() int64 { return tr.off }
	}
	r := csv.NewReader(tr)
	r.Comma = delim
	r.FieldsPerRecord = 0 // every row has the header's number of fields
	r.ReuseRecord = true
	header, err := r.Read()
	if err != nil {
		return nil, csvError(err, source)
	}
	header = append([]string(nil), header...)
	if !ok {
		cols := csvColumns(header)
		var missing []string
		for _, c := range []string{"title", "abstract"} {
			if _, ok := cols[c]; !ok {
				missing = append(missing, c)
			}
		}
		return nil, &ParseError{Source: source, Line: 1, Msg: fmt.Sprintf("the CSV header has no %s column (columns: %s); it needs title and abstract, and may have id, authors, date, url",
			strings.Join(missing, " or "), short(strings.Join(header, ", ")))}
	}
	tr.mark, tr.markLine = r.InputOffset(), 2
	cols := csvColumns(header)
	field := func(row []string, c string) string {
		if i, ok := cols[c]; ok && i < len(row) {
			return row[i]
		}
		return ""
	}
	l := &Listing{Source: source, Format: "csv"}
	var col collisions
	var res chunkResult
	n := 0
	for {
		if n%256 == 0 {
			if err := st.stopped(); err != nil {
				return nil, err
			}
		}
		row, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvError(err, source)
		}
		line, _ := r.FieldPos(0)
		end, _ := r.FieldPos(len(row) - 1)
		tr.mark, tr.markLine = r.InputOffset(), end+strings.Count(row[len(row)-1], "\n")+1
		n++
		empty := true
		size := 0
		for _, f := range row {
			size += len(f)
			if strings.TrimSpace(f) != "" {
				empty = false
			}
		}
		if empty {
			continue
		}
		if size > MaxRecordBytes {
			return nil, &ParseError{Source: source, Line: line, Msg: fmt.Sprintf("a row larger than %s: this is not a listing", sizeString(MaxRecordBytes))}
		}
		rec := record{
			ID: field(row, "id"), Title: field(row, "title"), Abstract: field(row, "abstract"),
			Authors: SplitAuthors(field(row, "authors")), Date: field(row, "date"), URL: field(row, "url"), Category: field(row, "category"),
		}
		if !st.filter.keepCategories(rec.Category) || !st.filter.keepDate(isoDate(rec.Date)) {
			res.filtered++
			continue
		}
		p, reason := rec.paper(fmt.Sprintf("row %d", n))
		switch {
		case reason != "":
			res.skips = append(res.skips, Skip{Line: line, Reason: reason})
			if st.opt.StopAtSkip {
				return nil, &SkipError{Source: st.src, Skip: res.skips[0]}
			}
		default:
			p.Line = line
			res.add(p)
		}
		if len(res.papers) >= csvChunk {
			if err := st.deliver(l, &col, &res, read()); err != nil {
				return nil, err
			}
			res = chunkResult{}
		}
	}
	if err := st.deliver(l, &col, &res, read()); err != nil {
		return nil, err
	}
	return l, nil
}

// textReader passes a source on to a parser that reads it in order (CSV),
// failing at its first NUL byte or invalid UTF-8, naming the line and byte,
// and when a record grows past MaxRecordBytes (the parser marks where each
// record ends). What comes before a bad byte is passed on first, so that
// the parser's own errors before it come first.
type textReader struct {
	r            io.Reader
	src          string
	buf          []byte
	lo, hi, end  int   // buf[lo:hi] is checked, waiting; buf[hi:end] is a UTF-8 sequence cut by the last read
	off          int64 // bytes passed on
	line         int   // the line of the next byte passed on
	mark         int64 // where the last record ended
	markLine     int   // the line after it
	err, readErr error
}

func (t *textReader) Read(p []byte) (int, error) {
	for t.lo == t.hi {
		if t.err != nil {
			return 0, t.err
		}
		if t.off-t.mark > MaxRecordBytes+64<<10 {
			t.err = &ParseError{Source: t.src, Line: t.markLine, Msg: fmt.Sprintf("a row larger than %s: this is not a listing", sizeString(MaxRecordBytes))}
			return 0, t.err
		}
		t.end = copy(t.buf, t.buf[t.hi:t.end])
		t.lo, t.hi = 0, 0
		n, err := t.r.Read(t.buf[t.end:])
		t.end += n
		ok := t.end
		if err != nil {
			t.readErr = err
		} else {
			ok -= cutRune(t.buf[:t.end])
		}
		if bad := badTextAt(t.buf[:ok]); bad >= 0 {
			t.err = textError(t.buf[:ok], bad, t.src, t.line, t.off)
			ok = bad
		} else if t.readErr != nil {
			t.err = t.readErr
		}
		t.hi = ok
	}
	n := copy(p, t.buf[t.lo:t.hi])
	t.line += bytes.Count(p[:n], []byte{'\n'})
	t.off += int64(n)
	t.lo += n
	return n, nil
}

// cutRune is the length of the start of a UTF-8 sequence at the end of b,
// which the next bytes may complete, or 0.
func cutRune(b []byte) int {
	for k := 1; k <= utf8.UTFMax-1 && k <= len(b); k++ {
		c := b[len(b)-k]
		if c < utf8.RuneSelf {
			return 0
		}
		if utf8.RuneStart(c) {
			if utf8.FullRune(b[len(b)-k:]) {
				return 0
			}
			return k
		}
	}
	return 0
}

func csvError(err error, source string) error {
	var te *ParseError
	if errors.As(err, &te) {
		return te // from textReader
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		msg := pe.Err.Error()
		switch {
		case errors.Is(pe.Err, csv.ErrFieldCount):
			msg = "a row with another number of fields than the header (a missing or extra delimiter, or an unclosed quote above?)"
		case errors.Is(pe.Err, csv.ErrQuote):
			msg = "a stray or unclosed quote: quote fields that hold quotes as \"...\"\"...\" (RFC 4180)"
		case errors.Is(pe.Err, csv.ErrBareQuote):
			msg = "a quote inside a field that is not quoted: quote the whole field (RFC 4180)"
		}
		line := pe.Line
		if errors.Is(pe.Err, csv.ErrFieldCount) {
			line = pe.StartLine
		}
		return &ParseError{Source: source, Line: line, Msg: msg}
	}
	if errors.Is(err, io.EOF) {
		return &ParseError{Source: source, Line: 1, Msg: "no CSV header row"}
	}
	return readFailure(source, err)
}
