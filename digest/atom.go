package digest

import (
	"bufio"
	"crypto/sha1"
	"encoding/xml"
	"errors"
	"fmt"
	"html"
	"io"
	"net/url"
	"strings"
	"time"
)

// AtomOptions describe a digest's Atom feed beyond the digest itself. The
// zero value is a feed that names no address.
type AtomOptions struct {
	// Updated is when the digest was made: the feed's and every entry's
	// updated time. Zero means the digest's day (its List, YYYY-MM-DD) at
	// midnight UTC; a digest whose list is not a day needs it.
	Updated time.Time
	// ID is the feed's permanent identity, an absolute IRI. Default: a
	// urn:uuid derived from SelfURL, else from the list's name. Set SelfURL
	// or ID for a feed that keeps its identity from day to day.
	ID string
	// Title is the feed's title (default: "papersift: " and the page's
	// heading).
	Title string
	// SelfURL is where the feed is published (its link rel="self");
	// PageURL is where the digest's HTML page is (the feed's link
	// rel="alternate", and each entry's link to the paper on that page).
	// Only absolute http(s) links are written.
	SelfURL, PageURL string
}

// ErrNoDate is returned by Atom for a digest whose list is not a day when
// AtomOptions.Updated is zero: a feed needs a time.
var ErrNoDate = errors.New("digest: atom: the list is not a day (YYYY-MM-DD) and AtomOptions.Updated is zero")

// atomNS is Atom's XML namespace (RFC 4287).
const atomNS = "http://www.w3.org/2005/Atom"

type atomFeed struct {
	XMLName   xml.Name     `xml:"http://www.w3.org/2005/Atom feed"`
	ID        string       `xml:"id"`
	Title     atomText     `xml:"title"`
	Subtitle  atomText     `xml:"subtitle"`
	Updated   string       `xml:"updated"`
	Authors   []atomPerson `xml:"author"`
	Generator string       `xml:"generator"`
	Links     []atomLink   `xml:"link"`
	Entries   []atomEntry  `xml:"entry"`
}

