package ingest

import (
	"github.com/papersift/papersift/internal/lazyre"
	"github.com/papersift/papersift/paper"

	"fmt"
	"strconv"
	"strings"
	"time"
)

// The hf-page format: the text of a Hugging Face Daily Papers page as a
// browser copies it. After the page's own lines ("Daily Papers", the day),
// each paper is a title paragraph, an abstract paragraph and, usually, a
// metadata paragraph:
//
//	• 8 authors          or an organisation line ("openbmb OpenBMB")
//	·
//	Aug 25, 2025 2       the date, and the comment count when there are comments
//
// Paragraphs are separated by blank lines.

var (
	hfMetaRe    = lazyre.New(`(?m)^[ \t]*·[ \t]*\r?\n[ \t]*[A-Z][a-z]{2,8}\.? \d{1,2}, \d{4}`)
	hfAuthorsRe = lazyre.New(`^•\s*(\d+)\s+authors?$`)
	// (a year of other than four digits is read, to fail as no date: a
	// line of the page's shape must not pass for a paragraph of text)
	hfDateRe   = lazyre.New(`^([A-Z][a-z]{2,8})\.? (\d{1,2}), (\d{1,9})(?:\s+(\d+))?$`)
	hfDayRe    = lazyre.New(`^([A-Z][a-z]{2,8})\.? (\d{1,2})(?:, (\d{4}))?$`)
	hfHandleRe = lazyre.New(`^[a-z0-9][a-z0-9._-]*$`)
)

// hfChrome are the page's own lines before the papers.
var hfChrome = map[string]bool{
	"new": true, "get trending papers in your email inbox!": true, "subscribe": true,
	"daily papers": true, "byak and the research community": true,
	"trending papers": true, "submit": true, "search": true,
}

type paragraph struct {
	line  int // first line
	lines []string
}

func (p paragraph) text() string { return strings.Join(p.lines, "\n") }

func paragraphs(data []byte) []paragraph {
	var out []paragraph
	var cur *paragraph
	for i, raw := range strings.Split(string(data), "\n") {
		l := strings.TrimRight(raw, "\r")
		if strings.TrimSpace(l) == "" {
			cur = nil
			continue
		}
		if cur == nil {
			out = append(out, paragraph{line: i + 1})
			cur = &out[len(out)-1]
		}
		cur.lines = append(cur.lines, strings.TrimSpace(l))
	}
	return out
}

type hfMeta struct {
	nAuthors *int
	org      string
	date     string
	comments *int
}

// parseMeta reads a metadata paragraph, or reports that it is none.
func parseMeta(p paragraph) (hfMeta, bool, error) {
	var m hfMeta
	ls := p.lines
	dot := -1
	for i, l := range ls {
		if l == "·" {
			dot = i
			break
		}
	}
	if dot < 0 || dot != len(ls)-2 || dot > 1 {
		return m, false, nil
	}
	d := hfDateRe.FindStringSubmatch(ls[len(ls)-1])
	if d == nil {
		return m, false, nil
	}
	date, err := monthDate(d[1], d[2], d[3])
	if err != nil {
		return m, false, err
	}
	m.date = date
	if d[4] != "" {
		if n, ok := plausibleCount(d[4]); ok {
			m.comments = &n
		}
	}
	if dot == 1 {
		if a := hfAuthorsRe.FindStringSubmatch(ls[0]); a != nil {
			if n, ok := plausibleCount(a[1]); ok {
				m.nAuthors = &n
			}
		} else {
			m.org = orgName(ls[0])
		}
	}
	return m, true, nil
}

// orgName reads an organisation line. The page shows the organisation's
// handle (its avatar's text) and then its name: "openbmb OpenBMB" is
// OpenBMB. A line without a lowercase handle first is the name itself.
func orgName(l string) string {
	first, rest, ok := strings.Cut(l, " ")
	if ok && hfHandleRe.MatchString(first) && rest != "" {
		return strings.TrimSpace(rest)
	}
	return l
}

// plausibleCount reads a count of authors or comments; one past a million
// is no count a page shows, and is left out.
func plausibleCount(s string) (int, bool) {
	n, err := strconv.Atoi(s)
	return n, err == nil && n <= 1_000_000
}

func monthDate(mon, day, year string) (string, error) {
	for _, layout := range []string{"Jan 2 2006", "January 2 2006"} {
		if t, err := time.Parse(layout, mon+" "+day+" "+year); err == nil {
			return t.Format("2006-01-02"), nil
		}
	}
	return "", fmt.Errorf("%q is not a date", mon+" "+day+", "+year)
}

// isTitle reports whether a paragraph can be a title: one line, not too long.
func isTitle(p paragraph) bool {
	return len(p.lines) == 1 && len(p.lines[0]) <= 400
}

