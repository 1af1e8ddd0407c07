package digest

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// seedDigest is the seed page's digest as the root package builds it (the
// 56 papers, 5 topics of testdata/maps/together), laid out by Layout, with
// liked papers in three topics and a queue.
func seedDigest(t testing.TB) *Digest {
	t.Helper()
	var day *mapDay
	for _, d := range mapDays(t, "together") {
		if d.Name == "2026-01-07" {
			day = d
		}
	}
	if day == nil {
		t.Fatal("no seed day in testdata/maps/together")
	}
	d := &Digest{List: day.Name, Model: "local/lsa-45", Profile: true}
	for k, label := range day.Labels {
		c := Cluster{Label: label}
		for i := range day.IDs {
			if day.Topic[i] == k {
				c.Papers = append(c.Papers, Paper{ID: day.IDs[i], Title: day.Titles[i], Abstract: "An abstract.",
					URL: "https://huggingface.co/papers/" + day.IDs[i]})
			}
		}
		d.Clusters = append(d.Clusters, c)
	}
	liked := map[string]bool{day.IDs[0]: true, day.IDs[20]: true, day.IDs[40]: true, day.IDs[55]: true}
	for ci := range d.Clusters {
		for pi := range d.Clusters[ci].Papers {
			p := &d.Clusters[ci].Papers[pi]
			p.Liked = liked[p.ID]
		}
	}
	for _, i := range []int{3, 30} {
		d.Queue = append(d.Queue, QueueItem{ID: day.IDs[i], Title: day.Titles[i], URL: "https://huggingface.co/papers/" + day.IDs[i], Reason: "close to a paper you liked"})
	}
	pts := d.MapPoints()
	if len(pts) != d.N() {
		t.Fatalf("%d map points for %d papers", len(pts), d.N())
	}
	var data []float32
	topic := make([]int, len(pts))
	row := map[string]int{}
	for i, id := range day.IDs {
		row[id] = i
	}
	for i, p := range pts {
		data = append(data, day.Vec[row[p.Paper.ID]]...)
		topic[i] = p.Topic
	}
	lay, err := Layout(context.Background(), data, day.Dim, topic, LayoutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range pts {
		p.Paper.X, p.Paper.Y = lay.Points[i][0], lay.Points[i][1]
	}
	return d
}

// rect is an element's box in CSS pixels of the viewport.
type rect struct{ X, Y, W, H float64 }

func (r rect) inside(o rect) bool {
	const slack = 1
	return r.X >= o.X-slack && r.Y >= o.Y-slack && r.X+r.W <= o.X+o.W+slack && r.Y+r.H <= o.Y+o.H+slack
}

func (r rect) meets(o rect) bool {
	return r.X < o.X+o.W && o.X < r.X+r.W && r.Y < o.Y+o.H && o.Y < r.Y+r.H
}

func (r rect) centre() (float64, float64) { return r.X + r.W/2, r.Y + r.H/2 }

// mapLayout is what the test asks the browser about the map.
type mapLayout struct {
	Plot          rect
	Inner, Scroll float64
	Labels        []struct {
		Text  string
		Box   rect
		Font  float64
		Shown bool
	}
	Liked []struct {
		Box    rect
		Ring   string
		Href   string
		Title  string
		Shown  bool
		OnTop  bool
		Marker rect
	}
	Dots int
}

const mapLayoutJS = `(() => {
  document.querySelector('.plot').scrollIntoView({block: 'center'});
  const r = e => { const b = e.getBoundingClientRect(); return {X: b.left, Y: b.top, W: b.width, H: b.height}; };
  const shown = e => { const s = getComputedStyle(e); return s.display !== 'none' && s.visibility !== 'hidden' && e.getClientRects().length > 0; };
  return {
    Plot: r(document.querySelector('.plot')),
    Inner: innerWidth, Scroll: document.documentElement.scrollWidth,
    Labels: [...document.querySelectorAll('.lbl')].map(l => ({
      Text: [...l.querySelectorAll('.lw,.ln')].filter(shown).map(e => e.textContent).join(''),
      Box: r(l), Font: parseFloat(getComputedStyle(l).fontSize), Shown: shown(l)})),
    Liked: [...document.querySelectorAll('.dot.lk')].map(d => {
      const a = d.querySelector('a.pt');
      const b = d.getBoundingClientRect();
      const hit = document.elementFromPoint(b.left + b.width/2, b.top + b.height/2);
      const m = getComputedStyle(d, '::before');
      const w = parseFloat(m.width), h = parseFloat(m.height);
      return {Box: r(d), Ring: getComputedStyle(d, '::after').borderTopWidth + ' ' + getComputedStyle(d, '::after').borderTopStyle,
        Href: a.getAttribute('href'), Title: a.textContent, Shown: shown(d),
        OnTop: hit !== null && hit.closest('.dot') === d,
        Marker: {X: b.left + b.width/2 - w/2, Y: b.top + b.height/2 - h/2, W: w, H: h}};
    }),
    Dots: document.querySelectorAll('.dot').length,
  };
})()`

// TestMapChromium opens the seed's page in headless Chromium, as a desktop
// window 1280 wide and as a phone 390 wide: every topic has a label on the
// map, readable, inside the map and apart from the other labels; every
// liked paper has a marker with a ring that no label hides; the page does
// not scroll sideways; and a tap (a click on the desktop) on a point shows
// its title, whose link leads to the paper's entry, without any script.
func TestMapChromium(t *testing.T) {
	b := newBrowser(t)
	d := seedDigest(t)
	file := filepath.Join(t.TempDir(), "seed.html")
	writeFile(t, file, render(t, htmlOf, d))
	liked := 0
	for _, c := range d.Clusters {
		for _, p := range c.Papers {
			if p.Liked {
				liked++
			}
		}
	}
	for _, v := range []viewport{{"desktop", 1280, 900, false}, {"phone", 390, 844, true}} {
		t.Run(v.name, func(t *testing.T) {
			b.t = t
			p := b.open("file://"+file, v)
			var m mapLayout
			p.eval(mapLayoutJS, &m)
			if m.Scroll > m.Inner {
				t.Errorf("the page is %.0f px wide in a %.0f px window: it scrolls sideways", m.Scroll, m.Inner)
			}
			aspect := m.Plot.W / m.Plot.H
			if want := map[bool]float64{false: 720.0 / 440, true: 1}[v.mobile]; aspect < want*0.97 || aspect > want*1.03 {
				t.Errorf("the map is %.0f×%.0f px, want an aspect of %.2f", m.Plot.W, m.Plot.H, want)
			}
			if m.Dots != d.N() {
				t.Errorf("%d points on the map, want %d", m.Dots, d.N())
			}
			if len(m.Labels) != len(d.Clusters) {
				t.Fatalf("%d labels on the map, want one per topic (%d)", len(m.Labels), len(d.Clusters))
			}
			for i, l := range m.Labels {
				name := d.Clusters[i].Label
				if !l.Shown || l.Text == "" || !strings.HasPrefix(name, strings.TrimSuffix(l.Text, "…")) {
					t.Errorf("topic %q: the map's label shows %q (shown %v)", name, l.Text, l.Shown)
				}
				if v.mobile && strings.Contains(l.Text, ",") {
					t.Errorf("topic %q: the phone's label %q is not the short one", name, l.Text)
				}
				if l.Font < 10 {
					t.Errorf("topic %q: its label is %.1f px high, want at least 10", name, l.Font)
				}
				if !l.Box.inside(m.Plot) {
					t.Errorf("topic %q: its label %+v is not inside the map %+v", name, l.Box, m.Plot)
				}
				for j := range i {
					if l.Box.meets(m.Labels[j].Box) {
						t.Errorf("the labels of %q and %q overlap", name, d.Clusters[j].Label)
					}
				}
			}
			if len(m.Liked) != liked {
				t.Errorf("%d liked markers, want one per liked paper (%d)", len(m.Liked), liked)
			}
			for _, lk := range m.Liked {
				width, style, _ := strings.Cut(lk.Ring, " ")
				ring, _ := strconv.ParseFloat(strings.TrimSuffix(width, "px"), 64)
				if !lk.Shown || !lk.Box.inside(m.Plot) || ring < 2 || style != "solid" {
					t.Errorf("the marker of %q is not shown inside the map with its ring (shown %v, ring %q, box %+v, map %+v)", lk.Title, lk.Shown, lk.Ring, lk.Box, m.Plot)
				}
				if !lk.OnTop {
					t.Errorf("the marker of %q is under another point", lk.Title)
				}
				for _, l := range m.Labels {
					if l.Box.meets(lk.Marker) {
						t.Errorf("the label %q hides the marker of the liked %q", l.Text, lk.Title)
					}
				}
			}
			checkTap(t, p, v.mobile)
		})
	}
}

// checkTap taps the first liked paper's point: its title shows, inside the
// window, without scrolling; the title's link leads to the paper's entry.
func checkTap(t *testing.T, p *page, mobile bool) {
	t.Helper()
	type tipState struct {
		X, Y, ScrollY float64
		Shown         bool
		Tip, Link     rect
		LinkOnTop     bool
		Text, Hash    string
		Href          string
		Inner         float64
	}
	const state = `(() => {
  const d = document.querySelector('.dot.lk'), tip = d.querySelector('.tip'), a = tip.querySelector('a');
  const r = e => { const b = e.getBoundingClientRect(); return {X: b.left, Y: b.top, W: b.width, H: b.height}; };
  const b = d.getBoundingClientRect(), lb = a.getBoundingClientRect();
  const hit = lb.width ? document.elementFromPoint(lb.left + lb.width/2, lb.top + lb.height/2) : null;
  return {X: b.left + b.width/2, Y: b.top + b.height/2, ScrollY: scrollY, Shown: getComputedStyle(tip).display !== 'none',
    Tip: r(tip), Link: r(a), LinkOnTop: hit === a, Text: a.textContent, Hash: location.hash, Href: a.getAttribute('href'), Inner: innerWidth};
})()`
	p.eval(`document.querySelector('.dot.lk').scrollIntoView({block: 'center'})`, nil)
	p.settle()
	var before, after tipState
	p.eval(state, &before)
	if before.Shown {
		t.Fatal("a point's title shows before it is tapped")
	}
	if !mobile {
		p.hover(before.X, before.Y)
		var hovered tipState
		p.eval(state, &hovered)
		if !hovered.Shown {
			t.Error("pointing at a point does not show its title")
		}
	}
	p.tap(before.X, before.Y, mobile)
	p.waitFor(`getComputedStyle(document.querySelector('.dot.lk .tip')).display !== 'none'`)
	p.eval(state, &after)
	if !after.Shown {
		t.Fatalf("tapping a point (at %.0f, %.0f) does not show its title", before.X, before.Y)
	}
	if after.ScrollY != before.ScrollY {
		t.Errorf("tapping a point scrolled the page from %.0f to %.0f", before.ScrollY, after.ScrollY)
	}
	if after.Tip.X < 0 || after.Tip.X+after.Tip.W > after.Inner {
		t.Errorf("the title %+v does not fit in the %.0f px window", after.Tip, after.Inner)
	}
	if !after.LinkOnTop {
		t.Fatalf("the title's link %+v is under something else", after.Link)
	}
	x, y := after.Link.centre()
	p.tap(x, y, mobile)
	p.waitFor(`location.hash !== ''`)
	var last tipState
	p.eval(state, &last)
	if last.Hash != after.Href || last.Hash == "" {
		t.Errorf("tapping the title %q leads to %q, want %q", after.Text, last.Hash, after.Href)
	}
	var entry string
	p.eval(`(() => { const e = document.querySelector(':target'); return e ? e.className : ''; })()`, &entry)
	if !strings.Contains(entry, "paper") {
		t.Errorf("the title's link leads to %q, which is no paper's entry", entry)
	}
}

// TestMapView checks the map's geometry without a browser: every point in
// the box, the second axis up, a lone paper in the middle, points without a
// place left out, liked papers drawn last, one label per topic with points.
func TestMapView(t *testing.T) {
	d := sample()
	d.Clusters[1].Papers[0].Liked = true
	d.Clusters[0].Papers[12].X = math.NaN()
	pts := d.MapPoints()
	if len(pts) != d.N() {
		t.Fatalf("%d map points, want all %d papers", len(pts), d.N())
	}
	m := mapOf(d, pts, anchors(d, d.plan()))
	if len(m.Points) != d.N()-1 {
		t.Errorf("%d points drawn, want %d (one has no place)", len(m.Points), d.N()-1)
	}
	var top, low pointView
	topY, lowY := math.Inf(1), math.Inf(-1)
	for _, p := range m.Points {
		x, _ := strconv.ParseFloat(p.X, 64)
		y, _ := strconv.ParseFloat(p.Y, 64)
		if x < marginX/10-0.05 || x > 100-marginX/10+0.05 || y < marginY/10-0.05 || y > 100-marginY/10+0.05 {
			t.Errorf("point %q at (%g%%, %g%%) is outside the map's margins", p.Title, x, y)
		}
		if y < topY {
			top, topY = p, y
		}
		if y > lowY {
			low, lowY = p, y
		}
	}
	if top.Title != "A robot" {
		t.Errorf("highest point is %q, want the robot (largest Y)", top.Title)
	}
	if !strings.HasPrefix(low.Title, "# Not a heading") {
		t.Errorf("lowest point is %q, want the paper with the smallest Y", low.Title)
	}
	if last := m.Points[len(m.Points)-1]; !last.Liked || !m.Liked {
		t.Errorf("the liked paper is not drawn last (last: %q)", last.Title)
	}
	if len(m.Labels) != 3 || len(m.Hulls) != 3 {
		t.Errorf("%d labels and %d outlines, want one per topic (3)", len(m.Labels), len(m.Hulls))
	}
	one := &Digest{Clusters: []Cluster{{Label: "x", Papers: []Paper{{ID: "a", Title: "a", X: 5, Y: 7}}}}}
	mp := mapOf(one, one.MapPoints(), anchors(one, one.plan())).Points[0]
	if mp.X != "50.0" || mp.Y != "50.0" {
		t.Errorf("a lone paper is at (%s%%, %s%%), want the centre", mp.X, mp.Y)
	}
}

// TestMapLabels places the labels of the seed day: inside the box, apart
// (by the estimate of their size), and never on a liked paper.
func TestMapLabels(t *testing.T) {
	d := seedDigest(t)
	pts := d.MapPoints()
	m := mapOf(d, pts, anchors(d, d.plan()))
	if len(m.Labels) != len(d.Clusters) {
		t.Fatalf("%d labels, want %d", len(m.Labels), len(d.Clusters))
	}
	for i, l := range m.Labels {
		if !strings.HasPrefix(d.Clusters[i].Label, strings.TrimSuffix(l.Wide, "…")) || !strings.HasPrefix(d.Clusters[i].Label, strings.TrimSuffix(l.Narrow, "…")) {
			t.Errorf("label %d: %q and %q do not start topic %q", i, l.Wide, l.Narrow, d.Clusters[i].Label)
		}
		if utf8.RuneCountInString(l.Wide) > wideChars || utf8.RuneCountInString(l.Narrow) > narrowChar || strings.Contains(l.Narrow, ",") {
			t.Errorf("label %d: %q and %q are too long", i, l.Wide, l.Narrow)
		}
	}
}

func TestShorten(t *testing.T) {
	cases := []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"fmri data, vision models, human brain", 30, "fmri data, vision models"},
		{"reinforcement learning from human feedback", 18, "reinforcement…"},
		{"supercalifragilisticexpialidocious", 10, "supercali…"},
		{"émotions, ça va", 12, "émotions"},
	}
	for _, c := range cases {
		got := shorten(c.in, c.n)
		if got != c.want || utf8.RuneCountInString(got) > c.n {
			t.Errorf("shorten(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
}

func TestConvexHull(t *testing.T) {
	pts := []placed{{x: 0, y: 0}, {x: 10, y: 0}, {x: 10, y: 10}, {x: 0, y: 10}, {x: 5, y: 5}, {x: 5, y: 0}, {x: 0, y: 0}}
	h := convexHull(pts)
	if len(h) != 4 {
		t.Errorf("hull %v, want the 4 corners", h)
	}
	if got := convexHull([]placed{{x: 3, y: 4}, {x: 3, y: 4}}); len(got) != 1 {
		t.Errorf("hull of one point twice: %v", got)
	}
}

// bigDigest is a synthetic list of n papers in k topics, every paper with
// a long abstract and four authors, a queue of 10 and 50 liked papers
// spread over the list.
func bigDigest(n, k int) *Digest {
	d := &Digest{List: "2025-08-25", Model: "local-test", Profile: true}
	abstract := strings.Repeat("We propose a method and evaluate it on benchmarks. ", 30)
	authors := []string{"Ada Lovelace", "Alan Turing", "Grace Hopper", "Edsger Dijkstra"}
	for c := 0; c < k; c++ {
		d.Clusters = append(d.Clusters, Cluster{Label: fmt.Sprintf("topic %d, terms, more terms", c), Terms: []string{"a", "b", "c", "d", "e"}})
	}
	for i := 0; i < n; i++ {
		c := &d.Clusters[(i*7919)%k] // uneven, deterministic
		c.Papers = append(c.Papers, Paper{
			ID: fmt.Sprintf("2508.%06d", i), Title: fmt.Sprintf("A fairly long paper title about a method number %d for the benchmark", i),
			Abstract: abstract, URL: fmt.Sprintf("https://arxiv.org/abs/2508.%06d", i), Authors: authors, Date: "2025-08-25",
			Upvotes: intp(i % 50), Liked: i%(n/50+1) == 7, X: math.Sin(float64(i)), Y: math.Cos(float64(3 * i)),
		})
	}
	for i := 0; i < 10; i++ {
		ps := d.Clusters[i%k].Papers
		p := ps[len(ps)-1-min(i, len(ps)-1)]
		d.Queue = append(d.Queue, QueueItem{ID: p.ID, Title: p.Title, URL: p.URL, Reason: "close to a paper you liked"})
	}
	return d
}

// TestMapPointsBig checks the map's sample of a long list: at most 1,000,
// every liked and queued paper that the page lists, only papers the page
// lists, each topic in proportion.
func TestMapPointsBig(t *testing.T) {
	d := bigDigest(20000, 12)
	pl := d.plan()
	listed := map[string]bool{}
	pl.each(d, func(_, _ int, p *Paper, _ kind) { listed[p.ID] = true })
	pts := d.MapPoints()
	if len(pts) != mapMax {
		t.Fatalf("%d points, want %d", len(pts), mapMax)
	}
	on := map[string]bool{}
	per := make([]int, len(d.Clusters))
	for _, p := range pts {
		if !listed[p.Paper.ID] {
			t.Errorf("point %s is not listed on the page: its title would link nowhere", p.Paper.ID)
		}
		if !holds(d.Clusters[p.Topic].Papers, p.Paper) {
			t.Errorf("point %s is not a paper of its topic %d", p.Paper.ID, p.Topic)
		}
		on[p.Paper.ID] = true
		per[p.Topic]++
	}
	for _, c := range d.Clusters {
		for _, p := range c.Papers {
			if p.Liked && listed[p.ID] && !on[p.ID] {
				t.Errorf("liked paper %s is not on the map", p.ID)
			}
		}
	}
	for _, q := range d.Queue {
		if !on[q.ID] {
			t.Errorf("queued paper %s is not on the map", q.ID)
		}
	}
	for k, n := range per {
		if n < 20 {
			t.Errorf("topic %d has %d points, want its share of 1,000 (about 80)", k, n)
		}
	}
}

// holds reports whether p points into ps (so that setting its X and Y
// sets the digest's).
func holds(ps []Paper, p *Paper) bool {
	for i := range ps {
		if &ps[i] == p {
			return true
		}
	}
	return false
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestSeedPageDeterministic lays out and renders the seed's page twice:
// the same bytes.
func TestSeedPageDeterministic(t *testing.T) {
	a := render(t, htmlOf, seedDigest(t))
	b := render(t, htmlOf, seedDigest(t))
	if !bytes.Equal(a, b) {
		t.Errorf("two pages of the same day differ:\n%s", firstDiff(a, b))
	}
}
