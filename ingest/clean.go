package ingest

import (
	"math/bits"
	"strings"
	"unicode"
	"unicode/utf8"
)

// clean collapses runs of white space into one space and trims: it is
// strings.Join(strings.Fields(s), " "), faster. Text that needs no change
// is returned as is, without copying. Plain ASCII text is skipped eight
// bytes at a time (abstracts are most of a listing's bytes).
func clean(s string) string {
	if !needsClean(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false // white space is pending: written before the next text
	put := func(p string) {
		if (space || b.Len() == 0) && p != "" && p[0] == ' ' {
			p = p[1:] // a plain run's first space belongs to the white space before it
		}
		end := p != "" && p[len(p)-1] == ' '
		if end {
			p = p[:len(p)-1] // and its last, to the white space after it
		}
		if p != "" {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(p)
			space = false
		}
		space = space || end
	}
	for i := 0; i < len(s); {
		j := nextSpecial(s, i)
		put(s[i:j]) // plain: ASCII without control bytes or double spaces
		if j == len(s) {
			break
		}
		c, size := rune(s[j]), 1
		if c >= utf8.RuneSelf {
			c, size = utf8.DecodeRuneInString(s[j:])
		}
		if unicode.IsSpace(c) {
			space = true
		} else {
			put(s[j : j+size]) // a control character or a non-ASCII letter: kept
		}
		i = j + size
	}
	return b.String()
}

// needsClean reports whether clean changes s.
func needsClean(s string) bool {
	if s == "" {
		return false
	}
	if isSpaceByte(s[0]) || isSpaceByte(s[len(s)-1]) {
		return true
	}
	if r, _ := utf8.DecodeRuneInString(s); unicode.IsSpace(r) {
		return true
	}
	if r, _ := utf8.DecodeLastRuneInString(s); unicode.IsSpace(r) {
		return true
	}
	for i := nextSpecial(s, 0); i < len(s); i = nextSpecial(s, i) {
		c := s[i]
		if c < utf8.RuneSelf {
			if isSpaceByte(c) { // a double space, a tab, a line break...
				return true
			}
			i++ // another control character: kept
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if unicode.IsSpace(r) {
			return true
		}
		i += size
	}
	return false
}

const (
	low7s  = 0x7f7f7f7f7f7f7f7f
	highs  = 0x8080808080808080
	spaces = 0x2020202020202020
)

// nextSpecial is the index of the first byte of s from i on that clean
// cannot copy as it is: a control byte (< 0x20), a byte of a non-ASCII
// character, or a space followed by a space; len(s) when there is none.
func nextSpecial(s string, i int) int {
	for ; i+9 <= len(s); i += 8 {
		w, next := load64(s, i), load64(s, i+1)
		// high bit of each byte below 0x20 or from 0x80 on
		m := (^((w & low7s) + 0x6060606060606060) | w) & highs
		m |= zeroBytes(w^spaces) & zeroBytes(next^spaces)
		if m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c < ' ' || c >= utf8.RuneSelf || (c == ' ' && i+1 < len(s) && s[i+1] == ' ') {
			return i
		}
	}
	return len(s)
}

// zeroBytes has the high bit of each zero byte of x set, and no other bit.
func zeroBytes(x uint64) uint64 { return ^(((x & low7s) + low7s) | x) & highs }

// load64 reads s[i:i+8] little-endian (in one load: the slice of a
// constant length lets the compiler drop the bounds checks).
func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}
