package cluster

import (
	"context"
	"math"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/papersift/papersift/internal/parallel"
	"github.com/papersift/papersift/tfidf"
)

// genericWords are words of research prose that name no topic: they never
// label a cluster alone, nor open a phrase ("proposed method"); they may
// close one ("language models"). They stand in for a Background: with one,
// how topical a word is is measured instead (see topicality).
// (made at its first use, not at the start of every command)
var genericWords = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`paper papers propose proposed proposes present presents method methods
		approach approaches result results show shows shown using use used uses based new novel model models
		framework frameworks performance task tasks data study studies work works analysis different
		existing recent various significant significantly improve improved improves improvement
		demonstrate demonstrates experiments experimental achieve achieves state art problem problems
		provide provides able including large high low better best effective efficient introduce
		introduces key important general specific learning training trained set sets
		evaluation evaluate evaluated benchmark benchmarks level multiple way ways given time
		suggest suggests suggesting compare compared comparing comparison potential argue argues
		perspective larger term terms widely change changes upcoming input inputs building build
		difference differences despite remains remain understanding understand capture captures
		insight insights reveal reveals revealing highlight highlights enable enables enabling
		require requires required critical crucial challenging challenge challenges promising
		fundamental ability abilities capability capabilities robust diverse range wide evidence
		finding findings factor factors property properties aspect aspects role process processes
		emerging question questions direction directions future current previous prior typically
		leverage leverages leveraging explore explores exploring investigate investigates
		investigated examine examines address addresses develop developed developing design
		designed apply applied application applications real world similar related effect effects
		impact complex simple single outperform outperforms outperforming achieving
		offer offers offering need needs make makes making allow allows
		furthermore additionally moreover particular particularly specifically recently
		number numbers type types form forms lead leads leading known like information
		strong stronger higher lower faster effectively efficiently accurate accuracy
		extensive comprehensive consistently substantially significantly remarkable
		approach via across high quality propose paradigm settings setting scenarios
		research development efficiency dataset datasets yield yields joint various study
		propose paper however often due toward towards within well also still aim aims`) {
		m[w] = true
	}
	return m
})

// Doc is the text of one paper, for labels.
type Doc struct {
	Title, Abstract string
}

// LabelOptions configures Labels. The zero value means the defaults.
type LabelOptions struct {
	// Terms is the most terms per cluster (default 5).
	Terms int
	// MinTerms: terms are added, best first, until the label has Terms, or
	// at least MinTerms (default 3) and the next term scores below half the
	// first.
	MinTerms int
	// Background tells how common a term is in scientific abstracts in
	// general: a word ("diffusion") or two words ("video diffusion"), as
	// written in lowercase, plurals as they are (tfidf's tokens). It reports
	// false for a term it does not know, which is taken to be rare, so it
	// must know every term of more than a few abstracts in 10,000. With
	// Repeat, a word's topicality is measured (see ridf) and the fixed list
	// of generic words is not used; with DF alone, the list stands in and
	// words of more than commonDF of the abstracts are generic too; without
	// a Background, the list alone.
	Background func(term string) (TermStats, bool)
}

// TermStats is what a large body of scientific abstracts says of a term.
type TermStats struct {
	// DF is the share of the abstracts that use the term (0 to 1).
	DF float64
	// Repeat is the mean number of uses of the term in an abstract that
	// uses it (1 or more; 0 when not known). Words that name a topic are
	// used again and again by the papers about it ("diffusion" 2.5 times);
	// words of research prose are not ("requiring" 1.03 times).
	Repeat float64
}

// Topic is the label of one cluster.
type Topic struct {
	// Label is what a reader would call the topic: its best terms, or when
	// they are weak, its most representative phrase or the shortened title
	// of its most central paper.
	Label string
	// Terms are the cluster's distinctive terms, best first (what Labels
	// returns).
	Terms []string
	// Weak is set when the terms do not name the cluster: none of them is
	// weakLift times more common in the titles of its papers than in the
	// titles of the other clusters' papers. Label is then a title.
	Weak bool
	// Strength is how many times more common the best of the terms is in
	// the titles of the cluster's papers than in the others' (+Inf for a
	// cluster of one paper, never weak).
	Strength float64
}

