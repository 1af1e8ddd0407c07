package ingest

import (
	"reflect"

	"github.com/papersift/papersift/paper"

	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// record is a paper as JSON Lines, a JSON array and CSV give it.
type record struct {
	ID       string
	Title    string
	Abstract string
	Authors  []string
	Date     string
	URL      string
	Category string
	DOI      string
	Journal  string
}

// jsonRecord is a record in JSON. Fields beyond these are ignored.
type jsonRecord struct {
	ID         json.RawMessage `json:"id"`
	Title      *string         `json:"title"`
	Abstract   *string         `json:"abstract"`
	Summary    *string         `json:"summary"`
	Authors    json.RawMessage `json:"authors"`
	Date       string          `json:"date"`
	URL        string          `json:"url"`
	Category   string          `json:"category"`
	Categories json.RawMessage `json:"categories"`
	DOI        string          `json:"doi"`
	Journal    string          `json:"journal_ref"`
}

// decodeRecord decodes one JSON Lines record with encoding/json. (A faster
// decoder, goccy/go-json, was dropped: it panics on some sequences of
// malformed records, a known bug, and a listing comes from anywhere.)
func decodeRecord(raw []byte, jr *jsonRecord) error {
	return json.Unmarshal(raw, jr)
}

// jsonLine parses a line of JSON Lines.
func (st *stream) jsonLine(raw []byte, line int, c *chunk, res *chunkResult) error {
	if raw[0] != '{' {
		return &ParseError{Source: st.src, Line: line, Msg: "expected a JSON object on every line (JSON Lines: one paper per line)"}
	}
	var jr jsonRecord
	if err := decodeRecord(raw, &jr); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			// valid JSON, but a field of the wrong type: skip the record
			res.skips = append(res.skips, Skip{Line: line, Reason: fmt.Sprintf("line %d: field %q is a JSON %s, not a %s", line, te.Field, te.Value, te.Type)})
			return nil
		}
		var whole []byte
		if c.line == 1 && c.last {
			whole = c.data // the whole source: is it one JSON value?
		}
		return jsonLineError(whole, st.src, line, err)
	}
	if st.filter != nil && !(st.filter.keepDate(isoDate(jr.Date)) && st.filter.keepCategoryList(jr.categories())) {
		res.filtered++
		return nil
	}
	p, reason := jr.paper(fmt.Sprintf("line %d", line))
	if reason != "" {
		res.skips = append(res.skips, Skip{Line: line, Reason: reason})
		return nil
	}
	if err := checkNUL(&p.Paper, st.src, line); err != nil {
		return err
	}
	p.Line = line
	res.add(p)
	return nil
}

// categories are a record's categories: its "categories" (a list, or
// names separated by white space), else its "category".
func (r *jsonRecord) categories() []string {
	var list []string
	if json.Unmarshal(r.Categories, &list) != nil {
		var s string
		if json.Unmarshal(r.Categories, &s) == nil {
			list = strings.Fields(s)
		}
	}
	if len(list) == 0 && r.Category != "" {
		list = []string{r.Category}
	}
	return list
}

// jsonLineError names what is wrong with a line of JSON Lines, and says so
// when the whole file is one JSON value spread over lines.
// whole is the whole source when known.
func jsonLineError(whole []byte, source string, line int, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) && line == 1 && whole != nil && json.Valid(whole) {
		return &ParseError{Source: source, Line: 1, Msg: "one JSON object, not a listing: expected JSON Lines (one paper object per line), " +
			"a JSON array of paper objects, or the Hugging Face daily_papers array"}
	}
	msg := "invalid JSON: " + jsonErr(err)
	if se != nil {
		msg = fmt.Sprintf("invalid JSON at column %d: %s", se.Offset, jsonErr(err))
	}
	return &ParseError{Source: source, Line: line, Msg: msg}
}

