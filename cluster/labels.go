package cluster

import (
	"math"
	"sort"
	"strings"

	"github.com/papersift/papersift/tfidf"
)

// genericWords are words of research prose that name no topic: they never
// label a cluster alone (a phrase holding one, "language models", may).
var genericWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`paper papers propose proposed proposes present presents method methods
		approach approaches result results show shows shown using use used based new novel model models
		framework frameworks performance task tasks data study studies work works analysis different
		existing recent various significant significantly improve improved improves improvement
		demonstrate demonstrates experiments experimental achieve achieves state art problem problems
		provide provides able including large high low better best effective efficient introduce
		introduces key important general specific approach learning training trained set sets
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
		impact complex simple single outperform outperforms outperforming significant achieving
		compared across offer offers offering need needs make makes making allow allows
		furthermore additionally moreover particular particularly specifically recently
		number numbers type types form forms lead leads leading known like information`) {
		genericWords[w] = true
	}
}

// Labels returns up to n distinctive terms for each of k clusters. A term's
// score in a cluster is p log(p / q), where p is the share of the cluster's
// texts that hold it and q the share of all texts (smoothed): frequent in
// the cluster and rare elsewhere. Terms are unigrams and bigrams with stop
// words removed; a term must recur in two texts of its cluster (or twice in a
// cluster of one); generic research words ("model", "results") never stand
// alone; a term adding nothing to those chosen (a word of a chosen phrase, a
// plural of a chosen word) is passed over.
func Labels(texts []string, assign []int, k, n int) [][]string {
	df := make([]map[string]int, k) // texts of the cluster holding the term
	tf := make([]map[string]int, k) // occurrences in the cluster
	for c := range df {
		df[c] = map[string]int{}
		tf[c] = map[string]int{}
	}
	all := map[string]int{}
	size := make([]int, k)
	for i, text := range texts {
		c := assign[i]
		size[c]++
		toks := tfidf.Tokens(text)
		seen := map[string]bool{}
		add := func(t string) {
			tf[c][t]++
			if !seen[t] {
				seen[t] = true
				df[c][t]++
				all[t]++
			}
		}
		for j, t := range toks {
			add(t)
			if j > 0 {
				add(toks[j-1] + " " + t)
			}
		}
	}
	total := float64(len(texts))
	out := make([][]string, k)
	for c := 0; c < k; c++ {
		type ts struct {
			t string
			s float64
		}
		var cand []ts
		for t, d := range df[c] {
			if d < 2 && !(size[c] == 1 && tf[c][t] >= 2) {
				continue
			}
			if first, _, _ := strings.Cut(t, " "); genericWords[first] {
				continue // a generic word alone, or opening a phrase ("state art")
			}
			p := float64(d) / float64(size[c])
			q := (float64(all[t]) + 1) / (total + 2)
			if p <= q {
				continue
			}
			w := p * math.Log(p/q)
			if strings.Contains(t, " ") {
				w *= 1.2 // a phrase names a topic better than either word
			}
			cand = append(cand, ts{t, w})
		}
		sort.Slice(cand, func(i, j int) bool {
			if cand[i].s != cand[j].s {
				return cand[i].s > cand[j].s
			}
			return cand[i].t < cand[j].t
		})
		var chosen []string
		for _, x := range cand {
			if len(chosen) == n {
				break
			}
			if redundant(x.t, chosen) {
				continue
			}
			chosen = append(chosen, x.t)
		}
		out[c] = chosen
	}
	return out
}

// redundant reports whether term adds nothing to the chosen terms.
func redundant(term string, chosen []string) bool {
	for _, c := range chosen {
		if c == term || c+"s" == term || c == term+"s" {
			return true
		}
		cw := strings.Fields(c)
		tw := strings.Fields(term)
		if len(tw) == 1 {
			for _, w := range cw {
				if w == term {
					return true
				}
			}
		}
		if len(tw) == 2 && len(cw) == 1 {
			if tw[0] == c || tw[1] == c {
				// a phrase containing a chosen word: keep the phrase only if
				// its other word is new; the word stays too
				continue
			}
		}
	}
	if tw := strings.Fields(term); len(tw) == 2 {
		have := 0
		for _, w := range tw {
			for _, c := range chosen {
				if c == w || strings.Contains(" "+c+" ", " "+w+" ") {
					have++
					break
				}
			}
		}
		if have == 2 {
			return true
		}
	}
	return false
}