// Labels returns up to 5 distinctive terms for each of k clusters, best
// first, from the titles and abstracts of their papers; assign[i] is the
// cluster of docs[i]. See LabelOptions.Label.
func Labels(docs []Doc, assign []int, k int) [][]string {
	return LabelOptions{}.Label(docs, assign, k)
}

// Label returns the Terms of each of k clusters' topics (see Topics).
func (o LabelOptions) Label(docs []Doc, assign []int, k int) [][]string {
	topics := o.Topics(docs, assign, k)
	out := make([][]string, k)
	for c, t := range topics {
		out[c] = t.Terms
	}
	return out
}

// Topics labels each of k clusters from the titles and abstracts of its
// papers; assign[i] is the cluster of docs[i], and the papers of a cluster
// come closest to its centre first.
//
// Its terms are ranked by class-based TF-IDF (c-TF-IDF, as BERTopic names
// topics): the papers of a cluster form one class document, and a term t
// scores in cluster c
//
//	tf(t, c) * log(1 + A / f(t)) * w(t)
//
// where f(t) is the number of papers that use t in all clusters, A the mean
// number of papers per cluster, and tf(t, c) the share of c's papers that
// use t, plus the share that use it in their title (a title says what a
// paper is about): frequent in the cluster, rare elsewhere. Counting papers
// rather than occurrences keeps one paper that repeats a word from naming
// its cluster. w(t) is how topical the term is in science at large (see
// topicality), 1 without a Background.
//
// Terms are lowercase words and two-word phrases of adjacent words (not
// across punctuation or a stop word, nor cutting a hyphenated compound:
// "long-term memory" has no "term memory"), with English stop words, web
// addresses, HTML tags and LaTeX commands out. Plurals count with their
// singular ("model" and "models" are one term, shown in its commoner form).
// A term must be used by two papers of its cluster (or twice by the paper
// of a cluster of one). Generic words ("method", "results", "requiring")
// never stand alone nor open a phrase, and neither does a word that the
// cluster's papers use only in compounds ("free" of "training-free") or a
// version ("v2"). A word gives way to the phrase that at least half its
// uses are in ("reinforcement learning" for "reinforcement"), and a phrase
// of two words to the phrase of three that half its uses are in ("long
// term memory"); a term adding nothing to those chosen is passed over.
// Ties go to the term first in byte order, so the labels depend only on
// the papers and their clusters.
//
// A label is weak when none of its terms (or of their words) is three
// times more common in the titles of its cluster's papers than in the
// titles of the others (Strength): then it is the shortened title of the
// cluster's most central paper.
func (o LabelOptions) Topics(docs []Doc, assign []int, k int) []Topic {
	l := newLabeller(o, docs, assign, k)
	if len(l.lx.generic) > 0 {
		l.lx.show(0) // the words' shown forms, made once before the parts read them
	}
	out := make([]Topic, k)
	// the clusters on every core (a sixth of group's time at 65,000
	// papers): each part with its own copy of the labeller's memos (what
	// the background says of a term, a word's topicality, the titles'
	// words), which are the same whoever fills them
	parts := max(1, min(runtime.GOMAXPROCS(0), k))
	var wg sync.WaitGroup
	for p := range parts {
		w := *l
		w.bg = make(map[uint64]backgroundTerm, len(l.bg))
		w.wtop = slices.Clone(l.wtop)
		w.tw = nil
		wg.Go(func() {
			for c := p; c < k; c += parts {
				if w.groups[c].n == 0 {
					continue
				}
				cand := w.candidates(w.groups[c], false)
				chosen := w.choose(c, cand)
				t := Topic{Terms: make([]string, len(chosen))}
				for q, ch := range chosen {
					t.Terms[q] = ch.text
				}
				out[c] = w.topic(c, chosen, t)
			}
		})
	}
	wg.Wait()
	return out
}

