package ingest

import (
	"strings"
	"testing"
)

// TestArxivRSS reads the announcement feed in both of its forms.
func TestArxivRSS(t *testing.T) {
	l := parseFixture(t, "arxiv-rss.xml", "")
	if l.Format != "arxiv-rss" || l.Date != "2026-08-21" || len(l.Papers) != 3 || l.Replaced != 2 || len(l.Skipped) != 1 {
		t.Fatalf("format %s, day %q, %d papers, %d replaced, skipped %+v; want arxiv-rss, 2026-08-21, 3, 2, 1",
			l.Format, l.Date, len(l.Papers), l.Replaced, l.Skipped)
	}
	checkPaper(t, l.Papers[0], want{ID: "2608.12001", ArxivID: "2608.12001", Title: "Sifting Papers with Small Language Models",
		Abstract: "We sift a day of papers with a small model. Titles & abstracts are embedded, grouped and ranked for one reader; $k$-means labels each group.",
		Authors:  []string{"Ada Lovelace", "Charles Babbage", "Grace Hopper"}, NAuthors: ip(3), Date: "2026-08-21",
		Category: "cs.CL", URL: "https://arxiv.org/abs/2608.12001", Line: 17})
	// a cross-listing: its primary category comes first
	checkPaper(t, l.Papers[1], want{ID: "2608.11877", Title: "Gradient Noise in Long-Context Training",
		Abstract: "Long contexts make gradients noisy; we measure how much.", Authors: []string{"Alan Turing"}, Category: "cs.LG"})
	checkPaper(t, l.Papers[2], want{ID: "2608.12002", Title: "A Corpus of Reading Lists",
		Abstract: "A corpus of 10,000 reading lists <with> their readers' notes.", Authors: []string{"Emmy Noether", "Sofia Kovalevskaya"}})
	if p := l.Papers[2]; p.DOI != "10.5555/example.2026.42" || p.Journal != "Journal of Reading 12 (2026) 1-20" {
		t.Errorf("doi %q journal %q", p.DOI, p.Journal)
	}
	if s := l.Skipped[0]; s.Line != 83 || !strings.Contains(s.Reason, "item 6 (2608.12003) has no abstract") {
		t.Errorf("skipped %+v", s)
	}

	// replacements kept when asked
	k, err := ParseBytes(readFixture(t, "arxiv-rss.xml"), Options{Source: "f", Replacements: true})
	if err != nil || len(k.Papers) != 5 || k.Replaced != 0 || k.Papers[3].ID != "2501.01234" || k.Papers[4].Category != "eess.AS" {
		t.Errorf("with replacements: %v, %+v", err, k)
	}

	// the Atom form; a paper listed twice (cross in one category, new in the other) is one
	a := parseFixture(t, "arxiv-announce.atom.xml", "")
	if a.Format != "arxiv-rss" || a.Date != "2026-08-21" || len(a.Papers) != 2 || a.Replaced != 1 || len(a.Warnings) != 0 {
		t.Fatalf("atom: format %s, day %q, %d papers, %d replaced, warnings %+v", a.Format, a.Date, len(a.Papers), a.Replaced, a.Warnings)
	}
	checkPaper(t, a.Papers[0], want{ID: "2608.11877", Title: "Gradient Noise in Long-Context Training",
		Abstract: "Long contexts make gradients noisy; we measure how much.", Category: "cs.LG", Date: "2026-08-21", Line: 8})
	checkPaper(t, a.Papers[1], want{ID: "2608.12001", Title: "Sifting Papers with Small Language Models",
		Abstract: "We sift a day of papers with a small model.", Authors: []string{"Ada Lovelace", "Charles Babbage", "Grace Hopper"}})
}

