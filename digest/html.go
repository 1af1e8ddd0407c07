package digest

import (
	"bufio"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strings"
	"sync"
)

//go:embed page.html.tmpl
var pageSource string

// (parsed at its first use: parsing at start-up would cost every command)
var pageTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("page").Parse(pageSource))
})

// Markers: ten colours, beyond which the shape changes (circle, square,
// diamond), so 30 topics stay apart.
const (
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
	Others                  []otherView
	OthersMore              string
	Big                     string // what a large list's page leaves out, in words
	Model                   string
}

type queueView struct {
	Title, URL, Anchor, Topic, Reason string
}

type clusterView struct {
	Kind, Shape            int
	Anchor, Heading, Terms string
	Size                   string
	One                    bool
	Shown, More            []paperView
	MoreStart              int
	Index                  []indexView
	Rest                   string
}

type paperView struct {
	Anchor, Title, URL, Facts, Abstract string
	Liked                               bool
	Value                               int // the paper's rank when numbering skips to it; 0 otherwise
}

type indexView struct {
	Anchor, Title, URL string
}

type otherView struct {
	Label, Size string
}

// HTML writes d as one self-contained HTML page: inline CSS, no script,
// nothing fetched from the network. The map shows each paper's title on
// hover, and on a tap or a click (CSS only).
func HTML(w io.Writer, d *Digest) error {
	v := view(d)
	bw := bufio.NewWriter(w)
	if err := pageTemplate().Execute(bw, v); err != nil {
		return fmt.Errorf("digest: html: %w", err)
	}
	return bw.Flush()
}

func view(d *Digest) *pageView {
	pl := d.plan()
	anchor := anchors(d, pl)
	v := &pageView{
		Title:   "papersift digest: " + tidy(d.List),
		Heading: d.heading(),
		Summary: d.summary(),
		Profile: d.Profile,
		Model:   tidy(d.Model),
	}
	if d.List == "" {
		v.Title = "papersift digest"
	}
	if pl.big {
		v.Big = fmt.Sprintf("A long list: each topic shows its %s closest papers in full (and the ones you liked or should read first), the next %s by title, and the number of the rest.",
			count(pl.perFull), count(pl.perIndex))
	}
	for t, tp := range pl.topics {
		c := &d.Clusters[t]
		k, s := look(t)
		cv := clusterView{
			Kind: k, Shape: s,
			Anchor:  fmt.Sprintf("topic-%d", t+1),
			Heading: tidy(c.heading()),
			Size:    count(len(c.Papers)),
			One:     len(c.Papers) == 1,
		}
		if len(c.Terms) > 3 {
			cv.Terms = strings.Join(clean(c.Terms[3:]), ", ")
		}
		for j, i := range tp.full {
			p := &c.Papers[i]
			pv := paperView{
				Anchor:   anchor[p.ID],
				Title:    tidy(p.Title),
				URL:      link(p.URL),
				Facts:    strings.Join(p.facts(), " · "),
				Abstract: tidy(p.Abstract),
				Liked:    p.Liked,
			}
			if j > 0 && i != tp.full[j-1]+1 {
				pv.Value = i + 1
			}
			if !pl.big && len(c.Papers) > shown+foldMin && j >= shown {
				cv.More = append(cv.More, pv)
			} else {
				cv.Shown = append(cv.Shown, pv)
			}
		}
		cv.MoreStart = len(cv.Shown) + 1
		for _, i := range tp.index {
			p := &c.Papers[i]
			cv.Index = append(cv.Index, indexView{Anchor: anchor[p.ID], Title: tidy(p.Title), URL: link(p.URL)})
		}
		if tp.rest > 0 {
			cv.Rest = fmt.Sprintf("… and %s more %s, not listed here.", count(tp.rest), plural(tp.rest, "paper", "papers"))
		}
		v.Clusters = append(v.Clusters, cv)
	}
	if rest := len(d.Clusters) - len(pl.topics); rest > 0 {
		for _, c := range d.Clusters[len(pl.topics):min(len(d.Clusters), len(pl.topics)+maxOtherTopics)] {
			v.Others = append(v.Others, otherView{Label: tidy(c.Label), Size: count(len(c.Papers))})
		}
		if more := len(d.Clusters) - len(pl.topics) - len(v.Others); more > 0 {
			n := 0
			for _, c := range d.Clusters[len(pl.topics)+len(v.Others):] {
				n += len(c.Papers)
			}
			v.OthersMore = fmt.Sprintf("… and %s more %s (%s %s).", count(more), plural(more, "topic", "topics"), count(n), plural(n, "paper", "papers"))
		}
	}
	topicOf := map[string]string{}
	pl.each(d, func(t, _ int, p *Paper, _ kind) { topicOf[p.ID] = tidy(d.Clusters[t].Label) })
	for _, q := range d.Queue {
		v.Queue = append(v.Queue, queueView{
			Title:  tidy(q.Title),
			URL:    link(q.URL),
			Anchor: anchor[q.ID],
			Topic:  topicOf[q.ID],
			Reason: tidy(q.Reason),
		})
	}
	pts := d.mapPoints(pl)
	v.Map = mapOf(d, pts, anchor)
	n, k := len(v.Map.Points), len(d.Clusters)
	v.Map.Desc = fmt.Sprintf("Each of the %s %s is a point, coloured by its topic (%s %s, named on the map and listed below it); papers with similar abstracts lie close together.",
		count(n), plural(n, "paper", "papers"), count(k), plural(k, "topic", "topics"))
	if total := d.N(); n < total {
		v.Map.Desc = fmt.Sprintf("A sample of %s of the %s papers, each a point coloured by its topic (%s %s, named on the map and listed below it); papers with similar abstracts lie close together.",
			count(n), count(total), count(k), plural(k, "topic", "topics"))
	}
	if d.Explained[0] > 0 {
		v.Map.Note = fmt.Sprintf("Axes: the first two principal components of the papers' vectors (%s and %s of the variance).", percent(d.Explained[0]), percent(d.Explained[1]))
	} else {
		v.Map.Note = "Papers with similar abstracts lie close together, and each topic's papers are drawn together; the axes mean nothing by themselves."
	}
	v.Map.Note += " Point at a paper, or tap it, for its title."
	return v
}

// percent formats a share as a percentage, with a decimal below 10%.
func percent(x float64) string {
	if x < 0.1 {
		return fmt.Sprintf("%.1f%%", 100*x)
	}
	return fmt.Sprintf("%.0f%%", 100*x)
}
