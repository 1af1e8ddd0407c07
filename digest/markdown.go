package digest

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/papersift/papersift/internal/sanitize"
)

// Markdown writes d as CommonMark for mail or notes: the reading queue on
// top when there is one, then a heading per topic with its papers as list
// items, each title linked to the paper's page when it is known. Text is
// escaped: a title never turns into markup or HTML. A long list (more than
// 2,000 papers) shows what its HTML page shows: each topic's closest papers
// with their facts, the next ones by title, and the number of the rest.
func Markdown(w io.Writer, d *Digest) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "# %s\n\n%s\n", mdText(d.heading()), mdText(d.summary()))
	if d.Profile {
		bw.WriteString("\n## Read first\n\n")
		if len(d.Queue) == 0 {
			bw.WriteString("Nothing left to read in this list: every paper is read or rated.\n")
		}
		for i, q := range d.Queue {
			fmt.Fprintf(bw, "%d. %s", i+1, mdLink(q.Title, q.URL))
			if r := tidy(q.Reason); r != "" {
				fmt.Fprintf(bw, ": %s", mdText(r))
			}
			bw.WriteString("\n")
		}
	}
	pl := d.plan()
	if pl.big {
		fmt.Fprintf(bw, "\nA long list: each topic shows its %s closest papers (and the ones you liked or should read first), the next %s by title, and the number of the rest.\n",
			count(pl.perFull), count(pl.perIndex))
	}
	for t, tp := range pl.topics {
		c := &d.Clusters[t]
		n := len(c.Papers)
		fmt.Fprintf(bw, "\n## %s (%s %s)\n\n", mdText(c.heading()), count(n), plural(n, "paper", "papers"))
		if len(c.Terms) > 3 {
			fmt.Fprintf(bw, "Also: %s\n\n", mdText(strings.Join(c.Terms[3:], ", ")))
		}
		for _, i := range tp.full {
			p := &c.Papers[i]
			bw.WriteString("- " + mdLink(p.Title, p.URL))
			if f := p.facts(); len(f) > 0 {
				bw.WriteString(" (" + mdText(strings.Join(f, " · ")) + ")")
			}
			bw.WriteString("\n")
		}
		if len(tp.index) > 0 {
			bw.WriteString("\nMore by title:\n\n")
			for _, i := range tp.index {
				bw.WriteString("- " + mdLink(c.Papers[i].Title, c.Papers[i].URL) + "\n")
			}
		}
		if tp.rest > 0 {
			fmt.Fprintf(bw, "\n… and %s more %s, not listed here.\n", count(tp.rest), plural(tp.rest, "paper", "papers"))
		}
	}
	if rest := d.Clusters[len(pl.topics):]; len(rest) > 0 {
		bw.WriteString("\n## Other topics\n\n")
		shown := rest[:min(len(rest), maxOtherTopics)]
		for _, c := range shown {
			n := len(c.Papers)
			fmt.Fprintf(bw, "- %s (%s %s)\n", mdText(c.Label), count(n), plural(n, "paper", "papers"))
		}
		if more := rest[len(shown):]; len(more) > 0 {
			n := 0
			for _, c := range more {
				n += len(c.Papers)
			}
			fmt.Fprintf(bw, "\n… and %s more %s (%s %s).\n", count(len(more)), plural(len(more), "topic", "topics"), count(n), plural(n, "paper", "papers"))
		}
	}
	return bw.Flush()
}

// mdLink is text linked to u, or the text alone when u is not an http(s) link.
func mdLink(text, u string) string {
	t := mdText(text)
	if u = link(u); u == "" {
		return t
	}
	return "[" + t + "](" + mdURL(u) + ")"
}

// mdURL makes u safe as a link destination: no spaces, parentheses or angle
// brackets, which would end it early.
var mdURL = strings.NewReplacer(" ", "%20", "(", "%28", ")", "%29", "<", "%3C", ">", "%3E", "\\", "%5C", "`", "%60").Replace

// mdEscaper backslash-escapes the characters that can start markup inline:
// emphasis, code, links and images, raw HTML and autolinks, entities, and
// GFM strikethrough.
var mdEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`,
	"<", `\<`, ">", `\>`, "&", `\&`, "~", `\~`,
)

// MarkdownText is s as Markdown text on one line: it reads as s, and never
// turns into markup, a link or HTML (see Markdown).
func MarkdownText(s string) string { return mdText(s) }

// mdText is s on one line, escaped so that it reads as the same text, and
// sanitised (no control character reaches a terminal that shows the file).
// Characters that start a block (a heading, a list item, a quote) are
// escaped when they come first.
func mdText(s string) string {
	s = mdEscaper.Replace(oneLine(sanitize.String(s)))
	if s == "" {
		return s
	}
	switch s[0] {
	case '#', '-', '+', '=':
		return `\` + s
	}
	// "1. " or "1) " would start an ordered list ("0.799" would not)
	i := 0
	for i < len(s) && i < 9 && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i > 0 && i < len(s) && (s[i] == '.' || s[i] == ')') && (i+1 == len(s) || s[i+1] == ' ' || s[i+1] == '\t') {
		return s[:i] + `\` + s[i:]
	}
	return s
}
