// Package digest renders a day's papers, grouped into topics, as one
// self-contained HTML page (with a map of the papers coloured by topic) or as
// Markdown for mail and notes.
//
// The caller fills a Digest: the topics with their papers, closest to the
// topic's centre first, each paper's place on the map (see Project), and the
// reading queue when the reader has a profile. Rendering is deterministic:
// the same Digest gives the same bytes.
package digest

import (
	"fmt"
	"net/url"
	"strings"
	"time"
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
	// Explained is the share of variance along the map's two axes (see
	// Projection); zero when unknown.
	Explained [2]float64
}

// Cluster is a topic.
type Cluster struct {
	Label  string   // a few distinctive terms, joined
	Terms  []string // the distinctive terms, most distinctive first
	Papers []Paper  // closest to the topic's centre first
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
	// X and Y place the paper on the map, in any unit (the page scales
	// them): usually Projection.Points.
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
	return "Papers of " + d.List
}

// summary counts what the digest holds, in words.
func (d *Digest) summary() string {
	n := d.N()
	s := fmt.Sprintf("%d %s in %d %s", n, plural(n, "paper", "papers"), len(d.Clusters), plural(len(d.Clusters), "topic", "topics"))
	if d.Profile {
		s += fmt.Sprintf(", %d in your reading queue", len(d.Queue))
	}
	return s + "."
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
		out = append(out, oneLine(p.Org))
	}
	if p.Date != "" {
		out = append(out, p.Date)
	}
	if p.Comments != nil {
		out = append(out, fmt.Sprintf("%d %s", *p.Comments, plural(*p.Comments, "comment", "comments")))
	}
	if p.Upvotes != nil {
		out = append(out, fmt.Sprintf("%d %s", *p.Upvotes, plural(*p.Upvotes, "upvote", "upvotes")))
	}
	return out
}

func clean(xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = oneLine(x)
	}
	return out
}

// link returns u when it is an absolute http or https URL, else "".
func link(u string) string {
	u = strings.TrimSpace(u)
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return ""
	}
	return u
}

// anchors gives every paper an id for in-page links: "paper-" and its id
// with characters other than letters, digits, '.', '_' and '-' replaced,
// made unique in the order of the topics.
func anchors(d *Digest) map[string]string {
	out := map[string]string{}
	used := map[string]bool{}
	for _, c := range d.Clusters {
		for _, p := range c.Papers {
			if _, ok := out[p.ID]; ok {
				continue
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
		}
	}
	return out
}

// oneLine collapses white space.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
