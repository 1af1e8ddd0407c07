package digest

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode/utf8"
)

// The map is a box whose places are in thousandths of its width and height
// (permille). The page sets its aspect: wide (mapWide) in a container wider
// than narrowMax, square below, where labels are larger and shorter. Labels
// are sized in container units (1.6 and 3 hundredths of the box's width),
// so the places computed here hold at every width.
const (
	mapWide    = 720.0 / 440 // width over height of the wide map
	marginX    = 30          // permille kept free at the sides...
	marginY    = 45          // ...and at the top and bottom
	wideEm     = 16.0        // a label's font size, permille of the width, wide
	narrowEm   = 30.0        // ...and narrow
	labelLine  = 1.45        // a label's height, in font sizes
	glyph      = 0.6         // a character's mean width, in font sizes (a bold sans serif)
	labelExtra = 1.8         // a label's swatch and padding, in font sizes
	dotRadius  = 7.0         // a marker's half size, permille of the width (wide)
	wideChars  = 30          // a label's characters at most, wide...
	narrowChar = 18          // ...and narrow
)

// mapView is the map as the page draws it.
type mapView struct {
	Desc, Note string
	Points     []pointView
	Labels     []labelView
	Hulls      []hullView
	Liked      bool // a liked paper is on the map
}

type pointView struct {
	Kind, Shape   int
	X, Y          string // percentages of the box
	Place         string // where the title shows: "tl", "tr", "tb"...
	Liked         bool
	Anchor, Title string
	Topic         string
}

type labelView struct {
	Kind, Shape  int
	X, Y, NX, NY string // percentages of the box, wide and narrow
	Wide, Narrow string
}

type hullView struct {
	Kind int
	D    string // SVG path, in permille
}

// placed is a map point in permille.
type placed struct {
	t     int
	x, y  float64
	liked bool
}

// mapOf lays the papers of pts on the box: each axis scaled to fill it
// within the margins, the second pointing up.
func mapOf(d *Digest, pts []MapPoint, anchor map[string]string) mapView {
	var m mapView
	var on []MapPoint
	for _, p := range pts {
		if finite(p.Paper.X) && finite(p.Paper.Y) {
			on = append(on, p)
		}
	}
	minX, minY := math.Inf(1), math.Inf(1)
	maxX, maxY := math.Inf(-1), math.Inf(-1)
	for _, p := range on {
		minX, maxX = min(minX, p.Paper.X), max(maxX, p.Paper.X)
		minY, maxY = min(minY, p.Paper.Y), max(maxY, p.Paper.Y)
	}
	scale := func(v, lo, hi, margin float64) float64 {
		if hi <= lo {
			return 500
		}
		return margin + (v-lo)/(hi-lo)*(1000-2*margin)
	}
	xy := make([]placed, len(on))
	for i, p := range on {
		xy[i] = placed{p.Topic, scale(p.Paper.X, minX, maxX, marginX), 1000 - scale(p.Paper.Y, minY, maxY, marginY), p.Paper.Liked}
	}
	// liked papers last: drawn on top
	order := make([]int, len(on))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		la, lb := on[a].Paper.Liked, on[b].Paper.Liked
		switch {
		case la == lb:
			return 0
		case lb:
			return -1
		}
		return 1
	})
	for _, i := range order {
		p := on[i]
		k, s := look(p.Topic)
		place := "tc"
		switch {
		case xy[i].x < 330:
			place = "tl"
		case xy[i].x > 670:
			place = "tr"
		}
		if xy[i].y < 250 {
			place += " tb"
		}
		m.Points = append(m.Points, pointView{
			Kind: k, Shape: s, X: pct(xy[i].x), Y: pct(xy[i].y), Place: place,
			Liked: p.Paper.Liked, Anchor: anchor[p.Paper.ID], Title: tidy(p.Paper.Title),
			Topic: tidy(d.Clusters[p.Topic].Label),
		})
		m.Liked = m.Liked || p.Paper.Liked
	}
	m.Hulls = hulls(xy, len(d.Clusters))
	m.Labels = labels(d, xy)
	return m
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// look is a topic's colour and marker shape: ten colours, then the shape
// changes (circle, square, diamond), so 30 topics stay apart.
func look(topic int) (kind, shape int) {
	return topic % palette, (topic / palette) % shapes
}

