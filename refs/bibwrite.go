package refs

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode"

	"github.com/papersift/papersift/internal/lazyre"

	"golang.org/x/text/unicode/norm"

	"github.com/papersift/papersift/internal/latex"
	"github.com/papersift/papersift/paper"
)

// WriteBibTeX writes entries as BibTeX that reference managers (Zotero,
// JabRef, Mendeley) and biber import: an arXiv paper is @misc with eprint,
// archivePrefix and primaryClass (arXiv's own recommendation), a paper
// with a DOI @article, any other @misc. Titles, names and abstracts are
// escaped (latex.Escape: ParseBibTeX reads them back as they were);
// accented letters stay UTF-8.
//
// Keys are Google Scholar's: the first author's last name, the year and
// the title's first word (vaswani2017attention), in ASCII. Entries whose
// keys would collide get a, b, c... in the order of their identity (arXiv
// id, DOI, title), so the same papers always get the same keys, whatever
// their order.
func WriteBibTeX(w io.Writer, entries []Entry) error {
	bw := bufio.NewWriter(w)
	keys := bibKeys(entries)
	for i, e := range entries {
		if i > 0 {
			bw.WriteString("\n")
		}
		writeBibEntry(bw, keys[i], e)
	}
	return bw.Flush()
}

func writeBibEntry(w *bufio.Writer, key string, e Entry) {
	arxivDOIOnly := e.DOI == "" || arxivDOI.MatchString(e.DOI)
	typ := "misc"
	if e.ArxivID == "" && e.DOI != "" || e.ArxivID != "" && !arxivDOIOnly {
		typ = "article"
	}
	fmt.Fprintf(w, "@%s{%s,\n", typ, key)
	field := func(name, value string) {
		if value != "" {
			fmt.Fprintf(w, "  %s = {%s},\n", name, value)
		}
	}
	field("title", latex.Escape(e.Title))
	names := make([]string, 0, len(e.Authors))
	for _, a := range e.Authors {
		if n := bibName(a); n != "" {
			names = append(names, n)
		}
	}
	field("author", strings.Join(names, " and "))
	year, month := e.Year, ""
	if len(e.Date) == 10 {
		year, month = e.Date[:4], e.Date[5:7]
	}
	field("year", year)
	if month != "" {
		fmt.Fprintf(w, "  month = %s,\n", monthMacro[month])
		field("date", e.Date)
	}
	if e.ArxivID != "" {
		field("eprint", e.ArxivID)
		field("archivePrefix", "arXiv")
		field("primaryClass", e.Category)
	}
	field("doi", verbatim(e.DOI))
	u := e.URL
	if u == "" && e.ArxivID != "" {
		u = "https://arxiv.org/abs/" + e.ArxivID
	}
	field("url", verbatim(u))
	field("abstract", latex.Escape(e.Abstract))
	w.WriteString("}\n")
}

var monthMacro = map[string]string{
	"01": "jan", "02": "feb", "03": "mar", "04": "apr", "05": "may", "06": "jun",
	"07": "jul", "08": "aug", "09": "sep", "10": "oct", "11": "nov", "12": "dec",
}

// verbatim is a DOI or link fit for braces: the characters BibTeX would
// count as braces, and backslashes, percent-encoded; line breaks dropped.
func verbatim(s string) string {
	return strings.NewReplacer("{", "%7B", "}", "%7D", `\`, "%5C", "\n", "", "\r", "").Replace(strings.TrimSpace(s))
}

var suffixRe = lazyre.New(`(?i)^(jr\.?|sr\.?|ii|iii|iv)$`)

// bibName writes "First Last" as "Last, First" (and "First Last Jr." as
// "Last, Jr., First"), which BibTeX splits without guessing. A one-word
// name, and one with a comma or the word "and" (an organisation), goes in
// braces whole.
func bibName(name string) string {
	name = collapse(name)
	words := strings.Fields(name)
	protect := len(words) < 2 || strings.Contains(name, ",")
	for _, w := range words {
		if strings.EqualFold(w, "and") {
			protect = true
		}
	}
	if protect {
		if name == "" {
			return ""
		}
		return "{" + latex.Escape(name) + "}"
	}
	jr := ""
	if len(words) > 2 && suffixRe.MatchString(words[len(words)-1]) {
		jr, words = words[len(words)-1], words[:len(words)-1]
	}
	last := len(words) - 1
	out := latex.Escape(words[last])
	if jr != "" {
		out += ", " + latex.Escape(jr)
	}
	return out + ", " + latex.Escape(strings.Join(words[:last], " "))
}

var stopWords = map[string]bool{
	"a": true, "an": true, "the": true, "on": true, "of": true, "for": true, "in": true,
	"to": true, "and": true, "with": true, "from": true, "by": true, "at": true, "is": true,
	"are": true, "do": true, "does": true, "how": true, "what": true, "why": true, "when": true,
	"towards": true, "toward": true,
}

// bibKeys gives each entry its key (see WriteBibTeX).
func bibKeys(entries []Entry) []string {
	keys := make([]string, len(entries))
	groups := map[string][]int{}
	for i, e := range entries {
		keys[i] = baseKey(e)
		groups[keys[i]] = append(groups[keys[i]], i)
	}
	for base, idx := range groups {
		if len(idx) < 2 {
			continue
		}
		sort.SliceStable(idx, func(a, b int) bool { return sortIdentity(entries[idx[a]]) < sortIdentity(entries[idx[b]]) })
		for n, i := range idx {
			keys[i] = base + letters(n)
		}
	}
	return keys
}

// letters is a, b, ..., z, aa, ab, ...
func letters(n int) string {
	s := ""
	for n++; n > 0; n = (n - 1) / 26 {
		s = string(rune('a'+(n-1)%26)) + s
	}
	return s
}

func sortIdentity(e Entry) string {
	return e.ArxivID + "\x00" + e.DOI + "\x00" + paper.TitleKey(e.Title) + "\x00" + e.ID
}

// baseKey is last name, year and the title's first word, in ASCII.
func baseKey(e Entry) string {
	name := ""
	if len(e.Authors) > 0 {
		if w := strings.Fields(e.Authors[0]); len(w) > 0 {
			last := w[len(w)-1]
			if len(w) > 2 && suffixRe.MatchString(last) {
				last = w[len(w)-2]
			}
			name = asciiKey(last)
		}
	}
	year := e.Year
	if len(e.Date) >= 4 {
		year = e.Date[:4]
	}
	word := ""
	for _, w := range strings.Fields(paper.TitleKey(e.Title)) {
		if !stopWords[w] {
			if word = asciiKey(w); word != "" {
				break
			}
		}
	}
	key := name + year + word
	if name == "" && year == "" && word == "" {
		key = "ref"
	}
	if key[0] >= '0' && key[0] <= '9' {
		key = "ref" + key // a key that is only a year reads as a number
	}
	return key
}

var foldSpecial = strings.NewReplacer("ß", "ss", "ø", "o", "Ø", "o", "ł", "l", "Ł", "l", "æ", "ae", "Æ", "ae",
	"œ", "oe", "Œ", "oe", "đ", "d", "Đ", "d", "þ", "th", "Þ", "th", "ð", "d", "Ð", "d", "ı", "i")

// asciiKey folds s to lowercase ASCII letters and digits: accents dropped,
// special letters spelled out, anything else left out.
func asciiKey(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(foldSpecial.Replace(s)) {
		r = unicode.ToLower(r)
		if 'a' <= r && r <= 'z' || '0' <= r && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
