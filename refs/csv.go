package refs

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/papersift/papersift/internal/lazyre"
)

// The columns ParseCSV reads, by their names normalised (lowercase, no
// spaces, underscores or hyphens). Zotero's export names them Key, Item
// Type, Publication Year, Author, Title, Publication Title, DOI, Url,
// Abstract Note, Date, Extra, Number...; papersift's own CSV id, title,
// abstract, authors, date, url.
var csvColumns = map[string]string{
	"title": "title", "author": "authors", "authors": "authors", "creators": "authors", "creator": "authors",
	"abstractnote": "abstract", "abstract": "abstract", "summary": "abstract",
	"doi": "doi", "url": "url", "link": "url",
	"publicationyear": "year", "year": "year", "date": "date",
	"key": "key", "citationkey": "key", "id": "id",
	"arxiv": "arxiv", "arxivid": "arxiv", "eprint": "arxiv", "archiveid": "arxiv",
	"extra": "extra", "itemtype": "type", "number": "number", "publicationtitle": "journal",
	"category": "category", "primaryclass": "category",
}

var columnSeparators = strings.NewReplacer(" ", "", "_", "", "-", "", "\t", "")

func normColumn(s string) string {
	if len(s) > 40 {
		return "" // no column name is that long
	}
	return columnSeparators.Replace(strings.ToLower(strings.TrimSpace(s)))
}

// isCSVHeader reports whether line is a CSV header naming two known
// columns or more.
func isCSVHeader(line string) bool {
	if len(line) > 8192 {
		line = line[:8192] // a header is shorter; a long first line is no header
	}
	r := csv.NewReader(strings.NewReader(line))
	r.LazyQuotes = true
	rec, err := r.Read()
	if err != nil || len(rec) < 2 {
		return false
	}
	known := 0
	for _, c := range rec {
		if _, ok := csvColumns[normColumn(c)]; ok {
			known++
		}
	}
	return known >= 2
}

// ParseCSV reads a CSV file with a header row: Zotero's CSV export (File >
// Export Library... > CSV: authors "Last, First; Last, First", arXiv ids in
// Extra, Url, DOI or Number) or any CSV with a Title, DOI or arXiv id
// column. A header without any of them, or a row CSV cannot read, is an
// error naming the line.
func ParseCSV(data []byte, name string) (*File, error) {
	data, name, err := prepare(data, name)
	if err != nil {
		return nil, err
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	csvErr := func(err error) error {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			msg := pe.Err.Error()
			if errors.Is(pe.Err, csv.ErrQuote) || errors.Is(pe.Err, csv.ErrBareQuote) {
				msg += ": a \" inside a cell must be doubled (\"\"), and a cell with a \" must be quoted"
			}
			return &ParseError{Source: name, Line: pe.StartLine, Msg: "not valid CSV: " + msg}
		}
		return &ParseError{Source: name, Msg: err.Error()}
	}
	header, err := r.Read()
	if err != nil {
		return nil, csvErr(err)
	}
	col := map[string]int{}
	for i, h := range header {
		if role, ok := csvColumns[normColumn(h)]; ok {
			if _, dup := col[role]; !dup {
				col[role] = i
			}
		}
	}
	_, title := col["title"]
	_, doi := col["doi"]
	_, arxiv := col["arxiv"]
	_, id := col["id"]
	if !title && !doi && !arxiv && !id {
		return nil, &ParseError{Source: name, Line: 1, Msg: fmt.Sprintf("the CSV header has no Title column (nor DOI or arXiv id; it has %s): export from Zotero with File > Export Library… > CSV, or name the column of titles Title", clip(strings.Join(header, ", "), 120))}
	}
	f := &File{Name: name, Format: FormatCSV}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvErr(err)
		}
		line, _ := r.FieldPos(0)
		for _, c := range rec {
			if len(c) > maxBibValue { // as a BibTeX field
				return nil, &ParseError{Source: name, Line: line, Msg: fmt.Sprintf("a cell longer than %d MB: this is not a reference list", maxBibValue>>20)}
			}
		}
		cell := func(role string) string {
			if i, ok := col[role]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		if strings.Join(rec, "") == "" {
			continue // an empty row
		}
		e := Entry{Line: line, Key: cell("key"), Type: cell("type")}
		if e.Key == "" {
			e.Key = cell("id")
		}
		e.Title = collapse(cell("title"))
		e.Abstract = collapse(cell("abstract"))
		for _, a := range strings.Split(cell("authors"), ";") {
			e.Authors = append(e.Authors, personName(a))
		}
		e.URL = firstURL(cell("url"))
		e.DOI = NormalizeDOI(cell("doi"))
		e.Category = arxivCategory(cell("category"))
		if m := extraDOI.FindStringSubmatch(cell("extra")); m != nil && e.DOI == "" {
			e.DOI = NormalizeDOI(m[1])
		}
		if e.DOI == "" {
			e.DOI = NormalizeDOI(e.URL)
		}
		for _, v := range []string{cell("arxiv"), e.DOI, e.URL} {
			if e.ArxivID == "" {
				e.ArxivID = findArxiv(v)
			}
		}
		for _, v := range []string{cell("number"), cell("journal"), cell("extra")} {
			if m := arxivInText.FindStringSubmatch(v); m != nil && e.ArxivID == "" {
				e.ArxivID = findArxiv(m[1])
			}
		}
		if k := cell("id"); e.ArxivID == "" && e.DOI == "" {
			// papersift's CSV: the id column holds an arXiv id or a DOI.
			e.ArxivID, e.DOI = findArxiv(k), NormalizeDOI(k)
		}
		e.Year, e.Date = isoDate(cell("date"))
		if e.Year == "" {
			e.Year, _ = isoDate(cell("year"))
		}
		f.add(e)
	}
	if err := f.empty("rows"); err != nil {
		return nil, err
	}
	return f, nil
}

// extraDOI is a DOI in Zotero's Extra field ("DOI: 10.1000/x"), which
// holds one for item types without a DOI field.
var extraDOI = lazyre.New(`(?i)\bdoi:\s*(10\.\d{4,9}/[^\s;]+)`)
