package digest

import (
	"bytes"
	"encoding/xml"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	xhtml "golang.org/x/net/html"
)

func atomOf(b *bytes.Buffer, d *Digest) error {
	return Atom(b, d, AtomOptions{SelfURL: "https://example.org/feed.xml", PageURL: "https://example.org/today.html"})
}

// parsedFeed is an Atom feed as a strict reader sees it: every element and
// attribute RFC 4287 defines for what Atom writes, kept as lists so that a
// test can count them.
type parsedFeed struct {
	XMLName   xml.Name       `xml:"feed"`
	IDs       []string       `xml:"id"`
	Titles    []parsedText   `xml:"title"`
	Updated   []string       `xml:"updated"`
	Authors   []parsedPerson `xml:"author"`
	Links     []parsedLink   `xml:"link"`
	Entries   []parsedEntry  `xml:"entry"`
	Generator []string       `xml:"generator"`
	Subtitle  []parsedText   `xml:"subtitle"`
}

type parsedEntry struct {
	IDs        []string       `xml:"id"`
	Titles     []parsedText   `xml:"title"`
	Updated    []string       `xml:"updated"`
	Authors    []parsedPerson `xml:"author"`
	Links      []parsedLink   `xml:"link"`
	Summary    []parsedText   `xml:"summary"`
	Content    []parsedText   `xml:"content"`
	Categories []struct {
		Term string `xml:"term,attr"`
	} `xml:"category"`
}

type parsedText struct {
	Type string `xml:"type,attr"`
	Text string `xml:",chardata"`
}

type parsedPerson struct {
	Names []string `xml:"name"`
}

type parsedLink struct {
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr"`
	Href string `xml:"href,attr"`
}

// parseAtom parses a feed strictly (encoding/xml's Strict mode: well-formed
// XML, known entities only) and checks what RFC 4287 requires of a feed and
// its entries (sections 4.1.1, 4.1.2, 4.2): exactly one id (an absolute
// IRI), title and updated (a date-time of RFC 3339) each; an author for the
// feed or for every entry; an entry without content has a link
// rel="alternate"; no two alternate links of the same type; text constructs
// of type text, html or xhtml; entry ids unique.
func parseAtom(t *testing.T, feed []byte) *parsedFeed {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(feed))
	dec.Strict = true
	var f parsedFeed
	if err := dec.Decode(&f); err != nil {
		t.Fatalf("the feed is not well-formed XML: %v\n%s", err, feed)
	}
	if f.XMLName.Space != atomNS || f.XMLName.Local != "feed" {
		t.Fatalf("the root is {%s}%s, want Atom's feed", f.XMLName.Space, f.XMLName.Local)
	}
	for _, c := range string(feed) {
		if c < 0x20 && c != '\n' || c == 0x7f || c >= 0x80 && c <= 0x9f {
			t.Errorf("the feed holds the character %U", c)
		}
	}
	one := func(what string, n int) {
		if n != 1 {
			t.Errorf("%s: %d, want exactly one", what, n)
		}
	}
	iri := func(what, s string) {
		if u, err := url.Parse(s); err != nil || u.Scheme == "" || strings.ContainsAny(s, " <>\"{}|\\^`") {
			t.Errorf("%s %q is not an absolute IRI", what, s)
		}
	}
	date := func(what, s string) {
		if _, err := time.Parse(time.RFC3339, s); err != nil {
			t.Errorf("%s %q is not an RFC 3339 date-time: %v", what, s, err)
		}
	}
	text := func(what string, x parsedText) {
		switch x.Type {
		case "", "text", "html", "xhtml":
		default:
			t.Errorf("%s has type %q", what, x.Type)
		}
	}
	links := func(what string, ls []parsedLink) (alternate int) {
		types := map[string]bool{}
		for _, l := range ls {
			iri(what+" link", l.Href)
			if l.Rel == "" || l.Rel == "alternate" {
				alternate++
				if types[l.Type] {
					t.Errorf("%s has two alternate links of type %q", what, l.Type)
				}
				types[l.Type] = true
			}
		}
		return alternate
	}
	one("feed id", len(f.IDs))
	one("feed title", len(f.Titles))
	one("feed updated", len(f.Updated))
	if len(f.IDs) == 1 {
		iri("feed id", f.IDs[0])
	}
	if len(f.Updated) == 1 {
		date("feed updated", f.Updated[0])
	}
	for _, x := range append(f.Titles, f.Subtitle...) {
		text("feed title or subtitle", x)
	}
	for _, a := range f.Authors {
		one("feed author name", len(a.Names))
	}
	links("feed", f.Links)
	ids := map[string]bool{}
	for i, e := range f.Entries {
		what := "entry " + string(rune('0'+i%10))
		one(what+" id", len(e.IDs))
		one(what+" title", len(e.Titles))
		one(what+" updated", len(e.Updated))
		if len(e.IDs) == 1 {
			iri(what+" id", e.IDs[0])
			if ids[e.IDs[0]] {
				t.Errorf("%s: id %s is used twice", what, e.IDs[0])
			}
			ids[e.IDs[0]] = true
		}
		if len(e.Updated) == 1 {
			date(what+" updated", e.Updated[0])
		}
		if len(f.Authors) == 0 && len(e.Authors) == 0 {
			t.Errorf("%s has no author and neither has the feed", what)
		}
		for _, a := range e.Authors {
			one(what+" author name", len(a.Names))
		}
		if alt := links(what, e.Links); alt == 0 && len(e.Content) == 0 {
			t.Errorf("%s has neither content nor a link rel=alternate", what)
		}
		if len(e.Summary) > 1 || len(e.Content) > 1 {
			t.Errorf("%s has %d summaries and %d contents, want at most one each", what, len(e.Summary), len(e.Content))
		}
		for _, x := range append(append(e.Titles, e.Summary...), e.Content...) {
			text(what+" text", x)
		}
	}
	return &f
}

