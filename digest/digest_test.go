package digest

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
	xhtml "golang.org/x/net/html"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func intp(n int) *int { return &n }

// sample is a small digest with every kind of paper the page must handle.
func sample() *Digest {
	d := &Digest{
		List:      "2025-08-25",
		Model:     "local-test",
		Profile:   true,
		Explained: [2]float64{0.31, 0.12},
	}
	big := Cluster{Label: "vision, transformers, images", Terms: []string{"vision", "transformers", "images", "patches", "pixels"}}
	for i := 0; i < 13; i++ {
		big.Papers = append(big.Papers, Paper{
			ID:       fmt.Sprintf("2508.%05d", 100+i),
			Title:    fmt.Sprintf("Vision paper %d", i),
			Abstract: "We look at images.",
			URL:      fmt.Sprintf("https://arxiv.org/abs/2508.%05d", 100+i),
			Authors:  []string{"Ada Lovelace", "Alan Turing", "Grace Hopper", "Edsger Dijkstra"}[:1+i%4],
			Date:     "2025-08-25",
			Upvotes:  intp(i),
			Liked:    i == 1,
			X:        float64(i%5) - 4, Y: float64(i / 5),
		})
	}
	tricky := Cluster{Label: "language <models>, *agents*", Terms: []string{"language", "models", "agents"}, Papers: []Paper{
		{ID: "title-abc123", Title: "<script>alert(1)</script>", Abstract: `<img src=x onerror="alert(2)"> & friends`, NAuthors: 8, Date: "2025-08-24", Comments: intp(1), X: 3, Y: -2},
		{ID: "evil link", Title: "1. Not a list [or a link](http://x)", URL: "javascript:alert(3)", Org: "ACME <Labs>", X: 4, Y: -1.5},
		{ID: "2508.00001", Title: "# Not a heading_with_underscores", URL: "https://example.org/a paper (v2)", Authors: []string{"Zoë O'Brien"}, Comments: intp(0), X: 3.5, Y: -3},
	}}
	lone := Cluster{Label: "robots", Terms: []string{"robots"}, Papers: []Paper{
		{ID: "robot/1", Title: "A robot", Abstract: "", X: -4, Y: 3},
	}}
	d.Clusters = []Cluster{big, tricky, lone}
	d.Queue = []QueueItem{
		{ID: "2508.00001", Title: "# Not a heading_with_underscores", URL: "https://example.org/a paper (v2)", Reason: `matches your interest "agents" (0.42)`},
		{ID: "title-abc123", Title: "<script>alert(1)</script>", Reason: "close to <b>this</b>, which you liked (0.30)"},
	}
	return d
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./digest -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run go test ./digest -update after checking the change):\n%s", name, firstDiff(got, want))
	}
}

func firstDiff(got, want []byte) string {
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := 0; i < max(len(g), len(w)); i++ {
		var a, b string
		if i < len(g) {
			a = g[i]
		}
		if i < len(w) {
			b = w[i]
		}
		if a != b {
			return fmt.Sprintf("line %d:\n got: %s\nwant: %s", i+1, a, b)
		}
	}
	return "(same lines)"
}

func render(t *testing.T, f func(*bytes.Buffer, *Digest) error, d *Digest) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := f(&b, d); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func htmlOf(b *bytes.Buffer, d *Digest) error { return HTML(b, d) }
func mdOf(b *bytes.Buffer, d *Digest) error   { return Markdown(b, d) }

func TestGolden(t *testing.T) {
	noProfile := sample()
	noProfile.Profile, noProfile.Queue = false, nil
	noProfile.List = "my list"
	cases := []struct {
		name string
		d    *Digest
		f    func(*bytes.Buffer, *Digest) error
	}{
		{"sample.html", sample(), htmlOf},
		{"sample.md", sample(), mdOf},
		{"noprofile.html", noProfile, htmlOf},
		{"noprofile.md", noProfile, mdOf},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := render(t, c.f, c.d)
			again := render(t, c.f, c.d)
			if !bytes.Equal(got, again) {
				t.Fatal("two renderings of the same digest differ")
			}
			golden(t, c.name, got)
		})
	}
}