// pct formats a permille place as a percentage with one decimal.
func pct(pm float64) string {
	v := int(math.Round(pm))
	v = max(0, min(v, 1000))
	return fmt.Sprintf("%d.%d", v/10, v%10)
}

// byTopic returns the points of each topic.
func byTopic(xy []placed, k int) [][]placed {
	out := make([][]placed, k)
	for _, p := range xy {
		out[p.t] = append(out[p.t], p)
	}
	return out
}

// centre is the coordinatewise median of pts.
func centre(pts []placed) (float64, float64) {
	xs := make([]float64, len(pts))
	ys := make([]float64, len(pts))
	for i, p := range pts {
		xs[i], ys[i] = p.x, p.y
	}
	slices.Sort(xs)
	slices.Sort(ys)
	h := len(pts) / 2
	if len(pts)%2 == 1 {
		return xs[h], ys[h]
	}
	return (xs[h-1] + xs[h]) / 2, (ys[h-1] + ys[h]) / 2
}

// hulls outlines each topic's core: the convex hull of its points within
// twice the median distance from its centre (all of them for up to three).
func hulls(xy []placed, k int) []hullView {
	var out []hullView
	for t, pts := range byTopic(xy, k) {
		if len(pts) == 0 {
			continue
		}
		core := pts
		if len(pts) > 3 {
			cx, cy := centre(pts)
			ds := make([]float64, len(pts))
			for i, p := range pts {
				ds[i] = math.Hypot(p.x-cx, p.y-cy)
			}
			med := slices.Clone(ds)
			slices.Sort(med)
			limit := 2 * med[len(med)/2]
			core = nil
			for i, p := range pts {
				if ds[i] <= limit {
					core = append(core, p)
				}
			}
		}
		h := convexHull(core)
		var b strings.Builder
		for i, p := range h {
			if i == 0 {
				b.WriteString("M")
			} else {
				b.WriteString("L")
			}
			fmt.Fprintf(&b, "%d %d", int(math.Round(p.x)), int(math.Round(p.y)))
		}
		if len(h) == 1 {
			b.WriteString("h0")
		}
		b.WriteString("Z")
		kind, _ := look(t)
		out = append(out, hullView{Kind: kind, D: b.String()})
	}
	return out
}

// convexHull is the hull of pts, counterclockwise (Andrew's monotone chain),
// on whole permille.
func convexHull(pts []placed) []placed {
	ps := make([]placed, len(pts))
	for i, p := range pts {
		ps[i] = placed{t: p.t, x: math.Round(p.x), y: math.Round(p.y)}
	}
	slices.SortFunc(ps, func(a, b placed) int {
		switch {
		case a.x != b.x:
			return cmpFloat(a.x, b.x)
		default:
			return cmpFloat(a.y, b.y)
		}
	})
	ps = slices.CompactFunc(ps, func(a, b placed) bool { return a.x == b.x && a.y == b.y })
	if len(ps) < 3 {
		return ps
	}
	cross := func(o, a, b placed) float64 { return (a.x-o.x)*(b.y-o.y) - (a.y-o.y)*(b.x-o.x) }
	var h []placed
	for _, p := range ps {
		for len(h) >= 2 && cross(h[len(h)-2], h[len(h)-1], p) <= 0 {
			h = h[:len(h)-1]
		}
		h = append(h, p)
	}
	lower := len(h) + 1
	for i := len(ps) - 2; i >= 0; i-- {
		p := ps[i]
		for len(h) >= lower && cross(h[len(h)-2], h[len(h)-1], p) <= 0 {
			h = h[:len(h)-1]
		}
		h = append(h, p)
	}
	return h[:len(h)-1]
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// shorten cuts s to at most n characters, at a comma or a space, with an
// ellipsis.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n-1]
	cut := string(r)
	if i := strings.LastIndex(cut, ", "); i > 0 {
		return cut[:i]
	}
	if i := strings.LastIndex(cut, " "); i > n/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:") + "…"
}

// box is a label's place: centre and half sizes, in permille.
type box struct{ x, y, hw, hh float64 }

