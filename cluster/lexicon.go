package cluster

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/papersift/papersift/internal/parallel"
	"github.com/papersift/papersift/tfidf"
)

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

// newLexicon returns an empty lexicon with room for about words words.
func newLexicon(words int) *lexicon {
	return &lexicon{word: make(map[string]int32, words), stem: make(map[string]int32, words),
		wstem: make([]int32, 0, words), wcount: make([]int, 0, words), words: make([]string, 0, words)}
}

// tokenizeDocs returns the tokens (stem ids, see tokens) of each
// document's title, and of its title and abstract (with a break between),
// in one lexicon. Documents are
// tokenized on all cores, each part with a lexicon of its own, merged in
// part order: the ids may differ with the split, the terms they stand for
// and their counts do not.
func tokenizeDocs(docs []Doc, assign []int, k int) (*lexicon, [][]int32, [][]int32) {
	titles := make([][]int32, len(docs))
	fulls := make([][]int32, len(docs))
	const parts = 8
	lexs := make([]*lexicon, parts)
	_ = parallel.Fixed(context.Background(), len(docs), parts, func(p, lo, hi int) {
		// about 25 new words a paper in a part of 250 (abstracts of
		// scientific prose): a map grown once, not doubled ten times
		lx := newLexicon(min(25*(hi-lo), 1<<16))
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
	all := 0
	for _, lp := range lexs {
		all += len(lp.words)
	}
	global := newLexicon(all / 2)
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
						seq[j] = stems[plain(x)] | x&joined
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
		if genericWords()[s] {
			lx.generic[sid] = true
		}
	}
	lx.wcount[wid]++
	return lx.wstem[wid]
}

// joinedL and joinedR mark a word written joined by a hyphen to the word
// before or after it ("training-free"), in a token sequence: such a word is
// part of a compound rather than a word of its own.
const (
	joinedL int32 = 1 << 30
	joinedR int32 = 1 << 29
	joined        = joinedL | joinedR
)

// plain returns the stem id of a token without its marks.
func plain(x int32) int32 { return x &^ joined }

// tokens appends the stem ids of the words of text to dst, with -1 where a
// phrase cannot continue (a stop word, punctuation other than a hyphen, a
// number); the words of a hyphenated compound carry the joined mark.
func (lx *lexicon) tokens(text string, dst []int32) []int32 {
	brk := func() {
		if len(dst) > 0 && dst[len(dst)-1] >= 0 {
			dst = append(dst, -1)
		}
	}
	hyphen := false // a hyphen joins the last word read to the next
	last := false   // the last word read is the last token of dst
	i := 0
	for i < len(text) {
		r, size := utf8.DecodeRuneInString(text[i:])
		if !isWord(r) {
			hyphen = false
			if r == '-' && i > 0 && i+1 < len(text) {
				before, _ := utf8.DecodeLastRuneInString(text[:i])
				after, _ := utf8.DecodeRuneInString(text[i+1:])
				if hyphen = isWord(before) && isWord(after); hyphen && last {
					dst[len(dst)-1] |= joinedR
				}
			}
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
			if c := text[i]; c < utf8.RuneSelf {
				// ASCII, most of scientific prose: isWord and ToLower by table
				if !asciiWord[c] {
					break
				}
				lx.buf = append(lx.buf, asciiLower[c])
				i++
				n++
				continue
			}
			r, size := utf8.DecodeRuneInString(text[i:])
			if !isWord(r) {
				break
			}
			lx.buf = utf8.AppendRune(lx.buf, unicode.ToLower(r))
			i += size
			n++
		}
		wid, known := lx.word[string(lx.buf)]
		if n < 2 || !letterStart || known && wid == stopWord {
			brk()
			hyphen, last = false, false
			continue
		}
		if !known && tfidf.IsStopWord(string(lx.buf)) {
			lx.word[string(lx.buf)] = stopWord
			brk()
			hyphen, last = false, false
			continue
		}
		var id int32
		if known {
			lx.wcount[wid]++
			id = lx.wstem[wid]
		} else {
			id = lx.id(lx.buf)
		}
		if hyphen {
			id |= joinedL
		}
		hyphen, last = false, true
		dst = append(dst, id)
	}
	return dst
}

// asciiWord and asciiLower are isWord and unicode.ToLower of ASCII.
var asciiWord, asciiLower = func() (w [utf8.RuneSelf]bool, l [utf8.RuneSelf]byte) {
	for c := range utf8.RuneSelf {
		w[c] = isWord(rune(c))
		l[c] = byte(unicode.ToLower(rune(c)))
	}
	return w, l
}()

// stopWord is the word id a tokenizing lexicon gives the stop words it has
// met (a stop word found in its map costs no second lookup).
const stopWord = -1

// url reports whether s starts with a web address.
func url(s string) bool {
	if s == "" || s[0] != 'h' && s[0] != 'w' && s[0] != 'g' {
		return false
	}
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
