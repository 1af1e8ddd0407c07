// Package refs reads the reference lists a reader already keeps (a BibTeX
// file, RIS, a Zotero CSV export, a plain list of arXiv ids, DOIs and
// titles) and papersift's own profile file, into Entries that can be
// matched against stored papers by arXiv id, DOI or title; and it writes
// the profile file and BibTeX.
//
// Parse detects the format; ParseBibTeX, ParseRIS, ParseCSV, ParseList and
// ParseProfile read one format each. A file that is not of its format, or
// is broken (an unclosed brace, an unterminated string, a RIS record
// without ER, a CSV without a Title column), is a *ParseError naming the
// file and line and saying what to do; nothing of it is returned. Inside a
// valid file, an entry without any identity (no arXiv id, no DOI, no title)
// is reported in File.Skipped with its line.
package refs

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/papersift/papersift/internal/lazyre"

	"github.com/papersift/papersift/paper"
)

// Format is a kind of reference file.
type Format string

// The formats Parse detects.
const (
	FormatBibTeX  Format = "bibtex"
	FormatRIS     Format = "ris"
	FormatCSV     Format = "csv"     // a Zotero CSV export, or any CSV with a Title column
	FormatList    Format = "list"    // one arXiv id, DOI, arXiv/DOI link or title per line
	FormatProfile Format = "profile" // papersift's own profile file
)

// Rating is the reader's feedback on a paper of a profile file.
type Rating string

// The ratings a profile file holds.
const (
	Like    Rating = "like"
	Dislike Rating = "dislike"
	Read    Rating = "read"
)

// Entry is one reference: what matching it to a stored paper, or adding it
// as a new paper, needs.
type Entry struct {
	Key  string // the file's own key: BibTeX cite key, RIS ID, Zotero key, a profile paper's id
	Line int    // the line where the entry starts, 1-based
	Type string // the file's kind of reference (article, misc, JOUR, journalArticle...), if any

	ArxivID  string   // without version (paper.ArxivID), "" when unknown
	DOI      string   // lowercase, without https://doi.org/ (NormalizeDOI), "" when unknown
	Title    string   // plain text: LaTeX decoded, white space collapsed
	Abstract string   // plain text, "" when there is none
	Authors  []string // "First Last" each
	Year     string   // "2017", "" when unknown
	Date     string   // "2017-06-12" when the day is known, else ""
	URL      string
	Category string // the arXiv primary category (cs.CL), when the file says

	// Profile files only.
	ID     string   // papersift's id of the paper
	Org    string   // organisation
	Links  []string // project pages, code
	Rating Rating   // which list of the profile the paper is in
	At     string   // when it was rated, as the profile says
}

// Identified reports whether the entry has something to match by: an
// arXiv id, a DOI or a title with a letter or digit (or, in a profile, an
// id).
func (e *Entry) Identified() bool {
	return e.ArxivID != "" || e.DOI != "" || paper.TitleKey(e.Title) != "" || e.ID != ""
}

// Name is how messages name the entry: its title, else its key (a list's
// line, a cite key), else its arXiv id or DOI.
func (e *Entry) Name() string {
	for _, s := range []string{e.Title, e.Key, e.ArxivID, e.DOI, e.ID} {
		if s != "" {
			return s
		}
	}
	return fmt.Sprintf("the entry of line %d", e.Line)
}

// Skip is an entry left out because it has no identity.
type Skip struct {
	Line   int
	Key    string
	Reason string
}

// Interest is a free-text interest of a profile file.
type Interest struct {
	Text string
	At   string // when it was added, as the profile says
	Line int
}

// File is a parsed reference file.
type File struct {
	Name      string
	Format    Format
	Entries   []Entry    // in file order; in a profile, likes, then dislikes, then read
	Skipped   []Skip     // entries without an arXiv id, a DOI or a title
	Interests []Interest // profile files only
}

// ParseError is a file that cannot be read as its format.
type ParseError struct {
	Source string
	Line   int // 0 when it concerns the whole file
	Msg    string
}

func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Source, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Source, e.Msg)
}

// Parse reads a reference file of any format, which it detects from the
// content (see Detect). name is the file's name in messages.
func Parse(data []byte, name string) (*File, error) {
	data, name, err := prepare(data, name)
	if err != nil {
		return nil, err
	}
	switch Detect(data) {
	case FormatProfile:
		p, err := ParseProfile(data, name)
		if err != nil {
			return nil, err
		}
		return p.File(name), nil
	case FormatBibTeX:
		return ParseBibTeX(data, name)
	case FormatRIS:
		return ParseRIS(data, name)
	case FormatCSV:
		return ParseCSV(data, name)
	default:
		return ParseList(data, name)
	}
}

