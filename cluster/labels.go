package cluster

import (
	"context"
	"math"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/papersift/papersift/internal/parallel"
	"github.com/papersift/papersift/tfidf"
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

// lexicon interns words: each distinct word gets an id, and words that are
// plurals of one another share a stem id.
type lexicon struct {
	word    map[string]int32 // surface word -> word id
	stem    map[string]int32 // stem -> stem id
	wstem   []int32          // word id -> stem id
	wcount  []int            // word id -> occurrences
	words   []string         // word id -> word
	generic []bool           // stem id -> a generic research word
	shown   []string         // stem id -> commonest word (filled when first asked)
	buf     []byte
}

func newLexicon() *lexicon {
	return &lexicon{word: map[string]int32{}, stem: map[string]int32{}}
}

// tokenizeDocs returns the stem ids of each document's title, and of its
// title and abstract (with a break between), in one lexicon. Documents are
// tokenized on all cores, each part with a lexicon of its own, merged in
// part order: the ids may differ with the split, the terms they stand for
// and their counts do not.
func tokenizeDocs(docs []Doc, assign []int, k int) (*lexicon, [][]int32, [][]int32) {
	titles := make([][]int32, len(docs))
	fulls := make([][]int32, len(docs))
	const parts = 8
	lexs := make([]*lexicon, parts)
	_ = parallel.Fixed(context.Background(), len(docs), parts, func(p, lo, hi int) {
		lx := newLexicon()
		for i := lo; i < hi; i++ {
			if c := assign[i]; c < 0 || c >= k {
				continue
			}
			t := lx.tokens(docs[i].Title, nil)
			titles[i] = t
			full := append(append(append(make([]int32, 0, len(t)+64), t...), -1), lx.tokens(docs[i].Abstract, nil)...)
			fulls[i] = full
		}
		lexs[p] = lx
	})
	global := newLexicon()
	for p, lp := range lexs {
		stems := make([]int32, len(lp.generic))
		for w, word := range lp.words {
			stems[lp.wstem[w]] = global.add(word, lp.wcount[w])
		}
		lo, hi := p*len(docs)/parts, (p+1)*len(docs)/parts
		for i := lo; i < hi; i++ {
			for _, seq := range [][]int32{titles[i], fulls[i]} {
				for j, x := range seq {
					if x >= 0 {
						seq[j] = stems[x]
					}
				}
			}
		}
	}
	return global, titles, fulls
}

// add counts n occurrences of a lowercase word and returns its stem id.
func (lx *lexicon) add(w string, n int) int32 {
	sid := lx.id([]byte(w))
	lx.wcount[lx.word[w]] += n - 1
	return sid
}

// id counts an occurrence of a lowercase word and returns its stem id.
func (lx *lexicon) id(w []byte) int32 {
	wid, ok := lx.word[string(w)]
	if !ok {
		s := string(w)
		st := stem(s)
		sid, ok := lx.stem[st]
		if !ok {
			sid = int32(len(lx.generic))
			lx.stem[st] = sid
			lx.generic = append(lx.generic, false)
		}
		wid = int32(len(lx.words))
		lx.word[s] = wid
		lx.words = append(lx.words, s)
		lx.wstem = append(lx.wstem, sid)
		lx.wcount = append(lx.wcount, 0)
		if genericWords[s] {
			lx.generic[sid] = true
		}
	}
	lx.wcount[wid]++
	return lx.wstem[wid]
}

// tokens appends the stem ids of the words of text to dst, with -1 where a
// phrase cannot continue (a stop word, punctuation other than a hyphen, a
// number).
func (lx *lexicon) tokens(text string, dst []int32) []int32 {
	brk := func() {
		if len(dst) > 0 && dst[len(dst)-1] >= 0 {
			dst = append(dst, -1)
		}
	}
	i := 0
	for i < len(text) {
		r, size := utf8.DecodeRuneInString(text[i:])
		if !isWord(r) {
			switch {
			case r == '<' && i+1 < len(text) && (isWord(rune(text[i+1])) || text[i+1] == '/'):
				// an HTML tag: <a href="...">
				if end := strings.IndexByte(text[i:], '>'); end > 0 {
					size = end + 1
				}
				brk()
			case r == '\\':
				// a LaTeX command: \mathbb
				size++
				for i+size < len(text) && isWord(rune(text[i+size])) {
					size++
				}
				brk()
			case r != ' ' && r != '-' && r != '\n' && r != '\t':
				brk()
			}
			i += size
			continue
		}
		if url(text[i:]) {
			// a web address names no topic
			for i < len(text) && text[i] != ' ' && text[i] != '\n' && text[i] != '\t' {
				i++
			}
			brk()
			continue
		}
		lx.buf = lx.buf[:0]
		letterStart := unicode.IsLetter(r)
		n := 0
		for i < len(text) {
			r, size := utf8.DecodeRuneInString(text[i:])
			if !isWord(r) {
				break
			}
			lx.buf = utf8.AppendRune(lx.buf, unicode.ToLower(r))
			i += size
			n++
		}
		if n < 2 || !letterStart || tfidf.IsStopWord(string(lx.buf)) {
			brk()
			continue
		}
		dst = append(dst, lx.id(lx.buf))
	}
	return dst
}

// url reports whether s starts with a web address.
func url(s string) bool {
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "www.") ||
		strings.HasPrefix(s, "github.com/") || strings.HasPrefix(s, "huggingface.co/")
}

func isWord(r rune) bool {
	return r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') ||
		r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

// stem folds an English plural onto its singular: "models" -> "model",
// "policies" -> "policy", "meshes" -> "mesh"; "analysis", "bias" and
// "class" stay.
func stem(w string) string {
	switch {
	case len(w) > 5 && (strings.HasSuffix(w, "shes") || strings.HasSuffix(w, "ches") ||
		strings.HasSuffix(w, "xes") || strings.HasSuffix(w, "sses")):
		return w[:len(w)-2]
	case len(w) > 4 && strings.HasSuffix(w, "ies"):
		return w[:len(w)-3] + "y"
	case len(w) > 3 && strings.HasSuffix(w, "s") &&
		!strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us") && !strings.HasSuffix(w, "is") &&
		!strings.HasSuffix(w, "ias"):
		return w[:len(w)-1]
	}
	return w
}

// topical reports whether a term may name a cluster: no generic word alone
// or first in a phrase, and no phrase of one word twice.
func (lx *lexicon) topical(t uint64) bool {
	a, b := int32(t>>32), int32(t)
	if lx.generic[a] {
		return false
	}
	return b < 0 || a != b
}

// term returns the text of a term: each word in its commonest form.
func (lx *lexicon) term(t uint64) string {
	a, b := int32(t>>32), int32(t)
	if b < 0 {
		return lx.show(a)
	}
	return lx.show(a) + " " + lx.show(b)
}

func (lx *lexicon) show(sid int32) string {
	if lx.shown == nil {
		lx.shown = make([]string, len(lx.generic))
		best := make([]int, len(lx.generic))
		for wid, w := range lx.words {
			s, c := lx.wstem[wid], lx.wcount[wid]
			if c > best[s] || c == best[s] && w < lx.shown[s] {
				lx.shown[s], best[s] = w, c
			}
		}
	}
	return lx.shown[sid]
}