func TestAtomGolden(t *testing.T) {
	got := render(t, atomOf, sample())
	if again := render(t, atomOf, sample()); !bytes.Equal(got, again) {
		t.Fatal("two feeds of the same digest differ")
	}
	golden(t, "sample.atom", got)
}

// TestAtom checks the sample digest's feed: valid, one entry per queued
// paper with its title, link, reason, authors and abstract, times and ids
// as documented, hostile text shown as text.
func TestAtom(t *testing.T) {
	d := sample()
	// a queued paper with authors, an abstract with markup and a link
	d.Queue = append(d.Queue, QueueItem{ID: "2508.00103", Title: "Vision paper 3", URL: "https://arxiv.org/abs/2508.00103", Reason: `because "vision" & <images>`})
	feed := render(t, atomOf, d)
	f := parseAtom(t, feed)
	if f.IDs[0] != uuid5("feed\x00https://example.org/feed.xml") {
		t.Errorf("feed id %s, want the one derived from the feed's address", f.IDs[0])
	}
	if f.Updated[0] != "2025-08-25T00:00:00Z" {
		t.Errorf("feed updated %s, want the list's day", f.Updated[0])
	}
	if f.Titles[0].Text != "papersift: Papers of Monday, 25 August 2025" {
		t.Errorf("feed title %q", f.Titles[0].Text)
	}
	wantLinks := []parsedLink{{"self", "application/atom+xml", "https://example.org/feed.xml"}, {"alternate", "text/html", "https://example.org/today.html"}}
	if len(f.Links) != 2 || f.Links[0] != wantLinks[0] || f.Links[1] != wantLinks[1] {
		t.Errorf("feed links %+v, want %+v", f.Links, wantLinks)
	}
	if len(f.Entries) != len(d.Queue) {
		t.Fatalf("%d entries, want one per queued paper (%d)", len(f.Entries), len(d.Queue))
	}
	cases := []struct {
		title, alternate, summary string
		authors                   []string
		topic                     string
	}{
		{"# Not a heading_with_underscores", "https://example.org/a%20paper%20(v2)", `matches your interest "agents" (0.42)`, []string{"Zoë O'Brien"}, "language <models>, *agents*"},
		{"<script>alert(1)</script>", "https://example.org/today.html#paper-title-abc123", "close to <b>this</b>, which you liked (0.30)", nil, "language <models>, *agents*"},
		{"Vision paper 3", "https://arxiv.org/abs/2508.00103", `because "vision" & <images>`, []string{"Ada Lovelace", "Alan Turing", "Grace Hopper", "Edsger Dijkstra"}, "vision, transformers, images"},
	}
	for i, c := range cases {
		e := f.Entries[i]
		if e.Titles[0].Text != c.title || e.Titles[0].Type != "text" {
			t.Errorf("entry %d: title %q (%s), want %q as text", i, e.Titles[0].Text, e.Titles[0].Type, c.title)
		}
		var alt string
		for _, l := range e.Links {
			if l.Rel == "alternate" {
				alt = l.Href
			}
		}
		if alt != c.alternate {
			t.Errorf("entry %d: alternate link %q, want %q", i, alt, c.alternate)
		}
		if len(e.Summary) != 1 || e.Summary[0].Text != c.summary {
			t.Errorf("entry %d: summary %+v, want %q", i, e.Summary, c.summary)
		}
		var authors []string
		for _, a := range e.Authors {
			authors = append(authors, a.Names...)
		}
		if strings.Join(authors, "|") != strings.Join(c.authors, "|") {
			t.Errorf("entry %d: authors %q, want %q", i, authors, c.authors)
		}
		if len(e.Categories) != 1 || e.Categories[0].Term != c.topic {
			t.Errorf("entry %d: categories %+v, want the topic %q", i, e.Categories, c.topic)
		}
		if e.Updated[0] != "2025-08-25T00:00:00Z" {
			t.Errorf("entry %d: updated %s, want the list's day", i, e.Updated[0])
		}
		if e.IDs[0] != uuid5("entry\x002025-08-25\x00"+d.Queue[i].ID) {
			t.Errorf("entry %d: id %s is not derived from the list and the paper", i, e.IDs[0])
		}
		// the content is HTML whose text is the reason, facts and abstract:
		// no markup from the paper survives as elements
		if len(e.Content) != 1 || e.Content[0].Type != "html" {
			t.Fatalf("entry %d: content %+v, want one of type html", i, e.Content)
		}
		doc, err := xhtml.Parse(strings.NewReader(e.Content[0].Text))
		if err != nil {
			t.Fatal(err)
		}
		walk(doc, func(n *xhtml.Node) {
			if n.Type == xhtml.ElementNode && n.Data != "html" && n.Data != "head" && n.Data != "body" && n.Data != "p" {
				t.Errorf("entry %d: the content has a <%s> element", i, n.Data)
			}
		})
		if got := textOf(doc); !strings.HasPrefix(got, c.summary) {
			t.Errorf("entry %d: the content reads %q, want it to start with the reason", i, got)
		}
	}
	if !strings.Contains(textOf(mustParse(t, f.Entries[1].Content[0].Text)), `<img src=x onerror="alert(2)"> & friends`) {
		t.Error("the abstract with markup does not read as text in the content")
	}
}

