package cluster

import (
	"math"
	"slices"
	"sort"
	"strings"
)

// genericWords are words of research prose that name no topic: they never
// label a cluster alone, nor open a phrase ("proposed method"); they may
// close one ("language models").
var genericWords = map[string]bool{}

func init() {
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
		genericWords[w] = true
	}
}

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
}

// Labels returns up to 5 distinctive terms for each of k clusters, best
// first, from the titles and abstracts of their papers; assign[i] is the
// cluster of docs[i]. See LabelOptions.Label.
func Labels(docs []Doc, assign []int, k int) [][]string {
	return LabelOptions{}.Label(docs, assign, k)
}

// Label returns the most distinctive terms of each of k clusters by
// class-based TF-IDF (c-TF-IDF, as BERTopic names topics): the papers of a
// cluster form one class document, and a term t scores in cluster c
//
//	tf(t, c) * log(1 + A / f(t))
//
// where f(t) is the number of papers that use t in all clusters, A the mean
// number of papers per cluster, and tf(t, c) the share of c's papers that
// use t, plus the share that use it in their title (a title says what a
// paper is about): frequent in the cluster, rare elsewhere. Counting papers
// rather than occurrences keeps one paper that repeats a word from naming
// its cluster.
//
// Terms are lowercase words and two-word phrases of adjacent words (not
// across punctuation or a stop word), with English stop words, web
// addresses, HTML tags and LaTeX commands out. Plurals count with their
// singular ("model" and "models" are one term, shown in its commoner form).
// A term must be used by two papers of its cluster (or twice by the paper
// of a cluster of one); generic research words ("method", "results") never
// stand alone nor open a phrase. A phrase replaces a chosen word of its own
// when at least half the cluster's uses of the word are in it
// ("reinforcement learning" for "reinforcement"); a term adding nothing to
// those chosen is passed over. Ties go to the term first in byte order, so
// the labels depend only on the papers and their clusters.
func (o LabelOptions) Label(docs []Doc, assign []int, k int) [][]string {
	if o.Terms <= 0 {
		o.Terms = 5
	}
	if o.MinTerms <= 0 {
		o.MinTerms = min(3, o.Terms)
	}
	lx, titles, fulls := tokenizeDocs(docs, assign, k)
	size := make([]int, k)
	dfc := make([]map[uint64]int32, k) // papers of the cluster using the term
	tic := make([]map[uint64]int32, k) // ... in their title
	for c := range dfc {
		dfc[c] = map[uint64]int32{}
		tic[c] = map[uint64]int32{}
	}
	df := map[uint64]int32{} // papers using the term, all clusters
	var terms, titleTerms []uint64
	for i := range docs {
		c := assign[i]
		if c < 0 || c >= k {
			continue
		}
		size[c]++
		titleTerms = appendTerms(titleTerms[:0], titles[i])
		terms = appendTerms(terms[:0], fulls[i])
		for _, t := range uniqueTerms(terms) {
			dfc[c][t]++
			df[t]++
		}
		for _, t := range uniqueTerms(titleTerms) {
			tic[c][t]++
		}
	}
	// occurrences in clusters of one paper
	single := make([]map[uint64]int32, k)
	for i := range docs {
		c := assign[i]
		if c < 0 || c >= k || size[c] != 1 {
			continue
		}
		single[c] = map[uint64]int32{}
		for _, t := range appendTerms(terms[:0], fulls[i]) {
			single[c][t]++
		}
	}
	nonEmpty := 0
	for _, s := range size {
		if s > 0 {
			nonEmpty++
		}
	}
	avg := float64(len(docs)) / float64(max(1, nonEmpty))
	out := make([][]string, k)
	for c := 0; c < k; c++ {
		if size[c] == 0 {
			continue
		}
		var cand []scored
		for t, d := range dfc[c] {
			if size[c] == 1 {
				if single[c][t] < 2 {
					continue
				}
			} else if d < 2 {
				continue
			}
			if !lx.topical(t) {
				continue
			}
			tf := float64(d+tic[c][t]) / float64(size[c])
			cand = append(cand, scored{t, lx.term(t), d, tf * math.Log(1+avg/float64(df[t]))})
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
		out[c] = o.choose(cand, lx)
	}
	return out
}

// appendTerms appends the unigrams and bigrams of a token sequence (-1
// breaks a phrase) to dst.
func appendTerms(dst []uint64, toks []int32) []uint64 {
	for j, t := range toks {
		if t < 0 {
			continue
		}
		dst = append(dst, unigram(t))
		if j > 0 && toks[j-1] >= 0 {
			dst = append(dst, bigram(toks[j-1], t))
		}
	}
	return dst
}

// uniqueTerms sorts terms and drops repeats, in place.
func uniqueTerms(terms []uint64) []uint64 {
	slices.Sort(terms)
	return slices.Compact(terms)
}

// scored is a candidate term of a cluster.
type scored struct {
	key   uint64
	text  string
	df    int32 // texts of the cluster using it
	score float64
}

func sharesWord(a, b []int32) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}

// choose picks the label terms from candidates sorted best first.
func (o LabelOptions) choose(cand []scored, lx *lexicon) []string {
	var chosen []scored
	words := func(t scored) []int32 {
		a, b := int32(t.key>>32), int32(t.key)
		if b < 0 {
			return []int32{a}
		}
		return []int32{a, b}
	}
	for _, t := range cand {
		if len(chosen) == o.Terms {
			break
		}
		if len(chosen) >= o.MinTerms && t.score < chosen[0].score/2 {
			break
		}
		tw := words(t)
		var overlap []int // chosen terms sharing a word with t
		for q, ch := range chosen {
			if sharesWord(tw, words(ch)) {
				overlap = append(overlap, q)
			}
		}
		if len(overlap) == 0 {
			chosen = append(chosen, t)
			continue
		}
		// a phrase replaces the words of its own that were chosen when it
		// holds at least half of their uses; anything else adds nothing
		replace := len(tw) == 2
		for _, q := range overlap {
			if len(words(chosen[q])) != 1 || 2*t.df < chosen[q].df {
				replace = false
			}
		}
		if !replace {
			continue
		}
		chosen[overlap[0]] = t
		for q := len(overlap) - 1; q > 0; q-- {
			chosen = slices.Delete(chosen, overlap[q], overlap[q]+1)
		}
	}
	out := make([]string, len(chosen))
	for q, t := range chosen {
		out[q] = t.text
	}
	return out
}

func isPhrase(t uint64) bool   { return int32(t) >= 0 }
func unigram(t int32) uint64   { return uint64(uint32(t))<<32 | 0xffffffff }
func bigram(a, b int32) uint64 { return uint64(uint32(a))<<32 | uint64(uint32(b)) }
