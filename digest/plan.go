package digest

import "slices"

// What a page holds. A list of at most bigList papers shows every paper; a
// larger one shows, for each of its first maxSections topics, the topic's
// closest papers in full (fullBudget shared among the topics, at most
// maxFull each, plus the queued and liked papers of the topic, at most
// maxPromoted on the page), the next ones as an index of titles (indexBudget
// shared, at most maxIndex each) and the number of the rest; the other
// topics by their label and size (at most maxOtherTopics of them). The map
// plots at most mapMax papers. So a page is at most a few MB, whatever the
// list.
const (
	bigList        = 2000
	fullBudget     = 400
	maxFull        = 25
	maxPromoted    = 200
	indexBudget    = 4000
	maxIndex       = 250
	maxSections    = 200
	maxOtherTopics = 1000
	mapMax         = 1000
)

// kind is how a page shows a paper.
type kind uint8

const (
	inFull  kind = iota // title, facts and abstract
	inIndex             // title only
)

// topicPlan is what a page shows of a topic: indices into its papers,
// ascending.
type topicPlan struct {
	full, index []int
	rest        int // papers not listed
}

// plan is what a page shows of a digest.
type plan struct {
	big bool
	// topics has one plan per topic with a section, the first ones of the
	// digest.
	topics []topicPlan
	// perFull and perIndex are the papers of a topic shown in full and
	// indexed on a big page (promoted papers aside).
	perFull, perIndex int
}

func (d *Digest) plan() *plan {
	pl := &plan{big: d.N() > bigList}
	if !pl.big {
		for _, c := range d.Clusters {
			tp := topicPlan{full: make([]int, len(c.Papers))}
			for i := range tp.full {
				tp.full[i] = i
			}
			pl.topics = append(pl.topics, tp)
		}
		return pl
	}
	k := min(len(d.Clusters), maxSections)
	pl.perFull = max(1, min(fullBudget/k, maxFull))
	pl.perIndex = min(indexBudget/k, maxIndex)
	promote := map[string]bool{}
	for _, q := range d.Queue {
		promote[q.ID] = true
	}
	promoted := 0
	for t := 0; t < k; t++ {
		var tp topicPlan
		for i := range d.Clusters[t].Papers {
			p := &d.Clusters[t].Papers[i]
			switch {
			case i < pl.perFull:
				tp.full = append(tp.full, i)
			case (p.Liked || promote[p.ID]) && promoted < maxPromoted:
				tp.full = append(tp.full, i)
				promoted++
			case len(tp.index) < pl.perIndex:
				tp.index = append(tp.index, i)
			default:
				tp.rest++
			}
		}
		pl.topics = append(pl.topics, tp)
	}
	return pl
}

// each calls f for every paper on the page (paper i of topic t), in the
// order of the topics and of their papers.
func (pl *plan) each(d *Digest, f func(t, i int, p *Paper, k kind)) {
	for t, tp := range pl.topics {
		ps := d.Clusters[t].Papers
		a, b := 0, 0
		for a < len(tp.full) || b < len(tp.index) {
			if b == len(tp.index) || a < len(tp.full) && tp.full[a] < tp.index[b] {
				f(t, tp.full[a], &ps[tp.full[a]], inFull)
				a++
			} else {
				f(t, tp.index[b], &ps[tp.index[b]], inIndex)
				b++
			}
		}
	}
}

// OnPage calls f for every paper the page shows, in full or in its index
// (paper i of topic t): the papers whose metadata a caller must fill in
// (the others need their ID and Title only). Fill the topics, the queue's
// ids and each paper's Liked first: they decide the page.
func (d *Digest) OnPage(f func(t, i int)) {
	d.plan().each(d, func(t, i int, _ *Paper, _ kind) { f(t, i) })
}

// MapPoint is a paper that the map plots.
type MapPoint struct {
	Topic int    // the paper's topic: an index in Digest.Clusters
	Paper *Paper // the paper, in Digest.Clusters: set its X and Y
}

// MapPoints names the papers that the HTML page plots on its map, in the
// order of the topics and of their papers: every paper of a list of at most
// 1,000; else 1,000 of the papers the page lists, the liked and queued ones
// first (up to half), then each topic's first ones in proportion to the
// papers it lists. The caller lays them out (Layout, with each point's
// topic) and sets their X and Y; the page plots no other paper.
//
// Fill the topics, the queue and each paper's Liked first: they decide the
// sample.
func (d *Digest) MapPoints() []MapPoint {
	return d.mapPoints(d.plan())
}

func (d *Digest) mapPoints(pl *plan) []MapPoint {
	type ref struct{ t, i int }
	var cand []ref
	per := make([]int, len(pl.topics))
	pl.each(d, func(t, i int, _ *Paper, _ kind) {
		cand = append(cand, ref{t, i})
		per[t]++
	})
	pick := func(r ref) MapPoint { return MapPoint{Topic: r.t, Paper: &d.Clusters[r.t].Papers[r.i]} }
	out := make([]MapPoint, 0, min(len(cand), mapMax))
	if len(cand) <= mapMax {
		for _, r := range cand {
			out = append(out, pick(r))
		}
		return out
	}
	queued := map[string]bool{}
	for _, q := range d.Queue {
		queued[q.ID] = true
	}
	chosen := map[ref]bool{}
	for _, r := range cand {
		if len(chosen) == mapMax/2 {
			break
		}
		if p := &d.Clusters[r.t].Papers[r.i]; p.Liked || queued[p.ID] {
			chosen[r] = true
		}
	}
	// the rest in proportion to the papers each topic lists (largest
	// remainder, ties to the earlier topic)
	left := mapMax - len(chosen)
	quota := make([]int, len(per))
	type rem struct{ t, r int }
	rems := make([]rem, len(per))
	given := 0
	for t, n := range per {
		quota[t] = n * left / len(cand)
		given += quota[t]
		rems[t] = rem{t, n * left % len(cand)}
	}
	slices.SortStableFunc(rems, func(a, b rem) int { return b.r - a.r })
	for i := 0; given < left && i < len(rems); i++ {
		quota[rems[i].t]++
		given++
	}
	for _, r := range cand {
		if !chosen[r] && quota[r.t] > 0 {
			chosen[r] = true
			quota[r.t]--
		}
	}
	for _, r := range cand {
		if chosen[r] {
			out = append(out, pick(r))
		}
	}
	return out
}