func mustParse(t *testing.T, s string) *xhtml.Node {
	t.Helper()
	doc, err := xhtml.Parse(strings.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestAtomIdentity: an entry's id depends on the list and the paper only;
// the feed's on its address, else its list; the time on the options or the
// list's day.
func TestAtomIdentity(t *testing.T) {
	feedOf := func(d *Digest, o AtomOptions) *parsedFeed {
		var b bytes.Buffer
		if err := Atom(&b, d, o); err != nil {
			t.Fatal(err)
		}
		return parseAtom(t, b.Bytes())
	}
	d := sample()
	a := feedOf(d, AtomOptions{})
	// another day's run: same papers, another order, another reason
	d2 := sample()
	d2.Queue[0], d2.Queue[1] = d2.Queue[1], d2.Queue[0]
	d2.Queue[0].Reason = "another reason"
	b := feedOf(d2, AtomOptions{})
	if a.Entries[0].IDs[0] != b.Entries[1].IDs[0] || a.Entries[1].IDs[0] != b.Entries[0].IDs[0] {
		t.Error("an entry's id changes with its rank or reason")
	}
	if a.IDs[0] != b.IDs[0] {
		t.Error("the feed's id changes with its entries")
	}
	d3 := sample()
	d3.List = "2025-08-26"
	c := feedOf(d3, AtomOptions{})
	if c.Entries[0].IDs[0] == a.Entries[0].IDs[0] || c.IDs[0] == a.IDs[0] {
		t.Error("the same paper on another day keeps its entry id, or a feed without an address keeps its id")
	}
	if c.Updated[0] != "2025-08-26T00:00:00Z" {
		t.Errorf("updated %s, want the list's day", c.Updated[0])
	}
	self := AtomOptions{SelfURL: "https://example.org/feed.xml"}
	if feedOf(d, self).IDs[0] != feedOf(d3, self).IDs[0] {
		t.Error("a feed with an address changes its id from day to day")
	}
	at := time.Date(2025, 8, 25, 7, 30, 0, 0, time.FixedZone("CEST", 2*3600))
	e := feedOf(d, AtomOptions{Updated: at, ID: "tag:example.org,2025:digest", Title: "My <papers> & more"})
	if e.Updated[0] != "2025-08-25T05:30:00Z" || e.Entries[0].Updated[0] != "2025-08-25T05:30:00Z" {
		t.Errorf("updated %s and %s, want the time given, in UTC", e.Updated[0], e.Entries[0].Updated[0])
	}
	if e.IDs[0] != "tag:example.org,2025:digest" || e.Titles[0].Text != "My <papers> & more" {
		t.Errorf("id %s, title %q: want the ones given", e.IDs[0], e.Titles[0].Text)
	}
	// a list that is not a day needs a time
	d.List = "my list"
	if err := Atom(&bytes.Buffer{}, d, AtomOptions{}); !errors.Is(err, ErrNoDate) {
		t.Errorf("error %v, want ErrNoDate", err)
	}
	if err := Atom(&bytes.Buffer{}, d, AtomOptions{Updated: at, ID: "not an iri"}); err == nil {
		t.Error("a feed id that is not an IRI is accepted")
	}
	// no profile: a valid feed without entries
	d.Profile, d.Queue = false, nil
	if f := feedOf(d, AtomOptions{Updated: at}); len(f.Entries) != 0 {
		t.Errorf("%d entries without a queue", len(f.Entries))
	}
}

// TestAtomHostile: titles, reasons and names with markup, quotes, control
// characters and invalid UTF-8 reach the reader as text, sanitised.
func TestAtomHostile(t *testing.T) {
	d := sample()
	evil := "Tom & \"Jerry\" <b>'s</b> ]]> \x1b[31mred\x07\u202e\xff\x00"
	d.Queue = []QueueItem{{ID: "x&y", Title: evil, URL: `https://example.org/?a=1&b="2"<`, Reason: evil}}
	d.Clusters[0].Papers[0].ID = "x&y"
	d.Clusters[0].Papers[0].Authors = []string{evil}
	d.Clusters[0].Papers[0].Abstract = evil
	feed := render(t, atomOf, d)
	f := parseAtom(t, feed)
	want := tidy(evil)
	e := f.Entries[0]
	if e.Titles[0].Text != want || e.Summary[0].Text != want || e.Authors[0].Names[0] != want {
		t.Errorf("title %q, summary %q, author %q: want %q", e.Titles[0].Text, e.Summary[0].Text, e.Authors[0].Names[0], want)
	}
	if !strings.Contains(want, "␛[31mred␇") || strings.ContainsAny(want, "\x1b\x07\u202e\x00") {
		t.Errorf("sanitised text %q", want)
	}
	if got := e.Links[0].Href; got != `https://example.org/?a=1&b=%222%22%3C` {
		t.Errorf("link %q does not survive escaping", got)
	}
}
