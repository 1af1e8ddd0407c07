package refs

import (
	"fmt"
	"strings"

	"github.com/papersift/papersift/internal/lazyre"

	"github.com/papersift/papersift/internal/latex"
)

// ParseBibTeX reads BibTeX or biblatex as BibTeX itself does: text outside
// entries is a comment; @comment, @preamble and @string are understood
// (@string macros and the month names jan...dec expand, # concatenates);
// entries are delimited by braces or parentheses; values are {braced},
// "quoted" (braces inside count), numbers or macro names. Field names are
// case-insensitive; of a field given twice the first counts.
//
// The arXiv id comes from eprint (with archivePrefix arXiv or none),
// arxivid, an arXiv DOI, an arxiv.org url, or journal, note or
// howpublished text such as Google Scholar's "arXiv preprint
// arXiv:1706.03762", and DBLP's CoRR volume "abs/1706.03762".
//
// An unclosed brace, an unterminated quoted value, a missing comma or an
// entry that is never closed is an error naming the line to fix.
func ParseBibTeX(data []byte, name string) (*File, error) {
	data, name, err := prepare(data, name)
	if err != nil {
		return nil, err
	}
	p := &bibParser{src: string(data), name: name, lines: newLineIndex(data), macros: map[string]string{}}
	f := &File{Name: name, Format: FormatBibTeX}
	for {
		at := strings.IndexByte(p.src[p.i:], '@')
		if at < 0 {
			break
		}
		p.i += at + 1
		start := p.i - 1
		p.space()
		typ := p.word()
		p.space()
		if typ == "" || p.i >= len(p.src) || p.src[p.i] != '{' && p.src[p.i] != '(' {
			continue // an @ in comment text
		}
		switch strings.ToLower(typ) {
		case "comment":
			p.skipGroup()
			continue
		case "preamble":
			if err := p.preamble(start); err != nil {
				return nil, err
			}
			continue
		case "string":
			if err := p.macro(start); err != nil {
				return nil, err
			}
			continue
		}
		e, err := p.entry(typ, start)
		if err != nil {
			return nil, err
		}
		f.add(e)
	}
	if err := f.empty("BibTeX entries"); err != nil {
		return nil, err
	}
	return f, nil
}

type bibParser struct {
	src    string
	i      int
	name   string
	lines  lineIndex
	macros map[string]string
	// read is the bytes of every value read so far, macros expanded
	read int
	// suspect is the last braced value of the entry being read that closed
	// with a brace alone on its line, as entries close: when the entry then
	// does not close, that value's { is the one left open.
	suspect *openValue
}

type openValue struct {
	field string
	open  int
}

func (p *bibParser) line(off int) int { return p.lines.line(off) }

func (p *bibParser) errorf(off int, format string, args ...any) error {
	return &ParseError{Source: p.name, Line: p.line(off), Msg: fmt.Sprintf(format, args...)}
}

func (p *bibParser) space() {
	for p.i < len(p.src) {
		switch p.src[p.i] {
		case ' ', '\t', '\n', '\r', '\f', '\v':
			p.i++
		default:
			return
		}
	}
}

// word reads an entry type: letters only.
func (p *bibParser) word() string {
	start := p.i
	for p.i < len(p.src) && isLetter(p.src[p.i]) {
		p.i++
	}
	return p.src[start:p.i]
}