// labeller holds the counts of one labelling.
type labeller struct {
	o       LabelOptions
	docs    []Doc
	lx      *lexicon
	titles  [][]int32                 // tokens of each paper's title
	fulls   [][]int32                 // ... of its title and abstract
	terms   [][]uint64                // terms of each paper, sorted
	tterms  [][]uint64                // ... of its title
	bound   [][]uint64                // words of each paper used only in hyphenated compounds
	members [][]int                   // papers of each cluster, in the caller's order
	groups  []counts                  // counts of each cluster
	df      map[uint64]int32          // papers using the term, all clusters
	avg     float64                   // papers per non-empty cluster
	bg      map[uint64]backgroundTerm // what the background says of a term, when asked
	forms   [][]string                // stem id -> its words ("model", "models")
	wtop    []float64                 // stem id -> its topicality (-1: not known yet)
	tw      [][]int32                 // words of each paper's title, sorted (filled when first asked)
}

// counts are the papers of a group that use each term.
type counts struct {
	n      int
	df     map[uint64]int32 // papers using the term
	title  map[uint64]int32 // ... in their title
	bound  map[uint64]int32 // ... only in hyphenated compounds (words)
	single map[uint64]int32 // occurrences, in a group of one paper
}

func newLabeller(o LabelOptions, docs []Doc, assign []int, k int) *labeller {
	if o.Terms <= 0 {
		o.Terms = 5
	}
	if o.MinTerms <= 0 {
		o.MinTerms = min(3, o.Terms)
	}
	l := &labeller{o: o, docs: docs, members: make([][]int, k), groups: make([]counts, k),
		terms: make([][]uint64, len(docs)), tterms: make([][]uint64, len(docs)), bound: make([][]uint64, len(docs)),
		df: map[uint64]int32{}, bg: map[uint64]backgroundTerm{}}
	l.lx, l.titles, l.fulls = tokenizeDocs(docs, assign, k)
	// each paper's terms, on every core
	_ = parallel.For(context.Background(), len(docs), func(lo, hi int) {
		var free []uint64
		for i := lo; i < hi; i++ {
			if c := assign[i]; c < 0 || c >= k {
				continue
			}
			l.tterms[i] = uniqueTerms(appendTerms(nil, l.titles[i]))
			l.terms[i] = uniqueTerms(appendTerms(nil, l.fulls[i]))
			free = free[:0]
			var bound []uint64
			for _, x := range l.fulls[i] {
				switch {
				case x < 0:
				case x&joined != 0:
					bound = append(bound, unigram(plain(x)))
				default:
					free = append(free, unigram(x))
				}
			}
			free = uniqueTerms(free)
			l.bound[i] = slices.DeleteFunc(uniqueTerms(bound), func(t uint64) bool {
				_, ok := slices.BinarySearch(free, t)
				return ok
			})
		}
	})
	for i := range docs {
		c := assign[i]
		if c < 0 || c >= k {
			continue
		}
		l.members[c] = append(l.members[c], i)
		for _, t := range l.terms[i] {
			l.df[t]++
		}
	}
	// each cluster's counts, on every core
	_ = parallel.Fixed(context.Background(), k, min(k, 16), func(_, lo, hi int) {
		for c := lo; c < hi; c++ {
			l.groups[c] = l.count(l.members[c])
		}
	})
	nonEmpty := 0
	for _, ms := range l.members {
		if len(ms) > 0 {
			nonEmpty++
		}
	}
	l.avg = float64(len(docs)) / float64(max(1, nonEmpty))
	if o.Background != nil {
		l.forms = make([][]string, len(l.lx.generic))
		for w, word := range l.lx.words {
			s := l.lx.wstem[w]
			l.forms[s] = append(l.forms[s], word)
		}
		for _, f := range l.forms {
			slices.Sort(f)
		}
		l.wtop = make([]float64, len(l.forms))
		for s := range l.wtop {
			l.wtop[s] = -1
		}
	}
	return l
}

