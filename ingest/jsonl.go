package ingest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// jsonRecord is a paper as JSON Lines (and CSV) give it. Fields beyond these
// are ignored.
type jsonRecord struct {
	ID         json.RawMessage `json:"id"`
	Title      *string         `json:"title"`
	Abstract   *string         `json:"abstract"`
	Summary    *string         `json:"summary"`
	Authors    json.RawMessage `json:"authors"`
	Date       string          `json:"date"`
	URL        string          `json:"url"`
	Category   string          `json:"category"`
	Categories []string        `json:"categories"`
}

func parseJSONL(data []byte, source string) (*Listing, error) {
	l := &Listing{}
	line := 0
	for len(data) > 0 {
		var raw []byte
		raw, data, _ = bytes.Cut(data, []byte("\n"))
		line++
		raw = bytes.TrimSpace(raw)
		if len(raw) == 0 {
			continue
		}
		if len(raw) > MaxRecordBytes {
			return nil, &ParseError{Source: source, Line: line, Msg: "a line longer than 10 MB: this is not a JSON Lines listing"}
		}
		if raw[0] != '{' {
			return nil, &ParseError{Source: source, Line: line, Msg: "expected a JSON object on every line (JSON Lines: one paper per line)"}
		}
		var r jsonRecord
		if err := json.Unmarshal(raw, &r); err != nil {
			return nil, &ParseError{Source: source, Line: line, Msg: "invalid JSON: " + jsonErr(err)}
		}
		p, reason := r.paper()
		if reason != "" {
			l.Skipped = append(l.Skipped, Skip{Line: line, Reason: fmt.Sprintf("line %d: %s", line, reason)})
			continue
		}
		p.Line = line
		l.Papers = append(l.Papers, p)
	}
	return l, nil
}

func jsonErr(err error) string {
	s := err.Error()
	return strings.TrimPrefix(s, "json: ")
}

// paper converts a record, or says why it is skipped.
func (r *jsonRecord) paper() (Paper, string) {
	var p Paper
	id, err := idString(r.ID)
	if err != nil {
		return p, err.Error()
	}
	p.ID = id
	if r.Title != nil {
		p.Title = *r.Title
	}
	switch {
	case r.Abstract != nil:
		p.Abstract = *r.Abstract
	case r.Summary != nil:
		p.Abstract = *r.Summary
	}
	name := p.ID
	if name == "" {
		name = short(clean(p.Title))
	}
	if clean(p.Title) == "" {
		return p, fmt.Sprintf("record %q has no title", name)
	}
	if clean(p.Abstract) == "" {
		return p, fmt.Sprintf("record %q has no abstract", name)
	}
	if p.Authors, err = authorList(r.Authors); err != nil {
		return p, fmt.Sprintf("record %q: %v", name, err)
	}
	p.Date = isoDate(r.Date)
	p.URL = strings.TrimSpace(r.URL)
	p.Category = r.Category
	if p.Category == "" && len(r.Categories) > 0 {
		p.Category = r.Categories[0]
	}
	finish(&p)
	return p, ""
}

func idString(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
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
	for _, layout := range []string{"2006-01-02", time.RFC3339, "2006-01-02T15:04:05.000Z", "2006-01-02 15:04:05", "Jan 2, 2006", "January 2, 2006", "2 Jan 2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format("2006-01-02")
		}
	}
	if len(s) >= 10 {
		if t, err := time.Parse("2006-01-02", s[:10]); err == nil {
			return t.Format("2006-01-02")
		}
	}
	if _, err := strconv.Atoi(s); err == nil && len(s) == 4 {
		return "" // a bare year is not a date
	}
	return ""
}