// ident reads a field or macro name: anything BibTeX allows but the
// characters that delimit.
func (p *bibParser) ident() string {
	start := p.i
	for p.i < len(p.src) && isIdentChar(p.src[p.i]) {
		p.i++
	}
	return p.src[start:p.i]
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func isIdentChar(c byte) bool {
	return c > ' ' && c != 0x7f && !strings.ContainsRune("\"#%'(),={}@", rune(c))
}

// closer is the delimiter that closes an entry opened with open.
func closer(open byte) byte {
	if open == '(' {
		return ')'
	}
	return '}'
}

// skipGroup skips an @comment's balanced group; an unbalanced one is left
// as comment text.
func (p *bibParser) skipGroup() {
	open := p.src[p.i]
	end, depth := closer(open), 0
	for j := p.i; j < len(p.src); j++ {
		switch p.src[j] {
		case open:
			depth++
		case end:
			depth--
			if depth == 0 {
				p.i = j + 1
				return
			}
		}
	}
}

func (p *bibParser) preamble(start int) error {
	end := closer(p.src[p.i])
	p.i++
	if _, err := p.value("@preamble", "preamble", start); err != nil {
		return err
	}
	p.space()
	if p.i >= len(p.src) || p.src[p.i] != end {
		return p.errorf(start, "the @preamble is not closed: add a %c at its end", end)
	}
	p.i++
	return nil
}

// macro reads @string{name = value}.
func (p *bibParser) macro(start int) error {
	end := closer(p.src[p.i])
	p.i++
	p.space()
	at := p.i
	name := p.ident()
	p.space()
	if name == "" || p.i >= len(p.src) || p.src[p.i] != '=' {
		return p.errorf(at, "@string needs a name = value (like @string{nips = {NeurIPS}}): fix or remove it")
	}
	p.i++
	v, err := p.value("@string "+name, name, start)
	if err != nil {
		return err
	}
	p.space()
	if p.i < len(p.src) && p.src[p.i] == ',' {
		p.i++
		p.space()
	}
	if p.i >= len(p.src) || p.src[p.i] != end {
		return p.errorf(start, "the @string %s is not closed: add a %c at its end", name, end)
	}
	p.i++
	p.macros[strings.ToLower(name)] = v
	return nil
}

// entry reads an entry whose @ is at start; p.i is at its { or (.
func (p *bibParser) entry(typ string, start int) (Entry, error) {
	p.suspect = nil
	end := closer(p.src[p.i])
	p.i++
	p.space()
	keyAt := p.i
	for p.i < len(p.src) && !strings.ContainsRune(", \t\r\n\f\v{}", rune(p.src[p.i])) && p.src[p.i] != end {
		p.i++
	}
	key := p.src[keyAt:p.i]
	p.space()
	what := fmt.Sprintf("entry %q (line %d)", key, p.line(start))
	if key == "" {
		what = fmt.Sprintf("the @%s entry of line %d", typ, p.line(start))
	}
	switch {
	case p.i < len(p.src) && p.src[p.i] == '=':
		p.i, key = keyAt, "" // no key: the first field's name was read
		what = fmt.Sprintf("the @%s entry of line %d", typ, p.line(start))
	case p.i < len(p.src) && p.src[p.i] == ',':
		p.i++
	case p.i < len(p.src) && p.src[p.i] == end:
	case p.i >= len(p.src):
		return Entry{}, p.errorf(start, "%s is never closed: add a %c at its end", what, end)
	default:
		return Entry{}, p.errorf(p.i, "%s: expected a comma after the key, found %q: write @%s{key, field = {value}, ...}", what, p.src[p.i], typ)
	}
	fields := map[string]string{}
	for {
		p.space()
		if p.i >= len(p.src) {
			return Entry{}, p.unclosed(start, -1, what, end)
		}
		c := p.src[p.i]
		if c == end {
			p.i++
			break
		}
		if c == ',' {
			p.i++
			continue
		}
		if c == '%' { // a LaTeX comment between fields, which BibTeX itself rejects
			if k := strings.IndexByte(p.src[p.i:], '\n'); k >= 0 {
				p.i += k
				continue
			}
			p.i = len(p.src)
			continue
		}
		at := p.i
		field := strings.ToLower(p.ident())
		if field == "" {
			if p.nextEntryAt(at) {
				return Entry{}, p.unclosed(start, at, what, end)
			}
			return Entry{}, p.errorf(at, "%s: expected a field name, found %q: fields are name = {value}, separated by commas", what, c)
		}
		p.space()
		if p.i >= len(p.src) || p.src[p.i] != '=' {
			return Entry{}, p.errorf(at, "%s: field %s has no = after its name: write %s = {value}", what, field, field)
		}
		p.i++
		v, err := p.value(what, field, at)
		if err != nil {
			return Entry{}, err
		}
		if _, dup := fields[field]; !dup {
			fields[field] = v
		}
		p.space()
		if p.i >= len(p.src) {
			return Entry{}, p.unclosed(start, -1, what, end)
		}
		switch c := p.src[p.i]; c {
		case ',':
			p.i++
			continue
		case end:
			p.i++
		default:
			if p.nextEntryAt(p.i) {
				return Entry{}, p.unclosed(start, p.i, what, end)
			}
			return Entry{}, p.errorf(p.i, "%s: expected a comma or %c after the value of %s (line %d), found %q: add the missing comma", what, end, field, p.line(at), c)
		}
		break
	}
	if err := p.restOfLine(what); err != nil {
		return Entry{}, err
	}
	return bibEntry(typ, key, p.line(start), fields), nil
}

// unclosed is the error of an entry that runs into the next one (at next)
// or the end of the file (next < 0). When one of its values closed with a
// brace alone on its line, that brace was the entry's: the value's own {
// is the one never closed.
func (p *bibParser) unclosed(start, next int, what string, end byte) error {
	if v := p.suspect; v != nil && end == '}' {
		if next < 0 {
			return p.errorf(v.open, "%s: the { that opens the value of %s is never closed before the end of the file: add the missing } (or remove a stray {)", what, v.field)
		}
		return p.errorf(v.open, "%s: the { that opens the value of %s is never closed (the entry on line %d starts inside it): add the missing } (or remove a stray {)", what, v.field, p.line(next))
	}
	if next < 0 {
		return p.errorf(start, "%s is never closed: add a %c after its last field", what, end)
	}
	return p.errorf(start, "%s is not closed before the entry on line %d: add a %c at its end", what, p.line(next), end)
}

// restOfLine checks what follows an entry's end on its line: only white
// space, a comment, a comma or another entry. Anything else means a brace
// closed the entry too early.
func (p *bibParser) restOfLine(what string) error {
	j := p.i
	for j < len(p.src) && (p.src[j] == ' ' || p.src[j] == '\t' || p.src[j] == '\r') {
		j++
	}
	if j >= len(p.src) {
		return nil
	}
	switch p.src[j] {
	case '\n', '%', ',', ';', '@':
		return nil
	}
	rest := p.src[j:]
	if k := strings.IndexByte(rest, '\n'); k >= 0 {
		rest = rest[:k]
	}
	return p.errorf(j, "%s ends before %q on the same line: a } too many (or a { missing) closes the entry early", what, clip(rest, 40))
}

var entryStartRe = lazyre.New(`^[ \t]*@[ \t]*[A-Za-z]+[ \t]*[{(]`)

// nextEntryAt reports whether an entry starts at off (after white space on
// its line): what an unclosed value or entry runs into.
func (p *bibParser) nextEntryAt(off int) bool {
	return entryStartRe.MatchString(p.src[off:min(len(p.src), off+200)])
}

// value reads a field's value: pieces joined by #. fieldAt is where the
// field starts, for messages.
func (p *bibParser) value(what, field string, fieldAt int) (string, error) {
	var b strings.Builder
	add := func(s string) error {
		// @string macros can double a value at each step (@string{b = a #
		// a}): what no bibliography holds is refused before it is built
		if b.Len()+len(s) > maxBibValue {
			return p.errorf(fieldAt, "%s: field %s is longer than %s once its @string macros are expanded: this is not a bibliography (fix or remove it)", what, field, fmt.Sprintf("%d MB", maxBibValue>>20))
		}
		if p.read += len(s); p.read > maxBibTotal {
			return p.errorf(fieldAt, "%s: the fields read so far are longer than %s once their @string macros are expanded: this is not a bibliography (fix or remove the macros)", what, fmt.Sprintf("%d MB", maxBibTotal>>20))
		}
		b.WriteString(s)
		return nil
	}
	for {
		p.space()
		if p.i >= len(p.src) {
			return "", p.errorf(fieldAt, "%s: field %s has no value: write %s = {value}", what, field, field)
		}
		var s string
		switch c := p.src[p.i]; {
		case c == '{':
			var err error
			if s, err = p.braced(what, field); err != nil {
				return "", err
			}
		case c == '"':
			var err error
			if s, err = p.quoted(what, field); err != nil {
				return "", err
			}
		case '0' <= c && c <= '9':
			start := p.i
			for p.i < len(p.src) && '0' <= p.src[p.i] && p.src[p.i] <= '9' {
				p.i++
			}
			s = p.src[start:p.i]
		case isIdentChar(c):
			s = p.expand(p.ident())
		default:
			return "", p.errorf(p.i, "%s: field %s has no value before %q: write %s = {value}", what, field, c, field)
		}
		if err := add(s); err != nil {
			return "", err
		}
		p.space()
		if p.i < len(p.src) && p.src[p.i] == '#' {
			p.i++
			continue
		}
		return b.String(), nil
	}
}

// maxBibValue is the longest value of a field, @string macros expanded
// (an abstract takes a few KB), and maxBibTotal the most of all values of
// a file: a file of a few lines of macros that double could otherwise ask
// for gigabytes.
const (
	maxBibValue = 1 << 20
	maxBibTotal = 64 << 20
)

var monthNames = map[string]string{
	"jan": "January", "feb": "February", "mar": "March", "apr": "April", "may": "May", "jun": "June",
	"jul": "July", "aug": "August", "sep": "September", "oct": "October", "nov": "November", "dec": "December",
}

// expand is a macro's value; an undefined macro stands for its own name
// (BibTeX would warn and use nothing).
func (p *bibParser) expand(name string) string {
	low := strings.ToLower(name)
	if v, ok := p.macros[low]; ok {
		return v
	}
	if v, ok := monthNames[low]; ok {
		return v
	}
	return name
}

// braced reads {...} and returns what is inside the outer braces.
func (p *bibParser) braced(what, field string) (string, error) {
	open := p.i
	depth := 0
	for j := p.i; j < len(p.src); j++ {
		switch p.src[j] {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				p.i = j + 1
				if p.line(j) > p.line(open) && strings.TrimSpace(p.src[p.lines[p.line(j)-1]:j]) == "" {
					p.suspect = &openValue{field: field, open: open}
				}
				return p.src[open+1 : j], nil
			}
		case '\n':
			if p.nextEntryAt(j + 1) {
				return "", p.errorf(open, "%s: the { that opens the value of %s is never closed (the entry on line %d starts inside it): add the missing } (or remove a stray {)", what, field, p.line(j+1))
			}
		}
	}
	return "", p.errorf(open, "%s: the { that opens the value of %s is never closed before the end of the file: add the missing } (or remove a stray {)", what, field)
}

