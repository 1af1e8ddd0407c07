// Package ingest reads listings of papers (a Hugging Face Daily Papers page
// as a browser copies it, JSON Lines, and more) into Papers.
//
// A file that is not of the format at all is an error (*ParseError, naming
// the source and line); inside a valid file, a record that lacks a title or
// an abstract is skipped and reported in Listing.Skipped.
package ingest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Paper is one record of a listing.
type Paper struct {
	ID        string // as the source gives it (arXiv ids without version), or derived from the title
	DerivedID bool   // the source had no id: ID is TitleID(Title)
	ArxivID   string
	Title     string
	Abstract  string
	Authors   []string
	NAuthors  *int
	Org       string
	Date      string // YYYY-MM-DD or ""
	Comments  *int
	Upvotes   *int
	URL       string
	Category  string
	Links     []string
	Line      int // line of the source where the record starts
}

// Skip is a record left out of a listing, and why.
type Skip struct {
	Line   int
	Reason string
}

// Listing is a parsed source.
type Listing struct {
	Source  string // file name, "-" or URL, as given
	Format  string
	Date    string // the listing's own date (YYYY-MM-DD), when it has one
	Papers  []Paper
	Skipped []Skip
}

// ParseError is a source that cannot be read as its format.
type ParseError struct {
	Source string
	Line   int // 0 when it concerns the whole source
	Msg    string
}

func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Source, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Source, e.Msg)
}

// Formats are the format names Parse takes besides "auto".
var Formats = []string{"hf-page", "jsonl"}

// MaxRecordBytes caps one record (a line of JSON Lines, a paragraph of a page).
const MaxRecordBytes = 10 << 20

// Parse reads a whole source in the given format ("auto" or "" detects it).
func Parse(r io.Reader, source, format string) (*Listing, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, &ParseError{Source: source, Msg: fmt.Sprintf("cannot read: %v", err)}
	}
	return ParseBytes(data, source, format)
}

// ParseBytes parses a source held in memory.
func ParseBytes(data []byte, source, format string) (*Listing, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a BOM
	if err := checkText(data, source); err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &ParseError{Source: source, Msg: "the file is empty: nothing to ingest"}
	}
	if format == "" || format == "auto" {
		f, err := Detect(data)
		if err != nil {
			return nil, &ParseError{Source: source, Msg: err.Error()}
		}
		format = f
	}
	var l *Listing
	var err error
	switch format {
	case "hf-page":
		l, err = parseHFPage(data, source)
	case "jsonl":
		l, err = parseJSONL(data, source)
	default:
		return nil, fmt.Errorf("unknown format %q (formats: auto, %s)", format, strings.Join(Formats, ", "))
	}
	if err != nil {
		return nil, err
	}
	l.Source, l.Format = source, format
	if len(l.Papers) == 0 {
		msg := "no papers found"
		line := 0
		if len(l.Skipped) > 0 {
			msg = fmt.Sprintf("no usable papers: every record was skipped (first: %s)", l.Skipped[0].Reason)
			line = l.Skipped[0].Line
		}
		return nil, &ParseError{Source: source, Line: line, Msg: msg}
	}
	return l, nil
}

// checkText rejects data that is not UTF-8 text, naming the first bad line.
func checkText(data []byte, source string) error {
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return &ParseError{Source: source, Line: lineAt(data, i), Msg: "NUL byte: this is binary data, not a listing"}
	}
	if !utf8.Valid(data) {
		i := 0
		for i < len(data) {
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			i += size
		}
		return &ParseError{Source: source, Line: lineAt(data, i), Msg: "invalid UTF-8: save the file as UTF-8 text"}
	}
	return nil
}

func lineAt(data []byte, off int) int {
	return bytes.Count(data[:off], []byte("\n")) + 1
}

// Detect names the format of data by its content.
func Detect(data []byte) (string, error) {
	t := bytes.TrimSpace(data)
	switch {
	case len(t) == 0:
		return "", errors.New("the file is empty")
	case t[0] == '{':
		return "jsonl", nil
	case t[0] == '[':
		return "", errors.New("a JSON array is not a supported listing yet (formats: " + strings.Join(Formats, ", ") + ")")
	case t[0] == '<':
		return "", errors.New("XML/HTML is not a supported listing yet (formats: " + strings.Join(Formats, ", ") + ")")
	}
	if hfMetaRe.Match(data) {
		return "hf-page", nil
	}
	return "", fmt.Errorf("cannot tell the format from the content: pass --format (one of %s)", strings.Join(Formats, ", "))
}

var (
	arxivNew = regexp.MustCompile(`^(?i:arxiv:)?(\d{4}\.\d{4,5})(?:v\d+)?$`)
	arxivOld = regexp.MustCompile(`^(?i:arxiv:)?([a-z][a-z-]*(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?$`)
	arxivURL = regexp.MustCompile(`^https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/(.+?)(?:\.pdf)?$`)
)

// ArxivID returns the arXiv id in s without its version ("2405.12345v2",
// "arXiv:2405.12345" and "https://arxiv.org/abs/2405.12345v1" give
// "2405.12345"), or "" when s is not an arXiv id.
func ArxivID(s string) string {
	s = strings.TrimSpace(s)
	if m := arxivURL.FindStringSubmatch(s); m != nil {
		s = m[1]
	}
	if m := arxivNew.FindStringSubmatch(s); m != nil {
		return m[1]
	}
	if m := arxivOld.FindStringSubmatch(s); m != nil {
		return m[1]
	}
	return ""
}

// NormalizeID returns a record's id as stored: trimmed, and for arXiv ids
// without the version.
func NormalizeID(id string) string {
	id = strings.TrimSpace(id)
	if a := ArxivID(id); a != "" {
		return a
	}
	return id
}

// TitleKey is a title normalised for matching: lowercase letters and digits,
// single spaces.
func TitleKey(title string) string {
	var b strings.Builder
	space := false
	for _, r := range title {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(unicode.ToLower(r))
		} else {
			space = true
		}
	}
	return b.String()
}

// TitleID is the stable id of a record without one: "title-" and 12 hex
// digits of the SHA-256 of its TitleKey. Same title, same id, everywhere.
func TitleID(title string) string {
	h := sha256.Sum256([]byte(TitleKey(title)))
	return "title-" + hex.EncodeToString(h[:6])
}

// clean collapses runs of white space into one space and trims.
func clean(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// finish fills the derived fields of a record.
func finish(p *Paper) {
	p.Title, p.Abstract = clean(p.Title), clean(p.Abstract)
	p.ID = NormalizeID(p.ID)
	if p.ArxivID == "" {
		p.ArxivID = ArxivID(p.ID)
	}
	if p.ID == "" {
		p.ID, p.DerivedID = TitleID(p.Title), true
	}
	if p.URL == "" && p.ArxivID != "" {
		p.URL = "https://arxiv.org/abs/" + p.ArxivID
	}
	if p.NAuthors == nil && len(p.Authors) > 0 {
		n := len(p.Authors)
		p.NAuthors = &n
	}
}
