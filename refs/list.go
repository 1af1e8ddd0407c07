package refs

import (
	"fmt"
	"strings"

	"github.com/papersift/papersift/paper"
)

// maxListLine is the longest line a plain list may have: a title is far
// shorter, so a longer line means the file is something else.
const maxListLine = 2000

// ParseList reads a plain list: on each line an arXiv id (2405.12345,
// arXiv:2405.12345v2, hep-th/9901001), a DOI (10.1000/x, doi:10.1000/x),
// an arXiv or DOI link, or a title. An id or link may be followed by the
// paper's title, or by a comment starting with #; blank lines and lines
// starting with # are skipped. A link to another site is skipped (it names
// no paper papersift can match). A line too long to be a title is an
// error: the file is not a list.
func ParseList(data []byte, name string) (*File, error) {
	data, name, err := prepare(data, name)
	if err != nil {
		return nil, err
	}
	f := &File{Name: name, Format: FormatList}
	for i, l := range strings.Split(string(data), "\n") {
		n := i + 1
		s := strings.TrimSpace(l)
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		if len(s) > maxListLine {
			return nil, &ParseError{Source: name, Line: n, Msg: fmt.Sprintf("a line of %d bytes is no title: papersift reads BibTeX, RIS, a CSV with a header, its profile file, or one arXiv id, DOI or title a line", len(s))}
		}
		e := Entry{Line: n}
		first, rest, _ := strings.Cut(s, " ")
		if t, _, ok := strings.Cut(first, "\t"); ok {
			first, rest = t, s[len(t)+1:]
		}
		rest = strings.TrimSpace(rest)
		if strings.HasPrefix(rest, "#") {
			rest = ""
		}
		switch {
		case listArxiv(first) != "":
			e.ArxivID, e.DOI, e.Key, e.Title = listArxiv(first), NormalizeDOI(first), first, unquote(rest)
		case NormalizeDOI(first) != "":
			e.DOI, e.Key, e.Title = NormalizeDOI(first), first, unquote(rest)
			e.ArxivID = findArxiv(e.DOI)
		case isLink(first):
			f.Skipped = append(f.Skipped, Skip{Line: n, Key: first, Reason: fmt.Sprintf("%s is a link to neither arXiv nor a DOI: give the paper's arXiv id, DOI or title instead", clip(first, 80))})
			continue
		default:
			e.Title = unquote(s)
		}
		f.add(e)
	}
	if err := f.empty("arXiv ids, DOIs or titles"); err != nil {
		return nil, err
	}
	return f, nil
}

// listArxiv is the arXiv id that s is, or that its arxiv.org link (with or
// without https://) names.
func listArxiv(s string) string {
	if id := paper.ArxivID(s); id != "" {
		return id
	}
	low := strings.ToLower(s)
	if strings.HasPrefix(low, "http://") || strings.HasPrefix(low, "https://") || strings.HasPrefix(low, "arxiv.org/") || strings.HasPrefix(low, "www.arxiv.org/") {
		if m := arxivInURL.FindStringSubmatch(s); m != nil {
			return paper.ArxivID(m[1])
		}
	}
	if m := arxivDOI.FindStringSubmatch(NormalizeDOI(s)); m != nil {
		return paper.ArxivID(m[1])
	}
	return ""
}

func isLink(s string) bool {
	low := strings.ToLower(s)
	return strings.HasPrefix(low, "http://") || strings.HasPrefix(low, "https://") || strings.HasPrefix(low, "www.")
}

// unquote drops the quotes around a title pasted with them.
func unquote(s string) string {
	s = strings.TrimSpace(s)
	for _, q := range []string{`""`, "''", "“”", "‘’", "«»"} {
		open, close := string([]rune(q)[0]), string([]rune(q)[1])
		if len(s) > len(open)+len(close) && strings.HasPrefix(s, open) && strings.HasSuffix(s, close) {
			return collapse(s[len(open) : len(s)-len(close)])
		}
	}
	return collapse(s)
}