// quoted reads "..." (braces inside must balance; a " inside braces does
// not end it) and returns what is inside the quotes.
func (p *bibParser) quoted(what, field string) (string, error) {
	open := p.i
	depth := 0
	for j := p.i + 1; j < len(p.src); j++ {
		switch p.src[j] {
		case '{':
			depth++
		case '}':
			depth--
			if depth < 0 && p.line(j) > p.line(open) {
				return "", p.errorf(open, "%s: the quoted value of %s never ends before the } on line %d: add the closing \"", what, field, p.line(j))
			}
			if depth < 0 {
				return "", p.errorf(j, "%s: a } without its { in the quoted value of %s: remove it or add the {", what, field)
			}
		case '"':
			if depth == 0 {
				p.i = j + 1
				return p.src[open+1 : j], nil
			}
		case '\n':
			if p.nextEntryAt(j + 1) {
				return "", p.errorf(open, "%s: the quoted value of %s never ends (the entry on line %d starts inside it): add the closing \" (a \" inside a value goes in braces: {\"})", what, field, p.line(j+1))
			}
		}
	}
	if depth > 0 {
		return "", p.errorf(open, "%s: a { in the quoted value of %s is never closed: add the missing }", what, field)
	}
	return "", p.errorf(open, "%s: the quoted value of %s never ends: add the closing \"", what, field)
}