// count counts the terms of a group of papers.
func (l *labeller) count(members []int) counts {
	terms, titles := 0, 0
	for _, i := range members {
		terms += len(l.terms[i])
		titles += len(l.tterms[i])
	}
	// room for the distinct terms: about half of all, in large groups
	g := counts{n: len(members), df: make(map[uint64]int32, terms/2), title: make(map[uint64]int32, titles/2), bound: map[uint64]int32{}}
	for _, i := range members {
		for _, t := range l.terms[i] {
			g.df[t]++
		}
		for _, t := range l.tterms[i] {
			g.title[t]++
		}
		for _, t := range l.bound[i] {
			g.bound[t]++
		}
	}
	if len(members) == 1 {
		g.single = map[uint64]int32{}
		for _, t := range appendTerms(nil, l.fulls[members[0]]) {
			g.single[t]++
		}
	}
	return g
}

// candidates returns the terms that may label a group, best first; with
// best, only the best of them.
func (l *labeller) candidates(g counts, best bool) []scored {
	var cand []scored
	for t, d := range g.df {
		if g.n == 1 {
			if g.single[t] < 2 {
				continue
			}
		} else if d < 2 {
			continue
		}
		if !isPhrase(t) && (2*g.bound[t] > d || code(l.lx.show(int32(t>>32)))) {
			continue // a part of compounds ("free" of "training-free"), a version ("v2")
		}
		w := l.topicality(t)
		if w <= 0 {
			continue
		}
		tf := float64(d+g.title[t]) / float64(g.n)
		s := scored{key: t, df: d, weight: w, score: tf * math.Log(1+l.avg/float64(l.df[t])) * w}
		if best {
			if len(cand) == 0 {
				cand = append(cand, s)
			} else if s.score > cand[0].score {
				cand[0] = s
			}
			continue
		}
		s.text = l.lx.term(t)
		cand = append(cand, s)
	}
	sort.Slice(cand, func(a, b int) bool {
		if cand[a].score != cand[b].score {
			return cand[a].score > cand[b].score
		}
		if pa, pb := isPhrase(cand[a].key), isPhrase(cand[b].key); pa != pb {
			return pa // a phrase says more than a word of the same score
		}
		return cand[a].text < cand[b].text
	})
	return cand
}

// topic completes t, the topic of cluster c with the chosen terms.
func (l *labeller) topic(c int, chosen []scored, t Topic) Topic {
	label := chosen[:min(3, len(chosen))]
	t.Label = strings.Join(t.Terms[:len(label)], ", ")
	if l.groups[c].n == 1 {
		t.Strength = math.Inf(1)
		return t
	}
	t.Strength = l.strength(c, label)
	if t.Strength < weakLift {
		t.Weak = true
		t.Label = l.title(c, chosen)
	}
	return t
}

// weakLift: a label none of whose terms is this many times more common
// in the titles of its cluster's papers than in the titles of the others
// is weak.
const weakLift = 3

// strength returns how many times more common the best of terms, or of
// their words, is in the titles of the papers of cluster c than in the
// titles of the other papers (with one more of the others using it, so
// that a term in no other title counts for what it is). A title uses a
// term when it has its topical words.
func (l *labeller) strength(c int, terms []scored) float64 {
	var sets [][]int32
	for _, t := range terms {
		var words []int32
		for _, w := range t.words() {
			if l.wordWeight(w) >= 0.5 {
				words = append(words, w)
				sets = append(sets, []int32{w})
			}
		}
		if len(words) > 1 {
			sets = append(sets, words)
		}
	}
	if l.tw == nil {
		l.tw = make([][]int32, len(l.titles))
		for _, ms := range l.members {
			for _, i := range ms {
				var ws []int32
				for _, x := range l.titles[i] {
					if x >= 0 {
						ws = append(ws, plain(x))
					}
				}
				slices.Sort(ws)
				l.tw[i] = slices.Compact(ws)
			}
		}
	}
	best := 0.0
	for _, words := range sets {
		in, out, others := 0, 0, 0
		for d, ms := range l.members {
			for _, i := range ms {
				uses := !slices.ContainsFunc(words, func(w int32) bool {
					_, ok := slices.BinarySearch(l.tw[i], w)
					return !ok
				})
				switch {
				case d == c && uses:
					in++
				case d != c:
					others++
					if uses {
						out++
					}
				}
			}
		}
		best = max(best, float64(in)/float64(l.groups[c].n)/(float64(out+1)/float64(others+1)))
	}
	return best
}