var (
	bibEntryRe = lazyre.New(`(?m)^[ \t]*@[ \t]*[A-Za-z]+[ \t]*[{(]`)
	risTagRe   = lazyre.New(`^[A-Z][A-Z0-9] {1,2}-( |$)`)
)

// Detect names the format of a file by its content: JSON (an object) is a
// profile; a TY line among the first non-blank lines is RIS; a first line
// that is a CSV header naming a known column (Title, DOI, Key, Item
// Type...) is CSV; a line starting with @type{ is BibTeX; anything else is
// a plain list.
func Detect(data []byte) Format {
	data = bytes.TrimPrefix(data, []byte(bom))
	t := bytes.TrimLeftFunc(data, unicode.IsSpace)
	if len(t) > 0 && (t[0] == '{' || t[0] == '[') {
		return FormatProfile
	}
	lines := 0
	for _, l := range strings.SplitN(string(t), "\n", 12) {
		l = strings.TrimRight(l, "\r")
		if strings.TrimSpace(l) == "" {
			continue
		}
		if strings.HasPrefix(l, "TY ") && risTagRe.MatchString(l) {
			return FormatRIS
		}
		if lines++; lines > 5 {
			break
		}
	}
	if isCSVHeader(firstLine(t)) {
		return FormatCSV
	}
	if bibEntryRe.Match(t) {
		return FormatBibTeX
	}
	return FormatList
}

const bom = "\xef\xbb\xbf"

// prepare checks that data is text and drops a BOM.
func prepare(data []byte, name string) ([]byte, string, error) {
	if name == "" {
		name = "input"
	}
	if bytes.HasPrefix(data, []byte{0xff, 0xfe}) || bytes.HasPrefix(data, []byte{0xfe, 0xff}) {
		return nil, name, &ParseError{Source: name, Line: 1, Msg: "UTF-16 text: save the file as UTF-8"}
	}
	data = bytes.TrimPrefix(data, []byte(bom))
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return nil, name, &ParseError{Source: name, Line: lineAt(data, i), Msg: fmt.Sprintf("NUL byte at byte %d: this is binary data, not a reference list", i)}
	}
	if !utf8.Valid(data) {
		i := 0
		for i < len(data) {
			r, n := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			i += n
		}
		return nil, name, &ParseError{Source: name, Line: lineAt(data, i), Msg: fmt.Sprintf("invalid UTF-8 at byte %d: save the file as UTF-8 text (your reference manager's export has an encoding option)", i)}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, name, &ParseError{Source: name, Msg: "the file is empty: nothing to import"}
	}
	return data, name, nil
}

// lineAt is the 1-based line of byte offset i.
func lineAt(data []byte, i int) int {
	return bytes.Count(data[:min(i, len(data))], []byte("\n")) + 1
}

// lineIndex finds the line of byte offsets in one text.
type lineIndex []int // offsets where lines start

func newLineIndex(data []byte) lineIndex {
	idx := lineIndex{0}
	for i, c := range data {
		if c == '\n' {
			idx = append(idx, i+1)
		}
	}
	return idx
}

func (x lineIndex) line(off int) int {
	return sort.Search(len(x), func(i int) bool { return x[i] > off })
}

func firstLine(t []byte) string {
	if i := bytes.IndexByte(t, '\n'); i >= 0 {
		t = t[:i]
	}
	return strings.TrimRight(string(t), "\r")
}

// add adds e to f, or to f.Skipped when it has no identity.
func (f *File) add(e Entry) {
	e.Authors = cleanList(e.Authors)
	if !e.Identified() {
		what := "entry"
		if e.Key != "" {
			what = fmt.Sprintf("entry %q", e.Key)
		}
		f.Skipped = append(f.Skipped, Skip{Line: e.Line, Key: e.Key, Reason: what + " has no title, DOI or arXiv id"})
		return
	}
	f.Entries = append(f.Entries, e)
}

// empty is the error of a file without any entry.
func (f *File) empty(what string) error {
	if len(f.Entries)+len(f.Skipped) > 0 {
		return nil
	}
	return &ParseError{Source: f.Name, Msg: "no " + what + " in it: nothing to import"}
}