func (a box) overlap(b box) float64 {
	w := min(a.x+a.hw, b.x+b.hw) - max(a.x-a.hw, b.x-b.hw)
	h := min(a.y+a.hh, b.y+b.hh) - max(a.y-a.hh, b.y-b.hh)
	if w <= 0 || h <= 0 {
		return 0
	}
	return w * h
}

func (a box) holds(x, y, r, ry float64) bool {
	return x+r > a.x-a.hw && x-r < a.x+a.hw && y+ry > a.y-a.hh && y-ry < a.y+a.hh
}

// labels names each topic on the map, near the centre of its points, where
// it covers the fewest other labels and points: once for the wide map (the
// label's first terms) and once for the narrow one (its first term).
func labels(d *Digest, xy []placed) []labelView {
	groups := byTopic(xy, len(d.Clusters))
	var ts []int
	for t, g := range groups {
		if len(g) > 0 {
			ts = append(ts, t)
		}
	}
	// the larger topics choose first
	slices.SortStableFunc(ts, func(a, b int) int { return len(groups[b]) - len(groups[a]) })
	wide := make(map[int]string, len(ts))
	narrow := make(map[int]string, len(ts))
	for _, t := range ts {
		l := tidy(d.Clusters[t].Label)
		wide[t] = shorten(l, wideChars)
		first := l
		if i := strings.Index(l, ", "); i > 0 {
			first = l[:i]
		}
		narrow[t] = shorten(first, narrowChar)
	}
	// wide: a permille of the height is 1/mapWide of one of the width
	wp := placeLabels(ts, groups, xy, wide, wideEm, wideEm*mapWide, dotRadius, dotRadius*mapWide)
	np := placeLabels(ts, groups, xy, narrow, narrowEm, narrowEm, dotRadius*narrowEm/wideEm, dotRadius*narrowEm/wideEm)
	var out []labelView
	for t := range groups {
		w, ok := wp[t]
		if !ok {
			continue
		}
		n := np[t]
		k, s := look(t)
		out = append(out, labelView{Kind: k, Shape: s, X: pct(w.x), Y: pct(w.y), NX: pct(n.x), NY: pct(n.y), Wide: wide[t], Narrow: narrow[t]})
	}
	return out
}

// placeLabels places the labels of the topics ts in turn: of the places
// around the topic's centre, the one that overlaps the labels placed
// before least, then covers the fewest points of other topics, then of its
// own (a liked paper is never covered if it can be helped), then lies
// nearest the centre. emX and emY are the font size in
// permille of the width and of the height; rx and ry a marker's half size.
func placeLabels(ts []int, groups [][]placed, xy []placed, texts map[int]string, emX, emY, rx, ry float64) map[int]box {
	out := map[int]box{}
	var done []box
	for _, t := range ts {
		cx, cy := centre(groups[t])
		hw := (glyph*float64(utf8.RuneCountInString(texts[t])) + labelExtra) * emX / 2
		hh := labelLine * emY / 2
		best, bestScore := box{}, math.Inf(1)
		for _, r := range []float64{0, 0.7, 1.4, 2.1, 2.8, 3.6, 4.6, 6} {
			steps := 16
			if r == 0 {
				steps = 1
			}
			for a := 0; a < steps; a++ {
				ang := 2 * math.Pi * float64(a) / float64(steps)
				b := box{cx + r*2*hh*math.Cos(ang)*emX/emY, cy + r*2*hh*math.Sin(ang), hw, hh}
				b.x = max(hw+4, min(b.x, 1000-hw-4))
				b.y = max(hh+4, min(b.y, 1000-hh-4))
				score := 0.0
				for _, o := range done {
					score += 1e4 * o.overlap(b) / (4 * hw * hh)
				}
				for _, p := range xy {
					if b.holds(p.x, p.y, rx, ry) {
						switch {
						case p.liked:
							score += 100
						case p.t == t:
							score += 6
						default:
							score += 30
						}
					}
				}
				score += 3 * math.Hypot((b.x-cx)/emX, (b.y-cy)/emY)
				if score < bestScore {
					best, bestScore = b, score
				}
			}
		}
		out[t] = best
		done = append(done, best)
	}
	return out
}