// title returns the title of the paper closest to the centre of cluster
// c, shortened into a label (see shortTitle): of its parts, the one that
// uses the most of the terms, weighed by their scores.
func (l *labeller) title(c int, terms []scored) string {
	return shortTitle(l.docs[l.members[c][0]].Title, func(text string) float64 {
		var words []int32
		for _, w := range tfidf.Tokens(text) {
			if id, ok := l.lx.word[w]; ok {
				words = append(words, l.lx.wstem[id])
			}
		}
		var s float64
		for _, t := range terms {
			if !slices.ContainsFunc(t.words(), func(w int32) bool { return !slices.Contains(words, w) }) {
				s += t.score
			}
		}
		return s
	})
}

// appendTerms appends the unigrams and bigrams of a token sequence (-1
// breaks a phrase) to dst. A bigram does not cut a hyphenated compound:
// "long-term memory" has no "term memory".
func appendTerms(dst []uint64, toks []int32) []uint64 {
	for j, t := range toks {
		if t < 0 {
			continue
		}
		dst = append(dst, unigram(plain(t)))
		if j > 0 && phrase(toks[j-1], t) {
			dst = append(dst, bigram(plain(toks[j-1]), plain(t)))
		}
	}
	return dst
}

// phrase reports whether tokens x and y, adjacent, make a phrase: neither
// a break, and joined by a hyphen or neither part of a compound.
func phrase(x, y int32) bool {
	return x >= 0 && y >= 0 && (x&joinedR != 0 || x&joined == 0 && y&joined == 0)
}

// before reports whether token z may open a phrase that token a opens:
// joined to it, or neither part of a compound to the other's side.
func before(z, a int32) bool {
	return z >= 0 && a >= 0 && (z&joinedR != 0 || z&joinedL == 0 && a&joinedL == 0)
}

// after reports whether token c may close a phrase that token b closes.
func after(b, c int32) bool {
	return b >= 0 && c >= 0 && (b&joinedR != 0 || b&joinedR == 0 && c&joined == 0)
}

// uniqueTerms sorts terms and drops repeats, in place.
func uniqueTerms(terms []uint64) []uint64 {
	slices.Sort(terms)
	return slices.Compact(terms)
}

// scored is a candidate term of a cluster.
type scored struct {
	key    uint64
	w      []int32 // its words when more than two, else nil
	text   string
	df     int32   // texts of the cluster using it
	weight float64 // its topicality
	score  float64
}

// words returns the stem ids of the words of t.
func (t scored) words() []int32 {
	if t.w != nil {
		return t.w
	}
	a, b := int32(t.key>>32), int32(t.key)
	if b < 0 {
		return []int32{a}
	}
	return []int32{a, b}
}

func sharesWord(a, b []int32) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}

