// Package tfidf turns paper texts into sparse term vectors: a tokenizer
// (lowercase words of two or more characters, English stop words removed),
// unigram and bigram terms identified by a stable 64-bit hash, a fitted
// vocabulary with inverse document frequencies, and sublinear TF-IDF rows.
//
// It is the shared text layer of the built-in embedder (embed), cluster
// labels (cluster) and the term features of the reading queue (recommend).
// Term hashes are FNV-1a over the UTF-8 bytes of the term ("a b" for a
// bigram), so they are the same on every machine and every run.
package tfidf

import (
	"unicode"
	"unicode/utf8"
)

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// Hash returns the term hash of a unigram or of a bigram written "a b".
func Hash(term string) uint64 {
	h := uint64(fnvOffset)
	for i := 0; i < len(term); i++ {
		h ^= uint64(term[i])
		h *= fnvPrime
	}
	return h
}

// IsStopWord reports whether w (lowercase) is an English stop word.
func IsStopWord(w string) bool {
	_, ok := stopWords()[w]
	return ok
}

// isWordByte reports whether an ASCII byte is a word character (\w).
func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

func isWordRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

// scan calls fn with every lowercase token of text that has at least two
// word characters and is not a stop word (scikit-learn's default token
// pattern); with letterStart, only tokens that start with a letter. buf is
// reused scratch space; fn must not keep it.
func scan(text string, buf []byte, letterStart bool, fn func(tok []byte)) []byte {
	stopWords := stopWords()
	i := 0
	for i < len(text) {
		c := text[i]
		// skip non-word characters
		if c < utf8.RuneSelf {
			if !isWordByte(c) {
				i++
				continue
			}
		} else {
			r, size := utf8.DecodeRuneInString(text[i:])
			if !isWordRune(r) {
				i += size
				continue
			}
		}
		// a token starts here
		buf = buf[:0]
		n := 0
		first := true
		startsWithLetter := false
		for i < len(text) {
			c := text[i]
			if c < utf8.RuneSelf {
				if !isWordByte(c) {
					break
				}
				if first {
					startsWithLetter = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
				}
				if c >= 'A' && c <= 'Z' {
					c += 'a' - 'A'
				}
				buf = append(buf, c)
				i++
			} else {
				r, size := utf8.DecodeRuneInString(text[i:])
				if !isWordRune(r) {
					break
				}
				if first {
					startsWithLetter = unicode.IsLetter(r) || r == '_'
				}
				buf = utf8.AppendRune(buf, unicode.ToLower(r))
				i += size
			}
			first = false
			n++
		}
		if n < 2 || (letterStart && !startsWithLetter) {
			continue
		}
		if _, stop := stopWords[string(buf)]; stop {
			continue
		}
		fn(buf)
	}
	return buf
}

// Tokens returns the words of text fit to name a topic: lowercase, two or
// more characters, starting with a letter (no "2024"), English stop words
// removed.
func Tokens(text string) []string {
	var out []string
	scan(text, nil, true, func(tok []byte) { out = append(out, string(tok)) })
	return out
}

// AppendTerms appends the hashes of the terms of text to dst: every token
// (lowercase, two or more word characters, stop words removed: scikit-learn's
// default analyzer), and when bigrams is set every pair of consecutive tokens
// (after stop-word removal, as scikit-learn forms n-grams).
func AppendTerms(dst []uint64, text string, bigrams bool) []uint64 {
	var prev uint64
	have := false
	var scratch [64]byte
	scan(text, scratch[:0], false, func(tok []byte) {
		h := uint64(fnvOffset)
		for _, c := range tok {
			h ^= uint64(c)
			h *= fnvPrime
		}
		dst = append(dst, h)
		if bigrams {
			if have {
				b := prev
				b ^= ' '
				b *= fnvPrime
				for _, c := range tok {
					b ^= uint64(c)
					b *= fnvPrime
				}
				dst = append(dst, b)
			}
			prev, have = h, true
		}
	})
	return dst
}