// parse parses a page as a browser would.
func parse(t *testing.T, page []byte) *xhtml.Node {
	t.Helper()
	doc, err := xhtml.Parse(bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func attr(n *xhtml.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasClass(n *xhtml.Node, c string) bool {
	for _, x := range strings.Fields(attr(n, "class")) {
		if x == c {
			return true
		}
	}
	return false
}

func walk(n *xhtml.Node, f func(*xhtml.Node)) {
	f(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, f)
	}
}

func textOf(n *xhtml.Node) string {
	var b strings.Builder
	walk(n, func(x *xhtml.Node) {
		if x.Type == xhtml.TextNode {
			b.WriteString(x.Data)
		}
	})
	return b.String()
}

func TestHTMLStructure(t *testing.T) {
	d := sample()
	doc := parse(t, render(t, htmlOf, d))
	ids := map[string]*xhtml.Node{}
	var points, sections, scripts, handlers []*xhtml.Node
	walk(doc, func(n *xhtml.Node) {
		if n.Type != xhtml.ElementNode {
			return
		}
		if id := attr(n, "id"); id != "" {
			if ids[id] != nil {
				t.Errorf("id %q is used twice", id)
			}
			ids[id] = n
		}
		switch {
		case n.Data == "script", n.Data == "iframe", n.Data == "img", n.Data == "link":
			scripts = append(scripts, n)
		case n.Data == "a" && hasClass(n, "pt"):
			points = append(points, n)
		case n.Data == "section" && hasClass(n, "cluster"):
			sections = append(sections, n)
		}
		for _, a := range n.Attr {
			if strings.HasPrefix(a.Key, "on") || strings.HasPrefix(strings.TrimSpace(a.Val), "javascript:") {
				handlers = append(handlers, n)
			}
		}
	})
	if len(scripts) > 0 {
		t.Errorf("the page has %d script, iframe, img or link elements; want none", len(scripts))
	}
	if len(handlers) > 0 {
		t.Errorf("the page has %d elements with event handlers or javascript: links", len(handlers))
	}
	if len(points) != d.N() {
		t.Errorf("%d map points, want one per paper (%d)", len(points), d.N())
	}
	if len(sections) != len(d.Clusters) {
		t.Errorf("%d topic sections, want %d", len(sections), len(d.Clusters))
	}
	// every point's title (shown on hover, tap or click) names its paper
	// and links to its entry; the point is focusable (a tap focuses it) but
	// not in the tab order
	for i, pt := range points {
		href := attr(pt, "href")
		entry := ids[strings.TrimPrefix(href, "#")]
		if !strings.HasPrefix(href, "#") || entry == nil || !hasClass(entry, "paper") {
			t.Errorf("point %d links to %q, which is no paper entry", i, href)
			continue
		}
		tip, dot := pt.Parent, pt.Parent.Parent
		if !hasClass(tip, "tip") || !hasClass(dot, "dot") || attr(dot, "tabindex") != "-1" {
			t.Errorf("point %d: the link is not in the tip of a focusable dot", i)
		}
		title := textOf(pt)
		var entryTitle string
		walk(entry, func(n *xhtml.Node) {
			if n.Type == xhtml.ElementNode && hasClass(n, "title") && entryTitle == "" {
				entryTitle = textOf(n)
			}
		})
		if title == "" || title != entryTitle {
			t.Errorf("point %d: title %q does not name its paper %q", i, title, entryTitle)
		}
	}
	// the tricky titles are text, not markup
	var sawScript, sawImg bool
	walk(doc, func(n *xhtml.Node) {
		if n.Type == xhtml.TextNode && strings.Contains(n.Data, "<script>alert(1)</script>") {
			sawScript = true
		}
		if n.Type == xhtml.TextNode && strings.Contains(n.Data, `<img src=x onerror="alert(2)">`) {
			sawImg = true
		}
	})
	if !sawScript || !sawImg {
		t.Errorf("the title and abstract with markup do not show as text (title %v, abstract %v)", sawScript, sawImg)
	}
	// links: a paper's title links to its page only when it is http(s)
	for _, p := range []struct {
		anchor, href string
	}{
		{"paper-2508.00100", "https://arxiv.org/abs/2508.00100"},
		{"paper-evil-link", ""},
		{"paper-title-abc123", ""},
		{"paper-2508.00001", "https://example.org/a%20paper%20%28v2%29"}, // as html/template normalises it
	} {
		entry := ids[p.anchor]
		if entry == nil {
			t.Errorf("no entry %s", p.anchor)
			continue
		}
		var got string
		walk(entry, func(n *xhtml.Node) {
			if n.Type == xhtml.ElementNode && n.Data == "a" && hasClass(n, "title") {
				got = attr(n, "href")
			}
		})
		if got != p.href {
			t.Errorf("%s: title links to %q, want %q", p.anchor, got, p.href)
		}
	}
	// the long topic folds away all but the first papers; short ones do not
	var folded []int
	for _, s := range sections {
		n := 0
		walk(s, func(x *xhtml.Node) {
			if x.Type == xhtml.ElementNode && x.Data == "details" && hasClass(x, "more") {
				walk(x, func(y *xhtml.Node) {
					if y.Type == xhtml.ElementNode && hasClass(y, "paper") {
						n++
					}
				})
			}
		})
		folded = append(folded, n)
	}
	if fmt.Sprint(folded) != fmt.Sprint([]int{13 - shown, 0, 0}) {
		t.Errorf("papers folded per topic: %v, want [%d 0 0]", folded, 13-shown)
	}
	for _, want := range []string{"queue", "map", "topics", "map-title", "map-desc"} {
		if ids[want] == nil {
			t.Errorf("no element with id %q", want)
		}
	}
	if svg := ids["map-title"].Parent; attr(svg, "role") != "img" || attr(svg, "aria-labelledby") == "" {
		t.Errorf("the map has no accessible name (role %q, aria-labelledby %q)", attr(svg, "role"), attr(svg, "aria-labelledby"))
	}
}

func TestHTMLNoProfile(t *testing.T) {
	d := sample()
	d.Profile, d.Queue = false, nil
	page := render(t, htmlOf, d)
	if bytes.Contains(page, []byte(`id="queue"`)) {
		t.Error("a digest without a profile shows a reading queue")
	}
	d.Profile = true
	page = render(t, htmlOf, d)
	if !bytes.Contains(page, []byte(`id="queue"`)) || !bytes.Contains(page, []byte("Nothing left to read")) {
		t.Error("a profile with an empty queue does not say so")
	}
}

func TestHTMLEmpty(t *testing.T) {
	page := render(t, htmlOf, &Digest{List: "2025-01-01"})
	if !bytes.Contains(page, []byte("0 papers in 0 topics")) {
		t.Errorf("an empty digest does not say it is empty:\n%s", page)
	}
}

// TestMarkdownCommonMark renders the Markdown with goldmark (CommonMark)
// and checks that every paper with an http(s) link is one link with its
// title as text, and that no markup or HTML leaks from titles.
func TestMarkdownCommonMark(t *testing.T) {
	d := sample()
	src := render(t, mdOf, d)
	md := goldmark.New(goldmark.WithRendererOptions(html.WithUnsafe()))
	doc := md.Parser().Parse(text.NewReader(src))

	links := map[string][]string{} // text -> destinations
	var rawHTML int
	var headings []string
	var items []string
	err := ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Link:
			links[plain(n, src)] = append(links[plain(n, src)], string(n.Destination))
		case *ast.RawHTML, *ast.HTMLBlock, *ast.AutoLink, *ast.Image:
			rawHTML++
		case *ast.Heading:
			headings = append(headings, fmt.Sprintf("%d %s", n.Level, plain(n, src)))
		case *ast.ListItem:
			items = append(items, plain(n, src))
		}
		return ast.WalkContinue, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if rawHTML > 0 {
		t.Errorf("%d raw HTML, autolink or image nodes; want none", rawHTML)
	}
	nLinks := 0
	for _, c := range d.Clusters {
		for _, p := range c.Papers {
			u := link(p.URL)
			if u == "" {
				if len(links[p.Title]) > 0 {
					t.Errorf("%q is linked to %v; it has no http(s) link", p.Title, links[p.Title])
				}
				continue
			}
			nLinks++
			want := strings.NewReplacer(" ", "%20", "(", "%28", ")", "%29").Replace(u)
			if !contains(links[p.Title], want) {
				t.Errorf("%q: links %v, want one to %s", p.Title, links[p.Title], want)
			}
		}
	}
	total := 0
	for _, ds := range links {
		total += len(ds)
	}
	if wantTotal := nLinks + 1; total != wantTotal { // one queue item has a link
		t.Errorf("%d links, want %d (every linked paper once, and the linked queue item)", total, wantTotal)
	}
	wantHeadings := []string{
		"1 Papers of Monday, 25 August 2025",
		"2 Read first",
		"2 vision, transformers, images (13 papers)",
		"2 language <models>, *agents* (3 papers)",
		"2 robots (1 paper)",
	}
	if fmt.Sprint(headings) != fmt.Sprint(wantHeadings) {
		t.Errorf("headings:\n got %q\nwant %q", headings, wantHeadings)
	}
	if len(items) != d.N()+len(d.Queue) {
		t.Errorf("%d list items, want one per paper and queue item (%d)", len(items), d.N()+len(d.Queue))
	}
	var out bytes.Buffer
	if err := md.Convert(src, &out); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(out.Bytes(), []byte("<script")) || bytes.Contains(out.Bytes(), []byte("<img")) || bytes.Contains(out.Bytes(), []byte("<b>")) {
		t.Errorf("markup from a title leaked into the rendered HTML:\n%s", out.Bytes())
	}
	if !bytes.Contains(out.Bytes(), []byte("&lt;script&gt;alert(1)&lt;/script&gt;")) {
		t.Errorf("the title <script>alert(1)</script> does not show as text:\n%s", out.Bytes())
	}
}

// plain is the text of n's inline children as a reader sees it.
func plain(n ast.Node, src []byte) string {
	var b strings.Builder
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch c := c.(type) {
		case *ast.Text:
			b.Write(util.UnescapePunctuations(c.Segment.Value(src)))
			if c.SoftLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(c.Value)
		}
		return ast.WalkContinue, nil
	})
	return b.String()
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func TestMDText(t *testing.T) {
	md := goldmark.New()
	cases := []string{
		"# heading", "- item", "+ item", "1. first", "12) twelfth", "> quote", "a *b* _c_ `d`",
		"[x](http://y)", "![i](j)", "<b>bold</b>", "a & b &amp; c", "a | b", "~~gone~~", `back\slash`,
		"=== setext", "plain text: with colon", "2024. A year", "C++ and C#", "<http://auto.link>",
		"3)", "0.799", "1.5B parameters",
	}
	for _, s := range cases {
		var out bytes.Buffer
		if err := md.Convert([]byte("- "+mdText(s)+"\n"), &out); err != nil {
			t.Fatal(err)
		}
		want := "<ul>\n<li>" + xhtml.EscapeString(s) + "</li>\n</ul>\n"
		want = strings.ReplaceAll(want, "&#39;", "'")
		got := strings.ReplaceAll(out.String(), "&quot;", "&#34;")
		if got != want {
			t.Errorf("mdText(%q) = %q renders as\n%s\nwant\n%s", s, mdText(s), got, want)
		}
	}
	// a number is no list marker, and reads as itself in the file
	for _, s := range []string{"0.799", "1.5B parameters", "2)x"} {
		if got := mdText(s); got != s {
			t.Errorf("mdText(%q) = %q, want it unescaped", s, got)
		}
	}
}