// choose picks the label terms of cluster c from candidates sorted best
// first.
func (l *labeller) choose(c int, cand []scored) []scored {
	o := l.o
	var chosen []scored
	for _, t := range cand {
		if len(chosen) == o.Terms {
			break
		}
		if len(chosen) >= o.MinTerms && t.score < chosen[0].score/2 {
			break
		}
		if !isPhrase(t.key) {
			t = l.phrase(t, cand)
		}
		tw := t.words()
		var overlap []int // chosen terms sharing a word with t
		for q, ch := range chosen {
			if sharesWord(tw, ch.words()) {
				overlap = append(overlap, q)
			}
		}
		at := len(chosen)
		if len(overlap) == 0 {
			chosen = append(chosen, t)
		} else {
			// a phrase replaces the words of its own that were chosen when
			// it holds at least half of their uses; anything else adds
			// nothing
			replace := len(tw) == 2
			for _, q := range overlap {
				if len(chosen[q].words()) != 1 || 2*t.df < chosen[q].df {
					replace = false
				}
			}
			if !replace {
				continue
			}
			at = overlap[0]
			chosen[at] = t
			for q := len(overlap) - 1; q > 0; q-- {
				chosen = slices.Delete(chosen, overlap[q], overlap[q]+1)
			}
		}
		if len(tw) != 2 {
			continue
		}
		// a phrase of two words that the papers use within one of three
		// ("term memory" of "long term memory") becomes that phrase, and
		// stands for the terms it holds
		ext, ok := l.extend(c, chosen[at])
		if !ok {
			continue
		}
		chosen[at] = ext
		chosen = slices.DeleteFunc(chosen, func(ch scored) bool {
			return len(ch.words()) < 3 && !slices.ContainsFunc(ch.words(), func(w int32) bool { return !slices.Contains(ext.w, w) })
		})
	}
	return chosen
}

// phrase returns the phrase that word t is used in by at least half the
// papers that use it, the commonest ("reinforcement learning" for
// "reinforcement"), or t; cand are the candidate terms of its cluster.
func (l *labeller) phrase(t scored, cand []scored) scored {
	a := int32(t.key >> 32)
	best := t
	for _, p := range cand {
		if !isPhrase(p.key) || 2*p.df < t.df || p.df <= best.df && best.key != t.key {
			continue
		}
		if x, y := int32(p.key>>32), int32(p.key); x != a && y != a {
			continue
		}
		if p.df > best.df || best.key == t.key || p.score > best.score {
			best = p
		}
	}
	if best.key != t.key {
		best.score = max(best.score, t.score)
	}
	return best
}

// extend returns bigram t of cluster c as the phrase of three words that at
// least half its papers use it in, if there is one: a word before or after
// it, not a generic one.
func (l *labeller) extend(c int, t scored) (scored, bool) {
	a, b := int32(t.key>>32), int32(t.key)
	lefts, rights := map[int32]int32{}, map[int32]int32{}
	var seen []int32
	for _, i := range l.members[c] {
		toks := l.fulls[i]
		seen = seen[:0]
		for j := 0; j+1 < len(toks); j++ {
			if toks[j] < 0 || toks[j+1] < 0 || plain(toks[j]) != a || plain(toks[j+1]) != b {
				continue
			}
			if !phrase(toks[j], toks[j+1]) {
				continue
			}
			if j > 0 && before(toks[j-1], toks[j]) && !slices.Contains(seen, ^plain(toks[j-1])) {
				seen = append(seen, ^plain(toks[j-1]))
				lefts[plain(toks[j-1])]++
			}
			if j+2 < len(toks) && after(toks[j+1], toks[j+2]) && !slices.Contains(seen, plain(toks[j+2])) {
				seen = append(seen, plain(toks[j+2]))
				rights[plain(toks[j+2])]++
			}
		}
	}
	best, bestN, left := int32(-1), int32(0), false
	for side, m := range []map[int32]int32{lefts, rights} {
		for w, n := range m {
			if n > bestN || n == bestN && best >= 0 && l.lx.show(w) < l.lx.show(best) {
				best, bestN, left = w, n, side == 0
			}
		}
	}
	if best < 0 || bestN < 2 || 2*bestN < t.df || best == a || best == b || l.wordWeight(best) == 0 {
		return t, false
	}
	if left {
		t.w = []int32{best, a, b}
	} else {
		t.w = []int32{a, b, best}
	}
	t.text = l.lx.show(t.w[0]) + " " + l.lx.show(t.w[1]) + " " + l.lx.show(t.w[2])
	return t, true
}

func isPhrase(t uint64) bool   { return int32(t) >= 0 }
func unigram(t int32) uint64   { return uint64(uint32(t))<<32 | 0xffffffff }
func bigram(a, b int32) uint64 { return uint64(uint32(a))<<32 | uint64(uint32(b)) }
