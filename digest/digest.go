// Package digest renders a day's papers, grouped into topics, as one
// self-contained HTML page (with a map of the papers coloured by topic), as
// Markdown for mail and notes, or as an Atom feed of the reading queue.
//
// The caller fills a Digest: the topics with their papers, closest to the
// topic's centre first, the papers the reader liked, the reading queue when
// the reader has a profile, and the place on the map of the papers that
// MapPoints names (see Layout). Rendering is deterministic: the same Digest
// gives the same bytes.
//
// A page stays small whatever the list: beyond 2,000 papers each topic shows
// its closest papers in full, the next ones as an index of titles, and only
// the number of the rest; the map plots at most 1,000 papers.
package digest

import (
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/papersift/papersift/internal/sanitize"
)

// Digest is what a page shows.
type Digest struct {
	// List is the name of the list digested, usually its date (YYYY-MM-DD).
	List string
	// Model names the embedding model the map and topics come from.
	Model string
	// Clusters are the topics, in the order shown.
	Clusters []Cluster
	// Profile says whether the reader has a profile: only then is there a
	// reading queue (possibly empty, when everything is read).
	Profile bool
	// Queue is the reading queue, best first.
	Queue []QueueItem
	// Note says, in words, when the papers do not fall into clear topics,
	// or when the queue holds no strong match; shown under the summary.
	Note string
	// Explained is the share of variance along the map's two axes when
	// they are principal components (see Project); zero otherwise (Layout),
	// and the page then says that the axes mean nothing by themselves.
	Explained [2]float64
}

// Cluster is a topic.
type Cluster struct {
	Label  string   // a few distinctive terms, joined
	Terms  []string // the distinctive terms, most distinctive first
	Papers []Paper  // closest to the topic's centre first
	// Weak marks a loose group rather than a topic: its heading says so.
	Weak bool
}

// heading is a topic's heading: its label, and whether it is a loose group.
func (c *Cluster) heading() string {
	if c.Weak && len(c.Papers) > 1 {
		return c.Label + " (a loose group)"
	}
	return c.Label
}

// Paper is one paper of a topic. Unknown values are empty or nil.
type Paper struct {
	ID       string
	Title    string
	Abstract string
	URL      string // the paper's page; only http and https links are shown
	Authors  []string
	NAuthors int // 0: unknown
	Org      string
	Date     string // YYYY-MM-DD
	Comments *int
	Upvotes  *int
	// Liked: the reader liked this paper. The page marks it, on the map
	// too.
	Liked bool
	// X and Y place the paper on the map, in any unit (the page scales
	// them): usually Layout's points for the papers of MapPoints. The page
	// plots only the papers MapPoints names, and of those only the ones
	// whose X and Y are finite.
	X, Y float64
}

// QueueItem is one paper of the reading queue.
type QueueItem struct {
	ID     string
	Title  string
	URL    string
	Reason string // why it is queued, in words
}

// N is the number of papers in the digest's topics.
func (d *Digest) N() int {
	n := 0
	for _, c := range d.Clusters {
		n += len(c.Papers)
	}
	return n
}

// heading is the page's main heading: the list's date in words when the
// list is named by a date.
func (d *Digest) heading() string {
	if t, err := time.Parse("2006-01-02", d.List); err == nil {
		return "Papers of " + t.Format("Monday, 2 January 2006")
	}
	if d.List == "" {
		return "Papers"
	}
	return "Papers of " + tidy(d.List)
}

// summary counts what the digest holds, in words.
func (d *Digest) summary() string {
	n := d.N()
	s := fmt.Sprintf("%s %s in %s %s", count(n), plural(n, "paper", "papers"), count(len(d.Clusters)), plural(len(d.Clusters), "topic", "topics"))
	if d.Profile {
		s += fmt.Sprintf(", %s in your reading queue", count(len(d.Queue)))
	}
	s += "."
	if d.Note != "" {
		s += " " + strings.TrimSuffix(d.Note, ".") + "."
	}
	return s
}

// facts is what is known of a paper besides its title, in words: authors
// (or their number), organisation, date, comments and upvotes.
func (p *Paper) facts() []string {
	var out []string
	switch {
	case len(p.Authors) > 3:
		out = append(out, strings.Join(clean(p.Authors[:3]), ", ")+" et al.")
	case len(p.Authors) > 0:
		out = append(out, strings.Join(clean(p.Authors), ", "))
	case p.NAuthors > 0:
		out = append(out, fmt.Sprintf("%d %s", p.NAuthors, plural(p.NAuthors, "author", "authors")))
	}
	if p.Org != "" {
		out = append(out, tidy(p.Org))
	}
	if p.Date != "" {
		out = append(out, tidy(p.Date))
	}
	if p.Comments != nil {
		out = append(out, fmt.Sprintf("%d %s", *p.Comments, plural(*p.Comments, "comment", "comments")))
	}
	if p.Upvotes != nil {
		out = append(out, fmt.Sprintf("%d %s", *p.Upvotes, plural(*p.Upvotes, "upvote", "upvotes")))
	}
	if p.Liked {
		out = append(out, "you liked it")
	}
	return out
}

func clean(xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = tidy(x)
	}
	return out
}

// link returns u when it is an absolute http or https URL, else "", with
// its invisible formatting characters (a bidirectional override, a
// zero-width space: what RFC 3987 forbids in an IRI, and what could make
// a shown address read as another) percent-encoded.
func link(u string) string {
	u = strings.TrimSpace(u)
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return ""
	}
	if !strings.ContainsFunc(u, isFormat) {
		return u
	}
	var b strings.Builder
	for _, r := range u {
		if !isFormat(r) {
			b.WriteRune(r)
			continue
		}
		for _, c := range []byte(string(r)) {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// isFormat reports whether r is an invisible formatting character.
func isFormat(r rune) bool { return unicode.Is(unicode.Cf, r) }

// anchors gives every paper on the page (see plan) an id for in-page
// links: "paper-" and its id with characters other than letters, digits,
// '.', '_' and '-' replaced, made unique in the order of the topics.
func anchors(d *Digest, pl *plan) map[string]string {
	out := map[string]string{}
	used := map[string]bool{}
	pl.each(d, func(_, _ int, p *Paper, _ kind) {
		if _, ok := out[p.ID]; ok {
			return
		}
		base := "paper-" + strings.Map(func(r rune) rune {
			switch {
			case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
				return r
			}
			return '-'
		}, p.ID)
		a := base
		for i := 2; used[a]; i++ {
			a = fmt.Sprintf("%s-%d", base, i)
		}
		used[a] = true
		out[p.ID] = a
	})
	return out
}

// oneLine collapses white space.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// tidy is s as a person reads it: sanitised (no control character,
// bidirectional override or invisible character; see internal/sanitize) on
// one line.
func tidy(s string) string { return oneLine(sanitize.String(s)) }

// count writes n with thousands separators: 1,000,000.
func count(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + count(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
