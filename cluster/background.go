package cluster

import (
	"math"
	"unicode"
	"unicode/utf8"
)

// backgroundTerm is what the background says of a term of the lexicon.
type backgroundTerm struct {
	TermStats
	known bool
}

// background returns what the caller's Background says of term t: of the
// commonest of its written forms ("model" or "models").
func (l *labeller) background(t uint64) backgroundTerm {
	if b, ok := l.bg[t]; ok {
		return b
	}
	var b backgroundTerm
	try := func(s string) {
		if st, ok := l.o.Background(s); ok && (!b.known || st.DF > b.DF) {
			b = backgroundTerm{st, true}
		}
	}
	x, y := int32(t>>32), int32(t)
	for _, fx := range l.forms[x] {
		if y < 0 {
			try(fx)
			continue
		}
		for _, fy := range l.forms[y] {
			try(fx + " " + fy)
		}
	}
	l.bg[t] = b
	return b
}

// ridf is the residual inverse document frequency of a term (Church and
// Gale, 1995): how many more abstracts would use it if its uses fell on
// them at random (a Poisson law) than do, in nats. Words of research prose
// fall at random ("requiring" 0.03); words that name a topic come in
// bursts in the papers about it ("diffusion" 0.6, "eeg" 1.5).
func ridf(s TermStats) float64 {
	if s.DF <= 0 {
		return 0
	}
	lambda := s.DF * max(1, s.Repeat) // uses per abstract
	return math.Log(-math.Expm1(-lambda) / s.DF)
}

const (
	// genericRIDF: a word whose uses burst less never names a topic alone
	// nor opens a phrase
	genericRIDF = 0.2
	// topicalRIDF: a word whose uses burst more is fully topical; between
	// the two, its weight rises linearly
	topicalRIDF = 0.5
	// commonDF: without Repeat, a word used by a larger share of abstracts
	// is generic
	commonDF = 0.2
)

// wordTopicality returns how topical word s is, from 0 (generic) to 1.
func (l *labeller) wordTopicality(s int32) float64 {
	if w := l.wtop[s]; w >= 0 {
		return w
	}
	w := 1.0
	b := l.background(unigram(s))
	switch {
	case b.known && b.Repeat > 0:
		w = ridfWeight(b.TermStats)
	case b.known && b.DF >= commonDF || l.lx.generic[s]:
		w = 0
	}
	l.wtop[s] = w
	return w
}

// wordWeight returns the topicality of word s, or 0 for a generic one of
// the fixed list when there is no Background.
func (l *labeller) wordWeight(s int32) float64 {
	if l.o.Background == nil {
		if l.lx.generic[s] {
			return 0
		}
		return 1
	}
	return l.wordTopicality(s)
}

// topicality returns how well term t may name a topic, from 0 (never) to
// 1. Without a Background, generic research words (a fixed list) never
// stand alone nor open a phrase, and every other term is 1.
func (l *labeller) topicality(t uint64) float64 {
	a, b := int32(t>>32), int32(t)
	if b >= 0 && a == b {
		return 0
	}
	if l.o.Background == nil {
		if l.lx.generic[a] {
			return 0
		}
		return 1
	}
	wa := l.wordTopicality(a)
	if b < 0 || wa == 0 {
		return wa
	}
	if bg := l.background(t); bg.known && bg.Repeat > 0 && bg.DF >= stockDF {
		// a phrase that many abstracts use is as topical as its uses burst
		// ("diffusion models"; not "real world")
		return max(stockWeight, min(1, max(0, (ridf(bg.TermStats)-stockRIDF)/(topicalRIDF-genericRIDF))))
	}
	return max(wa, l.wordTopicality(b))
}

// stockDF: a phrase used by a larger share of the background abstracts is
// judged by its own uses, a rarer one by its words' (a phrase's own uses
// burst less than a word's, and are too few to measure when rare).
const stockDF = 0.02

// stockRIDF: a phrase's own uses burst less than a word's; its weight
// rises from this residual IDF on, as a word's does from genericRIDF.
const stockRIDF = 0.1

// stockWeight is the least weight of a phrase: the phrase of a topic may
// be a stock phrase of its field ("language models").
const stockWeight = 0.25

// ridfWeight returns the topicality of a term of known Repeat.
func ridfWeight(s TermStats) float64 {
	return min(1, max(0, (ridf(s)-genericRIDF)/(topicalRIDF-genericRIDF)))
}

// code reports whether a word is a letter and digits ("v2", "s1"): a
// version or a name of a model, never a topic alone.
func code(w string) bool {
	r, n := utf8.DecodeRuneInString(w)
	if !unicode.IsLetter(r) || n == len(w) {
		return false
	}
	for _, r := range w[n:] {
		if !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}