func cleanList(xs []string) []string {
	var out []string
	for _, x := range xs {
		if x = collapse(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// collapse turns runs of white space into single spaces and trims.
func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

// NormalizeDOI is paper.NormalizeDOI.
func NormalizeDOI(s string) string { return paper.NormalizeDOI(s) }

var (
	arxivInURL  = lazyre.New(`(?i)arxiv\.org/(?:abs|pdf|html|format|ps)/([a-z][a-z.-]*/\d{7}|\d{4}\.\d{4,5})`)
	arxivInText = lazyre.New(`(?i)\barxiv(?:\s+preprint)?\s*(?:[:/]|\s)\s*(?:arxiv\s*:\s*)?([a-z][a-z.-]*/\d{7}|\d{4}\.\d{4,5})`)
	arxivDOI    = lazyre.New(`^10\.48550/arxiv\.(.+)$`)
	corrVolume  = lazyre.New(`(?i)^abs/(\d{4}\.\d{4,5}|[a-z][a-z.-]*/\d{7})$`)
)

// findArxiv returns the arXiv id s is or mentions ("1706.03762v2",
// "arXiv:1706.03762", "arXiv preprint arXiv:1706.03762", an arxiv.org link,
// the arXiv DOI 10.48550/arXiv.1706.03762), or "".
func findArxiv(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 100000 {
		return ""
	}
	if id := paper.ArxivID(s); id != "" {
		return id
	}
	if m := arxivDOI.FindStringSubmatch(NormalizeDOI(s)); m != nil {
		return paper.ArxivID(m[1])
	}
	if m := corrVolume.FindStringSubmatch(s); m != nil {
		return paper.ArxivID(m[1])
	}
	for _, re := range []*lazyre.Regexp{arxivInURL, arxivInText} {
		if m := re.FindStringSubmatch(s); m != nil {
			if id := paper.ArxivID(m[1]); id != "" {
				return id
			}
		}
	}
	return ""
}

var catRe = lazyre.New(`^[a-z-]+(?:\.[A-Za-z-]+)?$`)

// arxivCategory returns s when it looks like an arXiv category (cs.CL,
// hep-th, math.AG).
func arxivCategory(s string) string {
	s = strings.TrimSpace(s)
	if len(s) <= 20 && catRe.MatchString(s) {
		return s
	}
	return ""
}

// personName turns "Last, First" (and "Last, Jr., First") into "First
// Last"; other names are kept.
func personName(s string) string {
	parts := strings.Split(s, ",")
	for i := range parts {
		parts[i] = collapse(parts[i])
	}
	switch len(parts) {
	case 1:
		return parts[0]
	case 2:
		return collapse(parts[1] + " " + parts[0])
	default:
		return collapse(strings.Join(parts[2:], " ") + " " + parts[0] + " " + parts[1])
	}
}

var months = map[string]string{
	"jan": "01", "feb": "02", "mar": "03", "apr": "04", "may": "05", "jun": "06",
	"jul": "07", "aug": "08", "sep": "09", "oct": "10", "nov": "11", "dec": "12",
}

var (
	yearRe = lazyre.New(`\b(1[5-9]\d\d|2\d\d\d)\b`)
	dateRe = lazyre.New(`^(\d{4})[-/](\d{1,2})(?:[-/](\d{1,2}))?`)
)

// dateOf reads a year, month and day as files give them ("2017", "jun",
// "June", "6", "12") into Year and a full Date (only when the day is known
// and the date exists).
func dateOf(year, month, day string) (string, string) {
	y := ""
	if m := yearRe.FindStringSubmatch(year); m != nil {
		y = m[1]
	}
	if y == "" {
		return "", ""
	}
	mo := strings.ToLower(strings.TrimSpace(month))
	if len(mo) >= 3 {
		mo = months[mo[:3]]
	} else if n := atoi(mo); n >= 1 && n <= 12 {
		mo = fmt.Sprintf("%02d", n)
	} else {
		mo = ""
	}
	d := atoi(strings.TrimSpace(day))
	if mo == "" || d < 1 || d > daysIn(atoi(y), atoi(mo)) {
		return y, ""
	}
	return y, fmt.Sprintf("%s-%s-%02d", y, mo, d)
}

// isoDate reads "2017-06-12", "2017/06/12/", "2017-06" or "2017".
func isoDate(s string) (string, string) {
	s = strings.TrimSpace(s)
	if m := dateRe.FindStringSubmatch(s); m != nil {
		return dateOf(m[1], m[2], m[3])
	}
	return dateOf(s, "", "")
}

func atoi(s string) int {
	if s == "" || len(s) > 4 {
		return -1
	}
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return -1
		}
		n = n*10 + int(c-'0')
	}
	return n
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
