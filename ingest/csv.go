package ingest

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
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

func parseCSV(data []byte, source string) (*Listing, error) {
	delim, ok := csvHeader(data[max(firstNonSpace(data), 0):])
	r := csv.NewReader(bytes.NewReader(data))
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
	cols := csvColumns(header)
	field := func(row []string, c string) string {
		if i, ok := cols[c]; ok && i < len(row) {
			return row[i]
		}
		return ""
	}
	l := &Listing{}
	n := 0
	for {
		row, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvError(err, source)
		}
		line, _ := r.FieldPos(0)
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
		p, reason := rec.paper(fmt.Sprintf("row %d", n))
		if reason != "" {
			l.Skipped = append(l.Skipped, Skip{Line: line, Reason: reason})
			continue
		}
		p.Line = line
		l.Papers = append(l.Papers, p)
	}
	return l, nil
}

func csvError(err error, source string) error {
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
	return &ParseError{Source: source, Msg: err.Error()}
}
