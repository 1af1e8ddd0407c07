package digest

import (
	"bufio"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"strings"
)

//go:embed page.html.tmpl
var pageSource string

var pageTemplate = template.Must(template.New("page").Parse(pageSource))

// Map geometry, in SVG user units.
const (
	mapWidth  = 720
	mapHeight = 440
	mapMargin = 14
	// palette is the number of colours; beyond it the marker shape changes
	// (circle, square, diamond), so 30 topics stay apart.
	palette = 10
	shapes  = 3
)

// shown is how many papers of a topic show before the rest fold away;
// a topic with at most shown+foldMin papers shows them all.
const (
	shown   = 8
	foldMin = 2
)

type pageView struct {
	Title, Heading, Summary string
	Profile                 bool
	Queue                   []queueView
	Map                     mapView
	Clusters                []clusterView
	Model                   string
}

type queueView struct {
	Title, URL, Anchor, Topic, Reason string
}

type mapView struct {
	W, H       int
	Desc, Note string
	Points     []pointView
	ViewBox    string
}

// marker is a point's shape in SVG attributes: a circle (X, Y centre, R),
// a square (X, Y corner, S side) or a diamond (Path).
type marker struct {
	Shape int // 0 circle, 1 square, 2 diamond
	Kind  int // colour
	X, Y  string
	R, S  string
	Path  string
}

type pointView struct {
	M             marker
	Anchor, Title string
}

type clusterView struct {
	M                             marker
	Anchor, Heading, Label, Terms string
	Size                          int
	Shown, More                   []paperView
	MoreStart                     int
}

type paperView struct {
	Anchor, ID, Title, URL, Facts, Abstract string
}

// HTML writes d as one self-contained HTML page: inline CSS and SVG, no
// script, nothing fetched from the network.
func HTML(w io.Writer, d *Digest) error {
	v := view(d)
	bw := bufio.NewWriter(w)
	if err := pageTemplate.Execute(bw, v); err != nil {
		return fmt.Errorf("digest: html: %w", err)
	}
	return bw.Flush()
}

// newMarker is the marker of a topic's point at (x, y), about 2*size wide.
func newMarker(topic int, x, y float64, size float64) marker {
	m := marker{Kind: topic % palette, Shape: (topic / palette) % shapes}
	switch m.Shape {
	case 0:
		m.X, m.Y, m.R = num(x), num(y), num(size*0.85)
	case 1:
		h := size * 0.75
		m.X, m.Y, m.S = num(x-h), num(y-h), num(2*h)
	default:
		s := num(size)
		m.Path = fmt.Sprintf("M%s %sl%s %s-%s %s-%s-%sz", num(x), num(y-size), s, s, s, s, s, s)
	}
	return m
}

// num formats a coordinate with one decimal (small pages, stable bytes).
func num(x float64) string {
	s := fmt.Sprintf("%.1f", x)
	s = strings.TrimSuffix(s, ".0")
	if s == "-0" {
		s = "0"
	}
	return s
}

func view(d *Digest) *pageView {
	anchor := anchors(d)
	v := &pageView{
		Title:   "papersift digest: " + oneLine(d.List),
		Heading: d.heading(),
		Summary: d.summary(),
		Profile: d.Profile,
		Model:   d.Model,
	}
	if d.List == "" {
		v.Title = "papersift digest"
	}
	topicOf := map[string]string{}
	for i, c := range d.Clusters {
		cv := clusterView{
			M:       newMarker(i, 7, 7, 6),
			Anchor:  fmt.Sprintf("topic-%d", i+1),
			Label:   oneLine(c.Label),
			Size:    len(c.Papers),
			Heading: oneLine(c.Label),
		}
		if len(c.Terms) > 3 {
			cv.Terms = strings.Join(clean(c.Terms[3:]), ", ")
		}
		for j, p := range c.Papers {
			topicOf[p.ID] = cv.Label
			pv := paperView{
				Anchor:   anchor[p.ID],
				ID:       p.ID,
				Title:    oneLine(p.Title),
				URL:      link(p.URL),
				Facts:    strings.Join(p.facts(), " · "),
				Abstract: oneLine(p.Abstract),
			}
			if len(c.Papers) <= shown+foldMin || j < shown {
				cv.Shown = append(cv.Shown, pv)
			} else {
				cv.More = append(cv.More, pv)
			}
		}
		cv.MoreStart = len(cv.Shown) + 1
		v.Clusters = append(v.Clusters, cv)
	}
	for _, q := range d.Queue {
		v.Queue = append(v.Queue, queueView{
			Title:  oneLine(q.Title),
			URL:    link(q.URL),
			Anchor: anchor[q.ID],
			Topic:  topicOf[q.ID],
			Reason: oneLine(q.Reason),
		})
	}
	v.Map = mapOf(d, anchor)
	return v
}

// mapOf places the papers in the SVG: one scale for both axes (distances
// keep their meaning), centred, the second axis pointing up.
func mapOf(d *Digest, anchor map[string]string) mapView {
	m := mapView{W: mapWidth, H: mapHeight, ViewBox: fmt.Sprintf("0 0 %d %d", mapWidth, mapHeight)}
	minX, minY := math.Inf(1), math.Inf(1)
	maxX, maxY := math.Inf(-1), math.Inf(-1)
	for _, c := range d.Clusters {
		for _, p := range c.Papers {
			minX, maxX = math.Min(minX, p.X), math.Max(maxX, p.X)
			minY, maxY = math.Min(minY, p.Y), math.Max(maxY, p.Y)
		}
	}
	scale := 0.0
	if dx, dy := maxX-minX, maxY-minY; dx > 0 || dy > 0 {
		scale = math.Inf(1)
		if dx > 0 {
			scale = (mapWidth - 2*mapMargin) / dx
		}
		if dy > 0 {
			scale = math.Min(scale, (mapHeight-2*mapMargin)/dy)
		}
	}
	cx, cy := (minX+maxX)/2, (minY+maxY)/2
	for i, c := range d.Clusters {
		for _, p := range c.Papers {
			x := mapWidth/2 + (p.X-cx)*scale
			y := mapHeight/2 - (p.Y-cy)*scale
			m.Points = append(m.Points, pointView{
				M:      newMarker(i, x, y, 6),
				Anchor: anchor[p.ID],
				Title:  oneLine(p.Title) + " (" + oneLine(c.Label) + ")",
			})
		}
	}
	n := d.N()
	m.Desc = fmt.Sprintf("Each of the %d %s is a point, coloured by its topic (%d %s, listed below the map); papers with similar abstracts lie close together.",
		n, plural(n, "paper", "papers"), len(d.Clusters), plural(len(d.Clusters), "topic", "topics"))
	if d.Explained[0] > 0 {
		m.Note = fmt.Sprintf("Axes: the first two principal components of the papers' vectors (%s and %s of the variance).", percent(d.Explained[0]), percent(d.Explained[1]))
	}
	return m
}

// percent formats a share as a percentage, with a decimal below 10%.
func percent(x float64) string {
	if x < 0.1 {
		return fmt.Sprintf("%.1f%%", 100*x)
	}
	return fmt.Sprintf("%.0f%%", 100*x)
}
