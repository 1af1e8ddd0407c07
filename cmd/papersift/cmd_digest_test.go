package main

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
	"golang.org/x/net/html"
)

// seedPage is the user's own example listing (hf-page, 56 papers, no links).
const seedPage = "../../testdata/000_b745d9aefa4b81e4.txt"

// digestExtras are papers with links and hostile titles, as JSON Lines.
const digestExtras = `{"id":"2508.00001","title":"<script>alert(1)</script>","abstract":"We study brain encoding models of language with <b>fMRI</b> & MEG.","authors":["Ada Lovelace","Alan Turing"],"date":"2025-08-25"}
{"id":"2508.00002v2","title":"A [bracketed] *starred* title","abstract":"Large language models exhibit human-like memory in agents and planning.","authors":["Grace Hopper"]}
{"id":"local-3","title":"Own link","abstract":"Visual cortex responses predicted from vision transformers trained on images.","url":"https://example.org/papers/3"}
`

// digestCLI runs papersift with args and returns stdout, stderr and the exit code.
func digestCLI(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	env := func(k string) string {
		if k == "HOME" {
			return t.TempDir()
		}
		return ""
	}
	code := run(context.Background(), append([]string{"papersift"}, args...), strings.NewReader(""), &out, &errb, env)
	return out.String(), errb.String(), code
}

func digestCLIOK(t *testing.T, args ...string) string {
	t.Helper()
	out, errs, code := digestCLI(t, args...)
	if code != 0 {
		t.Fatalf("papersift %s: exit %d\n%s", strings.Join(args, " "), code, errs)
	}
	return out
}

func writeExtras(t *testing.T, dir string) string {
	t.Helper()
	p := filepath.Join(dir, "extras.jsonl")
	if err := os.WriteFile(p, []byte(digestExtras), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// digestOf runs digest --format json with args and decodes it.
func digestOf(t *testing.T, args ...string) *digestJSON {
	t.Helper()
	out := digestCLIOK(t, append(args, "--format", "json", "-q")...)
	var d digestJSON
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatalf("digest json: %v\n%s", err, out)
	}
	return &d
}

func parseHTML(t *testing.T, page []byte) *html.Node {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// pageCounts counts what the end-to-end checks look at in a parsed page.
type pageCounts struct {
	points, sections, scripts int
	pointHrefs                []string
	ids                       map[string]bool
	texts                     []string
}

func countPage(doc *html.Node) pageCounts {
	c := pageCounts{ids: map[string]bool{}}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.ElementNode:
			class := " " + attrOf(n, "class") + " "
			switch {
			case n.Data == "script":
				c.scripts++
			case n.Data == "a" && strings.Contains(class, " pt "):
				c.points++
				c.pointHrefs = append(c.pointHrefs, attrOf(n, "href"))
			case n.Data == "section" && strings.Contains(class, " cluster "):
				c.sections++
			}
			if id := attrOf(n, "id"); id != "" {
				c.ids[id] = true
			}
		case html.TextNode:
			c.texts = append(c.texts, n.Data)
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch)
		}
	}
	walk(doc)
	return c
}

