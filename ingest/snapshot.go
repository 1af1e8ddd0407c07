package ingest

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/papersift/papersift/internal/latex"
	"github.com/papersift/papersift/paper"
)

// The arxiv-snapshot format: arXiv's metadata snapshot as Kaggle publishes
// it (arxiv-metadata-oai-snapshot.json), one JSON object per line:
//
//	{"id": "0704.0001", "submitter": "Pavel Nadolsky",
//	 "authors": "C. Bal\\'azs, E. L. Berger, P. M. Nadolsky, C.-P. Yuan",
//	 "title": "Calculation of prompt diphoton production cross sections at Tevatron and\n  LHC energies",
//	 "comments": "37 pages, 15 figures", "journal-ref": "Phys.Rev.D76:013009,2007",
//	 "doi": "10.1103/PhysRevD.76.013009", "report-no": "ANL-HEP-PR-07-12",
//	 "categories": "hep-ph", "license": null, "abstract": "  A fully differential ...\n",
//	 "versions": [{"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"}, ...],
//	 "update_date": "2008-11-13",
//	 "authors_parsed": [["Balázs", "C.", ""], ["Berger", "E. L.", ""], ...]}
//
// A paper is: the id without version (new 2405.12345 and old hep-ph/0307015
// ids alike) and its abs page; the title with its LaTeX decoded (accents,
// special letters, text commands; math is kept as written); the abstract
// with its white space collapsed; the authors from authors_parsed as
// "First Last Suffix", LaTeX decoded (else from authors, split at commas
// and "and"); the day of the first version (else update_date); the first
// category as the primary one; the DOI (the first, normalised) and the
// journal reference. submitter, comments, report-no and license are not
// kept.

// snapshotRecord is the part of a snapshot record that is kept.
type snapshotRecord struct {
	ID            string            `json:"id"`
	Authors       string            `json:"authors"`
	Title         string            `json:"title"`
	JournalRef    string            `json:"journal-ref"`
	DOI           string            `json:"doi"`
	Categories    string            `json:"categories"`
	Abstract      string            `json:"abstract"`
	Versions      []snapshotVersion `json:"versions"`
	UpdateDate    string            `json:"update_date"`
	AuthorsParsed [][]string        `json:"authors_parsed"`
}

type snapshotVersion struct {
	Created string `json:"created"`
}

// snapshotLine parses a line of the arXiv metadata snapshot.
func (st *stream) snapshotLine(raw []byte, line int, c *chunk, res *chunkResult) error {
	if raw[0] != '{' {
		return &ParseError{Source: st.src, Line: line, Msg: "expected a JSON object on every line (arXiv's metadata snapshot: one paper per line)"}
	}
	var f snapshotFields
	if !scanSnapshot(raw, &f, &res.scratch) {
		var err error
		if f, err = decodeSnapshot(raw); err != nil {
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) {
				res.skips = append(res.skips, Skip{Line: line, Reason: fmt.Sprintf("line %d: field %q is a JSON %s, not a %s", line, te.Field, te.Value, te.Type)})
				return nil
			}
			var whole []byte
			if c.line == 1 && c.last {
				whole = c.data
			}
			return jsonLineError(whole, st.src, line, err)
		}
	}
	date := versionDay(f.created)
	if date == "" {
		date = isoDate(f.updateDate)
	}
	if !st.filter.keepDate(date) || !st.filter.keepCategories(f.categories) {
		res.filtered++
		return nil
	}
	p, reason := f.paper(line, date)
	if reason != "" {
		res.skips = append(res.skips, Skip{Line: line, Reason: reason})
		return nil
	}
	if err := checkNUL(&p.Paper, st.src, line); err != nil {
		return err
	}
	res.add(p)
	return nil
}

// decodeSnapshot decodes a line the scanner does not take with
// encoding/json, whose errors name the field and column.
func decodeSnapshot(raw []byte) (snapshotFields, error) {
	var r snapshotRecord
	if err := json.Unmarshal(raw, &r); err != nil {
		return snapshotFields{}, err
	}
	return r.fields(), nil
}

// paper converts a snapshot record of the given date, or says why it is
// skipped.
func (f *snapshotFields) paper(line int, date string) (Record, string) {
	title := decodeLaTeX(f.title)
	if blank(title) {
		return Record{}, fmt.Sprintf("line %d (%s) has no title", line, name(f.id, ""))
	}
	abstract := f.abstract
	if !f.cleaned {
		abstract = clean(abstract)
	}
	if blank(abstract) {
		return Record{}, fmt.Sprintf("line %d (%s) has no abstract", line, name(f.id, title))
	}
	p := Record{Line: line}
	p.Title, p.Abstract, p.Date = title, abstract, date
	p.ID, p.ArxivID = snapshotID(f.id)
	if p.ID == "" {
		p.ID, p.DerivedID = paper.TitleID(p.Title), true
	}
	if p.ArxivID != "" {
		p.URL = "https://arxiv.org/abs/" + p.ArxivID
	}
	p.Authors = snapshotAuthors(f.names, f.authorsString)
	if n := len(p.Authors); n > 0 {
		p.NAuthors = &n
	}
	p.Category = firstField(f.categories)
	p.DOI = paper.NormalizeDOI(firstField(f.doi))
	p.Journal = clean(f.journal)
	return p, ""
}