// TestArxivRSSShapes: descriptions, titles and authors in the shapes seen.
func TestArxivRSSShapes(t *testing.T) {
	item := func(inner string) string {
		return `<rss version="2.0" xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>` +
			`<pubDate>Mon, 24 Aug 2026 00:00:00 -0400</pubDate><item>` + inner + `</item></channel></rss>`
	}
	tests := []struct {
		name, data                          string
		id, title, abstract, date, category string
		authors                             []string
	}{
		{name: "one line description", data: item(`<title>T</title><link>https://arxiv.org/abs/2608.00001</link>` +
			`<description>arXiv:2608.00001v2 Announce Type: new Abstract: One line.</description>`),
			id: "2608.00001", title: "T", abstract: "One line.", date: "2026-08-24"},
		{name: "no description head", data: item(`<title>T</title><guid>oai:arXiv.org:2608.00002v1</guid><description>Just an abstract.</description><dc:creator>A B and C D</dc:creator>`),
			id: "2608.00002", title: "T", abstract: "Just an abstract.", date: "2026-08-24", authors: []string{"A B", "C D"}},
		{name: "old title suffix", data: item(`<title>Old Style. (arXiv:2401.00001v1 [cs.CL] UPDATED)</title><link>https://arxiv.org/abs/2401.00001</link><description>Text.</description><category>cs.CL</category><pubDate>Tue, 25 Aug 2026 00:00:00 -0400</pubDate>`),
			id: "2401.00001", title: "Old Style.", abstract: "Text.", date: "2026-08-25", category: "cs.CL"},
		{name: "old-style id", data: item(`<title>T</title><description>arXiv:hep-th/9901001v2 Announce Type: cross Abstract: Old id.</description>`),
			id: "hep-th/9901001", title: "T", abstract: "Old id.", date: "2026-08-24"},
		{name: "no arXiv id", data: item(`<title>T</title><link>https://example.org/x</link><description>D.</description>`),
			id: "https://example.org/x", title: "T", abstract: "D.", date: "2026-08-24"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := ParseBytes([]byte(tt.data), Options{Source: "s"})
			if err != nil {
				t.Fatal(err)
			}
			if l.Format != "arxiv-rss" || len(l.Papers) != 1 {
				t.Fatalf("%s, %d papers", l.Format, len(l.Papers))
			}
			checkPaper(t, l.Papers[0], want{ID: tt.id, Title: tt.title, Abstract: tt.abstract, Date: tt.date, Category: tt.category, Authors: tt.authors})
		})
	}
}

// TestArxivRSSBad: what is not an announcement feed fails by line.
func TestArxivRSSBad(t *testing.T) {
	tests := []struct {
		name, data string
		line       int
		msg        string
	}{
		{"empty feed", string(readFixture(t, "arxiv-rss-empty.xml")), 0, "no papers in it"},
		{"only replacements", `<rss version="2.0"><channel><item><title>T</title><description>arXiv:2401.00001v2 Announce Type: replace Abstract: A.</description></item></channel></rss>`, 0, "its 1 announcements are all replacements"},
		{"RDF", "<?xml version=\"1.0\"?>\n<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"></rdf:RDF>", 2, "RSS 1.0"},
		{"other root", "<channel></channel>", 1, "not <rss> or an Atom <feed>"},
		{"DTD", "<?xml version=\"1.0\"?>\n<!DOCTYPE rss [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<rss><channel><item><title>&x;</title></item></channel></rss>", 2, "not followed"},
		{"truncated", "<rss version=\"2.0\">\n<channel>\n<item><title>T", 3, "XML"},
		{"text", "rss", 1, "not XML"},
		{"encoding", `<?xml version="1.0" encoding="ISO-8859-1"?><rss></rss>`, 1, "ISO-8859-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseBytes([]byte(tt.data), Options{Source: "bad.xml", Format: "arxiv-rss"})
			pe, ok := err.(*ParseError)
			if !ok || pe.Line != tt.line || !strings.Contains(pe.Msg, tt.msg) {
				t.Errorf("got %v; want bad.xml:%d: ...%s", err, tt.line, tt.msg)
			}
		})
	}
}

func TestDetectArxivRSS(t *testing.T) {
	tests := []struct {
		data string
		hint Hint
		want string
	}{
		{data: string(readFixture(t, "arxiv-rss.xml")), want: "arxiv-rss"},
		{data: string(readFixture(t, "arxiv-announce.atom.xml")), want: "arxiv-rss"},
		{data: string(readFixture(t, "feed.atom.xml")), want: "arxiv"},
		{data: `<rss xmlns:arxiv="http://arxiv.org/schemas/atom" version="2.0"/>`, want: "arxiv-rss"},
		{data: "just words\n", hint: Hint{ContentType: "application/rss+xml; charset=utf-8"}, want: "arxiv-rss"},
		{data: "just words\n", hint: Hint{Name: "cs.CL.rss"}, want: "arxiv-rss"},
	}
	for _, tt := range tests {
		if got, err := Detect([]byte(tt.data), tt.hint); err != nil || got != tt.want {
			t.Errorf("Detect(%.40q) = %q, %v; want %q", tt.data, got, err, tt.want)
		}
	}
}