func attrOf(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func paperCount(d *digestJSON) int {
	n := 0
	for _, c := range d.Groups.Clusters {
		n += len(c.Papers)
	}
	return n
}

// checkPage checks a digest page against the digest it shows: one map point
// per paper linked to its entry, one section per topic, no script.
func checkPage(t *testing.T, page []byte, d *digestJSON) pageCounts {
	t.Helper()
	c := countPage(parseHTML(t, page))
	if want := paperCount(d); c.points != want {
		t.Errorf("%d map points, want one per paper (%d)", c.points, want)
	}
	if c.sections != len(d.Groups.Clusters) {
		t.Errorf("%d topic sections, want one per topic (%d)", c.sections, len(d.Groups.Clusters))
	}
	if c.scripts != 0 {
		t.Errorf("%d script elements, want none", c.scripts)
	}
	for _, h := range c.pointHrefs {
		if !strings.HasPrefix(h, "#") || !c.ids[h[1:]] {
			t.Errorf("map point links to %q, which is not on the page", h)
		}
	}
	return c
}

func TestDigestOutHTML(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "p.db")
	out := filepath.Join(dir, "digest.html")
	stdout := digestCLIOK(t, "--db", db, "digest", seedPage, "--out", out)
	if strings.Count(stdout, "\n") != 1 || !strings.Contains(stdout, "wrote the digest of ") || !strings.Contains(stdout, out) {
		t.Errorf("with --out, the terminal gets one line saying where:\n%s", stdout)
	}
	page, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	d := digestOf(t, "--db", db, "digest")
	checkPage(t, page, d)
	for _, want := range []string{"Papers of Wednesday, 7 January 2026", "prefers-color-scheme:dark", `name="viewport"`, `role="img"`} {
		if !bytes.Contains(page, []byte(want)) {
			t.Errorf("the page lacks %q", want)
		}
	}
	// no profile: no queue; with one, the queue is on the page
	if bytes.Contains(page, []byte(`id="queue"`)) {
		t.Error("a reading queue without a profile")
	}
	digestCLIOK(t, "--db", db, "-q", "interest", "add", "language models and the brain")
	digestCLIOK(t, "--db", db, "-q", "digest", "--out", out, "-n", "3")
	page, err = os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	doc := parseHTML(t, page)
	var queue *html.Node
	var find func(n *html.Node)
	find = func(n *html.Node) {
		if n.Type == html.ElementNode && attrOf(n, "id") == "queue" {
			queue = n
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			find(c)
		}
	}
	find(doc)
	if queue == nil {
		t.Fatal("no reading queue on the page of a reader with an interest")
	}
	if got := strings.Count(renderNode(t, queue), "<li>"); got != 3 {
		t.Errorf("%d queue items, want 3", got)
	}
	if !strings.Contains(renderNode(t, queue), "matches your interest") {
		t.Error("the queue gives no reasons")
	}
}

func renderNode(t *testing.T, n *html.Node) string {
	t.Helper()
	var b bytes.Buffer
	if err := html.Render(&b, n); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestDigestOutUsage(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "p.db")
	for _, out := range []string{"digest.txt", "digest", "digest.pdf"} {
		_, errs, code := digestCLI(t, "--db", db, "digest", seedPage, "--out", filepath.Join(dir, out))
		if code != 2 || !strings.Contains(errs, ".html") {
			t.Errorf("--out %s: exit %d, stderr %q; want exit 2 naming .html and .md", out, code, errs)
		}
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Errorf("a usage error touched the database (%v)", err)
	}
	// a folder that does not exist: exit 1, nothing left behind
	_, errs, code := digestCLI(t, "--db", db, "digest", seedPage, "--out", filepath.Join(dir, "missing", "d.html"))
	if code != 1 || !strings.Contains(errs, "write the digest") {
		t.Errorf("--out into a missing folder: exit %d, stderr %q; want exit 1", code, errs)
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Errorf("a digest that cannot be written still ingested its sources (%v)", err)
	}
}

// TestDigestDeterministic builds the digest twice from scratch: same data,
// same seed, same bytes.
func TestDigestDeterministic(t *testing.T) {
	var pages [2][2][]byte
	for i := range pages {
		dir := t.TempDir()
		extras := writeExtras(t, dir)
		db := filepath.Join(dir, "p.db")
		for j, name := range []string{"d.html", "d.md"} {
			out := filepath.Join(dir, name)
			digestCLIOK(t, "--db", db, "-q", "digest", seedPage, extras, "--list", "day", "--out", out)
			b, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			pages[i][j] = b
		}
	}
	if !bytes.Equal(pages[0][0], pages[1][0]) {
		t.Error("two builds of the same digest give different HTML")
	}
	if !bytes.Equal(pages[0][1], pages[1][1]) {
		t.Error("two builds of the same digest give different Markdown")
	}
}