// clip shortens s for a message.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// bibEntry turns an entry's raw fields into an Entry.
func bibEntry(typ, key string, line int, fields map[string]string) Entry {
	e := Entry{Key: key, Line: line, Type: strings.ToLower(typ)}
	e.Title = latex.Decode(fields["title"])
	e.Abstract = latex.Decode(fields["abstract"])
	e.Authors = bibNames(fields["author"])
	e.URL = firstURL(plain(fields["url"]))
	e.DOI = NormalizeDOI(plain(fields["doi"]))
	if e.DOI == "" {
		e.DOI = NormalizeDOI(e.URL)
	}
	prefix := strings.ToLower(plain(fields["archiveprefix"]))
	if prefix == "" {
		prefix = strings.ToLower(plain(fields["eprinttype"]))
	}
	if prefix == "" || prefix == "arxiv" {
		e.ArxivID = findArxiv(plain(fields["eprint"]))
	}
	look := []string{"arxivid", "arxiv", "doi", "url", "journal", "journaltitle", "note", "howpublished", "booktitle", "eid", "addendum"}
	if j := strings.ToLower(plain(fields["journal"] + fields["journaltitle"])); strings.Contains(j, "arxiv") || j == "corr" {
		look = append(look, "volume", "number", "pages")
	}
	for _, k := range look {
		if e.ArxivID != "" {
			break
		}
		e.ArxivID = findArxiv(plain(fields[k]))
	}
	e.Category = arxivCategory(plain(fields["primaryclass"]))
	if d := plain(fields["date"]); d != "" {
		e.Year, e.Date = isoDate(d)
	}
	if e.Year == "" {
		e.Year, e.Date = dateOf(plain(fields["year"]), plain(fields["month"]), plain(fields["day"]))
	}
	return e
}