type atomEntry struct {
	ID         string         `xml:"id"`
	Title      atomText       `xml:"title"`
	Updated    string         `xml:"updated"`
	Authors    []atomPerson   `xml:"author"`
	Links      []atomLink     `xml:"link"`
	Categories []atomCategory `xml:"category"`
	Summary    atomText       `xml:"summary"`
	Content    atomText       `xml:"content"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Text string `xml:",chardata"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomCategory struct {
	Term  string `xml:"term,attr"`
	Label string `xml:"label,attr,omitempty"`
}

// Atom writes the digest's reading queue as an Atom feed (RFC 4287) that a
// feed reader can subscribe to: one entry per queued paper, best first, with
// its title, a link to its page, its authors, its topic, why it is queued
// (the summary) and that reason with the paper's facts and abstract (the
// content). A digest without a profile has no queue, so its feed has no
// entries.
//
// The same digest and options give the same bytes: an entry's id depends
// only on the list and the paper (the same paper on the same day keeps its
// id from run to run), and its time is opt.Updated or the list's day. Text
// is sanitised as on the page (no control character reaches the feed) and
// escaped by encoding/xml.
func Atom(w io.Writer, d *Digest, opt AtomOptions) error {
	updated := opt.Updated
	if updated.IsZero() {
		t, err := time.Parse("2006-01-02", d.List)
		if err != nil {
			return ErrNoDate
		}
		updated = t
	}
	stamp := updated.UTC().Format(time.RFC3339)
	self, page := iri(opt.SelfURL), iri(opt.PageURL)
	f := atomFeed{
		ID:        opt.ID,
		Title:     atomText{Type: "text", Text: tidy(opt.Title)},
		Subtitle:  atomText{Type: "text", Text: d.summary()},
		Updated:   stamp,
		Authors:   []atomPerson{{Name: "papersift"}},
		Generator: "papersift",
	}
	if f.Title.Text == "" {
		f.Title.Text = "papersift: " + d.heading()
	}
	switch {
	case f.ID != "" && !absolute(f.ID):
		return fmt.Errorf("digest: atom: the feed's id %q is not an absolute IRI", opt.ID)
	case f.ID != "":
	case self != "":
		f.ID = uuid5("feed\x00" + self)
	default:
		f.ID = uuid5("feed\x00list\x00" + d.List)
	}
	if self != "" {
		f.Links = append(f.Links, atomLink{Rel: "self", Type: "application/atom+xml", Href: self})
	}
	if page != "" {
		f.Links = append(f.Links, atomLink{Rel: "alternate", Type: "text/html", Href: page})
	}
	// what the page shows of each queued paper
	pl := d.plan()
	anchor := anchors(d, pl)
	type found struct {
		p     *Paper
		topic string
	}
	byID := make(map[string]found, len(d.Queue))
	for _, q := range d.Queue {
		byID[q.ID] = found{}
	}
	for t := range d.Clusters {
		for i := range d.Clusters[t].Papers {
			p := &d.Clusters[t].Papers[i]
			if fd, ok := byID[p.ID]; ok && fd.p == nil {
				byID[p.ID] = found{p, tidy(d.Clusters[t].Label)}
			}
		}
	}
	seen := map[string]bool{}
	for _, q := range d.Queue {
		if seen[q.ID] {
			continue // one entry per paper
		}
		seen[q.ID] = true
		e := atomEntry{
			ID:      uuid5("entry\x00" + d.List + "\x00" + q.ID),
			Title:   atomText{Type: "text", Text: tidy(q.Title)},
			Updated: stamp,
			Summary: atomText{Type: "text", Text: tidy(q.Reason)},
		}
		fp := byID[q.ID]
		u := iri(q.URL)
		if u == "" && fp.p != nil {
			u = iri(fp.p.URL)
		}
		onPage := ""
		if page != "" && anchor[q.ID] != "" {
			onPage = strings.SplitN(page, "#", 2)[0] + "#" + anchor[q.ID]
		}
		switch {
		case u != "":
			e.Links = append(e.Links, atomLink{Rel: "alternate", Type: "text/html", Href: u})
			if onPage != "" {
				e.Links = append(e.Links, atomLink{Rel: "related", Type: "text/html", Href: onPage})
			}
		case onPage != "":
			e.Links = append(e.Links, atomLink{Rel: "alternate", Type: "text/html", Href: onPage})
		}
		var b strings.Builder
		if e.Summary.Text != "" {
			fmt.Fprintf(&b, "<p>%s</p>", html.EscapeString(e.Summary.Text))
		}
		if p := fp.p; p != nil {
			for _, a := range p.Authors {
				if a := tidy(a); a != "" {
					e.Authors = append(e.Authors, atomPerson{Name: a})
				}
			}
			if len(e.Authors) == 0 && tidy(p.Org) != "" {
				e.Authors = append(e.Authors, atomPerson{Name: tidy(p.Org)})
			}
			if fp.topic != "" {
				e.Categories = append(e.Categories, atomCategory{Term: fp.topic, Label: "Topic: " + fp.topic})
			}
			if facts := p.facts(); len(facts) > 0 {
				fmt.Fprintf(&b, "<p>%s</p>", html.EscapeString(strings.Join(facts, " · ")))
			}
			if a := tidy(p.Abstract); a != "" {
				fmt.Fprintf(&b, "<p>%s</p>", html.EscapeString(a))
			}
		}
		e.Content = atomText{Type: "html", Text: b.String()}
		f.Entries = append(f.Entries, e)
	}
	bw := bufio.NewWriter(w)
	bw.WriteString(xml.Header)
	enc := xml.NewEncoder(bw)
	enc.Indent("", "  ")
	if err := enc.Encode(f); err != nil {
		return fmt.Errorf("digest: atom: %w", err)
	}
	bw.WriteString("\n")
	return bw.Flush()
}

// iri is link(u) with the characters an IRI may not hold (RFC 3987: space,
// controls, <, >, ", {, }, |, \, ^, `) percent-encoded; "" for a link that
// is not http(s).
func iri(u string) string {
	u = link(u)
	var b strings.Builder
	for i := 0; i < len(u); i++ {
		c := u[i]
		if c <= ' ' || c == 0x7f || strings.IndexByte("<>\"{}|\\^`", c) >= 0 {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// absolute reports whether s is an absolute IRI (a scheme and more).
func absolute(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Scheme != "" && (u.Opaque != "" || u.Host != "" || u.Path != "")
}

// uuid5 is a name-based UUID (RFC 9562, version 5) of name in papersift's
// namespace for digests, as a URN: the same name, the same id.
func uuid5(name string) string {
	u := nameUUID(digestNS, name)
	return fmt.Sprintf("urn:uuid:%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

// digestNS is the namespace of uuid5: the version 5 UUID of "papersift
// digest" in the URL namespace (6ba7b811-9dad-11d1-80b4-00c04fd430c8).
var digestNS = nameUUID([16]byte{0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}, "papersift digest")

func nameUUID(ns [16]byte, name string) [16]byte {
	h := sha1.New()
	h.Write(ns[:])
	h.Write([]byte(name))
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50 // version 5
	u[8] = u[8]&0x3f | 0x80 // the RFC's variant
	return u
}
