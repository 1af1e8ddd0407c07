package digest

import (
	"bytes"
	"strings"
	"testing"

	xhtml "golang.org/x/net/html"
)

// TestBigPage renders synthetic lists of 100,000 papers (long abstracts,
// four authors each) in few topics, in many, and in one topic per paper:
// the HTML page and the Markdown stay within a few MB, every topic is
// accounted for, every paper of a topic is shown, indexed or counted, the
// liked and queued papers are shown in full, and the map's links lead to
// entries on the page.
func TestBigPage(t *testing.T) {
	cases := []struct {
		name  string
		n, k  int
		limit int // bytes, HTML and Markdown
	}{
		{"20 topics", 100000, 20, 3 << 20},
		{"5,000 topics", 100000, 5000, 3 << 20},
		{"a topic per paper", 100000, 100000, 3 << 20},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := bigDigest(c.n, c.k)
			page := render(t, htmlOf, d)
			md := render(t, mdOf, d)
			t.Logf("%s papers in %s topics: HTML %s bytes, Markdown %s bytes", count(c.n), count(c.k), count(len(page)), count(len(md)))
			if len(page) > c.limit || len(md) > c.limit {
				t.Errorf("HTML %d bytes, Markdown %d bytes; want at most %d", len(page), len(md), c.limit)
			}
			pl := d.plan()
			if len(pl.topics) != min(c.k, maxSections) {
				t.Errorf("%d topics with a section, want %d", len(pl.topics), min(c.k, maxSections))
			}
			for i, tp := range pl.topics {
				if got := len(tp.full) + len(tp.index) + tp.rest; got != len(d.Clusters[i].Papers) {
					t.Errorf("topic %d: %d shown, indexed or counted, want its %d papers", i, got, len(d.Clusters[i].Papers))
				}
			}
			doc := parse(t, page)
			ids := map[string]*xhtml.Node{}
			var sections, points, others int
			var hrefs []string
			walk(doc, func(n *xhtml.Node) {
				if n.Type != xhtml.ElementNode {
					return
				}
				if id := attr(n, "id"); id != "" {
					ids[id] = n
				}
				switch {
				case n.Data == "section" && hasClass(n, "cluster"):
					sections++
				case n.Data == "a" && hasClass(n, "pt"):
					points++
					hrefs = append(hrefs, attr(n, "href"))
				case n.Data == "section" && hasClass(n, "others"):
					walk(n, func(x *xhtml.Node) {
						if x.Type == xhtml.ElementNode && x.Data == "li" {
							others++
						}
					})
				}
			})
			if sections != len(pl.topics) {
				t.Errorf("%d topic sections, want %d", sections, len(pl.topics))
			}
			if want := min(c.k-len(pl.topics), maxOtherTopics); others != want {
				t.Errorf("%d other topics listed, want %d", others, want)
			}
			if points == 0 || points > mapMax {
				t.Errorf("%d map points, want 1 to %d", points, mapMax)
			}
			for _, h := range hrefs {
				if ids[strings.TrimPrefix(h, "#")] == nil {
					t.Fatalf("a map point links to %q, which is not on the page", h)
				}
			}
			for _, q := range d.Queue {
				for ti, tp := range pl.topics {
					for _, i := range tp.index {
						if d.Clusters[ti].Papers[i].ID == q.ID {
							t.Errorf("queued paper %s is only indexed", q.ID)
						}
					}
				}
			}
			rest := 0
			for _, tp := range pl.topics {
				rest += tp.rest
			}
			if rest > 0 && !bytes.Contains(page, []byte("more papers, not listed here.")) {
				t.Error("the page does not count the papers it leaves out")
			}
			if !bytes.Contains(md, []byte("A long list:")) || !bytes.Contains(page, []byte("A long list:")) {
				t.Error("the page or the Markdown does not say that it shows part of a long list")
			}
		})
	}
}

// TestBigPageThreshold: a list of 2,000 papers is shown whole, one more
// paper makes it a long list.
func TestBigPageThreshold(t *testing.T) {
	d := bigDigest(bigList, 10)
	if pl := d.plan(); pl.big {
		t.Errorf("a list of %d papers is a long list", bigList)
	}
	d = bigDigest(bigList+1, 10)
	pl := d.plan()
	if !pl.big {
		t.Fatalf("a list of %d papers is not a long list", bigList+1)
	}
	var full, index int
	for _, tp := range pl.topics {
		full += len(tp.full)
		index += len(tp.index)
	}
	if full > fullBudget+maxPromoted || index > indexBudget {
		t.Errorf("%d papers in full and %d indexed, want at most %d and %d", full, index, fullBudget+maxPromoted, indexBudget)
	}
}

func TestCount(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -4500: "-4,500"} {
		if got := count(n); got != want {
			t.Errorf("count(%d) = %q, want %q", n, got, want)
		}
	}
}

// BenchmarkHTML100k renders the page of a 100,000-paper list.
func BenchmarkHTML100k(b *testing.B) {
	d := bigDigest(100000, 20)
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := HTML(&buf, d); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len()), "bytes/page")
}

// BenchmarkMarkdown100k renders the Markdown of a 100,000-paper list.
func BenchmarkMarkdown100k(b *testing.B) {
	d := bigDigest(100000, 20)
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := Markdown(&buf, d); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len()), "bytes/page")
}

// OnPage names exactly the papers a big page renders: a page built from
// them alone, every other paper carrying only its id and title, is the
// same page.
func TestOnPage(t *testing.T) {
	d := bigDigest(20000, 20)
	full := render(t, htmlOf, d)
	lean := bigDigest(20000, 20)
	on := map[[2]int]bool{}
	lean.OnPage(func(t, i int) { on[[2]int{t, i}] = true })
	if len(on) == 0 || len(on) >= lean.N()/2 {
		t.Fatalf("OnPage names %d of %d papers", len(on), lean.N())
	}
	for ti := range lean.Clusters {
		for i := range lean.Clusters[ti].Papers {
			if !on[[2]int{ti, i}] {
				p := &lean.Clusters[ti].Papers[i]
				*p = Paper{ID: p.ID, Title: p.Title, Liked: p.Liked, X: p.X, Y: p.Y}
			}
		}
	}
	if got := render(t, htmlOf, lean); !bytes.Equal(got, full) {
		t.Error("the page of the papers OnPage names differs from the full page")
	}
}