func jsonErr(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Type != nil {
		// not Go's words ("cannot unmarshal array into Go struct field
		// hfItem.paper of type struct {...}")
		what := "the record"
		if te.Field != "" {
			what = fmt.Sprintf("field %q", te.Field)
		}
		return fmt.Sprintf("%s is %s where %s belongs", what, jsonValue(te.Value), goKindJSON(te.Type.Kind()))
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

// jsonValue names a kind of JSON value (as UnmarshalTypeError.Value gives it).
func jsonValue(v string) string {
	switch {
	case v == "array" || v == "object":
		return "an " + v
	case strings.HasPrefix(v, "number"):
		return "a number"
	case v == "string":
		return "text"
	case v == "bool":
		return "true or false"
	}
	return v
}

// goKindJSON names the JSON value a Go kind reads.
func goKindJSON(k reflect.Kind) string {
	switch k {
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.String:
		return "text"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8,
		reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return "a number"
	}
	return "another value"
}

// jsonArray walks a JSON array, calling fn with each element and the line it
// starts on. A syntax error fails with its line.
func jsonArray(data []byte, source string, fn func(raw json.RawMessage, line int) error) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	fail := func(err error) error {
		off := int(dec.InputOffset())
		var se *json.SyntaxError
		if errors.As(err, &se) {
			off = int(se.Offset)
		}
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return &ParseError{Source: source, Line: lineAt(data, len(data)), Msg: "the JSON ends early (truncated?)"}
		}
		return &ParseError{Source: source, Line: lineAt(data, off), Msg: "invalid JSON: " + jsonErr(err)}
	}
	tok, err := dec.Token()
	if err != nil {
		return fail(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return &ParseError{Source: source, Line: 1, Msg: "expected a JSON array"}
	}
	for dec.More() {
		start := int(dec.InputOffset())
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return fail(err)
		}
		// the element starts after the comma and white space
		line := lineAt(data, start+firstNonSpaceOrComma(data[start:]))
		if len(raw) > MaxRecordBytes {
			return &ParseError{Source: source, Line: line, Msg: fmt.Sprintf("an element larger than %s: this is not a listing", sizeString(MaxRecordBytes))}
		}
		if err := fn(raw, line); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return fail(err)
	}
	if _, err := dec.Token(); err == nil {
		return &ParseError{Source: source, Line: lineAt(data, int(dec.InputOffset())), Msg: "more JSON after the array"}
	}
	return nil
}

func firstNonSpaceOrComma(b []byte) int {
	for i, c := range b {
		if c != ',' && !isSpaceByte(c) {
			return i
		}
	}
	return 0
}