// TestDigestMarkdown renders the Markdown digest with goldmark (CommonMark):
// every paper with a known link is linked, the others are not, and no title
// turns into HTML.
func TestDigestMarkdown(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "p.db")
	extras := writeExtras(t, dir)
	out := filepath.Join(dir, "d.md")
	digestCLIOK(t, "--db", db, "-q", "digest", seedPage, extras, "--list", "day", "--out", out)
	src, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	d := digestOf(t, "--db", db, "digest", "--list", "day")
	if n := paperCount(d); n != 59 {
		t.Fatalf("%d papers in the digest, want 56 + 3", n)
	}
	doc := goldmark.New().Parser().Parse(text.NewReader(src))
	links := map[string]string{}
	items := 0
	err = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Link:
			links[mdPlain(n, src)] = string(n.Destination)
		case *ast.ListItem:
			items++
		case *ast.RawHTML, *ast.HTMLBlock, *ast.AutoLink:
			t.Errorf("raw HTML in the Markdown: %q", mdPlain(n, src))
		}
		return ast.WalkContinue, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"<script>alert(1)</script>":     "https://arxiv.org/abs/2508.00001",
		"A [bracketed] *starred* title": "https://arxiv.org/abs/2508.00002",
		"Own link":                      "https://example.org/papers/3",
	}
	for title, u := range want {
		if links[title] != u {
			t.Errorf("%q links to %q, want %q", title, links[title], u)
		}
	}
	if len(links) != len(want) {
		t.Errorf("%d links, want %d (the seed's papers have none): %v", len(links), len(want), links)
	}
	if items != paperCount(d) {
		t.Errorf("%d list items, want one per paper (%d)", items, paperCount(d))
	}
	var htmlOut bytes.Buffer
	if err := goldmark.Convert(src, &htmlOut); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(htmlOut.String(), "<script") || !strings.Contains(htmlOut.String(), "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("the title <script>alert(1)</script> does not render as text")
	}
	// --format md to stdout is the same Markdown
	stdout := digestCLIOK(t, "--db", db, "-q", "digest", "--list", "day", "--format", "md")
	if stdout != string(src) {
		t.Error("digest --format md differs from digest --out FILE.md")
	}
}

func mdPlain(n ast.Node, src []byte) string {
	var b strings.Builder
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if t, ok := c.(*ast.Text); ok && entering {
			b.Write(util.UnescapePunctuations(t.Segment.Value(src)))
		}
		return ast.WalkContinue, nil
	})
	return b.String()
}

const chromiumPath = "/usr/bin/chromium"

// chromium runs headless Chromium on a local page with args.
func chromium(t *testing.T, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute) // a guard against a hung browser, not a speed check
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--hide-scrollbars", "--user-data-dir=" + t.TempDir()}
	cmd := exec.CommandContext(ctx, chromiumPath, append(base, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %s: %v\n%s", strings.Join(args, " "), err, errb.String())
	}
	return out.Bytes()
}

// TestDigestChromium renders the seed's digest in real headless Chromium
// (Debian's chromium package): the DOM it builds has one map point per paper,
// one section per topic and no script; a page with a hostile title shows it
// as text; a screenshot is not blank.
func TestDigestChromium(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("%s is absent (apt-get install -y chromium): the page is not checked in a real browser", chromiumPath)
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "p.db")
	seedOut := filepath.Join(dir, "seed.html")
	digestCLIOK(t, "--db", db, "-q", "digest", seedPage, "--out", seedOut)
	seed := digestOf(t, "--db", db, "digest")
	if paperCount(seed) != 56 {
		t.Fatalf("%d papers in the seed's digest, want 56", paperCount(seed))
	}
	dom := chromium(t, "--dump-dom", "file://"+seedOut)
	c := checkPage(t, dom, seed)
	if c.points == 0 {
		t.Fatalf("Chromium's DOM has no map:\n%.2000s", dom)
	}

	evilOut := filepath.Join(dir, "evil.html")
	digestCLIOK(t, "--db", db, "-q", "digest", writeExtras(t, dir), "--list", "evil", "--out", evilOut)
	evil := digestOf(t, "--db", db, "digest", "--list", "evil")
	ec := checkPage(t, chromium(t, "--dump-dom", "file://"+evilOut), evil)
	shown := false
	for _, s := range ec.texts {
		if strings.Contains(s, "<script>alert(1)</script>") {
			shown = true
		}
	}
	if !shown {
		t.Error("the title <script>alert(1)</script> does not show as text in Chromium")
	}

	shot := filepath.Join(dir, "seed.png")
	chromium(t, "--screenshot="+shot, "--window-size=1000,1400", "file://"+seedOut)
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	colours, top, total := pixelVariety(img)
	if colours < 16 || float64(top) > 0.95*float64(total) {
		t.Errorf("the screenshot looks blank: %d distinct colours, the commonest covers %d of %d pixels", colours, top, total)
	}
}

// pixelVariety counts an image's distinct colours and the pixels of the
// commonest one.
func pixelVariety(img image.Image) (colours, top, total int) {
	seen := map[[4]uint32]int{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, a := img.At(x, y).RGBA()
			k := [4]uint32{r >> 8, g >> 8, bl >> 8, a >> 8}
			seen[k]++
			if seen[k] > top {
				top = seen[k]
			}
			total++
		}
	}
	return len(seen), top, total
}