func TestAnchors(t *testing.T) {
	d := &Digest{Clusters: []Cluster{
		{Papers: []Paper{{ID: "2405.12345"}, {ID: "a b"}, {ID: "a/b"}}},
		{Papers: []Paper{{ID: "a-b"}, {ID: "é"}}},
	}}
	got := anchors(d, d.plan())
	want := map[string]string{"2405.12345": "paper-2405.12345", "a b": "paper-a-b", "a/b": "paper-a-b-2", "a-b": "paper-a-b-3", "é": "paper--"}
	for id, a := range want {
		if got[id] != a {
			t.Errorf("anchor of %q = %q, want %q", id, got[id], a)
		}
	}
}

func TestProject(t *testing.T) {
	// two tight groups along the first axis, spread a little along the second
	dim := 4
	var data []float32
	for i := 0; i < 10; i++ {
		x := float32(-1)
		if i >= 5 {
			x = 1
		}
		data = append(data, x, 0.1*float32(i%5), 0, 0.01*float32(i%2))
	}
	p, err := Project(data, dim)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Points) != 10 {
		t.Fatalf("%d points, want 10", len(p.Points))
	}
	for i := 0; i < 5; i++ {
		a, b := p.Points[i], p.Points[i+5]
		if math.Abs(a[0]+1) > 0.05 || math.Abs(b[0]-1) > 0.05 {
			t.Errorf("row %d at x=%.3f and row %d at x=%.3f; want the groups at -1 and +1", i, a[0], i+5, b[0])
		}
	}
	if p.Explained[0] < 0.9 || p.Explained[1] <= 0 || p.Explained[0]+p.Explained[1] > 1+1e-9 {
		t.Errorf("explained %v: want most variance on the first axis", p.Explained)
	}
	// negating the data mirrors the map (the axes keep their sign)
	neg := make([]float32, len(data))
	for i, v := range data {
		neg[i] = -v
	}
	q, err := Project(neg, dim)
	if err != nil {
		t.Fatal(err)
	}
	for i := range p.Points {
		for a := 0; a < 2; a++ {
			if math.Abs(p.Points[i][a]+q.Points[i][a]) > 1e-9 {
				t.Fatalf("point %d axis %d: %g for the data, %g for its negation; want the mirror image", i, a, p.Points[i][a], q.Points[i][a])
			}
		}
	}
}