// plain is an identifier-like field's text: braces and \url dropped,
// escaped characters unescaped, white space collapsed.
func plain(s string) string {
	if !strings.ContainsAny(s, "\\{}") {
		return collapse(s)
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '{', '}':
		case '\\':
			if i+1 < len(s) && !isLetter(s[i+1]) {
				i++
				b.WriteByte(s[i])
				continue
			}
			for i+1 < len(s) && isLetter(s[i+1]) { // a command name: dropped
				i++
			}
		default:
			b.WriteByte(c)
		}
	}
	return collapse(b.String())
}

// firstURL is the first of the links in s.
func firstURL(s string) string {
	if f := strings.Fields(s); len(f) > 0 {
		return strings.TrimRight(f[0], ",;")
	}
	return ""
}

// bibNames splits a BibTeX name list ("Last, First and First Last and
// {Barnes and Noble}") into "First Last" names; "others" is dropped.
func bibNames(s string) []string {
	var names []string
	for _, n := range splitTop(s, isAndAt) {
		if strings.EqualFold(strings.TrimSpace(n), "others") {
			continue
		}
		parts := splitTop(n, func(s string, i int) int {
			if s[i] == ',' {
				return 1
			}
			return 0
		})
		for i := range parts {
			parts[i] = latex.Decode(parts[i])
		}
		var name string
		switch len(parts) {
		case 1: // First von Last
			name = parts[0]
		case 2: // von Last, First
			name = parts[1] + " " + parts[0]
		default: // von Last, Jr, First
			name = strings.Join(parts[2:], " ") + " " + parts[0] + " " + parts[1]
		}
		if name = collapse(name); name != "" {
			names = append(names, name)
		}
	}
	return names
}

// isAndAt returns the length of a separating " and " at s[i] (white space,
// and, white space), or 0.
func isAndAt(s string, i int) int {
	if !isSpace(s[i]) || i > 0 && isSpace(s[i-1]) {
		return 0 // only at the start of a run of white space
	}
	j := i
	for j < len(s) && isSpace(s[j]) {
		j++
	}
	if j+3 >= len(s) || !strings.EqualFold(s[j:j+3], "and") || !isSpace(s[j+3]) {
		return 0
	}
	return j + 4 - i
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// splitTop splits s at the separators sep finds outside braces (sep
// returns a separator's length at i, or 0).
func splitTop(s string, sep func(s string, i int) int) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); {
		switch s[i] {
		case '{':
			depth++
		case '}':
			depth--
		}
		if depth == 0 {
			if n := sep(s, i); n > 0 {
				out = append(out, s[start:i])
				i += n
				start = i
				continue
			}
		}
		i++
	}
	return append(out, s[start:])
}