// parseJSONArray reads a JSON array of paper objects (the JSON Lines
// records, in one array).
func parseJSONArray(data []byte, source string) (*Listing, error) {
	l := &Listing{}
	n := 0
	err := jsonArray(data, source, func(raw json.RawMessage, line int) error {
		n++
		where := fmt.Sprintf("item %d", n)
		var jr jsonRecord
		if err := json.Unmarshal(raw, &jr); err != nil {
			l.Skipped = append(l.Skipped, Skip{Line: line, Reason: fmt.Sprintf("%s is not a paper object: %s", where, jsonErr(err))})
			return nil
		}
		p, reason := jr.paper(where)
		if reason != "" {
			l.Skipped = append(l.Skipped, Skip{Line: line, Reason: reason})
			return nil
		}
		if err := checkNUL(&p.Paper, source, line); err != nil {
			return err
		}
		p.Line = line
		l.Papers = append(l.Papers, p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}

// paper converts a JSON record, or says why it is skipped.
func (r *jsonRecord) paper(where string) (Record, string) {
	var rec record
	id, err := idString(r.ID)
	if err != nil {
		return Record{}, fmt.Sprintf("%s: %v", where, err)
	}
	rec.ID = id
	if r.Title != nil {
		rec.Title = *r.Title
	}
	switch {
	case r.Abstract != nil:
		rec.Abstract = *r.Abstract
	case r.Summary != nil:
		rec.Abstract = *r.Summary
	}
	if rec.Authors, err = authorList(r.Authors); err != nil {
		return Record{}, fmt.Sprintf("%s (%s): %v", where, name(rec.ID, rec.Title), err)
	}
	rec.Date, rec.URL, rec.Category, rec.DOI, rec.Journal = r.Date, r.URL, r.Category, r.DOI, r.Journal
	if rec.Category == "" && len(r.Categories) > 0 {
		rec.Category = firstCategory(r.Categories)
	}
	return rec.paper(where)
}

// firstCategory reads ["cs.CL", ...] or "cs.CL cs.AI".
func firstCategory(raw json.RawMessage) string {
	var list []string
	if json.Unmarshal(raw, &list) == nil && len(list) > 0 {
		return strings.TrimSpace(list[0])
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if f := strings.Fields(s); len(f) > 0 {
			return f[0]
		}
	}
	return ""
}

// paper converts a record, or says why it is skipped.
func (r *record) paper(where string) (Record, string) {
	p := Record{Paper: paper.Paper{ID: r.ID, Title: r.Title, Abstract: r.Abstract, Authors: r.Authors}}
	if blank(p.Title) {
		return p, fmt.Sprintf("%s (%s) has no title", where, name(r.ID, ""))
	}
	if blank(p.Abstract) {
		return p, fmt.Sprintf("%s (%s) has no abstract", where, name(r.ID, r.Title))
	}
	p.Date = isoDate(r.Date)
	p.URL = strings.TrimSpace(r.URL)
	p.Category = strings.TrimSpace(r.Category)
	p.DOI = paper.NormalizeDOI(r.DOI)
	p.Journal = strings.Join(strings.Fields(r.Journal), " ")
	finish(&p.Paper)
	return p, ""
}

func idString(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	if n := len(raw); n >= 2 && raw[0] == '"' && raw[n-1] == '"' && bytes.IndexByte(raw, '\\') < 0 {
		return string(raw[1 : n-1]), nil // a string without escapes: as it is
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, nil
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err == nil {
		return n.String(), nil
	}
	return "", fmt.Errorf("id must be a string or a number, not %s", short(string(raw)))
}

// authorList accepts ["A", "B"], [{"name": "A"}], or "A; B" / "A, B".
func authorList(raw json.RawMessage) ([]string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var names []string
	if err := json.Unmarshal(raw, &names); err == nil {
		return cleanNames(names), nil
	}
	var objs []struct {
		Name string `json:"name"`
	}
	if err := json.Unmarshal(raw, &objs); err == nil {
		names = nil // what the failed decode left
		for _, o := range objs {
			names = append(names, o.Name)
		}
		return cleanNames(names), nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return SplitAuthors(s), nil
	}
	return nil, fmt.Errorf("authors must be a list of names or a string")
}

// SplitAuthors splits "A; B" (or "A, B" when there is no semicolon) into names.
func SplitAuthors(s string) []string {
	sep := ";"
	if !strings.Contains(s, ";") {
		sep = ","
	}
	return cleanNames(strings.Split(s, sep))
}

func cleanNames(names []string) []string {
	out := names[:0]
	for _, n := range names {
		if n = clean(n); n != "" {
			out = append(out, n)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// isoDate reads a date as YYYY-MM-DD, or "" when it is not one.
func isoDate(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if len(s) >= 10 && s[4] == '-' && s[7] == '-' {
		if t, err := time.Parse("2006-01-02", s[:10]); err == nil {
			return t.Format("2006-01-02")
		}
	}
	for _, layout := range []string{time.RFC1123Z, time.RFC1123, "Jan 2, 2006", "January 2, 2006", "2 Jan 2006", "2 January 2006", "2006/01/02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format("2006-01-02")
		}
	}
	return ""
}