func TestProjectDegenerate(t *testing.T) {
	cases := []struct {
		name string
		data []float32
		dim  int
		n    int
		err  error
	}{
		{"one row", []float32{1, 0, 0}, 3, 1, nil},
		{"same rows", []float32{1, 0, 1, 0, 1, 0}, 2, 3, nil},
		{"no rows", nil, 3, 0, nil},
		{"ragged", []float32{1, 2, 3}, 2, 0, ErrDimension},
		{"zero dimension", []float32{1}, 0, 0, ErrDimension},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := Project(c.data, c.dim)
			if !errors.Is(err, c.err) {
				t.Fatalf("error %v, want %v", err, c.err)
			}
			if err != nil {
				return
			}
			if len(p.Points) != c.n {
				t.Fatalf("%d points, want %d", len(p.Points), c.n)
			}
			for i, pt := range p.Points {
				if pt != [2]float64{} {
					t.Errorf("point %d at %v, want the origin", i, pt)
				}
			}
		})
	}
}

// TestHTMLSize500 checks that a 500-paper day, with long abstracts, stays
// well under 2 MB (the page has to open fast from a mail or a disk).
func TestHTMLSize500(t *testing.T) {
	d := &Digest{List: "2025-08-25", Profile: true}
	abstract := strings.Repeat("We propose a method and evaluate it on benchmarks. ", 30) // 1,530 characters
	for c := 0; c < 15; c++ {
		cl := Cluster{Label: fmt.Sprintf("topic %d, terms, more terms", c), Terms: []string{"a", "b", "c", "d", "e"}}
		for i := 0; i < 500/15+1 && c*(500/15+1)+i < 500; i++ {
			n := c*(500/15+1) + i
			cl.Papers = append(cl.Papers, Paper{
				ID: fmt.Sprintf("2508.%05d", n), Title: fmt.Sprintf("A fairly long paper title about topic %d and method number %d for the benchmark", c, n),
				Abstract: abstract, URL: fmt.Sprintf("https://arxiv.org/abs/2508.%05d", n),
				Authors: []string{"Ada Lovelace", "Alan Turing", "Grace Hopper", "Edsger Dijkstra"}, Date: "2025-08-25",
				Comments: intp(n % 7), Upvotes: intp(n), X: math.Sin(float64(n)), Y: math.Cos(float64(3 * n)),
			})
		}
		d.Clusters = append(d.Clusters, cl)
	}
	for i := 0; i < 20; i++ {
		p := d.Clusters[i%15].Papers[0]
		d.Queue = append(d.Queue, QueueItem{ID: p.ID, Title: p.Title, URL: p.URL, Reason: `close to "a liked paper with a long title" (2508.00001), which you liked (0.71)`})
	}
	if d.N() != 500 {
		t.Fatalf("%d papers, want 500", d.N())
	}
	page := render(t, htmlOf, d)
	if len(page) >= 2<<20 {
		t.Errorf("a 500-paper page is %d bytes, want under 2 MB", len(page))
	}
	t.Logf("500 papers: %d bytes", len(page))
}