// snapshotID is a snapshot id without its version, and the arXiv id it is.
func snapshotID(id string) (string, string) {
	id = strings.TrimSpace(id)
	if newArxivID(id) { // most of them: no need for paper's regular expressions
		return id, id
	}
	id = paper.NormalizeID(id)
	return id, paper.ArxivID(id)
}

// newArxivID reports whether s is a new-style arXiv id without version
// (0704.0001, 2405.12345).
func newArxivID(s string) bool {
	if (len(s) != 9 && len(s) != 10) || s[4] != '.' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if i != 4 && (s[i] < '0' || s[i] > '9') {
			return false
		}
	}
	return true
}

// snapshotAuthors are the names of authors_parsed ("First Last Suffix"),
// else of the authors string (split at commas and "and"), LaTeX decoded.
func snapshotAuthors(parsed []string, authorsString func() string) []string {
	var names []string
	for _, a := range parsed {
		if a = decodeLaTeX(a); a != "" {
			if names == nil {
				names = make([]string, 0, len(parsed))
			}
			names = append(names, a)
		}
	}
	if len(names) > 0 {
		return names
	}
	authors := authorsString()
	if strings.TrimSpace(authors) == "" {
		return nil
	}
	s := decodeLaTeX(authors)
	s = strings.ReplaceAll(s, " and ", ", ")
	return cleanNames(strings.Split(s, ","))
}

// decodeLaTeX is latex.Decode, without its work on text that holds no
// LaTeX (most titles and names): ASCII without \ { } $ ~ and without a
// doubled - ` or ', which Decode only collapses the white space of.
func decodeLaTeX(s string) string {
	switch plainLaTeX(s) {
	case asciiText:
		return clean(s)
	case unicodeText:
		if norm.NFC.IsNormalString(s) {
			return clean(s) // what Decode gives: its NFC form, collapsed
		}
	}
	return latex.Decode(s)
}

// Kinds of text for decodeLaTeX.
const (
	latexText   = iota // LaTeX that Decode decodes
	asciiText          // ASCII text that Decode only collapses
	unicodeText        // text that Decode only puts in NFC and collapses
)

// plainLaTeX tells text without LaTeX (no \ { } $ ~, no doubled - ` or ')
// from LaTeX.
func plainLaTeX[S string | []byte](s S) int {
	kind := asciiText
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\', '{', '}', '$', '~':
			return latexText
		case '-', '`', '\'':
			if i+1 < len(s) && s[i+1] == c {
				return latexText
			}
		default:
			if c >= utf8.RuneSelf {
				kind = unicodeText
			}
		}
	}
	return kind
}

// firstField is the first word of s (a list separated by white space).
func firstField(s string) string {
	i := 0
	for i < len(s) && isSpaceByte(s[i]) {
		i++
	}
	j := i
	for j < len(s) && !isSpaceByte(s[j]) {
		j++
	}
	return s[i:j]
}

var months = [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// versionDay reads the day of a version's "created" ("Mon, 2 Apr 2007
// 19:18:42 GMT") as YYYY-MM-DD, or "" when it is no date.
func versionDay(s string) string {
	_, rest, ok := strings.Cut(s, ", ")
	if !ok {
		return isoDate(s)
	}
	// rest: "2 Apr 2007 19:18:42 GMT"
	d, i := 0, 0
	for i < len(rest) && i < 2 && rest[i] >= '0' && rest[i] <= '9' {
		d = d*10 + int(rest[i]-'0')
		i++
	}
	if i == 0 || len(rest) < i+9 || rest[i] != ' ' || rest[i+4] != ' ' || (len(rest) > i+9 && rest[i+9] != ' ') {
		return isoDate(s)
	}
	m := 0
	for k, name := range months {
		if rest[i+1:i+4] == name {
			m = k + 1
		}
	}
	y := 0
	for _, c := range []byte(rest[i+5 : i+9]) {
		if c < '0' || c > '9' {
			return ""
		}
		y = y*10 + int(c-'0')
	}
	if m == 0 || d < 1 || d > time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day() {
		return ""
	}
	b := []byte("0000-00-00")
	b[0], b[1], b[2], b[3] = byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10)
	b[5], b[6] = byte('0'+m/10), byte('0'+m%10)
	b[8], b[9] = byte('0'+d/10), byte('0'+d%10)
	return string(b)
}