func parseHFPage(data []byte, source string) (*Listing, error) {
	l := &Listing{}
	ps := paragraphs(data)
	// The page's own lines come first: known chrome, and the day ("Jan 7").
	var day []string
	start := 0
	for start < len(ps) {
		p := ps[start]
		t := strings.ToLower(p.text())
		if hfChrome[t] {
			start++
			continue
		}
		if d := hfDayRe.FindStringSubmatch(p.text()); d != nil && len(p.lines) == 1 {
			day = d
			start++
			continue
		}
		break
	}
	// Split the rest into segments, each ending with a metadata paragraph.
	type seg struct {
		ps   []paragraph
		meta *hfMeta
	}
	var segs []seg
	var cur []paragraph
	for _, p := range ps[start:] {
		for _, line := range p.lines {
			if len(line) > MaxRecordBytes {
				return nil, &ParseError{Source: source, Line: p.line, Msg: fmt.Sprintf("a line longer than %s: this is not a Daily Papers page", sizeString(MaxRecordBytes))}
			}
		}
		m, ok, err := parseMeta(p)
		if err != nil {
			return nil, &ParseError{Source: source, Line: p.line + len(p.lines) - 1, Msg: err.Error()}
		}
		if ok {
			mm := m
			segs = append(segs, seg{cur, &mm})
			cur = nil
			continue
		}
		cur = append(cur, p)
	}
	if len(cur) > 0 {
		segs = append(segs, seg{cur, nil})
	}
	if len(segs) == 0 || (len(segs) == 1 && segs[0].meta == nil && len(segs[0].ps) < 2) {
		return nil, &ParseError{Source: source, Line: 1, Msg: "no paper entries (a title line, an abstract paragraph, then '• N authors · date'): is this a Daily Papers page? pass --format"}
	}
	for _, s := range segs {
		entries := pairUp(s.ps, l)
		for i, e := range entries {
			p := Record{Paper: paper.Paper{Title: e[0].text(), Abstract: e[1].text()}, Line: e[0].line}
			if i == len(entries)-1 && s.meta != nil {
				p.NAuthors, p.Org, p.Date, p.Comments = s.meta.nAuthors, s.meta.org, s.meta.date, s.meta.comments
			}
			finish(&p.Paper)
			l.Papers = append(l.Papers, p)
		}
		if len(entries) == 0 && s.meta != nil && len(s.ps) == 0 {
			// metadata with nothing before it: a stray block, ignore
			continue
		}
	}
	if day != nil {
		l.Date = pageDate(day, l.Papers)
	}
	return l, nil
}

// pairUp turns a run of paragraphs into (title, abstract) pairs. A title
// with no abstract (a title followed by another title, or alone before the
// metadata) is skipped and reported.
func pairUp(ps []paragraph, l *Listing) [][2]paragraph {
	var out [][2]paragraph
	i := 0
	for i < len(ps) {
		rest := len(ps) - i
		if rest == 1 {
			l.Skipped = append(l.Skipped, Skip{Line: ps[i].line, Reason: fmt.Sprintf("%q has no abstract", short(ps[i].text()))})
			break
		}
		// Odd count left: one title lacks its abstract. It is the one
		// followed by a title-like paragraph that is itself followed by text.
		if rest%2 == 1 && isTitle(ps[i]) && isTitle(ps[i+1]) && !looksLikeAbstract(ps[i+1]) {
			l.Skipped = append(l.Skipped, Skip{Line: ps[i].line, Reason: fmt.Sprintf("%q has no abstract", short(ps[i].text()))})
			i++
			continue
		}
		out = append(out, [2]paragraph{ps[i], ps[i+1]})
		i += 2
	}
	return out
}

// looksLikeAbstract: several sentences or long.
func looksLikeAbstract(p paragraph) bool {
	t := p.text()
	return len(t) > 300 || strings.Count(t, ". ") >= 2
}

// pageDate turns the page's day ("Jan 7", no year) into a date: the year is
// the one that puts the day on or after the newest paper's date (a page
// lists papers up to its own day).
func pageDate(d []string, papers []Record) string {
	if d[3] != "" {
		date, _ := monthDate(d[1], d[2], d[3])
		return date
	}
	newest := ""
	for _, p := range papers {
		if p.Date > newest {
			newest = p.Date
		}
	}
	if newest == "" {
		return ""
	}
	y, _ := strconv.Atoi(newest[:4])
	for _, year := range []int{y, y + 1} {
		date, err := monthDate(d[1], d[2], strconv.Itoa(year))
		if err == nil && date >= newest {
			return date
		}
	}
	return ""
}