// TestSanitised: control characters, bidirectional overrides and invisible
// characters of a title never reach the page or the Markdown.
func TestSanitised(t *testing.T) {
	d := sample()
	d.Clusters[2].Papers[0].Title = "A robot\x1b[2J\u202eeht\u200b\x07 wins"
	d.Clusters[2].Label = "robots\x1b]0;pwned\x07"
	for _, f := range []func(*bytes.Buffer, *Digest) error{htmlOf, mdOf} {
		out := render(t, f, d)
		for _, bad := range []string{"\x1b", "\x07", "\u202e", "\u200b"} {
			if bytes.Contains(out, []byte(bad)) {
				t.Errorf("%q reaches the output", bad)
			}
		}
		if !bytes.Contains(out, []byte("A robot␛")) {
			t.Errorf("the escape character is not shown as ␛:\n%s", out)
		}
	}
}

// A bidirectional override in a paper's address reaches no output raw.
func TestLinkEncodesFormatCharacters(t *testing.T) {
	if got := link("https://example.org/a\u202egpj.exe\u200b"); got != "https://example.org/a%E2%80%AEgpj.exe%E2%80%8B" {
		t.Errorf("got %q", got)
	}
	if got := link("https://example.org/é"); got != "https://example.org/é" {
		t.Errorf("a letter was encoded: %q", got)
	}
	if link("javascript:alert(1)") != "" {
		t.Error("javascript: kept")
	}
}
